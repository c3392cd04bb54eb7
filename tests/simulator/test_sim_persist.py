"""A saved world loads identically (simulator.persist): locks and their key material,
passcodes, cards, eKeys, the lock-side memory, tokens, records and the clock; the loaded
world serves the same answers to the same tokens; foreign or broken files are refused."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sim_helpers import FRONT_DOOR, GARAGE, CloudClient

from simulator import CloudServer, World
from simulator.ble import SimulatedLock, VirtualAir
from simulator.ble.world_link import lock_from_world
from simulator.lockside import lock_memory
from simulator.persist import (
    WorldFileError,
    dump_world,
    load_world,
    local_lock_state,
    read_world_file,
    restore_local_lock,
    write_world_file,
)

# 2026-03-02 09:00 UTC
T0 = 1_772_442_000_000
HOUR = 3_600_000
DAY = 24 * HOUR
SECOND_USER = "second@example.com"


def ok(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errcode", 0) == 0, body
    return body


async def _lived_in(cloud: CloudClient, world: World) -> dict[str, int]:
    """Change the world the way a demo session does: codes, a card, an eKey, an unlock."""
    world.clock.freeze(T0)
    await cloud.login()
    passcode = ok(
        await cloud.call(
            "keyboardPwd/add",
            method="POST",
            lockId=FRONT_DOOR,
            keyboardPwd="482913",
            keyboardPwdName="Cleaner",
            keyboardPwdType=3,
            startDate=T0,
            endDate=T0 + 7 * DAY,
            addType=2,
        )
    )["keyboardPwdId"]
    card = ok(
        await cloud.call(
            "identityCard/addForReversedCardNumber",
            method="POST",
            lockId=FRONT_DOOR,
            cardNumber="3661413478",
            cardName="Guest card",
            startDate=0,
            endDate=0,
            addType=2,
        )
    )["cardId"]
    key = ok(
        await cloud.call(
            "key/send",
            method="POST",
            lockId=FRONT_DOOR,
            receiverUsername=SECOND_USER,
            keyName="Key for Second",
            startDate=T0,
            endDate=T0 + 30 * DAY,
        )
    )["keyId"]
    ok(await cloud.call("lock/unlock", method="POST", lockId=GARAGE))
    assert world.enter_code(FRONT_DOOR, "482913").success
    world.clock.advance(HOUR / 1000)
    return {"passcode": passcode, "card": card, "key": key}


def _strip_twin(world: World, lock_id: int) -> dict[str, Any]:
    memory = lock_memory(world.locks[lock_id])
    return {k: v for k, v in vars(memory).items() if k != "twin"}


async def test_saved_world_loads_identically(
    cloud: CloudClient, world: World, server: CloudServer, tmp_path: Path
) -> None:
    """Everything the cloud and the locks hold survives save → load, and the loaded world
    answers the old access token with the same passcodes, cards and keys."""
    air = VirtualAir()
    twin = air.add(lock_from_world(world, FRONT_DOOR))  # memory shared with a Bluetooth twin
    ids = await _lived_in(cloud, world)
    assert lock_memory(world.locks[FRONT_DOOR]).twin is twin.world_link

    path = tmp_path / "world.pickle"
    write_world_file(path, dump_world(world, label="home"))
    assert not path.with_name("world.pickle.partial").exists()
    data = read_world_file(path)
    assert data is not None
    loaded, extras = load_world(data, label="home")
    assert extras == {}

    # the same locks (key material, settings, state, cloud credential lists), memory, time
    assert loaded is not world
    assert loaded.locks == world.locks
    assert loaded.locks[FRONT_DOOR].keys == world.locks[FRONT_DOOR].keys
    assert loaded.locks[FRONT_DOOR].lock_data == world.locks[FRONT_DOOR].lock_data
    assert ids["passcode"] in loaded.locks[FRONT_DOOR].passcodes
    assert ids["card"] in loaded.locks[FRONT_DOOR].cards
    assert ids["key"] in loaded.locks[FRONT_DOOR].ekeys
    assert _strip_twin(loaded, FRONT_DOOR) == _strip_twin(world, FRONT_DOOR)
    assert lock_memory(loaded.locks[FRONT_DOOR]).twin is None  # not the old run's twin
    assert loaded.locks[GARAGE].state == 1
    assert loaded.records == world.records
    assert loaded.gateways == world.gateways and loaded.links == world.links
    assert loaded.electric_meters == world.electric_meters
    assert loaded.water_meters == world.water_meters
    assert loaded.accounts == world.accounts and loaded.apps == world.apps
    assert loaded.tokens == world.tokens
    assert loaded.clock.frozen and loaded.clock.now_ms() == world.clock.now_ms() == T0 + HOUR
    assert loaded.seed == world.seed
    # numbering carries on instead of handing out an id twice
    assert loaded.next_id("passcode", 1) == world.next_id("passcode", 1)

    # served again: the token HA keeps still works and sees the same things
    async with CloudServer(loaded) as again, aiohttp.ClientSession() as session:
        assert again.base_url is not None
        client = CloudClient(session, again.base_url, loaded)
        client.token = cloud.token
        listed = ok(
            await client.call("lock/listKeyboardPwd", lockId=FRONT_DOOR, pageNo=1, pageSize=100)
        )
        assert [p["keyboardPwdId"] for p in listed["list"]] == [ids["passcode"]]
        keys = ok(await client.call("lock/listKey", lockId=FRONT_DOOR, pageNo=1, pageSize=20))
        assert [k["keyId"] for k in keys["list"]] == [ids["key"]]
    # the code opens the loaded lock, and a new Bluetooth twin shares the loaded memory
    again_twin = VirtualAir().add(lock_from_world(loaded, FRONT_DOOR))
    result = loaded.enter_code(FRONT_DOOR, "482913")
    assert result.success and result.name == "Cleaner"
    assert lock_memory(loaded.locks[FRONT_DOOR]).twin is again_twin.world_link
    # the saved world did not move with the loaded one
    assert world.records[FRONT_DOOR][-1] != loaded.records[FRONT_DOOR][-1]


def test_running_clock_keeps_its_offset(world: World) -> None:
    """A running clock is saved as its offset from real time (a skewed or advanced world
    stays so), and the loaded world still sends due notices when its clock jumps."""
    world.clock.set_skew(2 * 3600)
    loaded, _ = load_world(dump_world(world, label="home"), label="home")
    assert not loaded.clock.frozen
    assert loaded.clock.offset_ms == world.clock.offset_ms == 2 * HOUR
    assert abs(loaded.clock.now_ms() - world.clock.now_ms()) < 5_000
    sent: list[int] = []
    loaded.on_notice(lambda notify_type, _uid, _fields: sent.append(notify_type))
    gateway_id = next(iter(loaded.gateways))
    loaded.set_gateway_online(gateway_id, False)
    loaded.clock.advance(31 * 60)  # the offline notice falls due and goes out on the jump
    assert sent == [2]


def test_door_sensors_and_refusals_not_yet_due_are_kept(world: World) -> None:
    """A standalone door sensor left open (its alarm armed) and a Wi-Fi lock's refusal the
    cloud has not heard of yet are saved; both go out when the loaded world's clock gets
    there. A world saved before either existed loads with none."""
    world.clock.freeze(T0)
    world.set_door_sensor(9001, True)
    garage = world.lock(GARAGE)
    world.refuse_later(
        garage,
        uid=garage.admin_uid,
        object_type=2,
        object_id=4242,
        errcode=-3009,
        collection="passcodes",
        before=None,
    )
    loaded, _ = load_world(dump_world(world, label="home"), label="home")
    assert loaded.door_sensors == world.door_sensors
    assert loaded.pending_refusals() == world.pending_refusals()
    sent: list[tuple[int, str]] = []

    def heard(kind: int, _uid: int, fields: dict[str, Any]) -> None:
        sent.append((kind, str(fields.get("errcode", fields.get("recordType")))))

    loaded.on_notice(heard)
    loaded.clock.advance(120)
    assert sent == [(4, "-3009"), (7, "2")]

    del world.__dict__["door_sensors"], world.__dict__["_refusals"]  # an older world
    older, _ = load_world(dump_world(world, label="home"), label="home")
    assert (older.door_sensors, older.pending_refusals()) == ({}, [])


def test_local_lock_keeps_its_keys_and_tables() -> None:
    """A Bluetooth-only lock (paired locally, no world lock) is carried in the extras."""
    paired = SimulatedLock.factory_fresh("C4:7E:51:00:5E:01", seed="fresh")
    paired.aes_key, paired.admin_ps, paired.unlock_key = bytes(range(16)), 1234567, 7654321
    paired.setting_mode = False
    paired.auto_lock_seconds = 30
    world = World()
    data = dump_world(
        world, label="x", extras={"local_locks": {paired.address: local_lock_state(paired)}}
    )
    _loaded, extras = load_world(data, label="x")
    fresh = SimulatedLock.factory_fresh("C4:7E:51:00:5E:01", seed="fresh")
    assert fresh.setting_mode
    restore_local_lock(fresh, extras["local_locks"][paired.address])
    assert (fresh.aes_key, fresh.admin_ps, fresh.unlock_key) == (
        bytes(range(16)),
        1234567,
        7654321,
    )
    assert not fresh.setting_mode and fresh.auto_lock_seconds == 30
    assert local_lock_state(fresh) == local_lock_state(paired)


class _Boom:
    def __reduce__(self) -> tuple[Any, ...]:
        return (print, ("a saved world must not run code",))


@pytest.mark.parametrize(
    "data",
    [
        b"not a pickle",
        pickle.dumps({"format": 1, "label": "home", "world": _Boom()}),
        pickle.dumps({"format": 99, "label": "home", "world": None}),
        pickle.dumps({"format": 1, "label": "home", "world": "no world"}),
    ],
)
def test_foreign_or_broken_files_are_refused(
    data: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """Garbage, another format, or a file that would call anything but the simulator's own
    classes: refused, nothing run."""
    with pytest.raises(WorldFileError):
        load_world(data, label="home")
    assert "must not run code" not in capsys.readouterr().out


def test_world_of_another_scenario_is_refused(world: World, tmp_path: Path) -> None:
    data = dump_world(world, label="home")
    with pytest.raises(WorldFileError, match="scale"):
        load_world(data, label="scale")
    assert read_world_file(tmp_path / "missing.pickle") is None
