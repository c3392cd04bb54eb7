"""What a simulated lock stores: keypad passcodes, card and fingerprint windows, passage-mode
windows and operation-log records (``docs/ble.md`` §5.5–§5.9), plus the rules a lock may ask
instead of its own tables (:class:`AccessRules`, answered by :mod:`.world_link`).

Only values live here; the lock that holds them is :class:`~simulator.ble.core.LockCore`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from .protocol import PERMANENT_END, PERMANENT_START, d6

__all__ = [
    "AccessDecision",
    "AccessRules",
    "EventKind",
    "OperationRecord",
    "PassageWindow",
    "StoredCredential",
    "StoredPasscode",
]


class EventKind(StrEnum):
    """What :class:`~simulator.ble.core.SimLockEvent` reports."""

    STATE = "state"
    BATTERY = "battery"
    RECORD = "record"
    PAIRED = "paired"
    RESET = "reset"
    SETTINGS = "settings"
    LIFT = "lift"


@dataclass(slots=True)
class StoredPasscode:
    """A keypad passcode as the lock keeps it (raw d5 windows are echoed as received)."""

    kind: int
    code: str = field(repr=False)
    original: str = field(repr=False)
    start: bytes = PERMANENT_START
    end: bytes | None = None
    cycle: bytes | None = None


@dataclass(slots=True)
class StoredCredential:
    """Validity window of a card or fingerprint."""

    start: bytes = PERMANENT_START
    end: bytes = PERMANENT_END


@dataclass(frozen=True, slots=True)
class PassageWindow:
    """One passage-mode entry (§5.9): weekly (type 1, weekday 1–7, 0 = every day) or monthly."""

    kind: int
    week_or_day: int
    month: int
    start_minute: int
    end_minute: int

    def encode(self) -> bytes:
        """The seven wire bytes."""
        sh, sm = divmod(self.start_minute, 60)
        eh, em = divmod(self.end_minute, 60)
        return bytes((self.kind, self.week_or_day, self.month, sh, sm, eh, em))

    @classmethod
    def decode(cls, raw: bytes) -> PassageWindow:
        """From seven wire bytes."""
        kind, day, month, sh, sm, eh, em = raw[:7]
        return cls(kind, day, month, sh * 60 + sm, eh * 60 + em)

    def active(self, now: datetime) -> bool:
        """Whether ``now`` falls in this window (00:00–00:00 = all day)."""
        if self.kind == 1:
            day_ok = self.week_or_day in (0, now.isoweekday())
        elif self.kind == 2:
            day_ok = self.week_or_day == now.day
        else:
            return False
        minute = now.hour * 60 + now.minute
        all_day = self.start_minute == self.end_minute == 0
        return day_ok and (all_day or self.start_minute <= minute < self.end_minute)


@dataclass(frozen=True, slots=True)
class OperationRecord:
    """One operation-log record: ``[type][d6][battery][tail]`` (§5.8)."""

    kind: int
    time: datetime
    battery: int
    tail: bytes = field(default=b"", repr=False)
    uid: int | None = None
    record_id: int | None = None
    code: str | None = field(default=None, repr=False)
    entered: str | None = field(default=None, repr=False)
    card: int | None = None
    fingerprint: int | None = None

    def encode(self) -> bytes:
        """``[len][type][d6][battery][tail]``; len counts everything after itself."""
        body = bytes((self.kind,)) + d6(self.time) + bytes((self.battery,)) + self.tail
        return bytes((len(body),)) + body


@dataclass(frozen=True, slots=True)
class AccessDecision:
    """What the keypad or a reader does with one attempt (see :class:`AccessRules`)."""

    opens: bool
    kind: int
    """Operation-log record type to write (§5.8: 4, 7, 10, 11, 13; 17/25; 20/22)."""
    code: str | None = field(default=None, repr=False)
    """Keypad: the stored code the attempt matched (record tail ``len‖code‖len‖entered``)."""


class AccessRules(Protocol):
    """Rules a lock asks instead of its own tables (:attr:`SimulatedLock.access_rules
    <simulator.ble.lock.SimulatedLock.access_rules>`).

    A lock linked to the simulated cloud (:mod:`.world_link`) keeps its credentials in the
    world lock's memory, whose keypad also knows the STAND-IN offline codes and erase codes;
    the lock still writes the log record, moves the bolt and pushes its state itself.
    """

    def keypad(self, entered: str) -> AccessDecision:
        """Digits typed on the keypad (non-digits already removed, never empty)."""
        ...

    def card(self, number: int) -> AccessDecision:
        """A card held to the reader outside card add mode."""
        ...

    def fingerprint(self, number: int) -> AccessDecision:
        """A finger on the sensor outside enrolment."""
        ...

    def forget_code(self, code: str) -> bool:
        """``0x03`` delete of a code the table does not hold (an offline code): True when
        the lock now refuses it."""
        ...
