"""The ``ttlock_sim`` develop hook: cloud + virtual proxy from one world, inside HA.

HA's loader only finds custom integrations in the repository's ``custom_components`` (one
folder, HACS rule), so the hook module is imported directly and its ``async_setup`` called
the way HA would, after ``bluetooth`` is set up (its manifest dependency).
"""

from __future__ import annotations

import dataclasses
import importlib
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import bleak_retry_connector
import pytest
from homeassistant.components import bluetooth
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from sim_ble_driver import SimLink
from sim_ble_helpers import open_link

from custom_components.ttlock_access.ble import native_passcode_table
from custom_components.ttlock_access.sdk.ble import (
    DeviceKind,
    LockKeys,
    Pair,
    ProtocolHeader,
    Unlock,
    parse_advertisement,
    parse_lock_data,
)

pytestmark = pytest.mark.usefixtures("enable_bluetooth", "enable_custom_integrations")

hook = importlib.import_module("simulator.ha_dev.ttlock_sim")
BACK_DOOR = 5001103


async def _connect(hass: HomeAssistant, address: str) -> SimLink:
    device = bluetooth.async_ble_device_from_address(hass, address, True)
    assert device is not None
    link = SimLink(client=None)  # type: ignore[arg-type]
    link.client = await bleak_retry_connector.establish_connection(
        bleak_retry_connector.BleakClientWithServiceCache, device, "sim", link.disconnected
    )
    return link


@pytest.mark.usefixtures("socket_enabled")
async def test_dev_hook_runs_cloud_and_proxy_from_one_world(hass: HomeAssistant) -> None:
    config = hook.CONFIG_SCHEMA({"ttlock_sim": {"scenario": "home", "port": 0, "state_file": ""}})
    assert await hook.async_setup(hass, config)
    runtime = hass.data["ttlock_sim"]
    try:
        world = runtime.world
        assert sorted(lock.local_name for lock in runtime.locks) == [
            "M201_4e297c",  # Back Door (Bluetooth only)
            "S31_015e00",  # the factory-fresh lock
            "S31_d35b91",  # Front Door
            "TTLift_2d9053",  # Building Lift
        ]
        [gateway] = runtime.gateways  # one unconfigured G2 in set-up mode
        assert (gateway.local_name, gateway.configured) == ("G2_01705e", False)
        info = bluetooth.async_last_service_info(hass, gateway.address, True)
        assert info is not None
        advert = parse_advertisement(info.manufacturer_data, address=info.address)
        assert advert is not None and advert.kind is DeviceKind.GATEWAY_G2
        assert sorted(lock_id for lock_id, _rssi in gateway.nearby_locks) == [
            5001101,
            5001103,
            5003301,
        ]
        fresh = next(lock for lock in runtime.locks if lock.setting_mode)
        back = next(lock for lock in runtime.locks if lock.address == "D1:58:B6:7C:29:4E")
        assert bluetooth.async_ble_device_from_address(hass, fresh.address, True) is not None

        # Bluetooth unlock of "Back Door" with the cloud's own lockData → the cloud sees it
        async with aiohttp.ClientSession() as session:
            url = f"{runtime.server.base_url}/sim/state"
            async with session.get(url) as response:
                assert response.status == 200
        keys = dataclasses.replace(parse_lock_data(world.locks[BACK_DOOR].lock_data), uid=8123456)
        link = await _connect(hass, back.address)
        await link.run(Unlock(keys, datetime.now()))
        await link.client.disconnect()
        assert world.locks[BACK_DOOR].state == 1
        assert world.records[BACK_DOOR][-1].record_type == 1

        # the factory-fresh lock pairs locally
        link = await _connect(hass, fresh.address)
        now = datetime.now()
        pair = Pair(ProtocolHeader(), now, passcode_table=native_passcode_table(now))
        result = await link.run(pair)
        await link.run(Unlock(result.keys(), datetime.now()))
        await link.client.disconnect()
        assert not fresh.setting_mode
    finally:
        hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
        await hass.async_block_till_done()
    assert runtime.stopped
    assert runtime.server.base_url is None


async def _pair(hass: HomeAssistant, address: str) -> LockKeys:
    link = await _connect(hass, address)
    now = datetime.now()
    result = await link.run(Pair(ProtocolHeader(), now, passcode_table=native_passcode_table(now)))
    await link.client.disconnect()
    return result.keys()


@pytest.mark.usefixtures("socket_enabled")
async def test_dev_hook_keeps_the_world_between_runs(hass: HomeAssistant, tmp_path: Path) -> None:
    """What a demo session changed — a passcode, a lock's state, the locally paired lock, the
    set-up gateway — is still there after Home Assistant restarts; the file is written
    periodically and on stop; an unusable file is set aside and the scenario starts afresh."""
    state_file = tmp_path / "ttlock_sim_world.pickle"
    config = hook.CONFIG_SCHEMA(
        {"ttlock_sim": {"scenario": "home", "port": 0, "state_file": str(state_file)}}
    )
    assert await hook.async_setup(hass, config)
    first = hass.data["ttlock_sim"]
    world = first.world
    fresh = next(lock for lock in first.locks if lock.setting_mode)
    keys = await _pair(hass, fresh.address)
    assert not fresh.setting_mode
    front = next(lock for lock in world.locks.values() if lock.lock_alias == "Front Door")
    world.set_lock_state(BACK_DOOR, 1)
    [setup_gateway] = first.gateways
    # as its Bluetooth set-up does: the gateway joins the account
    world.add_gateway(
        gateway_name="Porch", owner="demo@example.com", gateway_mac=setup_gateway.address
    )
    account = world.account_by_username("demo@example.com")
    token = world.login(
        world.apps["sim-client-id"], account.username, account.password_md5, account.region
    ).access_token  # what Home Assistant's config entry keeps
    now_ms = world.now_ms()
    # saved every save_interval seconds …
    assert not state_file.exists()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_file.exists()
    # … and on stop
    world.set_lock_state(front.lock_id, 1)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert first.stopped and state_file.exists()

    # the next run loads it
    assert await hook.async_setup(hass, config)
    second = hass.data["ttlock_sim"]
    try:
        again = second.world
        assert again is not world
        assert again.locks[BACK_DOOR].state == 1 and again.locks[front.lock_id].state == 1
        assert again.locks == world.locks and again.records == world.records
        assert token in again.tokens
        # the gateway set up last time is a world gateway, no longer in set-up mode
        assert second.gateways == []
        assert any(gw.gateway_name == "Porch" for gw in again.gateways.values())
        assert again.now_ms() >= now_ms
        # the locally paired lock kept the keys Home Assistant holds, and still opens with them
        paired = next(lock for lock in second.locks if lock.address == fresh.address)
        assert not paired.setting_mode and paired.aes_key == fresh.aes_key
        link = await open_link(second.air, paired)  # the air itself, not HA's cache
        await link.run(Unlock(keys, datetime.now()))
        await link.client.disconnect()
        assert not paired.locked
    finally:
        hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
        await hass.async_block_till_done()

    # a file this simulator cannot use: set aside, scenario afresh
    state_file.write_bytes(b"not a world")
    assert await hook.async_setup(hass, config)
    third = hass.data["ttlock_sim"]
    try:
        assert third.world.locks[BACK_DOOR].state == 0
        assert (tmp_path / "ttlock_sim_world.pickle.unusable").read_bytes() == b"not a world"
        assert any(lock.setting_mode for lock in third.locks)
        assert len(third.gateways) == 1
    finally:
        hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
        await hass.async_block_till_done()
