"""Fixtures of the browser tests: Home Assistant as scripts/develop runs it, and Chromium.

These tests use no ``hass`` fixture: Home Assistant runs in a process of its own (one per
session, see harness.py) and the tests drive it through Chromium. pytest-homeassistant-
custom-component's autouse fixtures still run around each test; two things follow:

* sockets: its per-test setup blocks them; connections to 127.0.0.1 stay allowed
  (``--allow-hosts`` in pyproject.toml), which is all these tests need: the session
  fixtures call ``pytest_socket.enable_socket`` (what its ``socket_enabled`` fixture does);
* Playwright's sync API marks its event loop as running between calls, which the plugin's
  per-test checks cannot share: Chromium is started per test (a second or two) and the
  signed-in browser state is carried from one test to the next.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_socket
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LOOPBACK_ONLY,
    OUTPUT,
    PASSWORD,
    USER,
    VIEWPORT,
    HomeAssistant,
    start_home_assistant,
)

TIMEOUT_MS = 30_000
"""Playwright's wait for an element or a navigation (generous: 2 CPUs shared)."""
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def home_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HomeAssistant]:
    """Home Assistant with the simulated TTLock world, not yet onboarded."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup (Debian's chromium package)")
    pytest_socket.enable_socket()  # connections stay limited to 127.0.0.1
    shutil.rmtree(OUTPUT, ignore_errors=True)  # the screenshots of this run only
    ha = start_home_assistant(tmp_path_factory.mktemp("ha-config"))
    try:
        ha.wait_ready()
        yield ha
    finally:
        ha.stop()


@pytest.fixture(scope="session")
def browser_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser's storage (Home Assistant's tokens) is kept between tests."""
    return tmp_path_factory.mktemp("browser") / "state.json"


@pytest.fixture
def page(
    home_assistant: HomeAssistant, browser_state: Path, socket_enabled: None
) -> Iterator[Page]:
    """A 1280x800 page in headless Chromium that can only reach 127.0.0.1."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                viewport=VIEWPORT,  # type: ignore[arg-type]
                base_url=home_assistant.url,
                locale="en-US",
                timezone_id="Europe/Berlin",
                storage_state=browser_state if browser_state.exists() else None,
            )
            context.set_default_timeout(TIMEOUT_MS)
            context.route(LOOPBACK_ONLY, lambda route: route.abort())
            page = context.new_page()
            try:
                yield page
            finally:
                context.storage_state(path=browser_state)
        finally:
            browser.close()


@pytest.fixture(scope="session")
def owner_token(home_assistant: HomeAssistant) -> str:
    """A token of the owner, who is onboarded over the REST API if the onboarding test did
    not run first (the HTTP settings are confirmed either way)."""
    pytest_socket.enable_socket()  # set up before the test's own socket_enabled
    return home_assistant.token()


@pytest.fixture
def signed_in(page: Page, owner_token: str) -> Page:
    """The page, signed in as the owner (through the login form when needed)."""
    page.goto("/")
    page.wait_for_url(re.compile(r"/auth/authorize|/home|/lovelace"))
    if "/auth/authorize" in page.url:
        page.get_by_role("textbox", name="Username").fill(USER)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r"/home|/lovelace"))
    return page


@pytest.fixture(scope="session")
def integration(home_assistant: HomeAssistant, owner_token: str) -> None:
    """TTLock Access set up against the simulator (by the config-flow test, or else over
    the REST API as scripts/develop does), the simulated cloud pushing to it."""
    pytest_socket.enable_socket()
    home_assistant.ensure_integration(owner_token)
