"""The base entities (device info, availability, unique ids) and the helpers that add a
platform's entities for every lock, gateway or meter, now and when new ones appear."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.const import CONF_USERNAME
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.device_registry import (
    CONNECTION_BLUETOOTH,
    DeviceEntryType,
    DeviceInfo,
)
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER
from .coordinator import TTLockCoordinator
from .meters import MeterCoordinator, MeterKey, meter_device_identifier
from .models import LockRuntime, gateway_device_identifier, lock_device_identifier
from .runtime import TTLockConfigEntry, TTLockRuntimeData
from .sdk.model import Gateway, Meter


@callback
def async_add_per_device(
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    *,
    locks: Callable[[int], Iterable[Entity]] | None = None,
    gateways: Callable[[int], Iterable[Entity]] | None = None,
) -> None:
    """Add the entities ``locks(lock_id)`` / ``gateways(gateway_id)`` build for every lock
    and gateway of the entry, now and whenever the account gains one."""
    coordinator = entry.runtime_data.coordinator
    if gateways is not None:
        _follow(
            entry,
            async_add_entities,
            gateways,
            set(coordinator.data.gateways),
            coordinator.async_add_gateway_listener,
        )
    if locks is not None:
        _follow(
            entry,
            async_add_entities,
            locks,
            set(coordinator.data.locks),
            coordinator.async_add_lock_listener,
        )


@callback
def async_add_per_meter(
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[MeterCoordinator, MeterKey], Iterable[Entity]],
) -> None:
    """Add the entities ``build`` makes for every meter of the account, now and later."""
    meters = entry.runtime_data.meters
    if meters is None:
        return
    _follow(
        entry,
        async_add_entities,
        lambda key: build(meters, key),
        set(meters.data),
        meters.async_add_meter_listener,
    )


def _follow[K: (int, MeterKey)](
    entry: TTLockConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[K], Iterable[Entity]],
    current: set[K],
    listen: Callable[[Callable[[set[K]], None]], CALLBACK_TYPE],
) -> None:
    @callback
    def _add(ids: set[K]) -> None:
        async_add_entities(entity for device_id in sorted(ids) for entity in build(device_id))

    _add(current)
    entry.async_on_unload(listen(_add))


class TTLockEntity(CoordinatorEntity[TTLockCoordinator]):
    """Base of every entity of the integration."""

    _attr_has_entity_name = True


class TTLockLockEntity(TTLockEntity):
    """An entity of one lock."""

    def __init__(self, coordinator: TTLockCoordinator, lock_id: int, key: str) -> None:
        super().__init__(coordinator)
        self.lock_id = lock_id
        self._attr_unique_id = f"{lock_id}_{key}"
        # Model, firmware and the via-gateway link are filled in by the coordinator once
        # the sweep has read them (they are not in lock/list).
        rt = self.runtime
        info = DeviceInfo(
            identifiers={lock_device_identifier(lock_id)},
            manufacturer=MANUFACTURER,
            name=rt.lock.name,
        )
        if rt.lock.mac:
            info["connections"] = {(CONNECTION_BLUETOOTH, rt.lock.mac)}
        self._attr_device_info = info

    @property
    def runtime(self) -> LockRuntime:
        """What the coordinator knows about this lock."""
        return self.coordinator.data.locks[self.lock_id]

    @property
    def entry_data(self) -> TTLockRuntimeData:
        """The entry's parts (access model, activity)."""
        data: TTLockRuntimeData = self.coordinator.config_entry.runtime_data
        return data

    @property
    def available(self) -> bool:
        """Account locks: while the account polls and the lock is on it. Local locks
        (Bluetooth only): while Home Assistant hears the lock."""
        coordinator = self.coordinator
        rt = coordinator.data.locks.get(self.lock_id)
        if rt is None or not super().available:
            return False
        return coordinator.client is not None or rt.ble_fresh or coordinator.ble.in_range(rt)


class TTLockGatewayEntity(TTLockEntity):
    """An entity of one gateway."""

    def __init__(self, coordinator: TTLockCoordinator, gateway_id: int, key: str) -> None:
        super().__init__(coordinator)
        self.gateway_id = gateway_id
        self._attr_unique_id = f"gateway_{gateway_id}_{key}"
        # The coordinator registers gateway devices (locks link to them); refer to it here.
        self._attr_device_info = DeviceInfo(identifiers={gateway_device_identifier(gateway_id)})

    @property
    def gateway(self) -> Gateway:
        """The gateway as last listed."""
        return self.coordinator.data.gateways[self.gateway_id]

    @property
    def available(self) -> bool:
        """Available while the account polls and the gateway is on it."""
        return super().available and self.gateway_id in self.coordinator.data.gateways


class TTLockAccountEntity(TTLockEntity):
    """An entity of the account itself (a service device)."""

    def __init__(self, coordinator: TTLockCoordinator, key: str) -> None:
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.unique_id}_{key}"
        info = DeviceInfo(
            identifiers={(DOMAIN, f"account-{entry.unique_id}")},
            manufacturer=MANUFACTURER,
            model="TTLock cloud account",
            entry_type=DeviceEntryType.SERVICE,
        )
        name = account_device_name(entry)
        if name is None:
            info["translation_key"] = "account"  # "TTLock account"
        else:
            info["name"] = name
        self._attr_device_info = info


def account_device_name(entry: TTLockConfigEntry) -> str | None:
    """The account device's own name: the entry's title once the user renamed the entry;
    None (the translated "TTLock account") while the title is still the sign-in, which must
    not end up in entity ids and on every dashboard (an e-mail or a phone number).

    Two accounts both called "TTLock account" stay apart by their entity ids
    (``sensor.ttlock_account_api_calls_this_month`` and ``…_2``); renaming an entry names its
    device after it."""
    title = entry.title.strip()
    if title and title != entry.data.get(CONF_USERNAME):
        return title
    return None


class TTLockMeterEntity(CoordinatorEntity[MeterCoordinator]):
    """An entity of one electricity or water meter."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: MeterCoordinator, key: MeterKey, name: str) -> None:
        super().__init__(coordinator)
        self.key = key
        kind, meter_id = key
        self._attr_unique_id = f"meter_{kind.value}_{meter_id}_{name}"
        # the meter coordinator registers the device (model, number, firmware)
        self._attr_device_info = DeviceInfo(identifiers={meter_device_identifier(key)})

    @property
    def meter(self) -> Meter:
        """The meter as last read."""
        return self.coordinator.data[self.key]

    @property
    def available(self) -> bool:
        """While the meters are read and this one is on the account."""
        return super().available and self.key in self.coordinator.data
