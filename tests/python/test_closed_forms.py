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


def test_health_follows_its_recursion_and_settles_at_its_stationary_variance():
    # No noise: h* = b + θa ln E_a − θp max(0, E_e − 1), and h closes κ of the gap a month.
    b, kappa, theta_a, theta_p = 0.5, 0.2, 0.1, 0.01
    accounts, coverage, share, ref = 100, 200.0, 0.6, 0.8
    w = world(
        dict(
            initial_accounts=accounts,
            csm_headcount=1,
            csm_coverage=coverage,
            health_reversion=kappa,
        ),
        health_adoption_effect=theta_a,
        health_push_effect=theta_p,
        effort=Effort(csm_adoption=share, csm_adoption_ref=ref),
    )
    load = coverage / accounts
    e_a, e_e = share / ref * load, (1 - share) / (1 - ref) * load
    target = b + theta_a * np.log(e_a) - theta_p * max(0.0, e_e - 1)
    t = np.arange(24)
    expected = target + (b - target) * (1 - kappa) ** (t + 1)
    health = run(w, 1, 31).monthly()["mean_health"].to_numpy()
    np.testing.assert_allclose(health, expected, atol=1e-6)  # mean_health is in micro-units
    # With noise, far from the clips: the AR(1) variance σ² / (κ (2 − κ)).
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
    expansion_effort = (1 - share) / (1 - ref) * coverage / 100
    rate = series(result, "csql_raised").sum(1) / series(result, "account_months").sum(1)
    assert_mean_near(rate, rho * expansion_effort * h**gamma, "CSQL rate")


def test_hand_offs_are_accepted_at_q0_and_close_after_the_expansion_cycle():
    q0 = 0.6
    w = world(dict(csql_rate=0.08, csm_coverage=150), handoff_acceptance=q0)
    result = run(w, 100, 53)
    accepted, raised = series(result, "handoffs_accepted"), series(result, "csql_raised")
    assert_mean_near(accepted.sum(1) / raised.sum(1), q0, "hand-off acceptance")
    cycle = w.expansion_cycle_months
    closed = series(result, "expansions_closed")
    np.testing.assert_array_equal(closed[:, cycle:], accepted[:, :-cycle])
    assert (closed[:, :cycle] == 0).all()


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
    hazard, h, effect = (0.1, 0.2), 0.3, 2.0
    w = world(
        dict(initial_accounts=600, renewal_hazard=hazard, health_base=h, health_start=h),
        months=12,
        churn_health_effect=effect,
    )
    accounts = run(w, 100, 61, keep=True).accounts()
    initial = accounts[accounts["opened"] < 0]
    churned = initial["churned"] >= 0
    # Renewals passed before the one this year (a churned account did not pass it).
    number = np.where(churned, initial["renewals"], initial["renewals"] - 1)
    health_factor = np.exp(effect * (0.5 - h))
    for r, base in ((0, hazard[0]), (1, hazard[1]), (2, hazard[1])):
        rows = initial.assign(c=churned.astype(float))[number == r]
        assert_mean_near(
            rows.groupby("trial")["c"].mean(), base * health_factor, f"churn at renewal {r + 1}"
        )
