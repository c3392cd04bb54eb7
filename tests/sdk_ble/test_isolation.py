"""The BLE core is sans-IO: importing it loads no event loop, network or Home Assistant code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SDK_DIR = Path(__file__).parents[2] / "custom_components" / "ttlock_access" / "sdk"
FORBIDDEN = ("asyncio", "aiohttp", "homeassistant", "bleak", "socket", "ssl")

PROBE = f"""
import sys
import sdkpkg.ble
import sdkpkg.ble.frame, sdkpkg.ble.crc, sdkpkg.ble.crypto
loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r}))
print(','.join(loaded))
"""


def test_core_imports_nothing_forbidden(tmp_path: Path) -> None:
    # Import the sdk package on its own: custom_components/ttlock_access/__init__.py (the
    # Home Assistant glue) would otherwise be imported first.
    (tmp_path / "sdkpkg").symlink_to(SDK_DIR, target_is_directory=True)
    result = subprocess.run(
        [sys.executable, "-s", "-c", PROBE],
        cwd=tmp_path,  # "-c" puts the working directory first on sys.path
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ""


def test_codec_modules_do_not_import_client_modules() -> None:
    """The simulated lock may reuse crc/crypto/frame/errors only (docs/architecture.md rule 5)."""
    client = ("commands", "ops", "pairing", "routing", "keys", "advertisement", "results")
    for name in ("crc", "crypto", "frame", "errors", "const"):
        source = (SDK_DIR / "ble" / f"{name}.py").read_text()
        for module in client:
            assert f"from .{module} import" not in source, (name, module)
            assert f"from . import {module}" not in source, (name, module)
