"""Activity details: which managed credential a record credits (among several, by number or
by name), eKeys used by someone else, QR codes, a door sensor bound to a lock, pushes about
unknown or unchanged devices, a refusal that cancels pending changes, a Bluetooth log
read that fails and is tried again later; Home Assistant's own commands (gateway and
Bluetooth) credited to Home Assistant and its user, and a relock credited to auto-lock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_LOCK, SERVICE_UNLOCK
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.ttlock_access.const import EVENT_ACTIVITY
from custom_components.ttlock_access.sdk.ble.const import Command
from tests.integration.helpers import (
    CLIENT_ID,
    BleWorld,
    Cloud,
    advance,
    call,
    logbook_entries,
    poll,
)
from tests.integration.webhook_helpers import (
    BACK_DOOR,
    FRONT_DOOR,
    GARAGE,
    HALLWAY_GATEWAY,
    Push,
    capture,
    record,
    records_form,
)


def _now_ms() -> int:
    return int(dt_util.utcnow().timestamp() * 1000)


async def test_records_credit_the_right_credential(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, push: Push
) -> None:
    """Of two cards the one whose number the record names; of two passcodes the one whose
    name a record carries (without its digits); an app unlock by someone who holds none of
    our eKeys; a QR code."""
    for name, number in (("Cleaner", "111"), ("Nanny", "222")):
        await call(
            hass,
            "add_card",
            {"entity_id": "lock.front_door", "name": name, "card_number": number},
        )
    for name, holder in (("Bob (guest)", "Bob"), ("Anna (guest)", "Anna")):
        await call(
            hass,
            "create_passcode",
            {"entity_id": "lock.front_door", "name": name, "holder": holder},
        )
    await call(
        hass,
        "send_ekey",
        {"entity_id": "lock.front_door", "receiver": "second@example.com", "name": "Key"},
    )
    events = capture(hass)
    now = _now_ms()
    status, _ = await push.post(
        records_form(
            FRONT_DOOR,
            [
                record(7, lock_date=now - 4000, keyboard_pwd="0222"),
                record(4, lock_date=now - 3000, username="Anna (guest)"),
                record(1, lock_date=now - 2000, username="visitor@example.com"),
                record(57, lock_date=now - 1000),
            ],
        )
    )
    assert status == 200
    card, passcode, app, qr = events
    assert (card["credential"], card["uses"]) == ("Nanny", 1)
    assert (passcode["credential"], passcode["holder"]) == ("Anna (guest)", "Anna")
    assert passcode["description"] == "unlocked by passcode 'Anna (guest)' (Anna)"
    assert (app["credential"], app["user"], app["method"]) == (None, "visitor@example.com", "app")
    assert (qr["method"], qr["description"]) == ("qr_code", "unlocked by QR code")


async def test_door_sensor_bound_to_a_lock(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, push: Push
) -> None:
    """A DS3 door sensor paired with Front Door: its pushes are that lock's door events."""
    events = capture(hass)
    status, _ = await push.post(
        {"notifyType": "7", "doorSensorId": "9", "lockId": str(FRONT_DOOR), "recordType": "1"}
    )
    assert status == 200
    [event] = events
    assert (event["lock_id"], event["event_type"], event["method"]) == (
        FRONT_DOOR,
        "door_open",
        "door_sensor",
    )
    assert event["device_id"] is not None
    assert hass.states.get("binary_sensor.front_door_contact").state == "on"


async def test_pushes_about_unknown_or_unchanged_things(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, push: Push
) -> None:
    """Unknown gateways, a status that did not change, object types not managed here and
    unknown credential ids are acknowledged and change nothing."""
    credentials_before = dict(setup_entry.runtime_data.access.state.credentials)
    for form in (
        {"notifyType": "2", "gatewayId": "999", "isOnline": "0"},
        {"notifyType": "2", "gatewayId": str(HALLWAY_GATEWAY), "isOnline": "1"},
        {"notifyType": "4", "lockId": str(GARAGE), "objectType": "5", "objectId": "1"},
        {"notifyType": "4", "lockId": str(GARAGE), "objectType": "2", "objectId": "4242"},
        {"notifyType": "4", "lockId": "424242", "objectType": "2", "objectId": "1"},
    ):
        assert await push.post(form) == (200, "success")
    gateways = setup_entry.runtime_data.coordinator.data.gateways
    assert gateways[HALLWAY_GATEWAY].is_online
    assert setup_entry.runtime_data.access.state.credentials == credentials_before


async def test_failure_notice_keeps_pending_changes(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The Wi-Fi Garage is offline, so a validity change waits; then the cloud reports the
    lock refused the code: the code is looked up again (the cloud still lists it) and the
    waiting change stays queued until the lock is back (callbacks inform, never command)."""
    result = await call(hass, "create_passcode", {"entity_id": "lock.garage", "name": "Courier"})
    manager = setup_entry.runtime_data.access
    credential = manager.state.credentials[result["credential_id"]]
    passcode_id = credential.placements[GARAGE].ttlock_id
    cloud.world.set_wifi_online(GARAGE, False)
    starts = dt_util.utcnow().replace(microsecond=0)
    ends = starts.replace(year=starts.year + 1)
    await call(
        hass,
        "update_passcode",
        {
            "credential_id": result["credential_id"],
            "starts_at": starts.isoformat(),
            "ends_at": ends.isoformat(),
        },
    )
    assert manager.pending() == 1
    push.pusher.notify(
        CLIENT_ID, 4, lockId=GARAGE, objectType=2, objectId=passcode_id, errcode=-3, uid=cloud.uid
    )
    await push.settle()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert credential.placements[GARAGE].state.value == "set"  # still on the lock
    assert manager.pending() == 1
    assert hass.states.get("sensor.garage_pending_access_changes").state == "1"
    cloud.world.set_wifi_online(GARAGE, True)
    await advance(hass, freezer, 3601)
    await push.settle()
    assert manager.pending() == 0
    [stored] = cloud.world.lock(GARAGE).passcodes.values()
    assert stored.end_ms == int(ends.timestamp() * 1000)


@pytest.mark.parametrize("ble_lock_ids", [(BACK_DOOR,)])
async def test_failed_log_read_is_tried_again(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The lock refuses to hand over its log once: no event yet, and no new attempt at the
    next update; a couple of minutes later it is read and the keypad entry shows up."""
    code = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "Guest"})
    await hass.async_block_till_done(wait_background_tasks=True)
    events = capture(hass)
    lock = ble.locks[BACK_DOOR]
    lock.faults.fail_next(Command.GET_OPERATE_LOG)
    assert lock.enter_code(code["code"])
    await hass.async_block_till_done(wait_background_tasks=True)
    assert lock.has_unread_records
    assert [e for e in events if e["method"] == "passcode"] == []
    coordinator = setup_entry.runtime_data.coordinator
    await coordinator.async_refresh()  # a poll a minute later: too early to try again
    await hass.async_block_till_done(wait_background_tasks=True)
    assert lock.has_unread_records
    await advance(hass, freezer, 150)
    await coordinator.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not lock.has_unread_records
    [event] = [e for e in events if e["method"] == "passcode"]
    assert (event["credential"], event["source"]) == ("Guest", "bluetooth")


# ---------------------------------------------------------------- Home Assistant's own commands
async def _lock_service(
    hass: HomeAssistant, service: str, entity_id: str, context: Context | None = None
) -> None:
    await hass.services.async_call(
        LOCK_DOMAIN, service, {ATTR_ENTITY_ID: entity_id}, blocking=True, context=context
    )


async def test_gateway_command_is_credited_to_home_assistant_and_its_user(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    hass_admin_user: MockUser,
) -> None:
    """Locked from Home Assistant through the gateway: changed_by, the event and its
    logbook line name Home Assistant and the user who asked — not the account e-mail that
    TTLock's record carries; the bus event carries the call's context."""
    events, contexts = capture(hass), _contexts(hass)
    context = Context(user_id=hass_admin_user.id)
    await _lock_service(hass, SERVICE_LOCK, "lock.front_door", context)
    state = hass.states.get("lock.front_door")
    assert (state.state, state.attributes["changed_by"]) == ("locked", "Home Assistant (Mock User)")
    await push.settle()
    record_ = cloud.world.records[FRONT_DOOR][-1]
    assert record_.username == cloud.username  # TTLock credits the account
    [event] = events
    assert (event["event_type"], event["method"], event["source"]) == ("locked", "app", "webhook")
    assert (event["home_assistant"], event["ha_user"], event["user"]) == (True, "Mock User", None)
    assert event["description"] == "locked by Home Assistant (Mock User)"
    assert contexts == [context.id]
    assert hass.states.get("lock.front_door").attributes["changed_by"] == (
        "Home Assistant (Mock User)"
    )
    # the same account's app a while later is the account again, not Home Assistant
    later = _now_ms() + 10 * 60 * 1000
    await push.post(records_form(FRONT_DOOR, [record(1, lock_date=later, username=cloud.username)]))
    assert (events[-1]["home_assistant"], events[-1]["user"]) == (False, cloud.username)
    assert hass.states.get("lock.front_door").attributes["changed_by"] == cloud.username


async def test_remote_unlock_without_a_user(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, push: Push
) -> None:
    """An unlock by an automation (no user): "Home Assistant", through the gateway."""
    events = capture(hass)
    await _lock_service(hass, SERVICE_UNLOCK, "lock.front_door")
    assert hass.states.get("lock.front_door").attributes["changed_by"] == "Home Assistant"
    await push.settle()
    [event] = [e for e in events if e["event_type"] == "unlocked"]
    assert (event["method"], event["home_assistant"], event["ha_user"]) == ("gateway", True, None)
    assert event["description"] == "unlocked remotely through the gateway by Home Assistant"


@pytest.mark.parametrize("ble_lock_ids", [(BACK_DOOR,)])
async def test_bluetooth_command_is_credited_to_home_assistant(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    hass_admin_user: MockUser,
) -> None:
    """Unlocked over Bluetooth: the lock's own log calls it an app unlock; read back, it is
    Home Assistant's (and the user's), not "App"."""
    events = capture(hass)
    await _lock_service(hass, SERVICE_UNLOCK, "lock.back_door", Context(user_id=hass_admin_user.id))
    await hass.async_block_till_done(wait_background_tasks=True)
    lock = ble.locks[BACK_DOOR]
    assert not lock.has_unread_records  # the log was read
    [event] = [e for e in events if e["event_type"] == "unlocked"]
    assert (event["source"], event["method"]) == ("bluetooth", "app")
    assert (event["home_assistant"], event["ha_user"]) == (True, "Mock User")
    assert hass.states.get("lock.back_door").attributes["changed_by"] == (
        "Home Assistant (Mock User)"
    )


async def test_auto_lock_after_a_code_is_credited_to_auto_lock(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Anna opens with her code; the lock relocks by itself 15 s later (no record: inferred
    from autoLockTime): changed_by says Auto-lock, no longer Anna."""
    await poll(hass, freezer, 4)  # details (autoLockTime 15 s) read by the sweep
    code = await call(
        hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Anna", "holder": "Anna"}
    )
    cloud.world.clock.freeze(_now_ms())  # the lock's clock reads Home Assistant's time
    assert cloud.world.enter_code(FRONT_DOOR, code["code"]).success
    await push.settle()
    state = hass.states.get("lock.front_door")
    assert (state.state, state.attributes["changed_by"]) == ("unlocked", "Anna")
    await advance(hass, freezer, 16)
    state = hass.states.get("lock.front_door")
    assert (state.state, state.attributes["changed_by"]) == ("locked", "Auto-lock")
    # Home Assistant unlocks: its name; the relock after it: Auto-lock again
    await _lock_service(hass, SERVICE_UNLOCK, "lock.front_door")
    assert hass.states.get("lock.front_door").attributes["changed_by"] == "Home Assistant"
    await advance(hass, freezer, 16)
    state = hass.states.get("lock.front_door")
    assert (state.state, state.attributes["changed_by"]) == ("locked", "Auto-lock")


def _contexts(hass: HomeAssistant) -> list[str]:
    """Context ids of the activity events from now on."""
    seen: list[str] = []

    @callback
    def _listener(event: Event) -> None:
        seen.append(event.context.id)

    hass.bus.async_listen(EVENT_ACTIVITY, _listener)
    return seen


async def test_logbook_names_home_assistant_and_the_user(
    hass: HomeAssistant,
    logbook: None,
    setup_entry: MockConfigEntry,
    push: Push,
    hass_admin_user: MockUser,
    hass_ws_client: Any,
) -> None:
    """The logbook line of a lock from Home Assistant: "locked by Home Assistant (Mock
    User)", with the user's id from the call's context."""
    start = dt_util.utcnow() - timedelta(minutes=1)
    await _lock_service(hass, SERVICE_LOCK, "lock.front_door", Context(user_id=hass_admin_user.id))
    await push.settle()
    [entry] = await logbook_entries(hass, await hass_ws_client(hass), start)
    assert (entry["name"], entry["entity_id"]) == ("Front Door", "lock.front_door")
    assert entry["message"] == "locked by Home Assistant (Mock User)"
    assert entry["context_user_id"] == hass_admin_user.id
