"""Cost of decisions under uncertainty (docs/model.md §11–§12).

    python bench/optimize_cost.py                      # 1,000 trials, all cores
    python bench/optimize_cost.py --trials 1000 --threads 2

Prints, for the default scenario:

- the search of an optimisation of 3 plan-only decisions (the smb CSM plan's churn/NRR
  split, its OTE, and every CSM plan's base share) over 1,000 trials, in fixed mode: the
  one simulation it starts from, the search (candidates re-paid on that world), candidates
  per second, and the re-estimate on fresh trials;
- the overhead of uncertain assumptions: the same trials with a log-normal renewal hazard
  (a fresh draw, and so an engine run, per trial) against the fixed world.

Each timing is the best of ``--repeats`` runs, since the machine may be shared. No test
asserts these times.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import complab
from complab import presets
from complab import uncertainty as u

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import best_time  # noqa: E402  (bench/run.py: best of a few repeats)

DECISIONS = {
    "plans.csm:smb.weights": (0.0, 1.0),
    "plans.csm:smb.ote": (60_000.0, 120_000.0),
    "plans.csm:*.base_share": (0.6, 0.9),
}


def run(trials: int = 1000, threads: int | None = None, repeats: int = 1) -> dict[str, Any]:
    scenario = presets.default()
    budget = 1.05 * sum(
        scenario.plan_for("csm", s.name).ote * s.csm_headcount for s in scenario.world.segments
    )
    timings: dict[str, float] = {}
    out: dict[str, Any] = {}

    def optimise() -> None:
        start = time.perf_counter()
        best = complab.optimize(
            scenario,
            DECISIONS,
            "max mean(earnings_per_csm)",
            [f"p90(comp_csm) <= {budget}"],
            trials=trials,
            seed=1,
            threads=threads,
            max_evaluations=1500,
        )
        total = time.perf_counter() - start
        if not timings or total < timings["total_s"]:
            timings.update(total_s=total, search_s=best.seconds)
            out.update(evaluations=len(best.evaluations), feasible=best.feasible)

    for _ in range(repeats):
        optimise()
    evaluations = out["evaluations"]
    figures: dict[str, Any] = {
        "trials": trials,
        "decisions": len(DECISIONS),
        "optimize_total_s": timings["total_s"],
        "search_s": timings["search_s"],
        "candidates": evaluations,
        "candidates_per_s": evaluations / timings["search_s"],
        "feasible": out["feasible"],
    }
    hazard = list(scenario.world.segments[0].renewal_hazard)
    uncertain = scenario.with_(
        {"world.segments.smb.renewal_hazard": u.LogNormal(median=hazard, log_sd=0.2, high=1.0)}
    )
    figures["fixed_s"] = best_time(
        lambda: complab.simulate(scenario, trials=trials, seed=1, threads=threads), repeats
    )[0]
    figures["uncertain_s"] = best_time(
        lambda: complab.simulate(uncertain, trials=trials, seed=1, threads=threads), repeats
    )[0]
    figures["uncertain_over_fixed"] = figures["uncertain_s"] / figures["fixed_s"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    figures = run(args.trials, args.threads, args.repeats)
    print(json.dumps(figures, indent=2))
    print(
        f"\noptimize, {figures['decisions']} plan-only decisions, {figures['trials']:,} trials: "
        f"{figures['optimize_total_s']:.1f} s in all, of which the search "
        f"{figures['search_s']:.1f} s for {figures['candidates']:,} candidates "
        f"({figures['candidates_per_s']:,.0f} a second)"
    )
    print(
        f"uncertain renewal hazard: {figures['uncertain_s']:.2f} s against {figures['fixed_s']:.2f} s "
        f"fixed ({figures['uncertain_over_fixed']:.2f}x)"
    )


if __name__ == "__main__":
    main()
