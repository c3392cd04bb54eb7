"""Switches: a meter's power relay (water valves are valves, valve.py) and the on/off settings
of a lock (settings_entities.py)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.components.switch.const import SwitchDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import TTLockMeterEntity, async_add_per_meter
from .lift_entities import async_add_lift_switches
from .meter_supply import async_switch_by_hand
from .runtime import TTLockConfigEntry
from .sdk.model import MeterKind
from .settings_entities import async_add_setting_switches

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the relay of every electricity meter and the settings of every lock, now and when
    meters or locks appear."""
    async_add_per_meter(
        entry,
        async_add_entities,
        lambda meters, key: [TTLockMeterRelay(meters, key, "power")]
        if key[0] is MeterKind.ELECTRIC
        else [],
    )
    async_add_setting_switches(entry, async_add_entities)
    async_add_lift_switches(entry, async_add_entities)


class TTLockMeterRelay(TTLockMeterEntity, SwitchEntity):
    """The relay of an electricity meter: cuts or restores the supply, through the gateway.

    A prepaid meter cuts itself off when its balance runs out; it restores after a recharge."""

    _attr_translation_key = "power"
    _attr_device_class = SwitchDeviceClass.SWITCH

    @property
    def is_on(self) -> bool | None:
        """Supply on (None: the meter reports its relay state as unknown)."""
        return self.meter.supply_on

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Restore the supply (a pending temporary supply's switch-off is dropped)."""
        await async_switch_by_hand(self.coordinator, self.key, on=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Cut the supply."""
        await async_switch_by_hand(self.coordinator, self.key, on=False)
