"""The bleak edge of the Bluetooth SDK: runs sans-IO operations over a GATT connection.

Not part of the sans-IO core (``sdk/ble/__init__`` does not import it): this module only moves
bytes. It connects with bleak-retry-connector's ``establish_connection`` and
``BleakClientWithServiceCache`` (read at call time: Home Assistant swaps that class for its own
wrapper when Bluetooth starts), subscribes to the notify characteristic, writes the 20-byte
chunks an :class:`~.ops.Operation` asks for (docs/ble.md §2.1), reassembles notifications with a
:class:`~.frame.FrameAssembler` and hands frames back to the operation until it is done.

* One operation at a time per lock; the link is kept for ``idle_timeout`` seconds after the
  last operation (so a burst of commands shares one connection) and then dropped to save the
  lock's battery, unless ``stay_connected``.
* The freshest ``BLEDevice`` is asked from ``device_lookup`` on every connection attempt.
* Connection failures after bleak-retry-connector's own retries map to four typed errors
  (not found / out of connection slots / aborted / other).
* Locks by default; any device that speaks a TTLock-style sans-IO protocol over one write and
  one notify characteristic works with ``write_uuid`` / ``notify_uuid`` / ``assembler_factory``
  — a gateway in set-up mode (docs/ble.md §9.1)::

      link = BleLockLink(address, name, lookup, write_uuid=GATEWAY_WRITE_UUID,
                         notify_uuid=GATEWAY_NOTIFY_UUID,
                         assembler_factory=GatewayFrameAssembler)
      await link.run(lambda: ConfigureGateway(address, ssid, password, ...), retry=False)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import bleak_retry_connector
from bleak import BleakClient
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError
from bleak_retry_connector import (
    BleakAbortedError,
    BleakNotFoundError,
    BleakOutOfConnectionSlotsError,
    establish_connection,
)

from .const import NOTIFY_CHARACTERISTIC_UUID, WRITE_CHARACTERISTIC_UUID
from .errors import CrcError, ProtocolError, TTLockBleError
from .frame import Frame, FrameAssembler
from .ops import Done, Failed, Progress, Step, Wait, Write
from .routing import LockPush

_LOGGER = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT = 40.0
"""Seconds to get a link (bleak-retry-connector retries inside); less when a fallback exists."""
DEFAULT_IDLE_TIMEOUT = 5.0
"""Seconds a link is kept after the last operation (PySwitchbot-style idle disconnect)."""
CONNECT_ATTEMPTS = 2
"""Connection attempts per operation, each with a fresh BLEDevice (plus bleak-retry-connector's
own retries inside each attempt)."""
RETRY_ATTEMPTS = 3


class FrameFeeder(Protocol):
    """Reassembles notifications into frames (:class:`~.frame.FrameAssembler` for locks,
    ``gateway.GatewayFrameAssembler`` for gateways): ``feed(chunk)`` iterates the frames it
    completes and may raise a :class:`~.errors.ProtocolError` (``CrcError``) mid-iteration."""

    def feed(self, data: bytes) -> Iterator[Any]:
        """Buffer ``data``; iterate the completed frames."""
        ...


class DrivenOperation[T](Protocol):
    """What the link drives: :class:`~.ops.Operation` and the gateway operations."""

    def start(self) -> Step[T]:
        """The first step."""
        ...

    def receive(self, frame: Any) -> Step[T]:
        """One frame from the feeder."""
        ...

    def crc_error(self, error: CrcError) -> Step[T]:
        """A frame failed its CRC."""
        ...

    def timeout(self) -> Step[T]:
        """The deadline passed."""
        ...


class BleTransportError(TTLockBleError):
    """The Bluetooth link failed (not the protocol)."""


class BleDeviceNotFoundError(BleTransportError):
    """No adapter or proxy currently sees the lock."""


class BleOutOfSlotsError(BleTransportError):
    """Every adapter / proxy that sees the lock has its connection slots in use."""


class BleAbortedError(BleTransportError):
    """The connection was aborted (interference or range)."""


class BleConnectionError(BleTransportError):
    """Any other failure to connect, or the link dropped during an operation."""


class BleLinkLostError(BleConnectionError):
    """The link dropped after the operation began: the lock may have carried it out (its
    reply is lost), so the outcome is unknown."""


class _Dropped:
    """Queue marker: the link dropped."""


class _Session:
    """One connection: its client, its notification queue and reassembly buffer.

    Callbacks of an old connection (a late disconnect, a stray notification) reach only their
    own session, never the next connection's queue.
    """

    def __init__(self, name: str, assembler: FrameFeeder | None = None) -> None:
        self.name = name
        self.client: BleakClient | None = None
        self.queue: asyncio.Queue[Frame | ProtocolError | _Dropped | Any] = asyncio.Queue()
        self.assembler: FrameFeeder = assembler if assembler is not None else FrameAssembler()
        self.expected_disconnect = False
        self.write_response = False

    def on_disconnect(self, _client: BleakClient) -> None:
        if not self.expected_disconnect:
            _LOGGER.debug("%s: disconnected by the lock", self.name)
        self.queue.put_nowait(_Dropped())

    def on_notify(self, _char: Any, data: bytearray) -> None:
        chunk = bytes(data)
        while True:
            try:
                for frame in self.assembler.feed(chunk):
                    self.queue.put_nowait(frame)
                return
            except ProtocolError as err:  # CRC mismatch: report it, keep the frames behind
                self.queue.put_nowait(err)
                chunk = b""


class BleLockLink:
    """The Bluetooth link to one lock, running one operation at a time.

    ``write_uuid`` / ``notify_uuid`` / ``assembler_factory`` default to a lock's (``FFF2`` /
    ``FFF4`` / :class:`~.frame.FrameAssembler`, docs/ble.md §2); pass the gateway's to run
    ``gateway.ConfigureGateway`` (see the module docstring).
    """

    def __init__(
        self,
        address: str,
        name: str,
        device_lookup: Callable[[], BLEDevice | None],
        *,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        stay_connected: bool = False,
        max_attempts: int = RETRY_ATTEMPTS,
        write_uuid: str = WRITE_CHARACTERISTIC_UUID,
        notify_uuid: str = NOTIFY_CHARACTERISTIC_UUID,
        assembler_factory: Callable[[], FrameFeeder] = FrameAssembler,
    ) -> None:
        self.address = address
        self.name = name
        self.write_uuid = write_uuid
        self.notify_uuid = notify_uuid
        self._assembler_factory = assembler_factory
        self._lookup = device_lookup
        self.idle_timeout = idle_timeout
        self.stay_connected = stay_connected
        self._max_attempts = max_attempts
        self._op_lock = asyncio.Lock()
        self._session: _Session | None = None
        self._idle_handle: asyncio.TimerHandle | None = None
        self._closed = False
        self.connections = 0
        """Connections made so far (benchmarks: writing 50 passcodes should take one)."""
        self.exchanges = 0
        """Frames written so far."""

    @property
    def is_connected(self) -> bool:
        """Whether a link is up right now."""
        session = self._session
        return session is not None and session.client is not None and session.client.is_connected

    async def run[T](
        self,
        make_op: Callable[[], DrivenOperation[T]],
        *,
        on_progress: Callable[[Progress], None] | None = None,
        on_push: Callable[[LockPush], None] | None = None,
        retry: bool = True,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    ) -> T:
        """Run the operation ``make_op()`` builds; rebuilt and retried when the link drops.

        ``retry=False`` for operations that must not run twice (enrolment): a dropped link
        then fails at once.
        """
        async with self._op_lock:
            self._cancel_idle()
            attempts = self._max_attempts if retry else 1
            try:
                for attempt in range(1, attempts + 1):
                    try:
                        async with asyncio.timeout(connect_timeout):
                            await self._ensure_connected()
                    except TimeoutError as err:
                        raise BleConnectionError(
                            f"{self.name}: no link within {connect_timeout:.0f} s"
                        ) from err
                    try:
                        return await self._drive(make_op(), on_progress, on_push)
                    except BleConnectionError:
                        await self._disconnect()
                        if attempt == attempts:
                            raise
                        _LOGGER.debug("%s: link dropped; retrying (%s)", self.name, attempt)
                raise AssertionError("unreachable")  # pragma: no cover
            except asyncio.CancelledError:
                # the caller gave up mid-operation (an unload): free the lock's only
                # connection slot rather than leave it to the next link
                await asyncio.shield(self._disconnect())
                raise
            finally:
                self._schedule_idle()

    # ------------------------------------------------------------------ connection
    async def _ensure_connected(self) -> None:
        if self.is_connected:
            return
        last: Exception | None = None
        for _ in range(CONNECT_ATTEMPTS):
            device = self._lookup()
            if device is None:
                raise BleDeviceNotFoundError(f"{self.name} is not in range of any adapter")
            session = _Session(self.name, self._assembler_factory())
            try:
                # read at call time: Home Assistant replaces this class with its wrapper
                client_class = bleak_retry_connector.BleakClientWithServiceCache
                client = await establish_connection(
                    client_class,
                    device,
                    self.name,
                    disconnected_callback=session.on_disconnect,
                    max_attempts=2,
                )
            except BleakNotFoundError as err:
                raise BleDeviceNotFoundError(str(err)) from err
            except BleakOutOfConnectionSlotsError as err:
                raise BleOutOfSlotsError(str(err)) from err
            except BleakAbortedError as err:
                last = err
                continue
            except (BleakError, TimeoutError, EOFError, OSError) as err:
                last = err
                continue
            await self._setup(session, client)
            return
        if isinstance(last, BleakAbortedError):
            raise BleAbortedError(str(last)) from last
        raise BleConnectionError(f"cannot connect to {self.name}: {last}") from last

    async def _setup(self, session: _Session, client: BleakClient) -> None:
        try:
            char = client.services.get_characteristic(self.write_uuid)
            notify = client.services.get_characteristic(self.notify_uuid)
            if char is None or notify is None:
                # A firmware update can change the table: forget the cached one (§2).
                with contextlib.suppress(Exception):
                    await client.clear_cache()  # type: ignore[attr-defined]
                raise BleConnectionError(f"{self.name} lacks the expected GATT service")
            # docs/ble.md §2.1: the characteristic is write-without-response on real locks, but
            # both kinds are accepted; follow what the characteristic offers.
            session.write_response = "write-without-response" not in char.properties
            session.client = client
            await client.start_notify(self.notify_uuid, session.on_notify)
        except BleConnectionError:
            await self._close(session, client)
            raise
        except (BleakError, TimeoutError, EOFError, OSError) as err:
            await self._close(session, client)
            raise BleConnectionError(f"{self.name}: {err}") from err
        except asyncio.CancelledError:
            # given up while the link was being set up: it is not ours yet, so close it here
            await asyncio.shield(self._close(session, client))
            raise
        self._session = session
        self.connections += 1

    @staticmethod
    async def _close(session: _Session, client: BleakClient) -> None:
        session.expected_disconnect = True
        session.client = None
        with contextlib.suppress(BleakError, TimeoutError, EOFError, OSError):
            await client.disconnect()

    async def _disconnect(self) -> None:
        session, self._session = self._session, None
        if session is not None and session.client is not None:
            await self._close(session, session.client)

    def _cancel_idle(self) -> None:
        if self._idle_handle is not None:
            self._idle_handle.cancel()
            self._idle_handle = None

    def _schedule_idle(self) -> None:
        if self._closed or self.stay_connected or not self.is_connected:
            return
        loop = asyncio.get_running_loop()
        self._idle_handle = loop.call_later(
            self.idle_timeout, lambda: loop.create_task(self._idle_disconnect())
        )

    async def _idle_disconnect(self) -> None:
        self._idle_handle = None
        if self._op_lock.locked():
            return
        await self._disconnect()

    async def close(self) -> None:
        """Drop the link for good (entry unload); an operation in flight finishes first."""
        self._closed = True
        self._cancel_idle()
        async with self._op_lock:
            self._cancel_idle()
            await self._disconnect()

    # ------------------------------------------------------------------ driving
    async def _write(self, session: _Session, step: Write) -> None:
        client = session.client
        if client is None:
            raise BleConnectionError(f"{self.name}: link lost")
        try:
            for piece in step.chunks:
                await client.write_gatt_char(
                    self.write_uuid, piece, response=session.write_response
                )
        except (BleakError, TimeoutError, EOFError, OSError) as err:
            raise BleLinkLostError(f"{self.name}: write failed: {err}") from err
        self.exchanges += 1

    async def _drive[T](
        self,
        op: DrivenOperation[T],
        on_progress: Callable[[Progress], None] | None,
        on_push: Callable[[LockPush], None] | None,
    ) -> T:
        session = self._session
        if session is None:
            raise BleConnectionError(f"{self.name}: link lost")
        # Frames that arrived between operations are unsolicited pushes (a status push after
        # an actuation, docs/ble.md §5.11): never let them pass for this operation's reply.
        while not session.queue.empty():
            stale = session.queue.get_nowait()
            if isinstance(stale, _Dropped):
                raise BleConnectionError(f"{self.name}: the link dropped")
            _LOGGER.debug("%s: discarding a frame received between operations", self.name)
        loop = asyncio.get_running_loop()
        step = op.start()
        deadline = loop.time()
        while True:
            if isinstance(step, Done):
                return step.result
            if isinstance(step, Failed):
                raise step.error
            if isinstance(step, Write):
                await self._write(session, step)
                deadline = loop.time() + step.timeout
            elif isinstance(step, Wait):
                if step.push is not None and on_push is not None:
                    on_push(step.push)
                if step.progress is not None and on_progress is not None:
                    on_progress(step.progress)
                if step.timeout is not None:
                    deadline = loop.time() + step.timeout
            try:
                async with asyncio.timeout(max(0.0, deadline - loop.time())):
                    item = await session.queue.get()
            except TimeoutError:
                step = op.timeout()
                continue
            if isinstance(item, _Dropped):
                raise BleLinkLostError(f"{self.name}: the link dropped during the operation")
            if isinstance(item, CrcError):
                step = op.crc_error(item)
            elif isinstance(item, ProtocolError):
                continue
            else:
                step = op.receive(item)
