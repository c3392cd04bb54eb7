"""Connectivity callbacks pushed by the simulated cloud when the world changes (``docs/cloud.md``
§2.9): notifyType 2 (gateway) and 3 (Wi-Fi lock) online at once, offline only after the
documented delay on the world clock, nothing when the device is back before then, and only to
the apps the device's admin has authorised. Door-sensor changes of a lock are records (1)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from sim_helpers import (
    BACK_DOOR,
    CLIENT_ID,
    DEMO_USER,
    FRONT_DOOR,
    GARAGE,
    HALLWAY_GATEWAY,
    OFFICE_GATEWAY,
    CloudClient,
)

from simulator import CloudServer, World
from simulator import webhook as webhook_module
from simulator import world as world_module
from simulator.webhook import pusher_for
from simulator.world import (
    GATEWAY_OFFLINE_NOTICE_DELAY_MS,
    NOTIFY_GATEWAY,
    WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS,
)

CN_CLIENT_ID = "sim-cn-client-id"
GATEWAY_DELAY_S = GATEWAY_OFFLINE_NOTICE_DELAY_MS / 1000
WIFI_DELAY_S = WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS / 1000


@dataclass
class Receiver:
    """An HTTP endpoint standing in for a developer application's callback URL."""

    base_url: str
    forms: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"

    def at(self, name: str) -> list[dict[str, str]]:
        return self.forms.get(name, [])


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver("")

    async def handle(request: web.Request) -> web.Response:
        assert request.content_type == "application/x-www-form-urlencoded"
        form = {key: str(value) for key, value in (await request.post()).items()}
        receiver.forms.setdefault(request.match_info["name"], []).append(form)
        receiver.arrived.set()
        return web.Response(text="success")

    app = web.Application()
    app.router.add_post("/{name}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    receiver.base_url = f"http://{host}:{port}"
    try:
        yield receiver
    finally:
        await runner.cleanup()


@pytest.fixture
async def hooked(demo: CloudClient, world: World, receiver: Receiver) -> Receiver:
    """The demo account authorised the app (logged in); its callback URL is ``/app``; the
    clock stands still."""
    world.clock.freeze()
    world.apps[CLIENT_ID].callback_url = receiver.url("app")
    return receiver


async def _settle(world: World) -> None:
    await pusher_for(world).drain()


def _only(forms: list[dict[str, str]]) -> dict[str, str]:
    assert len(forms) == 1, forms
    return forms[0]


async def test_gateway_offline_is_pushed_30_minutes_late(
    server: CloudServer, world: World, hooked: Receiver
) -> None:
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    await _settle(world)
    assert hooked.at("app") == []  # TTLock has not noticed yet
    assert world.pending_notices() == {
        (NOTIFY_GATEWAY, HALLWAY_GATEWAY): world.now_ms() + GATEWAY_OFFLINE_NOTICE_DELAY_MS
    }
    world.clock.advance(GATEWAY_DELAY_S - 60)
    await _settle(world)
    assert hooked.at("app") == []
    world.clock.advance(61)
    await _settle(world)
    assert _only(hooked.at("app")) == {
        "notifyType": "2",
        "gatewayId": str(HALLWAY_GATEWAY),
        "gatewayName": "Hallway Gateway",
        "gatewayMac": "54:8E:29:A1:07:C4",
        "gatewayVersion": "2",
        "networkName": "HomeNet",
        "isOnline": "0",
    }
    assert world.pending_notices() == {}
    assert all(callback.ok for callback in pusher_for(world).sent)

    world.set_gateway_online(HALLWAY_GATEWAY, True)  # online: at once
    await _settle(world)
    assert [form["isOnline"] for form in hooked.at("app")] == ["0", "1"]
    world.set_gateway_online(HALLWAY_GATEWAY, True)  # no change, no notice
    await _settle(world)
    assert len(hooked.at("app")) == 2


async def test_back_online_before_the_delay_sends_nothing(
    server: CloudServer, world: World, hooked: Receiver
) -> None:
    """The heartbeats never timed out: the cloud saw no outage, so no notice either way."""
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    world.clock.advance(GATEWAY_DELAY_S - 1)
    world.set_gateway_online(HALLWAY_GATEWAY, True)
    world.set_wifi_online(GARAGE, False)
    world.clock.advance(WIFI_DELAY_S - 1)
    world.set_wifi_online(GARAGE, True)
    assert world.pending_notices() == {}
    world.clock.advance(2 * GATEWAY_DELAY_S)
    await _settle(world)
    assert hooked.at("app") == []


async def test_wifi_lock_offline_is_pushed_15_minutes_late(
    server: CloudServer, world: World, demo: CloudClient, hooked: Receiver
) -> None:
    world.set_wifi_online(GARAGE, False)
    assert (await demo.call("lock/unlock", method="POST", lockId=GARAGE))["errcode"] == -3036
    world.clock.advance(WIFI_DELAY_S - 1)
    await _settle(world)
    assert hooked.at("app") == []
    world.clock.advance(1)
    await _settle(world)
    garage = world.lock(GARAGE)
    assert _only(hooked.at("app")) == {
        "notifyType": "3",
        "lockId": str(GARAGE),
        "lockAlias": "Garage",
        "lockMac": garage.lock_mac,
        "networkName": "HomeNet",
        "admin": DEMO_USER,
        "isOnline": "0",
    }
    world.set_wifi_online(GARAGE, True)
    await _settle(world)
    assert hooked.at("app")[-1]["isOnline"] == "1"
    assert (await demo.call("lock/unlock", method="POST", lockId=GARAGE))["errcode"] == 0


async def test_only_wifi_locks_announce_their_network(
    server: CloudServer, world: World, hooked: Receiver
) -> None:
    """``wifi_online`` of a lock without the Wi-Fi feature is no connection TTLock watches."""
    world.set_wifi_online(BACK_DOOR, False)
    world.clock.advance(2 * WIFI_DELAY_S)
    await _settle(world)
    assert world.pending_notices() == {}
    assert hooked.at("app") == []


async def test_notices_go_only_to_apps_the_admin_authorised(
    server: CloudServer, world: World, cloud: CloudClient, hooked: Receiver
) -> None:
    """The Office Gateway's owner has not authorised the app, the demo account never used the
    China app: nothing goes there. Once the owner logs in, its gateway's notices arrive."""
    world.apps[CN_CLIENT_ID].callback_url = hooked.url("cn")
    world.set_gateway_online(OFFICE_GATEWAY, False)
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    world.clock.advance(GATEWAY_DELAY_S)
    await _settle(world)
    assert _only(hooked.at("app"))["gatewayId"] == str(HALLWAY_GATEWAY)
    assert hooked.at("cn") == []

    await cloud.login("second@example.com", "second-password")
    world.set_gateway_online(OFFICE_GATEWAY, True)
    await _settle(world)
    office = hooked.at("app")[-1]
    assert (office["gatewayId"], office["gatewayName"], office["isOnline"]) == (
        str(OFFICE_GATEWAY),
        "Office Gateway",
        "1",
    )
    assert hooked.at("cn") == []


async def test_removed_gateway_sends_no_late_notice(
    server: CloudServer, world: World, hooked: Receiver
) -> None:
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    world.remove_gateway(HALLWAY_GATEWAY)
    world.clock.advance(GATEWAY_DELAY_S)
    await _settle(world)
    assert world.pending_notices() == {}
    assert hooked.at("app") == []


async def test_sim_controls_drive_the_notices(
    server: CloudServer, world: World, demo: CloudClient, hooked: Receiver
) -> None:
    """``/sim/gateway/online`` and ``/sim/clock``: the same notices over HTTP; the pending one
    shows in ``/sim/callbacks``."""
    status, _ = await demo.sim("gateway/online", {"gatewayId": HALLWAY_GATEWAY, "online": False})
    assert status == 200
    status, summary = await demo.sim("callbacks")
    assert (status, summary["pendingNotices"]) == (200, 1)
    await demo.sim("clock", {"advanceSeconds": GATEWAY_DELAY_S})
    await _settle(world)
    assert _only(hooked.at("app"))["isOnline"] == "0"
    status, summary = await demo.sim("callbacks")
    assert (summary["pendingNotices"], summary["sent"], summary["failed"]) == (0, 1, 0)


async def test_a_running_clock_sends_due_notices_by_itself(
    server: CloudServer,
    world: World,
    demo: CloudClient,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No clock jump, no drain: the pusher's periodic tick sends what fell due (delays
    shortened so the real clock gets there)."""
    monkeypatch.setattr(webhook_module, "NOTICE_TICK_S", 0.02)
    monkeypatch.setattr(world_module, "WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS", 50)
    world.clock.unfreeze()
    world.apps[CLIENT_ID].callback_url = receiver.url("app")
    world.set_wifi_online(GARAGE, False)
    await asyncio.wait_for(receiver.arrived.wait(), timeout=5)
    assert _only(receiver.at("app"))["isOnline"] == "0"


async def test_door_sensor_changes_are_pushed_as_records(
    server: CloudServer, world: World, hooked: Receiver
) -> None:
    """A lock's own door sensor writes records 31 (open) / 30 (closed): notifyType 1. The
    standalone DS3 sensor (notifyType 7) is not part of the world."""
    world.set_door(FRONT_DOOR, True)
    world.set_door(FRONT_DOOR, False)
    await _settle(world)
    forms = hooked.at("app")
    assert [form["notifyType"] for form in forms] == ["1", "1"]
    assert [json.loads(form["records"])[0]["recordType"] for form in forms] == [31, 30]
    assert {form["lockId"] for form in forms} == {str(FRONT_DOOR)}
