"""Deterministic generator for the ``scale`` scenario (1,000 locks, 100 gateways).

The same seed always yields the same ids, MACs, names, features, gateway links, battery
levels and key material (``docs/cloud.md`` §2.1 featureValue bits,
§2.6 gateways and RSSI bands, §3.2 paging limits — 1,000 locks fill exactly one
``lock/list`` page of 1,000 or five pages of 200). Record timestamps are relative to the
world clock at load time.

Layout: gateways serve consecutive blocks of locks (lock *i* is seen by gateway
``i // (locks / gateways)``, about a third also by the next gateway with a weaker RSSI);
``wifiShare`` of the locks are Wi-Fi locks and ``bluetoothOnlyShare`` have no gateway;
``offlineGatewayShare`` of the gateways are offline.
"""

from __future__ import annotations

import random
from typing import Any

from ..clock import Clock
from ..codes import FEATURE
from ..world import World

__all__ = ["generate_scale"]

_BASE_FEATURES = (
    "passcode",
    "ic_card",
    "auto_lock",
    "modify_passcode",
    "remote_lock",
    "cyclic_passcode",
    "audio",
    "admin_code",
    "passage_mode",
)
_GATEWAY_FEATURES = ("gateway_unlock", "remote_unlock_switch")
_OPTIONAL_FEATURES = (
    "fingerprint",
    "door_sensor",
    "tamper_alert",
    "reset_button",
    "privacy_lock",
    "open_direction",
    "volume_language",
    "passage_mode_auto_unlock",
    "face_3d",
    "wireless_keypad",
)
_MODELS = (
    ("S31", "SN9161-FPC-NO32K_PV53", "1.7", "5.1.0.200320"),
    ("K3", "K3-F_PV60", "2.1", "6.0.6.210622"),
    ("M201", "M201-B_PV30", "1.1", "4.3.8.220517"),
    ("HT5", "HT5-HOTEL_PV45", "1.4", "5.4.2.221104"),
)
_BASE_INIT_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z


def _mac(rng: random.Random, used: set[str], *, random_static: bool) -> str:
    while True:
        raw = [rng.randrange(256) for _ in range(6)]
        if random_static:
            raw[0] |= 0xC0
        else:
            raw[0] &= 0xFC  # unicast, globally administered
        mac = ":".join(f"{byte:02X}" for byte in raw)
        if mac not in used:
            used.add(mac)
            return mac


def generate_scale(data: dict[str, Any], *, clock: Clock | None = None, **options: Any) -> World:
    """Build the scale world described by ``data`` (see ``scale.json``)."""
    seed = str(data.get("seed", "scale"))
    rng = random.Random(seed)
    world = World(seed=seed, clock=clock, **options)
    account_spec = data["account"]
    account = world.add_account(
        account_spec["username"],
        account_spec["password"],
        region=account_spec.get("region", "eu"),
        uid=account_spec.get("uid"),
    )
    world.scenario_passwords[account.username] = account_spec["password"]
    for app in data.get("apps", []):
        world.add_app(
            app["clientId"],
            app["clientSecret"],
            region=app.get("region", "eu"),
            callback_url=app.get("callbackUrl"),
            monthly_quota=app.get("monthlyQuota"),
        )

    lock_count = int(data.get("locks", 1000))
    gateway_count = int(data.get("gateways", 100))
    wifi_share = float(data.get("wifiShare", 0.1))
    ble_share = float(data.get("bluetoothOnlyShare", 0.1))
    offline_share = float(data.get("offlineGatewayShare", 0.05))
    records_per_lock = int(data.get("recordsPerLock", 2))
    used_macs: set[str] = set()

    offline = set(rng.sample(range(gateway_count), round(gateway_count * offline_share)))
    gateway_ids: list[int] = []
    for index in range(gateway_count):
        version = rng.choices((2, 3, 4), weights=(80, 15, 5))[0]
        gateway = world.add_gateway(
            gateway_id=400_001 + index,
            gateway_mac=_mac(rng, used_macs, random_static=False),
            gateway_name=f"Gateway {index + 1:03d}",
            owner=account.uid,
            gateway_version=version,
            network_name="" if version == 4 else f"Building-{index // 10 + 1}",
            network_mac=_mac(rng, used_macs, random_static=False),
            is_online=index not in offline,
            init_date=_BASE_INIT_MS + index * 3_600_000,
        )
        gateway_ids.append(gateway.gateway_id)

    per_gateway = max(1, lock_count // max(1, gateway_count))
    kinds = ["gateway"] * lock_count
    special = rng.sample(range(lock_count), round(lock_count * (wifi_share + ble_share)))
    wifi_count = round(lock_count * wifi_share)
    for position, index in enumerate(special):
        kinds[index] = "wifi" if position < wifi_count else "ble"

    now = world.now_ms()
    for index in range(lock_count):
        kind = kinds[index]
        prefix, model, hardware, firmware = _MODELS[rng.randrange(len(_MODELS))]
        names = list(_BASE_FEATURES)
        names += rng.sample(_OPTIONAL_FEATURES, rng.randrange(0, 5))
        if kind in ("gateway", "wifi"):
            names += _GATEWAY_FEATURES
        if kind == "wifi":
            names.append("wifi")
        sightings: list[tuple[int, int]] = []
        if kind == "gateway" and gateway_ids:
            primary = min(index // per_gateway, gateway_count - 1)
            sightings.append((gateway_ids[primary], rng.randint(-84, -50)))
            if rng.random() < 0.33:
                neighbour = (primary + 1) % gateway_count
                sightings.append((gateway_ids[neighbour], rng.randint(-95, -80)))
        floor, room = divmod(index, 40)
        lock = world.add_lock(
            lock_id=6_000_001 + index,
            lock_alias=f"Room {floor + 1}{room + 1:02d}",
            admin=account.uid,
            lock_mac=_mac(rng, used_macs, random_static=True),
            model_prefix=prefix,
            model_num=model,
            hardware_revision=hardware,
            firmware_revision=firmware,
            features=[FEATURE[name] for name in names],
            init_date=_BASE_INIT_MS + index * 600_000,
            gateways=sightings,
            electric_quantity=rng.randint(5, 100),
            auto_lock_time=rng.choice((-1, 5, 10, 15, 30)),
            door_sensor="door_sensor" in names,
            wifi_online=rng.random() > 0.05,
            wifi_network_name=f"Building-{floor // 5 + 1}" if kind == "wifi" else "",
            group_id=floor + 1,
            group_name=f"Floor {floor + 1}",
        )
        for number in range(records_per_lock):
            minutes_ago = rng.randint(1, 60 * 24 * 30)
            record_type = rng.choice((4, 7, 12, 11, 1, 8, 10)) if kind != "ble" else 1
            world.add_record(
                lock.lock_id,
                record_type,
                username=(
                    account.username
                    if record_type in (1, 11, 12)
                    else f"Guest {index + 1}-{number + 1}"
                ),
                keyboard_pwd=(f"{rng.randrange(10**5, 10**9)}" if record_type in (4, 7, 8) else ""),
                lock_date=now - minutes_ago * 60_000,
                server_date=now - minutes_ago * 60_000 + 2_000,
            )
    return world
