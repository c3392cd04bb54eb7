"""The Bluetooth link's lifetime through Home Assistant: a burst of commands shares one
connection, an idle link is dropped to save the lock's battery, ``stay_connected`` keeps it,
and a link the lock dropped is re-established by the next command. Virtual time only."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_LOCK, SERVICE_UNLOCK
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ttlock_access.const import CONF_STAY_CONNECTED
from tests.integration.helpers import BleWorld, Cloud

BACK = 5001103


async def _command(hass: HomeAssistant, service: str) -> None:
    await hass.services.async_call(
        LOCK_DOMAIN, service, {ATTR_ENTITY_ID: "lock.back_door"}, blocking=True
    )


async def _wait(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Let virtual time pass once the background work (reading the lock's new log records over
    the same link) is done; then a few loop turns for a disconnect to complete."""
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    for _ in range(20):
        await asyncio.sleep(0)


@pytest.fixture
def stay_connected() -> bool:
    return False


@pytest.fixture
async def entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, stay_connected: bool
) -> MockConfigEntry:
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_STAY_CONNECTED: stay_connected}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


async def test_idle_link_is_dropped(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Commands close together share a connection; a few idle seconds later it is closed."""
    lock = ble.locks[BACK]
    before = lock.connections
    await _command(hass, SERVICE_UNLOCK)
    await _wait(hass, freezer, 2)
    await _command(hass, SERVICE_LOCK)
    assert lock.connections == before + 1
    assert lock.connected
    await _wait(hass, freezer, 6)
    assert not lock.connected
    assert ble.scanner.links == []  # the proxy's slot is free again
    await _command(hass, SERVICE_UNLOCK)
    assert lock.connections == before + 2
    assert not lock.locked


@pytest.mark.parametrize("stay_connected", [True])
async def test_stay_connected_keeps_the_link(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With the option on, the link survives idle time and later commands reuse it."""
    lock = ble.locks[BACK]
    before = lock.connections
    await _command(hass, SERVICE_UNLOCK)
    await _wait(hass, freezer, 10)  # twice the idle timeout
    assert lock.connected
    await _command(hass, SERVICE_LOCK)
    assert lock.connections == before + 1
    assert lock.locked
    # the lock drops the link (it rebooted, or went out of range and back): reconnect
    lock.drop_link()
    await hass.async_block_till_done()
    await _command(hass, SERVICE_UNLOCK)
    assert lock.connections == before + 2
    assert not lock.locked
    # unloading the entry closes the kept link
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert not lock.connected
