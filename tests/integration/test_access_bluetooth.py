"""Access management over Bluetooth (the simulated locks behind a virtual proxy): validity
changes written into the lock, cards by number kept in the cloud's books, refusals of the
lock, the fallback to the gateway, the monthly limit written around, expiry housekeeping."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import CONF_PASSCODE_LIMIT, DOMAIN
from custom_components.ttlock_access.sdk.ble.const import Command
from tests.integration.helpers import BleWorld, Cloud, advance, call

FRONT = 5001101
BACK = 5001103
OUT_OF_MEMORY = 0x16
PASSCODE_NOT_FOUND = 0x15
WRONG_ADMIN_PASSWORD = 0x03


def _window(days: int) -> tuple[str, str]:
    now = dt_util.utcnow().replace(microsecond=0)
    return now.isoformat(), (now + timedelta(days=days)).isoformat()


async def test_passcode_validity_changed_over_bluetooth(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """A stay is extended: the new end is written into the Bluetooth-only lock."""
    starts, ends = _window(1)
    result = await call(
        hass,
        "create_passcode",
        {
            "entity_id": "lock.back_door",
            "name": "Guest",
            "type": "custom_period",
            "starts_at": starts,
            "ends_at": ends,
        },
    )
    lock = ble.locks[BACK]
    before = lock.passcodes[result["code"]].end
    _starts, later = _window(4)
    updated = await call(
        hass, "update_passcode", {"credential_id": result["credential_id"], "ends_at": later}
    )
    assert updated["credential"]["locks"]["lock.back_door"] == {
        "state": "set",
        "path": "bluetooth",
    }
    after = lock.passcodes[result["code"]].end
    assert after is not None and before is not None and after > before


async def test_card_by_number_over_bluetooth_is_kept_in_the_cloud(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """A card written over Bluetooth is also recorded in the cloud (so the TTLock app shows
    it); its validity is changed in the lock; revoking removes it from both."""
    result = await call(
        hass,
        "add_card",
        {"entity_id": "lock.back_door", "name": "Cleaner", "card_number": "3661413478"},
    )
    assert result["locks"]["lock.back_door"] == {"state": "set", "path": "bluetooth"}
    lock = ble.locks[BACK]
    assert lock.present_card(3661413478)
    assert [c.name for c in cloud.world.lock(BACK).cards.values()] == ["Cleaner"]
    starts, ends = _window(2)
    await call(
        hass,
        "update_card_validity",
        {"credential_id": result["credential_id"], "starts_at": starts, "ends_at": ends},
    )
    assert lock.cards[3661413478].end != lock.cards[3661413478].start
    await call(hass, "revoke_card", {"credential_id": result["credential_id"]})
    assert not lock.present_card(3661413478)
    assert cloud.world.lock(BACK).cards == {}


async def test_lock_refusals(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """The lock refuses a new code (memory full): failed with the lock's reason. It answers
    a removal with "not found": the code is gone, which is what was wanted."""
    lock = ble.locks[BACK]
    lock.faults.fail_next(Command.MANAGE_KEYBOARD_PASSWORD, OUT_OF_MEMORY)
    refused = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "X"})
    placement = refused["locks"]["lock.back_door"]
    assert placement["state"] == "failed"
    assert "memory" in placement["error"]
    assert refused["code"] not in lock.passcodes
    kept = await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": "Y"})
    lock.passcodes.pop(kept["code"])  # deleted at the keypad meanwhile
    lock.faults.fail_next(Command.MANAGE_KEYBOARD_PASSWORD, PASSCODE_NOT_FOUND)
    revoked = await call(hass, "revoke_passcode", {"credential_id": kept["credential_id"]})
    assert revoked["credential"]["locks"]["lock.back_door"]["state"] == "removed"
    assert hass.states.get("sensor.back_door_pending_access_changes").state == "0"


async def test_bluetooth_trouble_falls_back_to_the_gateway(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Front Door refuses HA's administrator login over Bluetooth (nothing was written):
    the code goes through the gateway."""
    ble.locks[FRONT].faults.fail_next(Command.CHECK_ADMIN, WRONG_ADMIN_PASSWORD)
    result = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "G"})
    assert result["locks"]["lock.front_door"] == {"state": "set", "path": "gateway"}
    [written] = cloud.world.lock(FRONT).passcodes.values()  # through the cloud and gateway
    assert (written.name, written.code) == ("G", result["code"])


async def test_unreadable_bluetooth_answer_is_not_sent_again_elsewhere(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Front Door answers under a key HA does not hold: the lock may have taken the code, so
    it is not written through the gateway as well; the retry looks at the lock first and
    finds it there (one code on the lock, recorded once in the cloud)."""
    lock = ble.locks[FRONT]
    lock.faults.drop_reply_to(Command.MANAGE_KEYBOARD_PASSWORD)
    result = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "G"})
    assert result["locks"]["lock.front_door"]["state"] == "setting"
    assert lock.enter_code(result["code"])
    await advance(hass, freezer, 31)
    listing = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    [item] = listing["locks"]["lock.front_door"]["credentials"]
    assert item["lock"]["state"] == "set"
    assert [p.code for p in cloud.world.lock(FRONT).passcodes.values()] == [result["code"]]


async def test_monthly_limit_written_around_over_bluetooth(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, config_entry: MockConfigEntry
) -> None:
    """Past the month's limit, a lock in range still gets a code: written straight into the
    lock over Bluetooth, outside the app's count (and not recorded in the cloud)."""
    hass.config_entries.async_update_entry(config_entry, options={CONF_PASSCODE_LIMIT: 1})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "One"})
    recorded = len(cloud.world.lock(FRONT).passcodes)
    result = await call(hass, "create_passcode", {"entity_id": "lock.front_door", "name": "Two"})
    assert result["locks"]["lock.front_door"] == {"state": "set", "path": "bluetooth"}
    assert ble.locks[FRONT].enter_code(result["code"])
    assert len(cloud.world.lock(FRONT).passcodes) == recorded
    granted = await call(hass, "grant_access", {"entity_id": "lock.front_door", "holder": "Three"})
    assert granted["credentials"][0]["locks"]["lock.front_door"]["path"] == "bluetooth"


async def test_card_the_cloud_could_not_record_is_recorded_when_needed(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
) -> None:
    """Written over Bluetooth while the cloud refused to record it: once the lock is out of
    range, a validity change records the card in the cloud first, then the gateway changes
    it on the lock."""
    cloud.world.faults.fail_next("identityCard/add", 1)
    card = await call(
        hass,
        "add_card",
        {"entity_id": "lock.front_door", "name": "Temp", "card_number": "123456789"},
    )
    assert card["locks"]["lock.front_door"] == {"state": "set", "path": "bluetooth"}
    assert cloud.world.lock(FRONT).cards == {}
    lock = ble.locks[FRONT]
    lock.set_in_range(False)
    await hass.async_block_till_done()
    starts, ends = _window(3)
    changed = await call(
        hass,
        "update_card_validity",
        {"credential_id": card["credential_id"], "starts_at": starts, "ends_at": ends},
    )
    placement = changed["credential"]["locks"]["lock.front_door"]
    assert (placement["state"], placement["path"]) == ("set", "gateway")
    assert hass.states.get("sensor.front_door_pending_access_changes").state == "0"
    assert [c.name for c in cloud.world.lock(FRONT).cards.values()] == ["Temp"]
    assert lock.cards[123456789].end != lock.cards[123456789].start


async def test_erase_all_passcodes(
    hass: HomeAssistant, cloud: Cloud, ble: BleWorld, setup_entry: MockConfigEntry
) -> None:
    """Every managed code of a lock is revoked at once; cards stay."""
    codes = [
        (await call(hass, "create_passcode", {"entity_id": "lock.back_door", "name": n}))["code"]
        for n in ("A", "B")
    ]
    await call(hass, "add_card", {"entity_id": "lock.back_door", "name": "C", "card_number": "42"})
    result = await call(hass, "erase_all_passcodes", {"entity_id": "lock.back_door"})
    assert result == {"revoked": 2}
    lock = ble.locks[BACK]
    assert not any(code in lock.passcodes for code in codes)
    assert lock.present_card(42)
    assert (await call(hass, "erase_all_passcodes", {"entity_id": "lock.back_door"})) == {
        "revoked": 0
    }


async def test_expired_card_is_removed_from_the_lock(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A card past its end is taken out of the lock's memory (housekeeping)."""
    starts, ends = _window(1)
    card = await call(
        hass,
        "add_card",
        {
            "entity_id": "lock.back_door",
            "name": "Day pass",
            "card_number": "777",
            "starts_at": starts,
            "ends_at": ends,
        },
    )
    assert 777 in ble.locks[BACK].cards
    await advance(hass, freezer, 2 * 86400)  # expired: its removal is queued ...
    await advance(hass, freezer, 2)  # ... and carried out right after
    assert 777 not in ble.locks[BACK].cards
    listing = await call(hass, "list_credentials", {"entity_id": "lock.back_door"})
    assert listing["locks"]["lock.back_door"]["credentials"] == []  # done with: hidden
    listing = await call(
        hass, "list_credentials", {"entity_id": "lock.back_door", "include_inactive": True}
    )
    [item] = listing["locks"]["lock.back_door"]["credentials"]
    assert item["credential_id"] == card["credential_id"]
    assert (item["status"], item["lock"]["state"]) == ("expired", "removed")


async def test_fingerprint_validity_over_bluetooth_and_gateway(
    hass: HomeAssistant,
    cloud: Cloud,
    ble: BleWorld,
    setup_entry: MockConfigEntry,
) -> None:
    """An enrolled fingerprint's window is changed in the lock over Bluetooth; with the lock
    out of range, through the gateway (the cloud knows it by its id)."""
    front = ble.locks[FRONT]

    @callback
    def _touch(event: Event) -> None:
        if event.data["step"] == "fingerprint":
            front.place_finger()

    unsub = hass.bus.async_listen(f"{DOMAIN}_enrollment", _touch)
    finger = await call(
        hass, "enroll_fingerprint", {"entity_id": "lock.front_door", "name": "Thumb"}
    )
    unsub()
    [number] = front.fingerprints
    starts, ends = _window(5)
    await call(
        hass,
        "update_fingerprint_validity",
        {"credential_id": finger["credential_id"], "starts_at": starts, "ends_at": ends},
    )
    assert front.fingerprints[number].end != front.fingerprints[number].start
    front.set_in_range(False)
    await hass.async_block_till_done()
    _starts, later = _window(9)
    changed = await call(
        hass,
        "update_fingerprint_validity",
        {"credential_id": finger["credential_id"], "starts_at": starts, "ends_at": later},
    )
    assert changed["credential"]["locks"]["lock.front_door"]["path"] == "gateway"
    [stored] = cloud.world.lock(FRONT).fingerprints.values()
    assert stored.end_ms == int(dt_util.parse_datetime(later).timestamp() * 1000)  # type: ignore[union-attr]
