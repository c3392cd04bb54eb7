"""Every operation of the client core, run against SimulatedLock over bleak-retry-connector.

The client side is ``custom_components.ttlock_access.sdk.ble`` (ops, pairing); the lock side
is ``simulator.ble.lock`` (written independently from the lock's point of view). Bytes travel
through ``establish_connection(BleakClientWithServiceCache, device, name,
backend=VirtualClient.bind(air))`` and 20-byte GATT writes/notifications.
"""

from __future__ import annotations

import inspect
from datetime import datetime

import pytest
from sim_ble_driver import SimLink
from sim_ble_helpers import (
    ADMIN_CODE,
    FRESH_MAC,
    LIFT_MAC,
    keys_of,
    make_lock,
    open_link,
)

from custom_components.ttlock_access import native
from custom_components.ttlock_access.ble import native_passcode_table
from custom_components.ttlock_access.sdk.ble import (
    ActivateLiftFloors,
    AddCard,
    AddFingerprint,
    AddKnownCard,
    AddKnownFingerprint,
    AddPassageMode,
    AddPasscode,
    Auth,
    CalibrateTime,
    CardAddMode,
    ClearCards,
    ClearFingerprints,
    ClearPassageMode,
    ClearPasscodes,
    DeleteCard,
    DeleteFingerprint,
    DeletePassageMode,
    DeletePasscode,
    FactoryReset,
    FingerprintProgress,
    GetAutoLock,
    GetBattery,
    GetDeviceInfo,
    GetFeatures,
    GetHotelData,
    GetLockSound,
    GetLockTime,
    GetOperationLog,
    GetPassageMode,
    GetRemoteUnlock,
    GetStatus,
    GetSwitches,
    HotelDataType,
    ListCards,
    ListFingerprints,
    ListPasscodes,
    Lock,
    LockError,
    LockKeys,
    LockState,
    ModifyCard,
    ModifyFingerprint,
    ModifyPasscode,
    Operation,
    Pair,
    PassageModeEntry,
    PassageModeType,
    PasscodeType,
    ProtocolHeader,
    SetAutoLock,
    SetHotelData,
    SetLockSound,
    SetRemoteUnlock,
    SetSwitch,
    Unlock,
    decode_lock_data,
    encode_lock_data,
    parse_lock_data,
)
from custom_components.ttlock_access.sdk.ble import ops as core_ops
from custom_components.ttlock_access.sdk.ble import pairing as core_pairing
from custom_components.ttlock_access.sdk.ble.commands import hotel_value_lift_floors
from custom_components.ttlock_access.sdk.ble.const import SwitchItem
from simulator.ble import SimulatedLock, VirtualAir

NOW = datetime(2026, 11, 22, 10, 30, 0)
START = datetime(2026, 1, 1, 0, 0)
END = datetime(2027, 6, 30, 18, 0)

COVERED: set[str] = set()
"""Names of the operations exercised below (checked by ``test_every_operation_is_covered``)."""


def covers(*ops: type) -> None:
    COVERED.update(op.__name__ for op in ops)


# --- actuation, status, information ------------------------------------------------------------
covers(Unlock, Lock, GetStatus, GetBattery, GetFeatures)


async def test_unlock_lock_and_status(link: SimLink, lock: SimulatedLock, keys: LockKeys) -> None:
    assert (await link.run(GetStatus(keys))).state is LockState.LOCKED
    result = await link.run(Unlock(keys, NOW))
    assert result.battery == 77
    assert result.record_id == int(NOW.timestamp())
    assert result.uid == 0
    assert not lock.locked
    assert (await link.run(GetStatus(keys))).state is LockState.UNLOCKED
    await link.run(Lock(keys, NOW))
    assert lock.locked
    assert [record.kind for record in lock.log] == [1, 26]


async def test_unlock_admin_path_and_uid(link: SimLink, lock: SimulatedLock) -> None:
    keys = keys_of(lock, uid=8123456)
    result = await link.run(Unlock(keys, NOW, auth=Auth.ADMIN))
    assert result.uid == 8123456
    assert lock.log[-1].uid == 8123456


async def test_user_ekey_unlocks_but_cannot_administer(link: SimLink, lock: SimulatedLock) -> None:
    user = keys_of(lock, admin=False)
    await link.run(Unlock(user, NOW))
    assert not lock.locked
    with pytest.raises(LockError) as err:  # CHECK_USER_TIME → CHECK_RANDOM is no admin login
        await link.run(core_ops.SimpleCommand(user, 0x36, b"\x01", bytes))
    assert err.value.code == lock.not_logged_in_code


async def test_battery_and_features(link: SimLink, lock: SimulatedLock, keys: LockKeys) -> None:
    assert await link.run(GetBattery(keys)) == 77
    assert await link.run(GetBattery(keys_of(lock, admin=False))) == 77
    features = await link.run(GetFeatures(keys))
    assert set(features.bits()) == set(lock.features)
    assert len(features.words) == 2  # bit 43 needs a second word (``docs/ble.md`` §5.3)
    lock.set_battery(12)
    assert (await link.run(GetStatus(keys))).battery == 12


covers(GetDeviceInfo, GetLockTime, CalibrateTime)


async def test_device_info(link: SimLink, lock: SimulatedLock, keys: LockKeys) -> None:
    info = await link.run(GetDeviceInfo(keys))
    assert info.model == lock.model
    assert info.hardware_revision == lock.hardware_revision
    assert info.firmware_revision == lock.firmware_revision
    assert info.manufacture_date == lock.factory_date


async def test_clock(air: VirtualAir) -> None:
    frozen = air.add(make_lock(clock=lambda: NOW))
    link = await open_link(air, frozen)
    keys = keys_of(frozen)
    assert await link.run(GetLockTime(keys)) == NOW
    target = datetime(2030, 5, 6, 7, 8, 9)
    await link.run(CalibrateTime(keys, target))
    assert await link.run(GetLockTime(keys)) == target
    # the SDK path: CHECK_USER_TIME → CHECK_RANDOM also allows 0x43 (errata E1 "accept")
    await link.run(CalibrateTime(keys_of(frozen, admin=False), NOW))
    assert frozen.now() == NOW
    await link.client.disconnect()


# --- passcodes --------------------------------------------------------------------------------
covers(AddPasscode, ModifyPasscode, DeletePasscode, ClearPasscodes, ListPasscodes)


async def test_passcodes(link: SimLink, lock: SimulatedLock, keys: LockKeys) -> None:
    assert await link.run(ListPasscodes(keys)) == []
    await link.run(AddPasscode(keys, "123456", kind=PasscodeType.PERMANENT))
    await link.run(AddPasscode(keys, "24680", start=START, end=END))
    listed = await link.run(ListPasscodes(keys))
    assert [(p.type, p.code, p.start, p.end) for p in listed] == [
        (1, "123456", datetime(2000, 1, 31, 14, 0), None),
        (3, "24680", START, END),
    ]
    with pytest.raises(LockError) as err:
        await link.run(AddPasscode(keys, "24680"))
    assert err.value.code == 0x14  # already exists
    await link.run(ModifyPasscode(keys, "24680", "97531", start=START, end=NOW))
    listed = await link.run(ListPasscodes(keys))
    assert [(p.code, p.original, p.end) for p in listed] == [
        ("123456", "123456", None),
        ("97531", "24680", NOW),
    ]
    await link.run(DeletePasscode(keys, "123456", kind=PasscodeType.PERMANENT))
    assert list(lock.passcodes) == ["97531"]
    with pytest.raises(LockError) as err:
        await link.run(DeletePasscode(keys, "123456"))
    assert err.value.code == 0x15  # does not exist
    await link.run(ClearPasscodes(keys))
    assert lock.passcodes == {}
    assert await link.run(ListPasscodes(keys)) == []


async def test_passcode_storage_full(link: SimLink, lock: SimulatedLock, keys: LockKeys) -> None:
    lock.capacity_passcodes = 1
    await link.run(AddPasscode(keys, "1111"))
    with pytest.raises(LockError) as err:
        await link.run(AddPasscode(keys, "2222"))
    assert err.value.code == 0x16  # out of memory


async def test_added_passcode_opens_the_keypad(
    link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    await link.run(AddPasscode(keys, "482916", kind=PasscodeType.COUNT, start=START, end=END))
    assert lock.enter_code("482916")
    assert not lock.locked
    assert not lock.enter_code("482916")  # one-time code used up
    records = await link.run(GetOperationLog(keys))
    assert [(r.type, r.passcode, r.entered_passcode) for r in records] == [
        (4, "482916", "482916"),
        (7, None, "482916"),
    ]


# --- IC cards ---------------------------------------------------------------------------------
covers(AddCard, AddKnownCard, ModifyCard, DeleteCard, ClearCards, ListCards)


async def test_card_enrolment_by_presenting_a_card(
    link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    presented: list[object] = []

    def present(progress: object) -> None:
        presented.append(progress)
        lock.present_card(3661413478)

    link.on_progress = present
    card = await link.run(AddCard(keys, start=START, end=END))
    assert presented == [CardAddMode(battery=77)]
    assert card.number == 3661413478
    assert [(c.number, c.start, c.end) for c in await link.run(ListCards(keys))] == [
        (3661413478, START, END)
    ]
    lock.set_locked(True)
    assert lock.present_card(3661413478)
    assert not lock.locked
    assert not lock.present_card(1)


async def test_cards(link: SimLink, lock: SimulatedLock, keys: LockKeys) -> None:
    assert await link.run(ListCards(keys)) == []
    await link.run(AddKnownCard(keys, 1234))
    await link.run(AddKnownCard(keys, 0x1122334455667788, start=START, end=END))
    await link.run(AddKnownCard(keys, 99))
    cards = await link.run(ListCards(keys))
    assert [c.number for c in cards] == [1234, 0x1122334455667788, 99]
    await link.run(ModifyCard(keys, 1234, start=START, end=NOW))
    assert lock.cards[1234].end == bytes((26, 11, 22, 10, 30))
    await link.run(DeleteCard(keys, 99))
    with pytest.raises(LockError) as err:
        await link.run(DeleteCard(keys, 99))
    assert err.value.code == 0x18
    await link.run(ClearCards(keys))
    assert lock.cards == {}


# --- fingerprints -----------------------------------------------------------------------------
covers(
    AddFingerprint,
    AddKnownFingerprint,
    ModifyFingerprint,
    DeleteFingerprint,
    ClearFingerprints,
    ListFingerprints,
)


async def test_fingerprint_enrolment_with_progress(
    link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    link.on_progress = lambda _progress: lock.place_finger()
    enrolled = await link.run(AddFingerprint(keys, start=START, end=END))
    assert link.progress == [
        FingerprintProgress(0, 4),
        FingerprintProgress(1, 4),
        FingerprintProgress(2, 4),
        FingerprintProgress(3, 4),
    ]
    assert enrolled.fingerprint_id in lock.fingerprints
    listed = await link.run(ListFingerprints(keys))
    assert [(f.fingerprint_id, f.start, f.end) for f in listed] == [
        (enrolled.fingerprint_id, START, END)
    ]
    assert lock.place_finger(enrolled.fingerprint_id) is True
    assert lock.place_finger(42) is False
    assert [r.kind for r in lock.log[-3:]] == [21, 20, 22]


async def test_fingerprints(link: SimLink, lock: SimulatedLock, keys: LockKeys) -> None:
    assert await link.run(ListFingerprints(keys)) == []
    await link.run(AddKnownFingerprint(keys, 0x0000AABBCCDD))
    await link.run(AddKnownFingerprint(keys, 0x112233445566, start=START, end=END))
    assert [f.fingerprint_id for f in await link.run(ListFingerprints(keys))] == [
        0x0000AABBCCDD,
        0x112233445566,
    ]
    await link.run(ModifyFingerprint(keys, 0x0000AABBCCDD, start=START, end=NOW))
    await link.run(DeleteFingerprint(keys, 0x112233445566))
    with pytest.raises(LockError) as err:
        await link.run(DeleteFingerprint(keys, 0x112233445566))
    assert err.value.code == 0x1A
    [left] = await link.run(ListFingerprints(keys))
    assert (left.start, left.end) == (START, NOW)
    await link.run(ClearFingerprints(keys))
    assert lock.fingerprints == {}


# --- operation log ----------------------------------------------------------------------------
covers(GetOperationLog)


async def test_operation_log_pages_and_bookmark(
    link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    await link.run(Unlock(keys, NOW))
    assert lock.params & 0x02  # unread records advertised
    lock.enter_code("000" + ADMIN_CODE + "9")  # anti-peep: the code inside more digits
    lock.enter_code("1111")
    new = await link.run(GetOperationLog(keys))
    assert [(r.type, r.record_id, r.passcode, r.entered_passcode) for r in new] == [
        (1, int(NOW.timestamp()), None, None),
        (4, None, ADMIN_CODE, "000" + ADMIN_CODE + "9"),
        (7, None, None, "1111"),
    ]
    assert not lock.params & 0x02
    assert await link.run(GetOperationLog(keys)) == []  # nothing new since
    everything = await link.run(GetOperationLog(keys, new_only=False))
    assert [r.type for r in everything] == [1, 4, 7]
    lock.log_records_per_page = 3
    assert [r.type for r in await link.run(GetOperationLog(keys, new_only=False))] == [1, 4, 7]


# --- settings ---------------------------------------------------------------------------------
covers(GetAutoLock, SetAutoLock, GetLockSound, SetLockSound, GetRemoteUnlock, SetRemoteUnlock)


async def test_auto_lock(link: SimLink, lock: SimulatedLock, keys: LockKeys) -> None:
    info = await link.run(GetAutoLock(keys))
    assert (info.seconds, info.min_seconds, info.max_seconds) == (0, 1, 900)
    await link.run(SetAutoLock(keys, 30))
    assert (await link.run(GetAutoLock(keys))).seconds == 30
    with pytest.raises(LockError) as err:  # errata E8: above max is refused
        await link.run(SetAutoLock(keys, 1000))
    assert err.value.code == 0x20
    await link.run(SetAutoLock(keys, 0))
    assert lock.auto_lock_seconds == 0


async def test_sound_and_remote_unlock(link: SimLink, lock: SimulatedLock, keys: LockKeys) -> None:
    sound = await link.run(GetLockSound(keys))
    assert (sound.enabled, sound.volume) == (True, 3)
    await link.run(SetLockSound(keys, False))
    assert not (await link.run(GetLockSound(keys))).enabled
    await link.run(SetLockSound(keys, True, volume=5))
    assert (lock.sound_on, lock.volume) == (True, 5)
    assert await link.run(GetRemoteUnlock(keys)) is True
    await link.run(SetRemoteUnlock(keys, False))
    assert await link.run(GetRemoteUnlock(keys)) is False
    assert lock.remote_unlock is False


covers(GetSwitches, SetSwitch)


async def test_switches(link: SimLink, lock: SimulatedLock, keys: LockKeys) -> None:
    """``0x68``: the items the lock has (by its feature bits) and their bits; one set at a
    time leaves the others alone; an item the lock lacks is not set."""
    items, bits = await link.run(GetSwitches(keys))  # feature bits 28, 29, 30, 36; no 46
    assert items == (
        SwitchItem.TAMPER_ALERT
        | SwitchItem.RESET_BUTTON
        | SwitchItem.PRIVACY_LOCK
        | SwitchItem.UNLOCK_DIRECTION_LEFT
    )
    await link.run(SetSwitch(keys, SwitchItem.TAMPER_ALERT, True))
    await link.run(SetSwitch(keys, SwitchItem.PRIVACY_LOCK, True))
    await link.run(SetSwitch(keys, SwitchItem.TAMPER_ALERT, False))
    await link.run(SetSwitch(keys, SwitchItem.PASSAGE_MODE_AUTO_UNLOCK, True))  # not on it
    _items, after = await link.run(GetSwitches(keys))
    assert after == (bits & ~SwitchItem.TAMPER_ALERT) | SwitchItem.PRIVACY_LOCK
    assert not lock.switch_value & SwitchItem.PASSAGE_MODE_AUTO_UNLOCK


covers(AddPassageMode, DeletePassageMode, ClearPassageMode, GetPassageMode)


async def test_passage_mode(link: SimLink, lock: SimulatedLock, keys: LockKeys) -> None:
    weekdays = [
        PassageModeEntry(PassageModeType.WEEKLY, day, 0, 8 * 60, 18 * 60) for day in range(1, 6)
    ]
    monthly = PassageModeEntry(PassageModeType.MONTHLY, 15, 0, 0, 0)
    assert await link.run(GetPassageMode(keys)) == []
    await link.run(AddPassageMode(keys, [*weekdays, monthly]))
    assert await link.run(GetPassageMode(keys)) == [*weekdays, monthly]
    await link.run(DeletePassageMode(keys, weekdays[:2]))
    assert await link.run(GetPassageMode(keys)) == [*weekdays[2:], monthly]
    many = [PassageModeEntry(PassageModeType.MONTHLY, day, 0, 60, 120) for day in range(1, 25)]
    await link.run(AddPassageMode(keys, many))
    assert len(await link.run(GetPassageMode(keys))) == 4 + 24  # several 10-entry pages
    await link.run(ClearPassageMode(keys))
    assert lock.passage_windows == []


# --- hotel data and lift floors ----------------------------------------------------------------
covers(GetHotelData, SetHotelData, ActivateLiftFloors)


async def test_lift_controller(air: VirtualAir) -> None:
    lift = air.add(
        SimulatedLock.lift_controller(
            LIFT_MAC, aes_key=b"L" * 16, admin_ps=11, unlock_key=22, floors=range(1, 9)
        )
    )
    keys = keys_of(lift)
    assert keys.header.scene == 12
    link = await open_link(air, lift)
    assert await link.run(GetHotelData(keys, HotelDataType.LIFT_CONTROLLABLE_FLOORS)) == (
        5,
        bytes(range(1, 9)),
    )
    await link.run(
        SetHotelData(keys, HotelDataType.LIFT_CONTROLLABLE_FLOORS, hotel_value_lift_floors([2, 3]))
    )
    with pytest.raises(LockError):
        await link.run(GetHotelData(keys, HotelDataType.HOTEL_BUILDING_FLOOR))  # never set
    await link.run(SetHotelData(keys, HotelDataType.HOTEL_BUILDING_FLOOR, b"\x00\x01\x02\x03\x04"))
    assert await link.run(GetHotelData(keys, 3)) == (3, b"\x00\x01\x02\x03\x04")
    await link.run(ActivateLiftFloors(keys, [2, 3], NOW))
    assert lift.lift_activations == [(2, 3)]
    with pytest.raises(LockError) as err:
        await link.run(ActivateLiftFloors(keys, [7], NOW))  # not a controllable floor
    assert err.value.code == 0x20
    await link.client.disconnect()


async def test_hotel_data_needs_the_hotel_feature(link: SimLink, keys: LockKeys) -> None:
    with pytest.raises(LockError) as err:
        await link.run(GetHotelData(keys, HotelDataType.IC_KEY))
    assert err.value.code == 0x1B


# --- pairing and factory reset ------------------------------------------------------------------
covers(Pair, FactoryReset)


async def test_pair_a_factory_fresh_lock_then_unlock(air: VirtualAir) -> None:
    fresh = air.add(SimulatedLock.factory_fresh(FRESH_MAC, seed="fresh", features=(0, 4, 15, 18)))
    assert fresh.params & 0x04  # setting mode advertised
    link = await open_link(air, fresh)
    table = native_passcode_table(NOW)  # what Home Assistant sends when it pairs
    pair = Pair(ProtocolHeader(5, 3, 2, 1, 1), NOW, admin_passcode="1357924", passcode_table=table)
    result = await link.run(pair)
    assert result.skipped == ("switch",)  # no switch features: 0x68 refused, tolerated
    assert not fresh.setting_mode
    assert not fresh.params & 0x04
    assert fresh.aes_key == result.aes_key
    assert (fresh.admin_ps, fresh.unlock_key) == (result.admin_ps, result.unlock_key)
    assert result.admin_passcode == fresh.admin_code == "1357924"
    assert fresh.password_table == table.payload
    assert (result.pwd_info, result.pwd_timestamp_ms) == (table.pwd_info, table.timestamp_ms)
    assert native.decode_pwd_info(table.pwd_info, table.timestamp_ms) == (
        native.unpack_init_passwords(fresh.password_table)
    )
    assert set(result.features.bits()) == {0, 4, 15, 18}
    assert result.lock_version == ProtocolHeader(5, 3, 2, 1, 1)
    # the keys the pairing produced, through lockData as the cloud would store them
    lock_data = encode_lock_data(result.lock_data_json(mac=fresh.address, lock_name="New"))
    keys = parse_lock_data(lock_data)
    assert decode_lock_data(lock_data)["noKeyPwd"] == "1357924"
    await link.run(Unlock(keys, NOW))
    assert not fresh.locked
    assert fresh.enter_code("1357924")
    await link.client.disconnect()


async def test_pairing_a_paired_lock_is_refused(link: SimLink) -> None:
    from custom_components.ttlock_access.sdk.ble import NotInSettingModeError

    with pytest.raises(NotInSettingModeError):
        await link.run(Pair(ProtocolHeader(), NOW, passcode_table=native_passcode_table(NOW)))


async def test_factory_reset_then_pair_again(
    air: VirtualAir, link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    await link.run(AddPasscode(keys, "123456"))
    await link.run(FactoryReset(keys))
    assert await _disconnected(link)  # the lock reboots after its reply
    assert lock.setting_mode
    assert lock.params & 0x04
    assert lock.aes_key is None
    assert lock.passcodes == {}
    again = await open_link(air, lock)
    result = await again.run(Pair(ProtocolHeader(), NOW, passcode_table=native_passcode_table(NOW)))
    await again.run(Unlock(result.keys(), NOW))
    assert not lock.locked
    await again.client.disconnect()


async def _disconnected(link: SimLink) -> bool:
    item = await link._queue.get()  # the disconnected callback's sentinel
    return item is None and not link.client.is_connected


async def test_pairing_interrupted_reverts_to_factory_state(air: VirtualAir) -> None:
    fresh = air.add(SimulatedLock.factory_fresh(FRESH_MAC, seed="x"))
    link = await open_link(air, fresh)
    fresh.faults.fail_next(0x57)  # OPERATE_FINISHED fails: pairing not committed
    with pytest.raises(LockError):
        await link.run(Pair(ProtocolHeader(), NOW, passcode_table=native_passcode_table(NOW)))
    assert fresh.setting_mode
    await link.client.disconnect()
    assert fresh.aes_key is None
    assert fresh.admin_ps is None


def test_every_operation_is_covered() -> None:
    """New operations in the core must get a test here."""
    exported = {
        name
        for module in (core_ops, core_pairing)
        for name, obj in vars(module).items()
        if inspect.isclass(obj)
        and issubclass(obj, Operation)
        and not inspect.isabstract(obj)
        and not name.startswith("_")
        and obj.__module__ == module.__name__
        and name not in {"SimpleCommand", "AdminCommand", "PlainCommand", "KeyedOperation"}
    }
    assert exported - COVERED == set()
