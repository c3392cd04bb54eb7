"""Electricity and water meters (TTRenting) and ``gateway/listDevice`` (``docs/meters.md``).

Both kinds share one set of handlers; a :class:`Kind` says how the API names things for each
(``electricMeter/`` or ``waterMeter/``, ``electricMeterId`` or ``waterMeterId``, the unit
suffix ``Kwh`` or ``M3`` of ``totalKwh`` / ``remainderM3`` / ``syncKwhDate`` /
``rechargeM3`` …). Endpoints of each kind: the queries ``list`` and ``detail`` and the
commands ``syncState``, ``controlOnOff``, ``recharge``, ``updatePrice``, ``updatePayMode``,
``rename``, ``clear``, and for water ``updateTotal`` (methods as the registry's ``QUERY`` /
``COMMAND``); the usage records ``listRecords`` (per hour of a day, day of a month or month of
a year: :meth:`~simulator.world.World.meter_usage`).

What the cloud answers is the meter's last reading (:attr:`~simulator.entities.Meter.reading`),
not its live state: a meter reports once an hour, on ``syncState``, and after the gateway
commands that set a value (``controlOnOff``, ``clear``, ``updatePayMode``, ``updateTotal``).
A ``recharge`` changes the meter but not the reading: the documentation asks for a
``syncState`` afterwards so that the server stores the new balance.

Errors: unknown meter -1003, another account's meter 20002, bad parameters -3, and for the
gateway commands -2012 (no gateway), -3002 (gateway offline), -3036 (meter offline), -3003
(gateway busy). The error table has no meter codes; these are the lock ones (§1.4 of
``docs/cloud.md``).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..codes import CloudError
from ..entities import ElectricMeter, Meter, WaterMeter
from .registry import COMMAND, QUERY, SUCCESS, ApiRequest, api, paginate

__all__ = ["ELECTRIC", "KINDS", "WATER", "Kind", "meter_detail", "meter_list_item"]


@dataclass(frozen=True)
class Kind:
    """How the API names one kind of meter."""

    kind: str  # the world's name: "electric" / "water"
    prefix: str  # path prefix: "electricMeter"
    id_key: str  # "electricMeterId"
    unit: str  # suffix of the quantity fields: "Kwh" / "M3"
    device_type: int  # gateway/listDevice deviceType: 1 electricity, 2 water

    def key(self, stem: str) -> str:
        """A quantity's name: ``"total"`` → ``"totalKwh"`` / ``"totalM3"``."""
        return f"{stem}{self.unit}"

    @property
    def sync_key(self) -> str:
        """The reading time: ``syncKwhDate`` / ``syncM3Date``."""
        return f"sync{self.unit}Date"

    def used(self, units: float) -> str:
        """A usage record's quantity, written with its unit as the example pages have it:
        ``"0.00kWh"``, water ``"0.00t"`` (a tonne of water, a cubic metre)."""
        return f"{max(units, 0.0):.2f}{'kWh' if self.unit == 'Kwh' else 't'}"


ELECTRIC = Kind(ElectricMeter.kind, "electricMeter", "electricMeterId", "Kwh", 1)
WATER = Kind(WaterMeter.kind, "waterMeter", "waterMeterId", "M3", 2)
KINDS = (ELECTRIC, WATER)
_BY_WORLD_KIND = {kind.kind: kind for kind in KINDS}


def _quantity(value: float) -> str:
    """A quantity as the cloud writes it: a string with two decimals (``"9.89"``)."""
    return f"{max(value, 0.0):.2f}"


# --- JSON views ----------------------------------------------------------------------------


def meter_list_item(req: ApiRequest, kind: Kind, meter: Meter) -> dict[str, Any]:
    """A ``list`` item: the documented fields; water adds ``electricQuantity`` (battery)."""
    reading = meter.reading
    item: dict[str, Any] = {
        kind.id_key: meter.meter_id,
        "online": 1 if req.world.meter_reachable(meter) else 0,
        "rssi": meter.rssi,
        "onOff": reading.on_off,
        "name": meter.name,
        "number": meter.number,
        "payMode": meter.pay_mode,
        kind.key("total"): _quantity(reading.total),
        kind.key("remainder"): _quantity(reading.remainder),
        "price": _quantity(meter.price),
    }
    if isinstance(meter, WaterMeter):
        item["electricQuantity"] = meter.electric_quantity
    return item


def meter_detail(req: ApiRequest, kind: Kind, meter: Meter) -> dict[str, Any]:
    """``detail``: the list item plus identity, model, reading time, ``maxPower`` and group.

    ``maxPower`` is written as the documentation's example has it (``"255"``, a whole
    number: the setting is an Int); the water page lists it too, meaningless there ("0").
    """
    detail = meter_list_item(req, kind, meter)
    detail.update(
        {
            "mac": meter.mac,
            "featureValue": meter.feature_value,
            "modelNum": meter.model_num,
            "hardwareRevision": meter.hardware_revision,
            "firmwareRevision": meter.firmware_revision,
            kind.sync_key: meter.reading.date_ms,
            "maxPower": str(meter.max_power if isinstance(meter, ElectricMeter) else 0),
            "groupName": meter.group_name,
            "groupId": meter.group_id,
        }
    )
    return detail


# --- parameters ------------------------------------------------------------------------------


def _meter(req: ApiRequest, kind: Kind) -> Meter:
    """The meter named by the kind's id parameter: -1003 unknown, 20002 not the caller's."""
    meter = req.world.meter(kind.kind, req.integer(kind.id_key))
    if meter.owner_uid != req.account.uid:
        # the lock's "not the administrator" (§1.4): meters are visible to their adder only
        raise CloudError(20002, f"you are not the administrator of {meter.label} {meter.meter_id}")
    return meter


def _number(req: ApiRequest, name: str, *, zero: bool = False) -> float | None:
    """An optional Double parameter: positive (≥ 0 with ``zero``), else -3; None if absent."""
    raw = req.params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise CloudError(-3, f"parameter {name} must be a number, got {raw!r}") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        raise CloudError(-3, f"parameter {name} must be {'at least 0' if zero else 'positive'}")
    return value


def _required_number(req: ApiRequest, name: str, *, zero: bool = False) -> float:
    value = _number(req, name, zero=zero)
    if value is None:
        raise CloudError(-3, f"parameter {name} is required")
    return value


def _matches(meter: Meter, search: str) -> bool:
    """``searchStr``: part of the name or number, or a comma-separated list of meter ids."""
    if not search:
        return True
    ids = {part.strip() for part in search.split(",")}
    return (
        search in meter.name.lower() or search in meter.number.lower() or str(meter.meter_id) in ids
    )


# --- handlers (one of each, parameterised by the kind) -------------------------------------


async def _list(req: ApiRequest, kind: Kind) -> dict[str, Any]:
    # no paging is documented; pageNo / pageSize are accepted and the envelope carries them
    page_no, page_size = req.paging(200, required=False)
    search = req.text("searchStr", required=False).lower()
    group_id = req.integer("groupId", required=False, default=0)
    items = [
        meter_list_item(req, kind, meter)
        for meter in req.world.meters_of(kind.kind, req.account.uid)
        if (not group_id or meter.group_id == group_id) and _matches(meter, search)
    ]
    return paginate(items, page_no, page_size)


async def _detail(req: ApiRequest, kind: Kind) -> dict[str, Any]:
    return meter_detail(req, kind, _meter(req, kind))


async def _sync_state(req: ApiRequest, kind: Kind) -> dict[str, Any]:
    meter = _meter(req, kind)
    async with req.world.occupy(req.world.meter_route(meter)):
        req.world.report_meter(meter)
    return dict(SUCCESS)


async def _control_on_off(req: ApiRequest, kind: Kind) -> dict[str, Any]:
    meter = _meter(req, kind)
    on_off = req.integer("onOff", minimum=0, maximum=1)
    async with req.world.occupy(req.world.meter_route(meter)):
        req.world.switch_meter(meter, on_off == 1)
    return dict(SUCCESS)


async def _recharge(req: ApiRequest, kind: Kind) -> dict[str, Any]:
    meter = _meter(req, kind)
    _required_number(req, "rechargeAmount")  # the money paid: the cloud's bookkeeping only
    units = _required_number(req, kind.key("recharge"))
    async with req.world.occupy(req.world.meter_route(meter)):
        req.world.recharge_meter(meter, units)
    return dict(SUCCESS)


async def _update_price(req: ApiRequest, kind: Kind) -> dict[str, Any]:
    meter = _meter(req, kind)
    meter.price = _required_number(req, "price")  # a cloud setting: no gateway involved
    return dict(SUCCESS)


async def _update_pay_mode(req: ApiRequest, kind: Kind) -> dict[str, Any]:
    meter = _meter(req, kind)
    pay_mode = req.integer("payMode", minimum=0, maximum=1)
    price = _number(req, "price")
    if pay_mode == 1 and price is None and meter.price <= 0:
        raise CloudError(-3, "a unit price is required for prepaid mode")
    async with req.world.occupy(req.world.meter_route(meter)):
        req.world.set_meter_pay_mode(meter, pay_mode, price)
    return dict(SUCCESS)


async def _rename(req: ApiRequest, kind: Kind) -> dict[str, Any]:
    meter = _meter(req, kind)
    meter.name = req.text("name")
    return dict(SUCCESS)


async def _clear(req: ApiRequest, kind: Kind) -> dict[str, Any]:
    meter = _meter(req, kind)
    async with req.world.occupy(req.world.meter_route(meter)):
        req.world.clear_meter(meter)
    return dict(SUCCESS)


async def _update_total(req: ApiRequest, kind: Kind) -> dict[str, Any]:
    meter = _meter(req, kind)
    total = _required_number(req, kind.key("total"), zero=True)
    async with req.world.occupy(req.world.meter_route(meter)):
        req.world.set_meter_total(meter, total)
    return dict(SUCCESS)


async def _list_records(req: ApiRequest, kind: Kind) -> dict[str, Any]:
    """Usage per period: ``dateType`` 0 a day's hours, 1 a month's days, 2 a year's months;
    each item echoes the ``dateType`` and names its period in ``createDate``."""
    meter = _meter(req, kind)
    date_type = req.integer("dateType", minimum=0, maximum=2)
    try:
        periods = req.world.meter_usage(meter, date_type, req.text("dateStr"))
    except ValueError as err:
        raise CloudError(-3, str(err)) from None
    key = f"used{kind.unit}"  # usedKwh / usedM3, as the examples (docs/meters.md §7 item 5)
    return {
        "list": [
            {"dateType": date_type, key: kind.used(units), "createDate": name}
            for name, units in periods
        ]
    }


KindHandler = Callable[[ApiRequest, Kind], Awaitable[dict[str, Any]]]

#: operation → (handler, methods, kinds that have it)
_OPERATIONS: dict[str, tuple[KindHandler, tuple[str, ...], tuple[Kind, ...]]] = {
    "list": (_list, QUERY, KINDS),
    "detail": (_detail, QUERY, KINDS),
    "syncState": (_sync_state, COMMAND, KINDS),
    "controlOnOff": (_control_on_off, COMMAND, KINDS),
    "recharge": (_recharge, COMMAND, KINDS),
    "updatePrice": (_update_price, COMMAND, KINDS),
    "updatePayMode": (_update_pay_mode, COMMAND, KINDS),
    "rename": (_rename, COMMAND, KINDS),
    "clear": (_clear, COMMAND, KINDS),
    "updateTotal": (_update_total, COMMAND, (WATER,)),  # no electric counterpart documented
    "listRecords": (_list_records, QUERY, KINDS),
}


def _bind(handler: KindHandler, kind: Kind) -> Callable[[ApiRequest], Awaitable[dict[str, Any]]]:
    async def endpoint(req: ApiRequest) -> dict[str, Any]:
        return await handler(req, kind)

    return endpoint


for _operation, (_handler, _methods, _kinds) in _OPERATIONS.items():
    for _kind in _kinds:
        api(f"{_kind.prefix}/{_operation}", methods=_methods)(_bind(_handler, _kind))


# --- gateway/listDevice ----------------------------------------------------------------------


@api("gateway/listDevice")
async def gateway_list_device(req: ApiRequest) -> dict[str, Any]:
    """Locks and meters the gateway heard in the last 30 minutes (deviceType 0 / 1 / 2)."""
    world = req.world
    gateway = world.gateway(req.integer("gatewayId"))  # -4037 when unknown
    if gateway.owner_uid != req.account.uid:
        raise CloudError(20002, f"you are not the administrator of gateway {gateway.gateway_id}")
    devices: list[dict[str, Any]] = []
    lock_ids = {
        link.lock_id
        for link in world.links.values()
        if link.gateway_id == gateway.gateway_id and link.lock_id in world.locks
    }
    for lock_id in sorted(lock_ids):
        lock = world.locks[lock_id]
        for seen_by, link in world.sightings(lock_id):
            if seen_by.gateway_id == gateway.gateway_id:
                devices.append(
                    {
                        "deviceType": 0,
                        "deviceId": lock.lock_id,
                        "deviceMac": lock.lock_mac,
                        "deviceName": lock.lock_name,
                        "deviceAlias": lock.lock_alias,
                        "rssi": link.rssi,
                        "updateDate": link.updated_ms,
                    }
                )
    for meter in world.meters_heard_by(gateway.gateway_id):
        devices.append(
            {
                "deviceType": _BY_WORLD_KIND[meter.kind].device_type,
                "deviceId": meter.meter_id,
                "deviceMac": meter.mac,
                # a new meter's name is its number, as lock names are Bluetooth names [INFERRED]
                "deviceName": meter.number,
                "deviceAlias": meter.name,
                "rssi": meter.rssi,
                "updateDate": meter.heard_ms,
            }
        )
    return {"list": devices}
