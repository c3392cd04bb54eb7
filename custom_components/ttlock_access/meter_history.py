"""Meter usage history in Home Assistant's long-term statistics, for the Energy dashboard.

The meters' counters (``sensor.*_energy``, ``sensor.*_consumption``) feed the Energy dashboard
from the moment Home Assistant reads them. TTLock also keeps what each meter used per day
(``…Meter/listRecords``, docs/meters.md §4.1); this module imports those days as an *external
statistic* per meter, ``ttlock_access:electric_meter_<id>`` (kWh) or
``ttlock_access:water_meter_<id>`` (m³), one row per complete day at local midnight (the
records name no time zone: Home Assistant's is assumed).

When: at set-up, when a meter appears, and daily at 01:20 (the meters have reported the
day before by then). Each import continues from the last stored row (``get_last_statistics``)
and writes that day again with the days after it, its sum recomputed from the row before, so
a day the cloud completed late is corrected, and importing again never counts a day twice. A
meter whose history is complete to yesterday costs nothing; otherwise one ``listRecords``
call per month spanned (one a day, two on the 2nd of a month). The first import asks for the
current year (and the one before when January was used) and then for each month with use,
up to :data:`HISTORY_MONTHS` months back. The import waits while the API budget is spent or
spending runs ahead of the month's pace, and catches up later. Without the recorder (not
set up) nothing is imported.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    async_add_external_statistics,
    get_last_statistics,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import UnitOfEnergy, UnitOfVolume
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import EnergyConverter, VolumeConverter

from .const import DOMAIN
from .errors import translated
from .meters import MeterCoordinator, MeterKey
from .sdk.cloud.meters import UsagePeriod, UsageSpan
from .sdk.model import Meter, MeterKind

_LOGGER = logging.getLogger(__name__)

IMPORT_TIME = (1, 20)
"""Local hour and minute of the daily import."""
HISTORY_MONTHS = 12
"""How many months before the current one the first import reaches back."""
DAILY_CALLS = 32
"""``listRecords`` calls a month per meter once its history is in (31 days, a 2nd)."""


def statistic_id(key: MeterKey) -> str:
    """The external statistic of a meter's usage history (pick it in the Energy dashboard)."""
    kind, meter_id = key
    return f"{DOMAIN}:{kind.value}_meter_{meter_id}"


def _metadata(key: MeterKey, meter: Meter) -> StatisticMetaData:
    electric = key[0] is MeterKind.ELECTRIC
    return StatisticMetaData(
        mean_type=StatisticMeanType.NONE,
        has_sum=True,
        name=f"{meter.name} daily {'energy' if electric else 'water'}",
        source=DOMAIN,
        statistic_id=statistic_id(key),
        unit_class=EnergyConverter.UNIT_CLASS if electric else VolumeConverter.UNIT_CLASS,
        unit_of_measurement=(
            UnitOfEnergy.KILO_WATT_HOUR if electric else UnitOfVolume.CUBIC_METERS
        ),
    )


def _row_start(day: date) -> datetime:
    """A day's row: local midnight (statistics start on the hour: in a zone with a
    half-hour offset, the hour that holds it)."""
    return dt_util.as_utc(dt_util.start_of_local_day(day)).replace(minute=0)


def _row_day(start_ts: float) -> date:
    """The day of a row :func:`_row_start` wrote (an hour later is safely that day)."""
    return dt_util.as_local(datetime.fromtimestamp(start_ts, UTC) + timedelta(hours=1)).date()


def _months(first: date, last: date) -> list[date]:
    """The first days of the months from ``first``'s to ``last``'s."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


class MeterHistory:
    """Imports each meter's daily usage into the long-term statistics, once a day at most."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], meters: MeterCoordinator):
        self.hass = hass
        self.entry = entry
        self.meters = meters
        self._lock = asyncio.Lock()
        self._unsubscribe: list[CALLBACK_TYPE] = []

    @property
    def active(self) -> bool:
        """Imports run (the recorder is set up and the history was started)."""
        return bool(self._unsubscribe)

    def monthly_calls(self) -> int:
        """What keeping the history costs a month (for the account's API estimate)."""
        return DAILY_CALLS * len(self.meters.data) if self.active else 0

    @callback
    def async_start(self) -> None:
        """Import now (in the background), when meters appear, and daily."""
        if "recorder" not in self.hass.config.components:
            _LOGGER.debug("No recorder: the meters' usage history is not imported")
            return
        hour, minute = IMPORT_TIME
        self._unsubscribe = [
            async_track_time_change(self.hass, self._daily, hour=hour, minute=minute, second=0),
            self.meters.async_add_meter_listener(self._spawn),
        ]
        self._spawn(None)

    @callback
    def async_stop(self) -> None:
        """Stop the daily import (entry unloaded)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    @callback
    def _daily(self, _now: datetime) -> None:
        self._spawn(None)

    @callback
    def _spawn(self, keys: Iterable[MeterKey] | None) -> None:
        self.entry.async_create_background_task(
            self.hass, self.async_import(keys), f"{DOMAIN} meter history"
        )

    async def async_import(self, keys: Iterable[MeterKey] | None = None) -> None:
        """Bring the history of ``keys`` (default: every meter) up to yesterday."""
        async with self._lock:
            for key in sorted(self.meters.data if keys is None else keys):
                meter = self.meters.data.get(key)
                if meter is None:
                    continue
                usage = self.meters.usage
                if usage.exhausted or usage.ahead_of_pace():
                    _LOGGER.debug("Meter history waits: the API budget decides")
                    return
                try:
                    with translated(self.hass, self.entry, meter.name):
                        await self._async_import_meter(key, meter)
                except HomeAssistantError as err:
                    _LOGGER.warning("Could not import the usage history of %s: %s", meter.name, err)

    async def _async_import_meter(self, key: MeterKey, meter: Meter) -> None:
        stat_id = statistic_id(key)
        last = await get_instance(self.hass).async_add_executor_job(
            get_last_statistics, self.hass, 1, stat_id, True, {"state", "sum"}
        )
        today = dt_util.now().date()
        yesterday = today - timedelta(days=1)
        last_row = last[stat_id][0] if last.get(stat_id) else None
        last_day: date | None = None
        if last_row is not None:
            last_day = _row_day(last_row["start"])
            if last_day >= yesterday:
                return  # complete to yesterday: nothing to ask
            months = _months(last_day, yesterday)
        else:
            months = await self._months_with_use(key, today)
        days: dict[date, float] = {}
        for month in months:
            for item in await self.meters.client.list_meter_usage(*key, UsagePeriod.MONTH, month):
                if item.span in (UsageSpan.DAY, UsageSpan.HOUR):
                    day = item.start.date()
                    days[day] = days.get(day, 0.0) + item.used
        total = 0.0
        if last_row is not None and last_day is not None:
            after = float(last_row.get("sum") or 0.0)
            if last_day in days:  # written again: from the sum before it
                total = after - float(last_row.get("state") or 0.0)
            else:
                total, last_day = after, last_day + timedelta(days=1)
        rows: list[StatisticData] = []
        for day in sorted(days):
            if day >= today or (last_day is not None and day < last_day):
                continue  # today is not over; days before are stored
            total += days[day]
            rows.append(StatisticData(start=_row_start(day), state=days[day], sum=total))
        if rows:
            _LOGGER.debug("Importing %d days of usage of %s", len(rows), meter.name)
            async_add_external_statistics(self.hass, _metadata(key, meter), rows)

    async def _months_with_use(self, key: MeterKey, today: date) -> list[date]:
        """The months with use among the last :data:`HISTORY_MONTHS` and the current one
        (the year's record; last year's too when January was used, or it is January)."""
        client = self.meters.client
        used: set[date] = set()
        year = today.replace(month=1, day=1)
        for item in await client.list_meter_usage(*key, UsagePeriod.YEAR, year):
            if item.span is UsageSpan.MONTH and item.used > 0:
                used.add(item.start.date().replace(day=1))
        if today.month == 1 or year in used:
            last_year = year.replace(year=year.year - 1)
            for item in await client.list_meter_usage(*key, UsagePeriod.YEAR, last_year):
                if item.span is UsageSpan.MONTH and item.used > 0:
                    used.add(item.start.date().replace(day=1))
        since = today.replace(day=1)
        for _ in range(HISTORY_MONTHS):
            since = (since - timedelta(days=1)).replace(day=1)
        return sorted(month for month in used if since <= month <= today)
