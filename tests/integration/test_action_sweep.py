"""Every action, called with hostile input: no unhandled exception.

A seeded sweep over all the integration's actions (``services.yaml``): each field gets values
from a hostile mix (extreme and malformed dates, overlong, empty, control and
text-direction characters, huge and negative numbers, NaN, wrong types, unknown entities and
ids) alongside plausible ones. The only acceptable failures are Home Assistant's own:
a schema refusal (``vol.Invalid``) or a translated ``HomeAssistantError``
(``ServiceValidationError`` included). Anything else is a crash a user could trigger.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol
import yaml
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN

SERVICES_YAML = Path(__file__).parents[2] / "custom_components" / DOMAIN / "services.yaml"
CALLS_PER_ACTION = int(os.environ.get("TTLOCK_SWEEP_CALLS", "30"))

HOSTILE_TEXT = [
    "",
    " ",
    "\t\n",
    "x" * 10_000,
    "name\u202eevil",  # right-to-left override
    "a\x00b",
    "Ω≈ç√",
    "1e999",
    "NaN",
    "-1",
    "0",
    "999999999999999999999999",
    "../../etc/passwd",
    "<script>",
    "Anna",
    "123456",
    "0000",
]
DATES = [
    "9999-12-31T23:59:59",
    "0001-01-01T00:00:00+14:00",
    "1999-12-31 23:00:00",
    "2100-01-01 00:00:00",
    "not a date",
    "2026-02-30 10:00:00",
    "2030-01-01 10:00:00",
    "2031-06-01T12:00:00+02:00",
    "2020-01-01 00:00:00",
]
NUMBERS: list[Any] = [0, -1, 1, 7, 255, 256, 10**12, -(10**12), 0.5, float("nan"), float("inf")]


def _services() -> dict[str, list[str]]:
    """Each action of ``services.yaml`` and its field names."""
    loaded = yaml.safe_load(SERVICES_YAML.read_text())
    return {name: sorted((spec or {}).get("fields", {})) for name, spec in loaded.items()}


def _value(rng: random.Random, field: str, known: dict[str, list[Any]]) -> Any:
    pool: list[Any] = [*HOSTILE_TEXT, *NUMBERS, None, True, [], {}, [1, "a"], {"a": 1}]
    if field.endswith(("_at", "_start", "_end")) or field in ("start", "end"):
        pool += DATES * 3
    if field in known:
        pool += known[field] * 4
    return rng.choice(pool)


@pytest.mark.parametrize("action", sorted(_services()))
async def test_hostile_input_never_crashes(
    hass: HomeAssistant, setup_entry: MockConfigEntry, action: str
) -> None:
    fields = _services()[action]
    manager = setup_entry.runtime_data.access
    created = await hass.services.async_call(
        DOMAIN,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": f"Sweep {action}"},
        blocking=True,
        return_response=True,
    )
    assert isinstance(created, dict)
    known: dict[str, list[Any]] = {
        "credential_id": [created["credential_id"], "nope"],
        "holder": ["Anna", "Nobody"],
        "names": [["Maria"], [""], ["x" * 100]],
        "floors": [[1, 2], [0], [300], []],
        "periods": [[{"weekdays": ["monday"], "all_day": True}], [{}], "x"],
        "weekdays": [["monday"], ["funday"], "monday"],
        "kind": ["guest", "tenant", "staff", "passcode", "card", "bogus"],
        "type": ["custom_period", "one_time", "period", "weekend", "bogus"],
        "config_entry_id": [setup_entry.entry_id, "nope"],
        "card_number": ["3661413478", "12ab", "0"],
        "code": ["482913", "12", "١٢٣٤٥٦"],
        "amount": [5, -5, 0],
        "units": [2, -2, 0],
        "name": ["Guest", "", "x" * 65],
        "receiver": ["anna@example.com", ""],
        "starts_at": ["2030-01-01 10:00:00", "9999-12-31T23:59:59"],
        "ends_at": ["2030-01-02 10:00:00", "2020-01-01 00:00:00"],
        "enabled": [True, False],
        "ttlock_id": [1, -1, 10**20],
        "holder_kind": ["guest", "bogus"],
        "include_unmanaged": [True, False],
        "include_secrets": [True, False],
    }
    targets = [
        {"entity_id": "lock.front_door"},
        {"entity_id": ["lock.front_door", "lock.back_door"]},
        {"entity_id": "lock.nowhere"},
        {"entity_id": "sensor.studio_power_energy"},
        {"entity_id": "select.building_lift_work_mode"},
        {},
    ]
    supports = hass.services.supports_response(DOMAIN, action)
    rng = random.Random(f"{action}-sweep")
    crashes: list[str] = []
    outcomes = {"schema": 0, "refused": 0, "done": 0}
    for _ in range(CALLS_PER_ACTION):
        data: dict[str, Any] = dict(rng.choice(targets))
        plausible = rng.random() < 0.5  # mostly sensible values, to get past the schema
        for field in fields:
            if plausible and field in known:
                if rng.random() < 0.8:
                    data[field] = rng.choice(known[field])
            elif rng.random() < 0.6:
                data[field] = _value(rng, field, known)
        try:
            await hass.services.async_call(
                DOMAIN,
                action,
                data,
                blocking=True,
                return_response=supports is not SupportsResponse.NONE,
            )
            outcomes["done"] += 1
        except vol.Invalid:
            outcomes["schema"] += 1
        except HomeAssistantError:
            outcomes["refused"] += 1  # reached the integration, which said no
        except Exception as err:  # what this test exists to find
            crashes.append(f"{action} {data!r:.300}: {type(err).__name__}: {err}")
    assert crashes == []
    assert outcomes["refused"] + outcomes["done"] > 0, outcomes  # the handler was reached
    assert manager.state.credentials  # the model is still there and intact
