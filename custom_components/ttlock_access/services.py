"""Service actions: schemas, target resolution and thin handlers over the access model.

All actions are admin-only, registered once in ``async_setup`` (they validate even when no
entry is loaded) and target lock entities of this integration, or holders by name. Each
handler resolves its targets, calls the access model (:mod:`.access`) and shapes the
response. Bad input raises a translated ``ServiceValidationError``; a failure on the lock or
in the cloud a translated ``HomeAssistantError``. Codes appear only in the responses of the
actions that create them (and in ``list_credentials`` when ``include_secrets`` is set).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.service import async_extract_entity_ids, async_register_admin_service
from homeassistant.util import dt as dt_util

from .access import (
    AccessError,
    AccessManager,
    Credential,
    CredentialKind,
    CredentialStatus,
    Holder,
    HolderKind,
)
from .access import holders as ops
from .access.adopt import ADOPTABLE, async_adopt, async_unmanaged
from .access.model import new_id
from .ble import translate_ble_error
from .const import CONF_OFFLINE_FALLBACK, DOMAIN
from .coordinator import TTLockCoordinator
from .errors import translate_error
from .models import LockRuntime, Path, lock_time
from .sdk.ble import AddCard, AddFingerprint, TTLockBleError
from .sdk.ble.results import CardAddMode, FingerprintProgress
from .sdk.cloud.errors import TTLockError
from .sdk.model import MAX_CARD_NUMBER, Feature
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
CYCLIC_DAYS = {
    "weekend": "Saturday and Sunday",
    "daily": "every day",
    "workday": "Monday to Friday",
}
CYCLIC_RULE = "Works every week in the daily window of its start and end times, on {days}."
HOUR_RULE = "TTLock offline codes resolve to the hour: start and end are rounded down."

LOCK_DOMAIN = "lock"
_TARGET = cv.TARGET_SERVICE_FIELDS
_CODE = re.compile(r"[0-9]{4,9}")
"""A keypad code: 4–9 ASCII digits (look-alike digits of other scripts are refused)."""
_NUMBER = re.compile(r"[0-9]{1,20}")
_LENGTH = vol.All(vol.Coerce(int), vol.Range(min=4, max=9))
_WINDOW = {vol.Optional("starts_at"): cv.datetime, vol.Optional("ends_at"): cv.datetime}
_SCHEDULE = {
    vol.Optional("weekdays"): vol.All(cv.ensure_list, [vol.In(WEEKDAYS)]),
    vol.Optional("daily_start"): cv.time,
    vol.Optional("daily_end"): cv.time,
}

CREATE_PASSCODE_SCHEMA = vol.Schema(
    {
        **_TARGET,
        **_WINDOW,
        vol.Required("name"): cv.string,
        vol.Optional("type", default="custom_permanent"): vol.In(PASSCODE_TYPES),
        vol.Optional("code"): cv.string,
        vol.Optional("length", default=6): _LENGTH,
        vol.Optional("holder"): cv.string,
        vol.Optional("offline_fallback"): cv.boolean,
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
        vol.Required("name"): cv.string,
        vol.Optional("card_number"): cv.string,
        vol.Optional("reversed", default=False): cv.boolean,
        vol.Optional("holder"): cv.string,
    }
)
ENROLL_SCHEMA = vol.Schema(
    {**_TARGET, **_WINDOW, vol.Required("name"): cv.string, vol.Optional("holder"): cv.string}
)
RECORD_FINGERPRINT_SCHEMA = ENROLL_SCHEMA.extend({vol.Required("fingerprint_number"): cv.string})
ADD_FACE_SCHEMA = ENROLL_SCHEMA.extend({vol.Required("feature_data"): cv.string})
SEND_EKEY_SCHEMA = vol.Schema(
    {
        **_TARGET,
        **_WINDOW,
        vol.Required("receiver"): cv.string,
        vol.Required("name"): cv.string,
        vol.Optional("holder"): cv.string,
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
        vol.Optional("length", default=6): _LENGTH,
        vol.Optional("card_number"): cv.string,
        vol.Optional("ekey_receiver"): cv.string,
    }
)
HOLDER_SCHEMA = vol.Schema({vol.Required("holder"): cv.string})
EXTEND_SCHEMA = vol.Schema(
    {vol.Required("holder"): cv.string, vol.Required("ends_at"): cv.datetime}
)
NAMES = vol.All(cv.ensure_list, [cv.string], vol.Length(min=1))
ADD_STAFF_SCHEMA = vol.Schema(
    {**_TARGET, vol.Required("names"): NAMES, vol.Optional("length", default=6): _LENGTH}
)
REMOVE_STAFF_SCHEMA = vol.Schema({vol.Required("names"): NAMES})
ADOPT_SCHEMA = vol.Schema(
    {
        **_TARGET,
        vol.Required("kind"): vol.In(list(ADOPTABLE)),
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
VERIFY_SCHEMA = vol.Schema({**_TARGET})


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@asynccontextmanager
async def _answers(lock_name: str = "") -> AsyncIterator[None]:
    """The access model's refusals and the SDK's errors as translated errors."""
    try:
        yield
    except AccessError as err:
        if err.invalid:
            raise _invalid(err.key, **err.placeholders) from err
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=err.key,
            translation_placeholders=err.placeholders,
        ) from err
    except TTLockError as err:
        raise translate_error(err, lock_name) from err
    except TTLockBleError as err:
        raise translate_ble_error(err, lock_name) from err


# ---------------------------------------------------------------------- input
def _code(value: str | None) -> str | None:
    if value is not None and not _CODE.fullmatch(value):
        raise _invalid("invalid_code")
    return value


def _number(value: str | None, key: str = "invalid_card_number") -> str | None:
    if value is not None and (
        not _NUMBER.fullmatch(value) or not 0 < int(value) <= MAX_CARD_NUMBER
    ):
        raise _invalid(key)
    return value


def _window(
    data: dict[str, Any], current: Credential | None = None
) -> tuple[datetime | None, datetime | None]:
    """Validity window from the call (naive times are Home Assistant's local time); an
    update keeps what it does not give."""
    starts = dt_util.as_utc(data["starts_at"]) if data.get("starts_at") else None
    ends = dt_util.as_utc(data["ends_at"]) if data.get("ends_at") else None
    if current is not None:
        starts, ends = starts or current.starts_at, ends or current.ends_at
    if ends is not None and starts is None:
        starts = dt_util.utcnow()  # a window needs a start: now
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


def _rules(variant: str) -> list[str]:
    if variant in CUSTOM_TYPES:
        return []
    first = OFFLINE_RULES.get(variant) or CYCLIC_RULE.format(
        days=CYCLIC_DAYS.get(variant, variant.capitalize())
    )
    return [first, HOUR_RULE]


# ---------------------------------------------------------------------- targets
@dataclass(slots=True)
class LockTarget:
    """A lock entity resolved to its entry's coordinator and access manager."""

    entity_id: str
    coordinator: TTLockCoordinator
    manager: AccessManager
    rt: LockRuntime

    @property
    def lock_id(self) -> int:
        """TTLock id of the lock."""
        return self.rt.lock.lock_id

    def has(self, feature: Feature) -> bool:
        """What the lock's featureValue says (local locks: unknown, taken as possible)."""
        features = self.rt.lock.features
        return not features.value or features.has(feature)


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
        rt = runtime.coordinator.data.locks.get(int(str(entry.unique_id).split("_", 1)[0]))
        if rt is None:
            raise _invalid("lock_not_available", entity_id=entity_id)
        targets.append(LockTarget(entity_id, runtime.coordinator, runtime.access, rt))
    return targets


async def _targets(
    hass: HomeAssistant, call: ServiceCall, *, one_account: bool = True, one_lock: str = ""
) -> list[LockTarget]:
    targets = _resolve_targets(hass, await async_extract_entity_ids(call))
    if not targets:
        raise _invalid("no_locks")
    if one_account and len({id(t.manager) for t in targets}) > 1:
        raise _invalid("locks_of_several_accounts")
    if one_lock and len(targets) != 1:
        raise _invalid(one_lock)
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


def _find_credential(
    hass: HomeAssistant, call: ServiceCall, kinds: tuple[CredentialKind, ...] = ()
) -> tuple[AccessManager, Credential]:
    credential_id = call.data["credential_id"]
    for manager in _managers(hass):
        if (credential := manager.credential(credential_id)) is not None:
            if kinds and credential.kind not in kinds:
                raise _invalid("wrong_credential_kind", kind=credential.kind.value)
            return manager, credential
    raise _invalid("unknown_credential", credential_id=credential_id)


def _require(
    targets: list[LockTarget], feature: Feature, what: str, *, account: bool = False
) -> None:
    """Refuse up front what a lock cannot do (its featureValue), or needs an account for."""
    for target in targets:
        if account and target.coordinator.client is None:
            raise _invalid("needs_account")
        if not target.has(feature):
            raise _invalid("not_supported_by_lock", lock=target.rt.lock.name, feature=what)


async def _holder_for(
    manager: AccessManager, ref: str | None, kind: HolderKind = HolderKind.GUEST
) -> Holder | None:
    if ref is None:
        return None
    return manager.holder(ref) or await manager.async_add_holder(ref, kind)


def _response(
    credential: Credential, targets: list[LockTarget], *, secrets: bool
) -> dict[str, Any]:
    """A credential with its placements keyed by entity id (codes only when ``secrets``)."""
    by_lock = {t.lock_id: t.entity_id for t in targets}
    out = credential.public()
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


# ---------------------------------------------------------------------- passcodes
async def _create_passcode(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call)
    manager, lock_ids = targets[0].manager, [t.lock_id for t in targets]
    variant: str = data["type"]
    code = _code(data.get("code"))
    starts, ends = _window(data)
    if variant in ("custom_period", "period", *CYCLIC_TYPES) and ends is None:
        raise _invalid("needs_end", type=variant)
    if variant not in CUSTOM_TYPES and code is not None:
        raise _invalid("offline_code_is_generated")
    holder = await _holder_for(manager, data.get("holder"))
    common = {"name": data["name"], "holder": holder, "variant": variant, "starts": starts}
    async with _answers(targets[0].rt.lock.name):
        if variant in CUSTOM_TYPES:
            credential = await ops.async_custom_passcode(
                manager, lock_ids, **common, ends=ends, length=data["length"], code=code
            )
        else:
            credential = await ops.async_offline_passcode(manager, lock_ids, **common, ends=ends)
        response = _response(credential, targets, secrets=True)
        wanted = data.get("offline_fallback", manager.entry.options.get(CONF_OFFLINE_FALLBACK))
        if wanted and credential.kind is CredentialKind.PASSCODE:
            fallback = await ops.async_offline_fallback(manager, credential)
            if fallback is not None:
                response["fallback"] = _response(fallback, targets, secrets=True)
                return response
    response["rules"] = _rules(variant)
    return response


async def _update_validity(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    manager, credential = _find_credential(hass, call)
    if credential.status is CredentialStatus.REVOKED:
        raise _invalid("credential_revoked")
    if credential.kind is CredentialKind.OFFLINE_PASSCODE:
        raise _invalid("offline_code_fixed")
    starts, ends = _window(dict(call.data), credential)
    schedule = _schedule(dict(call.data))
    if schedule is not None and credential.kind not in (
        CredentialKind.CARD,
        CredentialKind.FINGERPRINT,
        CredentialKind.FACE,
    ):
        raise _invalid("schedule_not_supported")
    await manager.async_update_validity(credential, starts, ends, cyclic=schedule)
    return {"credential": credential.public()}


def _revoke_handler(
    kinds: tuple[CredentialKind, ...],
) -> Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def _revoke(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        manager, credential = _find_credential(hass, call, kinds)
        await manager.async_revoke(credential)
        return {"credential": credential.public()}

    return _revoke


async def _erase_all_passcodes(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    revoked = 0
    for target in await _targets(hass, call, one_account=False):
        revoked += await ops.async_erase_passcodes(target.manager, target.lock_id)
    return {"revoked": revoked}


# ---------------------------------------------------------------------- cards, fingers, faces
async def _add_card(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call)
    manager = targets[0].manager
    number = _number(data.get("card_number"))
    starts, ends = _window(data)
    schedule = _schedule(data)
    _require(targets, Feature.IC_CARD, "ic_card")
    holder = await _holder_for(manager, data.get("holder"))
    if number is None:
        if len(targets) != 1:
            raise _invalid("enroll_one_lock")
        number = str((await _enroll(hass, targets[0], "card", starts, ends)).number)
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
    return _response(credential, targets, secrets=False)


async def _enroll(
    hass: HomeAssistant,
    target: LockTarget,
    what: str,
    starts: datetime | None,
    ends: datetime | None,
) -> Any:
    """Enrol a card or finger at the lock over Bluetooth, reporting each step as an event."""
    rt = target.rt
    if Path.BLUETOOTH not in target.coordinator.paths(rt):
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="enroll_needs_bluetooth",
            translation_placeholders={"name": rt.lock.name},
        )
    entry = er.async_get(hass).async_get(target.entity_id)
    base = {
        "device_id": entry.device_id if entry else None,
        "entity_id": target.entity_id,
        "credential": what,
    }

    def _progress(step: CardAddMode | FingerprintProgress) -> None:
        data: dict[str, Any] = dict(base)
        if isinstance(step, FingerprintProgress):
            data.update(step="fingerprint", current=step.current, total=step.total)
        else:
            data.update(step="present_card")
        hass.bus.async_fire(EVENT_ENROLLMENT, data)

    s, e = lock_time(rt, starts), lock_time(rt, ends)
    op: Any = AddCard if what == "card" else AddFingerprint
    async with _answers(rt.lock.name):
        result = await target.coordinator.ble.async_run(
            rt, lambda keys, _now: op(keys, start=s, end=e), retry=False, on_progress=_progress
        )
    hass.bus.async_fire(EVENT_ENROLLMENT, {**base, "step": "done"})
    return result


async def _enroll_fingerprint(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    [target] = await _targets(hass, call, one_lock="enroll_one_lock")
    _require([target], Feature.FINGERPRINT, "fingerprint")
    starts, ends = _window(data)
    holder = await _holder_for(target.manager, data.get("holder"))
    fingerprint = await _enroll(hass, target, "fingerprint", starts, ends)
    return await _record(target, data, holder, str(fingerprint.fingerprint_id), enrolled=True)


async def _add_fingerprint_record(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """A fingerprint enrolled elsewhere (TTLock app): record and manage it."""
    data = dict(call.data)
    [target] = await _targets(hass, call, one_lock="enroll_one_lock")
    number = _number(data["fingerprint_number"], "invalid_fingerprint_number")
    holder = await _holder_for(target.manager, data.get("holder"))
    return await _record(target, data, holder, str(number), enrolled=False)


async def _record(
    target: LockTarget, data: dict[str, Any], holder: Holder | None, number: str, *, enrolled: bool
) -> ServiceResponse:
    starts, ends = _window(data)
    async with _answers(target.rt.lock.name):
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
    return _response(credential, [target], secrets=False)


async def _add_face(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call)
    _require(targets, Feature.FACE, "face", account=True)
    starts, ends = _window(data)
    holder = await _holder_for(targets[0].manager, data.get("holder"))
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
    return _response(credential, targets, secrets=False)


# ---------------------------------------------------------------------- eKeys
async def _send_ekey(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call)
    if any(t.coordinator.client is None for t in targets):
        raise _invalid("needs_account")
    starts, ends = _window(data)
    holder = await _holder_for(targets[0].manager, data.get("holder"))
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
    return _response(credential, targets, secrets=False)


def _ekey_action(
    action: str,
) -> Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def _handler(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        manager, credential = _find_credential(hass, call, (CredentialKind.EKEY,))
        names = ", ".join(manager.lock_name(lock_id) for lock_id in credential.placements)
        async with _answers(names):
            links = await ops.async_ekey_action(manager, credential, action)
        result: dict[str, Any] = {"credential": credential.public()}
        if links:
            result["links"] = links
        return result

    return _handler


# ---------------------------------------------------------------------- people
async def _grant_access(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    return await _grant(hass, call, HolderKind(call.data["kind"]))


async def _check_in(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    if call.data.get("ends_at") is None:
        raise _invalid("lease_needs_end")
    return await _grant(hass, call, HolderKind.TENANT)


async def _grant(hass: HomeAssistant, call: ServiceCall, kind: HolderKind) -> ServiceResponse:
    data = dict(call.data)
    targets = await _targets(hass, call)
    starts, ends = _window(data)
    async with _answers(targets[0].rt.lock.name):
        holder, issued = await ops.async_grant(
            targets[0].manager,
            [t.lock_id for t in targets],
            holder_name=data["holder"],
            kind=kind,
            person=data.get("person"),
            starts=starts,
            ends=ends,
            passcode=data["passcode"],
            code=_code(data.get("code")),
            length=data["length"],
            card_number=_number(data.get("card_number")),
            ekey_receiver=data.get("ekey_receiver"),
        )
    return {
        "holder": holder.to_json(),
        "credentials": [_response(c, targets, secrets=True) for c in issued],
    }


def _revoke_holder_handler(
    remove: bool,
) -> Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def _handler(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        manager, holder = _find_holder(hass, call.data["holder"])
        revoked = await ops.async_revoke_holder(manager, holder, remove=remove)
        return {"holder": holder.to_json(), "revoked": revoked}

    return _handler


async def _extend_lease(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    manager, holder = _find_holder(hass, call.data["holder"])
    async with _answers():
        renewed = await ops.async_extend_lease(
            manager, holder, dt_util.as_utc(call.data["ends_at"])
        )
    return {"holder": holder.to_json(), "renewed": renewed}


async def _add_staff(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    targets = await _targets(hass, call)
    async with _answers(targets[0].rt.lock.name):
        staff = await ops.async_add_staff(
            targets[0].manager,
            [t.lock_id for t in targets],
            call.data["names"],
            call.data["length"],
        )
    return {"staff": {name: _response(c, targets, secrets=True) for name, c in staff.items()}}


async def _remove_staff(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    removed: dict[str, Any] = {}
    for name in call.data["names"]:
        manager, holder = _find_holder(hass, name)
        removed[name] = await ops.async_revoke_holder(manager, holder, remove=True)
    return {"revoked": removed}


# ---------------------------------------------------------------------- listing, adoption, drift
async def _list_credentials(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    data = dict(call.data)
    secrets, holder_ref = data["include_secrets"], data.get("holder")
    result: dict[str, Any] = {}
    for target in await _targets(hass, call, one_account=False):
        manager = target.manager
        holder = manager.holder(holder_ref) if holder_ref else None
        if holder_ref and holder is None:
            raise _invalid("unknown_holder", holder=holder_ref)
        items = []
        for credential, placement in manager.credentials_on(target.lock_id):
            if holder and credential.holder_id != holder.holder_id:
                continue
            item = credential.public(include_secret=secrets)
            owner = manager.state.holders.get(credential.holder_id or "")
            item["holder"] = owner.name if owner else None
            item["lock"] = {"state": placement.state.value, "path": placement.path}
            if placement.error:
                item["lock"]["error"] = placement.error
            if secrets and placement.secret and credential.kind is CredentialKind.OFFLINE_PASSCODE:
                item["secret"] = placement.secret
            items.append(item)
        entry: dict[str, Any] = {"credentials": items}
        if data["include_unmanaged"] and target.coordinator.client is not None and not holder:
            families = [k for k in ADOPTABLE if k != "face" or target.has(Feature.FACE)]
            async with _answers(target.rt.lock.name):
                entry["unmanaged"] = await async_unmanaged(
                    manager, target.lock_id, families, secrets=secrets
                )
        result[target.entity_id] = entry
    return {"locks": result}


async def _adopt_credential(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Manage a credential made elsewhere (listed by ``list_credentials`` as unmanaged)."""
    data = dict(call.data)
    [target] = await _targets(hass, call, one_lock="adopt_one_lock")
    if target.coordinator.client is None:
        raise _invalid("needs_account")
    holder = await _holder_for(target.manager, data.get("holder"), HolderKind(data["holder_kind"]))
    async with _answers(target.rt.lock.name):
        credential = await async_adopt(
            target.manager,
            target.lock_id,
            data["kind"],
            data["ttlock_id"],
            name=data.get("name"),
            holder=holder,
        )
    return _response(credential, [target], secrets=False)


async def _verify_access(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Compare each lock's memory with the access model and repair the differences."""
    result: dict[str, Any] = {}
    for target in await _targets(hass, call, one_account=False):
        async with _answers(target.rt.lock.name):
            report = await target.manager.async_verify(target.lock_id)
        result[target.entity_id] = report.as_dict()
    return {"locks": result}


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
    ("check_in", with_sharing(_check_in), GRANT_SCHEMA.extend(SHARE_FIELDS), _OPTIONAL),
    ("check_out", _revoke_holder_handler(True), HOLDER_SCHEMA, _OPTIONAL),
    ("extend_lease", _extend_lease, EXTEND_SCHEMA, _OPTIONAL),
    ("add_staff", with_sharing(_add_staff), ADD_STAFF_SCHEMA.extend(SHARE_FIELDS), _OPTIONAL),
    ("remove_staff", _remove_staff, REMOVE_STAFF_SCHEMA, _OPTIONAL),
    ("list_credentials", _list_credentials, LIST_SCHEMA, _ONLY),
    ("verify_access", _verify_access, VERIFY_SCHEMA, _OPTIONAL),
)


def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action (admin only)."""
    for name, handler, schema, response in _SERVICES:

        async def _call(call: ServiceCall, handler: _Handler = handler) -> ServiceResponse:
            result = await handler(hass, call)
            return result if call.return_response else None

        async_register_admin_service(hass, DOMAIN, name, _call, schema, response)
