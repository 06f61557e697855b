"""Calibration: a scenario whose world starts from a company's real book on a date and
whose rates are fitted to the history before it, each with its uncertainty
(docs/data.md, "Calibration").

:func:`fit_rates` returns the estimates as a tidy table: one row per rate (and segment,
source or role), the observed count behind it, the estimate with its standard error and
95% interval, and the world field it sets (``world_path``) with the value it is set to
(``world_value``: the estimate mapped to the model's parameter, see ``mapping``). The table
is the form later turned into distributions on world fields.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from complab.data.company import Company, add_months, as_date, months_between

_DAYS_PER_MONTH = 30.44
#: Renewal indices fitted separately; the last pools every later renewal.
HAZARD_INDICES = 4
_Z95 = 1.959963984540054


def _beta_row(k: float, n: float) -> dict[str, float]:
    """A proportion's Beta posterior under the Jeffreys prior Beta(½, ½): its mean, sd and
    95% equal-tailed interval; with no observations the prior's."""
    from scipy import stats

    a, b = k + 0.5, n - k + 0.5
    dist = stats.beta(a, b)
    est = k / n if n > 0 else float("nan")
    return {
        "estimate": est,
        "se": float(dist.std()),
        "lo95": float(dist.ppf(0.025)),
        "hi95": float(dist.ppf(0.975)),
    }


def _normal_row(estimate: float, se: float) -> dict[str, float]:
    """An estimate with its normal-approximation 95% interval."""
    return {
        "estimate": estimate,
        "se": se,
        "lo95": estimate - _Z95 * se,
        "hi95": estimate + _Z95 * se,
    }


def _poisson_row(count: float, exposure: float) -> dict[str, float]:
    """A Poisson rate per unit of exposure with its exact (Garwood) 95% interval."""
    from scipy import stats

    if exposure <= 0:
        return {
            "estimate": float("nan"),
            "se": float("nan"),
            "lo95": float("nan"),
            "hi95": float("nan"),
        }
    lo = stats.chi2.ppf(0.025, 2 * count) / 2 if count > 0 else 0.0
    hi = stats.chi2.ppf(0.975, 2 * count + 2) / 2
    return {
        "estimate": count / exposure,
        "se": math.sqrt(count) / exposure,
        "lo95": lo / exposure,
        "hi95": hi / exposure,
    }


def _censored_lognormal(
    observed: np.ndarray, censored: np.ndarray
) -> tuple[float, float, np.ndarray]:
    """Maximum-likelihood log-normal (mu, sigma) of durations, some right-censored, and the
    covariance of (mu, log sigma) from the observed information."""
    from scipy import optimize, stats

    lo, lc = np.log(observed), np.log(np.maximum(censored, 1e-9))

    def nll(theta: np.ndarray) -> float:
        mu, log_s = theta
        s = math.exp(log_s)
        return -float(
            stats.norm.logpdf(lo, mu, s).sum() - lo.sum() + stats.norm.logsf(lc, mu, s).sum()
        )

    start = np.array([lo.mean(), math.log(max(lo.std(), 1e-3))])
    res = optimize.minimize(
        nll, start, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000}
    )
    theta = res.x
    # Observed information by central differences.
    h = 1e-4
    hess = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            e_i, e_j = np.eye(2)[i] * h, np.eye(2)[j] * h
            hess[i, j] = (
                nll(theta + e_i + e_j)
                - nll(theta + e_i - e_j)
                - nll(theta - e_i + e_j)
                + nll(theta - e_i - e_j)
            ) / (4 * h * h)
    cov = np.linalg.inv(hess)
    return float(theta[0]), math.exp(float(theta[1])), cov


def _employed_months(reps: pd.DataFrame, first: dt.date, last: dt.date) -> pd.Series:
    """Months each rep was employed within [first, last)."""
    out = []
    for r in reps.itertuples(index=False):
        a = max(first, r.hire_date)
        b = min(last, r.exit_date) if r.exit_date is not None else last
        out.append(max(0.0, (b - a).days / _DAYS_PER_MONTH))
    return pd.Series(out, index=reps.index)


def fit_rates(
    company: Company,
    as_of: Any,
    *,
    lookback_months: int | None = None,
    health: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Fit every rate the model needs to the history before `as_of`.

    Parameters
    ----------
    company
        From :func:`complab.load_company`.
    as_of
        The fit uses what happened before this date (the data after it is not read).
    lookback_months
        Only the last this many months of history feed the count rates (opportunities,
        CSQLs); default: all of it. Renewals, win rates, cycles and deal sizes use all of it.
    health
        Per segment, the mean health the model's health-scaled rates are divided by
        (``csql_rate``, ``expansion_win_rate``); default each segment's ``health_base``
        default, 0.6.

    Returns
    -------
    pandas.DataFrame
        Columns: ``rate``, ``segment`` (``all`` for company-wide), ``key`` (renewal index,
        source or role), ``n`` (observations behind it), ``observed`` (the raw count or
        sum), ``estimate``, ``se``, ``lo95``, ``hi95``, ``unit``, ``method``,
        ``world_path``, ``world_value``, ``mapping``.
    """
    d = as_date(as_of)
    first = company.history_start()
    if lookback_months is not None:
        first = max(first, add_months(d, -lookback_months))
    months = max(1e-9, (d - first).days / _DAYS_PER_MONTH)
    acc = company.accounts.set_index("account_id")
    seg_of_acc = acc["segment"]
    seg_of_rep = company.segment_of_rep()
    reps = company.reps
    rows: list[dict[str, Any]] = []
    h = {s: 0.6 for s in company.segments}
    if health:
        h.update(health)
    z = 1.0  # skill enters the model's rates at its mean: calibrated worlds give skill_log_sd 0

    def add(
        rate: str,
        segment: str,
        key: Any,
        n: float,
        observed: float,
        stats_: dict[str, float],
        unit: str,
        method: str,
        path: str | None,
        value: Any,
        mapping: str,
    ) -> None:
        rows.append(
            {
                "rate": rate,
                "segment": segment,
                "key": key,
                "n": n,
                "observed": observed,
                **stats_,
                "unit": unit,
                "method": method,
                "world_path": path,
                "world_value": value,
                "mapping": mapping,
            }
        )

    # Renewal hazards by renewal index: every renewal due before as_of is one observation at
    # its own index (an account observed from its first renewal in the history on: left
    # truncation), so d_r / n_r is the Kaplan-Meier hazard with delayed entry.
    ev = company.arr_events[company.arr_events["date"] < d]
    due = ev[ev["type"].isin(("renewal", "churn"))].copy()
    due["segment"] = due["account_id"].map(seg_of_acc)
    due["index"] = [
        min(HAZARD_INDICES - 1, max(0, months_between(acc.at[a, "start_date"], when) // 12 - 1))
        for a, when in zip(due["account_id"], due["date"], strict=True)
    ]
    for seg in company.segments:
        hz: list[float] = []
        for r in range(HAZARD_INDICES):
            pick = due[(due["segment"] == seg) & (due["index"] == r)]
            k, n = float((pick["type"] == "churn").sum()), float(len(pick))
            row = _beta_row(k, n)
            hz.append(row["estimate"] if n > 0 else (hz[-1] if hz else 0.1))
            label = f"{r}" if r < HAZARD_INDICES - 1 else f"{r}+"
            add(
                "renewal_hazard",
                seg,
                label,
                n,
                k,
                row,
                "churn probability",
                "Kaplan-Meier with delayed entry (discrete); Beta(½,½) posterior",
                f"world.segments.{seg}.renewal_hazard[{r}]",
                hz[-1],
                "as estimated",
            )

    # New business: closed before as_of.
    opp = company.opportunities
    new = opp[(opp["type"] == "new")].copy()
    new["segment"] = new["owner_id"].map(seg_of_rep)
    closed = new[[c is not None and c < d for c in new["close_date"]]]
    for seg in company.segments:
        cs = closed[closed["segment"] == seg]
        for src in ("inbound", "sdr", "ae"):
            p = cs[cs["source"] == src]
            k, n = float((p["won"] == True).sum()), float(len(p))  # noqa: E712
            add(
                "win_rate",
                seg,
                src,
                n,
                k,
                _beta_row(k, n),
                "probability",
                "Beta(½,½) posterior",
                None,
                None,
                "by source (the model has one rate a segment)",
            )
        k, n = float((cs["won"] == True).sum()), float(len(cs))  # noqa: E712
        row = _beta_row(k, n)
        add(
            "win_rate",
            seg,
            "all",
            n,
            k,
            row,
            "probability",
            "Beta(½,½) posterior",
            f"world.segments.{seg}.win_rate",
            row["estimate"] / z,
            "estimate / mean skill",
        )
        # Cycle: created before as_of; open ones (or closing after as_of) censored at as_of.
        made = new[(new["segment"] == seg) & (new["created_date"] < d)]
        obs, cen = [], []
        for c, cl in zip(made["created_date"], made["close_date"], strict=True):
            if cl is not None and cl < d:
                obs.append(max(1, (cl - c).days))
            else:
                cen.append(max(1, (d - c).days))
        if len(obs) >= 3:
            mu, sigma, cov = _censored_lognormal(np.array(obs, float), np.array(cen, float))
            se = math.sqrt(cov[0, 0])
            med = math.exp(mu) / _DAYS_PER_MONTH
            add(
                "sales_cycle",
                seg,
                "median",
                len(obs) + len(cen),
                len(obs),
                {
                    "estimate": med,
                    "se": med * se,
                    "lo95": math.exp(mu - _Z95 * se) / _DAYS_PER_MONTH,
                    "hi95": math.exp(mu + _Z95 * se) / _DAYS_PER_MONTH,
                },
                "months",
                "log-normal MLE, open deals right-censored",
                f"world.segments.{seg}.sales_cycle_months",
                max(1, round(med)),
                "median rounded to whole months",
            )
            sse = math.sqrt(cov[1, 1]) * sigma
            add(
                "sales_cycle",
                seg,
                "log_sd",
                len(obs) + len(cen),
                len(obs),
                {
                    "estimate": sigma,
                    "se": sse,
                    "lo95": sigma * math.exp(-_Z95 * math.sqrt(cov[1, 1])),
                    "hi95": sigma * math.exp(_Z95 * math.sqrt(cov[1, 1])),
                },
                "log months",
                "log-normal MLE, open deals right-censored",
                None,
                None,
                "the model's cycle is fixed at the median",
            )
        # Deal size: won new deals' amounts, log-normal.
        won = cs[cs["won"] == True]["amount"].to_numpy(float)  # noqa: E712
        won = won[won > 0]
        if len(won) >= 3:
            from scipy import stats

            lw = np.log(won)
            m, s, n = float(lw.mean()), float(lw.std(ddof=1)), len(lw)
            se = s / math.sqrt(n)
            t = float(stats.t.ppf(0.975, n - 1))
            add(
                "deal_size",
                seg,
                "median",
                n,
                float(won.sum()),
                {
                    "estimate": math.exp(m),
                    "se": math.exp(m) * se,
                    "lo95": math.exp(m - t * se),
                    "hi95": math.exp(m + t * se),
                },
                "currency",
                "log-normal: mean of log amounts",
                f"world.segments.{seg}.acv_median",
                math.exp(m),
                "as estimated",
            )
            lo, hi = (math.sqrt((n - 1) * s * s / stats.chi2.ppf(q, n - 1)) for q in (0.975, 0.025))
            add(
                "deal_size",
                seg,
                "log_sd",
                n,
                float(won.sum()),
                {"estimate": s, "se": s / math.sqrt(2 * (n - 1)), "lo95": lo, "hi95": hi},
                "log currency",
                "log-normal: sd of log amounts (chi-square interval)",
                f"world.segments.{seg}.acv_log_sd",
                s,
                "as estimated",
            )

    # Opportunity rates over [first, as_of).
    made = new[(new["created_date"] >= first) & (new["created_date"] < d)]
    emp = _employed_months(reps, first, d)
    for seg in company.segments:
        k = float(((made["segment"] == seg) & (made["source"] == "inbound")).sum())
        row = _poisson_row(k, months)
        add(
            "inbound_opportunities",
            seg,
            "per month",
            months,
            k,
            row,
            "per month",
            "Poisson, exact interval",
            f"world.segments.{seg}.inbound_opportunities",
            row["estimate"],
            "as estimated",
        )
        ae_months = float(emp[(reps["role"] == "ae") & (reps["segment"] == seg)].sum())
        k = float(((made["segment"] == seg) & (made["source"] == "ae")).sum())
        row = _poisson_row(k, ae_months)
        add(
            "ae_prospecting",
            seg,
            "per AE-month",
            ae_months,
            k,
            row,
            "per AE-month",
            "Poisson, exact interval",
            f"world.segments.{seg}.ae_prospecting",
            row["estimate"] / z,
            "estimate / mean skill",
        )
    sdr_made = made[made["source"] == "sdr"]
    sdr_months = float(emp[reps["role"] == "sdr"].sum())
    row = _poisson_row(float(len(sdr_made)), sdr_months)
    add(
        "opportunities_per_sdr",
        "all",
        "per SDR-month",
        sdr_months,
        float(len(sdr_made)),
        row,
        "per SDR-month",
        "Poisson, exact interval",
        "world.opportunities_per_sdr",
        row["estimate"] / z,
        "estimate / mean skill",
    )
    for seg in company.segments:
        k = float((sdr_made["segment"] == seg).sum())
        row = _beta_row(k, float(len(sdr_made)))
        add(
            "opportunity_share",
            seg,
            "sdr",
            len(sdr_made),
            k,
            row,
            "share",
            "Beta(½,½) posterior",
            f"world.segments.{seg}.opportunity_share",
            row["estimate"] if len(sdr_made) else 1.0,
            "as estimated",
        )

    # CSQLs: expansion opportunities a CSM raised; accepted when an AE owns them.
    role = dict(zip(reps["rep_id"], reps["role"], strict=True))
    csql = opp[(opp["type"] == "expansion") & (opp["source"] == "csm")].copy()
    csql["segment"] = csql["account_id"].map(seg_of_acc)
    csql_win = csql[(csql["created_date"] >= first) & (csql["created_date"] < d)]
    # Account-months with a CSM, month by month.
    exposure = {s: 0.0 for s in company.segments}
    arr_at_created: dict[str, float] = {}
    with_csm = acc["csm_id"].notna()
    step = first
    while step < d:
        nxt = min(d, add_months(step, 1))
        arr = company.arr_on(step)
        live = arr[(arr > 0).to_numpy() & with_csm.reindex(arr.index).to_numpy()]
        frac = (nxt - step).days / _DAYS_PER_MONTH
        for seg, cnt in seg_of_acc.reindex(live.index).value_counts().items():
            exposure[str(seg)] += frac * cnt
        step = nxt
    for o in csql_win.itertuples(index=False):
        arr_at_created[o.opportunity_id] = company.account_arr_on(
            o.account_id, o.created_date - dt.timedelta(days=1)
        )
    accepted_all = csql_win["owner_id"].map(role) == "ae"
    k, n = float(accepted_all.sum()), float(len(csql_win))
    row = _beta_row(k, n)
    add(
        "handoff_acceptance",
        "all",
        "",
        n,
        k,
        row,
        "probability",
        "Beta(½,½) posterior",
        "world.handoff_acceptance",
        row["estimate"] if n else 0.7,
        "as estimated",
    )
    for seg in company.segments:
        cs = csql_win[csql_win["segment"] == seg]
        row = _poisson_row(float(len(cs)), exposure[seg])
        add(
            "csql_rate",
            seg,
            "per account-month",
            exposure[seg],
            float(len(cs)),
            row,
            "per account-month with a CSM",
            "Poisson, exact interval",
            f"world.segments.{seg}.csql_rate",
            row["estimate"] / (z * h[seg]),
            "estimate / (mean skill x mean health)",
        )
        acc_seg = cs["owner_id"].map(role) == "ae"
        row = _beta_row(float(acc_seg.sum()), float(len(cs)))
        add(
            "handoff_acceptance",
            seg,
            "",
            len(cs),
            float(acc_seg.sum()),
            row,
            "probability",
            "Beta(½,½) posterior",
            None,
            None,
            "the model has one acceptance rate",
        )
        done = cs[
            acc_seg.to_numpy()
            & np.array([c is not None and c < d for c in cs["close_date"]], dtype=bool)
        ]
        kw, nw = float((done["won"] == True).sum()), float(len(done))  # noqa: E712
        row = _beta_row(kw, nw)
        add(
            "expansion_win_rate",
            seg,
            "",
            nw,
            kw,
            row,
            "probability",
            "Beta(½,½) posterior",
            f"world.segments.{seg}.expansion_win_rate",
            min(1.0, row["estimate"] / (z * h[seg])) if nw else 0.5,
            "estimate / (mean skill x mean health)",
        )
        ratios = np.array(
            [
                o.amount / arr_at_created[o.opportunity_id]
                for o in cs.itertuples(index=False)
                if arr_at_created.get(o.opportunity_id, 0) > 0
            ]
        )
        if len(ratios) >= 2:
            m, se = float(ratios.mean()), float(ratios.std(ddof=1) / math.sqrt(len(ratios)))
            add(
                "upsell_fraction",
                seg,
                "",
                len(ratios),
                float(ratios.sum()),
                _normal_row(m, se),
                "share of ARR",
                "mean of CSQL value / account ARR",
                f"world.segments.{seg}.upsell_fraction",
                m,
                "as estimated",
            )

    # Usage: ARR changes not from a won CSQL, per renewal (log change; 0 when none).
    won_csql = set(zip(csql["account_id"], csql["close_date"], strict=True))
    changes = ev[ev["type"].isin(("expansion", "contraction"))]
    usage = changes[
        [
            (a, c) not in won_csql
            for a, c in zip(changes["account_id"], changes["date"], strict=True)
        ]
    ]
    for seg in company.segments:
        ren = due[(due["segment"] == seg) & (due["type"] == "renewal") & (due["date"] >= first)]
        logs = dict.fromkeys(zip(ren["account_id"], ren["date"], strict=True), 0.0)
        for u in usage.itertuples(index=False):
            if (u.account_id, u.date) in logs and u.arr_before > 0:
                logs[(u.account_id, u.date)] += math.log(u.arr_after / u.arr_before)
        vals = np.array(list(logs.values()))
        if len(vals) >= 2:
            m, sd = float(vals.mean()) / 12, float(vals.std(ddof=1))
            se = sd / math.sqrt(len(vals)) / 12
            add(
                "usage_growth",
                seg,
                "per month",
                len(vals),
                float(vals.sum()),
                _normal_row(m, se),
                "log ARR per month",
                "mean log change at renewals / 12",
                f"world.segments.{seg}.usage_drift",
                m / (h[seg] - 0.5),
                "estimate / (mean health - 1/2)",
            )
            add(
                "usage_noise",
                seg,
                "per month",
                len(vals),
                float(vals.sum()),
                {
                    "estimate": sd / math.sqrt(12),
                    "se": sd / math.sqrt(2 * (len(vals) - 1) * 12),
                    "lo95": float("nan"),
                    "hi95": float("nan"),
                },
                "log ARR per month",
                "sd of log change at renewals / sqrt(12)",
                f"world.segments.{seg}.usage_noise",
                sd / math.sqrt(12),
                "as estimated",
            )

    # Rep attrition: leavers per rep-year in [first, as_of).
    for r_ in ("ae", "sdr", "csm"):
        mask = reps["role"] == r_
        years = float(emp[mask].sum()) / 12
        left = float(sum(1 for x in reps[mask]["exit_date"] if x is not None and first <= x < d))
        row = _poisson_row(left, years)
        conv = {
            k: (1 - math.exp(-v) if isinstance(v, float) and not math.isnan(v) else v)
            for k, v in row.items()
            if k != "se"
        }
        conv["se"] = row["se"] * math.exp(-row["estimate"]) if years > 0 else float("nan")
        add(
            "attrition",
            "all",
            r_,
            years,
            left,
            conv,
            "chance of leaving within a year",
            "exponential, exact Poisson interval",
            f"world.workforce.{r_}.attrition",
            conv["estimate"] if years > 0 else 0.0,
            "one band from month 0",
        )
    return pd.DataFrame(rows)


def draw_rates(table: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One draw of every fitted rate from its posterior, mapped to its world field as the
    estimate is: proportions from their Beta(k + ½, n − k + ½), Poisson rates from their
    Gamma(k + ½) / exposure, log-normal medians and cycles log-normally with their
    standard errors, usage growth normally; log-sds, noise and upsell fractions stay at
    their estimates. The table's ``world_value`` column holds the draw."""
    out = table.copy()
    values = out["world_value"].to_numpy(object).copy()
    for i, row in enumerate(out.itertuples(index=False)):
        if row.world_path is None or not isinstance(row.world_path, str):
            continue
        est, value = float(row.estimate), row.world_value
        if not np.isfinite(est):
            continue
        method = str(row.method)
        if row.rate == "attrition":
            lam = rng.gamma(row.observed + 0.5) / row.n if row.n > 0 else 0.0
            values[i] = 1.0 - float(np.exp(-lam))
            continue
        if method.startswith("Beta") or "Beta(" in method:
            draw = float(rng.beta(row.observed + 0.5, row.n - row.observed + 0.5))
        elif method.startswith("Poisson"):
            draw = float(rng.gamma(row.observed + 0.5) / row.n) if row.n > 0 else est
        elif row.rate in ("deal_size", "sales_cycle") and row.key == "median":
            draw = est * float(np.exp(rng.normal(0.0, row.se / est)))
        elif row.rate == "usage_growth":
            draw = float(rng.normal(est, row.se))
        else:
            continue
        if row.rate == "sales_cycle":
            values[i] = max(1, round(draw))
        elif est != 0:
            values[i] = float(value) * draw / est
        else:
            values[i] = draw
        if row.rate in ("renewal_hazard", "win_rate", "expansion_win_rate", "handoff_acceptance"):
            values[i] = min(1.0, float(values[i]))
    out["world_value"] = values
    return out


#: Fields that are probabilities: a fitted multiple above 1 is truncated at 1.
_PROBABILITIES = ("renewal_hazard", "win_rate", "expansion_win_rate", "handoff_acceptance")


def rate_distributions(table: pd.DataFrame) -> dict[str, Any]:
    """The fitted rates' uncertainty as distributions on their world fields
    (:mod:`complab.uncertainty`), for :attr:`Scenario.uncertain`: the posteriors
    :func:`draw_rates` draws from, mapped to each field as its estimate is (times
    ``world_value / estimate``).

    - proportions: their Beta(k + ½, n − k + ½) posterior, stretched by the mapping; a
      probability stretched beyond 1 saturates at 1 (``cap``), as its estimate is set;
      a segment's renewal hazards share one draw (a list field moves together);
    - Poisson rates: a log-normal with their Gamma(k + ½) posterior's median and log-sd;
    - deal-size medians: log-normal with their standard error; usage growth: normal.

    Counts (sales cycles), log-sds, noise, upsell fractions and attrition stay fixed."""
    from scipy import special

    from complab import uncertainty as u

    out: dict[str, Any] = {}
    hazards: dict[str, dict[int, tuple[float, float, float]]] = {}
    for row in table.itertuples(index=False):
        path = row.world_path
        if not isinstance(path, str):
            continue
        est, value, se = float(row.estimate), float(row.world_value), float(row.se)
        if not (np.isfinite(est) and np.isfinite(value) and np.isfinite(se)):
            continue
        scale = value / est if est != 0 else 1.0
        method, rate = str(row.method), str(row.rate)
        if "Beta" in method:
            a, b = float(row.observed) + 0.5, float(row.n) - float(row.observed) + 0.5
            if rate == "renewal_hazard":  # one list field per segment
                field, index = path.rsplit("[", 1)
                hazards.setdefault(field, {})[int(index.rstrip("]"))] = (a, b, scale)
            else:  # a probability stretched beyond 1 saturates there, as the estimate does
                cap = 1.0 if rate in _PROBABILITIES and scale > 1.0 else None
                out[path] = u.Beta(a=a, b=b, low=0.0, high=scale, cap=cap)
        elif method.startswith("Poisson") and float(row.n) > 0:
            shape = float(row.observed) + 0.5
            median = scale * float(special.gammaincinv(shape, 0.5)) / float(row.n)
            out[path] = u.LogNormal(median=median, log_sd=math.sqrt(special.polygamma(1, shape)))
        elif rate == "deal_size" and row.key == "median" and est > 0:
            out[path] = u.LogNormal(median=value, log_sd=se / est)
        elif rate == "usage_growth" and se > 0:
            out[path] = u.Normal(mean=value, sd=abs(scale) * se)
    for field, entries in hazards.items():
        if sorted(entries) != list(range(HAZARD_INDICES)):
            continue  # a renewal index without a fit: the table stays as fitted
        fits = [entries[r] for r in range(HAZARD_INDICES)]
        out[field] = u.Beta(
            a=tuple(f[0] for f in fits),
            b=tuple(f[1] for f in fits),
            low=0.0,
            high=tuple(f[2] for f in fits),
            cap=tuple(1.0 for _ in fits) if any(f[2] > 1.0 for f in fits) else None,
        )
    return out


def _book_for(company: Company, d: dt.date, seats: Mapping[tuple[str, str], list[str]]) -> Any:
    from complab.scenario import Book

    book = company.book_on(d - dt.timedelta(days=1))  # the book as the day `d` starts
    csm_seat, ae_seat = [], []
    load: dict[str, int] = {}
    for row in book.itertuples(index=False):
        csms = seats.get(("csm", row.segment), [])
        aes = seats.get(("ae", row.segment), [])
        if not csms:
            csm_seat.append(-1)
        elif row.csm_id in csms:
            csm_seat.append(csms.index(row.csm_id))
        else:
            # No CSM in the data, or one not there on the date: the segment's least-loaded
            # CSM then. (The model cares for every account through a CSM; an account without
            # one would lose its health, while its churn in the data is in the hazards.)
            best = min(csms, key=lambda c: (load.get(c, 0), csms.index(c)))
            csm_seat.append(csms.index(best))
        if csm_seat[-1] >= 0:
            load[csms[csm_seat[-1]]] = load.get(csms[csm_seat[-1]], 0) + 1
        if not aes:
            ae_seat.append(-1)
        elif row.ae_id in aes:
            ae_seat.append(aes.index(row.ae_id))
        else:
            ae_seat.append(hash_index(row.account_id, len(aes)))
    health = [
        float("nan") if (x is None or (isinstance(x, float) and math.isnan(x))) else float(x)
        for x in book["health"]
    ]
    products = [1 for _ in range(len(book))]
    return Book(
        account_id=tuple(book["account_id"]),
        segment=tuple(book["segment"]),
        arr=tuple(float(x) for x in book["arr"]),
        renewal_index=tuple(int(x) for x in book["renewal_index"]),
        months_to_renewal=tuple(int(x) for x in book["months_to_renewal"]),
        csm=tuple(csm_seat),
        ae=tuple(ae_seat),
        health=tuple(health),
        products=tuple(products),
    )


def hash_index(key: str, n: int) -> int:
    """A stable index in [0, n) from a text key (the same for every run and platform)."""
    import zlib

    return zlib.crc32(key.encode()) % n


def calibrate(
    company: Company,
    as_of: Any,
    *,
    months: int = 12,
    period_months: int = 12,
    plans: Mapping[str, Any] | None = None,
    with_book: bool = True,
    rates: pd.DataFrame | None = None,
    uncertain: bool = False,
) -> Any:
    """A scenario of the company as of a date: its real book and roster, its rates fitted
    to the history before it (:func:`fit_rates`).

    Parameters
    ----------
    company
        From :func:`complab.load_company`.
    as_of
        The date the world starts from (month 0 is the month after it).
    months, period_months
        The scenario's horizon and compensation period.
    plans
        Plans to pay its reps (plan keys to :class:`~complab.Plan`); with plans, each named
        rep keeps its own OTE and quota from the data. Default: none.
    with_book
        Start from the real book (:class:`~complab.scenario.Book`); False gives the
        steady-state book of the same size (docs/model.md §4).
    rates
        A table from :func:`fit_rates` to use (edited, say); default: fitted here.
    uncertain
        Carry the fits' uncertainty: each fitted rate becomes a distribution on its field
        (:func:`rate_distributions`, :attr:`Scenario.uncertain`), so every run's spread
        includes how little the history pins the rates down. The world then holds each
        distribution's median.

    Returns
    -------
    complab.Scenario
    """
    from complab.scenario import (
        AttritionBand,
        Product,
        RosterRep,
        Scenario,
        Segment,
        Staffing,
        World,
    )
    from complab.scenario import Workforce as WorkforceRecord

    d = as_date(as_of)
    table = fit_rates(company, d) if rates is None else rates
    values: dict[str, Any] = {}
    for row in table.itertuples(index=False):
        if row.world_path is None or (
            isinstance(row.world_path, float) and math.isnan(row.world_path)
        ):
            continue
        values[str(row.world_path)] = row.world_value
    # The roster on the date.
    reps = company.reps
    present = reps[
        (reps["hire_date"] <= d).to_numpy()
        & np.array([x is None or x > d for x in reps["exit_date"]], dtype=bool)
    ]
    roster = []
    seats: dict[tuple[str, str], list[str]] = {}
    for r in present.sort_values(["role", "hire_date", "rep_id"], kind="stable").itertuples(
        index=False
    ):
        seg = r.segment or "any"
        seats.setdefault((r.role, seg), []).append(r.rep_id)
        own = plans is not None and (
            f"{r.role}:{seg}" in plans or r.role in plans
        )  # a rep's own terms need a plan to scale
        quota = (
            float(r.quota)
            if own and r.role != "sdr" and r.quota is not None and not math.isnan(r.quota)
            else 0.0
        )
        roster.append(
            RosterRep(
                name=r.rep_id,
                role=r.role,
                segment=seg,
                hired_month=-months_between(r.hire_date, d),
                quota=quota,
                ote=float(r.ote) if own else 0.0,
            )
        )
    book = company.book_on(d - dt.timedelta(days=1))
    segments = []
    for seg in company.segments:

        def v(name: str, default: Any, seg: str = seg) -> Any:
            return values.get(f"world.segments.{seg}.{name}", default)

        hz = tuple(
            float(values.get(f"world.segments.{seg}.renewal_hazard[{r}]", 0.1))
            for r in range(HAZARD_INDICES)
        )
        n_acc = int((book["segment"] == seg).sum())
        n_csm = len(seats.get(("csm", seg), []))
        segments.append(
            Segment(
                name=seg,
                initial_accounts=n_acc,
                acv_median=float(v("acv_median", 10_000.0)),
                acv_log_sd=float(v("acv_log_sd", 0.5)),
                renewal_hazard=hz,
                csm_coverage=max(1.0, n_acc / max(1, n_csm)),
                usage_drift=float(v("usage_drift", 0.0)),
                usage_noise=float(v("usage_noise", 0.0)),
                csql_rate=float(v("csql_rate", 0.0)),
                upsell_fraction=float(v("upsell_fraction", 0.2)),
                sales_cycle_months=int(v("sales_cycle_months", 3)),
                win_rate=min(1.0, float(v("win_rate", 0.2))),
                expansion_win_rate=min(1.0, float(v("expansion_win_rate", 0.5))),
                opportunity_share=max(1e-6, float(v("opportunity_share", 1.0))),
                inbound_opportunities=float(v("inbound_opportunities", 0.0)),
                ae_prospecting=float(v("ae_prospecting", 0.0)),
                ae_capacity=1e6,
                ae_headcount=len(seats.get(("ae", seg), [])),
                csm_headcount=n_csm,
            )
        )
    staffing: dict[str, Staffing] = {}
    for role in ("ae", "sdr", "csm"):
        rate = float(values.get(f"world.workforce.{role}.attrition", 0.0))
        staffing[role] = Staffing(attrition=(AttritionBand(0, rate),) if rate > 0 else ())
    world = World(
        segments=tuple(segments),
        months=months,
        period_months=period_months,
        products=(
            Product(
                name="core", usage_priced=any(s.usage_drift or s.usage_noise for s in segments)
            ),
        ),
        sdr_headcount=len(seats.get(("sdr", "any"), [])),
        opportunities_per_sdr=float(values.get("world.opportunities_per_sdr", 0.0)),
        skill_log_sd=0.0,
        handoff_acceptance=float(values.get("world.handoff_acceptance", 0.7)),
        shared_nrr_acceptance_uplift=0.0,
        workforce=WorkforceRecord(
            ae=staffing["ae"], sdr=staffing["sdr"], csm=staffing["csm"], roster=tuple(roster)
        ),
    )
    book_record = _book_for(company, d, seats) if with_book else None
    scenario = Scenario(world=world, plans=dict(plans or {}), book=book_record)
    return scenario.with_(rate_distributions(table)) if uncertain else scenario


def calibration_report(
    company: Company, as_of: Any, *, trials: int = 100, seed: int = 0, scenario: Any = None
) -> pd.DataFrame:
    """The calibrated model beside the data: each rate as observed over the year before
    `as_of`, and as the calibrated scenario produces it over its first year (mean, P10,
    P90 over `trials`) — a check that the fitted rates, mapped to the model's parameters,
    give back what was observed.

    Rows (``quantity``): new opportunities, new-business win rate, new logos, new ARR,
    CSQLs raised, hand-off acceptance, expansion win rate, renewal churn (churned over due),
    first-renewal churn, churned ARR. Columns: ``observed``, ``model_mean``, ``model_p10``,
    ``model_p90``, ``ratio`` (model mean over observed). :func:`plot_calibration_report`
    draws it.
    """
    from complab.engine import simulate

    d = as_date(as_of)
    first = add_months(d, -12)
    sc = calibrate(company, d, months=12) if scenario is None else scenario
    m = simulate(sc, trials=trials, seed=seed, progress=False).monthly()
    y = m.groupby("trial").sum(numeric_only=True)

    def ratio(a: str, b: str) -> pd.Series:
        return y[a] / y[b].where(y[b] > 0)

    model = {
        "new opportunities": y["opportunities"],
        "new-business win rate": ratio("new_logos", "deals_closed"),
        "new logos": y["new_logos"],
        "new ARR": y["new_arr"],
        "CSQLs raised": y["csql_raised"],
        "hand-off acceptance": ratio("handoffs_accepted", "csql_raised"),
        "expansion win rate": ratio("expansions_won", "expansions_closed"),
        "renewal churn": ratio("churned_logos", "renewals_due"),
        "first-renewal churn": ratio("first_renewal_churns", "first_renewals_due"),
        "churned ARR": y["churned_arr"],
    }
    opp, ev = company.opportunities, company.arr_events
    role = dict(zip(company.reps["rep_id"], company.reps["role"], strict=True))
    in_window = np.array([first <= c < d for c in opp["created_date"]], dtype=bool)
    closed_in = np.array([c is not None and first <= c < d for c in opp["close_date"]], dtype=bool)
    new = (opp["type"] == "new").to_numpy()
    csql = ((opp["type"] == "expansion") & (opp["source"] == "csm")).to_numpy()
    accepted = (opp["owner_id"].map(role) == "ae").to_numpy()
    won = (opp["won"] == True).to_numpy()  # noqa: E712
    evw = ev[(ev["date"] >= first) & (ev["date"] < d)]
    due = evw[evw["type"].isin(("renewal", "churn"))]
    starts = company.accounts.set_index("account_id")["start_date"]
    first_due = due[
        [
            months_between(starts[a], w) < 24
            for a, w in zip(due["account_id"], due["date"], strict=True)
        ]
    ]

    def share(k: float, n: float) -> float:
        return k / n if n else float("nan")

    observed = {
        "new opportunities": float((new & in_window).sum()),
        "new-business win rate": share((new & closed_in & won).sum(), (new & closed_in).sum()),
        "new logos": float((evw["type"] == "new").sum()),
        "new ARR": float(evw[evw["type"] == "new"]["arr_after"].sum()),
        "CSQLs raised": float((csql & in_window).sum()),
        "hand-off acceptance": share((csql & in_window & accepted).sum(), (csql & in_window).sum()),
        "expansion win rate": share(
            (csql & accepted & closed_in & won).sum(), (csql & accepted & closed_in).sum()
        ),
        "renewal churn": share((due["type"] == "churn").sum(), len(due)),
        "first-renewal churn": share((first_due["type"] == "churn").sum(), len(first_due)),
        "churned ARR": float(evw[evw["type"] == "churn"]["arr_before"].sum()),
    }
    rows = []
    for name, series in model.items():
        x = series.dropna().to_numpy(float)
        mean = float(x.mean()) if len(x) else float("nan")
        obs = float(observed[name])
        rows.append(
            {
                "quantity": name,
                "observed": obs,
                "model_mean": mean,
                "model_p10": float(np.quantile(x, 0.1)) if len(x) else float("nan"),
                "model_p90": float(np.quantile(x, 0.9)) if len(x) else float("nan"),
                "ratio": mean / obs if obs else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def plot_calibration_report(report: pd.DataFrame, ax: Any = None) -> Any:
    """Each quantity of :func:`calibration_report`: the model's P10–P90 and mean over the
    observed value (1 = the model gives back what was observed). Returns the Axes."""
    import matplotlib.pyplot as plt

    t = report.reset_index(drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.35 * len(t) + 1))
    y = np.arange(len(t))[::-1]
    obs = t["observed"].to_numpy(float)
    ax.hlines(y, t["model_p10"] / obs, t["model_p90"] / obs, lw=5, alpha=0.4, label="model P10–P90")
    ax.plot(t["model_mean"] / obs, y, "o", label="model mean")
    ax.axvline(1.0, color="C3", lw=1, label="observed")
    ax.set_yticks(y, t["quantity"])
    ax.set_xlabel("relative to the observed value (the year before the date)")
    ax.legend(fontsize=8)
    return ax


def plot_calibration(table: pd.DataFrame, ax: Any = None) -> Any:
    """Each fitted rate with its 95% interval, relative to its estimate (a forest plot);
    `truth` (a column, optional) marked where known. Returns the Axes."""
    import matplotlib.pyplot as plt

    t = table[
        np.isfinite(table["lo95"].astype(float)) & (table["estimate"].astype(float) != 0)
    ].reset_index(drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, max(3, 0.22 * len(t))))
    y = np.arange(len(t))[::-1]
    est = t["estimate"].astype(float).to_numpy()
    ax.errorbar(
        np.ones(len(t)),
        y,
        xerr=[1 - t["lo95"].to_numpy(float) / est, t["hi95"].to_numpy(float) / est - 1],
        fmt="o",
        ms=3,
        label="fit, 95% interval",
    )
    if "truth" in t:
        ax.plot(t["truth"].to_numpy(float) / est, y, "x", color="C3", label="truth")
    ax.set_yticks(y, [f"{r.rate} {r.segment} {r.key}".strip() for r in t.itertuples()], fontsize=7)
    ax.axvline(1, color="0.7", lw=0.8)
    ax.set_xlabel("relative to the estimate")
    ax.legend(fontsize=8)
    return ax
