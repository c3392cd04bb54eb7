"""Meters for tenants and staff, through Home Assistant against the simulated cloud: a tenant's
meters linked at check-in, topped up by the tenant's name, let go (and switched off) at
check-out; a temporary supply for staff that switches itself off after its time — also after
a reload, at once when it became due while the entry was down, never after a switch by hand —
and the clear refusals around both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import voluptuous as vol
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ttlock_access.const import CONF_PASSWORD_MD5, DOMAIN, EVENT_METER_SUPPLY
from custom_components.ttlock_access.logbook import async_describe_events
from custom_components.ttlock_access.sdk.cloud import md5_password
from simulator.entities import ElectricMeter
from tests.integration.helpers import Cloud, advance, call, entry_data, logbook_entries

APARTMENT_POWER, STUDIO_POWER, APARTMENT_WATER = 7001, 7002, 7101
HALLWAY_GATEWAY, OFFICE_GATEWAY = 301001, 301002
SECOND = "second@example.com"
MINUTE = 60


def _ends(days: int = 30) -> str:
    return (dt_util.utcnow().replace(microsecond=0) + timedelta(days=days)).isoformat()


def state(hass: HomeAssistant, entity_id: str) -> str:
    found = hass.states.get(entity_id)
    assert found is not None, entity_id
    return found.state


def on_off(cloud: Cloud, kind: str, meter_id: int) -> int:
    """The meter's true relay / valve state in the simulated world."""
    return cloud.world.meter_state(kind, meter_id).on_off


async def refused(hass: HomeAssistant, service: str, data: dict[str, Any]) -> str:
    """The translation key of a validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, data)
    assert err.value.translation_key is not None
    return err.value.translation_key


async def check_in(hass: HomeAssistant, holder: str, meters: list[str]) -> dict[str, Any]:
    return await call(
        hass,
        "check_in",
        {"entity_id": "lock.front_door", "holder": holder, "ends_at": _ends(), "meters": meters},
    )


async def switch_off(hass: HomeAssistant, entity_id: str = "switch.apartment_power_supply") -> None:
    await hass.services.async_call("switch", "turn_off", {"entity_id": entity_id}, blocking=True)


async def switch_on(hass: HomeAssistant, entity_id: str = "switch.apartment_power_supply") -> None:
    await hass.services.async_call("switch", "turn_on", {"entity_id": entity_id}, blocking=True)


def pending_offs(entry: MockConfigEntry) -> list[int]:
    """Meter ids with a switch-off waiting."""
    supply = entry.runtime_data.supply
    assert supply is not None
    return sorted(meter_id for _kind, meter_id in supply.pending)


def _describe(hass: HomeAssistant, event: Event) -> dict[str, Any]:
    """The logbook line of a supply event, as the logbook builds it."""
    describers: dict[str, Callable[[Event], dict[str, Any]]] = {}
    async_describe_events(hass, lambda _domain, kind, fn: describers.__setitem__(kind, fn))
    return describers[EVENT_METER_SUPPLY](event)


# ---------------------------------------------------------------------- a tenant's meters
async def test_check_in_links_meters_and_recharge_by_name(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Meters named by entity or by device are linked to the tenant, kept over a reload, shown
    with the holder, and topped up by the tenant's name."""
    jonas = await check_in(hass, "Jonas", ["sensor.studio_power_prepaid_balance"])
    assert jonas["holder"]["meters"] == ["sensor.studio_power_energy"]
    assert jonas["holder"]["kind"] == "tenant"
    assert jonas["credentials"][0]["code"]  # the check-in itself still happened

    water = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"meter-water-{APARTMENT_WATER}"), setup_entry.entry_id
    )
    assert water is not None
    lena = await check_in(hass, "Lena", [water.id])
    assert lena["holder"]["meters"] == ["sensor.apartment_water_consumption"]

    # kept with the holder in the access model's Store
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    holder = setup_entry.runtime_data.access.holder("Jonas")
    assert holder is not None and holder.meters == [f"meter-electric-{STUDIO_POWER}"]
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id({"type": f"{DOMAIN}/overview", "include_unmanaged": False})
    overview = await ws.receive_json()
    assert overview["success"], overview
    shown = {h["name"]: h["meters"] for h in overview["result"]["holders"]}
    [meter] = shown["Jonas"]  # as the Access panel shows it
    assert meter["entity_id"] == "sensor.studio_power_energy"
    assert (meter["kind"], meter["unit"], meter["prepaid"]) == ("electric", "kWh", True)
    assert meter["remaining"] == pytest.approx(
        cloud.world.meter("electric", STUDIO_POWER).remainder, abs=0.01
    )

    response = await call(hass, "recharge_meter", {"holder": "jonas", "amount": 10})
    assert list(response["meters"]) == ["sensor.studio_power_energy"]
    assert response["meters"]["sensor.studio_power_energy"]["remaining"] == pytest.approx(
        60.0, abs=0.01
    )
    assert cloud.world.meter("electric", STUDIO_POWER).remainder == pytest.approx(60.0, abs=0.01)

    # Lena's water meter is metering: refused like any metering meter, nothing sent
    assert await refused(hass, "recharge_meter", {"holder": "Lena", "units": 1}) == (
        "meter_not_prepaid"
    )


async def test_check_out_lets_the_meters_go_and_cuts_the_supply(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Check-out unlinks the meters; with ``cut_supply`` they are switched off, without it they
    stay as they are."""
    await check_in(hass, "Jonas", ["switch.apartment_power_supply"])
    await check_in(hass, "Lena", ["valve.apartment_water"])

    out = await call(hass, "check_out", {"holder": "Jonas", "cut_supply": True})
    assert out["revoked"] == 1
    assert out["holder"]["meters"] == []
    assert out["supply_cut"] == ["sensor.apartment_power_energy"]
    assert state(hass, "switch.apartment_power_supply") == "off"
    assert on_off(cloud, "electric", APARTMENT_POWER) == 0
    assert await refused(hass, "recharge_meter", {"holder": "Jonas", "units": 1}) == (
        "unknown_holder"
    )

    out = await call(hass, "check_out", {"holder": "Lena"})
    assert out["meters"] == ["sensor.apartment_water_consumption"]
    assert "supply_cut" not in out
    assert state(hass, "valve.apartment_water") == "open"
    assert on_off(cloud, "water", APARTMENT_WATER) == 1


async def test_check_out_reports_a_supply_it_could_not_cut(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The gateway is offline: the check-out stands (codes revoked, meters unlinked), and the
    error names the meter it could not switch off."""
    await check_in(hass, "Jonas", ["switch.apartment_power_supply"])
    cloud.world.set_gateway_online(HALLWAY_GATEWAY, False)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "check_out", {"holder": "Jonas", "cut_supply": True})
    assert err.value.translation_key == "supply_not_cut"
    assert (err.value.translation_placeholders or {}).get("names") == "Apartment Power"
    assert setup_entry.runtime_data.access.holder("Jonas") is None  # checked out
    assert on_off(cloud, "electric", APARTMENT_POWER) == 1


async def test_tenant_meter_refusals(hass: HomeAssistant, setup_entry: MockConfigEntry) -> None:
    """What is not a meter, or is ambiguous, is refused before anything is issued."""
    access = setup_entry.runtime_data.access
    assert (
        await refused(
            hass,
            "check_in",
            {
                "entity_id": "lock.front_door",
                "holder": "Jonas",
                "ends_at": _ends(),
                "meters": ["lock.front_door"],
            },
        )
        == "not_a_meter"
    )
    assert (
        await refused(
            hass,
            "check_in",
            {
                "entity_id": "lock.front_door",
                "holder": "Jonas",
                "ends_at": _ends(),
                "meters": ["no-such-device"],
            },
        )
        == "not_a_meter"
    )
    assert access.state.holders == {} and access.state.credentials == {}

    assert await refused(hass, "recharge_meter", {"holder": "Nobody", "units": 1}) == (
        "unknown_holder"
    )
    assert (
        await refused(
            hass,
            "recharge_meter",
            {"holder": "Nobody", "units": 1, "entity_id": "sensor.studio_power_energy"},
        )
        == "recharge_holder_or_target"
    )
    await call(hass, "add_staff", {"entity_id": "lock.front_door", "names": ["Maria"]})
    assert await refused(hass, "recharge_meter", {"holder": "Maria", "units": 1}) == (
        "holder_has_no_meters"
    )


async def test_a_meter_of_another_account_is_refused(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The second account's meter cannot be a tenant's meter for the first account's locks."""
    account = cloud.world.account_by_username(SECOND)
    assert account is not None
    cloud.world.add_meter(
        ElectricMeter(
            meter_id=7301,
            name="Office Power",
            number="EM-2025-0301",
            mac="D4:2C:11:87:6A:30",
            owner_uid=account.uid,
            gateway_id=OFFICE_GATEWAY,
        )
    )
    second = MockConfigEntry(
        domain=DOMAIN,
        title=SECOND,
        unique_id=str(account.uid),
        data={
            **entry_data(cloud),
            "username": SECOND,
            CONF_PASSWORD_MD5: md5_password(cloud.world.scenario_passwords[SECOND]),
        },
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    assert state(hass, "switch.office_power_supply") == "on"
    assert (
        await refused(
            hass,
            "check_in",
            {
                "entity_id": "lock.front_door",
                "holder": "Jonas",
                "ends_at": _ends(),
                "meters": ["sensor.office_power_energy"],
            },
        )
        == "meter_of_another_account"
    )
    assert setup_entry.runtime_data.access.holder("Jonas") is None


async def test_access_panel_checks_a_tenant_in_and_out_with_meters(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The panel's check-in offers the account's meters and links the ticked ones; the tenant
    is shown with their meters' supply and balance; its check-out can switch them off."""
    ws = await hass_ws_client(hass)

    async def ok(command: str, **fields: Any) -> Any:
        await ws.send_json_auto_id({"type": f"{DOMAIN}/{command}", **fields})
        reply = await ws.receive_json()
        assert reply["success"], reply
        return reply["result"]

    offered = (await ok("overview"))["meters"]
    assert {m["entity_id"] for m in offered} == {
        "sensor.apartment_power_energy",
        "sensor.studio_power_energy",
        "sensor.apartment_water_consumption",
    }
    await ok(
        "check_in",
        name="Jonas",
        locks=["lock.front_door"],
        ends_at=_ends(),
        meters=["sensor.apartment_power_energy"],
    )
    [jonas] = [h for h in (await ok("overview"))["holders"] if h["name"] == "Jonas"]
    [meter] = jonas["meters"]
    assert (meter["name"], meter["supply_on"]) == ("Apartment Power", True)

    # the panel's live picture follows the meter too: switched by hand, shown off
    live = await hass_ws_client(hass)
    await live.send_json_auto_id({"type": f"{DOMAIN}/subscribe"})
    assert (await live.receive_json())["success"]
    await live.receive_json()  # the picture as it is
    await switch_off(hass)
    pushed = (await live.receive_json())["event"]
    [shown] = next(h for h in pushed["holders"] if h["name"] == "Jonas")["meters"]
    assert shown["supply_on"] is False
    await switch_on(hass)
    out = await ok("check_out", holder=jonas["holder_id"], cut_supply=True)
    assert out["supply_cut"] == ["sensor.apartment_power_energy"]
    assert on_off(cloud, "electric", APARTMENT_POWER) == 0
    assert state(hass, "switch.apartment_power_supply") == "off"


# ---------------------------------------------------------------------- temporary supply
async def test_temporary_supply_goes_off_after_its_time(
    hass: HomeAssistant,
    logbook: None,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Off before: on for 30 minutes, then off again by itself — with a logbook line each; a
    supply that was on already stays on."""
    start = dt_util.utcnow() - timedelta(minutes=1)
    events: list[Event] = []
    hass.bus.async_listen(EVENT_METER_SUPPLY, events.append)
    await call(hass, "add_staff", {"entity_id": "lock.front_door", "names": ["Maria"]})
    await switch_off(hass)
    response = await call(
        hass,
        "temporary_supply",
        {
            "entity_id": ["sensor.apartment_power_energy", "valve.apartment_water"],
            "minutes": 30,
            "holder": "maria",
        },
    )
    power = response["meters"]["switch.apartment_power_supply"]
    assert (power["supply_on"], power["was_on"], power["holder"]) == (True, False, "Maria")
    off_at = dt_util.parse_datetime(power["off_at"])
    assert off_at is not None
    assert abs(off_at - (dt_util.utcnow() + timedelta(minutes=30))) < timedelta(seconds=5)
    water = response["meters"]["valve.apartment_water"]
    assert (water["was_on"], water["off_at"]) == (True, None)  # on already: stays on
    assert state(hass, "switch.apartment_power_supply") == "on"
    assert on_off(cloud, "electric", APARTMENT_POWER) == 1
    assert pending_offs(setup_entry) == [APARTMENT_POWER]
    # the logbook page, read before time jumps (a websocket does not survive a jump)
    entries = await logbook_entries(hass, await hass_ws_client(hass), start)
    lines = [(e.get("entity_id"), e["message"]) for e in entries]
    assert ("switch.apartment_power_supply", "supply given for Maria for 30 min") in lines
    assert ("valve.apartment_water", "supply kept on for Maria (it was on already)") in lines

    await advance(hass, freezer, 29 * MINUTE)
    assert on_off(cloud, "electric", APARTMENT_POWER) == 1
    await advance(hass, freezer, 2 * MINUTE)
    assert on_off(cloud, "electric", APARTMENT_POWER) == 0
    assert state(hass, "switch.apartment_power_supply") == "off"
    assert state(hass, "valve.apartment_water") == "open"
    assert pending_offs(setup_entry) == []
    fired = [(e.data["entity_id"], e.data["action"]) for e in events]
    assert sorted(fired[:2]) == [
        ("switch.apartment_power_supply", "on"),
        ("valve.apartment_water", "on"),
    ]
    assert fired[2:] == [("switch.apartment_power_supply", "off")]
    described = _describe(hass, events[-1])
    assert described["message"] == "temporary supply for Maria switched off after its time"
    assert described["entity_id"] == "switch.apartment_power_supply"


async def test_a_switch_off_the_gateway_cannot_carry_out_is_retried(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The gateway is offline when the time comes: the switch-off waits and is tried again."""
    await switch_off(hass)
    await call(
        hass, "temporary_supply", {"entity_id": "switch.apartment_power_supply", "minutes": 10}
    )
    cloud.world.set_gateway_online(HALLWAY_GATEWAY, False)
    await advance(hass, freezer, 11 * MINUTE)
    assert pending_offs(setup_entry) == [APARTMENT_POWER]
    cloud.world.set_gateway_online(HALLWAY_GATEWAY, True)
    await advance(hass, freezer, 5 * MINUTE + 1)
    assert on_off(cloud, "electric", APARTMENT_POWER) == 0
    assert pending_offs(setup_entry) == []


async def test_temporary_supply_is_armed_again_after_a_reload(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The switch-off is on disk: a reloaded entry still carries it out on time."""
    await switch_off(hass)
    await call(
        hass, "temporary_supply", {"entity_id": "switch.apartment_power_supply", "minutes": 60}
    )
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert pending_offs(setup_entry) == [APARTMENT_POWER]
    await advance(hass, freezer, 30 * MINUTE)
    assert on_off(cloud, "electric", APARTMENT_POWER) == 1
    await advance(hass, freezer, 31 * MINUTE)
    assert on_off(cloud, "electric", APARTMENT_POWER) == 0
    assert state(hass, "switch.apartment_power_supply") == "off"


async def test_an_overdue_switch_off_runs_at_set_up(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Its time passed while the entry was down: done as soon as the entry is set up again."""
    await switch_off(hass)
    await call(
        hass, "temporary_supply", {"entity_id": "switch.apartment_power_supply", "minutes": 15}
    )
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()
    freezer.tick(timedelta(hours=2))
    assert on_off(cloud, "electric", APARTMENT_POWER) == 1
    assert await hass.config_entries.async_setup(setup_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert on_off(cloud, "electric", APARTMENT_POWER) == 0
    assert state(hass, "switch.apartment_power_supply") == "off"
    assert pending_offs(setup_entry) == []


async def test_a_switch_by_hand_cancels_the_switch_off(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Someone switches the supply on by hand meanwhile: it stays on after the time. A second
    temporary supply moves the end of the first."""
    await switch_off(hass)
    await call(
        hass, "temporary_supply", {"entity_id": "switch.apartment_power_supply", "minutes": 30}
    )
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.apartment_power_supply"}, blocking=True
    )
    assert pending_offs(setup_entry) == []
    await advance(hass, freezer, 31 * MINUTE)
    assert on_off(cloud, "electric", APARTMENT_POWER) == 1

    await hass.services.async_call(
        "valve", "close_valve", {"entity_id": "valve.apartment_water"}, blocking=True
    )
    await call(hass, "temporary_supply", {"entity_id": "valve.apartment_water", "minutes": 10})
    later = await call(
        hass, "temporary_supply", {"entity_id": "valve.apartment_water", "minutes": 20}
    )
    assert later["meters"]["valve.apartment_water"]["was_on"] is False
    await advance(hass, freezer, 11 * MINUTE)
    assert on_off(cloud, "water", APARTMENT_WATER) == 1  # moved to 20 minutes
    await advance(hass, freezer, 10 * MINUTE)
    assert on_off(cloud, "water", APARTMENT_WATER) == 0
    assert state(hass, "valve.apartment_water") == "closed"


async def test_a_prepaid_meter_without_balance_gives_no_supply(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The simulated meter answers controlOnOff but cuts itself off again at 0: refused up
    front when Home Assistant knows the balance is spent, and reported when it learns it only
    from the meter's fresh reading; no switch-off is left waiting."""
    await switch_off(hass, "switch.studio_power_supply")
    cloud.world.meter("electric", STUDIO_POWER).remainder = 0.0  # spent, not yet read
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass, "temporary_supply", {"entity_id": "switch.studio_power_supply", "minutes": 30}
        )
    assert err.value.translation_key == "supply_not_given"
    assert on_off(cloud, "electric", STUDIO_POWER) == 0
    assert pending_offs(setup_entry) == []
    assert state(hass, "sensor.studio_power_prepaid_energy_left") == "0.0"

    assert (
        await refused(
            hass, "temporary_supply", {"entity_id": "switch.studio_power_supply", "minutes": 30}
        )
        == "supply_needs_balance"
    )


async def test_temporary_supply_refusals(hass: HomeAssistant, setup_entry: MockConfigEntry) -> None:
    """Minutes out of range, no meter, an unknown holder, a holder who is not staff: refused,
    nothing switched."""
    for minutes in (0, 1441):
        with pytest.raises(vol.Invalid):
            await call(
                hass,
                "temporary_supply",
                {"entity_id": "switch.apartment_power_supply", "minutes": minutes},
            )
    assert (
        await refused(hass, "temporary_supply", {"entity_id": "lock.front_door", "minutes": 5})
        == "no_meters"
    )
    assert (
        await refused(
            hass,
            "temporary_supply",
            {"entity_id": "switch.apartment_power_supply", "minutes": 5, "holder": "Nobody"},
        )
        == "unknown_holder"
    )
    await call(hass, "grant_access", {"entity_id": "lock.front_door", "holder": "Gus"})
    assert (
        await refused(
            hass,
            "temporary_supply",
            {"entity_id": "switch.apartment_power_supply", "minutes": 5, "holder": "Gus"},
        )
        == "supply_for_staff"
    )
    assert pending_offs(setup_entry) == []
