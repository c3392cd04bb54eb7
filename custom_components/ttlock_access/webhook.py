"""The TTLock callback URL: an HA webhook the TTLock cloud pushes lock activity to.

* One webhook per account entry; its id (a secret: the URL is the only protection,
  docs/cloud.md §2.9) lives in the entry. The URL is a Home Assistant Cloud
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
import time
from collections import deque
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from aiohttp import hdrs, web
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError

from .const import (
    CONF_CLIENT_ID,
    CONF_WEBHOOK_SEEN,
    DOMAIN,
    ISSUE_WEBHOOK_NO_URL,
    ISSUE_WEBHOOK_URL,
)
from .push import async_apply
from .runtime import TTLockConfigEntry
from .sdk.cloud.callback import CallbackError, parse_callback

_LOGGER = logging.getLogger(__name__)

SUCCESS = "success"
"""The reply TTLock expects (anything else makes it retry)."""

type _Handler = Callable[[HomeAssistant, str, web.Request], Awaitable[web.Response]]


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


async def async_rotate_webhook(hass: HomeAssistant, entry: TTLockConfigEntry) -> str | None:
    """A new callback URL for the entry (the old one, maybe leaked, stops working at once).

    TTLock keeps pushing to the old URL until the developer application is updated: the
    repair issue shows the new URL again until the first callback reaches it. Answers the
    new URL (None when Home Assistant has no URL TTLock could reach)."""
    old = entry.data.get(CONF_WEBHOOK_ID)
    if old:
        webhook.async_unregister(hass, old)
        await async_remove_webhook(hass, entry)
    hass.config_entries.async_update_entry(
        entry,
        data={
            **entry.data,
            CONF_WEBHOOK_ID: webhook.async_generate_id(),
            CONF_WEBHOOK_SEEN: False,
        },
    )
    _LOGGER.info("%s has a new TTLock callback URL; set it in the developer console", entry.title)
    await async_setup_webhook(hass, entry)
    return await async_webhook_url(hass, entry.data[CONF_WEBHOOK_ID])


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
        entry.runtime_data.coordinator.async_push_arrived()
        if not entry.data.get(CONF_WEBHOOK_SEEN):
            hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_WEBHOOK_SEEN: True}
            )
        for issue_id in _issue_ids(entry):
            ir.async_delete_issue(hass, DOMAIN, issue_id)


# ---------------------------------------------------------------------- reading
async def read_payload(request: web.Request) -> dict[str, str]:
    """The callback's fields (form-encoded as TTLock sends them; a JSON object is accepted)."""
    content_type = request.headers.get(hdrs.CONTENT_TYPE, "")
    try:
        if "json" in content_type:
            body = await request.json()
            if not isinstance(body, dict):
                raise CallbackError("the JSON body is not an object")
            return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        form = await request.post()
    except (ValueError, UnicodeDecodeError) as err:
        raise CallbackError("unreadable body") from err
    return {str(k): v for k, v in form.items() if isinstance(v, str)}


# ---------------------------------------------------------------------- handling
def _entries(hass: HomeAssistant, entry: TTLockConfigEntry) -> list[TTLockConfigEntry]:
    """This entry, then loaded entries of the same developer application (one callback URL
    per application: docs/cloud.md §2.9, JB #70)."""
    client_id = entry.data.get(CONF_CLIENT_ID)
    others = [
        other
        for other in hass.config_entries.async_loaded_entries(DOMAIN)
        if other is not entry and client_id and other.data.get(CONF_CLIENT_ID) == client_id
    ]
    return [entry, *others] if entry.state is ConfigEntryState.LOADED else others


MAX_BODY = 1_000_000
"""Bytes of a callback at most (a records push of 1,000 records is far smaller)."""
RATE_WINDOW = 60.0
RATE_MAX = 300
"""Callbacks per entry and minute at most (TTLock pushes about one per lock event; a busy
building stays far below). The excess is answered 429, which TTLock retries later."""


class RateLimit:
    """A sliding window of callback arrival times; says once per burst that it refuses."""

    def __init__(self) -> None:
        self.limit = RATE_MAX
        self.window = RATE_WINDOW
        self._times: deque[float] = deque()
        self.refused = 0
        self._told = False

    def allow(self, now: float) -> bool:
        """Whether a callback arriving at ``now`` (monotonic seconds) is taken."""
        while self._times and now - self._times[0] >= self.window:
            self._times.popleft()
        if len(self._times) >= self.limit:
            self.refused += 1
            return False
        self._times.append(now)
        if len(self._times) < self.limit // 2:
            self._told = False  # the burst is over: the next one is logged again
        return True

    def tell(self) -> bool:
        """True the first time a burst is refused (log once, not per callback)."""
        told, self._told = self._told, True
        return not told


def _handler(entry: TTLockConfigEntry) -> _Handler:
    limit = RateLimit()

    async def _handle(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
        if not limit.allow(time.monotonic()):
            if limit.tell():
                _LOGGER.warning(
                    "TTLock callbacks for %s arrive faster than %s a minute: the excess is "
                    "refused until the rate drops (TTLock retries refused callbacks)",
                    entry.title,
                    limit.limit,
                )
            return web.Response(status=HTTPStatus.TOO_MANY_REQUESTS, text="slow down")
        if (request.content_length or 0) > MAX_BODY:
            _LOGGER.debug("Rejected a TTLock callback of %s bytes", request.content_length)
            return web.Response(status=HTTPStatus.BAD_REQUEST, text="body too large")
        try:
            notice = parse_callback(await read_payload(request))
            entries = _entries(hass, entry)
            handled = await async_apply(entries, notice)
        except CallbackError as err:
            _LOGGER.debug("Rejected a malformed TTLock callback: %s", err)
            return web.Response(status=HTTPStatus.BAD_REQUEST, text=str(err))
        except (ValueError, OverflowError, RecursionError, TypeError, KeyError) as err:
            # never a traceback naming the URL's secret: a body no callback has is refused
            _LOGGER.debug("Rejected an unreadable TTLock callback: %s", type(err).__name__)
            return web.Response(status=HTTPStatus.BAD_REQUEST, text="unreadable callback")
        if entries:
            _mark_seen(hass, entries)
        if not handled:
            _LOGGER.debug("TTLock callback (%s) for a device of no account", type(notice).__name__)
        return web.Response(text=SUCCESS, content_type="text/plain")

    return _handle
