"""Weak-code policy for generated keypad codes."""

from dataclasses import dataclass, field
from functools import lru_cache

from . import _twin
from .errors import CodegenError, CodegenTypeError

# Frequently chosen PINs (public PIN-frequency studies, keypad shapes, Chinese "lucky" and
# "love" numbers, which matter for TTLock's home market). Many of them are also caught by the
# structural rules; this list stands on its own so ``reject_common`` works alone.
_COMMON_4 = """
0000 0001 0007 0011 0069 0070 0101 0102 0110 0123 0258 0420 0520 0707 0808 0852 0909 0911
0987 1000 1001 1004 1010 1020 1022 1029 1100 1111 1112 1122 1123 1200 1212 1221 1222 1230
1234 1236 1245 1256 1313 1314 1324 1331 1357 1379 1397 1414 1470 1478 1515 1590 1818 1969
1984 1987 1990 1999 2000 2001 2002 2020 2112 2121 2222 2323 2345 2468 2525 2580 2684 3131
3214 3333 3456 3579 3690 4040 4200 4321 4444 4545 4567 5000 5050 5150 5201 5555 5678 6666
6789 6969 6996 7410 7531 7777 7890 8008 8080 8520 8888 9090 9632 9630 9876 9999
"""
_COMMON_5 = "00000 11111 12321 12345 13579 54321 55555 88888 99999 11223 52013"
_COMMON_6 = """
000000 007007 010203 100200 101010 102030 110110 111111 112211 112233 121212 123000
123123 123321 123456 123654 123789 131313 135246 135790 142536 147258 147369 147852
159357 159753 168168 202020 222222 232323 246246 246810 252525 258369 321321 333333
369369 444444 456789 518518 520131 520520 521521 555555 654123 654321 666666 666888
696969 741852 777777 778899 789123 789456 852456 888888 963852 987654 998877 999999
"""
_COMMON_7 = "0000000 1111111 1231234 1234567 1314520 5201314 7654321 8888888"
_COMMON_8 = """
00000000 11111111 11112222 11223344 12121212 12341234 12344321 12345678 13145200
13572468 14725836 23456789 52013140 66666666 87654321 88888888 98765432
"""
_COMMON_9 = "000000000 111111111 111222333 123123123 123456789 147258369 987654321"

COMMON_PINS: frozenset[str] = frozenset(
    " ".join((_COMMON_4, _COMMON_5, _COMMON_6, _COMMON_7, _COMMON_8, _COMMON_9)).split()
)
"""Built-in list of common codes (4-9 digits) rejected by ``PinPolicy.reject_common``."""


def _valid_code(code: object) -> bool:
    return (
        isinstance(code, str)
        and _twin.MIN_LENGTH <= len(code) <= _twin.MAX_LENGTH
        and code.isascii()
        and code.isdigit()
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PinPolicy:
    """Which codes count as weak and are never generated.

    Rules (each one switchable; all on by default):

    * ``reject_repeated_digit``: one digit repeated (``1111``, ``000000``).
    * ``reject_sequences``: the whole code is an ascending or descending run of step 1;
      runs wrap around 9→0 (``1234``, ``9876``, ``7890``, ``890123``, ``0987``), because
      0 follows 9 on phone-style keypads.
    * ``reject_repeated_patterns``: the code repeats a block of 2 to length//2 digits, the
      last copy possibly cut short (``1212``, ``123123``, ``12121``, ``1231231``).
    * ``reject_common``: the code is in ``COMMON_PINS``.
    * ``reject_dates``: plausible dates, with days 1-31 checked against the month (29
      February always allowed) and four-digit years 1900-2099: 4 digits DDMM, MMDD, YYYY;
      6 digits DDMMYY, MMDDYY, YYMMDD, MMYYYY, YYYYMM; 8 digits DDMMYYYY, MMDDYYYY,
      YYYYMMDD. Codes of 5, 7 or 9 digits are never dates.
    * ``blocklist``: extra codes (4-9 digits) to reject, e.g. a house number.
    """

    reject_repeated_digit: bool = True
    reject_sequences: bool = True
    reject_repeated_patterns: bool = True
    reject_common: bool = True
    reject_dates: bool = True
    blocklist: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for name in (
            "reject_repeated_digit",
            "reject_sequences",
            "reject_repeated_patterns",
            "reject_common",
            "reject_dates",
        ):
            if not isinstance(getattr(self, name), bool):
                raise CodegenTypeError(f"PinPolicy.{name} must be a bool")
        blocklist: object = self.blocklist
        if isinstance(blocklist, str | bytes) or not isinstance(
            blocklist, frozenset | set | list | tuple
        ):
            raise CodegenTypeError("PinPolicy.blocklist must be a collection of strings")
        bad = [code for code in blocklist if not _valid_code(code)]
        if bad:
            raise CodegenError(
                f"PinPolicy.blocklist codes must be {_twin.MIN_LENGTH}-{_twin.MAX_LENGTH} "
                f"ASCII digits, got {bad[0]!r}"
            )
        object.__setattr__(self, "blocklist", frozenset(blocklist))

    @classmethod
    def permissive(cls) -> PinPolicy:
        """A policy that rejects nothing (every code is acceptable)."""
        return cls(
            reject_repeated_digit=False,
            reject_sequences=False,
            reject_repeated_patterns=False,
            reject_common=False,
            reject_dates=False,
        )


DEFAULT_POLICY = PinPolicy()


@lru_cache(maxsize=64)
def backend_args(policy: PinPolicy) -> tuple[int, tuple[str, ...]]:
    """The (flags, blocklist) pair that the backends take for ``policy``."""
    flags = (
        (_twin.FLAG_REPEATED_DIGIT if policy.reject_repeated_digit else 0)
        | (_twin.FLAG_SEQUENCE if policy.reject_sequences else 0)
        | (_twin.FLAG_PATTERN if policy.reject_repeated_patterns else 0)
        | (_twin.FLAG_DATE if policy.reject_dates else 0)
    )
    blocked = set(policy.blocklist)
    if policy.reject_common:
        blocked |= COMMON_PINS
    return flags, tuple(sorted(blocked))
