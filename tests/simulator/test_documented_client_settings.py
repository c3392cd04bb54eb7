"""A tiny client written only from the documented API (JB-docs pages cited in
``docs/lock-settings.md``) drives the simulator's settings endpoints: form-encoded POST or
GET with a query string, ``clientId`` / ``accessToken`` / ``date`` on every call."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import aiohttp
import pytest

from simulator import CloudServer, World

LOCK_ID = 5001101  # Front Door: behind a gateway, every setting feature
GATEWAY_ID = 301001


class DocumentedClient:
    """Only what the documentation says: the token grant and signed ``/v3`` calls."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url
        self.client_id = "sim-client-id"
        self.access_token = ""

    async def sign_in(self, username: str, password: str) -> None:
        form = {
            "clientId": self.client_id,
            "clientSecret": "sim-client-secret",
            "username": username,
            "password": hashlib.md5(password.encode()).hexdigest(),
        }
        async with self.session.post(f"{self.base_url}/oauth2/token", data=form) as response:
            self.access_token = (await response.json())["access_token"]

    def _signed(self, params: dict[str, Any]) -> dict[str, str]:
        return {
            "clientId": self.client_id,
            "accessToken": self.access_token,
            **{key: str(value) for key, value in params.items()},
            "date": str(int(time.time() * 1000)),
        }

    async def post(self, path: str, **params: Any) -> dict[str, Any]:
        url = f"{self.base_url}/v3/{path}"
        async with self.session.post(url, data=self._signed(params)) as response:
            assert response.status == 200
            body: dict[str, Any] = await response.json()
            return body

    async def get(self, path: str, **params: Any) -> dict[str, Any]:
        url = f"{self.base_url}/v3/{path}"
        async with self.session.get(url, params=self._signed(params)) as response:
            assert response.status == 200
            body: dict[str, Any] = await response.json()
            return body


@pytest.fixture
async def doc(server: CloudServer, session: aiohttp.ClientSession) -> DocumentedClient:
    assert server.base_url is not None
    client = DocumentedClient(session, server.base_url)
    await client.sign_in("demo@example.com", "demo-password")
    return client


def succeeded(body: dict[str, Any]) -> bool:
    return body.get("errcode", 0) == 0


async def test_settings_as_documented(doc: DocumentedClient) -> None:
    # updateSetting (POST) and querySetting read it back through the gateway
    assert succeeded(
        await doc.post("lock/updateSetting", lockId=LOCK_ID, type=2, value=1, changeType=2)
    )
    assert await doc.post("lock/querySetting", lockId=LOCK_ID, type=2) == {"value": 1}
    # the same command as GET
    assert succeeded(
        await doc.get("lock/updateSetting", lockId=LOCK_ID, type=8, value=4, changeType=2)
    )
    assert succeeded(await doc.post("lock/setAutoLockTime", lockId=LOCK_ID, seconds=10, type=2))
    detail = await doc.get("lock/detail", lockId=LOCK_ID)
    assert (detail["privacyLock"], detail["soundVolume"], detail["autoLockTime"]) == (1, 4, 10)
    assert succeeded(await doc.get("lock/setAutoLockTime", lockId=LOCK_ID, seconds=-1, type=2))
    assert (await doc.get("lock/detail", lockId=LOCK_ID))["autoLockTime"] == -1


async def test_passage_mode_as_documented(doc: DocumentedClient) -> None:
    # the docs' own example, sent as documented (cyclicConfig as a JSON string)
    cyclic = '[{"isAllDay":2,"startTime":480,"endTime":1080,"weekDays":[1,2]}]'
    body = await doc.post(
        "lock/configurePassageMode", lockId=LOCK_ID, passageMode=1, cyclicConfig=cyclic, type=2
    )
    assert succeeded(body)
    config = await doc.get("lock/getPassageModeConfiguration", lockId=LOCK_ID)
    assert config["passageMode"] == 1
    assert config["cyclicConfig"] == json.loads(cyclic)  # a JSON array in the answer
    assert config["autoUnlock"] in (1, 2)
    body = await doc.get("lock/configurePassageMode", lockId=LOCK_ID, passageMode=2, type=2)
    assert succeeded(body)
    assert (await doc.post("lock/getPassageModeConfiguration", lockId=LOCK_ID))["passageMode"] == 2


async def test_lock_clock_as_documented(doc: DocumentedClient, world: World) -> None:
    world.locks[LOCK_ID].clock_drift_ms = 600_000  # ten minutes fast
    before = await doc.get("lock/queryDate", lockId=LOCK_ID)
    assert isinstance(before["date"], int)
    assert before["date"] - int(time.time() * 1000) > 590_000
    after = await doc.post("lock/updateDate", lockId=LOCK_ID)
    assert abs(after["date"] - int(time.time() * 1000)) < 5_000
    again = await doc.get("lock/updateDate", lockId=LOCK_ID)  # a command sent as GET
    assert abs(again["date"] - int(time.time() * 1000)) < 5_000
    assert abs((await doc.get("lock/queryDate", lockId=LOCK_ID))["date"] - after["date"]) < 5_000


async def test_gateway_detail_as_documented(doc: DocumentedClient) -> None:
    body = await doc.get("gateway/detail", gatewayId=GATEWAY_ID)
    documented = {
        "gatewayId": int, "gatewayMac": str, "gatewayName": str, "gatewayVersion": int,
        "networkName": str, "networkMac": str, "lockNum": int, "isOnline": int,
    }  # fmt: skip
    assert set(body) == set(documented)
    assert all(isinstance(body[key], kind) for key, kind in documented.items())
    assert body["gatewayId"] == GATEWAY_ID and body["isOnline"] in (0, 1)


async def test_documented_errors(doc: DocumentedClient) -> None:
    # -4043 function not supported: the Garage lock has no volume control
    body = await doc.post("lock/updateSetting", lockId=5001102, type=8, value=3, changeType=2)
    assert body["errcode"] == -4043
    # -2012 not connected to any gateway: the Bluetooth-only Back Door
    assert (await doc.get("lock/queryDate", lockId=5001103))["errcode"] == -2012
    # -4082 auto-lock period invalid
    body = await doc.post("lock/setAutoLockTime", lockId=LOCK_ID, seconds=86_400, type=2)
    assert body["errcode"] == -4082


async def test_lifts_and_power_savers_as_documented(doc: DocumentedClient, world: World) -> None:
    """TTHotel devices as the lock/list page describes them: ``type`` 2 lifts, 3 power
    savers; a power saver's power follows lock/unlock and lock/lock (a command as GET too)."""
    lifts = await doc.get("lock/list", pageNo=1, pageSize=20, type=2)
    savers = await doc.post("lock/list", pageNo=1, pageSize=20, type=3)
    locks = await doc.get("lock/list", pageNo=1, pageSize=20)
    assert [item["lockId"] for item in lifts["list"]] == [5003301]
    assert [item["lockId"] for item in savers["list"]] == [5003401]
    assert {5003301, 5003401}.isdisjoint(item["lockId"] for item in locks["list"])
    assert succeeded(await doc.post("lock/unlock", lockId=5003401))
    assert world.locks[5003401].power_on
    assert succeeded(await doc.get("lock/lock", lockId=5003401))
    assert not world.locks[5003401].power_on
