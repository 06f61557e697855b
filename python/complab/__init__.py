"""complab: Monte Carlo simulation of compensation plans and KPIs for subscription businesses."""

from __future__ import annotations

import os
import sys

try:
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("complab")
    except PackageNotFoundError:  # running from a source tree without installed metadata
        from complab._core import __version__

    from complab import plots, presets, sensitivity
    from complab.compare import Comparison, compare
    from complab.engine import SimulationInterrupted, simulate
    from complab.io import VersionMismatchWarning, load
    from complab.plans import (
        Clawback,
        Gate,
        Measure,
        Multiplier,
        PayoutCurve,
        Plan,
        Spif,
        default_plans,
        payout_table,
    )
    from complab.report import report
    from complab.result import Result
    from complab.scenario import Behaviour, Effort, Product, Scenario, Segment, World, load_scenario
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
    "presets",
    "simulate",
    "Clawback",
    "Gate",
    "Measure",
    "Multiplier",
    "PayoutCurve",
    "Plan",
    "Spif",
    "__version__",
    "default_plans",
    "payout_table",
    "sensitivity",
    "sweep",
    "Comparison",
    "VersionMismatchWarning",
    "compare",
    "load",
    "load_scenario",
    "plots",
    "report",
]
