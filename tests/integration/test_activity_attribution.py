"""Activity details: which managed credential a record credits (among several, by number or
by name), eKeys used by someone else, QR codes, a door sensor bound to a lock, pushes about
unknown or unchanged devices, a refusal that cancels pending changes, and a Bluetooth log
read that fails and is tried again later."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.sdk.ble.const import Command
from tests.integration.helpers import CLIENT_ID, BleWorld, Cloud, advance, call
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
    assert hass.states.get("binary_sensor.front_door_door").state == "on"


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
