"""eKeys (§2.5 of ``docs/cloud.md``): ``key/send``, ``key/list``, ``key/get``,
``lock/listKey``, ``key/delete``, ``key/freeze``, ``key/unfreeze``, ``key/update``,
``key/changePeriod``, ``key/authorize``, ``key/unauthorize``, ``key/getUnlockLink``.

Errcodes chosen where the public documentation is silent: -1008 unknown key, -2019 to oneself,
-2020 to the top admin, -4064 receiver not registered (without ``createUser=1``), -2023 changing the
admin key's period, -2018 for other operations on the admin key, for granting admin rights as
a non-top admin and on the unlock link when the key is frozen or outside its validity.

Simulator-only: ``key/getUnlockLink`` answers ``<server>/ekey/h?k=<token>``; ``GET`` on it
(:func:`add_unlock_link`) unlocks the lock (through the gateway route) when lock and key allow
remote unlock and the key is valid. It is not under ``/sim/`` and works with
``controls=False`` too.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from ..codes import CloudError
from ..credentials import ADMIN_KEY_BASE, KEY_FROZEN, KEY_NORMAL, SimEKey, ekey_of
from ..entities import Lock
from ..world import World
from .manage import managed_lock, new_id, order_param, ordered, require_manager, validity
from .registry import COMMAND, SUCCESS, ApiRequest, api, json_response, paginate

USER_ADMIN, USER_COMMON = 110301, 110302  # key/list userType


def _admin_key_id(lock: Lock) -> int:
    return ADMIN_KEY_BASE + lock.lock_id


def _find_key(world: World, key_id: int) -> tuple[Lock, SimEKey | None]:
    """(lock, key) for a key id; ``key`` is None for a lock's (synthetic) admin key."""
    if key_id > ADMIN_KEY_BASE and key_id - ADMIN_KEY_BASE in world.locks:
        return world.locks[key_id - ADMIN_KEY_BASE], None
    for lock in world.locks.values():
        key = lock.ekeys.get(key_id)
        if key is not None:
            return lock, key
    raise CloudError(-1008, "eKey does not exist")


def _common_key(req: ApiRequest) -> tuple[Lock, SimEKey]:
    lock, key = _find_key(req.world, req.integer("keyId"))
    require_manager(req, lock)
    if key is None:
        raise CloudError(-2018, "not allowed on the administrator's own eKey")
    return lock, key


def _key_list_item(world: World, lock: Lock, key: SimEKey | None) -> dict[str, Any]:
    """A ``key/list`` / ``key/get`` item (admin key when ``key`` is None)."""
    world.refresh_state(lock)
    item: dict[str, Any] = {
        "keyId": _admin_key_id(lock) if key is None else key.key_id,
        "lockData": lock.lock_data,
        "lockId": lock.lock_id,
        "userType": str(USER_ADMIN if key is None else USER_COMMON),
        "keyStatus": str(KEY_NORMAL if key is None else key.status),
        "lockName": lock.lock_name,
        "lockAlias": lock.lock_alias,
        "lockMac": lock.lock_mac,
        "keyName": lock.lock_alias if key is None else key.key_name,  # not in the docs' table
        "electricQuantity": lock.electric_quantity,
        "startDate": 0 if key is None else key.start_ms,
        "endDate": 0 if key is None else key.end_ms,
        "remarks": "" if key is None else key.remarks,
        "keyRight": 1 if key is None else key.key_right,
        "featureValue": lock.feature_value,
        "remoteEnable": 1 if key is None else key.remote_enable,
        "passageMode": lock.passage_mode,
        "timezoneRawOffset": lock.timezone_raw_offset,
        "groupId": lock.group_id,
        "groupName": lock.group_name,
    }
    if key is None:
        item["noKeyPwd"] = lock.keys.no_key_pwd
    return item


def _lock_key_item(key: SimEKey) -> dict[str, Any]:
    """A ``lock/listKey`` item."""
    return {
        "keyId": key.key_id,
        "lockId": key.lock_id,
        "username": key.username,
        "uid": key.uid,
        "keyName": key.key_name,
        "keyStatus": str(key.status),
        "startDate": key.start_ms,
        "endDate": key.end_ms,
        "keyRight": key.key_right,
        "remoteEnable": key.remote_enable,
        "senderUsername": key.sender_username,
        "remarks": key.remarks,
        "date": key.date_ms,
    }


def _may_create(username: str) -> bool:
    """``createUser`` works for phone numbers and e-mail addresses only (§2.5)."""
    digits = username.removeprefix("+")
    return "@" in username or (digits.isdigit() and len(digits) >= 6)


@api("key/send", methods=COMMAND)
async def key_send(req: ApiRequest) -> dict[str, Any]:
    """Send an eKey; one key per user and lock (re-sending replaces the old key)."""
    world = req.world
    lock = managed_lock(req)
    receiver = req.text("receiverUsername").strip()
    key_name = req.text("keyName")
    start, end = validity(req)
    remarks = req.text("remarks", required=False)
    remote_enable = req.integer("remoteEnable", required=False, default=2, minimum=1, maximum=2)
    key_right = req.integer("keyRight", required=False, default=0, minimum=0, maximum=1)
    create_user = req.integer("createUser", required=False, default=2, minimum=1, maximum=2)
    caller = req.account
    if receiver.lower() == caller.username.lower():
        raise CloudError(-2019, "You cannot send an eKey to Yourself")
    admin = world.accounts[lock.admin_uid]
    if receiver.lower() == admin.username.lower():
        raise CloudError(-2020, "You cannot send an eKey to the Admin")
    if key_right == 1 and caller.uid != lock.admin_uid:
        raise CloudError(-2018, "only the top administrator can send an authorised eKey")
    account = world.account_by_username(receiver)
    if account is None:
        if create_user != 1 or not _may_create(receiver):
            raise CloudError(-4064, "Failed. The eKey can only be sent to a registered account")
        account = world.add_account(receiver, receiver[-6:], region=admin.region)
    for key_id in [k.key_id for k in lock.ekeys.values() if k.uid == account.uid]:
        del lock.ekeys[key_id]
    key = SimEKey(
        key_id=new_id(world, "ekey"),
        lock_id=lock.lock_id,
        uid=account.uid,
        username=account.username,
        key_name=key_name,
        start_ms=start,
        end_ms=end,
        remarks=remarks,
        remote_enable=remote_enable,
        key_right=key_right,
        status=KEY_NORMAL,
        sender_username=caller.username,
        date_ms=world.now_ms(),
    )
    lock.ekeys[key.key_id] = key
    return {"keyId": key.key_id}


@api("key/list")
async def key_list(req: ApiRequest) -> dict[str, Any]:
    """The caller's keys: admin keys of the locks they administer plus keys shared to them."""
    page_no, page_size = req.paging(1000)
    alias = req.text("lockAlias", required=False).lower()
    group_id = req.integer("groupId", required=False, default=0)
    uid = req.account.uid
    items: list[dict[str, Any]] = []
    for lock in req.world.locks.values():
        if lock.lock_type != 1:
            continue
        if (alias and alias not in lock.lock_alias.lower()) or (
            group_id and lock.group_id != group_id
        ):
            continue
        if lock.admin_uid == uid:
            items.append(_key_list_item(req.world, lock, None))
        key = ekey_of(lock, uid)
        if key is not None:
            items.append(_key_list_item(req.world, lock, key))
    return paginate(items, page_no, page_size)


@api("key/get")
async def key_get(req: ApiRequest) -> dict[str, Any]:
    """The caller's key of one lock."""
    lock = req.world.lock(req.integer("lockId"))
    uid = req.account.uid
    if lock.admin_uid == uid:
        return _key_list_item(req.world, lock, None)
    key = ekey_of(lock, uid)
    if key is None:
        raise CloudError(-1008, f"you have no eKey of lock {lock.lock_id}")
    return _key_list_item(req.world, lock, key)


@api("lock/listKey")
async def lock_list_key(req: ApiRequest) -> dict[str, Any]:
    """Common (and authorised) eKeys of a lock; never the top administrator's."""
    lock = managed_lock(req)
    page_no, page_size = req.paging(200)
    order_by = order_param(req)
    search = req.text("searchStr", required=False).lower()
    key_right = req.params.get("keyRight")
    wanted_right = None if key_right in (None, "") else req.integer("keyRight", minimum=0)
    keys = [
        key
        for key in lock.ekeys.values()
        if search in key.key_name.lower()
        and (wanted_right is None or key.key_right == wanted_right)
    ]
    keys = ordered(keys, order_by, lambda k: k.key_name, lambda k: (k.date_ms, k.key_id))
    return paginate([_lock_key_item(key) for key in keys], page_no, page_size)


@api("key/delete", methods=COMMAND)
async def key_delete(req: ApiRequest) -> dict[str, Any]:
    """Delete an eKey. The top administrator deleting their own (admin) key deletes the
    lock binding, as ``docs/cloud.md`` §2.5 warns — the lock leaves the world."""
    world = req.world
    lock, key = _find_key(world, req.integer("keyId"))
    if key is None:
        if lock.admin_uid != req.account.uid:
            raise CloudError(-2018, "only the top administrator can delete the admin eKey")
        world.remove_lock(lock.lock_id)
        return dict(SUCCESS)
    if key.uid != req.account.uid:
        require_manager(req, lock)
    lock.ekeys.pop(key.key_id, None)
    return dict(SUCCESS)


@api("key/freeze", methods=COMMAND)
async def key_freeze(req: ApiRequest) -> dict[str, Any]:
    _lock, key = _common_key(req)
    key.status = KEY_FROZEN
    return dict(SUCCESS)


@api("key/unfreeze", methods=COMMAND)
async def key_unfreeze(req: ApiRequest) -> dict[str, Any]:
    _lock, key = _common_key(req)
    key.status = KEY_NORMAL
    return dict(SUCCESS)


@api("key/update", methods=COMMAND)
async def key_update(req: ApiRequest) -> dict[str, Any]:
    _lock, key = _common_key(req)
    name = req.text("keyName", required=False)
    remote_enable = req.integer("remoteEnable", required=False, default=0, minimum=1, maximum=2)
    if name:
        key.key_name = name
    if remote_enable:
        key.remote_enable = remote_enable
    return dict(SUCCESS)


@api("key/changePeriod", methods=COMMAND)
async def key_change_period(req: ApiRequest) -> dict[str, Any]:
    lock, key = _find_key(req.world, req.integer("keyId"))
    require_manager(req, lock)
    if key is None:
        raise CloudError(-2023, "Can't change the time period now (administrator eKey)")
    key.start_ms, key.end_ms = validity(req)
    return dict(SUCCESS)


async def _set_key_right(req: ApiRequest, right: int) -> dict[str, Any]:
    lock = req.world.lock(req.integer("lockId"))
    if lock.admin_uid != req.account.uid:
        raise CloudError(-2018, "only the top administrator can (un)authorise eKeys")
    key = lock.ekeys.get(req.integer("keyId"))
    if key is None:
        raise CloudError(-1008, f"eKey does not exist on lock {lock.lock_id}")
    key.key_right = right
    return dict(SUCCESS)


@api("key/authorize", methods=COMMAND)
async def key_authorize(req: ApiRequest) -> dict[str, Any]:
    return await _set_key_right(req, 1)


@api("key/unauthorize", methods=COMMAND)
async def key_unauthorize(req: ApiRequest) -> dict[str, Any]:
    return await _set_key_right(req, 0)


@api("key/getUnlockLink", methods=COMMAND)
async def key_get_unlock_link(req: ApiRequest) -> dict[str, Any]:
    """A link that unlocks remotely (simulator-only URL on this server: ``/ekey/h?k=…``)."""
    lock, key = _common_key(req)
    if key.remote_enable != 1 or not lock.remote_unlock:
        raise CloudError(-4043, "remote unlock must be enabled on the lock and on the eKey")
    if not (lock.is_wifi or req.world.has_gateway(lock)):
        raise CloudError(-2012, f"lock {lock.lock_id} is not connected to any gateway")
    if key.link_token is None:
        key.link_token = secrets.token_urlsafe(6)
    return {"link": f"{req.origin}{UNLOCK_LINK_PATH}?k={key.link_token}"}


UNLOCK_LINK_PATH = "/ekey/h"


async def open_unlock_link(world: World, token: str) -> dict[str, Any]:
    """What ``GET /ekey/h?k=<token>`` does (simulator-only stand-in for the web page)."""
    for lock in list(world.locks.values()):
        for key in lock.ekeys.values():
            if token and key.link_token == token:
                world.refresh_state(lock)
                reason = key.validity(world.now_ms())
                if reason != "ok":
                    raise CloudError(-2018, f"the eKey cannot be used now ({reason})")
                if key.remote_enable != 1 or not lock.remote_unlock:
                    raise CloudError(-4043, "remote unlock is disabled for this lock or eKey")
                async with world.occupy(world.route(lock)):
                    world.remote_unlock(lock, world.accounts[key.uid])
                return {**SUCCESS, "lockId": lock.lock_id, "keyId": key.key_id}
    raise CloudError(-1008, "this link is not valid (eKey deleted?)")


def add_unlock_link(app: web.Application, world: World) -> None:
    """Serve ``GET /ekey/h?k=<token>`` (:func:`open_unlock_link`) on ``app``."""

    async def handle(request: web.Request) -> web.Response:
        try:
            body = await open_unlock_link(world, request.query.get("k", ""))
        except CloudError as error:
            body = error.to_json()
        return json_response(body)

    app.router.add_get(UNLOCK_LINK_PATH, handle)
