"""Revocation for every credential kind: offline codes (only the lock can stop them),
fingerprints, faces and eKeys — including lost replies and "not found" answers that the
lists must confirm."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import DOMAIN
from custom_components.ttlock_access.sdk.ble.const import Command
from simulator.lockside import HeldCredential, lock_memory
from tests.integration.helpers import BleWorld, Cloud, advance, call, pending

FRONT, GARAGE, BACK = 5001101, 5001102, 5001103
LOST = {"errcode": 90000, "http_status": 504, "after": True}


async def _offline(
    hass: HomeAssistant, entity_id: str, variant: str = "permanent"
) -> dict[str, Any]:
    return await call(
        hass, "create_passcode", {"entity_id": entity_id, "name": "Courier", "type": variant}
    )


@pytest.mark.parametrize("ble_lock_ids", [(BACK,)])
async def test_offline_code_removed_over_bluetooth(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """A permanent offline code on the Bluetooth-only lock: revoking it tells the lock over
    Bluetooth, which refuses it from then on; the cloud forgets it too."""
    created = await _offline(hass, "lock.back_door")
    code = created["locks"]["lock.back_door"]["code"]
    assert cloud.world.enter_code(BACK, code).success
    revoked = await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    assert revoked["credential"]["locks"]["lock.back_door"]["state"] == "removed"
    assert revoked["credential"]["locks"]["lock.back_door"]["path"] == "bluetooth"
    assert not cloud.world.enter_code(BACK, code).success
    assert all(p.code != code for p in cloud.world.lock(BACK).passcodes.values())


async def test_offline_code_removed_through_the_gateway(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Behind a gateway, the lock is told through it."""
    created = await _offline(hass, "lock.front_door")
    code = created["locks"]["lock.front_door"]["code"]
    revoked = await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    assert revoked["credential"]["locks"]["lock.front_door"]["path"] == "gateway"
    assert not cloud.world.enter_code(FRONT, code).success


async def test_lost_reply_of_an_offline_code(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The cloud issued the offline code but its answer was lost: the retry finds it in the
    cloud's list by its name instead of issuing a second one."""
    cloud.world.faults.fail_next("keyboardPwd/get", **LOST)
    created = await _offline(hass, "lock.front_door")
    assert created["locks"]["lock.front_door"]["state"] == "setting"
    await advance(hass, freezer, 31)
    listing = await call(
        hass, "list_credentials", {"entity_id": "lock.front_door", "include_secrets": True}
    )
    [item] = listing["locks"]["lock.front_door"]["credentials"]
    assert item["lock"]["state"] == "set"
    [issued] = cloud.world.lock(FRONT).passcodes.values()
    assert item["secret"] == issued.code


@pytest.mark.parametrize("ble_lock_ids", [(FRONT,)])
async def test_fingerprint_revoked_over_bluetooth(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """A fingerprint enrolled elsewhere, recorded here: its validity and its removal are
    written into the lock in Bluetooth range."""
    memory = lock_memory(cloud.world.lock(FRONT))
    memory.fingerprints["77"] = HeldCredential("77", cloud.world.now_ms())
    recorded = await call(
        hass,
        "add_fingerprint_record",
        {"entity_id": "lock.front_door", "name": "Thumb", "fingerprint_number": "77"},
    )
    ends = (dt_util.now() + timedelta(days=2)).isoformat()
    changed = await call(
        hass,
        "update_fingerprint_validity",
        {"credential_id": recorded["credential_id"], "ends_at": ends},
    )
    assert changed["credential"]["locks"]["lock.front_door"]["path"] == "bluetooth"
    assert memory.fingerprints["77"].raw_end is not None
    revoked = await call(hass, "revoke_fingerprint", {"credential_id": recorded["credential_id"]})
    assert revoked["credential"]["locks"]["lock.front_door"]["state"] == "removed"
    assert "77" not in memory.fingerprints


async def test_fingerprint_revoked_through_the_gateway_after_a_not_found(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The cloud answers "fingerprint does not exist" while its list still has it: the
    removal is tried again until the list no longer shows it."""
    recorded = await call(
        hass,
        "add_fingerprint_record",
        {"entity_id": "lock.front_door", "name": "Index", "fingerprint_number": "254"},
    )
    cloud.world.faults.fail_next("fingerprint/delete", -1023)
    revoked = await call(hass, "revoke_fingerprint", {"credential_id": recorded["credential_id"]})
    assert revoked["credential"]["locks"]["lock.front_door"]["state"] == "removing"
    await advance(hass, freezer, 31)
    assert not cloud.world.lock(FRONT).fingerprints
    assert pending(hass, "front_door") == "0"


@pytest.fixture
async def faces(hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry) -> None:
    """Front Door reads faces (feature 53)."""
    lock = cloud.world.lock(FRONT)
    lock.features = lock.features | {53}
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()


async def test_face_lifecycle_and_a_lost_reply(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    faces: None,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A face whose add answer was lost is found by its name; its validity changes and its
    removal go through the gateway."""
    cloud.world.faults.fail_next("face/add", **LOST)
    added = await call(
        hass,
        "add_face",
        {"entity_id": "lock.front_door", "name": "Lena", "feature_data": "AAECAwQ="},
    )
    assert added["locks"]["lock.front_door"]["state"] == "setting"
    await advance(hass, freezer, 31)
    assert len(cloud.world.lock(FRONT).faces) == 1
    ends = (dt_util.now() + timedelta(days=3)).isoformat()
    await call(
        hass,
        "update_fingerprint_validity",
        {"credential_id": added["credential_id"], "ends_at": ends},
    )
    [stored] = cloud.world.lock(FRONT).faces.values()
    assert stored.end_ms == int(dt_util.parse_datetime(ends).timestamp() * 1000)  # type: ignore[union-attr]
    await call(hass, "revoke_face", {"credential_id": added["credential_id"]})
    assert not cloud.world.lock(FRONT).faces


async def test_ekey_lost_reply_and_gone_elsewhere(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An eKey whose send answer was lost is found by its receiver; its validity follows;
    deleted in the app meanwhile, its revocation is confirmed by the cloud's list."""
    cloud.world.faults.fail_next("key/send", **LOST)
    sent = await call(
        hass,
        "send_ekey",
        {"entity_id": "lock.front_door", "receiver": "second@example.com", "name": "Neighbour"},
    )
    assert sent["locks"]["lock.front_door"]["state"] == "setting"
    await advance(hass, freezer, 31)
    lock = cloud.world.lock(FRONT)
    assert len(lock.ekeys) == 1
    ends = (dt_util.now() + timedelta(days=3)).isoformat()
    changed = await call(
        hass, "update_passcode", {"credential_id": sent["credential_id"], "ends_at": ends}
    )
    assert changed["credential"]["locks"]["lock.front_door"]["state"] == "set"
    [key] = lock.ekeys.values()
    assert key.end_ms == int(dt_util.parse_datetime(ends).timestamp() * 1000)  # type: ignore[union-attr]
    lock.ekeys.clear()
    cloud.world.faults.fail_next("key/delete", -1008)
    revoked = await call(hass, "revoke_ekey", {"credential_id": sent["credential_id"]})
    assert revoked["credential"]["locks"]["lock.front_door"]["state"] == "removed"


async def test_face_deleted_in_the_app_after_a_lost_reply(
    hass: HomeAssistant,
    cloud: Cloud,
    setup_entry: MockConfigEntry,
    faces: None,
) -> None:
    """A face whose add answer was lost is deleted in the app before the retry; revoking it
    reads the cloud's face list, which is the truth for faces: removed at once, nothing
    sent to the lock."""
    cloud.world.faults.fail_next("face/add", **LOST)
    added = await call(
        hass,
        "add_face",
        {"entity_id": "lock.front_door", "name": "Lena", "feature_data": "AAECAwQ="},
    )
    assert added["locks"]["lock.front_door"]["state"] == "setting"
    cloud.world.lock(FRONT).faces.clear()
    cloud.world.faults.fail_next("face/delete", -3)  # consumed only if a delete is sent
    revoked = await call(hass, "revoke_face", {"credential_id": added["credential_id"]})
    assert revoked["credential"]["locks"]["lock.front_door"]["state"] == "removed"
    assert pending(hass, "front_door") == "0"
    assert "face/delete" in cloud.world.faults.pending()  # no delete was sent


@pytest.mark.parametrize("ble_lock_ids", [(BACK,)])
@pytest.mark.parametrize(
    ("answer", "state", "needs_person"),
    [(0x15, "removed", False), (0x1C, "removing", True)],
)
async def test_bluetooth_answers_to_an_offline_code_removal(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    answer: int,
    state: str,
    needs_person: bool,
) -> None:
    """Revoking an offline code on the Bluetooth-only lock: "no such passcode" from the lock
    means the digits never open it (removed, and the cloud forgets the code); "lock frozen"
    keeps the removal waiting, with a repair issue naming the lock."""
    created = await _offline(hass, "lock.back_door")
    ble.locks[BACK].faults.fail_next(Command.MANAGE_KEYBOARD_PASSWORD, answer)
    revoked = await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    assert revoked["credential"]["locks"]["lock.back_door"]["state"] == state
    assert pending(hass, "back_door") == ("1" if needs_person else "0")
    issues = [
        i.translation_key
        for i in issue_registry.issues.values()
        if i.domain == DOMAIN and (i.translation_placeholders or {}).get("lock") == "Back Door"
    ]
    assert issues == (["access_lock_frozen"] if needs_person else [])
    assert bool(cloud.world.lock(BACK).passcodes) is needs_person


async def test_offline_code_the_cloud_forgot_waits_for_bluetooth(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """The cloud issued an offline code but its answer was lost, then the code was deleted
    in the app: the lock may still accept it and only Bluetooth can tell it otherwise, so the
    revocation waits and says why (nothing is taken for removed)."""
    cloud.world.faults.fail_next("keyboardPwd/get", **LOST)
    created = await _offline(hass, "lock.front_door")
    assert created["locks"]["lock.front_door"]["state"] == "setting"
    cloud.world.lock(FRONT).passcodes.clear()
    revoked = await call(hass, "revoke_passcode", {"credential_id": created["credential_id"]})
    state = revoked["credential"]["locks"]["lock.front_door"]
    assert state["state"] == "removing"
    assert (
        state["error"] == "the cloud no longer knows this offline code: only Bluetooth can stop it"
    )
    assert pending(hass, "front_door") == "1"
