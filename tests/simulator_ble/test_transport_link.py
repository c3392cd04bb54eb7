"""The production transport (``BleLockLink``) against the simulated lock over ``VirtualClient``.

What ``sim_ble_driver`` (the test driver) does not prove for the real link: a CRC failure is
answered by a re-send through the link, a link dropped mid-reply is re-established and the
operation rebuilt, pushes that arrive between operations never pass for a reply, pushes
during an operation reach ``on_push``, and the link is closed when idle.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import bleak_retry_connector
import pytest
from sim_ble_helpers import device_of

from custom_components.ttlock_access.sdk.ble import (
    CrcError,
    GetLockTime,
    GetStatus,
    LockKeys,
    LockPush,
    LockState,
    Unlock,
)
from custom_components.ttlock_access.sdk.ble.transport import BleConnectionError, BleLockLink
from simulator.ble import SimulatedLock, VirtualAir, VirtualClient

NOW = datetime(2026, 11, 22, 10, 30, 0)


@pytest.fixture(autouse=True)
def virtual_bleak(air: VirtualAir, monkeypatch: pytest.MonkeyPatch, no_backoff: None) -> None:
    """The transport reads ``bleak_retry_connector.BleakClientWithServiceCache`` at call time
    (Home Assistant swaps it for its wrapper); here a subclass on the virtual backend."""
    backend = VirtualClient.bind(air)
    base = bleak_retry_connector.BleakClientWithServiceCache

    class _VirtualCached(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("backend", backend)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(bleak_retry_connector, "BleakClientWithServiceCache", _VirtualCached)


@pytest.fixture
def make_link(lock: SimulatedLock) -> Iterator[Any]:
    links: list[BleLockLink] = []

    def _make(**kwargs: Any) -> BleLockLink:
        device = device_of(lock)
        link = BleLockLink(lock.address, lock.local_name or "lock", lambda: device, **kwargs)
        links.append(link)
        return link

    yield _make
    for link in links:
        assert not link.is_connected  # every test closes its links


async def _turns(count: int = 20) -> None:
    """Let the virtual radio deliver what it scheduled (no real time passes)."""
    for _ in range(count):
        await asyncio.sleep(0)


async def test_crc_error_is_answered_by_a_resend(
    lock: SimulatedLock, keys: LockKeys, make_link: Any
) -> None:
    """A reply that fails its CRC makes the link write the request again (errata E17)."""
    link = make_link()
    lock.faults.bad_crc = 1
    status = await link.run(lambda: GetStatus(keys))
    assert status.state is LockState.LOCKED
    assert link.exchanges == 2  # the request, then its re-send
    assert link.connections == 1
    lock.faults.bad_crc = 3  # more than the two re-sends an operation allows
    with pytest.raises(CrcError):
        await link.run(lambda: GetStatus(keys))
    await link.close()


async def test_dropped_link_is_reconnected_and_the_operation_rebuilt(
    lock: SimulatedLock, keys: LockKeys, make_link: Any
) -> None:
    """The lock drops the link in the middle of its reply: a fresh operation runs on a new
    link; without retry (enrolment must not run twice) the failure is reported at once."""
    link = make_link()
    built: list[Unlock] = []

    def _unlock() -> Unlock:
        built.append(Unlock(keys, NOW))
        return built[-1]

    lock.faults.drop_mid_frame = 1
    result = await link.run(_unlock)
    assert result.battery == lock.battery
    assert not lock.locked
    assert len(built) == 2
    assert link.connections == 2
    lock.faults.drop_mid_frame = 1
    with pytest.raises(BleConnectionError):
        await link.run(lambda: GetStatus(keys), retry=False)
    assert not link.is_connected
    lock.faults.drop_mid_frame = 3  # every attempt fails
    with pytest.raises(BleConnectionError):
        await link.run(lambda: GetStatus(keys))
    assert link.connections == 5
    await link.close()


async def test_pushes_between_and_during_operations(
    lock: SimulatedLock, keys: LockKeys, make_link: Any
) -> None:
    """A state push after an unlock is no reply to the next operation; one that arrives while
    an operation waits is handed to ``on_push``."""
    lock.push_status_after_actuation = True
    link = make_link()
    await link.run(lambda: Unlock(keys, NOW))
    await _turns()  # the push ("unlocked", command 0x14) arrives while no operation runs
    lock.set_locked(True)  # turned by hand: no push
    status = await link.run(lambda: GetStatus(keys))  # a 0x14 request: the stale push is no reply
    assert status.state is LockState.LOCKED
    pushes: list[LockPush] = []
    await link.run(lambda: Unlock(keys, NOW))
    # the next operation starts at once: the push arrives while it waits for its own reply
    clock = await link.run(lambda: GetLockTime(keys), on_push=pushes.append)
    assert clock is not None
    assert len(pushes) == 1
    await link.close()


async def test_idle_link_is_closed_unless_kept(
    air: VirtualAir, lock: SimulatedLock, keys: LockKeys, make_link: Any
) -> None:
    """After the idle timeout the link is dropped (the lock's battery); ``stay_connected``
    keeps it for the next operation."""
    idle = make_link(idle_timeout=0)
    kept = make_link(idle_timeout=0, stay_connected=True)
    await idle.run(lambda: GetStatus(keys))
    assert idle.is_connected
    for _ in range(100):
        if not idle.is_connected:
            break
        await asyncio.sleep(0)
    assert not idle.is_connected
    assert not lock.connected
    await kept.run(lambda: GetStatus(keys))
    await _turns(100)  # far longer than the idle link needed to close
    assert kept.is_connected
    await kept.run(lambda: GetStatus(keys))
    assert kept.connections == 1
    await kept.close()
    assert not lock.connected
    # one link per lock: a second central cannot connect while the lock holds one
    busy = make_link(stay_connected=True)
    await busy.run(lambda: GetStatus(keys))
    other = make_link(max_attempts=1)
    with pytest.raises(BleConnectionError, match="cannot connect"):
        await other.run(lambda: GetStatus(keys))
    await busy.close()
    await other.close()
