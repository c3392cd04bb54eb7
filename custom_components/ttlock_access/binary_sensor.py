"""Binary sensors: gateway connectivity, the lock's door sensor and a Wi-Fi lock's link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import TTLockCoordinator
from .entity import TTLockGatewayEntity, TTLockLockEntity, async_add_per_device
from .models import LockRuntime
from .runtime import TTLockConfigEntry
from .sdk.model import DoorState, Feature, Gateway

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class LockBinaryDescription(BinarySensorEntityDescription):
    """A binary sensor of a lock (None: not known yet)."""

    value_fn: Callable[[LockRuntime], bool | None]
    exists_fn: Callable[[LockRuntime], bool]


@dataclass(frozen=True, kw_only=True)
class GatewayBinaryDescription(BinarySensorEntityDescription):
    """A binary sensor of a gateway."""

    value_fn: Callable[[Gateway], bool]


LOCK_BINARY_SENSORS: tuple[LockBinaryDescription, ...] = (
    LockBinaryDescription(
        key="door",
        device_class=BinarySensorDeviceClass.DOOR,
        value_fn=lambda rt: None if rt.door is None else rt.door is DoorState.OPEN,
        exists_fn=lambda rt: rt.lock.features.has(Feature.DOOR_SENSOR),
    ),
    LockBinaryDescription(
        # pushed by notifyType 3 and learnt from commands; unknown until either says
        key="wifi_online",
        translation_key="wifi_online",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda rt: rt.wifi_online,
        exists_fn=lambda rt: rt.lock.is_wifi,
    ),
)

GATEWAY_BINARY_SENSORS: tuple[GatewayBinaryDescription, ...] = (
    GatewayBinaryDescription(
        # connected to the cloud (TCP-based; a pulled plug can take minutes to show)
        key="online",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda gw: gw.is_online,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add gateway connectivity, door and Wi-Fi sensors, now and when devices appear."""
    coordinator = entry.runtime_data.coordinator
    async_add_per_device(
        entry,
        async_add_entities,
        locks=lambda lock_id: [
            TTLockLockBinarySensor(coordinator, lock_id, description)
            for description in LOCK_BINARY_SENSORS
            if description.exists_fn(coordinator.data.locks[lock_id])
        ],
        gateways=lambda gateway_id: [
            TTLockGatewayBinarySensor(coordinator, gateway_id, description)
            for description in GATEWAY_BINARY_SENSORS
        ],
    )


class TTLockLockBinarySensor(TTLockLockEntity, BinarySensorEntity):
    """A binary sensor of a lock."""

    entity_description: LockBinaryDescription

    def __init__(
        self, coordinator: TTLockCoordinator, lock_id: int, description: LockBinaryDescription
    ) -> None:
        super().__init__(coordinator, lock_id, description.key)
        self.entity_description = description

    @property
    def is_on(self) -> bool | None:
        """The current value."""
        return self.entity_description.value_fn(self.runtime)


class TTLockGatewayBinarySensor(TTLockGatewayEntity, BinarySensorEntity):
    """A binary sensor of a gateway."""

    entity_description: GatewayBinaryDescription

    def __init__(
        self, coordinator: TTLockCoordinator, gateway_id: int, description: GatewayBinaryDescription
    ) -> None:
        super().__init__(coordinator, gateway_id, description.key)
        self.entity_description = description

    @property
    def is_on(self) -> bool:
        """The current value."""
        return self.entity_description.value_fn(self.gateway)
