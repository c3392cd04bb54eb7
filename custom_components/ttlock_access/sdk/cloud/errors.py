"""Typed errors of the TTLock cloud Open API v3.

The cloud answers failures with HTTP 200 and a JSON body ``{errcode, errmsg, description}``
(docs/cloud.md §1.3); every errcode of its table (§1.4) maps to
one class below, unknown codes to :class:`TTLockApiError` itself.
"""

from __future__ import annotations

from typing import ClassVar


class TTLockError(Exception):
    """Base class of every error raised by the SDK."""


class TTLockConnectionError(TTLockError):
    """The cloud could not be reached, timed out or answered something that is not the API."""


class TTLockApiError(TTLockError):
    """The cloud answered with a non-zero errcode."""

    errcodes: ClassVar[tuple[int, ...]] = ()

    def __init__(self, errcode: int, errmsg: str = "", description: str = "") -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        self.description = description
        super().__init__(f"TTLock error {errcode}: {description or errmsg}")


class GenericFailureError(TTLockApiError):
    """errcode 1: the lock or cloud reported a plain failure (often transient)."""

    errcodes = (1,)


# --- authentication -------------------------------------------------------------------
class AuthError(TTLockApiError):
    """Credentials or tokens were rejected."""


class InvalidClientError(AuthError):
    """Unknown client id or wrong secret (a developer app of the other region looks the same)."""

    errcodes = (10000, 10001)


class TokenInvalidError(AuthError):
    """The access token does not exist, expired or was revoked."""

    errcodes = (10003, 10004)


class InvalidCredentialsError(AuthError):
    """Wrong TTLock account or password."""

    errcodes = (10007,)


class InvalidRefreshTokenError(AuthError):
    """The refresh token is invalid: a full sign-in is needed."""

    errcodes = (10011,)


class PasswordNotMd5Error(AuthError):
    """The password was not sent as a 32-character MD5 digest."""

    errcodes = (30005,)


class RegionMismatchError(TTLockApiError):
    """The account lives in the other TTLock cloud (EU vs China)."""

    errcodes = (30008,)


class PermissionDeniedError(TTLockApiError):
    """The account is not (authorised) administrator of the object."""

    errcodes = (20002, -2018)


# --- quota -----------------------------------------------------------------------------
class QuotaError(TTLockApiError):
    """The developer app hit an API call limit."""


class RateLimitedError(QuotaError):
    """errcode 30006: exceeds the restrictions of API call number (back off)."""

    errcodes = (30006,)


class MonthlyQuotaExceededError(QuotaError):
    """errcode 30007: the monthly API call limit is used up."""

    errcodes = (30007,)


# --- request format / server -----------------------------------------------------------
class ClockSkewError(TTLockApiError):
    """errcode 80000: the request ``date`` is not within 5 minutes of the server time."""

    errcodes = (80000,)


class InvalidJsonError(TTLockApiError):
    """errcode 80002: a JSON parameter was malformed."""

    errcodes = (80002,)


class ServerError(TTLockApiError):
    """errcode 90000: internal server error."""

    errcodes = (90000,)


class InvalidParameterError(TTLockApiError):
    """errcode -3: an invalid parameter (also page sizes over the limit)."""

    errcodes = (-3,)


# --- locks ----------------------------------------------------------------------------
class LockNotFoundError(TTLockApiError):
    """errcode -1003: the lock does not exist (any more) on this account."""

    errcodes = (-1003,)


class LockFrozenError(TTLockApiError):
    """errcode -2025: the lock is frozen."""

    errcodes = (-2025,)


class NotSupportedError(TTLockApiError):
    """errcode -4043: function not supported; on unlock it means remote unlock is switched off."""

    errcodes = (-4043,)


class LockStorageFullError(TTLockApiError):
    """errcode -4056: the lock ran out of memory."""

    errcodes = (-4056,)


class AutoLockPeriodInvalidError(TTLockApiError):
    """errcode -4082: the auto-lock period is invalid."""

    errcodes = (-4082,)


# --- remote path: gateways and Wi-Fi locks --------------------------------------------
class RemotePathError(TTLockApiError):
    """The command could not be relayed to the lock."""


class NoGatewayError(RemotePathError):
    """errcode -2012: the lock is not connected to any gateway."""

    errcodes = (-2012,)


class GatewayOfflineError(RemotePathError):
    """errcode -3002: the gateway is offline."""

    errcodes = (-3002,)


class GatewayBusyError(RemotePathError):
    """errcode -3003: the gateway is busy with another command."""

    errcodes = (-3003,)


class GatewayNotFoundError(RemotePathError):
    """errcode -4037: no such gateway."""

    errcodes = (-4037,)


class WifiNotConfiguredError(RemotePathError):
    """errcode -3034: the Wi-Fi lock's network is not configured."""

    errcodes = (-3034,)


class PowerSavingError(RemotePathError):
    """errcode -3035: the Wi-Fi lock is in power-saving mode."""

    errcodes = (-3035,)


class LockOfflineError(RemotePathError):
    """errcode -3036: the (Wi-Fi) lock is offline."""

    errcodes = (-3036,)


class LockBusyError(RemotePathError):
    """errcode -3037: the lock is busy."""

    errcodes = (-3037,)


# --- credentials ----------------------------------------------------------------------
class NoPasswordDataError(TTLockApiError):
    """errcode -1007: the lock has no offline-passcode data."""

    errcodes = (-1007,)


class PasscodeLengthError(TTLockApiError):
    """errcode -3006: invalid passcode length."""

    errcodes = (-3006,)


class PasscodeExistsError(TTLockApiError):
    """errcode -3007: the same passcode already exists on the lock."""

    errcodes = (-3007,)


class PasscodeNeverUsedError(TTLockApiError):
    """errcode -3008: a passcode that was never used on the lock cannot be changed."""

    errcodes = (-3008,)


class PasscodeStorageFullError(TTLockApiError):
    """errcode -3009: no space for custom passcodes (250 per lock)."""

    errcodes = (-3009,)


class CardNotFoundError(TTLockApiError):
    """errcode -1021: the IC card does not exist."""

    errcodes = (-1021,)


class FingerprintNotFoundError(TTLockApiError):
    """errcode -1023: the fingerprint does not exist."""

    errcodes = (-1023,)


class EKeyError(TTLockApiError):
    """eKey errors (not found, duplicate, bound elsewhere, cannot send to self/admin, …)."""

    errcodes = (-1008, -1016, -1027, -2019, -2020, -2023, -4064)


def _all_subclasses(cls: type[TTLockApiError]) -> list[type[TTLockApiError]]:
    out: list[type[TTLockApiError]] = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_all_subclasses(sub))
    return out


ERRCODE_TO_ERROR: dict[int, type[TTLockApiError]] = {
    code: cls for cls in _all_subclasses(TTLockApiError) for code in cls.errcodes
}


def error_from_response(errcode: int, errmsg: str = "", description: str = "") -> TTLockApiError:
    """Build the typed error for an errcode (unknown codes give :class:`TTLockApiError`)."""
    cls = ERRCODE_TO_ERROR.get(errcode, TTLockApiError)
    return cls(errcode, errmsg, description)
