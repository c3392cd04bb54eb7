"""Hostile action input: every bad name or date is a translated error, nothing is created,
and the validators never raise anything else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import voluptuous as vol
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.actions import valid_date, valid_name
from custom_components.ttlock_access.const import DOMAIN
from tests.integration.helpers import Cloud

PAST = (dt_util.utcnow() - timedelta(days=1)).isoformat()

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("empty name", {"name": ""}, "invalid_name"),
    ("blank name", {"name": "   "}, "invalid_name"),
    ("long name", {"name": "x" * 65}, "invalid_name"),
    ("control character", {"name": "Anna\x00"}, "invalid_name"),
    ("newline", {"name": "Anna\nBob"}, "invalid_name"),
    ("right-to-left override", {"name": "Anna\u202egnp.exe"}, "invalid_name"),
    ("blank holder", {"name": "Code", "holder": " "}, "invalid_name"),
    ("year 9999", {"name": "Code", "ends_at": "9999-12-31T23:59:59"}, "date_out_of_range"),
    (
        "year 1 +14:00",
        {"name": "Code", "starts_at": "0001-01-01T00:00:00+14:00"},
        "date_out_of_range",
    ),
    ("year 1999", {"name": "Code", "starts_at": "1999-12-31T23:00:00+00:00"}, "date_out_of_range"),
    ("end in the past", {"name": "Code", "ends_at": PAST}, "ends_in_past"),
]


@pytest.mark.parametrize(("what", "extra", "key"), BAD, ids=[b[0] for b in BAD])
async def test_bad_input_is_a_translated_error(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    what: str,
    extra: dict[str, Any],
    key: str,
) -> None:
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "create_passcode",
            {"entity_id": "lock.front_door", **extra},
            blocking=True,
            return_response=True,
        )
    assert caught.value.translation_key == key, what
    listing = await hass.services.async_call(
        DOMAIN,
        "list_credentials",
        {"entity_id": "lock.front_door"},
        blocking=True,
        return_response=True,
    )
    assert listing["locks"]["lock.front_door"]["credentials"] == []


async def test_fingerprint_record_with_only_an_end(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """An end without a start is valid from now (no crash)."""
    end = (dt_util.utcnow() + timedelta(days=30)).isoformat()
    result = await hass.services.async_call(
        DOMAIN,
        "add_fingerprint_record",
        {
            "entity_id": "lock.front_door",
            "name": "Thumb",
            "fingerprint_number": "12345",
            "ends_at": end,
        },
        blocking=True,
        return_response=True,
    )
    assert result


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.text(max_size=80), st.integers(), st.none(), st.floats()))
def test_name_validator_only_accepts_or_refuses(value: Any) -> None:
    try:
        name = valid_name(value)
    except (ServiceValidationError, vol.Invalid):
        return
    assert 1 <= len(name) <= 64 and name.isprintable() and name == name.strip()


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.datetimes().map(lambda d: d.isoformat()),
        st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
        st.text(max_size=30),
    )
)
def test_date_validator_only_accepts_or_refuses(value: str) -> None:
    try:
        moment = valid_date(value)
    except (ServiceValidationError, vol.Invalid):
        return
    assert 2000 <= dt_util.as_utc(moment).year <= 2099


async def test_recurring_ekey_is_refused_with_the_reason(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """TTLock's Open API sends eKeys for one period only: a weekly schedule is refused with
    an explanation, and nothing is sent."""
    from homeassistant.exceptions import ServiceValidationError

    from tests.integration.helpers import call

    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "send_ekey",
            {
                "entity_id": "lock.front_door",
                "receiver": "anna@example.com",
                "name": "Anna",
                "weekdays": ["monday"],
            },
        )
    assert err.value.translation_key == "ekey_schedule_not_supported"
    assert setup_entry.runtime_data.access.state.credentials == {}
