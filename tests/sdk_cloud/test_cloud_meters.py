"""Meters in the SDK: parsing TTLock's answers (strings with units, unknown states) and the
calls against the simulated cloud."""

from __future__ import annotations

import math

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custom_components.ttlock_access.sdk.cloud import TTLockCloud, md5_password
from custom_components.ttlock_access.sdk.cloud import errors as E
from custom_components.ttlock_access.sdk.cloud.meters import as_quantity, parse_meter
from custom_components.ttlock_access.sdk.model import MeterKind
from simulator import World

CLIENT = {"client_id": "sim-client-id", "client_secret": "sim-client-secret"}
USER, PASSWORD = "demo@example.com", "demo-password"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("9.89", 9.89),
        (12, 12.0),
        (0.5, 0.5),
        ("0.00kWh", 0.0),
        ("3.25KWH", 3.25),
        ("1.50t", 1.5),
        ("2.00m3", 2.0),
        ("", None),
        ("n/a", None),
        (None, None),
        (True, None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_quantities_as_ttlock_writes_them(raw: object, value: float | None) -> None:
    """Two-decimal strings, numbers, usage values with their unit; junk is unknown."""
    assert as_quantity(raw) == value


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12)))
def test_quantity_parser_never_raises(raw: object) -> None:
    """Whatever a field holds, the parser answers a finite number or None."""
    value = as_quantity(raw)
    assert value is None or math.isfinite(value)


def test_an_electricity_list_item() -> None:
    """The documented list fields; balance = units left at the unit price (prepaid only)."""
    meter = parse_meter(
        MeterKind.ELECTRIC,
        {
            "electricMeterId": 7001,
            "name": "Flat 1",
            "number": "EM2_005012",
            "online": 1,
            "rssi": -70,
            "onOff": 2,
            "payMode": 1,
            "totalKwh": "123.40",
            "remainderKwh": "20.00",
            "price": "0.25",
        },
    )
    assert (meter.meter_id, meter.name, meter.online, meter.supply_on) == (
        7001,
        "Flat 1",
        True,
        None,
    )
    assert (meter.prepaid, meter.total, meter.remaining, meter.price) == (True, 123.4, 20.0, 0.25)
    assert meter.balance == 5.0
    assert meter.battery is None


def test_a_water_detail_and_a_metering_meter() -> None:
    """Water meters carry a battery; a metering meter has no balance."""
    meter = parse_meter(
        MeterKind.WATER,
        {
            "waterMeterId": "7101",
            "onOff": 0,
            "payMode": 0,
            "totalM3": "87.25",
            "electricQuantity": 88,
            "syncM3Date": 1750748374000,
            "modelNum": "TTWM-15",
        },
    )
    assert meter.meter_id == 7101 and meter.name == "7101"
    assert (meter.supply_on, meter.prepaid, meter.balance, meter.battery) == (
        False,
        False,
        None,
        88,
    )
    assert meter.read_at_ms == 1750748374000 and meter.model_num == "TTWM-15"


def test_a_meter_without_its_id_is_malformed() -> None:
    """A list item without the kind's id field is refused (not guessed)."""
    with pytest.raises(E.TTLockApiError):
        parse_meter(MeterKind.WATER, {"electricMeterId": 1})


async def test_recharge_refuses_nonsense_before_calling(
    world_server: tuple[World, str], session: aiohttp.ClientSession
) -> None:
    """Amounts and units must be positive and finite: nothing reaches the cloud otherwise."""
    _world, base_url = world_server
    client = TTLockCloud(session, base_url=base_url, **CLIENT)
    await client.login(USER, md5_password(PASSWORD))
    before = client.calls
    for amount, units in ((0, 1), (1, -1), (float("nan"), 1), (1, float("inf")), (1e12, 1)):
        with pytest.raises(ValueError, match="above 0"):
            await client.recharge_meter(MeterKind.ELECTRIC, 7001, amount=amount, units=units)
    assert client.calls == before
