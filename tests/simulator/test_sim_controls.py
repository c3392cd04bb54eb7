"""API accounting, fault injection and the /sim/ control endpoints (``docs/cloud.md`` §3.1)."""

from __future__ import annotations

import pytest
from sim_helpers import (
    CLIENT_ID,
    CLIENT_SECRET,
    DEMO_PASSWORD,
    DEMO_USER,
    FRONT_DOOR,
    GARAGE,
    HALLWAY_GATEWAY,
    CloudClient,
    md5,
)

from simulator import World


async def test_every_call_is_counted_per_app_and_month(demo: CloudClient, world: World) -> None:
    assert world.usage(CLIENT_ID) == 1  # the login
    await demo.call("lock/list", pageNo=1, pageSize=20)
    await demo.call("lock/detail", lockId=999)  # failures count too
    assert world.usage(CLIENT_ID) == 3
    month = world.month_key()
    status, usage = await demo.sim("usage")
    assert status == 200
    assert usage[CLIENT_ID] == {month: 3}
    world.clock.freeze(world.now_ms() + 40 * 86_400_000)
    assert world.usage(CLIENT_ID) == 0


async def test_monthly_quota(demo: CloudClient, world: World) -> None:
    world.set_quota(CLIENT_ID, 5)
    world.set_usage(CLIENT_ID, 4)
    assert "list" in await demo.call("lock/list", pageNo=1, pageSize=20)
    body = await demo.call("lock/list", pageNo=1, pageSize=20)
    assert body["errcode"] == 30007
    login = await demo.oauth(
        clientId=CLIENT_ID,
        clientSecret=CLIENT_SECRET,
        username=DEMO_USER,
        password=md5(DEMO_PASSWORD),
    )
    assert login["errcode"] == 30007
    assert world.usage(CLIENT_ID) == 5
    world.set_quota(CLIENT_ID, None)
    assert "list" in await demo.call("lock/list", pageNo=1, pageSize=20)


async def test_quota_resets_next_month(demo: CloudClient, world: World) -> None:
    world.clock.freeze()
    world.set_quota(CLIENT_ID, 2)
    await demo.call("lock/list", pageNo=1, pageSize=20)
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 30007
    world.clock.advance(32 * 86_400)
    # tokens outlive a month
    assert "list" in await demo.call("lock/list", pageNo=1, pageSize=20)


async def test_rate_limit(demo: CloudClient, world: World) -> None:
    world.clock.freeze()
    world.set_rate_limit(CLIENT_ID, 2, window_s=1.0)
    assert "list" in await demo.call("lock/list", pageNo=1, pageSize=20)
    assert "list" in await demo.call("lock/list", pageNo=1, pageSize=20)
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 30006
    world.clock.advance(1.0)
    assert "list" in await demo.call("lock/list", pageNo=1, pageSize=20)


async def test_fail_next(demo: CloudClient, world: World) -> None:
    world.faults.fail_next("lock/unlock", errcode=1, times=2, description="lock did not answer")
    first = await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR)
    assert first == {
        "errcode": 1,
        "errmsg": "failed or means no",
        "description": "lock did not answer",
    }
    assert (await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR))["errcode"] == 1
    assert (await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR))["errcode"] == 0
    # other endpoints are untouched
    world.faults.fail_next("/v3/lock/lock", errcode=-3037)
    assert "list" in await demo.call("lock/list", pageNo=1, pageSize=20)
    assert (await demo.call("lock/lock", method="POST", lockId=FRONT_DOOR))["errcode"] == -3037


async def test_fail_next_http_status_and_wildcard(demo: CloudClient, world: World) -> None:
    world.faults.fail_next("*", errcode=90000, http_status=502)
    fields = {
        "clientId": CLIENT_ID,
        "accessToken": demo.token,
        "date": world.now_ms(),
        "pageNo": 1,
        "pageSize": 5,
    }
    status, body = await demo.request("GET", "/v3/lock/list", fields)
    assert status == 502
    assert body["errcode"] == 90000
    world.faults.fail_next("oauth2/token", errcode=10007, times=1)
    login = await demo.oauth(
        clientId=CLIENT_ID,
        clientSecret=CLIENT_SECRET,
        username=DEMO_USER,
        password=md5(DEMO_PASSWORD),
    )
    assert login["errcode"] == 10007
    assert "access_token" in await demo.login()


async def test_fail_next_validation(world: World) -> None:
    with pytest.raises(ValueError, match="times"):
        world.faults.fail_next("lock/unlock", times=0)
    world.faults.fail_next("lock/unlock")
    world.faults.clear("lock/unlock")
    assert world.faults.pending() == {}


# --- /sim/ endpoints ------------------------------------------------------------------------


async def test_sim_state(cloud: CloudClient) -> None:
    status, state = await cloud.sim("state")
    assert status == 200
    assert {a["username"] for a in state["accounts"]} >= {DEMO_USER, "second@example.com"}
    assert len(state["locks"]) == 6
    assert len(state["gateways"]) == 2
    text = str(state)
    assert "password" not in text.lower()
    assert "aesKey" not in text


async def test_sim_gateway_controls(demo: CloudClient, world: World) -> None:
    status, body = await demo.sim("gateway/online", {"gatewayId": HALLWAY_GATEWAY, "online": False})
    assert status == 200
    assert body["isOnline"] is False
    assert (await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR))["errcode"] == -3002
    await demo.sim("gateway/online", {"gatewayId": HALLWAY_GATEWAY, "online": True})
    status, body = await demo.sim(
        "gateway/latency", {"seconds": 0.05, "gatewayId": HALLWAY_GATEWAY}
    )
    assert status == 200
    assert world.gateways[HALLWAY_GATEWAY].latency_s == 0.05
    await demo.sim("gateway/latency", {"seconds": 0.01})
    assert world.gateway_latency_s == 0.01
    status, added = await demo.sim(
        "gateway/add", {"gatewayName": "Garden Gateway", "owner": DEMO_USER, "gatewayVersion": 3}
    )
    assert status == 200
    listed = await demo.call("gateway/list", pageNo=1, pageSize=20)
    assert {g["gatewayName"] for g in listed["list"]} == {"Hallway Gateway", "Garden Gateway"}
    status, _ = await demo.sim("gateway/remove", {"gatewayId": added["gatewayId"]})
    assert status == 200
    assert (await demo.call("gateway/list", pageNo=1, pageSize=20))["total"] == 1
    status, error = await demo.sim("gateway/online", {"gatewayId": 1, "online": True})
    assert status == 404
    assert "error" in error
    status, error = await demo.sim("gateway/online", {"online": True})
    assert status == 400


async def test_sim_lock_controls(demo: CloudClient, world: World) -> None:
    status, body = await demo.sim(
        "lock/range", {"lockId": FRONT_DOOR, "gatewayId": HALLWAY_GATEWAY, "inRange": False}
    )
    assert status == 200
    assert body["hasGateway"] is False
    assert (await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR))["errcode"] == -2012
    await demo.sim(
        "lock/range",
        {"lockId": FRONT_DOOR, "gatewayId": HALLWAY_GATEWAY, "inRange": True, "rssi": -77},
    )
    await demo.sim("lock/remote_unlock", {"lockId": FRONT_DOOR, "enabled": False})
    assert (await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR))["errcode"] == -4043
    await demo.sim("lock/remote_unlock", {"lockId": FRONT_DOOR, "enabled": True})
    await demo.sim("lock/wifi", {"lockId": GARAGE, "online": False})
    assert (await demo.call("lock/unlock", method="POST", lockId=GARAGE))["errcode"] == -3036
    status, body = await demo.sim(
        "lock/state", {"lockId": FRONT_DOOR, "state": 1, "doorOpen": True, "electricQuantity": 12}
    )
    assert status == 200
    assert body["state"] == 1
    assert body["doorOpen"] is True
    assert await demo.call("lock/queryOpenState", lockId=FRONT_DOOR) == {
        "state": 1,
        "sensorState": 0,
    }
    assert (await demo.call("lock/queryElectricQuantity", lockId=FRONT_DOOR))[
        "electricQuantity"
    ] == 12
    status, error = await demo.sim("lock/state", {"lockId": 1, "state": 1})
    assert status == 404
    assert error["errcode"] == -1003


async def test_sim_lock_add_remove(demo: CloudClient) -> None:
    status, added = await demo.sim(
        "lock/add",
        {
            "lockAlias": "Patio",
            "admin": DEMO_USER,
            "featureValue": "2000000000000401",
            "gateways": [{"gatewayId": HALLWAY_GATEWAY, "rssi": -66}],
            "doorSensor": True,
        },
    )
    assert status == 200
    assert added["hasGateway"] is True
    listed = await demo.call("lock/list", pageNo=1, pageSize=20)
    patio = next(item for item in listed["list"] if item["lockAlias"] == "Patio")
    assert patio["featureValue"] == "2000000000000401"
    assert (await demo.call("lock/queryOpenState", lockId=patio["lockId"]))["sensorState"] == 1
    status, _ = await demo.sim("lock/remove", {"lockId": patio["lockId"]})
    assert status == 200
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["total"] == 3


async def test_sim_records(demo: CloudClient) -> None:
    status, record = await demo.sim(
        "records",
        {"lockId": FRONT_DOOR, "recordType": 4, "username": "Nanny", "keyboardPwd": "909090"},
    )
    assert status == 200
    assert record["recordTypeFromLock"] == 4
    latest = await demo.call("lockRecord/list", lockId=FRONT_DOOR, pageNo=1, pageSize=1)
    assert latest["list"][0]["recordId"] == record["recordId"]


async def test_sim_quota_and_rate_limit(demo: CloudClient, world: World) -> None:
    status, body = await demo.sim("quota", {"clientId": CLIENT_ID, "monthlyQuota": 10, "usage": 10})
    assert status == 200
    assert body == {"clientId": CLIENT_ID, "monthlyQuota": 10, "usage": 10}
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 30007
    await demo.sim("quota", {"clientId": CLIENT_ID, "monthlyQuota": None})
    status, body = await demo.sim("rate_limit", {"clientId": CLIENT_ID, "calls": 0})
    assert status == 200
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 30006
    await demo.sim("rate_limit", {"clientId": CLIENT_ID, "calls": None})
    assert "list" in await demo.call("lock/list", pageNo=1, pageSize=20)
    status, _ = await demo.sim("quota", {"clientId": "nope"})
    assert status == 404


async def test_sim_faults(demo: CloudClient) -> None:
    status, body = await demo.sim(
        "faults", {"endpoint": "lock/unlock", "errcode": -3003, "times": 1}
    )
    assert status == 200
    assert body["faults"]["lock/unlock"][0]["errcode"] == -3003
    assert (await demo.call("lock/unlock", method="POST", lockId=FRONT_DOOR))["errcode"] == -3003
    await demo.sim("faults", {"endpoint": "lock/detail", "errcode": 1, "times": 5})
    status, body = await demo.sim("faults")
    assert list(body["faults"]) == ["lock/detail"]
    async with demo.session.delete(f"{demo.base_url}/sim/faults") as response:
        assert response.status == 200
        assert (await response.json())["faults"] == {}
    assert "lockId" in await demo.call("lock/detail", lockId=FRONT_DOOR)


async def test_sim_clock(demo: CloudClient, world: World) -> None:
    status, body = await demo.sim("clock", {"freezeAtMs": 1_767_225_600_000})
    assert status == 200
    assert body["now"] == 1_767_225_600_000
    assert body["frozen"] is True
    status, body = await demo.sim("clock", {"advanceSeconds": 60})
    assert body["now"] == 1_767_225_660_000
    # a real-time client now is far off the server clock
    import time

    real = time.time_ns() // 1_000_000
    assert (await demo.call("lock/list", date=real, pageNo=1, pageSize=20))["errcode"] == 80000
    status, body = await demo.sim("clock", {"skewSeconds": 0})
    assert body["frozen"] is False
    assert (await demo.call("lock/list", date=real, pageNo=1, pageSize=20))["total"] == 3
    await demo.sim("clock", {"skewSeconds": -900})
    assert (await demo.call("lock/list", date=time.time_ns() // 1_000_000, pageNo=1, pageSize=20))[
        "errcode"
    ] == 80000
    status, body = await demo.sim("clock", {"freeze": True})
    assert body["frozen"] is True
    status, body = await demo.sim("clock", {"unfreeze": True})
    assert body["frozen"] is False


async def test_sim_account_controls(demo: CloudClient) -> None:
    status, body = await demo.sim("tokens/expire", {"username": DEMO_USER})
    assert status == 200
    assert body == {"expired": 1}
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 10004
    await demo.login()
    status, body = await demo.sim("tokens/revoke", {"clientId": CLIENT_ID})
    assert body["revoked"] == 2
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 10004
    await demo.login()
    status, body = await demo.sim(
        "account/password", {"username": DEMO_USER, "password": "changed"}
    )
    assert status == 200
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 10004
    await demo.login(DEMO_USER, "changed")
    status, _error = await demo.sim(
        "account/password", {"username": "ghost@example.com", "password": "x"}
    )
    assert status == 404


async def test_sim_bad_bodies(cloud: CloudClient) -> None:
    async with cloud.session.post(f"{cloud.base_url}/sim/clock", data="{nope") as response:
        assert response.status == 400
    async with cloud.session.post(f"{cloud.base_url}/sim/clock", json=[1]) as response:
        assert response.status == 400


async def test_controls_can_be_disabled(session, world: World) -> None:  # type: ignore[no-untyped-def]
    from simulator import CloudServer

    async with CloudServer(world, controls=False) as plain:
        async with session.get(f"{plain.base_url}/sim/state") as response:
            assert response.status == 404
