"""``VirtualProxyScanner``: a remote Bluetooth scanner (like an ESPHome proxy) for the air.

Recipe: ``docs/virtual-ble-proxy.md`` (steps 3–4, pitfalls 1–6, 10). It
feeds the advertisements of a :class:`~.peripheral.VirtualAir` into habluetooth's manager and
offers :class:`~.client.VirtualClient` as the connector, so Home Assistant's real connect
path (``async_ble_device_from_address`` → ``establish_connection`` → ``HaBleakClientWrapper``)
reaches the simulated peripherals without patching anything.

Connection slots work as ESPHome's do: ``can_connect`` gates the wrapper, ``get_allocations``
reports ``slots/free/allocated`` and every change is pushed with
``get_manager().async_on_allocation_changed`` (never ``connection_slots=`` at registration:
that is BlueZ's static slot manager, pitfall 3).

Imports habluetooth (and bleak-retry-connector, bluetooth-data-tools) only; the
constructor calls ``get_manager()``, so build it after HA's bluetooth is set up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bluetooth_data_tools import monotonic_time_coarse
from habluetooth import (
    Allocations,
    BaseHaRemoteScanner,
    BluetoothScanningMode,
    HaBluetoothConnector,
    get_manager,
)

from .client import VirtualClient
from .peripheral import Peripheral, VirtualAir, normalize_address

__all__ = ["DEFAULT_ADAPTER", "DEFAULT_SOURCE", "VirtualProxyScanner"]

DEFAULT_SOURCE = "02:00:00:54:54:01"
"""Locally administered, MAC-style, unique source (pitfall 4)."""
DEFAULT_ADAPTER = "ttlock_sim_proxy"
"""Adapter name: not ``hci*`` (pitfall 4)."""


class VirtualProxyScanner(BaseHaRemoteScanner):
    """A connectable remote scanner that hears every peripheral of ``air``."""

    def __init__(
        self,
        air: VirtualAir,
        *,
        source: str = DEFAULT_SOURCE,
        adapter: str = DEFAULT_ADAPTER,
        slots: int = 2,
        follow_changes: bool = True,
    ) -> None:
        self.air = air
        self.slots = slots
        self.links: list[str] = []
        """Addresses currently connected through this proxy (its allocated slots)."""
        connector = HaBluetoothConnector(
            client=VirtualClient.bind(air, on_link_change=self._on_link_change),
            source=normalize_address(source),
            can_connect=self._can_connect,
        )
        super().__init__(
            normalize_address(source),
            adapter,
            connector,
            True,
            requested_mode=BluetoothScanningMode.ACTIVE,
            current_mode=BluetoothScanningMode.ACTIVE,
        )
        self._timer: asyncio.TimerHandle | None = None
        self._active = False
        self._follow = air.on_advertisement_changed(self._changed) if follow_changes else None

    def async_setup(self) -> Callable[[], None]:
        """Start habluetooth's expiry/watchdog timers; the result undoes it (pitfall 1)."""
        unsetup = super().async_setup()
        self._active = True

        def _unsetup() -> None:
            self._active = False
            self.stop_advertising()
            unsetup()

        return _unsetup

    # --- slots ---------------------------------------------------------------------------
    def _can_connect(self) -> bool:
        return len(self.links) < self.slots

    def _on_link_change(self, address: str, connected: bool) -> None:
        if connected:
            self.links.append(address)
        elif address in self.links:
            self.links.remove(address)
        self.publish_allocations()

    def get_allocations(self) -> Allocations | None:
        """Slot allocations as the UI and HA's path scoring see them."""
        return Allocations(
            adapter=self.source,
            slots=self.slots,
            free=max(0, self.slots - len(self.links)),
            allocated=list(self.links),
        )

    def publish_allocations(self) -> None:
        """Push the current allocations to the manager (websocket / UI)."""
        allocations = self.get_allocations()
        if allocations is not None:
            get_manager().async_on_allocation_changed(allocations)

    # --- advertising ------------------------------------------------------------------------
    def inject(self, address: str | None = None) -> int:
        """Hand the current advertisement(s) to the manager; returns how many were sent.

        ``details`` carries only ``address_type`` — never a ``path`` (pitfall 6).
        """
        peripherals = [self.air.get(address)] if address else list(self.air)
        sent = 0
        for peripheral in peripherals:
            if peripheral is None or not peripheral.advertising:
                continue
            adv = peripheral.advertisement()
            self._async_on_advertisement(
                peripheral.address,
                adv.rssi,
                adv.local_name,
                list(adv.service_uuids),
                dict(adv.service_data),
                dict(adv.manufacturer_data),
                adv.tx_power,
                {"address_type": "random"},
                monotonic_time_coarse(),
            )
            sent += 1
        return sent

    def _changed(self, peripheral: Peripheral) -> None:
        if self._active:
            self.inject(peripheral.address)

    def start_advertising(self, interval: float = 10.0) -> None:
        """Tick every peripheral and re-inject every ``interval`` s (≤ 30 s, pitfall 10)."""
        self.stop_advertising()
        loop = asyncio.get_running_loop()

        def _tick() -> None:
            for peripheral in self.air:
                peripheral.tick()
            self.inject()
            self._timer = loop.call_later(interval, _tick)

        _tick()

    def stop_advertising(self) -> None:
        """Cancel the re-advertising timer (tests must, before they end: pitfall 1)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def close(self) -> None:
        """Stop advertising and stop following the air."""
        self.stop_advertising()
        if self._follow is not None:
            self._follow()
            self._follow = None
