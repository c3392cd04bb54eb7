"""Frame codec: CRC quirk, AES, XOR, frames, chunking, reassembly (docs/ble.md §2.1, §3, §4, §7)."""

from __future__ import annotations

import contextlib

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st
from sdk_ble_helpers import DEFAULT_KEY, KEY, lock_wire, ref_crc, ref_decrypt, ref_encrypt

from custom_components.ttlock_access.sdk.ble import (
    DEFAULT_AES_KEY,
    CrcError,
    DecryptError,
    EncodeError,
    Frame,
    FrameAssembler,
    FrameError,
    ProtocolError,
    ProtocolHeader,
    aes_decrypt,
    aes_encrypt,
    chunk,
    crc8,
    decode_frame,
    open_payload,
    seal,
    xor_decode_standalone,
    xor_encode_standalone,
    xor_frame_codec,
)
from custom_components.ttlock_access.sdk.ble.crc import STANDARD_TABLE, TABLE, crc8_standard
from custom_components.ttlock_access.sdk.ble.frame import frame_length, is_new_format, uses_aes

SDK_HEADER = ProtocolHeader(5, 3, 1, 1, 1)  # the SDK/KJS default header (docs/ble.md §3.5, §7)

# --- docs/ble.md §7 vectors ----------------------------------------------------------------------


def test_vector_feature_query_empty_payload() -> None:
    frame = seal(SDK_HEADER, 0x01, b"", DEFAULT_AES_KEY)
    assert frame.encode().hex() == "7f5a0503010001000101aa001c0d0a"


def test_vector_init_empty_payload() -> None:
    frame = seal(SDK_HEADER, 0x45, b"", DEFAULT_AES_KEY)
    assert frame.encode().hex() == "7f5a0503010001000145aa00b30d0a"


def test_vector_get_aes_key_request() -> None:
    frame = seal(SDK_HEADER, 0x19, b"SCIENER", DEFAULT_AES_KEY)
    assert frame.encode().hex() == "7f5a0503010001000119aa1026ed1d9258a1e428fcb48bbd1c0e5a46bc0d0a"


LOCK_KEY_REPLY = (
    "7f5a0503020001000119aa20d1f0a9489534eab2f7a88065468062cf248020795031458a0a38b53d5753b1d4e10d0a"
)


def test_vector_lock_side_key_reply_decodes() -> None:
    frame = decode_frame(bytes.fromhex(LOCK_KEY_REPLY))
    assert frame.header == ProtocolHeader(5, 3, 2, 1, 1)
    assert frame.command == 0x19
    assert frame.encrypt == 0xAA
    assert open_payload(frame, DEFAULT_AES_KEY) == bytes.fromhex("1901") + KEY


def test_vector_lock_side_key_reply_is_buildable() -> None:
    """The simulated lock can build the same frame with the codec (docs/architecture.md rule 5)."""
    frame = seal(ProtocolHeader(5, 3, 2, 1, 1), 0x19, bytes.fromhex("1901") + KEY, DEFAULT_AES_KEY)
    assert frame.encode().hex() == LOCK_KEY_REPLY


def test_vector_rqb_handshake() -> None:
    key = bytes.fromhex("a1b2c3d4e5f60718293a4b5c6d7e8f90")
    plain = aes_decrypt(key, bytes.fromhex("3ddfd6e40bb3b6661207b1c5c29c222d"))
    assert plain == bytes.fromhex("550112345678")
    assert aes_encrypt(key, plain).hex() == "3ddfd6e40bb3b6661207b1c5c29c222d"


@pytest.mark.parametrize(
    ("body", "crc", "standard"),
    [
        ("7f5a0503020001000158aa102177b9384b7f7242b59528d26ae752d4", 0x3A, 0x62),
        ("7f5a0503020001000154aa102d2f9276f7eea8794974e465f0e99e18", 0x09, 0x57),
    ],
)
def test_vector_published_captures_crc_quirk(body: str, crc: int, standard: int) -> None:
    raw = bytes.fromhex(body)
    assert crc8(raw) == crc
    assert crc8_standard(raw) == standard  # the textbook table gets these wrong (§3.3)
    frame = decode_frame(raw + bytes((crc,)))
    assert frame.command in (0x58, 0x54)
    assert len(frame.data) == 16
    decode_frame(raw + bytes((crc,)) + b"\r\n")


@pytest.mark.parametrize(
    "wire",
    [
        # docs/errata.md E3: 0x34 with an empty body, N8 form (what we send) ...
        "7f5a0503020001000134aa00320d0a",
        # ... and RQB's one-block form (what a lock accepts).
        "7f5a0503020001000134aa1089d41f6e4edeb86c50ab52e485e40c25800d0a",
        # docs/errata.md E2 / KJS capture of an IC add-mode reply.
        "7f5a0503020001000154aa1095a3bd4703fde2b76397587b6ee44b7b280d0a",
    ],
)
def test_errata_frames_have_valid_crc(wire: str) -> None:
    frame = decode_frame(bytes.fromhex(wire))
    assert frame.header.scene == 2


def test_errata_empty_body_frame_matches_n8() -> None:
    frame = seal(ProtocolHeader(5, 3, 2, 1, 1), 0x34, b"", KEY)
    assert frame.encode().hex() == "7f5a0503020001000134aa00320d0a"


def test_errata_kjs_capture_decrypts_to_add_mode_reply() -> None:
    frame = decode_frame(
        bytes.fromhex("7f5a0503020001000154aa1095a3bd4703fde2b76397587b6ee44b7b28")
    )
    key = bytes.fromhex("e817e962c7176c296403f646129f362c")
    assert open_payload(frame, key) == bytes.fromhex("05013f0202")


# --- CRC table --------------------------------------------------------------------------------


def test_crc_table_differs_from_standard_only_at_33() -> None:
    diffs = [i for i in range(256) if TABLE[i] != STANDARD_TABLE[i]]
    assert diffs == [33]
    assert STANDARD_TABLE[33] == 0x7D
    assert TABLE[33] == 0x07


@given(st.binary(max_size=300))
def test_crc_matches_reference(data: bytes) -> None:
    assert crc8(data) == ref_crc(data)


# --- AES --------------------------------------------------------------------------------------


def test_default_key() -> None:
    assert DEFAULT_AES_KEY == DEFAULT_KEY


@given(st.binary(max_size=200))
def test_aes_round_trip_and_reference(plain: bytes) -> None:
    cipher = aes_encrypt(KEY, plain)
    assert cipher == ref_encrypt(KEY, plain)
    assert len(cipher) % 16 == 0
    assert aes_decrypt(KEY, cipher) == plain


def test_aes_empty_is_empty_and_one_block_empty_accepted() -> None:
    assert aes_encrypt(KEY, b"") == b""
    assert aes_decrypt(KEY, b"") == b""
    # docs/errata.md E3 "accept": RQB sends an empty body as one block of PKCS#7 padding
    encryptor = Cipher(algorithms.AES(KEY), modes.CBC(KEY)).encryptor()
    padding_block = encryptor.update(bytes([16] * 16)) + encryptor.finalize()
    assert aes_decrypt(KEY, padding_block) == b""


def test_aes_errors() -> None:
    with pytest.raises(DecryptError):
        aes_decrypt(KEY, b"\x00" * 15)
    with pytest.raises(DecryptError):
        aes_decrypt(KEY, ref_encrypt(DEFAULT_KEY, b"0123456789abcdef"))  # wrong key → padding
    with pytest.raises(EncodeError):
        aes_encrypt(b"short", b"x")


# --- XOR codec --------------------------------------------------------------------------------


def test_xor_frame_mode_formula() -> None:
    data = bytes(range(10))
    seed = 0x2A
    expected = bytes(b ^ seed ^ TABLE[len(data)] for b in data)
    assert xor_frame_codec(data, seed) == expected
    assert xor_frame_codec(expected, seed) == data


def test_xor_standalone_formula_and_round_trip() -> None:
    encoded = xor_encode_standalone(b"0123456789", 0x31)
    assert encoded[-1] == 0x31
    mask = TABLE[10] ^ 0x31  # plaintext-length index (docs/ble.md §4.4)
    assert encoded[:-1] == bytes(b ^ mask for b in b"0123456789")
    assert xor_decode_standalone(encoded) == b"0123456789"


def test_xor_errors() -> None:
    with pytest.raises(EncodeError):
        xor_frame_codec(b"x", 256)
    with pytest.raises(EncodeError):
        xor_frame_codec(b"x" * 256, 1)
    with pytest.raises(EncodeError):
        xor_encode_standalone(b"x", 0)
    with pytest.raises(DecryptError):
        xor_decode_standalone(b"")
    with pytest.raises(DecryptError):
        xor_decode_standalone(b"x" * 300)


@given(st.binary(max_size=255), st.integers(1, 127))
def test_xor_standalone_round_trip(data: bytes, seed: int) -> None:
    assert xor_decode_standalone(xor_encode_standalone(data, seed)) == data


# --- frames -----------------------------------------------------------------------------------


def test_old_v2_frame_round_trip_with_xor() -> None:
    header = ProtocolHeader(protocol_type=3, protocol_version=0, scene=0, group_id=0, org_id=0)
    frame = seal(header, 0x41, b"hello", None, encrypt=0x21)
    wire = frame.encode()
    # 7F 5A | type | command | encrypt | length | data | CRC | CRLF (docs/ble.md §3.2)
    assert wire[:6] == bytes((0x7F, 0x5A, 3, 0x41, 0x21, 5))
    assert wire[6:11] == bytes(b ^ 0x21 ^ TABLE[5] for b in b"hello")
    assert wire[11] == ref_crc(wire[:11])
    decoded = decode_frame(wire)
    assert decoded == frame
    assert open_payload(decoded, None) == b"hello"


@pytest.mark.parametrize(
    ("ptype", "version", "new", "aes"),
    [(5, 3, True, True), (5, 4, True, True), (5, 1, True, False), (10, 1, True, False),
     (11, 1, True, False), (3, 0, False, False), (0, 0, True, True), (12, 1, True, True)],
)  # fmt: skip
def test_generations(ptype: int, version: int, new: bool, aes: bool) -> None:
    assert is_new_format(ptype) is new
    assert uses_aes(ptype, version) is aes


def test_xor_generation_frame_uses_encrypt_byte_as_seed() -> None:
    header = ProtocolHeader(5, 1, 1, 1, 1)  # V2S
    frame = seal(header, 0x14, b"SCIENER", None)
    assert frame.data == bytes(b ^ 0xAA ^ TABLE[7] for b in b"SCIENER")
    assert open_payload(decode_frame(frame.encode()), None) == b"SCIENER"


def test_seal_needs_key_for_aes() -> None:
    with pytest.raises(EncodeError):
        seal(ProtocolHeader(), 0x01, b"x", None)
    with pytest.raises(EncodeError):
        open_payload(Frame(ProtocolHeader(), 0x54, 0xAA, b""), None)


@pytest.mark.parametrize(
    "frame",
    [
        Frame(ProtocolHeader(), 0x100, 0xAA, b""),
        Frame(ProtocolHeader(), 0x01, -1, b""),
        Frame(ProtocolHeader(scene=300), 0x01, 0xAA, b""),
        Frame(ProtocolHeader(group_id=0x10000), 0x01, 0xAA, b""),
        Frame(ProtocolHeader(), 0x01, 0xAA, b"x" * 256),
    ],
)
def test_encode_rejects_out_of_range(frame: Frame) -> None:
    with pytest.raises(EncodeError):
        frame.encode()


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("", FrameError),
        ("7f5b0503", FrameError),
        ("7f5a05030100", FrameError),
        ("7f5a0503010001000101aa001c0d0b", FrameError),  # no CRLF
        ("7f5a0503010001000101aa001c00", FrameError),  # wrong length
        ("7f5a0503010001000101aa001d", CrcError),
    ],
)
def test_decode_errors(raw: str, error: type[ProtocolError]) -> None:
    with pytest.raises(error):
        decode_frame(bytes.fromhex(raw))


def test_crc_error_carries_values() -> None:
    with pytest.raises(CrcError) as info:
        decode_frame(bytes.fromhex("7f5a0503010001000101aa001d"))
    assert (info.value.expected, info.value.actual) == (0x1C, 0x1D)


def test_frame_repr_hides_data() -> None:
    frame = Frame(ProtocolHeader(), 0x54, 0xAA, b"secret!")
    assert "secret" not in repr(frame)


headers = st.builds(
    ProtocolHeader,
    protocol_type=st.integers(5, 255) | st.just(0),
    protocol_version=st.integers(0, 255),
    scene=st.integers(0, 255),
    group_id=st.integers(0, 0xFFFF),
    org_id=st.integers(0, 0xFFFF),
)


@given(headers, st.integers(0, 255), st.integers(0, 255), st.binary(max_size=255))
def test_frame_round_trip(header: ProtocolHeader, command: int, enc: int, data: bytes) -> None:
    frame = Frame(header, command, enc, data)
    wire = frame.encode()
    assert len(wire) == 12 + len(data) + 3
    assert frame_length(wire) == len(wire)
    assert decode_frame(wire) == frame
    assert decode_frame(wire[:-2]) == frame


@given(st.binary(max_size=300))
def test_decoder_fuzz_raises_only_protocol_errors(raw: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        decode_frame(raw)


@given(st.binary(max_size=270))
def test_decoder_fuzz_with_magic(rest: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        decode_frame(b"\x7f\x5a" + rest)


# --- chunking ---------------------------------------------------------------------------------


def test_chunking_20_bytes() -> None:
    wire = seal(SDK_HEADER, 0x19, b"SCIENER", DEFAULT_AES_KEY).encode()
    assert len(wire) == 31
    assert [len(c) for c in chunk(wire)] == [20, 11]  # docs/ble.md §2.1: 31 = 20 + 11
    assert b"".join(seal(SDK_HEADER, 0x19, b"SCIENER", DEFAULT_AES_KEY).chunks()) == wire
    with pytest.raises(EncodeError):
        chunk(wire, 0)


# --- reassembly -------------------------------------------------------------------------------


def _frame_with_crlf_in_data() -> bytes:
    data = bytes.fromhex("730d0a") + bytes(13)  # LL609 ciphertext started 73 0D 0A (§2.1)
    return Frame(ProtocolHeader(), 0x54, 0xAA, data).encode()


def test_assembler_crlf_inside_ciphertext() -> None:
    wire = _frame_with_crlf_in_data()
    assembler = FrameAssembler()
    out = []
    for i in range(0, len(wire), 20):
        out.extend(assembler.feed(wire[i : i + 20]))
    assert [f.data[:3] for f in out] == [bytes.fromhex("730d0a")]
    assert len(assembler) == 0


def test_assembler_two_frames_in_one_notification_and_noise() -> None:
    one = lock_wire("140164000000")
    two = lock_wire("2501000000")
    assembler = FrameAssembler()
    frames = list(assembler.feed(b"\x00\x01garbage" + one + two))
    assert len(frames) == 2
    assert assembler.discarded_bytes == 9


def test_assembler_byte_by_byte() -> None:
    wire = lock_wire("4101" + "12345678")
    assembler = FrameAssembler()
    frames = []
    for byte in wire:
        frames.extend(assembler.feed(bytes((byte,))))
    assert len(frames) == 1
    assert ref_decrypt(KEY, frames[0].data) == bytes.fromhex("410112345678")


def test_assembler_false_magic_is_skipped() -> None:
    good = lock_wire("3001")
    # A magic whose declared length does not end on CRLF: noise, resync past it.
    noise = bytes.fromhex("7f5a0503020001000154aa02ffff0000")
    frames = list(FrameAssembler().feed(noise + good))
    assert len(frames) == 1


def test_assembler_skips_stalled_candidate_when_a_later_frame_is_complete() -> None:
    good = lock_wire("3001")
    stalled = bytes.fromhex("7f5a0503020001000154aaff")  # claims 255 data bytes
    assembler = FrameAssembler()
    assert list(assembler.feed(stalled)) == []
    assert len(list(assembler.feed(good))) == 1


def test_assembler_crc_error_then_continue() -> None:
    bad = bytearray(lock_wire("3001"))
    bad[-3] ^= 0xFF
    good = lock_wire("4701")
    assembler = FrameAssembler()
    iterator = assembler.feed(bytes(bad) + good)
    with pytest.raises(CrcError):
        next(iterator)
    frames = list(assembler.feed(b""))
    assert len(frames) == 1


def test_assembler_keeps_partial_magic_and_resets() -> None:
    assembler = FrameAssembler()
    assert list(assembler.feed(b"\x01\x02\x7f")) == []
    assert len(assembler) == 1
    wire = lock_wire("3001")
    assert len(list(assembler.feed(wire[1:]))) == 1
    assert list(assembler.feed(b"\x7f\x5a\x05")) == []
    assembler.reset()
    assert len(assembler) == 0


def test_assembler_bounds_its_buffer() -> None:
    assembler = FrameAssembler(max_buffer=64)
    assert list(assembler.feed(bytes.fromhex("7f5a0503020001000154aaff") + bytes(100))) == []
    assert len(assembler) <= 64


def test_assembler_old_frame() -> None:
    header = ProtocolHeader(3, 0, 0, 0, 0)
    wire = seal(header, 0x41, b"\x01\x02", None, encrypt=5).encode()
    frames = list(FrameAssembler().feed(wire))
    assert frames[0].header.protocol_type == 3


@settings(max_examples=300)
@given(st.lists(st.binary(max_size=40), max_size=30))
def test_assembler_fuzz_raises_only_protocol_errors(pieces: list[bytes]) -> None:
    assembler = FrameAssembler()
    for piece in pieces:
        iterator = assembler.feed(piece)
        for _ in range(1000):
            try:
                next(iterator)
            except StopIteration:
                break
            except ProtocolError:
                iterator = assembler.feed(b"")
        else:  # pragma: no cover - would mean the assembler loops
            pytest.fail("assembler did not terminate")


@settings(max_examples=200)
@given(
    st.lists(st.binary(max_size=60), min_size=1, max_size=5),
    st.lists(st.integers(1, 25), min_size=1, max_size=40),
    st.binary(max_size=30).filter(lambda b: b"\x7f" not in b),
)
def test_assembler_recovers_every_frame_under_any_chunking(
    payloads: list[bytes], sizes: list[int], noise: bytes
) -> None:
    wires = [Frame(ProtocolHeader(), 0x54, 0xAA, p).encode() for p in payloads]
    stream = noise + b"".join(wires)
    assembler = FrameAssembler()
    got = []
    pos = 0
    index = 0
    while pos < len(stream):
        size = sizes[index % len(sizes)]
        got.extend(assembler.feed(stream[pos : pos + size]))
        pos += size
        index += 1
    assert [f.data for f in got] == payloads


def test_assembler_stalled_candidates_without_a_complete_successor() -> None:
    stalled = bytes.fromhex("7f5a0503020001000154aaff")
    assembler = FrameAssembler()
    # a second stalled candidate: still incomplete, so keep waiting
    assert list(assembler.feed(stalled + stalled)) == []
    # a later candidate of complete length but without CRLF is not taken either
    fake = bytes.fromhex("7f5a0503020001000154aa00 77 0d0b".replace(" ", ""))
    assert list(assembler.feed(fake)) == []
    good = lock_wire("3001")
    assert len(list(assembler.feed(good))) == 1
