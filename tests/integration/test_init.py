"""Setup, polling, tokens, budget, dynamic and stale devices, unload and removal."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import (
    CONF_MONTHLY_BUDGET,
    CONF_TOKEN,
    DEFAULT_SWEEP_CALLS,
    DOMAIN,
)
from tests.integration.helpers import CLIENT_ID, USERNAME, Cloud, advance, poll

FRONT_DOOR = 5001101
GARAGE = 5001102
BACK_DOOR = 5001103
HALLWAY_GATEWAY = 301001


async def test_setup_creates_devices_and_entities(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Every lock and gateway of the account becomes a device, locks via their gateway."""
    assert setup_entry.state is ConfigEntryState.LOADED
    devices = dr.async_entries_for_config_entry(device_registry, setup_entry.entry_id)
    names = {d.name for d in devices}
    assert {"Front Door", "Garage", "Back Door", "Hallway Gateway", "TTLock account"} <= names
    gateway = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"gateway-{HALLWAY_GATEWAY}"), setup_entry.entry_id
    )
    assert gateway is not None
    assert gateway.model == "G2"
    # The gateway device only belongs to the demo account; the other account's is absent.
    assert "Office Gateway" not in names
    for lock_id in (FRONT_DOOR, GARAGE, BACK_DOOR):
        assert hass.states.get(f"lock.{_slug(cloud, lock_id)}") is not None
    assert hass.states.get("binary_sensor.hallway_gateway_connectivity").state == "on"
    assert hass.states.get("sensor.front_door_battery").state == "86"


async def test_account_device_is_not_named_after_the_sign_in(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The account's e-mail names neither its device nor any entity id (diagnostics redact
    it too); once the user renames the entry, the device takes that name."""
    assert setup_entry.title == USERNAME
    account = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"account-{setup_entry.unique_id}"), setup_entry.entry_id
    )
    assert account is not None and account.name == "TTLock account"
    entity_ids = [
        e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, setup_entry.entry_id)
    ]
    assert "sensor.ttlock_account_api_calls_this_month" in entity_ids
    assert not [e for e in entity_ids if "example" in e or "demo" in e]
    names = [hass.states.get(e).name for e in entity_ids if hass.states.get(e) is not None]
    assert not [n for n in names if "@" in n]
    hass.config_entries.async_update_entry(setup_entry, title="Holiday flat")
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    account = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"account-{setup_entry.unique_id}"), setup_entry.entry_id
    )
    assert account is not None and account.name == "Holiday flat"
    state = hass.states.get("sensor.ttlock_account_api_calls_this_month")  # ids stay
    assert state is not None and state.name == "Holiday flat API calls this month"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_no_entity_name_repeats_its_device(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """An entity's own name shares no word with its device's ("Front Door Door", "Apartment
    Water Water", "Apartment Power Power supply", "TTLock account TTLock pushes"), on any
    platform of the demo account; the main entity of a device takes the device's name."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    entries = er.async_entries_for_config_entry(entity_registry, config_entry.entry_id)
    assert len(entries) > 50
    doubled = []
    for entry in entries:
        state = hass.states.get(entry.entity_id)
        device = device_registry.async_get(entry.device_id or "")
        assert state is not None and device is not None and device.name
        own = state.name.removeprefix(device.name).split()
        if {w.casefold() for w in own} & {w.casefold() for w in device.name.split()}:
            doubled.append(state.name)
    assert doubled == []
    assert hass.states.get("binary_sensor.front_door_contact").name == "Front Door Contact"
    assert hass.states.get("lock.front_door").name == "Front Door"


def _slug(cloud: Cloud, lock_id: int) -> str:
    return cloud.world.lock(lock_id).lock_alias.lower().replace(" ", "_")


async def test_setup_cost_and_tokens_stored(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Setup signs in once, lists locks and gateways, and stores the tokens."""
    token = setup_entry.data[CONF_TOKEN]
    assert token["uid"] == cloud.uid
    # sign-in + lock/list + gateway/list + the per-lock calls of one poll (states first)
    # + one list per kind of meter (electricity, water) + the lifts' and power savers' lists
    assert cloud.world.usage(CLIENT_ID) == 3 + DEFAULT_SWEEP_CALLS + 2 + 2
    remote = [
        rt for rt in setup_entry.runtime_data.coordinator.data.locks.values() if rt.lock.is_remote
    ]
    assert cloud.world.endpoint_usage(CLIENT_ID)["lock/queryOpenState"] == len(remote)
    calls = hass.states.get("sensor.ttlock_account_api_calls_this_month")
    assert calls.state == str(3 + DEFAULT_SWEEP_CALLS + 2 + 2)
    assert calls.attributes["endpoints"] == cloud.world.endpoint_usage(CLIENT_ID)


async def test_sweep_fills_details_state_and_via_device(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The rotating sweep reads details, lock states and gateway signal, one call per poll."""
    await poll(hass, freezer, 6)
    front = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"lock-{FRONT_DOOR}"), setup_entry.entry_id
    )
    gateway = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"gateway-{HALLWAY_GATEWAY}"), setup_entry.entry_id
    )
    assert front is not None
    assert gateway is not None
    assert front.model == "SN9161-FPC-NO32K_PV53"
    assert front.sw_version == "5.1.0.200320"
    assert front.via_device_id == gateway.id
    assert hass.states.get("lock.front_door").state == "locked"
    assert hass.states.get("lock.garage").state in ("locked", "unlocked")
    # A Bluetooth-only lock has no remote path: its state stays unknown without BLE.
    assert hass.states.get("lock.back_door").state == "unknown"


async def test_revoked_token_signs_in_again(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Revoked tokens are replaced silently with the stored digest (no reauth)."""
    old = setup_entry.data[CONF_TOKEN]["access_token"]
    cloud.world.revoke_tokens(USERNAME)
    await poll(hass, freezer)
    assert setup_entry.state is ConfigEntryState.LOADED
    assert setup_entry.data[CONF_TOKEN]["access_token"] != old
    assert hass.states.get("lock.front_door").state != STATE_UNAVAILABLE
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_password_changed_starts_reauth(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A changed password (employee left) revokes tokens and asks the user to sign in."""
    cloud.world.change_password(USERNAME, "changed")
    await poll(hass, freezer)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]


async def test_setup_auth_failure(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """Setup with a refused password fails into reauth."""
    cloud.world.change_password(USERNAME, "changed")
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flows[0]["context"]["source"] == SOURCE_REAUTH


async def test_setup_retry_when_cloud_down(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """An unreachable cloud makes setup retry later."""
    await cloud.server.stop()
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_poll_failure_marks_unavailable_and_recovers(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A failing poll makes entities unavailable; the next good poll brings them back."""
    cloud.world.faults.fail_next("lock/list", errcode=90000)
    await poll(hass, freezer)
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    await poll(hass, freezer)
    assert hass.states.get("lock.front_door").state != STATE_UNAVAILABLE


async def test_devices_removed_while_home_assistant_was_off(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A lock and a gateway that left the account while Home Assistant was off lose their
    devices at the next setup; the account's own device and current locks stay."""
    for identifier in ("lock-4999999", "gateway-399999"):
        device_registry.async_get_or_create(
            config_entry_id=config_entry.entry_id, identifiers={(DOMAIN, identifier)}
        )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    left = {
        value
        for device in dr.async_entries_for_config_entry(device_registry, config_entry.entry_id)
        for _, value in device.identifiers
    }
    assert "lock-4999999" not in left and "gateway-399999" not in left
    assert f"lock-{FRONT_DOOR}" in left and f"gateway-{HALLWAY_GATEWAY}" in left


async def test_new_and_removed_devices(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Locks and gateways added to the account appear without a reload; removed ones go."""
    world = cloud.world
    gw = world.add_gateway(gateway_name="Garden Gateway", owner=USERNAME)
    lock = world.add_lock(
        lock_alias="Shed",
        admin=USERNAME,
        features=[0, 10],
        gateways=[(gw.gateway_id, -70)],
    )
    await poll(hass, freezer)
    assert hass.states.get("lock.shed") is not None
    assert device_registry.async_get_device_by_identifier(
        (DOMAIN, f"gateway-{gw.gateway_id}"), setup_entry.entry_id
    )
    world.remove_lock(lock.lock_id)
    world.remove_gateway(gw.gateway_id)
    await poll(hass, freezer)
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, f"lock-{lock.lock_id}"), setup_entry.entry_id
        )
        is None
    )
    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, f"gateway-{gw.gateway_id}"), setup_entry.entry_id
        )
        is None
    )
    assert entity_registry.async_get("lock.shed") is None


async def test_monthly_quota_exhausted(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """30007 raises a repair issue and backs off; it clears when calls work again."""
    cloud.world.set_quota(CLIENT_ID, cloud.world.usage(CLIENT_ID))
    await poll(hass, freezer)
    issue_id = f"api_quota_exhausted_{setup_entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    cloud.world.set_quota(CLIENT_ID, None)
    # retry_after is at most an hour
    await advance(hass, freezer, 3601)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get("lock.front_door").state != STATE_UNAVAILABLE


async def test_rate_limited_backs_off(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """30006 fails the poll and retries after a minute instead of the poll interval."""
    cloud.world.faults.fail_next("lock/list", errcode=30006)
    await poll(hass, freezer)
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE
    await advance(hass, freezer, 61)
    assert hass.states.get("lock.front_door").state != STATE_UNAVAILABLE


async def test_own_budget_stops_polling(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """When the integration's own monthly budget is spent it stops polling, keeps state."""
    hass.config_entries.async_update_entry(config_entry, options={CONF_MONTHLY_BUDGET: 100})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    usage = config_entry.runtime_data.usage
    for _ in range(100):
        usage.record("test")
    before = cloud.world.usage(CLIENT_ID)
    await poll(hass, freezer)
    assert cloud.world.usage(CLIENT_ID) == before
    issue_id = f"api_budget_exhausted_{config_entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert hass.states.get("lock.front_door").state != STATE_UNAVAILABLE
    assert hass.states.get("sensor.ttlock_account_api_budget_left").state == "0"


async def test_usage_persists_across_restart(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The month's call count survives an unload and reload."""
    calls = setup_entry.runtime_data.usage.calls
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert setup_entry.runtime_data.usage.calls > calls


async def test_unload_and_remove(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Unloading releases everything; removing forgets the stored usage."""
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    assert setup_entry.state is ConfigEntryState.NOT_LOADED
    assert await hass.config_entries.async_remove(setup_entry.entry_id)
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_remove_config_entry_device(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    hass_ws_client,
) -> None:
    """Only devices no longer on the account can be deleted by the user."""
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    front = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"lock-{FRONT_DOOR}"), setup_entry.entry_id
    )
    assert front is not None
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": setup_entry.entry_id,
            "device_id": front.id,
        }
    )
    response = await client.receive_json()
    assert not response["success"]
    stale = device_registry.async_get_or_create(
        config_entry_id=setup_entry.entry_id, identifiers={(DOMAIN, "lock-999")}
    )
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": setup_entry.entry_id,
            "device_id": stale.id,
        }
    )
    response = await client.receive_json()
    assert response["success"]


@pytest.mark.parametrize("scenario", ["scale"])
async def test_scale_account(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """A 1,000-lock account sets up with a handful of calls (sign-in, the lock and gateway
    lists, one poll's per-lock calls, the meter and lift lists). Only the lock platform is
    set up: the cost in calls does not depend on the platforms, and 1,000 locks' settings
    and sensors would only make a slow test machine slower."""
    from unittest.mock import patch

    from homeassistant.const import Platform

    with patch("custom_components.ttlock_access.PLATFORMS", [Platform.LOCK]):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert len(hass.states.async_entity_ids("lock")) == 1000
    assert cloud.world.usage(CLIENT_ID) <= 15


async def test_stale_details_and_signal_are_refreshed(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Details older than 6 h and signal older than 1 h are read again by the sweep."""
    await poll(hass, freezer, 6)
    cloud.world.lock(FRONT_DOOR).firmware_revision = "5.2.0"
    cloud.world.set_lock_in_range(FRONT_DOOR, HALLWAY_GATEWAY, True, rssi=-80)
    await advance(hass, freezer, 7 * 3600)
    await poll(hass, freezer, 6)
    front = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"lock-{FRONT_DOOR}"), setup_entry.entry_id
    )
    assert front is not None
    assert front.sw_version == "5.2.0"
    coordinator = setup_entry.runtime_data.coordinator
    sighting = coordinator.data.locks[FRONT_DOOR].best_sighting
    assert sighting is not None and sighting.rssi == -80


async def test_sweep_failures(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A lock out of reach does not fail the poll; a quota error in the sweep does."""
    world = cloud.world
    world.faults.fail_next("lock/queryOpenState", errcode=-3002, times=20)
    world.faults.fail_next("lock/detail", errcode=-3, times=20)
    await poll(hass, freezer, 3)
    assert hass.states.get("lock.front_door").state != STATE_UNAVAILABLE
    world.faults.clear()
    world.faults.fail_next("lock/queryOpenState", errcode=30006, times=20)
    world.faults.fail_next("lock/detail", errcode=30006, times=20)
    world.faults.fail_next("gateway/listByLock", errcode=30006, times=20)
    await poll(hass, freezer)
    assert hass.states.get("lock.front_door").state == STATE_UNAVAILABLE


async def test_sweep_auth_failure_starts_reauth(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Credentials refused in the middle of the sweep start re-authentication."""
    for endpoint in ("lock/queryOpenState", "lock/detail", "gateway/listByLock"):
        cloud.world.faults.fail_next(endpoint, errcode=10007, times=5)
    await poll(hass, freezer)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]


async def test_usage_resets_with_the_month(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The API call count starts again at zero in a new calendar month."""
    usage = setup_entry.runtime_data.usage
    assert usage.calls > 0
    usage.quota_exhausted = True
    await advance(hass, freezer, 32 * 86400)
    # the poll of the new month has made a few calls (locks, meters, lifts), counted from zero
    assert 0 < usage.calls < 16
    assert not usage.quota_exhausted
