"""Responsive behaviour (docs/model.md §8): reps follow the plan. Every comparison is paired:
the same seed gives both scenarios the same draws (common random numbers), so the
differences below are tested against the standard error of per-trial paired differences."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

import complab
from complab import Clawback, Measure, Multiplier, PayoutCurve, Plan, Spif, presets

BETA = 30.0
TRIALS = 24


def responsive(scenario: complab.Scenario, beta: float = BETA) -> complab.Scenario:
    return scenario.with_({"world.behaviour.incentive_sensitivity": beta})


def paired_t(a: np.ndarray, b: np.ndarray) -> float:
    """t statistic of the mean paired difference a - b."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    se = d.std(ddof=1) / np.sqrt(len(d))
    return float(d.mean() / se) if se > 0 else float(np.sign(d.mean()) * np.inf)


def per_trial(result: complab.Result, *columns: str) -> np.ndarray:
    sums = result.monthly().groupby("trial")[list(columns)].sum()
    return sums.to_numpy().T


def csm_pipeline_plans(scenario: complab.Scenario, weight: float, targets: dict[str, float]):
    """Each CSM plan with `weight` moved onto CSQL pipeline created."""
    plans = {}
    for seg in scenario.world.segment_names():
        p = scenario.plans[f"csm:{seg}"]
        churn, nrr = p.measures
        plans[f"plans.csm:{seg}"] = Plan(
            role="csm",
            ote=p.ote,
            base_share=p.base_share,
            name=p.name,
            measures=[
                Measure("gross_churn", 0.65 * (1 - weight), churn.target, churn.curve),
                Measure("nrr", 0.35 * (1 - weight), nrr.target, nrr.curve),
                Measure("csql_pipeline", weight, targets[seg], PayoutCurve.linear(0.0, 2.0)),
            ],
        )
    return scenario.with_(plans)


def test_weight_on_csql_pipeline_trades_health_for_pipeline():
    base = responsive(presets.default())
    pilot = complab.simulate(base, trials=8, seed=100).reps()
    targets = pilot[pilot.role == "csm"].groupby("segment")["csql_pipeline"].mean().to_dict()
    light = complab.simulate(csm_pipeline_plans(base, 0.1, targets), trials=TRIALS, seed=5)
    heavy = complab.simulate(csm_pipeline_plans(base, 0.6, targets), trials=TRIALS, seed=5)
    csql_l, due_l, churn_l = per_trial(
        light, "csql_raised", "first_renewals_due", "first_renewal_churns"
    )
    csql_h, due_h, churn_h = per_trial(
        heavy, "csql_raised", "first_renewals_due", "first_renewal_churns"
    )
    assert paired_t(csql_h, csql_l) > 4  # more CSQL volume
    health_l = light.monthly().groupby("trial")["mean_health"].mean().to_numpy()
    health_h = heavy.monthly().groupby("trial")["mean_health"].mean().to_numpy()
    assert paired_t(health_h, health_l) < -4  # customers pushed, not helped
    assert paired_t(churn_h / due_h, churn_l / due_l) > 3  # and more first renewals lost
    # the mechanism: CSMs moved effort from adoption to expansion
    effort_l = light.effort().query("role == 'csm'")["primary"].mean()
    effort_h = heavy.effort().query("role == 'csm'")["primary"].mean()
    assert effort_h < effort_l - 0.1


def ae_plans(
    scenario: complab.Scenario,
    curve: PayoutCurve,
    quota_scale: float,
    clawback: Clawback | None = None,
) -> complab.Scenario:
    plans = {}
    for seg in scenario.world.segment_names():
        p = scenario.plans[f"ae:{seg}"]
        new, expansion = p.measures
        plans[f"plans.ae:{seg}"] = Plan(
            role="ae",
            ote=p.ote,
            base_share=p.base_share,
            name=p.name,
            clawback=clawback,
            measures=[Measure("new_arr", new.weight, new.target * quota_scale, curve), expansion],
        )
    return scenario.with_(plans)


def months_past_quota(result: complab.Result, quota_of: dict[str, float]) -> pd.DataFrame:
    """The AE-months after each AE's new ARR for the period reached its quota.

    Rebuilt from the accounts it won (``keep_accounts``): an account opened in month m
    counts from the end of month m, so the AE knows it has passed at month m + 1.
    """
    acc = result.accounts()
    won = acc[(acc["opened"] >= 0) & (acc["ae"] >= 0)].copy()
    period_months = result.scenario.world.period_months
    won["period"] = won["opened"] // period_months
    won = won.sort_values(["trial", "ae", "opened"])
    won["so_far"] = won.groupby(["trial", "ae", "period"])["booked"].cumsum()
    won["quota"] = won["ae"].map(lambda rep: quota_of[result.roster.loc[rep, "segment"]])
    passed = won[won["so_far"] >= won["quota"]].groupby(["trial", "ae", "period"])["opened"].min()
    rows = []
    for (trial, ae, period), month in passed.items():
        for m in range(month + 1, (period + 1) * period_months):
            rows.append((trial, ae, m))
    return pd.DataFrame(rows, columns=["trial", "rep", "month"])


def test_cap_makes_ae_sandbag_for_the_rest_of_the_period():
    base = responsive(presets.default())
    # A low quota so that most AEs pass a cap at 100% attainment during the year.
    capped_scenario = ae_plans(base, PayoutCurve.tiered([(0.0, 0.0), (1.0, 1.0)]), 0.4)
    # Uncapped: a cap out of reach. At 40% of expected new ARR the AEs also work harder
    # (effort level up to 1.5, docs/model.md §8 3b) and average 4x quota, the best past 7x,
    # so a cap at 5x would make the early passers sandbag too.
    uncapped_scenario = ae_plans(base, PayoutCurve.linear(0.0, 20.0), 0.4)
    capped = complab.simulate(capped_scenario, trials=TRIALS, seed=8, keep_accounts=True)
    uncapped = complab.simulate(uncapped_scenario, trials=TRIALS, seed=8)
    quota = {
        seg: capped_scenario.plans[f"ae:{seg}"].measures[0].target
        for seg in base.world.segment_names()
    }
    after = months_past_quota(capped, quota)
    assert len(after) > 100  # most AEs pass the cap with months to spare
    key = ["trial", "rep", "month"]
    share_capped = after.merge(capped.effort(), on=key)["primary"].to_numpy()
    # The same AE-months in the uncapped world (same draws; the worlds part only slowly).
    share_uncapped = after.merge(uncapped.effort(), on=key)["primary"].to_numpy()
    nominal = base.world.effort.ae_new_business
    assert share_capped.mean() < nominal - 0.05  # past the cap, new business pays nothing
    assert share_uncapped.mean() >= nominal  # without the cap, no fall
    assert paired_t(share_capped, share_uncapped) < -4


def test_steep_accelerators_bunch_bookings_before_period_end():
    # The subject is the timing of the effort split, so the effort level is held at nominal
    # (max_effort_level 1): the steep plan's larger marginal pay otherwise raises its AEs'
    # level all year (about 1.28 against 1.14), adding wins mid-year as well as late.
    base = responsive(presets.default()).with_({"world.behaviour.max_effort_level": 1.0})
    # Quota at 80% of expected new ARR: most AEs end the year above it, where the steep
    # plan's slope (4x) exceeds the flat plan's (1x); early on, unsure where they will
    # land, they see a blend of the two.
    steep = complab.simulate(
        ae_plans(base, PayoutCurve.commission([(1.0, 4.0)], cap=6.0), 0.8), trials=120, seed=13
    )
    flat = complab.simulate(ae_plans(base, PayoutCurve.linear(0.0, 6.0), 0.8), trials=120, seed=13)

    def deals_won(result: complab.Result, months_of_period: list[int]) -> np.ndarray:
        m = result.monthly()
        m = m[(m["month"] >= 12) & (m["month"] % 12).isin(months_of_period)]  # pipeline full
        return m.groupby("trial")["new_logos"].sum().to_numpy()

    # Same opportunities and draws in both worlds (common random numbers): the steep plan's
    # extra wins in the last quarter of the year exceed its extra wins mid-year.
    late, mid = [9, 10, 11], [3, 4, 5]
    extra_late = deals_won(steep, late) - deals_won(flat, late)
    extra_mid = deals_won(steep, mid) - deals_won(flat, mid)
    assert paired_t(extra_late, extra_mid) > 3

    # The mechanism, paired per trial: the steep plan's extra new-business share over the
    # flat plan's is larger late in the year than mid-year (both plans' shares drift with
    # the year the same way otherwise).
    def share(result: complab.Result, months_of_period: list[int]) -> np.ndarray:
        e = result.effort().query("role == 'ae' and month >= 12")
        e = e[(e["month"] % 12).isin(months_of_period)]
        return e.groupby("trial")["primary"].mean().to_numpy()

    gap_late = share(steep, late) - share(flat, late)
    gap_mid = share(steep, mid) - share(flat, mid)
    assert paired_t(gap_late, gap_mid) > 3


def ae_earnings_and_skill(result: complab.Result) -> tuple[np.ndarray, np.ndarray]:
    """AE earnings and log skill, trials x (rep, period) after the first year."""
    ae = result.reps().query("role == 'ae' and period > 0")
    earnings = ae.pivot_table(index="trial", columns=["rep", "period"], values="earnings")
    skill = ae.pivot_table(index="trial", columns=["rep", "period"], values="skill")
    return earnings.to_numpy(), np.log(skill.to_numpy())


def luck_variance(earnings: np.ndarray, skill: np.ndarray) -> float:
    """Mean over rep-periods of the earnings variance across trials that skill does not explain."""
    residual = []
    for j in range(earnings.shape[1]):
        x = np.column_stack([np.ones(len(earnings)), skill[:, j]])
        coef, *_ = np.linalg.lstsq(x, earnings[:, j], rcond=None)
        residual.append(np.var(earnings[:, j] - x @ coef))
    return float(np.mean(residual))


def test_first_renewal_clawback_curbs_overpromising():
    # The article's preset (clawback of the whole commission, 12-month window) against the
    # default, both with AEs over-promising at 0.3 by habit and responding to their plans.
    habit = {"world.effort.ae_overpromise": 0.3}
    trials = 120
    without = complab.simulate(
        responsive(presets.default().with_(habit), beta=10.0), trials=trials, seed=21
    )
    with_claw = complab.simulate(
        responsive(presets.first_renewal_clawback().with_(habit), beta=10.0), trials=trials, seed=21
    )

    def overpromise(result: complab.Result) -> np.ndarray:
        return (
            result.effort().query("role == 'ae'").groupby("trial")["overpromise"].mean().to_numpy()
        )

    assert paired_t(overpromise(with_claw), overpromise(without)) < -4
    due_w, churn_w = per_trial(with_claw, "first_renewals_due", "first_renewal_churns")
    due_o, churn_o = per_trial(without, "first_renewals_due", "first_renewal_churns")
    assert paired_t(churn_w / due_w, churn_o / due_o) < -4
    # Pay now depends on customers' renewals after the sale: more of an AE's earnings is
    # luck. Measured with behaviour held fixed, where it is the clawback's own effect (in
    # responsive mode the lower over-promising also takes some variance away). Ratio of
    # luck variances, with a paired bootstrap over trials for its spread. The hazards are
    # the book's churn at the habitual over-promising (docs/model.md §5 step 5), so the
    # extra first-renewal churn the habit brought is gone and the clawback adds about 7% to
    # the luck variance: 480 trials resolve it (bootstrap sd about 0.014).
    trials = 480
    fixed_without = complab.simulate(presets.default().with_(habit), trials=trials, seed=21)
    fixed_with = complab.simulate(
        presets.first_renewal_clawback().with_(habit), trials=trials, seed=21
    )
    (ew, sw), (eo, so) = ae_earnings_and_skill(fixed_with), ae_earnings_and_skill(fixed_without)
    ratio = luck_variance(ew, sw) / luck_variance(eo, so)
    rng = np.random.default_rng(0)
    boot = []
    for _ in range(200):
        i = rng.integers(0, trials, trials)
        boot.append(luck_variance(ew[i], sw[i]) / luck_variance(eo[i], so[i]))
    assert ratio - 3 * np.std(boot) > 1.0, (ratio, np.std(boot))


def test_shared_nrr_raises_handoff_acceptance():
    base = presets.default()
    shared = base.with_(
        {
            f"plans.ae:{seg}.measures.expansion_arr.metric": "nrr"
            for seg in base.world.segment_names()
        }
        | {
            f"plans.ae:{seg}.measures.expansion_arr.target": 1.05
            for seg in base.world.segment_names()
        }
    )
    a = complab.simulate(base, trials=TRIALS, seed=34)
    b = complab.simulate(shared, trials=TRIALS, seed=34)
    raised_a, accepted_a = per_trial(a, "csql_raised", "handoffs_accepted")
    raised_b, accepted_b = per_trial(b, "csql_raised", "handoffs_accepted")
    assert paired_t(accepted_b / raised_b, accepted_a / raised_a) > 4
    q0, dq = base.world.handoff_acceptance, base.world.shared_nrr_acceptance_uplift
    rate = accepted_b.sum() / raised_b.sum()
    assert abs(rate - (q0 + dq)) < 4 * np.sqrt((q0 + dq) * (1 - q0 - dq) / raised_b.sum())


def test_zero_sensitivity_is_fixed_mode_exactly():
    fixed = complab.simulate(presets.default(), trials=6, seed=55)
    zero = complab.simulate(responsive(presets.default(), beta=0.0), trials=6, seed=55)
    for key in fixed.arrays:
        np.testing.assert_array_equal(fixed.arrays[key], zero.arrays[key], err_msg=key)


def test_effort_table_and_controllability():
    result = complab.simulate(responsive(presets.default()), trials=40, seed=2)
    effort = result.effort()
    assert len(effort) == result.trials * len(result.roster) * result.months
    np.testing.assert_allclose(effort["primary"] + effort["secondary"], 1.0, rtol=1e-6)
    assert effort.query("role == 'csm'")["primary"].std() > 0  # effort moves with the plan
    ctrl = result.controllability()
    assert set(ctrl["plan"]) == set(result.scenario.plans)
    assert ctrl["controllability"].between(0, 1).all()

    # An SDR's opportunity count follows its skill (Poisson mean = rate x skill); a CSM's
    # churn payout is mostly the luck of which customers renew (docs/model.md §8, article 002).
    def ctrl_of(plan: str, measure: str) -> float:
        return ctrl.query("plan == @plan and measure == @measure")["controllability"].iloc[0]

    assert ctrl_of("sdr", "opportunities") > 0.5
    assert ctrl_of("ae:smb", "new_arr") > 0.2
    # Skill's share of the churn payout by hand: skill sd 0.25 moves the health target by
    # theta_a 0.25 = 0.025 and churn by lambda_h 0.025 = 5% of about 15%, 0.0075, against
    # the binomial sd of a 400-account book's renewals, sqrt(0.15 0.85 / 400) = 0.018:
    # R² about 0.15-0.2. Mostly luck: well under half.
    assert ctrl_of("csm:smb", "gross_churn") < 0.5
    assert ctrl_of("csm:smb", "gross_churn") < ctrl_of("sdr", "opportunities")
    summary = result.summary()
    assert summary["kpi"].str.startswith("controllability[").sum() == len(ctrl)


def test_csm_without_a_starting_book_still_values_its_csqls():
    # SMB starts with no accounts: its CSMs' period-start books are empty all of year 0,
    # while new customers reach them month by month. A plan paid on CSQLs alone must still
    # pull their effort toward expansion work: CSQL counts need no starting book.
    base = presets.default()
    csqls = Plan(
        role="csm",
        ote=90_000,
        base_share=0.8,
        measures=[Measure("csql_count", 1.0, 20, PayoutCurve.linear(0.0, 2.0))],
    )
    scenario = responsive(
        base.with_({"world.segments.smb.initial_accounts": 0, "plans.csm:smb": csqls})
    )
    effort = complab.simulate(scenario, trials=4, seed=8).effort()
    year0 = effort.query("role == 'csm' and segment == 'smb' and month < 12")
    fixed_share = 1.0 - base.world.effort.csm_adoption
    assert year0["secondary"].max() > fixed_share + 0.05


def test_a_spif_draws_effort_to_its_metric():
    base = responsive(presets.default())
    spif = base.with_(
        {
            f"plans.ae:{seg}": dataclasses.replace(
                base.plans[f"ae:{seg}"], spifs=(Spif("expansion_wins", 5_000),)
            )
            for seg in base.world.segment_names()
        }
    )

    def follow_up(result: complab.Result) -> np.ndarray:
        ae = result.effort().query("role == 'ae'")
        return ae.groupby("trial")["secondary"].mean().to_numpy()

    a = complab.simulate(base, trials=TRIALS, seed=9)
    b = complab.simulate(spif, trials=TRIALS, seed=9)
    assert paired_t(follow_up(b), follow_up(a)) > 4


def test_no_commission_means_nothing_to_claw_back():
    # A multiplier that pays nothing zeroes every commission, so the AE's over-promising
    # wins nothing and risks no clawback: it stays at its habitual level.
    base = presets.first_renewal_clawback().with_({"world.effort.ae_overpromise": 0.3})
    nothing = Multiplier("new_logos", 1.0, PayoutCurve((0.0, 1.0), (0.0, 0.0)))
    scenario = responsive(
        base.with_(
            {
                f"plans.ae:{seg}": dataclasses.replace(base.plans[f"ae:{seg}"], multiplier=nothing)
                for seg in base.world.segment_names()
            }
        )
    )
    over = complab.simulate(scenario, trials=4, seed=10).effort().query("role == 'ae'")
    np.testing.assert_allclose(over["overpromise"], 0.3, rtol=1e-6)


def test_a_world_without_reps_runs_responsive_as_fixed():
    # Nobody to respond: the book alone, exactly as in fixed mode (the responsive pass once
    # read a per-AE table that a world without reps leaves empty).
    data = presets.default().to_dict()
    for segment in data["world"]["segments"]:
        segment["ae_headcount"] = 0
        segment["csm_headcount"] = 0
    data["world"]["sdr_headcount"] = 0
    fixed = complab.Scenario.from_dict(data)
    responsive = fixed.with_({"world.behaviour.incentive_sensitivity": 2.0})
    a = complab.simulate(fixed, trials=3, seed=1).arrays
    b = complab.simulate(responsive, trials=3, seed=1).arrays
    for name in ("monthly", "cohorts"):
        np.testing.assert_array_equal(a[name], b[name])
