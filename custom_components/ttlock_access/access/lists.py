"""Credential lists: what a lock (over Bluetooth) or the TTLock cloud lists for a lock,
as :class:`Found` items, read at most once per queue run or verification (:class:`Listings`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..models import LockRuntime
from ..sdk.ble import ops as ble_ops
from ..sdk.model import CyclicPeriod
from .model import Credential, CredentialKind, from_ms, new_id

if TYPE_CHECKING:
    from ..ble import LockBluetooth
    from ..sdk.cloud import TTLockCloud


CLOUD = "cloud"
"""The source (and path) of the cloud."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Found:
    """A credential as a lock or the TTLock cloud lists it."""

    kind: CredentialKind
    ttlock_id: int | None = None
    name: str = ""
    fallback_name: str = ""
    secret: str | None = field(default=None, repr=False)
    """A custom passcode's digits or a card's number."""
    lock_secret: str | None = field(default=None, repr=False)
    """Per lock: an offline code, or a fingerprint's number on the lock."""
    variant: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    cyclic: CyclicPeriod | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def listing(self, *, secrets: bool) -> dict[str, Any]:
        """An ``unmanaged`` item of ``list_credentials`` (codes only when asked)."""
        item: dict[str, Any] = {"kind": self.kind.value, "name": self.name}
        if self.ttlock_id is not None:
            item["ttlock_id"] = self.ttlock_id
        if self.kind is CredentialKind.EKEY:
            item["receiver"] = self.extra["receiver"]
        if secrets and self.kind in (CredentialKind.PASSCODE, CredentialKind.OFFLINE_PASSCODE):
            item["secret"] = self.secret or self.lock_secret
        return item

    def to_credential(self) -> Credential:
        """A credential of this integration's model for it (not yet stored)."""
        return Credential(
            credential_id=new_id(),
            kind=self.kind,
            name=self.name or self.fallback_name,
            secret=self.secret,
            variant=self.variant,
            starts_at=from_ms(self.start_ms),
            ends_at=from_ms(self.end_ms),
            cyclic=self.cyclic.to_json() if self.cyclic else None,
            extra=dict(self.extra),
        )


@dataclass(frozen=True, slots=True)
class Sighting:
    """What a list says of one placement; ``conclusive``: an absence proves it is gone."""

    found: Found | None
    conclusive: bool


class Listings:
    """The lists read during one queue run or verification (each read once)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str, str], list[Found]] = {}

    async def get(
        self, lock_id: int, family: str, source: str, read: Callable[[], Awaitable[list[Found]]]
    ) -> list[Found]:
        """The list of ``family`` on a lock from ``source``, read at most once."""
        key = (lock_id, family, source)
        if key not in self._cache:
            self._cache[key] = await read()
        return self._cache[key]

    def found_on(self, lock_id: int) -> list[Found]:
        """Everything read of one lock so far."""
        return [found for key, items in self._cache.items() if key[0] == lock_id for found in items]

    def forget(self, lock_id: int) -> None:
        """A change was made on the lock: read its lists again when asked."""
        for key in [k for k in self._cache if k[0] == lock_id]:
            del self._cache[key]


# ======================================================================== the lists
async def _cloud_passcodes(cloud: TTLockCloud, lock_id: int) -> list[Found]:
    found: list[Found] = []
    for passcode in await cloud.list_passcodes(lock_id):
        custom = passcode.is_custom
        variant: str | None
        if custom:
            variant = "custom_period" if passcode.end_date else "custom_permanent"
        else:
            variant = passcode.type.name.lower() if passcode.type else None
        found.append(
            Found(
                kind=CredentialKind.PASSCODE if custom else CredentialKind.OFFLINE_PASSCODE,
                ttlock_id=passcode.passcode_id,
                name=passcode.name,
                fallback_name=f"Passcode {passcode.passcode_id}",
                secret=passcode.keyboard_pwd if custom else None,
                lock_secret=None if custom else passcode.keyboard_pwd,
                variant=variant,
                start_ms=passcode.start_date if passcode.end_date else None,
                end_ms=passcode.end_date,
            )
        )
    return found


async def _cloud_cards(cloud: TTLockCloud, lock_id: int) -> list[Found]:
    return [
        Found(
            kind=CredentialKind.CARD,
            ttlock_id=card.card_id,
            name=card.name,
            fallback_name=f"Card {card.card_id}",
            secret=card.card_number,
            start_ms=card.start_date,
            end_ms=card.end_date,
            cyclic=card.cyclic,
        )
        for card in await cloud.list_cards(lock_id)
    ]


async def _cloud_fingerprints(cloud: TTLockCloud, lock_id: int) -> list[Found]:
    return [
        Found(
            kind=CredentialKind.FINGERPRINT,
            ttlock_id=fp.fingerprint_id,
            name=fp.name,
            fallback_name=f"Fingerprint {fp.fingerprint_id}",
            lock_secret=fp.fingerprint_number,
            start_ms=fp.start_date,
            end_ms=fp.end_date,
            cyclic=fp.cyclic,
        )
        for fp in await cloud.list_fingerprints(lock_id)
    ]


async def _cloud_faces(cloud: TTLockCloud, lock_id: int) -> list[Found]:
    return [
        Found(
            kind=CredentialKind.FACE,
            ttlock_id=face.face_id,
            name=face.name,
            fallback_name=f"Face {face.face_id}",
            start_ms=face.start_date,
            end_ms=face.end_date,
            cyclic=face.cyclic,
        )
        for face in await cloud.list_faces(lock_id)
    ]


async def _cloud_ekeys(cloud: TTLockCloud, lock_id: int) -> list[Found]:
    # eKeys of other TTLock accounts (the list never holds the administrator's own)
    return [
        Found(
            kind=CredentialKind.EKEY,
            ttlock_id=key.key_id,
            name=key.name,
            fallback_name=key.username,
            start_ms=key.start_date,
            end_ms=key.end_date,
            extra={
                "receiver": key.username,
                "remote_unlock": key.remote_unlock,
                "admin": key.authorized,
            },
        )
        for key in await cloud.list_lock_ekeys(lock_id)
    ]


CLOUD_LISTS: dict[str, Callable[[TTLockCloud, int], Awaitable[list[Found]]]] = {
    "passcode": _cloud_passcodes,
    "card": _cloud_cards,
    "fingerprint": _cloud_fingerprints,
    "face": _cloud_faces,
    "ekey": _cloud_ekeys,
}
"""The cloud's credential lists of a lock, by family ("passcode" holds custom and offline)."""


async def _ble_passcodes(ble: LockBluetooth, rt: LockRuntime) -> list[Found]:
    codes = await ble.async_run(rt, lambda keys, _now: ble_ops.ListPasscodes(keys))
    return [Found(kind=CredentialKind.PASSCODE, secret=code.code) for code in codes]


async def _ble_cards(ble: LockBluetooth, rt: LockRuntime) -> list[Found]:
    cards = await ble.async_run(rt, lambda keys, _now: ble_ops.ListCards(keys))
    return [Found(kind=CredentialKind.CARD, secret=str(card.number)) for card in cards]


async def _ble_fingerprints(ble: LockBluetooth, rt: LockRuntime) -> list[Found]:
    prints = await ble.async_run(rt, lambda keys, _now: ble_ops.ListFingerprints(keys))
    return [
        Found(kind=CredentialKind.FINGERPRINT, lock_secret=str(fp.fingerprint_id)) for fp in prints
    ]


BLE_LISTS: dict[str, Callable[[LockBluetooth, LockRuntime], Awaitable[list[Found]]]] = {
    "passcode": _ble_passcodes,
    "card": _ble_cards,
    "fingerprint": _ble_fingerprints,
}
"""What a lock lists over Bluetooth (custom passcodes only: offline codes are computed)."""
