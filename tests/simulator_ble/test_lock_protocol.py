"""Byte-level behaviour of the simulated lock: the docs/ble.md §7 vectors and the errata
"accept" column.

Requests are hand-built (the client's frame codec, never its command builders); replies are
checked byte for byte against docs/ble.md and docs/errata.md.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sim_ble_driver import SimLink
from sim_ble_helpers import ADMIN_CODE, ADMIN_PS, AES_KEY, UNLOCK_KEY, keys_of, make_lock, open_link

from custom_components.ttlock_access.sdk.ble import (
    DEFAULT_AES_KEY,
    DeviceKind,
    Frame,
    LockType,
    ProtocolHeader,
    Unlock,
    parse_advertisement,
)
from simulator.ble import (
    NOTIFY_UUID,
    SERVICE_UUID,
    WRITE_UUID,
    PassageWindow,
    SimulatedLock,
    VirtualAir,
)
from simulator.ble.codec import (
    Header,
    RequestAssembler,
    aes_decrypt,
    aes_encrypt,
    build_frame,
    parse_frame,
)
from simulator.ble.lock import StoredCredential, StoredPasscode
from simulator.lockdata import aes_cbc_encrypt

SDK_HEADER = ProtocolHeader(5, 3, 1, 1, 1)
N8_HEADER = ProtocolHeader(5, 3, 2, 1, 1)
NOW = datetime(2026, 11, 22, 10, 30)


def u32(value: int) -> bytes:
    return (value & 0xFFFFFFFF).to_bytes(4, "big")


# --- the lock's own codec against ``docs/ble.md`` §7 ------------------------------------------
def test_codec_reproduces_documented_vectors() -> None:
    assert build_frame(Header(5, 3, 1, 1, 1), 0x01, 0xAA, b"").hex() == (
        "7f5a0503010001000101aa001c0d0a"
    )
    assert build_frame(Header(5, 3, 1, 1, 1), 0x45, 0xAA, b"").hex() == (
        "7f5a0503010001000145aa00b30d0a"
    )
    sciener = aes_encrypt(DEFAULT_AES_KEY, b"SCIENER")
    assert build_frame(Header(5, 3, 1, 1, 1), 0x19, 0xAA, sciener).hex() == (
        "7f5a0503010001000119aa1026ed1d9258a1e428fcb48bbd1c0e5a46bc0d0a"
    )
    key = bytes.fromhex("00112233445566778899aabbccddeeff")
    reply = aes_encrypt(DEFAULT_AES_KEY, b"\x19\x01" + key)
    assert build_frame(Header(), 0x19, 0xAA, reply).hex() == (
        "7f5a0503020001000119aa20d1f0a9489534eab2f7a88065468062cf248020795031458a0a38b53d"
        "5753b1d4e10d0a"
    )
    rqb = bytes.fromhex("3ddfd6e40bb3b6661207b1c5c29c222d")
    assert aes_decrypt(bytes.fromhex("a1b2c3d4e5f60718293a4b5c6d7e8f90"), rqb).hex() == (
        "550112345678"
    )


@pytest.mark.parametrize(
    "captured",
    [
        "7f5a0503020001000158aa102177b9384b7f7242b59528d26ae752d43a",  # N8, CRC via index 33
        "7f5a0503020001000154aa102d2f9276f7eea8794974e465f0e99e1809",  # KJS "bad CRC quest"
    ],
)
def test_codec_accepts_captured_quirk_crcs(captured: str) -> None:
    assert parse_frame(bytes.fromhex(captured + "0d0a")).crc_ok


def test_kjs_capture_is_the_card_add_mode_reply_shape() -> None:
    frame = parse_frame(
        bytes.fromhex("7f5a0503020001000154aa1095a3bd4703fde2b76397587b6ee44b7b280d0a")
    )
    key = bytes.fromhex("e817e962c7176c296403f646129f362c")
    assert aes_decrypt(key, frame.data).hex() == "05013f0202"  # [05][01][bb][2][02]


def test_request_assembler_needs_crlf_and_survives_crlf_in_ciphertext() -> None:
    data = next(
        cipher
        for n in range(1 << 20)
        if b"\r\n" in (cipher := aes_encrypt(AES_KEY, n.to_bytes(4, "big") * 5))
    )
    assert b"\r\n" in data
    wire = build_frame(Header(), 0x14, 0xAA, data)
    assembler = RequestAssembler()
    assert assembler.feed(b"\x00noise" + wire[:20]) == []
    assert assembler.feed(wire[20:40]) == []
    assert assembler.feed(wire[40:]) == [wire]
    assert assembler.feed(wire[:-2]) == []  # no CRLF: the firmware keeps buffering (§2.1)
    assert len(assembler) == len(wire) - 2


# --- errata "accept" column, over the link ----------------------------------------------------
async def test_header_rules(link: SimLink, lock: SimulatedLock) -> None:
    """E2: type/version enforced, any scene/group/org accepted, replies carry the lock's own."""
    lock.header = Header(5, 3, 2, 0x000A, 0x000C)
    for header in (SDK_HEADER, N8_HEADER, ProtocolHeader(5, 3, 7, 0, 0)):
        frame, plain = await link.exchange(0x14, b"SCIENER", AES_KEY, header=header)
        assert plain[:2] == b"\x14\x01"
        assert (frame.header.scene, frame.header.group_id, frame.header.org_id) == (2, 10, 12)
        assert (frame.command, frame.encrypt) == (0x54, 0xAA)  # E20: replies say AA
    _frame, plain = await link.exchange(0x14, b"SCIENER", AES_KEY, header=ProtocolHeader(5, 4))
    assert plain[:2] == b"\x14\x00"
    lock.strict_scene = True
    _frame, plain = await link.exchange(0x14, b"SCIENER", AES_KEY, header=SDK_HEADER)
    assert plain[:2] == b"\x14\x00"


async def test_empty_payload_both_ways(link: SimLink, lock: SimulatedLock) -> None:
    """E3: length 0 (N8/SDK) and one padding block (RQB) both mean "empty"."""
    lock._clock = lambda: NOW
    n8 = Frame(N8_HEADER, 0x34, 0xAA, b"").encode()
    rqb = Frame(N8_HEADER, 0x34, 0xAA, aes_cbc_encrypt(b"", AES_KEY)).encode()
    for raw in (n8, rqb):
        _frame, plain = await link.exchange(0x34, b"", AES_KEY, raw=raw)
        assert plain == b"\x34\x01" + bytes((26, 11, 22, 10, 30, 0))


async def test_rqb_bcd_check_user_time_then_unlock(link: SimLink, lock: SimulatedLock) -> None:
    """E4: RQB's BCD dates pass (raw byte comparison); lockFlagPos read from bytes 10–12."""
    bcd = bytes.fromhex("0001311400991130140000000000000000")
    _frame, plain = await link.exchange(0x55, bcd, AES_KEY)
    assert plain[:2] == b"\x55\x01"
    ps = int.from_bytes(plain[2:6], "big")
    proof = u32(ps + UNLOCK_KEY)  # wraps mod 2**32 (errata §2)
    _frame, plain = await link.exchange(0x47, proof + u32(1_800_000_000), AES_KEY)
    assert plain[:3] == bytes((0x47, 0x01, 77))
    assert not lock.locked


async def test_handshake_failures(link: SimLink, lock: SimulatedLock) -> None:
    lock._clock = lambda: NOW
    window = bytes((26, 1, 1, 0, 0)) + bytes((26, 6, 1, 0, 0))
    expected = {
        window + b"\x00\x00\x00": 0x0E,  # expired
        bytes((27, 1, 1, 0, 0)) + bytes((28, 1, 1, 0, 0)) + b"\x00\x00\x00": 0x11,  # not yet
    }
    for payload, code in expected.items():
        _frame, plain = await link.exchange(0x55, payload + b"\x00" * 4, AES_KEY)
        assert plain == bytes((0x55, 0x00, code))
    lock.lock_flag_pos = 2
    _frame, plain = await link.exchange(0x41, u32(ADMIN_PS) + b"\x00\x00\x01" + u32(0), AES_KEY)
    assert plain == bytes((0x41, 0x00, 0x0D))  # eKey reset: lockFlagPos too low
    _frame, plain = await link.exchange(0x41, u32(ADMIN_PS + 1) + b"\x00\x00\x02", AES_KEY)
    assert plain == bytes((0x41, 0x00, 0x03))  # wrong admin password
    _frame, plain = await link.exchange(0x41, u32(ADMIN_PS) + b"\x00\x00\x02", AES_KEY)
    assert plain[:2] == b"\x41\x01"
    _frame, plain = await link.exchange(0x30, u32(12345), AES_KEY)
    assert plain == bytes((0x30, 0x00, 0x08))  # wrong dynamic sum
    _frame, plain = await link.exchange(0x47, u32(12345) + u32(0), AES_KEY)
    assert plain == bytes((0x47, 0x00, 0x08))


async def test_admin_gating(link: SimLink, lock: SimulatedLock) -> None:
    """E1: bare settings get [cmd][00][12] (configurable); lenient lets RQB 0.1.11 through;
    E16: 0x01 needs nothing."""
    for command, payload in ((0x36, b"\x01"), (0x03, b"\x01"), (0x62, b"\x01"), (0x90, b"\x01")):
        _frame, plain = await link.exchange(command, payload, AES_KEY)
        assert plain == bytes((command, 0x00, 0x12))
    lock.not_logged_in_code = 0x02
    _frame, plain = await link.exchange(0x07, b"\x00\x00", AES_KEY)
    assert plain == bytes((0x07, 0x00, 0x02))
    lock.lenient_auth = True
    _frame, plain = await link.exchange(0x36, b"\x01", AES_KEY)
    assert plain[:2] == b"\x36\x01"
    _frame, plain = await link.exchange(0x01, b"", AES_KEY)
    assert plain[:3] == bytes((0x01, 0x01, 77))


async def _admin_login(link: SimLink) -> None:
    _frame, plain = await link.exchange(0x41, u32(ADMIN_PS) + b"\x00" * 7, AES_KEY)
    ps = int.from_bytes(plain[2:6], "big")
    _frame, plain = await link.exchange(0x30, u32(ps + UNLOCK_KEY), AES_KEY)
    assert plain == b"\x30\x01"


async def test_listing_formats(link: SimLink, lock: SimulatedLock) -> None:
    """E6 passcodes, E18 fingerprints, E12 device info, E8 auto-lock — byte for byte."""
    await _admin_login(link)  # once per connection is enough (KJS style, E1)
    assert (await link.exchange(0x07, b"\x00\x00", AES_KEY))[1] == bytes.fromhex("07010000")
    _frame, plain = await link.exchange(0x06, b"\x06\x00\x00", AES_KEY)
    assert plain == bytes.fromhex("06014d06ffff")  # 06 01 bb 06 ff ff
    for payload in (
        b"\x02\x01\x04" + b"1234" + bytes((0, 1, 31, 14, 0)),
        b"\x02\x03\x05" + b"56789" + bytes((26, 1, 1, 0, 0, 27, 1, 1, 0, 0)),
    ):
        assert (await link.exchange(0x03, payload, AES_KEY))[1] == bytes((0x03, 0x01, 77, 2))
    first = (await link.exchange(0x07, b"\x00\x00", AES_KEY))[1]
    assert first == bytes.fromhex("070100020001100104") + b"1234\x04" + b"1234" + bytes(
        (0, 1, 31, 14, 0)
    )
    last = (await link.exchange(0x07, b"\x00\x01", AES_KEY))[1]
    assert last[:6] == bytes.fromhex("070100020000")  # nextSeq 0 on the last record
    lock.fingerprints[0x1234_5678_0001] = StoredCredential(
        bytes((0, 1, 1, 0, 0)), bytes((99, 1, 1, 0, 0))
    )
    _frame, plain = await link.exchange(0x06, b"\x06\x00\x00", AES_KEY)
    assert plain == bytes.fromhex("06014d06000112345678000100010100006301010000")
    assert (await link.exchange(0x90, b"\x07", AES_KEY))[1] == bytes.fromhex("900019")
    _frame, plain = await link.exchange(0x90, b"\x05", AES_KEY)
    assert plain[2:] == lock.mac_bytes[::-1]
    assert (await link.exchange(0x36, b"\x01", AES_KEY))[1] == bytes.fromhex(
        "36014d0100000001038401"
    )
    _frame, plain = await link.exchange(0x36, b"\x02\xff\xff\x01", AES_KEY)  # door-sensor form
    assert plain[:2] == b"\x36\x01"
    assert lock.door_sensor_auto_lock == 1


async def test_passcode_add_layouts(link: SimLink, lock: SimulatedLock) -> None:
    """E7: by remaining length; KJS's permanent + 5 zero bytes; RQB's cyclic start + end."""
    await _admin_login(link)
    kjs = b"\x02\x01\x06" + b"111111" + bytes((0, 1, 31, 14, 0)) + bytes(5)
    cyclic = b"\x02\x04\x06" + b"123456" + bytes.fromhex("1a050b0e001b050b0e00")
    for payload in (kjs, cyclic):
        assert (await link.exchange(0x03, payload, AES_KEY))[1][:2] == b"\x03\x01"
    assert lock.passcodes["111111"].end is None
    assert lock.passcodes["123456"].kind == 4
    _frame, plain = await link.exchange(0x03, b"\x02\x01\x03" + b"123" + bytes(5), AES_KEY)
    assert plain == bytes((0x03, 0x00, 0x0F))  # invalid length


async def test_operation_log_page_format(link: SimLink, lock: SimulatedLock) -> None:
    """E11: total = record-area bytes, nextSeq never FFFF on a page, end = 25 01 00 00."""
    lock.enter_code("0000")
    _frame, plain = await link.exchange(0x25, b"\xff\xff", AES_KEY)
    total, following = int.from_bytes(plain[2:4], "big"), int.from_bytes(plain[4:6], "big")
    assert plain[:2] == b"\x25\x01"
    assert total == len(plain) - 6 == plain[6] + 1
    assert following == 1
    assert plain[7] == 7  # wrong passcode
    assert (await link.exchange(0x25, b"\x00\x01", AES_KEY))[1] == bytes.fromhex("25010000")


async def test_retransmission_gets_the_same_reply(link: SimLink, lock: SimulatedLock) -> None:
    """E17: a byte-identical repeat is answered from memory (same challenge)."""
    lock._clock = lambda: NOW
    raw = Frame(
        N8_HEADER,
        0x55,
        0xAA,
        aes_encrypt(AES_KEY, bytes.fromhex("00011f0e00630b1e0e00") + bytes(7)),
    ).encode()
    first = (await link.exchange(0x55, b"", AES_KEY, raw=raw))[1]
    second = (await link.exchange(0x55, b"", AES_KEY, raw=raw))[1]
    assert first == second
    assert first[:2] == b"\x55\x01"


async def test_pairing_key_request_rules(air: VirtualAir, link: SimLink) -> None:
    frame, plain = await link.exchange(0x19, b"SCIENER", DEFAULT_AES_KEY, header=SDK_HEADER)
    assert (frame.command, frame.data, plain) == (0x19, b"", b"")  # paired: nothing to decrypt
    fresh = air.add(SimulatedLock.factory_fresh("C0:FF:EE:19:10:03", seed=3))
    other = await open_link(air, fresh)
    _frame, plain = await other.exchange(0x19, b"VENDOR!", DEFAULT_AES_KEY, header=SDK_HEADER)
    assert plain == bytes((0x19, 0x00, 0x1D))
    frame, plain = await other.exchange(0x19, b"IGKXPIG", DEFAULT_AES_KEY, header=SDK_HEADER)
    assert frame.command == 0x19
    assert plain[:2] == b"\x19\x01"
    assert len(plain) == 18
    # before ADD_ADMIN, nothing else works in setting mode
    _frame, plain = await other.exchange(0x55, bytes(17), plain[2:], header=SDK_HEADER)
    assert plain == bytes((0x55, 0x00, 0x06))
    await other.client.disconnect()


# --- advertisement, GATT, keypad, auto-lock ---------------------------------------------
def test_advertisement_layout_is_ttlocks() -> None:
    lock = make_lock("C0:FF:EE:19:10:01", battery=64)
    adv = lock.advertisement()
    assert adv.local_name == "S31_011019"
    assert SERVICE_UUID in adv.service_uuids
    assert list(adv.manufacturer_data) == [0x0305]
    assert adv.manufacturer_data[0x0305].hex() == "02004000000000011019eeffc0"
    parsed = parse_advertisement(adv.manufacturer_data, address=lock.address)
    assert parsed is not None
    assert (parsed.kind, parsed.lock_type, parsed.mac) == (
        DeviceKind.LOCK,
        LockType.V3,
        lock.address,
    )
    assert (parsed.battery, parsed.unlocked, parsed.setting_mode, parsed.has_events) == (
        64,
        False,
        False,
        False,
    )
    lock.set_locked(False)
    lock.enter_code("9999")
    parsed = parse_advertisement(lock.advertisement().manufacturer_data)
    assert parsed is not None
    assert (parsed.unlocked, parsed.has_events) == (True, True)
    lock.dormant = True  # errata E5: 0x10 with the bolt bit cleared
    assert lock.params & 0x11 == 0x10
    fresh = SimulatedLock.factory_fresh("C0:FF:EE:19:10:02")
    parsed = parse_advertisement(fresh.advertisement().manufacturer_data)
    assert parsed is not None
    assert parsed.setting_mode
    lift = SimulatedLock.lift_controller(
        "C0:FF:EE:19:10:0C", aes_key=bytes(16), admin_ps=1, unlock_key=2
    )
    assert lift.advertisement().manufacturer_data[0x0305][0] == 12


async def test_gatt_table(link: SimLink, lock: SimulatedLock) -> None:
    services = link.client.services
    ttlock = services.get_service(SERVICE_UUID)
    assert ttlock is not None
    write = ttlock.get_characteristic(WRITE_UUID)
    notify = ttlock.get_characteristic(NOTIFY_UUID)
    assert write is not None
    assert set(write.properties) == {"write", "write-without-response"}
    assert notify is not None
    assert notify.descriptors[0].uuid == "00002902-0000-1000-8000-00805f9b34fb"
    assert write.max_write_without_response_size == 20
    assert await link.client.read_gatt_char("00002a19-0000-1000-8000-00805f9b34fb") == bytes([77])
    assert await link.client.read_gatt_char("00002a24-0000-1000-8000-00805f9b34fb") == (
        lock.model.encode()
    )


def test_keypad_rules() -> None:
    now = [NOW]
    lock = make_lock(clock=lambda: now[0])
    assert not lock.enter_code("123")
    assert lock.enter_code("12" + ADMIN_CODE)  # anti-peep: extra digits before …
    assert lock.enter_code(ADMIN_CODE + "99999")  # … or after
    assert not lock.enter_code("1" * 10 + ADMIN_CODE)  # more than 16 digits in all
    lock.passcodes["5555"] = StoredPasscode(
        3, "5555", "5555", bytes((26, 1, 1, 0, 0)), bytes((26, 6, 1, 0, 0))
    )
    assert not lock.enter_code("5555")  # expired on NOW
    now[0] = datetime(2026, 3, 1, 12, 0)
    assert lock.enter_code("#5555#")
    assert [record.kind for record in lock.log] == [7, 4, 4, 7, 7, 4]
    assert not SimulatedLock.factory_fresh("C0:FF:EE:19:10:02").enter_code("123456")


def test_auto_lock_and_passage_mode() -> None:
    now = [NOW]  # a Sunday
    lock = make_lock(clock=lambda: now[0], auto_lock_seconds=5)
    lock.set_locked(False)
    lock.tick()
    assert not lock.locked
    now[0] = datetime(2026, 11, 22, 10, 30, 5)
    lock.tick()
    assert lock.locked
    assert lock.log == []  # auto-lock is not logged (``docs/ble.md`` §5.8)
    lock.passage_windows.append(PassageWindow(1, 7, 0, 0, 0))  # Sundays, all day
    lock.set_locked(False)
    now[0] = datetime(2026, 11, 22, 11, 0)
    lock.tick()
    assert not lock.locked
    now[0] = datetime(2026, 11, 23, 11, 0)  # Monday
    lock.tick()
    assert lock.locked


async def test_admin_login_is_per_connection(air: VirtualAir, lock: SimulatedLock) -> None:
    """Admin login is per connection: a new link must log in again (E1)."""
    first = await open_link(air, lock)
    await _admin_login(first)
    await first.client.disconnect()
    second = await open_link(air, lock)
    _frame, plain = await second.exchange(0x36, b"\x01", AES_KEY)
    assert plain == bytes((0x36, 0x00, 0x12))
    await second.run(Unlock(keys_of(lock), NOW))
    await second.client.disconnect()
