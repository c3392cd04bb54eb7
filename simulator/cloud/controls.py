"""The ``/sim/`` fault-injection and control endpoints (JSON in, JSON out; errors are HTTP
400/404 ``{"error": ...}``), each backed by a :class:`~simulator.world.World` method, the
world's :class:`~simulator.faults.Faults` or its webhook pusher (:mod:`simulator.webhook`):

==========================================  =================================================
``GET  /sim/state``                         secret-free summary of the world
``POST /sim/gateway/online``                ``{gatewayId, online}`` → ``set_gateway_online``
                                            (pushes notifyType 2; offline 30 min late)
``POST /sim/gateway/latency``               ``{seconds, gatewayId?}`` → ``set_gateway_latency``
``POST /sim/gateway/add``                   ``{gatewayName, owner, gatewayVersion?,
                                            networkName?, networkMac?, isOnline?, gatewayId?,
                                            gatewayMac?}`` → ``add_gateway``
``POST /sim/gateway/remove``                ``{gatewayId}`` → ``remove_gateway``
``POST /sim/lock/range``                    ``{lockId, gatewayId, inRange, rssi?}`` →
                                            ``set_lock_in_range``
``POST /sim/lock/remote_unlock``            ``{lockId, enabled}`` → ``set_remote_unlock``
``POST /sim/lock/wifi``                     ``{lockId, online}`` → ``set_wifi_online``
                                            (pushes notifyType 3; offline 15 min late)
``POST /sim/lock/state``                    ``{lockId, state?, doorOpen?, electricQuantity?}``
``POST /sim/lock/add``                      ``{lockAlias, admin, features? | featureValue?,
                                            gateways?: [{gatewayId, rssi}], doorSensor?,
                                            electricQuantity?, lockId?, lockMac?,
                                            autoLockTime?}`` → ``add_lock``
``POST /sim/lock/remove``                   ``{lockId}`` → ``remove_lock``
``POST /sim/records``                       ``{lockId, recordType, username?, keyboardPwd?,
                                            success?, lockDate?, recordTypeFromLock?}`` →
                                            ``add_record``
``POST /sim/lock/keypad``                   ``{lockId, digits}`` → ``enter_code``
``POST /sim/lock/card``                     ``{lockId, cardNumber}`` → ``present_card``
``POST /sim/lock/fingerprint``              ``{lockId, fingerprintNumber}`` →
                                            ``present_fingerprint``
``POST /sim/lock/keypad_memory``            ``{lockId}`` → the STAND-IN keypad memory and
                                            how much the lock holds
``POST /sim/door_sensor/state``             ``{doorSensorId, open}`` → ``set_door_sensor``
                                            (pushes notifyType 7; left open: the alarm
                                            once its time has passed)
``POST /sim/door_sensor/alerts``            ``{doorSensorId, notCloseAlertSecondNum?,
                                            longTimeNotOpenDayNum?}`` (absent or null = off)
                                            → ``set_door_sensor_alerts``
``POST /sim/door_sensor/add``               ``{name, owner, doorSensorId?, mac?, wifiName?,
                                            open?, notCloseAlertSecondNum?,
                                            longTimeNotOpenDayNum?}`` → ``add_door_sensor``
``POST /sim/door_sensor/remove``            ``{doorSensorId}`` → ``remove_door_sensor``
``GET  /sim/usage``                         calls per app and month
``POST /sim/quota``                         ``{clientId, monthlyQuota?, usage?}`` →
                                            ``set_quota`` / ``set_usage``
``POST /sim/rate_limit``                    ``{clientId, calls (null = off), windowSeconds?}``
``GET|POST|DELETE /sim/faults``             list / ``{endpoint, errcode?, times?, errmsg?,
                                            description?, httpStatus?, after?, lockSide?}``
                                            → ``faults.fail_next`` / clear
                                            (``?endpoint=``); ``after``: carried out, then
                                            the answer is lost; ``lockSide``: the lock
                                            refuses (a Wi-Fi lock later: notifyType 4)
``POST /sim/clock``                         ``{skewSeconds? | advanceSeconds? | freezeAtMs? |
                                            freeze? | unfreeze?}`` → ``clock``
``POST /sim/account/password``              ``{username, password}`` → ``change_password``
``POST /sim/tokens/revoke``                 ``{username?, clientId?}`` → ``revoke_tokens``
``POST /sim/tokens/expire``                 ``{username?, clientId?}`` → ``expire_tokens``
``POST /sim/callback_url``                  ``{clientId, callbackUrl (null = none)}``
``POST /sim/callbacks/notify``              ``{clientId, notifyType, ...fields}`` → one
                                            callback with those form fields
``GET  /sim/callbacks``                     counts: queued, sent, failed, last status,
                                            offline notices and lock refusals pending
                                            (served with the webhook pusher, also without
                                            controls)
==========================================  =================================================
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from aiohttp import web

from ..codes import CloudError
from ..entities import DoorSensor, Lock
from ..lockside import lock_memory
from ..offline_codes import STAND_IN_LABEL, keypad_memory
from ..webhook import pusher_for
from ..world import World
from .registry import json_response

__all__ = ["CONTROLS", "add_controls", "world_summary"]


class _ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _need(body: Mapping[str, Any], key: str) -> Any:
    if key not in body or body[key] is None:
        raise _ControlError(f"{key} is required")
    return body[key]


def _as_int(body: Mapping[str, Any], key: str) -> int:
    value = _need(body, key)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _ControlError(f"{key} must be an integer") from None


def _as_bool(body: Mapping[str, Any], key: str) -> bool:
    value = _need(body, key)
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1", "true", "false"):
        return value in (1, "1", "true")
    raise _ControlError(f"{key} must be a boolean")


DEFAULT_NEW_LOCK_FEATURES = (0, 1, 4, 7, 8, 10, 12, 14, 15, 18, 22)

Control = Callable[[World, dict[str, Any]], dict[str, Any]]


def _lock_summary(world: World, lock: Lock) -> dict[str, Any]:
    return {
        "lockId": lock.lock_id,
        "lockAlias": lock.lock_alias,
        "lockMac": lock.lock_mac,
        "state": world.refresh_state(lock).state,
        "doorOpen": lock.door_open if lock.door_sensor else None,
        "electricQuantity": lock.electric_quantity,
        "hasGateway": world.has_gateway(lock),
        "remoteUnlock": lock.remote_unlock,
    }


def _c_gateway_online(world: World, body: dict[str, Any]) -> dict[str, Any]:
    gateway_id = _as_int(body, "gatewayId")
    world.set_gateway_online(gateway_id, _as_bool(body, "online"))
    return {"gatewayId": gateway_id, "isOnline": world.gateways[gateway_id].is_online}


def _c_gateway_latency(world: World, body: dict[str, Any]) -> dict[str, Any]:
    seconds = float(_need(body, "seconds"))
    gateway_id = body.get("gatewayId")
    world.set_gateway_latency(seconds, None if gateway_id is None else int(gateway_id))
    return {"seconds": seconds, "gatewayId": gateway_id}


def _c_gateway_add(world: World, body: dict[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for key, attr in (
        ("gatewayVersion", "gateway_version"),
        ("networkName", "network_name"),
        ("networkMac", "network_mac"),
        ("isOnline", "is_online"),
    ):
        if key in body:
            attributes[attr] = body[key]
    gateway = world.add_gateway(
        gateway_name=str(_need(body, "gatewayName")),
        owner=_need(body, "owner"),
        gateway_id=body.get("gatewayId"),
        gateway_mac=body.get("gatewayMac"),
        **attributes,
    )
    return {"gatewayId": gateway.gateway_id, "gatewayMac": gateway.gateway_mac}


def _c_gateway_remove(world: World, body: dict[str, Any]) -> dict[str, Any]:
    gateway = world.remove_gateway(_as_int(body, "gatewayId"))
    return {"gatewayId": gateway.gateway_id, "removed": True}


def _c_lock_range(world: World, body: dict[str, Any]) -> dict[str, Any]:
    lock_id = _as_int(body, "lockId")
    rssi = body.get("rssi")
    world.set_lock_in_range(
        lock_id,
        _as_int(body, "gatewayId"),
        _as_bool(body, "inRange"),
        None if rssi is None else int(rssi),
    )
    return _lock_summary(world, world.lock(lock_id))


def _c_lock_remote_unlock(world: World, body: dict[str, Any]) -> dict[str, Any]:
    lock_id = _as_int(body, "lockId")
    world.set_remote_unlock(lock_id, _as_bool(body, "enabled"))
    return _lock_summary(world, world.lock(lock_id))


def _c_lock_wifi(world: World, body: dict[str, Any]) -> dict[str, Any]:
    lock_id = _as_int(body, "lockId")
    world.set_wifi_online(lock_id, _as_bool(body, "online"))
    return {"lockId": lock_id, "wifiOnline": world.lock(lock_id).wifi_online}


def _c_lock_state(world: World, body: dict[str, Any]) -> dict[str, Any]:
    lock_id = _as_int(body, "lockId")
    if body.get("state") is not None:
        world.set_lock_state(lock_id, _as_int(body, "state"))
    if body.get("doorOpen") is not None:
        world.set_door(lock_id, _as_bool(body, "doorOpen"))
    if body.get("electricQuantity") is not None:
        world.set_battery(lock_id, _as_int(body, "electricQuantity"))
    return _lock_summary(world, world.lock(lock_id))


def _c_lock_add(world: World, body: dict[str, Any]) -> dict[str, Any]:
    if "featureValue" in body:
        value = int(str(body["featureValue"]), 16)
        features: tuple[int, ...] = tuple(b for b in range(value.bit_length()) if value >> b & 1)
    else:
        features = tuple(int(bit) for bit in body.get("features", DEFAULT_NEW_LOCK_FEATURES))
    attributes: dict[str, Any] = {}
    for key, attr in (
        ("electricQuantity", "electric_quantity"),
        ("doorSensor", "door_sensor"),
        ("autoLockTime", "auto_lock_time"),
        ("modelNum", "model_num"),
    ):
        if key in body:
            attributes[attr] = body[key]
    lock = world.add_lock(
        lock_alias=str(_need(body, "lockAlias")),
        admin=_need(body, "admin"),
        features=features,
        lock_id=body.get("lockId"),
        lock_mac=body.get("lockMac"),
        gateways=[(int(g["gatewayId"]), int(g.get("rssi", -65))) for g in body.get("gateways", [])],
        **attributes,
    )
    return _lock_summary(world, lock)


def _c_lock_remove(world: World, body: dict[str, Any]) -> dict[str, Any]:
    lock = world.remove_lock(_as_int(body, "lockId"))
    return {"lockId": lock.lock_id, "removed": True}


def _c_records(world: World, body: dict[str, Any]) -> dict[str, Any]:
    record = world.add_record(
        _as_int(body, "lockId"),
        _as_int(body, "recordType"),
        record_type_from_lock=body.get("recordTypeFromLock"),
        username=str(body.get("username", "")),
        keyboard_pwd=str(body.get("keyboardPwd", "")),
        success=int(body.get("success", 1)),
        lock_date=body.get("lockDate"),
    )
    return record.to_json()


def _c_quota(world: World, body: dict[str, Any]) -> dict[str, Any]:
    client_id = str(_need(body, "clientId"))
    if client_id not in world.apps:
        raise _ControlError(f"unknown clientId {client_id}", 404)
    if "monthlyQuota" in body:
        quota = body["monthlyQuota"]
        world.set_quota(client_id, None if quota is None else int(quota))
    if body.get("usage") is not None:
        world.set_usage(client_id, _as_int(body, "usage"), body.get("month"))
    return {
        "clientId": client_id,
        "monthlyQuota": world.apps[client_id].monthly_quota,
        "usage": world.usage(client_id),
    }


def _c_rate_limit(world: World, body: dict[str, Any]) -> dict[str, Any]:
    client_id = str(_need(body, "clientId"))
    if client_id not in world.apps:
        raise _ControlError(f"unknown clientId {client_id}", 404)
    calls = body.get("calls")
    window = float(body.get("windowSeconds", 1.0))
    world.set_rate_limit(client_id, None if calls is None else int(calls), window)
    return {"clientId": client_id, "calls": calls, "windowSeconds": window}


def _c_faults(world: World, body: dict[str, Any]) -> dict[str, Any]:
    world.faults.fail_next(
        str(_need(body, "endpoint")),
        int(body.get("errcode", 1)),
        int(body.get("times", 1)),
        errmsg=body.get("errmsg"),
        description=body.get("description"),
        http_status=int(body.get("httpStatus", 200)),
        after=bool(body.get("after", False)),
        lock_side=bool(body.get("lockSide", False)),
    )
    return {"faults": world.faults.pending()}


def _c_clock(world: World, body: dict[str, Any]) -> dict[str, Any]:
    clock = world.clock
    if body.get("skewSeconds") is not None:
        world.set_time_skew(float(body["skewSeconds"]))
    if body.get("freezeAtMs") is not None:
        clock.freeze(int(body["freezeAtMs"]))
    elif body.get("freeze"):
        clock.freeze()
    if body.get("unfreeze"):
        clock.unfreeze()
    if body.get("advanceSeconds") is not None:
        clock.advance(float(body["advanceSeconds"]))
    return {"now": world.now_ms(), "frozen": clock.frozen, "offsetMs": clock.offset_ms}


def _c_password(world: World, body: dict[str, Any]) -> dict[str, Any]:
    username = str(_need(body, "username"))
    world.change_password(username, str(_need(body, "password")))
    return {"username": username, "tokensRevoked": True}


def _c_revoke(world: World, body: dict[str, Any]) -> dict[str, Any]:
    return {"revoked": world.revoke_tokens(body.get("username"), body.get("clientId"))}


def _c_expire(world: World, body: dict[str, Any]) -> dict[str, Any]:
    return {"expired": world.expire_tokens(body.get("username"), body.get("clientId"))}


# --- at the lock (simulator.lockside) ----------------------------------------------------


def _c_keypad(world: World, body: dict[str, Any]) -> dict[str, Any]:
    return world.enter_code(_as_int(body, "lockId"), str(_need(body, "digits"))).to_json()


def _c_card(world: World, body: dict[str, Any]) -> dict[str, Any]:
    return world.present_card(_as_int(body, "lockId"), str(_need(body, "cardNumber"))).to_json()


def _c_fingerprint(world: World, body: dict[str, Any]) -> dict[str, Any]:
    number = str(_need(body, "fingerprintNumber"))
    return world.present_fingerprint(_as_int(body, "lockId"), number).to_json()


def _c_keypad_memory(world: World, body: dict[str, Any]) -> dict[str, Any]:
    lock = world.locks.get(_as_int(body, "lockId"))
    if lock is None:
        raise _ControlError("unknown lock", 404)
    memory = keypad_memory(lock)
    held = lock_memory(lock)
    return {
        "algorithm": STAND_IN_LABEL,
        "firstUsed": dict(memory.first_used),
        "consumed": sorted(memory.consumed),
        "blacklist": sorted(memory.blacklist),
        "erasedAt": memory.erased_at_ms,
        "heldPasscodes": len(held.passcodes),
        "heldCards": len(held.cards),
        "heldFingerprints": len(held.fingerprints),
    }


# --- standalone door sensors (DS3) --------------------------------------------------------


def _door_sensor_summary(sensor: DoorSensor) -> dict[str, Any]:
    return {
        "doorSensorId": sensor.door_sensor_id,
        "name": sensor.name,
        "mac": sensor.mac,
        "ownerUid": sensor.owner_uid,
        "open": sensor.is_open,
        "notCloseAlertSecondNum": sensor.not_closed_alert_s,
        "longTimeNotOpenDayNum": sensor.not_opened_alert_days,
        "alarmDueMs": sensor.alarm_due_ms,
    }


def _optional_int(body: Mapping[str, Any], key: str) -> int | None:
    return None if body.get(key) is None else _as_int(body, key)


def _c_door_sensor_state(world: World, body: dict[str, Any]) -> dict[str, Any]:
    sensor_id = _as_int(body, "doorSensorId")
    world.set_door_sensor(sensor_id, _as_bool(body, "open"))
    return _door_sensor_summary(world.door_sensor(sensor_id))


def _c_door_sensor_alerts(world: World, body: dict[str, Any]) -> dict[str, Any]:
    sensor_id = _as_int(body, "doorSensorId")
    world.set_door_sensor_alerts(
        sensor_id,
        not_closed_s=_optional_int(body, "notCloseAlertSecondNum"),
        not_opened_days=_optional_int(body, "longTimeNotOpenDayNum"),
    )
    return _door_sensor_summary(world.door_sensor(sensor_id))


def _c_door_sensor_add(world: World, body: dict[str, Any]) -> dict[str, Any]:
    sensor = world.add_door_sensor(
        name=str(_need(body, "name")),
        owner=_need(body, "owner"),
        door_sensor_id=_optional_int(body, "doorSensorId"),
        mac=body.get("mac"),
        wifi_name=str(body.get("wifiName", "")),
        is_open=_as_bool(body, "open") if body.get("open") is not None else False,
        not_closed_alert_s=_optional_int(body, "notCloseAlertSecondNum"),
        not_opened_alert_days=_optional_int(body, "longTimeNotOpenDayNum"),
    )
    return _door_sensor_summary(sensor)


def _c_door_sensor_remove(world: World, body: dict[str, Any]) -> dict[str, Any]:
    sensor = world.remove_door_sensor(_as_int(body, "doorSensorId"))
    return {"doorSensorId": sensor.door_sensor_id, "removed": True}


# --- callbacks (simulator.webhook) -------------------------------------------------------


def _c_callback_url(world: World, body: dict[str, Any]) -> dict[str, Any]:
    app = world.apps[str(_need(body, "clientId"))]
    url = body.get("callbackUrl")
    app.callback_url = str(url) if url else None
    return {"clientId": app.client_id, "callbackUrl": app.callback_url}


def _c_notify(world: World, body: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in body.items() if k not in ("clientId", "notifyType")}
    callback = pusher_for(world).notify(
        str(_need(body, "clientId")), _as_int(body, "notifyType"), **fields
    )
    return {"queued": callback is not None}


CONTROLS: dict[str, Control] = {
    "gateway/online": _c_gateway_online,
    "gateway/latency": _c_gateway_latency,
    "gateway/add": _c_gateway_add,
    "gateway/remove": _c_gateway_remove,
    "lock/range": _c_lock_range,
    "lock/remote_unlock": _c_lock_remote_unlock,
    "lock/wifi": _c_lock_wifi,
    "lock/state": _c_lock_state,
    "lock/add": _c_lock_add,
    "lock/remove": _c_lock_remove,
    "records": _c_records,
    "quota": _c_quota,
    "rate_limit": _c_rate_limit,
    "faults": _c_faults,
    "clock": _c_clock,
    "account/password": _c_password,
    "tokens/revoke": _c_revoke,
    "tokens/expire": _c_expire,
    "lock/keypad": _c_keypad,
    "lock/card": _c_card,
    "lock/fingerprint": _c_fingerprint,
    "lock/keypad_memory": _c_keypad_memory,
    "door_sensor/state": _c_door_sensor_state,
    "door_sensor/alerts": _c_door_sensor_alerts,
    "door_sensor/add": _c_door_sensor_add,
    "door_sensor/remove": _c_door_sensor_remove,
    "callback_url": _c_callback_url,
    "callbacks/notify": _c_notify,
}


async def _control(world: World, control: Control, request: web.Request) -> web.Response:
    try:
        body = await request.json() if request.can_read_body else {}
    except json.JSONDecodeError:
        return json_response({"error": "body must be JSON"}, 400)
    if not isinstance(body, dict):
        return json_response({"error": "body must be a JSON object"}, 400)
    try:
        return json_response(control(world, body))
    except _ControlError as error:
        return json_response({"error": str(error)}, error.status)
    except CloudError as error:
        return json_response({"error": error.description, "errcode": error.errcode}, 404)
    except KeyError as error:
        return json_response({"error": f"not found: {error}"}, 404)
    except (TypeError, ValueError) as error:
        return json_response({"error": str(error)}, 400)


def add_controls(app: web.Application, world: World) -> None:
    async def state(_request: web.Request) -> web.Response:
        return json_response(world_summary(world))

    async def usage(_request: web.Request) -> web.Response:
        return json_response(
            {client_id: dict(entry.usage) for client_id, entry in world.apps.items()}
        )

    async def faults(_request: web.Request) -> web.Response:
        return json_response({"faults": world.faults.pending()})

    async def clear_faults(request: web.Request) -> web.Response:
        world.faults.clear(request.query.get("endpoint"))
        return json_response({"faults": world.faults.pending()})

    app.router.add_get("/sim/state", state)
    app.router.add_get("/sim/usage", usage)
    app.router.add_get("/sim/faults", faults)
    app.router.add_delete("/sim/faults", clear_faults)
    for path, control in CONTROLS.items():
        app.router.add_post(f"/sim/{path}", partial(_control, world, control))


def world_summary(world: World) -> dict[str, Any]:
    """A secret-free JSON view for ``GET /sim/state``."""
    return {
        "now": world.now_ms(),
        "clockFrozen": world.clock.frozen,
        "gatewayLatencySeconds": world.gateway_latency_s,
        "accounts": [
            {"uid": a.uid, "username": a.username, "region": a.region}
            for a in world.accounts.values()
        ],
        "apps": [
            {
                "clientId": app.client_id,
                "region": app.region,
                "monthlyQuota": app.monthly_quota,
                "usage": app.usage.get(world.month_key(), 0),
                "rateLimit": app.rate_limit,
                "callbackUrl": app.callback_url,
            }
            for app in world.apps.values()
        ],
        "locks": [
            {
                "lockId": lock.lock_id,
                "lockAlias": lock.lock_alias,
                "lockMac": lock.lock_mac,
                "type": lock.lock_type,
                "adminUid": lock.admin_uid,
                "state": world.refresh_state(lock).state,
                "doorSensor": lock.door_sensor,
                "doorOpen": lock.door_open,
                "electricQuantity": lock.electric_quantity,
                "remoteUnlock": lock.remote_unlock,
                "wifi": lock.is_wifi,
                "wifiOnline": lock.wifi_online if lock.is_wifi else None,
                "records": len(world.records.get(lock.lock_id, [])),
            }
            for lock in world.locks.values()
        ],
        "gateways": [
            {
                "gatewayId": gateway.gateway_id,
                "gatewayName": gateway.gateway_name,
                "isOnline": gateway.is_online,
                "latencySeconds": gateway.latency_s,
                "busy": world.is_busy(gateway),
                "locks": [
                    {"lockId": link.lock_id, "rssi": link.rssi, "inRange": link.in_range}
                    for link in world.links.values()
                    if link.gateway_id == gateway.gateway_id
                ],
            }
            for gateway in world.gateways.values()
        ],
        "electricMeters": [m.electric_meter_id for m in world.electric_meters.values()],
        "waterMeters": [m.water_meter_id for m in world.water_meters.values()],
        "doorSensors": [_door_sensor_summary(s) for s in world.door_sensors.values()],
        "faults": world.faults.pending(),
    }
