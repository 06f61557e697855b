"""optimize: the best plan within constraints, on common random numbers (docs/model.md §12)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import complab
from complab import optimization as opt_module
from complab import people, presets
from complab.optimization import OptimizeInterrupted, optimize

TRIALS = 120
SEED = 5
WEIGHTS = "plans.csm:smb.weights"


@pytest.fixture(scope="module")
def scenario():
    return presets.default().with_(world__months=12)


def _comp_csm(scenario, churn_weight):
    """CSM comp per trial in year 1 with the smb CSM plan's churn weight set, by a full
    simulation (not the optimiser's payroll path)."""
    s = scenario.with_(
        {
            "plans.csm:smb.measures.gross_churn.weight": churn_weight,
            "plans.csm:smb.measures.nrr.weight": 1.0 - churn_weight,
        }
    )
    return complab.simulate(s, trials=TRIALS, seed=SEED).kpis()["comp_csm"].to_numpy()


@pytest.fixture(scope="module")
def known(scenario):
    """The problem worked out by hand. CSM comp is linear in the weight split (each measure
    pays V x weight x curve(attainment)), so comp(w) = c0 + w (c1 - c0) per trial; the
    budget is P90 comp at w = 0.3; the best w maximises mean comp subject to P90 comp within
    the budget, found on a fine grid."""
    c0, c1, half = (_comp_csm(scenario, w) for w in (0.0, 1.0, 0.5))
    assert np.allclose(half, (c0 + c1) / 2, rtol=1e-12)  # linear in the weight
    d = c1 - c0
    budget = float(np.percentile(c0 + 0.3 * d, 90))
    grid = np.linspace(0.0, 1.0, 20001)
    p90 = np.array([np.percentile(c0 + w * d, 90) for w in grid])
    mean = c0.mean() + grid * d.mean()
    sense = "max" if d.mean() > 0 else "min"
    ok = p90 <= budget if sense == "max" else p90 >= budget
    pick = (
        np.argmax(np.where(ok, mean, -np.inf))
        if sense == "max"
        else np.argmin(np.where(ok, mean, np.inf))
    )
    return {"budget": budget, "w": grid[pick], "mean": mean[pick], "sense": sense, "c0": c0, "d": d}


@pytest.fixture(scope="module")
def solved(scenario, known):
    limit = "<=" if known["sense"] == "max" else ">="
    return optimize(
        scenario,
        {WEIGHTS: (0.0, 1.0)},
        f"{known['sense']} mean(comp_csm)",
        [f"p90(comp_csm) {limit} {known['budget']!r}"],
        trials=TRIALS,
        seed=SEED,
        max_evaluations=600,
    )


def test_finds_the_hand_worked_optimum(solved, known):
    assert solved.feasible, solved.message
    assert solved.mode == "repay"
    w = solved.decisions["plans.csm:smb.measures.gross_churn.weight"]
    assert abs(w - known["w"]) < 2e-3
    assert solved.decisions["plans.csm:smb.measures.nrr.weight"] == pytest.approx(1 - w)
    objective = solved.in_sample.iloc[0]["value"]
    assert objective == pytest.approx(known["mean"], rel=1e-4)
    # The budget binds at the optimum, and the constraint holds on the search's trials.
    assert any("p90(comp_csm)" in a for a in solved.active)
    assert bool(solved.in_sample.iloc[1]["holds"])


def test_the_plan_found_meets_the_constraint_in_a_full_simulation(solved, known, scenario):
    comp = complab.simulate(solved.scenario, trials=TRIALS, seed=SEED).kpis()["comp_csm"]
    p90 = np.percentile(comp.to_numpy(), 90)
    if known["sense"] == "max":
        assert p90 <= known["budget"] * (1 + 1e-9)
    else:
        assert p90 >= known["budget"] * (1 - 1e-9)
    assert comp.mean() == pytest.approx(solved.in_sample.iloc[0]["value"], rel=1e-12)


def test_re_estimates_come_from_trials_the_search_never_saw(solved, scenario):
    from complab.result import _seed_from_record

    assert solved.validation_seed != solved.seed
    seed = _seed_from_record(solved.validation_seed)
    fresh = complab.simulate(solved.scenario, trials=TRIALS, seed=seed).kpis()["comp_csm"]
    row = solved.validation.iloc[0]
    assert row["best"] == pytest.approx(fresh.mean(), rel=1e-12)
    assert row["best_low"] < row["best"] < row["best_high"]
    assert row["best"] != pytest.approx(solved.in_sample.iloc[0]["value"], rel=1e-9)
    start = complab.simulate(scenario, trials=TRIALS, seed=seed).kpis()["comp_csm"]
    assert row["start"] == pytest.approx(start.mean(), rel=1e-12)


def test_validation_seed_must_differ(scenario):
    with pytest.raises(ValueError, match="validation_seed: the same as seed"):
        optimize(
            scenario, {WEIGHTS: (0, 1)}, "max mean(comp_csm)", trials=10, seed=3, validation_seed=3
        )


def test_a_constraint_that_cannot_be_met_gives_a_report_not_a_plan(scenario):
    out = optimize(
        scenario,
        {WEIGHTS: (0.0, 1.0), "plans.csm:smb.ote": (60_000, 120_000)},
        "max mean(nrr)",
        ["p90(comp_csm) <= 1000"],
        trials=30,
        seed=SEED,
        max_evaluations=200,
    )
    assert not out.feasible
    assert out.scenario is None and out.decisions is None
    assert "p90(comp_csm) <= 1000" in out.message and "no plan is proposed" in out.message
    assert not out.evaluations["feasible"].any()


def test_the_fast_payroll_path_equals_a_simulation(scenario):
    decisions = [
        opt_module._Decision(scenario, WEIGHTS, (0, 1)),
        opt_module._Decision(scenario, "plans.csm:smb.ote", (60_000, 120_000)),
        opt_module._Decision(scenario, "plans.csm:*.base_share", (0.6, 0.9)),
    ]
    judge = opt_module._Judge(
        scenario, decisions, 20, SEED, 1, None, 1, {"earnings_to_ote:csm"}, False
    )
    x = np.array([0.3, 91_000.0, 0.72])
    fast = judge.kpis(x)
    full = opt_module._year_kpis(complab.simulate(judge.scenario_for(x), trials=20, seed=SEED), 1)
    for name, values in full.items():
        assert np.allclose(values, fast[name], rtol=1e-12, equal_nan=True), name


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"objective": "mean(nrr)"}, "does not start with max or min"),
        ({"objective": "max mean(nrrr)"}, "'nrrr' is not a KPI"),
        ({"objective": "max nrr"}, "needs a statistic around it"),
        ({"objective": "max p0(nrr)"}, "percentiles run from p1 to p99"),
        ({"objective": "max p100(nrr)"}, "use mean, sd, median or p1 … p99"),
        ({"objective": "max mean(mean(nrr))"}, "statistics do not nest"),
        ({"objective": "max mean(nrr); import os"}, "is not an expression of statistics"),
        ({"constraints": ["p90(comp_csm) = 5"]}, "is not '<statistic> <= <value>'"),
        ({"decisions": {WEIGHTS: (1, 0)}}, "low 1 is not below high 0"),
        ({"decisions": {"plans.csm:smb.name": (0, 1)}}, "not a number"),
        ({"decisions": {"plans.csm:smb.ote": "100000"}}, "is not bounds (low, high)"),
        ({"decisions": {"plans.nobody.ote": (1, 2)}}, "no plan 'nobody'"),
        ({"decisions": {"plans.csm:smb.weights": (0.6, 1.0)}}, "no 2 weights in [0.6, 1] sum to 1"),
        ({"year": 2}, "year: 2 is not a year of the scenario (1 to 1)"),
        ({"checkpoint": "x.jsonl", "seed": None}, "checkpoint: needs an explicit seed"),
    ],
)
def test_bad_input_names_what_is_wrong(scenario, kwargs, message):
    args = {
        "decisions": {WEIGHTS: (0, 1)},
        "objective": "max mean(comp_csm)",
        "constraints": [],
        "trials": 5,
        "seed": 1,
    }
    args.update(kwargs)
    with pytest.raises(ValueError) as err:
        optimize(scenario, **args)
    assert message in str(err.value), str(err.value)


def test_checkpoint_resumes_after_ctrl_c(scenario, tmp_path, monkeypatch):
    args = {
        "decisions": {WEIGHTS: (0.0, 1.0)},
        "objective": "max mean(comp_csm)",
        "constraints": ["p90(comp_csm) <= 1_300_000"],
        "trials": 20,
        "seed": SEED,
        "max_evaluations": 150,
    }
    whole = optimize(scenario, **args)
    path = tmp_path / "search.jsonl"
    real = opt_module._Judge.kpis
    calls = {"n": 0}

    def interrupting(self, x):
        calls["n"] += 1
        if calls["n"] == 40:
            raise KeyboardInterrupt
        return real(self, x)

    monkeypatch.setattr(opt_module._Judge, "kpis", interrupting)
    with pytest.raises(OptimizeInterrupted) as stop:
        optimize(scenario, checkpoint=path, **args)
    assert len(stop.value.evaluations) == 39
    lines = path.read_text().splitlines()
    assert json.loads(lines[0])["format"] == opt_module.CHECKPOINT_FORMAT
    assert len(lines) == 1 + 39
    monkeypatch.setattr(opt_module._Judge, "kpis", real)
    resumed = optimize(scenario, checkpoint=path, **args)
    assert resumed.decisions == whole.decisions
    assert len(resumed.evaluations) == len(whole.evaluations)
    # A different problem refuses the file rather than mixing evaluations.
    with pytest.raises(ValueError, match="different optimisation"):
        optimize(scenario, checkpoint=path, **{**args, "trials": 21})


def test_two_objectives_trace_a_pareto_front(scenario):
    out = optimize(
        scenario,
        {"plans.csm:smb.ote": (60_000, 120_000), "plans.csm:smb.base_share": (0.5, 0.95)},
        ["min mean(comp_csm)", "max p10(earnings_to_ote:csm)"],
        trials=30,
        seed=SEED,
        max_evaluations=200,
        front_points=4,
    )
    front = out.front
    assert front is not None and len(front) >= 2
    a, b = front["mean(comp_csm)"].to_numpy(), front["p10(earnings_to_ote:csm)"].to_numpy()
    for i in range(len(front)):  # no point is beaten on both objectives by another
        assert not np.any((a <= a[i]) & (b >= b[i]) & ((a < a[i]) | (b > b[i])))
    import matplotlib

    matplotlib.use("Agg")
    ax = out.plot_front()
    assert ax.get_xlabel() == "max p10(earnings_to_ote:csm)"


def test_world_decisions_simulate_every_candidate(scenario):
    out = optimize(
        scenario,
        {"world.segments.smb.csm_headcount": (2, 5)},
        "max mean(grr:smb)",
        ["mean(comp_csm) <= 2e6"],
        trials=6,
        seed=SEED,
        max_evaluations=10,
    )
    assert out.mode == "simulate"
    assert out.feasible
    headcount = out.decisions["world.segments.smb.csm_headcount"]
    assert headcount == int(headcount)
    check = complab.simulate(out.scenario, trials=6, seed=SEED).cohorts()
    grr = check[(check["segment"] == "smb") & (check["year"] == 1)]["grr"].mean()
    assert out.in_sample.iloc[0]["value"] == pytest.approx(grr, rel=1e-12)


@pytest.fixture(scope="module")
def staffed():
    """A year with people: ramp, attrition and backfills, and a hiring plan whose seats
    (two SMB AEs from month 3, a mid-market AE from month 6) are held for part of the year."""
    return presets.workforce(hiring=True).with_(world__months=12)


def _fast_path_equals_simulation(scenario, edits: dict, x: list[float]) -> None:
    """The search's fast payroll path at `x` gives every KPI a simulation of the candidate
    gives (20 trials, year 1)."""
    decisions = [opt_module._Decision(scenario, path, bounds) for path, bounds in edits.items()]
    names = {f"earnings_to_ote:{role}" for role in ("ae", "sdr", "csm")}
    judge = opt_module._Judge(scenario, decisions, 20, SEED, 1, None, 1, names, False)
    assert judge.repay
    fast = judge.kpis(np.array(x))
    candidate = judge.scenario_for(np.array(x))
    full = opt_module._year_kpis(complab.simulate(candidate, trials=20, seed=SEED), 1)
    assert set(full) == set(fast)
    for name, values in full.items():
        assert np.allclose(values, fast[name], rtol=1e-12, equal_nan=True), name


def test_the_fast_payroll_path_equals_a_simulation_with_a_workforce(staffed):
    edits = {"plans.ae:smb.base_share": (0.3, 0.7), "plans.ae:smb.ote": (150_000, 250_000)}
    _fast_path_equals_simulation(staffed, edits, [0.45, 190_000.0])


def test_the_fast_payroll_path_keeps_named_reps_own_ote_and_quota(staffed):
    """Named SMB AEs with their own OTE and quota: moving the plan's OTE and first target
    moves their scales (their amounts stay), on the fast path as in a simulation."""
    smb = staffed.world.segments[staffed.world.segment_names().index("smb")].ae_headcount
    roster = [
        {"name": f"ae{i}", "role": "ae", "segment": "smb", "hired_month": -24,
         "ote": 150_000 + 10_000 * i, "quota": 600_000 if i % 2 else 0}
        for i in range(smb)
    ]  # fmt: skip
    named = staffed.with_({"world.workforce.roster": roster})
    edits = {
        "plans.ae:smb.ote": (150_000, 250_000),
        "plans.ae:smb.measures[0].target": (400_000, 900_000),
    }
    _fast_path_equals_simulation(named, edits, [210_000.0, 750_000.0])


def test_the_search_scores_what_a_simulation_reports_with_a_workforce(staffed):
    found = optimize(
        staffed,
        {"plans.ae:smb.base_share": (0.3, 0.7)},
        "min mean(comp_ae)",
        trials=40,
        seed=SEED,
        year=1,
        max_evaluations=30,
        method="cobyqa",
    )
    best = found.scenario
    kpis = complab.simulate(best, trials=40, seed=SEED).kpis()
    value = found.in_sample["value"].iloc[0]
    assert value == pytest.approx(kpis.loc[kpis["year"] == 1, "comp_ae"].mean(), rel=1e-12)


def test_earnings_to_ote_is_earnings_over_the_ote_each_seat_carried(staffed):
    """Worked from Result.reps(): a seat's year earnings over its plan's OTE times the
    ote_scale it carried (summed over the year's periods, times period/12); seats vacant
    all year are left out. A seat filled late in the year is not measured against a year."""
    result = complab.simulate(staffed, trials=8, seed=SEED)
    kpis = opt_module._year_kpis(result, 1)
    reps = result.reps()
    period = staffed.world.period_months
    for role in ("ae", "csm"):
        rows = reps[reps["role"] == role]
        plan_ote = rows["segment"].map(lambda s, r=role: staffed.plan_for(r, s).ote)
        rows = rows.assign(carried=plan_ote * rows["ote_scale"] * period / 12)
        year = rows.groupby(["trial", "rep"])[["earnings", "carried"]].sum()
        n_reps = year.index.get_level_values("rep").nunique()
        expect = (year["earnings"] / year["carried"]).where(year["carried"] > 0)
        got = kpis[f"earnings_to_ote:{role}"]
        assert got.shape == (8, n_reps)
        assert np.allclose(got.reshape(-1), expect.to_numpy(), rtol=1e-12, equal_nan=True), role
    # The hiring plan's seats, vacant at month 0, carry 9 and 6 months' OTE (less when
    # their rep leaves), not a year's.
    carried = people.ote_carried(result, 1)
    new = np.flatnonzero((result.arrays["rep_tenure"][:, :, 0] < 0).all(axis=0))
    assert sorted(carried[:, new].max(axis=0)) == [0.5, 0.75, 0.75]
