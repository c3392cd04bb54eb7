"""TEMPORARY ``0x31`` INIT_PASSWORDS table generator (research §8.1–§8.2).

Placeholder until the real generator in ``custom_components/ttlock_access/native/`` lands;
the pairing operation only depends on the :class:`~.pairing.PasscodeTable` protocol
(``payload``, ``pwd_info``, ``timestamp_ms``), so replacing this module changes one default.

What it does, from the research: 10 yearly entries starting at the current year (the previous
one on 1 January); each packs a 12-bit random "code" (< 1071, distinct) and a 36-bit "secret"
(a permutation of the digits 0–9 read as a decimal number, distinct); the 61-byte payload is
``[year % 100]`` + 10 × 6 bytes. ``pwdInfo`` is Base64 of AES-128-CBC(JSON list, key = IV =
the millisecond timestamp as 16 ASCII digits, right-padded with ``0``).
"""

from __future__ import annotations

import base64
import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import date

from .crypto import aes_encrypt

_CODE_LIMIT = 1071
_ENTRIES = 10
_TIMESTAMP_DIGITS = 16


@dataclass(frozen=True, slots=True)
class TempPasscodeYear:
    """One yearly entry of the table."""

    year: int
    code: int = field(repr=False)
    secret: str = field(repr=False)
    """10 digits, a permutation of 0-9 (leading zero kept)."""


@dataclass(frozen=True, slots=True)
class TempPasscodeTable:
    """What pairing sends (``payload``) and uploads (``pwd_info`` + ``timestamp_ms``)."""

    payload: bytes = field(repr=False)
    pwd_info: str = field(repr=False)
    timestamp_ms: int
    years: tuple[TempPasscodeYear, ...] = field(repr=False)


def temp_pack_entry(code: int, secret: str) -> bytes:
    """6 bytes: code >> 4 | (code & 0xF) << 4 with the secret's top nibble | low 32 bits BE."""
    value = int(secret)
    return bytes((code >> 4 & 0xFF, (code & 0x0F) << 4 | (value >> 32 & 0x0F))) + (
        value & 0xFFFFFFFF
    ).to_bytes(4, "big")


def temp_encrypt_pwd_info(years: tuple[TempPasscodeYear, ...], timestamp_ms: int) -> str:
    """``pwdInfo`` of a table (research §8.2)."""
    listing = [{"year": y.year, "code": y.code, "secretKey": y.secret} for y in years]
    key = str(timestamp_ms).ljust(_TIMESTAMP_DIGITS, "0")[:_TIMESTAMP_DIGITS].encode("ascii")
    cipher = aes_encrypt(key, json.dumps(listing, separators=(",", ":")).encode("ascii"))
    return base64.b64encode(cipher).decode("ascii")


def temp_generate_init_passwords_table(
    today: date, timestamp_ms: int, rng: random.Random | None = None
) -> TempPasscodeTable:
    """TEMPORARY stand-in for the native generator: a fresh random table for ``today``."""
    chooser = rng or secrets.SystemRandom()
    base_year = today.year - 1 if (today.month, today.day) == (1, 1) else today.year
    codes = chooser.sample(range(_CODE_LIMIT), _ENTRIES)
    secret_list: list[str] = []
    while len(secret_list) < _ENTRIES:
        digits = list("0123456789")
        chooser.shuffle(digits)
        candidate = "".join(digits)
        if candidate not in secret_list:
            secret_list.append(candidate)
    years = tuple(
        TempPasscodeYear(base_year + index, code, secret)
        for index, (code, secret) in enumerate(zip(codes, secret_list, strict=True))
    )
    payload = bytes((base_year % 100,)) + b"".join(temp_pack_entry(y.code, y.secret) for y in years)
    return TempPasscodeTable(
        payload=payload,
        pwd_info=temp_encrypt_pwd_info(years, timestamp_ms),
        timestamp_ms=timestamp_ms,
        years=years,
    )
