"""A booking's code that cannot reach the lock gets an offline code for the same stay (and
both are shared); sharing to a notify entity; validity texts with only an end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.ttlock_access.const import CONF_OFFLINE_FALLBACK
from tests.integration.helpers import Cloud, call

BACK = 5001103


@pytest.fixture
def phone(hass: HomeAssistant) -> list[ServiceCall]:
    return async_mock_service(hass, "notify", "guest_phone")


def _stay() -> tuple[str, str]:
    start = dt_util.utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return start.isoformat(), (start + timedelta(days=2)).isoformat()


async def test_unreachable_lock_gets_an_offline_code_too(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, phone: list[ServiceCall]
) -> None:
    """The Bluetooth-only Back Door is out of reach: the custom code waits, and an offline
    period code for the same stay is issued now; the guest gets both."""
    starts, ends = _stay()
    result = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.back_door",
            "name": "Booking 42",
            "type": "custom_period",
            "starts_at": starts,
            "ends_at": ends,
            "offline_fallback": True,
            "share_to": ["notify.guest_phone"],
        },
    )
    assert result["locks"]["lock.back_door"]["state"] == "setting"
    fallback = result["fallback"]
    assert (fallback["kind"], fallback["type"], fallback["name"]) == (
        "offline_passcode",
        "period",
        "Booking 42 (offline)",
    )
    assert (fallback["starts_at"], fallback["ends_at"]) == (result["starts_at"], result["ends_at"])
    offline_code = fallback["locks"]["lock.back_door"]["code"]
    assert cloud.world.enter_code(BACK, offline_code).success is False  # not yet: starts later
    messages = [sent.data["message"] for sent in phone]
    assert len(messages) == 2
    assert result["code"] in messages[0]
    assert offline_code in messages[1]
    assert [s["credential_id"] for s in result["shared"]] == [
        result["credential_id"],
        fallback["credential_id"],
    ]


async def test_no_fallback_when_the_code_reaches_the_lock(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """With the option on, a code written through the gateway needs no offline twin."""
    hass.config_entries.async_update_entry(config_entry, options={CONF_OFFLINE_FALLBACK: True})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    result = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "G"})
    assert result["locks"]["lock.front_door"]["state"] == "set"
    assert "fallback" not in result
    assert result["rules"] == []
    waiting = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "W"})
    assert waiting["fallback"]["type"] == "permanent"  # no end: a permanent offline code


async def test_share_to_a_notify_entity_with_only_an_end(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A notify entity (not a legacy service) gets the message; a card valid until a date
    says so."""
    sent = async_mock_service(hass, "notify", "send_message")
    hass.states.async_set("notify.hall_tablet", "unknown")
    ends = (dt_util.utcnow() + timedelta(days=3)).replace(microsecond=0)
    result = await call(
        hass,
        "add_card",
        {
            "entity_id": "lock.front_door",
            "name": "Cleaner",
            "card_number": "3661413478",
            "ends_at": ends.isoformat(),
            "share_to": ["notify.hall_tablet"],
        },
    )
    [sent_call] = sent
    assert sent_call.data["entity_id"] == "notify.hall_tablet"
    assert f"until {dt_util.as_local(ends).strftime('%Y-%m-%d %H:%M')}" in sent_call.data["message"]
    assert result["shared"][0]["sent"] is True
