"""The Home Assistant-side PIN: options flow (a salted hash only), code_format, translated
refusals and a lockout after repeated wrong PINs."""

from __future__ import annotations

import json

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_CODE, ATTR_ENTITY_ID, SERVICE_LOCK, SERVICE_UNLOCK
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import (
    CONF_MONTHLY_BUDGET,
    CONF_PIN_HASH,
    CONF_PIN_SALT,
    CONF_POLL_INTERVAL,
    CONF_SWEEP_CALLS,
    DOMAIN,
)
from custom_components.ttlock_access.pin import PIN_FORMAT
from tests.integration.helpers import CLIENT_ID, Cloud, advance

PIN = "246813"
BASE_OPTIONS = {
    CONF_POLL_INTERVAL: 10,
    CONF_SWEEP_CALLS: 1,
    CONF_MONTHLY_BUDGET: 30000,
    "monthly_passcode_limit": 0,
}


async def _options(hass: HomeAssistant, entry: MockConfigEntry, **extra: object) -> dict:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**BASE_OPTIONS, **extra}
    )
    await hass.async_block_till_done()
    return result


async def _lock(hass: HomeAssistant, service: str, code: str | None = None) -> None:
    data = {ATTR_ENTITY_ID: "lock.front_door"}
    if code is not None:
        data[ATTR_CODE] = code
    await hass.services.async_call(LOCK_DOMAIN, service, data, blocking=True)


@pytest.fixture
async def with_pin(hass: HomeAssistant, setup_entry: MockConfigEntry) -> MockConfigEntry:
    """The demo account with the HA-side PIN set."""
    result = await _options(hass, setup_entry, pin=PIN)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    return setup_entry


async def test_only_a_salted_hash_is_stored(hass: HomeAssistant, with_pin: MockConfigEntry) -> None:
    """The options hold a salt and a hash, never the PIN; the lock asks for a code."""
    options = dict(with_pin.options)
    assert options[CONF_PIN_SALT] and options[CONF_PIN_HASH]
    assert PIN not in json.dumps(options)
    assert hass.states.get("lock.front_door").attributes["code_format"] == PIN_FORMAT


async def test_unlock_needs_the_right_pin(
    hass: HomeAssistant, cloud: Cloud, with_pin: MockConfigEntry
) -> None:
    """No PIN or a wrong one: refused before anything reaches the cloud; the right one works."""
    before = cloud.world.usage(CLIENT_ID)
    with pytest.raises(ServiceValidationError) as err:  # no PIN: said in words, no regex
        await _lock(hass, SERVICE_UNLOCK)
    assert (err.value.translation_domain, err.value.translation_key) == (DOMAIN, "pin_required")
    assert str(err.value).startswith("Front Door needs the Home Assistant PIN")
    assert "^" not in str(err.value)
    with pytest.raises(ServiceValidationError) as err:
        await _lock(hass, SERVICE_LOCK, "")
    assert err.value.translation_key == "pin_required"
    with pytest.raises(ServiceValidationError) as err:
        await _lock(hass, SERVICE_UNLOCK, "111111")
    assert (err.value.translation_domain, err.value.translation_key) == (DOMAIN, "wrong_pin")
    assert "Front Door" in str(err.value)
    assert cloud.world.usage(CLIENT_ID) == before
    assert hass.states.get("lock.front_door").state == "locked"
    await _lock(hass, SERVICE_UNLOCK, PIN)
    assert hass.states.get("lock.front_door").state == "unlocked"
    await _lock(hass, SERVICE_LOCK, PIN)
    assert hass.states.get("lock.front_door").state == "locked"


async def test_wrong_pins_lock_out_for_a_while(
    hass: HomeAssistant, with_pin: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Five wrong PINs in a row: even the right one is refused for five minutes."""
    for _ in range(5):
        with pytest.raises(ServiceValidationError):
            await _lock(hass, SERVICE_UNLOCK, "000000")
    with pytest.raises(ServiceValidationError) as err:
        await _lock(hass, SERVICE_UNLOCK, PIN)
    assert err.value.translation_key == "pin_locked_out"
    await advance(hass, freezer, 5 * 60 + 1)
    await _lock(hass, SERVICE_UNLOCK, PIN)
    assert hass.states.get("lock.front_door").state == "unlocked"


async def test_pin_kept_changed_or_removed(hass: HomeAssistant, with_pin: MockConfigEntry) -> None:
    """Saving the options without a PIN keeps it; "remove" turns it off; bad PINs are refused."""
    salt = with_pin.options[CONF_PIN_SALT]
    result = await _options(hass, with_pin)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert with_pin.options[CONF_PIN_SALT] == salt
    result = await _options(hass, with_pin, pin="12ab")
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"pin": "invalid_pin"}
    result = await _options(hass, with_pin, remove_pin=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_PIN_HASH not in with_pin.options
    assert hass.states.get("lock.front_door").attributes.get("code_format") is None
    await _lock(hass, SERVICE_UNLOCK)
    assert hass.states.get("lock.front_door").state == "unlocked"


async def test_without_pin_no_code_is_asked(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """By default dashboards lock and unlock without a code."""
    assert hass.states.get("lock.front_door").attributes.get("code_format") is None
    await _lock(hass, SERVICE_UNLOCK)
    assert hass.states.get("lock.front_door").state == "unlocked"
