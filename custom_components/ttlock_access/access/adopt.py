"""Credentials made elsewhere (the TTLock app, another tool): listed, and taken over on request.

The cloud's lists of a lock (:data:`~.executors.CLOUD_LISTS`) are compared with the model;
what the model does not manage is *unmanaged* — shown by ``list_credentials`` and never
deleted silently. ``adopt_credential`` makes one of them a managed credential of a holder:
nothing changes on the lock; it is then revoked with its holder like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import AccessError
from .lists import CLOUD_LISTS, Found
from .model import Credential, CredentialKind, CredentialStatus, Holder, PlacementState

if TYPE_CHECKING:
    from .manager import AccessManager

ADOPTABLE = ("passcode", "card", "fingerprint", "face", "ekey")
"""The cloud's credential lists of a lock ("passcode" holds custom and offline codes)."""


async def async_cloud_credentials(
    manager: AccessManager, lock_id: int, families: list[str]
) -> list[Found]:
    """What the cloud lists for a lock, for these families."""
    cloud = manager.coordinator.client
    if cloud is None:
        raise AccessError("needs_account")
    found: list[Found] = []
    for family in families:  # a TTLockError is the caller's to translate
        found.extend(await CLOUD_LISTS[family](cloud, lock_id))
    return found


def _managed_ids(manager: AccessManager, lock_id: int) -> set[tuple[str, int]]:
    return {
        (credential.kind.value, placement.ttlock_id)
        for credential, placement in manager.credentials_on(lock_id)
        if placement.ttlock_id is not None and placement.state is not PlacementState.REMOVED
    }


def _family_kinds(family: str) -> tuple[CredentialKind, ...]:
    if family == "passcode":
        return (CredentialKind.PASSCODE, CredentialKind.OFFLINE_PASSCODE)
    return (CredentialKind(family),)


async def async_unmanaged(
    manager: AccessManager, lock_id: int, families: list[str], *, secrets: bool
) -> list[dict[str, Any]]:
    """Credentials on the lock / in the cloud that this integration does not manage."""
    managed = _managed_ids(manager, lock_id)
    return [
        found.listing(secrets=secrets)
        for found in await async_cloud_credentials(manager, lock_id, families)
        if (found.kind.value, found.ttlock_id) not in managed
    ]


async def async_adopt(
    manager: AccessManager,
    lock_id: int,
    family: str,
    ttlock_id: int,
    *,
    name: str | None,
    holder: Holder | None,
) -> Credential:
    """Manage a credential made elsewhere (listed by ``list_credentials`` as unmanaged)."""
    kinds = _family_kinds(family)
    for credential, placement in manager.credentials_on(lock_id):
        if (
            credential.kind in kinds
            and placement.ttlock_id == ttlock_id
            and placement.state is not PlacementState.REMOVED
        ):
            raise AccessError("already_managed", name=credential.name)
    found = next(
        (
            f
            for f in await async_cloud_credentials(manager, lock_id, [family])
            if f.ttlock_id == ttlock_id
        ),
        None,
    )
    if found is None:
        raise AccessError("credential_not_found", kind=family, id=str(ttlock_id))
    return await _adopt_found(manager, lock_id, found, name=name, holder=holder)


async def _adopt_found(
    manager: AccessManager, lock_id: int, found: Found, *, name: str | None, holder: Holder | None
) -> Credential:
    assert found.ttlock_id is not None
    credential = found.to_credential()
    if name:
        credential.name = name
    credential.holder_id = holder.holder_id if holder else None
    return await manager.async_adopt(
        credential,
        lock_id,
        found.ttlock_id,
        lock_secret=found.lock_secret,
        name=found.name or credential.name,
    )


async def async_cleanup_expired_passcodes(
    manager: AccessManager, lock_id: int, *, include_unmanaged: bool, now_ms: int
) -> dict[str, list[str]]:
    """Take expired passcodes off a lock: the model's own (already queued for removal; run
    now) and, when asked, the ones made elsewhere — adopted, then revoked like any other, so
    that their removal is persisted and retried until the lock confirms (rule 4)."""
    passcodes = _family_kinds("passcode")
    expired = {
        credential.credential_id: credential.name
        for credential, placement in manager.credentials_on(lock_id)
        if credential.kind in passcodes
        and credential.status is CredentialStatus.EXPIRED
        and placement.state is not PlacementState.REMOVED
    }
    for op in manager.state.queue.values():
        if op.lock_id == lock_id and op.credential_id in expired and not op.blocked:
            op.next_attempt_at = None  # asked for now: no waiting out the backoff
    managed = sorted(expired.values())
    unmanaged: list[str] = []
    if include_unmanaged:
        known = _managed_ids(manager, lock_id)
        for found in await async_cloud_credentials(manager, lock_id, ["passcode"]):
            # a permanent code has no end; a code TTLock lists with an end in the past is over
            if (
                found.ttlock_id is None
                or (found.kind.value, found.ttlock_id) in known
                or not found.end_ms
                or found.end_ms >= now_ms
            ):
                continue
            credential = await _adopt_found(manager, lock_id, found, name=None, holder=None)
            await manager.async_revoke(credential)
            unmanaged.append(credential.name)
    if managed:
        await manager.async_run_queue()
    return {"managed": managed, "unmanaged": sorted(unmanaged)}
