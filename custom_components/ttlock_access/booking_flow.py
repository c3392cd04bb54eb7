"""The options steps of bookings from a calendar: add, edit and remove calendar links.

The settings form (``options_flow.py``) goes on to these steps when its "calendar bookings"
box is ticked; the links are saved with the settings at the end (``bookings`` option, one
dict per link with the ``LINK_*`` keys of :mod:`.bookings`).
"""

from __future__ import annotations

from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.exceptions import HomeAssistantError, TemplateError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TextSelector,
    TextSelectorConfig,
)
from homeassistant.helpers.template import Template

from .access.model import new_id
from .actions import LOCK_DOMAIN
from .booking_links import (
    DEFAULT_CHECKIN,
    DEFAULT_CHECKOUT,
    DEFAULT_NAME_PATTERN,
    LINK_CALENDAR,
    LINK_CHECKIN,
    LINK_CHECKOUT,
    LINK_ID,
    LINK_LOCKS,
    LINK_MESSAGE,
    LINK_NAME,
    LINK_SHARE_TO,
    MAX_OFFSET,
    NAME_FIELDS,
    NamePatternError,
    check_name_pattern,
)
from .const import CONF_BOOKINGS
from .sharing import resolve_targets

CALENDAR_DOMAIN = "calendar"
LINK = "link"
"""Field of the edit and remove steps: which link(s)."""
_OFFSET = NumberSelector(
    NumberSelectorConfig(
        min=-MAX_OFFSET,
        max=MAX_OFFSET,
        step=1,
        unit_of_measurement="min",
        mode=NumberSelectorMode.BOX,
    )
)
_PLACEHOLDERS = {
    "name_fields": ", ".join(
        f"{{{field}:%d %b}}" if field in ("start", "end") else f"{{{field}}}"
        for field in NAME_FIELDS
    ),
    "message_fields": "{{ code }}, {{ lock }}, {{ validity }}, {{ holder }}, {{ summary }}, "
    "{{ location }}, {{ event_start }}, {{ event_end }}",
}


class BookingOptionsFlow(OptionsFlowWithReload):
    """The calendar-link steps of the options flow."""

    _settings: dict[str, Any] | None = None
    """What the settings step gave (saved together with the links)."""
    _links: list[dict[str, Any]] | None = None
    _editing: str | None = None

    def _booking_links(self) -> list[dict[str, Any]]:
        if self._links is None:
            self._links = [dict(link) for link in self.config_entry.options.get(CONF_BOOKINGS, [])]
        return self._links

    def _entry_locks(self) -> list[str]:
        registry = er.async_get(self.hass)
        return sorted(
            item.entity_id
            for item in er.async_entries_for_config_entry(registry, self.config_entry.entry_id)
            if item.domain == LOCK_DOMAIN
        )

    def _label(self, link: dict[str, Any]) -> str:
        def name(entity_id: str) -> str:
            state = self.hass.states.get(entity_id)
            return state.name if state is not None else entity_id

        locks = ", ".join(name(entity_id) for entity_id in link.get(LINK_LOCKS, []))
        return f"{name(link[LINK_CALENDAR])} → {locks}"

    def _link_choice(self, *, multiple: bool) -> SelectSelector:
        return SelectSelector(
            SelectSelectorConfig(
                options=[
                    SelectOptionDict(value=link[LINK_ID], label=self._label(link))
                    for link in self._booking_links()
                ],
                multiple=multiple,
            )
        )

    async def async_step_bookings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The calendar links: add, edit, remove, or save."""
        menu = ["booking_add"]
        if self._booking_links():
            menu += ["booking_edit", "booking_remove"]
        return self.async_show_menu(
            step_id="bookings",
            menu_options=[*menu, "bookings_done"],
            description_placeholders={"count": str(len(self._booking_links()))},
        )

    async def async_step_bookings_done(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Save the settings and the links."""
        settings = dict(self._settings or self.config_entry.options)
        return self.async_create_entry(data={**settings, CONF_BOOKINGS: self._booking_links()})

    async def async_step_booking_add(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A new link."""
        self._editing = None
        return await self.async_step_booking()

    async def async_step_booking_edit(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Which link to edit."""
        if user_input is not None:
            self._editing = str(user_input[LINK])
            return await self.async_step_booking()
        return self.async_show_form(
            step_id="booking_edit",
            data_schema=vol.Schema({vol.Required(LINK): self._link_choice(multiple=False)}),
        )

    async def async_step_booking_remove(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Remove links (their guests keep their access until it ends or is revoked)."""
        if user_input is not None:
            gone = set(user_input[LINK])
            self._links = [link for link in self._booking_links() if link[LINK_ID] not in gone]
            return await self.async_step_bookings()
        return self.async_show_form(
            step_id="booking_remove",
            data_schema=vol.Schema({vol.Required(LINK): self._link_choice(multiple=True)}),
        )

    async def async_step_booking(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One link: calendar, locks, offsets, guest name, where the code is sent."""
        links = self._booking_links()
        current = next((link for link in links if link[LINK_ID] == self._editing), None)
        locks = self._entry_locks()
        errors: dict[str, str] = {}
        if user_input is not None:
            link = self._checked(user_input, locks, errors)
            if not errors:
                if current is not None:
                    link[LINK_ID] = current[LINK_ID]
                    links[links.index(current)] = link
                else:
                    links.append({LINK_ID: new_id(), **link})
                return await self.async_step_bookings()
        values = user_input or current or {}
        schema = vol.Schema(
            {
                vol.Required(LINK_CALENDAR): EntitySelector(
                    EntitySelectorConfig(domain=CALENDAR_DOMAIN)
                ),
                vol.Required(LINK_LOCKS): EntitySelector(
                    EntitySelectorConfig(domain=LOCK_DOMAIN, include_entities=locks, multiple=True)
                ),
                vol.Required(LINK_CHECKIN, default=DEFAULT_CHECKIN): _OFFSET,
                vol.Required(LINK_CHECKOUT, default=DEFAULT_CHECKOUT): _OFFSET,
                vol.Required(LINK_NAME, default=DEFAULT_NAME_PATTERN): TextSelector(),
                vol.Optional(LINK_SHARE_TO): TextSelector(),
                vol.Optional(LINK_MESSAGE): TextSelector(TextSelectorConfig(multiline=True)),
            }
        )
        return self.async_show_form(
            step_id="booking",
            data_schema=self.add_suggested_values_to_schema(schema, values),
            errors=errors,
            description_placeholders=_PLACEHOLDERS,
        )

    def _checked(
        self, user_input: dict[str, Any], locks: list[str], errors: dict[str, str]
    ) -> dict[str, Any]:
        """The link as stored; what is wrong in ``errors`` (by field)."""
        chosen = list(dict.fromkeys(user_input.get(LINK_LOCKS) or []))
        if not chosen or any(entity_id not in locks for entity_id in chosen):
            errors[LINK_LOCKS] = "booking_locks"
        calendar = str(user_input.get(LINK_CALENDAR) or "")
        if not calendar.startswith(f"{CALENDAR_DOMAIN}."):
            errors[LINK_CALENDAR] = "booking_calendar"
        pattern = str(user_input.get(LINK_NAME) or "").strip() or DEFAULT_NAME_PATTERN
        try:
            check_name_pattern(pattern)
        except NamePatternError:
            errors[LINK_NAME] = "booking_name_pattern"
        share_to = str(user_input.get(LINK_SHARE_TO) or "").strip() or None
        if share_to is not None:
            try:
                resolve_targets(self.hass, [share_to])
            except HomeAssistantError:
                errors[LINK_SHARE_TO] = "share_target_unknown"
        message = str(user_input.get(LINK_MESSAGE) or "").strip() or None
        if message is not None:
            try:
                Template(message, self.hass).ensure_valid()
            except TemplateError:
                errors[LINK_MESSAGE] = "share_message_invalid"
        return {
            LINK_CALENDAR: calendar,
            LINK_LOCKS: chosen,
            LINK_CHECKIN: int(user_input.get(LINK_CHECKIN, DEFAULT_CHECKIN)),
            LINK_CHECKOUT: int(user_input.get(LINK_CHECKOUT, DEFAULT_CHECKOUT)),
            LINK_NAME: pattern,
            LINK_SHARE_TO: share_to,
            LINK_MESSAGE: message,
        }
