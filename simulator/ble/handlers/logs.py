"""The operation log (``docs/ble.md`` §5.8; errata E11): ``0x25`` GET_OPERATE_LOG pages the
records from a sequence number or, with ``0xFFFF``, from the read pointer.
"""

from __future__ import annotations

from ..core import LockCore
from ..protocol import MAX_PLAINTEXT, SUCCESS, Reply, u16

__all__ = ["cmd_operate_log"]


def cmd_operate_log(lock: LockCore, payload: bytes) -> Reply:
    seq = int.from_bytes(payload[0:2], "big") if len(payload) >= 2 else 0xFFFF
    position = lock.log_read_pointer if seq == 0xFFFF else seq
    area = b""
    index = position
    while index < len(lock.log) and index - position < max(1, lock.log_records_per_page):
        encoded = lock.log[index].encode()
        if area and 6 + len(area) + len(encoded) > MAX_PLAINTEXT:
            break
        area += encoded
        index += 1
    if not area:
        return SUCCESS, b"\x00\x00"
    if index > lock.log_read_pointer:
        lock.log_read_pointer = index
        lock.advertisement_changed()
    return SUCCESS, u16(len(area)) + u16(index) + area
