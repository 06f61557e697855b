"""Rich display: money as $1.23M, rates as 97.1%, years counted from 1 in every table, and
the HTML that Jupyter shows for results, comparisons, sweep tables and plans."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import complab
from complab import cli, display, presets


@pytest.fixture(scope="module")
def result() -> complab.Result:
    return complab.simulate(presets.default().with_({"world.months": 24}), trials=20, seed=2)


@pytest.fixture(scope="module")
def comparison() -> complab.Comparison:
    base = presets.default().with_({"world.months": 24})
    return complab.compare(
        base,
        {"richer csm": {"plans.csm:*.ote": "×1.1"}, "less churn": presets.lower_churn(base)},
        trials=10,
        seed=3,
    )


def test_number_formats():
    assert display.money(1_234_567) == "$1.23M"
    assert display.money(-1_150_000) == "-$1.15M"
    assert display.money(512_300) == "$512K"
    assert display.money(999_600) == "$1.00M"
    assert display.money(2.5e9) == "$2.50B"
    assert display.money(-0.2) == "$0" and display.money(float("nan")) == "–"
    assert display.pct(0.9712) == "97.1%" and display.pct(1.08) == "108.0%"
    assert display.count(1234) == "1,234" and display.count(0.4) == "0.4"
    assert display.ratio(0.4234) == "0.42"
    kinds = {
        "nrr": "pct",
        "grr:smb": "pct",
        "comp_total": "money",
        "earnings_per_csm": "money",
        "new_logos": "count",
        "cost_of_sales": "ratio",
        "controllability[csm:smb.nrr]": "pct",
    }
    assert {k: display.kind(k) for k in kinds} == kinds


def test_years_count_from_1_in_every_table(result, comparison):
    assert result.years == 2
    for table in (result.kpis(), result.cohorts(), result.annual_earnings()):
        assert sorted(table["year"].unique()) == [1, 2]
    summary = result.summary()
    assert sorted(summary.loc[summary["year"] >= 0, "year"].unique()) == [1, 2]
    assert sorted(comparison.table()["year"].unique()) == [1, 2]
    # year 1 is months 0-11
    kpis = result.kpis().query("year == 1")
    monthly = result.monthly().query("month < 12").groupby("trial")["new_arr"].sum()
    np.testing.assert_allclose(kpis["new_arr"].to_numpy(), monthly.to_numpy())
    sweep = complab.sweep(
        result.scenario, {"plans.csm:smb.ote": [90_000, 100_000]}, outputs=["nrr"], trials=4
    )
    assert sorted(sweep["year"].unique()) == [1, 2]


def test_the_cli_csv_counts_years_as_the_python_tables(capsys, tmp_path, comparison):
    csv = tmp_path / "diff.csv"
    code = cli.main(
        ["compare", "--preset", "default", "--variant", "x:plans.csm:smb.ote=100000"]
        + ["--trials", "4", "--seed", "1", "--quiet", "--year", "2", "--out", str(csv)]
    )
    out, _ = capsys.readouterr()
    assert code == 0 and "in year 2 " in out
    assert sorted(pd.read_csv(csv)["year"].unique()) == [1, 2, 3]


def test_tables_show_money_and_rates_but_keep_the_numbers(result):
    summary = result.summary()
    assert isinstance(summary, display.Table) and summary["mean"].dtype == float
    text = repr(summary)
    assert "e+0" not in text  # no scientific notation
    arr = summary.query("kpi == 'arr_end' and year == 2").iloc[0]
    nrr = summary.query("kpi == 'nrr' and year == 2").iloc[0]
    page = summary.query("year == 2")._repr_html_()  # a filtered table displays the same way
    assert display.money(arr["mean"]) in page and display.pct(nrr["mean"]) in page
    kpis = result.kpis()._repr_html_()
    assert display.money(result.kpis()["comp_total"].iloc[0]) in kpis
    plain = pd.DataFrame(summary)
    assert plain.equals(summary)


def test_result_comparison_sweep_and_plan_display_as_html(result, comparison):
    page = result._repr_html_()
    kpis = result.kpis().query("year == 2")
    assert display.money(np.median(kpis["arr_end"])) in page
    assert display.pct(np.median(kpis["nrr"])) in page
    assert "Year 1" in page and "Year 2" in page and "Year 0" not in page
    assert "CSM smb" in page and display.money(90_000) in page
    page = comparison._repr_html_()
    row = comparison.table("comp_csm", year=2).set_index("variant").loc["richer csm"]
    assert "+" + display.money(row["diff"]) in page
    assert "repay" in page and "simulate" in page and "Year 2" in page
    sweep = complab.sweep(
        result.scenario,
        {"plans.csm:smb.ote": [90_000, 100_000]},
        outputs=["comp_csm", "nrr:smb"],
        trials=4,
        seed=1,
    )
    page = sweep._repr_html_()
    comp = sweep.query("output == 'comp_csm'")["mean"].iloc[0]
    nrr = sweep.query("output == 'nrr:smb'")["mean"].iloc[0]
    assert display.money(comp) in page and display.pct(nrr) in page
    plan = result.scenario.plans["csm:smb"]
    page = plan._repr_html_()
    assert "OTE $90K" in page and "gross_churn" in page and "65.0%" in page
