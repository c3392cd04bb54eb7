"""Measurement behind benchmarks/cloud_calls.py (run that script, not pytest directly)."""

from __future__ import annotations

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.integration.helpers import CLIENT_ID, Cloud, poll

CYCLES = 30
RESULTS: dict[str, dict[str, float]] = {}
ENDPOINTS: dict[str, dict[str, int]] = {}


@pytest.mark.parametrize("scenario", ["home", "scale"])
async def test_measure(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    scenario: str,
) -> None:
    """Set up, then run steady-state poll cycles, counting calls at the simulator."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    setup_calls = cloud.world.usage(CLIENT_ID)
    ENDPOINTS[scenario] = cloud.world.endpoint_usage(CLIENT_ID)
    await poll(hass, freezer, 10)  # warm-up: details and signal of the first locks
    per_cycle = []
    for _ in range(CYCLES):
        before = cloud.world.usage(CLIENT_ID)
        await poll(hass, freezer)
        per_cycle.append(cloud.world.usage(CLIENT_ID) - before)
    RESULTS[scenario] = {
        "locks": len(cloud.world.locks_of(cloud.uid)),
        "setup": setup_calls,
        "min": min(per_cycle),
        "max": max(per_cycle),
        "mean": sum(per_cycle) / len(per_cycle),
    }
    if len(RESULTS) == 2:
        home, scale = RESULTS["home"], RESULTS["scale"]
        print("\n\nTTLock cloud API calls (counted by the simulator)")
        print(f"  setup, {scale['locks']:.0f} locks: {scale['setup']:.0f}  (target <= 15)")
        print(f"  setup, {home['locks']:.0f} locks:    {home['setup']:.0f}")
        print(
            "  setup's calls: "
            + ", ".join(f"{k} {v}" for k, v in sorted(ENDPOINTS["scale"].items()))
        )
        for r in (home, scale):
            print(
                f"  per poll cycle, {r['locks']:>4.0f} locks:    mean {r['mean']:.2f}"
                f"  (min {r['min']:.0f}, max {r['max']:.0f}) over {CYCLES} cycles"
            )
        ratio = scale["mean"] / home["mean"]
        print(f"  ratio 1,000 / 3 locks per cycle: {ratio:.2f}  (target 1.00)")
        print("  (calls per month, with and without pushes: benchmarks/api_budget.py)\n")
