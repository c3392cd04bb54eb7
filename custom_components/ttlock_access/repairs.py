"""Repair flows: the one repair a person confirms (a lock that left the account)."""

from __future__ import annotations

from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.core import HomeAssistant


class ForgetLockFlow(RepairsFlow):
    """Stop waiting for a lock that left the TTLock account (it was reset or is gone)."""

    def __init__(self, entry_id: str, lock_id: int, placeholders: dict[str, str]) -> None:
        self._entry_id = entry_id
        self._lock_id = lock_id
        self._placeholders = placeholders

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> RepairsFlowResult:
        """The only step."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Confirm, then drop the lock's waiting changes."""
        if user_input is not None:
            entry = self.hass.config_entries.async_get_entry(self._entry_id)
            if entry is not None and hasattr(entry, "runtime_data"):
                await entry.runtime_data.access.async_forget_lock(self._lock_id)
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders=self._placeholders,
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """The flow of a fixable issue of this integration."""
    data = data or {}
    issue_placeholders = {"lock": str(data.get("lock", "")), "count": str(data.get("count", ""))}
    return ForgetLockFlow(str(data["entry_id"]), int(data["lock_id"]), issue_placeholders)
