"""The TTLock callback ("webhook") pushes, parsed into notices (docs/cloud.md §2.9).

TTLock POSTs form fields (``records`` is a JSON string list); :func:`parse_callback` turns
the fields of one push into one notice, or raises :class:`CallbackError` for a body that is
not a TTLock callback. Reading the HTTP request is the caller's job.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import LockRecord
from .parse import parse_lock_record

_LOGGER = logging.getLogger(__name__)


MAX_RECORDS = 1000
"""Records in one callback at most (TTLock sends a few; a lock stores 500)."""
LATEST_LOCK_DATE_MS = 4_102_444_800_000
"""2100-01-01 UTC: locks store two-digit years, 2000–2099 (docs/ble.md §5.2, d6 dates)."""


class CallbackError(ValueError):
    """The body is not a TTLock callback."""


@dataclass(frozen=True, slots=True)
class RecordsNotice:
    """notifyType 1: lock records (grouped per lock by the caller if needed)."""

    records: list[LockRecord] = field(repr=False)


@dataclass(frozen=True, slots=True)
class GatewayNotice:
    """notifyType 2: a gateway went online or offline."""

    gateway_id: int
    online: bool


@dataclass(frozen=True, slots=True)
class WifiLockNotice:
    """notifyType 3: a Wi-Fi lock went online or offline."""

    lock_id: int
    online: bool


@dataclass(frozen=True, slots=True)
class AsyncFailureNotice:
    """notifyType 4: a Wi-Fi lock refused a change the cloud had accepted."""

    lock_id: int
    object_type: int | None
    object_id: int | None
    errcode: int | None


@dataclass(frozen=True, slots=True)
class DoorSensorNotice:
    """notifyType 7: a standalone door sensor (0 closed, 1 open, 2 left open, 3 not opened
    for long), bound to a lock or not."""

    record_type: int
    sensor_id: int | None
    name: str
    lock_id: int | None


@dataclass(frozen=True, slots=True)
class OtherNotice:
    """A notify type this SDK does not interpret (it is still acknowledged)."""

    notify_type: int


type Notice = (
    RecordsNotice
    | GatewayNotice
    | WifiLockNotice
    | AsyncFailureNotice
    | DoorSensorNotice
    | OtherNotice
)


def parse_callback(fields: Mapping[str, str]) -> Notice:
    """The notice of one callback's fields."""
    notify_type = _int(fields, "notifyType")
    if notify_type == 1:
        return RecordsNotice(parse_records(fields))
    if notify_type == 2:
        return GatewayNotice(_int(fields, "gatewayId"), _bool(fields, "isOnline"))
    if notify_type == 3:
        return WifiLockNotice(_int(fields, "lockId"), _bool(fields, "isOnline"))
    if notify_type == 4:
        return AsyncFailureNotice(
            _int(fields, "lockId"),
            _opt_int(fields, "objectType"),
            _opt_int(fields, "objectId"),
            _opt_int(fields, "errcode"),
        )
    if notify_type == 7:
        return DoorSensorNotice(
            record_type=_int(fields, "recordType"),
            sensor_id=_opt_int(fields, "doorSensorId"),
            name=str(fields.get("name") or fields.get("doorSensorName") or ""),
            lock_id=_opt_int(fields, "lockId"),
        )
    return OtherNotice(notify_type)


def parse_records(fields: Mapping[str, str]) -> list[LockRecord]:
    """The records of a notifyType 1 callback (``records`` is a JSON string list)."""
    lock_id = _int(fields, "lockId")
    raw = fields.get("records")
    if raw is None:
        raise CallbackError("records is missing")
    try:
        items = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise CallbackError("records is not JSON") from err
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise CallbackError("records is not a list of objects")
    if len(items) > MAX_RECORDS:
        raise CallbackError(f"more than {MAX_RECORDS} records")
    # a record without an integer type or time cannot be told apart from another one: it
    # is dropped, and the readable records of the same batch are still handled
    readable = [item for item in items if _readable_record(item)]
    if items and not readable:
        raise CallbackError("a record is malformed")
    if len(readable) < len(items):
        _LOGGER.debug("Dropped %s unreadable record(s)", len(items) - len(readable))
    return [parse_lock_record(item, lock_id) for item in readable]


def _readable_record(item: Mapping[str, Any]) -> bool:
    for key in ("recordType", "lockDate"):
        value = item.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            return False
        try:
            number = int(value)
        except ValueError:
            return False
        if key == "lockDate" and not 0 < number < LATEST_LOCK_DATE_MS:
            return False  # a lock stores years 2000–2099: anything else is not a record
    battery = item.get("electricQuantity")
    return battery is None or isinstance(battery, (int, str))


def _opt_int(fields: Mapping[str, str], key: str) -> int | None:
    raw = fields.get(key)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError as err:
        raise CallbackError(f"{key} is not a number") from err


def _int(fields: Mapping[str, str], key: str) -> int:
    value = _opt_int(fields, key)
    if value is None:
        raise CallbackError(f"{key} is missing")
    return value


def _bool(fields: Mapping[str, str], key: str) -> bool:
    raw = str(fields.get(key, "")).strip().lower()
    if raw in ("1", "true"):
        return True
    if raw in ("0", "false", "2"):
        return False
    raise CallbackError(f"{key} is not a boolean")
