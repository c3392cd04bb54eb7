"""Service actions: schemas, target resolution and thin handlers over the access model.

All actions are admin-only, registered once in ``async_setup`` (they validate even when no
entry is loaded) and target lock entities of this integration, or holders by name. Each
handler resolves its targets, calls the access model (:mod:`.access`) and shapes the
response. Bad input raises a translated ``ServiceValidationError``; a failure on the lock or
in the cloud a translated ``HomeAssistantError``. Codes appear only in the responses of the
actions that create them (and in ``list_credentials`` when ``include_secrets`` is set).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.service import (
    async_register_admin_service,
    async_register_platform_entity_service,
)
from homeassistant.util import dt as dt_util

from .access import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Holder,
    HolderKind,
)
from .access import holders as ops
from .access.adopt import (
    ADOPTABLE,
    async_adopt,
    async_cleanup_expired_passcodes,
    async_unmanaged,
)
from .access.model import new_id
from .actions import (
    CUSTOM_TYPES,
    LOCK_DOMAIN,
    WEEKDAYS,
    LockTarget,
    all_lock_targets,
    answers,
    check_code_strength,
    credential_response,
    find_credential,
    find_holder,
    holder_for,
    holder_response,
    invalid,
    lock_entity_id,
    lock_targets,
    names_target,
    parse_code,
    parse_number,
    require,
    rules_of,
    schedule_of,
    valid_date,
    valid_name,
    window_of,
)
from .const import CONF_OFFLINE_FALLBACK, DOMAIN
from .enroll import async_enroll
from .entity import TTLockLockEntity
from .lift_actions import ACTIVATE_FLOORS_SCHEMA, async_activate_floors
from .meter_actions import (
    POSITIVE,
    TEMPORARY_SUPPLY_SCHEMA,
    async_recharge,
    async_temporary_supply,
)
from .meter_tenants import (
    CUT_SUPPLY_FIELD,
    METERS_FIELD,
    with_meters_released,
    with_tenant_meters,
)
from .runtime import TTLockConfigEntry
from .sdk.model import Feature
from .settings_actions import CONFIGURE_PASSAGE_MODE_SCHEMA, async_configure_passage_mode
from .sharing import SHARE_FIELDS, with_sharing
from .webhook import async_rotate_webhook

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

_TARGET = cv.TARGET_SERVICE_FIELDS
_LENGTH = vol.All(vol.Coerce(int), vol.Range(min=4, max=9))
_WINDOW = {vol.Optional("starts_at"): valid_date, vol.Optional("ends_at"): valid_date}
_SCHEDULE = {
    vol.Optional("weekdays"): vol.All(cv.ensure_list, [vol.In(WEEKDAYS)]),
    vol.Optional("daily_start"): cv.time,
    vol.Optional("daily_end"): cv.time,
}

CREATE_PASSCODE_SCHEMA = vol.Schema(
    {
        **_TARGET,
        **_WINDOW,
        vol.Required("name"): valid_name,
        vol.Optional("type"): vol.In(PASSCODE_TYPES),
        vol.Optional("code"): cv.string,
        vol.Optional("length", default=6): _LENGTH,
        vol.Optional("holder"): valid_name,
        vol.Optional("offline_fallback"): cv.boolean,
        vol.Optional("allow_weak_code", default=False): cv.boolean,
    }
)
CREDENTIAL_SCHEMA = vol.Schema({vol.Required("credential_id"): cv.string})
UPDATE_VALIDITY_SCHEMA = vol.Schema(
    {vol.Required("credential_id"): cv.string, **_WINDOW, **_SCHEDULE}
)
ERASE_SCHEMA = vol.Schema({**_TARGET})
ADD_CARD_SCHEMA = vol.Schema(
    {
        **_TARGET,
        **_WINDOW,
        **_SCHEDULE,
        vol.Required("name"): valid_name,
        vol.Optional("card_number"): cv.string,
        vol.Optional("reversed", default=False): cv.boolean,
        vol.Optional("holder"): valid_name,
    }
)
ENROLL_SCHEMA = vol.Schema(
    {**_TARGET, **_WINDOW, vol.Required("name"): valid_name, vol.Optional("holder"): valid_name}
)
RECORD_FINGERPRINT_SCHEMA = ENROLL_SCHEMA.extend({vol.Required("fingerprint_number"): cv.string})
ADD_FACE_SCHEMA = ENROLL_SCHEMA.extend({vol.Required("feature_data"): cv.string})
SEND_EKEY_SCHEMA = vol.Schema(
    {
        **_TARGET,
        **_WINDOW,
        **_SCHEDULE,
        vol.Required("receiver"): cv.string,
        vol.Required("name"): valid_name,
        vol.Optional("holder"): valid_name,
        vol.Optional("remote_unlock", default=False): cv.boolean,
        vol.Optional("admin", default=False): cv.boolean,
    }
)
GRANT_SCHEMA = vol.Schema(
    {
        **_TARGET,
        **_WINDOW,
        vol.Required("holder"): cv.string,
        vol.Optional("kind", default="guest"): vol.In([k.value for k in HolderKind]),
        vol.Optional("person"): cv.entity_id,
        vol.Optional("passcode", default=True): cv.boolean,
        vol.Optional("code"): cv.string,
        vol.Optional("allow_weak_code", default=False): cv.boolean,
        vol.Optional("length", default=6): _LENGTH,
        vol.Optional("card_number"): cv.string,
        vol.Optional("ekey_receiver"): cv.string,
    }
)
HOLDER_SCHEMA = vol.Schema({vol.Required("holder"): cv.string})
EXTEND_SCHEMA = vol.Schema({vol.Required("holder"): cv.string, vol.Required("ends_at"): valid_date})
NAMES = vol.All(cv.ensure_list, [valid_name], vol.Length(min=1))
ADD_STAFF_SCHEMA = vol.Schema(
    {**_TARGET, vol.Required("names"): NAMES, vol.Optional("length", default=6): _LENGTH}
)
REMOVE_STAFF_SCHEMA = vol.Schema({vol.Required("names"): NAMES})
ADOPT_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Required("kind"): vol.In(list(ADOPTABLE)),
        vol.Required("ttlock_id"): vol.All(vol.Coerce(int), vol.Range(min=1)),
        vol.Optional("name"): valid_name,
        vol.Optional("holder"): valid_name,
        vol.Optional("holder_kind", default="guest"): vol.In([k.value for k in HolderKind]),
    }
)
CLEANUP_SCHEMA = vol.Schema(
    {**_TARGET, vol.Optional("include_unmanaged", default=False): cv.boolean}
)
ROTATE_SCHEMA = vol.Schema({vol.Required("config_entry_id"): cv.string})
RECHARGE_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Optional("amount"): POSITIVE,
        vol.Optional("units"): POSITIVE,
        vol.Optional("holder"): valid_name,  # a tenant's meters (linked at check-in)
    }
)
LIST_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Optional("holder"): valid_name,
        vol.Optional("include_secrets", default=False): cv.boolean,
        vol.Optional("include_unmanaged", default=False): cv.boolean,
        vol.Optional("include_inactive", default=False): cv.boolean,
    }
)


# ---------------------------------------------------------------------- passcodes
async def _create_passcode(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await lock_targets(hass, call)
    manager, lock_ids = targets[0].manager, [t.lock_id for t in targets]
    code = parse_code(data.get("code"))
    starts, ends = window_of(data)
    # no type: a custom code, for the window when one is given (never silently permanent)
    windowed = bool(data.get("starts_at") or data.get("ends_at"))
    variant: str = data.get("type") or ("custom_period" if windowed else "custom_permanent")
    if variant in ("custom_permanent", "permanent") and windowed:
        raise invalid("permanent_has_no_window", type=variant)
    if variant in ("custom_period", "period", *CYCLIC_TYPES) and ends is None:
        raise invalid("needs_end", type=variant)
    if variant not in CUSTOM_TYPES and code is not None:
        raise invalid("offline_code_is_generated")
    check_code_strength(code, allow_weak=data["allow_weak_code"])
    holder = await holder_for(manager, data.get("holder"))
    common = {"name": data["name"], "holder": holder, "variant": variant, "starts": starts}
    with answers(targets[0].manager, targets[0].rt.lock.name):
        if variant in CUSTOM_TYPES:
            credential = await ops.async_custom_passcode(
                manager, lock_ids, **common, ends=ends, length=data["length"], code=code
            )
        else:
            credential = await ops.async_offline_passcode(manager, lock_ids, **common, ends=ends)
        response = credential_response(credential, targets, secrets=True)
        wanted = data.get("offline_fallback", manager.entry.options.get(CONF_OFFLINE_FALLBACK))
        if wanted and credential.kind is CredentialKind.PASSCODE:
            fallback = await ops.async_offline_fallback(manager, credential)
            if fallback is not None:
                response["fallback"] = credential_response(fallback, targets, secrets=True)
                return response
    response["rules"] = rules_of(variant)
    return response


async def _update_validity(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    manager, credential = find_credential(hass, call)
    if credential.status is CredentialStatus.REVOKED:
        raise invalid("credential_revoked")
    if credential.kind is CredentialKind.OFFLINE_PASSCODE:
        raise invalid("offline_code_fixed")
    starts, ends = window_of(dict(call.data), credential)
    schedule = schedule_of(dict(call.data))
    if schedule is not None and credential.kind not in (
        CredentialKind.CARD,
        CredentialKind.FINGERPRINT,
        CredentialKind.FACE,
    ):
        raise invalid("schedule_not_supported")
    await manager.async_update_validity(credential, starts, ends, cyclic=schedule)
    return {"credential": credential_response(credential, [], secrets=False, hass=hass)}


def _revoke_handler(
    kinds: tuple[CredentialKind, ...],
) -> Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def _revoke(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        manager, credential = find_credential(hass, call, kinds)
        await manager.async_revoke(credential)
        return {"credential": credential_response(credential, [], secrets=False, hass=hass)}

    return _revoke


async def _cleanup_expired_passcodes(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Take expired passcodes off the chosen locks; the names, per lock entity."""
    result: dict[str, Any] = {}
    now_ms = int(dt_util.utcnow().timestamp() * 1000)
    for target in await lock_targets(hass, call, one_account=False):
        if call.data["include_unmanaged"] and target.coordinator.client is None:
            raise invalid("needs_account")
        with answers(target.manager, target.rt.lock.name):
            result[target.entity_id] = await async_cleanup_expired_passcodes(
                target.manager,
                target.lock_id,
                include_unmanaged=call.data["include_unmanaged"],
                now_ms=now_ms,
            )
    return {"locks": result}


async def _erase_all_passcodes(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    revoked = 0
    for target in await lock_targets(hass, call, one_account=False):
        revoked += await ops.async_erase_passcodes(target.manager, target.lock_id)
    return {"revoked": revoked}


# ---------------------------------------------------------------------- cards, fingers, faces
async def _add_card(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await lock_targets(hass, call)
    manager = targets[0].manager
    number = parse_number(data.get("card_number"))
    starts, ends = window_of(data)
    schedule = schedule_of(data)
    require(targets, Feature.IC_CARD, "ic_card")
    holder = await holder_for(manager, data.get("holder"))
    if number is None:
        if len(targets) != 1:
            raise invalid("enroll_one_lock")
        number = str((await async_enroll(hass, targets[0], "card", starts, ends)).number)
    credential = Credential(
        new_id(),
        CredentialKind.CARD,
        data["name"],
        holder.holder_id if holder else None,
        secret=number,
        starts_at=starts,
        ends_at=ends,
        cyclic=schedule,
        extra={"reversed": data["reversed"]},
    )
    await manager.async_issue(credential, [t.lock_id for t in targets])
    return credential_response(credential, targets, secrets=False)


async def _enroll_fingerprint(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    [target] = await lock_targets(hass, call, one_lock="enroll_one_lock")
    require([target], Feature.FINGERPRINT, "fingerprint")
    starts, ends = window_of(data)
    holder = await holder_for(target.manager, data.get("holder"))
    fingerprint = await async_enroll(hass, target, "fingerprint", starts, ends)
    return await _record(target, data, holder, str(fingerprint.fingerprint_id), enrolled=True)


async def _add_fingerprint_record(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """A fingerprint enrolled elsewhere (TTLock app): record and manage it."""
    data = dict(call.data)
    [target] = await lock_targets(hass, call, one_lock="enroll_one_lock")
    number = parse_number(data["fingerprint_number"], "invalid_fingerprint_number")
    holder = await holder_for(target.manager, data.get("holder"))
    return await _record(target, data, holder, str(number), enrolled=False)


async def _record(
    target: LockTarget, data: dict[str, Any], holder: Holder | None, number: str, *, enrolled: bool
) -> ServiceResponse:
    starts, ends = window_of(data)
    with answers(target.manager, target.rt.lock.name):
        credential = await ops.async_record_fingerprint(
            target.manager,
            target.lock_id,
            name=data["name"],
            holder=holder,
            number=number,
            starts=starts,
            ends=ends,
            enrolled=enrolled,
        )
    return credential_response(credential, [target], secrets=False)


async def _add_face(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await lock_targets(hass, call)
    require(targets, Feature.FACE, "face", account=True)
    starts, ends = window_of(data)
    holder = await holder_for(targets[0].manager, data.get("holder"))
    credential = Credential(
        new_id(),
        CredentialKind.FACE,
        data["name"],
        holder.holder_id if holder else None,
        starts_at=starts,
        ends_at=ends,
        extra={"feature_data": data["feature_data"]},
    )
    await targets[0].manager.async_issue(credential, [t.lock_id for t in targets])
    return credential_response(credential, targets, secrets=False)


# ---------------------------------------------------------------------- eKeys
async def _send_ekey(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    if any(data.get(field) for field in ("weekdays", "daily_start", "daily_end")):
        # key/send takes one period only: the Open API has no recurring eKeys
        # (docs/cloud.md §2.5); the TTLock app's recurring keys are not available to it
        raise invalid("ekey_schedule_not_supported")
    targets = await lock_targets(hass, call)
    if any(t.coordinator.client is None for t in targets):
        raise invalid("needs_account")
    starts, ends = window_of(data)
    holder = await holder_for(targets[0].manager, data.get("holder"))
    credential = Credential(
        new_id(),
        CredentialKind.EKEY,
        data["name"],
        holder.holder_id if holder else None,
        starts_at=starts,
        ends_at=ends,
        extra={k: data[k] for k in ("receiver", "remote_unlock", "admin")},
    )
    await targets[0].manager.async_issue(credential, [t.lock_id for t in targets])
    return credential_response(credential, targets, secrets=False)


def _ekey_action(
    action: str,
) -> Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def _handler(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        manager, credential = find_credential(hass, call, (CredentialKind.EKEY,))
        names = ", ".join(manager.lock_name(lock_id) for lock_id in credential.placements)
        with answers(manager, names):
            links = await ops.async_ekey_action(manager, credential, action)
        result: dict[str, Any] = {
            "credential": credential_response(credential, [], secrets=False, hass=hass)
        }
        if links:  # by lock entity, like every lock in a response
            result["links"] = {
                lock_entity_id(hass, int(lock_id)): link for lock_id, link in links.items()
            }
        return result

    return _handler


# ---------------------------------------------------------------------- people
async def _grant_access(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    return await _grant(hass, call, HolderKind(call.data["kind"]))


async def _check_in(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    if call.data.get("ends_at") is None:
        raise invalid("lease_needs_end")
    return await _grant(hass, call, HolderKind.TENANT)


async def _grant(hass: HomeAssistant, call: ServiceCall, kind: HolderKind) -> ServiceResponse:
    data = dict(call.data)
    targets = await lock_targets(hass, call)
    starts, ends = window_of(data)
    code = parse_code(data.get("code"))
    check_code_strength(code, allow_weak=data["allow_weak_code"])
    with answers(targets[0].manager, targets[0].rt.lock.name):
        holder, issued = await ops.async_grant(
            targets[0].manager,
            [t.lock_id for t in targets],
            holder_name=data["holder"],
            kind=kind,
            person=data.get("person"),
            starts=starts,
            ends=ends,
            passcode=data["passcode"],
            code=code,
            length=data["length"],
            card_number=parse_number(data.get("card_number")),
            ekey_receiver=data.get("ekey_receiver"),
        )
    return {
        "holder": holder_response(holder),
        "credentials": [credential_response(c, targets, secrets=True) for c in issued],
    }


def _revoke_holder_handler(
    remove: bool,
) -> Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def _handler(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        manager, holder = find_holder(hass, call.data["holder"])
        revoked = await ops.async_revoke_holder(manager, holder, remove=remove)
        return {"holder": holder_response(holder), "revoked": revoked}

    return _handler


async def _extend_lease(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    manager, holder = find_holder(hass, call.data["holder"])
    ends = dt_util.as_utc(call.data["ends_at"])
    if ends <= dt_util.utcnow():
        raise invalid("ends_in_past")  # every credential of the lease would expire at once
    with answers(manager):
        renewed = await ops.async_extend_lease(manager, holder, ends)
    return {"holder": holder_response(holder), "renewed": renewed}


async def _add_staff(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    targets = await lock_targets(hass, call)
    with answers(targets[0].manager, targets[0].rt.lock.name):
        staff = await ops.async_add_staff(
            targets[0].manager,
            [t.lock_id for t in targets],
            call.data["names"],
            call.data["length"],
        )
    return {
        "staff": {name: credential_response(c, targets, secrets=True) for name, c in staff.items()}
    }


async def _remove_staff(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    removed: dict[str, Any] = {}
    for name in call.data["names"]:
        manager, holder = find_holder(hass, name)
        removed[name] = await ops.async_revoke_holder(manager, holder, remove=True)
    return {"revoked": removed}


# ---------------------------------------------------------------------- listing, adoption, drift
async def _list_credentials(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Credentials per lock entity: the targeted locks, or every lock of every loaded entry
    when the call names none. Revoked and expired ones whose removal is done are left out
    unless ``include_inactive`` (they are purged from the Store after a retention period)."""
    data = dict(call.data)
    secrets, holder_ref = data["include_secrets"], data.get("holder")
    if names_target(call):
        targets = await lock_targets(hass, call, one_account=False)
    else:
        targets = all_lock_targets(hass)
    holders = {
        id(target.manager): target.manager.holder(holder_ref) if holder_ref else None
        for target in targets
    }
    if holder_ref and not any(holders.values()):
        raise invalid("unknown_holder", holder=holder_ref)
    result: dict[str, Any] = {}
    for target in targets:
        manager = target.manager
        holder = holders[id(manager)]
        items = []
        for credential, placement in manager.credentials_on(target.lock_id):
            if holder_ref and (holder is None or credential.holder_id != holder.holder_id):
                continue
            if not data["include_inactive"] and not credential.shown(target.lock_id):
                continue
            item = credential_response(credential, [], secrets=False, hass=hass)
            if secrets:
                item["secret"] = credential.secret
                if placement.secret and credential.kind is CredentialKind.OFFLINE_PASSCODE:
                    item["secret"] = placement.secret
            owner = manager.state.holders.get(credential.holder_id or "")
            item["holder"] = owner.name if owner else None
            item["lock"] = {"state": placement.state.value, "path": placement.path}
            if placement.error:
                item["lock"]["error"] = placement.error
            items.append(item)
        entry: dict[str, Any] = {"credentials": items}
        if data["include_unmanaged"] and target.coordinator.client is not None and not holder_ref:
            with answers(target.manager, target.rt.lock.name):
                entry["unmanaged"] = await async_unmanaged(
                    manager, target.lock_id, target.adoptable(), secrets=secrets
                )
        result[target.entity_id] = entry
    return {"locks": result}


async def _adopt_credential(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Manage a credential made elsewhere (listed by ``list_credentials`` as unmanaged)."""
    data = dict(call.data)
    [target] = await lock_targets(hass, call, one_lock="adopt_one_lock")
    if target.coordinator.client is None:
        raise invalid("needs_account")
    holder = await holder_for(target.manager, data.get("holder"), HolderKind(data["holder_kind"]))
    with answers(target.manager, target.rt.lock.name):
        credential = await async_adopt(
            target.manager,
            target.lock_id,
            data["kind"],
            data["ttlock_id"],
            name=data.get("name"),
            holder=holder,
        )
    return credential_response(credential, [target], secrets=False)


async def _verify_access(entity: Entity, call: ServiceCall) -> ServiceResponse:
    """Compare a lock's memory with the access model and repair the differences (an entity
    service: the response is keyed by lock entity)."""
    assert isinstance(entity, TTLockLockEntity)
    manager = entity.entry_data.access
    with answers(manager, entity.runtime.lock.name):
        report = await manager.async_verify(entity.lock_id)
    return report.as_dict()


async def _rotate_callback_url(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """A new callback URL for an account (the old one stops working at once)."""
    entry = hass.config_entries.async_get_entry(call.data["config_entry_id"])
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        raise invalid("account_not_loaded")
    account: TTLockConfigEntry = entry
    if account.runtime_data.client is None:
        raise invalid("needs_account")
    return {"url": await async_rotate_webhook(hass, account)}


async def _recharge_meter(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    return await async_recharge(hass, call)


# ---------------------------------------------------------------------- registration
type _Handler = Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]
_OPTIONAL, _ONLY = SupportsResponse.OPTIONAL, SupportsResponse.ONLY
_PASSCODES = (CredentialKind.PASSCODE, CredentialKind.OFFLINE_PASSCODE)

_SERVICES: tuple[tuple[str, _Handler, vol.Schema, SupportsResponse], ...] = (
    (
        "create_passcode",
        with_sharing(_create_passcode),
        CREATE_PASSCODE_SCHEMA.extend(SHARE_FIELDS),
        _OPTIONAL,
    ),
    ("update_passcode", _update_validity, UPDATE_VALIDITY_SCHEMA, _OPTIONAL),
    ("revoke_passcode", _revoke_handler(_PASSCODES), CREDENTIAL_SCHEMA, _OPTIONAL),
    ("erase_all_passcodes", _erase_all_passcodes, ERASE_SCHEMA, _OPTIONAL),
    ("cleanup_expired_passcodes", _cleanup_expired_passcodes, CLEANUP_SCHEMA, _OPTIONAL),
    ("add_card", with_sharing(_add_card), ADD_CARD_SCHEMA.extend(SHARE_FIELDS), _OPTIONAL),
    ("update_card_validity", _update_validity, UPDATE_VALIDITY_SCHEMA, _OPTIONAL),
    ("revoke_card", _revoke_handler((CredentialKind.CARD,)), CREDENTIAL_SCHEMA, _OPTIONAL),
    ("enroll_fingerprint", _enroll_fingerprint, ENROLL_SCHEMA, _OPTIONAL),
    ("add_fingerprint_record", _add_fingerprint_record, RECORD_FINGERPRINT_SCHEMA, _OPTIONAL),
    ("adopt_credential", _adopt_credential, ADOPT_SCHEMA, _OPTIONAL),
    ("update_fingerprint_validity", _update_validity, UPDATE_VALIDITY_SCHEMA, _OPTIONAL),
    (
        "revoke_fingerprint",
        _revoke_handler((CredentialKind.FINGERPRINT,)),
        CREDENTIAL_SCHEMA,
        _OPTIONAL,
    ),
    ("add_face", _add_face, ADD_FACE_SCHEMA, _OPTIONAL),
    ("revoke_face", _revoke_handler((CredentialKind.FACE,)), CREDENTIAL_SCHEMA, _OPTIONAL),
    ("send_ekey", with_sharing(_send_ekey), SEND_EKEY_SCHEMA.extend(SHARE_FIELDS), _OPTIONAL),
    ("revoke_ekey", _revoke_handler((CredentialKind.EKEY,)), CREDENTIAL_SCHEMA, _OPTIONAL),
    ("freeze_ekey", _ekey_action("freeze"), CREDENTIAL_SCHEMA, _OPTIONAL),
    ("unfreeze_ekey", _ekey_action("unfreeze"), CREDENTIAL_SCHEMA, _OPTIONAL),
    ("ekey_unlock_link", _ekey_action("link"), CREDENTIAL_SCHEMA, _ONLY),
    ("grant_access", with_sharing(_grant_access), GRANT_SCHEMA.extend(SHARE_FIELDS), _OPTIONAL),
    ("revoke_holder", _revoke_holder_handler(False), HOLDER_SCHEMA, _OPTIONAL),
    (
        "check_in",
        with_sharing(with_tenant_meters(_check_in)),
        GRANT_SCHEMA.extend({**SHARE_FIELDS, **METERS_FIELD}),
        _OPTIONAL,
    ),
    (
        "check_out",
        with_meters_released(_revoke_holder_handler(True)),
        HOLDER_SCHEMA.extend(CUT_SUPPLY_FIELD),
        _OPTIONAL,
    ),
    ("extend_lease", _extend_lease, EXTEND_SCHEMA, _OPTIONAL),
    ("add_staff", with_sharing(_add_staff), ADD_STAFF_SCHEMA.extend(SHARE_FIELDS), _OPTIONAL),
    ("remove_staff", _remove_staff, REMOVE_STAFF_SCHEMA, _OPTIONAL),
    ("list_credentials", _list_credentials, LIST_SCHEMA, _ONLY),
    ("recharge_meter", _recharge_meter, RECHARGE_SCHEMA, _OPTIONAL),
    ("temporary_supply", async_temporary_supply, TEMPORARY_SUPPLY_SCHEMA, _OPTIONAL),
    ("rotate_callback_url", _rotate_callback_url, ROTATE_SCHEMA, _OPTIONAL),
    ("activate_floors", async_activate_floors, ACTIVATE_FLOORS_SCHEMA, _OPTIONAL),
    (
        "configure_passage_mode",
        async_configure_passage_mode,
        CONFIGURE_PASSAGE_MODE_SCHEMA,
        _OPTIONAL,
    ),
)


def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action (admin only)."""
    for name, handler, schema, response in _SERVICES:

        async def _call(call: ServiceCall, handler: _Handler = handler) -> ServiceResponse:
            result = await handler(hass, call)
            return result if call.return_response else None

        async_register_admin_service(hass, DOMAIN, name, _call, schema, response)
    async_register_platform_entity_service(
        hass,
        DOMAIN,
        "verify_access",
        entity_domain=LOCK_DOMAIN,
        schema=None,
        func=_verify_access,
        admin_only=True,
        supports_response=SupportsResponse.OPTIONAL,
    )
