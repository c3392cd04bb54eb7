"""The automation blueprints (blueprints/automation/ttlock_access/): each one copied into Home
Assistant's blueprint folder, used by an automation, and triggered for real against the
simulated world — a keypad entry pushed through the webhook, a battery read by a poll, a
toggle, a date-time helper and a local calendar's event end."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service

from custom_components.ttlock_access.const import DOMAIN
from tests.integration.helpers import Cloud, advance, call, poll
from tests.integration.webhook_helpers import FRONT_DOOR, Push

ROOT = Path(__file__).parents[2]
SOURCE = ROOT / "blueprints" / "automation" / DOMAIN
BLUEPRINTS = sorted(path.name for path in SOURCE.glob("*.yaml"))


@pytest.fixture
def blueprint_folder(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A configuration folder of its own, holding the integration's blueprints where Home
    Assistant looks for them (``<config>/blueprints/automation/ttlock_access``)."""
    hass.config.config_dir = str(tmp_path)
    (tmp_path / ".storage").mkdir()  # where a local calendar keeps its file
    folder = Path(hass.config.path("blueprints", "automation", DOMAIN))
    shutil.copytree(SOURCE, folder)
    return folder


async def _automations(hass: HomeAssistant, *uses: tuple[str, dict[str, Any]]) -> None:
    """Automations made from blueprints (file name → inputs), all on."""
    config = [
        {
            "alias": f"{name.removesuffix('.yaml')} {i}",
            "id": f"{name.removesuffix('.yaml')}_{i}",
            "use_blueprint": {"path": f"{DOMAIN}/{name}", "input": inputs},
        }
        for i, (name, inputs) in enumerate(uses)
    ]
    assert await async_setup_component(hass, "automation", {"automation": config})
    await hass.async_block_till_done()
    for i, (name, _inputs) in enumerate(uses):
        state = hass.states.get(f"automation.{name.removesuffix('.yaml')}_{i}")
        assert state is not None, name
        assert state.state == "on", (name, state.attributes)


def opens(cloud: Cloud, digits: str) -> bool:
    """Digits typed on the Front Door's simulated keypad open it."""
    return cloud.world.enter_code(FRONT_DOOR, digits).success


# ---------------------------------------------------------------------------- the files
@pytest.mark.parametrize("name", BLUEPRINTS)
async def test_blueprint_is_valid_and_self_describing(
    hass: HomeAssistant, blueprint_folder: Path, name: str
) -> None:
    """Home Assistant's blueprint schema accepts each file; each has a description, the
    minimum Home Assistant version and selectors limited to this integration for its locks
    and sensors."""
    assert await async_setup_component(hass, "automation", {})
    blueprint = await async_get_blueprints(hass).async_get_blueprint(f"{DOMAIN}/{name}")
    meta = blueprint.metadata
    assert meta["domain"] == "automation"
    assert len(meta["description"]) > 80
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert meta["homeassistant"]["min_version"] == hacs["homeassistant"]  # the integration's
    assert meta["source_url"].endswith(f"blueprints/automation/{DOMAIN}/{name}")
    for key, item in meta["input"].items():
        assert item.get("name"), key
        selector = item["selector"]
        if "entity" in selector:
            for entity_filter in selector["entity"]["filter"]:
                if entity_filter["domain"] in ("lock", "sensor"):
                    assert entity_filter["integration"] == DOMAIN, key


def test_every_blueprint_is_triggered_below() -> None:
    """The tests of this module use every blueprint of the folder."""
    used = {
        "credential_used_notify.yaml",
        "tenant_check_out.yaml",
        "tenant_check_out_calendar.yaml",
        "low_battery_notify.yaml",
        "revoke_after_uses.yaml",
    }
    assert set(BLUEPRINTS) == used


# ------------------------------------------------------------- credential used → notify
async def test_credential_used_notifies(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    blueprint_folder: Path,
) -> None:
    """A code typed on the keypad, pushed to the webhook: one notification naming the holder
    and the credential, never the digits; a wrong code, a holder not chosen or an unlock
    from Home Assistant notify nobody."""
    phone: list[ServiceCall] = async_mock_service(hass, "notify", "phone")
    await _automations(
        hass,
        (
            "credential_used_notify.yaml",
            {
                "notify_target": "notify.phone",
                "locks": ["lock.front_door"],
                "holders": ["Maria"],
            },
        ),
    )
    cleaner = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Cleaner", "holder": "Maria"},
    )
    other = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Gardener", "holder": "Tom"},
    )
    world = cloud.world
    world.clock.freeze()  # one action per second, as at a real door
    assert not opens(cloud, "999111")  # a wrong code
    world.clock.advance(1)
    assert opens(cloud, other["code"])  # Tom: not chosen
    world.clock.advance(1)
    assert opens(cloud, cleaner["code"])
    await push.settle()
    await hass.services.async_call(
        "lock", "unlock", {"entity_id": "lock.front_door"}, blocking=True
    )  # from Home Assistant: no credential
    await push.settle()

    [sent] = phone
    assert sent.data == {
        "title": "Front Door",
        "message": "Maria opened Front Door (unlocked by passcode 'Cleaner' (Maria))",
    }
    assert cleaner["code"] not in str(sent.data)


async def test_credential_used_notifies_a_notify_entity(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    blueprint_folder: Path,
) -> None:
    """A notify entity as the target: ``notify.send_message`` on it, with the template of
    the user's message."""
    hass.states.async_set("notify.kitchen_display", "unknown")
    sent: list[ServiceCall] = async_mock_service(hass, "notify", "send_message")
    await _automations(
        hass,
        (
            "credential_used_notify.yaml",
            {
                "notify_target": "notify.kitchen_display",
                "message": "{{ who }} ({{ method }}, use {{ uses }})",
            },
        ),
    )
    card = await call(
        hass,
        "add_card",
        {"entity_id": "lock.front_door", "name": "Anna's card", "card_number": "3661413478"},
    )
    assert cloud.world.present_card(FRONT_DOOR, "3661413478").success
    await push.settle()
    [message] = sent
    assert message.data["entity_id"] == ["notify.kitchen_display"]
    assert message.data["message"] == "Anna's card (card, use 1)"
    assert card["credential_id"]


# ---------------------------------------------------------------- code used N times → revoke
async def test_code_used_n_times_is_revoked(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    blueprint_folder: Path,
) -> None:
    """A delivery code allowed twice opens twice, is revoked on the lock after the second
    use and opens no more; another code is not touched."""
    await _automations(
        hass, ("revoke_after_uses.yaml", {"max_uses": 2, "credentials": ["Delivery"]})
    )
    delivery = await call(
        hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Delivery"}
    )
    keeper = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Keeper"})
    world = cloud.world
    world.clock.freeze()
    for _ in range(2):
        assert opens(cloud, keeper["code"])
        world.clock.advance(1)
    assert opens(cloud, delivery["code"])
    world.clock.advance(1)
    await push.settle()
    listed = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    status = {c["name"]: c["status"] for c in listed["locks"]["lock.front_door"]["credentials"]}
    assert status["Delivery"] != "revoked"  # one use: still valid
    assert opens(cloud, delivery["code"])
    world.clock.advance(1)
    await push.settle()
    await hass.async_block_till_done(wait_background_tasks=True)

    assert not opens(cloud, delivery["code"])  # gone from the simulated lock
    world.clock.advance(1)
    assert opens(cloud, keeper["code"])  # used as often, but not a chosen code
    await push.settle()
    listed = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    status = {c["name"]: c["status"] for c in listed["locks"]["lock.front_door"]["credentials"]}
    assert status.get("Delivery", "revoked") == "revoked"
    assert status["Keeper"] == "active"


# ---------------------------------------------------------------- low battery → notify
async def test_low_battery_notifies(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    blueprint_folder: Path,
) -> None:
    """The simulated lock's battery drops to 15 %: the next poll reads it and one
    notification names the lock and the level; staying low notifies no more."""
    phone: list[ServiceCall] = async_mock_service(hass, "notify", "phone")
    await _automations(
        hass,
        (
            "low_battery_notify.yaml",
            {"battery_sensors": ["sensor.front_door_battery"], "notify_target": "notify.phone"},
        ),
    )
    cloud.world.set_battery(FRONT_DOOR, 35)
    await poll(hass, freezer)
    assert hass.states.get("sensor.front_door_battery").state == "35"
    assert phone == []  # above the default threshold (20 %)
    cloud.world.set_battery(FRONT_DOOR, 15)
    await poll(hass, freezer)
    assert hass.states.get("sensor.front_door_battery").state == "15"
    cloud.world.set_battery(FRONT_DOOR, 14)
    await poll(hass, freezer)
    [sent] = phone
    assert sent.data == {
        "title": "Front Door: battery low",
        "message": "The battery of Front Door is at 15 %. Replace it soon.",
    }


# ---------------------------------------------------------------- tenant check-out
async def _tenant(hass: HomeAssistant, name: str) -> str:
    """A tenant checked in on the Front Door for a month; their code."""
    lease = await call(
        hass,
        "check_in",
        {
            "entity_id": "lock.front_door",
            "holder": name,
            "ends_at": (dt_util.now() + timedelta(days=30)).isoformat(),
        },
    )
    [credential] = lease["credentials"]
    return str(credential["code"])


async def _holders(hass: HomeAssistant) -> set[str]:
    listed = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    return {
        c["holder"] for c in listed["locks"]["lock.front_door"]["credentials"] if c.get("holder")
    }


async def test_tenant_check_out_by_toggle(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, blueprint_folder: Path
) -> None:
    """The "moved out" toggle turns on: the tenant is checked out and their code no longer
    opens the simulated lock; another tenant keeps theirs."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"jonas_moved_out": {"name": "Jonas moved out"}}}
    )
    await _automations(
        hass,
        (
            "tenant_check_out.yaml",
            {"holder": "Jonas", "check_out_switch": ["input_boolean.jonas_moved_out"]},
        ),
    )
    jonas, lena = await _tenant(hass, "Jonas"), await _tenant(hass, "Lena")
    cloud.world.clock.freeze()
    assert opens(cloud, jonas)
    cloud.world.clock.advance(1)
    await hass.services.async_call(
        "input_boolean", "turn_on", {"entity_id": "input_boolean.jonas_moved_out"}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not opens(cloud, jonas)
    cloud.world.clock.advance(1)
    assert opens(cloud, lena)
    assert await _holders(hass) == {"Lena"}


async def test_tenant_check_out_at_a_date_and_time(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    blueprint_folder: Path,
) -> None:
    """A date-time helper holds the check-out moment: when it comes, the tenant is out."""
    at = dt_util.now().replace(microsecond=0) + timedelta(minutes=10)
    assert await async_setup_component(
        hass,
        "input_datetime",
        {
            "input_datetime": {
                "jonas_leaves": {
                    "has_date": True,
                    "has_time": True,
                    "initial": at.strftime("%Y-%m-%d %H:%M:%S"),
                }
            }
        },
    )
    await _automations(
        hass,
        (
            "tenant_check_out.yaml",
            {"holder": "Jonas", "check_out_time": ["input_datetime.jonas_leaves"]},
        ),
    )
    jonas = await _tenant(hass, "Jonas")
    await advance(hass, freezer, 5 * 60)
    assert await _holders(hass) == {"Jonas"}
    await advance(hass, freezer, 5 * 60 + 1)
    assert await _holders(hass) == set()
    cloud.world.clock.freeze(int(dt_util.utcnow().timestamp() * 1000))
    assert not opens(cloud, jonas)


async def test_tenant_check_out_when_the_calendar_event_ends(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    blueprint_folder: Path,
) -> None:
    """A local calendar holds the leases ("Lease: Jonas"): when Jonas's event ends (plus the
    delay), Jonas is checked out; an event without the marker changes nothing."""
    calendar = MockConfigEntry(domain="local_calendar", data={"calendar_name": "Leases"})
    calendar.add_to_hass(hass)
    assert await hass.config_entries.async_setup(calendar.entry_id)
    await hass.async_block_till_done()
    now = dt_util.now().replace(microsecond=0)
    for summary in ("Lease: Jonas", "Lena"):
        await hass.services.async_call(
            "calendar",
            "create_event",
            {
                "entity_id": "calendar.leases",
                "summary": summary,
                "start_date_time": (now - timedelta(days=20)).isoformat(),
                "end_date_time": (now + timedelta(minutes=20)).isoformat(),
            },
            blocking=True,
        )
    await _automations(
        hass,
        (
            "tenant_check_out_calendar.yaml",
            {
                "calendar": "calendar.leases",
                "title_marker": "Lease:",
                "offset": {"hours": 0, "minutes": 5, "seconds": 0},
            },
        ),
    )
    jonas, lena = await _tenant(hass, "Jonas"), await _tenant(hass, "Lena")
    await advance(hass, freezer, 21 * 60)  # the events end; the delay runs
    assert await _holders(hass) == {"Jonas", "Lena"}
    for _ in range(5):
        await advance(hass, freezer, 60)
    assert await _holders(hass) == {"Lena"}
    cloud.world.clock.freeze(int(dt_util.utcnow().timestamp() * 1000))
    assert not opens(cloud, jonas)
    cloud.world.clock.advance(1)
    assert opens(cloud, lena)
    # the calendar trigger's refresh timer ends with the automation
    await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)
