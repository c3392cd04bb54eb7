"""The whole-suite secret scan: every integration test that runs the simulated world is
checked, when it ends, for the world's secrets in what Home Assistant shows or records.

Secrets: every lock's keys and lockData, every passcode, card number and offline code the
simulated locks and cloud hold, every account password and token, every developer-app
secret. Looked for in: every log record (the integration's at DEBUG), every state and
attribute, the diagnostics of every loaded entry, every bus event except ``call_service``
(Home Assistant's own record of an admin's input, e.g. a code the admin typed: README,
"Secrets at rest"), and every repair issue's text. A code is matched as a whole number,
not inside a longer run of digits (a timestamp may contain any six digits).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Coroutine
from typing import Any

from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir

from simulator import World
from simulator.lockside import lock_memory

MIN_CODE = 4
"""Shorter digit strings are not secrets (nothing shorter opens a TTLock door)."""
MAX_LOCKS = 50
"""Worlds larger than this (the 1,000-lock scale scenario) are not scanned (cost)."""


def world_secrets(world: World) -> set[str]:
    """Everything secret in the simulated world right now."""
    found: set[str] = set(world.scenario_passwords.values())
    for account in world.accounts.values():
        found.add(account.password_md5)
    for app in world.apps.values():
        found.add(app.client_secret)
    for token in world.tokens.values():
        found |= {token.access_token, token.refresh_token}
    for lock in world.locks.values():
        if lock.lock_data:
            found.add(lock.lock_data)
        keys = lock.keys
        found |= {
            keys.aes_key_str,
            keys.admin_pwd,
            keys.lock_key,
            keys.admin_ps,
            keys.unlock_key,
            keys.no_key_pwd,
        }
        for passcode in lock.passcodes.values():
            found.add(str(passcode.code))
        for card in lock.cards.values():
            found.add(str(card.number))
        memory = lock_memory(lock)  # what the lock itself holds (written over Bluetooth too)
        found |= {str(code) for code in memory.passcodes}
        found |= {str(number) for number in memory.cards}
    return {s for s in found if s and len(str(s)) >= MIN_CODE}


def completed[T](coro: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never waits (the diagnostics builder), run without an
    event loop: the scan runs in a synchronous fixture's teardown."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise AssertionError("the coroutine waited for something")


def _pattern(secret: str) -> re.Pattern[str]:
    if secret.isdigit():
        return re.compile(rf"(?<![0-9]){re.escape(secret)}(?![0-9])")
    return re.compile(re.escape(secret))


def leaks(
    hass: HomeAssistant,
    world: World,
    records: list[logging.LogRecord],
    events: list[Event[Any]],
    diagnostics: list[Any] | None = None,
) -> list[str]:
    """Where secrets of ``world`` show (empty: nowhere)."""
    if len(world.locks) > MAX_LOCKS:
        return []
    corpora = {
        "logs": "\n".join(
            f"{r.name} {r.getMessage()} {r.exc_text or ''}"
            for r in records
            if r.name.startswith("custom_components") or r.levelno >= logging.INFO
        ),
        "states": json.dumps([s.as_dict() for s in hass.states.async_all()], default=str),
        "events": json.dumps(
            [
                {"t": e.event_type, "d": e.data}
                for e in events
                if e.event_type != EVENT_CALL_SERVICE
            ],
            default=str,
        ),
        "diagnostics": json.dumps(diagnostics or [], default=str),
        "repair issues": json.dumps(
            [
                {"key": i.translation_key, "placeholders": i.translation_placeholders}
                for i in ir.async_get(hass).issues.values()
            ],
            default=str,
        ),
    }
    found: list[str] = []
    for secret in world_secrets(world):
        pattern = _pattern(secret)
        for where, text in corpora.items():
            if secret in text and pattern.search(text):
                found.append(f"{secret[:3]}… in {where}")
    return found
