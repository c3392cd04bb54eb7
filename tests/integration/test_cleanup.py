"""``cleanup_expired_passcodes``: expired codes leave the lock — Home Assistant's own at once,
the TTLock app's only when asked — and their removal is tracked like any revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.integration.helpers import Cloud, advance, call, pending
from tests.integration.test_access import FRONT, opens
from tests.integration.test_adopt import ttlock_app

HALLWAY_GATEWAY = 301001
HOUR = 3600


async def _app_codes(cloud: Cloud) -> tuple[int, int]:
    """An app code that ends in an hour and a permanent one."""
    async with ttlock_app(cloud) as app:
        now_ms = cloud.world.now_ms()
        ending = await app.add_passcode(
            FRONT, "246810", name="Plumber (app)", start_ms=now_ms, end_ms=now_ms + HOUR * 1000
        )
        permanent = await app.add_passcode(FRONT, "135790", name="Owner (app)")
    return ending, permanent


async def test_unmanaged_codes_only_when_asked(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """An expired app code stays until include_unmanaged; then it is removed (and its removal
    is Home Assistant's to track), while a permanent app code is never touched."""
    ending, permanent = await _app_codes(cloud)
    await advance(hass, freezer, 2 * HOUR)
    result = await call(hass, "cleanup_expired_passcodes", {"entity_id": "lock.front_door"})
    assert result == {"locks": {"lock.front_door": {"managed": [], "unmanaged": []}}}
    stored = set(cloud.world.locks[FRONT].passcodes)
    assert {ending, permanent} <= stored

    result = await call(
        hass,
        "cleanup_expired_passcodes",
        {"entity_id": "lock.front_door", "include_unmanaged": True},
    )
    assert result["locks"]["lock.front_door"] == {"managed": [], "unmanaged": ["Plumber (app)"]}
    stored = set(cloud.world.locks[FRONT].passcodes)
    assert ending not in stored and permanent in stored
    assert opens(cloud, FRONT, "135790")
    listed = await call(
        hass, "list_credentials", {"entity_id": "lock.front_door", "include_unmanaged": True}
    )
    names = {u["name"] for u in listed["locks"]["lock.front_door"]["unmanaged"]}
    assert "Plumber (app)" not in names and "Owner (app)" in names


async def test_own_expired_code_waiting_for_the_gateway(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Home Assistant's own expired code whose removal waits (gateway offline) is named, and
    it leaves the lock when the gateway is back."""
    ends = dt_util.now() + timedelta(hours=1)
    created = await call(
        hass,
        "create_passcode",
        {"entity_id": "lock.front_door", "name": "Short stay", "ends_at": ends.isoformat()},
    )
    code = created["code"]
    cloud.world.set_gateway_online(HALLWAY_GATEWAY, False)
    await advance(hass, freezer, 2 * HOUR)
    assert pending(hass, "front_door") == "1"
    result = await call(hass, "cleanup_expired_passcodes", {"entity_id": "lock.front_door"})
    assert result["locks"]["lock.front_door"]["managed"] == ["Short stay"]
    cloud.world.set_gateway_online(HALLWAY_GATEWAY, True)
    await call(hass, "cleanup_expired_passcodes", {"entity_id": "lock.front_door"})
    assert pending(hass, "front_door") == "0"
    assert not opens(cloud, FRONT, code)


async def test_unmanaged_needs_an_account(hass: HomeAssistant, shed: object) -> None:
    """A Bluetooth-only lock has no cloud list to look in: a clear refusal."""
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "cleanup_expired_passcodes",
            {"entity_id": "lock.shed", "include_unmanaged": True},
        )
    assert err.value.translation_key == "needs_account"
