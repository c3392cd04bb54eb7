"""lock_from_world: one truth for the simulated cloud and the simulated BLE lock."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime

import aiohttp
import pytest
from sim_ble_helpers import open_link

from custom_components.ttlock_access.sdk.ble import (
    ActivateLiftFloors,
    GetDeviceInfo,
    GetStatus,
    Lock,
    LockState,
    Unlock,
    parse_advertisement,
    parse_lock_data,
)
from simulator import CloudServer, World, load_scenario
from simulator.ble import SimulatedLock, VirtualAir
from simulator.ble.lock import StoredCredential
from simulator.ble.world_link import lock_from_world
from simulator.directory import md5_hex

FRONT_DOOR = 5001101
BACK_DOOR = 5001103
LIFT = 5003301
DEMO_UID = 8123456
FROZEN_MS = 1_795_000_000_000  # 2026-11-18 11:06:40 UTC
LOCK_NOW = datetime(2026, 11, 18, 12, 6, 40)
"""The lock's wall time then: the world clock + timezoneRawOffset (1 h; ``docs/ble.md`` §5.0)."""


@pytest.fixture
def world() -> World:
    world = load_scenario("home")
    world.clock.freeze(FROZEN_MS)
    return world


@pytest.fixture
def back_door(world: World, air: VirtualAir) -> SimulatedLock:
    return air.add(lock_from_world(world, BACK_DOOR))


def cloud_keys(world: World, lock_id: int, uid: int = DEMO_UID):  # type: ignore[no-untyped-def]
    """Key material as the integration gets it: the cloud's lockData."""
    return dataclasses.replace(parse_lock_data(world.locks[lock_id].lock_data), uid=uid)


def test_lock_is_built_from_the_world(world: World, back_door: SimulatedLock) -> None:
    source = world.locks[BACK_DOOR]
    assert back_door.address == source.lock_mac
    assert back_door.local_name == source.lock_name
    assert back_door.aes_key == source.keys.aes_key
    assert back_door.admin_code == source.keys.no_key_pwd
    assert back_door.battery == source.electric_quantity == 41
    assert back_door.features == source.features
    assert back_door.auto_lock_seconds == 5
    assert back_door.password_table is not None
    assert back_door.password_table[0] == 25  # pairing year 2025
    assert not back_door.setting_mode
    # lock wall time = world time + timezoneRawOffset (``docs/ble.md`` §5.0)
    assert back_door.now() == LOCK_NOW
    parsed = parse_advertisement(back_door.advertisement().manufacturer_data)
    assert parsed is not None
    assert (parsed.mac, parsed.battery, parsed.unlocked) == (source.lock_mac, 41, False)


async def test_ble_unlock_and_lock_reach_the_cloud(
    world: World, air: VirtualAir, back_door: SimulatedLock
) -> None:
    keys = cloud_keys(world, BACK_DOOR)
    before = len(world.records[BACK_DOOR])
    link = await open_link(air, back_door)
    await link.run(Unlock(keys, LOCK_NOW))
    assert world.locks[BACK_DOOR].state == 1
    record = world.records[BACK_DOOR][-1]
    assert (record.record_type, record.record_type_from_lock, record.success) == (1, 1, 1)
    assert (record.username, record.uid) == ("demo@example.com", DEMO_UID)
    assert record.lock_date == FROZEN_MS
    await link.run(Lock(keys, LOCK_NOW))
    assert world.locks[BACK_DOOR].state == 0
    assert [
        (r.record_type, r.record_type_from_lock) for r in world.records[BACK_DOOR][before:]
    ] == [
        (1, 1),
        (11, 26),
    ]
    await link.client.disconnect()


def test_keypad_card_and_finger_records_reach_the_cloud(
    world: World, back_door: SimulatedLock
) -> None:
    code = world.locks[BACK_DOOR].keys.no_key_pwd
    assert back_door.enter_code(code)
    assert back_door.enter_code("0000") is False
    back_door.cards[3661413478] = StoredCredential()
    assert back_door.present_card(3661413478)
    assert not back_door.place_finger(77)
    uploaded = [
        (r.record_type, r.record_type_from_lock, r.success, r.keyboard_pwd)
        for r in world.records[BACK_DOOR][-4:]
    ]
    assert uploaded == [
        (4, 4, 1, code),
        (4, 7, 0, "0000"),
        (7, 17, 1, "3661413478"),
        (8, 22, 0, "77"),
    ]
    assert world.locks[BACK_DOOR].state == 1


async def test_cloud_changes_reach_the_lock(world: World, back_door: SimulatedLock) -> None:
    account = world.accounts[DEMO_UID]
    front = lock_from_world(world, FRONT_DOOR)
    world.remote_unlock(world.locks[FRONT_DOOR], account)  # through the Hallway Gateway
    assert not front.locked
    assert [(r.kind, r.uid) for r in front.log] == [(28, DEMO_UID)]  # gateway unlock, locally
    assert len(world.records[FRONT_DOOR]) == 10  # and nothing uploaded twice
    world.set_battery(BACK_DOOR, 20)
    world.set_lock_state(BACK_DOOR, 1)
    back_door.tick()
    assert (back_door.battery, back_door.locked) == (20, False)
    back_door.set_battery(15)
    assert world.locks[BACK_DOOR].electric_quantity == 15
    front.world_link.detach()
    world.remote_lock(world.locks[FRONT_DOOR], account)
    assert not front.locked  # no longer mirrored


async def test_auto_lock_follows_the_world_clock(world: World, back_door: SimulatedLock) -> None:
    back_door.enter_code(world.locks[BACK_DOOR].keys.no_key_pwd)
    assert world.locks[BACK_DOOR].state == 1
    world.clock.advance(6)  # auto-lock 5 s
    back_door.tick()
    assert back_door.locked
    assert world.refresh_state(world.locks[BACK_DOOR]).state == 0


async def test_lift_from_the_world(world: World, air: VirtualAir) -> None:
    lift = air.add(lock_from_world(world, LIFT))
    assert lift.header.scene == 12
    assert lift.lift_floors == set(range(1, 11))
    keys = cloud_keys(world, LIFT)
    assert keys.header.scene == 12
    link = await open_link(air, lift)
    await link.run(ActivateLiftFloors(keys, [4, 9], LOCK_NOW))
    assert lift.lift_activations == [(4, 9)]
    info = await link.run(GetDeviceInfo(keys))
    assert info.model == world.locks[LIFT].model_num
    await link.client.disconnect()


@pytest.fixture
async def cloud(world: World, socket_enabled: None) -> AsyncIterator[str]:
    server = CloudServer(world)
    base_url = await server.start("127.0.0.1", 0)
    yield base_url
    await server.stop()


async def test_ble_unlock_is_in_lock_record_list(
    world: World, air: VirtualAir, back_door: SimulatedLock, cloud: str
) -> None:
    """lockRecord/list shows the BLE unlock, as a real lock's (app or gateway) upload would."""
    world.clock.unfreeze()
    link = await open_link(air, back_door)
    await link.run(Unlock(cloud_keys(world, BACK_DOOR), datetime.now()))
    assert (await link.run(GetStatus(cloud_keys(world, BACK_DOOR)))).state is LockState.UNLOCKED
    await link.client.disconnect()
    async with aiohttp.ClientSession() as session:
        token = await _login(session, cloud)
        params = {
            "clientId": "sim-client-id",
            "accessToken": token,
            "lockId": str(BACK_DOOR),
            "pageNo": "1",
            "pageSize": "20",
            "date": str(world.now_ms()),
        }
        async with session.get(f"{cloud}/v3/lockRecord/list", params=params) as response:
            body = await response.json()
    newest = body["list"][0]
    assert (newest["recordType"], newest["recordTypeFromLock"], newest["username"]) == (
        1,
        1,
        "demo@example.com",
    )
    assert world.locks[BACK_DOOR].state == 1  # a Bluetooth-only lock: no queryOpenState


async def _login(session: aiohttp.ClientSession, base_url: str) -> str:
    form = {
        "clientId": "sim-client-id",
        "clientSecret": "sim-client-secret",
        "username": "demo@example.com",
        "password": md5_hex("demo-password"),
    }
    async with session.post(f"{base_url}/oauth2/token", data=form) as response:
        body = await response.json()
    return str(body["access_token"])
