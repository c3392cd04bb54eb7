"""Weak-code rules, one by one (run on both backends)."""

import pytest

from custom_components.ttlock_access import native
from custom_components.ttlock_access.native import CodeGenerator, PinPolicy

ONLY = {
    "repeated": PinPolicy(
        reject_sequences=False,
        reject_repeated_patterns=False,
        reject_common=False,
        reject_dates=False,
    ),
    "sequence": PinPolicy(
        reject_repeated_digit=False,
        reject_repeated_patterns=False,
        reject_common=False,
        reject_dates=False,
    ),
    "pattern": PinPolicy(
        reject_repeated_digit=False,
        reject_sequences=False,
        reject_common=False,
        reject_dates=False,
    ),
    "common": PinPolicy(
        reject_repeated_digit=False,
        reject_sequences=False,
        reject_repeated_patterns=False,
        reject_dates=False,
    ),
    "date": PinPolicy(
        reject_repeated_digit=False,
        reject_sequences=False,
        reject_repeated_patterns=False,
        reject_common=False,
    ),
}

WEAK = {
    "repeated": ["1111", "00000", "777777", "999999999"],
    "sequence": ["1234", "9876", "7890", "0987", "890123", "3210987", "123456789", "56789"],
    "pattern": ["1212", "123123", "12121", "1231231", "12341234", "0000", "454545"],
    "common": ["1234", "2580", "5201314", "147258369", "520520", "12345678", "13579"],
    "date": [
        "3112",  # DDMM
        "1231",  # MMDD
        "1985",  # YYYY
        "2099",
        "2902",  # 29 February is always allowed
        "311299",  # DDMMYY
        "123199",  # MMDDYY
        "991231",  # YYMMDD
        "071969",  # MMYYYY
        "196907",  # YYYYMM
        "25121999",  # DDMMYYYY
        "12251999",  # MMDDYYYY
        "20260704",  # YYYYMMDD
    ],
}

STRONG = {
    "repeated": ["1112", "0001", "7777778"],
    "sequence": ["1235", "1357", "0124", "9875", "89012346"],
    "pattern": ["1213", "123124", "12312", "1221"],
    "common": ["3817", "602948", "71942"],
    "date": [
        "3202",  # day 32
        "3104",  # 31 April
        "3002",  # 30 February
        "1300",  # month 13 both ways, year 1300
        "1899",
        "2100",
        "321399",  # no valid DDMMYY / MMDDYY / YYMMDD / MMYYYY / YYYYMM reading
        "99999999",
        "31021999",  # 31 February
        "12345",  # 5, 7 and 9 digits are never dates
        "0101010",
    ],
}


@pytest.mark.parametrize("rule", list(ONLY))
def test_weak_examples(gen: CodeGenerator, rule: str) -> None:
    for code in WEAK[rule]:
        assert gen.is_weak(code, ONLY[rule]), (rule, code)
        assert gen.is_weak(code), code  # the default policy has every rule


@pytest.mark.parametrize("rule", list(ONLY))
def test_strong_examples(gen: CodeGenerator, rule: str) -> None:
    for code in STRONG[rule]:
        assert not gen.is_weak(code, ONLY[rule]), (rule, code)


def test_strong_under_every_rule(gen: CodeGenerator) -> None:
    for code in ["3817", "602948", "7194253", "83920471", "502938417"]:
        assert not gen.is_weak(code), code


def test_permissive_policy_rejects_nothing(gen: CodeGenerator) -> None:
    for codes in WEAK.values():
        for code in codes:
            assert not gen.is_weak(code, PinPolicy.permissive())


def test_blocklist(gen: CodeGenerator) -> None:
    policy = PinPolicy(blocklist=frozenset({"3817", "60294"}))
    assert gen.is_weak("3817", policy)
    assert gen.is_weak("60294", policy)
    assert not gen.is_weak("3818", policy)
    result = gen.generate_pins(500, 4, [], PinPolicy(blocklist=frozenset({"3817"})), seed=0)
    assert "3817" not in result


def test_blocklist_excluded_from_generation(gen: CodeGenerator) -> None:
    """With all but two 4-digit codes blocklisted, only those two come out."""
    keep = {"3817", "6029"}
    blocked = frozenset(f"{v:04d}" for v in range(10_000)) - keep
    policy = PinPolicy(blocklist=blocked)
    assert sorted(gen.generate_pins(2, 4, [], policy, seed=4)) == sorted(keep)


def test_common_list_shape() -> None:
    assert len([c for c in native.COMMON_PINS if len(c) == 4]) >= 100
    assert len([c for c in native.COMMON_PINS if len(c) == 6]) >= 50
    for code in native.COMMON_PINS:
        assert code.isdigit()
        assert 4 <= len(code) <= 9


def test_policy_is_hashable_and_frozen() -> None:
    policy = PinPolicy(blocklist={"1111"})  # type: ignore[arg-type]
    assert isinstance(policy.blocklist, frozenset)
    assert hash(policy) == hash(PinPolicy(blocklist=frozenset({"1111"})))
    with pytest.raises(AttributeError):
        policy.reject_dates = False  # type: ignore[misc]
