"""Measurement behind benchmarks/push_latency.py (run that script, not pytest directly)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ttlock_access.activity import Source
from custom_components.ttlock_access.const import DEFAULT_POLL_INTERVAL, DOMAIN
from tests.integration.helpers import CLIENT_ID, Cloud
from tests.integration.webhook_helpers import FRONT_DOOR, ClientFactory, capture, enable_push

RECORDS = 1_000
CARD = "3661413478"


async def _cycle(hass: HomeAssistant, freezer: FrozenDateTimeFactory, cloud: Cloud) -> None:
    """One poll interval later, the simulated cloud's clock moving with Home Assistant's."""
    freezer.tick(timedelta(seconds=DEFAULT_POLL_INTERVAL * 60 + 1))
    cloud.world.clock.freeze(int(dt_util.utcnow().timestamp() * 1000))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_measure(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_client_no_auth: ClientFactory,
) -> None:
    """1,000 lock records pushed by the simulated cloud, then polling that overlaps them."""
    world = cloud.world
    push = await enable_push(hass, cloud, setup_entry, hass_client_no_auth)
    code = await hass.services.async_call(
        DOMAIN,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Cleaner", "holder": "Maria", "length": 8},
        blocking=True,
        return_response=True,
    )
    assert isinstance(code, dict)
    world.clock.freeze(int(dt_util.utcnow().timestamp() * 1000))
    events = capture(hass)
    before = world.usage(CLIENT_ID)

    # a busy door: codes, a card, the app, the gateway, the door sensor, auto-lock, one
    # action per second (what a lock can record)
    actions = [
        lambda: world.enter_code(FRONT_DOOR, code["code"]),
        lambda: world.add_record(FRONT_DOOR, 31),
        lambda: world.add_record(FRONT_DOOR, 30),
        lambda: world.add_record(FRONT_DOOR, 45),
        lambda: world.add_record(FRONT_DOOR, 7, username="Blue card", keyboard_pwd=CARD),
        lambda: world.add_record(FRONT_DOOR, 1, username="demo@example.com"),
        lambda: world.enter_code(FRONT_DOOR, "90909090"),  # a wrong code
        lambda: world.add_record(FRONT_DOOR, 12, username="demo@example.com"),
    ]
    for i in range(RECORDS):
        actions[i % len(actions)]()
        world.clock.advance(1)
    await push.settle()
    push_calls = world.usage(CLIENT_ID) - before
    pushed_events = len(events)
    answered = sum(c.ok for c in push.pusher.sent)

    # polling overlaps the pushed records: the safety-net polls, then a full re-read
    activity = setup_entry.runtime_data.activity
    duplicates = activity.stats["duplicates"]
    poll_before = world.usage(CLIENT_ID)
    freezer.tick(timedelta(seconds=RECORDS))  # Home Assistant's clock catches up
    for _ in range(2):
        await _cycle(hass, freezer, cloud)
    poll_calls = world.usage(CLIENT_ID) - poll_before
    polled_dupes = activity.stats["duplicates"] - duplicates
    after_poll = len(events)
    polled_records = activity.stats["poll"]
    records = await setup_entry.runtime_data.coordinator.cloud.list_lock_records(FRONT_DOOR)
    reread_new = await activity.async_process_cloud(records, Source.POLL)

    keys = Counter((e["at"], e["event_type"], e["method"]) for e in events)
    methods = Counter(e["method"] for e in events)
    print("\n\nTTLock push path: 1,000 lock records pushed by the simulated cloud")
    print(f"  callbacks answered 'success':              {answered} / {len(push.pusher.sent)}")
    print(f"  cloud API calls caused by the pushes:      {push_calls}  (target 0)")
    print(f"  events emitted by the pushes:              {pushed_events}  (target {RECORDS:,})")
    print(
        f"  2 poll cycles after the pushes:            {poll_calls} calls (lockRecord/list: "
        f"{polled_records} records read), {polled_dupes} dropped as duplicates, "
        f"{after_poll - pushed_events} new events"
    )
    print(
        f"  full re-read of lockRecord/list:           {len(records)} records "
        f"(9 from before setup), {reread_new} new events"
    )
    print(
        f"  events in total:                           {len(events)}  "
        f"(distinct {len(keys)}; duplicates {sum(n - 1 for n in keys.values())}, target 0)"
    )
    print(f"  by method: {dict(sorted(methods.items()))}")
    uses = setup_entry.runtime_data.access.state.credentials[code["credential_id"]].uses
    print(f"  uses counted for the cleaner's code:       {uses}\n")
    assert push_calls == 0
    assert pushed_events == RECORDS
    assert len(events) == len(keys) == RECORDS
