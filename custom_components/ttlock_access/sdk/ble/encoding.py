"""Byte-level helpers for command payloads: integers, decimal-byte dates, a safe reader.

Dates inside payloads are *decimal-valued* bytes in the lock's local wall time — 2026 is
``26`` = ``0x1A``, not BCD (docs/ble.md §5.0; docs/errata.md E4, E14). ``d5`` = ``yy MM dd HH mm``,
``d6`` = ``d5 ss``.
"""

from __future__ import annotations

from datetime import datetime

from .errors import EncodeError, PayloadError

PERMANENT_START = datetime(2000, 1, 31, 14, 0)
"""Start of the "permanent" window: ``00 01 1f 0e 00`` (docs/ble.md §5.0, docs/errata.md E4
"send")."""
PERMANENT_END = datetime(2099, 11, 30, 14, 0)
"""End of the "permanent" window: ``63 0b 1e 0e 00``."""


def u16(value: int) -> bytes:
    """Two bytes, big-endian (raises :class:`EncodeError` when out of range)."""
    return _uint(value, 2)


def u32(value: int) -> bytes:
    """Four bytes, big-endian."""
    return _uint(value, 4)


def _uint(value: int, size: int) -> bytes:
    if not 0 <= value < 1 << (8 * size):
        raise EncodeError(f"{value} does not fit in {size} unsigned bytes")
    return value.to_bytes(size, "big")


def _check_year(moment: datetime) -> None:
    if not 2000 <= moment.year <= 2099:
        raise EncodeError(f"the lock stores years 2000-2099 only, got {moment.year}")


def encode_d5(moment: datetime) -> bytes:
    """``yy MM dd HH mm`` of ``moment``'s wall-clock fields (any tzinfo is ignored)."""
    _check_year(moment)
    return bytes((moment.year % 100, moment.month, moment.day, moment.hour, moment.minute))


def encode_d6(moment: datetime) -> bytes:
    """``yy MM dd HH mm ss`` of ``moment``'s wall-clock fields."""
    return encode_d5(moment) + bytes((moment.second,))


def decode_date(fields: bytes) -> datetime | None:
    """Naive lock-local datetime from d5/d6 bytes, or None if they are not a real date."""
    if len(fields) not in (5, 6):
        raise PayloadError(f"a date has 5 or 6 bytes, got {len(fields)}")
    second = fields[5] if len(fields) == 6 else 0
    try:
        return datetime(2000 + fields[0], fields[1], fields[2], fields[3], fields[4], second)
    except ValueError:
        return None


class Reader:
    """Sequential reader over a payload that raises :class:`PayloadError` when it runs short."""

    __slots__ = ("_data", "_pos", "what")

    def __init__(self, data: bytes, what: str = "payload") -> None:
        self._data = bytes(data)
        self._pos = 0
        self.what = what

    @property
    def remaining(self) -> int:
        """Bytes not yet read."""
        return len(self._data) - self._pos

    def take(self, count: int) -> bytes:
        """The next ``count`` bytes."""
        if count < 0 or count > self.remaining:
            raise PayloadError(
                f"{self.what}: needed {count} more bytes at offset {self._pos}, "
                f"have {self.remaining}"
            )
        chunk = self._data[self._pos : self._pos + count]
        self._pos += count
        return chunk

    def rest(self) -> bytes:
        """Everything not yet read."""
        return self.take(self.remaining)

    def u8(self) -> int:
        """One unsigned byte."""
        return self.take(1)[0]

    def u16(self) -> int:
        """Two bytes, big-endian."""
        return int.from_bytes(self.take(2), "big")

    def u32(self) -> int:
        """Four bytes, big-endian."""
        return int.from_bytes(self.take(4), "big")

    def uint(self, size: int) -> int:
        """``size`` bytes, big-endian."""
        return int.from_bytes(self.take(size), "big")

    def d5(self) -> datetime | None:
        """A ``yy MM dd HH mm`` date (None if not a real date)."""
        return decode_date(self.take(5))

    def d6(self) -> datetime | None:
        """A ``yy MM dd HH mm ss`` date (None if not a real date)."""
        return decode_date(self.take(6))

    def lv_text(self) -> str:
        """A length-prefixed ASCII string (passcodes in lists and logs)."""
        return ascii_text(self.take(self.u8()))


def ascii_text(raw: bytes) -> str:
    """Decode bytes the lock sends as text; non-ASCII bytes become U+FFFD, never an error."""
    return raw.decode("ascii", errors="replace")
