"""The options: polling, API budget, Bluetooth links, passcode limit and the HA-side PIN."""

from __future__ import annotations

from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.config_entries import (
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)

from .booking_flow import BookingOptionsFlow
from .const import (
    CONF_BOOKINGS,
    CONF_EDIT_BOOKINGS,
    CONF_LOW_BALANCE,
    CONF_METER_INTERVAL,
    CONF_MONTHLY_BUDGET,
    CONF_OFFLINE_FALLBACK,
    CONF_PASSCODE_LIMIT,
    CONF_PIN,
    CONF_PIN_HASH,
    CONF_PIN_SALT,
    CONF_POLL_INTERVAL,
    CONF_REMOVE_PIN,
    CONF_STAY_CONNECTED,
    CONF_SWEEP_CALLS,
    DEFAULT_LOW_BALANCE,
    DEFAULT_METER_INTERVAL,
    DEFAULT_MONTHLY_BUDGET,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_SWEEP_CALLS,
    MAX_METER_INTERVAL,
    MAX_POLL_INTERVAL,
    MAX_SWEEP_CALLS,
    MIN_POLL_INTERVAL,
)
from .flow_helpers import PASSWORD
from .pin import hash_pin, pin_required, valid_pin
from .schedule import Estimate


class TTLockOptionsFlow(BookingOptionsFlow, OptionsFlowWithReload):
    """Polling and API budget options; then, when asked, bookings from calendars."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options."""
        errors: dict[str, str] = {}
        options = self.config_entry.options
        if user_input is not None:
            # The HA-side PIN: only its salted hash is stored; empty keeps the current one.
            pin = str(user_input.pop(CONF_PIN, "") or "").strip()
            remove = bool(user_input.pop(CONF_REMOVE_PIN, False))
            edit_bookings = bool(user_input.pop(CONF_EDIT_BOOKINGS, False))
            flags = {
                key: bool(user_input.pop(key, False))
                for key in (CONF_STAY_CONNECTED, CONF_OFFLINE_FALLBACK)
            }
            # whole numbers, but money keeps its cents
            data: dict[str, Any] = {
                k: float(v) if k == CONF_LOW_BALANCE else int(v) for k, v in user_input.items()
            } | flags
            if pin and not valid_pin(pin):
                errors[CONF_PIN] = "invalid_pin"
            else:
                if pin:
                    data.update(hash_pin(pin))
                elif not remove and pin_required(options):
                    data.update({k: options[k] for k in (CONF_PIN_HASH, CONF_PIN_SALT)})
                if CONF_BOOKINGS in options:  # the calendar links are kept
                    data[CONF_BOOKINGS] = options[CONF_BOOKINGS]
                if edit_bookings:
                    self._settings = data
                    return await self.async_step_bookings()
                return self.async_create_entry(data=data)
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_POLL_INTERVAL,
                    default=options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL),
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=MIN_POLL_INTERVAL,
                        max=MAX_POLL_INTERVAL,
                        step=1,
                        unit_of_measurement="min",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Required(
                    CONF_SWEEP_CALLS,
                    default=options.get(CONF_SWEEP_CALLS, DEFAULT_SWEEP_CALLS),
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=0, max=MAX_SWEEP_CALLS, step=1, mode=NumberSelectorMode.BOX
                    )
                ),
                vol.Required(
                    CONF_MONTHLY_BUDGET,
                    default=options.get(CONF_MONTHLY_BUDGET, DEFAULT_MONTHLY_BUDGET),
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=100, max=10_000_000, step=100, mode=NumberSelectorMode.BOX
                    )
                ),
                vol.Required(
                    CONF_PASSCODE_LIMIT, default=options.get(CONF_PASSCODE_LIMIT, 0)
                ): NumberSelector(
                    NumberSelectorConfig(min=0, max=1000, step=1, mode=NumberSelectorMode.BOX)
                ),
                vol.Required(
                    CONF_METER_INTERVAL,
                    default=options.get(CONF_METER_INTERVAL, DEFAULT_METER_INTERVAL),
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=1,
                        max=MAX_METER_INTERVAL,
                        step=1,
                        unit_of_measurement="h",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Required(
                    CONF_LOW_BALANCE, default=options.get(CONF_LOW_BALANCE, DEFAULT_LOW_BALANCE)
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=0,
                        max=100_000,
                        step=0.01,
                        unit_of_measurement=self.hass.config.currency,
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Required(
                    CONF_STAY_CONNECTED, default=options.get(CONF_STAY_CONNECTED, False)
                ): BooleanSelector(),
                vol.Required(
                    CONF_OFFLINE_FALLBACK, default=options.get(CONF_OFFLINE_FALLBACK, False)
                ): BooleanSelector(),
                vol.Optional(CONF_PIN): PASSWORD,
            }
        )
        if pin_required(options):
            schema = schema.extend(
                {vol.Optional(CONF_REMOVE_PIN, default=False): BooleanSelector()}
            )
        schema = schema.extend({vol.Optional(CONF_EDIT_BOOKINGS, default=False): BooleanSelector()})
        # what the current settings cost (an entry not loaded yet: nothing known, so 0)
        runtime = getattr(self.config_entry, "runtime_data", None)
        estimate = runtime.estimate() if runtime else Estimate(0, 0)
        return self.async_show_form(
            step_id="init",
            data_schema=schema,
            errors=errors,
            description_placeholders={
                "with_push": f"{estimate.with_push:,}",
                "without_push": f"{estimate.without_push:,}",
            },
        )
