"""Electricity and water meters of the simulated world (``docs/meters.md``).

Home scenario: 7001 "Apartment Power" (metering, 500 W, 1523.4 kWh at 0.32), 7002 "Studio
Power" (prepaid, 1000 W, 20 kWh left at 0.25), 7101 "Apartment Water" (metering, 10 l/h,
87.25 m³), all behind the Hallway Gateway of the demo account.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sim_helpers import FRONT_DOOR, HALLWAY_GATEWAY, OFFICE_GATEWAY, CloudClient

from simulator import World
from simulator.entities import ElectricMeter

APARTMENT_POWER = 7001
STUDIO_POWER = 7002
APARTMENT_WATER = 7101
HOUR = 3600

QUANTITY = re.compile(r"^\d+\.\d{2}$")

ELECTRIC = ("electricMeter", "electricMeterId", "Kwh", "electric", APARTMENT_POWER)
WATER = ("waterMeter", "waterMeterId", "M3", "water", APARTMENT_WATER)
KINDS = pytest.mark.parametrize(
    ("prefix", "id_key", "unit", "kind", "meter_id"), [ELECTRIC, WATER], ids=["electric", "water"]
)


@pytest.fixture(autouse=True)
def _frozen(world: World) -> None:
    """Time stands still at the moment the meters were added (and read) until a test moves it."""
    world.clock.freeze(world.electric_meters[APARTMENT_POWER].report_anchor_ms)


async def listed(cloud: CloudClient, prefix: str, id_key: str, meter_id: int) -> dict[str, Any]:
    body = await cloud.call(f"{prefix}/list", method="POST")
    return next(item for item in body["list"] if item[id_key] == meter_id)


async def post(cloud: CloudClient, endpoint: str, **params: Any) -> dict[str, Any]:
    return await cloud.call(endpoint, method="POST", **params)


# --- documented shape --------------------------------------------------------------------


@KINDS
async def test_list_items_have_the_documented_fields_and_types(
    demo: CloudClient, prefix: str, id_key: str, unit: str, kind: str, meter_id: int
) -> None:
    item = await listed(demo, prefix, id_key, meter_id)
    expected = {id_key, "online", "rssi", "onOff", "name", "number", "payMode", "price"}
    expected |= {f"total{unit}", f"remainder{unit}"}
    if kind == "water":
        expected.add("electricQuantity")
    assert set(item) == expected
    for key in ("online", "rssi", "onOff", "payMode", id_key):
        assert type(item[key]) is int, key
    for key in (f"total{unit}", f"remainder{unit}", "price"):
        assert QUANTITY.match(item[key]), (key, item[key])
    assert item["online"] == 1
    assert item["onOff"] == 1
    if kind == "water":
        assert item["electricQuantity"] == 88


async def test_list_values(demo: CloudClient) -> None:
    studio = await listed(demo, "electricMeter", "electricMeterId", STUDIO_POWER)
    assert studio["payMode"] == 1
    assert (studio["totalKwh"], studio["remainderKwh"], studio["price"]) == (
        "312.50",
        "20.00",
        "0.25",
    )
    water = await listed(demo, "waterMeter", "waterMeterId", APARTMENT_WATER)
    assert (water["payMode"], water["totalM3"], water["price"]) == (0, "87.25", "2.10")


@KINDS
async def test_detail_has_the_documented_fields_and_accepts_get_and_post(
    demo: CloudClient, world: World, prefix: str, id_key: str, unit: str, kind: str, meter_id: int
) -> None:
    detail = await demo.call(f"{prefix}/detail", **{id_key: meter_id})  # GET
    assert detail == await post(demo, f"{prefix}/detail", **{id_key: meter_id})
    expected = {
        id_key,
        "name",
        "number",
        "mac",
        "featureValue",
        "modelNum",
        "hardwareRevision",
        "firmwareRevision",
        "payMode",
        f"sync{unit}Date",
        "online",
        "rssi",
        "onOff",
        f"total{unit}",
        f"remainder{unit}",
        "price",
        "maxPower",
        "groupName",
        "groupId",
    }
    if kind == "water":
        expected.add("electricQuantity")
    assert set(detail) == expected
    # epoch ms of the first reading: when the meter was added (each meter its own moment)
    assert detail[f"sync{unit}Date"] == world.meter_table(kind)[meter_id].report_anchor_ms
    assert type(detail[f"sync{unit}Date"]) is int
    assert isinstance(detail["maxPower"], str)
    if kind == "electric":
        assert detail["maxPower"] == "6000"
    assert isinstance(detail["mac"], str)
    assert type(detail["groupId"]) is int


async def test_list_search_and_group(demo: CloudClient) -> None:
    def ids(body: dict[str, Any]) -> list[int]:
        return [item["electricMeterId"] for item in body["list"]]

    assert ids(await demo.call("electricMeter/list", searchStr="studio")) == [STUDIO_POWER]
    assert ids(await demo.call("electricMeter/list", searchStr="EM-2024-0001")) == [APARTMENT_POWER]
    both = await demo.call("electricMeter/list", searchStr=f"{APARTMENT_POWER},{STUDIO_POWER}")
    assert ids(both) == [APARTMENT_POWER, STUDIO_POWER]
    assert ids(await demo.call("electricMeter/list", groupId=5)) == []


# --- consumption and reports ----------------------------------------------------------------


async def test_metering_consumption_reaches_the_cloud_at_the_hourly_report(
    demo: CloudClient, world: World
) -> None:
    start = world.now_ms()
    world.clock.advance(0.5 * HOUR)
    assert world.meter_state("electric", APARTMENT_POWER).total == pytest.approx(1523.65)
    detail = await demo.call("electricMeter/detail", electricMeterId=APARTMENT_POWER)
    assert (detail["totalKwh"], detail["syncKwhDate"]) == ("1523.40", start)  # not yet
    world.clock.advance(HOUR)
    detail = await demo.call("electricMeter/detail", electricMeterId=APARTMENT_POWER)
    assert (detail["totalKwh"], detail["syncKwhDate"]) == ("1523.90", start + HOUR * 1000)
    assert world.meter_state("electric", APARTMENT_POWER).total == pytest.approx(1524.15)


async def test_sync_state_reports_now(demo: CloudClient, world: World) -> None:
    world.clock.advance(0.5 * HOUR)
    body = await post(demo, "electricMeter/syncState", electricMeterId=APARTMENT_POWER)
    assert body == {"errcode": 0, "errmsg": body["errmsg"], "description": body["description"]}
    detail = await demo.call("electricMeter/detail", electricMeterId=APARTMENT_POWER)
    assert (detail["totalKwh"], detail["syncKwhDate"]) == ("1523.65", world.now_ms())


async def test_water_flows_only_while_the_valve_is_open(demo: CloudClient, world: World) -> None:
    world.clock.advance(6 * HOUR)
    water = await listed(demo, "waterMeter", "waterMeterId", APARTMENT_WATER)
    assert water["totalM3"] == "87.31"  # 10 l/h for 6 h
    assert (await post(demo, "waterMeter/controlOnOff", waterMeterId=APARTMENT_WATER, onOff=0))[
        "errcode"
    ] == 0
    water = await listed(demo, "waterMeter", "waterMeterId", APARTMENT_WATER)
    assert water["onOff"] == 0  # the cloud set the valve and stores it
    world.clock.advance(10 * HOUR)
    assert world.meter_state("water", APARTMENT_WATER).total == pytest.approx(87.31)


async def test_prepaid_meter_cuts_off_at_zero_and_a_recharge_restores_it(
    demo: CloudClient, world: World
) -> None:
    world.clock.advance(25 * HOUR)  # 1000 W: the 20 kWh last 20 h
    state = world.meter_state("electric", STUDIO_POWER)
    assert (state.remainder, state.on_off, state.total) == (0.0, 0, pytest.approx(332.5))
    studio = await listed(demo, "electricMeter", "electricMeterId", STUDIO_POWER)
    assert (studio["remainderKwh"], studio["onOff"], studio["totalKwh"]) == ("0.00", 0, "332.50")
    world.clock.advance(5 * HOUR)
    assert world.meter_state("electric", STUDIO_POWER).total == pytest.approx(332.5)

    body = await post(
        demo,
        "electricMeter/recharge",
        electricMeterId=STUDIO_POWER,
        rechargeAmount="2.50",
        rechargeKwh="10.00",
    )
    assert body["errcode"] == 0
    state = world.meter_state("electric", STUDIO_POWER)
    assert (state.remainder, state.on_off) == (10.0, 1)
    studio = await listed(demo, "electricMeter", "electricMeterId", STUDIO_POWER)
    assert (studio["remainderKwh"], studio["onOff"]) == ("0.00", 0)  # until the next reading
    await post(demo, "electricMeter/syncState", electricMeterId=STUDIO_POWER)
    studio = await listed(demo, "electricMeter", "electricMeterId", STUDIO_POWER)
    assert (studio["remainderKwh"], studio["onOff"]) == ("10.00", 1)
    world.clock.advance(2 * HOUR)
    assert world.meter_state("electric", STUDIO_POWER).remainder == pytest.approx(8.0)


async def test_a_recharge_reaches_the_cloud_at_the_next_hourly_report(
    demo: CloudClient, world: World
) -> None:
    world.clock.advance(0.25 * HOUR)
    await post(
        demo,
        "electricMeter/recharge",
        electricMeterId=STUDIO_POWER,
        rechargeAmount=5,
        rechargeKwh=20,
    )
    assert (await listed(demo, "electricMeter", "electricMeterId", STUDIO_POWER))[
        "remainderKwh"
    ] == "20.00"
    world.clock.advance(0.75 * HOUR)
    studio = await listed(demo, "electricMeter", "electricMeterId", STUDIO_POWER)
    assert studio["remainderKwh"] == "39.00"  # 40 kWh less the hour at 1000 W


async def test_switched_off_by_hand_stays_off_after_a_recharge(
    demo: CloudClient, world: World
) -> None:
    await post(demo, "electricMeter/controlOnOff", electricMeterId=STUDIO_POWER, onOff=0)
    await post(
        demo,
        "electricMeter/recharge",
        electricMeterId=STUDIO_POWER,
        rechargeAmount=1,
        rechargeKwh=4,
    )
    state = world.meter_state("electric", STUDIO_POWER)
    assert (state.on_off, state.remainder) == (0, 24.0)
    world.clock.advance(HOUR)
    assert world.meter_state("electric", STUDIO_POWER).remainder == 24.0


async def test_metering_meter_relay_only_moves_on_command(demo: CloudClient, world: World) -> None:
    world.clock.advance(100 * HOUR)
    assert world.meter_state("electric", APARTMENT_POWER).on_off == 1
    await post(demo, "electricMeter/controlOnOff", electricMeterId=APARTMENT_POWER, onOff=0)
    item = await listed(demo, "electricMeter", "electricMeterId", APARTMENT_POWER)
    assert (item["onOff"], item["totalKwh"]) == (0, "1573.40")
    world.clock.advance(HOUR)
    assert world.meter_state("electric", APARTMENT_POWER).total == pytest.approx(1573.4)
    await post(demo, "electricMeter/controlOnOff", electricMeterId=APARTMENT_POWER, onOff=1)
    assert (await listed(demo, "electricMeter", "electricMeterId", APARTMENT_POWER))["onOff"] == 1


async def test_clear_empties_the_balance(demo: CloudClient, world: World) -> None:
    assert (await post(demo, "electricMeter/clear", electricMeterId=STUDIO_POWER))["errcode"] == 0
    studio = await listed(demo, "electricMeter", "electricMeterId", STUDIO_POWER)
    assert (studio["remainderKwh"], studio["onOff"]) == ("0.00", 0)


async def test_pay_mode_and_price(demo: CloudClient, world: World) -> None:
    world.electric_meters[APARTMENT_POWER].price = 0.0
    body = await post(
        demo, "electricMeter/updatePayMode", electricMeterId=APARTMENT_POWER, payMode=1
    )
    assert body["errcode"] == -3  # prepaid needs a price
    body = await post(
        demo, "electricMeter/updatePayMode", electricMeterId=APARTMENT_POWER, payMode=1, price=0.4
    )
    assert body["errcode"] == 0
    item = await listed(demo, "electricMeter", "electricMeterId", APARTMENT_POWER)
    # prepaid with nothing paid: the meter cuts off at once
    assert (item["payMode"], item["price"], item["onOff"]) == (1, "0.40", 0)
    await post(demo, "electricMeter/updatePayMode", electricMeterId=APARTMENT_POWER, payMode=0)
    item = await listed(demo, "electricMeter", "electricMeterId", APARTMENT_POWER)
    assert (item["payMode"], item["onOff"]) == (0, 1)  # the reason for the cut is gone

    assert (await post(demo, "waterMeter/updatePrice", waterMeterId=APARTMENT_WATER, price="2.5"))[
        "errcode"
    ] == 0
    assert (await listed(demo, "waterMeter", "waterMeterId", APARTMENT_WATER))["price"] == "2.50"
    for bad in ("", "-1", "0", "abc", "nan"):
        body = await post(demo, "waterMeter/updatePrice", waterMeterId=APARTMENT_WATER, price=bad)
        assert body["errcode"] == -3, bad
    body = await post(demo, "electricMeter/updatePayMode", electricMeterId=STUDIO_POWER, payMode=2)
    assert body["errcode"] == -3


async def test_recharge_parameters(demo: CloudClient) -> None:
    ok = {"rechargeAmount": 1, "rechargeKwh": 1}
    for missing in ok:
        params = {key: value for key, value in ok.items() if key != missing}
        body = await post(demo, "electricMeter/recharge", electricMeterId=STUDIO_POWER, **params)
        assert body["errcode"] == -3, missing
    body = await post(
        demo,
        "electricMeter/recharge",
        electricMeterId=STUDIO_POWER,
        rechargeAmount=1,
        rechargeKwh=0,
    )
    assert body["errcode"] == -3
    # water takes rechargeM3, not rechargeKwh
    body = await post(
        demo, "waterMeter/recharge", waterMeterId=APARTMENT_WATER, rechargeAmount=1, rechargeKwh=1
    )
    assert body["errcode"] == -3
    body = await post(
        demo, "waterMeter/recharge", waterMeterId=APARTMENT_WATER, rechargeAmount=1, rechargeM3=1
    )
    assert body["errcode"] == 0


async def test_rename_and_water_total(demo: CloudClient, world: World) -> None:
    await post(demo, "waterMeter/rename", waterMeterId=APARTMENT_WATER, name="Kitchen Water")
    assert (await post(demo, "waterMeter/updateTotal", waterMeterId=APARTMENT_WATER, totalM3=100))[
        "errcode"
    ] == 0
    water = await listed(demo, "waterMeter", "waterMeterId", APARTMENT_WATER)
    assert (water["name"], water["totalM3"]) == ("Kitchen Water", "100.00")
    assert (await post(demo, "electricMeter/rename", electricMeterId=STUDIO_POWER, name=""))[
        "errcode"
    ] == -3
    status, _body = await demo.request("POST", "/v3/electricMeter/updateTotal", {})
    assert status == 404  # water only


# --- errors ---------------------------------------------------------------------------------

GATEWAY_COMMANDS = [
    ("syncState", {}),
    ("controlOnOff", {"onOff": 1}),
    ("recharge", {"rechargeAmount": 1, "rechargeKwh": 1}),
    ("clear", {}),
    ("updatePayMode", {"payMode": 0}),
]


@pytest.mark.parametrize(("operation", "params"), GATEWAY_COMMANDS)
async def test_gateway_commands_need_an_online_gateway_and_meter(
    demo: CloudClient, world: World, operation: str, params: dict[str, Any]
) -> None:
    endpoint = f"electricMeter/{operation}"
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    assert (await post(demo, endpoint, electricMeterId=STUDIO_POWER, **params))["errcode"] == -3002
    world.set_gateway_online(HALLWAY_GATEWAY, True)
    world.set_meter_online("electric", STUDIO_POWER, False)
    assert (await post(demo, endpoint, electricMeterId=STUDIO_POWER, **params))["errcode"] == -3036
    world.set_meter_online("electric", STUDIO_POWER, True)
    world.set_meter_gateway("electric", STUDIO_POWER, None)
    assert (await post(demo, endpoint, electricMeterId=STUDIO_POWER, **params))["errcode"] == -2012
    world.set_meter_gateway("electric", STUDIO_POWER, HALLWAY_GATEWAY)
    assert (await post(demo, endpoint, electricMeterId=STUDIO_POWER, **params))["errcode"] == 0


async def test_water_update_total_goes_through_the_gateway(demo: CloudClient, world: World) -> None:
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    body = await post(demo, "waterMeter/updateTotal", waterMeterId=APARTMENT_WATER, totalM3=1)
    assert body["errcode"] == -3002


async def test_cloud_settings_need_no_gateway(demo: CloudClient, world: World) -> None:
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    assert (await post(demo, "electricMeter/updatePrice", electricMeterId=STUDIO_POWER, price=1))[
        "errcode"
    ] == 0
    assert (await post(demo, "electricMeter/rename", electricMeterId=STUDIO_POWER, name="S"))[
        "errcode"
    ] == 0


async def test_an_offline_gateway_stops_reports_not_consumption(
    demo: CloudClient, world: World
) -> None:
    world.clock.advance(0.5 * HOUR)
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    world.clock.advance(3 * HOUR)
    item = await listed(demo, "electricMeter", "electricMeterId", APARTMENT_POWER)
    assert (item["online"], item["totalKwh"]) == (0, "1523.40")
    assert world.meter_state("electric", APARTMENT_POWER).total == pytest.approx(1525.15)
    world.set_gateway_online(HALLWAY_GATEWAY, True)
    world.clock.advance(0.5 * HOUR)  # 4 h since the meter was added: a whole-hour report
    detail = await demo.call("electricMeter/detail", electricMeterId=APARTMENT_POWER)
    assert (detail["online"], detail["totalKwh"]) == (1, "1525.40")


async def test_an_offline_meter_neither_consumes_nor_reports(
    demo: CloudClient, world: World
) -> None:
    world.set_meter_online("water", APARTMENT_WATER, False)
    world.clock.advance(5 * HOUR)
    water = await listed(demo, "waterMeter", "waterMeterId", APARTMENT_WATER)
    assert (water["online"], water["totalM3"]) == (0, "87.25")
    assert world.meter_state("water", APARTMENT_WATER).total == pytest.approx(87.25)


@KINDS
async def test_unknown_and_foreign_meters(
    cloud: CloudClient, prefix: str, id_key: str, unit: str, kind: str, meter_id: int
) -> None:
    await cloud.login("second@example.com", "second-password")
    assert (await cloud.call(f"{prefix}/list"))["list"] == []
    assert (await cloud.call(f"{prefix}/detail", **{id_key: meter_id}))["errcode"] == 20002
    body = await post(cloud, f"{prefix}/controlOnOff", **{id_key: meter_id, "onOff": 0})
    assert body["errcode"] == 20002
    assert (await cloud.call(f"{prefix}/detail", **{id_key: 999}))["errcode"] == -1003
    assert (await cloud.call(f"{prefix}/detail", **{id_key: "x"}))["errcode"] == -3
    assert (await cloud.call(f"{prefix}/detail"))["errcode"] == -3


def test_meters_need_a_gateway_of_their_own_account(world: World) -> None:
    meter = ElectricMeter(
        meter_id=7009,
        name="Neighbour",
        number="EM-9",
        mac="D4:2C:11:87:6A:99",
        owner_uid=world.electric_meters[APARTMENT_POWER].owner_uid,
        gateway_id=OFFICE_GATEWAY,
    )
    with pytest.raises(ValueError, match="another account"):
        world.add_meter(meter)
    with pytest.raises(ValueError, match="another account"):
        world.set_meter_gateway("electric", APARTMENT_POWER, OFFICE_GATEWAY)


# --- gateway/listDevice ---------------------------------------------------------------------


async def test_gateway_list_device(demo: CloudClient, world: World) -> None:
    body = await demo.call("gateway/listDevice", gatewayId=HALLWAY_GATEWAY)
    devices = {(item["deviceType"], item["deviceId"]): item for item in body["list"]}
    assert set(devices) == {
        (0, FRONT_DOOR),
        (0, 5003401),  # the Guest Room power saver: TTLock keeps it among the locks
        (1, APARTMENT_POWER),
        (1, STUDIO_POWER),
        (2, APARTMENT_WATER),
    }
    assert devices[(1, STUDIO_POWER)] == {
        "deviceType": 1,
        "deviceId": STUDIO_POWER,
        "deviceMac": "D4:2C:11:87:6A:0C",
        "deviceName": "EM-2024-0002",
        "deviceAlias": "Studio Power",
        "rssi": -71,
        "updateDate": world.now_ms(),
    }
    assert devices[(0, FRONT_DOOR)]["deviceAlias"] == "Front Door"
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    world.clock.advance(31 * 60)
    body = await demo.call("gateway/listDevice", gatewayId=HALLWAY_GATEWAY)
    assert body["list"] == []  # nothing heard for 30 minutes
    assert (await demo.call("gateway/listDevice", gatewayId=OFFICE_GATEWAY))["errcode"] == 20002
    assert (await demo.call("gateway/listDevice", gatewayId=1))["errcode"] == -4037
