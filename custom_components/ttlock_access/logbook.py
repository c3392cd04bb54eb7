"""Logbook lines for lock activity ("Front Door unlocked by passcode 'Anna (guest)'") and for
access changes ("Front Door no longer holds passcode 'Anna'")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_ACCESS, EVENT_ACTIVITY, EVENT_METER_SUPPLY

KIND_WORDS = {
    "passcode": "passcode",
    "offline_passcode": "offline passcode",
    "card": "card",
    "fingerprint": "fingerprint",
    "face": "face",
    "ekey": "eKey",
}
"""How a logbook line names a credential kind."""


def _entry(name: str | None, message: str, entity_id: str | None) -> dict[str, Any]:
    """A logbook line of a device (``TTLock`` when it has no name), on its entity if any."""
    entry: dict[str, Any] = {LOGBOOK_ENTRY_NAME: name or "TTLock", LOGBOOK_ENTRY_MESSAGE: message}
    if entity_id:
        entry[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
    return entry


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe ``ttlock_access_activity`` events (the text is built without secrets)."""

    @callback
    def _describe(event: Event) -> dict[str, Any]:
        data = event.data
        message = data.get("description") or data.get("event_type", "")
        return _entry(data.get("lock_name"), message, data.get("entity_id"))

    async_describe_event(DOMAIN, EVENT_ACTIVITY, _describe)

    @callback
    def _describe_access(event: Event) -> dict[str, Any]:
        """``ttlock_access_access``: a lock took, dropped or refused a credential, or an
        admin had a code shown in the Access panel (never the digits)."""
        data = event.data
        name, holder = str(data.get("name") or ""), data.get("holder")
        whose = f"'{name}'" if not holder or holder == name else f"'{name}' of {holder}"
        action = data.get("action")
        if action == "code_shown":
            return {
                LOGBOOK_ENTRY_NAME: "Access panel",
                LOGBOOK_ENTRY_MESSAGE: f"showed the code of {whose}",
            }
        what = f"{KIND_WORDS.get(str(data.get('kind')), 'credential')} {whose}"
        if action == "placed":
            message = f"now holds {what}"
        elif action == "removed":
            message = f"no longer holds {what}"
        elif action == "refused":
            reason = data.get("reason")
            message = f"refused {what}" + (f": {reason}" if reason else "")
        else:
            message = str(action or "")
        return _entry(data.get("lock_name"), message, data.get("entity_id"))

    async_describe_event(DOMAIN, EVENT_ACCESS, _describe_access)

    @callback
    def _describe_supply(event: Event) -> dict[str, Any]:
        """``ttlock_access_meter_supply``: a temporary supply given, ended or cancelled."""
        data = event.data
        holder = f" for {data['holder']}" if data.get("holder") else ""
        action = data.get("action")
        if action == "on":
            minutes = data.get("minutes")
            message = (
                f"supply given{holder} for {minutes} min"
                if data.get("off_at")
                else f"supply kept on{holder} (it was on already)"
            )
        elif action == "off":
            message = f"temporary supply{holder} switched off after its time"
        else:
            message = "temporary supply cancelled: switched by hand"
        return _entry(data.get("name"), message, data.get("entity_id"))

    async_describe_event(DOMAIN, EVENT_METER_SUPPLY, _describe_supply)
