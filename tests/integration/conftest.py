"""Fixtures for tests that run the integration against the simulated cloud."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from simulator import CloudServer, load_scenario
from tests.integration.helpers import Cloud, entry_data


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    enable_bluetooth: None, enable_custom_integrations: None
) -> None:
    """Load custom_components/ttlock_access (and a mocked Bluetooth stack) in every test."""
    return


@pytest.fixture
def scenario() -> str:
    """Scenario the simulated cloud starts from (override per module)."""
    return "home"


@pytest.fixture
async def cloud(scenario: str, socket_enabled: None) -> AsyncIterator[Cloud]:
    """The simulated TTLock cloud on a free loopback port (sockets allowed on loopback only)."""
    world = load_scenario(scenario)
    server = CloudServer(world)
    base_url = await server.start("127.0.0.1", 0)
    try:
        yield Cloud(world=world, server=server, base_url=base_url)
    finally:
        await server.stop()


@pytest.fixture
def config_entry(hass: HomeAssistant, cloud: Cloud) -> MockConfigEntry:
    """The demo account's entry, added to hass but not set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=cloud.username,
        unique_id=str(cloud.uid),
        data=entry_data(cloud),
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def setup_entry(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The demo account, set up."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry
