"""Access changes in the logbook and on the bus: a line when a lock takes a credential, when
it no longer holds it (a revocation confirmed), and when it refuses one — on the lock's own
logbook, never with the digits."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.ttlock_access.const import EVENT_ACCESS
from tests.integration.helpers import Cloud, advance, call, logbook_entries

FRONT = 5001101


def _lines(entries: list[dict[str, Any]]) -> list[tuple[str | None, str]]:
    """The access lines (the code typed at the lock has an activity line of its own)."""
    return [
        (e.get("entity_id"), e["message"])
        for e in entries
        if e["name"] != "Access panel" and "unlocked" not in e["message"]
    ]


async def test_grant_and_revocation_lines(
    hass: HomeAssistant,
    logbook: None,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A code set on the lock, then revoked: the lock's logbook says it now holds it, then
    that it no longer holds it — only once the lock confirmed the removal."""
    start = dt_util.utcnow() - timedelta(minutes=1)
    client = await hass_ws_client(hass)  # signed in now: the token would expire meanwhile
    events: list[Event] = []
    hass.bus.async_listen(EVENT_ACCESS, events.append)
    created = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Anna", "holder": "Anna Smith"},
    )
    await hass.async_block_till_done()
    assert [e.data["action"] for e in events] == ["placed"]
    placed = events[0].data
    assert placed["entity_id"] == "lock.front_door"
    assert (placed["name"], placed["holder"], placed["kind"]) == ("Anna", "Anna Smith", "passcode")

    # the cloud is unreachable for a while: the revocation waits, and the logbook says nothing
    cloud.world.faults.fail_next("keyboardPwd/delete", -3002)
    await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    await hass.async_block_till_done()
    assert [e.data["action"] for e in events] == ["placed"]
    assert cloud.world.enter_code(FRONT, created["code"]).success
    await advance(hass, freezer, 3600)
    assert not cloud.world.enter_code(FRONT, created["code"]).success
    assert [e.data["action"] for e in events] == ["placed", "removed"]

    entries = await logbook_entries(hass, client, start)
    assert _lines(entries) == [
        ("lock.front_door", "now holds passcode 'Anna' of Anna Smith"),
        ("lock.front_door", "no longer holds passcode 'Anna' of Anna Smith"),
    ]
    assert created["code"] not in json.dumps(entries)
    assert created["code"] not in json.dumps([e.data for e in events])


async def test_refusal_line_gives_the_reason(
    hass: HomeAssistant,
    logbook: None,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A lock that refuses a code (memory full): the line says so, with the reason."""
    start = dt_util.utcnow() - timedelta(minutes=1)
    cloud.world.faults.fail_next("keyboardPwd/add", -3009)
    await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Ben"})
    entries = await logbook_entries(hass, await hass_ws_client(hass), start)
    [(entity_id, message)] = _lines(entries)
    assert entity_id == "lock.front_door"
    assert message.startswith("refused passcode 'Ben': ")
    assert "NO SPACE" in message


async def test_no_lines_for_what_was_settled_before_a_restart(
    hass: HomeAssistant,
    logbook: None,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Loading the stored model after a reload repeats nothing: only news is logged."""
    await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Cleo"})
    await hass.async_block_till_done()
    events: list[Event] = []
    hass.bus.async_listen(EVENT_ACCESS, events.append)
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert events == []
