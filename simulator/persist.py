"""Keep a simulated world between runs: save it to a file and load it again.

``scripts/develop`` runs Home Assistant with the simulated world inside it (the
``ttlock_sim`` develop hook). Home Assistant keeps its config entries, and with them the
tokens, lock ids and access model it got from that world; a world rebuilt from its scenario
at every start would not know them any more. The hook therefore saves the world into the
configuration directory (periodically and on stop) and loads it at the next start.

What is saved is the whole :class:`~simulator.world.World`: accounts, developer apps and
their callback URL, tokens, API counters, locks with their key material, settings, passcodes,
cards, fingerprints, eKeys and lock-side memory, gateways, links, records, meters,
standalone door sensors (open or closed, their alert settings and armed alarm), notices not
yet due (offline notices, Wi-Fi lock refusals), forced faults, and the clock (a frozen
moment, or the offset from real time: a running clock carries on from where real time is
now). Not saved: listeners (the cloud server, webhook pusher and Bluetooth twins attach again
when the world is served again) and gateway commands in flight. A world saved before door
sensors and refusals were simulated loads with none.

Locks that only exist on the Bluetooth side (the factory-fresh lock of the pairing demo,
once paired) are not world locks; :func:`local_lock_state` / :func:`restore_local_lock`
carry what such a lock holds (its keys, tables, settings and log) in the same file.

The file is a pickle (development only, never shipped). Loading accepts only the
simulator's own classes and a few plain built-in types, so a file from elsewhere cannot run
code; one that does not load (another format, a world of another scenario, simulator classes
changed incompatibly) raises :class:`WorldFileError` and the caller starts afresh.
"""

from __future__ import annotations

import copyreg
import io
import os
import pickle
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from .clock import Clock
from .lockside import LockMemory
from .world import World

__all__ = [
    "FORMAT",
    "WorldFileError",
    "dump_world",
    "load_world",
    "local_lock_state",
    "read_world_file",
    "restore_local_lock",
    "write_world_file",
]

FORMAT = 1
"""Bump when a saved world can no longer be loaded by the current simulator."""

#: What a Bluetooth-only lock keeps (the ``persistent lock state`` of
#: :class:`~simulator.ble.core.LockCore`).
LOCAL_LOCK_FIELDS = (
    "aes_key",
    "admin_ps",
    "unlock_key",
    "admin_code",
    "lock_flag_pos",
    "setting_mode",
    "battery",
    "locked",
    "unlocked_at",
    "auto_lock_seconds",
    "sound_on",
    "volume",
    "remote_unlock",
    "switch_value",
    "door_sensor_auto_lock",
    "passcodes",
    "cards",
    "fingerprints",
    "passage_windows",
    "hotel_data",
    "lift_floors",
    "lift_work_mode",
    "lift_activations",
    "password_table",
    "log",
    "log_read_pointer",
    "_clock_offset",
)

_BUILTINS = frozenset({"set", "frozenset", "bytearray", "complex", "range", "slice"})
_ALLOWED = {
    "builtins": _BUILTINS,
    "collections": frozenset({"deque", "OrderedDict", "defaultdict"}),
    "datetime": frozenset({"datetime", "date", "time", "timedelta", "timezone"}),
}


class WorldFileError(Exception):
    """The saved world cannot be used (format, scenario, or its contents)."""


_NEWOBJ: Any = copyreg.__newobj__  # type: ignore[attr-defined]  # (not in typeshed)
"""``cls.__new__(cls)`` then the state: pickle's NEWOBJ, as objects pickle by default."""


class _WorldPickler(pickle.Pickler):
    """Pickles a world without what belongs to one run (listeners, Bluetooth twins)."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, World):
            state = dict(vars(obj))
            state["_record_listeners"] = []
            state["_notice_listeners"] = []
            state["_busy"] = set()
            return _NEWOBJ, (type(obj),), state
        if isinstance(obj, Clock):
            return _NEWOBJ, (type(obj),), {**vars(obj), "_listeners": []}
        if isinstance(obj, LockMemory):
            return _NEWOBJ, (type(obj),), {**vars(obj), "twin": None}
        if isinstance(obj, Enum):
            # by value: the default goes through builtins.getattr, which loading refuses
            return type(obj), (obj.value,)
        return NotImplemented


class _WorldUnpickler(pickle.Unpickler):
    """Builds only the simulator's classes and plain built-in types."""

    def find_class(self, module: str, name: str) -> Any:
        if "." not in name:
            if name in _ALLOWED.get(module, ()):
                return super().find_class(module, name)
            if module == "simulator" or module.startswith("simulator."):
                found = super().find_class(module, name)
                if isinstance(found, type) and found.__module__.startswith("simulator"):
                    return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a saved world")


def dump_world(world: World, *, label: str, extras: Mapping[str, Any] | None = None) -> bytes:
    """``world`` (and ``extras``, e.g. :func:`local_lock_state` of Bluetooth-only locks) as
    bytes; ``label`` names what it was built from (the scenario), checked on load."""
    buffer = io.BytesIO()
    payload = {"format": FORMAT, "label": label, "world": world, "extras": dict(extras or {})}
    _WorldPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(payload)
    return buffer.getvalue()


def load_world(data: bytes, *, label: str) -> tuple[World, dict[str, Any]]:
    """The world and extras :func:`dump_world` saved; :class:`WorldFileError` when they
    cannot be used (another format or label, or contents this simulator cannot build)."""
    try:
        payload = _WorldUnpickler(io.BytesIO(data)).load()
    except Exception as err:  # any broken or foreign file: start afresh
        raise WorldFileError(f"unreadable ({type(err).__name__}: {err})") from err
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise WorldFileError("saved by another version of the simulator")
    if payload.get("label") != label:
        raise WorldFileError(f"a world of {payload.get('label')!r}, not {label!r}")
    world = payload.get("world")
    if not isinstance(world, World):
        raise WorldFileError("no world inside")
    # what the constructor wires up: due connectivity notices go out when the clock jumps
    world.clock.on_change(world.send_due_notices)
    return world, dict(payload.get("extras") or {})


def write_world_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a crash leaves the previous file whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def read_world_file(path: Path) -> bytes | None:
    """The saved bytes, or None when nothing was saved yet."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def local_lock_state(lock: Any) -> dict[str, Any]:
    """What a Bluetooth-only :class:`~simulator.ble.SimulatedLock` holds, to save."""
    return {name: getattr(lock, name) for name in LOCAL_LOCK_FIELDS if hasattr(lock, name)}


def restore_local_lock(lock: Any, state: Mapping[str, Any]) -> None:
    """Put what :func:`local_lock_state` saved back into a freshly built lock."""
    for name in LOCAL_LOCK_FIELDS:
        if name in state:
            setattr(lock, name, state[name])
