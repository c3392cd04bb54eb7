"""TTLockCloud lock settings with ``via_gateway=False``: the cloud only records a change made
over Bluetooth (type / changeType 1), so no gateway is needed (docs/lock-settings.md §1)."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.ttlock_access.sdk.cloud import TTLockCloud, md5_password
from custom_components.ttlock_access.sdk.cloud import errors as E
from custom_components.ttlock_access.sdk.model import (
    SETTING_ON,
    LockSetting,
    PassageMode,
    PassagePeriod,
)
from simulator import World

CLIENT = {"client_id": "sim-client-id", "client_secret": "sim-client-secret"}
USER, PASSWORD = "demo@example.com", "demo-password"
BACK_DOOR = 5001103
"""No gateway: a change through the cloud fails with -2012; a record does not need one."""


@pytest.fixture
async def client(world_server: tuple[World, str], session: aiohttp.ClientSession) -> TTLockCloud:
    _world, url = world_server
    cloud = TTLockCloud(session, base_url=url, **CLIENT)
    await cloud.login(USER, md5_password(PASSWORD))
    return cloud


async def test_records_need_no_gateway(
    client: TTLockCloud, world_server: tuple[World, str]
) -> None:
    world = world_server[0]
    with pytest.raises(E.NoGatewayError):
        await client.update_setting(BACK_DOOR, LockSetting.LOCK_SOUND, SETTING_ON)
    await client.update_setting(BACK_DOOR, LockSetting.LOCK_SOUND, SETTING_ON, via_gateway=False)
    await client.set_auto_lock_time(BACK_DOOR, 60, via_gateway=False)
    period = PassagePeriod(all_day=True, weekdays=frozenset({6, 7}))
    mode = PassageMode(enabled=True, periods=(period,))
    await client.configure_passage_mode(BACK_DOOR, mode, via_gateway=False)
    detail = await client.get_lock_detail(BACK_DOOR)
    assert (detail.lock_sound, detail.auto_lock_time, detail.passage_mode) == (1, 60, True)
    assert await client.get_passage_mode(BACK_DOOR) == mode
    assert world.lock(BACK_DOOR).lock_sound == 1


async def test_wifi_power_saving_can_be_recorded(client: TTLockCloud) -> None:
    """Wi-Fi power saving is changed over Bluetooth only; recording it is allowed."""
    with pytest.raises(ValueError, match="only be changed over Bluetooth"):
        await client.update_setting(5001102, LockSetting.WIFI_POWER_SAVING, SETTING_ON)
    await client.update_setting(
        5001102, LockSetting.WIFI_POWER_SAVING, SETTING_ON, via_gateway=False
    )
