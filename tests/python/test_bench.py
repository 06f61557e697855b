"""bench/run.py's pieces on tiny sizes: the variants it times are the scenarios it names,
and its report renders every figure it measured (no timing is asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import complab
from complab import _core, presets

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import run as bench  # noqa: E402


def test_without_zeroes_the_fields_in_every_segment_and_nothing_else():
    scenario = presets.default()
    quiet = bench.without(scenario, "health_noise", "csql_rate")
    for before, after in zip(scenario.world.segments, quiet.world.segments, strict=True):
        assert after.health_noise == 0.0 and after.csql_rate == 0.0
        assert after.usage_noise == before.usage_noise and after.win_rate == before.win_rate


def test_breakdown_times_the_four_variants():
    scenario = presets.default().with_(world__months=12)
    rows = bench.measure_breakdown(scenario, trials=2, repeats=1)
    assert [r["variant"] for r in rows] == [
        "default scenario",
        "without health and usage noise",
        "without CSQLs",
        "without either",
    ]
    assert all(r["ns_per_account_month"] > 0 for r in rows)
    assert bench.without(scenario) is scenario


def test_per_core_times_the_references_and_the_engine_on_one_core_each():
    scenario = presets.default().with_(world__months=12)
    reference, engine, numba = bench.measure_per_core(
        scenario, ref_trials=2, engine_trials=3, repeats=2, numba=True
    )
    assert numba is not None
    assert (reference["trials"], reference["threads"]) == (2, 1)
    assert (numba["trials"], numba["threads"]) == (2, 1)
    assert (engine["trials"], engine["threads"]) == (3, 1)
    _, _, skipped = bench.measure_per_core(
        scenario, ref_trials=2, engine_trials=3, repeats=1, numba=False
    )
    assert skipped is None
    for figures in (reference, numba, engine):
        per_trial = figures["account_months"] / figures["trials"]
        assert 12 * 1000 < per_trial < 12 * 3000  # about 1,700 accounts over 12 months
        assert figures["mam_per_s"] == figures["account_months"] / figures["seconds"] / 1e6


def test_markdown_reports_every_measure():
    engine = {
        "trials": 10,
        "threads": 1,
        "seconds": 1.0,
        "account_months": 10**7,
        "mam_per_s": 10.0,
    }
    result = {
        "when": "2026-01-01 00:00:00",
        "quick": True,
        "machine": {
            "cpu": "cpu",
            "cores": 2,
            "simd": "avx2",
            "commit": "abc",
            "load_average": (0.5, 0.5, 0.5),
        },
        "reference": {**engine, "mam_per_s": 2.0},
        "numba": {**engine, "mam_per_s": 4.0},
        "ratio_numba": 2.5,
        "engine_1": engine,
        "engine_all": {**engine, "threads": 2, "mam_per_s": 19.0},
        "engine_1_responsive": {**engine, "mam_per_s": 5.0},
        "ratio_per_core": 5.0,
        "latency": {**engine, "trials": 1000, "threads": 2, "seconds": 0.25, "mam_per_s": 40.0},
        "memory": {"trials": 2000, "peak_rss_gib": 0.2, "import_rss_gib": 0.1},
        "sweep": {
            "trials": 200,
            "repay_s_per_point": 0.003,
            "simulate_s_per_point": 0.3,
            "speedup": 100.0,
        },
        "scaling": [
            {"threads": 1, "mam_per_s": 10.0, "speedup": 1.0, "efficiency": 1.0},
            {"threads": 2, "mam_per_s": 19.0, "speedup": 1.9, "efficiency": 0.95},
            {"threads": 16, "mam_per_s": 120.0, "speedup": 12.0, "efficiency": 0.75},
            {"threads": 4, "mam_per_s": None},
        ],
        "breakdown": [
            {"variant": "default scenario", "ns_per_account_month": 100.0},
            {"variant": "without either", "ns_per_account_month": 60.0},
        ],
        "paths": [
            {**engine, "path": "avx2", "mam_per_s": 10.0},
            {**engine, "path": "avx2", "threads": 2, "mam_per_s": 25.0},
        ],
    }
    text = bench.markdown(result)
    without_numba = bench.markdown({**result, "numba": None, "ratio_numba": None})
    assert "| Numba reference, 1 core | not measured: Numba is not installed" in without_numba
    for expected in (
        "| NumPy reference, 1 core (10 trials) | 2.00 M account-months/s |",
        "| Numba reference, 1 core (10 trials) | 4.00 M account-months/s |",
        "| engine, 1 thread (10 trials) | 10.0 M account-months/s | ≥ 100 M/s (not met) |",
        "| engine, 1 thread, responsive mode (incentive sensitivity 2, 10 trials) "
        "| 5.0 M account-months/s | ≥ 50 M/s (not met) |",
        "| engine / NumPy, per core | 5.0× | ≥ 4× (met) |",
        "| engine / Numba, per core | 2.5× | ≥ 3× (not met) |",
        "| 1,000-trial run, 2 threads | 0.250 s (40.0 M account-months/s) | ≤ 0.35 s (met) |",
        "| peak memory, 2,000-trial run | 0.200 GiB (the process after import: 0.100) "
        "| < 1 GiB at 10,000 trials (full run) |",
        "= 100× | ≥ 100× (met) |",
        "| 2 | 19.0 | 1.90× | 95% (met) |",
        "| 16 | 120.0 | 12.00× | 75% (not met) |",
        "| 4 | not measurable here (2 cores) | | |",
        "| without either | 60.0 | 40.0 ns (40%) |",
        "2 cores, engine kernels avx2;",
        "| avx2 | 1 | 10.0 | 1.00× | 100% |",
        "| avx2 | 2 | 25.0 | 2.50× | 125% (above 100%: noise, the load changed between timings) |",
    ):
        assert expected in text, expected


def test_paths_time_every_vector_path_with_the_same_results_and_restore_the_default():
    scenario = presets.default().with_(world__months=12)
    rows = bench.measure_paths(scenario, trials=2, threads=2, repeats=1)
    paths = list(_core._simd_paths())
    assert "none" in paths and _core.SIMD in paths
    assert [(r["path"], r["threads"]) for r in rows] == [(p, t) for t in (1, 2) for p in paths]
    assert len({r["account_months"] for r in rows}) == 1  # the same world on every path
    assert (
        bench.engine_account_months(complab.simulate(scenario, trials=2, seed=1))
        == rows[0]["account_months"]
    )
    # Every path gives the same run, array for array.
    runs = []
    try:
        for path in paths:
            _core._use_simd_path(path)
            runs.append(complab.simulate(scenario, trials=3, seed=4, threads=2).arrays)
    finally:
        _core._use_simd_path(_core.SIMD)
    for arrays in runs[1:]:
        for name in ("monthly", "rep_raw", "pay"):
            np.testing.assert_array_equal(arrays[name], runs[0][name])
    with pytest.raises(ValueError, match="'avx3' is not one of avx512, avx2, none"):
        _core._use_simd_path("avx3")


def test_peak_memory_is_the_fresh_process_own():
    # Linux carries ru_maxrss from a parent into the child it starts; the measure must not
    # report this process's 320 MB for a child that needs about 0.1 GiB.
    held = np.ones(40_000_000)
    held[:] = 2.0
    peak = bench.measure_peak_memory(10)
    assert peak["import_rss_gib"] <= peak["peak_rss_gib"] < 0.25, peak
    assert held[-1] == 2.0


def test_explorer_benchmark_times_real_updates():
    import explorer as explorer_bench

    figures = explorer_bench.measure(trials=4, updates=3)
    assert figures["trials"] == 4 and figures["updates"] == 3
    assert 0 < figures["median_ms"] <= figures["max_ms"]


def test_sobol_study_counts_its_runs():
    import sobol_study

    scenario = presets.default().with_(world__months=12)
    figures = sobol_study.run(samples=2, trials=2, threads=1, scenario=scenario)
    assert figures["runs"] == 2 * (len(sobol_study.PARAMS) + 2)
    assert figures["seconds_for_500_runs"] == figures["seconds_per_run"] * 500 > 0


def test_uncertain_cost_times_both_worlds_at_both_draw_sizes():
    import uncertain_cost

    figures = uncertain_cost.run(trials=20, threads=1, repeats=1)
    for world in ("default scenario", "calibrated company"):
        row = figures[world]
        assert row["fixed_s"] > 0
        assert row["one_draw_a_trial_over_fixed"] > 0 and row["ten_trials_a_draw_over_fixed"] > 0
