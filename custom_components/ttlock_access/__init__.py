"""TTLock Access: TTLock locks, gateways, meters and lifts in Home Assistant."""

from __future__ import annotations

from typing import Any

from homeassistant.components import bluetooth
from homeassistant.const import CONF_ADDRESS, CONF_NAME, CONF_USERNAME, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .access import AccessManager
from .access.book import storage_key
from .activity import ActivityManager, activity_storage_key
from .bookings import BookingSync
from .bookings import storage_key as bookings_storage_key
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
    ENTRY_LOCK,
    REGION_CUSTOM,
)
from .coordinator import TTLockCoordinator
from .hotel import HotelLocks
from .hotel import storage_key as hotel_storage_key
from .lifts import LiftCoordinator
from .lifts import storage_key as lifts_storage_key
from .meter_history import MeterHistory
from .meter_supply import TemporarySupply
from .meter_supply import storage_key as supply_storage_key
from .meters import MeterCoordinator, meter_device_identifier
from .models import gateway_device_identifier, lock_device_identifier
from .panel import async_setup_panel
from .runtime import TTLockConfigEntry, TTLockRuntimeData
from .sdk.ble import LockKeys, TTLockBleError
from .sdk.cloud import REGION_URLS, TTLockCloud
from .sdk.model import FeatureSet, Lock, Region, Tokens
from .services import async_setup_services
from .usage import ApiUsage
from .webhook import async_remove_webhook, async_setup_webhook
from .websocket_api import async_setup_websocket_api

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.LOCK,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.VALVE,
]
LOCAL_PLATFORMS: list[Platform] = [
    Platform.BUTTON,
    Platform.EVENT,
    Platform.LOCK,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the service actions (once, so that automations validate without entries),
    the Access panel and its websocket commands."""
    async_setup_services(hass)
    async_setup_websocket_api(hass)
    await async_setup_panel(hass)
    return True


def base_url_for(data: dict[str, Any] | Any) -> str:
    """The API host of an entry: a region's host or the custom server URL."""
    if data[CONF_REGION] == REGION_CUSTOM:
        return str(data[CONF_BASE_URL])
    return REGION_URLS[Region(data[CONF_REGION])]


def tokens_to_data(tokens: Tokens) -> dict[str, Any]:
    """Tokens as stored in the entry."""
    return {
        "uid": tokens.uid,
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_at": tokens.expires_at,
    }


def tokens_from_data(data: dict[str, Any] | None) -> Tokens | None:
    """Tokens stored in the entry, if any."""
    if not data:
        return None
    return Tokens(
        uid=int(data["uid"]),
        access_token=str(data["access_token"]),
        refresh_token=str(data["refresh_token"]),
        expires_at=float(data["expires_at"]),
    )


def local_lock_id(address: str) -> int:
    """A stable id for a lock that has no TTLock cloud id: its MAC as a number."""
    return int(address.replace(":", ""), 16)


async def async_setup_entry(hass: HomeAssistant, entry: TTLockConfigEntry) -> bool:
    """Set up one TTLock account, or one lock driven over Bluetooth only."""
    if entry.data.get(CONF_ENTRY_TYPE) == ENTRY_LOCK:
        return await _async_setup_local_lock(hass, entry)
    usage = ApiUsage(hass, entry.entry_id, 0)
    await usage.async_load()

    @callback
    def _store_tokens(tokens: Tokens) -> None:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, CONF_TOKEN: tokens_to_data(tokens)}
        )

    client = TTLockCloud(
        async_get_clientsession(hass),
        client_id=entry.data[CONF_CLIENT_ID],
        client_secret=entry.data[CONF_CLIENT_SECRET],
        base_url=base_url_for(entry.data),
        username=entry.data[CONF_USERNAME],
        password_md5=entry.data[CONF_PASSWORD_MD5],
        tokens=tokens_from_data(entry.data.get(CONF_TOKEN)),
        on_call=usage.record,
        on_tokens=_store_tokens,
    )
    coordinator = TTLockCoordinator(hass, entry, client, usage)
    meters = MeterCoordinator(hass, entry, client, usage)
    lifts = LiftCoordinator(hass, entry, client, usage, coordinator.ble)
    await lifts.async_load()
    await _async_run(hass, entry, coordinator, PLATFORMS, meters, lifts)
    _abort_discoveries_of(hass, {rt.lock.mac for rt in coordinator.data.locks.values()})
    await async_setup_webhook(hass, entry)
    return True


async def _async_run(
    hass: HomeAssistant,
    entry: TTLockConfigEntry,
    coordinator: TTLockCoordinator,
    platforms: list[Platform],
    meters: MeterCoordinator | None = None,
    lifts: LiftCoordinator | None = None,
) -> None:
    """Wire an entry's parts, read it once and start it (account and local entries)."""
    access = AccessManager(hass, entry, coordinator)
    await access.async_load()
    activity = ActivityManager(hass, entry, coordinator, access)
    await activity.async_load()
    hotel = HotelLocks(hass, entry, coordinator)
    await hotel.async_load()
    entry.runtime_data = TTLockRuntimeData(
        client=coordinator.client,
        coordinator=coordinator,
        usage=coordinator.usage,
        access=access,
        activity=activity,
        meters=meters,
        lifts=lifts,
        hotel=hotel,
    )
    activity.async_start()
    entry.async_on_unload(activity.async_stop)
    await coordinator.async_config_entry_first_refresh()
    if meters is not None:
        # meters are not what the entry stands on: a failed read leaves them unavailable
        await meters.async_refresh()
    if lifts is not None:
        await lifts.async_refresh()  # the same: lifts and power savers wait for the next list
    await hass.config_entries.async_forward_entry_setups(entry, platforms)
    access.async_start()
    entry.async_on_unload(access.async_stop)
    bookings = entry.runtime_data.bookings = BookingSync(hass, entry, access)
    await bookings.async_load()
    bookings.async_start()
    entry.async_on_unload(bookings.async_stop)
    if meters is not None:
        supply = entry.runtime_data.supply = TemporarySupply(hass, entry, meters)
        await supply.async_load()
        supply.async_start()  # re-arms pending switch-offs; overdue ones run now
        entry.async_on_unload(supply.async_stop)
        history = entry.runtime_data.meter_history = MeterHistory(hass, entry, meters)
        history.async_start()  # usage records into the long-term statistics
        entry.async_on_unload(history.async_stop)


@callback
def _abort_discoveries_of(hass: HomeAssistant, addresses: set[str]) -> None:
    """Bluetooth discoveries of locks that this account drives anyway are moot."""
    for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN):
        if flow["context"].get("unique_id") in addresses:
            hass.config_entries.flow.async_abort(flow["flow_id"])


async def _async_setup_local_lock(hass: HomeAssistant, entry: TTLockConfigEntry) -> bool:
    """A lock paired locally (or with keys entered by hand): Bluetooth is its only path."""
    data = entry.data
    address = str(data[CONF_ADDRESS]).upper()
    if bluetooth.async_last_service_info(hass, address, connectable=False) is None:
        # never heard (or not for a long while): Home Assistant retries the set-up later
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="lock_not_heard",
            translation_placeholders={"name": str(data[CONF_NAME]), "address": address},
        )
    try:
        keys = LockKeys.from_lock_data_json(data[CONF_LOCK_DATA])
    except (TTLockBleError, KeyError, TypeError, ValueError) as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_lock_keys"
        ) from err
    lock = Lock(
        lock_id=local_lock_id(address),
        name=str(data[CONF_NAME]),
        lock_name=str(data[CONF_LOCK_DATA].get("lockName") or data[CONF_NAME]),
        mac=address,
        battery=None,
        features=FeatureSet.from_hex(data[CONF_LOCK_DATA].get("featureValue")),
        has_gateway=False,
    )
    usage = ApiUsage(hass, entry.entry_id, 0)
    coordinator = TTLockCoordinator(hass, entry, None, usage)
    coordinator.async_add_local_lock(lock, keys)
    await _async_run(hass, entry, coordinator, LOCAL_PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: TTLockConfigEntry) -> bool:
    """Unload an account."""
    local = entry.runtime_data.client is None
    unloaded = await hass.config_entries.async_unload_platforms(
        entry, LOCAL_PLATFORMS if local else PLATFORMS
    )
    if unloaded and not local:
        await entry.runtime_data.usage.async_save()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: TTLockConfigEntry) -> None:
    """Forget the stored API usage and access model of a removed entry, and every repair
    issue of it (access, budget, callback URL: nothing of it waits any more)."""
    await async_remove_webhook(hass, entry)
    await ApiUsage(hass, entry.entry_id, 0).async_remove()
    await Store[dict[str, Any]](hass, 1, storage_key(entry.entry_id)).async_remove()
    await Store[dict[str, Any]](hass, 1, activity_storage_key(entry.entry_id)).async_remove()
    await Store[dict[str, Any]](hass, 1, lifts_storage_key(entry.entry_id)).async_remove()
    await Store[dict[str, Any]](hass, 1, bookings_storage_key(entry.entry_id)).async_remove()
    await Store[dict[str, Any]](hass, 1, supply_storage_key(entry.entry_id)).async_remove()
    await Store[dict[str, Any]](hass, 1, hotel_storage_key(entry.entry_id)).async_remove()
    # issue ids end with the entry id, or carry it before a lock id (access_blocked_…)
    entry_id = entry.entry_id
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and (issue_id.endswith(f"_{entry_id}") or f"_{entry_id}_" in issue_id):
            ir.async_delete_issue(hass, DOMAIN, issue_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: TTLockConfigEntry, device: DeviceEntry
) -> bool:
    """Let the user delete a device only when it is no longer on the account."""
    data = entry.runtime_data.coordinator.data
    meters = entry.runtime_data.meters
    current = (
        {lock_device_identifier(i) for i in data.locks}
        | {gateway_device_identifier(i) for i in data.gateways}
        | {meter_device_identifier(key) for key in (meters.data if meters else {})}
        | (entry.runtime_data.lifts.device_identifiers() if entry.runtime_data.lifts else set())
    )
    return not (device.identifiers & current) and not any(
        ident[1].startswith("account-") for ident in device.identifiers if ident[0] == DOMAIN
    )
