"""Simulation results as tidy pandas tables.

A :class:`Result` keeps the engine's arrays (trial-major, integers in cents and counts,
pay in currency) and builds tables from them on demand:

- :meth:`Result.monthly` — company series per trial and month;
- :meth:`Result.cohorts` — annual NRR, GRR and logo churn per trial, year and segment;
- :meth:`Result.kpis` — company KPIs and comp cost per trial and year;
- :meth:`Result.reps` — each rep's KPI actuals, attainment and pay per trial and period;
- :meth:`Result.summary` — mean, standard error and percentiles of the KPIs;
- :meth:`Result.assumptions` — the values uncertain assumptions drew in each trial;
- :meth:`Result.variance_sources` — each KPI's variance split into assumption uncertainty
  and the world's own luck.

Years count from 1 everywhere, as the command line does: year 1 is months 0–11, year 2
months 12–23.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from complab import _core, people
from complab.display import Table
from complab.plans import Plan
from complab.scenario import Scenario, Workforce

CENTS = 100.0
_MONEY_SERIES = {
    "arr_start",
    "arr_end",
    "new_arr",
    "expansion_usage",
    "expansion_csql",
    "contraction",
    "churned_arr",
    "csql_value",
}
_METRICS = {m["name"]: m for m in _core.METRICS}
PERCENTILES = (5, 10, 50, 90, 95)
#: Cohort metrics available per segment as ``"<metric>:<segment>"`` (sweeps and
#: comparisons), e.g. ``"grr:smb"``.
COHORT_METRICS = ("nrr", "grr", "logo_churn")
#: The columns of :meth:`Result.kpis` after ``trial`` and ``year``.
KPI_COLUMNS = (
    "arr_start",
    "arr_end",
    "new_arr",
    "expansion_arr",
    "contraction_arr",
    "churned_arr",
    "nrr",
    "grr",
    "logo_churn",
    "new_logos",
    "csql_count",
    "csql_value",
    "handoff_acceptance",
    "expansion_win_rate",
    "existing_customer_share",
    "comp_ae",
    "comp_sdr",
    "comp_csm",
    "comp_total",
    "cost_of_sales",
)


def _ratio(num: np.ndarray, den: np.ndarray, empty: float) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, empty, dtype=float)
    np.divide(num, den, out=out, where=den > 0)
    return out


def own_terms_ratios(old: Any, new: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """How each seat's own quota and OTE scales move from core scenario `old` to `new`, per
    rep (new ÷ old), or None when none moves. A named rep's own OTE and quota are amounts,
    so its scales (own ÷ the plan's) move when new plans change its plan's OTE or first
    target (docs/model.md §9)."""
    old_q, old_o = (np.asarray(v, dtype=float) for v in _core.roster(old)[5:7])
    new_q, new_o = (np.asarray(v, dtype=float) for v in _core.roster(new)[5:7])
    if np.array_equal(old_q, new_q) and np.array_equal(old_o, new_o):
        return None
    return new_q / old_q, new_o / old_o


def named_at_period_end(
    core: Any, tenure: np.ndarray | None, periods: int, period_months: int
) -> np.ndarray:
    """[trials, reps, periods]: the seat-periods whose last month the seat's named rep holds
    (a rep leaving in that month still holds it); its stint runs from its start while its
    tenure goes up by one a month."""
    hired = np.asarray(_core.roster(core)[3])
    named = (hired != _core.HEADCOUNT_SEAT) & (hired != _core.HIRING_SEAT)
    if tenure is None:  # no people recorded: every seat held all along by its rep
        return np.broadcast_to(named[None, :, None], (1, len(hired), periods))
    trials, reps, months = tenure.shape
    out = np.zeros((trials, reps, periods), dtype=bool)
    month = np.arange(months)
    period_end = (np.arange(periods) + 1) * period_months - 1
    for r in np.flatnonzero(named):
        start = min(max(int(hired[r]), 0), months - 1)
        t = tenure[:, r, :].astype(np.int64)
        expected = t[:, start, None] + (month - start)[None, :]
        broken = (month[None, :] >= start) & ((t != expected) | (t < 0))
        first_break = np.where(broken.any(axis=1), broken.argmax(axis=1), months)  # [trials]
        out[:, r, :] = (period_end[None, :] < first_break[:, None]) & (period_end >= start)[None, :]
    return out


def scaled_terms(terms: Any, own: Any, ratios: tuple[np.ndarray, np.ndarray] | None) -> Any:
    """Pay terms (``rep_terms`` [trials, reps, periods, 2]) with their part on named reps'
    own terms (``rep_own_terms``, the same shape) times each rep's `ratios`
    (:func:`own_terms_ratios`): ``terms + own (ratio - 1)``. The terms themselves when
    `ratios` is None."""
    if ratios is None:
        return terms
    if terms is None or own is None:  # not recorded (a result saved by an older complab)
        raise ValueError(
            "repay: this result has no record of its named reps' own terms (rep_own_terms) "
            "and the new plans change them; use complab.simulate"
        )
    factor = np.stack(ratios, axis=-1)[None, :, None, :] - 1.0  # [1, reps, 1, 2]
    return terms + own * factor


def _seat_names(scenario: Scenario, roles: Any, segments: list[str], hired: Any) -> list[Any]:
    """Each seat's named rep (``world.workforce.roster``), None for a headcount or hiring
    seat: a group's named seats come first, in roster order, as the engine lays them out."""
    named: dict[tuple[str, str], list[str]] = {}
    for rep in scenario.world.workforce.roster:
        named.setdefault((rep.role, rep.segment), []).append(rep.name)
    taken: dict[tuple[str, str], int] = {}
    out: list[Any] = []
    for role, segment, h in zip(roles, segments, hired, strict=True):
        if h in (_core.HEADCOUNT_SEAT, _core.HIRING_SEAT):
            out.append(None)
            continue
        k = taken.get((role, segment), 0)
        taken[(role, segment)] = k + 1
        out.append(named[(role, segment)][k])
    return out


class Result:
    """The outcome of :func:`complab.simulate`: arrays plus the scenario and seed behind them."""

    def __init__(
        self,
        scenario: Scenario,
        seed: Any,
        first_trial: int,
        arrays: dict[str, np.ndarray],
        history: Scenario | None = None,
        trials_per_draw: int = 1,
    ):
        self.scenario = scenario
        #: Consecutive trials sharing one draw of the uncertain assumptions
        #: (:func:`complab.simulate`'s ``trials_per_draw``).
        self.trials_per_draw = trials_per_draw
        #: The scenario whose history built the book at month 0 (simulate's ``history``),
        #: or None for the scenario's own.
        self.history = history
        self.seed = seed
        self.first_trial = first_trial
        self.arrays = arrays
        from complab import __version__

        self.version = __version__
        roles, segments, plans, self._hired, self._group = _core.roster(scenario._to_core())[:5]
        names = scenario.world.segment_names()
        self.roster = pd.DataFrame(
            {
                "rep": np.arange(len(roles)),
                "role": roles,
                "segment": [names[s] if s >= 0 else "all" for s in segments],
                "name": _seat_names(
                    scenario, roles, [names[s] if s >= 0 else "any" for s in segments], self._hired
                ),
            }
        )
        #: Kept accounts' columns (simulate(..., keep_accounts=True)), else None.
        self.account_records: dict[str, np.ndarray] | None = None
        self._plan_index = list(plans)

    # -- shape -------------------------------------------------------------------------------
    @property
    def trials(self) -> int:
        """Number of trials held."""
        return int(self.arrays["monthly"].shape[0])

    @property
    def months(self) -> int:
        """Months simulated (``world.months``)."""
        return int(self.arrays["monthly"].shape[1])

    @property
    def periods(self) -> int:
        """Compensation periods paid (``months // period_months``)."""
        return int(self.arrays["rep_raw"].shape[2])

    @property
    def years(self) -> int:
        """Whole years simulated; the tables' years run from 1 to this."""
        return int(self.arrays["cohorts"].shape[1])

    def completed_trials(self) -> Result:
        """The trials up to the first one that did not finish (all of them unless the run
        was interrupted): a contiguous prefix, so the result says exactly what it holds —
        ``first_trial`` and ``trials`` — and :func:`complab.simulate` with those settings
        repeats it. Trials that finished after a gap are dropped."""
        done = self.arrays["completed"].astype(bool)
        if done.all():
            return self
        kept = int(np.argmin(done))  # the first unfinished trial
        out = Result.__new__(Result)
        out.__dict__.update(self.__dict__)
        out.arrays = {k: v[:kept] for k, v in self.arrays.items()}
        if self.account_records is not None:
            rows = self.account_records["trial"] < kept
            out.account_records = {k: v[rows] for k, v in self.account_records.items()}
        return out

    def save(self, path: Any) -> Any:
        """Write this result to a Parquet file: arrays, scenario, seed, first trial, trial
        count and complab version (:mod:`complab.io`); read it back with :func:`complab.load`.
        Returns the path written."""
        from complab.io import save_result

        return save_result(self, path)

    # -- simulate once, pay many plans (docs/model.md §7) ------------------------------------------
    def repay(self, plans: Scenario | Mapping[str, Any]) -> Result:
        """The same simulated world paid under other plans, without simulating it again.

        In fixed mode plans change who is paid what, not what customers do, so reps' KPI
        actuals are re-used and only the payroll runs: tens of curve evaluations per trial
        instead of tens of thousands of account-months. The result equals a full
        :func:`complab.simulate` of the new scenario with the same seed.

        Parameters
        ----------
        plans
            A scenario with the same world; or a mapping of plan keys to plans, which
            replace those plans and keep the others (``{"csm:smb": plan}``); or dotted-path
            edits of this scenario, as :meth:`Scenario.with_` takes them
            (``{"plans.csm:smb.ote": 100_000}``).

        Raises
        ------
        ValueError
            When the world differs, or the new plans change which segments share NRR
            between AE and CSM plans (that changes hand-off acceptance, so the world must
            be simulated again).
        """
        if isinstance(plans, Scenario):
            scenario = plans
        elif isinstance(plans, Mapping) and all(isinstance(p, Plan) for p in plans.values()):
            scenario = self.scenario.with_({f"plans.{key}": p for key, p in plans.items()})
        elif isinstance(plans, Mapping):
            scenario = self.scenario.with_(dict(plans))
        else:
            raise ValueError(f"plans: expected a Scenario or a mapping, got {type(plans).__name__}")
        if scenario.responsive:
            raise ValueError(
                "repay: in responsive mode plans change behaviour, so the world must be "
                "simulated again; use complab.simulate"
            )
        if scenario.world.workforce.pay_attrition.enabled:
            raise ValueError(
                "repay: with pay-linked attrition (world.workforce.pay_attrition) plans change "
                "who stays, so the world must be simulated again; use complab.simulate"
            )
        if scenario.world != self.scenario.world or scenario.uncertain != self.scenario.uncertain:
            raise ValueError(
                "repay: the scenario's world differs from the simulated one; "
                "use complab.simulate for a new world"
            )
        old, new = self.scenario._to_core(), scenario._to_core()
        for i, name in enumerate(scenario.world.segment_names()):
            if old.shared_nrr(i) != new.shared_nrr(i):
                raise ValueError(
                    f"repay: plans for segment '{name}' change whether AE and CSM share an NRR "
                    "measure, which changes hand-off acceptance; use complab.simulate"
                )
        rep_plan = list(_core.roster(new)[2])
        terms = self._terms_under(old, new)
        pay, measure_payout = _core.evaluate_payroll(
            new.plans,
            self.arrays["rep_raw"],
            self.arrays["first_renewal_churn"],
            rep_plan,
            scenario.world.period_months,
            terms,
            self.arrays.get("rep_tenure"),
        )
        arrays = dict(self.arrays, pay=pay, measure_payout=measure_payout)
        if terms is not None:
            arrays["rep_terms"] = terms  # named reps' scales against the new plans
        repaid = Result(
            scenario=scenario,
            seed=self.seed,
            first_trial=self.first_trial,
            arrays=arrays,
            history=self.history,
            trials_per_draw=self.trials_per_draw,
        )
        repaid.account_records = self.account_records  # the same world: the same accounts
        return repaid

    def _terms_under(self, old: Any, new: Any) -> Any:
        """This result's pay terms for paying under core scenario `new` (simulated under
        `old`): the months on named reps' own terms moved with their plans."""
        return scaled_terms(
            self.arrays.get("rep_terms"),
            self.arrays.get("rep_own_terms"),
            own_terms_ratios(old, new),
        )

    # -- tables ------------------------------------------------------------------------------
    def monthly(self) -> pd.DataFrame:
        """Company series per trial and month; money in currency units."""
        m = self.arrays["monthly"]
        t, months, _ = m.shape
        data: dict[str, Any] = {
            "trial": np.repeat(np.arange(t), months),
            "month": np.tile(np.arange(months), t),
        }
        for i, name in enumerate(_core.SERIES):
            col = m[:, :, i].reshape(-1)
            if name == "health_micros":
                data["mean_health"] = _ratio(col / 1e6, data["account_months"], np.nan)
            else:
                data[name] = col / CENTS if name in _MONEY_SERIES else col
        return pd.DataFrame(data)

    def cohorts(self) -> pd.DataFrame:
        """Annual cohort KPIs per trial, year (from 1) and segment (and ``"all"``).

        NRR is the ARR a year later of the accounts active at the year's start over their
        ARR then; GRR counts each account at most at its starting ARR (docs/model.md §6).
        """
        c = self.arrays["cohorts"].astype(np.int64)
        names = self.scenario.world.segment_names()
        full = np.concatenate([c, c.sum(axis=2, keepdims=True)], axis=2)
        seg_names = names + ["all"]
        t, y, s, _ = full.shape
        f = {name: full[..., i].reshape(-1) for i, name in enumerate(_core.COHORT_FIELDS)}
        return Table(
            {
                "trial": np.repeat(np.arange(t), y * s),
                "year": np.tile(np.repeat(np.arange(1, y + 1), s), t),
                "segment": np.tile(seg_names, t * y),
                "start_arr": f["start_arr"] / CENTS,
                "end_arr": f["end_arr"] / CENTS,
                "nrr": _ratio(f["end_arr"], f["start_arr"], np.nan),
                "grr": _ratio(f["kept_arr"], f["start_arr"], np.nan),
                "logo_churn": _ratio(f["churned_logos"], f["start_logos"], np.nan),
                "start_logos": f["start_logos"],
            }
        )

    def kpis(self) -> pd.DataFrame:
        """Company KPIs per trial and year (year 1 is months 0–11): ARR, flows, retention,
        CSQLs, comp cost."""
        m = self.arrays["monthly"].astype(np.int64)
        t, months, _ = m.shape
        years = self.years
        idx = {n: i for i, n in enumerate(_core.SERIES)}
        # Whole years only (a horizon may end mid-year, or before the first year ends).
        yearly = m[:, : years * 12].reshape(t, years, 12, m.shape[2]).sum(axis=2)

        def flow(name: str) -> np.ndarray:
            return yearly[..., idx[name]].astype(float)

        start = m[:, : years * 12 : 12, idx["arr_start"]].astype(float)
        end = m[:, 11 : years * 12 : 12, idx["arr_end"]].astype(float)
        cohort = self.arrays["cohorts"].sum(axis=2).astype(float)
        fields = {n: i for i, n in enumerate(_core.COHORT_FIELDS)}
        expansion = flow("expansion_usage") + flow("expansion_csql")
        new = flow("new_arr")
        data: dict[str, Any] = {
            "trial": np.repeat(np.arange(t), years),
            "year": np.tile(np.arange(1, years + 1), t),
            "arr_start": start.reshape(-1) / CENTS,
            "arr_end": end.reshape(-1) / CENTS,
            "new_arr": new.reshape(-1) / CENTS,
            "expansion_arr": expansion.reshape(-1) / CENTS,
            "contraction_arr": flow("contraction").reshape(-1) / CENTS,
            "churned_arr": flow("churned_arr").reshape(-1) / CENTS,
            "nrr": _ratio(
                cohort[..., fields["end_arr"]], cohort[..., fields["start_arr"]], np.nan
            ).reshape(-1),
            "grr": _ratio(
                cohort[..., fields["kept_arr"]], cohort[..., fields["start_arr"]], np.nan
            ).reshape(-1),
            "logo_churn": _ratio(
                cohort[..., fields["churned_logos"]], cohort[..., fields["start_logos"]], np.nan
            ).reshape(-1),
            "new_logos": flow("new_logos").reshape(-1),
            "csql_count": flow("csql_raised").reshape(-1),
            "csql_value": flow("csql_value").reshape(-1) / CENTS,
            "handoff_acceptance": _ratio(
                flow("handoffs_accepted"), flow("csql_raised"), np.nan
            ).reshape(-1),
            "expansion_win_rate": _ratio(
                flow("expansions_won"), flow("expansions_closed"), np.nan
            ).reshape(-1),
            "existing_customer_share": _ratio(
                flow("expansion_csql"), flow("expansion_csql") + new, np.nan
            ).reshape(-1),
        }
        comp = self._comp_by_year()
        total = np.zeros((t, years))
        for role in ("ae", "sdr", "csm"):
            data[f"comp_{role}"] = comp[role].reshape(-1)
            total += comp[role]
        data["comp_total"] = total.reshape(-1)
        # docs/model.md §6: comp over new plus expansion ARR (usage and CSQL).
        data["cost_of_sales"] = _ratio(total * CENTS, new + expansion, np.nan).reshape(-1)
        assert tuple(data)[2:] == KPI_COLUMNS
        return Table(data)

    def _comp_by_year(self) -> dict[str, np.ndarray]:
        pay = self.arrays["pay"][..., list(_core.PAY_FIELDS).index("earnings")]  # [t, r, p]
        per_year = 12 // self.scenario.world.period_months
        years = self.years
        t = pay.shape[0]
        roles = self.roster["role"].to_numpy()
        out = {}
        for role in ("ae", "sdr", "csm"):
            by_period = pay[:, roles == role, :].sum(axis=1)
            out[role] = by_period[:, : years * per_year].reshape(t, years, per_year).sum(axis=2)
        return out

    def reps(self) -> pd.DataFrame:
        """Each rep per trial and period: skill, KPI actuals of its role, and pay.

        Metric columns a role does not carry are NaN; pay columns are those of
        ``_core.PAY_FIELDS`` (base, variable, spif, clawback_*, earnings, true-up and draw
        fields, and ``quota_factor``, the quota ratchet's factor payroll applied: 1 without a
        ratchet). A row is a seat (docs/model.md §9): ``name`` is its named rep
        (``world.workforce.roster``) while that rep holds it at the period's last month, else
        None (a headcount or hiring seat, a backfill, a vacancy); ``tenure``, ``hired_month``
        and ``exit_month`` describe whoever held it at the period's last month (NaN when vacant
        then; ``exit_month`` NaN while that rep stays), and ``quota_scale`` and ``ote_scale``
        its volume targets and OTE as multiples of its plan's, as paid: ``quota_scale`` is the
        seat's terms times ``quota_factor`` (docs/model.md §7). Attainment of each plan
        measure, from these actuals and targets: :func:`complab.plots.attainments`.
        """
        raw = self.arrays["rep_raw"]
        t, r, p, _ = raw.shape
        n = t * r * p
        data: dict[str, Any] = {
            "trial": np.repeat(np.arange(t), r * p),
            "rep": np.tile(np.repeat(np.arange(r), p), t),
            "period": np.tile(np.arange(p), t * r),
        }
        roles = self.roster["role"].to_numpy()
        segs = self.roster["segment"].to_numpy()
        data["role"] = np.tile(np.repeat(roles, p), t)
        data["segment"] = np.tile(np.repeat(segs, p), t)
        data["name"] = self._names_held(t, p)
        data["skill"] = self.arrays["rep_period_skill"].reshape(-1)  # the rep at the period's end
        actuals = metric_actuals(raw)
        role_col = data["role"]
        for name, values in actuals.items():
            allowed = np.isin(role_col, _METRICS[name]["roles"])
            data[name] = np.where(allowed, values.reshape(-1), np.nan)
        data.update(people.rep_period_columns(self))
        pay = self.arrays["pay"].reshape(n, len(_core.PAY_FIELDS))
        for i, name in enumerate(_core.PAY_FIELDS):
            data[name] = pay[:, i]
        return pd.DataFrame(data)

    def _names_held(self, trials: int, periods: int) -> np.ndarray:
        """[trials * reps * periods]: the named rep holding each seat at the period's end."""
        names = self.roster["name"].to_numpy(dtype=object)
        out = np.full((trials, len(names), periods), None, dtype=object)
        if self.roster["name"].notna().any():
            held = named_at_period_end(
                self.scenario._to_core(),
                self.arrays.get("rep_tenure"),
                periods,
                self.scenario.world.period_months,
            )
            held = np.broadcast_to(held, out.shape)
            out[held] = np.broadcast_to(names[None, :, None], out.shape)[held]
        return out.reshape(-1)

    def headcount(self) -> pd.DataFrame:
        """The workforce per trial, month, role and segment (docs/model.md §9): seats
        ``held``, ``ramping`` (held by a rep below full productivity), ``vacant``; reps
        ``hired`` (started that month), ``left`` (at its end) and ``regretted`` (leavers
        above median skill); ``capacity`` in ramped-rep equivalents; and
        ``lost_opportunities`` routed to a vacant territory. SDRs' segment is ``all``."""
        return people.headcount(self)

    def annual_earnings(self) -> pd.DataFrame:
        """Each seat's pay per trial and whole year (``base`` and ``earnings`` summed over the
        year's periods); a horizon's last, partial year is left out. Columns: trial, rep, role,
        segment, year (from 1), base, earnings, the year's true-up recovery, draw top-ups and
        draw recovered (docs/model.md §7), ``ote`` (the OTE the seat carried that year: its
        plan's, times its rep's own, for the months it was held) and ``months_held``.

        With people (docs/model.md §9) a seat may be vacant or change hands during a year;
        figures "per rep" (``summary()``'s ``earnings_per_<role>``, the pay tables and
        charts) use the rows with ``months_held == 12``: full rep-years."""
        reps = self.reps()
        period = self.scenario.world.period_months
        reps["year"] = reps["period"] // (12 // period) + 1
        plan_ote = np.array(
            [
                self.scenario.plans[key].ote if key is not None else 0.0
                for key in self._plan_keys_by_rep()
            ]
        )
        t, r, _ = self.arrays["rep_tenure"].shape
        reps["ote"] = (
            np.tile(np.repeat(plan_ote, self.periods), t) * reps["ote_scale"] * period / 12
        )
        held = (self.arrays["rep_tenure"] >= 0).reshape(t, r, self.periods, period).sum(axis=3)
        reps["months_held"] = held.reshape(-1)
        reps = reps[reps["year"] <= self.years]
        keys = ["trial", "rep", "role", "segment", "year"]
        fields = [
            "base",
            "earnings",
            "true_up_recovery",
            "draw_top_up",
            "draw_recovered",
            "ote",
            "months_held",
        ]
        return Table(reps.groupby(keys, as_index=False)[fields].sum())

    def _plan_keys_by_rep(self) -> list[str | None]:
        """The key in ``scenario.plans`` of the plan that pays each seat (None: unpaid)."""
        keys = list(self.scenario.plans)
        return [keys[i] if i >= 0 else None for i in self._plan_index]

    def accounts(self) -> pd.DataFrame:
        """Every account that was a customer in each trial, as it ended the trial.

        Only when simulated with ``keep_accounts=True``. Columns: trial, entity (its random
        stream key), segment, opened (month won; -1 for the initial book), churned (month
        lost; -1 if still a customer), renewals passed, csm and ae (rep numbers, -1 for
        none), arr (final; 0 once churned), booked (ARR when won or at the start), health,
        products (bit k set: holds product k). Not written by :meth:`save`.
        """
        if self.account_records is None:
            raise ValueError(
                "accounts: this result kept no accounts; simulate with keep_accounts=True"
            )
        a = self.account_records
        names = np.array(self.scenario.world.segment_names())
        return pd.DataFrame(
            {
                "trial": a["trial"],
                "entity": a["entity"],
                "segment": names[a["segment"]],
                "opened": a["opened"],
                "churned": a["churned"],
                "renewals": a["renewals"],
                "csm": a["csm"],
                "ae": a["ae"],
                "arr": a["arr_cents"] / CENTS,
                "booked": a["booked_cents"] / CENTS,
                "health": a["health"],
                "products": a["products"],
            }
        )

    def effort(self) -> pd.DataFrame:
        """Behaviour per trial, rep and month (docs/model.md §8).

        ``primary`` is a CSM's adoption share or an AE's new-business share, ``secondary``
        the rest (expansion work, expansion follow-up), ``overpromise`` an AE's
        over-promising level and ``level`` the effort level (1 at nominal effort; above 1
        where variable pay buys more). In fixed mode every rep keeps the scenario's shares
        at level 1.
        """
        e = self.arrays["effort"]
        t, r = self.trials, len(self.roster)
        months = self.months
        if e.shape[2] == 0:  # fixed mode: the scenario's shares, every month
            eff = self.scenario.world.effort
            roles = self.roster["role"].to_numpy()
            primary = np.select(
                [roles == "csm", roles == "ae"], [eff.csm_adoption, eff.ae_new_business], 1.0
            )
            over = np.where(roles == "ae", eff.ae_overpromise, 0.0)
            level = np.ones_like(primary)
            e = np.broadcast_to(
                np.stack([primary, 1.0 - primary, over, level], axis=-1)[None, :, None, :],
                (t, r, months, len(_core.EFFORT_FIELDS)),
            )
        roles = self.roster["role"].to_numpy()
        segs = self.roster["segment"].to_numpy()
        data: dict[str, Any] = {
            "trial": np.repeat(np.arange(t), r * months),
            "rep": np.tile(np.repeat(np.arange(r), months), t),
            "month": np.tile(np.arange(months), t * r),
            "role": np.tile(np.repeat(roles, months), t),
            "segment": np.tile(np.repeat(segs, months), t),
        }
        flat = np.asarray(e, dtype=float).reshape(-1, len(_core.EFFORT_FIELDS))
        for i, name in enumerate(_core.EFFORT_FIELDS):
            data[name] = flat[:, i]
        return pd.DataFrame(data)

    def controllability(self) -> pd.DataFrame:
        """Share of each measure's payout variance explained by the rep's own skill and
        effort rather than luck (docs/model.md §7), per plan and measure.

        R-squared of a least-squares fit of the measure's payout per rep-period on log skill,
        the period's mean effort share and (AEs) mean over-promising, across trials and the
        plan's reps. Near 1: the rep controls the payout; near 0: it is mostly luck.
        """
        skill = np.log(self.arrays["rep_period_skill"])  # [t, r, p]: whoever held the seat
        effort = self.effort()
        per_period = self.scenario.world.period_months
        effort["period"] = effort["month"] // per_period
        eff = effort.groupby(["trial", "rep", "period"])[["primary", "overpromise"]].mean()
        payout = self.arrays["measure_payout"]  # [t, r, p, m]
        rows = []
        for key, plan in self.scenario.plans.items():
            role, _, segment = key.partition(":")
            reps = [
                i
                for i, (rl, sg) in enumerate(
                    zip(self.roster["role"], self.roster["segment"], strict=True)
                )
                if rl == role and self.scenario.plan_for(role, None if sg == "all" else sg) is plan
            ]
            if not reps:
                continue
            idx = pd.MultiIndex.from_product([range(self.trials), reps, range(self.periods)])
            e = eff.reindex(idx).to_numpy()
            x = np.column_stack(
                [
                    np.ones(len(idx)),
                    skill[:, reps].reshape(-1),
                    e,
                ]
            )
            for m, measure in enumerate(plan.measures):
                y = payout[:, reps][..., m].reshape(
                    -1
                )  # (a list and a scalar index would move axes)
                rows.append(
                    {
                        "plan": key,
                        "role": role,
                        "measure": measure.name,
                        "controllability": _r_squared(x, y),
                        "n": len(y),
                    }
                )
        return pd.DataFrame(rows)

    # -- display -------------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        from complab.display import result_html

        return result_html(self)

    def __repr__(self) -> str:
        return (
            f"<complab.Result: {self.trials:,} trials of {self.months} months, "
            f"{len(self.roster)} reps, seed {self.seed}>"
        )

    # -- statistics --------------------------------------------------------------------------
    def assumptions(self) -> pd.DataFrame:
        """The uncertain assumptions' drawn values, one row per trial: ``trial``, ``draw``
        (the draw index, shared by ``trials_per_draw`` consecutive trials) and one column
        per uncertain field (a list field: one column per entry, ``path[k]``). Recomputed
        from the seed, so a loaded result gives the same table. Empty of fields for a fixed
        scenario."""
        from complab import uncertainty
        from complab.engine import resolve_seed

        index = self.first_trial + np.arange(self.trials)
        draws = index // self.trials_per_draw
        data: dict[str, Any] = {"trial": np.arange(self.trials), "draw": draws}
        if self.scenario.uncertain:
            key, _ = resolve_seed(_seed_from_record(self.seed))
            for path, values in uncertainty.draw(self.scenario.uncertain, key, draws).items():
                if values.ndim == 1:
                    data[path] = values
                else:
                    for k in range(values.shape[1]):
                        data[f"{path}[{k}]"] = values[:, k]
        return Table(data)

    def variance_sources(
        self, kpis: str | list[str] | None = None, year: int | None = None
    ) -> pd.DataFrame:
        """Each KPI's variance across trials split into assumption uncertainty and the
        world's own luck, by the law of total variance (docs/model.md §11):
        ``Var Y = Var E[Y | θ] + E Var[Y | θ]``, θ the uncertain assumptions.

        Needs a run with ``trials_per_draw`` k >= 2 (:func:`complab.simulate`): with G
        complete draws, luck is the mean within-draw variance ``W`` (unbiased for
        ``E Var[Y | θ]``) and assumption uncertainty is the variance of the draws' means
        less ``W / k`` (unbiased for ``Var E[Y | θ]``; it can come out slightly negative
        when the assumptions matter little). Standard errors are delete-one-draw jackknife
        estimates over the G draws.

        Parameters
        ----------
        kpis
            Only these KPIs (names as in :meth:`Comparison.table`); None: all.
        year
            Only this year (from 1); None: every year.

        Returns
        -------
        pandas.DataFrame
            ``kpi``, ``year``, ``draws``, ``trials_per_draw``, ``total_var``,
            ``assumption_var``, ``assumption_se``, ``luck_var``, ``luck_se``,
            ``assumption_share`` (of the total) and ``assumption_share_se``.
        """
        from complab.compare import _kpi_arrays

        k = self.trials_per_draw
        if k < 2:
            raise ValueError(
                f"variance_sources: this result has trials_per_draw={k}; splitting variance "
                "needs several trials per draw of the assumptions: simulate with "
                "trials_per_draw=2 or more (e.g. 20)"
            )
        index = self.first_trial + np.arange(self.trials)
        draws = index // k
        complete = np.flatnonzero(np.bincount(draws - draws.min(), minlength=1) == k)
        rows_of = [np.flatnonzero(draws - draws.min() == g) for g in complete]
        if len(rows_of) < 3:
            raise ValueError(
                f"variance_sources: {len(rows_of)} complete draws of {k} trials; at least 3 "
                f"are needed (run at least {3 * k} trials)"
            )
        order = np.concatenate(rows_of)
        arrays = _kpi_arrays(self)
        wanted = None if kpis is None else ([kpis] if isinstance(kpis, str) else list(kpis))
        if wanted is not None:
            unknown = [w for w in wanted if w not in arrays]
            if unknown:
                raise ValueError(f"kpis: {unknown[0]!r} is not one of {', '.join(arrays)}")
        if year is not None and not (
            isinstance(year, (int, np.integer)) and 1 <= year <= self.years
        ):
            raise ValueError(f"year: {year!r} is not a year of this result (1 to {self.years})")
        rows = []
        for name, values in arrays.items():
            if wanted is not None and name not in wanted:
                continue
            for y in range(values.shape[1]):
                if year is not None and y + 1 != year:
                    continue
                grid = values[order, y].reshape(len(rows_of), k)
                grid = grid[np.isfinite(grid).all(axis=1)]
                rows.append({"kpi": name, "year": y + 1, **_split_variance(grid)})
        return Table(rows)

    def summary(self) -> pd.DataFrame:
        """Mean, standard error of the mean and percentiles of each KPI, by year (from 1).

        Also each role's annual earnings per rep (across reps and trials); with a workforce
        (docs/model.md §9), per role and year ``capacity_<role>`` (mean ramped-rep
        equivalents), ``leavers_<role>``, ``regretted_leavers_<role>``, ``hires_<role>``, and
        ``cost_of_ramp`` (pay to reps below full productivity) and ``cost_of_attrition`` (of
        which to reps who replaced leavers); and each plan
        measure's controllability (:meth:`controllability`, in ``mean``, ``year`` -1: the
        whole run).
        """
        k = self.kpis()
        rows = []
        for year, group in k.groupby("year"):
            for col in k.columns.drop(["trial", "year"]):
                rows.append(_describe(group[col].to_numpy(dtype=float), f"{col}", int(year)))
        earned = self.annual_earnings()
        earned = earned[earned["months_held"] == 12]  # full rep-years
        for (role, year), group in earned.groupby(["role", "year"]):
            rows.append(
                _describe(
                    group["earnings"].to_numpy(dtype=float), f"earnings_per_{role}", int(year)
                )
            )
        if self.scenario.world.workforce != Workforce():
            for name, year, values in people.workforce_summary(self):
                rows.append(_describe(values, name, year))
        for row in self.controllability().itertuples():
            rows.append(
                {
                    "kpi": f"controllability[{row.plan}.{row.measure}]",
                    "year": -1,
                    "n": row.n,
                    "mean": row.controllability,
                }
            )
        return Table(rows)


def _seed_from_record(record: Any) -> Any:
    """The seed :func:`complab.simulate` recorded, back in a form it takes."""
    if isinstance(record, Mapping):
        return np.random.SeedSequence(
            record["entropy"], spawn_key=tuple(record.get("spawn_key", ()))
        )
    return record


def _split_variance(grid: np.ndarray) -> dict[str, Any]:
    """Law-of-total-variance split of a [draws, trials per draw] grid, with delete-one-draw
    jackknife standard errors."""
    g, k = grid.shape
    nan = float("nan")
    out: dict[str, Any] = {"draws": g, "trials_per_draw": k}
    if g < 3:
        return {
            **out,
            "total_var": nan,
            "assumption_var": nan,
            "assumption_se": nan,
            "luck_var": nan,
            "luck_se": nan,
            "assumption_share": nan,
            "assumption_share_se": nan,
        }
    means = grid.mean(axis=1)
    within = grid.var(axis=1, ddof=1)
    luck = within.mean()
    assumption = means.var(ddof=1) - luck / k
    total = assumption + luck
    # Delete-one-draw estimates, in closed form.
    s1, s2 = means.sum(), (means**2).sum()
    m_i = (s1 - means) / (g - 1)
    var_i = (s2 - means**2 - (g - 1) * m_i**2) / (g - 2)
    luck_i = (within.sum() - within) / (g - 1)
    assumption_i = var_i - luck_i / k
    with np.errstate(divide="ignore", invalid="ignore"):
        share_i = assumption_i / (assumption_i + luck_i)
        share = assumption / total if total > 0 else nan

    def jackknife(values: np.ndarray) -> float:
        return float(np.sqrt((g - 1) / g * ((values - values.mean()) ** 2).sum()))

    return {
        **out,
        "total_var": float(total),
        "assumption_var": float(assumption),
        "assumption_se": jackknife(assumption_i),
        "luck_var": float(luck),
        "luck_se": jackknife(luck_i),
        "assumption_share": float(share),
        "assumption_share_se": jackknife(share_i) if np.isfinite(share_i).all() else nan,
    }


def metric_actuals(raw: np.ndarray) -> dict[str, np.ndarray]:
    """Every metric's actual value from raw rep accumulators (last axis: the raw slots),
    computed by the core's own metric definitions. Money in currency units."""
    values = _core.metric_actuals(np.ascontiguousarray(raw, dtype=np.int64))
    return {m["name"]: values[..., i] for i, m in enumerate(_core.METRICS)}


def _r_squared(x: np.ndarray, y: np.ndarray) -> float:
    """R-squared of a least-squares fit of y on the columns of x (x includes a constant)."""
    total = float(((y - y.mean()) ** 2).sum())
    if total == 0.0:
        return float("nan")
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    residual = float(((y - x @ coef) ** 2).sum())
    return max(0.0, 1.0 - residual / total)


def _describe(values: np.ndarray, name: str, year: int) -> dict[str, Any]:
    v = values[np.isfinite(values)]
    n = len(v)
    row: dict[str, Any] = {"kpi": name, "year": year, "n": n}
    row["mean"] = float(v.mean()) if n else np.nan
    row["se"] = float(v.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    for q in PERCENTILES:
        row[f"p{q}"] = float(np.percentile(v, q)) if n else np.nan
    return row
