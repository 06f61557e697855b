"""How numbers read in notebooks and reports: money as $1.23M, rates as 97.1%.

- :func:`money`, :func:`pct`, :func:`count`, :func:`ratio` format one number, and
  :func:`kind` says which of them suits a KPI (``"nrr"``, ``"comp_total"``, ``"nrr:smb"``,
  ``"earnings_per_csm"``...);
- :class:`Table` is the pandas DataFrame that :meth:`Result.summary`, :meth:`Result.kpis`,
  :meth:`Comparison.table <complab.Comparison.table>` and :func:`complab.sweep` return: it
  holds the exact numbers and shows them formatted (in Jupyter and when printed);
- :func:`result_html`, :func:`comparison_html` and :func:`plan_html` are the rich displays
  of a :class:`~complab.Result`, a :class:`~complab.Comparison` and a
  :class:`~complab.Plan` in Jupyter.

Years count from 1 everywhere: year 1 is months 0–11.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from complab.compare import Comparison
    from complab.plans import Plan
    from complab.result import Result

__all__ = ["Table", "count", "kind", "money", "pct", "ratio"]


# -- one number ---------------------------------------------------------------------------------
def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def money(x: Any) -> str:
    """``$1.23M``, ``$512K``, ``$950``, ``-$1.15M``; ``–`` for a missing value.

    Thresholds sit just under each unit, so 999,600 is $1.00M rather than $1000K, and a
    value that rounds to zero shows as $0 (never -$0).
    """
    if not _finite(x):
        return "–"
    sign = "-" if x < 0 else ""
    a = abs(float(x))
    if a >= 999_995_000:
        return f"{sign}${a / 1e9:.2f}B"
    if a >= 999_500:
        return f"{sign}${a / 1e6:.2f}M"
    if a >= 999.5:
        return f"{sign}${a / 1e3:.0f}K"
    if a < 0.5:
        return "$0"
    return f"{sign}${a:.0f}"


def pct(x: Any) -> str:
    """A fraction as a percentage with one decimal: 0.971 is ``97.1%``."""
    return "–" if not _finite(x) else f"{100 * float(x):.1f}%"


def count(x: Any) -> str:
    """A count with thousands separators; a fractional one keeps its decimals (0.4, not 0)."""
    if not _finite(x):
        return "–"
    x = float(x)
    if x.is_integer() or abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def ratio(x: Any) -> str:
    """A ratio to two decimals (comp per dollar of new ARR: ``0.42``)."""
    return "–" if not _finite(x) else f"{float(x):.2f}"


FORMATS: dict[str, Callable[[Any], str]] = {
    "money": money,
    "pct": pct,
    "count": count,
    "ratio": ratio,
}

_PCT = {
    "nrr",
    "grr",
    "logo_churn",
    "handoff_acceptance",
    "expansion_win_rate",
    "existing_customer_share",
    "gross_churn",
    "expand_rate",
}
_COUNT = {"new_logos", "csql_count", "opportunities", "sourced_wins", "expansion_wins"}
_RATIO = {"cost_of_sales"}
#: The workforce's rows of Result.summary() (docs/model.md §9) that count people.
_PEOPLE_COUNTS = ("capacity_", "leavers_", "regretted_leavers_", "hires_")


def kind(name: str) -> str:
    """How a KPI or output reads: ``"money"``, ``"pct"``, ``"count"`` or ``"ratio"``.

    Money unless the name (or its metric, before a ``:``) is a rate, a count or
    ``cost_of_sales``; ``controllability[...]`` rows are shares (``pct``).
    """
    base = str(name).partition(":")[0]
    if base in _PCT or base.startswith("controllability["):
        return "pct"
    if base in _COUNT or base.startswith(_PEOPLE_COUNTS):
        return "count"
    if base in _RATIO:
        return "ratio"
    return "money"


# -- tables ------------------------------------------------------------------------------------
#: Columns of tidy tables that hold the value of the row's KPI (or output), in its units.
_VALUE_COLUMNS = (
    "mean",
    "se",
    "p5",
    "p10",
    "p50",
    "p90",
    "p95",
    "base_mean",
    "variant_mean",
    "diff",
    "ci_low",
    "ci_high",
    "se_unpaired",
    "shortfall",
)
#: Columns of wide tables in fixed units, whatever the row.
_FIXED = {
    "start_arr": "money",
    "end_arr": "money",
    "arr": "money",
    "booked": "money",
    "base": "money",
    "earnings": "money",
    "variable": "money",
    "ote": "money",
    "start_logos": "count",
    "n": "count",
    # complab.decisions' budget and keep-whole tables
    "total_ote": "money",
    "cost_mean": "money",
    "cost_p10": "money",
    "cost_p50": "money",
    "cost_p90": "money",
    "cost_at_risk": "money",
    "base_mean": "money",
    "variant_mean": "money",
    "diff": "money",
    "diff_p10": "money",
    "diff_p90": "money",
    "keep_whole": "money",
    "share_more": "pct",
    "share_less": "pct",
    "p_better": "pct",
    "p_best": "pct",
}


def formatted(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of `table` with its numbers as text in their units: the rows of a tidy table
    (a ``kpi`` or ``output`` column) by the row's KPI, other columns by their name.
    Columns it does not know keep pandas' own display."""
    out = pd.DataFrame(table).copy()
    label = next((c for c in ("kpi", "output") if c in out.columns), None)
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
            continue
        if col in ("trial", "year", "rep", "period", "month"):
            continue
        values = out[col].to_numpy()
        if label is not None and col in _VALUE_COLUMNS:
            kinds = [kind(k) for k in out[label]]
            out[col] = [FORMATS[k](v) for k, v in zip(kinds, values, strict=True)]
        elif col in _FIXED:
            out[col] = [FORMATS[_FIXED[col]](v) for v in values]
        elif _is_kpi_column(col):
            fmt = FORMATS[kind(col)]
            out[col] = [fmt(v) for v in values]
    return out


def _is_kpi_column(col: Any) -> bool:
    from complab.result import COHORT_METRICS, KPI_COLUMNS

    name = str(col)
    return (
        name in KPI_COLUMNS
        or name.startswith("earnings_per_")
        or name.partition(":")[0] in COHORT_METRICS
    )


class Table(pd.DataFrame):
    """A pandas DataFrame that shows money as $1.23M and rates as 97.1%.

    The numbers themselves are unchanged (``table["mean"]`` is floats); only the display
    (Jupyter's HTML and ``print``) is formatted. Tables derived from one (filtered, sorted)
    display the same way. ``pd.DataFrame(table)`` gives the plain frame.
    """

    @property
    def _constructor(self) -> type[Table]:
        return Table

    def _repr_html_(self) -> str | None:
        return pd.DataFrame._repr_html_(formatted(self))

    def __repr__(self) -> str:
        return pd.DataFrame.__repr__(formatted(self))


def as_table(frame: pd.DataFrame) -> Table:
    """`frame` as a :class:`Table` (no copy of the data)."""
    return Table(frame)


# -- rich displays of complab objects ----------------------------------------------------------
_STYLE = (
    "<style>.complab th,.complab td{text-align:right;padding:2px 8px}"
    ".complab th:first-child,.complab td:first-child{text-align:left}"
    ".complab small{color:#616e7c}.complab caption{text-align:left;font-weight:600}</style>"
)

#: KPIs a Result and a Comparison show first: (KPI, label).
HEADLINE_KPIS: tuple[tuple[str, str], ...] = (
    ("arr_end", "ARR at year end"),
    ("new_arr", "New ARR"),
    ("nrr", "NRR"),
    ("grr", "GRR"),
    ("comp_total", "Comp cost: total"),
    ("comp_ae", "Comp cost: AEs"),
    ("comp_sdr", "Comp cost: SDRs"),
    ("comp_csm", "Comp cost: CSMs"),
    ("cost_of_sales", "Comp per $ of new + expansion ARR"),
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def html_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], caption: str | None = None
) -> str:
    """An HTML table; cells are HTML already (escape text before)."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    cap = f"<caption>{caption}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _median_range(values: np.ndarray, fmt: Callable[[Any], str]) -> str:
    v = values[np.isfinite(values)]
    if not len(v):
        return "–"
    p10, p50, p90 = np.percentile(v, [10, 50, 90])
    return f"{_e(fmt(p50))}<br><small>{_e(fmt(p10))} – {_e(fmt(p90))}</small>"


def result_html(result: Result) -> str:
    """A Result in Jupyter: what was run, the headline KPIs by year (median, P10–P90) and
    each role's annual earnings per rep against OTE."""
    kpis = result.kpis()
    years = sorted(int(y) for y in kpis["year"].unique())
    head = (
        f"<p><b>complab Result</b>: {result.trials:,} trial{'s' if result.trials != 1 else ''}"
        f" of {result.months} months · {len(result.scenario.world.segments)} segments · "
        f"{len(result.roster)} reps · seed {_e(result.seed)}</p>"
    )
    rows = []
    for name, label in HEADLINE_KPIS:
        fmt = FORMATS[kind(name)]
        cells = [_e(label)]
        for year in years:
            cells.append(_median_range(kpis.loc[kpis["year"] == year, name].to_numpy(float), fmt))
        rows.append(cells)
    table = html_table(
        ["KPI"] + [f"Year {y}" for y in years],
        rows,
        caption="Median across trials, P10 – P90 below",
    )
    pay = _pay_rows_html(result)
    return f'<div class="complab">{_STYLE}{head}{table}{pay}</div>'


def _pay_rows_html(result: Result) -> str:
    if len(result.roster) == 0 or result.years == 0:
        return ""
    earned = result.annual_earnings()
    earned = earned[earned["months_held"] == 12]  # full rep-years
    rows = []
    for (role, segment), group in earned.groupby(["role", "segment"], sort=False):
        plan = result.scenario.plan_for(role, None if segment == "all" else segment)
        who = role.upper() if segment == "all" else f"{role.upper()} {segment}"
        e = group["earnings"].to_numpy(float)
        ote = money(plan.ote) if plan is not None else "no plan"
        # Against each rep's own OTE (a named rep may carry its own).
        own = group["ote"].to_numpy(float)
        at_ote = pct(np.mean(e >= own - 1e-6)) if plan is not None and len(e) else "–"
        rows.append([_e(who), _e(ote), _median_range(e, money), _e(at_ote)])
    return html_table(
        ["Plan", "OTE", "Earnings per rep-year", "At or above OTE"],
        rows,
        caption="Annual earnings per rep (median, P10 – P90 below)",
    )


def comparison_html(comparison: Comparison) -> str:
    """A Comparison in Jupyter: each variant's paired difference from the base in the
    headline KPIs, in the last year every run has, with 95% intervals."""
    year = min(comparison._years(name) for name in comparison.results)
    head = (
        f"<p><b>complab Comparison</b>: {len(comparison.results)} variant(s) against the base "
        f"on {comparison.base.trials:,} paired trials · seed {_e(comparison.seed)}</p>"
    )
    if year < 1:
        return f'<div class="complab">{head}</div>'
    table = comparison.table([k for k, _ in HEADLINE_KPIS], year=year)
    header = ["KPI", "Base"] + [
        f"{_e(name)}<br><small>{_e(comparison.methods[name])}</small>"
        for name in comparison.results
    ]
    rows = []
    for name, label in HEADLINE_KPIS:
        fmt = FORMATS[kind(name)]
        sub = table[table["kpi"] == name]
        if sub.empty:
            continue
        cells = [_e(label), _e(fmt(sub["base_mean"].iloc[0]))]
        for variant in comparison.results:
            r = sub[sub["variant"] == variant]
            if r.empty:
                cells.append("–")
                continue
            r0 = r.iloc[0]
            cells.append(
                f"{_e(_signed(fmt, r0['diff']))}<br><small>{_e(fmt(r0['ci_low']))} to "
                f"{_e(fmt(r0['ci_high']))}</small>"
            )
        rows.append(cells)
    caption = (
        f"Year {year}: base mean, and each variant's mean difference (variant − base) with "
        "its 95% interval below"
    )
    return f'<div class="complab">{_STYLE}{head}{html_table(header, rows, caption)}</div>'


def _signed(fmt: Callable[[Any], str], x: Any) -> str:
    text = fmt(x)
    return f"+{text}" if _finite(x) and float(x) > 0 and text not in ("$0", "0.0%") else text


def pay_terms_text(plan: Any) -> list[str]:
    """A plan's pay terms beyond its measures, one sentence each: true-up, draw, ratchet."""
    out = []
    if plan.true_up:
        out.append("Annual true-up: the year's last period squares pay to the annual plan")
    if plan.draw is not None:
        kind = "recoverable" if plan.draw.recoverable else "non-recoverable"
        out.append(
            f"Draw ({kind}): {money(plan.draw.amount)} a month for a rep's first "
            f"{plan.draw.months} months"
        )
    if plan.ratchet is not None:
        out.append(
            f"Quota ratchet: up {pct(plan.ratchet.up)} of over-attainment, "
            f"down {pct(plan.ratchet.down)} of shortfall, each year"
        )
    return out


def plan_html(plan: Plan, period_months: int = 12) -> str:
    """A Plan in Jupyter: OTE, pay mix and one row per measure (weight, target, curve)."""
    from complab.plans import METRICS

    title = plan.name or plan.role.upper()
    head = (
        f"<p><b>{_e(title)}</b> ({_e(plan.role)}): OTE {_e(money(plan.ote))}, base "
        f"{_e(f'{100 * plan.base_share:.0f}')}% / variable "
        f"{_e(f'{100 * (1 - plan.base_share):.0f}')}% (target variable pay "
        f"{_e(money(plan.ote * (1 - plan.base_share)))} a year)</p>"
    )
    rows = []
    for m in plan.measures:
        info = METRICS.get(m.metric, {})
        if m.metric in _PCT:
            target = pct(m.target)
        elif info.get("is_count"):
            target = count(m.target)
        else:
            target = money(m.target)
        extras = []
        if m.gate is not None:
            extras.append(f"gate: {m.gate.measure} attainment ≥ {pct(m.gate.min_attainment)}")
        rows.append(
            [
                _e(m.name or m.metric),
                _e(m.metric),
                _e(pct(m.weight)),
                _e(target),
                _e("lower" if m.lower_is_better else "higher"),
                _e(m.curve.describe()),
                _e("; ".join(extras)),
            ]
        )
    table = html_table(
        [
            "Measure",
            "Metric",
            "Weight",
            f"Target per {period_months} months",
            "Better",
            "Payout curve (attainment→payout)",
            "Gate",
        ],
        rows,
    )
    extras = []
    if plan.multiplier is not None:
        extras.append(f"Multiplier on {plan.multiplier.metric}: {plan.multiplier.curve.describe()}")
    if plan.clawback is not None:
        extras.append(
            f"Clawback of {pct(plan.clawback.share)} of commission on accounts lost within "
            f"{plan.clawback.window_months} months"
        )
    for spif in plan.spifs:
        extras.append(f"SPIF: {money(spif.amount)} per {spif.metric}")
    extras += pay_terms_text(plan)
    foot = "".join(f"<p>{_e(x)}</p>" for x in extras)
    return f'<div class="complab">{_STYLE}{head}{table}{foot}</div>'
