"""Bluetooth config flows at their edges: no free proxy slot, a lock paired by someone else
meanwhile or forgotten by Home Assistant, keys that are incomplete or of an account lock,
user keys without the admin part, and a link that keeps failing while keys are checked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from unittest.mock import patch

import pytest
from habluetooth import get_manager
from homeassistant.components import bluetooth
from homeassistant.config_entries import SOURCE_BLUETOOTH, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.ble import native_passcode_table
from custom_components.ttlock_access.const import DOMAIN
from custom_components.ttlock_access.sdk.ble import Pair, ProtocolHeader, parse_lock_data
from custom_components.ttlock_access.sdk.ble.transport import BleLockLink
from simulator.ble import SimulatedLock, VirtualAir
from simulator.ble.ha import async_register_virtual_proxy
from simulator.ble.scanner import VirtualProxyScanner
from simulator.ble.world_link import lock_from_world
from tests.integration.helpers import Cloud

FRESH = "C0:FF:EE:19:10:78"
BACK = 5001103


@pytest.fixture
async def radio(
    hass: HomeAssistant, cloud: Cloud
) -> AsyncIterator[tuple[VirtualAir, VirtualProxyScanner]]:
    """A factory-fresh lock and the account's Back Door, heard through a virtual proxy."""
    backoff = patch("bleak_retry_connector.calculate_backoff_time", return_value=0)
    backoff.start()
    air = VirtualAir()
    air.add(SimulatedLock.factory_fresh(FRESH, seed="edge"))
    air.add(lock_from_world(cloud.world, BACK))
    scanner, remove = async_register_virtual_proxy(hass, air)
    await hass.async_block_till_done(wait_background_tasks=True)  # discovery flows
    try:
        yield air, scanner
    finally:
        remove()
        backoff.stop()


def _flow(hass: HomeAssistant, unique_id: str) -> dict[str, Any]:
    return next(
        f
        for f in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if f["context"].get("unique_id") == unique_id
    )


def _fresh(air: VirtualAir) -> SimulatedLock:
    lock = air.get(FRESH)
    assert isinstance(lock, SimulatedLock)
    return lock


async def _menu(hass: HomeAssistant, step: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    return await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": step})


async def test_pairing_waits_for_a_free_proxy_slot(
    hass: HomeAssistant, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """Every proxy slot in use: the user is told so, and pairs once one is free."""
    air, scanner = radio
    flow = _flow(hass, FRESH)
    scanner.slots = 0
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {"name": "Shed"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_slots"}
    assert _fresh(air).setting_mode
    scanner.slots = 2
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {"name": "Shed"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert not _fresh(air).setting_mode


async def test_lock_paired_elsewhere_meanwhile(
    hass: HomeAssistant, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """The TTLock app paired the lock while the flow waited: it is no longer in pairing mode,
    and its new owner's keys are not touched."""
    air, _scanner = radio
    flow = _flow(hass, FRESH)
    lock = _fresh(air)
    link = BleLockLink(
        FRESH, "app", lambda: bluetooth.async_ble_device_from_address(hass, FRESH, True)
    )
    now = datetime.now()
    theirs = await link.run(
        lambda: Pair(ProtocolHeader(), now, passcode_table=native_passcode_table(now))
    )
    await link.close()
    assert not lock.setting_mode
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {"name": "Shed"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "not_in_setting_mode"}
    assert lock.aes_key == theirs.aes_key


async def test_chosen_lock_forgotten_by_home_assistant(
    hass: HomeAssistant, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """The lock listed for pairing went away before it was chosen: nothing to pair."""
    air, _scanner = radio
    result = await _menu(hass, "pair_lock")
    assert result["step_id"] == "pair_lock"
    _fresh(air).set_in_range(False)
    get_manager().async_clear_advertisement_history(FRESH)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"address": FRESH})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_unpaired_locks"


async def test_incomplete_keys_and_an_account_lock(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    radio: tuple[VirtualAir, VirtualProxyScanner],
) -> None:
    """An AES key without the unlock key is refused; the keys of a lock that the loaded
    account already has are not added twice."""
    world_lock = cloud.world.lock(BACK)
    keys = parse_lock_data(world_lock.lock_data)
    result = await _menu(hass, "lock_keys")
    fields = {"address": world_lock.lock_mac, "name": "Back", "aes_key": keys.aes_key.hex()}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], fields)
    assert result["errors"] == {"base": "invalid_lock_keys"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**fields, "unlock_key": str(keys.unlock_key)}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_in_account"


async def test_user_keys_open_but_cannot_enrol(
    hass: HomeAssistant, cloud: Cloud, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """Without the admin password (an eKey holder's keys) the lock is added and opens, but
    enrolling a card needs the admin keys: the action says so."""
    world_lock = cloud.world.lock(BACK)
    keys = parse_lock_data(world_lock.lock_data)
    result = await _menu(hass, "lock_keys")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "address": world_lock.lock_mac,
            "name": "Back",
            "aes_key": keys.aes_key.hex(),
            "unlock_key": str(keys.unlock_key),
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "adminPwd" not in result["data"]["lock_data"]
    await hass.async_block_till_done()
    await hass.services.async_call("lock", "unlock", {"entity_id": "lock.back"}, blocking=True)
    assert cloud.world.lock(BACK).state == 1
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "add_card",
            {"entity_id": "lock.back", "name": "Card"},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "ble_keys"


async def test_checking_keys_over_a_failing_link(
    hass: HomeAssistant, cloud: Cloud, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """Keys are checked by talking to the lock: a link that keeps dropping is reported as a
    Bluetooth failure, not as wrong keys; the same keys work once the link holds."""
    air, _scanner = radio
    world_lock = cloud.world.lock(BACK)
    lock = air.get(world_lock.lock_mac)
    assert isinstance(lock, SimulatedLock)
    flow = _flow(hass, world_lock.lock_mac)
    lock.faults.drop_mid_frame = 10
    data = {"name": "Back", "lock_data": world_lock.lock_data}
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], data)
    assert result["errors"] == {"base": "ble_failed"}
    lock.faults.clear()
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], data)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_lock_of_an_account_that_is_not_loaded(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    radio: tuple[VirtualAir, VirtualProxyScanner],
) -> None:
    """Only a loaded account tells which locks it has: with it not loaded, the discovered
    lock is offered for its keys."""
    address = cloud.world.lock(BACK).lock_mac
    info = bluetooth.async_last_service_info(hass, address, True)
    assert info is not None
    for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN):
        hass.config_entries.flow.async_abort(flow["flow_id"])
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=info
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "lock_keys"


async def test_lift_controllers_and_configured_locks_are_not_offered(
    hass: HomeAssistant, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """A TTHotel lift controller (scene 12) is not a lock: its discovery is refused and the
    pairing menu does not list it, nor a lock that already has an entry."""
    air, scanner = radio
    lift_mac = "C0:FF:EE:12:12:12"
    air.add(SimulatedLock.lift_controller(lift_mac, aes_key=None, admin_ps=None, unlock_key=None))
    scanner.inject(lift_mac)
    await hass.async_block_till_done(wait_background_tasks=True)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert all(f["context"].get("unique_id") != lift_mac for f in flows)
    info = bluetooth.async_last_service_info(hass, lift_mac, True)
    assert info is not None
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=info
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "not_supported")

    # the fresh lock gets an entry (pairing it); the menu then offers nothing to pair
    flow = _flow(hass, FRESH)
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {"name": "Shed"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    _fresh(air).setting_mode = True  # reset by hand: still advertising pairing mode
    scanner.inject(FRESH)
    await hass.async_block_till_done(wait_background_tasks=True)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "pair_lock"}
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "no_unpaired_locks")
