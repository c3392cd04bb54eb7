"""TTLock record types: what a lock record says happened, and how.

Two numberings exist (docs/cloud.md §2.7): the cloud's ``recordType`` (lock records in
``lockRecord/list`` and webhook pushes) and the lock-side log type (``recordTypeFromLock``,
the Bluetooth operation log, docs/ble.md §5.8). Both map to one
(:class:`EventType`, :class:`Method`) pair; unknown types are :attr:`EventType.OTHER`, never an
error.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from .ble import LogRecord
from .model import LockRecord


class EventType(StrEnum):
    """What happened at a lock (the event entity's event types)."""

    UNLOCKED = "unlocked"
    LOCKED = "locked"
    UNLOCK_FAILED = "unlock_failed"
    LOCK_FAILED = "lock_failed"
    DOOR_OPEN = "door_open"
    DOOR_CLOSED = "door_closed"
    DOOR_NOT_CLOSED = "door_not_closed"
    TAMPER = "tamper"
    LOCKOUT = "lockout"
    LOW_BATTERY = "low_battery"
    OTHER = "other"


class Method(StrEnum):
    """How it happened."""

    APP = "app"
    PASSCODE = "passcode"
    CARD = "card"
    FINGERPRINT = "fingerprint"
    FACE = "face"
    PALM_VEIN = "palm_vein"
    EKEY = "ekey"
    GATEWAY = "gateway"
    AUTO_LOCK = "auto_lock"
    MECHANICAL_KEY = "mechanical_key"
    BUTTON = "button"
    REMOTE = "remote"
    WRISTBAND = "wristband"
    QR_CODE = "qr_code"
    PASSAGE_MODE = "passage_mode"
    DOOR_SENSOR = "door_sensor"
    LOCK = "lock"
    """The lock itself (alarms, battery)."""
    UNKNOWN = "unknown"


_U, _L = EventType.UNLOCKED, EventType.LOCKED
_UF, _LF = EventType.UNLOCK_FAILED, EventType.LOCK_FAILED
_M = Method

CLOUD_RECORD_TYPES: Final[dict[int, tuple[EventType, Method]]] = {
    1: (_U, _M.APP),
    4: (_U, _M.PASSCODE),
    7: (_U, _M.CARD),
    8: (_U, _M.FINGERPRINT),
    9: (_U, _M.WRISTBAND),
    10: (_U, _M.MECHANICAL_KEY),
    11: (_L, _M.APP),
    12: (_U, _M.GATEWAY),
    29: (EventType.TAMPER, _M.LOCK),
    30: (EventType.DOOR_CLOSED, _M.DOOR_SENSOR),
    31: (EventType.DOOR_OPEN, _M.DOOR_SENSOR),
    32: (_U, _M.BUTTON),
    33: (_L, _M.FINGERPRINT),
    34: (_L, _M.PASSCODE),
    35: (_L, _M.CARD),
    36: (_L, _M.MECHANICAL_KEY),
    37: (_U, _M.REMOTE),
    44: (EventType.TAMPER, _M.LOCK),
    45: (_L, _M.AUTO_LOCK),
    46: (_U, _M.BUTTON),
    47: (_L, _M.BUTTON),
    48: (EventType.LOCKOUT, _M.LOCK),
    49: (_U, _M.CARD),
    51: (_UF, _M.CARD),
    52: (_L, _M.APP),
    53: (_L, _M.PASSCODE),
    55: (_U, _M.REMOTE),
    57: (_U, _M.QR_CODE),
    58: (_UF, _M.QR_CODE),
    61: (_L, _M.QR_CODE),
    62: (_UF, _M.QR_CODE),
    63: (_U, _M.PASSAGE_MODE),
    64: (EventType.DOOR_NOT_CLOSED, _M.DOOR_SENSOR),
    65: (_UF, _M.UNKNOWN),
    66: (_LF, _M.UNKNOWN),
    74: (_UF, _M.CARD),
    75: (_U, _M.BUTTON),
    76: (_U, _M.BUTTON),
    91: (_UF, _M.CARD),
    92: (_U, _M.PASSCODE),
    **dict.fromkeys(range(67, 74), (_U, _M.FACE)),
    **dict.fromkeys(range(84, 91), (_U, _M.PALM_VEIN)),
}
"""Cloud ``recordType`` → (event, method) (docs/cloud.md §2.7); an
unlock or lock record with ``success`` 0 becomes the matching failure."""

LOCK_LOG_TYPES: Final[dict[int, tuple[EventType, Method]]] = {
    1: (_U, _M.APP),
    4: (_U, _M.PASSCODE),
    7: (_UF, _M.PASSCODE),
    10: (_U, _M.PASSCODE),
    11: (_UF, _M.PASSCODE),
    13: (_UF, _M.PASSCODE),
    17: (_U, _M.CARD),
    19: (_U, _M.WRISTBAND),
    20: (_U, _M.FINGERPRINT),
    22: (_UF, _M.FINGERPRINT),
    25: (_UF, _M.CARD),
    26: (_L, _M.APP),
    27: (_U, _M.MECHANICAL_KEY),
    28: (_U, _M.GATEWAY),
    29: (EventType.TAMPER, _M.LOCK),
    30: (EventType.DOOR_CLOSED, _M.DOOR_SENSOR),
    31: (EventType.DOOR_OPEN, _M.DOOR_SENSOR),
    32: (_U, _M.BUTTON),
    33: (_L, _M.FINGERPRINT),
    34: (_L, _M.PASSCODE),
    35: (_L, _M.CARD),
    36: (_L, _M.MECHANICAL_KEY),
    37: (_U, _M.REMOTE),
    38: (_LF, _M.PASSCODE),
    39: (_LF, _M.CARD),
    40: (_LF, _M.FINGERPRINT),
    41: (_LF, _M.APP),
    44: (EventType.TAMPER, _M.LOCK),
    45: (_L, _M.AUTO_LOCK),
    47: (_L, _M.BUTTON),
    48: (EventType.LOCKOUT, _M.LOCK),
    51: (_UF, _M.CARD),
    55: (_U, _M.REMOTE),
    56: (_U, _M.PASSCODE),
    64: (EventType.DOOR_NOT_CLOSED, _M.DOOR_SENSOR),
    74: (_UF, _M.CARD),
    92: (_U, _M.PASSCODE),
}
"""Lock-side operation-log type (``recordTypeFromLock``) → (event, method) (docs/ble.md
§5.8). The lock writes failures as their own types."""

_FAILED: Final = {_U: _UF, _L: _LF}


DOOR_SENSOR_EVENTS: Final[dict[int, EventType]] = {
    0: EventType.DOOR_CLOSED,
    1: EventType.DOOR_OPEN,
    2: EventType.DOOR_NOT_CLOSED,
}
"""Webhook notifyType 7 ``recordType`` of a standalone door sensor (3: not opened for long)."""

ASYNC_FAILURE_OBJECTS: Final[dict[int, tuple[str, ...]]] = {
    2: ("passcode", "offline_passcode"),
    3: ("card",),
    4: ("fingerprint",),
    6: ("face",),
}
"""Webhook notifyType 4 ``objectType`` → credential kinds (5 palm vein, 7 remote: none)."""


def classify_cloud(record: LockRecord) -> tuple[EventType, Method]:
    """Event and method of a cloud record (``recordType``, else ``recordTypeFromLock``)."""
    found = CLOUD_RECORD_TYPES.get(record.record_type)
    if found is None and record.record_type_from_lock is not None:
        found = LOCK_LOG_TYPES.get(record.record_type_from_lock)
    if found is None:
        return EventType.OTHER, Method.UNKNOWN
    event, method = found
    if not record.success:
        event = _FAILED.get(event, event)
    return event, method


def classify_log(record: LogRecord) -> tuple[EventType, Method]:
    """Event and method of a lock's operation-log record."""
    return LOCK_LOG_TYPES.get(record.type, (EventType.OTHER, Method.UNKNOWN))
