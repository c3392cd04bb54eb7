"""Selects: a meter's pay mode and a lock's opening direction (settings_entities.py)."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import TTLockMeterEntity, async_add_per_meter
from .lift_entities import async_add_lift_selects
from .runtime import TTLockConfigEntry
from .settings_entities import async_add_setting_selects

PARALLEL_UPDATES = 1

PAY_MODES = ["metering", "prepaid"]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the pay mode of every meter and the opening direction of every lock that has one,
    now and when meters or locks appear."""
    async_add_per_meter(
        entry,
        async_add_entities,
        lambda meters, key: [TTLockMeterPayMode(meters, key, "pay_mode")],
    )
    async_add_setting_selects(entry, async_add_entities)
    async_add_lift_selects(entry, async_add_entities)


class TTLockMeterPayMode(TTLockMeterEntity, SelectEntity):
    """Metering (the counter only) or prepaid (units bought ahead; cut off at zero)."""

    _attr_translation_key = "pay_mode"
    _attr_entity_category = EntityCategory.CONFIG
    _attr_options = PAY_MODES

    @property
    def current_option(self) -> str:
        """The meter's pay mode."""
        return "prepaid" if self.meter.prepaid else "metering"

    async def async_select_option(self, option: str) -> None:
        """Switch the pay mode (prepaid keeps the meter's unit price)."""
        await self.coordinator.async_set_pay_mode(self.key, prepaid=option == "prepaid")
