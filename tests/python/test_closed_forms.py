"""The engine's mechanisms against closed forms (docs/model.md §4-5), each in a world built
so that the closed form is exact: other effects off, health pinned where it is not the
subject. Statistical checks take per-trial estimates and allow 4 standard errors of their
mean across trials (fixed seeds); deterministic ones must match to rounding."""

from __future__ import annotations

import numpy as np
from test_engine import neutral_world

import complab
from complab import Product, Scenario, World
from complab.scenario import Effort


def world(segment: dict | None = None, **overrides) -> World:
    """test_engine's neutral world (health pinned at 1/2, effects off), without churn."""
    no_churn = {"initial_accounts": 300, "renewal_hazard": (0.0,)}
    return neutral_world(segment=no_churn | (segment or {}), **overrides)


def run(w: World, trials: int, seed: int, keep: bool = False) -> complab.Result:
    return complab.simulate(Scenario(world=w), trials=trials, seed=seed, keep_accounts=keep)


def series(result: complab.Result, name: str) -> np.ndarray:
    """[trials, months] of a company series, as floats."""
    return result.arrays["monthly"][..., list(complab._core.SERIES).index(name)].astype(float)


def assert_mean_near(per_trial, expected: float, what: str) -> None:
    x = np.asarray(per_trial, dtype=float)
    se = x.std(ddof=1) / np.sqrt(len(x))
    z = (x.mean() - expected) / se
    assert abs(z) < 4, f"{what}: {x.mean():.6g} ± {se:.2g} against {expected:.6g} (z = {z:+.1f})"


def attention(coverage: float, book: float, max_effort: float = 2.0) -> float:
    """A CSM's attention per account, f = F λ / (F − 1 + λ) with λ = coverage / book (§3)."""
    ratio = coverage / book
    return max_effort * ratio / (max_effort - 1 + ratio)


def test_health_follows_its_recursion_and_settles_at_its_stationary_variance():
    # No noise: h* = b + θa ln E_a − θp max(0, (1 − a)/(1 − a_ref) − 1) with
    # E_a = (a / a_ref) f(λ), and h closes κ of the gap a month. The warm start puts each
    # account at its age's mean: a one-year-old company (book_age_years = 1) has every
    # account in its first contract year, m months old (m uniform on 0…11), at health
    # h* + (h0 − h*)(1 − κ)^m; month t's mean is then h* + (h0 − h*)(1 − κ)^(t+1) M with
    # M the trial's mean of (1 − κ)^m.
    b, h0, kappa, theta_a, theta_p = 0.5, 0.2, 0.2, 0.1, 0.05
    accounts, coverage, share, ref = 100, 300.0, 0.6, 0.8
    w = world(
        dict(
            initial_accounts=accounts,
            csm_headcount=1,
            csm_coverage=coverage,
            health_reversion=kappa,
            health_start=h0,
        ),
        health_adoption_effect=theta_a,
        health_push_effect=theta_p,
        book_age_years=1,
        effort=Effort(csm_adoption=share, csm_adoption_ref=ref),
    )
    e_a = share / ref * attention(coverage, accounts)  # 0.75 x 1.5
    emphasis = (1 - share) / (1 - ref)  # 2: the push penalty reads the emphasis, not E_e = 3
    target = b + theta_a * np.log(e_a) - theta_p * max(0.0, emphasis - 1)
    result = run(w, 40, 31)
    health = result.monthly().pivot(index="trial", columns="month", values="mean_health")
    health = health.to_numpy()  # [trials, months], in micro-units
    # The recursion, exactly: month t's distance to h* is month 0's times (1 − κ)^t.
    t = np.arange(w.months)
    expected = target + np.outer(health[:, 0] - target, (1 - kappa) ** t)
    np.testing.assert_allclose(health, expected, atol=2e-6)
    # The warm start's ages: (mean_0 − h*) / ((h0 − h*)(1 − κ)) is M, whose mean over
    # trials is the mean of (1 − κ)^m over m = 0…11.
    m = (health[:, 0] - target) / ((h0 - target) * (1 - kappa))
    assert ((1 - kappa) ** 11 <= m + 1e-5).all() and (m <= 1 + 1e-5).all()
    assert_mean_near(m, np.mean((1 - kappa) ** np.arange(12)), "warm-start age factor")
    # With noise, far from the clips: the AR(1) variance σ² / (κ (2 − κ)) (the warm start
    # draws each account at its age's variance; by month 36 all are within 0.8^72 of it).
    kappa, sigma = 0.2, 0.05
    noisy = world(dict(health_reversion=kappa, health_noise=sigma), months=36)
    accounts = run(noisy, 60, 33, keep=True).accounts()
    variance = accounts.groupby("trial")["health"].var(ddof=1)
    assert_mean_near(variance, sigma**2 / (kappa * (2 - kappa)), "stationary health variance")


def test_usage_arr_grows_by_its_drift_at_the_accounts_health():
    for h, drift, noise in ((0.8, 0.2, 0.05), (0.3, 0.3, 0.08)):
        w = world(
            dict(health_base=h, health_start=h, usage_drift=drift, usage_noise=noise),
            products=(Product(usage_priced=True),),
        )
        result = run(w, 60, 41)
        ratio = series(result, "arr_end") / series(result, "arr_start")
        assert_mean_near(ratio.mean(axis=1), 1 + drift * (h - 0.5), f"usage factor at h={h}")


def test_csqls_are_raised_at_rate_times_expansion_effort_times_health_power():
    rho, h, gamma, share, ref, coverage = 0.05, 0.7, 2.0, 0.7, 0.8, 150.0
    w = world(
        dict(
            initial_accounts=200,
            csm_headcount=2,
            csm_coverage=coverage,
            csql_rate=rho,
            health_base=h,
            health_start=h,
        ),
        handoff_acceptance=0.0,  # no hand-off pending: every account-month may raise one
        csql_health_exponent=gamma,
        effort=Effort(csm_adoption=share, csm_adoption_ref=ref),
    )
    result = run(w, 100, 51)
    # E_e = emphasis x attention: two CSMs of 100 accounts each at coverage 150 give
    # f(1.5) = 1.2, not the book ratio 1.5 (attention saturates, docs/model.md §3).
    expansion_effort = (1 - share) / (1 - ref) * attention(coverage, 100)
    rate = series(result, "csql_raised").sum(1) / series(result, "account_months").sum(1)
    assert_mean_near(rate, rho * expansion_effort * h**gamma, "CSQL rate")


def test_hand_offs_are_accepted_at_q0_and_close_after_the_expansion_cycle():
    q0, rho, accounts = 0.6, 0.08, 300
    w = world(dict(csql_rate=rho, csm_coverage=150), handoff_acceptance=q0)
    result = run(w, 100, 53)
    accepted, raised = series(result, "handoffs_accepted"), series(result, "csql_raised")
    assert_mean_near(accepted.sum(1) / raised.sum(1), q0, "hand-off acceptance")
    cycle = w.expansion_cycle_months
    closed = series(result, "expansions_closed")
    np.testing.assert_array_equal(closed[:, cycle:], accepted[:, :-cycle])
    # The first `cycle` months close the warm start's hand-offs (docs/model.md §4): in
    # months −2 and −1 each account raises a CSQL with p = ρ E_e h (4 CSMs of 75 accounts
    # at coverage 150: E_e = f(2) = 4/3; h = 1/2) and the owner accepts it with q0; an
    # account with a hand-off pending from month −2 raises none in month −1.
    pq = rho * attention(150, accounts / 4) * 0.5 * q0
    assert cycle == 2
    assert_mean_near(closed[:, 0], accounts * pq, "hand-offs accepted in month -2")
    assert_mean_near(closed[:, 1], accounts * (1 - pq) * pq, "hand-offs accepted in month -1")


def test_win_probabilities_follow_effort_health_and_over_promising():
    for h, x, n, o in ((0.7, 0.6, 0.8, 0.0), (0.4, 0.5, 0.7, 0.5)):
        w = world(
            dict(
                csm_coverage=75,
                csql_rate=0.1,
                health_base=h,
                health_start=h,
                expansion_win_rate=x,
                win_rate=0.4,
                sales_cycle_months=1,
            ),
            sdr_headcount=2,
            opportunities_per_sdr=8.0,
            overpromise_win_uplift=0.3,
            effort=Effort(ae_new_business=n, ae_new_business_ref=0.8, ae_overpromise=o),
        )
        result = run(w, 100, 54)
        won = series(result, "expansions_won").sum(1) / series(result, "expansions_closed").sum(1)
        assert_mean_near(won, min(1.0, x * h * (1 - n) / 0.2), f"expansion win, n={n}")
        new = series(result, "new_logos").sum(1) / series(result, "deals_closed").sum(1)
        assert_mean_near(new, min(1.0, 0.4 * n / 0.8 * (1 + 0.3 * o)), f"new-business win, o={o}")


def test_churn_follows_the_hazard_of_the_renewal_number_and_health():
    # Churn at the r-th renewal is (H[r] / Z[r]) exp(λh (1/2 − h)) (docs/model.md §5 step 5),
    # Z[r] the mean of exp(λh (1/2 − h)) over the steady-state book at nominal attention.
    # A segment without CSMs gives every account E_a = 10⁻³, so health sits at
    # h = b + θa ln 10⁻³ from its start (h0 = h) on, while Z reads the nominal path from h0
    # towards b: μ_r = b + (h0 − b)(1 − κ)^(12 (r + 1)) (no noise, no skill spread, no gap).
    hazard, b, kappa, theta_a, effect = (0.1, 0.2), 0.6, 0.05, 0.03, 2.0
    h = b + theta_a * np.log(1e-3)
    w = world(
        dict(
            initial_accounts=600,
            renewal_hazard=hazard,
            health_base=b,
            health_start=h,
            health_reversion=kappa,
            csm_headcount=0,
        ),
        months=12,
        churn_health_effect=effect,
        health_adoption_effect=theta_a,
    )
    accounts = run(w, 100, 61, keep=True).accounts()
    initial = accounts[accounts["opened"] < 0]
    churned = initial["churned"] >= 0
    # Renewal index at this year's renewal (a churned account did not pass it).
    number = np.where(churned, initial["renewals"], initial["renewals"] - 1)
    for r, base in ((0, hazard[0]), (1, hazard[1]), (2, hazard[1])):
        mu = b + (h - b) * (1 - kappa) ** (12 * (r + 1))
        z = np.exp(effect * (0.5 - mu))
        rows = initial.assign(c=churned.astype(float))[number == r]
        assert_mean_near(
            rows.groupby("trial")["c"].mean(),
            base / z * np.exp(effect * (0.5 - h)),
            f"churn at renewal {r + 1}",
        )
