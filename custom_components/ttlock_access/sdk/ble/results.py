"""Typed results of lock commands (what the reply parsers return).

Dates are naive datetimes in the lock's wall time (docs/ble.md §5.0); None where the lock sent
bytes that are not a real date. Secret values (passcodes) are excluded from ``repr``
(docs/architecture.md rule 6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

from .const import PassageModeType, PasscodeType


class LockState(IntEnum):
    """Bolt state of ``0x14`` (0 locked, 1 unlocked; docs/ble.md §5.3)."""

    LOCKED = 0
    UNLOCKED = 1
    UNKNOWN = 2


@dataclass(frozen=True, slots=True)
class CommandAck:
    """A write command succeeded; most replies carry the battery level."""

    battery: int | None = None


@dataclass(frozen=True, slots=True)
class LockStatus:
    """``0x14`` reply: battery and bolt state.

    N8 found the state byte inert on one lock (docs/ble.md §5.3); treat it as a hint.
    """

    battery: int
    state: LockState
    raw_state: int


@dataclass(frozen=True, slots=True)
class ActuationResult:
    """``0x47`` UNLOCK / ``0x58`` LOCK / lift activation reply (docs/ble.md §5.4).

    Only the status is guaranteed; the SDK reads battery, then ``uid ‖ uniqueId ‖ d6`` when
    the reply has ≥ 17 bytes.
    """

    battery: int | None = None
    uid: int | None = None
    record_id: int | None = None
    lock_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Features:
    """``0x01`` reply: battery and feature words (docs/ble.md §5.3).

    Bit *n* of the feature value is bit ``n % 32`` of word ``n // 32``; ``special_value`` is
    word 0 (what KJS reads).
    """

    battery: int
    words: tuple[int, ...]

    @property
    def value(self) -> int:
        """All words as one integer (bit n = feature n)."""
        return sum(word << (32 * index) for index, word in enumerate(self.words))

    @property
    def special_value(self) -> int:
        """Word 0 (the SDK's ``specialValue``)."""
        return self.words[0] if self.words else 0

    @property
    def feature_value_hex(self) -> str:
        """The value as the cloud's upper-case hex ``featureValue``."""
        return f"{self.value:X}"

    def has(self, bit: int) -> bool:
        """Whether feature ``bit`` (a :class:`~.const.FeatureBit` or cloud ``Feature``) is set."""
        return bool(self.value >> int(bit) & 1)

    def bits(self) -> list[int]:
        """Numbers of all set feature bits."""
        value = self.value
        return [bit for bit in range(value.bit_length()) if value >> bit & 1]


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """``0x90`` strings (docs/ble.md §5.3); None for items the lock refused (docs/errata.md E12)."""

    model: str | None = None
    hardware_revision: str | None = None
    firmware_revision: str | None = None
    manufacture_date: str | None = None


@dataclass(frozen=True, slots=True)
class Passcode:
    """One keypad passcode of the ``0x07`` list (docs/ble.md §5.5).

    ``type`` is the lock's numbering (docs/errata.md E19: convert only at the cloud boundary).
    ``code`` is the current code, ``original`` the one it was created as.
    """

    type: int
    code: str = field(repr=False)
    original: str = field(repr=False)
    start: datetime | None
    end: datetime | None = None
    cycle: int | None = None
    """Raw ``cycle(2)`` of cyclic codes (meaning partly known; docs/errata.md E19)."""

    @property
    def passcode_type(self) -> PasscodeType | None:
        """``type`` as an enum, if known."""
        try:
            return PasscodeType(self.type)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Card:
    """One IC card (docs/ble.md §5.6): number and validity window."""

    number: int = field(repr=False)
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """One fingerprint: a 6-byte id, kept opaque (docs/errata.md E18), and its validity window."""

    fingerprint_id: int
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class CardAddMode:
    """Progress of card enrolment: the lock waits for a card (docs/ble.md §5.6 step 2)."""

    battery: int | None = None


@dataclass(frozen=True, slots=True)
class FingerprintProgress:
    """Progress of fingerprint enrolment (docs/ble.md §5.7).

    ``current`` touches done of ``total`` (None when the lock did not say); ``current == 0``
    means "ready, place the finger".
    """

    current: int | None
    total: int | None


@dataclass(frozen=True, slots=True)
class AutoLockInfo:
    """``0x36`` query reply: seconds (0 = off) and the lock's allowed range (docs/errata.md E8)."""

    battery: int
    seconds: int
    min_seconds: int
    max_seconds: int


@dataclass(frozen=True, slots=True)
class PassageModeEntry:
    """One passage-mode window of ``0x66`` (docs/ble.md §5.9).

    ``week_or_day``: weekday 1–7 = Monday–Sunday (0 = every day per KJS) for weekly entries,
    day of month for monthly ones. Minutes are minutes of the day; 0–0 = all day (KJS).
    """

    type: PassageModeType | int
    week_or_day: int
    month: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True, slots=True)
class SoundSettings:
    """``0x62`` audio state: on/off and, on locks with volume (feature 43), the level 1–5."""

    enabled: bool
    volume: int | None = None


@dataclass(frozen=True, slots=True)
class SettingValue:
    """Generic ``[battery][op][value…]`` reply of a query (``0x37``, ``0x59``, ``0x68`` …)."""

    battery: int
    value: int


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One operation-log record (docs/ble.md §5.8). Unknown types keep only ``tail``.

    ``passcode`` / ``entered_passcode`` may be working codes: secrets (N8 §4).
    """

    type: int
    time: datetime | None
    battery: int
    tail: bytes = field(repr=False)
    uid: int | None = None
    record_id: int | None = None
    key_id: int | None = None
    passcode: str | None = field(default=None, repr=False)
    """Stored (or wrong / modified-from / deleted) passcode, per the record type."""
    entered_passcode: str | None = field(default=None, repr=False)
    """Second code of the record: entered, new, removed or kicked-out code."""
    card_number: int | None = field(default=None, repr=False)
    fingerprint_id: int | None = None
    mac: str | None = None
    accessory_battery: int | None = None
    delete_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class LogPage:
    """One ``0x25`` reply: records and the cursor to ask for next (docs/ble.md §5.8)."""

    total: int
    next_seq: int | None
    records: tuple[LogRecord, ...]
