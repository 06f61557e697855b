"""Plots return the Axes they drew on, with the artists their data call for."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.image import AxesImage

import complab
from complab import plots, presets

matplotlib.use("Agg")  # non-interactive: the tests draw no windows (pyplot is imported later)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def result():
    return complab.simulate(presets.default(), trials=6, seed=3, threads=2)


def test_fan_chart_draws_bands_and_a_median_over_months_or_years(result):
    ax = plots.fan_chart(result)
    assert isinstance(ax, Axes)
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2 and len(ax.lines) == 1  # P5-P95, P25-P75, P50
    x, y = ax.lines[0].get_data()
    assert len(x) == result.months
    wide = result.monthly().pivot(index="trial", columns="month", values="arr_end")
    np.testing.assert_allclose(y, np.percentile(wide.to_numpy(), 50, axis=0))
    ax = plots.fan_chart(result, "nrr", percentiles=(10, 50, 90))
    assert len(ax.lines[0].get_xdata()) == result.years and ax.get_xlabel() == "year"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]  # whole years
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 1
    for bad in ("arr", "trial", "year", "month"):
        with pytest.raises(ValueError, match=f"kpi: '{bad}' is not a monthly series .*arr_end"):
            plots.fan_chart(result, bad)
    with pytest.raises(ValueError, match="percentiles"):
        plots.fan_chart(result, percentiles=(10, 90))


@pytest.mark.parametrize(
    "draw",
    [
        lambda: plots.fan_chart(pd.DataFrame()),
        lambda: plots.pay_distribution("x"),
        lambda: plots.attainment_histogram(None),
        lambda: plots.tornado([1]),
    ],
)
def test_plots_name_what_is_not_a_result_or_a_table(draw):
    with pytest.raises(ValueError, match="expected a"):
        draw()


def test_pay_distribution_has_one_box_per_role_and_ote_marks(result):
    import matplotlib.pyplot as plt

    _, given = plt.subplots()
    ax = plots.pay_distribution(result, ax=given)
    assert ax is given
    assert [t.get_text() for t in ax.get_xticklabels()] == ["AE", "SDR", "CSM"]
    assert len(ax.patches) == 3
    marks = ax.collections[-1].get_offsets()
    assert marks[1][1] == pytest.approx(result.scenario.plans["sdr"].ote)
    # The boxes hold whole years' earnings: each role's median is the median of its reps'
    # summed yearly pay (the default's periods are years).
    pay = result.arrays["pay"][..., list(complab._core.PAY_FIELDS).index("earnings")]
    roles = result.roster["role"].to_numpy()
    for k, role in enumerate(["ae", "sdr", "csm"]):
        median = ax.lines[5 * k + 4].get_ydata()[0]  # whiskers, caps, then the median line
        assert median == pytest.approx(np.median(pay[:, roles == role, :]))


def test_attainment_histogram_matches_the_attainment_formula(result):
    ax = plots.attainment_histogram(result, role="csm", measure="nrr", bins=10)
    assert len(ax.patches) == 1 and ax.lines[0].get_xdata()[0] == 1.0
    table = plots.attainments(result)
    reps = result.reps()
    row = table[(table["measure"] == "gross_churn")].iloc[0]
    rep = reps[
        (reps["trial"] == row["trial"])
        & (reps["rep"] == row["rep"])
        & (reps["period"] == row["period"])
    ].iloc[0]
    target = result.scenario.plan_for("csm", rep["segment"]).measures[0].target
    assert row["attainment"] == pytest.approx(max(0.0, 1 + (target - rep["gross_churn"]) / target))
    with pytest.raises(ValueError, match="no attainment"):
        plots.attainment_histogram(result, role="sdr", measure="nrr")


def test_comparison_bars_have_one_bar_and_interval_per_variant():
    base = presets.default()
    c = complab.compare(
        base,
        {"a": {"plans.csm:smb.ote": 100_000}, "b": presets.lower_churn(base)},
        trials=4,
        seed=2,
        threads=2,
    )
    ax = c.plot("comp_total")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert len(ax.patches) == 2
    widths = [p.get_width() for p in ax.patches]
    np.testing.assert_allclose(widths, c.table("comp_total", year=3)["diff"])
    with pytest.raises(ValueError, match="table: no column 'ci_low'"):
        plots.comparison_bars(pd.DataFrame({"variant": ["a"], "diff": [1.0]}))


def test_sweep_heatmap_pivots_two_parameters():
    grid = pd.DataFrame(
        [(a, b, a * b) for a in (0.1, 0.2, 0.3) for b in (1, 2)], columns=["x", "y", "v"]
    )
    ax = plots.sweep_heatmap(grid, annotate=True)
    images = [i for i in ax.images if isinstance(i, AxesImage)]
    assert len(images) == 1
    values = images[0].get_array()
    assert values.shape == (2, 3)
    np.testing.assert_allclose(values[1], [0.2, 0.4, 0.6])  # row y = 2
    assert len(ax.texts) == 6 and ax.get_xlabel() == "x"
    with pytest.raises(ValueError, match="more than one row"):
        plots.sweep_heatmap(pd.concat([grid, grid]))
    with pytest.raises(ValueError, match="give all three"):
        plots.sweep_heatmap(grid, x="x")


def test_tornado_puts_the_widest_swing_on_top():
    data = pd.DataFrame(
        {"parameter": ["p", "q", "r"], "low": [1.0, 0.0, 2.0], "high": [3.0, 5.0, 2.5]}
    )
    ax = plots.tornado(data, base=2.0)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["r", "p", "q"]  # bottom to top
    assert len(ax.patches) == 6  # low and high bar per parameter
    ax = plots.tornado(data)
    assert sorted(p.get_width() for p in ax.patches) == [0.5, 2.0, 5.0]


def test_tornado_reads_the_sensitivity_table():
    # complab.sensitivity.tornado's columns: low/high are parameter values, outputs separate.
    data = pd.DataFrame(
        {
            "parameter": ["hazard", "win_rate"],
            "low": [0.1, 0.2],
            "high": [0.3, 0.4],
            "output_low": [0.9, 0.84],
            "output_high": [0.7, 0.86],
            "base": [0.85, 0.85],
        }
    )
    ax = plots.tornado(data)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["win_rate", "hazard"]
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == sorted([-0.15, 0.05, -0.01, 0.01])  # drawn from the base, not the inputs
