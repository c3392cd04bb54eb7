"""Async client of the TTLock cloud Open API v3 (docs/cloud.md §1–2).

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
    MAX_PASSAGE_PERIODS,
    SETTING_OFF,
    SETTING_ON,
    Card,
    CyclicPeriod,
    EKey,
    Face,
    Fingerprint,
    Gateway,
    GatewaySighting,
    Lock,
    LockDetail,
    LockOpenState,
    LockRecord,
    LockSetting,
    OpenState,
    Page,
    PassageMode,
    Passcode,
    PasscodeType,
    Region,
    Tokens,
)
from .errors import (
    AuthError,
    GatewayBusyError,
    InvalidRefreshTokenError,
    TokenInvalidError,
    TTLockConnectionError,
    error_from_response,
)
from .meters import MeterCalls
from .parse import (
    SENSOR_STATE,
    as_battery,
    as_int,
    parse_card,
    parse_ekey,
    parse_face,
    parse_fingerprint,
    parse_gateway,
    parse_gateway_sighting,
    parse_lock,
    parse_lock_detail,
    parse_lock_record,
    parse_passage_mode,
    parse_passcode,
)

_LOGGER = logging.getLogger(__name__)

REGION_URLS: Final[Mapping[Region, str]] = {
    Region.EU: "https://euapi.ttlock.com",
    Region.CN: "https://cnapi.ttlock.com",
}

LOCK_LIST_PAGE_SIZE: Final = 1000  # lock/list and key/list allow up to 1000 (docs/cloud.md §3.2)
GATEWAY_LIST_PAGE_SIZE: Final = 200
LIST_TYPE_LIFT: Final = 2  # lock/list ``type`` (TTHotel): lift controllers (docs/cloud.md §2.8)
LIST_TYPE_POWER_SAVER: Final = 3  # lock/list ``type`` (TTHotel): power savers
RECORD_PAGE_SIZE: Final = 200
TOKEN_REFRESH_MARGIN: Final = 24 * 3600  # refresh a day before the token expires
DEFAULT_TIMEOUT: Final = 30.0  # gateway-relayed commands can take several seconds
GATEWAY_BUSY_RETRIES: Final = 3

type JSON = dict[str, Any]


def md5_password(password: str) -> str:
    """The 32-character lower-case MD5 digest the token endpoint requires (docs/cloud.md §1.2)."""
    return hashlib.md5(password.encode()).hexdigest()  # mandated by the API


class TTLockCloud(MeterCalls):
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
        errcode = as_int(body.get("errcode"), 0)
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
            page_no=as_int(body.get("pageNo"), page_no) or page_no,
            page_size=as_int(body.get("pageSize"), page_size) or page_size,
            pages=as_int(body.get("pages"), 1) or 1,
            total=as_int(body.get("total"), len(raw)) or 0,
        )

    # ------------------------------------------------------------------ locks
    async def list_locks(self) -> list[Lock]:
        """Every lock the account administers (``lock/list``, paged by 1000)."""
        return await self._paged("lock/list", {}, LOCK_LIST_PAGE_SIZE, parse_lock)

    async def list_lifts(self) -> list[Lock]:
        """Every lift (elevator) controller the account administers (TTHotel ``lock/list``
        ``type`` 2). Their floors are set over Bluetooth only: no cloud endpoint (§2.8)."""
        return await self._paged(
            "lock/list", {"type": LIST_TYPE_LIFT}, LOCK_LIST_PAGE_SIZE, parse_lock
        )

    async def list_power_savers(self) -> list[Lock]:
        """Every power saver the account administers (TTHotel ``lock/list`` ``type`` 3);
        :meth:`unlock` / :meth:`lock` on one's id switch its supply on / off (§2.8)."""
        return await self._paged(
            "lock/list", {"type": LIST_TYPE_POWER_SAVER}, LOCK_LIST_PAGE_SIZE, parse_lock
        )

    async def get_lock_detail(self, lock_id: int) -> LockDetail:
        """``lock/detail`` (admin only)."""
        return parse_lock_detail(await self._call("lock/detail", {"lockId": lock_id}))

    async def query_open_state(self, lock_id: int) -> LockOpenState:
        """Ask the lock for its state through its gateway (wakes the lock; costs battery)."""
        body = await self._gateway_call("lock/queryOpenState", {"lockId": lock_id})
        state = as_int(body.get("state"), 2)
        # sensorState: 0 opened / 1 closed (the hass-ttlock lineage's model of this
        # answer; docs/cloud.md §2.1) — the reverse of the DS3 notify.
        sensor = as_int(body.get("sensorState"))
        door = SENSOR_STATE.get(sensor) if sensor is not None else None
        return LockOpenState(
            state=OpenState(state) if state in (0, 1, 2) else OpenState.UNKNOWN,
            door=door,
        )

    async def query_battery(self, lock_id: int) -> int | None:
        """Read the live battery level through the gateway."""
        body = await self._gateway_call("lock/queryElectricQuantity", {"lockId": lock_id})
        return as_battery(body.get("electricQuantity"))

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

    # ================================================================== lock settings
    # updateSetting types, auto-lock, passage mode and the lock's clock (docs/lock-settings.md).
    # A change goes to the lock through its gateway or Wi-Fi (type / changeType 2) one at a
    # time like lock/unlock: -2012 no gateway, -3002 gateway offline, -3036 Wi-Fi lock offline;
    # -4043 when the lock's featureValue lacks the setting (LockSetting.feature). With
    # ``via_gateway=False`` (selector 1) the cloud only records a change already made over
    # Bluetooth, as for the credentials below.

    async def update_setting(
        self, lock_id: int, setting: LockSetting, value: int, *, via_gateway: bool = True
    ) -> None:
        """Change one setting on the lock (``lock/updateSetting``, changeType 2), or record
        one made over Bluetooth (``via_gateway=False``: changeType 1).

        ``value``: :data:`~..model.SETTING_ON` / :data:`~..model.SETTING_OFF` (open direction
        1 left / 2 right), volume 1–5, door-unclosed alarm seconds (0 off).
        :attr:`LockSetting.WIFI_POWER_SAVING` cannot be changed through the cloud.
        """
        setting = LockSetting(setting)
        if setting is LockSetting.WIFI_POWER_SAVING and via_gateway:
            raise ValueError("Wi-Fi power saving can only be changed over Bluetooth")
        low, high = setting.value_range
        if not low <= value <= high:
            raise ValueError(f"{setting.name.lower()} takes {low}–{high}, not {value}")
        params = {"lockId": lock_id, "type": int(setting), "value": value}
        await self._lock_change(
            "lock/updateSetting", params, via_gateway=via_gateway, selector="changeType"
        )

    async def query_setting(self, lock_id: int, setting: LockSetting) -> int:
        """Read a setting from the lock (``lock/querySetting``: privacy lock, tamper alert,
        reset button, open direction only; the others are in :meth:`get_lock_detail`)."""
        setting = LockSetting(setting)
        if not setting.queryable:
            raise ValueError(f"{setting.name.lower()} cannot be queried; read lock/detail")
        body = await self._gateway_call(
            "lock/querySetting", {"lockId": lock_id, "type": int(setting)}
        )
        return _required_int(body, "value", "lock/querySetting")

    async def set_auto_lock_time(
        self, lock_id: int, seconds: int, *, via_gateway: bool = True
    ) -> None:
        """Auto-lock after ``seconds`` (1–900), or 0 / -1 for off (-4082 when the lock refuses
        the period). 900 is what a physical lock accepted (docs/lock-settings.md §3).
        ``via_gateway=False`` (type 1) records a change made over Bluetooth."""
        if seconds not in (0, -1) and not 1 <= seconds <= MAX_AUTO_LOCK_SECONDS:
            raise ValueError(f"auto-lock takes 1–{MAX_AUTO_LOCK_SECONDS} s, or 0 / -1 for off")
        params = {"lockId": lock_id, "seconds": seconds}
        await self._lock_change(
            "lock/setAutoLockTime", params, via_gateway=via_gateway, selector="type"
        )

    async def get_passage_mode(self, lock_id: int) -> PassageMode:
        """The passage-mode configuration the cloud holds (no gateway needed)."""
        body = await self._call("lock/getPassageModeConfiguration", {"lockId": lock_id})
        return parse_passage_mode(body)

    async def configure_passage_mode(
        self, lock_id: int, mode: PassageMode, *, via_gateway: bool = True
    ) -> None:
        """Replace the passage-mode configuration (``lock/configurePassageMode``, type 2, or
        type 1 with ``via_gateway=False``: record a Bluetooth change); at most five periods.
        Auto-unlock needs feature bit 46."""
        if len(mode.periods) > MAX_PASSAGE_PERIODS:
            raise ValueError(f"at most {MAX_PASSAGE_PERIODS} passage-mode periods")
        cyclic = [period.to_json() for period in mode.periods]
        params = {
            "lockId": lock_id,
            "passageMode": SETTING_ON if mode.enabled else SETTING_OFF,
            "cyclicConfig": json.dumps(cyclic, separators=(",", ":")),
            "autoUnlock": SETTING_ON if mode.auto_unlock else SETTING_OFF,
        }
        await self._lock_change(
            "lock/configurePassageMode", params, via_gateway=via_gateway, selector="type"
        )

    async def sync_lock_clock(self, lock_id: int) -> int:
        """Set the lock's clock to the cloud's time (``lock/updateDate``); returns the lock's
        time afterwards in epoch ms. A wrong lock clock makes valid passcodes fail."""
        body = await self._gateway_call("lock/updateDate", {"lockId": lock_id})
        return _required_int(body, "date", "lock/updateDate")

    async def query_lock_clock(self, lock_id: int) -> int:
        """The lock's clock in epoch ms (``lock/queryDate``, through the gateway)."""
        body = await self._gateway_call("lock/queryDate", {"lockId": lock_id})
        return _required_int(body, "date", "lock/queryDate")

    # ================================================================== credentials
    # Passcodes, IC cards, fingerprints, faces and eKeys (docs/cloud.md §2.2–§2.5).
    #
    # Commands that change what a lock holds take ``via_gateway``: True sends the method
    # selector (addType / deleteType / changeType; faces: type) = 2 — the cloud relays the
    # change through the gateway or Wi-Fi lock, so the call is serialised and busy gateways
    # are retried like lock/unlock; False sends 1 — cloud bookkeeping only, after the same
    # change was made over Bluetooth. The default is True: forgetting it then fails loudly
    # (-2012 without a gateway) instead of only changing the cloud's records.
    # ``cyclicConfig`` (a JSON array) is sent as a JSON string.

    async def _lock_change(
        self, path: str, params: Mapping[str, Any], *, via_gateway: bool, selector: str
    ) -> JSON:
        if via_gateway:
            return await self._gateway_call(path, {**params, selector: 2})
        return await self._call(path, {**params, selector: 1}, method="POST")

    async def _post(self, path: str, params: Mapping[str, Any]) -> JSON:
        return await self._call(path, params, method="POST")

    async def _change_period(
        self,
        path: str,
        id_field: str,
        lock_id: int,
        credential_id: int,
        *,
        start_ms: int,
        end_ms: int,
        cyclic: CyclicPeriod | None,
        via_gateway: bool,
        selector: str = "changeType",
    ) -> None:
        """``…/changePeriod`` of a card, fingerprint or face (never to permanent)."""
        _check_window(start_ms, end_ms)
        params = {
            "lockId": lock_id,
            id_field: credential_id,
            "startDate": start_ms,
            "endDate": end_ms,
            "cyclicConfig": None if cyclic is None else _cyclic_json(cyclic),
        }
        await self._lock_change(path, params, via_gateway=via_gateway, selector=selector)

    async def _delete(
        self,
        path: str,
        id_field: str,
        lock_id: int,
        credential_id: int,
        *,
        via_gateway: bool,
        selector: str = "deleteType",
    ) -> None:
        """``…/delete`` of a passcode, card, fingerprint or face."""
        params = {"lockId": lock_id, id_field: credential_id}
        await self._lock_change(path, params, via_gateway=via_gateway, selector=selector)

    # ------------------------------------------------------------------ passcodes
    async def get_offline_passcode(
        self,
        lock_id: int,
        passcode_type: PasscodeType,
        *,
        start_ms: int,
        end_ms: int | None = None,
        name: str | None = None,
    ) -> Passcode:
        """Have the cloud compute an offline ("random") code (``keyboardPwd/get``).

        Works without a gateway. The cloud rounds start/end down to the hour (periods over
        a year to whole months); cyclic types take the clock times of ``start_ms`` and
        ``end_ms`` (on the nearest matching day) as the daily window. The returned dates are
        the requested ones; :meth:`list_passcodes` shows the effective ones.
        """
        passcode_type = PasscodeType(passcode_type)
        if end_ms is None and (passcode_type.is_cyclic or passcode_type is PasscodeType.PERIOD):
            raise ValueError(f"{passcode_type.name} passcodes need end_ms")
        body = await self._post(
            "keyboardPwd/get",
            {
                "lockId": lock_id,
                "keyboardPwdType": int(passcode_type),
                "keyboardPwdName": name,
                "startDate": start_ms,
                "endDate": end_ms,
            },
        )
        code = body.get("keyboardPwd")
        if code is None:
            raise TTLockConnectionError("keyboardPwd/get answered without a passcode")
        return Passcode(
            passcode_id=_required_id(body, "keyboardPwdId"),
            lock_id=lock_id,
            keyboard_pwd=str(code),
            name=name or "",
            type=passcode_type,
            is_custom=False,
            start_date=start_ms,
            end_date=end_ms,
        )

    async def add_passcode(
        self,
        lock_id: int,
        code: str,
        *,
        name: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        via_gateway: bool = True,
        asynchronous: bool = False,
    ) -> int:
        """Write a custom code (4–9 digits) into the lock; returns its ``keyboardPwdId``.

        Permanent without ``end_ms``, else a period code (``start_ms`` required).
        ``asynchronous`` (addType 4) is for Wi-Fi locks in power-saving mode.
        Errors: -3006 length, -3007 the code exists, -3009 the lock holds 250 codes.
        """
        _check_code(code)
        if end_ms is not None and start_ms is None:
            raise ValueError("a period passcode needs start_ms")
        params: dict[str, Any] = {
            "lockId": lock_id,
            "keyboardPwd": code,
            "keyboardPwdName": name,
            "keyboardPwdType": int(
                PasscodeType.PERMANENT if end_ms is None else PasscodeType.PERIOD
            ),
            "startDate": start_ms,
            "endDate": end_ms,
        }
        if asynchronous:
            body = await self._post("keyboardPwd/add", {**params, "addType": 4})
        else:
            body = await self._lock_change(
                "keyboardPwd/add", params, via_gateway=via_gateway, selector="addType"
            )
        return _required_id(body, "keyboardPwdId")

    async def change_passcode(
        self,
        lock_id: int,
        passcode_id: int,
        *,
        name: str | None = None,
        new_code: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        via_gateway: bool = True,
    ) -> None:
        """Rename a passcode and/or change its code or validity (``keyboardPwd/change``).

        A rename alone is cloud-only (no ``changeType``). An offline code never used on the
        lock cannot change code or validity (-3008).
        """
        if new_code is not None:
            _check_code(new_code)
        if (start_ms is None) != (end_ms is None):
            raise ValueError("give start_ms and end_ms together")
        params: dict[str, Any] = {
            "lockId": lock_id,
            "keyboardPwdId": passcode_id,
            "keyboardPwdName": name,
            "newKeyboardPwd": new_code,
            "startDate": start_ms,
            "endDate": end_ms,
        }
        if new_code is None and start_ms is None:
            if name is None:
                raise ValueError("nothing to change")
            await self._post("keyboardPwd/change", params)
            return
        await self._lock_change(
            "keyboardPwd/change", params, via_gateway=via_gateway, selector="changeType"
        )

    async def delete_passcode(
        self, lock_id: int, passcode_id: int, *, via_gateway: bool = True
    ) -> None:
        """Delete a passcode (``keyboardPwd/delete``)."""
        await self._delete(
            "keyboardPwd/delete", "keyboardPwdId", lock_id, passcode_id, via_gateway=via_gateway
        )

    async def list_passcodes(self, lock_id: int, *, search: str | None = None) -> list[Passcode]:
        """Every passcode of a lock, offline and custom, newest first (plaintext codes)."""
        params = {"lockId": lock_id, "orderBy": 1, "searchStr": search}
        return await self._paged(
            "lock/listKeyboardPwd",
            params,
            CREDENTIAL_PAGE_SIZE,
            lambda item: parse_passcode(item, lock_id),
        )

    # ------------------------------------------------------------------ IC cards
    async def add_card(
        self,
        lock_id: int,
        card_number: str,
        *,
        name: str | None = None,
        start_ms: int = 0,
        end_ms: int = 0,
        cyclic: CyclicPeriod | None = None,
        reversed: bool = False,
        via_gateway: bool = True,
    ) -> int:
        """Add an IC card; returns its ``cardId``. ``start_ms`` = ``end_ms`` = 0: permanent.

        ``reversed`` uses ``identityCard/addForReversedCardNumber`` (the docs' choice for
        remote adds): the cloud then stores the number byte-reversed. If such a card does
        not open the lock, delete it and add it again without ``reversed``.
        """
        path = "identityCard/addForReversedCardNumber" if reversed else "identityCard/add"
        params = {
            "lockId": lock_id,
            "cardNumber": card_number,
            "cardName": name,
            **_validity(start_ms, end_ms),
            **_cyclic_params(cyclic, "cardType"),
        }
        body = await self._lock_change(path, params, via_gateway=via_gateway, selector="addType")
        return _required_id(body, "cardId")

    async def list_cards(self, lock_id: int, *, search: str | None = None) -> list[Card]:
        """Every IC card of a lock (``identityCard/list``)."""
        params = {"lockId": lock_id, "orderBy": 1, "searchStr": search}
        return await self._paged(
            "identityCard/list",
            params,
            CREDENTIAL_PAGE_SIZE,
            lambda item: parse_card(item, lock_id),
        )

    async def delete_card(self, lock_id: int, card_id: int, *, via_gateway: bool = True) -> None:
        """Delete an IC card (-1021 when it does not exist)."""
        await self._delete(
            "identityCard/delete", "cardId", lock_id, card_id, via_gateway=via_gateway
        )

    async def change_card_period(
        self,
        lock_id: int,
        card_id: int,
        *,
        start_ms: int,
        end_ms: int,
        cyclic: CyclicPeriod | None = None,
        via_gateway: bool = True,
    ) -> None:
        """Change a card's validity (it cannot become permanent) and weekly window."""
        await self._change_period(
            "identityCard/changePeriod",
            "cardId",
            lock_id,
            card_id,
            start_ms=start_ms,
            end_ms=end_ms,
            cyclic=cyclic,
            via_gateway=via_gateway,
        )

    async def rename_card(self, lock_id: int, card_id: int, name: str) -> None:
        """Rename an IC card (cloud only)."""
        await self._post(
            "identityCard/rename", {"lockId": lock_id, "cardId": card_id, "cardName": name}
        )

    async def clear_cards(self, lock_id: int) -> None:
        """Forget every card of the lock in the cloud (clear the lock over Bluetooth first;
        clearing through a gateway is not supported)."""
        await self._post("identityCard/clear", {"lockId": lock_id})

    # ------------------------------------------------------------------ fingerprints
    async def add_fingerprint(
        self,
        lock_id: int,
        fingerprint_number: str,
        *,
        name: str | None = None,
        start_ms: int = 0,
        end_ms: int = 0,
        cyclic: CyclicPeriod | None = None,
    ) -> int:
        """Record a fingerprint enrolled over Bluetooth; returns its ``fingerprintId``.

        Enrolment through a gateway is not supported by the API.
        """
        params = {
            "lockId": lock_id,
            "fingerprintNumber": fingerprint_number,
            "fingerprintName": name,
            **_validity(start_ms, end_ms),
            **_cyclic_params(cyclic, "fingerprintType"),
        }
        return _required_id(await self._post("fingerprint/add", params), "fingerprintId")

    async def list_fingerprints(
        self, lock_id: int, *, search: str | None = None
    ) -> list[Fingerprint]:
        """Every fingerprint of a lock (``fingerprint/list``)."""
        params = {"lockId": lock_id, "orderBy": 1, "searchStr": search}
        return await self._paged(
            "fingerprint/list",
            params,
            CREDENTIAL_PAGE_SIZE,
            lambda item: parse_fingerprint(item, lock_id),
        )

    async def delete_fingerprint(
        self, lock_id: int, fingerprint_id: int, *, via_gateway: bool = True
    ) -> None:
        """Delete a fingerprint (-1023 when it does not exist)."""
        await self._delete(
            "fingerprint/delete", "fingerprintId", lock_id, fingerprint_id, via_gateway=via_gateway
        )

    async def change_fingerprint_period(
        self,
        lock_id: int,
        fingerprint_id: int,
        *,
        start_ms: int,
        end_ms: int,
        cyclic: CyclicPeriod | None = None,
        via_gateway: bool = True,
    ) -> None:
        """Change a fingerprint's validity (not to permanent) and weekly window."""
        await self._change_period(
            "fingerprint/changePeriod",
            "fingerprintId",
            lock_id,
            fingerprint_id,
            start_ms=start_ms,
            end_ms=end_ms,
            cyclic=cyclic,
            via_gateway=via_gateway,
        )

    async def rename_fingerprint(self, lock_id: int, fingerprint_id: int, name: str) -> None:
        """Rename a fingerprint (cloud only)."""
        await self._post(
            "fingerprint/rename",
            {"lockId": lock_id, "fingerprintId": fingerprint_id, "fingerprintName": name},
        )

    async def clear_fingerprints(self, lock_id: int) -> None:
        """Forget every fingerprint of the lock in the cloud (clear it over Bluetooth first)."""
        await self._post("fingerprint/clear", {"lockId": lock_id})

    # ------------------------------------------------------------------ faces
    async def add_face(
        self,
        lock_id: int,
        *,
        feature_data: str | None = None,
        face_number: str | None = None,
        name: str | None = None,
        start_ms: int = 0,
        end_ms: int = 0,
        cyclic: CyclicPeriod | None = None,
        via_gateway: bool = True,
    ) -> int:
        """Add a face; returns its ``faceId``.

        Through the gateway (``via_gateway``) the lock enrols ``feature_data`` (from the
        "get feature data by photo" API); otherwise record the ``face_number`` the App SDK
        returned after a Bluetooth enrolment.
        """
        if via_gateway and not feature_data:
            raise ValueError("a remote face add needs feature_data")
        if not via_gateway and not face_number:
            raise ValueError("recording a Bluetooth enrolment needs face_number")
        params = {
            "lockId": lock_id,
            "name": name,
            "featureData": feature_data if via_gateway else None,
            "faceNumber": None if via_gateway else face_number,
            **_validity(start_ms, end_ms),
            **_cyclic_params(cyclic, "type"),
        }
        body = await self._lock_change(
            "face/add", params, via_gateway=via_gateway, selector="addType"
        )
        return _required_id(body, "faceId")

    async def list_faces(self, lock_id: int, *, search: str | None = None) -> list[Face]:
        """Every face of a lock (``face/list``)."""
        params = {"lockId": lock_id, "searchStr": search}
        return await self._paged(
            "face/list", params, CREDENTIAL_PAGE_SIZE, lambda item: parse_face(item, lock_id)
        )

    async def delete_face(self, lock_id: int, face_id: int, *, via_gateway: bool = True) -> None:
        """Delete a face (the face pages name the method selector ``type``)."""
        await self._delete(
            "face/delete", "faceId", lock_id, face_id, via_gateway=via_gateway, selector="type"
        )

    async def change_face_period(
        self,
        lock_id: int,
        face_id: int,
        *,
        start_ms: int,
        end_ms: int,
        cyclic: CyclicPeriod | None = None,
        via_gateway: bool = True,
    ) -> None:
        """Change a face's validity (not to permanent) and weekly window."""
        await self._change_period(
            "face/changePeriod",
            "faceId",
            lock_id,
            face_id,
            start_ms=start_ms,
            end_ms=end_ms,
            cyclic=cyclic,
            via_gateway=via_gateway,
            selector="type",
        )

    async def rename_face(self, lock_id: int, face_id: int, name: str) -> None:
        """Rename a face (cloud only)."""
        await self._post("face/rename", {"lockId": lock_id, "faceId": face_id, "name": name})

    async def clear_faces(self, lock_id: int) -> None:
        """Forget every face of the lock in the cloud (clear it over Bluetooth first)."""
        await self._post("face/clear", {"lockId": lock_id})

    # ------------------------------------------------------------------ eKeys
    async def send_ekey(
        self,
        lock_id: int,
        receiver: str,
        *,
        name: str,
        start_ms: int = 0,
        end_ms: int = 0,
        remarks: str | None = None,
        remote_unlock: bool | None = None,
        authorized: bool = False,
        create_user: bool = False,
    ) -> int:
        """Send an eKey to a TTLock account; returns its ``keyId``.

        One key per user and lock: sending again replaces the old key. ``create_user``
        registers an unknown phone number / e-mail (password: its last six characters).
        Errors: -2019 to yourself, -2020 to the administrator, -4064 unregistered receiver.
        """
        params: dict[str, Any] = {
            "lockId": lock_id,
            "receiverUsername": receiver,
            "keyName": name,
            **_validity(start_ms, end_ms),
            "remarks": remarks,
            "remoteEnable": None if remote_unlock is None else (1 if remote_unlock else 2),
            "keyRight": 1 if authorized else 0,
            "createUser": 1 if create_user else 2,
        }
        return _required_id(await self._post("key/send", params), "keyId")

    async def list_lock_ekeys(self, lock_id: int, *, search: str | None = None) -> list[EKey]:
        """The common and authorised eKeys of a lock (never the administrator's own)."""
        params = {"lockId": lock_id, "orderBy": 1, "searchStr": search}
        return await self._paged(
            "lock/listKey", params, CREDENTIAL_PAGE_SIZE, lambda item: parse_ekey(item, lock_id)
        )

    async def delete_ekey(self, key_id: int) -> None:
        """Delete an eKey. Never pass the administrator's own key: that unbinds the lock."""
        await self._post("key/delete", {"keyId": key_id})

    async def freeze_ekey(self, key_id: int) -> None:
        """Suspend an eKey (``keyStatus`` 110405)."""
        await self._post("key/freeze", {"keyId": key_id})

    async def unfreeze_ekey(self, key_id: int) -> None:
        """Reactivate a frozen eKey (``keyStatus`` 110401)."""
        await self._post("key/unfreeze", {"keyId": key_id})

    async def change_ekey_period(self, key_id: int, *, start_ms: int, end_ms: int) -> None:
        """Change an eKey's validity (0 and 0: permanent)."""
        await self._post("key/changePeriod", {"keyId": key_id, **_validity(start_ms, end_ms)})

    async def update_ekey(
        self, key_id: int, *, name: str | None = None, remote_unlock: bool | None = None
    ) -> None:
        """Rename an eKey and/or switch its remote unlock."""
        if name is None and remote_unlock is None:
            raise ValueError("nothing to change")
        params = {
            "keyId": key_id,
            "keyName": name,
            "remoteEnable": None if remote_unlock is None else (1 if remote_unlock else 2),
        }
        await self._post("key/update", params)

    async def authorize_ekey(self, lock_id: int, key_id: int) -> None:
        """Make the key's holder an authorised administrator of the lock."""
        await self._post("key/authorize", {"lockId": lock_id, "keyId": key_id})

    async def unauthorize_ekey(self, lock_id: int, key_id: int) -> None:
        """Take the administrator rights back."""
        await self._post("key/unauthorize", {"lockId": lock_id, "keyId": key_id})

    async def get_ekey_unlock_link(self, key_id: int) -> str:
        """A web link that unlocks remotely while lock and key allow remote unlock.

        The link is as secret as a passcode: hand it to its guest only.
        """
        body = await self._post("key/getUnlockLink", {"keyId": key_id})
        link = body.get("link")
        if not isinstance(link, str) or not link:
            raise TTLockConnectionError("key/getUnlockLink answered without a link")
        return link


# ---------------------------------------------------------------------- parsers


# ---------------------------------------------------------------------- credential parsers
CREDENTIAL_PAGE_SIZE: Final = 200  # passcode, card, fingerprint, face and lock-key lists


def _required_id(body: JSON, key: str) -> int:
    value = as_int(body.get(key))
    if value is None:
        raise TTLockConnectionError(f"the answer has no {key}")
    return value


def _check_code(code: str) -> None:
    if not code.isdigit() or not 4 <= len(code) <= 9:
        raise ValueError("a custom passcode has 4–9 digits")


def _check_window(start_ms: int, end_ms: int) -> None:
    if not start_ms or not end_ms or end_ms <= start_ms:
        raise ValueError("need 0 < start_ms < end_ms (a validity cannot become permanent)")


def _validity(start_ms: int, end_ms: int) -> dict[str, int]:
    """``startDate``/``endDate``: both 0 = permanent, else a real window."""
    if (start_ms or end_ms) and not (start_ms and end_ms and start_ms < end_ms):
        raise ValueError("need start_ms < end_ms, or both 0 for permanent")
    return {"startDate": start_ms, "endDate": end_ms}


def _cyclic_json(cyclic: CyclicPeriod) -> str:
    return json.dumps(cyclic.to_json(), separators=(",", ":"))


def _cyclic_params(cyclic: CyclicPeriod | None, type_field: str) -> dict[str, Any]:
    """Type 1 normal / 4 cyclic plus ``cyclicConfig`` as a JSON string."""
    if cyclic is None:
        return {type_field: 1}
    return {type_field: 4, "cyclicConfig": _cyclic_json(cyclic)}


# ---------------------------------------------------------------------- lock settings helpers
MAX_AUTO_LOCK_SECONDS: Final = 900
"""The longest auto-lock a physical lock accepted (docs/ble.md §5.9, errata E8)."""


def _required_int(body: JSON, key: str, path: str) -> int:
    value = as_int(body.get(key))
    if value is None:
        raise TTLockConnectionError(f"{path} answered without {key}")
    return value
