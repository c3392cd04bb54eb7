"""The lock side: what a lock holds in memory and how its keypad and readers decide.

A real lock knows only its own memory: the keypad table, the card and fingerprint tables
(plus what it remembers about offline codes, :class:`~simulator.offline_codes.KeypadMemory`).
The cloud's lists (``lock.passcodes`` / ``lock.cards`` / ``lock.fingerprints``, the
records of :mod:`simulator.credentials` that ``lock/listKeyboardPwd`` and ``…/list`` show)
are separate bookkeeping of what was recorded. Gateway operations (method 2, and 4 for
Wi-Fi locks) change both. Record-only calls (method 1) change only the list — except on a
lock that no simulated Bluetooth lock shares, where they stand in for the app's Bluetooth
step and change the memory too (:mod:`simulator.cloud.manage`).

The rules (:func:`use_keypad`, :func:`use_reader`) change the memory and nothing else; the
attempts (:func:`enter_code`, :func:`present_card`, :func:`present_fingerprint`, also
``World.enter_code`` … and the controls ``POST /sim/lock/keypad``, ``/sim/lock/card``,
``/sim/lock/fingerprint``) go through the Bluetooth twin (a :class:`LockTwin`) when there is
one, else ask the rules, open the lock and append a record (recordType 4/7/8, ``username`` =
the credential's name in the cloud list, ``keyboardPwd`` = the matched code / card /
fingerprint number, or the typed digits on failure). A code opens if it is *contained* in
the typed digits (anti-peep), the admin keypad code and the codes in the lock's memory by
their validity window and offline codes by the STAND-IN rules of
:mod:`simulator.offline_codes`; an erase code voids every other code on the lock (the cloud
list is not told, as a lock without a gateway could not tell it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from .codes import FEATURE, RECORD_TYPE
from .credentials import SimCredential, SimPasscode, window_reason
from .entities import Lock, LockRecord
from .offline_codes import check_offline_code, keypad_memory, use_offline_code

__all__ = [
    "CARD_READER",
    "FINGERPRINT_READER",
    "MAX_KEYPAD_DIGITS",
    "AccessResult",
    "HeldCredential",
    "HeldPasscode",
    "KeypadVerdict",
    "LockMemory",
    "LockTwin",
    "Reader",
    "ReaderVerdict",
    "WorldView",
    "enter_code",
    "forget_offline_code",
    "held_credential",
    "held_passcode",
    "listed_credential",
    "listed_passcode",
    "lock_memory",
    "present_card",
    "present_fingerprint",
    "use_keypad",
    "use_reader",
]

MAX_KEYPAD_DIGITS = 16  # anti-peep: digits typed around a code [INFERRED limit]
LOCK_PERMANENT, LOCK_ONE_TIME, LOCK_PERIOD, LOCK_CYCLIC = 1, 2, 3, 4
"""Lock-side passcode types (``docs/ble.md`` §5.5; the cloud's 2 permanent / 3 period differ)."""


@dataclass(frozen=True)
class Reader:
    """A card or fingerprint reader: its table in the lock's memory, the cloud list that
    names what it reads, and the records an attempt writes."""

    label: str
    collection: str
    """``"cards"`` / ``"fingerprints"``: the memory's table and the cloud's list on the lock."""
    feature: str
    record_type: str
    """Cloud ``recordType`` name (:data:`~simulator.codes.RECORD_TYPE`)."""
    from_lock: tuple[int, int]
    """Lock-side record type on success and on failure."""


CARD_READER = Reader("IC card", "cards", "ic_card", "ic_card_unlock", (17, 25))
FINGERPRINT_READER = Reader(
    "fingerprint", "fingerprints", "fingerprint", "fingerprint_unlock", (20, 22)
)


@dataclass(frozen=True)
class AccessResult:
    """What happened at the lock: keypad entry, card or fingerprint."""

    success: bool
    reason: str
    """``ok`` or why not (``unknown``, ``expired``, ``not_yet_valid``, ``used``,
    ``void_unused``, ``outside_window``, ``erased``, ``deleted``); a Bluetooth twin may also
    say ``enrolled`` (a card or finger taken in add mode) or ``setting_mode``."""
    record: LockRecord | None
    """The cloud record; None when the lock logged nothing the cloud shows (enrolment)."""
    credential_id: int | None = None
    name: str = ""
    erase: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "reason": self.reason,
            "credentialId": self.credential_id,
            "name": self.name,
            "erase": self.erase,
            "record": None if self.record is None else self.record.to_json(),
        }


@dataclass
class HeldPasscode:
    """A keypad passcode as the lock holds it in memory (``lock_memory(lock).passcodes``).

    The window is either what a gateway wrote (``start_ms``/``end_ms``, epoch ms, 0 = open)
    or, when written over Bluetooth, the raw d5 bytes in lock wall time (``raw_start`` /
    ``raw_end``, compared as bytes like the lock does, ``docs/errata.md`` E4).
    """

    code: str = field(repr=False)
    kind: int
    stored_ms: int
    start_ms: int = 0
    end_ms: int = 0
    raw_start: bytes | None = None
    raw_end: bytes | None = None
    cycle: bytes | None = None
    original: str = field(default="", repr=False)


@dataclass
class HeldCredential:
    """A card or fingerprint in the lock's memory (window as :class:`HeldPasscode`)."""

    number: str
    stored_ms: int
    start_ms: int = 0
    end_ms: int = 0
    cyclic: list[dict[str, int]] = field(default_factory=list)
    raw_start: bytes | None = None
    raw_end: bytes | None = None


class LockTwin(Protocol):
    """A simulated Bluetooth lock that shares this lock's memory (``simulator.ble``).

    The keypad and readers are physically the twin's: ``World.enter_code``,
    ``World.present_card`` and ``World.present_fingerprint`` go through it, so the attempt
    also lands in its operation log and pushes its state to a connected app.
    """

    def enter_code(self, digits: str) -> AccessResult: ...

    def present_card(self, number: str) -> AccessResult: ...

    def present_fingerprint(self, number: str) -> AccessResult: ...

    # the lock's settings and clock (docs/lock-settings.md §7): the world lock's fields are
    # the one truth; the twin mirrors them and reports its own clock
    def settings_changed(self) -> None:
        """The cloud changed the world lock's settings: take them over."""
        ...

    def lock_now_ms(self) -> int:
        """The twin's clock (it may have been calibrated over Bluetooth) as epoch ms."""
        ...

    def set_lock_time(self, epoch_ms: int) -> None:
        """Set the twin's clock (``lock/updateDate`` through a gateway)."""
        ...


@dataclass
class LockMemory:
    """What one lock holds (kept on the world lock, see :func:`lock_memory`)."""

    passcodes: dict[str, HeldPasscode] = field(default_factory=dict)
    cards: dict[str, HeldCredential] = field(default_factory=dict)
    fingerprints: dict[str, HeldCredential] = field(default_factory=dict)
    wiped: set[str] = field(default_factory=set, repr=False)
    """Codes an erase code removed (typing one is refused as ``erased``)."""
    twin: LockTwin | None = field(default=None, repr=False)

    def readers(self, reader: Reader) -> dict[str, HeldCredential]:
        """The card or fingerprint table."""
        return self.cards if reader.collection == "cards" else self.fingerprints

    def hold_passcode(self, held: HeldPasscode) -> None:
        """Store a keypad code (replacing one with the same digits)."""
        self.passcodes[held.code] = held
        self.wiped.discard(held.code)


def lock_memory(lock: Lock) -> LockMemory:
    """The lock's :class:`LockMemory` (created on first use, like its keypad memory)."""
    memory = getattr(lock, "memory", None)
    if not isinstance(memory, LockMemory):
        memory = LockMemory()
        lock.memory = memory  # type: ignore[attr-defined]
    return memory


def held_passcode(passcode: SimPasscode, now_ms: int) -> HeldPasscode:
    """The code a gateway (or the app) writes for a custom / changed cloud passcode."""
    kind = LOCK_PERIOD if passcode.end_ms else LOCK_PERMANENT
    return HeldPasscode(
        passcode.code, kind, now_ms, passcode.start_ms, passcode.end_ms, original=passcode.code
    )


def held_credential(item: SimCredential, now_ms: int) -> HeldCredential:
    """The entry a gateway (or the app) writes for a cloud card / fingerprint."""
    return HeldCredential(item.number, now_ms, item.start_ms, item.end_ms, list(item.cyclic))


def _local(ms: int, tz_offset_ms: int) -> datetime:
    return datetime.fromtimestamp((ms + tz_offset_ms) / 1000, UTC)


def _lock_d5(ms: int, tz_offset_ms: int) -> bytes:
    moment = _local(ms, tz_offset_ms)
    return bytes((moment.year % 100, moment.month, moment.day, moment.hour, moment.minute))


def _held_window_reason(held: HeldPasscode | HeldCredential, lock: Lock, now_ms: int) -> str:
    if held.raw_start is None and held.raw_end is None:
        return window_reason(held.start_ms, held.end_ms, now_ms)
    now5 = _lock_d5(now_ms, lock.timezone_raw_offset)
    if held.raw_start is not None and now5 < held.raw_start:
        return "not_yet_valid"
    if held.raw_end is not None and now5 > held.raw_end:
        return "expired"
    return "ok"


def _cyclic_reason(cyclic: list[dict[str, int]], now_ms: int, tz_offset_ms: int) -> str:
    local = _local(now_ms, tz_offset_ms)
    minute = local.hour * 60 + local.minute
    for item in cyclic:
        if item["weekDay"] == local.isoweekday() and item["startTime"] <= minute < item["endTime"]:
            return "ok"
    return "outside_window"


def listed_passcode(lock: Lock, code: str) -> SimPasscode | None:
    """The cloud's entry for ``code`` (its name and id), if it was recorded."""
    return next((p for p in lock.passcodes.values() if p.code == code), None)


def listed_credential(lock: Lock, reader: Reader, number: str) -> SimCredential | None:
    """The cloud's entry for a card / fingerprint number, if it was recorded."""
    listed: dict[int, SimCredential] = getattr(lock, reader.collection)
    return next((c for c in listed.values() if c.number == number), None)


@dataclass(frozen=True)
class KeypadVerdict:
    """What the keypad made of one entry (:func:`use_keypad`)."""

    success: bool
    reason: str
    code: str | None = field(default=None, repr=False)
    """The stored / offline code that opened or was refused; None when nothing matched."""
    from_lock: int = 7
    """Lock-side record type: 4 opened, 10 erase code, 7 wrong, 11 not valid now, 13 deleted."""
    erase: bool = False
    listed: SimPasscode | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ReaderVerdict:
    """What a card or fingerprint reader made of one attempt (:func:`use_reader`)."""

    success: bool
    reason: str
    listed: SimCredential | None = field(default=None, repr=False)


def use_keypad(
    lock: Lock, digits: str, now_ms: int, *, admin_code: str | None = None
) -> KeypadVerdict:
    """The lock's keypad rules for ``digits`` at ``now_ms`` (its memory changes, nothing else).

    * Anti-peep: a code opens when it is contained in the typed digits (at most 16).
    * The admin keypad code and the codes in the lock's memory open inside their window
      (longest first); one-time codes written over Bluetooth are used up.
    * Offline codes are decoded with the STAND-IN algorithm
      (:func:`simulator.offline_codes.check_offline_code`) and follow its type rules; an
      erase code opens and wipes every other passcode.
    """
    memory = lock_memory(lock)
    failures: list[tuple[str, str]] = []
    if len(digits) <= MAX_KEYPAD_DIGITS:
        held = sorted(memory.passcodes.values(), key=lambda p: -len(p.code))
        if admin_code:
            held.insert(0, HeldPasscode(admin_code, LOCK_PERMANENT, 0))
            held.sort(key=lambda p: -len(p.code))
        for entry in held:
            if entry.code not in digits:
                continue
            reason = _held_window_reason(entry, lock, now_ms)
            if reason == "ok":
                if entry.kind == LOCK_ONE_TIME and memory.passcodes.get(entry.code) is entry:
                    del memory.passcodes[entry.code]
                return KeypadVerdict(
                    True, "ok", entry.code, 4, listed=listed_passcode(lock, entry.code)
                )
            failures.append((reason, entry.code))
        failures.extend(("erased", code) for code in sorted(memory.wiped) if code in digits)
        for length in (9, 8, 7):
            for index in range(len(digits) - length + 1):
                candidate = digits[index : index + length]
                outcome = check_offline_code(lock, candidate, now_ms)
                if outcome.accepted:
                    use_offline_code(lock, outcome, now_ms)
                    if outcome.erase:
                        memory.wiped.update(memory.passcodes)
                        memory.passcodes.clear()
                    return KeypadVerdict(
                        True,
                        "ok",
                        candidate,
                        10 if outcome.erase else 4,
                        outcome.erase,
                        listed_passcode(lock, candidate),
                    )
                if outcome.reason != "unknown":
                    failures.append((outcome.reason, candidate))
    if not failures:
        return KeypadVerdict(False, "unknown")
    reason, code = failures[0]
    from_lock = 13 if reason == "deleted" else 11
    return KeypadVerdict(False, reason, code, from_lock, listed=listed_passcode(lock, code))


def use_reader(lock: Lock, reader: Reader, number: str, now_ms: int) -> ReaderVerdict:
    """The card / fingerprint reader rules: a held number opens inside its start/end and,
    for cyclic ones, its weekly window (lock local time)."""
    item = lock_memory(lock).readers(reader).get(number)
    listed = listed_credential(lock, reader, number)
    if item is None:
        return ReaderVerdict(False, "unknown", listed)
    reason = _held_window_reason(item, lock, now_ms)
    if reason == "ok" and item.cyclic:
        reason = _cyclic_reason(item.cyclic, now_ms, lock.timezone_raw_offset)
    return ReaderVerdict(reason == "ok", reason, listed)


def forget_offline_code(lock: Lock, code: str, now_ms: int) -> bool:
    """A lock told to delete an offline code it has no table entry for: True when the
    digits decode as one of its offline codes, which it refuses from now on."""
    if check_offline_code(lock, code, now_ms).reason == "unknown":
        return False
    keypad_memory(lock).blacklist.add(code)
    return True


# --- the attempts: a guest at the lock ---------------------------------------------------


class WorldView(Protocol):
    """What an attempt needs from the world hosting the lock (:class:`~simulator.world.World`)."""

    def now_ms(self) -> int: ...

    def lock(self, lock_id: int) -> Lock: ...

    def refresh_state(self, lock: Lock) -> Lock: ...

    def add_record(
        self,
        lock_id: int,
        record_type: int,
        *,
        record_type_from_lock: int | None = None,
        username: str = "",
        keyboard_pwd: str = "",
        success: int = 1,
    ) -> LockRecord: ...


def _unlock(world: WorldView, lock: Lock) -> None:
    lock.state = 1
    lock.unlocked_at_ms = world.now_ms()


def enter_code(world: WorldView, lock_id: int, digits: str) -> AccessResult:
    """Type ``digits`` on the lock's keypad (what a guest does; also ``World.enter_code``).

    The keypad rules are :func:`use_keypad` (anti-peep, the lock's memory, STAND-IN offline
    codes, erase codes). Appends a record: recordType 4, ``success`` 1/0, ``username`` = the
    code's name in the cloud list, ``keyboardPwd`` = the matched code (or the typed digits
    when refused); lock-side type 4 (10 for erase; failures 7 wrong, 11 not valid now, 13
    deleted). On success the lock unlocks (auto-lock then applies as usual). On a lock with a
    simulated Bluetooth twin the twin's keypad takes the entry (same rules, its log too).

    Raises ``ValueError`` for non-digits, a bad length or a lock without a keypad and
    :class:`~simulator.codes.CloudError` -1003 for an unknown lock.
    """
    digits = str(digits).strip()
    if not digits.isdigit() or not 4 <= len(digits) <= MAX_KEYPAD_DIGITS:
        raise ValueError(f"type 4–{MAX_KEYPAD_DIGITS} digits")
    lock = world.refresh_state(world.lock(lock_id))
    if not lock.has_feature(FEATURE["passcode"]):
        raise ValueError(f"lock {lock_id} has no keypad")
    twin = lock_memory(lock).twin
    if twin is not None:
        return twin.enter_code(digits)
    # the lock judges by its own clock, drift included (docs/lock-settings.md §5)
    now = world.now_ms() + lock.clock_drift_ms
    verdict = use_keypad(lock, digits, now, admin_code=lock.keys.no_key_pwd or None)
    if verdict.success:
        _unlock(world, lock)
    passcode = verdict.listed
    name = passcode.name if passcode else ""
    record = world.add_record(
        lock_id,
        RECORD_TYPE["passcode_unlock"],
        record_type_from_lock=verdict.from_lock,
        username=name,
        keyboard_pwd=(verdict.code or digits) if verdict.success else digits,
        success=1 if verdict.success else 0,
    )
    return AccessResult(
        verdict.success,
        verdict.reason,
        record,
        passcode.passcode_id if passcode else None,
        name,
        verdict.erase,
    )


def _present(world: WorldView, lock_id: int, number: str | int, reader: Reader) -> AccessResult:
    text = str(number).strip()
    if not text.isdigit():
        raise ValueError(f"a {reader.label} number is digits")
    normalized = str(int(text))
    lock = world.refresh_state(world.lock(lock_id))
    if not lock.has_feature(FEATURE[reader.feature]):
        raise ValueError(f"lock {lock_id} has no {reader.label} reader")
    twin = lock_memory(lock).twin
    if twin is not None:
        if reader is CARD_READER:
            return twin.present_card(normalized)
        return twin.present_fingerprint(normalized)
    verdict = use_reader(lock, reader, normalized, world.now_ms() + lock.clock_drift_ms)
    if verdict.success:
        _unlock(world, lock)
    item = verdict.listed
    record = world.add_record(
        lock_id,
        RECORD_TYPE[reader.record_type],
        record_type_from_lock=reader.from_lock[0] if verdict.success else reader.from_lock[1],
        username=item.name if item else "",
        keyboard_pwd=normalized,
        success=1 if verdict.success else 0,
    )
    return AccessResult(
        verdict.success,
        verdict.reason,
        record,
        item.credential_id if item else None,
        item.name if item else "",
    )


def present_card(world: WorldView, lock_id: int, number: str | int) -> AccessResult:
    """Hold an IC card to the lock (also ``World.present_card``).

    ``number`` is what the lock's reader reports, in the same form ``identityCard/list``
    shows (so a card added with ``addForReversedCardNumber`` is presented by its reversed,
    listed number). Valid inside its start/end and, for cyclic cards, its weekly window
    (lock local time). Record 7 (lock side 17, failure 25); unlocks on success.
    """
    return _present(world, lock_id, number, CARD_READER)


def present_fingerprint(world: WorldView, lock_id: int, number: str | int) -> AccessResult:
    """Touch the fingerprint reader with an enrolled fingerprint (``World.present_fingerprint``).

    Same validity rules as cards; record 8 (lock side 20, failure 22).
    """
    return _present(world, lock_id, number, FINGERPRINT_READER)
