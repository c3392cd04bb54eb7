"""The SDK cloud client against the simulated cloud (no Home Assistant)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from simulator import CloudServer, World, load_scenario


@pytest.fixture
def scenario() -> str:
    """Scenario to load (override with parametrize)."""
    return "home"


@pytest.fixture
async def world_server(scenario: str, socket_enabled: None) -> AsyncIterator[tuple[World, str]]:
    """The simulator on loopback: (world, base_url)."""
    world = load_scenario(scenario)
    async with CloudServer(world) as server:
        yield world, server.base_url


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session (the SDK takes it injected)."""
    async with aiohttp.ClientSession() as session:
        yield session
