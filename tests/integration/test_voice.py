"""Voice: Home Assistant's own conversation agent (Assist) unlocks a TTLock lock by its name,
and the integration's PIN option stops a spoken unlock that carries no code."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import (
    CONF_MONTHLY_BUDGET,
    CONF_PASSCODE_LIMIT,
    CONF_PIN,
    CONF_POLL_INTERVAL,
    CONF_SWEEP_CALLS,
    DOMAIN,
)
from tests.integration.helpers import CLIENT_ID, Cloud

FRONT_DOOR = 5001101
PIN = "246813"
BASE_OPTIONS = {
    CONF_POLL_INTERVAL: 10,
    CONF_SWEEP_CALLS: 1,
    CONF_MONTHLY_BUDGET: 30000,
    CONF_PASSCODE_LIMIT: 0,
}


@pytest.fixture
async def assist(hass: HomeAssistant, setup_entry: MockConfigEntry) -> MockConfigEntry:
    """Assist (the default conversation agent) with the Front Door lock exposed to it."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    await hass.async_block_till_done()
    async_expose_entity(hass, "conversation", "lock.front_door", True)
    return setup_entry


async def _say(hass: HomeAssistant, text: str) -> dict[str, Any]:
    """What Assist answers to ``text`` (through the ``conversation.process`` action)."""
    result = await hass.services.async_call(
        "conversation",
        "process",
        {"text": text, "language": "en"},
        blocking=True,
        return_response=True,
    )
    assert isinstance(result, dict)
    await hass.async_block_till_done()
    return result


async def test_voice_unlocks_the_front_door(
    hass: HomeAssistant, cloud: Cloud, assist: MockConfigEntry
) -> None:
    """ "Unlock the front door": the simulated lock opens and Assist says it did."""
    state = hass.states.get("lock.front_door")
    assert state is not None
    assert (state.name, state.state) == ("Front Door", "locked")
    assert cloud.world.lock(FRONT_DOOR).state == 0
    result = await _say(hass, "unlock the front door")
    response = result["response"]
    assert response["response_type"] == "action_done", response
    assert [t["id"] for t in response["data"]["success"]] == ["lock.front_door"]
    assert response["data"]["failed"] == []
    assert cloud.world.lock(FRONT_DOOR).state == 1
    assert cloud.world.records[FRONT_DOOR][-1].record_type == 12  # unlocked by the gateway
    assert hass.states.get("lock.front_door").state == "unlocked"

    await _say(hass, "lock the front door")
    assert cloud.world.lock(FRONT_DOOR).state == 0
    assert hass.states.get("lock.front_door").state == "locked"


async def test_voice_unlock_is_refused_without_the_pin(
    hass: HomeAssistant,
    cloud: Cloud,
    assist: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With the PIN option set, a spoken unlock (no code) is an error answer; nothing reaches
    the cloud and the lock stays locked."""
    flow = await hass.config_entries.options.async_init(assist.entry_id)
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {**BASE_OPTIONS, CONF_PIN: PIN}
    )
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_door").attributes["code_format"]
    before = cloud.world.usage(CLIENT_ID)
    records = len(cloud.world.records[FRONT_DOOR])

    result = await _say(hass, "unlock the front door")
    response = result["response"]
    assert response["response_type"] == "error", response
    assert response["data"]["code"] == "failed_to_handle"
    assert response["speech"]["plain"]["speech"]  # Assist says it could not do it
    refusals = [
        r.exc_info[1]
        for r in caplog.records
        if r.exc_info and isinstance(r.exc_info[1], ServiceValidationError)
    ]
    assert [(e.translation_domain, e.translation_key) for e in refusals] == [
        (DOMAIN, "pin_required")
    ]  # the integration's PIN guard said no, not some other failure
    assert PIN not in str(result)
    assert cloud.world.lock(FRONT_DOOR).state == 0
    assert len(cloud.world.records[FRONT_DOOR]) == records
    assert cloud.world.usage(CLIENT_ID) == before  # refused before anything was sent
    assert hass.states.get("lock.front_door").state == "locked"
