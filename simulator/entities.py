"""What the simulated cloud knows about: accounts, developer apps, tokens, locks, gateways,
records and meters (§ numbers refer to ``docs/cloud.md``; lock fields §2.1, gateways
§2.6, records §2.7, meters and lifts §2.8).

Plain data: the operations on them are :class:`~simulator.world.World`'s. A lock's
credential collections hold the cloud's records (:mod:`simulator.credentials`); what the lock
itself holds is its memory (:mod:`simulator.lockside`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .codes import FEATURE
from .lockdata import KeyMaterial, encode_lock_data, feature_value_hex

__all__ = [
    "Account",
    "DeveloperApp",
    "ElectricMeter",
    "Gateway",
    "GatewayLink",
    "Lock",
    "LockRecord",
    "LockVersion",
    "Token",
    "WaterMeter",
]


@dataclass
class Account:
    """A TTLock app account (the user whose password the integration asks for)."""

    uid: int
    username: str
    password_md5: str
    region: str = "eu"
    nickname: str = ""


@dataclass
class DeveloperApp:
    """A developer application (clientId/clientSecret) registered in one region."""

    client_id: str
    client_secret: str
    region: str = "eu"
    callback_url: str | None = None
    monthly_quota: int | None = None
    rate_limit: int | None = None  # calls per rate_window_s, None = unlimited
    rate_window_s: float = 1.0
    usage: dict[str, int] = field(default_factory=dict)  # "YYYY-MM" → calls
    endpoint_usage: dict[str, int] = field(default_factory=dict)  # "lock/list" → calls, ever
    recent_calls: deque[int] = field(default_factory=deque)


@dataclass
class Token:
    """An OAuth2 grant: access token plus its refresh token."""

    access_token: str
    refresh_token: str
    uid: int
    client_id: str
    issued_ms: int
    expires_in: int
    refresh_expires_ms: int
    revoked: bool = False
    refresh_spent: bool = False

    @property
    def expires_ms(self) -> int:
        return self.issued_ms + self.expires_in * 1000


@dataclass
class LockVersion:
    """``lockVersion`` object (§2.1 undocumented fields; ``docs/ble.md`` §3.1 header)."""

    protocol_type: int = 5
    protocol_version: int = 3
    scene: int = 2
    group_id: int = 1
    org_id: int = 1

    def to_json(self) -> dict[str, int]:
        return {
            "protocolType": self.protocol_type,
            "protocolVersion": self.protocol_version,
            "scene": self.scene,
            "groupId": self.group_id,
            "orgId": self.org_id,
        }


@dataclass
class Lock:
    """A lock (or, with ``lock_type`` 2/3, a TTHotel lift controller / power saver)."""

    lock_id: int
    lock_mac: str
    lock_alias: str
    admin_uid: int
    keys: KeyMaterial
    lock_name: str
    features: frozenset[int]
    lock_version: LockVersion = field(default_factory=LockVersion)
    lock_type: int = 1  # lock/list ``type``: 1 lock, 2 lift controller, 3 power saver
    electric_quantity: int = 100
    electric_quantity_update_date: int = 0
    model_num: str = "SN238-AL_PV53"
    hardware_revision: str = "1.3"
    firmware_revision: str = "6.0.6.210622"
    factory_date: str = "20240101"
    timezone_raw_offset: int = 3_600_000
    auto_lock_time: int = -1  # seconds, -1 off
    lock_sound: int = 1  # 0 unknown / 1 on / 2 off
    sound_volume: int = 3  # 1–5
    privacy_lock: int = 2
    tamper_alert: int = 1
    reset_button: int = 1
    open_direction: int = 0  # 0 unknown / 1 left / 2 right
    passage_mode: int = 2  # 1 on / 2 off
    passage_mode_auto_unlock: int = 2
    is_frozen: int = 2
    display_passcode: int = 0
    keyboard_pwd_version: int = 4
    sensitivity: int = -1
    double_verification: int = 2
    wireless_keypad_feature_value: str = "0"
    group_id: int = 0
    group_name: str = ""
    init_date: int = 0  # lock/list ``date``
    bind_date: int = 0
    lock_update_date: int = 0
    # live state
    state: int = 0  # 0 locked / 1 unlocked / 2 unknown
    unlocked_at_ms: int | None = None
    door_sensor: bool = False
    door_open: bool = False
    remote_unlock: bool = True
    wifi_online: bool = True
    wifi_network_name: str = ""
    wifi_rssi_grade: int = 3
    wifi_power_saving_mode: int = 0
    lift_floors: list[int] = field(default_factory=list)
    # credential collections per lock, filled by later issues (id → object)
    passcodes: dict[int, Any] = field(default_factory=dict)
    cards: dict[int, Any] = field(default_factory=dict)
    fingerprints: dict[int, Any] = field(default_factory=dict)
    faces: dict[int, Any] = field(default_factory=dict)
    ekeys: dict[int, Any] = field(default_factory=dict)
    # lock-side keypad memory (simulator.offline_codes.KeypadMemory, created on first use)
    keypad: Any = field(default=None, init=False, repr=False)
    # cloud-side history of every offline code issued, deleted ones included (credentials)
    offline_issued: list[Any] = field(default_factory=list, init=False, repr=False)
    _lock_data: str | None = field(default=None, init=False, repr=False)

    @property
    def feature_value(self) -> str:
        return feature_value_hex(self.features)

    @property
    def special_value(self) -> int:
        """First 32 feature bits (``docs/ble.md`` §5.3: ``specialValue`` = W0)."""
        return int(self.feature_value, 16) & 0xFFFFFFFF

    def has_feature(self, bit: int | str) -> bool:
        number = FEATURE[bit] if isinstance(bit, str) else bit
        return number in self.features

    @property
    def is_wifi(self) -> bool:
        return FEATURE["wifi"] in self.features

    @property
    def wifi_mac(self) -> str:
        """Wi-Fi module MAC: the BLE MAC with its last octet + 1 [INFERRED]."""
        octets = self.lock_mac.split(":")
        octets[-1] = f"{(int(octets[-1], 16) + 1) % 256:02X}"
        return ":".join(octets)

    def lock_data_payload(self) -> dict[str, Any]:
        """The JSON inside ``lockData`` (``docs/ble.md`` §4.5; the SDK's LockData field order)."""
        keys = self.keys
        return {
            "uid": 0,
            "lockName": self.lock_name,
            "lockMac": self.lock_mac,
            "userType": 0,
            "lockVersion": self.lock_version.to_json(),
            "adminPwd": keys.admin_pwd,
            "lockKey": keys.lock_key,
            "lockFlagPos": keys.lock_flag_pos,
            "noKeyPwd": keys.no_key_pwd,
            "deletePwd": keys.delete_pwd,
            "pwdInfo": keys.pwd_info,
            "timestamp": keys.pwd_info_timestamp,
            "aesKeyStr": keys.aes_key_str,
            "specialValue": self.special_value,
            "featureValue": self.feature_value,
            "startDate": 0,
            "endDate": 0,
            "electricQuantity": self.electric_quantity,
            "timezoneRawOffset": self.timezone_raw_offset,
            "modelNum": self.model_num,
            "hardwareRevision": self.hardware_revision,
            "firmwareRevision": self.firmware_revision,
            "nbRssi": 0,
            "version": "1.0",
            "factoryDate": self.factory_date,
            "autoLockTime": self.auto_lock_time,
            "lightingTime": -1,
            "resetButton": self.reset_button,
            "tamperAlert": self.tamper_alert,
            "privacyLock": self.privacy_lock,
            "displayPasscode": self.display_passcode,
            "lockSound": self.lock_sound,
            "sensitivity": self.sensitivity,
            "passcodeKeyNumber": 0,
            "soundVolume": self.sound_volume,
        }

    @property
    def lock_data(self) -> str:
        """Encrypted ``lockData``: a snapshot taken at pairing, as the cloud stores it."""
        if self._lock_data is None:
            self._lock_data = encode_lock_data(self.lock_data_payload())
        return self._lock_data

    def refresh_lock_data(self) -> None:
        """Take a new snapshot from the current values (as ``lock/updateLockData`` does)."""
        self._lock_data = encode_lock_data(self.lock_data_payload())


@dataclass
class Gateway:
    """A G2/G3/G4 gateway (§2.6)."""

    gateway_id: int
    gateway_mac: str
    gateway_name: str
    owner_uid: int
    gateway_version: int = 2  # 1 G1, 2 G2, 3 G3 wired, 4 G4 4G
    network_name: str = ""
    network_mac: str = ""
    is_online: bool = True
    latency_s: float | None = None  # None: World.gateway_latency_s
    firmware_revision: str = "1.4.2"
    init_date: int = 0


@dataclass
class GatewayLink:
    """A gateway's radio view of one lock."""

    gateway_id: int
    lock_id: int
    rssi: int
    in_range: bool = True
    updated_ms: int = 0


@dataclass
class LockRecord:
    """One cloud lock record (§2.7)."""

    record_id: int
    lock_id: int
    record_type: int
    record_type_from_lock: int
    success: int
    username: str
    keyboard_pwd: str
    lock_date: int
    server_date: int
    electric_quantity: int | None = None
    uid: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "recordId": self.record_id,
            "lockId": self.lock_id,
            "recordTypeFromLock": self.record_type_from_lock,
            "recordType": self.record_type,
            "success": self.success,
            "username": self.username,
            "keyboardPwd": self.keyboard_pwd,
            "lockDate": self.lock_date,
            "serverDate": self.server_date,
        }


@dataclass
class ElectricMeter:
    """A TTRenting electricity meter (§2.8)."""

    electric_meter_id: int
    name: str
    number: str
    mac: str
    owner_uid: int
    online: int = 1
    rssi: int = -60
    on_off: int = 1  # 0 off / 1 on / 2 unknown
    pay_mode: int = 0  # 0 metering / 1 prepaid
    total_kwh: float = 0.0
    remainder_kwh: float = 0.0
    price: float = 0.0
    feature_value: str = "0"
    model_num: str = "EM-1"
    hardware_revision: str = "1.0"
    firmware_revision: str = "1.0.0"
    sync_kwh_date: int = 0
    max_power: int = 0
    group_id: int = 0
    group_name: str = ""

    def to_list_json(self) -> dict[str, Any]:
        return {
            "electricMeterId": self.electric_meter_id,
            "name": self.name,
            "number": self.number,
            "online": self.online,
            "rssi": self.rssi,
            "onOff": self.on_off,
            "payMode": self.pay_mode,
            "totalKwh": self.total_kwh,
            "remainderKwh": self.remainder_kwh,
            "price": self.price,
        }


@dataclass
class WaterMeter:
    """A TTRenting water meter (§2.8)."""

    water_meter_id: int
    name: str
    number: str
    mac: str
    owner_uid: int
    online: int = 1
    rssi: int = -60
    on_off: int = 1  # water supply
    pay_mode: int = 0
    total_m3: float = 0.0
    remainder_m3: float = 0.0
    price: float = 0.0
    electric_quantity: int = 100
    feature_value: str = "0"
    model_num: str = "WM-1"
    hardware_revision: str = "1.0"
    firmware_revision: str = "1.0.0"
    group_id: int = 0
    group_name: str = ""

    def to_list_json(self) -> dict[str, Any]:
        return {
            "waterMeterId": self.water_meter_id,
            "name": self.name,
            "number": self.number,
            "online": self.online,
            "rssi": self.rssi,
            "onOff": self.on_off,
            "payMode": self.pay_mode,
            "totalM3": self.total_m3,
            "remainderM3": self.remainder_m3,
            "price": self.price,
            "electricQuantity": self.electric_quantity,
        }
