"""Advertisement parsing (docs/ble.md §1.1–§1.2; docs/errata.md E5, E15)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custom_components.ttlock_access.sdk.ble import (
    AdvertisementError,
    DeviceKind,
    LockType,
    ProtocolHeader,
    is_ttlock,
    name_suffix,
    parse_advertisement,
    parse_manufacturer_entry,
    parse_raw,
)
from custom_components.ttlock_access.sdk.ble.advertisement import raw_manufacturer_bytes

MAC_REVERSED = bytes.fromhex("ffeeddccbbaa")  # advertised last 6 bytes for AA:BB:CC:DD:EE:FF
MAC = "AA:BB:CC:DD:EE:FF"
V3_COMPANY = 0x0305  # "05 03" little-endian (docs/ble.md §1.1)


def v3_payload(params: int, battery: int, scene: int = 2) -> bytes:
    """bleak's payload after the company id: scene params battery 4×00 MAC (15 bytes total)."""
    return bytes((scene, params, battery)) + bytes(4) + MAC_REVERSED


def test_rejoin_company_id() -> None:
    assert raw_manufacturer_bytes(V3_COMPANY, b"\x02")[:3] == bytes.fromhex("050302")
    with pytest.raises(AdvertisementError):
        raw_manufacturer_bytes(0x10000, b"")


def test_v3_locked_paired() -> None:
    adv = parse_manufacturer_entry(V3_COMPANY, v3_payload(0x00, 87))
    assert adv.kind is DeviceKind.LOCK
    assert (adv.protocol_type, adv.protocol_version, adv.scene) == (5, 3, 2)
    assert adv.lock_type is LockType.V3
    assert adv.mac == MAC
    assert adv.battery == 87
    assert adv.unlocked is False
    assert adv.setting_mode is False
    assert adv.has_events is False
    assert adv.touched is False
    assert adv.carries_status
    assert adv.send_header() == ProtocolHeader(5, 3, 2, 1, 1)


def test_v3_pairing_mode_unlocked_events_touched() -> None:
    adv = parse_manufacturer_entry(V3_COMPANY, v3_payload(0x0F, 100))
    assert adv.setting_mode is True
    assert adv.unlocked is True
    assert adv.has_events is True
    assert adv.touched is True
    assert adv.dormant is False


def test_dormant_bit_hides_bolt_state() -> None:
    # docs/errata.md E5 capture: 05 03 02 01 4c … (awake, unlocked) → 05 03 02 10 4c … (asleep)
    awake = parse_raw(bytes.fromhex("05030201") + bytes((0x4C,)) + bytes(4) + MAC_REVERSED)
    asleep = parse_raw(bytes.fromhex("05030210") + bytes((0x4C,)) + bytes(4) + MAC_REVERSED)
    assert awake.unlocked is True
    assert asleep.dormant is True
    assert asleep.unlocked is None
    assert asleep.battery == 0x4C


def test_battery_above_100_is_absent() -> None:
    adv = parse_manufacturer_entry(V3_COMPANY, v3_payload(0, 200))  # docs/errata.md E15
    assert adv.battery is None


def test_v3_car_scene() -> None:
    adv = parse_manufacturer_entry(V3_COMPANY, v3_payload(0, 50, scene=7))
    assert adv.lock_type is LockType.V3_CAR


def test_other_header_path() -> None:
    # type raw[4], version raw[5], scene raw[7], params raw[8], battery raw[9] (docs/ble.md §1.1)
    raw = bytes.fromhex("00000000 0504 00 01 04 37") + MAC_REVERSED
    adv = parse_raw(raw)
    assert adv.lock_type is LockType.V2S_PLUS
    assert adv.setting_mode is True
    assert adv.battery == 0x37


@pytest.mark.parametrize(("ptype", "version"), [(5, 1), (3, 0)])
def test_stateless_generations(ptype: int, version: int) -> None:
    raw = bytes((0, 0, 0, 0, ptype, version, 0, 1, 0xFF, 0xFF)) + MAC_REVERSED
    adv = parse_raw(raw)
    assert adv.params is None
    assert adv.battery is None
    assert adv.unlocked is None
    assert adv.setting_mode is None
    assert not adv.carries_status


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("1219", DeviceKind.PLUG_DFU),
        ("1319", DeviceKind.GATEWAY_DFU),
        ("ffff", DeviceKind.LOCK_DFU),
        ("3412", DeviceKind.WRISTBAND),
        ("1119", DeviceKind.GATEWAY_G2),
        ("1121", DeviceKind.GATEWAY_G3),
        ("1120", DeviceKind.GATEWAY_G4),
    ],
)
def test_special_headers(header: str, kind: DeviceKind) -> None:
    raw = bytes.fromhex(header) + bytes(7) + MAC_REVERSED
    adv = parse_raw(raw)
    assert adv.kind is kind
    assert adv.lock_type is LockType.UNKNOWN
    assert not is_ttlock({int.from_bytes(raw[:2], "little"): raw[2:]})
    assert is_ttlock({int.from_bytes(raw[:2], "little"): raw[2:]}, locks_only=False)


@pytest.mark.parametrize(
    "raw",
    [
        bytes.fromhex("0503020064") + MAC_REVERSED[:5],  # 10 bytes: too short
        bytes.fromhex("050302") + bytes(30),  # too long
        bytes.fromhex("050320006400000000") + MAC_REVERSED,  # scene 32 unknown
        bytes.fromhex("4c000215") + bytes(11),  # an iBeacon-like payload
        bytes.fromhex("0000000005050001") + bytes(7),  # unknown header 5.5
        bytes((0, 0, 0, 0, 5, 4, 0, 1, 0)) + bytes(6),  # 15 bytes: no room for battery
    ],
)
def test_not_ttlock(raw: bytes) -> None:
    with pytest.raises(AdvertisementError):
        parse_raw(raw)
    entry = {int.from_bytes(raw[:2], "little"): raw[2:]}
    assert not is_ttlock(entry, ["00001910-0000-1000-8000-00805f9b34fb"])
    assert parse_advertisement(entry) is None


def test_choose_among_entries() -> None:
    other_mac = bytes.fromhex("665544332211")
    stale = bytes((2, 0, 50)) + bytes(4) + other_mac
    live = v3_payload(0x01, 60)
    gateway = bytes.fromhex("00") + bytes(6) + MAC_REVERSED
    data = {V3_COMPANY: live, 0x1911: gateway, 0xFFFF: b"junk"}
    assert parse_advertisement(data) is not None
    assert parse_advertisement(data).kind is DeviceKind.LOCK  # type: ignore[union-attr]
    both = {V3_COMPANY: stale, 0x0505: bytes((0, 0, 5, 4, 0, 1, 0, 0x42)) + MAC_REVERSED}
    chosen = parse_advertisement(both, address="aa-bb-cc-dd-ee-ff")
    assert chosen is not None
    assert chosen.mac == MAC
    assert parse_advertisement(both, address="not-a-mac") is not None
    assert is_ttlock(data)


def test_name_suffix() -> None:
    # docs/ble.md §1.2: S202F_abcdef belongs to a lock whose MAC ends EF:CD:AB
    assert name_suffix("11:22:33:EF:CD:AB") == "abcdef"
    with pytest.raises(AdvertisementError):
        name_suffix("11:22")


@given(st.dictionaries(st.integers(0, 0xFFFF), st.binary(max_size=40), max_size=4))
def test_fuzz_only_typed_errors(data: dict[int, bytes]) -> None:
    assert isinstance(is_ttlock(data), bool)
    parse_advertisement(data)
    for company_id, payload in data.items():
        with contextlib.suppress(AdvertisementError):
            parse_manufacturer_entry(company_id, payload)
