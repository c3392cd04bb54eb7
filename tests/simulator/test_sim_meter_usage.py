"""Meter usage records (``electricMeter/listRecords``, ``waterMeter/listRecords``,
``docs/meters.md`` §4.1): per hour of a day, day of a month or month of a year, from the
consumption the world models and the scenario's past days.

The world starts frozen at 2026-03-10 12:00 UTC; the home meters have 60 days on record
before that (7001 "Apartment Power" 500 W, 7002 "Studio Power" prepaid 1 kW with 20 kWh left,
7101 "Apartment Water" 10 l/h), and report hourly on the hour.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sim_helpers import HALLWAY_GATEWAY, CloudClient

from simulator import World, load_scenario
from simulator.clock import Clock
from simulator.entities import WaterMeter
from simulator.persist import dump_world, load_world

APARTMENT_POWER, STUDIO_POWER, APARTMENT_WATER = 7001, 7002, 7101
HOUR = 3600
START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)

ELECTRIC = ("electricMeter", "electricMeterId", "usedKwh", "kWh", APARTMENT_POWER)
WATER = ("waterMeter", "waterMeterId", "usedM3", "t", APARTMENT_WATER)
KINDS = pytest.mark.parametrize(
    ("prefix", "id_key", "used_key", "unit", "meter_id"),
    [ELECTRIC, WATER],
    ids=["electric", "water"],
)


@pytest.fixture
def world() -> World:
    return load_scenario("home", clock=Clock(frozen_at_ms=int(START.timestamp() * 1000)))


async def records(
    cloud: CloudClient, date_type: int, date_str: str, *, kind: tuple[Any, ...] = ELECTRIC
) -> dict[str, float]:
    """``createDate`` → units of one listRecords answer (checked for the documented shape)."""
    prefix, id_key, used_key, unit, meter_id = kind
    body = await cloud.call(
        f"{prefix}/listRecords",
        method="POST",
        **{id_key: meter_id, "dateType": date_type, "dateStr": date_str},
    )
    assert body.get("errcode", 0) == 0, body
    found: dict[str, float] = {}
    for item in body["list"]:
        assert set(item) == {"dateType", used_key, "createDate"}
        assert item["dateType"] == date_type
        assert re.fullmatch(rf"\d+\.\d{{2}}{unit}", item[used_key]), item
        found[item["createDate"]] = float(item[used_key].removesuffix(unit))
    return found


async def refused(cloud: CloudClient, **params: Any) -> int:
    body = await cloud.call("electricMeter/listRecords", method="POST", **params)
    return int(body["errcode"])


@KINDS
async def test_records_have_the_documented_shape(
    demo: CloudClient, prefix: str, id_key: str, used_key: str, unit: str, meter_id: int
) -> None:
    """A month lists its days, a year its months and a day its hours, each quantity with its
    unit (``"0.00kWh"``, water ``"0.00t"`` under ``usedM3``), from the first day on record
    to the current period."""
    kind = (prefix, id_key, used_key, unit, meter_id)
    march = await records(demo, 1, "2026-03", kind=kind)
    assert list(march) == [f"2026-03-{day:02d}" for day in range(1, 11)]
    january = await records(demo, 1, "2026-01", kind=kind)
    assert list(january) == [f"2026-01-{day:02d}" for day in range(9, 32)]  # 60 days back
    year = await records(demo, 2, "2026", kind=kind)
    assert list(year) == ["2026-01", "2026-02", "2026-03"]
    today = await records(demo, 0, "2026-03-10", kind=kind)
    assert list(today) == [f"2026-03-10 {hour:02d}" for hour in range(13)]
    assert await records(demo, 2, "2025", kind=kind) == {}
    assert await records(demo, 1, "2026-04", kind=kind) == {}


async def test_the_past_days_add_up(demo: CloudClient, world: World) -> None:
    """Sixty days at 50-150 % of the meter's rate; a year's months are the sums of their days."""
    meter = world.electric_meters[APARTMENT_POWER]
    on_record = sum(meter.usage.values())
    assert 0.5 * 12 * 60 <= on_record <= 1.5 * 12 * 60
    year = await records(demo, 2, "2026")
    assert sum(year.values()) == pytest.approx(on_record, abs=0.02)
    for month in ("01", "02", "03"):
        days = await records(demo, 1, f"2026-{month}")
        assert sum(days.values()) == pytest.approx(year[f"2026-{month}"], abs=0.01 * len(days))
    days = await records(demo, 1, "2026-02")
    assert len(set(days.values())) > 5  # not the same every day
    assert days["2026-02-01"] <= 18.0  # at most 150 % of 12 kWh
    water = await records(demo, 2, "2026", kind=WATER)
    assert sum(water.values()) == pytest.approx(
        sum(world.water_meters[APARTMENT_WATER].usage.values()), abs=0.02
    )


async def test_use_is_on_record_once_the_meter_reports(demo: CloudClient, world: World) -> None:
    """500 W: 0.5 kWh an hour, recorded with the hourly reading (or a syncState)."""
    world.clock.advance(HOUR / 2)
    assert (await records(demo, 0, "2026-03-10"))["2026-03-10 12"] == 0.0  # not reported yet
    world.clock.advance(HOUR / 2)
    hours = await records(demo, 0, "2026-03-10")
    assert hours["2026-03-10 12"] == 0.5
    assert hours["2026-03-10 13"] == 0.0
    world.clock.advance(HOUR / 2)
    await demo.call("electricMeter/syncState", method="POST", electricMeterId=APARTMENT_POWER)
    assert (await records(demo, 0, "2026-03-10"))["2026-03-10 13"] == 0.25
    water = await records(demo, 0, "2026-03-10", kind=WATER)
    assert water["2026-03-10 12"] == 0.01  # 10 l/h


async def test_a_prepaid_meter_uses_nothing_once_it_runs_out(
    demo: CloudClient, world: World
) -> None:
    """1 kW with 20 kWh left: 20 hours of use, then the meter cuts the supply."""
    world.clock.advance(24 * HOUR)
    kind = ("electricMeter", "electricMeterId", "usedKwh", "kWh", STUDIO_POWER)
    tenth = await records(demo, 0, "2026-03-10", kind=kind)
    eleventh = await records(demo, 0, "2026-03-11", kind=kind)
    assert [tenth[f"2026-03-10 {hour}"] for hour in range(12, 24)] == [1.0] * 12
    assert [eleventh[f"2026-03-11 {hour:02d}"] for hour in range(8)] == [1.0] * 8
    assert set(list(eleventh.values())[8:]) == {0.0}
    days = await records(demo, 1, "2026-03", kind=kind)
    assert days["2026-03-11"] == 8.0


async def test_use_behind_an_offline_gateway_is_recorded_later(
    demo: CloudClient, world: World
) -> None:
    """The meter keeps what it used while the cloud could not hear it and reports it with
    its next reading; a meter off the air uses nothing."""
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    world.clock.advance(3 * HOUR)
    hours = await records(demo, 0, "2026-03-10")
    assert [hours[f"2026-03-10 {hour}"] for hour in (12, 13, 14)] == [0.0, 0.0, 0.0]
    world.set_gateway_online(HALLWAY_GATEWAY, True)
    world.clock.advance(HOUR)
    hours = await records(demo, 0, "2026-03-10")
    assert [hours[f"2026-03-10 {hour}"] for hour in (12, 13, 14, 15)] == [0.5] * 4

    world.set_meter_online("electric", APARTMENT_POWER, False)
    world.clock.advance(2 * HOUR)
    world.set_meter_online("electric", APARTMENT_POWER, True)
    world.clock.advance(HOUR)
    hours = await records(demo, 0, "2026-03-10")
    assert [hours[f"2026-03-10 {hour}"] for hour in (16, 17, 18)] == [0.0, 0.0, 0.5]


async def test_days_are_counted_in_the_meters_time_zone(demo: CloudClient, world: World) -> None:
    """Los Angeles: 12:00 UTC is 05:00 PDT; the day the clocks went forward has 23 hours."""
    world.meter_time_zone = "America/Los_Angeles"
    today = await records(demo, 0, "2026-03-10")
    assert list(today) == [f"2026-03-10 {hour:02d}" for hour in range(6)]
    spring = await records(demo, 0, "2026-03-08")
    assert len(spring) == 23 and "2026-03-08 02" not in spring
    days = await records(demo, 1, "2026-03")
    assert list(days)[-1] == "2026-03-10"
    ninth = await records(demo, 0, "2026-03-09")
    assert len(ninth) == 24
    assert sum(ninth.values()) == pytest.approx(days["2026-03-09"], abs=0.12)


async def test_bad_requests_are_refused(demo: CloudClient) -> None:
    """A dateStr not of the dateType's form, a dateType beyond 0-2, missing parameters: -3;
    an unknown meter: -1003."""
    base = {"electricMeterId": APARTMENT_POWER}
    assert await refused(demo, **base, dateType=1, dateStr="2026-03-10") == -3
    assert await refused(demo, **base, dateType=0, dateStr="2026-02-30") == -3
    assert await refused(demo, **base, dateType=3, dateStr="2026") == -3
    assert await refused(demo, **base, dateType=2) == -3
    assert await refused(demo, **base, dateStr="2026") == -3
    assert await refused(demo, electricMeterId=424242, dateType=2, dateStr="2026") == -1003


def test_records_are_kept_with_the_world(world: World) -> None:
    """A saved world keeps its records; a meter saved before records existed loads with none."""
    meter = world.water_meters[APARTMENT_WATER]
    world.clock.advance(HOUR)
    world.refresh_meter(meter)
    loaded, _ = load_world(dump_world(world, label="home"), label="home")
    assert loaded.water_meters[APARTMENT_WATER].usage == meter.usage
    for name in ("usage", "unreported", "records_since_ms", "history_days"):
        del meter.__dict__[name]
    old, _ = load_world(dump_world(world, label="home"), label="home")
    again = old.water_meters[APARTMENT_WATER]
    assert isinstance(again, WaterMeter)
    assert (again.usage, again.unreported, again.history_days) == ({}, {}, 0)
    assert old.meter_usage(again, 1, "2026-03") == [("2026-03-10", 0.0)]
