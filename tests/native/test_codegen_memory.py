"""The C extension keeps no references and no state between calls (valgrind covers malloc)."""

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from custom_components.ttlock_access.native import CodeGenerator, CodegenError

ALL_FOUR_DIGIT = [f"{v:04d}" for v in range(10_000)]


def _exercise(gen: CodeGenerator, i: int) -> None:
    gen.generate_pins(20, 6, ["1234", "987654321"], seed=i)
    gen.generate_pins(5, 8, ["1234"])
    gen.generate_pins(2, 4, ALL_FOUR_DIGIT[:-4], seed=i)
    gen.generate_bulk({"a": ["x", "y"], "b": ["y"]}, 6, {"x": ["5555"]}, seed=i)
    gen.is_weak("123456")
    gen.generate_pairing_tables(2026, seed=i)
    for bad in (
        lambda: gen.generate_pins(1, 6, ["12a4"]),
        lambda: gen.generate_pins(1, 7, ALL_FOUR_DIGIT, seed=i),
        lambda: gen.generate_bulk({"a": ["x"]}, 4, {"x": ALL_FOUR_DIGIT}, seed=i),
        lambda: gen.is_weak("12"),
    ):
        with pytest.raises(CodegenError):
            bad()


def test_no_reference_leaks(c_gen: CodeGenerator) -> None:
    """A leaked reference per call would keep hundreds of objects alive."""
    for i in range(20):  # warm caches (interned ints, type caches, exception machinery)
        _exercise(c_gen, i)
    before = sys.getallocatedblocks()
    for i in range(300):
        _exercise(c_gen, i)
    assert sys.getallocatedblocks() - before < 150


def test_threads_get_the_same_results(c_gen: CodeGenerator) -> None:
    """Calls release the GIL and share no state: concurrent results equal sequential ones."""
    existing = [f"{v:04d}" for v in range(0, 10_000, 7)]

    def work(seed: int) -> list[str]:
        return c_gen.generate_pins(5_000, 7, existing, seed=seed)

    sequential = [work(seed) for seed in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(work, range(8))) == sequential
