"""OAuth2 and common request checks over real HTTP (``docs/cloud.md`` §1.1–§1.4)."""

from __future__ import annotations

import pytest
from sim_helpers import CLIENT_ID, CLIENT_SECRET, DEMO_PASSWORD, DEMO_USER, CloudClient, md5

from simulator import CloudServer, World


async def test_password_grant_camel_case(cloud: CloudClient, world: World) -> None:
    body = await cloud.oauth(
        clientId=CLIENT_ID,
        clientSecret=CLIENT_SECRET,
        username=DEMO_USER,
        password=md5(DEMO_PASSWORD),
    )
    assert set(body) == {
        "access_token",
        "uid",
        "refresh_token",
        "expires_in",
        "scope",
        "token_type",
    }
    account = world.account_by_username(DEMO_USER)
    assert account is not None
    assert body["uid"] == account.uid
    assert body["expires_in"] == 7_776_000
    assert body["token_type"] == "Bearer"
    assert len(body["access_token"]) == 32


async def test_password_grant_snake_case(cloud: CloudClient) -> None:
    body = await cloud.oauth(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        grant_type="password",
        username=DEMO_USER,
        password=md5(DEMO_PASSWORD),
    )
    assert "access_token" in body


@pytest.mark.parametrize(
    ("fields", "errcode"),
    [
        ({"clientSecret": CLIENT_SECRET}, 10000),
        ({"clientId": "nope", "clientSecret": CLIENT_SECRET}, 10001),
        ({"clientId": CLIENT_ID, "clientSecret": "wrong"}, 10001),
        ({"clientId": CLIENT_ID}, 10001),
        # an app registered only in the cn region is unknown to the eu cloud
        ({"clientId": "sim-cn-client-id", "clientSecret": "sim-cn-client-secret"}, 10001),
    ],
)
async def test_client_errors(cloud: CloudClient, fields: dict[str, str], errcode: int) -> None:
    body = await cloud.oauth(**fields, username=DEMO_USER, password=md5(DEMO_PASSWORD))
    assert body["errcode"] == errcode
    assert set(body) == {"errcode", "errmsg", "description"}


@pytest.mark.parametrize(
    ("username", "password", "errcode"),
    [
        (DEMO_USER, md5("wrong"), 10007),
        ("nobody@example.com", md5(DEMO_PASSWORD), 10007),
        (DEMO_USER, DEMO_PASSWORD, 30005),
        (DEMO_USER, md5(DEMO_PASSWORD).upper(), 30005),
        ("cn-user@example.com", md5("cn-password"), 30008),
    ],
)
async def test_account_errors(
    cloud: CloudClient, username: str, password: str, errcode: int
) -> None:
    body = await cloud.oauth(
        clientId=CLIENT_ID, clientSecret=CLIENT_SECRET, username=username, password=password
    )
    assert body["errcode"] == errcode


async def test_missing_username_is_invalid_parameter(cloud: CloudClient) -> None:
    body = await cloud.oauth(clientId=CLIENT_ID, clientSecret=CLIENT_SECRET, password=md5("x"))
    assert body["errcode"] == -3
    body = await cloud.oauth(clientId=CLIENT_ID, clientSecret=CLIENT_SECRET, grant_type="magic")
    assert body["errcode"] == -3


async def test_cn_region_server(session, world: World) -> None:  # type: ignore[no-untyped-def]
    async with CloudServer(world, region="cn") as cn_server:
        assert cn_server.base_url is not None
        cn = CloudClient(session, cn_server.base_url, world)
        cn.client_id, cn.client_secret = "sim-cn-client-id", "sim-cn-client-secret"
        await cn.login("cn-user@example.com", "cn-password")
        body = await cn.call("lock/list", pageNo=1, pageSize=20)
        assert body["list"] == []
        # an eu account through the cn cloud: cross-site access
        body = await cn.oauth(
            clientId=cn.client_id,
            clientSecret=cn.client_secret,
            username=DEMO_USER,
            password=md5(DEMO_PASSWORD),
        )
        assert body["errcode"] == 30008
        # the eu app does not exist in the cn cloud
        cn.client_id = CLIENT_ID
        assert (await cn.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 10001
    assert cn_server.base_url is None


async def test_refresh_rotates_refresh_token(demo: CloudClient) -> None:
    old_access, old_refresh = demo.token, demo.refresh_token
    body = await demo.oauth(
        clientId=CLIENT_ID,
        clientSecret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=old_refresh,
    )
    assert body["access_token"] != old_access
    assert body["refresh_token"] != old_refresh
    assert body["expires_in"] == 7_776_000
    new = await demo.call("lock/list", token=body["access_token"], pageNo=1, pageSize=20)
    assert len(new["list"]) == 3
    again = await demo.oauth(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=old_refresh,
    )
    assert again["errcode"] == 10011


@pytest.mark.parametrize("refresh_token", ["", "not-a-token"])
async def test_invalid_refresh_token(cloud: CloudClient, refresh_token: str) -> None:
    body = await cloud.oauth(
        clientId=CLIENT_ID,
        clientSecret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=refresh_token,
    )
    assert body["errcode"] == 10011


async def test_refresh_token_of_another_app_is_invalid(demo: CloudClient, world: World) -> None:
    world.add_app("other-id", "other-secret")
    body = await demo.oauth(
        clientId="other-id",
        clientSecret="other-secret",
        grant_type="refresh_token",
        refresh_token=demo.refresh_token,
    )
    assert body["errcode"] == 10011


async def test_token_errors(demo: CloudClient, world: World) -> None:
    assert (await demo.call("lock/list", token="", pageNo=1, pageSize=20))["errcode"] == 10003
    assert (await demo.call("lock/list", token="f" * 32, pageNo=1, pageSize=20))["errcode"] == 10004
    world.add_app("other-id", "other-secret")
    demo.client_id = "other-id"
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 10004


async def test_missing_client_id_on_v3(demo: CloudClient) -> None:
    demo.client_id = ""
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 10000


async def test_expiry_by_clock_then_refresh(demo: CloudClient, world: World) -> None:
    world.clock.freeze()
    world.clock.advance(7_776_000 - 1)
    assert "list" in await demo.call("lock/list", pageNo=1, pageSize=20)
    world.clock.advance(2)
    body = await demo.call("lock/list", pageNo=1, pageSize=20)
    assert body["errcode"] == 10004
    refreshed = await demo.oauth(
        clientId=CLIENT_ID,
        clientSecret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=demo.refresh_token,
    )
    assert "list" in await demo.call(
        "lock/list", token=refreshed["access_token"], pageNo=1, pageSize=20
    )


async def test_refresh_token_expires_after_ten_years(demo: CloudClient, world: World) -> None:
    world.clock.freeze()
    world.clock.advance(10 * 365 * 86_400 + 1)
    body = await demo.oauth(
        clientId=CLIENT_ID,
        clientSecret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=demo.refresh_token,
    )
    assert body["errcode"] == 10011


async def test_expire_tokens_keeps_refresh(demo: CloudClient, world: World) -> None:
    assert world.expire_tokens(DEMO_USER) == 1
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 10004
    refreshed = await demo.oauth(
        clientId=CLIENT_ID,
        clientSecret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=demo.refresh_token,
    )
    assert "access_token" in refreshed


async def test_revoke_tokens(demo: CloudClient, world: World) -> None:
    assert world.revoke_tokens(client_id=CLIENT_ID) == 1
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 10004
    refreshed = await demo.oauth(
        clientId=CLIENT_ID,
        clientSecret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=demo.refresh_token,
    )
    assert refreshed["errcode"] == 10011


async def test_change_password_reauth_scenario(demo: CloudClient, world: World) -> None:
    world.change_password(DEMO_USER, "new-password")
    assert (await demo.call("lock/list", pageNo=1, pageSize=20))["errcode"] == 10004
    refreshed = await demo.oauth(
        clientId=CLIENT_ID,
        clientSecret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=demo.refresh_token,
    )
    assert refreshed["errcode"] == 10011
    old = await demo.oauth(
        clientId=CLIENT_ID,
        clientSecret=CLIENT_SECRET,
        username=DEMO_USER,
        password=md5(DEMO_PASSWORD),
    )
    assert old["errcode"] == 10007
    await demo.login(DEMO_USER, "new-password")
    assert "list" in await demo.call("lock/list", pageNo=1, pageSize=20)


async def test_other_accounts_tokens_survive_password_change(
    cloud: CloudClient, world: World
) -> None:
    await cloud.login("second@example.com", "second-password")
    world.change_password(DEMO_USER, "new-password")
    assert "list" in await cloud.call("lock/list", pageNo=1, pageSize=20)


@pytest.mark.parametrize("offset_ms", [-300_001, 300_001])
async def test_date_skew_is_rejected(demo: CloudClient, world: World, offset_ms: int) -> None:
    world.clock.freeze()
    body = await demo.call("lock/list", date=world.now_ms() + offset_ms, pageNo=1, pageSize=20)
    assert body["errcode"] == 80000
    ok = await demo.call("lock/list", date=world.now_ms() + offset_ms // 2, pageNo=1, pageSize=20)
    assert "list" in ok


async def test_missing_date_is_rejected(demo: CloudClient) -> None:
    fields = {"clientId": CLIENT_ID, "accessToken": demo.token, "pageNo": 1, "pageSize": 20}
    status, body = await demo.request("GET", "/v3/lock/list", fields)
    assert status == 200
    assert body["errcode"] == 80000
    fields["date"] = "yesterday"
    status, body = await demo.request("GET", "/v3/lock/list", fields)
    assert body["errcode"] == 80000


async def test_server_clock_skew(demo: CloudClient, world: World) -> None:
    import time

    world.set_time_skew(600)
    real_now = time.time_ns() // 1_000_000
    assert (await demo.call("lock/list", date=real_now, pageNo=1, pageSize=20))["errcode"] == 80000
    world.set_time_skew(0)
    assert "list" in await demo.call("lock/list", date=real_now, pageNo=1, pageSize=20)


async def test_token_endpoint_is_post_only(cloud: CloudClient) -> None:
    status, _body = await cloud.request("GET", "/oauth2/token", {"clientId": CLIENT_ID})
    assert status == 405


async def test_unknown_endpoint_is_404(demo: CloudClient) -> None:
    status, _body = await demo.request("GET", "/v3/lock/teleport", {"clientId": CLIENT_ID})
    assert status == 404
