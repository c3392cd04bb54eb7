"""TTLock simulator inside Home Assistant (development only; never shipped by HACS).

Linked into the development config as ``config/custom_components/ttlock_sim`` by
``scripts/develop``, and configured in YAML::

    ttlock_sim:
      scenario: home          # or a path to a scenario JSON file
      port: 8765              # the simulated TTLock cloud, on 127.0.0.1

At startup it runs, in Home Assistant's own event loop:

* the simulated TTLock cloud (:class:`simulator.CloudServer`) on ``host:port``, and
* a virtual Bluetooth proxy (:class:`simulator.ble.scanner.VirtualProxyScanner`) whose air
  holds :class:`simulator.ble.SimulatedLock` peripherals built from the *same* world — by
  default "Front Door", "Back Door" (Bluetooth only) and "Building Lift" — plus one
  factory-fresh lock in pairing mode for the local-pairing demo and one unconfigured G2
  gateway in set-up mode (:class:`simulator.ble.gateway.SimulatedGateway`; configured over
  Bluetooth it joins the world for that account, hears the account's locks on the air and
  appears in ``gateway/list``). It re-advertises every ``advertise_interval`` seconds
  (auto-lock and cloud-side changes are applied then).

A BLE unlock through the proxy changes the cloud's lock state and appears in
``lockRecord/list``; a gateway unlock through the cloud moves the simulated bolt. Everything
stops on ``EVENT_HOMEASSISTANT_STOP``. Recipe: ``docs/virtual-ble-proxy.md``.

The world outlives a restart, as Home Assistant's own storage does (its config entry holds
the world's tokens, lock ids and the codes it created): it is saved into the configuration
directory as ``state_file`` every ``save_interval`` seconds and on stop, and loaded from
there at the next start (:mod:`simulator.persist`) — together with the factory-fresh lock
once it is paired. Delete the file (with Home Assistant stopped) to start the scenario
afresh; ``state_file: ""`` turns saving off. A file that cannot be loaded (another scenario,
an incompatible simulator) is set aside as ``<state_file>.unusable`` and the scenario starts
afresh.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import voluptuous as vol
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import ConfigType

_LOGGER = logging.getLogger(__name__)

DOMAIN = "ttlock_sim"
DEFAULT_LOCKS = ["Front Door", "Back Door", "Building Lift"]
DEFAULT_FRESH_MAC = "C4:7E:51:00:5E:01"
DEFAULT_GATEWAY_MAC = "54:8E:29:5E:70:01"
DEFAULT_PROXY_SOURCE = "02:00:00:54:54:01"
DEFAULT_STATE_FILE = "ttlock_sim_world.pickle"

CONFIG_SCHEMA = vol.Schema(
    {
        DOMAIN: vol.Schema(
            {
                vol.Optional("scenario", default="home"): cv.string,
                vol.Optional("host", default="127.0.0.1"): cv.string,
                vol.Optional("port", default=8765): vol.All(vol.Coerce(int), vol.Range(0, 65535)),
                vol.Optional("gateway_latency", default=0.3): vol.Coerce(float),
                vol.Optional("locks", default=DEFAULT_LOCKS): vol.All(cv.ensure_list, [cv.string]),
                vol.Optional("fresh_lock", default=True): cv.boolean,
                vol.Optional("fresh_lock_mac", default=DEFAULT_FRESH_MAC): cv.string,
                vol.Optional("setup_gateway", default=True): cv.boolean,
                vol.Optional("setup_gateway_mac", default=DEFAULT_GATEWAY_MAC): cv.string,
                vol.Optional("proxy_source", default=DEFAULT_PROXY_SOURCE): cv.string,
                vol.Optional("slots", default=3): vol.All(vol.Coerce(int), vol.Range(0, 10)),
                vol.Optional("advertise_interval", default=10.0): vol.All(
                    vol.Coerce(float), vol.Range(min=1, max=30)
                ),
                # the world is kept here (relative to the config directory); "" = not kept
                vol.Optional("state_file", default=DEFAULT_STATE_FILE): cv.string,
                vol.Optional("save_interval", default=60.0): vol.All(
                    vol.Coerce(float), vol.Range(min=1, max=3600)
                ),
            }
        )
    },
    extra=vol.ALLOW_EXTRA,
)


@dataclass
class SimRuntime:
    """What the dev hook runs (``hass.data[DOMAIN]``)."""

    world: Any
    server: Any
    air: Any
    scanner: Any
    remove_proxy: Any
    locks: list[Any] = field(default_factory=list)
    gateways: list[Any] = field(default_factory=list)
    stopped: bool = False
    save: Callable[[], Awaitable[None]] | None = None
    """Save the world into the configuration directory (None: not kept)."""
    cancel_saves: Callable[[], None] | None = None

    async def async_stop(self) -> None:
        """Save the world, unregister the proxy (timers included), detach the locks, stop
        the cloud."""
        if self.stopped:
            return
        self.stopped = True
        if self.cancel_saves is not None:
            self.cancel_saves()
        if self.save is not None:
            await self.save()
        self.remove_proxy()
        for lock in self.locks:
            if lock.world_link is not None:
                lock.world_link.detach()
        await self.server.stop()
        _LOGGER.info("TTLock simulator stopped")


def _ensure_simulator_importable() -> None:
    """Make the repository's ``simulator`` package importable (this folder is a symlink)."""
    if importlib.util.find_spec("simulator") is not None:
        return
    root = Path(__file__).resolve().parents[3]  # simulator/ha_dev/ttlock_sim → repository
    if (root / "simulator" / "__init__.py").is_file():
        sys.path.insert(0, str(root))


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start the simulated cloud and the virtual Bluetooth proxy."""
    conf = config.get(DOMAIN)
    if conf is None:
        return True
    _ensure_simulator_importable()
    from simulator import CloudServer, load_scenario
    from simulator.ble import SimulatedLock, VirtualAir
    from simulator.ble.gateway import SimulatedGateway
    from simulator.ble.ha import async_register_virtual_proxy
    from simulator.ble.world_link import lock_from_world
    from simulator.persist import restore_local_lock

    state_file = Path(hass.config.path(conf["state_file"])) if conf["state_file"] else None
    world, extras = await _async_load_world(hass, state_file, conf["scenario"])
    if world is None:
        world = await hass.async_add_executor_job(
            lambda: load_scenario(conf["scenario"], gateway_latency_s=conf["gateway_latency"])
        )
    else:
        world.gateway_latency_s = conf["gateway_latency"]
    world.meter_time_zone = hass.config.time_zone  # the meters' usage records count its days
    server = CloudServer(world)
    try:
        base_url = await server.start(conf["host"], conf["port"])
    except OSError as err:
        _LOGGER.error("Cannot start the simulated TTLock cloud on port %s: %s", conf["port"], err)
        return False
    _LOGGER.info("Simulated TTLock cloud (scenario %s) listening on %s", conf["scenario"], base_url)

    air = VirtualAir()
    locks: list[Any] = []
    by_alias = {lock.lock_alias: lock.lock_id for lock in world.locks.values()}
    for alias in conf["locks"]:
        lock_id = by_alias.get(alias)
        if lock_id is None:
            _LOGGER.warning("Scenario %s has no lock %r", conf["scenario"], alias)
            continue
        locks.append(air.add(lock_from_world(world, lock_id)))
    if conf["fresh_lock"]:
        fresh = SimulatedLock.factory_fresh(conf["fresh_lock_mac"], seed=f"{world.seed}|fresh")
        saved = extras.get("local_locks", {}).get(fresh.address)
        if saved is not None:  # paired in an earlier run: it keeps the keys HA holds
            restore_local_lock(fresh, saved)
        locks.append(air.add(fresh))
    gateways: list[Any] = []
    setup_mac = conf["setup_gateway_mac"].upper()
    if any(gw.gateway_mac.upper() == setup_mac for gw in world.gateways.values()):
        # set up in an earlier run: a world gateway now, no longer in set-up mode
        _LOGGER.info("Gateway %s was set up in an earlier run", setup_mac)
    elif conf["setup_gateway"]:
        nearby = [
            (lock.world_link.lock_id, lock.rssi) for lock in locks if lock.world_link is not None
        ]
        gateways.append(
            air.add(SimulatedGateway(conf["setup_gateway_mac"], world=world, nearby_locks=nearby))
        )

    scanner, remove = async_register_virtual_proxy(
        hass,
        air,
        source=conf["proxy_source"],
        slots=conf["slots"],
        advertise_interval=conf["advertise_interval"],
    )
    runtime = SimRuntime(world, server, air, scanner, remove, locks, gateways)
    if state_file is not None:
        runtime.save = _saver(hass, runtime, state_file, conf["scenario"])

        async def _periodic_save(_now: Any) -> None:
            if runtime.save is not None and not runtime.stopped:
                await runtime.save()

        runtime.cancel_saves = async_track_time_interval(
            hass, _periodic_save, timedelta(seconds=conf["save_interval"])
        )
    hass.data[DOMAIN] = runtime
    _LOGGER.info(
        "Virtual proxy %s registered (connectable, %d slots), advertising %s",
        scanner.name,
        conf["slots"],
        ", ".join(
            [
                f"{lock.local_name} {lock.address}{' (pairing mode)' if lock.setting_mode else ''}"
                for lock in locks
            ]
            + [f"{gateway.local_name} {gateway.address} (gateway set-up)" for gateway in gateways]
        ),
    )

    async def _stop(_event: Event) -> None:
        await runtime.async_stop()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _stop)
    return True


async def _async_load_world(
    hass: HomeAssistant, state_file: Path | None, scenario: str
) -> tuple[Any, dict[str, Any]]:
    """The world saved by an earlier run, with its extras; (None, {}) when there is none
    (or it cannot be used: then it is set aside and the scenario starts afresh)."""
    from simulator.persist import WorldFileError, load_world, read_world_file

    if state_file is None:
        return None, {}
    data = await hass.async_add_executor_job(read_world_file, state_file)
    if data is None:
        return None, {}
    try:
        world, extras = load_world(data, label=scenario)
    except WorldFileError as err:
        aside = state_file.with_name(f"{state_file.name}.unusable")
        await hass.async_add_executor_job(state_file.replace, aside)
        _LOGGER.warning(
            "The saved simulated world %s cannot be used (%s); starting scenario %s afresh "
            "(the file is kept as %s)",
            state_file,
            err,
            scenario,
            aside.name,
        )
        return None, {}
    _LOGGER.info("Simulated world loaded from %s (scenario %s)", state_file, scenario)
    return world, extras


def _saver(
    hass: HomeAssistant, runtime: SimRuntime, state_file: Path, scenario: str
) -> Callable[[], Awaitable[None]]:
    """Save the world: pickled in the event loop (where it changes; a few milliseconds),
    written in the executor, one save at a time."""
    from simulator.persist import dump_world, local_lock_state, write_world_file

    lock = asyncio.Lock()

    async def _save() -> None:
        async with lock:
            local = {
                sim.address: local_lock_state(sim)
                for sim in runtime.locks
                if sim.world_link is None
            }
            data = dump_world(runtime.world, label=scenario, extras={"local_locks": local})
            try:
                await hass.async_add_executor_job(write_world_file, state_file, data)
            except OSError as err:
                _LOGGER.warning("Cannot save the simulated world to %s: %s", state_file, err)

    return _save
