"""Binary sensors: gateway connectivity, the lock's door sensor, a Wi-Fi lock's link, and a
meter's link and low prepaid balance."""

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

from .const import CONF_LOW_BALANCE, DEFAULT_LOW_BALANCE
from .coordinator import TTLockCoordinator
from .entity import (
    TTLockGatewayEntity,
    TTLockLockEntity,
    TTLockMeterEntity,
    async_add_per_device,
    async_add_per_meter,
)
from .meters import MeterCoordinator, MeterKey
from .models import LockRuntime
from .runtime import TTLockConfigEntry
from .sdk.model import DoorState, Feature, Gateway, Meter

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


@dataclass(frozen=True, kw_only=True)
class MeterBinaryDescription(BinarySensorEntityDescription):
    """A binary sensor of a meter; ``value_fn`` also gets the low-balance threshold."""

    value_fn: Callable[[Meter, float], bool | None]


def low_balance(meter: Meter, threshold: float) -> bool:
    """A prepaid meter whose money or units ran low (or out: the supply is then cut)."""
    if not meter.prepaid:
        return False
    if meter.remaining is not None and meter.remaining <= 0:
        return True
    balance = meter.balance
    return balance is not None and balance < threshold


METER_BINARY_SENSORS: tuple[MeterBinaryDescription, ...] = (
    MeterBinaryDescription(
        key="online",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda meter, _threshold: meter.online,
    ),
    MeterBinaryDescription(
        # the threshold is the entry's "low balance" option, in the Home Assistant currency
        key="low_balance",
        translation_key="low_balance",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=low_balance,
    ),
)

LOCK_BINARY_SENSORS: tuple[LockBinaryDescription, ...] = (
    LockBinaryDescription(
        key="door",
        # "Contact", not the device class's "Door": locks are mostly named after their
        # door, and "Front Door Door" says it twice
        translation_key="door",
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
    async_add_per_meter(
        entry,
        async_add_entities,
        lambda meters, key: [
            TTLockMeterBinarySensor(meters, key, description)
            for description in METER_BINARY_SENSORS
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


class TTLockMeterBinarySensor(TTLockMeterEntity, BinarySensorEntity):
    """A binary sensor of a meter."""

    entity_description: MeterBinaryDescription

    def __init__(
        self, coordinator: MeterCoordinator, key: MeterKey, description: MeterBinaryDescription
    ) -> None:
        super().__init__(coordinator, key, description.key)
        self.entity_description = description

    @property
    def is_on(self) -> bool | None:
        """The current value."""
        threshold = self.coordinator.config_entry.options.get(CONF_LOW_BALANCE, DEFAULT_LOW_BALANCE)
        return self.entity_description.value_fn(self.meter, float(threshold))
