"""Config flow: sign in to a TTLock account (EU, China or a custom server), reauth,
reconfigure and options."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from . import base_url_for, tokens_to_data
from .const import (
    CONF_BASE_URL,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_MONTHLY_BUDGET,
    CONF_PASSWORD_MD5,
    CONF_POLL_INTERVAL,
    CONF_REGION,
    CONF_SWEEP_CALLS,
    CONF_TOKEN,
    DEFAULT_MONTHLY_BUDGET,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_SWEEP_CALLS,
    DOMAIN,
    MAX_POLL_INTERVAL,
    MAX_SWEEP_CALLS,
    MIN_POLL_INTERVAL,
    REGION_CUSTOM,
    REGION_EU,
    REGIONS,
)
from .sdk.cloud import TTLockCloud, md5_password
from .sdk.cloud.errors import (
    ClockSkewError,
    InvalidClientError,
    InvalidCredentialsError,
    PasswordNotMd5Error,
    RegionMismatchError,
    TTLockConnectionError,
    TTLockError,
)
from .sdk.model import Tokens

_LOGGER = logging.getLogger(__name__)

_TEXT = TextSelector()
_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_REGION = SelectSelector(
    SelectSelectorConfig(
        options=list(REGIONS), translation_key="region", mode=SelectSelectorMode.LIST
    )
)


def _account_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_REGION, default=defaults.get(CONF_REGION, REGION_EU)): _REGION,
            vol.Required(CONF_CLIENT_ID, default=defaults.get(CONF_CLIENT_ID, "")): _TEXT,
            vol.Required(
                CONF_CLIENT_SECRET, default=defaults.get(CONF_CLIENT_SECRET, "")
            ): _PASSWORD,
            vol.Required(CONF_USERNAME, default=defaults.get(CONF_USERNAME, "")): _TEXT,
            vol.Required(CONF_PASSWORD): _PASSWORD,
        }
    )


class TTLockConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a TTLock account."""

    VERSION = 1

    def __init__(self) -> None:
        self._pending: dict[str, Any] = {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> TTLockOptionsFlow:
        """The options flow."""
        return TTLockOptionsFlow()

    async def _sign_in(self, data: Mapping[str, Any], password: str) -> tuple[Tokens | None, str]:
        """Sign in; returns the tokens or a form error key."""
        client = TTLockCloud(
            async_get_clientsession(self.hass),
            client_id=data[CONF_CLIENT_ID],
            client_secret=data[CONF_CLIENT_SECRET],
            base_url=base_url_for(data),
        )
        try:
            return await client.login(data[CONF_USERNAME], md5_password(password)), ""
        except InvalidClientError:
            return None, "invalid_client"
        except InvalidCredentialsError, PasswordNotMd5Error:
            return None, "invalid_auth"
        except RegionMismatchError:
            return None, "wrong_region"
        except ClockSkewError:
            return None, "clock_skew"
        except TTLockConnectionError:
            return None, "cannot_connect"
        except TTLockError:
            _LOGGER.exception("Unexpected answer from the TTLock cloud")
            return None, "unknown"

    def _entry_data(self, data: Mapping[str, Any], password: str, tokens: Tokens) -> dict[str, Any]:
        return {
            CONF_REGION: data[CONF_REGION],
            CONF_BASE_URL: base_url_for(data),
            CONF_CLIENT_ID: data[CONF_CLIENT_ID],
            CONF_CLIENT_SECRET: data[CONF_CLIENT_SECRET],
            CONF_USERNAME: data[CONF_USERNAME],
            # The API only ever needs the MD5 digest; the plain password is not kept.
            CONF_PASSWORD_MD5: md5_password(password),
            CONF_TOKEN: tokens_to_data(tokens),
        }

    # ------------------------------------------------------------------ user
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the region, the developer app and the TTLock account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            self._pending = dict(user_input)
            if user_input[CONF_REGION] == REGION_CUSTOM:
                return await self.async_step_custom_server()
            return await self._finish_account(errors, "user")
        return self.async_show_form(
            step_id="user", data_schema=_account_schema(self._pending), errors=errors
        )

    async def async_step_custom_server(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the URL of a custom server (the simulator, or a proxy)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            url = str(user_input[CONF_BASE_URL]).strip().rstrip("/")
            if not url.startswith(("http://", "https://")):
                errors[CONF_BASE_URL] = "invalid_url"
            else:
                self._pending[CONF_BASE_URL] = url
                return await self._finish_account(errors, "custom_server")
        default = self._pending.get(CONF_BASE_URL, "")
        return self.async_show_form(
            step_id="custom_server",
            data_schema=vol.Schema({vol.Required(CONF_BASE_URL, default=default): _URL}),
            errors=errors,
        )

    async def _finish_account(self, errors: dict[str, str], step_id: str) -> ConfigFlowResult:
        data = self._pending
        password = data[CONF_PASSWORD]
        tokens, error = await self._sign_in(data, password)
        if tokens is None:
            errors["base"] = error
            if step_id == "custom_server":
                return self.async_show_form(
                    step_id=step_id,
                    data_schema=vol.Schema(
                        {vol.Required(CONF_BASE_URL, default=data[CONF_BASE_URL]): _URL}
                    ),
                    errors=errors,
                )
            return self.async_show_form(
                step_id=step_id, data_schema=_account_schema(data), errors=errors
            )
        await self.async_set_unique_id(str(tokens.uid))
        entry_data = self._entry_data(data, password, tokens)
        if self.source == "reconfigure":
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            return self.async_update_reload_and_abort(
                self._get_reconfigure_entry(), data=entry_data
            )
        self._abort_if_unique_id_configured()
        return self.async_create_entry(title=data[CONF_USERNAME], data=entry_data)

    # ------------------------------------------------------------------ reauth
    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The cloud refused the stored credentials (password changed, tokens revoked)."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the account's current password."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            password = user_input[CONF_PASSWORD]
            tokens, error = await self._sign_in(entry.data, password)
            if tokens is not None:
                await self.async_set_unique_id(str(tokens.uid))
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={
                        CONF_PASSWORD_MD5: md5_password(password),
                        CONF_TOKEN: tokens_to_data(tokens),
                    },
                )
            errors["base"] = error
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSWORD): _PASSWORD}),
            description_placeholders={"username": entry.data[CONF_USERNAME]},
            errors=errors,
        )

    # ------------------------------------------------------------------ reconfigure
    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the region, server, developer app or credentials of an account."""
        entry = self._get_reconfigure_entry()
        if user_input is not None:
            self._pending = {CONF_BASE_URL: entry.data.get(CONF_BASE_URL, ""), **user_input}
            if user_input[CONF_REGION] == REGION_CUSTOM:
                return await self.async_step_custom_server()
            return await self._finish_account({}, "reconfigure")
        return self.async_show_form(step_id="reconfigure", data_schema=_account_schema(entry.data))


class TTLockOptionsFlow(OptionsFlowWithReload):
    """Polling and API budget options."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options."""
        if user_input is not None:
            return self.async_create_entry(data={k: int(v) for k, v in user_input.items()})
        options = self.config_entry.options
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
            }
        )
        return self.async_show_form(step_id="init", data_schema=schema)
