"""The monthly passcode ledger: the one place that counts, checks and feeds the sensor.

Since April 2026 TTLock app accounts may create only a few passcodes per lock and calendar
month (docs/cloud.md, "Limits"). When the ``monthly_passcode_limit`` option is set, the
integration counts the counted passcode types it creates per lock and month (in Home
Assistant's time zone), refuses more, or writes a custom code straight into the lock over
Bluetooth, outside the app's count, when the lock is in range.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from homeassistant.util import dt as dt_util

COUNTED_TYPES = frozenset(
    {"custom_permanent", "custom_period", "permanent", "period"}
    | {"weekend", "daily", "workday", "monday", "tuesday", "wednesday", "thursday"}
    | {"friday", "saturday", "sunday"}
)
"""Passcode types counted by TTLock's monthly limit (one-time and erase codes are not)."""
CUSTOM_TYPES = ("custom_permanent", "custom_period")


def month_of(value: datetime) -> str:
    """``YYYY-MM`` in Home Assistant's time zone."""
    local = dt_util.as_local(value)
    return f"{local.year:04d}-{local.month:02d}"


class LimitReachedError(Exception):
    """The monthly passcode limit of a lock is reached (and Bluetooth cannot write around it)."""

    def __init__(self, lock_id: int, limit: int) -> None:
        super().__init__(f"lock {lock_id}: {limit} passcodes this month")
        self.lock_id = lock_id
        self.limit = limit


class PasscodeLedger:
    """Counts of the month's passcodes per lock, over the persisted ``{month: {lock: n}}``."""

    def __init__(self, months: dict[str, dict[str, int]], limit: Callable[[], int]) -> None:
        self._months = months
        self._limit = limit

    @property
    def limit(self) -> int:
        """The option's limit (0: off)."""
        return int(self._limit() or 0)

    def used(self, lock_id: int, when: datetime | None = None) -> int:
        """Counted passcodes created on a lock in the month of ``when`` (now)."""
        return self._months.get(month_of(when or dt_util.utcnow()), {}).get(str(lock_id), 0)

    def left(self, lock_id: int) -> int:
        """Passcodes the lock may still get this month."""
        return max(0, self.limit - self.used(lock_id))

    def count(self, lock_id: int, variant: str | None, when: datetime | None = None) -> None:
        """Record one passcode of ``variant`` created on a lock."""
        if variant not in COUNTED_TYPES:
            return
        month = self._months.setdefault(month_of(when or dt_util.utcnow()), {})
        month[str(lock_id)] = month.get(str(lock_id), 0) + 1

    def check(
        self, lock_ids: Iterable[int], variant: str, in_bluetooth_range: Callable[[int], bool]
    ) -> bool:
        """Whether a new passcode of ``variant`` fits; True when it must go over Bluetooth
        (written straight into the lock, outside the app's count). Raises
        :class:`LimitReachedError` when it does not fit at all."""
        limit = self.limit
        if not limit or variant not in COUNTED_TYPES:
            return False
        ble_only = False
        for lock_id in lock_ids:
            if self.used(lock_id) < limit:
                continue
            if variant in CUSTOM_TYPES and in_bluetooth_range(lock_id):
                ble_only = True
                continue
            raise LimitReachedError(lock_id, limit)
        return ble_only
