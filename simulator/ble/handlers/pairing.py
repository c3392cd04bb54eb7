"""Pairing a factory-fresh lock and resetting it (``docs/ble.md`` §5.1, §8.1): ``0x45``,
``0x19`` GET_AES_KEY, ``0x56`` ADD_ADMIN, ``0x57`` OPERATE_FINISHED (setting mode ends only
then), ``0x52`` factory reset, the admin keypad code ``0x53``/``0x65`` and ``0x31``
INIT_PASSWORDS.
"""

from __future__ import annotations

from ..codec import DEFAULT_AES_KEY
from ..core import LockCore
from ..protocol import FAILURE, SUCCESS, VENDORS, Cmd, Err, FramedReply, Reply, error
from ..state import EventKind

__all__ = [
    "cmd_add_admin",
    "cmd_finished",
    "cmd_get_admin_code",
    "cmd_get_aes_key",
    "cmd_init",
    "cmd_init_passwords",
    "cmd_reset",
    "cmd_set_admin_code",
]


def cmd_init(lock: LockCore, _payload: bytes) -> Reply:
    return SUCCESS, b""


def cmd_get_aes_key(lock: LockCore, payload: bytes) -> FramedReply:
    """A fresh AES key under the default key, answered in a ``0x19`` frame of its own."""
    if not lock.setting_mode:
        # docs/ble.md §5.1: outside setting mode the reply carries no decryptable data.
        return FramedReply(b"", Cmd.GET_AES_KEY, DEFAULT_AES_KEY)
    if payload[:7] not in VENDORS:
        return FramedReply(
            bytes((Cmd.GET_AES_KEY, FAILURE, Err.INVALID_VENDOR)), Cmd.GET_AES_KEY, DEFAULT_AES_KEY
        )
    key = bytes(lock.rng.randrange(256) for _ in range(16))
    lock.session.pairing_key = key
    return FramedReply(bytes((Cmd.GET_AES_KEY, SUCCESS)) + key, Cmd.GET_AES_KEY, DEFAULT_AES_KEY)


def cmd_add_admin(lock: LockCore, payload: bytes) -> Reply:
    session = lock.session
    if not lock.setting_mode:
        return error(Err.NOT_IN_SETTING_MODE)
    if session.pairing_key is None or len(payload) < 8:
        return error(Err.FAILED)
    lock.aes_key = session.pairing_key
    lock.admin_ps = int.from_bytes(payload[0:4], "big")
    lock.unlock_key = int.from_bytes(payload[4:8], "big")
    lock.lock_flag_pos = 0
    session.pairing_key = None
    session.pairing = True
    session.admin = True
    return SUCCESS, b"SCIENER"


def cmd_finished(lock: LockCore, _payload: bytes) -> Reply:
    session = lock.session
    if session.pairing:
        session.pairing = False
        lock.setting_mode = False
        lock.emit(EventKind.PAIRED)
        lock.advertisement_changed()
    return SUCCESS, b""


def cmd_reset(lock: LockCore, _payload: bytes) -> Reply:
    def _reboot() -> None:
        lock.drop_link()
        lock.factory_state()

    lock.session.after_reply = _reboot
    return SUCCESS, b""


def cmd_set_admin_code(lock: LockCore, payload: bytes) -> Reply:
    if not 4 <= len(payload) <= 9 or any(digit > 9 for digit in payload):
        return error(Err.INVALID_PASSCODE_LENGTH)
    code = "".join(str(digit) for digit in payload)
    if code in lock.passcodes:
        return error(Err.PASSCODE_EXISTS)
    lock.admin_code = code
    return SUCCESS, bytes((lock.battery,))


def cmd_get_admin_code(lock: LockCore, _payload: bytes) -> Reply:
    if 18 not in lock.features:
        return error(Err.INVALID_COMMAND)
    code = (lock.admin_code or "").encode("ascii")
    return SUCCESS, bytes((lock.battery, len(code))) + code


def cmd_init_passwords(lock: LockCore, payload: bytes) -> Reply:
    if len(payload) != 61:
        return error(Err.BAD_PARAMETER_LENGTH)
    lock.password_table = bytes(payload)
    return SUCCESS, bytes((lock.battery,))
