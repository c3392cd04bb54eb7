"""Parsers of the TTLock cloud's answers into the SDK's dataclasses.

Field names and meanings: docs/cloud.md §2. Parsers are liberal: numbers may come as
strings, unknown values become ``None``; a list item without its id is malformed.
"""

from __future__ import annotations

import json
from typing import Any, Final

from ..model import (
    Card,
    CyclicPeriod,
    DoorState,
    EKey,
    Face,
    FeatureSet,
    Fingerprint,
    Gateway,
    GatewaySighting,
    Lock,
    LockDetail,
    LockRecord,
    LockVersion,
    PassageMode,
    PassagePeriod,
    Passcode,
    PasscodeType,
)
from .errors import TTLockApiError

type JSON = dict[str, Any]

SENSOR_STATE: Final = {0: DoorState.OPEN, 1: DoorState.CLOSED}
"""``sensorState`` of ``lock/queryOpenState``."""


def as_int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value)
    except TypeError, ValueError:
        return default


def as_battery(value: Any) -> int | None:
    level = as_int(value)
    return level if level is not None and 0 <= level <= 100 else None


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_lock(item: JSON) -> Lock:
    """A ``lock/list`` item."""
    try:
        lock_id = int(item["lockId"])
    except (KeyError, TypeError, ValueError) as err:
        raise TTLockApiError(-3, "malformed lock", "lock without lockId") from err
    lock_name = str(item.get("lockName") or "")
    return Lock(
        lock_id=lock_id,
        name=str(item.get("lockAlias") or lock_name or f"Lock {lock_id}"),
        lock_name=lock_name,
        mac=str(item.get("lockMac") or "").upper(),
        battery=as_battery(item.get("electricQuantity")),
        features=FeatureSet.from_hex(_str(item.get("featureValue"))),
        has_gateway=as_int(item.get("hasGateway"), 0) == 1,
        group_id=as_int(item.get("groupId")),
        group_name=_str(item.get("groupName")),
        lock_data=str(item.get("lockData") or ""),
    )


def parse_lock_detail(item: JSON) -> LockDetail:
    """A ``lock/detail`` answer, without its secrets."""
    lock = parse_lock(item)
    version = item.get("lockVersion") if isinstance(item.get("lockVersion"), dict) else {}
    assert isinstance(version, dict)
    passage = as_int(item.get("passageMode"))
    auto_unlock = as_int(item.get("passageModeAutoUnlock"))
    return LockDetail(
        lock_id=lock.lock_id,
        name=lock.name,
        mac=lock.mac,
        battery=lock.battery,
        features=lock.features,
        has_gateway=lock.has_gateway,
        model_num=_str(item.get("modelNum")),
        hardware_revision=_str(item.get("hardwareRevision")),
        firmware_revision=_str(item.get("firmwareRevision")),
        auto_lock_time=as_int(item.get("autoLockTime")),
        lock_sound=as_int(item.get("lockSound")),
        sound_volume=as_int(item.get("soundVolume")),
        passage_mode=None if passage is None else passage == 1,
        passage_mode_auto_unlock=None if auto_unlock is None else auto_unlock == 1,
        privacy_lock=as_int(item.get("privacyLock")),
        tamper_alert=as_int(item.get("tamperAlert")),
        reset_button=as_int(item.get("resetButton")),
        open_direction=as_int(item.get("openDirection")),
        timezone_raw_offset=as_int(item.get("timezoneRawOffset")),
        is_frozen=None if item.get("isFrozen") is None else as_int(item.get("isFrozen")) == 1,
        lock_version=LockVersion(
            protocol_type=as_int(version.get("protocolType"), 0) or 0,
            protocol_version=as_int(version.get("protocolVersion"), 0) or 0,
            scene=as_int(version.get("scene"), 0) or 0,
            group_id=as_int(version.get("groupId"), 0) or 0,
            org_id=as_int(version.get("orgId"), 0) or 0,
        ),
    )


def parse_gateway(item: JSON) -> Gateway:
    """A ``gateway/list`` item."""
    try:
        gateway_id = int(item["gatewayId"])
    except (KeyError, TypeError, ValueError) as err:
        raise TTLockApiError(-3, "malformed gateway", "gateway without gatewayId") from err
    return Gateway(
        gateway_id=gateway_id,
        mac=str(item.get("gatewayMac") or "").upper(),
        name=str(item.get("gatewayName") or f"Gateway {gateway_id}"),
        version=as_int(item.get("gatewayVersion"), 0) or 0,
        network_name=_str(item.get("networkName")),
        network_mac=_str(item.get("networkMac")),
        lock_count=as_int(item.get("lockNum"), 0) or 0,
        is_online=as_int(item.get("isOnline"), 0) == 1,
    )


def parse_gateway_sighting(item: JSON) -> GatewaySighting:
    """A ``gateway/listByLock`` item."""
    return GatewaySighting(
        gateway_id=as_int(item.get("gatewayId"), 0) or 0,
        mac=str(item.get("gatewayMac") or "").upper(),
        name=str(item.get("gatewayName") or ""),
        rssi=as_int(item.get("rssi"), -127) or -127,
        rssi_updated_at=as_int(item.get("rssiUpdateDate")),
    )


def parse_lock_record(item: JSON, lock_id: int | None = None) -> LockRecord:
    """A ``lockRecord/list`` item or a record of a webhook push."""
    return LockRecord(
        record_id=as_int(item.get("recordId")),
        lock_id=as_int(item.get("lockId"), lock_id or 0) or 0,
        record_type=as_int(item.get("recordType"), 0) or 0,
        record_type_from_lock=as_int(item.get("recordTypeFromLock")),
        success=as_int(item.get("success"), 1) == 1,
        username=str(item.get("username") or ""),
        keyboard_pwd=str(item.get("keyboardPwd") or ""),
        lock_date=as_int(item.get("lockDate"), 0) or 0,
        server_date=as_int(item.get("serverDate")),
        battery=as_battery(item.get("electricQuantity")),
    )


def parse_cyclic_config(value: Any) -> CyclicPeriod | None:
    """``cyclicConfig`` (a list, or a JSON string of one) → :class:`CyclicPeriod`.

    The API requires the same window on every listed day; should a reply mix windows,
    the first entry's window and the days sharing it are kept.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else None
        except ValueError:
            return None
    if not isinstance(value, list):
        return None
    entries = [item for item in value if isinstance(item, dict)]
    if not entries:
        return None
    start, end = as_int(entries[0].get("startTime")), as_int(entries[0].get("endTime"))
    days = tuple(
        day
        for item in entries
        if (day := as_int(item.get("weekDay"))) is not None
        and (as_int(item.get("startTime")), as_int(item.get("endTime"))) == (start, end)
    )
    try:
        return CyclicPeriod(weekdays=days, start_minute=start or 0, end_minute=end or 0)
    except ValueError:
        return None


def _item_id(item: JSON, key: str, what: str) -> int:
    value = as_int(item.get(key))
    if value is None:
        raise TTLockApiError(-3, f"malformed {what}", f"{what} without {key}")
    return value


def _passcode_type(value: Any) -> PasscodeType | None:
    number = as_int(value)
    try:
        return PasscodeType(number) if number is not None else None
    except ValueError:
        return None


def parse_passcode(item: JSON, lock_id: int | None = None) -> Passcode:
    """A ``lock/listKeyboardPwd`` item."""
    end = as_int(item.get("endDate"))
    return Passcode(
        passcode_id=_item_id(item, "keyboardPwdId", "passcode"),
        lock_id=as_int(item.get("lockId"), lock_id or 0) or 0,
        keyboard_pwd=str(item.get("keyboardPwd") or ""),
        name=str(item.get("keyboardPwdName") or ""),
        type=_passcode_type(item.get("keyboardPwdType")),
        is_custom=as_int(item.get("isCustom"), 0) == 1,
        start_date=as_int(item.get("startDate")),
        end_date=end,
        send_date=as_int(item.get("sendDate")),
        sender_username=_str(item.get("senderUsername")),
    )


def parse_card(item: JSON, lock_id: int | None = None) -> Card:
    """An ``identityCard/list`` item."""
    return Card(
        card_id=_item_id(item, "cardId", "card"),
        lock_id=as_int(item.get("lockId"), lock_id or 0) or 0,
        card_number=str(item.get("cardNumber") or ""),
        name=str(item.get("cardName") or ""),
        start_date=as_int(item.get("startDate"), 0) or 0,
        end_date=as_int(item.get("endDate"), 0) or 0,
        cyclic=parse_cyclic_config(item.get("cyclicConfig")),
        create_date=as_int(item.get("createDate")),
        sender_username=_str(item.get("senderUsername")),
    )


def parse_fingerprint(item: JSON, lock_id: int | None = None) -> Fingerprint:
    """A ``fingerprint/list`` item."""
    return Fingerprint(
        fingerprint_id=_item_id(item, "fingerprintId", "fingerprint"),
        lock_id=as_int(item.get("lockId"), lock_id or 0) or 0,
        fingerprint_number=str(item.get("fingerprintNumber") or ""),
        name=str(item.get("fingerprintName") or ""),
        start_date=as_int(item.get("startDate"), 0) or 0,
        end_date=as_int(item.get("endDate"), 0) or 0,
        cyclic=parse_cyclic_config(item.get("cyclicConfig")),
        create_date=as_int(item.get("createDate")),
        sender_username=_str(item.get("senderUsername")),
    )


def parse_face(item: JSON, lock_id: int | None = None) -> Face:
    """A ``face/list`` item (the docs' table says ``name``, their example ``faceName``)."""
    return Face(
        face_id=_item_id(item, "faceId", "face"),
        lock_id=as_int(item.get("lockId"), lock_id or 0) or 0,
        face_number=str(item.get("faceNumber") or ""),
        name=str(item.get("name") or item.get("faceName") or ""),
        start_date=as_int(item.get("startDate"), 0) or 0,
        end_date=as_int(item.get("endDate"), 0) or 0,
        cyclic=parse_cyclic_config(item.get("cyclicConfig")),
        status=as_int(item.get("status")),
        create_date=as_int(item.get("createDate")),
        sender_username=_str(item.get("nickname") or item.get("senderUsername")),
    )


def parse_ekey(item: JSON, lock_id: int | None = None) -> EKey:
    """A ``lock/listKey`` item (``keyStatus`` may come as a string)."""
    return EKey(
        key_id=_item_id(item, "keyId", "eKey"),
        lock_id=as_int(item.get("lockId"), lock_id or 0) or 0,
        username=str(item.get("username") or ""),
        uid=as_int(item.get("uid")),
        name=str(item.get("keyName") or ""),
        status=as_int(item.get("keyStatus"), 0) or 0,
        start_date=as_int(item.get("startDate"), 0) or 0,
        end_date=as_int(item.get("endDate"), 0) or 0,
        authorized=as_int(item.get("keyRight"), 0) == 1,
        remote_unlock=as_int(item.get("remoteEnable"), 0) == 1,
        sender_username=_str(item.get("senderUsername")),
        remarks=_str(item.get("remarks")),
        date=as_int(item.get("date")),
    )


# ---------------------------------------------------------------------- lock settings
def _json_list(value: Any) -> list[Any] | None:
    """A JSON array, or a JSON string holding one (``cyclicConfig``, ``weekDays``)."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else None
        except ValueError:
            return None
    return value if isinstance(value, list) else None


def parse_passage_period(item: JSON) -> PassagePeriod | None:
    """One ``cyclicConfig`` item (or the older flat answer); ``None`` when unusable."""
    days = _json_list(item.get("weekDays")) or []
    weekdays = frozenset(day for raw in days if (day := as_int(raw)) is not None and 1 <= day <= 7)
    start = as_int(item.get("startTime", item.get("startDate")), 0) or 0
    end = as_int(item.get("endTime", item.get("endDate")), 0) or 0
    try:
        return PassagePeriod(
            all_day=as_int(item.get("isAllDay")) == 1,
            start_minute=start,
            end_minute=end,
            weekdays=weekdays,
        )
    except ValueError:
        return None


def parse_passage_mode(body: JSON) -> PassageMode:
    """``lock/getPassageModeConfiguration``; also the older ``lock/getPassageModeConfig``
    answer with one flat period (docs/lock-settings.md §4). Unusable periods are skipped."""
    items = _json_list(body.get("cyclicConfig"))
    if items is None and "weekDays" in body:
        items = [body]
    periods = [
        period
        for item in items or []
        if isinstance(item, dict) and (period := parse_passage_period(item)) is not None
    ]
    periods.sort(key=lambda period: (not period.all_day, period.start_minute, period.end_minute))
    return PassageMode(
        enabled=as_int(body.get("passageMode")) == 1,
        auto_unlock=as_int(body.get("autoUnlock")) == 1,
        periods=tuple(periods),
    )
