"""Diagnostics carry the account's state and never a secret."""

from __future__ import annotations

import json

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.ttlock_access.const import CONF_PASSWORD_MD5, CONF_TOKEN
from tests.integration.helpers import CLIENT_SECRET, PASSWORD, USERNAME, Cloud, tick


async def test_diagnostics_redact_every_secret(
    hass: HomeAssistant,
    hass_client,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Tokens, password digest, client secret, lockData, keys and MACs are redacted."""
    await tick(hass, freezer, 1)  # (the test client's token lives 30 minutes)
    diag = await get_diagnostics_for_config_entry(hass, hass_client, setup_entry)
    text = json.dumps(diag)
    secrets = [
        CLIENT_SECRET,
        PASSWORD,
        USERNAME,
        setup_entry.data[CONF_PASSWORD_MD5],
        setup_entry.data[CONF_TOKEN]["access_token"],
        setup_entry.data[CONF_TOKEN]["refresh_token"],
    ]
    for lock in cloud.world.locks.values():
        secrets += [lock.lock_data, lock.lock_mac]
    for secret in secrets:
        assert secret not in text
    assert diag["api"]["calls_this_month"] > 0
    assert diag["native_backend"] in ("c", "python")
    names = {lock["lock"]["name"] for lock in diag["locks"]}
    assert names == {"Front Door", "Garage", "Back Door"}
    front = next(lock for lock in diag["locks"] if lock["lock"]["name"] == "Front Door")
    assert front["detail"]["model_num"] == "SN9161-FPC-NO32K_PV53"
    assert "gateway_unlock" in front["lock"]["features"]
