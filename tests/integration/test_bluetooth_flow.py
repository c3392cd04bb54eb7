"""Bluetooth config flows: discovery, local pairing, manual keys, and local lock entries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from unittest.mock import patch

import pytest
from homeassistant.components import bluetooth
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.config_entries import SOURCE_BLUETOOTH, SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_UNLOCK, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from simulator.ble import SimulatedLock, VirtualAir
from simulator.ble.ha import async_register_virtual_proxy
from simulator.ble.scanner import VirtualProxyScanner
from simulator.ble.world_link import lock_from_world
from tests.integration.helpers import Cloud

FRESH = "C0:FF:EE:19:10:77"
BACK = 5001103


@pytest.fixture
async def radio(
    hass: HomeAssistant, cloud: Cloud
) -> AsyncIterator[tuple[VirtualAir, VirtualProxyScanner]]:
    """A factory-fresh lock and the account's Back Door, heard through a virtual proxy."""
    backoff = patch("bleak_retry_connector.calculate_backoff_time", return_value=0)
    backoff.start()
    air = VirtualAir()
    air.add(SimulatedLock.factory_fresh(FRESH, seed="fresh"))
    air.add(lock_from_world(cloud.world, BACK))
    scanner, remove = async_register_virtual_proxy(hass, air)
    await hass.async_block_till_done(wait_background_tasks=True)  # discovery flows
    try:
        yield air, scanner
    finally:
        remove()
        backoff.stop()


def _flows(hass: HomeAssistant) -> list[dict]:
    return list(hass.config_entries.flow.async_progress_by_handler(DOMAIN))


async def test_discovered_fresh_lock_is_paired(
    hass: HomeAssistant, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """A lock in pairing mode is discovered; pairing gives HA its own keys; it then unlocks."""
    air, _scanner = radio
    flows = [f for f in _flows(hass) if f["context"]["unique_id"] == FRESH]
    assert flows, "the fresh lock should have been discovered"
    flow = flows[0]
    assert flow["step_id"] == "pair_confirm"
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {"name": "Shed"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["entry_type"] == "lock"
    lock = air.get(FRESH)
    assert isinstance(lock, SimulatedLock)
    assert not lock.setting_mode
    await hass.async_block_till_done()
    assert hass.states.get("lock.shed") is not None
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: "lock.shed"}, blocking=True
    )
    assert not lock.locked
    assert hass.states.get("sensor.shed_connection_path").state == "bluetooth"


async def test_discovered_lock_gets_a_readable_name(
    hass: HomeAssistant,
    radio: tuple[VirtualAir, VirtualProxyScanner],
    device_registry: dr.DeviceRegistry,
) -> None:
    """The discovery card and the proposed name say "Lock" and the digits of the advertised
    name (S31_771019 → Lock 771019); keeping the proposal names the entry and the device."""
    air, _scanner = radio
    fresh = air.get(FRESH)
    assert isinstance(fresh, SimulatedLock)
    assert fresh.local_name == "S31_771019"
    flow = next(f for f in _flows(hass) if f["context"]["unique_id"] == FRESH)
    assert flow["context"]["title_placeholders"] == {"name": "Lock 771019"}
    result = await hass.config_entries.flow.async_configure(flow["flow_id"])
    assert result["step_id"] == "pair_confirm"
    assert result["description_placeholders"]["name"] == "Lock 771019"
    [name_field] = result["data_schema"].schema
    assert name_field.default() == "Lock 771019"
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"name": name_field.default()}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Lock 771019"
    await hass.async_block_till_done()
    device = device_registry.async_get_device_by_connection(
        ("bluetooth", FRESH), result["result"].entry_id
    )
    assert device is not None and device.name == "Lock 771019"
    assert hass.states.get("lock.lock_771019") is not None
    # a lock already paired elsewhere: the keys form proposes the same kind of name
    back = next(f for f in _flows(hass) if f["context"]["unique_id"] != FRESH)
    assert back["step_id"] == "lock_keys"
    assert back["context"]["title_placeholders"]["name"].startswith("Lock ")


async def test_menu_lists_locks_by_readable_name(
    hass: HomeAssistant, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """Add integration → pair a new lock: the list shows the proposed name and the address."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "pair_lock"}
    )
    [address_field] = result["data_schema"].schema
    choices = result["data_schema"].schema[address_field].container
    assert choices == {FRESH: f"Lock 771019 ({FRESH})"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"address": FRESH})
    [name_field] = result["data_schema"].schema
    assert name_field.default() == "Lock 771019"


async def test_pair_from_the_menu(
    hass: HomeAssistant, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """Add integration → pair a new lock lists the locks in pairing mode."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "pair_lock"}
    )
    assert result["step_id"] == "pair_lock"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"address": FRESH})
    assert result["step_id"] == "pair_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"name": "Gate"})
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_pairing_fails_when_lock_left_pairing_mode(
    hass: HomeAssistant, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """A lock that is paired meanwhile is reported, not crashed on."""
    air, _scanner = radio
    flow = next(f for f in _flows(hass) if f["context"]["unique_id"] == FRESH)
    lock = air.get(FRESH)
    assert isinstance(lock, SimulatedLock)
    lock.set_in_range(False)
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {"name": "Shed"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"]["base"] in ("not_in_range", "ble_failed")


async def test_no_fresh_locks_in_menu(hass: HomeAssistant, cloud: Cloud) -> None:
    """Without a lock in pairing mode the menu step says so."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "pair_lock"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_unpaired_locks"


async def test_manual_keys_for_a_paired_lock(
    hass: HomeAssistant, cloud: Cloud, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """A lock whose keys the user has (lockData) is added and driven over Bluetooth."""
    world_lock = cloud.world.lock(BACK)
    address = world_lock.lock_mac
    flow = next(f for f in _flows(hass) if f["context"]["unique_id"] == address)
    assert flow["step_id"] == "lock_keys"
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"name": "Back", "lock_data": "not-lockdata"}
    )
    assert result["errors"] == {"base": "invalid_lock_keys"}
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"name": "Back", "lock_data": world_lock.lock_data}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: "lock.back"}, blocking=True
    )
    assert cloud.world.lock(BACK).state == 1


async def test_manual_key_fields_and_wrong_keys(
    hass: HomeAssistant, cloud: Cloud, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """Key fields instead of lockData; keys that do not open the lock are refused."""
    from custom_components.ttlock_access.sdk.ble import parse_lock_data

    world_lock = cloud.world.lock(BACK)
    keys = parse_lock_data(world_lock.lock_data)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "lock_keys"}
    )
    bad = {
        "address": world_lock.lock_mac,
        "name": "Back",
        "aes_key": "00" * 16,
        "unlock_key": "1234",
        "admin_ps": "99",
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], bad)
    assert result["errors"] == {"base": "invalid_lock_keys"}
    good = {
        **bad,
        "aes_key": keys.aes_key.hex(),
        "unlock_key": str(keys.unlock_key),
        "admin_ps": str(keys.admin_ps),
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], good)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_manual_keys_lock_out_of_range(hass: HomeAssistant, cloud: Cloud) -> None:
    """Keys can only be checked with the lock in range."""
    world_lock = cloud.world.lock(BACK)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "lock_keys"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"address": world_lock.lock_mac, "name": "Back", "lock_data": world_lock.lock_data},
    )
    assert result["errors"] == {"base": "not_in_range"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"address": "nonsense", "name": "Back", "lock_data": "x"}
    )
    assert result["errors"] == {"base": "invalid_lock_keys"}


async def test_account_lock_discovery_aborts(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    radio: tuple[VirtualAir, VirtualProxyScanner],
) -> None:
    """A lock of a configured account uses Bluetooth automatically: no separate entry."""
    address = cloud.world.lock(BACK).lock_mac
    info = bluetooth.async_last_service_info(hass, address, True)
    assert info is not None
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=info
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_in_account"


async def test_unrelated_device_is_not_supported(
    hass: HomeAssistant, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """Service 0x1910 is shared by unrelated gadgets: validated, then refused."""
    info = bluetooth.async_last_service_info(hass, FRESH, True)
    assert info is not None
    fake = bluetooth.BluetoothServiceInfoBleak(
        name="jump rope",
        address="11:22:33:44:55:66",
        rssi=-60,
        manufacturer_data={0x1234: b"\x01\x02"},
        service_data={},
        service_uuids=["00001910-0000-1000-8000-00805f9b34fb"],
        source=info.source,
        device=info.device,
        advertisement=info.advertisement,
        connectable=True,
        time=info.time,
        tx_power=None,
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=fake
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_supported"


async def test_local_lock_entry_reload_and_unload(
    hass: HomeAssistant, radio: tuple[VirtualAir, VirtualProxyScanner]
) -> None:
    """A Bluetooth-only entry keeps its keys across a reload and unloads cleanly."""
    flow = next(f for f in _flows(hass) if f["context"]["unique_id"] == FRESH)
    await hass.config_entries.flow.async_configure(flow["flow_id"], {"name": "Shed"})
    await hass.async_block_till_done(wait_background_tasks=True)  # incl. the settings read
    assert hass.states.get("lock.shed").state != STATE_UNAVAILABLE
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: "lock.shed"}, blocking=True
    )
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert hass.states.get("lock.shed").state == STATE_UNAVAILABLE
