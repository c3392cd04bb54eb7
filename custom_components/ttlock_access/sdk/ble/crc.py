"""CRC-8 of TTLock frames: Dallas/Maxim CRC-8 with one altered table entry (docs/ble.md §3.3).

The frame CRC is table-driven ``crc = TABLE[crc ^ byte]`` (reflected polynomial 0x31 → 0x8C,
initial value 0, no final XOR) over every byte from the ``7F`` magic through the last data byte.
The same table keys the XOR codec (docs/ble.md §4.4).
"""

from __future__ import annotations

from collections.abc import Iterable

_POLY_REFLECTED = 0x8C
QUIRK_INDEX = 33
QUIRK_VALUE = 0x07


def _maxim_entry(index: int) -> int:
    crc = index
    for _ in range(8):
        crc = (crc >> 1) ^ _POLY_REFLECTED if crc & 1 else crc >> 1
    return crc


STANDARD_TABLE: tuple[int, ...] = tuple(_maxim_entry(i) for i in range(256))
"""The textbook CRC-8/MAXIM table (entry 33 is 0x7D)."""

# The quirk (docs/ble.md §3.3): TTLock's table, as extracted from libLockCore.so and printed by
# several peers, holds 0x07 at index 33 where CRC-8/MAXIM has 0x7D. Real locks use it in both
# directions, so a standard CRC fails on roughly one frame in seven (the "bad CRC" reports of
# docs/ble.md §10.1). Every other entry is standard.
TABLE: tuple[int, ...] = tuple(
    QUIRK_VALUE if i == QUIRK_INDEX else value for i, value in enumerate(STANDARD_TABLE)
)
"""TTLock's CRC table (also the mask table of the XOR codec)."""


def crc8(data: Iterable[int], initial: int = 0) -> int:
    """TTLock CRC-8 (quirk table) of ``data``."""
    crc = initial
    for byte in data:
        crc = TABLE[crc ^ byte]
    return crc


def crc8_standard(data: Iterable[int]) -> int:
    """Textbook CRC-8/MAXIM of ``data`` — only for diagnostics and tests (not what locks use)."""
    crc = 0
    for byte in data:
        crc = STANDARD_TABLE[crc ^ byte]
    return crc
