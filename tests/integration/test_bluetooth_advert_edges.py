"""Advertisement edge cases: foreign data from a lock's address, locks that left the account,
a lock without key material, and the logbook text of an event without an entity."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from homeassistant.components import bluetooth
from homeassistant.core import Event, HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access import logbook as ttlock_logbook
from custom_components.ttlock_access.const import EVENT_ACTIVITY
from custom_components.ttlock_access.sdk.ble import KeyMaterialError
from tests.integration.helpers import BleWorld, Cloud

BACK = 5001103


def _info(
    hass: HomeAssistant, address: str, manufacturer_data: dict[int, bytes]
) -> bluetooth.BluetoothServiceInfoBleak:
    seen = bluetooth.async_last_service_info(hass, address, False)
    assert seen is not None
    return bluetooth.BluetoothServiceInfoBleak(
        name=seen.name,
        address=address,
        rssi=-50,
        manufacturer_data=manufacturer_data,
        service_data={},
        service_uuids=[],
        source=seen.source,
        device=seen.device,
        advertisement=seen.advertisement,
        connectable=False,
        time=seen.time,
        tx_power=None,
    )


async def test_foreign_advertisement_from_a_lock_address_is_ignored(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Data that is not a TTLock advertisement changes nothing; neither does an advert of
    a lock that has just left the account."""
    coordinator = setup_entry.runtime_data.coordinator
    rt = coordinator.data.locks[BACK]
    before = (rt.ble_battery, rt.state, rt.ble_rssi)
    info = _info(hass, rt.lock.mac, {0x1234: b"\x01\x02"})
    coordinator.ble._advert_handler(BACK)(info, bluetooth.BluetoothChange.ADVERTISEMENT)
    assert (rt.ble_battery, rt.state, rt.ble_rssi) == before
    # a lock id the coordinator no longer has (removed between two advertisements)
    coordinator.ble._advert_handler(999)(info, bluetooth.BluetoothChange.ADVERTISEMENT)
    coordinator.ble._gone_handler(999)(info)
    assert hass.states.get("lock.back_door").state == "locked"


async def test_tracking_skips_unknown_and_tracked_locks(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Tracking again, or tracking a lock id that is not on the account, is a no-op."""
    bt = setup_entry.runtime_data.coordinator.ble
    tracked = dict(bt._callbacks)
    bt.async_track({BACK, 424242})
    assert bt._callbacks == tracked
    bt.async_untrack({424242})  # never tracked
    assert bt._callbacks == tracked


async def test_run_without_key_material(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """A lock whose lockData is gone cannot be driven over Bluetooth: a typed SDK error."""
    coordinator = setup_entry.runtime_data.coordinator
    rt = coordinator.data.locks[BACK]
    bt = coordinator.ble
    bt._keys.pop(BACK, None)
    bt.extra_keys.pop(BACK, None)
    rt.lock = replace(rt.lock, lock_data="")
    with pytest.raises(KeyMaterialError):
        await bt.async_run(rt, lambda keys, now: pytest.fail("no operation is built"))


async def test_logbook_without_entity(hass: HomeAssistant) -> None:
    """An activity event of a lock without an entity still reads well."""
    described: dict[str, Any] = {}

    def _register(domain: str, event_type: str, describe: Any) -> None:
        described[event_type] = describe

    ttlock_logbook.async_describe_events(hass, _register)
    text = described[EVENT_ACTIVITY](
        Event(EVENT_ACTIVITY, {"lock_name": "Shed", "description": "locked by auto-lock"})
    )
    assert text == {"name": "Shed", "message": "locked by auto-lock"}
    bare = described[EVENT_ACTIVITY](Event(EVENT_ACTIVITY, {"event_type": "tamper"}))
    assert bare == {"name": "TTLock", "message": "tamper"}
