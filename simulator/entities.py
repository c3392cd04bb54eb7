"""What the simulated cloud knows about: accounts, developer apps, tokens, locks, gateways,
records, standalone door sensors and meters (§ numbers refer to ``docs/cloud.md``; lock
fields §2.1, door sensors §2.4 / §2.9, gateways §2.6, records §2.7, lifts §2.8; meters are in
``docs/meters.md``).

Plain data: the operations on them are :class:`~simulator.world.World`'s. A lock's
credential collections hold the cloud's records (:mod:`simulator.credentials`); what the lock
itself holds is its memory (:mod:`simulator.lockside`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .codes import FEATURE
from .lockdata import KeyMaterial, encode_lock_data, feature_value_hex

__all__ = [
    "Account",
    "DeveloperApp",
    "DoorSensor",
    "ElectricMeter",
    "Gateway",
    "GatewayLink",
    "LiftActivation",
    "Lock",
    "LockRecord",
    "LockRefusal",
    "LockVersion",
    "Meter",
    "MeterReading",
    "PassagePeriod",
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


@dataclass(frozen=True)
class PassagePeriod:
    """One passage-mode period (``cyclicConfig`` item, ``docs/lock-settings.md`` §4): all
    day, or ``start_minute``–``end_minute`` of the day, on ISO weekdays (1 Monday … 7 Sunday)."""

    all_day: bool
    start_minute: int
    end_minute: int
    weekdays: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        """The documented ``cyclicConfig`` item; an all-day period reports 0–0 [INFERRED]."""
        return {
            "isAllDay": 1 if self.all_day else 2,
            "startTime": 0 if self.all_day else self.start_minute,
            "endTime": 0 if self.all_day else self.end_minute,
            "weekDays": list(self.weekdays),
        }


@dataclass(frozen=True)
class LiftActivation:
    """Floors a lift controller opened for one ride (``0x47`` with floors, ``docs/ble.md``
    §9.3), at ``at_ms`` by the controller's clock (epoch ms)."""

    floors: tuple[int, ...]
    at_ms: int


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
    # lock settings of docs/lock-settings.md (the cloud's settings endpoints change these)
    passage_periods: list[PassagePeriod] = field(default_factory=list)
    door_not_closed_warning_time: int = 0  # seconds, 0 off (updateSetting type 11)
    clock_drift_ms: int = 0  # the lock's clock minus the true time (lock/queryDate, updateDate)
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
    door_sensor_id: int = 0  # doorSensor/query; 0: derived from the lock id
    door_sensor_name: str = "Door sensor"
    door_sensor_battery: int = 100
    door_sensor_version: str = "1.0.0.210903"
    remote_unlock: bool = True
    wifi_online: bool = True
    wifi_network_name: str = ""
    wifi_rssi_grade: int = 3
    wifi_power_saving_mode: int = 0
    lift_floors: list[int] = field(default_factory=list)  # the floors a lift controller serves
    # lift controller (docs/ble.md §9.3, written over Bluetooth only: no cloud endpoint)
    lift_card_floors: list[int] | None = None  # 0x64 type 5: floors that need a card; None: all
    lift_work_mode: int | None = None  # 0x64 type 6: 1 all floors free / 2 card required
    lift_activations: list[LiftActivation] = field(default_factory=list)
    # a TTHotel lock's (or lift's) place: 0x64 type 3, hotel number (3 bytes) / building /
    # floor (docs/ble.md §9.3; Bluetooth only). None: never configured
    hotel_number: int | None = None
    hotel_building: int | None = None
    hotel_floor: int | None = None
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
    def card_floors(self) -> list[int]:
        """A lift's floors that need a card (all its floors until someone says otherwise)."""
        return list(self.lift_floors if self.lift_card_floors is None else self.lift_card_floors)

    @property
    def power_on(self) -> bool:
        """A power saver's supply: ``lock/unlock`` switches it on, ``lock/lock`` off (§2.8)."""
        return self.state == 1

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


@dataclass(frozen=True)
class LockRefusal:
    """A change a Wi-Fi lock refused after the cloud had accepted it (§2.9 notifyType 4).

    At ``due_ms`` the cloud hears of it: it puts its record of the object back as it was
    (``before``; None: there was none, the refused change was an add) and sends the callback.
    """

    due_ms: int
    lock_id: int
    uid: int
    """The account whose request it was (the callback's ``uid``)."""
    object_type: int
    """2 passcode, 3 IC card, 4 fingerprint, 6 face (5 palm vein, 7 remote: not simulated)."""
    object_id: int
    errcode: int
    collection: str
    """The lock's list of that kind in the cloud: ``"passcodes"``, ``"cards"`` …"""
    before: Any = field(default=None, repr=False)


@dataclass
class DoorSensor:
    """A standalone door sensor (DS3, §2.4 / §2.9 notifyType 7): on its own Wi-Fi, bound to
    no lock, owned by one account. It reports every open and close (``recordType`` 1 / 0)
    and, when set up (``standaloneDoorSensor/configAlertFlag``), an alarm when the door stays
    open ``not_closed_alert_s`` seconds (2) or stays shut ``not_opened_alert_days`` days (3)."""

    door_sensor_id: int
    mac: str
    name: str
    owner_uid: int
    wifi_name: str = ""
    electric_quantity: int = 100
    firmware_revision: str = "1.0.06.251112"
    is_open: bool = False
    not_closed_alert_s: int | None = None
    """``notCloseAlertSecondNum`` (1–900) while ``notCloseAlertFlag`` is on; None: off."""
    not_opened_alert_days: int | None = None
    """``longTimeNotOpenDayNum`` (1–15) while ``longTimeNotOpenAlertFlag`` is on; None: off."""
    changed_ms: int = 0
    """When the door last opened or closed (world ms)."""
    alarm_due_ms: int | None = None
    """When the alarm armed at the last open / close goes off (2 while open, 3 while shut)."""


@dataclass(frozen=True)
class MeterReading:
    """What a meter reported: its totals and relay/valve state at ``date_ms``.

    The cloud keeps the last one (``list`` / ``detail`` answer from it, ``docs/meters.md``
    §3); :meth:`~simulator.world.World.meter_state` builds one from the true state.
    """

    total: float
    remainder: float
    on_off: int  # 0 off / 1 on / 2 unknown (never read)
    date_ms: int


#: "The cloud has no reading yet": ``onOff`` 2 unknown, no reading time.
NO_READING = MeterReading(0.0, 0.0, 2, 0)


@dataclass(kw_only=True)
class Meter:
    """A TTRenting meter (``docs/meters.md``): the meter itself and the cloud's view of it.

    Quantities are in the meter's unit (kWh or m³). ``total`` / ``remainder`` / ``on_off``
    are the meter's true state, which the world advances lazily
    (:meth:`~simulator.world.World.refresh_meter`); ``reading`` is what the meter last
    reported to the cloud. ``pay_mode``, ``price`` and ``name`` are settings the cloud holds.
    """

    kind: ClassVar[str]
    label: ClassVar[str]

    meter_id: int
    name: str
    number: str
    mac: str
    owner_uid: int
    gateway_id: int | None = None  # the gateway (same account) that relays it to the cloud
    online: bool = True  # the meter is powered and on the air
    rssi: int = -60
    pay_mode: int = 0  # 0 metering / 1 prepaid
    price: float = 0.0  # money per unit, 0 = no price set
    feature_value: str = "00000000"
    model_num: str = ""
    hardware_revision: str = "1.0"
    firmware_revision: str = "1.0.0"
    group_id: int = 0
    group_name: str = ""
    # true state
    total: float = 0.0
    remainder: float = 0.0  # prepaid units left (prepaid mode only)
    on_off: int = 1  # relay / valve: 0 off, 1 on
    cut_for_balance: bool = False  # switched off by the meter itself at a zero balance
    history_days: int = 0  # days of use the cloud already has on record when the meter is added
    # bookkeeping of the world
    reading: MeterReading = field(default=NO_READING, init=False)
    consumed_until_ms: int = field(default=0, init=False)
    report_anchor_ms: int = field(default=0, init=False)  # hourly reports count from here
    heard_ms: int = field(default=0, init=False)  # last time its gateway heard it
    # usage records (``listRecords``): units used per hour, by the hour's start (epoch ms).
    # ``usage`` is what the cloud has on record (up to the last reading), ``unreported`` what
    # the meter used since; ``records_since_ms`` is where the records begin
    usage: dict[int, float] = field(default_factory=dict, init=False)
    unreported: dict[int, float] = field(default_factory=dict, init=False)
    records_since_ms: int = field(default=0, init=False)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """A meter saved before usage records were kept loads with none."""
        defaults = {"history_days": 0, "usage": {}, "unreported": {}}
        self.__dict__.update(
            {**defaults, "records_since_ms": state.get("report_anchor_ms", 0), **state}
        )

    @property
    def units_per_hour(self) -> float:
        """Consumption while the supply is on, in units per hour."""
        raise NotImplementedError


@dataclass(kw_only=True)
class ElectricMeter(Meter):
    """An electricity meter: kWh, a relay; draws ``load_w`` watts while the relay is on."""

    kind: ClassVar[str] = "electric"
    label: ClassVar[str] = "electricity meter"

    model_num: str = "EM-1"
    load_w: float = 500.0
    max_power: int = 0  # detail ``maxPower``; unit undocumented

    @property
    def units_per_hour(self) -> float:
        return self.load_w / 1000.0

    @property
    def electric_meter_id(self) -> int:
        return self.meter_id


@dataclass(kw_only=True)
class WaterMeter(Meter):
    """A water meter: m³, a valve; lets ``flow_lph`` litres an hour through while open."""

    kind: ClassVar[str] = "water"
    label: ClassVar[str] = "water meter"

    model_num: str = "WM-1"
    flow_lph: float = 10.0
    electric_quantity: int = 100  # battery %

    @property
    def units_per_hour(self) -> float:
        return self.flow_lph / 1000.0

    @property
    def water_meter_id(self) -> int:
        return self.meter_id
