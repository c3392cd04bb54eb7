"""The simulated cloud's numbers: errcodes and their messages, feature bits, record types.

§ numbers refer to ``docs/cloud.md``. :class:`CloudError` is how any part of the world
fails a cloud call; the HTTP layer (:mod:`simulator.cloud`) turns it into TTLock's
``{errcode, errmsg, description}`` answer.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ERRMSG", "FEATURE", "RECORD_TYPE", "CloudError"]

#: Default ``errmsg`` per errcode (§1.4; wording is ours).
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
    -4082: "Auto locking period invalid",  # docs/lock-settings.md §3
    # credentials and eKeys (JB-docs/errorCode.md wording, §1.4)
    -1007: "No password data of this lock",
    -1008: "eKey does not exist",
    -1016: "An identical Name exists. Please choose a different Name.",
    -1021: "This IC Card does not exist",
    -1023: "This Fingerprint does not exist",
    -2019: "You cannot send an eKey to Yourself",
    -2020: "You cannot send an eKey to the Admin",
    -2023: "Can't change the time period now",
    -3006: "Invalid Passcode. Passcode should be between 6 - 9 Digits in length",
    -3007: "The same passcode already exists. Please use another one",
    -3008: "A Passcode that has never been used on the Lock cannot be changed",
    -3009: "There is NO SPACE to store Customized Passcodes",
    -4064: "Failed. The eKey can only be sent to a registered account",
}

#: Feature bits used by the simulator (§2.1 featureValue list).
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

#: Cloud ``recordType`` values the simulator writes itself (§2.7).
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


class CloudError(Exception):
    """A TTLock cloud failure: becomes HTTP 200 ``{errcode, errmsg, description}``."""

    def __init__(self, errcode: int, description: str = "", errmsg: str | None = None) -> None:
        self.errcode = errcode
        self.errmsg = errmsg if errmsg is not None else ERRMSG.get(errcode, "error")
        self.description = description or self.errmsg
        super().__init__(f"{errcode}: {self.description}")

    def to_json(self) -> dict[str, Any]:
        return {"errcode": self.errcode, "errmsg": self.errmsg, "description": self.description}
