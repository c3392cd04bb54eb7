"""The simulated TTLock Open Platform (cloud API v3) as an aiohttp application.

Wire conventions (§1.3 of ``docs/cloud.md``)
    ``POST /oauth2/token`` and ``/v3/<endpoint>``. Every ``/v3`` endpoint takes ``POST``
    form-encoded or ``GET`` with a query string (commands too, as the real cloud does).
    Every ``/v3`` call carries ``clientId``, ``accessToken`` and ``date`` (epoch ms, within
    5 minutes of the world clock, else 80000). Failures are **HTTP 200** with
    ``{"errcode", "errmsg", "description"}``; commands answer ``{"errcode": 0, …}``;
    queries answer the bare data object; lists answer
    ``{"list": [...], "pageNo", "pageSize", "pages", "total"}``.


Order of checks for every call: clientId (10000 missing; 10001 unknown or registered in
another region) → the call is counted for the app and month, 30007 when the monthly quota
is used up, 30006 over the rate limit → (``/v3`` only) ``date`` (80000) → ``accessToken``
(10003 missing, 10004 unknown/expired/revoked/issued to another app) → injected faults →
the endpoint (parameters -3, unknown lock -1003, not the admin 20002, routing -2012 /
-3002 / -3036, remote unlock off -4043, busy -3003 / -3037).

The endpoints are those of the registry (:mod:`.registry`), filled by :mod:`.oauth`,
:mod:`.locks`, :mod:`.settings`, :mod:`.meters`, :mod:`.passcodes`, :mod:`.cards` and
:mod:`.ekeys`; beside them the eKey
unlock-link page (:func:`.ekeys.add_unlock_link`), the webhook pusher's lifecycle and
``GET /sim/callbacks`` (:mod:`simulator.webhook`), and, unless ``controls=False``, the
``/sim/`` controls (:mod:`.controls`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

from aiohttp import web

from ..codes import CloudError
from ..entities import DeveloperApp, Token
from ..faults import Fault
from ..webhook import pusher_for
from ..world import World
from . import cards, ekeys, locks, meters, oauth, passcodes, settings  # noqa: F401 (registration)
from .controls import add_controls
from .registry import ENDPOINTS, ApiRequest, EndpointSpec, json_response

__all__ = ["WORLD_KEY", "CloudServer", "create_app"]


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
            self.world.count_call(app, spec.path)
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
        return json_response(result)


def _fault_response(fault: Fault) -> web.Response:
    error = CloudError(fault.errcode, fault.description or "", fault.errmsg)
    return json_response(error.to_json(), fault.http_status)


def _serve_pusher(app: web.Application, world: World) -> None:
    """The world's webhook pusher runs while ``app`` does; ``GET /sim/callbacks`` counts."""
    pusher = pusher_for(world)

    async def _start(_app: web.Application) -> None:
        await pusher.start()

    async def _stop(_app: web.Application) -> None:
        await pusher.stop()

    async def _summary(_request: web.Request) -> web.Response:
        return json_response(pusher.summary())

    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)
    app.router.add_get("/sim/callbacks", _summary)


# --- application and server ------------------------------------------------------------

WORLD_KEY: web.AppKey[World] = web.AppKey("world", World)


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
    ekeys.add_unlock_link(app, world)
    _serve_pusher(app, world)
    if controls:
        add_controls(app, world)
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
