"""Bluetooth for the locks of one config entry: advertisements, links and BLE execution.

* Advertisements (passive, no connection) update a lock's battery, bolt state and "new
  records" flag (docs/ble.md §1.1).
* Key material comes from the cloud's ``lockData`` of each lock (§4.5) or, for locks paired
  locally / entered by hand, from the entry; it never leaves memory and the entry.
* A lock is reachable over Bluetooth when HA's Bluetooth stack (local adapter or ESPHome
  proxy) has a connectable path to it: ``async_ble_device_from_address(..., True)``.
* Operations run through :class:`~.sdk.ble.transport.BleLockLink` (bleak-retry-connector),
  one at a time per lock; the freshest BLEDevice is looked up on every connection attempt.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from homeassistant.components import bluetooth
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from . import native
from .models import LockRuntime
from .sdk.ble import (
    KeyMaterialError,
    LockKeys,
    Operation,
    TTLockAdvertisement,
    TTLockBleError,
    parse_advertisement,
    parse_lock_data,
)
from .sdk.ble.ops import Progress
from .sdk.ble.transport import (
    DEFAULT_CONNECT_TIMEOUT,
    BleLockLink,
)
from .sdk.model import OpenState

_LOGGER = logging.getLogger(__name__)

FALLBACK_CONNECT_TIMEOUT = 12.0
"""Seconds to try Bluetooth before using the gateway instead."""


def lock_wall_time(offset_ms: int | None) -> datetime:
    """Now, in the lock's own time zone (its clock runs on local wall time, docs/ble.md §5.0)."""
    return datetime.now(UTC).astimezone(timezone(timedelta(milliseconds=offset_ms or 0)))


@dataclass(frozen=True, slots=True)
class NativePasscodeTable:
    """INIT_PASSWORDS tables from the native generator, in the shape pairing expects."""

    payload: bytes = field(repr=False)
    pwd_info: str = field(repr=False)
    timestamp_ms: int


def native_passcode_table(now: datetime) -> NativePasscodeTable:
    """Fresh offline-passcode tables for pairing (docs/ble.md §8.1–8.2): ten codes < 1071 and
    digit permutations from the OS CSPRNG, packed for ``0x31`` and encrypted as pwdInfo."""
    # docs/ble.md §8.1: the base year is the current year, or the previous one on 1 January
    year = now.year - 1 if (now.month, now.day) == (1, 1) else now.year
    tables = native.generate_pairing_tables(year)
    stamp = int(now.timestamp() * 1000)
    return NativePasscodeTable(
        payload=native.pack_init_passwords(tables),
        pwd_info=native.encode_pwd_info(tables, stamp),
        timestamp_ms=stamp,
    )


class LockBluetooth:
    """The Bluetooth side of one entry's locks."""

    def __init__(
        self,
        hass: HomeAssistant,
        locks: Callable[[], dict[int, LockRuntime]],
        *,
        on_state: Callable[[LockRuntime, OpenState, str], None],
        on_change: Callable[[], None],
    ) -> None:
        self.hass = hass
        self._locks = locks
        self._on_state = on_state
        self._on_change = on_change
        self.stay_connected = False
        self._links: dict[str, BleLockLink] = {}
        self._keys: dict[int, tuple[str, LockKeys | None]] = {}
        self._callbacks: dict[int, CALLBACK_TYPE] = {}
        self._out_of_range: set[int] = set()
        """Bluetooth-only locks logged as out of range (logged again only once back)."""
        self.extra_keys: dict[int, LockKeys] = {}
        """Keys of locks that are not on a cloud account (local entries)."""

    # ------------------------------------------------------------------ keys and reach
    def keys(self, rt: LockRuntime) -> LockKeys | None:
        """The lock's key material, parsed from its lockData once."""
        lock = rt.lock
        if lock.lock_id in self.extra_keys:
            return self.extra_keys[lock.lock_id]
        if not lock.lock_data:
            return None
        digest = hashlib.sha256(lock.lock_data.encode()).hexdigest()
        cached = self._keys.get(lock.lock_id)
        if cached is not None and cached[0] == digest:
            return cached[1]
        try:
            keys: LockKeys | None = parse_lock_data(lock.lock_data)
        except TTLockBleError as err:
            _LOGGER.debug("Lock %s: unusable lockData (%s)", lock.name, type(err).__name__)
            keys = None
        self._keys[lock.lock_id] = (digest, keys)
        return keys

    def in_range(self, rt: LockRuntime) -> bool:
        """Whether HA has a connectable Bluetooth path and the keys to use it."""
        if not rt.lock.mac or self.keys(rt) is None:
            return False
        device = bluetooth.async_ble_device_from_address(self.hass, rt.lock.mac, True)
        return device is not None

    def link(self, rt: LockRuntime) -> BleLockLink:
        """The (cached) link to a lock."""
        mac = rt.lock.mac
        link = self._links.get(mac)
        if link is None:
            hass = self.hass
            link = BleLockLink(
                mac,
                rt.lock.name,
                lambda: bluetooth.async_ble_device_from_address(hass, mac, True),
                stay_connected=self.stay_connected,
            )
            self._links[mac] = link
        return link

    async def async_run[T](
        self,
        rt: LockRuntime,
        make_op: Callable[[LockKeys, datetime], Operation[T]],
        *,
        retry: bool = True,
        on_progress: Callable[[Progress], None] | None = None,
        fallback: bool = False,
    ) -> T:
        """Run an operation on a lock; SDK errors propagate (callers translate them).

        ``fallback``: another path exists, so give up on a link sooner (a lock that just
        left range stays in HA's device cache for minutes)."""
        keys = self.keys(rt)
        if keys is None:
            raise KeyMaterialError(f"no key material for {rt.lock.name}")
        offset = rt.detail.timezone_raw_offset if rt.detail else None
        return await self.link(rt).run(
            lambda: make_op(keys, lock_wall_time(offset)),
            retry=retry and not fallback,
            on_progress=on_progress,
            connect_timeout=FALLBACK_CONNECT_TIMEOUT if fallback else DEFAULT_CONNECT_TIMEOUT,
        )

    # ------------------------------------------------------------------ advertisements
    @callback
    def async_track(self, lock_ids: set[int]) -> None:
        """Listen to the advertisements of these locks (passive; no connection)."""
        for lock_id in lock_ids:
            rt = self._locks().get(lock_id)
            if rt is None or not rt.lock.mac or lock_id in self._callbacks:
                continue
            cancel_advert = bluetooth.async_register_callback(
                self.hass,
                self._advert_handler(lock_id),
                bluetooth.BluetoothCallbackMatcher(address=rt.lock.mac, connectable=False),
                bluetooth.BluetoothScanningMode.PASSIVE,
            )
            cancel_gone = bluetooth.async_track_unavailable(
                self.hass, self._gone_handler(lock_id), rt.lock.mac, connectable=False
            )

            def _cancel(a: CALLBACK_TYPE = cancel_advert, b: CALLBACK_TYPE = cancel_gone) -> None:
                a()
                b()

            self._callbacks[lock_id] = _cancel

    @callback
    def async_untrack(self, lock_ids: set[int]) -> None:
        """Stop listening for locks that left the account."""
        for lock_id in lock_ids:
            if (cancel := self._callbacks.pop(lock_id, None)) is not None:
                cancel()
            self._keys.pop(lock_id, None)

    def _advert_handler(
        self, lock_id: int
    ) -> Callable[[bluetooth.BluetoothServiceInfoBleak, bluetooth.BluetoothChange], None]:
        @callback
        def _on_advert(
            info: bluetooth.BluetoothServiceInfoBleak, _change: bluetooth.BluetoothChange
        ) -> None:
            rt = self._locks().get(lock_id)
            if rt is None:
                return
            advert = parse_advertisement(info.manufacturer_data, address=info.address)
            if advert is None:
                return
            if lock_id in self._out_of_range:
                self._out_of_range.discard(lock_id)
                _LOGGER.info("%s is back in Bluetooth range", rt.lock.name)
            if self.apply_advertisement(rt, advert, info.rssi):
                self._on_change()

        return _on_advert

    def _gone_handler(self, lock_id: int) -> Callable[[bluetooth.BluetoothServiceInfoBleak], None]:
        @callback
        def _on_gone(_info: bluetooth.BluetoothServiceInfoBleak) -> None:
            rt = self._locks().get(lock_id)
            if rt is not None:
                rt.ble_seen_at = None
                rt.ble_rssi = None  # the next advertisement is news (availability, path)
                if not rt.lock.is_remote and lock_id not in self._out_of_range:
                    # Bluetooth is its only path: the lock is unavailable until heard again
                    self._out_of_range.add(lock_id)
                    _LOGGER.info(
                        "%s is out of Bluetooth range: unavailable until it is heard again",
                        rt.lock.name,
                    )
                self._on_change()

        return _on_gone

    def apply_advertisement(self, rt: LockRuntime, advert: TTLockAdvertisement, rssi: int) -> bool:
        """Update a lock from its advertisement; True when something visible changed."""
        before = (rt.ble_battery, rt.state, rt.ble_has_events, rt.ble_rssi is None)
        rt.ble_seen_at = dt_util.utcnow()
        rt.ble_rssi = rssi
        if advert.battery is not None:
            rt.ble_battery = advert.battery
        rt.ble_has_events = bool(advert.has_events)
        if advert.unlocked is not None:
            state = OpenState.UNLOCKED if advert.unlocked else OpenState.LOCKED
            if state is not rt.state:
                self._on_state(rt, state, "bluetooth")
        return before != (rt.ble_battery, rt.state, rt.ble_has_events, False)

    async def async_stop(self) -> None:
        """Unload: stop listening and drop every link."""
        self.async_untrack(set(self._callbacks))
        for link in self._links.values():
            await link.close()
        self._links.clear()
