"""Frame codec of the TTLock Bluetooth protocol, for both ends of the link.

* :class:`Frame` — a "new agreement" frame (docs/ble.md §3.1) or an old V2 frame (§3.2), with
  :meth:`Frame.encode` / :func:`decode_frame` (CRC-8 with the quirk table, §3.3) and CRLF.
* :func:`seal` / :func:`open_payload` — payload protection per protocol generation
  (AES-128-CBC IV = key for V2S+/V3, the XOR codec for older ones; docs/ble.md §3.6, §4).
* :func:`chunk` — 20-byte writes (§2.1); :class:`FrameAssembler` — length-based reassembly of
  notification chunks with CRLF-checked resynchronisation (§2.1, docs/errata.md E9).

Nothing here knows command semantics, so the simulated lock can reuse it (docs/architecture.md rule
5):
lock-side frames are built with ``command=RESPONSE_COMMAND`` and the lock's own header.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .crc import crc8
from .crypto import aes_decrypt, aes_encrypt, xor_frame_codec
from .errors import CrcError, EncodeError, FrameError

MAGIC = b"\x7f\x5a"
CRLF = b"\r\n"
NEW_HEADER_LENGTH = 12
OLD_HEADER_LENGTH = 6
MAX_DATA_LENGTH = 0xFF
MAX_FRAME_LENGTH = NEW_HEADER_LENGTH + MAX_DATA_LENGTH + 1 + len(CRLF)
CHUNK_SIZE = 20
"""Bytes per GATT write / notification (docs/ble.md §2.1)."""

ENCRYPT_APP = 0xAA
"""``encrypt`` byte of app→lock frames and of lock replies (docs/ble.md §3.1, §3.4)."""
ENCRYPT_PUSH = 0x00
"""``encrypt`` byte the lock puts on unsolicited pushes (docs/ble.md §3.4)."""
RESPONSE_COMMAND = 0x54
"""Frame command byte of every lock→app reply ('T'); the real command is the echo byte."""


def is_new_format(protocol_type: int) -> bool:
    """Whether frames of ``protocol_type`` use the 12-byte header (docs/ble.md §3.1–§3.2).

    Types ≥ 5 do; KJS and BAZ also treat type 0 as the new format (docs/ble.md §3.2).
    """
    return protocol_type >= 5 or protocol_type == 0


def uses_aes(protocol_type: int, protocol_version: int) -> bool:
    """Whether payloads of this generation are AES (V2S_PLUS 5.4, V3 5.3 and unknown new ones).

    V2 (type 3), V2S (5.1), car (10.x) and mobi (11.x) use the XOR codec (docs/ble.md §3.6).
    """
    if not is_new_format(protocol_type):
        return False
    if protocol_type == 5:
        return protocol_version != 1
    return protocol_type not in (10, 11)


@dataclass(frozen=True, slots=True)
class ProtocolHeader:
    """Header fields of a frame: the lock's ``lockVersion`` (docs/ble.md §3.1, §3.5).

    The defaults are the client's fall-back send header ``05 03 02 0001 0001`` (docs/errata.md E2).
    Old V2 frames carry only ``protocol_type``; the other fields are then ignored.
    """

    protocol_type: int = 5
    protocol_version: int = 3
    scene: int = 2
    group_id: int = 1
    org_id: int = 1

    @property
    def is_new_format(self) -> bool:
        """12-byte header (True) or 6-byte V2 header (False)."""
        return is_new_format(self.protocol_type)

    @property
    def uses_aes(self) -> bool:
        """Whether payloads are AES-128-CBC (else the XOR codec)."""
        return uses_aes(self.protocol_type, self.protocol_version)


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame as it travels on the link; ``data`` is the *protected* payload.

    ``repr`` shows only lengths: the payload of a decrypted frame may be a secret.
    """

    header: ProtocolHeader
    command: int
    encrypt: int
    data: bytes = field(repr=False)

    def encode(self) -> bytes:
        """Wire bytes: header ‖ data ‖ CRC-8 ‖ CRLF (docs/ble.md §3.1–§3.3)."""
        h = self.header
        values = {"command": self.command, "encrypt": self.encrypt}
        values |= {"protocol_type": h.protocol_type}
        if h.is_new_format:
            values |= {"protocol_version": h.protocol_version, "scene": h.scene}
        for name, value in values.items():
            if not 0 <= value <= 0xFF:
                raise EncodeError(f"{name} must be one byte, got {value}")
        if len(self.data) > MAX_DATA_LENGTH:
            raise EncodeError(f"frame data is at most 255 bytes, got {len(self.data)}")
        if h.is_new_format:
            for name, value in (("group_id", h.group_id), ("org_id", h.org_id)):
                if not 0 <= value <= 0xFFFF:
                    raise EncodeError(f"{name} must fit two bytes, got {value}")
            head = bytes(
                (
                    *MAGIC,
                    h.protocol_type,
                    h.protocol_version,
                    h.scene,
                    *h.group_id.to_bytes(2, "big"),
                    *h.org_id.to_bytes(2, "big"),
                    self.command,
                    self.encrypt,
                    len(self.data),
                )
            )
        else:
            head = bytes((*MAGIC, h.protocol_type, self.command, self.encrypt, len(self.data)))
        body = head + self.data
        return body + bytes((crc8(body),)) + CRLF

    def chunks(self, size: int = CHUNK_SIZE) -> list[bytes]:
        """The encoded frame split into GATT writes of ``size`` bytes (docs/ble.md §2.1)."""
        return chunk(self.encode(), size)


def chunk(raw: bytes, size: int = CHUNK_SIZE) -> list[bytes]:
    """Split ``raw`` into pieces of at most ``size`` bytes, in order."""
    if size < 1:
        raise EncodeError("chunk size must be positive")
    return [raw[i : i + size] for i in range(0, len(raw), size)]


def frame_length(prefix: bytes) -> int | None:
    """Total wire length (CRLF included) of the frame starting ``prefix``, if known yet.

    ``prefix`` must start with the magic bytes; returns None while the length byte is missing.
    """
    if len(prefix) < 3:
        return None
    header_length = NEW_HEADER_LENGTH if is_new_format(prefix[2]) else OLD_HEADER_LENGTH
    if len(prefix) < header_length:
        return None
    return header_length + prefix[header_length - 1] + 1 + len(CRLF)


def decode_frame(raw: bytes) -> Frame:
    """Parse one frame, with or without its CRLF terminator.

    Raises :class:`FrameError` for structural problems and :class:`CrcError` for a CRC
    mismatch — and nothing else, whatever ``raw`` holds.
    """
    raw = bytes(raw)
    if raw[:2] != MAGIC:
        raise FrameError("frame does not start with 7F 5A")
    total = frame_length(raw)
    if total is None:
        raise FrameError(f"frame too short for its header ({len(raw)} bytes)")
    if len(raw) == total:
        if raw[-2:] != CRLF:
            raise FrameError("frame does not end with CRLF")
        raw = raw[:-2]
    elif len(raw) != total - len(CRLF):
        raise FrameError(f"frame length {len(raw)} does not match its length byte ({total})")
    body, actual = raw[:-1], raw[-1]
    expected = crc8(body)
    if expected != actual:
        raise CrcError(expected, actual)
    if is_new_format(body[2]):
        header = ProtocolHeader(
            protocol_type=body[2],
            protocol_version=body[3],
            scene=body[4],
            group_id=int.from_bytes(body[5:7], "big"),
            org_id=int.from_bytes(body[7:9], "big"),
        )
        return Frame(header, body[9], body[10], body[NEW_HEADER_LENGTH:])
    header = ProtocolHeader(
        protocol_type=body[2], protocol_version=0, scene=0, group_id=0, org_id=0
    )
    return Frame(header, body[3], body[4], body[OLD_HEADER_LENGTH:])


def seal(
    header: ProtocolHeader,
    command: int,
    plaintext: bytes,
    key: bytes | None,
    *,
    encrypt: int = ENCRYPT_APP,
) -> Frame:
    """Build a frame, protecting ``plaintext`` as the header's generation requires.

    AES generations need ``key`` and ignore ``encrypt`` for the cipher; XOR generations use
    ``encrypt`` as the seed (docs/ble.md §3.6, §4.4).
    """
    if header.uses_aes:
        if key is None:
            raise EncodeError("an AES key is needed for this protocol generation")
        data = aes_encrypt(key, plaintext)
    else:
        data = xor_frame_codec(plaintext, encrypt)
    return Frame(header, command, encrypt, data)


def open_payload(frame: Frame, key: bytes | None) -> bytes:
    """The plaintext payload of ``frame`` (raises :class:`DecryptError` on failure).

    For AES generations the ``encrypt`` byte is ignored and the payload always decrypted
    (docs/errata.md E20): replies say ``AA``, pushes ``00``.
    """
    if frame.header.uses_aes:
        if key is None:
            raise EncodeError("an AES key is needed for this protocol generation")
        return aes_decrypt(key, frame.data)
    return xor_frame_codec(frame.data, frame.encrypt)


class FrameAssembler:
    """Reassembles frames from notification chunks by their declared length (docs/ble.md §2.1).

    Feed every notification to :meth:`feed` and iterate the result::

        for frame in assembler.feed(chunk):
            ...

    A candidate frame is accepted only if the byte pair at its computed end is CRLF;
    otherwise its magic is treated as noise and the search resumes two bytes later (CRLF
    inside AES ciphertext is why splitting on CRLF is wrong; docs/errata.md E9). Bytes before a
    magic
    are dropped. A complete, CRLF-terminated frame with a wrong CRC is discarded and reported
    by raising :class:`CrcError` from the iterator; later frames stay buffered, so call
    ``feed(b"")`` to continue. Nothing but :class:`~.errors.ProtocolError` subclasses is
    ever raised.
    """

    def __init__(self, max_buffer: int = 4 * MAX_FRAME_LENGTH) -> None:
        self._buffer = bytearray()
        self._max_buffer = max_buffer
        self.discarded_bytes = 0
        """Noise bytes skipped so far (for diagnostics)."""

    def __len__(self) -> int:
        """Number of bytes buffered (an incomplete frame, or frames not yet iterated)."""
        return len(self._buffer)

    def reset(self) -> None:
        """Forget buffered bytes (call on a new connection)."""
        self._buffer.clear()

    def feed(self, data: bytes) -> Iterator[Frame]:
        """Buffer ``data`` now and return an iterator over the frames it completes."""
        self._buffer += data
        overflow = len(self._buffer) - self._max_buffer
        if overflow > 0:
            del self._buffer[:overflow]
            self.discarded_bytes += overflow
        return self._drain()

    def _drop(self, count: int) -> None:
        del self._buffer[:count]
        self.discarded_bytes += count

    def _drain(self) -> Iterator[Frame]:
        while True:
            raw = self._next_raw()
            if raw is None:
                return
            yield decode_frame(raw)

    def _complete_at(self, start: int) -> bool:
        """Whether a complete frame (CRLF and CRC check out) starts at ``start``."""
        total = frame_length(bytes(self._buffer[start : start + NEW_HEADER_LENGTH]))
        if total is None or start + total > len(self._buffer):
            return False
        end = start + total
        if self._buffer[end - 2 : end] != CRLF:
            return False
        return crc8(self._buffer[start : end - 3]) == self._buffer[end - 3]

    def _next_raw(self) -> bytes | None:
        buf = self._buffer
        while True:
            start = buf.find(MAGIC)
            if start < 0:
                keep = 1 if buf[-1:] == MAGIC[:1] else 0
                self._drop(len(buf) - keep)
                return None
            if start:
                self._drop(start)
            total = frame_length(bytes(buf[:NEW_HEADER_LENGTH]))
            if total is None or total > len(buf):
                # Incomplete. If a later magic already starts a complete frame, the current
                # candidate was noise or lost a chunk: skip to that frame rather than stall.
                later = buf.find(MAGIC, 2)
                while later > 0 and not self._complete_at(later):
                    later = buf.find(MAGIC, later + 1)
                if later > 0:
                    self._drop(later)
                    continue
                return None
            if buf[total - 2 : total] != CRLF:
                self._drop(2)
                continue
            raw = bytes(buf[:total])
            del buf[:total]
            return raw
