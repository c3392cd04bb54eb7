"""What does a pushed lock record cost, and does polling duplicate it?

Runs Home Assistant with the integration against the simulated cloud (through the same
pytest-homeassistant-custom-component harness as the tests). The simulated cloud POSTs 1,000
TTLock-shaped callbacks (form-encoded, ``records`` a JSON string, one record each) to the
integration's webhook over loopback HTTP, then the coordinator polls ``lockRecord/list`` over
the same records. Prints:

* cloud API calls caused by the 1,000 pushed records (target 0 — a push carries everything);
* activity events emitted (target 1,000) and duplicates after polling overlaps (target 0).

Counts come from the simulator's own per-app call counter and from the bus events.

    .venv/bin/python benchmarks/push_latency.py
"""

from __future__ import annotations

import sys

from runner import run

if __name__ == "__main__":
    sys.exit(run("bench_push_latency.py"))
