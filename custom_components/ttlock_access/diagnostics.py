"""Diagnostics: the entry and what the coordinator knows, every secret redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_USERNAME
from homeassistant.core import HomeAssistant

from . import native
from .const import (
    CONF_CLIENT_SECRET,
    CONF_LOCK_DATA,
    CONF_PASSWORD_MD5,
    CONF_PIN_HASH,
    CONF_PIN_SALT,
    CONF_TOKEN,
)
from .runtime import TTLockConfigEntry

TO_REDACT = {
    CONF_CLIENT_SECRET,
    CONF_PASSWORD_MD5,
    CONF_TOKEN,
    CONF_USERNAME,
    "access_token",
    "refresh_token",
    "lock_data",
    "keyboard_pwd",
    "mac",
    "network_mac",
    "network_name",
    CONF_LOCK_DATA,
    "address",
    # a meter's number is on the tenant's contract
    "number",
    # activity and webhooks (issue 5): the webhook id is the callback URL's only secret
    "webhook_id",
    "cloudhook_url",
    "url",
    CONF_PIN_HASH,
    CONF_PIN_SALT,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: TTLockConfigEntry
) -> dict[str, Any]:
    """Diagnostics of one account."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    locks = []
    for rt in coordinator.data.locks.values():
        lock = asdict(rt.lock)
        lock["features"] = rt.lock.features.names()
        locks.append(
            {
                "lock": lock,
                "detail": asdict(rt.detail) if rt.detail else None,
                "state": rt.state.name if rt.state is not None else None,
                "state_source": rt.state_source,
                "state_at": rt.state_at.isoformat() if rt.state_at else None,
                "door": rt.door.name if rt.door is not None else None,
                "sightings": [asdict(s) for s in rt.sightings or []],
                "bluetooth": {
                    "keys": coordinator.ble.keys(rt) is not None,
                    "in_range": coordinator.ble.in_range(rt),
                    "rssi": rt.ble_rssi,
                    "battery": rt.ble_battery,
                    "seen_at": rt.ble_seen_at.isoformat() if rt.ble_seen_at else None,
                },
                "paths": [path.value for path in coordinator.paths(rt)],
                "last_path": rt.last_path.value if rt.last_path else None,
            }
        )
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "api": {
                "calls_this_month": runtime.usage.calls,
                "budget": runtime.usage.budget,
                "quota_exhausted": runtime.usage.quota_exhausted,
                "client_calls_since_start": runtime.client.calls if runtime.client else 0,
                "sweep_calls": coordinator.sweep_calls,
                "last_update_success": coordinator.last_update_success,
            },
            "native_backend": native.BACKEND,
            "gateways": [asdict(gw) for gw in coordinator.data.gateways.values()],
            "locks": locks,
            "meters": [
                {**asdict(meter), "kind": meter.kind.value}
                for meter in (runtime.meters.data.values() if runtime.meters else ())
            ],
            "meters_ok": runtime.meters.last_update_success if runtime.meters else None,
            "activity": entry.runtime_data.activity.diagnostics(),
        },
        TO_REDACT,
    )
