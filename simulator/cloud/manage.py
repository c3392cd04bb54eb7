"""What every credential call shares: who may manage a lock, and how a change reaches it.

Who may call: the lock's top administrator or an authorised administrator (an eKey with
``keyRight`` 1, valid and not frozen); a plain eKey holder gets -2018, anyone else 20002.

Method selector (§2 of ``docs/cloud.md``): ``addType``/``deleteType``/``changeType``
(faces: ``type``) 1 = record only (the app already did it over Bluetooth), 2 = through the
gateway or Wi-Fi lock: the same routing and busy logic as ``lock/unlock`` (-2012 no gateway,
-3002 gateway offline, -3036 Wi-Fi lock offline, -3003/-3037 busy), 4 = asynchronous
(passcode add on a Wi-Fi lock only). The default is 1. Methods 2 and 4 change the lock's
memory (:mod:`simulator.lockside`) as well as the cloud's list; method 1 changes only the
list when a simulated Bluetooth lock shares the memory (``simulator.ble`` — the app's
Bluetooth step then really happened on that lock); on a lock without one it also changes
the memory, standing in for that Bluetooth step (:func:`writes_memory`).

The lock may refuse a change that reaches it (methods 2 and 4, :func:`relay`): through a
gateway the call fails with the lock's errcode; a Wi-Fi lock answers asynchronously, so the
call succeeds and the refusal comes later as notifyType 4 (``docs/cloud.md`` §2.9,
:meth:`~simulator.world.World.refuse_later`).

``cyclicConfig`` is a JSON string (80002 when it is not JSON, -3 when malformed).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..codes import FEATURE, CloudError
from ..credentials import ekey_of
from ..entities import Lock
from ..lockside import lock_memory
from ..offline_codes import keypad_memory
from ..world import World
from .registry import ApiRequest

__all__ = [
    "ASYNCHRONOUS",
    "RECORD_ONLY",
    "REMOTE",
    "LockChange",
    "managed_lock",
    "method_param",
    "new_id",
    "order_param",
    "ordered",
    "parse_cyclic_config",
    "relay",
    "require_feature",
    "require_manager",
    "validity",
    "writes_memory",
]

RECORD_ONLY, REMOTE, ASYNCHRONOUS = 1, 2, 4
_ID_BASES = {
    "passcode": 40_000_000,
    "card": 41_000_000,
    "fingerprint": 42_000_000,
    "face": 43_000_000,
    "ekey": 44_000_000,
}


def managed_lock(req: ApiRequest, name: str = "lockId") -> Lock:
    """The lock named by ``name`` if the caller is its top or authorised administrator."""
    lock = req.world.lock(req.integer(name))
    require_manager(req, lock)
    return req.world.refresh_state(lock)


def require_manager(req: ApiRequest, lock: Lock) -> None:
    """Top or authorised administrator of ``lock`` (same rule as :func:`managed_lock`)."""
    uid = req.account.uid
    if lock.admin_uid == uid:
        return
    key = ekey_of(lock, uid)
    if key is None:
        raise CloudError(20002, f"you are not the administrator of lock {lock.lock_id}")
    if key.key_right != 1 or key.validity(req.world.now_ms()) != "ok":
        raise CloudError(-2018, "only the administrator or an authorised administrator")


def require_feature(lock: Lock, feature: str) -> None:
    """-4043 when the lock lacks ``feature`` (a :data:`~simulator.codes.FEATURE` name)."""
    if not lock.has_feature(FEATURE[feature]):
        raise CloudError(
            -4043,
            f"lock {lock.lock_id} does not support {feature.replace('_', ' ')} "
            f"(featureValue bit {FEATURE[feature]})",
        )


def method_param(req: ApiRequest, name: str, allowed: tuple[int, ...] = (1, 2)) -> int:
    """The method selector ``name`` (``addType`` …): 1 record only (default), 2, 4."""
    value = req.integer(name, required=False, default=RECORD_ONLY)
    if value not in allowed:
        raise CloudError(-3, f"{name} must be one of {', '.join(map(str, allowed))}")
    return value


@dataclass(frozen=True)
class LockChange:
    """What a credential call asks of the lock, so that a Wi-Fi lock's refusal can name it
    (notifyType 4) and the cloud can undo its record."""

    object_type: int
    """notifyType 4 ``objectType``: 2 passcode, 3 IC card, 4 fingerprint, 6 face."""
    collection: str
    """The cloud's list of that kind on the lock (``"passcodes"``, ``"cards"`` …)."""
    object_id: int | None = None
    """The object changed or deleted; None: an add (the entry ``apply`` creates)."""
    refusal: Callable[[], int | None] | None = None
    """The lock's own verdict before it takes the change: an errcode, or None to take it."""


async def relay[T](
    req: ApiRequest,
    lock: Lock,
    method: int,
    apply: Callable[[], T],
    change: LockChange | None = None,
) -> T:
    """Apply a change record-only (1), through the gateway / Wi-Fi lock (2) or asynchronously
    (4, Wi-Fi locks).

    A change that reaches the lock (2, 4) may be refused by it: a planned lock-side fault of
    the endpoint (``faults.fail_next(…, lock_side=True)``) or ``change.refusal``. Through a
    gateway the call then fails with that errcode. A Wi-Fi lock takes ``change`` asynchronously:
    the call succeeds and the cloud records the change, the lock's memory stays as it was, and
    the refusal reaches the cloud later (:meth:`~simulator.world.World.refuse_later`).
    """
    if method == RECORD_ONLY:
        return apply()
    world = req.world
    if method == ASYNCHRONOUS:
        return _at_lock(req, lock, apply, change)
    async with world.occupy(world.route(lock)):
        world.after_remote(lock)
        return _at_lock(req, lock, apply, change)


def _at_lock[T](
    req: ApiRequest, lock: Lock, apply: Callable[[], T], change: LockChange | None
) -> T:
    """The lock takes the change, or refuses it (see :func:`relay`)."""
    fault = req.world.faults.take(req.endpoint, lock_side=True)
    if fault is not None:
        errcode: int | None = fault.errcode
    else:
        errcode = change.refusal() if change is not None and change.refusal else None
    if errcode is None:
        return apply()
    if change is None or not lock.is_wifi:
        description = fault.description if fault is not None else None
        raise CloudError(
            errcode,
            description or f"lock {lock.lock_id} refused the change",
            fault.errmsg if fault is not None else None,
        )
    items: dict[int, Any] = getattr(lock, change.collection)
    known = set(items)
    before = None if change.object_id is None else copy.deepcopy(items.get(change.object_id))
    kept = _memory_state(lock)
    result = apply()
    _restore_memory(lock, kept)  # the lock did not take it
    object_id = change.object_id
    if object_id is None:
        object_id = next(iter(set(items) - known))
    req.world.refuse_later(
        lock,
        uid=req.account.uid,
        object_type=change.object_type,
        object_id=object_id,
        errcode=errcode,
        collection=change.collection,
        before=before,
    )
    return result


type _MemoryState = tuple[dict[str, Any], dict[str, Any], dict[str, Any], set[str], set[str]]


def _memory_state(lock: Lock) -> _MemoryState:
    """A copy of what a credential change may alter in the lock's own memory."""
    memory = lock_memory(lock)
    blacklist = keypad_memory(lock).blacklist
    state = (memory.passcodes, memory.cards, memory.fingerprints, memory.wiped, blacklist)
    return copy.deepcopy(state)


def _restore_memory(lock: Lock, state: _MemoryState) -> None:
    """Put the lock's memory back as :func:`_memory_state` saw it (in place: a Bluetooth twin
    shares these tables)."""
    memory = lock_memory(lock)
    passcodes, cards, fingerprints, wiped, blacklist = state
    for table, saved in (
        (memory.passcodes, passcodes),
        (memory.cards, cards),
        (memory.fingerprints, fingerprints),
    ):
        table.clear()
        table.update(saved)
    for items, kept in ((memory.wiped, wiped), (keypad_memory(lock).blacklist, blacklist)):
        items.clear()
        items.update(kept)


def validity(req: ApiRequest, *, allow_permanent: bool = True) -> tuple[int, int]:
    """``startDate``/``endDate``: both 0 (permanent) or a real window."""
    start = req.integer("startDate", required=False, default=0, minimum=0)
    end = req.integer("endDate", required=False, default=0, minimum=0)
    if start == 0 and end == 0:
        if not allow_permanent:
            raise CloudError(-3, "the validity cannot be changed to permanent")
        return 0, 0
    if not start or not end:
        raise CloudError(-3, "startDate and endDate are both required (or both 0: permanent)")
    if end <= start:
        raise CloudError(-3, "endDate must be after startDate")
    return start, end


def parse_cyclic_config(raw: str | None) -> list[dict[str, int]]:
    """``cyclicConfig`` JSON string → list of ``{weekDay, startTime, endTime}`` (sorted)."""
    if raw is None or raw.strip() == "":
        return []
    try:
        items = json.loads(raw)
    except ValueError:
        raise CloudError(80002, "cyclicConfig is not valid JSON") from None
    if not isinstance(items, list):
        raise CloudError(-3, "cyclicConfig must be a JSON array")
    result: list[dict[str, int]] = []
    for item in items:
        if not isinstance(item, dict):
            raise CloudError(-3, "cyclicConfig items must be objects")
        try:
            day, start, end = (int(item[key]) for key in ("weekDay", "startTime", "endTime"))
        except (KeyError, TypeError, ValueError):
            raise CloudError(-3, "cyclicConfig items need weekDay, startTime, endTime") from None
        if not 1 <= day <= 7 or not 0 <= start < end <= 1440:
            raise CloudError(-3, "The time of REPEAT is incorrect")
        result.append({"weekDay": day, "startTime": start, "endTime": end})
    if len({item["weekDay"] for item in result}) != len(result):
        raise CloudError(-3, "cyclicConfig lists a weekday twice")
    if len({(item["startTime"], item["endTime"]) for item in result}) > 1:
        raise CloudError(-3, "the valid time period of each week day must be the same")
    return sorted(result, key=lambda item: item["weekDay"])


def ordered[T](
    items: list[T], order: int, name: Callable[[T], str], newest: Callable[[T], Any]
) -> list[T]:
    """A list in ``orderBy`` order: 0 by name, 1 newest first (default), 2 by name reversed."""
    if order == 0:
        return sorted(items, key=lambda item: (name(item).lower(), newest(item)))
    if order == 2:
        return sorted(items, key=lambda item: (name(item).lower(), newest(item)), reverse=True)
    return sorted(items, key=newest, reverse=True)


def order_param(req: ApiRequest) -> int:
    """The ``orderBy`` parameter (0–2, default 1)."""
    return req.integer("orderBy", required=False, default=1, minimum=0, maximum=2)


def new_id(world: World, kind: str) -> int:
    """A fresh id for a ``"passcode"``, ``"card"``, ``"fingerprint"``, ``"face"``, ``"ekey"``."""
    return world.next_id(kind, _ID_BASES[kind])


def writes_memory(lock: Lock, method: int) -> bool:
    """Whether a cloud credential call with ``method`` changes the lock's own memory."""
    return method != RECORD_ONLY or lock_memory(lock).twin is None
