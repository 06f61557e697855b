"""The ``complab`` command line."""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd


def _demo(args: argparse.Namespace) -> int:
    import complab
    from complab import presets
    from complab.plans import payout_table

    scenario = presets.default()
    pd.set_option("display.width", 140)
    pd.set_option("display.max_columns", 20)
    print(f"complab {complab.__version__} — built-in default scenario\n")
    print("Plans (targets per compensation period):")
    for key in ("ae:mid_market", "sdr", "csm:mid_market"):
        print(f"\n[{key}]")
        print(scenario.plans[key].describe().to_string(index=False))
    print("\nPayout at attainments 0–200% (share of target variable pay):")
    table = payout_table({k: scenario.plans[k] for k in ("ae:mid_market", "sdr", "csm:mid_market")},
                         attainments=np.linspace(0.0, 2.0, 11))
    print(table.to_string(index=False))

    print(f"\nSimulating {args.trials} trials of {scenario.world.months} months (seed {args.seed})...")
    result = complab.simulate(scenario, trials=args.trials, seed=args.seed, threads=args.threads,
                              progress=not args.quiet)
    summary = result.summary()
    shown = ["arr_end", "nrr", "grr", "logo_churn", "new_arr", "csql_count", "handoff_acceptance",
             "comp_total", "cost_of_sales", "earnings_per_ae", "earnings_per_sdr", "earnings_per_csm"]
    rows = summary[summary["kpi"].isin(shown)]
    print("\nCompany KPIs by year (mean, standard error, P10 / P50 / P90):")
    print(rows[["kpi", "year", "mean", "se", "p10", "p50", "p90"]].to_string(index=False,
          float_format=lambda x: f"{x:,.4g}"))
    cohorts = result.cohorts()
    seg = cohorts.groupby("segment")[["nrr", "grr", "logo_churn"]].mean()
    print("\nAnnual retention by segment (mean over trials and years):")
    print(seg.to_string(float_format=lambda x: f"{x:.3f}"))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="complab",
        description="Monte Carlo simulation of compensation plans and KPIs for subscription businesses.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the built-in default scenario and print its tables")
    demo.add_argument("--trials", type=int, default=1000, help="Monte Carlo trials (default 1000)")
    demo.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    demo.add_argument("--threads", type=int, default=None, help="worker threads (default: all cores)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=_demo)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ValueError as err:
        print(f"complab: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("complab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
