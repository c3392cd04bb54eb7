"""How ``BleLockLink`` reports connection failures: four typed errors after
bleak-retry-connector's own retries, a fresh ``BLEDevice`` per attempt, setup and write
failures as connection errors (a dropped write is retried on a new link).

``establish_connection`` is replaced by a scripted fake; the operation is a one-frame echo
(the end-to-end runs against the simulated lock are in tests/simulator_ble).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError
from bleak_retry_connector import (
    BleakAbortedError,
    BleakNotFoundError,
    BleakOutOfConnectionSlotsError,
)

from custom_components.ttlock_access.sdk.ble import transport
from custom_components.ttlock_access.sdk.ble.const import (
    NOTIFY_CHARACTERISTIC_UUID,
    WRITE_CHARACTERISTIC_UUID,
)
from custom_components.ttlock_access.sdk.ble.errors import FrameError
from custom_components.ttlock_access.sdk.ble.ops import Done, Step, Write
from custom_components.ttlock_access.sdk.ble.transport import (
    BleAbortedError,
    BleConnectionError,
    BleDeviceNotFoundError,
    BleLockLink,
    BleOutOfSlotsError,
)

ADDRESS = "C0:FF:EE:19:10:01"


class _Char:
    properties = ("write-without-response", "write")


class _Services:
    def get_characteristic(self, uuid: str) -> _Char | None:
        return _Char() if uuid in (WRITE_CHARACTERISTIC_UUID, NOTIFY_CHARACTERISTIC_UUID) else None


class FakeClient:
    """Echoes writes back; can fail its subscription or its next writes."""

    def __init__(
        self, *, notify_error: Exception | None = None, write_errors: int = 0, junk: bool = False
    ) -> None:
        self.services = _Services()
        self.junk = junk
        self.is_connected = True
        self.notify_error = notify_error
        self.write_errors = write_errors
        self.disconnects = 0
        self.responses: list[bool] = []
        self._callback: Callable[[Any, bytearray], None] | None = None

    async def start_notify(self, _uuid: str, callback: Callable[[Any, bytearray], None]) -> None:
        if self.notify_error is not None:
            raise self.notify_error
        self._callback = callback

    async def write_gatt_char(self, _uuid: str, data: bytes, response: bool) -> None:
        self.responses.append(response)
        if self.write_errors:
            self.write_errors -= 1
            raise BleakError("write failed: not connected")
        assert self._callback is not None
        if self.junk:
            self._callback(None, bytearray(b"junk"))
        self._callback(None, bytearray(data))

    async def disconnect(self) -> None:
        self.disconnects += 1
        self.is_connected = False


class Echo:
    """Writes one chunk and is done with the frame that comes back."""

    def start(self) -> Step[bytes]:
        return Write((b"ping",), 0x14, 1.0)

    def receive(self, frame: Any) -> Step[bytes]:
        return Done(bytes(frame))

    def crc_error(self, error: Any) -> Step[bytes]:
        raise AssertionError(error)

    def timeout(self) -> Step[bytes]:
        raise AssertionError("timeout")


class EchoFeeder:
    """Every notification is one frame; ``junk`` is a malformed one."""

    def feed(self, data: bytes) -> Iterator[bytes]:
        if data == b"junk":
            raise FrameError("not a frame")
        if data:
            yield data


@pytest.fixture
def script(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What successive ``establish_connection`` calls do: raise an error, hang, or connect
    with a :class:`FakeClient`."""
    steps: list[Any] = []

    async def _establish(_cls: type, _device: BLEDevice, _name: str, **_kwargs: Any) -> Any:
        step = steps.pop(0)
        if step == "hang":
            await asyncio.Event().wait()
        if isinstance(step, Exception):
            raise step
        return step

    monkeypatch.setattr(transport, "establish_connection", _establish)
    return steps


def _link(lookups: list[BLEDevice | None] | None = None, **kwargs: Any) -> BleLockLink:
    device = BLEDevice(ADDRESS, "S31_019c10", {"source": "test"})
    seen = lookups if lookups is not None else []

    def _lookup() -> BLEDevice | None:
        seen.append(device)
        return device

    return BleLockLink(ADDRESS, "Front", _lookup, assembler_factory=EchoFeeder, **kwargs)


async def test_not_in_range_when_no_adapter_sees_the_lock(script: list[Any]) -> None:
    link = BleLockLink(ADDRESS, "Front", lambda: None)
    with pytest.raises(BleDeviceNotFoundError, match="not in range"):
        await link.run(Echo)
    assert script == []  # no connection attempted


@pytest.mark.parametrize(
    ("failures", "error"),
    [
        ([BleakNotFoundError("gone")], BleDeviceNotFoundError),
        ([BleakOutOfConnectionSlotsError("no slot")], BleOutOfSlotsError),
        ([BleakAbortedError("abort"), BleakAbortedError("abort")], BleAbortedError),
        ([BleakError("refused"), TimeoutError()], BleConnectionError),
    ],
)
async def test_connection_failures_are_typed(
    script: list[Any], failures: list[Exception], error: type[Exception]
) -> None:
    """Not found and out of slots fail at once; aborts and other errors get a second attempt
    with a freshly looked-up device."""
    lookups: list[BLEDevice | None] = []
    script.extend(failures)
    link = _link(lookups)
    with pytest.raises(error):
        await link.run(Echo)
    assert len(lookups) == len(failures)
    assert script == []
    assert not link.is_connected


async def test_second_attempt_connects(script: list[Any]) -> None:
    client = FakeClient()
    script.extend([BleakAbortedError("abort"), client])
    link = _link()
    assert await link.run(Echo) == b"ping"
    assert client.responses == [False]  # write without response when the lock offers it
    await link.close()
    assert client.disconnects == 1


async def test_connect_timeout(script: list[Any]) -> None:
    """A connection that never completes is given up after ``connect_timeout``."""
    script.append("hang")
    link = _link()
    with pytest.raises(BleConnectionError, match="no link within"):
        await link.run(Echo, connect_timeout=0.01)


async def test_subscription_failure_closes_the_client(script: list[Any]) -> None:
    failing = FakeClient(notify_error=BleakError("notify refused"))
    script.extend([failing, FakeClient(notify_error=EOFError())])
    link = _link(max_attempts=2)
    with pytest.raises(BleConnectionError, match="Front"):
        await link.run(Echo)
    assert failing.disconnects == 1
    assert link.connections == 0


async def test_failed_write_is_retried_on_a_new_link(script: list[Any]) -> None:
    first, second = FakeClient(write_errors=1), FakeClient()
    script.extend([first, second])
    link = _link()
    assert await link.run(Echo) == b"ping"
    assert first.disconnects == 1
    assert link.connections == 2
    await link.close()
    script.append(FakeClient(write_errors=1))
    once = _link()
    with pytest.raises(BleConnectionError, match="write failed"):
        await once.run(Echo, retry=False)  # enrolment: never run twice
    assert not once.is_connected


async def test_malformed_notification_is_skipped(script: list[Any]) -> None:
    """A notification that is no frame is dropped; the reply behind it completes the
    operation."""
    script.append(FakeClient(junk=True))
    link = _link()
    assert await link.run(Echo) == b"ping"
    await link.close()
