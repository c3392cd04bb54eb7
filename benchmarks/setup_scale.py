"""How much does Home Assistant set up for an account, and how fast?

Sets up the 3-lock ``home`` and the 1,000-lock ``scale`` scenario with every platform
(through the tests' harness, but with the event loop out of debug mode, as Home Assistant
runs it) and prints the locks, the entities per lock by platform, the states, and the setup
time per lock on this machine (a ratio to compare runs, not a target).

    .venv/bin/python benchmarks/setup_scale.py
"""

from __future__ import annotations

import sys

from runner import run

if __name__ == "__main__":
    sys.exit(run("bench_setup_scale.py"))
