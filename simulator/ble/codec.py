"""Lock-side frame codec of the TTLock V3 protocol, written from ``docs/ble.md``.

Rule 5 of ``docs/architecture.md`` allows the simulated lock to reuse the client's frame codec;
it does not here.
Importing ``custom_components.ttlock_access.sdk.ble.frame`` would load the Home Assistant glue
(``custom_components/ttlock_access/__init__.py``) and the whole client package, and the
simulator imports nothing from ``custom_components`` (see :mod:`simulator`). So the lock has
its own small codec on top of :mod:`simulator.lockdata` (CRC-8 with the quirk table, AES):
two independent implementations that must agree on the wire, which the tests exercise.

Facts (``docs/ble.md``, errata ``docs/errata.md``):

* §3.1 frame: ``7F 5A | type | version | scene | group(2) | org(2) | cmd | encrypt | len |
  data | CRC | 0D 0A``; §3.2 old V2 frames have a 6-byte header (accepted, never sent).
* §3.3 CRC-8/MAXIM with table entry 33 = 0x07, over header and data (not the CRLF).
* §3.4 replies: frame command ``0x54`` (``0x19`` for the pairing key reply), encrypt byte
  ``0xAA``; pushes ``0x00``; the lock fills the header with its own values.
* §4.1 AES-128-CBC, IV = key, PKCS#7; errata E3: accept an empty payload and one padding block
  that decrypts to nothing; send an empty plaintext as zero bytes.
* §2.1 20-byte chunks; reassembly by declared length with a CRLF check at the computed end
  (errata E9). The firmware only processes a write once the CRLF has arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ..lockdata import crc8

__all__ = [
    "CHUNK_SIZE",
    "CRLF",
    "DEFAULT_AES_KEY",
    "ENCRYPT_APP",
    "ENCRYPT_PUSH",
    "MAGIC",
    "RESPONSE_COMMAND",
    "CodecError",
    "Header",
    "IncomingFrame",
    "RequestAssembler",
    "aes_decrypt",
    "aes_encrypt",
    "build_frame",
    "chunks",
    "parse_frame",
]

MAGIC = b"\x7f\x5a"
CRLF = b"\r\n"
CHUNK_SIZE = 20
NEW_HEADER = 12
OLD_HEADER = 6
ENCRYPT_APP = 0xAA
ENCRYPT_PUSH = 0x00
RESPONSE_COMMAND = 0x54
DEFAULT_AES_KEY = bytes.fromhex("987623e8a923a1bb3d9e7d0378124588")
"""Factory key (§4.2): only ``0x19`` GET_AES_KEY and its reply use it."""


class CodecError(ValueError):
    """Bytes that are not a frame the lock can process (bad CRC, truncated, bad cipher)."""


@dataclass(frozen=True, slots=True)
class Header:
    """The lock's ``lockVersion`` as it appears in a frame header (§3.1)."""

    protocol_type: int = 5
    protocol_version: int = 3
    scene: int = 2
    group_id: int = 1
    org_id: int = 1

    def encode(self) -> bytes:
        """The seven header bytes after the magic."""
        return bytes((self.protocol_type, self.protocol_version, self.scene)) + (
            self.group_id.to_bytes(2, "big") + self.org_id.to_bytes(2, "big")
        )


@dataclass(frozen=True, slots=True)
class IncomingFrame:
    """A frame written by a central, still encrypted; ``raw`` is the wire form with CRLF."""

    header: Header
    command: int
    encrypt: int
    data: bytes = field(repr=False)
    raw: bytes = field(repr=False)
    crc_ok: bool = True


def aes_encrypt(key: bytes, plaintext: bytes) -> bytes:
    """AES-128-CBC(IV = key) with PKCS#7; an empty plaintext stays empty (errata E3)."""
    if not plaintext:
        return b""
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def aes_decrypt(key: bytes, ciphertext: bytes) -> bytes:
    """Inverse of :func:`aes_encrypt`; accepts a block that pads to nothing (errata E3)."""
    if not ciphertext:
        return b""
    if len(ciphertext) % 16:
        raise CodecError("ciphertext is not a whole number of AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as err:
        raise CodecError("bad padding: wrong key") from err


def build_frame(
    header: Header,
    command: int,
    encrypt: int,
    data: bytes,
    *,
    corrupt_crc: bool = False,
) -> bytes:
    """Wire bytes of a new-format frame; ``corrupt_crc`` flips the CRC (fault injection)."""
    if len(data) > 0xFF:
        raise CodecError("frame data is at most 255 bytes")
    body = MAGIC + header.encode() + bytes((command, encrypt, len(data))) + data
    crc = crc8(body)
    if corrupt_crc:
        crc ^= 0xFF
    return body + bytes((crc,)) + CRLF


def chunks(raw: bytes, size: int = CHUNK_SIZE) -> list[bytes]:
    """``raw`` in notification-sized pieces, in order (§2.1)."""
    return [raw[index : index + size] for index in range(0, len(raw), size)]


def _frame_length(prefix: bytes) -> int | None:
    if len(prefix) < 3:
        return None
    header = NEW_HEADER if prefix[2] >= 5 or prefix[2] == 0 else OLD_HEADER
    if len(prefix) < header:
        return None
    return header + prefix[header - 1] + 1 + len(CRLF)


def parse_frame(raw: bytes) -> IncomingFrame:
    """Split one complete frame (CRLF included); a CRC mismatch is reported, not raised."""
    total = _frame_length(raw)
    if raw[:2] != MAGIC or total is None or len(raw) != total or raw[-2:] != CRLF:
        raise CodecError("not a complete frame")
    body, crc = raw[:-3], raw[-3]
    if body[2] >= 5 or body[2] == 0:
        header = Header(
            body[2],
            body[3],
            body[4],
            int.from_bytes(body[5:7], "big"),
            int.from_bytes(body[7:9], "big"),
        )
        command, encrypt, data = body[9], body[10], body[NEW_HEADER:]
    else:
        header = Header(body[2], 0, 0, 0, 0)
        command, encrypt, data = body[3], body[4], body[OLD_HEADER:]
    return IncomingFrame(header, command, encrypt, bytes(data), bytes(raw), crc8(body) == crc)


class RequestAssembler:
    """Collects GATT writes into frames, as the lock firmware does (§2.1, errata E9).

    A frame is complete when its declared length has arrived *and* ends with CRLF; without
    the CRLF the bytes stay buffered (the firmware "never processes" such a write). Bytes
    before a ``7F 5A`` are dropped; a candidate whose computed end is not CRLF is treated as
    noise and the search resumes after its magic.
    """

    def __init__(self, max_buffer: int = 2048) -> None:
        self._buffer = bytearray()
        self._max_buffer = max_buffer

    def __len__(self) -> int:
        return len(self._buffer)

    def reset(self) -> None:
        """Forget buffered bytes (link dropped)."""
        self._buffer.clear()

    def feed(self, data: bytes) -> list[bytes]:
        """Buffer ``data``; return the raw frames it completes."""
        self._buffer += data
        if len(self._buffer) > self._max_buffer:
            del self._buffer[: len(self._buffer) - self._max_buffer]
        frames: list[bytes] = []
        while True:
            start = self._buffer.find(MAGIC)
            if start < 0:
                keep = 1 if self._buffer[-1:] == MAGIC[:1] else 0
                del self._buffer[: len(self._buffer) - keep]
                return frames
            del self._buffer[:start]
            total = _frame_length(bytes(self._buffer[:NEW_HEADER]))
            if total is None or total > len(self._buffer):
                return frames
            if self._buffer[total - 2 : total] != CRLF:
                del self._buffer[:2]
                continue
            frames.append(bytes(self._buffer[:total]))
            del self._buffer[:total]
