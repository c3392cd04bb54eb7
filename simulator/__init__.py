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

Modules: :mod:`simulator.world` (state, fault knobs), :mod:`simulator.cloud` (aiohttp
app, ``/sim/`` controls), :mod:`simulator.lockdata` (key material and ``lockData``),
:mod:`simulator.scenarios` (scenario files and the scale generator). The specification is
``/work/shared/research/ttlock-cloud-and-peers.md`` §1–§3 and
``ttlock-ble-protocol.md`` §4.
"""

from __future__ import annotations

from .clock import Clock
from .cloud import CloudServer, api, create_app
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
