"""Logbook lines for lock activity: "Front Door unlocked by passcode 'Anna (guest)'"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_ACCESS, EVENT_ACTIVITY


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe ``ttlock_access_activity`` events (the text is built without secrets)."""

    @callback
    def _describe(event: Event) -> dict[str, Any]:
        data = event.data
        entry: dict[str, Any] = {
            LOGBOOK_ENTRY_NAME: data.get("lock_name") or "TTLock",
            LOGBOOK_ENTRY_MESSAGE: data.get("description") or data.get("event_type", ""),
        }
        if data.get("entity_id"):
            entry[LOGBOOK_ENTRY_ENTITY_ID] = data["entity_id"]
        return entry

    async_describe_event(DOMAIN, EVENT_ACTIVITY, _describe)

    @callback
    def _describe_access(event: Event) -> dict[str, Any]:
        """``ttlock_access_access``: what an admin did in the Access panel (no digits)."""
        data = event.data
        name, holder = str(data.get("name") or ""), data.get("holder")
        whose = f"'{name}'" if not holder or holder == name else f"'{name}' of {holder}"
        message = (
            f"showed the code of {whose}"
            if data.get("action") == "code_shown"
            else str(data.get("action") or "")
        )
        return {LOGBOOK_ENTRY_NAME: "Access panel", LOGBOOK_ENTRY_MESSAGE: message}

    async_describe_event(DOMAIN, EVENT_ACCESS, _describe_access)
