"""Uncertain assumptions: distributions, keyed draws, variance sources (docs/model.md §11)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import complab
from complab import presets
from complab import uncertainty as u

SEED = 11
HAZARD = "world.segments.smb.renewal_hazard"


@pytest.fixture(scope="module")
def base():
    return presets.default().with_(world__months=12)


@pytest.fixture(scope="module")
def hazard(base):
    return list(base.world.segments[0].renewal_hazard)


@pytest.fixture(scope="module")
def uncertain(base, hazard):
    return base.with_({HAZARD: u.LogNormal(median=hazard, log_sd=0.35, high=1.0)})


# -- the distributions against scipy.stats -----------------------------------------------------------
UNIFORMS = np.array([1e-6, 0.01, 0.2, 0.5, 0.77, 0.99, 1 - 1e-6])


@pytest.mark.parametrize(
    ("dist", "reference"),
    [
        (u.Normal(3.0, 2.0), stats.norm(3.0, 2.0)),
        (u.LogNormal(median=0.2, log_sd=0.3), stats.lognorm(0.3, scale=0.2)),
        (u.Uniform(2.0, 10.0), stats.uniform(2.0, 8.0)),
        (u.Triangular(1.0, 2.0, 5.0), stats.triang(0.25, loc=1.0, scale=4.0)),
        (u.Beta(2.0, 5.0, low=0.1, high=0.6), stats.beta(2.0, 5.0, loc=0.1, scale=0.5)),
        (u.Normal(0.3, 0.2, low=0.0, high=1.0), stats.truncnorm(-1.5, 3.5, loc=0.3, scale=0.2)),
    ],
)
def test_quantiles_match_scipy_stats(dist, reference):
    assert np.allclose(dist.ppf(UNIFORMS), reference.ppf(UNIFORMS), rtol=1e-9, atol=1e-12)
    assert dist.nominal() == pytest.approx(float(reference.median()), rel=1e-9)


def test_a_capped_beta_is_the_stretched_beta_clipped_and_round_trips():
    capped = u.Beta(3.0, 4.0, low=0.0, high=1.6, cap=1.0)
    reference = stats.beta(3.0, 4.0, scale=1.6)
    np.testing.assert_allclose(
        capped.ppf(UNIFORMS), np.minimum(reference.ppf(UNIFORMS), 1.0), rtol=1e-12
    )
    assert capped.attainable()[1] == 1.0
    assert u.from_dict(capped.to_dict()) == capped
    assert capped.scaled(2.0).cap == 1.0  # the cap bounds the field, not the scale
    with pytest.raises(ValueError, match=r"beta.cap: -0.5 is below low 0"):
        u.Beta(3.0, 4.0, cap=-0.5)


def test_truncated_lognormal_matches_its_definition():
    d = u.LogNormal(median=0.5, log_sd=0.6, high=1.0)
    ref = stats.lognorm(0.6, scale=0.5)
    top = ref.cdf(1.0)
    assert np.allclose(d.ppf(UNIFORMS), ref.ppf(UNIFORMS * top), rtol=1e-9)
    assert d.attainable()[1] <= 1.0


def test_a_list_field_moves_together():
    d = u.LogNormal(median=[0.3, 0.2, 0.1], log_sd=0.2)
    values = d.ppf([0.1, 0.9])
    assert values.shape == (2, 3)
    ratio = values / np.array([0.3, 0.2, 0.1])
    assert np.allclose(ratio, ratio[:, :1])  # one multiplier per draw


def test_keyed_uniforms_are_pure_functions_of_seed_stream_and_draw():
    a = u.uniforms(5, "x", [0, 1, 2, 3])
    assert np.array_equal(u.uniforms(5, "x", [2, 3]), a[2:])
    assert not np.array_equal(u.uniforms(6, "x", [0, 1, 2, 3]), a)
    assert not np.array_equal(u.uniforms(5, "y", [0, 1, 2, 3]), a)
    big = u.uniforms(5, "x", range(4000))
    assert (big > 0).all() and (big < 1).all()
    # Uniform: the Kolmogorov-Smirnov statistic of 4,000 keyed draws is small.
    assert stats.kstest(big, "uniform").pvalue > 1e-3


# -- scenarios ------------------------------------------------------------------------------------------
def test_the_world_holds_medians_and_yaml_round_trips(uncertain, hazard):
    dist = uncertain.uncertain[HAZARD]
    # The median of each entry's log-normal truncated at 1.
    refs = [stats.lognorm(0.35, scale=h) for h in hazard]
    medians = [r.ppf(0.5 * r.cdf(1.0)) for r in refs]
    assert uncertain.world.segments[0].renewal_hazard == pytest.approx(medians, rel=1e-9)
    assert uncertain.world.segments[0].renewal_hazard == dist.nominal()
    text = uncertain.to_yaml()
    assert "dist: lognormal" in text
    assert complab.Scenario.from_yaml(text) == uncertain
    assert complab.Scenario.from_dict(uncertain.to_dict()) == uncertain


def test_yaml_written_by_hand(base):
    text = base.to_yaml().replace(
        "incentive_sensitivity: 0.0", "incentive_sensitivity: {dist: uniform, low: 2, high: 10}"
    )
    s = complab.Scenario.from_yaml(text)
    assert s.uncertain["world.behaviour.incentive_sensitivity"] == u.Uniform(2.0, 10.0)
    assert s.world.behaviour.incentive_sensitivity == 6.0
    assert s.responsive


def test_relative_edits_scale_a_distribution_and_a_value_removes_it(uncertain, hazard):
    scaled = uncertain.with_({HAZARD: "×0.5"}).uncertain[HAZARD]
    assert scaled.median == pytest.approx(tuple(h * 0.5 for h in hazard))
    assert scaled.log_sd == 0.35
    assert uncertain.with_({HAZARD: hazard}).uncertain == {}
    assert uncertain.with_({f"{HAZARD}.log_sd": 0.1}).uncertain[HAZARD].log_sd == 0.1


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (HAZARD, {"dist": "gamma", "a": 1}, "renewal_hazard.dist: 'gamma' is not one of normal"),
        ("world.skill_log_sd", {"dist": "normal", "mean": 0.2}, "needs mean, sd; 'sd' is missing"),
        (
            "world.skill_log_sd",
            {"dist": "normal", "mean": 0.2, "sd": -1},
            "skill_log_sd.sd: -1 is not >= 0",
        ),
        ("world.skill_log_sd", {"dist": "uniform", "low": 2, "high": 1}, "high: 1 is below low 2"),
        ("world.skill_log_sd", {"dist": "uniform", "low": 0.1, "hi": 1}, "unknown key 'hi'"),
        ("world.segments.smb.csm_headcount", u.Uniform(1, 3), "a count, which cannot be uncertain"),
        (HAZARD, u.Uniform(0.1, 0.2), "give the uniform distribution's parameters as lists"),
        ("world.skill_log_sd", u.Uniform([0.1, 0.2], [0.3, 0.4]), "a single number"),
        ("world.segments.smb.win_rate", u.Normal(0.2, 0.1), "can draw -0.6"),
        ("world.segments.smb.win_rate", u.Beta(2, 2, low=0.5, high=1.5), "can draw 1.5"),
        (
            "world.segments.smb.win_rate",
            {"dist": "normal", "mean": 0.2, "sd": float("nan")},
            "win_rate.sd: nan is not a finite number",
        ),
    ],
)
def test_bad_distributions_name_the_field_value_and_rule(base, path, value, message):
    with pytest.raises(ValueError, match=None) as err:
        base.with_({path: value})
    assert message in str(err.value), str(err.value)
    assert str(err.value).startswith("world."), str(err.value)


def test_truncation_makes_a_wide_distribution_allowed(base):
    s = base.with_({"world.segments.smb.win_rate": u.Normal(0.2, 0.1, low=0.0, high=1.0)})
    lo, hi = s.uncertain["world.segments.smb.win_rate"].attainable()
    assert 0.0 <= lo and hi <= 1.0


# -- runs -----------------------------------------------------------------------------------------------
def test_zero_width_distributions_give_exactly_the_fixed_result(base, hazard):
    fixed = complab.simulate(base, trials=6, seed=SEED, threads=2)
    zero = base.with_(
        {
            HAZARD: u.LogNormal(median=hazard, log_sd=0.0),
            "world.segments.smb.win_rate": u.Uniform(0.25, 0.25),
            "world.skill_log_sd": u.Normal(0.25, 0.0),
            "world.segments.enterprise.csql_rate": u.Triangular(0.03, 0.03, 0.03),
        }
    )
    run = complab.simulate(zero, trials=6, seed=SEED, threads=2)
    assert set(run.arrays) == set(fixed.arrays)
    for name, array in fixed.arrays.items():
        assert np.array_equal(array, run.arrays[name]), name


def test_draws_are_keyed_by_trial_whatever_the_split_or_threads(uncertain):
    whole = complab.simulate(uncertain, trials=6, seed=SEED, threads=1)
    parts = [
        complab.simulate(uncertain, trials=2, seed=SEED, first_trial=0, threads=3),
        complab.simulate(uncertain, trials=4, seed=SEED, first_trial=2, threads=2),
    ]
    for name in ("monthly", "cohorts", "pay"):
        joined = np.concatenate([p.arrays[name] for p in parts])
        assert np.array_equal(whole.arrays[name], joined), name
    drawn = whole.assumptions()
    assert len(set(drawn[f"{HAZARD}[0]"])) == 6  # a fresh draw each trial
    again = parts[1].assumptions()
    assert np.array_equal(again[f"{HAZARD}[0]"], drawn[f"{HAZARD}[0]"][2:])


def test_a_trial_is_the_fixed_world_at_its_draw(uncertain):
    run = complab.simulate(uncertain, trials=3, seed=SEED, first_trial=4, threads=2)
    drawn = run.assumptions()
    row = drawn.iloc[1]
    values = tuple(row[f"{HAZARD}[{k}]"] for k in range(4))
    single = complab.simulate(uncertain.at({HAZARD: values}), trials=1, seed=SEED, first_trial=5)
    assert np.array_equal(single.arrays["monthly"][0], run.arrays["monthly"][1])


def test_trials_per_draw_shares_a_draw(uncertain):
    run = complab.simulate(uncertain, trials=9, seed=SEED, trials_per_draw=4, first_trial=2)
    drawn = run.assumptions()
    assert list(drawn["draw"]) == [0, 0, 1, 1, 1, 1, 2, 2, 2]
    for _, group in drawn.groupby("draw"):
        assert group[f"{HAZARD}[0]"].nunique() == 1


def test_a_lognormal_hazard_widens_grr(base, uncertain):
    def spread(s):
        c = complab.simulate(s, trials=120, seed=SEED, threads=2).cohorts()
        grr = c[(c["segment"] == "smb") & (c["year"] == 1)]["grr"].to_numpy()
        return np.percentile(grr, 90) - np.percentile(grr, 10)

    assert spread(uncertain) > 1.5 * spread(base)


def test_saved_results_keep_their_assumptions(uncertain, tmp_path):
    run = complab.simulate(uncertain, trials=4, seed=SEED, trials_per_draw=2)
    loaded = complab.load(run.save(tmp_path / "run.parquet"))
    assert loaded.scenario == uncertain
    assert loaded.trials_per_draw == 2
    assert loaded.assumptions().equals(run.assumptions())
    repaid = loaded.repay({"plans.csm:*.ote": "×1.1"})
    assert repaid.trials_per_draw == 2
    assert np.array_equal(repaid.arrays["monthly"], run.arrays["monthly"])


# -- variance sources against a nested Monte Carlo ------------------------------------------------------------
def test_variance_sources_match_a_nested_monte_carlo(uncertain):
    draws, k = 40, 8
    run = complab.simulate(uncertain, trials=draws * k, seed=SEED, trials_per_draw=k, threads=2)
    split = run.variance_sources(["grr:smb", "comp_csm"], year=1).set_index("kpi")

    # Independently: draw the hazard multiplier with numpy, simulate each fixed world.
    dist = uncertain.uncertain[HAZARD]
    rng = np.random.default_rng(2024)
    seeds = np.random.SeedSequence(99).spawn(draws)
    grids: dict[str, list[np.ndarray]] = {"grr:smb": [], "comp_csm": []}
    for value, seed in zip(dist.sample(draws, rng), seeds, strict=True):
        r = complab.simulate(uncertain.at({HAZARD: value}), trials=k, seed=seed, threads=2)
        c = r.cohorts()
        grids["grr:smb"].append(c[(c["segment"] == "smb") & (c["year"] == 1)]["grr"].to_numpy())
        grids["comp_csm"].append(r.kpis()["comp_csm"].to_numpy())
    for kpi, rows in grids.items():
        grid = np.array(rows)
        means, within = grid.mean(axis=1), grid.var(axis=1, ddof=1)
        luck = within.mean()
        assumption = means.var(ddof=1) - luck / k
        # Standard errors of the nested estimates: luck's from the spread of within-draw
        # variances; the assumption part's from the variance of a sample variance.
        luck_se = within.std(ddof=1) / math.sqrt(draws)
        between = means.var(ddof=1)
        assumption_se = math.sqrt(2 * between**2 / (draws - 1) + (luck_se / k) ** 2)
        row = split.loc[kpi]
        assert abs(row["luck_var"] - luck) < 3 * math.hypot(row["luck_se"], luck_se), kpi
        assert abs(row["assumption_var"] - assumption) < 3 * math.hypot(
            row["assumption_se"], assumption_se
        ), kpi
    # The hazard drives smb's GRR; comp barely depends on it.
    assert split.loc["grr:smb", "assumption_share"] > 0.5
    assert split.loc["grr:smb", "assumption_share"] > split.loc["comp_csm", "assumption_share"]


def test_variance_sources_on_a_known_split():
    from complab.result import _split_variance

    rng = np.random.default_rng(3)
    theta = rng.normal(0.0, 2.0, size=(4000, 1))  # Var E[Y | θ] = 4
    grid = theta + rng.normal(0.0, 1.0, size=(4000, 5))  # E Var[Y | θ] = 1
    out = _split_variance(grid)
    assert abs(out["assumption_var"] - 4.0) < 3 * out["assumption_se"]
    assert abs(out["luck_var"] - 1.0) < 3 * out["luck_se"]
    assert abs(out["assumption_share"] - 0.8) < 3 * out["assumption_share_se"]


def test_variance_sources_needs_several_trials_per_draw(uncertain):
    run = complab.simulate(uncertain, trials=4, seed=SEED)
    with pytest.raises(ValueError, match="trials_per_draw=2 or more"):
        run.variance_sources()


# -- comparisons under uncertainty ------------------------------------------------------------
@pytest.fixture(scope="module")
def compared(uncertain):
    return complab.compare(
        uncertain,
        {"richer": {"plans.csm:*.ote": "×1.1"}, "less churn": {f"{HAZARD}.median": "×0.8"}},
        trials=60,
        seed=SEED,
        threads=2,
    )


def test_every_run_sees_the_same_draws(compared):
    base = compared.base.assumptions()
    for result in compared.results.values():
        assert np.array_equal(result.assumptions()["draw"], base["draw"])
    assert compared.results["richer"].assumptions().equals(base)  # same distribution
    assert compared.methods == {"richer": "repay", "less churn": "simulate"}
    # The variant's hazard is the base's draw times 0.8: the same uniform.
    scaled = compared.results["less churn"].assumptions()[f"{HAZARD}[0]"]
    truncation = compared.base.scenario.uncertain[HAZARD]
    assert np.all(scaled <= base[f"{HAZARD}[0]"] + 1e-12)
    assert truncation.high == 1.0


def test_which_plan_wins_where(compared):
    table = compared.wins_by(HAZARD, "grr:smb", year=1, bins=3)
    drawn = compared.base.assumptions()[f"{HAZARD}[0]"].to_numpy()
    runs = {"base": compared.base, **compared.results}
    grr = {}
    for name, result in runs.items():
        c = result.cohorts()
        grr[name] = c[(c["segment"] == "smb") & (c["year"] == 1)]["grr"].to_numpy()
    order = np.argsort(drawn, kind="stable")
    for b, idx in enumerate(np.array_split(order, 3), start=1):
        rows = table[table["bin"] == b].set_index("run")
        for name in runs:
            assert rows.loc[name, "mean"] == pytest.approx(grr[name][idx].mean(), rel=1e-12)
        assert rows["p_best"].sum() == pytest.approx(1.0)
        assert rows["best"].sum() == 1
        assert rows.loc["less churn", "best"]  # less churn keeps more ARR in every bin
        assert rows["low"].iloc[0] == drawn[idx].min()
    import matplotlib

    matplotlib.use("Agg")
    ax = compared.plot_wins(HAZARD, "grr:smb", bins=3)
    assert ax.get_title() == "Which plan wins where"


def test_wins_by_needs_an_uncertain_assumption(compared, base):
    with pytest.raises(ValueError, match="is not uncertain in this comparison"):
        compared.wins_by("world.skill_log_sd", "nrr")
    fixed = complab.compare(base, {"same": base}, trials=4, seed=SEED)
    with pytest.raises(ValueError, match="no uncertain assumptions"):
        fixed.wins_by(HAZARD, "nrr")


def test_ctrl_c_keeps_the_finished_draws(uncertain):
    seen = []

    def stop_after_three(done):
        seen.append(done)
        if done >= 3:
            raise KeyboardInterrupt

    with pytest.raises(complab.SimulationInterrupted) as stop:
        complab.simulate(uncertain, trials=8, seed=SEED, threads=1, progress=stop_after_three)
    partial = stop.value.partial
    assert partial.trials == 3
    whole = complab.simulate(uncertain, trials=3, seed=SEED)
    assert np.array_equal(partial.arrays["monthly"], whole.arrays["monthly"])


def test_reports_name_the_uncertain_assumptions(uncertain, tmp_path):
    run = complab.simulate(uncertain, trials=4, seed=SEED, trials_per_draw=2)
    page = complab.report(run, tmp_path / "run.html").read_text(encoding="utf-8")
    assert "uncertain assumptions (2 trials share a draw" in page
    assert "segments.smb.renewal_hazard ~ lognormal(median [0.26, 0.17, 0.12, 0.1]" in page


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(sorted(u.KINDS)),
    values=st.lists(
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5)),
        min_size=5,
        max_size=5,
    ),
)
def test_any_parameters_give_a_distribution_or_a_clear_error(base, kind, values):
    names = [f.name for f in dataclasses.fields(u.KINDS[kind]) if f.name != "stream"]
    data = {"dist": kind, **dict(zip(names, values, strict=False))}
    try:
        s = base.with_({"world.segments.smb.win_rate": data})
    except ValueError as err:
        assert str(err).startswith("world.segments.smb.win_rate"), str(err)
        return
    lo, hi = s.uncertain["world.segments.smb.win_rate"].attainable()
    assert 0.0 <= lo <= hi <= 1.0


def test_the_decision_report_gives_the_chance_of_doing_better(compared, tmp_path):
    page = complab.report(compared, tmp_path / "decision.html").read_text(encoding="utf-8")
    year = min(compared._years(n) for n in compared.results)
    row = compared.table("nrr", year=year).set_index("variant").loc["less churn"]
    assert f"better in {row['p_better']:.0%} of trials" in page
