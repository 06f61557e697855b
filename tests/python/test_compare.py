"""compare: paired differences on common random numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import complab
from complab import presets
from complab.compare import Z95, paired_stats

TRIALS = 24
SEED = 17


@pytest.fixture(scope="module")
def base():
    return presets.default()


@pytest.fixture(scope="module")
def comparison(base):
    return complab.compare(
        base,
        {
            "same": base,
            "richer csm": {"plans.csm:smb.ote": 100_000},
            "more churn": presets.lower_churn(base, points=-3),
            "shared nrr": presets.shared_nrr(),
        },
        trials=TRIALS,
        seed=SEED,
        threads=2,
    )


def test_paired_stats_match_a_hand_computation():
    s = paired_stats(np.array([1.0, 2.0, 3.0, np.nan]), np.array([2.0, 4.0, 3.0, 5.0]))
    assert s["n"] == 3
    assert s["diff"] == 1.0  # differences 1, 2, 0
    assert s["se"] == pytest.approx(1.0 / math.sqrt(3))
    assert s["ci_low"] == pytest.approx(1.0 - Z95 / math.sqrt(3))
    assert s["se_unpaired"] == pytest.approx(math.sqrt((1.0 + 1.0) / 3))
    assert math.isnan(paired_stats(np.array([np.nan]), np.array([1.0]))["diff"])


def test_table_is_tidy_over_variants_kpis_and_years(comparison, base):
    table = comparison.table()
    assert list(table.columns) == [
        "variant",
        "kpi",
        "year",
        "n",
        "base_mean",
        "variant_mean",
        "diff",
        "se",
        "ci_low",
        "ci_high",
        "se_unpaired",
        "better",
        "p_better",
        "p_better_se",
        "shortfall",
        "method",
    ]
    kpis = set(comparison.base.kpis().columns) - {"trial", "year"}
    segments = {
        f"{m}:{s}" for m in ("nrr", "grr", "logo_churn") for s in base.world.segment_names()
    }
    roles = {"earnings_per_ae", "earnings_per_sdr", "earnings_per_csm"}
    assert set(table["kpi"]) == kpis | roles | segments
    assert set(table["year"]) == {1, 2, 3}  # years count from 1
    assert not table.duplicated(["variant", "kpi", "year"]).any()
    one = comparison.table("grr", year=1)
    assert list(one["variant"]) == ["same", "richer csm", "more churn", "shared nrr"]
    with pytest.raises(ValueError, match="kpis: 'arr' is not one of"):
        comparison.table("arr")


def test_identical_variant_differs_by_exactly_zero(comparison):
    rows = comparison.table().query("variant == 'same'")
    assert (rows["diff"].dropna() == 0.0).all() and (rows["se"].dropna() == 0.0).all()
    assert (rows["n"] == TRIALS).all()
    assert (rows["method"] == "repay").all()


def test_plan_only_variant_is_repaid_keeps_kpis_and_changes_pay(comparison, base):
    rows = comparison.table().query("variant == 'richer csm'").set_index(["kpi", "year"])
    assert comparison.methods["richer csm"] == "repay"
    money = {"comp_ae", "comp_sdr", "comp_csm", "comp_total", "cost_of_sales"} | {
        f"earnings_per_{r}" for r in ("ae", "sdr", "csm")
    }
    world_rows = rows[~rows.index.get_level_values("kpi").isin(money)]
    assert (world_rows["diff"].dropna() == 0.0).all()
    assert (rows.loc["comp_ae", "diff"] == 0).all()
    # 3 SMB CSMs get 10,000 more OTE: base pay +3 x 8,000 a year, variable pay up by 1/9.
    reps = comparison.base.reps()
    smb_csm = (reps["role"] == "csm") & (reps["segment"] == "smb")
    variable = reps[smb_csm].groupby(["trial", "period"])["variable"].sum().groupby("period").mean()
    expected = 3 * 0.8 * 10_000 + variable.to_numpy() * (100_000 / 90_000 - 1)
    np.testing.assert_allclose(rows.loc["comp_csm", "diff"].to_numpy(), expected, rtol=1e-9)
    # Re-paying equals simulating the variant in full with the same seed.
    full = complab.simulate(
        base.with_({"plans.csm:smb.ote": 100_000}), trials=TRIALS, seed=SEED, threads=2
    )
    pd.testing.assert_frame_equal(full.kpis(), comparison.results["richer csm"].kpis())


def test_world_variant_shows_a_significant_paired_grr_loss(comparison, base):
    rows = comparison.table("grr").query("variant == 'more churn'")
    assert comparison.methods["more churn"] == "simulate"
    assert (rows["ci_high"] < 0).all(), rows
    # The hazard is the book's mean churn at each renewal (docs/model.md §5): 3 points more
    # lose about 3 points of logos and, ARR-weighted, 1-6 points of GRR.
    assert (rows["diff"].between(-0.06, -0.01)).all(), rows
    # Common random numbers pair the runs: the same accounts (the warm start maps one
    # uniform to a renewal index through each book's CDF) meet the same renewal uniforms.
    # Each year's per-trial GRRs must correlate, by Fisher's z, more than 4 standard errors
    # above 0 (independent runs would not), which the paired standard error reflects.
    trials = 96
    longer = complab.compare(
        base, {"more churn": presets.lower_churn(base, points=-3)}, trials=trials, seed=SEED
    )

    def grr(result):
        c = result.cohorts().query("segment == 'all'")
        return c.pivot(index="trial", columns="year", values="grr").to_numpy()

    a, b = grr(longer.base), grr(longer.results["more churn"])
    for year in range(a.shape[1]):
        rho = np.corrcoef(a[:, year], b[:, year])[0, 1]
        assert np.arctanh(rho) * np.sqrt(trials - 3) > 4, (year, rho)
    table = longer.table("grr").query("variant == 'more churn'")
    assert (table["se"] < table["se_unpaired"]).all(), table


def test_shared_nrr_change_is_simulated_not_repaid(comparison):
    assert comparison.methods["shared nrr"] == "simulate"
    rows = comparison.table("handoff_acceptance").query("variant == 'shared nrr'")
    assert (rows["ci_low"] > 0).all()


def test_every_run_uses_one_seed_and_none_draws_and_records_one(base):
    c = complab.compare(base, {"x": {"plans.sdr.ote": 90_000}}, trials=2, seed=None, threads=1)
    assert isinstance(c.seed, dict) and "entropy" in c.seed
    assert c.base.seed == c.results["x"].seed
    again = complab.compare(
        base,
        {"x": {"plans.sdr.ote": 90_000}},
        trials=2,
        seed=np.random.SeedSequence(c.seed["entropy"]),
        threads=1,
    )
    pd.testing.assert_frame_equal(again.table(), c.table())


def test_bad_variants_are_named(base):
    with pytest.raises(
        ValueError,
        match=r"variants\['typo'\]: world\.segments\.smb\.winrate: 'winrate' is not a field",
    ):
        complab.compare(base, {"typo": {"world.segments.smb.winrate": 0.3}}, trials=2, seed=1)
    with pytest.raises(ValueError, match=r"variants\['x'\]: expected a Scenario or a mapping"):
        complab.compare(base, {"x": 3}, trials=2, seed=1)
    with pytest.raises(ValueError, match="variants: expected a non-empty mapping"):
        complab.compare(base, {}, trials=2, seed=1)


def test_a_shorter_variant_is_never_silently_left_out_of_a_year(base):
    c = complab.compare(
        base,
        {"short": {"world.months": 12}, "richer csm": {"plans.csm:smb.ote": 100_000}},
        trials=3,
        seed=2,
        threads=1,
    )
    assert set(c.table("nrr", year=1)["variant"]) == {"short", "richer csm"}
    with pytest.raises(
        ValueError,
        match=r"year: 3 is not a year of variant 'short' and the base \(years 1 to 1; the "
        r"variant simulates 12 months, the base 36\); year=3 needs world\.months >= 36",
    ):
        c.table("nrr", year=3)
    with pytest.raises(ValueError, match=r"year: 0 is not a year; years count from 1"):
        c.table("nrr", year=0)
    with pytest.raises(ValueError, match="year: 1.5 is not a year"):
        c.table("nrr", year=1.5)
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    ax = c.plot("nrr")  # the last year both variants have: year 1
    assert len(ax.patches) == 2
    plt.close(ax.figure)


def test_a_run_under_a_year_is_named(base):
    short = {"world.months": 6, "world.period_months": 6}
    with pytest.raises(
        ValueError, match=r"variants\['half'\]: world\.months is 6, under a year.*>= 12"
    ):
        complab.compare(base, {"half": short}, trials=2, seed=1)


def test_segment_cohort_kpis_are_paired_like_the_others(comparison):
    rows = comparison.table("grr:smb").query("variant == 'more churn'")
    base = comparison.base.cohorts().query("segment == 'smb'").sort_values(["trial", "year"])
    more = comparison.results["more churn"].cohorts().query("segment == 'smb'")
    more = more.sort_values(["trial", "year"])
    for year, row in rows.set_index("year").iterrows():
        d = (
            more.query(f"year == {year}")["grr"].to_numpy()
            - base.query(f"year == {year}")["grr"].to_numpy()
        )
        assert row["diff"] == pytest.approx(d.mean())
        assert row["se"] == pytest.approx(d.std(ddof=1) / np.sqrt(len(d)))


def test_p_better_and_shortfall_match_the_paired_trials(comparison):
    base = comparison.base.kpis()
    for variant, kpi, better in (
        ("more churn", "arr_end", "higher"),
        ("richer csm", "comp_total", "lower"),
    ):
        v = comparison.results[variant].kpis()
        b_year, v_year = base[base["year"] == 2][kpi].to_numpy(), v[v["year"] == 2][kpi].to_numpy()
        d = v_year - b_year
        row = comparison.table(kpi, year=2).set_index("variant").loc[variant]
        assert row["better"] == better
        wins = (d > 0) if better == "higher" else (d < 0)
        ties = d == 0
        assert row["p_better"] == (wins.sum() + 0.5 * ties.sum()) / len(d)
        k = math.ceil(0.1 * len(d))
        worst = np.sort(d)[:k] if better == "higher" else np.sort(d)[::-1][:k]
        assert row["shortfall"] == pytest.approx(worst.mean(), rel=1e-12)
    same = comparison.table("arr_end").query("variant == 'same'")
    assert (same["p_better"] == 0.5).all()  # every trial a tie


def test_workforce_kpis_are_paired_when_either_run_has_a_workforce():
    """Hiring and attrition variants are compared on what they change: each workforce
    KPI's paired difference is the mean of the per-trial values of Result.summary's
    (people.workforce_summary) differences, with the direction each improves in."""
    base = presets.default().with_(world__months=24)
    staffed = presets.workforce()
    hiring = presets.workforce(hiring=True)
    cmp = complab.compare(
        base,
        {"staffed": staffed.with_(world__months=24), "hiring": hiring.with_(world__months=24)},
        trials=12,
        seed=3,
    )
    table = cmp.table().set_index(["variant", "kpi", "year"])
    runs = {"base": cmp.base, **cmp.results}
    per_trial = {
        name: {(k, y): v for k, y, v in complab.people.workforce_summary(r)}
        for name, r in runs.items()
    }
    better = {
        "capacity": "higher",
        "leavers": "lower",
        "regretted_leavers": "lower",
        "hires": "higher",
    }
    for variant in ("staffed", "hiring"):
        for (kpi, year), v in per_trial[variant].items():
            b = per_trial["base"][(kpi, year)]
            row = table.loc[(variant, kpi, year)]
            d = v - b
            assert row["diff"] == pytest.approx(d.mean(), rel=1e-12, abs=1e-9), kpi
            assert row["se"] == pytest.approx(d.std(ddof=1) / math.sqrt(len(d)), abs=1e-9)
            assert row["base_mean"] == pytest.approx(b.mean(), abs=1e-9)
            head = kpi.rsplit("_", 1)[0]
            want = better.get(head, "lower")  # cost_of_ramp, cost_of_attrition
            assert row["better"] == want, kpi
    # The hiring plan adds three AEs: more hires and more capacity in year 1 than the base.
    assert table.loc[("hiring", "hires_ae", 1), "diff"] > 0
    assert (
        table.loc[("hiring", "capacity_ae", 1), "diff"]
        > table.loc[("staffed", "capacity_ae", 1), "diff"]
    )
    assert cmp.table(["cost_of_ramp", "leavers_csm"], year=2)["n"].eq(12).all()


def test_workforce_kpis_are_left_out_without_a_workforce(comparison):
    assert not {"capacity_ae", "cost_of_ramp"} & set(comparison.table()["kpi"])
