"""Login handshakes (``docs/ble.md`` §5.0; errata E1, E4): ``0x55`` CHECK_USER_TIME or ``0x41``
CHECK_ADMIN give a challenge; ``0x30`` CHECK_RANDOM with ``(ps + unlockKey) mod 2**32`` logs
the admin in (or, after CHECK_USER_TIME, allows ``0x43``) for the rest of the connection.
"""

from __future__ import annotations

from ..core import LockCore
from ..protocol import SUCCESS, Cmd, Err, Reply, d5, error, u32

__all__ = ["cmd_check_admin", "cmd_check_random", "cmd_check_user_time"]


def _new_challenge(lock: LockCore, source: int, uid: int) -> Reply:
    session = lock.session
    ps = lock.rng.getrandbits(32)
    session.challenge = ps
    session.challenge_from = source
    session.uid = uid
    return SUCCESS, u32(ps)


def cmd_check_user_time(lock: LockCore, payload: bytes) -> Reply:
    if lock.unlock_key is None:
        return error(Err.NO_ADMIN)
    if len(payload) < 13:
        return error(Err.BAD_PARAMETER_LENGTH)
    start, end = payload[0:5], payload[5:10]
    flag = int.from_bytes(payload[10:13], "big")
    uid = int.from_bytes(payload[13:17], "big") if len(payload) >= 17 else 0
    if flag < lock.lock_flag_pos:
        return error(Err.EKEY_FLAG_TOO_LOW)
    now5 = d5(lock.now())
    if now5 < start:
        return error(Err.EKEY_NOT_YET_VALID)
    if now5 > end:
        return error(Err.EKEY_EXPIRED)
    return _new_challenge(lock, Cmd.CHECK_USER_TIME, uid)


def cmd_check_admin(lock: LockCore, payload: bytes) -> Reply:
    if lock.admin_ps is None:
        return error(Err.NO_ADMIN)
    if len(payload) < 4:
        return error(Err.BAD_PARAMETER_LENGTH)
    if int.from_bytes(payload[0:4], "big") != lock.admin_ps:
        return error(Err.WRONG_ADMIN_PASSWORD)
    flag = int.from_bytes(payload[4:7], "big") if len(payload) >= 7 else 0
    if flag < lock.lock_flag_pos:
        return error(Err.EKEY_FLAG_TOO_LOW)
    uid = int.from_bytes(payload[7:11], "big") if len(payload) >= 11 else 0
    return _new_challenge(lock, Cmd.CHECK_ADMIN, uid)


def cmd_check_random(lock: LockCore, payload: bytes) -> Reply:
    session = lock.session
    if len(payload) < 4:
        return error(Err.BAD_PARAMETER_LENGTH)
    if session.challenge is None:
        return error(Err.NOT_LOGGED_IN)
    if not session.sum_ok(int.from_bytes(payload[0:4], "big"), lock.unlock_key):
        return error(Err.INVALID_DYNAMIC_CODE)
    if session.challenge_from == Cmd.CHECK_ADMIN:
        session.admin = True
    else:
        session.user_random = True
    return SUCCESS, b""
