"""Helpers for the simulator tests: constants and a hand-written raw HTTP client.

No integration code is used: requests are built from ``docs/cloud.md``
(``docs/cloud.md`` §1.2–§1.3).
"""

from __future__ import annotations

import hashlib
from typing import Any

import aiohttp

from simulator import World

CLIENT_ID = "sim-client-id"
CLIENT_SECRET = "sim-client-secret"
DEMO_USER = "demo@example.com"
DEMO_PASSWORD = "demo-password"
FRONT_DOOR = 5001101
GARAGE = 5001102
BACK_DOOR = 5001103
OFFICE_DOOR = 5002201
LIFT = 5003301
HALLWAY_GATEWAY = 301001
OFFICE_GATEWAY = 301002


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class CloudClient:
    """Hand-written requests against the simulator (not the integration's SDK)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, world: World) -> None:
        self.session = session
        self.base_url = base_url
        self.world = world
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.token: str | None = None
        self.refresh_token: str | None = None

    async def request(
        self, method: str, path: str, params: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        url = f"{self.base_url}{path}"
        fields = {key: str(value) for key, value in (params or {}).items() if value is not None}
        if method == "GET":
            async with self.session.get(url, params=fields) as response:
                return response.status, await _body(response)
        async with self.session.request(method, url, data=fields) as response:
            return response.status, await _body(response)

    async def oauth(self, **fields: Any) -> dict[str, Any]:
        status, body = await self.request("POST", "/oauth2/token", fields)
        assert status == 200
        assert isinstance(body, dict)
        return body

    async def login(
        self, username: str = DEMO_USER, password: str = DEMO_PASSWORD
    ) -> dict[str, Any]:
        body = await self.oauth(
            clientId=self.client_id,
            clientSecret=self.client_secret,
            username=username,
            password=md5(password),
        )
        assert "access_token" in body, body
        self.token = body["access_token"]
        self.refresh_token = body["refresh_token"]
        return body

    async def call(
        self,
        endpoint: str,
        *,
        method: str = "GET",
        token: str | None = None,
        date: int | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "clientId": self.client_id,
            "accessToken": token if token is not None else self.token,
            "date": date if date is not None else self.world.now_ms(),
        }
        fields.update(params)
        status, body = await self.request(method, f"/v3/{endpoint}", fields)
        assert status == 200, (status, body)
        assert isinstance(body, dict)
        return body

    async def sim(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        url = f"{self.base_url}/sim/{path}"
        if body is None:
            async with self.session.get(url) as response:
                return response.status, await response.json()
        async with self.session.post(url, json=body) as response:
            return response.status, await response.json()


async def _body(response: aiohttp.ClientResponse) -> Any:
    if response.content_type == "application/json":
        return await response.json()
    return await response.text()
