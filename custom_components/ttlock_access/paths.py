"""The one path chooser: every operation on a lock takes the best path there is.

Bluetooth when Home Assistant hears the lock and holds its keys, else the gateway (or the
lock's own Wi-Fi) through the TTLock cloud. A Bluetooth failure that left the lock untouched
(out of range, no connection slot, refused) falls back to the next path; lock commands and
the access queue both go through :func:`run_on_lock` (docs/architecture.md rule 3).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .errors import translated
from .models import LockRuntime, Path
from .sdk.ble import TTLockBleError
from .sdk.cloud.errors import TTLockError

if TYPE_CHECKING:
    from .ble import LockBluetooth

_LOGGER = logging.getLogger(__name__)


class NoPathError(Exception):
    """No path reaches the lock right now (out of Bluetooth range, no gateway)."""


class PathError(Exception):
    """An operation failed on ``path`` (a :class:`Path`, or ``"cloud"`` for a change only
    the cloud makes); ``error`` is the SDK's error."""

    def __init__(self, path: str, error: Exception) -> None:
        super().__init__(str(error))
        self.path = path
        self.error = error


def paths_to(ble: LockBluetooth, rt: LockRuntime) -> list[Path]:
    """Paths to a lock, best first: Bluetooth in range, then gateway or Wi-Fi."""
    paths: list[Path] = []
    if ble.in_range(rt):
        paths.append(Path.BLUETOOTH)
    if rt.lock.is_wifi:
        paths.append(Path.WIFI)
    elif rt.lock.has_gateway:
        paths.append(Path.GATEWAY)
    return paths


def _always(_err: TTLockBleError) -> bool:
    return True


async def run_on_lock[T](
    paths: list[Path],
    *,
    bluetooth: Callable[[bool], Awaitable[T]] | None = None,
    remote: Callable[[Path], Awaitable[T]] | None = None,
    fall_back: Callable[[TTLockBleError], bool] = _always,
) -> tuple[T, Path]:
    """Run an operation over the first path that works, in the order of ``paths``.

    ``bluetooth(fallback)`` runs it over Bluetooth (``fallback``: another path follows, so
    give up on the link sooner); ``remote(path)`` through the cloud. A path without its
    callable is skipped. A Bluetooth error for which ``fall_back`` says yes moves on to the
    next path; any other error, or one on the last path, raises :class:`PathError`.
    """
    usable = [
        path for path in paths if (bluetooth if path is Path.BLUETOOTH else remote) is not None
    ]
    if not usable:
        raise NoPathError
    for index, path in enumerate(usable):
        last = index == len(usable) - 1
        try:
            if path is Path.BLUETOOTH:
                assert bluetooth is not None
                return await bluetooth(not last), path
            assert remote is not None
            return await remote(path), path
        except TTLockBleError as err:
            if last or not fall_back(err):
                raise PathError(path, err) from err
            _LOGGER.debug("Bluetooth failed (%s); trying %s", type(err).__name__, usable[-1])
        except (TTLockError, ValueError) as err:  # ValueError: the SDK refused to send
            raise PathError(path, err) from err
    raise AssertionError("unreachable")  # pragma: no cover


async def run_explained[T](
    hass: HomeAssistant,
    entry: ConfigEntry[Any] | None,
    name: str,
    paths: list[Path],
    *,
    bluetooth: Callable[[bool], Awaitable[T]] | None = None,
    remote: Callable[[Path], Awaitable[T]] | None = None,
    explain: Callable[[Exception], Exception | None] | None = None,
) -> tuple[T, Path]:
    """:func:`run_on_lock` for a command a user gave: no path is the translated ``no_path``
    error; an SDK error its translation (a refused sign-in starts re-authentication);
    ``explain`` may first turn an error into a more specific one (docs/architecture.md
    rule 7)."""
    try:
        return await run_on_lock(paths, bluetooth=bluetooth, remote=remote)
    except NoPathError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="no_path",
            translation_placeholders={"name": name},
        ) from err
    except PathError as failure:
        error = failure.error
        if explain is not None and (specific := explain(error)) is not None:
            raise specific from error
        if isinstance(error, (TTLockError, TTLockBleError)):
            with translated(hass, entry, name):
                raise error from None
        raise
