"""STAND-IN offline ("random") passcode algorithm — **NOT TTLock's algorithm**.

TTLock's cloud computes offline passcodes (``keyboardPwd/get``, keyboardPwdVersion 4) from
the yearly ``pwdInfo`` tables the lock received at pairing; how type, start hour and
validity are encoded into the digits is **not public**
(``docs/ble.md`` §8.3). A faithful simulator therefore cannot accept real
TTLock codes. This module is a deterministic, clearly labelled stand-in with the same
*inputs* and *observable rules*, so that the simulated cloud can hand out codes and the
simulated lock keypad can check them without talking to the cloud:

Inputs (§8.1/§8.2)
    the lock's yearly table entries (``KeyMaterial.pwd_info_entries``: ``year``,
    ``code`` < 1071, ``secretKey`` = a permutation of the digits 0–9), the keyboardPwdType,
    the validity window (hour granularity, lock local time via ``timezoneRawOffset``)
    and, for one-time / permanent / erase codes, a sequence slot.

Code shape (STAND-IN)
    7 digits for permanent (2) and erase (4), 8 digits for the cyclic types (5–14),
    9 digits for one-time (1) and period (3) codes — "the length grows with
    type/validity" (``docs/cloud.md`` §2.2, ``docs/ble.md`` §8.3).

Encoding (STAND-IN)
    ``payload`` = mixed-radix number of (type, slot or duration or daily window, start
    hour of the year); ``value`` = ``payload × C + check`` where ``check`` = SHA-256 of
    (table entry, length, payload) mod ``C`` and ``C`` = ⌊10^N / payload space⌋
    (28, 47 and 12 for 7, 8 and 9 digits); the value is whitened with an affine map
    mod 10^N derived from the year's ``code`` and ``secretKey`` and its digits are finally
    substituted through the ``secretKey`` permutation. The start year selects the table
    entry, so the lock can decode a code back to its parameters with nothing but its own
    key material — as a real lock must for codes issued while it is offline.

Rules the lock applies (``docs/cloud.md`` §2.2 / §3.3; :func:`check_offline_code`)
    * 1 one-time: usable once, only within 6 h of its start;
    * 2 permanent / 3 period: must be entered once within 24 h of the start, else void;
      period codes only until their end;
    * 4 erase: clears every other passcode on the lock when entered; single use and,
      like permanent codes, void if not used within 24 h of its start **[INFERRED]**;
    * 5–14 cyclic: from the start day on, only inside the daily window (the start and end
      clock times of the first day) on weekend / every day / workdays / one weekday.
    Cloud-side resolution (:func:`resolve_offline_window`): start and end round down to the
    hour; periods over a year resolve to whole months (end = start + n months); one-time
    codes end 6 h after their start; cyclic windows must not cross midnight **[STAND-IN]**.

Lock-side memory (:class:`KeypadMemory`, kept on ``Lock.keypad``): first uses, consumed
one-time/erase codes, codes deleted through the cloud (blacklist) and the last erase time
(offline codes starting before that hour and custom codes stored before it no longer open).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .lockdata import PwdInfoEntry

__all__ = [
    "CYCLIC_WEEKDAYS",
    "ERASE",
    "FIRST_USE_WINDOW_MS",
    "HOUR_MS",
    "ONE_TIME",
    "ONE_TIME_WINDOW_MS",
    "PERIOD",
    "PERMANENT",
    "SLOT_CAPACITY",
    "STAND_IN_LABEL",
    "KeypadMemory",
    "OfflineCode",
    "Outcome",
    "add_months",
    "check_offline_code",
    "decode_offline_code",
    "floor_hour",
    "generate_offline_code",
    "keypad_memory",
    "resolve_offline_window",
    "use_offline_code",
]

STAND_IN_LABEL = "STAND-IN, not TTLock's algorithm"

ONE_TIME = 1
PERMANENT = 2
PERIOD = 3
ERASE = 4
#: keyboardPwdType → ISO weekdays (1 Monday … 7 Sunday) of the cyclic types 5–14 (§2.2).
CYCLIC_WEEKDAYS: dict[int, frozenset[int]] = {
    5: frozenset({6, 7}),
    6: frozenset(range(1, 8)),
    7: frozenset(range(1, 6)),
    **{8 + day: frozenset({day + 1}) for day in range(7)},
}
#: Codes per lock and identical start hour (§2.2: 200 one-time, 20 permanent; erase: same
#: as permanent [STAND-IN]).
SLOT_CAPACITY: dict[int, int] = {ONE_TIME: 200, PERMANENT: 20, ERASE: 20}

HOUR_MS = 3_600_000
ONE_TIME_WINDOW_MS = 6 * HOUR_MS
FIRST_USE_WINDOW_MS = 24 * HOUR_MS
_YEAR_HOURS = 366 * 24  # start hour of the year: 0 … 8783
_PERIOD_HOURS = 366 * 24  # period durations 1 … 8784 h …
_PERIOD_MONTHS = range(13, 121)  # … or 13 … 120 months (≤ 10 years: the table's span)
_DURATIONS = _PERIOD_HOURS + len(_PERIOD_MONTHS)

# payload spaces per code length (see the module docstring)
_SPACE_7 = 2 * SLOT_CAPACITY[PERMANENT] * _YEAR_HOURS  # permanent + erase
_SPACE_8 = len(CYCLIC_WEEKDAYS) * 24 * _YEAR_HOURS  # cyclic type × window length
_ONE_TIME_SPACE = SLOT_CAPACITY[ONE_TIME] * _YEAR_HOURS
_SPACE_9 = _ONE_TIME_SPACE + _DURATIONS * _YEAR_HOURS  # one-time + period
_SPACES = {7: _SPACE_7, 8: _SPACE_8, 9: _SPACE_9}
_CHECK: dict[int, int] = {length: 10**length // space for length, space in _SPACES.items()}


@dataclass(frozen=True, slots=True)
class OfflineCode:
    """The parameters an offline code stands for (effective, already resolved values)."""

    kind: int
    """keyboardPwdType 1–14."""
    start_ms: int
    """Effective start: on the hour (lock local time), epoch ms."""
    end_ms: int
    """Effective end; 0 for permanent and erase codes; start + 6 h for one-time codes; the
    end of the first day's window for cyclic codes."""
    slot: int = 0
    """Sequence number among codes of the same type and start (one-time/permanent/erase)."""

    @property
    def length(self) -> int:
        """Number of digits of the STAND-IN code."""
        if self.kind in (PERMANENT, ERASE):
            return 7
        if self.kind in CYCLIC_WEEKDAYS:
            return 8
        return 9


# --- time helpers (lock local time = UTC + timezoneRawOffset) -------------------------------


def _local(ms: int, tz_offset_ms: int) -> datetime:
    """The lock's wall-clock time as a naive-in-spirit UTC datetime."""
    return datetime.fromtimestamp((ms + tz_offset_ms) / 1000, UTC)


def _epoch_ms(local: datetime, tz_offset_ms: int) -> int:
    return round(local.timestamp() * 1000) - tz_offset_ms


def floor_hour(ms: int, tz_offset_ms: int = 0) -> int:
    """Round an instant down to the hour of the lock's clock (§2.2: 19:20 → 19:00)."""
    local = ms + tz_offset_ms
    return local - local % HOUR_MS - tz_offset_ms


def add_months(ms: int, months: int, tz_offset_ms: int = 0) -> int:
    """``ms`` plus whole calendar months on the lock's clock (day clamped to the month)."""
    local = _local(ms, tz_offset_ms)
    index = local.year * 12 + local.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    day = min(local.day, _days_in_month(year, month))
    return _epoch_ms(local.replace(year=year, month=month, day=day), tz_offset_ms)


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (datetime(year, month + 1, 1, tzinfo=UTC) - datetime(year, month, 1, tzinfo=UTC)).days


def _year_start_ms(year: int, tz_offset_ms: int) -> int:
    return _epoch_ms(datetime(year, 1, 1, tzinfo=UTC), tz_offset_ms)


def _hours_in_year(year: int) -> int:
    return (_year_start_ms(year + 1, 0) - _year_start_ms(year, 0)) // HOUR_MS


def _whole_months(start_ms: int, end_ms: int, tz_offset_ms: int) -> int:
    start, end = _local(start_ms, tz_offset_ms), _local(end_ms, tz_offset_ms)
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start_ms, months, tz_offset_ms) > end_ms:
        months -= 1
    return months


# --- cloud side: resolving the requested window -------------------------------------------


def resolve_offline_window(
    kind: int, start_ms: int, end_ms: int | None, tz_offset_ms: int = 0, slot: int = 0
) -> OfflineCode:
    """Effective parameters of a ``keyboardPwd/get`` request (raises ``ValueError``).

    Start and end round down to the hour; a period longer than a year resolves to whole
    months; one-time codes last 6 h; cyclic codes take the clock times of ``start_ms`` and
    ``end_ms`` (same day, at least one hour, not across midnight) as their daily window.
    """
    if kind not in range(1, 15):
        raise ValueError(f"keyboardPwdType must be 1–14, got {kind}")
    if start_ms <= 0:
        raise ValueError("startDate is required")
    start = floor_hour(start_ms, tz_offset_ms)
    if kind == ONE_TIME:
        return OfflineCode(kind, start, start + ONE_TIME_WINDOW_MS, slot)
    if kind in (PERMANENT, ERASE):
        return OfflineCode(kind, start, 0, slot)
    if not end_ms:
        raise ValueError("endDate is required for period and cyclic passcodes")
    end = floor_hour(end_ms, tz_offset_ms)
    if end <= start:
        raise ValueError("endDate must be at least one hour after startDate")
    if kind == PERIOD:
        if end - start > _PERIOD_HOURS * HOUR_MS or end > add_months(start, 12, tz_offset_ms):
            months = _whole_months(start, end, tz_offset_ms)
            if months > _PERIOD_MONTHS.stop - 1:
                raise ValueError("a period passcode can last at most 10 years")
            end = add_months(start, months, tz_offset_ms)
        return OfflineCode(kind, start, end, 0)
    hours = (end - start) // HOUR_MS
    first_hour = _local(start, tz_offset_ms).hour
    if first_hour + hours > 24:
        raise ValueError("a cyclic passcode's daily window must end by midnight of its day")
    return OfflineCode(kind, start, end, 0)


# --- encoding ------------------------------------------------------------------------------


def _entry_for_year(entries: Iterable[PwdInfoEntry], year: int) -> PwdInfoEntry | None:
    for entry in entries:
        if entry.year == year:
            return entry
    return None


def _digest(*parts: Any) -> int:
    text = "|".join(str(part) for part in ("ttlock-sim-offline-stand-in", *parts))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _affine(entry: PwdInfoEntry, length: int) -> tuple[int, int]:
    """Whitening ``x → (x·m + a) mod 10^N`` with ``m`` a unit mod 10^N."""
    modulus = 10**length
    raw = _digest("mul", entry.year, entry.code, entry.secret_key, length) % modulus
    multiplier = raw - raw % 10 + (1, 3, 7, 9)[raw % 4]
    offset = _digest("add", entry.year, entry.code, entry.secret_key, length) % modulus
    return multiplier, offset


def _check(entry: PwdInfoEntry, length: int, payload: int) -> int:
    return _digest("chk", entry.code, entry.secret_key, length, payload) % _CHECK[length]


def _payload(code: OfflineCode, hour: int, tz_offset_ms: int) -> int:
    kind = code.kind
    if kind in (PERMANENT, ERASE):
        capacity = SLOT_CAPACITY[PERMANENT]
        if not 0 <= code.slot < capacity:
            raise ValueError(f"slot must be 0–{capacity - 1}")
        return ((kind == ERASE) * capacity + code.slot) * _YEAR_HOURS + hour
    if kind in CYCLIC_WEEKDAYS:
        hours = (code.end_ms - code.start_ms) // HOUR_MS
        if not 1 <= hours <= 24:
            raise ValueError("a cyclic window lasts 1–24 hours")
        return ((kind - 5) * 24 + hours - 1) * _YEAR_HOURS + hour
    if kind == ONE_TIME:
        if not 0 <= code.slot < SLOT_CAPACITY[ONE_TIME]:
            raise ValueError(f"slot must be 0–{SLOT_CAPACITY[ONE_TIME] - 1}")
        return code.slot * _YEAR_HOURS + hour
    if kind == PERIOD:
        hours, rest = divmod(code.end_ms - code.start_ms, HOUR_MS)
        if rest == 0 and 1 <= hours <= _PERIOD_HOURS:
            duration = hours - 1
        else:
            months = _whole_months(code.start_ms, code.end_ms, tz_offset_ms)
            if months not in _PERIOD_MONTHS or add_months(code.start_ms, months, tz_offset_ms) != (
                code.end_ms
            ):
                raise ValueError("period end must be on the hour, ≤ 1 year, or whole months")
            duration = _PERIOD_HOURS + months - _PERIOD_MONTHS.start
        return _ONE_TIME_SPACE + duration * _YEAR_HOURS + hour
    raise ValueError(f"unknown keyboardPwdType {kind}")


def generate_offline_code(
    entries: Sequence[PwdInfoEntry], code: OfflineCode, tz_offset_ms: int = 0
) -> str:
    """The STAND-IN digits of an offline code (raises ``LookupError`` without a table entry).

    ``code`` must hold effective values (see :func:`resolve_offline_window`).
    """
    start_local = _local(code.start_ms, tz_offset_ms)
    entry = _entry_for_year(entries, start_local.year)
    if entry is None:
        raise LookupError(f"no passcode table entry for {start_local.year}")
    if floor_hour(code.start_ms, tz_offset_ms) != code.start_ms:
        raise ValueError("start must be on the hour")
    hour = (code.start_ms - _year_start_ms(start_local.year, tz_offset_ms)) // HOUR_MS
    length = code.length
    payload = _payload(code, hour, tz_offset_ms)
    value = payload * _CHECK[length] + _check(entry, length, payload)
    multiplier, offset = _affine(entry, length)
    mixed = (value * multiplier + offset) % 10**length
    return "".join(entry.secret_key[int(digit)] for digit in f"{mixed:0{length}d}")


def _decode_with(entry: PwdInfoEntry, digits: str, tz_offset_ms: int) -> OfflineCode | None:
    length = len(digits)
    inverse = {char: str(index) for index, char in enumerate(entry.secret_key)}
    if len(inverse) != 10:
        return None
    mixed = int("".join(inverse[char] for char in digits))
    multiplier, offset = _affine(entry, length)
    modulus = 10**length
    value = (mixed - offset) * pow(multiplier, -1, modulus) % modulus
    payload, check = divmod(value, _CHECK[length])
    if payload >= _SPACES[length] or check != _check(entry, length, payload):
        return None
    rest, hour = divmod(payload, _YEAR_HOURS)
    if hour >= _hours_in_year(entry.year):
        return None
    start = _year_start_ms(entry.year, tz_offset_ms) + hour * HOUR_MS
    if length == 7:
        erase, slot = divmod(rest, SLOT_CAPACITY[PERMANENT])
        return OfflineCode(ERASE if erase else PERMANENT, start, 0, slot)
    if length == 8:
        type_index, window = divmod(rest, 24)
        code = OfflineCode(5 + type_index, start, start + (window + 1) * HOUR_MS)
        if _local(start, tz_offset_ms).hour + window + 1 > 24:
            return None
        return code
    if payload < _ONE_TIME_SPACE:
        return OfflineCode(ONE_TIME, start, start + ONE_TIME_WINDOW_MS, rest)
    duration, _hour = divmod(payload - _ONE_TIME_SPACE, _YEAR_HOURS)
    if duration < _PERIOD_HOURS:
        return OfflineCode(PERIOD, start, start + (duration + 1) * HOUR_MS)
    months = duration - _PERIOD_HOURS + _PERIOD_MONTHS.start
    return OfflineCode(PERIOD, start, add_months(start, months, tz_offset_ms))


def decode_offline_code(
    entries: Sequence[PwdInfoEntry], digits: str, tz_offset_ms: int = 0
) -> list[OfflineCode]:
    """Every parameter set the STAND-IN digits decode to (normally zero or one)."""
    if len(digits) not in _SPACES or not digits.isdigit():
        return []
    found: list[OfflineCode] = []
    for entry in entries:
        code = _decode_with(entry, digits, tz_offset_ms)
        if code is not None:
            found.append(code)
    return found


# --- lock side: memory and rules ----------------------------------------------------------


@dataclass
class KeypadMemory:
    """What the simulated lock remembers about keypad codes (lives on ``Lock.keypad``)."""

    first_used: dict[str, int] = field(default_factory=dict)
    """Offline code digits → first successful entry (epoch ms)."""
    meaning: dict[str, OfflineCode] = field(default_factory=dict)
    """Digits → the parameters they were accepted with (the STAND-IN's weak check lets a
    few digit strings decode under more than one yearly table; once used, only the
    meaning the lock accepted counts)."""
    consumed: set[str] = field(default_factory=set)
    """Single-use codes already used (one-time, erase)."""
    blacklist: set[str] = field(default_factory=set)
    """Offline codes deleted through the cloud (the lock refuses them)."""
    erased_at_ms: int | None = None
    """Last time an erase code was entered."""

    def erased_before(self, start_ms: int, tz_offset_ms: int = 0) -> bool:
        """Whether an offline code starting at ``start_ms`` was wiped by an erase code."""
        if self.erased_at_ms is None:
            return False
        return start_ms < floor_hour(self.erased_at_ms, tz_offset_ms)


def keypad_memory(lock: Any) -> KeypadMemory:
    """The lock's :class:`KeypadMemory` (created on first use)."""
    memory = getattr(lock, "keypad", None)
    if not isinstance(memory, KeypadMemory):
        memory = KeypadMemory()
        lock.keypad = memory
    return memory


@dataclass(frozen=True, slots=True)
class Outcome:
    """Result of checking one candidate code on the keypad."""

    accepted: bool
    reason: str
    """``ok``, ``unknown``, ``deleted``, ``erased``, ``not_yet_valid``, ``used``,
    ``expired``, ``void_unused`` (not entered within 24 h of its start) or
    ``outside_window`` (cyclic code outside its days/hours)."""
    digits: str = ""
    code: OfflineCode | None = None

    @property
    def erase(self) -> bool:
        """An accepted erase code: the lock clears every other passcode."""
        return self.accepted and self.code is not None and self.code.kind == ERASE


def _rule(code: OfflineCode, digits: str, memory: KeypadMemory, now: int, tz: int) -> str:
    """The reason an offline code is (not) accepted now (``ok`` when accepted)."""
    if memory.erased_before(code.start_ms, tz):
        return "erased"
    if now < code.start_ms:
        return "not_yet_valid"
    kind = code.kind
    if kind in (ONE_TIME, ERASE) and digits in memory.consumed:
        return "used"
    if kind == ONE_TIME:
        return "ok" if now < code.end_ms else "expired"
    if kind == PERIOD and now >= code.end_ms:
        return "expired"
    if kind in (PERMANENT, PERIOD, ERASE):
        if digits not in memory.first_used and now >= code.start_ms + FIRST_USE_WINDOW_MS:
            return "void_unused"
        return "ok"
    local_now = _local(now, tz)
    first = _local(code.start_ms, tz).hour
    last = first + (code.end_ms - code.start_ms) // HOUR_MS
    if local_now.isoweekday() in CYCLIC_WEEKDAYS[kind] and first <= local_now.hour < last:
        return "ok"
    return "outside_window"


def check_offline_code(lock: Any, digits: str, now_ms: int) -> Outcome:
    """Check ``digits`` (exactly one candidate code) against the lock's STAND-IN tables.

    Pure: nothing is recorded — call :func:`use_offline_code` after an accepted entry.
    ``lock`` is a :class:`simulator.world.Lock` (``keys.pwd_info_entries``,
    ``timezone_raw_offset``, ``keypad``).
    """
    tz = int(getattr(lock, "timezone_raw_offset", 0))
    # Only tables of years the lock's clock has reached: a code for a later year stays
    # unknown until then (fewer chance decodings of mistyped digits) [STAND-IN].
    year = _local(now_ms, tz).year
    entries = [entry for entry in lock.keys.pwd_info_entries if entry.year <= year]
    candidates = decode_offline_code(entries, digits, tz)
    if not candidates:
        return Outcome(False, "unknown", digits)
    memory = keypad_memory(lock)
    if digits in memory.blacklist:
        return Outcome(False, "deleted", digits, candidates[0])
    known = memory.meaning.get(digits)
    if known is not None and known in candidates:
        candidates = [known]
    # the most recent start the lock has reached first, codes of the future last
    candidates.sort(key=lambda code: (code.start_ms > now_ms, -code.start_ms))
    best: Outcome | None = None
    for code in candidates:
        reason = _rule(code, digits, memory, now_ms, tz)
        outcome = Outcome(reason == "ok", reason, digits, code)
        if outcome.accepted:
            return outcome
        best = best or outcome
    assert best is not None
    return best


def use_offline_code(lock: Any, outcome: Outcome, now_ms: int) -> None:
    """Remember an accepted entry (first use, single-use consumption, erase)."""
    if not outcome.accepted or outcome.code is None:
        return
    memory = keypad_memory(lock)
    memory.first_used.setdefault(outcome.digits, now_ms)
    memory.meaning.setdefault(outcome.digits, outcome.code)
    if outcome.code.kind in (ONE_TIME, ERASE):
        memory.consumed.add(outcome.digits)
    if outcome.code.kind == ERASE:
        memory.erased_at_ms = now_ms
