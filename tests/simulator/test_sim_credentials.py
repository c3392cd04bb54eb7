"""Credential endpoints of the simulated cloud over loopback HTTP (``docs/cloud.md`` §2.2–§2.5).

Passcodes (custom and offline), IC cards, fingerprints, faces and eKeys: every endpoint,
its errcodes, gateway relaying (-2012 / -3002 / -3003 / -3036) and the lock side
(keypad with anti-peep, card and fingerprint readers, records).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sim_helpers import (
    BACK_DOOR,
    CLIENT_ID,
    DEMO_USER,
    FRONT_DOOR,
    GARAGE,
    HALLWAY_GATEWAY,
    LIFT,
    CloudClient,
)

from simulator import World
from simulator.credentials import (
    ADMIN_KEY_BASE,
    CUSTOM_PASSCODE_LIMIT,
    SimPasscode,
    reverse_card_number,
)
from simulator.offline_codes import OfflineCode

# 2026-03-02 09:00 UTC, a Monday: 10:00 on the locks' clocks (timezoneRawOffset +1 h)
T0 = 1_772_442_000_000
HOUR = 3_600_000
DAY = 24 * HOUR
SECOND_USER = "second@example.com"
SECOND_PASSWORD = "second-password"


@pytest.fixture
async def admin(cloud: CloudClient, world: World) -> CloudClient:
    """The demo account, signed in with the world clock frozen at T0."""
    world.clock.freeze(T0)
    await cloud.login()
    return cloud


def ok(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errcode", 0) == 0, body
    return body


def err(body: dict[str, Any], errcode: int) -> None:
    assert body.get("errcode") == errcode, body
    assert body["errmsg"] and body["description"]


async def passcodes(client: CloudClient, lock_id: int = FRONT_DOOR, **params: Any) -> list[dict]:
    body = ok(
        await client.call("lock/listKeyboardPwd", lockId=lock_id, pageNo=1, pageSize=200, **params)
    )
    return body["list"]


def last_record(world: World, lock_id: int = FRONT_DOOR):
    return world.records[lock_id][-1]


# --- offline passcodes: keyboardPwd/get -----------------------------------------------------


async def test_offline_codes_all_types(admin: CloudClient, world: World) -> None:
    lengths = {}
    for kind in range(1, 15):
        # cyclic windows differ: two offline codes may not share start + end
        end = T0 + (kind - 4) * HOUR if kind >= 5 else T0 + 30 * DAY
        body = ok(
            await admin.call(
                "keyboardPwd/get",
                method="POST",
                lockId=FRONT_DOOR,
                keyboardPwdType=kind,
                keyboardPwdName=f"type {kind}",
                startDate=T0,
                endDate=end,
            )
        )
        code = body["keyboardPwd"]
        assert isinstance(code, str) and code.isdigit()
        assert isinstance(body["keyboardPwdId"], int)
        lengths[kind] = len(code)
    assert lengths == {1: 9, 2: 7, 3: 9, 4: 7, **dict.fromkeys(range(5, 15), 8)}
    listed = {item["keyboardPwdName"]: item for item in await passcodes(admin)}
    assert len(listed) == 14
    one_time = listed["type 1"]
    assert one_time["isCustom"] == 0 and one_time["keyboardPwdType"] == 1
    assert one_time["endDate"] == T0 + 6 * HOUR
    assert listed["type 2"]["endDate"] == 0
    assert listed["type 3"]["endDate"] == T0 + 30 * DAY
    for item in listed.values():
        assert item["senderUsername"] == DEMO_USER and item["sendDate"] == T0
        assert item["lockId"] == FRONT_DOOR and item["startDate"] == T0


async def test_offline_code_hour_and_month_resolution(admin: CloudClient) -> None:
    start = T0 + 20 * 60_000  # 10:20 → 10:00
    ok(
        await admin.call(
            "keyboardPwd/get",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdType=3,
            keyboardPwdName="hours",
            startDate=start,
            endDate=T0 + 5 * HOUR + 59 * 60_000,
        )
    )
    # over a year: whole months (2026-03-02 10:00 + 14 months = 2027-05-02 10:00)
    ok(
        await admin.call(
            "keyboardPwd/get",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdType=3,
            keyboardPwdName="months",
            startDate=T0,
            endDate=T0 + 440 * DAY,
        )
    )
    listed = {item["keyboardPwdName"]: item for item in await passcodes(admin)}
    assert (listed["hours"]["startDate"], listed["hours"]["endDate"]) == (T0, T0 + 5 * HOUR)
    assert listed["months"]["endDate"] == 1_809_248_400_000  # 2027-05-02 09:00 UTC


async def test_offline_code_identical_window_rejected(admin: CloudClient, world: World) -> None:
    params = {"lockId": FRONT_DOOR, "keyboardPwdType": 3, "startDate": T0, "endDate": T0 + 5 * HOUR}
    first = ok(await admin.call("keyboardPwd/get", method="POST", **params))
    # same effective window (minutes round away), even for another type or after deletion
    err(
        await admin.call("keyboardPwd/get", method="POST", **{**params, "startDate": T0 + 60_000}),
        -3007,
    )
    err(
        await admin.call("keyboardPwd/get", method="POST", **{**params, "keyboardPwdType": 6}),
        -3007,
    )
    ok(
        await admin.call(
            "keyboardPwd/delete",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=first["keyboardPwdId"],
        )
    )
    err(await admin.call("keyboardPwd/get", method="POST", **params), -3007)
    # another lock is independent
    ok(await admin.call("keyboardPwd/get", method="POST", **{**params, "lockId": BACK_DOOR}))


async def test_offline_code_capacity(admin: CloudClient, world: World) -> None:
    lock = world.locks[FRONT_DOOR]
    lock.offline_issued.extend(OfflineCode(1, T0, T0 + 6 * HOUR, slot) for slot in range(199))
    last = ok(
        await admin.call(
            "keyboardPwd/get", method="POST", lockId=FRONT_DOOR, keyboardPwdType=1, startDate=T0
        )
    )
    err(
        await admin.call(
            "keyboardPwd/get", method="POST", lockId=FRONT_DOOR, keyboardPwdType=1, startDate=T0
        ),
        -3009,
    )
    # the next hour has its own 200; 20 permanent codes per start hour
    ok(
        await admin.call(
            "keyboardPwd/get",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdType=1,
            startDate=T0 + HOUR,
        )
    )
    codes = set()
    for _ in range(20):
        body = ok(
            await admin.call(
                "keyboardPwd/get", method="POST", lockId=FRONT_DOOR, keyboardPwdType=2, startDate=T0
            )
        )
        codes.add(body["keyboardPwd"])
    assert len(codes) == 20
    err(
        await admin.call(
            "keyboardPwd/get", method="POST", lockId=FRONT_DOOR, keyboardPwdType=2, startDate=T0
        ),
        -3009,
    )
    assert last["keyboardPwd"] not in codes


async def test_offline_code_errors(admin: CloudClient, world: World) -> None:
    def get(**params: Any):
        return admin.call("keyboardPwd/get", method="POST", **{"lockId": FRONT_DOOR, **params})

    err(await get(keyboardPwdType=15, startDate=T0), -3)
    err(await get(keyboardPwdType=3, startDate=T0), -3)  # period without end
    err(await get(keyboardPwdType=6, startDate=T0 + 12 * HOUR, endDate=T0 + 16 * HOUR), -3)
    err(await get(keyboardPwdType=1), -3)  # no startDate
    err(await get(keyboardPwdType=3, startDate=T0, endDate=T0 + 11 * 366 * DAY), -3)
    err(await get(keyboardPwdType=1, startDate=T0 + 12 * 366 * DAY), -1007)  # beyond table
    err(await get(lockId=LIFT, keyboardPwdType=1, startDate=T0), -4043)  # no keypad
    err(await get(lockId=999, keyboardPwdType=1, startDate=T0), -1003)
    plain = world.add_lock(lock_alias="Plain", admin=DEMO_USER, features=(0,))
    err(
        await get(lockId=plain.lock_id, keyboardPwdType=6, startDate=T0, endDate=T0 + HOUR), -4043
    )  # no cyclic-passcode feature (bit 12)
    from dataclasses import replace

    plain.keys = replace(plain.keys, pwd_info_entries=())
    err(await get(lockId=plain.lock_id, keyboardPwdType=1, startDate=T0), -1007)
    ok(await get(keyboardPwdType=1, startDate=T0, keyboardPwdName="Guest"))
    err(await get(keyboardPwdType=1, startDate=T0, keyboardPwdName="Guest"), -1016)


# --- custom passcodes -------------------------------------------------------------------------


async def test_add_custom_via_gateway_and_use(admin: CloudClient, world: World) -> None:
    body = ok(
        await admin.call(
            "keyboardPwd/add",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwd="482913",
            keyboardPwdName="Cleaner",
            keyboardPwdType=3,
            startDate=T0,
            endDate=T0 + DAY,
            addType=2,
        )
    )
    passcode_id = body["keyboardPwdId"]
    [item] = await passcodes(admin)
    assert item == {
        "keyboardPwdId": passcode_id,
        "lockId": FRONT_DOOR,
        "keyboardPwd": "482913",
        "keyboardPwdName": "Cleaner",
        "keyboardPwdType": 3,
        "startDate": T0,
        "endDate": T0 + DAY,
        "sendDate": T0,
        "isCustom": 1,
        "senderUsername": DEMO_USER,
    }
    result = world.enter_code(FRONT_DOOR, "0048291377")  # anti-peep: code inside noise
    assert result.success and result.name == "Cleaner"
    assert world.locks[FRONT_DOOR].state == 1
    record = last_record(world)
    assert (record.record_type, record.success, record.username, record.keyboard_pwd) == (
        4,
        1,
        "Cleaner",
        "482913",
    )
    assert record.record_type_from_lock == 4
    world.set_lock_state(FRONT_DOOR, 0)
    wrong = world.enter_code(FRONT_DOOR, "482914")
    assert not wrong.success and wrong.reason == "unknown"
    record = last_record(world)
    assert (record.success, record.username, record.keyboard_pwd) == (0, "", "482914")
    assert record.record_type_from_lock == 7
    world.clock.advance(DAY / 1000)
    expired = world.enter_code(FRONT_DOOR, "482913")
    assert not expired.success and expired.reason == "expired"
    assert last_record(world).username == "Cleaner" and last_record(world).success == 0


async def test_add_custom_permanent_record_only_and_async(admin: CloudClient, world: World) -> None:
    # Bluetooth-only lock: addType 1 records what the app wrote over Bluetooth
    ok(
        await admin.call(
            "keyboardPwd/add",
            method="POST",
            lockId=BACK_DOOR,
            keyboardPwd="7391",
            keyboardPwdType=2,
            addType=1,
        )
    )
    [item] = await passcodes(admin, BACK_DOOR)
    assert (item["keyboardPwdType"], item["startDate"], item["endDate"]) == (2, T0, 0)
    assert world.enter_code(BACK_DOOR, "7391").success
    err(
        await admin.call(
            "keyboardPwd/add",
            method="POST",
            lockId=BACK_DOOR,
            keyboardPwd="7392",
            keyboardPwdType=2,
            addType=2,
        ),
        -2012,
    )
    # addType 4: asynchronous, Wi-Fi locks only
    ok(
        await admin.call(
            "keyboardPwd/add",
            method="POST",
            lockId=GARAGE,
            keyboardPwd="55501",
            keyboardPwdType=2,
            addType=4,
        )
    )
    err(
        await admin.call(
            "keyboardPwd/add",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwd="55502",
            keyboardPwdType=2,
            addType=4,
        ),
        -4043,
    )


async def test_add_custom_errors(admin: CloudClient, world: World) -> None:
    def add(code: str, **params: Any):
        return admin.call(
            "keyboardPwd/add",
            method="POST",
            **{
                "lockId": FRONT_DOOR,
                "keyboardPwd": code,
                "keyboardPwdType": 2,
                "addType": 2,
                **params,
            },
        )

    for bad in ("123", "1234567890", "12a45"):
        err(await add(bad), -3006)
    ok(await add("24680", keyboardPwdName="Alice"))
    err(await add("24680"), -3007)
    err(await add("13579", keyboardPwdName="Alice"), -1016)
    err(await add("13579", keyboardPwdType=3), -3)  # period without dates
    err(await add("13579", keyboardPwdType=3, startDate=T0 + DAY, endDate=T0), -3)
    err(await add("13579", keyboardPwdType=4), -3)
    err(await add("13579", addType=3), -3)
    # gateway offline, Wi-Fi lock offline, gateway busy
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    err(await add("13579"), -3002)
    world.set_gateway_online(HALLWAY_GATEWAY, True)
    world.set_wifi_online(GARAGE, False)
    err(await add("13579", lockId=GARAGE), -3036)
    world._busy.add(f"gateway:{HALLWAY_GATEWAY}")  # another command is being relayed
    err(await add("13579"), -3003)
    world._busy.clear()
    ok(await add("13579"))
    # 250 custom codes fill the lock
    lock = world.locks[FRONT_DOOR]
    for index in range(CUSTOM_PASSCODE_LIMIT - 2):
        pid = world.next_id("passcode", 40_000_000)
        lock.passcodes[pid] = SimPasscode(
            pid, FRONT_DOOR, f"9{index:05d}", "", 2, T0, 0, True, DEMO_USER, T0, T0
        )
    err(await add("86420"), -3009)


async def test_change_passcode(admin: CloudClient, world: World) -> None:
    pid = ok(
        await admin.call(
            "keyboardPwd/add",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwd="111222",
            keyboardPwdType=2,
            addType=2,
            keyboardPwdName="Old",
        )
    )["keyboardPwdId"]
    # name only: no changeType, no gateway needed
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    ok(
        await admin.call(
            "keyboardPwd/change",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=pid,
            keyboardPwdName="New",
        )
    )
    err(
        await admin.call(
            "keyboardPwd/change",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=pid,
            newKeyboardPwd="333444",
            changeType=2,
        ),
        -3002,
    )
    world.set_gateway_online(HALLWAY_GATEWAY, True)
    ok(
        await admin.call(
            "keyboardPwd/change",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=pid,
            newKeyboardPwd="333444",
            startDate=T0,
            endDate=T0 + HOUR,
            changeType=2,
        )
    )
    [item] = await passcodes(admin)
    assert (item["keyboardPwdName"], item["keyboardPwd"], item["keyboardPwdType"]) == (
        "New",
        "333444",
        3,
    )
    assert (item["startDate"], item["endDate"]) == (T0, T0 + HOUR)
    assert not world.enter_code(FRONT_DOOR, "111222").success
    assert world.enter_code(FRONT_DOOR, "333444").success
    err(
        await admin.call(
            "keyboardPwd/change",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=pid,
            newKeyboardPwd="12",
        ),
        -3006,
    )
    err(
        await admin.call("keyboardPwd/change", method="POST", lockId=FRONT_DOOR, keyboardPwdId=pid),
        -3,
    )
    err(
        await admin.call(
            "keyboardPwd/change",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=123,
            keyboardPwdName="x",
        ),
        -3,
    )
    err(
        await admin.call(
            "keyboardPwd/change", method="POST", lockId=FRONT_DOOR, keyboardPwdId=pid, startDate=T0
        ),
        -3,
    )


async def test_change_offline_code_needs_a_use(admin: CloudClient, world: World) -> None:
    body = ok(
        await admin.call(
            "keyboardPwd/get", method="POST", lockId=FRONT_DOOR, keyboardPwdType=2, startDate=T0
        )
    )
    pid, code = body["keyboardPwdId"], body["keyboardPwd"]
    err(
        await admin.call(
            "keyboardPwd/change",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=pid,
            newKeyboardPwd="765432",
            changeType=2,
        ),
        -3008,
    )
    ok(
        await admin.call(
            "keyboardPwd/change",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=pid,
            keyboardPwdName="Renamed is fine",
        )
    )
    assert world.enter_code(FRONT_DOOR, code).success
    ok(
        await admin.call(
            "keyboardPwd/change",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=pid,
            newKeyboardPwd="765432",
            changeType=2,
        )
    )
    assert not world.enter_code(FRONT_DOOR, code).success
    result = world.enter_code(FRONT_DOOR, "765432")
    assert result.success and result.name == "Renamed is fine"


async def test_delete_passcode(admin: CloudClient, world: World) -> None:
    custom = ok(
        await admin.call(
            "keyboardPwd/add",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwd="909090",
            keyboardPwdType=2,
            addType=2,
        )
    )["keyboardPwdId"]
    offline = ok(
        await admin.call(
            "keyboardPwd/get", method="POST", lockId=FRONT_DOOR, keyboardPwdType=2, startDate=T0
        )
    )
    err(
        await admin.call(
            "keyboardPwd/delete",
            method="POST",
            lockId=BACK_DOOR,
            keyboardPwdId=custom,
            deleteType=2,
        ),
        -2012,
    )
    ok(
        await admin.call(
            "keyboardPwd/delete",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=custom,
            deleteType=2,
        )
    )
    ok(
        await admin.call(
            "keyboardPwd/delete",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=offline["keyboardPwdId"],
            deleteType=1,
        )
    )
    assert await passcodes(admin) == []
    # already gone: success (``docs/cloud.md`` §1.3: delete calls report success for unknown ids)
    ok(
        await admin.call(
            "keyboardPwd/delete",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=custom,
            deleteType=1,
        )
    )
    assert not world.enter_code(FRONT_DOOR, "909090").success
    refused = world.enter_code(FRONT_DOOR, offline["keyboardPwd"])
    assert (refused.success, refused.reason) == (False, "deleted")
    assert last_record(world).record_type_from_lock == 13
    err(
        await admin.call(
            "keyboardPwd/delete",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwdId=custom,
            deleteType=5,
        ),
        -3,
    )


async def test_list_passcodes_paging_order_search(admin: CloudClient, world: World) -> None:
    for index, name in enumerate(["bravo", "alpha", "charlie"]):
        world.clock.advance(60)
        ok(
            await admin.call(
                "keyboardPwd/add",
                method="POST",
                lockId=FRONT_DOOR,
                keyboardPwd=f"5{index}5{index}",
                keyboardPwdName=name,
                keyboardPwdType=2,
                addType=1,
            )
        )
    names = lambda items: [item["keyboardPwdName"] for item in items]  # noqa: E731
    assert names(await passcodes(admin, orderBy=0)) == ["alpha", "bravo", "charlie"]
    assert names(await passcodes(admin, orderBy=1)) == ["charlie", "alpha", "bravo"]
    assert names(await passcodes(admin, orderBy=2)) == ["charlie", "bravo", "alpha"]
    assert names(await passcodes(admin, searchStr="ALP")) == ["alpha"]
    assert names(await passcodes(admin, searchStr="5252")) == ["charlie"]
    assert names(await passcodes(admin, searchStr="525")) == []  # codes match exactly
    page = ok(
        await admin.call("lock/listKeyboardPwd", lockId=FRONT_DOOR, pageNo=2, pageSize=2, orderBy=0)
    )
    assert (page["total"], page["pages"], names(page["list"])) == (3, 2, ["charlie"])
    err(await admin.call("lock/listKeyboardPwd", lockId=FRONT_DOOR, pageNo=1, pageSize=201), -3)


async def test_other_account_is_not_admin(admin: CloudClient, world: World) -> None:
    await admin.login(SECOND_USER, SECOND_PASSWORD)
    err(await admin.call("lock/listKeyboardPwd", lockId=FRONT_DOOR, pageNo=1, pageSize=20), 20002)
    err(await admin.call("identityCard/list", lockId=FRONT_DOOR, pageNo=1, pageSize=20), 20002)


# --- IC cards -------------------------------------------------------------------------------


def test_reverse_card_number_example() -> None:
    """``docs/cloud.md`` §2.3: sent 3661413478, listed as 1723612378."""
    assert reverse_card_number(3661413478) == "1723612378"
    assert reverse_card_number("1723612378") == "3661413478"
    assert reverse_card_number(0x0102030405) == str(0x0504030201000000)


async def cards(client: CloudClient, lock_id: int = FRONT_DOOR, **params: Any) -> list[dict]:
    return ok(
        await client.call("identityCard/list", lockId=lock_id, pageNo=1, pageSize=200, **params)
    )["list"]


async def test_card_add_reversed_list_and_present(admin: CloudClient, world: World) -> None:
    body = ok(
        await admin.call(
            "identityCard/addForReversedCardNumber",
            method="POST",
            lockId=FRONT_DOOR,
            cardNumber="3661413478",
            cardName="Card for mom",
            startDate=0,
            endDate=0,
            addType=2,
        )
    )
    card_id = body["cardId"]
    ok(
        await admin.call(
            "identityCard/add",
            method="POST",
            lockId=FRONT_DOOR,
            cardNumber="3661413478",
            cardName="Plain",
            startDate=T0,
            endDate=T0 + DAY,
            addType=2,
        )
    )
    listed = {item["cardName"]: item for item in await cards(admin, orderBy=0)}
    assert listed["Card for mom"] == {
        "cardId": card_id,
        "lockId": FRONT_DOOR,
        "cardNumber": "1723612378",
        "cardName": "Card for mom",
        "cardType": 1,
        "startDate": 0,
        "endDate": 0,
        "cyclicConfig": [],
        "createDate": T0,
        "senderUsername": DEMO_USER,
    }
    assert listed["Plain"]["cardNumber"] == "3661413478"
    result = world.present_card(FRONT_DOOR, 1723612378)
    assert result.success and result.name == "Card for mom"
    record = last_record(world)
    assert (record.record_type, record.record_type_from_lock, record.username) == (
        7,
        17,
        "Card for mom",
    )
    assert record.keyboard_pwd == "1723612378"
    unknown = world.present_card(FRONT_DOOR, 42)
    assert not unknown.success and last_record(world).record_type_from_lock == 25
    world.clock.advance(DAY / 1000)
    assert world.present_card(FRONT_DOOR, "3661413478").reason == "expired"
    err(
        await admin.call(
            "identityCard/add", method="POST", lockId=FRONT_DOOR, cardNumber="3661413478", addType=1
        ),
        -3,
    )  # duplicate


async def test_card_errors_and_remote_paths(admin: CloudClient, world: World) -> None:
    def add(**params: Any):
        return admin.call(
            "identityCard/add",
            method="POST",
            **{"lockId": FRONT_DOOR, "cardNumber": "1001", "addType": 2, **params},
        )

    err(await add(cardNumber="12ab"), -3)
    err(await add(startDate=T0), -3)  # end missing
    err(await add(cardType=4), -3)  # cyclic without cyclicConfig
    err(await add(cardType=4, cyclicConfig="[{"), 80002)
    err(await add(cardType=4, cyclicConfig='[{"weekDay": 8, "startTime": 0, "endTime": 60}]'), -3)
    err(
        await add(
            cardType=4,
            cyclicConfig=json.dumps(
                [
                    {"weekDay": 1, "startTime": 480, "endTime": 1080},
                    {"weekDay": 2, "startTime": 480, "endTime": 1000},
                ]
            ),
        ),
        -3,
    )  # windows differ
    err(await add(lockId=BACK_DOOR), -2012)
    err(
        await add(
            lockId=BACK_DOOR,
            cardType=4,
            addType=1,
            cyclicConfig='[{"weekDay":1,"startTime":0,"endTime":60}]',
        ),
        -4043,
    )
    err(await add(cardType=2), -3)
    world._busy.add(f"gateway:{HALLWAY_GATEWAY}")
    err(await add(), -3003)
    world._busy.clear()
    for endpoint, extra in [
        ("identityCard/delete", {"deleteType": 2}),
        ("identityCard/changePeriod", {"startDate": T0, "endDate": T0 + DAY, "changeType": 2}),
        ("identityCard/rename", {"cardName": "x"}),
    ]:
        err(await admin.call(endpoint, method="POST", lockId=FRONT_DOOR, cardId=1, **extra), -1021)


async def test_card_change_period_rename_delete_clear(admin: CloudClient, world: World) -> None:
    card_id = ok(
        await admin.call(
            "identityCard/add",
            method="POST",
            lockId=FRONT_DOOR,
            cardNumber="5550001",
            cardName="Bob",
            addType=2,
        )
    )["cardId"]
    err(
        await admin.call(
            "identityCard/changePeriod",
            method="POST",
            lockId=FRONT_DOOR,
            cardId=card_id,
            startDate=0,
            endDate=0,
            changeType=2,
        ),
        -3,
    )
    weekdays = [{"weekDay": day, "startTime": 480, "endTime": 1080} for day in (1, 2, 3, 4, 5)]
    ok(
        await admin.call(
            "identityCard/changePeriod",
            method="POST",
            lockId=FRONT_DOOR,
            cardId=card_id,
            startDate=T0,
            endDate=T0 + 30 * DAY,
            cyclicConfig=json.dumps(weekdays),
            changeType=2,
        )
    )
    ok(
        await admin.call(
            "identityCard/rename",
            method="POST",
            lockId=FRONT_DOOR,
            cardId=card_id,
            cardName="Bob (weekdays)",
        )
    )
    [item] = await cards(admin)
    assert (item["cardName"], item["cardType"], item["cyclicConfig"]) == (
        "Bob (weekdays)",
        4,
        weekdays,
    )
    # Monday 10:00 local: inside; 19:00 local: outside; Saturday: outside
    assert world.present_card(FRONT_DOOR, "5550001").success
    world.clock.advance(9 * 3600)
    assert world.present_card(FRONT_DOOR, "5550001").reason == "outside_window"
    world.clock.freeze(T0 + 5 * DAY)
    assert world.present_card(FRONT_DOOR, "5550001").reason == "outside_window"
    ok(
        await admin.call(
            "identityCard/delete", method="POST", lockId=FRONT_DOOR, cardId=card_id, deleteType=2
        )
    )
    assert await cards(admin) == []
    for number in ("1", "2"):
        ok(
            await admin.call(
                "identityCard/add", method="POST", lockId=BACK_DOOR, cardNumber=number, addType=1
            )
        )
    ok(await admin.call("identityCard/clear", method="POST", lockId=BACK_DOOR))
    assert await cards(admin, BACK_DOOR) == []


# --- fingerprints -----------------------------------------------------------------------------


async def test_fingerprints(admin: CloudClient, world: World) -> None:
    def call(endpoint: str, **params: Any):
        return admin.call(f"fingerprint/{endpoint}", method="POST", lockId=FRONT_DOOR, **params)

    err(await call("add", fingerprintNumber="44668054142981", fingerprintType=1, addType=2), -4043)
    fp_id = ok(
        await call(
            "add",
            fingerprintNumber="44668054142981",
            fingerprintType=1,
            fingerprintName="Mom",
            startDate=0,
            endDate=0,
        )
    )["fingerprintId"]
    err(
        await admin.call(
            "fingerprint/add",
            method="POST",
            lockId=GARAGE,
            fingerprintNumber="1",
            fingerprintType=1,
        ),
        -4043,
    )
    listed = ok(await admin.call("fingerprint/list", lockId=FRONT_DOOR, pageNo=1, pageSize=20))
    assert listed["list"] == [
        {
            "fingerprintId": fp_id,
            "lockId": FRONT_DOOR,
            "fingerprintNumber": "44668054142981",
            "fingerprintName": "Mom",
            "fingerprintType": 1,
            "startDate": 0,
            "endDate": 0,
            "cyclicConfig": [],
            "createDate": T0,
            "senderUsername": DEMO_USER,
        }
    ]
    result = world.present_fingerprint(FRONT_DOOR, "44668054142981")
    assert result.success and result.name == "Mom"
    record = last_record(world)
    assert (record.record_type, record.record_type_from_lock, record.username) == (8, 20, "Mom")
    ok(await call("rename", fingerprintId=fp_id, fingerprintName="Mother"))
    err(
        await call(
            "changePeriod",
            fingerprintId=fp_id,
            startDate=T0 + DAY,
            endDate=T0 + 2 * DAY,
            changeType=2,
            cyclicConfig="{}",
        ),
        -3,
    )
    ok(
        await call(
            "changePeriod",
            fingerprintId=fp_id,
            startDate=T0 + DAY,
            endDate=T0 + 2 * DAY,
            changeType=2,
        )
    )
    fail = world.present_fingerprint(FRONT_DOOR, "44668054142981")
    assert (fail.success, fail.reason, fail.name) == (False, "not_yet_valid", "Mother")
    assert last_record(world).record_type_from_lock == 22
    for endpoint, extra in [
        ("delete", {"deleteType": 2}),
        ("rename", {"fingerprintName": "x"}),
        ("changePeriod", {"startDate": T0, "endDate": T0 + 1}),
    ]:
        err(await call(endpoint, fingerprintId=fp_id + 1000, **extra), -1023)
    err(
        await admin.call(
            "fingerprint/delete", method="POST", lockId=BACK_DOOR, fingerprintId=fp_id, deleteType=2
        ),
        -1023,
    )
    ok(await call("delete", fingerprintId=fp_id, deleteType=2))
    ok(await call("add", fingerprintNumber="7", fingerprintType=1))
    ok(await call("clear"))
    assert (
        ok(await admin.call("fingerprint/list", lockId=FRONT_DOOR, pageNo=1, pageSize=20))["list"]
        == []
    )


# --- faces ------------------------------------------------------------------------------------


async def test_faces(admin: CloudClient, world: World) -> None:
    lock = world.add_lock(
        lock_alias="Face Door",
        admin=DEMO_USER,
        features=(0, 1, 2, 8, 10, 34, 53),
        gateways=[(HALLWAY_GATEWAY, -60)],
    )
    lock_id = lock.lock_id

    def call(endpoint: str, **params: Any):
        return admin.call(f"face/{endpoint}", method="POST", lockId=lock_id, **params)

    err(await call("add", addType=2, startDate=0, endDate=0), -3)  # featureData missing
    err(await call("add", addType=1, startDate=0, endDate=0), -3)  # faceNumber missing
    err(
        await admin.call(
            "face/add", method="POST", lockId=FRONT_DOOR, addType=2, featureData="F0E4"
        ),
        -4043,
    )
    face_id = ok(
        await call(
            "add",
            name="Face",
            featureData="F0E41DEAEDF7",
            type=1,
            startDate=T0,
            endDate=T0 + DAY,
            addType=2,
        )
    )["faceId"]
    bt_face = ok(
        await call(
            "add",
            name="BT face",
            faceNumber="123456",
            startDate=0,
            endDate=0,
            type=4,
            addType=1,
            cyclicConfig='[{"weekDay":1,"startTime":0,"endTime":1440}]',
        )
    )
    items = ok(await admin.call("face/list", lockId=lock_id, pageNo=1, pageSize=20, orderBy=0))[
        "list"
    ]
    face = items[1]
    assert face["faceId"] == face_id and face["name"] == face["faceName"] == "Face"
    assert face["type"] == face["faceType"] == 1 and face["faceNumber"].isdigit()
    assert (face["status"], face["nickname"], face["startDate"]) == (1, DEMO_USER, T0)
    assert items[0]["faceId"] == bt_face["faceId"] and items[0]["type"] == 4
    ok(await call("rename", faceId=face_id, name="Face 2"))
    ok(await call("changePeriod", faceId=face_id, startDate=T0, endDate=T0 + 2 * DAY, type=2))
    err(await call("changePeriod", faceId=face_id, startDate=0, endDate=0, type=2), -3)
    err(await call("delete", faceId=999, type=2), -3)
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    err(await call("delete", faceId=face_id, type=2), -3002)
    world.set_gateway_online(HALLWAY_GATEWAY, True)
    ok(await call("delete", faceId=face_id, type=2))
    ok(await call("clear"))
    assert ok(await admin.call("face/list", lockId=lock_id, pageNo=1, pageSize=20))["total"] == 0


# --- eKeys ------------------------------------------------------------------------------------


async def send_key(client: CloudClient, **params: Any) -> dict[str, Any]:
    return await client.call(
        "key/send",
        method="POST",
        **{
            "lockId": FRONT_DOOR,
            "receiverUsername": SECOND_USER,
            "keyName": "Key for Second",
            "startDate": T0,
            "endDate": T0 + 30 * DAY,
            **params,
        },
    )


async def test_ekey_send_list_get_replace(admin: CloudClient, world: World) -> None:
    first = ok(await send_key(admin, remarks="hello", remoteEnable=1))["keyId"]
    second_uid = world.account_by_username(SECOND_USER).uid
    listed = ok(await admin.call("lock/listKey", lockId=FRONT_DOOR, pageNo=1, pageSize=20))
    assert listed["list"] == [
        {
            "keyId": first,
            "lockId": FRONT_DOOR,
            "username": SECOND_USER,
            "uid": second_uid,
            "keyName": "Key for Second",
            "keyStatus": "110401",
            "startDate": T0,
            "endDate": T0 + 30 * DAY,
            "keyRight": 0,
            "remoteEnable": 1,
            "senderUsername": DEMO_USER,
            "remarks": "hello",
            "date": T0,
        }
    ]
    # one key per user and lock: re-sending replaces
    replaced = ok(await send_key(admin, keyName="Second, again"))["keyId"]
    listed = ok(await admin.call("lock/listKey", lockId=FRONT_DOOR, pageNo=1, pageSize=20))
    assert [item["keyId"] for item in listed["list"]] == [replaced] != [first]
    # the admin's own key/list holds admin keys (with noKeyPwd); key/get of one lock
    mine = ok(await admin.call("key/list", pageNo=1, pageSize=100))["list"]
    assert {item["lockId"] for item in mine} == {FRONT_DOOR, GARAGE, BACK_DOOR}
    front = next(item for item in mine if item["lockId"] == FRONT_DOOR)
    assert (front["userType"], front["keyId"]) == ("110301", ADMIN_KEY_BASE + FRONT_DOOR)
    assert front["noKeyPwd"] == world.locks[FRONT_DOOR].keys.no_key_pwd
    assert ok(await admin.call("key/get", lockId=FRONT_DOOR))["keyId"] == front["keyId"]
    # the receiver sees the shared key
    await admin.login(SECOND_USER, SECOND_PASSWORD)
    theirs = ok(await admin.call("key/list", pageNo=1, pageSize=100))["list"]
    shared = next(item for item in theirs if item["lockId"] == FRONT_DOOR)
    assert (shared["keyId"], shared["userType"], shared["keyName"]) == (
        replaced,
        "110302",
        "Second, again",
    )
    assert "noKeyPwd" not in shared and shared["lockData"]
    assert ok(await admin.call("key/get", lockId=FRONT_DOOR))["keyId"] == replaced
    err(await admin.call("key/get", lockId=GARAGE), -1008)
    # a plain key holder may not manage the lock
    err(await admin.call("lock/listKey", lockId=FRONT_DOOR, pageNo=1, pageSize=20), -2018)


async def test_ekey_send_errors_and_create_user(admin: CloudClient, world: World) -> None:
    err(await send_key(admin, receiverUsername=DEMO_USER), -2019)
    err(await send_key(admin, receiverUsername="nobody@example.com"), -4064)
    err(await send_key(admin, receiverUsername="nobody", createUser=1), -4064)
    err(await send_key(admin, keyName=""), -3)
    body = ok(await send_key(admin, receiverUsername="+4915112345678", createUser=1))
    created = world.account_by_username("+4915112345678")
    assert created is not None and created.region == "eu"
    await admin.login("+4915112345678", "345678")  # password: the last six characters
    assert ok(await admin.call("key/get", lockId=FRONT_DOOR))["keyId"] == body["keyId"]
    # an authorised admin cannot send to the top administrator
    await admin.login(DEMO_USER, "demo-password")
    key_id = ok(await send_key(admin))["keyId"]
    ok(await admin.call("key/authorize", method="POST", lockId=FRONT_DOOR, keyId=key_id))
    await admin.login(SECOND_USER, SECOND_PASSWORD)
    err(await send_key(admin, receiverUsername=DEMO_USER), -2020)
    err(await send_key(admin, receiverUsername="+4915112345678", keyRight=1), -2018)
    err(await admin.call("key/authorize", method="POST", lockId=FRONT_DOOR, keyId=key_id), -2018)


async def test_ekey_freeze_update_period_authorize(admin: CloudClient, world: World) -> None:
    key_id = ok(await send_key(admin))["keyId"]

    async def status() -> dict[str, Any]:
        items = ok(await admin.call("lock/listKey", lockId=FRONT_DOOR, pageNo=1, pageSize=20))
        return items["list"][0]

    ok(await admin.call("key/freeze", method="POST", keyId=key_id))
    assert (await status())["keyStatus"] == "110405"
    ok(await admin.call("key/unfreeze", method="POST", keyId=key_id))
    assert (await status())["keyStatus"] == "110401"
    ok(
        await admin.call(
            "key/update", method="POST", keyId=key_id, keyName="Renamed", remoteEnable=1
        )
    )
    ok(
        await admin.call(
            "key/changePeriod", method="POST", keyId=key_id, startDate=T0, endDate=T0 + DAY
        )
    )
    item = await status()
    assert (item["keyName"], item["remoteEnable"], item["endDate"]) == ("Renamed", 1, T0 + DAY)
    err(
        await admin.call(
            "key/changePeriod", method="POST", keyId=key_id, startDate=T0 + DAY, endDate=T0
        ),
        -3,
    )
    admin_key = ADMIN_KEY_BASE + FRONT_DOOR
    err(
        await admin.call(
            "key/changePeriod", method="POST", keyId=admin_key, startDate=T0, endDate=T0 + DAY
        ),
        -2023,
    )
    err(await admin.call("key/freeze", method="POST", keyId=admin_key), -2018)
    for endpoint in ("key/freeze", "key/unfreeze", "key/update", "key/delete", "key/getUnlockLink"):
        err(await admin.call(endpoint, method="POST", keyId=12345), -1008)
    err(await admin.call("key/authorize", method="POST", lockId=FRONT_DOOR, keyId=12345), -1008)
    # authorised: the receiver manages the lock's passcodes; unauthorised again: -2018
    ok(await admin.call("key/authorize", method="POST", lockId=FRONT_DOOR, keyId=key_id))
    assert (await status())["keyRight"] == 1
    filtered = ok(
        await admin.call("lock/listKey", lockId=FRONT_DOOR, pageNo=1, pageSize=20, keyRight=0)
    )
    assert filtered["total"] == 0
    await admin.login(SECOND_USER, SECOND_PASSWORD)
    ok(
        await admin.call(
            "keyboardPwd/add",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwd="8080",
            keyboardPwdType=2,
            addType=2,
        )
    )
    [code] = await passcodes(admin)
    assert code["senderUsername"] == SECOND_USER
    await admin.login(DEMO_USER, "demo-password")
    ok(await admin.call("key/unauthorize", method="POST", lockId=FRONT_DOOR, keyId=key_id))
    await admin.login(SECOND_USER, SECOND_PASSWORD)
    err(await admin.call("lock/listKeyboardPwd", lockId=FRONT_DOOR, pageNo=1, pageSize=20), -2018)
    # the holder may delete their own key
    ok(await admin.call("key/delete", method="POST", keyId=key_id))
    assert world.locks[FRONT_DOOR].ekeys == {}


async def test_ekey_unlock_link(admin: CloudClient, world: World) -> None:
    key_id = ok(await send_key(admin, remoteEnable=2))["keyId"]
    err(await admin.call("key/getUnlockLink", method="POST", keyId=key_id), -4043)
    ok(await admin.call("key/update", method="POST", keyId=key_id, remoteEnable=1))
    link = ok(await admin.call("key/getUnlockLink", method="POST", keyId=key_id))["link"]
    assert link.startswith(f"{admin.base_url}/ekey/h?k=")
    again = ok(await admin.call("key/getUnlockLink", method="POST", keyId=key_id))["link"]
    assert again == link
    usage = world.usage(CLIENT_ID)

    async def open_link() -> dict[str, Any]:
        async with admin.session.get(link) as response:
            assert response.status == 200
            return await response.json()

    body = await open_link()
    assert body["errcode"] == 0 and body["lockId"] == FRONT_DOOR
    assert world.locks[FRONT_DOOR].state == 1
    record = last_record(world)
    assert (record.record_type, record.username) == (12, SECOND_USER)
    assert world.usage(CLIENT_ID) == usage  # a guest's page view is not an API call
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    assert (await open_link())["errcode"] == -3002
    world.set_gateway_online(HALLWAY_GATEWAY, True)
    world.set_remote_unlock(FRONT_DOOR, False)
    assert (await open_link())["errcode"] == -4043
    world.set_remote_unlock(FRONT_DOOR, True)
    ok(await admin.call("key/freeze", method="POST", keyId=key_id))
    assert (await open_link())["errcode"] == -2018
    ok(await admin.call("key/unfreeze", method="POST", keyId=key_id))
    world.clock.advance(31 * DAY / 1000)
    assert (await open_link())["errcode"] == -2018  # expired
    ok(await admin.call("key/delete", method="POST", keyId=key_id))
    assert (await open_link())["errcode"] == -1008
    # a lock without gateway cannot get a link
    back_key = ok(await send_key(admin, lockId=BACK_DOOR, remoteEnable=1, startDate=0, endDate=0))[
        "keyId"
    ]
    err(await admin.call("key/getUnlockLink", method="POST", keyId=back_key), -2012)


async def test_deleting_admin_key_removes_lock(admin: CloudClient, world: World) -> None:
    lock = world.add_lock(lock_alias="Spare", admin=DEMO_USER, features=(0, 1))
    await admin.login(SECOND_USER, SECOND_PASSWORD)
    err(await admin.call("key/delete", method="POST", keyId=ADMIN_KEY_BASE + lock.lock_id), -2018)
    await admin.login(DEMO_USER, "demo-password")
    ok(await admin.call("key/delete", method="POST", keyId=ADMIN_KEY_BASE + lock.lock_id))
    assert lock.lock_id not in world.locks


# --- /sim/ controls and accounting ------------------------------------------------------------


async def test_sim_controls_for_the_lock_side(admin: CloudClient, world: World) -> None:
    ok(
        await admin.call(
            "keyboardPwd/add",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwd="1357",
            keyboardPwdName="Kid",
            keyboardPwdType=2,
            addType=2,
        )
    )
    status, body = await admin.sim("lock/keypad", {"lockId": FRONT_DOOR, "digits": "991357"})
    assert status == 200 and body["success"] and body["name"] == "Kid"
    assert body["record"]["recordType"] == 4
    status, body = await admin.sim("lock/keypad", {"lockId": FRONT_DOOR, "digits": "12x"})
    assert status == 400
    status, body = await admin.sim("lock/card", {"lockId": FRONT_DOOR, "cardNumber": "77"})
    assert status == 200 and not body["success"] and body["reason"] == "unknown"
    status, body = await admin.sim("lock/fingerprint", {"lockId": 1, "fingerprintNumber": "1"})
    assert status == 404
    status, body = await admin.sim("lock/keypad_memory", {"lockId": FRONT_DOOR})
    assert status == 200 and "STAND-IN" in body["algorithm"]
    records = ok(
        await admin.call(
            "lockRecord/list",
            lockId=FRONT_DOOR,
            pageNo=1,
            pageSize=5,
            recordType=4,
            searchStr="Kid",
        )
    )["list"]
    assert records[0]["username"] == "Kid" and records[0]["keyboardPwd"] == "1357"


async def test_credential_calls_are_counted(admin: CloudClient, world: World) -> None:
    before = world.usage(CLIENT_ID)
    await passcodes(admin)
    await cards(admin)
    err(
        await admin.call("keyboardPwd/add", method="POST", lockId=FRONT_DOOR, keyboardPwd="1"),
        -3006,
    )
    assert world.usage(CLIENT_ID) == before + 3


@pytest.mark.parametrize(
    "endpoint",
    [
        "keyboardPwd/get",
        "keyboardPwd/add",
        "keyboardPwd/change",
        "keyboardPwd/delete",
        "identityCard/add",
        "identityCard/addForReversedCardNumber",
        "identityCard/delete",
        "identityCard/changePeriod",
        "identityCard/rename",
        "identityCard/clear",
        "fingerprint/add",
        "fingerprint/delete",
        "fingerprint/changePeriod",
        "fingerprint/rename",
        "fingerprint/clear",
        "face/add",
        "face/delete",
        "face/changePeriod",
        "face/rename",
        "face/clear",
        "key/send",
        "key/delete",
        "key/freeze",
        "key/unfreeze",
        "key/update",
        "key/changePeriod",
        "key/authorize",
        "key/unauthorize",
        "key/getUnlockLink",
    ],
)
async def test_commands_accept_get(admin: CloudClient, endpoint: str) -> None:
    """Commands are accepted as GET as well as POST, as the real cloud does (the call reaches
    the endpoint, which then asks for its parameters; docs/lock-settings.md §1)."""
    status, body = await admin.request("GET", f"/v3/{endpoint}", {"clientId": CLIENT_ID})
    assert status == 200
    assert body["errcode"] == 80000  # the dispatcher's date check: the route exists for GET
    body = await admin.call(endpoint, method="GET")
    assert body["errcode"] == -3, body  # a missing parameter, as for POST
