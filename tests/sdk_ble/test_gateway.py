"""Gateway Bluetooth set-up (docs/ble.md §9.1): key, ``72 5B`` frames, payloads, the flows.

The gateway's side of every exchange is built here with the reference CRC and AES of
``sdk_ble_helpers`` (written independently of the code under test); vectors were computed
with those references and pinned.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from sdk_ble_helpers import ref_crc, ref_decrypt, ref_encrypt

from custom_components.ttlock_access.sdk.ble import (
    CrcError,
    DecryptError,
    DeviceKind,
    Done,
    EncodeError,
    Failed,
    FrameError,
    PayloadError,
    ReplyTimeoutError,
    Wait,
    Write,
    parse_advertisement,
)
from custom_components.ttlock_access.sdk.ble.gateway import (
    DEFAULT_SERVER,
    DEFAULT_SERVER_PORT,
    GATEWAY_DEFAULT_KEY,
    GATEWAY_NOTIFY_UUID,
    GATEWAY_SERVICE_UUID,
    GATEWAY_WRITE_UUID,
    WIFI_TIMEOUT,
    ConfigureGateway,
    GatewayCommand,
    GatewayConfigured,
    GatewayError,
    GatewayFrame,
    GatewayFrameAssembler,
    GatewayModel,
    ScanGatewayWifi,
    WifiNetwork,
    account_name_field,
    account_payload,
    decode_gateway_frame,
    encode_gateway_frame,
    gateway_key,
    md5_password,
    parse_wifi_entry,
    server_payload,
    wifi_payload,
)

MAC = "54:8E:29:A1:99:01"
KEY = bytes.fromhex("6ce81c775dc7882e99575ffd7cc99cd5")
"""AES(default key, 01 99 A1 29 8E 54) — the reversed MAC (SDK ``Command.getAeskey``)."""
ECHO_WIRE = bytes.fromhex("725b4510f547bf8967a534b81def032346b09423f4")
PASSWORD_MD5 = md5_password("demo-password")
UID = 8123456


def gateway_wire(command: int, plaintext: bytes, key: bytes = KEY) -> bytes:
    """A gateway→app frame built with the reference codec."""
    data = ref_encrypt(key, plaintext)
    body = b"\x72\x5b" + bytes((command, len(data))) + data
    return body + bytes((ref_crc(body),))


def sent(step: object) -> tuple[int, bytes]:
    """Check a Write like the gateway would (20-byte pieces, CRC, no CRLF); (cmd, plaintext)."""
    assert isinstance(step, Write), step
    assert all(len(piece) <= 20 for piece in step.chunks)
    wire = b"".join(step.chunks)
    assert wire[:2] == b"\x72\x5b"
    assert wire[3] == len(wire) - 5
    assert ref_crc(wire[:-1]) == wire[-1]
    assert wire[2] == step.command
    return wire[2], ref_decrypt(KEY, wire[4:-1])


def answer(op: object, command: int, plaintext: bytes) -> object:
    (frame,) = list(GatewayFrameAssembler().feed(gateway_wire(command, plaintext)))
    return op.receive(frame)  # type: ignore[attr-defined]


# --- constants, key, frames ---------------------------------------------------------------


def test_constants_from_the_sdk() -> None:
    # SDK gateway/command/Command.java defaultAeskey, tenth byte written in octal (062)
    sdk_literal = [0x33, 0xA0, 0x3E, 0x78, 0x23, 0x6A, 0x4D, 0x53, 0x88, 0o62, 0x7A, 0x32]
    sdk_literal += [0xA3, 0xBB, 0xF2, 0xEF]
    assert bytes(sdk_literal) == GATEWAY_DEFAULT_KEY
    assert GATEWAY_SERVICE_UUID == "00001911-0000-1000-8000-00805f9b34fb"
    assert GATEWAY_WRITE_UUID == "00000002-0000-1000-8000-00805f9b34fb"
    assert GATEWAY_NOTIFY_UUID == "00000003-0000-1000-8000-00805f9b34fb"
    assert (DEFAULT_SERVER, DEFAULT_SERVER_PORT) == ("plug.sciener.cn", 2999)


def test_gateway_key_is_aes_of_the_reversed_mac() -> None:
    reversed_mac = bytes.fromhex("0199a1298e54")
    assert ref_encrypt(GATEWAY_DEFAULT_KEY, reversed_mac) == KEY
    assert gateway_key(MAC) == KEY
    assert gateway_key(MAC.lower()) == KEY
    assert gateway_key("54-8E-29-A1-99-01") == KEY


def test_frame_encode_decode() -> None:
    frame = encode_gateway_frame(GatewayCommand.ECHO, b"SCIENER", KEY)
    assert frame.encode() == ECHO_WIRE == gateway_wire(0x45, b"SCIENER")
    assert b"".join(frame.chunks()) == ECHO_WIRE
    assert [len(piece) for piece in frame.chunks()] == [20, 1]
    assert decode_gateway_frame(ECHO_WIRE) == frame
    with pytest.raises(FrameError):
        decode_gateway_frame(b"\x7f\x5a" + ECHO_WIRE[2:])
    with pytest.raises(FrameError):
        decode_gateway_frame(ECHO_WIRE[:-2])
    with pytest.raises(CrcError):
        decode_gateway_frame(ECHO_WIRE[:-1] + bytes((ECHO_WIRE[-1] ^ 0xFF,)))
    with pytest.raises(EncodeError):
        encode_gateway_frame(1, bytes(240), KEY)
    with pytest.raises(EncodeError):
        GatewayFrame(1, bytes(256)).encode()


def test_assembler_by_length_with_noise_and_crc_errors() -> None:
    assembler = GatewayFrameAssembler()
    second = gateway_wire(0x03, b"\x00")
    wire = b"\x00\x72" + ECHO_WIRE + second
    frames: list[GatewayFrame] = []
    for index in range(0, len(wire), 20):
        frames.extend(assembler.feed(wire[index : index + 20]))
    assert [f.command for f in frames] == [0x45, 0x03]
    assert len(assembler) == 0
    bad = ECHO_WIRE[:-1] + bytes((ECHO_WIRE[-1] ^ 1,))
    with pytest.raises(CrcError):
        list(assembler.feed(bad + second))
    assert [f.command for f in assembler.feed(b"")] == [0x03]  # the frame behind it stays


# --- payloads ---------------------------------------------------------------------------------


def test_payloads() -> None:
    assert wifi_payload("HomeNet", "secret123") == b"\x07HomeNet\x09secret123"
    assert wifi_payload("Café", "") == b"\x05Caf\xc3\xa9\x00"
    assert server_payload(DEFAULT_SERVER, DEFAULT_SERVER_PORT) == (b"\x0fplug.sciener.cn\x0b\xb7")
    name = account_name_field("Hallway")
    assert len(name) == 51
    assert name == b"Hallway\n2" + b"\n" * 42
    assert account_name_field("x" * 60, GatewayModel.G3) == b"x" * 49 + b"\n3"
    assert account_name_field("é" * 30)[:48] == "é".encode() * 24  # cut at a character
    body = account_payload(UID, PASSWORD_MD5, "Hallway", company_id=7, branch_id=9)
    assert body[:4] == UID.to_bytes(4, "big")
    assert body[4:36] == PASSWORD_MD5.encode()
    assert body[36:44] == bytes.fromhex("00000007 00000009")
    assert body[44:] == name
    assert len(body) == 95
    with pytest.raises(EncodeError):
        account_payload(UID, "not-md5", "x")
    with pytest.raises(EncodeError):
        account_payload(-1, PASSWORD_MD5, "x")
    with pytest.raises(EncodeError):
        wifi_payload("", "x")
    with pytest.raises(EncodeError):
        wifi_payload("n" * 33, "x")
    with pytest.raises(EncodeError):
        server_payload("plug.sciener.cn", 0)
    with pytest.raises(EncodeError):
        server_payload("plüg", 1)
    assert md5_password("demo-password") == hashlib.md5(b"demo-password").hexdigest()


def test_wifi_entry() -> None:
    assert parse_wifi_entry(b"\x00\x07HomeNet\xd0") == WifiNetwork("HomeNet", -48)
    with pytest.raises(PayloadError, match="shorter"):
        parse_wifi_entry(b"\x00\x09HomeNet\xd0")


# --- ConfigureGateway -------------------------------------------------------------------------


def configure(**kwargs: object) -> ConfigureGateway:
    options: dict[str, object] = {
        "mac": MAC,
        "ssid": "HomeNet",
        "password": "secret123",
        "server": DEFAULT_SERVER,
        "port": DEFAULT_SERVER_PORT,
        "uid": UID,
        "password_md5": PASSWORD_MD5,
        "name": "Hallway",
    }
    options.update(kwargs)
    return ConfigureGateway(**options)  # type: ignore[arg-type]


def test_configure_g2_full_sequence() -> None:
    op = configure()
    assert sent(op.start()) == (0x45, b"SCIENER")
    assert sent(answer(op, 0x45, b"\x00")) == (0x02, b"\x07HomeNet\x09secret123")
    step = answer(op, 0x02, b"\x02")  # accepted, joining the network
    assert isinstance(step, Wait) and step.timeout == WIFI_TIMEOUT
    assert sent(answer(op, 0x02, b"\x00")) == (0x03, b"\x0fplug.sciener.cn\x0b\xb7")
    command, body = sent(answer(op, 0x03, b"\x00"))
    assert command == 0x04
    assert body == account_payload(UID, PASSWORD_MD5, "Hallway")
    step = answer(op, 0x04, b"\x00")
    assert isinstance(step, Done)
    assert step.result == GatewayConfigured(
        MAC, GatewayModel.G2, "Hallway", DEFAULT_SERVER, DEFAULT_SERVER_PORT
    )
    assert op.finished
    assert "secret" not in repr(op) and PASSWORD_MD5 not in repr(op)


def test_configure_g3_skips_wifi_and_other_frames_are_ignored() -> None:
    op = configure(model=GatewayModel.G3)
    sent(op.start())
    assert sent(answer(op, 0x45, b"\x00"))[0] == 0x03
    step = answer(op, 0x45, b"\x00")  # a late echo answer: not ours, keep waiting
    assert isinstance(step, Wait) and step.timeout is None
    command, body = sent(answer(op, 0x03, b"\x00"))
    assert (command, body[44:53]) == (0x04, b"Hallway\n3")


@pytest.mark.parametrize(("status", "reason"), [(3, "bad Wi-Fi name"), (4, "bad Wi-Fi password")])
def test_configure_wifi_refused(status: int, reason: str) -> None:
    op = configure()
    sent(op.start())
    sent(answer(op, 0x45, b"\x00"))
    answer(op, 0x02, b"\x02")
    step = answer(op, 0x02, bytes((status,)))
    assert isinstance(step, Failed)
    assert isinstance(step.error, GatewayError)
    assert (step.error.command, step.error.status, step.error.reason) == (2, status, reason)


def test_configure_account_refused_timeout_crc_and_bad_key() -> None:
    op = configure(model=GatewayModel.G4)
    sent(op.start())
    sent(answer(op, 0x45, b"\x00"))
    sent(answer(op, 0x03, b"\x00"))
    step = answer(op, 0x04, b"\x01")
    assert isinstance(step, Failed) and isinstance(step.error, GatewayError)
    # timeout
    op = configure()
    sent(op.start())
    step = op.timeout()
    assert isinstance(step, Failed) and isinstance(step.error, ReplyTimeoutError)
    assert step.error.command == 0x45
    # a reply with a bad CRC: the identical request again, twice, then failure
    op = configure()
    first = op.start()
    assert op.crc_error(CrcError(1, 2)) == first
    assert op.crc_error(CrcError(1, 2)) == first
    step = op.crc_error(CrcError(1, 2))
    assert isinstance(step, Failed) and isinstance(step.error, CrcError)
    # a frame under another key (another gateway, or a wrong MAC)
    op = configure()
    op.start()
    (frame,) = list(GatewayFrameAssembler().feed(gateway_wire(0x45, b"\x00", key=bytes(range(16)))))
    step = op.receive(frame)
    assert isinstance(step, Failed) and isinstance(step.error, DecryptError)


def test_configure_validates_before_any_write() -> None:
    with pytest.raises(EncodeError):
        configure(password_md5="demo-password")
    with pytest.raises(EncodeError):
        configure(ssid="")
    configure(ssid="", model=GatewayModel.G3)  # wired: no Wi-Fi step, no SSID needed


def test_scan_wifi() -> None:
    op = ScanGatewayWifi(MAC)
    sent(op.start())
    assert sent(answer(op, 0x45, b"\x00")) == (0x01, b"SCIENER")
    assert isinstance(answer(op, 0x01, b"\x00\x07HomeNet\xd0"), Wait)
    assert isinstance(answer(op, 0x01, b"\x00\x09Neighbour\xb0"), Wait)
    assert isinstance(answer(op, 0x01, b"\x00\x07HomeNet\xd8"), Wait)  # stronger now
    assert isinstance(answer(op, 0x01, b"\x00\x00\xc0"), Wait)  # hidden network: skipped
    step = answer(op, 0x01, b"\x05")
    assert isinstance(step, Done)
    assert step.result == [WifiNetwork("HomeNet", -40), WifiNetwork("Neighbour", -80)]
    op = ScanGatewayWifi(MAC)
    sent(op.start())
    sent(answer(op, 0x45, b"\x00"))
    step = answer(op, 0x01, b"\x06")
    assert isinstance(step, Failed) and isinstance(step.error, GatewayError)


# --- discovery and isolation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x11\x19", DeviceKind.GATEWAY_G2),
        (b"\x11\x21", DeviceKind.GATEWAY_G3),
        (b"\x11\x20", DeviceKind.GATEWAY_G4),
    ],
)
def test_gateway_advertisement(head: bytes, kind: DeviceKind) -> None:
    raw = head + bytes(10) + bytes.fromhex("0199a1298e54")  # MAC reversed at the end
    advert = parse_advertisement({int.from_bytes(raw[:2], "little"): raw[2:]})
    assert advert is not None
    assert (advert.kind, advert.mac, advert.carries_status) == (kind, MAC, False)


def test_gateway_module_is_sans_io(tmp_path: Path) -> None:
    sdk = Path(__file__).parents[2] / "custom_components" / "ttlock_access" / "sdk"
    (tmp_path / "sdkpkg").symlink_to(sdk, target_is_directory=True)
    probe = (
        "import sys\nimport sdkpkg.ble.gateway\n"
        "bad = {'asyncio', 'aiohttp', 'homeassistant', 'bleak', 'socket', 'ssl'}\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & bad)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-s", "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ""
