"""Drift detection: what a lock (or the cloud) holds, compared with the access model.

Run on demand (the ``verify_access`` action) and by itself: once an hour the lock checked
longest ago (at most once a day each) — over Bluetooth when Home Assistant hears the lock
(no API call), else from the cloud's lists (one call per credential family the lock has).

Differences are repaired, never silently accepted: an active credential missing from the
lock is written again (a lock reset, or a world that forgot it); one that should be gone but
is listed is queued for removal; what the model does not manage is reported as unmanaged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.util import dt as dt_util

from ..models import Path
from ..paths import NoPathError
from .errors import AccessError
from .executors import SPECS
from .job import Job
from .lists import CLOUD, Listings
from .model import CredentialKind, Presence

if TYPE_CHECKING:
    from .book import AccessBook

VERIFY_EVERY = timedelta(hours=24)
"""How often each lock is compared with the model by itself."""
_JUDGED_BY_LISTS = frozenset(
    {CredentialKind.PASSCODE, CredentialKind.CARD, CredentialKind.FINGERPRINT}
    | {CredentialKind.FACE, CredentialKind.EKEY}
)
"""Offline codes are computed by the lock, never listed by it: no list can judge them."""


@dataclass(slots=True)
class VerifyReport:
    """What one verification found on a lock (names only, never a secret)."""

    lock_id: int
    source: str
    checked: int = 0
    readding: list[str] = field(default_factory=list)
    removing: list[str] = field(default_factory=list)
    confirmed_removed: list[str] = field(default_factory=list)
    unmanaged: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The action's response for this lock."""
        return {
            "source": self.source,
            "checked": self.checked,
            "readding": self.readding,
            "removing": self.removing,
            "confirmed_removed": self.confirmed_removed,
            "unmanaged": self.unmanaged,
        }


async def async_compare_lock(manager: AccessBook, lock_id: int) -> VerifyReport:
    """Compare one lock with the model; what differs is wanted again (the caller runs the
    queue)."""
    coordinator = manager.coordinator
    rt = coordinator.data.locks.get(lock_id)
    if rt is None:
        raise AccessError("lock_not_available", entity_id=str(lock_id))
    paths = coordinator.paths(rt)
    bluetooth = Path.BLUETOOTH in paths
    if not bluetooth and coordinator.client is None:
        raise AccessError("verify_unreachable", invalid=False, lock=rt.lock.name)
    report = VerifyReport(lock_id, "bluetooth" if bluetooth else CLOUD)
    listings = Listings()
    matched: set[int] = set()
    for credential, placement in manager.credentials_on(lock_id):
        if credential.kind not in _JUDGED_BY_LISTS:
            continue
        spec = SPECS[credential.kind]
        job = Job(credential, placement, rt, coordinator.ble, coordinator.client, paths, listings)
        try:
            sighting = await spec.find(job)
        except NoPathError:
            continue
        report.checked += 1
        if sighting.found is not None:
            matched.add(id(sighting.found))
            if placement.presence is not Presence.PRESENT:
                placement.presence = Presence.PRESENT
                placement.unsure_via = None
                if credential.removal_wanted:
                    report.removing.append(credential.name)
        elif sighting.conclusive and placement.presence is not Presence.ABSENT:
            placement.presence = Presence.ABSENT
            placement.unsure_via = None
            if credential.removal_wanted:
                report.confirmed_removed.append(credential.name)
            elif placement.refused is None:
                placement.error = "missing from the lock: written again"
                report.readding.append(credential.name)
        manager.want_all(credential)
    report.unmanaged = [
        found.listing(secrets=False)
        for found in listings.found_on(lock_id)
        if id(found) not in matched
    ]
    manager.state.verified_at[str(lock_id)] = dt_util.utcnow().isoformat()
    await manager.async_save()
    return report


def next_lock_to_verify(manager: AccessBook, now: datetime) -> int | None:
    """The lock checked longest ago (not within a day) that has managed credentials and a
    way to be looked at; None when none is due."""
    coordinator = manager.coordinator
    due: list[tuple[str, int]] = []
    for lock_id, rt in coordinator.data.locks.items():
        if not any(c.kind in _JUDGED_BY_LISTS for c, _p in manager.credentials_on(lock_id)):
            continue
        last = manager.state.verified_at.get(str(lock_id))
        if last is not None and now - dt_util.parse_datetime(last) < VERIFY_EVERY:  # type: ignore[operator]
            continue
        if coordinator.client is None and Path.BLUETOOTH not in coordinator.paths(rt):
            continue
        due.append((last or "", lock_id))
    return min(due)[1] if due else None
