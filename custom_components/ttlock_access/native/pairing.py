"""Offline-passcode tables of a V3 lock: INIT_PASSWORDS payload and ``pwdInfo``.

Facts: ``docs/ble.md`` §8.1-8.2. At pairing (and at "reset passcode") the app
sends ``0x31`` INIT_PASSWORDS: 10 entries, one per year from the base year, each a *code*
(0 ≤ code < 1071, distinct) and a *secret* (a permutation of the digits 0-9, distinct). The
same tables go to the cloud as ``pwdInfo``: compact JSON encrypted with AES-128-CBC, key =
IV = the millisecond timestamp's digits right-padded with ``0`` to 16 ASCII characters,
PKCS#7 padding (docs/ble.md §4.1: Java "PKCS5Padding"), Base64. The random draws live in the
backends (``generate_pairing_tables``); this module only packs, checks and encrypts.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from . import _twin
from .errors import CodegenError, CodegenTypeError

PAIRING_ENTRIES = _twin.PAIRING_ENTRIES
PAIRING_CODE_LIMIT = _twin.PAIRING_CODE_LIMIT
INIT_PASSWORDS_SIZE = 1 + 6 * PAIRING_ENTRIES  # 61 bytes
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class PairingEntry:
    """One year's entry: ``year``, ``code`` (0 ≤ code < 1071) and ``secret``.

    ``secret`` is the 10-character permutation of ``0123456789`` (it may start with ``0``);
    ``secret_int`` is its decimal value, which the lock receives as a 36-bit number.
    """

    year: int
    code: int
    secret: str

    def __post_init__(self) -> None:
        for name in ("year", "code"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise CodegenTypeError(f"PairingEntry.{name} must be an int")
        if not isinstance(self.secret, str):
            raise CodegenTypeError("PairingEntry.secret must be a str")
        if not 0 <= self.year <= 9999:
            raise CodegenError(f"pairing year out of range: {self.year}")
        if not 0 <= self.code < PAIRING_CODE_LIMIT:
            raise CodegenError(f"pairing code must be 0 <= code < 1071, got {self.code}")
        if len(self.secret) != 10 or frozenset(self.secret) != _DIGITS:
            raise CodegenError("pairing secret must be a permutation of the digits 0-9")

    @property
    def secret_int(self) -> int:
        """The secret as an integer (what the 6-byte entry carries)."""
        return int(self.secret)

    @classmethod
    def from_ints(cls, year: int, code: int, secret: int) -> PairingEntry:
        """Build an entry from the secret's integer value (padded to 10 digits)."""
        if not isinstance(secret, int) or isinstance(secret, bool) or secret < 0:
            raise CodegenError(f"pairing secret must be a non-negative int, got {secret!r}")
        return cls(year, code, f"{secret:010d}")


def check_tables(tables: Sequence[PairingEntry]) -> None:
    """Raise ``CodegenError`` unless ``tables`` are 10 entries for consecutive years with
    distinct codes and distinct secrets."""
    given: object = tables  # checked at run time too: callers may not be type-checked
    if isinstance(given, str | bytes) or not isinstance(given, Sequence):
        raise CodegenTypeError("pairing tables must be a sequence of PairingEntry")
    if len(tables) != PAIRING_ENTRIES:
        raise CodegenError(f"pairing tables need {PAIRING_ENTRIES} entries, got {len(tables)}")
    for entry in tables:
        if not isinstance(entry, PairingEntry):
            raise CodegenTypeError("pairing tables must be a sequence of PairingEntry")
    first = tables[0].year
    if [entry.year for entry in tables] != list(range(first, first + PAIRING_ENTRIES)):
        raise CodegenError("pairing tables must cover consecutive years, in order")
    if len({entry.code for entry in tables}) != PAIRING_ENTRIES:
        raise CodegenError("pairing codes must be distinct")
    if len({entry.secret for entry in tables}) != PAIRING_ENTRIES:
        raise CodegenError("pairing secrets must be distinct")


def pack_init_passwords(tables: Sequence[PairingEntry]) -> bytes:
    """The 61-byte plaintext of ``0x31`` INIT_PASSWORDS (docs/ble.md §8.1).

    Byte 0 is the base year mod 100; then per entry 6 bytes: ``code >> 4``;
    ``(code & 0x0F) << 4 | (secret >> 32) & 0x0F``; the low 32 bits of the secret, big-endian.
    """
    check_tables(tables)
    out = bytearray([tables[0].year % 100])
    for entry in tables:
        secret = entry.secret_int  # ≤ 9876543210 < 2**34: fits the 36-bit field
        out.append(entry.code >> 4)
        out.append(((entry.code & 0x0F) << 4) | ((secret >> 32) & 0x0F))
        out += (secret & 0xFFFFFFFF).to_bytes(4, "big")
    return bytes(out)


def unpack_init_passwords(
    data: bytes | bytearray | memoryview, *, century: int = 2000
) -> list[PairingEntry]:
    """Inverse of ``pack_init_passwords``. The payload keeps only ``year mod 100``; the base
    year is ``century + data[0]``."""
    given: object = data
    if not isinstance(given, bytes | bytearray | memoryview):
        raise CodegenTypeError("INIT_PASSWORDS payload must be bytes")
    raw = bytes(given)
    if len(raw) != INIT_PASSWORDS_SIZE:
        raise CodegenError(f"INIT_PASSWORDS payload must be 61 bytes, got {len(raw)}")
    if not isinstance(century, int) or isinstance(century, bool) or century % 100:
        raise CodegenError("century must be a multiple of 100")
    year = century + raw[0]
    entries = []
    for i in range(PAIRING_ENTRIES):
        chunk = raw[1 + 6 * i : 7 + 6 * i]
        code = (chunk[0] << 4) | (chunk[1] >> 4)
        secret = ((chunk[1] & 0x0F) << 32) | int.from_bytes(chunk[2:6], "big")
        if secret >= 10**10:
            raise CodegenError(f"entry {i}: secret {secret} has more than 10 digits")
        entries.append(PairingEntry.from_ints(year + i, code, secret))
    check_tables(entries)
    return entries


def pwd_info_key(timestamp_ms: int) -> bytes:
    """AES key (= IV) for ``pwdInfo``: the timestamp's digits right-padded with ``0`` to 16."""
    if not isinstance(timestamp_ms, int) or isinstance(timestamp_ms, bool):
        raise CodegenTypeError("timestamp_ms must be an int")
    digits = str(timestamp_ms)
    if timestamp_ms < 0 or len(digits) > 16:
        raise CodegenError("timestamp_ms must be 0 <= timestamp_ms < 10**16")
    return digits.ljust(16, "0").encode("ascii")


def encode_pwd_info(tables: Sequence[PairingEntry], timestamp_ms: int) -> str:
    """``pwdInfo`` for the cloud: Base64(AES-128-CBC(JSON)) with key = IV = timestamp digits.

    The JSON is compact, ``[{"year":2026,"code":677,"secretKey":"9876543210"},…]``. Any
    non-empty list of entries is accepted (after ``0x32`` READ_PWD_PARA the SDK re-encrypts a
    single entry, docs/ble.md §8.1).
    """
    given: object = tables
    if isinstance(given, str | bytes) or not isinstance(given, Sequence) or not given:
        raise CodegenError("pwdInfo needs a non-empty sequence of PairingEntry")
    if not all(isinstance(entry, PairingEntry) for entry in tables):
        raise CodegenTypeError("pwdInfo needs a sequence of PairingEntry")
    key = pwd_info_key(timestamp_ms)
    document = json.dumps(
        [{"year": e.year, "code": e.code, "secretKey": e.secret} for e in tables],
        separators=(",", ":"),
    ).encode("ascii")
    padder = padding.PKCS7(128).padder()
    plain = padder.update(document) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key)).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")


def _json_int(item: dict[str, object], name: str) -> int:
    value = item.get(name)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise CodegenError(f"pwdInfo entry has no integer {name!r}")


def decode_pwd_info(pwd_info: str, timestamp_ms: int) -> list[PairingEntry]:
    """Decrypt and check a ``pwdInfo`` string (inverse of ``encode_pwd_info``).

    Liberal in what it accepts: any key order and spacing, numbers or numeric strings, and a
    secret given as a number (zero-padded back to 10 digits).
    """
    if not isinstance(pwd_info, str):
        raise CodegenTypeError("pwd_info must be a str")
    key = pwd_info_key(timestamp_ms)
    try:
        cipher_text = base64.b64decode(pwd_info, validate=True)
    except (binascii.Error, ValueError) as err:
        raise CodegenError("pwdInfo is not valid Base64") from err
    if not cipher_text or len(cipher_text) % 16:
        raise CodegenError("pwdInfo ciphertext must be a non-empty multiple of 16 bytes")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key)).decryptor()
    padded = decryptor.update(cipher_text) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
        document = json.loads(plain.decode("utf-8"))
    except ValueError as err:  # bad padding (wrong timestamp?), bad UTF-8 or bad JSON
        raise CodegenError("pwdInfo does not decrypt to JSON with this timestamp") from err
    if not isinstance(document, list) or not document:
        raise CodegenError("pwdInfo must hold a non-empty JSON list")
    entries = []
    for item in document:
        if not isinstance(item, dict):
            raise CodegenError("pwdInfo entries must be JSON objects")
        secret = item.get("secretKey")
        if isinstance(secret, int) and not isinstance(secret, bool) and 0 <= secret < 10**10:
            secret = f"{secret:010d}"
        if not isinstance(secret, str):
            raise CodegenError("pwdInfo entry has no secretKey string")
        entries.append(
            PairingEntry(_json_int(item, "year"), _json_int(item, "code"), secret.zfill(10))
        )
    return entries
