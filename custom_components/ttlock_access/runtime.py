"""``entry.runtime_data``: what one config entry runs (typed for the platforms)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .access import AccessManager
from .activity import ActivityManager
from .bookings import BookingSync
from .coordinator import TTLockCoordinator
from .lifts import LiftCoordinator
from .meters import MeterCoordinator
from .schedule import Estimate
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
    meters: MeterCoordinator | None = None
    """The account's electricity and water meters (account entries only)."""
    lifts: LiftCoordinator | None = None
    """The account's lift controllers and power savers (account entries only)."""
    bookings: BookingSync | None = None
    """Guests from linked calendars (set once the entry runs)."""

    def estimate(self) -> Estimate:
        """What the current settings cost a month, locks, meters, lifts and power savers,
        with and without push."""
        locks = self.coordinator.estimate()
        meters = self.meters.monthly_calls() if self.meters else 0
        meters += self.lifts.monthly_calls() if self.lifts else 0
        return Estimate(locks.with_push + meters, locks.without_push + meters)


type TTLockConfigEntry = ConfigEntry[TTLockRuntimeData]
