"""The access manager of one config entry: the book, its queue runner, and every change.

Every change to a credential is written to disk, then reconciled: each placement that is not
where it should be (not yet on its lock, or not yet gone from it) has one queued operation,
which :mod:`.queue` runs over the best path until the lock confirms. A revocation can only
end when the lock (or the cloud, for cloud-only credentials) confirms the credential is
gone, or a list shows it absent (docs/access-model.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from .book import AccessBook
from .model import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Holder,
    HolderKind,
    Placement,
    Presence,
    new_id,
)
from .queue import QueueRunner
from .verify import VerifyReport

if TYPE_CHECKING:
    from ..coordinator import TTLockCoordinator

PURGE_EVERY = timedelta(days=1)
"""How often revoked and expired credentials past their retention are purged."""


class AccessManager(AccessBook):
    """The access model of one config entry: changes, and the runner that carries them out."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry[Any], coordinator: TTLockCoordinator
    ) -> None:
        super().__init__(hass, entry, coordinator)
        self.runner = QueueRunner(self)
        self._purge_unsub: CALLBACK_TYPE | None = None

    @callback
    def async_start(self) -> None:
        """Resume the queue and follow the locks' reachability; repair issues of an earlier
        run are checked again; old revoked and expired credentials are purged now and daily."""
        self.async_resume_issues()
        self.runner.async_start()
        self._purge_unsub = async_track_time_interval(self.hass, self._purge_tick, PURGE_EVERY)
        self._purge_tick(dt_util.utcnow())

    @callback
    def async_stop(self) -> None:
        """Stop timers and listeners (the queue stays on disk)."""
        self.runner.async_stop()
        if self._purge_unsub is not None:
            self._purge_unsub()
            self._purge_unsub = None

    @callback
    def _purge_tick(self, _now: datetime) -> None:
        self.entry.async_create_background_task(
            self.hass, self.async_purge(), f"{DOMAIN} access purge"
        )

    async def async_purge(self) -> int:
        """Drop revoked and expired credentials whose retention has passed (model.RETENTION
        after their removal was confirmed or their end passed); returns how many credentials
        and holders were dropped. Never while the queue runs."""
        async with self.runner.lock:
            dropped = self.state.purge(dt_util.utcnow())
            if dropped:
                await self.async_save()
        if dropped:
            self.async_notify()
        return dropped

    async def async_run_queue(self) -> None:
        """Attempt every due operation once (revocations first)."""
        await self.runner.async_run()

    async def async_verify(self, lock_id: int) -> VerifyReport:
        """Compare a lock with the model, repair the differences, and run the queue."""
        return await self.runner.async_verify(lock_id)

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
        self.async_notify()  # shown as "setting" while the first attempt runs
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
        self.async_notify()  # shown as "removing" while the first attempt runs
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

    async def async_recheck(
        self, lock_id: int, kinds: tuple[str, ...], ttlock_id: int, errcode: int | None = None
    ) -> bool:
        """The cloud says a change of this credential failed on the lock (a callback): look
        at the lock again before trusting either side. Nothing queued is dropped. An add
        that the list then shows absent was refused (``failed``, not written again); one
        that is listed stays as it is."""
        for credential, placement in self.credentials_on(lock_id):
            if credential.kind.value in kinds and placement.ttlock_id == ttlock_id:
                reason = "the lock refused it"
                if errcode is not None:
                    reason += f" (TTLock error {errcode})"
                if not credential.removal_wanted:
                    placement.refused = reason  # settled by the look: listed clears it
                placement.presence = Presence.UNSURE
                placement.unsure_via = None
                placement.error = f"{reason}: checking the lock again"
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
