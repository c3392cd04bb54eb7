"""Lock endpoints, gateway relaying and their errcodes (``docs/cloud.md`` §2.1, §2.6, §3.1)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sim_helpers import (
    BACK_DOOR,
    DEMO_USER,
    FRONT_DOOR,
    GARAGE,
    HALLWAY_GATEWAY,
    LIFT,
    OFFICE_DOOR,
    CloudClient,
)

from simulator import World
from simulator.lockdata import decode_credential, decode_lock_data, feature_bits

LIST_FIELDS = {
    "lockId", "lockName", "lockAlias", "lockMac", "electricQuantity", "featureValue",
    "hasGateway", "lockData", "groupId", "groupName", "date", "electricQuantityUpdateDate",
    "bindDate",
}  # fmt: skip


async def test_lock_list(demo: CloudClient, world: World) -> None:
    body = await demo.call("lock/list", pageNo=1, pageSize=20)
    assert {k: body[k] for k in ("pageNo", "pageSize", "pages", "total")} == {
        "pageNo": 1, "pageSize": 20, "pages": 1, "total": 3,
    }  # fmt: skip
    by_alias = {item["lockAlias"]: item for item in body["list"]}
    assert set(by_alias) == {"Front Door", "Garage", "Back Door"}
    for item in body["list"]:
        assert set(item) == LIST_FIELDS
        assert item["featureValue"] == item["featureValue"].upper()
        assert isinstance(item["lockId"], int)
    assert by_alias["Front Door"]["hasGateway"] == 1
    assert by_alias["Garage"]["hasGateway"] == 0
    assert 56 in feature_bits(by_alias["Garage"]["featureValue"])
    assert by_alias["Back Door"]["hasGateway"] == 0
    assert by_alias["Front Door"]["lockName"] == "S31_d35b91"


async def test_lock_list_lock_data_matches_detail(demo: CloudClient, world: World) -> None:
    listed = await demo.call("lock/list", pageNo=1, pageSize=20)
    for item in listed["list"]:
        detail = await demo.call("lock/detail", lockId=item["lockId"])
        data = decode_lock_data(item["lockData"])
        assert data["lockMac"] == item["lockMac"] == detail["lockMac"]
        for key in ("aesKeyStr", "adminPwd", "lockKey", "noKeyPwd", "lockVersion", "featureValue"):
            assert data[key] == detail[key], key
        lock = world.locks[item["lockId"]]
        assert decode_credential(data["adminPwd"]) == lock.keys.admin_ps
        assert decode_credential(data["lockKey"]) == lock.keys.unlock_key
        assert bytes(int(b, 16) for b in data["aesKeyStr"].split(",")) == lock.keys.aes_key


async def test_lock_list_filters(demo: CloudClient) -> None:
    body = await demo.call("lock/list", pageNo=1, pageSize=20, lockAlias="door")
    assert {item["lockAlias"] for item in body["list"]} == {"Front Door", "Back Door"}
    lifts = await demo.call("lock/list", pageNo=1, pageSize=20, type=2)
    assert [item["lockId"] for item in lifts["list"]] == [LIFT]
    assert decode_lock_data(lifts["list"][0]["lockData"])["lockVersion"]["scene"] == 12


async def test_lock_list_by_post_form(demo: CloudClient) -> None:
    body = await demo.call("lock/list", method="POST", pageNo=1, pageSize=2)
    assert len(body["list"]) == 2
    assert body["pages"] == 2


async def test_lock_list_only_own_locks(cloud: CloudClient) -> None:
    await cloud.login("second@example.com", "second-password")
    body = await cloud.call("lock/list", pageNo=1, pageSize=20)
    assert [item["lockId"] for item in body["list"]] == [OFFICE_DOOR]


@pytest.mark.parametrize(
    "params",
    [
        {"pageNo": 1, "pageSize": 1001},
        {"pageNo": 0, "pageSize": 20},
        {"pageNo": 1, "pageSize": 0},
        {"pageSize": 20},
        {"pageNo": 1},
        {"pageNo": "one", "pageSize": 20},
    ],
)
async def test_lock_list_invalid_paging(demo: CloudClient, params: dict[str, Any]) -> None:
    body = await demo.call("lock/list", **params)
    assert body["errcode"] == -3
    assert body["description"]


async def test_lock_detail(demo: CloudClient, world: World) -> None:
    detail = await demo.call("lock/detail", lockId=FRONT_DOOR)
    for key in (
        "noKeyPwd", "electricQuantity", "featureValue", "timezoneRawOffset", "modelNum",
        "hardwareRevision", "firmwareRevision", "autoLockTime", "lockSound", "soundVolume",
        "hasGateway", "privacyLock", "tamperAlert", "resetButton", "openDirection",
        "passageMode", "passageModeAutoUnlock", "adminPwd", "lockKey", "aesKeyStr",
        "deletePwd", "isFrozen", "specialValue", "displayPasscode", "keyboardPwdVersion",
        "lockFlagPos", "lockVersion", "doubleVerification", "wirelessKeypadFeatureValue",
        "lockUpdateDate",
    ):  # fmt: skip
        assert key in detail, key
    assert set(detail["lockVersion"]) == {
        "protocolType",
        "protocolVersion",
        "scene",
        "groupId",
        "orgId",
    }
    assert detail["noKeyPwd"] == world.locks[FRONT_DOOR].keys.no_key_pwd
    assert detail["autoLockTime"] == 15
    assert detail["specialValue"] == int(detail["featureValue"], 16) & 0xFFFFFFFF
    # unsupported settings are absent on the simple Back Door
    back = await demo.call("lock/detail", lockId=BACK_DOOR)
    assert "tamperAlert" not in back
    assert "soundVolume" not in back
    assert back["lockSound"] == 2


async def test_lock_detail_errors(demo: CloudClient) -> None:
    assert (await demo.call("lock/detail", lockId=999))["errcode"] == -1003
    assert (await demo.call("lock/detail", lockId=OFFICE_DOOR))["errcode"] == 20002
    assert (await demo.call("lock/detail"))["errcode"] == -3
    assert (await demo.call("lock/detail", lockId="abc"))["errcode"] == -3


async def test_query_open_state_with_door_sensor(demo: CloudClient, world: World) -> None:
    assert await demo.call("lock/queryOpenState", lockId=FRONT_DOOR) == {
        "state": 0,
        "sensorState": 1,
    }
    world.set_door(FRONT_DOOR, True)
    assert await demo.call("lock/queryOpenState", lockId=FRONT_DOOR) == {
        "state": 0,
        "sensorState": 0,
    }
    assert await demo.call("lock/queryOpenState", lockId=GARAGE) == {"state": 0}
    world.set_lock_state(GARAGE, 2)
    assert await demo.call("lock/queryOpenState", lockId=GARAGE) == {"state": 2}


async def test_unlock_and_lock_via_gateway(demo: CloudClient, world: World) -> None:
    before = len(world.records[FRONT_DOOR])
    body = await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR)
    assert body["errcode"] == 0
    assert set(body) == {"errcode", "errmsg", "description"}
    assert (await demo.call("lock/queryOpenState", lockId=FRONT_DOOR))["state"] == 1
    assert (await demo.call("lock/lock", method="POST", lockId=FRONT_DOOR))["errcode"] == 0
    assert (await demo.call("lock/queryOpenState", lockId=FRONT_DOOR))["state"] == 0
    new = world.records[FRONT_DOOR][before:]
    assert [(r.record_type, r.record_type_from_lock) for r in new] == [(12, 28), (11, 26)]
    assert all(r.username == DEMO_USER and r.lock_date <= r.server_date for r in new)
    records = await demo.call("lockRecord/list", lockId=FRONT_DOOR, pageNo=1, pageSize=2)
    assert [r["recordType"] for r in records["list"]] == [11, 12]


async def test_wifi_lock_goes_direct(demo: CloudClient, world: World) -> None:
    assert (await demo.call("lock/unlock", method="POST", lockId=GARAGE))["errcode"] == 0
    assert world.locks[GARAGE].state == 1
    world.set_wifi_online(GARAGE, False)
    assert (await demo.call("lock/lock", method="POST", lockId=GARAGE))["errcode"] == -3036
    assert (await demo.call("lock/queryOpenState", lockId=GARAGE))["errcode"] == -3036
    wifi = await demo.call("wifiLock/detail", lockId=GARAGE)
    assert wifi["isOnline"] == 0
    assert wifi["networkName"] == "HomeNet"
    assert (await demo.call("wifiLock/detail", lockId=FRONT_DOOR))["errcode"] == -4043


@pytest.mark.parametrize(
    "endpoint",
    ["lock/unlock", "lock/lock", "lock/queryOpenState", "lock/queryElectricQuantity"],
)
async def test_bluetooth_only_lock_has_no_gateway(demo: CloudClient, endpoint: str) -> None:
    method = "POST" if endpoint in ("lock/unlock", "lock/lock") else "GET"
    assert (await demo.call(endpoint, method=method, lockId=BACK_DOOR))["errcode"] == -2012


@pytest.mark.parametrize(
    "endpoint",
    ["lock/unlock", "lock/lock", "lock/queryOpenState", "lock/queryElectricQuantity"],
)
async def test_gateway_offline(demo: CloudClient, world: World, endpoint: str) -> None:
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    method = "POST" if endpoint in ("lock/unlock", "lock/lock") else "GET"
    assert (await demo.call(endpoint, method=method, lockId=FRONT_DOOR))["errcode"] == -3002


async def test_lock_out_of_gateway_range(demo: CloudClient, world: World) -> None:
    world.set_lock_in_range(FRONT_DOOR, HALLWAY_GATEWAY, False)
    assert (await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR))["errcode"] == -2012
    listed = await demo.call("lock/list", pageNo=1, pageSize=20)
    front = next(item for item in listed["list"] if item["lockId"] == FRONT_DOOR)
    assert front["hasGateway"] == 0
    world.set_lock_in_range(FRONT_DOOR, HALLWAY_GATEWAY, True, rssi=-80)
    assert (await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR))["errcode"] == 0


async def test_remote_unlock_switched_off(demo: CloudClient, world: World) -> None:
    world.set_remote_unlock(FRONT_DOOR, False)
    body = await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR)
    assert body["errcode"] == -4043
    assert "remote unlock" in body["description"].lower()
    # locking is not affected
    assert (await demo.call("lock/lock", method="POST", lockId=FRONT_DOOR))["errcode"] == 0


async def test_commands_need_admin(demo: CloudClient) -> None:
    assert (await demo.call("lock/unlock", method="POST", lockId=OFFICE_DOOR))["errcode"] == 20002
    assert (await demo.call("lock/unlock", method="POST", lockId=1))["errcode"] == -1003


async def test_commands_accept_get(demo: CloudClient, world: World) -> None:
    """Commands are accepted as GET too, as the real cloud does (JB sends lock/unlock as GET;
    docs/lock-settings.md §1)."""
    assert (await demo.call("lock/unlock", method="GET", lockId=FRONT_DOOR))["errcode"] == 0
    assert world.locks[FRONT_DOOR].state == 1
    assert (await demo.call("lock/lock", method="GET", lockId=FRONT_DOOR))["errcode"] == 0
    assert world.locks[FRONT_DOOR].state == 0


async def test_query_electric_quantity(demo: CloudClient, world: World) -> None:
    world.clock.freeze()
    world.set_battery(FRONT_DOOR, 37)
    world.clock.advance(60)
    assert await demo.call("lock/queryElectricQuantity", lockId=FRONT_DOOR) == {
        "electricQuantity": 37
    }
    assert world.locks[FRONT_DOOR].electric_quantity_update_date == world.now_ms()
    world.battery_drain_per_command = 1
    assert await demo.call("lock/queryElectricQuantity", lockId=FRONT_DOOR) == {
        "electricQuantity": 36
    }


async def test_gateway_busy(demo: CloudClient, world: World) -> None:
    world.set_gateway_latency(0.2)
    first, second = await asyncio.gather(
        demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR),
        demo.call("lock/queryOpenState", lockId=FRONT_DOOR),
    )
    assert sorted([first.get("errcode", 0), second.get("errcode", 0)]) == [-3003, 0]
    # once the first command is done the gateway is free again
    assert (await demo.call("lock/lock", method="POST", lockId=FRONT_DOOR))["errcode"] == 0


async def test_per_gateway_latency_override(demo: CloudClient, world: World) -> None:
    world.set_gateway_latency(0.2, HALLWAY_GATEWAY)
    results = await asyncio.gather(
        demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR),
        demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR),
    )
    assert sorted(r["errcode"] for r in results) == [-3003, 0]


async def test_wifi_lock_busy(demo: CloudClient, world: World) -> None:
    world.set_gateway_latency(0.2)
    results = await asyncio.gather(
        demo.call("lock/unlock", method="POST", lockId=GARAGE),
        demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR),
        demo.call("lock/lock", method="POST", lockId=GARAGE),
    )
    assert sorted(r["errcode"] for r in results) == [-3037, 0, 0]


async def test_best_rssi_gateway_is_used(demo: CloudClient, world: World) -> None:
    spare = world.add_gateway(gateway_name="Porch Gateway", owner=DEMO_USER)
    world.link(spare.gateway_id, FRONT_DOOR, -50)
    world.set_gateway_latency(0.2, spare.gateway_id)
    world.set_gateway_latency(0.0, HALLWAY_GATEWAY)
    results = await asyncio.gather(
        demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR),
        demo.call("lock/lock", method="POST", lockId=FRONT_DOOR),
    )
    assert sorted(r["errcode"] for r in results) == [-3003, 0]
    # the preferred gateway going offline makes the cloud fall back to the other one
    world.set_gateway_online(spare.gateway_id, False)
    assert (await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR))["errcode"] == 0


async def test_auto_lock_is_lazy(demo: CloudClient, world: World) -> None:
    world.clock.freeze()
    await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR)
    world.clock.advance(14)
    assert (await demo.call("lock/queryOpenState", lockId=FRONT_DOOR))["state"] == 1
    world.clock.advance(1)
    assert (await demo.call("lock/queryOpenState", lockId=FRONT_DOOR))["state"] == 0
    # a door held open delays the auto-lock until it closes
    world.record_auto_lock = True
    await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR)
    world.set_door(FRONT_DOOR, True)
    world.clock.advance(60)
    assert (await demo.call("lock/queryOpenState", lockId=FRONT_DOOR))["state"] == 1
    world.set_door(FRONT_DOOR, False)
    world.clock.advance(15)
    assert (await demo.call("lock/queryOpenState", lockId=FRONT_DOOR))["state"] == 0
    assert [r.record_type for r in world.records[FRONT_DOOR][-3:]] == [31, 30, 45]
