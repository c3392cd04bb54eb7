"""Bookings from a calendar: each event of a linked calendar becomes a guest with a code.

A host links a set of locks of this entry to any Home Assistant calendar entity (a rental's
iCal feed, a local calendar) in the options (``bookings`` option, :class:`BookingLink`).
:class:`BookingSync` reads each linked calendar's events over the next 30 days every 15
minutes, when the entry starts and whenever the calendar entity writes its state, and
reconciles them with the access model:

* a new event → a guest holder (named from the event by the link's pattern) with a generated
  code on the linked locks, valid from the event's start minus the check-in offset to its end
  plus the check-out offset (``access.holders.async_grant``, as the ``grant_access`` action),
  sent once to the link's notify target with its message template (``sharing.py``);
* an event whose times changed → the guest's window moves (the access model's validity
  update: the same code, a new window on every lock);
* an event gone before its window ended (deleted, cancelled, moved beyond the look-ahead,
  or shortened into the past) → the guest is checked out (every credential revoked);
* a calendar that suddenly lists no event at all while two or more of its bookings are still
  to come or under way looks like a feed that failed (an iCal source answering an empty
  calendar), not like that many cancellations: those guests keep their access, and a repair
  issue asks the host to confirm the cancellations (or the feed comes back by itself). A
  single cancelled booking is never held.

Which event made which guest is kept in a Store of its own (event key → holder id), written
before the guest is created and again once they exist, so a restart at any point neither
duplicates a guest nor loses one. An event is keyed by its uid (and recurrence id); an event
without a uid by a hash of its summary and start, so moving it revokes the old code and
issues a new one. A guest checked out by a person is never given access again for the same
event. Codes are never logged: log lines name the calendar and the event's key only.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.components.calendar import CalendarEvent
from homeassistant.components.calendar.const import DATA_COMPONENT
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_state_report_event,
    async_track_time_interval,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .access import AccessError, AccessManager, CredentialKind, CredentialStatus, Holder
from .access import holders as ops
from .access.model import HolderKind
from .actions import LOCK_DOMAIN, LockTarget, credential_response, response_time
from .booking_links import Booking, BookingLink, event_key, links_of, render_name
from .const import DOMAIN, ISSUE_BOOKINGS_FEED_EMPTY
from .sdk.cloud.errors import TTLockError
from .sharing import async_share, resolve_targets

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION: Final = 1
LOOKAHEAD: Final = timedelta(days=30)
"""Events starting within this time get their guest (and code) now."""
SYNC_INTERVAL: Final = timedelta(minutes=15)
CODE_LENGTH: Final = 6
EMPTY_FEED_HOLD: Final = 2
"""An empty calendar cancels this many live bookings at once only when the host confirms."""


def storage_key(entry_id: str) -> str:
    """The Store of an entry's bookings (event → guest)."""
    return f"{DOMAIN}.{entry_id}.bookings"


def feed_issue_id(entry_id: str, link_id: str) -> str:
    """The repair issue of a link whose calendar came back empty."""
    return f"{ISSUE_BOOKINGS_FEED_EMPTY}_{entry_id}_{link_id}"


type _Bookings = dict[str, Booking]


def _entity_name(hass: HomeAssistant, registry: er.EntityRegistry, entity_id: str) -> str:
    """An entity's shown name (its id when it is gone)."""
    if (state := hass.states.get(entity_id)) is not None:
        return state.name
    registered = registry.async_get(entity_id)
    return (registered.name or registered.original_name or entity_id) if registered else entity_id


def _live(booking: Booking, now: datetime) -> bool:
    """A booking still to come or under way."""
    return booking.ends_at is None or booking.ends_at > now


# ---------------------------------------------------------------------- the sync
class BookingSync:
    """Keeps the guests of an entry's linked calendars in step with their events."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], manager: AccessManager):
        self.hass = hass
        self.entry = entry
        self.manager = manager
        self.links = links_of(entry.options)
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id), private=True
        )
        self._bookings: dict[str, _Bookings] = {}
        self._lock = asyncio.Lock()
        self._again = False
        self._task: asyncio.Task[None] | None = None
        self._unsubs: list[CALLBACK_TYPE] = []
        self._unreadable: set[str] = set()
        self._confirmed_empty: set[str] = set()
        """Links whose empty calendar the host confirmed (its bookings are cancelled)."""
        self._failing: dict[str, datetime] = {}
        """Events whose last sync failed → when to try again (a calendar writes its state
        every minute: a refused grant must not cost an API call each time)."""

    # ------------------------------------------------------------------ lifecycle
    async def async_load(self) -> None:
        """Read which event made which guest (links removed from the options are forgotten:
        their guests stay, as any other guest)."""
        stored = await self._store.async_load() or {}
        wanted = {link.link_id for link in self.links}
        self._bookings = {
            link_id: {key: Booking.from_json(item) for key, item in items.items()}
            for link_id, items in (stored.get("links") or {}).items()
            if link_id in wanted
        }

    @callback
    def async_start(self) -> None:
        """Sync now (once Home Assistant has started), every 15 minutes, and whenever a
        linked calendar writes its state (an event added, changed or deleted)."""
        if not self.links:
            return
        calendars = sorted({link.calendar for link in self.links})
        self._unsubs = [
            async_track_time_interval(self.hass, self._on_time, SYNC_INTERVAL),
            async_track_state_change_event(self.hass, calendars, self._on_calendar),
            async_track_state_report_event(self.hass, calendars, self._on_calendar),
            async_at_started(self.hass, self._on_started),
        ]

    @callback
    def async_stop(self) -> None:
        """Stop timers and listeners (a running sync is cancelled with the entry)."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []

    async def _on_started(self, _hass: HomeAssistant) -> None:
        self.async_request_sync()

    @callback
    def _on_time(self, _now: datetime) -> None:
        self.async_request_sync()

    @callback
    def _on_calendar(self, _event: Event[Any]) -> None:
        self.async_request_sync()

    @callback
    def async_request_sync(self) -> None:
        """Sync in the background; requests while one runs make one more run after it."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = self.entry.async_create_background_task(
                self.hass, self._async_run(), f"{DOMAIN} bookings {self.entry.entry_id}"
            )

    async def _async_run(self) -> None:
        while self._again:
            self._again = False
            await self.async_sync()

    # ------------------------------------------------------------------ the sync
    async def async_sync(self) -> None:
        """Reconcile every link's events with its guests once."""
        async with self._lock:
            for link in self.links:
                await self._async_sync_link(link, dt_util.utcnow())

    def _targets(self, link: BookingLink) -> list[LockTarget]:
        """The link's locks that this entry has now (a lock that left it is skipped)."""
        registry = er.async_get(self.hass)
        coordinator = self.manager.coordinator
        targets: list[LockTarget] = []
        for entity_id in link.locks:
            registered = registry.async_get(entity_id)
            if (
                registered is None
                or registered.config_entry_id != self.entry.entry_id
                or registered.domain != LOCK_DOMAIN
            ):
                continue
            lock_id = str(registered.unique_id).split("_", 1)[0]
            rt = coordinator.data.locks.get(int(lock_id)) if lock_id.isdigit() else None
            if rt is not None:
                targets.append(LockTarget(entity_id, coordinator, self.manager, rt))
        return targets

    async def _async_events(self, link: BookingLink, now: datetime) -> list[CalendarEvent] | None:
        """The events whose code may still be valid or starts within the look-ahead; None
        when the calendar cannot say (not loaded, unavailable): nothing is decided then."""
        component = self.hass.data.get(DATA_COMPONENT)
        entity = component.get_entity(link.calendar) if component else None
        state = self.hass.states.get(link.calendar)
        if entity is None or state is None or state.state == STATE_UNAVAILABLE:
            _LOGGER.debug("Calendar %s is not available: bookings not synced", link.calendar)
            return None
        since = now - timedelta(minutes=max(link.checkout, 0))
        until = now + LOOKAHEAD + timedelta(minutes=max(link.checkin, 0))
        try:
            events = await entity.async_get_events(
                self.hass, dt_util.as_local(since), dt_util.as_local(until)
            )
        except HomeAssistantError as err:
            if link.calendar not in self._unreadable:  # logged once until it reads again
                _LOGGER.warning("Could not read calendar %s: %s", link.calendar, err)
            self._unreadable.add(link.calendar)
            return None
        self._unreadable.discard(link.calendar)
        return events

    async def _async_sync_link(self, link: BookingLink, now: datetime) -> None:
        targets = self._targets(link)
        if not targets:
            return  # the locks are not there (yet): nothing is decided
        events = await self._async_events(link, now)
        if events is None:
            return
        bookings = self._bookings.setdefault(link.link_id, {})
        seen: set[str] = set()
        for event in events:
            key = event_key(event)
            if key in seen:
                continue
            seen.add(key)
            if (retry := self._failing.get(key)) is not None and now < retry:
                continue
            starts, ends = link.window(event)
            booking = bookings.get(key)
            if booking is None and (ends <= now or ends <= starts or starts > now + LOOKAHEAD):
                continue
            try:
                if booking is None:
                    await self._async_new(link, targets, bookings, key, event, starts, ends)
                elif ends <= now or ends <= starts:
                    await self._async_gone(bookings, key, now)  # shortened into the past
                else:
                    await self._async_follow(link, targets, booking, event, starts, ends)
            except (AccessError, HomeAssistantError, TTLockError) as err:
                if key not in self._failing:  # logged once, not at every try
                    _LOGGER.warning(
                        "Booking %s of %s not synced (tried again in 15 minutes): %s",
                        key,
                        link.calendar,
                        type(err).__name__,
                    )
                self._failing[key] = now + SYNC_INTERVAL
            else:
                self._failing.pop(key, None)
        gone = [key for key in bookings if key not in seen]
        live = [key for key in gone if _live(bookings[key], now)]
        held = (
            not events
            and len(live) >= EMPTY_FEED_HOLD
            and link.link_id not in self._confirmed_empty
        )
        self._confirmed_empty.discard(link.link_id)
        self._feed_issue(link, len(live) if held else 0)
        for key in gone:
            if not (held and key in live):
                await self._async_gone(bookings, key, now)

    def _feed_issue(self, link: BookingLink, held: int) -> None:
        """The repair issue of a link whose empty calendar holds ``held`` cancellations."""
        issue_id = feed_issue_id(self.entry.entry_id, link.link_id)
        if not held:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        state = self.hass.states.get(link.calendar)
        name = state.name if state is not None else link.calendar
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_BOOKINGS_FEED_EMPTY,
            translation_placeholders={"calendar": name, "count": str(held)},
            data={
                "entry_id": self.entry.entry_id,
                "link_id": link.link_id,
                "calendar": name,
                "count": held,
            },
        )

    @callback
    def describe(self) -> list[dict[str, Any]]:
        """The links and their booked guests, for the Access panel (no codes)."""
        registry = er.async_get(self.hass)
        out: list[dict[str, Any]] = []
        for link in self.links:
            state = self.hass.states.get(link.calendar)
            guests = [
                {
                    "holder_id": booking.holder_id,
                    "name": booking.name,
                    "starts_at": response_time(booking.starts_at),
                    "ends_at": response_time(booking.ends_at),
                }
                for booking in sorted(
                    self._bookings.get(link.link_id, {}).values(),
                    key=lambda b: (b.starts_at or dt_util.utcnow(), b.name),
                )
            ]
            issue = ir.async_get(self.hass).async_get_issue(
                DOMAIN, feed_issue_id(self.entry.entry_id, link.link_id)
            )
            out.append(
                {
                    "entry_id": self.entry.entry_id,
                    "link_id": link.link_id,
                    "calendar": link.calendar,
                    "calendar_name": state.name if state is not None else link.calendar,
                    "locks": [
                        {
                            "entity_id": entity_id,
                            "name": _entity_name(self.hass, registry, entity_id),
                        }
                        for entity_id in link.locks
                    ],
                    "checkin_offset": link.checkin,
                    "checkout_offset": link.checkout,
                    "share_to": link.share_to,
                    "held": int(str((issue.data or {}).get("count", 0))) if issue else 0,
                    "guests": guests,
                }
            )
        return out

    async def async_confirm_empty(self, link_id: str) -> None:
        """The host confirmed that a calendar's bookings are cancelled: sync, revoking."""
        self._confirmed_empty.add(link_id)
        async with self._lock:
            for link in self.links:
                if link.link_id == link_id:
                    await self._async_sync_link(link, dt_util.utcnow())

    async def _async_save(self) -> None:
        await self._store.async_save(
            {
                "links": {
                    link_id: {key: booking.to_json() for key, booking in items.items()}
                    for link_id, items in self._bookings.items()
                }
            }
        )

    # ------------------------------------------------------------------ one event
    def _unique_name(self, name: str) -> str:
        """Guests' names are unique among live holders ("Reserved", "Reserved (2)"…), also
        against guests being created."""
        pending = {
            booking.name.casefold()
            for items in self._bookings.values()
            for booking in items.values()
            if booking.holder_id is None
        }
        candidate, number = name, 1
        while self.manager.holder(candidate) is not None or candidate.casefold() in pending:
            number += 1
            candidate = f"{name} ({number})"
        return candidate

    async def _async_new(
        self,
        link: BookingLink,
        targets: list[LockTarget],
        bookings: _Bookings,
        key: str,
        event: CalendarEvent,
        starts: datetime,
        ends: datetime,
    ) -> None:
        """A guest for a new event: recorded first, then created, then given a code."""
        booking = Booking(self._unique_name(render_name(link.name_pattern, event)))
        booking.starts_at, booking.ends_at = starts, ends
        bookings[key] = booking
        await self._async_save()
        holder = await self.manager.async_add_holder(
            booking.name, HolderKind.GUEST, starts_at=starts, ends_at=ends
        )
        booking.holder_id = holder.holder_id
        await self._async_save()
        _LOGGER.debug("Booking %s of %s: new guest", key, link.calendar)
        await self._async_grant(link, targets, booking, holder, event)

    async def _async_grant(
        self,
        link: BookingLink,
        targets: list[LockTarget],
        booking: Booking,
        holder: Holder,
        event: CalendarEvent,
    ) -> None:
        _holder, issued = await ops.async_grant(
            self.manager,
            [target.lock_id for target in targets],
            holder_name=holder.holder_id,  # found by id: the guest just created
            kind=HolderKind.GUEST,
            person=None,
            starts=booking.starts_at,
            ends=booking.ends_at,
            passcode=True,
            code=None,
            length=CODE_LENGTH,
            card_number=None,
            ekey_receiver=None,
        )
        await self._async_share(link, targets, booking, holder, event, issued)

    async def _async_follow(
        self,
        link: BookingLink,
        targets: list[LockTarget],
        booking: Booking,
        event: CalendarEvent,
        starts: datetime,
        ends: datetime,
    ) -> None:
        """An event already booked: its guest follows a changed window."""
        manager = self.manager
        if booking.holder_id is None:
            # a restart between the record and the guest's creation: the guest made for
            # it (names are unique among live holders), else a new one
            made = manager.holder(booking.name) or await manager.async_add_holder(
                booking.name, HolderKind.GUEST, starts_at=starts, ends_at=ends
            )
            booking.holder_id = made.holder_id
            booking.starts_at, booking.ends_at = starts, ends
            await self._async_save()
        holder = manager.state.holders.get(booking.holder_id)
        if holder is None or holder.removed:
            return  # checked out (or purged) by a person: no access again for this event
        credentials = manager.credentials_of(holder.holder_id)
        if not credentials:  # a restart before the code was issued, or a refusal: again
            booking.starts_at, booking.ends_at = starts, ends
            await self._async_save()
            await self._async_grant(link, targets, booking, holder, event)
            return
        if (booking.starts_at, booking.ends_at) != (starts, ends):
            _LOGGER.debug("Booking %s of %s: window moved", event_key(event), link.calendar)
            booking.starts_at, booking.ends_at = starts, ends
            await self._async_save()
            holder.starts_at, holder.ends_at = starts, ends
            for credential in credentials:
                if (
                    credential.status in (CredentialStatus.REVOKED, CredentialStatus.FAILED)
                    or credential.kind is CredentialKind.OFFLINE_PASSCODE
                ):
                    continue  # offline codes keep the window they were computed for
                await manager.async_update_validity(credential, starts, ends)
            await manager.async_save()
        if not booking.shared and link.share_to:  # a restart before it was sent
            live = [c for c in credentials if c.status is not CredentialStatus.REVOKED]
            await self._async_share(link, targets, booking, holder, event, live)

    async def _async_gone(self, bookings: _Bookings, key: str, now: datetime) -> None:
        """An event no longer there: over (its code expires by itself), or cancelled before
        its window ended (its guest is checked out)."""
        booking = bookings.pop(key)
        if _live(booking, now):
            holder = self.manager.state.holders.get(booking.holder_id or "")
            if holder is not None and not holder.removed:
                _LOGGER.debug("Booking %s cancelled: guest checked out", key)
                await ops.async_revoke_holder(self.manager, holder, remove=True)
        await self._async_save()

    async def _async_share(
        self,
        link: BookingLink,
        targets: list[LockTarget],
        booking: Booking,
        holder: Holder,
        event: CalendarEvent,
        issued: list[Any],
    ) -> None:
        """Send the new code to the link's notify target once (never logged)."""
        if not link.share_to:
            return
        # an unknown target raises: tried again later (the notifier may not be loaded yet)
        notify = resolve_targets(self.hass, [link.share_to])
        extra = {
            "summary": event.summary,
            "location": event.location or "",
            "event_start": event.start_datetime_local.strftime("%Y-%m-%d %H:%M"),
            "event_end": event.end_datetime_local.strftime("%Y-%m-%d %H:%M"),
        }
        for credential in issued:
            response = credential_response(credential, targets, secrets=True)
            await async_share(
                self.hass, notify, response, holder.name, message=link.message, extra=extra
            )
        booking.shared = True
        await self._async_save()
