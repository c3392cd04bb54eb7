"""How many TTLock cloud API calls does the integration spend?

Runs Home Assistant with the integration against the simulated cloud (through the same
pytest-homeassistant-custom-component harness as the tests) and prints:

* calls to set up the 1,000-lock ``scale`` scenario (target ≤ 15);
* calls per steady-state poll cycle for the 3-lock ``home`` scenario and for 1,000 locks
  (target: equal — polling cost must not grow with the number of locks).

Counts come from the simulator's own per-app call counter, not from the integration.

    .venv/bin/python benchmarks/cloud_calls.py
"""

from __future__ import annotations

import sys

from runner import run

if __name__ == "__main__":
    sys.exit(run("bench_cloud_calls.py"))
