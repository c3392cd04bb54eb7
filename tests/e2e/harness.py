"""Home Assistant and Chromium for the browser tests, started the way ``scripts/develop`` does.

Home Assistant runs as ``hass -c DIR --skip-pip`` in a temporary configuration directory
written by ``scripts/develop_config.py`` (the same one ``scripts/develop`` uses), with the
simulated TTLock world inside it, on free loopback ports. Chromium is Debian's
(``/usr/bin/chromium``, installed by ``scripts/setup``), driven by Playwright, headless; it
may only reach 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import develop_bootstrap as bootstrap  # noqa: E402
import develop_config  # noqa: E402

CHROMIUM = os.environ.get("TTLOCK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # without these Chromium keeps calling Google's services (there is no network here)
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
OUTPUT = ROOT / "build" / "e2e"
"""Screenshots and Home Assistant's log of the last run."""
DOCS_IMAGES = ROOT / "docs" / "images"
UPDATE_DOCS = os.environ.get("TTLOCK_E2E_UPDATE_DOCS") == "1"
"""Also copy the README's screenshots into docs/images (``TTLOCK_E2E_UPDATE_DOCS=1``)."""
LOOPBACK_ONLY = re.compile(r"^(?!(?:https?|wss?)://127\.0\.0\.1[:/])")
"""Every request the page makes that does not go to 127.0.0.1 (aborted)."""
START_LIMIT_S = 240.0
USER, PASSWORD = bootstrap.USER, bootstrap.PASSWORD
SIM_ACCOUNT = bootstrap.SIM_ACCOUNT

EN = json.loads(
    (ROOT / "custom_components" / "ttlock_access" / "translations" / "en.json").read_text()
)
"""The integration's English strings: the labels the browser shows."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run one of develop_bootstrap's steps on a loop of its own (the test's loop, if
    any, is left as it is)."""
    return asyncio.run(coro, loop_factory=asyncio.new_event_loop)


def http_json(url: str, token: str | None = None) -> Any:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.loads(resp.read())


@dataclass
class HomeAssistant:
    """A running ``hass`` with the simulated TTLock world."""

    config: Path
    url: str
    simulator: str
    process: subprocess.Popen[bytes]

    @property
    def log(self) -> Path:
        return self.config / "home-assistant.log"

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def wait_ready(self, limit_s: float = START_LIMIT_S) -> None:
        """Until the HTTP server, the onboarding API and the simulated cloud answer."""
        deadline = time.monotonic() + limit_s
        pending = [f"{self.url}/api/onboarding", f"{self.simulator}/sim/state"]
        while pending:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Home Assistant exited ({self.process.returncode}):\n{self.log_tail()}"
                )
            try:
                http_json(pending[0])
                pending.pop(0)
                continue
            except (OSError, urllib.error.URLError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{pending[0]} did not answer within {limit_s:.0f} s:\n{self.log_tail()}"
                )
            time.sleep(0.5)

    def onboarded(self) -> bool:
        steps = http_json(f"{self.url}/api/onboarding")
        return all(step["done"] for step in steps if step["step"] == "user")

    def token(self) -> str:
        """An access token for the owner (onboarding them first if nobody did)."""

        async def _token() -> str:
            async with aiohttp.ClientSession() as session:
                token = await bootstrap.onboard(session, self.url)
                if token is None:
                    token = await bootstrap.login(session, self.url)
                await bootstrap.confirm_http_config(session, self.url, token)
                return str(token)

        return str(run(_token()))

    def entries(self, token: str) -> list[dict[str, Any]]:
        url = f"{self.url}/api/config/config_entries/entry?domain=ttlock_access"
        return list(http_json(url, token))

    def ensure_integration(self, token: str) -> None:
        """TTLock Access signed in to the simulator (added over the REST API if the
        config-flow test did not add it) and the simulated cloud pushing to it."""

        async def _ensure() -> None:
            async with aiohttp.ClientSession() as session:
                await bootstrap.add_integration(session, self.url, token, self.simulator)
                await bootstrap.connect_push(session, self.url, self.config, self.simulator)

        run(_ensure())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        OUTPUT.mkdir(parents=True, exist_ok=True)
        if self.log.exists():
            shutil.copyfile(self.log, OUTPUT / "home-assistant.log")


def start_home_assistant(config: Path) -> HomeAssistant:
    ha_port, sim_port = free_port(), free_port()
    while sim_port == ha_port:
        sim_port = free_port()
    develop_config.write_config(config, ha_port, sim_port)
    hass = Path(sys.executable).with_name("hass")
    with (config / "hass.out").open("wb") as out:
        process = subprocess.Popen(
            [str(hass), "-c", str(config), "--skip-pip"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return HomeAssistant(
        config=config,
        url=f"http://127.0.0.1:{ha_port}",
        simulator=f"http://127.0.0.1:{sim_port}",
        process=process,
    )


def screenshot(page: Any, name: str, *, docs: bool = False) -> Path:
    """Save ``build/e2e/<name>.png`` (1280x800); with ``docs`` it is one of the README's
    screenshots, copied to docs/images when TTLOCK_E2E_UPDATE_DOCS=1."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path))
    if docs and UPDATE_DOCS:
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMAGES / path.name)
    return path
