"""Fixtures for the simulator tests: a real loopback server and a raw aiohttp client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from sim_helpers import CloudClient

from simulator import CloudServer, World, load_scenario


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """The simulator listens on 127.0.0.1 (pytest-socket allows that host only)."""


@pytest.fixture
def world() -> World:
    return load_scenario("home")


@pytest.fixture
async def server(world: World) -> AsyncIterator[CloudServer]:
    cloud_server = CloudServer(world)
    await cloud_server.start(host="127.0.0.1", port=0)
    yield cloud_server
    await cloud_server.stop()


@pytest.fixture
async def session(server: CloudServer) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def cloud(session: aiohttp.ClientSession, server: CloudServer, world: World) -> CloudClient:
    assert server.base_url is not None
    return CloudClient(session, server.base_url, world)


@pytest.fixture
async def demo(cloud: CloudClient) -> CloudClient:
    """A client logged in as the demo account."""
    await cloud.login()
    return cloud
