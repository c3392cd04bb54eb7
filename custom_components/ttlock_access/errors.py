"""SDK errors: translated Home Assistant exceptions, and what a failure means for a retry.

The one place that knows the SDK's error classes (cloud and Bluetooth):

* :func:`translate_error` — a translated ``HomeAssistantError`` for a failed command (cloud
  or Bluetooth), and :func:`translated`, the context manager that also starts
  re-authentication when the account's sign-in was refused (:func:`async_reauth_needed`,
  the only place that starts it outside the coordinator's polls);
* :func:`flow_error_key` — the config-flow form error of a failed Bluetooth step;
* :func:`classify` — for the access queue: was the change not carried out (wait and retry),
  maybe carried out (the reply was lost: look before acting again), refused (the lock or
  cloud said no), or refused until a person acts (a repair issue says what to do)?
  See docs/access-model.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed

from .const import DOMAIN
from .sdk.ble import KeyMaterialError, LockError, ProtocolError, ReplyTimeoutError, TTLockBleError
from .sdk.ble.const import LockErrorCode
from .sdk.ble.transport import (
    BleAbortedError,
    BleDeviceNotFoundError,
    BleLinkLostError,
    BleOutOfSlotsError,
    BleTransportError,
)
from .sdk.cloud.errors import (
    AuthError,
    ClockSkewError,
    GatewayBusyError,
    GatewayOfflineError,
    GenericFailureError,
    LockBusyError,
    LockFrozenError,
    LockNotFoundError,
    LockOfflineError,
    MonthlyQuotaExceededError,
    NoGatewayError,
    NotSupportedError,
    PermissionDeniedError,
    PowerSavingError,
    RateLimitedError,
    RemotePathError,
    ServerError,
    TTLockApiError,
    TTLockConnectionError,
    TTLockError,
    WifiNotConfiguredError,
)

# Most specific first: the first matching class decides the translation key.
_CLOUD_KEYS: tuple[tuple[type[TTLockError], str], ...] = (
    (NotSupportedError, "remote_unlock_disabled"),
    (GatewayOfflineError, "gateway_offline"),
    (GatewayBusyError, "gateway_busy"),
    (NoGatewayError, "no_gateway"),
    (LockOfflineError, "lock_offline"),
    (PowerSavingError, "lock_offline"),
    (WifiNotConfiguredError, "lock_offline"),
    (LockBusyError, "lock_busy"),
    (LockFrozenError, "lock_frozen"),
    (LockNotFoundError, "lock_not_found"),
    (PermissionDeniedError, "permission_denied"),
    (MonthlyQuotaExceededError, "quota_exhausted"),
    (RateLimitedError, "rate_limited"),
    (ClockSkewError, "clock_skew"),
    (AuthError, "auth_failed"),
    (GenericFailureError, "lock_failed"),
    (TTLockConnectionError, "cannot_connect"),
)
_BLE_KEYS: tuple[tuple[type[TTLockBleError], str, str], ...] = (
    # (error, translation key of a command, config-flow form error)
    (BleDeviceNotFoundError, "ble_not_found", "not_in_range"),
    (BleOutOfSlotsError, "ble_out_of_slots", "no_slots"),
    (BleAbortedError, "ble_aborted", "ble_failed"),
    (BleTransportError, "ble_connection", "ble_failed"),
    (ReplyTimeoutError, "ble_timeout", "ble_failed"),
    (LockError, "ble_lock_refused", "ble_failed"),
    (KeyMaterialError, "ble_keys", "ble_failed"),
)


def translate_error(err: TTLockError | TTLockBleError, name: str) -> HomeAssistantError:
    """A translated error for a failed command on the device called ``name``."""
    placeholders = {"name": name, "errcode": "", "reason": str(err)}
    if isinstance(err, TTLockBleError):
        key = next((key for cls, key, _ in _BLE_KEYS if isinstance(err, cls)), "ble_protocol")
        if isinstance(err, LockError):
            placeholders["reason"] = err.reason
    else:
        key = next((key for cls, key in _CLOUD_KEYS if isinstance(err, cls)), "cloud_error")
        if isinstance(err, TTLockApiError):
            placeholders["errcode"] = str(err.errcode)
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def flow_error_key(err: TTLockBleError) -> str:
    """The config flow's form error for a Bluetooth step that failed."""
    return next((flow for cls, _, flow in _BLE_KEYS if isinstance(err, cls)), "ble_failed")


@callback
def async_reauth_needed(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """The account's sign-in was refused during a command: ask for the password again."""
    entry.async_start_reauth(hass)


def poll_failed(err: TTLockError) -> Exception:
    """What a failed read of a secondary coordinator (meters, lifts) raises: a refused
    sign-in asks for re-authentication, anything else is a translated ``UpdateFailed``."""
    if isinstance(err, AuthError):
        return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed_entry")
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="update_failed",
        translation_placeholders={"error": str(err)},
    )


@contextmanager
def translated(hass: HomeAssistant, entry: ConfigEntry[Any] | None, name: str) -> Iterator[None]:
    """SDK errors raised inside become translated errors (and a refused sign-in starts
    re-authentication)."""
    try:
        yield
    except (TTLockError, TTLockBleError) as err:
        if isinstance(err, AuthError) and entry is not None:
            async_reauth_needed(hass, entry)
        raise translate_error(err, name) from err


class Failure(StrEnum):
    """What a failed attempt on a lock means for the next one."""

    WAIT = "wait"
    """Not carried out (no path, gateway offline or busy, quota): retry later."""
    UNKNOWN = "unknown"
    """Maybe carried out (timeout, reply lost): look at the lock before acting again."""
    REFUSED = "refused"
    """The lock or cloud answered no; retrying the same request will not change that."""
    BLOCKED = "blocked"
    """Refused until a person acts (lock frozen, keys refused, …): a repair issue."""
    AUTH = "auth"
    """The account's sign-in was refused: re-authentication."""


@dataclass(frozen=True, slots=True)
class Classified:
    """A failure, a short reason (never a secret) and the repair key when blocked."""

    failure: Failure
    reason: str
    blocker: str | None = None


_CLOUD_BLOCKERS: tuple[tuple[type[TTLockApiError], str], ...] = (
    (LockFrozenError, "lock_frozen"),
    (PermissionDeniedError, "not_admin"),
    (NotSupportedError, "remote_refused"),
    (LockNotFoundError, "lock_not_found"),
)
_BLE_BLOCKERS: dict[int, str] = {
    LockErrorCode.LOCK_FROZEN: "lock_frozen",
    LockErrorCode.NO_PERMISSION: "keys_refused",
    LockErrorCode.WRONG_ADMIN_PASSWORD: "keys_refused",
    LockErrorCode.NO_ADMIN: "keys_refused",
    LockErrorCode.NOT_LOGGED_IN: "keys_refused",
    LockErrorCode.EKEY_FLAG_TOO_LOW: "keys_refused",
    LockErrorCode.BATTERY_EXHAUSTED: "battery_exhausted",
}
_BLE_TRANSIENT = frozenset({LockErrorCode.CRC_ERROR, LockErrorCode.FAILED})
"""Lock answers that say nothing about the request itself ("CRC error", "failed")."""


def classify(err: BaseException) -> Classified:
    """What a failed attempt means (cloud, Bluetooth, or a request the SDK refused to send)."""
    if isinstance(err, TTLockError):
        return _classify_cloud(err)
    if isinstance(err, TTLockBleError):
        return _classify_ble(err)
    return Classified(Failure.REFUSED, str(err))  # ValueError: refused before sending


def _classify_cloud(err: TTLockError) -> Classified:
    reason = str(err)
    if isinstance(err, AuthError):
        return Classified(Failure.AUTH, "the TTLock account needs to sign in again")
    for cls, key in _CLOUD_BLOCKERS:
        if isinstance(err, cls):
            return Classified(Failure.BLOCKED, reason, key)
    if isinstance(
        err, (RemotePathError, RateLimitedError, MonthlyQuotaExceededError, ClockSkewError)
    ):
        return Classified(Failure.WAIT, reason)
    if isinstance(err, (TTLockConnectionError, ServerError, GenericFailureError)):
        return Classified(Failure.UNKNOWN, reason)
    return Classified(Failure.REFUSED, reason)


def _classify_ble(err: TTLockBleError) -> Classified:
    if isinstance(err, LockError):
        reason = f"the lock refused: {err.reason}"
        if err.code in _BLE_BLOCKERS:
            return Classified(Failure.BLOCKED, reason, _BLE_BLOCKERS[err.code])
        if err.code in _BLE_TRANSIENT:
            return Classified(Failure.UNKNOWN, reason)
        return Classified(Failure.REFUSED, reason)
    if isinstance(err, (BleLinkLostError, ReplyTimeoutError, ProtocolError)):
        return Classified(Failure.UNKNOWN, f"Bluetooth: {err}")
    if isinstance(err, KeyMaterialError):
        return Classified(Failure.BLOCKED, str(err), "keys_refused")
    if isinstance(err, BleTransportError):
        return Classified(Failure.WAIT, f"Bluetooth: {err}")
    return Classified(Failure.UNKNOWN, f"Bluetooth: {err}")
