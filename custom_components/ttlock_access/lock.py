"""The lock entity: one per lock, named after its device."""

from __future__ import annotations

from typing import Any

from homeassistant.components.lock import LockEntity
from homeassistant.const import ATTR_CODE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import TTLockCoordinator
from .entity import TTLockLockEntity, async_add_per_device
from .pin import PIN_FORMAT, PinGuard, pin_required
from .runtime import TTLockConfigEntry
from .sdk.model import OpenState

# Commands on one account are serialised by the client anyway (gateways refuse concurrent ones).
PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a lock entity for every lock, now and when new ones appear."""
    coordinator = entry.runtime_data.coordinator
    guard = PinGuard()  # one per entry: wrong PINs count across its locks
    async_add_per_device(
        entry, async_add_entities, locks=lambda lock_id: [TTLockLock(coordinator, lock_id, guard)]
    )


class TTLockLock(TTLockLockEntity, LockEntity):
    """A TTLock lock, driven over the best path the integration has to it."""

    _attr_name = None
    _attr_translation_key = "lock"

    def __init__(
        self, coordinator: TTLockCoordinator, lock_id: int, guard: PinGuard | None = None
    ) -> None:
        super().__init__(coordinator, lock_id, "lock")
        self._guard = guard or PinGuard()

    @property
    def code_format(self) -> str | None:
        """A PIN is asked for when the entry's options require one."""
        return PIN_FORMAT if pin_required(self.coordinator.config_entry.options) else None

    @property
    def changed_by(self) -> str | None:
        """Who or what caused the last activity (holder, credential, user or method)."""
        return self.entry_data.activity.changed_by(self.lock_id)

    @property
    def is_locked(self) -> bool | None:
        """Locked, unlocked, or unknown when no path has told us yet."""
        state = self.runtime.state
        if state is None:
            return None
        return state is OpenState.LOCKED

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock the lock."""
        await self._check_pin(kwargs)
        await self._command(locked=True)

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock the lock."""
        await self._check_pin(kwargs)
        await self._command(locked=False)

    async def _command(self, *, locked: bool) -> None:
        # Optimistic transitional state while the command travels through the gateway.
        self._attr_is_locking = locked
        self._attr_is_unlocking = not locked
        self.async_write_ha_state()
        # Credited to Home Assistant (and the user who asked), in changed_by now and in the
        # activity when the lock's record of it comes: not to "App" or the account e-mail.
        activity = self.entry_data.activity
        command = activity.async_command(
            self.lock_id, locked=locked, user=await self._user_name(), context=self._context
        )
        try:
            await self.coordinator.async_set_locked(self.lock_id, locked)
            activity.async_command_done(self.lock_id, command)
        finally:
            self._attr_is_locking = False
            self._attr_is_unlocking = False
            self.async_write_ha_state()

    async def _user_name(self) -> str | None:
        """The name of the Home Assistant user behind the current call, when there is one."""
        user_id = self._context.user_id if self._context is not None else None
        if user_id is None:
            return None
        user = await self.hass.auth.async_get_user(user_id)
        return user.name if user is not None and user.name else None

    async def _check_pin(self, kwargs: dict[str, Any]) -> None:
        """The HA-side PIN (entry option), checked before anything reaches the lock."""
        await self._guard.async_check(
            self.hass,
            self.coordinator.config_entry.options,
            kwargs.get(ATTR_CODE),
            self.runtime.lock.name,
        )
