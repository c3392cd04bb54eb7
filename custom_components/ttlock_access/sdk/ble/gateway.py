"""Bluetooth set-up of a TTLock gateway (G2 Wi-Fi, G3 wired, G4 4G): sans-IO codec and flow.

Facts: ``docs/ble.md`` §9.1, which cites the TTLock Android SDK 3.3.1 sources as
published in ``Monkopedia/glowing-fishstick`` @ ``08a4f41`` (``ttlock-source/com/ttlock/bl/
sdk/gateway/...``). Everything below is restated from those sources; no code is copied.

Discovery and GATT (SDK ``gateway/model/GatewayType.java``, ``gateway/api/ScanManager.java``,
``gateway/api/GattCallbackHelper.java``)
    A gateway in set-up mode advertises service ``0x1911`` and manufacturer data whose raw
    bytes start ``11 19`` (G2), ``11 21`` (G3) or ``11 20`` (G4), the MAC reversed in the last
    six bytes (:func:`~.advertisement.parse_advertisement` gives ``DeviceKind.GATEWAY_G*``).
    Configuration runs over service ``00001911-…``: write ``00000002-…``, notify ``00000003-…``
    (CCCD ``2902``), 20-byte writes.

Frame (SDK ``gateway/command/Command.java``)
    ``72 5B | command | length | data | CRC`` — no CRLF; the CRC is the locks' CRC-8 with the
    quirk table (docs/ble.md §3.3) over everything before it; ``data`` is AES-128-CBC (IV = key,
    PKCS#7, docs/ble.md §4.1). Notifications are reassembled by length (``data[3] + 5``).
    Replies carry the request's command byte; their first decrypted byte is a status.

Key (SDK ``Command.getAeskey``)
    AES-encrypt the six MAC bytes **in reverse order** with the fixed gateway default key
    :data:`GATEWAY_DEFAULT_KEY` (same AES as above): the 16-byte ciphertext is the key.

Commands (SDK ``Command.java``, ``CommandUtil.java``, ``GatewaySDKApi.java``)
    ``0x45`` echo ``"SCIENER"`` (sent once notifications are on; any reply = connected);
    ``0x01`` scan SSIDs ``"SCIENER"`` → one reply per network ``[0][len][ssid][rssi]``, then
    ``[5]``; ``0x02`` Wi-Fi ``[len][ssid UTF-8][len][password]`` → ``[2]`` (accepted, joining)
    then ``[0]``; ``0x03`` server ``[len][host][port BE16]``; ``0x04`` account
    ``uid(4 BE) ‖ MD5 password (32 hex chars) ‖ companyId(4) ‖ branchId(4) ‖ name`` where the
    name field is 51 bytes (:func:`account_name_field`); ``0x05`` DFU and ``0x06`` static IP
    are not used here. Status codes: :class:`GatewayStatus` (SDK ``GatewayError.java``).

Set-up order (SDK ``GattCallbackHelper.doWithData``, ``GatewaySDKApi.initializeGateway``)
    echo → Wi-Fi (G2 only; G3/G4 skip it) → server → account, each step on status 0.
    :class:`ConfigureGateway` runs it as a state machine with the steps of :mod:`.ops`
    (:class:`~.ops.Write` / :class:`~.ops.Wait` / :class:`~.ops.Done` / :class:`~.ops.Failed`),
    so the bleak adapter drives it like a lock operation (``BleLockLink`` with the gateway's
    UUIDs and :class:`GatewayFrameAssembler`).
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from enum import IntEnum

from .crc import crc8
from .crypto import aes_decrypt, aes_encrypt
from .errors import (
    CrcError,
    EncodeError,
    FrameError,
    OperationStateError,
    PayloadError,
    ProtocolError,
    ReplyTimeoutError,
    TTLockBleError,
)
from .keys import mac_to_bytes
from .ops import Done, Failed, Step, Wait, Write

__all__ = [
    "DEFAULT_SERVER",
    "DEFAULT_SERVER_PORT",
    "GATEWAY_DEFAULT_KEY",
    "GATEWAY_MAGIC",
    "GATEWAY_NOTIFY_UUID",
    "GATEWAY_SERVICE_UUID",
    "GATEWAY_WRITE_UUID",
    "ConfigureGateway",
    "GatewayCommand",
    "GatewayConfigured",
    "GatewayError",
    "GatewayFrame",
    "GatewayFrameAssembler",
    "GatewayModel",
    "GatewayReply",
    "GatewayStatus",
    "ScanGatewayWifi",
    "WifiNetwork",
    "account_name_field",
    "account_payload",
    "decode_gateway_frame",
    "encode_gateway_frame",
    "gateway_key",
    "md5_password",
    "open_gateway_frame",
    "parse_wifi_entry",
    "server_payload",
    "wifi_payload",
]

GATEWAY_SERVICE_UUID = "00001911-0000-1000-8000-00805f9b34fb"
GATEWAY_WRITE_UUID = "00000002-0000-1000-8000-00805f9b34fb"
GATEWAY_NOTIFY_UUID = "00000003-0000-1000-8000-00805f9b34fb"
"""GATT of the set-up service (SDK ``GattCallbackHelper``: UUID_SERVICE / _WRITE / _NODIFY)."""

GATEWAY_MAGIC = b"\x72\x5b"
GATEWAY_HEADER_LENGTH = 4
"""Magic, command, length."""
CHUNK_SIZE = 20

# SDK gateway/command/Command.java, field ``defaultAeskey`` (docs/ble.md §9.1): 33 A0 3E 78 23 6A
# 4D 53 88 062 7A 32 A3 BB F2 EF, where the tenth byte is written as the octal literal 062
# (= 0x32). Restated here as plain hex.
GATEWAY_DEFAULT_KEY = bytes.fromhex("33a03e78236a4d5388327a32a3bbf2ef")
"""Fixed key that, AES-encrypting the reversed MAC, gives each gateway's frame key."""

DEFAULT_SERVER = "plug.sciener.cn"
DEFAULT_SERVER_PORT = 2999
"""Server the official SDK configures by default (SDK ``gateway/model/ConfigureGatewayInfo``)."""

VENDOR = b"SCIENER"
NAME_FIELD_LENGTH = 51
"""The account command's name field: name, ``\\n``, model digit, ``\\n`` padding (SDK
``ConfigureGatewayInfo.getCorrentNameBytes``)."""
MAX_PLAINTEXT = 239
"""Largest plaintext whose ciphertext still fits the one-byte length (≤ 255)."""

STEP_TIMEOUT = 10.0
"""Seconds to wait for a set-up reply (the SDK's connect timeout is 10 s)."""
WIFI_TIMEOUT = 40.0
"""Seconds to wait for the Wi-Fi result after the gateway accepted the network (status 2)."""
SCAN_TIMEOUT = 20.0
CRC_RETRIES = 2

_MD5_HEX = re.compile(r"[0-9a-f]{32}")


class GatewayCommand(IntEnum):
    """Set-up commands (SDK ``gateway/command/Command.java``)."""

    SCAN_WIFI = 0x01
    CONFIGURE_WIFI = 0x02
    CONFIGURE_SERVER = 0x03
    CONFIGURE_ACCOUNT = 0x04
    ENTER_DFU = 0x05
    CONFIGURE_IP = 0x06
    ECHO = 0x45


class GatewayStatus(IntEnum):
    """First decrypted byte of a reply (SDK ``gateway/model/GatewayError.java`` and
    ``GattCallbackHelper.doWithData``: 2 = Wi-Fi accepted and joining, 5 = scan finished)."""

    SUCCESS = 0
    FAILED = 1
    PROCESSING = 2
    BAD_WIFI_NAME = 3
    BAD_WIFI_PASSWORD = 4
    SCAN_DONE = 5
    INVALID_COMMAND = 6
    TIMEOUT = 7
    NO_SIM_CARD = 8
    NO_CABLE = 9


class GatewayModel(IntEnum):
    """Gateway generation = the cloud's ``gatewayVersion`` (SDK ``GatewayType``)."""

    G2 = 2
    G3 = 3
    G4 = 4


_REASONS = {
    GatewayStatus.FAILED: "failed",
    GatewayStatus.BAD_WIFI_NAME: "bad Wi-Fi name",
    GatewayStatus.BAD_WIFI_PASSWORD: "bad Wi-Fi password",
    GatewayStatus.INVALID_COMMAND: "invalid command",
    GatewayStatus.TIMEOUT: "time out",
    GatewayStatus.NO_SIM_CARD: "no SIM card",
    GatewayStatus.NO_CABLE: "no network cable",
}


class GatewayError(TTLockBleError):
    """The gateway answered a set-up command with a failure status."""

    def __init__(self, command: int, status: int) -> None:
        self.command = command
        self.status = status
        try:
            self.reason = _REASONS.get(GatewayStatus(status), "failed")
        except ValueError:
            self.reason = "failed"
        super().__init__(
            f"gateway rejected command {command:#04x} (status {status}: {self.reason})"
        )


# --- key, frames ------------------------------------------------------------------------------
def gateway_key(mac: str) -> bytes:
    """The frame key of the gateway with ``mac`` (reversed MAC bytes, AES under the default
    key; 16 bytes)."""
    return aes_encrypt(GATEWAY_DEFAULT_KEY, mac_to_bytes(mac)[::-1])


@dataclass(frozen=True, slots=True)
class GatewayFrame:
    """One ``72 5B`` frame: command and still-encrypted data."""

    command: int
    data: bytes = field(repr=False)

    def encode(self) -> bytes:
        """Wire bytes: magic, command, length, data, CRC (no CRLF)."""
        if len(self.data) > 0xFF:
            raise EncodeError("gateway frame data is at most 255 bytes")
        body = GATEWAY_MAGIC + bytes((self.command, len(self.data))) + self.data
        return body + bytes((crc8(body),))

    def chunks(self, size: int = CHUNK_SIZE) -> list[bytes]:
        """The wire bytes in 20-byte writes."""
        wire = self.encode()
        return [wire[index : index + size] for index in range(0, len(wire), size)]


def encode_gateway_frame(command: int, plaintext: bytes, key: bytes) -> GatewayFrame:
    """Encrypt ``plaintext`` with ``key`` into a frame."""
    if len(plaintext) > MAX_PLAINTEXT:
        raise EncodeError(f"gateway payload too long ({len(plaintext)} bytes)")
    return GatewayFrame(command, aes_encrypt(key, plaintext))


def decode_gateway_frame(raw: bytes) -> GatewayFrame:
    """Split complete wire bytes; raises :class:`FrameError` / :class:`CrcError`."""
    raw = bytes(raw)
    if raw[:2] != GATEWAY_MAGIC or len(raw) < GATEWAY_HEADER_LENGTH + 1:
        raise FrameError("not a gateway frame")
    if len(raw) != raw[3] + GATEWAY_HEADER_LENGTH + 1:
        raise FrameError("gateway frame length does not match its length byte")
    expected = crc8(raw[:-1])
    if expected != raw[-1]:
        raise CrcError(expected, raw[-1])
    return GatewayFrame(raw[2], raw[GATEWAY_HEADER_LENGTH:-1])


def open_gateway_frame(frame: GatewayFrame, key: bytes) -> bytes:
    """Decrypted data of a frame (raises :class:`~.errors.DecryptError`)."""
    return aes_decrypt(key, frame.data)


class GatewayFrameAssembler:
    """Reassembles gateway notifications by declared length (SDK ``onCharacteristicChanged``).

    Same contract as :class:`~.frame.FrameAssembler`: ``feed(chunk)`` returns an iterator of
    frames; a complete frame with a bad CRC is dropped and reported by raising
    :class:`CrcError` from the iterator (call ``feed(b"")`` to continue); bytes before a magic
    are noise. Frames have no CRLF, so a magic inside ciphertext is told apart by the CRC.
    """

    def __init__(self, max_buffer: int = 1024) -> None:
        self._buffer = bytearray()
        self._max_buffer = max_buffer

    def __len__(self) -> int:
        return len(self._buffer)

    def reset(self) -> None:
        """Forget buffered bytes (a new connection)."""
        self._buffer.clear()

    def feed(self, data: bytes) -> Iterator[GatewayFrame]:
        """Buffer ``data`` and return an iterator over the frames it completes."""
        self._buffer += data
        overflow = len(self._buffer) - self._max_buffer
        if overflow > 0:
            del self._buffer[:overflow]
        return self._drain()

    def _drain(self) -> Iterator[GatewayFrame]:
        buf = self._buffer
        while True:
            start = buf.find(GATEWAY_MAGIC)
            if start < 0:
                keep = 1 if buf[-1:] == GATEWAY_MAGIC[:1] else 0
                del buf[: len(buf) - keep]
                return
            del buf[:start]
            if len(buf) < GATEWAY_HEADER_LENGTH:
                return
            total = buf[3] + GATEWAY_HEADER_LENGTH + 1
            if len(buf) < total:
                return
            raw = bytes(buf[:total])
            try:
                frame = decode_gateway_frame(raw)
            except CrcError:
                del buf[:2]  # maybe a false magic: resume the search after it
                raise
            del buf[:total]
            yield frame


# --- payloads -----------------------------------------------------------------------------------
def md5_password(password: str) -> str:
    """The account password as the gateway takes it: lower-case MD5 hex (32 characters)."""
    return hashlib.md5(password.encode("utf-8"), usedforsecurity=False).hexdigest()


def _text(value: str, label: str, *, low: int, high: int) -> bytes:
    raw = value.encode("utf-8")
    if not low <= len(raw) <= high:
        raise EncodeError(f"{label} must be {low}-{high} bytes (UTF-8), got {len(raw)}")
    return raw


def wifi_payload(ssid: str, password: str) -> bytes:
    """``0x02``: ``[len][ssid][len][password]`` (SSID 1–32 bytes, password 0–64)."""
    name = _text(ssid, "the SSID", low=1, high=32)
    secret = _text(password, "the Wi-Fi password", low=0, high=64)
    return bytes((len(name),)) + name + bytes((len(secret),)) + secret


def server_payload(host: str, port: int) -> bytes:
    """``0x03``: ``[len][host ASCII][port BE16]``."""
    if not host.isascii():
        raise EncodeError("the server host must be ASCII")
    raw = _text(host, "the server host", low=1, high=100)
    if not 0 < port <= 0xFFFF:
        raise EncodeError(f"port out of range: {port}")
    return bytes((len(raw),)) + raw + port.to_bytes(2, "big")


def account_name_field(name: str, model: int = GatewayModel.G2) -> bytes:
    """The 51-byte name field: UTF-8 name, ``\\n``, the model digit, ``\\n`` up to 51 bytes.

    A name over 49 bytes is cut (at a character boundary) to make room for ``\\n`` + digit.
    """
    raw = name.encode("utf-8")
    if len(raw) > NAME_FIELD_LENGTH - 2:
        raw = raw[: NAME_FIELD_LENGTH - 2].decode("utf-8", errors="ignore").encode("utf-8")
    field_bytes = raw + b"\n" + str(int(model) % 10).encode("ascii")
    return field_bytes + b"\n" * (NAME_FIELD_LENGTH - len(field_bytes))


def account_payload(
    uid: int,
    password_md5: str,
    name: str,
    *,
    company_id: int = 0,
    branch_id: int = 0,
    model: int = GatewayModel.G2,
) -> bytes:
    """``0x04``: ``uid ‖ MD5 hex ‖ companyId ‖ branchId ‖ name field`` (integers BE32)."""
    if not _MD5_HEX.fullmatch(password_md5):
        raise EncodeError("password_md5 must be 32 lower-case hex characters (md5_password)")
    for label, value in (("uid", uid), ("company_id", company_id), ("branch_id", branch_id)):
        if not 0 <= value <= 0xFFFFFFFF:
            raise EncodeError(f"{label} out of range: {value}")
    return (
        uid.to_bytes(4, "big")
        + password_md5.encode("ascii")
        + company_id.to_bytes(4, "big")
        + branch_id.to_bytes(4, "big")
        + account_name_field(name, model)
    )


@dataclass(frozen=True, slots=True)
class WifiNetwork:
    """A network the gateway heard (``0x01`` reply)."""

    ssid: str
    rssi: int


def parse_wifi_entry(data: bytes) -> WifiNetwork:
    """``[0][len][ssid][rssi signed]`` → :class:`WifiNetwork` (raises :class:`PayloadError`)."""
    if len(data) < 3:
        raise PayloadError("Wi-Fi entry too short")
    length = data[1]
    if len(data) < 3 + length:
        raise PayloadError("Wi-Fi entry shorter than its SSID length")
    ssid = data[2 : 2 + length].decode("utf-8", errors="replace")
    rssi = int.from_bytes(data[2 + length : 3 + length], "big", signed=True)
    return WifiNetwork(ssid, rssi)


@dataclass(frozen=True, slots=True)
class GatewayReply:
    """A decrypted reply: its command, status byte and the rest."""

    command: int
    status: int
    data: bytes = field(repr=False)


# --- operations -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GatewayConfigured:
    """Result of :class:`ConfigureGateway` (no secrets)."""

    mac: str
    model: GatewayModel
    name: str
    server: str
    port: int


@dataclass(frozen=True, slots=True)
class _Send:
    """Write ``command`` with ``payload``; the flow receives the reply."""

    command: int
    payload: bytes = field(repr=False)
    timeout: float = STEP_TIMEOUT


@dataclass(frozen=True, slots=True)
class _Listen:
    """Write nothing; wait for another frame of ``command`` (Wi-Fi result, scan entries)."""

    command: int
    timeout: float


type _Instruction = _Send | _Listen
type _Flow[T] = Generator[_Instruction, GatewayReply, T]


class _GatewayOperation[T](ABC):
    """Base state machine, the same surface as :class:`~.ops.Operation` (``start`` /
    ``receive`` / ``crc_error`` / ``timeout`` → Write / Wait / Done / Failed)."""

    def __init__(
        self, mac: str, *, step_timeout: float = STEP_TIMEOUT, crc_retries: int = CRC_RETRIES
    ) -> None:
        self.mac = mac.upper()
        self._key = gateway_key(mac)
        self._step_timeout = step_timeout
        self._crc_retries = crc_retries
        self._retries_left = crc_retries
        self._flow: _Flow[T] | None = None
        self._pending: _Instruction | None = None
        self._last_write: Write | None = None
        self._outcome: Done[T] | Failed | None = None

    def __repr__(self) -> str:
        """Class and state only — never key material or credentials."""
        awaiting = self.awaiting
        state = "finished" if awaiting is None else f"awaiting={awaiting:#04x}"
        return f"<{type(self).__name__} {self.mac} {state}>"

    @property
    def finished(self) -> bool:
        """Whether the operation reached Done or Failed."""
        return self._outcome is not None

    @property
    def awaiting(self) -> int | None:
        """Command whose reply the operation waits for, if any."""
        if self._outcome is not None or self._pending is None:
            return None
        return self._pending.command

    def start(self) -> Step[T]:
        """Begin: the first writes."""
        if self._flow is not None:
            raise OperationStateError(f"{type(self).__name__} was already started")
        self._flow = self._run()
        return self._advance(None, None)

    def receive(self, frame: GatewayFrame) -> Step[T]:
        """Feed one reassembled gateway frame."""
        pending = self._require_running()
        if frame.command != pending.command:
            return Wait()  # a late answer to something else: keep waiting
        try:
            plaintext = open_gateway_frame(frame, self._key)
        except ProtocolError as err:
            return self._advance(None, err)
        if not plaintext:
            return self._advance(None, PayloadError(f"empty reply to {frame.command:#04x}"))
        return self._advance(GatewayReply(frame.command, plaintext[0], plaintext[1:]), None)

    def crc_error(self, error: CrcError) -> Step[T]:
        """A reply failed its CRC: re-send the request (twice at most; set-up commands are
        idempotent), else fail."""
        pending = self._require_running()
        if isinstance(pending, _Send) and self._last_write is not None and self._retries_left:
            self._retries_left -= 1
            return self._last_write
        return self._advance(None, error)

    def timeout(self) -> Step[T]:
        """The deadline passed without the awaited reply."""
        pending = self._require_running()
        return self._advance(None, ReplyTimeoutError(pending.command))

    def _require_running(self) -> _Instruction:
        if self._flow is None:
            raise OperationStateError(f"{type(self).__name__} was not started")
        if self._outcome is not None or self._pending is None:
            raise OperationStateError(f"{type(self).__name__} already finished")
        return self._pending

    def _advance(self, reply: GatewayReply | None, error: TTLockBleError | None) -> Step[T]:
        flow = self._flow
        assert flow is not None
        try:
            if error is not None:
                instruction = flow.throw(error)
            elif reply is None:
                instruction = next(flow)
            else:
                instruction = flow.send(reply)
        except StopIteration as stop:
            self._pending = None
            self._outcome = Done(stop.value)
            return self._outcome
        except TTLockBleError as err:
            self._pending = None
            self._outcome = Failed(err)
            return self._outcome
        except (IndexError, ValueError, UnicodeError) as err:  # defensive: parser bug
            self._pending = None
            self._outcome = Failed(PayloadError(f"malformed gateway reply: {err}"))
            return self._outcome
        self._pending = instruction
        if isinstance(instruction, _Listen):
            return Wait(timeout=instruction.timeout)
        try:
            chunks = tuple(
                encode_gateway_frame(instruction.command, instruction.payload, self._key).chunks()
            )
        except TTLockBleError as err:
            self._pending = None
            self._outcome = Failed(err)
            return self._outcome
        write = Write(chunks, instruction.command, instruction.timeout)
        self._last_write = write
        self._retries_left = self._crc_retries
        return write

    @abstractmethod
    def _run(self) -> _Flow[T]:
        """The operation's flow."""

    @staticmethod
    def _expect_success(reply: GatewayReply) -> None:
        if reply.status != GatewayStatus.SUCCESS:
            raise GatewayError(reply.command, reply.status)

    def _echo(self) -> _Flow[None]:
        """``0x45`` ``SCIENER``: the SDK's "connected" handshake (any reply will do)."""
        yield _Send(GatewayCommand.ECHO, VENDOR, self._step_timeout)

    def _send(self, command: int, payload: bytes) -> _Send:
        return _Send(command, payload, self._step_timeout)


class ConfigureGateway(_GatewayOperation[GatewayConfigured]):
    """Set a gateway up: echo → Wi-Fi (G2 only) → server → account (docs/ble.md §9.1).

    ``password_md5`` is the TTLock account password's MD5 hex (:func:`md5_password`); the
    gateway registers itself with the cloud under that account (``uid``) and ``name``
    (``gateway/list`` then shows it). ``server``/``port`` default to the SDK's. Fails with
    :class:`GatewayError` (status 3 bad SSID, 4 bad password, …),
    :class:`~.errors.ReplyTimeoutError` or a protocol error.
    """

    def __init__(
        self,
        mac: str,
        ssid: str,
        password: str,
        server: str = DEFAULT_SERVER,
        port: int = DEFAULT_SERVER_PORT,
        uid: int = 0,
        password_md5: str = "",
        name: str = "",
        *,
        company_id: int = 0,
        branch_id: int = 0,
        model: GatewayModel = GatewayModel.G2,
        step_timeout: float = STEP_TIMEOUT,
        wifi_timeout: float = WIFI_TIMEOUT,
        crc_retries: int = CRC_RETRIES,
    ) -> None:
        super().__init__(mac, step_timeout=step_timeout, crc_retries=crc_retries)
        self.model = GatewayModel(model)
        self.name = name
        self.server = server
        self.port = port
        # Build (and so validate) every payload now: a bad value fails before any write.
        self._wifi = wifi_payload(ssid, password) if self.model is GatewayModel.G2 else b""
        self._server = server_payload(server, port)
        self._account = account_payload(
            uid,
            password_md5,
            name,
            company_id=company_id,
            branch_id=branch_id,
            model=self.model,
        )
        self._wifi_timeout = wifi_timeout

    def _run(self) -> _Flow[GatewayConfigured]:
        yield from self._echo()
        if self._wifi:
            reply = yield self._send(GatewayCommand.CONFIGURE_WIFI, self._wifi)
            while reply.status == GatewayStatus.PROCESSING:  # accepted, joining the network
                reply = yield _Listen(GatewayCommand.CONFIGURE_WIFI, self._wifi_timeout)
            self._expect_success(reply)
        self._expect_success((yield self._send(GatewayCommand.CONFIGURE_SERVER, self._server)))
        self._expect_success((yield self._send(GatewayCommand.CONFIGURE_ACCOUNT, self._account)))
        return GatewayConfigured(self.mac, self.model, self.name, self.server, self.port)


class ScanGatewayWifi(_GatewayOperation[list[WifiNetwork]]):
    """Ask a G2 for the Wi-Fi networks it hears (``0x01``): strongest first, one per SSID."""

    def __init__(
        self,
        mac: str,
        *,
        timeout: float = SCAN_TIMEOUT,
        step_timeout: float = STEP_TIMEOUT,
        crc_retries: int = CRC_RETRIES,
    ) -> None:
        super().__init__(mac, step_timeout=step_timeout, crc_retries=crc_retries)
        self._timeout = timeout

    def _run(self) -> _Flow[list[WifiNetwork]]:
        yield from self._echo()
        found: dict[str, WifiNetwork] = {}
        reply = yield _Send(GatewayCommand.SCAN_WIFI, VENDOR, self._timeout)
        while reply.status != GatewayStatus.SCAN_DONE:
            if reply.status != GatewayStatus.SUCCESS:
                raise GatewayError(reply.command, reply.status)
            network = parse_wifi_entry(bytes((reply.status,)) + reply.data)
            known = found.get(network.ssid)
            if network.ssid and (known is None or network.rssi > known.rssi):
                found[network.ssid] = network
            reply = yield _Listen(GatewayCommand.SCAN_WIFI, self._timeout)
        return sorted(found.values(), key=lambda net: -net.rssi)
