"""What does a month of TTLock cloud polling cost, with and without pushes?

Runs Home Assistant with the integration against the simulated cloud for simulated days
(time-warped: Home Assistant's and the simulator's clocks move together, one poll interval
at a time) and prints, for a 3-lock home, a 50-lock building and the 1,000-lock scenario,
each with the callback URL working and without it:

* API calls per month per endpoint, counted by the simulator (targets: with push ≤ 1,000 /
  3,000 / 15,000; without push, the home ≤ 6,000);
* the freshness achieved under a realistic pattern (keypad and app unlocks through the day,
  a gateway outage, a battery dropping): delay until Home Assistant showed each keypad
  unlock, each gateway outage and each battery change (targets with push: unlocks
  ≤ 1 s after the push, outages when pushed, battery within 6 h);
* lost or duplicated activity events (target 0).

The home and the building run 30 days; the 1,000-lock account runs 7 days and its figures
are scaled to 30 (it says so).

    .venv/bin/python benchmarks/api_budget.py
"""

from __future__ import annotations

import sys

from runner import run

if __name__ == "__main__":
    sys.exit(run("bench_api_budget.py"))
