"""Lift controllers and power savers through Home Assistant, against the simulated TTLock
world: the devices and entities, a power saver switched through its gateway or over
Bluetooth, a lift's work mode, floors and visitor activations over Bluetooth only, and what
listing them costs."""

from __future__ import annotations

from typing import Any

import probatio as vol
import pytest
from freezegun.api import FrozenDateTimeFactory
from habluetooth import get_manager
from homeassistant.components.bluetooth import async_ble_device_from_address
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from custom_components.ttlock_access.lifts import LiftCoordinator, LiftWorkMode
from custom_components.ttlock_access.models import Path
from simulator.entities import LiftActivation
from tests.integration.helpers import CLIENT_ID, BleWorld, Cloud, advance, call

LIFT = 5003301
POWER_SAVER = 5003401
FRONT_DOOR = 5001101
HALLWAY_GATEWAY = 301001
SAVER_SWITCH = "switch.guest_room_power"
WORK_MODE = "select.building_lift_work_mode"


def floor_switch(floor: int) -> str:
    return f"switch.building_lift_floor_{floor}_needs_a_card"


def state(hass: HomeAssistant, entity_id: str) -> str:
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


async def _service(hass: HomeAssistant, domain: str, service: str, data: dict[str, Any]) -> None:
    await hass.services.async_call(domain, service, data, blocking=True)


async def _switch(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    await _service(hass, "switch", "turn_on" if on else "turn_off", {ATTR_ENTITY_ID: entity_id})


async def _select(hass: HomeAssistant, option: str) -> None:
    await _service(hass, "select", "select_option", {ATTR_ENTITY_ID: WORK_MODE, "option": option})


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> LiftCoordinator:
    """Set up the account and let the background read of the lifts in range finish."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    lifts = entry.runtime_data.lifts
    assert lifts is not None
    return lifts


# ---------------------------------------------------------------------- inventory and cost
async def test_devices_and_entities(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Listed at setup: one device each, a power switch for the power saver and a work-mode
    select for the lift. Out of Bluetooth range the lift cannot be read: no floors yet, and
    states are unknown (the cloud lists none)."""
    await _set_up(hass, config_entry)
    lift = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"lift-{LIFT}"), config_entry.entry_id
    )
    saver = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"power-saver-{POWER_SAVER}"), config_entry.entry_id
    )
    assert lift is not None and saver is not None
    assert (lift.name, lift.model, lift.manufacturer) == (
        "Building Lift",
        "Lift controller",
        "TTLock",
    )
    assert (saver.name, saver.model) == ("Guest Room Power", "Power saver")
    assert (dr.CONNECTION_BLUETOOTH, "CA:11:7E:53:90:2D") in lift.connections
    assert state(hass, SAVER_SWITCH) == STATE_UNKNOWN
    assert state(hass, WORK_MODE) == STATE_UNKNOWN
    assert hass.states.get(floor_switch(1)) is None
    select = entity_registry.async_get(WORK_MODE)
    assert select is not None and select.device_id == lift.id
    assert select.unique_id == f"lift_{LIFT}_work_mode"
    assert entity_registry.async_get(SAVER_SWITCH).unique_id == f"power_saver_{POWER_SAVER}_power"
    # neither is a lock of the account
    assert LIFT not in config_entry.runtime_data.coordinator.data.locks
    assert hass.states.get("lock.building_lift") is None


async def test_listing_costs_two_calls_a_day(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Both lists at setup and once a day (two lock/list calls each time); the monthly
    estimate counts them."""
    lifts = await _set_up(hass, config_entry)
    # sign-in aside, setup lists the locks, the lifts and the power savers
    assert cloud.world.endpoint_usage(CLIENT_ID)["lock/list"] == 3
    runtime = config_entry.runtime_data
    assert lifts.monthly_calls() == 2 * 30
    estimate = runtime.estimate()
    locks = runtime.coordinator.estimate()
    meters = runtime.meters.monthly_calls() if runtime.meters else 0
    assert estimate.with_push == locks.with_push + meters + 60
    assert estimate.without_push == locks.without_push + meters + 60
    calls = hass.states.get("sensor.ttlock_account_api_calls_this_month")
    assert calls.attributes["monthly_estimate_with_push"] == estimate.with_push

    listed_at = lifts.listed_at
    await advance(hass, freezer, 23 * 3600)
    assert lifts.listed_at == listed_at  # nothing listed in between
    before = cloud.world.endpoint_usage(CLIENT_ID)["lock/list"]
    await advance(hass, freezer, 3600 + 1)
    assert lifts.listed_at != listed_at
    # the lifts and power savers (the locks' own inventory may fall due as well)
    assert cloud.world.endpoint_usage(CLIENT_ID)["lock/list"] - before in (2, 3)


async def test_a_device_that_leaves_the_account_goes(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Removed from the account: its device goes at the next list, and a new one appears."""
    lifts = await _set_up(hass, config_entry)
    cloud.world.remove_lock(POWER_SAVER)
    cloud.world.add_lock(
        lock_alias="Service Lift", admin=cloud.username, features=(1, 19), lock_type=2
    )
    await lifts.async_refresh()
    await hass.async_block_till_done()
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, f"power-saver-{POWER_SAVER}"), config_entry.entry_id
        )
        is None
    )
    assert hass.states.get("select.service_lift_work_mode") is not None
    assert hass.states.get(SAVER_SWITCH) is None  # its entities went with the device


# ---------------------------------------------------------------------- power saver
async def test_power_saver_through_the_gateway(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """Not in Bluetooth range: lock/unlock switches the supply on, lock/lock off."""
    lifts = await _set_up(hass, config_entry)
    await _switch(hass, SAVER_SWITCH, True)
    assert cloud.world.locks[POWER_SAVER].power_on
    assert state(hass, SAVER_SWITCH) == STATE_ON
    assert lifts.data.power_savers[POWER_SAVER].last_path is Path.GATEWAY
    await _switch(hass, SAVER_SWITCH, False)
    assert not cloud.world.locks[POWER_SAVER].power_on
    assert state(hass, SAVER_SWITCH) == STATE_OFF


async def test_power_saver_behind_an_offline_gateway(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """The gateway is offline: the translated error, and nothing changes."""
    await _set_up(hass, config_entry)
    cloud.world.set_gateway_online(HALLWAY_GATEWAY, False)
    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, SAVER_SWITCH, True)
    assert err.value.translation_key == "gateway_offline"
    assert err.value.translation_placeholders["name"] == "Guest Room Power"
    assert not cloud.world.locks[POWER_SAVER].power_on
    assert state(hass, SAVER_SWITCH) == STATE_UNKNOWN


@pytest.mark.parametrize("ble_lock_ids", [(POWER_SAVER,)])
async def test_power_saver_over_bluetooth_in_range(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, config_entry: MockConfigEntry
) -> None:
    """Heard by Home Assistant: Bluetooth switches it, no API call spent."""
    lifts = await _set_up(hass, config_entry)
    before = cloud.world.usage(CLIENT_ID)
    await _switch(hass, SAVER_SWITCH, True)
    assert cloud.world.locks[POWER_SAVER].power_on
    assert not ble.locks[POWER_SAVER].locked
    assert lifts.data.power_savers[POWER_SAVER].last_path is Path.BLUETOOTH
    assert cloud.world.usage(CLIENT_ID) == before


# ---------------------------------------------------------------------- lift, in range
@pytest.mark.parametrize("ble_lock_ids", [(LIFT,)])
async def test_lift_in_range_is_read_and_set_over_bluetooth(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, config_entry: MockConfigEntry
) -> None:
    """The lift is read at setup: a switch per floor, the work mode. Changing either goes to
    the lift over Bluetooth (no API call) and reaches the simulated lift."""
    lifts = await _set_up(hass, config_entry)
    source = cloud.world.locks[LIFT]
    assert [state(hass, floor_switch(floor)) for floor in range(1, 11)] == [STATE_ON] * 10
    assert hass.states.get(floor_switch(11)) is None
    assert state(hass, WORK_MODE) == "card_required"
    before = cloud.world.usage(CLIENT_ID)

    await _select(hass, "all_floors_free")
    assert source.lift_work_mode == 1
    assert state(hass, WORK_MODE) == "all_floors_free"
    await _select(hass, "card_required")
    assert source.lift_work_mode == 2

    await _switch(hass, floor_switch(3), False)
    assert source.card_floors == [1, 2, *range(4, 11)]
    assert state(hass, floor_switch(3)) == STATE_OFF
    await _switch(hass, floor_switch(3), True)
    assert source.card_floors == list(range(1, 11))
    assert state(hass, floor_switch(3)) == STATE_ON
    assert lifts.data.settings[LIFT].work_mode is LiftWorkMode.CARD_REQUIRED
    assert cloud.world.usage(CLIENT_ID) == before  # Bluetooth only


@pytest.mark.parametrize("ble_lock_ids", [(LIFT,)])
async def test_a_floor_change_keeps_what_the_app_changed(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, config_entry: MockConfigEntry
) -> None:
    """The lift's list is read before it is written: a floor set free elsewhere (the TTHotel
    app) meanwhile stays free."""
    await _set_up(hass, config_entry)
    ble.locks[LIFT].lift_floors.discard(7)  # changed on the lift itself
    await _switch(hass, floor_switch(2), False)
    assert cloud.world.locks[LIFT].card_floors == [1, *range(3, 7), 8, 9, 10]
    assert state(hass, floor_switch(7)) == STATE_OFF


@pytest.mark.parametrize("ble_lock_ids", [(LIFT,)])
async def test_activate_floors_for_a_visitor(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The action opens the floors now, targeted by an entity or by the lift's device."""
    await _set_up(hass, config_entry)
    response = await call(hass, "activate_floors", {ATTR_ENTITY_ID: WORK_MODE, "floors": [9, 4]})
    activations = cloud.world.locks[LIFT].lift_activations
    assert [activation.floors for activation in activations] == [(4, 9)]
    assert isinstance(activations[0], LiftActivation)
    answer = response["lifts"][WORK_MODE]  # keyed by the lift's entity, times local
    assert (answer["name"], answer["floors"]) == ("Building Lift", [4, 9])
    activated = dt_util.parse_datetime(answer["activated_at"])
    assert activated is not None and activated.utcoffset() == dt_util.now().utcoffset()

    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"lift-{LIFT}"), config_entry.entry_id
    )
    assert device is not None
    await call(hass, "activate_floors", {"device_id": device.id, "floors": "7"})
    assert [activation.floors for activation in activations] == [(4, 9), (7,)]


@pytest.mark.parametrize("ble_lock_ids", [(LIFT,)])
async def test_activating_a_floor_the_lift_refuses(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, config_entry: MockConfigEntry
) -> None:
    """A floor that needs no card is not activated: the lift's refusal, translated."""
    await _set_up(hass, config_entry)
    await _switch(hass, floor_switch(5), False)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "activate_floors", {ATTR_ENTITY_ID: WORK_MODE, "floors": [5]})
    assert err.value.translation_key == "ble_lock_refused"
    assert cloud.world.locks[LIFT].lift_activations == []


async def test_activate_floors_input(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """Floors are 0–255, at least one; the target must be a lift."""
    await _set_up(hass, config_entry)
    for floors in ([], [256], ["ground"]):
        with pytest.raises(vol.Invalid):  # the schema refuses it
            await call(hass, "activate_floors", {ATTR_ENTITY_ID: WORK_MODE, "floors": floors})
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "activate_floors", {ATTR_ENTITY_ID: SAVER_SWITCH, "floors": [1]})
    assert refused.value.translation_key == "no_lifts"


# ---------------------------------------------------------------------- lift, out of range
async def test_lift_out_of_range_explains_and_changes_nothing(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """Bluetooth is the lift's only path: out of range, the translated no-path error, no API
    call, and the lift stays as it was."""
    await _set_up(hass, config_entry)
    source = cloud.world.locks[LIFT]
    before = cloud.world.usage(CLIENT_ID)
    with pytest.raises(HomeAssistantError) as err:
        await _select(hass, "all_floors_free")
    assert err.value.translation_key == "no_path"
    assert err.value.translation_placeholders == {"name": "Building Lift"}
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "activate_floors", {ATTR_ENTITY_ID: WORK_MODE, "floors": [3]})
    assert err.value.translation_key == "no_path"
    assert (source.lift_work_mode, source.lift_activations) == (2, [])
    assert state(hass, WORK_MODE) == STATE_UNKNOWN
    assert cloud.world.usage(CLIENT_ID) == before


@pytest.mark.parametrize("ble_lock_ids", [(LIFT,)])
async def test_lift_that_left_range_keeps_its_floors_and_refuses_changes(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Read once, then gone from Home Assistant's Bluetooth: the floor switches stay (what the
    lift last said is kept, across a restart too), and a change fails with a translated error
    and leaves the lift as it was."""
    await _set_up(hass, config_entry)
    await advance(hass, freezer, 30)  # the Store is written
    mac = cloud.world.locks[LIFT].lock_mac
    ble.locks[LIFT].set_in_range(False)
    get_manager().async_clear_advertisement_history(mac)
    await hass.async_block_till_done()
    assert async_ble_device_from_address(hass, mac, True) is None

    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, floor_switch(3), False)
    assert err.value.translation_key == "no_path"
    assert cloud.world.locks[LIFT].card_floors == list(range(1, 11))
    assert state(hass, floor_switch(3)) == STATE_ON

    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state(hass, floor_switch(10)) == STATE_ON
    assert state(hass, WORK_MODE) == "card_required"
