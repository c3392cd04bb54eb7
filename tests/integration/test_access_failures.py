"""The access queue when things go wrong in the cloud or on the account (gateway path):
definitive refusals fail a placement with the reason, transient ones are retried, a lock
that left the account is reported, removals of what is already gone complete, and changes
only the cloud can make are made there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from tests.integration.helpers import Cloud, advance, call, pending, poll

FRONT = 5001101
BACK = 5001103
GATEWAY = 301001


@pytest.mark.parametrize(
    ("errcode", "reason"),
    [(-3007, "already exists"), (-3009, "NO SPACE")],
)
async def test_definitive_refusal_fails_the_placement(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    errcode: int,
    reason: str,
) -> None:
    """A duplicate code (-3007) or a full lock (-3009): failed with the reason, not retried."""
    cloud.world.faults.fail_next("keyboardPwd/add", errcode)
    result = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Anna", "code": "482913"},
    )
    placement = result["locks"]["lock.front_door"]
    assert placement["state"] == "failed"
    assert reason in placement["error"]
    assert result["status"] == "failed"
    assert pending(hass, "front_door") == "0"
    await advance(hass, freezer, 3600)  # nothing retries it
    assert not cloud.world.enter_code(FRONT, "482913").success
    listing = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    [item] = listing["locks"]["lock.front_door"]["credentials"]
    assert (item["status"], item["lock"]["state"]) == ("failed", "failed")


async def test_refused_sign_in_during_a_change_asks_for_the_password(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The account's password changed: the change waits and re-authentication starts."""
    cloud.world.change_password(cloud.username, "a-new-password")
    cloud.world.revoke_tokens(cloud.username)
    result = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "A"})
    assert result["locks"]["lock.front_door"]["state"] == "setting"
    assert pending(hass, "front_door") == "1"
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert any(flow["context"]["source"] == SOURCE_REAUTH for flow in flows)


async def test_lock_removed_from_the_account_while_a_change_waits(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A code waiting for the Bluetooth-only Back Door, then the lock leaves the account:
    the code's state there becomes unknown, with the reason, and nothing stays queued."""
    result = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "L"})
    assert result["locks"]["lock.back_door"]["state"] == "setting"
    cloud.world.remove_lock(BACK)
    await hass.async_block_till_done(wait_background_tasks=True)  # nothing in flight
    await poll(hass, freezer)
    await advance(hass, freezer, 120)  # the next attempt
    access = setup_entry.runtime_data.access
    assert access.state.queue == {}
    placement = access.state.credentials[result["credential_id"]].placements[BACK]
    assert placement.state.value == "unknown"
    assert placement.error == "the lock is no longer on the account"


async def test_revocation_for_a_lock_that_left_the_account(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A code is on Front Door when the lock leaves the account: its revocation cannot be
    confirmed, so it waits with a repair issue; confirming the repair stops the wait."""
    result = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "R"})
    cloud.world.remove_lock(FRONT)
    await poll(hass, freezer)
    access = setup_entry.runtime_data.access
    credential = access.state.credentials[result["credential_id"]]
    await access.async_revoke(credential)
    assert credential.placements[FRONT].state.value == "removing"
    issue_id = f"access_blocked_{setup_entry.entry_id}_{FRONT}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None and issue.is_fixable
    assert issue.translation_key == "access_lock_not_found"
    assert await async_setup_component(hass, "repairs", {})
    flows = repairs_flow_manager(hass)
    assert flows is not None
    flow = await flows.async_init(DOMAIN, context={"issue_id": issue_id})
    assert flow["step_id"] == "confirm"
    assert flow["description_placeholders"] == {"lock": "Front Door", "count": "1"}
    done = await flows.async_configure(flow["flow_id"], {})
    assert done["type"] == "create_entry"
    assert access.state.queue == {}
    assert credential.placements[FRONT].state.value == "removed"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_revoking_a_code_that_never_reached_the_lock(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Revoked before it was ever written: the pending write is dropped, nothing to remove."""
    result = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "Late"})
    assert pending(hass, "back_door") == "1"
    revoked = await call(hass, "revoke_passcode", {"credential_id": result["credential_id"]})
    credential = revoked["credential"]
    assert credential["status"] == "revoked"
    assert credential["locks"]["lock.back_door"]["state"] == "removed"
    assert pending(hass, "back_door") == "0"


async def test_removing_a_card_the_cloud_calls_gone(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The cloud answers the delete with "card does not exist" while its list still shows
    the card: not taken for gone — the removal is retried until the card is off the lock."""
    card = await call(
        hass,
        "add_card",
        {"entity_id": "lock.front_door", "name": "Cleaner", "card_number": "3661413478"},
    )
    cloud.world.faults.fail_next("identityCard/delete", -1021)
    revoked = await call(hass, "revoke_card", {"credential_id": card["credential_id"]})
    assert revoked["credential"]["locks"]["lock.front_door"]["state"] == "removing"
    assert cloud.world.present_card(FRONT, "3661413478").success
    assert pending(hass, "front_door") == "1"
    await advance(hass, freezer, 31)
    assert not cloud.world.present_card(FRONT, "3661413478").success
    assert pending(hass, "front_door") == "0"


async def test_removing_a_card_already_gone(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The card was deleted elsewhere (off the lock and the cloud's list): the cloud's
    "does not exist" is confirmed by its list, and the revocation completes at once."""
    card = await call(
        hass,
        "add_card",
        {"entity_id": "lock.front_door", "name": "Cleaner", "card_number": "3661413478"},
    )
    lock = cloud.world.lock(FRONT)
    lock.cards.clear()
    cloud.world.faults.fail_next("identityCard/delete", -1021)
    revoked = await call(hass, "revoke_card", {"credential_id": card["credential_id"]})
    assert revoked["credential"]["locks"]["lock.front_door"]["state"] == "removed"
    assert pending(hass, "front_door") == "0"


async def test_transient_failure_is_retried(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A plain failure of the lock (errcode 1) is tried again with backoff."""
    cloud.world.faults.fail_next("keyboardPwd/add", 1)
    result = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "B"})
    placement = result["locks"]["lock.front_door"]
    assert placement["state"] == "setting"
    assert placement["error"].startswith("TTLock error 1")
    await advance(hass, freezer, 31)
    assert cloud.world.enter_code(FRONT, result["code"]).success
    assert pending(hass, "front_door") == "0"


async def test_offline_code_revoked_without_a_gateway(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An offline code works without any connection: only Bluetooth or a gateway can stop
    it. With neither, the revocation stays "removing" with the reason (the code still opens
    the lock) until the code's end, when the lock refuses it by itself."""
    now = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    result = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.back_door",
            "name": "Courier",
            "type": "period",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=4)).isoformat(),
        },
    )
    code = result["locks"]["lock.back_door"]["code"]
    revoked = await call(hass, "revoke_passcode", {"credential_id": result["credential_id"]})
    placement = revoked["credential"]["locks"]["lock.back_door"]
    assert placement["state"] == "removing"
    assert "not reachable" in placement["error"]
    assert cloud.world.enter_code(BACK, code).success  # honest: it still opens
    assert pending(hass, "back_door") == "1"
    for _ in range(6):
        await advance(hass, freezer, 3600)
    assert pending(hass, "back_door") == "0"
    assert not cloud.world.enter_code(BACK, code).success
    listing = await call(
        hass, "list_credentials", {"entity_id": "lock.back_door", "include_inactive": True}
    )
    [item] = listing["locks"]["lock.back_door"]["credentials"]
    assert item["lock"]["state"] == "removed"


async def test_faces_need_a_gateway_and_follow_the_lease(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A face goes through a gateway only: on the Bluetooth-only lock it waits; behind the
    gateway it is added, and extending the holder's lease changes its validity."""
    for lock_id in (FRONT, BACK):
        cloud.world.lock(lock_id).features |= {53}
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    now = dt_util.utcnow()
    ends = now + timedelta(days=2)
    waiting = await call(
        hass,
        "add_face",
        {"entity_id": "lock.back_door", "name": "Face", "feature_data": "AAECAwQ="},
    )
    assert waiting["locks"]["lock.back_door"]["state"] == "setting"
    assert "has no gateway right now" in waiting["locks"]["lock.back_door"]["error"]
    face = await call(
        hass,
        "add_face",
        {
            "entity_id": "lock.front_door",
            "name": "Anna face",
            "holder": "Anna",
            "feature_data": "AAECAwQ=",
            "starts_at": now.isoformat(),
            "ends_at": ends.isoformat(),
        },
    )
    assert face["locks"]["lock.front_door"]["state"] == "set"
    new_end = now + timedelta(days=9)
    renewed = await call(hass, "extend_lease", {"holder": "Anna", "ends_at": new_end.isoformat()})
    assert renewed["renewed"] == 1
    [stored] = cloud.world.lock(FRONT).faces.values()
    assert stored.end_ms == int(new_end.timestamp() * 1000)


async def test_ekey_validity_follows_the_lease(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A guest's eKey (sent with the grant) is extended with the stay."""
    now = dt_util.utcnow()
    await call(
        hass,
        "grant_access",
        {
            "entity_id": "lock.front_door",
            "holder": "Neighbour",
            "passcode": False,
            "ekey_receiver": "second@example.com",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(),
        },
    )
    new_end = now + timedelta(days=5)
    await call(hass, "extend_lease", {"holder": "Neighbour", "ends_at": new_end.isoformat()})
    [ekey] = cloud.world.lock(FRONT).ekeys.values()
    assert ekey.end_ms == int(new_end.timestamp() * 1000)


async def test_lock_back_on_the_account_gets_its_waiting_code(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A code waits for Front Door (gateway offline); the lock leaves the account, so its
    state there is unknown; it comes back with its gateway online: the code is wanted again
    and written at once (the path appeared), without waiting for the retry's backoff."""
    cloud.world.set_gateway_online(GATEWAY, False)
    result = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "B"})
    assert result["locks"]["lock.front_door"]["state"] == "setting"
    await poll(hass, freezer)  # the queue learns the lock's paths
    rssi = cloud.world.links[(GATEWAY, FRONT)].rssi
    lock = cloud.world.remove_lock(FRONT)
    await poll(hass, freezer)
    access = setup_entry.runtime_data.access
    placement = access.state.credentials[result["credential_id"]].placements[FRONT]
    assert placement.state.value == "unknown"
    assert access.state.queue == {}
    cloud.world.locks[FRONT] = lock
    cloud.world.records.setdefault(FRONT, [])
    cloud.world.link(GATEWAY, FRONT, rssi)
    cloud.world.set_gateway_online(GATEWAY, True)
    await poll(hass, freezer)
    assert placement.state.value == "set"
    assert cloud.world.enter_code(FRONT, result["code"]).success
    assert pending(hass, "front_door") == "0"


async def test_removed_entry_takes_its_access_repair_issues_along(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A revocation waits on a frozen lock with a repair issue; the account is removed from
    Home Assistant: nothing of it waits any more, so the issue goes too."""
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "F"})
    cloud.world.faults.fail_next("keyboardPwd/delete", -2025)
    await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    issue_id = f"access_blocked_{setup_entry.entry_id}_{FRONT}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    # the entry's other issues too: the callback URL notice, a budget issue
    budget = f"api_budget_exhausted_{setup_entry.entry_id}"
    ir.async_create_issue(
        hass,
        DOMAIN,
        budget,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="api_budget_exhausted",
    )
    ours = {i for d, i in issue_registry.issues if d == DOMAIN and setup_entry.entry_id in i}
    assert len(ours) >= 3
    assert await hass.config_entries.async_remove(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert not [i for d, i in issue_registry.issues if d == DOMAIN and setup_entry.entry_id in i]
