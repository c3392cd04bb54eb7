"""Revocation you can trust: each finding of the adversarial review, reproduced against the
simulated world. "Revoked" means the lock refuses the credential, or Home Assistant says
plainly that it is still being removed (placement ``removing`` with the reason, the pending
sensor counts it) and keeps trying until the lock confirms."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from custom_components.ttlock_access.sdk.ble.const import Command
from simulator.credentials import SimPasscode
from tests.integration.helpers import CLIENT_ID, BleWorld, Cloud, advance, call
from tests.integration.webhook_helpers import Push

FRONT = 5001101
GARAGE = 5001102
BACK = 5001103
GATEWAY = 301001
PENDING_FRONT = "sensor.front_door_pending_access_changes"
PENDING_BACK = "sensor.back_door_pending_access_changes"


def opens(cloud: Cloud, lock_id: int, digits: str) -> bool:
    """Type digits on the simulated keypad (through the Bluetooth twin when there is one)."""
    return cloud.world.enter_code(lock_id, digits).success


async def drain(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the queue retry through its whole backoff ladder."""
    for seconds in (31, 61, 121, 301, 601, 1801, 3601, 3601):
        await advance(hass, freezer, seconds)


async def placement(hass: HomeAssistant, entity_id: str, credential_id: str) -> dict[str, Any]:
    """How ``list_credentials`` reports one credential on one lock (revoked ones too)."""
    listing = await call(
        hass, "list_credentials", {"entity_id": entity_id, "include_inactive": True}
    )
    item = next(
        c for c in listing["locks"][entity_id]["credentials"] if c["credential_id"] == credential_id
    )
    return dict(item["lock"])


def lock_issues(issue_registry: ir.IssueRegistry, lock_name: str) -> list[ir.IssueEntry]:
    """Repair issues of this integration that name a lock."""
    return [
        issue
        for issue in issue_registry.issues.values()
        if issue.domain == DOMAIN
        and (issue.translation_placeholders or {}).get("lock") == lock_name
    ]


# -- 1. a single refusal of a delete must not abandon the revocation ----------------------
@pytest.mark.parametrize(
    ("errcode", "needs_person"),
    [(-2025, True), (-3, False), (20002, True), (-4043, True), (-1003, True)],
)
async def test_refused_delete_keeps_the_revocation(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    errcode: int,
    needs_person: bool,
) -> None:
    """The cloud refuses the delete once: the code still opens, so HA says "removing" with
    the reason, counts it as pending, asks a person where one is needed, and retries until
    the lock confirms."""
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Ex"})
    code, credential_id = created["code"], created["credential_id"]
    cloud.world.faults.fail_next("keyboardPwd/delete", errcode)
    revoked = await call(hass, "revoke_passcode", {"credential_id": credential_id})
    assert opens(cloud, FRONT, code)
    state = revoked["credential"]["locks"]["lock.front_door"]
    assert state["state"] == "removing"
    assert state["error"]
    assert revoked["credential"]["status"] == "revoked"
    assert hass.states.get(PENDING_FRONT).state == "1"
    assert bool(lock_issues(issue_registry, "Front Door")) is needs_person
    await drain(hass, freezer)
    assert not opens(cloud, FRONT, code)
    assert (await placement(hass, "lock.front_door", credential_id))["state"] == "removed"
    assert hass.states.get(PENDING_FRONT).state == "0"
    assert not lock_issues(issue_registry, "Front Door")


# -- 2. a refused validity change must not make the revocation skip the code ----------------
async def test_extension_of_a_permanent_code_then_revocation(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A permanent grant, a lease extension (nothing to change for a permanent code), then
    revocation: the code stops opening the door."""
    granted = await call(
        hass, "grant_access", {"entity_id": "lock.front_door", "holder": "Tenant Al"}
    )
    code = granted["credentials"][0]["code"]
    credential_id = granted["credentials"][0]["credential_id"]
    later = (dt_util.now() + timedelta(days=3)).isoformat()
    await call(hass, "extend_lease", {"holder": "Tenant Al", "ends_at": later})
    assert (await placement(hass, "lock.front_door", credential_id))["state"] == "set"
    await call(hass, "revoke_holder", {"holder": "Tenant Al"})
    await drain(hass, freezer)
    assert not opens(cloud, FRONT, code)


async def test_start_only_update_then_revocation(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """``update_passcode`` with only a start on a permanent code, then revocation."""
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "P"})
    await call(
        hass,
        "update_passcode",
        {"credential_id": created["credential_id"], "starts_at": dt_util.now().isoformat()},
    )
    await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    await drain(hass, freezer)
    assert not opens(cloud, FRONT, created["code"])
    assert hass.states.get(PENDING_FRONT).state == "0"


async def test_refused_update_keeps_the_code_and_its_removal(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The cloud refuses a validity change: the code is still on the lock (``set``, with the
    refusal as its note), and revoking it still removes it."""
    created = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Stay",
            "type": "custom_period",
            "ends_at": (dt_util.now() + timedelta(days=1)).isoformat(),
        },
    )
    cloud.world.faults.fail_next("keyboardPwd/change", -3)
    updated = await call(
        hass,
        "update_passcode",
        {
            "credential_id": created["credential_id"],
            "ends_at": (dt_util.now() + timedelta(days=2)).isoformat(),
        },
    )
    state = updated["credential"]["locks"]["lock.front_door"]
    assert state["state"] == "set"
    assert state["error"]
    await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    await drain(hass, freezer)
    assert not opens(cloud, FRONT, created["code"])


async def test_lost_answer_of_a_validity_change_is_sent_again(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The gateway's answer to a validity change is lost: the code stays ``set`` (it opens
    either way), the change is counted as pending and sent again until the cloud has it."""
    created = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Lease",
            "type": "custom_period",
            "ends_at": (dt_util.now() + timedelta(days=1)).isoformat(),
        },
    )
    later = dt_util.now().replace(microsecond=0) + timedelta(days=5)
    cloud.world.faults.fail_next("keyboardPwd/change", 90000, http_status=504)
    updated = await call(
        hass,
        "update_passcode",
        {"credential_id": created["credential_id"], "ends_at": later.isoformat()},
    )
    state = updated["credential"]["locks"]["lock.front_door"]
    assert state["state"] == "set"
    assert state["error"]
    assert hass.states.get(PENDING_FRONT).state == "1"
    await advance(hass, freezer, 31)
    assert hass.states.get(PENDING_FRONT).state == "0"
    [stored] = cloud.world.lock(FRONT).passcodes.values()
    assert stored.end_ms == int(later.timestamp() * 1000)
    assert opens(cloud, FRONT, created["code"])


# -- 3. ghost codes from lost replies ---------------------------------------------------
async def test_lost_reply_of_a_gateway_add_is_adopted(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The gateway wrote the code but the answer was lost: the retry finds it on the lock's
    list instead of failing as a duplicate, and revoking removes it."""
    cloud.world.faults.fail_next("keyboardPwd/add", 90000, http_status=504, after=True)
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "G"})
    code, credential_id = created["code"], created["credential_id"]
    assert created["locks"]["lock.front_door"]["state"] == "setting"
    assert opens(cloud, FRONT, code)
    await advance(hass, freezer, 31)
    assert (await placement(hass, "lock.front_door", credential_id))["state"] == "set"
    assert len(cloud.world.lock(FRONT).passcodes) == 1
    await call(hass, "revoke_passcode", {"credential_id": credential_id})
    assert not opens(cloud, FRONT, code)


async def test_refused_add_that_reached_the_lock_is_set(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The gateway wrote the code but the cloud answered with a refusal: the lock's list is
    read before the add is called failed, and the code is ``set`` (one code, no retry)."""
    cloud.world.faults.fail_next("keyboardPwd/add", -3, after=True)
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "H"})
    state = created["locks"]["lock.front_door"]
    assert state["state"] == "set"
    assert len(cloud.world.lock(FRONT).passcodes) == 1
    assert opens(cloud, FRONT, created["code"])
    assert hass.states.get(PENDING_FRONT).state == "0"


async def test_revoked_before_the_retry_of_a_lost_add(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Revoked while the outcome of its add is unknown: not dropped as "never reached"."""
    cloud.world.faults.fail_next("keyboardPwd/add", 90000, http_status=504, after=True)
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "G"})
    revoked = await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    await drain(hass, freezer)
    assert not opens(cloud, FRONT, created["code"])
    assert revoked["credential"]["status"] == "revoked"
    assert hass.states.get(PENDING_FRONT).state == "0"


async def test_lost_bluetooth_reply_of_an_add(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The Bluetooth-only lock stored the code and the link dropped before its answer: the
    code is recognised as on the lock, and revoking removes it."""
    ble.locks[BACK].faults.drop_reply_to(Command.MANAGE_KEYBOARD_PASSWORD)
    created = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "B"})
    code = created["code"]
    assert opens(cloud, BACK, code)
    await drain(hass, freezer)
    assert (await placement(hass, "lock.back_door", created["credential_id"]))["state"] == "set"
    await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    await drain(hass, freezer)
    assert not opens(cloud, BACK, code)
    assert hass.states.get(PENDING_BACK).state == "0"


async def test_lost_bluetooth_reply_then_revoked_at_once(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Revoked right after an add whose Bluetooth answer was lost (twice: no retry got an
    answer either): the removal still runs."""
    ble.locks[BACK].faults.drop_reply_to(Command.MANAGE_KEYBOARD_PASSWORD, times=2)
    created = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "B"})
    assert opens(cloud, BACK, created["code"])
    await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    await drain(hass, freezer)
    assert not opens(cloud, BACK, created["code"])


# -- 4. Bluetooth refusals of a delete are not "already gone" ----------------------------
@pytest.mark.parametrize(("code", "needs_person"), [(0x1C, True), (0x03, True), (0x01, False)])
async def test_bluetooth_refusal_of_a_delete(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    code: int,
    needs_person: bool,
) -> None:
    """Frozen, wrong admin password, failed: the code is still on the lock, so the removal
    stays pending (with a repair issue where a person must act) until the lock confirms."""
    created = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "B"})
    ble.locks[BACK].faults.fail_next(Command.MANAGE_KEYBOARD_PASSWORD, code)
    revoked = await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    assert opens(cloud, BACK, created["code"])
    assert revoked["credential"]["locks"]["lock.back_door"]["state"] == "removing"
    assert hass.states.get(PENDING_BACK).state == "1"
    assert bool(lock_issues(issue_registry, "Back Door")) is needs_person
    await drain(hass, freezer)
    assert not opens(cloud, BACK, created["code"])
    assert hass.states.get(PENDING_BACK).state == "0"
    assert not lock_issues(issue_registry, "Back Door")


# -- 5. a callback informs, it never cancels a revocation ---------------------------------
async def test_refused_delete_and_an_unreadable_list(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The delete is refused and the lock's list cannot be read to see whether the code is
    gone: the removal is not taken as done — it stays ``removing`` until the lock confirms."""
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "U"})
    cloud.world.faults.fail_next("keyboardPwd/delete", -3)
    cloud.world.faults.fail_next("lock/listKeyboardPwd", 90000)
    revoked = await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    state = revoked["credential"]["locks"]["lock.front_door"]
    assert state["state"] == "removing"
    assert state["error"]
    assert opens(cloud, FRONT, created["code"])
    assert hass.states.get(PENDING_FRONT).state == "1"
    await drain(hass, freezer)
    assert not opens(cloud, FRONT, created["code"])
    assert (await placement(hass, "lock.front_door", created["credential_id"]))["state"] == (
        "removed"
    )


async def test_failure_callback_does_not_cancel_a_removal(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    push: Push,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A notifyType 4 naming a passcode whose removal waits for the gateway: the removal
    stays queued and completes when the gateway is back."""
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "C"})
    manager = setup_entry.runtime_data.access
    passcode_id = manager.state.credentials[created["credential_id"]].placements[FRONT].ttlock_id
    cloud.world.set_gateway_online(GATEWAY, False)
    await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    push.pusher.notify(
        CLIENT_ID, 4, lockId=FRONT, objectType=2, objectId=passcode_id, errcode=-3, uid=cloud.uid
    )
    await push.settle()
    assert hass.states.get(PENDING_FRONT).state == "1"
    assert (await placement(hass, "lock.front_door", created["credential_id"]))[
        "state"
    ] == "removing"
    cloud.world.set_gateway_online(GATEWAY, True)
    await drain(hass, freezer)
    assert not opens(cloud, FRONT, created["code"])
    await push.settle()  # the failed attempt's record is pushed too
    assert hass.states.get(PENDING_FRONT).state == "0"


# -- 6. several passcodes of one holder on one lock --------------------------------------
async def test_a_holder_can_hold_two_passcodes_on_a_lock(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """TTLock refuses a second passcode with the same name on a lock: names are made unique
    per lock, so both codes work, and revoking the holder removes both."""
    first = await call(hass, "grant_access", {"entity_id": "lock.front_door", "holder": "Anna"})
    second = await call(hass, "grant_access", {"entity_id": "lock.front_door", "holder": "Anna"})
    codes = [first["credentials"][0]["code"], second["credentials"][0]["code"]]
    assert second["credentials"][0]["locks"]["lock.front_door"]["state"] == "set"
    assert all(opens(cloud, FRONT, code) for code in codes)
    names = sorted(p.name for p in cloud.world.lock(FRONT).passcodes.values())
    assert len(set(names)) == 2
    assert all(name.startswith("Anna") for name in names)
    await call(hass, "revoke_holder", {"holder": "Anna"})
    await drain(hass, freezer)
    assert not any(opens(cloud, FRONT, code) for code in codes)


async def test_update_of_a_failed_placement_then_revocation(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A code the lock refused (memory full) is updated, then revoked: nothing waits forever."""
    cloud.world.faults.fail_next("keyboardPwd/add", -3009)
    created = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.front_door",
            "name": "Full",
            "type": "custom_period",
            "ends_at": (dt_util.now() + timedelta(days=1)).isoformat(),
        },
    )
    assert created["locks"]["lock.front_door"]["state"] == "failed"
    await call(
        hass,
        "update_passcode",
        {
            "credential_id": created["credential_id"],
            "ends_at": (dt_util.now() + timedelta(days=2)).isoformat(),
        },
    )
    await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    await drain(hass, freezer)
    assert hass.states.get(PENDING_FRONT).state == "0"
    assert not opens(cloud, FRONT, created["code"])
    assert (await placement(hass, "lock.front_door", created["credential_id"]))["state"] in (
        "removed",
        "failed",
    )


# -- 7. only ASCII digits ----------------------------------------------------------------
@pytest.mark.parametrize(
    "code",
    ["１２３４５６", "١٢٣٤٥٦", "¹²³⁴⁵⁶", "123456\n", "۱۲۳۴۵۶", "12 34"],
)
async def test_codes_are_ascii_digits(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, code: str
) -> None:
    """Look-alike digits and stray characters are refused before anything reaches a lock."""
    with pytest.raises(ServiceValidationError):
        await call(
            hass, "create_passcode", {"entity_id": "lock.front_door", "name": "U", "code": code}
        )
    with pytest.raises(ServiceValidationError):
        await call(
            hass, "grant_access", {"entity_id": "lock.front_door", "holder": "U", "code": code}
        )
    with pytest.raises(ServiceValidationError):
        await call(
            hass, "add_card", {"entity_id": "lock.front_door", "name": "U", "card_number": code}
        )
    assert cloud.world.lock(FRONT).passcodes == {}
    assert cloud.world.lock(FRONT).cards == {}


@pytest.mark.parametrize("number", [str(2**64), "99999999999999999999", "0"])
async def test_card_numbers_in_range(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, number: str
) -> None:
    """Card numbers are 4 or 8 bytes on the lock: 1 … 2^64 − 1."""
    with pytest.raises(ServiceValidationError):
        await call(
            hass, "add_card", {"entity_id": "lock.front_door", "name": "U", "card_number": number}
        )


async def test_overlap_check_on_normalised_digits(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A code made elsewhere in other digit forms still conflicts with the same digits."""
    lock = cloud.world.lock(FRONT)
    lock.passcodes[999] = SimPasscode(
        passcode_id=999,
        lock_id=FRONT,
        code="١٢٣٤٥٦",
        name="Elsewhere",
        kind=2,
        start_ms=0,
        end_ms=0,
        is_custom=True,
        sender_username="demo@example.com",
        send_ms=0,
        stored_ms=0,
    )
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "create_passcode",
            {"entity_id": "lock.front_door", "name": "Mine", "code": "9123456"},
        )
    assert err.value.translation_key == "code_conflicts"


async def test_name_taken_by_an_app_code_is_renamed(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The TTLock app already has a passcode named "Guest" on the lock: HA's "Guest" is
    written as "Guest (2)" instead of failing."""
    now = cloud.world.now_ms()
    cloud.world.lock(FRONT).passcodes[777] = SimPasscode(
        777, FRONT, "7310552", "Guest", 2, 0, 0, True, "demo@example.com", now, now
    )
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Guest"})
    assert created["locks"]["lock.front_door"]["state"] == "set"
    names = sorted(p.name for p in cloud.world.lock(FRONT).passcodes.values())
    assert names == ["Guest", "Guest (2)"]
    assert opens(cloud, FRONT, created["code"])


async def test_names_taken_by_two_app_codes(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The app has "Guest" and "Guest (2)" on the lock: HA's "Guest" goes on to "Guest (3)"
    within the same run, instead of going back to "Guest" and never being written."""
    now = cloud.world.now_ms()
    for passcode_id, code, name in ((777, "7310552", "Guest"), (778, "7310553", "Guest (2)")):
        cloud.world.lock(FRONT).passcodes[passcode_id] = SimPasscode(
            passcode_id, FRONT, code, name, 2, 0, 0, True, "demo@example.com", now, now
        )
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Guest"})
    assert created["locks"]["lock.front_door"]["state"] == "set"
    names = sorted(p.name for p in cloud.world.lock(FRONT).passcodes.values())
    assert names == ["Guest", "Guest (2)", "Guest (3)"]
    assert opens(cloud, FRONT, created["code"])
    assert hass.states.get(PENDING_FRONT).state == "0"


@pytest.mark.parametrize("ble_lock_ids", [(FRONT,)])
async def test_lost_bluetooth_add_then_only_the_gateway(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The Bluetooth answer of an add was lost and the lock left Bluetooth range: the cloud
    cannot know a code written over Bluetooth, so the gateway's "already on the lock" is
    taken as the truth — the code is set, recorded in the cloud, and can be revoked."""
    lock = ble.locks[FRONT]
    lock.faults.drop_reply_to(Command.MANAGE_KEYBOARD_PASSWORD)
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Z"})
    assert created["locks"]["lock.front_door"]["state"] == "setting"
    lock.set_in_range(False)
    await hass.async_block_till_done()
    await advance(hass, freezer, 31)
    await advance(hass, freezer, 61)
    assert (await placement(hass, "lock.front_door", created["credential_id"]))["state"] == "set"
    assert [p.code for p in cloud.world.lock(FRONT).passcodes.values()] == [created["code"]]
    await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    await drain(hass, freezer)
    assert not opens(cloud, FRONT, created["code"])


@pytest.mark.parametrize("ble_lock_ids", [(FRONT,)])
async def test_lost_bluetooth_add_then_a_gateway_refusal(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """As above, but the gateway's first add is refused for another reason: the code may be
    on the lock (the lost Bluetooth reply), so it is neither failed nor written blindly — it
    stays ``setting`` with the reason, and the next retry finds it on the lock."""
    lock = ble.locks[FRONT]
    lock.faults.drop_reply_to(Command.MANAGE_KEYBOARD_PASSWORD)
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Y"})
    lock.set_in_range(False)
    await hass.async_block_till_done()
    cloud.world.faults.fail_next("keyboardPwd/add", -3)
    await advance(hass, freezer, 31)
    state = await placement(hass, "lock.front_door", created["credential_id"])
    assert state["state"] == "setting"
    assert state["error"]
    assert hass.states.get(PENDING_FRONT).state == "1"
    await advance(hass, freezer, 61)
    await advance(hass, freezer, 121)
    assert (await placement(hass, "lock.front_door", created["credential_id"]))["state"] == "set"
    assert [p.code for p in cloud.world.lock(FRONT).passcodes.values()] == [created["code"]]


async def test_no_new_attempt_before_the_lock_was_looked_at(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A lost reply, and the cloud's list cannot be read at the retry: nothing is sent
    blindly; the next retry looks, finds the code and is done (one code on the lock)."""
    cloud.world.faults.fail_next("keyboardPwd/add", 90000, http_status=504, after=True)
    created = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "L"})
    cloud.world.faults.fail_next("lock/listKeyboardPwd", 90000)
    await advance(hass, freezer, 31)
    state = await placement(hass, "lock.front_door", created["credential_id"])
    assert state["state"] == "setting"
    assert state["error"] == "waiting to look at the lock again"
    await advance(hass, freezer, 61)
    assert (await placement(hass, "lock.front_door", created["credential_id"]))["state"] == "set"
    assert len(cloud.world.lock(FRONT).passcodes) == 1
