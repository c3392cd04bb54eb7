"""Runtime data of an entry: how commands reach a lock, and what is known about each lock.

Plain data, shared by every layer above the SDK (the coordinator, the Bluetooth side, the
access model, the platforms); it imports nothing of the integration but its constants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .sdk.model import DoorState, Gateway, GatewaySighting, Lock, LockDetail, OpenState

ADVERT_FRESH = timedelta(minutes=15)
"""An advertisement younger than this makes the lock's Bluetooth battery the current one."""


class Path(StrEnum):
    """How a command reaches a lock."""

    BLUETOOTH = "bluetooth"
    GATEWAY = "gateway"
    WIFI = "wifi"


@dataclass(slots=True)
class LockRuntime:
    """What the integration knows about one lock, kept across polls."""

    lock: Lock
    detail: LockDetail | None = None
    detail_at: datetime | None = None
    state: OpenState | None = None
    door: DoorState | None = None
    state_at: datetime | None = None
    state_checked_at: datetime | None = None
    """Last attempt to read the state (successful or not): orders the sweep."""
    state_source: str | None = None
    sightings: list[GatewaySighting] | None = None
    signal_at: datetime | None = None
    records_at: datetime | None = None
    """Last ``lockRecord/list`` of this lock (successful or not): orders the polls."""
    activity_at: datetime | None = None
    """Newest activity heard of (any source): busy locks have their records read first."""
    record_battery: int | None = None
    """Battery level of the newest record, until the next ``lock/list`` brings a newer one."""
    ble_seen_at: datetime | None = None
    ble_rssi: int | None = None
    ble_battery: int | None = None
    ble_has_events: bool = False
    last_path: Path | None = None
    """The path the last command took."""
    wifi_online: bool | None = None
    """A Wi-Fi lock's link to the cloud (pushes and command results); None: not known."""

    @property
    def battery(self) -> int | None:
        """The freshest battery level: a recent advertisement, else the cloud's."""
        if self.ble_battery is not None and self.ble_fresh:
            return self.ble_battery
        if self.record_battery is not None:
            return self.record_battery
        return self.lock.battery if self.lock.battery is not None else self.ble_battery

    @property
    def ble_fresh(self) -> bool:
        """Whether an advertisement arrived recently."""
        return self.ble_seen_at is not None and dt_util.utcnow() - self.ble_seen_at < ADVERT_FRESH

    @property
    def best_sighting(self) -> GatewaySighting | None:
        """The gateway with the strongest signal (the cloud relays through it)."""
        if not self.sightings:
            return None
        return max(self.sightings, key=lambda s: s.rssi)

    @property
    def utc_offset_ms(self) -> int:
        """The lock's time zone (its clock runs on local wall time, docs/ble.md §5.0)."""
        detail = self.detail
        return detail.timezone_raw_offset if detail and detail.timezone_raw_offset else 0


def lock_time(rt: LockRuntime, value: datetime | None) -> datetime | None:
    """A moment in the lock's own time zone (what the lock's clock shows then)."""
    if value is None:
        return None
    return value.astimezone(timezone(timedelta(milliseconds=rt.utc_offset_ms)))


@dataclass(slots=True)
class AccountData:
    """Everything the account coordinator publishes."""

    locks: dict[int, LockRuntime] = field(default_factory=dict)
    gateways: dict[int, Gateway] = field(default_factory=dict)


def lock_device_identifier(lock_id: int) -> tuple[str, str]:
    """Device registry identifier of a lock."""
    return (DOMAIN, f"lock-{lock_id}")


def gateway_device_identifier(gateway_id: int) -> tuple[str, str]:
    """Device registry identifier of a gateway."""
    return (DOMAIN, f"gateway-{gateway_id}")


def find_lock_entity_id(hass: HomeAssistant, lock_id: int) -> str | None:
    """The entity id of a lock's lock entity (unique id ``<lock id>_lock``), if it has one."""
    return er.async_get(hass).async_get_entity_id("lock", DOMAIN, f"{lock_id}_lock")
