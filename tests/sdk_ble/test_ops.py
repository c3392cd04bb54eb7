"""Operation state machines fed with hand-built lock replies (docs/ble.md §3.4, §5; errata).

Every lock frame here is built by ``sdk_ble_helpers`` from the byte layouts of docs/ble.md with an
independent CRC and AES, and every request is checked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sdk_ble_helpers import (
    ADMIN_PS,
    DEFAULT_KEY,
    KEY,
    LOCK_HEADER,
    PS,
    UNLOCK_KEY,
    NativeTable,
    admin_login,
    done,
    failed,
    frames_of,
    keys,
    lock_wire,
    native_table,
    ref_crc,
    reply,
    request,
    waiting,
)

from custom_components.ttlock_access import native
from custom_components.ttlock_access.sdk.ble import (
    ActivateLiftFloors,
    ActuationResult,
    AddCard,
    AddFingerprint,
    AddKnownCard,
    AddKnownFingerprint,
    AddPassageMode,
    AddPasscode,
    Auth,
    CalibrateTime,
    Card,
    CardAddMode,
    ClearCards,
    ClearFingerprints,
    ClearPassageMode,
    ClearPasscodes,
    CommandAck,
    CrcError,
    DecryptError,
    DeleteCard,
    DeleteFingerprint,
    DeletePassageMode,
    DeletePasscode,
    DeviceInfo,
    Done,
    EmptyReplyError,
    EncodeError,
    FactoryReset,
    Failed,
    Fingerprint,
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
    KeyMaterialError,
    ListCards,
    ListFingerprints,
    ListPasscodes,
    Lock,
    LockError,
    LockState,
    LockStatus,
    ModifyCard,
    ModifyFingerprint,
    ModifyPasscode,
    NotInSettingModeError,
    OperationStateError,
    Pair,
    PairResult,
    PassageModeEntry,
    PassageModeType,
    PasscodeType,
    PayloadError,
    ProtocolHeader,
    ReplyTimeoutError,
    SetAutoLock,
    SetHotelData,
    SetLockSound,
    SetRemoteUnlock,
    SoundSettings,
    Unlock,
    Wait,
    Write,
    decode_frame,
    decode_push,
    encode_lock_data,
    parse_lock_data,
)
from custom_components.ttlock_access.sdk.ble.encoding import PERMANENT_END, PERMANENT_START

NOW = datetime(2026, 11, 22, 9, 30, 15, tzinfo=UTC)
UNIX = int(NOW.timestamp()).to_bytes(4, "big")
PROOF = ((PS + UNLOCK_KEY) % 2**32).to_bytes(4, "big")
PERMANENT_WINDOW = bytes.fromhex("00011f0e00 630b1e0e00")
START = datetime(2026, 5, 11, 14, 0)
END = datetime(2027, 5, 11, 14, 0)
WINDOW = bytes.fromhex("1a050b0e00 1b050b0e00")


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# --- actuation and the machinery --------------------------------------------------------------


def test_unlock_user_path() -> None:
    op = Unlock(keys(), NOW)
    step = op.start()
    assert isinstance(step, Write)
    # client send header 05 03 02 0001 0001 (docs/errata.md E2)
    assert step.chunks[0][2:9] == h("05 03 02 0001 0001")
    command, body = request(step)
    assert command == 0x55
    assert body == PERMANENT_WINDOW + h("000000 00000000")  # docs/errata.md §2 / E4 "send"
    assert op.awaiting == 0x55
    command, body = request(reply(op, "5501" + f"{PS:08x}"))
    assert command == 0x47
    assert body == PROOF + UNIX
    result = done(reply(op, "4701 5a 00000000 6a0224a3 1a0b16091e0f"))
    assert result == ActuationResult(90, 0, 0x6A0224A3, datetime(2026, 11, 22, 9, 30, 15))
    assert op.finished
    assert op.awaiting is None
    assert isinstance(op.outcome, Done)


def test_unlock_admin_path_skips_check_random() -> None:
    op = Unlock(keys(lock_flag_pos=2, uid=77), NOW, auth=Auth.ADMIN)
    command, body = request(op.start())
    assert command == 0x41
    assert body == ADMIN_PS.to_bytes(4, "big") + h("000002 0000004d")
    command, body = request(reply(op, "4101" + f"{PS:08x}"))
    assert command == 0x47
    assert body == PROOF + UNIX
    assert done(reply(op, "4701")) == ActuationResult()


def test_lock_with_minimal_reply() -> None:
    op = Lock(keys(), NOW)
    request(op.start())
    command, _ = request(reply(op, "5501" + f"{PS:08x}"))
    assert command == 0x58
    assert done(reply(op, "5801")) == ActuationResult()  # N8: "58 01" alone completes


def test_user_ekey_window_and_flag_pos() -> None:
    op = Unlock(keys(admin=False, start=START, end=END, lock_flag_pos=0x10203, uid=5), NOW)
    _, body = request(op.start())
    assert body == WINDOW + h("010203 00000005")


def test_pushes_are_routed_and_do_not_finish() -> None:
    op = Unlock(keys(), NOW)
    request(op.start())
    # a 0x14 status push (encrypt 00) arrives before the challenge reply (docs/ble.md §5.11)
    push = waiting(reply(op, "1401 3c 01 00", encrypt=0x00)).push
    assert push is not None
    assert (push.command, push.battery, push.locked) == (0x14, 0x3C, False)
    other = waiting(reply(op, "2501 0000")).push
    assert other is not None
    assert other.command == 0x25
    assert other.battery is None
    assert op.awaiting == 0x55
    command, _ = request(reply(op, "5501" + f"{PS:08x}"))
    assert command == 0x47


def test_status_ignores_the_15_byte_log_push() -> None:
    op = GetStatus(keys())
    command, body = request(op.start())
    assert (command, body) == (0x14, b"SCIENER")  # no handshake (docs/ble.md §5.0)
    # docs/errata.md E10: this push while 0x14 is outstanding must not be read as the status
    push = waiting(reply(op, "14 01 2c 00000000 6a0224a3 1a0b16091e0f")).push
    assert push is not None
    assert (push.uid, push.record_id) == (0, 0x6A0224A3)
    assert push.time == datetime(2026, 11, 22, 9, 30, 15)
    status = done(reply(op, "1401 2d 00 02"))
    assert status == LockStatus(battery=45, state=LockState.LOCKED, raw_state=0)


def test_lock_error_reply_fails_with_code() -> None:
    op = Unlock(keys(), NOW)
    request(op.start())
    error = failed(reply(op, "5500 0e"))
    assert isinstance(error, LockError)
    assert (error.command, error.code) == (0x55, 0x0E)
    assert "expired" in str(error)
    (frame,) = frames_of(lock_wire("5501"))
    with pytest.raises(OperationStateError):
        op.receive(frame)
    with pytest.raises(OperationStateError):
        op.timeout()


def test_crc_error_resends_identical_frame_twice() -> None:
    op = GetStatus(keys())
    first = op.start()
    err = CrcError(1, 2)
    assert op.crc_error(err) == first  # docs/errata.md E17
    assert op.crc_error(err) == first
    assert failed(op.crc_error(err)) is err


def test_timeout_fails_with_typed_error() -> None:
    op = GetStatus(keys())
    op.start()
    error = failed(op.timeout())
    assert isinstance(error, ReplyTimeoutError)
    assert error.command == 0x14


def test_undecryptable_short_and_empty_replies() -> None:
    op = GetStatus(keys())
    op.start()
    assert isinstance(failed(reply(op, "1401 64 00", key=DEFAULT_KEY)), DecryptError)
    op = GetStatus(keys())
    op.start()
    assert isinstance(failed(reply(op, "14")), PayloadError)
    op = GetStatus(keys())
    op.start()
    assert isinstance(failed(reply(op, "")), EmptyReplyError)
    op = GetStatus(keys())
    op.start()
    assert isinstance(failed(reply(op, "1401")), PayloadError)  # status reply too short


def test_driving_out_of_order() -> None:
    op = GetStatus(keys())
    (frame,) = frames_of(lock_wire("1401 64 00"))
    with pytest.raises(OperationStateError):
        op.receive(frame)
    assert not op.started
    op.start()
    assert op.started
    with pytest.raises(OperationStateError):
        op.start()
    assert "awaiting=0x14" in repr(op)


def test_key_requirements() -> None:
    user = keys(admin=False)
    with pytest.raises(KeyMaterialError):
        AddPasscode(user, "123456")
    with pytest.raises(KeyMaterialError):
        Unlock(user, NOW, auth=Auth.ADMIN)
    from custom_components.ttlock_access.sdk.ble import LockKeys

    with pytest.raises(KeyMaterialError):
        Unlock(LockKeys(aes_key=KEY), NOW)
    with pytest.raises(EncodeError):
        AddPasscode(keys(), "12")


def test_decode_push_standalone() -> None:
    (frame,) = frames_of(lock_wire("1401 50 01 00", encrypt=0x00))
    push = decode_push(frame, KEY)
    assert (push.battery, push.locked) == (0x50, False)
    (frame,) = frames_of(lock_wire("1401 50 07"))
    assert decode_push(frame, KEY).locked is None
    (frame,) = frames_of(lock_wire("1400 12"))
    assert decode_push(frame, KEY).status == 0


# --- information ------------------------------------------------------------------------------


def test_battery_with_and_without_admin_key() -> None:
    op = GetBattery(keys())
    step = admin_login(op, op.start())  # docs/errata.md E16: handshake when the admin key is held
    assert request(step) == (0x01, b"")
    assert done(reply(op, "0101 4b 71c4f5f1")) == 0x4B
    op = GetBattery(keys(admin=False))
    assert request(op.start()) == (0x01, b"")
    assert done(reply(op, "0101 4b 71c4f5f1")) == 0x4B


def test_features_bare_for_user_keys() -> None:
    op = GetFeatures(keys(admin=False))
    assert request(op.start()) == (0x01, b"")
    features = done(reply(op, "0101 55 71c4f5f1 00000510"))
    assert features.has(40)  # type: ignore[attr-defined]


def test_device_info_tolerates_unsupported_items() -> None:
    op = GetDeviceInfo(keys())
    step = admin_login(op, op.start())
    values = [b"SN206-FPC-NO32K_PV53\x00", b"1.7\x00", b"5.1.0.200320\x00"]
    for item, value in enumerate(values, start=1):
        assert request(step) == (0x90, bytes((item,)))
        step = reply(op, "9001" + value.hex())
    assert request(step) == (0x90, b"\x04")
    info = done(reply(op, "9000 19"))  # docs/errata.md E12: 90 00 19 for unsupported types
    assert info == DeviceInfo("SN206-FPC-NO32K_PV53", "1.7", "5.1.0.200320", None)


def test_calibrate_time_admin_and_user_paths() -> None:
    moment = datetime(2026, 11, 22, 9, 30, 15)
    op = CalibrateTime(keys(), moment)
    step = admin_login(op, op.start())  # docs/errata.md E1: never bare 0x43
    assert request(step) == (0x43, h("1a0b16091e0f"))
    assert done(reply(op, "4301")) is None
    op = CalibrateTime(keys(admin=False), moment)
    command, _ = request(op.start())
    assert command == 0x55
    command, body = request(reply(op, "5501" + f"{PS:08x}"))
    assert (command, body) == (0x30, PROOF)
    assert request(reply(op, "3001"))[0] == 0x43


def test_lock_time_sends_empty_body() -> None:
    op = GetLockTime(keys())
    step = op.start()
    assert isinstance(step, Write)
    assert b"".join(step.chunks)[11] == 0  # length 0, docs/errata.md E3 "send"
    assert done(reply(op, "3401 1a0b16091e0f")) == datetime(2026, 11, 22, 9, 30, 15)


# --- passcodes --------------------------------------------------------------------------------


def test_add_passcode() -> None:
    op = AddPasscode(keys(), "123456", start=START, end=END)
    step = admin_login(op, op.start())
    assert request(step) == (0x03, h("02 03 06") + b"123456" + WINDOW)
    assert done(reply(op, "0301 64 02")) == CommandAck(battery=100)


def test_add_passcode_already_exists() -> None:
    op = AddPasscode(keys(), "123456", kind=PasscodeType.PERMANENT)
    step = admin_login(op, op.start())
    assert request(step)[1] == h("02 01 06") + b"123456" + PERMANENT_WINDOW[:5]
    error = failed(reply(op, "0300 14"))
    assert isinstance(error, LockError)
    assert error.code == 0x14


@pytest.mark.parametrize(
    ("factory", "payload"),
    [
        (lambda k: ModifyPasscode(k, "1234", "5678"), h("05 03 04") + b"1234" + h("04") + b"5678"),
        (lambda k: DeletePasscode(k, "1234"), h("03 03 04") + b"1234"),
        (lambda k: ClearPasscodes(k), h("01")),
    ],
)
def test_passcode_admin_commands(factory: object, payload: bytes) -> None:
    op = factory(keys())  # type: ignore[operator]
    step = admin_login(op, op.start())
    assert request(step) == (0x03, payload)
    assert done(reply(op, "0301 64 01")) == CommandAck(100)


def _code_record(kind: int, code: bytes, tail: bytes) -> str:
    body = bytes((kind, len(code))) + code + bytes((len(code),)) + code + tail
    return (bytes((len(body),)) + body).hex()


def test_list_passcodes_stops_on_next_seq_zero() -> None:
    op = ListPasscodes(keys())
    step = admin_login(op, op.start())
    assert request(step) == (0x07, h("0000"))
    step = reply(op, "0701 0002 0001" + _code_record(3, b"1111", WINDOW))
    assert request(step) == (0x07, h("0001"))
    # docs/errata.md E6: hardware ends with nextSeq = 0 on the last record
    codes = done(reply(op, "0701 0002 0000" + _code_record(1, b"2222", WINDOW[:5])))
    assert [c.code for c in codes] == ["1111", "2222"]  # type: ignore[attr-defined]


def test_list_passcodes_empty_and_repeated_cursor() -> None:
    op = ListPasscodes(keys())
    step = admin_login(op, op.start())
    request(step)
    assert done(reply(op, "0701 0000")) == []
    op = ListPasscodes(keys())
    request(step := admin_login(op, op.start()))
    step = reply(op, "0701 0002 0005" + _code_record(3, b"1111", WINDOW))
    assert request(step)[1] == h("0005")
    assert len(done(reply(op, "0701 0002 0005" + _code_record(3, b"1111", WINDOW)))) == 2  # type: ignore[arg-type]


# --- cards ------------------------------------------------------------------------------------


def test_add_card_flow() -> None:
    op = AddCard(keys(), start=START, end=END)
    step = admin_login(op, op.start())
    assert request(step) == (0x05, h("02"))
    wait = waiting(reply(op, "0501 3f 02 02"))  # the KJS capture: entered add mode
    assert wait.progress == CardAddMode(battery=0x3F)
    assert wait.timeout == 60.0
    assert op.awaiting == 0x05
    # an unrelated push while waiting for the card
    assert waiting(reply(op, "1401 3f 00 00", encrypt=0x00)).push is not None
    step = reply(op, "0501 3f 02 01 01020304 ffffffff", encrypt=0x00)  # card read (§5.6 step 3)
    assert request(step) == (0x05, h("05 01020304") + WINDOW)
    assert done(reply(op, "0501 3f 05")) == Card(0x01020304, START, END)


def test_add_card_direct_success_and_default_window() -> None:
    op = AddCard(keys())
    step = admin_login(op, op.start())
    request(step)
    step = reply(op, "0501 3f 02 01 0a0b0c0d")
    assert request(step)[1] == h("05 0a0b0c0d") + PERMANENT_WINDOW
    assert done(reply(op, "0501 3f 05")) == Card(0x0A0B0C0D, PERMANENT_START, PERMANENT_END)


def test_add_card_window_failure_deletes_the_card() -> None:
    op = AddCard(keys())
    request(admin_login(op, op.start()))
    request(reply(op, "0501 3f 02 01 0a0b0c0d"))
    assert request(reply(op, "0500 20")) == (0x05, h("03 0a0b0c0d"))  # SDK: undo the add
    error = failed(reply(op, "0500 18"))
    assert isinstance(error, LockError)
    assert error.code == 0x20


def test_add_card_unexpected_status_and_timeout() -> None:
    op = AddCard(keys())
    request(admin_login(op, op.start()))
    assert isinstance(failed(reply(op, "0501 3f 02 07")), PayloadError)
    op = AddCard(keys(), timeout=5.0)
    request(admin_login(op, op.start()))
    assert waiting(reply(op, "0501 3f 02 02")).timeout == 5.0
    assert isinstance(failed(op.timeout()), ReplyTimeoutError)


@pytest.mark.parametrize(
    ("factory", "command", "payload"),
    [
        (lambda k: AddKnownCard(k, 0x01020304, start=START, end=END), 0x05,
         h("02 01020304") + WINDOW),
        (lambda k: ModifyCard(k, 0x01020304, start=START, end=END), 0x05,
         h("05 01020304") + WINDOW),
        (lambda k: DeleteCard(k, 0x01020304), 0x05, h("03 01020304")),
        (lambda k: ClearCards(k), 0x05, h("04")),
        (lambda k: AddKnownFingerprint(k, 0x0102030405AB, start=START, end=END), 0x06,
         h("02 0102030405ab") + WINDOW),
        (lambda k: ModifyFingerprint(k, 0x0102030405AB, start=START, end=END), 0x06,
         h("05 0102030405ab") + WINDOW),
        (lambda k: DeleteFingerprint(k, 0x0102030405AB), 0x06, h("03 0102030405ab")),
        (lambda k: ClearFingerprints(k), 0x06, h("04")),
    ],
)  # fmt: skip
def test_credential_admin_commands(factory: object, command: int, payload: bytes) -> None:
    op = factory(keys())  # type: ignore[operator]
    assert request(admin_login(op, op.start())) == (command, payload)
    assert done(reply(op, f"{command:02x}01 64 {payload[0]:02x}")) == CommandAck(100)


def test_list_cards() -> None:
    op = ListCards(keys())
    assert request(admin_login(op, op.start())) == (0x05, h("01 0000"))
    step = reply(op, "0501 64 01 0001 01020304" + WINDOW.hex())
    assert request(step) == (0x05, h("01 0001"))
    cards = done(reply(op, "0501 64 01 ffff"))
    assert cards == [Card(0x01020304, START, END)]


# --- fingerprints -----------------------------------------------------------------------------


def test_add_fingerprint_flow_with_progress() -> None:
    op = AddFingerprint(keys(), start=START, end=END)
    assert request(admin_login(op, op.start())) == (0x06, h("02"))
    wait = waiting(reply(op, "0601 64 02 02 04"))
    assert wait.progress == FingerprintProgress(0, 4)
    assert waiting(reply(op, "0601 64 02 03 00 04")).progress == FingerprintProgress(0, 4)
    assert waiting(reply(op, "0601 64 02 03 01 04")).progress == FingerprintProgress(1, 4)
    assert waiting(reply(op, "0601 64 02 03")).progress == FingerprintProgress(None, None)
    step = reply(op, "0601 64 02 01 0102030405ab")
    assert request(step) == (0x06, h("05 0102030405ab") + WINDOW)
    assert done(reply(op, "0601 64 05")) == Fingerprint(0x0102030405AB, START, END)


def test_add_fingerprint_without_touch_count_and_errors() -> None:
    op = AddFingerprint(keys())
    request(admin_login(op, op.start()))
    assert waiting(reply(op, "0601 64 02 02")).progress == FingerprintProgress(0, None)
    assert isinstance(failed(reply(op, "0601 64 02 01 0102")), PayloadError)
    op = AddFingerprint(keys())
    request(admin_login(op, op.start()))
    assert isinstance(failed(reply(op, "0601 64 02 04 0000 0080")), PayloadError)  # template


def test_list_fingerprints_hardware_shape() -> None:
    op = ListFingerprints(keys())
    assert request(admin_login(op, op.start())) == (0x06, h("06 0000"))
    # docs/errata.md E18: one entry per reply, position = index + 1, end marker 06 01 bb 06 ff ff
    step = reply(op, "0601 64 06 0001 0102030405ab 0001010000 6301010000")
    assert request(step) == (0x06, h("06 0001"))
    prints = done(reply(op, "0601 64 06 ffff"))
    assert [p.fingerprint_id for p in prints] == [0x0102030405AB]  # type: ignore[attr-defined]


# --- operation log ----------------------------------------------------------------------------


def _log_record(kind: int, tail: str) -> str:
    body = bytes((kind,)) + h("1a0b16091e0f") + bytes((90,)) + h(tail)
    return (bytes((len(body),)) + body).hex()


def test_operation_log_pages() -> None:
    op = GetOperationLog(keys())
    assert request(op.start()) == (0x25, h("ffff"))  # new records, no handshake (§5.8)
    step = reply(op, "2501 0011 0001" + _log_record(1, "00000007 6a0224a3"))
    assert request(step) == (0x25, h("0001"))
    step = reply(op, "2501 0009 0002" + _log_record(27, ""))
    assert request(step) == (0x25, h("0002"))
    records = done(reply(op, "2501 0000"))  # docs/errata.md E11: end with 25 01 00 00
    assert [r.type for r in records] == [1, 27]  # type: ignore[attr-defined]
    assert records[0].uid == 7  # type: ignore[index]


def test_operation_log_guards() -> None:
    op = GetOperationLog(keys(), new_only=False)
    assert request(op.start()) == (0x25, h("0000"))
    page = "2501 0011 0003" + _log_record(1, "00000007 6a0224a3")
    request(reply(op, page))
    assert len(done(reply(op, page))) == 1  # type: ignore[arg-type]  # repeated page: stop
    op = GetOperationLog(keys())
    request(op.start())
    assert len(done(reply(op, "2501 0009 ffff" + _log_record(14, "")))) == 1  # type: ignore[arg-type]
    op = GetOperationLog(keys(), new_only=False)
    request(op.start())
    assert len(done(reply(op, "2501 0009 0000" + _log_record(14, "")))) == 1  # type: ignore[arg-type]


# --- settings ---------------------------------------------------------------------------------


def test_auto_lock_get_and_set() -> None:
    op = GetAutoLock(keys())
    assert request(admin_login(op, op.start())) == (0x36, h("01"))
    info = done(reply(op, "3601 64 01 001e 0001 0384 01"))
    assert info.seconds == 30  # type: ignore[attr-defined]
    op = SetAutoLock(keys(), 0)
    assert request(admin_login(op, op.start())) == (0x36, h("02 0000"))
    assert done(reply(op, "3601 64 02")) == CommandAck(100)


def test_sound_and_remote_unlock() -> None:
    op = GetLockSound(keys())
    assert request(admin_login(op, op.start())) == (0x62, h("01"))
    assert done(reply(op, "6201 64 01 01 03")) == SoundSettings(True, 3)
    op = SetLockSound(keys(), True, volume=5)
    assert request(admin_login(op, op.start())) == (0x62, h("02 01 05 00"))
    assert done(reply(op, "6201 64 02")) == CommandAck(100)
    op = GetRemoteUnlock(keys())
    assert request(admin_login(op, op.start())) == (0x37, h("01"))
    assert done(reply(op, "3701 64 01 01")) is True
    op = SetRemoteUnlock(keys(), False)
    assert request(admin_login(op, op.start())) == (0x37, h("02 00"))
    assert done(reply(op, "3701 64 02")) == CommandAck(100)


def test_passage_mode() -> None:
    weekday = PassageModeEntry(PassageModeType.WEEKLY, 1, 0, 8 * 60, 18 * 60)
    sunday = PassageModeEntry(PassageModeType.WEEKLY, 7, 0, 0, 0)
    op = GetPassageMode(keys())
    assert request(admin_login(op, op.start())) == (0x66, h("01 00"))
    step = reply(op, "6601 64 01 01 01 01 00 08 00 12 00")
    assert request(step) == (0x66, h("01 01"))
    assert done(reply(op, "6601 64 01 ff 01 07 00 00 00 00 00")) == [weekday, sunday]

    op = AddPassageMode(keys(), [weekday, sunday])
    assert request(admin_login(op, op.start())) == (0x66, h("02 01 01 00 08 00 12 00"))
    assert request(reply(op, "6601 64 02")) == (0x66, h("02 01 07 00 00 00 00 00"))
    assert done(reply(op, "6601 64 02")) == CommandAck(100)

    op = DeletePassageMode(keys(), [sunday])
    assert request(admin_login(op, op.start())) == (0x66, h("03 01 07 00 00 00 00 00"))
    assert done(reply(op, "6601 64 03")) == CommandAck(100)

    op = ClearPassageMode(keys())
    assert request(admin_login(op, op.start())) == (0x66, h("04"))
    assert done(reply(op, "6601 64 04")) == CommandAck(100)
    with pytest.raises(EncodeError):
        AddPassageMode(keys(), [])


def test_factory_reset_accepts_empty_reply() -> None:
    op = FactoryReset(keys())
    assert request(admin_login(op, op.start())) == (0x52, b"")
    assert done(reply(op, "")) == CommandAck(None)  # docs/ble.md §5.1: no body = success


def test_hotel_data() -> None:
    op = GetHotelData(keys(), 3)
    assert request(admin_login(op, op.start())) == (0x64, h("01 03"))
    assert done(reply(op, "6401 64 01 03 010203 04 05")) == (3, h("010203 04 05"))
    op = SetHotelData(keys(), 4, h("8001"))
    assert request(admin_login(op, op.start())) == (0x64, h("02 04 02 8001"))
    assert done(reply(op, "6401 64 02 04")) == CommandAck(100)


def test_lift_floor_activation() -> None:
    moment = datetime(2026, 11, 22, 9, 30, 15, tzinfo=UTC)
    op = ActivateLiftFloors(keys(), [3, 12], moment)
    request(op.start())
    command, body = request(reply(op, "5501" + f"{PS:08x}"))
    assert command == 0x47
    assert body == PROOF + UNIX + h("1a0b16091e0f 02 03 0c")
    assert done(reply(op, "4701 64")) == ActuationResult(battery=100)
    with pytest.raises(EncodeError):
        ActivateLiftFloors(keys(), [], moment)


# --- pairing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FixedTable:
    payload: bytes = bytes(range(61))
    pwd_info: str = "cHdkSW5mbw=="
    timestamp_ms: int = 1_790_000_000_000


NEW_KEY = bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
FEATURES_W0 = (1 << 4) | (1 << 14) | (1 << 15) | (1 << 18)  # auto-lock, remote, audio, admin code


def _pair_reply(op: Pair, plaintext: str) -> object:
    return reply(op, plaintext, key=NEW_KEY)


def _pair_request(step: object) -> tuple[int, bytes]:
    return request(step, key=NEW_KEY)


def test_pairing_full_sequence() -> None:
    header = ProtocolHeader(5, 3, 2, 1, 1)
    op = Pair(header, NOW, admin_ps=ADMIN_PS, unlock_key=UNLOCK_KEY, admin_passcode="7654321",
              passcode_table=FixedTable())  # fmt: skip
    step = op.start()
    assert request(step, key=DEFAULT_KEY) == (0x19, b"SCIENER")  # docs/ble.md §5.1 step 2
    # the key reply carries frame command 0x19 (docs/ble.md §3.4) under the default key
    step = reply(op, "1901" + NEW_KEY.hex(), key=DEFAULT_KEY, command=0x19)
    assert _pair_request(step) == (
        0x56, ADMIN_PS.to_bytes(4, "big") + UNLOCK_KEY.to_bytes(4, "big") + b"SCIENER"
    )  # fmt: skip
    step = _pair_reply(op, "5601" + b"SCIENER".hex())
    assert _pair_request(step) == (0x43, h("1a0b16091e0f"))
    step = _pair_reply(op, "4300 13")  # time calibration fails on some locks: ignored
    assert _pair_request(step) == (0x01, b"")
    step = _pair_reply(op, f"0101 5f {FEATURES_W0:08x} 00000000")
    assert _pair_request(step) == (0x68, h("01"))
    step = _pair_reply(op, "6800 1b")  # switch query unsupported: skipped
    assert _pair_request(step) == (0x62, h("01"))
    step = _pair_reply(op, "6201 5f 01 01 03")
    assert _pair_request(step) == (0x36, h("01"))
    step = _pair_reply(op, "3601 5f 01 0000 0001 0384")
    assert _pair_request(step) == (0x65, b"")
    step = _pair_reply(op, "6501 5f 00")  # no admin code yet → set one (§5.1 step 7)
    assert _pair_request(step) == (0x53, bytes((7, 6, 5, 4, 3, 2, 1)))
    step = _pair_reply(op, "5301")
    assert _pair_request(step) == (0x31, bytes(range(61)))
    step = _pair_reply(op, "3101")
    assert _pair_request(step) == (0x37, h("01"))
    step = _pair_reply(op, "3701 5f 01 01")
    for item, value in enumerate((b"SN206\x00", b"1.7\x00", b"5.1.0\x00"), start=1):
        assert _pair_request(step) == (0x90, bytes((item,)))
        step = _pair_reply(op, "9001" + value.hex())
    assert _pair_request(step) == (0x90, h("04"))
    step = _pair_reply(op, "9000 19")
    assert _pair_request(step) == (0x57, b"")
    result = done(_pair_reply(op, "5701"))
    assert isinstance(result, PairResult)
    assert result.aes_key == NEW_KEY
    assert result.lock_version == ProtocolHeader(5, 3, 2, 10, 12)  # the lock's own header
    assert result.battery == 0x5F
    assert result.admin_passcode == "7654321"
    assert result.pwd_info == "cHdkSW5mbw=="
    assert result.pwd_timestamp_ms == 1_790_000_000_000
    assert (result.model, result.hardware_revision, result.firmware_revision) == (
        "SN206", "1.7", "5.1.0"
    )  # fmt: skip
    assert result.manufacture_date is None
    assert result.sound == SoundSettings(True, 3)
    assert result.auto_lock is not None
    assert result.remote_unlock is True
    assert result.switch_state is None
    assert result.skipped == ("calibrate_time", "switch", "device_info_4")
    assert NEW_KEY.hex() not in repr(result)

    keys_after = result.keys(mac="AA:BB:CC:DD:EE:FF", uid=9)
    assert keys_after.aes_key == NEW_KEY
    assert keys_after.header == result.lock_version
    lock_data = encode_lock_data(
        result.lock_data_json(mac="aa:bb:cc:dd:ee:ff", lock_name="S202F_ffeedd")
    )
    parsed = parse_lock_data(lock_data)
    assert (parsed.aes_key, parsed.admin_ps, parsed.unlock_key) == (NEW_KEY, ADMIN_PS, UNLOCK_KEY)
    assert parsed.header == ProtocolHeader(5, 3, 2, 10, 12)


def _pair_until_features(op: Pair, w0: int) -> object:
    request(op.start(), key=DEFAULT_KEY)
    reply(op, "1901" + NEW_KEY.hex(), key=DEFAULT_KEY, command=0x19)
    _pair_reply(op, "5601" + b"SCIENER".hex())
    _pair_reply(op, "4301")
    return _pair_reply(op, f"0101 5f {w0:08x}")


def test_pairing_requires_a_passcode_table() -> None:
    """The SDK generates no INIT_PASSWORDS tables of its own: the caller supplies them."""
    with pytest.raises(TypeError, match="passcode_table"):
        Pair(ProtocolHeader(), NOW)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="passcode_table"):
        Pair(ProtocolHeader(), NOW, passcode_table=None)  # type: ignore[arg-type]


def test_pairing_plain_v3_sets_admin_code_directly_with_native_table() -> None:
    built: list[NativeTable] = []

    def build() -> NativeTable:
        built.append(native_table(NOW, seed=7))
        return built[-1]

    op = Pair(ProtocolHeader(), NOW, read_device_info=False, passcode_table=build)
    step = _pair_until_features(op, 0)
    assert _pair_request(step)[0] == 0x68
    step = op.timeout()  # a lock silent on an optional query: skipped, pairing goes on
    command, body = _pair_request(step)
    assert command == 0x53
    assert len(body) == 7
    assert all(d <= 9 for d in body)
    assert built == []  # the table is built when INIT_PASSWORDS is reached
    command, table = _pair_request(_pair_reply(op, "5301"))
    assert command == 0x31
    assert table == native_table(NOW, seed=7).payload  # sent as generated
    assert [entry.year for entry in native.unpack_init_passwords(table)] == list(range(2026, 2036))
    assert _pair_request(_pair_reply(op, "3100 0b"))[0] == 0x57  # INIT failure tolerated
    result = done(_pair_reply(op, "5701"))
    assert result.pwd_info is None  # type: ignore[attr-defined]
    assert "init_passwords" in result.skipped  # type: ignore[attr-defined]


def test_pairing_v3_car_skips_admin_code() -> None:
    op = Pair(ProtocolHeader(5, 3, 7, 1, 1), NOW, read_device_info=False,
              passcode_table=FixedTable)  # fmt: skip
    step = _pair_until_features(op, 0)
    step = _pair_reply(op, "6801 5f 01 00000017 00000005")
    assert _pair_request(step)[0] == 0x31
    step = _pair_reply(op, "3101")
    assert _pair_request(step)[0] == 0x57
    result = done(_pair_reply(op, "5701"))
    assert result.switch_state == (0x17, 0x05)  # type: ignore[attr-defined]
    assert result.admin_passcode is None  # type: ignore[attr-defined]


def test_pairing_existing_admin_code_is_kept_and_native_tables_reported() -> None:
    table = native_table(NOW, seed=11)
    op = Pair(ProtocolHeader(), NOW, read_device_info=False, passcode_table=table)
    step = _pair_until_features(op, 1 << 18)
    step = _pair_reply(op, "6800 1b")
    assert _pair_request(step) == (0x65, b"")
    step = _pair_reply(op, "6501 5f 06" + b"123456".hex())
    assert _pair_request(step) == (0x31, table.payload)
    _pair_reply(op, "3101")
    result = done(_pair_reply(op, "5701"))
    assert isinstance(result, PairResult)
    assert result.admin_passcode == "123456"
    # what the cloud gets (pwdInfo + timestamp) decrypts to the tables the lock received
    assert result.pwd_timestamp_ms == int(NOW.timestamp() * 1000)
    assert result.pwd_info is not None
    assert native.decode_pwd_info(result.pwd_info, result.pwd_timestamp_ms) == (
        native.unpack_init_passwords(table.payload)
    )


@pytest.mark.parametrize(
    ("plaintext", "kwargs"),
    [
        ("", {"key": DEFAULT_KEY, "command": 0x19}),  # no decryptable data (§5.1)
        ("1901" + NEW_KEY.hex(), {"key": NEW_KEY, "command": 0x19}),  # wrong key
        ("1900 07", {"key": DEFAULT_KEY}),  # "not in setting mode"
    ],
)
def test_pairing_not_in_setting_mode(plaintext: str, kwargs: dict[str, object]) -> None:
    op = Pair(ProtocolHeader(), NOW, passcode_table=FixedTable())
    op.start()
    error = failed(reply(op, plaintext, **kwargs))
    assert isinstance(error, NotInSettingModeError)


def test_pairing_other_key_error_and_add_admin_refusal() -> None:
    op = Pair(ProtocolHeader(), NOW, passcode_table=FixedTable())
    op.start()
    error = failed(reply(op, "1900 1d", key=DEFAULT_KEY))  # invalid vendor
    assert isinstance(error, LockError)
    assert not isinstance(error, NotInSettingModeError)
    op = Pair(ProtocolHeader(), NOW, passcode_table=FixedTable())
    op.start()
    reply(op, "1901" + NEW_KEY.hex(), key=DEFAULT_KEY)
    error = failed(_pair_reply(op, "5600"))
    assert isinstance(error, LockError)
    assert "ADD_ADMIN refused" in str(error)
    op = Pair(ProtocolHeader(), NOW, passcode_table=FixedTable())
    op.start()
    reply(op, "1901" + NEW_KEY.hex(), key=DEFAULT_KEY)
    assert isinstance(failed(_pair_reply(op, "5601" + b"NOTSCIE".hex())), PayloadError)
    with pytest.raises(EncodeError):
        Pair(ProtocolHeader(), NOW, admin_passcode="12", passcode_table=FixedTable())


# --- robustness -------------------------------------------------------------------------------


@settings(max_examples=200)
@given(st.binary(max_size=40), st.booleans())
def test_random_replies_give_steps_not_exceptions(plaintext: bytes, right_key: bool) -> None:
    op = Unlock(keys(), NOW)
    op.start()
    (frame,) = frames_of(lock_wire(plaintext, key=KEY if right_key else DEFAULT_KEY))
    step = op.receive(frame)
    assert isinstance(step, Write | Wait | Done | Failed)


@settings(max_examples=200)
@given(st.binary(min_size=0, max_size=48))
def test_random_frame_data_gives_steps(data: bytes) -> None:
    op = GetStatus(keys())
    op.start()
    body = b"\x7f\x5a" + LOCK_HEADER + bytes((0x54, 0xAA, len(data))) + data
    frame = decode_frame(body + bytes((ref_crc(body),)))
    assert isinstance(op.receive(frame), Write | Wait | Done | Failed)


def test_parser_bug_surfaces_as_payload_error() -> None:
    from custom_components.ttlock_access.sdk.ble.ops import Request, SimpleCommand

    def broken(_data: bytes) -> int:
        raise IndexError("bug")

    op = SimpleCommand(keys(), 0x14, b"SCIENER", broken)
    op.login = False
    assert request(op.start()) == (0x14, b"SCIENER")
    assert isinstance(failed(reply(op, "1401 64 00")), PayloadError)
    assert Request(0x14, b"").timeout == 6.0


def test_payload_too_long_for_a_frame_fails_the_operation() -> None:
    op = SetHotelData(keys(), 5, bytes(250))  # 253-byte payload → 256 bytes of ciphertext
    step = admin_login(op, op.start())
    error = failed(step)
    assert isinstance(error, EncodeError)
    assert repr(op).endswith("finished>")
