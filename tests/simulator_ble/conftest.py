"""Fixtures for the simulated BLE lock tests.

Most tests run without Home Assistant: the integration's sans-IO operations are driven over
``bleak_retry_connector.establish_connection(..., backend=VirtualClient.bind(air))``
(:mod:`sim_ble_driver`). A few tests use HA's ``enable_bluetooth`` to prove the remote-scanner
path; they request ``enable_custom_integrations`` themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from unittest.mock import patch

import pytest
from sim_ble_driver import SimLink
from sim_ble_helpers import keys_of, make_lock, open_link

from custom_components.ttlock_access.sdk.ble import LockKeys
from simulator.ble import SimulatedLock, VirtualAir


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No Home Assistant unless a test asks for it (overrides any HA autouse)."""
    return


@pytest.fixture
def no_backoff() -> Iterator[None]:
    """bleak-retry-connector backs off 4 s per failed connect (recipe pitfall 9)."""
    with patch("bleak_retry_connector.calculate_backoff_time", return_value=0.0):
        yield


@pytest.fixture
def air() -> VirtualAir:
    return VirtualAir()


@pytest.fixture
def lock(air: VirtualAir) -> SimulatedLock:
    return air.add(make_lock())


@pytest.fixture
def keys(lock: SimulatedLock) -> LockKeys:
    return keys_of(lock)


@pytest.fixture
async def link(air: VirtualAir, lock: SimulatedLock) -> AsyncIterator[SimLink]:
    sim_link = await open_link(air, lock)
    yield sim_link
    await sim_link.client.disconnect()
