"""IC cards, fingerprints and faces (§2.3, §2.4 of ``docs/cloud.md``): one family.

IC cards: ``identityCard/add``, ``identityCard/addForReversedCardNumber``,
``identityCard/list``, ``identityCard/delete``, ``identityCard/changePeriod``,
``identityCard/rename``, ``identityCard/clear``. Fingerprints: ``fingerprint/add`` (record
only), ``…/list``, ``…/delete``, ``…/changePeriod``, ``…/rename``, ``…/clear``. Faces:
``face/add`` (``addType`` 2 with ``featureData`` or 1 with ``faceNumber``; ``type`` 1 normal
/ 4 cyclic), ``face/list``, ``face/delete`` and ``face/changePeriod`` (method in ``type``, as
the face pages name it), ``face/rename``, ``face/clear``.

Errcodes chosen where the public documentation is silent: a card / fingerprint / face number
already on the lock: -3; unknown face: -3; fingerprint or face enrolment over the gateway
(fingerprint ``addType`` 2): -4043; a credential type the lock lacks (featureValue bits 1, 2,
34, 53): -4043.

A Wi-Fi lock's refusal of a change it took asynchronously (:func:`~simulator.cloud.manage.relay`)
names the object as ``objectType`` 3 (card), 4 (fingerprint) or 6 (face).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..codes import CloudError
from ..credentials import SimCredential, reverse_card_number
from ..entities import Lock
from ..lockside import (
    CARD_READER,
    FINGERPRINT_READER,
    HeldCredential,
    Reader,
    held_credential,
    lock_memory,
)
from .manage import (
    RECORD_ONLY,
    REMOTE,
    LockChange,
    managed_lock,
    method_param,
    new_id,
    order_param,
    ordered,
    parse_cyclic_config,
    relay,
    require_feature,
    validity,
    writes_memory,
)
from .registry import COMMAND, SUCCESS, ApiRequest, api, paginate


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
    reader: Reader | None = None
    """The lock's reader for this family (faces: none is simulated)."""
    object_type: int = 3
    """notifyType 4 ``objectType``: 3 card, 4 fingerprint, 6 face."""

    def change(self, object_id: int | None = None) -> LockChange:
        """What a call asks of the lock (for a Wi-Fi lock's later refusal)."""
        return LockChange(self.object_type, self.collection, object_id)


CARD = _Kind(
    "IC card", "cards", "card", "cardId", "cardNumber", "cardName", "cardType",
    "ic_card", -1021, "deleteType", "changeType", reader=CARD_READER,
)  # fmt: skip
FINGERPRINT = _Kind(
    "fingerprint", "fingerprints", "fingerprint", "fingerprintId", "fingerprintNumber",
    "fingerprintName", "fingerprintType", "fingerprint", -1023, "deleteType", "changeType",
    reader=FINGERPRINT_READER, object_type=4,
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
    object_type=6,
)  # fmt: skip


def _collection(lock: Lock, kind: _Kind) -> dict[int, SimCredential]:
    result: dict[int, SimCredential] = getattr(lock, kind.collection)
    return result


def _held(lock: Lock, kind: _Kind) -> dict[str, HeldCredential] | None:
    """The lock's own table for cards / fingerprints (faces: no reader is simulated)."""
    if kind.reader is None:
        return None
    return lock_memory(lock).readers(kind.reader)


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


def _credential_type(
    req: ApiRequest, kind: _Kind, lock: Lock, *, required: bool = False
) -> tuple[int, list[dict[str, int]]]:
    credential_type = req.integer(kind.type_field, required=required, default=1)
    if credential_type not in (1, 4):
        raise CloudError(-3, f"{kind.type_field} must be 1 (normal) or 4 (cyclic)")
    cyclic = parse_cyclic_config(req.params.get("cyclicConfig"))
    if credential_type == 4:
        require_feature(lock, "cyclic_card_fingerprint")
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
    start, end = validity(req)
    items = _collection(lock, kind)
    held = _held(lock, kind) if writes_memory(lock, method) else None

    def check() -> None:
        if any(item.number == number for item in items.values()):
            raise CloudError(-3, f"this {kind.label} is already on lock {lock.lock_id}")
        if held is not None and number in held:
            raise CloudError(-3, f"lock {lock.lock_id} already holds this {kind.label}")

    def apply() -> SimCredential:
        check()
        account = req.account
        item = SimCredential(
            credential_id=new_id(req.world, kind.id_kind),
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
            held[number] = held_credential(item, item.create_ms)
        return item

    check()
    item = await relay(req, lock, method, apply, kind.change())
    return {kind.id_field: item.credential_id}


def _register_common(kind: _Kind, prefix: str) -> None:
    """list / delete / changePeriod / rename / clear for one credential family."""

    @api(f"{prefix}/list")
    async def list_items(req: ApiRequest) -> dict[str, Any]:
        lock = managed_lock(req)
        page_no, page_size = req.paging(200)
        order_by = order_param(req)
        search = req.text("searchStr", required=False).lower()
        items = [item for item in _collection(lock, kind).values() if search in item.name.lower()]
        items = ordered(items, order_by, lambda c: c.name, lambda c: (c.create_ms, c.credential_id))
        return paginate([_credential_json(kind, item) for item in items], page_no, page_size)

    @api(f"{prefix}/delete", methods=COMMAND)
    async def delete_item(req: ApiRequest) -> dict[str, Any]:
        lock = managed_lock(req)
        item = _find(lock, kind, req.integer(kind.id_field))
        method = method_param(req, kind.delete_field)
        held = _held(lock, kind) if writes_memory(lock, method) else None

        def apply() -> None:
            _collection(lock, kind).pop(item.credential_id, None)
            if held is not None:
                held.pop(item.number, None)

        await relay(req, lock, method, apply, kind.change(item.credential_id))
        return dict(SUCCESS)

    @api(f"{prefix}/changePeriod", methods=COMMAND)
    async def change_period(req: ApiRequest) -> dict[str, Any]:
        lock = managed_lock(req)
        item = _find(lock, kind, req.integer(kind.id_field))
        start, end = validity(req, allow_permanent=False)
        raw = req.params.get("cyclicConfig")
        cyclic = None if raw is None else parse_cyclic_config(raw)
        if cyclic:
            require_feature(lock, "cyclic_card_fingerprint")
        method = method_param(req, kind.change_field)
        held = _held(lock, kind) if writes_memory(lock, method) else None

        def apply() -> None:
            item.start_ms, item.end_ms = start, end
            if cyclic is not None:
                item.cyclic = cyclic
                item.kind = 4 if cyclic else 1
            entry = None if held is None else held.get(item.number)
            if entry is not None:
                entry.start_ms, entry.end_ms, entry.cyclic = start, end, list(item.cyclic)
                entry.raw_start = entry.raw_end = None

        await relay(req, lock, method, apply, kind.change(item.credential_id))
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
        held = _held(lock, kind) if writes_memory(lock, RECORD_ONLY) else None
        if held is not None:
            held.clear()
        return dict(SUCCESS)


async def _card_add(req: ApiRequest, *, reversed_number: bool) -> dict[str, Any]:
    lock = managed_lock(req)
    require_feature(lock, "ic_card")
    number = _number(req.text("cardNumber"), "card")
    if reversed_number:
        try:
            number = reverse_card_number(number)
        except ValueError as error:
            raise CloudError(-3, str(error)) from None
    credential_type, cyclic = _credential_type(req, CARD, lock)
    method = method_param(req, "addType")
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
    require_feature(lock, "fingerprint")
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
    require_feature(lock, "face_3d")
    method = method_param(req, "addType")
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
