"""Hotel locks through Home Assistant, against the simulated TTLock world (scenario
``hotel``): building, floor and hotel number read and written over Bluetooth only, kept
across a restart, and ``activate_floors`` for a holder opening the floors of the hotel locks
they hold in the lift's building."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from habluetooth import get_manager
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.hotel import HotelLocation
from custom_components.ttlock_access.models import Path
from tests.integration.helpers import CLIENT_ID, BleWorld, Cloud, advance, call

ROOM_201 = 5101201  # hotel 1024, building 1, floor 2 (Bluetooth in range in most tests)
ROOM_301 = 5101301  # building 1, floor 3
ANNEX_101 = 5102101  # building 2, floor 1
STAFF_DOOR = 5101001  # not a hotel lock
LIFT = 5103301  # Main Lift, building 1
LIFT_SELECT = "select.main_lift_work_mode"
HOTEL_DATA = 3  # 0x64 type 3


@pytest.fixture
def scenario() -> str:
    """The small hotel."""
    return "hotel"


@pytest.fixture
def ble_lock_ids() -> tuple[int, ...]:
    """Room 201 and the lift are heard by Home Assistant."""
    return (ROOM_201, LIFT)


def state(hass: HomeAssistant, entity_id: str) -> str:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set up the account and let the background Bluetooth reads finish."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _set_number(hass: HomeAssistant, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: entity_id, "value": value}, blocking=True
    )


async def _check_in(hass: HomeAssistant, holder: str, *locks: str) -> dict[str, Any]:
    now = dt_util.utcnow()
    return await call(
        hass,
        "check_in",
        {
            ATTR_ENTITY_ID: list(locks),
            "holder": holder,
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(days=2)).isoformat(),
        },
    )


def _activations(cloud: Cloud) -> list[tuple[int, ...]]:
    return [activation.floors for activation in cloud.world.locks[LIFT].lift_activations]


# ---------------------------------------------------------------------- entities
async def test_entities_only_on_hotel_locks_and_read_over_bluetooth(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A hotel lock in range is read at setup (building, floor, hotel number); one out of
    range has the entities, unknown; a lock without the hotel feature bit has none."""
    await _set_up(hass, config_entry)
    assert state(hass, "number.room_201_building") == "1"
    assert state(hass, "number.room_201_floor") == "2"
    assert state(hass, "sensor.room_201_hotel_number") == "1024"
    for entity_id in (
        "number.annex_101_building",
        "number.annex_101_floor",
        "sensor.annex_101_hotel_number",
    ):
        assert state(hass, entity_id) == STATE_UNKNOWN  # never heard: nothing to read
    for entity_id in (
        "number.staff_door_building",
        "number.staff_door_floor",
        "sensor.staff_door_hotel_number",
    ):
        assert hass.states.get(entity_id) is None
    assert hass.states.get("lock.staff_door") is not None
    floor = entity_registry.async_get("number.room_201_floor")
    assert floor is not None and floor.entity_category is EntityCategory.CONFIG
    assert floor.unique_id == f"{ROOM_201}_hotel_floor"
    hotel_number = entity_registry.async_get("sensor.room_201_hotel_number")
    assert hotel_number is not None
    assert hotel_number.entity_category is EntityCategory.DIAGNOSTIC


async def test_writing_building_and_floor_changes_the_lock(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, config_entry: MockConfigEntry
) -> None:
    """Building and floor go to the lock over Bluetooth (no API call); the hotel number
    the lock holds is written back unchanged."""
    await _set_up(hass, config_entry)
    source = cloud.world.locks[ROOM_201]
    before = cloud.world.usage(CLIENT_ID)

    await _set_number(hass, "number.room_201_floor", 5)
    assert (source.hotel_number, source.hotel_building, source.hotel_floor) == (1024, 1, 5)
    assert ble.locks[ROOM_201].hotel_data[HOTEL_DATA] == bytes((0, 4, 0, 1, 5))
    assert state(hass, "number.room_201_floor") == "5"

    await _set_number(hass, "number.room_201_building", 3)
    assert (source.hotel_number, source.hotel_building, source.hotel_floor) == (1024, 3, 5)
    assert state(hass, "number.room_201_building") == "3"
    assert state(hass, "sensor.room_201_hotel_number") == "1024"
    runtime = config_entry.runtime_data
    assert runtime.coordinator.data.locks[ROOM_201].last_path is Path.BLUETOOTH
    assert cloud.world.usage(CLIENT_ID) == before  # Bluetooth only


async def test_a_floor_set_on_the_lock_meanwhile_is_kept(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, config_entry: MockConfigEntry
) -> None:
    """The lock is read before it is written: a hotel number changed elsewhere (the TTHotel
    app) meanwhile is not undone by a building change."""
    await _set_up(hass, config_entry)
    ble.locks[ROOM_201].hotel_data[HOTEL_DATA] = bytes((0, 0, 7, 1, 2))  # hotel 7 now
    await _set_number(hass, "number.room_201_building", 4)
    source = cloud.world.locks[ROOM_201]
    assert (source.hotel_number, source.hotel_building, source.hotel_floor) == (7, 4, 2)
    assert state(hass, "sensor.room_201_hotel_number") == "7"


async def test_a_lock_never_given_a_location(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, config_entry: MockConfigEntry
) -> None:
    """The lock refuses the query (never configured): unknown; a floor written then gives
    it hotel 0, building 0 and that floor."""
    del ble.locks[ROOM_201].hotel_data[HOTEL_DATA]
    await _set_up(hass, config_entry)
    assert state(hass, "number.room_201_floor") == STATE_UNKNOWN
    assert state(hass, "sensor.room_201_hotel_number") == STATE_UNKNOWN
    await _set_number(hass, "number.room_201_floor", 4)
    assert ble.locks[ROOM_201].hotel_data[HOTEL_DATA] == bytes((0, 0, 0, 0, 4))
    assert state(hass, "number.room_201_building") == "0"
    assert state(hass, "sensor.room_201_hotel_number") == "0"


async def test_out_of_range_write_is_refused_and_changes_nothing(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, config_entry: MockConfigEntry
) -> None:
    """Bluetooth is the only path to a lock's hotel data: out of range, the translated
    no-path error and the lock stays as it was (the gateway is not used)."""
    await _set_up(hass, config_entry)
    before = cloud.world.usage(CLIENT_ID)
    with pytest.raises(HomeAssistantError) as err:
        await _set_number(hass, "number.annex_101_floor", 4)
    assert err.value.translation_key == "no_path"
    assert err.value.translation_placeholders == {"name": "Annex 101"}
    assert cloud.world.locks[ANNEX_101].hotel_floor == 1
    assert state(hass, "number.annex_101_floor") == STATE_UNKNOWN
    assert cloud.world.usage(CLIENT_ID) == before


async def test_what_was_read_survives_a_restart_out_of_range(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Read once, then gone from Home Assistant's Bluetooth: after a reload the lock keeps
    its building and floor (the Store), and a change is refused."""
    await _set_up(hass, config_entry)
    await advance(hass, freezer, 30)  # the Stores are written
    for lock_id in (ROOM_201, LIFT):
        ble.locks[lock_id].set_in_range(False)
        get_manager().async_clear_advertisement_history(cloud.world.locks[lock_id].lock_mac)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    lifts = config_entry.runtime_data.lifts
    assert lifts is not None  # the lift's building is remembered too
    assert lifts.data.settings[LIFT].location == HotelLocation(1024, 1, 1)
    assert state(hass, "number.room_201_floor") == "2"
    assert state(hass, "sensor.room_201_hotel_number") == "1024"
    hotel = config_entry.runtime_data.hotel
    assert hotel is not None and hotel.location(ROOM_201) == HotelLocation(1024, 1, 2)
    with pytest.raises(HomeAssistantError) as err:
        await _set_number(hass, "number.room_201_floor", 9)
    assert err.value.translation_key == "no_path"
    assert cloud.world.locks[ROOM_201].hotel_floor == 2


# ---------------------------------------------------------------------- lift, by holder
@pytest.mark.parametrize("ble_lock_ids", [(ROOM_201, ANNEX_101, LIFT)])
async def test_activate_floors_for_a_checked_in_tenant(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, config_entry: MockConfigEntry
) -> None:
    """A tenant checked in on Room 201 (floor 2) and Annex 101 (building 2): the lift of
    building 1 opens floor 2 only; floors given as well are added."""
    await _set_up(hass, config_entry)
    lifts = config_entry.runtime_data.lifts
    assert lifts is not None
    assert lifts.data.settings[LIFT].location == HotelLocation(1024, 1, 1)  # read at setup
    checked_in = await _check_in(hass, "Anna", "lock.room_201", "lock.annex_101")
    placements = checked_in["credentials"][0]["locks"]
    assert {placement["state"] for placement in placements.values()} == {"set"}

    response = await call(hass, "activate_floors", {ATTR_ENTITY_ID: LIFT_SELECT, "holder": "anna"})
    assert _activations(cloud) == [(2,)]
    answer = response["lifts"][LIFT_SELECT]
    assert (answer["name"], answer["floors"], answer["holder"]) == ("Main Lift", [2], "Anna")

    response = await call(
        hass, "activate_floors", {ATTR_ENTITY_ID: LIFT_SELECT, "holder": "Anna", "floors": [5]}
    )
    assert _activations(cloud) == [(2,), (2, 5)]
    assert response["lifts"][LIFT_SELECT]["floors"] == [2, 5]


async def test_a_lift_that_told_no_building_serves_every_building(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, config_entry: MockConfigEntry
) -> None:
    """The lift was never given a hotel and building: the floors of every hotel lock of the
    holder whose floor is known count, whatever their building."""
    del ble.locks[LIFT].hotel_data[HOTEL_DATA]
    await _set_up(hass, config_entry)
    lifts = config_entry.runtime_data.lifts
    assert lifts is not None and lifts.data.settings[LIFT].location is None
    hotel = config_entry.runtime_data.hotel
    assert hotel is not None
    hotel.locations[ANNEX_101] = HotelLocation(1024, 2, 1)  # as if read earlier
    await _check_in(hass, "Ben", "lock.room_201", "lock.annex_101", "lock.room_301")
    response = await call(hass, "activate_floors", {ATTR_ENTITY_ID: LIFT_SELECT, "holder": "Ben"})
    # Room 301 was never heard: its floor is not known, so it is not opened
    assert response["lifts"][LIFT_SELECT]["floors"] == [1, 2]
    assert _activations(cloud) == [(1, 2)]


async def test_activate_floors_refusals(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, config_entry: MockConfigEntry
) -> None:
    """An unknown holder, one with no hotel floor (only the staff door, or a revoked
    credential), and a call with neither floors nor holder: translated refusals, and the
    lift is told nothing."""
    await _set_up(hass, config_entry)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "activate_floors", {ATTR_ENTITY_ID: LIFT_SELECT, "holder": "Nobody"})
    assert err.value.translation_key == "unknown_holder"
    assert err.value.translation_placeholders == {"holder": "Nobody"}

    await _check_in(hass, "Carl", "lock.staff_door")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "activate_floors", {ATTR_ENTITY_ID: LIFT_SELECT, "holder": "Carl"})
    assert err.value.translation_key == "holder_has_no_floor"
    assert err.value.translation_placeholders == {"holder": "Carl", "lift": "Main Lift"}

    await _check_in(hass, "Dora", "lock.room_201")
    await call(hass, "revoke_holder", {"holder": "Dora"})  # revoked, still a holder
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "activate_floors", {ATTR_ENTITY_ID: LIFT_SELECT, "holder": "Dora"})
    assert err.value.translation_key == "holder_has_no_floor"

    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "activate_floors", {ATTR_ENTITY_ID: LIFT_SELECT})
    assert err.value.translation_key == "activate_floors_needs_floors"
    assert _activations(cloud) == []
