"""Access management through Home Assistant against the simulated TTLock world (gateway path)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from tests.integration.helpers import Cloud, advance, call, poll

FRONT = 5001101
GARAGE = 5001102
BACK = 5001103
GATEWAY = 301001


def opens(cloud: Cloud, lock_id: int, digits: str) -> bool:
    """Type digits on the simulated keypad."""
    return cloud.world.enter_code(lock_id, digits).success


async def test_custom_passcode_through_gateway(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A generated custom code is written through the gateway and opens the lock."""
    result = await call(
        hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Anna (guest)"}
    )
    code = result["code"]
    assert len(code) == 6
    assert code.isdigit()
    assert result["locks"]["lock.front_door"] == {"state": "set", "path": "gateway"}
    assert result["status"] == "active"
    assert opens(cloud, FRONT, code)
    assert opens(cloud, FRONT, "99" + code + "1")  # anti-peep: extra digits around it
    record = cloud.world.records[FRONT][-1]
    assert record.username == "Anna (guest)"
    # the code never shows in states or attributes
    for state in hass.states.async_all():
        assert code not in str(state.attributes)
        assert code not in state.state


async def test_given_code_that_overlaps_is_refused(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A code containing (or contained in) a code on the lock would let the wrong person in."""
    await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Tom", "code": "482913"},
    )
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "create_passcode",
            {"entity_id": "lock.front_door", "name": "Eve", "code": "91482913"},
        )
    assert err.value.translation_key == "code_conflicts"
    assert "482913" not in str(err.value)


async def test_period_code_stops_at_the_end(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A guest's code opens during the stay and not after; it is then removed from the lock."""
    now = dt_util.utcnow()
    result = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Weekend guest",
            "type": "custom_period",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
        },
    )
    code = result["code"]
    assert opens(cloud, FRONT, code)
    await advance(hass, freezer, 3 * 3600)
    assert not opens(cloud, FRONT, code)
    # housekeeping: the expired custom code is deleted from the lock's memory
    await poll(hass, freezer)
    listing = await call(
        hass, "list_credentials", {"entity_id": "lock.front_door", "include_inactive": True}
    )
    item = listing["locks"]["lock.front_door"]["credentials"][0]
    assert item["status"] == "expired"
    assert item["lock"]["state"] == "removed"


@pytest.mark.parametrize(
    ("variant", "extra"),
    [
        ("one_time", {}),
        ("permanent", {}),
        ("period", {"hours": 48}),
        ("daily", {"hours": 1}),  # one hour: a daily window never crosses midnight
        ("erase", {}),
    ],
)
async def test_offline_codes(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    variant: str,
    extra: dict[str, int],
) -> None:
    """Offline codes come from the cloud (no gateway needed) and follow their type rules."""
    now = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    data: dict[str, Any] = {"entity_id": "lock.back_door", "name": "Offline", "type": variant}
    if "hours" in extra:
        data["starts_at"] = now.isoformat()
        data["ends_at"] = (now + timedelta(hours=extra["hours"])).isoformat()
    result = await call(hass, "create_passcode", data)
    code = result["locks"]["lock.back_door"]["code"]
    assert result["locks"]["lock.back_door"]["state"] == "set"
    assert result["rules"]
    assert "resolve to the hour" in result["rules"][-1]
    assert opens(cloud, BACK, code)
    if variant == "one_time":
        assert not opens(cloud, BACK, code)


async def test_revocation_survives_offline_gateway_and_restart(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Revoked while the gateway is offline: queued, persisted, retried after a restart,
    completed when the gateway returns; a repair issue shows it in the meantime."""
    result = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Ex"})
    code, credential_id = result["code"], result["credential_id"]
    cloud.world.set_gateway_online(GATEWAY, False)
    revoked = await call(hass, "revoke_passcode", {"credential_id": credential_id})
    assert revoked["credential"]["locks"]["lock.front_door"]["state"] == "removing"
    assert hass.states.get("sensor.front_door_pending_access_changes").state == "1"
    assert opens(cloud, FRONT, code)  # still on the lock
    await advance(hass, freezer, 3700)
    assert issue_registry.async_get_issue(DOMAIN, f"revocations_overdue_{setup_entry.entry_id}")
    # Home Assistant restarts (the queue is read back from storage)
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_door_pending_access_changes").state == "1"
    cloud.world.set_gateway_online(GATEWAY, True)
    await poll(hass, freezer)
    await advance(hass, freezer, 3600)
    assert not opens(cloud, FRONT, code)
    assert hass.states.get("sensor.front_door_pending_access_changes").state == "0"
    assert not issue_registry.async_get_issue(DOMAIN, f"revocations_overdue_{setup_entry.entry_id}")


async def test_grant_and_revoke_holder(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """One code for a person on every chosen lock; revoking them removes it everywhere."""
    result = await call(
        hass,
        "grant_access",
        {
            "entity_id": ["lock.front_door", "lock.garage"],
            "holder": "Anna",
            "card_number": "123456789",
        },
    )
    passcode, card = result["credentials"]
    code = passcode["code"]
    assert opens(cloud, FRONT, code)
    assert opens(cloud, GARAGE, code)
    assert cloud.world.present_card(FRONT, "123456789").success
    revoked = await call(hass, "revoke_holder", {"holder": "anna"})
    assert revoked["revoked"] == 2
    assert not opens(cloud, FRONT, code)
    assert not opens(cloud, GARAGE, code)
    assert not cloud.world.present_card(GARAGE, "123456789").success
    assert card["kind"] == "card"
    # a holder is also found by their id
    second = await call(hass, "grant_access", {"entity_id": "lock.front_door", "holder": "Anna"})
    [again] = second["credentials"]
    assert (await call(hass, "revoke_holder", {"holder": again["holder_id"]}))["revoked"] == 1
    assert not opens(cloud, FRONT, again["code"])


async def test_tenant_lease(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Check-in issues for the lease, extension renews, check-out revokes."""
    now = dt_util.utcnow()
    result = await call(
        hass,
        "check_in",
        {
            "entity_id": "lock.front_door",
            "holder": "Tenant Bo",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(),
        },
    )
    code = result["credentials"][0]["code"]
    assert result["holder"]["kind"] == "tenant"
    await call(
        hass,
        "extend_lease",
        {"holder": "Tenant Bo", "ends_at": (now + timedelta(days=3)).isoformat()},
    )
    await advance(hass, freezer, 2 * 86400)
    assert opens(cloud, FRONT, code)
    out = await call(hass, "check_out", {"holder": "Tenant Bo"})
    assert out["revoked"] == 1
    assert not opens(cloud, FRONT, code)
    with pytest.raises(ServiceValidationError):
        await call(hass, "check_in", {"entity_id": "lock.front_door", "holder": "No end"})


async def test_staff_batch(hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry) -> None:
    """Staff get distinct, non-overlapping codes on every lock; removal takes them away."""
    result = await call(
        hass,
        "add_staff",
        {"entity_id": ["lock.front_door", "lock.garage"], "names": ["Maria", "Tom", "Lee"]},
    )
    codes = {name: item["code"] for name, item in result["staff"].items()}
    assert len(set(codes.values())) == 3
    for a in codes.values():
        for b in codes.values():
            assert a == b or (a not in b and b not in a)
    for code in codes.values():
        assert opens(cloud, GARAGE, code)
    await call(hass, "remove_staff", {"names": ["Tom"]})
    assert not opens(cloud, FRONT, codes["Tom"])
    assert not opens(cloud, GARAGE, codes["Tom"])
    assert opens(cloud, FRONT, codes["Maria"])


async def test_cards(hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry) -> None:
    """Add a card by number through the gateway, change its validity, revoke it."""
    result = await call(
        hass,
        "add_card",
        {"entity_id": "lock.front_door", "name": "Cleaner", "card_number": "3661413478"},
    )
    assert result["locks"]["lock.front_door"]["state"] == "set"
    assert cloud.world.present_card(FRONT, "3661413478").success
    now = dt_util.utcnow()
    await call(
        hass,
        "update_card_validity",
        {
            "credential_id": result["credential_id"],
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(),
            "weekdays": [
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            ],
            "daily_start": "00:00:00",
            "daily_end": "23:59:00",
        },
    )
    await call(hass, "revoke_card", {"credential_id": result["credential_id"]})
    assert not cloud.world.present_card(FRONT, "3661413478").success
    with pytest.raises(ServiceValidationError):
        await call(hass, "revoke_passcode", {"credential_id": result["credential_id"]})


async def test_ekeys(hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry) -> None:
    """Send, freeze, unfreeze, link and revoke an eKey."""
    result = await call(
        hass,
        "send_ekey",
        {
            "entity_id": "lock.front_door",
            "receiver": "second@example.com",
            "name": "Neighbour",
            "remote_unlock": True,
        },
    )
    credential_id = result["credential_id"]
    assert result["locks"]["lock.front_door"]["state"] == "set"
    lock = cloud.world.lock(FRONT)
    assert [k.username for k in lock.ekeys.values()] == ["second@example.com"]
    await call(hass, "freeze_ekey", {"credential_id": credential_id})
    await call(hass, "unfreeze_ekey", {"credential_id": credential_id})
    link = await call(hass, "ekey_unlock_link", {"credential_id": credential_id})
    assert link["links"]["lock.front_door"].startswith("http")
    await call(hass, "revoke_ekey", {"credential_id": credential_id})
    assert not lock.ekeys


async def test_face(hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry) -> None:
    """A face from its feature data goes through the gateway (on a lock that has faces)."""
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "add_face",
            {"entity_id": "lock.garage", "name": "x", "feature_data": "AAECAwQ="},
        )
    assert err.value.translation_key == "not_supported_by_lock"
    lock = cloud.world.lock(FRONT)
    lock.features = lock.features | {53}
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    result = await call(
        hass,
        "add_face",
        {"entity_id": "lock.front_door", "name": "Anna face", "feature_data": "AAECAwQ="},
    )
    assert result["locks"]["lock.front_door"]["state"] == "set"
    await call(hass, "revoke_face", {"credential_id": result["credential_id"]})
    assert not cloud.world.lock(FRONT).faces


async def test_list_credentials(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Listing shows names, types and status; codes only on request; unmanaged ones too."""
    created = await call(
        hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Kid", "holder": "Kid"}
    )
    cloud.world.lock(FRONT)  # a code added in the TTLock app, outside Home Assistant:
    from simulator.credentials import SimPasscode

    lock = cloud.world.lock(FRONT)
    now_ms = cloud.world.now_ms()
    lock.passcodes[999] = SimPasscode(
        passcode_id=999,
        lock_id=FRONT,
        code="13579",
        name="App code",
        kind=2,
        start_ms=0,
        end_ms=0,
        is_custom=True,
        sender_username="demo@example.com",
        send_ms=now_ms,
        stored_ms=now_ms,
    )
    plain = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    item = plain["locks"]["lock.front_door"]["credentials"][0]
    assert item["name"] == "Kid"
    assert item["holder"] == "Kid"
    assert "secret" not in item
    full = await call(
        hass,
        "list_credentials",
        {"entity_id": "lock.front_door", "include_secrets": True, "include_unmanaged": True},
    )
    entry = full["locks"]["lock.front_door"]
    assert entry["credentials"][0]["secret"] == created["code"]
    assert [u["name"] for u in entry["unmanaged"]] == ["App code"]
    assert 999 in lock.passcodes  # never deleted silently


async def test_passcode_limit(
    hass: HomeAssistant, cloud: Cloud, config_entry: MockConfigEntry
) -> None:
    """With the monthly limit set, the sensor counts down and the limit is enforced."""
    hass.config_entries.async_update_entry(config_entry, options={"monthly_passcode_limit": 1})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.front_door_passcodes_left_this_month").state == "1"
    await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "One"})
    assert hass.states.get("sensor.front_door_passcodes_left_this_month").state == "0"
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Two"})
    assert err.value.translation_key == "passcode_limit_reached"
    # one-time codes do not count
    await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Once", "type": "one_time"},
    )


async def test_non_admin_refused(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, hass_read_only_user
) -> None:
    """Credential actions are admin-only."""
    with pytest.raises(Unauthorized):
        await call(
            hass,
            "create_passcode",
            {"entity_id": "lock.front_door", "name": "x"},
            context=Context(user_id=hass_read_only_user.id),
        )


@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        (
            "create_passcode",
            {"entity_id": "lock.front_door", "name": "x", "type": "custom_period"},
            "needs_end",
        ),
        (
            "create_passcode",
            {"entity_id": "lock.front_door", "name": "x", "type": "one_time", "code": "1234"},
            "offline_code_is_generated",
        ),
        ("create_passcode", {"entity_id": "sensor.front_door_battery", "name": "x"}, "no_locks"),
        ("revoke_passcode", {"credential_id": "nope"}, "unknown_credential"),
        ("revoke_holder", {"holder": "Nobody"}, "unknown_holder"),
        (
            "enroll_fingerprint",
            {"entity_id": ["lock.front_door", "lock.garage"], "name": "x"},
            "enroll_one_lock",
        ),
        (
            "add_card",
            {"entity_id": "lock.front_door", "name": "x", "weekdays": ["monday"]},
            "schedule_needs_times",
        ),
    ],
)
async def test_bad_input(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    service: str,
    data: dict[str, Any],
    key: str,
) -> None:
    """Bad input is a clear, translated validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, data)
    assert err.value.translation_key == key


async def test_bad_window_and_code(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """End before start, and codes that are not 4–9 digits, are refused."""
    now = dt_util.utcnow()
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "create_passcode",
            {
                "entity_id": "lock.front_door",
                "name": "x",
                "type": "custom_period",
                "starts_at": (now + timedelta(hours=2)).isoformat(),
                "ends_at": (now + timedelta(hours=1)).isoformat(),
            },
        )
    assert err.value.translation_key == "end_before_start"
    with pytest.raises((ServiceValidationError, Exception)):
        await call(
            hass, "create_passcode", {"entity_id": "lock.front_door", "name": "x", "code": "12a4"}
        )


async def test_bluetooth_only_lock_waits(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A custom code for a lock with no path right now is persisted and waits."""
    result = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "Later"})
    assert result["locks"]["lock.back_door"]["state"] == "setting"
    assert result["status"] == "pending"
    assert hass.states.get("sensor.back_door_pending_access_changes").state == "1"
