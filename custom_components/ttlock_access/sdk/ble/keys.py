"""Key material of one lock and the cloud's ``lockData`` format (docs/ble.md §4.3–§4.5).

``lockData`` = Base64( AES-128-CBC(JSON, key = IV = the upper-case ``AA:BB:CC:DD:EE:FF`` MAC
string without its character at index 9) ‖ the 6 MAC bytes ). The JSON (the SDK's LockData)
carries ``aesKeyStr`` (comma-separated hex bytes), ``adminPwd`` and ``lockKey`` (stand-alone
XOR-obfuscated digits, §4.5), ``lockFlagPos``, ``uid``, ``lockVersion`` and more.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .crypto import (
    AES_KEY_LENGTH,
    aes_decrypt,
    aes_encrypt,
    xor_decode_standalone,
    xor_encode_standalone,
)
from .errors import DecryptError, KeyMaterialError
from .frame import ProtocolHeader

MAC_LENGTH = 6
_PLAIN_CREDENTIAL_MAX = 10


@dataclass(frozen=True, slots=True)
class LockKeys:
    """Everything the client needs to talk to one paired lock.

    * ``aes_key`` — per-lock AES key (``aesKeyStr``).
    * ``unlock_key`` — ``lockKey``; with the lock's challenge gives the dynamic sum (§5.0).
    * ``admin_ps`` — ``adminPwd``; only admin eKeys have it (CHECK_ADMIN).
    * ``lock_flag_pos`` — eKey generation counter (CHECK_ADMIN / CHECK_USER_TIME).
    * ``uid`` — TTLock user id, only used for log attribution (0 is accepted).
    * ``header`` — the send header (lockVersion; docs/errata.md E2 fall-back ``05 03 02 0001
    0001``).
    * ``start``/``end`` — eKey validity as lock wall time; None = the permanent window.

    Secrets are excluded from ``repr`` (docs/architecture.md rule 6).
    """

    aes_key: bytes = field(repr=False)
    unlock_key: int | None = field(default=None, repr=False)
    admin_ps: int | None = field(default=None, repr=False)
    lock_flag_pos: int = 0
    uid: int = 0
    header: ProtocolHeader = field(default_factory=ProtocolHeader)
    mac: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        """Validate lengths and ranges so that malformed keys fail early."""
        if len(self.aes_key) != AES_KEY_LENGTH:
            raise KeyMaterialError(f"aes_key must have 16 bytes, got {len(self.aes_key)}")
        for name, value in (("unlock_key", self.unlock_key), ("admin_ps", self.admin_ps)):
            if value is not None and not 0 <= value <= 0xFFFFFFFF:
                raise KeyMaterialError(f"{name} must fit four bytes")
        if not 0 <= self.lock_flag_pos <= 0xFFFFFF:
            raise KeyMaterialError("lock_flag_pos must fit three bytes")
        if not 0 <= self.uid <= 0xFFFFFFFF:
            raise KeyMaterialError("uid must fit four bytes")

    @property
    def is_admin(self) -> bool:
        """Whether admin commands are possible (adminPwd and lockKey known)."""
        return self.admin_ps is not None and self.unlock_key is not None

    @classmethod
    def from_lock_data_json(cls, data: Mapping[str, Any]) -> LockKeys:
        """Keys from the decrypted ``lockData`` JSON, or the same fields of ``lock/detail``.

        ``aesKeyStr`` is required; ``lockKey``/``adminPwd`` are optional (user eKeys have no
        ``adminPwd``); ``startDate``/``endDate`` (epoch ms, 0 = permanent) are converted to
        lock wall time with ``timezoneRawOffset`` (ms).
        """
        aes_key_str = data.get("aesKeyStr")
        if not isinstance(aes_key_str, str) or not aes_key_str:
            raise KeyMaterialError("lockData has no aesKeyStr")
        version = data.get("lockVersion")
        header = ProtocolHeader()
        if isinstance(version, Mapping):
            header = ProtocolHeader(
                protocol_type=_int_field(version, "protocolType", header.protocol_type),
                protocol_version=_int_field(version, "protocolVersion", header.protocol_version),
                scene=_int_field(version, "scene", header.scene),
                group_id=_int_field(version, "groupId", header.group_id),
                org_id=_int_field(version, "orgId", header.org_id),
            )
        offset = _int_field(data, "timezoneRawOffset", 0)
        mac = data.get("lockMac")
        return cls(
            aes_key=parse_aes_key_str(aes_key_str),
            unlock_key=_optional_credential(data.get("lockKey")),
            admin_ps=_optional_credential(data.get("adminPwd")),
            lock_flag_pos=_int_field(data, "lockFlagPos", 0),
            uid=_int_field(data, "uid", 0),
            header=header,
            mac=mac.upper() if isinstance(mac, str) and mac else None,
            start=_wall_time(_int_field(data, "startDate", 0), offset),
            end=_wall_time(_int_field(data, "endDate", 0), offset),
        )


def _int_field(data: Mapping[str, Any], name: str, default: int) -> int:
    value = data.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise KeyMaterialError(f"lockData field {name} is not a number")
    try:
        return int(value)
    except (TypeError, ValueError) as err:
        raise KeyMaterialError(f"lockData field {name} is not a number") from err


def _optional_credential(value: object) -> int | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise KeyMaterialError("credential fields of lockData are strings")
    return int(decode_credential(value))


def _wall_time(epoch_ms: int, offset_ms: int) -> datetime | None:
    if epoch_ms <= 0:
        return None
    utc = datetime.fromtimestamp(0, UTC) + timedelta(milliseconds=epoch_ms + offset_ms)
    return utc.replace(tzinfo=None)


def parse_aes_key_str(text: str) -> bytes:
    """``aesKeyStr`` (``"a1,b2,…"``, docs/ble.md §4.3) → 16 bytes; also accepts 32 hex digits."""
    cleaned = text.strip().strip("[]").replace(" ", "")
    try:
        if "," in cleaned:
            parts = cleaned.split(",")
            if any(not 1 <= len(part) <= 2 for part in parts):
                raise ValueError(text)
            key = bytes(int(part, 16) for part in parts)
        else:
            key = bytes.fromhex(cleaned)
    except ValueError as err:
        raise KeyMaterialError("aesKeyStr is not a list of hex bytes") from err
    if len(key) != AES_KEY_LENGTH:
        raise KeyMaterialError(f"aesKeyStr must hold 16 bytes, got {len(key)}")
    return key


def format_aes_key_str(key: bytes) -> str:
    """The cloud's ``aesKeyStr`` form of ``key`` (lower-case, comma-separated)."""
    return ",".join(f"{byte:02x}" for byte in key)


def decode_credential(value: str) -> str:
    """Digits of ``adminPwd`` / ``lockKey`` / ``noKeyPwd`` (docs/ble.md §4.5).

    Values of ≤ 10 characters that are all digits are plain. Otherwise the value is
    ``base64("n1,n2,…")`` of signed or unsigned decimal bytes of the stand-alone XOR encoding
    (§4.4); a bare ``"n1,n2,…"`` is accepted too.
    """
    text = value.strip()
    if text.isdigit() and len(text) <= _PLAIN_CREDENTIAL_MAX:
        return text
    listing = text
    if "," not in text:
        try:
            listing = base64.b64decode(text, validate=True).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError) as err:
            raise KeyMaterialError("credential is neither digits nor Base64") from err
    try:
        raw = bytes(int(part) & 0xFF for part in listing.split(","))
        plain = xor_decode_standalone(raw).decode("ascii")
    except (ValueError, DecryptError) as err:
        raise KeyMaterialError("credential list is malformed") from err
    if not plain.isdigit():
        raise KeyMaterialError("decoded credential is not all digits")
    return plain


def encode_credential(digits: str, seed: int | None = None) -> str:
    """Encode digits the way the SDK stores them in ``lockData`` (Java signed bytes)."""
    if not digits.isdigit():
        raise KeyMaterialError("credentials are strings of digits")
    chosen = seed if seed is not None else 1 + secrets.randbelow(0x7F)
    encoded = xor_encode_standalone(digits.encode("ascii"), chosen)
    listing = ",".join(str(byte - 256 if byte > 0x7F else byte) for byte in encoded)
    return base64.b64encode(listing.encode("ascii")).decode("ascii")


def mac_to_bytes(mac: str) -> bytes:
    """``AA:BB:CC:DD:EE:FF`` (or ``-``/no separators) → 6 bytes in written order."""
    cleaned = mac.replace(":", "").replace("-", "")
    try:
        raw = bytes.fromhex(cleaned)
    except ValueError as err:
        raise KeyMaterialError(f"not a MAC address: {mac!r}") from err
    if len(raw) != MAC_LENGTH:
        raise KeyMaterialError(f"not a MAC address: {mac!r}")
    return raw


def mac_from_bytes(raw: bytes) -> str:
    """6 bytes → ``AA:BB:CC:DD:EE:FF``."""
    return ":".join(f"{byte:02X}" for byte in raw)


def _lock_data_key(mac_bytes: bytes) -> bytes:
    text = mac_from_bytes(mac_bytes)
    # docs/ble.md §4.5: the 17-character MAC string minus its character at index 9 = 16 bytes.
    return (text[:9] + text[10:]).encode("ascii")


def decode_lock_data(lock_data: str) -> dict[str, Any]:
    """Decrypt ``lockData`` to its JSON object (docs/ble.md §4.5)."""
    try:
        raw = base64.b64decode(lock_data.strip(), validate=False)
    except (binascii.Error, ValueError) as err:
        raise KeyMaterialError("lockData is not Base64") from err
    if len(raw) <= MAC_LENGTH:
        raise KeyMaterialError("lockData is too short")
    try:
        plain = aes_decrypt(_lock_data_key(raw[-MAC_LENGTH:]), raw[:-MAC_LENGTH])
        parsed = json.loads(plain.decode("utf-8"))
    except (DecryptError, UnicodeDecodeError, ValueError) as err:
        raise KeyMaterialError("lockData does not decrypt to JSON") from err
    if not isinstance(parsed, dict):
        raise KeyMaterialError("lockData JSON is not an object")
    return parsed


def encode_lock_data(data: Mapping[str, Any]) -> str:
    """Encrypt a LockData JSON object; ``lockMac`` is required (docs/ble.md §4.5)."""
    mac = data.get("lockMac")
    if not isinstance(mac, str):
        raise KeyMaterialError("lockData needs lockMac")
    mac_bytes = mac_to_bytes(mac)
    text = json.dumps(dict(data), separators=(",", ":"))
    cipher = aes_encrypt(_lock_data_key(mac_bytes), text.encode("utf-8"))
    return base64.b64encode(cipher + mac_bytes).decode("ascii")


def parse_lock_data(lock_data: str) -> LockKeys:
    """Keys from a cloud / SDK ``lockData`` string."""
    return LockKeys.from_lock_data_json(decode_lock_data(lock_data))
