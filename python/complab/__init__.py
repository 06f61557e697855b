"""complab: Monte Carlo simulation of compensation plans and KPIs for subscription businesses."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("complab")
except PackageNotFoundError:  # running from a source tree without installed metadata
    from complab._core import __version__

from complab import plots, presets, sensitivity
from complab.compare import Comparison, compare
from complab.engine import SimulationInterrupted, simulate
from complab.explorer import explore
from complab.io import VersionMismatchWarning, load
from complab.plans import (
    Clawback,
    Gate,
    Measure,
    Multiplier,
    PayoutCurve,
    Plan,
    Spif,
    payout_table,
)
from complab.presets import default_plans
from complab.report import report
from complab.result import Result
from complab.scenario import Behaviour, Effort, Product, Scenario, Segment, World, load_scenario
from complab.sweeps import SweepInterrupted, sweep

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
    "explore",
    "load",
    "load_scenario",
    "plots",
    "report",
]
