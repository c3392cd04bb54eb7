"""docs/architecture.md rule 1: the SDK imports nothing from Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path

SDK = Path(__file__).parents[1] / "custom_components" / "ttlock_access" / "sdk"


def test_sdk_has_no_homeassistant_imports() -> None:
    """Walk every SDK module's imports."""
    offenders = []
    files = sorted(SDK.rglob("*.py"))
    assert files
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] == "homeassistant"]
    assert offenders == []
