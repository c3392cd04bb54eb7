"""Run the simulated TTLock cloud: ``python -m simulator --scenario home --port 8765``.

Prints the base URL and the demo credentials, then serves until interrupted. The cloud
endpoints and the ``/sim/`` control endpoints are documented in :mod:`simulator.cloud`
(:mod:`simulator.cloud.controls`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from .cloud.server import CloudServer
from .scenarios import list_scenarios, load_scenario

DEFAULT_LATENCY_S = 0.3


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--scenario", default="home", help=f"one of {list_scenarios()} or a path")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--region", default="eu", choices=("eu", "cn"))
    parser.add_argument(
        "--gateway-latency",
        type=float,
        default=DEFAULT_LATENCY_S,
        help="seconds a gateway-relayed command takes (default %(default)s)",
    )
    parser.add_argument("--no-controls", action="store_true", help="disable /sim/ endpoints")
    return parser.parse_args(argv)


def _credentials_text(server: CloudServer) -> str:
    world = server.world
    lines = [f"TTLock cloud simulator ({server.region}) at {server.base_url}"]
    apps = [app for app in world.apps.values() if app.region == server.region]
    for app in apps:
        lines.append(f"  clientId={app.client_id} clientSecret={app.client_secret}")
    passwords = world.scenario_passwords
    for account in world.accounts.values():
        if account.region != server.region:
            continue
        password = passwords.get(account.username, "(see scenario file)")
        lines.append(f"  account {account.username} / {password} (uid {account.uid})")
    lines.append(
        f"  {len(world.locks)} locks, {len(world.gateways)} gateways; controls under /sim/"
    )
    return "\n".join(lines)


async def _serve(args: argparse.Namespace) -> None:
    world = load_scenario(args.scenario, gateway_latency_s=args.gateway_latency)
    server = CloudServer(world, region=args.region, controls=not args.no_controls)
    await server.start(host=args.host, port=args.port)
    print(_credentials_text(server), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
