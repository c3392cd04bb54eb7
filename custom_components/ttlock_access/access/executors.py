"""One spec per credential kind: how it is added, changed, removed and found on a lock.

Every spec answers the same four questions — add, update, remove, find — over the paths its
kind allows (docs/access-model.md):

* passcodes and IC cards: Bluetooth in range (then kept in the cloud's books), else through
  the gateway / Wi-Fi lock; fingerprints likewise, but they are enrolled at the lock;
* offline passcodes: issued by the cloud; removed from the lock over Bluetooth or the
  gateway (the cloud forgetting one does not stop the lock from accepting it);
* faces: through a gateway only; eKeys: in the cloud only.

An attempt returns an :class:`Outcome` and the path it took, or raises
:class:`~..paths.PathError` / :class:`~..paths.NoPathError`: the manager classifies those
(:func:`~..errors.classify`). ``find`` reads the lock's (or the cloud's) list, at most once
per family and queue run (:class:`Listings`).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Coroutine
from enum import StrEnum
from typing import Any, ClassVar

from homeassistant.util import dt as dt_util

from ..errors import Failure, classify
from ..models import Path
from ..paths import NoPathError, PathError, run_on_lock
from ..sdk.ble import LockError, LockKeys, TTLockBleError
from ..sdk.ble import ops as ble_ops
from ..sdk.ble.const import LockErrorCode
from ..sdk.cloud.errors import TTLockError
from ..sdk.model import PasscodeType, reversed_card_number
from .job import Job
from .lists import BLE_LISTS, CLOUD, CLOUD_LISTS, Found, Sighting
from .model import CredentialKind, OpAction, to_ms

_LOGGER = logging.getLogger(__name__)


class Outcome(StrEnum):
    """How an attempt ended when it did not fail."""

    DONE = "done"
    """Carried out, confirmed by the lock (or the cloud for cloud-only credentials)."""
    PRESENT = "present"
    """An add met the credential already on the lock."""
    ABSENT = "absent"
    """A removal met the credential already gone: the lock says so."""


def _not_applied(err: TTLockBleError) -> bool:
    """Fall back to the gateway only when Bluetooth certainly left the lock untouched."""
    return classify(err).failure is not Failure.UNKNOWN


async def _books(what: str, call: Coroutine[Any, Any, Any]) -> Any:
    """Keep the cloud's books after a Bluetooth change; the lock is right either way."""
    try:
        return await call
    except (TTLockError, ValueError) as err:
        _LOGGER.debug("Recording a Bluetooth %s in the cloud failed: %s", what, type(err).__name__)
        return None


# ======================================================================== the specs
class Spec(ABC):
    """How one kind of credential is added, changed, removed and found."""

    kind: ClassVar[CredentialKind]
    family: ClassVar[str]

    @abstractmethod
    async def run(self, job: Job, action: OpAction) -> tuple[Outcome, str]:
        """Carry out ``action`` over the best path."""

    def matches(self, found: Found, job: Job) -> bool:
        """Whether a listed credential is this placement (by the cloud's id by default)."""
        placement = job.placement
        return placement.ttlock_id is not None and found.ttlock_id == placement.ttlock_id

    def cloud_conclusive(self, job: Job) -> bool:
        """Whether the cloud's list can prove the placement is not on the lock."""
        return True

    async def find(self, job: Job) -> Sighting:
        """Look for the placement in the lock's own list (Bluetooth) or the cloud's."""
        if Path.BLUETOOTH in job.paths and self.family in BLE_LISTS:
            try:
                listed = await job.listings.get(
                    job.lock_id,
                    self.family,
                    "bluetooth",
                    lambda: BLE_LISTS[self.family](job.ble, job.rt),
                )
            except TTLockBleError:
                if job.cloud is None:
                    raise  # nothing else can tell
            else:
                return Sighting(self._match(listed, job), conclusive=True)
        if job.cloud is None:
            raise NoPathError(f"{job.rt.lock.name} cannot be looked at right now")
        found = await self.find_in_cloud(job)
        return Sighting(found, conclusive=found is not None or self.cloud_conclusive(job))

    async def find_in_cloud(self, job: Job) -> Found | None:
        """The placement in the cloud's list (its id is taken from there)."""
        listed = await job.listings.get(
            job.lock_id,
            self.family,
            CLOUD,
            lambda: CLOUD_LISTS[self.family](job.account, job.lock_id),
        )
        found = self._match(listed, job)
        if found is not None and found.ttlock_id is not None:
            job.placement.ttlock_id = found.ttlock_id
        return found

    def _match(self, listed: list[Found], job: Job) -> Found | None:
        return next((f for f in listed if f.kind is self.kind and self.matches(f, job)), None)


class _LockSpec(Spec):
    """Written into the lock's memory: Bluetooth in range, else the gateway / Wi-Fi lock."""

    not_found: ClassVar[int]

    async def run(self, job: Job, action: OpAction) -> tuple[Outcome, str]:
        remote: Callable[[Path], Awaitable[Outcome]] | None = None
        if job.cloud is not None and not job.credential.extra.get("ble_only"):
            remote = lambda _path: self._remote(job, action)  # noqa: E731
        outcome, path = await run_on_lock(
            job.paths,
            bluetooth=lambda fallback: self._bluetooth(job, action, fallback),
            remote=remote,
            fall_back=_not_applied,
        )
        return outcome, path.value

    def cloud_conclusive(self, job: Job) -> bool:
        # a change made over Bluetooth is in the cloud's list only once it was recorded
        return job.placement.unsure_via != Path.BLUETOOTH and job.keeps_books

    async def _bluetooth(self, job: Job, action: OpAction, fallback: bool) -> Outcome:
        make = {
            OpAction.ADD: self.ble_add,
            OpAction.UPDATE: self.ble_update,
            OpAction.REMOVE: self.ble_remove,
        }[action]
        outcome = Outcome.DONE
        try:
            await job.on_ble(fallback, lambda keys: make(job, keys))
        except LockError as err:
            if action is OpAction.REMOVE and err.code == self.not_found:
                outcome = Outcome.ABSENT  # the lock itself says it holds no such credential
            elif action is OpAction.ADD and err.code == LockErrorCode.PASSCODE_EXISTS:
                outcome = Outcome.PRESENT
            else:
                raise
        if job.keeps_books:
            await self._record(job, action)
        return outcome

    async def _remote(self, job: Job, action: OpAction) -> Outcome:
        if action is OpAction.ADD:
            job.placement.ttlock_id = await self.cloud_add(job, via_gateway=True)
        elif action is OpAction.UPDATE:
            await self.cloud_update(job, await self._cloud_id(job), via_gateway=True)
        else:
            await self.cloud_delete(job, await self._cloud_id(job), via_gateway=True)
        job.listings.forget(job.lock_id)
        return Outcome.DONE

    async def _cloud_id(self, job: Job) -> int:
        """The cloud's id of the placement; a credential the cloud never recorded (written
        over Bluetooth, its record lost) is recorded first so the gateway can act on it."""
        placement = job.placement
        if placement.ttlock_id is None and await self.find_in_cloud(job) is None:
            placement.ttlock_id = await self.cloud_add(job, via_gateway=False)
        assert placement.ttlock_id is not None
        return placement.ttlock_id

    async def _record(self, job: Job, action: OpAction) -> None:
        placement = job.placement
        if action is not OpAction.REMOVE and placement.ttlock_id is None:
            placement.ttlock_id = await _books("add", self.cloud_add(job, via_gateway=False))
        elif action is OpAction.UPDATE and placement.ttlock_id is not None:
            await _books("change", self.cloud_update(job, placement.ttlock_id, via_gateway=False))
        elif action is OpAction.REMOVE and placement.ttlock_id is not None:
            await _books("delete", self.cloud_delete(job, placement.ttlock_id, via_gateway=False))
        job.listings.forget(job.lock_id)

    # per kind
    @abstractmethod
    def ble_add(self, job: Job, keys: LockKeys) -> ble_ops.Operation[Any]:
        """The Bluetooth operation that adds it."""

    @abstractmethod
    def ble_update(self, job: Job, keys: LockKeys) -> ble_ops.Operation[Any]:
        """The Bluetooth operation that changes its validity."""

    @abstractmethod
    def ble_remove(self, job: Job, keys: LockKeys) -> ble_ops.Operation[Any]:
        """The Bluetooth operation that deletes it."""

    @abstractmethod
    async def cloud_add(self, job: Job, *, via_gateway: bool) -> int:
        """Add it in the cloud (through the gateway, or recorded only); its id."""

    @abstractmethod
    async def cloud_update(self, job: Job, ttlock_id: int, *, via_gateway: bool) -> None:
        """Change its validity in the cloud."""

    @abstractmethod
    async def cloud_delete(self, job: Job, ttlock_id: int, *, via_gateway: bool) -> None:
        """Delete it in the cloud."""


class PasscodeSpec(_LockSpec):
    """A custom passcode (4–9 digits) in the lock's memory."""

    kind = CredentialKind.PASSCODE
    family = "passcode"
    not_found = LockErrorCode.PASSCODE_NOT_FOUND

    def matches(self, found: Found, job: Job) -> bool:
        return super().matches(found, job) or job.credential.is_secret(found.secret)

    def ble_add(self, job: Job, keys: LockKeys) -> ble_ops.Operation[Any]:
        return ble_ops.AddPasscode(keys, self._code(job), start=job.start, end=job.end)

    def ble_update(self, job: Job, keys: LockKeys) -> ble_ops.Operation[Any]:
        return ble_ops.ModifyPasscode(keys, self._code(job), start=job.start, end=job.end)

    def ble_remove(self, job: Job, keys: LockKeys) -> ble_ops.Operation[Any]:
        return ble_ops.DeletePasscode(keys, self._code(job))

    async def cloud_add(self, job: Job, *, via_gateway: bool) -> int:
        return await job.account.add_passcode(
            job.lock_id,
            self._code(job),
            name=job.name,
            start_ms=job.start_ms if job.end_ms else None,
            end_ms=job.end_ms or None,
            via_gateway=via_gateway,
        )

    async def cloud_update(self, job: Job, ttlock_id: int, *, via_gateway: bool) -> None:
        await job.account.change_passcode(
            job.lock_id,
            ttlock_id,
            start_ms=job.start_ms or None,
            end_ms=job.end_ms or None,
            via_gateway=via_gateway,
        )

    async def cloud_delete(self, job: Job, ttlock_id: int, *, via_gateway: bool) -> None:
        await job.account.delete_passcode(job.lock_id, ttlock_id, via_gateway=via_gateway)

    @staticmethod
    def _code(job: Job) -> str:
        return job.credential.secret or ""


class CardSpec(_LockSpec):
    """An IC card by number in the lock's memory."""

    kind = CredentialKind.CARD
    family = "card"
    not_found = LockErrorCode.IC_CARD_NOT_FOUND

    def matches(self, found: Found, job: Job) -> bool:
        if super().matches(found, job):
            return True
        if found.secret is None or not found.secret.isdigit():
            return False
        credential = job.credential
        number = credential.secret
        if number is not None:
            return int(found.secret) in (int(number), int(reversed_card_number(number)))
        # the digits were dropped (revoked, removal confirmed): compare with their digest
        try:
            candidates = (str(int(found.secret)), reversed_card_number(found.secret))
        except ValueError:
            return False
        return any(credential.is_secret(candidate) for candidate in candidates)

    def ble_add(self, job: Job, keys: LockKeys) -> ble_ops.Operation[Any]:
        return ble_ops.AddKnownCard(keys, self._number(job), start=job.start, end=job.end)

    def ble_update(self, job: Job, keys: LockKeys) -> ble_ops.Operation[Any]:
        return ble_ops.ModifyCard(keys, self._number(job), start=job.start, end=job.end)

    def ble_remove(self, job: Job, keys: LockKeys) -> ble_ops.Operation[Any]:
        return ble_ops.DeleteCard(keys, self._number(job))

    async def cloud_add(self, job: Job, *, via_gateway: bool) -> int:
        return await job.account.add_card(
            job.lock_id,
            job.credential.secret or "",
            name=job.name,
            start_ms=job.start_ms,
            end_ms=job.end_ms,
            cyclic=job.cyclic,
            reversed=via_gateway and bool(job.credential.extra.get("reversed")),
            via_gateway=via_gateway,
        )

    async def cloud_update(self, job: Job, ttlock_id: int, *, via_gateway: bool) -> None:
        await job.account.change_card_period(
            job.lock_id,
            ttlock_id,
            start_ms=job.start_ms,
            end_ms=job.end_ms,
            cyclic=job.cyclic,
            via_gateway=via_gateway,
        )

    async def cloud_delete(self, job: Job, ttlock_id: int, *, via_gateway: bool) -> None:
        await job.account.delete_card(job.lock_id, ttlock_id, via_gateway=via_gateway)

    @staticmethod
    def _number(job: Job) -> int:
        return int(job.credential.secret or 0)


class FingerprintSpec(_LockSpec):
    """A fingerprint: enrolled at the lock; its validity and removal go either way."""

    kind = CredentialKind.FINGERPRINT
    family = "fingerprint"
    not_found = LockErrorCode.FINGERPRINT_NOT_FOUND

    def matches(self, found: Found, job: Job) -> bool:
        number = job.placement.secret
        return super().matches(found, job) or (
            number is not None
            and found.lock_secret is not None
            and int(found.lock_secret) == int(number)
        )

    def ble_add(self, job: Job, keys: LockKeys) -> ble_ops.Operation[Any]:
        raise ValueError("a fingerprint is enrolled at the lock, it cannot be written again")

    def ble_update(self, job: Job, keys: LockKeys) -> ble_ops.Operation[Any]:
        return ble_ops.ModifyFingerprint(keys, self._number(job), start=job.start, end=job.end)

    def ble_remove(self, job: Job, keys: LockKeys) -> ble_ops.Operation[Any]:
        return ble_ops.DeleteFingerprint(keys, self._number(job))

    async def cloud_add(self, job: Job, *, via_gateway: bool) -> int:
        if via_gateway:
            raise ValueError("a fingerprint is enrolled at the lock, it cannot be written again")
        return await job.account.add_fingerprint(
            job.lock_id,
            job.placement.secret or "",
            name=job.name,
            start_ms=job.start_ms,
            end_ms=job.end_ms,
            cyclic=job.cyclic,
        )

    async def cloud_update(self, job: Job, ttlock_id: int, *, via_gateway: bool) -> None:
        await job.account.change_fingerprint_period(
            job.lock_id,
            ttlock_id,
            start_ms=job.start_ms,
            end_ms=job.end_ms,
            cyclic=job.cyclic,
            via_gateway=via_gateway,
        )

    async def cloud_delete(self, job: Job, ttlock_id: int, *, via_gateway: bool) -> None:
        await job.account.delete_fingerprint(job.lock_id, ttlock_id, via_gateway=via_gateway)

    @staticmethod
    def _number(job: Job) -> int:
        return int(job.placement.secret or 0)


class OfflinePasscodeSpec(Spec):
    """A code the cloud computes from the lock's tables: it works without any connection,
    so only the lock can stop it (Bluetooth or the gateway), or its end."""

    kind = CredentialKind.OFFLINE_PASSCODE
    family = "passcode"

    def matches(self, found: Found, job: Job) -> bool:
        placement = job.placement
        return (
            super().matches(found, job)
            or (placement.secret is not None and found.lock_secret == placement.secret)
            or (placement.ttlock_id is None and found.name == job.name and bool(job.name))
        )

    def cloud_conclusive(self, job: Job) -> bool:
        # The cloud's list only says what the cloud issued: an absent code may still open.
        return job.credential.ends_at is not None and job.credential.ends_at <= dt_util.utcnow()

    async def find(self, job: Job) -> Sighting:
        if job.cloud is None:
            raise NoPathError(f"{job.rt.lock.name} cannot be looked at right now")
        found = await self.find_in_cloud(job)
        if found is not None and found.lock_secret:
            job.placement.secret = found.lock_secret
        return Sighting(found, conclusive=found is not None or self.cloud_conclusive(job))

    async def run(self, job: Job, action: OpAction) -> tuple[Outcome, str]:
        credential, placement = job.credential, job.placement
        if action is OpAction.UPDATE:
            raise PathError(CLOUD, ValueError("an offline code keeps its validity"))
        if action is OpAction.ADD:
            try:
                passcode = await job.account.get_offline_passcode(
                    job.lock_id,
                    PasscodeType[(credential.variant or "one_time").upper()],
                    start_ms=to_ms(credential.starts_at or dt_util.utcnow()) or 0,
                    end_ms=to_ms(credential.ends_at),
                    name=job.name,
                )
            except (TTLockError, ValueError) as err:
                raise PathError(CLOUD, err) from err
            placement.secret = passcode.keyboard_pwd
            placement.ttlock_id = passcode.passcode_id
            return Outcome.DONE, CLOUD
        if self.cloud_conclusive(job):
            return Outcome.ABSENT, CLOUD  # past its end: the lock refuses it by itself
        outcome, path = await run_on_lock(
            job.paths,
            bluetooth=lambda fallback: self._bluetooth_remove(job, fallback),
            remote=(lambda _path: self._remote_remove(job)) if job.cloud is not None else None,
            fall_back=_not_applied,
        )
        return outcome, path.value

    async def _bluetooth_remove(self, job: Job, fallback: bool) -> Outcome:
        code = job.placement.secret or ""
        outcome = Outcome.DONE
        try:
            await job.on_ble(fallback, lambda keys: ble_ops.DeletePasscode(keys, code))
        except LockError as err:
            if err.code != LockErrorCode.PASSCODE_NOT_FOUND:
                raise
            outcome = Outcome.ABSENT  # the lock does not know the digits: they never open
        if job.cloud is not None and job.placement.ttlock_id is not None:
            await _books(
                "delete",
                job.account.delete_passcode(
                    job.lock_id, job.placement.ttlock_id, via_gateway=False
                ),
            )
        return outcome

    async def _remote_remove(self, job: Job) -> Outcome:
        if job.placement.ttlock_id is None and await self.find_in_cloud(job) is None:
            raise NoPathError(
                "the cloud no longer knows this offline code: only Bluetooth can stop it"
            )
        assert job.placement.ttlock_id is not None
        await job.account.delete_passcode(job.lock_id, job.placement.ttlock_id, via_gateway=True)
        return Outcome.DONE


class FaceSpec(Spec):
    """A face: added, changed and removed through a gateway only."""

    kind = CredentialKind.FACE
    family = "face"

    def matches(self, found: Found, job: Job) -> bool:
        return super().matches(found, job) or (
            job.placement.ttlock_id is None and found.name == job.name
        )

    async def run(self, job: Job, action: OpAction) -> tuple[Outcome, str]:
        remote: list[Path] = [p for p in job.paths if p is not Path.BLUETOOTH]
        if job.cloud is None or not remote:
            raise NoPathError(f"{job.rt.lock.name} has no gateway right now")
        outcome, path = await run_on_lock(remote, remote=lambda _path: self._remote(job, action))
        return outcome, path.value

    async def _remote(self, job: Job, action: OpAction) -> Outcome:
        cloud, placement = job.account, job.placement
        if action is OpAction.ADD:
            placement.ttlock_id = await cloud.add_face(
                job.lock_id,
                feature_data=job.credential.extra["feature_data"],
                name=job.name,
                start_ms=job.start_ms,
                end_ms=job.end_ms,
                cyclic=job.cyclic,
            )
            return Outcome.DONE
        if placement.ttlock_id is None and await self.find_in_cloud(job) is None:
            return Outcome.ABSENT if action is OpAction.REMOVE else Outcome.DONE
        assert placement.ttlock_id is not None
        if action is OpAction.UPDATE:
            await cloud.change_face_period(
                job.lock_id,
                placement.ttlock_id,
                start_ms=job.start_ms,
                end_ms=job.end_ms,
                cyclic=job.cyclic,
            )
        else:
            await cloud.delete_face(job.lock_id, placement.ttlock_id)
        return Outcome.DONE


class EKeySpec(Spec):
    """An eKey: a TTLock app key of another account, in the cloud only."""

    kind = CredentialKind.EKEY
    family = "ekey"

    def matches(self, found: Found, job: Job) -> bool:
        receiver = str(job.credential.extra.get("receiver") or "").casefold()
        return super().matches(found, job) or (
            bool(receiver) and str(found.extra.get("receiver", "")).casefold() == receiver
        )

    async def find(self, job: Job) -> Sighting:
        if job.cloud is None:
            raise NoPathError("eKeys need a TTLock account")
        return Sighting(await self.find_in_cloud(job), conclusive=True)

    async def run(self, job: Job, action: OpAction) -> tuple[Outcome, str]:
        if job.cloud is None:
            raise PathError(CLOUD, ValueError("eKeys need a TTLock account"))
        cloud, placement, credential = job.account, job.placement, job.credential
        try:
            if action is OpAction.ADD:
                placement.ttlock_id = await cloud.send_ekey(
                    job.lock_id,
                    credential.extra["receiver"],
                    name=job.name,
                    start_ms=job.start_ms,
                    end_ms=job.end_ms,
                    remote_unlock=bool(credential.extra.get("remote_unlock")),
                    authorized=bool(credential.extra.get("admin")),
                )
            elif placement.ttlock_id is None and await self.find_in_cloud(job) is None:
                return (Outcome.ABSENT if action is OpAction.REMOVE else Outcome.DONE), CLOUD
            elif action is OpAction.UPDATE:
                assert placement.ttlock_id is not None
                await cloud.change_ekey_period(
                    placement.ttlock_id, start_ms=job.start_ms, end_ms=job.end_ms
                )
            else:
                assert placement.ttlock_id is not None
                await cloud.delete_ekey(placement.ttlock_id)
        except (TTLockError, ValueError) as err:
            raise PathError(CLOUD, err) from err
        return Outcome.DONE, CLOUD


SPECS: dict[CredentialKind, Spec] = {
    spec.kind: spec
    for spec in (
        PasscodeSpec(),
        OfflinePasscodeSpec(),
        CardSpec(),
        FingerprintSpec(),
        FaceSpec(),
        EKeySpec(),
    )
}
"""The spec of every credential kind."""
