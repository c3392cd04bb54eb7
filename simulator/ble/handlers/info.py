"""Information and clock commands (``docs/ble.md`` §5.2, §5.3; errata E12): ``0x01`` device
features, ``0x14`` bolt state, ``0x34`` lock time, ``0x43`` time calibration, ``0x90`` device
information.
"""

from __future__ import annotations

from ..core import LockCore
from ..protocol import SUCCESS, Err, Reply, d6, error, parse_d6, u32

__all__ = ["cmd_calibrate", "cmd_device_info", "cmd_features", "cmd_get_time", "cmd_status"]


def cmd_features(lock: LockCore, _payload: bytes) -> Reply:
    value = sum(1 << bit for bit in lock.features)
    words = max(1, (max(lock.features, default=0) // 32) + 1)
    data = b"".join(u32(value >> (32 * index)) for index in range(words))
    return SUCCESS, bytes((lock.battery,)) + data


def cmd_status(lock: LockCore, _payload: bytes) -> Reply:
    lock.tick()
    return SUCCESS, bytes((lock.battery, 0 if lock.locked else 1, 0))


def cmd_get_time(lock: LockCore, _payload: bytes) -> Reply:
    return SUCCESS, d6(lock.now())


def cmd_calibrate(lock: LockCore, payload: bytes) -> Reply:
    moment = parse_d6(payload)
    if moment is None:
        return error(Err.INVALID_PARAMETER)
    lock.set_clock(moment)
    return SUCCESS, b""


def cmd_device_info(lock: LockCore, payload: bytes) -> Reply:
    item = payload[0] if payload else 0
    texts = {
        1: lock.model,
        2: lock.hardware_revision,
        3: lock.firmware_revision,
        4: lock.factory_date,
    }
    if item in texts:
        return SUCCESS, texts[item].encode("ascii") + b"\x00"
    if item == 5:
        return SUCCESS, lock.mac_bytes[::-1]
    if item == 6:
        return SUCCESS, d6(lock.now())
    return error(Err.UNSUPPORTED_PARAMETER)  # errata E12: 90 00 19
