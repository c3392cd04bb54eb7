"""Constants and helpers shared by the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.ttlock_access.const import (
    CONF_BASE_URL,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_PASSWORD_MD5,
    CONF_REGION,
    DEFAULT_POLL_INTERVAL,
    DOMAIN,
    REGION_CUSTOM,
)
from custom_components.ttlock_access.schedule import WITHOUT_PUSH
from custom_components.ttlock_access.sdk.cloud import md5_password
from simulator import CloudServer, World
from simulator.ble import SimulatedLock, VirtualAir
from simulator.ble.ha import async_register_virtual_proxy
from simulator.ble.scanner import VirtualProxyScanner

CLIENT_ID = "sim-client-id"
CLIENT_SECRET = "sim-client-secret"
USERNAME = "demo@example.com"
PASSWORD = "demo-password"
SHED = "C0:FF:EE:19:10:7A"
"""Address of the locally paired lock of the ``shed`` fixture."""


@dataclass
class Cloud:
    """The running simulated cloud."""

    world: World
    server: CloudServer
    base_url: str

    @property
    def username(self) -> str:
        """The scenario's main account (the first one listed)."""
        return next(iter(self.world.scenario_passwords))

    @property
    def password(self) -> str:
        """Its plain password."""
        return self.world.scenario_passwords[self.username]

    @property
    def uid(self) -> int:
        """Its TTLock uid."""
        account = self.world.account_by_username(self.username)
        assert account is not None
        return account.uid


def entry_data(cloud: Cloud) -> dict[str, str]:
    """Config entry data for the scenario's account on the simulator (tokens come at setup)."""
    return {
        CONF_REGION: REGION_CUSTOM,
        CONF_BASE_URL: cloud.base_url,
        CONF_CLIENT_ID: CLIENT_ID,
        CONF_CLIENT_SECRET: CLIENT_SECRET,
        "username": cloud.username,
        CONF_PASSWORD_MD5: md5_password(cloud.password),
    }


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Let time pass in Home Assistant (timers, coordinator polls) and settle."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    # coordinator refreshes run as background tasks: wait for them too
    await hass.async_block_till_done(wait_background_tasks=True)


async def poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory, cycles: int = 1) -> None:
    """Run ``cycles`` coordinator polls that read the inventory (without pushes: one every
    2 h; the polls in between read per-lock data only)."""
    for _ in range(cycles):
        await advance(hass, freezer, WITHOUT_PUSH.inventory.total_seconds() + 1)


async def tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, cycles: int = 1) -> None:
    """Run ``cycles`` coordinator polls at the default interval (no inventory unless due)."""
    for _ in range(cycles):
        await advance(hass, freezer, DEFAULT_POLL_INTERVAL * 60 + 1)


@dataclass
class BleWorld:
    """The simulated Bluetooth side: the air, the virtual proxy and the world-linked locks."""

    air: VirtualAir
    scanner: VirtualProxyScanner
    locks: dict[int, SimulatedLock]


@asynccontextmanager
async def paired_locally(
    hass: HomeAssistant, lock: SimulatedLock, name: str
) -> AsyncIterator[SimulatedLock]:
    """``lock`` (factory-fresh) heard through a virtual proxy and paired from Home Assistant's
    discovery: a Bluetooth-only entry called ``name``."""
    backoff = patch("bleak_retry_connector.calculate_backoff_time", return_value=0)
    backoff.start()
    air = VirtualAir()
    air.add(lock)
    _scanner, remove = async_register_virtual_proxy(hass, air)
    await hass.async_block_till_done(wait_background_tasks=True)
    flow = next(
        f
        for f in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if f["context"].get("unique_id") == lock.address
    )
    await hass.config_entries.flow.async_configure(flow["flow_id"], {"name": name})
    await hass.async_block_till_done(wait_background_tasks=True)  # incl. the settings read
    try:
        yield lock
    finally:
        remove()
        backoff.stop()


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any], *, context: Context | None = None
) -> dict[str, Any]:
    """Call an action of the integration and return its response."""
    response = await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True, context=context
    )
    assert isinstance(response, dict)
    return response


def pending(hass: HomeAssistant, lock: str) -> str:
    """The pending access changes sensor of a lock (by its entity slug)."""
    state = hass.states.get(f"sensor.{lock}_pending_access_changes")
    assert state is not None
    return state.state


async def logbook_entries(
    hass: HomeAssistant, client: Any, since: datetime
) -> list[dict[str, Any]]:
    """This integration's logbook lines from ``since`` until a minute from now, read over the
    websocket API the way the logbook page reads them (the recorder is flushed first)."""
    await async_wait_recording_done(hass)
    await client.send_json(
        {
            "id": 9001,
            "type": "logbook/get_events",
            "start_time": since.isoformat(),
            "end_time": (dt_util.utcnow() + timedelta(minutes=1)).isoformat(),
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    return [entry for entry in response["result"] if entry.get("domain") == DOMAIN]
