"""What TTLock's pushes change (docs/cloud.md §2.9): the webhook parses, this applies.

A push is routed to the entry that owns its lock or gateway (one callback URL serves every
entry of a developer application). Pushes inform; they never command: a failure notice makes
the access model look at the lock again, it never drops a queued change.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace

from homeassistant.util import dt as dt_util

from .activity_types import Activity, Source
from .runtime import TTLockConfigEntry
from .sdk.cloud.callback import (
    AsyncFailureNotice,
    DoorSensorNotice,
    GatewayNotice,
    Notice,
    RecordsNotice,
    WifiLockNotice,
)
from .sdk.model import LockRecord
from .sdk.records import ASYNC_FAILURE_OBJECTS, DOOR_SENSOR_EVENTS, EventType, Method

_LOGGER = logging.getLogger(__name__)


def _owner(entries: list[TTLockConfigEntry], lock_id: int | None) -> TTLockConfigEntry | None:
    for entry in entries:
        if lock_id is not None and lock_id in entry.runtime_data.coordinator.data.locks:
            return entry
    return None


async def async_apply(entries: list[TTLockConfigEntry], notice: Notice) -> bool:
    """Apply one push; False when no entry owns its device (it is ignored)."""
    match notice:
        case RecordsNotice(records):
            return await _records(entries, records)
        case GatewayNotice(gateway_id, online):
            return any(_gateway_online(entry, gateway_id, online) for entry in entries)
        case WifiLockNotice(lock_id, online):
            owner = _owner(entries, lock_id)
            if owner is None:
                return False
            coordinator = owner.runtime_data.coordinator
            coordinator.data.locks[lock_id].wifi_online = online
            coordinator.async_update_listeners()
            return True
        case AsyncFailureNotice(lock_id, object_type, object_id, errcode):
            owner = _owner(entries, lock_id)
            if owner is None:
                return False
            kinds = ASYNC_FAILURE_OBJECTS.get(object_type or 0, ())
            if object_id is not None and kinds:
                access = owner.runtime_data.access
                if await access.async_recheck(lock_id, kinds, object_id, errcode):
                    _LOGGER.info(
                        "%s reported a failed change (TTLock error %s): checking the lock",
                        access.lock_name(lock_id),
                        errcode,
                    )
            return True
        case DoorSensorNotice(record_type, sensor_id, name, lock_id):
            return await _door_sensor(entries, record_type, sensor_id, name, lock_id)
    return True  # a notify type the integration does not use: acknowledged


async def _door_sensor(
    entries: list[TTLockConfigEntry],
    record_type: int,
    sensor_id: int | None,
    name: str,
    lock_id: int | None,
) -> bool:
    """A standalone (DS3) door sensor: bound to one of our locks, it goes through the lock's
    activity; otherwise it becomes a bus event of its own."""
    event = DOOR_SENSOR_EVENTS.get(record_type, EventType.OTHER)
    owner = _owner(entries, lock_id)
    if owner is None and lock_id is not None:
        return False  # bound to a lock of no account here: not ours
    if owner is not None and lock_id is not None:
        await owner.runtime_data.activity.async_pushed(
            lock_id, event, Method.DOOR_SENSOR, record_type
        )
        return True
    if not entries:
        return False
    activity = Activity(
        lock_id=0,
        lock_name=name or "Door sensor",
        event_type=event,
        method=Method.DOOR_SENSOR,
        success=True,
        at=dt_util.utcnow(),
        source=Source.WEBHOOK,
        record_type=record_type,
    )
    entries[0].runtime_data.activity.async_emit_unbound(activity, door_sensor_id=sensor_id)
    return True


def _gateway_online(entry: TTLockConfigEntry, gateway_id: int, online: bool) -> bool:
    coordinator = entry.runtime_data.coordinator
    gateway = coordinator.data.gateways.get(gateway_id)
    if gateway is None:
        return False
    if gateway.is_online != online:
        coordinator.data.gateways[gateway_id] = replace(gateway, is_online=online)
        coordinator.async_update_listeners()
    return True


async def _records(entries: list[TTLockConfigEntry], records: list[LockRecord]) -> bool:
    """Records, grouped per lock and handed to the entry that owns the lock."""
    by_lock: dict[int, list[LockRecord]] = defaultdict(list)
    for record in records:
        by_lock[record.lock_id].append(record)
    handled = False
    for lock_id, items in by_lock.items():
        owner = _owner(entries, lock_id)
        if owner is None:  # a lock of no account here: ignored (counted for diagnostics)
            if entries:
                entries[0].runtime_data.activity.stats["ignored"] += len(items)
            continue
        handled = True
        await owner.runtime_data.activity.async_process_cloud(items, Source.WEBHOOK)
    return handled
