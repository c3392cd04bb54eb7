"""No secret leaks: every code, card number, key, token and PIN this test creates or types is
looked for in the logs, the states, the events (and so the logbook) and the diagnostics.

Scanned: every log record of the integration (DEBUG and up) and every record at INFO and up
of any logger; every state and attribute; every bus event except ``call_service`` (Home
Assistant's own record of the admin's input, e.g. a code the admin chose); diagnostics.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN
from homeassistant.const import ATTR_CODE, ATTR_ENTITY_ID, EVENT_CALL_SERVICE, MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.ttlock_access.const import (
    CONF_CLIENT_SECRET,
    CONF_PASSWORD_MD5,
    CONF_TOKEN,
    EVENT_ACTIVITY,
)
from tests.integration.helpers import PASSWORD, BleWorld, Cloud, advance, call
from tests.integration.webhook_helpers import BACK_DOOR, FRONT_DOOR, ClientFactory, enable_push

PIN = "90817263"
CUSTOM_CODE = "48213957"
BLE_CODE = "735190264"
WRONG_DIGITS = ("13579246", "864209753")
CARD = "3661413478"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("custom_components") or record.levelno >= logging.INFO:
            self.lines.append(f"{record.name} {record.getMessage()} {record.exc_text or ''}")


@pytest.fixture
def logs() -> Iterator[_Collect]:
    """Every log line from setup to the end of the test."""
    handler = _Collect()
    root = logging.getLogger()
    ours = logging.getLogger("custom_components.ttlock_access")
    level = ours.level
    ours.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        ours.setLevel(level)


@pytest.fixture
def bus(hass: HomeAssistant) -> list[Event]:
    """Every bus event from setup on."""
    seen: list[Event] = []

    @callback
    def _listener(event: Event) -> None:
        seen.append(event)

    hass.bus.async_listen(MATCH_ALL, _listener)
    return seen


@pytest.mark.parametrize("ble_lock_ids", [(BACK_DOOR,)])
async def test_no_secret_in_logs_states_events_or_diagnostics(
    hass: HomeAssistant,
    logs: _Collect,
    bus: list[Event],
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    hass_client: ClientFactory,
    hass_client_no_auth: ClientFactory,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Create, share, use and fail every kind of credential, then look for every secret."""
    world = cloud.world
    secrets: set[str] = {PIN, CUSTOM_CODE, BLE_CODE, CARD, *WRONG_DIGITS, PASSWORD}
    entry = setup_entry
    secrets |= {
        entry.data[CONF_CLIENT_SECRET],
        entry.data[CONF_PASSWORD_MD5],
        entry.data[CONF_TOKEN]["access_token"],
        entry.data[CONF_TOKEN]["refresh_token"],
    }
    for lock in world.locks.values():
        keys = lock.keys
        secrets |= {lock.lock_data, keys.aes_key_str, keys.admin_pwd, keys.lock_key}
        secrets |= {keys.admin_ps, keys.unlock_key, keys.no_key_pwd}

    assert await async_setup_component(hass, "diagnostics", {})  # before the router freezes
    # the HA-side PIN
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {
            "poll_interval": 10,
            "sweep_calls": 1,
            "monthly_budget": 30000,
            "monthly_passcode_limit": 0,
            "pin": PIN,
        },
    )
    await hass.async_block_till_done()
    push = await enable_push(hass, cloud, entry, hass_client_no_auth)
    async_mock_service(hass, "notify", "anna_phone")

    # credentials of every kind, shared with the guest's phone
    custom = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Anna (guest)",
            "code": CUSTOM_CODE,
            "share_to": ["notify.anna_phone"],
        },
    )
    offline = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Courier",
            "type": "period",
            "ends_at": "2031-01-01 00:00:00",
        },
    )
    secrets.add(offline["locks"]["lock.front_door"]["code"])
    await call(
        hass, "add_card", {"entity_id": "lock.front_door", "name": "Blue card", "card_number": CARD}
    )
    grant = await call(
        hass,
        "grant_access",
        {"entity_id": "lock.front_door", "holder": "Tom", "length": 9, "share_to": "anna_phone"},
    )
    secrets.add(grant["credentials"][0]["code"])
    staff = await call(
        hass, "add_staff", {"entity_id": "lock.front_door", "names": ["Maria"], "length": 9}
    )
    secrets.add(staff["staff"]["Maria"]["code"])
    back = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.back_door", "name": "Back guest", "code": BLE_CODE},
    )
    assert back["locks"]["lock.back_door"]["path"] == "bluetooth"

    # used and mistyped at the doors: pushed, polled and read over Bluetooth
    world.clock.freeze()
    for digits in (CUSTOM_CODE, WRONG_DIGITS[0], grant["credentials"][0]["code"]):
        world.enter_code(FRONT_DOOR, digits)
        world.clock.advance(1)
    world.present_card(FRONT_DOOR, CARD)
    assert ble.locks[BACK_DOOR].enter_code(BLE_CODE)
    assert not ble.locks[BACK_DOOR].enter_code(WRONG_DIGITS[1])
    await push.settle()
    await hass.async_block_till_done(wait_background_tasks=True)
    await hass.services.async_call(
        LOCK_DOMAIN,
        "unlock",
        {ATTR_ENTITY_ID: "lock.front_door", ATTR_CODE: PIN},
        blocking=True,
    )
    await push.settle()  # the gateway unlock's record comes back by push
    world.clock.unfreeze()
    for _ in range(2):  # two polls at this entry's 10-minute interval
        await advance(hass, freezer, 601)
    await hass.async_block_till_done(wait_background_tasks=True)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    activity = [e for e in bus if e.event_type == EVENT_ACTIVITY]
    assert {e.data["method"] for e in activity} >= {"passcode", "card"}
    assert {e.data["source"] for e in activity} >= {"webhook", "bluetooth"}
    assert any(e.data["event_type"] == "unlock_failed" for e in activity)
    corpora = {
        "logs": "\n".join(logs.lines),
        "states": json.dumps([s.as_dict() for s in hass.states.async_all()], default=str),
        "events": json.dumps(
            [
                {"type": e.event_type, "data": e.data}
                for e in bus
                if e.event_type != EVENT_CALL_SERVICE
            ],
            default=str,
        ),
        "diagnostics": json.dumps(diagnostics, default=str),
    }
    assert custom["code"] == CUSTOM_CODE
    # the scan sees what it should: activity by name, the integration's own debug lines, and
    # the code really went through Home Assistant (in the notify call the admin asked for)
    assert "Anna (guest)" in corpora["events"]
    assert '"method": "gateway"' in corpora["states"]  # the PIN unlock, pushed back
    assert any(line.startswith("custom_components.ttlock_access") for line in logs.lines)
    assert any(
        CUSTOM_CODE in json.dumps(e.data, default=str)
        for e in bus
        if e.event_type == EVENT_CALL_SERVICE
    )
    assert len(secrets) >= 25
    leaks = [
        (where, secret[:3] + "…")
        for where, text in corpora.items()
        for secret in secrets
        if secret and secret in text
    ]
    assert leaks == []


async def test_revoked_digits_leave_the_store(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_storage: dict, cloud: Cloud
) -> None:
    """Once every lock confirmed a revoked code gone, the Store keeps its name, kind, window
    and status, but not its digits (nor the offline code the cloud made for it)."""
    from custom_components.ttlock_access.access.book import storage_key

    created = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Short-lived", "code": CUSTOM_CODE},
    )
    offline = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Courier",
            "type": "period",
            "ends_at": "2031-01-01 00:00:00",
        },
    )
    offline_code = offline["locks"]["lock.front_door"]["code"]
    manager = setup_entry.runtime_data.access
    await manager.async_save()
    stored = json.dumps(hass_storage[storage_key(setup_entry.entry_id)])
    assert CUSTOM_CODE in stored and offline_code in stored  # live codes are needed

    for made in (created, offline):
        await call(hass, "revoke_passcode", {"credential_id": made["credential_id"]})
    await manager.async_save()
    stored = json.dumps(hass_storage[storage_key(setup_entry.entry_id)])
    assert CUSTOM_CODE not in stored and offline_code not in stored
    assert "Short-lived" in stored and '"revoked"' in stored
    assert not cloud.world.enter_code(FRONT_DOOR, CUSTOM_CODE).success


@pytest.mark.no_secret_scan
async def test_the_suite_wide_scan_finds_a_leak(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    cloud: Cloud,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The scan every integration test ends with (tests/integration/secret_scan.py) does see
    a code in a log line, a state attribute or an event — and a timestamp that happens to
    contain a code's digits is not a leak."""
    from tests.integration.secret_scan import leaks

    created = await call(
        hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Leak test"}
    )
    code = created["code"]
    assert leaks(hass, cloud.world, caplog.records, []) == []
    logging.getLogger("custom_components.ttlock_access.test").debug("code %s", code)
    assert leaks(hass, cloud.world, caplog.records, []) != []
    caplog.clear()
    hass.states.async_set("sensor.leaky", "1", {"oops": code})
    assert leaks(hass, cloud.world, [], []) != []
    hass.states.async_set("sensor.leaky", "1", {"timestamp": f"17{code}123"})
    assert leaks(hass, cloud.world, [], []) == []
