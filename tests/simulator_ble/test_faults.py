"""Fault knobs of the simulated lock, seen through the client core and bleak-retry-connector."""

from __future__ import annotations

import asyncio
from datetime import datetime

import bleak_retry_connector
import pytest
from bleak_retry_connector import BleakConnectionError, BleakNotFoundError
from sim_ble_driver import LinkLostError, SimLink
from sim_ble_helpers import device_of, keys_of, make_lock, open_link

from custom_components.ttlock_access.sdk.ble import (
    AddPasscode,
    CrcError,
    DecryptError,
    GetStatus,
    LockError,
    LockKeys,
    LockState,
    ProtocolError,
    ReplyTimeoutError,
    Unlock,
    decode_push,
)
from simulator.ble import SimulatedLock, VirtualAir, VirtualClient

NOW = datetime(2026, 11, 22, 10, 30)
UNLOCK_WRITES = 5
"""CHECK_USER_TIME (47 bytes = 3 writes) + UNLOCK (31 bytes = 2 writes)."""


async def test_bad_crc_reply_makes_the_op_resend(
    link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    lock.faults.bad_crc = 1  # the CHECK_USER_TIME reply
    await link.run(Unlock(keys, NOW))
    assert link.writes == UNLOCK_WRITES + 3  # the 0x55 frame went out twice
    assert not lock.locked


async def test_bad_crc_on_the_actuation_reply_does_not_actuate_twice(
    link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    """The re-sent identical UNLOCK gets the remembered reply (errata E17): no second
    actuation, and the consumed challenge does not turn the retry into a failure."""
    lock.faults.corrupt_reply_to(0x47)
    result = await link.run(Unlock(keys, NOW))
    assert result.record_id == int(NOW.timestamp())
    assert link.writes == UNLOCK_WRITES + 2
    assert [record.kind for record in lock.log] == [1]


async def test_crc_errors_exhaust_the_retries(
    link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    lock.faults.bad_crc = 3
    with pytest.raises(CrcError):
        await link.run(GetStatus(keys))


async def test_drop_mid_frame_is_a_disconnect(
    link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    lock.faults.drop_mid_frame = 1
    with pytest.raises(LinkLostError):
        await link.run(Unlock(keys, NOW))
    assert not link.client.is_connected
    assert not lock.connected
    assert lock.locked


async def test_wrong_key_reply_is_a_typed_error(
    link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    lock.faults.wrong_key = 1
    with pytest.raises(DecryptError):
        await link.run(GetStatus(keys))
    assert (await link.run(GetStatus(keys))).state is LockState.LOCKED


async def test_client_with_a_stale_key_gets_a_typed_error(
    link: SimLink, lock: SimulatedLock
) -> None:
    stale = keys_of(lock)
    stale = LockKeys(
        aes_key=bytes(16), unlock_key=stale.unlock_key, admin_ps=stale.admin_ps, header=stale.header
    )
    with pytest.raises(ProtocolError):
        await link.run(Unlock(stale, NOW))
    assert lock.locked


async def test_slow_reply_still_completes(
    link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    lock.faults.reply_delay = 0.01
    await link.run(Unlock(keys, NOW))
    assert not lock.locked


async def test_too_slow_reply_times_out_and_leaves_no_timer(
    air: VirtualAir, lock: SimulatedLock, keys: LockKeys
) -> None:
    link = await open_link(air, lock, max_timeout=0.05)
    lock.faults.reply_delay = 3600
    with pytest.raises(ReplyTimeoutError):
        await link.run(GetStatus(keys))
    await link.client.disconnect()  # the lock's pending reply timer is cancelled with the link


async def test_swallowed_request_times_out(air: VirtualAir, lock: SimulatedLock) -> None:
    link = await open_link(air, lock, max_timeout=0.05)
    lock.faults.swallow = 1
    with pytest.raises(ReplyTimeoutError):
        await link.run(GetStatus(keys_of(lock)))
    assert (await link.run(GetStatus(keys_of(lock)))).state is LockState.LOCKED
    await link.client.disconnect()


async def test_forced_error_reply(link: SimLink, lock: SimulatedLock, keys: LockKeys) -> None:
    lock.faults.fail_next(0x47, 0x1C)  # "lock frozen"
    with pytest.raises(LockError) as err:
        await link.run(Unlock(keys, NOW))
    assert err.value.code == 0x1C
    await link.run(Unlock(keys, NOW))


@pytest.mark.usefixtures("no_backoff")
async def test_out_of_range_lock_cannot_be_connected(air: VirtualAir, lock: SimulatedLock) -> None:
    lock.set_in_range(False)
    assert not lock.advertising
    with pytest.raises(BleakNotFoundError):
        await open_link(air, lock)
    lock.set_in_range(True)
    link = await open_link(air, lock)
    assert link.client.is_connected
    lock.set_in_range(False)  # walks away mid-connection
    await asyncio.sleep(0)  # the link drop reaches the client …
    assert not link.client.is_connected
    await asyncio.sleep(0)  # … and its disconnected callback
    with pytest.raises(LinkLostError):
        link.collect_idle()  # the disconnected callback fired


@pytest.mark.usefixtures("no_backoff")
async def test_one_link_at_a_time(air: VirtualAir, link: SimLink, lock: SimulatedLock) -> None:
    with pytest.raises(BleakConnectionError):
        await bleak_retry_connector.establish_connection(
            bleak_retry_connector.BleakClientWithServiceCache,
            device_of(lock),
            "second central",
            backend=VirtualClient.bind(air),
            max_attempts=1,
        )
    assert link.client.is_connected


@pytest.mark.usefixtures("no_backoff")
async def test_unknown_address_is_not_found(air: VirtualAir) -> None:
    with pytest.raises(BleakNotFoundError):
        await open_link(air, make_lock("C0:FF:EE:00:00:99"))


async def test_write_with_response_is_accepted(air: VirtualAir, lock: SimulatedLock) -> None:
    link = await open_link(air, lock, response=True)  # as BAZ's ESPHome component writes
    await link.run(AddPasscode(keys_of(lock), "86420"))
    await link.run(Unlock(keys_of(lock), NOW))
    assert "86420" in lock.passcodes
    assert not lock.locked
    await link.client.disconnect()


async def test_push_is_held_until_a_slow_status_reply_went_out(
    link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    """Errata E10: no 0x14 push while a 0x14 request is unanswered."""
    lock.faults.reply_delay = 0.02
    task = asyncio.ensure_future(link.run(GetStatus(keys)))
    for _ in range(1000):
        await asyncio.sleep(0)
        if lock._session.delayed_replies:
            break
    assert lock._session.delayed_replies == 1
    assert lock.enter_code(lock.admin_code or "")  # opens while the reply is pending
    status = await task
    assert status.state is LockState.LOCKED  # the reply, computed before the keypad opened
    await asyncio.sleep(0.05)
    [push] = [decode_push(frame, keys.aes_key) for frame in link.collect_idle()]
    assert push.locked is False


async def test_status_push_after_actuation(
    link: SimLink, lock: SimulatedLock, keys: LockKeys
) -> None:
    lock.push_status_after_actuation = True
    await link.run(Unlock(keys, NOW))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    pushes = [decode_push(frame, keys.aes_key) for frame in link.collect_idle()]
    assert [(push.command, push.locked, push.battery) for push in pushes] == [(0x14, False, 77)]
