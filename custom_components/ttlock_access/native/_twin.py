"""Pure-Python twin of the ``_codegen`` C extension.

This module is the reference implementation: the C extension must return exactly what this
module returns for the same arguments and seed (``tests/native`` checks it on thousands of
inputs). It is the backend whenever the extension is not built (HACS installs have no
compiler). It is a *backend*: callers go through the validating wrappers in ``_api``; the
functions here only check what they need to stay safe.

Algorithm (shared with ``_codegen.c``; change both or neither, and bump ``API_VERSION``):

* Random numbers: ``seed is None`` → the OS CSPRNG. Otherwise xoshiro256** whose four state
  words are the first four outputs of SplitMix64 started at ``seed`` (0 ≤ seed < 2**64).
* ``below(n)``: draw a 64-bit word ``r``; reject it while ``r < 2**64 mod n``; return
  ``r mod n``. The accepted range holds a whole multiple of ``n`` words → no modulo bias.
* A candidate is ``below(10**length)`` written with leading zeros. It is accepted when it is
  not weak, not in the blocklist, and no window (substring of ≥ 4 digits) of it is a "taken"
  code of the lock(s) concerned. Taken codes of a lock: every existing code no longer than
  ``length``, every ``length``-digit window of a longer existing code, and every code already
  generated for that lock. (TTLock keypads ignore digits typed around a code, so a code that
  contains another one opens with it.)
* After ``MAX_CONSECUTIVE_REJECTIONS`` rejected candidates in a row: for
  ``length ≤ ENUM_MAX_LENGTH`` the free codes are listed in ascending order and the rest is
  drawn from that list (``generate``: a partial Fisher-Yates shuffle, ``j = i + below(n-i)``;
  ``generate_bulk``: ``list[below(n)]`` for that holder only); an empty or too short list
  raises ``ValueError``. Longer codes raise ``ValueError`` right away.
"""

import os
from collections.abc import Sequence

API_VERSION = 1
MIN_LENGTH = 4
MAX_LENGTH = 9
MAX_COUNT = 1_000_000
MAX_CONSECUTIVE_REJECTIONS = 4096
ENUM_MAX_LENGTH = 6
PAIRING_ENTRIES = 10
PAIRING_CODE_LIMIT = 1071  # docs/ble.md §8.1: 0 ≤ code < 1071
FLAG_REPEATED_DIGIT = 1
FLAG_SEQUENCE = 2
FLAG_PATTERN = 4
FLAG_DATE = 8
FLAGS_ALL = FLAG_REPEATED_DIGIT | FLAG_SEQUENCE | FLAG_PATTERN | FLAG_DATE

_MASK64 = (1 << 64) - 1
_TWO64 = 1 << 64
_MAX_PAIRING_TRIES = 1000
# Days per month; February allows the 29th (the century of a 2-digit year is unknown).
_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


# --------------------------------------------------------------------------- random numbers


class _SeededRng:
    """xoshiro256** seeded through SplitMix64."""

    __slots__ = ("_s0", "_s1", "_s2", "_s3")

    def __init__(self, seed: int) -> None:
        state = []
        x = seed
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & _MASK64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
            state.append(z ^ (z >> 31))
        self._s0, self._s1, self._s2, self._s3 = state

    def next64(self) -> int:
        s0, s1, s2, s3 = self._s0, self._s1, self._s2, self._s3
        r = (s1 * 5) & _MASK64
        result = ((((r << 7) | (r >> 57)) & _MASK64) * 9) & _MASK64
        t = (s1 << 17) & _MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & _MASK64
        self._s0, self._s1, self._s2, self._s3 = s0, s1, s2, s3
        return result


class _SystemRng:
    """64-bit words from the OS CSPRNG (``os.urandom``), read 256 bytes at a time."""

    __slots__ = ("_buf", "_pos")

    def __init__(self) -> None:
        self._buf = b""
        self._pos = 0

    def next64(self) -> int:
        if self._pos >= len(self._buf):
            self._buf = os.urandom(256)
            self._pos = 0
        word = int.from_bytes(self._buf[self._pos : self._pos + 8], "little")
        self._pos += 8
        return word


type _Rng = _SeededRng | _SystemRng


def _make_rng(seed: int | None) -> _Rng:
    if seed is None:
        return _SystemRng()
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= _MASK64:
        raise ValueError("seed must be None or an int with 0 <= seed < 2**64")
    return _SeededRng(seed)


def _below(rng: _Rng, n: int) -> int:
    """Uniform integer in [0, n) by rejection (no modulo bias)."""
    threshold = _TWO64 % n
    while True:
        r = rng.next64()
        if r >= threshold:
            return r % n


def random_words(seed: int, count: int) -> list[int]:
    """The first ``count`` 64-bit outputs of the seeded generator (for cross-checks)."""
    if seed is None or not isinstance(count, int) or count < 0:
        raise ValueError("need an int seed and count >= 0")
    rng = _make_rng(seed)
    return [rng.next64() for _ in range(count)]


# --------------------------------------------------------------------------- weak codes


def _valid_day_month(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month]


def _year(y: int) -> bool:
    return 1900 <= y <= 2099


def _is_date(s: str) -> bool:
    n = len(s)
    if n == 4:  # DDMM, MMDD, YYYY
        a, b = int(s[0:2]), int(s[2:4])
        return _valid_day_month(a, b) or _valid_day_month(b, a) or _year(int(s))
    if n == 6:  # DDMMYY, MMDDYY, YYMMDD, MMYYYY, YYYYMM
        a, b, c = int(s[0:2]), int(s[2:4]), int(s[4:6])
        return (
            _valid_day_month(a, b)
            or _valid_day_month(b, a)
            or _valid_day_month(c, b)
            or (1 <= a <= 12 and _year(int(s[2:6])))
            or (_year(int(s[0:4])) and 1 <= c <= 12)
        )
    if n == 8:  # DDMMYYYY, MMDDYYYY, YYYYMMDD
        a, b = int(s[0:2]), int(s[2:4])
        c, d = int(s[4:6]), int(s[6:8])
        return (_year(int(s[4:8])) and (_valid_day_month(a, b) or _valid_day_month(b, a))) or (
            _year(int(s[0:4])) and _valid_day_month(d, c)
        )
    return False


def _is_weak_structure(s: str, flags: int) -> bool:
    n = len(s)
    if flags & FLAG_REPEATED_DIGIT and s.count(s[0]) == n:
        return True
    if flags & FLAG_SEQUENCE:
        step = (ord(s[1]) - ord(s[0])) % 10
        # Runs wrap around (7890, 0987): 0 follows 9 on phone-style keypads.
        if step in (1, 9) and all(
            (ord(s[i + 1]) - ord(s[i])) % 10 == step for i in range(1, n - 1)
        ):
            return True
    if flags & FLAG_PATTERN:
        for p in range(2, n // 2 + 1):
            if s[p:] == s[:-p]:  # period p: 1212, 123123, 12121
                return True
    return bool(flags & FLAG_DATE) and _is_date(s)


# --------------------------------------------------------------------------- input parsing


def _check_code(code: object, what: str) -> str:
    if (
        not isinstance(code, str)
        or not MIN_LENGTH <= len(code) <= MAX_LENGTH
        or not code.isascii()
        or not code.isdigit()
    ):
        raise ValueError(
            f"{what} must be a string of {MIN_LENGTH}-{MAX_LENGTH} ASCII digits, got {code!r}"
        )
    return code


def _check_length(length: object) -> int:
    if not isinstance(length, int) or not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(f"length must be an int from {MIN_LENGTH} to {MAX_LENGTH}")
    return length


def _blocked_set(blocklist: Sequence[str], length: int) -> frozenset[str]:
    codes = [_check_code(code, "blocklist code") for code in blocklist]
    return frozenset(code for code in codes if len(code) == length)


def _taken_set(existing: Sequence[str], length: int) -> set[str]:
    taken: set[str] = set()
    for item in existing:
        code = _check_code(item, "existing code")
        if len(code) <= length:
            taken.add(code)
        else:
            taken.update(code[i : i + length] for i in range(len(code) - length + 1))
    return taken


def _conflicts(taken: set[str], s: str, n: int) -> bool:
    for i in range(n - MIN_LENGTH + 1):
        for j in range(i + MIN_LENGTH, n + 1):
            if s[i:j] in taken:
                return True
    return False


class _Checker:
    __slots__ = ("blocked", "flags", "length")

    def __init__(self, length: int, flags: int, blocklist: Sequence[str]) -> None:
        self.length = length
        self.flags = flags
        self.blocked = _blocked_set(blocklist, length)

    def free(self, s: str, locks: Sequence[set[str]]) -> bool:
        if self.flags and _is_weak_structure(s, self.flags):
            return False
        if s in self.blocked:
            return False
        return not any(_conflicts(taken, s, self.length) for taken in locks)

    def enumerate_free(self, locks: Sequence[set[str]]) -> list[str]:
        return [
            s
            for s in (f"{v:0{self.length}d}" for v in range(10**self.length))
            if self.free(s, locks)
        ]


def _exhausted(length: int) -> ValueError:
    return ValueError(
        f"gave up after {MAX_CONSECUTIVE_REJECTIONS} rejected candidates in a row: almost no "
        f"{length}-digit code is free; request fewer codes or a longer length"
    )


# --------------------------------------------------------------------------- backend API


def is_weak(code: str, flags: int, blocklist: Sequence[str]) -> bool:
    """True when ``code`` is weak under ``flags`` or is in ``blocklist``."""
    s = _check_code(code, "code")
    blocked = _blocked_set(blocklist, len(s))  # checks every entry, as the C twin does
    return _is_weak_structure(s, flags) or s in blocked


def generate(
    count: int,
    length: int,
    existing: Sequence[str],
    flags: int,
    blocklist: Sequence[str],
    seed: int | None,
) -> list[str]:
    """``count`` distinct free codes of ``length`` digits (see the module docstring)."""
    length = _check_length(length)
    if not isinstance(count, int) or not 0 <= count <= MAX_COUNT:
        raise ValueError(f"count must be an int from 0 to {MAX_COUNT}")
    space = 10**length
    if count > space:
        raise ValueError(f"{count} codes requested but only {space} have {length} digits")
    rng = _make_rng(seed)
    checker = _Checker(length, flags, blocklist)
    locks = [_taken_set(existing, length)]
    taken = locks[0]
    out: list[str] = []
    rejected = 0
    while len(out) < count:
        s = f"{_below(rng, space):0{length}d}"
        if checker.free(s, locks):
            taken.add(s)
            out.append(s)
            rejected = 0
            continue
        rejected += 1
        if rejected < MAX_CONSECUTIVE_REJECTIONS:
            continue
        if length > ENUM_MAX_LENGTH:
            raise _exhausted(length)
        pool = checker.enumerate_free(locks)
        need = count - len(out)
        if len(pool) < need:
            raise ValueError(
                f"only {len(out) + len(pool)} codes of {length} digits are possible with "
                f"these existing codes and policy; {count} requested"
            )
        for i in range(need):
            j = i + _below(rng, len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
            out.append(pool[i])
    return out


def generate_bulk(
    holders: Sequence[Sequence[int]],
    length: int,
    existing_by_lock: Sequence[Sequence[str]],
    flags: int,
    blocklist: Sequence[str],
    seed: int | None,
) -> list[str]:
    """One code per holder (``holders[h]`` = indexes into ``existing_by_lock``)."""
    length = _check_length(length)
    if len(holders) > MAX_COUNT:
        raise ValueError(f"at most {MAX_COUNT} holders")
    space = 10**length
    rng = _make_rng(seed)
    checker = _Checker(length, flags, blocklist)
    lock_sets = [_taken_set(existing, length) for existing in existing_by_lock]
    holder_locks: list[list[set[str]]] = []
    for lock_ids in holders:
        sets = []
        for index in lock_ids:
            if not isinstance(index, int) or not 0 <= index < len(lock_sets):
                raise ValueError(f"lock index {index!r} out of range")
            sets.append(lock_sets[index])
        holder_locks.append(sets)
    out: list[str] = []
    for number, locks in enumerate(holder_locks):
        rejected = 0
        while True:
            s = f"{_below(rng, space):0{length}d}"
            if checker.free(s, locks):
                break
            rejected += 1
            if rejected < MAX_CONSECUTIVE_REJECTIONS:
                continue
            if length > ENUM_MAX_LENGTH:
                raise _exhausted(length)
            pool = checker.enumerate_free(locks)
            if not pool:
                raise ValueError(f"no {length}-digit code is free on all locks of holder #{number}")
            s = pool[_below(rng, len(pool))]
            break
        for taken in locks:
            taken.add(s)
        out.append(s)
    return out


def pairing_tables(seed: int | None) -> list[tuple[int, int]]:
    """``PAIRING_ENTRIES`` (code, secret) pairs for INIT_PASSWORDS (docs/ble.md §8.1).

    Per entry: ``code = below(1071)`` until unused, then a secret until unused: the digits
    0-9 shuffled by Fisher-Yates (``for i in 9..1: swap(d[i], d[below(i + 1)])``), read as a
    decimal number (first digit most significant; it may be 0).
    """
    rng = _make_rng(seed)
    codes: list[int] = []
    secrets: list[int] = []
    for _ in range(PAIRING_ENTRIES):
        for _attempt in range(_MAX_PAIRING_TRIES):
            code = _below(rng, PAIRING_CODE_LIMIT)
            if code not in codes:
                break
        else:  # pragma: no cover - needs ~1000 collisions in a row
            raise ValueError("could not draw distinct pairing codes")
        for _attempt in range(_MAX_PAIRING_TRIES):
            digits = list(range(10))
            for i in range(9, 0, -1):
                j = _below(rng, i + 1)
                digits[i], digits[j] = digits[j], digits[i]
            secret = int("".join(map(str, digits)))
            if secret not in secrets:
                break
        else:  # pragma: no cover
            raise ValueError("could not draw distinct pairing secrets")
        codes.append(code)
        secrets.append(secret)
    return list(zip(codes, secrets, strict=True))
