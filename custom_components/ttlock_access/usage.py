"""The monthly API call budget: every cloud request is counted and persisted.

The TTLock developer tiers cap API calls per month (errcode 30007; 30 000 reported for the free
tier, docs/cloud.md §3.1). The integration counts what it spends in an HA
Store so that the count survives restarts, shows it as a sensor, and paces its optional polling
against a monthly budget the user sets.
"""

from __future__ import annotations

import calendar
from datetime import datetime
from typing import TypedDict

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN

STORAGE_VERSION = 1
SAVE_DELAY = 30


class _Stored(TypedDict, total=False):
    month: str
    calls: int
    endpoints: dict[str, int]


def month_key(now: datetime) -> str:
    """``YYYY-MM`` of a local time."""
    return f"{now.year:04d}-{now.month:02d}"


def month_fraction(now: datetime) -> float:
    """How much of the calendar month has passed (0…1)."""
    days = calendar.monthrange(now.year, now.month)[1]
    seconds = (now.day - 1) * 86400 + now.hour * 3600 + now.minute * 60 + now.second
    return seconds / (days * 86400)


def seconds_to_next_month(now: datetime) -> int:
    """Seconds until the first day of the next month (local time)."""
    days = calendar.monthrange(now.year, now.month)[1]
    return max(60, int(days * 86400 * (1 - month_fraction(now))))


class ApiUsage:
    """Counts the account's API calls for the current calendar month."""

    def __init__(self, hass: HomeAssistant, entry_id: str, budget: int) -> None:
        self._store: Store[_Stored] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.usage")
        self.budget = budget
        self._month = month_key(dt_util.now())
        self._calls = 0
        self._endpoints: dict[str, int] = {}
        self.quota_exhausted = False
        """Set when the cloud itself answered 30007 this month."""

    async def async_load(self) -> None:
        """Read the persisted count (a new month starts at zero)."""
        stored = await self._store.async_load()
        if stored and stored.get("month") == self._month:
            self._calls = int(stored.get("calls", 0))
            self._endpoints = {str(k): int(v) for k, v in stored.get("endpoints", {}).items()}

    def _roll(self) -> None:
        current = month_key(dt_util.now())
        if current != self._month:
            self._month = current
            self._calls = 0
            self._endpoints = {}
            self.quota_exhausted = False

    @property
    def calls(self) -> int:
        """Calls made this month."""
        self._roll()
        return self._calls

    @property
    def endpoints(self) -> dict[str, int]:
        """Calls made this month per endpoint (``lock/list`` …), most called first."""
        self._roll()
        return dict(sorted(self._endpoints.items(), key=lambda item: (-item[1], item[0])))

    @property
    def remaining(self) -> int:
        """Calls left in this month's budget."""
        return max(0, self.budget - self.calls)

    @property
    def exhausted(self) -> bool:
        """The budget is used up (or the cloud refused more calls)."""
        return self.quota_exhausted or self.calls >= self.budget

    def ahead_of_pace(self) -> bool:
        """More than the month's elapsed share of the budget is spent (plus a 5 % cushion)."""
        share = month_fraction(dt_util.now())
        return self.calls > self.budget * min(1.0, share + 0.05)

    @callback
    def record(self, path: str) -> None:
        """Count one request (called by the SDK client for every HTTP request)."""
        self._roll()
        self._calls += 1
        endpoint = path.removeprefix("/").removeprefix("v3/")
        self._endpoints[endpoint] = self._endpoints.get(endpoint, 0) + 1
        self._store.async_delay_save(self._data, SAVE_DELAY)

    def _data(self) -> _Stored:
        return {"month": self._month, "calls": self._calls, "endpoints": self._endpoints}

    async def async_save(self) -> None:
        """Write the count now (on unload)."""
        await self._store.async_save(self._data())

    async def async_remove(self) -> None:
        """Delete the stored count (entry removed)."""
        await self._store.async_remove()
