"""Gateway set-up over Bluetooth: the SDK's ConfigureGateway against a SimulatedGateway.

The SDK side runs through the production transport (``BleLockLink`` with the gateway's
UUIDs and ``GatewayFrameAssembler``) over ``VirtualClient``; the simulated G2 speaks the
protocol from the gateway's side (its own codec) and, configured, becomes a world gateway
that ``gateway/list`` shows and the cloud routes through (``docs/ble.md`` §9.1).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import bleak_retry_connector
import pytest
from bleak.backends.device import BLEDevice
from homeassistant.components import bluetooth
from homeassistant.core import HomeAssistant

from custom_components.ttlock_access.sdk.ble import (
    DeviceKind,
    ReplyTimeoutError,
    parse_advertisement,
)
from custom_components.ttlock_access.sdk.ble.gateway import (
    GATEWAY_NOTIFY_UUID,
    GATEWAY_WRITE_UUID,
    ConfigureGateway,
    GatewayConfigured,
    GatewayError,
    GatewayFrameAssembler,
    GatewayModel,
    ScanGatewayWifi,
    WifiNetwork,
    md5_password,
)
from custom_components.ttlock_access.sdk.ble.transport import BleLockLink
from simulator import CloudServer, World, load_scenario
from simulator.ble import VirtualAir, VirtualClient
from simulator.ble.gateway import SimulatedGateway, WifiAccessPoint
from simulator.ble.ha import async_register_virtual_proxy

GATEWAY_MAC = "54:8E:29:A1:99:01"
BACK_DOOR = 5001103  # Bluetooth-only in the scenario: no gateway reaches it yet
OFFICE_DOOR = 5002201  # another account's lock
DEMO_UID = 8123456
DEMO_MD5 = md5_password("demo-password")


@pytest.fixture
def world() -> World:
    return load_scenario("home")


@pytest.fixture
def gateway(world: World, air: VirtualAir) -> SimulatedGateway:
    return air.add(
        SimulatedGateway(
            GATEWAY_MAC,
            world=world,
            nearby_locks=[(BACK_DOOR, -58), (OFFICE_DOOR, -70)],
            networks=[
                WifiAccessPoint("HomeNet", "home-wifi-pass", -48),
                WifiAccessPoint("Neighbour", "not-yours", -79),
            ],
        )
    )


@pytest.fixture
def virtual_bleak(air: VirtualAir, monkeypatch: pytest.MonkeyPatch) -> None:
    """The transport reads ``bleak_retry_connector.BleakClientWithServiceCache`` at call time
    (Home Assistant swaps it for its wrapper); here a subclass on the virtual backend."""
    backend = VirtualClient.bind(air)
    base = bleak_retry_connector.BleakClientWithServiceCache

    class _VirtualCached(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("backend", backend)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(bleak_retry_connector, "BleakClientWithServiceCache", _VirtualCached)


def gateway_link(gateway: SimulatedGateway) -> BleLockLink:
    """What the config flow builds (with HA's device lookup instead of this one)."""
    device = BLEDevice(gateway.address, gateway.local_name, {"source": "virtual"})
    return BleLockLink(
        gateway.address,
        gateway.local_name or gateway.address,
        lambda: device,
        write_uuid=GATEWAY_WRITE_UUID,
        notify_uuid=GATEWAY_NOTIFY_UUID,
        assembler_factory=GatewayFrameAssembler,
    )


def configure(gateway: SimulatedGateway, **kwargs: Any) -> ConfigureGateway:
    options: dict[str, Any] = {
        "mac": gateway.address,
        "ssid": "HomeNet",
        "password": "home-wifi-pass",
        "uid": DEMO_UID,
        "password_md5": DEMO_MD5,
        "name": "Porch Gateway",
    }
    options.update(kwargs)
    return ConfigureGateway(**options)


def test_setup_mode_advertisement(gateway: SimulatedGateway) -> None:
    advert = gateway.advertisement()
    assert advert.service_uuids == ("00001911-0000-1000-8000-00805f9b34fb",)
    assert list(advert.manufacturer_data) == [0x1911]  # raw bytes 11 19, little-endian key
    parsed = parse_advertisement(advert.manufacturer_data, address=gateway.address)
    assert parsed is not None
    assert (parsed.kind, parsed.mac) == (DeviceKind.GATEWAY_G2, GATEWAY_MAC)
    assert gateway.local_name == "G2_0199a1"


@pytest.mark.usefixtures("virtual_bleak")
async def test_configure_registers_the_gateway_in_the_world(
    world: World, gateway: SimulatedGateway, socket_enabled: None
) -> None:
    assert world.gateways_of(DEMO_UID)[0].gateway_mac != GATEWAY_MAC
    link = gateway_link(gateway)
    gateway.join_delay = 0.01  # the Wi-Fi result arrives after "joining" (status 2)
    result = await link.run(lambda: configure(gateway), retry=False)
    await link.close()
    assert result == GatewayConfigured(
        GATEWAY_MAC, GatewayModel.G2, "Porch Gateway", "plug.sciener.cn", 2999
    )
    assert gateway.requests == [0x45, 0x02, 0x03, 0x04]
    assert gateway.configured and gateway.gateway_id is not None
    registered = world.gateways[gateway.gateway_id]
    assert (registered.gateway_mac, registered.owner_uid, registered.gateway_version) == (
        GATEWAY_MAC,
        DEMO_UID,
        2,
    )
    assert (registered.network_name, registered.is_online) == ("HomeNet", True)
    # the account's nearby lock is heard (not the other account's): the cloud routes through it
    route = world.route(world.locks[BACK_DOOR])
    assert route.gateway is registered
    assert (registered.gateway_id, OFFICE_DOOR) not in world.links
    # gateway/list shows it
    server = CloudServer(world)
    base_url = await server.start("127.0.0.1", 0)
    try:
        listed = await _gateway_list(base_url, world)
    finally:
        await server.stop()
    mine = [item for item in listed if item["gatewayMac"] == GATEWAY_MAC]
    assert mine == [
        {
            "gatewayId": registered.gateway_id,
            "gatewayMac": GATEWAY_MAC,
            "gatewayName": "Porch Gateway",
            "gatewayVersion": 2,
            "networkName": "HomeNet",
            "networkMac": gateway.wifi_mac,
            "lockNum": 1,
            "isOnline": 1,
        }
    ]
    # configuring again updates the same gateway
    link = gateway_link(gateway)
    await link.run(lambda: configure(gateway, name="Porch"), retry=False)
    await link.close()
    assert [g.gateway_name for g in world.gateways.values() if g.gateway_mac == GATEWAY_MAC] == [
        "Porch"
    ]


@pytest.mark.usefixtures("virtual_bleak")
@pytest.mark.parametrize(
    ("options", "status"),
    [
        ({"password": "wrong-pass"}, 4),
        ({"ssid": "Elsewhere"}, 3),
        ({"password_md5": md5_password("not-the-password")}, 1),
        ({"uid": 999}, 1),
    ],
)
async def test_configuration_refused(
    world: World, gateway: SimulatedGateway, options: dict[str, Any], status: int
) -> None:
    before = dict(world.gateways)
    link = gateway_link(gateway)
    with pytest.raises(GatewayError) as err:
        await link.run(lambda: configure(gateway, **options), retry=False)
    await link.close()
    assert err.value.status == status
    assert not gateway.configured
    assert world.gateways == before


@pytest.mark.usefixtures("virtual_bleak")
async def test_scan_wifi(gateway: SimulatedGateway) -> None:
    link = gateway_link(gateway)
    networks = await link.run(lambda: ScanGatewayWifi(gateway.address))
    await link.close()
    assert networks == [WifiNetwork("HomeNet", -48), WifiNetwork("Neighbour", -79)]


@pytest.mark.usefixtures("virtual_bleak")
async def test_wired_g3_skips_wifi(world: World, air: VirtualAir) -> None:
    g3 = air.add(SimulatedGateway("54:8E:29:A1:99:03", model=3, world=world))
    link = gateway_link(g3)
    op = ConfigureGateway(
        g3.address,
        "",
        "",
        uid=DEMO_UID,
        password_md5=DEMO_MD5,
        name="Cellar",
        model=GatewayModel.G3,
    )
    result = await link.run(lambda: op, retry=False)
    await link.close()
    assert result.model is GatewayModel.G3
    assert g3.requests == [0x45, 0x03, 0x04]
    assert world.gateways[g3.gateway_id or 0].network_name == "LAN"
    link = gateway_link(g3)
    with pytest.raises(GatewayError) as err:  # a G3 has no Wi-Fi to scan
        await link.run(lambda: ScanGatewayWifi(g3.address))
    await link.close()
    assert err.value.status == 6


@pytest.mark.usefixtures("virtual_bleak")
async def test_lost_reply_times_out_then_the_link_configures(gateway: SimulatedGateway) -> None:
    """A swallowed request gives the typed timeout; the same link configures on the next run."""
    gateway.swallow = 1
    link = gateway_link(gateway)
    with pytest.raises(ReplyTimeoutError) as err:
        await link.run(lambda: configure(gateway, step_timeout=0.05), retry=False)
    assert err.value.command == 0x45
    assert (await link.run(lambda: configure(gateway), retry=False)).name == "Porch Gateway"
    await link.close()


async def _gateway_list(base_url: str, world: World) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        form = {
            "clientId": "sim-client-id",
            "clientSecret": "sim-client-secret",
            "username": "demo@example.com",
            "password": DEMO_MD5,
        }
        async with session.post(f"{base_url}/oauth2/token", data=form) as response:
            token = (await response.json())["access_token"]
        params = {
            "clientId": "sim-client-id",
            "accessToken": token,
            "pageNo": "1",
            "pageSize": "20",
            "date": str(world.now_ms()),
        }
        async with session.get(f"{base_url}/v3/gateway/list", params=params) as response:
            body = await response.json()
    return list(body["list"])


@pytest.mark.usefixtures("enable_bluetooth", "enable_custom_integrations")
async def test_configure_through_home_assistant_bluetooth(hass: HomeAssistant) -> None:
    """The config flow's path: HA's device lookup and HA's client wrapper (virtual proxy)."""
    world = load_scenario("home")
    air = VirtualAir()
    gateway = air.add(SimulatedGateway(GATEWAY_MAC, world=world, nearby_locks=[(BACK_DOOR, -60)]))
    _scanner, remove = async_register_virtual_proxy(hass, air)
    try:
        await hass.async_block_till_done()
        info = bluetooth.async_last_service_info(hass, GATEWAY_MAC, True)
        assert info is not None
        advert = parse_advertisement(info.manufacturer_data, address=info.address)
        assert advert is not None and advert.kind is DeviceKind.GATEWAY_G2
        link = BleLockLink(
            GATEWAY_MAC,
            info.name,
            lambda: bluetooth.async_ble_device_from_address(hass, GATEWAY_MAC, True),
            write_uuid=GATEWAY_WRITE_UUID,
            notify_uuid=GATEWAY_NOTIFY_UUID,
            assembler_factory=GatewayFrameAssembler,
        )
        networks = await link.run(lambda: ScanGatewayWifi(GATEWAY_MAC))
        assert networks[0].ssid == "HomeNet"
        result = await link.run(lambda: configure(gateway, name="Hall G2"), retry=False)
        await link.close()
        assert result.name == "Hall G2"
        assert gateway.configured
        assert world.route(world.locks[BACK_DOOR]).gateway is world.gateways[gateway.gateway_id]
    finally:
        remove()
