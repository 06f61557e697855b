"""Reports for decisions: what a comparison or a sweep means for the budget and for each rep.

- :func:`budget` — per run: the total OTE (the budget), the expected comp cost (mean and
  P10 / P50 / P90 across trials), cost at risk (P90 − budget) and comp per dollar of new
  and expansion ARR;
- :func:`keep_whole` — per rep: earnings under the base and a variant, trial by trial on
  common random numbers: by how much and how often the rep earns more or less, and what it
  would cost to keep the rep whole (the mean shortfall);
- :func:`render_comparison` and :func:`render_sweep` — the HTML pages that
  :func:`complab.report` writes for a :class:`~complab.Comparison` and a sweep table.

Every figure is in one year (counted from 1), by default the last year every run has.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from complab.compare import Comparison
from complab.display import Table, money, pct
from complab.result import Result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from complab.scenario import Scenario

__all__ = ["budget", "keep_whole", "render_comparison", "render_sweep", "scenario_changes"]


def _runs(comparison: Comparison) -> dict[str, Result]:
    return {"base": comparison.base, **comparison.results}


def _check_year(comparison: Comparison, year: Any) -> int:
    last = min(comparison._years(name) for name in comparison.results)
    if year is None:
        if last < 1:
            raise ValueError("year: the runs hold no whole year (world.months < 12)")
        return last
    comparison._check_year(year)
    return int(year)


def total_ote(result: Result, year: int | None = None) -> float:
    """The budget: the OTE every seat carried in `year` (from 1; by default the last whole
    year, or the first when there is none), summed over seats, mean across trials.

    A seat carries its plan's OTE times its ``ote_scale`` for each period (docs/model.md §9:
    a named rep's own OTE, pro rata to the months the seat was held), so a rep who starts
    in month 4, or a hiring plan's seat from month 9, counts for 9 or 3 months, and a seat
    left vacant after a leaver counts only while held. Without a workforce every seat is
    held all year and this is each rep's annual OTE summed. Reps without a plan: 0."""
    if year is None:
        year = max(result.years, 1)
    return float(ote_budget(result, year).mean())


def ote_budget(result: Result, year: int) -> np.ndarray:
    """The OTE every seat carried in `year` (from 1), summed over seats, per trial: the
    budget of :func:`total_ote` before its mean across trials."""
    from complab.people import ote_carried

    plan_ote = np.array(
        [
            plan.ote if plan is not None else 0.0
            for plan in (
                result.scenario.plan_for(role, None if segment == "all" else segment)
                for role, segment in zip(
                    result.roster["role"], result.roster["segment"], strict=True
                )
            )
        ]
    )
    carried = ote_carried(result, year) * plan_ote  # [trials, reps]
    return np.asarray(carried.sum(axis=1), dtype=float)


def budget(comparison: Comparison, year: int | None = None) -> Table:
    """The comp budget of each run in one year.

    Parameters
    ----------
    comparison
        From :func:`complab.compare`.
    year
        Counted from 1; by default the last year every run has.

    Returns
    -------
    Table
        One row per run (``base`` first): ``run``, ``year``, ``reps``, ``total_ote`` (the
        budget: the OTE the seats carried in the year, :func:`total_ote`), ``cost_mean`` (equal to :meth:`Comparison.table`'s ``comp_total`` means),
        ``cost_p10``, ``cost_p50``, ``cost_p90``, ``cost_at_risk`` (P90 − total OTE: what a
        bad year could cost beyond the budget; negative is headroom) and ``cost_of_sales``
        (mean comp per dollar of new and expansion ARR).
    """
    year = _check_year(comparison, year)
    rows = []
    for name, result in _runs(comparison).items():
        kpis = result.kpis()
        cost = kpis.loc[kpis["year"] == year, "comp_total"].to_numpy(dtype=float)
        sales = kpis.loc[kpis["year"] == year, "cost_of_sales"].to_numpy(dtype=float)
        ote = total_ote(result, year)
        p10, p50, p90 = np.percentile(cost, [10, 50, 90])
        rows.append(
            {
                "run": name,
                "year": year,
                "reps": len(result.roster),
                "total_ote": ote,
                "cost_mean": float(cost.mean()),
                "cost_p10": float(p10),
                "cost_p50": float(p50),
                "cost_p90": float(p90),
                "cost_at_risk": float(p90) - ote,
                "cost_of_sales": float(np.nanmean(sales)) if np.isfinite(sales).any() else np.nan,
            }
        )
    return Table(rows)


def _earnings(result: Result, year: int) -> np.ndarray:
    """Each rep's earnings in `year` (from 1), per trial: [trials, reps]."""
    from complab import _core

    pay = result.arrays["pay"][..., list(_core.PAY_FIELDS).index("earnings")]  # [t, r, p]
    per_year = 12 // result.scenario.world.period_months
    return pay[:, :, (year - 1) * per_year : year * per_year].sum(axis=2)


def keep_whole(comparison: Comparison, variant: str, year: int | None = None) -> Table:
    """Which reps earn more or less under `variant` than under the base, by how much and how
    often; trial by trial, since both runs see the same customers and reps.

    Parameters
    ----------
    comparison
        From :func:`complab.compare`.
    variant
        The variant's name.
    year
        Counted from 1; by default the last year every run has.

    Returns
    -------
    Table
        One row per rep: ``rep``, ``role``, ``segment``, ``name`` (the seat's named rep,
        ``world.workforce.roster``, else None), ``base_mean`` and ``variant_mean``
        (mean annual earnings), ``diff`` (mean of the paired differences), ``diff_p10`` /
        ``diff_p90``, ``share_more`` and ``share_less`` (share of trials the rep earns more,
        less), ``keep_whole`` (mean of the shortfall ``max(0, base − variant)``: what paying
        the rep the difference whenever the variant pays less would cost).

    Raises
    ------
    ValueError
        For an unknown variant, or one whose reps are not the base's (a change of
        headcount): reps cannot be paired then.
    """
    if variant not in comparison.results:
        raise ValueError(
            f"variant: {variant!r} is not one of {', '.join(map(repr, comparison.results))}"
        )
    year = _check_year(comparison, year)
    base, other = comparison.base, comparison.results[variant]
    if not base.roster[["role", "segment"]].equals(other.roster[["role", "segment"]]):
        raise ValueError(
            f"variant: {variant!r} has other reps than the base ({len(other.roster)} against "
            f"{len(base.roster)}, by role and segment); reps pair up only when the headcount "
            "is the same"
        )
    b, v = _earnings(base, year), _earnings(other, year)
    d = v - b
    p10, p90 = np.percentile(d, [10, 90], axis=0) if d.size else (np.zeros(0), np.zeros(0))
    return Table(
        {
            "rep": base.roster["rep"].to_numpy(),
            "role": base.roster["role"].to_numpy(),
            "segment": base.roster["segment"].to_numpy(),
            "name": base.roster["name"].to_numpy(dtype=object),
            "year": year,
            "base_mean": b.mean(axis=0),
            "variant_mean": v.mean(axis=0),
            "diff": d.mean(axis=0),
            "diff_p10": p10,
            "diff_p90": p90,
            "share_more": (d > 0.005).mean(axis=0),
            "share_less": (d < -0.005).mean(axis=0),
            "keep_whole": np.maximum(0.0, -d).mean(axis=0),
        }
    )


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """A scenario's dict form as ``{dotted path: value}``; lists of named items by name."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        for i, x in enumerate(data):
            out.update(_flatten(x, f"{prefix}.{x.get('name') or x.get('metric') or i}"))
    else:
        out[prefix] = data
    return out


def scenario_changes(base: Scenario, variant: Scenario) -> list[tuple[str, Any, Any]]:
    """What a variant changes: ``(dotted path, base value, variant value)`` for every field
    that differs (a plan or item only one has shows as None on the other side)."""
    a, b = _flatten(base.to_dict()), _flatten(variant.to_dict())
    return [(k, a.get(k), b.get(k)) for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k)]


# -- pages -------------------------------------------------------------------------------------
_DECISION_KPIS = (
    ("comp_total", "Comp cost: total"),
    ("comp_ae", "Comp cost: AEs"),
    ("comp_sdr", "Comp cost: SDRs"),
    ("comp_csm", "Comp cost: CSMs"),
    ("earnings_per_ae", "Earnings per AE"),
    ("earnings_per_sdr", "Earnings per SDR"),
    ("earnings_per_csm", "Earnings per CSM"),
    ("arr_end", "ARR at year end"),
    ("new_arr", "New ARR"),
    ("expansion_arr", "Expansion ARR"),
    ("nrr", "NRR"),
    ("grr", "GRR"),
    ("cost_of_sales", "Comp per $ of new + expansion ARR"),
)


def _page(title: str, meta: str, body: str, version: str) -> str:
    from complab.report import _e, page_head

    return f"""{page_head(title, version)}
<p class="meta">{meta} · generated {_e(_dt.datetime.now().strftime("%Y-%m-%d %H:%M"))}</p>
{body}
</main>
</body>
</html>
"""


def _value(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:,.6g}" if abs(x) < 1e15 else f"{x:g}"
    if isinstance(x, list):
        return "[" + ", ".join(_value(v) for v in x) + "]"
    return "—" if x is None else str(x)


def _changes_table(comparison: Comparison) -> str:
    from complab.report import _e, _table

    rows = []
    for name, result in comparison.results.items():
        changes = scenario_changes(comparison.base.scenario, result.scenario)
        if not changes:
            rows.append([_e(name), "(nothing)", "", ""])
        for i, (path, a, b) in enumerate(changes[:40]):
            rows.append([_e(name) if i == 0 else "", _e(path), _e(_value(a)), _e(_value(b))])
        if len(changes) > 40:
            rows.append(["", _e(f"… and {len(changes) - 40} more"), "", ""])
    return _table(["Variant", "Field", "Base", "Variant"], rows, text_cols=(0, 1, 2, 3))


def _differences_table(comparison: Comparison, year: int) -> str:
    from complab.display import FORMATS, kind
    from complab.report import _e, _table

    table = comparison.table(year=year)
    names = list(comparison.results)
    rows = []
    for kpi, label in _DECISION_KPIS:
        sub = table[table["kpi"] == kpi]
        if sub.empty:
            continue
        fmt = FORMATS[kind(kpi)]
        cells = [_e(label), _e(fmt(sub["base_mean"].iloc[0]))]
        for name in names:
            r = sub[sub["variant"] == name]
            if r.empty:
                cells.append("–")
                continue
            r0 = r.iloc[0]
            sign = "+" if r0["diff"] > 0 else ""
            cells.append(
                f"{_e(fmt(r0['variant_mean']))}<small>{_e(sign + fmt(r0['diff']))} "
                f"({_e(fmt(r0['ci_low']))} to {_e(fmt(r0['ci_high']))}); "
                f"better in {r0['p_better']:.0%} of trials</small>"
            )
        rows.append(cells)
    header = ["KPI", "Base"] + [f"{_e(n)}<small>{_e(comparison.methods[n])}</small>" for n in names]
    return _table(header, rows)


def _budget_table(table: pd.DataFrame) -> str:
    from complab.report import _e, _table

    rows = [
        [
            _e(r["run"]),
            _e(str(r["reps"])),
            _e(money(r["total_ote"])),
            _e(money(r["cost_mean"])),
            _e(money(r["cost_p10"])),
            _e(money(r["cost_p50"])),
            _e(money(r["cost_p90"])),
            _e(money(r["cost_at_risk"])),
            _e(f"{r['cost_of_sales']:.2f}" if np.isfinite(r["cost_of_sales"]) else "–"),
        ]
        for _, r in table.iterrows()
    ]
    header = [
        "Run",
        "Reps",
        "Budget (total OTE)",
        "Expected cost (mean)",
        "P10",
        "P50",
        "P90",
        "Cost at risk (P90 − budget)",
        "Comp per $ of new + expansion ARR",
    ]
    return _table(header, rows)


def _keep_whole_section(comparison: Comparison, year: int) -> str:
    from complab.report import _e, _table

    parts = []
    for name in comparison.results:
        try:
            kw = keep_whole(comparison, name, year)
        except ValueError as err:
            parts.append(f"<h3>{_e(name)}</h3><p class='note'>{_e(err)}</p>")
            continue
        rows = [
            [
                _e(
                    f"{r['role'].upper()} {'' if r['segment'] == 'all' else r['segment']} #{r['rep']}"
                    + (f" ({r['name']}'s seat)" if isinstance(r["name"], str) else "")
                ),
                _e(money(r["base_mean"])),
                _e(money(r["variant_mean"])),
                _e(("+" if r["diff"] > 0 else "") + money(r["diff"])),
                _e(f"{money(r['diff_p10'])} to {money(r['diff_p90'])}"),
                _e(pct(r["share_more"])),
                _e(pct(r["share_less"])),
                _e(money(r["keep_whole"])),
            ]
            for _, r in kw.iterrows()
        ]
        losers = int((kw["diff"] < -0.005).sum())
        winners = int((kw["diff"] > 0.005).sum())
        total = float(kw["keep_whole"].sum())
        rows.append(
            [
                "<b>All reps</b>",
                _e(money(kw["base_mean"].sum())),
                _e(money(kw["variant_mean"].sum())),
                _e(("+" if kw["diff"].sum() > 0 else "") + money(kw["diff"].sum())),
                "",
                "",
                "",
                f"<b>{_e(money(total))}</b>",
            ]
        )
        header = [
            "Rep",
            "Base: mean earnings",
            "Variant: mean earnings",
            "Difference (mean)",
            "Difference P10 to P90",
            "Trials earning more",
            "Trials earning less",
            "Keep-whole cost",
        ]
        parts.append(
            f"<h3>{_e(name)}</h3><p>{winners} of {len(kw)} reps earn more on average and "
            f"{losers} earn less; keeping every rep whole (paying the shortfall whenever the "
            f"variant pays a rep less than the base would have) costs about "
            f"<b>{_e(money(total))}</b> in year {year}.</p>" + _table(header, rows)
        )
    return "".join(parts)


def _draw_differences(comparison: Comparison, year: int) -> Any:
    def draw(fig: Figure) -> None:
        from complab import plots
        from complab.report import _money_axis

        ax = fig.subplots()
        plots.comparison_bars(comparison.table("comp_total", year=year), ax=ax)
        ax.set_title(f"Comp cost difference vs base, year {year} (95% interval)")
        _money_axis(ax, "x")

    return draw


def render_comparison(
    comparison: Comparison, title: str | None = None, year: int | None = None
) -> str:
    """The decision report of a comparison as HTML text (what :func:`complab.report`
    writes): the changes, paired differences with 95% intervals, the budget of each run and
    per-rep keep-whole tables, in one year (by default the last every run has)."""
    from complab.report import _chart, _e, _plans_table, _seed_text

    year = _check_year(comparison, year)
    title = title or f"Plan decision: {', '.join(comparison.results)} against the base"
    base = comparison.base
    meta = (
        f"{base.trials:,} paired trials of each run · year {year} · seed "
        f"{_e(_seed_text(comparison.seed))} · complab {_e(base.version)}"
    )
    chart = _chart(
        "comparison",
        _draw_differences(comparison, year),
        (6.4, 0.6 + 0.5 * len(comparison.results)),
    )
    body = f"""
<p>Every run sees the same customers, deals and reps trial by trial (common random numbers),
so a difference is measured within each trial: its interval is far narrower than the spread
of either run. "repay" runs pay the base's simulated world under other plans; "simulate"
runs change the world and are simulated again.</p>
<h2>What changes</h2>
{_changes_table(comparison)}
<h2>Differences, year {year}</h2>
<p class="note">Each run's mean across trials, and below it the variant's mean difference from
the base with its 95% interval, and the share of paired trials in which the variant does
better (lower is better for churn and cost; with uncertain assumptions this includes them).</p>
{_differences_table(comparison, year)}
<div class="charts single"><figure>{chart}</figure></div>
<h2>Budget, year {year}</h2>
<p class="note">Budget: every rep's annual OTE summed. Expected cost: what the plans pay in the
year across trials. Cost at risk: P90 − budget, what a bad year (one in ten) costs beyond the
budget; a negative value is headroom.</p>
{_budget_table(budget(comparison, year))}
<h2>Keep-whole: who earns more or less, year {year}</h2>
<p class="note">Rep by rep, trial by trial: the same rep in the same future under the base and
the variant. "Trials earning more/less": how often. Keep-whole cost: the mean shortfall, what
a guarantee that no rep earns less than under the base plan would cost.</p>
{_keep_whole_section(comparison, year)}
<h2>Base plans</h2>
{_plans_table(base)}
"""
    return _page(title, meta, body, base.version)


def render_sweep(
    table: pd.DataFrame,
    title: str | None = None,
    year: int | None = None,
    scenario: Scenario | None = None,
) -> str:
    """The decision report of a :func:`complab.sweep` table as HTML text: each point's
    outputs side by side (mean, P10 – P90), their difference from the first point, and the
    budget of each point when ``comp_total`` is an output.

    A sweep keeps statistics per point, not per trial, so differences between points come
    without paired intervals (use :func:`complab.compare` for those) and there is no
    per-rep keep-whole table. The budget needs the swept scenario: the one the sweep kept
    (``table.attrs["scenario"]``) or `scenario`.
    """
    from complab.display import FORMATS, kind
    from complab.report import _e, _table
    from complab.sweeps import ROW_COLUMNS

    missing = [c for c in ROW_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"table: not a sweep table (no column {missing[0]!r})")
    paths = [c for c in table.columns if c not in ROW_COLUMNS]
    years = sorted(int(y) for y in table["year"].unique())
    if year is None:
        counts = table.groupby("year").size()
        year = int(max(y for y in years if counts[y] == counts.max()))
    elif year not in years:
        raise ValueError(f"year: {year} is not a year of the sweep (years {years})")
    rows_y = table[table["year"] == year]
    points = rows_y[paths].drop_duplicates().reset_index(drop=True)
    outputs = list(dict.fromkeys(rows_y["output"]))

    def label(point: pd.Series) -> str:
        return ", ".join(f"{p}={_value(point[p])}" for p in paths)

    header = ["Point"] + [_e(o) for o in outputs]
    rows, first = [], {}
    for i, point in points.iterrows():
        mask = np.logical_and.reduce([rows_y[p] == point[p] for p in paths])
        cells = [_e(label(point))]
        for o in outputs:
            r = rows_y[mask & (rows_y["output"] == o)]
            if r.empty:
                cells.append("–")
                continue
            r0 = r.iloc[0]
            fmt = FORMATS[kind(o)]
            if i == 0:
                first[o] = r0["mean"]
                delta = "first point"
            else:
                d = r0["mean"] - first.get(o, np.nan)
                delta = ("+" if d > 0 else "") + fmt(d)
            cells.append(
                f"{_e(fmt(r0['mean']))}<small>{_e(fmt(r0['p10']))} – {_e(fmt(r0['p90']))} · "
                f"{_e(delta)}</small>"
            )
        rows.append(cells)
    body = f"""
<p>Each point of the grid is simulated (or, for plan-only points, re-paid) on the same random
numbers. Below each mean: P10 – P90 across trials and the difference of means from the first
point. A sweep keeps statistics per point, not per trial, so there are no paired intervals or
per-rep tables here: compare the points you are choosing between with complab.compare.</p>
<h2>Outputs by point, year {year}</h2>
{_table(header, rows)}
{_sweep_budget(table, points, paths, year, scenario)}
"""
    seed = table.attrs.get("seed", "—")
    trials = table.attrs.get("trials")
    meta = f"{len(points)} points · {f'{trials:,} trials each · ' if trials else ''}year {year} · seed {_e(seed)}"
    from complab import __version__

    return _page(title or f"Sweep of {', '.join(paths)}", meta, body, __version__)


def _sweep_budget(
    table: pd.DataFrame,
    points: pd.DataFrame,
    paths: list[str],
    year: int,
    scenario: Scenario | None,
) -> str:
    from complab.report import _e, _table
    from complab.scenario import Scenario as _Scenario

    rows_y = table[(table["year"] == year) & (table["output"] == "comp_total")]
    if rows_y.empty:
        return (
            "<h2>Budget</h2><p class='note'>No budget: comp_total is not among the sweep's "
            "outputs.</p>"
        )
    if scenario is None and "scenario" in table.attrs:
        scenario = _Scenario.from_yaml(table.attrs["scenario"])
    budgets = table[(table["year"] == year) & (table["output"] == "budget")]
    rows, full_year = [], False
    for _, point in points.iterrows():
        mask = np.logical_and.reduce([rows_y[p] == point[p] for p in paths])
        r = rows_y[mask].iloc[0]
        carried = budgets[np.logical_and.reduce([budgets[p] == point[p] for p in paths])]
        ote = np.nan
        if not carried.empty:  # the OTE the seats carried (the sweep's budget output)
            ote = float(carried.iloc[0]["mean"])
        elif scenario is not None:
            s = scenario.with_({p: point[p] for p in paths})
            ote, full_year = _scenario_ote(s), True
        rows.append(
            [
                _e(", ".join(f"{p}={_value(point[p])}" for p in paths)),
                _e(money(ote)),
                _e(money(r["mean"])),
                _e(money(r["p10"])),
                _e(money(r["p50"])),
                _e(money(r["p90"])),
                _e(money(r["p90"] - ote)),
            ]
        )
    header = ["Point", "Budget (total OTE)", "Expected cost", "P10", "P50", "P90", "Cost at risk"]
    if full_year:
        note = (
            "<p class='note'>Budget: a full year of every seat's plan OTE, hiring-plan "
            "seats included, for the sweep has no <code>budget</code> output: the months a "
            "seat is vacant or not yet filled, and named reps' own OTE, are not counted. "
            "Sweep with the <code>budget</code> output for the OTE the seats carried.</p>"
        )
    elif budgets.empty:
        note = "<p class='note'>The budget needs the swept scenario: pass scenario=.</p>"
    else:
        note = (
            "<p class='note'>Budget: the OTE the seats carried in the year, mean across trials.</p>"
        )
    return f"<h2>Budget, year {year}</h2>{note}{_table(header, rows)}"


def _scenario_ote(scenario: Scenario) -> float:
    """A full year of every seat's plan OTE (hiring-plan seats included): :func:`total_ote`
    of a world where every seat is held all year at its plan's OTE."""
    from complab import _core

    roles, segments = _core.roster(scenario._to_core())[:2]
    names = scenario.world.segment_names()
    total = 0.0
    for role, s in zip(roles, segments, strict=True):
        plan = scenario.plan_for(role, names[s] if s >= 0 else None)
        total += plan.ote if plan is not None else 0.0
    return total
