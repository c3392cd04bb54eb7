"""Push-aware polling: what a month costs, and the switch between pushes and polling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ttlock_access.const import DOMAIN, ISSUE_PUSH_MISSED
from custom_components.ttlock_access.models import LockRuntime
from custom_components.ttlock_access.schedule import (
    PUSH_GRACE,
    PUSH_ISSUE_AFTER,
    WITH_PUSH,
    WITHOUT_PUSH,
    PushHealth,
    PushState,
    lock_plan,
    monthly_estimate,
)
from custom_components.ttlock_access.sdk.model import Feature, FeatureSet, Lock
from tests.integration.helpers import CLIENT_ID, Cloud
from tests.integration.webhook_helpers import FRONT_DOOR, Push, capture

PUSH_SENSOR = "sensor.ttlock_account_pushes"
CALLS_SENSOR = "sensor.ttlock_account_api_calls_this_month"
INTERVAL = timedelta(minutes=30)


def _sync_world_clock(cloud: Cloud) -> None:
    cloud.world.clock.freeze(int(dt_util.utcnow().timestamp() * 1000))


async def _pass(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud, seconds: float
) -> None:
    """Time passes for Home Assistant and the simulated cloud alike."""
    freezer.tick(timedelta(seconds=seconds))
    _sync_world_clock(cloud)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _polls(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud, count: int = 1
) -> None:
    for _ in range(count):
        await _pass(hass, freezer, cloud, INTERVAL.total_seconds() + 1)


def _spent(cloud: Cloud, before: dict[str, int]) -> dict[str, int]:
    after = cloud.world.endpoint_usage(CLIENT_ID)
    return {path: n - before.get(path, 0) for path, n in after.items() if n != before.get(path)}


async def test_without_push_keypad_activity_shows_within_one_poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """No callback yet: every remote lock's records are read at each poll; the API-calls
    sensor shows the calls per endpoint and what a month costs."""
    assert hass.states.get(PUSH_SENSOR).state == PushState.WAITING
    _sync_world_clock(cloud)
    events = capture(hass)
    cloud.world.enter_code(FRONT_DOOR, "999111")
    before = cloud.world.endpoint_usage(CLIENT_ID)
    await _polls(hass, freezer, cloud)
    assert [(e["method"], e["source"]) for e in events] == [("passcode", "poll")]
    spent = _spent(cloud, before)
    assert spent["lockRecord/list"] == 2  # the gateway lock and the Wi-Fi lock
    assert "lock/list" not in spent  # the inventory waits for its own period
    attributes = hass.states.get(CALLS_SENSOR).attributes
    assert attributes["endpoints"]["lockRecord/list"] == 2
    assert attributes["monthly_estimate_with_push"] <= 1_000
    assert attributes["monthly_estimate_without_push"] <= 6_000


async def test_pushes_slow_polling_down_and_a_missed_push_brings_it_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Pushes arriving: a day costs a handful of calls and never wakes a lock for its state.
    A record found by polling that was never pushed: polling resumes at once, a repair issue
    after an hour; the next callback restores the slow schedule and removes the issue."""
    world = cloud.world
    _sync_world_clock(cloud)
    world.enter_code(FRONT_DOOR, "999111")
    await push.settle()
    assert hass.states.get(PUSH_SENSOR).state == PushState.WORKING
    await _polls(hass, freezer, cloud, 2)  # the first reads of details and signal
    before = world.endpoint_usage(CLIENT_ID)
    await _polls(hass, freezer, cloud, 48)  # one day
    spent = _spent(cloud, before)
    assert "lock/queryOpenState" not in spent
    assert spent["gateway/list"] <= 5  # every 5 h
    assert spent["lock/list"] <= spent["gateway/list"] + 2  # + lifts and power savers daily
    assert sum(spent.values()) <= 1_000 / 30

    # the callback URL stops working: a code used at the door reaches HA by the safety net
    url = world.apps[CLIENT_ID].callback_url
    world.apps[CLIENT_ID].callback_url = None
    _sync_world_clock(cloud)
    events = capture(hass)
    world.enter_code(FRONT_DOOR, "999111")
    await _pass(hass, freezer, cloud, WITH_PUSH.records.total_seconds())
    await _polls(hass, freezer, cloud)
    assert [e["source"] for e in events] == ["poll"]
    assert hass.states.get(PUSH_SENSOR).state == PushState.MISSED
    before = world.endpoint_usage(CLIENT_ID)
    await _polls(hass, freezer, cloud)
    assert _spent(cloud, before)["lockRecord/list"] == 2  # polling every poll again
    issue_id = f"{ISSUE_PUSH_MISSED}_{setup_entry.entry_id}"
    await _polls(hass, freezer, cloud, 2)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    world.apps[CLIENT_ID].callback_url = url
    _sync_world_clock(cloud)
    world.enter_code(FRONT_DOOR, "999111")
    await push.settle()
    assert hass.states.get(PUSH_SENSOR).state == PushState.WORKING
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    before = world.endpoint_usage(CLIENT_ID)
    await _polls(hass, freezer, cloud)
    assert "lockRecord/list" not in _spent(cloud, before)


async def test_unlock_whose_record_is_not_pushed_means_pushes_stopped(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A command Home Assistant sent through the gateway must come back as a pushed record
    within minutes: when it does not, the integration polls again."""
    world = cloud.world
    _sync_world_clock(cloud)
    world.enter_code(FRONT_DOOR, "999111")
    await push.settle()
    await hass.services.async_call(
        LOCK_DOMAIN, "unlock", {ATTR_ENTITY_ID: "lock.front_door"}, blocking=True
    )
    await push.settle()  # pushed: nothing is missed
    await _pass(hass, freezer, cloud, PUSH_GRACE.total_seconds() + 1)
    await _polls(hass, freezer, cloud)
    assert hass.states.get(PUSH_SENSOR).state == PushState.WORKING

    world.apps[CLIENT_ID].callback_url = None
    await hass.services.async_call(
        LOCK_DOMAIN, "lock", {ATTR_ENTITY_ID: "lock.front_door"}, blocking=True
    )
    await _pass(hass, freezer, cloud, PUSH_GRACE.total_seconds() + 1)
    await _polls(hass, freezer, cloud)
    assert hass.states.get(PUSH_SENSOR).state == PushState.MISSED


async def test_battery_follows_the_account_within_six_hours_with_push(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    freezer: FrozenDateTimeFactory,
) -> None:
    """With pushes, the battery comes from pushed records and the 6-hourly lock list."""
    world = cloud.world
    _sync_world_clock(cloud)
    world.enter_code(FRONT_DOOR, "999111")
    await push.settle()
    world.set_battery(FRONT_DOOR, 42)
    await _pass(hass, freezer, cloud, WITH_PUSH.inventory.total_seconds() + 1)
    await _polls(hass, freezer, cloud)
    assert hass.states.get("sensor.front_door_battery").state == "42"


# ------------------------------------------------------------------ the schedule itself
def _runtime(lock_id: int, *, gateway: bool = True, wifi: bool = False) -> LockRuntime:
    features = FeatureSet(1 << Feature.WIFI) if wifi else FeatureSet()
    lock = Lock(
        lock_id=lock_id,
        name=f"Lock {lock_id}",
        lock_name=f"L{lock_id}",
        mac="",
        battery=80,
        features=features,
        has_gateway=gateway,
    )
    return LockRuntime(lock=lock)


NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def test_plan_puts_unknown_states_first_and_busy_doors_before_quiet_ones() -> None:
    quiet, busy, local = _runtime(1), _runtime(2), _runtime(3, gateway=False)
    for rt in (quiet, busy, local):
        rt.state_checked_at = rt.detail_at = rt.signal_at = NOW
    quiet.records_at = NOW - timedelta(minutes=150)
    busy.records_at = NOW - timedelta(hours=1)
    busy.activity_at = NOW - timedelta(hours=2)
    fresh = _runtime(4)
    plan = lock_plan([quiet, busy, local, fresh], WITHOUT_PUSH, NOW, cap=4, interval=INTERVAL)
    # never-read records first; a quiet door read 2.5 h ago counts as read after a busy
    # door read 1 h ago; the unknown state keeps its quarter of the poll
    assert plan == [("state", 4), ("records", 4), ("records", 2), ("records", 1)]
    # a Bluetooth-only lock is never polled for records; the cap holds
    assert (
        len(lock_plan([quiet, busy, local, fresh], WITHOUT_PUSH, NOW, cap=2, interval=INTERVAL))
        == 2
    )
    # without pushes, records take all of a poll but a quarter, even while first reads are
    # due (and those still progress)
    new = [_runtime(i) for i in range(10, 20)]
    plan = lock_plan(new, WITHOUT_PUSH, NOW, cap=4, interval=INTERVAL)
    assert [kind for kind, _ in plan] == ["state", "records", "records", "records"]
    # with pushes, records read an hour ago are not due
    assert ("records", 2) not in lock_plan(
        [quiet, busy, local], WITH_PUSH, NOW, cap=10, interval=INTERVAL
    )


def test_monthly_estimates_meet_the_targets() -> None:
    home = [_runtime(1), _runtime(2, gateway=False, wifi=True), _runtime(3, gateway=False)]
    estimate = monthly_estimate(home, 1, INTERVAL, 4)
    assert estimate.with_push <= 1_000
    assert estimate.without_push <= 6_000
    building = [_runtime(i) for i in range(50)]
    assert monthly_estimate(building, 5, INTERVAL, 4).with_push <= 3_000
    large = [_runtime(i) for i in range(1_000)]
    assert monthly_estimate(large, 100, INTERVAL, 4).with_push <= 15_000


def test_push_health_transitions() -> None:
    health = PushHealth()
    assert health.state is PushState.WAITING
    health.polled(1, NOW - timedelta(hours=1), NOW)  # not working yet: no evidence
    assert health.state is PushState.WAITING
    health.pushed(NOW)
    assert health.working
    health.polled(1, NOW - timedelta(minutes=1), NOW)  # a push may still be on its way
    assert health.working
    health.expect(1, NOW)
    health.check(NOW + PUSH_GRACE - timedelta(seconds=1))
    assert health.working
    health.check(NOW + PUSH_GRACE)
    assert health.state is PushState.MISSED
    assert not health.issue_due(NOW + PUSH_GRACE)
    assert health.issue_due(NOW + PUSH_GRACE + PUSH_ISSUE_AFTER)
    health.pushed(NOW + timedelta(hours=2), 1)
    assert health.working and not health.issue_due(NOW + timedelta(hours=9))
