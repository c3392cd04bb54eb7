"""Lock settings, passage mode, the lock clock, gateway detail and the door sensor
(``docs/lock-settings.md``): documented shapes and types, GET accepted on commands,
featureValue refusals (-4043), range checks (-3, -4082) and the gateway route."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sim_helpers import (
    BACK_DOOR,
    FRONT_DOOR,
    GARAGE,
    HALLWAY_GATEWAY,
    LIFT,
    OFFICE_DOOR,
    OFFICE_GATEWAY,
    CloudClient,
)

from simulator import World
from simulator.ble.handlers import settings as ble_settings
from simulator.ble.state import PassageWindow
from simulator.ble.world_link import lock_from_world

DETAIL_SETTINGS = {
    "autoLockTime": 15, "lockSound": 1, "soundVolume": 3, "privacyLock": 2, "tamperAlert": 1,
    "resetButton": 1, "openDirection": 1, "passageMode": 2, "passageModeAutoUnlock": 2,
}  # fmt: skip
"""Front Door's settings in the home scenario, as ``lock/detail`` reports them."""

WORKDAYS = {"isAllDay": 2, "startTime": 480, "endTime": 1080, "weekDays": [1, 2, 3, 4, 5]}
WEEKEND = {"isAllDay": 1, "startTime": 0, "endTime": 0, "weekDays": [6, 7]}


def ok(body: dict[str, Any]) -> None:
    assert body.get("errcode") == 0, body


async def detail(demo: CloudClient, lock_id: int = FRONT_DOOR) -> dict[str, Any]:
    return await demo.call("lock/detail", lockId=lock_id)


async def test_detail_reports_the_settings(demo: CloudClient) -> None:
    body = await detail(demo)
    assert {key: body[key] for key in DETAIL_SETTINGS} == DETAIL_SETTINGS
    assert all(isinstance(body[key], int) for key in DETAIL_SETTINGS)
    # a lock without the features leaves them out (JB-docs/lock/detail.md)
    garage = await detail(demo, GARAGE)
    assert "privacyLock" not in garage and "soundVolume" not in garage
    assert garage["lockSound"] == 1 and garage["passageMode"] == 2


@pytest.mark.parametrize(
    ("setting_type", "value", "field"),
    [
        (2, 1, "privacyLock"),
        (3, 2, "tamperAlert"),
        (4, 2, "resetButton"),
        (6, 2, "lockSound"),
        (7, 2, "openDirection"),
        (8, 5, "soundVolume"),
    ],
)
async def test_update_setting_through_the_gateway(
    demo: CloudClient, world: World, setting_type: int, value: int, field: str
) -> None:
    before = world.locks[FRONT_DOOR].electric_quantity_update_date
    world.clock.advance(5)
    body = await demo.call(
        "lock/updateSetting",
        method="POST",
        lockId=FRONT_DOOR,
        type=setting_type,
        value=value,
        changeType=2,
    )
    ok(body)
    assert (await detail(demo))[field] == value
    # the command reached the lock (every reply carries its battery)
    assert world.locks[FRONT_DOOR].electric_quantity_update_date > before


async def test_update_setting_is_accepted_as_get(demo: CloudClient) -> None:
    ok(await demo.call("lock/updateSetting", lockId=FRONT_DOOR, type=8, value=1, changeType=2))
    assert (await detail(demo))["soundVolume"] == 1
    ok(await demo.call("lock/setAutoLockTime", lockId=FRONT_DOOR, seconds=30, type=2))
    assert (await detail(demo))["autoLockTime"] == 30


async def test_record_only_needs_no_gateway(demo: CloudClient, world: World) -> None:
    """changeType 1 (the default): the app already changed it over Bluetooth; recorded."""
    ok(await demo.call("lock/updateSetting", method="POST", lockId=BACK_DOOR, type=6, value=1))
    assert (await detail(demo, BACK_DOOR))["lockSound"] == 1
    body = await demo.call(
        "lock/updateSetting", method="POST", lockId=BACK_DOOR, type=6, value=2, changeType=2
    )
    assert body["errcode"] == -2012
    assert (await detail(demo, BACK_DOOR))["lockSound"] == 1


async def test_remote_routes_fail_like_unlock(demo: CloudClient, world: World) -> None:
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    for endpoint, params in (
        ("lock/updateSetting", {"type": 2, "value": 1, "changeType": 2}),
        ("lock/querySetting", {"type": 2}),
        ("lock/setAutoLockTime", {"seconds": 20, "type": 2}),
        ("lock/configurePassageMode", {"passageMode": 1, "type": 2}),
        ("lock/queryDate", {}),
        ("lock/updateDate", {}),
    ):
        body = await demo.call(endpoint, method="POST", lockId=FRONT_DOOR, **params)
        assert body["errcode"] == -3002, (endpoint, body)
    assert (await detail(demo))["privacyLock"] == 2  # nothing changed
    world.set_wifi_online(GARAGE, False)
    assert (await demo.call("lock/queryDate", lockId=GARAGE))["errcode"] == -3036
    body = await demo.call("lock/updateSetting", lockId=GARAGE, type=6, value=2, changeType=2)
    assert body["errcode"] == -3036
    assert (await demo.call("lock/querySetting", lockId=OFFICE_DOOR, type=2))["errcode"] == 20002


@pytest.mark.parametrize(
    ("lock_id", "setting_type", "value", "bit"),
    [
        (BACK_DOOR, 2, 1, 30),  # privacy lock
        (GARAGE, 3, 1, 28),  # tamper alert
        (GARAGE, 4, 1, 29),  # reset button
        (LIFT, 6, 1, 15),  # lock sound = voice prompt
        (GARAGE, 7, 1, 36),  # open direction
        (GARAGE, 8, 3, 43),  # volume
        (FRONT_DOOR, 10, 1, 56),  # Wi-Fi power saving on a gateway lock
        (GARAGE, 11, 60, 51),  # door-unclosed alarm
    ],
)
async def test_feature_refusals(
    demo: CloudClient, lock_id: int, setting_type: int, value: int, bit: int
) -> None:
    body = await demo.call(
        "lock/updateSetting", method="POST", lockId=lock_id, type=setting_type, value=value
    )
    assert body["errcode"] == -4043, body
    assert f"bit {bit}" in body["description"]


@pytest.mark.parametrize(
    ("setting_type", "value"),
    [(2, 0), (2, 3), (6, 3), (7, 0), (8, 0), (8, 6), (11, -1), (11, 901), (1, 1), (5, 1), (9, 1)],
)
async def test_values_out_of_range(demo: CloudClient, setting_type: int, value: int) -> None:
    body = await demo.call(
        "lock/updateSetting", lockId=FRONT_DOOR, type=setting_type, value=value, changeType=2
    )
    assert body["errcode"] == -3, body


async def test_wifi_power_saving_is_bluetooth_only(demo: CloudClient) -> None:
    body = await demo.call("lock/updateSetting", lockId=GARAGE, type=10, value=1, changeType=2)
    assert body["errcode"] == -3
    ok(await demo.call("lock/updateSetting", lockId=GARAGE, type=10, value=1, changeType=1))
    assert (await demo.call("wifiLock/detail", lockId=GARAGE))["powerSavingMode"] == 1


async def test_door_unclosed_alarm(demo: CloudClient, world: World) -> None:
    sensor = await demo.call("doorSensor/query", method="POST", lockId=FRONT_DOOR)
    assert set(sensor) == {
        "doorSensorId", "name", "electricQuantity", "version", "mac", "number",
        "doorNotClosedWarningTime",
    }  # fmt: skip
    assert isinstance(sensor["doorSensorId"], int) and isinstance(sensor["version"], str)
    assert sensor["number"].startswith("DS2_") and sensor["doorNotClosedWarningTime"] == 0
    ok(await demo.call("lock/updateSetting", lockId=FRONT_DOOR, type=11, value=120, changeType=2))
    sensor = await demo.call("doorSensor/query", lockId=FRONT_DOOR)
    assert sensor["doorNotClosedWarningTime"] == 120
    assert (await demo.call("doorSensor/query", lockId=GARAGE))["errcode"] == -4043
    # bit 51 without a bound sensor: the alarm needs the sensor
    world.locks[FRONT_DOOR].door_sensor = False
    body = await demo.call("lock/updateSetting", lockId=FRONT_DOOR, type=11, value=60)
    assert body["errcode"] == -4043


async def test_query_setting(demo: CloudClient) -> None:
    expected = {2: 2, 3: 1, 4: 1, 7: 1}
    for setting_type, value in expected.items():
        assert await demo.call("lock/querySetting", lockId=FRONT_DOOR, type=setting_type) == {
            "value": value
        }
    for setting_type in (6, 8, 10, 11):  # sound and volume come from lock/detail
        body = await demo.call("lock/querySetting", lockId=FRONT_DOOR, type=setting_type)
        assert body["errcode"] == -3
    assert (await demo.call("lock/querySetting", lockId=GARAGE, type=2))["errcode"] == -4043


async def test_auto_lock_time(demo: CloudClient, world: World) -> None:
    for seconds, shown in ((1, 1), (900, 900), (0, -1), (45, 45), (-1, -1)):
        ok(await demo.call("lock/setAutoLockTime", lockId=FRONT_DOOR, seconds=seconds, type=2))
        assert (await detail(demo))["autoLockTime"] == shown
    for seconds in (901, -2, 3600):
        body = await demo.call("lock/setAutoLockTime", lockId=FRONT_DOOR, seconds=seconds, type=2)
        assert body["errcode"] == -4082
    assert (await demo.call("lock/setAutoLockTime", lockId=LIFT, seconds=5))["errcode"] == -4043
    assert (await demo.call("lock/setAutoLockTime", lockId=FRONT_DOOR))["errcode"] == -3
    # type 1 (the default): recorded without a gateway
    ok(await demo.call("lock/setAutoLockTime", lockId=BACK_DOOR, seconds=12))
    assert world.locks[BACK_DOOR].auto_lock_time == 12


async def test_passage_mode_shapes(demo: CloudClient) -> None:
    config = json.dumps([WORKDAYS, WEEKEND])
    ok(
        await demo.call(
            "lock/configurePassageMode",
            method="POST",
            lockId=FRONT_DOOR,
            passageMode=1,
            cyclicConfig=config,
            autoUnlock=1,
            type=2,
        )
    )
    body = await demo.call("lock/getPassageModeConfiguration", lockId=FRONT_DOOR)
    assert body == {"passageMode": 1, "cyclicConfig": [WEEKEND, WORKDAYS], "autoUnlock": 1}
    shown = await detail(demo)
    assert (shown["passageMode"], shown["passageModeAutoUnlock"]) == (1, 1)
    # off, periods kept when cyclicConfig is left out
    ok(await demo.call("lock/configurePassageMode", lockId=FRONT_DOOR, passageMode=2, type=2))
    body = await demo.call("lock/getPassageModeConfiguration", lockId=FRONT_DOOR)
    assert body["passageMode"] == 2 and len(body["cyclicConfig"]) == 2
    assert body["autoUnlock"] == 1
    # an all-day period ignores its minutes
    ok(
        await demo.call(
            "lock/configurePassageMode",
            lockId=FRONT_DOOR,
            passageMode=1,
            cyclicConfig=json.dumps(
                [{"isAllDay": 1, "startTime": 5, "endTime": 9, "weekDays": [3]}]
            ),
            type=2,
        )
    )
    body = await demo.call("lock/getPassageModeConfiguration", lockId=FRONT_DOOR)
    assert body["cyclicConfig"] == [{"isAllDay": 1, "startTime": 0, "endTime": 0, "weekDays": [3]}]


@pytest.mark.parametrize(
    ("cyclic", "errcode"),
    [
        (json.dumps([WORKDAYS] * 6), -3),  # at most five periods
        (json.dumps([{**WORKDAYS, "weekDays": [0, 1]}]), -3),
        (json.dumps([{**WORKDAYS, "weekDays": [8]}]), -3),
        (json.dumps([{**WORKDAYS, "weekDays": []}]), -3),
        (json.dumps([{**WORKDAYS, "startTime": 1080, "endTime": 480}]), -3),
        (json.dumps([{**WORKDAYS, "endTime": 1441}]), -3),
        (json.dumps([{**WORKDAYS, "isAllDay": 3}]), -3),
        (json.dumps({"isAllDay": 1}), -3),
        ("[{not json", 80002),
    ],
)
async def test_passage_mode_refusals(demo: CloudClient, cyclic: str, errcode: int) -> None:
    body = await demo.call(
        "lock/configurePassageMode", lockId=FRONT_DOOR, passageMode=1, cyclicConfig=cyclic, type=2
    )
    assert body["errcode"] == errcode, body


async def test_passage_mode_features(demo: CloudClient) -> None:
    # auto-unlock needs bit 46, passage mode bit 22
    body = await demo.call("lock/configurePassageMode", lockId=GARAGE, passageMode=1, autoUnlock=1)
    assert body["errcode"] == -4043 and "bit 46" in body["description"]
    ok(await demo.call("lock/configurePassageMode", lockId=GARAGE, passageMode=1, autoUnlock=2))
    body = await demo.call("lock/getPassageModeConfiguration", lockId=LIFT)
    assert body["errcode"] == -4043
    body = await demo.call("lock/configurePassageMode", lockId=FRONT_DOOR, passageMode=3)
    assert body["errcode"] == -3


async def test_legacy_passage_mode_names(demo: CloudClient) -> None:
    """``lock/configPassageMode`` / ``lock/getPassageModeConfig`` (flat, one period) and the
    documented names read and write the same state."""
    ok(
        await demo.call(
            "lock/configPassageMode",
            lockId=FRONT_DOOR,
            type=2,
            passageMode=1,
            autoUnlock=2,
            isAllDay=2,
            startDate=420,
            endDate=1200,
            weekDays=json.dumps([1, 3, 5]),
        )
    )
    body = await demo.call("lock/getPassageModeConfiguration", lockId=FRONT_DOOR)
    assert body == {
        "passageMode": 1,
        "cyclicConfig": [{"isAllDay": 2, "startTime": 420, "endTime": 1200, "weekDays": [1, 3, 5]}],
        "autoUnlock": 2,
    }
    assert await demo.call("lock/getPassageModeConfig", lockId=FRONT_DOOR) == {
        "passageMode": 1,
        "isAllDay": 2,
        "startDate": 420,
        "endDate": 1200,
        "weekDays": [1, 3, 5],
        "autoUnlock": 2,
    }
    cyclic = json.dumps([WORKDAYS, WEEKEND])
    ok(
        await demo.call(
            "lock/configurePassageMode", lockId=FRONT_DOOR, passageMode=2, cyclicConfig=cyclic
        )
    )
    legacy = await demo.call("lock/getPassageModeConfig", lockId=FRONT_DOOR)
    assert legacy["passageMode"] == 2
    assert (legacy["isAllDay"], legacy["weekDays"]) == (1, [6, 7])  # the first: all day
    # an empty weekDays clears the periods
    ok(await demo.call("lock/configPassageMode", lockId=FRONT_DOOR, passageMode=2, weekDays="[]"))
    body = await demo.call("lock/getPassageModeConfiguration", lockId=FRONT_DOOR)
    assert body["cyclicConfig"] == []
    legacy = await demo.call("lock/getPassageModeConfig", lockId=FRONT_DOOR)
    assert (legacy["isAllDay"], legacy["startDate"], legacy["weekDays"]) == (2, 0, [])


async def test_passage_mode_stops_auto_lock(demo: CloudClient, world: World) -> None:
    world.clock.freeze()
    ok(await demo.call("lock/configurePassageMode", lockId=FRONT_DOOR, passageMode=1, type=2))
    ok(await demo.call("lock/unlock", lockId=FRONT_DOOR))
    world.clock.advance(60)  # autoLockTime is 15 s
    assert (await demo.call("lock/queryOpenState", lockId=FRONT_DOOR))["state"] == 1
    ok(await demo.call("lock/configurePassageMode", lockId=FRONT_DOOR, passageMode=2, type=2))
    assert (await demo.call("lock/queryOpenState", lockId=FRONT_DOOR))["state"] == 0


async def test_lock_clock(demo: CloudClient, world: World) -> None:
    world.clock.freeze()
    now = world.now_ms()
    world.locks[FRONT_DOOR].clock_drift_ms = 95_000  # the lock runs 95 s fast
    assert await demo.call("lock/queryDate", lockId=FRONT_DOOR) == {"date": now + 95_000}
    assert await demo.call("lock/updateDate", method="POST", lockId=FRONT_DOOR) == {"date": now}
    assert await demo.call("lock/queryDate", method="POST", lockId=FRONT_DOOR) == {"date": now}
    assert world.locks[FRONT_DOOR].clock_drift_ms == 0
    assert (await demo.call("lock/queryDate", lockId=BACK_DOOR))["errcode"] == -2012


async def test_gateway_detail(demo: CloudClient, world: World) -> None:
    assert await demo.call("gateway/detail", gatewayId=HALLWAY_GATEWAY) == {
        "gatewayId": HALLWAY_GATEWAY,
        "gatewayMac": "54:8E:29:A1:07:C4",
        "gatewayName": "Hallway Gateway",
        "gatewayVersion": 2,
        "networkName": "HomeNet",
        "networkMac": "A0:63:91:5C:22:18",
        "lockNum": 2,  # a lock and a power saver
        "isOnline": 1,
    }
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    body = await demo.call("gateway/detail", method="POST", gatewayId=HALLWAY_GATEWAY)
    assert body["isOnline"] == 0
    assert (await demo.call("gateway/detail", gatewayId=OFFICE_GATEWAY))["errcode"] == -2018
    assert (await demo.call("gateway/detail", gatewayId=1))["errcode"] == -4037


async def test_bluetooth_twin_shares_the_settings(demo: CloudClient, world: World) -> None:
    """The simulated Bluetooth lock and the cloud see one set of values (docs/lock-settings.md
    §7): a gateway change reaches the lock, a Bluetooth change reaches lock/detail."""
    world.clock.freeze()
    ble = lock_from_world(world, FRONT_DOOR)
    assert (ble.auto_lock_seconds, ble.volume, ble.sound_on) == (15, 3, True)
    assert ble.switch_value & 0x04 == 0  # privacy off
    ok(await demo.call("lock/updateSetting", lockId=FRONT_DOOR, type=8, value=5, changeType=2))
    ok(await demo.call("lock/updateSetting", lockId=FRONT_DOOR, type=2, value=1, changeType=2))
    ok(await demo.call("lock/setAutoLockTime", lockId=FRONT_DOOR, seconds=40, type=2))
    assert (ble.volume, ble.auto_lock_seconds) == (5, 40)
    assert ble.switch_value & 0x04
    cyclic = json.dumps([WORKDAYS])
    ok(
        await demo.call(
            "lock/configurePassageMode",
            lockId=FRONT_DOOR,
            passageMode=1,
            cyclicConfig=cyclic,
            type=2,
        )
    )
    assert sorted(ble.passage_windows, key=lambda w: w.week_or_day) == [
        PassageWindow(1, day, 0, 480, 1080) for day in range(1, 6)
    ]
    # Bluetooth → cloud
    assert ble_settings.cmd_auto_lock(ble, b"\x02\x00\x3c")[0] == 1  # 60 s
    assert ble_settings.cmd_audio(ble, b"\x02\x00")[0] == 1  # sound off
    assert ble_settings.cmd_switch(ble, b"\x02" + (0x04).to_bytes(4, "big") + bytes(4))[0] == 1
    ble_settings.cmd_passage(ble, b"\x04")  # clear every window
    shown = await detail(demo)
    assert (shown["autoLockTime"], shown["lockSound"], shown["privacyLock"]) == (60, 2, 2)
    assert (shown["passageMode"], shown["openDirection"]) == (2, 1)  # direction untouched
    # the clock (the lock's has second resolution): drift shows; updateDate sets both
    world.locks[FRONT_DOOR].clock_drift_ms = -120_000
    seconds = world.now_ms() // 1000
    assert (await demo.call("lock/queryDate", lockId=FRONT_DOOR))["date"] // 1000 == seconds - 120
    await demo.call("lock/updateDate", lockId=FRONT_DOOR)
    assert ble.world_link.lock_now_ms() // 1000 == seconds
    assert (await demo.call("lock/queryDate", lockId=FRONT_DOOR))["date"] // 1000 == seconds
