"""The meter actions: which meter a call targets, the prepaid top-up (by meter, or a tenant's
meters by the tenant's name: meter_tenants.py) and the temporary supply (meter_supply.py)."""

from __future__ import annotations

import math
from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er

from .access import HolderKind
from .actions import (
    devices_matching,
    invalid,
    names_target,
    response_time,
    targeted_devices,
    valid_name,
)
from .const import DOMAIN
from .meter_supply import no_balance, supply_entity_id
from .meter_tenants import holder_meter_targets
from .meters import MeterCoordinator, MeterKey, meter_device_identifier
from .runtime import TTLockConfigEntry, TTLockRuntimeData
from .sdk.cloud.meters import MAX_RECHARGE
from .sdk.model import Meter, MeterKind

POSITIVE = vol.All(vol.Coerce(float), vol.Range(min=0.01, max=MAX_RECHARGE))
"""A top-up's money or units."""
MAX_SUPPLY_MINUTES = 1440
"""A temporary supply lasts at most a day."""
TEMPORARY_SUPPLY_SCHEMA = vol.Schema(
    {
        **cv.TARGET_SERVICE_FIELDS,
        vol.Required("minutes"): vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_SUPPLY_MINUTES)),
        vol.Optional("holder"): valid_name,
    }
)


def meter_targets(
    hass: HomeAssistant, call: ServiceCall
) -> list[tuple[MeterCoordinator, MeterKey]]:
    """The meters a call names: by device, or by any entity of a meter (areas too)."""
    device_ids = targeted_devices(hass, call)
    found: dict[tuple[str, MeterKey], tuple[MeterCoordinator, MeterKey]] = {}
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        config_entry: TTLockConfigEntry = entry
        meters = config_entry.runtime_data.meters
        if meters is None:
            continue
        by_identifier = {meter_device_identifier(key): key for key in meters.data}
        for key in devices_matching(hass, device_ids, entry.entry_id, by_identifier):
            found[(entry.entry_id, key)] = (meters, key)
    return list(found.values())


def recharge_units(meter: Meter, amount: float | None, units: float | None) -> tuple[float, float]:
    """Money and units of a top-up; one of them is enough when the meter has a unit price."""
    if amount is None and units is None:
        raise invalid("recharge_needs_amount")
    price = meter.price
    if amount is None or units is None:
        if not price or price <= 0:
            raise invalid("recharge_needs_price", name=meter.name)
        amount = amount if amount is not None else round(units * price, 2)  # type: ignore[operator]
        units = units if units is not None else round(amount / price, 2)
    if not (math.isfinite(amount) and math.isfinite(units)) or min(amount, units) <= 0:
        raise invalid("recharge_needs_amount")
    return amount, units


async def async_recharge(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Top up prepaid meters (targeted, or a tenant's by ``holder``); answers each meter's
    reading afterwards."""
    if call.data.get("holder") is not None:
        if names_target(call):
            raise invalid("recharge_holder_or_target")
        targets = holder_meter_targets(hass, call.data["holder"])
    else:
        targets = meter_targets(hass, call)
    if not targets:
        raise invalid("no_meters")
    plans = []
    for meters, key in targets:
        meter = meters.data[key]
        if not meter.prepaid:
            raise invalid("meter_not_prepaid", name=meter.name)
        plans.append(
            (meters, key, *recharge_units(meter, call.data.get("amount"), call.data.get("units")))
        )
    result: dict[str, Any] = {}
    entities = er.async_get(hass)
    for meters, key, amount, units in plans:
        fresh = await meters.async_recharge(key, amount=amount, units=units)
        # keyed by the meter's counter entity (the one the Energy dashboard uses)
        counter = "energy" if key[0] is MeterKind.ELECTRIC else "water"
        unique_id = f"meter_{key[0].value}_{key[1]}_{counter}"
        entity_id = entities.async_get_entity_id("sensor", DOMAIN, unique_id) or unique_id
        result[entity_id] = {
            "name": fresh.name,
            "amount": amount,
            "units": units,
            "unit": "kWh" if fresh.kind is MeterKind.ELECTRIC else "m³",
            "remaining": fresh.remaining,
            "balance": fresh.balance,
            "supply_on": fresh.supply_on,
        }
    return {"meters": result}


async def async_temporary_supply(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Supply on now on every targeted meter, and off again after ``minutes`` where it was
    off before; answers per supply entity (switch or valve) whether and when it goes off."""
    targets = meter_targets(hass, call)
    if not targets:
        raise invalid("no_meters")
    holder: str | None = call.data.get("holder")
    plans = []
    for meters, key in targets:
        runtime: TTLockRuntimeData = meters.config_entry.runtime_data
        found = runtime.access.holder(holder) if holder is not None else None
        if holder is not None and found is None:
            raise invalid("unknown_holder", holder=holder)
        if found is not None and found.kind is not HolderKind.STAFF:
            # staff working in an empty flat; a tenant's supply follows their balance
            raise invalid("supply_for_staff", holder=found.name, kind=found.kind.value)
        meter = meters.data[key]
        if meter.supply_on is not True and no_balance(meter):
            raise invalid("supply_needs_balance", name=meter.name)
        assert runtime.supply is not None  # an account entry with meters
        plans.append((runtime.supply, key, found.name if found else None))
    result: dict[str, Any] = {}
    for supply, key, name in plans:
        given = await supply.async_give(key, call.data["minutes"], name)
        given["off_at"] = response_time(given["off_at"])
        result[supply_entity_id(hass, key)] = given
    return {"meters": result}
