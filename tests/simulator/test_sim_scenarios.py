"""Scenario loading, the scale generator and paging over 1,000 locks (``docs/cloud.md`` §3.2)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sim_helpers import CloudClient

from simulator import CloudServer, World, list_scenarios, load_scenario
from simulator.directory import is_md5_hex
from simulator.lockdata import decode_credential, decode_lock_data, feature_bits

MAC_RE = re.compile(r"^([0-9A-F]{2}:){5}[0-9A-F]{2}$")


def test_list_scenarios() -> None:
    assert {"home", "scale"} <= set(list_scenarios())


def test_home_scenario_contents(world: World) -> None:
    demo = world.account_by_username("demo@example.com")
    assert demo is not None
    assert demo.password_md5 == hashlib.md5(b"demo-password").hexdigest()
    assert is_md5_hex(demo.password_md5)
    assert world.account_by_username("second@example.com") is not None
    app = world.apps["sim-client-id"]
    assert (app.client_secret, app.region) == ("sim-client-secret", "eu")
    locks = {lock.lock_alias: lock for lock in world.locks_of(demo.uid)}
    assert set(locks) == {"Front Door", "Garage", "Back Door"}
    hallway = next(g for g in world.gateways.values() if g.gateway_name == "Hallway Gateway")
    assert hallway.gateway_version == 2
    assert hallway.is_online
    assert world.has_gateway(locks["Front Door"])
    assert locks["Garage"].is_wifi
    assert 56 in feature_bits(locks["Garage"].feature_value)
    assert not world.has_gateway(locks["Back Door"])
    assert not locks["Back Door"].is_wifi
    assert len(world.lifts) == 1
    assert world.lifts[0].lock_version.scene == 12
    assert len(world.electric_meters) == 2
    assert len(world.water_meters) == 1
    assert sum(len(records) for records in world.records.values()) >= 10
    for lock in world.locks.values():
        assert MAC_RE.match(lock.lock_mac)
        assert lock.feature_value == lock.feature_value.upper()


def test_home_key_material_is_deterministic() -> None:
    first, second = load_scenario("home"), load_scenario("home")
    for lock_id, lock in first.locks.items():
        other = second.locks[lock_id]
        assert lock.keys == other.keys
        assert lock.lock_data == other.lock_data  # init dates are fixed in the file
        data = decode_lock_data(lock.lock_data)
        assert decode_credential(data["adminPwd"]) == lock.keys.admin_ps
        assert data["lockVersion"] == lock.lock_version.to_json()


def test_scale_scenario_is_deterministic_and_sized() -> None:
    first = load_scenario("scale")
    second = load_scenario("scale")
    assert len(first.locks) == 1000
    assert len(first.gateways) == 100
    assert [lock.lock_mac for lock in first.locks.values()] == [
        lock.lock_mac for lock in second.locks.values()
    ]
    assert [lock.keys.aes_key for lock in first.locks.values()] == [
        lock.keys.aes_key for lock in second.locks.values()
    ]
    macs = [lock.lock_mac for lock in first.locks.values()]
    macs += [gateway.gateway_mac for gateway in first.gateways.values()]
    assert len(set(macs)) == len(macs)
    assert all(MAC_RE.match(mac) for mac in macs)
    wifi = sum(lock.is_wifi for lock in first.locks.values())
    bluetooth_only = sum(
        not lock.is_wifi and not first.has_gateway(lock) for lock in first.locks.values()
    )
    assert (wifi, bluetooth_only) == (100, 100)
    assert sum(not gateway.is_online for gateway in first.gateways.values()) == 5
    assert sum(len(records) for records in first.records.values()) == 2000


def test_load_by_path_and_unknown(tmp_path: Path) -> None:
    scenario: dict[str, Any] = {
        "seed": "tiny",
        "accounts": [{"username": "a@example.com", "password": "pw"}],
        "apps": [{"clientId": "c", "clientSecret": "s"}],
        "locks": [{"lockId": 1, "lockAlias": "Door", "admin": "a@example.com", "features": [0]}],
    }
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(scenario))
    world = load_scenario(path, gateway_latency_s=0.5)
    assert world.gateway_latency_s == 0.5
    assert world.locks[1].lock_name.startswith("S31_")
    with pytest.raises(FileNotFoundError):
        load_scenario("does-not-exist")
    scenario["locks"][0]["colour"] = "red"
    path.write_text(json.dumps(scenario))
    with pytest.raises(ValueError, match="colour"):
        load_scenario(path)


def test_door_sensors_in_scenarios(world: World, tmp_path: Path) -> None:
    """The home scenario's standalone DS3 (closed, door-not-closed alarm after 120 s, the
    demo account's); a scenario's sensor may start open, and unknown attributes are refused."""
    [patio] = world.door_sensors.values()
    demo = world.account_by_username("demo@example.com")
    assert demo is not None
    assert (patio.door_sensor_id, patio.name, patio.owner_uid) == (9001, "Patio Door", demo.uid)
    assert MAC_RE.match(patio.mac)
    assert (patio.is_open, patio.not_closed_alert_s, patio.not_opened_alert_days) == (
        False,
        120,
        None,
    )
    assert patio.alarm_due_ms is None
    scenario: dict[str, Any] = {
        "accounts": [{"username": "a@example.com", "password": "pw"}],
        "doorSensors": [
            {"name": "Shed", "owner": "a@example.com", "doorSensorState": 1,
             "notCloseAlertSecondNum": 30},
        ],
    }  # fmt: skip
    path = tmp_path / "sensors.json"
    path.write_text(json.dumps(scenario))
    [shed] = load_scenario(path).door_sensors.values()
    assert shed.is_open
    assert shed.alarm_due_ms == shed.changed_ms + 30_000  # armed for the open door
    scenario["doorSensors"][0]["lockId"] = 1
    path.write_text(json.dumps(scenario))
    with pytest.raises(ValueError, match="lockId"):
        load_scenario(path)


# --- paging over the scale scenario -------------------------------------------------------


@pytest.fixture(scope="module")
def scale_world() -> World:
    return load_scenario("scale")


@pytest.fixture
async def scale(scale_world: World) -> AsyncIterator[CloudClient]:
    async with CloudServer(scale_world) as server, aiohttp.ClientSession() as session:
        assert server.base_url is not None
        client = CloudClient(session, server.base_url, scale_world)
        await client.login("scale@example.com", "scale-password")
        yield client


async def test_scale_one_page_of_1000(scale: CloudClient) -> None:
    body = await scale.call("lock/list", pageNo=1, pageSize=1000)
    assert (body["total"], body["pages"], len(body["list"])) == (1000, 1, 1000)
    assert len({item["lockId"] for item in body["list"]}) == 1000
    assert (await scale.call("lock/list", pageNo=2, pageSize=1000))["list"] == []
    assert (await scale.call("lock/list", pageNo=1, pageSize=1001))["errcode"] == -3


@pytest.mark.parametrize(("page_size", "pages", "last"), [(200, 5, 200), (333, 4, 1), (999, 2, 1)])
async def test_scale_page_boundaries(
    scale: CloudClient, page_size: int, pages: int, last: int
) -> None:
    seen: list[int] = []
    for page in range(1, pages + 1):
        body = await scale.call("lock/list", pageNo=page, pageSize=page_size)
        assert body["pages"] == pages
        assert body["total"] == 1000
        expected = last if page == pages else page_size
        assert len(body["list"]) == expected
        seen += [item["lockId"] for item in body["list"]]
    assert len(seen) == len(set(seen)) == 1000


async def test_scale_gateways(scale: CloudClient) -> None:
    body = await scale.call("gateway/list", pageNo=1, pageSize=200)
    assert body["total"] == 100
    assert len(body["list"]) == 100
    assert sum(item["lockNum"] for item in body["list"]) >= 800
    halves = [await scale.call("gateway/list", pageNo=p, pageSize=50) for p in (1, 2)]
    assert [len(h["list"]) for h in halves] == [50, 50]


# --- python -m simulator ----------------------------------------------------------------------


async def test_standalone_entry_point() -> None:
    root = Path(__file__).resolve().parents[2]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "simulator", "--scenario", "home", "--port", "0",
        "--gateway-latency", "0",
        cwd=root,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        match = re.search(r"at (http://127\.0\.0\.1:\d+)", first)
        assert match, first
        rest = b""
        while b"controls under /sim/" not in rest:
            rest += await asyncio.wait_for(process.stdout.readline(), 10)
        text = rest.decode()
        assert "sim-client-id" in text
        assert "sim-client-secret" in text
        assert "demo@example.com / demo-password" in text
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{match.group(1)}/sim/state") as response,
        ):
            assert response.status == 200
            assert len((await response.json())["locks"]) == 6
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 10) == 0
