"""The best plan within constraints: :func:`optimize`.

Decision variables are dotted paths with bounds; the objective and the constraints are
statistics of KPIs over trials (docs/model.md §12)::

    best = complab.optimize(
        scenario,
        decisions={"plans.csm.ote": (70_000, 110_000), "plans.csm.weights": (0.0, 1.0)},
        objective="max mean(nrr)",
        constraints=["p90(comp_csm) <= 1_200_000", "p10(earnings_to_ote:csm) >= 0.8"],
        trials=1000,
        seed=7,
    )

Sample-average approximation on common random numbers: every candidate is judged on the
same trials (one seed), so differences between candidates are not noise, and the
statistics are deterministic functions of the decisions. Plan-only decisions in fixed mode
re-pay one simulated world (:meth:`Result.repay`'s payroll, thousands of candidates a
second); any other decision (a world field, or any decision in responsive mode) simulates
every candidate on the same seed. The winner's KPIs are then estimated again on trials the
optimiser never saw (another seed), so the figures reported carry no optimiser's curse.
"""

from __future__ import annotations

import ast
import concurrent.futures as cf
import dataclasses
import fnmatch
import json
import math
import operator
import os
import pickle
import re
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from complab import _core, people
from complab.display import Table
from complab.engine import resolve_seed, simulate
from complab.locked_file import Busy, LockedFile
from complab.plans import Plan
from complab.result import Result, own_terms_ratios, scaled_terms
from complab.scenario import ROLES, Scenario, _expand_path, _find_item, _set_path, _split_path

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["OptimizeInterrupted", "Optimum", "optimize"]

CHECKPOINT_FORMAT = "complab-optimize-checkpoint/1"
#: Bootstrap resamples behind the intervals of re-estimated statistics.
BOOTSTRAP = 400
_STAT = re.compile(r"^(mean|sd|median|p(\d{1,2}))$")
_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_UNJUDGED = 1e12
_SENSES = {
    "max": "max",
    "maximise": "max",
    "maximize": "max",
    "min": "min",
    "minimise": "min",
    "minimize": "min",
}


class OptimizeInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`optimize`. ``evaluations`` holds every candidate judged so far
    (decisions, statistics, feasibility); with a checkpoint they are in its file too, and
    the same call again resumes from them."""

    def __init__(self, evaluations: pd.DataFrame, checkpoint: Path | None) -> None:
        where = "this exception's .evaluations" + (
            f" and the checkpoint {str(checkpoint)!r}" if checkpoint is not None else ""
        )
        super().__init__(
            f"optimize interrupted after {len(evaluations)} evaluations; they are in {where}"
        )
        self.evaluations = evaluations
        self.checkpoint = checkpoint


# -- statistics of KPIs ---------------------------------------------------------------------------
class Statistic:
    """A parsed KPI statistic expression, e.g. ``"p50(arr_end - comp_total)"`` or
    ``"mean(nrr) - 1e-7 * mean(comp_csm)"``.

    Inside a statistic (``mean``, ``sd``, ``median``, ``p1`` … ``p99``) is a per-trial
    expression of KPIs (names as in :meth:`Comparison.table`, ``"nrr:smb"`` included) with
    numbers and ``+ - * /``; a per-rep KPI, ``earnings_to_ote:<role>`` (each rep's annual
    earnings over its OTE), stands alone inside its statistic. Outside, statistics combine
    with numbers and ``+ - * /``.
    """

    def __init__(self, text: str, where: str) -> None:
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: {text!r} is not a statistic such as 'mean(nrr)'")
        self.text = " ".join(text.split())
        self.where = where
        coded = re.sub(r"\b([A-Za-z_]\w*):([A-Za-z_][\w]*)", r"\1__C__\2", self.text)
        try:
            tree = ast.parse(coded, mode="eval").body
        except SyntaxError:
            raise ValueError(
                f"{where}: {self.text!r} is not an expression of statistics, e.g. "
                "'mean(nrr)', 'p90(comp_csm)', 'p50(arr_end - comp_total)'"
            ) from None
        self.names: set[str] = set()
        self._fn = self._outer(tree)

    def _fail(self, what: str) -> ValueError:
        return ValueError(f"{self.where}: {self.text!r}: {what}")

    def _outer(self, node: ast.AST) -> Callable[[Mapping[str, np.ndarray]], float]:
        if isinstance(node, ast.Constant) and _is_number(node.value):
            value = float(node.value)  # type: ignore[arg-type]
            return lambda kpis: value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self._outer(node.operand)
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
            return lambda kpis: sign * inner(kpis)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right, op = self._outer(node.left), self._outer(node.right), _OPS[type(node.op)]
            return lambda kpis: _safe(op, left(kpis), right(kpis))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            match = _STAT.match(node.func.id)
            if not match or len(node.args) != 1 or node.keywords:
                raise self._fail(
                    f"{node.func.id}(...) is not a statistic; use mean, sd, median or p1 … p99 "
                    "of one expression"
                )
            name = node.func.id
            q = 50.0 if name == "median" else float(match.group(2)) if match.group(2) else None
            if q is not None and not 1 <= q <= 99:
                raise self._fail(f"{name}: percentiles run from p1 to p99")
            inner = self._inner(node.args[0])

            def stat(kpis: Mapping[str, np.ndarray]) -> float:
                v = np.asarray(inner(kpis), dtype=float).reshape(-1)
                v = v[np.isfinite(v)]
                if len(v) == 0:
                    return math.nan
                if name == "mean":
                    return float(v.mean())
                if name == "sd":
                    return float(v.std(ddof=1)) if len(v) > 1 else math.nan
                return float(np.percentile(v, q if q is not None else 50.0))

            return stat
        if isinstance(node, ast.Name):
            raise self._fail(
                f"the KPI {_decode(node.id)!r} needs a statistic around it, e.g. mean({_decode(node.id)})"
            )
        raise self._fail("only numbers, statistics and + - * / are allowed")

    def _inner(self, node: ast.AST) -> Callable[[Mapping[str, np.ndarray]], Any]:
        if isinstance(node, ast.Constant) and _is_number(node.value):
            value = float(node.value)  # type: ignore[arg-type]
            return lambda kpis: value
        if isinstance(node, ast.Name):
            name = _decode(node.id)
            self.names.add(name)
            return lambda kpis: kpis[name]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self._inner(node.operand)
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
            return lambda kpis: sign * inner(kpis)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right, op = self._inner(node.left), self._inner(node.right), _OPS[type(node.op)]
            if any(n.startswith("earnings_to_ote:") for n in self.names):
                raise self._fail(
                    "a per-rep KPI (earnings_to_ote:<role>) stands alone in its statistic"
                )

            def combined(kpis: Mapping[str, np.ndarray]) -> Any:
                with np.errstate(divide="ignore", invalid="ignore"):
                    return op(left(kpis), right(kpis))

            return combined
        if isinstance(node, ast.Call):
            raise self._fail("statistics do not nest; put KPIs and numbers inside one statistic")
        raise self._fail("only KPIs, numbers and + - * / are allowed inside a statistic")

    def check(self, known: Sequence[str]) -> None:
        """Every KPI named is one of `known`."""
        for name in sorted(self.names):
            if name not in known:
                raise self._fail(f"{name!r} is not a KPI; KPIs: {', '.join(known)}")

    def __call__(self, kpis: Mapping[str, np.ndarray]) -> float:
        return float(self._fn(kpis))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _decode(name: str) -> str:
    return name.replace("__C__", ":")


def _safe(op: Callable[[Any, Any], Any], a: float, b: float) -> float:
    try:
        return float(op(a, b))
    except ZeroDivisionError:
        return math.nan


def _objective(text: Any, where: str) -> tuple[str, Statistic]:
    if not isinstance(text, str):
        raise ValueError(f"{where}: {text!r} is not a string such as 'max mean(nrr)'")
    sense, _, rest = text.strip().partition(" ")
    if sense.lower() not in _SENSES:
        raise ValueError(
            f"{where}: {text!r} does not start with max or min (e.g. 'max mean(nrr)', "
            "'min p90(comp_total)')"
        )
    return _SENSES[sense.lower()], Statistic(rest, where)


class Constraint:
    """``"<statistic> <= <statistic>"`` (or ``>=``), e.g. ``"p90(comp_csm) <= 1_200_000"``;
    held as ``g <= 0`` with ``g = lhs - rhs`` (or ``rhs - lhs``)."""

    def __init__(self, text: Any, where: str) -> None:
        if not isinstance(text, str):
            raise ValueError(f"{where}: {text!r} is not a string such as 'p90(comp_csm) <= 1e6'")
        match = re.fullmatch(r"(.+?)(<=|>=|≤|≥)(.+)", text.strip())
        if not match:
            raise ValueError(
                f"{where}: {text!r} is not '<statistic> <= <value>' or '>='; e.g. "
                "'p90(comp_csm) <= 1_200_000', 'mean(cost_of_sales) <= 0.2'"
            )
        self.text = " ".join(text.split())
        self.lhs = Statistic(match.group(1), where)
        self.rhs = Statistic(match.group(3), where)
        self.upper = match.group(2) in ("<=", "≤")
        self.names = self.lhs.names | self.rhs.names

    def slack(self, kpis: Mapping[str, np.ndarray]) -> float:
        """``g``: at most 0 when the constraint holds (NaN when it cannot be computed)."""
        lhs, rhs = self.lhs(kpis), self.rhs(kpis)
        return lhs - rhs if self.upper else rhs - lhs

    def measure(self, kpis: Mapping[str, np.ndarray]) -> tuple[float, float]:
        """``g`` (as :meth:`slack`) and a size for relative tolerances: the larger side's
        magnitude (at least 1e-9)."""
        lhs, rhs = self.lhs(kpis), self.rhs(kpis)
        g = lhs - rhs if self.upper else rhs - lhs
        return g, max(abs(lhs), abs(rhs), 1e-9)


# -- decisions -------------------------------------------------------------------------------------
class _Decision:
    """One decision path: a number, or a plan's measure weights (``plans.<key>.weights``),
    kept summing to 1 by giving the optimiser all but the last."""

    def __init__(self, scenario: Scenario, path: Any, bounds: Any) -> None:
        if not isinstance(path, str):
            raise ValueError(f"decisions: path {path!r} is not a string")
        self.path = path
        where = f"decisions[{path!r}]"
        if (
            isinstance(bounds, (str, bytes))
            or not isinstance(bounds, (tuple, list))
            or len(bounds) != 2
            or not all(_is_number(b) and math.isfinite(b) for b in bounds)
        ):
            raise ValueError(f"{where}: {bounds!r} is not bounds (low, high), two finite numbers")
        self.low, self.high = float(bounds[0]), float(bounds[1])
        if not self.low < self.high:
            raise ValueError(f"{where}: low {self.low:g} is not below high {self.high:g}")
        parts = _split_path(path)
        self.plan_only = parts[0] == "plans"
        self.weights = parts[-1] == "weights" and self.plan_only and len(parts) == 3
        if self.weights:
            keys = [k for k in scenario.plans if fnmatch.fnmatchcase(k, parts[1])]
            if not keys:
                raise ValueError(
                    f"{where}: no plan matches {parts[1]!r} (plans: {', '.join(scenario.plans)})"
                )
            names = {scenario.plans[k].measure_names for k in keys}
            if len(names) > 1:
                raise ValueError(
                    f"{where}: the plans it matches have different measures {sorted(names)}"
                )
            self.keys = keys
            self.measures = next(iter(names))
            if len(self.measures) < 2:
                raise ValueError(f"{where}: plan {keys[0]!r} has one measure; its weight is 1")
            if not 0 <= self.low and self.high <= 1:
                raise ValueError(
                    f"{where}: weights' bounds must lie in [0, 1], got ({self.low:g}, {self.high:g})"
                )
            if self.low * len(self.measures) > 1 or self.high * len(self.measures) < 1:
                raise ValueError(
                    f"{where}: no {len(self.measures)} weights in [{self.low:g}, {self.high:g}] sum to 1"
                )
            current = [m.weight for m in scenario.plans[keys[0]].measures]
            self.start = np.clip(current[:-1], self.low, self.high)
            self.size = len(self.measures) - 1
            self.integer = False
            return
        data = scenario.to_dict()
        try:
            self.targets = [".".join(p) for p in _expand_path(data, parts, path)]
            value = _read_path(data, _split_path(self.targets[0]), path)
        except ValueError:
            value = None
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError(f"{where}: {path} is {value!r}, not a number; decisions are numbers")
        try:
            scenario.with_({path: "×1"})
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None
        if value is None:  # with_ took the path, so it names a number
            raise ValueError(f"{where}: {path} names no single number")
        self.integer = isinstance(value, int)
        self.start = np.array([min(max(float(value), self.low), self.high)])
        self.size = 1

    def edits(self, values: np.ndarray) -> dict[str, Any]:
        """Dotted-path edits for the optimiser's values of this decision."""
        if self.weights:
            w = list(map(float, values)) + [1.0 - float(np.sum(values))]
            return {
                f"plans.{key}.measures[{i}].weight": wi
                for key in self.keys
                for i, wi in enumerate(w)
            }
        value: Any = float(values[0])
        if self.integer:
            value = int(round(value))
        return {target: value for target in self.targets}


def _read_path(data: Any, parts: list[str], full: str) -> Any:
    node = data
    for head in parts:
        if "*" in head:
            raise ValueError(
                f"decisions[{full!r}]: give one field, or plan weights, without '*' here"
            )
        if isinstance(node, list):
            k = _find_item(node, head)
            node = node[k] if k is not None else None
        elif isinstance(node, dict):
            node = node.get(head)
        if node is None:
            raise ValueError(f"decisions[{full!r}]: names nothing in the scenario")
    return node


# -- evaluating candidates ---------------------------------------------------------------------------
class _Judge:
    """KPIs of candidate plans on one fixed set of trials (common random numbers)."""

    def __init__(
        self,
        scenario: Scenario,
        decisions: list[_Decision],
        trials: int,
        seed: int,
        year: int,
        threads: int | None,
        trials_per_draw: int,
        names: set[str],
        progress: bool,
    ) -> None:
        self.scenario = scenario
        self.decisions = decisions
        self.trials = trials
        self.seed = seed
        self.year = year
        self.threads = threads
        self.trials_per_draw = trials_per_draw
        self.names = names
        self.repay = all(d.plan_only for d in decisions) and not scenario.responsive
        self.mode = "repay" if self.repay else "simulate"
        self.base: Result | None = None
        if self.repay:
            self.base = simulate(
                scenario,
                trials=trials,
                seed=seed,
                threads=threads,
                trials_per_draw=trials_per_draw,
                progress=progress,
            )
            self.world_kpis = _year_kpis(self.base, year)
            self.roles = self.base.roster["role"].to_numpy()
            self.segments = self.base.roster["segment"].to_numpy()
            self.rep_plan = list(_core.roster(scenario._to_core())[2])
            self.plan_dicts = {k: p.to_dict() for k, p in scenario.plans.items()}
            self.cores = {
                k: p._to_core(scenario.world.period_months) for k, p in scenario.plans.items()
            }
            # Only the reps whose plans the decisions touch are paid again.
            keys = list(scenario.plans)
            touched = {_split_path(p)[1] for d in decisions for p in d.edits(d.start)}
            self.reps = np.array(
                [i for i, k in enumerate(self.rep_plan) if k >= 0 and keys[k] in touched], dtype=int
            )
            # The payroll runs without the GIL: split the trials across threads.
            workers = max(1, min(threads or os.cpu_count() or 1, 16, trials // 50 or 1))
            self.slices = np.array_split(np.arange(trials), workers)
            raw, churn = self.base.arrays["rep_raw"], self.base.arrays["first_renewal_churn"]
            self.raw = [np.ascontiguousarray(raw[idx][:, self.reps]) for idx in self.slices]
            self.churn = [np.ascontiguousarray(churn[idx][:, self.reps]) for idx in self.slices]
            # Each seat's pay terms and tenure (docs/model.md §9): the world's, so re-paying
            # pays vacant, ramping and late-starting seats as the simulation does.
            terms = self.base.arrays.get("rep_terms")
            tenure = self.base.arrays.get("rep_tenure")
            self.terms = [
                None if terms is None else np.ascontiguousarray(terms[idx][:, self.reps])
                for idx in self.slices
            ]
            self.tenure = [
                None if tenure is None else np.ascontiguousarray(tenure[idx][:, self.reps])
                for idx in self.slices
            ]
            # Named reps' own OTE and quota are amounts: a candidate moving their plan's OTE
            # or first target moves their scales (Result.repay does the same).
            self.core = scenario._to_core()
            self.own_terms = bool(scenario.world.workforce.roster)
            own = self.base.arrays.get("rep_own_terms")
            self.own = [
                None if own is None else np.ascontiguousarray(own[idx][:, self.reps])
                for idx in self.slices
            ]
            self.annual = _annual_earnings(self.base.arrays["pay"], scenario, year)
            self.ote_years = people.ote_carried(self.base, year)
            # The part of it carried on named reps' own terms, which a candidate rescales.
            self.own_ote_years = None
            if own is not None:
                per_year = 12 // scenario.world.period_months
                in_year = slice((year - 1) * per_year, year * per_year)
                months = scenario.world.period_months / 12
                self.own_ote_years = own[:, :, in_year, 1].sum(axis=2) * months
            self.pool = cf.ThreadPoolExecutor(workers) if workers > 1 else None

    def close(self) -> None:
        """Stop the payroll threads."""
        pool = getattr(self, "pool", None)
        if pool is not None:
            pool.shutdown(wait=True)
            self.pool = None

    def scenario_for(self, x: np.ndarray) -> Scenario:
        """The candidate scenario (validated)."""
        return self.scenario.with_(self._edits(x))

    def _edits(self, x: np.ndarray) -> dict[str, Any]:
        edits: dict[str, Any] = {}
        i = 0
        for d in self.decisions:
            edits.update(d.edits(x[i : i + d.size]))
            i += d.size
        return edits

    def kpis(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """The candidate's KPI arrays for the year; ValueError for an invalid plan."""
        if not self.repay:
            result = simulate(
                self.scenario_for(x),
                trials=self.trials,
                seed=self.seed,
                threads=self.threads,
                trials_per_draw=self.trials_per_draw,
            )
            return _year_kpis(result, self.year)
        assert self.base is not None
        plans = dict(self.scenario.plans)
        edits = self._edits(x)
        touched = {_split_path(p)[1] for p in edits}
        data = {"plans": {k: pickle.loads(pickle.dumps(self.plan_dicts[k])) for k in touched}}
        for path, value in edits.items():
            _set_path(data, _split_path(path), value, path)
        cores = dict(self.cores)
        for key in touched:
            try:
                plans[key] = Plan.from_dict(data["plans"][key])
            except ValueError as err:
                raise ValueError(f"plans.{key}.{err}") from None
            cores[key] = plans[key]._to_core(self.scenario.world.period_months)
        plan_list = [cores[k] for k in plans]
        rep_plan = [self.rep_plan[i] for i in self.reps]
        months = self.scenario.world.period_months
        ratios, ote_years = None, self.ote_years
        if self.own_terms:
            moved = own_terms_ratios(self.core, self.scenario_for(x)._to_core())
            if moved is not None:
                ratios = (moved[0][self.reps], moved[1][self.reps])
                assert self.own_ote_years is not None
                ote_years = ote_years + self.own_ote_years * (moved[1][None, :] - 1.0)

        def pay_part(i: int) -> np.ndarray:
            return _core.evaluate_payroll(
                plan_list,
                self.raw[i],
                self.churn[i],
                rep_plan,
                months,
                scaled_terms(self.terms[i], self.own[i], ratios),
                self.tenure[i],
                threads=1,  # the slices are this search's threads
            )[0]

        parts = (
            list(self.pool.map(pay_part, range(len(self.slices))))
            if self.pool is not None
            else [pay_part(0)]
        )
        pay = np.concatenate(parts) if len(parts) > 1 else parts[0]
        annual = self.annual.copy()
        annual[:, self.reps] = _annual_earnings(pay, self.scenario, self.year)
        out = dict(self.world_kpis)
        out.update(_comp_kpis(annual, self.roles, self.segments, plans, out, ote_years, self.names))
        return out


def _year_kpis(result: Result, year: int) -> dict[str, np.ndarray]:
    """Every KPI of :meth:`Comparison.table` in one year, and each role's per-rep
    ``earnings_to_ote``: arrays over trials (per-rep: [trials, reps of the role])."""
    from complab.compare import _kpi_arrays

    out = {k: v[:, year - 1] for k, v in _kpi_arrays(result).items()}
    roles = result.roster["role"].to_numpy()
    segments = result.roster["segment"].to_numpy()
    annual = _annual_earnings(result.arrays["pay"], result.scenario, year)
    out.update(
        _comp_kpis(
            annual, roles, segments, result.scenario.plans, out, people.ote_carried(result, year)
        )
    )
    return out


def _annual_earnings(pay: np.ndarray, scenario: Scenario, year: int) -> np.ndarray:
    """Each rep's earnings in one year, [trials, reps], from a payroll
    (``pay`` [trials, reps, periods, fields])."""
    per_year = 12 // scenario.world.period_months
    earn = pay[..., list(_core.PAY_FIELDS).index("earnings")]
    return earn[:, :, (year - 1) * per_year : year * per_year].sum(axis=2)


def _comp_kpis(
    annual: np.ndarray,
    roles: np.ndarray,
    segments: np.ndarray,
    plans: Mapping[str, Plan],
    world: Mapping[str, np.ndarray],
    ote_years: np.ndarray,
    wanted: set[str] | None = None,
) -> dict[str, np.ndarray]:
    """Comp KPIs of one year from each rep's annual earnings, as :meth:`Result.kpis`
    computes them (per-rep ``earnings_to_ote`` only when `wanted` names it, or is None).

    ``earnings_to_ote:<role>`` is one definition in the search and in the re-estimate:
    each seat's earnings in the year (the payroll's ``earnings``: base, variable, SPIFs,
    draw top-ups, less clawbacks and recoveries) over the OTE the seat carried in the year
    (its plan's OTE times `ote_years`, [trials, reps]); a seat that carried none (vacant
    all year) gives NaN, which the statistics leave out."""
    out: dict[str, np.ndarray] = {}
    total = np.zeros(annual.shape[0])
    for role in ROLES:
        mask = roles == role
        comp = annual[:, mask].sum(axis=1)
        out[f"comp_{role}"] = comp
        total = total + comp
        if mask.any():
            out[f"earnings_per_{role}"] = comp / mask.sum()
            if wanted is not None and f"earnings_to_ote:{role}" not in wanted:
                continue
            plan_ote = np.array([_ote(plans, role, seg) for seg in segments[mask]])
            ote = plan_ote * ote_years[:, mask]
            with np.errstate(divide="ignore", invalid="ignore"):
                out[f"earnings_to_ote:{role}"] = np.where(ote > 0, annual[:, mask] / ote, np.nan)
    out["comp_total"] = total
    sold = world["new_arr"] + world["expansion_arr"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cost_of_sales"] = np.where(sold > 0, total / sold, np.nan)
    return out


def _ote(plans: Mapping[str, Plan], role: str, segment: str) -> float:
    if segment != "all" and f"{role}:{segment}" in plans:
        return plans[f"{role}:{segment}"].ote
    plan = plans.get(role)
    return plan.ote if plan is not None else 0.0


# -- checkpoint --------------------------------------------------------------------------------------
class _Store:
    """Evaluations by candidate: in memory, and in an append-only JSON-lines checkpoint
    (a header naming the problem, then one line per candidate), locked while in use."""

    def __init__(self, path: str | os.PathLike[str] | None, header: dict[str, Any]) -> None:
        self.values: dict[tuple[float, ...], dict[str, Any]] = {}
        self.order: list[tuple[float, ...]] = []
        self.path = None if path is None else Path(path)
        self._file: Any = None
        self._pending: list[str] = []
        self._last_flush = time.monotonic()
        if self.path is None:
            return
        if self.path.is_dir():
            raise ValueError(f"checkpoint: {str(self.path)!r} is a directory; give a file path")
        header = json.loads(json.dumps(header))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._file = LockedFile(self.path)
            except Busy:
                raise ValueError(
                    f"checkpoint: {str(self.path)!r} is in use by another optimisation"
                ) from None
            if self._file.size() > 0:
                self._load(header)
            else:
                self._file.append((json.dumps(header) + "\n").encode(), sync=False)
        except OSError as err:
            self.close()
            raise ValueError(
                f"checkpoint: cannot use {str(self.path)!r} ({err.strerror or err})"
            ) from None

    def _load(self, header: dict[str, Any]) -> None:
        assert self.path is not None
        data = self._file.read()
        lines = data.split(b"\n")
        try:
            stored = json.loads(lines[0])
        except (UnicodeDecodeError, json.JSONDecodeError):
            stored = None
        if not isinstance(stored, dict) or stored.get("format") != CHECKPOINT_FORMAT:
            self.close()
            raise ValueError(
                f"checkpoint: {str(self.path)!r} is not a complab optimize checkpoint; choose another path"
            )
        differ = [k for k in header if stored.get(k) != header[k]]
        if differ:
            self.close()
            raise ValueError(
                f"checkpoint: {str(self.path)!r} was written by a different optimisation "
                f"({', '.join(differ)} differ); delete it or choose another path"
            )
        complete = lines[1:-1]  # the last piece is empty, or a line cut short: dropped
        if lines[-1]:
            self._file.truncate(len(data) - len(lines[-1]))
        for number, line in enumerate(complete, start=2):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                key = tuple(float(v) for v in entry["x"])
                values = entry["values"]
            except (ValueError, KeyError, TypeError):
                self.close()
                raise ValueError(
                    f"checkpoint: {str(self.path)!r}, line {number} is damaged; delete that "
                    "line (its candidate is evaluated again) or the file"
                ) from None
            if key not in self.values:
                self.order.append(key)
            self.values[key] = values

    def get(self, key: tuple[float, ...]) -> dict[str, Any] | None:
        return self.values.get(key)

    def put(self, key: tuple[float, ...], values: dict[str, Any]) -> None:
        self.values[key] = values
        self.order.append(key)
        if self._file is not None:
            self._pending.append(json.dumps({"x": list(key), "values": values}, allow_nan=True))
            if time.monotonic() - self._last_flush > 1.0:
                self.flush()

    def flush(self) -> None:
        if self._file is not None and self._pending:
            self._file.append(("\n".join(self._pending) + "\n").encode())
            self._pending = []
        self._last_flush = time.monotonic()

    def close(self) -> None:
        if self._file is not None:
            try:
                self.flush()
            finally:
                self._file.close()
                self._file = None


# -- the problem ------------------------------------------------------------------------------------
class _Problem:
    def __init__(
        self,
        judge: _Judge,
        objectives: list[tuple[str, Statistic]],
        constraints: list[Constraint],
        store: _Store,
    ) -> None:
        self.judge = judge
        self.objectives = objectives
        self.constraints = constraints
        self.store = store
        decisions = judge.decisions
        self.bounds = [(d.low, d.high) for d in decisions for _ in range(d.size)]
        self.integrality = np.array([d.integer for d in decisions for _ in range(d.size)])
        self.start = np.concatenate([d.start for d in decisions])
        # Weight decisions: the implied last weight stays in bounds.
        rows, lows, highs = [], [], []
        i = 0
        for d in decisions:
            if d.weights:
                row = np.zeros(len(self.start))
                row[i : i + d.size] = 1.0
                rows.append(row)
                lows.append(1.0 - d.high)
                highs.append(1.0 - d.low)
            i += d.size
        self.linear = (np.array(rows), np.array(lows), np.array(highs)) if rows else None

    def evaluate(self, x: np.ndarray) -> dict[str, Any]:
        x = np.asarray(x, dtype=float)
        if self.integrality.any():
            x = np.where(self.integrality, np.round(x), x)
        key = tuple(float(v) for v in x)
        hit = self.store.get(key)
        if hit is not None:
            return hit
        try:
            kpis = self.judge.kpis(x)
            measured = [c.measure(kpis) for c in self.constraints]
            values: dict[str, Any] = {
                "objectives": [stat(kpis) for _, stat in self.objectives],
                "slacks": [g for g, _ in measured],
                "scales": [size for _, size in measured],
                "error": None,
            }
        except ValueError as err:
            values = {
                "objectives": [math.nan] * len(self.objectives),
                "slacks": [math.nan] * len(self.constraints),
                "scales": [1.0] * len(self.constraints),
                "error": str(err),
            }
        self.store.put(key, values)
        return values

    def feasible(self, values: Mapping[str, Any], extra: Sequence[tuple[int, float]] = ()) -> bool:
        if values["error"] is not None or not all(np.isfinite(values["objectives"])):
            return False
        ok = all(np.isfinite(g) and g <= 0 for g in values["slacks"])
        return ok and all(self._eps_slack(values, k, level) <= 1e-12 for k, level in extra)

    def _eps_slack(self, values: Mapping[str, Any], k: int, level: float) -> float:
        sense = self.objectives[k][0]
        v = values["objectives"][k]
        if not np.isfinite(v):
            return math.inf
        return (level - v) if sense == "max" else (v - level)

    def loss(self, values: Mapping[str, Any], k: int) -> float:
        v = values["objectives"][k]
        if not np.isfinite(v):
            return math.inf
        return -v if self.objectives[k][0] == "max" else v

    def best(self, k: int, extra: Sequence[tuple[int, float]] = ()) -> tuple[float, ...] | None:
        """The best feasible candidate evaluated so far for objective k (ties: the first)."""
        best_key, best_loss = None, math.inf
        for key in self.store.order:
            values = self.store.values[key]
            if self.feasible(values, extra) and self.loss(values, k) < best_loss:
                best_key, best_loss = key, self.loss(values, k)
        return best_key

    def least_violation(self) -> tuple[tuple[float, ...] | None, list[float]]:
        """The candidate closest to meeting every constraint (relative violations)."""
        best_key, best = None, math.inf
        for key in self.store.order:
            values = self.store.values[key]
            if values["error"] is not None:
                continue
            rel = [
                max(0.0, g / s) if np.isfinite(g) else math.inf
                for g, s in zip(values["slacks"], values["scales"], strict=True)
            ]
            if sum(rel) < best:
                best_key, best = key, sum(rel)
        if best_key is None:
            return None, []
        values = self.store.values[best_key]
        return best_key, list(values["slacks"])

    def solve(
        self,
        k: int,
        method: str,
        budget: int,
        rng: np.random.Generator,
        extra: Sequence[tuple[int, float]] = (),
    ) -> None:
        """Search for the best candidate of objective k under the constraints (and the
        extra objective levels of a Pareto front); every candidate lands in the store."""

        # Candidates that cannot be judged (an invalid plan) get large finite values, so
        # that the solvers' arithmetic stays finite.
        def fun(x: np.ndarray) -> float:
            loss = self.loss(self.evaluate(x), k)
            return loss if np.isfinite(loss) else _UNJUDGED

        def cons(x: np.ndarray) -> np.ndarray:
            values = self.evaluate(x)
            g = [
                s / sc if np.isfinite(s) else _UNJUDGED
                for s, sc in zip(values["slacks"], values["scales"], strict=True)
            ]
            g += [min(self._eps_slack(values, j, level), _UNJUDGED) for j, level in extra]
            return np.array(g, dtype=float)

        start = self.start.copy()
        if self.linear is not None:  # a start whose implied last weight is in bounds
            a, lo, hi = self.linear
            for row, lo_i, hi_i in zip(a, lo, hi, strict=True):
                total = float(row @ start)
                if not lo_i <= total <= hi_i:
                    idx = row > 0
                    start[idx] *= min(max(total, lo_i), hi_i) / total if total > 0 else 0.0
        with warnings.catch_warnings():
            # The solvers' internal arithmetic warnings (overflow on a large penalty) say
            # nothing a planner can act on; what they find is checked here.
            warnings.simplefilter("ignore", RuntimeWarning)
            self._search(
                fun, cons, bool(self.constraints or extra), k, method, budget, rng, start, extra
            )

    def _constraints(
        self,
        cons: Callable[[np.ndarray], np.ndarray],
        nonlinear: bool,
        lo: np.ndarray,
        width: np.ndarray,
    ) -> list[Any]:
        """The constraints in the variables ``u`` with ``x = lo + u * width``."""
        from scipy import optimize as so

        out: list[Any] = []
        if nonlinear:
            out.append(so.NonlinearConstraint(lambda u: cons(lo + u * width), -np.inf, 0.0))
        if self.linear is not None:
            a, low, high = self.linear
            out.append(so.LinearConstraint(a * width, low - a @ lo, high - a @ lo))
        return out

    def _search(
        self,
        fun: Callable[[np.ndarray], float],
        cons: Callable[[np.ndarray], np.ndarray],
        nonlinear: bool,
        k: int,
        method: str,
        budget: int,
        rng: np.random.Generator,
        start: np.ndarray,
        extra: Sequence[tuple[int, float]],
    ) -> None:
        from scipy import optimize as so

        n = len(start)
        if method == "differential_evolution":
            popsize = 15
            maxiter = max(1, budget // (popsize * n) - 1)
            zero, one = np.zeros(n), np.ones(n)
            so.differential_evolution(
                fun,
                self.bounds,
                constraints=self._constraints(cons, nonlinear, zero, one),
                rng=rng,
                popsize=popsize,
                maxiter=maxiter,
                tol=1e-8,
                polish=False,
                init="latinhypercube",
                x0=start,
                integrality=self.integrality if self.integrality.any() else None,
            )
            best = self.best(k, extra)
            if best is not None and not self.integrality.any():
                start = np.array(best)
                budget = max(20 * n, budget // 10)
            else:
                return
        # COBYQA is not scale-invariant: it searches the unit cube, each decision's range
        # mapped onto [0, 1]; its first step is a tenth of a range (a fiftieth to polish).
        lo = np.array([b[0] for b in self.bounds])
        width = np.array([b[1] - b[0] for b in self.bounds])
        so.minimize(
            lambda u: fun(lo + u * width),
            np.clip((start - lo) / width, 0.0, 1.0),
            method="COBYQA",
            bounds=[(0.0, 1.0)] * n,
            constraints=self._constraints(cons, nonlinear, lo, width),
            options={
                "maxfev": budget,
                "initial_tr_radius": 0.02 if method == "differential_evolution" else 0.1,
            },
        )


# -- the answer --------------------------------------------------------------------------------------
@dataclasses.dataclass(repr=False)
class Optimum:
    """What :func:`optimize` found.

    Attributes
    ----------
    feasible : bool
        Whether some candidate met every constraint on the optimisation's trials.
    message : str
        In words: the plan found, or which constraint could not be met and by how much.
    decisions : dict or None
        The best candidate's value of each decision path (weights: one per measure).
    scenario : Scenario or None
        The best candidate's scenario (None when none is feasible).
    in_sample : pandas.DataFrame
        The objective's and constraints' statistics at the best candidate on the
        optimisation's trials (biased upward: the optimiser chose it on them).
    validation : pandas.DataFrame
        The same statistics of the starting scenario and of the best candidate on fresh
        trials (``validation_seed``), with 95% bootstrap intervals and, for constraints,
        whether they hold there.
    active : list of str
        Constraints within 0.1% of their limit at the best candidate, and decisions at a
        bound.
    evaluations : pandas.DataFrame
        Every candidate judged: its decisions, objectives, constraint slacks (``g <= 0``
        holds) and feasibility.
    front : pandas.DataFrame or None
        With two objectives: the Pareto front (non-dominated candidates found along the
        epsilon-constraint sweep), one row per plan.
    mode : str
        ``"repay"`` (plan-only decisions in fixed mode) or ``"simulate"``.
    """

    feasible: bool
    message: str
    decisions: dict[str, float] | None
    scenario: Scenario | None
    in_sample: pd.DataFrame
    validation: pd.DataFrame
    active: list[str]
    evaluations: pd.DataFrame
    front: pd.DataFrame | None
    mode: str
    seed: Any
    validation_seed: Any
    trials: int
    year: int
    #: Seconds the search took (not the first simulation or the re-estimate).
    seconds: float

    def plot_front(self, ax: Axes | None = None) -> Axes:
        """The Pareto front: the second objective against the first, one point per plan
        (:func:`complab.plots.pareto_front`)."""
        if self.front is None:
            raise ValueError(
                "plot_front: this optimisation had one objective; give two for a front"
            )
        from complab import plots

        return plots.pareto_front(self.front, ax=ax)

    def __repr__(self) -> str:
        return (
            f"<complab.Optimum ({self.mode}, {len(self.evaluations)} evaluations): {self.message}>"
        )


def optimize(
    scenario: Scenario,
    decisions: Mapping[str, tuple[float, float]],
    objective: str | Sequence[str],
    constraints: Sequence[str] = (),
    trials: int = 1000,
    seed: int | np.random.SeedSequence | None = None,
    *,
    year: int | None = None,
    method: str = "auto",
    max_evaluations: int | None = None,
    validation_trials: int | None = None,
    validation_seed: int | np.random.SeedSequence | None = None,
    front_points: int = 7,
    checkpoint: str | os.PathLike[str] | None = None,
    threads: int | None = None,
    trials_per_draw: int = 1,
    progress: bool = False,
) -> Optimum:
    """The plan that does best on a KPI statistic within constraints on others.

    Parameters
    ----------
    scenario
        The starting point: its world, and its plans as the first candidate.
    decisions
        ``{path: (low, high)}``: dotted paths as :meth:`Scenario.with_` takes them
        (``"plans.csm.ote"``, ``"plans.csm.base_share"``,
        ``"plans.csm:smb.measures.nrr.curve.payout[2]"``, a target, a clawback share, a
        world field...), and ``"plans.<key>.weights"`` for a plan's measure weights, each
        within the bounds and summing to 1 (a ``*`` in the key sets every matching plan
        alike). Integer fields take whole values.
    objective
        ``"max <statistic>"`` or ``"min <statistic>"`` (:class:`Statistic`): e.g.
        ``"max mean(nrr)"``, ``"max p50(arr_end - comp_total)"``. Two of them (a list)
        trace the Pareto front between them.
    constraints
        ``"<statistic> <= <statistic>"`` or ``>=``: ``"p90(comp_csm) <= 1_200_000"``,
        ``"mean(cost_of_sales) <= 0.2"``, ``"p10(earnings_to_ote:csm) >= 0.8"``.
    trials, seed
        The common random numbers every candidate is judged on (sample-average
        approximation). A seed is needed with a checkpoint; None draws one.
    year
        The year the KPIs are read in (from 1); None: the last whole year.
    method
        ``"differential_evolution"`` (scipy's, then a COBYQA polish), ``"cobyqa"`` (local,
        from the scenario's values) or ``"auto"``: the first when candidates are re-paid,
        the second when each must be simulated.
    max_evaluations
        Candidates to judge per search; None: 3,000 when re-paying, 60 when simulating.
    validation_trials, validation_seed
        The fresh trials the winner is re-estimated on (default: as many as ``trials``, on
        a seed derived from ``seed`` that the search never used).
    front_points
        With two objectives: points of the front (3 to 25).
    checkpoint
        A file keeping every judged candidate; the same call again (same seed) replays the
        search from it and continues where it stopped.
    threads, trials_per_draw
        As for :func:`complab.simulate`.
    progress
        True: a progress bar over the simulation that plan-only searches start from.

    Returns
    -------
    Optimum

    Raises
    ------
    ValueError
        For a decision, objective or constraint that is not valid (naming it and what is
        allowed).
    OptimizeInterrupted
        On Ctrl-C; its ``evaluations`` hold what was judged (also in the checkpoint).
    """
    if not isinstance(scenario, Scenario):
        raise ValueError(f"scenario: expected a complab.Scenario, got {type(scenario).__name__}")
    if not isinstance(decisions, Mapping) or not decisions:
        raise ValueError("decisions: expected a non-empty mapping of dotted path to (low, high)")
    parsed = [_Decision(scenario, path, bounds) for path, bounds in decisions.items()]
    texts = [objective] if isinstance(objective, str) else list(objective)
    if not 1 <= len(texts) <= 2:
        raise ValueError(
            f"objective: give one objective, or two for a Pareto front; got {len(texts)}"
        )
    objectives = [
        _objective(t, f"objective[{i}]" if len(texts) > 1 else "objective")
        for i, t in enumerate(texts)
    ]
    if isinstance(constraints, str):
        constraints = [constraints]
    limits = [Constraint(c, f"constraints[{i}]") for i, c in enumerate(constraints)]
    months = scenario.world.months
    if months < 12:
        raise ValueError(
            f"scenario: world.months is {months}; KPIs are yearly, so at least 12 are needed"
        )
    if year is None:
        year = months // 12
    if (
        isinstance(year, bool)
        or not isinstance(year, (int, np.integer))
        or not 1 <= year <= months // 12
    ):
        raise ValueError(f"year: {year!r} is not a year of the scenario (1 to {months // 12})")
    known = _known_kpis(scenario)
    names: set[str] = set()
    for _, stat in objectives:
        stat.check(known)
        names |= stat.names
    for c in limits:
        c.lhs.check(known)
        c.rhs.check(known)
        names |= c.names
    if checkpoint is not None and seed is None:
        raise ValueError(
            "checkpoint: needs an explicit seed, so that a rerun judges the same trials"
        )
    key, record = resolve_seed(seed)
    if validation_seed is None:
        validation_key, validation_record = resolve_seed(np.random.SeedSequence([key, 0x5EED]))
    else:
        validation_key, validation_record = resolve_seed(validation_seed)
    if validation_key == key:
        raise ValueError(
            "validation_seed: the same as seed; the winner must be re-estimated on fresh trials"
        )
    if method not in ("auto", "differential_evolution", "cobyqa"):
        raise ValueError(f"method: {method!r} is not 'auto', 'differential_evolution' or 'cobyqa'")
    if (
        isinstance(front_points, bool)
        or not isinstance(front_points, int)
        or not 3 <= front_points <= 25
    ):
        raise ValueError(f"front_points: {front_points!r} is not an integer from 3 to 25")
    if not isinstance(progress, bool):
        raise ValueError(f"progress: {progress!r} is not true or false")
    judge = _Judge(scenario, parsed, trials, key, year, threads, trials_per_draw, names, progress)
    if method == "auto":
        method = "differential_evolution" if judge.repay else "cobyqa"
    if max_evaluations is None:
        max_evaluations = 3000 if judge.repay else 60
    if (
        isinstance(max_evaluations, bool)
        or not isinstance(max_evaluations, int)
        or max_evaluations < 10
    ):
        raise ValueError(f"max_evaluations: {max_evaluations!r} is not an integer of at least 10")
    header = {
        "format": CHECKPOINT_FORMAT,
        "scenario": scenario.to_dict(),
        "decisions": {p: list(b) for p, b in decisions.items()},
        "objective": texts,
        "constraints": [c.text for c in limits],
        "trials": trials,
        "seed": key,
        "year": int(year),
        "trials_per_draw": trials_per_draw,
        "method": method,
        "max_evaluations": max_evaluations,
    }
    try:
        store = _Store(checkpoint, header)
    except ValueError:
        judge.close()
        raise
    problem = _Problem(judge, objectives, limits, store)
    rng_key = np.random.SeedSequence([key, 0x0971])
    import scipy.optimize  # noqa: F401  (imported before the clock starts)

    started = time.perf_counter()
    front_keys: list[tuple[float, ...]] = []
    try:
        problem.solve(0, method, max_evaluations, np.random.default_rng(rng_key))
        if len(objectives) == 2 and problem.best(0) is not None:
            front_keys = _front(problem, method, max_evaluations, rng_key, front_points)
    except KeyboardInterrupt as err:
        store.close()
        raise OptimizeInterrupted(_evaluations(problem), store.path) from err
    finally:
        store.close()
        judge.close()
    elapsed = time.perf_counter() - started
    return _answer(
        problem,
        scenario,
        front_keys,
        validation_key,
        validation_record,
        record,
        validation_trials or trials,
        threads,
        trials_per_draw,
        year,
        elapsed,
    )


def _known_kpis(scenario: Scenario) -> list[str]:
    from complab.compare import KPI_NAMES
    from complab.result import COHORT_METRICS

    names = list(KPI_NAMES)
    names += [f"{m}:{s}" for s in scenario.world.segment_names() for m in COHORT_METRICS]
    names += [f"earnings_to_ote:{role}" for role in ROLES]
    return names


def _front(
    problem: _Problem, method: str, budget: int, rng_key: np.random.SeedSequence, points: int
) -> list[tuple[float, ...]]:
    """Epsilon-constraint sweep: the second objective alone, then the first objective with
    the second held at levels between the two ends; the non-dominated candidates."""
    problem.solve(1, method, budget, np.random.default_rng(rng_key.spawn(1)[0]))
    a, b = problem.best(0), problem.best(1)
    if a is None or b is None:
        return []
    end_a = problem.store.values[a]["objectives"][1]
    end_b = problem.store.values[b]["objectives"][1]
    keys = [a, b]
    for i, level in enumerate(np.linspace(end_a, end_b, points)[1:-1]):
        extra = [(1, float(level))]
        problem.solve(
            0, method, budget // 2, np.random.default_rng(rng_key.spawn(i + 2)[-1]), extra
        )
        best = problem.best(0, extra)
        if best is not None:
            keys.append(best)
    # Keep the non-dominated ones, ordered along the second objective.
    keys = list(dict.fromkeys(keys))
    losses = {
        k: (problem.loss(problem.store.values[k], 0), problem.loss(problem.store.values[k], 1))
        for k in keys
    }
    front = [
        k
        for k in keys
        if not any(
            o != k
            and losses[o][0] <= losses[k][0]
            and losses[o][1] <= losses[k][1]
            and losses[o] != losses[k]
            for o in keys
        )
    ]
    return sorted(front, key=lambda k: problem.store.values[k]["objectives"][1])


def _evaluations(problem: _Problem) -> pd.DataFrame:
    rows = []
    labels = _labels(problem.judge.decisions)
    for key in problem.store.order:
        values = problem.store.values[key]
        row: dict[str, Any] = dict(zip(labels, _expand(problem.judge.decisions, key), strict=True))
        for (sense, stat), v in zip(problem.objectives, values["objectives"], strict=True):
            row[f"{sense} {stat.text}"] = v
        for c, g in zip(problem.constraints, values["slacks"], strict=True):
            row[f"slack: {c.text}"] = g
        row["feasible"] = problem.feasible(values)
        row["error"] = values["error"]
        rows.append(row)
    return Table(rows)


def _labels(decisions: Sequence[_Decision]) -> list[str]:
    out = []
    for d in decisions:
        if d.weights:
            prefix = d.path[: -len("weights")]
            out += [f"{prefix}measures.{m}.weight" for m in d.measures]
        else:
            out.append(d.path)
    return out


def _expand(decisions: Sequence[_Decision], key: Sequence[float]) -> list[float]:
    out: list[float] = []
    i = 0
    for d in decisions:
        part = [float(v) for v in key[i : i + d.size]]
        if d.weights:
            part.append(1.0 - sum(part))
        elif d.integer:
            part = [float(round(part[0]))]
        out += part
        i += d.size
    return out


def _interval(
    stat: Callable[[Mapping[str, np.ndarray]], float],
    kpis: Mapping[str, np.ndarray],
    rng: np.random.Generator,
) -> tuple[float, float]:
    """A 95% percentile-bootstrap interval over trials."""
    n = len(next(iter(kpis.values())))
    values = []
    for _ in range(BOOTSTRAP):
        idx = rng.integers(0, n, n)
        values.append(stat({k: v[idx] for k, v in kpis.items()}))
    v = np.array(values)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return math.nan, math.nan
    return float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))


def _answer(
    problem: _Problem,
    scenario: Scenario,
    front_keys: list[tuple[float, ...]],
    validation_key: int,
    validation_record: Any,
    seed_record: Any,
    validation_trials: int,
    threads: int | None,
    trials_per_draw: int,
    year: int,
    elapsed: float,
) -> Optimum:
    judge = problem.judge
    evaluations = _evaluations(problem)
    labels = _labels(judge.decisions)
    best = problem.best(0)
    common = {
        "evaluations": evaluations,
        "mode": judge.mode,
        "seed": seed_record,
        "validation_seed": validation_record,
        "trials": judge.trials,
        "year": year,
        "seconds": elapsed,
    }
    if best is None:
        closest, slacks = problem.least_violation()
        if closest is None:
            detail = "no candidate could be evaluated"
            errors = [e for e in evaluations["error"] if e]
            if errors:
                detail += f" ({errors[0]})"
        else:
            broken = [
                f"{c.text} (missed by {g:,.4g} at best)"
                for c, g in zip(problem.constraints, slacks, strict=True)
                if not g <= 0
            ]
            detail = "; ".join(broken) or "the objective could not be computed"
        message = (
            f"no plan within the decisions' bounds meets every constraint on the {judge.trials:,} "
            f"trials: {detail}. Loosen the constraint or widen the bounds; no plan is proposed"
        )
        return Optimum(
            feasible=False,
            message=message,
            decisions=None,
            scenario=None,
            in_sample=Table([]),
            validation=Table([]),
            active=[],
            front=None,
            **common,
        )
    x = np.array(best)
    chosen = dict(zip(labels, _expand(judge.decisions, best), strict=True))
    winner = judge.scenario_for(x)
    values = problem.store.values[best]
    in_sample = []
    for (sense, stat), v in zip(problem.objectives, values["objectives"], strict=True):
        in_sample.append({"kind": "objective", "statistic": f"{sense} {stat.text}", "value": v})
    for c, g in zip(problem.constraints, values["slacks"], strict=True):
        in_sample.append(
            {
                "kind": "constraint",
                "statistic": c.text,
                "value": g,
                "holds": g <= 0,
            }
        )
    active = [
        c.text
        for c, g, s in zip(problem.constraints, values["slacks"], values["scales"], strict=True)
        if abs(g) <= 1e-3 * s
    ]
    for label, v, d in zip(
        labels, _expand(judge.decisions, best), _per_label(judge.decisions), strict=True
    ):
        if math.isclose(v, d.low, abs_tol=1e-6 * (d.high - d.low)) or math.isclose(
            v, d.high, abs_tol=1e-6 * (d.high - d.low)
        ):
            active.append(f"{label} at its bound {v:g}")
    # Fresh trials: the starting plan and the winner, on a seed the search never used.
    fresh = {}
    for name, sc in (("start", scenario), ("best", winner)):
        result = simulate(
            sc,
            trials=validation_trials,
            seed=validation_key,
            threads=threads,
            trials_per_draw=trials_per_draw,
        )
        fresh[name] = _year_kpis(result, year)
    rng = np.random.default_rng(np.random.SeedSequence([validation_key, 0xB007]))
    rows = []
    items: list[tuple[str, str, Statistic, Constraint | None]] = [
        ("objective", f"{sense} {stat.text}", stat, None) for sense, stat in problem.objectives
    ]
    for limit in problem.constraints:
        items.append(("constraint", limit.text, limit.lhs, limit))
    for kind, text, stat, held in items:
        row: dict[str, Any] = {"kind": kind, "statistic": text}
        for name in ("start", "best"):
            low, high = _interval(stat, fresh[name], rng)
            row[f"{name}"] = stat(fresh[name])
            row[f"{name}_low"] = low
            row[f"{name}_high"] = high
        if held is not None:
            row["limit"] = held.rhs(fresh["best"])
            row["holds"] = held.slack(fresh["best"]) <= 0
        rows.append(row)
    validation = Table(rows)
    front = None
    if front_keys:
        front_rows = []
        for k in front_keys:
            v = problem.store.values[k]
            row = dict(zip(labels, _expand(judge.decisions, k), strict=True))
            for (_, stat), o in zip(problem.objectives, v["objectives"], strict=True):
                row[stat.text] = o
            front_rows.append(row)
        front = Table(front_rows)
        front.attrs["objectives"] = [f"{s} {st.text}" for s, st in problem.objectives]
    sense, stat = problem.objectives[0]
    message = (
        f"best plan found: {stat.text} = {values['objectives'][0]:,.6g} on the search's trials, "
        f"{validation['best'].iloc[0]:,.6g} on fresh trials (start: {validation['start'].iloc[0]:,.6g})"
    )
    return Optimum(
        feasible=True,
        message=message,
        decisions=chosen,
        scenario=winner,
        in_sample=Table(in_sample),
        validation=validation,
        active=active,
        front=front,
        **common,
    )


def _per_label(decisions: Sequence[_Decision]) -> list[_Decision]:
    return [d for d in decisions for _ in range(d.size + (1 if d.weights else 0))]
