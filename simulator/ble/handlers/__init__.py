"""What each command does: one module per family, wired through :data:`COMMANDS`.

A handler is ``handler(lock, payload) -> reply``: ``payload`` is the decrypted request after
its command byte; the reply is ``(SUCCESS, data)`` → ``[cmd][01][data]``, ``(FAILURE,
[code])`` → ``[cmd][00][code]`` (:data:`~simulator.ble.protocol.Reply`), or a
:class:`~simulator.ble.protocol.FramedReply` sent as it is (``0x19``). Handlers change the
lock (:class:`~simulator.ble.core.LockCore`) and its session; the lock's link layer
(:class:`~simulator.ble.lock.SimulatedLock`) checks setting mode and login first, answers
and remembers the reply for retransmission (``docs/ble.md`` §5.2; errata E1, E16, E17).

Families: :mod:`.info`, :mod:`.pairing`, :mod:`.login`, :mod:`.unlock`, :mod:`.logs`,
:mod:`.passcodes`, :mod:`.readers` (cards and fingerprints), :mod:`.settings`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core import LockCore
from ..protocol import Cmd, FramedReply, Reply
from . import info, login, logs, pairing, passcodes, readers, settings, unlock

__all__ = ["COMMANDS", "Handler"]

type Handler = Callable[[LockCore, bytes], Reply | FramedReply]
"""``handler(lock, payload)``: see the module docstring."""

COMMANDS: dict[int, Handler] = {
    Cmd.SEARCH_DEVICE_FEATURE: info.cmd_features,
    Cmd.SEARCH_BICYCLE_STATUS: info.cmd_status,
    Cmd.GET_LOCK_TIME: info.cmd_get_time,
    Cmd.TIME_CALIBRATE: info.cmd_calibrate,
    Cmd.READ_DEVICE_INFO: info.cmd_device_info,
    Cmd.INITIALIZATION: pairing.cmd_init,
    Cmd.GET_AES_KEY: pairing.cmd_get_aes_key,
    Cmd.ADD_ADMIN: pairing.cmd_add_admin,
    Cmd.OPERATE_FINISHED: pairing.cmd_finished,
    Cmd.RESET_LOCK: pairing.cmd_reset,
    Cmd.GET_ADMIN_CODE: pairing.cmd_get_admin_code,
    Cmd.SET_ADMIN_KEYBOARD_PWD: pairing.cmd_set_admin_code,
    Cmd.INIT_PASSWORDS: pairing.cmd_init_passwords,
    Cmd.CHECK_USER_TIME: login.cmd_check_user_time,
    Cmd.CHECK_ADMIN: login.cmd_check_admin,
    Cmd.CHECK_RANDOM: login.cmd_check_random,
    Cmd.UNLOCK: unlock.cmd_unlock,
    Cmd.FUNCTION_LOCK: unlock.cmd_lock,
    Cmd.GET_OPERATE_LOG: logs.cmd_operate_log,
    Cmd.MANAGE_KEYBOARD_PASSWORD: passcodes.cmd_passcode,
    Cmd.PWD_LIST: passcodes.cmd_passcode_list,
    Cmd.IC_MANAGE: readers.cmd_card,
    Cmd.FR_MANAGE: readers.cmd_fingerprint,
    Cmd.AUTO_LOCK_MANAGE: settings.cmd_auto_lock,
    Cmd.CONTROL_REMOTE_UNLOCK: settings.cmd_remote_unlock,
    Cmd.AUDIO_MANAGE: settings.cmd_audio,
    Cmd.SWITCH: settings.cmd_switch,
    Cmd.CONFIGURE_PASSAGE_MODE: settings.cmd_passage,
    Cmd.CONFIGURE_HOTEL_DATA: settings.cmd_hotel,
}
"""Command code → handler; a command not here gets ``[cmd][00][1B]`` (INVALID_COMMAND)."""
