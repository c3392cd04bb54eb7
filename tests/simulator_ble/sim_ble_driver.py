"""Test-only driver: run a sans-IO client operation over a connected bleak client.

Not the production transport (that is ``custom_components/ttlock_access/sdk/ble/transport.py``,
the lead's); just enough to drive ``sdk.ble.ops`` operations against the simulated lock:

* write every chunk of a :class:`Write` to ``FFF2`` in order, without response (SDK, KJS, RQB)
  or with response (BAZ) — ``docs/ble.md`` §2.1, both accepted;
* feed ``FFF4`` notifications to a :class:`FrameAssembler` and hand each frame to the
  operation; a CRC error goes to ``op.crc_error`` (the op re-sends, errata E17);
* honour the deadlines of :class:`Write` / :class:`Wait` (``op.timeout()`` when they pass),
  optionally capped by ``max_timeout`` so timeout tests do not wait six real seconds;
* report pushes and enrolment progress, and raise :class:`LinkLostError` when the link drops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bleak import BleakClient
from bleak.backends.device import BLEDevice

from custom_components.ttlock_access.sdk.ble import (
    CrcError,
    Done,
    Failed,
    Frame,
    FrameAssembler,
    LockPush,
    Operation,
    ProtocolHeader,
    Wait,
    Write,
    open_payload,
    seal,
)
from custom_components.ttlock_access.sdk.ble.const import (
    NOTIFY_CHARACTERISTIC_UUID,
    WRITE_CHARACTERISTIC_UUID,
)


class LinkLostError(ConnectionError):
    """The BLE link dropped while an operation was running."""


_DISCONNECTED = None


@dataclass
class SimLink:
    """One connected bleak client plus the plumbing to run operations over it."""

    client: BleakClient
    response: bool = False
    max_timeout: float | None = None
    pushes: list[LockPush] = field(default_factory=list)
    progress: list[Any] = field(default_factory=list)
    writes: int = 0
    on_progress: Callable[[Any], None] | None = None
    idle_frames: list[Frame] = field(default_factory=list)
    """Frames that arrived while no operation ran (pushes), in order."""
    _queue: asyncio.Queue[bytes | None] = field(default_factory=asyncio.Queue)
    _idle: FrameAssembler = field(default_factory=FrameAssembler)
    _subscribed: bool = False

    def disconnected(self, _client: BleakClient | None = None) -> None:
        """Pass this as ``disconnected_callback``."""
        self._queue.put_nowait(_DISCONNECTED)

    def _notified(self, _char: object, data: bytearray) -> None:
        self._queue.put_nowait(bytes(data))

    async def subscribe(self) -> None:
        """Enable notifications on FFF4 (once per connection)."""
        if not self._subscribed:
            await self.client.start_notify(NOTIFY_CHARACTERISTIC_UUID, self._notified)
            self._subscribed = True

    async def _write(self, chunks: tuple[bytes, ...]) -> None:
        for chunk in chunks:
            self.writes += 1
            await self.client.write_gatt_char(WRITE_CHARACTERISTIC_UUID, chunk, self.response)

    def _deadline(self, timeout: float) -> float:
        if self.max_timeout is not None:
            timeout = min(timeout, self.max_timeout)
        return asyncio.get_running_loop().time() + timeout

    def collect_idle(self) -> list[Frame]:
        """Move notifications that arrived between operations into :attr:`idle_frames`."""
        while not self._queue.empty():
            data = self._queue.get_nowait()
            if data is _DISCONNECTED:
                raise LinkLostError("the lock dropped the link")
            self.idle_frames.extend(self._idle.feed(data))
        return self.idle_frames

    async def run[T](self, op: Operation[T]) -> T:
        """Drive ``op`` to completion; returns its result or raises its typed error."""
        await self.subscribe()
        self.collect_idle()
        loop = asyncio.get_running_loop()
        assembler = FrameAssembler()
        deadline: float | None = None
        step = op.start()
        while True:
            match step:
                case Write(chunks=chunks, timeout=timeout):
                    await self._write(chunks)
                    deadline = self._deadline(timeout)
                case Wait(timeout=timeout, push=push, progress=progress):
                    if push is not None:
                        self.pushes.append(push)
                    if progress is not None:
                        self.progress.append(progress)
                        if self.on_progress is not None:
                            self.on_progress(progress)
                    if timeout:
                        deadline = self._deadline(timeout)
                case Done(result=result):
                    return result  # type: ignore[no-any-return]
                case Failed(error=error):
                    raise error
            # The previous step may have left complete frames buffered (feed(b"") drains).
            step = self._drain(op, assembler, b"")
            if step is not None:
                continue
            assert deadline is not None
            while step is None:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    step = op.timeout()
                    break
                try:
                    data = await asyncio.wait_for(self._queue.get(), remaining)
                except TimeoutError:
                    step = op.timeout()
                    break
                if data is _DISCONNECTED:
                    raise LinkLostError("the lock dropped the link")
                step = self._drain(op, assembler, data)

    async def exchange(
        self,
        command: int,
        plaintext: bytes,
        key: bytes,
        *,
        header: ProtocolHeader | None = None,
        raw: bytes | None = None,
        reply_key: bytes | None = None,
        wait: float = 2.0,
    ) -> tuple[Frame, bytes]:
        """Send one hand-built request (or ``raw`` wire bytes); return the next frame and
        its decrypted payload. For byte-level checks of the lock's replies."""
        await self.subscribe()
        self.collect_idle()
        wire = (
            raw
            if raw is not None
            else seal(header or ProtocolHeader(), command, plaintext, key).encode()
        )
        await self._write(tuple(wire[i : i + 20] for i in range(0, len(wire), 20)))
        assembler = FrameAssembler()
        async with asyncio.timeout(wait):
            while True:
                data = await self._queue.get()
                if data is _DISCONNECTED:
                    raise LinkLostError("the lock dropped the link")
                for frame in assembler.feed(data):
                    return frame, open_payload(frame, reply_key or key)

    @staticmethod
    def _drain(op: Operation[Any], assembler: FrameAssembler, data: bytes) -> Any:
        """Feed ``data``; return the step of the first frame that produced one."""
        frames = assembler.feed(data)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                return None
            except CrcError as err:
                return op.crc_error(err)
            return op.receive(frame)


async def connect(
    client_class: type[BleakClient],
    device: BLEDevice,
    *,
    backend: type | None = None,
    response: bool = False,
    max_timeout: float | None = None,
    **kwargs: Any,
) -> SimLink:
    """``establish_connection`` (bleak-retry-connector) and wrap the client in a SimLink."""
    import bleak_retry_connector

    link = SimLink(client=None, response=response, max_timeout=max_timeout)  # type: ignore[arg-type]
    if backend is not None:
        kwargs["backend"] = backend
    link.client = await bleak_retry_connector.establish_connection(
        client_class, device, device.name or device.address, link.disconnected, **kwargs
    )
    return link
