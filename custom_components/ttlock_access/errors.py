"""Turn SDK errors into translated Home Assistant exceptions (DESIGN rule 7)."""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
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
    TTLockApiError,
    TTLockConnectionError,
    TTLockError,
    WifiNotConfiguredError,
)

# Most specific first: the first matching class decides the translation key.
_KEYS: tuple[tuple[type[TTLockError], str], ...] = (
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


def translate_error(err: TTLockError, name: str) -> HomeAssistantError:
    """A translated error for a failed command on the device called ``name``."""
    errcode = str(err.errcode) if isinstance(err, TTLockApiError) else ""
    key = next((key for cls, key in _KEYS if isinstance(err, cls)), "cloud_error")
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"name": name, "errcode": errcode},
    )
