"""Seat terms, annual true-ups, draws and quota ratchets (docs/model.md §7) through the
Python API: plan fields, scenario files, and payroll over simulated worlds checked against
the annual plan and hand-worked rules computed here in NumPy."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import complab
from complab import Draw, Measure, PayoutCurve, Plan, Ratchet, Scenario, _core, plots, presets
from complab.result import Result, metric_actuals

CENT = 0.005


def field(name: str) -> int:
    return list(_core.PAY_FIELDS).index(name)


def ae_rows(result: Result, segment: str = "smb") -> np.ndarray:
    roster = result.roster
    return roster.index[(roster["role"] == "ae") & (roster["segment"] == segment)].to_numpy()


@pytest.fixture(scope="module")
def quarterly() -> Result:
    """The default world paid quarterly for three years (targets stated annually)."""
    scenario = presets.default().with_({"world.period_months": 3})
    return complab.simulate(scenario, trials=8, seed=11)


@pytest.fixture(scope="module")
def annual() -> Result:
    return complab.simulate(presets.default(), trials=8, seed=12)


# ---------------------------------------------------------------------------------------
# Plan fields


def test_new_plan_fields_round_trip_through_dicts_and_scenario_files(tmp_path) -> None:
    base = presets.default().plans["ae:smb"]
    plan = replace(
        base, true_up=True, draw=Draw(5_000, 4, recoverable=True), ratchet=Ratchet(0.5, 0.25)
    )
    d = plan.to_dict()
    assert d["true_up"] is True
    assert d["draw"] == {"amount": 5_000.0, "months": 4, "recoverable": True}
    assert d["ratchet"] == {"up": 0.5, "down": 0.25}
    assert Plan.from_dict(d) == plan
    assert base.to_dict()["draw"] is None and base.to_dict()["true_up"] is False
    # Dotted paths reach the new fields, and their errors name them.
    edited = presets.default().with_(
        {"plans.ae:smb.true_up": True, "plans.ae:smb.draw": {"amount": 1_000, "months": 3}}
    )
    assert edited.plans["ae:smb"].true_up and edited.plans["ae:smb"].draw == Draw(1_000, 3)
    with pytest.raises(ValueError, match=r"ratchet\.up: 2 is not in \[0, 1\]"):
        presets.default().with_({"plans.ae:smb.ratchet": {"up": 2}})
    scenario = presets.default().with_({"plans.ae:smb": plan})
    path = tmp_path / "s.yaml"
    scenario.to_yaml(path)
    assert Scenario.from_yaml(path).plans["ae:smb"] == plan
    core = plan._to_core(12)
    assert core.true_up and core.draw.months == 4 and core.ratchet.down == 0.25


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ratchet": Ratchet(1.5, 0.0)}, r"ratchet\.up: 1\.5 is not in \[0, 1\]"),
        ({"ratchet": Ratchet(0.5, -0.2)}, r"ratchet\.down: -0\.2 is not in \[0, 1\]"),
        ({"draw": Draw(-1.0, 3)}, r"draw\.amount: -1 is not a finite number >= 0"),
        ({"draw": Draw(100.0, 500)}, r"draw\.months: 500 is not in 0\.\.120"),
        ({"true_up": "yes"}, r"true_up: 'yes' is not true or false"),
        ({"draw": {"amount": 1}}, r"draw: expected a Draw, got dict"),
    ],
)
def test_bad_plan_fields_name_the_field_the_value_and_what_is_allowed(change, message) -> None:
    with pytest.raises(ValueError, match=message):
        replace(presets.default().plans["ae:smb"], **change)


def test_bad_fields_in_dicts_and_a_ratchet_on_a_rate_are_value_errors() -> None:
    with pytest.raises(ValueError, match=r"draw\.amount: 'lots' is not a number"):
        Draw("lots", 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"draw: unknown key 'monhts' \(allowed: amount"):
        Draw.from_dict({"amount": 1.0, "monhts": 3})
    with pytest.raises(ValueError, match=r"draw\.recoverable: 1 is not true or false"):
        Draw(1.0, 3, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"ratchet: the first measure's metric 'nrr' is a rate"):
        Plan(
            "csm",
            100_000,
            0.8,
            [Measure("nrr", 1.0, 1.05, PayoutCurve.linear())],
            ratchet=Ratchet(0.5, 0.5),
        )
    d = presets.default().plans["ae:smb"].to_dict()
    d["ratchet"] = {"up": "high"}
    with pytest.raises(ValueError, match=r"ratchet\.up: 'high' is not a number"):
        Plan.from_dict(d)


# ---------------------------------------------------------------------------------------
# True-up


def year_sum(x: np.ndarray, per_year: int) -> np.ndarray:
    """Sums axis 2 (periods) over each whole year: [t, r, years, ...]."""
    t, r, p = x.shape[:3]
    years = p // per_year
    return x[:, :, : years * per_year].reshape(t, r, years, per_year, *x.shape[3:]).sum(axis=3)


def test_a_true_up_pays_each_year_the_annual_plan_on_the_years_attainment(quarterly) -> None:
    plan = quarterly.scenario.plans["ae:smb"]
    trued = quarterly.repay({"ae:smb": replace(plan, true_up=True)})
    rows = ae_rows(quarterly)
    pay = trued.arrays["pay"][:, rows]
    paid = year_sum(pay[..., field("variable")] - pay[..., field("true_up_recovery")], 4)
    # The annual plan (period_months 12) on the year's actuals from its summed raw slots.
    actuals = metric_actuals(year_sum(quarterly.arrays["rep_raw"][:, rows], 4))
    annual = plan.payout(
        {m.metric: actuals[m.metric].reshape(-1) for m in plan.measures}, period_months=12
    )["variable"].to_numpy()
    assert paid.size == 8 * len(rows) * 3
    np.testing.assert_allclose(paid.reshape(-1), annual, rtol=0, atol=CENT)
    # Without the true-up the years differ.
    plain = year_sum(quarterly.arrays["pay"][:, rows][..., field("variable")], 4)
    assert np.abs(plain.reshape(-1) - annual).max() > 100.0
    # Earnings add up with the recovery taken off.
    p = pay.reshape(-1, len(_core.PAY_FIELDS))
    np.testing.assert_allclose(
        p[:, field("earnings")],
        p[:, field("base")]
        + p[:, field("variable")]
        + p[:, field("spif")]
        - p[:, field("clawback_applied")]
        - p[:, field("true_up_recovery")],
        atol=1e-9,
    )


def test_a_true_up_settles_only_the_part_of_the_year_held_by_the_rep_at_its_end(quarterly) -> None:
    # One seat: its rep leaves after month 17, the seat is vacant in months 18-20 and a new rep
    # joins in month 21. Year 2's true-up settles the new rep's Q4 alone: the plan for one
    # quarter on its actuals, which is that quarter's own pay; years 1 and 3 (one rep all
    # year) are settled on the annual plan as before.
    r = ae_rows(quarterly)[0]
    tenure = quarterly.arrays["rep_tenure"].copy()
    terms = quarterly.arrays["rep_terms"].copy()
    tenure[:, r, 18:21] = -1
    tenure[:, r, 21:] = np.arange(tenure.shape[2] - 21, dtype=np.int16)
    terms[:, r, 6] = 0.0  # the vacant quarter
    seat = with_arrays(quarterly, rep_tenure=tenure, rep_terms=terms)
    plan = quarterly.scenario.plans["ae:smb"]
    trued = seat.repay({"ae:smb": replace(plan, true_up=True)}).arrays["pay"][:, r]
    plain = seat.repay({"ae:smb": plan}).arrays["pay"][:, r]
    net = trued[..., field("variable")] - trued[..., field("true_up_recovery")]
    np.testing.assert_allclose(net[:, 4:8], plain[:, 4:8, field("variable")], atol=CENT)
    np.testing.assert_array_equal(trued[:, 6, : field("quota_factor")], 0.0)
    actuals = metric_actuals(year_sum(quarterly.arrays["rep_raw"][:, [r]], 4))
    annual = (
        plan.payout(
            {m.metric: actuals[m.metric].reshape(-1) for m in plan.measures}, period_months=12
        )["variable"]
        .to_numpy()
        .reshape(8, 3)
    )
    paid = year_sum(net[:, None], 4)[:, 0]
    np.testing.assert_allclose(paid[:, [0, 2]], annual[:, [0, 2]], atol=CENT)
    assert np.abs(paid[:, 1] - annual[:, 1]).max() > 100.0


# ---------------------------------------------------------------------------------------
# Seat terms and tenure through Result.repay


def with_arrays(result: Result, **arrays: np.ndarray) -> Result:
    return Result(
        scenario=result.scenario,
        seed=result.seed,
        first_trial=result.first_trial,
        arrays=dict(result.arrays, **arrays),
        history=result.history,
    )


def test_repay_pays_each_seat_at_its_terms(annual) -> None:
    rows = ae_rows(annual)
    terms = annual.arrays["rep_terms"].copy()
    assert terms.shape[-1] == 2 and (terms == 1.0).all()
    r0, r1 = rows[0], rows[1]
    terms[:, r0, :, 1] = 0.0  # vacant: no pay at all
    terms[:, r1, :, 0] = 0.5  # half the quota, 80% of the OTE
    terms[:, r1, :, 1] = 0.8
    plan = annual.scenario.plans["ae:smb"]
    repaid = with_arrays(annual, rep_terms=terms).repay({"ae:smb": plan})
    pay = repaid.arrays["pay"]
    assert (pay[:, r0, :, : field("quota_factor")] == 0.0).all()
    assert (pay[:, r0, :, field("quota_factor")] == 1.0).all()
    # Rep r1: base 60,000 * 0.8; variable at twice the attainment (both measures are volumes).
    np.testing.assert_allclose(pay[:, r1, :, field("base")], 48_000.0, atol=CENT)
    actuals = metric_actuals(annual.arrays["rep_raw"][:, r1])
    expected = (
        0.8
        * plan.payout({m.metric: 2.0 * actuals[m.metric].reshape(-1) for m in plan.measures})[
            "variable"
        ].to_numpy()
    )
    np.testing.assert_allclose(
        pay[:, r1, :, field("variable")].reshape(-1), expected, rtol=1e-12, atol=CENT
    )
    # Everyone else is paid as before.
    others = np.setdiff1d(np.arange(pay.shape[1]), [r0, r1])
    np.testing.assert_array_equal(pay[:, others], annual.arrays["pay"][:, others])


@pytest.mark.parametrize("people", [False, True])
def test_repay_keeps_named_reps_own_ote_and_quota_when_their_plan_moves(people) -> None:
    """A named rep's own OTE and quota are amounts: re-paying under a plan with another OTE
    and first target pays it as simulating that plan does (its scales move), while the
    plan's other seats follow the plan. With people, reps leave and backfills are paid on
    the plan's terms."""
    world = presets.workforce() if people else presets.default()
    base = world.with_(
        {
            "world.workforce.roster": [
                {"name": "ana", "role": "ae", "segment": "smb", "hired_month": -30,
                 "ote": 130_000, "quota": 700_000},
                {"name": "ben", "role": "ae", "segment": "smb", "hired_month": -30, "ote": 95_000},
                {"name": "cy", "role": "ae", "segment": "smb", "hired_month": -30},
            ],
            "world.segments.smb.ae_headcount": 3,
        }
    )  # fmt: skip
    plan = base.plans["ae:smb"]
    first = plan.measures[0]
    moved = {
        "plans.ae:smb.ote": plan.ote * 1.25,
        "plans.ae:smb.measures": [replace(first, target=first.target * 1.5), *plan.measures[1:]],
    }
    trials = 30 if people else 6
    repaid = complab.simulate(base, trials=trials, seed=3).repay(moved)
    direct = complab.simulate(base.with_(moved), trials=trials, seed=3)
    np.testing.assert_allclose(repaid.arrays["pay"], direct.arrays["pay"], rtol=1e-12, atol=CENT)
    np.testing.assert_allclose(repaid.arrays["rep_terms"], direct.arrays["rep_terms"], rtol=1e-12)
    if people:  # some named reps left: their backfills are paid on the plan's terms
        held = direct.arrays["rep_tenure"][:, ae_rows(direct)[:2]]
        assert (held < 0).any()
        return
    # Ana and Ben keep their own OTE (base at the plan's base share); Cy has the new plan's.
    rows = ae_rows(direct)
    base_pay = repaid.arrays["pay"][..., field("base")][:, rows]  # [trials, reps, periods]
    share = plan.base_share
    np.testing.assert_allclose(base_pay[:, 0], 130_000 * share, atol=CENT)
    np.testing.assert_allclose(base_pay[:, 1], 95_000 * share, atol=CENT)
    np.testing.assert_allclose(base_pay[:, 2], plan.ote * 1.25 * share, atol=CENT)


def test_repay_tops_up_a_new_reps_variable_pay_to_its_draw(annual) -> None:
    rows = ae_rows(annual)
    tenure = annual.arrays["rep_tenure"].copy()
    assert tenure.dtype == np.int16
    r = rows[0]
    tenure[:, r] = np.arange(tenure.shape[2], dtype=np.int16)  # a new rep from month 0
    plan = annual.scenario.plans["ae:smb"]
    draw = replace(plan, draw=Draw(9_000, 6, recoverable=False))
    pay = with_arrays(annual, rep_tenure=tenure).repay({"ae:smb": draw}).arrays["pay"]
    variable = pay[:, r, :, field("variable")]
    # Year 1 has six draw months, 54,000 due; later years none.
    np.testing.assert_allclose(
        pay[:, r, 0, field("draw_top_up")], np.maximum(0.0, 54_000.0 - variable[:, 0]), atol=CENT
    )
    assert (pay[:, r, 1:, field("draw_top_up")] == 0.0).all()
    assert (pay[:, r, 0, field("draw_top_up")] > 0).any()
    # The long-tenured reps get none.
    assert (np.delete(pay, r, axis=1)[..., field("draw_top_up")] == 0.0).all()
    table = with_arrays(annual, rep_tenure=tenure).repay({"ae:smb": draw}).reps()
    assert {"true_up_recovery", "draw_top_up", "draw_recovered", "draw_balance"} <= set(table)
    earned = with_arrays(annual, rep_tenure=tenure).repay({"ae:smb": draw}).annual_earnings()
    year1 = earned[(earned["rep"] == r) & (earned["year"] == 1)]["draw_top_up"].to_numpy()
    np.testing.assert_allclose(year1, pay[:, r, 0, field("draw_top_up")], atol=CENT)


def test_repay_rejects_terms_of_the_wrong_shape(annual) -> None:
    bad = with_arrays(annual, rep_terms=annual.arrays["rep_terms"][:, :, :, :1].copy())
    with pytest.raises(ValueError, match=r"rep_terms: shape \(8, \d+, 3, 1\) is not"):
        bad.repay({"ae:smb": annual.scenario.plans["ae:smb"]})
    bad = with_arrays(annual, rep_tenure=annual.arrays["rep_tenure"].astype(np.int32))
    with pytest.raises(ValueError, match=r"rep_tenure: dtype int32 is not int16"):
        bad.repay({"ae:smb": annual.scenario.plans["ae:smb"]})


# ---------------------------------------------------------------------------------------
# Ratchet


def test_a_ratchet_moves_each_seats_quota_by_last_years_attainment(annual) -> None:
    plan = annual.scenario.plans["ae:smb"]
    up, down = 0.6, 0.3
    pay = annual.repay({"ae:smb": replace(plan, ratchet=Ratchet(up, down))}).arrays["pay"]
    rows = ae_rows(annual)
    actuals = metric_actuals(annual.arrays["rep_raw"][:, rows])  # [t, r, years]
    target = plan.measures[0].target
    f = np.ones(actuals["new_arr"].shape[:2])
    for year in range(3):
        expected = plan.payout(
            {m.metric: (actuals[m.metric][:, :, year] / f).reshape(-1) for m in plan.measures}
        )["variable"].to_numpy()
        np.testing.assert_allclose(
            pay[:, rows, year, field("variable")].reshape(-1), expected, rtol=1e-12, atol=CENT
        )
        a = actuals["new_arr"][:, :, year] / (target * f)
        f = np.maximum(f * np.where(a > 1, 1 + up * (a - 1), 1 - down * (1 - a)), 0.1)
    assert not np.allclose(f, 1.0)


def test_reps_and_attainments_report_the_quota_the_ratchet_pays_on(annual) -> None:
    plan = annual.scenario.plans["ae:smb"]
    ratcheted = annual.repay({"ae:smb": replace(plan, ratchet=Ratchet(0.6, 0.3))})
    rows = ae_rows(annual)
    factor = ratcheted.arrays["pay"][..., field("quota_factor")]  # [t, r, years]
    # Year 1 at the plan's quota; later years ratcheted; seats on other plans at 1.
    assert (factor[:, rows, 0] == 1.0).all() and not np.allclose(factor[:, rows, 1:], 1.0)
    assert (np.delete(factor, rows, axis=1) == 1.0).all()
    assert (annual.arrays["pay"][..., field("quota_factor")] == 1.0).all()
    reps = ratcheted.reps()
    np.testing.assert_array_equal(
        reps["quota_scale"].to_numpy(), (annual.arrays["rep_terms"][..., 0] * factor).reshape(-1)
    )
    np.testing.assert_array_equal(reps["quota_factor"].to_numpy(), factor.reshape(-1))
    # Attainment is reported on the ratcheted target, the one pay is computed on (as
    # test_a_ratchet_moves_each_seats_quota_by_last_years_attainment checks).
    m0 = plan.measures[0]
    table = plots.attainments(ratcheted)
    got = table[
        (table["role"] == "ae") & (table["segment"] == "smb") & (table["measure"] == m0.name)
    ]
    a = got.sort_values(["trial", "rep", "period"])["attainment"].to_numpy()
    actual = metric_actuals(annual.arrays["rep_raw"][:, rows])[m0.metric]
    np.testing.assert_allclose(a, (actual / (m0.target * factor[:, rows])).reshape(-1), rtol=1e-12)


def test_plans_without_the_new_fields_pay_as_before(annual) -> None:
    repaid = annual.repay({"ae:smb": annual.scenario.plans["ae:smb"]})
    np.testing.assert_array_equal(repaid.arrays["pay"], annual.arrays["pay"])
    new = [field(n) for n in ("true_up_recovery", "draw_top_up", "draw_recovered", "draw_balance")]
    assert (annual.arrays["pay"][..., new] == 0.0).all()


def test_a_curve_on_the_plan_is_untouched_by_the_new_fields() -> None:
    plan = Plan("ae", 100_000, 0.5, [Measure("new_arr", 1.0, 100_000, PayoutCurve.linear())])
    assert replace(plan, true_up=True).payout({"new_arr": [50_000.0]})["variable"].iloc[0] == (
        pytest.approx(25_000.0)
    )


def test_responsive_aes_above_quota_ease_off_in_the_last_quarter_under_a_ratchet() -> None:
    # A quarterly world whose AE quotas are 60% of the preset's, so most AEs pass their
    # annual quota within three quarters; the same seed with and without a full ratchet up.
    world = presets.default().with_(
        {"world.period_months": 3, "world.months": 12, "world.behaviour.incentive_sensitivity": 2.0}
    )
    easy = {
        key: replace(plan, measures=[replace(m, target=0.6 * m.target) for m in plan.measures])
        for key, plan in world.plans.items()
        if key.startswith("ae:")
    }
    plain = world.with_({f"plans.{k}": p for k, p in easy.items()})
    ratcheted = plain.with_(
        {f"plans.{k}": replace(p, ratchet=Ratchet(1.0, 0.0)) for k, p in easy.items()}
    )
    a = complab.simulate(plain, trials=20, seed=5)
    b = complab.simulate(ratcheted, trials=20, seed=5)
    ae = ae_rows(a, "smb").tolist() + ae_rows(a, "mid_market").tolist()
    ae += ae_rows(a, "enterprise").tolist()
    ae = np.array(sorted(ae))
    primary = list(_core.EFFORT_FIELDS).index("primary")
    ea, eb = a.arrays["effort"][..., primary], b.arrays["effort"][..., primary]
    # The ratchet only enters the year's last quarter: the worlds agree until then.
    np.testing.assert_array_equal(ea[:, :, :9], eb[:, :, :9])
    # Already above the annual quota after three quarters.
    segments = a.roster["segment"].to_numpy()[ae]
    target = np.array([easy[f"ae:{s}"].measures[0].target for s in segments])
    ytd = metric_actuals(a.arrays["rep_raw"][:, ae, :3].sum(axis=2))["new_arr"] / target
    above = ytd > 1.0
    drop = (eb[:, ae, 9:12] - ea[:, ae, 9:12]).mean(axis=2)  # [trials, AEs]
    per_trial = np.array([drop[t][above[t]].mean() for t in range(drop.shape[0]) if above[t].any()])
    assert len(per_trial) >= 15
    t_stat = per_trial.mean() / (per_trial.std(ddof=1) / np.sqrt(len(per_trial)))
    assert t_stat < -4.0, (per_trial.mean(), t_stat)
