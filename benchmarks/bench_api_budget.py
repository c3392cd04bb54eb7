"""Measurement behind benchmarks/api_budget.py (run that script, not pytest directly)."""

from __future__ import annotations

import logging
import random
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ttlock_access.const import DEFAULT_POLL_INTERVAL, EVENT_ACTIVITY
from tests.integration.helpers import CLIENT_ID, Cloud
from tests.integration.webhook_helpers import ClientFactory, enable_push

HERE = Path(__file__).resolve().parent
INTERVAL = timedelta(minutes=DEFAULT_POLL_INTERVAL)
CASES = {
    "home": ("home", 30),
    "building": (str(HERE / "scenarios" / "building.json"), 30),
    "scale": ("scale", 7),
}
RESULTS: list[str] = []


def _seconds(delays: list[float]) -> str:
    if not delays:
        return "none"
    delays = sorted(delays)
    return f"median {delays[len(delays) // 2]:,.0f} s, max {delays[-1]:,.0f} s (n={len(delays)})"


@pytest.mark.parametrize("with_push", [True, False], ids=["push", "no-push"])
@pytest.mark.parametrize(
    ("case", "scenario"), [(name, spec[0]) for name, spec in CASES.items()], ids=list(CASES)
)
async def test_measure(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_client_no_auth: ClientFactory,
    case: str,
    scenario: str,
    with_push: bool,
) -> None:
    """Simulated days of a realistic pattern, counting calls at the simulator."""
    days = CASES[case][1]
    logging.getLogger("asyncio").setLevel(logging.ERROR)  # time warps look like slow tasks
    world = cloud.world

    def sync() -> None:
        world.clock.freeze(int(dt_util.utcnow().timestamp() * 1000))

    async def elapse(seconds: float) -> None:
        freezer.tick(timedelta(seconds=seconds))
        sync()
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)

    sync()
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    runtime = config_entry.runtime_data
    push = await enable_push(hass, cloud, config_entry, hass_client_no_auth) if with_push else None
    if push is None:
        world.apps[CLIENT_ID].callback_url = None

    locks = sorted(runtime.coordinator.data.locks)
    remote = [i for i in locks if runtime.coordinator.data.locks[i].lock.is_remote]
    gateway_locks = [i for i in remote if runtime.coordinator.data.locks[i].lock.has_gateway]
    rng = random.Random(case)
    busy = rng.sample(remote, min(len(remote), 10))  # the doors people use
    gateway_id = next(iter(runtime.coordinator.data.gateways))
    seen: dict[tuple[int, int], float] = {}
    keypad_at: dict[tuple[int, int], float] = {}
    events: Counter[tuple[int, int]] = Counter()

    @callback
    def _on_event(event: Event) -> None:
        data = event.data
        if data["method"] == "passcode" and data["event_type"] == "unlocked":
            key = (data["lock_id"], int(dt_util.parse_datetime(data["at"]).timestamp()))
            events[key] += 1
            seen.setdefault(key, dt_util.utcnow().timestamp())

    hass.bus.async_listen(EVENT_ACTIVITY, _on_event)
    before = world.endpoint_usage(CLIENT_ID)
    outage_delay: list[float] = []
    battery_delay: list[float] = []
    battery_lock = gateway_locks[0]
    level = world.lock(battery_lock).electric_quantity
    pending_battery: tuple[int, float] | None = None
    outage: float | None = None
    outage_done = False

    async def outage_shown(since: float | None) -> float | None:
        """Home Assistant shows the gateway offline: measure, then bring it back."""
        gateway = runtime.coordinator.data.gateways.get(gateway_id)
        if since is None or gateway is None or gateway.is_online:
            return since
        outage_delay.append(dt_util.utcnow().timestamp() - since)
        world.set_gateway_online(gateway_id, True)
        if push is not None:
            push.pusher.notify(CLIENT_ID, 2, gatewayId=gateway_id, isOnline=1)
            await push.settle()
        return None

    polls = int(timedelta(days=days) / INTERVAL)
    for n in range(polls):
        hour = (n * INTERVAL.total_seconds() / 3600) % 24
        if 7 <= hour < 23 and rng.random() < 0.5:  # a keypad unlock at a busy door
            await elapse(rng.randrange(60, int(INTERVAL.total_seconds()) - 60))
            lock_id = rng.choice(busy)
            record = world.add_record(lock_id, 4, username="Guest", keyboard_pwd="1234567")
            keypad_at[(lock_id, record.lock_date // 1000)] = dt_util.utcnow().timestamp()
            if rng.random() < 0.3:
                world.add_record(lock_id, 1, username=cloud.username)  # the app
            if push is not None:
                await push.settle()
        if n == polls // 3 and not outage_done:  # a gateway outage
            world.set_gateway_online(gateway_id, False)
            outage = dt_util.utcnow().timestamp()
            outage_done = True
            if push is not None:
                push.pusher.notify(CLIENT_ID, 2, gatewayId=gateway_id, isOnline=0)
                await push.settle()
                outage = await outage_shown(outage)
        if n % 240 == 120 and pending_battery is None:  # the battery drops every 5 days
            level -= 3
            world.set_battery(battery_lock, level)
            pending_battery = (level, dt_util.utcnow().timestamp())
        await elapse(INTERVAL.total_seconds() + 1 - 0)
        outage = await outage_shown(outage)
        shown = runtime.coordinator.data.locks[battery_lock].battery
        if pending_battery is not None and shown == pending_battery[0]:
            battery_delay.append(dt_util.utcnow().timestamp() - pending_battery[1])
            pending_battery = None

    after = world.endpoint_usage(CLIENT_ID)
    spent = {path: n - before.get(path, 0) for path, n in after.items()}
    spent = {path: n for path, n in spent.items() if n}
    scale = 30 / days
    monthly = round(sum(spent.values()) * scale)
    unlock_delay = [seen[key] - at for key, at in keypad_at.items() if key in seen]
    lost = sum(1 for key in keypad_at if key not in seen)
    dupes = sum(n - 1 for n in events.values() if n > 1)
    mode = "push" if push is not None else "no push"
    lines = [
        f"{case} ({len(locks)} locks, {len(remote)} reachable by the cloud), {mode}, "
        f"{days} simulated days{'' if days == 30 else ' scaled to 30'}:",
        f"  calls per month: {monthly:,}",
        "  per endpoint: "
        + ", ".join(
            f"{p} {round(n * scale):,}" for p, n in sorted(spent.items(), key=lambda item: -item[1])
        ),
        f"  keypad unlocks shown: {_seconds(unlock_delay)}",
        f"  not shown by the end {lost}, duplicated {dupes}",
        f"  gateway outage shown after: {_seconds(outage_delay)}",
        f"  battery change shown after: {_seconds(battery_delay)}",
        f"  pushes: {runtime.coordinator.push.state.value}",
    ]
    RESULTS.append("\n".join(lines))
    print("\n" + RESULTS[-1])
    if len(RESULTS) == len(CASES) * 2:
        print("\n\nTTLock cloud API calls per month (counted by the simulator)\n")
        print("\n\n".join(RESULTS))
        print(
            "\nTargets: with push 3 locks <= 1,000, 50 <= 3,000, 1,000 <= 15,000; without push"
            " 3 locks <= 6,000; with push unlocks at once, outages when pushed, battery <= 6 h.\n"
        )
