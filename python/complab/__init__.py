"""complab: Monte Carlo simulation of compensation plans and KPIs for subscription businesses."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("complab")
except PackageNotFoundError:  # running from a source tree without installed metadata
    from complab._core import __version__

from complab.plans import (
    Clawback,
    Gate,
    Measure,
    Multiplier,
    PayoutCurve,
    Plan,
    Spif,
)

__all__ = [
    "Clawback",
    "Gate",
    "Measure",
    "Multiplier",
    "PayoutCurve",
    "Plan",
    "Spif",
    "__version__",
]
