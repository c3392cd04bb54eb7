"""Drift detection: what the locks hold, compared with the access model and repaired —
on demand with ``verify_access`` and by itself once a day per lock."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

import pytest
from bluetooth_data_tools import monotonic_time_coarse
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator.ble import SimulatedLock
from simulator.credentials import SimPasscode
from simulator.lockside import HeldCredential, lock_memory
from tests.integration.helpers import CLIENT_ID, BleWorld, Cloud, advance, call

FRONT, GARAGE, BACK = 5001101, 5001102, 5001103


def opens(cloud: Cloud, lock_id: int, digits: str) -> bool:
    """Type digits on the simulated keypad."""
    return cloud.world.enter_code(lock_id, digits).success


async def test_wiped_keypad_is_written_again_over_bluetooth(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Someone typed an erase code at the Back Door: every code is gone. Verifying over
    Bluetooth (no API call) finds the guest's code missing and writes it again."""
    granted = await call(hass, "grant_access", {"entity_id": "lock.back_door", "holder": "Ida"})
    code = granted["credentials"][0]["code"]
    lock_memory(cloud.world.lock(BACK)).passcodes.clear()
    assert not opens(cloud, BACK, code)
    calls = cloud.world.usage(CLIENT_ID)
    report = await call(hass, "verify_access", {"entity_id": "lock.back_door"})
    assert report["lock.back_door"]["source"] == "bluetooth"
    assert report["lock.back_door"]["readding"] == ["Ida"]
    assert opens(cloud, BACK, code)
    assert cloud.world.usage(CLIENT_ID) - calls <= 2  # the rewrite is recorded, no listing


async def test_world_that_forgot_is_repaired_from_the_cloud(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The cloud and the Front Door lost a code (a world restart): verifying from the
    cloud's list writes it again through the gateway."""
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "K"})
    lock = cloud.world.lock(FRONT)
    lock.passcodes.clear()
    lock_memory(lock).passcodes.clear()
    report = await call(hass, "verify_access", {"entity_id": "lock.front_door"})
    assert report["lock.front_door"]["source"] == "cloud"
    assert report["lock.front_door"]["readding"] == ["K"]
    assert opens(cloud, FRONT, created["code"])
    assert [p.code for p in lock.passcodes.values()] == [created["code"]]


async def test_revoked_code_found_again_is_removed_and_unknown_ones_reported(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A revoked code reappears (restored from a backup by the app); a code HA never made
    is on the lock too: the first is removed again, the second only reported."""
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "R"})
    await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    lock = cloud.world.lock(FRONT)
    now = cloud.world.now_ms()
    for passcode_id, code, name in ((900, created["code"], "R"), (901, "7310552", "App code")):
        lock.passcodes[passcode_id] = SimPasscode(
            passcode_id, FRONT, code, name, 2, 0, 0, True, "demo@example.com", now, now
        )
    await call(hass, "verify_access", {"entity_id": "lock.front_door"})
    report = (await call(hass, "verify_access", {"entity_id": "lock.front_door"}))[
        "lock.front_door"
    ]
    assert report["unmanaged"] == [{"kind": "passcode", "name": "App code", "ttlock_id": 901}]
    assert 900 not in lock.passcodes  # removed again through the gateway
    assert "7310552" not in str(report)


async def test_verification_runs_by_itself_once_a_day(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Each lock with managed credentials is compared by itself within a day, one lock an
    hour, and not again for a day; a code the lock lost meanwhile comes back."""
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "D"})
    lock = cloud.world.lock(FRONT)
    lock.passcodes.clear()
    lock_memory(lock).passcodes.clear()
    await advance(hass, freezer, 3601)
    assert opens(cloud, FRONT, created["code"])
    manager = setup_entry.runtime_data.access
    checked = manager.state.verified_at[str(FRONT)]
    await advance(hass, freezer, 3601)
    assert manager.state.verified_at[str(FRONT)] == checked


async def test_verify_needs_a_lock(hass: HomeAssistant, setup_entry: MockConfigEntry) -> None:
    """A target that is not one of the integration's locks is refused."""
    with pytest.raises(HomeAssistantError):
        await call(hass, "verify_access", {"entity_id": "lock.nothing_here"})


async def test_expired_code_confirmed_gone_by_the_list(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A code whose removal waits (gateway offline) is deleted in the app meanwhile:
    verification confirms it gone and the wait ends."""
    ends = (dt_util.now() + timedelta(hours=1)).isoformat()
    created = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "E", "type": "custom_period", "ends_at": ends},
    )
    cloud.world.set_gateway_online(301001, False)
    await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    assert setup_entry.runtime_data.access.pending(FRONT) == 1
    lock = cloud.world.lock(FRONT)
    lock.passcodes.clear()
    lock_memory(lock).passcodes.clear()
    report = await call(hass, "verify_access", {"entity_id": "lock.front_door"})
    assert report["lock.front_door"]["confirmed_removed"] == ["E"]
    assert setup_entry.runtime_data.access.pending(FRONT) == 0


@pytest.mark.parametrize(
    ("ble_lock_ids", "source"), [((), "cloud"), ((FRONT,), "bluetooth")], ids=["gateway", "ble"]
)
async def test_fingerprint_missing_from_the_lock_cannot_be_written_again(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    source: str,
) -> None:
    """A recorded fingerprint was deleted at the lock: verifying finds it missing, but a
    fingerprint is enrolled at the lock, so it is not written back (over Bluetooth nor the
    gateway) — its placement fails with the reason, and nothing stays pending."""
    lock = cloud.world.lock(FRONT)
    memory = lock_memory(lock)
    if source == "bluetooth":  # enrolled at the lock (the gateway's record enrolls it)
        memory.fingerprints["77"] = HeldCredential("77", cloud.world.now_ms())
    recorded = await call(
        hass,
        "add_fingerprint_record",
        {"entity_id": "lock.front_door", "name": "Thumb", "fingerprint_number": "77"},
    )
    assert recorded["locks"]["lock.front_door"]["state"] == "set"
    memory.fingerprints.clear()
    lock.fingerprints.clear()
    report = await call(hass, "verify_access", {"entity_id": "lock.front_door"})
    assert report["lock.front_door"]["source"] == source
    assert report["lock.front_door"]["readding"] == ["Thumb"]
    listing = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    [item] = listing["locks"]["lock.front_door"]["credentials"]
    assert item["lock"]["state"] == "failed"
    assert "enrolled at the lock" in item["lock"]["error"]
    assert setup_entry.runtime_data.access.pending(FRONT) == 0
    assert not lock.fingerprints


async def test_offline_codes_are_not_judged_by_lists(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """An offline code is computed by the lock, never listed by it: verification checks the
    custom code only, and a cloud that lost the offline code does not make it "missing"."""
    await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Custom"})
    offline = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Courier", "type": "permanent"},
    )
    lock = cloud.world.lock(FRONT)
    for passcode_id in [i for i, p in lock.passcodes.items() if not p.is_custom]:
        del lock.passcodes[passcode_id]
    report = (await call(hass, "verify_access", {"entity_id": "lock.front_door"}))[
        "lock.front_door"
    ]
    assert report["checked"] == 1
    assert report["readding"] == []
    listing = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    states = {
        c["credential_id"]: c["lock"]["state"]
        for c in listing["locks"]["lock.front_door"]["credentials"]
    }
    assert states[offline["credential_id"]] == "set"


async def test_refused_code_found_and_gone_again_is_not_rewritten(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The lock refused a code (memory full); the code later shows up on the lock (typed in
    the app) and is gone again: verification follows it both times, but does not write a
    refused code again — it stays failed, with nothing pending."""
    cloud.world.faults.fail_next("keyboardPwd/add", -3009)
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Q"})
    assert created["locks"]["lock.front_door"]["state"] == "failed"
    lock = cloud.world.lock(FRONT)
    now = cloud.world.now_ms()
    lock.passcodes[950] = SimPasscode(
        950, FRONT, created["code"], "Q", 2, 0, 0, True, "demo@example.com", now, now
    )
    report = await call(hass, "verify_access", {"entity_id": "lock.front_door"})
    assert report["lock.front_door"]["unmanaged"] == []
    del lock.passcodes[950]
    report = await call(hass, "verify_access", {"entity_id": "lock.front_door"})
    assert report["lock.front_door"]["readding"] == []
    listing = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    [item] = listing["locks"]["lock.front_door"]["credentials"]
    assert item["lock"]["state"] == "failed"
    assert setup_entry.runtime_data.access.pending(FRONT) == 0
    assert not lock.passcodes


async def test_local_lock_is_checked_by_itself_only_when_heard(
    hass: HomeAssistant, shed: SimulatedLock, freezer: FrozenDateTimeFactory
) -> None:
    """Someone erased the codes at the Shed (a lock paired locally: Bluetooth is its only
    path) and it is out of range: the hourly check passes it by; once it is heard again,
    the next check finds the code missing and writes it again."""
    created = await call(hass, "create_passcode", {"entity_id": "lock.shed", "name": "S"})
    code = created["code"]
    shed.passcodes.clear()
    shed.set_in_range(False)
    later = monotonic_time_coarse() + 3600
    with (
        patch("habluetooth.base_scanner.monotonic_time_coarse", return_value=later),
        patch("habluetooth.manager.monotonic_time_coarse", return_value=later),
    ):
        await advance(hass, freezer, 301)
        await advance(hass, freezer, 301)
    assert hass.states.get("lock.shed").state == STATE_UNAVAILABLE
    await advance(hass, freezer, 3601)  # the hourly check
    assert not shed.enter_code(code)
    shed.set_in_range(True)
    await hass.async_block_till_done()
    assert hass.states.get("lock.shed").state != STATE_UNAVAILABLE
    await advance(hass, freezer, 3601)
    assert shed.enter_code(code)


async def test_revoked_card_found_again_after_its_digits_were_dropped(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A revoked card's number is no longer stored once the lock confirmed it gone, yet the
    card is still recognised when it reappears (here in TTLock's reversed-number form) and
    removed again; a stranger's card is only reported."""
    from simulator.credentials import SimCredential

    added = await call(
        hass,
        "add_card",
        {"entity_id": "lock.front_door", "name": "Blue card", "card_number": "3661413478"},
    )
    await call(hass, "revoke_card", {"credential_id": added["credential_id"]})
    manager = setup_entry.runtime_data.access
    credential = manager.credential(added["credential_id"])
    assert credential is not None and credential.secret is None and credential.digest
    lock = cloud.world.lock(FRONT)
    now = cloud.world.now_ms()
    for card_id, number in ((902, "1723612378"), (903, "1234567")):
        lock.cards[card_id] = SimCredential(
            card_id, FRONT, number, f"card {card_id}", 1, 0, 0, [], now, "demo@example.com", 1
        )
    await call(hass, "verify_access", {"entity_id": "lock.front_door"})
    report = (await call(hass, "verify_access", {"entity_id": "lock.front_door"}))[
        "lock.front_door"
    ]
    assert 902 not in lock.cards
    assert [u["ttlock_id"] for u in report["unmanaged"]] == [903]
