"""complab: Monte Carlo simulation of compensation plans and KPIs for subscription businesses."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("complab")
except PackageNotFoundError:  # running from a source tree without installed metadata
    from complab._core import __version__

from complab import presets
from complab.engine import SimulationInterrupted, simulate
from complab.result import Result
from complab.scenario import Effort, Product, Scenario, Segment, World
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

__all__ = [
    "Effort",
    "Product",
    "Result",
    "Scenario",
    "Segment",
    "SimulationInterrupted",
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
]
