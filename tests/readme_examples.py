"""The README's action examples: every fenced ``yaml`` block that calls an action of the
integration (shared by tests/integration/test_readme_examples.py and tests/test_hygiene.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from custom_components.ttlock_access.const import DOMAIN

ROOT = Path(__file__).parents[1]


def readme_action_examples(readme: Path = ROOT / "README.md") -> list[dict[str, Any]]:
    """Each README example of an action of this integration, as loaded YAML."""
    blocks = re.findall(r"```yaml\n(.*?)```", readme.read_text(), flags=re.S)
    found = []
    for block in blocks:
        loaded = yaml.safe_load(block)
        if isinstance(loaded, dict) and str(loaded.get("action", "")).startswith(f"{DOMAIN}."):
            found.append(loaded)
    return found


def readme_actions(readme: Path = ROOT / "README.md") -> set[str]:
    """The actions (without the domain) that have a README example."""
    return {example["action"].split(".", 1)[1] for example in readme_action_examples(readme)}
