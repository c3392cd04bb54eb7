"""Pairing ("init lock" / add admin) of a factory-fresh lock (docs/ble.md §5.1).

SDK 3.3.1 order for V3: ``0x19`` GET_AES_KEY (default key) → ``0x56`` ADD_ADMIN (new key from
here on) → ``0x43`` time (failure ignored) → ``0x01`` features → feature-driven queries →
admin keypad code (``0x65``/``0x53``) → ``0x31`` INIT_PASSWORDS → ``0x37`` (feature 14) →
``0x90`` device info → ``0x57`` OPERATE_FINISHED. Only the key, admin, features and finish
steps are mandatory here; every other step tolerates a failure or timeout and is listed in
:attr:`PairResult.skipped` (docs/ble.md §10.5: optional queries fail on some locks).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, cast

from . import commands as cmd
from .const import Command, DeviceInfoType, FeatureBit, LockErrorCode, LockType, lock_type_of
from .crypto import DEFAULT_AES_KEY
from .errors import (
    DecryptError,
    EmptyReplyError,
    LockError,
    NotInSettingModeError,
    ProtocolError,
    ReplyTimeoutError,
)
from .frame import ProtocolHeader
from .keys import LockKeys, encode_credential, format_aes_key_str
from .ops import Flow, Operation, Request
from .results import AutoLockInfo, Features, SoundSettings

_ADMIN_SECRET_LIMIT = 10**9
"""adminPs / unlockKey are "0" + 9 random digits in the SDK (docs/ble.md §5.1 step 3)."""
ADMIN_PASSCODE_DIGITS = 7


class PasscodeTable(Protocol):
    """What the INIT_PASSWORDS generator provides (docs/ble.md §8.1–§8.2).

    The SDK does not generate these tables: the caller supplies them (Home Assistant builds
    them with ``custom_components/ttlock_access/native``: ``generate_pairing_tables``,
    ``pack_init_passwords`` and ``encode_pwd_info``).
    """

    @property
    def payload(self) -> bytes:
        """The 61-byte ``0x31`` payload."""
        ...

    @property
    def pwd_info(self) -> str:
        """``pwdInfo`` for the cloud."""
        ...

    @property
    def timestamp_ms(self) -> int:
        """``timestamp`` for the cloud (the pwdInfo key)."""
        ...


@dataclass(frozen=True, slots=True)
class PairResult:
    """Everything learnt while pairing; secrets are excluded from ``repr``."""

    aes_key: bytes = field(repr=False)
    admin_ps: int = field(repr=False)
    unlock_key: int = field(repr=False)
    lock_version: ProtocolHeader
    """Header of the lock's own replies: its lockVersion (docs/ble.md §5.1, §3.4)."""
    features: Features
    admin_passcode: str | None = field(default=None, repr=False)
    pwd_info: str | None = field(default=None, repr=False)
    pwd_timestamp_ms: int | None = None
    model: str | None = None
    hardware_revision: str | None = None
    firmware_revision: str | None = None
    manufacture_date: str | None = None
    auto_lock: AutoLockInfo | None = None
    sound: SoundSettings | None = None
    remote_unlock: bool | None = None
    switch_state: tuple[int, int] | None = None
    skipped: tuple[str, ...] = ()
    """Optional steps that failed or timed out."""

    @property
    def battery(self) -> int:
        """Battery level reported with the features."""
        return self.features.battery

    def keys(self, *, mac: str | None = None, uid: int = 0) -> LockKeys:
        """Key material for talking to the lock from now on."""
        return LockKeys(
            aes_key=self.aes_key,
            unlock_key=self.unlock_key,
            admin_ps=self.admin_ps,
            lock_flag_pos=0,
            uid=uid,
            header=self.lock_version,
            mac=mac,
        )

    def lock_data_json(
        self, *, mac: str, lock_name: str, timezone_raw_offset_ms: int = 0
    ) -> dict[str, Any]:
        """A LockData-shaped JSON object (docs/ble.md §4.5) for :func:`~.keys.encode_lock_data`."""
        version = self.lock_version
        data: dict[str, Any] = {
            "lockName": lock_name,
            "lockMac": mac.upper(),
            "lockVersion": {
                "protocolType": version.protocol_type,
                "protocolVersion": version.protocol_version,
                "scene": version.scene,
                "groupId": version.group_id,
                "orgId": version.org_id,
            },
            "adminPwd": encode_credential(f"{self.admin_ps:010d}"),
            "lockKey": encode_credential(f"{self.unlock_key:010d}"),
            "lockFlagPos": 0,
            "aesKeyStr": format_aes_key_str(self.aes_key),
            "specialValue": self.features.special_value,
            "featureValue": self.features.feature_value_hex,
            "electricQuantity": self.features.battery,
            "timezoneRawOffset": timezone_raw_offset_ms,
        }
        optional = {
            "noKeyPwd": self.admin_passcode,
            "pwdInfo": self.pwd_info,
            "timestamp": self.pwd_timestamp_ms,
            "modelNum": self.model,
            "hardwareRevision": self.hardware_revision,
            "firmwareRevision": self.firmware_revision,
            "factoryDate": self.manufacture_date,
            "autoLockTime": self.auto_lock.seconds if self.auto_lock else None,
        }
        data |= {name: value for name, value in optional.items() if value is not None}
        return data


class Pair(Operation[PairResult]):
    """Pair a lock in setting mode (advertisement bit 0x04, docs/ble.md §1.1, §5.1).

    ``header`` — the send header: advertised type/version/scene with group = org = 1
    (docs/errata.md E2). ``now`` — the lock's wall time for the clock. Secrets default to fresh
    random values. ``passcode_table`` (required; no default, so the SDK depends on no
    generator of its own) — the INIT_PASSWORDS tables sent with ``0x31`` and reported as
    ``pwd_info`` / ``pwd_timestamp_ms``, or a callable building them when that step is
    reached (a :class:`PasscodeTable`).
    """

    def __init__(
        self,
        header: ProtocolHeader,
        now: datetime,
        *,
        admin_ps: int | None = None,
        unlock_key: int | None = None,
        admin_passcode: str | None = None,
        passcode_table: PasscodeTable | Callable[[], PasscodeTable],
        read_device_info: bool = True,
        crc_retries: int = 2,
    ) -> None:
        if cast(object, passcode_table) is None:
            raise TypeError(
                "Pair needs a passcode_table (the INIT_PASSWORDS tables, docs/ble.md §8.1–§8.2)"
            )
        super().__init__(header, DEFAULT_AES_KEY, crc_retries=crc_retries)
        self._admin_ps = secrets.randbelow(_ADMIN_SECRET_LIMIT) if admin_ps is None else admin_ps
        self._unlock_key = (
            secrets.randbelow(_ADMIN_SECRET_LIMIT) if unlock_key is None else unlock_key
        )
        self._admin_passcode = admin_passcode
        if admin_passcode is not None:
            cmd.set_admin_passcode(admin_passcode)  # validate early
        self._passcode_table = passcode_table
        self._read_device_info = read_device_info
        self._skipped: list[str] = []
        self._add_admin_payload = cmd.add_admin(self._admin_ps, self._unlock_key)
        self._time_payload = cmd.calibrate_time(now)

    def _table(self) -> PasscodeTable:
        table = self._passcode_table
        if callable(table):
            return table()
        return table

    def _optional[R](
        self, name: str, request: Request, parser: Callable[[bytes], R]
    ) -> Flow[R | None]:
        try:
            reply = yield request
            return parser(reply.data)
        except (LockError, ProtocolError, ReplyTimeoutError):
            self._skipped.append(name)
            return None

    def _get_key(self) -> Flow[tuple[bytes, ProtocolHeader]]:
        try:
            reply = yield Request(Command.GET_AES_KEY, cmd.get_aes_key())
        except (EmptyReplyError, DecryptError) as err:
            # docs/ble.md §5.1: outside setting mode the reply has no decryptable data.
            raise NotInSettingModeError(
                Command.GET_AES_KEY, None, "no key in the reply: lock not in setting mode"
            ) from err
        except LockError as err:
            if err.code == LockErrorCode.NOT_IN_SETTING_MODE:
                raise NotInSettingModeError(err.command, err.code) from err
            raise
        return cmd.parse_aes_key(reply.data), reply.header or self.header

    def _admin_code(self, features: Features, lock_type: LockType) -> Flow[str | None]:
        code: str | None = None
        if features.has(FeatureBit.GET_ADMIN_CODE):
            code = yield from self._optional(
                "get_admin_code", Request(Command.GET_ADMIN_CODE, b""), cmd.parse_admin_code
            )
            if code:
                return code
        elif lock_type is LockType.V3_CAR:
            return None
        code = self._admin_passcode or "".join(
            str(secrets.randbelow(10)) for _ in range(ADMIN_PASSCODE_DIGITS)
        )
        request = Request(Command.SET_ADMIN_KEYBOARD_PWD, cmd.set_admin_passcode(code))
        done = yield from self._optional("set_admin_code", request, lambda _data: True)
        return code if done else None

    def _run(self) -> Flow[PairResult]:
        aes_key, lock_version = yield from self._get_key()
        self._key = aes_key  # docs/ble.md §5.1 step 3: the new key from here on
        try:
            reply = yield Request(Command.ADD_ADMIN, self._add_admin_payload)
        except LockError as err:
            raise LockError(err.command, err.code, "ADD_ADMIN refused") from err
        cmd.parse_add_admin(reply.data)
        yield from self._optional(
            "calibrate_time", Request(Command.TIME_CALIBRATE, self._time_payload), bytes
        )
        reply = yield Request(Command.SEARCH_DEVICE_FEATURE, b"")
        features = cmd.parse_features(reply.data)

        query = cmd.setting_query()
        switch_state = yield from self._optional(
            "switch", Request(Command.SWITCH, query), cmd.parse_switch_state
        )
        sound = None
        if features.has(FeatureBit.AUDIO):
            sound = yield from self._optional(
                "audio", Request(Command.AUDIO_MANAGE, query), cmd.parse_audio
            )
        auto_lock = None
        if features.has(FeatureBit.AUTO_LOCK):
            auto_lock = yield from self._optional(
                "auto_lock", Request(Command.AUTO_LOCK_MANAGE, query), cmd.parse_auto_lock
            )
        header = self.header
        lock_type = lock_type_of(header.protocol_type, header.protocol_version, header.scene)
        admin_passcode = yield from self._admin_code(features, lock_type)

        table = self._table()
        init_request = Request(Command.INIT_PASSWORDS, cmd.init_passwords(table.payload))
        initialised = yield from self._optional("init_passwords", init_request, bytes)

        remote_unlock = None
        if features.has(FeatureBit.REMOTE_UNLOCK_SWITCH):
            remote_unlock = yield from self._optional(
                "remote_unlock",
                Request(Command.CONTROL_REMOTE_UNLOCK, query),
                lambda data: cmd.parse_setting(data).value == 1,
            )

        info: dict[DeviceInfoType, str | None] = {}
        if self._read_device_info:
            for item in (
                DeviceInfoType.MODEL_NUMBER,
                DeviceInfoType.HARDWARE_REVISION,
                DeviceInfoType.FIRMWARE_REVISION,
                DeviceInfoType.MANUFACTURE_DATE,
            ):
                info[item] = yield from self._optional(
                    f"device_info_{int(item)}",
                    Request(Command.READ_DEVICE_INFO, cmd.read_device_info(item)),
                    cmd.parse_device_info,
                )

        yield Request(Command.OPERATE_FINISHED, b"", allow_empty=True)
        return PairResult(
            aes_key=aes_key,
            admin_ps=self._admin_ps,
            unlock_key=self._unlock_key,
            lock_version=lock_version,
            features=features,
            admin_passcode=admin_passcode,
            pwd_info=table.pwd_info if initialised is not None else None,
            pwd_timestamp_ms=table.timestamp_ms if initialised is not None else None,
            model=info.get(DeviceInfoType.MODEL_NUMBER),
            hardware_revision=info.get(DeviceInfoType.HARDWARE_REVISION),
            firmware_revision=info.get(DeviceInfoType.FIRMWARE_REVISION),
            manufacture_date=info.get(DeviceInfoType.MANUFACTURE_DATE),
            auto_lock=auto_lock,
            sound=sound,
            remote_unlock=remote_unlock,
            switch_state=switch_state,
            skipped=tuple(self._skipped),
        )
