"""TTLock callbacks ("webhooks") from the simulated cloud (``docs/cloud.md`` §2.9).

For every new world record of a lock, :class:`WebhookPusher` POSTs a TTLock-shaped callback to
the ``callback_url`` of each developer application the lock's admin has authorised (holds a
token for), as TTLock does:

* form-encoded ``notifyType=1``, ``lockId``, ``lockMac``, ``admin`` and ``records`` — a JSON
  *string* holding a list of ``{lockId, lockMac, recordTypeFromLock, recordType, success,
  username, keyboardPwd, lockDate, serverDate, electricQuantity}`` (no ``recordId``);
* only for locks the cloud reaches (behind a gateway or on Wi-Fi), unless
  :attr:`WebhookPusher.all_locks` is set;
* the receiver must answer the literal ``success``; anything else counts as a failure.

The world's other notices (:meth:`~simulator.world.World.on_notice`) go out the same way, to
the apps the device's admin (gateway or door-sensor owner, lock admin) has authorised:

* ``notifyType=2`` ``gatewayId``, ``gatewayName``, ``gatewayMac``, ``gatewayVersion``,
  ``networkName``, ``isOnline`` (0/1) when a gateway goes online or offline;
* ``notifyType=3`` ``lockId``, ``lockAlias``, ``lockMac``, ``networkName``, ``admin``,
  ``isOnline`` when a Wi-Fi lock does;
* ``notifyType=4`` ``lockId``, ``lockMac``, ``uid``, ``objectType``, ``objectId``,
  ``errcode`` when a Wi-Fi lock refused a change the cloud had accepted (a few seconds later);
* ``notifyType=7`` ``doorSensorId``, ``mac``, ``name``, ``recordType`` (0 closed, 1 open,
  2 not-closed alarm, 3 not-opened alarm) from a standalone DS3 door sensor.

Online notices, door openings and closings go at once; offline notices once the documented
delay (30 min gateway, 15 min Wi-Fi lock), refusals and door-sensor alarms when they fall due
on the world clock: the world sends those when its clock jumps, and the pusher asks it every
:data:`NOTICE_TICK_S` seconds (a running clock) and before :meth:`WebhookPusher.drain`.

Callbacks are sent in order by one background task; :meth:`WebhookPusher.drain` waits until all
queued ones are answered (tests never sleep). Any hand-made callback is sent with
:meth:`WebhookPusher.notify`.

Controls (JSON in, JSON out; :mod:`simulator.cloud.controls`): ``POST /sim/callback_url``
``{clientId, callbackUrl (null = none)}``, ``POST /sim/callbacks/notify`` ``{clientId,
notifyType, ...fields}`` (one callback with those form fields) and ``GET /sim/callbacks``
(counts: queued, sent, failed, last status, offline notices and lock refusals not yet due).

Every :class:`~simulator.cloud.server.CloudServer` of a world shares the world's one pusher
(:func:`pusher_for`), started and stopped with the servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .entities import DeveloperApp, Lock, LockRecord
from .world import World

__all__ = [
    "NOTICE_TICK_S",
    "Callback",
    "WebhookPusher",
    "notice_form",
    "pusher_for",
    "record_payload",
]

SUCCESS = "success"
NOTICE_TICK_S = 1.0
"""How often (real seconds) the pusher sends the world's offline notices that fell due."""


@dataclass
class Callback:
    """One callback sent (or tried)."""

    url: str
    form: dict[str, str] = field(repr=False)
    status: int | None = None
    body: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body.strip() == SUCCESS


def record_payload(world: World, lock: Lock, records: list[LockRecord]) -> dict[str, str]:
    """The form fields of a notifyType 1 callback for ``records`` of one lock."""
    admin = world.accounts.get(lock.admin_uid)
    items = [
        {
            "lockId": record.lock_id,
            "lockMac": lock.lock_mac,
            "recordTypeFromLock": record.record_type_from_lock,
            "recordType": record.record_type,
            "success": record.success,
            "username": record.username,
            "keyboardPwd": record.keyboard_pwd,
            "lockDate": record.lock_date,
            "serverDate": record.server_date,
            "electricQuantity": record.electric_quantity,
        }
        for record in records
    ]
    return {
        "notifyType": "1",
        "lockId": str(lock.lock_id),
        "lockMac": lock.lock_mac,
        "admin": admin.username if admin else "",
        "records": json.dumps(items, separators=(",", ":")),
    }


class WebhookPusher:
    """Sends the world's callbacks to the apps' callback URLs."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.all_locks = False
        """Push records of Bluetooth-only locks too (real TTLock: gateway / Wi-Fi locks)."""
        self.sent: list[Callback] = []
        self._queue: asyncio.Queue[Callback] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._users = 0

    # --- lifecycle (refcounted: one pusher per world, shared by its servers) -------------
    async def start(self) -> None:
        self._users += 1
        if self._users > 1:
            return
        self._queue = asyncio.Queue()
        self._session = aiohttp.ClientSession()
        self._worker = asyncio.get_running_loop().create_task(self._run())
        self._unsubscribe = [
            self.world.on_record(self._on_record),
            self.world.on_notice(self._on_notice),
        ]

    async def stop(self) -> None:
        self._users = max(0, self._users - 1)
        if self._users:
            return
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._queue = None

    # --- sending ------------------------------------------------------------------------
    def _apps_for(self, admin_uid: int) -> list[DeveloperApp]:
        """Apps with a callback URL that the device's admin has authorised."""
        authorised = {
            token.client_id
            for token in self.world.tokens.values()
            if token.uid == admin_uid and not token.revoked
        }
        return [
            app
            for app in self.world.apps.values()
            if app.callback_url and app.client_id in authorised
        ]

    def _on_record(self, record: LockRecord) -> None:
        lock = self.world.locks.get(record.lock_id)
        if lock is None or self._queue is None:
            return
        if not (self.all_locks or lock.is_wifi or self.world.has_gateway(lock)):
            return
        for app in self._apps_for(lock.admin_uid):
            payload = record_payload(self.world, lock, [record])
            self._queue.put_nowait(Callback(str(app.callback_url), payload))

    def _on_notice(self, notify_type: int, admin_uid: int, fields: dict[str, Any]) -> None:
        """A notice of the world (notifyType 2, 3, 4, 7), form-encoded."""
        if self._queue is None:
            return
        for app in self._apps_for(admin_uid):
            form = notice_form(notify_type, fields)
            self._queue.put_nowait(Callback(str(app.callback_url), form))

    def notify(self, client_id: str, notify_type: int, **fields: Any) -> Callback | None:
        """Queue a callback of any notify type (2, 3, 4, 7 …) to one app."""
        app = self.world.apps[client_id]
        if not app.callback_url or self._queue is None:
            return None
        callback = Callback(app.callback_url, notice_form(notify_type, fields))
        self._queue.put_nowait(callback)
        return callback

    async def drain(self) -> None:
        """Send the notices that fell due on the world clock, then wait until every queued
        callback has been answered."""
        if self._queue is not None:
            self.world.send_due_notices()
            await self._queue.join()

    async def _run(self) -> None:
        assert self._queue is not None
        while True:
            try:
                callback = await asyncio.wait_for(self._queue.get(), NOTICE_TICK_S)
            except TimeoutError:  # a running clock: offline notices fall due by themselves
                self.world.send_due_notices()
                continue
            try:
                await self._post(callback)
            finally:
                self._queue.task_done()

    async def _post(self, callback: Callback) -> None:
        assert self._session is not None
        try:
            async with self._session.post(callback.url, data=callback.form) as response:
                callback.status = response.status
                callback.body = await response.text()
        except (aiohttp.ClientError, TimeoutError) as err:
            callback.status = None
            callback.body = type(err).__name__
        self.sent.append(callback)

    def summary(self) -> dict[str, Any]:
        return {
            "queued": self._queue.qsize() if self._queue is not None else 0,
            "sent": len(self.sent),
            "failed": sum(not c.ok for c in self.sent),
            "lastStatus": self.sent[-1].status if self.sent else None,
            "pendingNotices": len(self.world.pending_notices()),
            "pendingRefusals": len(self.world.pending_refusals()),
        }


def notice_form(notify_type: int, fields: Mapping[str, Any]) -> dict[str, str]:
    """The form fields of a callback: ``notifyType`` and ``fields`` as TTLock encodes them
    (booleans 1/0, lists and objects as JSON strings)."""
    form = {"notifyType": str(notify_type)}
    form.update({key: _form_value(value) for key, value in fields.items()})
    return form


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


_PUSHERS: weakref.WeakKeyDictionary[World, WebhookPusher] = weakref.WeakKeyDictionary()


def pusher_for(world: World) -> WebhookPusher:
    """The world's pusher (created on first use)."""
    pusher = _PUSHERS.get(world)
    if pusher is None:
        pusher = _PUSHERS[world] = WebhookPusher(world)
    return pusher
