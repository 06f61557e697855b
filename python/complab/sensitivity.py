"""Sensitivity analysis: which assumptions move an output, and by how much.

Parameters are dotted paths into a scenario (as in :meth:`Scenario.with_`), each with a
range. Every evaluation uses the same seed (common random numbers), so effects are
differences of paired runs and their noise is small.

- :func:`tornado` — one at a time: each parameter at its low and its high value, the
  others at the base scenario's values; swings with confidence intervals from the paired
  standard errors.
- :func:`sobol` — variance-based global indices (first-order ``S1`` and total ``ST``)
  from Saltelli's sampling scheme, through SALib.
- :func:`morris` — elementary-effects screening (``mu_star``, ``sigma``), through SALib.

The global methods follow SALib's problem definition (``names``, ``bounds``) and its
``to_df()`` tables, with seeds passed explicitly to SALib's samplers and analyzers (no
global NumPy state; 0 is a seed like any other). SALib is an optional dependency:
``pip install 'complab[sensitivity]'``.

A model output is the mean over trials of one output (see :func:`complab.sweeps.per_trial`)
in one year, or averaged over the years with ``year=None``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from complab import engine
from complab.engine import resolve_seed
from complab.scenario import Scenario
from complab.sweeps import (
    build_scenarios,
    check_outputs,
    describe_point,
    evaluate,
    is_plan_only,
    progress_reporter,
    short_horizon,
)

__all__ = ["morris", "problem", "sobol", "tornado"]

# Purposes of the random streams SALib gets, derived from the run's seed.
_SAMPLE, _ANALYSE = 1, 2


def tornado(
    scenario: Scenario,
    params: Mapping[str, tuple[Any, Any]],
    output: str = "nrr",
    year: int | None = 1,
    trials: int = 1000,
    seed: int | np.random.SeedSequence | None = None,
    threads: int | None = None,
    executor: Any = None,
    progress: bool | Callable[[int], None] = False,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One-at-a-time sensitivity: each parameter at its low and high value.

    Parameters
    ----------
    scenario
        The base scenario.
    params
        ``{"dotted.path": (low, high), ...}``; the values may be anything
        :meth:`Scenario.with_` accepts at that path.
    output
        One output name (a column of :meth:`Result.kpis`, ``"earnings_per_<role>"`` or
        ``"<metric>:<segment>"``); the parameters are ranked by it, so a list is refused:
        call :func:`tornado` once per output.
    year
        The year of the output, counted from 1 (year 1 is months 0–11); None averages
        each trial over its years. Every point needs that year: a parameter that shortens
        the horizon (``world.months``) must leave at least ``12 * year`` months.
    trials, seed, threads, executor, progress
        As for :func:`complab.sweep`; every run uses the same seed.
    confidence
        Level of the intervals, e.g. 0.95.

    Returns
    -------
    pandas.DataFrame
        One row per parameter, largest ``|swing|`` first: ``parameter``, ``low``, ``high``,
        ``output_low`` / ``output_high`` / ``base`` (means over trials) with their ``_se``,
        ``delta_low`` and ``delta_high`` (paired differences from the base) with their
        ``_se``, ``swing`` (the mean over trials of each trial's high minus low value,
        over the trials where both are defined; ``output_high - output_low`` when every
        trial has both), ``swing_se`` (paired standard error) and ``swing_ci_low`` / ``swing_ci_high``.

    Raises
    ------
    ValueError
        A bad parameter, pair, output (a list included), year or confidence, naming it; a
        point whose horizon has no ``year`` names the parameter, its value and the months
        that year needs.
    """
    _check_params(params, "params")
    for path, pair in params.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"params[{path!r}]: {pair!r} is not a (low, high) pair")
    if not isinstance(output, str):
        raise ValueError(
            f"output: {output!r} is not one output name; tornado ranks the parameters by one "
            "output, so call it once per output (sobol and morris take a list)"
        )
    names = check_outputs(output, scenario)
    assert names is not None
    z = _z(confidence)
    trials = engine._positive_int("trials", trials)
    key, seed_record = resolve_seed(seed)
    points: list[dict[str, Any]] = []
    labels = ["scenario"]
    for path, (low, high) in params.items():
        points += [{path: low}, {path: high}]
        labels += [f"params[{path!r}]: low {low!r}", f"params[{path!r}]: high {high!r}"]
    scenarios = [scenario, *build_scenarios(scenario, points)]
    values = _run(
        scenario,
        scenarios,
        labels,
        list(params),
        names,
        year,
        trials,
        key,
        threads,
        executor,
        progress,
    )
    y = values[names[0]]
    base = y[0]
    rows = []
    for i, (path, (low, high)) in enumerate(params.items()):
        lo, hi = y[1 + 2 * i], y[2 + 2 * i]
        swing, swing_se = _paired(hi, lo)
        d_low, d_low_se = _paired(lo, base)
        d_high, d_high_se = _paired(hi, base)
        rows.append(
            {
                "parameter": path,
                "low": low,
                "high": high,
                "output_low": _mean(lo),
                "output_low_se": _se(lo),
                "output_high": _mean(hi),
                "output_high_se": _se(hi),
                "base": _mean(base),
                "base_se": _se(base),
                "delta_low": d_low,
                "delta_low_se": d_low_se,
                "delta_high": d_high,
                "delta_high_se": d_high_se,
                "swing": swing,
                "swing_se": swing_se,
                "swing_ci_low": swing - z * swing_se,
                "swing_ci_high": swing + z * swing_se,
            }
        )
    table = pd.DataFrame(rows)
    table = table.iloc[np.argsort(-np.abs(table["swing"].to_numpy()), kind="stable")]
    table = table.reset_index(drop=True)
    table.attrs.update(
        output=names[0], year=year, seed=seed_record, trials=trials, confidence=confidence
    )
    return table


def problem(params: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    """SALib's problem definition for dotted-path parameters with ``(low, high)`` bounds.

    Bounds that are both ``int`` make an integer parameter, uniform over ``low … high``
    (sampled on ``[low, high + 1)`` and rounded down).
    """
    return _problem(params, widen_integers=True)


def _problem(params: Mapping[str, tuple[float, float]], widen_integers: bool) -> dict[str, Any]:
    """:func:`problem`; without `widen_integers` an integer parameter keeps ``[low, high]``,
    for grid samples (Morris) whose points are rounded to the nearest integer."""
    _check_params(params, "params")
    bounds = []
    for path, pair in params.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"params[{path!r}]: {pair!r} is not a (low, high) pair of numbers")
        low, high = pair
        for v in (low, high):
            if (
                isinstance(v, (bool, np.bool_))
                or not isinstance(v, (int, float, np.number))
                or not math.isfinite(v)
            ):
                raise ValueError(f"params[{path!r}]: bound {v!r} is not a finite number")
        if not low < high:
            raise ValueError(f"params[{path!r}]: low {low!r} is not below high {high!r}")
        integer = _is_int(low) and _is_int(high)
        widen = 1.0 if integer and widen_integers else 0.0
        bounds.append([float(low), float(high) + widen])
    return {"num_vars": len(params), "names": list(params), "bounds": bounds}


def sobol(
    scenario: Scenario,
    params: Mapping[str, tuple[float, float]],
    outputs: str | Sequence[str] = "nrr",
    year: int | None = 1,
    samples: int = 64,
    trials: int = 200,
    seed: int | np.random.SeedSequence | None = None,
    num_resamples: int = 100,
    confidence: float = 0.95,
    threads: int | None = None,
    executor: Any = None,
    progress: bool | Callable[[int], None] = False,
) -> pd.DataFrame:
    """Sobol' first-order and total indices through SALib (Saltelli sampling).

    The model is evaluated at ``samples * (D + 2)`` points for ``D`` parameters, each a
    simulation of ``trials`` trials with the same seed (or one re-payment of a single
    simulated world when every parameter is a plan's).

    Parameters
    ----------
    scenario
        The base scenario; parameters not sampled keep its values.
    params
        ``{"dotted.path": (low, high), ...}``, sampled uniformly (see :func:`problem`).
    outputs
        One output name or a list of them.
    year
        The year of the outputs; None averages each trial over the years.
    samples
        Base sample size ``N`` of Saltelli's scheme, a power of two.
    trials, seed, threads, executor, progress
        As for :func:`complab.sweep`. The seed also keys SALib's scrambled Sobol' sequence
        and its bootstrap.
    num_resamples, confidence
        Bootstrap resamples and level of the confidence intervals.

    Returns
    -------
    pandas.DataFrame
        One row per output and parameter: ``output``, ``parameter``, ``S1``, ``S1_conf``,
        ``ST``, ``ST_conf`` (half-widths of the intervals), in parameter order.
    """
    sample_mod, analyze_mod = _salib("sobol")
    spec = problem(params)
    samples = engine._positive_int("samples", samples, minimum=2)
    num_resamples = engine._positive_int("num_resamples", num_resamples)
    if samples & (samples - 1):
        raise ValueError(f"samples: {samples} is not a power of two (Sobol' sequences need one)")
    key, seed_record = resolve_seed(seed)
    x = sample_mod.sample(
        spec, samples, calc_second_order=False, scramble=True, seed=_rng(key, _SAMPLE)
    )
    values = _evaluate_samples(
        scenario, params, spec, x, outputs, year, trials, key, threads, executor, progress
    )
    rows = []
    for name, y in values.items():
        result = analyze_mod.analyze(
            spec,
            y,
            calc_second_order=False,
            num_resamples=num_resamples,
            conf_level=_level(confidence),
            print_to_console=False,
            seed=_rng(key, _ANALYSE),
        )
        rows += _index_rows(name, spec["names"], result, ("S1", "S1_conf", "ST", "ST_conf"))
    table = pd.DataFrame(rows)
    table.attrs.update(
        problem=spec,
        year=year,
        seed=seed_record,
        trials=trials,
        samples=samples,
        confidence=confidence,
    )
    return table


def morris(
    scenario: Scenario,
    params: Mapping[str, tuple[float, float]],
    outputs: str | Sequence[str] = "nrr",
    year: int | None = 1,
    trajectories: int = 10,
    levels: int = 4,
    trials: int = 200,
    seed: int | np.random.SeedSequence | None = None,
    num_resamples: int = 1000,
    confidence: float = 0.95,
    threads: int | None = None,
    executor: Any = None,
    progress: bool | Callable[[int], None] = False,
) -> pd.DataFrame:
    """Morris elementary-effects screening through SALib.

    The model is evaluated at ``trajectories * (D + 1)`` points for ``D`` parameters.

    Parameters
    ----------
    scenario, params, outputs, year
        As for :func:`sobol`; an integer parameter moves on the grid over ``low … high``,
        each point rounded to the nearest integer.
    trajectories
        Number of one-at-a-time trajectories ``N``.
    levels
        Levels of the grid each parameter moves on (an even number, e.g. 4).
    trials, seed, threads, executor, progress
        As for :func:`complab.sweep`. The seed also keys SALib's trajectories and bootstrap.
    num_resamples, confidence
        Bootstrap resamples and level of the ``mu_star`` interval.

    Returns
    -------
    pandas.DataFrame
        One row per output and parameter: ``output``, ``parameter``, ``mu``, ``mu_star``,
        ``mu_star_conf`` (half-width of the interval) and ``sigma``. As in SALib, an
        elementary effect is the change of the output per step, with steps measured on the
        unit interval: the output's change across the parameter's whole range.
    """
    sample_mod, analyze_mod = _salib("morris")
    # Integer parameters on [low, high], their grid points rounded to the nearest integer:
    # widened and rounded down as for Sobol, a grid of `levels` points would pile onto the
    # top value and make steps of unequal size.
    spec = _problem(params, widen_integers=False)
    trajectories = engine._positive_int("trajectories", trajectories, minimum=2)
    num_resamples = engine._positive_int("num_resamples", num_resamples)
    levels = engine._positive_int("levels", levels, minimum=2)
    if levels % 2:
        raise ValueError(f"levels: {levels} is not an even number")
    key, seed_record = resolve_seed(seed)
    x = sample_mod.sample(spec, trajectories, num_levels=levels, seed=_rng(key, _SAMPLE))
    values = _evaluate_samples(
        scenario, params, spec, x, outputs, year, trials, key, threads, executor, progress
    )
    rows = []
    for name, y in values.items():
        result = analyze_mod.analyze(
            spec,
            x,
            y,
            num_resamples=num_resamples,
            conf_level=_level(confidence),
            print_to_console=False,
            num_levels=levels,
            seed=_rng(key, _ANALYSE),
        )
        rows += _index_rows(name, spec["names"], result, ("mu", "mu_star", "mu_star_conf", "sigma"))
    table = pd.DataFrame(rows)
    table.attrs.update(
        problem=spec,
        year=year,
        seed=seed_record,
        trials=trials,
        trajectories=trajectories,
        levels=levels,
        confidence=confidence,
    )
    return table


# -- helpers -------------------------------------------------------------------------------------
def _index_rows(
    output: str, names: list[str], result: Any, columns: tuple[str, ...]
) -> list[dict[str, Any]]:
    """One row per parameter of a SALib result: the output, the parameter, the columns."""
    return [
        {"output": output, "parameter": path, **{c: float(result[c][j]) for c in columns}}
        for j, path in enumerate(names)
    ]


def _salib(method: str) -> tuple[Any, Any]:
    try:
        if method == "sobol":
            from SALib.analyze import sobol as analyze_mod
            from SALib.sample import sobol as sample_mod
        else:
            from SALib.analyze import morris as analyze_mod
            from SALib.sample import morris as sample_mod
    except ImportError as err:
        raise ImportError(
            f"complab.sensitivity.{method} needs SALib; install it with "
            "pip install 'complab[sensitivity]'"
        ) from err
    return sample_mod, analyze_mod


def _rng(key: int, purpose: int) -> np.random.Generator:
    """A generator for one purpose, keyed by the run's seed (never global state)."""
    return np.random.default_rng(np.random.SeedSequence([key, purpose]))


def _check_params(params: Any, name: str) -> None:
    if not isinstance(params, Mapping) or not params:
        raise ValueError(f"{name}: expected a non-empty mapping of dotted path to (low, high)")


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _level(confidence: Any) -> float:
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, (int, float))
        or not 0 < confidence < 1
    ):
        raise ValueError(f"confidence: {confidence!r} is not a number in (0, 1)")
    return float(confidence)


def _z(confidence: Any) -> float:
    return statistics.NormalDist().inv_cdf(0.5 + _level(confidence) / 2)


def _sample_points(
    spec: dict[str, Any], x: np.ndarray, params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Rows of a SALib sample as scenario edits. An integer parameter is rounded down where
    its bounds were widened to ``high + 1`` (:func:`problem`), else to the nearest integer."""
    integer = [_is_int(lo) and _is_int(hi) for lo, hi in params.values()]
    points = []
    for row in x:
        point: dict[str, Any] = {}
        for j, path in enumerate(spec["names"]):
            high = int(params[path][1])
            if integer[j] and spec["bounds"][j][1] > high:
                point[path] = min(math.floor(row[j]), high)
            elif integer[j]:
                point[path] = int(round(row[j]))
            else:
                point[path] = float(row[j])
        points.append(point)
    return points


def _evaluate_samples(
    scenario: Scenario,
    params: Mapping[str, Any],
    spec: dict[str, Any],
    x: np.ndarray,
    outputs: str | Sequence[str],
    year: int | None,
    trials: int,
    key: int,
    threads: int | None,
    executor: Any,
    progress: bool | Callable[[int], None],
) -> dict[str, np.ndarray]:
    names = check_outputs(outputs, scenario)
    assert names is not None
    trials = engine._positive_int("trials", trials)
    points = _sample_points(spec, x, params)
    scenarios = build_scenarios(scenario, points)
    labels = [f"sample point {describe_point(point)}" for point in points]
    per_trial = _run(
        scenario,
        scenarios,
        labels,
        spec["names"],
        names,
        year,
        trials,
        key,
        threads,
        executor,
        progress,
    )
    values = {}
    for name in names:
        y = np.array([_mean(v) for v in per_trial[name]])
        bad = np.flatnonzero(~np.isfinite(y))
        if len(bad):
            raise ValueError(
                f"outputs: {name!r} has no finite value at sample point {points[bad[0]]} "
                f"(year {year}); choose another output or year"
            )
        values[name] = y
    return values


def _run(
    base: Scenario,
    scenarios: Sequence[Scenario],
    labels: Sequence[str],
    paths: Sequence[str],
    outputs: list[str],
    year: int | None,
    trials: int,
    key: int,
    threads: int | None,
    executor: Any,
    progress: bool | Callable[[int], None],
) -> dict[str, list[np.ndarray]]:
    """Per-trial values of each output at each scenario: ``{output: [array per scenario]}``.

    ``year`` is checked against the base scenario, then every scenario's horizon against
    ``year`` before anything runs; errors name the scenario by its label in ``labels``.
    """
    out: dict[str, list[np.ndarray]] = {name: [np.empty(0)] * len(scenarios) for name in outputs}
    if year is not None:
        years = base.world.months // 12
        if (
            isinstance(year, bool)
            or not isinstance(year, (int, np.integer))
            or not 1 <= year <= years
        ):
            raise ValueError(
                f"year: {year!r} is not a year of the simulation (1 to {years}) or None"
            )
        year = int(year)
    short = short_horizon(scenarios, 1 if year is None else year)
    if short is not None:
        months = scenarios[short].world.months
        if year is None:
            raise ValueError(
                f"{labels[short]} simulates {months} months, under a year; outputs are "
                "yearly, so every point needs world.months >= 12"
            )
        raise ValueError(
            f"{labels[short]} simulates {months} months, which has no year {year} (years "
            f"count from 1); year={year} needs world.months >= {12 * year} at every "
            "point, or choose an earlier year"
        )
    report, close = progress_reporter(progress, len(scenarios), "sensitivity")
    done = 0

    def on_point(index: int, table: pd.DataFrame) -> None:
        nonlocal done
        for name in outputs:
            if year is None:
                wide = table.pivot(index="trial", columns="year", values=name).to_numpy()
                finite = np.isfinite(wide)
                with np.errstate(invalid="ignore"):
                    values = np.where(finite, wide, 0.0).sum(axis=1) / finite.sum(axis=1)
            else:
                rows = table[table["year"] == year]
                values = rows.sort_values("trial")[name].to_numpy(dtype=float)
            out[name][index] = values
        done += 1
        if report is not None:
            report(done)

    try:
        evaluate(
            scenarios,
            reuse_world=is_plan_only(list(paths), base),
            outputs=outputs,
            trials=trials,
            seed=key,
            threads=threads,
            executor=executor,
            on_point=on_point,
        )
    finally:
        close()
    return out


def _mean(v: np.ndarray) -> float:
    v = v[np.isfinite(v)]
    return float(v.mean()) if len(v) else math.nan


def _se(v: np.ndarray) -> float:
    v = v[np.isfinite(v)]
    return float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else math.nan


def _paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean and standard error of ``a - b`` over the trials where both are finite."""
    d = a - b
    return _mean(d), _se(d)
