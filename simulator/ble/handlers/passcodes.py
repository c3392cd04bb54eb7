"""Keypad passcodes (``docs/ble.md`` §5.5; errata E6, E7): ``0x03`` clear / add / delete /
modify / recover, ``0x07`` list (one record per reply), and the keypad itself
(:func:`enter_code`), which decides with the lock's table or its
:attr:`~simulator.ble.core.LockCore.access_rules`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core import LockCore
from ..protocol import (
    MAX_ENTERED_DIGITS,
    PERMANENT_END,
    PERMANENT_START,
    SUCCESS,
    Err,
    LogKind,
    Reply,
    d5,
    error,
    in_window,
    u16,
)
from ..state import AccessDecision, EventKind, StoredPasscode

__all__ = ["cmd_passcode", "cmd_passcode_list", "enter_code"]


def cmd_passcode(lock: LockCore, payload: bytes) -> Reply:
    op = payload[0]
    handler = _PASSCODE_OPS.get(op)
    if handler is None:
        return error(Err.INVALID_PARAMETER)
    status, data = handler(lock, payload[1:])
    if status == SUCCESS:
        lock.emit(EventKind.SETTINGS)
        return SUCCESS, bytes((lock.battery, op))
    return status, data


def _code(raw: bytes) -> str | None:
    text = raw.decode("ascii", errors="replace")
    return text if text.isdigit() and 4 <= len(text) <= 9 else None


def _passcode_clear(lock: LockCore, _body: bytes) -> Reply:
    lock.passcodes.clear()
    return SUCCESS, b""


def _passcode_add(lock: LockCore, body: bytes) -> Reply:
    kind, length = body[0], body[1]
    code = _code(body[2 : 2 + length])
    rest = body[2 + length :]
    if kind not in (1, 2, 3, 4):
        return error(Err.INVALID_PARAMETER)
    if code is None:
        return error(Err.INVALID_PASSCODE_LENGTH)
    if code in lock.passcodes or code == lock.admin_code:
        return error(Err.PASSCODE_EXISTS)
    if len(lock.passcodes) >= lock.capacity_passcodes:
        return error(Err.OUT_OF_MEMORY)
    start = rest[0:5] if len(rest) >= 5 else PERMANENT_START
    end: bytes | None = rest[5:10] if len(rest) >= 10 else None
    if end == bytes(5):  # KJS pads permanent adds with five zero bytes
        end = None
    cycle = b"\x04\x00" if kind == 4 else None
    lock.passcodes[code] = StoredPasscode(kind, code, code, start, end, cycle)
    return SUCCESS, b""


def _passcode_delete(lock: LockCore, body: bytes) -> Reply:
    length = body[1]
    code = _code(body[2 : 2 + length])
    if code is not None and code not in lock.passcodes:
        rules = lock.access_rules
        if rules is not None and rules.forget_code(code):  # an offline code: refused now
            return SUCCESS, b""
    if code is None or code not in lock.passcodes:
        return error(Err.PASSCODE_NOT_FOUND)
    del lock.passcodes[code]
    return SUCCESS, b""


def _passcode_modify(lock: LockCore, body: bytes) -> Reply:
    old_length = body[1]
    old = _code(body[2 : 2 + old_length])
    rest = body[2 + old_length :]
    new_length = rest[0]
    new_raw = rest[1 : 1 + new_length]
    window = rest[1 + new_length :]
    if old is None or old not in lock.passcodes:
        return error(Err.PASSCODE_NOT_FOUND)
    new = old
    if new_length:
        checked = _code(new_raw)
        if checked is None:
            return error(Err.INVALID_PASSCODE_LENGTH)
        if checked != old and (checked in lock.passcodes or checked == lock.admin_code):
            return error(Err.PASSCODE_EXISTS)
        new = checked
    entry = lock.passcodes.pop(old)
    entry.code = new
    if len(window) >= 10:
        entry.start, entry.end = window[0:5], window[5:10]
    lock.passcodes[new] = entry
    return SUCCESS, b""


def _passcode_recover(lock: LockCore, body: bytes) -> Reply:
    kind, first_length = body[0], body[1]
    original = _code(body[2 : 2 + first_length])
    rest = body[2 + first_length :]
    current = _code(rest[1 : 1 + rest[0]])
    window = rest[1 + rest[0] :]
    if original is None or current is None:
        return error(Err.INVALID_PASSCODE_LENGTH)
    if len(lock.passcodes) >= lock.capacity_passcodes:
        return error(Err.OUT_OF_MEMORY)
    start = window[0:5] if len(window) >= 5 else PERMANENT_START
    end = window[5:10] if kind in (2, 3) and len(window) >= 10 else None
    cycle = window[5:7] if kind == 4 and len(window) >= 7 else None
    lock.passcodes[current] = StoredPasscode(kind, current, original, start, end, cycle)
    return SUCCESS, b""


_PASSCODE_OPS: dict[int, Callable[[LockCore, bytes], Reply]] = {
    1: _passcode_clear,
    2: _passcode_add,
    3: _passcode_delete,
    5: _passcode_modify,
    6: _passcode_recover,
}
"""``0x03`` operations: clear, add, delete, modify, recover."""


def cmd_passcode_list(lock: LockCore, payload: bytes) -> Reply:
    index = int.from_bytes(payload[0:2], "big") if len(payload) >= 2 else 0
    entries = list(lock.passcodes.values())
    if index >= len(entries):
        return SUCCESS, b"\x00\x00"  # errata E6: 07 01 00 00
    entry = entries[index]
    following = index + 1 if index + 1 < len(entries) else 0
    code, original = entry.code.encode(), entry.original.encode()
    body = bytes((entry.kind, len(code))) + code + bytes((len(original),)) + original
    body += entry.start
    if entry.kind in (2, 3):
        body += entry.end or PERMANENT_END
    elif entry.kind == 4:
        body += entry.cycle or b"\x04\x00"
    return SUCCESS, u16(len(entries)) + u16(following) + bytes((len(body),)) + body


def enter_code(lock: LockCore, digits: str) -> bool:
    """Type ``digits`` on the keypad; True when the lock opens.

    TTLock's anti-peep rule: extra digits before or after a valid code (up to 16 digits in
    all) still open. One-time codes (type 2) are used up. Logged as type 4 / type 7.
    """
    entered = "".join(ch for ch in digits if ch.isdigit())
    if lock.setting_mode or not entered:
        return False
    if lock.access_rules is not None:
        return _apply_keypad(lock, entered, lock.access_rules.keypad(entered))
    now5 = d5(lock.now())
    match: str | None = None
    if len(entered) <= MAX_ENTERED_DIGITS:
        candidates = [lock.admin_code] if lock.admin_code else []
        candidates += [
            entry.code
            for entry in lock.passcodes.values()
            if in_window(now5, entry.start, entry.end)
        ]
        found = [code for code in candidates if code and code in entered]
        match = max(found, key=len) if found else None
    if match is None:
        lock.add_record(
            LogKind.WRONG_PASSCODE, bytes((len(entered),)) + entered.encode(), entered=entered
        )
        return False
    entry = lock.passcodes.get(match)
    if entry is not None and entry.kind == 2:
        del lock.passcodes[match]
    lock.set_locked(False)
    lock.add_record(
        LogKind.PASSCODE_UNLOCK,
        bytes((len(match),)) + match.encode() + bytes((len(entered),)) + entered.encode(),
        code=match,
        entered=entered,
    )
    lock.push_state()
    return True


def _apply_keypad(lock: LockCore, entered: str, decision: AccessDecision) -> bool:
    """Record (and act on) a keypad attempt the lock's ``access_rules`` decided."""
    code = decision.code
    tail = bytes((len(entered),)) + entered.encode()
    if code is not None:
        tail = bytes((len(code),)) + code.encode() + tail
    if decision.opens:
        lock.set_locked(False)
    lock.add_record(decision.kind, tail, code=code, entered=entered)
    if decision.opens:
        lock.push_state()
    return decision.opens
