"""BleLockLink talks to the characteristics it is given (locks by default, gateways on request).

``establish_connection`` is replaced by a fake client that records which characteristics are
subscribed and written; the operation and the frame feeder are tiny fakes too, so this checks
the transport's plumbing only (the end-to-end runs are in tests/simulator_ble).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from bleak.backends.device import BLEDevice

from custom_components.ttlock_access.sdk.ble import transport
from custom_components.ttlock_access.sdk.ble.const import (
    NOTIFY_CHARACTERISTIC_UUID,
    WRITE_CHARACTERISTIC_UUID,
)
from custom_components.ttlock_access.sdk.ble.gateway import (
    GATEWAY_NOTIFY_UUID,
    GATEWAY_WRITE_UUID,
)
from custom_components.ttlock_access.sdk.ble.ops import Done, Step, Write
from custom_components.ttlock_access.sdk.ble.transport import BleConnectionError, BleLockLink

ADDRESS = "54:8E:29:A1:99:01"


class _Char:
    def __init__(self, properties: list[str]) -> None:
        self.properties = properties


class _Services:
    def __init__(self, uuids: set[str]) -> None:
        self._uuids = uuids

    def get_characteristic(self, uuid: str) -> _Char | None:
        return _Char(["write"]) if uuid in self._uuids else None


class FakeClient:
    """Echoes every write back as a notification on the subscribed characteristic."""

    def __init__(self, uuids: set[str]) -> None:
        self.services = _Services(uuids)
        self.is_connected = True
        self.subscribed: list[str] = []
        self.writes: list[tuple[str, bytes, bool]] = []
        self._callback: Callable[[Any, bytearray], None] | None = None

    async def start_notify(self, uuid: str, callback: Callable[[Any, bytearray], None]) -> None:
        self.subscribed.append(uuid)
        self._callback = callback

    async def write_gatt_char(self, uuid: str, data: bytes, response: bool) -> None:
        self.writes.append((uuid, bytes(data), response))
        assert self._callback is not None
        self._callback(None, bytearray(data))

    async def disconnect(self) -> None:
        self.is_connected = False

    async def clear_cache(self) -> None:
        return


class EchoFeeder:
    """Every notification is one 'frame'."""

    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data


class PingOperation:
    """Writes one chunk and is done with the first frame that comes back."""

    def start(self) -> Step[bytes]:
        return Write((b"ping",), 0x45, 1.0)

    def receive(self, frame: Any) -> Step[bytes]:
        return Done(bytes(frame))

    def crc_error(self, error: Any) -> Step[bytes]:
        raise AssertionError(error)

    def timeout(self) -> Step[bytes]:
        raise AssertionError("timeout")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeClient]:
    made: dict[str, FakeClient] = {}

    async def _establish(_cls: type, _device: BLEDevice, _name: str, **_kwargs: Any) -> FakeClient:
        client = FakeClient(made["uuids"])  # type: ignore[arg-type]
        made["client"] = client
        return client

    monkeypatch.setattr(transport, "establish_connection", _establish)
    return made


def _device() -> BLEDevice:
    return BLEDevice(ADDRESS, "G2_0199a1", {"source": "test"})


async def test_default_uuids_are_the_locks(fake: dict[str, Any]) -> None:
    fake["uuids"] = {WRITE_CHARACTERISTIC_UUID, NOTIFY_CHARACTERISTIC_UUID}
    link = BleLockLink(ADDRESS, "lock", _device, assembler_factory=EchoFeeder)
    assert (link.write_uuid, link.notify_uuid) == (
        WRITE_CHARACTERISTIC_UUID,
        NOTIFY_CHARACTERISTIC_UUID,
    )
    assert await link.run(PingOperation) == b"ping"
    client = fake["client"]
    assert client.subscribed == [NOTIFY_CHARACTERISTIC_UUID]
    assert client.writes == [(WRITE_CHARACTERISTIC_UUID, b"ping", True)]
    await link.close()


async def test_gateway_uuids_and_feeder(fake: dict[str, Any]) -> None:
    fake["uuids"] = {GATEWAY_WRITE_UUID, GATEWAY_NOTIFY_UUID}
    link = BleLockLink(
        ADDRESS,
        "gateway",
        _device,
        write_uuid=GATEWAY_WRITE_UUID,
        notify_uuid=GATEWAY_NOTIFY_UUID,
        assembler_factory=EchoFeeder,
    )
    assert await link.run(PingOperation, retry=False) == b"ping"
    client = fake["client"]
    assert client.subscribed == [GATEWAY_NOTIFY_UUID]
    assert client.writes == [(GATEWAY_WRITE_UUID, b"ping", True)]
    await link.close()


async def test_a_device_without_the_characteristics_is_refused(fake: dict[str, Any]) -> None:
    fake["uuids"] = {WRITE_CHARACTERISTIC_UUID, NOTIFY_CHARACTERISTIC_UUID}  # a lock's table
    link = BleLockLink(
        ADDRESS,
        "gateway",
        _device,
        write_uuid=GATEWAY_WRITE_UUID,
        notify_uuid=GATEWAY_NOTIFY_UUID,
        max_attempts=1,
    )
    with pytest.raises(BleConnectionError, match="GATT service"):
        await link.run(PingOperation, retry=False)
    await link.close()
