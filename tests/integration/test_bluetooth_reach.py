"""When Bluetooth is (not) a path: key material from the cloud that cannot be used, and a
lock that Home Assistant's Bluetooth stack stops hearing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from unittest.mock import patch

import pytest
from bluetooth_data_tools import monotonic_time_coarse
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_UNLOCK, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.ble import SimulatedLock
from tests.integration.helpers import BleWorld, Cloud, advance, paired_locally

FRONT = 5001101
FRESH = "C0:FF:EE:19:10:79"


@pytest.mark.parametrize("lock_data", ["", "bm90IGxvY2tEYXRh"])
async def test_unusable_key_material_leaves_the_gateway(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    config_entry: MockConfigEntry,
    lock_data: str,
) -> None:
    """Front Door is in range, but the cloud gives no (or unreadable) lockData: commands go
    through its gateway, and Bluetooth is not offered."""
    cloud.world.lock(FRONT)._lock_data = lock_data  # what lock/list returns
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_door_connection_path").state == "gateway"
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: "lock.front_door"}, blocking=True
    )
    path = hass.states.get("sensor.front_door_connection_path")
    assert path.attributes["last_command_path"] == "gateway"
    assert ble.locks[FRONT].connections == 0  # never connected over Bluetooth


@pytest.fixture
async def shed(hass: HomeAssistant, cloud: Cloud) -> AsyncIterator[SimulatedLock]:
    """A lock paired locally (a Bluetooth-only entry), heard through a virtual proxy."""
    async with paired_locally(
        hass, SimulatedLock.factory_fresh(FRESH, seed="reach"), "Shed"
    ) as lock:
        yield lock


async def test_local_lock_that_goes_silent_becomes_unavailable(
    hass: HomeAssistant,
    shed: SimulatedLock,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Bluetooth is a local lock's only path: once Home Assistant's Bluetooth stack declares
    it gone, its entities are unavailable (not 15 minutes later); going and coming back are
    each logged once."""
    assert hass.states.get("lock.shed").state == "locked"
    shed.set_in_range(False)  # no more advertisements
    later = monotonic_time_coarse() + 3600
    with (
        patch("habluetooth.base_scanner.monotonic_time_coarse", return_value=later),
        patch("habluetooth.manager.monotonic_time_coarse", return_value=later),
    ):
        # the proxy expires the device, then the manager's periodic check reports it gone
        await advance(hass, freezer, 301)
        await advance(hass, freezer, 301)
    assert hass.states.get("lock.shed").state == STATE_UNAVAILABLE

    gone = [r for r in caplog.records if "is out of Bluetooth range" in r.getMessage()]
    assert len(gone) == 1 and gone[0].levelname == "INFO"
    shed.set_in_range(True)
    for _ in range(3):
        await advance(hass, freezer, 30)
    assert hass.states.get("lock.shed").state != STATE_UNAVAILABLE
    back = [r for r in caplog.records if "is back in Bluetooth range" in r.getMessage()]
    assert len(back) == 1
    assert len([r for r in caplog.records if "is out of Bluetooth range" in r.getMessage()]) == 1


async def test_local_lock_never_heard_is_not_ready(hass: HomeAssistant, cloud: Cloud) -> None:
    """A Bluetooth-only entry whose lock no adapter or proxy has heard lately is not set up
    blind: set-up is retried (ConfigEntryNotReady) until the lock is heard."""
    from homeassistant.config_entries import ConfigEntryState

    from custom_components.ttlock_access.const import (
        CONF_ENTRY_TYPE,
        CONF_LOCK_DATA,
        DOMAIN,
        ENTRY_LOCK,
    )

    lock = SimulatedLock.factory_fresh("C0:FF:EE:19:10:70", seed="silent")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Cellar",
        unique_id=lock.address,
        data={
            CONF_ENTRY_TYPE: ENTRY_LOCK,
            "address": lock.address,
            "name": "Cellar",
            CONF_LOCK_DATA: {"lockMac": lock.address, "lockName": "Cellar"},
        },
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "has not been heard over Bluetooth recently" in str(entry.reason)
