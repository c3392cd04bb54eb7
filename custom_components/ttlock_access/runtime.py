"""``entry.runtime_data``: what one config entry runs (typed for the platforms)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .access import AccessManager
from .activity import ActivityManager
from .coordinator import TTLockCoordinator
from .sdk.cloud import TTLockCloud
from .usage import ApiUsage


@dataclass(slots=True)
class TTLockRuntimeData:
    """The parts of one entry: cloud client, coordinator, access model and activity."""

    client: TTLockCloud | None
    """None for a local (Bluetooth-only) lock entry."""
    coordinator: TTLockCoordinator
    usage: ApiUsage
    access: AccessManager
    activity: ActivityManager


type TTLockConfigEntry = ConfigEntry[TTLockRuntimeData]
