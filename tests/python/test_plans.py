"""Compensation plans through the Python API: hand-worked examples mirroring
tests/cpp/test_plan.cpp and test_payroll.cpp, validation messages, conversions."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
import yaml

import complab
from complab import (
    Clawback,
    Gate,
    Measure,
    Multiplier,
    PayoutCurve,
    Plan,
    Spif,
    _core,
    payout_table,
    presets,
)
from complab.plans import example_plans

NRR_POINTS = [(1.00, 0.0), (1.05, 0.5), (1.10, 1.0), (1.20, 2.0)]


def assert_points(curve: PayoutCurve, expected: object) -> None:
    np.testing.assert_allclose(np.array(curve.points), np.array(expected), rtol=1e-12, atol=1e-12)


def nrr_curve() -> PayoutCurve:
    """CSM NRR curve, target 110%: 0 at 100% NRR, 50% at 105%, 100% at 110%, 200% at 120%."""
    return PayoutCurve.from_actuals(NRR_POINTS, target=1.10)


def ae_plan(**changes: object) -> Plan:
    """OTE 200,000, 50/50 (V = 100,000 a year); new ARR 0.5 on the commission curve (target
    1,000,000), expansion ARR 0.5 linear (target 250,000)."""
    kwargs: dict = {
        "role": "ae",
        "ote": 200_000,
        "base_share": 0.5,
        "measures": [
            Measure("new_arr", 0.5, 1_000_000, PayoutCurve.commission()),
            Measure("expansion_arr", 0.5, 250_000, PayoutCurve.linear()),
        ],
    }
    kwargs.update(changes)
    return Plan(**kwargs)


def csm_plan() -> Plan:
    """OTE 100,000, 80/20 (V = 20,000): gross churn 0.65 (target 8%), NRR 0.35 (target 110%)."""
    return Plan(
        role="csm",
        ote=100_000,
        base_share=0.8,
        measures=[
            Measure("gross_churn", 0.65, 0.08, PayoutCurve.linear()),
            Measure("nrr", 0.35, 1.10, nrr_curve()),
        ],
    )


def sdr_gated_plan() -> Plan:
    """OTE 80,000, 60/40 (V = 32,000); sourced wins pay only at 80% of opportunities."""
    return Plan(
        role="sdr",
        ote=80_000,
        base_share=0.6,
        measures=[
            Measure("opportunities", 0.6, 50, PayoutCurve.linear()),
            Measure("sourced_wins", 0.4, 10, PayoutCurve.linear(), gate=Gate("opportunities", 0.8)),
        ],
    )


def csm_multiplier_plan() -> Plan:
    """OTE 120,000, 75/25 (V = 30,000); CSQL pipeline (target 500,000) times an NRR
    multiplier (0.5 at or below 90%, 1.0 at 100%, 1.2 at or above 110%); 1,000 per
    expansion won."""
    return Plan(
        role="csm",
        ote=120_000,
        base_share=0.75,
        measures=[Measure("csql_pipeline", 1.0, 500_000, PayoutCurve.linear())],
        multiplier=Multiplier("nrr", 1.0, PayoutCurve.tiered([(0.9, 0.5), (1.0, 1.0), (1.1, 1.2)])),
        spifs=[Spif("expansion_wins", 1_000)],
    )


# ---------------------------------------------------------------------------------------
# Curves


def test_nrr_curve_from_actuals() -> None:
    c = nrr_curve()
    nrr = np.array([0.95, 1.00, 1.05, 1.075, 1.10, 1.15, 1.20, 1.30])
    # 0 below and at 100% NRR; 0.75 halfway from 105% to 110%; 1.5 halfway to 120%; capped at 2.
    expected = [0.0, 0.0, 0.5, 0.75, 1.0, 1.5, 2.0, 2.0]
    np.testing.assert_allclose(c.value(nrr / 1.10), expected, atol=1e-12)
    # 0.5 of target payout per 5 NRR points = 0.5 / (0.05 / 1.10) = 11 per unit attainment.
    np.testing.assert_allclose(c.slope(np.array([1.02, 1.15]) / 1.10), [11.0, 11.0], rtol=1e-9)
    assert c.threshold == pytest.approx(1.0 / 1.1)
    assert c.cap == 2.0


def test_from_actuals_lower_is_better_sorts_points() -> None:
    # Churn 4% -> attainment 1.5, 8% -> 1.0, 12% -> 0.5 (target 8%).
    c = PayoutCurve.from_actuals(
        [(0.04, 1.5), (0.08, 1.0), (0.12, 0.5)], target=0.08, lower_is_better=True
    )
    assert_points(c, ((0.5, 0.5), (1.0, 1.0), (1.5, 1.5)))


def test_commission_curve_accelerators_and_cap() -> None:
    c = PayoutCurve.commission(accelerators=[(1.0, 1.5), (1.25, 2.0)], cap=3.0)
    # 1 + 1.5 * 0.25 = 1.375 at 125%; the cap is reached at 1.25 + (3 - 1.375) / 2 = 2.0625.
    assert c.points == ((0.0, 0.0), (1.0, 1.0), (1.25, 1.375), (2.0625, 3.0))
    a = np.array([-0.1, 0.8, 1.0, 1.1, 1.25, 1.5, 2.0625, 4.0])
    np.testing.assert_allclose(
        c.value(a), [0.0, 0.8, 1.0, 1.15, 1.375, 1.875, 3.0, 3.0], atol=1e-12
    )
    # Right derivatives: 1 below quota, 1.5 at and after the quota kink, 2 from 125%, 0 at the cap.
    s = np.array([-0.1, 0.0, 0.5, 1.0, 1.1, 1.25, 2.0, 2.0625, 9.0])
    np.testing.assert_allclose(
        c.slope(s), [0.0, 1.0, 1.0, 1.5, 1.5, 2.0, 2.0, 0.0, 0.0], atol=1e-12
    )
    assert isinstance(c.value(1.5), float)
    assert c.value([[1.0, 1.5]]).shape == (1, 2)


def test_commission_variants() -> None:
    # Cap reached inside the first accelerator: 1 + 1.5 * (a - 1) = 1.3 at a = 1.2.
    assert_points(PayoutCurve.commission(cap=1.3), ((0.0, 0.0), (1.0, 1.0), (1.2, 1.3)))
    # A decelerator that flattens: slope 0 beyond 110%, so the last point is (1.1, 1.1).
    assert_points(PayoutCurve.commission([(1.1, 0.0)], cap=3.0), ((0.0, 0.0), (1.1, 1.1)))
    # Threshold 50%: nothing below, then M = A.
    c = PayoutCurve.commission(threshold=0.5)
    assert c.value(0.49) == 0.0 and c.value(0.5) == 0.5
    with pytest.raises(
        ValueError, match=r"accelerators\[1\]\[0\]: 0.9 must be above the previous start 1"
    ):
        PayoutCurve.commission([(1.0, 1.5), (0.9, 2.0)])
    with pytest.raises(
        ValueError, match=r"accelerators\[0\]\[1\]: slope -1 is not a finite number >= 0"
    ):
        PayoutCurve.commission([(1.0, -1.0)])
    with pytest.raises(ValueError, match=r"cap: 0.2 must be a finite number >= threshold 0.5"):
        PayoutCurve.commission(cap=0.2, threshold=0.5)


def test_linear_tiered_flat_and_clamped() -> None:
    c = PayoutCurve.linear(threshold=0.5, cap=2.0)
    assert c.value(0.49) == 0.0
    assert c.value(0.5) == 0.5  # the threshold step
    assert c.value(1.2) == pytest.approx(1.2)
    assert c.value(3.0) == 2.0
    assert c.value_clamped(0.1) == 0.5
    t = PayoutCurve.tiered([(0.5, 0.25), (1.0, 1.0)])
    assert t.value(0.75) == pytest.approx(0.625)  # 0.25 + 1.5 * 0.25
    assert t.slope(0.5) == pytest.approx(1.5) and t.slope(0.49) == 0.0
    f = PayoutCurve.flat(amount=1.0, threshold=1.0)
    assert (f.value(0.99), f.value(1.0), f.value(5.0)) == (0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match=r"cap: 1 must be greater than threshold 1"):
        PayoutCurve.linear(threshold=1.0, cap=1.0)


def test_curve_validation_names_the_point() -> None:
    with pytest.raises(
        ValueError, match=r"curve.attainment\[2\]: 1.1 is not greater than the previous point's 1.2"
    ):
        PayoutCurve((0.0, 1.2, 1.1), (0.0, 1.0, 1.5))
    with pytest.raises(ValueError, match=r"curve.payout\[0\]: -1 is not a finite number >= 0"):
        PayoutCurve((0.0, 1.0), (-1.0, 1.0))
    with pytest.raises(ValueError, match=r"curve.attainment\[1\]: nan is not a finite number >= 0"):
        PayoutCurve((0.0, math.nan), (0.0, 1.0))
    with pytest.raises(
        ValueError, match=r"curve.payout\[2\]: 0.5 is less than the previous point's 1"
    ):
        PayoutCurve((0.0, 1.0, 2.0), (0.0, 1.0, 0.5))
    with pytest.raises(ValueError, match=r"curve: has 2 attainment and 1 payout values"):
        PayoutCurve((0.0, 1.0), (0.0,))
    with pytest.raises(ValueError, match=r"curve.attainment\[1\]: 'x' is not a number"):
        PayoutCurve((0.0, "x"), (0.0, 1.0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"points\[0\]: 3 is not an \(attainment, payout\) pair"):
        PayoutCurve.tiered([3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"attainment: element 1 is NaN"):
        PayoutCurve.linear().value([1.0, math.nan])


def test_curve_plot_returns_axes() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert PayoutCurve.commission().plot(ax=ax) is ax
    _, ys = ax.lines[0].get_data()
    assert ys[-1] == 3.0
    plt.close(fig)


# ---------------------------------------------------------------------------------------
# Plan payouts (the C++ worked examples, through Python)


def test_ae_commission_plan_annual_and_quarterly() -> None:
    p = ae_plan()
    # New ARR 1.5M: A = 1.5, M = 1.875 -> 100,000 * 0.5 * 1.875 = 93,750.
    # Expansion 125,000: A = 0.5 -> 100,000 * 0.5 * 0.5 = 25,000.
    df = p.payout({"new_arr": 1_500_000, "expansion_arr": 125_000})
    row = df.iloc[0]
    assert row["base"] == pytest.approx(100_000)
    assert row["new_arr"] == pytest.approx(93_750)
    assert row["expansion_arr"] == pytest.approx(25_000)
    assert row["variable"] == pytest.approx(118_750)
    assert row["total"] == pytest.approx(218_750)
    # A quarter with quarterly targets: a quarter of everything.
    q = ae_plan(
        measures=[
            Measure("new_arr", 0.5, 250_000, PayoutCurve.commission()),
            Measure("expansion_arr", 0.5, 62_500, PayoutCurve.linear()),
        ]
    )
    row = q.payout({"new_arr": 375_000, "expansion_arr": 31_250}, period_months=3).iloc[0]
    assert (row["base"], row["new_arr"], row["expansion_arr"]) == pytest.approx(
        (25_000, 23_437.5, 6_250)
    )
    # At 5M new ARR the commission is capped at 300%: 100,000 * 0.5 * 3 = 150,000.
    assert p.payout({"new_arr": 5e6, "expansion_arr": 0})["variable"].iloc[0] == pytest.approx(
        150_000
    )


def test_csm_lower_is_better_churn_and_nrr() -> None:
    p = csm_plan()
    assert p.measures[0].lower_is_better and p.measures[0].direction == "lower"
    assert p.carries_nrr
    # Churn 12% vs 8%: A = 1 + (0.08 - 0.12) / 0.08 = 0.5 -> 20,000 * 0.65 * 0.5 = 6,500.
    # NRR 115%: M = 1.5 -> 20,000 * 0.35 * 1.5 = 10,500.
    # Churn 4%: A = 1.5 -> 19,500; NRR 100% pays nothing.
    df = p.payout({"gross_churn": [0.12, 0.04], "nrr": [1.15, 1.00]})
    np.testing.assert_allclose(df["gross_churn"], [6_500, 19_500])
    np.testing.assert_allclose(df["nrr"], [10_500, 0], atol=1e-9)
    np.testing.assert_allclose(df["variable"], [17_000, 19_500])
    np.testing.assert_allclose(df["base"], [80_000, 80_000])


def test_gate() -> None:
    p = sdr_gated_plan()
    # 35 opportunities (A = 0.7 < 0.8): 12 sourced wins pay nothing; 32,000 * 0.6 * 0.7 = 13,440.
    # 40 opportunities (A = 0.8): 15,360 on each measure (32,000 * 0.6 * 0.8, 32,000 * 0.4 * 1.2).
    df = p.payout({"opportunities": [35, 40], "sourced_wins": 12})
    np.testing.assert_allclose(df["sourced_wins"], [0, 15_360])
    np.testing.assert_allclose(df["variable"], [13_440, 30_720])
    # Gates by index work the same.
    by_index = Plan(
        role="sdr",
        ote=80_000,
        base_share=0.6,
        measures=[
            p.measures[0],
            Measure("sourced_wins", 0.4, 10, PayoutCurve.linear(), gate=Gate(0, 0.8)),
        ],
    )
    np.testing.assert_allclose(
        by_index.payout({"opportunities": [35, 40], "sourced_wins": 12})["variable"],
        [13_440, 30_720],
    )


def test_multiplier_and_spif() -> None:
    p = csm_multiplier_plan()
    assert p.carries_nrr
    # CSQL pipeline 400,000: 30,000 * 0.8 = 24,000 before the multiplier. NRR 85% -> 0.5
    # (clamped below the first point) -> 12,000; 105% -> 1.1 -> 26,400; 150% -> 1.2 -> 28,800.
    # SPIF 3 * 1,000 = 3,000, never multiplied.
    df = p.payout({"csql_pipeline": 400_000, "nrr": [0.85, 1.05, 1.5], "expansion_wins": 3})
    np.testing.assert_allclose(df["variable"], [12_000, 26_400, 28_800])
    np.testing.assert_allclose(df["spif"], [3_000] * 3)
    np.testing.assert_allclose(df["total"], [90_000 + 15_000, 90_000 + 29_400, 90_000 + 31_800])
    # The 2-D form: one column per measure, then the multiplier's metric; SPIFs apart.
    arr = p.payout(np.array([[400_000, 0.85]]), spif_counts=np.array([[3.0]]))
    assert (arr["variable"].iloc[0], arr["spif"].iloc[0]) == pytest.approx((12_000, 3_000))
    # "multiplier" is accepted as the key of the multiplier's actual; missing SPIF counts are 0.
    alt = p.payout({"csql_pipeline": 400_000, "multiplier": 1.05})
    assert (alt["variable"].iloc[0], alt["spif"].iloc[0]) == pytest.approx((26_400, 0))


def test_payout_input_errors() -> None:
    p = csm_plan()
    with pytest.raises(
        ValueError,
        match=r"actuals\[1\]: measure 'nrr' \(nrr\) has actual nan; actuals must be finite",
    ):
        p.payout({"gross_churn": 0.1, "nrr": math.nan})
    with pytest.raises(
        ValueError, match=r"actuals\[0\]: measure 'gross_churn' \(gross_churn\) has actual inf"
    ):
        p.payout({"gross_churn": math.inf, "nrr": 1.0})
    with pytest.raises(ValueError, match=r"actuals: no value for measure 'nrr'"):
        p.payout({"gross_churn": 0.1})
    with pytest.raises(
        ValueError, match=r"actuals: 'nr' is not a measure, metric, multiplier or SPIF"
    ):
        p.payout({"gross_churn": 0.1, "nr": 1.0})
    with pytest.raises(ValueError, match=r"actuals: arrays of different lengths"):
        p.payout({"gross_churn": [0.1, 0.2], "nrr": [1.0, 1.1, 1.2]})
    with pytest.raises(ValueError, match=r"actuals: shape \(2, 3\) is not \(n, 2\)"):
        p.payout(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"actuals\['nrr'\]: 'high' is not numeric"):
        p.payout({"gross_churn": 0.1, "nrr": "high"})
    with pytest.raises(ValueError, match=r"period_months: 0 is not >= 1"):
        p.payout({"gross_churn": 0.1, "nrr": 1.0}, period_months=0)
    with pytest.raises(ValueError, match=r"period_months: 5 is not one of 1, 2, 3, 4, 6, 12"):
        p.payout({"gross_churn": 0.1, "nrr": 1.0}, period_months=5)
    with pytest.raises(ValueError, match=r"spif_counts\[0\]: SPIF on expansion_wins has count -2"):
        csm_multiplier_plan().payout({"csql_pipeline": 1.0, "nrr": 1.0, "expansion_wins": -2})


def test_payout_at_attainment() -> None:
    p = ae_plan()
    df = p.payout_at_attainment([0.5, 1.0, 1.5])
    # 50%: 0.5 on both -> 50,000. 100%: 100,000. 150%: new ARR 1.875, expansion 1.5
    # -> 100,000 * 0.5 * (1.875 + 1.5) = 168,750.
    np.testing.assert_allclose(df["variable"], [50_000, 100_000, 168_750])
    np.testing.assert_allclose(df["pct_of_target"], [0.5, 1.0, 1.6875])
    assert list(df.index) == [0.5, 1.0, 1.5] and df.index.name == "attainment"
    # Lower-is-better measures are set to the actual with that attainment: churn 8% * (2 - a).
    churn = csm_plan().payout_at_attainment([0.5, 1.0])
    np.testing.assert_allclose(churn["gross_churn"], [6_500, 13_000])


def test_describe() -> None:
    d = sdr_gated_plan().describe()
    assert list(d["measure"]) == ["opportunities", "sourced_wins"]
    assert list(d["weight"]) == [0.6, 0.4]
    assert d["gate"].iloc[1] == "opportunities attainment >= 80%"
    assert d["curve"].iloc[0] == "0%→0%, 200%→200%"
    assert d["base"].iloc[0] == pytest.approx(48_000) and d["variable"].iloc[0] == pytest.approx(
        32_000
    )
    m = csm_multiplier_plan().describe()
    assert m["multiplier"].iloc[0] == "nrr vs 1 (higher is better): 90%→50%, 100%→100%, 110%→120%"
    assert m["spifs"].iloc[0] == "1,000.00 per expansion_wins"
    c = ae_plan(clawback=Clawback(0.5, 12)).describe()
    assert c["clawback"].iloc[0] == "50% of commission within 12 months"


# ---------------------------------------------------------------------------------------
# Conversions


def full_plan() -> Plan:
    return Plan(
        role="ae",
        ote=150_000.5,
        base_share=0.55,
        measures=[
            Measure("new_arr", 0.7, 600_000.25, PayoutCurve.commission(), name="new"),
            Measure("nrr", 0.3, 1.07, nrr_curve(), gate=Gate("new", 0.5)),
        ],
        multiplier=Multiplier("gross_churn", 0.1, PayoutCurve.tiered([(0.5, 0.8), (1.0, 1.0)])),
        clawback=Clawback(0.75, 12),
        spifs=[Spif("new_logos", 250.0)],
        name="AE enterprise",
    )


def test_to_dict_round_trips_through_json_and_yaml() -> None:
    p = full_plan()
    d = p.to_dict()
    assert Plan.from_dict(d) == p
    assert Plan.from_dict(json.loads(json.dumps(d))) == p
    assert Plan.from_dict(yaml.safe_load(yaml.safe_dump(d))) == p
    assert d["measures"][1]["gate"] == {"measure": "new", "min_attainment": 0.5}
    assert d["multiplier"]["lower_is_better"] is True  # resolved from gross_churn's default
    assert (
        Plan.from_dict(
            {k: v for k, v in d.items() if k not in ("multiplier", "clawback", "spifs", "name")}
        ).name
        == "ae"
    )
    for plan in example_plans().values():
        assert Plan.from_dict(plan.to_dict()) == plan


def test_from_dict_errors_name_the_path() -> None:
    d = full_plan().to_dict()
    cases = [
        (
            {**d, "colour": 1},
            r"plan: unknown key 'colour' \(allowed: role, ote, base_share, measures, name, multiplier",
        ),
        ({k: v for k, v in d.items() if k != "ote"}, r"plan: missing key 'ote'"),
        (
            {**d, "measures": [{**d["measures"][0], "wieght": 1}, d["measures"][1]]},
            r"measures\[0\]: unknown key 'wieght'",
        ),
        (
            {**d, "measures": [d["measures"][0], {**d["measures"][1], "weight": "x"}]},
            r"measures\[1\].weight: 'x' is not a number",
        ),
        (
            {
                **d,
                "measures": [
                    {**d["measures"][0], "curve": {"attainment": [0, 1], "payout": [0, -1]}},
                    d["measures"][1],
                ],
            },
            r"measures\[0\].curve.payout\[1\]: -1 is not a finite number >= 0",
        ),
        (
            {**d, "measures": [d["measures"][0], {**d["measures"][1], "gate": {"measure": "old"}}]},
            r"measures\[1\].gate.measure: 'old' is not the name of a measure \(names: new, nrr\)",
        ),
        (
            {
                **d,
                "multiplier": {
                    **d["multiplier"],
                    "curve": {"attainment": [1, 0], "payout": [1, 1]},
                },
            },
            r"multiplier.curve.attainment\[1\]: 0 is not greater",
        ),
        (
            {**d, "spifs": [{"metric": "new_logos", "amount": "lots"}]},
            r"spifs\[0\].amount: 'lots' is not a number",
        ),
        (
            {**d, "spifs": [{"metric": "nrr", "amount": 1}]},
            r"spifs\[0\].metric: 'nrr' is not a count metric",
        ),
        ({**d, "clawback": {"share": 2}}, r"clawback.share: 2 is not in \[0, 1\]"),
        ({**d, "measures": "new_arr"}, r"measures: 'new_arr' is not a list"),
        ([1, 2], r"plan: expected a mapping, got list"),
    ]
    for data, message in cases:
        with pytest.raises(ValueError, match=message):
            Plan.from_dict(data)  # type: ignore[arg-type]


def test_to_core_carries_every_field() -> None:
    core = full_plan()._to_core()
    assert core.role == _core.Role.ae and core.ote == 150_000.5 and core.base_share == 0.55
    assert [m.name for m in core.measures] == ["new", "nrr"]
    assert core.measures[1].gate.measure == 0 and core.measures[1].gate.min_attainment == 0.5
    assert core.measures[0].curve.attainment == [0.0, 1.0, 1.25, 2.0625]
    assert core.multiplier.metric == _core.Metric.gross_churn and core.multiplier.lower_is_better
    assert (core.clawback.share, core.clawback.window_months) == (0.75, 12)
    assert core.spifs[0].metric == _core.Metric.new_logos and core.spifs[0].amount == 250.0
    assert core.num_inputs() == 3


# ---------------------------------------------------------------------------------------
# Validation: the field, the value and what is allowed


def measures_with(**changes: object) -> list[Measure]:
    first = {
        "metric": "new_arr",
        "weight": 0.5,
        "target": 1_000_000,
        "curve": PayoutCurve.commission(),
    }
    first.update(changes)
    return [Measure(**first), Measure("expansion_arr", 0.5, 250_000, PayoutCurve.linear())]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ae_plan(ote=-5), r"^ote: -5 is not a finite number > 0$"),
        (lambda: ae_plan(ote=math.inf), r"^ote: inf is not a finite number > 0$"),
        (lambda: ae_plan(ote="lots"), r"^ote: 'lots' is not a number$"),
        (lambda: ae_plan(base_share=1.2), r"^base_share: 1.2 is not in \[0, 1\]$"),
        (lambda: ae_plan(role="cs"), r"^role: 'cs' is not one of ae, sdr, csm$"),
        (lambda: ae_plan(measures=[]), r"^measures: a plan needs at least one measure$"),
        (
            lambda: ae_plan(measures=measures_with(weight=1.4)),
            r"^measures\[0\].weight: 1.4 is not in \[0, 1\]$",
        ),
        (
            lambda: ae_plan(measures=measures_with(weight=0.4)),
            r"^measures: weights sum to 0.9, must sum to 1$",
        ),
        (
            lambda: ae_plan(measures=measures_with(target=0)),
            r"^measures\[0\].target: 0 is not a finite number > 0$",
        ),
        (
            lambda: ae_plan(measures=measures_with(target=math.nan)),
            r"^measures\[0\].target: nan is not a finite",
        ),
        (
            lambda: ae_plan(measures=measures_with(metric="pipeline_created")),
            r"^measures\[0\].metric: 'pipeline_created' is not a metric of role ae \(allowed: new_arr, expansion_arr",
        ),
        (
            lambda: ae_plan(measures=measures_with(name="expansion_arr")),
            r"^measures\[1\].name: 'expansion_arr' is also the name of measures\[0\]; names must be unique$",
        ),
        (
            lambda: ae_plan(measures=measures_with(name="total")),
            r"^measures\[0\].name: 'total' is reserved",
        ),
        (
            lambda: ae_plan(measures=measures_with(lower_is_better=True)),
            r"^measures\[0\].lower_is_better: true for 'new_arr', where higher is better$",
        ),
        (
            lambda: ae_plan(measures=measures_with(name="")),
            r"^measures\[0\].name: is empty; a measure needs a name",
        ),
        (
            lambda: ae_plan(ote=1e308),
            r"^ote: 1e\+308 is more than 1000000000, the most allowed$",
        ),
        (
            lambda: ae_plan(measures=measures_with(gate=Gate(0))),
            r"^measures\[0\].gate.measure: 0 is not the index of another measure \(allowed: 0..1 except 0\)$",
        ),
        (
            lambda: ae_plan(measures=measures_with(gate=Gate(7))),
            r"^measures\[0\].gate.measure: 7 is not the index",
        ),
        (  # beyond the core's int: still the field's error, not a conversion failure
            lambda: ae_plan(measures=measures_with(gate=Gate(2**31))),
            r"^measures\[0\].gate.measure: 2147483648 is not the index of another measure",
        ),
        (  # the first measure is named after its metric, new_arr
            lambda: ae_plan(measures=measures_with(gate=Gate("new_arr"))),
            r"^measures\[0\].gate.measure: 'new_arr' is this measure; a measure cannot gate itself",
        ),
        (
            lambda: ae_plan(measures=measures_with(gate=Gate("nope"))),
            r"^measures\[0\].gate.measure: 'nope' is not the name of a measure \(names: new_arr, expansion_arr\)$",
        ),
        (
            lambda: ae_plan(measures=measures_with(gate=Gate(1, -0.5))),
            r"^measures\[0\].gate.min_attainment: -0.5 is not a finite number >= 0$",
        ),
        (
            lambda: ae_plan(measures=[*measures_with(), "x"]),
            r"^measures\[2\]: expected a Measure, got str$",
        ),
        (
            lambda: ae_plan(multiplier=Multiplier("csql_count", 1.0, PayoutCurve.linear())),
            r"^multiplier.metric: 'csql_count' is not a metric of role ae",
        ),
        (
            lambda: ae_plan(multiplier=Multiplier("nrr", -1.0, PayoutCurve.linear())),
            r"^multiplier.target: -1 is not a finite number > 0$",
        ),
        (
            lambda: ae_plan(spifs=[Spif("new_arr", 100)]),
            r"^spifs\[0\].metric: 'new_arr' is not a count metric \(allowed: new_logos, expansion_wins\)$",
        ),
        (
            lambda: ae_plan(spifs=[Spif("new_logos", -100)]),
            r"^spifs\[0\].amount: -100 is not a finite number >= 0$",
        ),
        (lambda: ae_plan(clawback=Clawback(1.5, 12)), r"^clawback.share: 1.5 is not in \[0, 1\]$"),
        (lambda: ae_plan(clawback=Clawback(0.5, 0)), r"^clawback.window_months: 0 is not >= 12 "),
        (lambda: ae_plan(clawback=Clawback(0.5, 6)), r"^clawback.window_months: 6 is not >= 12 "),
        (
            lambda: ae_plan(clawback=Clawback(0.5, 2.5)),
            r"^clawback.window_months: 2.5 is not an integer$",
        ),
        (
            lambda: Plan("csm", 1e5, 0.8, csm_plan().measures, clawback=Clawback()),
            r"^clawback: a csm plan has a clawback; only ae plans can",
        ),
        (
            lambda: Measure("arr", 1.0, 1.0, PayoutCurve.linear()),
            r"^metric: 'arr' is not one of new_arr, expansion_arr",
        ),
        (lambda: Measure("nrr", 1.0, 1.0, "linear"), r"^curve: expected a PayoutCurve, got str$"),
        (
            lambda: Measure("nrr", 1.0, 1.0, PayoutCurve.linear(), lower_is_better="no"),
            r"^lower_is_better: 'no' is not true or false$",
        ),
        (lambda: Gate(True), r"^gate.measure: True is not a measure name or index$"),
        (lambda: Spif("wins", 1.0), r"^spif.metric: 'wins' is not one of"),
    ],
)
def test_validation_names_the_field(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


# ---------------------------------------------------------------------------------------
# Defaults and the payout table


def test_example_plans_follow_the_articles() -> None:
    plans = example_plans()
    ae, sdr, csm = plans["ae"], plans["sdr"], plans["csm"]
    assert (ae.base_share, sdr.base_share, csm.base_share) == (0.5, 0.65, 0.8)
    assert [(m.metric, m.weight) for m in ae.measures] == [("new_arr", 0.5), ("expansion_arr", 0.5)]
    assert ae.measures[0].curve == PayoutCurve.commission(
        accelerators=[(1.0, 1.5), (1.25, 2.0)], cap=3.0
    )
    assert [m.metric for m in sdr.measures] == ["opportunities", "pipeline_created", "sourced_wins"]
    assert [(m.metric, m.weight, m.lower_is_better) for m in csm.measures] == [
        ("gross_churn", 0.65, True),
        ("nrr", 0.35, False),
    ]
    # NRR curve with target 105%: 0 at 95% NRR, 100% at 105%, 200% at 115%.
    nrr = csm.measures[1].curve
    assert nrr.value(0.95 / 1.05) == pytest.approx(0.0, abs=1e-12)
    assert nrr.value(1.0) == pytest.approx(1.0) and nrr.value(1.15 / 1.05) == pytest.approx(2.0)
    # Keyword arguments reach the plans; a clawback can be switched on.
    custom = example_plans(ae_ote=200_000, csm_nrr_target=1.10, ae_clawback=Clawback(1.0, 12))
    assert custom["ae"].ote == 200_000 and custom["ae"].clawback == Clawback(1.0, 12)
    assert_points(custom["csm"].measures[1].curve, nrr_curve().points)


def test_payout_table() -> None:
    plans = example_plans()
    t = payout_table(plans)
    assert list(t.index) == pytest.approx(list(np.linspace(0, 2, 21)))
    assert list(t.columns.get_level_values(0).unique()) == ["ae", "sdr", "csm"]
    # AE at 150%: (1.875 + 1.5) / 2 = 1.6875 of V = 80,000 -> 135,000.
    assert t.loc[1.5, ("ae", "pct_of_target")] == pytest.approx(1.6875)
    assert t.loc[1.5, ("ae", "payout")] == pytest.approx(135_000)
    # SDR is linear: 100% pays V = 80,000 * 0.35 = 28,000.
    assert t.loc[1.0, ("sdr", "payout")] == pytest.approx(28_000)
    # CSM at 120%: churn 0.65 * 1.2 = 0.78; NRR attainment 1.2 is past 115%/105%: capped at 2,
    # 0.35 * 2 = 0.7 -> 1.48 of V = 22,000 -> 32,560.
    assert t.loc[1.2, ("csm", "pct_of_target")] == pytest.approx(1.48)
    assert t.loc[1.2, ("csm", "payout")] == pytest.approx(32_560)
    quarterly = payout_table([plans["ae"]], attainments=[1.0], period_months=3)
    assert quarterly.loc[1.0, ("ae", "payout")] == pytest.approx(20_000)
    with pytest.raises(ValueError, match=r"plans: names \['ae', 'ae'\] repeat"):
        payout_table([plans["ae"], plans["ae"]])


# ---------------------------------------------------------------------------------------
# Payroll through the binding: the C++ clawback example (tests/cpp/test_payroll.cpp)


def test_payroll_clawback_carries_forward() -> None:
    ae = Plan(
        role="ae",
        ote=120_000,
        base_share=0.5,
        measures=[
            Measure("new_arr", 0.8, 100_000, PayoutCurve.linear()),
            Measure("new_logos", 0.2, 4, PayoutCurve.linear()),
        ],
        spifs=[Spif("new_logos", 500)],
        clawback=Clawback(0.5, 12),
    )
    slots = _core.NUM_RAW_SLOTS
    raw = np.zeros((1, 2, 6, slots), dtype=np.int64)
    churn = np.zeros((1, 2, 6, 2), dtype=np.int64)
    for period, dollars, logos in [(0, 150_000, 3), (4, 25_000, 1), (5, 50_000, 2)]:
        raw[0, 0, period, 0] = dollars * 100  # new ARR in cents
        raw[0, 0, period, 1] = logos
    churn[0, 0, 0] = (10_000_000, 2)  # $100,000 and 2 logos sold in Q0 churn in Q4
    pay, measure_payout = _core.evaluate_payroll([ae._to_core()], raw, churn, [0, -1], 3)
    f = {name: k for k, name in enumerate(_core.PAY_FIELDS)}
    assert _core.PAY_FIELDS == [
        "base",
        "variable",
        "spif",
        "clawback_due",
        "clawback_applied",
        "clawback_carry",
        "earnings",
        "true_up_recovery",
        "draw_top_up",
        "draw_recovered",
        "draw_balance",
        "quota_factor",
    ]
    assert pay.shape == (1, 2, 6, 12) and measure_payout.shape == (1, 2, 6, 2)
    # Q0: 15,000 * 0.8 * 1.5 = 18,000 and 15,000 * 0.2 * 0.75 = 2,250; SPIF 1,500.
    np.testing.assert_allclose(measure_payout[0, 0, 0], [18_000, 2_250])
    # Q4 raises 0.5 * (0.12 * 100,000 + 1,250 * 2) = 7,250 against 4,250 of pay: 3,000 carries.
    q4 = pay[0, 0, 4]
    assert (
        q4[f["clawback_due"]],
        q4[f["clawback_applied"]],
        q4[f["clawback_carry"]],
    ) == pytest.approx((7_250, 4_250, 3_000))
    assert q4[f["earnings"]] == pytest.approx(15_000)
    # Q5: 8,500 of pay less the 3,000 carried: 15,000 + 8,500 - 3,000 = 20,500.
    assert pay[0, 0, 5, f["earnings"]] == pytest.approx(20_500)
    assert pay[0, 0, 5, f["clawback_carry"]] == 0.0
    assert not pay[0, 1, :, : f["quota_factor"]].any()  # no plan, no pay
    assert (pay[0, :, :, f["quota_factor"]] == 1.0).all()  # and no ratchet


def test_payroll_binding_checks_shapes_and_dtypes() -> None:
    plan = example_plans()["csm"]._to_core()
    raw = np.zeros((2, 3, 4, _core.NUM_RAW_SLOTS), dtype=np.int64)
    churn = np.zeros((2, 3, 4, 2), dtype=np.int64)
    with pytest.raises(ValueError, match=r"rep_raw: dtype float64 is not int64"):
        _core.evaluate_payroll([plan], raw.astype(float), churn, [0, 0, 0], 12)
    with pytest.raises(
        ValueError, match=r"rep_raw: shape \(2, 3, 4\) is not \(trials, reps, periods, 15\)"
    ):
        _core.evaluate_payroll([plan], raw[..., 0], churn, [0, 0, 0], 12)
    with pytest.raises(
        ValueError, match=r"first_renewal_churn: shape \(2, 3, 3, 2\) is not \(2, 3, 4, 2\)"
    ):
        _core.evaluate_payroll([plan], raw, churn[:, :, :3], [0, 0, 0], 12)
    with pytest.raises(ValueError, match=r"rep_plan: has 2 entries for 3 reps"):
        _core.evaluate_payroll([plan], raw, churn, [0, 0], 12)
    with pytest.raises(
        ValueError, match=r"rep_plan\[2\]: 1 is not a plan index \(allowed: -1..0\)"
    ):
        _core.evaluate_payroll([plan], raw, churn, [0, 0, 1], 12)
    pay, _ = _core.evaluate_payroll([plan], raw, None, [0, 0, 0], 12)
    # Empty books are neutral: churn 0 -> A = 2, capped at 1.5; NRR 100% is 5 points below
    # the 105% target -> 0.5. V = 22,000: 22,000 * (0.65 * 1.5 + 0.35 * 0.5) = 25,300.
    assert pay[0, 0, 0, 1] == pytest.approx(25_300)
    assert pay[0, 0, 0, 0] == pytest.approx(88_000)
    non_contiguous = np.asfortranarray(raw)
    pay2, _ = _core.evaluate_payroll([plan], non_contiguous, None, [0, 0, 0], 12)
    np.testing.assert_array_equal(pay, pay2)


def test_curve_binding_is_vectorised() -> None:
    c = PayoutCurve.commission()._to_core()
    a = np.linspace(0, 3, 7)  # 0, 0.5, ..., 3
    # 2.0: 1.375 + 2 * 0.75 = 2.875; from 2.0625 on, the cap.
    np.testing.assert_allclose(_core.curve_value(c, a), [0, 0.5, 1.0, 1.875, 2.875, 3.0, 3.0])
    np.testing.assert_allclose(_core.curve_slope(c, a), [1.0, 1.0, 1.5, 2.0, 2.0, 0.0, 0.0])
    np.testing.assert_allclose(
        _core.curve_value_clamped(_core.PayoutCurve([1.0], [0.5]), a), [0.5] * 7
    )
    with pytest.raises(ValueError, match=r"curve.attainment\[1\]: 0 is not greater"):
        _core.curve_value(_core.PayoutCurve([1.0, 0.0], [0.0, 1.0]), a)


# -- targets stated for a period other than the world's (docs/model.md §7) -------------------


def test_annual_targets_are_prorated_to_quarters():
    plan = Plan(
        role="csm",
        ote=100_000,
        base_share=0.8,
        measures=[
            Measure("nrr", weight=0.5, target=1.08, curve=PayoutCurve.linear(0.0, 2.0)),
            Measure("gross_churn", weight=0.5, target=0.12, curve=PayoutCurve.linear(0.0, 2.0)),
        ],
        target_months=12,
    )
    # By hand: a quarter of the year's 8 points of growth and 12 points of churn.
    assert plan.period_target("nrr", 1.08, 3) == pytest.approx(1.02)
    assert plan.period_target("gross_churn", 0.12, 3) == pytest.approx(0.03)
    assert plan.period_target("grr", 0.88, 6) == pytest.approx(0.94)
    assert plan.period_target("nrr", 1.08, 12) == 1.08
    core = plan._to_core(3)
    assert [m.target for m in core.measures] == pytest.approx([1.02, 0.03])
    # Per-period targets (the default) are taken as they are.
    per_period = replace(plan, target_months=None)
    assert [m.target for m in per_period._to_core(3).measures] == pytest.approx([1.08, 0.12])
    assert Plan.from_dict(plan.to_dict()) == plan
    with pytest.raises(ValueError, match="target_months: 5 is not one of 1, 2, 3, 4, 6, 12"):
        replace(plan, target_months=5)


def test_a_preset_switched_to_quarters_keeps_reps_near_target():
    scenario = presets.default().with_({"world.period_months": 3})
    reps = complab.simulate(scenario, trials=30, seed=4).reps()
    ae = reps[(reps["role"] == "ae") & (reps["segment"] == "smb")]
    plan = scenario.plans["ae:smb"]
    target = plan.period_target("new_arr", plan.measures[0].target, 3)
    # Annual quota prorated to a quarter: a typical AE lands near 100%, not 25%.
    assert 0.8 < ae["new_arr"].mean() / target < 1.2


def test_a_clawback_that_can_never_apply_warns_naming_the_plan():
    scenario = presets.first_renewal_clawback().with_({"world.months": 12})
    with pytest.warns(UserWarning) as caught:
        complab.simulate(scenario, trials=2, seed=1)
    messages = sorted(str(w.message).split(":")[1] for w in caught)
    assert messages == ["enterprise", "mid_market", "smb"]
    assert all("the clawback can never apply" in str(w.message) for w in caught)
