"""The bench's Numba reference (bench/numba_reference.py) agrees with the engine: KPI means
within three combined standard errors, as the NumPy reference does
(tests/python/test_numpy_reference.py).

Numba is an optional dependency of the bench only. Without it the reference's compiled loop
runs as plain Python, and this test runs that code (the same source Numba compiles), so it
never depends on whether Numba is installed; a short horizon keeps the plain-Python run to
a few seconds."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import complab
from complab import presets

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from numba_reference import simulate_numba  # noqa: E402
from numpy_reference import simulate_reference  # noqa: E402
from test_numpy_reference import engine_kpis, reference_kpis, z_scores  # noqa: E402

TRIALS = 32


def test_numba_reference_agrees_with_engine():
    scenario = presets.default().with_(world__months=12)
    engine = engine_kpis(complab.simulate(scenario, trials=TRIALS, seed=31, threads=2))
    ref = simulate_numba(scenario, trials=TRIALS, seed=32, batch_size=16)
    numba = reference_kpis(ref, scenario)
    assert set(numba) == set(engine)
    # Over 12 months every account of the initial book renews once: those counts have no
    # spread, and must agree exactly.
    fixed = [k for k in engine if np.ptp(engine[k]) == 0 and np.ptp(numba[k]) == 0]
    assert fixed == ["renewals_due"]
    assert engine["renewals_due"][0] == numba["renewals_due"][0]
    z = z_scores({k: engine[k] for k in engine if k not in fixed}, numba)
    far = {k: round(v, 2) for k, v in z.items() if abs(v) >= 3}
    assert not far, f"KPIs more than 3 combined standard errors apart: {far}"
    # its own draws: not the NumPy reference's arithmetic under another name
    numpy = simulate_reference(scenario, trials=TRIALS, seed=32, batch_size=16)
    assert not np.array_equal(ref.series["arr_end"], numpy.series["arr_end"])
    assert ref.series["account_months"].sum() > 12 * 1000 * TRIALS
