"""Time of a responsive Sobol study of the default scenario (the target: 500 runs of
100 trials in 20 s on 2 cores).

    python bench/sobol_study.py                    # 40 runs of 100 trials, all cores
    python bench/sobol_study.py --samples 100      # the full 500 runs

In responsive mode (docs/model.md §8, incentive sensitivity 2) every sample is a new
simulation, so the study costs ``samples * (parameters + 2)`` runs; three world parameters
here. Prints the study's time, the time a run and what 500 runs take at that rate.
``run(...)`` returns the figures as a dict. The machine may be shared: one timing, no
repeats, so compare figures taken close together.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import complab
from complab import presets, sensitivity

PARAMS = {
    "world.segments.smb.win_rate": (0.2, 0.3),
    "world.segments.smb.csm_coverage": (300.0, 500.0),
    "world.segments.mid_market.health_base": (0.5, 0.7),
}


def run(
    samples: int = 8,
    trials: int = 100,
    threads: int | None = None,
    scenario: complab.Scenario | None = None,
) -> dict:
    """Time one responsive Sobol study (``samples`` a power of 2, as Sobol' sequences want)."""
    base = presets.default() if scenario is None else scenario
    responsive = base.with_({"world.behaviour.incentive_sensitivity": 2.0})
    threads = (os.cpu_count() or 1) if threads is None else threads
    start = time.perf_counter()
    sensitivity.sobol(
        responsive,
        PARAMS,
        outputs="arr_end",
        samples=samples,
        trials=trials,
        seed=1,
        threads=threads,
    )
    seconds = time.perf_counter() - start
    runs = samples * (len(PARAMS) + 2)
    return {
        "runs": runs,
        "trials": trials,
        "threads": threads,
        "seconds": seconds,
        "seconds_per_run": seconds / runs,
        "seconds_for_500_runs": seconds / runs * 500,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=8, help="Sobol base samples (power of 2)")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    figures = run(args.samples, args.trials, args.threads)
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
