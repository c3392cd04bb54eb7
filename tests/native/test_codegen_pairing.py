"""INIT_PASSWORDS tables (docs/ble.md §8.1) and pwdInfo (§8.2)."""

import base64
import json
from typing import Any

import pytest
from codegen_helpers import hyp, seeds
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given
from hypothesis import strategies as st

from custom_components.ttlock_access.native import (
    INIT_PASSWORDS_SIZE,
    CodeGenerator,
    CodegenError,
    PairingEntry,
    decode_pwd_info,
    encode_pwd_info,
    pack_init_passwords,
    unpack_init_passwords,
)
from custom_components.ttlock_access.native.pairing import pwd_info_key

SECRETS = [
    "9876543210",
    "0123456789",
    "3917058246",
    "0123456798",
    "0123456879",
    "0123456897",
    "0123456978",
    "0123456987",
    "0123457689",
    "0123457698",
]
CODES = [677, 0, 1070, 1, 2, 3, 4, 5, 6, 7]
EXAMPLE = [
    PairingEntry(2026 + i, code, secret)
    for i, (code, secret) in enumerate(zip(CODES, SECRETS, strict=True))
]
# Worked by hand from §8.1: byte0 = 2026 mod 100 = 0x1a. Entry 0: code 677 = 0x2a5 →
# 0x2a, then 0x5 << 4 | (9876543210 >> 32 = 2) = 0x52, then 9876543210 mod 2**32 =
# 1286608618 = 0x4cb016ea. Entry 1: code 0, secret 123456789 = 0x075bcd15. Entry 2: code
# 1070 = 0x42e → 0x42, 0xe0 (the secret 3917058246 < 2**32 has a zero top nibble),
# 0xe97990c6. Entries 3-9: codes 1-7 → 0x00, code << 4; secrets 123456789 + 9, + 90, …
EXAMPLE_HEX = (
    "1a"
    "2a524cb016ea"
    "0000075bcd15"
    "42e0e97990c6"
    "0010075bcd1e"
    "0020075bcd6f"
    "0030075bcd81"
    "0040075bcdd2"
    "0050075bcddb"
    "0060075bd099"
    "0070075bd0a2"
)
TIMESTAMP = 1700000000123
# Computed independently with OpenSSL (PKCS#7 is its default padding):
#   printf '%s' '[{"year":2026,"code":677,"secretKey":"9876543210"}]' |
#   openssl enc -aes-128-cbc -K 31373030303030303030313233303030 \
#     -iv 31373030303030303030313233303030 -base64 -A
ONE_ENTRY_PWD_INFO = (
    "Q/eFB1GvbxlXJT9K0QyZfXgDEIQfIMqV4KQLRnYbmk+Gqbb5H2Sy3TmolomV7blKvK+VOV888cxZi2yGlVB/RA=="
)


def test_pack_hand_checked_layout() -> None:
    packed = pack_init_passwords(EXAMPLE)
    assert len(packed) == INIT_PASSWORDS_SIZE == 61
    assert packed.hex() == EXAMPLE_HEX


def test_unpack_hand_checked_layout() -> None:
    assert unpack_init_passwords(bytes.fromhex(EXAMPLE_HEX)) == EXAMPLE
    assert unpack_init_passwords(bytearray.fromhex(EXAMPLE_HEX))[0].secret_int == 9876543210


def test_unpack_other_century() -> None:
    tables = unpack_init_passwords(bytes.fromhex(EXAMPLE_HEX), century=2100)
    assert [t.year for t in tables] == list(range(2126, 2136))


def test_generated_tables(gen: CodeGenerator) -> None:
    tables = gen.generate_pairing_tables(2026, seed=1)
    assert [t.year for t in tables] == list(range(2026, 2036))
    assert len({t.code for t in tables}) == 10
    assert len({t.secret for t in tables}) == 10
    for entry in tables:
        assert 0 <= entry.code < 1071
        assert sorted(entry.secret) == list("0123456789")


def test_unseeded_tables_differ(gen: CodeGenerator) -> None:
    assert gen.generate_pairing_tables(2026) != gen.generate_pairing_tables(2026)


@hyp(300)
@given(year=st.integers(2000, 2099), seed=seeds)
def test_pack_unpack_round_trip(gen: CodeGenerator, year: int, seed: int) -> None:
    tables = gen.generate_pairing_tables(year, seed)
    packed = pack_init_passwords(tables)
    assert len(packed) == 61
    assert packed[0] == year % 100
    assert unpack_init_passwords(packed) == tables


@hyp(200)
@given(year=st.integers(2000, 2099), seed=seeds, timestamp=st.integers(0, 10**16 - 1))
def test_pwd_info_round_trip(gen: CodeGenerator, year: int, seed: int, timestamp: int) -> None:
    tables = gen.generate_pairing_tables(year, seed)
    assert decode_pwd_info(encode_pwd_info(tables, timestamp), timestamp) == tables


def test_pwd_info_known_answer() -> None:
    entry = [PairingEntry(2026, 677, "9876543210")]
    assert encode_pwd_info(entry, TIMESTAMP) == ONE_ENTRY_PWD_INFO
    assert decode_pwd_info(ONE_ENTRY_PWD_INFO, TIMESTAMP) == entry


def test_pwd_info_key_is_padded_timestamp() -> None:
    assert pwd_info_key(TIMESTAMP) == b"1700000000123000"
    assert pwd_info_key(0) == b"0000000000000000"
    assert pwd_info_key(9999999999999999) == b"9999999999999999"


def test_pwd_info_plaintext_is_compact_json() -> None:
    tables = EXAMPLE
    raw = base64.b64decode(encode_pwd_info(tables, TIMESTAMP))
    key = pwd_info_key(TIMESTAMP)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    plain = unpadder.update(decryptor.update(raw) + decryptor.finalize()) + unpadder.finalize()
    assert plain.startswith(b'[{"year":2026,"code":677,"secretKey":"9876543210"},{"year":2027,')
    assert json.loads(plain)[1] == {"year": 2027, "code": 0, "secretKey": "0123456789"}


def _encrypt(document: Any, timestamp: int = TIMESTAMP) -> str:
    key = pwd_info_key(timestamp)
    padder = padding.PKCS7(128).padder()
    data = padder.update(json.dumps(document).encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key)).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def test_decode_is_liberal() -> None:
    """Key order, spacing, numeric strings and a numeric secret are all accepted."""
    document = [{"secretKey": 123456789, "code": "5", "year": "2030"}]
    assert decode_pwd_info(_encrypt(document), TIMESTAMP) == [PairingEntry(2030, 5, "0123456789")]
    short = [{"year": 2030, "code": 5, "secretKey": "123456789"}]
    assert decode_pwd_info(_encrypt(short), TIMESTAMP)[0].secret == "0123456789"


@pytest.mark.parametrize(
    "pwd_info",
    [
        "not base64!",
        base64.b64encode(b"short").decode(),
        base64.b64encode(b"").decode(),
        ONE_ENTRY_PWD_INFO[:-4],
        _encrypt({"year": 2026}),  # not a list
        _encrypt([]),
        _encrypt(["x"]),
        _encrypt([{"year": 2026, "code": 677}]),  # no secret
        _encrypt([{"year": 2026, "code": True, "secretKey": "9876543210"}]),
        _encrypt([{"year": 2026, "code": 1071, "secretKey": "9876543210"}]),
        _encrypt([{"year": 2026, "code": 1, "secretKey": "9876543211"}]),  # not a permutation
        _encrypt([{"year": 2026, "code": 1, "secretKey": None}]),
    ],
)
def test_decode_rejects(pwd_info: str) -> None:
    with pytest.raises(CodegenError):
        decode_pwd_info(pwd_info, TIMESTAMP)


def test_decode_with_wrong_timestamp_fails() -> None:
    """A wrong key garbles the plaintext; whatever fails, the error is a CodegenError."""
    for timestamp in (TIMESTAMP + 1, 1, 1600000000000):
        with pytest.raises(CodegenError):
            decode_pwd_info(ONE_ENTRY_PWD_INFO, timestamp)


@pytest.mark.parametrize("timestamp", [-1, 10**16, True, 1.5, "1700000000123"])
def test_bad_timestamps(timestamp: Any) -> None:
    with pytest.raises(CodegenError):
        encode_pwd_info(EXAMPLE, timestamp)
    with pytest.raises(CodegenError):
        decode_pwd_info(ONE_ENTRY_PWD_INFO, timestamp)


@pytest.mark.parametrize(
    "tables",
    [
        EXAMPLE[:9],  # nine entries
        [*EXAMPLE, EXAMPLE[0]],
        [EXAMPLE[1], EXAMPLE[0], *EXAMPLE[2:]],  # years out of order
        [*EXAMPLE[:9], PairingEntry(2035, 677, "5678901234")],  # duplicate code
        [*EXAMPLE[:9], PairingEntry(2035, 900, "9876543210")],  # duplicate secret
        [*EXAMPLE[:9], (2035, 900, "5678901234")],  # not a PairingEntry
        "0123456789",
        None,
    ],
)
def test_pack_rejects(tables: Any) -> None:
    with pytest.raises(CodegenError):
        pack_init_passwords(tables)


@pytest.mark.parametrize("tables", [[], "x", None, [("2026", 1, "0123456789")]])
def test_encode_rejects(tables: Any) -> None:
    with pytest.raises(CodegenError):
        encode_pwd_info(tables, TIMESTAMP)


def test_unpack_rejects() -> None:
    good = bytes.fromhex(EXAMPLE_HEX)
    for data in (good[:60], good + b"\0", b""):
        with pytest.raises(CodegenError):
            unpack_init_passwords(data)
    with pytest.raises(CodegenError):
        unpack_init_passwords("1a2a")  # type: ignore[arg-type]
    with pytest.raises(CodegenError):
        unpack_init_passwords(good, century=1950)
    too_big = bytearray(good)
    too_big[1:7] = bytes.fromhex("2a5fffffffff")  # secret > 10 digits
    with pytest.raises(CodegenError):
        unpack_init_passwords(bytes(too_big))
    code_out_of_range = bytearray(good)
    code_out_of_range[1:3] = bytes.fromhex("4302")  # code 0x430 = 1072
    with pytest.raises(CodegenError):
        unpack_init_passwords(bytes(code_out_of_range))
    not_permutation = bytearray(good)
    not_permutation[7:13] = bytes.fromhex("0000075bcd16")  # 123456790 repeats a digit
    with pytest.raises(CodegenError):
        unpack_init_passwords(bytes(not_permutation))


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((2026, 1071, "0123456789"), CodegenError),
        ((2026, -1, "0123456789"), CodegenError),
        ((2026, 1, "012345678"), CodegenError),
        ((2026, 1, "0123456788"), CodegenError),
        ((2026, 1, 123456789), CodegenError),
        ((2026, 1.0, "0123456789"), CodegenError),
        ((True, 1, "0123456789"), CodegenError),
        ((10_000, 1, "0123456789"), CodegenError),
    ],
)
def test_entry_rejects(args: tuple[Any, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        PairingEntry(*args)


def test_entry_from_ints() -> None:
    assert PairingEntry.from_ints(2026, 5, 123456789).secret == "0123456789"
    with pytest.raises(CodegenError):
        PairingEntry.from_ints(2026, 5, -1)
