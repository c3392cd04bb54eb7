"""Fixtures for tests that run the integration against the simulated cloud."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from homeassistant.const import MATCH_ALL
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from custom_components.ttlock_access.diagnostics import async_get_config_entry_diagnostics
from simulator import CloudServer, load_scenario
from simulator.ble import SimulatedLock, VirtualAir
from simulator.ble.ha import async_register_virtual_proxy
from simulator.ble.world_link import lock_from_world
from tests.integration.helpers import SHED, BleWorld, Cloud, entry_data, paired_locally
from tests.integration.secret_scan import MAX_LOCKS, completed, leaks
from tests.integration.webhook_helpers import ClientFactory, Push, enable_push


@pytest.fixture(autouse=True)
def secret_scan(
    request: pytest.FixtureRequest, hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """Every test that runs the simulated world: no secret of it in the logs, states,
    events, repair issues or diagnostics when the test ends (tests/integration/secret_scan.py)."""
    cloud: Cloud | None = None
    if "cloud" in request.fixturenames:
        cloud = request.getfixturevalue("cloud")
    if cloud is not None and len(cloud.world.locks) > MAX_LOCKS:
        cloud = None  # the 1,000-lock scenario: not scanned (and not logged at DEBUG)
    else:
        caplog.set_level(logging.DEBUG, logger="custom_components.ttlock_access")
    events: list[Event[Any]] = []
    hass.bus.async_listen(MATCH_ALL, events.append)
    yield
    if cloud is None or request.node.get_closest_marker("no_secret_scan"):
        return
    records = caplog.get_records("setup") + caplog.get_records("call")
    diagnostics = [
        completed(async_get_config_entry_diagnostics(hass, entry))
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        if getattr(entry, "runtime_data", None) is not None  # not a patched-out setup
    ]
    assert leaks(hass, cloud.world, records, events, diagnostics) == []


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Load custom_components/ttlock_access (and a mocked Bluetooth stack) in every test; a
    test that uses the logbook gets the recorder first (it must exist before Home Assistant)."""
    if "logbook" in request.fixturenames:
        request.getfixturevalue("recorder_mock")
    request.getfixturevalue("enable_custom_integrations")
    request.getfixturevalue("enable_bluetooth")


@pytest.fixture
async def logbook(hass: HomeAssistant) -> None:
    """The logbook, set up before the entry and the HTTP test client (which freezes the
    router). The logbook needs the frontend only for its panel: marked as loaded, not set up."""
    hass.config.components.add("frontend")
    assert await async_setup_component(hass, "logbook", {})


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


@pytest.fixture
def ble_lock_ids() -> tuple[int, ...]:
    """World locks that are in Bluetooth range of Home Assistant (override per test)."""
    return (5001101, 5001103)  # Front Door (also behind the gateway) and Back Door


@pytest.fixture
async def ble(
    hass: HomeAssistant, cloud: Cloud, ble_lock_ids: tuple[int, ...]
) -> AsyncIterator[BleWorld]:
    """Simulated BLE locks of the cloud world, heard through a virtual Bluetooth proxy
    registered with Home Assistant's real Bluetooth stack (docs/virtual-ble-proxy.md)."""
    # A vanished device is a transient error for bleak-retry-connector, retried with a 4 s
    # backoff ~9 times; tests need no real waiting (docs/virtual-ble-proxy.md pitfall 9).
    backoff = patch("bleak_retry_connector.calculate_backoff_time", return_value=0)
    backoff.start()
    air = VirtualAir()
    locks = {lock_id: lock_from_world(cloud.world, lock_id) for lock_id in ble_lock_ids}
    for lock in locks.values():
        air.add(lock)
    scanner, remove = async_register_virtual_proxy(hass, air, slots=3)
    await hass.async_block_till_done()
    try:
        yield BleWorld(air=air, scanner=scanner, locks=locks)
    finally:
        remove()
        backoff.stop()


@pytest.fixture
async def push(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientFactory,
) -> Push:
    """A record (or any callback) arrives: the simulated cloud pushes to the set-up entry's
    webhook, as TTLock does once the developer application's callback URL points at it."""
    return await enable_push(hass, cloud, setup_entry, hass_client_no_auth)


@pytest.fixture
async def shed(hass: HomeAssistant) -> AsyncIterator[SimulatedLock]:
    """A factory-fresh lock paired from Home Assistant: a local entry named "Shed" (no
    TTLock account; Bluetooth is its only path)."""
    lock = SimulatedLock.factory_fresh(SHED, seed="local", features=(0, 4, 8, 18))
    async with paired_locally(hass, lock, "Shed") as paired:
        yield paired


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Entities disabled by default are enabled (snapshots show every entity)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield
