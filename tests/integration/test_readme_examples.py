"""The README's action examples are true: every action has one, and each example passes the
action's own schema (so a renamed or removed field cannot hide in the documentation)."""

from __future__ import annotations

from pathlib import Path

import yaml
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from tests.readme_examples import readme_action_examples

ROOT = Path(__file__).parents[2]


async def test_every_action_has_a_valid_readme_example(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    services = hass.services.async_services_for_domain(DOMAIN)
    examples = readme_action_examples()
    named = {example["action"].split(".", 1)[1] for example in examples}
    declared = set(
        yaml.safe_load((ROOT / "custom_components" / DOMAIN / "services.yaml").read_text())
    )
    assert declared - named == set(), "actions without a README example"
    for example in examples:
        name = example["action"].split(".", 1)[1]
        assert name in services, name
        data = {**(example.get("data") or {}), **(example.get("target") or {})}
        schema = services[name].schema
        if schema is not None:
            schema(data)  # raises with the field at fault
