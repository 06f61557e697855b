"""complab: Monte Carlo simulation of compensation plans and KPIs for subscription businesses.

Describe a business and its plans, run it many times, read and decide::

    import complab
    from complab import presets

    scenario = presets.default()                    # or complab.load_scenario("plan.yaml")
    result = complab.simulate(scenario, trials=1000, seed=7)
    result.summary()                                # KPIs by year (from 1): mean, SE, P5…P95
    cmp = complab.compare(scenario, {"raise": {"plans.csm:*.ote": "×1.1"}}, seed=7)
    complab.report(cmp, "decision.html")            # budget and per-rep keep-whole
    complab.explore(result)                         # live plan controls in Jupyter

Run: :func:`simulate`, :func:`compare`, :func:`sweep`, :func:`optimize`, :func:`explore`,
:mod:`complab.sensitivity`. Describe: :class:`Scenario`, :func:`load_scenario`,
:mod:`complab.presets`, :func:`default_plans`, :class:`Plan` and its parts,
:mod:`complab.uncertainty` (assumptions as distributions). Read and decide:
:class:`Result`, :class:`Comparison`, :mod:`complab.decisions`, :func:`report`,
:mod:`complab.plots`, :func:`load`. ``help(complab.simulate)`` and friends document each.
"""

from __future__ import annotations

import os
import sys

try:
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("complab")
    except PackageNotFoundError:  # running from a source tree without installed metadata
        from complab._core import __version__

    from complab import data, datasets, decisions, display, plots, presets, sensitivity, uncertainty
    from complab.compare import Comparison, compare
    from complab.data import Company, CompanyDataError, load_company
    from complab.data.backtest import Backtest, backtest
    from complab.data.calibrate import calibrate, fit_rates
    from complab.data.validate import Validation, validate
    from complab.engine import SimulationInterrupted, simulate
    from complab.explorer import explore
    from complab.io import VersionMismatchWarning, load
    from complab.optimization import OptimizeInterrupted, Optimum, optimize
    from complab.plans import (
        Clawback,
        Draw,
        Gate,
        Measure,
        Multiplier,
        PayoutCurve,
        Plan,
        Ratchet,
        Spif,
        payout_table,
    )
    from complab.presets import default_plans
    from complab.report import report
    from complab.result import Result
    from complab.scenario import (
        AttritionBand,
        Behaviour,
        Effort,
        Hire,
        PayAttrition,
        Product,
        RosterRep,
        Scenario,
        Segment,
        Staffing,
        Workforce,
        World,
        load_scenario,
    )
    from complab.sweeps import SweepInterrupted, sweep
except KeyboardInterrupt:
    # Ctrl-C while the `complab` command starts: one line and exit status 130, as after
    # start-up, not a traceback of the imports.
    if os.path.basename(sys.argv[0]) in ("complab", "__main__.py", "-m"):
        print("\ncomplab: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    raise

__all__ = [
    "Behaviour",
    "Effort",
    "Product",
    "Result",
    "Scenario",
    "Segment",
    "SimulationInterrupted",
    "SweepInterrupted",
    "World",
    "Workforce",
    "Staffing",
    "AttritionBand",
    "RosterRep",
    "Hire",
    "PayAttrition",
    "presets",
    "simulate",
    "Clawback",
    "Draw",
    "Gate",
    "Measure",
    "Multiplier",
    "PayoutCurve",
    "Plan",
    "Ratchet",
    "Spif",
    "__version__",
    "default_plans",
    "payout_table",
    "sensitivity",
    "sweep",
    "Comparison",
    "VersionMismatchWarning",
    "compare",
    "decisions",
    "display",
    "explore",
    "load",
    "load_scenario",
    "OptimizeInterrupted",
    "Optimum",
    "optimize",
    "uncertainty",
    "plots",
    "report",
    "Company",
    "CompanyDataError",
    "Backtest",
    "backtest",
    "calibrate",
    "data",
    "datasets",
    "fit_rates",
    "load_company",
    "Validation",
    "validate",
]
