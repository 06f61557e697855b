"""Overhead of uncertain assumptions (docs/guide.md, "Uncertain assumptions"): each draw is
its own engine run on its drawn scenario, so a fresh draw every trial costs a scenario
build and an engine call per trial.

    python bench/uncertain_cost.py                 # 200 trials, all cores
    python bench/uncertain_cost.py --trials 1000

Times, for two worlds, the fixed scenario and the same with uncertain assumptions at one
draw a trial and at ten:

- the default scenario with an uncertain SMB win rate;
- the sample company calibrated on 2025-01-01 (a 12-month world from a real book of
  about 3,500 accounts), fixed and with ``calibrate(..., uncertain=True)``.

Each timing is the best of ``--repeats`` runs, since the machine may be shared; compare the
ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import complab
from complab import datasets, presets
from complab import uncertainty as u

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import best_time  # noqa: E402  (bench/run.py: best of a few repeats)


def worlds() -> dict[str, tuple[complab.Scenario, complab.Scenario]]:
    """Each world's fixed and uncertain scenario."""
    default = presets.default()
    win = u.Normal(mean=0.25, sd=0.03, low=0.05, high=0.6)
    with tempfile.TemporaryDirectory() as folder:
        company = complab.load_company(datasets.sample_company(Path(folder) / "c", seed=1))
    return {
        "default scenario": (default, default.with_({"world.segments.smb.win_rate": win})),
        "calibrated company": (
            complab.calibrate(company, "2025-01-01"),
            complab.calibrate(company, "2025-01-01", uncertain=True),
        ),
    }


def run(trials: int = 200, threads: int | None = None, repeats: int = 3) -> dict[str, Any]:
    out: dict[str, Any] = {"trials": trials}
    for name, (fixed, uncertain) in worlds().items():

        def time_of(scenario: complab.Scenario, per_draw: int) -> float:
            simulate = lambda: complab.simulate(  # noqa: E731
                scenario, trials=trials, seed=1, threads=threads, trials_per_draw=per_draw
            )
            simulate()  # warm
            return best_time(simulate, repeats)[0]

        fixed_s = time_of(fixed, 1)
        out[name] = {
            "fixed_s": fixed_s,
            "one_draw_a_trial_over_fixed": time_of(uncertain, 1) / fixed_s,
            "ten_trials_a_draw_over_fixed": time_of(uncertain, 10) / fixed_s,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(args.trials, args.threads, args.repeats), indent=2))


if __name__ == "__main__":
    main()
