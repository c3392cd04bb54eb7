"""Reference helpers for the BLE core tests, written independently of the code under test.

The lock side of every exchange is built here from the byte layouts of docs/ble.md with a
separate CRC implementation (bit-by-bit, docs/ble.md §3.3) and python-cryptography AES
(docs/ble.md §4.1), so that operation tests do not check the client against itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from custom_components.ttlock_access import native
from custom_components.ttlock_access.sdk.ble import (
    Done,
    Failed,
    Frame,
    FrameAssembler,
    LockKeys,
    Operation,
    ProtocolHeader,
    Step,
    Wait,
    Write,
)

KEY = bytes.fromhex("00112233445566778899aabbccddeeff")
DEFAULT_KEY = bytes.fromhex("987623e8a923a1bb3d9e7d0378124588")
LOCK_HEADER = bytes.fromhex("050302000a000c")  # 05 03 02, group 0x000A, org 0x000C (HAA #34)
CLIENT_HEADER = ProtocolHeader(5, 3, 2, 1, 1)
ADMIN_PS = 123456789
UNLOCK_KEY = 987654321
PS = 0x12345678


def keys(*, admin: bool = True, **extra: object) -> LockKeys:
    """Key material of a paired test lock."""
    return LockKeys(
        aes_key=KEY,
        unlock_key=UNLOCK_KEY,
        admin_ps=ADMIN_PS if admin else None,
        **extra,  # type: ignore[arg-type]
    )


def ref_crc(data: bytes) -> int:
    """CRC-8/MAXIM bit by bit; then the TTLock quirk: table entry 33 is 0x07 (§3.3).

    Bitwise evaluation equals TABLE[crc ^ byte] per byte; emulate the table lookup so the
    altered entry applies.
    """

    def entry(index: int) -> int:
        if index == 33:
            return 0x07
        value = index
        for _ in range(8):
            value = (value >> 1) ^ 0x8C if value & 1 else value >> 1
        return value

    crc = 0
    for byte in data:
        crc = entry(crc ^ byte)
    return crc


def ref_encrypt(key: bytes, plaintext: bytes) -> bytes:
    """AES-128-CBC, IV = key, PKCS#7; empty stays empty (§4.1)."""
    if not plaintext:
        return b""
    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(key)).encryptor()
    return enc.update(data) + enc.finalize()


def ref_decrypt(key: bytes, ciphertext: bytes) -> bytes:
    """Inverse of :func:`ref_encrypt`."""
    if not ciphertext:
        return b""
    dec = Cipher(algorithms.AES(key), modes.CBC(key)).decryptor()
    data = dec.update(ciphertext) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(data) + unpadder.finalize()


def lock_wire(
    plaintext: bytes | str,
    *,
    key: bytes = KEY,
    command: int = 0x54,
    encrypt: int = 0xAA,
    header: bytes = LOCK_HEADER,
) -> bytes:
    """A lock→app frame on the wire (docs/ble.md §3.1, §3.4): header, AES data, CRC, CRLF."""
    if isinstance(plaintext, str):
        plaintext = bytes.fromhex(plaintext)
    data = ref_encrypt(key, plaintext)
    body = b"\x7f\x5a" + header + bytes((command, encrypt, len(data))) + data
    return body + bytes((ref_crc(body),)) + b"\r\n"


def notifications(wire: bytes) -> list[bytes]:
    """Split as the lock notifies: 20-byte pieces (docs/ble.md §2.1)."""
    return [wire[i : i + 20] for i in range(0, len(wire), 20)]


def frames_of(wire: bytes) -> list[Frame]:
    """Reassemble ``wire`` through a fresh FrameAssembler, 20 bytes at a time."""
    assembler = FrameAssembler()
    out: list[Frame] = []
    for piece in notifications(wire):
        out.extend(assembler.feed(piece))
    return out


def reply[T](op: Operation[T], plaintext: bytes | str, **kwargs: object) -> Step[T]:
    """Deliver one lock frame to ``op`` and return its step."""
    (frame,) = frames_of(lock_wire(plaintext, **kwargs))  # type: ignore[arg-type]
    return op.receive(frame)


def request(step: object, key: bytes = KEY) -> tuple[int, bytes]:
    """Check a Write step like a lock would and return (command, plaintext)."""
    assert isinstance(step, Write), step
    assert all(len(piece) <= 20 for piece in step.chunks)
    wire = b"".join(step.chunks)
    assert wire[:2] == b"\x7f\x5a"
    assert wire[-2:] == b"\r\n"
    body, crc = wire[:-3], wire[-3]
    assert ref_crc(body) == crc
    assert body[11] == len(body) - 12
    assert body[10] == 0xAA
    assert body[9] == step.command
    return body[9], ref_decrypt(key, body[12:])


def done(step: object) -> object:
    """The result of a Done step."""
    assert isinstance(step, Done), step
    return step.result


def failed(step: object) -> BaseException:
    """The error of a Failed step."""
    assert isinstance(step, Failed), step
    return step.error


def waiting(step: object) -> Wait:
    """A Wait step."""
    assert isinstance(step, Wait), step
    return step


def admin_login[T](op: Operation[T], step: Step[T], flag_pos: int = 0, uid: int = 0) -> Step[T]:
    """Play the lock's side of CHECK_ADMIN → CHECK_RANDOM (docs/errata.md E1)."""
    command, body = request(step)
    assert command == 0x41
    assert body == (
        ADMIN_PS.to_bytes(4, "big") + flag_pos.to_bytes(3, "big") + uid.to_bytes(4, "big")
    )
    step = reply(op, "4101" + f"{PS:08x}")
    command, body = request(step)
    assert command == 0x30
    assert body == ((PS + UNLOCK_KEY) % 2**32).to_bytes(4, "big")
    return reply(op, "3001")


@dataclass(frozen=True, slots=True)
class NativeTable:
    """INIT_PASSWORDS tables in the shape ``Pair`` expects (its ``PasscodeTable`` protocol)."""

    payload: bytes = field(repr=False)
    pwd_info: str = field(repr=False)
    timestamp_ms: int


def native_table(now: datetime, seed: int | None = None) -> NativeTable:
    """Tables from the native generator for ``now``'s year (docs/ble.md §8.1–§8.2), the way
    Home Assistant builds them when it pairs (``ble.native_passcode_table``)."""
    tables = native.generate_pairing_tables(now.year, seed)
    stamp = int(now.timestamp() * 1000)
    return NativeTable(
        payload=native.pack_init_passwords(tables),
        pwd_info=native.encode_pwd_info(tables, stamp),
        timestamp_ms=stamp,
    )
