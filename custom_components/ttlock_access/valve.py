"""Valves: a water meter's supply valve."""

from __future__ import annotations

from homeassistant.components.valve.const import ValveDeviceClass, ValveEntityFeature
from homeassistant.components.valve.entity import ValveEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import TTLockMeterEntity, async_add_per_meter
from .meter_supply import async_switch_by_hand
from .runtime import TTLockConfigEntry
from .sdk.model import MeterKind

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the valve of every water meter, now and when meters appear."""
    async_add_per_meter(
        entry,
        async_add_entities,
        lambda meters, key: [TTLockMeterValve(meters, key, "valve")]
        if key[0] is MeterKind.WATER
        else [],
    )


class TTLockMeterValve(TTLockMeterEntity, ValveEntity):
    """The supply valve of a water meter, through the gateway (a prepaid meter closes it
    itself when its balance runs out)."""

    _attr_name = None
    _attr_device_class = ValveDeviceClass.WATER
    _attr_reports_position = False
    _attr_supported_features = ValveEntityFeature.OPEN | ValveEntityFeature.CLOSE

    @property
    def is_closed(self) -> bool | None:
        """Closed (None: the meter reports its valve state as unknown)."""
        on = self.meter.supply_on
        return None if on is None else not on

    async def async_open_valve(self) -> None:
        """Open the supply (a pending temporary supply's switch-off is dropped)."""
        await async_switch_by_hand(self.coordinator, self.key, on=True)

    async def async_close_valve(self) -> None:
        """Close the supply."""
        await async_switch_by_hand(self.coordinator, self.key, on=False)
