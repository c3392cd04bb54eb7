"""What the actions share: target resolution, input checks, translated refusals and the
shape of a credential in a response."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_AREA_ID,
    ATTR_DEVICE_ID,
    ATTR_ENTITY_ID,
    ATTR_FLOOR_ID,
    ATTR_LABEL_ID,
)
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import target as target_helpers
from homeassistant.helpers.service import async_extract_entity_ids
from homeassistant.util import dt as dt_util

from .access import (
    AccessError,
    AccessManager,
    Credential,
    CredentialKind,
    Holder,
    HolderKind,
)
from .access.adopt import ADOPTABLE
from .const import DOMAIN
from .coordinator import TTLockCoordinator
from .errors import translated
from .models import LockRuntime, find_lock_entity_id
from .sdk.model import MAX_CARD_NUMBER, Feature

LOCK_DOMAIN = "lock"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CUSTOM_TYPES = ("custom_permanent", "custom_period")
_CODE = re.compile(r"[0-9]{4,9}")
"""A keypad code: 4–9 ASCII digits (look-alike digits of other scripts are refused)."""
_NUMBER = re.compile(r"[0-9]{1,20}")
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


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


NAME_MAX = 64
FIRST_DATE = datetime(2000, 1, 1, tzinfo=UTC)
LAST_DATE = datetime(2099, 12, 31, 23, 59, tzinfo=UTC)
"""Locks store two-digit years (docs/ble.md §5.2): validity must fall in 2000–2099."""


def valid_name(value: Any) -> str:
    """A holder or credential name: 1–64 printable characters (no control or direction
    override characters), surrounding spaces dropped."""
    text = cv.string(value).strip()
    if not 1 <= len(text) <= NAME_MAX or not text.isprintable():
        raise invalid("invalid_name", max=str(NAME_MAX))
    return text


def valid_date(value: Any) -> datetime:
    """A date and time a lock can store (naive: Home Assistant's time zone)."""
    moment = cv.datetime(value)
    try:
        utc = dt_util.as_utc(moment)
    except (OverflowError, ValueError) as err:
        raise invalid("date_out_of_range") from err
    if not FIRST_DATE <= utc <= LAST_DATE:
        raise invalid("date_out_of_range")
    return moment


@contextmanager
def answers(manager: AccessManager, lock_name: str = "") -> Iterator[None]:
    """The access model's refusals and the SDK's errors as translated errors."""
    try:
        with translated(manager.hass, manager.entry, lock_name):
            yield
    except AccessError as err:
        if err.invalid:
            raise invalid(err.key, **err.placeholders) from err
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=err.key,
            translation_placeholders=err.placeholders,
        ) from err


# ---------------------------------------------------------------------- input
def parse_code(value: str | None) -> str | None:
    if value is not None and not _CODE.fullmatch(value):
        raise invalid("invalid_code")
    return value


COMMON_CODES = frozenset(
    {"1004", "2580", "0852", "1379", "2468", "13579", "112233", "123321", "147258", "159753"}
)
"""Codes that top every list of guessed PINs without being a run or a repeat (a keypad
column, a diagonal, the odd digits…)."""


def weak_code(code: str) -> bool:
    """A code anyone would try first: one digit repeated (000000), a run up or down on the
    keypad's digit ring (123456, 654321, 7890), a repeated block (121212, 123123), or a
    well-known code."""
    if len(set(code)) == 1 or code in COMMON_CODES:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(code)}
    if steps in ({1}, {9}):
        return True
    size = len(code)
    return any(
        size % block == 0 and code == code[:block] * (size // block)
        for block in range(2, size // 2 + 1)
    )


def check_code_strength(code: str | None, *, allow_weak: bool) -> None:
    """Refuse a typed code that is easy to guess, unless the caller says it is intended."""
    if code is not None and not allow_weak and weak_code(code):
        raise invalid("weak_code")


def parse_number(value: str | None, key: str = "invalid_card_number") -> str | None:
    if value is not None and (
        not _NUMBER.fullmatch(value) or not 0 < int(value) <= MAX_CARD_NUMBER
    ):
        raise invalid(key)
    return value


def window_of(
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
    if data.get("ends_at") and ends is not None and ends <= dt_util.utcnow():
        raise invalid("ends_in_past")  # the credential would be expired at once
    if starts and ends and ends <= starts:
        raise invalid("end_before_start")
    return starts, ends


def schedule_of(data: dict[str, Any]) -> list[dict[str, int]] | None:
    weekdays = data.get("weekdays")
    if not weekdays:
        return None
    start, end = data.get("daily_start"), data.get("daily_end")
    if start is None or end is None:
        raise invalid("schedule_needs_times")
    start_min, end_min = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    if end_min <= start_min:
        raise invalid("end_before_start")
    return [
        {"weekDay": WEEKDAYS.index(day) + 1, "startTime": start_min, "endTime": end_min}
        for day in sorted(set(weekdays), key=WEEKDAYS.index)
    ]


def rules_of(variant: str) -> list[str]:
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

    def adoptable(self) -> list[str]:
        """The cloud's credential lists this lock has (faces only with a face reader)."""
        return [k for k in ADOPTABLE if k != "face" or self.has(Feature.FACE)]


def resolve_targets(hass: HomeAssistant, entity_ids: Iterable[str]) -> list[LockTarget]:
    registry = er.async_get(hass)
    targets: list[LockTarget] = []
    for entity_id in sorted(entity_ids):
        entry = registry.async_get(entity_id)
        if entry is None or entry.platform != DOMAIN or entry.domain != LOCK_DOMAIN:
            continue
        config_entry = hass.config_entries.async_get_entry(entry.config_entry_id or "")
        if config_entry is None or config_entry.state is not ConfigEntryState.LOADED:
            raise invalid("entry_not_loaded", entity_id=entity_id)
        runtime = config_entry.runtime_data
        rt = runtime.coordinator.data.locks.get(int(str(entry.unique_id).split("_", 1)[0]))
        if rt is None:
            raise invalid("lock_not_available", entity_id=entity_id)
        targets.append(LockTarget(entity_id, runtime.coordinator, runtime.access, rt))
    return targets


async def lock_targets(
    hass: HomeAssistant, call: ServiceCall, *, one_account: bool = True, one_lock: str = ""
) -> list[LockTarget]:
    targets = resolve_targets(hass, await async_extract_entity_ids(call))
    if not targets:
        raise invalid("no_locks")
    if one_account and len({id(t.manager) for t in targets}) > 1:
        raise invalid("locks_of_several_accounts")
    if one_lock and len(targets) != 1:
        raise invalid(one_lock)
    return targets


def names_target(call: ServiceCall) -> bool:
    """Whether a call names any target (entities, devices, areas, floors or labels)."""
    return any(
        call.data.get(key)
        for key in (ATTR_ENTITY_ID, ATTR_DEVICE_ID, ATTR_AREA_ID, ATTR_FLOOR_ID, ATTR_LABEL_ID)
    )


def all_lock_targets(hass: HomeAssistant) -> list[LockTarget]:
    """Every lock of every loaded entry (a listing without a target)."""
    registry = er.async_get(hass)
    targets: list[LockTarget] = []
    for config_entry in hass.config_entries.async_loaded_entries(DOMAIN):
        runtime = config_entry.runtime_data
        for registered in er.async_entries_for_config_entry(registry, config_entry.entry_id):
            if registered.domain != LOCK_DOMAIN or registered.disabled:
                continue
            lock_id = str(registered.unique_id).split("_", 1)[0]
            rt = runtime.coordinator.data.locks.get(int(lock_id)) if lock_id.isdigit() else None
            if rt is not None:
                targets.append(
                    LockTarget(registered.entity_id, runtime.coordinator, runtime.access, rt)
                )
    return sorted(targets, key=lambda target: target.entity_id)


def targeted_devices(hass: HomeAssistant, call: ServiceCall) -> set[str]:
    """The devices a call names: directly, through any of their entities, or by area.

    Devices are taken as named: configuration entities (a lift's floors, say), which a
    device or area target does not expand to, still lead to their device."""
    selected = target_helpers.async_extract_referenced_entity_ids(
        hass, target_helpers.TargetSelection(call.data)
    )
    entities = er.async_get(hass)
    device_ids = set(selected.referenced_devices)
    for entity_id in selected.referenced | selected.indirectly_referenced:
        registered = entities.async_get(entity_id)
        if registered is not None and registered.device_id:
            device_ids.add(registered.device_id)
    return device_ids


def devices_matching[K](
    hass: HomeAssistant,
    device_ids: set[str],
    entry_id: str,
    by_identifier: dict[tuple[str, str], K],
) -> list[K]:
    """What ``by_identifier`` maps the entry's devices among ``device_ids`` to."""
    devices = dr.async_get(hass)
    found: list[K] = []
    for device_id in device_ids:
        device = devices.async_get(device_id)
        if device is None or entry_id not in device.config_entries:
            continue
        found.extend(by_identifier[i] for i in device.identifiers if i in by_identifier)
    return found


def managers(hass: HomeAssistant) -> list[AccessManager]:
    return [entry.runtime_data.access for entry in hass.config_entries.async_loaded_entries(DOMAIN)]


def find_holder(hass: HomeAssistant, ref: str) -> tuple[AccessManager, Holder]:
    found = [(m, h) for m in managers(hass) if (h := m.holder(ref)) is not None]
    if not found:
        raise invalid("unknown_holder", holder=ref)
    if len(found) > 1:
        raise invalid("ambiguous_holder", holder=ref)
    return found[0]


def find_credential(
    hass: HomeAssistant, call: ServiceCall, kinds: tuple[CredentialKind, ...] = ()
) -> tuple[AccessManager, Credential]:
    credential_id = call.data["credential_id"]
    for manager in managers(hass):
        if (credential := manager.credential(credential_id)) is not None:
            if kinds and credential.kind not in kinds:
                raise invalid("wrong_credential_kind", kind=credential.kind.value)
            return manager, credential
    raise invalid("unknown_credential", credential_id=credential_id)


def require(
    targets: list[LockTarget], feature: Feature, what: str, *, account: bool = False
) -> None:
    """Refuse up front what a lock cannot do (its featureValue), or needs an account for."""
    for target in targets:
        if account and target.coordinator.client is None:
            raise invalid("needs_account")
        if not target.has(feature):
            raise invalid("not_supported_by_lock", lock=target.rt.lock.name, feature=what)


async def holder_for(
    manager: AccessManager, ref: str | None, kind: HolderKind = HolderKind.GUEST
) -> Holder | None:
    if ref is None:
        return None
    return manager.holder(ref) or await manager.async_add_holder(ref, kind)


# ---------------------------------------------------------------------- responses
# Every action answers in the same terms: times in Home Assistant's time zone with their
# offset, locks by their entity id (a lock without an entity: its TTLock id).


def response_time(value: datetime | None) -> str | None:
    """A time in a response: Home Assistant's time zone, with its offset."""
    return dt_util.as_local(value).isoformat() if value is not None else None


def lock_entity_id(hass: HomeAssistant | None, lock_id: int) -> str:
    """The entity id of a lock of this integration (its TTLock id when it has none)."""
    if hass is not None and (entity_id := find_lock_entity_id(hass, lock_id)):
        return entity_id
    return str(lock_id)


def holder_response(holder: Holder) -> dict[str, Any]:
    """A holder in a response."""
    out = holder.to_json()
    out["starts_at"] = response_time(holder.starts_at)
    out["ends_at"] = response_time(holder.ends_at)
    out["created_at"] = response_time(holder.created_at)
    return out


def credential_response(
    credential: Credential,
    targets: list[LockTarget],
    *,
    secrets: bool,
    hass: HomeAssistant | None = None,
) -> dict[str, Any]:
    """A credential with its placements keyed by lock entity id (codes only when
    ``secrets``); ``status`` is the displayed one (``scheduled`` before its window)."""
    by_lock = {t.lock_id: t.entity_id for t in targets}
    if hass is None and targets:
        hass = targets[0].manager.hass
    out = credential.public()
    out["starts_at"] = response_time(credential.starts_at)
    out["ends_at"] = response_time(credential.ends_at)
    out["last_used_at"] = response_time(credential.last_used_at)
    out["locks"] = {}
    for lock_id, placement in credential.placements.items():
        item: dict[str, Any] = {"state": placement.state.value, "path": placement.path}
        if placement.error:
            item["error"] = placement.error
        if secrets and placement.secret and credential.kind is CredentialKind.OFFLINE_PASSCODE:
            item["code"] = placement.secret
        out["locks"][by_lock.get(lock_id) or lock_entity_id(hass, lock_id)] = item
    if secrets and credential.secret and credential.kind is CredentialKind.PASSCODE:
        out["code"] = credential.secret
    return out
