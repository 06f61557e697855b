"""The engine and the NumPy reference of the fixed-mode model (bench/numpy_reference.py)
agree statistically: KPI means within three combined standard errors of each other.

They draw different random numbers from the same distributions, so each KPI's per-trial
values are independent samples; the tolerance comes from their trial-to-trial spread.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import complab
from complab import presets

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from numpy_reference import simulate_reference  # noqa: E402

TRIALS = 100


def engine_kpis(result: complab.Result) -> dict[str, np.ndarray]:
    """Per-trial KPIs through the public Result tables."""
    cohorts = result.cohorts()
    out = {}
    for name in result.scenario.world.segment_names():
        rows = cohorts[cohorts["segment"] == name].groupby("trial")
        out[f"nrr_{name}"] = rows["nrr"].mean().to_numpy()
        out[f"grr_{name}"] = rows["grr"].mean().to_numpy()
    kpis = result.kpis().groupby("trial")
    out["new_logos"] = kpis["new_logos"].sum().to_numpy()
    out["csql_count"] = kpis["csql_count"].sum().to_numpy()
    monthly = result.monthly().groupby("trial")
    for series in ("churned_logos", "expansions_won", "account_months"):
        out[series] = monthly[series].sum().to_numpy()
    reps = result.reps()
    for role in ("ae", "csm", "sdr"):
        out[f"variable_pay_{role}"] = (
            reps[reps["role"] == role].groupby("trial")["variable"].mean().to_numpy()
        )
    return out


def reference_kpis(ref, segment_names: list[str]) -> dict[str, np.ndarray]:
    c = ref.cohorts.astype(float)  # [trial, year, segment, field]
    out = {}
    for s, name in enumerate(segment_names):
        out[f"nrr_{name}"] = (c[:, :, s, 1] / c[:, :, s, 0]).mean(axis=1)
        out[f"grr_{name}"] = (c[:, :, s, 2] / c[:, :, s, 0]).mean(axis=1)
    out["new_logos"] = ref.series["new_logos"].sum(axis=1)
    out["csql_count"] = ref.series["csql_raised"].sum(axis=1)
    for series in ("churned_logos", "expansions_won", "account_months"):
        out[series] = ref.series[series].sum(axis=1)
    for role in ("ae", "csm", "sdr"):
        out[f"variable_pay_{role}"] = ref.variable_pay[:, ref.roles == role].mean(axis=(1, 2))
    return out


def z_scores(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, float]:
    """Difference of means over their combined standard error, per KPI."""
    z = {}
    for key in a:
        x, y = np.asarray(a[key], float), np.asarray(b[key], float)
        se = np.hypot(x.std(ddof=1) / np.sqrt(len(x)), y.std(ddof=1) / np.sqrt(len(y)))
        assert se > 0, key  # a KPI with no spread would make the check vacuous
        z[key] = float((x.mean() - y.mean()) / se)
    return z


@pytest.fixture(scope="module")
def engine_default():
    scenario = presets.default()
    return engine_kpis(complab.simulate(scenario, trials=TRIALS, seed=11, threads=2))


def test_reference_agrees_with_engine(engine_default):
    scenario = presets.default()
    ref = reference_kpis(
        simulate_reference(scenario, trials=TRIALS, seed=12), scenario.world.segment_names()
    )
    assert set(ref) == set(engine_default)
    z = z_scores(engine_default, ref)
    far = {k: round(v, 2) for k, v in z.items() if abs(v) >= 3}
    assert not far, f"KPIs more than 3 combined standard errors apart: {far}"


def test_comparison_detects_a_different_world(engine_default):
    # The same check must fail when the reference runs a world with a 30% higher
    # first-renewal hazard in SMB: the test has the power to see a real difference.
    scenario = presets.default()
    smb = next(s for s in scenario.world.segments if s.name == "smb")
    hazard = (smb.renewal_hazard[0] * 1.3,) + tuple(smb.renewal_hazard[1:])
    changed = scenario.with_({"world.segments.smb.renewal_hazard": hazard})
    ref = reference_kpis(
        simulate_reference(changed, trials=TRIALS, seed=12), scenario.world.segment_names()
    )
    z = z_scores(engine_default, ref)
    assert z["grr_smb"] > 3, z["grr_smb"]
    assert z["churned_logos"] < -3, z["churned_logos"]
