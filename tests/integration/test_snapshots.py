"""Snapshots of every platform's entities (registry entries and states) and of the
diagnostics, for the simulated home account — a change to any entity shows here."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from tests.integration.helpers import Cloud

FROZEN = "2026-12-04T12:00:00+00:00"
VOLATILE = (
    "entry_id",
    "created_at",
    "modified_at",
    "state_at",
    "state_checked_at",
    "detail_at",
    "signal_at",
    "seen_at",
    "ble_seen_at",
    "at",
    "last_push",
    "month",
    "started_at",
    "base_url",
)
"""Ids and moments that differ from run to run."""


@pytest.mark.parametrize(
    "platform",
    [
        Platform.BINARY_SENSOR,
        Platform.BUTTON,
        Platform.EVENT,
        Platform.LOCK,
        Platform.NUMBER,
        Platform.SELECT,
        Platform.SENSOR,
        Platform.SWITCH,
        Platform.VALVE,
    ],
)
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities(
    hass: HomeAssistant,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
    platform: Platform,
) -> None:
    """Every entity of one platform: what the registry holds and what the state says."""
    freezer.move_to(FROZEN)
    with patch("custom_components.ttlock_access.PLATFORMS", [platform]):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    entries = er.async_entries_for_config_entry(entity_registry, config_entry.entry_id)
    assert entries
    assert {entry.domain for entry in entries} == {platform}
    described = {}
    for entry in sorted(entries, key=lambda e: e.entity_id):
        state = hass.states.get(entry.entity_id)
        assert state is not None, entry.entity_id
        described[entry.entity_id] = {
            "unique_id": entry.unique_id,
            "original_name": entry.original_name,
            "translation_key": entry.translation_key,
            "device_class": entry.original_device_class,
            "entity_category": entry.entity_category,
            "unit": entry.unit_of_measurement,
            "capabilities": entry.capabilities,
            "state": state.state,
            "attributes": dict(state.attributes),
        }
    assert described == snapshot


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client,
    cloud: Cloud,
    config_entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The diagnostics of the home account (secrets redacted, ids and dates excluded)."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, config_entry)
    assert diagnostics == snapshot(exclude=props(*VOLATILE))
