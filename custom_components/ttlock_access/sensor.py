"""Sensors: lock battery, signal, connection path and access changes; gateway locks seen;
meter readings, prepaid balance and price; the account's API usage. Each one is a row of a
description table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfEnergy,
    UnitOfVolume,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .const import CONF_PASSCODE_LIMIT
from .coordinator import TTLockCoordinator
from .entity import (
    TTLockAccountEntity,
    TTLockGatewayEntity,
    TTLockLockEntity,
    TTLockMeterEntity,
    async_add_per_device,
    async_add_per_meter,
)
from .hotel_entities import async_add_hotel_sensors
from .meters import MeterCoordinator, MeterKey
from .models import LockRuntime
from .runtime import TTLockConfigEntry, TTLockRuntimeData
from .schedule import PushState
from .sdk.model import Gateway, Meter, MeterKind

PARALLEL_UPDATES = 0

type LockValue = Callable[[LockRuntime, TTLockRuntimeData], StateType]


@dataclass(frozen=True, kw_only=True)
class LockSensorDescription(SensorEntityDescription):
    """A sensor of a lock."""

    value_fn: LockValue
    attrs_fn: Callable[[LockRuntime, TTLockRuntimeData], dict[str, Any]] | None = None
    exists_fn: Callable[[LockRuntime, TTLockConfigEntry], bool] = lambda _rt, _entry: True
    from_access: bool = False
    """Fed by the access model (Home Assistant's own data): available while the lock is
    known, even when the cloud cannot be polled, and updated when the model changes."""


@dataclass(frozen=True, kw_only=True)
class GatewaySensorDescription(SensorEntityDescription):
    """A sensor of a gateway."""

    value_fn: Callable[[Gateway], int | None]


@dataclass(frozen=True, kw_only=True)
class AccountSensorDescription(SensorEntityDescription):
    """A sensor of the account."""

    value_fn: Callable[[TTLockCoordinator], StateType]
    attrs_fn: Callable[[TTLockCoordinator], dict[str, Any]] | None = None


@dataclass(frozen=True, kw_only=True)
class MeterSensorDescription(SensorEntityDescription):
    """A sensor of a meter; ``money``: the unit is the Home Assistant currency (``per_unit``:
    per kWh or m³)."""

    value_fn: Callable[[Meter], StateType]
    money: bool = False
    per_unit: bool = False


UNIT = {MeterKind.ELECTRIC: UnitOfEnergy.KILO_WATT_HOUR, MeterKind.WATER: UnitOfVolume.CUBIC_METERS}

METER_SENSORS: dict[MeterKind, tuple[MeterSensorDescription, ...]] = {
    MeterKind.ELECTRIC: (
        MeterSensorDescription(
            # the meter's counter: what the Energy dashboard takes as grid consumption
            key="energy",
            device_class=SensorDeviceClass.ENERGY,
            native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
            state_class=SensorStateClass.TOTAL_INCREASING,
            suggested_display_precision=2,
            value_fn=lambda meter: meter.total,
        ),
        MeterSensorDescription(
            # prepaid energy left: stored, not consumed, so not an ENERGY sensor
            key="energy_left",
            translation_key="energy_left",
            device_class=SensorDeviceClass.ENERGY_STORAGE,
            native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
            state_class=SensorStateClass.MEASUREMENT,
            suggested_display_precision=2,
            value_fn=lambda meter: meter.remaining if meter.prepaid else None,
        ),
    ),
    MeterKind.WATER: (
        MeterSensorDescription(
            key="water",
            # "Consumption", not the device class's "Water" (a meter called "… Water")
            translation_key="water_total",
            device_class=SensorDeviceClass.WATER,
            native_unit_of_measurement=UnitOfVolume.CUBIC_METERS,
            state_class=SensorStateClass.TOTAL_INCREASING,
            suggested_display_precision=2,
            value_fn=lambda meter: meter.total,
        ),
        MeterSensorDescription(
            key="water_left",
            translation_key="water_left",
            device_class=SensorDeviceClass.VOLUME_STORAGE,
            native_unit_of_measurement=UnitOfVolume.CUBIC_METERS,
            state_class=SensorStateClass.MEASUREMENT,
            suggested_display_precision=2,
            value_fn=lambda meter: meter.remaining if meter.prepaid else None,
        ),
        MeterSensorDescription(
            key="battery",
            device_class=SensorDeviceClass.BATTERY,
            native_unit_of_measurement=PERCENTAGE,
            state_class=SensorStateClass.MEASUREMENT,
            entity_category=EntityCategory.DIAGNOSTIC,
            value_fn=lambda meter: meter.battery,
        ),
    ),
}

COMMON_METER_SENSORS: tuple[MeterSensorDescription, ...] = (
    MeterSensorDescription(
        # money left on a prepaid meter (units left at the unit price)
        key="balance",
        translation_key="balance",
        device_class=SensorDeviceClass.MONETARY,
        suggested_display_precision=2,
        money=True,
        value_fn=lambda meter: meter.balance,
    ),
    MeterSensorDescription(
        key="unit_price",
        translation_key="unit_price",
        suggested_display_precision=2,
        money=True,
        per_unit=True,
        value_fn=lambda meter: meter.price,
    ),
    MeterSensorDescription(
        key="signal",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda meter: meter.rssi,
    ),
)


def _path(rt: LockRuntime, data: TTLockRuntimeData) -> str:
    paths = data.coordinator.paths(rt)
    return paths[0].value if paths else "none"


LOCK_SENSORS: tuple[LockSensorDescription, ...] = (
    LockSensorDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda rt, _data: rt.battery,
    ),
    LockSensorDescription(
        key="gateway_signal",
        translation_key="gateway_signal",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda rt, _data: best.rssi if (best := rt.best_sighting) else None,
        exists_fn=lambda rt, _entry: rt.lock.has_gateway,
    ),
    LockSensorDescription(
        # how the next command would reach the lock, and the path the last one took
        key="path",
        translation_key="path",
        device_class=SensorDeviceClass.ENUM,
        entity_category=EntityCategory.DIAGNOSTIC,
        options=["bluetooth", "gateway", "wifi", "none"],
        value_fn=_path,
        attrs_fn=lambda rt, _data: {
            "last_command_path": rt.last_path.value if rt.last_path else None
        },
    ),
    LockSensorDescription(
        # grants and revocations still waiting to reach the lock (retried automatically)
        key="pending_access",
        translation_key="pending_access",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda rt, data: data.access.pending(rt.lock.lock_id),
        attrs_fn=lambda rt, data: {"revocations": data.access.pending_revocations(rt.lock.lock_id)},
        from_access=True,
    ),
    LockSensorDescription(
        # passcodes the lock may still get this calendar month (TTLock's monthly limit)
        key="passcodes_left",
        translation_key="passcodes_left",
        value_fn=lambda rt, data: data.access.ledger.left(rt.lock.lock_id),
        exists_fn=lambda _rt, entry: bool(entry.options.get(CONF_PASSCODE_LIMIT)),
        from_access=True,
    ),
)

GATEWAY_SENSORS: tuple[GatewaySensorDescription, ...] = (
    GatewaySensorDescription(
        key="locks_seen",
        translation_key="locks_seen",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda gw: gw.lock_count,
    ),
)

ACCOUNT_SENSORS: tuple[AccountSensorDescription, ...] = (
    AccountSensorDescription(
        key="api_calls",
        translation_key="api_calls",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda coordinator: coordinator.usage.calls,
        # this month's calls per endpoint, and what the current settings cost a month
        attrs_fn=lambda coordinator: {
            "endpoints": coordinator.usage.endpoints,
            "monthly_estimate_with_push": (
                estimate := coordinator.config_entry.runtime_data.estimate()
            ).with_push,
            "monthly_estimate_without_push": estimate.without_push,
        },
    ),
    AccountSensorDescription(
        key="api_budget_left",
        translation_key="api_budget_left",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda coordinator: coordinator.usage.remaining,
    ),
    AccountSensorDescription(
        # whether TTLock's callbacks arrive: with them, polling slows right down
        key="push",
        translation_key="push",
        device_class=SensorDeviceClass.ENUM,
        entity_category=EntityCategory.DIAGNOSTIC,
        options=[state.value for state in PushState],
        value_fn=lambda coordinator: coordinator.push.state.value,
        attrs_fn=lambda coordinator: {
            "last_push": coordinator.push.last_push,
            "missed_at": coordinator.push.missed_at,
        },
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every lock and gateway, and of the account."""
    coordinator = entry.runtime_data.coordinator
    if entry.runtime_data.client is not None:
        async_add_entities(TTLockAccountSensor(coordinator, d) for d in ACCOUNT_SENSORS)
    async_add_per_device(
        entry,
        async_add_entities,
        locks=lambda lock_id: [
            TTLockLockSensor(coordinator, lock_id, description)
            for description in LOCK_SENSORS
            if description.exists_fn(coordinator.data.locks[lock_id], entry)
        ],
        gateways=lambda gateway_id: [
            TTLockGatewaySensor(coordinator, gateway_id, description)
            for description in GATEWAY_SENSORS
        ],
    )
    async_add_per_meter(
        entry,
        async_add_entities,
        lambda meters, key: [
            TTLockMeterSensor(meters, key, description)
            for description in (*METER_SENSORS[key[0]], *COMMON_METER_SENSORS)
        ],
    )
    async_add_hotel_sensors(entry, async_add_entities)


class TTLockLockSensor(TTLockLockEntity, SensorEntity):
    """A sensor of a lock."""

    entity_description: LockSensorDescription

    def __init__(
        self, coordinator: TTLockCoordinator, lock_id: int, description: LockSensorDescription
    ) -> None:
        super().__init__(coordinator, lock_id, description.key)
        self.entity_description = description

    @property
    def available(self) -> bool:
        """As the lock; access sensors while the lock is known (see the description)."""
        if self.entity_description.from_access:
            return self.lock_id in self.coordinator.data.locks
        return super().available

    async def async_added_to_hass(self) -> None:
        """Follow the access model too, when fed by it."""
        await super().async_added_to_hass()
        if self.entity_description.from_access:
            access = self.entry_data.access
            self.async_on_remove(access.async_add_listener(self.async_write_ha_state))

    @property
    def native_value(self) -> StateType:
        """The current value."""
        return self.entity_description.value_fn(self.runtime, self.entry_data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details, where the description has them."""
        attrs_fn = self.entity_description.attrs_fn
        return attrs_fn(self.runtime, self.entry_data) if attrs_fn else None


class TTLockGatewaySensor(TTLockGatewayEntity, SensorEntity):
    """A sensor of a gateway."""

    entity_description: GatewaySensorDescription

    def __init__(
        self,
        coordinator: TTLockCoordinator,
        gateway_id: int,
        description: GatewaySensorDescription,
    ) -> None:
        super().__init__(coordinator, gateway_id, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> int | None:
        """The current value."""
        return self.entity_description.value_fn(self.gateway)


class TTLockAccountSensor(TTLockAccountEntity, SensorEntity):
    """A sensor of the account."""

    entity_description: AccountSensorDescription

    def __init__(
        self, coordinator: TTLockCoordinator, description: AccountSensorDescription
    ) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def available(self) -> bool:
        """The usage count is known even when the cloud is not reachable."""
        return True

    @property
    def native_value(self) -> StateType:
        """The current value."""
        return self.entity_description.value_fn(self.coordinator)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Per-endpoint counts and estimates (API calls), push timing (push)."""
        attrs_fn = self.entity_description.attrs_fn
        return attrs_fn(self.coordinator) if attrs_fn else None


class TTLockMeterSensor(TTLockMeterEntity, SensorEntity):
    """A reading of a meter."""

    entity_description: MeterSensorDescription

    def __init__(
        self, coordinator: MeterCoordinator, key: MeterKey, description: MeterSensorDescription
    ) -> None:
        super().__init__(coordinator, key, description.key)
        self.entity_description = description

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The description's unit; money in Home Assistant's currency (TTLock names none)."""
        description = self.entity_description
        if not description.money:
            return description.native_unit_of_measurement
        currency = self.hass.config.currency
        return f"{currency}/{UNIT[self.key[0]]}" if description.per_unit else currency

    @property
    def native_value(self) -> StateType:
        """The current value."""
        return self.entity_description.value_fn(self.meter)
