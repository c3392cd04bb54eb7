"""The access book of one config entry: the Store, the model, what each placement still needs
(``want``), the listeners and the repair issues. The manager (``manager.py``) adds the queue
runner and the changes; the runner and drift detection work on the book alone.

Every change to a credential is written to disk, then reconciled: each placement that is not
where it should be (not yet on its lock, or not yet gone from it) has one queued operation,
which :mod:`.queue` runs over the best path until the lock confirms. A revocation can only
end when the lock (or the cloud, for cloud-only credentials) confirms the credential is
gone, or a list shows it absent (docs/access-model.md).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_PASSCODE_LIMIT,
    DOMAIN,
    EVENT_ACCESS,
    ISSUE_REVOCATIONS_OVERDUE,
    SIGNAL_ACCESS_CHANGED,
)
from ..models import find_lock_entity_id
from .ledger import PasscodeLedger
from .model import (
    AccessState,
    Credential,
    CredentialKind,
    CredentialStatus,
    Holder,
    OpAction,
    Operation,
    Placement,
    PlacementState,
    new_id,
)
from .reconcile import need, settle

if TYPE_CHECKING:
    from ..coordinator import TTLockCoordinator

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
OVERDUE_REVOCATION = timedelta(hours=1)
"""A revocation still pending after this long raises a repair issue."""
SETTLED_ACTIONS = {
    PlacementState.SET: "placed",
    PlacementState.REMOVED: "removed",
    PlacementState.FAILED: "refused",
}
"""A placement that reached one of these states becomes an access event (the logbook line
"Front Door no longer holds passcode 'Anna'"): the action named in its data."""
ISSUE_BLOCKED = "access_blocked"
"""Repair issue per lock whose changes wait for a person (``access_blocked_<entry>_<lock>``)."""


_PER_LOCK_SECRET = frozenset({CredentialKind.OFFLINE_PASSCODE, CredentialKind.FINGERPRINT})
"""Kinds whose digits differ per lock (kept on the placement)."""


def _number(text: str) -> str:
    """Card and fingerprint numbers compare as integers (leading zeros, spacing)."""
    text = text.strip()
    return str(int(text)) if text.isdigit() else text


def storage_key(entry_id: str) -> str:
    """The Store of an entry's access model."""
    return f"{DOMAIN}.{entry_id}.access"


class AccessBook:
    """Holders, credentials and the operation queue of one config entry, on disk."""

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
        self._settled: list[tuple[str, int]] = []
        """Placements (credential id, lock id) that reached a state of
        :data:`SETTLED_ACTIONS` since the last :meth:`async_notify`."""

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
        self._settled.clear()  # what was settled before is no news

    async def async_save(self) -> None:
        """Write now: every change is on disk before it is attempted on a lock."""
        await self._store.async_save(self.state.to_json())

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` when holders, credentials or the queue change."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_notify(self) -> None:
        """Tell the listeners (sensors, repair issues, the Access panel) that something
        changed."""
        for listener in list(self._listeners):
            listener()
        self._update_issues()
        self._fire_settled()
        async_dispatcher_send(self.hass, SIGNAL_ACCESS_CHANGED, self.entry.entry_id)

    def _fire_settled(self) -> None:
        """One ``ttlock_access_access`` event per placement that reached a settled state: a
        lock now holds a credential, no longer holds it, or refused it (no digits)."""
        settled, self._settled = self._settled, []
        for credential_id, lock_id in dict.fromkeys(settled):
            credential = self.state.credentials.get(credential_id)
            placement = credential.placements.get(lock_id) if credential else None
            if credential is None or placement is None:
                continue
            action = SETTLED_ACTIONS.get(placement.state)
            if action is None:
                continue  # moved on again before the listeners heard of it
            holder = self.state.holders.get(credential.holder_id or "")
            self.hass.bus.async_fire(
                EVENT_ACCESS,
                {
                    "action": action,
                    "credential_id": credential_id,
                    "kind": credential.kind.value,
                    "name": credential.name,
                    "holder": holder.name if holder else None,
                    "lock_id": lock_id,
                    "lock_name": self.lock_name(lock_id),
                    "entity_id": find_lock_entity_id(self.hass, lock_id),
                    "reason": (placement.refused or placement.error)
                    if action == "refused"
                    else None,
                },
            )

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

    def credential_used(
        self, lock_id: int, kinds: tuple[str, ...], *, secret: str, username: str, opened: bool
    ) -> Credential | None:
        """The managed credential a lock record names: by code (a keypad accepts extra digits
        around a code that opened it), card or fingerprint number, else by eKey receiver or
        the name TTLock knows it by. Secrets are compared, never copied."""
        candidates = [
            c
            for c in self.state.credentials.values()
            if c.kind.value in kinds and lock_id in c.placements
        ]
        secret = secret.strip()
        for credential in candidates if secret else ():
            kind, placement = credential.kind, credential.placements[lock_id]
            own = placement.secret if kind in _PER_LOCK_SECRET else credential.secret
            if not own:
                continue
            if kind in (CredentialKind.PASSCODE, CredentialKind.OFFLINE_PASSCODE):
                if own == secret or (opened and own in secret):
                    return credential
            elif _number(own) == _number(secret):
                return credential
        wanted = username.strip().casefold()
        for credential in candidates if wanted else ():
            if credential.kind is CredentialKind.EKEY:
                if str(credential.extra.get("receiver") or "").casefold() == wanted:
                    return credential
            elif wanted in (
                credential.name.casefold(),
                (credential.placements[lock_id].name or "").casefold(),
            ):
                return credential
        return None

    # ------------------------------------------------------------------ reconciliation
    def want(self, credential: Credential, lock_id: int) -> Operation | None:
        """Derive a placement's state and keep exactly one queued operation while it is not
        where it should be (a changed action is due at once)."""
        placement = credential.placements[lock_id]
        known = lock_id in self.coordinator.data.locks
        before = placement.state
        settle(credential, placement, known)
        if placement.state is not before and placement.state in SETTLED_ACTIONS:
            self._settled.append((credential.credential_id, lock_id))
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

    def unique_name(self, name: str, lock_id: int, *, refused: str | None = None) -> str:
        """A TTLock name for a new credential on a lock: the name, or the name and a number
        when it is in use there (TTLock refuses two passcodes of one name on a lock). After
        ``refused`` (a name the lock's list already holds), the numbering goes on past it:
        names tried before in the same run may be taken as well."""
        used = self.state.live_names(lock_id)
        number = 1
        if refused is not None:
            used.add(refused.casefold())
            numbered = re.fullmatch(rf"{re.escape(name)} \((\d+)\)", refused, re.IGNORECASE)
            number = int(numbered[1]) if numbered else 1
        candidate = name if number == 1 else f"{name} ({number})"
        while candidate.casefold() in used:
            number += 1
            candidate = f"{name} ({number})"
        return candidate

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
    def async_resume_issues(self) -> None:
        """Repair issues of an earlier run are checked again at the next notification."""
        prefix = f"{ISSUE_BLOCKED}_{self.entry.entry_id}_"
        self._blocked_issues = {
            issue_id
            for domain, issue_id in ir.async_get(self.hass).issues
            if domain == DOMAIN and issue_id.startswith(prefix)
        }
