"""The README's action examples are true: every action has one, and each example passes the
action's own schema (so a renamed or removed field cannot hide in the documentation)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN

ROOT = Path(__file__).parents[2]


def _examples() -> list[dict[str, Any]]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    found = []
    for block in blocks:
        loaded = yaml.safe_load(block)
        if isinstance(loaded, dict) and str(loaded.get("action", "")).startswith(f"{DOMAIN}."):
            found.append(loaded)
    return found


async def test_every_action_has_a_valid_readme_example(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    services = hass.services.async_services_for_domain(DOMAIN)
    examples = _examples()
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
