"""Entities of the account's lift controllers and power savers (lifts.py), and the functions
the switch and select platforms call to add them.

* power saver → a switch (its supply; Bluetooth in range, else its gateway);
* lift → a work-mode select (all floors free / card required) and one "Floor N needs a card"
  switch per known floor, both Bluetooth only (docs/ble.md §9.3; no cloud endpoint).

The power savers' and lifts' states are what Home Assistant last set or read (the cloud lists
no state for them): the entities say so with ``assumed_state``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from homeassistant.components.select import SelectEntity
from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .lifts import HotelKind, LiftCoordinator, LiftSettings, LiftWorkMode, hotel_device_identifier
from .runtime import TTLockConfigEntry

WORK_MODES: dict[str, LiftWorkMode] = {
    "all_floors_free": LiftWorkMode.ALL_FLOORS_FREE,
    "card_required": LiftWorkMode.CARD_REQUIRED,
}


@callback
def async_add_lift_switches(
    entry: TTLockConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the switch of every power saver and the floor switches of every lift, now and
    when devices (or a lift's floors) become known."""
    lifts = entry.runtime_data.lifts
    if lifts is None:
        return

    def _devices(keys: set[tuple[HotelKind, int]]) -> Iterable[Entity]:
        return [
            TTLockPowerSaverSwitch(lifts, HotelKind.POWER_SAVER, device_id, "power")
            for kind, device_id in sorted(keys)
            if kind is HotelKind.POWER_SAVER
        ]

    def _floors(keys: set[tuple[int, int]]) -> Iterable[Entity]:
        return [TTLockLiftFloorSwitch(lifts, lift_id, floor) for lift_id, floor in sorted(keys)]

    _follow(
        entry,
        async_add_entities,
        _devices,
        _current_devices(lifts),
        lifts.async_add_device_listener,
    )
    current_floors = {
        (lift_id, floor)
        for lift_id, settings in lifts.data.settings.items()
        for floor in settings.floors
    }
    _follow(entry, async_add_entities, _floors, current_floors, lifts.async_add_floor_listener)


@callback
def async_add_lift_selects(
    entry: TTLockConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the work-mode select of every lift, now and when lifts appear."""
    lifts = entry.runtime_data.lifts
    if lifts is None:
        return

    def _devices(keys: set[tuple[HotelKind, int]]) -> Iterable[Entity]:
        return [
            TTLockLiftWorkMode(lifts, HotelKind.LIFT, device_id, "work_mode")
            for kind, device_id in sorted(keys)
            if kind is HotelKind.LIFT
        ]

    _follow(
        entry,
        async_add_entities,
        _devices,
        _current_devices(lifts),
        lifts.async_add_device_listener,
    )


def _current_devices(lifts: LiftCoordinator) -> set[tuple[HotelKind, int]]:
    return {(kind, device_id) for kind in HotelKind for device_id in lifts.data.of(kind)}


def _follow[K](
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[set[K]], Iterable[Entity]],
    current: set[K],
    listen: Callable[[Callable[[set[K]], None]], Callable[[], None]],
) -> None:
    @callback
    def _add(keys: set[K]) -> None:
        async_add_entities(build(keys))

    _add(current)
    entry.async_on_unload(listen(_add))


class TTLockHotelEntity(CoordinatorEntity[LiftCoordinator]):
    """An entity of one lift controller or power saver."""

    _attr_has_entity_name = True
    _attr_assumed_state = True

    def __init__(
        self, coordinator: LiftCoordinator, kind: HotelKind, device_id: int, key: str
    ) -> None:
        super().__init__(coordinator)
        self.kind = kind
        self.device_id = device_id
        self._attr_unique_id = f"{kind.value.replace('-', '_')}_{device_id}_{key}"
        # the lift coordinator registers the device (name, model, Bluetooth address)
        self._attr_device_info = DeviceInfo(identifiers={hotel_device_identifier(kind, device_id)})

    @property
    def available(self) -> bool:
        """While the lists are read and the device is on them."""
        return super().available and self.device_id in self.coordinator.data.of(self.kind)


class TTLockPowerSaverSwitch(TTLockHotelEntity, SwitchEntity):
    """A power saver's supply (``lock/unlock`` on / ``lock/lock`` off, docs/cloud.md §2.8)."""

    _attr_name = None
    _attr_translation_key = "power_saver"

    @property
    def is_on(self) -> bool | None:
        """Supply on, as last switched (None: not switched from Home Assistant yet)."""
        return self.coordinator.data.power.get(self.device_id)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch the supply on."""
        await self.coordinator.async_set_power(self.device_id, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the supply off."""
        await self.coordinator.async_set_power(self.device_id, False)


class _LiftEntity(TTLockHotelEntity):
    @property
    def settings(self) -> LiftSettings:
        """What the lift last said (or was last told)."""
        return self.coordinator.data.settings.get(self.device_id) or LiftSettings()


class TTLockLiftWorkMode(_LiftEntity, SelectEntity):
    """All floors free, or a card required for the floors that need one (Bluetooth only)."""

    _attr_translation_key = "lift_work_mode"
    _attr_entity_category = EntityCategory.CONFIG
    _attr_options = list(WORK_MODES)

    @property
    def current_option(self) -> str | None:
        """The lift's work mode (None: not read yet)."""
        mode = self.settings.work_mode
        return next((option for option, value in WORK_MODES.items() if value is mode), None)

    async def async_select_option(self, option: str) -> None:
        """Set the work mode over Bluetooth."""
        await self.coordinator.async_set_work_mode(self.device_id, WORK_MODES[option])


class TTLockLiftFloorSwitch(_LiftEntity, SwitchEntity):
    """Whether one floor needs a card (the lift's controllable floors; Bluetooth only)."""

    _attr_translation_key = "lift_floor_card"
    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, coordinator: LiftCoordinator, lift_id: int, floor: int) -> None:
        super().__init__(coordinator, HotelKind.LIFT, lift_id, f"floor_{floor}_card")
        self.floor = floor
        self._attr_translation_placeholders = {"floor": str(floor)}

    @property
    def is_on(self) -> bool | None:
        """The floor needs a card (None: the lift has not been read yet)."""
        card_floors = self.settings.card_floors
        return None if card_floors is None else self.floor in card_floors

    async def async_turn_on(self, **kwargs: Any) -> None:
        """A card is needed for this floor."""
        await self.coordinator.async_set_floor_card(self.device_id, self.floor, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """This floor is free."""
        await self.coordinator.async_set_floor_card(self.device_id, self.floor, False)
