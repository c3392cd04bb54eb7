"""Bring a fresh Home Assistant to a ready state for scripts/develop, over its REST API.

Waits for Home Assistant, completes onboarding (user dev / dev-password) the first time,
signs in, and adds TTLock Access signed in to the simulator when no entry exists yet; then
sets the simulated developer application's callback URL so lock activity is pushed.
Safe to run again: every step checks what is already done.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

USER, PASSWORD = "dev", "dev-password"
SIM_ACCOUNT = {
    "region": "custom",
    "client_id": "sim-client-id",
    "client_secret": "sim-client-secret",
    "username": "demo@example.com",
    "password": "demo-password",
}


async def wait_ready(session: aiohttp.ClientSession, url: str, limit_s: float = 180) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            async with session.get(url) as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(1)
    raise SystemExit(f"{url} did not come up within {limit_s:.0f} s")


async def token_from_code(session: aiohttp.ClientSession, ha: str, code: str) -> str:
    async with session.post(
        f"{ha}/auth/token",
        data={"grant_type": "authorization_code", "code": code, "client_id": f"{ha}/"},
    ) as resp:
        resp.raise_for_status()
        return str((await resp.json())["access_token"])


async def onboard(session: aiohttp.ClientSession, ha: str) -> str | None:
    """Create the owner the first time; returns a token, or None when already onboarded."""
    async with session.post(
        f"{ha}/api/onboarding/users",
        json={
            "client_id": f"{ha}/",
            "name": "Developer",
            "username": USER,
            "password": PASSWORD,
            "language": "en",
        },
    ) as resp:
        if resp.status != 200:
            return None
        code = (await resp.json())["auth_code"]
    token = await token_from_code(session, ha, code)
    headers = {"Authorization": f"Bearer {token}"}
    for step, body in (
        ("core_config", {}),
        ("analytics", {}),
        ("integration", {"client_id": f"{ha}/", "redirect_uri": f"{ha}/?auth_callback=1"}),
    ):
        async with session.post(f"{ha}/api/onboarding/{step}", json=body, headers=headers):
            pass
    return token


async def login(session: aiohttp.ClientSession, ha: str) -> str:
    async with session.post(
        f"{ha}/auth/login_flow",
        json={
            "client_id": f"{ha}/",
            "handler": ["homeassistant", None],
            "redirect_uri": f"{ha}/?auth_callback=1",
        },
    ) as resp:
        resp.raise_for_status()
        flow_id = (await resp.json())["flow_id"]
    async with session.post(
        f"{ha}/auth/login_flow/{flow_id}",
        json={"client_id": f"{ha}/", "username": USER, "password": PASSWORD},
    ) as resp:
        resp.raise_for_status()
        result = await resp.json()
    if result.get("type") != "create_entry":
        raise SystemExit(f"could not sign in as {USER}: {result.get('errors')}")
    return await token_from_code(session, ha, result["result"])


async def confirm_http_config(session: aiohttp.ClientSession, ha: str, token: str) -> None:
    """HA 2026.10 asks to confirm a changed HTTP server configuration (here: listening on
    127.0.0.1 from configuration.yaml) and reverts it after a few minutes otherwise."""
    async with session.ws_connect(f"{ha.replace('http', 'ws', 1)}/api/websocket") as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": token})
        await ws.receive_json()  # auth_ok
        await ws.send_json({"id": 1, "type": "http/config"})
        reply = await ws.receive_json()
        if reply.get("success") and (reply.get("result") or {}).get("pending"):
            await ws.send_json({"id": 2, "type": "http/config/promote"})
            await ws.receive_json()
            print("==> confirmed the HTTP server configuration (127.0.0.1 only)")


async def add_integration(
    session: aiohttp.ClientSession, ha: str, token: str, simulator: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(
        f"{ha}/api/config/config_entries/entry", params={"domain": "ttlock_access"}, headers=headers
    ) as resp:
        resp.raise_for_status()
        if await resp.json():
            print("==> TTLock Access is already configured")
            return
    async with session.post(
        f"{ha}/api/config/config_entries/flow",
        json={"handler": "ttlock_access", "show_advanced_options": False},
        headers=headers,
    ) as resp:
        resp.raise_for_status()
        flow: dict[str, Any] = await resp.json()
    # the first step is a menu: account / pair a new lock / lock keys
    for step_input in ({"next_step_id": "account"}, SIM_ACCOUNT, {"base_url": simulator}):
        async with session.post(
            f"{ha}/api/config/config_entries/flow/{flow['flow_id']}",
            json=step_input,
            headers=headers,
        ) as resp:
            resp.raise_for_status()
            flow = await resp.json()
        if flow.get("errors"):
            raise SystemExit(f"adding the integration failed: {flow['errors']}")
    if flow.get("type") != "create_entry":
        raise SystemExit(f"adding the integration ended unexpectedly: {flow}")
    # A lively demo: poll the simulator every minute with 3 per-lock calls per poll.
    entry_id = flow["result"]["entry_id"]
    async with session.post(
        f"{ha}/api/config/config_entries/options/flow",
        json={"handler": entry_id},
        headers=headers,
    ) as resp:
        resp.raise_for_status()
        options_flow = await resp.json()
    async with session.post(
        f"{ha}/api/config/config_entries/options/flow/{options_flow['flow_id']}",
        json={"poll_interval": 1, "sweep_calls": 3, "monthly_budget": 100000},
        headers=headers,
    ) as resp:
        resp.raise_for_status()
    print("==> TTLock Access added, signed in to the simulator (polling every minute)")


async def show_meters_in_energy(session: aiohttp.ClientSession, ha: str, token: str) -> None:
    """Put the demo's meters in the Energy dashboard (once: an edited dashboard is kept)."""
    grid = [
        {
            "type": "grid",
            "stat_energy_from": f"sensor.{meter}_energy",
            "stat_energy_to": None,
            "stat_cost": None,
            "entity_energy_price": f"sensor.{meter}_unit_price",
            "number_energy_price": None,
            "stat_compensation": None,
            "entity_energy_price_export": None,
            "number_energy_price_export": None,
            "cost_adjustment_day": 0,
        }
        for meter in ("apartment_power", "studio_power")
    ]
    water = {
        "type": "water",
        "stat_energy_from": "sensor.apartment_water_consumption",
        "stat_cost": None,
        "entity_energy_price": "sensor.apartment_water_unit_price",
        "number_energy_price": None,
    }
    async with session.ws_connect(f"{ha.replace('http', 'ws', 1)}/api/websocket") as ws:
        await ws.receive_json()  # auth_required
        await ws.send_json({"type": "auth", "access_token": token})
        await ws.receive_json()  # auth_ok
        await ws.send_json({"id": 1, "type": "energy/get_prefs"})
        reply = await ws.receive_json()
        if reply.get("success") and (reply.get("result") or {}).get("energy_sources"):
            return
        await ws.send_json({"id": 2, "type": "energy/save_prefs", "energy_sources": [*grid, water]})
        reply = await ws.receive_json()
        if reply.get("success"):
            print("==> the simulated meters are in the Energy dashboard")
        else:
            print(f"==> the Energy dashboard was left as it is: {reply.get('error')}")


async def connect_push(
    session: aiohttp.ClientSession, ha: str, config: Path, simulator: str, limit_s: float = 60
) -> None:
    """Do what a user does in the TTLock developer console: set the application's callback
    URL (the one the integration's repair notice shows) so the simulated cloud pushes every
    lock record to Home Assistant within a second. The simulated world keeps it between
    runs, but a world started afresh does not, so this is done every time."""
    entries_file = config / ".storage" / "core.config_entries"
    deadline = asyncio.get_running_loop().time() + limit_s
    webhook_ids: list[str] = []
    while not webhook_ids:
        try:
            stored = json.loads(entries_file.read_text())
            webhook_ids = [
                e["data"]["webhook_id"]
                for e in stored["data"]["entries"]
                if e.get("domain") == "ttlock_access" and e.get("data", {}).get("webhook_id")
            ]
        except (OSError, ValueError, KeyError):
            webhook_ids = []
        if not webhook_ids:
            if asyncio.get_running_loop().time() > deadline:
                print("==> no callback URL yet: lock activity is polled")
                return
            await asyncio.sleep(1)
    async with session.post(
        f"{simulator}/sim/callback_url",
        json={
            "clientId": SIM_ACCOUNT["client_id"],
            "callbackUrl": f"{ha}/api/webhook/{webhook_ids[0]}",
        },
    ) as resp:
        resp.raise_for_status()
    print("==> the simulated TTLock cloud pushes lock activity to Home Assistant")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ha", default="http://127.0.0.1:8123")
    parser.add_argument("--simulator", default="http://127.0.0.1:8765")
    parser.add_argument("--config", default="config", help="Home Assistant's config directory")
    args = parser.parse_args()
    async with aiohttp.ClientSession() as session:
        await wait_ready(session, f"{args.simulator}/sim/state")
        await wait_ready(session, f"{args.ha}/manifest.json")
        token = await onboard(session, args.ha) or await login(session, args.ha)
        await confirm_http_config(session, args.ha, token)
        await add_integration(session, args.ha, token, args.simulator)
        await connect_push(session, args.ha, Path(args.config), args.simulator)
        await show_meters_in_energy(session, args.ha, token)
    print(
        f"\n  Home Assistant: {args.ha}\n  Login: {USER} / {PASSWORD}\n"
        f"  Simulator: {args.simulator} (controls under /sim/)\n"
    )


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
