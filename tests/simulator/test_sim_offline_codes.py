"""The STAND-IN offline-code algorithm (NOT TTLock's) and the keypad rules of the simulated lock.

Codes are issued over loopback HTTP (``keyboardPwd/get``) and typed with
``World.enter_code`` while the world clock moves: one-time codes work once and only within
6 h, permanent/period codes are void unless first used within 24 h, period codes end,
cyclic codes follow their daily window and weekdays, an erase code wipes the other codes
(``docs/cloud.md`` §2.2, §3.3; ``docs/ble.md`` §8).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_helpers import BACK_DOOR, FRONT_DOOR, CloudClient

import simulator.offline_codes as oc
from simulator import World, load_scenario
from simulator.offline_codes import (
    OfflineCode,
    check_offline_code,
    decode_offline_code,
    generate_offline_code,
    resolve_offline_window,
)

T0 = 1_772_442_000_000  # 2026-03-02 09:00 UTC, Monday; 10:00 on the lock (UTC+1)
HOUR = 3_600_000
DAY = 24 * HOUR
TZ = 3_600_000


@pytest.fixture
async def admin(cloud: CloudClient, world: World) -> CloudClient:
    world.clock.freeze(T0)
    await cloud.login()
    return cloud


async def issue(client: CloudClient, kind: int, start: int, end: int = 0, **extra: Any) -> str:
    body = await client.call(
        "keyboardPwd/get",
        method="POST",
        lockId=FRONT_DOOR,
        keyboardPwdType=kind,
        startDate=start,
        endDate=end or None,
        **extra,
    )
    assert "keyboardPwd" in body, body
    return body["keyboardPwd"]


def at(world: World, ms: int) -> None:
    world.clock.freeze(ms)


def opens(world: World, digits: str, lock_id: int = FRONT_DOOR) -> bool:
    world.set_lock_state(lock_id, 0)
    result = world.enter_code(lock_id, digits)
    assert world.locks[lock_id].state == (1 if result.success else 0)
    return result.success


def reason(world: World, digits: str) -> str:
    return world.enter_code(FRONT_DOOR, digits).reason


# --- the algorithm itself ----------------------------------------------------------------


def test_labelled_as_stand_in() -> None:
    assert "NOT TTLock's algorithm" in (oc.__doc__ or "")
    assert oc.STAND_IN_LABEL == "STAND-IN, not TTLock's algorithm"


_LOCK = load_scenario("home").locks[FRONT_DOOR]
_ENTRIES = _LOCK.keys.pwd_info_entries  # years 2025 … 2034


@settings(max_examples=300, deadline=None)
@given(
    kind=st.integers(1, 14),
    start=st.integers(1_735_689_600_000, 2_050_000_000_000),  # 2025 … 2034
    hours=st.integers(1, 24 * 366 * 3),
    slot=st.integers(0, 19),
)
def test_generate_decode_round_trip(kind: int, start: int, hours: int, slot: int) -> None:
    if kind >= 5:
        local_hour = ((start + TZ) // HOUR) % 24
        hours = 1 + hours % (24 - local_hour)
    try:
        code = resolve_offline_window(kind, start, start + hours * HOUR, TZ, slot)
    except ValueError:
        assert kind == 3  # only over-long periods are refused here
        return
    try:
        digits = generate_offline_code(_ENTRIES, code, TZ)
    except LookupError:
        return  # a start in 2035 (past the table)
    assert len(digits) == {1: 9, 2: 7, 3: 9, 4: 7}.get(kind, 8) and digits.isdigit()
    assert code in decode_offline_code(_ENTRIES, digits, TZ)


def test_window_resolution() -> None:
    start = T0 + 25 * 60_000
    assert resolve_offline_window(1, start, None, TZ) == OfflineCode(1, T0, T0 + 6 * HOUR)
    assert resolve_offline_window(2, start, None, TZ, 3) == OfflineCode(2, T0, 0, 3)
    assert resolve_offline_window(3, start, T0 + 3 * HOUR + 1, TZ).end_ms == T0 + 3 * HOUR
    # 2026-03-02 10:00 local + 13 months and a bit → 2027-04-02 10:00 local
    over = resolve_offline_window(3, T0, T0 + 400 * DAY, TZ)
    assert over.end_ms == oc.add_months(T0, 13, TZ) == 1_806_656_400_000
    for bad in [(3, T0, T0 + 30 * 60_000), (6, T0, T0 + 15 * HOUR), (3, T0, None), (0, T0, 0)]:
        with pytest.raises(ValueError, match=r"must|required"):
            resolve_offline_window(bad[0], bad[1], bad[2], TZ)


def test_codes_differ_between_locks_and_slots() -> None:
    other = load_scenario("home").locks[BACK_DOOR]
    code = OfflineCode(2, T0, 0, 0)
    front = generate_offline_code(_ENTRIES, code, TZ)
    back = generate_offline_code(other.keys.pwd_info_entries, code, TZ)
    assert front != back
    assert generate_offline_code(_ENTRIES, OfflineCode(2, T0, 0, 1), TZ) != front
    assert not check_offline_code(other, front, T0 + HOUR).accepted


# --- keypad rules with the world clock ----------------------------------------------------


async def test_one_time_code(admin: CloudClient, world: World) -> None:
    code = await issue(admin, 1, T0 + HOUR, keyboardPwdName="Courier")
    assert reason(world, code) == "not_yet_valid"
    at(world, T0 + 2 * HOUR)
    assert opens(world, code)
    record = world.records[FRONT_DOOR][-1]
    assert (record.record_type, record.success, record.username, record.keyboard_pwd) == (
        4,
        1,
        "Courier",
        code,
    )
    assert not opens(world, code)
    assert reason(world, code) == "used"
    late = await issue(admin, 1, T0)
    at(world, T0 + 6 * HOUR)
    assert reason(world, late) == "expired"
    failed = world.records[FRONT_DOOR][-1]
    assert (failed.success, failed.record_type_from_lock, failed.keyboard_pwd) == (0, 11, late)


async def test_permanent_code_first_use_within_24h(admin: CloudClient, world: World) -> None:
    used = await issue(admin, 2, T0, keyboardPwdName="Family")
    unused = await issue(admin, 2, T0)
    at(world, T0 + 23 * HOUR)
    assert opens(world, used)
    at(world, T0 + 24 * HOUR)
    assert reason(world, unused) == "void_unused"
    at(world, T0 + 400 * DAY)
    assert opens(world, used)
    assert opens(world, used)


async def test_period_code(admin: CloudClient, world: World) -> None:
    used = await issue(admin, 3, T0, T0 + 3 * DAY)
    unused = await issue(admin, 3, T0 + HOUR, T0 + 3 * DAY)
    assert opens(world, used)
    at(world, T0 + 2 * DAY)
    assert opens(world, used)
    assert reason(world, unused) == "void_unused"
    at(world, T0 + 3 * DAY)
    assert reason(world, used) == "expired"


async def test_daily_cyclic_code(admin: CloudClient, world: World) -> None:
    # 10:00–14:00 on the lock's clock, every day from Monday 2 March
    code = await issue(admin, 6, T0, T0 + 4 * HOUR, keyboardPwdName="Nanny")
    assert opens(world, code)
    at(world, T0 + 4 * HOUR)  # 14:00
    assert reason(world, code) == "outside_window"
    at(world, T0 + 20 * DAY + 3 * HOUR)  # three weeks later, 13:00
    assert opens(world, code)
    at(world, T0 - HOUR)  # before the first window
    assert reason(world, code) == "not_yet_valid"


@pytest.mark.parametrize(
    ("kind", "open_days"),
    [(5, {5, 6}), (7, {0, 1, 2, 3, 4}), (8, {0}), (10, {2}), (13, {5}), (14, {6})],
)
async def test_weekday_cyclic_codes(
    admin: CloudClient, world: World, kind: int, open_days: set[int]
) -> None:
    code = await issue(admin, kind, T0, T0 + 2 * HOUR)
    for day in range(7):  # T0 is a Monday
        at(world, T0 + day * DAY + HOUR)
        assert opens(world, code) == (day in open_days), day


async def test_erase_code_clears_other_codes(admin: CloudClient, world: World) -> None:
    custom = await admin.call(
        "keyboardPwd/add",
        method="POST",
        lockId=FRONT_DOOR,
        keyboardPwd="2468",
        keyboardPwdType=2,
        addType=2,
    )
    assert "keyboardPwdId" in custom
    permanent = await issue(admin, 2, T0)
    erase = await issue(admin, 4, T0, keyboardPwdName="Reset")
    card = await admin.call(
        "identityCard/add", method="POST", lockId=FRONT_DOOR, cardNumber="99", addType=2
    )
    assert "cardId" in card
    assert opens(world, "2468") and opens(world, permanent)
    at(world, T0 + 2 * HOUR)
    result = world.enter_code(FRONT_DOOR, erase)
    assert result.success and result.erase and result.name == "Reset"
    assert world.records[FRONT_DOOR][-1].record_type_from_lock == 10
    assert reason(world, "2468") == "erased"
    assert reason(world, permanent) == "erased"
    assert not opens(world, erase)  # single use
    assert world.present_card(FRONT_DOOR, 99).success  # cards are not passcodes
    # the cloud still lists the wiped codes (nothing told it); new codes work
    listed = await admin.call("lock/listKeyboardPwd", lockId=FRONT_DOOR, pageNo=1, pageSize=20)
    assert listed["total"] == 3
    fresh = await issue(admin, 2, T0 + 3 * HOUR)
    await admin.call(
        "keyboardPwd/add",
        method="POST",
        lockId=FRONT_DOOR,
        keyboardPwd="1357",
        keyboardPwdType=2,
        addType=2,
    )
    at(world, T0 + 3 * HOUR)
    assert opens(world, fresh) and opens(world, "1357")


async def test_erase_code_void_if_unused(admin: CloudClient, world: World) -> None:
    erase = await issue(admin, 4, T0)
    at(world, T0 + DAY)
    assert reason(world, erase) == "void_unused"


async def test_anti_peep_and_records(admin: CloudClient, world: World) -> None:
    code = await issue(admin, 2, T0, keyboardPwdName="Guest")
    assert opens(world, f"123{code}45")
    assert world.records[FRONT_DOOR][-1].keyboard_pwd == code
    assert not opens(world, code[:-1])
    record = world.records[FRONT_DOOR][-1]
    assert (record.success, record.username, record.record_type_from_lock) == (0, "", 7)
    with pytest.raises(ValueError, match="digits"):
        world.enter_code(FRONT_DOOR, "1" * 17)
    with pytest.raises(ValueError, match="digits"):
        world.enter_code(FRONT_DOOR, "12a4")


async def test_offline_code_works_without_gateway(admin: CloudClient, world: World) -> None:
    body = await admin.call(
        "keyboardPwd/get",
        method="POST",
        lockId=BACK_DOOR,
        keyboardPwdType=3,
        startDate=T0,
        endDate=T0 + DAY,
    )
    assert opens(world, body["keyboardPwd"], BACK_DOOR)
    assert not opens(world, body["keyboardPwd"], FRONT_DOOR)
    tables = world.locks[BACK_DOOR].keys.pwd_info_entries
    decoded = decode_offline_code(tables, body["keyboardPwd"], TZ)
    assert OfflineCode(3, T0, T0 + DAY) in decoded
