"""Access management on a lock paired locally (no TTLock account): codes and cards go over
Bluetooth; what needs the TTLock cloud (offline codes, eKeys, faces) is refused clearly."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import pytest
from bluetooth_data_tools import monotonic_time_coarse
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from custom_components.ttlock_access.sdk.ble.const import Command
from simulator.ble import SimulatedLock
from simulator.ble.lock import Err
from tests.integration.helpers import advance, call


async def test_codes_and_cards_over_bluetooth(hass: HomeAssistant, shed: SimulatedLock) -> None:
    """A guest's code and card are written into the lock; listing has no cloud part."""
    granted = await call(
        hass,
        "grant_access",
        {"entity_id": "lock.shed", "holder": "Gardener", "card_number": "4242"},
    )
    code, card = granted["credentials"]
    assert code["locks"]["lock.shed"] == {"state": "set", "path": "bluetooth"}
    assert shed.enter_code(code["code"])
    assert shed.present_card(4242)
    listing = await call(
        hass, "list_credentials", {"entity_id": "lock.shed", "include_unmanaged": True}
    )
    assert len(listing["locks"]["lock.shed"]["credentials"]) == 2
    assert "unmanaged" not in listing["locks"]["lock.shed"]
    second = await call(hass, "create_passcode", {"entity_id": "lock.shed", "name": "Other"})
    assert second["code"] not in code["code"] and code["code"] not in second["code"]
    recorded = await call(
        hass,
        "add_fingerprint_record",
        {"entity_id": "lock.shed", "name": "Thumb", "fingerprint_number": "3"},
    )
    assert recorded["locks"]["lock.shed"]["state"] == "set"
    await call(hass, "revoke_card", {"credential_id": card["credential_id"]})
    assert not shed.present_card(4242)


@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        ("create_passcode", {"name": "O", "type": "one_time"}, "offline_needs_account"),
        ("send_ekey", {"name": "K", "receiver": "a@example.com"}, "needs_account"),
        ("add_face", {"name": "F", "feature_data": "AAECAwQ="}, "needs_account"),
        (
            "grant_access",
            {"holder": "H", "passcode": False, "ekey_receiver": "a@example.com"},
            "needs_account",
        ),
        ("adopt_credential", {"kind": "card", "ttlock_id": 7}, "needs_account"),
    ],
)
async def test_cloud_only_credentials_are_refused(
    hass: HomeAssistant, shed: SimulatedLock, service: str, data: dict[str, Any], key: str
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, {"entity_id": "lock.shed", **data})
    assert err.value.translation_key == key


async def _shed_placement(hass: HomeAssistant, credential_id: str) -> dict[str, Any]:
    listing = await call(hass, "list_credentials", {"entity_id": "lock.shed"})
    item = next(
        c
        for c in listing["locks"]["lock.shed"]["credentials"]
        if c["credential_id"] == credential_id
    )
    return dict(item["lock"])


async def test_lost_reply_looked_up_on_the_lock_only(
    hass: HomeAssistant, shed: SimulatedLock, freezer: FrozenDateTimeFactory
) -> None:
    """The Shed stored a code but its answer was lost; there is no cloud to ask, so only the
    lock's own list can tell. While that list cannot be read, and while the lock is out of
    range, the code waits to be looked at (never written twice); once the list is read, the
    code is set."""
    shed.faults.drop_reply_to(Command.MANAGE_KEYBOARD_PASSWORD, times=3)  # and resends
    created = await call(hass, "create_passcode", {"entity_id": "lock.shed", "name": "Lost"})
    credential_id = created["credential_id"]
    assert created["locks"]["lock.shed"]["state"] == "setting"
    assert shed.enter_code(created["code"])
    shed.faults.fail_next(Command.PWD_LIST, Err.INVALID_COMMAND, times=3)  # and retries
    await advance(hass, freezer, 31)
    state = await _shed_placement(hass, credential_id)
    assert (state["state"], state.get("error")) == ("setting", "waiting to look at the lock again")
    shed.set_in_range(False)
    later = monotonic_time_coarse() + 3600
    with (
        patch("habluetooth.base_scanner.monotonic_time_coarse", return_value=later),
        patch("habluetooth.manager.monotonic_time_coarse", return_value=later),
    ):
        await advance(hass, freezer, 301)
        await advance(hass, freezer, 301)
    state = await _shed_placement(hass, credential_id)
    assert (state["state"], state.get("error")) == ("setting", "waiting to look at the lock again")
    shed.set_in_range(True)
    # back in range: looked at again at once (let that attempt finish before time jumps),
    # and after the backoff while the list fails
    await hass.async_block_till_done(wait_background_tasks=True)
    for seconds in (601, 1801, 3601):
        await advance(hass, freezer, seconds)
    assert (await _shed_placement(hass, credential_id))["state"] == "set"
    assert list(shed.passcodes) == [created["code"]]
