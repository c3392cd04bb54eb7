"""TTLockCloud credential methods against the simulated cloud (docs/cloud.md §2.2–§2.5).

Passcodes (offline and custom), IC cards, fingerprints, faces and eKeys: the SDK sends the
right parameters (method selector 2 through the serialised gateway path or 1 record-only,
``cyclicConfig`` as a JSON string), parses the lists into models that hide their secrets,
and maps the errcodes to typed errors. The simulated lock side checks that the changes
really reached the lock.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from custom_components.ttlock_access.sdk.cloud import TTLockCloud, md5_password
from custom_components.ttlock_access.sdk.cloud import errors as E
from custom_components.ttlock_access.sdk.cloud.parse import (
    parse_card,
    parse_cyclic_config,
    parse_ekey,
    parse_face,
    parse_fingerprint,
    parse_passcode,
)
from custom_components.ttlock_access.sdk.model import (
    CyclicPeriod,
    EKeyStatus,
    PasscodeType,
)
from simulator import World
from simulator.credentials import SimPasscode

CLIENT = {"client_id": "sim-client-id", "client_secret": "sim-client-secret"}
USER, PASSWORD = "demo@example.com", "demo-password"
SECOND = "second@example.com"
FRONT_DOOR, GARAGE, BACK_DOOR = 5001101, 5001102, 5001103
GATEWAY = 301001
T0 = 1_772_442_000_000  # 2026-03-02 09:00 UTC, a Monday (10:00 on the locks' clocks)
HOUR = 3_600_000
DAY = 24 * HOUR


async def cloud_at_t0(
    world: World, session: aiohttp.ClientSession, url: str, **kwargs: Any
) -> TTLockCloud:
    """A signed-in client whose clock is the (frozen) world clock."""
    world.clock.freeze(T0)
    client = TTLockCloud(
        session, base_url=url, clock=lambda: world.now_ms() / 1000, **{**CLIENT, **kwargs}
    )
    await client.login(USER, md5_password(PASSWORD))
    return client


@pytest.fixture
async def env(world_server: tuple[World, str], session) -> tuple[World, TTLockCloud]:
    world, url = world_server
    return world, await cloud_at_t0(world, session, url)


# --- passcodes --------------------------------------------------------------------------------


async def test_offline_passcode(env: tuple[World, TTLockCloud]) -> None:
    world, client = env
    issued = await client.get_offline_passcode(
        FRONT_DOOR, PasscodeType.DAILY, start_ms=T0, end_ms=T0 + 4 * HOUR, name="Nanny"
    )
    assert issued.type is PasscodeType.DAILY and not issued.is_custom
    assert issued.keyboard_pwd.isdigit() and issued.keyboard_pwd not in repr(issued)
    [listed] = await client.list_passcodes(FRONT_DOOR)
    assert listed.passcode_id == issued.passcode_id and listed.keyboard_pwd == issued.keyboard_pwd
    assert (listed.name, listed.type, listed.is_custom) == ("Nanny", PasscodeType.DAILY, False)
    assert (listed.start_date, listed.end_date, listed.sender_username) == (T0, T0 + 4 * HOUR, USER)
    assert world.enter_code(FRONT_DOOR, issued.keyboard_pwd).success
    one_time = await client.get_offline_passcode(
        BACK_DOOR, PasscodeType.ONE_TIME, start_ms=T0 + 20 * 60_000
    )
    assert one_time.end_date is None and len(one_time.keyboard_pwd) == 9
    with pytest.raises(ValueError, match="end_ms"):
        await client.get_offline_passcode(FRONT_DOOR, PasscodeType.PERIOD, start_ms=T0)
    with pytest.raises(E.PasscodeExistsError):  # same start + end as the first code
        await client.get_offline_passcode(
            FRONT_DOOR, PasscodeType.WEEKEND, start_ms=T0, end_ms=T0 + 4 * HOUR
        )
    lock = world.locks[FRONT_DOOR]
    from dataclasses import replace

    lock.keys = replace(lock.keys, pwd_info_entries=())
    with pytest.raises(E.NoPasswordDataError):
        await client.get_offline_passcode(FRONT_DOOR, PasscodeType.PERMANENT, start_ms=T0)


async def test_custom_passcode_lifecycle(env: tuple[World, TTLockCloud]) -> None:
    world, client = env
    passcode_id = await client.add_passcode(
        FRONT_DOOR, "482913", name="Cleaner", start_ms=T0, end_ms=T0 + DAY
    )
    [code] = await client.list_passcodes(FRONT_DOOR)
    assert (code.passcode_id, code.type, code.is_custom) == (passcode_id, PasscodeType.PERIOD, True)
    assert "482913" not in repr(code)
    assert world.enter_code(FRONT_DOOR, "99482913").success
    # a rename needs no gateway; changing the code does
    world.set_gateway_online(GATEWAY, False)
    await client.change_passcode(FRONT_DOOR, passcode_id, name="Cleaner (Mon)")
    with pytest.raises(E.GatewayOfflineError):
        await client.change_passcode(FRONT_DOOR, passcode_id, new_code="135790")
    world.set_gateway_online(GATEWAY, True)
    await client.change_passcode(
        FRONT_DOOR, passcode_id, new_code="135790", start_ms=T0, end_ms=T0 + 2 * DAY
    )
    [code] = await client.list_passcodes(FRONT_DOOR, search="Cleaner")
    assert (code.keyboard_pwd, code.name, code.end_date) == (
        "135790",
        "Cleaner (Mon)",
        T0 + 2 * DAY,
    )
    assert world.enter_code(FRONT_DOOR, "135790").success
    await client.delete_passcode(FRONT_DOOR, passcode_id)
    assert await client.list_passcodes(FRONT_DOOR) == []
    assert not world.enter_code(FRONT_DOOR, "135790").success
    permanent = await client.add_passcode(FRONT_DOOR, "2468")
    [code] = await client.list_passcodes(FRONT_DOOR)
    assert (code.passcode_id, code.type, code.end_date) == (permanent, PasscodeType.PERMANENT, 0)


async def test_passcode_errors(env: tuple[World, TTLockCloud]) -> None:
    world, client = env
    await client.add_passcode(FRONT_DOOR, "1234", name="Alice")
    with pytest.raises(E.PasscodeExistsError):
        await client.add_passcode(FRONT_DOOR, "1234")
    with pytest.raises(E.EKeyError) as duplicate_name:  # -1016 "identical name"
        await client.add_passcode(FRONT_DOOR, "5678", name="Alice")
    assert duplicate_name.value.errcode == -1016
    with pytest.raises(ValueError, match="4–9 digits"):
        await client.add_passcode(FRONT_DOOR, "123")
    with pytest.raises(ValueError, match="start_ms"):
        await client.add_passcode(FRONT_DOOR, "5678", end_ms=T0)
    with pytest.raises(E.NoGatewayError):
        await client.add_passcode(BACK_DOOR, "5678")
    await client.add_passcode(BACK_DOOR, "5678", via_gateway=False)  # after a Bluetooth add
    await client.add_passcode(GARAGE, "5678", asynchronous=True)
    world.set_wifi_online(GARAGE, False)
    with pytest.raises(E.LockOfflineError):
        await client.add_passcode(GARAGE, "8765")
    lock = world.locks[FRONT_DOOR]
    for index in range(249):
        lock.passcodes[10 + index] = SimPasscode(
            10 + index, FRONT_DOOR, f"7{index:04d}", "", 2, T0, 0, True, USER, T0, T0
        )
    with pytest.raises(E.PasscodeStorageFullError):
        await client.add_passcode(FRONT_DOOR, "97531")
    offline = await client.get_offline_passcode(FRONT_DOOR, PasscodeType.PERMANENT, start_ms=T0)
    with pytest.raises(E.PasscodeNeverUsedError):
        await client.change_passcode(FRONT_DOOR, offline.passcode_id, new_code="86420")
    with pytest.raises(ValueError, match="together"):
        await client.change_passcode(FRONT_DOOR, offline.passcode_id, start_ms=T0)
    with pytest.raises(ValueError, match="nothing"):
        await client.change_passcode(FRONT_DOOR, offline.passcode_id)


async def test_remote_changes_are_serialised_and_retried(
    world_server: tuple[World, str], session
) -> None:
    world, url = world_server
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = await cloud_at_t0(world, session, url, sleep=fake_sleep)
    world.set_gateway_latency(0.02)
    # two gateway commands at once never collide (the simulator would answer -3003)
    await asyncio.gather(
        client.add_passcode(FRONT_DOOR, "1111"),
        client.add_card(FRONT_DOOR, "3661413478"),
        client.unlock(FRONT_DOOR),
    )
    assert sleeps == []
    world.faults.fail_next("identityCard/delete", errcode=-3003, times=1)
    [card] = await client.list_cards(FRONT_DOOR)
    await client.delete_card(FRONT_DOOR, card.card_id)
    assert sleeps == [1.0]
    assert await client.list_cards(FRONT_DOOR) == []


async def test_calls_are_reported(world_server: tuple[World, str], session) -> None:
    world, url = world_server
    calls: list[str] = []
    client = await cloud_at_t0(world, session, url, on_call=calls.append)
    await client.add_passcode(FRONT_DOOR, "4321")
    await client.list_passcodes(FRONT_DOOR)
    assert calls[-2:] == ["v3/keyboardPwd/add", "v3/lock/listKeyboardPwd"]


# --- IC cards ---------------------------------------------------------------------------------


async def test_cards(env: tuple[World, TTLockCloud]) -> None:
    world, client = env
    reversed_id = await client.add_card(FRONT_DOOR, "3661413478", name="Mom", reversed=True)
    weekdays = CyclicPeriod(weekdays=(1, 2, 3, 4, 5), start_minute=480, end_minute=1080)
    plain_id = await client.add_card(
        FRONT_DOOR, "12345", name="Cleaner", start_ms=T0, end_ms=T0 + 30 * DAY, cyclic=weekdays
    )
    cards = {card.card_id: card for card in await client.list_cards(FRONT_DOOR)}
    mom = cards[reversed_id]
    assert (mom.card_number, mom.name, mom.is_permanent, mom.cyclic) == (
        "1723612378",
        "Mom",
        True,
        None,
    )
    assert "1723612378" not in repr(mom)
    cleaner = cards[plain_id]
    assert cleaner.cyclic == weekdays and cleaner.start_date == T0
    assert world.present_card(FRONT_DOOR, "1723612378").success
    assert world.present_card(FRONT_DOOR, 12345).success  # Monday 10:00, inside the window
    weekend = CyclicPeriod(weekdays=(6, 7), start_minute=0, end_minute=1440)
    await client.change_card_period(
        FRONT_DOOR, plain_id, start_ms=T0, end_ms=T0 + DAY, cyclic=weekend
    )
    assert world.present_card(FRONT_DOOR, 12345).reason == "outside_window"
    await client.rename_card(FRONT_DOOR, plain_id, "Weekend cleaner")
    [found] = await client.list_cards(FRONT_DOOR, search="weekend")
    assert (found.name, found.cyclic) == ("Weekend cleaner", weekend)
    with pytest.raises(ValueError, match="permanent"):
        await client.change_card_period(FRONT_DOOR, plain_id, start_ms=0, end_ms=0)
    await client.delete_card(FRONT_DOOR, plain_id)
    with pytest.raises(E.CardNotFoundError):
        await client.delete_card(FRONT_DOOR, plain_id)
    with pytest.raises(E.NoGatewayError):
        await client.add_card(BACK_DOOR, "77")
    await client.add_card(BACK_DOOR, "77", via_gateway=False)
    await client.clear_cards(BACK_DOOR)
    assert await client.list_cards(BACK_DOOR) == []
    with pytest.raises(ValueError, match="start_ms < end_ms"):
        await client.add_card(FRONT_DOOR, "88", start_ms=T0)


# --- fingerprints -----------------------------------------------------------------------------


async def test_fingerprints(env: tuple[World, TTLockCloud]) -> None:
    world, client = env
    fp_id = await client.add_fingerprint(FRONT_DOOR, "44668054142981", name="Mom")
    [fingerprint] = await client.list_fingerprints(FRONT_DOOR)
    assert (fingerprint.fingerprint_id, fingerprint.name, fingerprint.is_permanent) == (
        fp_id,
        "Mom",
        True,
    )
    assert "44668054142981" not in repr(fingerprint)
    assert world.present_fingerprint(FRONT_DOOR, "44668054142981").success
    await client.rename_fingerprint(FRONT_DOOR, fp_id, "Mother")
    await client.change_fingerprint_period(
        FRONT_DOOR, fp_id, start_ms=T0 + DAY, end_ms=T0 + 2 * DAY
    )
    [fingerprint] = await client.list_fingerprints(FRONT_DOOR, search="moth")
    assert (fingerprint.name, fingerprint.start_date) == ("Mother", T0 + DAY)
    assert not world.present_fingerprint(FRONT_DOOR, "44668054142981").success
    await client.delete_fingerprint(FRONT_DOOR, fp_id)
    with pytest.raises(E.FingerprintNotFoundError):
        await client.delete_fingerprint(FRONT_DOOR, fp_id, via_gateway=False)
    await client.add_fingerprint(
        FRONT_DOOR, "1", cyclic=CyclicPeriod(weekdays=(3,), start_minute=0, end_minute=60)
    )
    await client.clear_fingerprints(FRONT_DOOR)
    assert await client.list_fingerprints(FRONT_DOOR) == []
    with pytest.raises(E.NotSupportedError):  # Garage has no fingerprint reader
        await client.add_fingerprint(GARAGE, "2")


# --- faces ------------------------------------------------------------------------------------


async def test_faces(env: tuple[World, TTLockCloud]) -> None:
    world, client = env
    lock = world.add_lock(
        lock_alias="Face Door",
        admin=USER,
        features=(0, 8, 10, 34, 53),
        gateways=[(GATEWAY, -60)],
    )
    face_id = await client.add_face(lock.lock_id, feature_data="F0E41DEAEDF7F314", name="Ann")
    bt_id = await client.add_face(
        lock.lock_id,
        face_number="4466805",
        name="Bob",
        via_gateway=False,
        cyclic=CyclicPeriod(weekdays=(1,), start_minute=0, end_minute=720),
    )
    faces = {face.face_id: face for face in await client.list_faces(lock.lock_id)}
    assert faces[face_id].name == "Ann" and faces[face_id].face_number.isdigit()
    assert faces[face_id].status == 1 and faces[face_id].sender_username == USER
    assert faces[bt_id].face_number == "4466805" and faces[bt_id].cyclic is not None
    assert "4466805" not in repr(faces[bt_id])
    await client.rename_face(lock.lock_id, face_id, "Anna")
    await client.change_face_period(lock.lock_id, face_id, start_ms=T0, end_ms=T0 + DAY)
    [anna] = await client.list_faces(lock.lock_id, search="anna")
    assert (anna.end_date, anna.name) == (T0 + DAY, "Anna")
    await client.delete_face(lock.lock_id, face_id)
    await client.clear_faces(lock.lock_id)
    assert await client.list_faces(lock.lock_id) == []
    with pytest.raises(ValueError, match="feature_data"):
        await client.add_face(lock.lock_id, face_number="1")
    with pytest.raises(ValueError, match="face_number"):
        await client.add_face(lock.lock_id, feature_data="AA", via_gateway=False)
    with pytest.raises(E.NotSupportedError):
        await client.add_face(FRONT_DOOR, feature_data="AA")


# --- eKeys ------------------------------------------------------------------------------------


async def test_ekeys(env: tuple[World, TTLockCloud], session: aiohttp.ClientSession) -> None:
    world, client = env
    key_id = await client.send_ekey(
        FRONT_DOOR,
        SECOND,
        name="Key for Second",
        start_ms=T0,
        end_ms=T0 + 7 * DAY,
        remarks="welcome",
        remote_unlock=True,
    )
    [key] = await client.list_lock_ekeys(FRONT_DOOR)
    assert (key.key_id, key.username, key.name, key.status) == (
        key_id,
        SECOND,
        "Key for Second",
        EKeyStatus.NORMAL,
    )
    assert key.remote_unlock and not key.authorized and not key.frozen
    assert (key.remarks, key.sender_username, key.end_date) == ("welcome", USER, T0 + 7 * DAY)
    await client.freeze_ekey(key_id)
    assert (await client.list_lock_ekeys(FRONT_DOOR))[0].frozen
    await client.unfreeze_ekey(key_id)
    await client.update_ekey(key_id, name="Second")
    await client.change_ekey_period(key_id, start_ms=0, end_ms=0)
    await client.authorize_ekey(FRONT_DOOR, key_id)
    [key] = await client.list_lock_ekeys(FRONT_DOOR, search="sec")
    assert (key.name, key.authorized, key.start_date, key.end_date) == ("Second", True, 0, 0)
    await client.unauthorize_ekey(FRONT_DOOR, key_id)
    link = await client.get_ekey_unlock_link(key_id)
    async with session.get(link) as response:
        assert (await response.json())["errcode"] == 0
    assert world.locks[FRONT_DOOR].state == 1
    assert world.records[FRONT_DOOR][-1].username == SECOND
    await client.update_ekey(key_id, remote_unlock=False)
    with pytest.raises(E.NotSupportedError):
        await client.get_ekey_unlock_link(key_id)
    with pytest.raises(ValueError, match="nothing"):
        await client.update_ekey(key_id)
    with pytest.raises(E.EKeyError) as to_self:
        await client.send_ekey(FRONT_DOOR, USER, name="me")
    assert to_self.value.errcode == -2019
    with pytest.raises(E.EKeyError) as unregistered:
        await client.send_ekey(FRONT_DOOR, "new@example.com", name="x")
    assert unregistered.value.errcode == -4064
    created = await client.send_ekey(FRONT_DOOR, "new@example.com", name="x", create_user=True)
    await client.delete_ekey(key_id)
    assert [k.key_id for k in await client.list_lock_ekeys(FRONT_DOOR)] == [created]
    with pytest.raises(E.EKeyError):
        await client.freeze_ekey(key_id)


# --- parsers ----------------------------------------------------------------------------------


def test_cyclic_period_json() -> None:
    period = CyclicPeriod(weekdays=(2, 1, 2), start_minute=480, end_minute=1080)
    assert period.to_json() == [
        {"weekDay": 1, "startTime": 480, "endTime": 1080},
        {"weekDay": 2, "startTime": 480, "endTime": 1080},
    ]
    text = json.dumps(period.to_json())
    assert parse_cyclic_config(text) == parse_cyclic_config(period.to_json())
    assert parse_cyclic_config(text) == CyclicPeriod(
        weekdays=(1, 2), start_minute=480, end_minute=1080
    )
    for bad in (None, "", "[{", "{}", [], [{"weekDay": 9, "startTime": 0, "endTime": 1}]):
        assert parse_cyclic_config(bad) is None
    mixed = [
        {"weekDay": 1, "startTime": 0, "endTime": 60},
        {"weekDay": 2, "startTime": 0, "endTime": 90},
    ]
    assert parse_cyclic_config(mixed) == CyclicPeriod(weekdays=(1,), start_minute=0, end_minute=60)
    for kwargs in ({"weekdays": ()}, {"weekdays": (8,)}, {"start_minute": 60, "end_minute": 60}):
        with pytest.raises(ValueError, match=r"need|weekdays"):
            CyclicPeriod(**{"weekdays": (1,), "start_minute": 0, "end_minute": 60, **kwargs})


def test_parsers_accept_the_docs_examples() -> None:
    """String-typed numbers and the alternative spellings of the doc examples."""
    passcode = parse_passcode(
        {
            "keyboardPwdId": 3234293,
            "lockId": 532323,
            "keyboardPwd": "034234",
            "keyboardPwdName": "Jack",
            "keyboardPwdType": "3",
            "startDate": 1528878944000,
            "endDate": 1628878944000,
            "sendDate": 1528878944000,
            "senderUsername": "alexa@google.com",
        }
    )
    assert passcode.type is PasscodeType.PERIOD and passcode.keyboard_pwd == "034234"
    assert not passcode.is_custom and passcode.sender_username == "alexa@google.com"
    assert parse_passcode({"keyboardPwdId": 1, "keyboardPwdType": 99}, 7).type is None
    assert parse_passcode({"keyboardPwdId": 1}, 7).lock_id == 7
    card = parse_card(
        {
            "cardId": 124242,
            "lockId": 163377,
            "cardNumber": "1723612378",
            "cardName": "Card for mom",
            "cardType": 4,
            "startDate": 1625025703000,
            "endDate": 1645025703000,
            "createDate": 1625025703000,
        }
    )
    assert card.cyclic is None and not card.is_permanent
    fingerprint = parse_fingerprint({"fingerprintId": "224242", "fingerprintNumber": 4466})
    assert (fingerprint.fingerprint_id, fingerprint.fingerprint_number) == (224242, "4466")
    face = parse_face(
        {
            "faceId": 224242,
            "lockId": 163377,
            "faceNumber": "44668054142981",
            "faceType": 1,
            "faceName": "face",
            "startDate": 1625025703000,
            "endDate": 1645025703000,
            "nickname": "alexa@google.com",
        }
    )
    assert (face.name, face.sender_username) == ("face", "alexa@google.com")
    key = parse_ekey(
        {
            "keyId": 3234293,
            "lockId": 532323,
            "username": "jack@google.com",
            "uid": 6355997,
            "keyName": "Ekey for Jack",
            "keyStatus": "110405",
            "startDate": 1528878944000,
            "endDate": 1628878944000,
            "keyRight": 1,
            "remoteEnable": 2,
        }
    )
    assert key.frozen and key.authorized and not key.remote_unlock
    for parse, item in (
        (parse_passcode, {}),
        (parse_card, {"cardId": "x"}),
        (parse_ekey, {"lockId": 1}),
        (parse_face, {}),
    ):
        with pytest.raises(E.TTLockApiError):
            parse(item)
