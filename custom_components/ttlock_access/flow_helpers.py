"""Helpers of the config flow: the account form, keys typed by hand, a Bluetooth link."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.components import bluetooth
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .const import (
    CONF_CLIENT_ID,
    CONF_CLIENT_SECRET,
    CONF_LOCK_DATA,
    CONF_REGION,
    REGION_EU,
    REGIONS,
)
from .sdk.ble import (
    decode_lock_data,
    encode_credential,
    format_aes_key_str,
    parse_aes_key_str,
)
from .sdk.ble.transport import BleLockLink

CONF_AES_KEY = "aes_key"
CONF_UNLOCK_KEY = "unlock_key"
CONF_ADMIN_PS = "admin_ps"


_BLE_NAME_SUFFIX = re.compile(r"_([0-9A-Fa-f]{6})$")


def readable_name(kind: str, ble_name: str | None, address: str) -> str:
    """A name to propose for a discovered device: ``kind`` and six hex digits that tell two
    devices apart, e.g. ``Lock 015E00`` for ``S31_015e00``.

    TTLock devices advertise ``<model>_<6 hex digits>`` (the digits the TTLock app shows
    too); a device without such a name gets the last three bytes of its address."""
    match = _BLE_NAME_SUFFIX.search(ble_name or "")
    suffix = match.group(1) if match else address.replace(":", "")[-6:]
    return f"{kind} {suffix.upper()}"


def ble_link(hass: HomeAssistant, address: str, name: str) -> BleLockLink:
    return BleLockLink(
        address, name, lambda: bluetooth.async_ble_device_from_address(hass, address, True)
    )


def lock_data_from_input(address: str, name: str, user_input: Mapping[str, Any]) -> dict[str, Any]:
    """lockData as pasted (the Base64 string of the TTLock cloud/SDK, or its JSON), or built
    from the separate key fields (AES key as hex or as the cloud's ``aesKeyStr``)."""
    pasted = str(user_input.get(CONF_LOCK_DATA) or "").strip()
    if not address or len(address.replace(":", "")) != 12:
        raise ValueError("address")
    if pasted:
        data = dict(json.loads(pasted)) if pasted.startswith("{") else decode_lock_data(pasted)
        data.setdefault("lockMac", address)
        data.setdefault("lockName", name)
        return data
    aes = str(user_input.get(CONF_AES_KEY) or "").strip().replace(" ", "")
    unlock_key = str(user_input.get(CONF_UNLOCK_KEY) or "").strip()
    if not aes or not unlock_key:
        raise ValueError("missing keys")
    aes_bytes = parse_aes_key_str(aes) if "," in aes else bytes.fromhex(aes)
    data = {
        "lockMac": address,
        "lockName": name,
        "aesKeyStr": format_aes_key_str(aes_bytes),
        "lockKey": encode_credential(unlock_key.zfill(10)),
        "lockFlagPos": 0,
    }
    admin = str(user_input.get(CONF_ADMIN_PS) or "").strip()
    if admin:
        data["adminPwd"] = encode_credential(admin.zfill(10))
    return data


TEXT = TextSelector()
PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
REGION_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=list(REGIONS), translation_key="region", mode=SelectSelectorMode.LIST
    )
)


def account_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(
                CONF_REGION, default=defaults.get(CONF_REGION, REGION_EU)
            ): REGION_SELECTOR,
            vol.Required(CONF_CLIENT_ID, default=defaults.get(CONF_CLIENT_ID, "")): TEXT,
            vol.Required(
                CONF_CLIENT_SECRET, default=defaults.get(CONF_CLIENT_SECRET, "")
            ): PASSWORD,
            vol.Required(CONF_USERNAME, default=defaults.get(CONF_USERNAME, "")): TEXT,
            vol.Required(CONF_PASSWORD): PASSWORD,
        }
    )
