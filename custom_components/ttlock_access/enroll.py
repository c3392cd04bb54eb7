"""Enrolment at the lock over Bluetooth (a card presented, a finger placed), reported step
by step as ``ttlock_access_enrollment`` events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er

from .actions import LockTarget, answers
from .const import DOMAIN
from .models import Path, lock_time
from .sdk.ble import AddCard, AddFingerprint
from .sdk.ble.results import CardAddMode, FingerprintProgress

EVENT_ENROLLMENT = f"{DOMAIN}_enrollment"


async def async_enroll(
    hass: HomeAssistant,
    target: LockTarget,
    what: str,
    starts: datetime | None,
    ends: datetime | None,
) -> Any:
    """Enrol a card or finger at the lock over Bluetooth, reporting each step as an event."""
    rt = target.rt
    if Path.BLUETOOTH not in target.coordinator.paths(rt):
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="enroll_needs_bluetooth",
            translation_placeholders={"name": rt.lock.name},
        )
    entry = er.async_get(hass).async_get(target.entity_id)
    base = {
        "device_id": entry.device_id if entry else None,
        "entity_id": target.entity_id,
        "credential": what,
    }

    def _progress(step: CardAddMode | FingerprintProgress) -> None:
        data: dict[str, Any] = dict(base)
        if isinstance(step, FingerprintProgress):
            data.update(step="fingerprint", current=step.current, total=step.total)
        else:
            data.update(step="present_card")
        hass.bus.async_fire(EVENT_ENROLLMENT, data)

    s, e = lock_time(rt, starts), lock_time(rt, ends)
    op: Any = AddCard if what == "card" else AddFingerprint
    with answers(target.manager, rt.lock.name):
        result = await target.coordinator.ble.async_run(
            rt, lambda keys, _now: op(keys, start=s, end=e), retry=False, on_progress=_progress
        )
    hass.bus.async_fire(EVENT_ENROLLMENT, {**base, "step": "done"})
    return result
