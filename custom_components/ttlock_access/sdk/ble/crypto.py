"""Payload ciphers of TTLock frames (docs/ble.md §4).

* AES-128-CBC with **IV = key** and PKCS#7 padding (docs/ble.md §4.1); an empty plaintext is sent as
  zero bytes, not as a padding block (docs/errata.md E3, column "send").
* The XOR codec of old-generation frames, keyed by the frame's ``encrypt`` byte, and its
  "stand-alone" form (seed appended) used to obfuscate stored credentials (docs/ble.md §4.4).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .crc import TABLE
from .errors import DecryptError, EncodeError

AES_KEY_LENGTH = 16
AES_BLOCK = 16

DEFAULT_AES_KEY = bytes.fromhex("987623e8a923a1bb3d9e7d0378124588")
"""Factory key, used only for ``0x19`` GET_AES_KEY during pairing (docs/ble.md §4.2)."""


def _check_key(key: bytes) -> None:
    if len(key) != AES_KEY_LENGTH:
        raise EncodeError(f"an AES key has {AES_KEY_LENGTH} bytes, got {len(key)}")


def aes_encrypt(key: bytes, plaintext: bytes) -> bytes:
    """AES-128-CBC(IV = key), PKCS#7; ``b""`` stays ``b""`` (docs/ble.md §4.1, docs/errata.md
    E3)."""
    _check_key(key)
    if not plaintext:
        return b""
    padder = padding.PKCS7(AES_BLOCK * 8).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def aes_decrypt(key: bytes, ciphertext: bytes) -> bytes:
    """Inverse of :func:`aes_encrypt`; raises :class:`DecryptError` on any malformed input.

    ``b""`` decrypts to ``b""``; a ciphertext that decrypts to an empty plaintext (one padding
    block, as RQB sends) is accepted too (docs/errata.md E3, column "accept").
    """
    _check_key(key)
    if not ciphertext:
        return b""
    if len(ciphertext) % AES_BLOCK:
        raise DecryptError(f"ciphertext length {len(ciphertext)} is not a multiple of 16")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(AES_BLOCK * 8).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as err:
        raise DecryptError("bad PKCS#7 padding (wrong key?)") from err


def xor_frame_codec(data: bytes, seed: int) -> bytes:
    """XOR codec of V2/V2S/car/mobi frame payloads (docs/ble.md §4.4, frame mode).

    ``out = in ^ seed ^ TABLE[len(data)]`` for every byte; the transform is its own inverse.
    """
    if not 0 <= seed <= 0xFF:
        raise EncodeError(f"XOR seed out of range: {seed}")
    if len(data) > 0xFF:
        raise EncodeError("XOR codec payloads are at most 255 bytes")
    mask = seed ^ TABLE[len(data)]
    return bytes(byte ^ mask for byte in data)


def xor_encode_standalone(data: bytes, seed: int) -> bytes:
    """Stand-alone XOR encoding: mask with ``seed ^ TABLE[len(data)]``, append the seed.

    Seeds are 1–127 (docs/ble.md §4.4); used for ``adminPwd``/``lockKey`` in ``lockData``.
    """
    if not 1 <= seed <= 0x7F:
        raise EncodeError(f"stand-alone XOR seed must be 1-127, got {seed}")
    return xor_frame_codec(data, seed) + bytes([seed])


def xor_decode_standalone(data: bytes) -> bytes:
    """Inverse of :func:`xor_encode_standalone`.

    The mask index is the *plaintext* length, ``len(data) - 1`` (docs/ble.md §4.4: KJS's use of the
    full length is off by one; RQB and N8 agree with this form).
    """
    if not data:
        raise DecryptError("stand-alone XOR data is empty")
    if len(data) - 1 > 0xFF:
        raise DecryptError("stand-alone XOR data is too long")
    return xor_frame_codec(data[:-1], data[-1])
