"""Measurement behind benchmarks/setup_scale.py (run that script, not pytest directly)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.integration.helpers import Cloud


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """The test harness runs the event loop in debug mode (a check that costs most of each
    setup's time); a measurement of setup work runs it as Home Assistant does, without."""
    asyncio.get_running_loop().set_debug(False)


@pytest.mark.parametrize("scenario", ["home", "scale"])
async def test_measure(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry, scenario: str
) -> None:
    """Set up the account with every platform; count locks, entities and states."""
    started = time.perf_counter()
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    seconds = time.perf_counter() - started
    locks = len(hass.states.async_entity_ids("lock"))
    entries = er.async_entries_for_config_entry(er.async_get(hass), config_entry.entry_id)
    by_domain = Counter(entry.domain for entry in entries)
    enabled = sum(1 for entry in entries if entry.disabled_by is None)
    print(
        f"\n{scenario}: {locks} locks, {len(entries)} entities "
        f"({len(entries) / max(locks, 1):.1f} per lock; {enabled} enabled, "
        f"{len(hass.states.async_all())} states), set up in {seconds:.1f} s "
        f"({1000 * seconds / max(locks, 1):.1f} ms per lock on this machine)"
    )
    print("  by platform: " + ", ".join(f"{d} {n}" for d, n in sorted(by_domain.items())))
