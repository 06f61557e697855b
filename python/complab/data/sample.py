"""A synthetic company's three-year history in the data schema (docs/data.md), generated
from known parameters (:data:`SAMPLE_TRUTH`) so that calibration can be checked against
them. It is messy the way real exports are: optional fields missing, some small accounts
without a CSM, reps who left and were replaced, deals still open at the end.

The history is generated month by month:

- the book at the history's start: per segment, accounts whose renewal index follows the
  mix the hazards give (``P(r) ∝ Π_{j<r}(1 − H[j])``), month in the contract year uniform,
  ARR a log-normal deal grown 8% a year of age; accounts that started before the history
  have no ``new`` event;
- opportunities: inbound per segment ``Poisson(I_s)`` a month, each SDR ``Poisson(λ_sdr)``
  (segment by share), each AE ``Poisson(λ_ae)`` of its own; created on a uniform day; the
  cycle ``LogNormal(ln(30.44 L_s), 0.35)`` days; won with probability ``w[s][source]``;
  amount ``LogNormal(ln m_s, σ_s)``; deals closing after the history's end stay open;
- each month every account with a CSM raises a CSQL with probability ``ρ_s`` (value
  ``u_s × ARR``), which its AE accepts with probability ``q`` (else it stays with the CSM,
  closed lost that day); an accepted one closes ``LogNormal(ln 61, 0.3)`` days later, won with
  probability ``x_s``: an ``expansion`` event;
- at each anniversary an account at its r-th renewal churns with probability ``H_s[r]``
  (last entry beyond); a renewal changes usage ARR by ``exp(N(12 g_s, 0.1)) − 1``
  (an ``expansion`` or ``contraction`` event the same day);
- every rep leaves with its role's annual attrition rate (monthly ``1 − (1 − a)^{1/12}``);
  a replacement is hired two months later and takes over the leaver's accounts.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from complab.data.company import add_months

#: The parameters the sample company is generated from (per segment where keyed so).
SAMPLE_TRUTH: dict[str, Any] = {
    "segments": ("smb", "mid_market", "enterprise"),
    "initial_accounts": {"smb": 1400, "mid_market": 500, "enterprise": 140},
    "acv_median": {"smb": 6_000.0, "mid_market": 30_000.0, "enterprise": 150_000.0},
    "acv_log_sd": {"smb": 0.5, "mid_market": 0.5, "enterprise": 0.6},
    "renewal_hazard": {
        "smb": (0.22, 0.14, 0.10, 0.08),
        "mid_market": (0.15, 0.09, 0.06, 0.05),
        "enterprise": (0.10, 0.06, 0.04, 0.03),
    },
    "win_rate": {
        "smb": {"inbound": 0.30, "sdr": 0.22, "ae": 0.18},
        "mid_market": {"inbound": 0.26, "sdr": 0.20, "ae": 0.16},
        "enterprise": {"inbound": 0.22, "sdr": 0.16, "ae": 0.12},
    },
    "sales_cycle_months": {"smb": 2, "mid_market": 4, "enterprise": 7},
    "cycle_log_sd": 0.35,
    "inbound_opportunities": {"smb": 28.0, "mid_market": 6.0, "enterprise": 1.0},
    "opportunities_per_sdr": 5.0,
    "opportunity_share": {"smb": 0.5, "mid_market": 0.35, "enterprise": 0.15},
    "ae_prospecting": {"smb": 2.0, "mid_market": 1.0, "enterprise": 0.4},
    "csql_rate": {"smb": 0.004, "mid_market": 0.008, "enterprise": 0.015},
    "upsell_fraction": {"smb": 0.2, "mid_market": 0.25, "enterprise": 0.3},
    "handoff_acceptance": 0.7,
    "expansion_win_rate": {"smb": 0.45, "mid_market": 0.5, "enterprise": 0.55},
    "usage_growth": {"smb": 0.002, "mid_market": 0.004, "enterprise": 0.006},
    "usage_noise": 0.1,
    "ae_headcount": {"smb": 5, "mid_market": 5, "enterprise": 3},
    "csm_headcount": {"smb": 5, "mid_market": 5, "enterprise": 4},
    "sdr_headcount": 6,
    "attrition": {"ae": 0.25, "sdr": 0.35, "csm": 0.15},
    "ote": {"ae": 140_000.0, "sdr": 80_000.0, "csm": 100_000.0},
    "base_share": {"ae": 0.5, "sdr": 0.6, "csm": 0.75},
    "quota": {"smb": 400_000.0, "mid_market": 900_000.0, "enterprise": 1_500_000.0},
    "no_csm_share": 0.1,  # share of new SMB accounts left without a CSM
    "backfill_months": 2,
    "history_months": 36,
    "end": dt.date(2025, 12, 31),
}

_DAYS_PER_MONTH = 30.44


def sample_company(
    folder: str | os.PathLike[str] | None = None,
    seed: int = 0,
    *,
    hazard_scale: float = 1.0,
    scale_from: dt.date | None = None,
    file_format: str = "csv",
) -> Path:
    """Write a synthetic company's three-year history in the data schema.

    Parameters
    ----------
    folder
        Where to write ``accounts``, ``arr_events``, ``reps`` and ``opportunities``
        (created if missing). Default: a new temporary folder.
    seed
        The generator's seed; the same seed writes the same files.
    hazard_scale
        Multiplies every renewal hazard (from `scale_from` on, when given): data from a
        company whose churn moved away from :data:`SAMPLE_TRUTH`.
    file_format
        ``"csv"`` or ``"parquet"``.

    Returns
    -------
    pathlib.Path
        The folder, ready for :func:`complab.load_company`.
    """
    if folder is None:
        import tempfile

        folder = tempfile.mkdtemp(prefix="complab-sample-")
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    tables = _generate(seed, hazard_scale, scale_from)
    for name, frame in tables.items():
        if file_format == "parquet":
            frame.to_parquet(root / f"{name}.parquet", index=False)
        elif file_format == "csv":
            frame.to_csv(root / f"{name}.csv", index=False)
        else:
            raise ValueError(f"file_format: {file_format!r} is not 'csv' or 'parquet'")
    return root


class _Gen:
    def __init__(self, seed: int, hazard_scale: float, scale_from: dt.date | None) -> None:
        t = SAMPLE_TRUTH
        self.t = t
        self.rng = np.random.default_rng(seed)
        self.end: dt.date = t["end"]
        self.start = add_months(self.end + dt.timedelta(days=1), -t["history_months"])
        self.hazard_scale, self.scale_from = hazard_scale, scale_from
        self.accounts: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.reps: list[dict[str, Any]] = []
        self.opps: list[dict[str, Any]] = []
        self.seats: dict[
            tuple[str, str | None], list[int]
        ] = {}  # role, segment -> rep rows (current holders)
        self.serial: dict[str, int] = {}

    # -- reps -------------------------------------------------------------------------------
    def new_rep(self, role: str, segment: str | None, hired: dt.date) -> int:
        key = f"{role}-{segment or 'all'}"
        self.serial[key] = self.serial.get(key, 0) + 1
        t = self.t
        quota = t["quota"][segment] if role == "ae" and segment else None
        rng = self.rng
        self.reps.append(
            {
                "rep_id": f"{key}-{self.serial[key]:02d}",
                "role": role,
                "segment": segment if segment else "",
                "hire_date": hired,
                "exit_date": None,
                "ote": round(t["ote"][role] * float(np.exp(rng.normal(0, 0.08))), -3),
                "base_share": t["base_share"][role],
                "quota": None
                if quota is None or rng.random() < 0.2
                else round(quota * float(np.exp(rng.normal(0, 0.1))), -3),
            }
        )
        return len(self.reps) - 1

    def rep_id(self, row: int) -> str:
        return str(self.reps[row]["rep_id"])

    def day(self, month: int) -> dt.date:
        first = add_months(self.start, month)
        days = (add_months(first, 1) - first).days
        return first + dt.timedelta(days=int(self.rng.integers(days)))

    def hazard(self, seg: str, r: int, when: dt.date) -> float:
        h = self.t["renewal_hazard"][seg]
        p = h[min(r, len(h) - 1)]
        if self.scale_from is None or when >= self.scale_from:
            p *= self.hazard_scale
        return min(1.0, p)

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> dict[str, pd.DataFrame]:
        t, rng = self.t, self.rng
        segs = t["segments"]
        for seg in segs:
            for role in ("ae", "csm"):
                self.seats[(role, seg)] = [
                    self.new_rep(
                        role, seg, self.start - dt.timedelta(days=int(rng.integers(30, 1500)))
                    )
                    for _ in range(t[f"{role}_headcount"][seg])
                ]
        self.seats[("sdr", None)] = [
            self.new_rep("sdr", None, self.start - dt.timedelta(days=int(rng.integers(30, 900))))
            for _ in range(t["sdr_headcount"])
        ]
        # The book at the history's start.
        live: list[dict[str, Any]] = []
        for seg in segs:
            h = t["renewal_hazard"][seg]
            surv = [1.0]
            for r in range(1, 12):
                surv.append(surv[-1] * (1 - h[min(r - 1, len(h) - 1)]))
            p = np.array(surv) / sum(surv)
            for _ in range(t["initial_accounts"][seg]):
                r = int(rng.choice(len(p), p=p))
                age = 12 * r + int(rng.integers(12))
                start = add_months(self.start, -age) + dt.timedelta(days=int(rng.integers(28)))
                start = min(start, self.start - dt.timedelta(days=1))
                arr = float(
                    np.exp(rng.normal(math.log(t["acv_median"][seg]), t["acv_log_sd"][seg]))
                )
                live.append(
                    self.open_account(
                        seg, start, round(arr * 1.08 ** (age / 12), 2), None, initial=True
                    )
                )
        pending: list[dict[str, Any]] = []  # opportunities not yet decided
        for m in range(t["history_months"]):
            month_start = add_months(self.start, m)
            month_end = add_months(self.start, m + 1) - dt.timedelta(days=1)
            # New-business opportunities.
            for seg in segs:
                for _ in range(rng.poisson(t["inbound_opportunities"][seg])):
                    pending.append(self.opportunity(seg, "inbound", None, m))
                for ae in self.seats[("ae", seg)]:
                    if self.reps[ae]["hire_date"] > month_start:
                        continue  # a replacement not yet started
                    for _ in range(rng.poisson(t["ae_prospecting"][seg])):
                        pending.append(self.opportunity(seg, "ae", ae, m))
            share = np.array([t["opportunity_share"][s] for s in segs])
            for sdr in self.seats[("sdr", None)]:
                if self.reps[sdr]["hire_date"] > month_start:
                    continue
                for _ in range(rng.poisson(t["opportunities_per_sdr"])):
                    seg = segs[int(rng.choice(len(segs), p=share / share.sum()))]
                    pending.append(self.opportunity(seg, "sdr", sdr, m))
            # CSQLs.
            for acc in live:
                seg = acc["segment"]
                if acc["csm"] is None or rng.random() >= t["csql_rate"][seg]:
                    continue
                pending.append(self.csql(acc, m))
            # Deals that close this month.
            still: list[dict[str, Any]] = []
            for o in pending:
                if o["close_date"] is None or o["close_date"] > month_end:
                    still.append(o)
                    continue
                if o["won"]:
                    if o["type"] == "new":
                        acc = self.open_account(
                            o["segment"], o["close_date"], o["amount"], o["owner"]
                        )
                        o["account_id"] = acc["account_id"]
                        live.append(acc)
                    else:
                        acc = o["account"]
                        if acc["arr"] > 0:
                            self.change(acc, o["close_date"], acc["arr"] + o["amount"], "expansion")
            pending = still
            # Renewals.
            kept: list[dict[str, Any]] = []
            for acc in live:
                months = (
                    (month_start.year - acc["start"].year) * 12
                    + month_start.month
                    - acc["start"].month
                )
                if months > 0 and months % 12 == 0:
                    when = add_months(acc["start"], months)
                    r = months // 12 - 1
                    if rng.random() < self.hazard(acc["segment"], r, when):
                        self.event(acc, when, "churn", acc["arr"], 0.0)
                        acc["arr"] = 0.0
                        continue
                    self.event(acc, when, "renewal", acc["arr"], acc["arr"])
                    g = (
                        float(
                            np.exp(
                                rng.normal(12 * t["usage_growth"][acc["segment"]], t["usage_noise"])
                            )
                        )
                        - 1
                    )
                    new = round(acc["arr"] * (1 + g), 2)
                    if new != acc["arr"]:
                        self.change(
                            acc, when, new, "expansion" if new > acc["arr"] else "contraction"
                        )
                kept.append(acc)
            live = kept
            # Attrition and backfill.
            for (role, seg), rows in self.seats.items():
                monthly = 1 - (1 - t["attrition"][role]) ** (1 / 12)
                for k, row in enumerate(rows):
                    if self.reps[row]["hire_date"] > month_end:
                        continue  # not started yet
                    if rng.random() < monthly:
                        self.reps[row]["exit_date"] = month_end
                        hired = add_months(month_end + dt.timedelta(days=1), t["backfill_months"])
                        if hired > self.end:
                            continue
                        new_row = self.new_rep(role, seg, hired)
                        rows[k] = new_row
                        field = {"ae": "ae", "csm": "csm"}.get(role)
                        if field:
                            for acc in self.accounts:
                                if acc[field] == row:
                                    acc[field] = new_row
                        for o in pending:
                            if o["owner"] == row:
                                o["owner"] = new_row
        for o in pending:  # still open at the history's end
            o["close_date"], o["won"] = None, None
        return self.frames()

    def open_account(
        self, seg: str, start: dt.date, arr: float, ae: int | None, initial: bool = False
    ) -> dict[str, Any]:
        t, rng = self.t, self.rng
        aes = self.seats[("ae", seg)]
        csms = self.seats[("csm", seg)]
        no_csm = seg == "smb" and rng.random() < t["no_csm_share"]
        acc = {
            "account_id": f"A{len(self.accounts) + 1:05d}",
            "segment": seg,
            "start": start,
            "arr": arr,
            "ae": ae if ae is not None else aes[int(rng.integers(len(aes)))],
            "csm": None if no_csm else csms[int(rng.integers(len(csms)))],
        }
        self.accounts.append(acc)
        if not initial:
            self.event(acc, start, "new", 0.0, arr)
        return acc

    def event(
        self, acc: dict[str, Any], when: dt.date, kind: str, before: float, after: float
    ) -> None:
        self.events.append(
            {
                "account_id": acc["account_id"],
                "date": when,
                "type": kind,
                "arr_before": before,
                "arr_after": after,
            }
        )

    def change(self, acc: dict[str, Any], when: dt.date, new: float, kind: str) -> None:
        new = round(new, 2)
        self.event(acc, when, kind, acc["arr"], new)
        acc["arr"] = new

    def opportunity(self, seg: str, source: str, by: int | None, m: int) -> dict[str, Any]:
        t, rng = self.t, self.rng
        aes = self.seats[("ae", seg)]
        owner = by if source == "ae" else aes[int(rng.integers(len(aes)))]
        created = self.day(m)
        days = float(
            np.exp(
                rng.normal(
                    math.log(_DAYS_PER_MONTH * t["sales_cycle_months"][seg]), t["cycle_log_sd"]
                )
            )
        )
        close = created + dt.timedelta(days=max(1, round(days)))
        o = {
            "opportunity_id": f"O{len(self.opps) + 1:06d}",
            "segment": seg,
            "type": "new",
            "source": source,
            "owner": owner,
            "sourced_by": by if source == "sdr" else None,
            "created_date": created,
            "close_date": close,
            "won": bool(rng.random() < t["win_rate"][seg][source]),
            "amount": round(
                float(np.exp(rng.normal(math.log(t["acv_median"][seg]), t["acv_log_sd"][seg]))), 2
            ),
            "account_id": None,
            "account": None,
        }
        self.opps.append(o)
        return o

    def csql(self, acc: dict[str, Any], m: int) -> dict[str, Any]:
        t, rng = self.t, self.rng
        seg = acc["segment"]
        created = self.day(m)
        accepted = rng.random() < t["handoff_acceptance"]
        days = float(np.exp(rng.normal(math.log(61.0), 0.3)))
        o = {
            "opportunity_id": f"O{len(self.opps) + 1:06d}",
            "segment": seg,
            "type": "expansion",
            "source": "csm",
            "owner": acc["ae"] if accepted else acc["csm"],
            "sourced_by": acc["csm"],
            "created_date": created,
            "close_date": created + dt.timedelta(days=round(days)) if accepted else created,
            "won": bool(accepted and rng.random() < t["expansion_win_rate"][seg]),
            "amount": round(t["upsell_fraction"][seg] * acc["arr"], 2),
            "account_id": acc["account_id"],
            "account": acc,
        }
        self.opps.append(o)
        return o

    def frames(self) -> dict[str, pd.DataFrame]:
        rng = self.rng
        rows = []
        for acc in self.accounts:
            products = (
                "core" if rng.random() < 0.7 else ("core;analytics" if rng.random() < 0.6 else "")
            )
            health = (
                "" if rng.random() < 0.3 else f"{float(np.clip(rng.normal(0.65, 0.15), 0, 1)):.2f}"
            )
            rows.append(
                {
                    "account_id": acc["account_id"],
                    "segment": acc["segment"],
                    "arr": acc["arr"],
                    "start_date": acc["start"].isoformat(),
                    "csm_id": "" if acc["csm"] is None else self.rep_id(acc["csm"]),
                    "ae_id": self.rep_id(acc["ae"]),
                    "products": products,
                    "health": health,
                }
            )
        accounts = pd.DataFrame(rows)
        events = pd.DataFrame(self.events).sort_values(["date", "account_id"], kind="stable")
        events["date"] = events["date"].map(dt.date.isoformat)
        reps = pd.DataFrame(self.reps)
        reps["hire_date"] = reps["hire_date"].map(dt.date.isoformat)
        reps["exit_date"] = reps["exit_date"].map(lambda d: "" if d is None else d.isoformat())
        reps["quota"] = reps["quota"].map(lambda q: "" if q is None else q)
        opp_rows = []
        for o in self.opps:
            opp_rows.append(
                {
                    "opportunity_id": o["opportunity_id"],
                    "account_id": o["account_id"] or "",
                    "type": o["type"],
                    "source": o["source"],
                    "owner_id": self.rep_id(o["owner"]),
                    "sourced_by_id": ""
                    if o["sourced_by"] is None
                    else self.rep_id(o["sourced_by"]),
                    "created_date": o["created_date"].isoformat(),
                    "close_date": "" if o["close_date"] is None else o["close_date"].isoformat(),
                    "won": "" if o["won"] is None else ("true" if o["won"] else "false"),
                    "amount": o["amount"],
                }
            )
        return {
            "accounts": accounts,
            "arr_events": events,
            "reps": reps,
            "opportunities": pd.DataFrame(opp_rows),
        }


def _generate(
    seed: int, hazard_scale: float, scale_from: dt.date | None
) -> dict[str, pd.DataFrame]:
    return _Gen(seed, hazard_scale, scale_from).run()
