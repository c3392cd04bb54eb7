"""Helpers of the activity tests: the TTLock webhook wired to the simulator's pusher."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.components import webhook
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ttlock_access.const import EVENT_ACTIVITY
from simulator.webhook import WebhookPusher, pusher_for
from tests.integration.helpers import CLIENT_ID, Cloud

FRONT_DOOR = 5001101
GARAGE = 5001102
BACK_DOOR = 5001103
OFFICE_DOOR = 5002201  # the second account's lock
HALLWAY_GATEWAY = 301001
FRONT_MAC = "E4:7A:2C:91:5B:D3"

type ClientFactory = Callable[[], Awaitable[TestClient]]


@dataclass
class Push:
    """Home Assistant's webhook as the simulated TTLock cloud's callback URL."""

    hass: HomeAssistant
    client: TestClient
    path: str
    pusher: WebhookPusher

    async def settle(self) -> None:
        """Every queued callback answered and handled."""
        await self.pusher.drain()
        await self.hass.async_block_till_done()

    async def post(self, data: Any = None, **kwargs: Any) -> tuple[int, str]:
        """POST a hand-made body to the webhook."""
        response = await self.client.post(self.path, data=data, **kwargs)
        text = await response.text()
        await self.hass.async_block_till_done()
        return response.status, text


async def enable_push(
    hass: HomeAssistant, cloud: Cloud, entry: MockConfigEntry, client_factory: ClientFactory
) -> Push:
    """Point the developer app's callback URL at the entry's webhook."""
    client = await client_factory()
    path = webhook.async_generate_path(entry.data["webhook_id"])
    cloud.world.apps[CLIENT_ID].callback_url = str(client.make_url(path))
    return Push(hass, client, path, pusher_for(cloud.world))


def capture(hass: HomeAssistant, event_type: str = EVENT_ACTIVITY) -> list[dict[str, Any]]:
    """Data of every bus event of ``event_type`` from now on."""
    seen: list[dict[str, Any]] = []

    @callback
    def _listener(event: Event) -> None:
        seen.append(dict(event.data))

    hass.bus.async_listen(event_type, _listener)
    return seen


def records_form(
    lock_id: int, records: list[dict[str, Any]], *, mac: str = FRONT_MAC
) -> dict[str, str]:
    """A notifyType 1 callback as TTLock sends it: form fields, ``records`` a JSON string."""
    return {
        "notifyType": "1",
        "lockId": str(lock_id),
        "lockMac": mac,
        "admin": "demo@example.com",
        "records": json.dumps(records),
    }


def record(
    record_type: int,
    *,
    lock_date: int,
    success: int = 1,
    username: str = "",
    keyboard_pwd: str = "",
    from_lock: int | None = None,
    battery: int = 86,
) -> dict[str, Any]:
    """One record of a callback, shaped like TTLock's (no recordId)."""
    item: dict[str, Any] = {
        "recordType": record_type,
        "success": success,
        "username": username,
        "keyboardPwd": keyboard_pwd,
        "lockDate": lock_date,
        "serverDate": lock_date + 800,
        "electricQuantity": battery,
    }
    if from_lock is not None:
        item["recordTypeFromLock"] = from_lock
    return item
