"""Scenario files: JSON descriptions of a simulated world, loaded into a :class:`World`.

``load_scenario("home")`` reads ``home.json`` next to this module (or any path to a JSON
file). A file with ``"generator": "scale"`` is expanded by :mod:`.scale` instead of listing
every device. Keys are camelCase like the TTLock API; lock and meter attributes map onto
the :class:`~simulator.world.Lock` / meter dataclass fields (``electricQuantity`` →
``electric_quantity`` …); ``features`` lists featureValue bit numbers or the names in
:data:`~simulator.world.FEATURE` (``docs/cloud.md`` §2.1). Meters take the API's names for
their id and quantities (``electricMeterId``, ``totalKwh``, ``remainderM3`` …), the
``gatewayId`` that relays them (same account), and their consumption while the supply is on:
``loadW`` (electricity, watts, default 500) or ``flowLph`` (water, litres an hour, default 10),
and ``historyDays``: days of past use already on the cloud's record (``listRecords``). The
top-level ``meterTimeZone`` names the zone those records count days in (default UTC).
Standalone DS3 door sensors (``doorSensors``) take the API's names too: ``doorSensorId``,
``name``, ``mac``, ``owner``, ``wifiName``, ``electricQuantity``, ``firmwareRevision``,
``doorSensorState`` (0 closed / 1 open) and the alert settings of ``configAlertFlag``:
``notCloseAlertSecondNum`` (1–900) and ``longTimeNotOpenDayNum`` (1–15), absent = off.

Shipped scenarios:

* ``home`` — ``demo@example.com`` / ``demo-password`` with the eu app ``sim-client-id`` /
  ``sim-client-secret``: "Front Door" behind "Hallway Gateway" (G2, online, door sensor),
  "Garage" (Wi-Fi lock, featureValue bit 56), "Back Door" (Bluetooth only), two electricity
  meters behind the Hallway Gateway (7001 "Apartment Power", metering, 500 W; 7002 "Studio
  Power", prepaid, 20 kWh left at 0.25, 1000 W), a metering water meter behind it (7101
  "Apartment Water", 10 l/h), each with 60 days of past use on record, a lift controller
  (``lock/list`` ``type=2``, floors 1–10, card required) and a power saver behind the
  Hallway Gateway (``type=3``, 5003401 "Guest Room Power", off; ``lock/unlock`` /
  ``lock/lock`` switch it); a second account
  ``second@example.com`` / ``second-password`` with "Office Door" behind "Office Gateway";
  a China-region account ``cn-user@example.com`` / ``cn-password`` with the cn app
  ``sim-cn-client-id`` / ``sim-cn-client-secret``; a few historical lock records; a
  standalone DS3 door sensor 9001 "Patio Door" (closed, door-not-closed alarm after 120 s).
* ``hotel`` — ``hotel@example.com`` / ``hotel-password`` (app ``sim-client-id``): TTHotel
  locks (featureValue bit 19) with their hotel number, building and floor preset
  (``hotelNumber`` / ``hotelBuilding`` / ``hotelFloor``, ``0x64`` type 3, Bluetooth only):
  "Room 201" (hotel 1024, building 1, floor 2), "Room 301" (building 1, floor 3), "Annex 101"
  (building 2, floor 1), a plain "Staff Door", all behind "Lobby Gateway", and "Main Lift", a
  lift controller of building 1 (floors 1–6, card required).
* ``scale`` — ``scale@example.com`` / ``scale-password`` (app ``sim-client-id``): 1,000
  locks and 100 gateways, generated deterministically from the seed.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from ..clock import Clock
from ..codes import FEATURE
from ..entities import ElectricMeter, Lock, LockVersion, Meter, WaterMeter
from ..world import World

__all__ = ["SCENARIO_DIR", "build_world", "list_scenarios", "load_scenario", "parse_date"]

SCENARIO_DIR = Path(__file__).parent

_LOCK_FIELDS = {f.name for f in dataclasses.fields(Lock) if f.init}
_LOCK_RESERVED = {"lock_id", "lock_mac", "lock_alias", "admin_uid", "keys", "lock_name", "features"}


def list_scenarios() -> list[str]:
    """Names of the scenario files shipped with the simulator."""
    return sorted(path.stem for path in SCENARIO_DIR.glob("*.json"))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def parse_date(value: str | int) -> int:
    """ISO-8601 date (``2025-03-14T10:02:00Z``) or epoch ms → epoch ms."""
    if isinstance(value, int):
        return value
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)


def feature_numbers(features: list[int | str]) -> list[int]:
    return [FEATURE[item] if isinstance(item, str) else int(item) for item in features]


def _lock_attributes(spec: dict[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for key, value in spec.items():
        if key in {
            "lockId",
            "lockAlias",
            "admin",
            "lockMac",
            "lockName",
            "modelPrefix",
            "initDate",
            "gateways",
            "features",
        }:
            continue
        name = "lock_type" if key == "type" else _snake(key)
        if name not in _LOCK_FIELDS or name in _LOCK_RESERVED:
            raise ValueError(f"unknown lock attribute {key!r}")
        if name == "lock_version":
            attributes[name] = LockVersion(**{_snake(k): int(v) for k, v in value.items()})
        else:
            attributes[name] = value
    return attributes


#: Meter id and unit suffix as the API names them (``docs/meters.md``): scenario files use
#: ``electricMeterId`` / ``totalKwh`` / ``remainderKwh`` and the water twins.
_METER_API_NAMES: dict[type[Meter], tuple[str, str]] = {
    ElectricMeter: ("electricMeterId", "Kwh"),
    WaterMeter: ("waterMeterId", "M3"),
}


def _meter[M: Meter](cls: type[M], world: World, spec: dict[str, Any]) -> M:
    id_key, unit = _METER_API_NAMES[cls]
    aliases = {
        id_key: "meter_id",
        f"total{unit}": "total",
        f"remainder{unit}": "remainder",
        "gatewayId": "gateway_id",
        "owner": "owner_uid",
    }
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    kwargs: dict[str, Any] = {}
    for key, value in spec.items():
        name = aliases.get(key, _snake(key))
        if name not in names:
            raise ValueError(f"unknown {cls.__name__} attribute {key!r}")
        kwargs[name] = value
    if not isinstance(kwargs.get("owner_uid", 0), int):
        kwargs["owner_uid"] = _uid(world, kwargs["owner_uid"])
    if "online" in kwargs:
        kwargs["online"] = bool(kwargs["online"])
    return cls(**kwargs)


#: Scenario (API) names of a standalone door sensor → :class:`DoorSensor` fields
_DOOR_SENSOR_NAMES = {
    "doorSensorId": "door_sensor_id",
    "name": "name",
    "mac": "mac",
    "owner": "owner",
    "wifiName": "wifi_name",
    "electricQuantity": "electric_quantity",
    "firmwareRevision": "firmware_revision",
    "doorSensorState": "is_open",
    "notCloseAlertSecondNum": "not_closed_alert_s",
    "longTimeNotOpenDayNum": "not_opened_alert_days",
}


def _door_sensor(world: World, spec: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {}
    for key, value in spec.items():
        if key not in _DOOR_SENSOR_NAMES:
            raise ValueError(f"unknown door sensor attribute {key!r}")
        kwargs[_DOOR_SENSOR_NAMES[key]] = value
    if "is_open" in kwargs:
        kwargs["is_open"] = kwargs["is_open"] == 1
    world.add_door_sensor(**kwargs)


def _uid(world: World, username: str) -> int:
    account = world.account_by_username(username)
    if account is None:
        raise ValueError(f"scenario refers to unknown account {username!r}")
    return account.uid


def build_world(data: dict[str, Any], *, clock: Clock | None = None, **options: Any) -> World:
    """Create a :class:`World` from a parsed scenario document."""
    if data.get("generator") == "scale":
        from .scale import generate_scale

        return generate_scale(data, clock=clock, **options)
    world = World(seed=str(data.get("seed", data.get("name", "scenario"))), clock=clock, **options)
    for account in data.get("accounts", []):
        world.add_account(
            account["username"],
            account.get("password"),
            password_md5=account.get("passwordMd5"),
            region=account.get("region", "eu"),
            uid=account.get("uid"),
            nickname=account.get("nickname", ""),
        )
        if account.get("password"):
            world.scenario_passwords[account["username"]] = account["password"]
    for app in data.get("apps", []):
        world.add_app(
            app["clientId"],
            app["clientSecret"],
            region=app.get("region", "eu"),
            callback_url=app.get("callbackUrl"),
            monthly_quota=app.get("monthlyQuota"),
        )
    for gateway in data.get("gateways", []):
        world.add_gateway(
            gateway_id=gateway["gatewayId"],
            gateway_mac=gateway["gatewayMac"],
            gateway_name=gateway["gatewayName"],
            owner=gateway["owner"],
            gateway_version=gateway.get("gatewayVersion", 2),
            network_name=gateway.get("networkName", ""),
            network_mac=gateway.get("networkMac", ""),
            is_online=gateway.get("isOnline", True),
            firmware_revision=gateway.get("firmwareRevision", "1.4.2"),
            init_date=parse_date(gateway.get("initDate", world.now_ms())),
        )
    for spec in data.get("locks", []):
        attributes = _lock_attributes(spec)
        lock = world.add_lock(
            lock_id=spec["lockId"],
            lock_alias=spec["lockAlias"],
            admin=spec["admin"],
            lock_mac=spec.get("lockMac"),
            lock_name=spec.get("lockName"),
            model_prefix=spec.get("modelPrefix", "S31"),
            features=feature_numbers(spec.get("features", [])),
            init_date=parse_date(spec.get("initDate", world.now_ms())),
            gateways=[(g["gatewayId"], g["rssi"]) for g in spec.get("gateways", [])],
            **attributes,
        )
        if lock.state == 1:
            lock.unlocked_at_ms = world.now_ms()
    now = world.now_ms()
    for record in data.get("records", []):
        lock_date = now - int(record.get("minutesAgo", 0) * 60_000)
        server_date = lock_date + int(record.get("syncDelayMinutes", 0) * 60_000) + 1_000
        world.add_record(
            record["lockId"],
            record["recordType"],
            record_type_from_lock=record.get("recordTypeFromLock"),
            username=record.get("username", ""),
            keyboard_pwd=record.get("keyboardPwd", ""),
            success=record.get("success", 1),
            lock_date=lock_date,
            server_date=min(server_date, now),
        )
    for sensor in data.get("doorSensors", []):
        _door_sensor(world, sensor)
    world.meter_time_zone = str(data.get("meterTimeZone", world.meter_time_zone))
    bound = world.now_ms()  # one moment for all meters: their hourly reports coincide
    for meter in data.get("electricMeters", []):
        world.add_meter(_meter(ElectricMeter, world, meter), at_ms=bound)
    for meter in data.get("waterMeters", []):
        world.add_meter(_meter(WaterMeter, world, meter), at_ms=bound)
    return world


def load_scenario(name: str | Path, *, clock: Clock | None = None, **options: Any) -> World:
    """Load a shipped scenario by name (``"home"``, ``"scale"``) or a JSON file by path.

    ``options`` go to :class:`World` (e.g. ``gateway_latency_s=0.2``).
    """
    path = Path(name)
    if path.suffix != ".json":
        path = SCENARIO_DIR / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no scenario {name!r} (known: {', '.join(list_scenarios())})")
    data = json.loads(path.read_text(encoding="utf-8"))
    return build_world(data, clock=clock, **options)
