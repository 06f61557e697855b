"""Validation: calibrate on the history before a date, simulate forward from the book on
that date, and score the forecast against what happened (docs/data.md, "Validation").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from complab.data.company import Company, add_months, as_date

#: Company KPIs scored, and per-segment cohort KPIs.
COMPANY_KPIS = ("arr_end", "new_arr", "new_logos", "churned_arr", "nrr", "grr", "logo_churn")
SEGMENT_KPIS = ("nrr", "grr", "logo_churn", "end_arr")
#: The band whose coverage is scored, and the quantiles beyond which a KPI is flagged.
BAND = (0.10, 0.90)
FLAG = (0.025, 0.975)


@dataclasses.dataclass
class Validation:
    """A forecast scored against what happened.

    ``table``: one row per KPI (``kpi``, ``segment``, ``actual``, the simulated ``mean``,
    ``p10``, ``p50``, ``p90``, ``quantile`` — the share of simulated trials below the actual,
    ties counted half — ``in_band`` and ``flagged``). ``coverage``: the share of KPIs inside
    their P10–P90 band; ``tolerance``: the binomial 99% range of that share when the
    forecast is right (80% expected); ``ok``: coverage within it; ``flagged``: the KPIs
    beyond P2.5–P97.5.
    """

    table: pd.DataFrame
    coverage: float
    tolerance: tuple[float, float]
    scenario: Any
    result: Any  # the last parameter draw's simulation

    @property
    def flagged(self) -> list[str]:
        """The KPIs whose actual fell outside the simulated P2.5–P97.5 (``kpi`` or
        ``kpi:segment``)."""
        t = self.table[self.table["flagged"]]
        return [
            f"{r.kpi}" if r.segment == "all" else f"{r.kpi}:{r.segment}" for r in t.itertuples()
        ]

    @property
    def ok(self) -> bool:
        """Whether the P10–P90 coverage is within its binomial tolerance of 80%."""
        lo, hi = self.tolerance
        return bool(lo <= self.coverage <= hi)

    def plot(self, ax: Any = None) -> Any:
        """Each KPI's simulated P10–P90 band (relative to its median) with the actual marked.
        Returns the Axes."""
        import matplotlib.pyplot as plt

        t = self.table.reset_index(drop=True)
        if ax is None:
            _, ax = plt.subplots(figsize=(7, max(3, 0.28 * len(t))))
        y = np.arange(len(t))[::-1]
        ax.hlines(
            y, t["quantile_p10"], t["quantile_p90"], color="C0", lw=4, alpha=0.4, label="P10–P90"
        )
        ax.scatter(t["quantile"], y, c=np.where(t["flagged"], "C3", "C2").tolist(), s=20, zorder=3)
        ax.set_yticks(y, [f"{r.kpi} ({r.segment})" for r in t.itertuples()], fontsize=8)
        ax.set_xlim(-0.02, 1.02)
        ax.axvline(0.5, color="0.7", lw=0.8)
        ax.set_xlabel("where the actual fell in the simulated distribution (quantile)")
        ax.set_title(f"P10–P90 coverage {self.coverage:.0%} (expected 80%)")
        return ax


def actual_kpis(company: Company, start: Any, months: int = 12) -> pd.DataFrame:
    """What happened in the year from `start`: the company KPIs and each segment's cohort
    KPIs, computed as the engine computes them (docs/model.md §6) on the data."""
    s = as_date(start)
    e = add_months(s, months)
    before = company.arr_on(s - dt.timedelta(days=1))
    after = company.arr_on(e - dt.timedelta(days=1))
    seg = company.accounts.set_index("account_id")["segment"].reindex(before.index)
    ev = company.arr_events
    window = ev[(ev["date"] >= s) & (ev["date"] < e)]
    rows = []
    for name in (*company.segments, "all"):
        pick = (seg == name).to_numpy() if name != "all" else np.ones(len(seg), bool)
        b, a = before.to_numpy()[pick], after.to_numpy()[pick]
        cohort = b > 0
        start_arr = b[cohort].sum()
        vals = {
            "nrr": a[cohort].sum() / start_arr if start_arr else np.nan,
            "grr": np.minimum(a[cohort], b[cohort]).sum() / start_arr if start_arr else np.nan,
            "logo_churn": float((a[cohort] == 0).mean()) if cohort.any() else np.nan,
            "end_arr": a[cohort].sum(),
        }
        if name == "all":
            vals.update(
                {
                    "arr_end": float(after.sum()),
                    "new_arr": float(window[window["type"] == "new"]["arr_after"].sum()),
                    "new_logos": float((window["type"] == "new").sum()),
                    "churned_arr": float(window[window["type"] == "churn"]["arr_before"].sum()),
                }
            )
            kpis: tuple[str, ...] = COMPANY_KPIS
        else:
            kpis = SEGMENT_KPIS
        rows += [{"kpi": k, "segment": name, "actual": float(vals[k])} for k in kpis]
    return pd.DataFrame(rows)


def simulated_kpis(result: Any, year: int = 1) -> dict[tuple[str, str], np.ndarray]:
    """Per (kpi, segment), the simulated values of `year` across trials."""
    k = result.kpis()
    k = k[k["year"] == year]
    out: dict[tuple[str, str], np.ndarray] = {}
    for name in COMPANY_KPIS:
        out[(name, "all")] = k[name].to_numpy(float)
    c = result.cohorts()
    c = c[c["year"] == year]
    for seg, g in c.groupby("segment", sort=False):
        for name in SEGMENT_KPIS:
            column = "end_arr" if name == "end_arr" else name
            out[(name, str(seg))] = g[column].to_numpy(float)
    return out


def binomial_tolerance(n: int, p: float = 0.8, level: float = 0.99) -> tuple[float, float]:
    """The range of a coverage share over `n` KPIs that a right forecast stays within with
    probability `level` (binomial, KPIs taken as independent)."""
    from scipy import stats

    lo = stats.binom.ppf((1 - level) / 2, n, p)
    hi = stats.binom.ppf(1 - (1 - level) / 2, n, p)
    return float(lo / n), float(hi / n)


def validate(
    company: Company,
    as_of: Any,
    horizon_months: int = 12,
    *,
    trials: int = 400,
    seed: int = 0,
    edits: Mapping[str, Any] | None = None,
    parameter_draws: int = 20,
    threads: int | None = None,
) -> Validation:
    """Calibrate on the history before `as_of`, simulate `horizon_months` from the book on
    that date, and score each KPI of the first year against what happened.

    Parameters
    ----------
    company
        From :func:`complab.load_company`; its history must reach a year past `as_of`.
    as_of
        The forecast's start.
    horizon_months
        A multiple of 12; the first year is scored.
    trials, seed, threads
        The simulation's.
    parameter_draws
        The forecast carries the calibration's uncertainty: the trials are split among this
        many draws of the fitted rates from their posteriors (:func:`draw_rates`), each
        simulated from the same book. 0: every trial at the point estimates (process noise
        only).
    edits
        Dotted-path edits (:meth:`Scenario.with_`) applied to the calibrated scenario —
        to test the test, e.g. ``{"world.segments.*.renewal_hazard": "×0.77"}``.

    Returns
    -------
    Validation
    """
    from complab.data.calibrate import calibrate
    from complab.engine import simulate

    d = as_date(as_of)
    if horizon_months < 12 or horizon_months % 12:
        raise ValueError(f"horizon_months: {horizon_months} is not a multiple of 12")
    if add_months(d, 12) > company.last_date() + dt.timedelta(days=1):
        raise ValueError(
            f"as_of: {d} leaves less than a year of history after it (the data ends {company.last_date()})"
        )
    from complab.data.calibrate import draw_rates, fit_rates

    rates = fit_rates(company, d)
    scenario = calibrate(company, d, months=horizon_months, rates=rates)
    if edits:
        scenario = scenario.with_(dict(edits))
    draws = max(1, min(parameter_draws, trials))
    rng = np.random.default_rng(seed)
    sims: dict[tuple[str, str], list[np.ndarray]] = {}
    result = None
    done = 0
    for k in range(draws):
        n = trials // draws + (1 if k < trials % draws else 0)
        if parameter_draws > 0:
            drawn = calibrate(company, d, months=horizon_months, rates=draw_rates(rates, rng))
            if edits:
                drawn = drawn.with_(dict(edits))
        else:
            drawn = scenario
        result = simulate(
            drawn, trials=n, seed=seed, first_trial=done, threads=threads, progress=False
        )
        done += n
        for key, x in simulated_kpis(result, 1).items():
            sims.setdefault(key, []).append(x)
    pooled = {key: np.concatenate(parts) for key, parts in sims.items()}
    actual = actual_kpis(company, d, 12)
    rows = []
    for r in actual.itertuples(index=False):
        x = pooled[(r.kpi, r.segment)]
        x = x[np.isfinite(x)]
        q = float(((x < r.actual).sum() + 0.5 * (x == r.actual).sum()) / len(x))
        p10, p50, p90 = (float(v) for v in np.quantile(x, (0.1, 0.5, 0.9)))
        rows.append(
            {
                "kpi": r.kpi,
                "segment": r.segment,
                "actual": r.actual,
                "mean": float(x.mean()),
                "p10": p10,
                "p50": p50,
                "p90": p90,
                "quantile": q,
                "quantile_p10": BAND[0],
                "quantile_p90": BAND[1],
                "in_band": bool(p10 <= r.actual <= p90),
                "flagged": bool(q < FLAG[0] or q > FLAG[1]),
            }
        )
    table = pd.DataFrame(rows)
    coverage = float(table["in_band"].mean())
    return Validation(
        table=table,
        coverage=coverage,
        tolerance=binomial_tolerance(len(table)),
        scenario=scenario,
        result=result,
    )
