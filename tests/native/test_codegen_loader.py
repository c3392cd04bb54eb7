"""The loader prefers the C extension and falls back to the Python twin."""

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from custom_components.ttlock_access import native
from custom_components.ttlock_access.native import _loader, _twin

ROOT = Path(__file__).resolve().parents[2]


def test_loader_falls_back_when_c_module_is_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, _loader.C_MODULE, None)  # import now raises ImportError
    assert _loader.load_c_backend() is None
    name, backend = _loader.load_backend()
    assert name == "python"
    assert backend is _twin


def test_loader_rejects_a_stale_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    stale = types.ModuleType(_loader.C_MODULE)
    stale.API_VERSION = _twin.API_VERSION - 1  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, _loader.C_MODULE, stale)
    assert _loader.load_backend() == ("python", _twin)


def test_loader_prefers_c_when_built(c_gen: native.CodeGenerator) -> None:
    name, backend = _loader.load_backend()
    assert name == "c"
    assert backend is not _twin
    assert native.BACKEND == "c"


def test_get_generator_c_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "BACKEND", "python")
    monkeypatch.setitem(sys.modules, _loader.C_MODULE, None)
    with pytest.raises(native.CodegenError, match="not built"):
        native.get_generator("c")


FALLBACK_SCRIPT = """
import json, sys
sys.modules["custom_components.ttlock_access.native._codegen"] = None
from custom_components.ttlock_access import native
print(json.dumps({
    "backend": native.BACKEND,
    "pins": native.generate_pins(20, 6, ["1234", "55555"], seed=77),
    "bulk": native.generate_bulk({"a": ["x"], "b": ["x", "y"]}, 7, {"x": ["8080"]}, seed=77),
    "pack": native.pack_init_passwords(native.generate_pairing_tables(2026, seed=77)).hex(),
}))
"""


def test_package_runs_on_the_twin_without_the_extension() -> None:
    """A fresh interpreter with the C module blocked (as on a HACS install without a
    compiler) imports the package, reports BACKEND == "python" and gives the same codes."""
    done = subprocess.run(
        [sys.executable, "-c", FALLBACK_SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["backend"] == "python"
    active = native.get_generator()
    assert report["pins"] == active.generate_pins(20, 6, ["1234", "55555"], seed=77)
    assert report["bulk"] == active.generate_bulk(
        {"a": ["x"], "b": ["x", "y"]}, 7, {"x": ["8080"]}, seed=77
    )
    tables = active.generate_pairing_tables(2026, seed=77)
    assert report["pack"] == native.pack_init_passwords(tables).hex()


def test_native_package_imports_nothing_from_homeassistant() -> None:
    for path in (ROOT / "custom_components/ttlock_access/native").glob("*.py*"):
        text = path.read_text(encoding="utf-8")
        assert "homeassistant" not in text, path
