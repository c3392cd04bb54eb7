"""Measurement behind benchmarks/ble_exchanges.py (run that script, not pytest directly)."""

from __future__ import annotations

from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_UNLOCK
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from tests.integration.helpers import BleWorld, Cloud

BACK = 5001103
PASSCODES = 50


async def test_measure(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Unlock, then write 50 passcodes, counting connections and frames on the link."""
    coordinator = setup_entry.runtime_data.coordinator
    mac = cloud.world.lock(BACK).lock_mac
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: "lock.back_door"}, blocking=True
    )
    link = coordinator.ble.link(coordinator.data.locks[BACK])
    assert link.address == mac
    unlock_exchanges = link.exchanges
    connections_before, exchanges_before = link.connections, link.exchanges
    for index in range(PASSCODES):
        await hass.services.async_call(
            DOMAIN,
            "create_passcode",
            {"entity_id": "lock.back_door", "name": f"Guest {index}"},
            blocking=True,
            return_response=True,
        )
    connections = link.connections - connections_before
    exchanges = link.exchanges - exchanges_before
    on_lock = len(ble.locks[BACK].passcodes) if hasattr(ble.locks[BACK], "passcodes") else None
    print("\n\nBluetooth traffic (counted on the integration's link)")
    print(f"  frames per unlock once connected: {unlock_exchanges}  (target <= 2)")
    print(
        f"  {PASSCODES} passcodes: {exchanges} frames ({exchanges / PASSCODES:.1f} per passcode),"
        f" {connections} new connection(s); {link.connections} connection in all, unlock"
        " included  (target: 1 connection)"
    )
    if on_lock is not None:
        print(f"  passcodes now stored on the simulated lock: {on_lock}\n")
