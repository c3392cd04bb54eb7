"""Binary sensors: gateway connectivity and the lock's door sensor."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import TTLockConfigEntry, TTLockCoordinator
from .entity import TTLockGatewayEntity, TTLockLockEntity
from .sdk.model import DoorState, Feature

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add gateway connectivity and door sensors, now and when devices appear."""
    coordinator = entry.runtime_data.coordinator

    @callback
    def _add_gateways(gateway_ids: set[int]) -> None:
        async_add_entities(
            TTLockGatewayOnline(coordinator, gateway_id) for gateway_id in sorted(gateway_ids)
        )

    @callback
    def _add_locks(lock_ids: set[int]) -> None:
        async_add_entities(
            TTLockDoor(coordinator, lock_id)
            for lock_id in sorted(lock_ids)
            if coordinator.data.locks[lock_id].lock.features.has(Feature.DOOR_SENSOR)
        )
        async_add_entities(
            TTLockWifiOnline(coordinator, lock_id)
            for lock_id in sorted(lock_ids)
            if coordinator.data.locks[lock_id].lock.is_wifi
        )

    _add_gateways(set(coordinator.data.gateways))
    _add_locks(set(coordinator.data.locks))
    entry.async_on_unload(coordinator.async_add_gateway_listener(_add_gateways))
    entry.async_on_unload(coordinator.async_add_lock_listener(_add_locks))


class TTLockGatewayOnline(TTLockGatewayEntity, BinarySensorEntity):
    """Whether the gateway is connected to the TTLock cloud."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, coordinator: TTLockCoordinator, gateway_id: int) -> None:
        super().__init__(coordinator, gateway_id, "online")

    @property
    def is_on(self) -> bool:
        """Connected to the cloud (TCP-based; a pulled plug can take minutes to show)."""
        return self.gateway.is_online


class TTLockDoor(TTLockLockEntity, BinarySensorEntity):
    """The door sensor bound to a lock."""

    _attr_device_class = BinarySensorDeviceClass.DOOR

    def __init__(self, coordinator: TTLockCoordinator, lock_id: int) -> None:
        super().__init__(coordinator, lock_id, "door")

    @property
    def is_on(self) -> bool | None:
        """Open, closed, or unknown until the lock reports it."""
        door = self.runtime.door
        return None if door is None else door is DoorState.OPEN


class TTLockWifiOnline(TTLockLockEntity, BinarySensorEntity):
    """Whether a Wi-Fi lock is connected to the TTLock cloud (pushed by notifyType 3, and
    learnt from commands); unknown until either says."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = "wifi_online"

    def __init__(self, coordinator: TTLockCoordinator, lock_id: int) -> None:
        super().__init__(coordinator, lock_id, "wifi_online")

    @property
    def is_on(self) -> bool | None:
        """Online, offline, or unknown."""
        return self.coordinator.activity.wifi_online.get(self.lock_id)
