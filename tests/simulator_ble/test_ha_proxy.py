"""The Home Assistant path: VirtualProxyScanner registered with HA's bluetooth manager.

The integration's production path stays unpatched: ``async_ble_device_from_address`` →
``establish_connection(bleak_retry_connector.BleakClientWithServiceCache, …)`` (the attribute
read at call time, recipe pitfall 7) → HA's wrapper picks ``VirtualClient`` through the
proxy's connector. Every test removes the proxy (timers included) before it ends (pitfall 1).
"""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import AsyncIterator
from datetime import datetime

import bleak_retry_connector
import pytest
from habluetooth import get_manager
from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant
from homeassistant.generated.bluetooth import BLUETOOTH
from sim_ble_driver import SimLink
from sim_ble_helpers import FRESH_MAC, keys_of, make_lock

from custom_components.ttlock_access.sdk.ble import GetStatus, LockState, Unlock, is_ttlock
from simulator import load_scenario
from simulator.ble import Advertisement, SimulatedLock, VirtualAir
from simulator.ble.ha import async_register_virtual_proxy
from simulator.ble.scanner import DEFAULT_SOURCE, VirtualProxyScanner
from simulator.ble.world_link import lock_from_world

pytestmark = pytest.mark.usefixtures("enable_bluetooth", "enable_custom_integrations")

NOW = datetime(2026, 11, 22, 10, 30)


@pytest.fixture
def proxy_air() -> VirtualAir:
    air = VirtualAir()
    air.add(make_lock())
    air.add(SimulatedLock.factory_fresh(FRESH_MAC, seed="fresh"))
    return air


@pytest.fixture
async def proxy(hass: HomeAssistant, proxy_air: VirtualAir) -> AsyncIterator[VirtualProxyScanner]:
    scanner, remove = async_register_virtual_proxy(hass, proxy_air)
    yield scanner
    remove()


async def _connect(hass: HomeAssistant, address: str) -> SimLink:
    device = bluetooth.async_ble_device_from_address(hass, address, True)
    assert device is not None
    link = SimLink(client=None)  # type: ignore[arg-type]
    link.client = await bleak_retry_connector.establish_connection(
        bleak_retry_connector.BleakClientWithServiceCache,  # HA's class by now
        device,
        "simulated lock",
        link.disconnected,
    )
    return link


def _allocations(hass: HomeAssistant) -> tuple[int, int]:
    del hass
    [allocation] = get_manager().async_current_allocations(DEFAULT_SOURCE) or [None]
    assert allocation is not None
    return allocation.slots, allocation.free


async def test_unlock_through_the_virtual_proxy(
    hass: HomeAssistant, proxy: VirtualProxyScanner, proxy_air: VirtualAir
) -> None:
    lock = proxy_air.get("C0:FF:EE:19:10:01")
    assert isinstance(lock, SimulatedLock)
    device = bluetooth.async_ble_device_from_address(hass, lock.address, True)
    assert device is not None
    assert device.details["source"] == DEFAULT_SOURCE
    info = bluetooth.async_last_service_info(hass, lock.address, True)
    assert info is not None
    assert info.manufacturer_data == lock.advertisement().manufacturer_data
    assert is_ttlock(info.manufacturer_data, info.service_uuids)
    assert _allocations(hass) == (2, 2)

    link = await _connect(hass, lock.address)
    assert type(link.client).__name__ == "HaBleakClientWithServiceCache"
    assert type(link.client._backend).__name__ == "VirtualClient"
    assert _allocations(hass) == (2, 1)
    keys = keys_of(lock)
    await link.run(Unlock(keys, NOW))
    assert not lock.locked
    assert (await link.run(GetStatus(keys))).state is LockState.UNLOCKED
    # the state change re-advertises at once (scanner follows the air)
    info = bluetooth.async_last_service_info(hass, lock.address, True)
    assert info is not None
    assert info.manufacturer_data[0x0305][1] & 0x01
    await link.client.disconnect()
    assert _allocations(hass) == (2, 2)


async def test_peripheral_drop_reaches_the_consumer(
    hass: HomeAssistant, proxy: VirtualProxyScanner, proxy_air: VirtualAir
) -> None:
    lock = proxy_air.get("C0:FF:EE:19:10:01")
    assert lock is not None
    link = await _connect(hass, lock.address)
    lock.drop_link()
    assert await asyncio.wait_for(link._queue.get(), 1) is None  # consumer's callback fired
    assert not link.client.is_connected
    assert proxy.links == []


@pytest.mark.usefixtures("no_backoff")
async def test_slots_are_enforced(hass: HomeAssistant, proxy_air: VirtualAir) -> None:
    scanner, remove = async_register_virtual_proxy(hass, proxy_air, slots=1)
    try:
        first = await _connect(hass, "C0:FF:EE:19:10:01")
        with pytest.raises(bleak_retry_connector.BleakOutOfConnectionSlotsError):
            await _connect(hass, FRESH_MAC)
        await first.client.disconnect()
        second = await _connect(hass, FRESH_MAC)
        assert scanner.links == [FRESH_MAC]
        await second.client.disconnect()
    finally:
        remove()


async def test_advertisements_start_no_discovery_flow(
    hass: HomeAssistant, proxy: VirtualProxyScanner
) -> None:
    """Pitfall 8: no core HA matcher may claim the simulated locks' adverts."""
    await hass.async_block_till_done()
    assert hass.config_entries.flow.async_progress() == []


def _matches(matcher: dict[str, object], adv: Advertisement) -> bool:
    if "manufacturer_id" in matcher:
        data = adv.manufacturer_data.get(int(matcher["manufacturer_id"]))  # type: ignore[call-overload]
        if data is None:
            return False
        start = bytes(matcher.get("manufacturer_data_start", []))  # type: ignore[call-overload]
        if not data.startswith(start):
            return False
    if "service_uuid" in matcher and matcher["service_uuid"] not in adv.service_uuids:
        return False
    if "service_data_uuid" in matcher and matcher["service_data_uuid"] not in adv.service_data:
        return False
    if "local_name" in matcher:
        pattern = str(matcher["local_name"])
        if not adv.local_name or not fnmatch.fnmatchcase(adv.local_name, pattern):
            return False
    return any(
        key in matcher
        for key in ("manufacturer_id", "service_uuid", "local_name", "service_data_uuid")
    )


def test_no_core_matcher_matches_the_home_locks() -> None:
    world = load_scenario("home")
    locks = [lock_from_world(world, lock_id) for lock_id in world.locks]
    locks.append(SimulatedLock.factory_fresh(FRESH_MAC))
    for lock in locks:
        adv = lock.advertisement()
        assert is_ttlock(adv.manufacturer_data)  # TTLock's own parser sees a lock
        claimed = [m["domain"] for m in BLUETOOTH if _matches(dict(m), adv)]
        assert claimed == [], (lock.local_name, claimed)
