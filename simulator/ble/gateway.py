"""``SimulatedGateway``: a TTLock G2 (or G3/G4) gateway in Bluetooth set-up mode.

Written from the gateway's side, independently of the integration's client
(``custom_components/ttlock_access/sdk/ble/gateway.py``); the two must agree on the wire,
which ``tests/simulator_ble/test_gateway_config.py`` exercises. Facts:
``docs/ble.md`` §9.1, from the TTLock Android SDK 3.3.1
sources it cites (``Monkopedia/glowing-fishstick`` @ ``08a4f41``, ``gateway/...``).

What the gateway does
---------------------
* Advertises (connectable) service ``0x1911`` and manufacturer data whose raw bytes start
  ``11 19`` (G2; ``11 21`` G3, ``11 20`` G4) and end with its MAC reversed; name
  ``G2_<last three MAC octets reversed>`` (the name is **[INFERRED]**).
* GATT: service ``00001911-…`` with write ``00000002-…`` and notify ``00000003-…``, plus
  Device Information (``2A24`` model, ``2A25`` Wi-Fi MAC, ``2A26`` firmware, ``2A27``
  hardware: what the SDK reads before configuring).
* Frames ``72 5B | cmd | len | data | CRC`` (the locks' CRC-8 with the quirk table, no CRLF),
  reassembled by length from 20-byte writes; data AES-128-CBC (IV = key) under the key
  AES(default gateway key, MAC reversed). Replies carry the request's command and start with
  a status byte; they go out as 20-byte notifications. Frames with a bad CRC or a payload
  that does not decrypt are ignored.
* ``0x45`` echo → ``[0]``; ``0x01`` scan → one ``[0][len][ssid][rssi]`` per network (strongest
  first) then ``[5]``; ``0x02`` Wi-Fi → ``[2]`` (joining) then ``[0]``, ``[3]`` unknown SSID or
  ``[4]`` wrong password (after :attr:`SimulatedGateway.join_delay`); ``0x03`` server → ``[0]``;
  ``0x04`` account → ``[0]`` once Wi-Fi (G2) and server are set and, with a world, the
  account's uid and MD5 password check out (else ``[1]``). G3/G4 answer ``0x01``/``0x02``
  with ``[6]`` (invalid command: wired / cellular, no Wi-Fi).
* On a successful account step the gateway is configured: with a
  :class:`~simulator.world.World` it registers there (``World.add_gateway``: online, owner =
  the uid, name from the account command, network name = the SSID) and links the
  :attr:`~SimulatedGateway.nearby_locks` of that account — so ``gateway/list`` lists it and
  ``lock/unlock`` can route through it. Configuring again updates the same world gateway.

Fault knobs: :attr:`SimulatedGateway.join_delay`, :attr:`SimulatedGateway.networks`,
:attr:`SimulatedGateway.swallow` (ignore the next requests) and ``set_in_range``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..lockdata import crc8
from .codec import CodecError, aes_decrypt, aes_encrypt, chunks
from .peripheral import Advertisement, CharSpec, Peripheral, ServiceSpec, uuid16

__all__ = [
    "GATEWAY_DEFAULT_KEY",
    "GATEWAY_NOTIFY_UUID",
    "GATEWAY_SERVICE_UUID",
    "GATEWAY_WRITE_UUID",
    "GatewayRequestAssembler",
    "GatewaySetup",
    "SimulatedGateway",
    "WifiAccessPoint",
    "build_gateway_frame",
    "frame_key",
    "parse_gateway_frame",
]

GATEWAY_SERVICE_UUID = uuid16(0x1911)
GATEWAY_WRITE_UUID = uuid16(0x0002)
GATEWAY_NOTIFY_UUID = uuid16(0x0003)
MAGIC = b"\x72\x5b"
HEADER = 4
GATEWAY_DEFAULT_KEY = bytes(
    (0x33, 0xA0, 0x3E, 0x78, 0x23, 0x6A, 0x4D, 0x53, 0x88, 0x32, 0x7A, 0x32, 0xA3, 0xBB, 0xF2, 0xEF)
)
"""The SDK's ``gateway/command/Command.java`` ``defaultAeskey`` (tenth byte octal 062 = 0x32)."""
MODEL_HEADERS = {2: b"\x11\x19", 3: b"\x11\x21", 4: b"\x11\x20"}
"""Raw manufacturer bytes 0–1 per gateway generation (SDK ``GatewayType``)."""
NAME_FIELD = 51


class Cmd:
    """Set-up commands the gateway answers."""

    SCAN = 0x01
    WIFI = 0x02
    SERVER = 0x03
    ACCOUNT = 0x04
    ECHO = 0x45


class Status:
    """First byte of every reply."""

    OK = 0
    FAILED = 1
    JOINING = 2
    BAD_SSID = 3
    BAD_PASSWORD = 4
    SCAN_DONE = 5
    INVALID_COMMAND = 6


def frame_key(mac: str) -> bytes:
    """This gateway's frame key: AES(default key, its MAC bytes in reverse order)."""
    return aes_encrypt(GATEWAY_DEFAULT_KEY, bytes.fromhex(mac.replace(":", ""))[::-1])


def build_gateway_frame(command: int, plaintext: bytes, key: bytes) -> bytes:
    """Wire bytes of a reply: magic, command, length, AES data, CRC."""
    data = aes_encrypt(key, plaintext)
    body = MAGIC + bytes((command, len(data))) + data
    return body + bytes((crc8(body),))


def parse_gateway_frame(raw: bytes) -> tuple[int, bytes, bool]:
    """``(command, encrypted data, crc_ok)`` of one complete frame."""
    if raw[:2] != MAGIC or len(raw) < HEADER + 1 or len(raw) != raw[3] + HEADER + 1:
        raise CodecError("not a complete gateway frame")
    return raw[2], bytes(raw[HEADER:-1]), crc8(raw[:-1]) == raw[-1]


class GatewayRequestAssembler:
    """Collects 20-byte writes into frames by the length byte (no CRLF on gateway frames)."""

    def __init__(self, max_buffer: int = 1024) -> None:
        self._buffer = bytearray()
        self._max_buffer = max_buffer

    def feed(self, data: bytes) -> list[bytes]:
        """Buffer ``data``; return the raw frames it completes."""
        self._buffer += data
        if len(self._buffer) > self._max_buffer:
            del self._buffer[: len(self._buffer) - self._max_buffer]
        frames: list[bytes] = []
        while True:
            start = self._buffer.find(MAGIC)
            if start < 0:
                keep = 1 if self._buffer[-1:] == MAGIC[:1] else 0
                del self._buffer[: len(self._buffer) - keep]
                return frames
            del self._buffer[:start]
            if len(self._buffer) < HEADER:
                return frames
            total = self._buffer[3] + HEADER + 1
            if len(self._buffer) < total:
                return frames
            frames.append(bytes(self._buffer[:total]))
            del self._buffer[:total]


@dataclass
class WifiAccessPoint:
    """A Wi-Fi network the gateway can hear (and join with ``password``)."""

    ssid: str
    password: str = field(repr=False)
    rssi: int = -50


@dataclass
class GatewaySetup:
    """What the app configured so far (``repr`` hides the secrets)."""

    ssid: str | None = None
    server: str | None = None
    port: int | None = None
    uid: int | None = None
    password_md5: str | None = field(default=None, repr=False)
    company_id: int = 0
    branch_id: int = 0
    name: str | None = None


class SimulatedGateway(Peripheral):
    """A TTLock gateway in set-up mode on the simulated air."""

    def __init__(
        self,
        mac: str,
        *,
        model: int = 2,
        world: Any = None,
        nearby_locks: Iterable[tuple[int, int]] = (),
        networks: Iterable[WifiAccessPoint] = (),
        model_number: str | None = None,
        firmware_revision: str = "1.4.2",
        hardware_revision: str = "1.0",
        local_name: str | None = None,
        rssi: int = -55,
    ) -> None:
        if model not in MODEL_HEADERS:
            raise ValueError("model is 2 (G2 Wi-Fi), 3 (G3 wired) or 4 (G4 4G)")
        suffix = "".join(reversed(mac.upper().split(":")[3:])).lower()
        octets = mac.upper().split(":")
        octets[-1] = f"{(int(octets[-1], 16) + 1) % 256:02X}"
        self.wifi_mac = ":".join(octets)
        """Network-side MAC (BLE MAC + 1 in the last octet; [INFERRED])."""
        self.model = model
        self.model_number = model_number or f"TTLock G{model}"
        super().__init__(
            mac,
            self._gatt(self.model_number, self.wifi_mac, firmware_revision, hardware_revision),
            local_name=local_name or f"G{model}_{suffix}",
            rssi=rssi,
        )
        self.mac_bytes = bytes.fromhex(self.address.replace(":", ""))
        self.key = frame_key(self.address)
        self.world = world
        self.nearby_locks = list(nearby_locks)
        """``(world lockId, rssi)`` the gateway will hear once it is on line."""
        self.networks = list(networks) or [
            WifiAccessPoint("HomeNet", "home-wifi-pass", -48),
            WifiAccessPoint("Neighbour", "not-yours", -79),
        ]
        self.join_delay = 0.0
        """Seconds between ``[2]`` (joining) and the Wi-Fi result."""
        self.swallow = 0
        """Ignore the next request(s) completely (no reply)."""
        self.setup = GatewaySetup()
        self.configured = False
        self.gateway_id: int | None = None
        """The world gateway this one became, once configured."""
        self.requests: list[int] = []
        """Commands received (for tests)."""
        self._rx = GatewayRequestAssembler()

    def __repr__(self) -> str:
        state = "configured" if self.configured else "set-up mode"
        return f"<SimulatedGateway G{self.model} {self.address} {state}>"

    @staticmethod
    def _gatt(model: str, wifi_mac: str, firmware: str, hardware: str) -> list[ServiceSpec]:
        return [
            ServiceSpec(uuid16(0x1800), [CharSpec(uuid16(0x2A00), ("read",), model.encode())]),
            ServiceSpec(
                uuid16(0x180A),
                [
                    CharSpec(uuid16(0x2A24), ("read",), model.encode()),
                    CharSpec(uuid16(0x2A25), ("read",), wifi_mac.encode()),
                    CharSpec(uuid16(0x2A26), ("read",), firmware.encode()),
                    CharSpec(uuid16(0x2A27), ("read",), hardware.encode()),
                ],
            ),
            ServiceSpec(
                GATEWAY_SERVICE_UUID,
                [
                    CharSpec(GATEWAY_WRITE_UUID, ("write", "write-without-response")),
                    CharSpec(GATEWAY_NOTIFY_UUID, ("notify",)),
                ],
            ),
        ]

    # --- advertising ---------------------------------------------------------------------
    def manufacturer_payload(self) -> bytes:
        """Raw manufacturer bytes: model header, ten zero bytes, MAC reversed (18 bytes)."""
        return MODEL_HEADERS[self.model] + bytes(10) + self.mac_bytes[::-1]

    def advertisement(self) -> Advertisement:
        raw = self.manufacturer_payload()
        return Advertisement(
            local_name=self.local_name,
            manufacturer_data={int.from_bytes(raw[:2], "little"): raw[2:]},
            service_uuids=(GATEWAY_SERVICE_UUID,),
            rssi=self.rssi,
        )

    # --- the link ----------------------------------------------------------------------------
    def on_connect(self) -> None:
        self._rx = GatewayRequestAssembler()

    def on_disconnect(self) -> None:
        self._rx = GatewayRequestAssembler()

    def handle_write(self, uuid: str, data: bytes, *, response: bool) -> None:
        if uuid.lower() != GATEWAY_WRITE_UUID:
            return
        for raw in self._rx.feed(data):
            self._process(raw)

    def _reply(self, command: int, plaintext: bytes) -> None:
        for piece in chunks(build_gateway_frame(command, plaintext, self.key)):
            self.notify(GATEWAY_NOTIFY_UUID, piece)

    def _process(self, raw: bytes) -> None:
        try:
            command, data, crc_ok = parse_gateway_frame(raw)
            payload = aes_decrypt(self.key, data)
        except CodecError:
            return
        if not crc_ok:
            return
        if self.swallow:
            self.swallow -= 1
            return
        self.requests.append(command)
        handler = {
            Cmd.ECHO: self._echo,
            Cmd.SCAN: self._scan,
            Cmd.WIFI: self._wifi,
            Cmd.SERVER: self._server,
            Cmd.ACCOUNT: self._account,
        }.get(command)
        if handler is None:
            self._reply(command, bytes((Status.INVALID_COMMAND,)))
            return
        try:
            handler(payload)
        except (IndexError, ValueError, UnicodeDecodeError):
            self._reply(command, bytes((Status.FAILED,)))

    # --- commands ------------------------------------------------------------------------------
    def _echo(self, _payload: bytes) -> None:
        self._reply(Cmd.ECHO, bytes((Status.OK,)))

    def _scan(self, _payload: bytes) -> None:
        if self.model != 2:
            self._reply(Cmd.SCAN, bytes((Status.INVALID_COMMAND,)))
            return
        for network in sorted(self.networks, key=lambda net: -net.rssi):
            ssid = network.ssid.encode("utf-8")
            rssi = network.rssi.to_bytes(1, "big", signed=True)
            self._reply(Cmd.SCAN, bytes((Status.OK, len(ssid))) + ssid + rssi)
        self._reply(Cmd.SCAN, bytes((Status.SCAN_DONE,)))

    def _wifi(self, payload: bytes) -> None:
        if self.model != 2:
            self._reply(Cmd.WIFI, bytes((Status.INVALID_COMMAND,)))
            return
        ssid_length = payload[0]
        ssid = payload[1 : 1 + ssid_length].decode("utf-8")
        rest = payload[1 + ssid_length :]
        password = rest[1 : 1 + rest[0]].decode("utf-8")
        self._reply(Cmd.WIFI, bytes((Status.JOINING,)))
        network = next((net for net in self.networks if net.ssid == ssid), None)

        def _joined() -> None:
            if network is None:
                status = Status.BAD_SSID
            elif network.password != password:
                status = Status.BAD_PASSWORD
            else:
                status = Status.OK
                self.setup.ssid = ssid
            self._reply(Cmd.WIFI, bytes((status,)))

        self.call_on_link(_joined, delay=self.join_delay)

    def _server(self, payload: bytes) -> None:
        length = payload[0]
        if not length or len(payload) < 3 + length:
            self._reply(Cmd.SERVER, bytes((Status.FAILED,)))
            return
        host = payload[1 : 1 + length].decode("ascii")
        port = int.from_bytes(payload[1 + length : 3 + length], "big")
        self.setup.server, self.setup.port = host, port
        self._reply(Cmd.SERVER, bytes((Status.OK,)))

    def _account(self, payload: bytes) -> None:
        if len(payload) < 44 + 2:
            self._reply(Cmd.ACCOUNT, bytes((Status.FAILED,)))
            return
        uid = int.from_bytes(payload[0:4], "big")
        password_md5 = payload[4:36].decode("ascii")
        company_id = int.from_bytes(payload[36:40], "big")
        branch_id = int.from_bytes(payload[40:44], "big")
        name = payload[44 : 44 + NAME_FIELD].split(b"\n", 1)[0].decode("utf-8", "replace")
        setup = self.setup
        ready = setup.server is not None and (self.model != 2 or setup.ssid is not None)
        if not ready or not self._account_ok(uid, password_md5):
            self._reply(Cmd.ACCOUNT, bytes((Status.FAILED,)))
            return
        setup.uid, setup.password_md5 = uid, password_md5
        setup.company_id, setup.branch_id, setup.name = company_id, branch_id, name
        self.configured = True
        self._register(uid, name)
        self._reply(Cmd.ACCOUNT, bytes((Status.OK,)))

    def _account_ok(self, uid: int, password_md5: str) -> bool:
        """The gateway logs in to the cloud with the account (only checked with a world)."""
        if len(password_md5) != 32:
            return False
        if self.world is None:
            return True
        account = self.world.accounts.get(uid)
        return account is not None and account.password_md5 == password_md5.lower()

    def _register(self, uid: int, name: str) -> None:
        """Become a world gateway (online) and hear the account's nearby locks."""
        world = self.world
        if world is None:
            return
        network_name = self.setup.ssid or ("LAN" if self.model == 3 else "4G")
        gateway = next(
            (gw for gw in world.gateways.values() if gw.gateway_mac == self.address), None
        )
        if gateway is None:
            gateway = world.add_gateway(
                gateway_name=name,
                owner=uid,
                gateway_mac=self.address,
                gateway_version=self.model,
                network_name=network_name,
                network_mac=self.wifi_mac,
                is_online=True,
            )
        else:
            gateway.gateway_name, gateway.owner_uid = name, uid
            gateway.network_name, gateway.is_online = network_name, True
        self.gateway_id = gateway.gateway_id
        for lock_id, rssi in self.nearby_locks:
            lock = world.locks.get(lock_id)
            if lock is not None and lock.admin_uid == uid:
                world.link(gateway.gateway_id, lock_id, rssi)
