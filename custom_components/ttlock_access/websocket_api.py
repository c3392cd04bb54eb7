"""The Access panel's websocket commands: admin only, typed, over the same access model.

``ttlock_access/overview`` (and ``ttlock_access/subscribe``, the same picture sent again
whenever the access model changes) shows the locks, the people who hold access with the
state of each credential on each lock, the queue and, on request, the credentials found on
the locks that this integration does not manage. None of it carries a code's digits.

The commands that change access run the integration's own actions (``grant_access``,
``check_in``, ``revoke_holder``…) with the admin's context: the same input checks, the same
access-model calls, the same translated refusals and the same response (a new code's digits
only in the response that created it). ``ttlock_access/reveal_code`` returns the digits of
one credential and records that in the logbook (an ``ttlock_access_access`` event, without
the digits).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import (
    ERR_HOME_ASSISTANT_ERROR,
    ERR_INVALID_FORMAT,
    ERR_SERVICE_VALIDATION_ERROR,
)
from homeassistant.components.websocket_api.decorators import (
    async_response,
    require_admin,
    websocket_command,
)
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.typing import VolDictType

from .access import AccessManager, Credential, CredentialKind, HolderKind
from .access.adopt import ADOPTABLE, async_unmanaged
from .actions import (
    LockTarget,
    all_lock_targets,
    answers,
    credential_response,
    holder_response,
    invalid,
    managers,
    response_time,
)
from .const import DOMAIN, EVENT_ACCESS, SIGNAL_ACCESS_CHANGED
from .meter_tenants import account_meters, meters_shown
from .sdk.model import Feature
from .sharing import SHARE_FIELDS

type _Connection = ActiveConnection
type _Message = dict[str, Any]

REVOKE_ACTIONS = {
    CredentialKind.PASSCODE: "revoke_passcode",
    CredentialKind.OFFLINE_PASSCODE: "revoke_passcode",
    CredentialKind.CARD: "revoke_card",
    CredentialKind.FINGERPRINT: "revoke_fingerprint",
    CredentialKind.FACE: "revoke_face",
    CredentialKind.EKEY: "revoke_ekey",
}
"""The action that revokes a credential of each kind."""
REVEALABLE = frozenset(
    {CredentialKind.PASSCODE, CredentialKind.OFFLINE_PASSCODE, CredentialKind.CARD}
)
"""Kinds with digits an admin may look at again (a code, an offline code, a card number)."""

_LOCKS = vol.All(cv.ensure_list, [cv.entity_id])  # none: the action's translated refusal
_WHEN = cv.string  # the action checks the date (naive: Home Assistant's time zone)
_SECRET = cv.string  # checked by the action: a refusal never repeats the digits
_SHARE_KEYS = ("share_to", "message", "title")
_GRANT_KEYS = ("starts_at", "ends_at", "code", "allow_weak_code", "length", "card_number")
_GRANT: VolDictType = {
    vol.Required("name"): cv.string,
    vol.Required("locks"): _LOCKS,
    vol.Optional("starts_at"): _WHEN,
    vol.Optional("ends_at"): _WHEN,
    vol.Optional("code"): _SECRET,
    vol.Optional("allow_weak_code"): cv.boolean,
    vol.Optional("length"): vol.All(vol.Coerce(int), vol.Range(min=4, max=9)),
    vol.Optional("card_number"): _SECRET,
    **SHARE_FIELDS,
}


@contextmanager
def _answering(connection: _Connection, msg: _Message) -> Iterator[None]:
    """A refusal or a failure as the panel's error: its translated text and its key."""
    try:
        yield
    except Unauthorized:
        raise
    except vol.Invalid as err:  # the action's own schema: its message, never the value
        connection.send_error(msg["id"], ERR_INVALID_FORMAT, str(err))
    except HomeAssistantError as err:
        code = (
            ERR_SERVICE_VALIDATION_ERROR
            if isinstance(err, ServiceValidationError)
            else ERR_HOME_ASSISTANT_ERROR
        )
        connection.send_error(
            msg["id"],
            code,
            str(err),
            translation_key=err.translation_key,
            translation_domain=err.translation_domain,
            translation_placeholders=err.translation_placeholders,
        )


# ---------------------------------------------------------------------- the picture
def _credential(credential: Credential, targets: list[LockTarget]) -> dict[str, Any]:
    """A credential as the panel shows it: the action response's shape, never the digits."""
    item = credential_response(credential, targets, secrets=False)
    item["revealable"] = credential.kind in REVEALABLE and bool(
        credential.secret or any(p.secret for p in credential.placements.values())
    )
    return item


def _lock(target: LockTarget) -> dict[str, Any]:
    manager = target.manager
    limit = manager.ledger.limit
    lock_id = target.lock_id
    return {
        "entity_id": target.entity_id,
        "name": target.rt.lock.name,
        "entry_id": manager.entry.entry_id,
        "account": target.coordinator.client is not None,
        "card": target.has(Feature.IC_CARD),
        "passcode_limit": limit or None,
        "passcodes_used": manager.ledger.used(lock_id),
        "passcodes_left": manager.ledger.left(lock_id) if limit else None,
        "pending": manager.pending(lock_id),
        "pending_revocations": manager.pending_revocations(lock_id),
    }


def _queue(manager: AccessManager, entity_ids: dict[int, str]) -> list[dict[str, Any]]:
    items = []
    state = manager.state
    for op in sorted(state.queue.values(), key=lambda op: (op.priority, op.created_at)):
        credential = state.credentials.get(op.credential_id)
        holder = state.holders.get(credential.holder_id or "") if credential else None
        items.append(
            {
                "op_id": op.op_id,
                "entry_id": manager.entry.entry_id,
                "action": op.action.value,
                "credential_id": op.credential_id,
                "name": credential.name if credential else None,
                "kind": credential.kind.value if credential else None,
                "holder": holder.name if holder else None,
                "lock": entity_ids.get(op.lock_id, str(op.lock_id)),
                "lock_name": manager.lock_name(op.lock_id),
                "attempts": op.attempts,
                "created_at": response_time(op.created_at),
                "next_attempt_at": response_time(op.next_attempt_at),
                "last_error": op.last_error,
                "blocked": op.blocked,
            }
        )
    return items


@callback
def async_overview(hass: HomeAssistant) -> dict[str, Any]:
    """Everything the panel shows, without any code's digits (and without the credentials
    found on the locks: :func:`async_found_on_locks` asks the cloud for those)."""
    targets = all_lock_targets(hass)
    entries: list[dict[str, Any]] = []
    holders: list[dict[str, Any]] = []
    loose: list[dict[str, Any]] = []
    queue: list[dict[str, Any]] = []
    bookings: list[dict[str, Any]] = []
    meters: list[dict[str, Any]] = []
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        manager: AccessManager = entry.runtime_data.access
        own = [t for t in targets if t.manager is manager]
        entity_ids = {t.lock_id: t.entity_id for t in own}
        entries.append(
            {
                "entry_id": entry.entry_id,
                "title": entry.title,
                "account": entry.runtime_data.client is not None,
                "passcode_limit": manager.ledger.limit or None,
            }
        )
        held: dict[str, list[dict[str, Any]]] = {}
        for credential in sorted(manager.state.credentials.values(), key=lambda c: c.created_at):
            item = _credential(credential, own)
            if credential.holder_id in manager.state.holders:
                held.setdefault(credential.holder_id, []).append(item)
            else:
                item["entry_id"] = entry.entry_id
                loose.append(item)
        for holder in manager.state.holders.values():
            shown = holder_response(holder)
            shown["entry_id"] = entry.entry_id
            shown["credentials"] = held.get(holder.holder_id, [])
            shown["meters"] = meters_shown(hass, manager, holder)
            holders.append(shown)
        queue.extend(_queue(manager, entity_ids))
        if entry.runtime_data.bookings is not None:
            bookings.extend(entry.runtime_data.bookings.describe())
        meters.extend(account_meters(hass, manager))
    holders.sort(key=lambda h: (h["removed"], h["name"].casefold()))
    return {
        "entries": entries,
        "locks": [_lock(t) for t in sorted(targets, key=lambda t: t.rt.lock.name.casefold())],
        "holders": holders,
        "credentials": loose,
        "queue": queue,
        "bookings": bookings,
        "meters": sorted(meters, key=lambda m: str(m["name"]).casefold()),
        "holder_kinds": [kind.value for kind in HolderKind],
        "adoptable": list(ADOPTABLE),
    }


async def async_found_on_locks(hass: HomeAssistant) -> dict[str, Any]:
    """Per lock entity: the credentials the cloud lists that this integration does not
    manage (names and kinds only), or why they could not be read."""
    found: dict[str, Any] = {}
    for target in all_lock_targets(hass):
        if target.coordinator.client is None:
            continue  # a Bluetooth-only lock: no cloud lists to compare with
        try:
            with answers(target.manager, target.rt.lock.name):
                items = await async_unmanaged(
                    target.manager, target.lock_id, target.adoptable(), secrets=False
                )
        except HomeAssistantError as err:
            found[target.entity_id] = {"name": target.rt.lock.name, "error": str(err)}
            continue
        found[target.entity_id] = {"name": target.rt.lock.name, "items": items}
    return found


# ---------------------------------------------------------------------- reading
@require_admin
@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/overview",
        vol.Optional("include_unmanaged", default=True): cv.boolean,
    }
)
@async_response
async def ws_overview(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """The panel's picture (with the credentials found on the locks unless not wanted)."""
    result = async_overview(hass)
    result["unmanaged"] = await async_found_on_locks(hass) if msg["include_unmanaged"] else None
    connection.send_result(msg["id"], result)


@require_admin
@websocket_command({vol.Required("type"): f"{DOMAIN}/unmanaged"})
@async_response
async def ws_unmanaged(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """The credentials found on the locks that this integration does not manage."""
    connection.send_result(msg["id"], {"unmanaged": await async_found_on_locks(hass)})


@require_admin
@websocket_command({vol.Required("type"): f"{DOMAIN}/subscribe"})
@callback
def ws_subscribe(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """The overview now, and again after every change of the access model or of an entry
    (a burst of changes: one message)."""
    due = False
    active = True

    @callback
    def _send() -> None:
        nonlocal due
        due = False
        if active:
            connection.send_message(event_message(msg["id"], async_overview(hass)))

    @callback
    def _changed(*_args: Any) -> None:
        nonlocal due
        if not due:
            due = True
            hass.loop.call_soon(_send)

    meter_unsubs: list[CALLBACK_TYPE] = []

    @callback
    def _follow_meters() -> None:
        """Tenants' meters are shown with their readings: a new reading is a change too."""
        for unsub in meter_unsubs:
            unsub()
        meter_unsubs.clear()
        for entry in hass.config_entries.async_loaded_entries(DOMAIN):
            if (meters := entry.runtime_data.meters) is not None:
                meter_unsubs.append(meters.async_add_listener(_changed))

    @callback
    def _entry_changed(_change: ConfigEntryChange, entry: ConfigEntry[Any]) -> None:
        if entry.domain == DOMAIN:
            _follow_meters()
            _changed()

    unsubs = [
        async_dispatcher_connect(hass, SIGNAL_ACCESS_CHANGED, _changed),
        async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, _entry_changed),
    ]
    _follow_meters()

    @callback
    def _unsubscribe() -> None:
        nonlocal active
        active = False
        for unsub in (*unsubs, *meter_unsubs):
            unsub()

    connection.subscriptions[msg["id"]] = _unsubscribe
    connection.send_result(msg["id"])
    _send()


@require_admin
@websocket_command(
    {vol.Required("type"): f"{DOMAIN}/reveal_code", vol.Required("credential_id"): cv.string}
)
@callback
def ws_reveal_code(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """The digits of one credential (per lock for offline codes), for the admin who asked;
    the logbook records that they were shown, never what they are."""
    with _answering(connection, msg):
        _reveal(hass, connection, msg)


def _reveal(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    manager, credential = _find_credential(hass, msg["credential_id"])
    targets = [t for t in all_lock_targets(hass) if t.manager is manager]
    entity_ids = {t.lock_id: t.entity_id for t in targets}
    codes: dict[str, str] = {}
    if credential.kind in REVEALABLE:
        for lock_id, placement in credential.placements.items():
            digits = (
                placement.secret
                if credential.kind is CredentialKind.OFFLINE_PASSCODE
                else credential.secret
            )
            if digits:
                codes[entity_ids.get(lock_id, str(lock_id))] = digits
    if not codes:
        raise invalid("nothing_to_reveal", name=credential.name)
    holder = manager.state.holders.get(credential.holder_id or "")
    hass.bus.async_fire(
        EVENT_ACCESS,
        {
            "action": "code_shown",
            "credential_id": credential.credential_id,
            "kind": credential.kind.value,
            "name": credential.name,
            "holder": holder.name if holder else None,
            "locks": sorted(codes),
        },
        context=connection.context(msg),
    )
    single = set(codes.values())
    connection.send_result(
        msg["id"],
        {
            "credential_id": credential.credential_id,
            "kind": credential.kind.value,
            "name": credential.name,
            "code": next(iter(single)) if len(single) == 1 else None,
            "locks": codes,
        },
    )


def _find_credential(hass: HomeAssistant, credential_id: str) -> tuple[AccessManager, Credential]:
    for manager in managers(hass):
        if (credential := manager.credential(credential_id)) is not None:
            return manager, credential
    raise invalid("unknown_credential", credential_id=credential_id)


# ---------------------------------------------------------------------- changing access
async def _run(
    hass: HomeAssistant, connection: _Connection, msg: _Message, action: str, data: _Message
) -> None:
    """Run one of the integration's actions as the admin and answer with its response."""
    with _answering(connection, msg):
        response = await hass.services.async_call(
            DOMAIN,
            action,
            {key: value for key, value in data.items() if value is not None},
            blocking=True,
            return_response=True,
            context=connection.context(msg),
        )
        connection.send_result(msg["id"], response)


def _grant_data(msg: _Message, kind: HolderKind) -> _Message:
    data = {key: msg.get(key) for key in (*_GRANT_KEYS, *_SHARE_KEYS)}
    return {**data, "entity_id": msg["locks"], "holder": msg["name"], "kind": kind.value}


@require_admin
@websocket_command({vol.Required("type"): f"{DOMAIN}/add_guest", **_GRANT})
@async_response
async def ws_add_guest(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """A guest with a code (generated or typed) and optionally a card, for a window
    (``grant_access``); the response carries the new code, once."""
    await _run(hass, connection, msg, "grant_access", _grant_data(msg, HolderKind.GUEST))


@require_admin
@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/check_in",
        **_GRANT,
        vol.Optional("meters"): vol.All(cv.ensure_list, [cv.string]),
    }
)
@async_response
async def ws_check_in(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """A tenant moves in: a code for the lease, and their meters linked (``check_in``)."""
    data = _grant_data(msg, HolderKind.TENANT)
    del data["kind"]
    data["meters"] = msg.get("meters") or None
    await _run(hass, connection, msg, "check_in", data)


_HOLDER: VolDictType = {vol.Required("holder"): cv.string}


@require_admin
@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/check_out",
        **_HOLDER,
        vol.Optional("cut_supply", default=False): cv.boolean,
    }
)
@async_response
async def ws_check_out(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """A tenant moves out: everything they hold is revoked, and with ``cut_supply`` their
    meters are switched off (``check_out``)."""
    data = {"holder": msg["holder"], "cut_supply": msg["cut_supply"]}
    await _run(hass, connection, msg, "check_out", data)


@require_admin
@websocket_command(
    {vol.Required("type"): f"{DOMAIN}/extend_lease", **_HOLDER, vol.Required("ends_at"): _WHEN}
)
@async_response
async def ws_extend_lease(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """Move the end of a stay (``extend_lease``)."""
    data = {"holder": msg["holder"], "ends_at": msg["ends_at"]}
    await _run(hass, connection, msg, "extend_lease", data)


@require_admin
@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/add_staff",
        vol.Required("names"): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
        vol.Required("locks"): _LOCKS,
        vol.Optional("length"): vol.All(vol.Coerce(int), vol.Range(min=4, max=9)),
        **SHARE_FIELDS,
    }
)
@async_response
async def ws_add_staff(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """A permanent code for each staff member (``add_staff``)."""
    data = {key: msg.get(key) for key in ("names", "length", *_SHARE_KEYS)}
    await _run(hass, connection, msg, "add_staff", {**data, "entity_id": msg["locks"]})


@require_admin
@websocket_command({vol.Required("type"): f"{DOMAIN}/remove_staff", **_HOLDER})
@async_response
async def ws_remove_staff(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """A staff member leaves (``remove_staff``)."""
    await _run(hass, connection, msg, "remove_staff", {"names": [msg["holder"]]})


@require_admin
@websocket_command({vol.Required("type"): f"{DOMAIN}/revoke_holder", **_HOLDER})
@async_response
async def ws_revoke_holder(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """Revoke everything a person holds (``revoke_holder``)."""
    await _run(hass, connection, msg, "revoke_holder", {"holder": msg["holder"]})


@require_admin
@websocket_command(
    {vol.Required("type"): f"{DOMAIN}/revoke_credential", vol.Required("credential_id"): cv.string}
)
@async_response
async def ws_revoke_credential(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """Revoke one credential of any kind (``revoke_passcode``, ``revoke_card``…)."""
    with _answering(connection, msg):
        _manager, credential = _find_credential(hass, msg["credential_id"])
        action = REVOKE_ACTIONS[credential.kind]
        await _run(hass, connection, msg, action, {"credential_id": credential.credential_id})


@require_admin
@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/adopt",
        vol.Required("lock"): cv.entity_id,
        vol.Required("kind"): vol.In(list(ADOPTABLE)),
        vol.Required("ttlock_id"): vol.All(vol.Coerce(int), vol.Range(min=1)),
        vol.Optional("name"): cv.string,
        vol.Optional("holder"): cv.string,
        vol.Optional("holder_kind"): vol.In([kind.value for kind in HolderKind]),
    }
)
@async_response
async def ws_adopt(hass: HomeAssistant, connection: _Connection, msg: _Message) -> None:
    """Manage a credential made elsewhere (``adopt_credential``)."""
    data = {key: msg.get(key) for key in ("kind", "ttlock_id", "name", "holder", "holder_kind")}
    await _run(hass, connection, msg, "adopt_credential", {**data, "entity_id": msg["lock"]})


COMMANDS = (
    ws_overview,
    ws_unmanaged,
    ws_subscribe,
    ws_reveal_code,
    ws_add_guest,
    ws_check_in,
    ws_check_out,
    ws_extend_lease,
    ws_add_staff,
    ws_remove_staff,
    ws_revoke_holder,
    ws_revoke_credential,
    ws_adopt,
)


@callback
def async_setup_websocket_api(hass: HomeAssistant) -> None:
    """Register the Access panel's commands (once, in ``async_setup``)."""
    for command in COMMANDS:
        async_register_command(hass, command)
