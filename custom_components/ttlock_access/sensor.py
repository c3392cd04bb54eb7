"""Sensors: lock battery and signal, gateway locks seen, the account's API usage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, SIGNAL_STRENGTH_DECIBELS_MILLIWATT, EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .access import AccessManager
from .const import CONF_PASSCODE_LIMIT
from .coordinator import TTLockConfigEntry, TTLockCoordinator
from .entity import TTLockAccountEntity, TTLockGatewayEntity, TTLockLockEntity
from .models import LockRuntime
from .sdk.model import Gateway
from .usage import ApiUsage

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class LockSensorDescription(SensorEntityDescription):
    """A sensor of a lock."""

    value_fn: Callable[[LockRuntime], int | str | None]
    exists_fn: Callable[[LockRuntime], bool] = lambda _rt: True


@dataclass(frozen=True, kw_only=True)
class GatewaySensorDescription(SensorEntityDescription):
    """A sensor of a gateway."""

    value_fn: Callable[[Gateway], int | None]


@dataclass(frozen=True, kw_only=True)
class AccountSensorDescription(SensorEntityDescription):
    """A sensor of the account."""

    value_fn: Callable[[ApiUsage], int]


LOCK_SENSORS: tuple[LockSensorDescription, ...] = (
    LockSensorDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda rt: rt.battery,
    ),
    LockSensorDescription(
        key="gateway_signal",
        translation_key="gateway_signal",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda rt: best.rssi if (best := rt.best_sighting) else None,
        exists_fn=lambda rt: rt.lock.has_gateway,
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
        value_fn=lambda usage: usage.calls,
    ),
    AccountSensorDescription(
        key="api_budget_left",
        translation_key="api_budget_left",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda usage: usage.remaining,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every lock and gateway, and of the account."""
    coordinator = entry.runtime_data.coordinator

    @callback
    def _add_locks(lock_ids: set[int]) -> None:
        async_add_entities(
            TTLockLockSensor(coordinator, lock_id, description)
            for lock_id in sorted(lock_ids)
            for description in LOCK_SENSORS
            if description.exists_fn(coordinator.data.locks[lock_id])
        )
        async_add_entities(TTLockPathSensor(coordinator, lock_id) for lock_id in sorted(lock_ids))
        async_add_entities(
            TTLockPendingAccessSensor(coordinator, entry.runtime_data.access, lock_id)
            for lock_id in sorted(lock_ids)
        )
        if entry.options.get(CONF_PASSCODE_LIMIT):
            async_add_entities(
                TTLockPasscodesLeftSensor(coordinator, entry.runtime_data.access, lock_id)
                for lock_id in sorted(lock_ids)
            )

    @callback
    def _add_gateways(gateway_ids: set[int]) -> None:
        async_add_entities(
            TTLockGatewaySensor(coordinator, gateway_id, description)
            for gateway_id in sorted(gateway_ids)
            for description in GATEWAY_SENSORS
        )

    if entry.runtime_data.client is not None:
        async_add_entities(TTLockAccountSensor(coordinator, d) for d in ACCOUNT_SENSORS)
    _add_gateways(set(coordinator.data.gateways))
    _add_locks(set(coordinator.data.locks))
    entry.async_on_unload(coordinator.async_add_gateway_listener(_add_gateways))
    entry.async_on_unload(coordinator.async_add_lock_listener(_add_locks))


class TTLockLockSensor(TTLockLockEntity, SensorEntity):
    """A sensor of a lock."""

    entity_description: LockSensorDescription

    def __init__(
        self, coordinator: TTLockCoordinator, lock_id: int, description: LockSensorDescription
    ) -> None:
        super().__init__(coordinator, lock_id, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> int | str | None:
        """The current value."""
        return self.entity_description.value_fn(self.runtime)


class TTLockPathSensor(TTLockLockEntity, SensorEntity):
    """How the next command would reach the lock: Bluetooth, gateway, Wi-Fi or nothing."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_options = ["bluetooth", "gateway", "wifi", "none"]
    _attr_translation_key = "path"

    def __init__(self, coordinator: TTLockCoordinator, lock_id: int) -> None:
        super().__init__(coordinator, lock_id, "path")

    @property
    def native_value(self) -> str:
        """The best path right now."""
        paths = self.coordinator.paths(self.runtime)
        return paths[0].value if paths else "none"

    @property
    def extra_state_attributes(self) -> dict[str, str | None]:
        """The path the last command actually took."""
        last = self.runtime.last_path
        return {"last_command_path": last.value if last else None}


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
    def native_value(self) -> int:
        """The current value."""
        return self.entity_description.value_fn(self.coordinator.usage)


class _AccessSensor(TTLockLockEntity, SensorEntity):
    """A lock sensor fed by the access model."""

    def __init__(
        self, coordinator: TTLockCoordinator, access: AccessManager, lock_id: int, key: str
    ) -> None:
        super().__init__(coordinator, lock_id, key)
        self._access = access

    @property
    def available(self) -> bool:
        """The access model is Home Assistant's own: known while the lock is, even when the
        cloud cannot be polled (a waiting revocation must stay visible then)."""
        return self.lock_id in self.coordinator.data.locks

    async def async_added_to_hass(self) -> None:
        """Follow the access model."""
        await super().async_added_to_hass()
        self.async_on_remove(self._access.async_add_listener(self.async_write_ha_state))


class TTLockPendingAccessSensor(_AccessSensor):
    """Grants and revocations still waiting to reach this lock (retried automatically)."""

    _attr_translation_key = "pending_access"
    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, coordinator: TTLockCoordinator, access: AccessManager, lock_id: int) -> None:
        super().__init__(coordinator, access, lock_id, "pending_access")

    @property
    def native_value(self) -> int:
        """Operations queued for this lock."""
        return self._access.pending(self.lock_id)

    @property
    def extra_state_attributes(self) -> dict[str, int]:
        """How many of them are revocations (they run first)."""
        return {"revocations": self._access.pending_revocations(self.lock_id)}


class TTLockPasscodesLeftSensor(_AccessSensor):
    """Passcodes the lock may still get this calendar month (TTLock's monthly limit)."""

    _attr_translation_key = "passcodes_left"

    def __init__(self, coordinator: TTLockCoordinator, access: AccessManager, lock_id: int) -> None:
        super().__init__(coordinator, access, lock_id, "passcodes_left")

    @property
    def native_value(self) -> int:
        """Limit minus the passcodes created this month."""
        return self._access.ledger.left(self.lock_id)
