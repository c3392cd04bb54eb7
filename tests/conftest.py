"""Shared test setup.

``custom_components`` must be importable before Home Assistant's ``hass`` fixture runs, or
HA would look for the integration in the plugin's own package (docs/virtual-ble-proxy.md step 6).
Home Assistant fixtures are only used under ``tests/integration``; the SDK, native and
simulator tests run without starting Home Assistant.
"""

from __future__ import annotations

import custom_components  # noqa: F401
