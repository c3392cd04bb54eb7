"""Native code generator: speed of the C extension relative to its pure-Python twin.

    .venv/bin/python benchmarks/codegen.py

Prints counts and C/twin speed ratios (target: >= 30x for 100,000 six-digit codes; the bulk
case is reported without a target) and checks that both backends return identical codes.
Build the extension first (`python setup_native.py build_ext --inplace`). Timings only feed
the ratios.
"""

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.ttlock_access import native

TARGET_RATIO = 30.0
SEED = 20261122


def random_codes(rng: random.Random, count: int) -> list[str]:
    """Codes of 4-9 digits, like the keypad codes already on a lock."""
    return [
        "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 9))) for _ in range(count)
    ]


def best_time[T](function: Callable[[], T], repeat: int) -> tuple[float, T]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def report(c_seconds: float, twin_seconds: float, same: bool, *, target: bool) -> float:
    ratio = twin_seconds / c_seconds
    if target:
        verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
        note = f"{verdict} the {TARGET_RATIO:.0f}x target"
    else:
        note = "no target: parsing the existing codes into per-lock sets dominates"
    print(f"  C/twin speed ratio: {ratio:.1f}x ({note})")
    print(f"  identical output: {same}")
    return ratio


def main() -> int:
    try:
        c_gen = native.get_generator("c")
    except native.CodegenError:
        print("the C extension is not built: python setup_native.py build_ext --inplace")
        return 1
    twin = native.get_generator("python")
    rng = random.Random(SEED)

    existing = random_codes(rng, 250)
    count, length = 100_000, 6
    print(f"generate_pins: {count:,} codes of {length} digits, {len(existing)} existing codes")
    c_time, c_codes = best_time(lambda: c_gen.generate_pins(count, length, existing, seed=SEED), 3)
    twin_time, twin_codes = best_time(
        lambda: twin.generate_pins(count, length, existing, seed=SEED), 1
    )
    print(f"  codes generated: {len(c_codes):,} (distinct: {len(set(c_codes)):,})")
    single = report(c_time, twin_time, c_codes == twin_codes, target=True)

    n_holders, n_locks = 1_000, 50
    locks = [f"lock-{i}" for i in range(n_locks)]
    existing_by_lock = {lock: random_codes(rng, 250) for lock in locks}
    holders = {f"holder-{i}": rng.sample(locks, rng.randint(1, 10)) for i in range(n_holders)}
    pairs = sum(len(v) for v in holders.values())
    print(
        f"generate_bulk: {n_holders:,} holders over {n_locks} locks ({pairs:,} holder-lock "
        f"pairs), 250 existing codes per lock, {length} digits"
    )
    c_time, c_bulk = best_time(
        lambda: c_gen.generate_bulk(holders, length, existing_by_lock, seed=SEED), 5
    )
    twin_time, twin_bulk = best_time(
        lambda: twin.generate_bulk(holders, length, existing_by_lock, seed=SEED), 3
    )
    print(f"  codes generated: {len(c_bulk):,}")
    bulk = report(c_time, twin_time, c_bulk == twin_bulk, target=False)

    ok = single >= TARGET_RATIO and c_codes == twin_codes and c_bulk == twin_bulk
    print(f"summary: pins {single:.1f}x, bulk {bulk:.1f}x, outputs identical: {ok or 'no'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
