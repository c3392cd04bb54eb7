"""A generic simulated BLE peripheral and the "air" that holds peripherals by address.

The model follows ``docs/virtual-ble-proxy.md`` ("Minimal steps", step 1):

* a GATT table (:class:`ServiceSpec` of :class:`CharSpec`), handles assigned by the client;
* advertisement fields (:class:`Advertisement`), re-published whenever they change;
* a single link to one central (:class:`CentralLink`, implemented by
  :class:`~simulator.ble.client.VirtualClient`); a second central is refused;
* notifications scheduled with ``loop.call_soon`` (or ``call_later`` for a slow peer), so
  they reach the central *after* the write that caused them returned, in order;
* a peripheral-initiated disconnect (:meth:`Peripheral.drop_link`).

Nothing here imports bleak, habluetooth or Home Assistant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "CCCD_UUID",
    "Advertisement",
    "CentralLink",
    "CharSpec",
    "LinkRefusedError",
    "Peripheral",
    "ServiceSpec",
    "VirtualAir",
    "normalize_address",
    "uuid16",
]

CCCD_UUID = "00002902-0000-1000-8000-00805f9b34fb"
"""Client Characteristic Configuration descriptor, added under notify/indicate chars."""


def uuid16(short: int) -> str:
    """The 128-bit form of a 16-bit SIG UUID (``0x1910`` → ``00001910-0000-1000-…``)."""
    return f"{short:08x}-0000-1000-8000-00805f9b34fb"


def normalize_address(address: str) -> str:
    """Upper-case, colon-separated MAC: the form HA's manager looks up (recipe pitfall 5)."""
    return address.replace("-", ":").upper()


@dataclass(slots=True)
class CharSpec:
    """One characteristic: UUID, bleak property names and a readable value."""

    uuid: str
    properties: tuple[str, ...]
    value: bytes = b""

    @property
    def notifies(self) -> bool:
        """Whether a CCCD belongs under it."""
        return "notify" in self.properties or "indicate" in self.properties


@dataclass(slots=True)
class ServiceSpec:
    """A primary service and its characteristics, in handle order."""

    uuid: str
    characteristics: list[CharSpec] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Advertisement:
    """What a scanner hears from a peripheral (HA's ``_async_on_advertisement`` fields)."""

    local_name: str | None
    manufacturer_data: dict[int, bytes] = field(default_factory=dict)
    service_uuids: tuple[str, ...] = ()
    service_data: dict[str, bytes] = field(default_factory=dict)
    tx_power: int | None = None
    rssi: int = -60


class LinkRefusedError(Exception):
    """The peripheral refuses a connection (out of range, or already linked)."""

    def __init__(self, address: str, reason: str, *, missing: bool = False) -> None:
        self.address = address
        self.missing = missing
        super().__init__(f"{address}: {reason}")


class CentralLink(Protocol):
    """The peripheral's view of its connected central."""

    def deliver_notification(self, uuid: str, data: bytes) -> None:
        """A notification (or indication) on characteristic ``uuid``."""

    def peer_disconnected(self) -> None:
        """The peripheral dropped the link."""


class Peripheral:
    """Base class of simulated peripherals; subclasses override the ``handle_*`` hooks."""

    def __init__(
        self,
        address: str,
        services: list[ServiceSpec],
        *,
        local_name: str | None = None,
        rssi: int = -60,
    ) -> None:
        self.address = normalize_address(address)
        self.services = services
        self.local_name = local_name
        self.rssi = rssi
        self.in_range = True
        """False: not advertising and refusing connections (fault knob "not in range")."""
        self.notify_enabled: set[str] = set()
        self._link: CentralLink | None = None
        self._listeners: list[Callable[[Peripheral], None]] = []
        self._timers: set[asyncio.TimerHandle] = set()
        self.connections = 0
        """Number of links accepted so far (for tests)."""

    # --- GATT table ----------------------------------------------------------------------
    def characteristic(self, uuid: str) -> CharSpec | None:
        """The characteristic with ``uuid`` (lower-case 128-bit form), if any."""
        wanted = uuid.lower()
        for service in self.services:
            for char in service.characteristics:
                if char.uuid == wanted:
                    return char
        return None

    def iter_characteristics(self) -> Iterator[CharSpec]:
        """Every characteristic, in table order."""
        for service in self.services:
            yield from service.characteristics

    # --- advertising -----------------------------------------------------------------------
    def advertisement(self) -> Advertisement:
        """Current advertisement (override to add manufacturer data etc.)."""
        return Advertisement(local_name=self.local_name, rssi=self.rssi)

    @property
    def advertising(self) -> bool:
        """Whether a scanner hears this peripheral now."""
        return self.in_range

    def on_advertisement_changed(
        self, listener: Callable[[Peripheral], None]
    ) -> Callable[[], None]:
        """Call ``listener(self)`` whenever the advertisement changes; returns an unsubscribe."""
        self._listeners.append(listener)

        def _remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return _remove

    def advertisement_changed(self) -> None:
        """Tell listeners (scanners) to re-publish the advertisement."""
        for listener in list(self._listeners):
            listener(self)

    def set_in_range(self, in_range: bool) -> None:
        """Move the peripheral into / out of radio range; out of range drops the link."""
        self.in_range = in_range
        if not in_range:
            self.drop_link()
        self.advertisement_changed()

    def tick(self) -> None:
        """Periodic housekeeping (a scanner calls it before re-advertising)."""

    # --- the link ---------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """Whether a central is linked."""
        return self._link is not None

    def accept(self, link: CentralLink) -> None:
        """A central connects (raises :class:`LinkRefusedError` when it cannot)."""
        if not self.in_range:
            raise LinkRefusedError(self.address, "device not found (out of range)", missing=True)
        if self._link is not None:
            raise LinkRefusedError(self.address, "peripheral already has a connection")
        self._link = link
        self.connections += 1
        self.on_connect()

    def release(self, link: CentralLink) -> None:
        """The central disconnects."""
        if self._link is link:
            self._finish_link()

    def drop_link(self) -> None:
        """Peripheral-initiated disconnect: the central hears it on the next loop turn."""
        link = self._link
        if link is None:
            return
        self._finish_link()
        self._schedule(0.0, link.peer_disconnected)

    def _finish_link(self) -> None:
        self._link = None
        self.notify_enabled.clear()
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        self.on_disconnect()

    def on_connect(self) -> None:
        """Hook: a link was established."""

    def on_disconnect(self) -> None:
        """Hook: the link ended (either side); reset per-connection state here."""

    # --- GATT operations from the central ----------------------------------------------
    def handle_read(self, uuid: str) -> bytes:
        """Value of a readable characteristic."""
        char = self.characteristic(uuid)
        return b"" if char is None else char.value

    def handle_write(self, uuid: str, data: bytes, *, response: bool) -> None:
        """A central wrote ``data``; override to react."""

    def set_notify(self, uuid: str, enabled: bool) -> None:
        """The central (un)subscribed to notifications of ``uuid``."""
        if enabled:
            self.notify_enabled.add(uuid.lower())
        else:
            self.notify_enabled.discard(uuid.lower())

    # --- sending ----------------------------------------------------------------------------
    def notify(self, uuid: str, data: bytes, *, delay: float = 0.0) -> None:
        """Send a notification after the current callback (and ``delay`` seconds)."""
        link = self._link
        if link is None or uuid.lower() not in self.notify_enabled:
            return
        wanted = uuid.lower()

        def _deliver() -> None:
            if self._link is link and wanted in self.notify_enabled:
                link.deliver_notification(wanted, data)

        self._schedule(delay, _deliver)

    def call_on_link(self, callback: Callable[[], None], *, delay: float = 0.0) -> None:
        """Run ``callback`` after pending notifications, while this link lasts."""
        link = self._link
        if link is None:
            return

        def _run() -> None:
            if self._link is link:
                callback()

        self._schedule(delay, _run)

    def _schedule(self, delay: float, callback: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()
        if delay <= 0:
            loop.call_soon(callback)
            return
        handle: asyncio.TimerHandle | None = None

        def _fire() -> None:
            if handle is not None:
                self._timers.discard(handle)
            callback()

        handle = loop.call_later(delay, _fire)
        self._timers.add(handle)


class VirtualAir:
    """The radio environment: peripherals by (upper-case) address."""

    def __init__(self, peripherals: list[Peripheral] | None = None) -> None:
        self._peripherals: dict[str, Peripheral] = {}
        self._listeners: list[Callable[[Peripheral], None]] = []
        self._unsubscribe: dict[str, Callable[[], None]] = {}
        for peripheral in peripherals or []:
            self.add(peripheral)

    def add[P: Peripheral](self, peripheral: P) -> P:
        """Put ``peripheral`` on the air (replacing one with the same address)."""
        self.remove(peripheral.address)
        self._peripherals[peripheral.address] = peripheral
        self._unsubscribe[peripheral.address] = peripheral.on_advertisement_changed(self._changed)
        self._changed(peripheral)
        return peripheral

    def remove(self, address: str) -> Peripheral | None:
        """Take a peripheral off the air (its link drops)."""
        key = normalize_address(address)
        peripheral = self._peripherals.pop(key, None)
        if peripheral is not None:
            self._unsubscribe.pop(key)()
            peripheral.drop_link()
        return peripheral

    def get(self, address: str) -> Peripheral | None:
        """The peripheral at ``address``, if any."""
        return self._peripherals.get(normalize_address(address))

    def __iter__(self) -> Iterator[Peripheral]:
        return iter(list(self._peripherals.values()))

    def __len__(self) -> int:
        return len(self._peripherals)

    def __contains__(self, address: object) -> bool:
        return isinstance(address, str) and normalize_address(address) in self._peripherals

    def on_advertisement_changed(
        self, listener: Callable[[Peripheral], None]
    ) -> Callable[[], None]:
        """``listener(peripheral)`` on any peripheral's advertisement change (and on add)."""
        self._listeners.append(listener)

        def _remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return _remove

    def _changed(self, peripheral: Peripheral) -> None:
        for listener in list(self._listeners):
            listener(peripheral)
