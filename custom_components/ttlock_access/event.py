"""Event entities: one per lock, firing on every activity (unlock, lock, failed attempt,
door, alarm) with who and how — never the code or card number."""

from __future__ import annotations

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .activity_types import Activity
from .coordinator import TTLockCoordinator
from .entity import TTLockLockEntity, async_add_per_device
from .runtime import TTLockConfigEntry
from .sdk.records import EventType

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an activity event entity for every lock, now and when new ones appear."""
    coordinator = entry.runtime_data.coordinator
    async_add_per_device(
        entry,
        async_add_entities,
        locks=lambda lock_id: [TTLockActivityEvent(coordinator, lock_id)],
    )


class TTLockActivityEvent(TTLockLockEntity, EventEntity):
    """What happened at the lock, as it happens (webhook, Bluetooth log or poll)."""

    _attr_translation_key = "activity"
    _attr_event_types = [t.value for t in EventType]

    def __init__(self, coordinator: TTLockCoordinator, lock_id: int) -> None:
        super().__init__(coordinator, lock_id, "activity")

    async def async_added_to_hass(self) -> None:
        """Listen to this lock's activities."""
        await super().async_added_to_hass()
        signal = self.entry_data.activity.signal(self.lock_id)
        self.async_on_remove(async_dispatcher_connect(self.hass, signal, self._on_activity))

    @callback
    def _on_activity(self, activity: Activity) -> None:
        self._trigger_event(activity.event_type.value, activity.data())
        self.async_write_ha_state()
