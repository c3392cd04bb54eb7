"""The C extension and the Python twin return identical results (errors included)."""

import pytest
from codegen_helpers import code_of, codes, hyp, lengths, outcome, policies, seeds
from hypothesis import given
from hypothesis import strategies as st

from custom_components.ttlock_access.native import CodeGenerator, CodegenError, PinPolicy, _twin

c_module = pytest.importorskip(
    "custom_components.ttlock_access.native._codegen",
    reason="C extension not built: run scripts/setup or setup_native.py",
)

LOCK_IDS = ["front", "back", "garage", "shed", "office"]


def test_constants_match(c_gen: CodeGenerator) -> None:
    """Both backends share every constant of the algorithm."""
    for name in (
        "API_VERSION",
        "MIN_LENGTH",
        "MAX_LENGTH",
        "MAX_COUNT",
        "MAX_CONSECUTIVE_REJECTIONS",
        "ENUM_MAX_LENGTH",
        "PAIRING_ENTRIES",
        "PAIRING_CODE_LIMIT",
        "FLAG_REPEATED_DIGIT",
        "FLAG_SEQUENCE",
        "FLAG_PATTERN",
        "FLAG_DATE",
        "FLAGS_ALL",
    ):
        assert getattr(c_module, name) == getattr(_twin, name), name


@hyp(300)
@given(seed=seeds, count=st.integers(0, 64))
def test_random_words_agree(c_gen: CodeGenerator, seed: int, count: int) -> None:
    assert c_module.random_words(seed, count) == _twin.random_words(seed, count)


@hyp(1500)
@given(
    count=st.integers(0, 40),
    length=lengths,
    existing=st.lists(codes, max_size=30),
    policy=st.none() | policies(),
    seed=seeds,
)
def test_generate_pins_agree(
    c_gen: CodeGenerator,
    twin: CodeGenerator,
    count: int,
    length: int,
    existing: list[str],
    policy: PinPolicy | None,
    seed: int,
) -> None:
    expected = outcome(lambda: twin.generate_pins(count, length, existing, policy, seed))
    assert outcome(lambda: c_gen.generate_pins(count, length, existing, policy, seed)) == expected


@hyp(200)
@given(
    count=st.integers(100, 1500),
    length=st.integers(4, 6),
    existing=st.lists(code_of(4), max_size=200),
    seed=seeds,
)
def test_generate_pins_agree_dense(
    c_gen: CodeGenerator,
    twin: CodeGenerator,
    count: int,
    length: int,
    existing: list[str],
    seed: int,
) -> None:
    """Many codes against many short existing codes: lots of rejections."""
    expected = outcome(lambda: twin.generate_pins(count, length, existing, seed=seed))
    assert outcome(lambda: c_gen.generate_pins(count, length, existing, seed=seed)) == expected


@st.composite
def bulk_inputs(draw: st.DrawFn) -> tuple[dict[int, list[str]], dict[str, list[str]]]:
    holders = draw(
        st.dictionaries(
            st.integers(0, 10_000),
            st.lists(st.sampled_from(LOCK_IDS), min_size=1, max_size=4),
            max_size=25,
        )
    )
    existing = draw(
        st.dictionaries(st.sampled_from(LOCK_IDS), st.lists(codes, max_size=20), max_size=5)
    )
    return holders, existing


@hyp(500)
@given(inputs=bulk_inputs(), length=lengths, policy=st.none() | policies(), seed=seeds)
def test_generate_bulk_agree(
    c_gen: CodeGenerator,
    twin: CodeGenerator,
    inputs: tuple[dict[int, list[str]], dict[str, list[str]]],
    length: int,
    policy: PinPolicy | None,
    seed: int,
) -> None:
    holders, existing = inputs
    expected = outcome(lambda: twin.generate_bulk(holders, length, existing, policy, seed))
    assert outcome(lambda: c_gen.generate_bulk(holders, length, existing, policy, seed)) == expected


@hyp(1000)
@given(code=codes, policy=st.none() | policies())
def test_is_weak_agree(
    c_gen: CodeGenerator, twin: CodeGenerator, code: str, policy: PinPolicy | None
) -> None:
    assert c_gen.is_weak(code, policy) == twin.is_weak(code, policy)


@pytest.mark.parametrize("length", [4, 5])
def test_is_weak_agree_exhaustive(length: int, c_gen: CodeGenerator) -> None:
    """Every 4- and 5-digit code, every structural rule at once and one at a time."""
    for flags in (
        _twin.FLAGS_ALL,
        _twin.FLAG_REPEATED_DIGIT,
        _twin.FLAG_SEQUENCE,
        _twin.FLAG_PATTERN,
        _twin.FLAG_DATE,
    ):
        for value in range(10**length):
            code = f"{value:0{length}d}"
            assert c_module.is_weak(code, flags, ()) == _twin.is_weak(code, flags, ()), code


@pytest.mark.parametrize("length", [6, 7, 8, 9])
def test_is_weak_agree_sampled(length: int, c_gen: CodeGenerator) -> None:
    """A deterministic sample of longer codes (every 997th or 99,991st value)."""
    for value in range(0, 10**length, 997 if length == 6 else 99_991):
        code = f"{value:0{length}d}"
        assert c_module.is_weak(code, _twin.FLAGS_ALL, ()) == _twin.is_weak(
            code, _twin.FLAGS_ALL, ()
        ), code


@hyp(300)
@given(year=st.integers(2000, 2099), seed=seeds)
def test_pairing_tables_agree(
    c_gen: CodeGenerator, twin: CodeGenerator, year: int, seed: int
) -> None:
    assert c_gen.generate_pairing_tables(year, seed) == twin.generate_pairing_tables(year, seed)


# --- the rare paths: candidates rejected MAX_CONSECUTIVE_REJECTIONS times in a row -----------


def _all_but(keep: set[str]) -> list[str]:
    """Every 4-digit code except ``keep``."""
    return [f"{v:04d}" for v in range(10_000) if f"{v:04d}" not in keep]


@pytest.mark.parametrize(
    ("length", "keep", "free"),
    [
        (4, {"1357", "2468", "8642"}, ["1357", "2468", "8642"]),
        (5, {"1357", "3579"}, ["13579"]),
        (6, {"1234", "2345", "3456"}, ["123456"]),
    ],
)
def test_enumeration_fallback_agrees(
    c_gen: CodeGenerator, twin: CodeGenerator, length: int, keep: set[str], free: list[str]
) -> None:
    """When almost nothing is free, the free codes are listed and drawn from exactly."""
    existing = _all_but(keep)
    policy = PinPolicy.permissive()
    got = c_gen.generate_pins(len(free), length, existing, policy, seed=7)
    assert got == twin.generate_pins(len(free), length, existing, policy, seed=7)
    assert sorted(got) == free
    # One more than possible: an error, found exactly (the twin lists 10**6 codes slowly, so
    # it is only asked below 6 digits).
    for backend in (c_gen, twin) if length < 6 else (c_gen,):
        with pytest.raises(CodegenError, match="possible"):
            backend.generate_pins(len(free) + 1, length, existing, policy, seed=7)


def test_bulk_enumeration_fallback_agrees(c_gen: CodeGenerator, twin: CodeGenerator) -> None:
    existing = {"tight": _all_but({"1357", "2468"}), "roomy": []}
    holders = {"a": ["tight"], "b": ["roomy"], "c": ["tight", "roomy"], "d": ["tight"]}
    policy = PinPolicy.permissive()
    c_result = outcome(lambda: c_gen.generate_bulk(holders, 4, existing, policy, seed=3))
    assert c_result == outcome(lambda: twin.generate_bulk(holders, 4, existing, policy, seed=3))
    assert c_result == ("error", None)  # three holders share "tight", which has two codes
    del holders["d"]
    result = c_gen.generate_bulk(holders, 4, existing, policy, seed=3)
    assert result == twin.generate_bulk(holders, 4, existing, policy, seed=3)
    assert {result["a"], result["c"]} == {"1357", "2468"}
