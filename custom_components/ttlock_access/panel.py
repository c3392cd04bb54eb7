"""The Access panel: an admin-only sidebar entry served from this integration's own folder.

The panel is one web component (``frontend/ttlock-access-panel.js``, a plain ES module: no
build step, nothing fetched from the network). Home Assistant serves the folder itself; the
module's URL carries a digest of the file so that a browser never keeps an old copy after
an update. Its data comes from the websocket commands of :mod:`.websocket_api`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from homeassistant.components import panel_custom
from homeassistant.components.http.server import StaticPathConfig
from homeassistant.core import HomeAssistant

from .const import DOMAIN

PANEL_URL_PATH: Final = "ttlock-access"
"""Where the panel opens: ``/ttlock-access``."""
PANEL_ELEMENT: Final = "ttlock-access-panel"
PANEL_TITLE: Final = "Access"
PANEL_ICON: Final = "mdi:key-chain"
STATIC_URL: Final = f"/{DOMAIN}/frontend"
MODULE_FILE: Final = "ttlock-access-panel.js"
FRONTEND_DIR: Final = Path(__file__).parent / "frontend"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


async def async_setup_panel(hass: HomeAssistant) -> None:
    """Serve the panel's folder and add the sidebar entry (once, in ``async_setup``)."""
    version = await hass.async_add_executor_job(_digest, FRONTEND_DIR / MODULE_FILE)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(STATIC_URL, str(FRONTEND_DIR), cache_headers=True)]
    )
    await panel_custom.async_register_panel(
        hass,
        frontend_url_path=PANEL_URL_PATH,
        webcomponent_name=PANEL_ELEMENT,
        sidebar_title=PANEL_TITLE,
        sidebar_icon=PANEL_ICON,
        module_url=f"{STATIC_URL}/{MODULE_FILE}?v={version}",
        require_admin=True,
        config={"domain": DOMAIN},
    )
