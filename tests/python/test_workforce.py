"""People, not headcount (docs/model.md §9): seats that ramp, are vacated and refilled,
checked against the model without people, closed forms and paired comparisons."""

from __future__ import annotations

import numpy as np
import pytest

import complab
from complab import Measure, PayoutCurve, Plan, presets
from complab.scenario import _monthly_hazard

FIELDS = complab._core.HEADCOUNT_FIELDS


def one_segment(**changes: object) -> complab.Scenario:
    """A small company: one segment, 6 AEs, 4 CSMs, no SDRs; AEs paid on new ARR."""
    world = complab.World(
        segments=(
            complab.Segment(
                name="smb",
                initial_accounts=400,
                acv_median=12_000,
                acv_log_sd=0.4,
                renewal_hazard=(0.2, 0.12),
                csm_coverage=100,
                inbound_opportunities=40,
                ae_prospecting=2,
                ae_capacity=1000,
                sales_cycle_months=1,
                ae_headcount=6,
                csm_headcount=4,
            ),
        ),
        months=36,
        period_months=3,
        sdr_headcount=0,
    )
    plan = Plan(
        name="ae",
        role="ae",
        ote=120_000,
        base_share=0.5,
        measures=(
            Measure(
                name="new_arr",
                metric="new_arr",
                weight=1.0,
                target=150_000,
                curve=PayoutCurve((0.0, 1.0, 2.0), (0.0, 1.0, 2.0)),
            ),
        ),
    )
    scenario = complab.Scenario(world=world, plans={"ae": plan})
    return scenario.with_(dict(changes)) if changes else scenario


def test_a_workforce_that_never_changes_is_the_model_without_people() -> None:
    base = presets.default()
    still = base.with_(
        {
            "world.workforce.ae.ramp": [1.0],
            "world.workforce.csm.attrition": [{"from_month": 0, "annual_rate": 0.0}],
            "world.workforce.hiring": [
                {"role": "ae", "segment": "smb", "month": 0, "headcount": 0}
            ],
        }
    )
    assert complab._core.roster(still._to_core())[0] == complab._core.roster(base._to_core())[0]
    a = complab.simulate(base, trials=12, seed=5)
    b = complab.simulate(still, trials=12, seed=5)
    for name in ("monthly", "cohorts", "rep_raw", "pay", "rep_skill", "rep_terms", "headcount"):
        np.testing.assert_array_equal(a.arrays[name], b.arrays[name], err_msg=name)


def leavers_and_rep_months(
    result: complab.Result, role: str = "ae"
) -> tuple[np.ndarray, np.ndarray]:
    hc = result.headcount()
    per_trial = hc[hc.role == role].groupby("trial")[["left", "held"]].sum()
    return per_trial["left"].to_numpy(float), per_trial["held"].to_numpy(float)


def test_constant_hazard_with_instant_backfill_loses_h_per_rep_month() -> None:
    annual = 0.3
    h = _monthly_hazard(annual)
    scenario = one_segment(
        **{
            "world.workforce.ae.attrition": [{"from_month": 0, "annual_rate": annual}],
            "world.workforce.ae.backfill_lag_months": 0,
        }
    )
    left, held = leavers_and_rep_months(complab.simulate(scenario, trials=400, seed=3))
    assert np.all(held == 6 * 36)  # instant backfill: never vacant
    d = left - h * held
    assert abs(d.mean()) < 4 * d.std(ddof=1) / np.sqrt(len(d)), (left.mean(), h * held.mean())


def expected_vacant_months(h: float, lag: int, months: int) -> float:
    """Per seat held at month 0: expected vacant months, by the seat's Markov chain (held,
    or vacant with j months to its backfill)."""
    state = np.zeros(lag + 1)
    state[0] = 1.0  # held
    vacant = 0.0
    for _ in range(months):
        vacant += state[1:].sum()
        new = np.zeros_like(state)
        new[0] = state[0] * (1 - h) + (state[1] if lag >= 1 else 0.0)
        if lag >= 1:
            new[lag] += state[0] * h
            new[1:lag] += state[2 : lag + 1]
        else:
            new[0] += state[0] * h
        state = new
    return vacant


@pytest.mark.parametrize("lag", [1, 3])
def test_vacant_rep_months_match_the_closed_form(lag: int) -> None:
    annual = 0.4
    scenario = one_segment(
        **{
            "world.workforce.ae.attrition": [{"from_month": 0, "annual_rate": annual}],
            "world.workforce.ae.backfill_lag_months": lag,
        }
    )
    hc = complab.simulate(scenario, trials=400, seed=8).headcount()
    vacant = hc[hc.role == "ae"].groupby("trial")["vacant"].sum().to_numpy(float)
    expected = 6 * expected_vacant_months(_monthly_hazard(annual), lag, 36)
    se = vacant.std(ddof=1) / np.sqrt(len(vacant))
    assert abs(vacant.mean() - expected) < 4 * se, (vacant.mean(), expected, se)


RAMP = [0.2, 0.2, 0.2, 0.6, 0.6, 0.6, 1.0]


def ramping_company() -> complab.Scenario:
    """Three AEs hired at month 0, three ten years before; nobody leaves."""
    roster = [
        {"name": f"new{i}", "role": "ae", "segment": "smb", "hired_month": 0} for i in range(3)
    ] + [{"name": f"old{i}", "role": "ae", "segment": "smb", "hired_month": -120} for i in range(3)]
    return one_segment(
        **{
            "world.workforce.ae.ramp": RAMP,
            # Deals close a month after they are made: the quota ramp lags the ramp by one.
            "world.workforce.ae.quota_ramp": [0.2] + RAMP,
            "world.workforce.roster": roster,
        }
    )


def test_a_ramping_ae_books_its_ramp_times_a_ramped_ae() -> None:
    result = complab.simulate(
        ramping_company().with_({"world.period_months": 1}), trials=300, seed=4
    )
    reps = result.reps()
    ae = reps[reps.role == "ae"]
    new = ae.pivot_table(index=["trial", "period"], columns="rep", values="new_arr")
    ramping = new[[0, 1, 2]].sum(axis=1).unstack()  # [trial, month]
    ramped = new[[3, 4, 5]].sum(axis=1).unstack()
    for month in range(1, 9):  # bookings in month m come from opportunities of month m - 1
        share = RAMP[min(month - 1, len(RAMP) - 1)]
        d = ramping[month] - share * ramped[month]
        se = d.std(ddof=1) / np.sqrt(len(d))
        assert abs(d.mean()) < 4 * se, (month, ramping[month].mean(), share * ramped[month].mean())


def test_ramped_quotas_keep_ramping_reps_attainment_with_ramped_reps() -> None:
    scenario = ramping_company()
    result = complab.simulate(scenario, trials=200, seed=6)
    reps = result.reps()
    ae = reps[(reps.role == "ae") & (reps.period < 3)].copy()
    target = scenario.plans["ae"].measures[0].target
    ae["attainment"] = ae.new_arr / (target * ae.quota_scale)
    by = ae.assign(new=ae.rep < 3).groupby(["new"])["attainment"].mean()
    assert by.loc[True] < 2 and by.loc[False] < 2
    assert abs(by.loc[True] - by.loc[False]) < 0.05, by
    # Without the quota ramp the new reps would be far behind.
    assert (ae[ae.rep < 3].new_arr / target).mean() < 0.75 * by.loc[False]


def test_a_hiring_plan_fills_new_seats_at_its_months() -> None:
    scenario = one_segment(
        **{"world.workforce.hiring": [{"role": "ae", "segment": "smb", "month": 6, "headcount": 9}]}
    )
    result = complab.simulate(scenario, trials=3, seed=1)
    hc = result.headcount()
    ae = hc[hc.role == "ae"].groupby("month")[["held", "vacant", "hired"]].mean()
    assert (ae.loc[:5, "held"] == 6).all() and (ae.loc[:5, "vacant"] == 0).all()  # not opened yet
    assert (ae.loc[6:, "held"] == 9).all() and ae.loc[6, "hired"] == 3
    tenure = result.arrays["rep_tenure"][0]
    assert (tenure[6:9, :6] == -1).all() and (tenure[6:9, 6:] == np.arange(30)).all()


def test_a_vacant_territory_loses_its_leads_only_while_waiting() -> None:
    lag = {"world.workforce.ae.attrition": [{"from_month": 0, "annual_rate": 0.5}]}
    wait = complab.simulate(
        one_segment(**lag, **{"world.workforce.vacancy": "wait"}), trials=60, seed=2
    )
    cover = complab.simulate(one_segment(**lag), trials=60, seed=2)
    assert wait.headcount().lost_opportunities.sum() > 0
    assert cover.headcount().lost_opportunities.sum() == 0
    assert wait.kpis().new_arr.mean() < cover.kpis().new_arr.mean()


def test_halving_ae_variable_pay_raises_attrition_and_costs_capacity() -> None:
    base = one_segment(
        **{
            "world.workforce.ae.attrition": [{"from_month": 0, "annual_rate": 0.2}],
            "world.workforce.ae.ramp": RAMP,
            "world.workforce.pay_attrition.enabled": True,
        }
    )
    half = base.with_({"plans.ae.measures.new_arr.curve.payout": [0.0, 0.5, 1.0]})
    a = complab.simulate(base, trials=200, seed=12)
    b = complab.simulate(half, trials=200, seed=12)
    left_a, _ = leavers_and_rep_months(a)
    left_b, _ = leavers_and_rep_months(b)
    d = left_b - left_a
    assert d.mean() / (d.std(ddof=1) / np.sqrt(len(d))) > 4
    cap = lambda r: r.headcount().query("role == 'ae'").groupby("trial").capacity.mean()  # noqa: E731
    dc = (cap(b) - cap(a)).to_numpy()
    assert dc.mean() / (dc.std(ddof=1) / np.sqrt(len(dc))) < -4
    with pytest.raises(ValueError, match="pay-linked attrition"):
        a.repay(half)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("world.workforce.ae.ramp", [0.5, 0.9], r"world\.workforce\.ae\.ramp\[1\]: 0\.9 is not 1"),
        ("world.workforce.csm.quota_ramp", [0.5, 0.4, 1.0], r"quota_ramp\[1\]: 0\.4"),
        (
            "world.workforce.ae.attrition",
            [{"from_month": 0, "annual_rate": 1.5}],
            r"world\.workforce\.ae\.attrition\[0\]\.annual_rate: 1\.5 is not in \[0, 1\]",
        ),
        (
            "world.workforce.hiring",
            [{"role": "ae", "segment": "smb", "month": 3, "headcount": -2}],
            r"world\.workforce\.hiring\[0\]\.headcount: -2 is not >= 0",
        ),
        (
            "world.workforce.hiring",
            [{"role": "ae", "segment": "smb", "month": 40, "headcount": 2}],
            r"hiring\[0\]\.month: 40 is not in \[0, 35\]",
        ),
        (
            "world.workforce.roster",
            [{"name": "kim", "role": "ae", "segment": "emea"}],
            r"roster\[0\]\.segment: 'emea' is not a segment; allowed: smb",
        ),
        (
            "world.workforce.roster",
            [{"name": "kim", "role": "vp", "segment": "smb"}],
            r"roster\[0\]\.role: 'vp' is not a role",
        ),
        (
            "world.workforce.roster",
            [{"name": "kim", "role": "csm", "segment": "smb", "hired_month": 36}],
            r"roster\[0\]\.hired_month: 36 is after the horizon",
        ),
        (
            "world.workforce.roster",
            [{"name": f"r{i}", "role": "ae", "segment": "smb"} for i in range(7)],
            r"world\.segments\.smb\.ae_headcount: 6, but world\.workforce\.roster names 7 "
            r"AEs of smb there at month 0; set it to at least 7",
        ),
        ("world.workforce.vacancy", "hold", r"world\.workforce\.vacancy: 'hold' is not one of"),
    ],
)
def test_bad_workforce_input_names_the_field(path: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        one_segment(**{path: value})


def test_named_reps_carry_their_own_quota_and_ote() -> None:
    roster = [
        {"name": f"r{i}", "role": "ae", "segment": "smb", "hired_month": -60, "quota": q, "ote": o}
        for i, (q, o) in enumerate([(1_200_000, 240_000)] + [(0, 0)] * 5)
    ]
    result = complab.simulate(one_segment(**{"world.workforce.roster": roster}), trials=2, seed=1)
    terms = result.arrays["rep_terms"][:, :6]
    np.testing.assert_allclose(terms[:, 0, :, 0], 1_200_000 / (150_000 * 4))
    np.testing.assert_allclose(terms[:, 0, :, 1], 2.0)
    np.testing.assert_array_equal(terms[:, 1:, :, :], 1.0)
    round_trip = complab.Scenario.from_yaml(result.scenario.to_yaml())
    assert round_trip == result.scenario


def test_one_named_rep_among_unnamed_seats() -> None:
    """A roster may name only some reps: the named one takes a seat of the headcount on its
    own terms, the rest stay unnamed on the plan's; a later starter adds a seat."""
    roster = [
        {"name": "star", "role": "ae", "segment": "smb", "hired_month": -60, "ote": 240_000},
        {"name": "new", "role": "ae", "segment": "smb", "hired_month": 6},
    ]
    result = complab.simulate(one_segment(**{"world.workforce.roster": roster}), trials=2, seed=1)
    ae = result.roster[result.roster.role == "ae"]
    assert list(ae["name"].iloc[:2]) == ["star", "new"] and ae["name"].iloc[2:].isna().all()
    assert len(ae) == 7  # the headcount's 6 seats at month 0, and one from month 6
    terms = result.arrays["rep_terms"][:, ae.index.to_numpy()]
    np.testing.assert_allclose(terms[:, 0, :, 1], 2.0)  # 240,000 over the plan's 120,000
    np.testing.assert_allclose(terms[:, 2:, :, 1], 1.0)
    assert (result.arrays["rep_tenure"][:, ae.index[1], :6] == -1).all()  # starts in month 6


def test_reps_name_the_named_rep_while_it_holds_its_seat() -> None:
    """``name`` follows the roster onto its seats (the group's named seats first) and stays
    on a seat-period exactly while its named rep holds it at the period's end: the rows
    named carry that rep's hire month, the others a backfill's, or none when vacant."""
    roster = [
        {"name": "Ana", "role": "ae", "segment": "smb", "hired_month": -30},
        {"name": "Ben", "role": "ae", "segment": "smb", "hired_month": -20},
        {"name": "Cy", "role": "ae", "segment": "smb", "hired_month": 5},
        {"name": "Dee", "role": "sdr", "hired_month": -3},
    ]
    scenario = presets.workforce().with_(
        {
            "world.workforce.roster": roster,
            "world.segments.smb.ae_headcount": 2,
            "world.sdr_headcount": 1,
            "world.workforce.ae.attrition": [{"from_month": 0, "annual_rate": 0.4}],
            "world.workforce.sdr.attrition": [{"from_month": 0, "annual_rate": 0.4}],
            "world.period_months": 3,
        }
    )
    result = complab.simulate(scenario, trials=30, seed=9)
    seats = result.roster.set_index("rep")
    smb_ae = seats[(seats.role == "ae") & (seats.segment == "smb")]
    assert list(smb_ae["name"].iloc[:3]) == ["Ana", "Ben", "Cy"]
    assert list(seats.loc[seats.role == "sdr", "name"]) == ["Dee"]
    assert seats.loc[seats.role == "csm", "name"].isna().all()
    reps = result.reps()
    for name, hired in [("Ana", -30), ("Ben", -20), ("Cy", 5), ("Dee", -3)]:
        seat = reps[reps.rep == seats.index[seats.name == name][0]]
        named = seat["name"] == name
        assert (seat.loc[named, "hired_month"] == hired).all()
        assert (seat.loc[~named, "hired_month"] != hired).all()  # a backfill, or NaN: vacant
        assert named.any() and (~named).any()  # some left within three years at 40% a year
        assert seat["name"].isin([name, None]).all()
    # Cy starts in month 5: its seat is vacant, and unnamed, in the periods before.
    cy = reps[reps.rep == seats.index[seats.name == "Cy"][0]]
    before = cy["period"] * scenario.world.period_months + scenario.world.period_months - 1 < 5
    assert before.any() and cy.loc[before, "name"].isna().all()
    assert cy.loc[before, "tenure"].isna().all()


def test_a_named_rep_is_paid_its_own_ote_for_the_months_it_held_the_seat() -> None:
    """Month by month: a named rep's months on its own OTE, its backfill's on the plan's,
    also in the period it leaves (base pay counted from the seat's tenure by hand)."""
    roster = [
        {
            "name": f"r{i}",
            "role": "ae",
            "segment": "smb",
            "hired_month": -30,
            "ote": 150_000 + 20_000 * i,
        }
        for i in range(2)
    ]
    scenario = presets.workforce().with_(
        {
            "world.workforce.roster": roster,
            "world.segments.smb.ae_headcount": 2,
            "world.workforce.ae.attrition": [{"from_month": 0, "annual_rate": 0.6}],
            "world.workforce.ae.backfill_lag_months": 0,
            "world.period_months": 3,
        }
    )
    plan = scenario.plans["ae:smb"]
    result = complab.simulate(scenario, trials=40, seed=2)
    tenure = result.arrays["rep_tenure"]  # [trials, reps, months]
    base = result.arrays["pay"][..., list(complab._core.PAY_FIELDS).index("base")]
    partial = 0
    for seat, own_ote in enumerate(o["ote"] for o in roster):
        t = tenure[:, seat, :].astype(int)
        # The named rep's stint: from month 0 while its tenure goes up by one a month.
        steps = np.diff(t, axis=1) != 1
        first_break = np.where(steps.any(axis=1), steps.argmax(axis=1) + 1, t.shape[1])
        month = np.arange(t.shape[1])
        named = month[None, :] < first_break[:, None]
        held = t >= 0
        own_months = (named & held).reshape(len(t), -1, 3).sum(axis=2)
        plan_months = (~named & held).reshape(len(t), -1, 3).sum(axis=2)
        expected = plan.base_share * (own_ote * own_months + plan.ote * plan_months) / 12
        np.testing.assert_allclose(base[:, seat], expected, rtol=1e-12, atol=0.005)
        partial += int(((own_months > 0) & (own_months < 3)).sum())
    assert partial > 0  # some named reps left within a quarter


def test_instant_backfill_without_a_ramp_books_what_the_model_without_people_does() -> None:
    # Leavers are replaced the next month at full productivity by a rep of the same skill
    # distribution: capacity never falls, so neither should bookings (their open deals are
    # reassigned, not lost).
    base = one_segment()
    churning = base.with_(
        {
            "world.workforce.ae.attrition": [{"from_month": 0, "annual_rate": 0.6}],
            "world.workforce.ae.backfill_lag_months": 0,
        }
    )
    a = complab.simulate(base, trials=300, seed=21).kpis().groupby("trial").new_arr.sum()
    b = complab.simulate(churning, trials=300, seed=22).kpis().groupby("trial").new_arr.sum()
    se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    assert abs(b.mean() - a.mean()) < 4 * se, (a.mean(), b.mean(), se)
