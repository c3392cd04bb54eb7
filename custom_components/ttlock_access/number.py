"""Numbers: a lock's auto-lock time and sound volume (settings_entities.py), a hotel lock's
building and floor (hotel_entities.py)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .hotel_entities import async_add_hotel_numbers
from .runtime import TTLockConfigEntry
from .settings_entities import async_add_setting_numbers

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the numeric settings of every lock that has them, now and when locks appear."""
    async_add_setting_numbers(entry, async_add_entities)
    async_add_hotel_numbers(entry, async_add_entities)
