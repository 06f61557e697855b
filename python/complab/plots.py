"""Plots of results, comparisons, sweeps and sensitivity.

Every function takes ``ax=None`` (a new figure when None) and returns the matplotlib Axes
it drew on; matplotlib is imported only when a function is called.

- :func:`fan_chart` — percentile bands of a KPI across trials over time (ARR, NRR...);
- :func:`pay_distribution` — annual earnings per rep by role, against OTE;
- :func:`attainment_histogram` — attainment of plan measures across reps and periods;
- :func:`comparison_bars` — paired differences with 95% intervals (:func:`complab.compare`);
- :func:`sweep_heatmap` — a value over a grid of two parameters;
- :func:`tornado` — low/high swings of an output per parameter (sensitivity).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from complab.scenario import ROLES

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from complab.result import Result

#: Percentile pairs drawn as bands by :func:`fan_chart`, outermost first, and the median.
FAN_PERCENTILES = (5, 25, 50, 75, 95)


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    return ax


def _require_result(result: Any) -> None:
    from complab.result import Result

    if not isinstance(result, Result):
        raise ValueError(f"result: expected a complab.Result, got {type(result).__name__}")


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what}: no column {missing[0]!r} (columns: {', '.join(map(str, df.columns))})"
        )


def fan_chart(
    result: Result,
    kpi: str = "arr_end",
    percentiles: Sequence[float] = FAN_PERCENTILES,
    ax: Axes | None = None,
    color: str = "C0",
    label: str | None = None,
) -> Axes:
    """Percentile bands of a KPI across trials over time.

    Parameters
    ----------
    result
        A :class:`~complab.Result`.
    kpi
        A column of :meth:`Result.monthly` (drawn by month, e.g. ``"arr_end"``) or of
        :meth:`Result.kpis` (drawn by year, e.g. ``"nrr"``, ``"grr"``).
    percentiles
        Odd number of increasing percentiles: pairs from the outside in become shaded
        bands, the middle one the line.
    """
    _require_result(result)
    p = sorted(float(x) for x in percentiles)
    if len(p) % 2 != 1 or not all(0 <= x <= 100 for x in p):
        raise ValueError(
            f"percentiles: {list(percentiles)!r} is not an odd number of values in [0, 100]"
        )
    from complab.result import KPI_COLUMNS

    monthly = result.monthly()
    by_month = [c for c in monthly.columns if c not in ("trial", "month")]
    if kpi in by_month:
        table, step = monthly, "month"
    elif kpi in KPI_COLUMNS:
        table, step = result.kpis(), "year"
    else:
        raise ValueError(
            f"kpi: {kpi!r} is not a monthly series ({', '.join(by_month)}) or a yearly KPI "
            f"({', '.join(KPI_COLUMNS)})"
        )
    wide = table.pivot(index="trial", columns=step, values=kpi).to_numpy(dtype=float)
    x = np.arange(wide.shape[1])
    q = np.nanpercentile(wide, p, axis=0) if wide.size else np.zeros((len(p), 0))
    ax = _axes(ax)
    half = len(p) // 2
    for i in range(half):
        alpha = 0.15 + 0.5 * (i + 1) / (half + 1) / 2
        ax.fill_between(
            x,
            q[i],
            q[-1 - i],
            color=color,
            alpha=alpha,
            linewidth=0,
            label=f"P{p[i]:g}–P{p[-1 - i]:g}",
        )
    # A single year or month draws no band area: mark the points.
    ax.plot(
        x, q[half], color=color, label=label or f"P{p[half]:g}", marker="o" if len(x) == 1 else None
    )
    if step == "year":  # whole years, counted from 1 as in the tables
        ax.set_xticks(x, [str(int(k) + 1) for k in x])
    ax.set_xlabel(step)
    ax.set_ylabel(kpi)
    ax.legend(loc="best")
    return ax


def pay_distribution(result: Result, ax: Axes | None = None, show_ote: bool = True) -> Axes:
    """Box plots of annual earnings per rep for each role (across reps, years and trials),
    with each role's mean OTE marked when `show_ote`."""
    _require_result(result)
    earned = result.annual_earnings()
    earned = earned[earned["months_held"] == 12]  # full rep-years
    roles = [r for r in ROLES if (earned["role"] == r).any()]
    data = [earned.loc[earned["role"] == r, "earnings"].to_numpy() for r in roles]
    ax = _axes(ax)
    if roles:
        ax.boxplot(data, patch_artist=True, showfliers=False)
        ax.set_xticks(range(1, len(roles) + 1), [r.upper() for r in roles])
    if show_ote and roles:
        otes: list[float] = []
        for role in roles:
            segs = result.roster.loc[result.roster["role"] == role, "segment"]
            plans = [result.scenario.plan_for(role, None if s == "all" else s) for s in segs]
            otes.append(
                float(np.mean([p.ote for p in plans if p is not None])) if any(plans) else np.nan
            )
        ax.scatter(
            range(1, len(roles) + 1), otes, marker="D", color="C3", zorder=3, label="mean OTE"
        )
        ax.legend(loc="best")
    ax.set_ylabel("annual earnings per rep")
    return ax


def attainment_histogram(
    result: Result,
    role: str | None = None,
    measure: str | None = None,
    bins: int | Sequence[float] = 40,
    ax: Axes | None = None,
) -> Axes:
    """Histogram of attainment (1 = 100% of target) per rep and period, one series per plan
    measure; `role` and `measure` (a measure name) narrow it down. A line marks 100%."""
    _require_result(result)
    data = attainments(result)
    if role is not None:
        data = data[data["role"] == role]
    if measure is not None:
        data = data[data["measure"] == measure]
    if data.empty:
        raise ValueError(f"no attainment for role={role!r}, measure={measure!r} in this result")
    ax = _axes(ax)
    groups = list(data.groupby(["role", "measure"], sort=False))
    values = [g["attainment"].to_numpy() for _, g in groups]
    labels = [f"{r}: {m}" for (r, m), _ in groups]
    ax.hist(values, bins=bins, label=labels, histtype="stepfilled", alpha=0.5)
    ax.axvline(1.0, color="k", linestyle="--", linewidth=1)
    ax.set_xlabel("attainment (1 = target)")
    ax.set_ylabel("rep-periods")
    ax.legend(loc="best")
    return ax


def attainments(result: Result) -> pd.DataFrame:
    """Attainment of every plan measure per trial, rep and period (tidy: ``trial``,
    ``rep``, ``period``, ``role``, ``segment``, ``measure``, ``attainment``), from the reps'
    actuals and their plans' targets as paid (docs/model.md §7): a volume measure's target
    is scaled by the seat-period's ``quota_scale`` (ramp, occupancy, the rep's own quota and
    the ratchet's factor; attained when it is 0), a rate's is not. Seat-periods vacant all
    period (``ote_scale`` 0: paid nothing) are left out."""
    from complab import _core

    is_rate = {m["name"]: bool(m["is_rate"]) for m in _core.METRICS}
    reps = result.reps()
    reps = reps[reps["ote_scale"] > 0.0]
    frames = []
    for (role, segment), group in reps.groupby(["role", "segment"], sort=False):
        plan = result.scenario.plan_for(role, None if segment == "all" else segment)
        if plan is None:
            continue
        period_months = result.scenario.world.period_months
        for m in plan.measures:
            actual = group[m.metric].to_numpy(dtype=float)
            scale = group["quota_scale"].to_numpy(dtype=float)
            if is_rate[m.metric]:
                scale = np.ones_like(scale)
            held = scale > 0.0
            target = plan.period_target(m.metric, m.target, period_months) * np.where(
                held, scale, 1.0
            )
            if m.lower_is_better:
                a = np.maximum(0.0, 1.0 + (target - actual) / target)
            else:
                a = actual / target
            a = np.where(held, a, 1.0)
            frames.append(
                group[["trial", "rep", "period", "role", "segment"]].assign(
                    measure=m.name, attainment=a
                )
            )
    if not frames:
        return pd.DataFrame(
            columns=["trial", "rep", "period", "role", "segment", "measure", "attainment"]
        )
    return pd.concat(frames, ignore_index=True)


def comparison_bars(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Horizontal bars of paired differences with their 95% intervals.

    Parameters
    ----------
    table
        Rows of :meth:`Comparison.table` (columns ``variant``, ``diff``, ``ci_low``,
        ``ci_high``; ``kpi`` and ``year`` label the bars when they vary).
    """
    _require(table, ["variant", "diff", "ci_low", "ci_high"], "table")
    labels = table["variant"].astype(str)
    for col in ("kpi", "year"):
        if col in table.columns and table[col].nunique() > 1:
            labels = labels + " · " + table[col].astype(str)
    diff = table["diff"].to_numpy(dtype=float)
    err = np.vstack(
        [
            diff - table["ci_low"].to_numpy(dtype=float),
            table["ci_high"].to_numpy(dtype=float) - diff,
        ]
    )
    ax = _axes(ax)
    y = np.arange(len(table))
    ax.barh(y, diff, xerr=np.nan_to_num(err), color=np.where(diff < 0, "C3", "C0"), capsize=3)
    ax.set_yticks(y, list(labels))
    ax.axvline(0.0, color="k", linewidth=0.8)
    kpis = table["kpi"].unique() if "kpi" in table.columns else []
    ax.set_xlabel(
        f"difference vs base{' in ' + str(kpis[0]) if len(kpis) == 1 else ''} (95% interval)"
    )
    ax.invert_yaxis()
    return ax


def sweep_heatmap(
    data: pd.DataFrame,
    x: str | None = None,
    y: str | None = None,
    value: str | None = None,
    ax: Axes | None = None,
    cmap: str = "viridis",
    annotate: bool = False,
) -> Axes:
    """Heat map of a value over a grid of two parameters.

    Parameters
    ----------
    data
        Tidy table: one row per grid point, with the two parameter columns and the value
        column (e.g. a :func:`complab.sweep` table filtered to one output and year).
    x, y, value
        Column names; when all are None the table's three columns are taken in order.
    annotate
        Write each cell's value in it.
    """
    if x is None and y is None and value is None:
        if not isinstance(data, pd.DataFrame) or len(data.columns) != 3:
            raise ValueError("data: give x, y and value, or a table of exactly three columns")
        x, y, value = (str(c) for c in data.columns)
    if x is None or y is None or value is None:
        raise ValueError("x, y, value: give all three column names, or none")
    _require(data, [x, y, value], "data")
    if data.duplicated([x, y]).any():
        raise ValueError(
            f"data: more than one row for some ({x}, {y}); filter it to one value per grid point"
        )
    grid = data.pivot(index=y, columns=x, values=value)
    ax = _axes(ax)
    image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap=cmap)
    ax.set_xticks(
        range(grid.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v) for v in grid.columns]
    )
    ax.set_yticks(
        range(grid.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v) for v in grid.index]
    )
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.figure.colorbar(image, ax=ax, label=value)
    if annotate:
        for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
            ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8, color="w")
    return ax


def tornado(
    data: pd.DataFrame,
    base: float | None = None,
    ax: Axes | None = None,
    parameter: str = "parameter",
    low: str = "low",
    high: str = "high",
) -> Axes:
    """Tornado chart: one bar per parameter from its `low` to its `high` output, the widest
    swing on top.

    The table of :func:`complab.sensitivity.tornado` is read as it is: there ``low`` and
    ``high`` are the parameter's values, so its ``output_low``, ``output_high`` and
    ``base`` columns are used.

    Parameters
    ----------
    data
        One row per parameter with columns `parameter`, `low` (output at the parameter's
        low value) and `high` (at its high value).
    base
        The output at the base case: bars are drawn from it (low in one colour, high in
        another) and a line marks it. Without it each bar spans low to high.
    """
    _require(data, [], "data")
    if (low, high) == ("low", "high") and {"output_low", "output_high"} <= set(data.columns):
        low, high = "output_low", "output_high"
        if base is None and "base" in data.columns:
            base = float(data["base"].iloc[0])
    _require(data, [parameter, low, high], "data")
    lo = data[low].to_numpy(dtype=float)
    hi = data[high].to_numpy(dtype=float)
    order = np.argsort(np.abs(hi - lo), kind="stable")  # widest last: on top after barh
    names = data[parameter].astype(str).to_numpy()[order]
    lo, hi = lo[order], hi[order]
    ax = _axes(ax)
    y = np.arange(len(names))
    if base is None:
        ax.barh(y, hi - lo, left=lo, color="C0")
    else:
        ax.barh(y, lo - base, left=base, color="C3", label=low)
        ax.barh(y, hi - base, left=base, color="C0", label=high)
        ax.axvline(base, color="k", linewidth=0.8)
        ax.legend(loc="best")
    ax.set_yticks(y, list(names))
    return ax


def wins_chart(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Which plan wins where: each run's mean KPI at the middle of each bin of an uncertain
    assumption (bars: ±2 standard errors of its paired difference from the base), and the
    winning run's name above each bin. `table` is :meth:`complab.Comparison.wins_by`'s."""
    _require(table, ["bin", "low", "high", "run", "mean", "se", "best"], "wins_by table")
    ax = _axes(ax)
    data = pd.DataFrame(table).assign(mid=(table["low"] + table["high"]) / 2)
    for run, rows in data.groupby("run", sort=False):
        err = 2 * rows["se"].fillna(0.0)
        ax.errorbar(rows["mid"], rows["mean"], yerr=err, marker="o", capsize=3, label=str(run))
    top = float(data["mean"].max())
    for _, row in data[data["best"]].iterrows():
        ax.annotate(
            str(row["run"]),
            (float(row["mid"]), top),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=8,
        )
    ax.set_xlabel(str(table.attrs.get("assumption", "assumption")) + " (middle of each bin)")
    ax.set_ylabel(f"{table.attrs.get('kpi', 'KPI')}, year {table.attrs.get('year', '')}")
    ax.set_title("Which plan wins where")
    ax.legend(fontsize=8)
    return ax


def pareto_front(front: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """The Pareto front of a two-objective :func:`complab.optimize`: each plan on the front
    as a point, the first objective against the second, joined in order. Every plan on
    the line is one where neither objective can improve without the other getting worse."""
    objectives = front.attrs.get("objectives")
    if not objectives or len(objectives) != 2:
        raise ValueError("front: expected Optimum.front (a table with two objectives)")
    texts = [o.split(" ", 1)[1] for o in objectives]
    _require(front, texts, "Pareto front")
    ax = _axes(ax)
    ax.plot(front[texts[1]], front[texts[0]], marker="o")
    ax.set_xlabel(objectives[1])
    ax.set_ylabel(objectives[0])
    ax.set_title("Pareto front: the best of one objective at each level of the other")
    return ax
