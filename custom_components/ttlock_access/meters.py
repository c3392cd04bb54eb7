"""The account's electricity and water meters: their readings and their commands.

One list call per kind reads every meter of the account (``…Meter/list``), so the cost does
not grow with the number of meters: an account with meters of a kind reads them every few
hours (an option; 3 h by default, 240 calls a month per kind), an account without looks for
new ones once a day. Meters report to the cloud on their own; "read now" (``syncState``)
asks one for a fresh reading through its gateway (docs/meters.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .const import CONF_METER_INTERVAL, DEFAULT_METER_INTERVAL, DOMAIN, MANUFACTURER
from .errors import poll_failed, translated
from .sdk.cloud import TTLockCloud
from .sdk.cloud.errors import TTLockError
from .sdk.model import Meter, MeterKind
from .usage import ApiUsage

_LOGGER = logging.getLogger(__name__)

PROBE_INTERVAL = timedelta(days=1)
"""How often an account without meters of a kind is asked again."""

type MeterKey = tuple[MeterKind, int]


def meter_device_identifier(key: MeterKey) -> tuple[str, str]:
    """Device registry identifier of a meter."""
    kind, meter_id = key
    return (DOMAIN, f"meter-{kind.value}-{meter_id}")


MODEL = {MeterKind.ELECTRIC: "Electricity meter", MeterKind.WATER: "Water meter"}


class MeterCoordinator(DataUpdateCoordinator[dict[MeterKey, Meter]]):
    """Reads the account's meters and runs their commands."""

    config_entry: ConfigEntry[Any]

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry[Any], client: TTLockCloud, usage: ApiUsage
    ) -> None:
        hours = entry.options.get(CONF_METER_INTERVAL, DEFAULT_METER_INTERVAL)
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} meters",
            update_interval=timedelta(hours=hours),
            always_update=True,
        )
        self.client = client
        self.usage = usage
        self.data = {}
        self.probed_at: dict[MeterKind, datetime] = {}
        self._new_meter_callbacks: list[Callable[[set[MeterKey]], None]] = []

    def kinds_due(self, now: datetime) -> list[MeterKind]:
        """The kinds to list now: those the account has, and the others once a day."""
        have = {kind for kind, _ in self.data}
        return [
            kind
            for kind in MeterKind
            if kind in have
            or (probed := self.probed_at.get(kind)) is None
            or now - probed >= PROBE_INTERVAL - timedelta(minutes=1)
        ]

    def monthly_calls(self) -> int:
        """What reading the meters costs a month (for the account's API estimate)."""
        have = {kind for kind, _ in self.data}
        assert self.update_interval is not None
        reads = int(timedelta(days=30) / self.update_interval)
        return sum(reads if kind in have else 30 for kind in MeterKind)

    async def _async_update_data(self) -> dict[MeterKey, Meter]:
        if self.usage.exhausted or (self.data and self.usage.ahead_of_pace()):
            return self.data  # the budget decides; readings wait
        now = dt_util.utcnow()
        data = dict(self.data)
        for kind in self.kinds_due(now):
            try:
                meters = await self.client.list_meters(kind)
            except TTLockError as err:
                raise poll_failed(err) from err
            self.probed_at[kind] = now
            listed = {(kind, meter.meter_id): meter for meter in meters}
            for key in [key for key in data if key[0] is kind and key not in listed]:
                del data[key]
            for key, meter in listed.items():
                data[key] = _keep_detail(data.get(key), meter)
        self._apply_inventory(data)
        return data

    def _apply_inventory(self, data: dict[MeterKey, Meter]) -> None:
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        for key, meter in data.items():
            registry.async_get_or_create(
                config_entry_id=entry_id,
                identifiers={meter_device_identifier(key)},
                manufacturer=MANUFACTURER,
                name=meter.name,
                model=meter.model_num or MODEL[meter.kind],
                serial_number=meter.number or None,
                sw_version=meter.firmware_revision,
                hw_version=meter.hardware_revision,
            )
        registered = {
            value
            for device in dr.async_entries_for_config_entry(registry, entry_id)
            for domain, value in device.identifiers
            if domain == DOMAIN and value.startswith("meter-")
        }
        listed_kinds = {kind.value for kind in self.probed_at}
        key_ids = {meter_device_identifier(key)[1] for key in data}
        for value in registered - key_ids:
            if value.split("-")[1] in listed_kinds:
                device = registry.async_get_device_by_identifier((DOMAIN, value), entry_id)
                if device is not None:
                    _LOGGER.info("Removing %s: it is no longer on the TTLock account", device.name)
                    registry.async_update_device(device.id, remove_config_entry_id=entry_id)
        new = data.keys() - self.data.keys()
        self.data = data  # what the new meters' entities read
        if new:
            for cb in list(self._new_meter_callbacks):
                cb(set(new))

    @callback
    def async_add_meter_listener(self, cb: Callable[[set[MeterKey]], None]) -> CALLBACK_TYPE:
        """Call ``cb`` with the keys of meters that appear on the account."""
        self._new_meter_callbacks.append(cb)
        return lambda: self._new_meter_callbacks.remove(cb)

    # ------------------------------------------------------------------ commands
    def _store(self, meter: Meter) -> None:
        self.async_set_updated_data({**self.data, (meter.kind, meter.meter_id): meter})

    async def async_read_now(self, key: MeterKey) -> Meter:
        """A fresh reading through the meter's gateway."""
        meter = self.data[key]
        with translated(self.hass, self.config_entry, meter.name):
            fresh = await self.client.read_meter(*key)
        self._store(fresh)
        return fresh

    async def async_set_supply(self, key: MeterKey, on: bool) -> None:
        """Switch the relay or valve, then read the meter (it may refuse, e.g. no balance)."""
        meter = self.data[key]
        with translated(self.hass, self.config_entry, meter.name):
            await self.client.set_meter_supply(*key, on)
            fresh = await self.client.get_meter(*key)
        self._store(fresh)

    async def async_recharge(self, key: MeterKey, *, amount: float, units: float) -> Meter:
        """Top up a prepaid meter; answers the meter as it reads afterwards."""
        meter = self.data[key]
        with translated(self.hass, self.config_entry, meter.name):
            fresh = await self.client.recharge_meter(*key, amount=amount, units=units)
        self._store(fresh)
        return fresh

    async def async_set_pay_mode(self, key: MeterKey, *, prepaid: bool) -> None:
        """Metering or prepaid (prepaid keeps the meter's unit price)."""
        meter = self.data[key]
        with translated(self.hass, self.config_entry, meter.name):
            await self.client.set_meter_pay_mode(
                *key, prepaid=prepaid, price=meter.price if prepaid and meter.price else None
            )
            fresh = await self.client.get_meter(*key)
        self._store(fresh)


def _keep_detail(old: Meter | None, new: Meter) -> Meter:
    """A list item lacks the detail's model and reading time: keep them from before."""
    if old is None:
        return new
    return replace(
        new,
        read_at_ms=new.read_at_ms or old.read_at_ms,
        mac=new.mac or old.mac,
        model_num=new.model_num or old.model_num,
        firmware_revision=new.firmware_revision or old.firmware_revision,
        hardware_revision=new.hardware_revision or old.hardware_revision,
    )
