"""Constants and helpers shared by the integration tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.ttlock_access.const import (
    CONF_BASE_URL,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_PASSWORD_MD5,
    CONF_REGION,
    DEFAULT_POLL_INTERVAL,
    REGION_CUSTOM,
)
from custom_components.ttlock_access.schedule import WITHOUT_PUSH
from custom_components.ttlock_access.sdk.cloud import md5_password
from simulator import CloudServer, World
from simulator.ble import SimulatedLock, VirtualAir
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
