"""complab.sensitivity: tornado, Sobol and Morris indices on dotted-path parameters."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from test_engine import neutral_world

import complab
from complab import Scenario, presets, sensitivity

HAZARD = "world.segments.only.renewal_hazard.0"
WIN_RATE = "world.segments.only.win_rate"
# Health is pinned at 1/2, so the year-1 GRR is 1 - hazard: the hazard dominates it. The
# win rate only adds new accounts; they reach the cohort from year 2 on and renew at the
# same hazard, so its effect on GRR is tiny (the mix of contract sizes only).
PARAMS = {HAZARD: (0.1, 0.3), WIN_RATE: (0.1, 0.3)}


def small_scenario() -> Scenario:
    world = neutral_world(segment=dict(initial_accounts=200, csm_headcount=2), sdr_headcount=1)
    return Scenario(world=world, plans=presets.default_plans(world))


def test_tornado_swing_matches_the_closed_form_and_puts_the_hazard_first():
    trials = 400
    table = sensitivity.tornado(
        small_scenario(),
        {WIN_RATE: (0.1, 0.3), HAZARD: (0.1, 0.3)},
        output="grr",
        year=1,
        trials=trials,
        seed=0,
    )
    assert list(table["parameter"]) == [HAZARD, WIN_RATE]  # widest swing first
    hazard = table.iloc[0]
    # GRR = 1 - hazard, so moving the hazard from 0.1 to 0.3 moves GRR by -0.2
    assert abs(hazard["swing"] + 0.2) < 4 * hazard["swing_se"] + 0.005
    assert abs(hazard["output_low"] - 0.9) < 4 * hazard["output_low_se"] + 0.005
    assert hazard["swing_ci_low"] < hazard["swing"] < hazard["swing_ci_high"]
    assert hazard["swing_ci_high"] - hazard["swing"] == pytest.approx(
        1.959964 * hazard["swing_se"], rel=1e-5
    )
    assert hazard["delta_low"] + hazard["base"] == pytest.approx(hazard["output_low"])
    # Common random numbers: a renewal churns when its keyed uniform is below the hazard,
    # so the accounts lost at 0.1 are among those lost at 0.3 (the warm start draws the
    # book's renewal indices by inverse CDF from one uniform, so both books pair account by
    # account). Nested binomials correlate with rho = sqrt(p1 (1 - p2) / (p2 (1 - p1))) =
    # 0.51, where independent runs would give 0. The trials' correlation, read back from
    # the standard errors (swing_se^2 = se_low^2 + se_high^2 - 2 rho se_low se_high), is
    # held to it within 4 standard errors of Fisher's z, 1 / sqrt(trials - 3).
    p1, p2 = 0.1, 0.3
    rho = np.sqrt(p1 * (1 - p2) / (p2 * (1 - p1)))
    s1, s2, sd = hazard["output_low_se"], hazard["output_high_se"], hazard["swing_se"]
    measured = (s1**2 + s2**2 - sd**2) / (2 * s1 * s2)
    z = (np.arctanh(measured) - np.arctanh(rho)) * np.sqrt(trials - 3)
    assert abs(z) < 4, (measured, rho, z)
    assert np.arctanh(measured) * np.sqrt(trials - 3) > 4  # pairing pays: rho > 0
    # The year-1 cohort is the initial book, which the win rate does not touch.
    assert table.iloc[1]["swing"] == 0.0


def test_tornado_on_plan_parameters_repays_one_world(monkeypatch):
    calls = []
    simulate = complab.engine.simulate
    monkeypatch.setattr(
        complab.engine, "simulate", lambda *a, **k: calls.append(1) or simulate(*a, **k)
    )
    scenario = small_scenario()
    table = sensitivity.tornado(
        scenario,
        {"plans.csm:only.ote": (80_000.0, 120_000.0)},
        output="comp_csm",
        year=None,
        trials=10,
        seed=5,
    )
    assert len(calls) == 1
    row = table.iloc[0]
    # Every part of a CSM's pay scales with OTE: comp at 120k is 1.5 times comp at 80k.
    assert row["output_high"] / row["output_low"] == pytest.approx(1.5, rel=1e-12)
    # year=None: each trial's mean over the years, then the mean over trials.
    low = complab.simulate(scenario.with_({"plans.csm:only.ote": 80_000.0}), trials=10, seed=5)
    per_trial = low.kpis().groupby("trial")["comp_csm"].mean()
    assert row["output_low"] == pytest.approx(per_trial.mean(), rel=1e-12)
    assert row["swing"] > 0 and row["swing_se"] >= 0


def test_sobol_ranks_the_dominant_parameter_first():
    table = sensitivity.sobol(
        small_scenario(), PARAMS, outputs=["grr"], year=2, samples=32, trials=8, seed=3
    )
    assert list(table.columns) == ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    s = table.set_index("parameter")
    assert s.loc[HAZARD, "ST"] > 0.8 and s.loc[HAZARD, "S1"] > 0.5
    assert s.loc[WIN_RATE, "ST"] < 0.05
    assert (
        s.loc[HAZARD, "ST"] - s.loc[HAZARD, "ST_conf"]
        > s.loc[WIN_RATE, "ST"] + s.loc[WIN_RATE, "ST_conf"]
    )
    assert (table[["S1_conf", "ST_conf"]] > 0).all().all()
    assert table.attrs["problem"]["names"] == [HAZARD, WIN_RATE]


def test_seed_zero_is_a_seed_and_global_numpy_state_is_untouched():
    scenario = small_scenario()
    before = np.random.get_state()
    args = dict(outputs="grr", year=2, samples=8, trials=4, num_resamples=20)
    a = sensitivity.sobol(scenario, PARAMS, seed=0, **args)
    np.random.seed(12345)  # global state must not matter either
    b = sensitivity.sobol(scenario, PARAMS, seed=0, **args)
    pd.testing.assert_frame_equal(a, b, check_exact=True)  # bootstrap intervals included
    c = sensitivity.sobol(scenario, PARAMS, seed=1, **args)
    assert not np.array_equal(a["S1_conf"].to_numpy(), c["S1_conf"].to_numpy())
    np.random.set_state(before)
    m0 = sensitivity.morris(
        scenario, PARAMS, outputs="grr", year=2, trajectories=4, trials=4, seed=0
    )
    after = np.random.get_state()
    assert after[0] == before[0] and np.array_equal(after[1], before[1]) and after[2] == before[2]
    m1 = sensitivity.morris(
        scenario, PARAMS, outputs="grr", year=2, trajectories=4, trials=4, seed=0
    )
    pd.testing.assert_frame_equal(m0, m1, check_exact=True)


def test_morris_screens_the_hazard_as_dominant():
    table = sensitivity.morris(
        small_scenario(),
        PARAMS,
        outputs=["grr", "logo_churn"],
        year=2,
        trajectories=8,
        levels=4,
        trials=8,
        seed=2,
    )
    assert list(table.columns) == ["output", "parameter", "mu", "mu_star", "mu_star_conf", "sigma"]
    grr = table[table["output"] == "grr"].set_index("parameter")
    # An elementary effect is the change across the whole range: GRR = 1 - hazard moves by
    # about -0.2 as the hazard goes from 0.1 to 0.3.
    assert grr.loc[HAZARD, "mu"] == pytest.approx(-0.2, abs=0.03)
    assert grr.loc[HAZARD, "mu_star"] > 5 * grr.loc[WIN_RATE, "mu_star"]
    churn = table[table["output"] == "logo_churn"].set_index("parameter")
    assert churn.loc[HAZARD, "mu"] > 0


def test_integer_parameters_are_sampled_as_integers(monkeypatch):
    seen = []
    original = complab.sweeps.build_scenarios

    def spy(scenario, points):
        seen.extend(p["world.sdr_headcount"] for p in points)
        return original(scenario, points)

    monkeypatch.setattr(complab.sensitivity, "build_scenarios", spy)
    sensitivity.morris(
        small_scenario(),
        {"world.sdr_headcount": (1, 3), WIN_RATE: (0.1, 0.3)},
        outputs="new_logos",
        year=1,
        trajectories=4,
        trials=2,
        seed=1,
    )
    assert all(type(v) is int for v in seen)
    assert set(seen) <= {1, 2, 3} and len(set(seen)) > 1


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda s: sensitivity.sobol(s, {HAZARD: (0.3, 0.1)}),
            r"params\['world.segments.only.renewal_hazard.0'\]: low 0.3 is not below high 0.1",
        ),
        (lambda s: sensitivity.sobol(s, {HAZARD: (0.1, "x")}), r"bound 'x' is not a finite number"),
        (
            lambda s: sensitivity.sobol(s, {HAZARD: (0.1, 0.3)}, samples=10),
            "samples: 10 is not a power of two",
        ),
        (  # refused before any simulation runs
            lambda s: sensitivity.sobol(s, {HAZARD: (0.1, 0.3)}, samples=2, num_resamples=0),
            "num_resamples: 0 is not >= 1",
        ),
        (
            lambda s: sensitivity.morris(s, {HAZARD: (0.1, 0.3)}, num_resamples=1.5),
            "num_resamples: 1.5 is not an integer",
        ),
        (
            lambda s: sensitivity.morris(s, {HAZARD: (0.1, 0.3)}, levels=3),
            "levels: 3 is not an even number",
        ),
        (
            lambda s: sensitivity.sobol(s, {"world.nowhere": (0.1, 0.3)}, samples=2, trials=1),
            r"world\.nowhere",
        ),
        (lambda s: sensitivity.tornado(s, {HAZARD: 0.2}), r"is not a \(low, high\) pair"),
        (
            lambda s: sensitivity.tornado(s, {HAZARD: (0.1, 0.3)}, year=7, trials=2),
            r"year: 7 is not a year of the simulation \(1 to 2\)",
        ),
        (
            lambda s: sensitivity.tornado(s, {HAZARD: (0.1, 0.3)}, confidence=95, trials=2),
            r"confidence: 95",
        ),
        (lambda s: sensitivity.tornado(s, {}), "params: expected a non-empty mapping"),
        (
            lambda s: sensitivity.tornado(s, {HAZARD: (0.1, 0.3)}, output=["nrr", "grr"]),
            r"output: \['nrr', 'grr'\] is not one output name; .*call it once per output",
        ),
        # the base has two years; the low point has one, so year 2 is not in it
        (
            lambda s: sensitivity.tornado(s, {"world.months": (12, 24)}, year=2, trials=2),
            r"params\['world\.months'\]: low 12 simulates 12 months, which has no year 2 .*"
            r"year=2 needs world\.months >= 24",
        ),
        (
            lambda s: sensitivity.tornado(
                s, {"world.months": (24, 48)}, year=3, trials=2
            ),  # the base itself has no year 3
            r"year: 3 is not a year of the simulation \(1 to 2\)",
        ),
        (
            lambda s: sensitivity.tornado(
                s.with_({"world.period_months": 6}), {"world.months": (6, 12)}, year=None, trials=2
            ),
            r"params\['world\.months'\]: low 6 simulates 6 months, under a year",
        ),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call(small_scenario())


def test_missing_salib_names_the_extra(monkeypatch):
    for name in [m for m in sys.modules if m == "SALib" or m.startswith("SALib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "SALib", None)  # makes "import SALib..." fail
    with pytest.raises(ImportError, match=r"pip install 'complab\[sensitivity\]'"):
        sensitivity.sobol(small_scenario(), PARAMS)


def test_tornado_points_with_a_longer_horizon_have_the_year():
    # The base has two years; a point with three has year 2 too, so it is no error, and the
    # first two years of the longer run are those of the base (common random numbers).
    table = sensitivity.tornado(
        small_scenario(), {"world.months": (24, 36)}, output="grr", year=2, trials=6, seed=2
    )
    row = table.iloc[0]
    assert row["output_low"] == row["base"]
    assert row["output_high"] == row["base"]


def test_morris_moves_an_integer_parameter_in_equal_steps():
    from SALib.sample import morris as morris_sample

    params = {"world.segments.only.ae_headcount": (1, 3), HAZARD: (0.1, 0.3)}
    spec = sensitivity._problem(params, widen_integers=False)
    x = morris_sample.sample(spec, 20, num_levels=4, seed=1)
    heads = [
        p["world.segments.only.ae_headcount"] for p in sensitivity._sample_points(spec, x, params)
    ]
    assert set(heads) == {1, 2, 3}
    for t in range(20):  # a trajectory: D + 1 = 3 points, one parameter moving at a time
        run = heads[3 * t : 3 * t + 3]
        steps = {abs(b - a) for a, b in zip(run[:-1], run[1:], strict=True)}
        assert steps <= {0, 1}, run  # never 1 -> 3 for one grid step
