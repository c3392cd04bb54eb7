"""Credentials of the simulated TTLock cloud: passcodes, IC cards, fingerprints, faces, eKeys.

Specification: ``/work/shared/research/ttlock-cloud-and-peers.md`` §2.2 (passcodes),
§2.3 (IC cards), §2.4 (fingerprints, faces), §2.5 (eKeys), §3 (limits); parameter and
field names as the JB-docs pages quoted there. Offline ("random") codes use the labelled
**STAND-IN** algorithm of :mod:`simulator.offline_codes` (**not TTLock's algorithm**, which is
not public — ``ttlock-ble-protocol.md`` §8.3).

Endpoints (registered on import; :mod:`simulator.cloud` imports this module)
    passcodes: ``keyboardPwd/get`` (offline types 1–14), ``keyboardPwd/add`` (custom,
    4–9 digits, type 2/3, ``addType`` 1/2/4), ``keyboardPwd/change``,
    ``keyboardPwd/delete``, ``lock/listKeyboardPwd`` (≤ 200, ``orderBy``, ``searchStr``).
    No ``keyboardPwd/clear``: the research documents none.
    IC cards: ``identityCard/add``, ``identityCard/addForReversedCardNumber``,
    ``identityCard/list``, ``identityCard/delete``, ``identityCard/changePeriod``,
    ``identityCard/rename``, ``identityCard/clear``.
    fingerprints: ``fingerprint/add`` (record only), ``…/list``, ``…/delete``,
    ``…/changePeriod``, ``…/rename``, ``…/clear``.
    faces: ``face/add`` (``addType`` 2 with ``featureData`` or 1 with ``faceNumber``;
    ``type`` 1 normal / 4 cyclic), ``face/list``, ``face/delete`` and ``face/changePeriod``
    (method in ``type``, as the face pages name it), ``face/rename``, ``face/clear``.
    eKeys: ``key/send``, ``key/list``, ``key/get``, ``lock/listKey``, ``key/delete``,
    ``key/freeze``, ``key/unfreeze``, ``key/update``, ``key/changePeriod``,
    ``key/authorize``, ``key/unauthorize``, ``key/getUnlockLink``.

Method selector (§2): ``addType``/``deleteType``/``changeType`` (faces: ``type``) 1 =
record only (the app already did it over Bluetooth), 2 = through the gateway or Wi-Fi lock:
the same routing and busy logic as ``lock/unlock`` (-2012 no gateway, -3002 gateway offline,
-3036 Wi-Fi lock offline, -3003/-3037 busy), 4 = asynchronous (passcode add on a Wi-Fi lock
only). The default is 1. ``cyclicConfig`` is a JSON string (80002 when it is not JSON, -3
when malformed).

Two truths kept apart, as on a real system: the **lock's memory** (:class:`LockMemory`,
:func:`lock_memory`: keypad codes, cards, fingerprints — what the keypad and readers check)
and the **cloud's lists** (``lock.passcodes`` / ``cards`` / ``fingerprints``: what was
recorded, what the list endpoints show). Methods 2 and 4 change both. Method 1 changes only
the list when a simulated Bluetooth lock shares the memory (``simulator.ble`` — the app's
Bluetooth step then really happened on that lock); on a lock without one it also changes the
memory, standing in for that Bluetooth step.

Who may call: the lock's top administrator or an authorised administrator (an eKey with
``keyRight`` 1, valid and not frozen); a plain eKey holder gets -2018, anyone else 20002.

Errcodes chosen where the research is silent (documented here and in the handlers)
    * two offline codes with the same effective start + end on a lock (deleted ones count,
      period and cyclic types): **-3007** "the same passcode already exists";
    * more than 200 one-time / 20 permanent / 20 erase codes for one start hour: **-3009**;
    * a passcode name already used on the lock (empty names exempt; offline and custom
      codes alike): **-1016** "an identical name exists" (listed under eKeys in the error
      table, the only documented duplicate-name code);
    * offline code for a year outside the lock's 10-year table: -1007;
    * unknown ``keyboardPwdId`` on change: -3; on delete: success (delete calls "report
      success even if the id was already deleted", research §1.3);
    * a card / fingerprint / face number already on the lock: -3; unknown face: -3;
    * fingerprint or face enrolment over the gateway (fingerprint ``addType`` 2): -4043;
    * a credential type the lock lacks (featureValue bits 0, 1, 2, 12, 34, 53): -4043;
    * eKey: -1008 unknown key, -2019 to oneself, -2020 to the top admin, -4064 receiver not
      registered (without ``createUser=1``), -2023 changing the admin key's period, -2018
      for other operations on the admin key, for granting admin rights as a non-top admin
      and on the unlock link when the key is frozen or outside its validity.

Lock side (:func:`use_keypad` / :func:`use_reader` are the rules; :func:`enter_code`,
:func:`present_card`, :func:`present_fingerprint` the attempts — through the Bluetooth twin
when there is one; also
``World.enter_code`` …, and the controls ``POST /sim/lock/keypad {lockId, digits}``,
``/sim/lock/card {lockId, cardNumber}``, ``/sim/lock/fingerprint {lockId,
fingerprintNumber}`` and ``/sim/lock/keypad_memory {lockId}``): a code opens if it
is *contained* in the typed digits (anti-peep), the admin keypad code and the codes in the
lock's memory by their validity window and offline codes by the STAND-IN rules; an erase
code voids every other code on the lock (the cloud list is not told, as a lock without a
gateway could not tell it). Each attempt
appends a record (recordType 4/7/8, ``username`` = the credential's name, ``keyboardPwd``
= the matched code / card / fingerprint number, or the typed digits on failure).

Simulator-only: ``key/getUnlockLink`` answers ``<server>/ekey/h?k=<token>``; ``GET`` on it
unlocks the lock (through the gateway route) when lock and key allow remote unlock and the
key is valid. It is not under ``/sim/`` and works with ``controls=False`` too.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from aiohttp import web

from .cloud import (
    COMMAND,
    CONTROLS,
    ROUTE_HOOKS,
    SUCCESS,
    ApiRequest,
    _as_int,
    _ControlError,
    _dumps,
    _need,
    api,
    paginate,
)
from .codes import FEATURE, RECORD_TYPE, CloudError
from .entities import Lock, LockRecord
from .offline_codes import (
    CYCLIC_WEEKDAYS,
    SLOT_CAPACITY,
    STAND_IN_LABEL,
    OfflineCode,
    check_offline_code,
    generate_offline_code,
    keypad_memory,
    resolve_offline_window,
    use_offline_code,
)
from .world import World

__all__ = [
    "ADMIN_KEY_BASE",
    "CUSTOM_PASSCODE_LIMIT",
    "AccessResult",
    "HeldCredential",
    "HeldPasscode",
    "KeypadVerdict",
    "LockMemory",
    "LockTwin",
    "ReaderVerdict",
    "SimCredential",
    "SimEKey",
    "SimPasscode",
    "enter_code",
    "forget_offline_code",
    "listed_credential",
    "listed_passcode",
    "lock_memory",
    "present_card",
    "present_fingerprint",
    "reverse_card_number",
    "use_keypad",
    "use_reader",
]

CUSTOM_PASSCODE_LIMIT = 250  # §2.2 / §3.2
MAX_KEYPAD_DIGITS = 16  # anti-peep: digits typed around a code [INFERRED limit]
RECORD_ONLY, REMOTE, ASYNCHRONOUS = 1, 2, 4
KEY_NORMAL, KEY_FROZEN = 110401, 110405  # §2.5 keyStatus
USER_ADMIN, USER_COMMON = 110301, 110302  # key/list userType
ADMIN_KEY_BASE = 90_000_000  # admin eKey id = ADMIN_KEY_BASE + lockId (synthetic)
_ID_BASES = {
    "passcode": 40_000_000,
    "card": 41_000_000,
    "fingerprint": 42_000_000,
    "face": 43_000_000,
    "ekey": 44_000_000,
}


# --- stored objects -------------------------------------------------------------------------


@dataclass
class SimPasscode:
    """One passcode of a lock (``lock.passcodes``): custom, or offline (STAND-IN)."""

    passcode_id: int
    lock_id: int
    code: str
    name: str
    kind: int  # keyboardPwdType
    start_ms: int
    end_ms: int
    is_custom: bool
    sender_username: str
    send_ms: int
    stored_ms: int  # when the lock took it into memory (custom / changed codes)
    stand_in: OfflineCode | None = None  # offline code checked by the STAND-IN rules

    def to_json(self) -> dict[str, Any]:
        return {
            "keyboardPwdId": self.passcode_id,
            "lockId": self.lock_id,
            "keyboardPwd": self.code,
            "keyboardPwdName": self.name,
            "keyboardPwdType": self.kind,
            "startDate": self.start_ms,
            "endDate": self.end_ms,
            "sendDate": self.send_ms,
            "isCustom": 1 if self.is_custom else 0,
            "senderUsername": self.sender_username,
        }


@dataclass
class SimCredential:
    """An IC card, fingerprint or face of a lock (``lock.cards`` / ``fingerprints`` / ``faces``)."""

    credential_id: int
    lock_id: int
    number: str
    name: str
    kind: int  # 1 normal / 4 cyclic
    start_ms: int  # 0/0 = permanent
    end_ms: int
    cyclic: list[dict[str, int]]
    create_ms: int
    sender_username: str
    sender_uid: int


@dataclass
class SimEKey:
    """A common (or authorised-admin) eKey of a lock (``lock.ekeys``)."""

    key_id: int
    lock_id: int
    uid: int
    username: str
    key_name: str
    start_ms: int  # 0/0 = permanent
    end_ms: int
    remarks: str
    remote_enable: int  # 1 yes / 2 no
    key_right: int  # 1 authorised administrator / 0
    status: int
    sender_username: str
    date_ms: int
    link_token: str | None = None

    def validity(self, now_ms: int) -> str:
        """``ok``, ``frozen``, ``not_yet_valid`` or ``expired``."""
        if self.status == KEY_FROZEN:
            return "frozen"
        return _window_reason(self.start_ms, self.end_ms, now_ms)


@dataclass(frozen=True)
class AccessResult:
    """What happened at the lock: keypad entry, card or fingerprint."""

    success: bool
    reason: str
    """``ok`` or why not (``unknown``, ``expired``, ``not_yet_valid``, ``used``,
    ``void_unused``, ``outside_window``, ``erased``, ``deleted``); a Bluetooth twin may also
    say ``enrolled`` (a card or finger taken in add mode) or ``setting_mode``."""
    record: LockRecord | None
    """The cloud record; None when the lock logged nothing the cloud shows (enrolment)."""
    credential_id: int | None = None
    name: str = ""
    erase: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "reason": self.reason,
            "credentialId": self.credential_id,
            "name": self.name,
            "erase": self.erase,
            "record": None if self.record is None else self.record.to_json(),
        }


# --- shared helpers ---------------------------------------------------------------------


def _key_of(lock: Lock, uid: int) -> SimEKey | None:
    for key in lock.ekeys.values():
        if key.uid == uid:
            return key
    return None


def managed_lock(req: ApiRequest, name: str = "lockId") -> Lock:
    """The lock named by ``name`` if the caller is its top or authorised administrator."""
    world = req.world
    lock = world.lock(req.integer(name))
    uid = req.account.uid
    if lock.admin_uid != uid:
        key = _key_of(lock, uid)
        if key is None:
            raise CloudError(20002, f"you are not the administrator of lock {lock.lock_id}")
        if key.key_right != 1 or key.validity(world.now_ms()) != "ok":
            raise CloudError(-2018, "only the administrator or an authorised administrator")
    return world.refresh_state(lock)


def _require_feature(lock: Lock, feature: str) -> None:
    if not lock.has_feature(FEATURE[feature]):
        raise CloudError(
            -4043,
            f"lock {lock.lock_id} does not support {feature.replace('_', ' ')} "
            f"(featureValue bit {FEATURE[feature]})",
        )


def _method(req: ApiRequest, name: str, allowed: tuple[int, ...] = (1, 2)) -> int:
    value = req.integer(name, required=False, default=RECORD_ONLY)
    if value not in allowed:
        raise CloudError(-3, f"{name} must be one of {', '.join(map(str, allowed))}")
    return value


async def _relay[T](req: ApiRequest, lock: Lock, method: int, apply: Callable[[], T]) -> T:
    """Apply a change record-only (1, 4) or through the gateway / Wi-Fi lock (2)."""
    if method != REMOTE:
        return apply()
    world = req.world
    async with world.occupy(world.route(lock)):
        world._after_remote(lock)
        return apply()


def _window_reason(start_ms: int, end_ms: int, now_ms: int) -> str:
    if start_ms and now_ms < start_ms:
        return "not_yet_valid"
    if end_ms and now_ms >= end_ms:
        return "expired"
    return "ok"


def _local(ms: int, tz_offset_ms: int) -> datetime:
    return datetime.fromtimestamp((ms + tz_offset_ms) / 1000, UTC)


def _validity(req: ApiRequest, *, allow_permanent: bool = True) -> tuple[int, int]:
    """``startDate``/``endDate``: both 0 (permanent) or a real window."""
    start = req.integer("startDate", required=False, default=0, minimum=0)
    end = req.integer("endDate", required=False, default=0, minimum=0)
    if start == 0 and end == 0:
        if not allow_permanent:
            raise CloudError(-3, "the validity cannot be changed to permanent")
        return 0, 0
    if not start or not end:
        raise CloudError(-3, "startDate and endDate are both required (or both 0: permanent)")
    if end <= start:
        raise CloudError(-3, "endDate must be after startDate")
    return start, end


def parse_cyclic_config(raw: str | None) -> list[dict[str, int]]:
    """``cyclicConfig`` JSON string → list of ``{weekDay, startTime, endTime}`` (sorted)."""
    if raw is None or raw.strip() == "":
        return []
    try:
        items = json.loads(raw)
    except ValueError:
        raise CloudError(80002, "cyclicConfig is not valid JSON") from None
    if not isinstance(items, list):
        raise CloudError(-3, "cyclicConfig must be a JSON array")
    result: list[dict[str, int]] = []
    for item in items:
        if not isinstance(item, dict):
            raise CloudError(-3, "cyclicConfig items must be objects")
        try:
            day, start, end = (int(item[key]) for key in ("weekDay", "startTime", "endTime"))
        except (KeyError, TypeError, ValueError):
            raise CloudError(-3, "cyclicConfig items need weekDay, startTime, endTime") from None
        if not 1 <= day <= 7 or not 0 <= start < end <= 1440:
            raise CloudError(-3, "The time of REPEAT is incorrect")
        result.append({"weekDay": day, "startTime": start, "endTime": end})
    if len({item["weekDay"] for item in result}) != len(result):
        raise CloudError(-3, "cyclicConfig lists a weekday twice")
    if len({(item["startTime"], item["endTime"]) for item in result}) > 1:
        raise CloudError(-3, "the valid time period of each week day must be the same")
    return sorted(result, key=lambda item: item["weekDay"])


def _cyclic_reason(cyclic: list[dict[str, int]], now_ms: int, tz_offset_ms: int) -> str:
    local = _local(now_ms, tz_offset_ms)
    minute = local.hour * 60 + local.minute
    for item in cyclic:
        if item["weekDay"] == local.isoweekday() and item["startTime"] <= minute < item["endTime"]:
            return "ok"
    return "outside_window"


def _ordered[T](
    items: list[T], order_by: int, name: Callable[[T], str], newest: Callable[[T], Any]
):
    if order_by == 0:
        return sorted(items, key=lambda item: (name(item).lower(), newest(item)))
    if order_by == 2:
        return sorted(items, key=lambda item: (name(item).lower(), newest(item)), reverse=True)
    return sorted(items, key=newest, reverse=True)


def _order_by(req: ApiRequest) -> int:
    return req.integer("orderBy", required=False, default=1, minimum=0, maximum=2)


def _new_id(world: World, kind: str) -> int:
    return world.next_id(kind, _ID_BASES[kind])


# --- passcodes (§2.2) -------------------------------------------------------------------


def _check_name_free(lock: Lock, name: str, except_id: int | None = None) -> None:
    """Passcode names are unique per lock (§2.2 "in practice"); empty names are exempt."""
    if not name:
        return
    for passcode in lock.passcodes.values():
        if passcode.passcode_id != except_id and passcode.name == name:
            raise CloudError(-1016, f"the lock already has a passcode named {name!r}")


def _check_code_free(lock: Lock, code: str, except_id: int | None = None) -> None:
    for passcode in lock.passcodes.values():
        if passcode.passcode_id != except_id and passcode.code == code:
            raise CloudError(-3007, "The same passcode already exists. Please use another one")


def _custom_code(value: str) -> str:
    if not value.isdigit() or not 4 <= len(value) <= 9:
        raise CloudError(-3006, "Invalid Passcode. A custom passcode has 4–9 digits")
    return value


@api("keyboardPwd/get", methods=COMMAND)
async def keyboard_pwd_get(req: ApiRequest) -> dict[str, Any]:
    """Issue an offline code (STAND-IN algorithm; no gateway needed)."""
    lock = managed_lock(req)
    _require_feature(lock, "passcode")
    kind = req.integer("keyboardPwdType", minimum=1, maximum=14)
    if kind in CYCLIC_WEEKDAYS:
        _require_feature(lock, "cyclic_passcode")
    name = req.text("keyboardPwdName", required=False)
    start = req.integer("startDate", minimum=1)
    end = req.integer("endDate", required=False, default=0, minimum=0)
    entries = lock.keys.pwd_info_entries
    if not entries:
        raise CloudError(-1007, f"no password data of lock {lock.lock_id}", None)
    tz = lock.timezone_raw_offset
    try:
        code = resolve_offline_window(kind, start, end or None, tz)
    except ValueError as error:
        raise CloudError(-3, str(error)) from None
    _check_name_free(lock, name)
    if kind in SLOT_CAPACITY:
        slot = sum(
            1
            for issued in lock.offline_issued
            if issued.kind == kind and issued.start_ms == code.start_ms
        )
        if slot >= SLOT_CAPACITY[kind]:
            raise CloudError(
                -3009,
                f"no more than {SLOT_CAPACITY[kind]} codes of type {kind} for one start hour",
            )
        code = replace(code, slot=slot)
    elif any(
        issued.kind not in SLOT_CAPACITY
        and (issued.start_ms, issued.end_ms) == (code.start_ms, code.end_ms)
        for issued in lock.offline_issued
    ):
        raise CloudError(
            -3007, "an offline passcode with the same start and end was already issued"
        )
    try:
        digits = generate_offline_code(entries, code, tz)
    except LookupError as error:
        raise CloudError(-1007, f"no password data for this period: {error}", None) from None
    now = req.world.now_ms()
    passcode = SimPasscode(
        passcode_id=_new_id(req.world, "passcode"),
        lock_id=lock.lock_id,
        code=digits,
        name=name,
        kind=kind,
        start_ms=code.start_ms,
        end_ms=code.end_ms,
        is_custom=False,
        sender_username=req.account.username,
        send_ms=now,
        stored_ms=now,
        stand_in=code,
    )
    lock.passcodes[passcode.passcode_id] = passcode
    lock.offline_issued.append(code)
    return {"keyboardPwd": digits, "keyboardPwdId": passcode.passcode_id}


@api("keyboardPwd/add", methods=COMMAND)
async def keyboard_pwd_add(req: ApiRequest) -> dict[str, Any]:
    """Write a custom code (4–9 digits) into the lock; at most 250 per lock."""
    lock = managed_lock(req)
    _require_feature(lock, "passcode")
    code = _custom_code(req.text("keyboardPwd"))
    name = req.text("keyboardPwdName", required=False)
    kind = req.integer("keyboardPwdType", required=False, default=3)
    if kind not in (2, 3):
        raise CloudError(-3, "keyboardPwdType must be 2 (permanent) or 3 (period)")
    start = req.integer("startDate", required=False, default=0, minimum=0)
    end = req.integer("endDate", required=False, default=0, minimum=0)
    if kind == 3 and (not start or not end):
        raise CloudError(-3, "startDate and endDate are required for a period passcode")
    if kind == 3 and end <= start:
        raise CloudError(-3, "endDate must be after startDate")
    method = _method(req, "addType", (RECORD_ONLY, REMOTE, ASYNCHRONOUS))
    if method == ASYNCHRONOUS and not lock.is_wifi:
        raise CloudError(-4043, "addType 4 (asynchronous) is for Wi-Fi locks only")
    writes = _writes_memory(lock, method)

    def check() -> None:
        _check_name_free(lock, name)
        _check_code_free(lock, code)
        if writes and code in lock_memory(lock).passcodes:
            raise CloudError(-3007, "the lock already holds this passcode (added over Bluetooth)")
        if sum(1 for p in lock.passcodes.values() if p.is_custom) >= CUSTOM_PASSCODE_LIMIT:
            raise CloudError(
                -3009,
                "There is NO SPACE to store Customized Passcodes. "
                "Please Delete Un-Used Customized Passcodes and try again",
            )

    def apply() -> SimPasscode:
        check()
        now = req.world.now_ms()
        passcode = SimPasscode(
            passcode_id=_new_id(req.world, "passcode"),
            lock_id=lock.lock_id,
            code=code,
            name=name,
            kind=kind,
            start_ms=start if kind == 3 else (start or now),
            end_ms=end if kind == 3 else 0,
            is_custom=True,
            sender_username=req.account.username,
            send_ms=now,
            stored_ms=now,
        )
        lock.passcodes[passcode.passcode_id] = passcode
        if writes:
            lock_memory(lock).hold_passcode(_held_from_passcode(passcode, now))
        return passcode

    check()
    passcode = await _relay(req, lock, method, apply)
    return {"keyboardPwdId": passcode.passcode_id}


@api("keyboardPwd/change", methods=COMMAND)
async def keyboard_pwd_change(req: ApiRequest) -> dict[str, Any]:
    """Rename (no ``changeType`` needed) or change code / validity (``changeType`` 1/2).

    An offline code that was never entered on the lock cannot change code or validity
    (-3008). A changed offline code is kept by the lock as a plain code with the new
    start/end (its old digits stop working).
    """
    lock = managed_lock(req)
    passcode_id = req.integer("keyboardPwdId")
    passcode: SimPasscode | None = lock.passcodes.get(passcode_id)
    if passcode is None:
        raise CloudError(-3, f"passcode {passcode_id} does not exist on lock {lock.lock_id}")
    name = req.params.get("keyboardPwdName")
    new_code = req.text("newKeyboardPwd", required=False)
    start = req.integer("startDate", required=False, default=0, minimum=0)
    end = req.integer("endDate", required=False, default=0, minimum=0)
    if name is not None:
        _check_name_free(lock, name, passcode_id)
    if not new_code and not start and not end:
        if name is None:
            raise CloudError(-3, "nothing to change")
        passcode.name = name
        return dict(SUCCESS)
    method = _method(req, "changeType")
    writes = _writes_memory(lock, method)
    if passcode.stand_in is not None and passcode.code not in keypad_memory(lock).first_used:
        raise CloudError(-3008, "A Passcode that has never been used on the Lock cannot be changed")
    if new_code:
        _custom_code(new_code)
        _check_code_free(lock, new_code, passcode_id)
    if (start or end) and (not start or not end or end <= start):
        raise CloudError(-3, "startDate and endDate are required together, end after start")

    def apply() -> None:
        now = req.world.now_ms()
        old_code, offline = passcode.code, passcode.stand_in is not None
        passcode.stand_in = None
        if new_code:
            passcode.code = new_code
        if start:
            passcode.start_ms, passcode.end_ms = start, end
            if passcode.is_custom and passcode.kind == 2:
                passcode.kind = 3
        if name is not None:
            passcode.name = name
        passcode.stored_ms = now
        if writes:  # the lock drops the old code and stores the changed one
            memory = lock_memory(lock)
            if offline:
                keypad_memory(lock).blacklist.add(old_code)
            else:
                memory.passcodes.pop(old_code, None)
            memory.hold_passcode(_held_from_passcode(passcode, now))

    await _relay(req, lock, method, apply)
    return dict(SUCCESS)


@api("keyboardPwd/delete", methods=COMMAND)
async def keyboard_pwd_delete(req: ApiRequest) -> dict[str, Any]:
    """Delete a passcode (unknown ids succeed, research §1.3); offline codes are refused
    by the lock afterwards."""
    lock = managed_lock(req)
    passcode_id = req.integer("keyboardPwdId")
    method = _method(req, "deleteType")
    writes = _writes_memory(lock, method)

    def apply() -> None:
        passcode = lock.passcodes.pop(passcode_id, None)
        if passcode is None or not writes:
            return
        if passcode.stand_in is not None:
            keypad_memory(lock).blacklist.add(passcode.code)
        else:
            lock_memory(lock).passcodes.pop(passcode.code, None)

    await _relay(req, lock, method, apply)
    return dict(SUCCESS)


@api("lock/listKeyboardPwd")
async def lock_list_keyboard_pwd(req: ApiRequest) -> dict[str, Any]:
    """All passcodes the cloud recorded for a lock, offline and custom, with the plaintext
    codes (a code added over Bluetooth and never recorded with addType 1 is not listed)."""
    lock = managed_lock(req)
    page_no, page_size = req.paging(200)
    order_by = _order_by(req)
    search = req.text("searchStr", required=False)
    items: list[SimPasscode] = [
        passcode
        for passcode in lock.passcodes.values()
        if not search or search.lower() in passcode.name.lower() or passcode.code == search
    ]
    items = _ordered(items, order_by, lambda p: p.name, lambda p: (p.send_ms, p.passcode_id))
    return paginate([passcode.to_json() for passcode in items], page_no, page_size)


# --- cards, fingerprints, faces (§2.3, §2.4) --------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """Field names and rules of one credential family."""

    label: str
    collection: str
    id_kind: str
    id_field: str
    number_field: str
    name_field: str
    type_field: str
    feature: str
    not_found: int
    delete_field: str
    change_field: str
    extra: Callable[[SimCredential], dict[str, Any]] = field(default=lambda _c: {})


CARD = _Kind(
    "IC card", "cards", "card", "cardId", "cardNumber", "cardName", "cardType",
    "ic_card", -1021, "deleteType", "changeType",
)  # fmt: skip
FINGERPRINT = _Kind(
    "fingerprint", "fingerprints", "fingerprint", "fingerprintId", "fingerprintNumber",
    "fingerprintName", "fingerprintType", "fingerprint", -1023, "deleteType", "changeType",
)  # fmt: skip
FACE = _Kind(
    "face", "faces", "face", "faceId", "faceNumber", "name", "type", "face_3d", -3,
    "type", "type",
    extra=lambda c: {
        "faceName": c.name,  # the face/list example's spelling of ``name``
        "faceType": c.kind,  # … and of ``type``
        "status": 1,
        "nickname": c.sender_username,
        "userid": c.sender_uid,
    },
)  # fmt: skip


def _collection(lock: Lock, kind: _Kind) -> dict[int, SimCredential]:
    result: dict[int, SimCredential] = getattr(lock, kind.collection)
    return result


def _held(lock: Lock, kind: _Kind) -> dict[str, HeldCredential] | None:
    """The lock's own table for cards / fingerprints (faces: no reader is simulated)."""
    if kind.collection not in ("cards", "fingerprints"):
        return None
    return lock_memory(lock).readers(kind)


def _credential_json(kind: _Kind, item: SimCredential) -> dict[str, Any]:
    data: dict[str, Any] = {
        kind.id_field: item.credential_id,
        "lockId": item.lock_id,
        kind.number_field: item.number,
        kind.name_field: item.name,
        kind.type_field: item.kind,
        "startDate": item.start_ms,
        "endDate": item.end_ms,
        "cyclicConfig": item.cyclic,
        "createDate": item.create_ms,
        "senderUsername": item.sender_username,
    }
    data.update(kind.extra(item))
    return data


def _find(lock: Lock, kind: _Kind, credential_id: int) -> SimCredential:
    item = _collection(lock, kind).get(credential_id)
    if item is None:
        raise CloudError(kind.not_found, f"This {kind.label} does not exist")
    return item


def _number(value: str, label: str) -> str:
    value = value.strip()
    if not value.isdigit() or len(value) > 20:
        raise CloudError(-3, f"{label} number must be digits")
    return str(int(value))


def reverse_card_number(number: str | int) -> str:
    """The number ``identityCard/addForReversedCardNumber`` stores: the card UID's bytes in
    the other order (4 bytes, or 8 for numbers over 32 bits, research ble §5.6).

    ``3661413478`` (``DA 3C BC 66``) → ``1723612378`` (``66 BC 3C DA``), the research's
    example (cloud §2.3).
    """
    value = int(number)
    width = 4 if value < 1 << 32 else 8
    if value >= 1 << 64:
        raise ValueError("card numbers have at most 8 bytes")
    return str(int.from_bytes(value.to_bytes(width, "big"), "little"))


def _credential_type(req: ApiRequest, kind: _Kind, lock: Lock, *, required: bool = False):
    credential_type = req.integer(kind.type_field, required=required, default=1)
    if credential_type not in (1, 4):
        raise CloudError(-3, f"{kind.type_field} must be 1 (normal) or 4 (cyclic)")
    cyclic = parse_cyclic_config(req.params.get("cyclicConfig"))
    if credential_type == 4:
        _require_feature(lock, "cyclic_card_fingerprint")
        if not cyclic:
            raise CloudError(-3, "a cyclic credential needs cyclicConfig")
    else:
        cyclic = []
    return credential_type, cyclic


async def _add_credential(
    req: ApiRequest,
    kind: _Kind,
    lock: Lock,
    number: str,
    method: int,
    credential_type: int,
    cyclic: list[dict[str, int]],
) -> dict[str, Any]:
    name = req.text(kind.name_field, required=False)
    start, end = _validity(req)
    items = _collection(lock, kind)
    held = _held(lock, kind) if _writes_memory(lock, method) else None

    def check() -> None:
        if any(item.number == number for item in items.values()):
            raise CloudError(-3, f"this {kind.label} is already on lock {lock.lock_id}")
        if held is not None and number in held:
            raise CloudError(-3, f"lock {lock.lock_id} already holds this {kind.label}")

    def apply() -> SimCredential:
        check()
        account = req.account
        item = SimCredential(
            credential_id=_new_id(req.world, kind.id_kind),
            lock_id=lock.lock_id,
            number=number,
            name=name,
            kind=credential_type,
            start_ms=start,
            end_ms=end,
            cyclic=cyclic,
            create_ms=req.world.now_ms(),
            sender_username=account.username,
            sender_uid=account.uid,
        )
        items[item.credential_id] = item
        if held is not None:
            held[number] = _held_from_credential(item, item.create_ms)
        return item

    check()
    item = await _relay(req, lock, method, apply)
    return {kind.id_field: item.credential_id}


def _register_common(kind: _Kind, prefix: str) -> None:
    """list / delete / changePeriod / rename / clear for one credential family."""

    @api(f"{prefix}/list")
    async def list_items(req: ApiRequest) -> dict[str, Any]:
        lock = managed_lock(req)
        page_no, page_size = req.paging(200)
        order_by = _order_by(req)
        search = req.text("searchStr", required=False).lower()
        items = [item for item in _collection(lock, kind).values() if search in item.name.lower()]
        items = _ordered(
            items, order_by, lambda c: c.name, lambda c: (c.create_ms, c.credential_id)
        )
        return paginate([_credential_json(kind, item) for item in items], page_no, page_size)

    @api(f"{prefix}/delete", methods=COMMAND)
    async def delete_item(req: ApiRequest) -> dict[str, Any]:
        lock = managed_lock(req)
        item = _find(lock, kind, req.integer(kind.id_field))
        method = _method(req, kind.delete_field)
        held = _held(lock, kind) if _writes_memory(lock, method) else None

        def apply() -> None:
            _collection(lock, kind).pop(item.credential_id, None)
            if held is not None:
                held.pop(item.number, None)

        await _relay(req, lock, method, apply)
        return dict(SUCCESS)

    @api(f"{prefix}/changePeriod", methods=COMMAND)
    async def change_period(req: ApiRequest) -> dict[str, Any]:
        lock = managed_lock(req)
        item = _find(lock, kind, req.integer(kind.id_field))
        start, end = _validity(req, allow_permanent=False)
        raw = req.params.get("cyclicConfig")
        cyclic = None if raw is None else parse_cyclic_config(raw)
        if cyclic:
            _require_feature(lock, "cyclic_card_fingerprint")
        method = _method(req, kind.change_field)
        held = _held(lock, kind) if _writes_memory(lock, method) else None

        def apply() -> None:
            item.start_ms, item.end_ms = start, end
            if cyclic is not None:
                item.cyclic = cyclic
                item.kind = 4 if cyclic else 1
            entry = None if held is None else held.get(item.number)
            if entry is not None:
                entry.start_ms, entry.end_ms, entry.cyclic = start, end, list(item.cyclic)
                entry.raw_start = entry.raw_end = None

        await _relay(req, lock, method, apply)
        return dict(SUCCESS)

    @api(f"{prefix}/rename", methods=COMMAND)
    async def rename(req: ApiRequest) -> dict[str, Any]:
        lock = managed_lock(req)
        item = _find(lock, kind, req.integer(kind.id_field))
        item.name = req.text(kind.name_field)
        return dict(SUCCESS)

    @api(f"{prefix}/clear", methods=COMMAND)
    async def clear(req: ApiRequest) -> dict[str, Any]:
        """Cloud-only (clearing through the gateway is unsupported); the app is assumed to
        have cleared the lock over Bluetooth first (the simulated lock too, unless a
        simulated Bluetooth lock shares its memory: that one clears its own)."""
        lock = managed_lock(req)
        _collection(lock, kind).clear()
        held = _held(lock, kind) if _writes_memory(lock, RECORD_ONLY) else None
        if held is not None:
            held.clear()
        return dict(SUCCESS)


async def _card_add(req: ApiRequest, *, reversed_number: bool) -> dict[str, Any]:
    lock = managed_lock(req)
    _require_feature(lock, "ic_card")
    number = _number(req.text("cardNumber"), "card")
    if reversed_number:
        try:
            number = reverse_card_number(number)
        except ValueError as error:
            raise CloudError(-3, str(error)) from None
    credential_type, cyclic = _credential_type(req, CARD, lock)
    method = _method(req, "addType")
    return await _add_credential(req, CARD, lock, number, method, credential_type, cyclic)


@api("identityCard/add", methods=COMMAND)
async def identity_card_add(req: ApiRequest) -> dict[str, Any]:
    return await _card_add(req, reversed_number=False)


@api("identityCard/addForReversedCardNumber", methods=COMMAND)
async def identity_card_add_reversed(req: ApiRequest) -> dict[str, Any]:
    """Like ``identityCard/add`` but stores the byte-reversed number (see
    :func:`reverse_card_number`)."""
    return await _card_add(req, reversed_number=True)


@api("fingerprint/add", methods=COMMAND)
async def fingerprint_add(req: ApiRequest) -> dict[str, Any]:
    """Record a fingerprint enrolled over Bluetooth (enrolment via gateway unsupported)."""
    lock = managed_lock(req)
    _require_feature(lock, "fingerprint")
    if req.integer("addType", required=False, default=RECORD_ONLY) != RECORD_ONLY:
        raise CloudError(-4043, "adding a fingerprint via gateway or Wi-Fi is not supported")
    number = _number(req.text("fingerprintNumber"), "fingerprint")
    credential_type, cyclic = _credential_type(req, FINGERPRINT, lock)
    return await _add_credential(
        req, FINGERPRINT, lock, number, RECORD_ONLY, credential_type, cyclic
    )


@api("face/add", methods=COMMAND)
async def face_add(req: ApiRequest) -> dict[str, Any]:
    """Add a face: ``addType`` 2 with ``featureData`` (the lock assigns the number) or 1 with
    the ``faceNumber`` the App SDK returned."""
    lock = managed_lock(req)
    _require_feature(lock, "face_3d")
    method = _method(req, "addType")
    if method == REMOTE:
        feature_data = req.text("featureData")
        digest = hashlib.sha256(feature_data.encode()).digest()
        number = str(int.from_bytes(digest[:6], "big"))
    else:
        number = _number(req.text("faceNumber"), "face")
    credential_type, cyclic = _credential_type(req, FACE, lock)
    return await _add_credential(req, FACE, lock, number, method, credential_type, cyclic)


_register_common(CARD, "identityCard")
_register_common(FINGERPRINT, "fingerprint")
_register_common(FACE, "face")


# --- eKeys (§2.5) ---------------------------------------------------------------------------


def _admin_key_id(lock: Lock) -> int:
    return ADMIN_KEY_BASE + lock.lock_id


def _find_key(world: World, key_id: int) -> tuple[Lock, SimEKey | None]:
    """(lock, key) for a key id; ``key`` is None for a lock's (synthetic) admin key."""
    if key_id > ADMIN_KEY_BASE and key_id - ADMIN_KEY_BASE in world.locks:
        return world.locks[key_id - ADMIN_KEY_BASE], None
    for lock in world.locks.values():
        key = lock.ekeys.get(key_id)
        if key is not None:
            return lock, key
    raise CloudError(-1008, "eKey does not exist")


def _require_manager(req: ApiRequest, lock: Lock) -> None:
    """Top or authorised administrator of ``lock`` (same rule as :func:`managed_lock`)."""
    uid = req.account.uid
    if lock.admin_uid == uid:
        return
    key = _key_of(lock, uid)
    if key is None:
        raise CloudError(20002, f"you are not the administrator of lock {lock.lock_id}")
    if key.key_right != 1 or key.validity(req.world.now_ms()) != "ok":
        raise CloudError(-2018, "only the administrator or an authorised administrator")


def _common_key(req: ApiRequest) -> tuple[Lock, SimEKey]:
    lock, key = _find_key(req.world, req.integer("keyId"))
    _require_manager(req, lock)
    if key is None:
        raise CloudError(-2018, "not allowed on the administrator's own eKey")
    return lock, key


def _key_list_item(world: World, lock: Lock, key: SimEKey | None) -> dict[str, Any]:
    """A ``key/list`` / ``key/get`` item (admin key when ``key`` is None)."""
    world.refresh_state(lock)
    item: dict[str, Any] = {
        "keyId": _admin_key_id(lock) if key is None else key.key_id,
        "lockData": lock.lock_data,
        "lockId": lock.lock_id,
        "userType": str(USER_ADMIN if key is None else USER_COMMON),
        "keyStatus": str(KEY_NORMAL if key is None else key.status),
        "lockName": lock.lock_name,
        "lockAlias": lock.lock_alias,
        "lockMac": lock.lock_mac,
        "keyName": lock.lock_alias if key is None else key.key_name,  # not in the docs' table
        "electricQuantity": lock.electric_quantity,
        "startDate": 0 if key is None else key.start_ms,
        "endDate": 0 if key is None else key.end_ms,
        "remarks": "" if key is None else key.remarks,
        "keyRight": 1 if key is None else key.key_right,
        "featureValue": lock.feature_value,
        "remoteEnable": 1 if key is None else key.remote_enable,
        "passageMode": lock.passage_mode,
        "timezoneRawOffset": lock.timezone_raw_offset,
        "groupId": lock.group_id,
        "groupName": lock.group_name,
    }
    if key is None:
        item["noKeyPwd"] = lock.keys.no_key_pwd
    return item


def _lock_key_item(key: SimEKey) -> dict[str, Any]:
    """A ``lock/listKey`` item."""
    return {
        "keyId": key.key_id,
        "lockId": key.lock_id,
        "username": key.username,
        "uid": key.uid,
        "keyName": key.key_name,
        "keyStatus": str(key.status),
        "startDate": key.start_ms,
        "endDate": key.end_ms,
        "keyRight": key.key_right,
        "remoteEnable": key.remote_enable,
        "senderUsername": key.sender_username,
        "remarks": key.remarks,
        "date": key.date_ms,
    }


def _may_create(username: str) -> bool:
    """``createUser`` works for phone numbers and e-mail addresses only (§2.5)."""
    digits = username.removeprefix("+")
    return "@" in username or (digits.isdigit() and len(digits) >= 6)


@api("key/send", methods=COMMAND)
async def key_send(req: ApiRequest) -> dict[str, Any]:
    """Send an eKey; one key per user and lock (re-sending replaces the old key)."""
    world = req.world
    lock = managed_lock(req)
    receiver = req.text("receiverUsername").strip()
    key_name = req.text("keyName")
    start, end = _validity(req)
    remarks = req.text("remarks", required=False)
    remote_enable = req.integer("remoteEnable", required=False, default=2, minimum=1, maximum=2)
    key_right = req.integer("keyRight", required=False, default=0, minimum=0, maximum=1)
    create_user = req.integer("createUser", required=False, default=2, minimum=1, maximum=2)
    caller = req.account
    if receiver.lower() == caller.username.lower():
        raise CloudError(-2019, "You cannot send an eKey to Yourself")
    admin = world.accounts[lock.admin_uid]
    if receiver.lower() == admin.username.lower():
        raise CloudError(-2020, "You cannot send an eKey to the Admin")
    if key_right == 1 and caller.uid != lock.admin_uid:
        raise CloudError(-2018, "only the top administrator can send an authorised eKey")
    account = world.account_by_username(receiver)
    if account is None:
        if create_user != 1 or not _may_create(receiver):
            raise CloudError(-4064, "Failed. The eKey can only be sent to a registered account")
        account = world.add_account(receiver, receiver[-6:], region=admin.region)
    for key_id in [k.key_id for k in lock.ekeys.values() if k.uid == account.uid]:
        del lock.ekeys[key_id]
    key = SimEKey(
        key_id=_new_id(world, "ekey"),
        lock_id=lock.lock_id,
        uid=account.uid,
        username=account.username,
        key_name=key_name,
        start_ms=start,
        end_ms=end,
        remarks=remarks,
        remote_enable=remote_enable,
        key_right=key_right,
        status=KEY_NORMAL,
        sender_username=caller.username,
        date_ms=world.now_ms(),
    )
    lock.ekeys[key.key_id] = key
    return {"keyId": key.key_id}


@api("key/list")
async def key_list(req: ApiRequest) -> dict[str, Any]:
    """The caller's keys: admin keys of the locks they administer plus keys shared to them."""
    page_no, page_size = req.paging(1000)
    alias = req.text("lockAlias", required=False).lower()
    group_id = req.integer("groupId", required=False, default=0)
    uid = req.account.uid
    items: list[dict[str, Any]] = []
    for lock in req.world.locks.values():
        if lock.lock_type != 1:
            continue
        if (alias and alias not in lock.lock_alias.lower()) or (
            group_id and lock.group_id != group_id
        ):
            continue
        if lock.admin_uid == uid:
            items.append(_key_list_item(req.world, lock, None))
        key = _key_of(lock, uid)
        if key is not None:
            items.append(_key_list_item(req.world, lock, key))
    return paginate(items, page_no, page_size)


@api("key/get")
async def key_get(req: ApiRequest) -> dict[str, Any]:
    """The caller's key of one lock."""
    lock = req.world.lock(req.integer("lockId"))
    uid = req.account.uid
    if lock.admin_uid == uid:
        return _key_list_item(req.world, lock, None)
    key = _key_of(lock, uid)
    if key is None:
        raise CloudError(-1008, f"you have no eKey of lock {lock.lock_id}")
    return _key_list_item(req.world, lock, key)


@api("lock/listKey")
async def lock_list_key(req: ApiRequest) -> dict[str, Any]:
    """Common (and authorised) eKeys of a lock; never the top administrator's."""
    lock = managed_lock(req)
    page_no, page_size = req.paging(200)
    order_by = _order_by(req)
    search = req.text("searchStr", required=False).lower()
    key_right = req.params.get("keyRight")
    wanted_right = None if key_right in (None, "") else req.integer("keyRight", minimum=0)
    keys = [
        key
        for key in lock.ekeys.values()
        if search in key.key_name.lower()
        and (wanted_right is None or key.key_right == wanted_right)
    ]
    keys = _ordered(keys, order_by, lambda k: k.key_name, lambda k: (k.date_ms, k.key_id))
    return paginate([_lock_key_item(key) for key in keys], page_no, page_size)


@api("key/delete", methods=COMMAND)
async def key_delete(req: ApiRequest) -> dict[str, Any]:
    """Delete an eKey. The top administrator deleting their own (admin) key deletes the
    lock binding, as the research warns (§2.5) — the lock leaves the world."""
    world = req.world
    lock, key = _find_key(world, req.integer("keyId"))
    if key is None:
        if lock.admin_uid != req.account.uid:
            raise CloudError(-2018, "only the top administrator can delete the admin eKey")
        world.remove_lock(lock.lock_id)
        return dict(SUCCESS)
    if key.uid != req.account.uid:
        _require_manager(req, lock)
    lock.ekeys.pop(key.key_id, None)
    return dict(SUCCESS)


@api("key/freeze", methods=COMMAND)
async def key_freeze(req: ApiRequest) -> dict[str, Any]:
    _lock, key = _common_key(req)
    key.status = KEY_FROZEN
    return dict(SUCCESS)


@api("key/unfreeze", methods=COMMAND)
async def key_unfreeze(req: ApiRequest) -> dict[str, Any]:
    _lock, key = _common_key(req)
    key.status = KEY_NORMAL
    return dict(SUCCESS)


@api("key/update", methods=COMMAND)
async def key_update(req: ApiRequest) -> dict[str, Any]:
    _lock, key = _common_key(req)
    name = req.text("keyName", required=False)
    remote_enable = req.integer("remoteEnable", required=False, default=0, minimum=1, maximum=2)
    if name:
        key.key_name = name
    if remote_enable:
        key.remote_enable = remote_enable
    return dict(SUCCESS)


@api("key/changePeriod", methods=COMMAND)
async def key_change_period(req: ApiRequest) -> dict[str, Any]:
    lock, key = _find_key(req.world, req.integer("keyId"))
    _require_manager(req, lock)
    if key is None:
        raise CloudError(-2023, "Can't change the time period now (administrator eKey)")
    key.start_ms, key.end_ms = _validity(req)
    return dict(SUCCESS)


async def _set_key_right(req: ApiRequest, right: int) -> dict[str, Any]:
    lock = req.world.lock(req.integer("lockId"))
    if lock.admin_uid != req.account.uid:
        raise CloudError(-2018, "only the top administrator can (un)authorise eKeys")
    key = lock.ekeys.get(req.integer("keyId"))
    if key is None:
        raise CloudError(-1008, f"eKey does not exist on lock {lock.lock_id}")
    key.key_right = right
    return dict(SUCCESS)


@api("key/authorize", methods=COMMAND)
async def key_authorize(req: ApiRequest) -> dict[str, Any]:
    return await _set_key_right(req, 1)


@api("key/unauthorize", methods=COMMAND)
async def key_unauthorize(req: ApiRequest) -> dict[str, Any]:
    return await _set_key_right(req, 0)


@api("key/getUnlockLink", methods=COMMAND)
async def key_get_unlock_link(req: ApiRequest) -> dict[str, Any]:
    """A link that unlocks remotely (simulator-only URL on this server: ``/ekey/h?k=…``)."""
    lock, key = _common_key(req)
    if key.remote_enable != 1 or not lock.remote_unlock:
        raise CloudError(-4043, "remote unlock must be enabled on the lock and on the eKey")
    if not (lock.is_wifi or req.world.has_gateway(lock)):
        raise CloudError(-2012, f"lock {lock.lock_id} is not connected to any gateway")
    if key.link_token is None:
        key.link_token = secrets.token_urlsafe(6)
    return {"link": f"{req.origin}{UNLOCK_LINK_PATH}?k={key.link_token}"}


UNLOCK_LINK_PATH = "/ekey/h"


async def open_unlock_link(world: World, token: str) -> dict[str, Any]:
    """What ``GET /ekey/h?k=<token>`` does (simulator-only stand-in for the web page)."""
    for lock in list(world.locks.values()):
        for key in lock.ekeys.values():
            if token and key.link_token == token:
                world.refresh_state(lock)
                reason = key.validity(world.now_ms())
                if reason != "ok":
                    raise CloudError(-2018, f"the eKey cannot be used now ({reason})")
                if key.remote_enable != 1 or not lock.remote_unlock:
                    raise CloudError(-4043, "remote unlock is disabled for this lock or eKey")
                async with world.occupy(world.route(lock)):
                    world.remote_unlock(lock, world.accounts[key.uid])
                return {**SUCCESS, "lockId": lock.lock_id, "keyId": key.key_id}
    raise CloudError(-1008, "this link is not valid (eKey deleted?)")


def _unlock_link_routes(app: web.Application, world: World) -> None:
    async def handle(request: web.Request) -> web.Response:
        try:
            body = await open_unlock_link(world, request.query.get("k", ""))
        except CloudError as error:
            body = error.to_json()
        return web.Response(text=_dumps(body), content_type="application/json")

    app.router.add_get(UNLOCK_LINK_PATH, handle)


ROUTE_HOOKS.append(_unlock_link_routes)


# --- the lock side: its memory, keypad, card reader, fingerprint reader ------------------
#
# A real lock knows only its own memory: the keypad table, the card and fingerprint tables
# (plus what it remembers about offline codes, :class:`~simulator.offline_codes.KeypadMemory`).
# The cloud's lists (``lock.passcodes`` / ``lock.cards`` / ``lock.fingerprints``, which
# ``lock/listKeyboardPwd`` and ``…/list`` show) are separate bookkeeping of what was recorded.
# Gateway operations (method 2, and 4 for Wi-Fi locks) change both. Record-only calls
# (method 1) change only the list — except on a lock that no simulated Bluetooth lock
# shares, where they stand in for the app's Bluetooth step and change the memory too.

LOCK_PERMANENT, LOCK_ONE_TIME, LOCK_PERIOD, LOCK_CYCLIC = 1, 2, 3, 4
"""Lock-side passcode types (research ble §5.5; the cloud's 2 permanent / 3 period differ)."""


@dataclass
class HeldPasscode:
    """A keypad passcode as the lock holds it in memory (``lock_memory(lock).passcodes``).

    The window is either what a gateway wrote (``start_ms``/``end_ms``, epoch ms, 0 = open)
    or, when written over Bluetooth, the raw d5 bytes in lock wall time (``raw_start`` /
    ``raw_end``, compared as bytes like the lock does, errata E4).
    """

    code: str = field(repr=False)
    kind: int
    stored_ms: int
    start_ms: int = 0
    end_ms: int = 0
    raw_start: bytes | None = None
    raw_end: bytes | None = None
    cycle: bytes | None = None
    original: str = field(default="", repr=False)


@dataclass
class HeldCredential:
    """A card or fingerprint in the lock's memory (window as :class:`HeldPasscode`)."""

    number: str
    stored_ms: int
    start_ms: int = 0
    end_ms: int = 0
    cyclic: list[dict[str, int]] = field(default_factory=list)
    raw_start: bytes | None = None
    raw_end: bytes | None = None


class LockTwin(Protocol):
    """A simulated Bluetooth lock that shares this lock's memory (``simulator.ble``).

    The keypad and readers are physically the twin's: :func:`enter_code`,
    :func:`present_card` and :func:`present_fingerprint` go through it, so the attempt
    also lands in its operation log and pushes its state to a connected app.
    """

    def enter_code(self, digits: str) -> AccessResult: ...

    def present_card(self, number: str) -> AccessResult: ...

    def present_fingerprint(self, number: str) -> AccessResult: ...


@dataclass
class LockMemory:
    """What one lock holds (kept on the world lock, see :func:`lock_memory`)."""

    passcodes: dict[str, HeldPasscode] = field(default_factory=dict)
    cards: dict[str, HeldCredential] = field(default_factory=dict)
    fingerprints: dict[str, HeldCredential] = field(default_factory=dict)
    wiped: set[str] = field(default_factory=set, repr=False)
    """Codes an erase code removed (typing one is refused as ``erased``)."""
    twin: LockTwin | None = field(default=None, repr=False)

    def readers(self, kind: _Kind) -> dict[str, HeldCredential]:
        """The card or fingerprint table."""
        return self.cards if kind.collection == "cards" else self.fingerprints

    def hold_passcode(self, held: HeldPasscode) -> None:
        """Store a keypad code (replacing one with the same digits)."""
        self.passcodes[held.code] = held
        self.wiped.discard(held.code)


def lock_memory(lock: Lock) -> LockMemory:
    """The lock's :class:`LockMemory` (created on first use, like its keypad memory)."""
    memory = getattr(lock, "memory", None)
    if not isinstance(memory, LockMemory):
        memory = LockMemory()
        lock.memory = memory  # type: ignore[attr-defined]
    return memory


def _writes_memory(lock: Lock, method: int) -> bool:
    """Whether a cloud credential call with ``method`` changes the lock's own memory."""
    return method != RECORD_ONLY or lock_memory(lock).twin is None


def _held_from_passcode(passcode: SimPasscode, now_ms: int) -> HeldPasscode:
    """The code a gateway (or the app) writes for a custom / changed cloud passcode."""
    kind = LOCK_PERIOD if passcode.end_ms else LOCK_PERMANENT
    return HeldPasscode(
        passcode.code, kind, now_ms, passcode.start_ms, passcode.end_ms, original=passcode.code
    )


def _held_from_credential(item: SimCredential, now_ms: int) -> HeldCredential:
    return HeldCredential(item.number, now_ms, item.start_ms, item.end_ms, list(item.cyclic))


def _lock_d5(ms: int, tz_offset_ms: int) -> bytes:
    moment = _local(ms, tz_offset_ms)
    return bytes((moment.year % 100, moment.month, moment.day, moment.hour, moment.minute))


def _held_window_reason(held: HeldPasscode | HeldCredential, lock: Lock, now_ms: int) -> str:
    if held.raw_start is None and held.raw_end is None:
        return _window_reason(held.start_ms, held.end_ms, now_ms)
    now5 = _lock_d5(now_ms, lock.timezone_raw_offset)
    if held.raw_start is not None and now5 < held.raw_start:
        return "not_yet_valid"
    if held.raw_end is not None and now5 > held.raw_end:
        return "expired"
    return "ok"


def listed_passcode(lock: Lock, code: str) -> SimPasscode | None:
    """The cloud's entry for ``code`` (its name and id), if it was recorded."""
    return next((p for p in lock.passcodes.values() if p.code == code), None)


def listed_credential(lock: Lock, kind: _Kind, number: str) -> SimCredential | None:
    """The cloud's entry for a card / fingerprint number, if it was recorded."""
    return next((c for c in _collection(lock, kind).values() if c.number == number), None)


@dataclass(frozen=True)
class KeypadVerdict:
    """What the keypad made of one entry (:func:`use_keypad`)."""

    success: bool
    reason: str
    code: str | None = field(default=None, repr=False)
    """The stored / offline code that opened or was refused; None when nothing matched."""
    from_lock: int = 7
    """Lock-side record type: 4 opened, 10 erase code, 7 wrong, 11 not valid now, 13 deleted."""
    erase: bool = False
    listed: SimPasscode | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ReaderVerdict:
    """What a card or fingerprint reader made of one attempt (:func:`use_reader`)."""

    success: bool
    reason: str
    listed: SimCredential | None = field(default=None, repr=False)


def use_keypad(
    lock: Lock, digits: str, now_ms: int, *, admin_code: str | None = None
) -> KeypadVerdict:
    """The lock's keypad rules for ``digits`` at ``now_ms`` (its memory changes, nothing else).

    * Anti-peep: a code opens when it is contained in the typed digits (at most 16).
    * The admin keypad code and the codes in the lock's memory open inside their window
      (longest first); one-time codes written over Bluetooth are used up.
    * Offline codes are decoded with the STAND-IN algorithm
      (:func:`simulator.offline_codes.check_offline_code`) and follow its type rules; an
      erase code opens and wipes every other passcode.
    """
    memory = lock_memory(lock)
    failures: list[tuple[str, str]] = []
    if len(digits) <= MAX_KEYPAD_DIGITS:
        held = sorted(memory.passcodes.values(), key=lambda p: -len(p.code))
        if admin_code:
            held.insert(0, HeldPasscode(admin_code, LOCK_PERMANENT, 0))
            held.sort(key=lambda p: -len(p.code))
        for entry in held:
            if entry.code not in digits:
                continue
            reason = _held_window_reason(entry, lock, now_ms)
            if reason == "ok":
                if entry.kind == LOCK_ONE_TIME and memory.passcodes.get(entry.code) is entry:
                    del memory.passcodes[entry.code]
                return KeypadVerdict(
                    True, "ok", entry.code, 4, listed=listed_passcode(lock, entry.code)
                )
            failures.append((reason, entry.code))
        failures.extend(("erased", code) for code in sorted(memory.wiped) if code in digits)
        for length in (9, 8, 7):
            for index in range(len(digits) - length + 1):
                candidate = digits[index : index + length]
                outcome = check_offline_code(lock, candidate, now_ms)
                if outcome.accepted:
                    use_offline_code(lock, outcome, now_ms)
                    if outcome.erase:
                        memory.wiped.update(memory.passcodes)
                        memory.passcodes.clear()
                    return KeypadVerdict(
                        True,
                        "ok",
                        candidate,
                        10 if outcome.erase else 4,
                        outcome.erase,
                        listed_passcode(lock, candidate),
                    )
                if outcome.reason != "unknown":
                    failures.append((outcome.reason, candidate))
    if not failures:
        return KeypadVerdict(False, "unknown")
    reason, code = failures[0]
    from_lock = 13 if reason == "deleted" else 11
    return KeypadVerdict(False, reason, code, from_lock, listed=listed_passcode(lock, code))


def use_reader(lock: Lock, kind: _Kind, number: str, now_ms: int) -> ReaderVerdict:
    """The card / fingerprint reader rules: a held number opens inside its start/end and,
    for cyclic ones, its weekly window (lock local time)."""
    item = lock_memory(lock).readers(kind).get(number)
    listed = listed_credential(lock, kind, number)
    if item is None:
        return ReaderVerdict(False, "unknown", listed)
    reason = _held_window_reason(item, lock, now_ms)
    if reason == "ok" and item.cyclic:
        reason = _cyclic_reason(item.cyclic, now_ms, lock.timezone_raw_offset)
    return ReaderVerdict(reason == "ok", reason, listed)


def forget_offline_code(lock: Lock, code: str, now_ms: int) -> bool:
    """A lock told to delete an offline code it has no table entry for: True when the
    digits decode as one of its offline codes, which it refuses from now on."""
    if check_offline_code(lock, code, now_ms).reason == "unknown":
        return False
    keypad_memory(lock).blacklist.add(code)
    return True


def _unlock(world: World, lock: Lock) -> None:
    lock.state = 1
    lock.unlocked_at_ms = world.now_ms()


def enter_code(world: World, lock_id: int, digits: str) -> AccessResult:
    """Type ``digits`` on the lock's keypad (what a guest does; also ``World.enter_code``).

    The keypad rules are :func:`use_keypad` (anti-peep, the lock's memory, STAND-IN offline
    codes, erase codes). Appends a record: recordType 4, ``success`` 1/0, ``username`` = the
    code's name in the cloud list, ``keyboardPwd`` = the matched code (or the typed digits
    when refused); lock-side type 4 (10 for erase; failures 7 wrong, 11 not valid now, 13
    deleted). On success the lock unlocks (auto-lock then applies as usual). On a lock with a
    simulated Bluetooth twin the twin's keypad takes the entry (same rules, its log too).

    Raises ``ValueError`` for non-digits, a bad length or a lock without a keypad and
    :class:`~simulator.world.CloudError` -1003 for an unknown lock.
    """
    digits = str(digits).strip()
    if not digits.isdigit() or not 4 <= len(digits) <= MAX_KEYPAD_DIGITS:
        raise ValueError(f"type 4–{MAX_KEYPAD_DIGITS} digits")
    lock = world.refresh_state(world.lock(lock_id))
    if not lock.has_feature(FEATURE["passcode"]):
        raise ValueError(f"lock {lock_id} has no keypad")
    twin = lock_memory(lock).twin
    if twin is not None:
        return twin.enter_code(digits)
    verdict = use_keypad(lock, digits, world.now_ms(), admin_code=lock.keys.no_key_pwd or None)
    if verdict.success:
        _unlock(world, lock)
    passcode = verdict.listed
    name = passcode.name if passcode else ""
    record = world.add_record(
        lock_id,
        RECORD_TYPE["passcode_unlock"],
        record_type_from_lock=verdict.from_lock,
        username=name,
        keyboard_pwd=(verdict.code or digits) if verdict.success else digits,
        success=1 if verdict.success else 0,
    )
    return AccessResult(
        verdict.success,
        verdict.reason,
        record,
        passcode.passcode_id if passcode else None,
        name,
        verdict.erase,
    )


def _present(
    world: World,
    lock_id: int,
    number: str | int,
    kind: _Kind,
    record_type: str,
    from_lock: tuple[int, int],
) -> AccessResult:
    text = str(number).strip()
    if not text.isdigit():
        raise ValueError(f"a {kind.label} number is digits")
    normalized = str(int(text))
    lock = world.refresh_state(world.lock(lock_id))
    if not lock.has_feature(FEATURE[kind.feature]):
        raise ValueError(f"lock {lock_id} has no {kind.label} reader")
    twin = lock_memory(lock).twin
    if twin is not None:
        if kind is CARD:
            return twin.present_card(normalized)
        return twin.present_fingerprint(normalized)
    verdict = use_reader(lock, kind, normalized, world.now_ms())
    if verdict.success:
        _unlock(world, lock)
    item = verdict.listed
    record = world.add_record(
        lock_id,
        RECORD_TYPE[record_type],
        record_type_from_lock=from_lock[0] if verdict.success else from_lock[1],
        username=item.name if item else "",
        keyboard_pwd=normalized,
        success=1 if verdict.success else 0,
    )
    return AccessResult(
        verdict.success,
        verdict.reason,
        record,
        item.credential_id if item else None,
        item.name if item else "",
    )


def present_card(world: World, lock_id: int, number: str | int) -> AccessResult:
    """Hold an IC card to the lock (also ``World.present_card``).

    ``number`` is what the lock's reader reports, in the same form ``identityCard/list``
    shows (so a card added with ``addForReversedCardNumber`` is presented by its reversed,
    listed number). Valid inside its start/end and, for cyclic cards, its weekly window
    (lock local time). Record 7 (lock side 17, failure 25); unlocks on success.
    """
    return _present(world, lock_id, number, CARD, "ic_card_unlock", (17, 25))


def present_fingerprint(world: World, lock_id: int, number: str | int) -> AccessResult:
    """Touch the fingerprint reader with an enrolled fingerprint (``World.present_fingerprint``).

    Same validity rules as cards; record 8 (lock side 20, failure 22).
    """
    return _present(world, lock_id, number, FINGERPRINT, "fingerprint_unlock", (20, 22))


# --- /sim/ controls -------------------------------------------------------------------------


def _c_keypad(world: World, body: dict[str, Any]) -> dict[str, Any]:
    return enter_code(world, _as_int(body, "lockId"), str(_need(body, "digits"))).to_json()


def _c_card(world: World, body: dict[str, Any]) -> dict[str, Any]:
    return present_card(world, _as_int(body, "lockId"), str(_need(body, "cardNumber"))).to_json()


def _c_fingerprint(world: World, body: dict[str, Any]) -> dict[str, Any]:
    number = str(_need(body, "fingerprintNumber"))
    return present_fingerprint(world, _as_int(body, "lockId"), number).to_json()


def _c_keypad_memory(world: World, body: dict[str, Any]) -> dict[str, Any]:
    lock = world.locks.get(_as_int(body, "lockId"))
    if lock is None:
        raise _ControlError("unknown lock", 404)
    memory = keypad_memory(lock)
    held = lock_memory(lock)
    return {
        "algorithm": STAND_IN_LABEL,
        "firstUsed": dict(memory.first_used),
        "consumed": sorted(memory.consumed),
        "blacklist": sorted(memory.blacklist),
        "erasedAt": memory.erased_at_ms,
        "heldPasscodes": len(held.passcodes),
        "heldCards": len(held.cards),
        "heldFingerprints": len(held.fingerprints),
    }


CONTROLS.update(
    {
        "lock/keypad": _c_keypad,  # {lockId, digits} → enter_code
        "lock/card": _c_card,  # {lockId, cardNumber} → present_card
        "lock/fingerprint": _c_fingerprint,  # {lockId, fingerprintNumber}
        "lock/keypad_memory": _c_keypad_memory,  # {lockId} → STAND-IN keypad memory
    }
)
