"""The workforce in a run's results (docs/model.md §9): headcount by month, who held each
seat when, and what ramp and attrition cost. :class:`~complab.Result` calls these."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from complab import _core

if TYPE_CHECKING:
    from complab.result import Result

ROLES = ("ae", "sdr", "csm")


def group_names(segments: list[str]) -> list[tuple[str, str]]:
    """(role, segment) of each seat group, in the engine's order: AEs by segment, SDRs, CSMs."""
    return [("ae", s) for s in segments] + [("sdr", "all")] + [("csm", s) for s in segments]


def headcount(result: Result) -> pd.DataFrame:
    """Per trial, month, role and segment: seats held, ramping, vacant; reps hired, left and
    regretted leavers (above median skill); capacity in ramped-rep equivalents; opportunities
    lost to vacant territories."""
    hc = result.arrays["headcount"]  # [t, months, groups, fields]
    t, months, groups, _ = hc.shape
    names = group_names(result.scenario.world.segment_names())
    data: dict[str, Any] = {
        "trial": np.repeat(np.arange(t), months * groups),
        "month": np.tile(np.repeat(np.arange(months), groups), t),
        "role": np.tile([r for r, _ in names], t * months),
        "segment": np.tile([s for _, s in names], t * months),
    }
    for i, name in enumerate(_core.HEADCOUNT_FIELDS):
        column = hc[..., i].reshape(-1)
        if name == "capacity_micros":
            data["capacity"] = column / 1e6
        else:
            data[name] = column
    return pd.DataFrame(data)


def hire_and_exit(result: Result) -> tuple[np.ndarray, np.ndarray]:
    """Per trial, seat and month: the month its rep was hired (NaN when vacant) and the month
    that rep left at the end of (NaN while it stays to the horizon)."""
    tenure = result.arrays["rep_tenure"].astype(float)  # [t, r, m]
    months = tenure.shape[2]
    held = tenure >= 0
    hired = np.where(held, np.arange(months) - tenure, np.nan)
    last = np.full(tenure.shape, np.nan)
    if months:
        last[..., -1] = np.where(held[..., -1], np.inf, np.nan)  # still there at the horizon
    for m in range(months - 2, -1, -1):
        same = held[..., m] & (hired[..., m + 1] == hired[..., m])
        last[..., m] = np.where(same, last[..., m + 1], np.where(held[..., m], m, np.nan))
    exited = np.where(np.isinf(last), np.nan, last)
    return hired, exited


def rep_period_columns(result: Result) -> dict[str, np.ndarray]:
    """For :meth:`Result.reps`: each seat-period's rep as at the period's last month (tenure,
    hire and exit months; NaN when the seat is vacant then) and its pay terms, the quota scale
    as paid: the seat's terms times the quota ratchet's factor payroll applied."""
    period = result.scenario.world.period_months
    tenure = result.arrays["rep_tenure"]
    t, r, months = tenure.shape
    p = months // period
    hired, exited = hire_and_exit(result)
    end = np.arange(p) * period + period - 1
    at_end = tenure[..., end].astype(float)
    terms = result.arrays["rep_terms"]
    factor = result.arrays["pay"][..., list(_core.PAY_FIELDS).index("quota_factor")]
    return {
        "tenure": np.where(at_end >= 0, at_end, np.nan).reshape(-1),
        "hired_month": hired[..., end].reshape(-1),
        "exit_month": exited[..., end].reshape(-1),
        "quota_scale": (terms[..., 0] * factor).reshape(-1),
        "ote_scale": terms[..., 1].reshape(-1),
    }


def ote_carried(result: Result, year: int) -> np.ndarray:
    """Each seat's share of a full year's OTE that it carried in one year (from 1),
    [trials, reps]: its ``ote_scale`` summed over the year's periods, times period/12 — a
    named rep's own OTE over its plan's, times the months the seat was held over 12
    (docs/model.md §9); 0 for a seat vacant all year. Times the plan's OTE, it is the OTE
    the seat carried that year."""
    period = result.scenario.world.period_months
    per_year = 12 // period
    terms = result.arrays.get("rep_terms")
    if terms is None:  # no pay terms recorded: every seat held all along at its plan's OTE
        return np.ones(result.arrays["pay"].shape[:2])
    scale = terms[:, :, (year - 1) * per_year : year * per_year, 1]
    return np.asarray(scale.sum(axis=2) * (period / 12.0), dtype=float)


def _ramping(result: Result) -> np.ndarray:
    """[t, r, m]: the seat's rep is below full productivity that month."""
    tenure = result.arrays["rep_tenure"]
    roles = result.roster["role"].to_numpy()
    out = np.zeros(tenure.shape, dtype=bool)
    for role in ROLES:
        ramp = np.asarray(getattr(result.scenario.world.workforce, role).ramp, dtype=float)
        below = np.append(ramp < 1.0, False)  # past the curve: full
        rows = roles == role
        seats = tenure[:, rows]
        out[:, rows] = (seats >= 0) & below[np.clip(seats, 0, len(ramp))]
    return out


def workforce_summary(result: Result) -> list[tuple[str, int, np.ndarray]]:
    """(kpi, year, values per trial) for :meth:`Result.summary`: per role and year, mean
    capacity (ramped-rep equivalents), leavers, regretted leavers and hires; the cost of ramp
    (pay to reps while below full productivity) and the comp cost of attrition (that pay to
    reps who replaced leavers)."""
    w = result.scenario.world
    years = result.years
    if years == 0:
        return []
    hc = result.arrays["headcount"][:, : years * 12]  # [t, m, g, f]
    t = hc.shape[0]
    fields = {name: i for i, name in enumerate(_core.HEADCOUNT_FIELDS)}
    names = group_names(w.segment_names())
    rows: list[tuple[str, int, np.ndarray]] = []
    for role in ROLES:
        groups = [g for g, (r, _) in enumerate(names) if r == role]
        by_month = hc[:, :, groups].sum(axis=2).reshape(t, years, 12, -1)
        for y in range(years):
            rows.append(
                (
                    f"capacity_{role}",
                    y + 1,
                    by_month[:, y, :, fields["capacity_micros"]].mean(axis=1) / 1e6,
                )
            )
            for name in ("left", "regretted", "hired"):
                label = {"left": "leavers", "regretted": "regretted_leavers", "hired": "hires"}[
                    name
                ]
                rows.append(
                    (
                        f"{label}_{role}",
                        y + 1,
                        by_month[:, y, :, fields[name]].sum(axis=1).astype(float),
                    )
                )
    # Pay to reps while ramping, spread over a period's months held.
    period = w.period_months
    earnings = result.arrays["pay"][..., list(_core.PAY_FIELDS).index("earnings")]  # [t, r, p]
    tenure = result.arrays["rep_tenure"]
    tr, r, months = tenure.shape
    p = months // period
    held = (tenure >= 0).reshape(tr, r, p, period).sum(axis=3)
    ramping = _ramping(result)
    hired, _ = hire_and_exit(result)
    first = np.nanmin(np.where(np.isnan(hired), np.inf, hired), axis=2, keepdims=True)
    backfill = ramping & (hired > first)  # a later rep in a seat: it replaced a leaver
    per_year = 12 // period
    for name, mask in (("cost_of_ramp", ramping), ("cost_of_attrition", backfill)):
        share = np.divide(
            mask.reshape(tr, r, p, period).sum(axis=3),
            held,
            out=np.zeros((tr, r, p)),
            where=held > 0,
        )
        cost = (
            (earnings * share)
            .sum(axis=1)[:, : years * per_year]
            .reshape(tr, years, per_year)
            .sum(axis=2)
        )
        for y in range(years):
            rows.append((name, y + 1, cost[:, y]))
    return rows
