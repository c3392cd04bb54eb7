"""The Access panel: an admin-only sidebar entry whose module Home Assistant serves from the
integration's own folder (nothing from a CDN)."""

from __future__ import annotations

import re

from homeassistant.components.frontend import DATA_PANELS
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.ttlock_access.panel import FRONTEND_DIR, MODULE_FILE
from tests.integration.helpers import Cloud


async def test_panel_is_registered_for_admins(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The sidebar has "Access" (mdi:key-chain) for administrators, as the custom element
    ``ttlock-access-panel`` loaded as a module from the integration's static path."""
    panel = hass.data[DATA_PANELS]["ttlock-access"]
    assert panel.require_admin
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id({"type": "get_panels"})
    reply = await ws.receive_json()
    shown = reply["result"]["ttlock-access"]
    assert shown["title"] == "Access" and shown["icon"] == "mdi:key-chain"
    assert shown["require_admin"] is True and shown["component_name"] == "custom"
    custom = shown["config"]["_panel_custom"]
    assert custom["name"] == "ttlock-access-panel"
    assert custom["embed_iframe"] is False
    assert re.fullmatch(
        r"/ttlock_access/frontend/ttlock-access-panel\.js\?v=[0-9a-f]{12}", custom["module_url"]
    )


async def test_module_is_served_by_home_assistant(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Home Assistant's own web server serves the module (status 200, the file's bytes);
    the module defines the element and loads nothing from elsewhere."""
    panel = hass.data[DATA_PANELS]["ttlock-access"]
    url = panel.config["_panel_custom"]["module_url"]
    client = await hass_client()
    response = await client.get(url)
    assert response.status == 200
    body = await response.text()
    assert body == (FRONTEND_DIR / MODULE_FILE).read_text(encoding="utf-8")
    assert 'customElements.define("ttlock-access-panel"' in body
    assert not re.search(r"https?://", body)  # no CDN, no network fetch
    assert not re.search(r"^\s*import\s", body, re.MULTILINE)  # a single, self-contained module
