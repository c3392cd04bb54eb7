"""Electricity and water meters through Home Assistant, against the simulated cloud: readings
over simulated time, a prepaid meter running out and recovering after ``recharge_meter``,
the relay and the valve, the pay mode, "read now", errors, and the Energy dashboard's own
validation of the meters' statistics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import voluptuous as vol
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.energy import data as energy_data
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.ttlock_access.const import CONF_LOW_BALANCE, DOMAIN
from custom_components.ttlock_access.meters import MeterCoordinator
from custom_components.ttlock_access.sdk.model import MeterKind
from tests.integration.helpers import Cloud, advance, call

APARTMENT_POWER, STUDIO_POWER, APARTMENT_WATER = 7001, 7002, 7101
HALLWAY_GATEWAY = 301001
HOUR = 3600
READ = 3 * HOUR + 1
"""The default meter reading interval, and a second."""


def meter_device(registry: dr.DeviceRegistry, entry: MockConfigEntry, kind: str, meter_id: int):
    return registry.async_get_device_by_identifier(
        (DOMAIN, f"meter-{kind}-{meter_id}"), entry.entry_id
    )


def value(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def number(hass: HomeAssistant, entity_id: str) -> float:
    return float(value(hass, entity_id))


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """As in conftest, with the recorder first for the Energy dashboard's validation."""
    if request.node.name.startswith("test_energy"):
        request.getfixturevalue("recorder_mock")
    request.getfixturevalue("enable_bluetooth")
    request.getfixturevalue("enable_custom_integrations")


async def test_meters_are_devices_with_readings(
    hass: HomeAssistant, setup_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """Every meter of the account is a device with its counter, prepaid figures and price."""
    device = meter_device(device_registry, setup_entry, "electric", STUDIO_POWER)
    assert device is not None and device.name == "Studio Power"
    energy = hass.states.get("sensor.studio_power_energy")
    assert energy is not None and energy.state == "312.5"
    assert energy.attributes["device_class"] == "energy"
    assert energy.attributes["state_class"] == "total_increasing"
    assert energy.attributes["unit_of_measurement"] == "kWh"
    left = hass.states.get("sensor.studio_power_prepaid_energy_left")
    assert left is not None and left.state == "20.0"
    assert left.attributes["device_class"] == "energy_storage"  # not counted as consumption
    assert value(hass, "sensor.studio_power_prepaid_balance") == "5.0"  # 20 kWh at 0.25
    assert (
        hass.states.get("sensor.studio_power_prepaid_balance").attributes["unit_of_measurement"]
        == hass.config.currency
    )
    assert (
        hass.states.get("sensor.studio_power_unit_price").attributes["unit_of_measurement"]
        == f"{hass.config.currency}/kWh"
    )
    assert value(hass, "select.studio_power_pay_mode") == "prepaid"
    assert value(hass, "switch.studio_power_supply") == "on"
    # a metering meter: a counter, no prepaid figures
    assert value(hass, "sensor.apartment_power_energy") == "1523.4"
    assert value(hass, "sensor.apartment_power_prepaid_balance") == "unknown"
    assert value(hass, "select.apartment_power_pay_mode") == "metering"
    # water: m³, a battery and a valve
    water = hass.states.get("sensor.apartment_water_consumption")
    assert water is not None and water.attributes["device_class"] == "water"
    assert water.attributes["unit_of_measurement"] == "m³"
    assert value(hass, "sensor.apartment_water_battery") == "88"
    assert value(hass, "valve.apartment_water") == "open"


async def test_readings_follow_the_meters(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Meters report hourly; every 3 h one list call per kind shows all of them (500 W for
    3 h: 1.5 kWh; 10 l/h: 0.03 m³; 1 kW prepaid: 3 kWh less)."""
    before = dict(cloud.world.endpoint_usage("sim-client-id"))
    await advance(hass, freezer, HOUR + 1)
    assert number(hass, "sensor.apartment_power_energy") == pytest.approx(1523.4)
    await advance(hass, freezer, 2 * HOUR)
    assert number(hass, "sensor.apartment_power_energy") == pytest.approx(1524.9)
    assert number(hass, "sensor.apartment_water_consumption") == pytest.approx(87.28)
    assert number(hass, "sensor.studio_power_prepaid_energy_left") == pytest.approx(17.0)
    after = cloud.world.endpoint_usage("sim-client-id")
    assert after["electricMeter/list"] == before["electricMeter/list"] + 1
    assert after["waterMeter/list"] == before["waterMeter/list"] + 1
    assert not any(path.endswith(("/detail", "/syncState")) for path in after if "Meter" in path)


async def test_a_prepaid_meter_runs_out_and_recovers_after_recharge(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """At 1 kW, 20 kWh last 20 hours: the meter cuts the supply itself; a recharge restores it."""
    for _ in range(5):
        await advance(hass, freezer, READ)
    assert value(hass, "binary_sensor.studio_power_low_balance") == "on"  # 1.00 < 5
    assert value(hass, "switch.studio_power_supply") == "on"
    for _ in range(2):
        await advance(hass, freezer, READ)
    assert number(hass, "sensor.studio_power_prepaid_energy_left") == 0
    assert value(hass, "switch.studio_power_supply") == "off"
    assert value(hass, "binary_sensor.studio_power_low_balance") == "on"
    assert cloud.world.meter_state("electric", STUDIO_POWER).on_off == 0

    response = await call(
        hass, "recharge_meter", {"entity_id": "sensor.studio_power_energy", "amount": 10}
    )
    meter = response["meters"]["sensor.studio_power_energy"]
    assert meter["units"] == 40.0  # 10 at 0.25 a kWh
    assert meter["remaining"] == pytest.approx(40.0)
    assert meter["supply_on"] is True
    assert value(hass, "switch.studio_power_supply") == "on"
    assert value(hass, "binary_sensor.studio_power_low_balance") == "off"
    assert number(hass, "sensor.studio_power_prepaid_balance") == pytest.approx(10.0)
    assert cloud.world.meter_state("electric", STUDIO_POWER).on_off == 1


async def test_recharge_refusals_are_clear(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """Metering meters, nothing given, or no meter named: translated refusals, nothing sent."""
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "recharge_meter", {"entity_id": "sensor.apartment_power_energy", "units": 5}
        )
    assert err.value.translation_key == "meter_not_prepaid"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "recharge_meter", {"entity_id": "sensor.studio_power_energy"})
    assert err.value.translation_key == "recharge_needs_amount"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "recharge_meter", {"entity_id": "lock.front_door", "units": 5})
    assert err.value.translation_key == "no_meters"
    with pytest.raises(vol.Invalid):
        await call(hass, "recharge_meter", {"entity_id": "sensor.studio_power_energy", "units": -1})


async def test_recharge_by_units_and_by_device(
    hass: HomeAssistant, setup_entry: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    """Units alone are priced at the meter's unit price; a device target works too."""
    device = meter_device(device_registry, setup_entry, "electric", STUDIO_POWER)
    assert device is not None
    response = await call(hass, "recharge_meter", {"device_id": device.id, "units": 8})
    meter = response["meters"]["sensor.studio_power_energy"]
    assert (meter["amount"], meter["units"], meter["unit"]) == (2.0, 8.0, "kWh")
    assert meter["remaining"] == pytest.approx(28.0)


async def test_relay_and_valve_through_the_gateway(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Cutting and restoring supply reaches the meter; with the gateway offline it is refused
    with a translated error and nothing changes."""
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.apartment_power_supply"}, blocking=True
    )
    assert value(hass, "switch.apartment_power_supply") == "off"
    assert cloud.world.meter_state("electric", APARTMENT_POWER).on_off == 0
    await hass.services.async_call(
        "valve", "close_valve", {"entity_id": "valve.apartment_water"}, blocking=True
    )
    assert value(hass, "valve.apartment_water") == "closed"
    assert cloud.world.meter_state("water", APARTMENT_WATER).on_off == 0
    await hass.services.async_call(
        "valve", "open_valve", {"entity_id": "valve.apartment_water"}, blocking=True
    )
    assert value(hass, "valve.apartment_water") == "open"

    cloud.world.set_gateway_online(HALLWAY_GATEWAY, False)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "switch", "turn_on", {"entity_id": "switch.apartment_power_supply"}, blocking=True
        )
    assert err.value.translation_key == "gateway_offline"
    assert value(hass, "switch.apartment_power_supply") == "off"
    assert cloud.world.meter_state("electric", APARTMENT_POWER).on_off == 0


async def test_read_now_and_pay_mode(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """ "Read now" shows consumption before the hourly report; prepaid keeps the unit price,
    and a meter switched to prepaid with nothing paid cuts its supply at once."""
    freezer.tick(1800)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.apartment_power_read_meter_now"}, blocking=True
    )
    assert number(hass, "sensor.apartment_power_energy") == pytest.approx(1523.65)  # 500 W, ½ h
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": "select.apartment_power_pay_mode", "option": "prepaid"},
        blocking=True,
    )
    assert value(hass, "select.apartment_power_pay_mode") == "prepaid"
    meter = cloud.world.meter("electric", APARTMENT_POWER)
    assert (meter.pay_mode, meter.price) == (1, 0.32)
    assert value(hass, "switch.apartment_power_supply") == "off"
    assert value(hass, "binary_sensor.apartment_power_low_balance") == "on"


async def test_low_balance_threshold_is_an_option(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """The prepaid meter has 5.00 left: below a threshold of 6 it is low."""
    assert value(hass, "binary_sensor.studio_power_low_balance") == "off"
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    options = {**setup_entry.options}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "poll_interval": 30,
            "sweep_calls": 4,
            "monthly_budget": 30000,
            "monthly_passcode_limit": 0,
            "stay_connected": False,
            "offline_fallback": False,
            "meter_interval": 3,
            **options,
            CONF_LOW_BALANCE: 6,
        },
    )
    await hass.async_block_till_done()
    assert setup_entry.options[CONF_LOW_BALANCE] == 6
    assert value(hass, "binary_sensor.studio_power_low_balance") == "on"


async def test_meters_appear_and_leave_with_the_account(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A meter removed from the account loses its device at the next read."""
    del cloud.world.electric_meters[APARTMENT_POWER]
    await advance(hass, freezer, READ)
    assert meter_device(device_registry, setup_entry, "electric", APARTMENT_POWER) is None
    assert hass.states.get("sensor.apartment_power_energy") is None
    assert meter_device(device_registry, setup_entry, "electric", STUDIO_POWER)


async def test_accounts_without_meters_look_once_a_day(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Kinds the account has are read every 3 h; a kind it lacks is asked for once a day."""
    meters: MeterCoordinator = setup_entry.runtime_data.meters
    cloud.world.water_meters.clear()
    await advance(hass, freezer, READ)
    assert not any(kind is MeterKind.WATER for kind, _ in meters.data)
    before = dict(cloud.world.endpoint_usage("sim-client-id"))
    for _ in range(6):
        await advance(hass, freezer, READ)
    after = cloud.world.endpoint_usage("sim-client-id")
    assert after["electricMeter/list"] - before["electricMeter/list"] == 6
    assert after["waterMeter/list"] - before["waterMeter/list"] == 0  # 18 h: not yet a day
    await advance(hass, freezer, 2 * READ)
    after = cloud.world.endpoint_usage("sim-client-id")
    assert after["waterMeter/list"] - before["waterMeter/list"] == 1
    assert meters.monthly_calls() == 240 + 30


async def test_energy_dashboard_validates_the_meters(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    hass_ws_client: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant's own energy validation finds no issue with the meters as grid, price
    and water sources."""
    assert await async_setup_component(hass, "energy", {})
    client = await hass_ws_client(hass)
    manager = await energy_data.async_get_manager(hass)
    await manager.async_update(
        {
            "energy_sources": [
                {
                    "type": "grid",
                    "stat_energy_from": "sensor.studio_power_energy",
                    "stat_energy_to": None,
                    "stat_cost": None,
                    "entity_energy_price": "sensor.studio_power_unit_price",
                    "number_energy_price": None,
                    "stat_compensation": None,
                    "entity_energy_price_export": None,
                    "number_energy_price_export": None,
                    "cost_adjustment_day": 0,
                },
                {
                    "type": "water",
                    "stat_energy_from": "sensor.apartment_water_consumption",
                    "stat_cost": None,
                    "entity_energy_price": None,
                    "number_energy_price": 2.1,
                },
            ],
        }
    )
    # compile the statistics of the five minutes set-up fell in, as the recorder does
    await async_wait_recording_done(hass)
    now = dt_util.utcnow()
    period = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    freezer.move_to(period + timedelta(minutes=5, seconds=1))
    do_adhoc_statistics(hass, start=period)
    await async_wait_recording_done(hass)
    await client.send_json_auto_id({"type": "energy/validate"})
    msg = await client.receive_json()
    assert msg["success"], msg
    result = msg["result"]
    assert len(result["energy_sources"]) == 2
    assert result["energy_sources"] == [[], []], result
    assert result["device_consumption"] == []
