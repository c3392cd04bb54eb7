"""A meter client written from the TTLock Open API pages alone, against the simulator.

Nothing of the simulator or of the integration is used on the client side: requests are
form-encoded POSTs to ``/v3/electricMeter/...`` and ``/v3/waterMeter/...`` with ``clientId``,
``accessToken`` and ``date`` (the client's own clock, epoch ms), the token comes from
``/oauth2/token`` with the MD5 of the password, and answers are read as the pages describe
them (``docs/meters.md``): quantities are strings with two decimals, actions answer
``errcode`` 0, and a recharge is followed by ``syncState`` before the balance is read.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from sim_helpers import CLIENT_ID, CLIENT_SECRET, DEMO_PASSWORD, DEMO_USER

from simulator import CloudServer


class MeterApiError(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(f"{body.get('errcode')}: {body.get('errmsg')}")
        self.errcode = body.get("errcode")


@dataclass(frozen=True)
class Kind:
    prefix: str  # electricMeter / waterMeter
    id_key: str  # electricMeterId / waterMeterId
    unit: str  # Kwh / M3: totalKwh, remainderM3, rechargeKwh, syncM3Date …


ELECTRIC = Kind("electricMeter", "electricMeterId", "Kwh")
WATER = Kind("waterMeter", "waterMeterId", "M3")


class DocumentedMeterClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url
        self.access_token = ""

    async def login(self, username: str, password: str) -> None:
        form = {
            "clientId": CLIENT_ID,
            "clientSecret": CLIENT_SECRET,
            "username": username,
            "password": hashlib.md5(password.encode()).hexdigest(),
        }
        async with self.session.post(f"{self.base_url}/oauth2/token", data=form) as response:
            body = await response.json()
        self.access_token = body["access_token"]

    async def post(self, path: str, **params: Any) -> dict[str, Any]:
        form = {
            "clientId": CLIENT_ID,
            "accessToken": self.access_token,
            "date": str(int(time.time() * 1000)),
            **{key: str(value) for key, value in params.items()},
        }
        async with self.session.post(f"{self.base_url}/v3/{path}", data=form) as response:
            assert response.status == 200
            body: dict[str, Any] = await response.json()
        if body.get("errcode", 0) != 0:
            raise MeterApiError(body)
        return body

    # the documented operations, one per page
    async def list(self, kind: Kind) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (await self.post(f"{kind.prefix}/list"))["list"]
        return items

    async def detail(self, kind: Kind, meter_id: int) -> dict[str, Any]:
        return await self.post(f"{kind.prefix}/detail", **{kind.id_key: meter_id})

    async def sync_state(self, kind: Kind, meter_id: int) -> None:
        await self.post(f"{kind.prefix}/syncState", **{kind.id_key: meter_id})

    async def control_on_off(self, kind: Kind, meter_id: int, on: bool) -> None:
        await self.post(f"{kind.prefix}/controlOnOff", **{kind.id_key: meter_id, "onOff": int(on)})

    async def recharge(self, kind: Kind, meter_id: int, amount: float, units: float) -> None:
        await self.post(
            f"{kind.prefix}/recharge",
            **{
                kind.id_key: meter_id,
                "rechargeAmount": f"{amount:.2f}",
                f"recharge{kind.unit}": f"{units:.2f}",
            },
        )

    async def update_pay_mode(
        self, kind: Kind, meter_id: int, pay_mode: int, price: float | None = None
    ) -> None:
        params: dict[str, Any] = {kind.id_key: meter_id, "payMode": pay_mode}
        if price is not None:
            params["price"] = f"{price:.2f}"
        await self.post(f"{kind.prefix}/updatePayMode", **params)

    async def update_price(self, kind: Kind, meter_id: int, price: float) -> None:
        await self.post(f"{kind.prefix}/updatePrice", **{kind.id_key: meter_id, "price": price})


def quantity(value: str) -> float:
    """Quantities are documented as strings with two decimals."""
    assert isinstance(value, str)
    whole, _, decimals = value.partition(".")
    assert whole.isdigit()
    assert len(decimals) == 2
    return float(value)


@pytest.fixture
async def client(server: CloudServer) -> AsyncIterator[DocumentedMeterClient]:
    assert server.base_url is not None
    async with aiohttp.ClientSession() as session:
        meters = DocumentedMeterClient(session, server.base_url)
        await meters.login(DEMO_USER, DEMO_PASSWORD)
        yield meters


@pytest.mark.parametrize(
    ("kind", "meter_id"), [(ELECTRIC, 7001), (WATER, 7101)], ids=["electric", "water"]
)
async def test_a_documented_client_runs_a_meter(
    client: DocumentedMeterClient, kind: Kind, meter_id: int
) -> None:
    listed = {item[kind.id_key]: item for item in await client.list(kind)}
    item = listed[meter_id]
    assert (item["payMode"], item["onOff"], item["online"]) == (0, 1, 1)
    total = quantity(item[f"total{kind.unit}"])
    quantity(item["price"])

    detail = await client.detail(kind, meter_id)
    assert quantity(detail[f"total{kind.unit}"]) == total
    read_at = detail[f"sync{kind.unit}Date"]
    assert isinstance(read_at, int)
    assert read_at > 1_600_000_000_000  # epoch milliseconds

    await client.sync_state(kind, meter_id)
    assert (await client.detail(kind, meter_id))[f"sync{kind.unit}Date"] >= read_at

    await client.control_on_off(kind, meter_id, False)
    assert (await client.detail(kind, meter_id))["onOff"] == 0
    await client.control_on_off(kind, meter_id, True)
    assert (await client.detail(kind, meter_id))["onOff"] == 1

    await client.update_price(kind, meter_id, 1.5)
    listed = {item[kind.id_key]: item for item in await client.list(kind)}
    assert quantity(listed[meter_id]["price"]) == 1.5

    # prepaid with nothing paid in: the supply is cut until a recharge
    await client.update_pay_mode(kind, meter_id, 1, price=2.0)
    detail = await client.detail(kind, meter_id)
    assert (detail["payMode"], quantity(detail["price"]), detail["onOff"]) == (1, 2.0, 0)
    assert quantity(detail[f"remainder{kind.unit}"]) == 0.0

    await client.recharge(kind, meter_id, amount=10.0, units=5.0)
    await client.sync_state(kind, meter_id)  # the pages ask for a reading after a recharge
    detail = await client.detail(kind, meter_id)
    assert quantity(detail[f"remainder{kind.unit}"]) == pytest.approx(5.0, abs=0.01)
    assert detail["onOff"] == 1

    await client.update_pay_mode(kind, meter_id, 0)
    assert (await client.detail(kind, meter_id))["payMode"] == 0


async def test_a_documented_client_sees_the_prepaid_meter(client: DocumentedMeterClient) -> None:
    studio = next(item for item in await client.list(ELECTRIC) if item["payMode"] == 1)
    assert quantity(studio["remainderKwh"]) == pytest.approx(20.0, abs=0.01)
    assert quantity(studio["price"]) == 0.25
    with pytest.raises(MeterApiError) as error:
        await client.recharge(ELECTRIC, 424242, amount=1.0, units=1.0)
    assert error.value.errcode == -1003
