"""The queue runner: brings every placement where it should be, over the best path.

Each attempt knows what it may conclude (docs/access-model.md):

* before an add or a removal is sent, the placement is marked *unsure* (and saved): a
  restart or a lost reply in the middle leaves it to be looked up, never assumed;
* a placement that is unsure is looked up first (the lock's list over Bluetooth, else the
  cloud's), so a lost reply is neither added twice nor taken for "never reached";
* success, or the lock saying it holds no such credential, ends a removal; any other
  outcome keeps it queued with backoff and a visible reason, and refusals that need a person
  (lock frozen, keys refused, …) raise a repair issue naming the lock;
* a refused add is looked up before it is called failed (a duplicate may be our own lost
  reply); a refused validity change leaves the credential where it is, still removable.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_call_later, async_track_time_interval
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..errors import Classified, Failure, async_reauth_needed, classify
from ..paths import NoPathError, PathError
from ..sdk.ble import TTLockBleError
from ..sdk.cloud.errors import PasscodeExistsError, TTLockApiError, TTLockError
from .errors import AccessError
from .executors import SPECS, Outcome, Spec
from .job import Job
from .lists import Found, Listings, Sighting
from .model import (
    Credential,
    CredentialKind,
    CredentialStatus,
    OpAction,
    Operation,
    Placement,
    PlacementState,
    Presence,
    backoff,
    to_ms,
)
from .reconcile import need
from .verify import VerifyReport, async_compare_lock, next_lock_to_verify

if TYPE_CHECKING:
    from .book import AccessBook

_LOGGER = logging.getLogger(__name__)

VERIFY_TICK = timedelta(hours=1)
"""How often a lock due for drift detection is looked for (one lock per tick)."""
PASSES = 3
"""Attempts of one operation within one run of the queue, at most."""
WINDOW_SLACK_MS = 60_000
"""Validity ends closer than a minute are the same (locks keep minutes)."""
NAME_TAKEN = -1016
"""TTLock's "an identical name exists" (a passcode of that name is already on the lock)."""


def _holds_our_window(job: Job, found: Found) -> bool:
    """Whether a credential found on the lock needs nothing more: the cloud lists our
    validity for it (a code found over Bluetooth is rewritten, which also records it)."""
    credential = job.credential
    if credential.kind is CredentialKind.OFFLINE_PASSCODE:
        return True
    if found.ttlock_id is None:  # the lock's own list: no dates; is it in the cloud's books?
        return job.placement.ttlock_id is not None or not job.keeps_books
    ends = to_ms(credential.window[1]) or 0
    return abs((found.end_ms or 0) - ends) < WINDOW_SLACK_MS


class QueueRunner:
    """Runs the queue of one access manager; wakes up when it is due or a lock is reached."""

    def __init__(self, manager: AccessBook) -> None:
        self.manager = manager
        self.lock = asyncio.Lock()
        """Held while the queue runs or a lock is verified (one at a time)."""
        self._timer: CALLBACK_TYPE | None = None
        self._unsubs: list[CALLBACK_TYPE] = []
        self._last_paths: dict[int, tuple[str, ...]] = {}

    # ------------------------------------------------------------------ scheduling
    @callback
    def async_start(self) -> None:
        """Resume the queue and follow the locks' reachability."""
        manager = self.manager
        self._unsubs.append(manager.coordinator.async_add_listener(self._on_coordinator_update))
        self._unsubs.append(async_track_time_interval(manager.hass, self._verify_tick, VERIFY_TICK))
        self.async_schedule(0)

    @callback
    def async_stop(self) -> None:
        """Stop timers and listeners (the queue stays on disk)."""
        if self._timer is not None:
            self._timer()
            self._timer = None
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    @callback
    def async_schedule(self, delay: float) -> None:
        """Run the queue in ``delay`` seconds (0: as soon as the loop is free)."""
        if self._timer is not None:
            self._timer()
            self._timer = None
        manager = self.manager

        @callback
        def _fire(_now: datetime | None = None) -> None:
            self._timer = None
            manager.entry.async_create_background_task(
                manager.hass, self.async_run(), f"{DOMAIN} access queue"
            )

        if delay <= 0:
            _fire()
        else:
            self._timer = async_call_later(manager.hass, delay, _fire)

    @callback
    def _verify_tick(self, _now: datetime) -> None:
        """Drift detection by itself: the lock checked longest ago, if one is due."""
        manager = self.manager
        lock_id = next_lock_to_verify(manager, dt_util.utcnow())
        if lock_id is not None:
            manager.entry.async_create_background_task(
                manager.hass, self._verify(lock_id), f"{DOMAIN} verify access"
            )

    async def _verify(self, lock_id: int) -> None:
        try:
            await self.async_verify(lock_id)
        except (AccessError, TTLockError, TTLockBleError) as err:
            _LOGGER.debug("Verifying the access of lock %s failed: %s", lock_id, err)

    async def async_verify(self, lock_id: int) -> VerifyReport:
        """Compare a lock with the model (never while the queue runs), then run the queue
        for what the comparison found."""
        async with self.lock:
            report = await async_compare_lock(self.manager, lock_id)
        await self.async_run()
        return report

    @callback
    def _on_coordinator_update(self) -> None:
        """A lock became reachable (gateway back, lock in range): its changes are due now."""
        manager = self.manager
        state, coordinator = manager.state, manager.coordinator
        for credential in state.credentials.values():
            for lock_id, placement in credential.placements.items():
                if placement.state is PlacementState.UNKNOWN and lock_id in coordinator.data.locks:
                    manager.want(credential, lock_id)  # the lock is back on the account
        if not state.queue:
            return
        changed: set[int] = set()
        for lock_id in {op.lock_id for op in state.queue.values()}:
            rt = coordinator.data.locks.get(lock_id)
            paths = tuple(p.value for p in coordinator.paths(rt)) if rt else ()
            before, self._last_paths[lock_id] = self._last_paths.get(lock_id), paths
            if before is not None and before != paths:
                changed.add(lock_id)
        if changed:
            for op in state.queue.values():
                if op.lock_id in changed:
                    op.next_attempt_at = None
            self.async_schedule(0)

    # ------------------------------------------------------------------ the run
    async def async_run(self) -> None:
        """Attempt every due operation once (revocations first), then re-arm the timer."""
        manager = self.manager
        state = manager.state
        async with self.lock:
            listings = Listings()
            tried: dict[str, int] = {}
            # An attempt may make its operation due again at once (renamed, or its action
            # changed meanwhile): a few passes, each operation at most PASSES times a run.
            for _ in range(PASSES):
                due = [
                    op for op in state.next_ops(dt_util.utcnow()) if tried.get(op.op_id, 0) < PASSES
                ]
                if not due:
                    break
                for op in due:
                    if state.queue.get(op.op_id) is op:
                        tried[op.op_id] = tried.get(op.op_id, 0) + 1
                        await self._attempt(op, listings)
            self._expire(dt_util.utcnow())
            for credential in state.credentials.values():
                credential.forget_secrets()  # removal confirmed: no digits at rest
            await manager.async_save()
            now = dt_util.utcnow()
            upcoming = [o.next_attempt_at or now for o in state.queue.values()]
            upcoming += [
                c.ends_at
                for c in state.credentials.values()
                if c.ends_at
                and c.ends_at > now
                and c.status in (CredentialStatus.ACTIVE, CredentialStatus.PENDING)
            ]
            if upcoming:
                self.async_schedule(max(1.0, (min(upcoming) - now).total_seconds()))
        manager.async_notify()

    def _expire(self, now: datetime) -> None:
        """Credentials past their end become expired; custom codes and cards then leave
        the lock's memory (a lock holds at most 250 custom codes)."""
        for credential in self.manager.state.credentials.values():
            if credential.status in (CredentialStatus.REVOKED, CredentialStatus.EXPIRED):
                continue
            if credential.ends_at is None or credential.ends_at > now:
                continue
            self.manager.want_all(credential)

    async def _attempt(self, op: Operation, listings: Listings) -> None:
        manager = self.manager
        credential = manager.state.credentials.get(op.credential_id)
        placement = credential.placements.get(op.lock_id) if credential else None
        if credential is None or placement is None:
            del manager.state.queue[op.op_id]
            return
        action = need(credential, placement)
        rt = manager.coordinator.data.locks.get(op.lock_id)
        if action is not None and rt is None:
            if action is OpAction.ADD and placement.presence is Presence.ABSENT:
                placement.error = "the lock is no longer on the account"
                del manager.state.queue[op.op_id]
            else:
                self._postpone(
                    op,
                    placement,
                    Classified(
                        Failure.BLOCKED, "the lock is no longer on the account", "lock_not_found"
                    ),
                )
            self._settle(credential, op.lock_id)
            return
        if action is None or rt is None:
            self._settle(credential, op.lock_id)
            return
        op.attempts += 1
        placement.error = None
        spec = SPECS[credential.kind]
        job = Job(
            credential=credential,
            placement=placement,
            rt=rt,
            ble=manager.coordinator.ble,
            cloud=manager.coordinator.client,
            paths=manager.coordinator.paths(rt),
            listings=listings,
        )
        try:
            if placement.presence is Presence.UNSURE:
                # never act blindly on a lost reply: no list read, no new attempt
                if await self._look(spec, job) is None:
                    self._postpone(
                        op,
                        placement,
                        Classified(Failure.WAIT, "waiting to look at the lock again"),
                    )
                    return
                action = need(credential, placement)
                if action is None:
                    return
            op.action = action
            await self._run(spec, job, op, action)
        finally:
            self._settle(credential, op.lock_id)

    async def _look(self, spec: Spec, job: Job) -> Sighting | None:
        """Look the placement up; learn what a list can tell (None: it could not be read)."""
        try:
            sighting = await spec.find(job)
        except (NoPathError, TTLockError, TTLockBleError) as err:
            _LOGGER.debug("Looking up a credential on %s failed: %s", job.rt.lock.name, err)
            return None
        placement = job.placement
        if sighting.found is not None:
            if placement.presence is Presence.UNSURE:  # our own lost reply, most likely
                placement.window_synced = _holds_our_window(job, sighting.found)
            placement.presence = Presence.PRESENT
            placement.unsure_via = None
            placement.refused = None  # on the lock: whatever was refused, this is not
        elif sighting.conclusive:
            placement.presence = Presence.ABSENT
            placement.unsure_via = None
            if placement.refused is not None:  # a refusal the lock reported: confirmed
                placement.error = placement.refused
        return sighting

    async def _run(self, spec: Spec, job: Job, op: Operation, action: OpAction) -> None:
        placement = job.placement
        before = (placement.presence, placement.unsure_via)
        if action is not OpAction.UPDATE:
            # persisted before it is sent: a restart in the middle looks before acting again
            placement.presence = Presence.UNSURE
            placement.unsure_via = job.paths[0].value if job.paths else None
            await self.manager.async_save()
        try:
            outcome, path = await spec.run(job, action)
        except NoPathError as err:
            placement.presence, placement.unsure_via = before
            reason = str(err) or f"{job.rt.lock.name} is not reachable (no Bluetooth, no gateway)"
            self._postpone(op, placement, Classified(Failure.WAIT, reason))
        except PathError as failure:
            await self._failed(spec, job, op, action, failure, before)
        else:
            self._succeeded(job, action, outcome, path)

    def _succeeded(self, job: Job, action: OpAction, outcome: Outcome, path: str) -> None:
        placement = job.placement
        placement.path = path
        placement.unsure_via = None
        if action is OpAction.REMOVE:
            placement.presence = Presence.ABSENT
            return
        placement.presence = Presence.PRESENT
        placement.refused = None
        # met on the lock already (our own lost reply): write our validity over it
        placement.window_synced = outcome is not Outcome.PRESENT or (
            job.credential.kind is CredentialKind.OFFLINE_PASSCODE
        )

    async def _failed(
        self,
        spec: Spec,
        job: Job,
        op: Operation,
        action: OpAction,
        failure: PathError,
        before: tuple[Presence, str | None],
    ) -> None:
        placement, error = job.placement, failure.error
        verdict = classify(error)
        if verdict.failure is Failure.UNKNOWN:
            if action is not OpAction.UPDATE:
                placement.presence, placement.unsure_via = Presence.UNSURE, failure.path
            self._postpone(op, placement, verdict)
            return
        placement.presence, placement.unsure_via = before
        if verdict.failure is Failure.AUTH:
            async_reauth_needed(self.manager.hass, self.manager.entry)
        if verdict.failure is not Failure.REFUSED:
            self._postpone(op, placement, verdict)
            return
        _LOGGER.info("%s on %s refused: %s", action, job.rt.lock.name, verdict.reason)
        if action is OpAction.UPDATE:
            placement.window_synced = True
            placement.error = (
                f"validity change refused ({verdict.reason}): the lock keeps the previous validity"
            )
            return
        was_unsure = before[0] is Presence.UNSURE
        sighting = await self._look(spec, job)
        if sighting is not None and sighting.found is not None:
            if action is OpAction.REMOVE:
                self._postpone(op, placement, verdict)
            else:  # an add that met its own credential (a lost reply)
                placement.window_synced = _holds_our_window(job, sighting.found)
            return
        if action is OpAction.REMOVE:
            if not (sighting is not None and sighting.conclusive):
                self._postpone(op, placement, verdict)
            return
        if isinstance(error, TTLockApiError) and error.errcode == NAME_TAKEN:
            placement.name = self.manager.unique_name(
                job.credential.name, job.lock_id, refused=job.name
            )
            op.next_attempt_at = None  # again at once, under the new name
            return
        if was_unsure and not (sighting is not None and sighting.conclusive):
            if isinstance(error, PasscodeExistsError):
                placement.presence, placement.unsure_via = Presence.PRESENT, None
                placement.window_synced = False
                placement.error = "on the lock, not yet in the cloud's list"
                return
            self._postpone(op, placement, verdict)
            return
        placement.presence, placement.unsure_via = Presence.ABSENT, None
        placement.refused = verdict.reason
        placement.error = verdict.reason

    def _postpone(self, op: Operation, placement: Placement, verdict: Classified) -> None:
        op.last_error = verdict.reason
        op.blocked = verdict.blocker if verdict.failure is Failure.BLOCKED else None
        op.next_attempt_at = dt_util.utcnow() + backoff(op.attempts)
        placement.error = verdict.reason
        _LOGGER.debug("Change on lock %s postponed: %s", op.lock_id, verdict.reason)

    def _settle(self, credential: Credential, lock_id: int) -> None:
        """Re-derive the credential's placements and queued operations after an attempt on
        one lock (its status may have changed for all; ``want`` makes a changed action —
        revoked during an add — due at once)."""
        self.manager.want_all(credential)
