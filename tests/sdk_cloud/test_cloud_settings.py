"""TTLockCloud lock settings against the simulated cloud (docs/lock-settings.md): settings,
auto-lock, passage mode (and its older endpoint names), the lock's clock; typed errors."""

from __future__ import annotations

import json

import aiohttp
import pytest

from custom_components.ttlock_access.sdk.cloud import TTLockCloud, md5_password
from custom_components.ttlock_access.sdk.cloud import errors as E
from custom_components.ttlock_access.sdk.cloud.parse import parse_passage_mode
from custom_components.ttlock_access.sdk.model import (
    SETTING_OFF,
    SETTING_ON,
    Feature,
    LockSetting,
    PassageMode,
    PassagePeriod,
)
from simulator import World

CLIENT = {"client_id": "sim-client-id", "client_secret": "sim-client-secret"}
USER, PASSWORD = "demo@example.com", "demo-password"
FRONT_DOOR, GARAGE, BACK_DOOR = 5001101, 5001102, 5001103
HALLWAY_GATEWAY = 301001

WORKDAYS = PassagePeriod(
    all_day=False, start_minute=480, end_minute=1080, weekdays=frozenset({1, 2, 3, 4, 5})
)
WEEKEND = PassagePeriod(all_day=True, weekdays=frozenset({6, 7}))


@pytest.fixture
async def client(world_server: tuple[World, str], session: aiohttp.ClientSession) -> TTLockCloud:
    _world, url = world_server
    cloud = TTLockCloud(session, base_url=url, **CLIENT)
    await cloud.login(USER, md5_password(PASSWORD))
    return cloud


@pytest.fixture
def world(world_server: tuple[World, str]) -> World:
    return world_server[0]


def test_setting_types_are_the_documented_numbers() -> None:
    assert {setting.name: int(setting) for setting in LockSetting} == {
        "PRIVACY_LOCK": 2, "TAMPER_ALERT": 3, "RESET_BUTTON": 4, "LOCK_SOUND": 6,
        "OPEN_DIRECTION": 7, "SOUND_VOLUME": 8, "WIFI_POWER_SAVING": 10,
        "DOOR_UNCLOSED_ALARM": 11,
    }  # fmt: skip
    assert LockSetting.LOCK_SOUND.feature is Feature.VOICE_PROMPT
    assert LockSetting.DOOR_UNCLOSED_ALARM.feature is Feature.DOOR_NOT_LOCKED_ALERT
    assert {s for s in LockSetting if s.queryable} == {
        LockSetting.PRIVACY_LOCK,
        LockSetting.TAMPER_ALERT,
        LockSetting.RESET_BUTTON,
        LockSetting.OPEN_DIRECTION,
    }


@pytest.mark.parametrize(
    ("setting", "value", "field"),
    [
        (LockSetting.PRIVACY_LOCK, SETTING_ON, "privacy_lock"),
        (LockSetting.TAMPER_ALERT, SETTING_OFF, "tamper_alert"),
        (LockSetting.RESET_BUTTON, SETTING_OFF, "reset_button"),
        (LockSetting.LOCK_SOUND, SETTING_OFF, "lock_sound"),
        (LockSetting.OPEN_DIRECTION, 2, "open_direction"),
        (LockSetting.SOUND_VOLUME, 5, "sound_volume"),
    ],
)
async def test_update_setting(
    client: TTLockCloud, setting: LockSetting, value: int, field: str
) -> None:
    await client.update_setting(FRONT_DOOR, setting, value)
    detail = await client.get_lock_detail(FRONT_DOOR)
    assert getattr(detail, field) == value


async def test_door_unclosed_alarm(client: TTLockCloud, world: World) -> None:
    await client.update_setting(FRONT_DOOR, LockSetting.DOOR_UNCLOSED_ALARM, 90)
    assert world.locks[FRONT_DOOR].door_not_closed_warning_time == 90


async def test_query_setting(client: TTLockCloud) -> None:
    assert await client.query_setting(FRONT_DOOR, LockSetting.PRIVACY_LOCK) == SETTING_OFF
    assert await client.query_setting(FRONT_DOOR, LockSetting.OPEN_DIRECTION) == 1
    await client.update_setting(FRONT_DOOR, LockSetting.TAMPER_ALERT, SETTING_OFF)
    assert await client.query_setting(FRONT_DOOR, LockSetting.TAMPER_ALERT) == SETTING_OFF
    with pytest.raises(ValueError, match="lock/detail"):
        await client.query_setting(FRONT_DOOR, LockSetting.SOUND_VOLUME)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        (LockSetting.SOUND_VOLUME, 0),
        (LockSetting.SOUND_VOLUME, 6),
        (LockSetting.PRIVACY_LOCK, 0),
        (LockSetting.LOCK_SOUND, 3),
        (LockSetting.DOOR_UNCLOSED_ALARM, -1),
        (LockSetting.DOOR_UNCLOSED_ALARM, 901),
        (LockSetting.WIFI_POWER_SAVING, SETTING_ON),  # Bluetooth only
    ],
)
async def test_update_setting_validates(
    client: TTLockCloud, world: World, setting: LockSetting, value: int
) -> None:
    calls = client.calls
    with pytest.raises(ValueError, match=r"takes|Bluetooth"):
        await client.update_setting(FRONT_DOOR, setting, value)
    assert client.calls == calls  # refused before any request


async def test_not_supported_and_routes(client: TTLockCloud, world: World) -> None:
    with pytest.raises(E.NotSupportedError) as err:
        await client.update_setting(GARAGE, LockSetting.SOUND_VOLUME, 3)
    assert err.value.errcode == -4043
    with pytest.raises(E.NotSupportedError):
        await client.query_setting(GARAGE, LockSetting.PRIVACY_LOCK)
    with pytest.raises(E.NoGatewayError):
        await client.update_setting(BACK_DOOR, LockSetting.LOCK_SOUND, SETTING_ON)
    with pytest.raises(E.NoGatewayError):
        await client.query_lock_clock(BACK_DOOR)
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    with pytest.raises(E.GatewayOfflineError):
        await client.update_setting(FRONT_DOOR, LockSetting.PRIVACY_LOCK, SETTING_ON)
    with pytest.raises(E.GatewayOfflineError):
        await client.set_auto_lock_time(FRONT_DOOR, 30)
    with pytest.raises(E.GatewayOfflineError):
        await client.configure_passage_mode(FRONT_DOOR, PassageMode(enabled=True))
    with pytest.raises(E.GatewayOfflineError):
        await client.sync_lock_clock(FRONT_DOOR)
    world.set_wifi_online(GARAGE, False)
    with pytest.raises(E.LockOfflineError):
        await client.update_setting(GARAGE, LockSetting.LOCK_SOUND, SETTING_OFF)


async def test_auto_lock_time(client: TTLockCloud) -> None:
    await client.set_auto_lock_time(FRONT_DOOR, 120)
    assert (await client.get_lock_detail(FRONT_DOOR)).auto_lock_time == 120
    await client.set_auto_lock_time(FRONT_DOOR, 0)
    assert (await client.get_lock_detail(FRONT_DOOR)).auto_lock_time == -1
    for seconds in (901, -2):
        with pytest.raises(ValueError, match="auto-lock takes"):
            await client.set_auto_lock_time(FRONT_DOOR, seconds)
    # the lock's own refusal, should a caller get past the check
    with pytest.raises(E.AutoLockPeriodInvalidError):
        await client._gateway_call(
            "lock/setAutoLockTime", {"lockId": FRONT_DOOR, "seconds": 3600, "type": 2}
        )


async def test_passage_mode_round_trip(client: TTLockCloud, world: World) -> None:
    assert await client.get_passage_mode(FRONT_DOOR) == PassageMode(enabled=False)
    mode = PassageMode(enabled=True, auto_unlock=True, periods=(WORKDAYS, WEEKEND))
    await client.configure_passage_mode(FRONT_DOOR, mode)
    got = await client.get_passage_mode(FRONT_DOOR)
    assert got == PassageMode(enabled=True, auto_unlock=True, periods=(WEEKEND, WORKDAYS))
    detail = await client.get_lock_detail(FRONT_DOOR)
    assert detail.passage_mode is True and detail.passage_mode_auto_unlock is True
    await client.configure_passage_mode(FRONT_DOOR, PassageMode(enabled=False))
    assert await client.get_passage_mode(FRONT_DOOR) == PassageMode(enabled=False)
    with pytest.raises(E.NotSupportedError):  # auto-unlock needs feature bit 46
        await client.configure_passage_mode(GARAGE, PassageMode(enabled=True, auto_unlock=True))


def test_passage_period_validation() -> None:
    with pytest.raises(ValueError, match="start_minute"):
        PassagePeriod(all_day=False, start_minute=600, end_minute=600, weekdays=frozenset({1}))
    with pytest.raises(ValueError, match="start_minute"):
        PassagePeriod(all_day=False, start_minute=0, end_minute=1441, weekdays=frozenset({1}))
    with pytest.raises(ValueError, match="weekdays"):
        PassagePeriod(all_day=True, weekdays=frozenset({0}))
    with pytest.raises(ValueError, match="weekdays"):
        PassagePeriod(all_day=True, weekdays=frozenset())
    PassagePeriod(all_day=True, start_minute=900, end_minute=100, weekdays=frozenset({7}))


async def test_passage_mode_validates(client: TTLockCloud) -> None:
    six = tuple(
        PassagePeriod(all_day=True, weekdays=frozenset({day})) for day in (1, 2, 3, 4, 5, 6)
    )
    with pytest.raises(ValueError, match="at most 5"):
        await client.configure_passage_mode(FRONT_DOOR, PassageMode(enabled=True, periods=six))


async def test_legacy_endpoint_names_agree(client: TTLockCloud, world: World) -> None:
    """``lock/getPassageModeConfig`` (flat) answers what the documented call wrote, and a
    write through ``lock/configPassageMode`` is read back by :meth:`get_passage_mode`."""
    await client.configure_passage_mode(
        FRONT_DOOR, PassageMode(enabled=True, periods=(WORKDAYS, WEEKEND))
    )
    legacy = await client._call("lock/getPassageModeConfig", {"lockId": FRONT_DOOR})
    assert parse_passage_mode(legacy) == PassageMode(enabled=True, periods=(WEEKEND,))
    await client._gateway_call(
        "lock/configPassageMode",
        {
            "lockId": FRONT_DOOR,
            "type": 2,
            "passageMode": 1,
            "autoUnlock": 1,
            "isAllDay": 2,
            "startDate": 420,
            "endDate": 1200,
            "weekDays": json.dumps([1, 3, 5]),
        },
    )
    period = PassagePeriod(
        all_day=False, start_minute=420, end_minute=1200, weekdays=frozenset({1, 3, 5})
    )
    expected = PassageMode(enabled=True, auto_unlock=True, periods=(period,))
    assert await client.get_passage_mode(FRONT_DOOR) == expected
    legacy = await client._call("lock/getPassageModeConfig", {"lockId": FRONT_DOOR})
    assert parse_passage_mode(legacy) == expected


def test_parse_passage_mode_is_lenient() -> None:
    body = {
        "passageMode": "1",
        "autoUnlock": None,
        "cyclicConfig": json.dumps(
            [
                {"isAllDay": 2, "startTime": "480", "endTime": 1080, "weekDays": "[1,2]"},
                {"isAllDay": 2, "startTime": 900, "endTime": 100, "weekDays": [3]},  # unusable
                {"isAllDay": 1, "weekDays": [9, 7]},  # day 9 is dropped
                "junk",
            ]
        ),
    }
    mode = parse_passage_mode(body)
    assert mode.enabled and not mode.auto_unlock
    assert mode.periods == (
        PassagePeriod(all_day=True, weekdays=frozenset({7})),
        PassagePeriod(all_day=False, start_minute=480, end_minute=1080, weekdays=frozenset({1, 2})),
    )
    assert parse_passage_mode({}) == PassageMode(enabled=False)


async def test_lock_clock(client: TTLockCloud, world: World) -> None:
    world.clock.freeze()
    now = world.now_ms()
    world.locks[FRONT_DOOR].clock_drift_ms = -300_000  # five minutes slow
    assert await client.query_lock_clock(FRONT_DOOR) == now - 300_000
    assert await client.sync_lock_clock(FRONT_DOOR) == now
    assert await client.query_lock_clock(FRONT_DOOR) == now
