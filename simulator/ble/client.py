"""``VirtualClient``: a bleak backend whose radio is a :class:`~.peripheral.VirtualAir`.

Recipe: ``docs/virtual-ble-proxy.md`` ("bleak 3.x BaseBleakClient" and step 2).
Bind it to an air with :meth:`VirtualClient.bind`, which returns a *subclass* (bleak reads
``backend.__name__``, which a ``functools.partial`` lacks), then use it

* without Home Assistant: ``establish_connection(BleakClientWithServiceCache, device, name,
  backend=VirtualClient.bind(air))`` or ``BleakClient(device, backend=...)``;
* inside Home Assistant: as ``HaBluetoothConnector(client=...)`` of a remote scanner
  (:mod:`simulator.ble.scanner`); HA's ``HaBleakClientWrapper`` then picks it.

Works with bleak 3.0.2 (``BaseBleakClient.__init__(address_or_ble_device, **kwargs)`` reading
``kwargs["timeout"]``) and 3.1 (keyword-only ``disconnected_callback``/``timeout``): both are
passed by keyword. Imports bleak only (no habluetooth, no Home Assistant).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, ClassVar

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import (
    BleakDeviceNotFoundError,
    BleakError,
    BleakGATTProtocolError,
    BleakGATTProtocolErrorCode,
)

from .peripheral import CCCD_UUID, LinkRefusedError, Peripheral, VirtualAir

__all__ = ["LinkChangeCallback", "VirtualClient"]

_LOGGER = logging.getLogger(__name__)

type LinkChangeCallback = Callable[[str, bool], None]
"""``(address, connected)`` — lets a proxy scanner count its connection slots."""

DEFAULT_MTU = 23
"""BlueZ's default ATT MTU: 20-byte writes without response (``docs/ble.md`` §2.1)."""


class VirtualClient(BaseBleakClient):
    """bleak backend connected to a simulated peripheral of a :class:`VirtualAir`."""

    air: ClassVar[VirtualAir | None] = None
    on_link_change: ClassVar[LinkChangeCallback | None] = None

    @classmethod
    def bind(
        cls,
        air: VirtualAir,
        *,
        on_link_change: LinkChangeCallback | None = None,
    ) -> type[VirtualClient]:
        """A subclass bound to ``air``, usable as a bleak ``backend`` or HA connector client."""
        namespace: dict[str, Any] = {
            "air": air,
            "on_link_change": staticmethod(on_link_change) if on_link_change else None,
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
        }
        return type(cls.__name__, (cls,), namespace)

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> None:
        # bleak 3.0.2 reads kwargs["timeout"]; 3.1 takes both keyword-only. Extra kwargs
        # (services, bluez, winrt, pair, _is_retry_client) are accepted and ignored.
        super().__init__(
            address_or_ble_device,
            disconnected_callback=disconnected_callback,
            timeout=timeout,
            **kwargs,
        )
        self.address = self.address.upper()
        self._peripheral: Peripheral | None = None
        self._callbacks: dict[int, NotifyCallback] = {}
        self._uuid_to_handle: dict[str, int] = {}
        self._mtu = DEFAULT_MTU
        self.connect_kwargs: dict[str, Any] = {}
        """Keyword arguments of the last :meth:`connect` call (for tests and diagnostics)."""

    # --- identity -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """Local name of the peripheral, else the address."""
        peripheral = self._peripheral or self._air().get(self.address)
        if peripheral is not None and peripheral.local_name:
            return peripheral.local_name
        return self.address

    @property
    def mtu_size(self) -> int:
        """Negotiated MTU (fixed at BlueZ's 23)."""
        return self._mtu

    @property
    def is_connected(self) -> bool:
        """Whether the link to the peripheral is up."""
        return self._peripheral is not None

    @property
    def peripheral(self) -> Peripheral | None:
        """The linked peripheral (tests only)."""
        return self._peripheral

    # --- connection -----------------------------------------------------------------------
    @classmethod
    def _air(cls) -> VirtualAir:
        if cls.air is None:
            raise BleakError("VirtualClient is not bound to an air; use VirtualClient.bind(air)")
        return cls.air

    async def connect(self, pair: bool = False, **kwargs: Any) -> None:
        """Link to the peripheral at our address and discover its services."""
        del pair
        self.connect_kwargs = dict(kwargs)
        await asyncio.sleep(0)
        if self._peripheral is not None:
            return
        peripheral = self._air().get(self.address)
        if peripheral is None:
            raise BleakDeviceNotFoundError(
                self.address, f"Device with address {self.address} was not found"
            )
        try:
            peripheral.accept(self)
        except LinkRefusedError as err:
            if err.missing:
                raise BleakDeviceNotFoundError(
                    self.address, f"Device with address {self.address} was not found"
                ) from err
            raise BleakError(str(err)) from err
        self._peripheral = peripheral
        self.services = self._build_services(peripheral)
        _LOGGER.debug("VirtualClient %s: connected (kwargs=%s)", self.address, kwargs)
        self._link_changed(True)

    def _build_services(self, peripheral: Peripheral) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        self._uuid_to_handle.clear()
        handle = 1
        for spec in peripheral.services:
            service = BleakGATTService(None, handle, spec.uuid)
            collection.add_service(service)
            handle += 1
            for char_spec in spec.characteristics:
                char = BleakGATTCharacteristic(
                    char_spec,
                    handle,
                    char_spec.uuid,
                    list(char_spec.properties),  # type: ignore[arg-type]
                    lambda: self._mtu - 3,
                    service,
                )
                collection.add_characteristic(char)
                self._uuid_to_handle.setdefault(char_spec.uuid, handle)
                handle += 1
                if char_spec.notifies:
                    collection.add_descriptor(BleakGATTDescriptor(None, handle, CCCD_UUID, char))
                    handle += 1
        return collection

    async def disconnect(self) -> None:
        """Client-initiated disconnect; the callback fires too (as BlueZ does)."""
        peripheral = self._peripheral
        if peripheral is None:
            return
        self._peripheral = None
        self._callbacks.clear()
        peripheral.release(self)
        self._announce_disconnect()
        await asyncio.sleep(0)

    def peer_disconnected(self) -> None:
        """:class:`~.peripheral.CentralLink`: the peripheral dropped the link."""
        if self._peripheral is None:
            return
        self._peripheral = None
        self._callbacks.clear()
        self._announce_disconnect()

    def _announce_disconnect(self) -> None:
        _LOGGER.debug("VirtualClient %s: disconnected", self.address)
        self._link_changed(False)
        callback = self._disconnected_callback
        if callback is not None:
            asyncio.get_running_loop().call_soon(callback)

    def _link_changed(self, connected: bool) -> None:
        hook = type(self).on_link_change
        if hook is not None:
            hook(self.address, connected)

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """Nothing to pair: TTLock security is in the payload, not the link."""

    async def unpair(self) -> None:
        """Nothing to unpair."""

    async def clear_cache(self) -> bool:
        """No GATT cache to clear (HA's wrapper probes this with ``hasattr``)."""
        return True

    async def set_connection_params(
        self, min_interval: int, max_interval: int, latency: int, supervision_timeout: int
    ) -> None:
        """Accepted and ignored (HA's wrapper warns when a backend lacks it)."""

    # --- GATT I/O -------------------------------------------------------------------------
    def _require(self) -> Peripheral:
        if self._peripheral is None:
            raise BleakError("Not connected")
        return self._peripheral

    @staticmethod
    def _spec_uuid(characteristic: BleakGATTCharacteristic) -> str:
        return characteristic.uuid.lower()

    async def read_gatt_char(
        self,
        characteristic: BleakGATTCharacteristic,
        *,
        use_cached: bool = False,
        **kwargs: Any,
    ) -> bytearray:
        """Read a characteristic value."""
        peripheral = self._require()
        if "read" not in characteristic.properties:
            raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.READ_NOT_PERMITTED)
        await asyncio.sleep(0)
        return bytearray(peripheral.handle_read(self._spec_uuid(characteristic)))

    async def read_gatt_descriptor(
        self,
        descriptor: BleakGATTDescriptor,
        *,
        use_cached: bool = False,
        **kwargs: Any,
    ) -> bytearray:
        """CCCD value: notifications on/off."""
        peripheral = self._require()
        char_uuid = descriptor.characteristic_uuid.lower()
        return bytearray(b"\x01\x00" if char_uuid in peripheral.notify_enabled else b"\x00\x00")

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: Any, response: bool
    ) -> None:
        """Write with or without response (both reach the peripheral in order)."""
        peripheral = self._require()
        wanted = "write" if response else "write-without-response"
        if wanted not in characteristic.properties:
            raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.WRITE_NOT_PERMITTED)
        peripheral.handle_write(self._spec_uuid(characteristic), bytes(data), response=response)
        await asyncio.sleep(0)

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        """A CCCD write (un)subscribes."""
        peripheral = self._require()
        if descriptor.uuid.lower() == CCCD_UUID:
            enabled = bytes(data)[:1] in (b"\x01", b"\x02")
            peripheral.set_notify(descriptor.characteristic_uuid, enabled)
        await asyncio.sleep(0)

    async def start_notify(
        self,
        characteristic: BleakGATTCharacteristic,
        callback: NotifyCallback,
        **kwargs: Any,
    ) -> None:
        """Subscribe; ``callback`` receives only the data (BleakClient bound the char)."""
        peripheral = self._require()
        if not {"notify", "indicate"} & set(characteristic.properties):
            raise BleakError(f"characteristic {characteristic.uuid} does not notify")
        self._callbacks[characteristic.handle] = callback
        peripheral.set_notify(self._spec_uuid(characteristic), True)
        await asyncio.sleep(0)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        """Unsubscribe."""
        peripheral = self._require()
        self._callbacks.pop(characteristic.handle, None)
        peripheral.set_notify(self._spec_uuid(characteristic), False)
        await asyncio.sleep(0)

    def deliver_notification(self, uuid: str, data: bytes) -> None:
        """:class:`~.peripheral.CentralLink`: route by handle to the stored callback."""
        handle = self._uuid_to_handle.get(uuid.lower())
        callback = None if handle is None else self._callbacks.get(handle)
        if callback is not None:
            callback(bytearray(data))
