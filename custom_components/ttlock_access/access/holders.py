"""What the actions do with people's access: codes, grants, leases, staff, fingerprints.

Each function takes the entry's :class:`~.manager.AccessManager` and the locks (TTLock ids)
the action resolved, applies the access policy (unique codes, the monthly ledger, names) and
changes the model through the manager. Refusals are :class:`~.errors.AccessError`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.util import dt as dt_util

from .. import native
from ..models import Path
from ..native import CodegenError
from ..sdk.cloud.errors import TTLockError
from .errors import AccessError
from .ledger import LimitReachedError
from .model import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Holder,
    HolderKind,
    Placement,
    PlacementState,
    Presence,
    new_id,
    to_ms,
)

if TYPE_CHECKING:
    from .manager import AccessManager


# ------------------------------------------------------------------------------ codes
def normalized_digits(text: str) -> str:
    """Digits of any script as ASCII (a code made elsewhere may use other digit forms)."""
    return "".join(
        str(digit) if (digit := unicodedata.digit(ch, None)) is not None else ch for ch in text
    )


def conflicts(code: str, existing: Iterable[str]) -> bool:
    """TTLock's keypad accepts extra digits around a code: containment opens the lock."""
    return any(code in other or other in code for other in existing)


async def existing_codes(manager: AccessManager, lock_id: int) -> set[str]:
    """Codes that are (or may be) on a lock: the managed ones and, for account locks, the
    cloud's list — as ASCII digits."""
    codes: set[str] = set()
    for credential, placement in manager.credentials_on(lock_id):
        if placement.presence is Presence.ABSENT and placement.state is not PlacementState.SETTING:
            continue
        if credential.kind is CredentialKind.PASSCODE and credential.secret:
            codes.add(credential.secret)
        elif credential.kind is CredentialKind.OFFLINE_PASSCODE and placement.secret:
            codes.add(placement.secret)
    cloud = manager.coordinator.client
    if cloud is not None:
        try:
            listed = await cloud.list_passcodes(lock_id)
        except TTLockError:
            listed = []
        codes.update(normalized_digits(p.keyboard_pwd) for p in listed if p.keyboard_pwd)
    return codes


async def async_new_codes(
    manager: AccessManager, wanted: dict[str, list[int]], length: int, code: str | None = None
) -> dict[str, str]:
    """A code per key of ``wanted`` (for its locks) that overlaps no code on those locks nor
    each other; ``code``: the caller's own code for a single key, checked instead."""
    lock_ids = {lock_id for locks in wanted.values() for lock_id in locks}
    existing = {lock_id: await existing_codes(manager, lock_id) for lock_id in lock_ids}
    if code is not None:
        for lock_id in sorted(lock_ids):
            if conflicts(code, existing[lock_id]):
                raise AccessError("code_conflicts", lock=manager.lock_name(lock_id))
        return dict.fromkeys(wanted, code)
    try:
        return native.generate_bulk(wanted, length, existing)
    except CodegenError as err:
        raise AccessError("no_free_code", length=str(length)) from err


def _ble_only(manager: AccessManager, lock_ids: list[int], variant: str) -> bool:
    """The monthly ledger: True to write around it over Bluetooth; refused when it is full."""
    coordinator = manager.coordinator

    def in_range(lock_id: int) -> bool:
        rt = coordinator.data.locks.get(lock_id)
        return rt is not None and Path.BLUETOOTH in coordinator.paths(rt)

    try:
        return manager.ledger.check(lock_ids, variant, in_range)
    except LimitReachedError as err:
        raise AccessError(
            "passcode_limit_reached",
            invalid=False,
            lock=manager.lock_name(err.lock_id),
            limit=str(err.limit),
        ) from err


async def _holder(
    manager: AccessManager, name: str | None, kind: HolderKind = HolderKind.GUEST, **fields: Any
) -> Holder | None:
    if name is None:
        return None
    return manager.holder(name) or await manager.async_add_holder(name, kind, **fields)


# ------------------------------------------------------------------------------ passcodes
async def async_custom_passcode(
    manager: AccessManager,
    lock_ids: list[int],
    *,
    name: str,
    holder: Holder | None,
    variant: str,
    starts: datetime | None,
    ends: datetime | None,
    length: int,
    code: str | None,
) -> Credential:
    """Issue a custom passcode (generated unless given) on every lock."""
    ble_only = _ble_only(manager, lock_ids, variant)
    if variant == "custom_permanent":
        starts, ends = None, None
    elif starts is None:
        starts = dt_util.utcnow()
    digits = (await async_new_codes(manager, {"code": lock_ids}, length, code))["code"]
    credential = Credential(
        credential_id=new_id(),
        kind=CredentialKind.PASSCODE,
        name=name,
        holder_id=holder.holder_id if holder else None,
        secret=digits,
        variant=variant,
        starts_at=starts,
        ends_at=ends,
    )
    if ble_only:
        credential.extra["ble_only"] = True
    return await manager.async_issue(credential, lock_ids)


async def async_offline_passcode(
    manager: AccessManager,
    lock_ids: list[int],
    *,
    name: str,
    holder: Holder | None,
    variant: str,
    starts: datetime | None,
    ends: datetime | None,
    extra: dict[str, Any] | None = None,
) -> Credential:
    """Have the cloud issue an offline code for every lock (one per lock)."""
    if manager.coordinator.client is None:
        raise AccessError("offline_needs_account")
    _ble_only(manager, lock_ids, variant)
    credential = Credential(
        credential_id=new_id(),
        kind=CredentialKind.OFFLINE_PASSCODE,
        name=name,
        holder_id=holder.holder_id if holder else None,
        variant=variant,
        starts_at=starts or dt_util.utcnow(),
        ends_at=ends,
        extra=extra or {},
    )
    return await manager.async_issue(credential, lock_ids)


async def async_offline_fallback(
    manager: AccessManager, credential: Credential
) -> Credential | None:
    """A booking's custom code could not reach a lock: issue an offline code for the same
    window there instead (it needs no connection to the lock)."""
    unreached = [
        lock_id
        for lock_id, placement in credential.placements.items()
        if placement.state is PlacementState.SETTING
    ]
    if not unreached or manager.coordinator.client is None:
        return None
    return await async_offline_passcode(
        manager,
        unreached,
        name=f"{credential.name} (offline)",
        holder=manager.state.holders.get(credential.holder_id or ""),
        variant="period" if credential.ends_at else "permanent",
        starts=credential.starts_at or dt_util.utcnow(),
        ends=credential.ends_at,
        extra={"fallback_for": credential.credential_id},
    )


async def async_erase_passcodes(manager: AccessManager, lock_id: int) -> int:
    """Revoke every managed passcode of a lock."""
    revoked = 0
    for credential, _placement in manager.credentials_on(lock_id):
        if (
            credential.kind
            in (
                CredentialKind.PASSCODE,
                CredentialKind.OFFLINE_PASSCODE,
            )
            and credential.status is not CredentialStatus.REVOKED
        ):
            await manager.async_revoke(credential)
            revoked += 1
    return revoked


# ------------------------------------------------------------------------------ people
async def async_grant(
    manager: AccessManager,
    lock_ids: list[int],
    *,
    holder_name: str,
    kind: HolderKind,
    person: str | None,
    starts: datetime | None,
    ends: datetime | None,
    passcode: bool,
    code: str | None,
    length: int,
    card_number: str | None,
    ekey_receiver: str | None,
) -> tuple[Holder, list[Credential]]:
    """A person's access to these locks: a code (unless not wanted), a card, an eKey."""
    if ekey_receiver and manager.coordinator.client is None:
        raise AccessError("needs_account")
    holder = await _holder(
        manager, holder_name, kind, person=person, starts_at=starts, ends_at=ends
    )
    assert holder is not None
    issued: list[Credential] = []
    if passcode:
        issued.append(
            await async_custom_passcode(
                manager,
                lock_ids,
                name=holder.name,
                holder=holder,
                variant="custom_period" if ends else "custom_permanent",
                starts=starts,
                ends=ends,
                length=length,
                code=code,
            )
        )
    if card_number:
        card = Credential(
            new_id(),
            CredentialKind.CARD,
            holder.name,
            holder.holder_id,
            secret=card_number,
            starts_at=starts,
            ends_at=ends,
        )
        issued.append(await manager.async_issue(card, lock_ids))
    if ekey_receiver:
        ekey = Credential(
            new_id(),
            CredentialKind.EKEY,
            holder.name,
            holder.holder_id,
            starts_at=starts,
            ends_at=ends,
            extra={"receiver": ekey_receiver, "remote_unlock": True, "admin": False},
        )
        issued.append(await manager.async_issue(ekey, lock_ids))
    return holder, issued


async def async_revoke_holder(manager: AccessManager, holder: Holder, *, remove: bool) -> int:
    """Revoke everything a holder has (and mark them gone: check-out, staff removal)."""
    count = 0
    for credential in manager.credentials_of(holder.holder_id):
        if credential.status is not CredentialStatus.REVOKED:
            await manager.async_revoke(credential)
            count += 1
    if remove:
        holder.removed = True
        await manager.async_save()
        manager.async_notify()
    return count


async def async_extend_lease(manager: AccessManager, holder: Holder, ends: datetime) -> int:
    """Move the end of a holder's stay; their timed credentials follow (permanent ones have
    no end to move, offline codes keep theirs)."""
    if holder.starts_at and ends <= holder.starts_at:
        raise AccessError("end_before_start")
    holder.ends_at = ends
    renewed = 0
    for credential in manager.credentials_of(holder.holder_id):
        if credential.status in (CredentialStatus.REVOKED, CredentialStatus.FAILED):
            continue
        if credential.kind is CredentialKind.OFFLINE_PASSCODE or credential.ends_at is None:
            continue
        starts = credential.starts_at or holder.starts_at
        await manager.async_update_validity(credential, starts, ends)
        renewed += 1
    await manager.async_save()
    manager.async_notify()
    return renewed


async def async_add_staff(
    manager: AccessManager, lock_ids: list[int], names: list[str], length: int
) -> dict[str, Credential]:
    """A permanent code for each staff member on every lock (none overlapping another)."""
    codes = await async_new_codes(manager, dict.fromkeys(names, lock_ids), length)
    staff: dict[str, Credential] = {}
    for name in names:
        holder = await _holder(manager, name, HolderKind.STAFF)
        assert holder is not None
        credential = Credential(
            new_id(),
            CredentialKind.PASSCODE,
            name,
            holder.holder_id,
            secret=codes[name],
            variant="custom_permanent",
        )
        staff[name] = await manager.async_issue(credential, lock_ids)
    return staff


async def async_record_fingerprint(
    manager: AccessManager,
    lock_id: int,
    *,
    name: str,
    holder: Holder | None,
    number: str,
    starts: datetime | None,
    ends: datetime | None,
    enrolled: bool,
) -> Credential:
    """A fingerprint on the lock (just enrolled, or enrolled elsewhere) under management."""
    credential = Credential(
        new_id(),
        CredentialKind.FINGERPRINT,
        name,
        holder.holder_id if holder else None,
        starts_at=starts,
        ends_at=ends,
    )
    placement = Placement(
        lock_id=lock_id,
        presence=Presence.PRESENT,
        secret=number,
        name=manager.unique_name(name, lock_id),
        path=Path.BLUETOOTH.value if enrolled else "cloud",
    )
    cloud = manager.coordinator.client
    if cloud is not None:
        try:
            placement.ttlock_id = await cloud.add_fingerprint(
                lock_id,
                number,
                name=placement.name,
                start_ms=to_ms(starts) or 0,
                end_ms=to_ms(ends) or 0,
            )
        except TTLockError:
            if not enrolled:
                raise  # recorded only: the cloud's refusal is the action's answer
    credential.placements[lock_id] = placement
    manager.state.credentials[credential.credential_id] = credential
    manager.want_all(credential)
    await manager.async_save()
    manager.async_notify()
    return credential


async def async_ekey_action(
    manager: AccessManager, credential: Credential, action: str
) -> dict[str, str]:
    """Freeze, unfreeze or get the unlock link of an eKey on each of its locks (cloud only);
    returns the links by lock id."""
    cloud = manager.coordinator.client
    if cloud is None:
        raise AccessError("needs_account")
    links: dict[str, str] = {}
    for lock_id, placement in credential.placements.items():
        if placement.ttlock_id is None:
            raise AccessError("ekey_not_sent")
        if action == "freeze":
            await cloud.freeze_ekey(placement.ttlock_id)
        elif action == "unfreeze":
            await cloud.unfreeze_ekey(placement.ttlock_id)
        else:
            links[str(lock_id)] = await cloud.get_ekey_unlock_link(placement.ttlock_id)
    if action in ("freeze", "unfreeze"):
        credential.extra["frozen"] = action == "freeze"
        await manager.async_save()
    return links
