"""The world's lift controller and power saver over simulated Bluetooth: the lift's card floors
and work mode (``0x64`` types 5 / 6) and its floor activations are the world lift's state, and
a power saver's supply follows a Bluetooth unlock / lock (docs/ble.md §9.3, docs/cloud.md
§2.8)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sim_ble_helpers import open_link

from custom_components.ttlock_access.sdk.ble import (
    ActivateLiftFloors,
    GetHotelData,
    HotelDataType,
    Lock,
    LockError,
    LockKeys,
    SetHotelData,
    Unlock,
    parse_lock_data,
)
from custom_components.ttlock_access.sdk.ble.commands import (
    hotel_value_lift_floors,
    hotel_value_lift_work_mode,
)
from simulator import World, load_scenario
from simulator.ble import SimulatedLock, VirtualAir
from simulator.ble.world_link import lock_from_world
from simulator.entities import LiftActivation

LIFT = 5003301
POWER_SAVER = 5003401
FROZEN_MS = 1_795_000_000_000  # 2026-11-18 11:06:40 UTC
LOCK_NOW = datetime(2026, 11, 18, 12, 6, 40)
"""The lock's wall time then (world clock + timezoneRawOffset of 1 h, ``docs/ble.md`` §5.0)."""
FLOORS = HotelDataType.LIFT_CONTROLLABLE_FLOORS
WORK_MODE = HotelDataType.LIFT_WORK_MODE


@pytest.fixture
def world() -> World:
    world = load_scenario("home")
    world.clock.freeze(FROZEN_MS)
    return world


@pytest.fixture
def lift(world: World, air: VirtualAir) -> SimulatedLock:
    return air.add(lock_from_world(world, LIFT))


def cloud_keys(world: World, lock_id: int) -> LockKeys:
    """Key material as the integration gets it: the cloud's lockData."""
    return dataclasses.replace(parse_lock_data(world.locks[lock_id].lock_data), uid=8123456)


async def test_the_lift_reports_the_worlds_floors_and_work_mode(
    world: World, air: VirtualAir, lift: SimulatedLock
) -> None:
    """A lift never changed: every floor needs a card, work mode "card required"; the eight
    flag bytes that follow the mode read 0 ("controlled")."""
    keys = cloud_keys(world, LIFT)
    link = await open_link(air, lift)
    assert await link.run(GetHotelData(keys, FLOORS)) == (5, bytes(range(1, 11)))
    assert await link.run(GetHotelData(keys, WORK_MODE)) == (6, b"\x02" + bytes(8))
    await link.client.disconnect()


async def test_bluetooth_settings_are_the_world_lifts(
    world: World, air: VirtualAir, lift: SimulatedLock
) -> None:
    """Set over Bluetooth, read back by the lock, and held by the world lift."""
    keys = cloud_keys(world, LIFT)
    source = world.locks[LIFT]
    link = await open_link(air, lift)
    free_three = [1, 2, *range(4, 11)]
    await link.run(SetHotelData(keys, FLOORS, hotel_value_lift_floors(free_three)))
    await link.run(SetHotelData(keys, WORK_MODE, hotel_value_lift_work_mode(1)))
    assert source.lift_card_floors == free_three
    assert source.card_floors == free_three
    assert source.lift_floors == list(range(1, 11))  # the floors it serves do not change
    assert source.lift_work_mode == 1
    assert await link.run(GetHotelData(keys, FLOORS)) == (5, bytes(free_three))
    assert (await link.run(GetHotelData(keys, WORK_MODE)))[1][0] == 1
    await link.client.disconnect()


async def test_an_unknown_work_mode_is_refused(
    world: World, air: VirtualAir, lift: SimulatedLock
) -> None:
    """Only 1 (all floors) and 2 (specific floors) exist: anything else changes nothing."""
    keys = cloud_keys(world, LIFT)
    link = await open_link(air, lift)
    with pytest.raises(LockError):
        await link.run(SetHotelData(keys, WORK_MODE, b"\x03" + bytes(8)))
    assert world.locks[LIFT].lift_work_mode == 2
    await link.client.disconnect()


async def test_floor_activations_land_in_the_world_with_their_time(
    world: World, air: VirtualAir, lift: SimulatedLock
) -> None:
    """Each activation is kept with the lift's clock; a floor that needs no card (a free
    floor) is not one the lift activates."""
    keys = cloud_keys(world, LIFT)
    link = await open_link(air, lift)
    await link.run(ActivateLiftFloors(keys, [4, 9], LOCK_NOW))
    assert world.locks[LIFT].lift_activations == [LiftActivation((4, 9), FROZEN_MS)]
    await link.run(SetHotelData(keys, FLOORS, hotel_value_lift_floors([4, 9])))
    with pytest.raises(LockError):
        await link.run(ActivateLiftFloors(keys, [3], LOCK_NOW))
    world.clock.freeze(FROZEN_MS + 60_000)
    await link.run(ActivateLiftFloors(keys, [9], LOCK_NOW + timedelta(minutes=1)))
    assert world.locks[LIFT].lift_activations == [
        LiftActivation((4, 9), FROZEN_MS),
        LiftActivation((9,), FROZEN_MS + 60_000),
    ]
    await link.client.disconnect()


async def test_a_lift_built_from_a_changed_world(world: World, air: VirtualAir) -> None:
    """The lock starts from the world lift's card floors and work mode; a change the world
    makes later reaches a built lock too."""
    source = world.locks[LIFT]
    source.lift_card_floors = [2, 5]
    source.lift_work_mode = 1
    lift = air.add(lock_from_world(world, LIFT))
    assert (lift.lift_floors, lift.lift_work_mode) == ({2, 5}, 1)
    source.lift_card_floors, source.lift_work_mode = None, 2
    assert lift.world_link is not None
    lift.world_link.settings_changed()
    assert (lift.lift_floors, lift.lift_work_mode) == (set(range(1, 11)), 2)


async def test_a_power_saver_switches_over_bluetooth(world: World, air: VirtualAir) -> None:
    """Unlock switches the supply on, lock off: the world power saver follows."""
    saver = air.add(lock_from_world(world, POWER_SAVER))
    keys = cloud_keys(world, POWER_SAVER)
    assert keys.header.scene == 13
    link = await open_link(air, saver)
    now = datetime.fromtimestamp(FROZEN_MS / 1000, UTC).replace(tzinfo=None)
    await link.run(Unlock(keys, now))
    assert world.locks[POWER_SAVER].power_on
    await link.run(Lock(keys, now))
    assert not world.locks[POWER_SAVER].power_on
    await link.client.disconnect()
