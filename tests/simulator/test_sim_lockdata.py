"""lockData, credential and CRC formats (docs/ble.md §3.3, §4, §7, §8.2)."""

from __future__ import annotations

import base64
import json
import re

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from simulator.lockdata import (
    CRC_TABLE,
    aes_cbc_decrypt,
    aes_cbc_encrypt,
    aes_key_from_str,
    aes_key_to_str,
    crc8,
    decode_credential,
    decode_lock_data,
    decode_pwd_info,
    derive_key_material,
    encode_credential,
    encode_lock_data,
    feature_bits,
    feature_value_hex,
    lock_data_key,
    mac_to_bytes,
    xor_decode,
    xor_encode,
)

DEFAULT_KEY = bytes.fromhex("987623E8A923A1BB3D9E7D0378124588")


def test_crc_table_has_the_ttlock_quirk() -> None:
    assert CRC_TABLE[33] == 0x07  # standard Maxim table: 0x7D
    assert CRC_TABLE[1] == 0x5E
    assert CRC_TABLE[255] == 0x35


@pytest.mark.parametrize(
    ("frame", "crc"),
    [
        ("7f5a0503010001000101aa00", 0x1C),  # §7 feature query (matches a KJS capture)
        ("7f5a0503010001000145aa00", 0xB3),  # §7 INIT
        ("7f5a0503020001000158aa102177b9384b7f7242b59528d26ae752d4", 0x3A),  # N8 capture
        ("7f5a0503020001000154aa102d2f9276f7eea8794974e465f0e99e18", 0x09),  # KJS capture
    ],
)
def test_crc_matches_published_frames(frame: str, crc: int) -> None:
    assert crc8(bytes.fromhex(frame)) == crc


def test_aes_matches_published_vector() -> None:
    # §7: 0x19 GET_AES_KEY with "SCIENER" under the default key.
    ciphertext = aes_cbc_encrypt(b"SCIENER", DEFAULT_KEY)
    assert ciphertext.hex() == "26ed1d9258a1e428fcb48bbd1c0e5a46"
    assert aes_cbc_decrypt(ciphertext, DEFAULT_KEY) == b"SCIENER"
    frame = bytes.fromhex("7f5a0503010001000119aa10") + ciphertext
    assert crc8(frame) == 0xBC


def test_xor_codec_round_trip_and_layout() -> None:
    plain = b"0123456789"
    encoded = xor_encode(plain, 0x2A)
    assert len(encoded) == len(plain) + 1
    assert encoded[-1] == 0x2A
    mask = CRC_TABLE[len(plain)] ^ 0x2A
    assert encoded[:-1] == bytes(b ^ mask for b in plain)
    assert xor_decode(encoded) == plain
    with pytest.raises(ValueError, match="seed"):
        xor_encode(plain, 0)


def test_credential_format() -> None:
    value = encode_credential("0612660578", 100)
    text = base64.b64decode(value).decode()
    assert re.fullmatch(r"-?\d+(,-?\d+)*", text)
    assert len(text.split(",")) == 11
    assert decode_credential(value) == "0612660578"
    # values ≤ 10 characters are plain (noKeyPwd)
    assert decode_credential("4817263") == "4817263"


def test_credential_uses_signed_java_bytes() -> None:
    # a length whose table entry has the top bit set pushes the digits above 0x7F,
    # and the SDK prints Java's signed bytes
    length = next(n for n in range(11, 40) if CRC_TABLE[n] & 0x80)
    digits = "7" * length
    text = base64.b64decode(encode_credential(digits, 1)).decode()
    assert text.startswith("-")
    assert decode_credential(encode_credential(digits, 1)) == digits


def test_aes_key_str() -> None:
    key = bytes(range(0, 160, 10))
    text = aes_key_to_str(key)
    assert text == "00,0a,14,1e,28,32,3c,46,50,5a,64,6e,78,82,8c,96"
    assert aes_key_from_str(text) == key
    with pytest.raises(ValueError, match="16"):
        aes_key_from_str("01,02")


def test_lock_data_key_derivation() -> None:
    assert lock_data_key("e4:7a:2c:91:5b:d3") == b"E4:7A:2C:1:5B:D3"
    assert len(lock_data_key("E4:7A:2C:91:5B:D3")) == 16
    assert mac_to_bytes("E4:7A:2C:91:5B:D3") == bytes.fromhex("E47A2C915BD3")


def test_lock_data_round_trip_and_wire_layout() -> None:
    payload = {"lockMac": "E4:7A:2C:91:5B:D3", "lockName": "S31_d35b91", "aesKeyStr": "x"}
    value = encode_lock_data(payload)
    assert decode_lock_data(value) == payload
    raw = base64.b64decode(value)
    assert raw[-6:] == bytes.fromhex("E47A2C915BD3")
    # decrypt independently with the rule of §4.5
    key = b"E4:7A:2C:1:5B:D3"
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key)).decryptor()
    padded = decryptor.update(raw[:-6]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    assert json.loads(unpadder.update(padded) + unpadder.finalize()) == payload


def test_key_material_is_deterministic_and_well_formed() -> None:
    first = derive_key_material("seed", "E4:7A:2C:91:5B:D3", 1_741_946_520_000, 2025)
    again = derive_key_material("seed", "e4:7a:2c:91:5b:d3", 1_741_946_520_000, 2025)
    other = derive_key_material("seed", "E4:7A:2C:91:5B:D4", 1_741_946_520_000, 2025)
    assert first == again
    assert first.aes_key != other.aes_key
    assert re.fullmatch(r"0\d{9}", first.admin_ps)
    assert re.fullmatch(r"0\d{9}", first.unlock_key)
    assert re.fullmatch(r"[1-9]\d{6}", first.no_key_pwd)
    assert decode_credential(first.admin_pwd) == first.admin_ps
    assert decode_credential(first.lock_key) == first.unlock_key
    entries = decode_pwd_info(first.pwd_info, first.pwd_info_timestamp)
    assert [entry.year for entry in entries] == list(range(2025, 2035))
    codes = [entry.code for entry in entries]
    assert len(set(codes)) == 10
    assert all(0 <= code < 1071 for code in codes)
    for entry in entries:
        assert sorted(entry.secret_key) == list("0123456789")


def test_pwd_info_key_is_padded_timestamp() -> None:
    keys = derive_key_material("seed", "E4:7A:2C:91:5B:D3", 1_741_946_520_000, 2025)
    key = b"1741946520000000"
    plaintext = aes_cbc_decrypt(base64.b64decode(keys.pwd_info), key)
    assert json.loads(plaintext)[0]["year"] == 2025


def test_feature_value_hex() -> None:
    assert feature_value_hex([]) == "0"
    assert feature_value_hex([0, 1, 56]) == "100000000000003"
    assert feature_bits("100000000000003") == {0, 1, 56}
    assert feature_value_hex({4, 8}) == "110"
