"""Write the Home Assistant configuration directory that scripts/develop runs.

One source for ``scripts/develop`` and the browser tests (tests/e2e): links the integration
and the simulator's develop hook into ``custom_components``, writes ``configuration.yaml``
on the first run (ports as given) and brings an older one up to date.

    python scripts/develop_config.py --config DIR --ha-port 8123 --sim-port 8765
    python scripts/develop_config.py --config DIR --strip-http   # after the first start
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CONFIGURATION = """\
homeassistant:
  name: TTLock Access demo
  time_zone: Europe/Berlin
  currency: EUR
  country: DE
  unit_system: metric
  internal_url: http://127.0.0.1:{ha_port}
  # the URL the (simulated, local) TTLock cloud calls back
  external_url: http://127.0.0.1:{ha_port}
frontend:
config:
# the pages a user looks at: history, logbook and the Energy dashboard (meters)
history:
logbook:
energy:
http:
  server_host: 127.0.0.1
  server_port: {ha_port}
logger:
  default: info
  logs:
    custom_components.ttlock_access: debug
    custom_components.ttlock_sim: info
    simulator: info
ttlock_sim:
  scenario: home
  port: {sim_port}
"""


def write_config(config: Path, ha_port: int, sim_port: int) -> None:
    """Create or update ``config`` for Home Assistant on ``ha_port`` with the simulated
    TTLock world (cloud API on 127.0.0.1:``sim_port``) inside it."""
    components = config / "custom_components"
    components.mkdir(parents=True, exist_ok=True)
    # The simulated TTLock world runs inside Home Assistant through a dev-only integration:
    # the cloud API on 127.0.0.1:sim_port and simulated Bluetooth locks behind a virtual proxy.
    for name, target in (
        ("ttlock_access", ROOT / "custom_components" / "ttlock_access"),
        ("ttlock_sim", ROOT / "simulator" / "ha_dev" / "ttlock_sim"),
    ):
        link = components / name
        if link.is_symlink() or link.exists():
            if link.is_symlink() and link.readlink() == target:
                continue
            link.unlink()
        link.symlink_to(target)
    path = config / "configuration.yaml"
    if not path.exists():
        path.write_text(CONFIGURATION.format(ha_port=ha_port, sim_port=sim_port))
        return
    # older config directories: add the callback address and the simulator hook once
    text = path.read_text()
    if not re.search(r"^  external_url:", text, flags=re.M):
        text = re.sub(
            r"^  internal_url: .*$",
            lambda m: f"{m.group(0)}\n  external_url: http://127.0.0.1:{ha_port}",
            text,
            count=1,
            flags=re.M,
        )
    for component in ("history", "logbook", "energy"):
        if not re.search(rf"^{component}:", text, flags=re.M):
            text += f"{component}:\n"
    if not re.search(r"^ttlock_sim:", text, flags=re.M):
        text += f"\nttlock_sim:\n  scenario: home\n  port: {sim_port}\n"
    path.write_text(text)


def strip_http(config: Path) -> None:
    """Home Assistant 2026.10 moved the HTTP settings from YAML to its storage (migrated on
    the first start and confirmed by develop_bootstrap.py); the YAML block would only raise a
    "still present" repair from then on."""
    path = config / "configuration.yaml"
    text = path.read_text()
    stripped = re.sub(r"^http:\n(?:[ \t]+.*\n)*", "", text, flags=re.M)
    if stripped != text:
        path.write_text(stripped)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--ha-port", type=int, default=8123)
    parser.add_argument("--sim-port", type=int, default=8765)
    parser.add_argument("--strip-http", action="store_true", help="only drop the http: block")
    args = parser.parse_args()
    if args.strip_http:
        strip_http(args.config)
    else:
        write_config(args.config, args.ha_port, args.sim_port)


if __name__ == "__main__":
    main()
