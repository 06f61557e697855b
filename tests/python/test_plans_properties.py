"""Property tests of plans (Hypothesis): any valid plan pays finite, non-negative amounts that
never fall as attainment rises and never exceed the plan's cap; any invalid input is a
ValueError, never another exception or a crash."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from itertools import accumulate
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complab import (
    Clawback,
    Draw,
    Gate,
    Measure,
    Multiplier,
    PayoutCurve,
    Plan,
    Ratchet,
    Spif,
    _core,
)
from complab.plans import METRICS, ROLES

SETTINGS = settings(max_examples=150, deadline=None)


@st.composite
def curves(draw: st.DrawFn, max_points: int = 5) -> PayoutCurve:
    """Attainments on a 1% grid in [0, 300%]; payouts non-decreasing in [0, 10]."""
    n = draw(st.integers(1, max_points))
    xs = sorted(draw(st.lists(st.integers(0, 300), min_size=n, max_size=n, unique=True)))
    steps = draw(st.lists(st.integers(0, 200), min_size=n, max_size=n))
    return PayoutCurve([x / 100 for x in xs], [y / 100 for y in accumulate(steps)])


def role_metrics(role: str, count_only: bool = False) -> list[str]:
    return [
        name
        for name, m in METRICS.items()
        if role in m["roles"] and (m["is_count"] or not count_only)
    ]


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    role = draw(st.sampled_from(ROLES))
    metrics = role_metrics(role)
    k = draw(st.integers(1, 3))
    raw_weights = draw(st.lists(st.integers(1, 10), min_size=k, max_size=k))
    measures = []
    for i in range(k):
        gate = None
        if k > 1 and draw(st.booleans()):
            other = draw(st.sampled_from([j for j in range(k) if j != i]))
            gate = Gate(draw(st.sampled_from([other, f"m{other}"])), draw(st.floats(0, 2)))
        metric = draw(st.sampled_from(metrics))
        measures.append(
            Measure(
                metric,
                raw_weights[i] / sum(raw_weights),
                # Rates are fractions (at most 10); sums and counts any size.
                draw(st.floats(0.01, 10.0 if METRICS[metric]["is_rate"] else 1e6)),
                draw(curves()),
                # Left to the metric, or given as the metric's own direction.
                lower_is_better=draw(st.sampled_from([None, METRICS[metric]["lower_is_better"]])),
                name=f"m{i}",
                gate=gate,
            )
        )
    multiplier = None
    if draw(st.booleans()):
        multiplier = Multiplier(
            draw(st.sampled_from(metrics)), draw(st.floats(0.01, 10)), draw(curves())
        )
    clawback = (
        Clawback(draw(st.floats(0, 1)), draw(st.integers(12, 36)))
        if role == "ae" and draw(st.booleans())
        else None
    )
    spifs = [
        Spif(m, draw(st.floats(0, 5_000)))
        for m in draw(st.lists(st.sampled_from(role_metrics(role, True)), max_size=2))
    ]
    return Plan(
        role=role,
        ote=draw(st.floats(1_000, 1e7)),
        base_share=draw(st.floats(0, 1)),
        measures=measures,
        multiplier=multiplier,
        clawback=clawback,
        spifs=spifs,
    )


def cap_of(plan: Plan, period_months: int) -> float:
    """V * sum(w * max curve) * max multiplier: the most variable pay can reach, worked out
    here from the plan's parts (Plan.max_payout must agree)."""
    v = plan.ote * (1 - plan.base_share) * period_months / 12
    cap = v * sum(m.weight * max(m.curve.payout) for m in plan.measures)
    if plan.multiplier is not None:
        cap *= max(plan.multiplier.curve.payout)
    assert plan.max_payout(period_months) == pytest.approx(cap, rel=1e-12, abs=1e-9)
    return cap


@SETTINGS
@given(plans(), st.lists(st.floats(0, 5), max_size=20), st.sampled_from([1, 3, 6, 12]))
def test_payout_is_finite_non_negative_monotone_and_capped(
    plan: Plan, extra: list[float], months: int
) -> None:
    grid = np.unique(np.concatenate([np.linspace(0, 4, 81), np.asarray(extra, dtype=float)]))
    df = plan.payout_at_attainment(grid, period_months=months)
    variable = df["variable"].to_numpy()
    assert np.all(np.isfinite(df.to_numpy()))
    assert np.all(variable >= 0)
    assert np.all(np.diff(variable) >= -1e-9 * (1 + variable[:-1]))
    cap = cap_of(plan, months)
    assert np.all(variable <= cap * (1 + 1e-12) + 1e-9)
    assert np.all(df["base"] == plan.base_pay(months))


@SETTINGS
@given(plans(), st.data())
def test_payout_from_any_actuals_is_bounded(plan: Plan, data: st.DataObject) -> None:
    n = 5
    actuals: dict[str, Any] = {}
    for m in plan.measures:
        actuals[str(m.name)] = data.draw(st.lists(st.floats(0, 1e9), min_size=n, max_size=n))
    if plan.multiplier is not None:
        actuals["multiplier"] = data.draw(st.lists(st.floats(0, 1e3), min_size=n, max_size=n))
    counts = {s.metric: data.draw(st.integers(0, 100)) for s in plan.spifs}
    for metric, c in counts.items():
        if metric not in plan.measure_names and all(m.metric != metric for m in plan.measures):
            actuals[metric] = c
    df = plan.payout(actuals)
    assert np.all(np.isfinite(df.to_numpy())) and np.all(df.to_numpy() >= 0)
    # SPIF counts read from the mapping: a measure's actual stands in for a SPIF on its metric.
    spif_bound = sum(
        s.amount * max(np.max(np.atleast_1d(actuals.get(s.metric, 0.0))), 0.0) for s in plan.spifs
    )
    assert np.all(df["variable"] <= cap_of(plan, 12) * (1 + 1e-12) + 1e-9)
    assert np.all(df["spif"] <= spif_bound * (1 + 1e-12) + 1e-9)
    measures = df[list(plan.measure_names)].sum(axis=1)
    np.testing.assert_allclose(measures, df["variable"], rtol=1e-12, atol=1e-9)


@SETTINGS
@given(plans())
def test_to_dict_round_trips(plan: Plan) -> None:
    assert Plan.from_dict(plan.to_dict()) == plan
    assert Plan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan


# ---------------------------------------------------------------------------------------
# Invalid input: ValueError or a valid plan, nothing else

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(["ae", "csm", "sdr", "nrr", "new_arr", "gross_churn", "new_logos", "m0"]),
    st.lists(
        st.one_of(st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=2)), max_size=4
    ),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def leaf_paths(obj: Any, path: tuple = ()) -> list[tuple]:
    """Every path into a nested dict/list, containers included."""
    out = [path]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += leaf_paths(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += leaf_paths(v, (*path, i))
    return out


def replaced(obj: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(obj, dict):
        return {**obj, head: replaced(obj[head], rest, value)}
    items = list(obj)
    items[head] = replaced(items[head], rest, value)
    return items


@SETTINGS
@given(plans(), st.data())
def test_corrupted_plan_dict_is_value_error_or_valid(plan: Plan, data: st.DataObject) -> None:
    d = plan.to_dict()
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(leaf_paths(d)))
        d = replaced(d, path, data.draw(junk))
    try:
        rebuilt = Plan.from_dict(d)
    except ValueError as e:
        assert str(e)  # a message, naming the field
        return
    df = rebuilt.payout_at_attainment([0.0, 1.0, 2.0])
    assert np.all(np.isfinite(df.to_numpy()))


@SETTINGS
@given(junk, junk, junk, junk)
def test_plan_constructor_rejects_junk_with_value_error(
    role: Any, ote: Any, base_share: Any, measures: Any
) -> None:
    # `junk` never makes a list of Measures, so no call may succeed.
    with pytest.raises(ValueError):
        Plan(role=role, ote=ote, base_share=base_share, measures=measures)


@SETTINGS
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=5),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=5),
    st.lists(st.floats(-1e6, 1e6), max_size=5),
)
def test_curve_is_value_error_or_finite(xs: list[float], ys: list[float], at: list[float]) -> None:
    try:
        c = PayoutCurve(xs, ys)
    except ValueError:
        return
    assert all(math.isfinite(v) and v >= 0 for v in c.value(np.asarray(at, dtype=float)))
    assert all(math.isfinite(v) and v >= 0 for v in c.value_clamped(np.asarray(at, dtype=float)))


@SETTINGS
@given(
    plans(),
    st.lists(
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=2)),
        min_size=1,
        max_size=4,
    ),
)
def test_payout_with_bad_actuals_is_value_error_or_finite(plan: Plan, values: list[Any]) -> None:
    actuals = {str(m.name): values[i % len(values)] for i, m in enumerate(plan.measures)}
    if plan.multiplier is not None:
        actuals["multiplier"] = values[-1]
    try:
        df = plan.payout(actuals)
    except ValueError:
        return
    assert np.all(np.isfinite(df.to_numpy()))


@st.composite
def extensions(draw: st.DrawFn) -> dict[str, Any]:
    """true_up, draw and ratchet, sometimes out of range."""
    out: dict[str, Any] = {"true_up": draw(st.booleans())}
    if draw(st.booleans()):
        out["draw"] = Draw(
            draw(st.floats(-100.0, 1e5, allow_nan=False)),
            draw(st.integers(-2, 130)),
            draw(st.booleans()),
        )
    if draw(st.booleans()):
        out["ratchet"] = Ratchet(draw(st.floats(-0.5, 1.5)), draw(st.floats(-0.5, 1.5)))
    return out


@SETTINGS
@given(plans(), extensions(), st.data())
def test_seat_payroll_is_value_error_or_finite_and_adds_up(
    plan: Plan, ext: dict[str, Any], data: st.DataObject
) -> None:
    try:
        plan = replace(plan, **ext)
    except ValueError:
        return
    periods, months = 8, 24
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    raw = rng.integers(0, 10**8, size=(1, 1, periods, _core.NUM_RAW_SLOTS), dtype=np.int64)
    terms = rng.choice([0.0, 0.25, 1.0, 1.7], size=(1, 1, periods, 2))
    tenure = rng.choice([-1, 0, 1, 5, 30], size=(1, 1, months)).astype(np.int16)
    churn = rng.integers(0, 10**6, size=(1, 1, periods, 2), dtype=np.int64)
    pay, _ = _core.evaluate_payroll([plan._to_core(3)], raw, churn, [0], 3, terms, tenure)
    f = {name: k for k, name in enumerate(_core.PAY_FIELDS)}
    p = pay[0, 0]
    assert np.isfinite(p).all()
    assert (p[:, f["draw_top_up"]] >= 0).all() and (p[:, f["draw_balance"]] >= 0).all()
    assert (p[:, f["true_up_recovery"]] >= 0).all()
    np.testing.assert_allclose(
        p[:, f["earnings"]],
        p[:, f["base"]]
        + p[:, f["variable"]]
        + p[:, f["draw_top_up"]]
        + p[:, f["spif"]]
        - p[:, f["clawback_applied"]]
        - p[:, f["true_up_recovery"]]
        - p[:, f["draw_recovered"]],
        rtol=1e-9,
        atol=1e-6,
    )
    vacant = terms[0, 0, :, 1] == 0.0
    assert (p[vacant][:, [f["base"], f["variable"], f["spif"], f["draw_top_up"]]] == 0).all()
