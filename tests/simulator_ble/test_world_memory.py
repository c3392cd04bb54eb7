"""One truth per lock: a world-linked SimulatedLock and the simulated cloud share the lock's memory.

The lock's memory (keypad codes, cards, fingerprints) is one table for both paths: a code
written over Bluetooth opens at ``World.enter_code`` and one a gateway wrote opens on the
Bluetooth lock's keypad; a delete by either path removes it for both. The cloud's lists are
separate bookkeeping: what was recorded (gateway operations record themselves; Bluetooth ones
show up once the app records them with addType 1, which then leaves the lock alone).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
import pytest
from sim_ble_driver import SimLink
from sim_ble_helpers import open_link

from custom_components.ttlock_access.sdk.ble import (
    AddCard,
    AddFingerprint,
    AddKnownCard,
    AddPasscode,
    DeleteCard,
    DeletePasscode,
    GetOperationLog,
    ListCards,
    ListPasscodes,
    LockKeys,
    PasscodeType,
    parse_lock_data,
)
from simulator import CloudServer, World, load_scenario
from simulator.ble import SimulatedLock, VirtualAir
from simulator.ble.world_link import lock_from_world
from simulator.directory import md5_hex
from simulator.lockside import lock_memory

FRONT_DOOR = 5001101  # behind the Hallway Gateway: both paths reach it
DEMO_UID = 8123456
FROZEN_MS = 1_795_000_000_000  # 2026-11-18 11:06:40 UTC (12:06:40 on the lock)
HOUR_MS = 3_600_000


@pytest.fixture
def world() -> World:
    world = load_scenario("home")
    world.clock.freeze(FROZEN_MS)
    return world


@pytest.fixture
def front(world: World, air: VirtualAir) -> SimulatedLock:
    return air.add(lock_from_world(world, FRONT_DOOR))


@pytest.fixture
def keys(world: World) -> LockKeys:
    """Key material as the integration gets it: the cloud's lockData."""
    return dataclasses.replace(parse_lock_data(world.locks[FRONT_DOOR].lock_data), uid=DEMO_UID)


@dataclass
class Cloud:
    """Hand-written Open API calls against the simulated cloud."""

    session: aiohttp.ClientSession
    base_url: str
    token: str
    world: World

    async def call(self, endpoint: str, *, method: str = "POST", **params: Any) -> dict[str, Any]:
        fields = {
            "clientId": "sim-client-id",
            "accessToken": self.token,
            "date": str(self.world.now_ms()),
            **{key: str(value) for key, value in params.items()},
        }
        url = f"{self.base_url}/v3/{endpoint}"
        if method == "GET":
            async with self.session.get(url, params=fields) as response:
                body = await response.json()
        else:
            async with self.session.post(url, data=fields) as response:
                body = await response.json()
        assert body.get("errcode", 0) == 0, body
        return dict(body)

    async def listed(self, endpoint: str, key: str) -> list[str]:
        body = await self.call(
            endpoint, method="GET", lockId=FRONT_DOOR, pageNo=1, pageSize=100, orderBy=0
        )
        return [str(item[key]) for item in body["list"]]


@pytest.fixture
async def cloud(world: World, socket_enabled: None) -> AsyncIterator[Cloud]:
    server = CloudServer(world)
    base_url = await server.start("127.0.0.1", 0)
    async with aiohttp.ClientSession() as session:
        form = {
            "clientId": "sim-client-id",
            "clientSecret": "sim-client-secret",
            "username": "demo@example.com",
            "password": md5_hex("demo-password"),
        }
        async with session.post(f"{base_url}/oauth2/token", data=form) as response:
            token = str((await response.json())["access_token"])
        yield Cloud(session, base_url, token, world)
    await server.stop()


@pytest.fixture
async def link(air: VirtualAir, front: SimulatedLock) -> AsyncIterator[SimLink]:
    sim_link = await open_link(air, front)
    yield sim_link
    await sim_link.client.disconnect()


def relock(front: SimulatedLock) -> None:
    front.set_locked(True)


# --- passcodes ---------------------------------------------------------------------------------


async def test_bluetooth_code_opens_both_keypads_and_is_listed_once_recorded(
    world: World, front: SimulatedLock, link: SimLink, keys: LockKeys, cloud: Cloud
) -> None:
    await link.run(AddPasscode(keys, "482916"))
    before = len(world.records[FRONT_DOOR])
    result = world.enter_code(FRONT_DOOR, "482916")
    assert result.success and result.name == ""  # not in the cloud's list yet
    relock(front)
    assert front.enter_code("482916")
    assert world.locks[FRONT_DOOR].state == 1
    assert len(world.records[FRONT_DOOR]) == before + 2  # one record per attempt
    # the cloud lists only what was recorded
    assert await cloud.listed("lock/listKeyboardPwd", "keyboardPwd") == []
    body = await cloud.call(
        "keyboardPwd/add",
        lockId=FRONT_DOOR,
        keyboardPwd="482916",
        keyboardPwdName="Cleaner",
        keyboardPwdType=2,
        addType=1,
    )
    assert await cloud.listed("lock/listKeyboardPwd", "keyboardPwd") == ["482916"]
    held = lock_memory(world.locks[FRONT_DOOR]).passcodes["482916"]
    assert held.raw_start is not None  # still the entry Bluetooth wrote: addType 1 left it
    relock(front)
    result = world.enter_code(FRONT_DOOR, "99482916")  # anti-peep
    assert (result.success, result.name, result.credential_id) == (
        True,
        "Cleaner",
        body["keyboardPwdId"],
    )
    record = world.records[FRONT_DOOR][-1]
    assert (record.record_type, record.record_type_from_lock, record.success) == (4, 4, 1)
    assert (record.username, record.keyboard_pwd) == ("Cleaner", "482916")
    assert result.record == record
    # typed on the Bluetooth lock's keypad: its own operation log has it too
    assert (front.log[-1].kind, front.log[-1].code, front.log[-1].entered) == (
        4,
        "482916",
        "99482916",
    )


async def test_gateway_code_opens_the_bluetooth_keypad_record_only_does_not(
    world: World, front: SimulatedLock, link: SimLink, keys: LockKeys, cloud: Cloud
) -> None:
    await cloud.call(
        "keyboardPwd/add",
        lockId=FRONT_DOOR,
        keyboardPwd="135790",
        keyboardPwdName="Nanny",
        keyboardPwdType=3,
        startDate=FROZEN_MS - HOUR_MS,
        endDate=FROZEN_MS + HOUR_MS,
        addType=2,
    )
    assert front.enter_code("135790")
    assert world.records[FRONT_DOOR][-1].username == "Nanny"
    listed = await link.run(ListPasscodes(keys))  # the lock lists it, in lock wall time
    assert [(p.code, p.start, p.end) for p in listed] == [
        ("135790", datetime(2026, 11, 18, 11, 6), datetime(2026, 11, 18, 13, 6))
    ]
    # a record-only add the app never did over Bluetooth: listed, but the lock does not know it
    await cloud.call(
        "keyboardPwd/add", lockId=FRONT_DOOR, keyboardPwd="246801", keyboardPwdType=2, addType=1
    )
    assert sorted(await cloud.listed("lock/listKeyboardPwd", "keyboardPwd")) == [
        "135790",
        "246801",
    ]
    relock(front)
    assert not front.enter_code("246801")
    assert world.enter_code(FRONT_DOOR, "246801").reason == "unknown"
    # the gateway's window holds on both keypads
    world.clock.advance(2 * 3600)
    assert world.enter_code(FRONT_DOOR, "135790").reason == "expired"
    assert not front.enter_code("135790")
    assert front.log[-1].kind == 11  # §5.8 "passcode expired"


async def test_delete_by_either_path_removes_the_code_for_both(
    world: World, front: SimulatedLock, link: SimLink, keys: LockKeys, cloud: Cloud
) -> None:
    await link.run(AddPasscode(keys, "111222", kind=PasscodeType.PERMANENT))
    bluetooth_id = (
        await cloud.call(
            "keyboardPwd/add", lockId=FRONT_DOOR, keyboardPwd="111222", keyboardPwdType=2
        )
    )["keyboardPwdId"]
    gateway_id = (
        await cloud.call(
            "keyboardPwd/add",
            lockId=FRONT_DOOR,
            keyboardPwd="333444",
            keyboardPwdType=2,
            addType=2,
        )
    )["keyboardPwdId"]
    # delete the gateway's code over Bluetooth: gone from the lock, still in the cloud's list
    await link.run(DeletePasscode(keys, "333444", kind=PasscodeType.PERMANENT))
    assert world.enter_code(FRONT_DOOR, "333444").reason == "unknown"
    assert "333444" in await cloud.listed("lock/listKeyboardPwd", "keyboardPwd")
    await cloud.call(
        "keyboardPwd/delete", lockId=FRONT_DOOR, keyboardPwdId=gateway_id, deleteType=1
    )
    assert await cloud.listed("lock/listKeyboardPwd", "keyboardPwd") == ["111222"]
    # delete the Bluetooth code through the gateway: the Bluetooth lock forgets it too
    await cloud.call(
        "keyboardPwd/delete", lockId=FRONT_DOOR, keyboardPwdId=bluetooth_id, deleteType=2
    )
    relock(front)
    assert not front.enter_code("111222")
    assert await link.run(ListPasscodes(keys)) == []
    assert await cloud.listed("lock/listKeyboardPwd", "keyboardPwd") == []


async def test_offline_codes_open_the_bluetooth_keypad(
    world: World, front: SimulatedLock, link: SimLink, keys: LockKeys, cloud: Cloud
) -> None:
    start = FROZEN_MS - FROZEN_MS % HOUR_MS
    body = await cloud.call(
        "keyboardPwd/get",
        lockId=FRONT_DOOR,
        keyboardPwdType=2,
        keyboardPwdName="Guest",
        startDate=start,
    )
    code = body["keyboardPwd"]
    assert front.enter_code(code)
    record = world.records[FRONT_DOOR][-1]
    assert (record.record_type_from_lock, record.username, record.keyboard_pwd) == (
        4,
        "Guest",
        code,
    )
    logged = await link.run(GetOperationLog(keys))
    assert [(r.type, r.passcode) for r in logged][-1] == (4, code)
    # the app deletes the offline code over Bluetooth: both keypads refuse it now
    await link.run(DeletePasscode(keys, code, kind=PasscodeType.PERMANENT))
    refused = world.enter_code(FRONT_DOOR, code)
    assert (refused.success, refused.reason) == (False, "deleted")
    assert world.records[FRONT_DOOR][-1].record_type_from_lock == 13


async def test_erase_code_on_the_bluetooth_keypad_wipes_bluetooth_codes(
    world: World, front: SimulatedLock, link: SimLink, keys: LockKeys, cloud: Cloud
) -> None:
    await link.run(AddPasscode(keys, "24682468", kind=PasscodeType.PERMANENT))
    start = FROZEN_MS - FROZEN_MS % HOUR_MS
    erase = (
        await cloud.call("keyboardPwd/get", lockId=FRONT_DOOR, keyboardPwdType=4, startDate=start)
    )["keyboardPwd"]
    assert front.enter_code(erase)
    assert front.log[-1].kind == 10  # erase code used
    assert world.enter_code(FRONT_DOOR, "24682468").reason == "erased"
    assert await link.run(ListPasscodes(keys)) == []
    assert front.enter_code(front.admin_code or "")  # the admin keypad code survives


# --- cards and fingerprints -----------------------------------------------------------------


async def test_cards_one_memory(
    world: World, front: SimulatedLock, link: SimLink, keys: LockKeys, cloud: Cloud
) -> None:
    await link.run(AddKnownCard(keys, 3661413478))
    assert world.present_card(FRONT_DOOR, 3661413478).success
    assert front.log[-1].kind == 17  # read by the Bluetooth lock's reader
    assert await cloud.listed("identityCard/list", "cardNumber") == []
    await cloud.call(
        "identityCard/add", lockId=FRONT_DOOR, cardNumber=3661413478, cardName="Anna", addType=1
    )
    assert await cloud.listed("identityCard/list", "cardNumber") == ["3661413478"]
    assert world.present_card(FRONT_DOOR, 3661413478).name == "Anna"
    # through the gateway: the Bluetooth lock's reader takes it, its list shows it
    card_id = (await cloud.call("identityCard/add", lockId=FRONT_DOOR, cardNumber=1001, addType=2))[
        "cardId"
    ]
    relock(front)
    assert front.present_card(1001)
    assert sorted(c.number for c in await link.run(ListCards(keys))) == [1001, 3661413478]
    await cloud.call("identityCard/delete", lockId=FRONT_DOOR, cardId=card_id, deleteType=2)
    assert not front.present_card(1001)
    # deleted over Bluetooth: the world's reader refuses it
    await link.run(DeleteCard(keys, 3661413478))
    assert world.present_card(FRONT_DOOR, 3661413478).reason == "unknown"


async def test_enrolled_card_and_finger_reach_the_world_memory(
    world: World, front: SimulatedLock, link: SimLink, keys: LockKeys, cloud: Cloud
) -> None:
    link.on_progress = lambda _progress: front.present_card(77001)
    await link.run(AddCard(keys))
    assert "77001" in lock_memory(world.locks[FRONT_DOOR]).cards
    link.on_progress = lambda _progress: front.place_finger()
    finger = await link.run(AddFingerprint(keys))
    number = str(finger.fingerprint_id)
    assert number in lock_memory(world.locks[FRONT_DOOR]).fingerprints
    assert world.present_fingerprint(FRONT_DOOR, number).success
    assert world.present_card(FRONT_DOOR, 77001).success
    # the cloud shows them only once the app records them (fingerprint/add is record-only)
    assert await cloud.listed("fingerprint/list", "fingerprintNumber") == []
    await cloud.call(
        "fingerprint/add",
        lockId=FRONT_DOOR,
        fingerprintNumber=number,
        fingerprintName="Thumb",
        addType=1,
    )
    assert await cloud.listed("fingerprint/list", "fingerprintNumber") == [number]
    result = world.present_fingerprint(FRONT_DOOR, number)
    assert (result.success, result.name) == (True, "Thumb")
    assert world.records[FRONT_DOOR][-1].username == "Thumb"


async def test_world_entry_points_reach_a_connected_app(
    world: World, front: SimulatedLock, link: SimLink, keys: LockKeys
) -> None:
    """The world's keypad is the Bluetooth lock's: a connected app gets its state push."""
    await link.subscribe()
    relock(front)
    admin_code = world.locks[FRONT_DOOR].keys.no_key_pwd
    assert world.enter_code(FRONT_DOOR, admin_code).success
    await link.run(GetOperationLog(keys))  # a round trip: the push arrived before the reply
    assert link.idle_frames or link.pushes
    assert not front.locked


def test_detached_lock_leaves_the_world_keypad(world: World, front: SimulatedLock) -> None:
    front.world_link.detach()
    world.enter_code(FRONT_DOOR, "0000")
    assert front.log == []  # the world's keypad no longer types on the detached lock
