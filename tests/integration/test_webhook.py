"""The TTLock callback: registration, the repair issue, real TTLock-shaped callbacks from the
simulated cloud and by hand, every notify type, foreign ids and malformed bodies."""

from __future__ import annotations

import json
import sys
import types
from typing import Any

import homeassistant.components
import pytest
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.ttlock_access.const import CONF_WEBHOOK_SEEN, DOMAIN
from custom_components.ttlock_access.sdk.cloud import md5_password
from simulator.webhook import pusher_for
from tests.integration.helpers import CLIENT_ID, CLIENT_SECRET, Cloud
from tests.integration.webhook_helpers import (
    FRONT_DOOR,
    GARAGE,
    HALLWAY_GATEWAY,
    OFFICE_DOOR,
    ClientFactory,
    Push,
    capture,
    enable_push,
    record,
    records_form,
)

EXTERNAL_URL = "https://ttlock-home.example.com"


def _now_ms() -> int:
    return int(dt_util.utcnow().timestamp() * 1000)


@pytest.fixture
async def entry(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The demo account with an external URL configured, set up (diagnostics loaded before
    the HTTP test client freezes the router)."""
    hass.config.external_url = EXTERNAL_URL
    assert await async_setup_component(hass, "diagnostics", {})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


@pytest.fixture
async def push(
    hass: HomeAssistant, cloud: Cloud, entry: MockConfigEntry, hass_client_no_auth: ClientFactory
) -> Push:
    """The simulator pushes to the entry's webhook."""
    return await enable_push(hass, cloud, entry, hass_client_no_auth)


async def test_repair_issue_shows_the_callback_url(
    hass: HomeAssistant, entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    """A webhook id is stored; the issue shows the external URL to paste into TTLock."""
    webhook_id = entry.data[CONF_WEBHOOK_ID]
    assert len(webhook_id) >= 32
    issue = issue_registry.async_get_issue(DOMAIN, f"webhook_callback_url_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders["url"] == f"{EXTERNAL_URL}/api/webhook/{webhook_id}"
    assert issue.translation_placeholders["client_id"] == CLIENT_ID


async def test_without_external_url_the_issue_says_so(
    hass: HomeAssistant, setup_entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    """No external URL and no Home Assistant Cloud: explain what is missing."""
    entry_id = setup_entry.entry_id
    assert issue_registry.async_get_issue(DOMAIN, f"webhook_no_url_{entry_id}") is not None
    assert issue_registry.async_get_issue(DOMAIN, f"webhook_callback_url_{entry_id}") is None


async def test_simulated_keypad_unlock_is_pushed(
    hass: HomeAssistant,
    cloud: Cloud,
    entry: MockConfigEntry,
    push: Push,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A code typed at the lock reaches HA through the callback: event entity, bus event,
    changed_by; TTLock got ``success``; the issue goes away and the webhook counts as seen."""
    events = capture(hass)
    result = await hass.services.async_call(
        DOMAIN,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Anna (guest)", "holder": "Anna"},
        blocking=True,
        return_response=True,
    )
    assert isinstance(result, dict)
    assert cloud.world.enter_code(FRONT_DOOR, result["code"]).success
    await push.settle()

    assert [c.ok for c in push.pusher.sent] == [True]
    assert push.pusher.sent[0].form["records"].startswith("[")
    [event] = events
    assert event["event_type"] == "unlocked"
    assert event["method"] == "passcode"
    assert event["credential"] == "Anna (guest)"
    assert event["holder"] == "Anna"
    assert event["source"] == "webhook"
    assert event["uses"] == 1
    assert event["entity_id"] == "lock.front_door"
    assert event["device_id"] is not None
    state = hass.states.get("event.front_door_activity")
    assert state.attributes["event_type"] == "unlocked"
    assert state.attributes["credential"] == "Anna (guest)"
    lock = hass.states.get("lock.front_door")
    assert lock.state == "unlocked"
    assert lock.attributes["changed_by"] == "Anna"
    assert entry.data[CONF_WEBHOOK_SEEN] is True
    assert issue_registry.async_get_issue(DOMAIN, f"webhook_callback_url_{entry.entry_id}") is None


async def test_hand_made_callback_form_encoded(hass: HomeAssistant, push: Push) -> None:
    """The documented shape: form fields, ``records`` a JSON string, no record ids; the
    reply is the literal ``success``."""
    events = capture(hass)
    now = _now_ms()
    form = records_form(
        FRONT_DOOR,
        [
            record(10, lock_date=now - 2000, from_lock=27),  # mechanical key
            record(45, lock_date=now - 1000, from_lock=45),  # auto lock
        ],
    )
    status, text = await push.post(form)
    assert (status, text) == (200, "success")
    assert [(e["event_type"], e["method"]) for e in events] == [
        ("unlocked", "mechanical_key"),
        ("locked", "auto_lock"),
    ]
    assert hass.states.get("lock.front_door").attributes["changed_by"] == "Auto-lock"
    # the same callback again (TTLock retries): nothing new
    status, _ = await push.post(form)
    assert status == 200
    assert len(events) == 2


async def test_unknown_record_type_is_a_generic_event(hass: HomeAssistant, push: Push) -> None:
    """A record type nobody documented is not rejected: an ``other`` event with its number."""
    events = capture(hass)
    status, _ = await push.post(records_form(FRONT_DOOR, [record(999, lock_date=_now_ms())]))
    assert status == 200
    [event] = events
    assert (event["event_type"], event["record_type"]) == ("other", 999)
    assert event["description"] == "lock record 999"


@pytest.mark.parametrize(
    ("body", "kwargs"),
    [
        ({"lockId": "5001101"}, {}),  # no notifyType
        ({"notifyType": "one"}, {}),
        ({"notifyType": "1", "records": "[]"}, {}),  # no lockId
        ({"notifyType": "1", "lockId": "5001101"}, {}),  # no records
        ({"notifyType": "1", "lockId": "5001101", "records": "{not json"}, {}),
        ({"notifyType": "1", "lockId": "5001101", "records": '{"a": 1}'}, {}),
        ({"notifyType": "1", "lockId": "5001101", "records": "[1, 2]"}, {}),
        ({"notifyType": "2", "gatewayId": "301001", "isOnline": "maybe"}, {}),
        ({"notifyType": "4"}, {}),
        (None, {"json": ["not", "an", "object"]}),
        (None, {"data": b"\xff\xfe", "headers": {"Content-Type": "application/json"}}),
    ],
)
async def test_malformed_bodies_get_400(
    hass: HomeAssistant, push: Push, body: dict[str, str] | None, kwargs: dict[str, Any]
) -> None:
    """Anything that is not a TTLock callback is answered 400 and changes nothing."""
    events = capture(hass)
    status, _ = await push.post(body, **kwargs) if body is not None else await push.post(**kwargs)
    assert status == 400
    assert events == []


async def test_foreign_lock_ids_are_ignored(hass: HomeAssistant, push: Push) -> None:
    """Records of a lock that is not on this account (another account's, or unknown) are
    acknowledged and ignored."""
    events = capture(hass)
    for lock_id in (OFFICE_DOOR, 424242):
        status, text = await push.post(records_form(lock_id, [record(4, lock_date=_now_ms())]))
        assert (status, text) == (200, "success")
    assert events == []
    activity = hass.config_entries.async_entries(DOMAIN)[0].runtime_data.activity
    assert activity.stats["ignored"] == 2


async def test_gateway_and_wifi_online_pushes(
    hass: HomeAssistant, cloud: Cloud, entry: MockConfigEntry, push: Push
) -> None:
    """notifyType 2 (gateway) and 3 (Wi-Fi lock) online/offline, sent by the simulator."""
    entity_id = next(
        s.entity_id
        for s in hass.states.async_all("binary_sensor")
        if s.attributes.get("device_class") == "connectivity"
    )
    assert hass.states.get(entity_id).state == "on"
    push.pusher.notify(CLIENT_ID, 2, gatewayId=HALLWAY_GATEWAY, isOnline=False, gatewayName="H")
    push.pusher.notify(CLIENT_ID, 3, lockId=GARAGE, isOnline=False, lockAlias="Garage")
    await push.settle()
    assert [c.ok for c in push.pusher.sent] == [True, True]
    assert hass.states.get(entity_id).state == "off"
    assert entry.runtime_data.coordinator.data.locks[GARAGE].wifi_online is False
    push.pusher.notify(CLIENT_ID, 2, gatewayId=HALLWAY_GATEWAY, isOnline=True)
    await push.settle()
    assert hass.states.get(entity_id).state == "on"


async def test_async_request_failure_rechecks_the_credential(
    hass: HomeAssistant, cloud: Cloud, entry: MockConfigEntry, push: Push
) -> None:
    """notifyType 4: the Wi-Fi lock refused a passcode the cloud had accepted. The callback
    alone proves nothing: the credential is looked up again; the cloud still lists it, so it
    stays set (a forged notice cannot fail or drop a credential)."""
    result = await hass.services.async_call(
        DOMAIN,
        "create_passcode",
        {"entity_id": "lock.garage", "name": "Courier"},
        blocking=True,
        return_response=True,
    )
    assert isinstance(result, dict)
    assert result["locks"]["lock.garage"]["state"] == "set"
    manager = entry.runtime_data.access
    credential = manager.state.credentials[result["credential_id"]]
    passcode_id = credential.placements[GARAGE].ttlock_id
    assert passcode_id
    listings = cloud.world.usage(CLIENT_ID)
    push.pusher.notify(
        CLIENT_ID, 4, lockId=GARAGE, objectType=2, objectId=passcode_id, errcode=-3, uid=cloud.uid
    )
    await push.settle()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert cloud.world.usage(CLIENT_ID) > listings  # looked up again
    placement = credential.placements[GARAGE]
    assert placement.state.value == "set"
    assert credential.status.value == "active"
    assert manager.pending() == 0


async def test_standalone_door_sensor(hass: HomeAssistant, push: Push) -> None:
    """notifyType 7 from a DS3 door sensor that is bound to no lock: a bus event of its own."""
    events = capture(hass)
    status, _ = await push.post(
        {"notifyType": "7", "doorSensorId": "77", "mac": "AA:BB", "name": "Shed", "recordType": "1"}
    )
    assert status == 200
    [event] = events
    assert (event["lock_name"], event["event_type"], event["door_sensor_id"]) == (
        "Shed",
        "door_open",
        77,
    )
    assert event["device_id"] is None


async def test_unknown_notify_type_is_acknowledged(hass: HomeAssistant, push: Push) -> None:
    """Notify types the integration does not use still get ``success`` (no retries)."""
    assert await push.post({"notifyType": "42", "whatever": "1"}) == (200, "success")


async def test_one_developer_app_for_two_accounts(
    hass: HomeAssistant,
    cloud: Cloud,
    entry: MockConfigEntry,
    push: Push,
) -> None:
    """TTLock has one callback URL per developer application: records of the second
    account's lock, pushed to the first account's webhook, reach the second account."""
    second = MockConfigEntry(
        domain=DOMAIN,
        title="second@example.com",
        unique_id=str(cloud.world.account_by_username("second@example.com").uid),
        data={
            **{k: v for k, v in entry.data.items() if k not in ("token", CONF_WEBHOOK_ID)},
            "username": "second@example.com",
            "password_md5": md5_password("second-password"),
            "client_secret": CLIENT_SECRET,
        },
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    events = capture(hass)
    status, _ = await push.post(
        records_form(OFFICE_DOOR, [record(12, lock_date=_now_ms(), username="second@example.com")])
    )
    assert status == 200
    [event] = events
    assert event["lock_id"] == OFFICE_DOOR
    assert event["method"] == "gateway"
    assert event["user"] == "second@example.com"
    assert second.runtime_data.activity.stats["webhook"] == 1
    assert pusher_for(cloud.world) is push.pusher


async def test_home_assistant_cloud_hook(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With an active Home Assistant Cloud subscription the URL is a cloudhook, created once
    and deleted with the entry."""
    created: list[str] = []
    deleted: list[str] = []

    class CloudNotAvailable(Exception):  # noqa: N818 - the name HA Cloud uses
        pass

    async def _create(_hass: HomeAssistant, webhook_id: str) -> str:
        created.append(webhook_id)
        return f"https://hooks.nabu.casa/{webhook_id}"

    async def _delete(_hass: HomeAssistant, webhook_id: str) -> None:
        deleted.append(webhook_id)

    fake = types.ModuleType("homeassistant.components.cloud")
    fake.CloudNotAvailable = CloudNotAvailable  # type: ignore[attr-defined]
    fake.async_active_subscription = lambda _hass: True  # type: ignore[attr-defined]
    fake.async_get_or_create_cloudhook = _create  # type: ignore[attr-defined]
    fake.async_delete_cloudhook = _delete  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "homeassistant.components.cloud", fake)
    monkeypatch.setattr(homeassistant.components, "cloud", fake, raising=False)
    hass.config.components.add("cloud")

    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    webhook_id = config_entry.data[CONF_WEBHOOK_ID]
    issue = issue_registry.async_get_issue(DOMAIN, f"webhook_callback_url_{config_entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders["url"] == f"https://hooks.nabu.casa/{webhook_id}"
    assert created == [webhook_id]
    assert await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()
    assert deleted == [webhook_id]


async def test_diagnostics_hide_the_webhook(
    hass: HomeAssistant, entry: MockConfigEntry, push: Push, hass_client: ClientFactory
) -> None:
    """The webhook id (the callback URL's only secret) is redacted; push counters are shown."""
    await push.post(records_form(FRONT_DOOR, [record(46, lock_date=_now_ms())]))
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert entry.data[CONF_WEBHOOK_ID] not in json.dumps(diagnostics)
    assert diagnostics["activity"]["records"]["webhook"] == 1
    assert diagnostics["activity"]["push"] == "working"
