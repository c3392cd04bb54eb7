"""Access actions at their edges (gateway path): what is refused up front and why, two
accounts side by side, leases with mixed credentials, eKey actions that cannot be done,
fingerprints recorded from elsewhere, listing per holder and the lock's unmanaged items."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import CONF_PASSWORD_MD5, DOMAIN
from custom_components.ttlock_access.sdk.cloud import md5_password
from tests.integration.helpers import Cloud, call, entry_data

FRONT = 5001101
BACK = 5001103
SECOND = "second@example.com"


async def refused(hass: HomeAssistant, service: str, data: dict[str, Any]) -> str:
    """The translation key of a validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, data)
    assert err.value.translation_key is not None
    return err.value.translation_key


def _iso(delta: timedelta = timedelta()) -> str:
    return (dt_util.utcnow().replace(microsecond=0) + delta).isoformat()


@pytest.fixture
async def second(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> MockConfigEntry:
    """The second account of the scenario (Office Door behind its gateway), set up too."""
    account = cloud.world.account_by_username(SECOND)
    assert account is not None
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=SECOND,
        unique_id=str(account.uid),
        data={
            **entry_data(cloud),
            "username": SECOND,
            CONF_PASSWORD_MD5: md5_password(cloud.world.scenario_passwords[SECOND]),
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_refused_up_front(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Input that cannot be right is refused before anything is queued."""
    assert (
        await refused(
            hass,
            "add_card",
            {
                "entity_id": "lock.front_door",
                "name": "C",
                "card_number": "1",
                "weekdays": ["monday"],
                "daily_start": "18:00:00",
                "daily_end": "08:00:00",
            },
        )
        == "end_before_start"
    )
    assert (
        await refused(
            hass,
            "add_card",
            {"entity_id": ["lock.front_door", "lock.garage"], "name": "Enrol me"},
        )
        == "enroll_one_lock"
    )
    assert (
        await refused(
            hass,
            "add_fingerprint_record",
            {
                "entity_id": ["lock.front_door", "lock.garage"],
                "name": "F",
                "fingerprint_number": "12",
            },
        )
        == "enroll_one_lock"
    )
    with pytest.raises(HomeAssistantError) as err:  # enrolment happens at the lock
        await call(hass, "add_card", {"entity_id": "lock.front_door", "name": "Enrol me"})
    assert err.value.translation_key == "enroll_needs_bluetooth"
    assert setup_entry.runtime_data.access.state.credentials == {}


async def test_updates_that_cannot_apply(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A revoked credential stays revoked; an offline code's window is part of the code;
    weekly schedules are for cards, fingerprints and faces."""
    code = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "P"})
    assert (
        await refused(
            hass,
            "update_passcode",
            {
                "credential_id": code["credential_id"],
                "weekdays": ["monday"],
                "daily_start": "08:00:00",
                "daily_end": "18:00:00",
            },
        )
        == "schedule_not_supported"
    )
    await call(hass, "revoke_passcode", {"credential_id": code["credential_id"]})
    assert (
        await refused(
            hass, "update_passcode", {"credential_id": code["credential_id"], "ends_at": _iso()}
        )
        == "credential_revoked"
    )
    offline = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "O", "type": "one_time"},
    )
    assert (
        await refused(
            hass,
            "update_passcode",
            {"credential_id": offline["credential_id"], "ends_at": _iso(timedelta(days=1))},
        )
        == "offline_code_fixed"
    )


async def test_period_code_without_a_start_starts_now(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A period code with only an end is valid from now (and opens right away)."""
    result = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Short stay",
            "type": "custom_period",
            "ends_at": _iso(timedelta(hours=3)),
        },
    )
    starts = dt_util.parse_datetime(result["starts_at"])
    assert starts is not None
    assert abs((starts - dt_util.utcnow()).total_seconds()) < 60
    assert cloud.world.enter_code(FRONT, result["code"]).success


async def test_two_accounts(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, second: MockConfigEntry
) -> None:
    """A credential belongs to one account; a holder name used in both accounts must be
    told apart; listing works across accounts."""
    assert (
        await refused(
            hass,
            "create_passcode",
            {"entity_id": ["lock.front_door", "lock.office_door"], "name": "X"},
        )
        == "locks_of_several_accounts"
    )
    for lock in ("lock.front_door", "lock.office_door"):
        await call(hass, "grant_access", {"entity_id": lock, "holder": "Anna"})
    assert await refused(hass, "revoke_holder", {"holder": "Anna"}) == "ambiguous_holder"
    listing = await call(
        hass, "list_credentials", {"entity_id": ["lock.front_door", "lock.office_door"]}
    )
    assert {lock: len(item["credentials"]) for lock, item in listing["locks"].items()} == {
        "lock.front_door": 1,
        "lock.office_door": 1,
    }


async def test_actions_on_an_unloaded_account(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The account is unloaded (disabled, or failing to start): its locks take no changes."""
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert (
        await refused(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "X"})
        == "entry_not_loaded"
    )


async def test_lease_with_mixed_credentials(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Extending a stay renews what follows the lease: not revoked or failed credentials,
    not offline codes (their window is part of the code); an end before the start is
    refused; checking out twice revokes nothing more."""
    starts, ends = _iso(), _iso(timedelta(days=2))
    checked_in = await call(
        hass,
        "check_in",
        {
            "entity_id": "lock.front_door",
            "holder": "Tenant",
            "starts_at": starts,
            "ends_at": ends,
            "card_number": "5550001",
        },
    )
    passcode, card = checked_in["credentials"]
    await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Offline",
            "holder": "Tenant",
            "type": "period",
            "starts_at": starts,
            "ends_at": ends,
        },
    )
    cloud.world.faults.fail_next("keyboardPwd/add", -3007)
    failed = await call(
        hass, "grant_access", {"entity_id": "lock.front_door", "holder": "Tenant", "code": "8642"}
    )
    assert failed["credentials"][0]["status"] == "failed"
    await call(hass, "revoke_card", {"credential_id": card["credential_id"]})
    assert (
        await refused(
            hass, "extend_lease", {"holder": "Tenant", "ends_at": _iso(-timedelta(days=1))}
        )
        == "ends_in_past"
    )
    renewed = await call(
        hass, "extend_lease", {"holder": "Tenant", "ends_at": _iso(timedelta(days=7))}
    )
    assert renewed["renewed"] == 1  # the custom passcode only
    assert renewed["holder"]["name"] == "Tenant"
    out = await call(hass, "revoke_holder", {"holder": "Tenant"})
    assert out["revoked"] == 3  # passcode, offline code, failed code (the card was already)
    again = await call(hass, "revoke_holder", {"holder": "Tenant"})
    assert again["revoked"] == 0
    assert passcode["code"] not in {p.code for p in cloud.world.lock(FRONT).passcodes.values()}


async def test_ekey_actions_that_cannot_be_done(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """eKey actions need an eKey the cloud has; a refusal of the cloud is translated."""
    code = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "P"})
    assert (
        await refused(hass, "freeze_ekey", {"credential_id": code["credential_id"]})
        == "wrong_credential_kind"
    )
    cloud.world.faults.fail_next("key/send", -2019)
    unsent = await call(
        hass,
        "send_ekey",
        {"entity_id": "lock.front_door", "receiver": "second@example.com", "name": "K1"},
    )
    assert unsent["locks"]["lock.front_door"]["state"] == "failed"
    assert (
        await refused(hass, "freeze_ekey", {"credential_id": unsent["credential_id"]})
        == "ekey_not_sent"
    )
    sent = await call(
        hass,
        "send_ekey",
        {"entity_id": "lock.front_door", "receiver": "second@example.com", "name": "K2"},
    )
    cloud.world.faults.fail_next("key/freeze", -1)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "freeze_ekey", {"credential_id": sent["credential_id"]})
    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_domain == DOMAIN
    assert all(key.status != 2 for key in cloud.world.lock(FRONT).ekeys.values())


async def test_fingerprint_recorded_from_elsewhere(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A fingerprint enrolled with the TTLock app is recorded in the cloud and managed; if the
    cloud refuses the record, the action says so."""
    result = await call(
        hass,
        "add_fingerprint_record",
        {
            "entity_id": "lock.front_door",
            "name": "Thumb",
            "holder": "Anna",
            "fingerprint_number": "254",
        },
    )
    assert result["status"] == "active"
    assert result["locks"]["lock.front_door"] == {"state": "set", "path": "cloud"}
    [stored] = cloud.world.lock(FRONT).fingerprints.values()
    assert stored.name == "Thumb"
    cloud.world.faults.fail_next("fingerprint/add", -3)
    with pytest.raises(HomeAssistantError):
        await call(
            hass,
            "add_fingerprint_record",
            {"entity_id": "lock.front_door", "name": "Index", "fingerprint_number": "255"},
        )
    assert len(cloud.world.lock(FRONT).fingerprints) == 1
    revoked = await call(hass, "revoke_fingerprint", {"credential_id": result["credential_id"]})
    assert revoked["credential"]["locks"]["lock.front_door"]["state"] == "removed"
    assert cloud.world.lock(FRONT).fingerprints == {}


async def test_listing_per_holder_and_unmanaged(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A holder's credentials only; offline codes with their per-lock code when secrets are
    asked for; cards and fingerprints added outside Home Assistant listed as unmanaged."""
    anna = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Anna", "holder": "Anna", "type": "one_time"},
    )
    await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Bo"})
    assert (
        await refused(hass, "list_credentials", {"entity_id": "lock.front_door", "holder": "Zed"})
        == "unknown_holder"
    )
    mine = await call(
        hass,
        "list_credentials",
        {"entity_id": "lock.front_door", "holder": "anna", "include_secrets": True},
    )
    [item] = mine["locks"]["lock.front_door"]["credentials"]
    assert item["secret"] == anna["locks"]["lock.front_door"]["code"]
    assert "unmanaged" not in mine["locks"]["lock.front_door"]
    client = setup_entry.runtime_data.client
    await client.add_card(FRONT, "99887766", name="App card", via_gateway=False)
    await client.add_fingerprint(FRONT, "77", name="App finger")
    await client.add_passcode(FRONT, "24682468", name="App code", via_gateway=False)
    full = await call(
        hass,
        "list_credentials",
        {"entity_id": "lock.front_door", "include_unmanaged": True, "include_secrets": True},
    )
    unmanaged = {u["kind"]: u for u in full["locks"]["lock.front_door"]["unmanaged"]}
    assert unmanaged["card"]["name"] == "App card"
    assert unmanaged["fingerprint"]["name"] == "App finger"
    assert unmanaged["passcode"]["secret"] == "24682468"
    assert "secret" not in unmanaged["card"]  # card numbers are not listed
