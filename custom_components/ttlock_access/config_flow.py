"""Config flow: sign in to a TTLock account (EU, China or a custom server), reauth,
reconfigure and options."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.components import bluetooth
from homeassistant.components.bluetooth import BluetoothServiceInfoBleak
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_ADDRESS, CONF_NAME, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
)

from . import base_url_for, tokens_to_data
from .ble import lock_wall_time, native_passcode_table
from .const import (
    CONF_BASE_URL,
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_ENTRY_TYPE,
    CONF_LOCK_DATA,
    CONF_PASSWORD_MD5,
    CONF_REGION,
    CONF_TOKEN,
    DOMAIN,
    ENTRY_ACCOUNT,
    ENTRY_LOCK,
    REGION_CUSTOM,
)
from .errors import flow_error_key
from .flow_helpers import (
    CONF_ADMIN_PS,
    CONF_AES_KEY,
    CONF_UNLOCK_KEY,
    PASSWORD,
    TEXT,
    URL,
    account_schema,
    ble_link,
    lock_data_from_input,
    readable_name,
)
from .options_flow import TTLockOptionsFlow
from .sdk.ble import (
    DecryptError,
    DeviceKind,
    LockError,
    LockKeys,
    NotInSettingModeError,
    Pair,
    TTLockAdvertisement,
    TTLockBleError,
    parse_advertisement,
)
from .sdk.ble import GetStatus as BleGetStatus
from .sdk.ble.gateway import (
    DEFAULT_SERVER,
    DEFAULT_SERVER_PORT,
    GATEWAY_NOTIFY_UUID,
    GATEWAY_WRITE_UUID,
    ConfigureGateway,
    GatewayError,
    GatewayFrameAssembler,
    GatewayModel,
    GatewayStatus,
    ScanGatewayWifi,
)
from .sdk.ble.transport import BleLockLink
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

_GATEWAY_MODELS = {
    DeviceKind.GATEWAY_G2: GatewayModel.G2,
    DeviceKind.GATEWAY_G3: GatewayModel.G3,
    DeviceKind.GATEWAY_G4: GatewayModel.G4,
}
_NOT_LOCK_SCENES = (12, 13)
_GATEWAY_ERRORS: dict[int, str] = {
    GatewayStatus.BAD_WIFI_NAME: "wifi_not_found",
    GatewayStatus.BAD_WIFI_PASSWORD: "wifi_password",
    GatewayStatus.NO_CABLE: "gateway_no_network",
    GatewayStatus.NO_SIM_CARD: "gateway_no_network",
}
_CREDENTIAL_ERRORS = frozenset({"invalid_client", "invalid_auth", "wrong_region"})
"""Sign-in errors fixed on the account form (client id/secret, user, password), not the URL."""
GATEWAY_LIST_ATTEMPTS = 10
GATEWAY_LIST_DELAY = 3.0
"""The gateway registers itself with the cloud after set-up: list the account a few times."""


class TTLockConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a TTLock account."""

    VERSION = 1

    def __init__(self) -> None:
        self._pending: dict[str, Any] = {}
        self._address = ""
        self._name = ""  # proposed to the user (readable_name)
        self._ble_name = ""  # what the device advertises
        self._advert: TTLockAdvertisement | None = None
        self._networks: list[str] | None = None

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
        """Choose: a TTLock account, pairing a new lock, or a lock's keys."""
        return self.async_show_menu(
            step_id="user", menu_options=["account", "pair_lock", "lock_keys"]
        )

    async def async_step_account(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the region, the developer app and the TTLock account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            # a URL typed before (back here after a sign-in error) is offered again
            self._pending = {**self._pending, **user_input}
            if user_input[CONF_REGION] == REGION_CUSTOM:
                return await self.async_step_custom_server()
            return await self._finish_account(errors, "account")
        return self.async_show_form(
            step_id="account", data_schema=account_schema(self._pending), errors=errors
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
            data_schema=vol.Schema({vol.Required(CONF_BASE_URL, default=default): URL}),
            errors=errors,
        )

    async def _finish_account(self, errors: dict[str, str], step_id: str) -> ConfigFlowResult:
        data = self._pending
        password = data[CONF_PASSWORD]
        tokens, error = await self._sign_in(data, password)
        if tokens is None:
            errors["base"] = error
            if step_id == "custom_server" and error not in _CREDENTIAL_ERRORS:
                # the server did not answer as it should: its URL is what to fix
                return self.async_show_form(
                    step_id=step_id,
                    data_schema=vol.Schema(
                        {vol.Required(CONF_BASE_URL, default=data[CONF_BASE_URL]): URL}
                    ),
                    errors=errors,
                )
            if step_id == "custom_server":
                # the server refused the app or the account: back to the form that has them
                # (the URL step follows again, filled in)
                step_id = "reconfigure" if self.source == "reconfigure" else "account"
            return self.async_show_form(
                step_id=step_id, data_schema=account_schema(data), errors=errors
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

    # ------------------------------------------------------------------ Bluetooth
    async def async_step_bluetooth(
        self, discovery_info: BluetoothServiceInfoBleak
    ) -> ConfigFlowResult:
        """A TTLock device advertises nearby (service 0x1910 is shared: validate it)."""
        advert = parse_advertisement(
            discovery_info.manufacturer_data, address=discovery_info.address
        )
        if advert is not None and advert.kind in _GATEWAY_MODELS:
            return await self._async_discovered_gateway(discovery_info, advert)
        if advert is None or advert.kind is not DeviceKind.LOCK:
            return self.async_abort(reason="not_supported")
        if advert.scene in _NOT_LOCK_SCENES:
            # lift controllers and power savers (docs/ble.md §1.1 scene 12/13) are not locks
            return self.async_abort(reason="not_supported")
        address = discovery_info.address.upper()
        await self.async_set_unique_id(address)
        self._abort_if_unique_id_configured()
        if self._account_owning(address) is not None:
            return self.async_abort(reason="already_in_account")
        self._address = address
        self._advert = advert
        self._ble_name = discovery_info.name or address
        self._name = readable_name("Lock", discovery_info.name, address)
        self.context["title_placeholders"] = {"name": self._name}
        if advert.setting_mode:
            return await self.async_step_pair_confirm()
        return await self.async_step_lock_keys()

    # ------------------------------------------------------------------ gateways
    async def _async_discovered_gateway(
        self, info: BluetoothServiceInfoBleak, advert: TTLockAdvertisement
    ) -> ConfigFlowResult:
        """A TTLock gateway in set-up mode: connect it to Wi-Fi and bind it to an account."""
        address = info.address.upper()
        await self.async_set_unique_id(f"gateway-{address}")
        self._abort_if_unique_id_configured()
        self._address, self._advert = address, advert
        self._name = readable_name(
            f"Gateway {_GATEWAY_MODELS[advert.kind].name}", info.name, address
        )
        self.context["title_placeholders"] = {"name": self._name}
        if not self._accounts():
            return await self.async_step_gateway_account()
        return await self.async_step_gateway()

    async def async_step_gateway_account(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A gateway belongs to a TTLock account: wait until one is set up."""
        if user_input is not None and self._accounts():
            return await self.async_step_gateway()
        return self.async_show_form(
            step_id="gateway_account",
            description_placeholders={"name": self._name},
            errors={"base": "gateway_needs_account"} if user_input is not None else {},
        )

    def _accounts(self) -> dict[str, ConfigEntry]:
        """Loaded TTLock account entries, by entry id."""
        return {
            entry.entry_id: entry
            for entry in self._async_current_entries(include_ignore=False)
            if entry.state is ConfigEntryState.LOADED
            and entry.data.get(CONF_ENTRY_TYPE, ENTRY_ACCOUNT) == ENTRY_ACCOUNT
        }

    def _gatewayble_link(self) -> BleLockLink:
        hass, address = self.hass, self._address
        return BleLockLink(
            address,
            self._name,
            lambda: bluetooth.async_ble_device_from_address(hass, address, True),
            write_uuid=GATEWAY_WRITE_UUID,
            notify_uuid=GATEWAY_NOTIFY_UUID,
            assembler_factory=GatewayFrameAssembler,
        )

    async def async_step_gateway(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Wi-Fi network (G2), name and account; then set the gateway up over Bluetooth."""
        assert self._advert is not None
        model = _GATEWAY_MODELS[self._advert.kind]
        accounts = self._accounts()
        errors: dict[str, str] = {}
        if model is GatewayModel.G2 and self._networks is None:
            link = self._gatewayble_link()
            try:
                networks = await link.run(lambda: ScanGatewayWifi(self._address))
                self._networks = [n.ssid for n in networks if n.ssid]
            except TTLockBleError as err:
                self._networks = []
                errors["base"] = flow_error_key(err)
            finally:
                await link.close()
        if user_input is not None and not errors:
            entry = accounts.get(user_input.get("account", "")) or next(iter(accounts.values()))
            error = await self._configure_gateway(entry, model, user_input)
            if error is None:
                return self.async_abort(
                    reason="gateway_added",
                    description_placeholders={
                        "name": user_input[CONF_NAME],
                        "account": entry.title,
                    },
                )
            errors["base"] = error
        fields: dict[Any, Any] = {vol.Required(CONF_NAME, default=self._name): TEXT}
        if len(accounts) > 1:
            fields[vol.Required("account")] = vol.In(
                {entry_id: entry.title for entry_id, entry in accounts.items()}
            )
        if model is GatewayModel.G2:
            fields[vol.Required("ssid")] = SelectSelector(
                SelectSelectorConfig(options=self._networks or [], custom_value=True)
            )
            fields[vol.Required("wifi_password")] = PASSWORD
        return self.async_show_form(
            step_id="gateway",
            data_schema=vol.Schema(fields),
            description_placeholders={"name": self._name, "model": model.name},
            errors=errors,
        )

    async def _configure_gateway(
        self, entry: ConfigEntry, model: GatewayModel, user_input: dict[str, Any]
    ) -> str | None:
        """Run the set-up; then wait until the account lists the gateway. None when done."""
        link = self._gatewayble_link()
        try:
            await link.run(
                lambda: ConfigureGateway(
                    self._address,
                    str(user_input.get("ssid", "")),
                    str(user_input.get("wifi_password", "")),
                    DEFAULT_SERVER,
                    DEFAULT_SERVER_PORT,
                    uid=int(entry.unique_id or 0),
                    password_md5=entry.data[CONF_PASSWORD_MD5],
                    name=user_input[CONF_NAME],
                    model=model,
                ),
                retry=False,
            )
        except GatewayError as err:
            return _GATEWAY_ERRORS.get(err.status, "gateway_refused")
        except TTLockBleError as err:
            return flow_error_key(err)
        finally:
            await link.close()
        coordinator = entry.runtime_data.coordinator
        for _ in range(GATEWAY_LIST_ATTEMPTS):
            await coordinator.async_refresh_inventory()
            if any(gw.mac == self._address for gw in coordinator.data.gateways.values()):
                return None
            await asyncio.sleep(GATEWAY_LIST_DELAY)
        return "gateway_not_listed"

    def _account_owning(self, address: str) -> ConfigEntry | None:
        """The loaded account entry that has this lock, if any."""
        for entry in self._async_current_entries(include_ignore=False):
            runtime = getattr(entry, "runtime_data", None)
            if entry.state is not ConfigEntryState.LOADED or runtime is None:
                continue
            if any(rt.lock.mac == address for rt in runtime.coordinator.data.locks.values()):
                return entry
        return None

    def _unpaired_nearby(self) -> dict[str, str]:
        """Locks in pairing (setting) mode that HA hears, address → label."""
        found: dict[str, str] = {}
        current = self._async_current_ids(include_ignore=False)
        for info in bluetooth.async_discovered_service_info(self.hass, connectable=True):
            advert = parse_advertisement(info.manufacturer_data, address=info.address)
            address = info.address.upper()
            if advert is None or advert.kind is not DeviceKind.LOCK or address in current:
                continue
            if advert.setting_mode and advert.scene not in _NOT_LOCK_SCENES:
                found[address] = f"{readable_name('Lock', info.name, address)} ({address})"
        return found

    async def async_step_pair_lock(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick a factory-fresh lock in pairing mode (touch its keypad to wake it)."""
        nearby = self._unpaired_nearby()
        if user_input is not None:
            address = user_input[CONF_ADDRESS]
            info = bluetooth.async_last_service_info(self.hass, address, True)
            advert = parse_advertisement(info.manufacturer_data, address=address) if info else None
            if info is None or advert is None:
                return self.async_abort(reason="no_unpaired_locks")
            await self.async_set_unique_id(address, raise_on_progress=False)
            self._abort_if_unique_id_configured()
            self._address, self._advert = address, advert
            self._ble_name = info.name or address
            self._name = readable_name("Lock", info.name, address)
            return await self.async_step_pair_confirm()
        if not nearby:
            return self.async_abort(reason="no_unpaired_locks")
        return self.async_show_form(
            step_id="pair_lock",
            data_schema=vol.Schema({vol.Required(CONF_ADDRESS): vol.In(nearby)}),
        )

    async def async_step_pair_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pair the lock: it gets new keys that only this Home Assistant holds."""
        errors: dict[str, str] = {}
        assert self._advert is not None
        if user_input is not None:
            name = user_input[CONF_NAME]
            link = ble_link(self.hass, self._address, name)
            now = lock_wall_time(0)
            try:
                result = await link.run(
                    lambda: Pair(
                        self._advert.send_header(),  # type: ignore[union-attr]
                        now,
                        passcode_table=lambda: native_passcode_table(now),
                    ),
                    retry=False,
                )
            except NotInSettingModeError:
                errors["base"] = "not_in_setting_mode"
            except TTLockBleError as err:
                errors["base"] = flow_error_key(err)
            else:
                # lockName: what the lock advertises (as the TTLock app records it)
                lock_data = result.lock_data_json(mac=self._address, lock_name=self._ble_name)
                return self.async_create_entry(
                    title=name,
                    data={
                        CONF_ENTRY_TYPE: ENTRY_LOCK,
                        CONF_ADDRESS: self._address,
                        CONF_NAME: name,
                        CONF_LOCK_DATA: lock_data,
                    },
                )
            finally:
                await link.close()
        return self.async_show_form(
            step_id="pair_confirm",
            data_schema=vol.Schema({vol.Required(CONF_NAME, default=self._name): TEXT}),
            description_placeholders={"name": self._name, "address": self._address},
            errors=errors,
        )

    async def async_step_lock_keys(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a paired lock by its key material (lockData, or the key fields)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            address = str(user_input.get(CONF_ADDRESS) or self._address).strip().upper()
            name = user_input[CONF_NAME]
            try:
                lock_data = lock_data_from_input(address, name, user_input)
                keys = LockKeys.from_lock_data_json(lock_data)
            except (TTLockBleError, ValueError, TypeError):
                errors["base"] = "invalid_lock_keys"
            else:
                await self.async_set_unique_id(address, raise_on_progress=False)
                self._abort_if_unique_id_configured()
                if self._account_owning(address) is not None:
                    return self.async_abort(reason="already_in_account")
                error = await self._validate_keys(address, name, keys)
                if error is None:
                    return self.async_create_entry(
                        title=name,
                        data={
                            CONF_ENTRY_TYPE: ENTRY_LOCK,
                            CONF_ADDRESS: address,
                            CONF_NAME: name,
                            CONF_LOCK_DATA: lock_data,
                        },
                    )
                errors["base"] = error
        fields: dict[Any, Any] = {}
        if not self._address:
            fields[vol.Required(CONF_ADDRESS)] = TEXT
        fields[vol.Required(CONF_NAME, default=self._name or "")] = TEXT
        fields.update(_key_fields())
        return self.async_show_form(
            step_id="lock_keys",
            data_schema=vol.Schema(fields),
            description_placeholders={"address": self._address or "-"},
            errors=errors,
        )

    async def _validate_keys(
        self, address: str, name: str, keys: LockKeys, entry: ConfigEntry | None = None
    ) -> str | None:
        """Talk to the lock with the keys (test before configure); None when they work.

        For a loaded entry of this lock, its own link is used: the lock takes one
        connection at a time, and the entry may hold it."""
        if bluetooth.async_ble_device_from_address(self.hass, address, True) is None:
            return "not_in_range"
        runtime = getattr(entry, "runtime_data", None) if entry is not None else None
        own = None
        if runtime is not None and entry is not None and entry.state is ConfigEntryState.LOADED:
            rt = next(iter(runtime.coordinator.data.locks.values()), None)
            own = runtime.coordinator.ble.link(rt) if rt is not None else None
        link = own or ble_link(self.hass, address, name)
        try:
            await link.run(lambda: BleGetStatus(keys))
        except (LockError, DecryptError):
            return "invalid_lock_keys"
        except TTLockBleError as err:
            return flow_error_key(err)
        finally:
            await link.close()
        return None

    # ------------------------------------------------------------------ reauth
    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The cloud refused the stored credentials (password changed, tokens revoked), or a
        Bluetooth-only lock refused its keys (reset and paired again elsewhere)."""
        if entry_data.get(CONF_ENTRY_TYPE) == ENTRY_LOCK:
            return await self.async_step_reauth_lock()
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_lock(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """New key material for a Bluetooth-only lock, checked against the lock."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            lock_data, error = await self._lock_data_checked(
                entry, entry.data[CONF_NAME], user_input
            )
            if lock_data is not None:
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_LOCK_DATA: lock_data}
                )
            errors["base"] = error
        return self.async_show_form(
            step_id="reauth_lock",
            data_schema=vol.Schema(_key_fields()),
            description_placeholders={
                "name": entry.data[CONF_NAME],
                "address": entry.data[CONF_ADDRESS],
            },
            errors=errors,
        )

    async def _lock_data_checked(
        self, entry: ConfigEntry, name: str, user_input: Mapping[str, Any]
    ) -> tuple[dict[str, Any] | None, str]:
        """lockData from the form, if the lock accepts it; else the form's error key."""
        address = entry.data[CONF_ADDRESS]
        try:
            lock_data = lock_data_from_input(address, name, user_input)
            keys = LockKeys.from_lock_data_json(lock_data)
        except (TTLockBleError, ValueError, TypeError):
            return None, "invalid_lock_keys"
        error = await self._validate_keys(address, name, keys, entry)
        if error is not None:
            return None, error
        return lock_data, ""

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
            data_schema=vol.Schema({vol.Required(CONF_PASSWORD): PASSWORD}),
            description_placeholders={"username": entry.data[CONF_USERNAME]},
            errors=errors,
        )

    # ------------------------------------------------------------------ reconfigure
    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the region, server, developer app or credentials of an account."""
        entry = self._get_reconfigure_entry()
        if entry.data.get(CONF_ENTRY_TYPE) == ENTRY_LOCK:
            return await self.async_step_reconfigure_lock()
        if user_input is not None:
            base_url = self._pending.get(CONF_BASE_URL) or entry.data.get(CONF_BASE_URL, "")
            self._pending = {CONF_BASE_URL: base_url, **user_input}
            if user_input[CONF_REGION] == REGION_CUSTOM:
                return await self.async_step_custom_server()
            return await self._finish_account({}, "reconfigure")
        return self.async_show_form(step_id="reconfigure", data_schema=account_schema(entry.data))

    async def async_step_reconfigure_lock(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A Bluetooth-only lock: its name, and new keys if given (checked against the lock)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            name = str(user_input[CONF_NAME]).strip() or entry.data[CONF_NAME]
            updates: dict[str, Any] = {CONF_NAME: name}
            if any(user_input.get(field) for field in (CONF_LOCK_DATA, CONF_AES_KEY)):
                lock_data, error = await self._lock_data_checked(entry, name, user_input)
                if lock_data is None:
                    errors["base"] = error
                else:
                    updates[CONF_LOCK_DATA] = lock_data
            if not errors:
                return self.async_update_reload_and_abort(entry, title=name, data_updates=updates)
        fields: dict[Any, Any] = {vol.Required(CONF_NAME, default=entry.data[CONF_NAME]): TEXT}
        fields.update(_key_fields())
        return self.async_show_form(
            step_id="reconfigure_lock",
            data_schema=vol.Schema(fields),
            description_placeholders={"address": entry.data[CONF_ADDRESS]},
            errors=errors,
        )


def _key_fields() -> dict[Any, Any]:
    """The key-material fields of the lock forms: lockData, or the AES and unlock keys."""
    return {
        vol.Optional(CONF_LOCK_DATA): PASSWORD,
        vol.Optional(CONF_AES_KEY): PASSWORD,
        vol.Optional(CONF_UNLOCK_KEY): PASSWORD,
        vol.Optional(CONF_ADMIN_PS): PASSWORD,
    }
