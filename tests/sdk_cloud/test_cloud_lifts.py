"""Lift controllers and power savers in the SDK: TTHotel's ``lock/list`` with ``type`` 2 / 3
(docs/cloud.md §2.8), paged like the locks, and a power saver switched with ``lock/unlock`` /
``lock/lock``, against the simulated cloud."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.ttlock_access.sdk.ble import parse_lock_data
from custom_components.ttlock_access.sdk.cloud import TTLockCloud, md5_password
from custom_components.ttlock_access.sdk.cloud import client as client_module
from custom_components.ttlock_access.sdk.cloud import errors as E
from simulator import World

CLIENT = {"client_id": "sim-client-id", "client_secret": "sim-client-secret"}
USER, PASSWORD = "demo@example.com", "demo-password"
LIFT, POWER_SAVER, HALLWAY_GATEWAY = 5003301, 5003401, 301001


async def _client(world_server: tuple[World, str], session: aiohttp.ClientSession) -> TTLockCloud:
    _world, base_url = world_server
    client = TTLockCloud(session, base_url=base_url, **CLIENT)
    await client.login(USER, md5_password(PASSWORD))
    return client


async def test_lifts_and_power_savers_are_listed_apart_from_the_locks(
    world_server: tuple[World, str], session: aiohttp.ClientSession
) -> None:
    """Each kind has its own list; the locks' list holds neither."""
    client = await _client(world_server, session)
    [lift] = await client.list_lifts()
    assert (lift.lock_id, lift.name, lift.mac) == (LIFT, "Building Lift", "CA:11:7E:53:90:2D")
    assert not lift.has_gateway
    [saver] = await client.list_power_savers()
    assert (saver.lock_id, saver.name, saver.has_gateway) == (POWER_SAVER, "Guest Room Power", True)
    locks = {lock.lock_id for lock in await client.list_locks()}
    assert LIFT not in locks and POWER_SAVER not in locks


async def test_their_key_material_comes_from_lock_data_like_a_lock(
    world_server: tuple[World, str], session: aiohttp.ClientSession
) -> None:
    """lockData parses to Bluetooth keys with the device's own scene (12 lift, 13 saver)."""
    client = await _client(world_server, session)
    [lift] = await client.list_lifts()
    [saver] = await client.list_power_savers()
    lift_keys, saver_keys = parse_lock_data(lift.lock_data), parse_lock_data(saver.lock_data)
    assert lift_keys.is_admin and saver_keys.is_admin
    assert (lift_keys.header.scene, saver_keys.header.scene) == (12, 13)
    assert "lock_data" not in repr(lift)  # a secret: kept out of the repr


async def test_lists_are_paged(
    world_server: tuple[World, str],
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Paged like lock/list: every page is read."""
    world, _base_url = world_server
    world.add_lock(
        lock_alias="Service Lift", admin=USER, features=(1, 19), lock_type=2, lift_floors=[1, 2]
    )
    world.add_lock(lock_alias="Room 2 Power", admin=USER, features=(19,), lock_type=3)
    monkeypatch.setattr(client_module, "LOCK_LIST_PAGE_SIZE", 1)
    client = await _client(world_server, session)
    before = world.endpoint_usage(CLIENT["client_id"]).get("lock/list", 0)
    lifts = await client.list_lifts()
    savers = await client.list_power_savers()
    assert [lift.name for lift in lifts] == ["Building Lift", "Service Lift"]
    assert [saver.name for saver in savers] == ["Guest Room Power", "Room 2 Power"]
    assert world.endpoint_usage(CLIENT["client_id"])["lock/list"] - before == 4


async def test_a_power_saver_switches_with_unlock_and_lock(
    world_server: tuple[World, str], session: aiohttp.ClientSession
) -> None:
    """lock/unlock on a power saver's id switches its supply on, lock/lock off."""
    world, _base_url = world_server
    client = await _client(world_server, session)
    assert not world.locks[POWER_SAVER].power_on
    await client.unlock(POWER_SAVER)
    assert world.locks[POWER_SAVER].power_on
    await client.lock(POWER_SAVER)
    assert not world.locks[POWER_SAVER].power_on


async def test_a_power_saver_behind_an_offline_gateway(
    world_server: tuple[World, str], session: aiohttp.ClientSession
) -> None:
    """Its gateway offline: the typed error, and the supply stays as it was."""
    world, _base_url = world_server
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    client = await _client(world_server, session)
    with pytest.raises(E.GatewayOfflineError):
        await client.unlock(POWER_SAVER)
    assert not world.locks[POWER_SAVER].power_on


async def test_an_account_without_them_lists_nothing(
    world_server: tuple[World, str], session: aiohttp.ClientSession
) -> None:
    """The second account has no TTHotel devices: empty lists, no error."""
    _world, base_url = world_server
    client = TTLockCloud(session, base_url=base_url, **CLIENT)
    await client.login("second@example.com", md5_password("second-password"))
    assert await client.list_lifts() == []
    assert await client.list_power_savers() == []
