"""Adding a new gateway over Bluetooth (the TTLock app's "Add gateway")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from unittest.mock import patch

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from simulator.ble import VirtualAir
from simulator.ble.gateway import SimulatedGateway
from simulator.ble.ha import async_register_virtual_proxy
from tests.integration.helpers import Cloud

GATEWAY_MAC = "54:8E:29:5E:70:77"
BACK = 5001103


@pytest.fixture
async def new_gateway(hass: HomeAssistant, cloud: Cloud) -> AsyncIterator[SimulatedGateway]:
    """A factory-new G2 gateway in set-up mode, near the Back Door."""
    backoff = patch("bleak_retry_connector.calculate_backoff_time", return_value=0)
    backoff.start()
    air = VirtualAir()
    gateway = air.add(SimulatedGateway(GATEWAY_MAC, world=cloud.world, nearby_locks=[(BACK, -58)]))
    _scanner, remove = async_register_virtual_proxy(hass, air)
    await hass.async_block_till_done(wait_background_tasks=True)
    try:
        yield gateway
    finally:
        remove()
        backoff.stop()


def _gateway_flow(hass: HomeAssistant) -> dict:
    return next(
        f
        for f in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if f["context"].get("unique_id") == f"gateway-{GATEWAY_MAC}"
    )


async def test_add_gateway(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    new_gateway: SimulatedGateway,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Discovered in set-up mode → Wi-Fi and account over BLE → listed, a device, and it
    relays commands for the Bluetooth-only lock next to it."""
    flow = _gateway_flow(hass)  # discovered when it started advertising
    assert flow["step_id"] == "gateway"
    # G2_77705e on the air: proposed as a readable name, not its Bluetooth id
    assert new_gateway.local_name == "G2_77705e"
    assert flow["context"]["title_placeholders"] == {"name": "Gateway G2 77705E"}
    result = await hass.config_entries.flow.async_configure(flow["flow_id"])
    name_field = next(k for k in result["data_schema"].schema if str(k) == "name")
    assert name_field.default() == "Gateway G2 77705E"
    schema = result["data_schema"].schema
    ssid_selector = next(v for k, v in schema.items() if str(k) == "ssid")
    assert "HomeNet" in ssid_selector.config["options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Garden Gateway", "ssid": "HomeNet", "wifi_password": "wrong"}
    )
    assert result["errors"] == {"base": "wifi_password"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"name": "Garden Gateway", "ssid": "HomeNet", "wifi_password": "home-wifi-pass"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "gateway_added"
    names = {g.gateway_name for g in cloud.world.gateways.values()}
    assert "Garden Gateway" in names
    coordinator = setup_entry.runtime_data.coordinator
    gateway = next(g for g in coordinator.data.gateways.values() if g.mac == GATEWAY_MAC)
    assert device_registry.async_get_device_by_identifier(
        (DOMAIN, f"gateway-{gateway.gateway_id}"), setup_entry.entry_id
    )
    assert hass.states.get("binary_sensor.garden_gateway_connectivity").state == "on"
    # the Bluetooth-only Back Door is now reachable through the new gateway
    await coordinator.async_refresh()
    assert coordinator.data.locks[BACK].lock.has_gateway


async def test_gateway_waits_for_an_account(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry, new_gateway: SimulatedGateway
) -> None:
    """Discovered before any account exists: the flow waits, then continues once it does."""
    flow = _gateway_flow(hass)
    assert flow["step_id"] == "gateway_account"
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    assert result["errors"] == {"base": "gateway_needs_account"}
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    result = await hass.config_entries.flow.async_configure(flow["flow_id"], {})
    assert result["step_id"] == "gateway"


async def test_account_setup_dismisses_discoveries_of_its_locks(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry, ble
) -> None:
    """Locks discovered before the account was added drop out of 'Discovered'."""
    await hass.async_block_till_done(wait_background_tasks=True)
    macs = {cloud.world.lock(lock_id).lock_mac for lock_id in (5001101, 5001103)}
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert macs <= {f["context"].get("unique_id") for f in flows}
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert not macs & {f["context"].get("unique_id") for f in flows}


async def test_unknown_network(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, new_gateway: SimulatedGateway
) -> None:
    """A network the gateway cannot see is reported."""
    flow = _gateway_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"name": "G", "ssid": "Nowhere", "wifi_password": "x"}
    )
    assert result["errors"] == {"base": "wifi_not_found"}
