"""Sensors and binary sensors: battery, signal, gateway health, API usage, door."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.integration.helpers import CLIENT_ID, Cloud, poll

FRONT_DOOR = 5001101
HALLWAY_GATEWAY = 301001


async def test_battery_follows_the_account(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    """Battery comes from lock/list on every poll (no per-lock call)."""
    cloud.world.set_battery(FRONT_DOOR, 41)
    await poll(hass, freezer)
    state = hass.states.get("sensor.front_door_battery")
    assert state.state == "41"
    assert state.attributes["device_class"] == "battery"
    assert entity_registry.async_get("sensor.front_door_battery").entity_category is (
        EntityCategory.DIAGNOSTIC
    )


async def test_gateway_connectivity_and_locks_seen(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The gateway's cloud connection and the number of locks it serves."""
    assert hass.states.get("sensor.hallway_gateway_locks_seen").state == "2"  # + power saver
    cloud.world.set_gateway_online(HALLWAY_GATEWAY, False)
    await poll(hass, freezer)
    assert hass.states.get("binary_sensor.hallway_gateway_connectivity").state == "off"


async def test_signal_sensor_disabled_by_default(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
) -> None:
    """The gateway signal is a disabled-by-default diagnostic; enabled it shows the RSSI."""
    entry = entity_registry.async_get("sensor.front_door_gateway_signal")
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    entity_registry.async_update_entity(entry.entity_id, disabled_by=None)
    await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    await poll(hass, freezer, 6)
    assert hass.states.get("sensor.front_door_gateway_signal").state == "-62"
    # Locks without a gateway get no signal sensor
    assert entity_registry.async_get("sensor.garage_gateway_signal") is None


async def test_api_usage_sensors(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The account counts every call it makes, matching the cloud's own count."""
    await poll(hass, freezer, 3)
    calls = int(hass.states.get("sensor.ttlock_account_api_calls_this_month").state)
    assert calls == cloud.world.usage(CLIENT_ID)
    left = int(hass.states.get("sensor.ttlock_account_api_budget_left").state)
    assert left == 30000 - calls


async def test_door_sensor(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The door sensor bound to a lock reports open and closed from state queries."""
    assert hass.states.get("binary_sensor.front_door_contact").state == "off"  # read at setup
    cloud.world.set_door(FRONT_DOOR, True)
    await poll(hass, freezer, 8)
    assert hass.states.get("binary_sensor.front_door_contact").state == "on"
