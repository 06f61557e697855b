"""A shareable report of a simulation: one self-contained HTML file.

:func:`report` writes the scenario (segments, headcount, plans), tables of KPIs and pay, and
charts (ARR fan chart, NRR by segment, pay by role, attainment) into a single HTML file.
Charts are inline SVG drawn by :mod:`complab.plots`, the styles are inline and there is no
script, so the file opens offline in any browser and can be attached to an e-mail.
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from complab.display import count, money, pay_terms_text, pct, ratio
from complab.result import Result
from complab.scenario import ROLES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["report", "render"]

#: KPIs in the report's KPI table, in order: (column of :meth:`Result.kpis`, label, format).
KPI_ROWS: tuple[tuple[str, str, str], ...] = (
    ("arr_end", "ARR at year end", "money"),
    ("new_arr", "New ARR", "money"),
    ("expansion_arr", "Expansion ARR", "money"),
    ("churned_arr", "Churned ARR", "money"),
    ("nrr", "Net revenue retention (NRR)", "pct"),
    ("grr", "Gross revenue retention (GRR)", "pct"),
    ("logo_churn", "Logo churn", "pct"),
    ("new_logos", "New customers", "count"),
    ("csql_count", "CSQLs raised", "count"),
    ("handoff_acceptance", "CSQL hand-offs accepted", "pct"),
    ("expansion_win_rate", "Expansion win rate", "pct"),
    ("comp_ae", "Comp cost: AEs", "money"),
    ("comp_sdr", "Comp cost: SDRs", "money"),
    ("comp_csm", "Comp cost: CSMs", "money"),
    ("comp_total", "Comp cost: total", "money"),
    ("cost_of_sales", "Comp per $ of new + expansion ARR", "ratio"),
)

ROLE_NAMES = {
    "ae": "Account executives (AE)",
    "sdr": "Sales development reps (SDR)",
    "csm": "Customer success managers (CSM)",
}

_CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --accent: #1f77b4; --bg: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font-family: -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
       color: var(--ink); background: var(--bg); line-height: 1.45; font-size: 15px; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 6px; }
p.meta, p.note, figcaption { color: var(--muted); font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px; margin: 18px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 24px; font-weight: 600; }
.card .range { color: var(--muted); font-size: 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 18px; }
.charts.single { grid-template-columns: minmax(0, 660px); }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
figure svg { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; margin: 8px 0 4px; font-size: 13px; width: 100%; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
td.text, th.text { text-align: left; }
td small { color: var(--muted); display: block; font-size: 11px; }
.scroll { overflow-x: auto; }
details { margin-top: 12px; }
pre { background: var(--bg); padding: 12px; border-radius: 6px; overflow-x: auto; font-size: 12px; }
code { font-size: 12px; }
"""


# -- number formats (complab.display's, so notebooks and reports read alike) -----------------
_money, _pct, _count, _ratio = money, pct, count, ratio


_FORMATS: dict[str, Callable[[float], str]] = {
    "money": _money,
    "pct": _pct,
    "count": _count,
    "ratio": _ratio,
}


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


# -- charts ------------------------------------------------------------------------------------
def _svg(fig: Figure) -> str:
    """The figure as an inline ``<svg>`` element that scales with its container."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buf.getvalue()
    text = text[text.index("<svg") :]  # drop the XML declaration and DOCTYPE
    text = re.sub(
        r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S
    )  # RDF about the file
    head_end = text.index(">")
    head = re.sub(r'\s(width|height)="[^"]*"', "", text[len("<svg") : head_end])
    return '<svg role="img"' + head + text[head_end:]


def _chart(name: str, draw: Callable[[Figure], None], size: tuple[float, float]) -> str:
    import matplotlib
    from matplotlib.figure import Figure

    # Text stays text (smaller files, crisp in the browser); a salt per chart keeps the
    # element ids of different charts in one page apart; names are drawn as written, never
    # as math ("$x$" in a segment's name).
    with matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": f"complab-{name}",
            "font.size": 9,
            "text.parse_math": False,
        }
    ):
        fig = Figure(figsize=size, layout="constrained")
        draw(fig)
        return _svg(fig)


def _money_axis(ax: Any, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: _money(v))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _draw_arr(result: Result) -> Callable[[Figure], None]:
    def draw(fig: Figure) -> None:
        from complab import plots

        ax = fig.subplots()
        plots.fan_chart(result, "arr_end", ax=ax, label="median")
        ax.set_xlabel("month")
        ax.set_ylabel("ARR at month end")
        ax.set_title("ARR: median and bands across trials")
        _money_axis(ax)

    return draw


def _draw_nrr(result: Result) -> Callable[[Figure], None]:
    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        cohorts = result.cohorts()
        segments = [s for s in cohorts["segment"].unique() if s != "all"] + ["all"]
        years = sorted(cohorts["year"].unique())
        width = 0.8 / max(1, len(years))
        handles = []
        for k, year in enumerate(years):
            data = [
                cohorts.loc[(cohorts["segment"] == s) & (cohorts["year"] == year), "nrr"]
                .dropna()
                .to_numpy()
                for s in segments
            ]
            pos = np.arange(len(segments)) + (k - (len(years) - 1) / 2) * width
            parts = ax.boxplot(
                data,
                positions=pos,
                widths=width * 0.85,
                patch_artist=True,
                showfliers=False,
                manage_ticks=False,
            )
            for box in parts["boxes"]:
                box.set_facecolor(f"C{k}")
                box.set_alpha(0.75)
            handles.append((parts["boxes"][0], f"year {year}"))
        ax.axhline(1.0, color="k", linestyle="--", linewidth=0.8)
        ax.set_xticks(range(len(segments)), ["company" if s == "all" else s for s in segments])
        ax.yaxis.set_major_formatter(_percent_formatter())
        ax.set_ylabel("annual NRR")
        ax.set_title("NRR by segment and year")
        ax.legend([h for h, _ in handles], [label for _, label in handles], loc="best")

    return draw


def _percent_formatter() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{100 * v:.0f}%")


def _draw_pay(result: Result) -> Callable[[Figure], None]:
    def draw(fig: Figure) -> None:
        from complab import plots

        ax = fig.subplots()
        plots.pay_distribution(result, ax=ax)
        ax.set_title("Annual earnings per rep (boxes: P25–P75, whiskers: 1.5 IQR)")
        _money_axis(ax)

    return draw


def _draw_attainment(result: Result, roles: Sequence[str]) -> Callable[[Figure], None]:
    def draw(fig: Figure) -> None:
        from complab import plots

        axes = np.atleast_1d(fig.subplots(1, len(roles), sharey=False))
        bins = np.linspace(0.0, 2.5, 51).tolist()
        for ax, role in zip(axes, roles, strict=True):
            plots.attainment_histogram(result, role=role, bins=bins, ax=ax)
            ax.set_title(role.upper())
            ax.xaxis.set_major_formatter(_percent_formatter())
            ax.set_xlabel("attainment (0–250% shown)")
            ax.legend(loc="upper right", fontsize=7)

    return draw


# -- tables ------------------------------------------------------------------------------------
def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], text_cols: Sequence[int] = (0,)
) -> str:
    """An HTML table; cells are HTML already (escape text before)."""
    th = "".join(
        f'<th class="{"text" if i in text_cols else ""}">{h}</th>' for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"text" if i in text_cols else ""}">{c}</td>' for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f'<div class="scroll"><table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>'


def _yearly_table(
    summary: pd.DataFrame, rows_spec: Sequence[tuple[str, str, str]], first: str
) -> str:
    """One row per (kpi, label, kind) of `summary`, one column per year: mean, P10 – P90."""
    years = sorted(int(y) for y in summary["year"].unique() if y >= 1)
    rows = []
    for kpi, label, kind in rows_spec:
        fmt = _FORMATS[kind]
        cells = [_e(label)]
        for year in years:
            row = summary[(summary["kpi"] == kpi) & (summary["year"] == year)]
            if row.empty:
                cells.append("–")
                continue
            r = row.iloc[0]
            cells.append(
                f"{_e(fmt(r['mean']))}<small>{_e(fmt(r['p10']))} – {_e(fmt(r['p90']))}</small>"
            )
        rows.append(cells)
    return _table([first] + [f"Year {y}" for y in years], rows)


def _kpi_table(summary: pd.DataFrame) -> str:
    return _yearly_table(summary, KPI_ROWS, "KPI")


#: The workforce's rows of the summary shown in the report (docs/model.md §9).
_PEOPLE_ROWS = (
    ("capacity_ae", "AE capacity (ramped-rep equivalents)", "count"),
    ("capacity_csm", "CSM capacity", "count"),
    ("capacity_sdr", "SDR capacity", "count"),
    ("leavers_ae", "AEs who left", "count"),
    ("regretted_leavers_ae", "of whom above median skill", "count"),
    ("leavers_csm", "CSMs who left", "count"),
    ("hires_ae", "AEs hired", "count"),
    ("hires_csm", "CSMs hired", "count"),
    ("cost_of_ramp", "Pay to reps while ramping", "money"),
    ("cost_of_attrition", "of which to reps who replaced leavers", "money"),
)


def _people_block(result: Result, summary: pd.DataFrame) -> str:
    """Headcount, leavers and what ramp and attrition cost, when the scenario has people."""
    from complab.scenario import Workforce

    if result.scenario.world.workforce == Workforce():
        return ""
    return (
        "<h2>People</h2>\n"
        '<p class="note">Reps ramp, leave and are replaced (docs/model.md §9). Capacity is the '
        "year's average of held seats weighted by their reps' productivity; pay while ramping is "
        "what reps below full productivity were paid. Mean across trials, P10 – P90 below.</p>\n"
        + _yearly_table(summary, _PEOPLE_ROWS, "Per year")
    )


def _pay_rows(result: Result) -> list[list[str]]:
    earned = result.annual_earnings()
    earned = earned[earned["months_held"] == 12]  # full rep-years
    roster = result.roster
    rows = []
    for role in ROLES:
        for segment in roster.loc[roster["role"] == role, "segment"].unique():
            plan = result.scenario.plan_for(role, None if segment == "all" else segment)
            heads = int(((roster["role"] == role) & (roster["segment"] == segment)).sum())
            mine = earned[(earned["role"] == role) & (earned["segment"] == segment)]
            e = mine["earnings"].to_numpy(float)
            who = role.upper() if segment == "all" else f"{role.upper()} {segment}"
            if plan is None:
                rows.append([_e(who), str(heads), "no plan", "–", "–", "–", "–", "–", "–"])
                continue
            p10, p50, p90 = np.percentile(e, [10, 50, 90]) if len(e) else (np.nan,) * 3
            # Against each rep's own OTE (a named rep may carry its own).
            at_ote = float(np.mean(e >= mine["ote"].to_numpy(float) - 1e-6)) if len(e) else np.nan
            rows.append(
                [
                    _e(who),
                    str(heads),
                    _e(_money(plan.ote)),
                    _e(f"{100 * (1 - plan.base_share):.0f}%"),
                    _e(_money(float(e.mean()) if len(e) else np.nan)),
                    _e(_money(p10)),
                    _e(_money(p50)),
                    _e(_money(p90)),
                    _e(_pct(at_ote)),
                ]
            )
    return rows


def _pay_table(result: Result) -> str:
    header = [
        "Plan",
        "Reps",
        "OTE",
        "Variable share",
        "Mean earnings",
        "P10",
        "P50",
        "P90",
        "Rep-years at or above OTE",
    ]
    return _table(header, _pay_rows(result))


def _segments_table(result: Result) -> str:
    w = result.scenario.world
    header = [
        "Segment",
        "Accounts at start",
        "Median ACV",
        "Churn chance at renewals 1, 2, … (the last for every later one)",
        "Accounts per CSM at start",
        "CSM coverage at nominal load",
        "AEs",
        "CSMs",
        "Win rate",
        "Sales cycle",
        "Share of opportunities",
    ]
    total_share = sum(s.opportunity_share for s in w.segments) or 1.0
    rows = [
        [
            _e(s.name),
            _e(_count(s.initial_accounts)),
            _e(_money(s.acv_median)),
            _e(", ".join(_pct(h) for h in s.renewal_hazard)),
            _e(
                _count(round(s.initial_accounts / s.csm_headcount)) if s.csm_headcount else "no CSM"
            ),
            _e(_count(s.csm_coverage)),
            str(s.ae_headcount),
            str(s.csm_headcount),
            _e(_pct(s.win_rate)),
            _e(f"{s.sales_cycle_months} mo"),
            _e(_pct(s.opportunity_share / total_share)),
        ]
        for s in w.segments
    ]
    return _table(header, rows)


def _curve_text(value: Any) -> str:
    return str(value) if value is not None and str(value) not in ("", "nan", "None") else ""


def _plans_table(result: Result) -> str:
    scenario = result.scenario
    period = scenario.world.period_months
    header = [
        "Plan",
        "OTE",
        "Base / variable",
        "Measure",
        "Weight",
        "Target per period",
        "Payout curve (attainment → payout)",
        "Extras",
    ]
    rows = []
    for key, plan in scenario.plans.items():
        d = plan.describe(period)
        for i, m in enumerate(plan.measures):
            r = d.iloc[i]
            extras = [
                x for x in (_curve_text(r.get("gate")), _curve_text(r.get("multiplier"))) if x
            ]
            if i == 0:
                if plan.clawback is not None:
                    extras.append(
                        f"clawback {_pct(plan.clawback.share)} within {plan.clawback.window_months} months"
                    )
                if plan.spifs:
                    extras.append(_curve_text(r.get("spifs")))
                extras += pay_terms_text(plan)
            target = _target_text(
                m.metric, plan.period_target(m.metric, m.target, scenario.world.period_months)
            )
            rows.append(
                [
                    f"<b>{_e(key)}</b>" if i == 0 else "",
                    _e(_money(plan.ote)) if i == 0 else "",
                    _e(f"{100 * plan.base_share:.0f} / {100 * (1 - plan.base_share):.0f}")
                    if i == 0
                    else "",
                    _e(m.name),
                    _e(f"{100 * m.weight:.0f}%"),
                    _e(target),
                    _e(_curve_text(r.get("curve"))),
                    _e("; ".join(extras)),
                ]
            )
    return _table(header, rows, text_cols=(0, 3, 6, 7))


def _target_text(metric: str, target: float) -> str:
    from complab.plans import METRICS

    info = METRICS.get(metric, {})
    if metric in ("nrr", "grr", "gross_churn", "logo_churn", "expand_rate"):
        return _pct(target)
    if info.get("is_count"):
        return _count(target)
    return _money(target)


def _world_text(result: Result) -> str:
    w = result.scenario.world
    beta = w.behaviour.incentive_sensitivity
    mode = (
        "fixed effort (reps follow the scenario's effort shares)"
        if beta == 0
        else f"responsive (reps shift effort toward what their plan pays; sensitivity {beta:g})"
    )
    parts = [
        f"{w.months} months, compensation periods of {w.period_months} months",
        f"{len(w.segments)} segments, {len(w.products)} product(s): "
        + ", ".join(f"{p.name}{' (usage-priced)' if p.usage_priced else ''}" for p in w.products),
        (
            f"{w.sdr_headcount} SDRs creating about {w.opportunities_per_sdr:g} opportunities a month each"
            if w.sdr_headcount > 0
            else "no SDRs: no new business"
        ),
        f"CSQL hand-offs accepted by AEs {_pct(w.handoff_acceptance)} of the time"
        f" (+{_pct(w.shared_nrr_acceptance_uplift)} when AE and CSM share an NRR measure)",
        f"behaviour: {mode}",
    ]
    if result.scenario.uncertain:
        per_draw = result.trials_per_draw
        shared = "each trial draws its own" if per_draw == 1 else f"{per_draw} trials share a draw"
        parts.append(
            f"uncertain assumptions ({shared}; the figures include their uncertainty): "
            + "; ".join(
                f"{path.removeprefix('world.')} ~ {dist.describe()}"
                for path, dist in result.scenario.uncertain.items()
            )
        )
    return "<ul>" + "".join(f"<li>{_e(p)}</li>" for p in parts) + "</ul>"


def _caveats(result: Result) -> str:
    """Why parts of the page are empty, where they are."""
    notes = []
    if result.years == 0:
        notes.append(
            f"The horizon of {result.months} months holds no whole year, so the yearly cards, "
            "tables and retention chart are empty."
        )
    if len(result.roster) == 0:
        notes.append(
            "This world has no reps, so nobody is paid: the pay chart and tables are empty."
        )
    return "".join(f'<p class="note">{_e(n)}</p>' for n in notes)


def _cards(summary: pd.DataFrame, last: int) -> str:
    def card(kpi: str, label: str, kind: str) -> str:
        row = summary[(summary["kpi"] == kpi) & (summary["year"] == last)]
        if row.empty:
            return ""
        r = row.iloc[0]
        fmt = _FORMATS[kind]
        return (
            f'<div class="card"><div class="label">{_e(label)}</div>'
            f'<div class="value">{_e(fmt(r["p50"]))}</div>'
            f'<div class="range">median · P10 {_e(fmt(r["p10"]))} · P90 {_e(fmt(r["p90"]))}</div></div>'
        )

    year = f"year {last}"
    items = [
        card("arr_end", f"ARR, end of {year}", "money"),
        card("nrr", f"NRR, {year}", "pct"),
        card("grr", f"GRR, {year}", "pct"),
        card("comp_total", f"Comp cost, {year}", "money"),
        card("cost_of_sales", f"Comp per $ of new + expansion ARR, {year}", "ratio"),
    ]
    return '<div class="cards">' + "".join(items) + "</div>"


def _seed_text(seed: Any) -> str:
    if isinstance(seed, dict):  # a SeedSequence's record (resolve_seed)
        return f"numpy SeedSequence, entropy {seed['entropy']}" + (
            f", spawn key {tuple(seed['spawn_key'])}" if seed.get("spawn_key") else ""
        )
    return str(seed)


def _reproduce(result: Result) -> str:
    """A command that runs the same trials again from the scenario file."""
    seed = result.seed
    if result.history is not None:  # the book at month 0 came from another scenario's history
        return (
            f"complab.simulate(complab.load_scenario('scenario.yaml'), trials={result.trials}, "
            f"seed={seed!r}, first_trial={result.first_trial}, "
            "history=complab.load_scenario('history.yaml'))"
        )
    if isinstance(seed, int) and result.first_trial == 0:
        return f"complab run scenario.yaml --trials {result.trials} --seed {seed}"
    if isinstance(seed, dict):
        spawn = f", spawn_key={tuple(seed['spawn_key'])}" if seed.get("spawn_key") else ""
        seed_expr = f"numpy.random.SeedSequence({seed['entropy']}{spawn})"
    else:
        seed_expr = str(seed)
    return (
        f"complab.simulate(complab.load_scenario('scenario.yaml'), trials={result.trials}, "
        f"seed={seed_expr}, first_trial={result.first_trial})"
    )


def page_head(title: str, version: str) -> str:
    """An HTML page's start up to its heading: every complab page shares it (this report and
    the decision reports)."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="complab {_e(version)}">
<title>{_e(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>{_e(title)}</h1>"""


def _history_block(result: Result) -> str:
    """The scenario whose history built the book at month 0, when it is another's."""
    if result.history is None:
        return ""
    return (
        "<details><summary>History scenario (the book at month 0 is the one it left)</summary>\n"
        '<p class="note">Save as <code>history.yaml</code>; the line above uses it.</p>\n'
        f"<pre>{_e(result.history.to_yaml())}</pre></details>"
    )


# -- the page ----------------------------------------------------------------------------------
def default_title(result: Result) -> str:
    """A page title that says what was simulated: ``"Comp plans and revenue: smb,
    mid_market and enterprise over 3 years"``."""
    names = result.scenario.world.segment_names()
    segments = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
    years = result.months / 12
    span = f"{years:g} year{'s' if years != 1 else ''}" if years >= 1 else f"{result.months} months"
    return f"Comp plans and revenue: {segments or 'no segments'} over {span}"


def render(result: Result, title: str | None = None, source: str | None = None) -> str:
    """The report of `result` as HTML text (what :func:`report` writes).

    Parameters
    ----------
    result
        A :class:`~complab.Result` from :func:`complab.simulate` or :func:`complab.load`.
    title
        The page title; by default one that names the segments and horizon
        (:func:`default_title`).
    source
        Where the scenario came from (a file name, a preset), shown under the title.

    Returns
    -------
    str
        A complete HTML document with inline styles and inline SVG charts.
    """
    if not isinstance(result, Result):
        raise ValueError(f"result: expected a complab.Result, got {type(result).__name__}")
    title = title or default_title(result)
    summary = result.summary()
    years = sorted(int(y) for y in summary["year"].unique() if y >= 1)
    last = years[-1] if years else 0
    roles = [
        r
        for r in ROLES
        if result.scenario.plans
        and (result.roster["role"] == r).any()
        and any(
            result.scenario.plan_for(r, None if s == "all" else s) is not None
            for s in result.roster.loc[result.roster["role"] == r, "segment"]
        )
    ]
    charts_revenue = (
        f"<figure>{_chart('arr', _draw_arr(result), (6.4, 3.8))}"
        "<figcaption>ARR month by month: the line is the median trial, the bands hold the middle "
        "50% and 90% of trials.</figcaption></figure>"
        f"<figure>{_chart('nrr', _draw_nrr(result), (6.4, 3.8))}"
        "<figcaption>Annual net revenue retention of the accounts active at each year's start, "
        "by segment (boxes: middle 50% of trials; dashed line: 100%).</figcaption></figure>"
    )
    pay_chart = (
        f"<figure>{_chart('pay', _draw_pay(result), (6.4, 3.8))}"
        "<figcaption>Each rep's annual earnings across reps, years and trials; diamonds mark the "
        "role's mean OTE.</figcaption></figure>"
    )
    attainment_chart = ""
    if roles:
        attainment_chart = (
            f"<figure>{_chart('attainment', _draw_attainment(result, roles), (3.4 * len(roles), 3.2))}"
            "<figcaption>Attainment of each plan measure per rep and period (100% = target; the "
            "dashed line).</figcaption></figure>"
        )
    yaml_text = result.scenario.to_yaml()
    seed = result.seed
    reproduce = _reproduce(result)
    generated = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return f"""{page_head(title, result.version)}
<p class="meta">{f"Scenario: {_e(source)} · " if source else ""}{result.trials:,} Monte Carlo trial{"s" if result.trials != 1 else ""} of {result.months} months · seed {_e(_seed_text(seed))}
 · complab {_e(result.version)} · generated {_e(generated)}</p>
<p>Each trial is one possible future of the same business under the same plans. The report shows
the typical outcome (median or mean) and the spread between trials: P10 is a figure that 10% of
trials fall below, P90 one that 10% exceed.</p>
{_caveats(result)}
{_cards(summary, last)}

<h2>Revenue and retention</h2>
<div class="charts">{charts_revenue}</div>

<h2>KPIs by year</h2>
<p class="note">Mean across trials, with the P10 – P90 range below it.</p>
{_kpi_table(summary)}

<h2>Pay</h2>
<div class="charts single">{pay_chart}</div>
{_pay_table(result)}
<p class="note">Annual earnings per rep (base + variable pay + SPIFs − clawbacks) across reps,
years and trials.</p>
{attainment_chart}
{_people_block(result, summary)}

<h2>Scenario</h2>
{_world_text(result)}
<h3>Segments</h3>
{_segments_table(result)}
<p class="note">Accounts per CSM is the segment's starting book shared among its CSMs. CSM
coverage is a model parameter: the book at which a CSM's attention per account has its
nominal effect (a bigger book spreads it thinner).</p>
<h3>Plans</h3>
{_plans_table(result)}
<details><summary>Scenario file (YAML)</summary>
<p class="note">Save as <code>scenario.yaml</code> to run it again: <code>{_e(reproduce)}</code></p>
<pre>{_e(yaml_text)}</pre></details>
{_history_block(result)}
</main>
</body>
</html>
"""


def report(
    result: Result | Any,
    path: str | os.PathLike[str],
    title: str | None = None,
    source: str | None = None,
    *,
    year: int | None = None,
    scenario: Any = None,
) -> Path:
    """Write a self-contained HTML report of a simulation, a comparison or a sweep.

    - a :class:`~complab.Result`: the scenario (world, segments, headcount, plans and its
      YAML), KPI and pay tables and charts (ARR fan chart, NRR by segment, pay by role,
      attainment);
    - a :class:`~complab.Comparison`: what each variant changes, paired differences with 95%
      intervals, the budget of each run (total OTE, expected cost P10 / P50 / P90, cost at
      risk, cost of sales) and per-rep keep-whole tables (:mod:`complab.decisions`);
    - a :func:`complab.sweep` table: each point's outputs side by side and, when
      ``comp_total`` is an output, each point's budget.

    Charts are inline SVG and styles inline; the page has no script and loads nothing from
    the network.

    Parameters
    ----------
    result
        A :class:`~complab.Result`, :class:`~complab.Comparison` or sweep table.
    path
        The HTML file to write (its folder must exist).
    title
        The page title; by default one that says what was simulated or compared.
    source
        Where the scenario came from (a file name, a preset), shown under the title of a
        Result's report.
    year
        Comparisons and sweeps: the year of the tables, counted from 1 (by default the last
        year every run has).
    scenario
        Sweeps: the swept scenario, for the budget, when the table does not carry it (a
        table read back from CSV).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        For anything else, naming what was given.

    Examples
    --------
    >>> result = complab.simulate(complab.presets.default(), trials=200, seed=1)  # doctest: +SKIP
    >>> complab.report(result, "report.html")  # doctest: +SKIP
    >>> complab.report(complab.compare(base, variants, seed=1), "decision.html")  # doctest: +SKIP
    """
    from complab.compare import Comparison
    from complab.decisions import render_comparison, render_sweep

    if isinstance(result, Result):
        text = render(result, title, source)
    elif isinstance(result, Comparison):
        text = render_comparison(result, title, year)
    elif isinstance(result, pd.DataFrame):
        text = render_sweep(result, title, year, scenario)
    else:
        raise ValueError(
            f"result: expected a complab.Result, Comparison or sweep table, got "
            f"{type(result).__name__}"
        )
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
