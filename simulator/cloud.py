"""The simulated TTLock Open Platform (cloud API v3) as an aiohttp application.

Specification: ``/work/shared/research/ttlock-cloud-and-peers.md`` sections 1–3.

Wire conventions (§1.3)
    ``POST /oauth2/token`` and ``/v3/<endpoint>``. Commands are ``POST`` form-encoded;
    list/query endpoints also accept ``GET`` with a query string. Every ``/v3`` call
    carries ``clientId``, ``accessToken`` and ``date`` (epoch ms, within 5 minutes of the
    world clock, else 80000). Failures are **HTTP 200** with
    ``{"errcode", "errmsg", "description"}``; commands answer ``{"errcode": 0, …}``;
    queries answer the bare data object; lists answer
    ``{"list": [...], "pageNo", "pageSize", "pages", "total"}``.

Endpoints (§1.2, §2.1, §2.6, §2.7, §2.8)
    ``oauth2/token`` (password grant with the MD5 password, ``clientId``/``clientSecret``
    or ``client_id``/``client_secret`` + ``grant_type``; refresh with
    ``grant_type=refresh_token``), ``lock/list`` (pageSize ≤ 1000, top-admin locks only;
    ``type`` 2 lists lift controllers), ``lock/detail``, ``lock/queryOpenState``,
    ``lock/queryElectricQuantity``, ``lock/unlock``, ``lock/lock``, ``wifiLock/detail``,
    ``gateway/list`` (≤ 200), ``gateway/listByLock``, ``lockRecord/list`` (≤ 200),
    ``electricMeter/list``, ``waterMeter/list``. Passcodes, IC cards, fingerprints, faces
    and eKeys (§2.2–§2.5), their ``/sim/`` controls and the eKey unlock-link page live in
    :mod:`simulator.credentials` (imported at the end of this module).

Order of checks for every call: clientId (10000 missing; 10001 unknown or registered in
another region) → the call is counted for the app and month, 30007 when the monthly quota
is used up, 30006 over the rate limit → (``/v3`` only) ``date`` (80000) → ``accessToken``
(10003 missing, 10004 unknown/expired/revoked/issued to another app) → injected faults →
the endpoint (parameters -3, unknown lock -1003, not the admin 20002, routing -2012 /
-3002 / -3036, remote unlock off -4043, busy -3003 / -3037).

Extending: write ``@api("path", methods=...)`` handlers taking an :class:`ApiRequest`
and returning a JSON object (raise :class:`~simulator.world.CloudError` to fail). Handlers
registered before a :class:`CloudServer` is created are served by it; later issues can add
modules (passcodes, cards, fingerprints, faces, eKeys) and import them at the end of this
module.

Fault-injection and control endpoints (JSON in, JSON out; errors are HTTP 400/404
``{"error": ...}``), each backed by a :class:`~simulator.world.World` method:

==========================================  =================================================
``GET  /sim/state``                         secret-free summary of the world
``POST /sim/gateway/online``                ``{gatewayId, online}`` → ``set_gateway_online``
``POST /sim/gateway/latency``               ``{seconds, gatewayId?}`` → ``set_gateway_latency``
``POST /sim/gateway/add``                   ``{gatewayName, owner, gatewayVersion?,
                                            networkName?, networkMac?, isOnline?, gatewayId?,
                                            gatewayMac?}`` → ``add_gateway``
``POST /sim/gateway/remove``                ``{gatewayId}`` → ``remove_gateway``
``POST /sim/lock/range``                    ``{lockId, gatewayId, inRange, rssi?}`` →
                                            ``set_lock_in_range``
``POST /sim/lock/remote_unlock``            ``{lockId, enabled}`` → ``set_remote_unlock``
``POST /sim/lock/wifi``                     ``{lockId, online}`` → ``set_wifi_online``
``POST /sim/lock/state``                    ``{lockId, state?, doorOpen?, electricQuantity?}``
``POST /sim/lock/add``                      ``{lockAlias, admin, features? | featureValue?,
                                            gateways?: [{gatewayId, rssi}], doorSensor?,
                                            electricQuantity?, lockId?, lockMac?,
                                            autoLockTime?}`` → ``add_lock``
``POST /sim/lock/remove``                   ``{lockId}`` → ``remove_lock``
``POST /sim/records``                       ``{lockId, recordType, username?, keyboardPwd?,
                                            success?, lockDate?, recordTypeFromLock?}`` →
                                            ``add_record``
``GET  /sim/usage``                         calls per app and month
``POST /sim/quota``                         ``{clientId, monthlyQuota?, usage?}`` →
                                            ``set_quota`` / ``set_usage``
``POST /sim/rate_limit``                    ``{clientId, calls (null = off), windowSeconds?}``
``GET|POST|DELETE /sim/faults``             list / ``{endpoint, errcode?, times?, errmsg?,
                                            description?, httpStatus?, after?}`` →
                                            ``faults.fail_next`` / clear (``?endpoint=``);
                                            ``after``: carried out, then the answer is lost
``POST /sim/clock``                         ``{skewSeconds? | advanceSeconds? | freezeAtMs? |
                                            freeze? | unfreeze?}`` → ``clock``
``POST /sim/account/password``              ``{username, password}`` → ``change_password``
``POST /sim/tokens/revoke``                 ``{username?, clientId?}`` → ``revoke_tokens``
``POST /sim/tokens/expire``                 ``{username?, clientId?}`` → ``expire_tokens``
==========================================  =================================================
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Self

from aiohttp import web

from .codes import FEATURE, CloudError
from .entities import Account, DeveloperApp, Lock, Token
from .faults import Fault
from .world import World

__all__ = [
    "ENDPOINTS",
    "ApiRequest",
    "CloudServer",
    "EndpointSpec",
    "api",
    "create_app",
    "paginate",
]

Handler = Callable[["ApiRequest"], Awaitable[dict[str, Any]]]

SUCCESS: dict[str, Any] = {
    "errcode": 0,
    "errmsg": "none error message or means yes",
    "description": "success",
}


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


# --- endpoint registry ---------------------------------------------------------------------


@dataclass(frozen=True)
class EndpointSpec:
    """One cloud endpoint: path below the host (``"lock/list"``), methods, auth."""

    path: str
    handler: Handler
    methods: tuple[str, ...]
    authenticated: bool

    @property
    def url(self) -> str:
        return f"/{self.path}" if self.path.startswith("oauth2/") else f"/v3/{self.path}"


ENDPOINTS: dict[str, EndpointSpec] = {}

QUERY = ("GET", "POST")
COMMAND = ("POST",)


def api(
    path: str, *, methods: tuple[str, ...] = QUERY, authenticated: bool = True
) -> Callable[[Handler], Handler]:
    """Register a handler for ``path`` (e.g. ``"lock/list"``)."""

    def register(handler: Handler) -> Handler:
        ENDPOINTS[path] = EndpointSpec(path, handler, methods, authenticated)
        return handler

    return register


# --- request helpers -----------------------------------------------------------------------


@dataclass
class ApiRequest:
    """What a handler sees: the world, the caller and the merged parameters."""

    world: World
    region: str
    endpoint: str
    params: Mapping[str, str]
    app: DeveloperApp
    token: Token | None = None
    origin: str = ""
    """``scheme://host:port`` the request was sent to (for links the cloud hands out)."""

    @property
    def account(self) -> Account:
        if self.token is None:
            raise CloudError(10003, "accessToken is required")
        return self.world.accounts[self.token.uid]

    def text(self, name: str, *, required: bool = True, default: str = "") -> str:
        value = self.params.get(name)
        if value is None or value == "":
            if required:
                raise CloudError(-3, f"parameter {name} is required")
            return default
        return value

    def integer(
        self,
        name: str,
        *,
        required: bool = True,
        default: int = 0,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        raw = self.params.get(name)
        if raw is None or raw == "":
            if required:
                raise CloudError(-3, f"parameter {name} is required")
            return default
        try:
            value = int(raw)
        except ValueError:
            raise CloudError(-3, f"parameter {name} must be an integer, got {raw!r}") from None
        if minimum is not None and value < minimum:
            raise CloudError(-3, f"parameter {name} must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise CloudError(-3, f"parameter {name} must not exceed {maximum}")
        return value

    def paging(
        self, max_size: int, *, required: bool = True, default_size: int = 20
    ) -> tuple[int, int]:
        page_no = self.integer("pageNo", required=required, default=1, minimum=1)
        page_size = self.integer(
            "pageSize", required=required, default=default_size, minimum=1, maximum=max_size
        )
        return page_no, page_size

    def admin_lock(self, name: str = "lockId") -> Lock:
        """The lock named by ``name``: -1003 when unknown, 20002 when not the caller's."""
        lock = self.world.lock(self.integer(name))
        if lock.admin_uid != self.account.uid:
            raise CloudError(20002, f"you are not the administrator of lock {lock.lock_id}")
        return self.world.refresh_state(lock)


def paginate(items: list[Any], page_no: int, page_size: int) -> dict[str, Any]:
    """TTLock list envelope."""
    total = len(items)
    start = (page_no - 1) * page_size
    return {
        "list": items[start : start + page_size],
        "pageNo": page_no,
        "pageSize": page_size,
        "pages": math.ceil(total / page_size) if total else 0,
        "total": total,
    }


# --- JSON views ----------------------------------------------------------------------------


def lock_list_item(world: World, lock: Lock) -> dict[str, Any]:
    """``lock/list`` item (§2.1 documented fields + ``electricQuantityUpdateDate``/``bindDate``)."""
    return {
        "lockId": lock.lock_id,
        "lockName": lock.lock_name,
        "lockAlias": lock.lock_alias,
        "lockMac": lock.lock_mac,
        "electricQuantity": lock.electric_quantity,
        "featureValue": lock.feature_value,
        "hasGateway": 1 if world.has_gateway(lock) else 0,
        "lockData": lock.lock_data,
        "groupId": lock.group_id,
        "groupName": lock.group_name,
        "date": lock.init_date,
        "electricQuantityUpdateDate": lock.electric_quantity_update_date,
        "bindDate": lock.bind_date,
    }


def lock_detail(world: World, lock: Lock) -> dict[str, Any]:
    """``lock/detail`` (§2.1 documented + undocumented fields; unsupported ones absent)."""
    keys = lock.keys
    detail: dict[str, Any] = {
        "lockId": lock.lock_id,
        "lockName": lock.lock_name,
        "lockAlias": lock.lock_alias,
        "lockMac": lock.lock_mac,
        "noKeyPwd": keys.no_key_pwd,
        "electricQuantity": lock.electric_quantity,
        "featureValue": lock.feature_value,
        "timezoneRawOffset": lock.timezone_raw_offset,
        "modelNum": lock.model_num,
        "hardwareRevision": lock.hardware_revision,
        "firmwareRevision": lock.firmware_revision,
        "hasGateway": 1 if world.has_gateway(lock) else 0,
        "adminPwd": keys.admin_pwd,
        "lockKey": keys.lock_key,
        "aesKeyStr": keys.aes_key_str,
        "deletePwd": keys.delete_pwd,
        "isFrozen": lock.is_frozen,
        "specialValue": lock.special_value,
        "displayPasscode": lock.display_passcode,
        "keyboardPwdVersion": lock.keyboard_pwd_version,
        "lockFlagPos": keys.lock_flag_pos,
        "lockVersion": lock.lock_version.to_json(),
        "doubleVerification": lock.double_verification,
        "lockUpdateDate": lock.lock_update_date,
        "date": lock.init_date,  # required by the JB lock/detail model (research §4.1)
    }
    optional: list[tuple[str, str, Any]] = [
        ("auto_lock", "autoLockTime", lock.auto_lock_time),
        ("audio", "lockSound", lock.lock_sound),
        ("volume_language", "soundVolume", lock.sound_volume),
        ("privacy_lock", "privacyLock", lock.privacy_lock),
        ("tamper_alert", "tamperAlert", lock.tamper_alert),
        ("reset_button", "resetButton", lock.reset_button),
        ("open_direction", "openDirection", lock.open_direction),
        ("passage_mode", "passageMode", lock.passage_mode),
        ("passage_mode_auto_unlock", "passageModeAutoUnlock", lock.passage_mode_auto_unlock),
        ("sensitivity", "sensitivity", lock.sensitivity),
        ("wireless_keypad", "wirelessKeypadFeatureValue", lock.wireless_keypad_feature_value),
    ]
    for feature, key, value in optional:
        if lock.has_feature(FEATURE[feature]):
            detail[key] = value
    return detail


# --- endpoints: auth (§1.2) ---------------------------------------------------------------


def _token_json(token: Token) -> dict[str, Any]:
    return {
        "access_token": token.access_token,
        "uid": token.uid,
        "refresh_token": token.refresh_token,
        "expires_in": token.expires_in,
        "scope": "user,key,room",
        "token_type": "Bearer",
    }


@api("oauth2/token", methods=COMMAND, authenticated=False)
async def oauth2_token(req: ApiRequest) -> dict[str, Any]:
    secret = req.params.get("clientSecret") or req.params.get("client_secret") or ""
    if secret != req.app.client_secret:
        raise CloudError(10001, "the client secret does not match the clientId")
    grant_type = req.params.get("grant_type") or "password"
    if grant_type == "password":
        username = req.text("username")
        password = req.text("password")
        token = req.world.login(req.app, username, password, req.region)
    elif grant_type == "refresh_token":
        refresh_token = req.params.get("refresh_token") or ""
        if not refresh_token:
            raise CloudError(10011, "refresh_token is required")
        token = req.world.refresh(req.app, refresh_token)
    else:
        raise CloudError(-3, f"unsupported grant_type {grant_type!r}")
    return _token_json(token)


# --- endpoints: locks (§2.1) --------------------------------------------------------------


@api("lock/list")
async def lock_list(req: ApiRequest) -> dict[str, Any]:
    page_no, page_size = req.paging(1000)
    lock_type = req.integer("type", required=False, default=1, minimum=1, maximum=3)
    alias = req.text("lockAlias", required=False).lower()
    group_id = req.integer("groupId", required=False, default=0)
    locks = [
        lock
        for lock in req.world.locks_of(req.account.uid, lock_type)
        if (not alias or alias in lock.lock_alias.lower())
        and (not group_id or lock.group_id == group_id)
    ]
    return paginate([lock_list_item(req.world, lock) for lock in locks], page_no, page_size)


@api("lock/detail")
async def lock_detail_endpoint(req: ApiRequest) -> dict[str, Any]:
    return lock_detail(req.world, req.admin_lock())


@api("wifiLock/detail")
async def wifi_lock_detail(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    if not lock.is_wifi:
        raise CloudError(-4043, f"lock {lock.lock_id} is not a Wi-Fi lock")
    return {
        "lockId": lock.lock_id,
        "networkName": lock.wifi_network_name,
        "wifiMac": lock.wifi_mac,
        "rssiGrade": lock.wifi_rssi_grade if lock.wifi_online else 0,
        "isOnline": 1 if lock.wifi_online else 0,
        "powerSavingMode": lock.wifi_power_saving_mode,
    }


@api("lock/queryOpenState")
async def lock_query_open_state(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    async with req.world.occupy(req.world.route(lock)):
        return req.world.remote_query_state(lock)


@api("lock/queryElectricQuantity")
async def lock_query_electric_quantity(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    async with req.world.occupy(req.world.route(lock)):
        return {"electricQuantity": req.world.remote_query_battery(lock)}


@api("lock/unlock", methods=COMMAND)
async def lock_unlock(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    route = req.world.route(lock)
    if not lock.remote_unlock:
        raise CloudError(-4043, "remote unlock is switched off for this lock in the TTLock app")
    async with req.world.occupy(route):
        req.world.remote_unlock(lock, req.account)
    return dict(SUCCESS)


@api("lock/lock", methods=COMMAND)
async def lock_lock(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    async with req.world.occupy(req.world.route(lock)):
        req.world.remote_lock(lock, req.account)
    return dict(SUCCESS)


# --- endpoints: gateways (§2.6) -----------------------------------------------------------


@api("gateway/list")
async def gateway_list(req: ApiRequest) -> dict[str, Any]:
    page_no, page_size = req.paging(200)
    world = req.world
    items = [
        {
            "gatewayId": gateway.gateway_id,
            "gatewayMac": gateway.gateway_mac,
            "gatewayName": gateway.gateway_name,
            "gatewayVersion": gateway.gateway_version,
            "networkName": gateway.network_name,
            "networkMac": gateway.network_mac,
            "lockNum": world.gateway_lock_count(gateway.gateway_id),
            "isOnline": 1 if gateway.is_online else 0,
        }
        for gateway in world.gateways_of(req.account.uid)
    ]
    return paginate(items, page_no, page_size)


@api("gateway/listByLock")
async def gateway_list_by_lock(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    return {
        "list": [
            {
                "gatewayId": gateway.gateway_id,
                "gatewayMac": gateway.gateway_mac,
                "gatewayName": gateway.gateway_name,
                "rssi": link.rssi,
                "rssiUpdateDate": link.updated_ms,
            }
            for gateway, link in req.world.sightings(lock.lock_id)
        ]
    }


# --- endpoints: records (§2.7) ------------------------------------------------------------


@api("lockRecord/list")
async def lock_record_list(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    page_no, page_size = req.paging(200)
    start = req.integer("startDate", required=False, default=0, minimum=0)
    end = req.integer("endDate", required=False, default=0, minimum=0)
    if start and end and start > end:
        raise CloudError(-3, "startDate must not be after endDate")
    record_type = req.integer("recordType", required=False, default=0)
    uid = req.integer("uid", required=False, default=0)
    search = req.text("searchStr", required=False).lower()
    records = [
        record
        for record in req.world.records.get(lock.lock_id, [])
        if (not start or record.lock_date >= start)
        and (not end or record.lock_date <= end)
        and (not record_type or record.record_type == record_type)
        and (not uid or record.uid == uid)
        and (
            not search or search in record.username.lower() or search in record.keyboard_pwd.lower()
        )
    ]
    records.sort(key=lambda record: (record.lock_date, record.record_id), reverse=True)
    return paginate([record.to_json() for record in records], page_no, page_size)


# --- endpoints: meters (§2.8) -------------------------------------------------------------


@api("electricMeter/list")
async def electric_meter_list(req: ApiRequest) -> dict[str, Any]:
    page_no, page_size = req.paging(200, required=False)
    search = req.text("searchStr", required=False).lower()
    group_id = req.integer("groupId", required=False, default=0)
    items = [
        meter.to_list_json()
        for meter in req.world.electric_meters.values()
        if meter.owner_uid == req.account.uid
        and (not group_id or meter.group_id == group_id)
        and (not search or search in meter.name.lower() or search in meter.number.lower())
    ]
    return paginate(items, page_no, page_size)


@api("waterMeter/list")
async def water_meter_list(req: ApiRequest) -> dict[str, Any]:
    page_no, page_size = req.paging(200, required=False)
    search = req.text("searchStr", required=False).lower()
    group_id = req.integer("groupId", required=False, default=0)
    items = [
        meter.to_list_json()
        for meter in req.world.water_meters.values()
        if meter.owner_uid == req.account.uid
        and (not group_id or meter.group_id == group_id)
        and (not search or search in meter.name.lower() or search in meter.number.lower())
    ]
    return paginate(items, page_no, page_size)


# --- dispatcher ----------------------------------------------------------------------------


async def _read_params(request: web.Request) -> dict[str, str]:
    params: dict[str, str] = dict(request.query.items())
    if request.method == "POST" and request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = value
    return params


def _check_date(world: World, params: Mapping[str, str]) -> None:
    raw = params.get("date", "")
    try:
        date = int(raw)
    except ValueError:
        raise CloudError(80000, "date (epoch milliseconds) is required") from None
    skew = abs(world.now_ms() - date)
    if skew > world.date_tolerance_ms:
        raise CloudError(80000, f"date is {skew // 1000} s away from server time (limit 300 s)")


class _Dispatcher:
    def __init__(self, world: World, region: str) -> None:
        self.world = world
        self.region = region

    def _client(self, spec: EndpointSpec, params: Mapping[str, str]) -> DeveloperApp:
        client_id = params.get("clientId", "")
        if not client_id and not spec.authenticated:
            client_id = params.get("client_id", "")
        if not client_id:
            raise CloudError(10000, "clientId is required")
        app = self.world.apps.get(client_id)
        if app is None or app.region != self.region:
            raise CloudError(10001, "unknown clientId for this region")
        return app

    async def __call__(self, spec: EndpointSpec, request: web.Request) -> web.Response:
        params = await _read_params(request)
        fault: Fault | None = None
        try:
            app = self._client(spec, params)
            self.world.count_call(app)
            token: Token | None = None
            if spec.authenticated:
                _check_date(self.world, params)
                token = self.world.authenticate(params.get("accessToken"), app.client_id)
            fault = self.world.faults.take(spec.path)
            if fault is not None and not fault.after:
                return _fault_response(fault)
            result = await spec.handler(
                ApiRequest(
                    self.world,
                    self.region,
                    spec.path,
                    params,
                    app,
                    token,
                    origin=str(request.url.origin()),
                )
            )
        except CloudError as error:
            result = error.to_json()
        if fault is not None:  # ``after``: carried out, and the answer is lost
            return _fault_response(fault)
        return web.Response(text=_dumps(result), content_type="application/json")


def _fault_response(fault: Fault) -> web.Response:
    error = CloudError(fault.errcode, fault.description or "", fault.errmsg)
    return web.Response(
        text=_dumps(error.to_json()), status=fault.http_status, content_type="application/json"
    )


# --- /sim/ control endpoints ------------------------------------------------------------


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
}


def _json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(text=_dumps(data), status=status, content_type="application/json")


async def _control(world: World, control: Control, request: web.Request) -> web.Response:
    try:
        body = await request.json() if request.can_read_body else {}
    except json.JSONDecodeError:
        return _json_response({"error": "body must be JSON"}, 400)
    if not isinstance(body, dict):
        return _json_response({"error": "body must be a JSON object"}, 400)
    try:
        return _json_response(control(world, body))
    except _ControlError as error:
        return _json_response({"error": str(error)}, error.status)
    except CloudError as error:
        return _json_response({"error": error.description, "errcode": error.errcode}, 404)
    except KeyError as error:
        return _json_response({"error": f"not found: {error}"}, 404)
    except (TypeError, ValueError) as error:
        return _json_response({"error": str(error)}, 400)


def _add_controls(app: web.Application, world: World) -> None:
    async def state(_request: web.Request) -> web.Response:
        return _json_response(world.summary())

    async def usage(_request: web.Request) -> web.Response:
        return _json_response(
            {client_id: dict(entry.usage) for client_id, entry in world.apps.items()}
        )

    async def faults(_request: web.Request) -> web.Response:
        return _json_response({"faults": world.faults.pending()})

    async def clear_faults(request: web.Request) -> web.Response:
        world.faults.clear(request.query.get("endpoint"))
        return _json_response({"faults": world.faults.pending()})

    app.router.add_get("/sim/state", state)
    app.router.add_get("/sim/usage", usage)
    app.router.add_get("/sim/faults", faults)
    app.router.add_delete("/sim/faults", clear_faults)
    for path, control in CONTROLS.items():
        app.router.add_post(f"/sim/{path}", partial(_control, world, control))


# --- application and server ------------------------------------------------------------

WORLD_KEY: web.AppKey[World] = web.AppKey("world", World)

#: Extra (non-``/v3``, non-``/sim``) routes contributed by endpoint modules, e.g. the eKey
#: unlock-link page of :mod:`simulator.credentials`; each is called as ``hook(app, world)``.
ROUTE_HOOKS: list[Callable[[web.Application, World], None]] = []


def create_app(world: World, *, region: str = "eu", controls: bool = True) -> web.Application:
    """The aiohttp application serving ``world`` as the ``region`` cloud."""
    app = web.Application()
    app[WORLD_KEY] = world
    dispatcher = _Dispatcher(world, region)

    for spec in ENDPOINTS.values():

        async def handle(request: web.Request, spec: EndpointSpec = spec) -> web.Response:
            return await dispatcher(spec, request)

        for method in spec.methods:
            app.router.add_route(method, spec.url, handle)
    for hook in ROUTE_HOOKS:
        hook(app, world)
    if controls:
        _add_controls(app, world)
    return app


class CloudServer:
    """Runs :func:`create_app` on a TCP port.

    ``base_url = await server.start(host="127.0.0.1", port=0)`` … ``await server.stop()``, or
    ``async with CloudServer(world) as server: server.base_url``.
    """

    def __init__(self, world: World, *, region: str = "eu", controls: bool = True) -> None:
        self.world = world
        self.region = region
        self.controls = controls
        self._runner: web.AppRunner | None = None
        self.base_url: str | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start serving; returns the base URL (``http://host:port``)."""
        if self._runner is not None:
            raise RuntimeError("server already started")
        runner = web.AppRunner(
            create_app(self.world, region=self.region, controls=self.controls),
            access_log=None,
            handle_signals=False,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
        self.base_url = f"http://{shown}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        """Stop serving and close every connection."""
        runner, self._runner = self._runner, None
        self.base_url = None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


# --- endpoint modules (registered on import) -----------------------------------------------

from . import credentials as _credentials  # noqa: E402, F401 — passcodes, cards, eKeys …
from . import webhook as _webhook  # noqa: E402, F401 — TTLock callbacks to apps' callback URLs
