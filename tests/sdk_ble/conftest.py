"""Fixtures for the Bluetooth protocol core tests: pure byte-level tests, no Home Assistant.

The root conftest enables custom integrations for every test (which starts Home Assistant);
these tests never need it, so the autouse fixture is overridden with a no-op here.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No Home Assistant for the sans-IO core."""
    return
