"""Pushes from the simulated world (``docs/cloud.md`` §2.9), as TTLock's own callbacks:

* connectivity: a gateway or Wi-Fi lock that drops off is reported once the documented delay
  has passed on the world clock, and one that comes back at once — Home Assistant follows
  without a poll;
* notifyType 4: the Wi-Fi lock refuses a change the cloud had accepted — a passcode ends
  ``failed`` once the cloud's list confirms it absent, a refused card deletion is carried out
  again;
* notifyType 7: the standalone DS3 door sensor's openings, closings and alarm become
  activity events of their own (it is bound to no lock).
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from custom_components.ttlock_access.const import EVENT_ACCESS
from simulator.credentials import CUSTOM_PASSCODE_LIMIT
from simulator.lockside import LOCK_PERMANENT, HeldPasscode, lock_memory
from simulator.world import (
    GATEWAY_OFFLINE_NOTICE_DELAY_MS,
    LOCK_REFUSAL_DELAY_MS,
    WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS,
)
from tests.integration.helpers import CLIENT_ID, Cloud, call
from tests.integration.webhook_helpers import GARAGE, HALLWAY_GATEWAY, Push, capture

PATIO = 9001  # the home scenario's standalone DS3 door sensor

GATEWAY_SENSOR = "binary_sensor.hallway_gateway_connectivity"
GARAGE_WIFI_SENSOR = "binary_sensor.garage_wi_fi_connectivity"


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def setup_pending(hass: HomeAssistant) -> int:
    """Access changes still queued in the account's entry."""
    [entry] = hass.config_entries.async_loaded_entries("ttlock_access")
    return entry.runtime_data.access.pending()


async def test_gateway_offline_and_online_are_pushed(
    hass: HomeAssistant, cloud: Cloud, push: Push
) -> None:
    world = cloud.world
    calls = world.usage(CLIENT_ID)
    assert _state(hass, GATEWAY_SENSOR) == "on"
    world.set_gateway_online(HALLWAY_GATEWAY, False)
    await push.settle()
    assert _state(hass, GATEWAY_SENSOR) == "on"  # TTLock has not noticed yet
    world.clock.advance(GATEWAY_OFFLINE_NOTICE_DELAY_MS / 1000 + 1)
    await push.settle()
    assert _state(hass, GATEWAY_SENSOR) == "off"
    world.set_gateway_online(HALLWAY_GATEWAY, True)
    await push.settle()
    assert _state(hass, GATEWAY_SENSOR) == "on"
    assert [c.form["isOnline"] for c in push.pusher.sent] == ["0", "1"]
    assert all(c.ok for c in push.pusher.sent)
    assert world.usage(CLIENT_ID) == calls  # no poll: the push alone did it


async def test_wifi_lock_offline_and_online_are_pushed(
    hass: HomeAssistant, cloud: Cloud, push: Push
) -> None:
    world = cloud.world
    calls = world.usage(CLIENT_ID)
    world.set_wifi_online(GARAGE, False)
    world.clock.advance(WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS / 1000 + 1)
    await push.settle()
    assert _state(hass, GARAGE_WIFI_SENSOR) == "off"
    world.set_wifi_online(GARAGE, True)
    await push.settle()
    assert _state(hass, GARAGE_WIFI_SENSOR) == "on"
    assert [c.form["notifyType"] for c in push.pusher.sent] == ["3", "3"]
    assert world.usage(CLIENT_ID) == calls


async def test_wifi_lock_refusing_a_passcode_fails_it(
    hass: HomeAssistant, cloud: Cloud, push: Push
) -> None:
    """The Garage's memory is full of codes the cloud never recorded: the cloud accepts a new
    code, the lock refuses it a few seconds later (notifyType 4, -3009). Home Assistant looks
    at the cloud's list, no longer finds it there and calls it failed — not written again."""
    world = cloud.world
    held = lock_memory(world.lock(GARAGE))
    for index in range(CUSTOM_PASSCODE_LIMIT):
        held.hold_passcode(HeldPasscode(f"{700000 + index}", LOCK_PERMANENT, world.now_ms()))
    access_events = capture(hass, EVENT_ACCESS)
    created = await call(hass, "create_passcode", {"entity_id": "lock.garage", "name": "Courier"})
    assert created["locks"]["lock.garage"]["state"] == "set"  # the cloud took it
    assert not world.enter_code(GARAGE, created["code"]).success

    world.clock.advance(LOCK_REFUSAL_DELAY_MS / 1000)
    await push.settle()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [c.form["notifyType"] for c in push.pusher.sent if c.ok].count("4") == 1
    listing = await call(hass, "list_credentials", {"entity_id": "lock.garage"})
    [item] = listing["locks"]["lock.garage"]["credentials"]
    assert (item["status"], item["lock"]["state"]) == ("failed", "failed")
    assert "-3009" in item["lock"]["error"]
    refused = [e for e in access_events if e["action"] == "refused"]
    assert [(e["name"], e["entity_id"]) for e in refused] == [("Courier", "lock.garage")]
    assert "-3009" in refused[0]["reason"]
    assert world.lock(GARAGE).passcodes == {}  # not sent again
    assert world.pending_refusals() == []
    assert setup_pending(hass) == 0


async def test_wifi_lock_refusing_a_card_deletion_is_deleted_again(
    hass: HomeAssistant, cloud: Cloud, push: Push
) -> None:
    """A revocation the Wi-Fi lock refuses after the cloud accepted it: the card still opens,
    the cloud lists it again with the refusal, and Home Assistant deletes it again — the
    revocation ends only when the lock has really let go."""
    world = cloud.world
    added = await call(
        hass,
        "add_card",
        {"entity_id": "lock.garage", "name": "Cleaner", "card_number": "3661413478"},
    )
    world.faults.fail_next("identityCard/delete", errcode=-1, lock_side=True)
    revoked = await call(hass, "revoke_card", {"credential_id": added["credential_id"]})
    assert revoked["credential"]["locks"]["lock.garage"]["state"] == "removed"  # so it seemed
    assert world.present_card(GARAGE, "3661413478").success

    world.clock.advance(LOCK_REFUSAL_DELAY_MS / 1000)
    await push.settle()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not world.present_card(GARAGE, "3661413478").success
    assert world.lock(GARAGE).cards == {}
    listing = await call(
        hass, "list_credentials", {"entity_id": "lock.garage", "include_inactive": True}
    )
    [item] = listing["locks"]["lock.garage"]["credentials"]
    assert item["lock"]["state"] == "removed"
    assert setup_pending(hass) == 0


async def test_standalone_door_sensor_pushes(hass: HomeAssistant, cloud: Cloud, push: Push) -> None:
    """The Patio Door DS3 opens, is left open past its 120 s alarm time, then closes: three
    activity events of the sensor itself (no lock, no device), straight from the callbacks."""
    world = cloud.world
    calls = world.usage(CLIENT_ID)
    events = capture(hass)
    world.set_door_sensor(PATIO, True)
    await push.settle()
    world.clock.advance(120)
    await push.settle()
    world.set_door_sensor(PATIO, False)
    await push.settle()
    assert [c.form["notifyType"] for c in push.pusher.sent] == ["7", "7", "7"]
    assert all(c.ok for c in push.pusher.sent)
    assert [(e["event_type"], e["door_sensor_id"], e["lock_name"]) for e in events] == [
        ("door_open", PATIO, "Patio Door"),
        ("door_not_closed", PATIO, "Patio Door"),
        ("door_closed", PATIO, "Patio Door"),
    ]
    assert {(e["device_id"], e["lock_id"], e["method"]) for e in events} == {
        (None, None, "door_sensor")
    }
    assert world.usage(CLIENT_ID) == calls
