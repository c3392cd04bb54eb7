"""An activity: one thing that happened at a lock, attributed and free of secrets, with the
words that describe it (``changed_by``, the logbook, the bus event)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from homeassistant.core import Context

from .sdk.records import EventType, Method


class Source(StrEnum):
    """Where a record came from."""

    WEBHOOK = "webhook"
    POLL = "poll"
    BLUETOOTH = "bluetooth"


_METHOD_LABELS: Final[dict[Method, str]] = {
    Method.APP: "App",
    Method.PASSCODE: "Passcode",
    Method.CARD: "Card",
    Method.FINGERPRINT: "Fingerprint",
    Method.FACE: "Face",
    Method.PALM_VEIN: "Palm vein",
    Method.EKEY: "eKey",
    Method.GATEWAY: "Gateway",
    Method.AUTO_LOCK: "Auto-lock",
    Method.MECHANICAL_KEY: "Mechanical key",
    Method.BUTTON: "Button",
    Method.REMOTE: "Remote",
    Method.WRISTBAND: "Wristband",
    Method.QR_CODE: "QR code",
    Method.PASSAGE_MODE: "Passage mode",
    Method.DOOR_SENSOR: "Door sensor",
    Method.LOCK: "Lock",
    Method.UNKNOWN: "Unknown",
}

HOME_ASSISTANT: Final = "home_assistant"
"""Translation key (``entity.lock.lock.state_attributes.changed_by.state``) of the label of
commands sent by Home Assistant; the others are the :class:`Method` values."""
DEFAULT_LABELS: Final[dict[str, str]] = {
    HOME_ASSISTANT: "Home Assistant",
    **{method.value: label for method, label in _METHOD_LABELS.items()},
}
"""``changed_by`` labels when no translation is loaded (English)."""

_VERBS: Final[dict[EventType, str]] = {
    EventType.UNLOCKED: "unlocked",
    EventType.LOCKED: "locked",
    EventType.UNLOCK_FAILED: "failed to unlock",
    EventType.LOCK_FAILED: "failed to lock",
    EventType.DOOR_OPEN: "door opened",
    EventType.DOOR_CLOSED: "door closed",
    EventType.DOOR_NOT_CLOSED: "door left open",
    EventType.TAMPER: "tamper alarm",
    EventType.LOCKOUT: "locked out after too many wrong attempts",
    EventType.LOW_BATTERY: "battery low",
    EventType.OTHER: "lock record",
}

_HOW: Final[dict[Method, str]] = {
    Method.GATEWAY: "remotely through the gateway",
    Method.AUTO_LOCK: "automatically",
    Method.PASSAGE_MODE: "for passage mode",
}

_NO_HOW: Final = frozenset(
    {
        EventType.DOOR_OPEN,
        EventType.DOOR_CLOSED,
        EventType.DOOR_NOT_CLOSED,
        EventType.TAMPER,
        EventType.LOCKOUT,
        EventType.LOW_BATTERY,
        EventType.OTHER,
    }
)


def method_label(method: Method | str) -> str:
    """A readable name of a method (for ``changed_by`` when nobody is known)."""
    try:
        return _METHOD_LABELS[Method(method)]
    except ValueError:
        return str(method)


@dataclass(slots=True, kw_only=True)
class Activity:
    """One thing that happened at a lock, attributed and free of secrets."""

    lock_id: int
    lock_name: str
    event_type: EventType
    method: Method
    success: bool
    at: datetime
    source: Source
    record_type: int | None = None
    holder: str | None = None
    credential: str | None = None
    """Name of the credential used (a managed one, or the name the lock reported)."""
    credential_id: str | None = None
    credential_kind: str | None = None
    user: str | None = None
    """The TTLock account behind an app, gateway or eKey record."""
    uses: int | None = None
    battery: int | None = None
    home_assistant: bool = False
    """The record of a command Home Assistant sent (a lock or unlock action)."""
    ha_user: str | None = None
    """The Home Assistant user who sent it, when known."""
    context: Context | None = None
    """The context of that command (the bus event carries it: the logbook names the user)."""

    @property
    def who(self) -> str | None:
        """The person (holder), else the credential name, else the TTLock user."""
        return self.holder or self.credential or self.user

    @property
    def changed_by(self) -> str:
        """What the lock's ``changed_by`` shows (English labels)."""
        return self.changed_by_in(DEFAULT_LABELS)

    def changed_by_in(self, labels: dict[str, str]) -> str:
        """``changed_by`` with the given labels (translations): Home Assistant and its
        user, else who, else how."""
        if self.home_assistant:
            return home_assistant_label(labels, self.ha_user)
        if self.who:
            return self.who
        return labels.get(self.method.value) or method_label(self.method)

    def data(self) -> dict[str, Any]:
        """Event data (entity attributes and bus event); never a code or number."""
        return {
            "method": self.method.value,
            "success": self.success,
            "holder": self.holder,
            "credential": self.credential,
            "credential_id": self.credential_id,
            "user": self.user,
            "home_assistant": self.home_assistant,
            "ha_user": self.ha_user,
            "uses": self.uses,
            "source": self.source.value,
            "record_type": self.record_type,
            "battery": self.battery,
            "at": self.at.isoformat(),
        }

    def describe(self) -> str:
        """One logbook line, e.g. ``unlocked by passcode 'Anna (guest)'``."""
        text = _VERBS[self.event_type]
        if self.event_type is EventType.OTHER and self.record_type is not None:
            text = f"{text} {self.record_type}"
        if self.event_type is EventType.LOW_BATTERY and self.battery is not None:
            text = f"{text} ({self.battery} %)"
        if self.home_assistant:
            if self.method is Method.GATEWAY:
                text = f"{text} {_HOW[Method.GATEWAY]}"
            return f"{text} by {home_assistant_label(DEFAULT_LABELS, self.ha_user)}"
        if self.event_type not in _NO_HOW and self.method is not Method.UNKNOWN:
            how = _HOW.get(self.method) or f"by {method_label(self.method).lower()}"
            if self.method is Method.EKEY:
                how = "by eKey"
            elif self.method is Method.QR_CODE:
                how = "by QR code"
            text = f"{text} {how}"
        if self.credential:
            text = f"{text} '{self.credential}'"
            if self.holder and self.holder != self.credential:
                text = f"{text} ({self.holder})"
        elif self.holder:
            text = f"{text} ({self.holder})"
        elif self.user:
            text = f"{text} ({self.user})"
        return text


def home_assistant_label(labels: dict[str, str], user: str | None) -> str:
    """ "Home Assistant", or "Home Assistant (Anna)" when the user is known."""
    label = labels.get(HOME_ASSISTANT) or DEFAULT_LABELS[HOME_ASSISTANT]
    return f"{label} ({user})" if user else label
