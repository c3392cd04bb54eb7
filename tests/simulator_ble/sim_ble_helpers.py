"""Shared helpers of the simulated BLE lock tests (constants, lock factory, connect)."""

from __future__ import annotations

import bleak_retry_connector
from bleak.backends.device import BLEDevice
from sim_ble_driver import SimLink, connect

from custom_components.ttlock_access.sdk.ble import LockKeys, ProtocolHeader
from simulator.ble import SimulatedLock, VirtualAir, VirtualClient

MAC = "C0:FF:EE:19:10:01"
FRESH_MAC = "C0:FF:EE:19:10:02"
LIFT_MAC = "C0:FF:EE:19:10:0C"
AES_KEY = bytes.fromhex("a1b2c3d4e5f60718293a4b5c6d7e8f90")
ADMIN_PS = 123456789
UNLOCK_KEY = 4_000_000_000  # large on purpose: (ps + key) wraps mod 2**32 (errata §2)
ADMIN_CODE = "7654321"
ALL_FEATURES = (0, 1, 2, 4, 7, 8, 14, 15, 18, 22, 28, 29, 30, 36, 43)


def make_lock(mac: str = MAC, **kwargs: object) -> SimulatedLock:
    """A paired lock with known key material."""
    options: dict[str, object] = {
        "aes_key": AES_KEY,
        "admin_ps": ADMIN_PS,
        "unlock_key": UNLOCK_KEY,
        "admin_code": ADMIN_CODE,
        "features": ALL_FEATURES,
        "battery": 77,
        "seed": "tests",
        "model_prefix": "S31",
    }
    options.update(kwargs)
    return SimulatedLock(mac, **options)  # type: ignore[arg-type]


def keys_of(lock: SimulatedLock, *, admin: bool = True, **extra: object) -> LockKeys:
    """The client's key material for ``lock`` (send header: scene of the lock, E2)."""
    assert lock.aes_key is not None
    return LockKeys(
        aes_key=lock.aes_key,
        unlock_key=lock.unlock_key,
        admin_ps=lock.admin_ps if admin else None,
        lock_flag_pos=lock.lock_flag_pos,
        header=ProtocolHeader(5, 3, lock.header.scene, 1, 1),
        mac=lock.address,
        **extra,  # type: ignore[arg-type]
    )


def device_of(lock: SimulatedLock) -> BLEDevice:
    """A BLEDevice as any scanner would report it (details without a BlueZ ``path``)."""
    return BLEDevice(lock.address, lock.local_name, {"source": "virtual"})


async def open_link(
    air: VirtualAir, lock: SimulatedLock, *, response: bool = False, **kwargs: object
) -> SimLink:
    """Connect the way the integration will: establish_connection with the cached-services
    client, the class read at call time (recipe pitfall 7), the virtual backend."""
    return await connect(
        bleak_retry_connector.BleakClientWithServiceCache,
        device_of(lock),
        backend=VirtualClient.bind(air),
        response=response,
        **kwargs,  # type: ignore[arg-type]
    )
