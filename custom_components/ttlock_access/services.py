"""Service actions: thin, validated handlers over the access model (access.py).

All actions are admin-only, registered once in ``async_setup`` (they validate even when no
entry is loaded) and target lock entities of this integration, or holders by name. Bad input
raises a translated ``ServiceValidationError``; a failure on the lock or cloud a translated
``HomeAssistantError``. Codes appear only in the responses of the actions that create them
(and in ``list_credentials`` when ``include_secrets`` is set).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.service import async_extract_entity_ids, async_register_admin_service
from homeassistant.util import dt as dt_util

from . import native
from .access import (
    AccessManager,
    Credential,
    CredentialKind,
    CredentialStatus,
    Holder,
    HolderKind,
    PlacementState,
    from_ms,
    new_id,
)
from .ble import translate_ble_error
from .const import CONF_OFFLINE_FALLBACK, CONF_PASSCODE_LIMIT, DOMAIN
from .coordinator import LockRuntime, Path, TTLockCoordinator
from .errors import translate_error
from .native import CodegenError
from .sdk.ble import AddCard, AddFingerprint, TTLockBleError
from .sdk.ble.results import CardAddMode, FingerprintProgress
from .sdk.cloud.errors import TTLockError
from .sdk.model import CyclicPeriod, Feature
from .sharing import SHARE_FIELDS, with_sharing

EVENT_ENROLLMENT = f"{DOMAIN}_enrollment"

CUSTOM_TYPES = ("custom_permanent", "custom_period")
OFFLINE_TYPES = (
    "one_time",
    "permanent",
    "period",
    "erase",
    "weekend",
    "daily",
    "workday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
CYCLIC_TYPES = OFFLINE_TYPES[4:]
PASSCODE_TYPES = CUSTOM_TYPES + OFFLINE_TYPES
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

OFFLINE_RULES = {
    "one_time": "Works once, and must be used within 6 hours of its start.",
    "permanent": "Must be used for the first time within 24 hours of its start, or it is void.",
    "period": "Valid from start to end; must be used within 24 hours of its start, or it is void.",
    "erase": "Entering it deletes every other passcode on the lock. "
    "Must be used within 24 hours of its start.",
}
CYCLIC_RULE = "Works every week in the daily window of its start and end times, on {days}."
HOUR_RULE = "TTLock offline codes resolve to the hour: start and end are rounded down."

LOCK_DOMAIN = "lock"
_TARGET = cv.TARGET_SERVICE_FIELDS
_OPT_DT = vol.Optional


def _digits(value: Any) -> str:
    text = str(value).strip()
    if not text.isdigit() or not 4 <= len(text) <= 9:
        raise vol.Invalid("must be 4 to 9 digits")
    return text


CREATE_PASSCODE_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Required("name"): cv.string,
        vol.Optional("type", default="custom_permanent"): vol.In(PASSCODE_TYPES),
        vol.Optional("code"): _digits,
        vol.Optional("length", default=6): vol.All(vol.Coerce(int), vol.Range(min=4, max=9)),
        vol.Optional("holder"): cv.string,
        vol.Optional("starts_at"): cv.datetime,
        vol.Optional("ends_at"): cv.datetime,
        vol.Optional("offline_fallback"): cv.boolean,
    }
)
CREDENTIAL_SCHEMA = vol.Schema({vol.Required("credential_id"): cv.string})
UPDATE_VALIDITY_SCHEMA = vol.Schema(
    {
        vol.Required("credential_id"): cv.string,
        vol.Optional("starts_at"): cv.datetime,
        vol.Optional("ends_at"): cv.datetime,
        vol.Optional("weekdays"): vol.All(cv.ensure_list, [vol.In(WEEKDAYS)]),
        vol.Optional("daily_start"): cv.time,
        vol.Optional("daily_end"): cv.time,
    }
)
ERASE_SCHEMA = vol.Schema({**_TARGET})
ADD_CARD_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Required("name"): cv.string,
        vol.Optional("card_number"): vol.All(cv.string, vol.Match(r"^\d{1,20}$")),
        vol.Optional("reversed", default=False): cv.boolean,
        vol.Optional("holder"): cv.string,
        vol.Optional("starts_at"): cv.datetime,
        vol.Optional("ends_at"): cv.datetime,
        vol.Optional("weekdays"): vol.All(cv.ensure_list, [vol.In(WEEKDAYS)]),
        vol.Optional("daily_start"): cv.time,
        vol.Optional("daily_end"): cv.time,
    }
)
ENROLL_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Required("name"): cv.string,
        vol.Optional("holder"): cv.string,
        vol.Optional("starts_at"): cv.datetime,
        vol.Optional("ends_at"): cv.datetime,
    }
)
RECORD_FINGERPRINT_SCHEMA = ENROLL_SCHEMA.extend(
    {vol.Required("fingerprint_number"): vol.All(cv.string, vol.Match(r"^\d{1,20}$"))}
)
ADD_FACE_SCHEMA = ENROLL_SCHEMA.extend({vol.Required("feature_data"): cv.string})
SEND_EKEY_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Required("receiver"): cv.string,
        vol.Required("name"): cv.string,
        vol.Optional("holder"): cv.string,
        vol.Optional("starts_at"): cv.datetime,
        vol.Optional("ends_at"): cv.datetime,
        vol.Optional("remote_unlock", default=False): cv.boolean,
        vol.Optional("admin", default=False): cv.boolean,
    }
)
GRANT_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Required("holder"): cv.string,
        vol.Optional("kind", default="guest"): vol.In([k.value for k in HolderKind]),
        vol.Optional("person"): cv.entity_id,
        vol.Optional("starts_at"): cv.datetime,
        vol.Optional("ends_at"): cv.datetime,
        vol.Optional("passcode", default=True): cv.boolean,
        vol.Optional("code"): _digits,
        vol.Optional("length", default=6): vol.All(vol.Coerce(int), vol.Range(min=4, max=9)),
        vol.Optional("card_number"): vol.All(cv.string, vol.Match(r"^\d{1,20}$")),
        vol.Optional("ekey_receiver"): cv.string,
    }
)
HOLDER_SCHEMA = vol.Schema({vol.Required("holder"): cv.string})
EXTEND_SCHEMA = vol.Schema(
    {vol.Required("holder"): cv.string, vol.Required("ends_at"): cv.datetime}
)
ADD_STAFF_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Required("names"): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
        vol.Optional("length", default=6): vol.All(vol.Coerce(int), vol.Range(min=4, max=9)),
    }
)
REMOVE_STAFF_SCHEMA = vol.Schema(
    {vol.Required("names"): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1))}
)
_ADOPTABLE: Final = ("passcode", "card", "fingerprint", "face", "ekey")
"""The credential lists of a lock in the cloud, in listing order ("passcode" holds both
custom and offline codes)."""


ADOPT_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Required("kind"): vol.In(list(_ADOPTABLE)),
        vol.Required("ttlock_id"): vol.All(vol.Coerce(int), vol.Range(min=1)),
        vol.Optional("name"): cv.string,
        vol.Optional("holder"): cv.string,
        vol.Optional("holder_kind", default="guest"): vol.In([k.value for k in HolderKind]),
    }
)
LIST_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Optional("holder"): cv.string,
        vol.Optional("include_secrets", default=False): cv.boolean,
        vol.Optional("include_unmanaged", default=False): cv.boolean,
    }
)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@dataclass(slots=True)
class LockTarget:
    """A lock entity resolved to its entry, coordinator and access manager."""

    entity_id: str
    coordinator: TTLockCoordinator
    manager: AccessManager
    rt: LockRuntime

    @property
    def lock_id(self) -> int:
        """TTLock id of the lock."""
        return self.rt.lock.lock_id


def _resolve_targets(hass: HomeAssistant, entity_ids: Iterable[str]) -> list[LockTarget]:
    registry = er.async_get(hass)
    targets: list[LockTarget] = []
    for entity_id in sorted(entity_ids):
        entry = registry.async_get(entity_id)
        if entry is None or entry.platform != DOMAIN or entry.domain != LOCK_DOMAIN:
            continue
        config_entry = hass.config_entries.async_get_entry(entry.config_entry_id or "")
        if config_entry is None or config_entry.state is not ConfigEntryState.LOADED:
            raise _invalid("entry_not_loaded", entity_id=entity_id)
        runtime = config_entry.runtime_data
        lock_id = int(str(entry.unique_id).split("_", 1)[0])
        rt = runtime.coordinator.data.locks.get(lock_id)
        if rt is None:
            raise _invalid("lock_not_available", entity_id=entity_id)
        targets.append(LockTarget(entity_id, runtime.coordinator, runtime.access, rt))
    return targets


async def _targets(
    hass: HomeAssistant, call: ServiceCall, *, one_account: bool = True
) -> list[LockTarget]:
    targets = _resolve_targets(hass, await async_extract_entity_ids(call))
    if not targets:
        raise _invalid("no_locks")
    if one_account and len({id(t.manager) for t in targets}) > 1:
        raise _invalid("locks_of_several_accounts")
    return targets


def _managers(hass: HomeAssistant) -> list[AccessManager]:
    return [entry.runtime_data.access for entry in hass.config_entries.async_loaded_entries(DOMAIN)]


def _find_holder(hass: HomeAssistant, ref: str) -> tuple[AccessManager, Holder]:
    found = [(m, h) for m in _managers(hass) if (h := m.holder(ref)) is not None]
    if not found:
        raise _invalid("unknown_holder", holder=ref)
    if len(found) > 1:
        raise _invalid("ambiguous_holder", holder=ref)
    return found[0]


def _find_credential(hass: HomeAssistant, credential_id: str) -> tuple[AccessManager, Credential]:
    for manager in _managers(hass):
        credential = manager.state.credentials.get(credential_id)
        if credential is not None:
            return manager, credential
    raise _invalid("unknown_credential", credential_id=credential_id)


def _window(data: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """Validity window from the call (naive times are Home Assistant's local time)."""
    starts, ends = data.get("starts_at"), data.get("ends_at")
    starts = dt_util.as_utc(starts) if starts else None
    ends = dt_util.as_utc(ends) if ends else None
    if starts and ends and ends <= starts:
        raise _invalid("end_before_start")
    return starts, ends


def _schedule(data: dict[str, Any]) -> list[dict[str, int]] | None:
    weekdays = data.get("weekdays")
    if not weekdays:
        return None
    start, end = data.get("daily_start"), data.get("daily_end")
    if start is None or end is None:
        raise _invalid("schedule_needs_times")
    start_min, end_min = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    if end_min <= start_min:
        raise _invalid("end_before_start")
    return [
        {"weekDay": WEEKDAYS.index(day) + 1, "startTime": start_min, "endTime": end_min}
        for day in sorted(set(weekdays), key=WEEKDAYS.index)
    ]


async def _existing_codes(target: LockTarget) -> set[str]:
    """Codes already on a lock: the managed ones and, for account locks, the cloud's list."""
    codes: set[str] = set()
    for credential in target.manager.state.credentials.values():
        placement = credential.placements.get(target.lock_id)
        if placement is None or placement.state in (PlacementState.REMOVED, PlacementState.FAILED):
            continue
        if credential.kind is CredentialKind.PASSCODE and credential.secret:
            codes.add(credential.secret)
        elif credential.kind is CredentialKind.OFFLINE_PASSCODE and placement.secret:
            codes.add(placement.secret)
    if target.coordinator.client is not None:
        try:
            listed = await target.coordinator.cloud.list_passcodes(target.lock_id)
        except TTLockError:
            listed = []
        codes.update(p.keyboard_pwd for p in listed if p.keyboard_pwd)
    return codes


def _conflict(code: str, existing: Iterable[str]) -> bool:
    """TTLock's keypad accepts extra digits around a code: containment opens the lock."""
    return any(code in other or other in code for other in existing)


async def _unique_code(targets: list[LockTarget], length: int, code: str | None) -> str:
    existing = {t.lock_id: await _existing_codes(t) for t in targets}
    if code is not None:
        for target in targets:
            if _conflict(code, existing[target.lock_id]):
                raise _invalid("code_conflicts", lock=target.rt.lock.name)
        return code
    try:
        return native.generate_bulk({"holder": [t.lock_id for t in targets]}, length, existing)[
            "holder"
        ]
    except CodegenError as err:
        raise _invalid("no_free_code", length=str(length)) from err


def _has_feature(target: LockTarget, feature: Feature) -> bool:
    """What the lock's featureValue says (local locks: unknown, taken as possible)."""
    features = target.rt.lock.features
    return not features.value or features.has(feature)


def _require_feature(targets: list[LockTarget], feature: Feature, what: str) -> None:
    """Refuse up front what a lock cannot do (its featureValue; local locks: unknown, allowed)."""
    for target in targets:
        if not _has_feature(target, feature):
            raise _invalid("not_supported_by_lock", lock=target.rt.lock.name, feature=what)


def _check_ledger(targets: list[LockTarget], variant: str) -> bool:
    """The monthly passcode limit (off unless set). Returns True to force Bluetooth."""
    from .access import COUNTED_TYPES, month_of

    if variant not in COUNTED_TYPES:
        return False
    ble_only = False
    for target in targets:
        limit = int(target.manager.entry.options.get(CONF_PASSCODE_LIMIT, 0) or 0)
        if not limit:
            continue
        used = target.manager.passcodes_created(target.lock_id, month_of(dt_util.utcnow()))
        if used < limit:
            continue
        if variant in CUSTOM_TYPES and Path.BLUETOOTH in target.coordinator.paths(target.rt):
            ble_only = True  # written straight into the lock, outside the app's count
            continue
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="passcode_limit_reached",
            translation_placeholders={"lock": target.rt.lock.name, "limit": str(limit)},
        )
    return ble_only


def _rules(variant: str, starts: datetime | None, ends: datetime | None) -> list[str]:
    if variant in CUSTOM_TYPES:
        return []
    rules = [HOUR_RULE]
    if variant in OFFLINE_RULES:
        rules.insert(0, OFFLINE_RULES[variant])
    else:
        days = {
            "weekend": "Saturday and Sunday",
            "daily": "every day",
            "workday": "Monday to Friday",
        }
        rules.insert(0, CYCLIC_RULE.format(days=days.get(variant, variant.capitalize())))
    return rules


def _credential_response(
    credential: Credential, targets: list[LockTarget], *, secrets: bool
) -> dict[str, Any]:
    by_lock = {t.lock_id: t.entity_id for t in targets}
    out = credential.public(include_secret=False)
    out["locks"] = {}
    for lock_id, placement in credential.placements.items():
        item: dict[str, Any] = {"state": placement.state.value, "path": placement.path}
        if placement.error:
            item["error"] = placement.error
        if secrets and placement.secret and credential.kind is CredentialKind.OFFLINE_PASSCODE:
            item["code"] = placement.secret
        out["locks"][by_lock.get(lock_id, str(lock_id))] = item
    if secrets and credential.secret and credential.kind is CredentialKind.PASSCODE:
        out["code"] = credential.secret
    return out


async def _holder_for(
    manager: AccessManager,
    ref: str | None,
    *,
    kind: HolderKind = HolderKind.GUEST,
    create: bool = False,
    **fields: Any,
) -> Holder | None:
    if ref is None:
        return None
    holder = manager.holder(ref)
    if holder is None:
        if not create:
            raise _invalid("unknown_holder", holder=ref)
        holder = await manager.async_add_holder(ref, kind, **fields)
    return holder


# ---------------------------------------------------------------------- handlers
async def _create_passcode(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call)
    manager = targets[0].manager
    variant: str = data["type"]
    starts, ends = _window(data)
    if variant in ("custom_period", "period", *CYCLIC_TYPES) and ends is None:
        raise _invalid("needs_end", type=variant)
    holder = await _holder_for(manager, data.get("holder"), create=True)
    ble_only = _check_ledger(targets, variant)
    if variant in CUSTOM_TYPES:
        if variant == "custom_permanent":
            starts, ends = None, None
        elif starts is None:
            starts = dt_util.utcnow()
        code = await _unique_code(targets, data["length"], data.get("code"))
        credential = Credential(
            credential_id=new_id(),
            kind=CredentialKind.PASSCODE,
            name=data["name"],
            holder_id=holder.holder_id if holder else None,
            secret=code,
            variant=variant,
            starts_at=starts,
            ends_at=ends,
        )
        if ble_only:
            credential.extra["ble_only"] = True
    else:
        if data.get("code"):
            raise _invalid("offline_code_is_generated")
        if any(t.coordinator.client is None for t in targets):
            raise _invalid("offline_needs_account")
        credential = Credential(
            credential_id=new_id(),
            kind=CredentialKind.OFFLINE_PASSCODE,
            name=data["name"],
            holder_id=holder.holder_id if holder else None,
            variant=variant,
            starts_at=starts or dt_util.utcnow(),
            ends_at=ends,
        )
    await manager.async_issue(credential, [t.lock_id for t in targets])
    fallback_wanted = data.get(
        "offline_fallback", bool(manager.entry.options.get(CONF_OFFLINE_FALLBACK, False))
    )
    if fallback_wanted and credential.kind is CredentialKind.PASSCODE:
        fallback = await _offline_fallback(manager, credential, targets)
        if fallback is not None:
            response = _credential_response(credential, targets, secrets=True)
            response["fallback"] = _credential_response(fallback, targets, secrets=True)
            return response
    response = _credential_response(credential, targets, secrets=True)
    response["rules"] = _rules(variant, credential.starts_at, credential.ends_at)
    return response


async def _offline_fallback(
    manager: AccessManager, credential: Credential, targets: list[LockTarget]
) -> Credential | None:
    """A booking's custom code could not reach a lock: issue an offline period code for the
    same window there instead (it needs no connection to the lock)."""
    unreached = [
        t
        for t in targets
        if credential.placements[t.lock_id].state is PlacementState.SETTING
        and t.coordinator.client is not None
    ]
    if not unreached:
        return None
    fallback = Credential(
        credential_id=new_id(),
        kind=CredentialKind.OFFLINE_PASSCODE,
        name=f"{credential.name} (offline)",
        holder_id=credential.holder_id,
        variant="period" if credential.ends_at else "permanent",
        starts_at=credential.starts_at or dt_util.utcnow(),
        ends_at=credential.ends_at,
        extra={"fallback_for": credential.credential_id},
    )
    await manager.async_issue(fallback, [t.lock_id for t in unreached])
    return fallback


async def _update_validity(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    manager, credential = _find_credential(hass, call.data["credential_id"])
    if credential.status is CredentialStatus.REVOKED:
        raise _invalid("credential_revoked")
    if credential.kind is CredentialKind.OFFLINE_PASSCODE:
        raise _invalid("offline_code_fixed")
    starts, ends = _window(dict(call.data))
    if starts is None and ends is not None:
        starts = dt_util.utcnow()  # an empty start is now (the lock needs both dates)
    schedule = _schedule(dict(call.data))
    if schedule is not None:
        if credential.kind not in (
            CredentialKind.CARD,
            CredentialKind.FINGERPRINT,
            CredentialKind.FACE,
        ):
            raise _invalid("schedule_not_supported")
        credential.cyclic = schedule
    await manager.async_update_validity(credential, starts, ends)
    return {"credential": credential.public()}


def _revoke_handler(
    kinds: tuple[CredentialKind, ...],
) -> Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def _revoke(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        manager, credential = _find_credential(hass, call.data["credential_id"])
        if credential.kind not in kinds:
            raise _invalid("wrong_credential_kind", kind=credential.kind.value)
        await manager.async_revoke(credential)
        return {"credential": credential.public()}

    return _revoke


async def _erase_all_passcodes(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    targets = await _targets(hass, call, one_account=False)
    revoked = 0
    for target in targets:
        for credential in list(target.manager.state.credentials.values()):
            if (
                credential.kind in (CredentialKind.PASSCODE, CredentialKind.OFFLINE_PASSCODE)
                and target.lock_id in credential.placements
                and credential.status is not CredentialStatus.REVOKED
            ):
                await target.manager.async_revoke(credential)
                revoked += 1
    return {"revoked": revoked}


async def _add_card(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call)
    manager = targets[0].manager
    starts, ends = _window(data)
    schedule = _schedule(data)
    _require_feature(targets, Feature.IC_CARD, "ic_card")
    holder = await _holder_for(manager, data.get("holder"), create=True)
    number = data.get("card_number")
    if number is None:
        if len(targets) != 1:
            raise _invalid("enroll_one_lock")
        card = await _enroll(hass, targets[0], "card", starts, ends)
        number = str(card.number)
    credential = Credential(
        credential_id=new_id(),
        kind=CredentialKind.CARD,
        name=data["name"],
        holder_id=holder.holder_id if holder else None,
        secret=number,
        starts_at=starts,
        ends_at=ends,
        cyclic=schedule,
        extra={"reversed": data["reversed"]},
    )
    await manager.async_issue(credential, [t.lock_id for t in targets])
    return _credential_response(credential, targets, secrets=False)


async def _enroll(
    hass: HomeAssistant,
    target: LockTarget,
    what: str,
    starts: datetime | None,
    ends: datetime | None,
) -> Any:
    """Enrol a card or finger at the lock over Bluetooth, reporting each step as an event."""
    if Path.BLUETOOTH not in target.coordinator.paths(target.rt):
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="enroll_needs_bluetooth",
            translation_placeholders={"name": target.rt.lock.name},
        )
    device_id = _device_id(hass, target.entity_id)

    def _progress(step: CardAddMode | FingerprintProgress) -> None:
        data: dict[str, Any] = {
            "device_id": device_id,
            "entity_id": target.entity_id,
            "credential": what,
        }
        if isinstance(step, FingerprintProgress):
            data.update(step="fingerprint", current=step.current, total=step.total)
        else:
            data.update(step="present_card")
        hass.bus.async_fire(EVENT_ENROLLMENT, data)

    rt = target.rt
    wall = target.manager._wall
    s, e = wall(rt, starts), wall(rt, ends)
    op: Any = AddCard if what == "card" else AddFingerprint
    try:
        result = await target.coordinator.ble.async_run(
            rt, lambda keys, _now: op(keys, start=s, end=e), retry=False, on_progress=_progress
        )
    except TTLockBleError as err:
        raise translate_ble_error(err, rt.lock.name) from err
    hass.bus.async_fire(
        EVENT_ENROLLMENT,
        {"device_id": device_id, "entity_id": target.entity_id, "credential": what, "step": "done"},
    )
    return result


def _device_id(hass: HomeAssistant, entity_id: str) -> str | None:
    entry = er.async_get(hass).async_get(entity_id)
    return entry.device_id if entry else None


async def _enroll_fingerprint(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call)
    if len(targets) != 1:
        raise _invalid("enroll_one_lock")
    target = targets[0]
    _require_feature(targets, Feature.FINGERPRINT, "fingerprint")
    starts, ends = _window(data)
    holder = await _holder_for(target.manager, data.get("holder"), create=True)
    fingerprint = await _enroll(hass, target, "fingerprint", starts, ends)
    return await _record_fingerprint(
        target, data["name"], holder, str(fingerprint.fingerprint_id), starts, ends, enrolled=True
    )


async def _add_fingerprint_record(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """A fingerprint enrolled elsewhere (TTLock app): record and manage it."""
    data = dict(call.data)
    targets = await _targets(hass, call)
    if len(targets) != 1:
        raise _invalid("enroll_one_lock")
    target = targets[0]
    starts, ends = _window(data)
    holder = await _holder_for(target.manager, data.get("holder"), create=True)
    return await _record_fingerprint(
        target, data["name"], holder, data["fingerprint_number"], starts, ends, enrolled=False
    )


async def _record_fingerprint(
    target: LockTarget,
    name: str,
    holder: Holder | None,
    number: str,
    starts: datetime | None,
    ends: datetime | None,
    *,
    enrolled: bool,
) -> ServiceResponse:
    from .access import Placement, to_ms

    credential = Credential(
        credential_id=new_id(),
        kind=CredentialKind.FINGERPRINT,
        name=name,
        holder_id=holder.holder_id if holder else None,
        starts_at=starts,
        ends_at=ends,
        status=CredentialStatus.ACTIVE,
    )
    placement = Placement(lock_id=target.lock_id, state=PlacementState.SET, secret=number)
    placement.path = Path.BLUETOOTH.value if enrolled else "cloud"
    if target.coordinator.client is not None:
        try:
            placement.ttlock_id = await target.coordinator.cloud.add_fingerprint(
                target.lock_id,
                number,
                name=name,
                start_ms=to_ms(starts) or 0,
                end_ms=to_ms(ends) or 0,
            )
        except TTLockError as err:
            if not enrolled:
                raise translate_error(err, target.rt.lock.name) from err
    credential.placements[target.lock_id] = placement
    target.manager.state.credentials[credential.credential_id] = credential
    await target.manager.async_save()
    return _credential_response(credential, [target], secrets=False)


async def _add_face(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call)
    manager = targets[0].manager
    if any(t.coordinator.client is None for t in targets):
        raise _invalid("needs_account")
    _require_feature(targets, Feature.FACE, "face")
    starts, ends = _window(data)
    holder = await _holder_for(manager, data.get("holder"), create=True)
    credential = Credential(
        credential_id=new_id(),
        kind=CredentialKind.FACE,
        name=data["name"],
        holder_id=holder.holder_id if holder else None,
        starts_at=starts,
        ends_at=ends,
        extra={"feature_data": data["feature_data"]},
    )
    await manager.async_issue(credential, [t.lock_id for t in targets])
    return _credential_response(credential, targets, secrets=False)


async def _send_ekey(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call)
    manager = targets[0].manager
    if any(t.coordinator.client is None for t in targets):
        raise _invalid("needs_account")
    starts, ends = _window(data)
    holder = await _holder_for(manager, data.get("holder"), create=True)
    credential = Credential(
        credential_id=new_id(),
        kind=CredentialKind.EKEY,
        name=data["name"],
        holder_id=holder.holder_id if holder else None,
        starts_at=starts,
        ends_at=ends,
        extra={
            "receiver": data["receiver"],
            "remote_unlock": data["remote_unlock"],
            "admin": data["admin"],
        },
    )
    await manager.async_issue(credential, [t.lock_id for t in targets])
    return _credential_response(credential, targets, secrets=False)


def _ekey_action(
    action: str,
) -> Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def _handler(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        manager, credential = _find_credential(hass, call.data["credential_id"])
        if credential.kind is not CredentialKind.EKEY:
            raise _invalid("wrong_credential_kind", kind=credential.kind.value)
        cloud = manager.coordinator.cloud
        links: dict[str, str] = {}
        for lock_id, placement in credential.placements.items():
            if placement.ttlock_id is None:
                raise _invalid("ekey_not_sent")
            try:
                if action == "freeze":
                    await cloud.freeze_ekey(placement.ttlock_id)
                elif action == "unfreeze":
                    await cloud.unfreeze_ekey(placement.ttlock_id)
                else:
                    links[str(lock_id)] = await cloud.get_ekey_unlock_link(placement.ttlock_id)
            except TTLockError as err:
                raise translate_error(err, manager._lock_name(lock_id)) from err
        if action == "freeze":
            credential.extra["frozen"] = True
        elif action == "unfreeze":
            credential.extra["frozen"] = False
        await manager.async_save()
        result: dict[str, Any] = {"credential": credential.public()}
        if links:
            result["links"] = links
        return result

    return _handler


async def _grant_access(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call)
    return await _grant(targets, data, HolderKind(data["kind"]))


async def _grant(
    targets: list[LockTarget], data: dict[str, Any], kind: HolderKind
) -> dict[str, Any]:
    manager = targets[0].manager
    starts, ends = _window(data)
    holder = manager.holder(data["holder"])
    if holder is None:
        holder = await manager.async_add_holder(
            data["holder"], kind, person=data.get("person"), starts_at=starts, ends_at=ends
        )
    lock_ids = [t.lock_id for t in targets]
    issued: list[Credential] = []
    if data.get("passcode", True):
        variant = "custom_period" if ends else "custom_permanent"
        ble_only = _check_ledger(targets, variant)
        code = await _unique_code(targets, data.get("length", 6), data.get("code"))
        credential = Credential(
            credential_id=new_id(),
            kind=CredentialKind.PASSCODE,
            name=holder.name,
            holder_id=holder.holder_id,
            secret=code,
            variant=variant,
            starts_at=(starts or dt_util.utcnow()) if ends else None,
            ends_at=ends,
        )
        if ble_only:
            credential.extra["ble_only"] = True
        issued.append(await manager.async_issue(credential, lock_ids))
    if data.get("card_number"):
        card = Credential(
            credential_id=new_id(),
            kind=CredentialKind.CARD,
            name=holder.name,
            holder_id=holder.holder_id,
            secret=data["card_number"],
            starts_at=starts,
            ends_at=ends,
        )
        issued.append(await manager.async_issue(card, lock_ids))
    if data.get("ekey_receiver"):
        if any(t.coordinator.client is None for t in targets):
            raise _invalid("needs_account")
        ekey = Credential(
            credential_id=new_id(),
            kind=CredentialKind.EKEY,
            name=holder.name,
            holder_id=holder.holder_id,
            starts_at=starts,
            ends_at=ends,
            extra={"receiver": data["ekey_receiver"], "remote_unlock": True, "admin": False},
        )
        issued.append(await manager.async_issue(ekey, lock_ids))
    return {
        "holder": holder.to_json(),
        "credentials": [_credential_response(c, targets, secrets=True) for c in issued],
    }


async def _revoke_holder(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    manager, holder = _find_holder(hass, call.data["holder"])
    revoked = await _revoke_all(manager, holder)
    return {"holder": holder.to_json(), "revoked": revoked}


async def _revoke_all(manager: AccessManager, holder: Holder, *, remove: bool = False) -> int:
    count = 0
    for credential in manager.credentials_of(holder.holder_id):
        if credential.status is not CredentialStatus.REVOKED:
            await manager.async_revoke(credential)
            count += 1
    if remove:
        holder.removed = True
        await manager.async_save()
    return count


async def _check_in(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    if data.get("ends_at") is None:
        raise _invalid("lease_needs_end")
    targets = await _targets(hass, call)
    return await _grant(targets, data, HolderKind.TENANT)


async def _check_out(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    manager, holder = _find_holder(hass, call.data["holder"])
    revoked = await _revoke_all(manager, holder, remove=True)
    return {"holder": holder.to_json(), "revoked": revoked}


async def _extend_lease(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    manager, holder = _find_holder(hass, call.data["holder"])
    ends = dt_util.as_utc(call.data["ends_at"])
    if holder.starts_at and ends <= holder.starts_at:
        raise _invalid("end_before_start")
    holder.ends_at = ends
    renewed = 0
    for credential in manager.credentials_of(holder.holder_id):
        if credential.status in (CredentialStatus.REVOKED, CredentialStatus.FAILED):
            continue
        if credential.kind is CredentialKind.OFFLINE_PASSCODE:
            continue
        starts = credential.starts_at or holder.starts_at
        await manager.async_update_validity(
            credential, starts if credential.ends_at else None, ends if credential.ends_at else None
        )
        renewed += 1
    await manager.async_save()
    return {"holder": holder.to_json(), "renewed": renewed}


async def _add_staff(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call)
    manager = targets[0].manager
    names: list[str] = data["names"]
    existing = {t.lock_id: await _existing_codes(t) for t in targets}
    lock_ids = [t.lock_id for t in targets]
    try:
        codes = native.generate_bulk(dict.fromkeys(names, lock_ids), data["length"], existing)
    except CodegenError as err:
        raise _invalid("no_free_code", length=str(data["length"])) from err
    staff: dict[str, Any] = {}
    for name in names:
        holder = manager.holder(name) or await manager.async_add_holder(name, HolderKind.STAFF)
        credential = Credential(
            credential_id=new_id(),
            kind=CredentialKind.PASSCODE,
            name=name,
            holder_id=holder.holder_id,
            secret=codes[name],
            variant="custom_permanent",
        )
        await manager.async_issue(credential, lock_ids)
        staff[name] = _credential_response(credential, targets, secrets=True)
    return {"staff": staff}


async def _remove_staff(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    removed: dict[str, Any] = {}
    for name in call.data["names"]:
        manager, holder = _find_holder(hass, name)
        removed[name] = await _revoke_all(manager, holder, remove=True)
    return {"revoked": removed}


async def _list_credentials(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call, one_account=False)
    secrets = data["include_secrets"]
    holder_ref = data.get("holder")
    result: dict[str, Any] = {}
    for target in targets:
        manager = target.manager
        holder = manager.holder(holder_ref) if holder_ref else None
        if holder_ref and holder is None:
            raise _invalid("unknown_holder", holder=holder_ref)
        items = []
        managed_ids: set[tuple[str, int]] = set()
        for credential in manager.state.credentials.values():
            placement = credential.placements.get(target.lock_id)
            if placement is None or (holder and credential.holder_id != holder.holder_id):
                continue
            item = credential.public(include_secret=secrets)
            item["holder"] = (
                manager.state.holders[credential.holder_id].name
                if credential.holder_id in manager.state.holders
                else None
            )
            item["lock"] = {"state": placement.state.value, "path": placement.path}
            if secrets and placement.secret and credential.kind is CredentialKind.OFFLINE_PASSCODE:
                item["secret"] = placement.secret
            items.append(item)
            if placement.ttlock_id:
                managed_ids.add((credential.kind.value, placement.ttlock_id))
        entry: dict[str, Any] = {"credentials": items}
        if data["include_unmanaged"] and target.coordinator.client is not None and not holder:
            entry["unmanaged"] = await _unmanaged(target, managed_ids, secrets)
        result[target.entity_id] = entry
    return {"locks": result}


async def _unmanaged(
    target: LockTarget, managed: set[tuple[str, int]], secrets: bool
) -> list[dict[str, Any]]:
    """Credentials on the lock / in the cloud that this integration did not create (drift):
    listed, never deleted silently."""
    kinds = [k for k in _ADOPTABLE if k != "face" or _has_feature(target, Feature.FACE)]
    return [
        found.listing(secrets=secrets)
        for found in await _cloud_credentials(target, kinds)
        if (found.kind.value, found.ttlock_id) not in managed
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class _CloudCredential:
    """A credential as the TTLock cloud lists it for one lock."""

    kind: CredentialKind
    ttlock_id: int
    name: str
    fallback_name: str
    secret: str | None = field(default=None, repr=False)
    lock_secret: str | None = field(default=None, repr=False)
    """Per lock: an offline code, or a fingerprint's number on the lock."""
    variant: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    cyclic: CyclicPeriod | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def listing(self, *, secrets: bool) -> dict[str, Any]:
        """An ``unmanaged`` item of ``list_credentials`` (codes only when asked)."""
        item: dict[str, Any] = {
            "kind": self.kind.value,
            "name": self.name,
            "ttlock_id": self.ttlock_id,
        }
        if self.kind is CredentialKind.EKEY:
            item["receiver"] = self.extra["receiver"]
        if secrets and self.kind in (CredentialKind.PASSCODE, CredentialKind.OFFLINE_PASSCODE):
            item["secret"] = self.secret or self.lock_secret
        return item

    def to_credential(self) -> Credential:
        """A credential of this integration's model for it (not yet stored)."""
        return Credential(
            credential_id=new_id(),
            kind=self.kind,
            name=self.name or self.fallback_name,
            secret=self.secret,
            variant=self.variant,
            starts_at=from_ms(self.start_ms),
            ends_at=from_ms(self.end_ms),
            cyclic=self.cyclic.to_json() if self.cyclic else None,
            extra=dict(self.extra),
        )


async def _cloud_credentials(target: LockTarget, kinds: list[str]) -> list[_CloudCredential]:
    """The credentials the cloud lists for a lock, for these of :data:`_ADOPTABLE`."""
    cloud, lock_id = target.coordinator.cloud, target.lock_id
    found: list[_CloudCredential] = []
    try:
        if "passcode" in kinds:
            for passcode in await cloud.list_passcodes(lock_id):
                custom = passcode.is_custom
                variant: str | None
                if custom:
                    variant = "custom_period" if passcode.end_date else "custom_permanent"
                else:
                    variant = passcode.type.name.lower() if passcode.type else None
                found.append(
                    _CloudCredential(
                        kind=CredentialKind.PASSCODE if custom else CredentialKind.OFFLINE_PASSCODE,
                        ttlock_id=passcode.passcode_id,
                        name=passcode.name,
                        fallback_name=f"Passcode {passcode.passcode_id}",
                        secret=passcode.keyboard_pwd if custom else None,
                        lock_secret=None if custom else passcode.keyboard_pwd,
                        variant=variant,
                        start_ms=passcode.start_date if passcode.end_date else None,
                        end_ms=passcode.end_date,
                    )
                )
        if "card" in kinds:
            found.extend(
                _CloudCredential(
                    kind=CredentialKind.CARD,
                    ttlock_id=card.card_id,
                    name=card.name,
                    fallback_name=f"Card {card.card_id}",
                    secret=card.card_number,
                    start_ms=card.start_date,
                    end_ms=card.end_date,
                    cyclic=card.cyclic,
                )
                for card in await cloud.list_cards(lock_id)
            )
        if "fingerprint" in kinds:
            found.extend(
                _CloudCredential(
                    kind=CredentialKind.FINGERPRINT,
                    ttlock_id=fp.fingerprint_id,
                    name=fp.name,
                    fallback_name=f"Fingerprint {fp.fingerprint_id}",
                    lock_secret=fp.fingerprint_number,
                    start_ms=fp.start_date,
                    end_ms=fp.end_date,
                    cyclic=fp.cyclic,
                )
                for fp in await cloud.list_fingerprints(lock_id)
            )
        if "face" in kinds:
            found.extend(
                _CloudCredential(
                    kind=CredentialKind.FACE,
                    ttlock_id=face.face_id,
                    name=face.name,
                    fallback_name=f"Face {face.face_id}",
                    start_ms=face.start_date,
                    end_ms=face.end_date,
                    cyclic=face.cyclic,
                )
                for face in await cloud.list_faces(lock_id)
            )
        if "ekey" in kinds:
            # eKeys of other TTLock accounts (the list never holds the administrator's own)
            found.extend(
                _CloudCredential(
                    kind=CredentialKind.EKEY,
                    ttlock_id=key.key_id,
                    name=key.name,
                    fallback_name=key.username,
                    start_ms=key.start_date,
                    end_ms=key.end_date,
                    extra={
                        "receiver": key.username,
                        "remote_unlock": key.remote_unlock,
                        "admin": key.authorized,
                    },
                )
                for key in await cloud.list_lock_ekeys(lock_id)
            )
    except TTLockError as err:
        raise translate_error(err, target.rt.lock.name) from err
    return found


async def _adopt_credential(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Manage a credential made elsewhere (listed by ``list_credentials`` as unmanaged)."""
    data = dict(call.data)
    targets = await _targets(hass, call)
    if len(targets) != 1:
        raise _invalid("adopt_one_lock")
    target = targets[0]
    if target.coordinator.client is None:
        raise _invalid("needs_account")
    kind, ttlock_id = data["kind"], data["ttlock_id"]
    kinds = (
        (CredentialKind.PASSCODE, CredentialKind.OFFLINE_PASSCODE)
        if kind == "passcode"
        else (CredentialKind(kind),)
    )
    for existing in target.manager.state.credentials.values():
        placement = existing.placements.get(target.lock_id)
        if (
            existing.kind in kinds
            and placement is not None
            and placement.ttlock_id == ttlock_id
            and placement.state is not PlacementState.REMOVED
        ):
            raise _invalid("already_managed", name=existing.name)
    found = next(
        (c for c in await _cloud_credentials(target, [kind]) if c.ttlock_id == ttlock_id), None
    )
    if found is None:
        raise _invalid("credential_not_found", kind=kind, id=str(ttlock_id))
    credential = found.to_credential()
    if data.get("name"):
        credential.name = data["name"]
    holder = await _holder_for(
        target.manager, data.get("holder"), kind=HolderKind(data["holder_kind"]), create=True
    )
    credential.holder_id = holder.holder_id if holder else None
    await target.manager.async_adopt(
        credential, target.lock_id, ttlock_id, lock_secret=found.lock_secret
    )
    return _credential_response(credential, [target], secrets=False)


# ---------------------------------------------------------------------- registration
type _Handler = Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]

_SERVICES: tuple[tuple[str, _Handler, vol.Schema, SupportsResponse], ...] = (
    (
        "create_passcode",
        with_sharing(_create_passcode),
        CREATE_PASSCODE_SCHEMA.extend(SHARE_FIELDS),
        SupportsResponse.OPTIONAL,
    ),
    ("update_passcode", _update_validity, UPDATE_VALIDITY_SCHEMA, SupportsResponse.OPTIONAL),
    (
        "revoke_passcode",
        _revoke_handler((CredentialKind.PASSCODE, CredentialKind.OFFLINE_PASSCODE)),
        CREDENTIAL_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    ("erase_all_passcodes", _erase_all_passcodes, ERASE_SCHEMA, SupportsResponse.OPTIONAL),
    (
        "add_card",
        with_sharing(_add_card),
        ADD_CARD_SCHEMA.extend(SHARE_FIELDS),
        SupportsResponse.OPTIONAL,
    ),
    ("update_card_validity", _update_validity, UPDATE_VALIDITY_SCHEMA, SupportsResponse.OPTIONAL),
    (
        "revoke_card",
        _revoke_handler((CredentialKind.CARD,)),
        CREDENTIAL_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    ("enroll_fingerprint", _enroll_fingerprint, ENROLL_SCHEMA, SupportsResponse.OPTIONAL),
    (
        "add_fingerprint_record",
        _add_fingerprint_record,
        RECORD_FINGERPRINT_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    (
        "adopt_credential",
        _adopt_credential,
        ADOPT_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    (
        "update_fingerprint_validity",
        _update_validity,
        UPDATE_VALIDITY_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    (
        "revoke_fingerprint",
        _revoke_handler((CredentialKind.FINGERPRINT,)),
        CREDENTIAL_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    ("add_face", _add_face, ADD_FACE_SCHEMA, SupportsResponse.OPTIONAL),
    (
        "revoke_face",
        _revoke_handler((CredentialKind.FACE,)),
        CREDENTIAL_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    (
        "send_ekey",
        with_sharing(_send_ekey),
        SEND_EKEY_SCHEMA.extend(SHARE_FIELDS),
        SupportsResponse.OPTIONAL,
    ),
    (
        "revoke_ekey",
        _revoke_handler((CredentialKind.EKEY,)),
        CREDENTIAL_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    ("freeze_ekey", _ekey_action("freeze"), CREDENTIAL_SCHEMA, SupportsResponse.OPTIONAL),
    ("unfreeze_ekey", _ekey_action("unfreeze"), CREDENTIAL_SCHEMA, SupportsResponse.OPTIONAL),
    ("ekey_unlock_link", _ekey_action("link"), CREDENTIAL_SCHEMA, SupportsResponse.ONLY),
    (
        "grant_access",
        with_sharing(_grant_access),
        GRANT_SCHEMA.extend(SHARE_FIELDS),
        SupportsResponse.OPTIONAL,
    ),
    ("revoke_holder", _revoke_holder, HOLDER_SCHEMA, SupportsResponse.OPTIONAL),
    (
        "check_in",
        with_sharing(_check_in),
        GRANT_SCHEMA.extend(SHARE_FIELDS),
        SupportsResponse.OPTIONAL,
    ),
    ("check_out", _check_out, HOLDER_SCHEMA, SupportsResponse.OPTIONAL),
    ("extend_lease", _extend_lease, EXTEND_SCHEMA, SupportsResponse.OPTIONAL),
    (
        "add_staff",
        with_sharing(_add_staff),
        ADD_STAFF_SCHEMA.extend(SHARE_FIELDS),
        SupportsResponse.OPTIONAL,
    ),
    ("remove_staff", _remove_staff, REMOVE_STAFF_SCHEMA, SupportsResponse.OPTIONAL),
    ("list_credentials", _list_credentials, LIST_SCHEMA, SupportsResponse.ONLY),
)


def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action (admin only)."""
    for name, handler, schema, response in _SERVICES:

        async def _call(call: ServiceCall, handler: _Handler = handler) -> ServiceResponse:
            result = await handler(hass, call)
            return result if call.return_response else None

        async_register_admin_service(hass, DOMAIN, name, _call, schema, response)
