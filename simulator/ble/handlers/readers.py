"""IC cards and fingerprints (``docs/ble.md`` §5.6, §5.7; errata E18): ``0x05`` and ``0x06``
list / add mode / add / modify / delete / clear, and the readers themselves
(:func:`present_card`, :func:`place_finger`): add-mode enrolment with its pushes, or an
attempt decided by the lock's tables or its :attr:`~simulator.ble.core.LockCore.access_rules`.
"""

from __future__ import annotations

from typing import Any

from ..core import LockCore
from ..protocol import (
    FP_SENTINEL_END,
    FP_SENTINEL_START,
    SUCCESS,
    Cmd,
    Err,
    LogKind,
    Reply,
    card_bytes,
    card_number,
    d5,
    error,
    in_window,
    u16,
)
from ..session import Enrolment
from ..state import AccessDecision, EventKind, StoredCredential

__all__ = ["cmd_card", "cmd_fingerprint", "place_finger", "present_card"]


def _apply_reader(lock: LockCore, decision: AccessDecision, raw: bytes, **fields: Any) -> bool:
    """Record (and act on) a card / finger attempt the lock's ``access_rules`` decided."""
    if decision.opens:
        lock.set_locked(False)
    lock.add_record(decision.kind, raw, **fields)
    if decision.opens:
        lock.push_state()
    return decision.opens


def cmd_card(lock: LockCore, payload: bytes) -> Reply:
    op = payload[0]
    battery = bytes((lock.battery,))
    if op == 1:
        index = int.from_bytes(payload[1:3], "big") if len(payload) >= 3 else 0
        items = list(lock.cards.items())
        if index >= len(items):
            return SUCCESS, battery + b"\x01\xff\xff"
        number, window = items[index]
        following = index + 1 if index + 1 < len(items) else 0xFFFF
        record = card_bytes(number) + window.start + window.end
        return SUCCESS, battery + b"\x01" + u16(following) + record
    if op == 2 and len(payload) == 1:
        lock.session.card_add = True
        return SUCCESS, battery + b"\x02\x02"
    if op in (2, 5):
        card = card_number(payload[1:-10])
        if card is None or len(payload) < 15:
            return error(Err.INVALID_PARAMETER)
        window = StoredCredential(payload[-10:-5], payload[-5:])
        if op == 5 and card not in lock.cards:
            return error(Err.IC_CARD_NOT_FOUND)
        if op == 2 and card not in lock.cards:
            if len(lock.cards) >= lock.capacity_cards:
                return error(Err.OUT_OF_MEMORY)
            lock.add_record(LogKind.IC_ADDED, card_bytes(card), card=card)
        lock.cards[card] = window
    elif op == 3:
        gone = card_number(payload[1:])
        if gone is None or gone not in lock.cards:
            return error(Err.IC_CARD_NOT_FOUND)
        del lock.cards[gone]
        lock.add_record(LogKind.IC_DELETED, card_bytes(gone), card=gone)
    elif op == 4:
        lock.cards.clear()
        lock.add_record(LogKind.IC_CLEARED)
    else:
        return error(Err.INVALID_PARAMETER)
    lock.emit(EventKind.SETTINGS)
    return SUCCESS, battery + bytes((op,))


def present_card(lock: LockCore, number: int) -> bool:
    """Hold a card to the reader; True when the lock opens (or the card is enrolled).

    In card add mode (after an app's ``0x05 [2]``) the card is stored with the permanent
    window and pushed as ``[05][01][battery][2][01][card]``; otherwise a valid card opens
    (log 17) and an unknown or expired one is refused (log 25).
    """
    raw = card_bytes(number)
    if lock.session.card_add and lock.connected:
        lock.session.card_add = False
        lock.cards[number] = StoredCredential()
        lock.add_record(LogKind.IC_ADDED, raw, card=number)
        lock.emit(EventKind.SETTINGS)
        lock.push(bytes((Cmd.IC_MANAGE, SUCCESS, lock.battery, 2, 0x01)) + raw)
        return True
    if lock.access_rules is not None and not lock.setting_mode:
        return _apply_reader(lock, lock.access_rules.card(number), raw, card=number)
    window = lock.cards.get(number)
    if (
        lock.setting_mode
        or window is None
        or not in_window(d5(lock.now()), window.start, window.end)
    ):
        lock.add_record(LogKind.IC_FAILED, raw, card=number)
        return False
    lock.set_locked(False)
    lock.add_record(LogKind.IC_UNLOCK, raw, card=number)
    lock.push_state()
    return True


def cmd_fingerprint(lock: LockCore, payload: bytes) -> Reply:
    op = payload[0]
    battery = bytes((lock.battery,))
    if op == 6:
        index = int.from_bytes(payload[1:3], "big") if len(payload) >= 3 else 0
        items = list(lock.fingerprints.items())
        if index >= len(items):
            return SUCCESS, battery + b"\x06\xff\xff"  # 06 01 bb 06 ff ff
        fid, window = items[index]
        record = fid.to_bytes(6, "big") + window.start + window.end
        return SUCCESS, battery + b"\x06" + u16(index + 1) + record
    if op == 2 and len(payload) == 1:
        total = max(1, lock.fingerprint_touches)
        lock.session.finger_add = Enrolment(total)
        return SUCCESS, battery + bytes((2, 0x02, total))
    if op in (2, 5):
        if len(payload) < 17:
            return error(Err.INVALID_PARAMETER)
        fid = int.from_bytes(payload[1:7], "big")
        window = StoredCredential(payload[7:12], payload[12:17])
        if op == 5 and fid not in lock.fingerprints:
            return error(Err.FINGERPRINT_NOT_FOUND)
        if op == 2 and fid not in lock.fingerprints:
            if len(lock.fingerprints) >= lock.capacity_fingerprints:
                return error(Err.OUT_OF_MEMORY)
            lock.add_record(LogKind.FINGERPRINT_ADDED, payload[1:7], fingerprint=fid)
        lock.fingerprints[fid] = window
    elif op == 3:
        fid = int.from_bytes(payload[1:7], "big")
        if len(payload) < 7 or fid not in lock.fingerprints:
            return error(Err.FINGERPRINT_NOT_FOUND)
        del lock.fingerprints[fid]
        lock.add_record(LogKind.FINGERPRINT_DELETED, payload[1:7], fingerprint=fid)
    elif op == 4:
        lock.fingerprints.clear()
        lock.add_record(LogKind.FINGERPRINTS_CLEARED)
    else:
        return error(Err.INVALID_COMMAND)  # 7 = template upload: not supported
    lock.emit(EventKind.SETTINGS)
    return SUCCESS, battery + bytes((op,))


def _new_fingerprint_id(lock: LockCore) -> int:
    slot = len(lock.fingerprints) + 1
    while True:
        fid = (lock.rng.getrandbits(32) << 16) | slot
        if fid not in lock.fingerprints:
            return fid


def place_finger(lock: LockCore, fingerprint_id: int | None = None) -> bool | int:
    """Put a finger on the sensor.

    During enrolment (after an app's ``0x06 [2]``) each call is one touch: progress pushes
    ``[06][01][bb][2][03][n][total]``, then the success push with the new 6-byte id, which
    is returned. Otherwise ``fingerprint_id`` is the finger: True when it opens (log 20),
    False when refused (log 22).
    """
    enrolment = lock.session.finger_add
    if enrolment is not None and lock.connected:
        enrolment.done += 1
        head = bytes((Cmd.FR_MANAGE, SUCCESS, lock.battery, 2))
        if enrolment.done < enrolment.total:
            lock.push(head + bytes((0x03, enrolment.done, enrolment.total)))
            return True
        lock.session.finger_add = None
        fid = _new_fingerprint_id(lock)
        lock.fingerprints[fid] = StoredCredential(FP_SENTINEL_START, FP_SENTINEL_END)
        raw = fid.to_bytes(6, "big")
        lock.add_record(LogKind.FINGERPRINT_ADDED, raw, fingerprint=fid)
        lock.emit(EventKind.SETTINGS)
        lock.push(head + b"\x01" + raw)
        return fid
    fid = fingerprint_id or 0
    raw = fid.to_bytes(6, "big")
    if lock.access_rules is not None and not lock.setting_mode:
        return _apply_reader(lock, lock.access_rules.fingerprint(fid), raw, fingerprint=fid)
    window = lock.fingerprints.get(fid)
    if (
        lock.setting_mode
        or window is None
        or not in_window(d5(lock.now()), window.start, window.end)
    ):
        lock.add_record(LogKind.FINGERPRINT_FAILED, raw, fingerprint=fid)
        return False
    lock.set_locked(False)
    lock.add_record(LogKind.FINGERPRINT_UNLOCK, raw, fingerprint=fid)
    lock.push_state()
    return True
