"""Type stub for the C extension built from _codegen.c (see _twin.py for the algorithm)."""

from collections.abc import Sequence
from typing import Final

API_VERSION: Final[int]
MIN_LENGTH: Final[int]
MAX_LENGTH: Final[int]
MAX_COUNT: Final[int]
MAX_CONSECUTIVE_REJECTIONS: Final[int]
ENUM_MAX_LENGTH: Final[int]
PAIRING_ENTRIES: Final[int]
PAIRING_CODE_LIMIT: Final[int]
FLAG_REPEATED_DIGIT: Final[int]
FLAG_SEQUENCE: Final[int]
FLAG_PATTERN: Final[int]
FLAG_DATE: Final[int]
FLAGS_ALL: Final[int]

def generate(
    count: int,
    length: int,
    existing: Sequence[str],
    flags: int,
    blocklist: Sequence[str],
    seed: int | None,
    /,
) -> list[str]: ...
def generate_bulk(
    holders: Sequence[Sequence[int]],
    length: int,
    existing_by_lock: Sequence[Sequence[str]],
    flags: int,
    blocklist: Sequence[str],
    seed: int | None,
    /,
) -> list[str]: ...
def is_weak(code: str, flags: int, blocklist: Sequence[str], /) -> bool: ...
def pairing_tables(seed: int | None, /) -> list[tuple[int, int]]: ...
def random_words(seed: int, count: int, /) -> list[int]: ...
