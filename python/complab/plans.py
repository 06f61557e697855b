"""Compensation plans (docs/model.md §7): payout curves, measures, gates, multipliers, clawbacks
and SPIFs, validated on construction and evaluated by the compiled core.

Every object here is immutable. Numbers follow these conventions:

* **attainment** is a multiple of target (``1.0`` = 100%): ``actual / target`` when higher is
  better, ``max(0, 1 + (target - actual) / target)`` when lower is better (churn);
* **payout multiples** (curve values) are multiples of a measure's target payout;
* **targets are per compensation period** (``period_months`` long; 12 by default) and in the
  metric's units: currency for ARR and pipeline, counts for logos and opportunities, ratios
  for NRR, GRR and churn rates (``1.05`` = 105%, ``0.08`` = 8%);
* **OTE** is annual; a period's base is ``ote * base_share * period_months / 12`` and its
  target variable ``V = ote * (1 - base_share) * period_months / 12``.

A measure pays ``V * weight * curve(attainment)``; a gated measure pays 0 while its gating
measure's attainment is below ``min_attainment``; a multiplier scales the sum of measure
payouts by ``curve.value_clamped(attainment of its metric)``; a SPIF pays ``amount`` per
event and is not multiplied.
"""

from __future__ import annotations

import math
import numbers
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np
import pandas as pd

from complab import _core

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from numpy.typing import ArrayLike, NDArray

__all__ = [
    "Clawback",
    "Draw",
    "Gate",
    "Measure",
    "Multiplier",
    "PayoutCurve",
    "Plan",
    "Ratchet",
    "Spif",
    "example_plans",
    "payout_table",
]

ROLES: tuple[str, ...] = ("ae", "sdr", "csm")
#: The metric catalogue of the core, by name: description, direction, count/rate, roles.
METRICS: dict[str, dict[str, Any]] = {row["name"]: dict(row) for row in _core.METRICS}
#: Measure names that would collide with payout columns or the multiplier's actuals key.
RESERVED_NAMES: frozenset[str] = frozenset({"base", "variable", "spif", "total", "multiplier"})

_PLAN_KEYS = (
    "name",
    "role",
    "ote",
    "base_share",
    "measures",
    "multiplier",
    "clawback",
    "spifs",
    "target_months",
    "true_up",
    "draw",
    "ratchet",
)
#: Compensation period lengths the engine allows (months dividing a year).
PERIOD_LENGTHS: tuple[int, ...] = (1, 2, 3, 4, 6, 12)


# ---------------------------------------------------------------------------------------
# Checks shared by the constructors: errors name the field, the value and what is allowed.


_INT_LIMIT = 2**31  # the core stores counts of months and indices as C ints


def _fail(where: str, what: str) -> NoReturn:
    """Every invalid input is a ValueError, wrong types included (one exception to catch)."""
    raise ValueError(f"{where}: {what}")


def _real(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(where, f"{shown(value)} is not a number")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{where}: {shown(value)} is too large for a float") from None


def _integer(value: Any, where: str) -> int:
    # A whole float (12.0, as YAML or a spreadsheet gives it) counts, as in world fields.
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, numbers.Integral)):
        as_float = float(value)
        if math.isfinite(as_float) and as_float.is_integer():
            value = int(as_float)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        _fail(where, f"{shown(value)} is not an integer")
    if not -_INT_LIMIT <= int(value) < _INT_LIMIT:
        raise ValueError(f"{where}: {shown(value)} is out of range")
    return int(value)


def _boolean(value: Any, where: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        _fail(where, f"{shown(value)} is not true or false")
    return bool(value)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        _fail(where, f"{shown(value)} is not a string")
    return value


def _metric(value: Any, where: str) -> str:
    if not isinstance(value, str) or value not in METRICS:
        _fail(where, f"{shown(value)} is not one of {', '.join(METRICS)}")
    return value


def _instance(value: Any, cls: type, where: str) -> Any:
    if not isinstance(value, cls):
        _fail(where, f"expected a {cls.__name__}, got {type(value).__name__}")
    return value


def _sequence(value: Any, where: str) -> tuple[Any, ...]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        _fail(where, f"{shown(value)} is not a list")
    return tuple(value)


def _pair(value: Any, where: str, what: str) -> tuple[Any, Any]:
    """Two items, e.g. an (attainment, payout) point."""
    if (
        isinstance(value, (str, bytes, Mapping))
        or not isinstance(value, Iterable)
        or len(items := tuple(value)) != 2
    ):
        _fail(where, f"{shown(value)} is not an {what} pair")
    return items[0], items[1]


_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlong = 3, 60, 60, 100
for _attr in ("maxlist", "maxtuple", "maxdict", "maxset"):
    setattr(_SHOWN, _attr, 8)


def shown(value: Any) -> str:
    """`value` as a message shows it: its repr, cut short (a list of a million items, a
    deeply nested value or a long text is shown in a few dozen characters)."""
    return _SHOWN.repr(value)


def _reraise_under(prefix: str, error: ValueError, own: str | None = None) -> ValueError:
    """The same error with its field path placed under `prefix`.

    A message that starts with the part's own standalone name `own` (``spif.metric: ...``,
    ``measure: unknown key ...``) has that name replaced (``spifs[0].metric: ...``); any other
    path is nested (``weight: ...`` under ``measures[1]`` becomes ``measures[1].weight: ...``).
    """
    message = str(error)
    if (
        own is not None
        and message.startswith(own)
        and message[len(own) : len(own) + 1] in (":", ".", "[")
    ):
        return ValueError(prefix + message[len(own) :])
    return ValueError(f"{prefix}.{message}")


def _record(value: Any, where: str, required: Sequence[str], optional: Sequence[str] = ()) -> dict:
    """A dict read from a scenario file, checked for missing and unknown keys."""
    if not isinstance(value, Mapping):
        _fail(where, f"expected a mapping, got {type(value).__name__}")
    allowed = (*required, *optional)
    for key in value:
        if key not in allowed:
            raise ValueError(f"{where}: unknown key {shown(key)} (allowed: {', '.join(allowed)})")
    for key in required:
        if key not in value:
            raise ValueError(f"{where}: missing key {shown(key)}")
    return dict(value)


def _percent(x: float) -> str:
    return f"{x * 100:.4g}%"


# ---------------------------------------------------------------------------------------
# Payout curves


@dataclass(frozen=True)
class PayoutCurve:
    """Piecewise-linear payout curve through points ``(attainment[k], payout[k])``.

    Pays 0 below the first point (a threshold), interpolates linearly between points and
    stays flat beyond the last one (the cap). Attainments are strictly increasing and >= 0;
    payouts are non-decreasing and >= 0. Prefer the named constructors :meth:`linear`,
    :meth:`tiered`, :meth:`commission`, :meth:`from_actuals` and :meth:`flat`.

    Parameters
    ----------
    attainment : sequence of float
        Attainment points, multiples of target.
    payout : sequence of float
        Payout multiples of the target payout at those points.

    Raises
    ------
    ValueError
        Naming the offending point, e.g. ``curve.attainment[2]: 1.1 is not greater than the
        previous point's 1.2``.
    """

    attainment: tuple[float, ...]
    payout: tuple[float, ...]

    def __post_init__(self) -> None:
        a = tuple(
            _real(x, f"curve.attainment[{k}]")
            for k, x in enumerate(_sequence(self.attainment, "curve.attainment"))
        )
        p = tuple(
            _real(x, f"curve.payout[{k}]")
            for k, x in enumerate(_sequence(self.payout, "curve.payout"))
        )
        object.__setattr__(self, "attainment", a)
        object.__setattr__(self, "payout", p)
        self._to_core().validate("curve")

    # -- constructors ------------------------------------------------------------------

    @classmethod
    def linear(cls, threshold: float = 0.0, cap: float = 2.0) -> PayoutCurve:
        """Payout equal to attainment from `threshold` up to `cap`, flat beyond.

        Below `threshold` it pays nothing, so a threshold above 0 makes a step: at 50%
        threshold the curve jumps from 0 to 0.5.

        Parameters
        ----------
        threshold : float
            Attainment below which nothing is paid (0 = no threshold).
        cap : float
            Attainment (and payout multiple) where the payout stops rising.
        """
        threshold = _real(threshold, "threshold")
        cap = _real(cap, "cap")
        if not cap > threshold:
            raise ValueError(f"cap: {cap:g} must be greater than threshold {threshold:g}")
        return cls((threshold, cap), (threshold, cap))

    @classmethod
    def tiered(cls, points: Iterable[tuple[float, float]]) -> PayoutCurve:
        """A curve through explicit ``(attainment, payout)`` points.

        Examples
        --------
        >>> PayoutCurve.tiered([(0.5, 0.25), (1.0, 1.0), (1.5, 2.0)]).value(1.25)
        1.5
        """
        pairs = [
            _pair(p, f"points[{k}]", "(attainment, payout)")
            for k, p in enumerate(_sequence(points, "points"))
        ]
        return cls(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))

    @classmethod
    def commission(
        cls,
        accelerators: Iterable[tuple[float, float]] = ((1.0, 1.5), (1.25, 2.0)),
        cap: float = 3.0,
        threshold: float = 0.0,
    ) -> PayoutCurve:
        """A commission-rate curve: payout = attainment up to quota, then accelerated.

        Parameters
        ----------
        accelerators : sequence of (attainment, slope)
            From each attainment on, the payout rises by `slope` per unit of attainment
            (above 1: accelerator, below 1: decelerator), until the next one starts. The
            default pays 1.5x from 100% to 125% and 2x beyond.
        cap : float
            Highest payout multiple (3.0 = 300% of target payout).
        threshold : float
            Attainment below which nothing is paid.

        Examples
        --------
        >>> c = PayoutCurve.commission()
        >>> c.points
        ((0.0, 0.0), (1.0, 1.0), (1.25, 1.375), (2.0625, 3.0))
        """
        threshold = _real(threshold, "threshold")
        cap = _real(cap, "cap")
        if not (math.isfinite(threshold) and threshold >= 0):
            raise ValueError(f"threshold: {threshold:g} is not a finite number >= 0")
        if not (math.isfinite(cap) and cap >= threshold):
            raise ValueError(f"cap: {cap:g} must be a finite number >= threshold {threshold:g}")
        segments = [(threshold, 1.0)]
        for k, pair in enumerate(_sequence(accelerators, "accelerators")):
            start_in, slope_in = _pair(pair, f"accelerators[{k}]", "(attainment, slope)")
            start = _real(start_in, f"accelerators[{k}][0]")
            slope = _real(slope_in, f"accelerators[{k}][1]")
            if not (math.isfinite(start) and start > segments[-1][0]):
                raise ValueError(
                    f"accelerators[{k}][0]: {start:g} must be above the previous start "
                    f"{segments[-1][0]:g} (starts increase from the threshold)"
                )
            if not (math.isfinite(slope) and slope >= 0):
                raise ValueError(
                    f"accelerators[{k}][1]: slope {slope:g} is not a finite number >= 0"
                )
            segments.append((start, slope))
        points = [(threshold, threshold)]
        for k, (_start, slope) in enumerate(segments):
            a0, m0 = points[-1]
            end = segments[k + 1][0] if k + 1 < len(segments) else math.inf
            if m0 >= cap:
                break
            if slope > 0 and m0 + slope * (end - a0) >= cap:
                points.append((a0 + (cap - m0) / slope, cap))
                break
            if math.isinf(end):
                break
            points.append((end, m0 + slope * (end - a0)))
        return cls.tiered(points)

    @classmethod
    def from_actuals(
        cls, points: Iterable[tuple[float, float]], target: float, lower_is_better: bool = False
    ) -> PayoutCurve:
        """A curve given in the metric's own units, converted to attainment.

        Parameters
        ----------
        points : sequence of (actual, payout)
            E.g. NRR points ``[(1.00, 0.0), (1.05, 0.5), (1.10, 1.0), (1.20, 2.0)]``.
        target : float
            The measure's target, in the same units.
        lower_is_better : bool
            Convert with the lower-is-better attainment (churn metrics).

        Examples
        --------
        >>> c = PayoutCurve.from_actuals([(1.00, 0.0), (1.10, 1.0), (1.20, 2.0)], target=1.10)
        >>> float(c.value(1.15 / 1.10))
        1.5
        """
        target = _real(target, "target")
        if not (math.isfinite(target) and target > 0):
            raise ValueError(f"target: {target:g} is not a finite number > 0")
        lower = _boolean(lower_is_better, "lower_is_better")
        pairs = []
        for k, pair in enumerate(_sequence(points, "points")):
            actual, payout = _pair(pair, f"points[{k}]", "(actual, payout)")
            pairs.append(
                (_core.attainment(_real(actual, f"points[{k}][0]"), target, lower), payout)
            )
        return cls.tiered(sorted(pairs, key=lambda p: p[0]))

    @classmethod
    def flat(cls, amount: float = 1.0, threshold: float = 1.0) -> PayoutCurve:
        """A step bonus: pays `amount` once attainment reaches `threshold`, nothing below."""
        return cls((threshold,), (amount,))

    # -- evaluation --------------------------------------------------------------------

    @property
    def points(self) -> tuple[tuple[float, float], ...]:
        """The ``(attainment, payout)`` points."""
        return tuple(zip(self.attainment, self.payout, strict=True))

    @property
    def cap(self) -> float:
        """The highest payout multiple (the last point's)."""
        return self.payout[-1]

    @property
    def threshold(self) -> float:
        """The attainment below which nothing is paid (the first point's)."""
        return self.attainment[0]

    def _apply(self, fn: Any, a: ArrayLike) -> Any:
        try:
            arr = np.asarray(a, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise ValueError(f"attainment: {shown(a)} is not numeric") from e
        out = fn(self._to_core(), np.ravel(arr)).reshape(arr.shape)
        return float(out) if out.ndim == 0 else out

    def value(self, a: ArrayLike) -> Any:
        """Payout multiple at attainment(s) `a`: a float for a scalar, else an array."""
        return self._apply(_core.curve_value, a)

    def value_clamped(self, a: ArrayLike) -> Any:
        """Like :meth:`value` but flat below the first point (how multipliers read curves)."""
        return self._apply(_core.curve_value_clamped, a)

    def slope(self, a: ArrayLike) -> Any:
        """Right derivative d payout / d attainment at `a` (0 below the first point and
        beyond the last): the marginal payout that drives responsive behaviour (docs/model.md §8)."""
        return self._apply(_core.curve_slope, a)

    def plot(
        self, ax: Axes | None = None, max_attainment: float | None = None, **kwargs: Any
    ) -> Axes:
        """Draw the curve (payout multiple against attainment) and return the Axes."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import PercentFormatter

        if ax is None:
            _, ax = plt.subplots()
        right = (
            max_attainment if max_attainment is not None else max(1.5, 1.25 * self.attainment[-1])
        )
        xs = [0.0, self.attainment[0], *self.attainment, max(right, self.attainment[-1])]
        ys = [0.0, 0.0, *self.payout, self.payout[-1]]
        ax.plot(xs, ys, **kwargs)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("attainment")
        ax.set_ylabel("payout (of target)")
        return ax

    def describe(self) -> str:
        """The points as text, e.g. ``0%→0%, 100%→100%, 200%→200%``."""
        return ", ".join(f"{_percent(a)}→{_percent(m)}" for a, m in self.points)

    # -- conversion --------------------------------------------------------------------

    def to_dict(self) -> dict[str, list[float]]:
        """Plain lists, for JSON or YAML."""
        return {"attainment": list(self.attainment), "payout": list(self.payout)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PayoutCurve:
        """Inverse of :meth:`to_dict`."""
        d = _record(data, "curve", ("attainment", "payout"))
        return cls(d["attainment"], d["payout"])

    def _to_core(self) -> Any:
        return _core.PayoutCurve(list(self.attainment), list(self.payout))


def _curve_from(value: Any, prefix: str | None = None) -> PayoutCurve:
    """A PayoutCurve, or one read from its dict form; errors (``curve...``) nested under
    `prefix` when given."""
    try:
        if isinstance(value, Mapping):
            return PayoutCurve.from_dict(value)
        return _instance(value, PayoutCurve, "curve")  # type: ignore[no-any-return]
    except ValueError as e:
        if prefix is None:
            raise
        raise _reraise_under(prefix, e) from None


# ---------------------------------------------------------------------------------------
# Plan parts


@dataclass(frozen=True)
class Gate:
    """A measure pays only while another measure's attainment is at least `min_attainment`.

    Parameters
    ----------
    measure : str or int
        The gating measure, by name or by index in the plan's measures.
    min_attainment : float
        Attainment the gating measure must reach (1.0 = 100%).
    """

    measure: str | int
    min_attainment: float = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.measure, bool) or not isinstance(self.measure, (str, numbers.Integral)):
            _fail("gate.measure", f"{shown(self.measure)} is not a measure name or index")
        if not isinstance(self.measure, str):
            object.__setattr__(self, "measure", int(self.measure))
        object.__setattr__(
            self, "min_attainment", _real(self.min_attainment, "gate.min_attainment")
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (numbers, strings, lists) that ``from_dict`` reads back."""
        return {"measure": self.measure, "min_attainment": self.min_attainment}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Gate:
        d = _record(data, "gate", ("measure",), ("min_attainment",))
        return cls(**d)


@dataclass(frozen=True)
class Measure:
    """One measure of a plan: a metric, its weight, its target and its payout curve.

    Parameters
    ----------
    metric : str
        A metric name from :data:`METRICS` allowed for the plan's role.
    weight : float
        Share of target variable pay, in [0, 1]; a plan's weights sum to 1.
    target : float
        Target per compensation period, in the metric's units (> 0).
    curve : PayoutCurve
        Payout multiple by attainment.
    lower_is_better : bool, optional
        Attainment direction; defaults to the metric's (churn metrics are lower-is-better).
    name : str, optional
        Unique within the plan; defaults to the metric name.
    gate : Gate, optional
        Pay this measure only when another measure reaches a level.
    """

    metric: str
    weight: float
    target: float
    curve: PayoutCurve
    lower_is_better: bool | None = None
    name: str | None = None
    gate: Gate | None = None

    def __post_init__(self) -> None:
        metric = _metric(self.metric, "metric")
        object.__setattr__(self, "weight", _real(self.weight, "weight"))
        object.__setattr__(self, "target", _real(self.target, "target"))
        _instance(self.curve, PayoutCurve, "curve")
        lower = (
            METRICS[metric]["lower_is_better"]
            if self.lower_is_better is None
            else self.lower_is_better
        )
        object.__setattr__(self, "lower_is_better", _boolean(lower, "lower_is_better"))
        object.__setattr__(self, "name", metric if self.name is None else _text(self.name, "name"))
        if self.gate is not None:
            _instance(self.gate, Gate, "gate")

    @property
    def direction(self) -> str:
        """``"lower"`` or ``"higher"`` is better."""
        return "lower" if self.lower_is_better else "higher"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (numbers, strings, lists) that ``from_dict`` reads back."""
        return {
            "name": self.name,
            "metric": self.metric,
            "weight": self.weight,
            "target": self.target,
            "lower_is_better": self.lower_is_better,
            "curve": self.curve.to_dict(),
            "gate": None if self.gate is None else self.gate.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Measure:
        d = _record(
            data,
            "measure",
            ("metric", "weight", "target", "curve"),
            ("lower_is_better", "name", "gate"),
        )
        d["curve"] = _curve_from(d["curve"])
        if d.get("gate") is not None:
            d["gate"] = Gate.from_dict(d["gate"])
        return cls(**d)


@dataclass(frozen=True)
class Multiplier:
    """Scales the sum of a plan's measure payouts by ``curve.value_clamped(attainment)``
    of another metric (flat below the curve's first point, unlike a measure's curve).

    Parameters
    ----------
    metric : str
        Metric read for the multiplier, allowed for the plan's role.
    target : float
        Its target per period (> 0).
    curve : PayoutCurve
        Multiplier by attainment, e.g. 0.5 at or below 90% NRR, 1.0 at 100%, 1.2 at 110%.
    lower_is_better : bool, optional
        Defaults to the metric's direction.
    """

    metric: str
    target: float
    curve: PayoutCurve
    lower_is_better: bool | None = None

    def __post_init__(self) -> None:
        metric = _metric(self.metric, "multiplier.metric")
        object.__setattr__(self, "target", _real(self.target, "multiplier.target"))
        _instance(self.curve, PayoutCurve, "multiplier.curve")
        lower = (
            METRICS[metric]["lower_is_better"]
            if self.lower_is_better is None
            else self.lower_is_better
        )
        object.__setattr__(self, "lower_is_better", _boolean(lower, "multiplier.lower_is_better"))

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (numbers, strings, lists) that ``from_dict`` reads back."""
        return {
            "metric": self.metric,
            "target": self.target,
            "lower_is_better": self.lower_is_better,
            "curve": self.curve.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Multiplier:
        d = _record(data, "multiplier", ("metric", "target", "curve"), ("lower_is_better",))
        d["curve"] = _curve_from(d["curve"], "multiplier")
        return cls(**d)


@dataclass(frozen=True)
class Clawback:
    """The seller repays `share` of the commission earned on an account that churns at its
    first renewal (12 months after the sale), when that falls within `window_months`.
    Only AE plans can carry one."""

    share: float = 1.0
    window_months: int = 12

    def __post_init__(self) -> None:
        object.__setattr__(self, "share", _real(self.share, "clawback.share"))
        object.__setattr__(
            self, "window_months", _integer(self.window_months, "clawback.window_months")
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (numbers, strings, lists) that ``from_dict`` reads back."""
        return {"share": self.share, "window_months": self.window_months}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Clawback:
        return cls(**_record(data, "clawback", (), ("share", "window_months")))


@dataclass(frozen=True)
class Spif:
    """A fixed `amount` per event of a count metric (e.g. per expansion won), on top of
    variable pay and not scaled by the multiplier."""

    metric: str
    amount: float

    def __post_init__(self) -> None:
        _metric(self.metric, "spif.metric")
        object.__setattr__(self, "amount", _real(self.amount, "spif.amount"))

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (numbers, strings, lists) that ``from_dict`` reads back."""
        return {"metric": self.metric, "amount": self.amount}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Spif:
        return cls(**_record(data, "spif", ("metric", "amount")))


@dataclass(frozen=True)
class Draw:
    """A draw for ramping reps (docs/model.md §7): in each of the first `months` months of a
    rep's tenure, variable pay is topped up to `amount` (currency a month). A `recoverable`
    draw's top-ups are repaid from later variable pay above the draw, and forgiven when the
    rep leaves the seat."""

    amount: float
    months: int
    recoverable: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _real(self.amount, "draw.amount"))
        object.__setattr__(self, "months", _integer(self.months, "draw.months"))
        object.__setattr__(self, "recoverable", _boolean(self.recoverable, "draw.recoverable"))

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (numbers, strings, lists) that ``from_dict`` reads back."""
        return {"amount": self.amount, "months": self.months, "recoverable": self.recoverable}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Draw:
        return cls(**_record(data, "draw", ("amount", "months"), ("recoverable",)))


@dataclass(frozen=True)
class Ratchet:
    """Quota ratchet across years (docs/model.md §7): at each year's end a seat's quota
    factor ``f`` (1 for a new rep) becomes ``f * (1 + up * (A - 1))`` when the year's
    attainment ``A`` of the plan's first measure (a volume metric) exceeds 1, else
    ``f * (1 - down * (1 - A))``. `up` and `down` are in [0, 1]."""

    up: float = 0.0
    down: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "up", _real(self.up, "ratchet.up"))
        object.__setattr__(self, "down", _real(self.down, "ratchet.down"))

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (numbers, strings, lists) that ``from_dict`` reads back."""
        return {"up": self.up, "down": self.down}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ratchet:
        return cls(**_record(data, "ratchet", (), ("up", "down")))


# ---------------------------------------------------------------------------------------
# Plans


@dataclass(frozen=True)
class Plan:
    """A compensation plan for one role, validated on construction.

    Parameters
    ----------
    role : {"ae", "sdr", "csm"}
        The role that carries it; decides which metrics are allowed.
    ote : float
        Annual on-target earnings (> 0).
    base_share : float
        Pay mix: base / OTE, in [0, 1].
    measures : sequence of Measure
        At least one; names unique; weights sum to 1.
    multiplier : Multiplier, optional
    clawback : Clawback, optional
        First-renewal clawback; AE plans only.
    spifs : sequence of Spif
        SPIFs on count metrics allowed for the role.
    name : str, optional
        Defaults to the role.
    target_months : int, optional
        The period the targets are stated for, in months (12: annual targets). When it
        differs from the world's ``period_months`` the engine prorates them to the period
        (:meth:`period_target`). None (the default): targets are per compensation period,
        whatever its length.
    true_up : bool
        With compensation periods shorter than a year, the year's last period pays the annual
        plan on the year's attainment less what the year's earlier periods advanced; an
        advance above the annual plan is recovered (pay field ``true_up_recovery``).
    draw : Draw, optional
        Tops up a ramping rep's variable pay in its first months of tenure.
    ratchet : Ratchet, optional
        Moves a seat's quota from year to year by its attainment of the first measure.

    Raises
    ------
    ValueError
        Naming the field, the value and what is allowed, e.g.
        ``measures[1].weight: 1.4 is not in [0, 1]``; the compiled core checks the same
        rules with the same messages.
    """

    role: str
    ote: float
    base_share: float
    measures: Sequence[Measure]  # stored as a tuple
    multiplier: Multiplier | None = None
    clawback: Clawback | None = None
    spifs: Sequence[Spif] = ()  # stored as a tuple
    name: str | None = None
    target_months: int | None = None
    true_up: bool = False
    draw: Draw | None = None
    ratchet: Ratchet | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.role, str) or self.role not in ROLES:
            _fail("role", f"{shown(self.role)} is not one of {', '.join(ROLES)}")
        object.__setattr__(self, "ote", _real(self.ote, "ote"))
        object.__setattr__(self, "base_share", _real(self.base_share, "base_share"))
        measures = _sequence(self.measures, "measures")
        for k, m in enumerate(measures):
            _instance(m, Measure, f"measures[{k}]")
            if m.name in RESERVED_NAMES:
                raise ValueError(
                    f"measures[{k}].name: {shown(m.name)} is reserved (not allowed: {', '.join(sorted(RESERVED_NAMES))})"
                )
        object.__setattr__(self, "measures", measures)
        spifs = _sequence(self.spifs, "spifs")
        for k, s in enumerate(spifs):
            _instance(s, Spif, f"spifs[{k}]")
        object.__setattr__(self, "spifs", spifs)
        if self.multiplier is not None:
            _instance(self.multiplier, Multiplier, "multiplier")
        if self.clawback is not None:
            _instance(self.clawback, Clawback, "clawback")
        if self.draw is not None:
            _instance(self.draw, Draw, "draw")
        if self.ratchet is not None:
            _instance(self.ratchet, Ratchet, "ratchet")
        object.__setattr__(self, "true_up", _boolean(self.true_up, "true_up"))
        object.__setattr__(
            self, "name", self.role if self.name is None else _text(self.name, "name")
        )
        if self.target_months is not None:
            months = _integer(self.target_months, "target_months")
            if months not in PERIOD_LENGTHS:
                _fail(
                    "target_months", f"{months} is not one of {', '.join(map(str, PERIOD_LENGTHS))}"
                )
            object.__setattr__(self, "target_months", months)
        self._to_core().validate()

    # -- derived -----------------------------------------------------------------------

    @property
    def measure_names(self) -> tuple[str, ...]:
        return tuple(str(m.name) for m in self.measures)

    @property
    def carries_nrr(self) -> bool:
        """True when a measure or the multiplier is NRR (the shared-NRR hand-off, §6)."""
        return bool(self._to_core().carries_nrr())

    def period_target(self, metric: str, target: float, period_months: int) -> float:
        """A target stated for ``target_months`` as it applies to a period of
        ``period_months`` (docs/model.md §7): sums, counts and churn or expansion rates scale
        with the period's length; NRR's and GRR's distance from 1 does."""
        if self.target_months is None or self.target_months == period_months:
            return target
        f = period_months / self.target_months
        if metric == "nrr":
            return 1.0 + (target - 1.0) * f
        if metric == "grr":
            return 1.0 - (1.0 - target) * f
        return target * f

    def target_variable(self, period_months: int = 12) -> float:
        """Target variable pay ``V = ote * (1 - base_share) * period_months / 12``."""
        return self.ote * (1.0 - self.base_share) * (period_months / 12.0)  # as the core does

    def base_pay(self, period_months: int = 12) -> float:
        """Base pay for a period, ``ote * base_share * period_months / 12``."""
        return self.ote * self.base_share * (period_months / 12.0)

    def max_payout(
        self, period_months: int = 12, spif_counts: Mapping[str, float] | None = None
    ) -> float:
        """The most one period's variable pay plus SPIFs can reach:
        ``V * sum(w * curve cap) * multiplier cap + sum(amount * count)``."""
        cap = self.target_variable(period_months) * sum(
            m.weight * m.curve.cap for m in self.measures
        )
        if self.multiplier is not None:
            cap *= self.multiplier.curve.cap
        counts = spif_counts or {}
        return cap + sum(s.amount * float(counts.get(s.metric, 0.0)) for s in self.spifs)

    # -- evaluation --------------------------------------------------------------------

    def payout(
        self,
        actuals: Mapping[str, ArrayLike] | ArrayLike,
        period_months: int = 12,
        spif_counts: ArrayLike | None = None,
    ) -> pd.DataFrame:
        """Pay for one period from actual metric values (vectorised in the core).

        Parameters
        ----------
        actuals : mapping or 2-D array
            Either a mapping from a measure name or metric name to a number or 1-D array
            (all broadcast to one length n); the multiplier's actual under ``"multiplier"``
            or its metric name; SPIF counts under the SPIF's metric name (0 when absent).
            Or an ``(n, k)`` array with one column per measure, in order, then one for the
            multiplier's metric when the plan has a multiplier.
        period_months : int
            Length of the period (targets are per period).
        spif_counts : array, optional
            ``(n, len(spifs))`` event counts, overriding those found in a mapping.

        Returns
        -------
        pandas.DataFrame
            One row per actuals row, columns ``base``, ``variable`` (measure payouts after
            gates and multiplier), ``spif``, ``total`` (their sum, before clawbacks) and one
            column per measure name with that measure's payout.

        Raises
        ------
        ValueError
            For a missing or unknown key, a non-finite actual (naming the measure) or a
            badly shaped array.
        """
        period_months = _integer(period_months, "period_months")
        if isinstance(actuals, Mapping):
            matrix, counts = self._actuals_from_mapping(actuals)
        else:
            matrix = self._float_array(actuals, "actuals")
            if matrix.ndim != 2:
                raise ValueError(
                    f"actuals: expected a mapping or a 2-D array, got shape {matrix.shape}"
                )
            counts = np.zeros((matrix.shape[0], len(self.spifs)))
        if spif_counts is not None:
            counts = self._float_array(spif_counts, "spif_counts")
            if counts.ndim == 1 and len(self.spifs) == 1:
                counts = counts[:, None]
        res = _core.plan_payout(self._to_core(period_months), matrix, period_months, counts)
        df = pd.DataFrame({"base": res["base"], "variable": res["variable"], "spif": res["spif"]})
        df["total"] = df["base"] + df["variable"] + df["spif"]
        for k, name in enumerate(self.measure_names):
            df[name] = res["measures"][:, k]
        return df

    def payout_at_attainment(
        self,
        attainments: ArrayLike,
        period_months: int = 12,
        multiplier_attainment: float | None = None,
    ) -> pd.DataFrame:
        """Pay with every measure at the same attainment, for payout tables.

        Each measure's actual is set so that its attainment is the given one (for a
        lower-is-better measure, ``target * (2 - a)``); the multiplier reads
        `multiplier_attainment` (default: the same attainment); SPIFs count 0.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``attainment``; the columns of :meth:`payout` plus ``pct_of_target``
            (variable pay over target variable pay; 0 when the plan has no variable pay).
        """
        a = self._float_array(attainments, "attainments").ravel()
        cols = [
            self._actual_at(
                self.period_target(m.metric, m.target, period_months), bool(m.lower_is_better), a
            )
            for m in self.measures
        ]
        if self.multiplier is not None:
            ma = (
                a
                if multiplier_attainment is None
                else np.full_like(a, _real(multiplier_attainment, "multiplier_attainment"))
            )
            cols.append(
                self._actual_at(
                    self.period_target(
                        self.multiplier.metric, self.multiplier.target, period_months
                    ),
                    bool(self.multiplier.lower_is_better),
                    ma,
                )
            )
        df = self.payout(np.column_stack(cols) if cols else np.zeros((a.size, 0)), period_months)
        v = self.target_variable(period_months)
        df.insert(3, "pct_of_target", df["variable"] / v if v > 0 else 0.0)
        df.index = pd.Index(a, name="attainment")
        return df

    @staticmethod
    def _actual_at(
        target: float, lower_is_better: bool, a: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        return target * (2.0 - a) if lower_is_better else target * a

    @staticmethod
    def _float_array(value: Any, where: str) -> NDArray[np.float64]:
        try:
            return np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{where}: {shown(value)} is not numeric") from e

    def _actuals_from_mapping(
        self, actuals: Mapping[str, Any]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        by_key: dict[str, NDArray[np.float64]] = {}
        for key, value in actuals.items():
            arr = self._float_array(value, f"actuals[{shown(key)}]")
            if arr.ndim > 1:
                raise ValueError(
                    f"actuals[{shown(key)}]: expected a number or a 1-D array, got shape {arr.shape}"
                )
            by_key[key] = arr
        known = {
            *self.measure_names,
            *(m.metric for m in self.measures),
            *(s.metric for s in self.spifs),
        }
        if self.multiplier is not None:
            known |= {"multiplier", self.multiplier.metric}
        for key in by_key:
            if key not in known:
                raise ValueError(
                    f"actuals: {shown(key)} is not a measure, metric, multiplier or SPIF of plan {shown(self.name)} "
                    f"(known: {', '.join(sorted(known))})"
                )

        def lookup(keys: Sequence[str], what: str) -> NDArray[np.float64]:
            for key in keys:
                if key in by_key:
                    return by_key[key]
            raise ValueError(
                f"actuals: no value for {what} (give it under {' or '.join(repr(k) for k in keys)})"
            )

        columns = [
            lookup((str(m.name), m.metric), f"measure {shown(m.name)}") for m in self.measures
        ]
        if self.multiplier is not None:
            columns.append(lookup(("multiplier", self.multiplier.metric), "the multiplier"))
        counts = [by_key.get(s.metric, np.zeros(())) for s in self.spifs]
        try:  # a plan has at least one measure, so `columns` is never empty
            arrays = [np.atleast_1d(x) for x in np.broadcast_arrays(*columns, *counts)]
        except ValueError as e:
            raise ValueError(f"actuals: arrays of different lengths ({e})") from None
        n = arrays[0].shape[0]
        matrix = np.column_stack(arrays[: len(columns)]) if columns else np.zeros((n, 0))
        spifs = (
            np.column_stack(arrays[len(columns) : len(columns) + len(counts)])
            if counts
            else np.zeros((n, 0))
        )
        return np.ascontiguousarray(matrix), np.ascontiguousarray(spifs)

    # -- presentation ------------------------------------------------------------------

    def _repr_html_(self) -> str:
        from complab.display import plan_html

        return plan_html(self)

    def describe(self, period_months: int = 12) -> pd.DataFrame:
        """A table of the plan, one row per measure.

        Columns: plan, role, ote, base and variable (annual), measure, metric, weight,
        target (per period of `period_months`), direction, curve (points as
        attainment→payout), gate, and the plan-wide multiplier, clawback and SPIFs.
        """
        multiplier = (
            ""
            if self.multiplier is None
            else (
                f"{self.multiplier.metric} vs {self.multiplier.target:g} "
                f"({'lower' if self.multiplier.lower_is_better else 'higher'} is better): "
                f"{self.multiplier.curve.describe()}"
            )
        )
        clawback = (
            ""
            if self.clawback is None
            else (
                f"{_percent(self.clawback.share)} of commission within {self.clawback.window_months} months"
            )
        )
        spifs = "; ".join(f"{s.amount:,.2f} per {s.metric}" for s in self.spifs)
        rows = []
        for m in self.measures:
            gate = ""
            if m.gate is not None:
                g = (
                    m.gate.measure
                    if isinstance(m.gate.measure, str)
                    else self.measure_names[m.gate.measure]
                )
                gate = f"{g} attainment >= {_percent(m.gate.min_attainment)}"
            rows.append(
                {
                    "plan": self.name,
                    "role": self.role,
                    "ote": self.ote,
                    "base": self.base_pay(),
                    "variable": self.target_variable(),
                    "measure": m.name,
                    "metric": m.metric,
                    "weight": m.weight,
                    "target": m.target,
                    "direction": m.direction,
                    "curve": m.curve.describe(),
                    "gate": gate,
                    "multiplier": multiplier,
                    "clawback": clawback,
                    "spifs": spifs,
                }
            )
        return pd.DataFrame(rows)

    # -- conversion --------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain types (str, float, int, bool, None, list, dict) for JSON or YAML;
        :meth:`from_dict` gives back an equal plan."""
        return {
            "name": self.name,
            "role": self.role,
            "ote": self.ote,
            "base_share": self.base_share,
            "measures": [m.to_dict() for m in self.measures],
            "multiplier": None if self.multiplier is None else self.multiplier.to_dict(),
            "clawback": None if self.clawback is None else self.clawback.to_dict(),
            "spifs": [s.to_dict() for s in self.spifs],
            **({} if self.target_months is None else {"target_months": self.target_months}),
            "true_up": self.true_up,
            "draw": None if self.draw is None else self.draw.to_dict(),
            "ratchet": None if self.ratchet is None else self.ratchet.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        """Build a plan from :meth:`to_dict`'s form (e.g. read from a scenario file).

        Raises
        ------
        ValueError
            Naming the key path, e.g. ``measures[1].curve.payout[0]: -1 is not ...``.
        """
        required = ("role", "ote", "base_share", "measures")
        d = _record(data, "plan", required, tuple(k for k in _PLAN_KEYS if k not in required))
        measures = []
        for k, m in enumerate(_sequence(d["measures"], "measures")):
            try:
                measures.append(Measure.from_dict(m))
            except ValueError as e:
                raise _reraise_under(f"measures[{k}]", e, own="measure") from None
        d["measures"] = measures
        for key, cls_ in (
            ("multiplier", Multiplier),
            ("clawback", Clawback),
            ("draw", Draw),
            ("ratchet", Ratchet),
        ):
            if d.get(key) is not None:
                d[key] = cls_.from_dict(d[key])  # type: ignore[attr-defined]
        spifs = []
        for k, s in enumerate(_sequence(d.get("spifs", ()), "spifs")):
            try:
                spifs.append(Spif.from_dict(s))
            except ValueError as e:
                raise _reraise_under(f"spifs[{k}]", e, own="spif") from None
        d["spifs"] = spifs
        return cls(**d)

    def _to_core(self, period_months: int | None = None) -> Any:
        """The compiled core's plan struct (what the engine evaluates), its targets for a
        period of ``period_months`` (None: as stated)."""

        def target(metric: str, value: float) -> float:
            return (
                value if period_months is None else self.period_target(metric, value, period_months)
            )

        core = _core.Plan()
        core.name = str(self.name)
        core.role = getattr(_core.Role, self.role)
        core.ote = self.ote
        core.base_share = self.base_share
        measures = []
        for k, m in enumerate(self.measures):
            cm = _core.Measure()
            cm.name = str(m.name)
            cm.metric = getattr(_core.Metric, m.metric)
            cm.weight = m.weight
            cm.target = target(m.metric, m.target)
            cm.lower_is_better = bool(m.lower_is_better)
            cm.curve = m.curve._to_core()
            if m.gate is not None:
                cm.gate = _core.Gate(self._gate_index(k, m.gate), m.gate.min_attainment)
            measures.append(cm)
        core.measures = measures
        if self.multiplier is not None:
            mu = _core.Multiplier()
            mu.metric = getattr(_core.Metric, self.multiplier.metric)
            mu.target = target(self.multiplier.metric, self.multiplier.target)
            mu.lower_is_better = bool(self.multiplier.lower_is_better)
            mu.curve = self.multiplier.curve._to_core()
            core.multiplier = mu
        if self.clawback is not None:
            core.clawback = _core.Clawback(self.clawback.share, self.clawback.window_months)
        core.spifs = [_core.Spif(getattr(_core.Metric, s.metric), s.amount) for s in self.spifs]
        core.true_up = self.true_up
        if self.draw is not None:
            core.draw = _core.Draw(self.draw.amount, self.draw.months, self.draw.recoverable)
        if self.ratchet is not None:
            core.ratchet = _core.Ratchet(self.ratchet.up, self.ratchet.down)
        return core

    def _gate_index(self, k: int, gate: Gate) -> int:
        if not isinstance(gate.measure, str):
            if not 0 <= gate.measure < len(self.measures) or gate.measure == k:
                raise ValueError(  # as the core says it, before its int could overflow
                    f"measures[{k}].gate.measure: {gate.measure} is not the index of another "
                    f"measure (allowed: 0..{len(self.measures) - 1} except {k})"
                )
            return gate.measure
        names = self.measure_names
        if gate.measure not in names:
            raise ValueError(
                f"measures[{k}].gate.measure: {shown(gate.measure)} is not the name of a measure "
                f"(names: {', '.join(names)})"
            )
        if names.index(gate.measure) == k:
            raise ValueError(
                f"measures[{k}].gate.measure: {shown(gate.measure)} is this measure; a measure cannot "
                "gate itself (name another measure)"
            )
        return names.index(gate.measure)


# ---------------------------------------------------------------------------------------
# Defaults and tables


def example_plans(
    *,
    ae_ote: float = 160_000.0,
    ae_base_share: float = 0.5,
    ae_new_arr_target: float = 640_000.0,
    ae_expansion_arr_target: float = 160_000.0,
    ae_clawback: Clawback | None = None,
    sdr_ote: float = 80_000.0,
    sdr_base_share: float = 0.65,
    sdr_opportunities_target: float = 60.0,
    sdr_pipeline_target: float = 2_400_000.0,
    sdr_sourced_wins_target: float = 15.0,
    csm_ote: float = 110_000.0,
    csm_base_share: float = 0.8,
    csm_gross_churn_target: float = 0.08,
    csm_nrr_target: float = 1.05,
) -> dict[str, Plan]:
    """Example plans after article 000, one per role (keys ``ae``, ``sdr``, ``csm``), with
    their numbers as keyword arguments: a starting point for a plan of one's own, and for
    :func:`payout_table`.

    These are not the default scenario's plans, which are per segment with targets
    calibrated to its world: those are :func:`complab.default_plans` (the plans of
    :func:`complab.presets.default`).

    * **ae**: pay mix 50/50; 50% on new ARR with a commission curve (M = A to quota, 1.5x
      from 100% to 125%, 2x beyond, capped at 300%), 50% on expansion ARR (linear to 200%).
      Optional first-renewal clawback (`ae_clawback`, off by default).
    * **sdr**: pay mix 65/35; 40% on opportunities created, 30% on pipeline created and
      30% on sourced wins (wins on opportunities it created), each linear to 200%.
    * **csm**: pay mix 80/20; 65% on gross churn (lower is better, linear from 0 to 150%:
      less upside for the lower-risk role) and 35% on NRR, paying 0 at 10 points below
      target, 50% at 5 below, 100% at target and 200% at 10 points above.

    Parameters
    ----------
    ae_ote, sdr_ote, csm_ote : float
        Annual on-target earnings, in currency.
    ae_base_share, sdr_base_share, csm_base_share : float
        Base / OTE.
    ae_new_arr_target, ae_expansion_arr_target, sdr_pipeline_target : float
        Targets per compensation period, in currency (defaults assume 12-month periods).
    sdr_opportunities_target, sdr_sourced_wins_target : float
        Counts per period.
    csm_gross_churn_target : float
        Share of the book's ARR lost per period (0.08 = 8%).
    csm_nrr_target : float
        Net revenue retention of the book over the period (1.05 = 105%).
    ae_clawback : Clawback, optional
        E.g. ``Clawback(share=1.0, window_months=12)`` for the ``000`` article's preset.
    """
    ae = Plan(
        role="ae",
        ote=ae_ote,
        base_share=ae_base_share,
        measures=(
            Measure("new_arr", 0.5, ae_new_arr_target, PayoutCurve.commission()),
            Measure("expansion_arr", 0.5, ae_expansion_arr_target, PayoutCurve.linear(cap=2.0)),
        ),
        clawback=ae_clawback,
    )
    sdr = Plan(
        role="sdr",
        ote=sdr_ote,
        base_share=sdr_base_share,
        measures=(
            Measure("opportunities", 0.4, sdr_opportunities_target, PayoutCurve.linear(cap=2.0)),
            Measure("pipeline_created", 0.3, sdr_pipeline_target, PayoutCurve.linear(cap=2.0)),
            Measure("sourced_wins", 0.3, sdr_sourced_wins_target, PayoutCurve.linear(cap=2.0)),
        ),
    )
    t = _real(csm_nrr_target, "csm_nrr_target")
    csm = Plan(
        role="csm",
        ote=csm_ote,
        base_share=csm_base_share,
        measures=(
            Measure("gross_churn", 0.65, csm_gross_churn_target, PayoutCurve.linear(cap=1.5)),
            Measure(
                "nrr",
                0.35,
                t,
                PayoutCurve.from_actuals(
                    [(t - 0.10, 0.0), (t - 0.05, 0.5), (t, 1.0), (t + 0.10, 2.0)], target=t
                ),
            ),
        ),
    )
    return {"ae": ae, "sdr": sdr, "csm": csm}


def payout_table(
    plans: Mapping[str, Plan] | Iterable[Plan],
    attainments: ArrayLike | None = None,
    period_months: int = 12,
) -> pd.DataFrame:
    """Variable payout of each plan with all its measures at the same attainment.

    Parameters
    ----------
    plans : mapping of label to Plan, or iterable of Plan
        Labelled by the mapping's keys, else by the plans' names (which must then differ).
    attainments : array-like, optional
        Default 0% to 200% in steps of 10% (``numpy.linspace(0, 2, 21)``, rounded so that
        ``table.loc[1.2]`` finds its row).
    period_months : int
        Period length for the currency amounts.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``attainment``; columns a MultiIndex ``(plan label, field)`` with fields
        ``pct_of_target`` (variable pay over target variable pay, as a fraction: 1.2 is
        120%) and ``payout`` (variable pay plus SPIFs, here 0, in currency per period). A
        plan's multiplier is read at the same attainment as its measures. See
        :meth:`Plan.payout_at_attainment`.
    """
    if attainments is None:
        attainments = np.round(np.linspace(0.0, 2.0, 21), 10)  # 1.2, not 1.2000000000000002
    if isinstance(plans, Mapping):
        items = [(str(k), _instance(p, Plan, f"plans[{shown(k)}]")) for k, p in plans.items()]
    else:
        items = [
            (str(_instance(p, Plan, f"plans[{k}]").name), p)
            for k, p in enumerate(_sequence(plans, "plans"))
        ]
        labels = [label for label, _ in items]
        if len(set(labels)) != len(labels):
            raise ValueError(f"plans: names {labels} repeat; pass a mapping of distinct labels")
    frames = {}
    for label, plan in items:
        df = plan.payout_at_attainment(attainments, period_months)
        frames[label] = pd.DataFrame(
            {"pct_of_target": df["pct_of_target"], "payout": df["variable"] + df["spif"]}
        )
    return pd.concat(frames, axis=1, names=["plan", "field"])
