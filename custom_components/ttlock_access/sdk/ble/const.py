"""Numbers of the TTLock Bluetooth protocol: command codes, error codes, enums.

Sources: docs/ble.md §5.2 (commands), §6 (errors), §5.3 (features, device
info), §5.5–§5.8 (credential and log enums), §1.1 (lock types); docs/errata.md E12 (error 0x19).
This module imports nothing from the package, so every other module may import it.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag

# GATT (docs/ble.md §2): write FFF2, notify FFF4 (CCCD 01 00) in service 1910; some firmware
# exposes a Nordic-UART-style service instead.
SERVICE_UUID = "00001910-0000-1000-8000-00805f9b34fb"
WRITE_CHARACTERISTIC_UUID = "0000fff2-0000-1000-8000-00805f9b34fb"
NOTIFY_CHARACTERISTIC_UUID = "0000fff4-0000-1000-8000-00805f9b34fb"
ALT_SERVICE_UUID = "6e400001-b5a3-f393-e0a9-e50e24dcca1e"
ALT_WRITE_CHARACTERISTIC_UUID = "6e400002-b5a3-f393-e0a9-e50e24dcca1e"
ALT_NOTIFY_CHARACTERISTIC_UUID = "6e400003-b5a3-f393-e0a9-e50e24dcca1e"
BATTERY_LEVEL_UUID = "00002a19-0000-1000-8000-00805f9b34fb"
"""Read once after subscribing: some firmware only notifies after an ATT read (§2)."""

SCIENER = b"SCIENER"
"""Vendor string used as a payload by ``0x19``, ``0x56`` and ``0x14`` (docs/ble.md §5.1, §5.3)."""


class Command(IntEnum):
    """Command codes (docs/ble.md §5.2)."""

    SEARCH_DEVICE_FEATURE = 0x01
    MANAGE_KEYBOARD_PASSWORD = 0x03
    IC_MANAGE = 0x05
    FR_MANAGE = 0x06
    PWD_LIST = 0x07
    SEARCH_BICYCLE_STATUS = 0x14
    GET_AES_KEY = 0x19
    GET_OPERATE_LOG = 0x25
    CHECK_RANDOM = 0x30
    INIT_PASSWORDS = 0x31
    READ_PWD_PARA = 0x32
    GET_LOCK_TIME = 0x34
    AUTO_LOCK_MANAGE = 0x36
    CONTROL_REMOTE_UNLOCK = 0x37
    CHECK_ADMIN = 0x41
    TIME_CALIBRATE = 0x43
    INITIALIZATION = 0x45
    UNLOCK = 0x47
    RESET_LOCK = 0x52
    SET_ADMIN_KEYBOARD_PWD = 0x53
    RESPONSE = 0x54
    CHECK_USER_TIME = 0x55
    ADD_ADMIN = 0x56
    OPERATE_FINISHED = 0x57
    FUNCTION_LOCK = 0x58
    SHOW_PASSWORD = 0x59
    AUDIO_MANAGE = 0x62
    CONFIGURE_HOTEL_DATA = 0x64
    GET_ADMIN_CODE = 0x65
    CONFIGURE_PASSAGE_MODE = 0x66
    LAMP = 0x67
    SWITCH = 0x68
    DEAD_LOCK = 0x69
    READ_DEVICE_INFO = 0x90


class LockErrorCode(IntEnum):
    """Error codes in ``[command][00][code]`` replies (docs/ble.md §6, docs/errata.md E12)."""

    SUCCESS = 0x00
    CRC_ERROR = 0x01
    NO_PERMISSION = 0x02
    WRONG_ADMIN_PASSWORD = 0x03
    IN_SETTING_MODE = 0x05
    NO_ADMIN = 0x06
    NOT_IN_SETTING_MODE = 0x07
    INVALID_DYNAMIC_CODE = 0x08
    BATTERY_EXHAUSTED = 0x0A
    INIT_KEYBOARD_FAILED = 0x0B
    EKEY_FLAG_TOO_LOW = 0x0D
    EKEY_EXPIRED = 0x0E
    INVALID_PASSCODE_LENGTH = 0x0F
    ADMIN_EQUALS_ERASE_PASSCODE = 0x10
    EKEY_NOT_YET_VALID = 0x11
    NOT_LOGGED_IN = 0x12
    FAILED = 0x13
    PASSCODE_EXISTS = 0x14
    PASSCODE_NOT_FOUND = 0x15
    OUT_OF_MEMORY = 0x16
    BAD_PARAMETER_LENGTH = 0x17
    IC_CARD_NOT_FOUND = 0x18
    UNSUPPORTED_PARAMETER = 0x19
    FINGERPRINT_NOT_FOUND = 0x1A
    INVALID_COMMAND = 0x1B
    LOCK_FROZEN = 0x1C
    INVALID_VENDOR = 0x1D
    PRIVACY_LOCKED = 0x1E
    RECORD_NOT_FOUND = 0x1F
    INVALID_PARAMETER = 0x20
    PARKING_LOCK_OBSTRUCTED = 0x21
    COMMAND_RECEIVED = 0x24
    BAD_WIFI_NAME = 0x25
    BAD_WIFI_PASSWORD = 0x26


_ERROR_TEXT: dict[int, str] = {
    0x00: "success",
    0x01: "CRC error",
    0x02: "not administrator / no permission",
    0x03: "wrong administrator password",
    0x05: "lock is in setting mode",
    0x06: "lock has no administrator",
    0x07: "not in setting mode",
    0x08: "invalid dynamic code",
    0x0A: "battery exhausted",
    0x0B: "initialising keypad passcodes failed",
    0x0D: "eKey invalid (lockFlagPos too low)",
    0x0E: "eKey expired",
    0x0F: "invalid passcode length",
    0x10: "admin passcode equals erase passcode",
    0x11: "eKey not yet valid",
    0x12: "not logged in / no permission",
    0x13: "failed",
    0x14: "passcode already exists",
    0x15: "passcode does not exist",
    0x16: "out of memory",
    0x17: "bad parameter length",
    0x18: "IC card does not exist",
    0x19: "unsupported parameter",
    0x1A: "fingerprint does not exist",
    0x1B: "invalid command",
    0x1C: "lock frozen",
    0x1D: "invalid vendor string",
    0x1E: "double-locked (privacy lock)",
    0x1F: "record does not exist",
    0x20: "invalid parameter",
    0x21: "parking lock obstructed",
    0x24: "command received, processing",
    0x25: "bad Wi-Fi name",
    0x26: "bad Wi-Fi password",
}


def describe_error(code: int | None) -> str:
    """Short English text for a lock error code (for exception messages, never translated)."""
    if code is None:
        return "no error code"
    return _ERROR_TEXT.get(code, "unknown error")


class FeatureBit(IntEnum):
    """Feature bit numbers of the ``0x01`` reply / cloud ``featureValue`` (docs/ble.md §5.3)."""

    PASSCODE = 0
    IC_CARD = 1
    FINGERPRINT = 2
    WRISTBAND = 3
    AUTO_LOCK = 4
    PASSCODE_WITH_DELETE = 5
    FIRMWARE_SETTING = 6
    MODIFY_PASSCODE = 7
    MANUAL_LOCK = 8
    PASSCODE_DISPLAY = 9
    GATEWAY_UNLOCK = 10
    FREEZE = 11
    CYCLIC_PASSCODE = 12
    DOOR_SENSOR = 13
    REMOTE_UNLOCK_SWITCH = 14
    AUDIO = 15
    NB_IOT = 16
    GET_ADMIN_CODE = 18
    HOTEL_LOCK = 19
    NO_CLOCK_CHIP = 20
    NO_CLICK_UNLOCK = 21
    PASSAGE_MODE = 22
    PASSAGE_MODE_AUTO_LOCK = 23
    WIRELESS_KEYPAD = 24
    LAMP = 25
    TAMPER_ALERT = 28
    RESET_BUTTON = 29
    PRIVACY_LOCK = 30
    DEADLOCK = 32
    CYCLIC_IC_FP = 34
    UNLOCK_DIRECTION = 36
    FINGER_VEIN = 37
    TELINK_CHIP = 38
    NB_ACTIVATION = 39
    CYCLIC_PASSCODE_RECOVERY = 40
    KEY_FOB = 41
    ACCESSORY_BATTERY = 42
    VOLUME_AND_LANGUAGE = 43
    QR_CODE = 44
    DOOR_SENSOR_STATE = 45
    PASSAGE_MODE_AUTO_UNLOCK = 46
    FINGERPRINT_DISTRIBUTION = 47
    WIRELESS_DOOR_SENSOR = 50
    DOOR_OPEN_ALARM = 51
    SENSITIVITY = 52
    FACE_3D = 53
    CPU_CARD = 55
    WIFI = 56
    WIFI_STATIC_IP = 58
    INCOMPLETE_PASSCODE = 60


class DeviceInfoType(IntEnum):
    """``0x90`` READ_DEVICE_INFO item types (docs/ble.md §5.3)."""

    MODEL_NUMBER = 1
    HARDWARE_REVISION = 2
    FIRMWARE_REVISION = 3
    MANUFACTURE_DATE = 4
    MAC = 5
    LOCK_CLOCK = 6
    NB_OPERATOR = 7
    NB_IMEI = 8
    NB_SIM_CARD = 9
    NB_RSSI = 10
    PASSCODE_KEY_COUNT = 12


class LockType(IntEnum):
    """Lock generation derived from (protocolType, protocolVersion, scene) (docs/ble.md §1.1)."""

    UNKNOWN = 0
    V2 = 2
    V2S = 3
    V2S_PLUS = 4
    V3 = 5
    CAR = 6
    MOBI = 7
    V3_CAR = 8


def lock_type_of(protocol_type: int, protocol_version: int, scene: int) -> LockType:
    """The SDK's ``generateLockType`` mapping (docs/ble.md §1.1)."""
    if protocol_type == 5 and protocol_version == 3:
        return LockType.V3_CAR if scene == 7 else LockType.V3
    table = {(10, 1): LockType.CAR, (5, 4): LockType.V2S_PLUS, (5, 1): LockType.V2S}
    if (protocol_type, protocol_version) in table:
        return table[(protocol_type, protocol_version)]
    if (protocol_type, protocol_version) == (11, 1):
        return LockType.MOBI
    if protocol_type == 3:
        return LockType.V2
    return LockType.UNKNOWN


class PasscodeType(IntEnum):
    """Keypad passcode type byte as the lock numbers it (docs/ble.md §5.5, docs/errata.md E19)."""

    PERMANENT = 1
    COUNT = 2
    PERIOD = 3
    CYCLIC = 4


class PasscodeOp(IntEnum):
    """``0x03`` operation byte (docs/ble.md §5.5)."""

    CLEAR = 1
    ADD = 2
    DELETE = 3
    MODIFY = 5
    RECOVERY = 6


class CredentialOp(IntEnum):
    """``0x05`` IC card / ``0x06`` fingerprint operation byte (docs/ble.md §5.6, §5.7)."""

    SEARCH_IC = 1
    ADD = 2
    DELETE = 3
    CLEAR = 4
    MODIFY = 5
    SEARCH_FR = 6
    WRITE_FR = 7


class AddStatus(IntEnum):
    """Inner status byte of ``0x05``/``0x06`` add replies and pushes (docs/ble.md §5.6, §5.7)."""

    SUCCESS = 0x01
    ENTERED_ADD_MODE = 0x02
    PROGRESS = 0x03
    READY_FOR_TEMPLATE = 0x04


class PassageModeOp(IntEnum):
    """``0x66`` operation byte (docs/ble.md §5.9)."""

    QUERY = 1
    ADD = 2
    DELETE = 3
    CLEAR = 4


class PassageModeType(IntEnum):
    """Passage-mode entry type (docs/ble.md §5.9)."""

    WEEKLY = 1
    MONTHLY = 2


class HotelDataType(IntEnum):
    """``0x64`` CONFIGURE_HOTEL_DATA parameter types (docs/ble.md §9.3)."""

    IC_KEY = 1
    AES_KEY = 2
    HOTEL_BUILDING_FLOOR = 3
    SECTOR = 4
    LIFT_CONTROLLABLE_FLOORS = 5
    LIFT_WORK_MODE = 6
    POWER_SAVER_WORK_MODE = 7
    POWER_SAVER_CONTROLLABLE_LOCK = 8


class SwitchItem(IntFlag):
    """``0x68`` switch item/value bits (docs/ble.md §5.3)."""

    TAMPER_ALERT = 0x01
    RESET_BUTTON = 0x02
    PRIVACY_LOCK = 0x04
    UNLOCK_DIRECTION_LEFT = 0x10
    PASSAGE_MODE_AUTO_UNLOCK = 0x20
    WIFI_POWER_SAVING_OFF = 0x80


class LogType(IntEnum):
    """Operation-log record types with a known tail layout (docs/ble.md §5.8, docs/errata.md E13).

    Records of other types are kept with their raw type number.
    """

    APP_UNLOCK = 1
    PASSCODE_UNLOCK = 4
    PASSCODE_MODIFIED_ON_KEYPAD = 5
    PASSCODE_DELETED_ON_KEYPAD = 6
    WRONG_PASSCODE = 7
    ALL_PASSCODES_CLEARED_ON_KEYPAD = 8
    PASSCODE_KICKED_OUT = 9
    ERASE_CODE_USED = 10
    PASSCODE_EXPIRED = 11
    PASSCODE_NO_SPACE = 12
    PASSCODE_BLACKLISTED = 13
    REBOOT = 14
    IC_ADDED = 15
    IC_CLEARED = 16
    IC_UNLOCK = 17
    IC_DELETED = 18
    WRISTBAND_UNLOCK = 19
    FINGERPRINT_UNLOCK = 20
    FINGERPRINT_ADDED = 21
    FINGERPRINT_FAILED = 22
    FINGERPRINT_DELETED = 23
    FINGERPRINTS_CLEARED = 24
    IC_FAILED = 25
    BLE_LOCK = 26
    MECHANICAL_KEY_UNLOCK = 27
    GATEWAY_UNLOCK = 28
    ILLEGAL_UNLOCK = 29
    DOOR_SENSOR_CLOSED = 30
    DOOR_SENSOR_OPEN = 31
    EXIT_BUTTON = 32
    FINGERPRINT_LOCK = 33
    PASSCODE_LOCK = 34
    IC_LOCK = 35
    MECHANICAL_KEY_LOCK = 36
    REMOTE_CONTROL_KEY = 37
    PASSCODE_FAILED_LOCK_REVERSED = 38
    IC_FAILED_LOCK_REVERSED = 39
    FINGERPRINT_FAILED_LOCK_REVERSED = 40
    APP_UNLOCK_FAILED_LOCK_REVERSED = 41
    KEYPAD_LOCK = 47
    IC_BLACKLISTED = 51
    APP_RECORD_52 = 52
    WIRELESS_KEY_FOB = 55
    WIRELESS_KEYPAD = 56
    CPU_CARD_FAILED = 74
    APP_RECORD_75 = 75
    APP_RECORD_76 = 76
    APP_RECORD_77 = 77
    PASSCODE_RECORD_78 = 78
    PASSCODE_RECORD_92 = 92
