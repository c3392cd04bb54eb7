"""Every bad input raises CodegenError (a ValueError) on both backends; nothing loops forever."""

from collections.abc import Callable
from typing import Any

import pytest

from custom_components.ttlock_access import native
from custom_components.ttlock_access.native import (
    CodeGenerator,
    CodegenError,
    CodegenTypeError,
    PinPolicy,
    _twin,
)

ALL_FOUR_DIGIT = [f"{v:04d}" for v in range(10_000)]


def test_errors_are_value_errors() -> None:
    assert issubclass(CodegenError, ValueError)
    assert issubclass(CodegenTypeError, ValueError)
    assert issubclass(CodegenTypeError, TypeError)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((-1, 6, []), {}),  # count < 0
        ((native.MAX_COUNT + 1, 9, []), {}),  # count too large
        ((True, 6, []), {}),  # bool is not a count
        ((1.0, 6, []), {}),
        (("3", 6, []), {}),
        ((1, 3, []), {}),  # length out of range
        ((1, 10, []), {}),
        ((1, "6", []), {}),
        ((1, 6.0, []), {}),
        ((1, 6, "1234"), {}),  # a string is not a list of codes
        ((1, 6, b"1234"), {}),
        ((1, 6, 1234), {}),
        ((1, 6, None), {}),
        ((1, 6, ["12a4"]), {}),  # non-digit existing codes
        ((1, 6, ["١٢٣٤"]), {}),  # non-ASCII digits
        ((1, 6, ["１２３４"]), {}),
        ((1, 6, ["123"]), {}),  # existing code too short / long
        ((1, 6, ["1234567890"]), {}),
        ((1, 6, [1234]), {}),  # not a string
        ((1, 6, [None]), {}),
        ((1, 6, ["1234 "]), {}),
        ((1, 6, []), {"policy": "strict"}),  # wrong policy type
        ((1, 6, []), {"seed": -1}),  # seed out of range / wrong type
        ((1, 6, []), {"seed": 2**64}),
        ((1, 6, []), {"seed": 1.5}),
        ((1, 6, []), {"seed": True}),
        ((1, 6, []), {"seed": "1"}),
        ((10_001, 4, []), {}),  # more codes than 4 digits allow: found up front
        ((1, 4, ALL_FOUR_DIGIT), {}),  # nothing free: found by listing the free codes
        ((1, 7, ALL_FOUR_DIGIT), {}),  # nothing free, 7 digits: 4096 rejections in a row
        ((1, 9, ALL_FOUR_DIGIT), {}),
    ],
)
def test_generate_pins_rejects(gen: CodeGenerator, args: tuple[Any, ...], kwargs: Any) -> None:
    with pytest.raises(CodegenError):
        gen.generate_pins(*args, **kwargs)


def test_more_than_the_free_codes(gen: CodeGenerator) -> None:
    """Default policy: fewer than 10,000 four-digit codes are free."""
    with pytest.raises(CodegenError, match="possible"):
        gen.generate_pins(9_500, 4, [], seed=1)


def test_wrong_types_are_also_type_errors(gen: CodeGenerator) -> None:
    with pytest.raises(TypeError):
        gen.generate_pins(1, "6", [])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        gen.generate_pins(1, 6, "1234")


@pytest.mark.parametrize(
    ("holders", "length", "existing", "kwargs"),
    [
        ([("a", ["x"])], 6, {}, {}),  # holders not a mapping
        ({"a": ["x"]}, 6, [("x", [])], {}),  # existing not a mapping
        ({"a": []}, 6, {}, {}),  # a holder without locks
        ({"a": "front"}, 6, {}, {}),  # a str is not a list of locks
        ({"a": 5}, 6, {}, {}),
        ({"a": [["x"]]}, 6, {}, {}),  # unhashable lock id
        ({"a": ["x"]}, 3, {}, {}),
        ({"a": ["x"]}, 6, {"x": "1234"}, {}),
        ({"a": ["x"]}, 6, {"x": ["12x4"]}, {}),
        ({"a": ["x"]}, 6, {"y": ["123"]}, {}),  # bad codes on an unused lock count too
        ({"a": ["x"]}, 6, {}, {"policy": 1}),
        ({"a": ["x"]}, 6, {}, {"seed": -5}),
        ({"a": ["x"]}, 4, {"x": ALL_FOUR_DIGIT}, {}),  # holder with nothing free
        ({"a": ["y"], "b": ["x", "y"]}, 8, {"x": ALL_FOUR_DIGIT}, {}),
    ],
)
def test_generate_bulk_rejects(
    gen: CodeGenerator, holders: Any, length: int, existing: Any, kwargs: Any
) -> None:
    with pytest.raises(CodegenError):
        gen.generate_bulk(holders, length, existing, **kwargs)


@pytest.mark.parametrize("code", [1234, None, "123", "1234567890", "12a4", "١٢٣٤", ""])
def test_is_weak_rejects(gen: CodeGenerator, code: Any) -> None:
    with pytest.raises(CodegenError):
        gen.is_weak(code)


@pytest.mark.parametrize(
    ("year", "seed"), [(1999, None), (2100, None), ("2026", None), (True, None), (2026, -1)]
)
def test_pairing_tables_reject(gen: CodeGenerator, year: Any, seed: Any) -> None:
    with pytest.raises(CodegenError):
        gen.generate_pairing_tables(year, seed)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"reject_dates": 1},
        {"reject_common": None},
        {"blocklist": "1234"},
        {"blocklist": frozenset({"12"})},
        {"blocklist": frozenset({"abcd"})},
        {"blocklist": 1234},
    ],
)
def test_policy_rejects(kwargs: Any) -> None:
    with pytest.raises(CodegenError):
        PinPolicy(**kwargs)


def test_get_generator_rejects_unknown_backend() -> None:
    with pytest.raises(CodegenError):
        native.get_generator("rust")  # type: ignore[arg-type]


def test_backends_reject_bad_raw_arguments(gen: CodeGenerator) -> None:
    """The backends defend themselves when called directly (the wrappers check first)."""
    backend: Any = gen._backend
    flags = _twin.FLAGS_ALL
    calls: list[Callable[[], object]] = [
        lambda: backend.generate(1, 3, (), flags, (), None),
        lambda: backend.generate(-1, 6, (), flags, (), None),
        lambda: backend.generate(1, 6, ("12",), flags, (), None),
        lambda: backend.generate(1, 6, (), flags, ("x",), None),
        lambda: backend.generate(1, 6, (), flags, (), -1),
        lambda: backend.generate(1, 6, (), flags, (), "seed"),
        lambda: backend.generate_bulk([[0]], 6, [], flags, (), 1),  # lock index out of range
        lambda: backend.generate_bulk([[-1]], 6, [()], flags, (), 1),
        lambda: backend.generate_bulk([["a"]], 6, [()], flags, (), 1),
        lambda: backend.generate_bulk([[0]], 10, [()], flags, (), 1),
        lambda: backend.generate_bulk([[0]], 6, [(5,)], flags, (), 1),
        lambda: backend.is_weak("12", flags, ()),
        lambda: backend.is_weak("1234", flags, ("12",)),
        lambda: backend.pairing_tables(-1),
        lambda: backend.random_words(None, 3),
        lambda: backend.random_words(1, -3),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"must|out of range|need"):
            call()


def test_unhashable_lock_after_an_unknown_one(gen: CodeGenerator) -> None:
    with pytest.raises(CodegenTypeError):
        gen.generate_bulk({"a": ["new-lock", ["x"]]}, 6, {})
