"""Repair flows: what only a person can confirm — a lock that left the account, or that the
bookings of a calendar which came back empty are really cancelled."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.core import HomeAssistant

from .const import ISSUE_BOOKINGS_FEED_EMPTY


class ConfirmFlow(RepairsFlow):
    """One confirmation step; once confirmed, ``act`` runs with the entry's runtime data
    (skipped when the entry is not loaded)."""

    def __init__(
        self,
        entry_id: str,
        placeholders: dict[str, str],
        act: Callable[[Any], Awaitable[None]],
    ) -> None:
        self._entry_id = entry_id
        self._placeholders = placeholders
        self._act = act

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """The only step."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Confirm, then act."""
        if user_input is not None:
            entry = self.hass.config_entries.async_get_entry(self._entry_id)
            runtime = getattr(entry, "runtime_data", None)
            if runtime is not None:
                await self._act(runtime)
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders=self._placeholders,
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """The flow of a fixable issue of this integration: the host confirms that a linked
    calendar's bookings are cancelled (their guests are checked out), or stops waiting for a
    lock that left the TTLock account (its waiting changes are dropped)."""
    data = data or {}
    count = str(data.get("count", ""))
    if issue_id.startswith(ISSUE_BOOKINGS_FEED_EMPTY):
        link_id = str(data["link_id"])

        async def _cancel(runtime: Any) -> None:
            if runtime.bookings is not None:
                await runtime.bookings.async_confirm_empty(link_id)

        calendar = str(data.get("calendar", ""))
        placeholders = {"calendar": calendar, "count": count}
        return ConfirmFlow(str(data["entry_id"]), placeholders, _cancel)
    lock_id = int(data["lock_id"])

    async def _forget(runtime: Any) -> None:
        await runtime.access.async_forget_lock(lock_id)

    placeholders = {"lock": str(data.get("lock", "")), "count": count}
    return ConfirmFlow(str(data["entry_id"]), placeholders, _forget)
