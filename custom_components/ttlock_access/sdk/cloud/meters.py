"""Electricity and water meters (TTRenting): the calls and their parsing.

One set of calls serves both kinds: the paths differ only by prefix (``electricMeter/`` /
``waterMeter/``), the id field and the unit suffix of the quantities (``Kwh`` / ``M3``).
Quantities come as strings with two decimals; meters are reached through a gateway, so
commands go one at a time like the locks' (docs/meters.md).
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
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
        text = str(value).strip().lower().removesuffix("kwh").removesuffix("m3").rstrip("t ")
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
