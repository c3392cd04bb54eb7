"""The activity pipeline: polling fallback, deduplication across push / poll / Bluetooth,
attribution and usage counters, state inference (auto-lock, door closed)."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DEFAULT_SWEEP_CALLS
from custom_components.ttlock_access.schedule import WITH_PUSH
from tests.integration.helpers import CLIENT_ID, BleWorld, Cloud, advance, call, poll, tick
from tests.integration.webhook_helpers import (
    BACK_DOOR,
    FRONT_DOOR,
    ClientFactory,
    Push,
    capture,
    enable_push,
    record,
    records_form,
)


def _sync_world_clock(cloud: Cloud) -> None:
    """The simulated lock's clock reads Home Assistant's (frozen) time."""
    cloud.world.clock.freeze(int(dt_util.utcnow().timestamp() * 1000))


async def test_polling_is_the_fallback(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
) -> None:
    """Without a callback URL, records arrive by polling lockRecord/list: every remote
    lock's records each poll, within the per-lock cap, never during setup."""
    assert cloud.world.endpoint_usage(CLIENT_ID).get("lockRecord/list", 0) == 0
    events = capture(hass)
    assert cloud.world.enter_code(FRONT_DOOR, "999111").success is False
    before = cloud.world.endpoint_usage(CLIENT_ID)
    await poll(hass, freezer)
    after = cloud.world.endpoint_usage(CLIENT_ID)
    spent = {path: n - before.get(path, 0) for path, n in after.items()}
    remote = sum(
        rt.lock.is_remote for rt in setup_entry.runtime_data.coordinator.data.locks.values()
    )
    assert spent["lock/list"] == spent["gateway/list"] == 1
    assert spent["lockRecord/list"] == remote
    # (the meters are read on their own schedule: not part of the locks' poll)
    assert sum(n for path, n in spent.items() if "Meter/" not in path) == 2 + DEFAULT_SWEEP_CALLS
    [event] = events
    assert (event["event_type"], event["method"], event["source"]) == (
        "unlock_failed",
        "passcode",
        "poll",
    )
    assert event["credential"] is None
    await poll(hass, freezer, 3)
    assert len(events) == 1  # polled again (overlapping window): no duplicate


async def test_push_then_poll_does_not_duplicate(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A pushed record that polling reads again is emitted once."""
    events = capture(hass)
    cloud.world.enter_code(FRONT_DOOR, "999111")
    await push.settle()
    assert len(events) == 1
    activity = setup_entry.runtime_data.activity
    # the daily safety-net read of each reachable lock's records
    await advance(hass, freezer, WITH_PUSH.records.total_seconds() + 1)
    await tick(hass, freezer)
    assert activity.stats["poll"] >= 1
    assert activity.stats["duplicates"] >= 1
    assert len(events) == 1


async def test_poll_then_push_does_not_duplicate(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientFactory,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A record polled first and pushed late (TTLock retrying) is emitted once."""
    events = capture(hass)
    rec = cloud.world.add_record(FRONT_DOOR, 1, username="demo@example.com")
    await poll(hass, freezer)
    assert len(events) == 1
    push = await enable_push(hass, cloud, setup_entry, hass_client_no_auth)
    status, _ = await push.post(
        records_form(
            FRONT_DOOR,
            [record(1, lock_date=rec.lock_date, username="demo@example.com", from_lock=1)],
        )
    )
    assert status == 200
    assert len(events) == 1


async def test_attribution_and_usage_counters(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, push: Push
) -> None:
    """Codes, cards and eKeys are attributed to their holder; uses are counted."""
    events = capture(hass)
    code = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Cleaner", "holder": "Maria"},
    )
    card = await call(
        hass,
        "add_card",
        {
            "entity_id": "lock.front_door",
            "name": "Maria's card",
            "holder": "Maria",
            "card_number": "3661413478",
        },
    )
    ekey = await call(
        hass,
        "send_ekey",
        {
            "entity_id": "lock.front_door",
            "name": "Tom's key",
            "holder": "Tom",
            "receiver": "second@example.com",
        },
    )
    world = cloud.world
    world.clock.freeze()  # one action per second, as at a real door
    assert world.enter_code(FRONT_DOOR, code["code"]).success
    world.clock.advance(1)
    assert world.enter_code(FRONT_DOOR, "12" + code["code"]).success  # anti-peep
    world.clock.advance(1)
    assert world.present_card(FRONT_DOOR, "3661413478").success
    world.clock.advance(1)
    world.add_record(FRONT_DOOR, 1, username="second@example.com")
    await push.settle()
    summary = [(e["method"], e["credential"], e["holder"], e["uses"]) for e in events]
    assert summary == [
        ("passcode", "Cleaner", "Maria", 1),
        ("passcode", "Cleaner", "Maria", 2),
        ("card", "Maria's card", "Maria", 1),
        ("ekey", "Tom's key", "Tom", 1),
    ]
    assert events[0]["credential_id"] == code["credential_id"]
    assert events[2]["credential_id"] == card["credential_id"]
    assert events[3]["credential_id"] == ekey["credential_id"]
    assert events[0]["description"] == "unlocked by passcode 'Cleaner' (Maria)"
    listed = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    uses = {c["name"]: c["uses"] for c in listed["locks"]["lock.front_door"]["credentials"]}
    assert uses["Cleaner"] == 2
    assert hass.states.get("lock.front_door").attributes["changed_by"] == "Tom"


async def test_auto_lock_inferred_from_the_unlock_record(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    freezer: FrozenDateTimeFactory,
) -> None:
    """TTLock sends no record when the lock relocks itself: autoLockTime (15 s) after the
    unlock record, the lock shows locked."""
    await poll(hass, freezer, 4)  # details (autoLockTime) read by the sweep
    _sync_world_clock(cloud)
    cloud.world.enter_code(FRONT_DOOR, cloud.world.lock(FRONT_DOOR).keys.no_key_pwd)
    await push.settle()
    assert hass.states.get("lock.front_door").state == "unlocked"
    await advance(hass, freezer, 16)
    assert hass.states.get("lock.front_door").state == "locked"


async def test_door_closed_restarts_the_relock(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The door sensor's "closed" record relocks the lock autoLockTime after the door closed
    (docs/cloud.md §2.9: TTLock sends unlock + door records but no lock record)."""
    await poll(hass, freezer, 4)
    _sync_world_clock(cloud)
    events = capture(hass)
    cloud.world.add_record(FRONT_DOOR, 1, username="demo@example.com")
    cloud.world.set_door(FRONT_DOOR, True)
    await push.settle()
    assert hass.states.get("binary_sensor.front_door_contact").state == "on"
    await advance(hass, freezer, 60)  # the door stays open: the world lock stays unlocked
    cloud.world.clock.advance(60)
    cloud.world.set_door(FRONT_DOOR, False)
    await push.settle()
    assert hass.states.get("lock.front_door").state == "unlocked"
    assert hass.states.get("binary_sensor.front_door_contact").state == "off"
    await advance(hass, freezer, 16)
    assert hass.states.get("lock.front_door").state == "locked"
    assert [e["event_type"] for e in events] == ["unlocked", "door_open", "door_closed"]


async def test_low_battery_once(
    hass: HomeAssistant, setup_entry: MockConfigEntry, push: Push
) -> None:
    """A record reporting a low battery raises one low_battery event, not one per record."""
    events = capture(hass)
    now = int(dt_util.utcnow().timestamp() * 1000)
    for i in range(3):
        await push.post(
            records_form(FRONT_DOOR, [record(32, lock_date=now + i * 1000, battery=12)])
        )
    types = [e["event_type"] for e in events]
    assert types == ["unlocked", "low_battery", "unlocked", "unlocked"]
    assert events[1]["battery"] == 12


@pytest.mark.parametrize("ble_lock_ids", [(BACK_DOOR,)])
async def test_bluetooth_log_is_read_when_the_lock_advertises_records(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """A Bluetooth-only lock: the keypad record is read from the lock's operation log when it
    advertises new records, attributed, and not read twice."""
    events = capture(hass)
    code = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "Guest"})
    assert code["locks"]["lock.back_door"]["path"] == "bluetooth"
    await hass.async_block_till_done(wait_background_tasks=True)
    events.clear()
    lock = ble.locks[BACK_DOOR]
    assert lock.enter_code(code["code"])
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not lock.has_unread_records
    [event] = [e for e in events if e["method"] == "passcode"]
    assert (event["event_type"], event["source"], event["credential"]) == (
        "unlocked",
        "bluetooth",
        "Guest",
    )
    assert event["uses"] == 1
    assert hass.states.get("lock.back_door").attributes["changed_by"] == "Guest"


@pytest.mark.parametrize("ble_lock_ids", [(FRONT_DOOR,)])
async def test_bluetooth_and_push_of_one_event_are_one_activity(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    push: Push,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A gateway lock in Bluetooth range: its keypad record is pushed by the cloud and read
    from its log over Bluetooth — one activity."""
    await poll(hass, freezer, 4)  # lock/detail: the lock's time zone dates its log records
    _sync_world_clock(cloud)
    await hass.async_block_till_done(wait_background_tasks=True)
    events = capture(hass)
    activity = setup_entry.runtime_data.activity
    before = dict(activity.stats)
    assert ble.locks[FRONT_DOOR].enter_code(cloud.world.lock(FRONT_DOOR).keys.no_key_pwd)
    await push.settle()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not ble.locks[FRONT_DOOR].has_unread_records
    assert [(e["event_type"], e["method"]) for e in events] == [("unlocked", "passcode")]
    assert activity.stats["webhook"] - before["webhook"] == 1
    assert activity.stats["bluetooth"] - before["bluetooth"] == 1
    assert activity.stats["duplicates"] - before["duplicates"] == 1
