"""TTLock Access in Home Assistant's own web UI, in a real browser (Chromium, headless).

One Home Assistant for the whole module, started as scripts/develop starts it; the tests
run in this order and build on each other (onboarding, then adding the integration, then
using it), but each can also run alone: the fixtures onboard and add the integration over
the REST API when the test that does it in the browser did not run. Screenshots go to
build/e2e/; the README's are copied to docs/images with TTLOCK_E2E_UPDATE_DOCS=1.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.harness import EN, PASSWORD, SIM_ACCOUNT, USER, HomeAssistant, screenshot

# one worker runs them all, in this order (scripts/test: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("e2e")

ACCOUNT = EN["config"]["step"]["account"]
LOCK = "Front Door"


def test_onboarding_in_the_browser(page: Page, home_assistant: HomeAssistant) -> None:
    """A new owner goes through Home Assistant's onboarding by typing into its forms."""
    page.goto("/")
    page.get_by_role("button", name="Create my smart home").click()
    page.get_by_role("textbox", name="Name*", exact=True).fill("Developer")
    page.get_by_role("textbox", name="Username*", exact=True).fill(USER)
    page.get_by_role("textbox", name="Password*", exact=True).fill(PASSWORD)
    page.get_by_role("textbox", name="Confirm password*", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # home location, then the country (from configuration.yaml), then analytics
    expect(page.get_by_role("heading", name="Home location")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("the country your home is in")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Help us help you")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    # the last step lists what was discovered (the simulated Bluetooth locks, once their
    # adverts have come in through the virtual proxy)
    finish = page.get_by_role("button", name="Finish")
    expect(finish).to_be_visible()
    screenshot(page, "onboarding-finish")
    finish.click()
    page.wait_for_url(re.compile(r"/home|/lovelace"))
    # Home Assistant 2026.10 asks to confirm the HTTP settings taken from configuration.yaml
    # (127.0.0.1 and the port), else it reverts them after five minutes
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("button", name="Confirm")).to_have_count(0)
    expect(page.get_by_role("heading", name="Welcome Developer")).to_be_visible()
    assert home_assistant.onboarded()


def test_add_integration_in_the_config_flow_dialog(
    signed_in: Page, home_assistant: HomeAssistant, owner_token: str
) -> None:
    """Add TTLock Access by typing into the config-flow dialog: a wrong password first is
    reported on the form that has the password, and the corrected one signs in."""
    page = signed_in
    assert home_assistant.entries(owner_token) == []
    page.goto("/config/integrations/dashboard")
    page.get_by_role("button", name="Add integration").click()
    page.get_by_placeholder("Search for a brand name").fill("TTLock")
    page.get_by_role("button", name="TTLock Access", exact=True).click()
    # discovered locks are offered first; a new account is "another instance"
    menu = page.get_by_text(EN["config"]["step"]["user"]["menu_options"]["account"])
    another = page.get_by_role("button", name=re.compile("Set up another instance"))
    expect(menu.or_(another)).to_be_visible()
    if another.is_visible():
        another.click()
    menu.click()

    # (HA's dialogs slot their content: locators are not scoped to the dialog element)
    page.get_by_role("radio", name=EN["selector"]["region"]["options"]["custom"]).check()
    page.get_by_role("textbox", name=f"{ACCOUNT['data']['client_id']}*").fill(
        SIM_ACCOUNT["client_id"]
    )
    page.get_by_role("textbox", name=f"{ACCOUNT['data']['client_secret']}*").fill(
        SIM_ACCOUNT["client_secret"]
    )
    page.get_by_role("textbox", name=f"{ACCOUNT['data']['username']}*").fill(
        SIM_ACCOUNT["username"]
    )
    password = page.get_by_role("textbox", name=f"{ACCOUNT['data']['password']}*")
    password.press_sequentially("wrong-password")
    screenshot(page, "config-flow", docs=True)
    page.get_by_role("button", name="Submit").click()

    server_url = page.get_by_role(
        "textbox", name=f"{EN['config']['step']['custom_server']['data']['base_url']}*"
    )
    server_url.fill(home_assistant.simulator)
    page.get_by_role("button", name="Submit").click()

    # back on the account form, with the error and a password field to fix it
    expect(page.get_by_text(EN["config"]["error"]["invalid_auth"], exact=True)).to_be_visible()
    expect(password).to_be_visible()
    expect(page.get_by_role("textbox", name=f"{ACCOUNT['data']['username']}*")).to_have_value(
        SIM_ACCOUNT["username"]
    )
    screenshot(page, "config-flow-wrong-password")
    password.fill("")
    password.press_sequentially(SIM_ACCOUNT["password"])
    page.get_by_role("button", name="Submit").click()
    # the server URL typed before is offered again
    expect(server_url).to_have_value(home_assistant.simulator)
    page.get_by_role("button", name="Submit").click()

    # created: Home Assistant lists the new devices (areas can be chosen) and finishes
    finish = page.get_by_role("button", name="Finish")
    expect(finish).to_be_visible()
    expect(page.get_by_placeholder(LOCK, exact=True)).to_have_value(LOCK)
    screenshot(page, "config-flow-created")
    finish.click()
    expect(finish).to_have_count(0)
    entries = home_assistant.entries(owner_token)
    assert [entry["state"] for entry in entries] == ["loaded"]


@pytest.mark.usefixtures("integration")
def test_unlock_from_the_more_info_dialog(signed_in: Page) -> None:
    """The lock's device page, its more-info dialog, and an unlock from there (over the
    simulated Bluetooth proxy) that the dialog shows."""
    page = signed_in
    page.goto("/config/devices/dashboard")
    page.get_by_role("rowheader", name=LOCK, exact=True).click()
    page.wait_for_url(re.compile(r"/config/devices/device/"))
    controls = page.locator("ha-card", has=page.get_by_role("heading", name="Controls"))
    expect(controls.get_by_role("button", name="Unlock")).to_be_visible()
    expect(page.get_by_role("heading", name="Device info")).to_be_visible()
    screenshot(page, "lock-device-page", docs=True)

    controls.get_by_text(LOCK, exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    state = page.get_by_role("paragraph")  # the state in large type (slotted in the dialog)
    expect(state.get_by_text("Locked", exact=True)).to_be_visible()
    page.get_by_role("switch", name="Unlock").click()
    expect(state.get_by_text("Unlocked", exact=True)).to_be_visible()
    screenshot(page, "more-info-unlocked", docs=True)
    # the switch now offers the opposite
    expect(page.get_by_role("switch", name="Lock")).to_be_visible()


@pytest.mark.usefixtures("integration")
def test_create_passcode_from_the_actions_page(signed_in: Page) -> None:
    """ttlock_access.create_passcode typed in YAML on Settings → Developer tools → Actions,
    and its response shown there."""
    page = signed_in
    page.goto("/config/tools/action")
    page.get_by_role("button", name="YAML mode").click()
    editor = page.locator(".cm-content").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # insert_text: typing key by key would get the editor's auto-indent on every line
    page.keyboard.insert_text(
        "action: ttlock_access.create_passcode\n"
        "target:\n"
        "  entity_id: lock.front_door\n"
        "data:\n"
        "  name: Anna (guest)\n"
        "  type: one_time\n"
    )
    expect(page.get_by_text("Create passcode", exact=True).first).to_be_visible()
    page.get_by_role("button", name="Perform action").click()
    response = page.locator("ha-card", has=page.get_by_role("heading", name="Response"))
    expect(response).to_be_visible()
    expect(response).to_contain_text("credential_id")
    expect(response).to_contain_text("Anna (guest)")
    page.get_by_role("heading", name="Response").evaluate(
        "el => el.scrollIntoView({block: 'center'})"
    )
    screenshot(page, "actions-response", docs=True)


# Records every data-state a credential's lock-state chip shows in the Access panel (its
# shadow root is re-rendered on each update, too fast to catch by polling).
_RECORD_STATES = """
panel => {
  window.__ttlockStates = [];
  const root = panel.shadowRoot;
  const seen = () => {
    for (const chip of root.querySelectorAll('[data-testid=lock-state]')) {
      const row = chip.closest('[data-testid=credential]');
      const entry = `${row ? row.dataset.name : ''}|${chip.dataset.lock}|${chip.dataset.state}`;
      if (window.__ttlockStates.at(-1) !== entry) window.__ttlockStates.push(entry);
    }
  };
  new MutationObserver(seen).observe(root, {subtree: true, childList: true, attributes: true});
  seen();
}
"""


@pytest.mark.usefixtures("integration")
def test_access_panel_guest_set_and_revoked(signed_in: Page) -> None:
    """In the Access panel: add a guest on the Front Door, watch the code go setting → set
    live, show it, revoke it (removed from the lock), and find the audit line of "show" and
    the lock's line confirming the removal in the logbook (without the digits); the Bookings
    section leads to the options where a calendar is linked."""
    page = signed_in
    guest = "Erik (guest)"
    page.get_by_role("link", name="Access").click()
    page.wait_for_url(re.compile(r"/ttlock-access"))
    panel = page.locator("ttlock-access-panel")
    expect(panel.locator("[data-testid=title]")).to_be_visible()
    expect(panel.locator("[data-testid=lock-row][data-lock='lock.front_door']")).to_be_visible()
    panel.evaluate(_RECORD_STATES)

    panel.locator("[data-testid=add-guest]").click()
    dialog = panel.locator("[data-testid=dialog]")
    dialog.locator("[data-testid=field-name]").press_sequentially(guest)
    dialog.locator("[data-testid=field-lock][value='lock.front_door']").check()
    dialog.locator("[data-testid=dialog-submit]").click()
    new_code = dialog.locator("[data-testid=new-code]")
    expect(new_code.first).to_have_text(re.compile(r"^\d{4,9}$"))
    code = new_code.first.inner_text()
    screenshot(page, "access-panel-new-code")
    dialog.locator("[data-testid=dialog-done]").click()
    expect(dialog).to_be_hidden()

    credential = panel.locator(f"[data-testid=credential][data-name='{guest}']")
    chip = credential.locator("[data-testid=lock-state][data-lock='lock.front_door']")
    expect(chip).to_have_attribute("data-state", "set", timeout=60_000)
    states = [
        s.split("|")[2]
        for s in page.evaluate("window.__ttlockStates")
        if s.startswith(f"{guest}|lock.front_door|")
    ]
    assert states[0] == "setting" and states[-1] == "set", states
    # no digits anywhere in the panel once the dialog is closed
    assert not re.search(r"\b\d{6}\b", panel.inner_text()), "a code is shown"
    screenshot(page, "access-panel", docs=True)

    # "Show code": the digits on demand, and an audit line in the logbook without them
    credential.locator("[data-testid=reveal-code]").click()
    expect(dialog.locator("[data-testid=revealed-code]")).to_have_text(code)
    dialog.locator("[data-testid=dialog-submit]").click()
    expect(dialog).to_be_hidden()

    credential.locator("[data-testid=revoke-credential]").click()
    dialog.locator("[data-testid=dialog-submit]").click()
    # a revoked credential is listed with the past ones
    panel.locator("[data-testid=show-past]").check()
    expect(chip).to_have_attribute("data-state", "removed", timeout=60_000)

    page.get_by_role("link", name="Activity").click()
    page.wait_for_url(re.compile(r"/logbook"))
    logbook = page.locator("ha-logbook")
    line = logbook.get_by_role("button").filter(has_text=f"showed the code of '{guest}'")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("Access panel")
    # the lock's confirmation of the revocation: its own line
    removed = logbook.get_by_role("button").filter(has_text=f"no longer holds passcode '{guest}'")
    expect(removed).to_have_count(1)
    expect(removed).to_contain_text("Front Door")
    assert code not in logbook.inner_text()
    screenshot(page, "access-logbook")

    page.get_by_role("link", name="Access").click()
    page.wait_for_url(re.compile(r"/ttlock-access"))
    panel.locator("[data-testid=edit-bookings]").click()
    page.wait_for_url(re.compile(r"/config/integrations/integration/ttlock_access"))


@pytest.mark.usefixtures("integration")
def test_access_panel_tenant_with_meters(signed_in: Page) -> None:
    """In the Access panel: check a tenant in with the Front Door and the apartment's power
    meter ticked; the tenant is listed with that meter (supply on); checking out with "switch
    their meters off" cuts the supply, which the meter's switch shows."""
    page = signed_in
    tenant = "Tara (tenant)"
    page.get_by_role("link", name="Access").click()
    page.wait_for_url(re.compile(r"/ttlock-access"))
    panel = page.locator("ttlock-access-panel")
    panel.locator("[data-testid=check-in]").click()
    dialog = panel.locator("[data-testid=dialog]")
    dialog.locator("[data-testid=field-name]").press_sequentially(tenant)
    dialog.locator("[data-testid=field-lock][value='lock.front_door']").check()
    dialog.locator("[data-testid=field-meter][value='sensor.apartment_power_energy']").check()
    dialog.locator("[data-testid=dialog-submit]").click()
    expect(dialog.locator("[data-testid=new-code]").first).to_have_text(re.compile(r"^\d{4,9}$"))
    dialog.locator("[data-testid=dialog-done]").click()

    person = panel.locator(f"[data-testid=holder][data-name='{tenant}']")
    meter = person.locator("[data-testid=holder-meter]")
    expect(meter).to_have_attribute("data-entity", "sensor.apartment_power_energy")
    expect(meter).to_have_attribute("data-supply", "true")
    expect(meter).to_contain_text("Apartment Power")

    person.locator("[data-testid=check-out]").click()
    dialog.locator("[data-testid=field-cut-supply]").check()
    dialog.locator("[data-testid=dialog-submit]").click()
    expect(dialog).to_be_hidden()
    # the meter's own switch, as the frontend knows it, goes off
    page.wait_for_function(
        "document.querySelector('home-assistant').hass.states"
        "['switch.apartment_power_supply'].state === 'off'",
        timeout=60_000,
    )
    expect(person).to_be_hidden()  # checked out: listed with the past ones only
