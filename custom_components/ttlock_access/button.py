"""Buttons: read a meter now; sync a lock's clock (settings_entities.py)."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import TTLockMeterEntity, async_add_per_meter
from .runtime import TTLockConfigEntry
from .settings_entities import async_add_setting_buttons

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a "read now" button to every meter and "sync clock" to every lock, now and when
    meters or locks appear."""
    async_add_per_meter(
        entry,
        async_add_entities,
        lambda meters, key: [TTLockMeterReadButton(meters, key, "read_now")],
    )
    async_add_setting_buttons(entry, async_add_entities)


class TTLockMeterReadButton(TTLockMeterEntity, ButtonEntity):
    """Ask the meter for a fresh reading through its gateway (meters report hourly)."""

    _attr_translation_key = "read_now"

    async def async_press(self) -> None:
        """Read the meter now."""
        await self.coordinator.async_read_now(self.key)
