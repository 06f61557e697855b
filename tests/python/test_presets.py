"""Presets from the articles (docs/model.md §10): structure, calibration and what each one does."""

from __future__ import annotations

import re

import numpy as np
import pytest

import complab
from complab import Clawback, presets


def simulate(scenario, trials=12, seed=11):
    return complab.simulate(scenario, trials=trials, seed=seed, threads=2)


def test_registry_lists_every_preset_and_builds_them_by_name():
    names = presets.list()
    assert names == [
        "default",
        "churn_and_nrr",
        "first_renewal_clawback",
        "shared_nrr",
        "csql_strategy",
        "expansion_pipeline",
        "gainsight_reactive",
        "gainsight_proactive",
        "workforce",
        "ratchet",
    ]
    for name in names:
        scenario = presets.get(name)
        assert isinstance(scenario, complab.Scenario)
        function, article = presets.PRESETS[name]
        if name in ("workforce", "ratchet"):  # from published work, cited in docs/model.md
            assert article == "" and "docs/model.md §" in function.__doc__
            continue
        assert re.fullmatch(r"00[0-4]", article)
        assert f"``{article}``" in function.__doc__ or name == "default", name
    assert presets.get("first_renewal_clawback", share=0.5).plans["ae:smb"].clawback.share == 0.5
    with pytest.raises(ValueError, match=r"preset: 'nope' is not one of default, churn_and_nrr"):
        presets.get("nope")


def test_churn_and_nrr_is_the_default_csm_plan_65_35():
    scenario = presets.churn_and_nrr()
    assert scenario == presets.default()
    for seg in scenario.world.segment_names():
        measures = scenario.plans[f"csm:{seg}"].measures
        assert [(m.metric, m.weight) for m in measures] == [("gross_churn", 0.65), ("nrr", 0.35)]


def test_first_renewal_clawback_changes_only_ae_plans_and_costs_the_ae():
    base, scenario = presets.default(), presets.first_renewal_clawback()
    assert scenario.world == base.world
    changed = {k for k in scenario.plans if scenario.plans[k] != base.plans[k]}
    assert changed == {"ae:smb", "ae:mid_market", "ae:enterprise"}
    for key in changed:
        assert scenario.plans[key].clawback == Clawback(share=1.0, window_months=12)
        assert scenario.plans[key].measures == base.plans[key].measures
    a, b = simulate(base), simulate(scenario)
    np.testing.assert_array_equal(a.arrays["monthly"], b.arrays["monthly"])  # the world is the same
    reps_a, reps_b = a.reps(), b.reps()
    ae = reps_b["role"] == "ae"
    assert reps_b.loc[ae, "clawback_applied"].sum() > 0  # first-renewal churn happens
    assert (reps_b.loc[~ae, "earnings"].to_numpy() == reps_a.loc[~ae, "earnings"].to_numpy()).all()
    np.testing.assert_allclose(
        reps_a.loc[ae, "earnings"] - reps_b.loc[ae, "earnings"],
        reps_b.loc[ae, "clawback_applied"],
        rtol=1e-9,
        atol=1e-6,
    )


def _acceptance_per_trial(result):
    return result.kpis().groupby("trial")["handoff_acceptance"].mean().to_numpy()


def test_shared_nrr_puts_nrr_on_both_roles_and_raises_handoff_acceptance():
    base, scenario = presets.default(), presets.shared_nrr()
    assert base.shared_nrr() == (False, False, False)
    assert scenario.shared_nrr() == (True, True, True)
    for seg in scenario.world.segment_names():
        ae = scenario.plans[f"ae:{seg}"]
        assert [m.metric for m in ae.measures] == ["new_arr", "expansion_arr", "nrr"]
        assert ae.measures[2].weight == 0.2
        assert ae.measures[2].target == scenario.plans[f"csm:{seg}"].measures[1].target
    # Hand-off acceptance q0 = 0.7 rises by the world's uplift (0.15) when both carry NRR.
    a, b = simulate(base, trials=30), simulate(scenario, trials=30)
    d = _acceptance_per_trial(b) - _acceptance_per_trial(a)
    uplift = base.world.shared_nrr_acceptance_uplift
    assert abs(d.mean() - uplift) < 4 * d.std(ddof=1) / np.sqrt(len(d)), (d.mean(), uplift)


def test_csql_strategy_gates_pipeline_pay_on_annual_churn_below_ten_percent():
    scenario = presets.csql_strategy()
    for seg in scenario.world.segment_names():
        csm = scenario.plans[f"csm:{seg}"]
        assert [(m.metric, m.weight) for m in csm.measures] == [
            ("gross_churn", 0.5),
            ("csql_pipeline", 0.5),
        ]
        ae = scenario.plans[f"ae:{seg}"]
        assert [(m.metric, m.weight) for m in ae.measures] == [
            ("new_arr", 0.5),
            ("expansion_arr", 0.5),
        ]
        pipeline_target = csm.measures[1].target
        pays = [
            csm.payout({"gross_churn": churn, "csql_pipeline": pipeline_target})[
                "csql_pipeline"
            ].iloc[0]
            for churn in (0.099, 0.101)
        ]
        v = csm.target_variable()
        assert pays[0] == pytest.approx(0.5 * v)  # churn under 10%: the pipeline measure pays
        assert pays[1] == 0.0  # over 10%: gated


def test_expansion_pipeline_puts_every_csm_on_pipeline_and_enterprise_on_expand_rate():
    scenario = presets.expansion_pipeline()
    for seg in scenario.world.segment_names():
        metrics = [m.metric for m in scenario.plans[f"csm:{seg}"].measures]
        assert "csql_pipeline" in metrics and "expansion_arr" not in metrics
        assert ("expand_rate" in metrics) == (seg == "enterprise")
        ae = scenario.plans[f"ae:{seg}"]
        assert [(m.metric, m.weight) for m in ae.measures] == [
            ("new_arr", 0.6),
            ("expansion_arr", 0.4),
        ]


@pytest.mark.parametrize("name", ["shared_nrr", "csql_strategy", "expansion_pipeline"])
def test_new_targets_are_near_what_an_average_rep_achieves(name):
    scenario = presets.get(name)
    result = simulate(scenario)
    reps = result.reps()
    default = presets.default()
    for (role, seg), group in reps[reps["role"] != "sdr"].groupby(["role", "segment"]):
        plan = scenario.plan_for(role, seg)
        old = default.plan_for(role, seg)
        for m in plan.measures:
            if m in old.measures:
                continue  # unchanged from the default
            ratio = group[m.metric].mean() / m.target
            assert 0.7 < ratio < 1.4, (name, role, seg, m.name, ratio)


def test_gainsight_stages_land_near_92_percent_nrr_and_25_points_apart():
    reactive, proactive = presets.gainsight_reactive(), presets.gainsight_proactive()
    assert reactive.plans == proactive.plans == presets.default().plans
    nrr = {}
    for name, scenario in (("reactive", reactive), ("proactive", proactive)):
        cohorts = simulate(scenario, trials=16).cohorts()
        nrr[name] = cohorts.loc[cohorts["segment"] == "all", "nrr"].mean()
    assert abs(nrr["reactive"] - 0.92) < 0.02, nrr
    assert abs(nrr["proactive"] - nrr["reactive"] - 0.25) < 0.03, nrr


def test_lower_churn_moves_every_hazard_by_the_points_given():
    base = presets.default()
    lower = presets.lower_churn(base, points=1.0)
    for a, b in zip(base.world.segments, lower.world.segments, strict=True):
        np.testing.assert_allclose(
            np.array(a.renewal_hazard) - np.array(b.renewal_hazard), 0.01, atol=1e-12
        )
    assert lower.plans == base.plans
    floor = presets.lower_churn(base, points=50)
    assert all(h == 0.0 for s in floor.world.segments for h in s.renewal_hazard)
