"""TTLockCloud: sign-in, tokens, paging, errors, gateway serialisation, call counting."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from custom_components.ttlock_access.sdk.cloud import TTLockCloud, md5_password
from custom_components.ttlock_access.sdk.cloud import errors as E
from custom_components.ttlock_access.sdk.cloud.parse import (
    parse_gateway,
    parse_lock,
    parse_lock_record,
)
from custom_components.ttlock_access.sdk.model import (
    DoorState,
    Feature,
    FeatureSet,
    OpenState,
    Tokens,
)
from simulator import World

CLIENT = {"client_id": "sim-client-id", "client_secret": "sim-client-secret"}
USER, PASSWORD = "demo@example.com", "demo-password"


def make(session: aiohttp.ClientSession, base_url: str, **kwargs) -> TTLockCloud:
    return TTLockCloud(session, base_url=base_url, **{**CLIENT, **kwargs})


async def signed_in(session, base_url, **kwargs) -> TTLockCloud:
    client = make(session, base_url, **kwargs)
    await client.login(USER, md5_password(PASSWORD))
    return client


def test_md5_password() -> None:
    """The API wants the lower-case hex MD5 of the password (docs/cloud.md §1.2)."""
    assert md5_password("123456") == "e10adc3949ba59abbe56e057f20f883e"


async def test_login_and_inventory(world_server: tuple[World, str], session) -> None:
    """Sign in, then list locks, gateways and one lock's detail."""
    world, url = world_server
    calls: list[str] = []
    seen_tokens: list[Tokens] = []
    client = make(session, url, on_call=calls.append, on_tokens=seen_tokens.append)
    tokens = await client.login(USER, md5_password(PASSWORD))
    assert tokens.uid == world.account_by_username(USER).uid
    assert client.uid == tokens.uid
    assert seen_tokens == [tokens]
    assert "access_token" not in repr(tokens) and tokens.access_token not in repr(tokens)
    locks = {lock.name: lock for lock in await client.list_locks()}
    assert set(locks) == {"Front Door", "Garage", "Back Door"}
    front = locks["Front Door"]
    assert front.has_gateway and not front.is_wifi and front.is_remote
    assert locks["Garage"].is_wifi and locks["Garage"].is_remote
    assert not locks["Back Door"].is_remote
    assert front.lock_data and front.lock_data not in repr(front)
    assert front.features.has(Feature.DOOR_SENSOR)
    detail = await client.get_lock_detail(front.lock_id)
    assert detail.auto_lock_time == 15
    assert detail.lock_version.protocol_type == 5
    gateways = await client.list_gateways()
    assert [g.name for g in gateways] == ["Hallway Gateway"]
    assert gateways[0].model == "G2" and gateways[0].is_online and gateways[0].lock_count == 2
    sightings = await client.list_gateways_by_lock(front.lock_id)
    assert sightings[0].gateway_id == gateways[0].gateway_id and sightings[0].rssi == -62
    assert calls[0] == "oauth2/token"
    assert client.calls == len(calls) == 5
    assert world.usage("sim-client-id") == 5


async def test_commands_and_state(world_server: tuple[World, str], session) -> None:
    """Unlock/lock go through the gateway; the state query reads lock and door."""
    world, url = world_server
    client = await signed_in(session, url)
    await client.unlock(5001101)
    state = await client.query_open_state(5001101)
    assert state.state is OpenState.UNLOCKED
    assert state.door is DoorState.CLOSED
    world.set_door(5001101, True)
    assert (await client.query_open_state(5001101)).door is DoorState.OPEN
    await client.lock(5001101)
    assert (await client.query_open_state(5001101)).state is OpenState.LOCKED
    assert await client.query_battery(5001101) == 86
    garage = await client.query_open_state(5001102)
    assert garage.door is None  # no door sensor


@pytest.mark.parametrize("scenario", ["scale"])
async def test_paging_large_account(world_server: tuple[World, str], session) -> None:
    """1,000 locks come in one call; records page by 200."""
    _world, url = world_server
    client = make(session, url)
    await client.login("scale@example.com", md5_password("scale-password"))
    before = client.calls
    locks = await client.list_locks()
    assert len(locks) == 1000
    assert client.calls - before == 1
    gateways = await client.list_gateways()
    assert len(gateways) == 100
    assert client.calls - before == 2


async def test_records_paging(world_server: tuple[World, str], session) -> None:
    """lockRecord/list pages until the end (or max_pages)."""
    world, url = world_server
    for _ in range(5):
        world.add_record(5001101, 4, username="Anna (guest)", keyboard_pwd="123456")
    client = await signed_in(session, url)
    records = await client.list_lock_records(5001101, page_size=2)
    assert len(records) == len(world.records[5001101])
    first_two = await client.list_lock_records(5001101, page_size=2, max_pages=1)
    assert len(first_two) == 2
    passcode = next(r for r in records if r.record_type == 4)
    assert passcode.username == "Anna (guest)"
    assert "123456" not in repr(passcode)


async def test_token_refresh_before_expiry(world_server: tuple[World, str], session) -> None:
    """A token close to expiry is refreshed before the call."""
    world, url = world_server
    now = [1_900_000_000.0]
    client = make(session, url, clock=lambda: now[0])
    world.clock.freeze(int(now[0] * 1000))
    tokens = await client.login(USER, md5_password(PASSWORD))
    now[0] = tokens.expires_at - 3600
    world.clock.freeze(int(now[0] * 1000))
    await client.list_locks()
    assert client.tokens is not None and client.tokens.access_token != tokens.access_token


async def test_revoked_token_signs_in_again(world_server: tuple[World, str], session) -> None:
    """10004 → refresh refused (10011) → sign in again with the stored digest."""
    world, url = world_server
    client = await signed_in(session, url)
    old = client.tokens
    world.revoke_tokens(USER)
    await client.list_locks()
    assert client.tokens is not None and client.tokens is not old


async def test_refresh_after_expiry(world_server: tuple[World, str], session) -> None:
    """An expired access token is refreshed with the refresh token."""
    world, url = world_server
    client = make(session, url)
    await client.login(USER, md5_password(PASSWORD))
    world.expire_tokens(USER)
    await client.list_locks()
    assert client.tokens is not None


async def test_password_changed_raises_auth(world_server: tuple[World, str], session) -> None:
    """With the password changed nothing works: the auth error reaches the caller."""
    world, url = world_server
    client = await signed_in(session, url)
    world.change_password(USER, "changed")
    with pytest.raises(E.InvalidCredentialsError):
        await client.list_locks()


async def test_tokens_without_credentials(world_server: tuple[World, str], session) -> None:
    """A client holding only tokens cannot recover from a revoked refresh token."""
    world, url = world_server
    first = await signed_in(session, url)
    client = make(session, url, tokens=first.tokens)
    world.revoke_tokens(USER)
    with pytest.raises(E.InvalidRefreshTokenError):
        await client.list_locks()
    with pytest.raises(E.TokenInvalidError):
        await make(session, url).list_locks()
    with pytest.raises(E.InvalidRefreshTokenError):
        await make(session, url).refresh_tokens()


async def test_gateway_busy_is_retried(world_server: tuple[World, str], session) -> None:
    """-3003 is retried with backoff; persistent busy raises GatewayBusyError."""
    world, url = world_server
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = await signed_in(session, url, sleep=fake_sleep)
    world.faults.fail_next("lock/unlock", errcode=-3003, times=2)
    await client.unlock(5001101)
    assert sleeps == [1.0, 2.0]
    world.faults.fail_next("lock/unlock", errcode=-3003, times=10)
    with pytest.raises(E.GatewayBusyError):
        await client.unlock(5001101)


async def test_gateway_commands_are_serialised(world_server: tuple[World, str], session) -> None:
    """Concurrent commands never collide on the gateway (the simulator would say -3003)."""
    world, url = world_server
    world.set_gateway_latency(0.05)
    client = await signed_in(session, url)
    await asyncio.gather(client.unlock(5001101), client.lock(5001101), client.unlock(5001101))
    assert world.lock(5001101).state == 1


@pytest.mark.parametrize(
    ("errcode", "cls"),
    [
        (1, E.GenericFailureError),
        (10001, E.InvalidClientError),
        (20002, E.PermissionDeniedError),
        (-2018, E.PermissionDeniedError),
        (30006, E.RateLimitedError),
        (30007, E.MonthlyQuotaExceededError),
        (30008, E.RegionMismatchError),
        (80000, E.ClockSkewError),
        (80002, E.InvalidJsonError),
        (90000, E.ServerError),
        (-3, E.InvalidParameterError),
        (-1003, E.LockNotFoundError),
        (-2025, E.LockFrozenError),
        (-4043, E.NotSupportedError),
        (-4056, E.LockStorageFullError),
        (-4082, E.AutoLockPeriodInvalidError),
        (-1007, E.NoPasswordDataError),
        (-3006, E.PasscodeLengthError),
        (-3007, E.PasscodeExistsError),
        (-3008, E.PasscodeNeverUsedError),
        (-3009, E.PasscodeStorageFullError),
        (-2012, E.NoGatewayError),
        (-3002, E.GatewayOfflineError),
        (-4037, E.GatewayNotFoundError),
        (-3034, E.WifiNotConfiguredError),
        (-3035, E.PowerSavingError),
        (-3036, E.LockOfflineError),
        (-3037, E.LockBusyError),
        (-1021, E.CardNotFoundError),
        (-1023, E.FingerprintNotFoundError),
        (-1008, E.EKeyError),
        (-4064, E.EKeyError),
        (-777, E.TTLockApiError),
    ],
)
async def test_errcodes_map_to_typed_errors(
    world_server: tuple[World, str], session, errcode: int, cls: type
) -> None:
    """HTTP 200 + errcode becomes the typed error for that code."""
    world, url = world_server
    client = await signed_in(session, url)
    world.faults.fail_next("lock/detail", errcode=errcode, description="forced")
    with pytest.raises(cls) as err:
        await client.get_lock_detail(5001101)
    assert type(err.value) is cls
    assert err.value.errcode == errcode
    assert "forced" in str(err.value)


async def test_auth_errcodes(world_server: tuple[World, str], session) -> None:
    """Sign-in failures: wrong secret, wrong password, not MD5, wrong region."""
    _world, url = world_server
    with pytest.raises(E.InvalidClientError):
        await make(session, url, client_secret="x").login(USER, md5_password(PASSWORD))
    with pytest.raises(E.InvalidCredentialsError):
        await make(session, url).login(USER, md5_password("nope"))
    with pytest.raises(E.PasswordNotMd5Error):
        await make(session, url).login(USER, PASSWORD)
    with pytest.raises(E.RegionMismatchError):
        await make(session, url).login("cn-user@example.com", md5_password("cn-password"))


async def test_transport_errors(world_server: tuple[World, str], session) -> None:
    """Non-200 answers, non-JSON bodies and refused connections are connection errors."""
    world, url = world_server
    client = await signed_in(session, url)
    world.faults.fail_next("lock/list", errcode=90000, http_status=503)
    with pytest.raises(E.TTLockConnectionError, match="HTTP 503"):
        await client.list_locks()
    with pytest.raises(E.TTLockConnectionError):
        await make(session, "http://127.0.0.1:9").login(USER, md5_password(PASSWORD))


async def test_malformed_answers(socket_enabled: None, session) -> None:
    """A server that is not the TTLock API is reported as such."""
    from aiohttp import web

    async def handler(request: web.Request) -> web.Response:
        path = request.path
        if path.endswith("token"):
            return web.json_response({"access_token": "a"})  # no refresh token
        if path.endswith("list"):
            return web.json_response({"list": "nope"})
        if path.endswith("detail"):
            return web.Response(text="<html>")
        return web.json_response([1, 2])

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}"
    try:
        with pytest.raises(E.TTLockConnectionError, match="without tokens"):
            await make(session, url).login(USER, "x" * 32)
        tokens = Tokens(uid=1, access_token="a", refresh_token="r", expires_at=4e9)
        client = make(session, url, tokens=tokens)
        with pytest.raises(E.TTLockConnectionError, match="malformed list"):
            await client.list_locks()
        with pytest.raises(E.TTLockConnectionError, match="JSON"):
            await client.get_lock_detail(1)
        with pytest.raises(E.TTLockConnectionError, match="unexpected"):
            await client.unlock(1)
    finally:
        await runner.cleanup()


def test_parsers_tolerate_odd_values() -> None:
    """Missing and malformed fields give None/defaults, never crashes."""
    lock = parse_lock({"lockId": "7", "electricQuantity": 250, "featureValue": "zz"})
    assert lock.name == "Lock 7" and lock.battery is None and lock.features == FeatureSet(0)
    with pytest.raises(E.TTLockApiError):
        parse_lock({"lockName": "x"})
    with pytest.raises(E.TTLockApiError):
        parse_gateway({})
    gw = parse_gateway({"gatewayId": 3, "gatewayVersion": 9})
    assert gw.model == "G9" and gw.name == "Gateway 3"
    record = parse_lock_record({"recordType": "x"}, lock_id=5)
    assert record.lock_id == 5 and record.record_type == 0 and record.success
    assert FeatureSet.from_hex(None).names() == []
    assert FeatureSet.from_hex("400").names() == ["gateway_unlock"]
