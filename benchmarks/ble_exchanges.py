"""How much Bluetooth traffic does the integration cause?

Runs Home Assistant with the integration, the simulated cloud and simulated BLE locks behind
a virtual Bluetooth proxy (HA's real Bluetooth path) and prints:

* frames exchanged per unlock once connected (target ≤ 2: the eKey handshake and the unlock);
* connections and exchanges to write 50 passcodes to one lock (target: 1 connection — the link
  stays up while work is queued and drops after a few idle seconds).

    .venv/bin/python benchmarks/ble_exchanges.py
"""

from __future__ import annotations

import sys

from runner import run

if __name__ == "__main__":
    sys.exit(run("bench_ble_exchanges.py"))
