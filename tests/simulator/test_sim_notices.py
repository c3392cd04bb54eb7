"""Callbacks pushed by the simulated cloud when the world changes (``docs/cloud.md`` §2.9):
notifyType 2 (gateway) and 3 (Wi-Fi lock) online at once, offline only after the documented
delay on the world clock, nothing when the device is back before then, and only to the apps
the device's admin has authorised; 4 when a Wi-Fi lock refuses a change the cloud accepted
(the cloud's list then undone); 7 from a standalone DS3 door sensor (open, closed, its two
alarms). Door-sensor changes of a lock are records (1)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from sim_helpers import (
    BACK_DOOR,
    CLIENT_ID,
    DEMO_USER,
    FRONT_DOOR,
    GARAGE,
    HALLWAY_GATEWAY,
    OFFICE_GATEWAY,
    CloudClient,
)

from simulator import CloudServer, World
from simulator import webhook as webhook_module
from simulator import world as world_module
from simulator.credentials import CUSTOM_PASSCODE_LIMIT
from simulator.lockside import LOCK_PERMANENT, HeldPasscode, lock_memory
from simulator.webhook import pusher_for
from simulator.world import (
    GATEWAY_OFFLINE_NOTICE_DELAY_MS,
    LOCK_REFUSAL_DELAY_MS,
    NOTIFY_GATEWAY,
    WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS,
)

CN_CLIENT_ID = "sim-cn-client-id"
GATEWAY_DELAY_S = GATEWAY_OFFLINE_NOTICE_DELAY_MS / 1000
WIFI_DELAY_S = WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS / 1000
REFUSAL_DELAY_S = LOCK_REFUSAL_DELAY_MS / 1000
PATIO = 9001  # the home scenario's standalone DS3 door sensor


@dataclass
class Receiver:
    """An HTTP endpoint standing in for a developer application's callback URL."""

    base_url: str
    forms: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"

    def at(self, name: str) -> list[dict[str, str]]:
        return self.forms.get(name, [])


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver("")

    async def handle(request: web.Request) -> web.Response:
        assert request.content_type == "application/x-www-form-urlencoded"
        form = {key: str(value) for key, value in (await request.post()).items()}
        receiver.forms.setdefault(request.match_info["name"], []).append(form)
        receiver.arrived.set()
        return web.Response(text="success")

    app = web.Application()
    app.router.add_post("/{name}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    receiver.base_url = f"http://{host}:{port}"
    try:
        yield receiver
    finally:
        await runner.cleanup()


@pytest.fixture
async def hooked(demo: CloudClient, world: World, receiver: Receiver) -> Receiver:
    """The demo account authorised the app (logged in); its callback URL is ``/app``; the
    clock stands still."""
    world.clock.freeze()
    world.apps[CLIENT_ID].callback_url = receiver.url("app")
    return receiver


async def _settle(world: World) -> None:
    await pusher_for(world).drain()


def _only(forms: list[dict[str, str]]) -> dict[str, str]:
    assert len(forms) == 1, forms
    return forms[0]


async def test_gateway_offline_is_pushed_30_minutes_late(
    server: CloudServer, world: World, hooked: Receiver
) -> None:
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    await _settle(world)
    assert hooked.at("app") == []  # TTLock has not noticed yet
    assert world.pending_notices() == {
        (NOTIFY_GATEWAY, HALLWAY_GATEWAY): world.now_ms() + GATEWAY_OFFLINE_NOTICE_DELAY_MS
    }
    world.clock.advance(GATEWAY_DELAY_S - 60)
    await _settle(world)
    assert hooked.at("app") == []
    world.clock.advance(61)
    await _settle(world)
    assert _only(hooked.at("app")) == {
        "notifyType": "2",
        "gatewayId": str(HALLWAY_GATEWAY),
        "gatewayName": "Hallway Gateway",
        "gatewayMac": "54:8E:29:A1:07:C4",
        "gatewayVersion": "2",
        "networkName": "HomeNet",
        "isOnline": "0",
    }
    assert world.pending_notices() == {}
    assert all(callback.ok for callback in pusher_for(world).sent)

    world.set_gateway_online(HALLWAY_GATEWAY, True)  # online: at once
    await _settle(world)
    assert [form["isOnline"] for form in hooked.at("app")] == ["0", "1"]
    world.set_gateway_online(HALLWAY_GATEWAY, True)  # no change, no notice
    await _settle(world)
    assert len(hooked.at("app")) == 2


async def test_back_online_before_the_delay_sends_nothing(
    server: CloudServer, world: World, hooked: Receiver
) -> None:
    """The heartbeats never timed out: the cloud saw no outage, so no notice either way."""
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    world.clock.advance(GATEWAY_DELAY_S - 1)
    world.set_gateway_online(HALLWAY_GATEWAY, True)
    world.set_wifi_online(GARAGE, False)
    world.clock.advance(WIFI_DELAY_S - 1)
    world.set_wifi_online(GARAGE, True)
    assert world.pending_notices() == {}
    world.clock.advance(2 * GATEWAY_DELAY_S)
    await _settle(world)
    assert hooked.at("app") == []


async def test_wifi_lock_offline_is_pushed_15_minutes_late(
    server: CloudServer, world: World, demo: CloudClient, hooked: Receiver
) -> None:
    world.set_wifi_online(GARAGE, False)
    assert (await demo.call("lock/unlock", method="POST", lockId=GARAGE))["errcode"] == -3036
    world.clock.advance(WIFI_DELAY_S - 1)
    await _settle(world)
    assert hooked.at("app") == []
    world.clock.advance(1)
    await _settle(world)
    garage = world.lock(GARAGE)
    assert _only(hooked.at("app")) == {
        "notifyType": "3",
        "lockId": str(GARAGE),
        "lockAlias": "Garage",
        "lockMac": garage.lock_mac,
        "networkName": "HomeNet",
        "admin": DEMO_USER,
        "isOnline": "0",
    }
    world.set_wifi_online(GARAGE, True)
    await _settle(world)
    assert hooked.at("app")[-1]["isOnline"] == "1"
    assert (await demo.call("lock/unlock", method="POST", lockId=GARAGE))["errcode"] == 0


async def test_only_wifi_locks_announce_their_network(
    server: CloudServer, world: World, hooked: Receiver
) -> None:
    """``wifi_online`` of a lock without the Wi-Fi feature is no connection TTLock watches."""
    world.set_wifi_online(BACK_DOOR, False)
    world.clock.advance(2 * WIFI_DELAY_S)
    await _settle(world)
    assert world.pending_notices() == {}
    assert hooked.at("app") == []


async def test_notices_go_only_to_apps_the_admin_authorised(
    server: CloudServer, world: World, cloud: CloudClient, hooked: Receiver
) -> None:
    """The Office Gateway's owner has not authorised the app, the demo account never used the
    China app: nothing goes there. Once the owner logs in, its gateway's notices arrive."""
    world.apps[CN_CLIENT_ID].callback_url = hooked.url("cn")
    world.set_gateway_online(OFFICE_GATEWAY, False)
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    world.clock.advance(GATEWAY_DELAY_S)
    await _settle(world)
    assert _only(hooked.at("app"))["gatewayId"] == str(HALLWAY_GATEWAY)
    assert hooked.at("cn") == []

    await cloud.login("second@example.com", "second-password")
    world.set_gateway_online(OFFICE_GATEWAY, True)
    await _settle(world)
    office = hooked.at("app")[-1]
    assert (office["gatewayId"], office["gatewayName"], office["isOnline"]) == (
        str(OFFICE_GATEWAY),
        "Office Gateway",
        "1",
    )
    assert hooked.at("cn") == []


async def test_removed_gateway_sends_no_late_notice(
    server: CloudServer, world: World, hooked: Receiver
) -> None:
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    world.remove_gateway(HALLWAY_GATEWAY)
    world.clock.advance(GATEWAY_DELAY_S)
    await _settle(world)
    assert world.pending_notices() == {}
    assert hooked.at("app") == []


async def test_sim_controls_drive_the_notices(
    server: CloudServer, world: World, demo: CloudClient, hooked: Receiver
) -> None:
    """``/sim/gateway/online`` and ``/sim/clock``: the same notices over HTTP; the pending one
    shows in ``/sim/callbacks``."""
    status, _ = await demo.sim("gateway/online", {"gatewayId": HALLWAY_GATEWAY, "online": False})
    assert status == 200
    status, summary = await demo.sim("callbacks")
    assert (status, summary["pendingNotices"]) == (200, 1)
    await demo.sim("clock", {"advanceSeconds": GATEWAY_DELAY_S})
    await _settle(world)
    assert _only(hooked.at("app"))["isOnline"] == "0"
    status, summary = await demo.sim("callbacks")
    assert (summary["pendingNotices"], summary["sent"], summary["failed"]) == (0, 1, 0)


async def test_a_running_clock_sends_due_notices_by_itself(
    server: CloudServer,
    world: World,
    demo: CloudClient,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No clock jump, no drain: the pusher's periodic tick sends what fell due (delays
    shortened so the real clock gets there)."""
    monkeypatch.setattr(webhook_module, "NOTICE_TICK_S", 0.02)
    monkeypatch.setattr(world_module, "WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS", 50)
    world.clock.unfreeze()
    world.apps[CLIENT_ID].callback_url = receiver.url("app")
    world.set_wifi_online(GARAGE, False)
    await asyncio.wait_for(receiver.arrived.wait(), timeout=5)
    assert _only(receiver.at("app"))["isOnline"] == "0"


async def test_door_sensor_changes_are_pushed_as_records(
    server: CloudServer, world: World, hooked: Receiver
) -> None:
    """A lock's own door sensor writes records 31 (open) / 30 (closed): notifyType 1, never
    7 (that is the standalone DS3's)."""
    world.set_door(FRONT_DOOR, True)
    world.set_door(FRONT_DOOR, False)
    await _settle(world)
    forms = hooked.at("app")
    assert [form["notifyType"] for form in forms] == ["1", "1"]
    assert [json.loads(form["records"])[0]["recordType"] for form in forms] == [31, 30]
    assert {form["lockId"] for form in forms} == {str(FRONT_DOOR)}


# --- notifyType 4: a Wi-Fi lock refuses a change the cloud accepted ------------------------


async def _add_passcode(client: CloudClient, lock_id: int, code: str, name: str) -> dict[str, Any]:
    return await client.call(
        "keyboardPwd/add",
        method="POST",
        lockId=lock_id,
        keyboardPwd=code,
        keyboardPwdName=name,
        keyboardPwdType=2,
        addType=2,
    )


def _refusals(receiver: Receiver) -> list[dict[str, str]]:
    """The notifyType 4 callbacks the app got (keypad and card attempts push records too)."""
    return [form for form in receiver.at("app") if form["notifyType"] == "4"]


async def _listed_passcodes(client: CloudClient, lock_id: int) -> list[int]:
    body = await client.call("lock/listKeyboardPwd", lockId=lock_id, pageNo=1, pageSize=100)
    return [item["keyboardPwdId"] for item in body["list"]]


async def test_wifi_lock_refuses_a_passcode_later(
    server: CloudServer, world: World, demo: CloudClient, hooked: Receiver
) -> None:
    """A lock-side fault on a Wi-Fi lock: the call succeeds and the cloud lists the code
    until the lock's refusal arrives; then the code is no longer listed, never opened the
    lock, and notifyType 4 names it with the lock's errcode."""
    world.faults.fail_next("keyboardPwd/add", errcode=-3009, lock_side=True)
    body = await _add_passcode(demo, GARAGE, "735190", "Courier")
    passcode_id = body["keyboardPwdId"]
    assert passcode_id in await _listed_passcodes(demo, GARAGE)
    assert not world.enter_code(GARAGE, "735190").success  # the lock never took it
    await _settle(world)
    assert _refusals(hooked) == []  # the lock's answer is still on its way
    assert [r.object_id for r in world.pending_refusals()] == [passcode_id]
    status, summary = await demo.sim("callbacks")
    assert (status, summary["pendingRefusals"]) == (200, 1)

    world.clock.advance(REFUSAL_DELAY_S)
    await _settle(world)
    garage = world.lock(GARAGE)
    assert _only(_refusals(hooked)) == {
        "notifyType": "4",
        "lockId": str(GARAGE),
        "lockMac": garage.lock_mac,
        "uid": str(world.account_by_username(DEMO_USER).uid),  # type: ignore[union-attr]
        "objectType": "2",
        "objectId": str(passcode_id),
        "errcode": "-3009",
    }
    assert passcode_id not in await _listed_passcodes(demo, GARAGE)
    assert world.pending_refusals() == []
    # the next add is taken (the fault was for one call)
    again = await _add_passcode(demo, GARAGE, "735190", "Courier")
    assert again["keyboardPwdId"] in await _listed_passcodes(demo, GARAGE)
    assert world.enter_code(GARAGE, "735190").success


async def test_a_full_passcode_memory_refuses(
    server: CloudServer, world: World, demo: CloudClient, hooked: Receiver
) -> None:
    """Each lock holds 250 codes that the cloud never recorded (added over Bluetooth): the
    gateway lock's answer comes back as the call's -3009, the Wi-Fi lock's as notifyType 4."""
    now = world.now_ms()
    for lock_id in (FRONT_DOOR, GARAGE):
        held = lock_memory(world.lock(lock_id))
        for index in range(CUSTOM_PASSCODE_LIMIT):
            held.hold_passcode(HeldPasscode(f"{900000 + index}", LOCK_PERMANENT, now))
    front = await _add_passcode(demo, FRONT_DOOR, "482057", "Guest")
    assert front["errcode"] == -3009
    assert await _listed_passcodes(demo, FRONT_DOOR) == []
    garage = await _add_passcode(demo, GARAGE, "482057", "Guest")
    assert "keyboardPwdId" in garage
    world.clock.advance(REFUSAL_DELAY_S)
    await _settle(world)
    form = _only(hooked.at("app"))
    assert (form["notifyType"], form["objectId"], form["errcode"]) == (
        "4",
        str(garage["keyboardPwdId"]),
        "-3009",
    )
    assert await _listed_passcodes(demo, GARAGE) == []


async def test_a_refused_card_deletion_is_listed_again(
    server: CloudServer, world: World, demo: CloudClient, hooked: Receiver
) -> None:
    """A deletion the Wi-Fi lock refuses: the card stays in the lock (it still opens), the
    cloud lists it again once it hears of the refusal (objectType 3). A gateway lock's
    refusal fails the call at once and leaves everything as it was."""
    added = await demo.call(
        "identityCard/add", method="POST", lockId=GARAGE, cardNumber="3661413478", addType=2
    )
    card_id = added["cardId"]
    world.faults.fail_next("identityCard/delete", errcode=-1, lock_side=True)
    body = await demo.call(
        "identityCard/delete", method="POST", lockId=GARAGE, cardId=card_id, deleteType=2
    )
    assert body["errcode"] == 0
    listing = await demo.call("identityCard/list", lockId=GARAGE, pageNo=1, pageSize=20)
    assert listing["list"] == []  # the cloud took the deletion …
    assert world.present_card(GARAGE, "3661413478").success  # … the lock did not
    world.clock.advance(REFUSAL_DELAY_S)
    await _settle(world)
    form = _only(_refusals(hooked))
    assert (form["objectType"], form["objectId"], form["errcode"]) == ("3", str(card_id), "-1")
    listing = await demo.call("identityCard/list", lockId=GARAGE, pageNo=1, pageSize=20)
    assert [item["cardId"] for item in listing["list"]] == [card_id]

    world.faults.fail_next("keyboardPwd/add", errcode=-3007, lock_side=True)
    front = await _add_passcode(demo, FRONT_DOOR, "661204", "Front")
    assert front["errcode"] == -3007
    assert await _listed_passcodes(demo, FRONT_DOOR) == []
    world.clock.advance(REFUSAL_DELAY_S)
    await _settle(world)
    assert len(_refusals(hooked)) == 1
    assert world.faults.pending() == {}


async def test_lock_side_faults_wait_for_a_call_that_reaches_the_lock(
    server: CloudServer, world: World, demo: CloudClient, hooked: Receiver
) -> None:
    """A record-only call never reaches the lock: the planned refusal stays for the next
    call that does; cloud faults of the same endpoint keep their own turn."""
    world.faults.fail_next("keyboardPwd/add", errcode=-3009, lock_side=True)
    world.faults.fail_next("keyboardPwd/add", errcode=-3003)
    busy = await _add_passcode(demo, GARAGE, "500600", "A")
    assert busy["errcode"] == -3003
    recorded = await demo.call(
        "keyboardPwd/add",
        method="POST",
        lockId=GARAGE,
        keyboardPwd="500601",
        keyboardPwdName="B",
        keyboardPwdType=2,
        addType=1,
    )
    assert "keyboardPwdId" in recorded
    assert [f["lockSide"] for f in world.faults.pending()["keyboardPwd/add"]] == [True]
    refused = await _add_passcode(demo, GARAGE, "500602", "C")
    assert world.faults.pending() == {}
    assert [r.object_id for r in world.pending_refusals()] == [refused["keyboardPwdId"]]
    with pytest.raises(ValueError, match="never lost"):
        world.faults.fail_next("lock/unlock", lock_side=True, after=True)


async def test_refusals_over_the_sim_controls(
    server: CloudServer, world: World, demo: CloudClient, hooked: Receiver
) -> None:
    """``POST /sim/faults`` with ``lockSide``: the same refusal over HTTP."""
    status, body = await demo.sim(
        "faults", {"endpoint": "keyboardPwd/add", "errcode": -3009, "lockSide": True}
    )
    assert status == 200
    assert body["faults"]["keyboardPwd/add"][0]["lockSide"] is True
    added = await _add_passcode(demo, GARAGE, "318274", "D")
    await demo.sim("clock", {"advanceSeconds": REFUSAL_DELAY_S})
    await _settle(world)
    assert _only(hooked.at("app"))["objectId"] == str(added["keyboardPwdId"])


# --- notifyType 7: standalone DS3 door sensors ------------------------------------------------


async def test_standalone_door_sensor_open_close_and_left_open(
    server: CloudServer, world: World, demo: CloudClient, hooked: Receiver
) -> None:
    """The scenario's DS3 reports every open and close at once (recordType 1 / 0) and, left
    open longer than its 120 s, the door-not-closed alarm (2) once. No lock is named."""
    sensor = world.door_sensor(PATIO)
    status, state = await demo.sim("door_sensor/state", {"doorSensorId": PATIO, "open": True})
    assert (status, state["open"]) == (200, True)
    await _settle(world)
    assert _only(hooked.at("app")) == {
        "notifyType": "7",
        "doorSensorId": str(PATIO),
        "mac": sensor.mac,
        "name": "Patio Door",
        "recordType": "1",
    }
    world.set_door_sensor(PATIO, True)  # already open: nothing
    world.clock.advance(119)
    await _settle(world)
    assert len(hooked.at("app")) == 1
    world.clock.advance(1)
    await _settle(world)
    world.clock.advance(3600)  # once per opening
    await _settle(world)
    world.set_door_sensor(PATIO, False)
    await _settle(world)
    assert [form["recordType"] for form in hooked.at("app")] == ["1", "2", "0"]

    world.set_door_sensor(PATIO, True)  # closed again within the time: no alarm
    world.clock.advance(60)
    world.set_door_sensor(PATIO, False)
    world.clock.advance(3600)
    await _settle(world)
    assert [form["recordType"] for form in hooked.at("app")][3:] == ["1", "0"]


async def test_door_sensor_alert_settings_and_not_opened_alarm(
    server: CloudServer, world: World, demo: CloudClient, hooked: Receiver
) -> None:
    """Alert settings apply from the next open or close: the not-opened alarm (3) comes
    ``longTimeNotOpenDayNum`` days after the door last closed; out-of-range settings are
    refused."""
    status, body = await demo.sim(
        "door_sensor/alerts",
        {"doorSensorId": PATIO, "notCloseAlertSecondNum": None, "longTimeNotOpenDayNum": 2},
    )
    assert (status, body["longTimeNotOpenDayNum"], body["alarmDueMs"]) == (200, 2, None)
    world.set_door_sensor(PATIO, True)
    world.clock.advance(3600)  # the not-closed alarm is off now
    world.set_door_sensor(PATIO, False)
    world.clock.advance(2 * 86400 - 1)
    await _settle(world)
    assert [form["recordType"] for form in hooked.at("app")] == ["1", "0"]
    world.clock.advance(1)
    await _settle(world)
    assert [form["recordType"] for form in hooked.at("app")] == ["1", "0", "3"]
    status, body = await demo.sim(
        "door_sensor/alerts", {"doorSensorId": PATIO, "notCloseAlertSecondNum": 901}
    )
    assert status == 400
    assert "1–900" in body["error"]
    status, _ = await demo.sim("door_sensor/state", {"doorSensorId": 4242, "open": True})
    assert status == 404


async def test_door_sensors_added_and_removed_notify_their_owner_only(
    server: CloudServer, world: World, demo: CloudClient, hooked: Receiver
) -> None:
    """A DS3 of the second account (who has not authorised the app) sends nothing there; a
    removed sensor sends nothing at all."""
    status, added = await demo.sim(
        "door_sensor/add", {"name": "Office Window", "owner": "second@example.com"}
    )
    assert status == 200
    world.set_door_sensor(added["doorSensorId"], True)
    await _settle(world)
    assert hooked.at("app") == []
    status, _ = await demo.sim("door_sensor/remove", {"doorSensorId": PATIO})
    assert status == 200
    assert PATIO not in world.door_sensors
    status, state = await demo.sim("state")
    assert [s["name"] for s in state["doorSensors"]] == ["Office Window"]
