"""The lock-settings action: ``configure_passage_mode`` (docs/lock-settings.md §4).

Passage mode keeps a lock open on a weekly schedule of up to five periods, each on some
weekdays, all day or from a start to an end time (the lock's local time). The call replaces
the schedule of each targeted lock, over Bluetooth in range, else through its gateway or Wi-Fi.
"""

from __future__ import annotations

from datetime import time
from typing import Any

import probatio as vol  # HA 2026.9+ validation engine (voluptuous-compatible)
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv

from .actions import WEEKDAYS, invalid, lock_targets
from .lock_settings import PassageConfigure, async_change
from .sdk.model import MAX_PASSAGE_PERIODS, Feature, PassageMode, PassagePeriod

_PERIOD = vol.Schema(
    {
        vol.Optional("weekdays", default=list): vol.All(cv.ensure_list, [vol.In(WEEKDAYS)]),
        vol.Optional("all_day", default=False): cv.boolean,
        vol.Optional("start"): cv.time,
        vol.Optional("end"): cv.time,
    }
)
CONFIGURE_PASSAGE_MODE_SCHEMA = vol.Schema(
    {
        **cv.TARGET_SERVICE_FIELDS,
        vol.Required("enabled"): cv.boolean,
        vol.Optional("auto_unlock", default=False): cv.boolean,
        vol.Optional("periods", default=list): vol.All(cv.ensure_list, [_PERIOD]),
    }
)


def _minute(value: time) -> int:
    return value.hour * 60 + value.minute


def _period(number: int, data: dict[str, Any]) -> PassagePeriod:
    """One period of the call (``number`` counts from 1, for the error messages)."""
    period = str(number)
    if not data["weekdays"]:
        raise invalid("passage_period_needs_weekdays", period=period)
    weekdays = frozenset(WEEKDAYS.index(day) + 1 for day in data["weekdays"])
    start, end = data.get("start"), data.get("end")
    if data["all_day"]:
        if start is not None or end is not None:
            raise invalid("passage_period_all_day_with_times", period=period)
        return PassagePeriod(all_day=True, weekdays=weekdays)
    if start is None or end is None:
        raise invalid("passage_period_needs_times", period=period)
    if _minute(end) <= _minute(start):
        raise invalid("passage_period_end_before_start", period=period)
    return PassagePeriod(
        all_day=False, start_minute=_minute(start), end_minute=_minute(end), weekdays=weekdays
    )


def passage_mode_of(data: dict[str, Any]) -> PassageMode:
    """The passage-mode configuration a call asks for (translated refusals)."""
    items: list[dict[str, Any]] = data["periods"]
    if len(items) > MAX_PASSAGE_PERIODS:
        raise invalid("passage_too_many_periods", max=str(MAX_PASSAGE_PERIODS))
    periods = tuple(_period(number, item) for number, item in enumerate(items, 1))
    if data["enabled"] and not periods:
        raise invalid("passage_needs_period")
    return PassageMode(enabled=data["enabled"], auto_unlock=data["auto_unlock"], periods=periods)


async def async_configure_passage_mode(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Replace the passage-mode schedule of the targeted locks; answers each lock's path."""
    targets = await lock_targets(hass, call, one_account=False)
    mode = passage_mode_of(dict(call.data))
    for target in targets:
        name = target.rt.lock.name
        if not target.has(Feature.PASSAGE_MODE):
            raise invalid("passage_mode_not_supported", name=name)
        if mode.auto_unlock and not target.has(Feature.PASSAGE_AUTO_UNLOCK):
            raise invalid("passage_auto_unlock_not_supported", name=name)
    result: dict[str, Any] = {}
    for target in targets:
        path = await async_change(target.coordinator, target.lock_id, PassageConfigure(mode))
        result[target.entity_id] = {"path": path.value}
    return {"locks": result}
