"""Outputs of lock activity: the event entity, the bus event, the logbook and changed_by."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from custom_components.ttlock_access.sdk.records import EventType
from tests.integration.helpers import logbook_entries
from tests.integration.webhook_helpers import (
    FRONT_DOOR,
    Push,
    capture,
    record,
    records_form,
)

ALL_TYPES = [t.value for t in EventType]


def _now_ms() -> int:
    return int(dt_util.utcnow().timestamp() * 1000)


async def test_one_event_entity_per_lock(hass: HomeAssistant, setup_entry: MockConfigEntry) -> None:
    """Every lock has an activity event entity with the translated event types."""
    for entity_id in ("event.front_door_activity", "event.garage_activity"):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.attributes["event_types"] == ALL_TYPES
        assert state.state == "unknown"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"record_type": 4, "username": "Anna (guest)"}, ("unlocked", "passcode")),
        ({"record_type": 4, "success": 0}, ("unlock_failed", "passcode")),
        ({"record_type": 7, "username": "Blue card"}, ("unlocked", "card")),
        ({"record_type": 8, "username": "Left thumb"}, ("unlocked", "fingerprint")),
        ({"record_type": 67, "username": "Anna"}, ("unlocked", "face")),
        ({"record_type": 1, "username": "demo@example.com"}, ("unlocked", "app")),
        ({"record_type": 12, "username": "demo@example.com"}, ("unlocked", "gateway")),
        ({"record_type": 11, "username": "demo@example.com"}, ("locked", "app")),
        ({"record_type": 45}, ("locked", "auto_lock")),
        ({"record_type": 10}, ("unlocked", "mechanical_key")),
        ({"record_type": 36}, ("locked", "mechanical_key")),
        ({"record_type": 46}, ("unlocked", "button")),
        ({"record_type": 47}, ("locked", "button")),
        ({"record_type": 55}, ("unlocked", "remote")),
        ({"record_type": 44}, ("tamper", "lock")),
        ({"record_type": 48}, ("lockout", "lock")),
        ({"record_type": 31}, ("door_open", "door_sensor")),
        ({"record_type": 30}, ("door_closed", "door_sensor")),
        ({"record_type": 64}, ("door_not_closed", "door_sensor")),
        ({"record_type": 66}, ("lock_failed", "unknown")),
        ({"record_type": 555, "from_lock": 17}, ("unlocked", "card")),
        ({"record_type": 555}, ("other", "unknown")),
    ],
)
async def test_record_types(
    hass: HomeAssistant,
    push: Push,
    item: dict[str, Any],
    expected: tuple[str, str],
) -> None:
    """Cloud record types map to event types and methods; the entity carries the data."""
    kwargs = dict(item)
    record_type = kwargs.pop("record_type")
    status, _ = await push.post(
        records_form(FRONT_DOOR, [record(record_type, lock_date=_now_ms(), **kwargs)])
    )
    assert status == 200
    state = hass.states.get("event.front_door_activity")
    assert (state.attributes["event_type"], state.attributes["method"]) == expected
    assert state.attributes["source"] == "webhook"
    assert state.attributes["success"] is (item.get("success", 1) == 1)
    assert "keyboardPwd" not in state.attributes


async def test_bus_event_and_changed_by(
    hass: HomeAssistant, setup_entry: MockConfigEntry, push: Push
) -> None:
    """The bus event carries the lock's device id (device triggers) and the lock entity."""
    events = capture(hass)
    await push.post(
        records_form(FRONT_DOOR, [record(7, lock_date=_now_ms(), username="Blue card")])
    )
    [event] = events
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, f"lock-{FRONT_DOOR}"), setup_entry.entry_id
    )
    assert device is not None
    assert event["device_id"] == device.id
    assert event["entity_id"] == "lock.front_door"
    assert event["lock_name"] == "Front Door"
    assert event["description"] == "unlocked by card 'Blue card'"
    assert hass.states.get("lock.front_door").attributes["changed_by"] == "Blue card"
    # a door or an alarm does not change who last locked or unlocked the lock
    await push.post(records_form(FRONT_DOOR, [record(31, lock_date=_now_ms() + 1000)]))
    assert len(events) == 2
    assert hass.states.get("lock.front_door").attributes["changed_by"] == "Blue card"


async def test_logbook(
    hass: HomeAssistant,
    logbook: None,
    setup_entry: MockConfigEntry,
    push: Push,
    hass_ws_client: Any,
) -> None:
    """The logbook shows "Front Door unlocked by passcode 'Anna (guest)'"."""
    start = dt_util.utcnow() - timedelta(minutes=1)
    await push.post(
        records_form(FRONT_DOOR, [record(4, lock_date=_now_ms(), username="Anna (guest)")])
    )
    entries = await logbook_entries(hass, await hass_ws_client(hass), start)
    assert len(entries) == 1
    assert entries[0]["name"] == "Front Door"
    assert entries[0]["message"] == "unlocked by passcode 'Anna (guest)'"
    assert entries[0]["entity_id"] == "lock.front_door"


async def test_event_entity_restores_after_reload(
    hass: HomeAssistant, setup_entry: MockConfigEntry, push: Push
) -> None:
    """The last event survives a reload of the entry (EventEntity restores its state)."""
    await push.post(records_form(FRONT_DOOR, [record(46, lock_date=_now_ms())]))
    before = hass.states.get("event.front_door_activity")
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    after = hass.states.get("event.front_door_activity")
    assert after.state == before.state
    assert after.attributes["event_type"] == "unlocked"
