"""What the account coordinator asks the cloud, and when: a push-aware schedule.

TTLock's developer tiers cap the API calls of a month (docs/cloud.md §3.1), and once its
callback URL works the cloud *tells* Home Assistant about unlocks, gateway outages and
battery levels (docs/cloud.md §2.9). So the schedule has two sets of periods:

* **pushes working** — lock state and activity come from pushes; the inventory
  (``lock/list``, whose ``electricQuantity`` is the battery, and ``gateway/list``) is read
  every 5 h, each lock's records once a day as a safety net, details and gateway signal
  once a week;
* **no pushes** (none seen yet, or one was missed) — each remote lock's records are read
  every poll, the ones with recent activity first; inventory every 2 h, gateway signal
  every 6 h, details and the lock state twice a day.

Every poll spends at most ``cap`` per-lock calls, most needed first, so a 1,000-lock account
costs no more per poll than a 3-lock home. :class:`PushHealth` decides which set applies.
Pure logic: no Home Assistant objects, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, Literal

from .models import LockRuntime
from .sdk.model import Feature

type Kind = Literal["state", "detail", "records", "signal"]

LOCK_PAGE: Final = 1000
"""``lock/list`` page size (docs/cloud.md §2.1)."""
GATEWAY_PAGE: Final = 200
"""``gateway/list`` page size (docs/cloud.md §2.6)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Periods:
    """How old each kind of information may grow before it is read again."""

    inventory: timedelta
    records: timedelta
    """Zero: every poll."""
    detail: timedelta
    signal: timedelta
    state: timedelta | None
    """None: read once (when unknown), then only pushes and records change it."""


WITH_PUSH: Final = Periods(
    inventory=timedelta(hours=5),  # polls fall on the interval: a battery shows within 6 h
    records=timedelta(days=1),
    detail=timedelta(days=7),
    signal=timedelta(days=7),
    state=None,
)
WITHOUT_PUSH: Final = Periods(
    inventory=timedelta(hours=2),
    records=timedelta(0),
    detail=timedelta(hours=12),
    signal=timedelta(hours=6),
    state=timedelta(hours=12),
)

PUSH_GRACE: Final = timedelta(minutes=5)
"""A record the cloud had for this long without pushing it means a push was missed."""
PUSH_ISSUE_AFTER: Final = timedelta(hours=1)
"""Pushes missed and none arriving for this long: a repair issue explains the callback URL."""
ACTIVITY_WINDOW: Final = timedelta(days=1)
"""Without pushes, locks with activity this recent have their records read more often."""
QUIET_HANDICAP: Final = timedelta(hours=2)
"""How much later than a busy door a quiet one's records come round."""


class PushState(StrEnum):
    """Whether TTLock's callbacks reach Home Assistant."""

    WAITING = "waiting"
    """No callback seen yet (the URL may not be set in TTLock's developer console)."""
    WORKING = "working"
    MISSED = "missed"
    """A record reached Home Assistant by polling that the cloud should have pushed."""


@dataclass(slots=True)
class PushHealth:
    """Evidence that pushes arrive: the last one, and any record they should have brought."""

    seen: bool = False
    last_push: datetime | None = None
    missed_at: datetime | None = None
    missed_lock: int | None = None
    expected: dict[int, datetime] = field(default_factory=dict)
    """Lock → when a push for it is overdue (a command Home Assistant sent by the cloud)."""

    @property
    def state(self) -> PushState:
        """Working, missed or still waiting for the first callback."""
        if self.missed_at is not None:
            return PushState.MISSED
        return PushState.WORKING if self.seen else PushState.WAITING

    @property
    def working(self) -> bool:
        """Pushes can be relied on: the slow schedule applies."""
        return self.state is PushState.WORKING

    def pushed(self, now: datetime, lock_id: int | None = None) -> None:
        """A callback arrived (for ``lock_id``, if it names one): the URL works."""
        self.seen = True
        self.last_push = now
        self.missed_at = self.missed_lock = None
        if lock_id is None:
            self.expected.clear()
        else:
            self.expected.pop(lock_id, None)

    def expect(self, lock_id: int, now: datetime) -> None:
        """Home Assistant changed ``lock_id`` through the cloud: its record must be pushed."""
        if self.working:
            self.expected.setdefault(lock_id, now + PUSH_GRACE)

    def polled(self, lock_id: int, uploaded: datetime, now: datetime) -> None:
        """Polling found a record the pushes did not bring, uploaded at ``uploaded``."""
        if self.working and now - uploaded >= PUSH_GRACE:
            self.missed(lock_id, now)

    def missed(self, lock_id: int, now: datetime) -> None:
        """A push that should have come did not: poll until pushes arrive again."""
        if self.missed_at is None:
            self.missed_at, self.missed_lock = now, lock_id

    def check(self, now: datetime) -> None:
        """Overdue expectations count as missed pushes."""
        for lock_id, due in list(self.expected.items()):
            if now >= due:
                del self.expected[lock_id]
                self.missed(lock_id, now)

    def issue_due(self, now: datetime) -> bool:
        """Pushes were missed and none came for :data:`PUSH_ISSUE_AFTER`."""
        if self.missed_at is None:
            return False
        since = max(self.missed_at, self.last_push) if self.last_push else self.missed_at
        return now - since >= PUSH_ISSUE_AFTER


def _stale(at: datetime | None, period: timedelta, now: datetime, slack: timedelta) -> bool:
    return at is None or now - at >= period - slack


def inventory_due(
    last: datetime | None, periods: Periods, now: datetime, interval: timedelta
) -> bool:
    """Whether this poll reads ``lock/list`` and ``gateway/list``."""
    return _stale(last, max(periods.inventory, interval), now, interval / 2)


def lock_plan(
    runtimes: Iterable[LockRuntime],
    periods: Periods,
    now: datetime,
    *,
    cap: int,
    interval: timedelta,
    records: bool = True,
) -> list[tuple[Kind, int]]:
    """The per-lock calls of this poll, most needed first, at most ``cap``.

    Unknown states first, then missing details, due records (recent activity first), missing
    gateway signal, and finally whatever has grown oldest past its period. Without pushes,
    records get all calls but a quarter whatever else is due.
    """
    slack = interval / 2
    never = datetime.min.replace(tzinfo=now.tzinfo)
    ranked: list[tuple[int, datetime, Kind, int]] = []
    for lock_id, rt in ((rt.lock.lock_id, rt) for rt in runtimes):
        # a lock heard over Bluetooth tells its state and records for free, but not its door
        remote = rt.lock.is_remote and not rt.ble_fresh
        door_unknown = (
            rt.lock.is_remote and rt.door is None and rt.lock.features.has(Feature.DOOR_SENSOR)
        )
        if (remote or door_unknown) and rt.state_checked_at is None:
            ranked.append((0, never, "state", lock_id))
        elif (
            (remote or door_unknown)
            and periods.state is not None
            and _stale(rt.state_checked_at, periods.state, now, slack)
        ):
            ranked.append((5, rt.state_checked_at or never, "state", lock_id))
        if rt.detail_at is None:
            ranked.append((1, never, "detail", lock_id))
        elif _stale(rt.detail_at, periods.detail, now, slack):
            ranked.append((5, rt.detail_at, "detail", lock_id))
        if records and remote and _stale(rt.records_at, periods.records, now, slack):
            busy = rt.activity_at is not None and now - rt.activity_at < ACTIVITY_WINDOW
            # the one read longest ago first, a quiet door as if read QUIET_HANDICAP later:
            # busy doors come round more often without starving the others
            last = rt.records_at or never
            ranked.append(
                (2, last if busy or last == never else last + QUIET_HANDICAP, "records", lock_id)
            )
        if rt.lock.has_gateway:
            if rt.signal_at is None:
                ranked.append((3, never, "signal", lock_id))
            elif _stale(rt.signal_at, periods.signal, now, slack):
                ranked.append((5, rt.signal_at, "signal", lock_id))
    ranked.sort(key=lambda item: (item[0], item[1], item[3]))
    chosen = ranked[:cap]
    if not periods.records:
        # without pushes, records are how activity shows: they get every call of a poll but
        # a quarter, so first reads of a large account's states and details cannot starve
        # them (and those still progress)
        reads = [item for item in ranked if item[2] == "records"]
        others = [item for item in ranked if item[2] != "records"]
        take = min(len(reads), cap - min(len(others), cap // 4))
        chosen = sorted(
            reads[:take] + others[: cap - take], key=lambda item: (item[0], item[1], item[3])
        )
    return [(kind, lock_id) for _, _, kind, lock_id in chosen]


@dataclass(frozen=True, slots=True)
class Estimate:
    """Calls a month the schedule spends for an account of this shape."""

    with_push: int
    without_push: int


def monthly_estimate(
    runtimes: Iterable[LockRuntime], gateways: int, interval: timedelta, cap: int
) -> Estimate:
    """Steady-state calls per 30-day month with and without pushes (first reads excluded)."""
    rts = list(runtimes)
    polls = timedelta(days=1) / interval
    pages = math.ceil(max(1, len(rts)) / LOCK_PAGE) + math.ceil(max(1, gateways) / GATEWAY_PAGE)
    remote = sum(rt.lock.is_remote for rt in rts)
    gated = sum(rt.lock.has_gateway for rt in rts)

    def per_day(periods: Periods) -> float:
        def rate(period: timedelta | None, count: int) -> float:
            if period is None or not count:
                return 0.0
            return count * min(polls, timedelta(days=1) / max(period, interval))

        inventory = pages * timedelta(days=1) / max(periods.inventory, interval)
        locks = (
            rate(periods.records, remote)
            + rate(periods.detail, len(rts))
            + rate(periods.signal, gated)
            + rate(periods.state, remote)
        )
        return inventory + min(locks, cap * polls)

    return Estimate(
        with_push=round(per_day(WITH_PUSH) * 30),
        without_push=round(per_day(WITHOUT_PUSH) * 30),
    )
