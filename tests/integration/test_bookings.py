"""Bookings from a calendar, through Home Assistant's local calendar and the simulated locks:
an event becomes a guest whose code reaches the lock for the stay (with the check-in and
check-out offsets), follows the event when it moves, is revoked when the event is deleted,
is sent once to a notify target, and survives Home Assistant restarting in between."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant import loader
from homeassistant.components.calendar import CalendarEvent
from homeassistant.components.calendar.const import DATA_COMPONENT
from homeassistant.components.local_calendar.calendar import LocalCalendarEntity
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from ical.calendar_stream import IcsCalendarStream
from ical.event import Event
from ical.store import EventStore
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
    async_test_home_assistant,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ttlock_access.access import Credential, CredentialStatus, Holder
from custom_components.ttlock_access.access import holders as ops
from custom_components.ttlock_access.booking_links import (
    NamePatternError,
    check_name_pattern,
    event_key,
    render_name,
)
from custom_components.ttlock_access.bookings import storage_key
from custom_components.ttlock_access.const import DOMAIN
from simulator.lockside import lock_memory
from tests.integration.helpers import Cloud, advance

FRONT = 5001101
GARAGE = 5001102
CALENDAR = "calendar.rental"
LINK = {"link_id": "l1", "calendar": CALENDAR, "locks": ["lock.front_door"]}
"""A link as the options store it (defaults for the rest)."""
HOUR = timedelta(hours=1)


class MemoryCalendarStore:
    """The local calendar's .ics file, kept in memory (no file in the test config folder);
    it survives the calendar's reload like the file would."""

    files: dict[str, str] = {}

    def __init__(self, hass: HomeAssistant, path: Any) -> None:
        self._key = str(path)

    async def async_load(self) -> str:
        return self.files.get(self._key, "")

    async def async_store(self, ics_content: str) -> None:
        self.files[self._key] = ics_content


@pytest.fixture(autouse=True)
def calendar_files() -> Iterator[None]:
    MemoryCalendarStore.files = {}
    with patch("homeassistant.components.local_calendar.LocalCalendarStore", MemoryCalendarStore):
        yield


@pytest.fixture
async def rental(hass: HomeAssistant) -> MockConfigEntry:
    """A local calendar named Rental (``calendar.rental``), standing in for an iCal feed."""
    entry = MockConfigEntry(domain="local_calendar", data={"calendar_name": "Rental"})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(CALENDAR) is not None
    return entry


@pytest.fixture
def phone(hass: HomeAssistant) -> list[ServiceCall]:
    """The host's phone (a notify action)."""
    return async_mock_service(hass, "notify", "host_phone")


@pytest.fixture
def now(freezer: FrozenDateTimeFactory) -> datetime:
    """A fixed moment: 1 May 2030, 09:00 in Home Assistant's time zone."""
    freezer.move_to("2030-05-01T16:00:00+00:00")  # the tests' time zone is US/Pacific
    return dt_util.now()


async def settle(hass: HomeAssistant) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)


async def link_calendar(hass: HomeAssistant, entry: MockConfigEntry, **fields: Any) -> None:
    """Link calendar.rental to locks through the options flow (the entry reloads)."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"edit_bookings": True}
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "booking_add"}
    )
    assert result["step_id"] == "booking"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"calendar": CALENDAR, "locks": ["lock.front_door"], **fields}
    )
    assert result["type"] is FlowResultType.MENU, result.get("errors")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "bookings_done"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await settle(hass)
    assert entry.state is ConfigEntryState.LOADED


async def add_event(hass: HomeAssistant, summary: str, start: datetime, end: datetime) -> str:
    """An event on the calendar (the calendar.create_event action); its uid."""
    await hass.services.async_call(
        "calendar",
        "create_event",
        {
            "entity_id": CALENDAR,
            "summary": summary,
            "start_date_time": start.isoformat(),
            "end_date_time": end.isoformat(),
        },
        blocking=True,
    )
    await settle(hass)
    entity = hass.data[DATA_COMPONENT].get_entity(CALENDAR)
    assert entity is not None
    events = await entity.async_get_events(hass, start - HOUR, end + HOUR)
    [event] = [e for e in events if e.summary == summary]
    assert event.uid
    return event.uid


async def ws(hass: HomeAssistant, hass_ws_client: WebSocketGenerator, msg: dict[str, Any]) -> None:
    """A local calendar websocket command (as the calendar card sends it)."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"entity_id": CALENDAR, **msg})
    reply = await client.receive_json()
    assert reply["success"], reply
    await settle(hass)


async def move_event(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    uid: str,
    summary: str,
    start: datetime,
    end: datetime,
) -> None:
    await ws(
        hass,
        hass_ws_client,
        {
            "type": "calendar/event/update",
            "uid": uid,
            "event": {"summary": summary, "dtstart": start.isoformat(), "dtend": end.isoformat()},
        },
    )


def guests(entry: ConfigEntry[Any]) -> list[Holder]:
    return [h for h in entry.runtime_data.access.state.holders.values() if not h.removed]


def only_code(entry: ConfigEntry[Any], holder: Holder) -> Credential:
    [credential] = entry.runtime_data.access.credentials_of(holder.holder_id)
    return credential


def on_lock(cloud: Cloud, lock_id: int, code: str) -> tuple[datetime, datetime] | None:
    """The window the simulated lock holds for a code (None: not on the lock)."""
    held = lock_memory(cloud.world.locks[lock_id]).passcodes.get(code)
    if held is None:
        return None
    return dt_util.utc_from_timestamp(held.start_ms / 1000), dt_util.utc_from_timestamp(
        held.end_ms / 1000
    )


def logged(caplog: pytest.LogCaptureFixture, code: str) -> list[str]:
    """Log lines with the code (the test harness's own dump of the mocked storage aside)."""
    return [
        r.name
        for r in caplog.records
        if code in r.getMessage() and not r.name.startswith("pytest_homeassistant")
    ]


def stay(now: datetime, days: int, hour: int) -> datetime:
    return (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


# ---------------------------------------------------------------------- the whole life
async def test_event_becomes_guest_moves_and_is_revoked(
    hass: HomeAssistant,
    cloud: Cloud,
    now: datetime,
    setup_entry: MockConfigEntry,
    rental: MockConfigEntry,
    phone: list[ServiceCall],
    hass_ws_client: WebSocketGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A booking's guest gets a code on the lock for the stay plus the offsets, sent once to
    the host's phone; moving and shortening the booking moves the window on the lock (same
    code, same guest); deleting it takes the code off the lock."""
    await link_calendar(
        hass,
        setup_entry,
        checkin_offset=90,
        checkout_offset=30,
        name_pattern="{summary} {start:%d %b}",
        share_to="notify.host_phone",
        message="{{ holder }}: {{ code }} opens {{ lock }} {{ validity }}",
    )
    start, end = stay(now, 2, 15), stay(now, 5, 11)
    uid = await add_event(hass, "Anna Smith", start, end)

    [guest] = guests(setup_entry)
    assert guest.name == "Anna Smith 03 May"
    credential = only_code(setup_entry, guest)
    code = str(credential.secret)
    window = (
        dt_util.as_utc(start - 90 * timedelta(minutes=1)),
        dt_util.as_utc(end + 30 * timedelta(minutes=1)),
    )
    assert (credential.starts_at, credential.ends_at) == window
    assert credential.placements[FRONT].state.value == "set"
    assert on_lock(cloud, FRONT, code) == window
    assert GARAGE not in credential.placements  # only the linked locks
    # sent once, with the code, only to the phone
    [sent] = phone
    assert sent.data["message"] == (
        f"Anna Smith 03 May: {code} opens Front Door from 2030-05-03 13:30 until 2030-05-06 11:30"
    )
    assert not logged(caplog, code)

    # the guest arrives a day later and leaves a day later: the window follows on the lock
    start, end = stay(now, 3, 16), stay(now, 6, 10)
    await move_event(hass, hass_ws_client, uid, "Anna Smith", start, end)
    window = (
        dt_util.as_utc(start - 90 * timedelta(minutes=1)),
        dt_util.as_utc(end + 30 * timedelta(minutes=1)),
    )
    assert guests(setup_entry) == [guest]
    assert only_code(setup_entry, guest) is credential
    assert (credential.starts_at, credential.ends_at) == window
    assert on_lock(cloud, FRONT, code) == window
    assert len(phone) == 1  # the same code: not sent again

    # shortened by a night
    end = stay(now, 5, 10)
    await move_event(hass, hass_ws_client, uid, "Anna Smith", start, end)
    assert on_lock(cloud, FRONT, code) == (window[0], dt_util.as_utc(end + timedelta(minutes=30)))

    # cancelled: the guest is checked out and the code leaves the lock
    await ws(hass, hass_ws_client, {"type": "calendar/event/delete", "uid": uid})
    assert guests(setup_entry) == []
    assert credential.status is CredentialStatus.REVOKED
    assert credential.placements[FRONT].state.value == "removed"
    assert on_lock(cloud, FRONT, code) is None
    assert not logged(caplog, code)


async def test_default_link_and_name(
    hass: HomeAssistant,
    cloud: Cloud,
    now: datetime,
    setup_entry: MockConfigEntry,
    rental: MockConfigEntry,
    phone: list[ServiceCall],
) -> None:
    """Defaults: the summary names the guest, 60 minutes either side, nothing is sent; two
    bookings with the same summary (feeds often say "Reserved") get two guests."""
    await link_calendar(hass, setup_entry)
    start, end = stay(now, 1, 15), stay(now, 2, 11)
    await add_event(hass, "Reserved", start, end)
    await add_event(hass, "Reserved", stay(now, 4, 15), stay(now, 6, 11))
    first, second = sorted(guests(setup_entry), key=lambda h: h.name)
    assert (first.name, second.name) == ("Reserved", "Reserved (2)")
    credential = only_code(setup_entry, first)
    assert (credential.starts_at, credential.ends_at) == (
        dt_util.as_utc(start - HOUR),
        dt_util.as_utc(end + HOUR),
    )
    assert on_lock(cloud, FRONT, str(credential.secret)) is not None
    assert only_code(setup_entry, second).secret != credential.secret
    assert phone == []


async def test_all_day_booking(
    hass: HomeAssistant,
    cloud: Cloud,
    now: datetime,
    setup_entry: MockConfigEntry,
    rental: MockConfigEntry,
) -> None:
    """Booking feeds give whole days (the departure day as end): offsets turn them into
    check-in at 15:00 and check-out at 11:00, Home Assistant's time."""
    await link_calendar(hass, setup_entry, checkin_offset=-900, checkout_offset=660)
    first, departure = (now + timedelta(days=3)).date(), (now + timedelta(days=6)).date()
    await hass.services.async_call(
        "calendar",
        "create_event",
        {
            "entity_id": CALENDAR,
            "summary": "Airbnb (Kim)",
            "start_date": first.isoformat(),
            "end_date": departure.isoformat(),
        },
        blocking=True,
    )
    await settle(hass)
    [guest] = guests(setup_entry)
    code = str(only_code(setup_entry, guest).secret)
    assert on_lock(cloud, FRONT, code) == (
        dt_util.as_utc(stay(now, 3, 15)),
        dt_util.as_utc(stay(now, 6, 11)),
    )


# ---------------------------------------------------------------------- restarts
async def test_bookings_survive_home_assistant_restarting(
    hass: HomeAssistant,
    cloud: Cloud,
    now: datetime,
    setup_entry: MockConfigEntry,
    rental: MockConfigEntry,
    phone: list[ServiceCall],
    hass_storage: dict[str, Any],
) -> None:
    """Two codes were issued and sent; Home Assistant stops; while it is off the rental's
    feed moves one booking and cancels the other; a second Home Assistant starts from what
    the first one stored: the same guest's window moves on the lock (no second guest, code or
    message) and the cancelled guest's code leaves the lock."""
    await link_calendar(hass, setup_entry, share_to="host_phone")
    moved = await add_event(hass, "Ben", stay(now, 2, 15), stay(now, 4, 11))
    cancelled = await add_event(hass, "Cleo", stay(now, 5, 15), stay(now, 6, 11))
    ben, cleo = sorted(guests(setup_entry), key=lambda h: h.name)
    ben_code = str(only_code(setup_entry, ben).secret)
    cleo_code = str(only_code(setup_entry, cleo).secret)
    assert on_lock(cloud, FRONT, cleo_code) is not None
    assert len(phone) == 2
    entries = [
        (e.domain, e.entry_id, e.unique_id, e.title, dict(e.data), dict(e.options))
        for e in (rental, setup_entry)
    ]
    await hass.async_stop()  # Stores and registries are written at the final write

    # what was stored links the events to the guests, without any code
    stored = json.dumps(hass_storage[storage_key(setup_entry.entry_id)])
    assert moved in stored
    assert ben.holder_id in stored
    assert ben_code not in stored
    assert cleo_code not in stored

    # meanwhile the feed changes (the calendar's .ics is edited with Home Assistant off)
    start, end = stay(now, 3, 15), stay(now, 7, 11)
    [path] = MemoryCalendarStore.files
    calendar = IcsCalendarStream.calendar_from_ics(MemoryCalendarStore.files[path])
    events = EventStore(calendar)
    events.edit(moved, Event(summary="Ben", start=start, end=end))
    events.delete(cancelled)
    MemoryCalendarStore.files[path] = IcsCalendarStream.calendar_to_ics(calendar)

    async with async_test_home_assistant() as again:
        again.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        phone_again = async_mock_service(again, "notify", "host_phone")
        for domain, entry_id, unique_id, title, data, options in entries:
            MockConfigEntry(
                domain=domain,
                entry_id=entry_id,
                unique_id=unique_id,
                title=title,
                data=data,
                options=options,
            ).add_to_hass(again)
        assert await async_setup_component(again, "local_calendar", {})
        assert await async_setup_component(again, DOMAIN, {})
        await settle(again)
        entry = again.config_entries.async_get_entry(setup_entry.entry_id)
        assert entry is not None
        assert entry.state is ConfigEntryState.LOADED

        [guest] = guests(entry)
        assert guest.holder_id == ben.holder_id
        credential = only_code(entry, guest)
        assert credential.secret == ben_code
        window = (dt_util.as_utc(start - HOUR), dt_util.as_utc(end + HOUR))
        assert (credential.starts_at, credential.ends_at) == window
        assert on_lock(cloud, FRONT, ben_code) == window
        assert on_lock(cloud, FRONT, cleo_code) is None
        assert phone_again == []
        # as the test harness does for its own instance: entries unload, so no timer lingers
        for loaded in again.config_entries.async_entries():
            assert await again.config_entries.async_unload(loaded.entry_id)
        await again.async_stop()


async def test_restart_between_record_and_guest(
    hass: HomeAssistant,
    cloud: Cloud,
    now: datetime,
    config_entry: MockConfigEntry,
    rental: MockConfigEntry,
    phone: list[ServiceCall],
    hass_storage: dict[str, Any],
) -> None:
    """Home Assistant stopped after a booking was recorded but before its guest existed:
    at the next start the guest is made once, gets a code and the message goes out."""
    uid = await add_event(hass, "Hal", stay(now, 2, 15), stay(now, 4, 11))
    hass.config_entries.async_update_entry(
        config_entry,
        options={"bookings": [{**LINK, "share_to": "notify.host_phone"}]},
    )
    key = storage_key(config_entry.entry_id)
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {"links": {"l1": {uid: {"name": "Hal", "holder_id": None, "shared": False}}}},
    }
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    [guest] = guests(config_entry)
    assert guest.name == "Hal"
    code = str(only_code(config_entry, guest).secret)
    assert on_lock(cloud, FRONT, code) == (
        dt_util.as_utc(stay(now, 2, 15) - HOUR),
        dt_util.as_utc(stay(now, 4, 11) + HOUR),
    )
    [sent] = phone
    assert code in sent.data["message"]


# ---------------------------------------------------------------------- safety
async def test_refused_grant_retried_sparingly(
    hass: HomeAssistant,
    cloud: Cloud,
    freezer: FrozenDateTimeFactory,
    now: datetime,
    config_entry: MockConfigEntry,
    rental: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A booking the lock's monthly passcode limit refuses keeps its guest without a code,
    logged once and tried again every 15 minutes (not at every calendar update, which would
    spend API calls); in the next month it gets its code."""
    hass.config_entries.async_update_entry(
        config_entry, options={"monthly_passcode_limit": 1, "bookings": [LINK]}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    await add_event(hass, "Ida", stay(now, 2, 15), stay(now, 4, 11))
    await add_event(hass, "Jon", stay(now, 29, 15), stay(now, 33, 11))
    ida, jon = sorted(guests(config_entry), key=lambda h: h.name)
    assert only_code(config_entry, ida).placements[FRONT].state.value == "set"
    assert config_entry.runtime_data.access.credentials_of(jon.holder_id) == []

    with (
        patch.object(ops, "async_grant", wraps=ops.async_grant) as grants,
        patch.object(
            LocalCalendarEntity,
            "async_get_events",
            autospec=True,
            side_effect=LocalCalendarEntity.async_get_events,
        ) as reads,
    ):
        for _ in range(5):  # the calendar writes its state every minute: no retry each time
            await advance(hass, freezer, 61)
        assert reads.call_count >= 5  # each time read, and compared
        assert grants.call_count == 0
        await advance(hass, freezer, 15 * 60)  # then one retry, still refused
        assert grants.call_count == 1
    assert config_entry.runtime_data.access.credentials_of(jon.holder_id) == []
    assert len([r for r in caplog.records if "not synced" in r.getMessage()]) == 1

    freezer.move_to(stay(now, 31, 0))  # 1 June: a new month
    await advance(hass, freezer, 16 * 60)
    assert only_code(config_entry, ida).status is CredentialStatus.EXPIRED  # over
    code = only_code(config_entry, jon)
    assert code.placements[FRONT].state.value == "set"
    assert on_lock(cloud, FRONT, str(code.secret)) is not None


async def test_unreadable_calendar_revokes_nothing(
    hass: HomeAssistant,
    cloud: Cloud,
    freezer: FrozenDateTimeFactory,
    now: datetime,
    setup_entry: MockConfigEntry,
    rental: MockConfigEntry,
) -> None:
    """A calendar that is gone (its integration unloaded, a feed not loaded yet) decides
    nothing: the guests keep their codes until it can be read again."""
    await link_calendar(hass, setup_entry)
    await add_event(hass, "Dora", stay(now, 1, 15), stay(now, 3, 11))
    [guest] = guests(setup_entry)
    code = str(only_code(setup_entry, guest).secret)
    assert await hass.config_entries.async_unload(rental.entry_id)
    await advance(hass, freezer, 16 * 60)  # a scheduled sync
    assert guests(setup_entry) == [guest]
    assert on_lock(cloud, FRONT, code) is not None
    assert await hass.config_entries.async_setup(rental.entry_id)
    await advance(hass, freezer, 16 * 60)
    assert guests(setup_entry) == [guest]


async def test_empty_feed_holds_cancellations_until_confirmed(
    hass: HomeAssistant,
    cloud: Cloud,
    freezer: FrozenDateTimeFactory,
    now: datetime,
    setup_entry: MockConfigEntry,
    rental: MockConfigEntry,
) -> None:
    """A calendar that suddenly lists nothing while two guests are booked (an iCal feed that
    failed) revokes nobody: a repair issue asks the host, the feed coming back clears it, and
    confirming that the bookings are cancelled checks the guests out."""
    await link_calendar(hass, setup_entry)
    await add_event(hass, "Eve", stay(now, 0, 8), stay(now, 2, 11))  # staying now
    await add_event(hass, "Finn", stay(now, 4, 15), stay(now, 6, 11))
    codes = [str(only_code(setup_entry, g).secret) for g in guests(setup_entry)]
    assert len(codes) == 2
    issues = ir.async_get(hass)
    link_id = setup_entry.options["bookings"][0]["link_id"]
    issue_id = f"bookings_feed_empty_{setup_entry.entry_id}_{link_id}"

    with patch.object(LocalCalendarEntity, "async_get_events", return_value=[]):
        await advance(hass, freezer, 16 * 60)  # a scheduled sync reads an empty calendar
        assert len(guests(setup_entry)) == 2
        assert all(on_lock(cloud, FRONT, code) is not None for code in codes)
        issue = issues.async_get_issue(DOMAIN, issue_id)
        assert issue is not None and issue.is_fixable
        assert issue.translation_placeholders == {"calendar": "Rental", "count": "2"}
    await advance(hass, freezer, 16 * 60)  # the feed is back: nothing to ask any more
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert len(guests(setup_entry)) == 2

    with patch.object(LocalCalendarEntity, "async_get_events", return_value=[]):
        await advance(hass, freezer, 16 * 60)
        assert issues.async_get_issue(DOMAIN, issue_id) is not None
        assert await async_setup_component(hass, "repairs", {})
        flows = repairs_flow_manager(hass)
        assert flows is not None
        flow = await flows.async_init(DOMAIN, context={"issue_id": issue_id})
        assert flow["step_id"] == "confirm"
        assert flow["description_placeholders"] == {"calendar": "Rental", "count": "2"}
        done = await flows.async_configure(flow["flow_id"], {})
        assert done["type"] == "create_entry"
        await settle(hass)
        assert guests(setup_entry) == []
        assert all(on_lock(cloud, FRONT, code) is None for code in codes)
        assert issues.async_get_issue(DOMAIN, issue_id) is None


async def test_panel_overview_shows_links_and_bookings(
    hass: HomeAssistant,
    now: datetime,
    setup_entry: MockConfigEntry,
    rental: MockConfigEntry,
    phone: list[ServiceCall],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The Access panel's overview lists each linked calendar, its locks and offsets and the
    guests it booked (their windows in Home Assistant's time zone), without any code."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "ttlock_access/overview"})
    assert (await client.receive_json())["result"]["bookings"] == []
    await link_calendar(hass, setup_entry, checkin_offset=30, share_to="notify.host_phone")
    start, end = stay(now, 1, 15), stay(now, 3, 11)
    await add_event(hass, "Hugo", start, end)
    [guest] = guests(setup_entry)
    code = str(only_code(setup_entry, guest).secret)
    await client.send_json_auto_id({"type": "ttlock_access/overview"})
    reply = await client.receive_json()
    [link] = reply["result"]["bookings"]
    assert link["calendar"] == CALENDAR
    assert link["calendar_name"] == "Rental"
    assert link["locks"] == [{"entity_id": "lock.front_door", "name": "Front Door"}]
    assert (link["checkin_offset"], link["checkout_offset"]) == (30, 60)
    assert link["share_to"] == "notify.host_phone"
    assert link["held"] == 0
    assert link["guests"] == [
        {
            "holder_id": guest.holder_id,
            "name": "Hugo",
            "starts_at": (start - timedelta(minutes=30)).isoformat(),
            "ends_at": (end + HOUR).isoformat(),
        }
    ]
    assert code not in json.dumps(reply)


async def test_one_cancellation_is_never_held(
    hass: HomeAssistant,
    cloud: Cloud,
    freezer: FrozenDateTimeFactory,
    now: datetime,
    setup_entry: MockConfigEntry,
    rental: MockConfigEntry,
) -> None:
    """The only booking of a calendar cancelled (the calendar is empty): revoked at once."""
    await link_calendar(hass, setup_entry)
    await add_event(hass, "Gus", stay(now, 1, 15), stay(now, 3, 11))
    [guest] = guests(setup_entry)
    code = str(only_code(setup_entry, guest).secret)
    with patch.object(LocalCalendarEntity, "async_get_events", return_value=[]):
        await advance(hass, freezer, 16 * 60)
    assert guests(setup_entry) == []
    assert on_lock(cloud, FRONT, code) is None
    assert not [
        i for i in ir.async_get(hass).issues.values() if i.issue_id.startswith("bookings_feed")
    ]


async def test_over_and_checked_out_guests(
    hass: HomeAssistant,
    cloud: Cloud,
    freezer: FrozenDateTimeFactory,
    now: datetime,
    setup_entry: MockConfigEntry,
    rental: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A stay that is over is not revoked (its code expired by itself) and a guest checked
    out by a person is not given access again for the same booking."""
    await link_calendar(hass, setup_entry, checkout_offset=0)
    await add_event(hass, "Eve", now + HOUR, now + 3 * HOUR)
    uid = await add_event(hass, "Finn", stay(now, 2, 15), stay(now, 3, 11))
    eve, finn = sorted(guests(setup_entry), key=lambda h: h.name)
    eve_code = only_code(setup_entry, eve)

    await hass.services.async_call("ttlock_access", "check_out", {"holder": "Finn"}, blocking=True)
    await move_event(hass, hass_ws_client, uid, "Finn", stay(now, 2, 16), stay(now, 3, 11))
    assert guests(setup_entry) == [eve]
    assert finn.removed

    await advance(hass, freezer, 4 * 3600)  # Eve's stay is over
    assert eve_code.status is CredentialStatus.EXPIRED
    assert not eve.removed  # not checked out: nothing was cancelled


async def test_event_outside_look_ahead_waits(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    now: datetime,
    setup_entry: MockConfigEntry,
    rental: MockConfigEntry,
) -> None:
    """A booking more than 30 days ahead gets its guest once it comes within 30 days."""
    await link_calendar(hass, setup_entry)
    await add_event(hass, "Gus", stay(now, 40, 15), stay(now, 42, 11))
    assert guests(setup_entry) == []
    freezer.tick(timedelta(days=11))
    await advance(hass, freezer, 16 * 60)
    [guest] = guests(setup_entry)
    assert guest.name == "Gus"


# ---------------------------------------------------------------------- options
async def test_options_refuse_bad_links(
    hass: HomeAssistant, setup_entry: MockConfigEntry, rental: MockConfigEntry
) -> None:
    """Wrong locks, an unsafe name pattern, an unknown notify target and a broken template
    are refused with translated errors; a link can be edited and removed."""
    flow = await hass.config_entries.options.async_init(setup_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"edit_bookings": True}
    )
    assert [*result["menu_options"]] == ["booking_add", "bookings_done"]
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "booking_add"}
    )
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {
            "calendar": CALENDAR,
            "locks": [],
            "name_pattern": "{summary.__class__}",
            "share_to": "notify.nobody",
            "message": "{{ code ",
        },
    )
    assert result["errors"] == {
        "locks": "booking_locks",
        "name_pattern": "booking_name_pattern",
        "share_to": "share_target_unknown",
        "message": "share_message_invalid",
    }
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"calendar": CALENDAR, "locks": ["lock.front_door"]}
    )
    assert [*result["menu_options"]] == [
        "booking_add",
        "booking_edit",
        "booking_remove",
        "bookings_done",
    ]
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "bookings_done"}
    )
    [link] = setup_entry.options["bookings"]
    assert link["locks"] == ["lock.front_door"]
    assert (link["checkin_offset"], link["checkout_offset"]) == (60, 60)
    assert link["name_pattern"] == "{summary}"
    await settle(hass)

    # the settings alone keep the links
    flow = await hass.config_entries.options.async_init(setup_entry.entry_id)
    await hass.config_entries.options.async_configure(flow["flow_id"], {})
    assert setup_entry.options["bookings"] == [link]
    await settle(hass)

    # edit, then remove
    flow = await hass.config_entries.options.async_init(setup_entry.entry_id)
    await hass.config_entries.options.async_configure(flow["flow_id"], {"edit_bookings": True})
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "booking_edit"}
    )
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"link": link["link_id"]}
    )
    assert result["step_id"] == "booking"
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {"calendar": CALENDAR, "locks": ["lock.front_door", "lock.garage"], "checkin_offset": 0},
    )
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "booking_remove"}
    )
    result = await hass.config_entries.options.async_configure(flow["flow_id"], {"link": []})
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "bookings_done"}
    )
    [edited] = setup_entry.options["bookings"]
    assert edited["link_id"] == link["link_id"]
    assert edited["locks"] == ["lock.front_door", "lock.garage"]
    assert edited["checkin_offset"] == 0
    await settle(hass)

    flow = await hass.config_entries.options.async_init(setup_entry.entry_id)
    await hass.config_entries.options.async_configure(flow["flow_id"], {"edit_bookings": True})
    await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "booking_remove"}
    )
    await hass.config_entries.options.async_configure(flow["flow_id"], {"link": [link["link_id"]]})
    await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "bookings_done"}
    )
    assert setup_entry.options["bookings"] == []
    await settle(hass)


def test_name_patterns() -> None:
    """Only the event's fields, with a format for dates; nothing reaches attributes."""
    event = CalendarEvent(
        dt_util.parse_datetime("2030-05-03T15:00:00+00:00"),
        dt_util.parse_datetime("2030-05-05T11:00:00+00:00"),
        "Anna\tSmith\n",
        location="Flat 2",
        uid="abc",
    )
    assert render_name("{summary}", event) == "Anna Smith"
    assert render_name("{summary} ({location}, {uid})", event) == "Anna Smith (Flat 2, abc)"
    assert render_name("", event) == "Guest"
    assert len(render_name("{summary}" * 40, event)) <= 64
    for bad in ("{summary.__class__}", "{summary!r}", "{0}", "{start:%d %b", "{secret}"):
        with pytest.raises(NamePatternError):
            check_name_pattern(bad)
    check_name_pattern("{summary} {start:%d %b}–{end:%d %b}")
    # an event without a uid is known by its summary and start
    no_uid = CalendarEvent(event.start, event.end, "Anna")
    assert event_key(no_uid) == event_key(CalendarEvent(event.start, event.end + HOUR, "Anna"))
    assert event_key(no_uid) != event_key(CalendarEvent(event.end, event.end + HOUR, "Anna"))
    assert event_key(event) == "abc"
