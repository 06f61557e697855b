"""A NumPy implementation of the fixed-mode model (docs/model.md §3–§7), as an analyst would write it.

This is the baseline the engine is benchmarked against and checked against statistically:
the same equations on the same :class:`complab.Scenario` (every parameter is read from the
scenario object), vectorised over a batch of trials × accounts with a Python loop over
months, on NumPy's own ``Generator(SFC64)``. It draws different random numbers from the
engine but from the same distributions, so KPI means agree within their standard errors.
Nothing here calls the engine: the steady state (§4) and the churn normaliser (§5 step 5)
are computed below from the model's own equations.

Covered: the warm start (§4: the steady-state book — renewal-index mix from the hazards,
month in the contract year, gap, health at its age under its CSM's effort, ARR grown by
``G_s(a)`` — and the history of months ``-L … -1``: the pipeline and the hand-offs in flight
at month 0); new business from every source (SDRs, inbound marketing, AEs' prospecting) with
the AEs' capacity ``phi``; CSM attention ``f(lambda)`` and the push penalty on the expansion
emphasis; health, usage-priced ARR, hand-offs closing, CSQLs (upsell and cross-sell, pending
past the horizon), renewals with the hazard divided by ``Z_s[r]``; annual cohorts, per-rep
KPI accumulators and plan payouts (measures with their curves, targets prorated to the
period). Not covered: responsive behaviour (§8), plan gates, multipliers, SPIFs and
clawbacks — a scenario that uses them raises ``NotImplementedError`` rather than giving
different results.

Written as PERF-NOTES recommends: trials in batches (64 by default), per-account state as
``[batch, accounts]`` arrays, the dense draws (health and usage normals, the CSQL yes/no)
over the slots in use without masks (a churned account holds no ARR and no rates; churned
accounts are dropped between years) and the rare events (hand-offs closing, CSQLs raised,
renewals, deals) drawn only for the accounts they apply to. Money is whole cents, as in the
engine: int64 in the outputs, float64 in the account arrays (exact below 2^53 cents), so
ARR rolls forward exactly.

Usage::

    from numpy_reference import simulate_reference
    ref = simulate_reference(complab.presets.default(), trials=200, seed=1)
    ref.series["account_months"].sum()
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import complab

CONTRACT_MONTHS = 12
MIN_EFFORT = 1e-3  # effort floor, so ln(effort) stays finite (as in the engine)

# Raw per-rep accumulators and cohort fields: the engine's names and order (metrics.hpp), so
# the reference's arrays line up with the engine's; the model code below addresses them by name.
RAW_SLOTS = tuple(complab._core.RAW_SLOTS)
S = {name: i for i, name in enumerate(RAW_SLOTS)}

SERIES = (
    "arr_start",
    "arr_end",
    "new_arr",
    "expansion_usage",
    "expansion_csql",
    "contraction",
    "churned_arr",
    "new_logos",
    "churned_logos",
    "active_logos",
    "opportunities",
    "deals_closed",
    "csql_raised",
    "csql_value",
    "handoffs_accepted",
    "expansions_closed",
    "expansions_won",
    "renewals_due",
    "first_renewals_due",
    "first_renewal_churns",
    "account_months",
)
COHORT_FIELDS = tuple(complab._core.COHORT_FIELDS)


def to_cents(amount: np.ndarray) -> np.ndarray:
    """Round non-negative currency amounts to int64 cents (half up, as the engine)."""
    return np.floor(np.asarray(amount) * 100.0 + 0.5).astype(np.int64)


def clip01(x):
    return np.clip(x, 0.0, 1.0)


def metric_actual(metric: str, raw: np.ndarray) -> np.ndarray:
    """A metric's actual from raw accumulators (last axis: RAW_SLOTS); money in currency."""
    r = {name: raw[..., i].astype(float) for name, i in S.items()}

    def ratio(num: np.ndarray, den: np.ndarray, empty: float) -> np.ndarray:
        out = np.full(num.shape, empty)
        np.divide(num, den, out=out, where=den > 0)
        return out

    formulas = {
        "new_arr": lambda: r["new_arr"] / 100,
        "expansion_arr": lambda: r["expansion_arr"] / 100,
        "bookings": lambda: (r["new_arr"] + r["expansion_arr"]) / 100,
        "new_logos": lambda: r["new_logos"],
        "expansion_wins": lambda: r["expansion_wins"],
        "opportunities": lambda: r["opportunities"],
        "pipeline_created": lambda: r["pipeline"] / 100,
        "sourced_wins": lambda: r["sourced_wins"],
        "csql_count": lambda: r["csql_count"],
        "csql_pipeline": lambda: r["csql_pipeline"] / 100,
        "nrr": lambda: ratio(r["book_end_arr"], r["book_start_arr"], 1.0),
        "grr": lambda: ratio(r["book_kept_arr"], r["book_start_arr"], 1.0),
        "gross_churn": lambda: 1.0 - ratio(r["book_kept_arr"], r["book_start_arr"], 1.0),
        "logo_churn": lambda: ratio(r["book_churned_logos"], r["book_start_logos"], 0.0),
        "expand_rate": lambda: ratio(r["book_expanded_logos"], r["book_start_logos"], 0.0),
    }
    return formulas[metric]()


def curve_value(curve: complab.PayoutCurve, a: np.ndarray) -> np.ndarray:
    """Piecewise-linear payout multiple: 0 below the first point, flat beyond the last."""
    x, y = np.asarray(curve.attainment), np.asarray(curve.payout)
    return np.where(a < x[0], 0.0, np.interp(a, x, y))


def period_target(metric: str, target: float, stated_months: int | None, period: int) -> float:
    """A target stated for `stated_months` as it applies to a period of `period` months:
    sums, counts and rates scale with the period; NRR's and GRR's distance from 1 does."""
    if stated_months is None or stated_months == period:
        return target
    f = period / stated_months
    if metric == "nrr":
        return 1.0 + (target - 1.0) * f
    if metric == "grr":
        return 1.0 - (1.0 - target) * f
    return target * f


# -- the steady state (docs/model.md §4 and §5 step 5), in closed form ------------------------


def attention(ratio: np.ndarray, max_effort: float) -> np.ndarray:
    """A CSM's attention per account at coverage ratio `ratio`: F ratio / (F - 1 + ratio)."""
    return max_effort * ratio / (max_effort - 1.0 + ratio)


def nominal_shift(w: complab.World) -> float:
    """Health-target shift at nominal effort (f = 1, skill 1, l = 1, the fixed shares)."""
    e = w.effort
    emphasis = (1 - e.csm_adoption) / (1 - e.csm_adoption_ref)
    adoption = max(MIN_EFFORT, e.csm_adoption / e.csm_adoption_ref)
    return w.health_adoption_effect * np.log(adoption) - w.health_push_effect * max(
        0.0, emphasis - 1.0
    )


def health_path(w: complab.World, seg: complab.Segment, shift, sold_at: float, years: int):
    """Mean health of an account started at h0 at the start of each contract year y < `years`
    (age 12 y), and the year's target clip01(b + shift - theta_g sold_at gamma_g^y); within
    year y the mean moves to the target as mu <- target + (mu - target)(1 - kappa)^months.
    `shift` is a scalar or an array (one path per entry: a trailing axis of years)."""
    shift = np.asarray(shift, float)[..., None]
    gap = sold_at * w.gap_decay ** np.arange(years)
    target = clip01(seg.health_base + shift - w.health_gap_effect * gap)
    start = np.empty_like(target)
    h = np.full(shift.shape[:-1], float(seg.health_start))
    keep_year = (1.0 - seg.health_reversion) ** CONTRACT_MONTHS
    for y in range(years):
        start[..., y] = h
        h = target[..., y] + (h - target[..., y]) * keep_year
    return start, target


def mean_health(w: complab.World, seg: complab.Segment, shift: float, sold_at: float, age):
    """Mean health at `age` months (an array) on one path (`shift` a scalar)."""
    age = np.asarray(age)
    y = age // CONTRACT_MONTHS
    start, target = health_path(w, seg, shift, sold_at, int(y.max(initial=0)) + 1)
    months = age - CONTRACT_MONTHS * y
    return target[y] + (start[y] - target[y]) * (1.0 - seg.health_reversion) ** months


def health_variance(seg: complab.Segment, age) -> np.ndarray:
    """Variance of health at `age` months from the noise: sigma^2 (1 - (1-k)^2a) / (k (2-k))."""
    k, s2 = seg.health_reversion, seg.health_noise**2
    if k <= 0:
        return s2 * np.asarray(age, float)
    return s2 * (1 - (1 - k) ** (2.0 * np.asarray(age))) / (k * (2 - k))


def renewal_index_cdf(w: complab.World, seg: complab.Segment) -> np.ndarray:
    """Cumulative weights of renewal indices r < book_age_years, each prop. to prod_{j<r}(1-H_j)."""
    hazard = hazard_by_index(seg, w.book_age_years)
    weight = np.concatenate([[1.0], np.cumprod(1 - hazard[:-1])])
    return np.cumsum(weight) / weight.sum()


def hazard_by_index(seg: complab.Segment, n: int) -> np.ndarray:
    """H_s[min(r, last)] for r = 0 .. n-1."""
    h = np.asarray(seg.renewal_hazard, float)
    return h[np.minimum(np.arange(n), len(h) - 1)]


def growth_by_age(w: complab.World, seg: complab.Segment, acceptance: float, n: int) -> np.ndarray:
    """G_s(a), a = 0 .. n-1 (docs/model.md §4, as its formula states): the product over the
    months k < a of 1 + mu (h_k - 1/2) [usage-priced] + rho e h_k^gamma q
    min(1, x z_bar n_e h_k) u, at the mean health path under nominal effort, h_k the mean
    health in the account's k-th month (after that month's step 1).

    The formula's CSQL rate has no skill factor; the engine's has z_bar (mean skill), as the
    section's prose reads: up to 1% more initial ARR in enterprise (tests/python/
    test_numpy_reference.py)."""
    e = w.effort
    emphasis = (1 - e.csm_adoption) / (1 - e.csm_adoption_ref)
    follow_up = (1 - e.ae_new_business) / (1 - e.ae_new_business_ref)
    z_bar = np.exp(w.skill_log_sd**2 / 2)
    k = np.arange(n)
    # h_k: mean health in the account's month k (after that month's step), k = 0 .. n-1.
    h = mean_health(w, seg, nominal_shift(w), e.ae_overpromise, k + 1)
    drift = seg.usage_drift * (h - 0.5) if w.products[0].usage_priced else 0.0
    upsell = (
        seg.csql_rate
        * emphasis
        * h**w.csql_health_exponent
        * acceptance
        * np.minimum(1.0, seg.expansion_win_rate * z_bar * follow_up * h)
        * seg.upsell_fraction
    )
    return np.concatenate([[1.0], np.cumprod(1 + drift + upsell)[:-1]])


def churn_normaliser(w: complab.World, seg: complab.Segment, n: int) -> np.ndarray:
    """Z_s[r], r = 0 .. n-1: the steady-state book's mean churn modifier at its r-th renewal
    (age 12 (r+1)), health normal with mean mu_r and variance v_r + (theta_a c_r sigma_skill)^2."""
    r = np.arange(n)
    age = CONTRACT_MONTHS * (r + 1)
    o = w.effort.ae_overpromise
    mu = mean_health(w, seg, nominal_shift(w), o, age)
    reached = 1 - (1 - seg.health_reversion) ** age
    var = health_variance(seg, age) + (w.health_adoption_effect * reached * w.skill_log_sd) ** 2
    lam = w.churn_health_effect
    return np.exp(lam * (0.5 - mu) + 0.5 * lam**2 * var) * (
        1 + w.churn_gap_effect * o * w.gap_decay**r
    )


@dataclass
class ReferenceResult:
    """Arrays per trial, shaped like the engine's (money in cents unless named otherwise)."""

    series: dict[str, np.ndarray]  # name -> [trials, months]
    cohorts: np.ndarray  # [trials, years, segments, COHORT_FIELDS]
    rep_raw: np.ndarray  # [trials, reps, periods, RAW_SLOTS]
    variable_pay: np.ndarray  # [trials, reps, periods], currency
    roles: np.ndarray  # [reps]: "ae", "sdr", "csm"
    rep_segment: np.ndarray  # [reps]: segment index, -1 for SDRs

    @property
    def account_months(self) -> int:
        return int(self.series["account_months"].sum())


class _Roster:
    """Reps in the engine's order: AEs by segment, then SDRs, then CSMs by segment."""

    def __init__(self, world: complab.World):
        roles, segs = [], []
        for s, seg in enumerate(world.segments):
            roles += ["ae"] * seg.ae_headcount
            segs += [s] * seg.ae_headcount
        roles += ["sdr"] * world.sdr_headcount
        segs += [-1] * world.sdr_headcount
        for s, seg in enumerate(world.segments):
            roles += ["csm"] * seg.csm_headcount
            segs += [s] * seg.csm_headcount
        self.role = np.array(roles)
        self.segment = np.array(segs)
        self.size = len(roles)
        self.none = self.size  # an extra column stands for "no rep"
        nseg = len(world.segments)
        self.aes = [np.flatnonzero((self.role == "ae") & (self.segment == s)) for s in range(nseg)]
        self.csms = [
            np.flatnonzero((self.role == "csm") & (self.segment == s)) for s in range(nseg)
        ]
        self.all_aes = np.flatnonzero(self.role == "ae")
        self.all_csms = np.flatnonzero(self.role == "csm")
        self.sdrs = np.flatnonzero(self.role == "sdr")
        self.n_aes = np.array([len(x) for x in self.aes])
        self.first_ae = np.array([x[0] if len(x) else -1 for x in self.aes])
        # csm_of[s, r]: rep r is a CSM of segment s (for least-loaded assignment).
        self.csm_of = np.zeros((nseg, self.size + 1), dtype=bool)
        for s in range(nseg):
            self.csm_of[s, self.csms[s]] = True


# Per-account state. Each array is [batch, capacity]; slots past n_accounts are unused.
_STATE = {
    # name: (dtype, fill)
    "seg": (np.int64, 0),
    "csm": (np.int64, -1),  # -1: none
    "ae": (np.int64, -1),
    "csm_flat": (np.int64, 0),  # trial * (reps + 1) + CSM (the "no rep" column for none)
    "arr_fixed": (np.float64, 0.0),  # ARR in cents: whole numbers, exact in float64
    "arr_usage": (np.float64, 0.0),
    "health": (np.float64, 0.0),
    "gap": (np.float64, 0.0),
    "renewal_index": (np.int64, 0),
    "renewal_month": (np.int64, -1),  # the month of the next renewal
    "products": (np.int64, 0),
    "active": (bool, False),
    "exp_close": (np.int64, -1),  # close month of the pending hand-off, -1: none
    "exp_value": (np.int64, 0),
    "exp_product": (np.int64, -1),
    "exp_csm": (np.int64, -1),
    "period_start": (np.float64, -1.0),
    "period_csm": (np.int64, -1),
    "period_ae": (np.int64, -1),
    "expanded": (bool, False),
    "year_start": (np.float64, -1.0),
    # segment parameters copied at birth, so the month loop does no per-segment gathers
    "base": (np.float64, 0.0),
    "kappa": (np.float64, 0.0),
    "noise_h": (np.float64, 0.0),
    "drift": (np.float64, 0.0),
    "noise_u": (np.float64, 0.0),
    "rho": (np.float64, 0.0),  # 0 once churned: no CSQLs
}
_SEGMENT_PARAMS = {
    "base": "health_base",
    "kappa": "health_reversion",
    "noise_h": "health_noise",
    "drift": "usage_drift",
    "noise_u": "usage_noise",
    "rho": "csql_rate",
}


class _Model:
    """What a scenario fixes: per-segment parameters as arrays and the steady state."""

    def __init__(self, scenario: complab.Scenario, roster: _Roster):
        w = scenario.world
        self.w, self.roster = w, roster
        self.nseg = len(w.segments)

        def seg_array(attr: str, dtype=float) -> np.ndarray:
            return np.array([getattr(s, attr) for s in w.segments], dtype=dtype)

        self.seg_array = seg_array
        self.params = {k: seg_array(attr) for k, attr in _SEGMENT_PARAMS.items()}
        for name in (
            "acv_median",
            "acv_log_sd",
            "upsell_fraction",
            "expansion_win_rate",
            "win_rate",
            "health_start",
            "inbound_opportunities",
            "ae_prospecting",
            "ae_capacity",
            "csm_coverage",
        ):
            setattr(self, name, seg_array(name))
        self.sales_cycle = seg_array("sales_cycle_months", np.int64)
        self.log_median = np.log(self.acv_median)
        self.usage_priced = np.array([p.usage_priced for p in w.products])
        self.acv_scale = np.array([p.acv_scale for p in w.products])
        self.nprod = len(w.products)

        e = w.effort
        self.adoption_ratio = e.csm_adoption / e.csm_adoption_ref
        self.emphasis = (1 - e.csm_adoption) / (1 - e.csm_adoption_ref)
        self.new_business_ratio = e.ae_new_business / e.ae_new_business_ref
        self.follow_up_ratio = (1 - e.ae_new_business) / (1 - e.ae_new_business_ref)
        self.push = w.health_push_effect * max(0.0, self.emphasis - 1.0)

        def shared_nrr(seg: complab.Segment) -> bool:
            ae = scenario.plan_for("ae", seg.name)
            csm = scenario.plan_for("csm", seg.name)
            return ae is not None and csm is not None and ae.carries_nrr and csm.carries_nrr

        self.acceptance = np.minimum(
            1.0,
            [
                w.handoff_acceptance + (w.shared_nrr_acceptance_uplift if shared_nrr(s) else 0.0)
                for s in w.segments
            ],
        )
        shares = seg_array("opportunity_share")
        self.share_cdf = np.cumsum(shares / shares.sum()) if shares.sum() > 0 else None

        # The steady state per segment. Renewal indices reach at most book_age_years - 1 at
        # month 0, plus one a year; the hazard table covers them (the last entry repeats).
        self.max_index = w.book_age_years + w.months // CONTRACT_MONTHS + 1
        self.tenure_cdf = [renewal_index_cdf(w, s) for s in w.segments]
        self.growth = [
            growth_by_age(w, s, q, CONTRACT_MONTHS * w.book_age_years)
            for s, q in zip(w.segments, self.acceptance, strict=True)
        ]
        self.churn_base = np.array(
            [
                hazard_by_index(s, self.max_index + 1) / churn_normaliser(w, s, self.max_index + 1)
                for s in w.segments
            ]
        )
        self.longest_cycle = int(self.sales_cycle.max())
        # AEs' prospecting mean at skill 1 (fixed effort), per AE in roster order.
        self.ae_segment = roster.segment[roster.all_aes]
        self.prospect_rate = self.ae_prospecting[self.ae_segment] * self.new_business_ratio
        # Inbound leads of a segment without AEs are not created.
        self.inbound = np.where(roster.n_aes > 0, self.inbound_opportunities, 0.0)
        self.coverage = np.zeros(roster.size + 1)
        self.coverage[roster.all_csms] = self.csm_coverage[roster.segment[roster.all_csms]]


class _Batch:
    """One batch of trials: account state, rep skills, the pipeline and accumulators."""

    def __init__(self, model: _Model, trials: int, rng: np.random.Generator):
        self.m, self.w, self.roster, self.rng, self.B = model, model.w, model.roster, rng, trials
        w, roster = self.w, self.roster
        self.T, self.P = w.months, w.period_months
        self.periods, self.years = w.months // w.period_months, w.months // 12
        self.nseg, self.R1 = model.nseg, roster.size + 1
        self.rows = np.arange(trials)[:, None]

        self.skill = np.ones((trials, self.R1))
        if w.skill_log_sd > 0:
            self.skill[:, : roster.size] = rng.lognormal(0.0, w.skill_log_sd, (trials, roster.size))

        self.series = {name: np.zeros((trials, self.T), dtype=np.int64) for name in SERIES}
        self.cohorts = np.zeros((trials, self.years, self.nseg, len(COHORT_FIELDS)), dtype=np.int64)
        self.raw = np.zeros((trials, self.R1, self.periods, len(RAW_SLOTS)), dtype=np.int64)
        # Deals by close month (those closing past the horizon are only counted in `open`).
        self.pipeline: list[list[dict[str, np.ndarray]]] = [[] for _ in range(self.T)]
        self.open = np.zeros((trials, self.R1), dtype=np.int64)  # per AE: undecided deals
        self.n_accounts = np.zeros(trials, dtype=np.int64)
        self.cap = 0
        self.a: dict[str, np.ndarray] = {}

    # -- helpers ----------------------------------------------------------------------------
    def _resize(self, capacity: int, keep: np.ndarray | None = None) -> None:
        """Grow the account arrays to `capacity`, or (with `keep`, [B, capacity] column
        indices per trial) keep only those accounts."""
        for name, (dtype, fill) in _STATE.items():
            old = self.a.get(name)
            if keep is not None:
                self.a[name] = np.take_along_axis(old, keep, axis=1)
                continue
            new = np.full((self.B, capacity), fill, dtype=dtype)
            if old is not None:
                new[:, : old.shape[1]] = old
            self.a[name] = new
        self.cap = capacity

    def per_rep(
        self, mask: np.ndarray, rep: np.ndarray, weights: np.ndarray | None = None
    ) -> np.ndarray:
        """Sum of `weights` (or counts) over the masked accounts, per trial and rep: [B, R1].

        Accounts outside the mask, or with no rep, land in the spare "no rep" column."""
        rep = np.where(mask & (rep >= 0), rep, self.roster.none)
        idx = (self.rows * self.R1 + rep).ravel()
        w = None if weights is None else weights.ravel().astype(float)
        return (
            np.rint(np.bincount(idx, w, minlength=self.B * self.R1))
            .astype(np.int64)
            .reshape(self.B, self.R1)
        )

    def by_rep(self, b: np.ndarray, rep: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
        """Sum of `weights` (or counts) over listed items, per trial and rep (-1: no rep)."""
        rep = np.where(rep >= 0, rep, self.roster.none)
        w = None if weights is None else weights.astype(float)
        out = np.bincount(b * self.R1 + rep, w, minlength=self.B * self.R1)
        return np.rint(out).astype(np.int64).reshape(self.B, self.R1)

    def by_trial(self, b: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else weights.astype(float)
        return np.rint(np.bincount(b, w, minlength=self.B)).astype(np.int64)

    def add_accounts(self, b: np.ndarray, values: dict[str, np.ndarray]) -> None:
        """Append accounts to trials `b` (in order)."""
        order = np.argsort(b, kind="stable")
        b_sorted = b[order]
        rank = np.empty_like(b)
        rank[order] = np.arange(len(b)) - np.searchsorted(b_sorted, b_sorted, side="left")
        pos = self.n_accounts[b] + rank
        need = int(pos.max()) + 1 if len(b) else 0
        if need > self.cap:
            self._resize(max(need, self.cap * 5 // 4 + 16))
        at = b * self.cap + pos
        for name, (_, fill) in _STATE.items():  # a slot may hold a churned account
            self.at(name)[at] = values.get(name, fill)
        self.n_accounts += np.bincount(b, minlength=self.B)

    def compact(self) -> None:
        """Drop churned accounts (between cohorts, when no cohort needs them)."""
        active = self.a["active"]
        n = active.sum(axis=1)
        keep = np.argsort(~active, axis=1, kind="stable")[:, : int(n.max())]
        self._resize(keep.shape[1], keep)
        self.n_accounts = n

    def segment_values(self, seg: np.ndarray) -> dict[str, np.ndarray]:
        out = {k: v[seg] for k, v in self.m.params.items()}
        out["seg"] = seg
        return out

    def csm_effort(self) -> tuple[np.ndarray, np.ndarray]:
        """Per CSM ([B, R1]) from its book at the month's start (§3): the health-target shift
        theta_a ln E_a - push, and the expansion effort E_e; the "no rep" column is for
        accounts without a CSM (E_a = 10^-3, no CSQLs)."""
        m, w = self.m, self.w
        lam = m.coverage / np.maximum(1, self.load)
        att = self.skill * attention(lam, w.csm_max_effort)  # z l f(lambda), l = 1
        shift = (
            w.health_adoption_effect * np.log(np.maximum(MIN_EFFORT, m.adoption_ratio * att))
            - m.push
        )
        e_expand = m.emphasis * att
        shift[:, self.roster.none] = w.health_adoption_effect * np.log(MIN_EFFORT)
        e_expand[:, self.roster.none] = 0.0
        return shift, e_expand

    # -- the warm start (§4) ------------------------------------------------------------------
    def initial_book(self) -> None:
        rng, w, m, roster, B = self.rng, self.w, self.m, self.roster, self.B
        n_total = sum(s.initial_accounts for s in w.segments)
        self._resize(n_total * 5 // 4 + 64)
        a, start, aged = self.a, 0, []
        for s, seg in enumerate(w.segments):
            n = seg.initial_accounts
            if n == 0:
                continue
            cols = slice(start, start + n)
            start += n
            i = np.arange(n)
            csms, aes = roster.csms[s], roster.aes[s]
            a["csm"][:, cols] = csms[i % len(csms)] if len(csms) else -1
            a["ae"][:, cols] = aes[i % len(aes)] if len(aes) else -1
            cdf = m.tenure_cdf[s]
            r = np.searchsorted(cdf[:-1], rng.random((B, n)), side="right")
            month_in_year = np.minimum(CONTRACT_MONTHS - 1, (rng.random((B, n)) * 12).astype(int))
            age = CONTRACT_MONTHS * r + month_in_year
            acv = rng.lognormal(m.log_median[s], seg.acv_log_sd, (B, n)) * m.acv_scale[0]
            arr = to_cents(acv * m.growth[s][age])
            a["arr_usage" if m.usage_priced[0] else "arr_fixed"][:, cols] = arr
            sold_at = w.effort.ae_overpromise if len(aes) else 0.0
            a["gap"][:, cols] = sold_at * w.gap_decay**r
            a["renewal_index"][:, cols] = r
            a["renewal_month"][:, cols] = CONTRACT_MONTHS - 1 - month_in_year
            a["seg"][:, cols] = s
            aged.append((seg, cols, age, sold_at))  # health needs the CSMs' effort first
        a["products"][:, :n_total] = 1
        a["active"][:, :n_total] = True
        for k, v in m.params.items():
            a[k][:, :n_total] = v[a["seg"][0, :n_total]]
        self.n_accounts[:] = n_total
        a["csm_flat"] = self.rows * self.R1 + np.where(a["csm"] < 0, roster.none, a["csm"])
        self.load = self.per_rep(a["active"], a["csm"])  # per CSM: its active accounts

        # Health at each account's age under its CSM's effort with the book at month 0.
        shift, self._e_expand0 = self.csm_effort()
        for seg, cols, age, sold_at in aged:
            # One mean-health path per trial and CSM, read at each account's age.
            start, target = health_path(w, seg, shift, sold_at, w.book_age_years)
            y = age // CONTRACT_MONTHS
            at = a["csm_flat"][:, cols] * w.book_age_years + y
            st, tg = start.reshape(-1)[at], target.reshape(-1)[at]
            months = age - CONTRACT_MONTHS * y
            mean = tg + (st - tg) * (1.0 - seg.health_reversion) ** months
            sd = np.sqrt(health_variance(seg, age))
            a["health"][:, cols] = clip01(mean + sd * rng.standard_normal(mean.shape))

    def history(self) -> None:
        """Months -L .. -1: the pipeline in flight and the pending hand-offs at month 0."""
        for t in range(-self.m.longest_cycle, 0):
            self.create_opportunities(t)
        a, w = self.a, self.w
        h_gamma = a["health"] ** w.csql_health_exponent
        p_csql = a["rho"] * self._e_expand0.ravel()[a["csm_flat"]] * h_gamma
        for t in range(-max(1, w.expansion_cycle_months), 0):
            f = np.flatnonzero((a["exp_close"] < 0) & (p_csql > 0))
            f = f[self.rng.random(len(f)) < p_csql.ravel()[f]]
            if len(f):
                self.raise_csqls(t, f)

    # -- one month (§5) -------------------------------------------------------------------------
    def create_opportunities(self, t: int) -> None:
        """Every source's opportunities of month t; before month 0 nothing is credited."""
        rng, w, m, roster, B = self.rng, self.w, self.m, self.roster, self.B
        parts = []  # (trial, sdr, segment or -1, ae or -1)
        sdrs = roster.sdrs
        if len(sdrs) and w.opportunities_per_sdr > 0:
            counts = rng.poisson(w.opportunities_per_sdr * self.skill[:, sdrs]).ravel()
            n = int(counts.sum())
            parts.append(
                (
                    np.repeat(np.repeat(np.arange(B), len(sdrs)), counts),
                    np.repeat(np.tile(sdrs, B), counts),
                    np.full(n, -1),
                    np.full(n, -1),
                )
            )
        if m.inbound.any():
            counts = rng.poisson(m.inbound, (B, self.nseg)).ravel()
            n = int(counts.sum())
            parts.append(
                (
                    np.repeat(np.repeat(np.arange(B), self.nseg), counts),
                    np.full(n, -1),
                    np.repeat(np.tile(np.arange(self.nseg), B), counts),
                    np.full(n, -1),
                )
            )
        if m.prospect_rate.any():
            aes = roster.all_aes
            counts = rng.poisson(m.prospect_rate * self.skill[:, aes]).ravel()
            ae = np.repeat(np.tile(aes, B), counts)
            parts.append(
                (
                    np.repeat(np.repeat(np.arange(B), len(aes)), counts),
                    np.full(len(ae), -1),
                    roster.segment[ae],
                    ae,
                )
            )
        if not parts:
            return
        b, sdr, seg, ae = (np.concatenate(x) for x in zip(*parts, strict=True))
        pick = seg < 0  # SDR-sourced: the segment by opportunity_share
        if pick.any():
            seg[pick] = np.minimum(
                np.searchsorted(m.share_cdf, rng.random(int(pick.sum())), side="right"),
                self.nseg - 1,
            )
        pick = ae < 0  # an AE of the segment, uniformly
        n_aes = roster.n_aes[seg[pick]]
        if np.any(n_aes == 0):
            raise NotImplementedError("an SDR opportunity in a segment without AEs")
        ae[pick] = roster.first_ae[seg[pick]] + np.minimum(
            (rng.random(int(pick.sum())) * n_aes).astype(np.int64), n_aes - 1
        )
        value = to_cents(rng.lognormal(m.log_median[seg], m.acv_log_sd[seg]) * m.acv_scale[0])
        if t >= 0:
            p = t // self.P
            self.raw[:, :, p, S["opportunities"]] += self.by_rep(b, sdr, None)
            self.raw[:, :, p, S["pipeline"]] += self.by_rep(b, sdr, value)
            self.series["opportunities"][:, t] += self.by_trial(b)
        close = t + m.sales_cycle[seg]
        live = close >= 0  # in flight at month 0 (history) or later
        self.open += self.by_rep(b[live], ae[live], None)
        for c in np.unique(close[live & (close < self.T)]):
            k = close == c
            self.pipeline[c].append(dict(b=b[k], sdr=sdr[k], seg=seg[k], ae=ae[k], value=value[k]))

    def new_business(self, t: int, p: int) -> dict[str, np.ndarray]:
        """§5, new business: capacity at the month's start, this month's opportunities, then
        the deals reaching their close month are decided."""
        m, w = self.m, self.w
        k_seg = np.zeros(self.R1)
        k_seg[self.roster.all_aes] = m.ae_capacity[m.ae_segment]
        phi = np.where(self.open > k_seg, k_seg / np.maximum(self.open, 1), 1.0)
        self.create_opportunities(t)
        deals = self.pipeline[t]
        if not deals:
            return {}
        d = {k: np.concatenate([x[k] for x in deals]) for k in deals[0]}
        self.pipeline[t] = []
        self.series["deals_closed"][:, t] += self.by_trial(d["b"])
        self.open -= self.by_rep(d["b"], d["ae"], None)
        p_win = np.minimum(
            1.0,
            m.win_rate[d["seg"]]
            * self.skill[d["b"], d["ae"]]
            * m.new_business_ratio
            * (1 + w.overpromise_win_uplift * w.effort.ae_overpromise)
            * phi[d["b"], d["ae"]],
        )
        won = self.rng.random(len(d["b"])) < p_win
        d = {k: v[won] for k, v in d.items()}
        self.raw[:, :, p, S["new_arr"]] += self.by_rep(d["b"], d["ae"], d["value"])
        self.raw[:, :, p, S["new_logos"]] += self.by_rep(d["b"], d["ae"], None)
        self.raw[:, :, p, S["sourced_wins"]] += self.by_rep(d["b"], d["sdr"], None)
        self.series["new_arr"][:, t] += self.by_trial(d["b"], d["value"])
        self.series["new_logos"][:, t] += self.by_trial(d["b"])
        return d

    def step(self, t: int) -> None:
        ser = self.series
        p = t // self.P
        if t > 0 and t % CONTRACT_MONTHS == 0 and t % self.P == 0:
            self.compact()  # no cohort spans this month's start: drop the churned accounts
        a = self.a
        self.open_cohorts(t)
        # The dense steps run over the slots in use, views of the first `hi` columns, without
        # a mask: churned accounts and unused slots hold no ARR, no renewal, no hand-off and
        # no CSQL rate.
        hi = int(self.n_accounts.max())
        v = {name: a[name][:, :hi] for name in _STATE}
        ser["arr_start"][:, t] = v["arr_fixed"].sum(axis=1) + v["arr_usage"].sum(axis=1)
        ser["account_months"][:, t] = v["active"].sum(axis=1)
        won = self.new_business(t, p)
        self.account_pass(t, p, hi, v)

        # New accounts join after the month's account updates.
        if won and len(won["b"]):
            self.join(won, t, p)
        hi = int(self.n_accounts.max())
        arr = a["arr_fixed"][:, :hi].sum(axis=1) + a["arr_usage"][:, :hi].sum(axis=1)
        ser["arr_end"][:, t] = arr
        ser["active_logos"][:, t] = a["active"][:, :hi].sum(axis=1)
        self.close_cohorts(t)

    def account_pass(self, t: int, p: int, hi: int, v: dict[str, np.ndarray]) -> None:
        """Steps 1-5 for every account: dense health, usage and CSQL draws over the slots
        in use (`v`: views of their first `hi` columns), then the rare events."""
        rng, w, ser = self.rng, self.w, self.series
        shift, e_expand = self.csm_effort()
        csm_flat = v["csm_flat"]
        z_health, z_usage = rng.standard_normal((2, self.B, hi))

        def slots(mask: np.ndarray) -> np.ndarray:
            """Flat slot indices (trial * capacity + slot) where `mask` ([B, hi]) holds."""
            f = np.flatnonzero(mask)
            return f // hi * self.cap + f % hi

        # 1. Health.
        h = v["health"]
        target = shift.ravel()[csm_flat]
        target += v["base"]
        target -= w.health_gap_effect * v["gap"]
        np.clip(target, 0.0, 1.0, out=target)
        target -= h
        target *= v["kappa"]
        h += target
        z_health *= v["noise_h"]
        h += z_health
        np.clip(h, 0.0, 1.0, out=h)

        # 2. Usage-priced ARR follows health (whole cents, rounded half up).
        factor = h - 0.5
        factor *= v["drift"]
        factor += 1.0
        z_usage *= v["noise_u"]
        factor += z_usage
        np.maximum(factor, 0.0, out=factor)
        before = v["arr_usage"]
        after = before * factor
        after += 0.5
        np.floor(after, out=after)
        delta = after - before
        before[...] = after
        ser["expansion_usage"][:, t] += np.maximum(delta, 0.0).sum(axis=1).astype(np.int64)
        ser["contraction"][:, t] -= np.minimum(delta, 0.0).sum(axis=1).astype(np.int64)

        # 3. Accepted hand-offs reaching their close month.
        f = slots(v["exp_close"] == t)
        if len(f):
            self.close_handoffs(t, p, f)

        # 4. CSQLs: raised by the CSM when no hand-off is pending.
        gamma = w.csql_health_exponent
        p_csql = e_expand.ravel()[csm_flat]
        p_csql *= v["rho"]
        p_csql *= h if gamma == 1.0 else h**gamma
        f = slots(rng.random((self.B, hi)) < p_csql)
        f = f[self.at("exp_close")[f] < 0]
        if len(f):
            self.raise_csqls(t, f)

        # 5. Renewals.
        f = slots(v["renewal_month"] == t)
        if len(f):
            self.renew(t, f)

    def at(self, name: str) -> np.ndarray:
        """Account field `name` as a flat view, for flat slot indices (trial * capacity + slot)."""
        return self.a[name].reshape(-1)

    def close_handoffs(self, t: int, p: int, f: np.ndarray) -> None:
        """Step 3 for the accounts at flat slots `f`, whose hand-off closes this month."""
        m, ser, at = self.m, self.series, self.at
        b = f // self.cap
        ser["expansions_closed"][:, t] += self.by_trial(b)
        ae = at("ae")[f]
        p_win = np.minimum(
            1.0,
            m.expansion_win_rate[at("seg")[f]]
            * self.skill[b, ae]
            * m.follow_up_ratio
            * at("health")[f],
        )
        at("exp_close")[f] = -1
        win = self.rng.random(len(f)) < p_win
        f, b, ae = f[win], b[win], ae[win]
        value, product = at("exp_value")[f], at("exp_product")[f]
        to_usage = m.usage_priced[np.maximum(product, 0)]  # an upsell follows product 0
        at("arr_usage")[f[to_usage]] += value[to_usage]
        at("arr_fixed")[f[~to_usage]] += value[~to_usage]
        cross = product >= 0
        at("products")[f[cross]] |= 1 << product[cross]
        ser["expansion_csql"][:, t] += self.by_trial(b, value)
        ser["expansions_won"][:, t] += self.by_trial(b)
        for rep in (ae, at("exp_csm")[f]):
            self.raw[:, :, p, S["expansion_arr"]] += self.by_rep(b, rep, value)
            self.raw[:, :, p, S["expansion_wins"]] += self.by_rep(b, rep, None)
        at("expanded")[f] = True

    def raise_csqls(self, t: int, f: np.ndarray) -> None:
        """Step 4 for the accounts at flat slots `f`, whose CSM raises a CSQL in month t
        (before month 0: the history, nothing credited)."""
        rng, w, m, ser, at = self.rng, self.w, self.m, self.series, self.at
        n, b = len(f), f // self.cap
        u_kind, u_product, u_accept = rng.random(n), rng.random(n), rng.random(n)
        held_bits = (at("products")[f][:, None] >> np.arange(m.nprod)) & 1
        missing = m.nprod - held_bits.sum(axis=1)
        cross = (missing > 0) & (u_kind < w.cross_sell_probability)
        # Cross-sell the k-th product the account does not hold.
        k = np.minimum(missing - 1, (u_product * missing).astype(np.int64))
        rank_missing = np.cumsum(1 - held_bits, axis=1) - 1
        chosen = np.argmax((held_bits == 0) & (rank_missing == k[:, None]), axis=1)
        product = np.where(cross, chosen, -1)
        seg = at("seg")[f]
        arr = at("arr_fixed")[f] + at("arr_usage")[f]
        value = np.where(
            cross,
            to_cents(m.acv_median[seg] * m.acv_scale[np.maximum(product, 0)]),
            to_cents(m.upsell_fraction[seg] * arr / 100),
        )
        csm = at("csm")[f]
        accepted = (at("ae")[f] >= 0) & (u_accept < m.acceptance[seg])
        if t >= 0:
            p = t // self.P
            self.raw[:, :, p, S["csql_count"]] += self.by_rep(b, csm, None)
            self.raw[:, :, p, S["csql_pipeline"]] += self.by_rep(b, csm, value)
            ser["csql_raised"][:, t] += self.by_trial(b)
            ser["csql_value"][:, t] += self.by_trial(b, value)
            ser["handoffs_accepted"][:, t] += self.by_trial(b[accepted])
        # Closing this month is handled next month; past the horizon it stays pending.
        when = max(t + w.expansion_cycle_months, t + 1)
        if when < 0:
            return  # decided before month 0
        f = f[accepted]
        at("exp_close")[f] = when
        at("exp_value")[f] = value[accepted]
        at("exp_product")[f] = product[accepted]
        at("exp_csm")[f] = csm[accepted]

    def renew(self, t: int, f: np.ndarray) -> None:
        """Step 5 for the accounts at flat slots `f`, whose renewal is due this month."""
        w, ser, at = self.w, self.series, self.at
        b = f // self.cap
        r = at("renewal_index")[f]
        base = self.m.churn_base[at("seg")[f], np.minimum(r, self.m.max_index)]
        p_churn = clip01(
            base
            * np.exp(w.churn_health_effect * (0.5 - at("health")[f]))
            * (1 + w.churn_gap_effect * at("gap")[f])
        )
        ser["renewals_due"][:, t] += self.by_trial(b)
        ser["first_renewals_due"][:, t] += self.by_trial(b[r == 0])
        churn = self.rng.random(len(f)) < p_churn
        fc, bc = f[churn], b[churn]
        lost = at("arr_fixed")[fc] + at("arr_usage")[fc]
        ser["churned_arr"][:, t] += self.by_trial(bc, lost)
        ser["churned_logos"][:, t] += self.by_trial(bc)
        ser["first_renewal_churns"][:, t] += self.by_trial(bc[r[churn] == 0])
        for name, gone in (
            ("arr_fixed", 0.0),
            ("arr_usage", 0.0),
            ("active", False),
            ("exp_close", -1),
            ("renewal_month", -1),
            ("rho", 0.0),
        ):
            at(name)[fc] = gone
        np.subtract.at(self.load, (bc, at("csm")[fc]), 1)  # -1 lands in "no rep"
        fk = f[~churn]
        at("renewal_index")[fk] += 1
        at("gap")[fk] *= w.gap_decay
        at("renewal_month")[fk] = t + CONTRACT_MONTHS

    def join(self, won: dict[str, np.ndarray], t: int, p: int) -> None:
        """Won deals become accounts; each goes to its segment's least-loaded CSM."""
        w, m = self.w, self.m
        order = np.argsort(won["b"], kind="stable")
        won = {k: v[order] for k, v in won.items()}
        b, seg = won["b"], won["seg"]
        csm = np.full(len(b), -1)
        for s, csms in enumerate(self.roster.csms):
            sel = np.flatnonzero(seg == s)
            if len(csms) == 0 or len(sel) == 0:
                continue
            # One account at a time to the least-loaded CSM (lowest index on ties): the q-th
            # new account of a trial takes the q-th smallest of the free places (load + c, j),
            # c = 0, 1, ... on each CSM j.
            bs = b[sel]
            rank = np.arange(len(sel)) - np.searchsorted(bs, bs)  # b is in trial order
            depth = int(rank.max()) + 1
            level = self.load[:, csms][:, :, None] + np.arange(depth)  # [B, CSMs, depth]
            key = level * len(csms) + np.arange(len(csms))[:, None]
            order = np.argsort(key.reshape(self.B, -1), axis=1)[:, :depth] // depth
            csm[sel] = csms[order[bs, rank]]
            np.add.at(self.load, (bs, csm[sel]), 1)
        values = self.segment_values(seg)
        values.update(
            csm=csm,
            csm_flat=b * self.R1 + np.where(csm < 0, self.roster.none, csm),
            ae=won["ae"],
            health=m.health_start[seg],
            gap=np.full(len(b), w.effort.ae_overpromise),
            renewal_index=0,
            renewal_month=t + CONTRACT_MONTHS,
            products=1,
            active=True,
            exp_close=-1,
            **{"arr_usage" if m.usage_priced[0] else "arr_fixed": won["value"]},
        )
        self.add_accounts(b, values)

    def open_cohorts(self, t: int) -> None:
        a = self.a
        on = a["active"]
        total = a["arr_fixed"] + a["arr_usage"]
        if t % self.P == 0:
            a["period_start"] = np.where(on, total, -1)
            a["period_csm"] = np.where(on, a["csm"], -1)
            a["period_ae"] = np.where(on, a["ae"], -1)
            a["expanded"][:] = False
        if t % CONTRACT_MONTHS == 0 and t // CONTRACT_MONTHS < self.years:
            a["year_start"] = np.where(on, total, -1)

    def close_cohorts(self, t: int) -> None:
        """Close the period's reps' books and the year's segment cohorts (their members:
        the accounts active at the start, start ARR >= 0)."""
        hi = int(self.n_accounts.max())
        a = {name: self.a[name][:, :hi] for name in _STATE}
        end = a["arr_fixed"] + a["arr_usage"]
        churned = ~a["active"]
        if (t + 1) % self.P == 0:
            start = a["period_start"]
            fields = {
                "book_start_arr": start,
                "book_end_arr": end,
                "book_kept_arr": np.minimum(start, end),
                "book_start_logos": None,
                "book_churned_logos": churned,
                "book_expanded_logos": a["expanded"],
            }
            raw = self.raw[:, :, t // self.P]
            for rep in (a["period_csm"], a["period_ae"]):
                member = (start >= 0) & (rep >= 0)
                idx = (self.rows * self.R1 + rep)[member]
                for name, values in fields.items():
                    w = None if values is None else values[member].astype(float)
                    total = np.bincount(idx, w, minlength=self.B * self.R1)
                    raw[..., S[name]] += np.rint(total).astype(np.int64).reshape(self.B, self.R1)
        if (t + 1) % CONTRACT_MONTHS == 0 and t // CONTRACT_MONTHS < self.years:
            start = a["year_start"]
            member = start >= 0
            idx = (self.rows * self.nseg + a["seg"])[member]
            c = self.cohorts[:, t // CONTRACT_MONTHS]
            for k, values in enumerate((start, end, np.minimum(start, end), None, churned)):
                w = None if values is None else values[member].astype(float)
                total = np.bincount(idx, w, minlength=self.B * self.nseg)
                c[..., k] += np.rint(total).astype(np.int64).reshape(self.B, self.nseg)

    def run(self) -> None:
        self.initial_book()
        self.history()
        for t in range(self.T):
            self.step(t)


def pay(scenario: complab.Scenario, roster: _Roster, raw: np.ndarray) -> np.ndarray:
    """Variable pay per trial, rep and period from the raw accumulators (§7)."""
    w = scenario.world
    names = w.segment_names()
    out = np.zeros(raw.shape[:3])
    for r in range(roster.size):
        seg = roster.segment[r]
        plan = scenario.plan_for(str(roster.role[r]), names[seg] if seg >= 0 else None)
        if plan is None:
            continue
        if (
            plan.multiplier is not None
            or plan.clawback is not None
            or plan.spifs
            or any(m.gate is not None for m in plan.measures)
        ):
            raise NotImplementedError(
                f"plan '{plan.name}': gates, multipliers, clawbacks and "
                "SPIFs are not in the NumPy reference"
            )
        v = plan.ote * (1 - plan.base_share) * w.period_months / 12
        for m in plan.measures:
            actual = metric_actual(m.metric, raw[:, r])
            target = period_target(m.metric, m.target, plan.target_months, w.period_months)
            if m.lower_is_better:
                att = np.maximum(0.0, 1 + (target - actual) / target)
            else:
                att = actual / target
            out[:, r] += v * m.weight * curve_value(m.curve, att)
    return out


def simulate_reference(
    scenario: complab.Scenario, trials: int, seed: int | None = None, batch_size: int = 64
) -> ReferenceResult:
    """Run the NumPy reference of the fixed-mode model.

    Parameters
    ----------
    scenario
        Any fixed-mode scenario (``world.behaviour`` at its default, if present).
    trials
        Number of Monte Carlo trials.
    seed
        Seed of the ``Generator(SFC64)`` all draws come from.
    batch_size
        Trials simulated together; about 64 keeps the arrays in cache-friendly sizes.
    """
    return run_batches(scenario, trials, seed, batch_size, _Batch)


def run_batches(
    scenario: complab.Scenario, trials: int, seed: int | None, batch_size: int, kind: type
) -> ReferenceResult:
    """:func:`simulate_reference` with batches of class `kind` (a subclass of the NumPy
    batch that replaces a step, as bench/numba_reference.py does)."""
    behaviour = getattr(scenario.world, "behaviour", None)
    if behaviour is not None and getattr(behaviour, "incentive_sensitivity", 0.0) != 0.0:
        raise NotImplementedError(
            "responsive behaviour (docs/model.md §8) is not in the NumPy reference"
        )
    rng = np.random.Generator(np.random.SFC64(seed))
    roster = _Roster(scenario.world)
    model = _Model(scenario, roster)
    parts = []
    for start in range(0, trials, batch_size):
        batch = kind(model, min(batch_size, trials - start), rng)
        batch.run()
        parts.append(batch)
    raw = np.concatenate([b.raw[:, : roster.size] for b in parts])
    return ReferenceResult(
        series={k: np.concatenate([b.series[k] for b in parts]) for k in SERIES},
        cohorts=np.concatenate([b.cohorts for b in parts]),
        rep_raw=raw,
        variable_pay=pay(scenario, roster, raw),
        roles=roster.role,
        rep_segment=roster.segment,
    )
