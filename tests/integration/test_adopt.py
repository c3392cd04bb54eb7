"""Adopting credentials made elsewhere (the TTLock app): listed as unmanaged, taken over
without touching the lock, then revoked with their holder like any other credential."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.sdk.cloud import TTLockCloud, md5_password
from custom_components.ttlock_access.sdk.model import PasscodeType
from tests.integration.helpers import CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME, Cloud, call
from tests.integration.test_access import FRONT, opens

APP_CODE = "13579"
APP_CARD = "3141592653"


@asynccontextmanager
async def ttlock_app(cloud: Cloud) -> AsyncIterator[TTLockCloud]:
    """The landlord's TTLock app: the same account, its own session with the cloud."""
    async with aiohttp.ClientSession() as session:
        app = TTLockCloud(
            session,
            base_url=cloud.base_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            clock=lambda: cloud.world.now_ms() / 1000,
        )
        await app.login(USERNAME, md5_password(PASSWORD))
        yield app


async def _made_in_the_app(cloud: Cloud, *, end_ms: int | None = None) -> tuple[int, int]:
    """A cleaner's code and fob added through the gateway from the TTLock app."""
    async with ttlock_app(cloud) as app:
        now_ms = cloud.world.now_ms()
        passcode_id = await app.add_passcode(
            FRONT,
            APP_CODE,
            name="Cleaner (app)",
            start_ms=now_ms if end_ms else None,
            end_ms=end_ms,
        )
        card_id = await app.add_card(FRONT, APP_CARD, name="Cleaner's fob")
    return passcode_id, card_id


async def _unmanaged(hass: HomeAssistant) -> list[dict]:
    listed = await call(
        hass, "list_credentials", {"entity_id": "lock.front_door", "include_unmanaged": True}
    )
    return list(listed["locks"]["lock.front_door"]["unmanaged"])


async def test_adopt_then_remove_staff(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A cleaner's app code and fob become the cleaner's; removing the cleaner (staff)
    takes both off the lock."""
    passcode_id, card_id = await _made_in_the_app(cloud)
    assert opens(cloud, FRONT, APP_CODE)
    unmanaged = await _unmanaged(hass)
    assert {(u["kind"], u["ttlock_id"]) for u in unmanaged} == {
        ("passcode", passcode_id),
        ("card", card_id),
    }
    assert all("secret" not in u for u in unmanaged)

    code = await call(
        hass,
        "adopt_credential",
        {
            "entity_id": "lock.front_door",
            "kind": "passcode",
            "ttlock_id": passcode_id,
            "holder": "Maria",
            "holder_kind": "staff",
        },
    )
    assert (code["kind"], code["name"], code["origin"], code["status"]) == (
        "passcode",
        "Cleaner (app)",
        "adopted",
        "active",
    )
    assert "secret" not in code and APP_CODE not in str(code)
    card = await call(
        hass,
        "adopt_credential",
        {"entity_id": "lock.front_door", "kind": "card", "ttlock_id": card_id, "holder": "Maria"},
    )
    assert (card["kind"], card["status"]) == ("card", "active")
    assert await _unmanaged(hass) == []
    assert opens(cloud, FRONT, APP_CODE)  # adopting changes nothing on the lock

    listed = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    mine = [c for c in listed["locks"]["lock.front_door"]["credentials"] if c["holder"] == "Maria"]
    assert sorted(c["kind"] for c in mine) == ["card", "passcode"]

    await call(hass, "remove_staff", {"names": ["Maria"]})
    lock = cloud.world.lock(FRONT)
    assert passcode_id not in lock.passcodes and card_id not in lock.cards
    assert not opens(cloud, FRONT, APP_CODE)
    assert not cloud.world.present_card(FRONT, APP_CARD).success


async def test_adopt_keeps_validity_and_renames(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """An app code with an end keeps its window; a name given here replaces the app's."""
    passcode_id, _card = await _made_in_the_app(cloud, end_ms=cloud.world.now_ms() + 86_400_000)
    adopted = await call(
        hass,
        "adopt_credential",
        {
            "entity_id": "lock.front_door",
            "kind": "passcode",
            "ttlock_id": passcode_id,
            "name": "Dog sitter",
        },
    )
    assert adopted["name"] == "Dog sitter"
    assert adopted["type"] == "custom_period"
    assert adopted["ends_at"] is not None and adopted["holder_id"] is None
    await call(hass, "revoke_passcode", {"credential_id": adopted["credential_id"]})
    assert passcode_id not in cloud.world.lock(FRONT).passcodes
    assert not opens(cloud, FRONT, APP_CODE)


async def test_adopt_refusals(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """Unknown ids, a credential adopted twice and several locks are clear errors."""
    passcode_id, _card = await _made_in_the_app(cloud)
    base = {"entity_id": "lock.front_door", "kind": "passcode", "ttlock_id": passcode_id}
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "adopt_credential", {**base, "ttlock_id": 4242})
    assert err.value.translation_key == "credential_not_found"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "adopt_credential", {**base, "kind": "fingerprint"})
    assert err.value.translation_key == "credential_not_found"
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "adopt_credential", {**base, "entity_id": ["lock.front_door", "lock.garage"]}
        )
    assert err.value.translation_key == "adopt_one_lock"
    await call(hass, "adopt_credential", base)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "adopt_credential", base)
    assert err.value.translation_key == "already_managed"
    assert err.value.translation_placeholders == {"name": "Cleaner (app)"}


async def test_adopt_offline_code_and_fingerprint(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """An offline code the app generated and a fingerprint enrolled with the app are
    adopted too: the offline code keeps its type, and both go with their holder."""
    async with ttlock_app(cloud) as app:
        now_ms = cloud.world.now_ms()
        offline = await app.get_offline_passcode(
            FRONT, PasscodeType.PERIOD, start_ms=now_ms, end_ms=now_ms + 7 * 86_400_000
        )
        fingerprint_id = await app.add_fingerprint(FRONT, "4096", name="Maria's thumb")
    base = {"entity_id": "lock.front_door", "holder": "Maria", "holder_kind": "tenant"}
    code = await call(
        hass, "adopt_credential", {**base, "kind": "passcode", "ttlock_id": offline.passcode_id}
    )
    assert (code["kind"], code["type"]) == ("offline_passcode", "period")
    finger = await call(
        hass, "adopt_credential", {**base, "kind": "fingerprint", "ttlock_id": fingerprint_id}
    )
    assert (finger["kind"], finger["name"]) == ("fingerprint", "Maria's thumb")
    listed = await call(
        hass, "list_credentials", {"entity_id": "lock.front_door", "include_secrets": True}
    )
    adopted = {c["kind"]: c for c in listed["locks"]["lock.front_door"]["credentials"]}
    assert adopted["offline_passcode"]["secret"] == offline.keyboard_pwd
    await call(hass, "revoke_holder", {"holder": "Maria"})
    lock = cloud.world.lock(FRONT)
    assert offline.passcode_id not in lock.passcodes
    assert fingerprint_id not in lock.fingerprints


async def test_adopt_face_and_ekey(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry
) -> None:
    """A face added and an eKey sent from the app are listed as unmanaged and adopted;
    revoking the holder removes the face from the lock and deletes the eKey."""
    lock = cloud.world.lock(FRONT)
    lock.features = lock.features | {53}  # this Front Door has a face reader
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    async with ttlock_app(cloud) as app:
        face_id = await app.add_face(FRONT, feature_data="AAECAwQ=", name="Tenant face")
        key_id = await app.send_ekey(FRONT, "second@example.com", name="Tenant phone")
    unmanaged = await _unmanaged(hass)
    assert {(u["kind"], u["ttlock_id"]) for u in unmanaged} == {
        ("face", face_id),
        ("ekey", key_id),
    }
    assert next(u for u in unmanaged if u["kind"] == "ekey")["receiver"] == "second@example.com"
    base = {"entity_id": "lock.front_door", "holder": "Lena", "holder_kind": "tenant"}
    face = await call(hass, "adopt_credential", {**base, "kind": "face", "ttlock_id": face_id})
    key = await call(hass, "adopt_credential", {**base, "kind": "ekey", "ttlock_id": key_id})
    assert (face["kind"], key["kind"], key["name"]) == ("face", "ekey", "Tenant phone")
    assert await _unmanaged(hass) == []
    await call(hass, "revoke_holder", {"holder": "Lena"})
    assert face_id not in lock.faces
    assert key_id not in lock.ekeys


@pytest.mark.parametrize(
    ("kind", "endpoint"),
    [("passcode", "lock/listKeyboardPwd"), ("card", "identityCard/list")],
)
async def test_cloud_failure_while_adopting(
    hass: HomeAssistant, cloud: Cloud, setup_entry: MockConfigEntry, kind: str, endpoint: str
) -> None:
    """The cloud failing while the credential is looked up is a clear error, and nothing
    is adopted."""
    cloud.world.faults.fail_next(endpoint, -3002)
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass, "adopt_credential", {"entity_id": "lock.front_door", "kind": kind, "ttlock_id": 1}
        )
    assert err.value.translation_key == "gateway_offline"
    cloud.world.faults.fail_next("lock/listKey", -3002)
    with pytest.raises(HomeAssistantError):
        await _unmanaged(hass)
    listed = await call(hass, "list_credentials", {"entity_id": "lock.front_door"})
    assert listed["locks"]["lock.front_door"]["credentials"] == []
