"""Passcodes (§2.2 of ``docs/cloud.md``): ``keyboardPwd/get`` (offline types 1–14),
``keyboardPwd/add`` (custom, 4–9 digits, type 2/3, ``addType`` 1/2/4),
``keyboardPwd/change``, ``keyboardPwd/delete``, ``lock/listKeyboardPwd`` (≤ 200,
``orderBy``, ``searchStr``). No ``keyboardPwd/clear``: the public documentation describes none.

Offline ("random") codes use the labelled **STAND-IN** algorithm of
:mod:`simulator.offline_codes` (**not TTLock's algorithm**, which is not public —
``docs/ble.md`` §8.3).

Errcodes chosen where the public documentation is silent:

* two offline codes with the same effective start + end on a lock (deleted ones count,
  period and cyclic types): **-3007** "the same passcode already exists";
* more than 200 one-time / 20 permanent / 20 erase codes for one start hour: **-3009**;
* a passcode name already used on the lock (empty names exempt; offline and custom codes
  alike): **-1016** "an identical name exists" (listed under eKeys in the error table, the
  only documented duplicate-name code);
* offline code for a year outside the lock's 10-year table: -1007;
* unknown ``keyboardPwdId`` on change: -3; on delete: success (delete calls "report success
  even if the id was already deleted", §1.3);
* a lock without a keypad (featureValue bit 0) or cyclic codes (bit 12): -4043;
* a lock whose own memory already holds 250 codes (codes added over Bluetooth that the cloud
  never recorded) refuses a custom code the cloud accepted: **-3009** from the lock — the
  call's errcode through a gateway, a notifyType 4 callback from a Wi-Fi lock
  (:func:`~simulator.cloud.manage.relay`).

A Wi-Fi lock's refusal (also a lock-side fault) names the passcode as ``objectType`` 2.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..codes import CloudError
from ..credentials import CUSTOM_PASSCODE_LIMIT, SimPasscode
from ..entities import Lock
from ..lockside import held_passcode, lock_memory
from ..offline_codes import (
    CYCLIC_WEEKDAYS,
    SLOT_CAPACITY,
    generate_offline_code,
    keypad_memory,
    resolve_offline_window,
)
from .manage import (
    ASYNCHRONOUS,
    RECORD_ONLY,
    REMOTE,
    LockChange,
    managed_lock,
    method_param,
    new_id,
    order_param,
    ordered,
    relay,
    require_feature,
    writes_memory,
)
from .registry import COMMAND, SUCCESS, ApiRequest, api, paginate

PASSCODE_OBJECT = 2  # notifyType 4 objectType


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
    require_feature(lock, "passcode")
    kind = req.integer("keyboardPwdType", minimum=1, maximum=14)
    if kind in CYCLIC_WEEKDAYS:
        require_feature(lock, "cyclic_passcode")
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
        passcode_id=new_id(req.world, "passcode"),
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
    require_feature(lock, "passcode")
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
    method = method_param(req, "addType", (RECORD_ONLY, REMOTE, ASYNCHRONOUS))
    if method == ASYNCHRONOUS and not lock.is_wifi:
        raise CloudError(-4043, "addType 4 (asynchronous) is for Wi-Fi locks only")
    writes = writes_memory(lock, method)

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
            passcode_id=new_id(req.world, "passcode"),
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
            lock_memory(lock).hold_passcode(held_passcode(passcode, now))
        return passcode

    def memory_full() -> int | None:
        held = lock_memory(lock).passcodes
        if writes and code not in held and len(held) >= CUSTOM_PASSCODE_LIMIT:
            return -3009
        return None

    check()
    change = LockChange(PASSCODE_OBJECT, "passcodes", refusal=memory_full)
    passcode = await relay(req, lock, method, apply, change)
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
    method = method_param(req, "changeType")
    writes = writes_memory(lock, method)
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
            memory.hold_passcode(held_passcode(passcode, now))

    await relay(req, lock, method, apply, LockChange(PASSCODE_OBJECT, "passcodes", passcode_id))
    return dict(SUCCESS)


@api("keyboardPwd/delete", methods=COMMAND)
async def keyboard_pwd_delete(req: ApiRequest) -> dict[str, Any]:
    """Delete a passcode (unknown ids succeed, ``docs/cloud.md`` §1.3); offline codes are refused
    by the lock afterwards."""
    lock = managed_lock(req)
    passcode_id = req.integer("keyboardPwdId")
    method = method_param(req, "deleteType")
    writes = writes_memory(lock, method)

    def apply() -> None:
        passcode = lock.passcodes.pop(passcode_id, None)
        if passcode is None or not writes:
            return
        if passcode.stand_in is not None:
            keypad_memory(lock).blacklist.add(passcode.code)
        else:
            lock_memory(lock).passcodes.pop(passcode.code, None)

    await relay(req, lock, method, apply, LockChange(PASSCODE_OBJECT, "passcodes", passcode_id))
    return dict(SUCCESS)


@api("lock/listKeyboardPwd")
async def lock_list_keyboard_pwd(req: ApiRequest) -> dict[str, Any]:
    """All passcodes the cloud recorded for a lock, offline and custom, with the plaintext
    codes (a code added over Bluetooth and never recorded with addType 1 is not listed)."""
    lock = managed_lock(req)
    page_no, page_size = req.paging(200)
    order_by = order_param(req)
    search = req.text("searchStr", required=False)
    items: list[SimPasscode] = [
        passcode
        for passcode in lock.passcodes.values()
        if not search or search.lower() in passcode.name.lower() or passcode.code == search
    ]
    items = ordered(items, order_by, lambda p: p.name, lambda p: (p.send_ms, p.passcode_id))
    return paginate([passcode.to_json() for passcode in items], page_no, page_size)
