"""``entry.runtime_data``: what one config entry runs (typed for the platforms)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .access import AccessManager
from .activity import ActivityManager
from .bookings import BookingSync
from .coordinator import TTLockCoordinator
from .hotel import HotelLocks
from .lifts import LiftCoordinator
from .meter_history import MeterHistory
from .meter_supply import TemporarySupply
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
    supply: TemporarySupply | None = None
    """Pending switch-offs of temporary supplies (account entries, set once the entry runs)."""
    meter_history: MeterHistory | None = None
    """Imports the meters' usage records into the statistics (account entries, once running)."""
    hotel: HotelLocks | None = None
    """Hotel number, building and floor of the entry's hotel locks (set once the entry runs)."""

    def estimate(self) -> Estimate:
        """What the current settings cost a month, locks, meters, lifts and power savers,
        with and without push."""
        locks = self.coordinator.estimate()
        meters = self.meters.monthly_calls() if self.meters else 0
        meters += self.lifts.monthly_calls() if self.lifts else 0
        meters += self.meter_history.monthly_calls() if self.meter_history else 0
        return Estimate(locks.with_push + meters, locks.without_push + meters)


type TTLockConfigEntry = ConfigEntry[TTLockRuntimeData]
