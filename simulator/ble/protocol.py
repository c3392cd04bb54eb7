"""The TTLock V3 lock's wire vocabulary: UUIDs, command and error codes, record kinds, the
date and number encodings, and which commands need what (``docs/ble.md`` §, errata E… of
``docs/errata.md``).

Nothing here holds state: :mod:`.state` is what a lock stores, :mod:`.core` the lock's own
state and small actions, :mod:`.session` what one connection knows, :mod:`.handlers` what
each command does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from .peripheral import uuid16

__all__ = [
    "BATTERY_LEVEL_UUID",
    "FAILURE",
    "FP_SENTINEL_END",
    "FP_SENTINEL_START",
    "LOG_CAPACITY",
    "MASK32",
    "MAX_ENTERED_DIGITS",
    "MAX_PLAINTEXT",
    "NOTIFY_UUID",
    "NOT_CACHED",
    "NO_AUTH",
    "PERMANENT_END",
    "PERMANENT_START",
    "SERVICE_UUID",
    "SETTING_MODE_COMMANDS",
    "SUCCESS",
    "SWITCH_FEATURES",
    "V3_COMPANY_ID",
    "VENDORS",
    "WRITE_UUID",
    "Cmd",
    "Err",
    "FramedReply",
    "LogKind",
    "Reply",
    "card_bytes",
    "card_number",
    "d5",
    "d6",
    "error",
    "in_window",
    "parse_d6",
    "u16",
    "u32",
]

SERVICE_UUID = uuid16(0x1910)
WRITE_UUID = uuid16(0xFFF2)
NOTIFY_UUID = uuid16(0xFFF4)
BATTERY_LEVEL_UUID = uuid16(0x2A19)
V3_COMPANY_ID = 0x0305
"""Manufacturer-data key of a V3 lock: the protocol bytes ``05 03`` read little-endian."""

MASK32 = 0xFFFFFFFF
SUCCESS = 0x01
FAILURE = 0x00
VENDORS = (b"SCIENER", b"IGKXPIG")
PERMANENT_START = bytes((0, 1, 31, 14, 0))
"""``00 01 1f 0e 00``: start of the SDK's "permanent" window (§5.0)."""
PERMANENT_END = bytes((99, 11, 30, 14, 0))
"""``63 0b 1e 0e 00``."""
FP_SENTINEL_START = bytes((0, 1, 1, 0, 0))
"""Fingerprint "never set" start date seen on hardware (E18)."""
FP_SENTINEL_END = bytes((99, 1, 1, 0, 0))
LOG_CAPACITY = 500
"""A lock keeps 500 records and overwrites the oldest (``docs/cloud.md`` §2.7)."""
MAX_ENTERED_DIGITS = 16
MAX_PLAINTEXT = 239
"""Largest plaintext whose ciphertext still fits one frame (≤ 255 bytes)."""


class Cmd(IntEnum):
    """Command codes the lock answers (§5.2)."""

    SEARCH_DEVICE_FEATURE = 0x01
    MANAGE_KEYBOARD_PASSWORD = 0x03
    IC_MANAGE = 0x05
    FR_MANAGE = 0x06
    PWD_LIST = 0x07
    SEARCH_BICYCLE_STATUS = 0x14
    GET_AES_KEY = 0x19
    GET_OPERATE_LOG = 0x25
    CHECK_RANDOM = 0x30
    INIT_PASSWORDS = 0x31
    GET_LOCK_TIME = 0x34
    AUTO_LOCK_MANAGE = 0x36
    CONTROL_REMOTE_UNLOCK = 0x37
    CHECK_ADMIN = 0x41
    TIME_CALIBRATE = 0x43
    INITIALIZATION = 0x45
    UNLOCK = 0x47
    RESET_LOCK = 0x52
    SET_ADMIN_KEYBOARD_PWD = 0x53
    CHECK_USER_TIME = 0x55
    ADD_ADMIN = 0x56
    OPERATE_FINISHED = 0x57
    FUNCTION_LOCK = 0x58
    AUDIO_MANAGE = 0x62
    CONFIGURE_HOTEL_DATA = 0x64
    GET_ADMIN_CODE = 0x65
    CONFIGURE_PASSAGE_MODE = 0x66
    SWITCH = 0x68
    READ_DEVICE_INFO = 0x90


class Err(IntEnum):
    """Error codes the lock puts in ``[cmd][00][code]`` (§6; which code for which failure
    is mostly undocumented, so these choices are ours and listed in one place)."""

    CRC_ERROR = 0x01
    WRONG_ADMIN_PASSWORD = 0x03
    IN_SETTING_MODE = 0x05
    NO_ADMIN = 0x06
    NOT_IN_SETTING_MODE = 0x07
    INVALID_DYNAMIC_CODE = 0x08
    EKEY_FLAG_TOO_LOW = 0x0D
    EKEY_EXPIRED = 0x0E
    INVALID_PASSCODE_LENGTH = 0x0F
    EKEY_NOT_YET_VALID = 0x11
    NOT_LOGGED_IN = 0x12
    FAILED = 0x13
    PASSCODE_EXISTS = 0x14
    PASSCODE_NOT_FOUND = 0x15
    OUT_OF_MEMORY = 0x16
    BAD_PARAMETER_LENGTH = 0x17
    IC_CARD_NOT_FOUND = 0x18
    UNSUPPORTED_PARAMETER = 0x19
    FINGERPRINT_NOT_FOUND = 0x1A
    INVALID_COMMAND = 0x1B
    INVALID_VENDOR = 0x1D
    RECORD_NOT_FOUND = 0x1F
    INVALID_PARAMETER = 0x20


class LogKind(IntEnum):
    """Operation-log record types the lock writes (lock-side numbering, §5.8)."""

    APP_UNLOCK = 1
    PASSCODE_UNLOCK = 4
    WRONG_PASSCODE = 7
    ERASE_CODE_USED = 10
    PASSCODE_NOT_VALID_NOW = 11
    """§5.8 "passcode expired"; also not yet valid, used up, voided by an erase code."""
    PASSCODE_BLACKLISTED = 13
    REBOOT = 14
    IC_ADDED = 15
    IC_CLEARED = 16
    IC_UNLOCK = 17
    IC_DELETED = 18
    FINGERPRINT_UNLOCK = 20
    FINGERPRINT_ADDED = 21
    FINGERPRINT_FAILED = 22
    FINGERPRINT_DELETED = 23
    FINGERPRINTS_CLEARED = 24
    IC_FAILED = 25
    BLE_LOCK = 26


# --- encodings -------------------------------------------------------------------------


def d5(moment: datetime) -> bytes:
    """``YY MM DD hh mm``: a date as the lock sends and compares it."""
    return bytes((moment.year % 100, moment.month, moment.day, moment.hour, moment.minute))


def d6(moment: datetime) -> bytes:
    """``YY MM DD hh mm ss``."""
    return d5(moment) + bytes((moment.second,))


def parse_d6(raw: bytes) -> datetime | None:
    """The date of six ``YY MM DD hh mm ss`` bytes; None when short or no date."""
    if len(raw) < 6:
        return None
    try:
        return datetime(2000 + raw[0], raw[1], raw[2], raw[3], raw[4], raw[5])
    except ValueError:
        return None


def u16(value: int) -> bytes:
    """Two bytes, big-endian."""
    return (value & 0xFFFF).to_bytes(2, "big")


def u32(value: int) -> bytes:
    """Four bytes, big-endian."""
    return (value & MASK32).to_bytes(4, "big")


def card_bytes(number: int) -> bytes:
    """A card number as 4 bytes, or 8 above 32 bits (§5.6)."""
    return number.to_bytes(4 if number <= MASK32 else 8, "big")


def card_number(raw: bytes) -> int | None:
    """A card number from 4 or 8 bytes (8 ending ``FF FF FF FF`` are 4); None otherwise."""
    if len(raw) == 8 and raw[4:] == b"\xff\xff\xff\xff":
        raw = raw[:4]
    if len(raw) not in (4, 8):
        return None
    return int.from_bytes(raw, "big")


def in_window(now5: bytes, start: bytes, end: bytes | None) -> bool:
    """Raw 5-byte tuples compared lexicographically, no calendar check (errata E4)."""
    return start <= now5 and (end is None or now5 <= end)


# --- what each command needs --------------------------------------------------------------

NO_AUTH = frozenset(
    {
        Cmd.SEARCH_DEVICE_FEATURE,
        Cmd.SEARCH_BICYCLE_STATUS,
        Cmd.GET_OPERATE_LOG,
        Cmd.GET_LOCK_TIME,
        Cmd.INITIALIZATION,
        Cmd.GET_AES_KEY,
        Cmd.CHECK_USER_TIME,
        Cmd.CHECK_ADMIN,
        Cmd.CHECK_RANDOM,
        Cmd.ADD_ADMIN,
        Cmd.OPERATE_FINISHED,
        Cmd.UNLOCK,
        Cmd.FUNCTION_LOCK,
    }
)
"""Commands with their own checks (handshakes, challenge sums) or none at all."""
NOT_CACHED = frozenset({Cmd.SEARCH_BICYCLE_STATUS, Cmd.GET_LOCK_TIME})
"""Pure reads: a repeat is re-run rather than answered from the retransmission cache."""
SWITCH_FEATURES = {28: 0x01, 29: 0x02, 30: 0x04, 36: 0x10, 46: 0x20}
"""Feature bit → ``0x68`` switch item bit (§5.3)."""
SETTING_MODE_COMMANDS = frozenset(
    {
        Cmd.INITIALIZATION,
        Cmd.GET_AES_KEY,
        Cmd.ADD_ADMIN,
        Cmd.SEARCH_BICYCLE_STATUS,
        Cmd.SEARCH_DEVICE_FEATURE,
        Cmd.GET_LOCK_TIME,
        Cmd.OPERATE_FINISHED,
    }
)
"""What a lock in setting mode answers outside a pairing (anything else: ``NO_ADMIN``)."""


# --- answers -----------------------------------------------------------------------------

type Reply = tuple[int, bytes]
"""A command's answer: ``(SUCCESS, data)`` → ``[cmd][01][data]``; ``(FAILURE, [code])`` →
``[cmd][00][code]``."""


@dataclass(frozen=True, slots=True)
class FramedReply:
    """An answer framed apart (``0x19``: its own frame command, under the default key, and
    not kept for retransmission)."""

    plaintext: bytes
    frame_command: int
    key: bytes


def error(code: int) -> Reply:
    """``[cmd][00][code]``."""
    return FAILURE, bytes((code,))
