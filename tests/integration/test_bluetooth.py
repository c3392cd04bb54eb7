"""Bluetooth through Home Assistant's real Bluetooth stack and a virtual proxy.

The integration's production path runs unpatched: ``async_ble_device_from_address`` →
bleak-retry-connector ``establish_connection`` → HA's client wrapper → the proxy's
``VirtualClient`` → a simulated lock speaking the TTLock protocol (simulator/ble).
"""

from __future__ import annotations

from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_LOCK, SERVICE_UNLOCK
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from tests.integration.helpers import CLIENT_ID, BleWorld, Cloud, call, poll

FRONT = 5001101
BACK = 5001103
GATEWAY = 301001


async def _lock_call(hass: HomeAssistant, service: str, entity_id: str) -> None:
    await hass.services.async_call(LOCK_DOMAIN, service, {ATTR_ENTITY_ID: entity_id}, blocking=True)


async def test_bluetooth_only_lock_unlocks_over_bluetooth(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """The Bluetooth-only lock of the account is driven over BLE with the cloud's keys."""
    assert hass.states.get("sensor.back_door_connection_path").state == "bluetooth"
    before = cloud.world.usage(CLIENT_ID)
    await _lock_call(hass, SERVICE_UNLOCK, "lock.back_door")
    assert hass.states.get("lock.back_door").state == "unlocked"
    assert not ble.locks[BACK].locked
    assert cloud.world.lock(BACK).state == 1  # the world sees the Bluetooth unlock
    assert cloud.world.usage(CLIENT_ID) == before  # no API call spent
    path = hass.states.get("sensor.back_door_connection_path")
    assert path.attributes["last_command_path"] == "bluetooth"
    await _lock_call(hass, SERVICE_LOCK, "lock.back_door")
    assert ble.locks[BACK].locked


async def test_gateway_lock_prefers_bluetooth_and_falls_back(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """In range: Bluetooth (no cloud call). Out of range: the gateway, transparently."""
    await _lock_call(hass, SERVICE_UNLOCK, "lock.front_door")
    path = hass.states.get("sensor.front_door_connection_path")
    assert path.attributes["last_command_path"] == "bluetooth"
    ble.locks[FRONT].set_in_range(False)
    await _lock_call(hass, SERVICE_LOCK, "lock.front_door")
    assert hass.states.get("lock.front_door").state == "locked"
    path = hass.states.get("sensor.front_door_connection_path")
    assert path.attributes["last_command_path"] == "gateway"
    assert cloud.world.records[FRONT][-1].record_type in (11, 12)


async def test_advertisement_updates_state_and_battery(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Bolt state and battery come from advertisements, without connecting."""
    lock = ble.locks[BACK]
    connections = ble.scanner  # noqa: F841 - the proxy counts nothing here
    lock.set_locked(False)
    await hass.async_block_till_done()
    assert hass.states.get("lock.back_door").state == "unlocked"
    lock.set_battery(23)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.back_door_battery").state == "23"


async def test_passcode_over_bluetooth(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """A custom code for the Bluetooth-only lock is written over BLE and revoked over BLE."""
    result = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "Guest"})
    assert result["locks"]["lock.back_door"] == {"state": "set", "path": "bluetooth"}
    code = result["code"]
    lock = ble.locks[BACK]
    assert lock.enter_code(code)
    await call(hass, "revoke_passcode", {"credential_id": result["credential_id"]})
    assert not lock.enter_code(code)


async def test_enroll_card_and_fingerprint_over_bluetooth(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Cards and fingerprints are enrolled at the lock, with progress events."""
    lock = ble.locks[BACK]
    front = ble.locks[FRONT]
    steps: list[dict[str, Any]] = []

    @callback
    def _progress(event: Event) -> None:
        steps.append(dict(event.data))
        if event.data["step"] == "present_card":
            lock.present_card(123456789)
        elif event.data["step"] == "fingerprint":
            front.place_finger()

    unsub = hass.bus.async_listen(f"{DOMAIN}_enrollment", _progress)
    card = await call(hass, "add_card", {"entity_id": "lock.back_door", "name": "Card"})
    assert card["locks"]["lock.back_door"]["state"] == "set"
    assert lock.present_card(123456789)
    finger = await call(
        hass, "enroll_fingerprint", {"entity_id": "lock.front_door", "name": "Thumb"}
    )
    unsub()
    assert finger["locks"]["lock.front_door"]["state"] == "set"
    assert finger["locks"]["lock.front_door"]["path"] == "bluetooth"
    assert [s["step"] for s in steps].count("fingerprint") >= 2
    assert steps[-1]["step"] == "done"
    assert all(s["device_id"] for s in steps)
    await call(hass, "revoke_card", {"credential_id": card["credential_id"]})
    assert not lock.present_card(123456789)
    await call(hass, "revoke_fingerprint", {"credential_id": finger["credential_id"]})


async def test_queued_passcode_reaches_the_lock_when_it_comes_into_range(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Out of range: the grant waits; back in range: it is written without user action."""
    lock = ble.locks[BACK]
    lock.set_in_range(False)
    await hass.async_block_till_done()
    result = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "Later"})
    assert result["locks"]["lock.back_door"]["state"] == "setting"
    lock.set_in_range(True)
    ble.scanner.inject(lock.address)
    await hass.async_block_till_done()
    await poll(hass, freezer)
    assert lock.enter_code(result["code"])
    assert hass.states.get("sensor.back_door_pending_access_changes").state == "0"


@pytest.mark.parametrize("ble_lock_ids", [(5001103,)])
async def test_out_of_range_bluetooth_only_lock_explains(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """A lock that went out of range gives the 'not in range' error, not a generic one."""
    from homeassistant.exceptions import HomeAssistantError

    ble.locks[BACK].set_in_range(False)
    with pytest.raises(HomeAssistantError) as err:
        await _lock_call(hass, SERVICE_UNLOCK, "lock.back_door")
    assert err.value.translation_key in ("ble_not_found", "ble_connection", "no_path")
