"""Calendar links and the events' side of bookings: a link's options, the code's window
for an event, the guest's name from the link's pattern, an event's key and what is stored
per booked event (:mod:`.bookings` runs the sync)."""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Self

from homeassistant.components.calendar import CalendarEvent
from homeassistant.util import dt as dt_util

from .actions import NAME_MAX
from .const import CONF_BOOKINGS

# keys of one link in the ``bookings`` option
LINK_ID: Final = "link_id"
LINK_CALENDAR: Final = "calendar"
LINK_LOCKS: Final = "locks"
LINK_CHECKIN: Final = "checkin_offset"
"""Minutes before the event's start the code starts working (negative: after)."""
LINK_CHECKOUT: Final = "checkout_offset"
"""Minutes after the event's end the code stops working (negative: before)."""
LINK_NAME: Final = "name_pattern"
LINK_SHARE_TO: Final = "share_to"
LINK_MESSAGE: Final = "message"
DEFAULT_CHECKIN: Final = 60
DEFAULT_CHECKOUT: Final = 60
MAX_OFFSET: Final = 24 * 60
DEFAULT_NAME_PATTERN: Final = "{summary}"
NAME_FIELDS: Final = ("summary", "location", "uid", "start", "end")
"""What a name pattern may use: ``{summary}``, ``{start:%d %b}``… (nothing else)."""
FALLBACK_NAME: Final = "Guest"


# ---------------------------------------------------------------------- links
@dataclass(frozen=True, slots=True)
class BookingLink:
    """A calendar linked to locks of this entry."""

    link_id: str
    calendar: str
    locks: tuple[str, ...]
    checkin: int = DEFAULT_CHECKIN
    checkout: int = DEFAULT_CHECKOUT
    name_pattern: str = DEFAULT_NAME_PATTERN
    share_to: str | None = None
    message: str | None = None

    @classmethod
    def from_option(cls, data: dict[str, Any]) -> Self:
        """From its stored form in the options."""
        return cls(
            link_id=str(data[LINK_ID]),
            calendar=str(data[LINK_CALENDAR]),
            locks=tuple(data.get(LINK_LOCKS) or ()),
            checkin=int(data.get(LINK_CHECKIN, DEFAULT_CHECKIN)),
            checkout=int(data.get(LINK_CHECKOUT, DEFAULT_CHECKOUT)),
            name_pattern=str(data.get(LINK_NAME) or DEFAULT_NAME_PATTERN),
            share_to=data.get(LINK_SHARE_TO) or None,
            message=data.get(LINK_MESSAGE) or None,
        )

    def window(self, event: CalendarEvent) -> tuple[datetime, datetime]:
        """The code's validity for an event (UTC, to the minute; an all-day event runs from
        midnight to midnight, Home Assistant's time)."""
        starts = event.start_datetime_local - timedelta(minutes=self.checkin)
        ends = event.end_datetime_local + timedelta(minutes=self.checkout)
        return _minute(starts), _minute(ends)


def _minute(moment: datetime) -> datetime:
    return dt_util.as_utc(moment).replace(second=0, microsecond=0)


def links_of(options: Any) -> list[BookingLink]:
    """The calendar links of an entry's options."""
    return [BookingLink.from_option(item) for item in options.get(CONF_BOOKINGS) or []]


# ---------------------------------------------------------------------- names
class NamePatternError(ValueError):
    """A name pattern uses something else than the event fields it may use."""


def check_name_pattern(pattern: str) -> None:
    """Refuse a pattern with unknown fields, attribute or index access, conversions, or a
    format that does not apply (tried on a sample event)."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as err:
        raise NamePatternError(str(err)) from err
    for _literal, field, _spec, conversion in parsed:
        if field is None:
            continue
        if field not in NAME_FIELDS or conversion is not None:
            raise NamePatternError(field)
    now = dt_util.now()
    sample = CalendarEvent(now, now + timedelta(hours=1), "Sample", uid="sample")
    try:
        _format(pattern, sample)
    except (ValueError, TypeError) as err:
        raise NamePatternError(str(err)) from err


def _format(pattern: str, event: CalendarEvent) -> str:
    values: dict[str, Any] = {
        "summary": event.summary or "",
        "location": event.location or "",
        "uid": event.uid or "",
        "start": event.start_datetime_local,
        "end": event.end_datetime_local,
    }
    parts: list[str] = []
    for literal, field, spec, conversion in string.Formatter().parse(pattern):
        parts.append(literal)
        if field is None:
            continue
        if field not in values or conversion is not None:
            raise ValueError(field)
        parts.append(format(values[field], spec or ""))
    return "".join(parts)


def render_name(pattern: str, event: CalendarEvent) -> str:
    """A guest's name from the link's pattern: printable, at most 64 characters; the
    summary (or "Guest") when the pattern gives nothing usable."""
    try:
        text = _format(pattern, event)
    except (ValueError, TypeError):
        text = event.summary or ""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text[: NAME_MAX - 6].strip() or FALLBACK_NAME


def event_key(event: CalendarEvent) -> str:
    """What identifies an event across edits: its uid (and recurrence id); without a uid,
    its summary and start (so a moved event without uid is a new one)."""
    if event.uid:
        return f"{event.uid}/{event.recurrence_id}" if event.recurrence_id else event.uid
    digest = hashlib.sha256(f"{event.summary}\n{event.start.isoformat()}".encode()).hexdigest()
    return f"~{digest[:16]}"


# ---------------------------------------------------------------------- stored bookings
@dataclass(slots=True)
class Booking:
    """An event that has (or is getting) its guest."""

    name: str
    holder_id: str | None = None
    """None only between the record and the guest's creation (a restart there: the guest
    is looked up by name)."""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    """The window applied to the guest's credentials (with the offsets)."""
    shared: bool = False

    def to_json(self) -> dict[str, Any]:
        """Stored form."""
        return {
            "name": self.name,
            "holder_id": self.holder_id,
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "shared": self.shared,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """From the stored form."""
        return cls(
            name=str(data["name"]),
            holder_id=data.get("holder_id"),
            starts_at=dt_util.parse_datetime(data["starts_at"]) if data.get("starts_at") else None,
            ends_at=dt_util.parse_datetime(data["ends_at"]) if data.get("ends_at") else None,
            shared=bool(data.get("shared", False)),
        )
