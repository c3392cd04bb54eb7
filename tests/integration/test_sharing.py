"""Sharing new credentials through notify targets: only when asked, with the lock, the code,
its validity and TTLock's first-use rule; unknown targets are refused up front."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from tests.integration.helpers import call


@pytest.fixture
def phone(hass: HomeAssistant) -> list[ServiceCall]:
    """A notify service standing in for the guest's phone."""
    return async_mock_service(hass, "notify", "anna_phone")


async def test_nothing_is_shared_unless_asked(
    hass: HomeAssistant, setup_entry: MockConfigEntry, phone: list[ServiceCall]
) -> None:
    """Without share_to no message leaves Home Assistant."""
    result = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "A"})
    assert "shared" not in result
    assert phone == []


async def test_custom_code_shared_with_default_message(
    hass: HomeAssistant, setup_entry: MockConfigEntry, phone: list[ServiceCall]
) -> None:
    """The default message names the lock, the code and the validity."""
    result = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Anna (guest)",
            "holder": "Anna",
            "type": "custom_period",
            "starts_at": "2030-05-01 14:00:00",
            "ends_at": "2030-05-04 11:00:00",
            "share_to": ["notify.anna_phone"],
        },
    )
    [sent_call] = phone
    message = sent_call.data["message"]
    assert result["code"] in message
    assert "Front Door" in message
    assert "from 2030-05-01 14:00 until 2030-05-04 11:00" in message
    assert sent_call.data["title"] == "Your access to Front Door"
    assert result["shared"] == [
        {
            "target": "notify.anna_phone",
            "credential_id": result["credential_id"],
            "sent": True,
            "sent_at": result["shared"][0]["sent_at"],
        }
    ]


async def test_offline_code_carries_the_first_use_rule(
    hass: HomeAssistant, setup_entry: MockConfigEntry, phone: list[ServiceCall]
) -> None:
    """A one-time offline code: its per-lock code and TTLock's 6-hour rule are in the message."""
    result = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Courier",
            "type": "one_time",
            "share_to": "anna_phone",
        },
    )
    [sent_call] = phone
    code = result["locks"]["lock.front_door"]["code"]
    assert code in sent_call.data["message"]
    assert "within 6 hours" in sent_call.data["message"]


async def test_message_template(
    hass: HomeAssistant, setup_entry: MockConfigEntry, phone: list[ServiceCall]
) -> None:
    """The admin's template gets lock, code, holder and validity."""
    result = await call(
        hass,
        "grant_access",
        {
            "entity_id": ["lock.front_door", "lock.garage"],
            "holder": "Anna",
            "starts_at": "2030-05-01 10:00:00",
            "ends_at": "2030-06-01 10:00:00",
            "share_to": ["notify.anna_phone"],
            "message": "Hi {{ holder }}: {{ code }} opens {{ lock }} {{ validity }}.",
            "title": "{{ kind }}",
        },
    )
    [sent_call] = phone
    code = result["credentials"][0]["code"]
    assert sent_call.data["message"] == (
        f"Hi Anna: {code} opens Front Door, Garage from 2030-05-01 10:00 until 2030-06-01 10:00."
    )
    assert sent_call.data["title"] == "passcode"


async def test_unknown_target_refused_before_anything_is_created(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """A typo in share_to creates nothing."""
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "create_passcode",
            {"entity_id": "lock.front_door", "name": "A", "share_to": ["notify.nobody"]},
        )
    assert err.value.translation_key == "share_target_unknown"
    assert setup_entry.runtime_data.access.state.credentials == {}


async def test_bad_template_refused(
    hass: HomeAssistant, setup_entry: MockConfigEntry, phone: list[ServiceCall]
) -> None:
    """A template that does not parse is refused up front."""
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "create_passcode",
            {
                "entity_id": "lock.front_door",
                "name": "A",
                "share_to": ["notify.anna_phone"],
                "message": "{{ code ",
            },
        )
    assert err.value.translation_key == "share_message_invalid"
    assert setup_entry.runtime_data.access.state.credentials == {}


async def test_failed_delivery_keeps_the_credential(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """A notify service that fails: the credential exists, the response says it was not sent."""

    async def _broken(call: ServiceCall) -> None:
        raise HomeAssistantError("offline")

    hass.services.async_register("notify", "broken_phone", _broken)
    result = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "A", "share_to": ["notify.broken_phone"]},
    )
    assert result["shared"][0]["sent"] is False
    assert result["credential_id"] in setup_entry.runtime_data.access.state.credentials


async def test_staff_and_ekey(
    hass: HomeAssistant, setup_entry: MockConfigEntry, phone: list[ServiceCall]
) -> None:
    """add_staff sends each member's code; send_ekey tells the receiver to open the app."""
    staff = await call(
        hass,
        "add_staff",
        {"entity_id": "lock.front_door", "names": ["Maria", "Tom"], "share_to": "anna_phone"},
    )
    assert [c.data["message"] for c in phone] == [
        f"Your access code for Front Door: {staff['staff'][name]['code']}. Valid permanently."
        for name in ("Maria", "Tom")
    ]
    phone.clear()
    await call(
        hass,
        "send_ekey",
        {
            "entity_id": "lock.front_door",
            "name": "Key",
            "receiver": "second@example.com",
            "share_to": ["notify.anna_phone"],
        },
    )
    [sent_call] = phone
    assert "eKey for Front Door" in sent_call.data["message"]
    assert "second@example.com" in sent_call.data["message"]
