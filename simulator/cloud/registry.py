"""The endpoint registry and what a handler sees.

Extending: write ``@api("path", methods=...)`` handlers taking an :class:`ApiRequest` and
returning a JSON object (raise :class:`~simulator.codes.CloudError` to fail). Handlers
registered before a :class:`~simulator.cloud.server.CloudServer` is created are served by
it; the simulator's own endpoint modules are imported by :mod:`simulator.cloud.server`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ..codes import CloudError
from ..entities import Account, DeveloperApp, Lock, Token
from ..world import World

__all__ = [
    "COMMAND",
    "ENDPOINTS",
    "POST_ONLY",
    "QUERY",
    "SUCCESS",
    "ApiRequest",
    "EndpointSpec",
    "api",
    "dumps",
    "json_response",
    "paginate",
]

Handler = Callable[["ApiRequest"], Awaitable[dict[str, Any]]]

SUCCESS: dict[str, Any] = {
    "errcode": 0,
    "errmsg": "none error message or means yes",
    "description": "success",
}


def dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(text=dumps(data), status=status, content_type="application/json")


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
COMMAND = ("GET", "POST")
"""Commands are accepted as GET as well as POST, as the real cloud does: JB's hass-ttlock sends
``lock/unlock`` and ``lock/lock`` as GET with a query string (``docs/lock-settings.md`` §1)."""
POST_ONLY = ("POST",)
"""Only ``oauth2/token``: the password grant is documented as a POST form, and a password
does not belong in a query string."""


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
