"""The lift action: open floors now for one ride (a visitor, a guest), over Bluetooth.

``activate_floors`` targets a lift's entities or its device; the lift controller opens the
given floors for one ride (``0x47`` with floors, docs/ble.md §9.3). There is no cloud path:
out of Bluetooth range it fails with the no-path error.

Instead of (or as well as) ``floors`` the call may name a ``holder`` of the access model: the
floors are then those of the hotel locks (hotel.py) on which the holder has a credential that
works now — on the lock, and inside its validity — in the lift's hotel and building when the
lift has told them. Every lift's floors are worked out before any lift is told anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .access import Credential, CredentialStatus, PlacementState
from .actions import devices_matching, invalid, response_time, targeted_devices
from .const import DOMAIN
from .hotel import HotelLocation
from .lifts import HotelKind, LiftCoordinator, hotel_device_identifier
from .runtime import TTLockConfigEntry

MAX_FLOORS = 255
"""The activation carries a one-byte floor count and one byte per floor (docs/ble.md §9.3)."""

ACTIVATE_FLOORS_SCHEMA = vol.Schema(
    {
        **cv.TARGET_SERVICE_FIELDS,
        vol.Optional("floors"): vol.All(
            cv.ensure_list,
            [vol.All(vol.Coerce(int), vol.Range(min=0, max=255))],
            vol.Length(min=1, max=MAX_FLOORS),
        ),
        vol.Optional("holder"): cv.string,
    }
)


def lift_targets(
    hass: HomeAssistant, call: ServiceCall
) -> list[tuple[TTLockConfigEntry, LiftCoordinator, int]]:
    """The lifts a call names: by device, or by any entity of a lift (areas too)."""
    device_ids = targeted_devices(hass, call)
    found: dict[tuple[str, int], tuple[TTLockConfigEntry, LiftCoordinator, int]] = {}
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
            found[(entry.entry_id, lift_id)] = (config_entry, lifts, lift_id)
    return list(found.values())


def _works_now(credential: Credential, now: datetime) -> bool:
    """Live (not revoked, expired or failed) and inside its validity."""
    if credential.status not in (CredentialStatus.ACTIVE, CredentialStatus.PENDING):
        return False
    if credential.starts_at is not None and credential.starts_at > now:
        return False
    return credential.ends_at is None or credential.ends_at > now


def _same_place(lock: HotelLocation, lift: HotelLocation | None) -> bool:
    """A hotel lock served by the lift: any, until the lift has told its hotel and building."""
    return lift is None or (lock.hotel, lock.building) == (lift.hotel, lift.building)


def holder_floors(
    entry: TTLockConfigEntry, lifts: LiftCoordinator, lift_id: int, ref: str
) -> tuple[str, set[int]]:
    """The holder's name and the floors of the hotel locks it holds a working credential on
    (confirmed on the lock), in the lift's building. Translated refusals: an unknown holder,
    or one with no such floor."""
    runtime = entry.runtime_data
    holder = runtime.access.holder(ref)
    if holder is None:
        raise invalid("unknown_holder", holder=ref)
    settings = lifts.data.settings.get(lift_id)
    lift_place = settings.location if settings is not None else None
    hotel = runtime.hotel
    now = dt_util.utcnow()
    floors: set[int] = set()
    for credential in runtime.access.credentials_of(holder.holder_id):
        if not _works_now(credential, now):
            continue
        for lock_id, placement in credential.placements.items():
            where = hotel.location(lock_id) if hotel is not None else None
            if (
                placement.state is PlacementState.SET
                and where is not None
                and _same_place(where, lift_place)
            ):
                floors.add(where.floor)
    if not floors:
        raise invalid(
            "holder_has_no_floor", holder=holder.name, lift=lifts.data.lifts[lift_id].lock.name
        )
    return holder.name, floors


async def async_activate_floors(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Open the floors for one ride on every targeted lift; answers when each did, and
    which floors."""
    targets = lift_targets(hass, call)
    if not targets:
        raise invalid("no_lifts")
    given: set[int] = set(call.data.get("floors") or ())
    ref: str | None = call.data.get("holder")
    if ref is None and not given:
        raise invalid("activate_floors_needs_floors")
    planned: list[tuple[LiftCoordinator, int, list[int], str | None]] = []
    for entry, lifts, lift_id in targets:
        wanted, holder = set(given), None
        if ref is not None:
            holder, held = holder_floors(entry, lifts, lift_id, ref)
            wanted |= held
        planned.append((lifts, lift_id, sorted(wanted), holder))
    result: dict[str, Any] = {}
    entities = er.async_get(hass)
    for lifts, lift_id, floors, holder in planned:
        at = await lifts.async_activate_floors(lift_id, floors)
        # keyed by the lift's work-mode entity (its one entity that is not a floor)
        unique_id = f"{HotelKind.LIFT.value}_{lift_id}_work_mode"
        key = entities.async_get_entity_id("select", DOMAIN, unique_id) or str(lift_id)
        answer: dict[str, Any] = {
            "name": lifts.data.lifts[lift_id].lock.name,
            "floors": floors,
            "activated_at": response_time(at),
        }
        if holder is not None:
            answer["holder"] = holder
        result[key] = answer
    return {"lifts": result}
