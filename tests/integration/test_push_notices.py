"""Connectivity pushes from the simulated world (``docs/cloud.md`` §2.9): a gateway or Wi-Fi lock
that drops off is reported by TTLock's own callback once the documented delay has passed on
the world clock, and one that comes back at once — Home Assistant follows without a poll."""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from simulator.world import GATEWAY_OFFLINE_NOTICE_DELAY_MS, WIFI_LOCK_OFFLINE_NOTICE_DELAY_MS
from tests.integration.helpers import CLIENT_ID, Cloud
from tests.integration.webhook_helpers import GARAGE, HALLWAY_GATEWAY, Push

GATEWAY_SENSOR = "binary_sensor.hallway_gateway_connectivity"
GARAGE_WIFI_SENSOR = "binary_sensor.garage_wi_fi_connectivity"


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


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
