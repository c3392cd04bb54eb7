"""Hostile callbacks: whatever is posted to the callback URL, the answer is ``success`` or a
400, nothing raises, no state changes for a rejected body, and the URL's secret is never
logged."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.sdk.cloud.callback import (
    CallbackError,
    Notice,
    parse_callback,
)
from tests.integration.webhook_helpers import FRONT_DOOR, OFFICE_DOOR, Push, capture, record

_NOW_MS = int(dt_util.utcnow().timestamp() * 1000)


def _records(items: Any) -> dict[str, str]:
    return {"notifyType": "1", "lockId": str(FRONT_DOOR), "records": json.dumps(items)}


HOSTILE: list[tuple[str, dict[str, str] | bytes]] = [
    ("date 10^17", _records([record(4, lock_date=10**17)])),
    ("date -10^17", _records([record(4, lock_date=-(10**17))])),
    ("date 10^30", _records([record(4, lock_date=10**30)])),
    ("year 2100", _records([record(4, lock_date=4_102_444_800_000 + 1)])),
    ("deep nesting", {"notifyType": "1", "lockId": str(FRONT_DOOR), "records": "[" * 5000}),
    ("1,001 records", _records([record(4, lock_date=_NOW_MS)] * 1001)),
    ("battery as object", _records([{**record(4, lock_date=_NOW_MS), "electricQuantity": {}}])),
    ("2 MB body", b"notifyType=1&records=" + b"x" * 2_000_000),
    (
        "type 7 of another account's lock",
        {"notifyType": "7", "lockId": str(OFFICE_DOOR), "recordType": "1", "doorSensorId": "5"},
    ),
]


@pytest.mark.parametrize(("name", "body"), HOSTILE, ids=[name for name, _ in HOSTILE])
async def test_hostile_body_is_refused_or_ignored(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    push: Push,
    caplog: pytest.LogCaptureFixture,
    name: str,
    body: dict[str, str] | bytes,
) -> None:
    caplog.set_level(logging.DEBUG)
    events = capture(hass)
    before = hass.states.get("lock.front_door").state
    status, text = await push.post(body)
    assert (status, text) in {(200, "success")} or status == 400, name
    assert events == []
    assert hass.states.get("lock.front_door").state == before
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("custom_components")]
    assert not [line for line in ours if setup_entry.data[CONF_WEBHOOK_ID] in line]
    # a record dated beyond the locks' range never moves the records watermark
    watermark = setup_entry.runtime_data.activity.watermark.get(FRONT_DOOR, 0)
    assert watermark <= _NOW_MS + 24 * 3600 * 1000


_text = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["", "1", "2", "3", "4", "7", "[]", "{}", "null", "1e999"]),
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=20,
)
_record = st.fixed_dictionaries(
    {},
    optional={
        "recordType": st.one_of(st.integers(-(10**20), 10**20), _text),
        "lockDate": st.one_of(st.integers(-(10**20), 10**20), _text),
        "electricQuantity": _json,
        "success": _json,
        "username": _json,
        "keyboardPwd": _json,
        "serverDate": _json,
    },
)


@settings(max_examples=300, deadline=None)
@given(
    notify=st.sampled_from(["1", "2", "3", "4", "7", "99", "x", ""]),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "lockId",
                "gatewayId",
                "isOnline",
                "objectType",
                "objectId",
                "errcode",
                "recordType",
                "doorSensorId",
                "name",
            ]
        ),
        _text,
    ),
    records=st.one_of(_text, st.lists(_record, max_size=5).map(json.dumps), _json.map(json.dumps)),
)
def test_parser_yields_a_notice_or_refuses(
    notify: str, fields: dict[str, str], records: str
) -> None:
    """Any form: a notice, or CallbackError (which the webhook answers with 400)."""
    try:
        notice = parse_callback({"notifyType": notify, **fields, "records": records})
    except CallbackError:
        return
    assert isinstance(notice, Notice.__value__.__args__)


async def test_a_replay_after_a_restart_is_not_a_second_event(
    hass: HomeAssistant, setup_entry: MockConfigEntry, push: Push
) -> None:
    """Seen records are remembered on disk: the same push after a restart is a duplicate,
    and a pushed record older than the memory is history, not an event."""
    now_ms = int(dt_util.utcnow().timestamp() * 1000)
    body = _records([record(4, lock_date=now_ms - 60_000, username="Cleaner")])
    events = capture(hass)
    assert await push.post(body) == (200, "success")
    assert len(events) == 1
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert await push.post(body) == (200, "success")
    assert len(events) == 1
    stats = setup_entry.runtime_data.activity.stats
    assert stats["duplicates"] == 1
    week_ago = now_ms - 8 * 24 * 3600 * 1000
    assert await push.post(_records([record(4, lock_date=week_ago)])) == (200, "success")
    assert len(events) == 1
    assert stats["history"] == 1


async def test_a_flood_is_refused_and_logged_once(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    cloud: Any,
    hass_client_no_auth: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Beyond the per-entry rate, callbacks are answered 429 (TTLock retries them later),
    nothing of them is applied, and one warning says so."""
    from custom_components.ttlock_access import webhook as webhook_module
    from tests.integration.webhook_helpers import enable_push

    monkeypatch.setattr(webhook_module, "RATE_MAX", 5)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    flood = await enable_push(hass, cloud, config_entry, hass_client_no_auth)
    events = capture(hass)
    now_ms = int(dt_util.utcnow().timestamp() * 1000)
    statuses = [
        (await flood.post(_records([record(4, lock_date=now_ms - i * 1000)])))[0] for i in range(8)
    ]
    assert statuses == [200] * 5 + [429] * 3
    assert len(events) == 5
    warnings = [r for r in caplog.records if "faster than 5 a minute" in r.getMessage()]
    assert len(warnings) == 1
    assert config_entry.data[CONF_WEBHOOK_ID] not in warnings[0].getMessage()


async def test_rotating_the_callback_url(
    hass: HomeAssistant, setup_entry: MockConfigEntry, push: Push, issue_registry: Any
) -> None:
    """A leaked URL is replaced: the old one stops working at once, the new one works, and
    the repair notice shows the new URL until TTLock uses it."""
    from homeassistant.components import webhook
    from homeassistant.exceptions import ServiceValidationError

    from custom_components.ttlock_access.const import DOMAIN, ISSUE_WEBHOOK_URL
    from tests.integration.helpers import call

    await hass.config.async_update(external_url="https://ha.example.com")
    old_path = push.path
    now_ms = int(dt_util.utcnow().timestamp() * 1000)
    assert await push.post(_records([record(4, lock_date=now_ms - 5000)])) == (200, "success")
    events = capture(hass)
    response = await call(hass, "rotate_callback_url", {"config_entry_id": setup_entry.entry_id})
    new_id = setup_entry.data[CONF_WEBHOOK_ID]
    assert new_id not in old_path
    assert response["url"] == "https://ha.example.com" + webhook.async_generate_path(new_id)
    issue = issue_registry.async_get_issue(DOMAIN, f"{ISSUE_WEBHOOK_URL}_{setup_entry.entry_id}")
    assert issue is not None and issue.translation_placeholders["url"] == response["url"]
    # the old URL: not ours any more (Home Assistant answers it like any unknown webhook)
    push.path = old_path
    await push.post(_records([record(4, lock_date=now_ms - 4000)]))
    assert events == []
    push.path = webhook.async_generate_path(new_id)
    assert await push.post(_records([record(4, lock_date=now_ms - 3000)])) == (200, "success")
    assert len(events) == 1
    assert issue_registry.async_get_issue(DOMAIN, issue.issue_id) is None
    with pytest.raises(ServiceValidationError):
        await call(hass, "rotate_callback_url", {"config_entry_id": "no-such-entry"})
