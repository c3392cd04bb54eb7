"""The TTLock callback URL: an HA webhook the TTLock cloud pushes lock activity to.

* One webhook per account entry; its id (a secret: the URL is the only protection, research
  ttlock-cloud-and-peers.md §2.9) lives in the entry. The URL is a Home Assistant Cloud
  cloudhook when a subscription is active, else the external URL.
* The callback URL is set once per TTLock *developer application*, by hand: a repair issue
  shows the URL and how to set it, and goes away when the first callback arrives.
* Callbacks are ``POST`` form-encoded (``records`` is a JSON string); the reply is the literal
  ``success``. Handled ``notifyType``: 1 lock records, 2 gateway online/offline, 3 Wi-Fi lock
  online/offline, 4 async request failed, 7 door sensor. A malformed body is answered 400;
  lock and gateway ids of other accounts are ignored (an entry sharing the same developer
  application gets them instead); unknown notify types are acknowledged.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

from aiohttp import hdrs, web
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError

from .activity import Source
from .const import (
    CONF_CLIENT_ID,
    CONF_WEBHOOK_SEEN,
    DOMAIN,
    ISSUE_WEBHOOK_NO_URL,
    ISSUE_WEBHOOK_URL,
)
from .coordinator import TTLockConfigEntry
from .sdk.cloud.client import parse_lock_record
from .sdk.model import LockRecord

_LOGGER = logging.getLogger(__name__)

SUCCESS = "success"
"""The reply TTLock expects (anything else makes it retry)."""

type _Handler = Callable[[HomeAssistant, str, web.Request], Awaitable[web.Response]]


class BadPayloadError(ValueError):
    """The body is not a TTLock callback."""


# ---------------------------------------------------------------------- setup
async def async_setup_webhook(hass: HomeAssistant, entry: TTLockConfigEntry) -> None:
    """Register the entry's webhook and tell the user where to point TTLock."""
    webhook_id = entry.data.get(CONF_WEBHOOK_ID)
    if not webhook_id:
        webhook_id = webhook.async_generate_id()
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_WEBHOOK_ID: webhook_id}
        )
    webhook.async_register(
        hass,
        DOMAIN,
        f"TTLock {entry.title}",
        webhook_id,
        _handler(entry),
        allowed_methods=[hdrs.METH_POST],
    )

    @callback
    def _unregister() -> None:
        webhook.async_unregister(hass, webhook_id)

    entry.async_on_unload(_unregister)
    await async_update_issue(hass, entry)


async def async_webhook_url(hass: HomeAssistant, webhook_id: str) -> str | None:
    """The URL TTLock can reach: a cloudhook, else the external URL; None if neither."""
    if "cloud" in hass.config.components:
        from homeassistant.components import cloud

        if cloud.async_active_subscription(hass):
            try:
                return await cloud.async_get_or_create_cloudhook(hass, webhook_id)
            except cloud.CloudNotAvailable:
                _LOGGER.debug("Home Assistant Cloud is not connected; using the external URL")
    try:
        return webhook.async_generate_url(
            hass, webhook_id, allow_internal=False, allow_ip=True, prefer_external=True
        )
    except NoURLAvailableError:
        return None


def _issue_ids(entry: TTLockConfigEntry) -> tuple[str, str]:
    return f"{ISSUE_WEBHOOK_URL}_{entry.entry_id}", f"{ISSUE_WEBHOOK_NO_URL}_{entry.entry_id}"


async def async_update_issue(hass: HomeAssistant, entry: TTLockConfigEntry) -> None:
    """Show the callback URL until TTLock has used it (only where pushes can come from:
    locks behind a gateway or on Wi-Fi)."""
    url_issue, no_url_issue = _issue_ids(entry)
    locks = entry.runtime_data.coordinator.data.locks.values()
    if entry.data.get(CONF_WEBHOOK_SEEN) or not any(rt.lock.is_remote for rt in locks):
        ir.async_delete_issue(hass, DOMAIN, url_issue)
        ir.async_delete_issue(hass, DOMAIN, no_url_issue)
        return
    url = await async_webhook_url(hass, entry.data[CONF_WEBHOOK_ID])
    placeholders = {"account": entry.title, "client_id": str(entry.data.get(CONF_CLIENT_ID))}
    if url is None:
        ir.async_delete_issue(hass, DOMAIN, url_issue)
        ir.async_create_issue(
            hass,
            DOMAIN,
            no_url_issue,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_WEBHOOK_NO_URL,
            translation_placeholders=placeholders,
        )
        return
    ir.async_delete_issue(hass, DOMAIN, no_url_issue)
    ir.async_create_issue(
        hass,
        DOMAIN,
        url_issue,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_WEBHOOK_URL,
        translation_placeholders={**placeholders, "url": url},
    )


async def async_remove_webhook(hass: HomeAssistant, entry: TTLockConfigEntry) -> None:
    """Entry removed: drop its cloudhook, if it had one."""
    webhook_id = entry.data.get(CONF_WEBHOOK_ID)
    if not webhook_id or "cloud" not in hass.config.components:
        return
    from homeassistant.components import cloud

    try:
        await cloud.async_delete_cloudhook(hass, webhook_id)
    except (cloud.CloudNotAvailable, ValueError):
        _LOGGER.debug("No cloudhook to delete")


@callback
def _mark_seen(hass: HomeAssistant, entries: list[TTLockConfigEntry]) -> None:
    """TTLock reached us: the URL is set for the developer application of these entries."""
    for entry in entries:
        if not entry.data.get(CONF_WEBHOOK_SEEN):
            hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_WEBHOOK_SEEN: True}
            )
        for issue_id in _issue_ids(entry):
            ir.async_delete_issue(hass, DOMAIN, issue_id)


# ---------------------------------------------------------------------- parsing
async def read_payload(request: web.Request) -> dict[str, str]:
    """The callback's fields (form-encoded as TTLock sends them; a JSON object is accepted)."""
    content_type = request.headers.get(hdrs.CONTENT_TYPE, "")
    try:
        if "json" in content_type:
            body = await request.json()
            if not isinstance(body, dict):
                raise BadPayloadError("the JSON body is not an object")
            return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        form = await request.post()
    except (ValueError, UnicodeDecodeError) as err:
        raise BadPayloadError("unreadable body") from err
    return {str(k): v for k, v in form.items() if isinstance(v, str)}


def _opt_int(payload: Mapping[str, str], key: str) -> int | None:
    raw = payload.get(key)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError as err:
        raise BadPayloadError(f"{key} is not a number") from err


def _int(payload: Mapping[str, str], key: str) -> int:
    value = _opt_int(payload, key)
    if value is None:
        raise BadPayloadError(f"{key} is missing")
    return value


def _bool(payload: Mapping[str, str], key: str) -> bool:
    raw = str(payload.get(key, "")).strip().lower()
    if raw in ("1", "true"):
        return True
    if raw in ("0", "false", "2"):
        return False
    raise BadPayloadError(f"{key} is not a boolean")


def parse_records(payload: Mapping[str, str]) -> list[LockRecord]:
    """The records of a notifyType 1 callback (``records`` is a JSON string list)."""
    lock_id = _int(payload, "lockId")
    raw = payload.get("records")
    if raw is None:
        raise BadPayloadError("records is missing")
    try:
        items = json.loads(raw)
    except ValueError as err:
        raise BadPayloadError("records is not JSON") from err
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BadPayloadError("records is not a list of objects")
    # a record without an integer type or time cannot be told apart from another one: it
    # is dropped, and the readable records of the same batch are still handled
    readable = [item for item in items if _readable_record(item)]
    if items and not readable:
        raise BadPayloadError("a record is malformed")
    if len(readable) < len(items):
        _LOGGER.debug("Dropped %s unreadable record(s)", len(items) - len(readable))
    return [parse_lock_record(item, lock_id) for item in readable]


def _readable_record(item: Mapping[str, Any]) -> bool:
    for key in ("recordType", "lockDate"):
        value = item.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            return False
        try:
            int(value)
        except ValueError:
            return False
    return True


# ---------------------------------------------------------------------- handling
def _entries(hass: HomeAssistant, entry: TTLockConfigEntry) -> list[TTLockConfigEntry]:
    """This entry, then loaded entries of the same developer application (one callback URL
    per application: research §2.9, JB #70)."""
    client_id = entry.data.get(CONF_CLIENT_ID)
    others = [
        other
        for other in hass.config_entries.async_loaded_entries(DOMAIN)
        if other is not entry and client_id and other.data.get(CONF_CLIENT_ID) == client_id
    ]
    return [entry, *others] if entry.state is ConfigEntryState.LOADED else others


def _owner(entries: list[TTLockConfigEntry], lock_id: int | None) -> TTLockConfigEntry | None:
    for entry in entries:
        if lock_id is not None and lock_id in entry.runtime_data.coordinator.data.locks:
            return entry
    return None


def _handler(entry: TTLockConfigEntry) -> _Handler:
    async def _handle(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
        try:
            payload = await read_payload(request)
            notify_type = _int(payload, "notifyType")
            entries = _entries(hass, entry)
            handled = await _dispatch(entries, notify_type, payload)
        except BadPayloadError as err:
            _LOGGER.debug("Rejected a malformed TTLock callback: %s", err)
            return web.Response(status=HTTPStatus.BAD_REQUEST, text=str(err))
        if entries:
            _mark_seen(hass, entries)
        if not handled:
            _LOGGER.debug("TTLock callback (notifyType %s) for a device of no account", notify_type)
        return web.Response(text=SUCCESS, content_type="text/plain")

    return _handle


async def _dispatch(
    entries: list[TTLockConfigEntry], notify_type: int, payload: Mapping[str, str]
) -> bool:
    """Route one callback; False when no entry owns its device."""
    if notify_type == 1:
        return await _records(entries, payload)
    if notify_type == 2:
        gateway_id, online = _int(payload, "gatewayId"), _bool(payload, "isOnline")
        return any(
            e.runtime_data.coordinator.activity.async_gateway_online(gateway_id, online)
            for e in entries
        )
    if notify_type == 3:
        lock_id, online = _int(payload, "lockId"), _bool(payload, "isOnline")
        owner = _owner(entries, lock_id)
        return owner is not None and owner.runtime_data.coordinator.activity.async_wifi_online(
            lock_id, online
        )
    if notify_type == 4:
        lock_id = _int(payload, "lockId")
        owner = _owner(entries, lock_id)
        if owner is None:
            return False
        return await owner.runtime_data.coordinator.activity.async_request_failed(
            lock_id,
            _opt_int(payload, "objectType"),
            _opt_int(payload, "objectId"),
            _opt_int(payload, "errcode"),
        )
    if notify_type == 7:
        record_type = _int(payload, "recordType")
        bound = _opt_int(payload, "lockId")
        owner = _owner(entries, bound) or (entries[0] if entries else None)
        if owner is None:
            return False
        return await owner.runtime_data.coordinator.activity.async_door_sensor(
            sensor_id=_opt_int(payload, "doorSensorId"),
            name=str(payload.get("name") or payload.get("doorSensorName") or ""),
            record_type=record_type,
            lock_id=bound,
        )
    return True  # a notify type we do not use: acknowledge it


async def _records(entries: list[TTLockConfigEntry], payload: Mapping[str, str]) -> bool:
    """notifyType 1: records, grouped per lock and handed to the entry that owns the lock."""
    by_lock: dict[int, list[LockRecord]] = defaultdict(list)
    for record in parse_records(payload):
        by_lock[record.lock_id].append(record)
    handled = False
    for lock_id, records in by_lock.items():
        owner = _owner(entries, lock_id)
        if owner is None:  # a lock of no account here: ignored (counted for diagnostics)
            if entries:
                entries[0].runtime_data.coordinator.activity.stats["ignored"] += len(records)
            continue
        handled = True
        await owner.runtime_data.coordinator.activity.async_process_cloud(records, Source.WEBHOOK)
    return handled
