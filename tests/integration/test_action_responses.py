"""What the actions answer and list: times in Home Assistant's time zone with their offset and
locks by entity id in every response; ``scheduled`` before a window starts; windows already
over and easy-to-guess typed codes refused; ``list_credentials`` without a lock lists every
lock of every entry, hides what is revoked or expired and done with, and the Store forgets it
after the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.access.model import RETENTION
from custom_components.ttlock_access.actions import weak_code
from simulator.ble import SimulatedLock
from tests.integration.helpers import Cloud, advance, call

FRONT = 5001101
GARAGE = 5001102


def _local(moment: datetime) -> str:
    return dt_util.as_local(moment).isoformat()


def _moment(text: str) -> datetime:
    parsed = dt_util.parse_datetime(text)
    assert parsed is not None
    return parsed


def _in_local_zone(text: str) -> bool:
    moment = _moment(text)
    return moment.utcoffset() == dt_util.as_local(moment).utcoffset()


# ---------------------------------------------------------------- time zone and entity ids
async def test_responses_use_local_time_and_lock_entities(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Every action that answers with a credential or a holder: local time with offset,
    locks by entity id (never the TTLock id)."""
    assert dt_util.now().utcoffset() != timedelta(0)  # the test zone is not UTC
    starts = (dt_util.utcnow() + timedelta(minutes=5)).replace(microsecond=0)
    ends = starts + timedelta(days=2)
    created = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Anna",
            "starts_at": starts.isoformat(),
            "ends_at": ends.isoformat(),
        },
    )
    assert (created["starts_at"], created["ends_at"]) == (_local(starts), _local(ends))
    assert list(created["locks"]) == ["lock.front_door"]

    later = ends + timedelta(days=1)
    updated = await call(
        hass,
        "update_passcode",
        {"credential_id": created["credential_id"], "ends_at": later.isoformat()},
    )
    assert updated["credential"]["ends_at"] == _local(later)
    assert list(updated["credential"]["locks"]) == ["lock.front_door"]

    granted = await call(
        hass,
        "grant_access",
        {
            "entity_id": ["lock.front_door", "lock.garage"],
            "holder": "Jonas",
            "kind": "tenant",
            "ends_at": ends.isoformat(),
        },
    )
    holder = granted["holder"]
    assert holder["ends_at"] == _local(ends)
    assert _in_local_zone(holder["created_at"])
    [code] = granted["credentials"]
    assert set(code["locks"]) == {"lock.front_door", "lock.garage"}
    assert _in_local_zone(code["starts_at"])

    extended = await call(hass, "extend_lease", {"holder": "Jonas", "ends_at": later.isoformat()})
    assert extended["holder"]["ends_at"] == _local(later)

    listing = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    for item in listing["locks"]["lock.front_door"]["credentials"]:
        assert set(item["locks"]) <= {"lock.front_door", "lock.garage"}
        assert _in_local_zone(item["ends_at"])

    revoked = await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    assert list(revoked["credential"]["locks"]) == ["lock.front_door"]
    assert revoked["credential"]["ends_at"] == _local(later)
    out = await call(hass, "check_out", {"holder": "Jonas"})
    assert out["holder"]["ends_at"] == _local(later)


async def test_an_ekey_link_is_keyed_by_lock_entity(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    sent = await call(
        hass,
        "send_ekey",
        {
            "entity_id": "lock.front_door",
            "receiver": "second@example.com",
            "name": "Key",
            "remote_unlock": True,
        },
    )
    link = await call(hass, "ekey_unlock_link", {"credential_id": sent["credential_id"]})
    assert list(link["links"]) == ["lock.front_door"]
    assert list(link["credential"]["locks"]) == ["lock.front_door"]


# ---------------------------------------------------------------- scheduled
async def test_a_code_whose_window_starts_later_is_scheduled(
    hass: HomeAssistant,
    cloud: Cloud,
    freezer: FrozenDateTimeFactory,
    setup_entry: MockConfigEntry,
) -> None:
    """On the lock already, refused by it until its start: ``scheduled``, then ``active``
    (what is stored stays ``active``: only the shown status is derived)."""
    starts = dt_util.utcnow() + timedelta(days=1)
    created = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Next week's guest",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(days=2)).isoformat(),
        },
    )
    assert created["locks"]["lock.front_door"]["state"] == "set"
    assert created["status"] == "scheduled"
    listing = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    [item] = listing["locks"]["lock.front_door"]["credentials"]
    assert item["status"] == "scheduled"
    stored = setup_entry.runtime_data.access.credential(created["credential_id"])
    assert stored is not None and stored.status.value == "active"
    await advance(hass, freezer, 86400 + 60)
    listing = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    [item] = listing["locks"]["lock.front_door"]["credentials"]
    assert item["status"] == "active"


# ---------------------------------------------------------------- windows already over
PAST_END = {"ends_at": "2001-01-01T10:00:00+00:00"}
PAST_WINDOW = {"starts_at": "2001-01-01T08:00:00+00:00", "ends_at": "2001-01-01T10:00:00+00:00"}


@pytest.mark.parametrize("window", [PAST_END, PAST_WINDOW], ids=["end", "window"])
@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("create_passcode", {"entity_id": "lock.front_door", "name": "x"}),
        ("create_passcode", {"entity_id": "lock.front_door", "name": "x", "type": "period"}),
        ("add_card", {"entity_id": "lock.front_door", "name": "x", "card_number": "123"}),
        ("enroll_fingerprint", {"entity_id": "lock.front_door", "name": "x"}),
        (
            "add_fingerprint_record",
            {"entity_id": "lock.front_door", "name": "x", "fingerprint_number": "7"},
        ),
        ("add_face", {"entity_id": "lock.front_door", "name": "x", "feature_data": "AAEC"}),
        (
            "send_ekey",
            {"entity_id": "lock.front_door", "name": "x", "receiver": "b@example.com"},
        ),
        ("grant_access", {"entity_id": "lock.front_door", "holder": "x"}),
        ("check_in", {"entity_id": "lock.front_door", "holder": "x"}),
    ],
)
async def test_a_window_already_over_is_refused(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    service: str,
    data: dict[str, Any],
    window: dict[str, str],
) -> None:
    """Every action that creates a credential refuses one that would be expired at once,
    before anything reaches a lock or the cloud."""
    world = cloud.world
    if service == "add_face":  # a lock that has faces (featureValue bit 53)
        world.lock(FRONT).features |= {53}
        assert await hass.config_entries.async_reload(setup_entry.entry_id)
        await hass.async_block_till_done()
    before = (len(world.lock(FRONT).passcodes), len(world.lock(FRONT).cards))
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, {**data, **window})
    assert err.value.translation_key == "ends_in_past"
    assert (len(world.lock(FRONT).passcodes), len(world.lock(FRONT).cards)) == before
    assert setup_entry.runtime_data.access.state.credentials == {}


async def test_a_lease_cannot_be_extended_into_the_past(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    ends = dt_util.utcnow() + timedelta(days=3)
    await call(
        hass,
        "check_in",
        {"entity_id": "lock.front_door", "holder": "Jonas", "ends_at": ends.isoformat()},
    )
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "extend_lease", {"holder": "Jonas", **PAST_END})
    assert err.value.translation_key == "ends_in_past"


# ---------------------------------------------------------------- weak codes
@pytest.mark.parametrize(
    "code",
    ["123456", "111111", "000000", "1234", "654321", "7890", "121212", "123123", "2580", "9999"],
)
def test_weak_codes(code: str) -> None:
    assert weak_code(code)


@pytest.mark.parametrize("code", ["482913", "8642", "91482913", "735190264", "1357924", "120934"])
def test_codes_that_are_not_weak(code: str) -> None:
    assert not weak_code(code)


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("create_passcode", {"entity_id": "lock.front_door", "name": "Kid", "code": "123456"}),
        ("grant_access", {"entity_id": "lock.front_door", "holder": "Kid", "code": "111111"}),
        (
            "check_in",
            {
                "entity_id": "lock.front_door",
                "holder": "Kid",
                "code": "121212",
                "ends_at": (dt_util.utcnow() + timedelta(days=30)).isoformat(),
            },
        ),
    ],
)
async def test_a_weak_typed_code_is_refused_unless_intended(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    service: str,
    data: dict[str, Any],
) -> None:
    """Refused with a translated error; written when the caller sets allow_weak_code."""
    passcodes = cloud.world.lock(FRONT).passcodes
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, data)
    assert err.value.translation_key == "weak_code"
    assert passcodes == {}
    result = await call(hass, service, {**data, "allow_weak_code": True})
    code = result.get("code") or result["credentials"][0]["code"]
    assert code == data["code"]
    assert [p.code for p in passcodes.values()] == [data["code"]]


# ---------------------------------------------------------------- listing and retention
async def test_listing_without_a_lock_lists_every_lock_of_every_entry(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, shed: SimulatedLock
) -> None:
    """The account's locks and a locally paired lock (two entries) in one listing; a holder
    filter finds the holder in whichever entry holds them."""
    await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Anna"})
    await call(hass, "grant_access", {"entity_id": "lock.shed", "holder": "Gardener"})
    listing = await call(hass, "list_credentials", {})
    locks = listing["locks"]
    assert {"lock.front_door", "lock.back_door", "lock.garage", "lock.shed"} <= set(locks)
    assert [c["name"] for c in locks["lock.front_door"]["credentials"]] == ["Anna"]
    assert [c["holder"] for c in locks["lock.shed"]["credentials"]] == ["Gardener"]
    mine = await call(hass, "list_credentials", {"holder": "Gardener"})
    held = {lock: entry["credentials"] for lock, entry in mine["locks"].items()}
    assert [c["holder"] for c in held["lock.shed"]] == ["Gardener"]
    assert held["lock.front_door"] == []
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "list_credentials", {"holder": "Nobody"})
    assert err.value.translation_key == "unknown_holder"


async def _names(hass: HomeAssistant, lock: str, **data: Any) -> dict[str, str]:
    listing = await call(hass, "list_credentials", {"entity_id": lock, **data})
    return {c["name"]: c["status"] for c in listing["locks"][lock]["credentials"]}


async def test_inactive_credentials_are_hidden_then_purged(
    hass: HomeAssistant,
    cloud: Cloud,
    freezer: FrozenDateTimeFactory,
    setup_entry: MockConfigEntry,
) -> None:
    """Revoked and expired credentials whose removal is done are listed only on request,
    and purged from the Store 30 days later (the daily purge); a revocation still under way
    stays listed."""
    manager = setup_entry.runtime_data.access
    kept = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Kept"})
    gone = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Gone"})
    now = dt_util.utcnow()
    await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Short",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
        },
    )
    await call(hass, "revoke_passcode", {"credential_id": gone["credential_id"]})
    waiting = await call(hass, "create_passcode", {"entity_id": "lock.garage", "name": "Wait"})
    cloud.world.set_wifi_online(GARAGE, False)
    await call(hass, "revoke_passcode", {"credential_id": waiting["credential_id"]})
    await advance(hass, freezer, 3 * 3600)  # "Short" expired and was taken off the lock

    assert await _names(hass, "lock.front_door") == {"Kept": "active"}
    assert await _names(hass, "lock.front_door", include_inactive=True) == {
        "Kept": "active",
        "Gone": "revoked",
        "Short": "expired",
    }
    assert await _names(hass, "lock.garage") == {"Wait": "revoked"}  # may still open: shown

    await advance(hass, freezer, (RETENTION - timedelta(days=1)).total_seconds())
    assert len(manager.state.credentials) == 4
    await advance(hass, freezer, timedelta(days=1, hours=1).total_seconds())
    assert set(manager.state.credentials) == {kept["credential_id"], waiting["credential_id"]}
    assert await _names(hass, "lock.front_door", include_inactive=True) == {"Kept": "active"}
    stored = await manager._store.async_load()
    assert stored is not None
    assert {c["name"] for c in stored["credentials"]} == {"Kept", "Wait"}


async def test_purge_runs_at_setup(
    hass: HomeAssistant,
    cloud: Cloud,
    freezer: FrozenDateTimeFactory,
    setup_entry: MockConfigEntry,
) -> None:
    """Home Assistant was off for the retention period: the old revocation is purged as
    the entry starts, and a removed holder left with nothing goes with it."""
    granted = await call(hass, "grant_access", {"entity_id": "lock.front_door", "holder": "Eve"})
    await call(hass, "check_out", {"holder": "Eve"})
    manager = setup_entry.runtime_data.access
    [credential] = manager.state.credentials.values()
    assert credential.credential_id == granted["credentials"][0]["credential_id"]
    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    freezer.tick(RETENTION + timedelta(hours=1))  # no timers fire: Home Assistant is off
    assert await hass.config_entries.async_setup(setup_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    manager = setup_entry.runtime_data.access
    assert manager.state.credentials == {}
    assert manager.state.holders == {}
