"""Meter usage records in the SDK (``…Meter/listRecords``): parsing the documented items
(quantities with their unit, two names for the water quantity) and the call against the
simulated cloud."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from custom_components.ttlock_access.sdk.cloud import TTLockCloud, md5_password
from custom_components.ttlock_access.sdk.cloud import errors as E
from custom_components.ttlock_access.sdk.cloud.meters import (
    MeterCalls,
    MeterUsage,
    UsagePeriod,
    UsageSpan,
    parse_usage,
    parse_usage_date,
)
from custom_components.ttlock_access.sdk.model import MeterKind
from simulator import World

CLIENT = {"client_id": "sim-client-id", "client_secret": "sim-client-secret"}
USER, PASSWORD = "demo@example.com", "demo-password"


def test_the_documented_examples() -> None:
    """The pages' examples: ``"0.00kWh"`` under ``usedKwh``; water ``"0.00t"`` under
    ``usedM3`` (its table says ``usedKwh``: read as well); a year lists months."""
    assert parse_usage(
        MeterKind.ELECTRIC, {"dateType": 2, "usedKwh": "12.34kWh", "createDate": "2025-06"}
    ) == MeterUsage(start=datetime(2025, 6, 1), span=UsageSpan.MONTH, used=12.34)
    water = parse_usage(MeterKind.WATER, {"dateType": 2, "usedM3": "0.50t", "createDate": "2025"})
    assert water == MeterUsage(start=datetime(2025, 1, 1), span=UsageSpan.YEAR, used=0.5)
    table = parse_usage(MeterKind.WATER, {"usedKwh": "1.25", "createDate": "2025-06-14"})
    assert table == MeterUsage(start=datetime(2025, 6, 14), span=UsageSpan.DAY, used=1.25)


@pytest.mark.parametrize(
    "item",
    [
        {"usedKwh": "1.00kWh"},
        {"createDate": "2025-06-14"},
        {"usedKwh": "n/a", "createDate": "2025-06-14"},
        {"usedKwh": "-1.00kWh", "createDate": "2025-06-14"},
        {"usedKwh": "1.00kWh", "createDate": "June"},
        {"usedKwh": "1.00kWh", "createDate": "2025-02-30"},
    ],
)
def test_unreadable_items_are_none(item: dict[str, Any]) -> None:
    assert parse_usage(MeterKind.ELECTRIC, item) is None


@pytest.mark.parametrize(
    ("raw", "start", "span"),
    [
        ("2025", datetime(2025, 1, 1), UsageSpan.YEAR),
        ("2025-06", datetime(2025, 6, 1), UsageSpan.MONTH),
        ("2025-06-14", datetime(2025, 6, 14), UsageSpan.DAY),
        ("2025-06-14 13", datetime(2025, 6, 14, 13), UsageSpan.HOUR),
        ("2025-06-14 13:00:00", datetime(2025, 6, 14, 13), UsageSpan.HOUR),
        (" 2025/6/1 ", datetime(2025, 6, 1), UsageSpan.DAY),
    ],
)
def test_periods(raw: str, start: datetime, span: UsageSpan) -> None:
    assert parse_usage_date(raw) == (start, span)


class _Canned(MeterCalls):
    """The meter calls over a canned answer, to see what is asked and how it is read."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.asked: list[tuple[str, dict[str, Any]]] = []

    async def _call(
        self, path: str, params: Mapping[str, Any], *, method: str = "GET"
    ) -> dict[str, Any]:
        self.asked.append((path, dict(params)))
        return self.body

    async def _gateway_call(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        raise AssertionError("no gateway call")


async def test_the_request_and_a_malformed_answer() -> None:
    """``dateType`` and a ``dateStr`` of its form; items come back oldest first, unreadable
    ones left out; a list that is not a list is an error."""
    canned = _Canned(
        {
            "list": [
                {"dateType": 1, "usedM3": "0.30t", "createDate": "2026-03-02"},
                {"dateType": 1, "usedM3": "0.20t", "createDate": "2026-03-01"},
                {"dateType": 1, "usedM3": "?", "createDate": "2026-03-03"},
                "junk",
            ]
        }
    )
    got = await canned.list_meter_usage(MeterKind.WATER, 7101, UsagePeriod.MONTH, date(2026, 3, 9))
    assert canned.asked == [
        ("waterMeter/listRecords", {"waterMeterId": 7101, "dateType": 1, "dateStr": "2026-03"})
    ]
    assert [(item.start.day, item.used) for item in got] == [(1, 0.2), (2, 0.3)]
    await canned.list_meter_usage(MeterKind.ELECTRIC, 7001, UsagePeriod.DAY, date(2026, 3, 9))
    assert canned.asked[-1][1] == {"electricMeterId": 7001, "dateType": 0, "dateStr": "2026-03-09"}
    canned.body = {"list": {"not": "a list"}}
    with pytest.raises(E.TTLockConnectionError):
        await canned.list_meter_usage(MeterKind.WATER, 7101, UsagePeriod.YEAR, date(2026, 1, 1))


async def test_usage_from_the_simulated_cloud(
    world_server: tuple[World, str], session: aiohttp.ClientSession
) -> None:
    """The home meters' past days: a year per month, a month per day, a day per hour."""
    world, base_url = world_server
    client = TTLockCloud(session, base_url=base_url, **CLIENT)
    await client.login(USER, md5_password(PASSWORD))
    today = datetime.fromtimestamp(world.now_ms() / 1000, UTC).date()
    months = await client.list_meter_usage(MeterKind.ELECTRIC, 7001, UsagePeriod.YEAR, today)
    assert {item.span for item in months} == {UsageSpan.MONTH}
    days = await client.list_meter_usage(MeterKind.WATER, 7101, UsagePeriod.MONTH, today)
    assert {item.span for item in days} == {UsageSpan.DAY}
    assert days[-1].start.date() == today
    assert [item.start for item in days] == sorted(item.start for item in days)
    yesterday = today - timedelta(days=1)
    hours = await client.list_meter_usage(MeterKind.ELECTRIC, 7001, UsagePeriod.DAY, yesterday)
    assert [item.span for item in hours] == [UsageSpan.HOUR] * 24
    month = await client.list_meter_usage(MeterKind.ELECTRIC, 7001, UsagePeriod.MONTH, yesterday)
    whole_day = next(item.used for item in month if item.start.date() == yesterday)
    assert sum(item.used for item in hours) == pytest.approx(whole_day, abs=0.12)
    assert whole_day >= 6.0  # 500 W, at least half the day
