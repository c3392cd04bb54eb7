"""Settings (``docs/ble.md`` §5.2, §5.3, §5.9, §9.3; errata E8): ``0x36`` auto-lock, ``0x37``
remote-unlock switch, ``0x62`` sound, ``0x68`` switches, ``0x66`` passage mode, ``0x64`` hotel
data (lift floors).
"""

from __future__ import annotations

from ..core import LockCore
from ..protocol import SUCCESS, SWITCH_FEATURES, Err, Reply, error, u16, u32
from ..state import EventKind, PassageWindow

__all__ = [
    "cmd_audio",
    "cmd_auto_lock",
    "cmd_hotel",
    "cmd_passage",
    "cmd_remote_unlock",
    "cmd_switch",
]


def cmd_auto_lock(lock: LockCore, payload: bytes) -> Reply:
    op = payload[0]
    low, high = lock.auto_lock_limits
    battery = bytes((lock.battery,))
    if op == 1:
        return SUCCESS, battery + b"\x01" + u16(lock.auto_lock_seconds) + (
            u16(low) + u16(high) + b"\x01"
        )
    if op != 2 or len(payload) < 3:
        return error(Err.INVALID_PARAMETER)
    if payload[1:3] == b"\xff\xff":  # door-sensor variant [2][FF FF][value]
        lock.door_sensor_auto_lock = payload[3] if len(payload) > 3 else 0
    else:
        seconds = int.from_bytes(payload[1:3], "big")
        if seconds and not low <= seconds <= high:
            return error(Err.INVALID_PARAMETER)
        lock.auto_lock_seconds = seconds
    lock.emit(EventKind.SETTINGS)
    return SUCCESS, battery + b"\x02" + u16(lock.auto_lock_seconds)


def cmd_remote_unlock(lock: LockCore, payload: bytes) -> Reply:
    op = payload[0]
    if op == 2 and len(payload) >= 2:
        lock.remote_unlock = payload[1] == 1
        lock.emit(EventKind.SETTINGS)
    elif op != 1:
        return error(Err.INVALID_PARAMETER)
    return SUCCESS, bytes((lock.battery, op, 1 if lock.remote_unlock else 0))


def cmd_audio(lock: LockCore, payload: bytes) -> Reply:
    op = payload[0]
    if op == 1:
        data = bytes((lock.battery, 1, 1 if lock.sound_on else 0))
        if 43 in lock.features:
            data += bytes((lock.volume,))
        return SUCCESS, data
    if op != 2 or len(payload) < 2:
        return error(Err.INVALID_PARAMETER)
    if len(payload) >= 3:  # [2][1][volume][language]
        if not 1 <= payload[2] <= 5:
            return error(Err.INVALID_PARAMETER)
        lock.sound_on, lock.volume = True, payload[2]
    else:
        lock.sound_on = payload[1] != 0
    lock.emit(EventKind.SETTINGS)
    return SUCCESS, bytes((lock.battery, 2))


def _switch_mask(lock: LockCore) -> int:
    mask = 0
    for bit, item in SWITCH_FEATURES.items():
        if bit in lock.features:
            mask |= item
    return mask


def cmd_switch(lock: LockCore, payload: bytes) -> Reply:
    mask = _switch_mask(lock)
    if not mask:
        return error(Err.INVALID_COMMAND)
    op = payload[0]
    if op == 2 and len(payload) >= 9:
        item = int.from_bytes(payload[1:5], "big") & mask
        value = int.from_bytes(payload[5:9], "big")
        lock.switch_value = (lock.switch_value & ~item) | (value & item)
        lock.emit(EventKind.SETTINGS)
    elif op != 1:
        return error(Err.INVALID_PARAMETER)
    return SUCCESS, bytes((lock.battery, op)) + u32(mask) + u32(lock.switch_value & mask)


def cmd_passage(lock: LockCore, payload: bytes) -> Reply:
    op = payload[0]
    battery = bytes((lock.battery,))
    if op == 1:
        start = payload[1] if len(payload) > 1 else 0
        page = lock.passage_windows[start : start + 10]
        following = start + len(page)
        cursor = following if following < len(lock.passage_windows) else 0xFF
        return SUCCESS, battery + bytes((1, cursor)) + b"".join(w.encode() for w in page)
    if op in (2, 3):
        if len(payload) < 8:
            return error(Err.INVALID_PARAMETER)
        window = PassageWindow.decode(payload[1:8])
        if op == 2 and window not in lock.passage_windows:
            if len(lock.passage_windows) >= 32:
                return error(Err.OUT_OF_MEMORY)
            lock.passage_windows.append(window)
        if op == 3 and window in lock.passage_windows:
            lock.passage_windows.remove(window)
    elif op == 4:
        lock.passage_windows.clear()
    else:
        return error(Err.INVALID_PARAMETER)
    lock.emit(EventKind.SETTINGS)
    return SUCCESS, battery + bytes((op,))


_LIFT_FLOORS, _LIFT_WORK_MODE = 5, 6
_LIFT_FLAG_BYTES = 8


def _hotel_value(lock: LockCore, kind: int) -> bytes | None:
    """A parameter as the lock reports it: a lift's floors and work mode are its own state
    (set over Bluetooth, or from the world), the other parameters the bytes last written."""
    if kind == _LIFT_FLOORS and (lock.lift_floors or _LIFT_FLOORS in lock.hotel_data):
        return bytes(sorted(lock.lift_floors))
    if kind == _LIFT_WORK_MODE and lock.lift_work_mode is not None:
        flags = lock.hotel_data.get(kind, b"")[1 : 1 + _LIFT_FLAG_BYTES]
        return bytes((lock.lift_work_mode,)) + flags.ljust(_LIFT_FLAG_BYTES, b"\x00")
    return lock.hotel_data.get(kind)


def cmd_hotel(lock: LockCore, payload: bytes) -> Reply:
    if 19 not in lock.features:
        return error(Err.INVALID_COMMAND)
    op, kind = payload[0], payload[1]
    if not 1 <= kind <= 8:
        return error(Err.UNSUPPORTED_PARAMETER)
    if op == 1:
        value = _hotel_value(lock, kind)
        if value is None:
            return error(Err.RECORD_NOT_FOUND)
        return SUCCESS, bytes((lock.battery, 1, kind)) + value
    if op != 2 or len(payload) < 3:
        return error(Err.INVALID_PARAMETER)
    value = payload[3 : 3 + payload[2]]
    if kind == _LIFT_WORK_MODE and (not value or value[0] not in (1, 2)):
        return error(Err.INVALID_PARAMETER)  # 1 all floors / 2 specific floors (§9.3)
    lock.hotel_data[kind] = value
    if kind == _LIFT_FLOORS:
        lock.lift_floors = set(value)
    elif kind == _LIFT_WORK_MODE:
        lock.lift_work_mode = value[0]  # the flag bytes that may follow are kept as written
    lock.emit(EventKind.SETTINGS)
    return SUCCESS, bytes((lock.battery, 2))
