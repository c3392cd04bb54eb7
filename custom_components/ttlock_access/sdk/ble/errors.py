"""Typed errors of the TTLock Bluetooth protocol core.

Two families:

* :class:`ProtocolError` — bytes that do not follow the protocol (bad frame, CRC, ciphertext,
  payload layout, advertisement). The frame codec raises nothing else on garbage input.
* :class:`LockError` — the lock answered, well formed, with a failure status (docs/ble.md §6).

Plus errors of the operation machinery (:class:`ReplyTimeoutError`,
:class:`OperationStateError`) and of key material (:class:`KeyMaterialError`).
All derive from :class:`TTLockBleError`. It deliberately does not subclass the cloud
client's ``TTLockError``: importing ``sdk.cloud`` loads aiohttp/asyncio, which the sans-IO core
(and the simulated lock reusing the codec) must not pull in. If that base moves to a pure
module (e.g. ``sdk/errors.py``), make it the base here.
"""

from __future__ import annotations

from .const import describe_error


class TTLockBleError(Exception):
    """Base class of every error raised by the Bluetooth protocol core."""


# --- malformed bytes ------------------------------------------------------------------
class ProtocolError(TTLockBleError):
    """Bytes received from (or given as) a lock do not follow the protocol."""


class FrameError(ProtocolError):
    """A frame is truncated, too long, lacks its magic bytes or its CRLF terminator."""


class CrcError(ProtocolError):
    """A complete frame whose CRC-8 does not match its content (docs/ble.md §3.3)."""

    def __init__(self, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(f"CRC mismatch: frame says {actual:#04x}, computed {expected:#04x}")


class DecryptError(ProtocolError):
    """The frame payload could not be decrypted (wrong key, bad length or padding)."""


class PayloadError(ProtocolError):
    """A decrypted payload is shorter than, or otherwise does not match, its layout."""


class EmptyReplyError(PayloadError):
    """The lock answered with no payload at all (e.g. ``0x19`` outside setting mode)."""


class AdvertisementError(ProtocolError):
    """Manufacturer data that is not a TTLock advertisement (docs/ble.md §1.1)."""


# --- well-formed failures ---------------------------------------------------------------
class LockError(TTLockBleError):
    """The lock replied ``[command][status != 1][code]`` (docs/ble.md §3.4, §6)."""

    def __init__(self, command: int, code: int | None, message: str | None = None) -> None:
        self.command = command
        self.code = code
        reason = message or describe_error(code)
        self.reason = reason
        code_text = "none" if code is None else f"{code:#04x}"
        super().__init__(f"lock rejected command {command:#04x} (code {code_text}: {reason})")


class NotInSettingModeError(LockError):
    """Pairing refused: the lock is already paired / not in setting mode (docs/ble.md §5.1)."""


class ReplyTimeoutError(TTLockBleError):
    """No reply (or awaited push) arrived before the deadline the operation asked for."""

    def __init__(self, command: int | None) -> None:
        self.command = command
        text = "nothing" if command is None else f"command {command:#04x}"
        super().__init__(f"timed out waiting for the lock's answer to {text}")


class OperationStateError(TTLockBleError):
    """An operation was driven out of order (started twice, fed after it finished)."""


class KeyMaterialError(TTLockBleError, ValueError):
    """Key material (lockData, aesKeyStr, adminPwd …) is missing or malformed."""


class EncodeError(TTLockBleError, ValueError):
    """A value cannot be encoded into a command (out of range, wrong length …)."""
