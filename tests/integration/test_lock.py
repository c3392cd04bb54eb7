"""Lock entity: lock/unlock through the gateway, translated errors, inferred auto-lock."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_LOCK, SERVICE_UNLOCK
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from tests.integration.helpers import CLIENT_ID, USERNAME, Cloud, advance, poll

FRONT_DOOR = 5001101
GARAGE = 5001102
HALLWAY_GATEWAY = 301001


async def _call(hass: HomeAssistant, service: str, entity_id: str) -> None:
    await hass.services.async_call(LOCK_DOMAIN, service, {ATTR_ENTITY_ID: entity_id}, blocking=True)


async def test_unlock_and_lock_through_gateway(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Unlocking reaches the simulated lock through its gateway and leaves a record."""
    world = cloud.world
    await _call(hass, SERVICE_UNLOCK, "lock.front_door")
    assert hass.states.get("lock.front_door").state == "unlocked"
    assert world.lock(FRONT_DOOR).state == 1
    assert world.records[FRONT_DOOR][-1].record_type == 12  # unlock by gateway
    await _call(hass, SERVICE_LOCK, "lock.front_door")
    assert hass.states.get("lock.front_door").state == "locked"
    assert world.lock(FRONT_DOOR).state == 0


async def test_wifi_lock_direct(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A Wi-Fi lock is commanded through the cloud without a gateway."""
    assert hass.states.get("binary_sensor.garage_wi_fi_connectivity").state == "unknown"
    await _call(hass, SERVICE_UNLOCK, "lock.garage")
    assert hass.states.get("lock.garage").state == "unlocked"
    assert cloud.world.lock(GARAGE).state == 1
    assert hass.states.get("binary_sensor.garage_wi_fi_connectivity").state == "on"


async def test_bluetooth_only_lock_has_no_path(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Without a gateway or Bluetooth, the user is told why the lock cannot be reached."""
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, SERVICE_UNLOCK, "lock.back_door")
    assert err.value.translation_key == "no_path"
    assert "Back Door" in str(err.value)


@pytest.mark.parametrize(
    ("setup", "key"),
    [
        (lambda w: w.set_remote_unlock(FRONT_DOOR, False), "remote_unlock_disabled"),
        (lambda w: w.set_gateway_online(HALLWAY_GATEWAY, False), "gateway_offline"),
        (lambda w: w.set_lock_in_range(FRONT_DOOR, HALLWAY_GATEWAY, False), "no_gateway"),
        (lambda w: w.faults.fail_next("lock/unlock", errcode=1), "lock_failed"),
        (lambda w: w.faults.fail_next("lock/unlock", errcode=-3003, times=4), "gateway_busy"),
        (lambda w: w.faults.fail_next("lock/unlock", errcode=-2025), "lock_frozen"),
        (lambda w: w.faults.fail_next("lock/unlock", errcode=-1003), "lock_not_found"),
        (lambda w: w.faults.fail_next("lock/unlock", errcode=20002), "permission_denied"),
        (lambda w: w.faults.fail_next("lock/unlock", errcode=30006), "rate_limited"),
        (lambda w: w.faults.fail_next("lock/unlock", errcode=80000), "clock_skew"),
        (lambda w: w.faults.fail_next("lock/unlock", errcode=-3037), "lock_busy"),
        (lambda w: w.faults.fail_next("lock/unlock", errcode=-9999), "cloud_error"),
        (lambda w: w.faults.fail_next("lock/unlock", http_status=502), "cannot_connect"),
    ],
)
async def test_unlock_errors_are_translated(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    setup,
    key: str,
) -> None:
    """Every cloud refusal becomes a translated error naming the lock; state is unchanged."""
    before = hass.states.get("lock.front_door").state
    setup(cloud.world)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, SERVICE_UNLOCK, "lock.front_door")
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert hass.states.get("lock.front_door").state == before


async def test_remote_unlock_message(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """-4043 tells the user to enable remote unlock in the TTLock app."""
    cloud.world.set_remote_unlock(FRONT_DOOR, False)
    with pytest.raises(HomeAssistantError, match="Remote unlock"):
        await _call(hass, SERVICE_UNLOCK, "lock.front_door")


async def test_wifi_lock_offline(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """An offline Wi-Fi lock says so."""
    cloud.world.set_wifi_online(GARAGE, False)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, SERVICE_UNLOCK, "lock.garage")
    assert err.value.translation_key == "lock_offline"
    assert hass.states.get("binary_sensor.garage_wi_fi_connectivity").state == "off"


async def test_command_auth_failure_starts_reauth(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A command refused for credentials starts re-authentication."""
    cloud.world.change_password(USERNAME, "changed")
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, SERVICE_UNLOCK, "lock.front_door")
    assert err.value.translation_key == "auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]


async def test_command_quota_exhausted_raises_issue(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """30007 on a command explains the quota and raises the repair issue."""
    cloud.world.set_quota(CLIENT_ID, cloud.world.usage(CLIENT_ID))
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, SERVICE_UNLOCK, "lock.front_door")
    assert err.value.translation_key == "quota_exhausted"
    issue = issue_registry.async_get_issue(DOMAIN, f"api_quota_exhausted_{setup_entry.entry_id}")
    assert issue is not None


async def test_auto_lock_is_inferred(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """TTLock sends no record when a lock relocks itself: the auto-lock time marks it locked."""
    await poll(hass, freezer, 2)  # the sweep has read the lock's detail (autoLockTime 15 s)
    await _call(hass, SERVICE_UNLOCK, "lock.front_door")
    assert hass.states.get("lock.front_door").state == "unlocked"
    await advance(hass, freezer, 16)
    assert hass.states.get("lock.front_door").state == "locked"


async def test_gateway_state_query_reads_the_lock(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A lock opened outside HA is seen unlocked once the sweep queries its state."""
    cloud.world.set_lock_state(GARAGE, 1)  # the garage lock does not relock by itself
    await poll(hass, freezer, 8)
    assert hass.states.get("lock.garage").state == "unlocked"
