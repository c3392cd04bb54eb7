"""Adding a gateway over Bluetooth, at its edges: the Wi-Fi scan fails, two accounts to
choose from, a wired G3 (no Wi-Fi fields), the gateway leaves range before set-up, and the
account lists the new gateway late or never (virtual waits only)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.components import bluetooth
from homeassistant.config_entries import SOURCE_BLUETOOTH
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access import config_flow
from custom_components.ttlock_access.const import CONF_PASSWORD_MD5, DOMAIN
from custom_components.ttlock_access.sdk.cloud import md5_password
from simulator.ble import VirtualAir
from simulator.ble.gateway import SimulatedGateway
from simulator.ble.ha import async_register_virtual_proxy
from simulator.ble.scanner import VirtualProxyScanner
from tests.integration.helpers import Cloud, entry_data

G2_MAC = "54:8E:29:5E:70:78"
G3_MAC = "54:8E:29:5E:70:79"
BACK = 5001103
SECOND = "second@example.com"

type Radio = Callable[..., Any]


@pytest.fixture
async def radio(hass: HomeAssistant, cloud: Cloud) -> AsyncIterator[Radio]:
    """Start a virtual proxy hearing one new gateway (discovery starts its flow at once)."""
    removers: list[Callable[[], None]] = []
    backoff = patch("bleak_retry_connector.calculate_backoff_time", return_value=0)
    backoff.start()

    async def _start(
        mac: str = G2_MAC, *, model: int = 2, slots: int = 2
    ) -> tuple[SimulatedGateway, VirtualProxyScanner]:
        air = VirtualAir()
        gateway = air.add(
            SimulatedGateway(mac, model=model, world=cloud.world, nearby_locks=[(BACK, -58)])
        )
        scanner, remove = async_register_virtual_proxy(hass, air, slots=slots)
        removers.append(remove)
        await hass.async_block_till_done(wait_background_tasks=True)
        return gateway, scanner

    try:
        yield _start
    finally:
        for remove in removers:
            remove()
        backoff.stop()


@pytest.fixture(autouse=True)
def no_list_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """The flow waits between listings of the account (the gateway registers itself)."""
    monkeypatch.setattr(config_flow, "GATEWAY_LIST_DELAY", 0)


def _flow(hass: HomeAssistant, mac: str) -> dict[str, Any]:
    return next(
        f
        for f in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if f["context"].get("unique_id") == f"gateway-{mac}"
    )


def _fields(result: dict[str, Any]) -> set[str]:
    return {str(key) for key in result["data_schema"].schema}


WIFI = {"name": "Porch", "ssid": "HomeNet", "wifi_password": "home-wifi-pass"}


async def test_wifi_scan_without_a_free_slot(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, radio: Radio
) -> None:
    """The scan for networks needs a connection: without a free slot the form says so and
    the network is typed by hand; set-up then works."""
    gateway, scanner = await radio(slots=0)
    hass.config_entries.flow.async_abort(_flow(hass, G2_MAC)["flow_id"])  # see its first form
    info = bluetooth.async_last_service_info(hass, G2_MAC, True)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_BLUETOOTH}, data=info
    )
    assert result["step_id"] == "gateway"
    assert result["errors"] == {"base": "no_slots"}
    ssid = next(v for k, v in result["data_schema"].schema.items() if str(k) == "ssid")
    assert ssid.config["options"] == []  # no scan result: the SSID is typed
    scanner.slots = 2
    result = await hass.config_entries.flow.async_configure(result["flow_id"], WIFI)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "gateway_added"
    assert gateway.configured


async def test_gateway_for_the_second_account(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, radio: Radio
) -> None:
    """With two accounts the user picks the one the gateway joins."""
    second = MockConfigEntry(
        domain=DOMAIN,
        title=SECOND,
        unique_id=str(cloud.world.account_by_username(SECOND).uid),  # type: ignore[union-attr]
        data={
            **entry_data(cloud),
            "username": SECOND,
            CONF_PASSWORD_MD5: md5_password(cloud.world.scenario_passwords[SECOND]),
        },
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    gateway, _scanner = await radio()
    result = await hass.config_entries.flow.async_configure(_flow(hass, G2_MAC)["flow_id"])
    assert "account" in _fields(result)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**WIFI, "account": second.entry_id}
    )
    assert result["reason"] == "gateway_added"
    assert result["description_placeholders"]["account"] == SECOND
    assert gateway.gateway_id is not None
    owner = cloud.world.gateways[gateway.gateway_id].owner_uid
    assert owner == cloud.world.account_by_username(SECOND).uid  # type: ignore[union-attr]
    coordinator = second.runtime_data.coordinator
    assert any(gw.mac == G2_MAC for gw in coordinator.data.gateways.values())


async def test_wired_g3_asks_no_wifi(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, radio: Radio
) -> None:
    """A G3 is on a network cable: name only."""
    gateway, _scanner = await radio(G3_MAC, model=3)
    result = await hass.config_entries.flow.async_configure(_flow(hass, G3_MAC)["flow_id"])
    assert _fields(result) == {"name"}
    assert result["description_placeholders"]["model"] == "G3"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"name": "Cellar"})
    assert result["reason"] == "gateway_added"
    assert gateway.requests == [0x45, 0x03, 0x04]


async def test_gateway_left_range_before_set_up(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, radio: Radio
) -> None:
    """Unplugged after the scan: the set-up cannot reach it; nothing is registered."""
    gateway, _scanner = await radio()
    before = dict(cloud.world.gateways)
    result = await hass.config_entries.flow.async_configure(_flow(hass, G2_MAC)["flow_id"])
    gateway.set_in_range(False)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], WIFI)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "not_in_range"}
    assert cloud.world.gateways == before


async def test_gateway_listed_late(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, radio: Radio
) -> None:
    """The account lists the gateway only after a few tries: the flow keeps asking."""
    await radio()
    cloud.world.faults.fail_next("gateway/list", 1, times=2)
    result = await hass.config_entries.flow.async_configure(_flow(hass, G2_MAC)["flow_id"])
    result = await hass.config_entries.flow.async_configure(result["flow_id"], WIFI)
    assert result["reason"] == "gateway_added"
    assert cloud.world.faults.pending() == {}


async def test_gateway_never_listed(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, radio: Radio
) -> None:
    """Configured, but the account never shows it: the user is told, not left waiting."""
    gateway, _scanner = await radio()
    cloud.world.faults.fail_next("gateway/list", 1, times=config_flow.GATEWAY_LIST_ATTEMPTS)
    result = await hass.config_entries.flow.async_configure(_flow(hass, G2_MAC)["flow_id"])
    result = await hass.config_entries.flow.async_configure(result["flow_id"], WIFI)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "gateway_not_listed"}
    assert gateway.configured
