"""The Home Assistant-side PIN for lock/unlock (dashboards, voice assistants).

Only a salted PBKDF2-SHA256 hash of the PIN is stored (entry options); checks run in the
executor and compare in constant time. After :data:`MAX_FAILURES` wrong PINs in a row the
lock refuses further attempts for :data:`LOCKOUT`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .const import CONF_PIN_HASH, CONF_PIN_SALT, DOMAIN

PIN_FORMAT: Final = r"^(?:\d{4,10})?$"
"""``code_format`` of a lock entity that needs the PIN: 4 to 10 digits, or nothing.

Nothing passes Home Assistant's own format check on purpose: a missing PIN then reaches
:meth:`PinGuard.async_check`, which refuses it with the translated ``pin_required`` message
instead of Home Assistant's "doesn't match pattern" with the raw expression."""
ITERATIONS: Final = 200_000
MAX_FAILURES: Final = 5
LOCKOUT: Final = timedelta(minutes=5)


def valid_pin(pin: str) -> bool:
    """4 to 10 digits."""
    return pin.isdigit() and 4 <= len(pin) <= 10


def _derive(pin: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), ITERATIONS).hex()


def hash_pin(pin: str) -> dict[str, str]:
    """Options holding the salted hash of ``pin`` (never the PIN)."""
    salt = secrets.token_hex(16)
    return {CONF_PIN_SALT: salt, CONF_PIN_HASH: _derive(pin, salt)}


def pin_required(options: dict[str, Any] | Any) -> bool:
    """Whether lock/unlock from Home Assistant needs the PIN."""
    return bool(options.get(CONF_PIN_HASH) and options.get(CONF_PIN_SALT))


@dataclass(slots=True)
class PinGuard:
    """Checks PINs for one config entry and counts wrong ones."""

    failures: int = 0
    locked_until: datetime | None = None

    async def async_check(
        self, hass: HomeAssistant, options: dict[str, Any] | Any, code: str | None, name: str
    ) -> None:
        """Raise a translated error unless ``code`` is the PIN."""
        if not pin_required(options):
            return
        now = dt_util.utcnow()
        if self.locked_until is not None and now < self.locked_until:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="pin_locked_out",
                translation_placeholders={"name": name},
            )
        if not code:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="pin_required",
                translation_placeholders={"name": name},
            )
        salt, expected = str(options[CONF_PIN_SALT]), str(options[CONF_PIN_HASH])
        actual = await hass.async_add_executor_job(_derive, str(code), salt)
        if hmac.compare_digest(actual, expected):
            self.failures = 0
            self.locked_until = None
            return
        self.failures += 1
        if self.failures >= MAX_FAILURES:
            self.failures = 0
            self.locked_until = now + LOCKOUT
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="wrong_pin",
            translation_placeholders={"name": name},
        )
