"""Lock settings through Home Assistant against the simulated world (docs/lock-settings.md):
which entities each lock gets, changes through the gateway / Wi-Fi and over Bluetooth (then
recorded in the cloud), translated errors, the configure_passage_mode action, a Bluetooth-only
entry, and the door sensor read at start."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from custom_components.ttlock_access.sdk.ble.const import Command
from simulator.ble import SimulatedLock
from simulator.ble.lock import Err
from simulator.ble.state import PassageWindow
from simulator.entities import PassagePeriod
from tests.integration.helpers import (
    USERNAME,
    BleWorld,
    Cloud,
    advance,
    call,
    paired_locally,
    poll,
)

# the less used settings are disabled by default: these tests use every one
pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")

FRONT, GARAGE, BACK = 5001101, 5001102, 5001103
HALLWAY_GATEWAY = 301001
WORKSHOP = "C0:FF:EE:19:10:7B"
"""A second locally paired lock, with every setting's feature bit."""

SETTINGS = {
    "switch": (
        "passage_mode",
        "passage_mode_auto_unlock",
        "lock_sound",
        "privacy_lock",
        "tamper_alert",
        "reset_button",
        "remote_unlock",
    ),
    "number": ("auto_lock_time", "sound_volume"),
    "select": ("opening_direction",),
    "button": ("sync_clock",),
}
"""Every setting entity, by platform (entity id suffixes)."""


async def _service(
    hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any
) -> None:
    await hass.services.async_call(domain, service, {"entity_id": entity_id, **data}, blocking=True)


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def _last_path(hass: HomeAssistant, lock: str) -> str:
    state = hass.states.get(f"sensor.{lock}_connection_path")
    assert state is not None
    return str(state.attributes["last_command_path"])


def _entities(hass: HomeAssistant, entry: MockConfigEntry, lock: str) -> set[str]:
    """The setting entities of one lock (by entity id)."""
    registry = er.async_get(hass)
    found = set()
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        platform, object_id = entity.entity_id.split(".", 1)
        if object_id.removeprefix(f"{lock}_") in SETTINGS.get(platform, ()):
            assert entity.entity_category is EntityCategory.CONFIG
            found.add(entity.entity_id)
    return found


@contextmanager
def bluetooth_only_tells_the_lock(lock: SimulatedLock) -> Iterator[None]:
    """A real lock tells the cloud nothing of a setting changed over Bluetooth (only the app
    does): the simulated link's shortcut, which writes it back to the world, is cut."""
    with patch.object(lock.world_link, "_settings_to_world"):
        yield


# ---------------------------------------------------------------------- which entities
async def test_entities_follow_the_feature_bits(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Front Door has (almost) every bit, Garage sound / auto-lock / passage, Back Door the
    same without remote unlock; values come from lock/detail."""
    assert _entities(hass, setup_entry, "front_door") == {
        f"{platform}.front_door_{key}" for platform, keys in SETTINGS.items() for key in keys
    }
    assert _entities(hass, setup_entry, "garage") == {
        "switch.garage_passage_mode",
        "switch.garage_lock_sound",
        "switch.garage_remote_unlock",  # bit 14, and Home Assistant holds its keys
        "number.garage_auto_lock_time",
        "button.garage_sync_clock",
    }
    assert _entities(hass, setup_entry, "back_door") == {
        "switch.back_door_passage_mode",
        "switch.back_door_lock_sound",
        "number.back_door_auto_lock_time",
        "button.back_door_sync_clock",
    }
    # the scenario's Front Door: auto-lock 15 s, sound on at 3, tamper alert and reset button
    # on, privacy lock off, opens to the left, passage mode off
    expected = {
        "number.front_door_auto_lock_time": "15",
        "number.front_door_sound_volume": "3",
        "switch.front_door_lock_sound": "on",
        "switch.front_door_privacy_lock": "off",
        "switch.front_door_tamper_alert": "on",
        "switch.front_door_reset_button": "on",
        "select.front_door_opening_direction": "left",
        "switch.front_door_passage_mode": "off",
        "switch.front_door_passage_mode_auto_unlock": "off",
        "switch.front_door_remote_unlock": "unknown",  # only the lock knows it
        "number.garage_auto_lock_time": "0",  # -1 in lock/detail: off
    }
    assert {entity_id: _state(hass, entity_id) for entity_id in expected} == expected
    remote = hass.states.get("switch.front_door_remote_unlock")
    assert remote is not None and remote.attributes["assumed_state"] is True
    # Back Door's detail comes with the next poll (a poll spends at most four calls)
    assert _state(hass, "number.back_door_auto_lock_time") == "unknown"
    await poll(hass, freezer)
    assert _state(hass, "number.back_door_auto_lock_time") == "5"
    assert _state(hass, "switch.back_door_lock_sound") == "off"


# ---------------------------------------------------------------------- through the cloud
@pytest.mark.parametrize(
    ("domain", "service", "entity_id", "data", "field", "value", "state"),
    [
        ("switch", "turn_off", "switch.front_door_lock_sound", {}, "lock_sound", 2, "off"),
        ("switch", "turn_on", "switch.front_door_privacy_lock", {}, "privacy_lock", 1, "on"),
        ("switch", "turn_off", "switch.front_door_tamper_alert", {}, "tamper_alert", 2, "off"),
        ("switch", "turn_off", "switch.front_door_reset_button", {}, "reset_button", 2, "off"),
        (
            "switch",
            "turn_on",
            "switch.front_door_passage_mode_auto_unlock",
            {},
            "passage_mode_auto_unlock",
            1,
            "on",
        ),
        (
            "number",
            "set_value",
            "number.front_door_auto_lock_time",
            {"value": 30},
            "auto_lock_time",
            30,
            "30",
        ),
        (
            "number",
            "set_value",
            "number.front_door_auto_lock_time",
            {"value": 0},
            "auto_lock_time",
            -1,
            "0",
        ),
        (
            "number",
            "set_value",
            "number.front_door_sound_volume",
            {"value": 5},
            "sound_volume",
            5,
            "5",
        ),
        (
            "select",
            "select_option",
            "select.front_door_opening_direction",
            {"option": "right"},
            "open_direction",
            2,
            "right",
        ),
    ],
)
async def test_changes_go_through_the_gateway(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    domain: str,
    service: str,
    entity_id: str,
    data: dict[str, Any],
    field: str,
    value: int,
    state: str,
) -> None:
    """Out of Bluetooth range, a change reaches the lock through its gateway; the entity shows
    it at once, and lock/detail (what the next detail read brings) agrees."""
    await _service(hass, domain, service, entity_id, **data)
    assert getattr(cloud.world.lock(FRONT), field) == value
    assert _state(hass, entity_id) == state
    assert _last_path(hass, "front_door") == "gateway"
    client = setup_entry.runtime_data.client
    assert getattr(await client.get_lock_detail(FRONT), field) == value


async def test_passage_mode_switch_keeps_the_schedule(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Switched on without a schedule: open all week; off and on again keeps the schedule."""
    world_lock = cloud.world.lock(FRONT)
    await _service(hass, "switch", "turn_on", "switch.front_door_passage_mode")
    assert world_lock.passage_mode == 1
    assert world_lock.passage_periods == [PassagePeriod(True, 0, 0, (1, 2, 3, 4, 5, 6, 7))]
    assert _state(hass, "switch.front_door_passage_mode") == "on"
    await call(
        hass,
        "configure_passage_mode",
        {
            "entity_id": "lock.front_door",
            "enabled": False,
            "periods": [{"weekdays": ["monday"], "start": "08:00", "end": "12:30"}],
        },
    )
    assert world_lock.passage_mode == 2
    await _service(hass, "switch", "turn_on", "switch.front_door_passage_mode")
    assert world_lock.passage_mode == 1
    assert world_lock.passage_periods == [PassagePeriod(False, 480, 750, (1,))]


async def test_wifi_lock_changes_through_its_own_link(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A Wi-Fi lock takes settings from the cloud directly; offline, it says so."""
    await _service(hass, "number", "set_value", "number.garage_auto_lock_time", value=10)
    assert cloud.world.lock(GARAGE).auto_lock_time == 10
    assert _last_path(hass, "garage") == "wifi"
    assert _state(hass, "binary_sensor.garage_wi_fi_connectivity") == "on"
    cloud.world.set_wifi_online(GARAGE, False)
    with pytest.raises(HomeAssistantError) as err:
        await _service(hass, "switch", "turn_off", "switch.garage_lock_sound")
    assert err.value.translation_key == "lock_offline"
    assert _state(hass, "switch.garage_lock_sound") == "on"
    assert _state(hass, "binary_sensor.garage_wi_fi_connectivity") == "off"


async def test_sync_clock_through_the_gateway(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """ "Sync clock" sets a drifted lock clock back to the cloud's time (lock/updateDate)."""
    cloud.world.lock(FRONT).clock_drift_ms = 3_600_000
    await _service(hass, "button", "press", "button.front_door_sync_clock")
    assert cloud.world.lock(FRONT).clock_drift_ms == 0
    assert _last_path(hass, "front_door") == "gateway"


@pytest.mark.parametrize(
    ("setup", "key"),
    [
        (lambda w: w.set_gateway_online(HALLWAY_GATEWAY, False), "gateway_offline"),
        (lambda w: w.set_lock_in_range(FRONT, HALLWAY_GATEWAY, False), "no_gateway"),
        (
            lambda w: w.faults.fail_next("lock/updateSetting", errcode=-4043),
            "setting_not_supported",
        ),
        (lambda w: w.faults.fail_next("lock/updateSetting", errcode=-9999), "cloud_error"),
    ],
)
async def test_failures_are_translated_and_change_nothing(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, setup: Any, key: str
) -> None:
    """A refused change says why, and the entity keeps the lock's value."""
    setup(cloud.world)
    with pytest.raises(HomeAssistantError) as err:
        await _service(hass, "switch", "turn_off", "switch.front_door_lock_sound")
    assert err.value.translation_key == key
    assert "Front Door" in str(err.value)
    assert _state(hass, "switch.front_door_lock_sound") == "on"
    assert cloud.world.lock(FRONT).lock_sound == 1


async def test_auto_lock_time_the_cloud_refuses(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """-4082 (the cloud refuses the period) has its own words; Home Assistant itself refuses
    values outside 0–900 s."""
    cloud.world.faults.fail_next("lock/setAutoLockTime", errcode=-4082)
    with pytest.raises(HomeAssistantError) as err:
        await _service(hass, "number", "set_value", "number.front_door_auto_lock_time", value=9)
    assert err.value.translation_key == "auto_lock_invalid"
    assert _state(hass, "number.front_door_auto_lock_time") == "15"
    with pytest.raises(ServiceValidationError):
        await _service(hass, "number", "set_value", "number.front_door_auto_lock_time", value=901)
    assert cloud.world.lock(FRONT).auto_lock_time == 15


async def test_passage_switch_when_the_cloud_cannot_tell_the_schedule(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The schedule is read first; when that fails, nothing is changed."""
    cloud.world.faults.fail_next("lock/getPassageModeConfiguration", errcode=-9999)
    with pytest.raises(HomeAssistantError) as err:
        await _service(hass, "switch", "turn_on", "switch.front_door_passage_mode")
    assert err.value.translation_key == "cloud_error"
    assert cloud.world.lock(FRONT).passage_mode == 2


async def test_refused_sign_in_starts_reauth(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A change refused for the account's credentials asks for the password again."""
    cloud.world.change_password(USERNAME, "changed")
    with pytest.raises(HomeAssistantError) as err:
        await _service(hass, "switch", "turn_off", "switch.front_door_lock_sound")
    assert err.value.translation_key == "auth_failed"
    await hass.async_block_till_done(wait_background_tasks=True)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_lock_without_gateway_or_bluetooth_has_no_path(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Back Door has no gateway: without Bluetooth nothing reaches it."""
    with pytest.raises(HomeAssistantError) as err:
        await _service(hass, "switch", "turn_on", "switch.back_door_lock_sound")
    assert err.value.translation_key == "no_path"
    assert "Back Door" in str(err.value)
    assert cloud.world.lock(BACK).lock_sound == 2
    # remote unlock has no cloud endpoint: the gateway is no path for it either
    with pytest.raises(HomeAssistantError) as err:
        await _service(hass, "switch", "turn_off", "switch.front_door_remote_unlock")
    assert err.value.translation_key == "no_path"
    assert _state(hass, "switch.front_door_remote_unlock") == "unknown"


# ---------------------------------------------------------------------- over Bluetooth
async def test_bluetooth_changes_are_recorded_in_the_cloud(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """In range, Back Door (no gateway) is changed over Bluetooth; the cloud then records the
    change (type / changeType 1), so lock/detail and the TTLock app agree."""
    lock, world_lock = ble.locks[BACK], cloud.world.lock(BACK)
    with bluetooth_only_tells_the_lock(lock):
        await _service(hass, "switch", "turn_on", "switch.back_door_lock_sound")
        assert lock.sound_on
        assert world_lock.lock_sound == 1  # recorded by Home Assistant, not by the lock
        await _service(hass, "number", "set_value", "number.back_door_auto_lock_time", value=42)
        assert lock.auto_lock_seconds == 42
        assert world_lock.auto_lock_time == 42
        await _service(hass, "number", "set_value", "number.back_door_auto_lock_time", value=0)
        assert lock.auto_lock_seconds == 0
        assert world_lock.auto_lock_time == -1
        await _service(hass, "switch", "turn_on", "switch.back_door_passage_mode")
        assert {window.week_or_day for window in lock.passage_windows} == set(range(1, 8))
        assert world_lock.passage_mode == 1
    assert _state(hass, "switch.back_door_lock_sound") == "on"
    assert _state(hass, "number.back_door_auto_lock_time") == "0"
    assert _state(hass, "switch.back_door_passage_mode") == "on"
    assert _last_path(hass, "back_door") == "bluetooth"


async def test_bluetooth_switches_of_a_gateway_lock(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Front Door in range: the 0x68 switches, the volume and remote unlock go over
    Bluetooth (not through the gateway), and the cloud's record follows."""
    lock, world = ble.locks[FRONT], cloud.world
    cloud.world.set_gateway_online(HALLWAY_GATEWAY, False)  # the gateway is not used
    with bluetooth_only_tells_the_lock(lock):
        await _service(hass, "switch", "turn_on", "switch.front_door_privacy_lock")
        await _service(hass, "switch", "turn_off", "switch.front_door_tamper_alert")
        await _service(
            hass, "select", "select_option", "select.front_door_opening_direction", option="right"
        )
        await _service(hass, "switch", "turn_on", "switch.front_door_passage_mode_auto_unlock")
        await _service(hass, "number", "set_value", "number.front_door_sound_volume", value=1)
    assert lock.switch_value & 0x37 == 0x04 | 0x02 | 0x20  # privacy, reset button, auto-unlock
    assert lock.volume == 1 and lock.sound_on
    front = world.lock(FRONT)
    assert (front.privacy_lock, front.tamper_alert, front.open_direction) == (1, 2, 2)
    assert (front.passage_mode_auto_unlock, front.sound_volume) == (1, 1)
    await _service(hass, "switch", "turn_off", "switch.front_door_remote_unlock")
    assert not lock.remote_unlock
    assert _state(hass, "switch.front_door_remote_unlock") == "off"
    assert _state(hass, "select.front_door_opening_direction") == "right"
    assert _last_path(hass, "front_door") == "bluetooth"


async def test_volume_of_a_silent_lock_stays_silent(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
) -> None:
    """Over Bluetooth the volume comes with "sound on": a silent lock is silenced again."""
    lock = ble.locks[FRONT]
    await _service(hass, "switch", "turn_off", "switch.front_door_lock_sound")
    await _service(hass, "number", "set_value", "number.front_door_sound_volume", value=4)
    assert (lock.sound_on, lock.volume) == (False, 4)
    assert (cloud.world.lock(FRONT).lock_sound, cloud.world.lock(FRONT).sound_volume) == (2, 4)


async def test_bluetooth_refusal_falls_back_to_the_gateway(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """The lock refuses over Bluetooth: the gateway takes the change."""
    ble.locks[FRONT].faults.fail_next(Command.SWITCH, Err.FAILED)
    await _service(hass, "switch", "turn_on", "switch.front_door_privacy_lock")
    assert cloud.world.lock(FRONT).privacy_lock == 1
    assert _last_path(hass, "front_door") == "gateway"


async def test_bluetooth_failure_without_gateway_is_translated(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Back Door refuses over Bluetooth and has no gateway: the lock's refusal is the error."""
    ble.locks[BACK].faults.fail_next(Command.AUTO_LOCK_MANAGE, Err.INVALID_PARAMETER)
    with pytest.raises(HomeAssistantError) as err:
        await _service(hass, "number", "set_value", "number.back_door_auto_lock_time", value=9)
    assert err.value.translation_key == "ble_lock_refused"


async def test_record_failure_after_bluetooth_is_logged(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The lock has the change even when the cloud then refuses to record it."""
    lock = ble.locks[BACK]
    cloud.world.faults.fail_next("lock/updateSetting", errcode=-9999)
    with bluetooth_only_tells_the_lock(lock), caplog.at_level(logging.WARNING):
        await _service(hass, "switch", "turn_on", "switch.back_door_lock_sound")
    assert lock.sound_on
    assert _state(hass, "switch.back_door_lock_sound") == "on"
    assert cloud.world.lock(BACK).lock_sound == 2
    assert "did not record it" in caplog.text


async def test_sync_clock_over_bluetooth(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Back Door's clock is set over Bluetooth (CalibrateTime) to its wall time."""
    lock = ble.locks[BACK]
    lock.set_clock(lock.now() - timedelta(hours=2))
    await _service(hass, "button", "press", "button.back_door_sync_clock")
    offset = timedelta(milliseconds=cloud.world.lock(BACK).timezone_raw_offset)
    wall = (datetime.now(UTC) + offset).replace(tzinfo=None)
    assert abs(lock.now() - wall) < timedelta(seconds=5)
    assert _last_path(hass, "back_door") == "bluetooth"


# ---------------------------------------------------------------------- the action
async def test_configure_passage_mode_through_the_gateway(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Two periods (workdays 08:00–18:00 and the weekend all day) and auto-unlock."""
    response = await call(
        hass,
        "configure_passage_mode",
        {
            "entity_id": "lock.front_door",
            "enabled": True,
            "auto_unlock": True,
            "periods": [
                {
                    "weekdays": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                    "start": "08:00",
                    "end": "18:00",
                },
                {"weekdays": ["saturday", "sunday"], "all_day": True},
            ],
        },
    )
    assert response == {"locks": {"lock.front_door": {"path": "gateway"}}}
    front = cloud.world.lock(FRONT)
    assert (front.passage_mode, front.passage_mode_auto_unlock) == (1, 1)
    assert sorted(front.passage_periods, key=lambda p: p.all_day) == [
        PassagePeriod(False, 480, 1080, (1, 2, 3, 4, 5)),
        PassagePeriod(True, 0, 0, (6, 7)),
    ]
    assert _state(hass, "switch.front_door_passage_mode") == "on"
    assert _state(hass, "switch.front_door_passage_mode_auto_unlock") == "on"


async def test_configure_passage_mode_over_bluetooth(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Back Door in range: the periods become the lock's weekly windows, the cloud records them,
    and switching off clears the windows."""
    lock = ble.locks[BACK]
    data = {
        "entity_id": "lock.back_door",
        "enabled": True,
        "periods": [{"weekdays": ["monday", "sunday"], "start": "07:30", "end": "09:00"}],
    }
    with bluetooth_only_tells_the_lock(lock):
        response = await call(hass, "configure_passage_mode", data)
        assert response == {"locks": {"lock.back_door": {"path": "bluetooth"}}}
        assert sorted(lock.passage_windows, key=lambda w: w.week_or_day) == [
            PassageWindow(1, 1, 0, 450, 540),
            PassageWindow(1, 7, 0, 450, 540),
        ]
        back = cloud.world.lock(BACK)
        assert back.passage_mode == 1
        assert back.passage_periods == [PassagePeriod(False, 450, 540, (1, 7))]
        await _service(hass, "switch", "turn_off", "switch.back_door_passage_mode")
    assert lock.passage_windows == []
    assert back.passage_mode == 2
    assert back.passage_periods == [PassagePeriod(False, 450, 540, (1, 7))]  # kept for later


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"periods": [{"weekdays": ["monday"], "all_day": True}] * 6}, "passage_too_many_periods"),
        ({"periods": []}, "passage_needs_period"),
        ({"periods": [{"all_day": True}]}, "passage_period_needs_weekdays"),
        ({"periods": [{"weekdays": ["monday"], "start": "08:00"}]}, "passage_period_needs_times"),
        (
            {"periods": [{"weekdays": ["monday"], "start": "18:00", "end": "08:00"}]},
            "passage_period_end_before_start",
        ),
        (
            {"periods": [{"weekdays": ["monday"], "all_day": True, "start": "08:00"}]},
            "passage_period_all_day_with_times",
        ),
        (
            {
                "entity_id": "lock.garage",
                "auto_unlock": True,
                "periods": [{"weekdays": ["monday"], "all_day": True}],
            },
            "passage_auto_unlock_not_supported",
        ),
    ],
)
async def test_configure_passage_mode_refuses_bad_input(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    data: dict[str, Any],
    key: str,
) -> None:
    """Each mistake has its translated refusal; nothing is sent."""
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "configure_passage_mode",
            {"entity_id": "lock.front_door", "enabled": True, **data},
        )
    assert err.value.translation_key == key
    assert cloud.world.lock(FRONT).passage_mode == 2
    assert cloud.world.lock(GARAGE).passage_mode == 2


async def test_configure_passage_mode_on_a_lock_without_it(
    hass: HomeAssistant, shed: SimulatedLock
) -> None:
    """The Shed's lock has no passage-mode bit."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "configure_passage_mode", {"entity_id": "lock.shed", "enabled": False})
    assert err.value.translation_key == "passage_mode_not_supported"


# ---------------------------------------------------------------------- Bluetooth-only entries
async def test_bluetooth_only_entry_gets_its_settings_over_bluetooth(
    hass: HomeAssistant, shed: SimulatedLock
) -> None:
    """The Shed (features: passcode, auto-lock, remote lock, admin code) gets an auto-lock time
    read over Bluetooth at start and a clock button; changes go over Bluetooth."""
    assert hass.states.get("switch.shed_lock_sound") is None
    assert hass.states.get("number.shed_sound_volume") is None
    assert _state(hass, "number.shed_auto_lock_time") == str(shed.auto_lock_seconds)
    await _service(hass, "number", "set_value", "number.shed_auto_lock_time", value=20)
    assert shed.auto_lock_seconds == 20
    assert _state(hass, "number.shed_auto_lock_time") == "20"
    shed.set_clock(shed.now() - timedelta(hours=3))
    await _service(hass, "button", "press", "button.shed_sync_clock")
    assert abs(shed.now() - datetime.now(UTC).replace(tzinfo=None)) < timedelta(seconds=5)


async def test_bluetooth_only_entry_with_every_setting(hass: HomeAssistant) -> None:
    """A lock with every setting's bit, paired locally: every setting entity, each read over
    Bluetooth once when first needed; a change goes over Bluetooth."""
    features = (0, 4, 14, 15, 18, 22, 28, 29, 30, 36, 43, 46)
    lock = SimulatedLock.factory_fresh(WORKSHOP, seed="workshop", features=features)
    lock.auto_lock_seconds, lock.sound_on, lock.volume = 30, True, 2
    lock.switch_value = 0x01 | 0x10  # tamper alert on, opens to the left
    lock.remote_unlock = False
    lock.passage_windows.append(PassageWindow(1, 3, 0, 600, 720))
    async with paired_locally(hass, lock, "Workshop"):
        await hass.async_block_till_done(wait_background_tasks=True)  # the settings read
        expected = {
            "number.workshop_auto_lock_time": "30",
            "switch.workshop_lock_sound": "on",
            "number.workshop_sound_volume": "2",
            "switch.workshop_tamper_alert": "on",
            "switch.workshop_reset_button": "off",
            "switch.workshop_privacy_lock": "off",
            "select.workshop_opening_direction": "left",
            "switch.workshop_passage_mode": "on",
            "switch.workshop_passage_mode_auto_unlock": "off",
            "switch.workshop_remote_unlock": "off",
        }
        assert {entity_id: _state(hass, entity_id) for entity_id in expected} == expected
        await _service(hass, "switch", "turn_off", "switch.workshop_passage_mode")
        assert lock.passage_windows == []
        await _service(hass, "switch", "turn_on", "switch.workshop_passage_mode")
        assert {window.week_or_day for window in lock.passage_windows} == set(range(1, 8))
        await _service(hass, "switch", "turn_on", "switch.workshop_passage_mode_auto_unlock")
        assert lock.switch_value & 0x20
        await _service(hass, "switch", "turn_on", "switch.workshop_remote_unlock")
        assert lock.remote_unlock
        await call(
            hass,
            "configure_passage_mode",
            {
                "entity_id": "lock.workshop",
                "enabled": True,
                "auto_unlock": False,
                "periods": [{"weekdays": ["friday"], "all_day": True}],
            },
        )
        assert lock.passage_windows == [PassageWindow(1, 5, 0, 0, 0)]
        assert not lock.switch_value & 0x20
        assert _state(hass, "switch.workshop_passage_mode_auto_unlock") == "off"


async def test_bluetooth_only_entry_settings_the_lock_does_not_answer(
    hass: HomeAssistant,
) -> None:
    """A setting the lock does not answer stays unknown; the others are read."""
    lock = SimulatedLock.factory_fresh(WORKSHOP, seed="quiet", features=(0, 4, 18, 22))
    lock.faults.fail_next(Command.CONFIGURE_PASSAGE_MODE, Err.INVALID_COMMAND)
    async with paired_locally(hass, lock, "Workshop"):
        await hass.async_block_till_done(wait_background_tasks=True)  # the settings read
        assert _state(hass, "switch.workshop_passage_mode") == "unknown"
        assert _state(hass, "number.workshop_auto_lock_time") == str(lock.auto_lock_seconds)


async def test_bluetooth_only_entry_reads_again_later(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Nothing could be read at start: not again at once, but a quarter of an hour later."""
    lock = SimulatedLock.factory_fresh(WORKSHOP, seed="later", features=(0, 4, 18, 22))
    lock.faults.fail_next(Command.AUTO_LOCK_MANAGE, Err.FAILED, times=2)  # pairing reads once
    lock.faults.fail_next(Command.CONFIGURE_PASSAGE_MODE, Err.FAILED)
    async with paired_locally(hass, lock, "Workshop"):
        await hass.async_block_till_done(wait_background_tasks=True)  # the settings read
        [entry] = hass.config_entries.async_entries(DOMAIN)
        coordinator = entry.runtime_data.coordinator
        assert _state(hass, "number.workshop_auto_lock_time") == "unknown"
        coordinator.async_update_listeners()
        await hass.async_block_till_done(wait_background_tasks=True)
        assert _state(hass, "number.workshop_auto_lock_time") == "unknown"
        await advance(hass, freezer, 16 * 60)
        coordinator.async_update_listeners()  # an advertisement, say
        await hass.async_block_till_done(wait_background_tasks=True)
        assert _state(hass, "number.workshop_auto_lock_time") == str(lock.auto_lock_seconds)
        assert _state(hass, "switch.workshop_passage_mode") == "off"


# ---------------------------------------------------------------------- the door sensor
async def test_door_is_read_at_start_in_bluetooth_range(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Advertisements tell the bolt, not the door: a lock heard over Bluetooth still has its
    door state read from the cloud at start (it was unknown until a door record came)."""
    assert _state(hass, "binary_sensor.front_door_contact") == "off"
