"""Key material: lockData, aesKeyStr, obfuscated credentials (docs/ble.md §4.3–§4.5)."""

from __future__ import annotations

import base64
import json
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sdk_ble_helpers import KEY, ref_crc, ref_decrypt, ref_encrypt

from custom_components.ttlock_access.sdk.ble import (
    KeyMaterialError,
    LockKeys,
    ProtocolHeader,
    decode_credential,
    decode_lock_data,
    encode_credential,
    encode_lock_data,
    format_aes_key_str,
    parse_aes_key_str,
    parse_lock_data,
)
from custom_components.ttlock_access.sdk.ble.keys import mac_from_bytes, mac_to_bytes

MAC = "AA:BB:CC:DD:EE:FF"


def _table(index: int) -> int:
    """CRC table entry via the reference CRC of a single byte (quirk included)."""
    return ref_crc(bytes((index,)))


def ref_obfuscate(digits: str, seed: int) -> str:
    """Stand-alone XOR (§4.4) + Java signed decimal list + Base64 (§4.5)."""
    raw = digits.encode()
    mask = seed ^ _table(len(raw))
    encoded = [b ^ mask for b in raw] + [seed]
    listing = ",".join(str(b - 256 if b > 127 else b) for b in encoded)
    return base64.b64encode(listing.encode()).decode()


def ref_lock_data(payload: dict[str, object], mac: str = MAC) -> str:
    """lockData per docs/ble.md §4.5, built without the code under test."""
    key = (mac[:9] + mac[10:]).encode()
    cipher = ref_encrypt(key, json.dumps(payload).encode())
    return base64.b64encode(cipher + bytes.fromhex(mac.replace(":", ""))).decode()


LOCK_JSON: dict[str, object] = {
    "lockName": "S202F_ffeedd",
    "lockMac": MAC,
    "lockVersion": {"protocolType": 5, "protocolVersion": 3, "scene": 2, "groupId": 10,
                    "orgId": 12},
    "adminPwd": ref_obfuscate("0123456789", 0x55),
    "lockKey": ref_obfuscate("0987654321", 0x7F),
    "lockFlagPos": 3,
    "uid": 4242,
    "aesKeyStr": ",".join(f"{b:02x}" for b in KEY),
    "startDate": 0,
    "endDate": 0,
    "timezoneRawOffset": 3600000,
}  # fmt: skip


def test_parse_lock_data() -> None:
    keys = parse_lock_data(ref_lock_data(LOCK_JSON))
    assert keys.aes_key == KEY
    assert keys.admin_ps == 123456789
    assert keys.unlock_key == 987654321
    assert keys.lock_flag_pos == 3
    assert keys.uid == 4242
    assert keys.header == ProtocolHeader(5, 3, 2, 10, 12)
    assert keys.mac == MAC
    assert keys.start is None
    assert keys.end is None
    assert keys.is_admin


def test_lock_keys_repr_hides_secrets() -> None:
    keys = parse_lock_data(ref_lock_data(LOCK_JSON))
    text = repr(keys)
    assert KEY.hex() not in text
    assert "123456789" not in text
    assert "987654321" not in text


def test_user_ekey_window_in_lock_wall_time() -> None:
    payload = dict(LOCK_JSON)
    del payload["adminPwd"]
    payload["startDate"] = 1_767_225_600_000  # 2026-01-01 00:00 UTC
    payload["endDate"] = 1_767_229_200_000
    keys = LockKeys.from_lock_data_json(payload)
    assert not keys.is_admin
    assert keys.start == datetime(2026, 1, 1, 1, 0)  # + timezoneRawOffset 1 h
    assert keys.end == datetime(2026, 1, 1, 2, 0)


def test_lock_data_round_trip_and_sdk_key_derivation() -> None:
    encoded = encode_lock_data(LOCK_JSON)
    raw = base64.b64decode(encoded)
    assert raw[-6:] == bytes.fromhex("aabbccddeeff")
    # key = IV = the MAC string without its character at index 9 (docs/ble.md §4.5)
    assert json.loads(ref_decrypt(b"AA:BB:CC:D:EE:FF", raw[:-6])) == LOCK_JSON
    assert decode_lock_data(encoded) == LOCK_JSON


@pytest.mark.parametrize(
    "bad",
    [
        "!!!",
        base64.b64encode(b"short").decode(),
        base64.b64encode(b"x" * 16 + bytes(6)).decode(),
        ref_lock_data({"x": 1}).replace("A", "B", 1),
    ],
)
def test_lock_data_errors(bad: str) -> None:
    with pytest.raises(KeyMaterialError):
        parse_lock_data(bad)


def test_lock_data_json_errors() -> None:
    with pytest.raises(KeyMaterialError):
        LockKeys.from_lock_data_json({"aesKeyStr": ""})
    with pytest.raises(KeyMaterialError):
        LockKeys.from_lock_data_json({"aesKeyStr": format_aes_key_str(KEY), "uid": "x"})
    with pytest.raises(KeyMaterialError):
        LockKeys.from_lock_data_json({"aesKeyStr": format_aes_key_str(KEY), "uid": True})
    with pytest.raises(KeyMaterialError):
        LockKeys.from_lock_data_json({"aesKeyStr": format_aes_key_str(KEY), "lockKey": 5})
    with pytest.raises(KeyMaterialError):
        decode_lock_data(ref_lock_data([1, 2]))  # type: ignore[arg-type]
    with pytest.raises(KeyMaterialError):
        encode_lock_data({"lockName": "x"})


def test_lock_keys_validation() -> None:
    with pytest.raises(KeyMaterialError):
        LockKeys(aes_key=b"short")
    with pytest.raises(KeyMaterialError):
        LockKeys(aes_key=KEY, unlock_key=1 << 32)
    with pytest.raises(KeyMaterialError):
        LockKeys(aes_key=KEY, lock_flag_pos=1 << 24)
    with pytest.raises(KeyMaterialError):
        LockKeys(aes_key=KEY, uid=-1)


def test_aes_key_str() -> None:
    text = "a1,b2,c3,d4,e5,f6,07,18,29,3a,4b,5c,6d,7e,8f,90"
    key = parse_aes_key_str(text)
    assert key == bytes.fromhex("a1b2c3d4e5f60718293a4b5c6d7e8f90")
    assert format_aes_key_str(key) == text
    assert (
        parse_aes_key_str("[A1, B2, C3, D4, E5, F6, 7, 18, 29, 3A, 4B, 5C, 6D, 7E, 8F, 90]") == key
    )
    assert parse_aes_key_str(key.hex()) == key
    for bad in ("zz", "a1,b2", "a1,,b2", key.hex()[:-2]):
        with pytest.raises(KeyMaterialError):
            parse_aes_key_str(bad)


def test_credentials() -> None:
    assert decode_credential("0123456789") == "0123456789"  # ≤ 10 digits: plain (§4.5)
    assert decode_credential(ref_obfuscate("0659525046", 0x33)) == "0659525046"
    listing = base64.b64decode(ref_obfuscate("1234567", 0x12)).decode()
    assert decode_credential(listing) == "1234567"  # bare list accepted
    for bad in ("not base64!", base64.b64encode(b"1,2,x").decode(), ref_obfuscate("12ab", 9)):
        with pytest.raises(KeyMaterialError):
            decode_credential(bad)
    with pytest.raises(KeyMaterialError):
        encode_credential("12ab")


@given(st.text("0123456789", min_size=1, max_size=20), st.integers(1, 127))
def test_credential_round_trip(digits: str, seed: int) -> None:
    encoded = encode_credential(digits, seed)
    assert encoded == ref_obfuscate(digits, seed)
    assert decode_credential(encoded) == digits
    assert decode_credential(encode_credential(digits)) == digits


def test_macs() -> None:
    assert mac_to_bytes("aa-bb-cc-dd-ee-ff") == bytes.fromhex("aabbccddeeff")
    assert mac_from_bytes(bytes.fromhex("aabbccddeeff")) == MAC
    for bad in ("zz:bb:cc:dd:ee:ff", "aa:bb"):
        with pytest.raises(KeyMaterialError):
            mac_to_bytes(bad)
