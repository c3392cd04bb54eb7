"""Bluetooth failures reach the user as translated errors (the Bluetooth-only Back Door).

Every failure is made by the simulated world, not by patching the integration: the lock out of
range, the proxy out of connection slots, a radio that aborts the connection, the lock
refusing or staying silent, replies under a key HA does not hold, and a link that keeps
dropping. Waiting for a reply uses virtual time (``advance``), never real seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_UNLOCK
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ttlock_access.const import DOMAIN
from simulator.ble import SimulatedLock
from simulator.ble.peripheral import LinkRefusedError
from tests.integration.helpers import BleWorld, Cloud

BACK = 5001103
FRONT = 5001101
CHECK_USER_TIME = 0x55


async def _unlock(hass: HomeAssistant, entity_id: str = "lock.back_door") -> None:
    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


def _abort_connections(lock: SimulatedLock) -> None:
    """The radio aborts every connection attempt (BlueZ's le-connection-abort-by-local)."""

    def _refuse(_link: Any) -> None:
        raise LinkRefusedError(lock.address, "le-connection-abort-by-local")

    lock.accept = _refuse  # type: ignore[method-assign]


def _out_of_range(ble: BleWorld) -> None:
    # stops advertising and refuses connections; HA still has the device in its cache
    ble.locks[BACK].set_in_range(False)


def _no_slots(ble: BleWorld) -> None:
    ble.scanner.slots = 0


def _aborted(ble: BleWorld) -> None:
    _abort_connections(ble.locks[BACK])


def _refused(ble: BleWorld) -> None:
    ble.locks[BACK].faults.fail_next(CHECK_USER_TIME, code=0x0E)  # eKey expired


def _wrong_key(ble: BleWorld) -> None:
    ble.locks[BACK].faults.wrong_key = 1


def _drops(ble: BleWorld) -> None:
    ble.locks[BACK].faults.drop_mid_frame = 10  # every attempt loses the link mid-reply


@pytest.mark.parametrize(
    ("fault", "key", "placeholder"),
    [
        (_out_of_range, "ble_not_found", None),
        (_no_slots, "ble_out_of_slots", None),
        (_aborted, "ble_aborted", None),
        (_refused, "ble_lock_refused", "eKey expired"),
        (_wrong_key, "ble_protocol", None),
        (_drops, "ble_connection", None),
    ],
)
async def test_bluetooth_failures_are_translated(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    fault: Callable[[BleWorld], None],
    key: str,
    placeholder: str | None,
) -> None:
    """Each kind of Bluetooth failure has its own message; the lock state is unchanged."""
    fault(ble)
    with pytest.raises(HomeAssistantError) as err:
        await _unlock(hass)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert err.value.translation_placeholders["name"] == "Back Door"
    if placeholder is not None:
        assert placeholder in err.value.translation_placeholders["reason"]
    assert ble.locks[BACK].locked
    assert hass.states.get("lock.back_door").state == "locked"


async def test_silent_lock_times_out(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A lock that never answers gives the timeout message after the reply deadline."""
    lock = ble.locks[BACK]
    lock.faults.swallow = 1
    task = asyncio.create_task(_unlock(hass))
    # The request goes out, then the 6 s reply deadline passes in virtual time. Not
    # helpers.advance: waiting for Home Assistant's tasks would wait for this very call.
    for _ in range(5):
        for _turn in range(100):
            await asyncio.sleep(0)
        if task.done():
            break
        freezer.tick(timedelta(seconds=7))
        async_fire_time_changed(hass)
    assert not lock.faults.swallow  # the lock got the request and ignored it
    with pytest.raises(HomeAssistantError) as err:
        await task
    assert err.value.translation_key == "ble_timeout"
    assert lock.locked


async def test_failed_bluetooth_falls_back_to_the_gateway(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Front Door is in range and behind a gateway: a refusal over Bluetooth is not the end."""
    ble.locks[FRONT].faults.fail_next(CHECK_USER_TIME, code=0x13)
    await _unlock(hass, "lock.front_door")
    assert cloud.world.lock(FRONT).state == 1
    path = hass.states.get("sensor.front_door_connection_path")
    assert path.attributes["last_command_path"] == "gateway"
    assert cloud.world.records[FRONT][-1].record_type in (11, 12)  # through the gateway
