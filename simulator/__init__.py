"""The simulated TTLock world: one state, a cloud API server and fault-injection controls.

Not shipped by HACS. ``scripts/develop`` runs Home Assistant against it and the
integration's tests drive it over real loopback HTTP. It is an independent peer of the
integration's SDK and imports nothing from ``custom_components``.

Quick use::

    from simulator import CloudServer, load_scenario

    world = load_scenario("home")
    async with CloudServer(world) as server:
        ...  # server.base_url, e.g. http://127.0.0.1:43117
        world.set_gateway_online(301001, False)
        world.faults.fail_next("lock/unlock", errcode=1, times=1)

or from a shell: ``python -m simulator --scenario home --port 8765``.

How it is laid out, from the bottom up:

* numbers and things — :mod:`simulator.codes`, :mod:`simulator.entities`,
  :mod:`simulator.clock`, :mod:`simulator.faults`, :mod:`simulator.lockdata` (key material
  and ``lockData``);
* credentials — :mod:`simulator.credentials` (the cloud's records) and
  :mod:`simulator.lockside` (what a lock holds; its keypad and readers, with the STAND-IN
  offline codes of :mod:`simulator.offline_codes`);
* the one state — :mod:`simulator.world` (:class:`World`: locks, gateways, routing,
  records, fault knobs) on :mod:`simulator.directory` (accounts, apps, tokens, API
  counters);
* what reads and changes the world — :mod:`simulator.cloud` (the aiohttp app, its
  endpoints and ``/sim/`` controls), :mod:`simulator.webhook` (callbacks to apps),
  :mod:`simulator.ble` (the locks' Bluetooth side), :mod:`simulator.scenarios` (scenario
  files and the scale generator).

The specification is ``docs/cloud.md`` §1–§3 and ``docs/ble.md`` §4.
"""

from __future__ import annotations

from .clock import Clock
from .cloud.registry import api
from .cloud.server import CloudServer, create_app
from .codes import CloudError
from .scenarios import list_scenarios, load_scenario
from .world import World

__all__ = [
    "Clock",
    "CloudError",
    "CloudServer",
    "World",
    "api",
    "create_app",
    "list_scenarios",
    "load_scenario",
]
