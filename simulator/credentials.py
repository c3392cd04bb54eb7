"""The cloud's records of a lock's credentials: passcodes, IC cards, fingerprints, faces, eKeys.

What ``lock/listKeyboardPwd``, ``identityCard/list``, ``fingerprint/list``, ``face/list``
and ``key/list`` show, kept on the world lock (``lock.passcodes`` / ``cards`` /
``fingerprints`` / ``faces`` / ``ekeys``). § numbers refer to ``docs/cloud.md``
(§2.2 passcodes, §2.3 IC cards, §2.4 fingerprints and faces, §2.5 eKeys, §3 limits).

The endpoints that change these records are in :mod:`simulator.cloud` (``passcodes``,
``cards``, ``ekeys``); what the lock itself holds, and how its keypad and readers decide, is
:mod:`simulator.lockside`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from .entities import Lock
from .offline_codes import OfflineCode

__all__ = [
    "ADMIN_KEY_BASE",
    "CUSTOM_PASSCODE_LIMIT",
    "KEY_FROZEN",
    "KEY_NORMAL",
    "SimCredential",
    "SimEKey",
    "SimPasscode",
    "ekey_of",
    "reverse_card_number",
    "window_reason",
]

CUSTOM_PASSCODE_LIMIT = 250  # §2.2 / §3.2
KEY_NORMAL, KEY_FROZEN = 110401, 110405  # §2.5 keyStatus
ADMIN_KEY_BASE = 90_000_000  # admin eKey id = ADMIN_KEY_BASE + lockId (synthetic)


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
        return window_reason(self.start_ms, self.end_ms, now_ms)


def window_reason(start_ms: int, end_ms: int, now_ms: int) -> str:
    """``ok``, ``not_yet_valid`` or ``expired`` for a start/end window (0 = open)."""
    if start_ms and now_ms < start_ms:
        return "not_yet_valid"
    if end_ms and now_ms >= end_ms:
        return "expired"
    return "ok"


def reverse_card_number(number: str | int) -> str:
    """The number ``identityCard/addForReversedCardNumber`` stores: the card UID's bytes in
    the other order (4 bytes, or 8 for numbers over 32 bits, ``docs/ble.md`` §5.6).

    ``3661413478`` (``DA 3C BC 66``) → ``1723612378`` (``66 BC 3C DA``), the example
    of §2.3.
    """
    value = int(number)
    width = 4 if value < 1 << 32 else 8
    if value >= 1 << 64:
        raise ValueError("card numbers have at most 8 bytes")
    return str(int.from_bytes(value.to_bytes(width, "big"), "little"))


def ekey_of(lock: Lock, uid: int) -> SimEKey | None:
    """The eKey of the account ``uid`` on ``lock`` (one per user and lock)."""
    for key in lock.ekeys.values():
        if key.uid == uid:
            return cast(SimEKey, key)
    return None
