"""A tenant's meters: linked at ``check_in``, topped up by name, let go at ``check_out``.

``check_in`` takes ``meters`` (meter devices, or any entity of a meter, of the same account as
the locks); they are kept with the tenant in the access model's Store (``Holder.meters``) and
shown wherever the holder is (action responses, the Access panel's overview).
``recharge_meter`` with ``holder`` tops up that tenant's meters. ``check_out`` unlinks them,
and with ``cut_supply: true`` switches them off (a pending temporary supply on them is
dropped, as for any switch by hand).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, valid_entity_id
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from .access import AccessManager, Holder
from .actions import find_holder, holder_response, invalid, lock_targets
from .const import DOMAIN
from .meter_supply import async_switch_by_hand
from .meters import MeterCoordinator, MeterKey, meter_device_identifier
from .runtime import TTLockRuntimeData
from .sdk.model import MeterKind

type Handler = Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]

METERS_FIELD = {vol.Optional("meters"): vol.All(cv.ensure_list, [cv.string])}
"""``check_in``: the tenant's meters, by device id or by any entity id of a meter."""
CUT_SUPPLY_FIELD = {vol.Optional("cut_supply", default=False): cv.boolean}
"""``check_out``: switch the tenant's meters off as well."""


def _meters_of(manager: AccessManager) -> MeterCoordinator | None:
    runtime: TTLockRuntimeData = manager.entry.runtime_data
    return runtime.meters


def counter_entity_id(hass: HomeAssistant, key: MeterKey) -> str:
    """A meter in a response: its counter entity (the one the Energy dashboard uses)."""
    counter = "energy" if key[0] is MeterKind.ELECTRIC else "water"
    unique_id = f"meter_{key[0].value}_{key[1]}_{counter}"
    return er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique_id) or unique_id


def resolve_meters(hass: HomeAssistant, refs: list[str], manager: AccessManager) -> list[MeterKey]:
    """The meters ``refs`` name (device ids or entity ids), all of ``manager``'s account."""
    meters = _meters_of(manager)
    by_identifier = {meter_device_identifier(key): key for key in (meters.data if meters else {})}
    devices, entities = dr.async_get(hass), er.async_get(hass)
    found: list[MeterKey] = []
    for ref in refs:
        device_id: str | None = ref
        if valid_entity_id(ref):
            registered = entities.async_get(ref)
            device_id = registered.device_id if registered is not None else None
        device = devices.async_get(device_id) if device_id else None
        meter_ids = [
            ident
            for ident in (device.identifiers if device else ())
            if ident[0] == DOMAIN and ident[1].startswith("meter-")
        ]
        if device is None or not meter_ids:
            raise invalid("not_a_meter", ref=ref)
        if device.config_entry_id != manager.entry.entry_id:
            raise invalid("meter_of_another_account", name=device.name or ref)
        keys = [by_identifier[ident] for ident in meter_ids if ident in by_identifier]
        if not keys:  # registered, but no longer on the account
            raise invalid("not_a_meter", ref=ref)
        found.extend(key for key in keys if key not in found)
    return found


def linked_meters(manager: AccessManager, holder: Holder) -> list[MeterKey]:
    """A holder's meters that are still on the account."""
    meters = _meters_of(manager)
    by_identifier = {
        meter_device_identifier(key)[1]: key for key in (meters.data if meters else {})
    }
    return [by_identifier[value] for value in holder.meters if value in by_identifier]


def holder_meter_targets(hass: HomeAssistant, ref: str) -> list[tuple[MeterCoordinator, MeterKey]]:
    """The meters linked to a holder (``recharge_meter`` by name)."""
    manager, holder = find_holder(hass, ref)
    meters = _meters_of(manager)
    keys = linked_meters(manager, holder)
    if meters is None or not keys:
        raise invalid("holder_has_no_meters", holder=holder.name)
    return [(meters, key) for key in keys]


def account_meters(hass: HomeAssistant, manager: AccessManager) -> list[dict[str, Any]]:
    """The account's meters a tenant can be given at check-in (the Access panel's choice)."""
    meters = _meters_of(manager)
    return [
        {"entity_id": counter_entity_id(hass, key), "name": meter.name, "kind": key[0].value}
        for key, meter in (meters.data.items() if meters else ())
    ]


def meters_shown(
    hass: HomeAssistant, manager: AccessManager, holder: Holder
) -> list[dict[str, Any]]:
    """A tenant's meters for the Access panel: what a landlord checks at a glance (the
    prepaid units and money left, whether the supply is on)."""
    meters = _meters_of(manager)
    if meters is None:
        return []
    shown = []
    for key in linked_meters(manager, holder):
        meter = meters.data[key]
        shown.append(
            {
                "entity_id": counter_entity_id(hass, key),
                "name": meter.name,
                "kind": meter.kind.value,
                "unit": "kWh" if meter.kind is MeterKind.ELECTRIC else "m³",
                "prepaid": meter.prepaid,
                "remaining": meter.remaining,
                "balance": meter.balance,
                "supply_on": meter.supply_on,
            }
        )
    return shown


def _shown(hass: HomeAssistant, manager: AccessManager, holder: Holder) -> dict[str, Any]:
    """The holder in a response, with the meters as counter entities."""
    out = holder_response(holder)
    out["meters"] = [counter_entity_id(hass, key) for key in linked_meters(manager, holder)]
    return out


def with_tenant_meters(handler: Handler) -> Handler:
    """``check_in``: check ``meters`` before anything is issued, link them to the tenant
    after."""

    async def _handler(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        refs: list[str] = call.data.get("meters") or []
        if not refs:
            return await handler(hass, call)
        manager = (await lock_targets(hass, call))[0].manager
        keys = resolve_meters(hass, refs, manager)
        response = dict(await handler(hass, call) or {})
        holder = manager.holder(call.data["holder"])
        if holder is None:  # pragma: no cover - the grant has just made or found it
            return response
        linked = set(holder.meters) | {meter_device_identifier(key)[1] for key in keys}
        holder.meters = sorted(linked)
        await manager.async_save()
        manager.async_notify()
        response["holder"] = _shown(hass, manager, holder)
        return response

    return _handler


def with_meters_released(handler: Handler) -> Handler:
    """``check_out``: unlink the tenant's meters, and switch them off with ``cut_supply``."""

    async def _handler(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        manager, holder = find_holder(hass, call.data["holder"])
        keys = linked_meters(manager, holder)
        response = dict(await handler(hass, call) or {})
        if holder.meters:
            holder.meters = []
            await manager.async_save()
            manager.async_notify()
        response["holder"] = holder_response(holder)
        response["meters"] = [counter_entity_id(hass, key) for key in keys]
        meters = _meters_of(manager)
        if call.data.get("cut_supply") and meters is not None:
            await _cut(hass, meters, keys)
            response["supply_cut"] = response["meters"]
        return response

    return _handler


async def _cut(hass: HomeAssistant, meters: MeterCoordinator, keys: list[MeterKey]) -> None:
    """Switch each meter off (those already off too: a pending temporary supply goes);
    the meters that could not be switched are named in one error, after trying them all."""
    failed: list[tuple[str, HomeAssistantError]] = []
    for key in keys:
        try:
            await async_switch_by_hand(meters, key, on=False)
        except HomeAssistantError as err:
            failed.append((meters.data[key].name, err))
    if failed:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="supply_not_cut",
            translation_placeholders={
                "names": ", ".join(name for name, _ in failed),
                "error": str(failed[0][1]),
            },
        ) from failed[0][1]
