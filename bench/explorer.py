"""How long the plan explorer takes to answer a slider: a plan-only update (re-pay the
stored world, recompute the cost table, cards, curve and earnings) for 1,000 trials of the
default scenario.

    python bench/explorer.py              # 1,000 trials, 30 updates
    python bench/explorer.py --trials 200 --updates 10

Prints the median, P90 and worst update time over alternating OTE edits of one plan (each a
real change, so every update re-pays). The machine may be shared: read the median. No test
asserts these figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import complab
from complab import presets


def measure(trials: int = 1000, updates: int = 30, seed: int = 1) -> dict[str, float]:
    """Seconds per plan-only update, and the simulation the explorer starts from."""
    start = time.perf_counter()
    explorer = complab.explore(presets.default(), trials=trials, seed=seed)
    simulated = time.perf_counter() - start
    ote = explorer.controls["ote"]
    base = ote.value
    times = []
    for i in range(updates + 2):  # two warm-up updates
        t = time.perf_counter()
        ote.value = base + 1_000 * (1 + i % 2)
        times.append(time.perf_counter() - t)
    times = times[2:]
    return {
        "trials": trials,
        "updates": updates,
        "simulate_s": simulated,
        "median_ms": 1000 * statistics.median(times),
        "p90_ms": 1000 * sorted(times)[int(0.9 * (len(times) - 1))],
        "max_ms": 1000 * max(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--updates", type=int, default=30)
    args = parser.parse_args()
    figures = measure(args.trials, args.updates)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"complab {complab.__version__}, {os.cpu_count()} cores, load {load:.2f}: "
        f"explorer on {figures['trials']:,} trials of the default scenario "
        f"(simulated in {figures['simulate_s']:.2f} s)"
    )
    print(
        f"plan-only update over {figures['updates']} edits: median {figures['median_ms']:.1f} ms, "
        f"P90 {figures['p90_ms']:.1f} ms, worst {figures['max_ms']:.1f} ms"
    )


if __name__ == "__main__":
    main()
