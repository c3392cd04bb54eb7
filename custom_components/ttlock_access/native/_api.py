"""Validating front end over one backend (the C extension or the Python twin)."""

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Literal, Protocol

from . import _twin
from .errors import CodegenError, CodegenTypeError
from .pairing import PairingEntry
from .policy import DEFAULT_POLICY, PinPolicy, backend_args

type BackendName = Literal["c", "python"]

MIN_LENGTH = _twin.MIN_LENGTH
MAX_LENGTH = _twin.MAX_LENGTH
MAX_COUNT = _twin.MAX_COUNT
_MAX_SEED = (1 << 64) - 1
# A tuple, not a union: isinstance() with a tuple is several times faster in hot loops.
_TEXT_TYPES = (str, bytes, bytearray)
_SEQUENCE_TYPES = (list, tuple)


class Backend(Protocol):
    """What ``_codegen`` (C) and ``_twin`` (Python) both provide; see ``_twin``."""

    def generate(
        self,
        count: int,
        length: int,
        existing: Sequence[str],
        flags: int,
        blocklist: Sequence[str],
        seed: int | None,
        /,
    ) -> list[str]: ...

    def generate_bulk(
        self,
        holders: Sequence[Sequence[int]],
        length: int,
        existing_by_lock: Sequence[Sequence[str]],
        flags: int,
        blocklist: Sequence[str],
        seed: int | None,
        /,
    ) -> list[str]: ...

    def is_weak(self, code: str, flags: int, blocklist: Sequence[str], /) -> bool: ...

    def pairing_tables(self, seed: int | None, /) -> list[tuple[int, int]]: ...

    def random_words(self, seed: int, count: int, /) -> list[int]: ...


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_length(length: object) -> int:
    if not _is_int(length):
        raise CodegenTypeError(f"length must be an int, got {type(length).__name__}")
    assert isinstance(length, int)
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise CodegenError(f"length must be from {MIN_LENGTH} to {MAX_LENGTH}, got {length}")
    return length


def _check_seed(seed: object) -> int | None:
    if seed is None:
        return None
    if not _is_int(seed):
        raise CodegenTypeError(f"seed must be None or an int, got {type(seed).__name__}")
    assert isinstance(seed, int)
    if not 0 <= seed <= _MAX_SEED:
        raise CodegenError("seed must be 0 <= seed < 2**64")
    return seed


def _policy_args(policy: object) -> tuple[int, tuple[str, ...]]:
    if policy is None:
        return backend_args(DEFAULT_POLICY)
    if not isinstance(policy, PinPolicy):
        raise CodegenTypeError(f"policy must be a PinPolicy or None, got {type(policy).__name__}")
    return backend_args(policy)


def _codes(codes: object, what: str) -> tuple[str, ...]:
    """A tuple of the codes; the backend checks each one (4-9 ASCII digits)."""
    if isinstance(codes, _TEXT_TYPES) or not isinstance(codes, Iterable):
        raise CodegenTypeError(f"{what} must be an iterable of code strings, not {codes!r:.40}")
    return tuple(codes)


def _add_locks[K: Hashable](
    index: dict[K, int], tables: list[tuple[str, ...]], locks: Iterable[K]
) -> list[int]:
    """Positions of ``locks``; locks without existing codes get an empty table."""
    positions = []
    for lock in locks:
        position = index.get(lock)
        if position is None:
            position = index[lock] = len(tables)
            tables.append(())
        positions.append(position)
    return positions


class CodeGenerator:
    """The code generator bound to one backend; ``native`` exposes the active one."""

    __slots__ = ("_backend", "_name")

    def __init__(self, backend: Backend, name: BackendName) -> None:
        self._backend = backend
        self._name: BackendName = name

    @property
    def backend(self) -> BackendName:
        """``"c"`` or ``"python"``."""
        return self._name

    @staticmethod
    def _call[**P, T](function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a backend function; its ValueErrors become CodegenError."""
        try:
            return function(*args, **kwargs)
        except CodegenError:
            raise
        except ValueError as err:
            raise CodegenError(str(err)) from err

    def generate_pins(
        self,
        count: int,
        length: int,
        existing: Iterable[str],
        policy: PinPolicy | None = None,
        seed: int | None = None,
    ) -> list[str]:
        """``count`` distinct new codes of ``length`` digits (4-9, leading zeros allowed).

        Every code is drawn uniformly from the codes that are not weak under ``policy``
        (default ``PinPolicy()``) and that neither contain nor are contained in any code of
        ``existing`` (4-9 digits each) or any other new code — a TTLock keypad accepts extra
        digits around a code, so a code inside another one opens with it. ``existing`` is
        required on purpose: forgetting it would yield codes that open with old ones.

        ``seed=None`` draws from the OS CSPRNG. An int seed (0 ≤ seed < 2**64) makes the
        result reproducible and identical on both backends (xoshiro256** seeded through
        SplitMix64; see ``_twin``).

        Raises ``CodegenError`` (a ``ValueError``) for bad arguments and for requests that
        cannot be met: more codes than free codes (exact for lengths ≤ 6), or, for longer
        codes, 4096 rejected candidates in a row.
        """
        if not _is_int(count):
            raise CodegenTypeError(f"count must be an int, got {type(count).__name__}")
        if not 0 <= count <= MAX_COUNT:
            raise CodegenError(f"count must be from 0 to {MAX_COUNT}, got {count}")
        length = _check_length(length)
        if count > 10**length:
            raise CodegenError(f"{count} codes requested; only {10**length} have {length} digits")
        codes = _codes(existing, "existing")
        flags, blocklist = _policy_args(policy)
        seed = _check_seed(seed)
        return self._call(self._backend.generate, count, length, codes, flags, blocklist, seed)

    def generate_bulk[H: Hashable, K: Hashable](
        self,
        holders_to_locks: Mapping[H, Iterable[K]],
        length: int,
        existing_by_lock: Mapping[K, Iterable[str]],
        policy: PinPolicy | None = None,
        seed: int | None = None,
    ) -> dict[H, str]:
        """One new code per holder, valid on every lock of that holder.

        Each holder's code is free (as in ``generate_pins``) against every existing code on
        each of its locks (``existing_by_lock``; a lock missing there has none) and against
        the new codes of earlier holders that share a lock with it. Holders are served in
        the mapping's order; holders without a shared lock may get the same code.

        Raises ``CodegenError`` for bad arguments, a holder without locks, or a holder for
        whom no code is free.
        """
        length = _check_length(length)
        if not isinstance(holders_to_locks, Mapping):
            raise CodegenTypeError("holders_to_locks must be a mapping")
        if not isinstance(existing_by_lock, Mapping):
            raise CodegenTypeError("existing_by_lock must be a mapping")
        if len(holders_to_locks) > MAX_COUNT:
            raise CodegenError(f"at most {MAX_COUNT} holders")
        flags, blocklist = _policy_args(policy)
        seed = _check_seed(seed)
        index: dict[K, int] = {}
        tables: list[tuple[str, ...]] = []
        for lock, codes in existing_by_lock.items():
            index[lock] = len(tables)
            tables.append(_codes(codes, f"existing codes of lock {lock!r}"))
        holders: list[list[int]] = []
        for holder, locks in holders_to_locks.items():
            if isinstance(locks, _TEXT_TYPES):
                raise CodegenTypeError(f"locks of holder {holder!r} must be an iterable of ids")
            try:
                # Read a one-shot iterable once; lists and tuples as they are.
                lock_ids = locks if isinstance(locks, _SEQUENCE_TYPES) else list(locks)
                try:
                    positions = [index[lock] for lock in lock_ids]  # fast path: all known
                except KeyError:
                    positions = _add_locks(index, tables, lock_ids)
            except TypeError as err:
                raise CodegenTypeError(
                    f"locks of holder {holder!r} must be an iterable of hashable ids"
                ) from err
            if not positions:
                raise CodegenError(f"holder {holder!r} has no locks")
            # A lock listed twice is harmless: both backends check and mark it twice.
            holders.append(positions)
        codes_out = self._call(
            self._backend.generate_bulk, holders, length, tables, flags, blocklist, seed
        )
        return dict(zip(holders_to_locks, codes_out, strict=True))

    def is_weak(self, code: str, policy: PinPolicy | None = None) -> bool:
        """True when ``policy`` (default ``PinPolicy()``) rejects ``code`` (4-9 digits)."""
        if not isinstance(code, str):
            raise CodegenTypeError(f"code must be a str, got {type(code).__name__}")
        flags, blocklist = _policy_args(policy)
        return self._call(self._backend.is_weak, code, flags, blocklist)

    def generate_pairing_tables(self, year: int, seed: int | None = None) -> list[PairingEntry]:
        """The 10 INIT_PASSWORDS entries for ``year`` … ``year + 9`` (docs/ble.md §8.1).

        ``year`` is the base year (2000-2099): the current year, or the previous one on
        1 January. Codes (0 ≤ code < 1071) and secrets (digit permutations) are distinct.
        """
        if not _is_int(year):
            raise CodegenTypeError(f"year must be an int, got {type(year).__name__}")
        if not 2000 <= year <= 2099:
            raise CodegenError(f"year must be from 2000 to 2099, got {year}")
        seed = _check_seed(seed)
        pairs = self._call(self._backend.pairing_tables, seed)
        return [
            PairingEntry.from_ints(year + i, code, secret) for i, (code, secret) in enumerate(pairs)
        ]
