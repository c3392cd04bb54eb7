"""The lock entity: one per lock, named after its device."""

from __future__ import annotations

from typing import Any

from homeassistant.components.lock import LockEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import TTLockConfigEntry, TTLockCoordinator
from .entity import TTLockLockEntity
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

    @callback
    def _add(lock_ids: set[int]) -> None:
        async_add_entities(TTLockLock(coordinator, lock_id) for lock_id in sorted(lock_ids))

    _add(set(coordinator.data.locks))
    entry.async_on_unload(coordinator.async_add_lock_listener(_add))


class TTLockLock(TTLockLockEntity, LockEntity):
    """A TTLock lock, driven over the best path the integration has to it."""

    _attr_name = None
    _attr_translation_key = "lock"

    def __init__(self, coordinator: TTLockCoordinator, lock_id: int) -> None:
        super().__init__(coordinator, lock_id, "lock")

    @property
    def is_locked(self) -> bool | None:
        """Locked, unlocked, or unknown when no path has told us yet."""
        state = self.runtime.state
        if state is None:
            return None
        return state is OpenState.LOCKED

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock the lock."""
        await self._command(locked=True)

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock the lock."""
        await self._command(locked=False)

    async def _command(self, *, locked: bool) -> None:
        # Optimistic transitional state while the command travels through the gateway.
        self._attr_is_locking = locked
        self._attr_is_unlocking = not locked
        self.async_write_ha_state()
        try:
            await self.coordinator.async_set_locked(self.lock_id, locked)
        finally:
            self._attr_is_locking = False
            self._attr_is_unlocking = False
            self.async_write_ha_state()
