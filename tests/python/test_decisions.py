"""Reports for decisions: the budget and keep-whole figures against values computed here
from the result arrays (to the cent), and the comparison and sweep pages in headless
Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from test_report import browse, console_messages

import complab
from complab import _core, presets
from complab.decisions import budget, keep_whole, scenario_changes
from complab.display import money

TRIALS = 30
YEAR = 2


@pytest.fixture(scope="module")
def base() -> complab.Scenario:
    return presets.default().with_({"world.months": 24})


@pytest.fixture(scope="module")
def comparison(base) -> complab.Comparison:
    return complab.compare(
        base,
        {
            "richer csm": {"plans.csm:*.ote": "×1.1"},
            "clawback": presets.first_renewal_clawback().with_({"world.months": 24}),
            "less churn": presets.lower_churn(base),
            "more reps": {"world.segments.smb.ae_headcount": 4},
        },
        trials=TRIALS,
        seed=5,
    )


def earnings(result: complab.Result, year: int) -> np.ndarray:
    """[trials, reps] earnings in a year (from 1), straight from the pay array; the default
    pays yearly, so period year - 1 is the year."""
    pay = result.arrays["pay"][..., list(_core.PAY_FIELDS).index("earnings")]
    assert result.scenario.world.period_months == 12
    return pay[:, :, year - 1]


def test_budget_matches_compare_and_the_arrays_to_the_cent(comparison):
    table = budget(comparison).set_index("run")
    assert list(table.index) == ["base", "richer csm", "clawback", "less churn", "more reps"]
    assert (table["year"] == YEAR).all()
    diffs = comparison.table("comp_total", year=YEAR).set_index("variant")
    runs = {"base": comparison.base, **comparison.results}
    for name, result in runs.items():
        row = table.loc[name]
        cost = earnings(result, YEAR).sum(axis=1)
        assert row["cost_mean"] == pytest.approx(cost.mean(), abs=0.005)
        want = diffs["base_mean"].iloc[0] if name == "base" else diffs.loc[name, "variant_mean"]
        assert row["cost_mean"] == pytest.approx(want, abs=0.005)
        for q in (10, 50, 90):
            assert row[f"cost_p{q}"] == pytest.approx(np.percentile(cost, q), abs=0.005)
        otes = [
            result.scenario.plan_for(role, None if seg == "all" else seg).ote
            for role, seg in zip(result.roster["role"], result.roster["segment"], strict=True)
        ]
        assert row["total_ote"] == pytest.approx(sum(otes), abs=0.005)
        assert row["cost_at_risk"] == pytest.approx(np.percentile(cost, 90) - sum(otes), abs=0.01)
    # the richer CSM plans raise the budget by 10% of the CSMs' OTE
    csm_ote = sum(
        p.ote * n
        for key, p in comparison.base.scenario.plans.items()
        if key.startswith("csm:")
        for n in [
            comparison.base.scenario.world.segments[
                comparison.base.scenario.world.segment_names().index(key.split(":")[1])
            ].csm_headcount
        ]
    )
    assert table.loc["richer csm", "total_ote"] - table.loc["base", "total_ote"] == pytest.approx(
        0.1 * csm_ote, abs=0.01
    )


def test_budget_counts_the_ote_each_seat_carried_in_the_year(base):
    """A hiring plan's seats are budgeted for the months they are held: two SMB AEs from
    month 9 of year 2 carry a quarter of a year's OTE each, and an AE who joins in month 3
    of year 1 and stays carries the whole of year 2 (no attrition: worked by hand)."""
    smb = base.world.segments[base.world.segment_names().index("smb")].ae_headcount
    mid = base.world.segments[base.world.segment_names().index("mid_market")].ae_headcount
    hiring = base.with_(
        {
            "world.workforce.hiring": [
                {"role": "ae", "segment": "mid_market", "month": 3, "headcount": mid + 1},
                {"role": "ae", "segment": "smb", "month": 21, "headcount": smb + 2},
            ]
        }
    )
    cmp = complab.compare(base, {"hiring": hiring}, trials=TRIALS, seed=5)
    table = budget(cmp, year=YEAR).set_index("run")
    ae_smb, ae_mid = base.plans["ae:smb"].ote, base.plans["ae:mid_market"].ote
    extra = ae_mid + 2 * ae_smb * 3 / 12
    assert table.loc["hiring", "total_ote"] == pytest.approx(
        table.loc["base", "total_ote"] + extra, abs=0.01
    )
    year_1 = budget(cmp, year=1).set_index("run")
    assert year_1.loc["hiring", "total_ote"] == pytest.approx(
        year_1.loc["base", "total_ote"] + ae_mid * 9 / 12, abs=0.01
    )
    # Cost at risk is P90 cost less that budget, and the comp cost is what reps were paid.
    cost = earnings(cmp.results["hiring"], YEAR).sum(axis=1)
    assert table.loc["hiring", "cost_at_risk"] == pytest.approx(
        np.percentile(cost, 90) - table.loc["hiring", "total_ote"], abs=0.01
    )


def test_keep_whole_matches_the_arrays_to_the_cent(comparison):
    kw = keep_whole(comparison, "clawback")
    b = earnings(comparison.base, YEAR)
    v = earnings(comparison.results["clawback"], YEAR)
    d = v - b
    np.testing.assert_allclose(kw["base_mean"], b.mean(axis=0), atol=0.005, rtol=0)
    np.testing.assert_allclose(kw["variant_mean"], v.mean(axis=0), atol=0.005, rtol=0)
    np.testing.assert_allclose(kw["diff"], d.mean(axis=0), atol=0.005, rtol=0)
    np.testing.assert_allclose(kw["keep_whole"], np.maximum(0, -d).mean(axis=0), atol=0.005)
    np.testing.assert_allclose(kw["share_less"], (d < -0.005).mean(axis=0))
    np.testing.assert_allclose(kw["share_more"], (d > 0.005).mean(axis=0))
    # A clawback only ever takes pay away, and only from AEs.
    ae = kw["role"] == "ae"
    assert (kw.loc[ae, "diff"] <= 0).all() and (kw.loc[ae, "share_less"] > 0).any()
    assert (kw.loc[~ae, "diff"] == 0).all() and (kw.loc[~ae, "keep_whole"] == 0).all()
    # the per-role sums are compare's per-role differences
    diffs = comparison.table("comp_ae", year=YEAR).set_index("variant")
    assert kw.loc[ae, "diff"].sum() == pytest.approx(diffs.loc["clawback", "diff"], abs=0.005)


def test_keep_whole_needs_the_same_reps(comparison):
    with pytest.raises(
        ValueError, match=r"'more reps' has other reps than the base \(25 against 24"
    ):
        keep_whole(comparison, "more reps")
    with pytest.raises(ValueError, match=r"variant: 'nope' is not one of"):
        keep_whole(comparison, "nope")
    with pytest.raises(ValueError, match=r"year: 3 is not a year of variant"):
        keep_whole(comparison, "clawback", year=3)


def test_scenario_changes_list_what_a_variant_edits(comparison):
    changes = scenario_changes(comparison.base.scenario, comparison.results["richer csm"].scenario)
    assert [c[0] for c in changes] == [
        "plans.csm:smb.ote",
        "plans.csm:mid_market.ote",
        "plans.csm:enterprise.ote",
    ]
    assert changes[0][1:] == (90_000.0, 99_000.0)


@pytest.fixture(scope="module")
def comparison_page(comparison, tmp_path_factory) -> Path:
    return complab.report(comparison, tmp_path_factory.mktemp("decision") / "decision.html")


def test_the_comparison_page_holds_the_budget_and_keep_whole_figures(comparison, comparison_page):
    page = comparison_page.read_text(encoding="utf-8")
    assert "<script" not in page
    for heading in (
        "What changes",
        f"Differences, year {YEAR}",
        f"Budget, year {YEAR}",
        f"Keep-whole: who earns more or less, year {YEAR}",
        "Base plans",
    ):
        assert f">{heading}</h2>" in page, heading
    table = budget(comparison).set_index("run")
    for name in table.index:
        row = table.loc[name]
        cells = [
            money(row[c])
            for c in ("total_ote", "cost_mean", "cost_p10", "cost_p50", "cost_p90", "cost_at_risk")
        ]
        assert "".join(f'<td class="">{c}</td>' for c in cells) in page, name
    kw = keep_whole(comparison, "clawback")
    total = money(kw["keep_whole"].sum())
    assert f"costs about <b>{total}</b> in year {YEAR}" in page
    assert "has other reps than the base" in page  # the variant with another headcount
    assert "plans.csm:smb.ote" in page and "99,000" in page


def test_the_comparison_page_renders_in_chromium(comparison_page, tmp_path):
    done = browse(comparison_page, tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr
    assert console_messages(done.stderr) == []
    assert done.stdout.count("<svg") == 1 and done.stdout.count("<table>") >= 6


def test_the_sweep_page_holds_each_points_budget(base, tmp_path):
    grid = {"plans.csm:smb.ote": [80_000, 100_000]}
    table = complab.sweep(base, grid, outputs=["comp_total", "nrr:smb"], trials=10, seed=2)
    path = complab.report(table, tmp_path / "sweep.html")
    page = path.read_text(encoding="utf-8")
    assert f">Budget, year {YEAR}</h2>" in page
    rows = table[(table["output"] == "comp_total") & (table["year"] == YEAR)]
    for point, ote in zip(grid["plans.csm:smb.ote"], (80_000, 100_000), strict=True):
        scenario = base.with_({"plans.csm:smb.ote": ote})
        result = complab.simulate(scenario, trials=1, seed=0)
        budget_ote = sum(
            scenario.plan_for(r, None if s == "all" else s).ote
            for r, s in zip(result.roster["role"], result.roster["segment"], strict=True)
        )
        mean = rows[rows["plans.csm:smb.ote"] == point]["mean"].iloc[0]
        assert f'<td class="">{money(budget_ote)}</td><td class="">{money(mean)}</td>' in page
    # read back from CSV, the table has no scenario: the budget asks for one
    plain = table.copy()
    plain.attrs = {}
    page = complab.report(plain, tmp_path / "plain.html").read_text(encoding="utf-8")
    assert "The budget needs the swept scenario" in page
    again = complab.report(plain, tmp_path / "again.html", scenario=base).read_text("utf-8")
    assert "The budget needs the swept scenario" not in again
    done = browse(path, tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0 and console_messages(done.stderr) == []
    assert re.search(r"<h1>Sweep of plans\.csm:smb\.ote</h1>", done.stdout)
    with pytest.raises(ValueError, match=r"table: not a sweep table \(no column 'output'\)"):
        complab.report(complab.simulate(base, trials=2, seed=1).kpis(), tmp_path / "x.html")


def test_a_sweeps_budget_output_counts_the_ote_each_seat_carried(base, tmp_path):
    """With the ``budget`` output the sweep page budgets what the seats carried: a hiring
    plan adding two SMB AEs from month 21 adds a quarter of a year's OTE each to year 2, and
    an AE from month 3 a full year (worked by hand, as above); a full year of every seat
    would count both whole."""
    smb = base.world.segments[base.world.segment_names().index("smb")].ae_headcount
    hiring = base.with_(
        {
            "world.workforce.hiring": [
                {"role": "ae", "segment": "smb", "month": 21, "headcount": smb + 2}
            ]
        }
    )
    grid = {"plans.ae:smb.ote": [100_000, 120_000]}
    table = complab.sweep(hiring, grid, outputs=["comp_total", "budget"], trials=10, seed=2)
    page = complab.report(table, tmp_path / "sweep.html").read_text(encoding="utf-8")
    assert "Budget: the OTE the seats carried in the year" in page
    for ote in grid["plans.ae:smb.ote"]:
        point = base.with_({"plans.ae:smb.ote": ote})
        result = complab.simulate(point, trials=1, seed=0)  # no hiring: every seat all year
        full = sum(
            point.plan_for(r, None if s == "all" else s).ote
            for r, s in zip(result.roster["role"], result.roster["segment"], strict=True)
        )
        rows = table[(table["output"] == "budget") & (table["plans.ae:smb.ote"] == ote)]
        by_year = rows.set_index("year")
        assert by_year.loc[1, "mean"] == pytest.approx(full, abs=0.01)
        assert by_year.loc[2, "mean"] == pytest.approx(full + 2 * ote * 3 / 12, abs=0.01)
        assert by_year.loc[2, "p10"] == by_year.loc[2, "p90"]  # no attrition: the same each trial
        assert f'<td class="">{money(full + 2 * ote * 3 / 12)}</td>' in page
    # Without the output the page budgets a full year of every seat, and says so.
    plain = complab.sweep(hiring, grid, outputs=["comp_total"], trials=10, seed=2)
    text = complab.report(plain, tmp_path / "plain.html").read_text(encoding="utf-8")
    assert "a full year of every seat's plan OTE" in text


def test_compare_and_sweep_write_decision_reports_from_the_command_line(capsys, tmp_path):
    from complab import cli

    page = tmp_path / "decision.html"
    code = cli.main(
        ["compare", "--preset", "default", "--variant", "claw=preset:first_renewal_clawback"]
        + ["--trials", "6", "--seed", "1", "--quiet", "--year", "2", "--report", str(page)]
    )
    out, _ = capsys.readouterr()
    assert code == 0 and f"Report: {page.resolve()}" in out
    text = page.read_text(encoding="utf-8")
    assert ">Budget, year 2</h2>" in text and "Keep-whole" in text
    page = tmp_path / "sweep.html"
    code = cli.main(
        ["sweep", "--preset", "default", "--grid", "plans.csm:smb.ote=80000,100000"]
        + ["--output", "comp_total", "--trials", "4", "--seed", "1", "--quiet"]
        + ["--report", str(page)]
    )
    out, _ = capsys.readouterr()
    assert code == 0 and ">Budget, year 3</h2>" in page.read_text(encoding="utf-8")
