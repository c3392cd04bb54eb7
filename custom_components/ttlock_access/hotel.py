"""Hotel locks (TTHotel, featureValue bit 19): their hotel number, building and floor.

The lock holds them itself (``0x64`` type 3: hotel number ‖ building ‖ floor, docs/ble.md
§9.3); the cloud reports none of them (``lock/detail`` has no such fields), so they are read
and written over Bluetooth only — no API call is spent on them:

* **read** once per start, when one of the lock's hotel entities first needs it and the lock
  is in range (again after :data:`READ_RETRY` when the read failed);
* **kept** in a Store, so that a lock out of range still has its building and floor after a
  restart (the ``activate_floors`` action opens a holder's floors from them);
* **written** over Bluetooth only: the lock's own value is read first on the same link, so
  that the hotel number (and the other field) go back unchanged. Out of range: the
  translated no-path error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .ble import LockBluetooth
from .const import DOMAIN
from .coordinator import TTLockCoordinator
from .models import LockRuntime, Path
from .paths import run_explained
from .sdk.ble import GetHotelData, HotelDataType, LockError, SetHotelData, TTLockBleError
from .sdk.ble.commands import hotel_value_location, parse_hotel_location
from .sdk.model import Feature

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY = 10
READ_RETRY = timedelta(minutes=15)
"""A hotel lock whose location could not be read is tried again after this long."""
BYTE_MAX = 0xFF
"""Building and floor are one byte each (docs/ble.md §9.3)."""


def storage_key(entry_id: str) -> str:
    """The Store of an entry's hotel-lock locations."""
    return f"{DOMAIN}.{entry_id}.hotel"


def is_hotel_lock(rt: LockRuntime) -> bool:
    """Whether the lock's feature bits say it is a TTHotel lock."""
    return rt.lock.features.has(Feature.HOTEL_LOCK)


@dataclass(frozen=True, slots=True)
class HotelLocation:
    """Where a hotel lock (or a lift controller) is: hotel number, building, floor."""

    hotel: int
    building: int
    floor: int

    def encode(self) -> bytes:
        """The ``0x64`` type 3 value."""
        return hotel_value_location(self.hotel, self.building, self.floor)


async def async_read_location(
    ble: LockBluetooth, rt: LockRuntime, *, fallback: bool = False
) -> HotelLocation | None:
    """The location the lock holds (None: it was never given one — the lock refuses the
    query). Other Bluetooth errors propagate."""
    try:
        _, raw = await ble.async_run(
            rt,
            lambda keys, _now: GetHotelData(keys, HotelDataType.HOTEL_BUILDING_FLOOR),
            fallback=fallback,
        )
    except LockError:
        return None
    return HotelLocation(*parse_hotel_location(raw))


@dataclass(slots=True)
class _Reading:
    attempted_at: datetime | None = None
    done: bool = False


class HotelLocks:
    """The hotel number, building and floor of an entry's hotel locks."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry[Any], coordinator: TTLockCoordinator
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.coordinator = coordinator
        self.locations: dict[int, HotelLocation] = {}
        self._readings: dict[int, _Reading] = {}
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id)
        )

    async def async_load(self) -> None:
        """What the locks last said."""
        stored = await self._store.async_load() or {}
        for key, item in (stored.get("locks") or {}).items():
            try:
                self.locations[int(key)] = HotelLocation(
                    int(item["hotel"]), int(item["building"]), int(item["floor"])
                )
            except (KeyError, TypeError, ValueError):
                continue  # a damaged entry: read again from the lock

    def _save(self) -> None:
        def _stored() -> dict[str, Any]:
            return {
                "locks": {
                    str(lock_id): {
                        "hotel": where.hotel,
                        "building": where.building,
                        "floor": where.floor,
                    }
                    for lock_id, where in self.locations.items()
                }
            }

        self._store.async_delay_save(_stored, SAVE_DELAY)

    def location(self, lock_id: int) -> HotelLocation | None:
        """What is known of a lock's location (None: not read yet, or none set)."""
        return self.locations.get(lock_id)

    def _learn(self, lock_id: int, where: HotelLocation | None) -> None:
        if self.locations.get(lock_id) == where:
            return
        if where is None:
            self.locations.pop(lock_id, None)
        else:
            self.locations[lock_id] = where
        self._save()
        self.coordinator.async_update_listeners()

    # ------------------------------------------------------------------ reading
    @callback
    def async_read_when_needed(self, lock_id: int) -> None:
        """Read a hotel lock's location over Bluetooth once per start, when it is in range."""
        rt = self.coordinator.data.locks.get(lock_id)
        if rt is None or not is_hotel_lock(rt):
            return
        reading = self._readings.setdefault(lock_id, _Reading())
        now = dt_util.utcnow()
        if reading.done or (
            reading.attempted_at is not None and now - reading.attempted_at < READ_RETRY
        ):
            return
        if not self.coordinator.ble.in_range(rt):
            return
        reading.attempted_at = now
        # a background task: unloading cancels it rather than waiting for a link
        self.entry.async_create_background_task(
            self.hass, self._async_read(rt, reading), f"{DOMAIN} read hotel data of {lock_id}"
        )

    async def _async_read(self, rt: LockRuntime, reading: _Reading) -> None:
        try:
            where = await async_read_location(self.coordinator.ble, rt)
        except TTLockBleError as err:
            _LOGGER.debug("Reading the hotel data of %s failed: %s", rt.lock.name, err)
            return
        reading.done = True
        self._learn(rt.lock.lock_id, where)

    # ------------------------------------------------------------------ writing
    async def async_set(
        self, lock_id: int, *, building: int | None = None, floor: int | None = None
    ) -> HotelLocation:
        """Change a hotel lock's building or floor over Bluetooth (the lock's hotel number
        and other field kept as it reports them)."""
        coordinator = self.coordinator
        rt = coordinator.data.locks[lock_id]  # entities of removed locks are unavailable
        ble = coordinator.ble

        async def _bluetooth(fallback: bool) -> HotelLocation:
            current = await async_read_location(ble, rt, fallback=fallback)
            base = current or HotelLocation(0, 0, 0)  # never configured: hotel number 0
            wanted = replace(
                base,
                building=base.building if building is None else building,
                floor=base.floor if floor is None else floor,
            )
            if wanted != current:
                value = wanted.encode()
                await ble.async_run(
                    rt,
                    lambda keys, _now: SetHotelData(
                        keys, HotelDataType.HOTEL_BUILDING_FLOOR, value
                    ),
                    fallback=fallback,
                )
            return wanted

        paths = [Path.BLUETOOTH] if ble.in_range(rt) else []
        where, path = await run_explained(
            self.hass, self.entry, rt.lock.name, paths, bluetooth=_bluetooth
        )
        rt.last_path = path
        self._readings.setdefault(lock_id, _Reading()).done = True
        self._learn(lock_id, where)
        coordinator.async_update_listeners()
        return where
