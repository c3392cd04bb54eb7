"""Gateway set-up state machines and reassembly at their edges: misuse of an operation,
empty and unknown replies, short scan entries, a long stream of noise, a buffer reset.

The gateway's side is built with the reference CRC and AES of ``sdk_ble_helpers``."""

from __future__ import annotations

import pytest
from sdk_ble_helpers import ref_crc, ref_encrypt

from custom_components.ttlock_access.sdk.ble import (
    Failed,
    OperationStateError,
    PayloadError,
    Write,
)
from custom_components.ttlock_access.sdk.ble.gateway import (
    ConfigureGateway,
    GatewayError,
    GatewayFrame,
    GatewayFrameAssembler,
    GatewayModel,
    ScanGatewayWifi,
    gateway_key,
    md5_password,
)

MAC = "54:8E:29:A1:99:01"
KEY = gateway_key(MAC)


def wire(command: int, plaintext: bytes) -> bytes:
    data = ref_encrypt(KEY, plaintext) if plaintext else b""
    body = b"\x72\x5b" + bytes((command, len(data))) + data
    return body + bytes((ref_crc(body),))


def frame(command: int, plaintext: bytes) -> GatewayFrame:
    (one,) = list(GatewayFrameAssembler().feed(wire(command, plaintext)))
    return one


def configure() -> ConfigureGateway:
    return ConfigureGateway(
        MAC,
        "",
        "",
        uid=8123456,
        password_md5=md5_password("demo-password"),
        name="Cellar",
        model=GatewayModel.G3,
    )


def test_operation_lifecycle_is_enforced() -> None:
    """An operation runs once: not fed before it starts, not restarted, not fed after it
    ended; ``awaiting`` tells which reply it waits for."""
    op = configure()
    with pytest.raises(OperationStateError, match="not started"):
        op.receive(frame(0x45, b"\x00"))
    assert op.awaiting is None
    assert isinstance(op.start(), Write)
    assert op.awaiting == 0x45
    with pytest.raises(OperationStateError, match="already started"):
        op.start()
    op.receive(frame(0x45, b"\x00"))
    assert op.awaiting == 0x03
    op.receive(frame(0x03, b"\x00"))
    op.receive(frame(0x04, b"\x00"))
    assert op.finished and op.awaiting is None
    assert repr(op).endswith("finished>")
    with pytest.raises(OperationStateError, match="already finished"):
        op.timeout()


def test_empty_reply_fails() -> None:
    op = configure()
    op.start()
    step = op.receive(frame(0x45, b""))
    assert isinstance(step, Failed)
    assert isinstance(step.error, PayloadError)


def test_unknown_status_is_reported_as_failed() -> None:
    """A status byte outside the SDK's list (a newer firmware) is still a typed refusal."""
    op = configure()
    op.start()
    op.receive(frame(0x45, b"\x00"))
    step = op.receive(frame(0x03, b"\x2a"))
    assert isinstance(step, Failed)
    assert isinstance(step.error, GatewayError)
    assert (step.error.status, step.error.reason) == (42, "failed")
    assert "status 42" in str(step.error)


def test_scan_entry_too_short_fails_the_scan() -> None:
    op = ScanGatewayWifi(MAC)
    op.start()
    op.receive(frame(0x45, b"\x00"))
    step = op.receive(frame(0x01, b"\x00\x03"))  # status, then only a length byte
    assert isinstance(step, Failed)
    assert isinstance(step.error, PayloadError)
    assert "too short" in str(step.error)


def test_assembler_bounds_noise_keeps_a_split_magic_and_resets() -> None:
    """Noise never grows the buffer past its bound; a magic split across notifications is
    kept; ``reset`` (a new connection) forgets a partial frame."""
    assembler = GatewayFrameAssembler(max_buffer=64)
    assert list(assembler.feed(bytes(range(1, 101)))) == []
    assert len(assembler) == 0  # 100 noise bytes: dropped, never more than 64 buffered
    echo = wire(0x45, b"\x00")
    assert list(assembler.feed(b"\x00\x00" + echo[:1])) == []
    assert len(assembler) == 1  # a lone 0x72 may start the next frame
    assert [f.command for f in assembler.feed(echo[1:])] == [0x45]
    assert list(assembler.feed(echo[:3])) == []  # magic and command: no length byte yet
    assert list(assembler.feed(echo[3:6])) == []  # a length, but not the whole frame
    assert len(assembler) == 6
    assembler.reset()
    assert len(assembler) == 0
    assert list(assembler.feed(echo[6:])) == []  # the tail of a frame alone is noise
    assert [f.command for f in assembler.feed(echo)] == [0x45]
