"""The meters' usage records in Home Assistant's long-term statistics, against the simulated
cloud: the home meters' 60 past days imported at set-up, one new day each night (and only
that), a late day corrected without counting anything twice, the API budget, failures, a new
meter, and the Energy dashboard's own validation of the imported statistics."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.energy import data as energy_data
from homeassistant.components.recorder.statistics import get_metadata, statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.ttlock_access.meter_history import DAILY_CALLS, MeterHistory
from simulator.entities import ElectricMeter
from tests.integration.helpers import Cloud, advance

POWER = "ttlock_access:electric_meter_7001"
STUDIO = "ttlock_access:electric_meter_7002"
WATER = "ttlock_access:water_meter_7101"
READ = 3 * 3600 + 1


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """As in conftest, with the recorder first (not for the test without one)."""
    if "without_recorder" not in request.node.name:
        request.getfixturevalue("recorder_mock")
    request.getfixturevalue("enable_bluetooth")
    request.getfixturevalue("enable_custom_integrations")


@pytest.fixture(autouse=True)
def meters_count_days_here(hass: HomeAssistant, cloud: Cloud) -> None:
    """The simulated meters count their days in Home Assistant's time zone."""
    cloud.world.meter_time_zone = hass.config.time_zone


def calls(cloud: Cloud, endpoint: str) -> int:
    return cloud.world.endpoint_usage("sim-client-id").get(endpoint, 0)


def history(entry: MockConfigEntry) -> MeterHistory:
    found = entry.runtime_data.meter_history
    assert found is not None
    return found


async def settle(hass: HomeAssistant) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)


async def rows(hass: HomeAssistant, statistic_id: str) -> list[tuple[date, float, float]]:
    """(local day, state, sum) of every stored hour row of the statistic."""
    found = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        dt_util.utcnow() - timedelta(days=400),
        None,
        {statistic_id},
        "hour",
        None,
        {"state", "sum"},
    )
    return [
        (
            dt_util.as_local(dt_util.utc_from_timestamp(row["start"])).date(),
            float(row["state"] or 0),
            float(row["sum"] or 0),
        )
        for row in found.get(statistic_id, [])
    ]


def on_record(cloud: Cloud, kind: str, meter_id: int, zone: str) -> dict[date, float]:
    """What the simulated cloud has on record per local day before today (to 2 decimals,
    as listRecords writes it): the test's own sums of the meter's hours."""
    meter = cloud.world.meter(kind, meter_id)
    local = ZoneInfo(zone)
    today = dt_util.now().date()
    days: dict[date, float] = {}
    for hour_ms, used in meter.usage.items():
        day = datetime.fromtimestamp(hour_ms / 1000, local).date()
        if day < today:
            days[day] = days.get(day, 0.0) + used
    return {day: round(used, 2) for day, used in sorted(days.items())}


def assert_matches(stored: list[tuple[date, float, float]], expected: dict[date, float]) -> None:
    """One row per day on record, at local midnight, the day's use and the running sum."""
    assert [day for day, _, _ in stored] == list(expected)
    total = 0.0
    for (day, state, running), used in zip(stored, expected.values(), strict=True):
        total += used
        assert state == pytest.approx(used, abs=0.001), day
        assert running == pytest.approx(total, abs=0.01), day


async def next_import(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let time run to the next daily import (01:20 local) and past it."""
    now = dt_util.now()
    due = now.replace(hour=1, minute=20, second=30, microsecond=0)
    if due <= now:
        due += timedelta(days=1)
    await advance(hass, freezer, (due - now).total_seconds())
    await settle(hass)


async def test_history_is_imported_at_setup(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Every complete day the cloud has on record becomes a row at local midnight, its sum
    counting from the first; kWh for electricity, m³ for water; a few calls per meter."""
    await settle(hass)
    zone = hass.config.time_zone
    power = await rows(hass, POWER)
    assert 59 <= len(power) <= 61  # 60 days back from set-up, by local day
    assert_matches(power, on_record(cloud, "electric", 7001, zone))
    assert_matches(await rows(hass, STUDIO), on_record(cloud, "electric", 7002, zone))
    water = await rows(hass, WATER)
    assert_matches(water, on_record(cloud, "water", 7101, zone))
    assert water[-1][2] < 0.24 * 1.5 * 61  # m³: 10 l/h at most 150 %
    assert power[-1][0] == dt_util.now().date() - timedelta(days=1)
    metadata = await get_instance(hass).async_add_executor_job(
        partial(get_metadata, hass, statistic_ids={POWER, WATER})
    )
    assert metadata[POWER][1]["unit_of_measurement"] == "kWh"
    assert metadata[POWER][1]["name"] == "Apartment Power daily energy"
    assert metadata[POWER][1]["has_sum"] is True
    assert metadata[WATER][1]["unit_of_measurement"] == "m³"
    assert metadata[WATER][1]["source"] == "ttlock_access"
    # the year, maybe last year, and each month with use (3 of them at most): per meter
    assert 2 * 3 <= calls(cloud, "electricMeter/listRecords") <= 2 * 5
    assert 3 <= calls(cloud, "waterMeter/listRecords") <= 5


async def test_each_night_adds_the_new_day_only(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
) -> None:
    """The next night: the day before is written again unchanged and the new day follows it,
    for one call per meter; importing again the same day asks nothing and changes nothing,
    a restart included."""
    await settle(hass)
    before = await rows(hass, POWER)
    asked = calls(cloud, "electricMeter/listRecords") + calls(cloud, "waterMeter/listRecords")
    await next_import(hass, freezer)
    after = await rows(hass, POWER)
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1
    assert_matches(after, on_record(cloud, "electric", 7001, hass.config.time_zone))
    assert_matches(await rows(hass, WATER), on_record(cloud, "water", 7101, "US/Pacific"))
    spent = calls(cloud, "electricMeter/listRecords") + calls(cloud, "waterMeter/listRecords")
    assert spent - asked == 3  # this month's record, once per meter

    await history(setup_entry).async_import()
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await settle(hass)
    assert await rows(hass, POWER) == after
    again = calls(cloud, "electricMeter/listRecords") + calls(cloud, "waterMeter/listRecords")
    assert again == spent


async def test_a_day_completed_late_is_corrected_not_counted_twice(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
) -> None:
    """The last stored day grows on the cloud afterwards (a late reading): the next import
    writes it again, and the sums go on from the corrected day."""
    await settle(hass)
    before = await rows(hass, POWER)
    last_day = before[-1][0]
    meter = cloud.world.meter("electric", 7001)
    zone = ZoneInfo(hass.config.time_zone)
    late = max(
        hour for hour in meter.usage if datetime.fromtimestamp(hour / 1000, zone).date() == last_day
    )
    meter.usage[late] += 1.0
    await next_import(hass, freezer)
    after = await rows(hass, POWER)
    assert after[: len(before) - 1] == before[:-1]
    assert after[len(before) - 1][1] == pytest.approx(before[-1][1] + 1.0, abs=0.01)
    assert after[-1][2] == pytest.approx(before[-1][2] + 1.0 + after[-1][1], abs=0.01)
    assert_matches(after, on_record(cloud, "electric", 7001, hass.config.time_zone))


async def test_the_import_waits_for_the_api_budget(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
) -> None:
    """With the budget spent the nightly import asks nothing; once there is budget again it
    catches up every missing day."""
    await settle(hass)
    before = await rows(hass, POWER)
    usage = setup_entry.runtime_data.usage
    budget, usage.budget = usage.budget, 0
    asked = calls(cloud, "electricMeter/listRecords")
    await next_import(hass, freezer)
    assert calls(cloud, "electricMeter/listRecords") == asked
    assert await rows(hass, POWER) == before
    usage.budget = budget
    await next_import(hass, freezer)
    after = await rows(hass, POWER)
    assert len(after) == len(before) + 2
    assert after[-1][1] == pytest.approx(12.0, abs=0.01)  # the first whole day: 500 W all day
    assert_matches(after, on_record(cloud, "electric", 7001, hass.config.time_zone))


async def test_a_failed_call_skips_one_meter_until_the_next_night(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The gateway-busy answer for the first meter: a warning, the others are imported, and
    the next night brings the first one's history in."""
    cloud.world.faults.fail_next("electricMeter/listRecords", -3003)
    with caplog.at_level(logging.WARNING):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await settle(hass)
    assert "Could not import the usage history of Apartment Power" in caplog.text
    assert await rows(hass, POWER) == []
    assert await rows(hass, STUDIO) and await rows(hass, WATER)
    await next_import(hass, freezer)
    assert_matches(
        await rows(hass, POWER), on_record(cloud, "electric", 7001, hass.config.time_zone)
    )


async def test_a_new_meter_brings_its_history(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A meter added to the account with 5 days on record: imported when it appears."""
    await settle(hass)
    cloud.world.add_meter(
        ElectricMeter(
            meter_id=7003,
            name="Loft Power",
            number="EM-2024-0003",
            mac="D4:2C:11:87:6A:13",
            owner_uid=cloud.uid,
            gateway_id=301001,
            history_days=5,
        )
    )
    await advance(hass, freezer, READ)
    await settle(hass)
    loft = await rows(hass, "ttlock_access:electric_meter_7003")
    assert 4 <= len(loft) <= 6
    assert_matches(loft, on_record(cloud, "electric", 7003, hass.config.time_zone))
    assert history(setup_entry).monthly_calls() == DAILY_CALLS * 4


async def test_the_api_estimate_counts_the_history(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """Three meters: 32 calls a month each in the account's estimate."""
    runtime = setup_entry.runtime_data
    with_history = runtime.estimate()
    assert history(setup_entry).monthly_calls() == 3 * DAILY_CALLS
    runtime.meter_history = None
    assert with_history.with_push - runtime.estimate().with_push == 3 * DAILY_CALLS


async def test_without_recorder_nothing_is_imported(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """No recorder, no statistics: not a single records call, nothing in the estimate."""
    await hass.async_block_till_done(wait_background_tasks=True)
    assert calls(cloud, "electricMeter/listRecords") == 0
    assert calls(cloud, "waterMeter/listRecords") == 0
    assert history(setup_entry).monthly_calls() == 0


async def test_energy_dashboard_validates_the_history(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_ws_client: Any
) -> None:
    """Home Assistant's energy validation accepts the imported statistics as grid and water
    sources."""
    await settle(hass)
    assert await async_setup_component(hass, "energy", {})
    client = await hass_ws_client(hass)
    manager = await energy_data.async_get_manager(hass)
    await manager.async_update(
        {
            "energy_sources": [
                {
                    "type": "grid",
                    "stat_energy_from": POWER,
                    "stat_energy_to": None,
                    "stat_cost": None,
                    "entity_energy_price": None,
                    "number_energy_price": 0.32,
                    "stat_compensation": None,
                    "entity_energy_price_export": None,
                    "number_energy_price_export": None,
                    "cost_adjustment_day": 0,
                },
                {
                    "type": "water",
                    "stat_energy_from": WATER,
                    "stat_cost": None,
                    "entity_energy_price": None,
                    "number_energy_price": 2.1,
                },
            ],
        }
    )
    await client.send_json_auto_id({"type": "energy/validate"})
    msg = await client.receive_json()
    assert msg["success"], msg
    assert msg["result"]["energy_sources"] == [[], []], msg["result"]
