"""The TTLock callback at its edges: a JSON body, a record that cannot be read, and a Home
Assistant Cloud that is subscribed but not connected."""

from __future__ import annotations

import sys
import types

import homeassistant.components
import pytest
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from tests.integration.webhook_helpers import (
    FRONT_DOOR,
    Push,
    capture,
    record,
)

EXTERNAL_URL = "https://ttlock-home.example.com"


async def test_json_callback(hass: HomeAssistant, push: Push) -> None:
    """A JSON object with the same fields as the form (records as a real list) is accepted."""
    events = capture(hass)
    now = int(dt_util.utcnow().timestamp() * 1000)
    body = {"notifyType": 1, "lockId": FRONT_DOOR, "records": [record(12, lock_date=now)]}
    assert await push.post(json=body) == (200, "success")
    [event] = events
    assert (event["lock_id"], event["method"]) == (FRONT_DOOR, "gateway")


async def test_unreadable_record_gets_400(hass: HomeAssistant, push: Push) -> None:
    """A batch of only unreadable records (wrong field types) is refused."""
    events = capture(hass)
    form = {
        "notifyType": "1",
        "lockId": str(FRONT_DOOR),
        "records": '[{"recordType": "four", "lockDate": "yesterday"}]',
    }
    status, text = await push.post(form)
    assert (status, text) == (400, "a record is malformed")
    assert events == []


async def test_unreadable_record_dropped_from_batch(hass: HomeAssistant, push: Push) -> None:
    """One unreadable record does not lose the readable records pushed with it."""
    events = capture(hass)
    now = int(dt_util.utcnow().timestamp() * 1000)
    good = record(12, lock_date=now)
    bad = {"recordType": 4, "lockDate": None}
    body = {"notifyType": 1, "lockId": FRONT_DOOR, "records": [bad, good]}
    assert await push.post(json=body) == (200, "success")
    [event] = events
    assert (event["lock_id"], event["method"]) == (FRONT_DOOR, "gateway")


async def test_cloud_subscribed_but_not_connected(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No cloudhook can be made: the external URL is shown instead; removing the entry
    does not fail on the missing cloudhook."""

    class CloudNotAvailable(Exception):  # noqa: N818 - the name HA Cloud uses
        pass

    async def _create(_hass: HomeAssistant, _webhook_id: str) -> str:
        raise CloudNotAvailable

    async def _delete(_hass: HomeAssistant, _webhook_id: str) -> None:
        raise ValueError("no cloudhook for this webhook")

    fake = types.ModuleType("homeassistant.components.cloud")
    fake.CloudNotAvailable = CloudNotAvailable  # type: ignore[attr-defined]
    fake.async_active_subscription = lambda _hass: True  # type: ignore[attr-defined]
    fake.async_get_or_create_cloudhook = _create  # type: ignore[attr-defined]
    fake.async_delete_cloudhook = _delete  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "homeassistant.components.cloud", fake)
    monkeypatch.setattr(homeassistant.components, "cloud", fake, raising=False)
    hass.config.components.add("cloud")
    hass.config.external_url = EXTERNAL_URL

    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    webhook_id = config_entry.data[CONF_WEBHOOK_ID]
    issue = issue_registry.async_get_issue(DOMAIN, f"webhook_callback_url_{config_entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders["url"] == f"{EXTERNAL_URL}/api/webhook/{webhook_id}"
    assert await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.config_entries.async_entries(DOMAIN) == []
