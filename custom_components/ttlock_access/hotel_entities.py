"""Entities of hotel locks (hotel.py): "Building" and "Floor" numbers (configuration, written
over Bluetooth only) and the "Hotel number" (diagnostic sensor). Only locks whose feature
bits say they are hotel locks, and whose keys Home Assistant holds, get them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.components.sensor import SensorEntity, SensorEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import TTLockCoordinator
from .entity import TTLockLockEntity, async_add_per_device
from .hotel import BYTE_MAX, HotelLocation, HotelLocks, is_hotel_lock
from .runtime import TTLockConfigEntry


@dataclass(frozen=True, kw_only=True)
class HotelNumberDescription(NumberEntityDescription):
    """Building or floor of a hotel lock."""

    value_fn: Callable[[HotelLocation], int]
    field: str
    """The keyword of :meth:`HotelLocks.async_set` it changes."""


HOTEL_NUMBERS: tuple[HotelNumberDescription, ...] = (
    HotelNumberDescription(
        key="hotel_building",
        translation_key="hotel_building",
        native_min_value=0,
        native_max_value=BYTE_MAX,
        native_step=1,
        mode=NumberMode.BOX,
        value_fn=lambda where: where.building,
        field="building",
    ),
    HotelNumberDescription(
        key="hotel_floor",
        translation_key="hotel_floor",
        native_min_value=0,
        native_max_value=BYTE_MAX,
        native_step=1,
        mode=NumberMode.BOX,
        value_fn=lambda where: where.floor,
        field="floor",
    ),
)
HOTEL_NUMBER_SENSOR = SensorEntityDescription(
    key="hotel_number",
    translation_key="hotel_number",
    entity_category=EntityCategory.DIAGNOSTIC,
)


def _add(
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    make: Callable[[TTLockCoordinator, HotelLocks, int], list[Entity]],
) -> None:
    coordinator = entry.runtime_data.coordinator
    hotel = entry.runtime_data.hotel
    if hotel is None:
        return

    def _locks(lock_id: int) -> list[Entity]:
        rt = coordinator.data.locks[lock_id]
        if not is_hotel_lock(rt) or coordinator.ble.keys(rt) is None:
            return []  # Bluetooth is the only way to its hotel data
        return make(coordinator, hotel, lock_id)

    async_add_per_device(entry, async_add_entities, locks=_locks)


@callback
def async_add_hotel_numbers(
    entry: TTLockConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Building and floor of every hotel lock, now and when locks appear."""
    _add(
        entry,
        async_add_entities,
        lambda coordinator, hotel, lock_id: [
            TTLockHotelNumber(coordinator, hotel, lock_id, description)
            for description in HOTEL_NUMBERS
        ],
    )


@callback
def async_add_hotel_sensors(
    entry: TTLockConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The hotel number of every hotel lock, now and when locks appear."""
    _add(
        entry,
        async_add_entities,
        lambda coordinator, hotel, lock_id: [TTLockHotelNumberSensor(coordinator, hotel, lock_id)],
    )


class TTLockHotelEntity(TTLockLockEntity):
    """An entity of a hotel lock's location; the location is read over Bluetooth when
    first needed (hotel.py)."""

    def __init__(
        self, coordinator: TTLockCoordinator, hotel: HotelLocks, lock_id: int, key: str
    ) -> None:
        super().__init__(coordinator, lock_id, key)
        self.hotel = hotel

    @property
    def location(self) -> HotelLocation | None:
        """What is known of the lock's location."""
        return self.hotel.location(self.lock_id)

    async def async_added_to_hass(self) -> None:
        """Start listening; read the location if not done yet."""
        await super().async_added_to_hass()
        self.hotel.async_read_when_needed(self.lock_id)

    @callback
    def _handle_coordinator_update(self) -> None:
        self.hotel.async_read_when_needed(self.lock_id)  # the lock may be in range now
        super()._handle_coordinator_update()


class TTLockHotelNumber(TTLockHotelEntity, NumberEntity):
    """A hotel lock's building or floor (Bluetooth only)."""

    _attr_entity_category = EntityCategory.CONFIG
    entity_description: HotelNumberDescription

    def __init__(
        self,
        coordinator: TTLockCoordinator,
        hotel: HotelLocks,
        lock_id: int,
        description: HotelNumberDescription,
    ) -> None:
        super().__init__(coordinator, hotel, lock_id, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> int | None:
        """The building or floor (None: not read yet)."""
        where = self.location
        return None if where is None else self.entity_description.value_fn(where)

    async def async_set_native_value(self, value: float) -> None:
        """Write it to the lock (Home Assistant checked the range and step)."""
        await self.hotel.async_set(self.lock_id, **{self.entity_description.field: round(value)})


class TTLockHotelNumberSensor(TTLockHotelEntity, SensorEntity):
    """The hotel number the lock holds."""

    entity_description = HOTEL_NUMBER_SENSOR

    def __init__(self, coordinator: TTLockCoordinator, hotel: HotelLocks, lock_id: int) -> None:
        super().__init__(coordinator, hotel, lock_id, HOTEL_NUMBER_SENSOR.key)

    @property
    def native_value(self) -> int | None:
        """The hotel number (None: not read yet)."""
        where = self.location
        return None if where is None else where.hotel
