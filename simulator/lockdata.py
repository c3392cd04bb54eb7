"""TTLock key material and the cloud's ``lockData`` format, from the lock owner's side.

Everything here is written from ``docs/ble.md``, not from any client code:

* ``docs/ble.md`` §3.3 — the CRC-8/MAXIM table with the TTLock quirk
  (index 33 holds ``0x07`` instead of ``0x7D``); the same table keys the XOR codec.
* §4.1 — AES-128-CBC with IV = key and PKCS#7 padding.
* §4.3 — ``aesKeyStr``: the 16-byte per-lock key as comma-separated two-digit hex
  (lower case, as the SDK's ``encodeAesKey`` prints it, e.g. ``"a1,0b,…"``).
* §4.4 — the stand-alone XOR codec: ``out = in XOR TABLE[len(plain)] XOR seed``, the seed
  (1–127) appended as the last byte.
* §4.5 — ``adminPwd`` / ``lockKey`` are ``base64("n1,n2,…")`` of the XOR-encoded ASCII
  digits (the SDK prints Java's *signed* byte values, so some numbers are negative);
  values of at most 10 characters are plain digits (``noKeyPwd`` is stored plain).
  ``lockData`` = Base64( AES-CBC(JSON, key = IV = ASCII of the upper-case MAC string with
  the character at index 9 removed) ‖ the 6 MAC bytes in string order ).
* §5.1 — ``adminPs`` and ``unlockKey`` are ``"0"`` + 9 random digits; the admin keypad code
  (``noKeyPwd``) has 7 digits.
* §8.1/§8.2 — ``pwdInfo``: the JSON list of 10 yearly ``{year, code, secretKey}`` entries
  (code < 1071 and distinct, secretKey a permutation of the digits 0–9), AES-CBC with
  key = IV = the millisecond ``timestamp`` as 16 ASCII digits right-padded with ``0``.

The simulated cloud stores the raw key material in :class:`KeyMaterial` (so that a later
simulated BLE lock can use the very same keys) and renders the cloud fields from it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = [
    "CRC_TABLE",
    "KeyMaterial",
    "PwdInfoEntry",
    "aes_cbc_decrypt",
    "aes_cbc_encrypt",
    "aes_key_from_str",
    "aes_key_to_str",
    "crc8",
    "decode_credential",
    "decode_lock_data",
    "decode_pwd_info",
    "derive_key_material",
    "encode_credential",
    "encode_lock_data",
    "encode_pwd_info",
    "feature_bits",
    "feature_value_hex",
    "lock_data_key",
    "mac_to_bytes",
    "xor_decode",
    "xor_encode",
]


def _build_crc_table() -> bytes:
    """Dallas/Maxim CRC-8 table (reflected poly 0x8C) with the TTLock quirk (§3.3)."""
    table = bytearray(256)
    for index in range(256):
        crc = index
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8C if crc & 1 else crc >> 1
        table[index] = crc
    table[33] = 0x07  # the standard table holds 0x7D here
    return bytes(table)


CRC_TABLE: bytes = _build_crc_table()


def crc8(data: bytes) -> int:
    """CRC over a frame with the quirk table (§3.3)."""
    crc = 0
    for byte in data:
        crc = CRC_TABLE[crc ^ byte]
    return crc


# --- AES (§4.1) ---------------------------------------------------------------------------


def aes_cbc_encrypt(plaintext: bytes, key: bytes) -> bytes:
    """AES-128-CBC with IV = key and PKCS#7 padding."""
    if len(key) != 16:
        raise ValueError("AES-128 key must be 16 bytes")
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def aes_cbc_decrypt(ciphertext: bytes, key: bytes) -> bytes:
    """Inverse of :func:`aes_cbc_encrypt`."""
    if len(key) != 16:
        raise ValueError("AES-128 key must be 16 bytes")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def aes_key_to_str(key: bytes) -> str:
    """``aesKeyStr`` (§4.3): comma-separated two-digit lower-case hex bytes."""
    return ",".join(f"{byte:02x}" for byte in key)


def aes_key_from_str(value: str) -> bytes:
    """Parse an ``aesKeyStr``."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if len(parts) != 16:
        raise ValueError("aesKeyStr must hold 16 comma-separated hex bytes")
    return bytes(int(part, 16) for part in parts)


# --- stand-alone XOR codec and credential strings (§4.4, §4.5) -----------------------------


def xor_encode(plain: bytes, seed: int) -> bytes:
    """Stand-alone XOR codec: mask = TABLE[len(plain)] ^ seed; the seed is appended."""
    if not 1 <= seed <= 127:
        raise ValueError("seed must be 1..127")
    mask = CRC_TABLE[len(plain) % 256] ^ seed
    return bytes(byte ^ mask for byte in plain) + bytes([seed])


def xor_decode(encoded: bytes) -> bytes:
    """Inverse of :func:`xor_encode` (mask = TABLE[len(encoded) − 1] ^ last byte)."""
    if len(encoded) < 2:
        return b""
    mask = CRC_TABLE[(len(encoded) - 1) % 256] ^ encoded[-1]
    return bytes(byte ^ mask for byte in encoded[:-1])


def _signed(byte: int) -> int:
    return byte - 256 if byte > 127 else byte


def encode_credential(digits: str, seed: int) -> str:
    """``adminPwd`` / ``lockKey`` form: Base64 of the signed decimal bytes, comma-separated."""
    encoded = xor_encode(digits.encode("ascii"), seed)
    text = ",".join(str(_signed(byte)) for byte in encoded)
    return base64.b64encode(text.encode("ascii")).decode("ascii")


def decode_credential(value: str) -> str:
    """Decode a credential field; values of at most 10 characters are plain (§4.5)."""
    if len(value) <= 10:
        return value
    text = base64.b64decode(value).decode("ascii")
    raw = bytes(int(part) & 0xFF for part in text.split(",") if part)
    return xor_decode(raw).decode("ascii")


# --- MAC handling and lockData (§4.5) ------------------------------------------------------


def mac_to_bytes(mac: str) -> bytes:
    """``"AA:BB:CC:DD:EE:FF"`` → the six bytes in string order."""
    parts = mac.split(":")
    if len(parts) != 6:
        raise ValueError(f"not a MAC address: {mac!r}")
    return bytes(int(part, 16) for part in parts)


def bytes_to_mac(raw: bytes) -> str:
    """Six bytes → upper-case colon-separated MAC string."""
    if len(raw) != 6:
        raise ValueError("a MAC has 6 bytes")
    return ":".join(f"{byte:02X}" for byte in raw)


def lock_data_key(mac: str) -> bytes:
    """AES key (= IV) of ``lockData``: upper-case MAC string without its character 9."""
    upper = mac.upper()
    if len(upper) != 17:
        raise ValueError(f"not a colon-separated MAC: {mac!r}")
    return (upper[:9] + upper[10:]).encode("ascii")


def encode_lock_data(payload: dict[str, Any]) -> str:
    """Encrypt a lockData JSON object; ``payload["lockMac"]`` supplies key and tail."""
    mac = str(payload["lockMac"]).upper()
    plaintext = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.b64encode(
        aes_cbc_encrypt(plaintext, lock_data_key(mac)) + mac_to_bytes(mac)
    ).decode("ascii")


def decode_lock_data(value: str) -> dict[str, Any]:
    """Decrypt a lockData string: the MAC comes from its last 6 bytes."""
    raw = base64.b64decode(value)
    if len(raw) < 6 + 16:
        raise ValueError("lockData too short")
    mac = bytes_to_mac(raw[-6:])
    plaintext = aes_cbc_decrypt(raw[:-6], lock_data_key(mac))
    result: dict[str, Any] = json.loads(plaintext.decode("utf-8"))
    return result


# --- pwdInfo (§8.1, §8.2) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PwdInfoEntry:
    """One yearly offline-passcode entry (code < 1071, secretKey = a permutation of 0–9)."""

    year: int
    code: int
    secret_key: str

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "code": self.code, "secretKey": self.secret_key}


def _pwd_info_key(timestamp_ms: int) -> bytes:
    return str(timestamp_ms).ljust(16, "0")[:16].encode("ascii")


def encode_pwd_info(entries: list[PwdInfoEntry], timestamp_ms: int) -> str:
    """``pwdInfo``: Base64(AES-CBC(JSON list, key = IV = timestamp digits padded to 16))."""
    plaintext = json.dumps([entry.to_json() for entry in entries], separators=(",", ":"))
    ciphertext = aes_cbc_encrypt(plaintext.encode("ascii"), _pwd_info_key(timestamp_ms))
    return base64.b64encode(ciphertext).decode("ascii")


def decode_pwd_info(value: str, timestamp_ms: int) -> list[PwdInfoEntry]:
    """Inverse of :func:`encode_pwd_info`."""
    plaintext = aes_cbc_decrypt(base64.b64decode(value), _pwd_info_key(timestamp_ms))
    return [
        PwdInfoEntry(
            year=int(item["year"]), code=int(item["code"]), secret_key=str(item["secretKey"])
        )
        for item in json.loads(plaintext)
    ]


# --- featureValue (docs/cloud.md §2.1, docs/ble.md §5.3) ---------------------------------


def feature_value_hex(bits: Iterable[int]) -> str:
    """Upper-case hex of the feature bit set, no leading zeros (``"0"`` when empty)."""
    value = 0
    for bit in bits:
        value |= 1 << bit
    return f"{value:X}"


def feature_bits(feature_value: str) -> set[int]:
    """Bit numbers set in a featureValue hex string."""
    value = int(feature_value, 16) if feature_value else 0
    return {bit for bit in range(value.bit_length()) if value >> bit & 1}


# --- per-lock key material -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    """Raw secrets a lock and the cloud share after pairing (§5.1).

    ``admin_ps`` / ``unlock_key`` are 10-character digit strings (``"0"`` + 9 digits);
    ``no_key_pwd`` is the 7-digit admin keypad code; ``xor_seeds`` are the seeds used when
    rendering ``adminPwd`` and ``lockKey`` so the cloud strings are stable.
    """

    aes_key: bytes
    admin_ps: str
    unlock_key: str
    no_key_pwd: str
    delete_pwd: str
    lock_flag_pos: int
    pwd_info_entries: tuple[PwdInfoEntry, ...]
    pwd_info_timestamp: int
    admin_seed: int
    unlock_seed: int

    @property
    def aes_key_str(self) -> str:
        return aes_key_to_str(self.aes_key)

    @property
    def admin_pwd(self) -> str:
        """Cloud ``adminPwd`` field."""
        return encode_credential(self.admin_ps, self.admin_seed)

    @property
    def lock_key(self) -> str:
        """Cloud ``lockKey`` field."""
        return encode_credential(self.unlock_key, self.unlock_seed)

    @property
    def pwd_info(self) -> str:
        return encode_pwd_info(list(self.pwd_info_entries), self.pwd_info_timestamp)


def derive_key_material(seed: str, mac: str, init_ms: int, init_year: int) -> KeyMaterial:
    """Deterministic key material for one lock from the scenario seed and its MAC."""
    digest = hashlib.sha256(f"{seed}|{mac.upper()}".encode()).digest()
    rng = random.Random(digest)
    aes_key = bytes(rng.randrange(256) for _ in range(16))
    admin_ps = "0" + "".join(str(rng.randrange(10)) for _ in range(9))
    unlock_key = "0" + "".join(str(rng.randrange(10)) for _ in range(9))
    no_key_pwd = str(rng.randrange(1, 10)) + "".join(str(rng.randrange(10)) for _ in range(6))
    codes = rng.sample(range(1071), 10)
    secrets: list[str] = []
    while len(secrets) < 10:
        digits = list("0123456789")
        rng.shuffle(digits)
        candidate = "".join(digits)
        if candidate not in secrets:
            secrets.append(candidate)
    entries = tuple(
        PwdInfoEntry(year=init_year + offset, code=codes[offset], secret_key=secrets[offset])
        for offset in range(10)
    )
    return KeyMaterial(
        aes_key=aes_key,
        admin_ps=admin_ps,
        unlock_key=unlock_key,
        no_key_pwd=no_key_pwd,
        delete_pwd="",
        lock_flag_pos=0,
        pwd_info_entries=entries,
        pwd_info_timestamp=init_ms,
        admin_seed=rng.randrange(1, 128),
        unlock_seed=rng.randrange(1, 128),
    )
