"""A NumPy implementation of the fixed-mode model (docs/model.md §5), as an analyst would write it.

This is the baseline the engine is benchmarked against and checked against statistically:
the same equations on the same :class:`complab.Scenario` (every parameter is read from the
scenario object), vectorised over trials × accounts with a Python loop over months, on
NumPy's own ``Generator``. It draws different random numbers from the engine but from the
same distributions, so KPI means agree within their standard errors.

Covered: the initial book, new business (SDR opportunities, segment and AE choice, win at
the close month), health, usage-priced ARR, CSQLs (upsell and cross-sell), hand-off and
expansion win, renewals with the hazard by renewal number, CSM load and effort, annual
cohorts, per-rep KPI accumulators and plan payouts (measures with their curves). Not
covered: responsive behaviour (§8), plan gates, multipliers, SPIFs and clawbacks — a
scenario that uses them raises ``NotImplementedError`` rather than giving different pay.

Money is int64 cents, as in the engine, so ARR rolls forward exactly.

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
MAX_OPPORTUNITIES = 256  # per SDR and month, as the engine (which stops with an error past it)

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
        self.sdrs = np.flatnonzero(self.role == "sdr")
        # csm_of[s, r]: rep r is a CSM of segment s (for least-loaded assignment).
        self.csm_of = np.zeros((nseg, self.size + 1), dtype=bool)
        for s in range(nseg):
            self.csm_of[s, self.csms[s]] = True


# Per-account state. Each array is [batch, capacity]; slots past n_accounts are unused.
_STATE = {
    # name: (dtype, fill)
    "seg": (np.int64, 0),
    "csm": (np.int64, -1),
    "ae": (np.int64, -1),
    "arr_fixed": (np.int64, 0),
    "arr_usage": (np.int64, 0),
    "health": (np.float64, 0.0),
    "gap": (np.float64, 0.0),
    "renewal_index": (np.int64, 0),
    "to_renewal": (np.int64, -1),
    "products": (np.int64, 0),
    "active": (bool, False),
    "exp_close": (np.int64, -1),
    "exp_value": (np.int64, 0),
    "exp_product": (np.int64, -1),
    "exp_csm": (np.int64, -1),
    "period_start": (np.int64, -1),
    "period_csm": (np.int64, -1),
    "period_ae": (np.int64, -1),
    "expanded": (bool, False),
    "year_start": (np.int64, -1),
    # segment parameters copied at birth, so the month loop does no per-segment gathers
    "base": (np.float64, 0.0),
    "kappa": (np.float64, 0.0),
    "noise_h": (np.float64, 0.0),
    "drift": (np.float64, 0.0),
    "noise_u": (np.float64, 0.0),
    "rho": (np.float64, 0.0),
    "upsell": (np.float64, 0.0),
    "xwin": (np.float64, 0.0),
    "accept": (np.float64, 0.0),
    "acv_median": (np.float64, 0.0),
}
_SEGMENT_PARAMS = {
    "base": "health_base",
    "kappa": "health_reversion",
    "noise_h": "health_noise",
    "drift": "usage_drift",
    "noise_u": "usage_noise",
    "rho": "csql_rate",
    "upsell": "upsell_fraction",
    "xwin": "expansion_win_rate",
    "acv_median": "acv_median",
}


class _Batch:
    """One batch of trials: account state, rep skills and accumulators."""

    def __init__(
        self, scenario: complab.Scenario, roster: _Roster, trials: int, rng: np.random.Generator
    ):
        self.sc, self.w, self.roster, self.rng, self.B = (
            scenario,
            scenario.world,
            roster,
            rng,
            trials,
        )
        w = self.w
        self.T, self.P = w.months, w.period_months
        self.periods, self.years = w.months // w.period_months, w.months // 12
        self.nseg, self.R1 = len(w.segments), roster.size + 1
        self.rows = np.arange(trials)[:, None]
        self.nprod = len(w.products)
        self.usage_priced = np.array([p.usage_priced for p in w.products])
        self.acv_scale = np.array([p.acv_scale for p in w.products])

        self.skill = np.ones((trials, self.R1))
        if w.skill_log_sd > 0:
            self.skill[:, : roster.size] = rng.lognormal(0.0, w.skill_log_sd, (trials, roster.size))
        e = w.effort
        self.adoption_ratio = e.csm_adoption / e.csm_adoption_ref
        self.expansion_ratio = (1 - e.csm_adoption) / (1 - e.csm_adoption_ref)
        self.new_business_ratio = e.ae_new_business / e.ae_new_business_ref
        self.follow_up_ratio = (1 - e.ae_new_business) / (1 - e.ae_new_business_ref)
        q = np.array(
            [
                w.handoff_acceptance
                + (w.shared_nrr_acceptance_uplift if self._shared_nrr(s) else 0.0)
                for s in w.segments
            ]
        )
        self.acceptance = np.minimum(1.0, q)
        hmax = max(len(s.renewal_hazard) for s in w.segments)
        self.hazard = np.array(
            [
                list(s.renewal_hazard) + [s.renewal_hazard[-1]] * (hmax - len(s.renewal_hazard))
                for s in w.segments
            ]
        )
        shares = np.array([s.opportunity_share for s in w.segments], dtype=float)
        self.share_cdf = (
            np.cumsum(shares / shares.sum()) if shares.sum() > 0 else np.zeros(self.nseg)
        )

        self.series = {name: np.zeros((trials, self.T), dtype=np.int64) for name in SERIES}
        self.cohorts = np.zeros((trials, self.years, self.nseg, len(COHORT_FIELDS)), dtype=np.int64)
        self.raw = np.zeros((trials, self.R1, self.periods, len(RAW_SLOTS)), dtype=np.int64)
        self.pipeline: list[list[dict[str, np.ndarray]]] = [[] for _ in range(self.T)]
        self.n_accounts = np.zeros(trials, dtype=np.int64)
        self.cap = 0
        self.a: dict[str, np.ndarray] = {}
        self._grow(sum(s.initial_accounts for s in w.segments) * 5 // 4 + 64)

    def _shared_nrr(self, segment: complab.Segment) -> bool:
        ae = self.sc.plan_for("ae", segment.name)
        csm = self.sc.plan_for("csm", segment.name)
        return ae is not None and csm is not None and ae.carries_nrr and csm.carries_nrr

    # -- helpers --------------------------------------------------------------------------
    def _grow(self, capacity: int) -> None:
        extra = capacity - self.cap
        for name, (dtype, fill) in _STATE.items():
            pad = np.full((self.B, extra), fill, dtype=dtype)
            self.a[name] = pad if self.cap == 0 else np.concatenate([self.a[name], pad], axis=1)
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

    def add_accounts(self, b: np.ndarray, values: dict[str, np.ndarray]) -> np.ndarray:
        """Append accounts to trials `b` (in order); returns their slot positions."""
        order = np.argsort(b, kind="stable")
        b_sorted = b[order]
        first = np.searchsorted(b_sorted, b_sorted, side="left")
        rank = np.empty_like(b)
        rank[order] = np.arange(len(b)) - first
        pos = self.n_accounts[b] + rank
        need = int(pos.max()) + 1 if len(b) else 0
        if need > self.cap:
            self._grow(max(need, self.cap * 5 // 4))
        for name, v in values.items():
            self.a[name][b, pos] = v
        np.add.at(self.n_accounts, b, 1)
        return pos

    def segment_defaults(self, seg: np.ndarray) -> dict[str, np.ndarray]:
        out = {
            k: np.array([getattr(s, attr) for s in self.w.segments])[seg]
            for k, attr in _SEGMENT_PARAMS.items()
        }
        out["accept"] = self.acceptance[seg]
        out["seg"] = seg
        return out

    # -- the model --------------------------------------------------------------------------
    def initial_book(self) -> None:
        rng, w, roster = self.rng, self.w, self.roster
        blocks = []
        for s, seg in enumerate(w.segments):
            n = seg.initial_accounts
            if n == 0:
                continue
            i = np.arange(n)
            k = seg.health_reversion
            sd = seg.health_noise / np.sqrt(k * (2 - k)) if k > 0 else seg.health_noise
            health = np.full((self.B, n), seg.health_base)
            if sd > 0:
                health = np.clip(seg.health_base + sd * rng.standard_normal((self.B, n)), 0, 1)
            tenure = np.minimum(35, (rng.random((self.B, n)) * 36).astype(np.int64))
            arr = to_cents(
                rng.lognormal(np.log(seg.acv_median), seg.acv_log_sd, (self.B, n))
                * w.products[0].acv_scale
            )
            csms, aes = roster.csms[s], roster.aes[s]
            blocks.append(
                dict(
                    seg=np.full((self.B, n), s),
                    health=health,
                    arr=arr,
                    renewal_index=tenure // CONTRACT_MONTHS,
                    to_renewal=CONTRACT_MONTHS - tenure % CONTRACT_MONTHS,
                    csm=np.broadcast_to(
                        csms[i % len(csms)] if len(csms) else np.full(n, -1), (self.B, n)
                    ),
                    ae=np.broadcast_to(
                        aes[i % len(aes)] if len(aes) else np.full(n, -1), (self.B, n)
                    ),
                )
            )
        book = {k: np.concatenate([blk[k] for blk in blocks], axis=1) for k in blocks[0]}
        n = book["seg"].shape[1]
        a = self.a
        for k in ("seg", "health", "renewal_index", "to_renewal", "csm", "ae"):
            a[k][:, :n] = book[k]
        usage = bool(self.usage_priced[0])
        a["arr_usage" if usage else "arr_fixed"][:, :n] = book["arr"]
        a["products"][:, :n] = 1
        a["active"][:, :n] = True
        for k, v in self.segment_defaults(book["seg"][0]).items():
            a[k][:, :n] = v
        self.n_accounts[:] = n

    def new_business(self, t: int, p: int) -> dict[str, np.ndarray]:
        """§5, new business: opportunities created this month; deals closing this month decided."""
        rng, w, roster = self.rng, self.w, self.roster
        sdrs = roster.sdrs
        if len(sdrs) and w.opportunities_per_sdr > 0:
            mean = w.opportunities_per_sdr * self.skill[:, sdrs]
            counts = np.minimum(MAX_OPPORTUNITIES, rng.poisson(mean))  # [B, nsdr]
            flat = counts.ravel()
            b = np.repeat(np.repeat(np.arange(self.B), len(sdrs)), flat)
            sdr = np.repeat(np.tile(sdrs, self.B), flat)
            n = len(b)
            seg = np.minimum(
                np.searchsorted(self.share_cdf, rng.random(n), side="right"), self.nseg - 1
            )
            n_aes = np.array([len(x) for x in roster.aes])[seg]
            if np.any(n_aes == 0):
                raise NotImplementedError("an opportunity in a segment without AEs")
            first_ae = np.array([x[0] if len(x) else -1 for x in roster.aes])[seg]
            ae = first_ae + np.minimum((rng.random(n) * n_aes).astype(np.int64), n_aes - 1)
            log_median = np.log([s.acv_median for s in w.segments])[seg]
            log_sd = np.array([s.acv_log_sd for s in w.segments])[seg]
            value = to_cents(rng.lognormal(log_median, log_sd) * w.products[0].acv_scale)
            self.raw[:, :, p, S["opportunities"]] += self._bincount2(b, sdr, None)
            self.raw[:, :, p, S["pipeline"]] += self._bincount2(b, sdr, value)
            self.series["opportunities"][:, t] += np.bincount(b, minlength=self.B)
            close = t + np.array([s.sales_cycle_months for s in w.segments])[seg]
            for c in np.unique(close[close < self.T]):
                k = close == c
                self.pipeline[c].append(
                    dict(b=b[k], sdr=sdr[k], seg=seg[k], ae=ae[k], value=value[k])
                )

        deals = self.pipeline[t]
        if not deals:
            return {}
        d = {k: np.concatenate([x[k] for x in deals]) for k in deals[0]}
        self.series["deals_closed"][:, t] += np.bincount(d["b"], minlength=self.B)
        win_rate = np.array([s.win_rate for s in w.segments])[d["seg"]]
        p_win = np.minimum(
            1.0,
            win_rate
            * self.skill[d["b"], d["ae"]]
            * self.new_business_ratio
            * (1 + w.overpromise_win_uplift * w.effort.ae_overpromise),
        )
        won = rng.random(len(d["b"])) < p_win
        d = {k: v[won] for k, v in d.items()}
        self.raw[:, :, p, S["new_arr"]] += self._bincount2(d["b"], d["ae"], d["value"])
        self.raw[:, :, p, S["new_logos"]] += self._bincount2(d["b"], d["ae"], None)
        self.raw[:, :, p, S["sourced_wins"]] += self._bincount2(d["b"], d["sdr"], None)
        self.series["new_arr"][:, t] += np.rint(np.bincount(d["b"], d["value"], self.B)).astype(
            np.int64
        )
        self.series["new_logos"][:, t] += np.bincount(d["b"], minlength=self.B)
        return d

    def _bincount2(self, b: np.ndarray, rep: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
        w = None if weights is None else weights.astype(float)
        out = np.bincount(b * self.R1 + rep, w, minlength=self.B * self.R1)
        return np.rint(out).astype(np.int64).reshape(self.B, self.R1)

    def csm_effort(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-CSM health shift and expansion effort from the load at the month's start (§3)."""
        w, roster = self.w, self.roster
        a = self.a
        load = self.per_rep(a["active"], a["csm"])
        coverage = np.zeros(self.R1)
        for s, seg in enumerate(w.segments):
            coverage[roster.csms[s]] = seg.csm_coverage
        lam = coverage / np.maximum(1, load)
        e_adopt = np.maximum(MIN_EFFORT, self.adoption_ratio * self.skill * lam)
        e_expand = self.expansion_ratio * self.skill * lam
        shift = w.health_adoption_effect * np.log(e_adopt) - w.health_push_effect * np.maximum(
            0, e_expand - 1
        )
        shift[:, roster.none] = w.health_adoption_effect * np.log(
            MIN_EFFORT
        )  # accounts with no CSM
        e_expand[:, roster.none] = 0.0
        return shift, e_expand

    def step(self, t: int) -> None:
        rng, w, a, ser = self.rng, self.w, self.a, self.series
        p = t // self.P
        self.open_cohorts(t)
        active = a["active"]
        ser["arr_start"][:, t] = (a["arr_fixed"] + a["arr_usage"]).sum(axis=1, where=active)
        won = self.new_business(t, p)
        shift, e_expand = self.csm_effort()
        ser["account_months"][:, t] = active.sum(axis=1)
        csm = np.where(a["csm"] < 0, self.roster.none, a["csm"])
        ae = np.where(a["ae"] < 0, self.roster.none, a["ae"])

        # 2.1 Health.
        target = np.clip(
            a["base"] + np.take_along_axis(shift, csm, 1) - w.health_gap_effect * a["gap"], 0, 1
        )
        h = (
            a["health"]
            + a["kappa"] * (target - a["health"])
            + a["noise_h"] * rng.standard_normal(active.shape)
        )
        h = np.clip(h, 0, 1)
        a["health"] = np.where(active, h, a["health"])

        # 2.2 Usage-priced ARR follows health.
        usage = active & (a["arr_usage"] > 0) & ((a["drift"] != 0) | (a["noise_u"] > 0))
        factor = 1 + a["drift"] * (h - 0.5) + a["noise_u"] * rng.standard_normal(active.shape)
        before = a["arr_usage"]
        after = np.where(usage, to_cents(before * np.maximum(0, factor) / 100), before)
        delta = after - before
        a["arr_usage"] = after
        ser["expansion_usage"][:, t] += np.where(delta > 0, delta, 0).sum(axis=1)
        ser["contraction"][:, t] += np.where(delta < 0, -delta, 0).sum(axis=1)

        # 2.3a Accepted hand-offs reaching their close month.
        closing = active & (a["exp_close"] == t)
        if closing.any():
            bi, i = np.nonzero(closing)
            ser["expansions_closed"][:, t] += np.bincount(bi, minlength=self.B)
            ae_i = ae[bi, i]
            p_win = np.minimum(
                1.0, a["xwin"][bi, i] * self.skill[bi, ae_i] * self.follow_up_ratio * h[bi, i]
            )
            win = rng.random(len(bi)) < p_win
            bi, i, ae_i = bi[win], i[win], ae_i[win]
            value, product = a["exp_value"][bi, i], a["exp_product"][bi, i]
            to_usage = self.usage_priced[np.maximum(product, 0)]
            a["arr_usage"][bi[to_usage], i[to_usage]] += value[to_usage]
            a["arr_fixed"][bi[~to_usage], i[~to_usage]] += value[~to_usage]
            cross = product >= 0
            a["products"][bi[cross], i[cross]] |= 1 << product[cross]
            ser["expansion_csql"][:, t] += np.rint(
                np.bincount(bi, value.astype(float), self.B)
            ).astype(np.int64)
            ser["expansions_won"][:, t] += np.bincount(bi, minlength=self.B)
            csm_credit = a["exp_csm"][bi, i]
            for rep in (ae_i, np.where(csm_credit < 0, self.roster.none, csm_credit)):
                self.raw[:, :, p, S["expansion_arr"]] += self._bincount2(bi, rep, value)
                self.raw[:, :, p, S["expansion_wins"]] += self._bincount2(bi, rep, None)
            a["expanded"][bi, i] = True
            a["exp_close"][closing] = -1

        # 2.3b CSQLs: raised by the CSM, accepted or not by the account's AE.
        gamma = w.csql_health_exponent
        p_csql = a["rho"] * np.take_along_axis(e_expand, csm, 1) * (h if gamma == 1.0 else h**gamma)
        raised = active & (a["exp_close"] < 0) & (rng.random(active.shape) < p_csql)
        if raised.any():
            self.raise_csqls(t, p, *np.nonzero(raised), ae)

        # 2.4 Renewals.
        a["to_renewal"] -= active.astype(np.int64)
        due = active & (a["to_renewal"] == 0)
        if due.any():
            self.renew(t, *np.nonzero(due))

        # New accounts join after the month's account updates.
        if won and len(won["b"]):
            self.join(won, p)
        total = a["arr_fixed"] + a["arr_usage"]
        ser["arr_end"][:, t] = total.sum(axis=1, where=a["active"])
        ser["active_logos"][:, t] = a["active"].sum(axis=1)
        self.close_cohorts(t)

    def raise_csqls(self, t: int, p: int, bi: np.ndarray, i: np.ndarray, ae: np.ndarray) -> None:
        rng, w, a, ser = self.rng, self.w, self.a, self.series
        n = len(bi)
        u_kind, u_product, u_accept = rng.random(n), rng.random(n), rng.random(n)
        held = a["products"][bi, i]
        held_bits = (held[:, None] >> np.arange(self.nprod)) & 1
        missing = self.nprod - held_bits.sum(axis=1)
        cross = (missing > 0) & (u_kind < w.cross_sell_probability)
        # Cross-sell the k-th product the account does not hold.
        k = np.minimum(missing - 1, (u_product * missing).astype(np.int64))
        rank_missing = np.cumsum(1 - held_bits, axis=1) - 1
        chosen = np.argmax((held_bits == 0) & (rank_missing == k[:, None]), axis=1)
        product = np.where(cross, chosen, -1)
        arr = a["arr_fixed"][bi, i] + a["arr_usage"][bi, i]
        value = np.where(
            cross,
            to_cents(a["acv_median"][bi, i] * self.acv_scale[np.maximum(product, 0)]),
            to_cents(a["upsell"][bi, i] * arr / 100),
        )
        csm = a["csm"][bi, i]
        self.raw[:, :, p, S["csql_count"]] += self._bincount2(bi, csm, None)
        self.raw[:, :, p, S["csql_pipeline"]] += self._bincount2(bi, csm, value)
        ser["csql_raised"][:, t] += np.bincount(bi, minlength=self.B)
        ser["csql_value"][:, t] += np.rint(np.bincount(bi, value.astype(float), self.B)).astype(
            np.int64
        )
        accepted = (a["ae"][bi, i] >= 0) & (u_accept < a["accept"][bi, i])
        ser["handoffs_accepted"][:, t] += np.bincount(bi[accepted], minlength=self.B)
        when = max(t + w.expansion_cycle_months, t + 1)  # closing this month is handled next month
        if when >= self.T:
            return
        bi, i = bi[accepted], i[accepted]
        a["exp_close"][bi, i] = when
        a["exp_value"][bi, i] = value[accepted]
        a["exp_product"][bi, i] = product[accepted]
        a["exp_csm"][bi, i] = csm[accepted]

    def renew(self, t: int, bi: np.ndarray, i: np.ndarray) -> None:
        w, a, ser = self.w, self.a, self.series
        r = a["renewal_index"][bi, i]
        base = self.hazard[a["seg"][bi, i], np.minimum(r, self.hazard.shape[1] - 1)]
        p_churn = np.clip(
            base
            * np.exp(w.churn_health_effect * (0.5 - a["health"][bi, i]))
            * (1 + w.churn_gap_effect * a["gap"][bi, i]),
            0,
            1,
        )
        ser["renewals_due"][:, t] += np.bincount(bi, minlength=self.B)
        ser["first_renewals_due"][:, t] += np.bincount(bi[r == 0], minlength=self.B)
        churn = self.rng.random(len(bi)) < p_churn
        cb, ci = bi[churn], i[churn]
        lost = a["arr_fixed"][cb, ci] + a["arr_usage"][cb, ci]
        ser["churned_arr"][:, t] += np.rint(np.bincount(cb, lost.astype(float), self.B)).astype(
            np.int64
        )
        ser["churned_logos"][:, t] += np.bincount(cb, minlength=self.B)
        ser["first_renewal_churns"][:, t] += np.bincount(cb[r[churn] == 0], minlength=self.B)
        a["arr_fixed"][cb, ci] = 0
        a["arr_usage"][cb, ci] = 0
        a["active"][cb, ci] = False
        a["exp_close"][cb, ci] = -1
        kb, ki = bi[~churn], i[~churn]
        a["renewal_index"][kb, ki] += 1
        a["gap"][kb, ki] *= w.gap_decay
        a["to_renewal"][kb, ki] = CONTRACT_MONTHS

    def join(self, won: dict[str, np.ndarray], p: int) -> None:
        """Won deals become accounts; each goes to its segment's least-loaded CSM."""
        a, w = self.a, self.w
        b, seg = won["b"], won["seg"]
        load = self.per_rep(a["active"], a["csm"]).astype(float)
        order = np.argsort(b, kind="stable")
        rank = np.empty_like(b)
        rank[order] = np.arange(len(b)) - np.searchsorted(b[order], b[order])
        csm = np.full(len(b), -1)
        for k in range(int(rank.max()) + 1):  # one deal per trial at a time: loads change
            sel = np.flatnonzero(rank == k)
            bs, ss = b[sel], seg[sel]
            cand = np.where(self.roster.csm_of[ss], load[bs], np.inf)
            best = np.argmin(cand, axis=1)
            ok = np.isfinite(cand[np.arange(len(sel)), best])
            csm[sel] = np.where(ok, best, -1)
            load[bs[ok], best[ok]] += 1
        usage = bool(self.usage_priced[0])
        values = self.segment_defaults(seg)
        values.update(
            csm=csm,
            ae=won["ae"],
            health=np.array([s.health_start for s in w.segments])[seg],
            gap=np.full(len(b), w.effort.ae_overpromise),
            renewal_index=0,
            to_renewal=CONTRACT_MONTHS,
            products=1,
            active=True,
            exp_close=-1,
            **{"arr_usage" if usage else "arr_fixed": won["value"]},
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
        a = self.a
        end = a["arr_fixed"] + a["arr_usage"]
        if (t + 1) % self.P == 0:
            p = t // self.P
            start = a["period_start"]
            book = start >= 0
            kept = np.minimum(start, end)
            churned = ~a["active"]
            for rep in (a["period_csm"], a["period_ae"]):
                m = book & (rep >= 0)
                raw = self.raw[:, :, p]
                raw[..., S["book_start_arr"]] += self.per_rep(m, rep, start)
                raw[..., S["book_end_arr"]] += self.per_rep(m, rep, end)
                raw[..., S["book_kept_arr"]] += self.per_rep(m, rep, kept)
                raw[..., S["book_start_logos"]] += self.per_rep(m, rep)
                raw[..., S["book_churned_logos"]] += self.per_rep(m & churned, rep)
                raw[..., S["book_expanded_logos"]] += self.per_rep(m & a["expanded"], rep)
        if (t + 1) % CONTRACT_MONTHS == 0 and t // CONTRACT_MONTHS < self.years:
            y = t // CONTRACT_MONTHS
            start = a["year_start"]
            m = start >= 0
            idx = (np.broadcast_to(self.rows, m.shape) * self.nseg + a["seg"])[m]

            def per_segment(values: np.ndarray) -> np.ndarray:
                out = np.bincount(idx, values[m].astype(float), self.B * self.nseg)
                return np.rint(out).astype(np.int64).reshape(self.B, self.nseg)

            c = self.cohorts[:, y]
            c[..., 0] += per_segment(start)
            c[..., 1] += per_segment(end)
            c[..., 2] += per_segment(np.minimum(start, end))
            c[..., 3] += per_segment(np.ones_like(start))
            c[..., 4] += per_segment((~a["active"]).astype(np.int64))

    def run(self) -> None:
        self.initial_book()
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
            if m.lower_is_better:
                att = np.maximum(0.0, 1 + (m.target - actual) / m.target)
            else:
                att = actual / m.target
            out[:, r] += v * m.weight * curve_value(m.curve, att)
    return out


def simulate_reference(
    scenario: complab.Scenario, trials: int, seed: int | None = None, batch_size: int = 100
) -> ReferenceResult:
    """Run the NumPy reference of the fixed-mode model.

    Parameters
    ----------
    scenario
        Any fixed-mode scenario (``world.behaviour`` at its default, if present).
    trials
        Number of Monte Carlo trials.
    seed
        Seed of NumPy's default Generator.
    batch_size
        Trials simulated together; 100–250 keeps arrays in cache-friendly sizes.
    """
    behaviour = getattr(scenario.world, "behaviour", None)
    if behaviour is not None and getattr(behaviour, "incentive_sensitivity", 0.0) != 0.0:
        raise NotImplementedError(
            "responsive behaviour (docs/model.md §8) is not in the NumPy reference"
        )
    rng = np.random.default_rng(seed)
    roster = _Roster(scenario.world)
    parts = []
    for start in range(0, trials, batch_size):
        batch = _Batch(scenario, roster, min(batch_size, trials - start), rng)
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
