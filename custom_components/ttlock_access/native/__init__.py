"""Keypad-code and pairing-table generator: a C extension with a pure-Python twin.

The C extension (``_codegen``, built from ``_codegen.c``) is used when it is built; otherwise
the twin (``_twin``) runs: HACS installs have no compiler. Both return identical results for
identical arguments and seed. ``BACKEND`` tells which one is active (for diagnostics).

Public API::

    generate_pins(count, length, existing, policy=None, seed=None) -> list[str]
    generate_bulk(holders_to_locks, length, existing_by_lock, policy=None, seed=None)
        -> dict[holder, str]
    is_weak(code, policy=None) -> bool
    generate_pairing_tables(year, seed=None) -> list[PairingEntry]
    pack_init_passwords(tables) -> bytes            unpack_init_passwords(data) -> list
    encode_pwd_info(tables, timestamp_ms) -> str    decode_pwd_info(pwd_info, ts) -> list
    get_generator(backend=None) -> CodeGenerator    (a specific backend, for tests/benchmarks)

Seeded generator (``seed`` = int, 0 ≤ seed < 2**64): xoshiro256** whose state is the first
four outputs of SplitMix64 started at ``seed``; uniform integers by rejecting words below
``2**64 mod n``. Unseeded calls use the OS CSPRNG. Full algorithm: ``_twin``'s docstring.

Nothing here imports Home Assistant.
"""

from collections.abc import Hashable, Iterable, Mapping

from . import _twin
from ._api import MAX_COUNT, MAX_LENGTH, MIN_LENGTH, BackendName, CodeGenerator
from ._loader import load_backend, load_c_backend
from .errors import CodegenError, CodegenTypeError
from .pairing import (
    INIT_PASSWORDS_SIZE,
    PAIRING_CODE_LIMIT,
    PAIRING_ENTRIES,
    PairingEntry,
    decode_pwd_info,
    encode_pwd_info,
    pack_init_passwords,
    unpack_init_passwords,
)
from .policy import COMMON_PINS, DEFAULT_POLICY, PinPolicy

__all__ = [
    "BACKEND",
    "COMMON_PINS",
    "DEFAULT_POLICY",
    "INIT_PASSWORDS_SIZE",
    "MAX_COUNT",
    "MAX_LENGTH",
    "MIN_LENGTH",
    "PAIRING_CODE_LIMIT",
    "PAIRING_ENTRIES",
    "BackendName",
    "CodeGenerator",
    "CodegenError",
    "CodegenTypeError",
    "PairingEntry",
    "PinPolicy",
    "decode_pwd_info",
    "encode_pwd_info",
    "generate_bulk",
    "generate_pairing_tables",
    "generate_pins",
    "get_generator",
    "is_weak",
    "pack_init_passwords",
    "unpack_init_passwords",
]

BACKEND: BackendName
_backend_name, _backend = load_backend()
BACKEND = _backend_name
_ACTIVE = CodeGenerator(_backend, BACKEND)
_TWIN = CodeGenerator(_twin, "python")


def get_generator(backend: BackendName | None = None) -> CodeGenerator:
    """The active generator (``None``), or the one for ``"c"`` or ``"python"``.

    Raises ``CodegenError`` for ``"c"`` when the extension is not available.
    """
    if backend is None:
        return _ACTIVE
    if backend == "python":
        return _TWIN
    if backend == "c":
        if BACKEND == "c":
            return _ACTIVE
        c_backend = load_c_backend()
        if c_backend is None:
            raise CodegenError("the C code generator is not built")
        return CodeGenerator(c_backend, "c")
    raise CodegenError(f"unknown backend {backend!r}; use 'c' or 'python'")


def generate_pins(
    count: int,
    length: int,
    existing: Iterable[str],
    policy: PinPolicy | None = None,
    seed: int | None = None,
) -> list[str]:
    """``count`` distinct new codes of ``length`` digits; see ``CodeGenerator.generate_pins``."""
    return _ACTIVE.generate_pins(count, length, existing, policy, seed)


def generate_bulk[H: Hashable, K: Hashable](
    holders_to_locks: Mapping[H, Iterable[K]],
    length: int,
    existing_by_lock: Mapping[K, Iterable[str]],
    policy: PinPolicy | None = None,
    seed: int | None = None,
) -> dict[H, str]:
    """One code per holder, valid on all its locks; see ``CodeGenerator.generate_bulk``."""
    return _ACTIVE.generate_bulk(holders_to_locks, length, existing_by_lock, policy, seed)


def is_weak(code: str, policy: PinPolicy | None = None) -> bool:
    """True when ``policy`` (default ``PinPolicy()``) rejects ``code``."""
    return _ACTIVE.is_weak(code, policy)


def generate_pairing_tables(year: int, seed: int | None = None) -> list[PairingEntry]:
    """10 INIT_PASSWORDS entries; see ``CodeGenerator.generate_pairing_tables``."""
    return _ACTIVE.generate_pairing_tables(year, seed)
