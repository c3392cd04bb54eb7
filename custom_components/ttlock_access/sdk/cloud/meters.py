"""Electricity and water meters (TTRenting): the calls and their parsing.

One set of calls serves both kinds: the paths differ only by prefix (``electricMeter/`` /
``waterMeter/``), the id field and the unit suffix of the quantities (``Kwh`` / ``M3``).
Quantities come as strings with two decimals; meters are reached through a gateway, so
commands go one at a time like the locks' (docs/meters.md). Usage records
(``listRecords``) give what a meter used per hour of a day, day of a month or month of a year.
"""

from __future__ import annotations

import math
import re
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Any, Final

from ..model import Meter, MeterKind
from .errors import TTLockApiError, TTLockConnectionError
from .parse import as_battery, as_int

type JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Shape:
    prefix: str
    id_field: str
    unit: str  # suffix of the quantity fields: totalKwh / totalM3
    read_at: str


SHAPES: Final[Mapping[MeterKind, _Shape]] = {
    MeterKind.ELECTRIC: _Shape("electricMeter", "electricMeterId", "Kwh", "syncKwhDate"),
    MeterKind.WATER: _Shape("waterMeter", "waterMeterId", "M3", "syncM3Date"),
}

MAX_RECHARGE: Final = 1_000_000.0
"""A sanity bound on one top-up (money or units); TTLock documents none."""


def as_quantity(value: Any) -> float | None:
    """A quantity as TTLock writes it: ``"9.89"``, a number, or with its unit (``"9.89kWh"``,
    ``"0.00t"``) in usage records (docs/meters.md, documentation defects)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().lower().removesuffix("kwh").removesuffix("m3")
        text = text.removesuffix("m³").rstrip("t ")
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def parse_meter(kind: MeterKind, item: JSON) -> Meter:
    """A ``list`` item or a ``detail`` answer of either kind."""
    shape = SHAPES[kind]
    meter_id = as_int(item.get(shape.id_field))
    if meter_id is None:
        raise TTLockApiError(-3, "malformed meter", f"meter without {shape.id_field}")
    on_off = as_int(item.get("onOff"))
    online = as_int(item.get("online"))
    read_at = as_int(item.get(shape.read_at))
    return Meter(
        kind=kind,
        meter_id=meter_id,
        name=str(item.get("name") or item.get("number") or meter_id),
        number=str(item.get("number") or ""),
        online=None if online is None else online == 1,
        rssi=as_int(item.get("rssi")),
        supply_on={0: False, 1: True}.get(on_off) if on_off is not None else None,
        prepaid=as_int(item.get("payMode")) == 1,
        total=as_quantity(item.get(f"total{shape.unit}")),
        remaining=as_quantity(item.get(f"remainder{shape.unit}")),
        price=as_quantity(item.get("price")),
        battery=as_battery(item.get("electricQuantity")) if kind is MeterKind.WATER else None,
        read_at_ms=read_at if read_at else None,
        mac=str(item["mac"]) if item.get("mac") else None,
        model_num=str(item["modelNum"]) if item.get("modelNum") else None,
        firmware_revision=str(item["firmwareRevision"]) if item.get("firmwareRevision") else None,
        hardware_revision=str(item["hardwareRevision"]) if item.get("hardwareRevision") else None,
    )


class UsagePeriod(IntEnum):
    """``listRecords`` ``dateType``: what one query covers (and what each item then is)."""

    DAY = 0
    """A day (``dateStr`` ``YYYY-MM-DD``)."""
    MONTH = 1
    """A month (``YYYY-MM``): one item per day."""
    YEAR = 2
    """A year (``YYYY``): one item per month."""


class UsageSpan(StrEnum):
    """How long the period of one usage item is, read from its ``createDate``."""

    HOUR = "hour"
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class MeterUsage:
    """One item of a meter's usage record (``…Meter/listRecords``)."""

    start: datetime
    """Where the period begins, a naive wall-clock time (TTLock names no time zone)."""
    span: UsageSpan
    used: float
    """Units used in the period (kWh / m³)."""


_CREATE_DATE = re.compile(
    r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2})(?:[ T](\d{1,2})(?::\d{2}){0,2})?)?)?"
)
_SPANS = (UsageSpan.YEAR, UsageSpan.MONTH, UsageSpan.DAY, UsageSpan.HOUR)


def parse_usage_date(value: Any) -> tuple[datetime, UsageSpan] | None:
    """A usage item's ``createDate`` — ``"2025"``, ``"2025-06"``, ``"2025-06-14"`` or with an
    hour (``"2025-06-14 13"``, ``"2025-06-14 13:00"``) — as its start and span; None if it is
    none of these."""
    found = _CREATE_DATE.fullmatch(str(value).strip()) if value is not None else None
    if found is None:
        return None
    given = [int(part) for part in found.groups() if part is not None]
    year, month, day, hour = [*given, *(1, 1, 0)[len(given) - 1 :]]
    try:
        start = datetime(year, month, day, hour)  # naive: the cloud names no zone
    except ValueError:
        return None
    return start, _SPANS[len(given) - 1]


def parse_usage(kind: MeterKind, item: JSON) -> MeterUsage | None:
    """A ``listRecords`` item; None when its period or quantity is unreadable. The quantity
    carries its unit (``"0.00kWh"``, ``"0.00t"``), and the water pages name it ``usedM3`` in
    the example but ``usedKwh`` in the table: both are read (docs/meters.md §7)."""
    period = parse_usage_date(item.get("createDate"))
    keys = (f"used{SHAPES[kind].unit}", "usedKwh", "usedM3")
    used = as_quantity(next((item[key] for key in keys if key in item), None))
    if period is None or used is None or used < 0:
        return None
    return MeterUsage(start=period[0], span=period[1], used=used)


_DATE_STR = {UsagePeriod.DAY: "%Y-%m-%d", UsagePeriod.MONTH: "%Y-%m", UsagePeriod.YEAR: "%Y"}


def _amount(value: float, what: str) -> str:
    if not math.isfinite(value) or value <= 0 or value > MAX_RECHARGE:
        raise ValueError(f"{what} must be above 0 and at most {MAX_RECHARGE:.0f}")
    return f"{value:.2f}"


class MeterCalls:
    """The meter endpoints, mixed into the cloud client (which supplies the transport)."""

    @abstractmethod
    async def _call(self, path: str, params: Mapping[str, Any], *, method: str = "GET") -> JSON:
        """One signed request."""

    @abstractmethod
    async def _gateway_call(self, path: str, params: Mapping[str, Any]) -> JSON:
        """One command the cloud relays through a gateway."""

    async def list_meters(self, kind: MeterKind) -> list[Meter]:
        """Every meter of ``kind`` on the account, as last reported (no paging documented)."""
        body = await self._call(f"{SHAPES[kind].prefix}/list", {}, method="POST")
        raw = body.get("list") or []
        if not isinstance(raw, list):
            raise TTLockConnectionError(f"the {kind} meter list is malformed")
        return [parse_meter(kind, item) for item in raw if isinstance(item, dict)]

    async def list_meter_usage(
        self, kind: MeterKind, meter_id: int, period: UsagePeriod, when: date
    ) -> list[MeterUsage]:
        """What the meter used in the day, month or year that holds ``when``: per hour, day
        or month (``listRecords``), oldest first; unreadable items are left out."""
        shape = SHAPES[kind]
        body = await self._call(
            f"{shape.prefix}/listRecords",
            {
                shape.id_field: meter_id,
                "dateType": int(period),
                "dateStr": when.strftime(_DATE_STR[period]),
            },
            method="POST",
        )
        raw = body.get("list") or []
        if not isinstance(raw, list):
            raise TTLockConnectionError(f"the {kind} meter usage list is malformed")
        items = [parse_usage(kind, item) for item in raw if isinstance(item, dict)]
        return sorted((item for item in items if item is not None), key=lambda item: item.start)

    async def get_meter(self, kind: MeterKind, meter_id: int) -> Meter:
        """``…Meter/detail``: the list's fields plus the time of the reading and the model."""
        shape = SHAPES[kind]
        body = await self._call(f"{shape.prefix}/detail", {shape.id_field: meter_id}, method="POST")
        return parse_meter(kind, {shape.id_field: meter_id, **body})

    async def read_meter(self, kind: MeterKind, meter_id: int) -> Meter:
        """Have the meter report now (``syncState``, through its gateway), then read it: the
        sync itself answers no reading (docs/meters.md)."""
        shape = SHAPES[kind]
        await self._gateway_call(f"{shape.prefix}/syncState", {shape.id_field: meter_id})
        return await self.get_meter(kind, meter_id)

    async def set_meter_supply(self, kind: MeterKind, meter_id: int, on: bool) -> None:
        """Switch the relay (electricity) or the valve (water) on or off."""
        shape = SHAPES[kind]
        await self._gateway_call(
            f"{shape.prefix}/controlOnOff", {shape.id_field: meter_id, "onOff": 1 if on else 0}
        )

    async def recharge_meter(
        self, kind: MeterKind, meter_id: int, *, amount: float, units: float
    ) -> Meter:
        """Top up a prepaid meter by ``units`` (kWh / m³) paid with ``amount``; the new balance
        reaches the cloud with a sync, which follows (docs/meters.md)."""
        shape = SHAPES[kind]
        await self._gateway_call(
            f"{shape.prefix}/recharge",
            {
                shape.id_field: meter_id,
                "rechargeAmount": _amount(amount, "rechargeAmount"),
                f"recharge{shape.unit}": _amount(units, f"recharge{shape.unit}"),
            },
        )
        return await self.read_meter(kind, meter_id)

    async def set_meter_pay_mode(
        self, kind: MeterKind, meter_id: int, *, prepaid: bool, price: float | None = None
    ) -> None:
        """Switch between metering (0) and prepaid (1); prepaid needs a unit price."""
        shape = SHAPES[kind]
        params: dict[str, Any] = {shape.id_field: meter_id, "payMode": 1 if prepaid else 0}
        if price is not None:
            params["price"] = _amount(price, "price")
        await self._gateway_call(f"{shape.prefix}/updatePayMode", params)

    async def set_meter_price(self, kind: MeterKind, meter_id: int, price: float) -> None:
        """The unit price of a prepaid meter."""
        shape = SHAPES[kind]
        await self._call(
            f"{shape.prefix}/updatePrice",
            {shape.id_field: meter_id, "price": _amount(price, "price")},
            method="POST",
        )
