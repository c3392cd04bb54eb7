"""Async client of the TTLock cloud Open API v3 (research/ttlock-cloud-and-peers.md §1–2).

* The aiohttp session is injected (Home Assistant passes its shared session).
* Every call carries ``clientId``, ``accessToken`` and ``date`` in epoch **milliseconds**;
  the cloud rejects a ``date`` more than 5 minutes off (errcode 80000).
* Failures come back as HTTP 200 with a non-zero ``errcode``: they raise typed errors
  (:mod:`.errors`).
* Tokens refresh themselves: shortly before expiry, or when a call answers 10003/10004. When the
  refresh token is refused too, the client signs in again with the stored MD5 digest; only if
  that fails does the auth error reach the caller (who starts re-authentication).
* Gateway-relayed commands are serialised (concurrent commands fail with -3003) and a busy
  gateway is retried with a short backoff.
* Every HTTP request is reported to ``on_call`` so the caller can keep an API budget.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import aiohttp

from ..model import (
    DoorState,
    FeatureSet,
    Gateway,
    GatewaySighting,
    Lock,
    LockDetail,
    LockOpenState,
    LockRecord,
    LockVersion,
    OpenState,
    Page,
    Region,
    Tokens,
)
from .errors import (
    AuthError,
    GatewayBusyError,
    InvalidRefreshTokenError,
    TokenInvalidError,
    TTLockApiError,
    TTLockConnectionError,
    error_from_response,
)

_LOGGER = logging.getLogger(__name__)

REGION_URLS: Final[Mapping[Region, str]] = {
    Region.EU: "https://euapi.ttlock.com",
    Region.CN: "https://cnapi.ttlock.com",
}

LOCK_LIST_PAGE_SIZE: Final = 1000  # lock/list and key/list allow up to 1000 (research §3.2)
GATEWAY_LIST_PAGE_SIZE: Final = 200
RECORD_PAGE_SIZE: Final = 200
TOKEN_REFRESH_MARGIN: Final = 24 * 3600  # refresh a day before the token expires
DEFAULT_TIMEOUT: Final = 30.0  # gateway-relayed commands can take several seconds
GATEWAY_BUSY_RETRIES: Final = 3

type JSON = dict[str, Any]

_SENSOR_STATE: Final = {0: DoorState.OPEN, 1: DoorState.CLOSED}


def md5_password(password: str) -> str:
    """The 32-character lower-case MD5 digest the token endpoint requires (research §1.2)."""
    return hashlib.md5(password.encode()).hexdigest()  # mandated by the API


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value)
    except TypeError, ValueError:
        return default


def _battery(value: Any) -> int | None:
    level = _int(value)
    return level if level is not None and 0 <= level <= 100 else None


class TTLockCloud:
    """A signed-in session with the TTLock cloud for one developer app and one account."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        client_id: str,
        client_secret: str,
        base_url: str,
        username: str | None = None,
        password_md5: str | None = None,
        tokens: Tokens | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_call: Callable[[str], None] | None = None,
        on_tokens: Callable[[Tokens], None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._session = session
        self._client_id = client_id
        self._client_secret = client_secret
        self._base_url = base_url.rstrip("/")
        self._username = username
        self._password_md5 = password_md5
        self._tokens = tokens
        # looked up at call time (not bound at import) so that test clocks apply
        self._clock = clock or (lambda: time.time())
        self._sleep = sleep
        self._on_call = on_call
        self._on_tokens = on_tokens
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._token_lock = asyncio.Lock()
        self._gateway_lock = asyncio.Lock()
        self.calls = 0
        """HTTP requests made by this client (token requests included)."""

    @property
    def tokens(self) -> Tokens | None:
        """The current tokens (after sign-in or refresh)."""
        return self._tokens

    @property
    def uid(self) -> int | None:
        """The TTLock user id of the signed-in account."""
        return self._tokens.uid if self._tokens else None

    # ------------------------------------------------------------------ transport
    async def _post_or_get(self, method: str, path: str, params: Mapping[str, Any]) -> JSON:
        url = f"{self._base_url}/{path}"
        form = {k: str(v) for k, v in params.items() if v is not None}
        self.calls += 1
        if self._on_call is not None:
            self._on_call(path)
        try:
            if method == "GET":
                request = self._session.get(url, params=form, timeout=self._timeout)
            else:
                request = self._session.post(url, data=form, timeout=self._timeout)
            async with request as response:
                if response.status != 200:
                    raise TTLockConnectionError(f"HTTP {response.status} from {path}")
                text = await response.text()
        except TimeoutError as err:
            raise TTLockConnectionError(f"timeout calling {path}") from err
        except aiohttp.ClientError as err:
            raise TTLockConnectionError(f"cannot reach the TTLock cloud: {err}") from err
        try:
            body = json.loads(text)
        except ValueError as err:
            raise TTLockConnectionError(f"{path} did not answer JSON") from err
        if not isinstance(body, dict):
            raise TTLockConnectionError(f"{path} answered an unexpected document")
        errcode = _int(body.get("errcode"), 0)
        if errcode:
            raise error_from_response(
                errcode, str(body.get("errmsg", "")), str(body.get("description", ""))
            )
        return body

    # ------------------------------------------------------------------ auth
    def _store_tokens(self, body: JSON) -> Tokens:
        try:
            uid = int(body["uid"]) if "uid" in body else self.uid
            tokens = Tokens(
                uid=int(uid) if uid is not None else 0,
                access_token=str(body["access_token"]),
                refresh_token=str(body["refresh_token"]),
                expires_at=self._clock() + float(body.get("expires_in", 7_776_000)),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise TTLockConnectionError("the token endpoint answered without tokens") from err
        self._tokens = tokens
        if self._on_tokens is not None:
            self._on_tokens(tokens)
        return tokens

    async def login(self, username: str, password_md5: str) -> Tokens:
        """Sign in with the OAuth password grant (the password as its MD5 digest)."""
        body = await self._post_or_get(
            "POST",
            "oauth2/token",
            {
                "clientId": self._client_id,
                "clientSecret": self._client_secret,
                "username": username,
                "password": password_md5,
            },
        )
        self._username = username
        self._password_md5 = password_md5
        return self._store_tokens(body)

    async def refresh_tokens(self) -> Tokens:
        """Exchange the refresh token for new tokens."""
        if self._tokens is None:
            raise InvalidRefreshTokenError(10011, "no refresh token")
        body = await self._post_or_get(
            "POST",
            "oauth2/token",
            {
                "clientId": self._client_id,
                "clientSecret": self._client_secret,
                "grant_type": "refresh_token",
                "refresh_token": self._tokens.refresh_token,
            },
        )
        return self._store_tokens(body)

    async def _renew(self, stale: Tokens | None) -> None:
        """Refresh (or sign in again) unless another task already did since ``stale``."""
        async with self._token_lock:
            if self._tokens is not stale and self._tokens is not None:
                return
            try:
                await self.refresh_tokens()
            except AuthError:
                if not (self._username and self._password_md5):
                    raise
                _LOGGER.debug("refresh token refused; signing in again")
                await self.login(self._username, self._password_md5)

    async def _ensure_token(self) -> Tokens:
        tokens = self._tokens
        if tokens is None:
            if not (self._username and self._password_md5):
                raise TokenInvalidError(10003, "not signed in")
            await self._renew(None)
        elif tokens.expires_at - self._clock() < TOKEN_REFRESH_MARGIN:
            await self._renew(tokens)
        assert self._tokens is not None
        return self._tokens

    async def _call(self, path: str, params: Mapping[str, Any], *, method: str = "GET") -> JSON:
        tokens = await self._ensure_token()
        for attempt in range(2):
            full = {
                "clientId": self._client_id,
                "accessToken": tokens.access_token,
                **params,
                "date": int(self._clock() * 1000),
            }
            try:
                return await self._post_or_get(method, f"v3/{path}", full)
            except TokenInvalidError:
                if attempt:
                    raise
                await self._renew(tokens)
                assert self._tokens is not None
                tokens = self._tokens
        raise AssertionError("unreachable")  # pragma: no cover

    async def _gateway_call(self, path: str, params: Mapping[str, Any]) -> JSON:
        """A command the cloud relays to the lock: one at a time, busy gateways retried."""
        delay = 1.0
        async with self._gateway_lock:
            for attempt in range(GATEWAY_BUSY_RETRIES + 1):
                try:
                    return await self._call(path, params, method="POST")
                except GatewayBusyError:
                    if attempt == GATEWAY_BUSY_RETRIES:
                        raise
                    await self._sleep(delay)
                    delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    async def _paged[T](
        self,
        path: str,
        params: Mapping[str, Any],
        page_size: int,
        parse: Callable[[JSON], T],
        max_pages: int | None = None,
    ) -> list[T]:
        items: list[T] = []
        page_no = 1
        while True:
            page = await self._page(path, params, page_no, page_size, parse)
            items.extend(page.items)
            if page_no >= page.pages or not page.items:
                return items
            if max_pages is not None and page_no >= max_pages:
                return items
            page_no += 1

    async def _page[T](
        self,
        path: str,
        params: Mapping[str, Any],
        page_no: int,
        page_size: int,
        parse: Callable[[JSON], T],
    ) -> Page[T]:
        body = await self._call(path, {**params, "pageNo": page_no, "pageSize": page_size})
        raw = body.get("list") or []
        if not isinstance(raw, list):
            raise TTLockConnectionError(f"{path} answered a malformed list")
        return Page(
            items=[parse(item) for item in raw if isinstance(item, dict)],
            page_no=_int(body.get("pageNo"), page_no) or page_no,
            page_size=_int(body.get("pageSize"), page_size) or page_size,
            pages=_int(body.get("pages"), 1) or 1,
            total=_int(body.get("total"), len(raw)) or 0,
        )

    # ------------------------------------------------------------------ locks
    async def list_locks(self) -> list[Lock]:
        """Every lock the account administers (``lock/list``, paged by 1000)."""
        return await self._paged("lock/list", {}, LOCK_LIST_PAGE_SIZE, parse_lock)

    async def get_lock_detail(self, lock_id: int) -> LockDetail:
        """``lock/detail`` (admin only)."""
        return parse_lock_detail(await self._call("lock/detail", {"lockId": lock_id}))

    async def query_open_state(self, lock_id: int) -> LockOpenState:
        """Ask the lock for its state through its gateway (wakes the lock; costs battery)."""
        body = await self._gateway_call("lock/queryOpenState", {"lockId": lock_id})
        state = _int(body.get("state"), 2)
        # sensorState: 0 opened / 1 closed (the hass-ttlock lineage's model of this
        # answer; research/ttlock-cloud-and-peers.md §2.1) — the reverse of the DS3 notify.
        sensor = _int(body.get("sensorState"))
        door = _SENSOR_STATE.get(sensor) if sensor is not None else None
        return LockOpenState(
            state=OpenState(state) if state in (0, 1, 2) else OpenState.UNKNOWN,
            door=door,
        )

    async def query_battery(self, lock_id: int) -> int | None:
        """Read the live battery level through the gateway."""
        body = await self._gateway_call("lock/queryElectricQuantity", {"lockId": lock_id})
        return _battery(body.get("electricQuantity"))

    async def unlock(self, lock_id: int) -> None:
        """Unlock through the gateway or Wi-Fi (-4043 when remote unlock is off in the app)."""
        await self._gateway_call("lock/unlock", {"lockId": lock_id})

    async def lock(self, lock_id: int) -> None:
        """Lock through the gateway or Wi-Fi."""
        await self._gateway_call("lock/lock", {"lockId": lock_id})

    # ------------------------------------------------------------------ gateways
    async def list_gateways(self) -> list[Gateway]:
        """Every gateway of the account (``gateway/list``, paged by 200)."""
        return await self._paged("gateway/list", {}, GATEWAY_LIST_PAGE_SIZE, parse_gateway)

    async def list_gateways_by_lock(self, lock_id: int) -> list[GatewaySighting]:
        """Gateways that saw the lock in the last 30 minutes, with RSSI."""
        body = await self._call("gateway/listByLock", {"lockId": lock_id})
        raw = body.get("list") or []
        return [parse_gateway_sighting(item) for item in raw if isinstance(item, dict)]

    # ------------------------------------------------------------------ records
    async def list_lock_records(
        self,
        lock_id: int,
        *,
        start_ms: int = 0,
        end_ms: int = 0,
        page_size: int = RECORD_PAGE_SIZE,
        max_pages: int | None = None,
    ) -> list[LockRecord]:
        """Lock records (newest first), optionally between two epoch-ms instants."""
        params: dict[str, Any] = {"lockId": lock_id, "startDate": start_ms, "endDate": end_ms}
        return await self._paged(
            "lockRecord/list", params, page_size, parse_lock_record, max_pages=max_pages
        )


# ---------------------------------------------------------------------- parsers
def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_lock(item: JSON) -> Lock:
    """A ``lock/list`` item."""
    try:
        lock_id = int(item["lockId"])
    except (KeyError, TypeError, ValueError) as err:
        raise TTLockApiError(-3, "malformed lock", "lock without lockId") from err
    lock_name = str(item.get("lockName") or "")
    return Lock(
        lock_id=lock_id,
        name=str(item.get("lockAlias") or lock_name or f"Lock {lock_id}"),
        lock_name=lock_name,
        mac=str(item.get("lockMac") or "").upper(),
        battery=_battery(item.get("electricQuantity")),
        features=FeatureSet.from_hex(_str(item.get("featureValue"))),
        has_gateway=_int(item.get("hasGateway"), 0) == 1,
        group_id=_int(item.get("groupId")),
        group_name=_str(item.get("groupName")),
        lock_data=str(item.get("lockData") or ""),
    )


def parse_lock_detail(item: JSON) -> LockDetail:
    """A ``lock/detail`` answer, without its secrets."""
    lock = parse_lock(item)
    version = item.get("lockVersion") if isinstance(item.get("lockVersion"), dict) else {}
    assert isinstance(version, dict)
    passage = _int(item.get("passageMode"))
    auto_unlock = _int(item.get("passageModeAutoUnlock"))
    return LockDetail(
        lock_id=lock.lock_id,
        name=lock.name,
        mac=lock.mac,
        battery=lock.battery,
        features=lock.features,
        has_gateway=lock.has_gateway,
        model_num=_str(item.get("modelNum")),
        hardware_revision=_str(item.get("hardwareRevision")),
        firmware_revision=_str(item.get("firmwareRevision")),
        auto_lock_time=_int(item.get("autoLockTime")),
        lock_sound=_int(item.get("lockSound")),
        sound_volume=_int(item.get("soundVolume")),
        passage_mode=None if passage is None else passage == 1,
        passage_mode_auto_unlock=None if auto_unlock is None else auto_unlock == 1,
        privacy_lock=_int(item.get("privacyLock")),
        tamper_alert=_int(item.get("tamperAlert")),
        reset_button=_int(item.get("resetButton")),
        open_direction=_int(item.get("openDirection")),
        timezone_raw_offset=_int(item.get("timezoneRawOffset")),
        is_frozen=None if item.get("isFrozen") is None else _int(item.get("isFrozen")) == 1,
        lock_version=LockVersion(
            protocol_type=_int(version.get("protocolType"), 0) or 0,
            protocol_version=_int(version.get("protocolVersion"), 0) or 0,
            scene=_int(version.get("scene"), 0) or 0,
            group_id=_int(version.get("groupId"), 0) or 0,
            org_id=_int(version.get("orgId"), 0) or 0,
        ),
    )


def parse_gateway(item: JSON) -> Gateway:
    """A ``gateway/list`` item."""
    try:
        gateway_id = int(item["gatewayId"])
    except (KeyError, TypeError, ValueError) as err:
        raise TTLockApiError(-3, "malformed gateway", "gateway without gatewayId") from err
    return Gateway(
        gateway_id=gateway_id,
        mac=str(item.get("gatewayMac") or "").upper(),
        name=str(item.get("gatewayName") or f"Gateway {gateway_id}"),
        version=_int(item.get("gatewayVersion"), 0) or 0,
        network_name=_str(item.get("networkName")),
        network_mac=_str(item.get("networkMac")),
        lock_count=_int(item.get("lockNum"), 0) or 0,
        is_online=_int(item.get("isOnline"), 0) == 1,
    )


def parse_gateway_sighting(item: JSON) -> GatewaySighting:
    """A ``gateway/listByLock`` item."""
    return GatewaySighting(
        gateway_id=_int(item.get("gatewayId"), 0) or 0,
        mac=str(item.get("gatewayMac") or "").upper(),
        name=str(item.get("gatewayName") or ""),
        rssi=_int(item.get("rssi"), -127) or -127,
        rssi_updated_at=_int(item.get("rssiUpdateDate")),
    )


def parse_lock_record(item: JSON, lock_id: int | None = None) -> LockRecord:
    """A ``lockRecord/list`` item or a record of a webhook push."""
    return LockRecord(
        record_id=_int(item.get("recordId")),
        lock_id=_int(item.get("lockId"), lock_id or 0) or 0,
        record_type=_int(item.get("recordType"), 0) or 0,
        record_type_from_lock=_int(item.get("recordTypeFromLock")),
        success=_int(item.get("success"), 1) == 1,
        username=str(item.get("username") or ""),
        keyboard_pwd=str(item.get("keyboardPwd") or ""),
        lock_date=_int(item.get("lockDate"), 0) or 0,
        server_date=_int(item.get("serverDate")),
        battery=_battery(item.get("electricQuantity")),
    )
