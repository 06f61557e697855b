"""Backtest: what every rep would have earned under given plans on what actually happened
(docs/data.md, "Backtest"). Exact, no simulation: the reps' metrics per period are summed
from the data and paid by the same payroll the engine uses (docs/model.md §7).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from complab import _core
from complab.data.company import Company, add_months, as_date, months_between
from complab.plans import METRICS, Plan

_CENTS = 100
_SLOTS = {name: i for i, name in enumerate(_core.RAW_SLOTS)}
_PAY = tuple(_core.PAY_FIELDS)  # the payroll's fields, in its order


@dataclasses.dataclass
class Backtest:
    """A backtest's answer.

    ``reps``: one row per rep, plan set and period in the window: rep_id, role, segment,
    plans, period, period_start, employed (the share of the period's days), and the
    payroll's fields (``complab._core.PAY_FIELDS``: base, variable, spif, the clawback, draw
    and true-up fields, earnings, quota_factor). ``totals``: per plan set and role, the
    money summed over the window and reps. ``actuals``: each rep-period's metrics (rep_id,
    role, period and one column per metric).
    """

    reps: pd.DataFrame
    totals: pd.DataFrame
    actuals: pd.DataFrame

    def per_rep(self) -> pd.DataFrame:
        """Earnings over the window, one row per rep, one column per plan set."""
        sums = self.reps.groupby(["rep_id", "role", "segment", "plans"], sort=False)[
            "earnings"
        ].sum()
        out = sums.unstack("plans").reset_index()
        out.columns.name = None
        return out


def _plan_sets(plans: Any, current: Any) -> dict[str, Mapping[str, Plan]]:
    from complab.scenario import Scenario

    def one(p: Any, name: str) -> Mapping[str, Plan]:
        if isinstance(p, Scenario):
            return p.plans
        if isinstance(p, Mapping) and all(isinstance(v, Plan) for v in p.values()):
            return p
        raise ValueError(f"{name}: expected a Scenario or a mapping of plan key to Plan")

    sets = {"plans": one(plans, "plans")}
    if current is not None:
        sets["current"] = one(current, "current")
    return sets


def _plan_for(plans: Mapping[str, Plan], role: str, segment: str | None) -> Plan | None:
    if segment is not None and f"{role}:{segment}" in plans:
        return plans[f"{role}:{segment}"]
    return plans.get(role)


def _own_terms(
    plan: Plan, ote: float | None, base_share: float | None, quota: float | None, period_months: int
) -> Plan:
    """The plan with the rep's own OTE, pay mix and annual quota (its first measure's volume
    target and every volume target with it, in proportion); a term the rep lacks stays the
    plan's."""
    changes: dict[str, Any] = {}
    if ote and ote > 0:
        changes["ote"] = float(ote)
    if base_share is not None and not np.isnan(base_share):
        changes["base_share"] = float(base_share)
    first = plan.measures[0]
    if quota and quota > 0 and not METRICS[first.metric]["is_rate"]:
        annual = first.target * 12 / (plan.target_months or period_months)
        scale = float(quota) / annual
        changes["measures"] = tuple(
            m if METRICS[m.metric]["is_rate"] else dataclasses.replace(m, target=m.target * scale)
            for m in plan.measures
        )
    return dataclasses.replace(plan, **changes) if changes else plan


def rep_actuals(
    company: Company, start: Any, periods: int, period_months: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each rep's raw metric slots per period from `start` (the engine's layout:
    ``[reps][periods][slots]``, money in cents) and the first-renewal churns of the accounts
    it sold, by the period of the sale (``[reps][periods][ARR cents, logos]``)."""
    s0 = as_date(start)
    bounds = [add_months(s0, k * period_months) for k in range(periods + 1)]
    rep_index = {r: i for i, r in enumerate(company.reps["rep_id"])}
    R = len(rep_index)
    raw = np.zeros((R, periods, len(_SLOTS)), dtype=np.int64)
    churn = np.zeros((R, periods, 2), dtype=np.int64)

    def period_of(d: Any) -> int:
        if d is None or d < bounds[0] or d >= bounds[-1]:
            return -1
        return int(np.searchsorted(np.array(bounds[1:], dtype=object), d, side="right"))

    def cents(x: float) -> int:
        return int(round(x * _CENTS))

    def add(rep: Any, p: int, slot: str, value: int) -> None:
        if rep is None or p < 0 or rep not in rep_index:
            return
        raw[rep_index[rep], p, _SLOTS[slot]] += value

    opp = company.opportunities
    role = dict(zip(company.reps["rep_id"], company.reps["role"], strict=True))
    for o in opp.itertuples(index=False):
        created, closed = period_of(o.created_date), period_of(o.close_date)
        amount = cents(o.amount)
        if o.type == "new":
            if o.won:
                add(o.owner_id, closed, "new_arr", amount)
                add(o.owner_id, closed, "new_logos", 1)
            if o.source == "sdr" and o.sourced_by_id is not None:
                add(o.sourced_by_id, created, "opportunities", 1)
                add(o.sourced_by_id, created, "pipeline", amount)
                if o.won:
                    add(o.sourced_by_id, closed, "sourced_wins", 1)
            continue
        # Expansion: the AE who closed it; a CSQL's CSM.
        csm = o.sourced_by_id if o.source == "csm" and role.get(o.sourced_by_id) == "csm" else None
        if csm is not None:
            add(csm, created, "csql_count", 1)
            add(csm, created, "csql_pipeline", amount)
        if o.won:
            if role.get(o.owner_id) == "ae":
                add(o.owner_id, closed, "expansion_arr", amount)
                add(o.owner_id, closed, "expansion_wins", 1)
            if csm is not None:
                add(csm, closed, "expansion_arr", amount)
                add(csm, closed, "expansion_wins", 1)

    # Book metrics: each AE's and CSM's accounts active at the period's start.
    acc = company.accounts.set_index("account_id")
    won_csql = opp[(opp["type"] == "expansion") & (opp["source"] == "csm") & (opp["won"] == True)]  # noqa: E712
    for p in range(periods):
        first, last = bounds[p], bounds[p + 1] - dt.timedelta(days=1)
        arr0 = company.arr_on(first - dt.timedelta(days=1))
        arr1 = company.arr_on(last)
        expanded = set(won_csql[[period_of(d) == p for d in won_csql["close_date"]]]["account_id"])
        for aid in arr0.index[arr0.to_numpy() > 0]:
            a0, a1 = cents(arr0[aid]), cents(arr1[aid])
            for owner in (acc.at[aid, "ae_id"], acc.at[aid, "csm_id"]):
                if owner is None or owner not in rep_index:
                    continue
                row = raw[rep_index[owner], p]
                row[_SLOTS["book_start_arr"]] += a0
                row[_SLOTS["book_end_arr"]] += a1
                row[_SLOTS["book_kept_arr"]] += min(a0, a1)
                row[_SLOTS["book_start_logos"]] += 1
                row[_SLOTS["book_churned_logos"]] += int(a1 == 0)
                row[_SLOTS["book_expanded_logos"]] += int(aid in expanded)

    # First-renewal churns, by the seller's period of sale: an account that churns within
    # 24 months of its start churned at its first renewal.
    ev = company.arr_events
    booked = ev[ev["type"] == "new"].groupby("account_id")["arr_after"].first()
    for e in ev[ev["type"] == "churn"].itertuples(index=False):
        a = acc.loc[e.account_id]
        if months_between(a["start_date"], e.date) >= 24:
            continue
        p = period_of(a["start_date"])
        seller = a["ae_id"]
        if p < 0 or seller is None or seller not in rep_index:
            continue
        value = booked.get(e.account_id, e.arr_before)
        churn[rep_index[seller], p, 0] += cents(value)
        churn[rep_index[seller], p, 1] += 1
    return raw, churn


def _occupancy(reps: pd.DataFrame, bounds: list[dt.date]) -> np.ndarray:
    """The share of each period's days each rep was employed, ``[reps][periods]``."""
    occupancy = np.zeros((len(reps), len(bounds) - 1))
    for i, r in enumerate(reps.itertuples(index=False)):
        for p in range(len(bounds) - 1):
            lo, hi = bounds[p], bounds[p + 1]
            a = max(lo, r.hire_date)
            b = min(hi, r.exit_date + dt.timedelta(days=1)) if r.exit_date is not None else hi
            occupancy[i, p] = max(0, (b - a).days) / (hi - lo).days
    return occupancy


def _tenure(reps: pd.DataFrame, first: dt.date, months: int) -> np.ndarray:
    """Each rep's tenure in each month from `first` (0 in the month of its hire date), or
    the payroll's vacant mark (-1) in a month it was not employed, ``[reps][months]`` int16."""
    tenure = np.full((len(reps), months), -1, dtype=np.int16)
    for i, r in enumerate(reps.itertuples(index=False)):
        for m in range(months):
            lo, last = add_months(first, m), add_months(first, m + 1) - dt.timedelta(days=1)
            if r.hire_date > last or (r.exit_date is not None and r.exit_date < lo):
                continue
            tenure[i, m] = min(months_between(r.hire_date, last), np.iinfo(np.int16).max)
    return tenure


def backtest(
    company: Company,
    plans: Any,
    start: Any,
    end: Any,
    *,
    current: Any = None,
    period_months: int = 12,
    own_terms: bool = True,
    prorate: bool = True,
) -> Backtest:
    """Pay every rep under `plans` (and `current`) on what happened between `start` and `end`.

    Parameters
    ----------
    company
        From :func:`complab.load_company`.
    plans, current
        Plan sets: a :class:`~complab.Scenario` or a mapping of plan keys (``"ae"``,
        ``"csm:smb"``...) to :class:`~complab.Plan`. ``current`` (optional) is paid on the same
        data, beside.
    start, end
        The window: `start` inclusive, `end` exclusive (``"2025-01-01"``, ``"2026-01-01"``),
        a whole number of periods.
    period_months
        The compensation period (12: annual). Periods are aligned to `start`.
    own_terms
        Each rep's own OTE, pay mix and quota (``reps.ote``, ``reps.base_share``,
        ``reps.quota``) replace its plan's, the volume targets in proportion to the quota
        (as :class:`~complab.RosterRep` does); a rep without a quota keeps its plan's
        targets. False: the plans' own terms.
    prorate
        A rep employed part of a period: True, its quota and its OTE (base and target
        variable) pro rata by days, as the engine treats a seat held part of a period;
        False, its base pro rata and its variable pay against its full quota and OTE.

    Returns
    -------
    Backtest
        Per rep and period, and totals. What a rep's metrics are: docs/data.md.

    Notes
    -----
    Each rep's tenure comes from its hire date, month by month, so a plan's draw tops up
    its first months and a rep who leaves has what it owed forgiven, as in the engine.
    Clawbacks reach back one year: an account sold in the year before `start` that churns
    at its first renewal inside the window claws back commission computed on that earlier
    period's sales.
    """
    s0, e0 = as_date(start), as_date(end)
    months = months_between(s0, e0)
    if months <= 0 or months % period_months or add_months(s0, months) != e0:
        raise ValueError(
            f"end: {e0} is not a whole number of {period_months}-month periods after start {s0}"
        )
    sets = _plan_sets(plans, current)
    look = 12 // period_months if 12 % period_months == 0 else 12 // period_months + 1
    first = add_months(s0, -look * period_months)
    periods = look + months // period_months
    raw, churn = rep_actuals(company, first, periods, period_months)
    reps = company.reps
    bounds = [add_months(first, k * period_months) for k in range(periods + 1)]
    occupancy = _occupancy(reps, bounds)
    tenure = _tenure(reps, first, periods * period_months)
    # The payroll's seat terms: quota and OTE scales per rep and period (payroll.hpp).
    terms = np.ones((1, len(reps), periods, 2))
    if prorate:
        terms[0, :, :, :] = occupancy[:, :, None]
    frames = []
    for set_name, plan_set in sets.items():
        plan_list: list[Any] = []
        rep_plan: list[int] = []
        for r in reps.itertuples(index=False):
            plan = _plan_for(plan_set, r.role, r.segment)
            if plan is None:
                rep_plan.append(-1)
                continue
            if own_terms:
                quota = None if r.quota is None or np.isnan(r.quota) else r.quota
                plan = _own_terms(plan, r.ote, r.base_share, quota, period_months)
            rep_plan.append(len(plan_list))
            plan_list.append(plan._to_core(period_months))
        pay, _ = _core.evaluate_payroll(
            plan_list, raw[None], churn[None], rep_plan, period_months, terms, tenure[None]
        )
        pay = pay[0]
        for i, r in enumerate(reps.itertuples(index=False)):
            if rep_plan[i] < 0:
                continue  # no plan pays its role
            for p in range(look, periods):
                if occupancy[i, p] == 0:
                    continue
                row = dict(zip(_PAY, pay[i, p], strict=True))
                if not prorate:  # the base alone pro rata
                    base_full = row["base"]
                    row["base"] = base_full * occupancy[i, p]
                    row["earnings"] -= base_full - row["base"]
                frames.append(
                    {
                        "rep_id": r.rep_id,
                        "role": r.role,
                        "segment": r.segment or "any",
                        "plans": set_name,
                        "period": p - look,
                        "period_start": bounds[p],
                        "employed": occupancy[i, p],
                        **row,
                    }
                )
    table = pd.DataFrame(frames)
    from complab.result import metric_actuals

    actual_rows = []
    values = metric_actuals(raw)
    for i, r in enumerate(reps.itertuples(index=False)):
        for p in range(look, periods):
            if occupancy[i, p] == 0:
                continue
            row = {"rep_id": r.rep_id, "role": r.role, "period": p - look}
            row.update({k: float(v[i, p]) for k, v in values.items()})
            actual_rows.append(row)
    actuals = pd.DataFrame(actual_rows)
    money = ["base", "variable", "spif", "clawback_applied", "earnings"]
    totals = (
        table.groupby(["plans", "role"])[money].sum().reset_index()
        if len(table)
        else pd.DataFrame()
    )
    return Backtest(reps=table, totals=totals, actuals=actuals)
