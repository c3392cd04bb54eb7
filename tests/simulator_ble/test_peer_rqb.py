"""Peer oracle: roquerodrigo's ``ttlock-ble`` (PyPI 0.3.2) ``TTLockClient`` against the lock.

RQB has no backend parameter: its transport imports ``BleakClientWithServiceCache`` at module
import and calls ``establish_connection`` with it. It is pointed at the simulated lock the way
it runs in production (ha-ttlock-ble): inside Home Assistant, imported after the bluetooth
integration swapped in HA's client class, given the ``BLEDevice`` HA found through the
virtual proxy. Nothing of RQB is patched. (Imported inside the tests for that reason.)

Errata §2 / E1–E18 are what this exercises: BCD CHECK_USER_TIME (E4), admin login before
every settings command (E1), one record per reply with nextSeq 0 (E6), the fingerprint list
format (E18), auto-lock limits (E8), device properties with step 5/6 (E12), pushes (§5.11).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import bleak_retry_connector
import pytest
from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant
from sim_ble_helpers import ADMIN_CODE, ADMIN_PS, AES_KEY, UNLOCK_KEY, make_lock

from simulator.ble import SimulatedLock, VirtualAir
from simulator.ble.ha import async_register_virtual_proxy
from simulator.ble.lock import StoredCredential

pytestmark = pytest.mark.usefixtures("enable_bluetooth", "enable_custom_integrations")

NOW = datetime(2026, 11, 22, 10, 30, 0)


def _rqb() -> Any:
    """Import ttlock_ble now (after HA's bluetooth set up) and check it bound HA's class."""
    rqb = pytest.importorskip("ttlock_ble")
    transport = importlib.import_module("ttlock_ble.ble.transport")
    bound = transport.BleakClientWithServiceCache
    if bound is not bleak_retry_connector.BleakClientWithServiceCache:
        pytest.skip("ttlock_ble was imported before Home Assistant's bluetooth was set up")
    return rqb


def _virtual_key(rqb: Any, lock: SimulatedLock, *, uid: int = 8123456) -> Any:
    from ttlock_ble.models import LockVersion, VirtualKey

    version = LockVersion(protocolType=5, protocolVersion=3, scene=2, groupId=1, orgId=1)
    return VirtualKey(
        keyId=1,
        lockId=1,
        lockMac=lock.address,
        lockAlias="Sim",
        lockName=lock.local_name or "",
        lockVersion=version,
        aesKeyStr=",".join(f"{byte:02x}" for byte in AES_KEY),
        unlockKey=str(UNLOCK_KEY),
        lockFlagPos=0,
        timezoneRawOffSet=0,
        userType="110301",
        adminPs=str(ADMIN_PS),
        uid=uid,
    )


@pytest.fixture
async def rqb_lock(hass: HomeAssistant) -> AsyncIterator[SimulatedLock]:
    air = VirtualAir()
    lock = air.add(make_lock(clock=lambda: NOW))
    _scanner, remove = async_register_virtual_proxy(hass, air)
    yield lock
    remove()


async def _client(hass: HomeAssistant, lock: SimulatedLock, **kwargs: Any) -> Any:
    rqb = _rqb()
    device = bluetooth.async_ble_device_from_address(hass, lock.address, True)
    assert device is not None
    client = rqb.TTLockClient.from_ble_device(
        device, _virtual_key(rqb, lock, **kwargs), keep_alive_after_command=0
    )
    await client.connect()
    return client


async def test_rqb_unlock_lock_state_and_log(hass: HomeAssistant, rqb_lock: SimulatedLock) -> None:
    client = await _client(hass, rqb_lock)
    try:
        state, battery = await client.query_state()
        assert (int(state), battery) == (0, 77)
        await client.unlock()
        assert not rqb_lock.locked
        assert int((await client.query_state())[0]) == 1
        await client.lock()
        assert rqb_lock.locked
        entries = await client.get_operation_log()
        # RQB's CHECK_USER_TIME always carries uid 0 (its unlock path passes none)
        assert [(e.record_type, e.uid) for e in entries] == [(1, 0), (26, 0)]
        assert await client.get_operation_log() == []  # bookmark moved (cursor 0xFFFF)
    finally:
        await client.disconnect()


async def test_rqb_clock(hass: HomeAssistant, rqb_lock: SimulatedLock) -> None:
    client = await _client(hass, rqb_lock)
    try:
        assert await client.get_lock_time() == NOW
        await client.calibrate_time(datetime(2027, 2, 3, 4, 5, 6))
        assert rqb_lock.now() == datetime(2027, 2, 3, 4, 5, 6)
        drift = await client.sync_time(local_time=NOW)
        assert drift > 0
        assert rqb_lock.now() == NOW
    finally:
        await client.disconnect()


async def test_rqb_passcodes(hass: HomeAssistant, rqb_lock: SimulatedLock) -> None:
    from ttlock_ble.constants import KeyboardPwdType

    client = await _client(hass, rqb_lock)
    try:
        assert await client.get_passcodes() == []
        await client.add_passcode("2468")
        await client.add_passcode(
            "13579",
            pwd_type=KeyboardPwdType.PERIOD,
            start_date="2611010000",
            end_date="2612312359",
        )
        listed = await client.get_passcodes()
        assert [(p.passcode, int(p.pwd_type)) for p in listed] == [("2468", 1), ("13579", 3)]
        assert listed[1].end_date == datetime(2026, 12, 31, 23, 59)
        await client.delete_passcode("2468")
        assert list(rqb_lock.passcodes) == ["13579"]
        await client.clear_passcodes()
        assert rqb_lock.passcodes == {}
    finally:
        await client.disconnect()


async def test_rqb_settings_and_properties(hass: HomeAssistant, rqb_lock: SimulatedLock) -> None:
    client = await _client(hass, rqb_lock)
    try:
        assert await client.get_auto_lock_time() == 0
        await client.set_auto_lock_time(30)
        assert await client.get_auto_lock_time() == 30
        limits = await client.get_auto_lock_limits()
        assert (limits.min_allowed, limits.max_allowed) == (1, 900)
        sound = await client.get_lock_sound()
        assert (sound.enabled, int(sound.volume)) == (True, 3)
        await client.set_lock_sound(enabled=False)
        assert not rqb_lock.sound_on
        await client.set_lock_volume(4)
        assert (rqb_lock.sound_on, rqb_lock.volume) == (True, 4)
        features = await client.get_device_features()
        assert features.battery == 77
        assert all(features.supports(bit) for bit in rqb_lock.features)
        props = await client.get_device_properties()
        assert (props.model_variant, props.firmware_version) == (
            rqb_lock.model,
            rqb_lock.firmware_revision,
        )
        assert props.mac_address == rqb_lock.address
        assert props.clock_time == NOW
        info = await client.get_device_info()  # the standard Device Information Service
        assert (info.manufacturer, info.model) == ("TTLock", rqb_lock.model)
    finally:
        await client.disconnect()


async def test_rqb_fingerprints_and_push_events(
    hass: HomeAssistant, rqb_lock: SimulatedLock
) -> None:
    rqb_lock.fingerprints[0x1234_5678_0001] = StoredCredential(
        bytes((0, 1, 1, 0, 0)), bytes((99, 1, 1, 0, 0))
    )
    client = await _client(hass, rqb_lock)
    events: list[Any] = []
    client.add_event_listener(events.append)
    try:
        [entry] = await client.get_fingerprints()
        assert (entry.fingerprint_id, entry.slot) == (bytes.fromhex("12345678"), 1)
        assert (entry.start_date, entry.end_date) == (None, None)  # E18 permanent sentinels
        assert rqb_lock.enter_code("55" + ADMIN_CODE)
        for _ in range(100):
            if events:
                break
            await asyncio.sleep(0)
        [event] = events
        assert (event.cmd_echo, event.battery, int(event.lock_state)) == (0x14, 77, 1)
    finally:
        await client.disconnect()
