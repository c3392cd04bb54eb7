"""Locks, gateways and records (§2.1, §2.6, §2.7 of ``docs/cloud.md``; meters: :mod:`.meters`).

``lock/list`` (pageSize ≤ 1000, top-admin locks only; ``type`` 2 lists lift controllers, 3
power savers), ``lock/detail``, ``lock/queryOpenState``, ``lock/queryElectricQuantity``,
``lock/unlock``, ``lock/lock`` (on a power saver's id: supply on / off, §2.8),
``wifiLock/detail``, ``gateway/list`` (≤ 200), ``gateway/listByLock``,
``lockRecord/list`` (≤ 200). Remote commands
take the world's route (-2012 no gateway, -3002 gateway offline, -3036 Wi-Fi lock offline)
and hold it while the command runs (-3003 / -3037 busy); remote unlock off is -4043.
"""

from __future__ import annotations

from typing import Any

from ..codes import FEATURE, CloudError
from ..entities import Gateway, Lock
from ..world import World
from .registry import COMMAND, SUCCESS, ApiRequest, api, paginate

# --- JSON views ----------------------------------------------------------------------------


def lock_list_item(world: World, lock: Lock) -> dict[str, Any]:
    """``lock/list`` item (§2.1 documented fields + ``electricQuantityUpdateDate``/``bindDate``)."""
    return {
        "lockId": lock.lock_id,
        "lockName": lock.lock_name,
        "lockAlias": lock.lock_alias,
        "lockMac": lock.lock_mac,
        "electricQuantity": lock.electric_quantity,
        "featureValue": lock.feature_value,
        "hasGateway": 1 if world.has_gateway(lock) else 0,
        "lockData": lock.lock_data,
        "groupId": lock.group_id,
        "groupName": lock.group_name,
        "date": lock.init_date,
        "electricQuantityUpdateDate": lock.electric_quantity_update_date,
        "bindDate": lock.bind_date,
    }


def lock_detail(world: World, lock: Lock) -> dict[str, Any]:
    """``lock/detail`` (§2.1 documented + undocumented fields; unsupported ones absent)."""
    keys = lock.keys
    detail: dict[str, Any] = {
        "lockId": lock.lock_id,
        "lockName": lock.lock_name,
        "lockAlias": lock.lock_alias,
        "lockMac": lock.lock_mac,
        "noKeyPwd": keys.no_key_pwd,
        "electricQuantity": lock.electric_quantity,
        "featureValue": lock.feature_value,
        "timezoneRawOffset": lock.timezone_raw_offset,
        "modelNum": lock.model_num,
        "hardwareRevision": lock.hardware_revision,
        "firmwareRevision": lock.firmware_revision,
        "hasGateway": 1 if world.has_gateway(lock) else 0,
        "adminPwd": keys.admin_pwd,
        "lockKey": keys.lock_key,
        "aesKeyStr": keys.aes_key_str,
        "deletePwd": keys.delete_pwd,
        "isFrozen": lock.is_frozen,
        "specialValue": lock.special_value,
        "displayPasscode": lock.display_passcode,
        "keyboardPwdVersion": lock.keyboard_pwd_version,
        "lockFlagPos": keys.lock_flag_pos,
        "lockVersion": lock.lock_version.to_json(),
        "doubleVerification": lock.double_verification,
        "lockUpdateDate": lock.lock_update_date,
        "date": lock.init_date,  # required by the JB lock/detail model (§4.1)
    }
    optional: list[tuple[str, str, Any]] = [
        ("auto_lock", "autoLockTime", lock.auto_lock_time),
        ("audio", "lockSound", lock.lock_sound),
        ("volume_language", "soundVolume", lock.sound_volume),
        ("privacy_lock", "privacyLock", lock.privacy_lock),
        ("tamper_alert", "tamperAlert", lock.tamper_alert),
        ("reset_button", "resetButton", lock.reset_button),
        ("open_direction", "openDirection", lock.open_direction),
        ("passage_mode", "passageMode", lock.passage_mode),
        ("passage_mode_auto_unlock", "passageModeAutoUnlock", lock.passage_mode_auto_unlock),
        ("sensitivity", "sensitivity", lock.sensitivity),
        ("wireless_keypad", "wirelessKeypadFeatureValue", lock.wireless_keypad_feature_value),
    ]
    for feature, key, value in optional:
        if lock.has_feature(FEATURE[feature]):
            detail[key] = value
    return detail


def gateway_item(world: World, gateway: Gateway) -> dict[str, Any]:
    """A ``gateway/list`` item, also the ``gateway/detail`` answer (§2.6)."""
    return {
        "gatewayId": gateway.gateway_id,
        "gatewayMac": gateway.gateway_mac,
        "gatewayName": gateway.gateway_name,
        "gatewayVersion": gateway.gateway_version,
        "networkName": gateway.network_name,
        "networkMac": gateway.network_mac,
        "lockNum": world.gateway_lock_count(gateway.gateway_id),
        "isOnline": 1 if gateway.is_online else 0,
    }


# --- endpoints: locks (§2.1) --------------------------------------------------------------


@api("lock/list")
async def lock_list(req: ApiRequest) -> dict[str, Any]:
    page_no, page_size = req.paging(1000)
    lock_type = req.integer("type", required=False, default=1, minimum=1, maximum=3)
    alias = req.text("lockAlias", required=False).lower()
    group_id = req.integer("groupId", required=False, default=0)
    locks = [
        lock
        for lock in req.world.locks_of(req.account.uid, lock_type)
        if (not alias or alias in lock.lock_alias.lower())
        and (not group_id or lock.group_id == group_id)
    ]
    return paginate([lock_list_item(req.world, lock) for lock in locks], page_no, page_size)


@api("lock/detail")
async def lock_detail_endpoint(req: ApiRequest) -> dict[str, Any]:
    return lock_detail(req.world, req.admin_lock())


@api("wifiLock/detail")
async def wifi_lock_detail(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    if not lock.is_wifi:
        raise CloudError(-4043, f"lock {lock.lock_id} is not a Wi-Fi lock")
    return {
        "lockId": lock.lock_id,
        "networkName": lock.wifi_network_name,
        "wifiMac": lock.wifi_mac,
        "rssiGrade": lock.wifi_rssi_grade if lock.wifi_online else 0,
        "isOnline": 1 if lock.wifi_online else 0,
        "powerSavingMode": lock.wifi_power_saving_mode,
    }


@api("lock/queryOpenState")
async def lock_query_open_state(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    async with req.world.occupy(req.world.route(lock)):
        return req.world.remote_query_state(lock)


@api("lock/queryElectricQuantity")
async def lock_query_electric_quantity(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    async with req.world.occupy(req.world.route(lock)):
        return {"electricQuantity": req.world.remote_query_battery(lock)}


@api("lock/unlock", methods=COMMAND)
async def lock_unlock(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    route = req.world.route(lock)
    if not lock.remote_unlock:
        raise CloudError(-4043, "remote unlock is switched off for this lock in the TTLock app")
    async with req.world.occupy(route):
        req.world.remote_unlock(lock, req.account)
    return dict(SUCCESS)


@api("lock/lock", methods=COMMAND)
async def lock_lock(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    async with req.world.occupy(req.world.route(lock)):
        req.world.remote_lock(lock, req.account)
    return dict(SUCCESS)


# --- endpoints: gateways (§2.6) -----------------------------------------------------------


@api("gateway/list")
async def gateway_list(req: ApiRequest) -> dict[str, Any]:
    page_no, page_size = req.paging(200)
    world = req.world
    items = [gateway_item(world, gateway) for gateway in world.gateways_of(req.account.uid)]
    return paginate(items, page_no, page_size)


@api("gateway/listByLock")
async def gateway_list_by_lock(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    return {
        "list": [
            {
                "gatewayId": gateway.gateway_id,
                "gatewayMac": gateway.gateway_mac,
                "gatewayName": gateway.gateway_name,
                "rssi": link.rssi,
                "rssiUpdateDate": link.updated_ms,
            }
            for gateway, link in req.world.sightings(lock.lock_id)
        ]
    }


# --- endpoints: records (§2.7) ------------------------------------------------------------


@api("lockRecord/list")
async def lock_record_list(req: ApiRequest) -> dict[str, Any]:
    lock = req.admin_lock()
    page_no, page_size = req.paging(200)
    start = req.integer("startDate", required=False, default=0, minimum=0)
    end = req.integer("endDate", required=False, default=0, minimum=0)
    if start and end and start > end:
        raise CloudError(-3, "startDate must not be after endDate")
    record_type = req.integer("recordType", required=False, default=0)
    uid = req.integer("uid", required=False, default=0)
    search = req.text("searchStr", required=False).lower()
    records = [
        record
        for record in req.world.records.get(lock.lock_id, [])
        if (not start or record.lock_date >= start)
        and (not end or record.lock_date <= end)
        and (not record_type or record.record_type == record_type)
        and (not uid or record.uid == uid)
        and (
            not search or search in record.username.lower() or search in record.keyboard_pwd.lower()
        )
    ]
    records.sort(key=lambda record: (record.lock_date, record.record_id), reverse=True)
    return paginate([record.to_json() for record in records], page_no, page_size)
