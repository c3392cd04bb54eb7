"""Every promise of the generator holds, on both backends."""

from collections import Counter

import pytest
from codegen_helpers import (
    check_bulk,
    check_pins,
    codes,
    hyp,
    lengths,
    overlaps,
    policies,
    seeds,
    weak,
)
from hypothesis import given
from hypothesis import strategies as st

from custom_components.ttlock_access import native
from custom_components.ttlock_access.native import CodeGenerator, PinPolicy, _twin

# Chi-square critical value, 9 degrees of freedom, alpha = 0.001.
CHI2_9DF_001 = 27.877


def chi_square(observed: list[int], expected: list[float]) -> float:
    return sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))


@hyp(400)
@given(
    count=st.integers(0, 60),
    length=lengths,
    existing=st.lists(codes, max_size=40),
    policy=st.none() | policies(),
    seed=st.none() | seeds,
)
def test_pins_properties(
    gen: CodeGenerator,
    count: int,
    length: int,
    existing: list[str],
    policy: PinPolicy | None,
    seed: int | None,
) -> None:
    result = gen.generate_pins(count, length, existing, policy, seed)
    check_pins(result, count, length, existing, policy or PinPolicy())


@hyp(300)
@given(
    holders=st.dictionaries(
        st.text(min_size=1, max_size=5),
        st.lists(st.integers(0, 6), min_size=1, max_size=4),
        max_size=30,
    ),
    existing=st.dictionaries(st.integers(0, 6), st.lists(codes, max_size=25), max_size=7),
    length=lengths,
    policy=st.none() | policies(),
    seed=st.none() | seeds,
)
def test_bulk_properties(
    gen: CodeGenerator,
    holders: dict[str, list[int]],
    existing: dict[int, list[str]],
    length: int,
    policy: PinPolicy | None,
    seed: int | None,
) -> None:
    result = gen.generate_bulk(holders, length, existing, policy, seed)
    check_bulk(result, holders, length, existing, policy or PinPolicy())


def test_many_codes_against_mixed_lengths(gen: CodeGenerator) -> None:
    """A big request with existing codes of every length, checked exhaustively."""
    existing = ["1234", "98765", "555123", "0192837", "11223344", "246813579", "00007"]
    result = gen.generate_pins(20_000, 6, existing, seed=11)
    check_pins(result, 20_000, 6, existing, PinPolicy())


def test_all_free_codes_can_be_taken(gen: CodeGenerator) -> None:
    """Asking for exactly every free 4-digit code returns each of them once."""
    existing = ["12345", "0000", "4321", "987654"]
    policy = PinPolicy()
    free = [
        f"{v:04d}"
        for v in range(10_000)
        if not weak(f"{v:04d}", policy) and not any(overlaps(f"{v:04d}", e) for e in existing)
    ]
    result = gen.generate_pins(len(free), 4, existing, seed=5)
    assert sorted(result) == free
    with pytest.raises(native.CodegenError):
        gen.generate_pins(len(free) + 1, 4, existing, seed=5)


def test_seed_is_deterministic(gen: CodeGenerator) -> None:
    first = gen.generate_pins(50, 7, ["1234"], seed=99)
    assert gen.generate_pins(50, 7, ["1234"], seed=99) == first
    assert gen.generate_pins(50, 7, ["1234"], seed=100) != first


def test_known_seeded_output() -> None:
    """Pins the algorithm: a change of PRNG, sampling or rules shows up here."""
    assert native.get_generator("python").generate_pins(5, 6, [], seed=1) == [
        "079557",
        "690900",
        "545383",
        "680371",
        "840162",
    ]


def test_unseeded_uses_fresh_randomness(gen: CodeGenerator) -> None:
    """Without a seed two large draws differ (collision odds are negligible)."""
    first = gen.generate_pins(200, 9, [])
    second = gen.generate_pins(200, 9, [])
    assert first != second
    check_pins(first, 200, 9, [], PinPolicy())


def test_splitmix64_and_xoshiro_reference_values() -> None:
    """The documented PRNG: SplitMix64's first output for seed 0 is 0xE220A8397B1DCDAF (the
    usual reference value), and xoshiro256** from state (1, 2, 3, 4) yields 11520 then 0,
    which follows by hand from result = rotl(s1 * 5, 7) * 9."""
    rng = _twin._SeededRng(0)
    assert rng._s0 == 0xE220A8397B1DCDAF
    rng._s0, rng._s1, rng._s2, rng._s3 = 1, 2, 3, 4
    assert [rng.next64(), rng.next64()] == [11520, 0]


def test_below_rejects_the_biased_low_words() -> None:
    """below(n) rejects words under 2**64 mod n, then reduces mod n."""

    class Scripted:
        def __init__(self, words: list[int]) -> None:
            self.words = words

        def next64(self) -> int:
            return self.words.pop(0)

    n = 10**6
    threshold = 2**64 % n
    rng = Scripted([threshold - 1, 0, threshold, threshold + 5])
    assert _twin._below(rng, n) == threshold % n  # type: ignore[arg-type]
    assert rng.words == [threshold + 5]


def test_digit_uniformity_chi_square(gen: CodeGenerator) -> None:
    """Fixed seed, no policy: every position's digits are uniform (chi-square, 9 df)."""
    count, length = 20_000, 6
    result = gen.generate_pins(count, length, [], PinPolicy.permissive(), seed=20261122)
    for position in range(length):
        tally = Counter(code[position] for code in result)
        observed = [tally[str(d)] for d in range(10)]
        assert chi_square(observed, [count / 10] * 10) < CHI2_9DF_001, (position, observed)
    overall = Counter("".join(result))
    observed = [overall[str(d)] for d in range(10)]
    assert chi_square(observed, [count * length / 10] * 10) < CHI2_9DF_001


def test_uniform_over_the_allowed_set(c_gen: CodeGenerator) -> None:
    """With the default policy, leading digits follow their share of the allowed codes."""
    length, count = 5, 20_000
    policy = PinPolicy()
    allowed = Counter(
        f"{v:05d}"[0] for v in range(10**length) if not c_gen.is_weak(f"{v:05d}", policy)
    )
    total = sum(allowed.values())
    result = c_gen.generate_pins(count, length, [], policy, seed=424242)
    tally = Counter(code[0] for code in result)
    observed = [tally[str(d)] for d in range(10)]
    expected = [count * allowed[str(d)] / total for d in range(10)]
    assert chi_square(observed, expected) < CHI2_9DF_001


def test_twin_and_active_backend_report() -> None:
    assert native.BACKEND in ("c", "python")
    assert native.get_generator().backend == native.BACKEND
    assert native.get_generator("python").backend == "python"


def test_module_functions_use_active_backend() -> None:
    active = native.get_generator()
    assert native.generate_pins(3, 6, ["1234"], seed=8) == active.generate_pins(
        3, 6, ["1234"], seed=8
    )
    holders = {"a": ["x"], "b": ["x", "y"]}
    assert native.generate_bulk(holders, 6, {"x": ["4444"]}, seed=8) == active.generate_bulk(
        holders, 6, {"x": ["4444"]}, seed=8
    )
    assert native.is_weak("1234") is True
    assert native.generate_pairing_tables(2026, seed=8) == active.generate_pairing_tables(
        2026, seed=8
    )


def test_bulk_duplicate_lock_and_missing_existing(gen: CodeGenerator) -> None:
    """A lock listed twice or without an existing-codes entry is fine."""
    result = gen.generate_bulk({"a": ["x", "x"], "b": ["x"]}, 4, {}, seed=1)
    assert result["a"] != result["b"]


def test_bulk_holders_without_shared_lock_may_share_a_code(gen: CodeGenerator) -> None:
    """Codes only need to differ where holders share a lock."""
    policy = PinPolicy.permissive()
    existing = {"x": _all_but_one("1357"), "y": _all_but_one("1357")}
    result = gen.generate_bulk({"a": ["x"], "b": ["y"]}, 4, existing, policy, seed=1)
    assert result == {"a": "1357", "b": "1357"}


def _all_but_one(code: str) -> list[str]:
    return [f"{v:04d}" for v in range(10_000) if f"{v:04d}" != code]


def test_generated_code_never_weak_under_default_policy(gen: CodeGenerator) -> None:
    for code in gen.generate_pins(3000, 4, [], seed=2):
        assert not gen.is_weak(code)
        assert code not in native.COMMON_PINS


def test_max_consecutive_rejection_constant_documented() -> None:
    assert _twin.MAX_CONSECUTIVE_REJECTIONS == 4096
    assert _twin.ENUM_MAX_LENGTH == 6


def test_bulk_accepts_one_shot_iterables(gen: CodeGenerator) -> None:
    """Locks may come as any iterable, e.g. a generator, read exactly once."""
    holders = {"a": (lock for lock in ["known", "unknown", "known"])}
    result = gen.generate_bulk(holders, 6, {"known": ["123456"]}, seed=3)
    expected = gen.generate_bulk({"a": ["known", "unknown"]}, 6, {"known": ["123456"]}, seed=3)
    assert result == expected
