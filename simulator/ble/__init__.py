"""Simulated Bluetooth side of the TTLock world: peripherals, a bleak backend, a proxy.

Layers (the first three import neither habluetooth nor Home Assistant):

* :mod:`.peripheral` — :class:`Peripheral` (GATT table, advertisement, one link, notify via
  ``loop.call_soon``, peripheral-initiated drop) and :class:`VirtualAir` (address → peripheral).
* :mod:`.client` — :class:`VirtualClient`, a bleak backend bound to an air with
  :meth:`VirtualClient.bind`; works with ``bleak_retry_connector.establish_connection(...,
  backend=...)`` and as the connector client of a Home Assistant remote scanner.
* :mod:`.lock` — :class:`SimulatedLock`, a TTLock V3 lock / lift controller written from the
  lock's side (with :mod:`.codec`, its own frame codec), plus fault knobs.
* :mod:`.world_link` — :class:`WorldLink`, the one adapter that builds a lock from a
  :class:`simulator.world.World` lock and mirrors state and records both ways
  (:func:`~simulator.ble.world_link.lock_from_world`, ``lock_from_world(world, lock_id)``).
* :mod:`.scanner` — :class:`VirtualProxyScanner` (habluetooth) and :mod:`.ha` —
  :func:`async_register_virtual_proxy` (Home Assistant); import them explicitly.

Specification: ``docs/virtual-ble-proxy.md``, ``docs/ble.md`` and
``docs/errata.md``.
"""

from __future__ import annotations

from .client import VirtualClient
from .lock import (
    BATTERY_LEVEL_UUID,
    NOTIFY_UUID,
    SERVICE_UUID,
    V3_COMPANY_ID,
    WRITE_UUID,
    Err,
    EventKind,
    LockFaults,
    LogKind,
    OperationRecord,
    PassageWindow,
    SimLockEvent,
    SimulatedLock,
)
from .peripheral import (
    Advertisement,
    CharSpec,
    LinkRefusedError,
    Peripheral,
    ServiceSpec,
    VirtualAir,
)

__all__ = [
    "BATTERY_LEVEL_UUID",
    "NOTIFY_UUID",
    "SERVICE_UUID",
    "V3_COMPANY_ID",
    "WRITE_UUID",
    "Advertisement",
    "CharSpec",
    "Err",
    "EventKind",
    "LinkRefusedError",
    "LockFaults",
    "LogKind",
    "OperationRecord",
    "PassageWindow",
    "Peripheral",
    "ServiceSpec",
    "SimLockEvent",
    "SimulatedLock",
    "VirtualAir",
    "VirtualClient",
]
