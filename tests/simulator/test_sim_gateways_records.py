"""Gateways, lock records and meters (``docs/cloud.md`` §2.6, §2.7, §2.8)."""

from __future__ import annotations

import pytest
from sim_helpers import (
    BACK_DOOR,
    DEMO_USER,
    FRONT_DOOR,
    GARAGE,
    HALLWAY_GATEWAY,
    OFFICE_DOOR,
    CloudClient,
)

from simulator import World


async def test_gateway_list(demo: CloudClient) -> None:
    body = await demo.call("gateway/list", pageNo=1, pageSize=20)
    assert body["total"] == 1
    gateway = body["list"][0]
    assert gateway == {
        "gatewayId": HALLWAY_GATEWAY,
        "gatewayMac": "54:8E:29:A1:07:C4",
        "gatewayName": "Hallway Gateway",
        "gatewayVersion": 2,
        "networkName": "HomeNet",
        "networkMac": "A0:63:91:5C:22:18",
        "lockNum": 2,  # Front Door and the Guest Room power saver
        "isOnline": 1,
    }


async def test_gateway_list_paging_limit(demo: CloudClient) -> None:
    assert (await demo.call("gateway/list", pageNo=1, pageSize=201))["errcode"] == -3
    assert "list" in await demo.call("gateway/list", pageNo=1, pageSize=200)


async def test_gateway_list_reflects_online_state(demo: CloudClient, world: World) -> None:
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    body = await demo.call("gateway/list", pageNo=1, pageSize=20)
    assert body["list"][0]["isOnline"] == 0


async def test_gateway_list_by_lock(demo: CloudClient, world: World) -> None:
    world.clock.freeze()
    body = await demo.call("gateway/listByLock", lockId=FRONT_DOOR)
    assert body == {
        "list": [
            {
                "gatewayId": HALLWAY_GATEWAY,
                "gatewayMac": "54:8E:29:A1:07:C4",
                "gatewayName": "Hallway Gateway",
                "rssi": -62,
                "rssiUpdateDate": world.now_ms(),
            }
        ]
    }
    assert await demo.call("gateway/listByLock", lockId=BACK_DOOR) == {"list": []}
    assert (await demo.call("gateway/listByLock", lockId=OFFICE_DOOR))["errcode"] == 20002


async def test_gateway_list_by_lock_sorted_and_30_minute_window(
    demo: CloudClient, world: World
) -> None:
    world.clock.freeze()
    porch = world.add_gateway(gateway_name="Porch Gateway", owner=DEMO_USER)
    world.link(porch.gateway_id, FRONT_DOOR, -55)
    body = await demo.call("gateway/listByLock", lockId=FRONT_DOOR)
    assert [g["gatewayId"] for g in body["list"]] == [porch.gateway_id, HALLWAY_GATEWAY]
    seen_at = world.now_ms()
    world.set_lock_in_range(FRONT_DOOR, porch.gateway_id, False)
    world.clock.advance(29 * 60)
    body = await demo.call("gateway/listByLock", lockId=FRONT_DOOR)
    porch_entry = next(g for g in body["list"] if g["gatewayId"] == porch.gateway_id)
    assert porch_entry["rssiUpdateDate"] == seen_at
    world.clock.advance(2 * 60)
    body = await demo.call("gateway/listByLock", lockId=FRONT_DOOR)
    assert [g["gatewayId"] for g in body["list"]] == [HALLWAY_GATEWAY]


async def test_runtime_add_and_remove(demo: CloudClient, world: World) -> None:
    gateway = world.add_gateway(gateway_name="Shed Gateway", owner=DEMO_USER, gateway_version=4)
    lock = world.add_lock(
        lock_alias="Shed",
        admin=DEMO_USER,
        features=[0, 8, 10],
        gateways=[(gateway.gateway_id, -70)],
    )
    listed = await demo.call("lock/list", pageNo=1, pageSize=20)
    assert lock.lock_id in {item["lockId"] for item in listed["list"]}
    assert (await demo.call("lock/unlock", method="POST", lockId=lock.lock_id))["errcode"] == 0
    gateways = await demo.call("gateway/list", pageNo=1, pageSize=20)
    assert gateways["total"] == 2
    world.remove_gateway(gateway.gateway_id)
    assert (await demo.call("lock/unlock", method="POST", lockId=lock.lock_id))["errcode"] == -2012
    world.remove_lock(lock.lock_id)
    assert (await demo.call("lock/detail", lockId=lock.lock_id))["errcode"] == -1003


async def test_lock_records(demo: CloudClient, world: World) -> None:
    body = await demo.call("lockRecord/list", lockId=FRONT_DOOR, pageNo=1, pageSize=20)
    assert body["total"] == len(world.records[FRONT_DOOR]) == 9
    dates = [record["lockDate"] for record in body["list"]]
    assert dates == sorted(dates, reverse=True)
    first = body["list"][0]
    assert set(first) == {
        "recordId", "lockId", "recordTypeFromLock", "recordType", "success", "username",
        "keyboardPwd", "lockDate", "serverDate",
    }  # fmt: skip
    assert first["recordType"] == 4
    assert first["success"] == 0
    card = next(r for r in body["list"] if r["recordType"] == 7)
    assert card["recordTypeFromLock"] == 17
    assert card["username"] == "Bob card"


async def test_lock_record_filters(demo: CloudClient, world: World) -> None:
    passcodes = await demo.call(
        "lockRecord/list", lockId=FRONT_DOOR, pageNo=1, pageSize=20, recordType=4
    )
    assert [r["keyboardPwd"] for r in passcodes["list"]] == ["111111", "482916"]
    now = world.now_ms()
    recent = await demo.call(
        "lockRecord/list",
        lockId=FRONT_DOOR,
        pageNo=1,
        pageSize=20,
        startDate=now - 100 * 60_000,
        endDate=now,
    )
    assert [r["recordType"] for r in recent["list"]] == [4, 7, 8]
    search = await demo.call(
        "lockRecord/list", lockId=FRONT_DOOR, pageNo=1, pageSize=20, searchStr="bob"
    )
    assert [r["recordType"] for r in search["list"]] == [7]
    bad = await demo.call(
        "lockRecord/list", lockId=FRONT_DOOR, pageNo=1, pageSize=20, startDate=now, endDate=now - 1
    )
    assert bad["errcode"] == -3


async def test_lock_record_paging(demo: CloudClient, world: World) -> None:
    for _ in range(250):
        world.add_record(GARAGE, 4, username="Guest", keyboard_pwd="1234")
    assert (await demo.call("lockRecord/list", lockId=GARAGE, pageNo=1, pageSize=201))[
        "errcode"
    ] == -3
    first = await demo.call("lockRecord/list", lockId=GARAGE, pageNo=1, pageSize=200)
    second = await demo.call("lockRecord/list", lockId=GARAGE, pageNo=2, pageSize=200)
    assert (first["total"], first["pages"], len(first["list"]), len(second["list"])) == (
        251,
        2,
        200,
        51,
    )
    ids = [r["recordId"] for r in first["list"] + second["list"]]
    assert len(set(ids)) == 251


async def test_lock_record_errors(demo: CloudClient) -> None:
    assert (await demo.call("lockRecord/list", lockId=OFFICE_DOOR, pageNo=1, pageSize=20))[
        "errcode"
    ] == 20002
    assert (await demo.call("lockRecord/list", lockId=42, pageNo=1, pageSize=20))[
        "errcode"
    ] == -1003


async def test_record_listener(world: World) -> None:
    seen: list[int] = []
    unsubscribe = world.on_record(lambda record: seen.append(record.record_type))
    world.add_record(FRONT_DOOR, 12)
    unsubscribe()
    world.add_record(FRONT_DOOR, 11)
    assert seen == [12]


async def test_electric_meter_list(demo: CloudClient) -> None:
    body = await demo.call("electricMeter/list")
    assert body["total"] == 2  # 7001 metering, 7002 prepaid (docs/meters.md)
    assert body["list"][0] == {
        "electricMeterId": 7001,
        "name": "Apartment Power",
        "number": "EM-2024-0001",
        "online": 1,
        "rssi": -67,
        "onOff": 1,
        "payMode": 0,
        "totalKwh": "1523.40",
        "remainderKwh": "0.00",
        "price": "0.32",
    }
    assert (await demo.call("electricMeter/list", searchStr="nothing"))["total"] == 0


async def test_water_meter_list(demo: CloudClient) -> None:
    body = await demo.call("waterMeter/list", pageNo=1, pageSize=10)
    meter = body["list"][0]
    assert meter["waterMeterId"] == 7101
    assert {
        "online",
        "rssi",
        "onOff",
        "payMode",
        "totalM3",
        "remainderM3",
        "price",
        "electricQuantity",
    } <= set(meter)


@pytest.mark.parametrize("endpoint", ["electricMeter/list", "waterMeter/list"])
async def test_meters_of_other_accounts_are_hidden(cloud: CloudClient, endpoint: str) -> None:
    await cloud.login("second@example.com", "second-password")
    assert (await cloud.call(endpoint))["total"] == 0
