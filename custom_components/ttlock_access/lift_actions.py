"""The lift action: open floors now for one ride (a visitor), over Bluetooth.

``activate_floors`` targets a lift's entities or its device; the lift controller opens the
given floors for one ride (``0x47`` with floors, docs/ble.md §9.3). There is no cloud path:
out of Bluetooth range it fails with the no-path error.
"""

from __future__ import annotations

from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er

from .actions import devices_matching, invalid, response_time, targeted_devices
from .const import DOMAIN
from .lifts import HotelKind, LiftCoordinator, hotel_device_identifier
from .runtime import TTLockConfigEntry

MAX_FLOORS = 255
"""The activation carries a one-byte floor count and one byte per floor (docs/ble.md §9.3)."""

ACTIVATE_FLOORS_SCHEMA = vol.Schema(
    {
        **cv.TARGET_SERVICE_FIELDS,
        vol.Required("floors"): vol.All(
            cv.ensure_list,
            [vol.All(vol.Coerce(int), vol.Range(min=0, max=255))],
            vol.Length(min=1, max=MAX_FLOORS),
        ),
    }
)


def lift_targets(hass: HomeAssistant, call: ServiceCall) -> list[tuple[LiftCoordinator, int]]:
    """The lifts a call names: by device, or by any entity of a lift (areas too)."""
    device_ids = targeted_devices(hass, call)
    found: dict[tuple[str, int], tuple[LiftCoordinator, int]] = {}
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        config_entry: TTLockConfigEntry = entry
        lifts = config_entry.runtime_data.lifts
        if lifts is None:
            continue
        by_identifier = {
            hotel_device_identifier(HotelKind.LIFT, lift_id): lift_id
            for lift_id in lifts.data.lifts
        }
        for lift_id in devices_matching(hass, device_ids, entry.entry_id, by_identifier):
            found[(entry.entry_id, lift_id)] = (lifts, lift_id)
    return list(found.values())


async def async_activate_floors(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Open the floors for one ride on every targeted lift; answers when each did."""
    targets = lift_targets(hass, call)
    if not targets:
        raise invalid("no_lifts")
    floors: list[int] = sorted(set(call.data["floors"]))
    result: dict[str, Any] = {}
    entities = er.async_get(hass)
    for lifts, lift_id in targets:
        at = await lifts.async_activate_floors(lift_id, floors)
        # keyed by the lift's work-mode entity (its one entity that is not a floor)
        unique_id = f"{HotelKind.LIFT.value}_{lift_id}_work_mode"
        key = entities.async_get_entity_id("select", DOMAIN, unique_id) or str(lift_id)
        result[key] = {
            "name": lifts.data.lifts[lift_id].lock.name,
            "floors": floors,
            "activated_at": response_time(at),
        }
    return {"lifts": result}
