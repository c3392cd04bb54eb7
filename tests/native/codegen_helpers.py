"""Shared strategies and checks for the native code generator tests."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from custom_components.ttlock_access.native import CodegenError, PinPolicy, _twin

# The plugin's autouse fixtures are function-scoped; these pure tests do not use them.
SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def hyp(examples: int) -> Callable[[Any], Any]:
    """Hypothesis settings: no deadline (speed-independent), ``examples`` inputs."""
    return settings(max_examples=examples, deadline=None, suppress_health_check=SUPPRESS)


def code_of(length: int) -> st.SearchStrategy[str]:
    """A digit string of exactly ``length`` digits."""
    return st.text(alphabet="0123456789", min_size=length, max_size=length)


codes = st.integers(4, 9).flatmap(code_of)
"""Any valid code, 4-9 digits."""

seeds = st.integers(0, 2**64 - 1)
lengths = st.integers(4, 9)


@st.composite
def policies(draw: st.DrawFn) -> PinPolicy:
    """Any policy: each rule on or off, sometimes a small blocklist."""
    return PinPolicy(
        reject_repeated_digit=draw(st.booleans()),
        reject_sequences=draw(st.booleans()),
        reject_repeated_patterns=draw(st.booleans()),
        reject_common=draw(st.booleans()),
        reject_dates=draw(st.booleans()),
        blocklist=frozenset(draw(st.lists(codes, max_size=5))),
    )


def outcome(function: Callable[[], Any]) -> tuple[str, Any]:
    """("ok", result) or ("error", None) so two backends can be compared, errors included."""
    try:
        return "ok", function()
    except CodegenError:
        return "error", None


def weak(code: str, policy: PinPolicy) -> bool:
    """Reference weakness check (the twin's, which tests compare with C separately)."""
    flags = (
        (_twin.FLAG_REPEATED_DIGIT if policy.reject_repeated_digit else 0)
        | (_twin.FLAG_SEQUENCE if policy.reject_sequences else 0)
        | (_twin.FLAG_PATTERN if policy.reject_repeated_patterns else 0)
        | (_twin.FLAG_DATE if policy.reject_dates else 0)
    )
    from custom_components.ttlock_access.native.policy import COMMON_PINS

    listed = code in policy.blocklist or (policy.reject_common and code in COMMON_PINS)
    return listed or _twin.is_weak(code, flags, ())


def overlaps(a: str, b: str) -> bool:
    """True when one code contains the other (the keypad would open with both)."""
    return a in b or b in a


def check_pins(
    result: list[str], count: int, length: int, existing: Iterable[str], policy: PinPolicy
) -> None:
    """Every promise of generate_pins."""
    existing = list(existing)
    assert len(result) == count
    assert len(set(result)) == count
    for code in result:
        assert len(code) == length
        assert code.isascii()
        assert code.isdigit()
        assert not weak(code, policy), code
        assert not any(overlaps(code, old) for old in existing), code


def check_bulk(
    result: Mapping[Any, str],
    holders: Mapping[Any, Iterable[Any]],
    length: int,
    existing_by_lock: Mapping[Any, Iterable[str]],
    policy: PinPolicy,
) -> None:
    """Every promise of generate_bulk."""
    assert list(result) == list(holders)
    new_by_lock: dict[Any, list[str]] = {}
    for holder, code in result.items():
        assert len(code) == length
        assert code.isdigit()
        assert not weak(code, policy), code
        for lock in set(holders[holder]):
            for old in existing_by_lock.get(lock, ()):
                assert not overlaps(code, old), (holder, lock, code, old)
            new_by_lock.setdefault(lock, []).append(code)
    for lock_codes in new_by_lock.values():
        assert len(set(lock_codes)) == len(lock_codes)  # same length: distinct = no overlap
