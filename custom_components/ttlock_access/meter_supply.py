"""Temporary supply: a meter's relay or valve on now, and off again after a while.

Staff (a cleaner, a plumber) need power or water in an empty flat for an hour or two. The
``temporary_supply`` action switches the supply on and, when it was off before, persists a
switch-off for later. The switch-off is written to disk before anything is sent, so it
survives an entry reload or a Home Assistant restart: it is armed again at set-up, and done at
once when its time passed while Home Assistant was down. It is dropped when the supply is
switched by hand meanwhile (the supply switch or valve, or ``check_out`` with
``cut_supply``), and when a reading shows the supply off already (switched off in the TTLock
app, or a prepaid meter that ran out). A switch-off the gateway cannot carry out is retried
every few minutes.

A prepaid meter without balance cannot give supply: the meter switches itself off again at
once (docs/meters.md §9), so the action refuses it up front, and a meter that still reads off
after the command is reported as such.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, EVENT_METER_SUPPLY
from .meters import MeterCoordinator, MeterKey
from .sdk.model import Meter, MeterKind

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
RETRY = timedelta(minutes=5)
"""How soon a switch-off the gateway could not carry out is tried again."""


def storage_key(entry_id: str) -> str:
    """The Store of an entry's pending switch-offs."""
    return f"{DOMAIN}.{entry_id}.meter_supply"


def supply_entity_id(hass: HomeAssistant, key: MeterKey) -> str:
    """The meter's supply entity: the relay switch (electricity) or the valve (water)."""
    kind, meter_id = key
    domain, suffix = ("switch", "power") if kind is MeterKind.ELECTRIC else ("valve", "valve")
    unique_id = f"meter_{kind.value}_{meter_id}_{suffix}"
    return er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id) or unique_id


def no_balance(meter: Meter) -> bool:
    """A prepaid meter with nothing left: it cuts its supply itself."""
    return meter.prepaid and (meter.remaining is None or meter.remaining <= 0)


@dataclass(slots=True)
class PendingOff:
    """A supply to switch off at ``off_at`` (it was off before the temporary supply)."""

    key: MeterKey
    off_at: datetime
    since: datetime
    holder: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Stored form."""
        return {
            "kind": self.key[0].value,
            "meter_id": self.key[1],
            "off_at": self.off_at.isoformat(),
            "since": self.since.isoformat(),
            "holder": self.holder,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PendingOff | None:
        """From the stored form (None when unreadable)."""
        try:
            off_at = dt_util.parse_datetime(str(data["off_at"]))
            since = dt_util.parse_datetime(str(data.get("since") or data["off_at"]))
            key = (MeterKind(data["kind"]), int(data["meter_id"]))
        except KeyError, TypeError, ValueError:
            return None
        if off_at is None or since is None:
            return None
        holder = data.get("holder")
        return cls(key, off_at, since, str(holder) if holder else None)


class TemporarySupply:
    """The pending switch-offs of one account's meters: on disk, with a timer each."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], meters: MeterCoordinator):
        self.hass = hass
        self.entry = entry
        self.meters = meters
        self.pending: dict[MeterKey, PendingOff] = {}
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id)
        )
        self._timers: dict[MeterKey, CALLBACK_TYPE] = {}
        self._unsub_meters: CALLBACK_TYPE | None = None

    # ------------------------------------------------------------------ lifecycle
    async def async_load(self) -> None:
        """Read the pending switch-offs."""
        data = await self._store.async_load() or {}
        for item in data.get("pending") or []:
            pending = PendingOff.from_json(item) if isinstance(item, dict) else None
            if pending is not None:
                self.pending[pending.key] = pending

    async def async_save(self) -> None:
        """Write now (before anything is sent to a meter)."""
        await self._store.async_save({"pending": [p.to_json() for p in self.pending.values()]})

    @callback
    def async_start(self) -> None:
        """Arm every pending switch-off (one whose time passed runs at once) and follow the
        meters' readings."""
        for key in list(self.pending):
            self._arm(key)
        self._unsub_meters = self.meters.async_add_listener(self._readings_changed)

    @callback
    def async_stop(self) -> None:
        """Disarm the timers (the switch-offs stay on disk)."""
        for unsub in self._timers.values():
            unsub()
        self._timers.clear()
        if self._unsub_meters is not None:
            self._unsub_meters()
            self._unsub_meters = None

    # ------------------------------------------------------------------ the action
    async def async_give(self, key: MeterKey, minutes: int, holder: str | None) -> dict[str, Any]:
        """Supply on now; off after ``minutes`` if it was off before (a supply given this way
        before and still pending: its end moves). Answers what the meter does."""
        meter = self.meters.data[key]
        pending = self.pending.get(key)
        was_on = meter.supply_on is True and pending is None
        now = dt_util.utcnow()
        if not was_on:
            if no_balance(meter):
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="supply_needs_balance",
                    translation_placeholders={"name": meter.name},
                )
            # written first: a restart between the command and the write leaves no supply on
            # that nobody switches off
            self.pending[key] = PendingOff(
                key,
                now + timedelta(minutes=minutes),
                pending.since if pending else now,
                holder or (pending.holder if pending else None),
            )
            await self.async_save()
            try:
                if meter.supply_on is not True:
                    await self.meters.async_set_supply(key, True)
            except HomeAssistantError:
                await self._forget(key, previous=pending)
                raise
            fresh = self.meters.data.get(key, meter)
            if fresh.supply_on is not True:
                # refused by the meter (a prepaid balance spent since the last reading)
                await self._forget(key, previous=None)
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="supply_not_given",
                    translation_placeholders={"name": meter.name},
                )
            self._arm(key)
        off_at = None if was_on else self.pending[key].off_at
        self._fire(key, "on", minutes=minutes, holder=holder, off_at=off_at)
        return {
            "name": meter.name,
            "supply_on": True,
            "was_on": was_on,
            "off_at": off_at,
            "holder": holder,
        }

    async def _forget(self, key: MeterKey, *, previous: PendingOff | None) -> None:
        if previous is None:
            self.pending.pop(key, None)
        else:
            self.pending[key] = previous
        await self.async_save()

    async def async_cancel(self, key: MeterKey) -> bool:
        """The supply is switched by hand: its pending switch-off is dropped."""
        if key not in self.pending:
            return False
        self._disarm(key)
        del self.pending[key]
        await self.async_save()
        self._fire(key, "cancelled")
        return True

    # ------------------------------------------------------------------ timers
    @callback
    def _arm(self, key: MeterKey, at: datetime | None = None) -> None:
        self._disarm(key)
        when = at or self.pending[key].off_at

        @callback
        def _due(_now: datetime) -> None:
            self._timers.pop(key, None)
            self.entry.async_create_background_task(
                self.hass, self._async_switch_off(key), f"{DOMAIN} temporary supply off"
            )

        if when <= dt_util.utcnow():
            _due(when)  # overdue (Home Assistant was down): now
        else:
            self._timers[key] = async_track_point_in_utc_time(self.hass, _due, when)

    @callback
    def _disarm(self, key: MeterKey) -> None:
        if (unsub := self._timers.pop(key, None)) is not None:
            unsub()

    async def _async_switch_off(self, key: MeterKey) -> None:
        pending = self.pending.get(key)
        if pending is None or pending.off_at > dt_util.utcnow():
            return  # cancelled or moved meanwhile
        meter = self.meters.data.get(key)
        if meter is None:  # the meter left the account: nothing to switch
            await self._forget(key, previous=None)
            return
        try:
            await self.meters.async_set_supply(key, False)
        except HomeAssistantError as err:
            _LOGGER.warning(
                "Could not switch the temporary supply of %s off (retried in %s): %s",
                meter.name,
                RETRY,
                err,
            )
            if key in self.pending:
                self._arm(key, dt_util.utcnow() + RETRY)
            return
        if self.pending.get(key) is pending:
            await self._forget(key, previous=None)
        self._fire(key, "off", holder=pending.holder)

    @callback
    def _readings_changed(self) -> None:
        """A reading shows the supply off (or the meter gone): nothing left to switch off.
        Only armed switch-offs: one being given or carried out is followed by its own call."""
        done = [
            key
            for key in self.pending
            if key in self._timers
            and ((meter := self.meters.data.get(key)) is None or meter.supply_on is False)
        ]
        for key in done:
            self._disarm(key)
            del self.pending[key]
        if done:
            self.entry.async_create_background_task(
                self.hass, self.async_save(), f"{DOMAIN} temporary supply save"
            )

    # ------------------------------------------------------------------ record
    @callback
    def _fire(
        self,
        key: MeterKey,
        action: str,
        *,
        minutes: int | None = None,
        holder: str | None = None,
        off_at: datetime | None = None,
    ) -> None:
        """A logbook line: supply given (for whom, until when), switched off, or cancelled."""
        meter = self.meters.data.get(key)
        self.hass.bus.async_fire(
            EVENT_METER_SUPPLY,
            {
                "entity_id": supply_entity_id(self.hass, key),
                "name": meter.name if meter else str(key[1]),
                "action": action,
                "minutes": minutes,
                "holder": holder,
                "off_at": dt_util.as_local(off_at).isoformat() if off_at else None,
            },
        )


async def async_switch_by_hand(meters: MeterCoordinator, key: MeterKey, *, on: bool) -> None:
    """Switch a meter's supply as a person asked (the supply switch or valve): a pending
    temporary supply's switch-off is dropped, then the meter is switched."""
    supply = getattr(meters.config_entry.runtime_data, "supply", None)
    if isinstance(supply, TemporarySupply):
        await supply.async_cancel(key)
    await meters.async_set_supply(key, on)
