"""Config flow: user, custom server, every error and its recovery, reauth, reconfigure, options."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import (
    CONF_BASE_URL,
    CONF_MONTHLY_BUDGET,
    CONF_PASSWORD_MD5,
    CONF_POLL_INTERVAL,
    CONF_SWEEP_CALLS,
    CONF_TOKEN,
    DOMAIN,
)
from custom_components.ttlock_access.sdk.cloud import REGION_URLS, md5_password
from custom_components.ttlock_access.sdk.model import Region
from tests.integration.helpers import CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME, Cloud

USER_INPUT = {
    "region": "custom",
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "username": USERNAME,
    "password": PASSWORD,
}


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "account"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "account"
    return result["flow_id"]


async def test_user_flow_custom_server(hass: HomeAssistant, cloud: Cloud) -> None:
    """Signing in to the simulator creates an entry keyed by the TTLock uid."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, USER_INPUT)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "custom_server"
    with patch("custom_components.ttlock_access.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_BASE_URL: cloud.base_url + "/"}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == USERNAME
    entry = result["result"]
    assert entry.unique_id == str(cloud.uid)
    data = result["data"]
    assert data[CONF_BASE_URL] == cloud.base_url
    assert data[CONF_PASSWORD_MD5] == md5_password(PASSWORD)
    assert PASSWORD not in str(data)  # never the plaintext password
    assert data[CONF_TOKEN]["uid"] == cloud.uid
    assert data[CONF_TOKEN]["access_token"]


async def test_user_flow_region(hass: HomeAssistant, cloud: Cloud) -> None:
    """The EU region signs in at the EU host (pointed at the simulator here)."""
    flow_id = await _start(hass)
    with (
        patch.dict(REGION_URLS, {Region.EU: cloud.base_url}),
        patch("custom_components.ttlock_access.async_setup_entry", return_value=True),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {**USER_INPUT, "region": "eu"}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["region"] == "eu"
    assert result["data"][CONF_BASE_URL] == cloud.base_url


@pytest.mark.parametrize(
    ("change", "fault", "error"),
    [
        ({"client_secret": "wrong"}, None, "invalid_client"),
        ({"client_id": "unknown-client"}, None, "invalid_client"),
        ({"password": "wrong-password"}, None, "invalid_auth"),
        ({"username": "nobody@example.com"}, None, "invalid_auth"),
        ({"username": "cn-user@example.com", "password": "cn-password"}, None, "wrong_region"),
        ({}, 80000, "clock_skew"),
        ({}, 90000, "unknown"),
        ({}, "http500", "cannot_connect"),
    ],
)
async def test_user_flow_errors_and_recovery(
    hass: HomeAssistant, cloud: Cloud, change: dict[str, str], fault: object, error: str
) -> None:
    """Each sign-in failure shows its form error on the step that can fix it, and fixing
    the input there then succeeds in the same flow."""
    if fault == "http500":
        cloud.world.faults.fail_next("oauth2/token", errcode=90000, http_status=500)
    elif fault is not None:
        assert isinstance(fault, int)
        cloud.world.faults.fail_next("oauth2/token", errcode=fault)
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {**USER_INPUT, **change})
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_BASE_URL: cloud.base_url}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    if change:
        # a credential the server refused: back on the form with the secret and password
        assert result["step_id"] == "account"
        fields = {str(key) for key in result["data_schema"].schema}
        assert {"client_secret", "password"} <= fields
        result = await hass.config_entries.flow.async_configure(flow_id, USER_INPUT)
        # the URL step again, with the URL already typed
        assert result["step_id"] == "custom_server"
        [url_field] = result["data_schema"].schema
        assert url_field.default() == cloud.base_url
    else:
        # the server itself misbehaved: its URL step, to retry or change it
        assert result["step_id"] == "custom_server"
    with patch("custom_components.ttlock_access.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_BASE_URL: cloud.base_url}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PASSWORD_MD5] == md5_password(PASSWORD)


async def test_region_error_shows_user_form(hass: HomeAssistant, cloud: Cloud) -> None:
    """An error on a regional host re-shows the account form, which then recovers."""
    flow_id = await _start(hass)
    with patch.dict(REGION_URLS, {Region.EU: cloud.base_url}):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {**USER_INPUT, "region": "eu", "password": "bad"}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "account"
        assert result["errors"] == {"base": "invalid_auth"}
        with patch("custom_components.ttlock_access.async_setup_entry", return_value=True):
            result = await hass.config_entries.flow.async_configure(
                flow_id, {**USER_INPUT, "region": "eu"}
            )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_cannot_connect_when_server_down(hass: HomeAssistant, cloud: Cloud) -> None:
    """A server that does not answer is cannot_connect."""
    url = cloud.base_url
    await cloud.server.stop()
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, USER_INPUT)
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_BASE_URL: url})
    assert result["errors"] == {"base": "cannot_connect"}


async def test_invalid_url(hass: HomeAssistant, cloud: Cloud) -> None:
    """The custom server must be an http(s) URL."""
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, USER_INPUT)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_BASE_URL: "127.0.0.1:8765"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_BASE_URL: "invalid_url"}


async def test_same_account_twice_aborts(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """The same TTLock account cannot be added twice."""
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, USER_INPUT)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_BASE_URL: cloud.base_url}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth_after_password_change(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """An employee left and the password was changed: reauth with the new one."""
    cloud.world.change_password(USERNAME, "new-password")
    result = await setup_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["username"] == USERNAME
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": PASSWORD}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": "new-password"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert setup_entry.data[CONF_PASSWORD_MD5] == md5_password("new-password")
    await hass.async_block_till_done()
    assert setup_entry.state is config_entries.ConfigEntryState.LOADED


async def test_reauth_other_account_aborts(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """Signing in as somebody else during reauth is refused."""
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, "username": "second@example.com"}
    )
    result = await config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"password": "second-password"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


async def test_reconfigure(hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry) -> None:
    """Reconfigure moves the entry to another server URL after signing in there."""
    result = await setup_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, "password": "bad"}
    )
    assert result["step_id"] == "custom_server"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BASE_URL: cloud.base_url + "/"}
    )
    # the wrong password is reported on the form that has the password field
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    assert result["step_id"] == "custom_server"
    [url_field] = result["data_schema"].schema
    assert url_field.default() == cloud.base_url
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BASE_URL: cloud.base_url + "/"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert setup_entry.data[CONF_BASE_URL] == cloud.base_url


async def test_reconfigure_region_and_errors(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Reconfigure to a region host: errors re-show the form; another account aborts."""
    with patch.dict(REGION_URLS, {Region.EU: cloud.base_url}):
        result = await setup_entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {**USER_INPUT, "region": "eu", "client_secret": "x"}
        )
        assert result["step_id"] == "reconfigure"
        assert result["errors"] == {"base": "invalid_client"}
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                **USER_INPUT,
                "region": "eu",
                "username": "second@example.com",
                "password": "second-password",
            },
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "wrong_account"
        result = await setup_entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {**USER_INPUT, "region": "eu"}
        )
        assert result["reason"] == "reconfigure_successful"
        assert setup_entry.data["region"] == "eu"


async def test_options_flow(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Options set the poll interval, per-lock calls and the monthly budget, and reload."""
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_POLL_INTERVAL: 30,
            CONF_SWEEP_CALLS: 2,
            CONF_MONTHLY_BUDGET: 5000,
            "monthly_passcode_limit": 5,
            "stay_connected": True,
            "offline_fallback": False,
            "meter_interval": 6,
            "low_balance": 2.5,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert setup_entry.options == {
        CONF_POLL_INTERVAL: 30,
        CONF_SWEEP_CALLS: 2,
        CONF_MONTHLY_BUDGET: 5000,
        "monthly_passcode_limit": 5,
        "stay_connected": True,
        "offline_fallback": False,
        "meter_interval": 6,
        "low_balance": 2.5,
    }
    coordinator = setup_entry.runtime_data.coordinator
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() == 30 * 60
    assert coordinator.sweep_calls == 2
    assert setup_entry.runtime_data.usage.budget == 5000
    meters = setup_entry.runtime_data.meters
    assert meters is not None and meters.update_interval is not None
    assert meters.update_interval.total_seconds() == 6 * 3600
    assert coordinator.ble.stay_connected
