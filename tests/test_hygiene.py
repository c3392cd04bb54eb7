"""Ecosystem hygiene, the rules Home Assistant's own tooling (hassfest) and HACS apply to an
integration, checked on every test run instead of at submission:

* a LICENSE file whose text is the license ``pyproject.toml`` declares;
* ``manifest.json`` keys in the required order (``domain``, ``name``, then alphabetical) and
  its lists of names sorted, without duplicates;
* no HTML-like ``<…>`` text in any translation string (the frontend renders them as text,
  hassfest refuses them);
* every action in ``services.yaml`` has a translated name and description, a translated name
  and description for each of its fields, an icon, and an example in the README.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from custom_components.ttlock_access.const import DOMAIN
from tests.readme_examples import readme_actions

ROOT = Path(__file__).parents[1]
INTEGRATION = ROOT / "custom_components" / DOMAIN
SERVICES: dict[str, Any] = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
EN: dict[str, Any] = json.loads((INTEGRATION / "translations" / "en.json").read_text())
ICONS: dict[str, Any] = json.loads((INTEGRATION / "icons.json").read_text())

LICENSE_TEXTS = {
    # SPDX id → (the first line, a sentence of the standard text)
    "MIT": ("MIT License", "Permission is hereby granted, free of charge, to any person"),
    "Apache-2.0": ("Apache License", "Version 2.0, January 2004"),
}
SORTED_LISTS = ("after_dependencies", "codeowners", "dependencies", "loggers", "requirements")
HTML_LIKE = re.compile(r"</?[A-Za-z][^<>]*>")


def _strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a translation file, with its key path."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{path}.{key}" if path else key)
    elif isinstance(node, str):
        yield path, node


def _fields(service: dict[str, Any] | None) -> Iterator[tuple[str | None, str]]:
    """(section, field) of every field of an action (fields inside sections too)."""
    for key, value in ((service or {}).get("fields") or {}).items():
        if isinstance(value, dict) and "fields" in value:  # a collapsible section
            for field in value["fields"]:
                yield key, field
        else:
            yield None, key


def test_license_matches_pyproject() -> None:
    """LICENSE exists and is the text of the license ``pyproject.toml`` declares."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert declared in LICENSE_TEXTS, f"no reference text for {declared}"
    first_line, sentence = LICENSE_TEXTS[declared]
    text = (ROOT / "LICENSE").read_text()
    assert text.splitlines()[0].strip() == first_line
    assert sentence in " ".join(text.split())
    if declared == "MIT":
        assert re.search(r"^Copyright \(c\) \d{4} \S", text, flags=re.M)


def test_manifest_key_order_and_sorted_lists() -> None:
    """``domain``, ``name``, then the other keys alphabetically; name lists sorted."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:]), "manifest keys after domain and name must be sorted"
    assert manifest["domain"] == DOMAIN
    for key in SORTED_LISTS:
        values = manifest.get(key, [])
        assert values == sorted(values, key=str.lower), f"{key} is not sorted"
        assert len(set(values)) == len(values), f"{key} has duplicates"


@pytest.mark.parametrize(
    "path", sorted((INTEGRATION / "translations").glob("*.json")), ids=lambda p: p.name
)
def test_no_html_like_text_in_translations(path: Path) -> None:
    """No ``<…>`` in any translation string (placeholders are ``{name}``)."""
    found = [
        (key, value)
        for key, value in _strings(json.loads(path.read_text()))
        if HTML_LIKE.search(value)
    ]
    assert found == []


def test_the_html_like_rule_catches_what_it_should() -> None:
    """The pattern flags markup-like text and leaves placeholders and arrows alone."""
    assert HTML_LIKE.search('Empty: "Your access to <lock>"')
    assert HTML_LIKE.search("<b>bold</b>")
    assert not HTML_LIKE.search("Your access to {lock}; a -> b; 1 < 2 and 3 > 2")


@pytest.mark.parametrize("action", sorted(SERVICES))
def test_every_action_is_translated_has_an_icon_and_an_example(action: str) -> None:
    """Name, description and every field's name and description in translations/en.json,
    an icon in icons.json and an example in the README."""
    translated = EN["services"].get(action)
    assert translated, f"{action}: no translation"
    assert translated.get("name") and translated.get("description"), action
    for section, field in _fields(SERVICES[action]):
        if section is not None:
            assert translated.get("sections", {}).get(section, {}).get("name"), (action, section)
        text = translated.get("fields", {}).get(field, {})
        assert text.get("name") and text.get("description"), (action, field)
    icon = ICONS["services"].get(action)
    if isinstance(icon, dict):
        icon = icon.get("service")
    assert isinstance(icon, str) and icon.startswith("mdi:"), f"{action}: no icon"
    assert action in readme_actions(), f"{action}: no README example"


def test_nothing_translated_or_iconed_for_actions_that_do_not_exist() -> None:
    """No leftovers of removed or renamed actions."""
    assert set(EN["services"]) <= set(SERVICES)
    assert set(ICONS["services"]) <= set(SERVICES)
