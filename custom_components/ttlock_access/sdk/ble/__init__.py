"""Sans-IO core of the TTLock Bluetooth protocol (docs/architecture.md rule 2; model: h11).

Pure functions and state machines over bytes: no Home Assistant, no asyncio, no I/O. A thin
bleak adapter (not in this package's core) writes the chunks an operation asks for, feeds
notifications through a :class:`FrameAssembler`, and hands frames back to the operation.
The specification is docs/ble.md ("§"), corrected by
docs/errata.md ("E…"); the client follows the errata's "send" column.

Layers (lower layers never import higher ones; the simulated lock may reuse only the codec —
``crc``, ``crypto``, ``frame``, ``errors`` — docs/architecture.md rule 5):

Frame codec (both ends of the link)
    ``crc``        :func:`crc8` — CRC-8/MAXIM with TTLock's table entry 33 = 0x07 (§3.3).
    ``crypto``     :func:`aes_encrypt` / :func:`aes_decrypt` — AES-128-CBC, IV = key, PKCS#7,
                   empty ↔ empty (§4.1, E3); :data:`DEFAULT_AES_KEY` (§4.2);
                   :func:`xor_frame_codec`, :func:`xor_encode_standalone`,
                   :func:`xor_decode_standalone` (§4.4).
    ``frame``      :class:`ProtocolHeader` (lockVersion; default ``05 03 02 0001 0001``, E2),
                   :class:`Frame` with ``encode()``/``chunks()``, :func:`decode_frame`
                   (new 12-byte §3.1 and old V2 6-byte §3.2 frames), :func:`seal` /
                   :func:`open_payload` (AES or XOR per generation, §3.6, E20), :func:`chunk`
                   (20-byte writes, §2.1), :class:`FrameAssembler` (length-based reassembly,
                   CRLF-checked resync, §2.1, E9); ``RESPONSE_COMMAND``/``ENCRYPT_*`` for
                   lock-side frames (§3.4).
    ``errors``     :class:`ProtocolError` (→ :class:`FrameError`, :class:`CrcError`,
                   :class:`DecryptError`, :class:`PayloadError`, :class:`AdvertisementError`),
                   :class:`LockError` (§6), :class:`ReplyTimeoutError`,
                   :class:`OperationStateError`, :class:`KeyMaterialError`,
                   :class:`EncodeError`; all under :class:`TTLockBleError`.

Client side
    ``const``      command codes (§5.2), error codes (§6, E12), feature bits (§5.3), enums of
                   §5.5–§5.9 and §9.3, GATT UUIDs (§2), lock types (§1.1).
    ``encoding``   decimal-byte dates d5/d6 (§5.0, E4, E14), the permanent window, a safe
                   :class:`~.encoding.Reader`.
    ``routing``    :class:`Reply`, :func:`parse_reply`, :func:`is_reply_to` (echo matching,
                   §3.4, E10), :class:`LockPush` / :func:`decode_push` (§5.11).
    ``keys``       :class:`LockKeys`, :func:`parse_lock_data` / :func:`decode_lock_data` /
                   :func:`encode_lock_data` (§4.5), :func:`parse_aes_key_str` (§4.3),
                   :func:`decode_credential` / :func:`encode_credential` (§4.5).
    ``commands``   payload builders and reply parsers for every command used (§5.0–§5.10,
                   §9.3): handshakes, actuation, status, features, device info, time,
                   passcodes, cards, fingerprints, operation log, auto-lock, passage mode,
                   sound, remote unlock, switches, hotel/lift data, pairing steps.
    ``results``    typed result dataclasses (:class:`LockStatus`, :class:`Features`,
                   :class:`LogRecord`, :class:`Passcode`, :class:`Card`, …).
    ``ops``        the state machines: :class:`Operation` (``start() / receive(frame) /
                   crc_error(err) / timeout()`` → :class:`Write` | :class:`Wait` |
                   :class:`Done` | :class:`Failed`; handshakes §5.0 + E1, echo routing
                   §3.4 + E10, CRC re-send E17) and the concrete operations:
                   actuation :class:`Unlock`, :class:`Lock`, :class:`ActivateLiftFloors`
                   (§5.4, §9.3; ``auth=Auth.USER`` CHECK_USER_TIME or ``Auth.ADMIN``);
                   information :class:`GetStatus`, :class:`GetBattery`, :class:`GetFeatures`,
                   :class:`GetDeviceInfo`, :class:`GetLockTime`, :class:`CalibrateTime`
                   (§5.3, E12, E16); passcodes :class:`AddPasscode`, :class:`ModifyPasscode`,
                   :class:`DeletePasscode`, :class:`ClearPasscodes`, :class:`ListPasscodes`
                   (§5.5, E6, E7); cards :class:`AddCard` (add mode + card push),
                   :class:`AddKnownCard`, :class:`ModifyCard`, :class:`DeleteCard`,
                   :class:`ClearCards`, :class:`ListCards` (§5.6); fingerprints
                   :class:`AddFingerprint` (progress pushes), :class:`AddKnownFingerprint`,
                   :class:`ModifyFingerprint`, :class:`DeleteFingerprint`,
                   :class:`ClearFingerprints`, :class:`ListFingerprints` (§5.7, E18); log
                   :class:`GetOperationLog` (§5.8, E11); settings :class:`GetAutoLock`,
                   :class:`SetAutoLock` (E8), :class:`GetPassageMode`, :class:`AddPassageMode`,
                   :class:`DeletePassageMode`, :class:`ClearPassageMode` (§5.9),
                   :class:`GetLockSound`, :class:`SetLockSound`, :class:`GetRemoteUnlock`,
                   :class:`SetRemoteUnlock` (§5.2); :class:`FactoryReset` (§5.1);
                   :class:`GetHotelData`, :class:`SetHotelData` (§9.3).
    ``pairing``    :class:`Pair` — the full §5.1 sequence including INIT_PASSWORDS — and
                   :class:`PairResult`; the caller supplies the INIT_PASSWORDS tables
                   (:class:`PasscodeTable`, §8.1–§8.2; Home Assistant builds them with the
                   native generator, ``custom_components/ttlock_access/native``).
    ``advertisement``  :func:`parse_advertisement`, :func:`parse_manufacturer_entry`,
                   :func:`is_ttlock`, :class:`TTLockAdvertisement` (§1.1–§1.2, E5, E15).
"""

from __future__ import annotations

from .advertisement import (
    AdvertisementFlag,
    DeviceKind,
    TTLockAdvertisement,
    is_ttlock,
    name_suffix,
    parse_advertisement,
    parse_manufacturer_entry,
    parse_raw,
)
from .const import (
    Command,
    DeviceInfoType,
    FeatureBit,
    HotelDataType,
    LockErrorCode,
    LockType,
    PassageModeType,
    PasscodeType,
)
from .crc import crc8
from .crypto import (
    DEFAULT_AES_KEY,
    aes_decrypt,
    aes_encrypt,
    xor_decode_standalone,
    xor_encode_standalone,
    xor_frame_codec,
)
from .errors import (
    AdvertisementError,
    CrcError,
    DecryptError,
    EmptyReplyError,
    EncodeError,
    FrameError,
    KeyMaterialError,
    LockError,
    NotInSettingModeError,
    OperationStateError,
    PayloadError,
    ProtocolError,
    ReplyTimeoutError,
    TTLockBleError,
)
from .frame import (
    CHUNK_SIZE,
    ENCRYPT_APP,
    ENCRYPT_PUSH,
    RESPONSE_COMMAND,
    Frame,
    FrameAssembler,
    ProtocolHeader,
    chunk,
    decode_frame,
    open_payload,
    seal,
)
from .keys import (
    LockKeys,
    decode_credential,
    decode_lock_data,
    encode_credential,
    encode_lock_data,
    format_aes_key_str,
    parse_aes_key_str,
    parse_lock_data,
)
from .ops import (
    ActivateLiftFloors,
    AddCard,
    AddFingerprint,
    AddKnownCard,
    AddKnownFingerprint,
    AddPassageMode,
    AddPasscode,
    Auth,
    CalibrateTime,
    ClearCards,
    ClearFingerprints,
    ClearPassageMode,
    ClearPasscodes,
    DeleteCard,
    DeleteFingerprint,
    DeletePassageMode,
    DeletePasscode,
    Done,
    FactoryReset,
    Failed,
    GetAutoLock,
    GetBattery,
    GetDeviceInfo,
    GetFeatures,
    GetHotelData,
    GetLockSound,
    GetLockTime,
    GetOperationLog,
    GetPassageMode,
    GetRemoteUnlock,
    GetStatus,
    GetSwitches,
    ListCards,
    ListFingerprints,
    ListPasscodes,
    Lock,
    ModifyCard,
    ModifyFingerprint,
    ModifyPasscode,
    Operation,
    SetAutoLock,
    SetHotelData,
    SetLockSound,
    SetRemoteUnlock,
    SetSwitch,
    Step,
    Unlock,
    Wait,
    Write,
)
from .pairing import Pair, PairResult, PasscodeTable
from .results import (
    ActuationResult,
    AutoLockInfo,
    Card,
    CardAddMode,
    CommandAck,
    DeviceInfo,
    Features,
    Fingerprint,
    FingerprintProgress,
    LockState,
    LockStatus,
    LogRecord,
    PassageModeEntry,
    Passcode,
    SoundSettings,
)
from .routing import LockPush, Reply, decode_push, is_reply_to, parse_reply

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_AES_KEY",
    "ENCRYPT_APP",
    "ENCRYPT_PUSH",
    "RESPONSE_COMMAND",
    "ActivateLiftFloors",
    "ActuationResult",
    "AddCard",
    "AddFingerprint",
    "AddKnownCard",
    "AddKnownFingerprint",
    "AddPassageMode",
    "AddPasscode",
    "AdvertisementError",
    "AdvertisementFlag",
    "Auth",
    "AutoLockInfo",
    "CalibrateTime",
    "Card",
    "CardAddMode",
    "ClearCards",
    "ClearFingerprints",
    "ClearPassageMode",
    "ClearPasscodes",
    "Command",
    "CommandAck",
    "CrcError",
    "DecryptError",
    "DeleteCard",
    "DeleteFingerprint",
    "DeletePassageMode",
    "DeletePasscode",
    "DeviceInfo",
    "DeviceInfoType",
    "DeviceKind",
    "Done",
    "EmptyReplyError",
    "EncodeError",
    "FactoryReset",
    "Failed",
    "FeatureBit",
    "Features",
    "Fingerprint",
    "FingerprintProgress",
    "Frame",
    "FrameAssembler",
    "FrameError",
    "GetAutoLock",
    "GetBattery",
    "GetDeviceInfo",
    "GetFeatures",
    "GetHotelData",
    "GetLockSound",
    "GetLockTime",
    "GetOperationLog",
    "GetPassageMode",
    "GetRemoteUnlock",
    "GetStatus",
    "GetSwitches",
    "HotelDataType",
    "KeyMaterialError",
    "ListCards",
    "ListFingerprints",
    "ListPasscodes",
    "Lock",
    "LockError",
    "LockErrorCode",
    "LockKeys",
    "LockPush",
    "LockState",
    "LockStatus",
    "LockType",
    "LogRecord",
    "ModifyCard",
    "ModifyFingerprint",
    "ModifyPasscode",
    "NotInSettingModeError",
    "Operation",
    "OperationStateError",
    "Pair",
    "PairResult",
    "PassageModeEntry",
    "PassageModeType",
    "Passcode",
    "PasscodeTable",
    "PasscodeType",
    "PayloadError",
    "ProtocolError",
    "ProtocolHeader",
    "Reply",
    "ReplyTimeoutError",
    "SetAutoLock",
    "SetHotelData",
    "SetLockSound",
    "SetRemoteUnlock",
    "SetSwitch",
    "SoundSettings",
    "Step",
    "TTLockAdvertisement",
    "TTLockBleError",
    "Unlock",
    "Wait",
    "Write",
    "aes_decrypt",
    "aes_encrypt",
    "chunk",
    "crc8",
    "decode_credential",
    "decode_frame",
    "decode_lock_data",
    "decode_push",
    "encode_credential",
    "encode_lock_data",
    "format_aes_key_str",
    "is_reply_to",
    "is_ttlock",
    "name_suffix",
    "open_payload",
    "parse_advertisement",
    "parse_aes_key_str",
    "parse_lock_data",
    "parse_manufacturer_entry",
    "parse_raw",
    "parse_reply",
    "seal",
    "xor_decode_standalone",
    "xor_encode_standalone",
    "xor_frame_codec",
]
