"""Re-authentication and reconfiguration of a Bluetooth-only lock entry: new keys or a new
name, checked against the lock itself (the account's password form never shows)."""

from __future__ import annotations

import json

from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_RECONFIGURE, ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.ttlock_access.const import CONF_LOCK_DATA, DOMAIN
from simulator.ble import SimulatedLock


def _entry(hass: HomeAssistant) -> ConfigEntry:
    [entry] = hass.config_entries.async_entries(DOMAIN)
    return entry


async def test_reauth_takes_the_locks_new_keys(hass: HomeAssistant, shed: SimulatedLock) -> None:
    """Refused keys: the form asks for key material, wrong keys are refused by the lock
    itself, the right ones are stored and the entry reloads."""
    entry = _entry(hass)
    good = json.dumps(entry.data[CONF_LOCK_DATA])
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_REAUTH, "entry_id": entry.entry_id},
        data=dict(entry.data),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_lock"
    assert "password" not in str(result["data_schema"].schema)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"aes_key": "00" * 16, "unlock_key": "12345"}
    )
    assert result["errors"] == {"base": "invalid_lock_keys"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"lock_data": "not lockdata"}
    )
    assert result["errors"] == {"base": "invalid_lock_keys"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"lock_data": good})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert hass.states.get("lock.shed").state in {"locked", "unlocked", "unknown"}


async def test_reconfigure_renames_and_checks_new_keys(
    hass: HomeAssistant, shed: SimulatedLock
) -> None:
    """Reconfigure shows the lock form (not the account form): a new name alone is taken;
    new keys must open the lock."""
    entry = _entry(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure_lock"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Garden shed", "aes_key": "00" * 16, "unlock_key": "1"}
    )
    assert result["errors"] == {"base": "invalid_lock_keys"}
    assert entry.title == "Shed"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Garden shed"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.title == "Garden shed"
    assert entry.data["name"] == "Garden shed"
