"""Client-side command payload builders and reply parsers (docs/ble.md §5, errata).

Builders return the *plaintext* request payload of one command; parsers take ``reply.data``,
the decrypted bytes after ``[echo][status]``. Parsers raise :class:`PayloadError` (a
:class:`ProtocolError`) and nothing else on malformed input; builders raise
:class:`EncodeError` for values that cannot be encoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from .const import (
    SCIENER,
    CredentialOp,
    DeviceInfoType,
    HotelDataType,
    LogType,
    PassageModeOp,
    PassageModeType,
    PasscodeOp,
    PasscodeType,
)
from .encoding import (
    PERMANENT_END,
    PERMANENT_START,
    Reader,
    ascii_text,
    encode_d5,
    encode_d6,
    u16,
    u32,
)
from .errors import EncodeError, PayloadError
from .keys import mac_from_bytes, mac_to_bytes
from .results import (
    ActuationResult,
    AutoLockInfo,
    Card,
    CommandAck,
    Features,
    Fingerprint,
    LockState,
    LockStatus,
    LogPage,
    LogRecord,
    PassageModeEntry,
    Passcode,
    SettingValue,
    SoundSettings,
)

QUERY = 1
"""Operation byte "get" of the ``[1]`` / ``[2, value]`` settings commands."""
MODIFY = 2
"""Operation byte "set"."""
SEQ_END = 0xFFFF
"""Cursor value that ends a listing (docs/ble.md §5.5–§5.7)."""
LOG_NEW_RECORDS = 0xFFFF
"""``0x25`` cursor "records not read yet"; 0 = from the beginning (docs/ble.md §5.8)."""
INIT_PASSWORDS_LENGTH = 61
FINGERPRINT_ID_LENGTH = 6
_CARD_PADDING = b"\xff\xff\xff\xff"
_SHORT_CARD = 4
_LONG_CARD = 8
_MIN_PASSCODE = 4
_MAX_PASSCODE = 9


def dynamic_sum(ps_from_lock: int, unlock_key: int) -> int:
    """``(psFromLock + unlockKey) mod 2**32`` — the CHECK_RANDOM / UNLOCK proof (§5.0)."""
    return (ps_from_lock + unlock_key) & 0xFFFFFFFF


# --- session ---------------------------------------------------------------------------
def check_user_time(
    start: datetime | None, end: datetime | None, lock_flag_pos: int, uid: int
) -> bytes:
    """``0x55``: start d5 ‖ end d5 ‖ lockFlagPos(3) ‖ uid(4) = 17 bytes (docs/errata.md E4
    "send")."""
    if not 0 <= lock_flag_pos <= 0xFFFFFF:
        raise EncodeError("lockFlagPos must fit three bytes")
    return (
        encode_d5(start or PERMANENT_START)
        + encode_d5(end or PERMANENT_END)
        + lock_flag_pos.to_bytes(3, "big")
        + u32(uid)
    )


def check_admin(admin_ps: int, lock_flag_pos: int, uid: int) -> bytes:
    """``0x41``: adminPs(4) ‖ lockFlagPos low 3 bytes ‖ uid(4) (docs/ble.md §5.2)."""
    if not 0 <= lock_flag_pos <= 0xFFFFFF:
        raise EncodeError("lockFlagPos must fit three bytes")
    return u32(admin_ps) + lock_flag_pos.to_bytes(3, "big") + u32(uid)


def check_random(proof: int) -> bytes:
    """``0x30``: the dynamic sum, 4 bytes BE."""
    return u32(proof)


def parse_challenge(data: bytes) -> int:
    """psFromLock of a ``0x41``/``0x55`` reply (4 bytes BE; docs/ble.md §5.0, §7)."""
    return Reader(data, "challenge").u32()


# --- actuation ---------------------------------------------------------------------------
def actuation(proof: int, unix_seconds: int) -> bytes:
    """``0x47`` UNLOCK / ``0x58`` LOCK: sum(4) ‖ unix seconds(4) (docs/ble.md §5.4)."""
    return u32(proof) + u32(unix_seconds)


def lift_activation(proof: int, unix_seconds: int, now: datetime, floors: Sequence[int]) -> bytes:
    """``0x47`` for lift controllers: sum ‖ unix ‖ d6 ‖ count ‖ floors (docs/ble.md §9.3)."""
    if not floors or len(floors) > 0xFF or any(not 0 <= f <= 0xFF for f in floors):
        raise EncodeError("1-255 floors, each one byte")
    return actuation(proof, unix_seconds) + encode_d6(now) + bytes((len(floors), *floors))


def parse_actuation(data: bytes) -> ActuationResult:
    """``[battery]`` optionally followed by ``uid(4) uniqueId(4) d6`` (docs/ble.md §5.4)."""
    if not data:
        return ActuationResult()
    if len(data) < 15:
        return ActuationResult(battery=data[0])
    reader = Reader(data, "actuation reply")
    return ActuationResult(
        battery=reader.u8(), uid=reader.u32(), record_id=reader.u32(), lock_time=reader.d6()
    )


# --- queries without a handshake ---------------------------------------------------------
def status_query() -> bytes:
    """``0x14`` request: ASCII ``SCIENER`` (docs/ble.md §5.3)."""
    return SCIENER


def parse_status(data: bytes) -> LockStatus:
    """``[battery][state][…]``; state 0 locked, 1 unlocked, else unknown (docs/ble.md §5.3)."""
    reader = Reader(data, "status reply")
    battery, raw = reader.u8(), reader.u8()
    state = {0: LockState.LOCKED, 1: LockState.UNLOCKED}.get(raw, LockState.UNKNOWN)
    return LockStatus(battery=battery, state=state, raw_state=raw)


def parse_features(data: bytes) -> Features:
    """``[battery][W0 (4 BE)][W1]…`` (docs/ble.md §5.3); a partial trailing word is ignored."""
    reader = Reader(data, "feature reply")
    battery = reader.u8()
    count = reader.remaining // 4
    if count == 0:
        raise PayloadError("feature reply has no feature word")
    return Features(battery=battery, words=tuple(reader.u32() for _ in range(count)))


def parse_lock_time(data: bytes) -> datetime | None:
    """``0x34`` reply: d6, no battery byte (docs/ble.md §5.3)."""
    return Reader(data, "lock time").d6()


def calibrate_time(now: datetime) -> bytes:
    """``0x43``: d6 of the lock's local wall time (docs/errata.md E14)."""
    return encode_d6(now)


def operation_log(seq: int) -> bytes:
    """``0x25``: cursor(2 BE); ``0xFFFF`` = new records, 0 = from the start (docs/ble.md §5.8)."""
    return u16(seq)


# --- pairing -----------------------------------------------------------------------------
def get_aes_key() -> bytes:
    """``0x19``: ``SCIENER`` (sent under the default key; docs/ble.md §5.1 step 2)."""
    return SCIENER


def parse_aes_key(data: bytes) -> bytes:
    """The lock's 16-byte AES key from the ``0x19`` reply."""
    if len(data) < 16:
        raise PayloadError(f"AES key reply has {len(data)} bytes, need 16")
    return bytes(data[:16])


def add_admin(admin_ps: int, unlock_key: int) -> bytes:
    """``0x56``: adminPs(4) ‖ unlockKey(4) ‖ ``SCIENER`` (docs/ble.md §5.1 step 3)."""
    return u32(admin_ps) + u32(unlock_key) + SCIENER


def parse_add_admin(data: bytes) -> None:
    """The ``0x56`` reply must echo ``SCIENER``; anything else is an AES error (§5.1)."""
    if bytes(data[:7]) != SCIENER:
        raise PayloadError("ADD_ADMIN reply does not carry SCIENER")


def set_admin_passcode(code: str) -> bytes:
    """``0x53``: one byte per digit, values 0–9, not ASCII (docs/ble.md §5.2)."""
    if not code.isdigit() or not 4 <= len(code) <= 9 or not code.isascii():
        raise EncodeError("the admin keypad code is 4-9 digits")
    return bytes(int(digit) for digit in code)


def parse_admin_code(data: bytes) -> str:
    """``0x65`` reply ``[battery][len][ASCII code]``; empty string when none is set."""
    reader = Reader(data, "admin code reply")
    reader.u8()
    if not reader.remaining:
        return ""
    length = reader.u8()
    return ascii_text(reader.take(min(length, reader.remaining)))


def init_passwords(table: bytes) -> bytes:
    """``0x31``: the 61-byte offline-passcode table (docs/ble.md §8.1)."""
    if len(table) != INIT_PASSWORDS_LENGTH:
        raise EncodeError(f"INIT_PASSWORDS carries 61 bytes, got {len(table)}")
    return bytes(table)


def read_device_info(item: DeviceInfoType | int) -> bytes:
    """``0x90``: ``[type]`` (docs/ble.md §5.3)."""
    return bytes((int(item),))


def parse_device_info(data: bytes) -> str:
    """ASCII value plus one trailing byte, which the SDK drops (NUL per RQB-0.3)."""
    return ascii_text(bytes(data[:-1]).rstrip(b"\x00")) if data else ""


# --- settings ----------------------------------------------------------------------------
def setting_query() -> bytes:
    """``[1]`` — query of ``0x36``/``0x37``/``0x59``/``0x62``/``0x67``/``0x68``."""
    return bytes((QUERY,))


def auto_lock_set(seconds: int) -> bytes:
    """``0x36`` set: ``[2][secs(2 BE)]``, 0 = off (docs/ble.md §5.9)."""
    return bytes((MODIFY,)) + u16(seconds)


def parse_auto_lock(data: bytes) -> AutoLockInfo:
    """``[battery][1][cur(2)][min(2)][max(2)]`` and any extra bytes (docs/errata.md E8)."""
    reader = Reader(data, "auto-lock reply")
    battery = reader.u8()
    reader.u8()
    return AutoLockInfo(
        battery=battery, seconds=reader.u16(), min_seconds=reader.u16(), max_seconds=reader.u16()
    )


def remote_unlock_set(enabled: bool) -> bytes:
    """``0x37`` set: ``[2][0 off | 1 on]`` (docs/ble.md §5.2)."""
    return bytes((MODIFY, 1 if enabled else 0))


def parse_setting(data: bytes) -> SettingValue:
    """Generic ``[battery][op][value]`` reply."""
    reader = Reader(data, "setting reply")
    battery = reader.u8()
    reader.u8()
    return SettingValue(battery=battery, value=reader.u8())


def audio_set(enabled: bool, volume: int | None = None) -> bytes:
    """``0x62`` set: ``[2][on]``, or ``[2][1][volume 1-5][language 0]`` (docs/ble.md §5.2)."""
    if volume is None or not enabled:
        return bytes((MODIFY, 1 if enabled else 0))
    if not 1 <= volume <= 5:
        raise EncodeError("volume is 1-5")
    return bytes((MODIFY, 1, volume, 0))


def parse_audio(data: bytes) -> SoundSettings:
    """``[battery][op][on][volume?]``."""
    reader = Reader(data, "audio reply")
    reader.take(2)
    enabled = reader.u8() == 1
    volume = reader.u8() if reader.remaining else None
    return SoundSettings(enabled=enabled, volume=volume)


def switch_state_set(item: int, value: int) -> bytes:
    """``0x68`` set: ``[2][item(4 BE)][value(4 BE)]`` (docs/ble.md §5.3)."""
    return bytes((MODIFY,)) + u32(item) + u32(value)


def parse_switch_state(data: bytes) -> tuple[int, int]:
    """``0x68`` query reply → (item mask, value bits)."""
    reader = Reader(data, "switch reply")
    reader.take(2)
    return reader.u32(), reader.u32()


def parse_ack(data: bytes) -> CommandAck:
    """Replies whose first data byte is the battery level (or that have none)."""
    return CommandAck(battery=data[0] if data else None)


# --- keypad passcodes (0x03, 0x07) ---------------------------------------------------------
def _check_code(code: str, what: str = "passcode") -> bytes:
    if not code.isascii() or not code.isdigit() or not _MIN_PASSCODE <= len(code) <= _MAX_PASSCODE:
        raise EncodeError(f"a {what} is 4-9 digits")
    return code.encode("ascii")


def passcode_add(
    kind: PasscodeType | int, code: str, start: datetime | None, end: datetime | None
) -> bytes:
    """``[2][type][len][code][start d5]`` + ``[end d5]`` for types 2/3 (docs/ble.md §5.5).

    Type 4 (cyclic) adds are not sent (docs/errata.md E7 "send"); None dates mean the permanent
    window.
    """
    raw = _check_code(code)
    kind = int(kind)
    if kind not in (PasscodeType.PERMANENT, PasscodeType.COUNT, PasscodeType.PERIOD):
        raise EncodeError("only permanent, one-time and period passcodes can be added")
    body = bytes((PasscodeOp.ADD, kind, len(raw))) + raw + encode_d5(start or PERMANENT_START)
    if kind != PasscodeType.PERMANENT:
        body += encode_d5(end or PERMANENT_END)
    return body


def passcode_delete(kind: PasscodeType | int, code: str) -> bytes:
    """``[3][type][len][code]`` (docs/ble.md §5.5)."""
    raw = _check_code(code)
    return bytes((PasscodeOp.DELETE, int(kind), len(raw))) + raw


def passcode_modify(
    kind: PasscodeType | int,
    old: str,
    new: str | None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> bytes:
    """``[5][type][oldLen][old][newLen][new]`` + start d5 ‖ end d5 when both dates are given.

    ``new`` None (length 0) keeps the code and changes only the window (docs/ble.md §5.5).
    """
    raw_old = _check_code(old)
    raw_new = _check_code(new, "new passcode") if new else b""
    body = bytes((PasscodeOp.MODIFY, int(kind), len(raw_old))) + raw_old
    body += bytes((len(raw_new),)) + raw_new
    if (start is None) != (end is None):
        raise EncodeError("give both start and end, or neither")
    if start is not None and end is not None:
        body += encode_d5(start) + encode_d5(end)
    return body


def passcode_clear() -> bytes:
    """``[1]`` — delete every keypad passcode (docs/ble.md §5.5)."""
    return bytes((PasscodeOp.CLEAR,))


def passcode_list(seq: int) -> bytes:
    """``0x07``: cursor(2), starting at 0."""
    return u16(seq)


def parse_passcode_page(data: bytes) -> tuple[int, int | None, list[Passcode]]:
    """``0x07`` reply → (total, next cursor or None, passcodes) (docs/ble.md §5.5, docs/errata.md
    E6)."""
    reader = Reader(data, "passcode list")
    total = reader.u16()
    if total == 0 or reader.remaining < 2:
        return total, None, []
    next_seq = reader.u16()
    codes: list[Passcode] = []
    while reader.remaining:
        reader.u8()  # record length; the SDK parses field by field
        kind = reader.u8()
        code = reader.lv_text()
        original = reader.lv_text()
        start = reader.d5()
        end: datetime | None = None
        cycle: int | None = None
        if kind in (PasscodeType.COUNT, PasscodeType.PERIOD):
            end = reader.d5()
        elif kind == PasscodeType.CYCLIC:
            cycle = reader.u16()
        codes.append(Passcode(kind, code, original, start, end, cycle))
    return total, next_seq, codes


# --- IC cards (0x05) and fingerprints (0x06) ----------------------------------------------
def encode_card_number(number: int) -> bytes:
    """4 bytes BE, or 8 when the number needs it (docs/ble.md §5.6)."""
    if number < 0 or number >= 1 << 64:
        raise EncodeError("card numbers are 0 .. 2**64-1")
    return number.to_bytes(_SHORT_CARD if number <= 0xFFFFFFFF else _LONG_CARD, "big")


def decode_card_number(raw: bytes) -> int:
    """Card number from 4 or 8 bytes; trailing ``FF FF FF FF`` padding is dropped (§5.6)."""
    if len(raw) == _LONG_CARD and raw.endswith(_CARD_PADDING):
        raw = raw[:_SHORT_CARD]
    if len(raw) not in (_SHORT_CARD, _LONG_CARD):
        raise PayloadError(f"a card number has 4 or 8 bytes, got {len(raw)}")
    return int.from_bytes(raw, "big")


def _window(start: datetime | None, end: datetime | None) -> bytes:
    return encode_d5(start or PERMANENT_START) + encode_d5(end or PERMANENT_END)


def card_add_mode() -> bytes:
    """``[2]`` — enter card enrolment mode (docs/ble.md §5.6 step 2)."""
    return bytes((CredentialOp.ADD,))


def card_add(number: int, start: datetime | None, end: datetime | None) -> bytes:
    """``[2][card][start d5][end d5]`` — add a known card ("recovery")."""
    return bytes((CredentialOp.ADD,)) + encode_card_number(number) + _window(start, end)


def card_modify(number: int, start: datetime | None, end: datetime | None) -> bytes:
    """``[5][card][start d5][end d5]`` — set a card's validity window."""
    return bytes((CredentialOp.MODIFY,)) + encode_card_number(number) + _window(start, end)


def card_delete(number: int) -> bytes:
    """``[3][card]``."""
    return bytes((CredentialOp.DELETE,)) + encode_card_number(number)


def card_clear() -> bytes:
    """``[4]`` — delete every card."""
    return bytes((CredentialOp.CLEAR,))


def card_search(seq: int) -> bytes:
    """``[1][seq(2)]`` — one page of the card list."""
    return bytes((CredentialOp.SEARCH_IC,)) + u16(seq)


def encode_fingerprint_id(fingerprint_id: int) -> bytes:
    """Fingerprint ids are 6 bytes BE, opaque (docs/ble.md §5.7, docs/errata.md E18)."""
    if not 0 <= fingerprint_id < 1 << 48:
        raise EncodeError("fingerprint ids are six bytes")
    return fingerprint_id.to_bytes(FINGERPRINT_ID_LENGTH, "big")


def fingerprint_add_mode() -> bytes:
    """``[2]`` — enter fingerprint enrolment mode (docs/ble.md §5.7)."""
    return bytes((CredentialOp.ADD,))


def fingerprint_add(fingerprint_id: int, start: datetime | None, end: datetime | None) -> bytes:
    """``[2][id6][start d5][end d5]`` — add a known fingerprint id."""
    return bytes((CredentialOp.ADD,)) + encode_fingerprint_id(fingerprint_id) + _window(start, end)


def fingerprint_modify(fingerprint_id: int, start: datetime | None, end: datetime | None) -> bytes:
    """``[5][id6][start d5][end d5]``."""
    return (
        bytes((CredentialOp.MODIFY,)) + encode_fingerprint_id(fingerprint_id) + _window(start, end)
    )


def fingerprint_delete(fingerprint_id: int) -> bytes:
    """``[3][id6]``."""
    return bytes((CredentialOp.DELETE,)) + encode_fingerprint_id(fingerprint_id)


def fingerprint_clear() -> bytes:
    """``[4]``."""
    return bytes((CredentialOp.CLEAR,))


def fingerprint_search(seq: int) -> bytes:
    """``[6][seq(2)]``."""
    return bytes((CredentialOp.SEARCH_FR,)) + u16(seq)


@dataclass(frozen=True, slots=True)
class CredentialEvent:
    """A ``0x05``/``0x06`` reply or push: ``[battery][op][inner status][payload]``."""

    battery: int
    op: int
    status: int | None
    payload: bytes = field(repr=False)


def parse_credential_event(data: bytes) -> CredentialEvent:
    """Split a ``0x05``/``0x06`` reply body (docs/ble.md §5.6, §5.7)."""
    reader = Reader(data, "credential reply")
    battery, op = reader.u8(), reader.u8()
    status = reader.u8() if reader.remaining else None
    return CredentialEvent(battery, op, status, reader.rest())


def parse_card_page(data: bytes) -> tuple[int, list[Card]]:
    """``[battery][1][nextSeq(2)]`` + ``card ‖ start d5 ‖ end d5`` records (docs/ble.md §5.6)."""
    reader = Reader(data, "card list")
    reader.take(2)
    next_seq = reader.u16()
    rest = reader.rest()
    if not rest:
        return next_seq, []
    if len(rest) % 14 == 0:
        size = _SHORT_CARD
    elif len(rest) % 18 == 0:
        size = _LONG_CARD
    else:
        raise PayloadError(f"card records of {len(rest)} bytes are neither 14- nor 18-byte")
    records = Reader(rest, "card record")
    cards: list[Card] = []
    while records.remaining:
        number = decode_card_number(records.take(size))
        cards.append(Card(number, records.d5(), records.d5()))
    return next_seq, cards


def parse_fingerprint_page(data: bytes) -> tuple[int, list[Fingerprint]]:
    """``[battery][6][nextSeq(2)]`` + ``id6 ‖ start d5 ‖ end d5`` records (§5.7, docs/errata.md
    E18)."""
    reader = Reader(data, "fingerprint list")
    reader.take(2)
    next_seq = reader.u16()
    prints: list[Fingerprint] = []
    while reader.remaining:
        fid = reader.uint(FINGERPRINT_ID_LENGTH)
        prints.append(Fingerprint(fid, reader.d5(), reader.d5()))
    return next_seq, prints


# --- operation log (0x25) ------------------------------------------------------------------
_UID_RECORD_TYPES = frozenset({1, 26, 28, 41, 52, 75, 76, 77})
_CODE_PAIR_TYPES = frozenset({4, 5, 6, 9, 10, 11, 12, 13, 34, 38, 78, 92})
_CARD_TYPES = frozenset({15, 17, 18, 25, 35, 39, 51, 74})
_FINGERPRINT_TYPES = frozenset({20, 21, 22, 23, 33, 40})
_MIN_RECORD = 8


def parse_log_page(data: bytes) -> LogPage:
    """``[total(2)][nextSeq(2)][records…]``; total 0 = nothing more (docs/ble.md §5.8, E11)."""
    reader = Reader(data, "operation log")
    total = reader.u16()
    if total == 0 or reader.remaining < 2:
        return LogPage(total=total, next_seq=None, records=())
    next_seq = reader.u16()
    records: list[LogRecord] = []
    while reader.remaining:
        length = reader.u8()
        if length == 0:
            break  # zero padding after the last record
        if length < _MIN_RECORD:
            raise PayloadError(f"log record of {length} bytes is shorter than 8")
        records.append(parse_log_record(reader.take(length)))
    return LogPage(total=total, next_seq=next_seq, records=tuple(records))


def parse_log_record(record: bytes) -> LogRecord:
    """One record without its length byte: ``[type][d6][battery][tail]`` (docs/ble.md §5.8).

    A tail that does not fit its type's layout is kept raw with the decoded fields unset.
    """
    reader = Reader(record, "log record")
    kind, when, battery = reader.u8(), reader.d6(), reader.u8()
    tail = reader.rest()
    base = LogRecord(type=kind, time=when, battery=battery, tail=tail)
    try:
        return _decode_tail(base, Reader(tail, f"log record type {kind}"))
    except PayloadError:
        return base


def _decode_tail(base: LogRecord, tail: Reader) -> LogRecord:
    kind = base.type
    if kind in _UID_RECORD_TYPES or kind == LogType.REMOTE_CONTROL_KEY:
        uid, record_id = tail.u32(), tail.u32()
        key_id = tail.u8() if kind == LogType.REMOTE_CONTROL_KEY else None
        return replace(base, uid=uid, record_id=record_id, key_id=key_id)
    if kind in _CODE_PAIR_TYPES:
        stored = tail.lv_text()
        return replace(base, passcode=stored, entered_passcode=tail.lv_text())
    if kind == LogType.WRONG_PASSCODE:
        return replace(base, entered_passcode=tail.lv_text())
    if kind == LogType.ALL_PASSCODES_CLEARED_ON_KEYPAD:
        deleted = tail.d5()
        code = tail.lv_text() if tail.remaining else None
        return replace(base, delete_date=deleted, passcode=code)
    if kind in _CARD_TYPES:
        return replace(base, card_number=decode_card_number(tail.rest()))
    if kind in _FINGERPRINT_TYPES:
        fid = tail.uint(FINGERPRINT_ID_LENGTH)
        code = tail.lv_text() if tail.remaining else None
        return replace(base, fingerprint_id=fid, passcode=code)
    if kind == LogType.WRISTBAND_UNLOCK:
        return replace(base, mac=mac_from_bytes(tail.take(6)[::-1]))
    if kind in (LogType.WIRELESS_KEY_FOB, LogType.WIRELESS_KEYPAD):
        mac = mac_from_bytes(tail.take(6))
        key_id = tail.u8() if kind == LogType.WIRELESS_KEY_FOB else None
        return replace(base, mac=mac, key_id=key_id, accessory_battery=tail.u8())
    if kind in (LogType.DOOR_SENSOR_CLOSED, LogType.DOOR_SENSOR_OPEN) and tail.remaining:
        return replace(base, accessory_battery=tail.u8())
    return base


# --- passage mode (0x66) -------------------------------------------------------------------
def passage_mode_query(seq: int = 0) -> bytes:
    """``[1][seq]`` (one-byte cursor, docs/ble.md §5.9)."""
    if not 0 <= seq <= 0xFF:
        raise EncodeError("passage-mode cursor is one byte")
    return bytes((PassageModeOp.QUERY, seq))


def passage_mode_entry(op: PassageModeOp, entry: PassageModeEntry) -> bytes:
    """``[op][type][weekOrDay][month][startH][startM][endH][endM]`` (docs/ble.md §5.9)."""
    values = (int(entry.type), entry.week_or_day, entry.month)
    if any(not 0 <= v <= 0xFF for v in values):
        raise EncodeError("passage-mode fields are one byte")
    minutes = (entry.start_minute, entry.end_minute)
    if any(not 0 <= m < 24 * 60 for m in minutes):
        raise EncodeError("passage-mode times are minutes of the day")
    start_h, start_m = divmod(entry.start_minute, 60)
    end_h, end_m = divmod(entry.end_minute, 60)
    return bytes((op, *values, start_h, start_m, end_h, end_m))


def passage_mode_add(entry: PassageModeEntry) -> bytes:
    """``[2][type][weekOrDay][month][startH][startM][endH][endM]`` (docs/ble.md §5.9)."""
    return passage_mode_entry(PassageModeOp.ADD, entry)


def passage_mode_delete(entry: PassageModeEntry) -> bytes:
    """``[3]`` + the same 7 bytes."""
    return passage_mode_entry(PassageModeOp.DELETE, entry)


def passage_mode_clear() -> bytes:
    """``[4]``."""
    return bytes((PassageModeOp.CLEAR,))


PASSAGE_END = 0xFF
"""``0x66`` query cursor that ends the listing."""


def parse_passage_page(data: bytes) -> tuple[int, list[PassageModeEntry]]:
    """``[battery][1][nextSeq(1)]`` + 7-byte entries (docs/ble.md §5.9)."""
    reader = Reader(data, "passage-mode reply")
    reader.take(2)
    next_seq = reader.u8()
    entries: list[PassageModeEntry] = []
    while reader.remaining >= 7:
        kind, day, month, sh, sm, eh, em = reader.take(7)
        entry_type: PassageModeType | int = PassageModeType(kind) if kind in (1, 2) else kind
        entries.append(PassageModeEntry(entry_type, day, month, sh * 60 + sm, eh * 60 + em))
    return next_seq, entries


# --- hotel / lift (0x64) -------------------------------------------------------------------
def hotel_data_get(kind: HotelDataType | int) -> bytes:
    """``[1][type]`` (docs/ble.md §9.3)."""
    return bytes((QUERY, int(kind)))


def hotel_data_set(kind: HotelDataType | int, value: bytes) -> bytes:
    """``[2][type][len][value]`` (docs/ble.md §9.3)."""
    if len(value) > 0xFF:
        raise EncodeError("hotel data values are at most 255 bytes")
    return bytes((MODIFY, int(kind), len(value))) + value


def hotel_value_ic_key(key: bytes) -> bytes:
    """Type 1 value: the 6-byte hotel IC key."""
    if len(key) != 6:
        raise EncodeError("the hotel IC key has 6 bytes")
    return bytes(key)


def hotel_value_aes_key(key: bytes) -> bytes:
    """Type 2 value: the 16-byte hotel AES key."""
    if len(key) != 16:
        raise EncodeError("the hotel AES key has 16 bytes")
    return bytes(key)


def hotel_value_location(hotel: int, building: int, floor: int) -> bytes:
    """Type 3 value: hotel number (3 BE) ‖ building (1) ‖ floor (1)."""
    if not 0 <= hotel <= 0xFFFFFF or not 0 <= building <= 0xFF or not 0 <= floor <= 0xFF:
        raise EncodeError("hotel(3 bytes), building and floor (1 byte each)")
    return hotel.to_bytes(3, "big") + bytes((building, floor))


def parse_hotel_location(value: bytes) -> tuple[int, int, int]:
    """Type 3 value → (hotel number, building, floor)."""
    reader = Reader(value, "hotel location")
    hotel = int.from_bytes(reader.take(3), "big")
    return hotel, reader.u8(), reader.u8()


def hotel_value_sector(bitmap: int) -> bytes:
    """Type 4 value: the card sector bitmap (2 BE)."""
    return u16(bitmap)


def hotel_value_lift_floors(floors: Sequence[int]) -> bytes:
    """Type 5 value: one byte per controllable floor."""
    if any(not 0 <= f <= 0xFF for f in floors):
        raise EncodeError("floors are one byte")
    return bytes(floors)


def hotel_value_lift_work_mode(mode: int, uncontrolled: Sequence[bool] = ()) -> bytes:
    """Type 6 value: mode (1 all floors, 2 specific) ‖ 8 flag bytes (0 = controlled)."""
    if mode not in (1, 2) or len(uncontrolled) > 8:
        raise EncodeError("lift work mode is 1 or 2 with at most 8 flags")
    flags = [1 if f else 0 for f in uncontrolled] + [0] * (8 - len(uncontrolled))
    return bytes((mode, *flags))


def hotel_value_power_saver_mode(bits: int) -> bytes:
    """Type 7 value: work-mode bits (1 all cards, 2 ID, 4 hotel, 8 room card)."""
    if not 0 <= bits <= 0xFF:
        raise EncodeError("power-saver mode is one byte")
    return bytes((bits,))


def hotel_value_power_saver_lock(mac: str) -> bytes:
    """Type 8 value: the controllable lock's MAC (6 bytes as written)."""
    try:
        return mac_to_bytes(mac)
    except ValueError as err:
        raise EncodeError(str(err)) from err


def parse_hotel_data(data: bytes) -> tuple[int, bytes]:
    """``0x64`` get reply ``[battery][1][type][value…]`` → (type, raw value)."""
    reader = Reader(data, "hotel data reply")
    reader.take(2)
    return reader.u8(), reader.rest()
