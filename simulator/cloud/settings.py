"""Lock settings, passage mode, the lock's clock, gateway detail and the door sensor
(``docs/lock-settings.md``; ``docs/cloud.md`` §2.1, §2.6).

``lock/updateSetting`` (``type`` 2 privacy lock, 3 tamper alert, 4 reset button, 6 lock
sound, 7 open direction, 8 volume 1–5, 10 Wi-Fi power saving, 11 door-unclosed alarm
seconds; ``changeType`` 1 record only, the default, or 2 through the gateway / Wi-Fi),
``lock/querySetting`` (types 2, 3, 4, 7; through the gateway), ``lock/setAutoLockTime``,
``lock/configurePassageMode`` / ``lock/getPassageModeConfiguration`` and their older names
``lock/configPassageMode`` / ``lock/getPassageModeConfig`` (one flat period), ``lock/queryDate``
/ ``lock/updateDate`` (through the gateway), ``gateway/detail``, ``doorSensor/query``.

Every setting lives in one field of the world's :class:`~simulator.entities.Lock`, the same
field ``lock/detail`` reports; a simulated Bluetooth lock linked to it (``simulator.ble``)
is told of every change (:meth:`~simulator.lockside.LockTwin.settings_changed`). Order of
checks: the lock (-1003, 20002 / -2018) → the setting ``type`` (-3) → the lock's
``featureValue`` (-4043) → the value (-3; -4082 for the auto-lock time) → the method → the
route for method 2 (-2012 no gateway, -3002 gateway offline, -3036 Wi-Fi lock offline,
-3003 / -3037 busy), the same helper as the credential calls (:func:`.manage.relay`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..codes import CloudError
from ..entities import Lock, PassagePeriod
from ..lockside import lock_memory
from ..world import World
from .locks import gateway_item
from .manage import REMOTE, managed_lock, method_param, relay, require_feature
from .registry import COMMAND, SUCCESS, ApiRequest, api

__all__ = ["AUTO_LOCK_RANGE", "MAX_PASSAGE_PERIODS", "SETTINGS", "Setting", "lock_time_ms"]


@dataclass(frozen=True)
class Setting:
    """One ``updateSetting`` ``type``: the Lock field it changes and what the lock needs."""

    name: str
    attribute: str
    feature: str
    minimum: int = 1
    maximum: int = 2
    queryable: bool = False
    remote: bool = True
    door_sensor: bool = False


#: ``type`` → setting (``docs/lock-settings.md`` §2). Types 1, 5 and 9 are undocumented.
SETTINGS: dict[int, Setting] = {
    2: Setting("privacy lock", "privacy_lock", "privacy_lock", queryable=True),
    3: Setting("tamper alert", "tamper_alert", "tamper_alert", queryable=True),
    4: Setting("reset button", "reset_button", "reset_button", queryable=True),
    6: Setting("lock sound", "lock_sound", "audio"),
    7: Setting("open direction", "open_direction", "open_direction", queryable=True),
    8: Setting("sound volume", "sound_volume", "volume_language", maximum=5),
    # Bluetooth only: the docs refuse it through a gateway (docs/lock-settings.md §2)
    10: Setting("Wi-Fi power saving", "wifi_power_saving_mode", "wifi", remote=False),
    # seconds, 0 = off; 900 is the DS3 door sensor's documented maximum [INFERRED] (§2)
    11: Setting(
        "door-unclosed alarm",
        "door_not_closed_warning_time",
        "door_not_locked_alert",
        minimum=0,
        maximum=900,
        door_sensor=True,
    ),
}

AUTO_LOCK_RANGE = (1, 900)
"""Seconds a lock accepts for auto-lock (0 / -1 = off). The cloud documents no range, only
-4082 "auto-lock period invalid"; 1–900 is what a physical lock accepted over Bluetooth
(``docs/ble.md`` §5.9, errata E8), so the cloud refuses the rest (``docs/lock-settings.md`` §3)."""
MAX_PASSAGE_PERIODS = 5
"""``cyclicConfig`` holds at most five periods (JB-docs/lock/configurePassageMode.md)."""
_DAY_MINUTES = 1440
_ON_OFF = (1, 2)


# --- the lock's state and its Bluetooth twin -----------------------------------------------


def _changed(lock: Lock) -> None:
    """Tell the simulated Bluetooth lock sharing this lock (if any) to take the new values."""
    twin = lock_memory(lock).twin
    if twin is not None:
        twin.settings_changed()


def lock_time_ms(world: World, lock: Lock) -> int:
    """The lock's own clock: the Bluetooth twin's when there is one, else world time + drift."""
    twin = lock_memory(lock).twin
    if twin is not None:
        return twin.lock_now_ms()
    return world.now_ms() + lock.clock_drift_ms


def _setting(req: ApiRequest, types: dict[int, Setting]) -> Setting:
    number = req.integer("type")
    setting = types.get(number)
    if setting is None:
        known = ", ".join(str(key) for key in types)
        raise CloudError(-3, f"type must be one of {known}, got {number}")
    return setting


def _require_setting(lock: Lock, setting: Setting) -> None:
    require_feature(lock, setting.feature)
    if setting.door_sensor and not lock.door_sensor:
        raise CloudError(-4043, f"lock {lock.lock_id} has no door sensor")


# --- lock/updateSetting, lock/querySetting --------------------------------------------------


@api("lock/updateSetting", methods=COMMAND)
async def update_setting(req: ApiRequest) -> dict[str, Any]:
    lock = managed_lock(req)
    setting = _setting(req, SETTINGS)
    _require_setting(lock, setting)
    value = req.integer("value", minimum=setting.minimum, maximum=setting.maximum)
    method = method_param(req, "changeType")
    if method == REMOTE and not setting.remote:
        raise CloudError(-3, f"{setting.name} can only be set over Bluetooth (changeType 1)")

    def apply() -> None:
        setattr(lock, setting.attribute, value)
        _changed(lock)

    await relay(req, lock, method, apply)
    return dict(SUCCESS)


@api("lock/querySetting")
async def query_setting(req: ApiRequest) -> dict[str, Any]:
    lock = managed_lock(req)
    queryable = {number: item for number, item in SETTINGS.items() if item.queryable}
    setting = _setting(req, queryable)
    _require_setting(lock, setting)
    value = await relay(req, lock, REMOTE, lambda: int(getattr(lock, setting.attribute)))
    return {"value": value}


# --- lock/setAutoLockTime -------------------------------------------------------------------


@api("lock/setAutoLockTime", methods=COMMAND)
async def set_auto_lock_time(req: ApiRequest) -> dict[str, Any]:
    lock = managed_lock(req)
    seconds = req.integer("seconds")
    method = method_param(req, "type")
    require_feature(lock, "auto_lock")
    low, high = AUTO_LOCK_RANGE
    if seconds not in (0, -1) and not low <= seconds <= high:
        raise CloudError(-4082, f"auto-lock time must be 0 / -1 (off) or {low}–{high} seconds")

    def apply() -> None:
        # lock/detail documents -1 as "off": 0 is stored as -1 (docs/lock-settings.md §3)
        lock.auto_lock_time = seconds if seconds > 0 else -1
        _changed(lock)

    await relay(req, lock, method, apply)
    return dict(SUCCESS)


# --- passage mode ---------------------------------------------------------------------------


def _json_param(req: ApiRequest, name: str) -> Any:
    raw = req.text(name, required=False)
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise CloudError(80002, f"{name} is not valid JSON") from None


def _on_off(req: ApiRequest, name: str, *, required: bool = False) -> int:
    """1 on / 2 off; 0 when an optional one is absent."""
    value = req.integer(name, required=required, default=0)
    if value not in _ON_OFF and (required or value != 0):
        raise CloudError(-3, f"{name} must be 1 (on) or 2 (off)")
    return value


def _weekdays(value: Any) -> tuple[int, ...]:
    if isinstance(value, str):  # liberal: a JSON string inside the JSON
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, list) or not value:
        raise CloudError(-3, "weekDays must be a non-empty array of 1–7")
    try:
        days = sorted({int(day) for day in value})
    except (TypeError, ValueError):
        raise CloudError(-3, "weekDays must be a non-empty array of 1–7") from None
    if not all(1 <= day <= 7 for day in days):
        raise CloudError(-3, "weekDays are 1 (Monday) … 7 (Sunday)")
    return tuple(days)


def _period(all_day: Any, start: Any, end: Any, weekdays: Any) -> PassagePeriod:
    """One period; all-day ignores the minutes (stored as 0–0)."""
    try:
        is_all_day = int(all_day if all_day not in (None, "") else 2)
        start_minute = int(start if start not in (None, "") else 0)
        end_minute = int(end if end not in (None, "") else 0)
    except (TypeError, ValueError):
        raise CloudError(-3, "isAllDay, startTime and endTime are integers") from None
    if is_all_day not in _ON_OFF:
        raise CloudError(-3, "isAllDay must be 1 (yes) or 2 (no)")
    days = _weekdays(weekdays)
    if is_all_day == 1:
        return PassagePeriod(True, 0, 0, days)
    if not 0 <= start_minute < end_minute <= _DAY_MINUTES:
        raise CloudError(-3, "The time of REPEAT is incorrect")  # wording: docs/cloud.md §1.4
    return PassagePeriod(False, start_minute, end_minute, days)


def _cyclic_config(req: ApiRequest) -> list[PassagePeriod] | None:
    """``cyclicConfig`` → periods; ``None`` when absent (the lock keeps its periods)."""
    items = _json_param(req, "cyclicConfig")
    if items is None:
        return None
    if not isinstance(items, list):
        raise CloudError(-3, "cyclicConfig must be a JSON array")
    if len(items) > MAX_PASSAGE_PERIODS:
        raise CloudError(-3, f"cyclicConfig holds at most {MAX_PASSAGE_PERIODS} periods")
    periods: list[PassagePeriod] = []
    for item in items:
        if not isinstance(item, dict):
            raise CloudError(-3, "cyclicConfig items must be objects")
        periods.append(
            _period(
                item.get("isAllDay"),
                # liberal: the docs' own prose names them startDate / endDate
                item.get("startTime", item.get("startDate")),
                item.get("endTime", item.get("endDate")),
                item.get("weekDays"),
            )
        )
    return periods


def _sorted_periods(lock: Lock) -> list[PassagePeriod]:
    """All-day periods first, then by start and end (JB-docs getPassageModeConfiguration)."""
    return sorted(
        lock.passage_periods,
        key=lambda period: (not period.all_day, period.start_minute, period.end_minute),
    )


async def _configure_passage(
    req: ApiRequest, lock: Lock, periods: Callable[[], list[PassagePeriod] | None]
) -> dict[str, Any]:
    passage_mode = _on_off(req, "passageMode", required=True)
    auto_unlock = _on_off(req, "autoUnlock")
    method = method_param(req, "type")
    new_periods = periods()
    if auto_unlock == 1:
        require_feature(lock, "passage_mode_auto_unlock")

    def apply() -> None:
        lock.passage_mode = passage_mode
        if new_periods is not None:
            lock.passage_periods = new_periods
        if auto_unlock:
            lock.passage_mode_auto_unlock = auto_unlock
        _changed(lock)

    await relay(req, lock, method, apply)
    return dict(SUCCESS)


@api("lock/configurePassageMode", methods=COMMAND)
async def configure_passage_mode(req: ApiRequest) -> dict[str, Any]:
    lock = managed_lock(req)
    require_feature(lock, "passage_mode")
    return await _configure_passage(req, lock, lambda: _cyclic_config(req))


@api("lock/getPassageModeConfiguration")
async def get_passage_mode_configuration(req: ApiRequest) -> dict[str, Any]:
    lock = managed_lock(req)
    require_feature(lock, "passage_mode")
    return {
        "passageMode": lock.passage_mode,
        "cyclicConfig": [period.to_json() for period in _sorted_periods(lock)],
        "autoUnlock": lock.passage_mode_auto_unlock,
    }


def _legacy_period(req: ApiRequest) -> list[PassagePeriod] | None:
    """The older flat shape: ``isAllDay``, ``startDate`` / ``endDate`` (minutes) and
    ``weekDays`` (a JSON string) — one period; an empty ``weekDays`` clears the periods."""
    fields = ("isAllDay", "startDate", "endDate", "weekDays")
    if all(req.text(name, required=False) == "" for name in fields):
        return None
    weekdays = _json_param(req, "weekDays")
    if weekdays == []:
        return []
    return [
        _period(
            req.params.get("isAllDay"),
            req.params.get("startDate"),
            req.params.get("endDate"),
            weekdays,
        )
    ]


@api("lock/configPassageMode", methods=COMMAND)
async def config_passage_mode_legacy(req: ApiRequest) -> dict[str, Any]:
    lock = managed_lock(req)
    require_feature(lock, "passage_mode")
    return await _configure_passage(req, lock, lambda: _legacy_period(req))


@api("lock/getPassageModeConfig")
async def get_passage_mode_config_legacy(req: ApiRequest) -> dict[str, Any]:
    """The older answer: the first period (all-day first) flat, as JB's model reads it."""
    lock = managed_lock(req)
    require_feature(lock, "passage_mode")
    periods = _sorted_periods(lock)
    first = periods[0] if periods else None
    return {
        "passageMode": lock.passage_mode,
        "isAllDay": 1 if first is not None and first.all_day else 2,
        "startDate": first.start_minute if first is not None else 0,
        "endDate": first.end_minute if first is not None else 0,
        "weekDays": list(first.weekdays) if first is not None else [],
        "autoUnlock": lock.passage_mode_auto_unlock,
    }


# --- the lock's clock ---------------------------------------------------------------------


@api("lock/queryDate")
async def query_date(req: ApiRequest) -> dict[str, Any]:
    lock = managed_lock(req)
    return {"date": await relay(req, lock, REMOTE, lambda: lock_time_ms(req.world, lock))}


@api("lock/updateDate", methods=COMMAND)
async def update_date(req: ApiRequest) -> dict[str, Any]:
    """Set the lock's clock to server time; answers the lock's time afterwards."""
    lock = managed_lock(req)
    world = req.world

    def apply() -> int:
        now = world.now_ms()
        lock.clock_drift_ms = 0
        twin = lock_memory(lock).twin
        if twin is not None:
            twin.set_lock_time(now)
        return lock_time_ms(world, lock)

    return {"date": await relay(req, lock, REMOTE, apply)}


# --- gateway/detail, doorSensor/query -----------------------------------------------------


@api("gateway/detail")
async def gateway_detail(req: ApiRequest) -> dict[str, Any]:
    gateway = req.world.gateway(req.integer("gatewayId"))  # -4037 when unknown
    if gateway.owner_uid != req.account.uid:
        # [INFERRED] the docs name no error for someone else's gateway
        raise CloudError(-2018, f"gateway {gateway.gateway_id} belongs to another account")
    return gateway_item(req.world, gateway)


def _door_sensor_mac(lock: Lock) -> str:
    """The sensor's MAC: the lock's with its last octet + 2 [INFERRED] (Wi-Fi uses + 1)."""
    octets = lock.lock_mac.split(":")
    octets[-1] = f"{(int(octets[-1], 16) + 2) % 256:02X}"
    return ":".join(octets)


@api("doorSensor/query")
async def door_sensor_query(req: ApiRequest) -> dict[str, Any]:
    lock = managed_lock(req)
    if not lock.door_sensor:
        # [INFERRED] the docs name no error for a lock without a sensor
        raise CloudError(-4043, f"lock {lock.lock_id} has no door sensor")
    mac = _door_sensor_mac(lock)
    return {
        "doorSensorId": lock.door_sensor_id or 2_000_000 + lock.lock_id % 1_000_000,
        "name": lock.door_sensor_name,
        "electricQuantity": lock.door_sensor_battery,
        "version": lock.door_sensor_version,
        "mac": mac,
        # the docs' example: "DS2_" + the last three MAC octets, reversed, lower case
        "number": "DS2_" + "".join(reversed(mac.split(":")[3:])).lower(),
        "doorNotClosedWarningTime": lock.door_not_closed_warning_time,
    }
