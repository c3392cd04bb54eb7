"""Peer oracle: n8henrie's ``ttlock`` engine (PyPI ``ttlock`` 0.2.0) against SimulatedLock.

Errata §2 lists what a lock must do for N8's ``UnlockOp`` / ``LockOp`` / ``StatusOp`` to
complete; the engine is sans-IO, so its frames are carried over the same bleak link
(``establish_connection(..., backend=VirtualClient.bind(air))``) in 20-byte writes, and the
notifications go to its own ``FrameAssembler``. Its CRC policy (re-send the identical frame,
errata E17) is applied here as N8's drivers do.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sim_ble_driver import SimLink
from sim_ble_helpers import AES_KEY, UNLOCK_KEY, make_lock, open_link

from custom_components.ttlock_access.sdk.ble.const import (
    NOTIFY_CHARACTERISTIC_UUID,
    WRITE_CHARACTERISTIC_UUID,
)
from simulator.ble import SimulatedLock, VirtualAir

n8 = pytest.importorskip("ttlock")


async def run_n8(link: SimLink, op: Any, *, crc_retries: int = 2) -> Any:
    """Drive one N8 operation: ``("write", bytes)`` steps until ``("done", value)``."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    await link.client.start_notify(
        NOTIFY_CHARACTERISTIC_UUID, lambda _char, data: queue.put_nowait(bytes(data))
    )
    assembler = n8.FrameAssembler()
    kind, payload = op.start()
    last = b""
    retries = crc_retries
    try:
        while kind == "write":
            last = payload
            for index in range(0, len(payload), n8.WRITE_CHUNK):
                chunk = payload[index : index + n8.WRITE_CHUNK]
                await link.client.write_gatt_char(WRITE_CHARACTERISTIC_UUID, chunk, False)
            while True:
                frame = assembler.next_frame()
                if frame is None:
                    assembler.push(await asyncio.wait_for(queue.get(), 5))
                    continue
                try:
                    kind, payload = op.handle_frame(frame)
                except n8.CrcMismatch:
                    if retries == 0:
                        raise
                    retries -= 1
                    kind, payload = "write", last
                break
    finally:
        await link.client.stop_notify(NOTIFY_CHARACTERISTIC_UUID)
    assert kind == "done", kind
    return payload


@pytest.fixture
def n8_lock(air: VirtualAir) -> SimulatedLock:
    return air.add(make_lock())


async def test_n8_status_unlock_lock(air: VirtualAir, n8_lock: SimulatedLock) -> None:
    link = await open_link(air, n8_lock)
    key = n8.normalize_aes_key(AES_KEY.hex())
    assert await run_n8(link, n8.StatusOp(key)) == "LOCKED"
    assert await run_n8(link, n8.UnlockOp(key, UNLOCK_KEY)) is None
    assert not n8_lock.locked
    assert await run_n8(link, n8.StatusOp(key)) == "UNLOCKED"
    assert await run_n8(link, n8.LockOp(key, UNLOCK_KEY)) is None
    assert n8_lock.locked
    assert [record.kind for record in n8_lock.log] == [1, 26]
    await link.client.disconnect()


async def test_n8_with_advertised_version_and_strict_scene(
    air: VirtualAir, n8_lock: SimulatedLock
) -> None:
    """N8 takes type/version/scene from the advertisement (E2); strict scene still passes."""
    n8_lock.strict_scene = True
    adv = n8.parse_advertisement(0x0305, n8_lock.advertisement().manufacturer_data[0x0305])
    assert (adv.kind, adv.is_unlocked, adv.battery) == ("stateful", False, 77)
    assert adv.address == n8_lock.address
    version = adv.lock_version
    link = await open_link(air, n8_lock)
    assert await run_n8(link, n8.UnlockOp(AES_KEY.hex(), UNLOCK_KEY, version)) is None
    assert not n8_lock.locked
    await link.client.disconnect()


async def test_n8_crc_retry_against_the_lock(air: VirtualAir, n8_lock: SimulatedLock) -> None:
    """A corrupted reply makes N8 re-send the identical frame; the lock answers from memory."""
    link = await open_link(air, n8_lock)
    n8_lock.faults.corrupt_reply_to(0x47)
    assert await run_n8(link, n8.UnlockOp(AES_KEY.hex(), UNLOCK_KEY)) is None
    assert [record.kind for record in n8_lock.log] == [1]
    await link.client.disconnect()


def test_n8_reads_the_advertisements() -> None:
    lock = make_lock()
    lock.set_locked(False)
    adv = n8.parse_advertisement(0x0305, lock.advertisement().manufacturer_data[0x0305])
    assert adv.is_unlocked is True
    fresh = SimulatedLock.factory_fresh("C0:FF:EE:19:10:02")
    adv = n8.parse_advertisement(0x0305, fresh.advertisement().manufacturer_data[0x0305])
    assert adv.is_setting_mode is True
