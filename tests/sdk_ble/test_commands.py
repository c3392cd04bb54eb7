"""Command payload builders and reply parsers against the byte layouts of docs/ble.md (§5, §9.3)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custom_components.ttlock_access.sdk.ble import (
    EncodeError,
    LockState,
    PassageModeEntry,
    PassageModeType,
    PasscodeType,
    PayloadError,
    ProtocolError,
)
from custom_components.ttlock_access.sdk.ble import commands as cmd
from custom_components.ttlock_access.sdk.ble.const import (
    Command,
    FeatureBit,
    LockErrorCode,
    LockType,
    PassageModeOp,
    describe_error,
    lock_type_of,
)
from custom_components.ttlock_access.sdk.ble.encoding import (
    PERMANENT_END,
    PERMANENT_START,
    Reader,
    decode_date,
    encode_d5,
    encode_d6,
    u16,
)

START = datetime(2026, 5, 11, 14, 0)
END = datetime(2027, 5, 11, 14, 0)
# 26-05-11 14:00 as decimal bytes (the example of docs/errata.md E7)
START_D5 = bytes.fromhex("1a050b0e00")
END_D5 = bytes.fromhex("1b050b0e00")


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# --- dates and integers -----------------------------------------------------------------------


def test_dates_are_decimal_bytes_not_bcd() -> None:
    assert encode_d5(START) == START_D5
    assert encode_d6(datetime(2026, 12, 31, 23, 59, 58)) == h("1a 0c 1f 17 3b 3a")
    assert encode_d5(PERMANENT_START) == h("00 01 1f 0e 00")  # docs/errata.md E4 "send"
    assert encode_d5(PERMANENT_END) == h("63 0b 1e 0e 00")


def test_date_range_and_decode() -> None:
    with pytest.raises(EncodeError):
        encode_d5(datetime(1999, 1, 1))
    assert decode_date(h("1a 0c 1f 17 3b 3a")) == datetime(2026, 12, 31, 23, 59, 58)
    assert decode_date(h("00 01 31 14 00")) is None  # RQB's BCD bytes are no real date (E4)
    with pytest.raises(PayloadError):
        decode_date(b"\x00")


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_date_round_trip(moment: datetime) -> None:
    assert decode_date(encode_d6(moment)) == moment.replace(microsecond=0)
    assert decode_date(encode_d5(moment)) == moment.replace(second=0, microsecond=0)


def test_integer_encoders() -> None:
    assert u16(0x1234) == h("1234")
    with pytest.raises(EncodeError):
        u16(0x10000)
    reader = Reader(h("01 0203 04050607 08"))
    assert (reader.u8(), reader.u16(), reader.u32()) == (1, 0x0203, 0x04050607)
    assert reader.rest() == h("08")
    with pytest.raises(PayloadError):
        reader.u8()


# --- session ----------------------------------------------------------------------------------


def test_check_user_time_permanent_matches_n8() -> None:
    # docs/errata.md §2: N8's exact CHECK_USER_TIME plaintext (uid 0, lockFlagPos 0).
    assert cmd.check_user_time(None, None, 0, 0) == h("00011f0e00 630b1e0e00 000000 00000000")


def test_check_user_time_fields() -> None:
    body = cmd.check_user_time(START, END, 0x010203, 0xAABBCCDD)
    assert body == START_D5 + END_D5 + h("010203 aabbccdd")
    assert len(body) == 17
    with pytest.raises(EncodeError):
        cmd.check_user_time(None, None, 1 << 24, 0)


def test_check_admin_layout() -> None:
    assert cmd.check_admin(0x075BCD15, 0x000102, 7) == h("075bcd15 000102 00000007")
    with pytest.raises(EncodeError):
        cmd.check_admin(1, 1 << 24, 0)


def test_dynamic_sum_wraps() -> None:
    # docs/errata.md §2: ps 0xFFFFFFF0 + key 0x100 → 000000f0
    assert cmd.check_random(cmd.dynamic_sum(0xFFFFFFF0, 0x100)) == h("000000f0")
    assert cmd.parse_challenge(h("12345678")) == 0x12345678
    with pytest.raises(PayloadError):
        cmd.parse_challenge(h("1234"))


# --- actuation --------------------------------------------------------------------------------


def test_actuation_layout() -> None:
    assert cmd.actuation(0x01020304, 0x6A0224A3) == h("01020304 6a0224a3")


def test_parse_actuation_shapes() -> None:
    assert cmd.parse_actuation(b"").battery is None
    assert cmd.parse_actuation(h("64")).battery == 100
    full = cmd.parse_actuation(h("5a 00000007 6a0224a3 1a0b16091e0f"))
    assert (full.battery, full.uid, full.record_id) == (90, 7, 0x6A0224A3)
    assert full.lock_time == datetime(2026, 11, 22, 9, 30, 15)


def test_lift_activation_layout() -> None:
    now = datetime(2026, 11, 22, 9, 30, 15)
    body = cmd.lift_activation(1, 2, now, [3, 7])
    assert body == h("00000001 00000002 1a0b16091e0f 02 03 07")
    for floors in ([], [256], list(range(256))):
        with pytest.raises(EncodeError):
            cmd.lift_activation(1, 2, now, floors)


# --- status / features / time -----------------------------------------------------------------


def test_status() -> None:
    assert cmd.status_query() == b"SCIENER"
    status = cmd.parse_status(h("2d 00 02"))  # RQB capture 14 01 2d 00 02 → 45 %, locked
    assert (status.battery, status.state) == (45, LockState.LOCKED)
    assert cmd.parse_status(h("64 01")).state is LockState.UNLOCKED
    assert cmd.parse_status(h("64 07")).state is LockState.UNKNOWN


def test_features_haa41() -> None:
    # docs/ble.md §5.3: W0 71c4f5f1, W1 00000510 → this exact feature set.
    features = cmd.parse_features(h("55 71c4f5f1 00000510 00000000 00000000"))
    assert features.battery == 0x55
    assert features.bits() == [0, 4, 5, 6, 7, 8, 10, 12, 13, 14, 15, 18, 22, 23, 24, 28, 29,
                               30, 36, 40, 42]  # fmt: skip
    assert features.special_value == 0x71C4F5F1
    assert features.has(FeatureBit.PASSAGE_MODE)
    assert not features.has(FeatureBit.IC_CARD)
    assert features.feature_value_hex == "51071C4F5F1"
    with pytest.raises(PayloadError):
        cmd.parse_features(h("55 0102"))


def test_lock_time_and_calibration() -> None:
    moment = datetime(2026, 11, 22, 9, 30, 15)
    assert cmd.calibrate_time(moment) == h("1a0b16091e0f")
    assert cmd.parse_lock_time(cmd.calibrate_time(moment)) == moment


# --- pairing steps ----------------------------------------------------------------------------


def test_pairing_payloads() -> None:
    assert cmd.get_aes_key() == b"SCIENER"
    assert cmd.add_admin(0x01020304, 0x05060708) == h("01020304 05060708") + b"SCIENER"
    assert cmd.parse_aes_key(bytes(range(16)) + b"x") == bytes(range(16))
    with pytest.raises(PayloadError):
        cmd.parse_aes_key(b"short")
    cmd.parse_add_admin(b"SCIENER")
    with pytest.raises(PayloadError):
        cmd.parse_add_admin(b"SCIENEX")
    assert cmd.set_admin_passcode("1234567") == bytes(range(1, 8))
    for bad in ("123", "1234567890", "12a4", "١٢٣٤٥"):
        with pytest.raises(EncodeError):
            cmd.set_admin_passcode(bad)
    assert cmd.parse_admin_code(h("64 07") + b"1234567") == "1234567"
    assert cmd.parse_admin_code(h("64 00")) == ""
    assert cmd.parse_admin_code(h("64")) == ""
    assert cmd.init_passwords(bytes(61)) == bytes(61)
    with pytest.raises(EncodeError):
        cmd.init_passwords(bytes(60))


def test_device_info() -> None:
    assert cmd.read_device_info(3) == h("03")
    assert cmd.parse_device_info(b"SN206-FPC-NO32K_PV53\x00") == "SN206-FPC-NO32K_PV53"
    assert cmd.parse_device_info(b"1.7\x01") == "1.7"  # SDK drops the trailing byte
    assert cmd.parse_device_info(b"") == ""


# --- settings ---------------------------------------------------------------------------------


def test_auto_lock() -> None:
    assert cmd.setting_query() == h("01")
    assert cmd.auto_lock_set(300) == h("02 012c")
    # docs/errata.md E8: one physical lock's reply, min 1, max 900, plus a trailing byte.
    info = cmd.parse_auto_lock(h("64 01 001e 0001 0384 01"))
    assert (info.battery, info.seconds, info.min_seconds, info.max_seconds) == (100, 30, 1, 900)
    with pytest.raises(PayloadError):
        cmd.parse_auto_lock(h("64 01 001e"))


def test_audio_remote_unlock_switch() -> None:
    assert cmd.audio_set(False) == h("02 00")
    assert cmd.audio_set(True) == h("02 01")
    assert cmd.audio_set(True, 3) == h("02 01 03 00")
    with pytest.raises(EncodeError):
        cmd.audio_set(True, 6)
    assert cmd.parse_audio(h("64 01 01 04")).volume == 4
    assert cmd.parse_audio(h("64 01 00")).enabled is False
    assert cmd.remote_unlock_set(True) == h("02 01")
    assert cmd.parse_setting(h("64 01 01")).value == 1
    assert cmd.switch_state_set(0x04, 0x05) == h("02 00000004 00000005")
    assert cmd.parse_switch_state(h("64 01 00000017 00000005")) == (0x17, 0x05)
    assert cmd.parse_ack(b"").battery is None
    assert cmd.parse_ack(h("50 02")).battery == 0x50


# --- passcodes --------------------------------------------------------------------------------


def test_passcode_add_layouts() -> None:
    # docs/ble.md §5.5: end date only for types 2/3; permanent carries start only.
    assert cmd.passcode_add(PasscodeType.PERMANENT, "123456", START, None) == (
        h("02 01 06") + b"123456" + START_D5
    )
    assert cmd.passcode_add(PasscodeType.PERIOD, "123456", START, END) == (
        h("02 03 06") + b"123456" + START_D5 + END_D5
    )
    assert cmd.passcode_add(PasscodeType.COUNT, "1234", None, None) == (
        h("02 02 04") + b"1234" + encode_d5(PERMANENT_START) + encode_d5(PERMANENT_END)
    )
    with pytest.raises(EncodeError):  # docs/errata.md E7: no type-4 adds
        cmd.passcode_add(PasscodeType.CYCLIC, "123456", START, END)
    for bad in ("123", "1234567890", "12 34", "１２３４"):
        with pytest.raises(EncodeError):
            cmd.passcode_add(PasscodeType.PERIOD, bad, None, None)


def test_passcode_delete_modify_clear_list() -> None:
    assert cmd.passcode_delete(PasscodeType.PERIOD, "1234") == h("03 03 04") + b"1234"
    assert cmd.passcode_modify(PasscodeType.PERIOD, "1234", "5678") == (
        h("05 03 04") + b"1234" + h("04") + b"5678"
    )
    assert cmd.passcode_modify(PasscodeType.PERIOD, "1234", None, START, END) == (
        h("05 03 04") + b"1234" + h("00") + START_D5 + END_D5
    )
    with pytest.raises(EncodeError):
        cmd.passcode_modify(PasscodeType.PERIOD, "1234", None, START, None)
    assert cmd.passcode_clear() == h("01")
    assert cmd.passcode_list(0) == h("0000")


def _record(kind: int, new: bytes, orig: bytes, tail: bytes) -> bytes:
    body = bytes((kind, len(new))) + new + bytes((len(orig),)) + orig + tail
    return bytes((len(body),)) + body


def test_parse_passcode_page() -> None:
    records = (
        _record(1, b"123456", b"123456", START_D5)
        + _record(3, b"2222", b"1111", START_D5 + END_D5)
        + _record(4, b"3333", b"3333", START_D5 + h("0417"))
    )
    total, next_seq, codes = cmd.parse_passcode_page(h("0003 0000") + records)
    assert (total, next_seq) == (3, 0)
    assert [c.type for c in codes] == [1, 3, 4]
    assert codes[0].end is None
    assert (codes[1].code, codes[1].original, codes[1].end) == ("2222", "1111", END)
    assert codes[2].cycle == 0x0417
    assert codes[2].passcode_type is PasscodeType.CYCLIC
    assert "2222" not in repr(codes[1])
    assert cmd.parse_passcode_page(h("0000")) == (0, None, [])  # docs/errata.md E6 empty list
    with pytest.raises(PayloadError):
        cmd.parse_passcode_page(h("0001 ffff 05 01 06"))


# --- cards and fingerprints -------------------------------------------------------------------


def test_card_numbers() -> None:
    assert cmd.encode_card_number(0x0A0B0C0D) == h("0a0b0c0d")
    assert cmd.encode_card_number(12345678901) == (12345678901).to_bytes(8, "big")
    assert cmd.decode_card_number(h("0a0b0c0d ffffffff")) == 0x0A0B0C0D  # padding (§5.6)
    with pytest.raises(EncodeError):
        cmd.encode_card_number(-1)
    with pytest.raises(PayloadError):
        cmd.decode_card_number(h("0102"))


@given(st.integers(0, 2**64 - 1).filter(lambda n: n & 0xFFFFFFFF != 0xFFFFFFFF))
def test_card_number_round_trip(number: int) -> None:
    assert cmd.decode_card_number(cmd.encode_card_number(number)) == number


def test_card_payloads() -> None:
    assert cmd.card_add_mode() == h("02")
    assert cmd.card_add(0x01020304, START, END) == h("02 01020304") + START_D5 + END_D5
    assert cmd.card_modify(0x01020304, START, END) == h("05 01020304") + START_D5 + END_D5
    assert cmd.card_delete(0x01020304) == h("03 01020304")
    assert cmd.card_clear() == h("04")
    assert cmd.card_search(0) == h("01 0000")


def test_card_page() -> None:
    data = h("64 01 0002") + h("01020304") + START_D5 + END_D5 + h("05060708") + START_D5 + END_D5
    next_seq, cards = cmd.parse_card_page(data)
    assert next_seq == 2
    assert [c.number for c in cards] == [0x01020304, 0x05060708]
    assert cards[0].start == START
    long_card = h("64 01 ffff") + (12345678901).to_bytes(8, "big") + START_D5 + END_D5
    assert cmd.parse_card_page(long_card)[1][0].number == 12345678901
    assert cmd.parse_card_page(h("64 01 ffff")) == (0xFFFF, [])
    with pytest.raises(PayloadError):
        cmd.parse_card_page(h("64 01 ffff 0102"))


def test_fingerprint_payloads_and_page() -> None:
    fid = 0x0102030405AB
    assert cmd.fingerprint_add_mode() == h("02")
    assert cmd.fingerprint_add(fid, START, END) == h("02 0102030405ab") + START_D5 + END_D5
    assert cmd.fingerprint_modify(fid, None, None) == (
        h("05 0102030405ab") + encode_d5(PERMANENT_START) + encode_d5(PERMANENT_END)
    )
    assert cmd.fingerprint_delete(fid) == h("03 0102030405ab")
    assert cmd.fingerprint_clear() == h("04")
    assert cmd.fingerprint_search(1) == h("06 0001")
    with pytest.raises(EncodeError):
        cmd.encode_fingerprint_id(1 << 48)
    # docs/errata.md E18: one entry per reply, permanent sentinels 00 01 01 00 00 / 63 01 01 00 00
    next_seq, prints = cmd.parse_fingerprint_page(
        h("64 06 0001 0102030405ab 0001010000 6301010000")
    )
    assert next_seq == 1
    assert prints[0].fingerprint_id == fid
    assert prints[0].end == datetime(2099, 1, 1)
    assert cmd.parse_fingerprint_page(h("64 06 ffff")) == (0xFFFF, [])  # end marker


def test_credential_event() -> None:
    event = cmd.parse_credential_event(h("3f 02 02"))  # KJS capture body (docs/errata.md §3)
    assert (event.battery, event.op, event.status, event.payload) == (0x3F, 2, 2, b"")
    assert cmd.parse_credential_event(h("3f 03")).status is None


# --- operation log ----------------------------------------------------------------------------


def _log(kind: int, tail: bytes, when: str = "1a0b16091e0f", battery: int = 90) -> bytes:
    body = bytes((kind,)) + h(when) + bytes((battery,)) + tail
    return bytes((len(body),)) + body


LOG_CASES: list[tuple[int, bytes, dict[str, object]]] = [
    (1, h("00000007 6a0224a3"), {"uid": 7, "record_id": 0x6A0224A3}),
    (37, h("00000007 00000009 02"), {"uid": 7, "record_id": 9, "key_id": 2}),
    (4, h("06") + b"123456" + h("06") + b"123456",
     {"passcode": "123456", "entered_passcode": "123456"}),
    (5, h("04") + b"1111" + h("04") + b"2222", {"passcode": "1111", "entered_passcode": "2222"}),
    (7, h("04") + b"9999", {"entered_passcode": "9999"}),
    (8, START_D5, {"delete_date": START, "passcode": None}),
    (8, START_D5 + h("04") + b"1234", {"delete_date": START, "passcode": "1234"}),
    (17, h("01020304"), {"card_number": 0x01020304}),
    (17, (12345678901).to_bytes(8, "big"), {"card_number": 12345678901}),
    (20, h("0102030405ab"), {"fingerprint_id": 0x0102030405AB}),
    (20, h("0102030405ab 04") + b"1234", {"fingerprint_id": 0x0102030405AB, "passcode": "1234"}),
    (19, h("665544332211"), {"mac": "11:22:33:44:55:66"}),
    (55, h("112233445566 03 50"), {"mac": "11:22:33:44:55:66", "key_id": 3,
                                   "accessory_battery": 0x50}),
    (56, h("112233445566 50"), {"mac": "11:22:33:44:55:66", "accessory_battery": 0x50}),
    (31, h("50"), {"accessory_battery": 0x50}),
    (14, b"", {}),
    (200, h("0102"), {}),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "tail", "fields"), LOG_CASES)
def test_log_record_tails(kind: int, tail: bytes, fields: dict[str, object]) -> None:
    page = cmd.parse_log_page(h("0020 0005") + _log(kind, tail))
    (record,) = page.records
    assert record.type == kind
    assert record.time == datetime(2026, 11, 22, 9, 30, 15)
    assert record.battery == 90
    assert record.tail == tail
    for name, value in fields.items():
        assert getattr(record, name) == value


def test_log_record_with_short_tail_keeps_raw() -> None:
    (record,) = cmd.parse_log_page(h("0010 0001") + _log(1, h("0001"))).records
    assert record.uid is None
    assert record.tail == h("0001")


def test_log_page_shapes() -> None:
    empty = cmd.parse_log_page(h("0000"))
    assert (empty.total, empty.next_seq, empty.records) == (0, None, ())
    two = cmd.parse_log_page(h("0020 0002") + _log(14, b"") + _log(27, b"") + h("00"))
    assert [r.type for r in two.records] == [14, 27]
    assert two.next_seq == 2
    with pytest.raises(PayloadError):
        cmd.parse_log_page(h("0020 0002 05 0e0102030405"))
    with pytest.raises(PayloadError):
        cmd.parse_log_page(h("0020 0002 10 0e"))


def test_log_record_hides_secrets() -> None:
    (record,) = cmd.parse_log_page(
        h("0020 0001") + _log(4, h("06") + b"654321" + h("06") + b"654321")
    ).records
    assert "654321" not in repr(record)


# --- passage mode -----------------------------------------------------------------------------


def test_passage_mode_round_trip() -> None:
    entry = PassageModeEntry(PassageModeType.WEEKLY, 1, 0, 8 * 60 + 30, 17 * 60)
    body = cmd.passage_mode_add(entry)
    assert body == h("02 01 01 00 08 1e 11 00")
    assert cmd.passage_mode_delete(entry) == h("03") + body[1:]
    assert cmd.passage_mode_clear() == h("04")
    assert cmd.passage_mode_query(0) == h("01 00")
    next_seq, entries = cmd.parse_passage_page(h("64 01 ff") + body[1:] + h("05 01 02 00 00 00 00"))
    assert next_seq == 0xFF
    assert entries[0] == entry
    assert entries[1].type == 5
    with pytest.raises(EncodeError):
        cmd.passage_mode_query(256)
    with pytest.raises(EncodeError):
        cmd.passage_mode_entry(PassageModeOp.ADD, PassageModeEntry(1, 1, 0, 0, 24 * 60))
    with pytest.raises(EncodeError):
        cmd.passage_mode_entry(PassageModeOp.ADD, PassageModeEntry(1, 300, 0, 0, 0))


# --- hotel / lift -----------------------------------------------------------------------------


def test_hotel_values() -> None:
    assert cmd.hotel_data_get(3) == h("01 03")
    assert cmd.hotel_data_set(4, cmd.hotel_value_sector(0x8001)) == h("02 04 02 8001")
    assert cmd.hotel_value_ic_key(bytes(6)) == bytes(6)
    assert cmd.hotel_value_aes_key(bytes(16)) == bytes(16)
    assert cmd.hotel_value_location(0x010203, 4, 5) == h("010203 04 05")
    assert cmd.hotel_value_lift_floors([1, 2, 3]) == h("010203")
    assert cmd.hotel_value_lift_work_mode(2, [False, True]) == h("02 00 01 000000000000")
    assert cmd.hotel_value_power_saver_mode(0x0C) == h("0c")
    assert cmd.hotel_value_power_saver_lock("AA:BB:CC:DD:EE:FF") == h("aabbccddeeff")
    assert cmd.parse_hotel_data(h("64 01 03 010203 04 05")) == (3, h("010203 04 05"))
    bad: list[Callable[[], object]] = [
        lambda: cmd.hotel_data_set(1, bytes(256)),
        lambda: cmd.hotel_value_ic_key(bytes(5)),
        lambda: cmd.hotel_value_aes_key(bytes(5)),
        lambda: cmd.hotel_value_location(1 << 24, 0, 0),
        lambda: cmd.hotel_value_lift_floors([256]),
        lambda: cmd.hotel_value_lift_work_mode(3),
        lambda: cmd.hotel_value_power_saver_mode(256),
        lambda: cmd.hotel_value_power_saver_lock("nope"),
    ]
    for call in bad:
        with pytest.raises(EncodeError):
            call()


# --- constants --------------------------------------------------------------------------------


def test_lock_types_and_errors() -> None:
    assert lock_type_of(5, 3, 2) is LockType.V3
    assert lock_type_of(5, 3, 7) is LockType.V3_CAR
    assert lock_type_of(5, 4, 1) is LockType.V2S_PLUS
    assert lock_type_of(5, 1, 1) is LockType.V2S
    assert lock_type_of(10, 1, 1) is LockType.CAR
    assert lock_type_of(11, 1, 1) is LockType.MOBI
    assert lock_type_of(3, 0, 0) is LockType.V2
    assert lock_type_of(9, 9, 9) is LockType.UNKNOWN
    assert describe_error(LockErrorCode.UNSUPPORTED_PARAMETER) == "unsupported parameter"
    assert describe_error(None) == "no error code"
    assert describe_error(0xEE) == "unknown error"
    assert Command.FUNCTION_LOCK == 0x58


# --- fuzz: every parser raises only PayloadError ----------------------------------------------

PARSERS: list[Callable[[bytes], object]] = [
    cmd.parse_challenge, cmd.parse_actuation, cmd.parse_status, cmd.parse_features,
    cmd.parse_lock_time, cmd.parse_aes_key, cmd.parse_add_admin, cmd.parse_admin_code,
    cmd.parse_device_info, cmd.parse_auto_lock, cmd.parse_setting, cmd.parse_audio,
    cmd.parse_switch_state, cmd.parse_ack, cmd.parse_passcode_page, cmd.decode_card_number,
    cmd.parse_credential_event, cmd.parse_card_page, cmd.parse_fingerprint_page,
    cmd.parse_log_page, cmd.parse_log_record, cmd.parse_passage_page, cmd.parse_hotel_data,
]  # fmt: skip


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.__name__)
@given(data=st.binary(max_size=80))
def test_parsers_raise_only_protocol_errors(parser: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        parser(data)


def test_unknown_passcode_type_kept_raw() -> None:
    record = _record(9, b"1234", b"1234", START_D5)
    _, _, codes = cmd.parse_passcode_page(h("0001 ffff") + record)
    assert codes[0].type == 9
    assert codes[0].passcode_type is None


# --- builder ↔ parser round trips (same byte structure on both sides) -----------------------------

windows = st.tuples(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
).map(lambda w: (w[0].replace(second=0, microsecond=0), w[1].replace(second=0, microsecond=0)))


@given(st.integers(0, 0xFFFFFFFF), windows, st.integers(0, 100))
def test_card_builder_parser_round_trip(
    number: int, window: tuple[datetime, datetime], battery: int
) -> None:
    record = cmd.card_add(number, *window)[1:]  # card ‖ start ‖ end, as in a list record
    _, cards = cmd.parse_card_page(bytes((battery, 1)) + u16(0xFFFF) + record)
    assert (cards[0].number, cards[0].start, cards[0].end) == (number, *window)


@given(st.integers(0, 2**48 - 1), windows)
def test_fingerprint_builder_parser_round_trip(
    fingerprint_id: int, window: tuple[datetime, datetime]
) -> None:
    record = cmd.fingerprint_add(fingerprint_id, *window)[1:]
    _, prints = cmd.parse_fingerprint_page(h("64 06 ffff") + record)
    assert (prints[0].fingerprint_id, prints[0].start, prints[0].end) == (fingerprint_id, *window)


@given(st.integers(0, 0xFFFFFFFF), st.integers(0, 0xFFFFFFFF), st.integers(0, 100))
def test_switch_builder_parser_round_trip(item: int, value: int, battery: int) -> None:
    assert cmd.parse_switch_state(bytes((battery,)) + cmd.switch_state_set(item, value)) == (
        item,
        value,
    )


@given(st.booleans(), st.none() | st.integers(1, 5))
def test_audio_and_remote_unlock_round_trip(enabled: bool, volume: int | None) -> None:
    sound = cmd.parse_audio(h("64") + cmd.audio_set(enabled, volume))
    assert sound.enabled is enabled
    assert sound.volume == (volume if enabled and volume is not None else None)
    assert cmd.parse_setting(h("64") + cmd.remote_unlock_set(enabled)).value == int(enabled)


@given(
    st.sampled_from(list(PassageModeType)),
    st.integers(0, 31),
    st.integers(0, 12),
    st.integers(0, 24 * 60 - 1),
    st.integers(0, 24 * 60 - 1),
)
def test_passage_builder_parser_round_trip(
    kind: PassageModeType, day: int, month: int, start: int, end: int
) -> None:
    entry = PassageModeEntry(kind, day, month, start, end)
    _, entries = cmd.parse_passage_page(h("64 01 ff") + cmd.passage_mode_add(entry)[1:])
    assert entries == [entry]
