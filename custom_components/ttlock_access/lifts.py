"""The account's TTHotel lift (elevator) controllers and power savers.

TTLock lists them with the locks' own call, ``lock/list`` with ``type`` 2 (lifts) and 3 (power
savers) (docs/cloud.md §2.8). They rarely change: both lists are read at setup and then once
a day, two calls each time however many devices there are. Their key material comes from each
one's ``lockData``, exactly like a lock's (ble.py), so Bluetooth reaches them the same way.

* A **power saver** switches its supply on with ``lock/unlock`` and off with ``lock/lock``:
  over Bluetooth when Home Assistant hears it, else through its gateway (paths.py).
* A **lift controller**'s floors are Bluetooth only (docs/ble.md §9.3; the cloud has no
  endpoint for them): the floors that need a card (``0x64`` type 5, "controllable floors"),
  the work mode (type 6: all floors free, or a card required) and a visitor's floor activation
  (``0x47`` with floors). Out of Bluetooth range these fail with the no-path error. Only the
  lift can say how it is set, so what it last said is kept in a Store, and the lift is read
  again whenever the lists are (when it is in range) — its hotel number and building too
  (type 3), which choose a holder's floors among the hotel locks (hotel.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .ble import LockBluetooth
from .const import DOMAIN, MANUFACTURER
from .errors import poll_failed
from .hotel import HotelLocation, async_read_location
from .models import LockRuntime, Path
from .paths import paths_to, run_explained
from .sdk.ble import (
    ActivateLiftFloors,
    GetHotelData,
    HotelDataType,
    LockError,
    LockKeys,
    Operation,
    SetHotelData,
    TTLockBleError,
    decode_lock_data,
)
from .sdk.ble import Lock as BleLockOp
from .sdk.ble import Unlock as BleUnlockOp
from .sdk.ble.commands import hotel_value_lift_floors, hotel_value_lift_work_mode
from .sdk.cloud import TTLockCloud
from .sdk.cloud.errors import TTLockError
from .sdk.model import Lock, LockDetail
from .usage import ApiUsage

_LOGGER = logging.getLogger(__name__)

LIST_INTERVAL = timedelta(days=1)
"""How often the lifts and power savers are listed: they are installed rarely (a new one
shows within a day, or at once on reload), and the two lists cost 60 calls a month."""
STORAGE_VERSION = 1
SAVE_DELAY = 10


class HotelKind(StrEnum):
    """A TTHotel device of the account; the value prefixes its device identifier."""

    LIFT = "lift"
    POWER_SAVER = "power-saver"


class LiftWorkMode(IntEnum):
    """``0x64`` type 6 (docs/ble.md §9.3): every floor free, or a card needed for the floors
    that need one."""

    ALL_FLOORS_FREE = 1
    CARD_REQUIRED = 2


def hotel_device_identifier(kind: HotelKind, device_id: int) -> tuple[str, str]:
    """Device registry identifier of a lift (``lift-<id>``) or power saver
    (``power-saver-<id>``)."""
    return (DOMAIN, f"{kind.value}-{device_id}")


def storage_key(entry_id: str) -> str:
    """The Store of an entry's lift settings and power-saver states."""
    return f"{DOMAIN}.{entry_id}.lifts"


MODEL = {HotelKind.LIFT: "Lift controller", HotelKind.POWER_SAVER: "Power saver"}


@dataclass(slots=True)
class LiftSettings:
    """What a lift controller last said over Bluetooth (or was last told)."""

    floors: tuple[int, ...] = ()
    """Every floor known of the lift: those ever read or set, and the floors below them."""
    card_floors: frozenset[int] | None = None
    """The floors that need a card; None: not read yet."""
    work_mode: LiftWorkMode | None = None
    activated: tuple[int, ...] = ()
    """The floors of the last activation from Home Assistant."""
    activated_at: datetime | None = None
    location: HotelLocation | None = None
    """The lift's hotel number and building (``0x64`` type 3); None: not read, or never
    configured. A holder's floors are those of hotel locks in the same building."""


@dataclass(slots=True)
class HotelDevices:
    """Everything the lift coordinator publishes."""

    lifts: dict[int, LockRuntime] = field(default_factory=dict)
    power_savers: dict[int, LockRuntime] = field(default_factory=dict)
    settings: dict[int, LiftSettings] = field(default_factory=dict)
    """By lift id."""
    power: dict[int, bool] = field(default_factory=dict)
    """A power saver's supply as last switched (the cloud lists no state)."""

    def of(self, kind: HotelKind) -> dict[int, LockRuntime]:
        """The devices of one kind."""
        return self.lifts if kind is HotelKind.LIFT else self.power_savers


def _with_time_zone(device: Lock) -> LockRuntime:
    """A runtime for a listed device. ``lock/detail`` is not read for these devices: the
    time zone their clock runs on comes from their ``lockData`` (docs/ble.md §5.0)."""
    try:
        raw = decode_lock_data(device.lock_data).get("timezoneRawOffset")
    except TTLockBleError:
        raw = None
    offset = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    detail = LockDetail(
        lock_id=device.lock_id,
        name=device.name,
        mac=device.mac,
        battery=device.battery,
        features=device.features,
        has_gateway=device.has_gateway,
        timezone_raw_offset=offset,
    )
    return LockRuntime(lock=device, detail=detail)


def known_floors(*floor_sets: Iterable[int]) -> tuple[int, ...]:
    """The floors of a lift from what it said: every floor named, and those below the highest
    (floors are numbered upwards from 1; a floor set free before Home Assistant first read
    the lift is still found this way)."""
    floors = {floor for floors in floor_sets for floor in floors}
    if floors:
        floors |= set(range(1, max(floors) + 1))
    return tuple(sorted(floors))


class LiftCoordinator(DataUpdateCoordinator[HotelDevices]):
    """Lists the account's lifts and power savers and runs their commands."""

    config_entry: ConfigEntry[Any]

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: TTLockCloud,
        usage: ApiUsage,
        ble: LockBluetooth,
    ) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} lifts",
            update_interval=LIST_INTERVAL,
            always_update=True,
        )
        self.client = client
        self.usage = usage
        self.ble = ble
        self.data = HotelDevices()
        self.listed_at: datetime | None = None
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id)
        )
        self._remembered: dict[int, LiftSettings] = {}
        self._remembered_power: dict[int, bool] = {}
        self._reading: asyncio.Task[None] | None = None
        self._device_callbacks: list[Callable[[set[tuple[HotelKind, int]]], None]] = []
        self._floor_callbacks: list[Callable[[set[tuple[int, int]]], None]] = []

    # ------------------------------------------------------------------ the Store
    async def async_load(self) -> None:
        """What the lifts last said and how the power savers were last switched."""
        stored = await self._store.async_load() or {}
        for key, item in (stored.get("lifts") or {}).items():
            mode = item.get("work_mode")
            card = item.get("card_floors")
            where = item.get("location")
            self._remembered[int(key)] = LiftSettings(
                floors=tuple(item.get("floors") or ()),
                card_floors=None if card is None else frozenset(card),
                work_mode=LiftWorkMode(mode) if mode in (1, 2) else None,
                location=HotelLocation(*where)
                if isinstance(where, list) and len(where) == 3
                else None,
            )
        self._remembered_power = {
            int(key): bool(on) for key, on in (stored.get("power") or {}).items()
        }

    def _save(self) -> None:
        data = self.data

        def _stored() -> dict[str, Any]:
            # devices not listed again yet (a failed list) keep what was remembered of them
            settings = {**self._remembered, **data.settings}
            power = {**self._remembered_power, **data.power}
            return {
                "lifts": {
                    str(lift_id): {
                        "floors": list(lift.floors),
                        "card_floors": None
                        if lift.card_floors is None
                        else sorted(lift.card_floors),
                        "work_mode": None if lift.work_mode is None else int(lift.work_mode),
                        "location": None
                        if lift.location is None
                        else [lift.location.hotel, lift.location.building, lift.location.floor],
                    }
                    for lift_id, lift in settings.items()
                },
                "power": {str(saver_id): on for saver_id, on in power.items()},
            }

        self._store.async_delay_save(_stored, SAVE_DELAY)

    # ------------------------------------------------------------------ listing
    def monthly_calls(self) -> int:
        """What listing costs a month (for the account's API estimate): both lists once a
        day, whether or not the account has such devices."""
        per_list = round(timedelta(days=30) / LIST_INTERVAL)
        return len(HotelKind) * per_list

    async def _async_update_data(self) -> HotelDevices:
        if self.usage.exhausted or (self.listed_at and self.usage.ahead_of_pace()):
            self._start_reading()  # Bluetooth costs no API call
            return self.data  # the budget decides; the lists wait
        try:
            lifts = await self.client.list_lifts()
            savers = await self.client.list_power_savers()
        except TTLockError as err:
            raise poll_failed(err) from err
        self._apply_inventory(lifts, savers)
        self.listed_at = dt_util.utcnow()
        self._start_reading()
        return self.data

    def _apply_inventory(self, lifts: list[Lock], savers: list[Lock]) -> None:
        data = self.data
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        new: set[tuple[HotelKind, int]] = set()
        listed: set[str] = set()
        for kind, devices in ((HotelKind.LIFT, lifts), (HotelKind.POWER_SAVER, savers)):
            known = data.of(kind)
            seen = {device.lock_id for device in devices}
            for gone in known.keys() - seen:
                del known[gone]
                data.settings.pop(gone, None)
                data.power.pop(gone, None)
            for device in devices:
                rt = known.get(device.lock_id)
                if rt is None:
                    known[device.lock_id] = _with_time_zone(device)
                    new.add((kind, device.lock_id))
                else:
                    rt.lock = device
                if kind is HotelKind.LIFT and device.lock_id not in data.settings:
                    data.settings[device.lock_id] = self._remembered.pop(
                        device.lock_id, LiftSettings()
                    )
                if kind is HotelKind.POWER_SAVER and device.lock_id in self._remembered_power:
                    data.power[device.lock_id] = self._remembered_power.pop(device.lock_id)
                identifier = hotel_device_identifier(kind, device.lock_id)
                listed.add(identifier[1])
                registry.async_get_or_create(
                    config_entry_id=entry_id,
                    identifiers={identifier},
                    connections={(dr.CONNECTION_BLUETOOTH, device.mac)} if device.mac else set(),
                    manufacturer=MANUFACTURER,
                    name=device.name,
                    model=MODEL[kind],
                )
        prefixes = tuple(f"{kind}-" for kind in HotelKind)
        for registered in dr.async_entries_for_config_entry(registry, entry_id):
            if any(
                domain == DOMAIN and value.startswith(prefixes) and value not in listed
                for domain, value in registered.identifiers
            ):
                _LOGGER.info("Removing %s: it is no longer on the TTLock account", registered.name)
                registry.async_update_device(registered.id, remove_config_entry_id=entry_id)
        if new:
            for cb in list(self._device_callbacks):
                cb(new)
            self._announce_floors({lift_id for kind, lift_id in new if kind is HotelKind.LIFT})

    @callback
    def async_add_device_listener(
        self, cb: Callable[[set[tuple[HotelKind, int]]], None]
    ) -> CALLBACK_TYPE:
        """Call ``cb`` with the lifts and power savers that appear on the account."""
        self._device_callbacks.append(cb)
        return lambda: self._device_callbacks.remove(cb)

    @callback
    def async_add_floor_listener(self, cb: Callable[[set[tuple[int, int]]], None]) -> CALLBACK_TYPE:
        """Call ``cb`` with the (lift id, floor) pairs that become known."""
        self._floor_callbacks.append(cb)
        return lambda: self._floor_callbacks.remove(cb)

    def device_identifiers(self) -> set[tuple[str, str]]:
        """The identifiers of the devices on the account now."""
        return {
            hotel_device_identifier(kind, device_id)
            for kind in HotelKind
            for device_id in self.data.of(kind)
        }

    def _announce_floors(
        self, lift_ids: set[int], before: dict[int, set[int]] | None = None
    ) -> None:
        floors = {
            (lift_id, floor)
            for lift_id in lift_ids
            if (settings := self.data.settings.get(lift_id)) is not None
            for floor in settings.floors
            if before is None or floor not in before.get(lift_id, set())
        }
        if floors:
            for cb in list(self._floor_callbacks):
                cb(floors)

    # ------------------------------------------------------------------ lift settings
    def _start_reading(self) -> None:
        """Read the lifts Home Assistant hears, in the background (a slow or failing link
        must not hold up the setup or the lists)."""
        if self._reading is not None and not self._reading.done():
            return
        due = [rt for rt in self.data.lifts.values() if self.ble.in_range(rt)]
        if due:
            self._reading = self.config_entry.async_create_background_task(
                self.hass, self._async_read_lifts(due), f"{DOMAIN} read lifts"
            )

    async def _async_read_lifts(self, runtimes: list[LockRuntime]) -> None:
        for rt in runtimes:
            try:
                card_floors = await self._async_read_card_floors(rt, fallback=True)
                try:
                    _, raw = await self.ble.async_run(
                        rt,
                        lambda keys, _now: GetHotelData(keys, HotelDataType.LIFT_WORK_MODE),
                        fallback=True,
                    )
                except LockError:
                    work_mode = None  # never configured: the lift has no work mode to report
                else:
                    work_mode = LiftWorkMode(raw[0]) if raw and raw[0] in (1, 2) else None
                location = await async_read_location(self.ble, rt, fallback=True)
            except TTLockBleError as err:
                _LOGGER.debug("Reading lift %s failed: %s", rt.lock.name, type(err).__name__)
                continue
            self._learn(
                rt.lock.lock_id, card_floors=card_floors, work_mode=work_mode, location=location
            )

    async def _async_read_card_floors(self, rt: LockRuntime, *, fallback: bool) -> frozenset[int]:
        _, raw = await self.ble.async_run(
            rt,
            lambda keys, _now: GetHotelData(keys, HotelDataType.LIFT_CONTROLLABLE_FLOORS),
            fallback=fallback,
        )
        return frozenset(raw)

    def _learn(
        self,
        lift_id: int,
        *,
        card_floors: frozenset[int] | None = None,
        work_mode: LiftWorkMode | None = None,
        location: HotelLocation | None = None,
    ) -> None:
        """The lift said (or accepted) this: keep it, and add the floors it reveals."""
        settings = self.data.settings.get(lift_id)
        if settings is None:
            return  # left the account meanwhile
        before = {lift_id: set(settings.floors)}
        if card_floors is not None:
            settings.card_floors = card_floors
            settings.floors = known_floors(settings.floors, card_floors)
        if work_mode is not None:
            settings.work_mode = work_mode
        if location is not None:
            settings.location = location
        self._save()
        self._announce_floors({lift_id}, before)
        self.async_update_listeners()

    # ------------------------------------------------------------------ commands
    def _lift_paths(self, rt: LockRuntime) -> list[Path]:
        """A lift's settings and floors: Bluetooth only (no cloud endpoint, §2.8)."""
        return [Path.BLUETOOTH] if self.ble.in_range(rt) else []

    async def _async_run[T](
        self,
        rt: LockRuntime,
        paths: list[Path],
        *,
        bluetooth: Callable[[bool], Awaitable[T]],
        remote: Callable[[Path], Awaitable[T]] | None = None,
    ) -> T:
        """Run a command over the best path; failures become translated errors."""
        result, path = await run_explained(
            self.hass, self.config_entry, rt.lock.name, paths, bluetooth=bluetooth, remote=remote
        )
        rt.last_path = path
        return result

    def _ble[T](
        self, rt: LockRuntime, make_op: Callable[[LockKeys, datetime], Operation[T]]
    ) -> Callable[[bool], Awaitable[T]]:
        return lambda fallback: self.ble.async_run(rt, make_op, fallback=fallback)

    async def async_set_power(self, saver_id: int, on: bool) -> None:
        """Switch a power saver's supply: Bluetooth in range, else through its gateway."""
        rt = self.data.power_savers[saver_id]
        op: type[BleUnlockOp | BleLockOp] = BleUnlockOp if on else BleLockOp

        async def _remote(_path: Path) -> None:
            if on:
                await self.client.unlock(saver_id)
            else:
                await self.client.lock(saver_id)

        await self._async_run(
            rt,
            paths_to(self.ble, rt),
            bluetooth=lambda fallback: self.ble.async_run(rt, op, fallback=fallback),
            remote=_remote,
        )
        self.data.power[saver_id] = on
        self._save()
        self.async_update_listeners()

    async def async_set_work_mode(self, lift_id: int, mode: LiftWorkMode) -> None:
        """All floors free, or a card required (Bluetooth only)."""
        rt = self.data.lifts[lift_id]
        value = hotel_value_lift_work_mode(int(mode))
        await self._async_run(
            rt,
            self._lift_paths(rt),
            bluetooth=self._ble(
                rt, lambda keys, _now: SetHotelData(keys, HotelDataType.LIFT_WORK_MODE, value)
            ),
        )
        self._learn(lift_id, work_mode=mode)

    async def async_set_floor_card(self, lift_id: int, floor: int, needs_card: bool) -> None:
        """Whether one floor needs a card (Bluetooth only). The lift's own list is read
        first, so that a change made elsewhere (the TTHotel app) is not undone."""
        rt = self.data.lifts[lift_id]

        async def _bluetooth(fallback: bool) -> frozenset[int]:
            current = await self._async_read_card_floors(rt, fallback=fallback)
            wanted = current | {floor} if needs_card else current - {floor}
            if wanted != current:
                value = hotel_value_lift_floors(sorted(wanted))
                await self.ble.async_run(
                    rt,
                    lambda keys, _now: SetHotelData(
                        keys, HotelDataType.LIFT_CONTROLLABLE_FLOORS, value
                    ),
                    fallback=fallback,
                )
            return wanted

        card_floors = await self._async_run(rt, self._lift_paths(rt), bluetooth=_bluetooth)
        self._learn(lift_id, card_floors=card_floors)

    async def async_activate_floors(self, lift_id: int, floors: Sequence[int]) -> datetime:
        """Open floors for one ride now, e.g. for a visitor (Bluetooth only)."""
        rt = self.data.lifts[lift_id]
        chosen = tuple(floors)
        await self._async_run(
            rt,
            self._lift_paths(rt),
            bluetooth=self._ble(rt, lambda keys, now: ActivateLiftFloors(keys, chosen, now)),
        )
        at = dt_util.utcnow()
        settings = self.data.settings.get(lift_id)
        if settings is not None:
            settings.activated, settings.activated_at = chosen, at
        self.async_update_listeners()
        return at
