"""The access manager of one config entry: the Store, the model's changes and their queue.

Every change to a credential is written to disk, then reconciled: each placement that is not
where it should be (not yet on its lock, or not yet gone from it) has one queued operation,
which :mod:`.queue` runs over the best path until the lock confirms. A revocation can only
end when the lock (or the cloud, for cloud-only credentials) confirms the credential is
gone, or a list shows it absent (docs/access-model.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import CONF_PASSCODE_LIMIT, DOMAIN, ISSUE_REVOCATIONS_OVERDUE
from .ledger import PasscodeLedger
from .model import (
    AccessState,
    Credential,
    CredentialKind,
    CredentialStatus,
    Holder,
    HolderKind,
    OpAction,
    Operation,
    Placement,
    Presence,
    new_id,
)
from .queue import QueueRunner, need, settle

if TYPE_CHECKING:
    from ..coordinator import TTLockCoordinator

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
OVERDUE_REVOCATION = timedelta(hours=1)
"""A revocation still pending after this long raises a repair issue."""
ISSUE_BLOCKED = "access_blocked"
"""Repair issue per lock whose changes wait for a person (``access_blocked_<entry>_<lock>``)."""


def storage_key(entry_id: str) -> str:
    """The Store of an entry's access model."""
    return f"{DOMAIN}.{entry_id}.access"


class AccessManager:
    """Holders, credentials and the operation queue of one config entry."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry[Any], coordinator: TTLockCoordinator
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.coordinator = coordinator
        self.state = AccessState()
        self.ledger = PasscodeLedger(
            self.state.ledger, lambda: int(entry.options.get(CONF_PASSCODE_LIMIT, 0) or 0)
        )
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id), private=True
        )
        self._listeners: list[Callable[[], None]] = []
        self._blocked_issues: set[str] = set()
        self.runner = QueueRunner(self)

    # ------------------------------------------------------------------ lifecycle
    async def async_load(self) -> None:
        """Read the persisted model and queue (placements of older stores are re-derived)."""
        self.state = AccessState.from_json(await self._store.async_load())
        self.ledger = PasscodeLedger(
            self.state.ledger,
            lambda: int(self.entry.options.get(CONF_PASSCODE_LIMIT, 0) or 0),
        )
        for credential in self.state.credentials.values():
            for lock_id in credential.placements:
                self.want(credential, lock_id)

    async def async_save(self) -> None:
        """Write now: every change is on disk before it is attempted on a lock."""
        await self._store.async_save(self.state.to_json())

    @callback
    def async_start(self) -> None:
        """Resume the queue and follow the locks' reachability; repair issues of an earlier
        run are checked again."""
        prefix = f"{ISSUE_BLOCKED}_{self.entry.entry_id}_"
        self._blocked_issues = {
            issue_id
            for domain, issue_id in ir.async_get(self.hass).issues
            if domain == DOMAIN and issue_id.startswith(prefix)
        }
        self.runner.async_start()

    @callback
    def async_stop(self) -> None:
        """Stop timers and listeners (the queue stays on disk)."""
        self.runner.async_stop()

    async def async_remove(self) -> None:
        """Forget everything (entry removed)."""
        await self._store.async_remove()

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` when holders, credentials or the queue change."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_notify(self) -> None:
        """Tell the listeners (sensors, repair issues) that something changed."""
        for listener in list(self._listeners):
            listener()
        self._update_issues()

    # ------------------------------------------------------------------ queries
    def pending(self, lock_id: int | None = None) -> int:
        """Operations waiting in the queue (for one lock)."""
        return sum(lock_id in (None, op.lock_id) for op in self.state.queue.values())

    def pending_revocations(self, lock_id: int | None = None) -> int:
        """Removals waiting in the queue (for one lock)."""
        return sum(
            op.action is OpAction.REMOVE and lock_id in (None, op.lock_id)
            for op in self.state.queue.values()
        )

    def overdue_revocations(self, now: datetime | None = None) -> list[Operation]:
        """Revocations pending for longer than an hour."""
        now = now or dt_util.utcnow()
        return [
            op
            for op in self.state.queue.values()
            if op.action is OpAction.REMOVE
            and now - op.created_at > OVERDUE_REVOCATION
            and (credential := self.state.credentials.get(op.credential_id)) is not None
            and credential.status is CredentialStatus.REVOKED
        ]

    def lock_name(self, lock_id: int) -> str:
        """A lock's name (its id when it left the account)."""
        rt = self.coordinator.data.locks.get(lock_id)
        return rt.lock.name if rt else str(lock_id)

    def holder(self, ref: str) -> Holder | None:
        """A holder by id, or by name (case-insensitive)."""
        if ref in self.state.holders:
            return self.state.holders[ref]
        wanted = ref.strip().casefold()
        for holder in self.state.holders.values():
            if not holder.removed and holder.name.casefold() == wanted:
                return holder
        return None

    def credential(self, credential_id: str) -> Credential | None:
        """A credential by id."""
        return self.state.credentials.get(credential_id)

    def credentials_of(self, holder_id: str) -> list[Credential]:
        """Every credential a holder has, live or not."""
        return [c for c in self.state.credentials.values() if c.holder_id == holder_id]

    def credentials_on(self, lock_id: int) -> list[tuple[Credential, Placement]]:
        """Every credential with a placement on a lock."""
        return [
            (credential, placement)
            for credential in self.state.credentials.values()
            if (placement := credential.placements.get(lock_id)) is not None
        ]

    # ------------------------------------------------------------------ reconciliation
    def want(self, credential: Credential, lock_id: int) -> Operation | None:
        """Derive a placement's state and keep exactly one queued operation while it is not
        where it should be (a changed action is due at once)."""
        placement = credential.placements[lock_id]
        known = lock_id in self.coordinator.data.locks
        settle(credential, placement, known)
        action = need(credential, placement, known)
        op = self.state.op_for(credential.credential_id, lock_id)
        if action is None:
            if op is not None:
                del self.state.queue[op.op_id]
            return None
        if op is None:
            op = Operation(new_id(), action, credential.credential_id, lock_id)
            self.state.queue[op.op_id] = op
        elif op.action is not action:
            op.action = action
            op.created_at = dt_util.utcnow()
            op.attempts = 0
            op.next_attempt_at = None
            op.blocked = None
        return op

    def want_all(self, credential: Credential) -> None:
        """``want`` on every lock of a credential (its status may have changed)."""
        credential.refresh_status()
        for lock_id in credential.placements:
            self.want(credential, lock_id)
        credential.refresh_status()

    async def async_run_queue(self) -> None:
        """Attempt every due operation once (revocations first)."""
        await self.runner.async_run()

    # ------------------------------------------------------------------ changes
    async def async_add_holder(
        self,
        name: str,
        kind: HolderKind,
        *,
        person: str | None = None,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
    ) -> Holder:
        """Create a holder (names are unique among live holders)."""
        holder = Holder(new_id(), name, kind, person, starts_at, ends_at)
        self.state.holders[holder.holder_id] = holder
        await self.async_save()
        self.async_notify()
        return holder

    def unique_name(self, name: str, lock_id: int, *, taken: set[str] | None = None) -> str:
        """A TTLock name for a new credential on a lock: the name, or the name and a number
        when it is in use there (TTLock refuses two passcodes of one name on a lock)."""
        used = self.state.live_names(lock_id) | (taken or set())
        candidate, number = name, 1
        while candidate.casefold() in used:
            number += 1
            candidate = f"{name} ({number})"
        return candidate

    async def async_issue(self, credential: Credential, lock_ids: list[int]) -> Credential:
        """Persist a new credential and queue it onto every lock, then try at once."""
        now = dt_util.utcnow()
        for lock_id in lock_ids:
            credential.placements[lock_id] = Placement(
                lock_id=lock_id, name=self.unique_name(credential.name, lock_id)
            )
            if credential.kind in (CredentialKind.PASSCODE, CredentialKind.OFFLINE_PASSCODE):
                self.ledger.count(lock_id, credential.variant, now)
        self.state.credentials[credential.credential_id] = credential
        self.want_all(credential)
        await self.async_save()
        await self.async_run_queue()
        return credential

    async def async_adopt(
        self,
        credential: Credential,
        lock_id: int,
        ttlock_id: int | None,
        *,
        lock_secret: str | None = None,
        name: str | None = None,
    ) -> Credential:
        """Take over a credential that is already on a lock (made in the TTLock app, or by
        another tool): nothing is written to the lock; from now on it is managed here —
        revoked with its holder, removed when it expires, shown by ``list_credentials``."""
        credential.origin = "adopted"
        credential.placements[lock_id] = Placement(
            lock_id=lock_id,
            presence=Presence.PRESENT,
            ttlock_id=ttlock_id,
            secret=lock_secret,
            name=name or credential.name,
            path="cloud",
        )
        self.state.credentials[credential.credential_id] = credential
        self.want_all(credential)
        await self.async_save()
        self.async_notify()
        return credential

    async def async_revoke(self, credential: Credential) -> Credential:
        """Take a credential off every lock; persisted first, retried until confirmed."""
        credential.status = CredentialStatus.REVOKED
        self.want_all(credential)
        await self.async_save()
        await self.async_run_queue()
        return credential

    async def async_update_validity(
        self,
        credential: Credential,
        starts_at: datetime | None,
        ends_at: datetime | None,
        *,
        cyclic: list[dict[str, Any]] | None = None,
    ) -> Credential:
        """Change a credential's window (and weekly schedule) on every lock where it is, or
        will be. The same validity again changes nothing; a refused change never changes
        whether the credential will be removed."""
        before = (credential.window, credential.cyclic)
        credential.starts_at, credential.ends_at = starts_at, ends_at
        if cyclic is not None:
            credential.cyclic = cyclic
        if (credential.window, credential.cyclic) == before:
            return credential
        if credential.status is CredentialStatus.EXPIRED:
            credential.status = CredentialStatus.PENDING
        for placement in credential.placements.values():
            placement.window_synced = False
            placement.error = None
        self.want_all(credential)
        await self.async_save()
        await self.async_run_queue()
        return credential

    async def async_recheck(self, lock_id: int, kinds: tuple[str, ...], ttlock_id: int) -> bool:
        """The cloud says a change of this credential failed on the lock (a callback): look
        at the lock again before trusting either side. Nothing queued is dropped."""
        for credential, placement in self.credentials_on(lock_id):
            if credential.kind.value in kinds and placement.ttlock_id == ttlock_id:
                placement.presence = Presence.UNSURE
                placement.unsure_via = None
                placement.error = "the lock reported a failure: checking the lock again"
                self.want_all(credential)
                await self.async_save()
                self.async_notify()
                self.runner.async_schedule(0)
                return True
        return False

    async def async_record_use(self, credential_id: str, when: datetime) -> int | None:
        """Count one use of a credential (a lock record named it); returns the new count.

        Saved with a short delay: a burst of records costs one write.
        """
        credential = self.state.credentials.get(credential_id)
        if credential is None:
            return None
        credential.uses += 1
        if credential.last_used_at is None or when > credential.last_used_at:
            credential.last_used_at = when
        self._store.async_delay_save(self.state.to_json, 10)
        return credential.uses

    async def async_forget_lock(self, lock_id: int) -> int:
        """An administrator confirms a lock that left the account needs nothing more (it was
        reset or is gone): its waiting changes are dropped. Returns how many."""
        dropped = 0
        for credential, placement in self.credentials_on(lock_id):
            op = self.state.op_for(credential.credential_id, lock_id)
            if op is None:
                continue
            del self.state.queue[op.op_id]
            placement.presence = Presence.ABSENT
            placement.error = "given up by an administrator: the lock left the account"
            self.want_all(credential)
            dropped += 1
        await self.async_save()
        self.async_notify()
        return dropped

    # ------------------------------------------------------------------ repair issues
    def _update_issues(self) -> None:
        entry_id = self.entry.entry_id
        overdue_id = f"{ISSUE_REVOCATIONS_OVERDUE}_{entry_id}"
        overdue = self.overdue_revocations()
        if overdue:
            names = sorted({self.lock_name(op.lock_id) for op in overdue})
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                overdue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key=ISSUE_REVOCATIONS_OVERDUE,
                translation_placeholders={"count": str(len(overdue)), "locks": ", ".join(names)},
            )
        else:
            ir.async_delete_issue(self.hass, DOMAIN, overdue_id)
        blocked: dict[int, tuple[str, int]] = {}
        for op in self.state.queue.values():
            if op.blocked:
                blocker, count = blocked.get(op.lock_id, (op.blocked, 0))
                blocked[op.lock_id] = (blocker, count + 1)
        current = set()
        for lock_id, (blocker, count) in blocked.items():
            issue_id = f"{ISSUE_BLOCKED}_{entry_id}_{lock_id}"
            current.add(issue_id)
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=blocker == "lock_not_found",
                severity=ir.IssueSeverity.ERROR,
                translation_key=f"access_{blocker}",
                translation_placeholders={"lock": self.lock_name(lock_id), "count": str(count)},
                data={
                    "entry_id": entry_id,
                    "lock_id": lock_id,
                    "lock": self.lock_name(lock_id),
                    "count": count,
                },
            )
        for issue_id in self._blocked_issues - current:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        self._blocked_issues = current

    @callback
    def async_clear_issues(self) -> None:
        """Delete every repair issue of this entry's access model (entry removed)."""
        ir.async_delete_issue(
            self.hass, DOMAIN, f"{ISSUE_REVOCATIONS_OVERDUE}_{self.entry.entry_id}"
        )
        for issue_id in self._blocked_issues:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        self._blocked_issues.clear()
