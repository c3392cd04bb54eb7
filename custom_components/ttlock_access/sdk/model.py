"""Data model shared by the cloud client and the Bluetooth protocol.

Secrets (``lock_data``, tokens, passcodes) are excluded from ``repr`` so that logging an object
never prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class Feature(IntEnum):
    """Bits of a lock's ``featureValue`` (docs/cloud.md §2.1)."""

    PASSCODE = 0
    IC_CARD = 1
    FINGERPRINT = 2
    AUTO_LOCK = 4
    REMOTE_LOCK = 8
    GATEWAY_UNLOCK = 10
    CYCLIC_PASSCODE = 12
    DOOR_SENSOR = 13
    REMOTE_UNLOCK_SWITCH = 14
    VOICE_PROMPT = 15
    SUPER_PASSCODE = 18
    HOTEL_LOCK = 19
    """A TTHotel lock: hotel card, and a hotel number, building and floor (docs/ble.md §9.3)."""
    PASSAGE_MODE = 22
    WIRELESS_KEYPAD = 24
    TAMPER_ALERT = 28
    RESET_BUTTON = 29
    PRIVACY_LOCK = 30
    DEADLOCK = 32
    CYCLIC_CARD_FINGERPRINT = 34
    OPEN_DIRECTION = 36
    KEY_FOB = 41
    ACCESSORY_BATTERY = 42
    VOLUME_LANGUAGE = 43
    QR_CODE = 44
    PASSAGE_AUTO_UNLOCK = 46
    FINGERPRINT_VIA_GATEWAY = 47
    WIRELESS_DOOR_SENSOR = 50
    DOOR_NOT_LOCKED_ALERT = 51
    FACE = 53
    WIFI = 56
    PALM_VEIN = 70
    MULTI_FUNCTION_KEYPAD = 84


@dataclass(frozen=True, slots=True)
class FeatureSet:
    """A lock's feature bitmask (``featureValue`` is upper-case hex of a big integer)."""

    value: int = 0

    @classmethod
    def from_hex(cls, text: str | None) -> FeatureSet:
        """Parse ``featureValue``; empty or malformed values mean no features."""
        try:
            return cls(int(text or "0", 16))
        except ValueError:
            return cls(0)

    def has(self, feature: Feature) -> bool:
        """Whether the lock advertises ``feature``."""
        return bool(self.value >> int(feature) & 1)

    def names(self) -> list[str]:
        """Names of the known features present, for diagnostics."""
        return [f.name.lower() for f in Feature if self.has(f)]


class OpenState(IntEnum):
    """``lock/queryOpenState`` state."""

    LOCKED = 0
    UNLOCKED = 1
    UNKNOWN = 2


class DoorState(StrEnum):
    """State of a door sensor (each source encodes it differently; parsers map to this)."""

    CLOSED = "closed"
    OPEN = "open"


class Region(StrEnum):
    """The two independent TTLock clouds (docs/cloud.md §1.1)."""

    EU = "eu"
    CN = "cn"


@dataclass(frozen=True, slots=True, kw_only=True)
class Tokens:
    """OAuth tokens of one TTLock account."""

    uid: int
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float
    """Epoch seconds when the access token expires."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LockVersion:
    """``lockVersion`` of a lock (protocol generation, needed for Bluetooth)."""

    protocol_type: int = 0
    protocol_version: int = 0
    scene: int = 0
    group_id: int = 0
    org_id: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Lock:
    """One lock of ``lock/list``."""

    lock_id: int
    name: str
    """``lockAlias`` (the name the user gave) or, failing that, ``lockName``."""
    lock_name: str
    mac: str
    battery: int | None
    features: FeatureSet
    has_gateway: bool
    group_id: int | None = None
    group_name: str | None = None
    lock_data: str = field(default="", repr=False)

    @property
    def is_wifi(self) -> bool:
        """A Wi-Fi lock talks to the cloud itself (no gateway)."""
        return self.features.has(Feature.WIFI)

    @property
    def is_remote(self) -> bool:
        """Whether the cloud can reach the lock (gateway or Wi-Fi)."""
        return self.has_gateway or self.is_wifi


@dataclass(frozen=True, slots=True, kw_only=True)
class LockDetail:
    """``lock/detail`` without its secret fields (those stay in ``lock_data``)."""

    lock_id: int
    name: str
    mac: str
    battery: int | None
    features: FeatureSet
    has_gateway: bool
    model_num: str | None = None
    hardware_revision: str | None = None
    firmware_revision: str | None = None
    auto_lock_time: int | None = None
    """Seconds; -1 or 0 means off."""
    lock_sound: int | None = None
    sound_volume: int | None = None
    passage_mode: bool | None = None
    passage_mode_auto_unlock: bool | None = None
    privacy_lock: int | None = None
    tamper_alert: int | None = None
    reset_button: int | None = None
    open_direction: int | None = None
    timezone_raw_offset: int | None = None
    is_frozen: bool | None = None
    lock_version: LockVersion = field(default_factory=LockVersion)


@dataclass(frozen=True, slots=True, kw_only=True)
class LockOpenState:
    """Live state of a lock read through its gateway."""

    state: OpenState
    door: DoorState | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Gateway:
    """One gateway of ``gateway/list``."""

    gateway_id: int
    mac: str
    name: str
    version: int
    """1 G1, 2 G2, 3 G3 wired, 4 G4 4G."""
    network_name: str | None
    network_mac: str | None
    lock_count: int
    is_online: bool

    @property
    def model(self) -> str:
        """Model name from the generation."""
        return {1: "G1", 2: "G2", 3: "G3", 4: "G4"}.get(self.version, f"G{self.version}")


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewaySighting:
    """A gateway that saw a lock recently (``gateway/listByLock``)."""

    gateway_id: int
    mac: str
    name: str
    rssi: int
    rssi_updated_at: int | None
    """Epoch milliseconds."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LockRecord:
    """One lock record (``lockRecord/list`` or a webhook push)."""

    record_id: int | None
    lock_id: int
    record_type: int
    record_type_from_lock: int | None
    success: bool
    username: str
    """App user, or the *name* of the passcode / card / fingerprint used."""
    keyboard_pwd: str = field(default="", repr=False)
    """The code, card number or fingerprint number: a secret."""
    lock_date: int
    """Epoch milliseconds on the lock's clock."""
    server_date: int | None = None
    battery: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Page[T]:
    """One page of a paged list call."""

    items: list[T]
    page_no: int
    page_size: int
    pages: int
    total: int


# --------------------------------------------------------------------------------------------
# Lock settings: updateSetting types, passage mode (docs/lock-settings.md)
# --------------------------------------------------------------------------------------------

SETTING_ON = 1
"""``value`` of an on/off setting: on (open direction: left)."""
SETTING_OFF = 2
"""``value`` of an on/off setting: off (open direction: right)."""


class LockSetting(IntEnum):
    """``type`` of ``lock/updateSetting`` / ``lock/querySetting`` (docs/lock-settings.md §2).

    Values: 1 on / 2 off, open direction 1 left / 2 right, volume 1–5, door-unclosed alarm
    in seconds (0 off). Types 1, 5 and 9 are not documented.
    """

    PRIVACY_LOCK = 2
    TAMPER_ALERT = 3
    RESET_BUTTON = 4
    LOCK_SOUND = 6
    OPEN_DIRECTION = 7
    SOUND_VOLUME = 8
    WIFI_POWER_SAVING = 10
    """Bluetooth only: the cloud cannot change it through a gateway."""
    DOOR_UNCLOSED_ALARM = 11
    """Seconds, 0 = off; needs a door sensor."""

    @property
    def feature(self) -> Feature:
        """The ``featureValue`` bit a lock needs for this setting (else -4043)."""
        return _SETTING_FEATURE[self]

    @property
    def queryable(self) -> bool:
        """Whether ``lock/querySetting`` reads it from the lock (2, 3, 4, 7 only)."""
        return self in _QUERYABLE_SETTINGS

    @property
    def value_range(self) -> tuple[int, int]:
        """The values ``lock/updateSetting`` takes, inclusive."""
        return _SETTING_RANGE.get(self, (SETTING_ON, SETTING_OFF))


_SETTING_FEATURE: dict[LockSetting, Feature] = {
    LockSetting.PRIVACY_LOCK: Feature.PRIVACY_LOCK,
    LockSetting.TAMPER_ALERT: Feature.TAMPER_ALERT,
    LockSetting.RESET_BUTTON: Feature.RESET_BUTTON,
    LockSetting.LOCK_SOUND: Feature.VOICE_PROMPT,
    LockSetting.OPEN_DIRECTION: Feature.OPEN_DIRECTION,
    LockSetting.SOUND_VOLUME: Feature.VOLUME_LANGUAGE,
    LockSetting.WIFI_POWER_SAVING: Feature.WIFI,
    LockSetting.DOOR_UNCLOSED_ALARM: Feature.DOOR_NOT_LOCKED_ALERT,
}
_QUERYABLE_SETTINGS = frozenset(
    {
        LockSetting.PRIVACY_LOCK,
        LockSetting.TAMPER_ALERT,
        LockSetting.RESET_BUTTON,
        LockSetting.OPEN_DIRECTION,
    }
)
_SETTING_RANGE: dict[LockSetting, tuple[int, int]] = {
    LockSetting.SOUND_VOLUME: (1, 5),
    # no documented maximum; 900 s is the DS3 door sensor's (docs/lock-settings.md §2)
    LockSetting.DOOR_UNCLOSED_ALARM: (0, 900),
}

MAX_PASSAGE_PERIODS = 5
"""``cyclicConfig`` of ``lock/configurePassageMode`` holds at most five periods."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PassagePeriod:
    """One passage-mode period: all day, or ``start_minute``–``end_minute`` of the day (lock
    local time), on ISO weekdays 1 Monday … 7 Sunday."""

    all_day: bool
    start_minute: int = 0
    """Minutes after midnight (480 = 08:00); ignored when ``all_day``."""
    end_minute: int = 0
    """Minutes after midnight, at most 1440; after ``start_minute`` unless ``all_day``."""
    weekdays: frozenset[int]

    def __post_init__(self) -> None:
        if not self.weekdays or any(not 1 <= day <= 7 for day in self.weekdays):
            raise ValueError("weekdays must be 1 (Monday) … 7 (Sunday)")
        if not self.all_day and not 0 <= self.start_minute < self.end_minute <= 1440:
            raise ValueError("need 0 <= start_minute < end_minute <= 1440 (or all_day)")

    def to_json(self) -> dict[str, object]:
        """One ``cyclicConfig`` item."""
        return {
            "isAllDay": SETTING_ON if self.all_day else SETTING_OFF,
            "startTime": 0 if self.all_day else self.start_minute,
            "endTime": 0 if self.all_day else self.end_minute,
            "weekDays": sorted(self.weekdays),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class PassageMode:
    """A lock's passage-mode configuration (``lock/getPassageModeConfiguration``)."""

    enabled: bool
    auto_unlock: bool = False
    """Unlock by itself when a period starts (feature bit 46)."""
    periods: tuple[PassagePeriod, ...] = ()
    """All-day periods first, then by start and end time, as the cloud sorts them."""


# --------------------------------------------------------------------------------------------
# Credentials: passcodes, IC cards, fingerprints, faces, eKeys (docs/cloud.md §2.2–§2.5)
# --------------------------------------------------------------------------------------------


class PasscodeType(IntEnum):
    """``keyboardPwdType`` (docs/cloud.md §2.2).

    Offline ("random") codes from ``keyboardPwd/get`` use all 14 values; custom codes from
    ``keyboardPwd/add`` are :attr:`PERMANENT` or :attr:`PERIOD` with ``Passcode.is_custom``.
    """

    ONE_TIME = 1
    """Single use, within 6 h of the start."""
    PERMANENT = 2
    """Offline: must be used once within 24 h of the start, else void."""
    PERIOD = 3
    """Start → end; offline: must be used once within 24 h of the start."""
    ERASE = 4
    """Offline: entering it deletes every other passcode on the lock."""
    WEEKEND = 5
    DAILY = 6
    WORKDAY = 7
    MONDAY = 8
    TUESDAY = 9
    WEDNESDAY = 10
    THURSDAY = 11
    FRIDAY = 12
    SATURDAY = 13
    SUNDAY = 14

    @property
    def is_cyclic(self) -> bool:
        """A weekly recurring window (types 5–14; the start/end clock times are the window)."""
        return self >= PasscodeType.WEEKEND

    @property
    def custom_allowed(self) -> bool:
        """Whether a custom code (``keyboardPwd/add``) can have this type."""
        return self in (PasscodeType.PERMANENT, PasscodeType.PERIOD)


@dataclass(frozen=True, slots=True, kw_only=True)
class CyclicPeriod:
    """A weekly window (``cyclicConfig``): the same minutes of the day on each listed weekday."""

    weekdays: tuple[int, ...]
    """ISO weekdays, 1 Monday … 7 Sunday."""
    start_minute: int
    """Minutes after midnight, lock local time (480 = 08:00)."""
    end_minute: int
    """Minutes after midnight, exclusive (1080 = 18:00; at most 1440)."""

    def __post_init__(self) -> None:
        if not self.weekdays or any(not 1 <= day <= 7 for day in self.weekdays):
            raise ValueError("weekdays must be 1 (Monday) … 7 (Sunday)")
        if not 0 <= self.start_minute < self.end_minute <= 1440:
            raise ValueError("need 0 <= start_minute < end_minute <= 1440")

    def to_json(self) -> list[dict[str, int]]:
        """The ``cyclicConfig`` list (send it JSON-encoded as a string)."""
        return [
            {"weekDay": day, "startTime": self.start_minute, "endTime": self.end_minute}
            for day in sorted(set(self.weekdays))
        ]


@dataclass(frozen=True, slots=True, kw_only=True)
class Passcode:
    """One keypad passcode of a lock (``lock/listKeyboardPwd`` or just issued)."""

    passcode_id: int
    lock_id: int
    keyboard_pwd: str = field(repr=False)
    """The code itself (the cloud returns it in clear): a secret."""
    name: str
    type: PasscodeType | None
    """``None`` for a type this SDK does not know."""
    is_custom: bool
    start_date: int | None = None
    """Epoch ms (offline codes: rounded down to the hour by the cloud)."""
    end_date: int | None = None
    """Epoch ms; 0 or ``None`` = no end."""
    send_date: int | None = None
    sender_username: str | None = None


MAX_CARD_NUMBER = (1 << 64) - 1
"""A card number is 4 bytes, or 8 when it needs more than 32 bits (docs/ble.md §5.6)."""


def reversed_card_number(number: str | int) -> str:
    """The number ``identityCard/addForReversedCardNumber`` stores: the card's bytes in the
    other order (4 bytes, or 8 above 32 bits). ``3661413478`` ↔ ``1723612378``."""
    value = int(number)
    if not 0 <= value <= MAX_CARD_NUMBER:
        raise ValueError("a card number has at most 8 bytes")
    width = 4 if value < 1 << 32 else 8
    return str(int.from_bytes(value.to_bytes(width, "big"), "little"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Card:
    """An IC card of a lock (``identityCard/list``)."""

    card_id: int
    lock_id: int
    card_number: str = field(repr=False)
    """As the cloud stores it (byte-reversed when added with ``reversed=True``)."""
    name: str
    start_date: int
    """Epoch ms; 0 together with ``end_date`` 0 = permanent."""
    end_date: int
    cyclic: CyclicPeriod | None = None
    create_date: int | None = None
    sender_username: str | None = None

    @property
    def is_permanent(self) -> bool:
        return not self.start_date and not self.end_date


@dataclass(frozen=True, slots=True, kw_only=True)
class Fingerprint:
    """An enrolled fingerprint (``fingerprint/list``)."""

    fingerprint_id: int
    lock_id: int
    fingerprint_number: str = field(repr=False)
    name: str
    start_date: int
    end_date: int
    cyclic: CyclicPeriod | None = None
    create_date: int | None = None
    sender_username: str | None = None

    @property
    def is_permanent(self) -> bool:
        return not self.start_date and not self.end_date


@dataclass(frozen=True, slots=True, kw_only=True)
class Face:
    """An enrolled face (``face/list``)."""

    face_id: int
    lock_id: int
    face_number: str = field(repr=False)
    name: str
    start_date: int
    end_date: int
    cyclic: CyclicPeriod | None = None
    status: int | None = None
    """1 normal, 2 invalidated, 3 to be validated."""
    create_date: int | None = None
    sender_username: str | None = None

    @property
    def is_permanent(self) -> bool:
        return not self.start_date and not self.end_date


class EKeyStatus(IntEnum):
    """``keyStatus`` values this SDK acts on (others are kept as plain ints)."""

    NORMAL = 110401
    FROZEN = 110405


@dataclass(frozen=True, slots=True, kw_only=True)
class EKey:
    """An app key (``lock/listKey``)."""

    key_id: int
    lock_id: int
    username: str
    """The receiver's TTLock account."""
    uid: int | None
    name: str
    status: int
    """``keyStatus`` (see :class:`EKeyStatus`)."""
    start_date: int
    """Epoch ms; 0 together with ``end_date`` 0 = permanent."""
    end_date: int
    authorized: bool
    """``keyRight`` 1: an authorised administrator."""
    remote_unlock: bool
    """``remoteEnable`` 1."""
    sender_username: str | None = None
    remarks: str | None = None
    date: int | None = None
    """When it was sent, epoch ms."""

    @property
    def frozen(self) -> bool:
        return self.status == EKeyStatus.FROZEN


class MeterKind(StrEnum):
    """A TTRenting meter: electricity (kWh, a relay) or water (m³, a valve); docs/meters.md."""

    ELECTRIC = "electric"
    WATER = "water"


@dataclass(frozen=True, slots=True, kw_only=True)
class Meter:
    """One meter as the cloud last heard from it (``…Meter/list`` or ``…Meter/detail``).

    Quantities are in the meter's unit (kWh or m³); ``price`` is money per unit in the
    account's currency (TTLock names none). ``None``: the cloud did not say.
    """

    kind: MeterKind
    meter_id: int
    name: str
    number: str = ""
    online: bool | None = None
    rssi: int | None = None
    supply_on: bool | None = None
    """The relay (electricity) or valve (water): on / open; None when the meter says unknown."""
    prepaid: bool = False
    total: float | None = None
    remaining: float | None = None
    """Prepaid units left (prepaid meters only)."""
    price: float | None = None
    battery: int | None = None
    """Water meters run on a battery."""
    read_at_ms: int | None = None
    """When the meter last reported its reading (``detail`` only)."""
    mac: str | None = None
    model_num: str | None = None
    firmware_revision: str | None = None
    hardware_revision: str | None = None

    @property
    def balance(self) -> float | None:
        """Money left on a prepaid meter: the prepaid units at the unit price."""
        if not self.prepaid or self.remaining is None or self.price is None:
            return None
        return round(self.remaining * self.price, 2)
