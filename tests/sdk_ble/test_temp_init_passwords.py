"""The TEMPORARY INIT_PASSWORDS table generator against research §8.1–§8.2."""

from __future__ import annotations

import base64
import json
import random
from datetime import date

from sdk_ble_helpers import ref_decrypt

from custom_components.ttlock_access.sdk.ble._temp_init_passwords import (
    temp_generate_init_passwords_table,
    temp_pack_entry,
)


def unpack(entry: bytes) -> tuple[int, int]:
    """Inverse of the §8.1 packing, written from the research text."""
    code = entry[0] << 4 | entry[1] >> 4
    secret = (entry[1] & 0x0F) << 32 | int.from_bytes(entry[2:6], "big")
    return code, secret


def test_packing_example() -> None:
    # code 0x2AB, secret 3917058246 (= 0xE97A_3E46 + 0 << 32)
    packed = temp_pack_entry(0x2AB, "3917058246")
    assert packed == bytes((0x2A, 0xB0)) + (3917058246).to_bytes(4, "big")
    assert unpack(temp_pack_entry(1070, "9876543210")) == (1070, 9876543210)


def test_table_structure() -> None:
    table = temp_generate_init_passwords_table(
        date(2026, 11, 22), 1_790_000_000_000, random.Random(4)
    )
    payload = table.payload
    assert len(payload) == 61
    assert payload[0] == 26
    entries = [unpack(payload[1 + 6 * i : 7 + 6 * i]) for i in range(10)]
    codes = [code for code, _ in entries]
    secrets = [f"{secret:010d}" for _, secret in entries]
    assert len(set(codes)) == 10
    assert all(0 <= code < 1071 for code in codes)
    assert len(set(secrets)) == 10
    assert all(sorted(s) == list("0123456789") for s in secrets)
    assert [y.year for y in table.years] == list(range(2026, 2036))
    # pwdInfo: AES(JSON), key = IV = timestamp digits padded to 16 (research §8.2)
    clear = ref_decrypt(b"1790000000000000", base64.b64decode(table.pwd_info))
    listing = json.loads(clear)
    assert [(e["year"], e["code"], e["secretKey"]) for e in listing] == [
        (y.year, y.code, y.secret) for y in table.years
    ]
    assert table.years[0].secret not in repr(table.years[0])


def test_first_of_january_uses_previous_year() -> None:
    table = temp_generate_init_passwords_table(date(2027, 1, 1), 1)
    assert table.payload[0] == 26
    assert table.years[0].year == 2026
