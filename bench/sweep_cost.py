"""Cost of a plan-only sweep against simulating every point (docs/model.md §7).

    python bench/sweep_cost.py                 # 50 points, 500 trials, all cores
    python bench/sweep_cost.py --points 50 --trials 200 --threads 2

A sweep over compensation parameters only (every grid path under ``plans.``) simulates
the world once and re-pays it at each point, so 50 points should cost little more than
one simulation — far less than the 50 simulations a sweep over world parameters needs.

Prints, for the default scenario: one simulation's time; the plan-only sweep's time and
how many simulations it ran; the sweep's cost in simulations (sweep time / one
simulation) and as a share of simulating every point. ``run(...)`` returns the same
figures as a dict for other bench scripts. Each timing is the best of ``--repeats`` runs,
since the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import complab
from complab import engine, presets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import best_time  # noqa: E402  (bench/run.py: best of a few repeats)


def plan_points(scenario: complab.Scenario, points: int) -> list[dict[str, Any]]:
    """``points`` plan variants: enterprise CSM OTE (0.8x to 1.2x) by churn/NRR weighting."""
    ote = scenario.plans["csm:enterprise"].ote
    weights = [0.5, 0.6, 0.65, 0.7, 0.8]
    levels = max(2, -(-points // len(weights)))
    out = []
    for i in range(points):
        w = weights[i % len(weights)]
        factor = 0.8 + 0.4 * (i // len(weights)) / (levels - 1)
        out.append(
            {
                "plans.csm:enterprise.ote": round(ote * factor, 2),
                "plans.csm:enterprise.measures.gross_churn.weight": w,
                "plans.csm:enterprise.measures.nrr.weight": round(1 - w, 10),
            }
        )
    return out


def run(
    points: int = 50, trials: int = 500, threads: int | None = None, repeats: int = 3, seed: int = 1
) -> dict[str, Any]:
    """Time one simulation and a plan-only sweep of ``points`` points; return the figures."""
    scenario = presets.default()
    grid = plan_points(scenario, points)
    simulate_s, _ = best_time(
        lambda: complab.simulate(scenario, trials=trials, seed=seed, threads=threads), repeats
    )
    calls = []
    original = engine.simulate

    def counting(*args: Any, **kwargs: Any) -> complab.Result:
        calls.append(1)
        return original(*args, **kwargs)

    engine.simulate = counting
    try:
        sweep_s, table = best_time(
            lambda: complab.sweep(
                scenario,
                grid,
                outputs=["comp_csm", "comp_total", "nrr"],
                trials=trials,
                seed=seed,
                threads=threads,
            ),
            repeats,
        )
    finally:
        engine.simulate = original
    n_points = table[list(grid[0])].drop_duplicates().shape[0]
    return {
        "points": n_points,
        "trials": trials,
        "threads": threads,
        "simulate_s": simulate_s,
        "sweep_s": sweep_s,
        "simulations_per_sweep": len(calls) // repeats,
        "sweep_cost_in_simulations": sweep_s / simulate_s,
        "share_of_simulating_every_point": sweep_s / (points * simulate_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--trials", type=int, default=500)
    parser.add_argument(
        "--threads", type=int, default=None, help="engine threads (default: all cores)"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    r = run(args.points, args.trials, args.threads, args.repeats)
    if args.json:
        print(json.dumps(r, indent=2))
        return
    print(f"default scenario, {r['trials']} trials, threads={r['threads'] or 'all cores'}")
    print(f"one simulation:                 {r['simulate_s'] * 1e3:9.1f} ms")
    print(
        f"plan-only sweep, {r['points']} points:    {r['sweep_s'] * 1e3:9.1f} ms "
        f"({r['simulations_per_sweep']} simulation(s) run)"
    )
    print(
        f"sweep cost:                     {r['sweep_cost_in_simulations']:9.2f} simulations "
        f"(vs {r['points']} when simulating every point)"
    )
    print(f"share of simulating every point: {r['share_of_simulating_every_point']:8.1%}")


if __name__ == "__main__":
    main()
