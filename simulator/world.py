"""The one state of the simulated TTLock world: accounts, apps, locks, gateways, records.

The cloud server (:mod:`simulator.cloud`), and later the simulated BLE locks and webhook
pusher, all read and change this single :class:`World`. Nothing here does I/O except the
optional ``asyncio.sleep`` that models gateway latency.

Research relied on (``/work/shared/research/ttlock-cloud-and-peers.md`` unless noted):

* §1.1 regions: an account and a developer app live in exactly one region (``eu``/``cn``).
* §1.2 tokens: ``expires_in`` 7 776 000 s (90 days); refresh tokens valid 10 years;
  password stored as the lower-case MD5 hex the client sends.
* §1.3 ``date`` within 5 minutes of server time; §1.4 the errcodes raised here.
* §2.1 lock fields (documented and undocumented), ``featureValue`` bits, lock/list only
  for the top administrator, ``queryOpenState`` state 0/1/2 and ``sensorState``
  (community model: 0 open, 1 closed).
* §2.6 gateways: ``gatewayVersion`` 1–4, ``isOnline``, ``listByLock`` shows gateways that
  saw the lock in the last 30 minutes with ``rssi``; the cloud relays through the best
  RSSI gateway; §3.1 concurrent gateway commands fail with -3003.
* §2.7 lock records and the cloud ``recordType`` numbering, plus ``recordTypeFromLock``
  (lock-side numbering, ``ttlock-ble-protocol.md`` §5.8: 1 app unlock, 26 BLE lock,
  28 gateway unlock, 17 IC card, 20 fingerprint, 27 mechanical key, …).
* §2.8 meters and lifts (TTHotel ``lock/list`` ``type`` 1 locks / 2 lifts / 3 power savers).
* §3.1 monthly API quota (30007) and call restrictions (30006).
* ``ttlock-ble-protocol.md`` §4–§5.1 key material (see :mod:`simulator.lockdata`).

Fault-injection knobs (Python; the same are served as HTTP under ``/sim/``, see
:mod:`simulator.cloud`):

* gateways: :meth:`World.set_gateway_online`, :meth:`World.set_gateway_latency` (default
  :attr:`World.gateway_latency_s` = 0, or per gateway), :meth:`World.set_lock_in_range`,
  :meth:`World.link`, :meth:`World.add_gateway` / :meth:`World.remove_gateway`;
* locks: :meth:`World.set_remote_unlock` (-4043), :meth:`World.set_wifi_online` (-3036),
  :meth:`World.set_lock_state`, :meth:`World.set_door` (records 31/30),
  :meth:`World.set_battery`, :attr:`World.battery_drain_per_command`,
  :meth:`World.add_lock` / :meth:`World.remove_lock`, :meth:`World.add_record`;
* API accounting: :meth:`World.set_quota` (30007), :meth:`World.set_usage`,
  :meth:`World.usage`, :meth:`World.set_rate_limit` (30006);
* forced errors: ``world.faults.fail_next("lock/unlock", errcode=1, times=1)`` (also
  ``http_status=502`` and the ``"*"`` wildcard), ``world.faults.clear()``;
* credentials used at the lock (:mod:`simulator.credentials`): :meth:`World.enter_code`
  (keypad, anti-peep, STAND-IN offline codes), :meth:`World.present_card`,
  :meth:`World.present_fingerprint`;
* time: ``world.clock`` (:meth:`Clock.freeze`, :meth:`Clock.advance`,
  :meth:`Clock.unfreeze`), :meth:`World.set_time_skew` (client ``date`` → 80000);
* accounts: :meth:`World.change_password` (revokes the account's tokens),
  :meth:`World.revoke_tokens` (10004, refresh → 10011), :meth:`World.expire_tokens`
  (10004, refresh still works).

Inferred behaviour (no public source; kept simple and documented): a refresh rotates
the refresh token (the old one then gives 10011) but leaves the old access token valid
until it expires; auto-lock is evaluated lazily from the world clock and writes no record
unless :attr:`World.record_auto_lock` is set (peers report that TTLock often sends none).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .lockdata import KeyMaterial, derive_key_material, encode_lock_data, feature_value_hex

__all__ = [
    "ERRMSG",
    "FEATURE",
    "RECORD_TYPE",
    "Account",
    "Clock",
    "CloudError",
    "DeveloperApp",
    "ElectricMeter",
    "Fault",
    "Faults",
    "Gateway",
    "GatewayLink",
    "Lock",
    "LockRecord",
    "LockVersion",
    "Route",
    "Token",
    "WaterMeter",
    "World",
    "md5_hex",
]

# --- constants -----------------------------------------------------------------------------

#: Default ``errmsg`` per errcode (research §1.4; wording is ours).
ERRMSG: dict[int, str] = {
    0: "none error message or means yes",
    1: "failed or means no",
    10000: "invalid client_id",
    10001: "invalid client",
    10003: "invalid token",
    10004: "invalid grant",
    10007: "invalid account or invalid password",
    10011: "invalid refresh_token",
    20002: "not lock admin",
    30005: "password must be md5 encrypted",
    30006: "exceeds the restrictions of API call number",
    30007: "exceeded the monthly limit for API calls",
    30008: "cross-site access to user data is prohibited",
    80000: "date must be current time, in 5 minutes",
    80002: "invalid json",
    90000: "internal server error",
    -3: "invalid parameter",
    -1003: "lock does not exist",
    -2012: "the lock is not connected to any gateway",
    -2018: "permission denied",
    -3002: "the gateway is offline",
    -3003: "the gateway is busy",
    -3036: "the lock is offline",
    -3037: "the lock is busy",
    -4037: "no such gateway",
    -4043: "the function is not supported for this lock",
}

#: Feature bits used by the simulator (research §2.1 featureValue list).
FEATURE: dict[str, int] = {
    "passcode": 0,
    "ic_card": 1,
    "fingerprint": 2,
    "wristband": 3,
    "auto_lock": 4,
    "passcode_with_delete": 5,
    "firmware_setting": 6,
    "modify_passcode": 7,
    "remote_lock": 8,
    "passcode_display": 9,
    "gateway_unlock": 10,
    "freeze": 11,
    "cyclic_passcode": 12,
    "door_sensor": 13,
    "remote_unlock_switch": 14,
    "audio": 15,
    "nb_iot": 16,
    "admin_code": 18,
    "hotel": 19,
    "passage_mode": 22,
    "passage_mode_auto_lock": 23,
    "wireless_keypad": 24,
    "lamp": 25,
    "tamper_alert": 28,
    "reset_button": 29,
    "privacy_lock": 30,
    "deadlock": 32,
    "cyclic_card_fingerprint": 34,
    "open_direction": 36,
    "key_fob": 41,
    "accessory_battery": 42,
    "volume_language": 43,
    "qr_code": 44,
    "passage_mode_auto_unlock": 46,
    "fingerprint_via_gateway": 47,
    "wireless_door_sensor": 50,
    "door_not_locked_alert": 51,
    "sensitivity": 52,
    "face_3d": 53,
    "cpu_card": 55,
    "wifi": 56,
    "palm_vein": 70,
    "multifunction_keypad": 84,
}

#: Cloud ``recordType`` values the simulator writes itself (research §2.7).
RECORD_TYPE: dict[str, int] = {
    "app_unlock": 1,
    "passcode_unlock": 4,
    "ic_card_unlock": 7,
    "fingerprint_unlock": 8,
    "mechanical_key_unlock": 10,
    "app_lock": 11,
    "gateway_unlock": 12,
    "door_closed": 30,
    "door_open": 31,
    "inside_open": 32,
    "auto_lock": 45,
}

#: Cloud recordType → lock-side recordTypeFromLock where the numbering differs
#: (ble-protocol §5.8 vs cloud-and-peers §2.7). Other values are taken unchanged, which is
#: what the community numbering shows for ≥ 29 [INFERRED].
_LOCK_SIDE_TYPE: dict[int, int] = {1: 1, 4: 4, 7: 17, 8: 20, 9: 19, 10: 27, 11: 26, 12: 28}

DEFAULT_TOKEN_LIFETIME_S = 7_776_000  # 90 days (§1.2)
DEFAULT_REFRESH_LIFETIME_S = 10 * 365 * 86_400  # 10 years (§1.2)
DATE_TOLERANCE_MS = 5 * 60 * 1000  # §1.3
GATEWAY_SIGHTING_WINDOW_MS = 30 * 60 * 1000  # §2.6
_MD5_RE = re.compile(r"^[0-9a-f]{32}$")


def md5_hex(text: str) -> str:
    """Lower-case MD5 hex of a UTF-8 string (what clients send as ``password``)."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def is_md5_hex(value: str) -> bool:
    """True for a 32-character lower-case hex string (§1.2: otherwise 30005)."""
    return bool(_MD5_RE.match(value))


class CloudError(Exception):
    """A TTLock cloud failure: becomes HTTP 200 ``{errcode, errmsg, description}``."""

    def __init__(self, errcode: int, description: str = "", errmsg: str | None = None) -> None:
        self.errcode = errcode
        self.errmsg = errmsg if errmsg is not None else ERRMSG.get(errcode, "error")
        self.description = description or self.errmsg
        super().__init__(f"{errcode}: {self.description}")

    def to_json(self) -> dict[str, Any]:
        return {"errcode": self.errcode, "errmsg": self.errmsg, "description": self.description}


# --- clock ---------------------------------------------------------------------------------


class Clock:
    """Injectable world clock in epoch milliseconds.

    Real time by default. :meth:`freeze` pins it; :meth:`advance` moves it (while running it
    adds to the offset); :meth:`set_skew` shifts the server clock against real time, so a
    client sending its real ``date`` sees errcode 80000 when the skew exceeds 5 minutes.
    """

    def __init__(self, frozen_at_ms: int | None = None) -> None:
        self._frozen_ms = frozen_at_ms
        self.offset_ms = 0

    def now_ms(self) -> int:
        base = self._frozen_ms if self._frozen_ms is not None else time.time_ns() // 1_000_000
        return base + self.offset_ms

    @property
    def frozen(self) -> bool:
        return self._frozen_ms is not None

    def freeze(self, at_ms: int | None = None) -> None:
        """Stop the clock at ``at_ms`` (default: now, offset included)."""
        now = self.now_ms() if at_ms is None else at_ms
        self.offset_ms = 0
        self._frozen_ms = now

    def unfreeze(self) -> None:
        """Run again from the current reading."""
        if self._frozen_ms is None:
            return
        current = self.now_ms()
        self._frozen_ms = None
        self.offset_ms = current - time.time_ns() // 1_000_000

    def advance(self, seconds: float) -> None:
        delta = round(seconds * 1000)
        if self._frozen_ms is not None:
            self._frozen_ms += delta
        else:
            self.offset_ms += delta

    def set_skew(self, seconds: float) -> None:
        """Server clock = real time + ``seconds`` (unfreezes)."""
        self._frozen_ms = None
        self.offset_ms = round(seconds * 1000)


# --- entities ------------------------------------------------------------------------------


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
    """``lockVersion`` object (§2.1 undocumented fields; ble-protocol §3.1 header)."""

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
        """First 32 feature bits (ble-protocol §5.3: ``specialValue`` = W0)."""
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
        """The JSON inside ``lockData`` (ble-protocol §4.5; field order of the SDK's LockData)."""
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


# --- fault injection -----------------------------------------------------------------------


@dataclass
class Fault:
    """A forced API failure for the next ``remaining`` calls of one endpoint."""

    errcode: int
    remaining: int
    errmsg: str | None = None
    description: str | None = None
    http_status: int = 200
    after: bool = False
    """The call is carried out first and only its answer is replaced (a reply lost after
    the gateway or lock applied the change: the client cannot know the outcome)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "errcode": self.errcode,
            "times": self.remaining,
            "errmsg": self.errmsg,
            "description": self.description,
            "httpStatus": self.http_status,
            "after": self.after,
        }


class Faults:
    """Forced failures per endpoint path (``"lock/unlock"``, ``"oauth2/token"``, ``"*"``)."""

    def __init__(self) -> None:
        self._plans: dict[str, deque[Fault]] = {}

    def fail_next(
        self,
        endpoint: str,
        errcode: int = 1,
        times: int = 1,
        *,
        errmsg: str | None = None,
        description: str | None = None,
        http_status: int = 200,
        after: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``endpoint`` fail with ``errcode``.

        ``http_status`` other than 200 makes the call fail at the HTTP level instead
        (body ``{"errcode", "errmsg", "description"}`` with that status). ``after``: the
        call is carried out first and only its answer is replaced (a lost reply).
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        key = endpoint.strip("/").removeprefix("v3/")
        self._plans.setdefault(key, deque()).append(
            Fault(errcode, times, errmsg, description, http_status, after)
        )

    def take(self, endpoint: str) -> Fault | None:
        """Consume one planned failure for ``endpoint`` (or the ``"*"`` wildcard)."""
        for key in (endpoint, "*"):
            queue = self._plans.get(key)
            if not queue:
                continue
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.popleft()
            if not queue:
                del self._plans[key]
            return fault
        return None

    def pending(self) -> dict[str, list[dict[str, Any]]]:
        return {key: [fault.to_json() for fault in queue] for key, queue in self._plans.items()}

    def clear(self, endpoint: str | None = None) -> None:
        if endpoint is None:
            self._plans.clear()
        else:
            self._plans.pop(endpoint.strip("/").removeprefix("v3/"), None)


# --- routing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """How a remote command reaches a lock: through ``gateway`` or directly over Wi-Fi."""

    channel: str
    latency_s: float
    gateway: Gateway | None


# --- the world -----------------------------------------------------------------------------


class World:
    """All simulated state plus the operations the cloud and the fault controls use."""

    def __init__(
        self,
        *,
        seed: str = "ttlock-sim",
        clock: Clock | None = None,
        gateway_latency_s: float = 0.0,
        default_monthly_quota: int | None = None,
    ) -> None:
        self.seed = seed
        self.clock = clock or Clock()
        self.gateway_latency_s = gateway_latency_s
        self.wifi_latency_s: float | None = None  # None: same as gateway_latency_s
        self.default_monthly_quota = default_monthly_quota
        self.token_lifetime_s = DEFAULT_TOKEN_LIFETIME_S
        self.refresh_lifetime_s = DEFAULT_REFRESH_LIFETIME_S
        self.date_tolerance_ms = DATE_TOLERANCE_MS
        self.record_auto_lock = False
        self.battery_drain_per_command = 0
        self.accounts: dict[int, Account] = {}
        self.apps: dict[str, DeveloperApp] = {}
        self.locks: dict[int, Lock] = {}
        self.gateways: dict[int, Gateway] = {}
        self.links: dict[tuple[int, int], GatewayLink] = {}
        self.records: dict[int, list[LockRecord]] = {}
        self.electric_meters: dict[int, ElectricMeter] = {}
        self.water_meters: dict[int, WaterMeter] = {}
        self.tokens: dict[str, Token] = {}
        self._refresh_index: dict[str, Token] = {}
        self.faults = Faults()
        self._busy: set[str] = set()
        self._next_record_id = 1
        self._mac_counter = 0
        self._record_listeners: list[Callable[[LockRecord], None]] = []
        self._next_ids: dict[str, int] = {}
        #: Plain-text passwords of scenario accounts, only for printing demo credentials.
        self.scenario_passwords: dict[str, str] = {}

    # --- time ---------------------------------------------------------------------------
    def now_ms(self) -> int:
        return self.clock.now_ms()

    def month_key(self, at_ms: int | None = None) -> str:
        moment = datetime.fromtimestamp((self.now_ms() if at_ms is None else at_ms) / 1000, UTC)
        return f"{moment.year:04d}-{moment.month:02d}"

    def set_time_skew(self, seconds: float) -> None:
        """Shift the server clock against real time (fault: client ``date`` → 80000)."""
        self.clock.set_skew(seconds)

    # --- accounts and apps ----------------------------------------------------------------
    def add_account(
        self,
        username: str,
        password: str | None = None,
        *,
        password_md5: str | None = None,
        region: str = "eu",
        uid: int | None = None,
        nickname: str = "",
    ) -> Account:
        if self.account_by_username(username) is not None:
            raise ValueError(f"account {username!r} exists")
        if password_md5 is None:
            if password is None:
                raise ValueError("password or password_md5 required")
            password_md5 = md5_hex(password)
        if uid is None:
            uid = max(self.accounts, default=8_000_000) + 1
        account = Account(uid, username, password_md5.lower(), region, nickname or username)
        self.accounts[uid] = account
        return account

    def account_by_username(self, username: str) -> Account | None:
        wanted = username.strip().lower()
        for account in self.accounts.values():
            if account.username.lower() == wanted:
                return account
        return None

    def _account(self, username: str) -> Account:
        account = self.account_by_username(username)
        if account is None:
            raise KeyError(f"no account {username!r}")
        return account

    def add_app(
        self,
        client_id: str,
        client_secret: str,
        *,
        region: str = "eu",
        callback_url: str | None = None,
        monthly_quota: int | None = None,
    ) -> DeveloperApp:
        app = DeveloperApp(
            client_id,
            client_secret,
            region,
            callback_url,
            monthly_quota if monthly_quota is not None else self.default_monthly_quota,
        )
        self.apps[client_id] = app
        return app

    # --- tokens (§1.2) -------------------------------------------------------------------
    def login(self, app: DeveloperApp, username: str, password_md5: str, region: str) -> Token:
        """Password grant; raises 30005 / 10007 / 30008."""
        if not is_md5_hex(password_md5):
            raise CloudError(30005, "password must be the 32-character lower-case MD5 hex")
        account = self.account_by_username(username)
        if account is None:
            raise CloudError(10007, "unknown account or wrong password")
        if account.region != region:
            raise CloudError(
                30008,
                f"this account belongs to the {account.region} region; "
                f"use the {account.region} API host",
            )
        if account.password_md5 != password_md5:
            raise CloudError(10007, "unknown account or wrong password")
        return self.issue_token(account.uid, app.client_id)

    def issue_token(self, uid: int, client_id: str) -> Token:
        now = self.now_ms()
        token = Token(
            access_token=secrets.token_hex(16),
            refresh_token=secrets.token_hex(16),
            uid=uid,
            client_id=client_id,
            issued_ms=now,
            expires_in=self.token_lifetime_s,
            refresh_expires_ms=now + self.refresh_lifetime_s * 1000,
        )
        self.tokens[token.access_token] = token
        self._refresh_index[token.refresh_token] = token
        return token

    def refresh(self, app: DeveloperApp, refresh_token: str) -> Token:
        """Refresh grant; the old refresh token is spent (10011 afterwards)."""
        old = self._refresh_index.get(refresh_token)
        if (
            old is None
            or old.client_id != app.client_id
            or old.revoked
            or old.refresh_spent
            or self.now_ms() > old.refresh_expires_ms
        ):
            raise CloudError(10011, "the refresh_token is invalid, spent, revoked or expired")
        old.refresh_spent = True
        return self.issue_token(old.uid, app.client_id)

    def authenticate(self, access_token: str | None, client_id: str) -> Token:
        """Check an access token: 10003 missing, 10004 unknown/expired/revoked/other app."""
        if not access_token:
            raise CloudError(10003, "accessToken is required")
        token = self.tokens.get(access_token)
        if token is None:
            raise CloudError(10004, "the access token is invalid")
        if token.client_id != client_id:
            raise CloudError(10004, "the access token was issued to another client")
        if token.revoked:
            raise CloudError(10004, "the access token has been revoked")
        if self.now_ms() >= token.expires_ms:
            raise CloudError(10004, "the access token has expired")
        return token

    def _tokens_of(self, username: str | None, client_id: str | None) -> list[Token]:
        uid = self._account(username).uid if username is not None else None
        return [
            token
            for token in self.tokens.values()
            if (uid is None or token.uid == uid)
            and (client_id is None or token.client_id == client_id)
        ]

    def revoke_tokens(self, username: str | None = None, client_id: str | None = None) -> int:
        """Revoke access and refresh tokens (→ 10004 on use, 10011 on refresh)."""
        tokens = self._tokens_of(username, client_id)
        for token in tokens:
            token.revoked = True
        return len(tokens)

    def expire_tokens(self, username: str | None = None, client_id: str | None = None) -> int:
        """Expire access tokens now (→ 10004); their refresh tokens stay usable."""
        tokens = self._tokens_of(username, client_id)
        now = self.now_ms()
        for token in tokens:
            token.issued_ms = min(token.issued_ms, now - token.expires_in * 1000)
        return len(tokens)

    def change_password(self, username: str, new_password: str) -> None:
        """Change an account password (reauth scenario) and revoke all its tokens."""
        account = self._account(username)
        account.password_md5 = md5_hex(new_password)
        self.revoke_tokens(username)

    # --- API accounting (§3.1) --------------------------------------------------------
    def count_call(self, app: DeveloperApp) -> None:
        """Count one API call for ``app``; raises 30007 (monthly quota) / 30006 (rate)."""
        month = self.month_key()
        used = app.usage.get(month, 0)
        if app.monthly_quota is not None and used >= app.monthly_quota:
            raise CloudError(
                30007,
                f"monthly API call limit of {app.monthly_quota} reached; "
                "upgrade your developer account",
            )
        if app.rate_limit is not None:
            now = self.now_ms()
            window_ms = round(app.rate_window_s * 1000)
            while app.recent_calls and app.recent_calls[0] <= now - window_ms:
                app.recent_calls.popleft()
            if len(app.recent_calls) >= app.rate_limit:
                raise CloudError(
                    30006,
                    f"more than {app.rate_limit} calls in {app.rate_window_s:g} s",
                )
            app.recent_calls.append(now)
        app.usage[month] = used + 1

    def usage(self, client_id: str, month: str | None = None) -> int:
        return self.apps[client_id].usage.get(month or self.month_key(), 0)

    def set_quota(self, client_id: str, quota: int | None) -> None:
        self.apps[client_id].monthly_quota = quota

    def set_usage(self, client_id: str, calls: int, month: str | None = None) -> None:
        self.apps[client_id].usage[month or self.month_key()] = calls

    def set_rate_limit(self, client_id: str, calls: int | None, window_s: float = 1.0) -> None:
        app = self.apps[client_id]
        app.rate_limit = calls
        app.rate_window_s = window_s
        app.recent_calls.clear()

    # --- locks -------------------------------------------------------------------------
    def next_mac(self, *, first_octet_mask: int = 0xC0) -> str:
        """A fresh deterministic random-static-looking MAC for runtime additions."""
        while True:
            self._mac_counter += 1
            digest = hashlib.sha256(f"{self.seed}|mac|{self._mac_counter}".encode()).digest()
            raw = bytes([digest[0] | first_octet_mask]) + digest[1:6]
            mac = ":".join(f"{byte:02X}" for byte in raw)
            if all(lock.lock_mac != mac for lock in self.locks.values()):
                return mac

    def add_lock(
        self,
        *,
        lock_alias: str,
        admin: str | int,
        features: Iterable[int],
        lock_id: int | None = None,
        lock_mac: str | None = None,
        lock_name: str | None = None,
        model_prefix: str = "S31",
        init_date: int | None = None,
        gateways: Iterable[tuple[int, int]] = (),
        **attributes: Any,
    ) -> Lock:
        """Create a lock owned (top admin) by ``admin`` (username or uid).

        ``gateways`` lists ``(gatewayId, rssi)`` sightings. Other keyword arguments set
        :class:`Lock` fields (``electric_quantity``, ``door_sensor``, ``lock_version`` …).
        Key material is derived from the world seed and the MAC.
        """
        admin_uid = admin if isinstance(admin, int) else self._account(admin).uid
        if lock_id is None:
            lock_id = max(self.locks, default=5_000_000) + 1
        if lock_id in self.locks:
            raise ValueError(f"lock {lock_id} exists")
        mac = (lock_mac or self.next_mac()).upper()
        if init_date is None:
            init_date = self.now_ms()
        init_year = datetime.fromtimestamp(init_date / 1000, UTC).year
        keys = derive_key_material(self.seed, mac, init_date, init_year)
        if lock_name is None:
            tail = "".join(reversed(mac.split(":")[3:])).lower()
            lock_name = f"{model_prefix}_{tail}"
        attributes.setdefault("bind_date", init_date)
        attributes.setdefault("lock_update_date", init_date)
        attributes.setdefault("electric_quantity_update_date", init_date)
        lock = Lock(
            lock_id=lock_id,
            lock_mac=mac,
            lock_alias=lock_alias,
            admin_uid=admin_uid,
            keys=keys,
            lock_name=lock_name,
            features=frozenset(features),
            init_date=init_date,
            **attributes,
        )
        lock.refresh_lock_data()  # the snapshot the app uploads at pairing
        self.locks[lock_id] = lock
        self.records.setdefault(lock_id, [])
        for gateway_id, rssi in gateways:
            self.link(gateway_id, lock_id, rssi)
        return lock

    def remove_lock(self, lock_id: int) -> Lock:
        lock = self.locks.pop(lock_id)
        self.records.pop(lock_id, None)
        for key in [key for key in self.links if key[1] == lock_id]:
            del self.links[key]
        return lock

    def lock(self, lock_id: int) -> Lock:
        """Lock by id; raises -1003 when unknown."""
        lock = self.locks.get(lock_id)
        if lock is None:
            raise CloudError(-1003, f"lock {lock_id} does not exist")
        return lock

    def locks_of(self, uid: int, lock_type: int = 1) -> list[Lock]:
        return [
            lock
            for lock in self.locks.values()
            if lock.admin_uid == uid and lock.lock_type == lock_type
        ]

    def refresh_state(self, lock: Lock) -> Lock:
        """Apply a lazily due auto-lock (auto-lock time elapsed, passage mode off)."""
        if (
            lock.state == 1
            and lock.auto_lock_time > 0
            and lock.passage_mode != 1
            and lock.unlocked_at_ms is not None
            and not (lock.door_sensor and lock.door_open)
        ):
            due = lock.unlocked_at_ms + lock.auto_lock_time * 1000
            if self.now_ms() >= due:
                lock.state = 0
                lock.unlocked_at_ms = None
                if self.record_auto_lock:
                    self.add_record(lock.lock_id, RECORD_TYPE["auto_lock"], lock_date=due)
        return lock

    def set_lock_state(self, lock_id: int, state: int) -> None:
        lock = self.lock(lock_id)
        lock.state = state
        lock.unlocked_at_ms = self.now_ms() if state == 1 else None

    def set_door(self, lock_id: int, open_: bool, *, record: bool = True) -> None:
        """Open/close the door (door sensor); writes record 31/30 when ``record``."""
        lock = self.lock(lock_id)
        lock.door_sensor = True
        if lock.door_open == open_:
            return
        lock.door_open = open_
        if not open_ and lock.unlocked_at_ms is not None:
            lock.unlocked_at_ms = self.now_ms()  # auto-lock counts from the door closing
        if record:
            self.add_record(
                lock_id, RECORD_TYPE["door_open"] if open_ else RECORD_TYPE["door_closed"]
            )

    def set_battery(self, lock_id: int, percent: int) -> None:
        lock = self.lock(lock_id)
        lock.electric_quantity = max(0, min(100, percent))
        lock.electric_quantity_update_date = self.now_ms()

    def set_remote_unlock(self, lock_id: int, enabled: bool) -> None:
        """Remote-unlock switch of the TTLock app (off → -4043 on lock/unlock)."""
        self.lock(lock_id).remote_unlock = enabled

    def set_wifi_online(self, lock_id: int, online: bool) -> None:
        """Network state of a Wi-Fi lock (offline → -3036)."""
        self.lock(lock_id).wifi_online = online

    # --- gateways ---------------------------------------------------------------------
    def add_gateway(
        self,
        *,
        gateway_name: str,
        owner: str | int,
        gateway_id: int | None = None,
        gateway_mac: str | None = None,
        **attributes: Any,
    ) -> Gateway:
        owner_uid = owner if isinstance(owner, int) else self._account(owner).uid
        if gateway_id is None:
            gateway_id = max(self.gateways, default=300_000) + 1
        if gateway_id in self.gateways:
            raise ValueError(f"gateway {gateway_id} exists")
        attributes.setdefault("init_date", self.now_ms())
        gateway = Gateway(
            gateway_id=gateway_id,
            gateway_mac=(gateway_mac or self.next_mac(first_octet_mask=0)).upper(),
            gateway_name=gateway_name,
            owner_uid=owner_uid,
            **attributes,
        )
        self.gateways[gateway_id] = gateway
        return gateway

    def remove_gateway(self, gateway_id: int) -> Gateway:
        gateway = self.gateways.pop(gateway_id)
        for key in [key for key in self.links if key[0] == gateway_id]:
            del self.links[key]
        return gateway

    def gateway(self, gateway_id: int) -> Gateway:
        gateway = self.gateways.get(gateway_id)
        if gateway is None:
            raise CloudError(-4037, f"gateway {gateway_id} does not exist")
        return gateway

    def link(self, gateway_id: int, lock_id: int, rssi: int, *, in_range: bool = True) -> None:
        """Let a gateway see a lock with ``rssi`` (dBm)."""
        if gateway_id not in self.gateways:
            raise KeyError(f"no gateway {gateway_id}")
        self.links[(gateway_id, lock_id)] = GatewayLink(
            gateway_id, lock_id, rssi, in_range, self.now_ms()
        )

    def set_gateway_online(self, gateway_id: int, online: bool) -> None:
        """Gateway online/offline (offline → -3002 for locks it alone serves)."""
        gateway = self.gateways[gateway_id]
        if online and not gateway.is_online:
            now = self.now_ms()
            for link in self.links.values():
                if link.gateway_id == gateway_id and link.in_range:
                    link.updated_ms = now
        gateway.is_online = online

    def set_lock_in_range(
        self, lock_id: int, gateway_id: int, in_range: bool, rssi: int | None = None
    ) -> None:
        """Move a lock into / out of a gateway's radio range (creating the link if needed)."""
        self.lock(lock_id)
        link = self.links.get((gateway_id, lock_id))
        if link is None:
            self.link(gateway_id, lock_id, rssi if rssi is not None else -70, in_range=in_range)
            return
        link.in_range = in_range
        if rssi is not None:
            link.rssi = rssi
        if in_range:
            link.updated_ms = self.now_ms()

    def set_gateway_latency(self, seconds: float, gateway_id: int | None = None) -> None:
        """Command latency of one gateway, or the default for all gateways."""
        if gateway_id is None:
            self.gateway_latency_s = seconds
        else:
            self.gateways[gateway_id].latency_s = seconds

    def _touch_links(self) -> None:
        """Online gateways keep re-reporting the locks in range (rssiUpdateDate)."""
        now = self.now_ms()
        for link in self.links.values():
            gateway = self.gateways.get(link.gateway_id)
            if gateway is not None and gateway.is_online and link.in_range:
                link.updated_ms = now

    def sightings(self, lock_id: int) -> list[tuple[Gateway, GatewayLink]]:
        """Gateways that saw the lock in the last 30 minutes, best RSSI first (§2.6)."""
        self._touch_links()
        horizon = self.now_ms() - GATEWAY_SIGHTING_WINDOW_MS
        found = [
            (self.gateways[link.gateway_id], link)
            for link in self.links.values()
            if link.lock_id == lock_id
            and link.gateway_id in self.gateways
            and link.updated_ms >= horizon
        ]
        found.sort(key=lambda pair: pair[1].rssi, reverse=True)
        return found

    def has_gateway(self, lock: Lock) -> bool:
        """lock/list ``hasGateway``: some gateway currently has the lock in range."""
        return any(
            link.lock_id == lock.lock_id and link.in_range and link.gateway_id in self.gateways
            for link in self.links.values()
        )

    def gateways_of(self, uid: int) -> list[Gateway]:
        return [gateway for gateway in self.gateways.values() if gateway.owner_uid == uid]

    def gateway_lock_count(self, gateway_id: int) -> int:
        return sum(
            1
            for link in self.links.values()
            if link.gateway_id == gateway_id and link.in_range and link.lock_id in self.locks
        )

    # --- remote commands (§2.1 "goes to the lock via gateway", §2.6, §3.1) ------------
    def route(self, lock: Lock) -> Route:
        """Pick the path of a remote command or raise -3036 / -2012 / -3002."""
        if lock.is_wifi:
            if not lock.wifi_online:
                raise CloudError(-3036, f"the Wi-Fi lock {lock.lock_id} is offline")
            latency = self.wifi_latency_s
            return Route(
                f"lock:{lock.lock_id}",
                self.gateway_latency_s if latency is None else latency,
                None,
            )
        candidates = [
            (self.gateways[link.gateway_id], link)
            for link in self.links.values()
            if link.lock_id == lock.lock_id and link.in_range and link.gateway_id in self.gateways
        ]
        if not candidates:
            raise CloudError(-2012, f"lock {lock.lock_id} is not connected to any gateway")
        online = [pair for pair in candidates if pair[0].is_online]
        if not online:
            raise CloudError(-3002, "every gateway that reaches this lock is offline")
        gateway, _link = max(online, key=lambda pair: pair[1].rssi)
        latency = gateway.latency_s if gateway.latency_s is not None else self.gateway_latency_s
        return Route(f"gateway:{gateway.gateway_id}", latency, gateway)

    @asynccontextmanager
    async def occupy(self, route: Route) -> AsyncIterator[Route]:
        """Hold the gateway (or Wi-Fi lock) for one command: a second one gets -3003/-3037."""
        if route.channel in self._busy:
            if route.gateway is not None:
                raise CloudError(-3003, "the gateway is busy with another command")
            raise CloudError(-3037, "the lock is busy with another command")
        self._busy.add(route.channel)
        try:
            if route.latency_s > 0:
                await asyncio.sleep(route.latency_s)
            yield route
        finally:
            self._busy.discard(route.channel)

    def _after_remote(self, lock: Lock) -> None:
        """Every reply from the lock reports its battery (ble-protocol §5.4)."""
        if self.battery_drain_per_command:
            lock.electric_quantity = max(0, lock.electric_quantity - self.battery_drain_per_command)
        lock.electric_quantity_update_date = self.now_ms()

    def remote_unlock(self, lock: Lock, account: Account) -> LockRecord:
        """Effect of a successful ``lock/unlock``: unlocked + record 12 (lock side 28)."""
        self._after_remote(lock)
        lock.state = 1
        lock.unlocked_at_ms = self.now_ms()
        return self.add_record(
            lock.lock_id, RECORD_TYPE["gateway_unlock"], username=account.username, uid=account.uid
        )

    def remote_lock(self, lock: Lock, account: Account) -> LockRecord:
        """Effect of a successful ``lock/lock``: locked + record 11 (lock side 26)."""
        self._after_remote(lock)
        lock.state = 0
        lock.unlocked_at_ms = None
        return self.add_record(
            lock.lock_id, RECORD_TYPE["app_lock"], username=account.username, uid=account.uid
        )

    def remote_query_state(self, lock: Lock) -> dict[str, int]:
        self._after_remote(lock)
        self.refresh_state(lock)
        result = {"state": lock.state}
        if lock.door_sensor:
            result["sensorState"] = 0 if lock.door_open else 1
        return result

    def remote_query_battery(self, lock: Lock) -> int:
        self._after_remote(lock)
        return lock.electric_quantity

    # --- credentials on the lock (simulator.credentials) ---------------------------------
    def next_id(self, kind: str, start: int) -> int:
        """A fresh id of one kind (``"passcode"``, ``"card"`` …), never reused."""
        value = self._next_ids.get(kind, start) + 1
        self._next_ids[kind] = value
        return value

    def enter_code(self, lock_id: int, digits: str) -> Any:
        """Type ``digits`` on the lock's keypad; see :func:`simulator.credentials.enter_code`."""
        from .credentials import enter_code

        return enter_code(self, lock_id, digits)

    def present_card(self, lock_id: int, number: str | int) -> Any:
        """Hold an IC card to the lock; see :func:`simulator.credentials.present_card`."""
        from .credentials import present_card

        return present_card(self, lock_id, number)

    def present_fingerprint(self, lock_id: int, number: str | int) -> Any:
        """Touch the reader; see :func:`simulator.credentials.present_fingerprint`."""
        from .credentials import present_fingerprint

        return present_fingerprint(self, lock_id, number)

    # --- records (§2.7) ------------------------------------------------------------------
    def add_record(
        self,
        lock_id: int,
        record_type: int,
        *,
        record_type_from_lock: int | None = None,
        username: str = "",
        keyboard_pwd: str = "",
        success: int = 1,
        lock_date: int | None = None,
        server_date: int | None = None,
        uid: int | None = None,
    ) -> LockRecord:
        """Append a record to a lock's history and tell the record listeners."""
        lock = self.lock(lock_id)
        now = self.now_ms()
        record = LockRecord(
            record_id=self._next_record_id,
            lock_id=lock_id,
            record_type=record_type,
            record_type_from_lock=(
                record_type_from_lock
                if record_type_from_lock is not None
                else _LOCK_SIDE_TYPE.get(record_type, record_type)
            ),
            success=success,
            username=username,
            keyboard_pwd=keyboard_pwd,
            lock_date=lock_date if lock_date is not None else now,
            server_date=server_date if server_date is not None else max(now, lock_date or 0),
            electric_quantity=lock.electric_quantity,
            uid=uid,
        )
        self._next_record_id += 1
        self.records.setdefault(lock_id, []).append(record)
        for listener in list(self._record_listeners):
            listener(record)
        return record

    def on_record(self, listener: Callable[[LockRecord], None]) -> Callable[[], None]:
        """Subscribe to new records (for the webhook pusher); returns an unsubscribe."""
        self._record_listeners.append(listener)
        return lambda: self._record_listeners.remove(listener)

    # --- meters ---------------------------------------------------------------------------
    def add_electric_meter(self, meter: ElectricMeter) -> ElectricMeter:
        self.electric_meters[meter.electric_meter_id] = meter
        return meter

    def add_water_meter(self, meter: WaterMeter) -> WaterMeter:
        self.water_meters[meter.water_meter_id] = meter
        return meter

    @property
    def lifts(self) -> list[Lock]:
        return [lock for lock in self.locks.values() if lock.lock_type == 2]

    # --- summaries ------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """A secret-free JSON view for ``GET /sim/state``."""
        return {
            "now": self.now_ms(),
            "clockFrozen": self.clock.frozen,
            "gatewayLatencySeconds": self.gateway_latency_s,
            "accounts": [
                {"uid": a.uid, "username": a.username, "region": a.region}
                for a in self.accounts.values()
            ],
            "apps": [
                {
                    "clientId": app.client_id,
                    "region": app.region,
                    "monthlyQuota": app.monthly_quota,
                    "usage": app.usage.get(self.month_key(), 0),
                    "rateLimit": app.rate_limit,
                    "callbackUrl": app.callback_url,
                }
                for app in self.apps.values()
            ],
            "locks": [
                {
                    "lockId": lock.lock_id,
                    "lockAlias": lock.lock_alias,
                    "lockMac": lock.lock_mac,
                    "type": lock.lock_type,
                    "adminUid": lock.admin_uid,
                    "state": self.refresh_state(lock).state,
                    "doorSensor": lock.door_sensor,
                    "doorOpen": lock.door_open,
                    "electricQuantity": lock.electric_quantity,
                    "remoteUnlock": lock.remote_unlock,
                    "wifi": lock.is_wifi,
                    "wifiOnline": lock.wifi_online if lock.is_wifi else None,
                    "records": len(self.records.get(lock.lock_id, [])),
                }
                for lock in self.locks.values()
            ],
            "gateways": [
                {
                    "gatewayId": gateway.gateway_id,
                    "gatewayName": gateway.gateway_name,
                    "isOnline": gateway.is_online,
                    "latencySeconds": gateway.latency_s,
                    "busy": f"gateway:{gateway.gateway_id}" in self._busy,
                    "locks": [
                        {"lockId": link.lock_id, "rssi": link.rssi, "inRange": link.in_range}
                        for link in self.links.values()
                        if link.gateway_id == gateway.gateway_id
                    ],
                }
                for gateway in self.gateways.values()
            ],
            "electricMeters": [m.electric_meter_id for m in self.electric_meters.values()],
            "waterMeters": [m.water_meter_id for m in self.water_meters.values()],
            "faults": self.faults.pending(),
        }
