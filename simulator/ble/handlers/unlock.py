"""Unlocking and locking over Bluetooth (``docs/ble.md`` §5.4, lift floors §9.3): ``0x47``
UNLOCK and ``0x58`` FUNCTION_LOCK prove the challenge sum, move the bolt and log the record.
"""

from __future__ import annotations

from ..core import LockCore
from ..protocol import SUCCESS, Cmd, Err, LogKind, Reply, d6, error, u32
from ..state import EventKind

__all__ = ["cmd_lock", "cmd_unlock"]


def _actuate(lock: LockCore, command: int, payload: bytes) -> Reply:
    session = lock.session
    if len(payload) < 8:
        return error(Err.BAD_PARAMETER_LENGTH)
    if session.challenge is None:
        return error(Err.NOT_LOGGED_IN)
    if not session.sum_ok(int.from_bytes(payload[0:4], "big"), lock.unlock_key):
        return error(Err.INVALID_DYNAMIC_CODE)
    session.challenge = None
    record_id = int.from_bytes(payload[4:8], "big")
    floors: tuple[int, ...] = ()
    if command == Cmd.UNLOCK and len(payload) > 14:
        count = payload[14]
        floors = tuple(payload[15 : 15 + count])
        if len(floors) != count or (lock.lift_floors and not set(floors) <= lock.lift_floors):
            return error(Err.INVALID_PARAMETER)
    now = lock.now()
    if floors:
        lock.lift_activations.append(floors)
        lock.emit(EventKind.LIFT)
    if command == Cmd.UNLOCK:
        kind = LogKind.APP_UNLOCK
        lock.set_locked(False)
    else:
        kind = LogKind.BLE_LOCK
        lock.set_locked(True)
    lock.add_record(
        kind,
        u32(session.uid) + u32(record_id),
        uid=session.uid,
        record_id=record_id,
    )
    if lock.push_status_after_actuation:
        session.after_reply = lock.push_state
    data = bytes((lock.battery,)) + u32(session.uid) + u32(record_id) + d6(now)
    return SUCCESS, data


def cmd_unlock(lock: LockCore, payload: bytes) -> Reply:
    return _actuate(lock, Cmd.UNLOCK, payload)


def cmd_lock(lock: LockCore, payload: bytes) -> Reply:
    return _actuate(lock, Cmd.FUNCTION_LOCK, payload)
