"""The Access panel's websocket commands against the simulated TTLock world: admin only, no
digits unless asked for one credential, the same access model as the actions, live updates."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.ttlock_access.const import DOMAIN, EVENT_ACCESS
from custom_components.ttlock_access.websocket_api import COMMANDS
from tests.integration.helpers import Cloud, call, logbook_entries
from tests.integration.secret_scan import world_secrets
from tests.integration.test_access import FRONT, opens
from tests.integration.test_adopt import APP_CODE, ttlock_app


async def _send(ws: MockHAClientWebSocket, payload: dict[str, Any]) -> dict[str, Any]:
    await ws.send_json_auto_id(payload)
    return await ws.receive_json()


async def _ok(ws: MockHAClientWebSocket, command: str, **fields: Any) -> Any:
    reply = await _send(ws, {"type": f"{DOMAIN}/{command}", **fields})
    assert reply["success"], reply
    return reply["result"]


def _window(hours: int = 48) -> dict[str, str]:
    now = dt_util.now().replace(microsecond=0)
    return {
        "starts_at": (now - timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(hours=hours)).isoformat(),
    }


def _holder(overview: dict[str, Any], name: str) -> dict[str, Any]:
    return next(h for h in overview["holders"] if h["name"] == name)


def _no_digits(cloud: Cloud, payload: Any, *also: str) -> None:
    """No code, card number or key of the simulated world (nor ``also``) in ``payload``."""
    text = json.dumps(payload)
    for secret in world_secrets(cloud.world) | set(also):
        assert secret not in text, f"{secret[:2]}… shown"


VALID_MESSAGES: dict[str, dict[str, Any]] = {
    "overview": {},
    "unmanaged": {},
    "subscribe": {},
    "reveal_code": {"credential_id": "x"},
    "add_guest": {"name": "Eve", "locks": ["lock.front_door"], "ends_at": "2099-01-01 10:00"},
    "check_in": {"name": "Eve", "locks": ["lock.front_door"], "ends_at": "2099-01-01 10:00"},
    "check_out": {"holder": "Eve"},
    "extend_lease": {"holder": "Eve", "ends_at": "2099-01-01 10:00"},
    "add_staff": {"names": ["Eve"], "locks": ["lock.front_door"]},
    "remove_staff": {"holder": "Eve"},
    "revoke_holder": {"holder": "Eve"},
    "revoke_credential": {"credential_id": "x"},
    "adopt": {"lock": "lock.front_door", "kind": "passcode", "ttlock_id": 1},
}


async def test_every_command_refuses_non_admins(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """A user who is not an administrator gets ``unauthorized`` from every command, and
    nothing changes."""
    assert {c._ws_command for c in COMMANDS} == {f"{DOMAIN}/{n}" for n in VALID_MESSAGES}  # type: ignore[attr-defined]
    ws = await hass_ws_client(hass, hass_read_only_access_token)
    for command, fields in VALID_MESSAGES.items():
        reply = await _send(ws, {"type": f"{DOMAIN}/{command}", **fields})
        assert not reply["success"], command
        assert reply["error"]["code"] == "unauthorized", command
    await hass.async_block_till_done()
    assert setup_entry.runtime_data.access.state.holders == {}


async def test_add_guest_shows_the_code_once_and_it_reaches_the_lock(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A guest added in the panel gets a generated code, shown in the answer only; the
    overview then shows the guest's code set on the lock, without its digits."""
    ws = await hass_ws_client(hass)
    added = await _ok(ws, "add_guest", name="Anna", locks=["lock.front_door"], **_window())
    assert added["holder"]["name"] == "Anna" and added["holder"]["kind"] == "guest"
    [code] = added["credentials"]
    digits = code["code"]
    assert len(digits) == 6 and opens(cloud, FRONT, digits)
    assert code["locks"]["lock.front_door"]["state"] == "set"

    overview = await _ok(ws, "overview")
    anna = _holder(overview, "Anna")
    [shown] = anna["credentials"]
    assert shown["credential_id"] == code["credential_id"]
    assert shown["status"] == "active" and shown["revealable"]
    assert shown["locks"]["lock.front_door"]["state"] == "set"
    assert {lock["entity_id"] for lock in overview["locks"]} >= {
        "lock.front_door",
        "lock.back_door",
    }
    _no_digits(cloud, overview, digits)


async def test_add_guest_with_typed_code_card_and_share(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A typed code and a card number are accepted; a weak typed code is refused with the
    action's translated message unless it is meant; an unknown notify target is refused
    before anything is created."""
    ws = await hass_ws_client(hass)
    base = {"type": f"{DOMAIN}/add_guest", "name": "Ben", "locks": ["lock.front_door"]}
    weak = await _send(ws, {**base, **_window(), "code": "123456"})
    assert weak["error"]["code"] == "service_validation_error"
    assert weak["error"]["translation_key"] == "weak_code"
    assert weak["error"]["message"].startswith("This code is easy to guess")
    unknown = await _send(ws, {**base, **_window(), "share_to": ["notify.nobody"]})
    assert unknown["error"]["translation_key"] == "share_target_unknown"
    assert setup_entry.runtime_data.access.holder("Ben") is None

    added = await _ok(
        ws,
        "add_guest",
        name="Ben",
        locks=["lock.front_door"],
        code="480917",
        card_number="9081726354",
        **_window(),
    )
    kinds = {c["kind"]: c for c in added["credentials"]}
    assert kinds["passcode"]["code"] == "480917"
    assert "code" not in kinds["card"]
    assert opens(cloud, FRONT, "480917")
    assert cloud.world.present_card(FRONT, "9081726354").success


async def test_revoke_credential_and_person(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Revoking one credential, then a whole person, takes them off the lock: removed."""
    ws = await hass_ws_client(hass)
    first = await _ok(ws, "add_guest", name="Cleo", locks=["lock.front_door"], **_window())
    [code] = first["credentials"]
    revoked = await _ok(ws, "revoke_credential", credential_id=code["credential_id"])
    assert revoked["credential"]["locks"]["lock.front_door"]["state"] == "removed"
    assert not opens(cloud, FRONT, code["code"])

    second = await _ok(ws, "add_guest", name="Cleo", locks=["lock.front_door"], **_window())
    [again] = second["credentials"]
    result = await _ok(ws, "revoke_holder", holder=second["holder"]["holder_id"])
    assert result["revoked"] == 1
    assert not opens(cloud, FRONT, again["code"])
    overview = await _ok(ws, "overview", include_unmanaged=False)
    states = {
        c["credential_id"]: c["locks"]["lock.front_door"]["state"]
        for c in _holder(overview, "Cleo")["credentials"]
    }
    assert states == {code["credential_id"]: "removed", again["credential_id"]: "removed"}
    assert overview["unmanaged"] is None

    missing = await _send(ws, {"type": f"{DOMAIN}/revoke_credential", "credential_id": "nope"})
    assert missing["error"]["translation_key"] == "unknown_credential"
    assert missing["error"]["message"] == "No credential with id nope"


async def test_tenant_and_staff(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Check-in, extending the lease and check-out of a tenant; staff added and removed."""
    ws = await hass_ws_client(hass)
    no_end = await _send(
        ws, {"type": f"{DOMAIN}/check_in", "name": "Dora", "locks": ["lock.front_door"]}
    )
    assert no_end["error"]["translation_key"] == "lease_needs_end"
    moved_in = await _ok(ws, "check_in", name="Dora", locks=["lock.front_door"], **_window())
    tenant = moved_in["holder"]
    assert tenant["kind"] == "tenant"
    later = (dt_util.now() + timedelta(days=30)).replace(microsecond=0)
    extended = await _ok(ws, "extend_lease", holder=tenant["holder_id"], ends_at=later.isoformat())
    assert extended["renewed"] == 1
    assert dt_util.parse_datetime(extended["holder"]["ends_at"]) == later
    out = await _ok(ws, "check_out", holder=tenant["holder_id"])
    assert out["holder"]["removed"] and out["revoked"] == 1
    assert not opens(cloud, FRONT, moved_in["credentials"][0]["code"])

    staff = await _ok(ws, "add_staff", names=["Max"], locks=["lock.front_door"])
    max_code = staff["staff"]["Max"]["code"]
    assert opens(cloud, FRONT, max_code)
    overview = await _ok(ws, "overview", include_unmanaged=False)
    person = _holder(overview, "Max")
    assert person["kind"] == "staff"
    await _ok(ws, "remove_staff", holder=person["holder_id"])
    assert not opens(cloud, FRONT, max_code)


async def test_subscription_follows_actions(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The panel's subscription gets the picture at once, then again when an action (an
    automation, Developer tools) changes access; no digits in any of it."""
    ws = await hass_ws_client(hass)
    reply = await _send(ws, {"type": f"{DOMAIN}/subscribe"})
    assert reply["success"]
    sub_id = reply["id"]
    first = await ws.receive_json()
    assert first["id"] == sub_id and first["event"]["holders"] == []

    granted = await call(
        hass,
        "grant_access",
        {"entity_id": "lock.front_door", "holder": "Finn", **_window()},
    )
    digits = granted["credentials"][0]["code"]
    seen: list[dict[str, Any]] = []
    while True:
        message = await ws.receive_json()
        assert message["id"] == sub_id
        seen.append(message["event"])
        finn = [h for h in message["event"]["holders"] if h["name"] == "Finn"]
        credentials = finn[0]["credentials"] if finn else []
        if credentials and credentials[0]["locks"]["lock.front_door"]["state"] == "set":
            break
    _no_digits(cloud, seen, digits)
    states = [
        h["credentials"][0]["locks"]["lock.front_door"]["state"]
        for event in seen
        for h in event["holders"]
        if h["name"] == "Finn" and h["credentials"]
    ]
    assert states[0] == "setting" and states[-1] == "set"  # live while it was written

    await call(hass, "revoke_holder", {"holder": "Finn"})
    while True:
        event = (await ws.receive_json())["event"]
        [credential] = _holder(event, "Finn")["credentials"]
        if credential["locks"]["lock.front_door"]["state"] == "removed":
            break

    await ws.send_json_auto_id({"type": "unsubscribe_events", "subscription": sub_id})
    while (message := await ws.receive_json())["type"] == "event":
        assert message["id"] == sub_id  # sent before the subscription ended
    assert message["success"]
    await call(hass, "grant_access", {"entity_id": "lock.front_door", "holder": "Gus"})
    await hass.async_block_till_done()
    reply = await _send(ws, {"type": f"{DOMAIN}/overview", "include_unmanaged": False})
    assert reply["type"] == "result"  # nothing more came from the subscription


async def test_reveal_code_is_logged_without_digits(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: Any,
) -> None:
    """ "Show code" returns the digits of that one credential, and records an access event
    (with the admin's user, for the logbook) that does not carry them."""
    events: list[Event[Any]] = []
    hass.bus.async_listen(EVENT_ACCESS, events.append)
    ws = await hass_ws_client(hass)
    added = await _ok(ws, "add_guest", name="Hana", locks=["lock.front_door"], **_window())
    [code] = added["credentials"]
    shown = await _ok(ws, "reveal_code", credential_id=code["credential_id"])
    assert shown["code"] == code["code"]
    assert shown["locks"] == {"lock.front_door": code["code"]}
    await hass.async_block_till_done()
    [event] = [e for e in events if e.data["action"] != "placed"]
    assert event.data["action"] == "code_shown"
    assert event.data["name"] == "Hana" and event.data["locks"] == ["lock.front_door"]
    assert event.context.user_id == hass_admin_user.id
    assert code["code"] not in json.dumps(event.data)

    await _ok(ws, "revoke_credential", credential_id=code["credential_id"])
    gone = await _send(
        ws, {"type": f"{DOMAIN}/reveal_code", "credential_id": code["credential_id"]}
    )
    assert gone["error"]["translation_key"] == "nothing_to_reveal"
    assert [e.data["action"] for e in events].count("code_shown") == 1


async def test_adopt_a_code_made_in_the_app(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A code made in the TTLock app is listed under "found on locks" (no digits), adopted
    for a person from the panel, and then revoked with them."""
    async with ttlock_app(cloud) as app:
        passcode_id = await app.add_passcode(FRONT, APP_CODE, name="Cleaner (app)")
    ws = await hass_ws_client(hass)
    overview = await _ok(ws, "overview")
    found = overview["unmanaged"]["lock.front_door"]["items"]
    assert {"kind": "passcode", "name": "Cleaner (app)", "ttlock_id": passcode_id} in found
    _no_digits(cloud, overview)

    adopted = await _ok(
        ws,
        "adopt",
        lock="lock.front_door",
        kind="passcode",
        ttlock_id=passcode_id,
        holder="Ivy",
        holder_kind="staff",
    )
    assert adopted["origin"] == "adopted" and "code" not in adopted
    after = await _ok(ws, "unmanaged")
    assert all(
        i["ttlock_id"] != passcode_id for i in after["unmanaged"]["lock.front_door"]["items"]
    )
    ivy = _holder(await _ok(ws, "overview", include_unmanaged=False), "Ivy")
    assert ivy["kind"] == "staff" and ivy["credentials"][0]["origin"] == "adopted"
    twice = await _send(
        ws,
        {
            "type": f"{DOMAIN}/adopt",
            "lock": "lock.front_door",
            "kind": "passcode",
            "ttlock_id": passcode_id,
        },
    )
    assert twice["error"]["translation_key"] == "already_managed"
    await _ok(ws, "revoke_holder", holder=ivy["holder_id"])
    assert not opens(cloud, FRONT, APP_CODE)


@pytest.mark.parametrize("scenario", ["home"])
async def test_overview_of_a_busy_home_has_no_digits(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Codes of every kind, cards, queue items and app-made codes: the overview and the
    subscription carry none of their digits."""
    await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Loose"})
    await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Offline", "type": "period", **_window()},
    )
    await call(
        hass,
        "add_card",
        {"entity_id": "lock.front_door", "name": "Fob", "holder": "Jo", "card_number": "77001122"},
    )
    async with ttlock_app(cloud) as app:
        await app.add_passcode(FRONT, "90817263", name="From the app")
    ws = await hass_ws_client(hass)
    overview = await _ok(ws, "overview")
    assert [c["name"] for c in overview["credentials"]] == ["Loose", "Offline"]
    assert overview["credentials"][1]["kind"] == "offline_passcode"
    assert _holder(overview, "Jo")["credentials"][0]["kind"] == "card"
    _no_digits(cloud, overview, "77001122", "90817263")
    reply = await _send(ws, {"type": f"{DOMAIN}/subscribe"})
    assert reply["success"]
    _no_digits(cloud, (await ws.receive_json())["event"], "77001122", "90817263")
    offline = overview["credentials"][1]
    shown = await _ok(ws, "reveal_code", credential_id=offline["credential_id"])
    assert shown["locks"]["lock.front_door"].isdigit()


async def test_shown_code_in_the_logbook(
    hass: HomeAssistant,
    logbook: None,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: Any,
) -> None:
    """The logbook says that an admin was shown a code (which one, by whom), never the code."""
    start = dt_util.utcnow() - timedelta(minutes=1)
    ws = await hass_ws_client(hass)
    added = await _ok(ws, "add_guest", name="Hana", locks=["lock.front_door"], **_window())
    [code] = added["credentials"]
    await _ok(ws, "reveal_code", credential_id=code["credential_id"])
    entries = await logbook_entries(hass, ws, start)
    [entry] = [e for e in entries if e["name"] == "Access panel"]
    assert entry["message"] == "showed the code of 'Hana'"
    assert entry["context_user_id"] == hass_admin_user.id
    assert code["code"] not in json.dumps(entry)
