"""complab.sweep: grids, tidy output, simulate-once re-payment, executors, checkpoints."""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from test_engine import neutral_world

import complab
from complab import Scenario, World, presets
from complab.sweeps import expand_grid, per_trial


def small_world(**overrides) -> World:
    """A one-segment world of 200 accounts with health pinned at 1/2 (test_engine's helper)."""
    segment = dict(initial_accounts=200, csql_rate=0.01, csm_headcount=2)
    segment.update(overrides.pop("segment", {}))
    return neutral_world(segment=segment, **{"sdr_headcount": 1, "skill_log_sd": 0.2, **overrides})


def small_scenario(**overrides) -> Scenario:
    world = small_world(**overrides)
    return Scenario(world=world, plans=presets.default_plans(world))


def expected_rows(
    scenario: Scenario, point: dict, outputs: list[str], trials: int, seed: int
) -> pd.DataFrame:
    """Statistics of one point computed straight from complab.simulate, from the base's book
    at month 0 as a sweep starts every point (history="base")."""
    result = complab.simulate(
        scenario.with_(point), trials=trials, seed=seed, threads=1, history=scenario
    )
    table = per_trial(result, outputs)
    rows = []
    for name in outputs:
        for year, group in table.groupby("year"):
            v = group[name].to_numpy(dtype=float)
            v = v[np.isfinite(v)]
            rows.append(
                {
                    "output": name,
                    "year": year,
                    "mean": v.mean(),
                    "se": v.std(ddof=1) / np.sqrt(len(v)),
                    "p50": np.median(v),
                }
            )
    return pd.DataFrame(rows)


class SimulateCounter:
    """Wraps complab.engine.simulate, counting the simulations a sweep runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self._simulate = complab.engine.simulate
        monkeypatch.setattr(complab.engine, "simulate", self)

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self._simulate(*args, **kwargs)


# -- grids and the tidy table ----------------------------------------------------------------
def test_grid_expands_to_every_combination_first_path_slowest():
    points = expand_grid(
        {"world.sdr_headcount": np.array([1, 2]), "world.segments.only.win_rate": [0.1, 0.2, 0.3]}
    )
    assert points == [
        {"world.sdr_headcount": h, "world.segments.only.win_rate": w}
        for h in (1, 2)
        for w in (0.1, 0.2, 0.3)
    ]
    assert all(type(p["world.sdr_headcount"]) is int for p in points)  # not numpy.int64
    explicit = [{"world.sdr_headcount": 1}, {"world.sdr_headcount": 3}]
    assert expand_grid(explicit) == explicit


def test_sweep_is_tidy_and_each_point_equals_its_own_simulation():
    scenario = small_scenario()
    grid = {"world.sdr_headcount": [1, 3], "world.segments.only.win_rate": [0.1, 0.4]}
    outputs = ["new_logos", "grr", "grr:only", "earnings_per_ae"]
    table = complab.sweep(scenario, grid, outputs=outputs, trials=12, seed=4, threads=1)
    years = scenario.world.months // 12
    assert len(table) == 4 * len(outputs) * years
    assert list(table.columns[:4]) == [
        "world.sdr_headcount",
        "world.segments.only.win_rate",
        "output",
        "year",
    ]
    assert {"n", "mean", "se", "p5", "p10", "p50", "p90", "p95"} <= set(table.columns)
    assert (table["n"] == 12).all()
    assert table.attrs["seed"] == 4
    for point in expand_grid(grid):
        got = table[
            (table["world.sdr_headcount"] == point["world.sdr_headcount"])
            & (table["world.segments.only.win_rate"] == point["world.segments.only.win_rate"])
        ]
        want = expected_rows(scenario, point, outputs, trials=12, seed=4)
        np.testing.assert_array_equal(got["output"], want["output"])
        np.testing.assert_allclose(got["mean"], want["mean"], rtol=1e-12)
        np.testing.assert_allclose(got["se"], want["se"], rtol=1e-9)
        np.testing.assert_allclose(got["p50"], want["p50"], rtol=1e-12)
    # more SDRs and a higher win rate: more new logos (a real effect, not noise)
    logos = table[(table["output"] == "new_logos") & (table["year"] == 1)].set_index(
        ["world.sdr_headcount", "world.segments.only.win_rate"]
    )["mean"]
    assert logos[(3, 0.4)] > logos[(1, 0.4)] > logos[(1, 0.1)]


def test_points_share_random_numbers_so_differences_are_paired():
    # The year-1 cohort is the initial book; the win rate only adds new accounts, and with
    # common random numbers the initial accounts see the same draws at every point.
    scenario = small_scenario()
    table = complab.sweep(
        scenario,
        {"world.segments.only.win_rate": [0.1, 0.5]},
        outputs=["grr"],
        trials=10,
        seed=0,
        threads=1,
    )
    year1 = table[table["year"] == 1]
    assert year1["mean"].iloc[0] == year1["mean"].iloc[1]
    other_seed = complab.sweep(
        scenario,
        {"world.segments.only.win_rate": [0.1]},
        outputs=["grr"],
        trials=10,
        seed=1,
        threads=1,
    )
    assert other_seed["mean"].iloc[0] != year1["mean"].iloc[0]


# -- simulate once, pay many plans --------------------------------------------------------------
def test_plan_only_sweep_simulates_the_world_once_and_equals_full_simulation(monkeypatch):
    scenario = small_scenario()
    grid = {
        "plans.csm:only.ote": [80_000.0, 100_000.0, 120_000.0],
        "plans.csm:only.measures.gross_churn.weight": [0.5, 0.65],
    }
    # The weights must sum to 1: the NRR measure's weight moves with the churn weight.
    points = [
        dict(
            p,
            **{
                "plans.csm:only.measures.nrr.weight": round(
                    1 - p["plans.csm:only.measures.gross_churn.weight"], 10
                )
            },
        )
        for p in expand_grid(grid)
    ]
    outputs = ["comp_csm", "earnings_per_csm", "nrr"]
    counter = SimulateCounter(monkeypatch)
    table = complab.sweep(scenario, points, outputs=outputs, trials=10, seed=7, threads=1)
    assert counter.calls == 1
    monkeypatch.undo()
    full = []
    for point in points:
        full.append(expected_rows(scenario, point, outputs, trials=10, seed=7))
    full = pd.concat(full, ignore_index=True)
    np.testing.assert_array_equal(table["mean"].to_numpy(), full["mean"].to_numpy())
    np.testing.assert_array_equal(table["p50"].to_numpy(), full["p50"].to_numpy())
    comp = table[(table["output"] == "comp_csm") & (table["year"] == 1)]["mean"].to_numpy()
    assert len(np.unique(comp)) == len(points)  # the plans did change pay


def test_plan_only_point_that_changes_shared_nrr_is_simulated_again(monkeypatch):
    scenario = small_scenario()
    # An AE measure on NRR makes AE and CSM share NRR, which changes hand-off acceptance.
    points = [
        {
            "plans.ae:only.measures.expansion_arr.metric": "expansion_arr",
            "plans.ae:only.measures.expansion_arr.target": scenario.plans["ae:only"]
            .measures[1]
            .target,
        },
        {
            "plans.ae:only.measures.expansion_arr.metric": "nrr",
            "plans.ae:only.measures.expansion_arr.target": 1.05,
        },
        {
            "plans.ae:only.measures.expansion_arr.metric": "nrr",
            "plans.ae:only.measures.expansion_arr.target": 1.10,
        },
    ]
    outputs = ["handoff_acceptance", "comp_ae"]
    counter = SimulateCounter(monkeypatch)
    table = complab.sweep(scenario, points, outputs=outputs, trials=8, seed=3, threads=1)
    assert counter.calls == 2  # one world per shared-NRR pattern
    monkeypatch.undo()
    full = pd.concat([expected_rows(scenario, p, outputs, 8, 3) for p in points], ignore_index=True)
    np.testing.assert_array_equal(table["mean"].to_numpy(), full["mean"].to_numpy())


# -- executors ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dask_client():
    import distributed  # installed by the test extra

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_dask_cluster_sweep_equals_serial_exactly(dask_client):
    scenario = small_scenario()
    grid = {"world.segments.only.win_rate": [0.1, 0.3], "world.sdr_headcount": [1, 2]}
    serial = complab.sweep(scenario, grid, trials=9, seed=11, threads=1)
    distributed = complab.sweep(scenario, grid, trials=9, seed=11, executor=dask_client)
    pd.testing.assert_frame_equal(distributed, serial, check_exact=True)
    # a plan-only sweep, the shared world split into trial ranges across processes
    plans = {"plans.ae:only.ote": [100_000.0, 150_000.0, 200_000.0]}
    serial = complab.sweep(scenario, plans, trials=9, seed=11, threads=1)
    split = complab.sweep(
        scenario, plans, trials=9, seed=11, trials_per_task=4, executor=dask_client.get_executor()
    )
    pd.testing.assert_frame_equal(split, serial, check_exact=True)


def test_thread_pool_and_trial_ranges_equal_serial():
    scenario = small_scenario()
    grid = {"world.segments.only.renewal_hazard": [(0.1,), (0.3, 0.1)]}
    serial = complab.sweep(scenario, grid, outputs=["grr", "logo_churn"], trials=10, seed=5)
    with ThreadPoolExecutor(2) as pool:
        pooled = complab.sweep(
            scenario,
            grid,
            outputs=["grr", "logo_churn"],
            trials=10,
            seed=5,
            executor=pool,
            trials_per_task=3,
        )
    pd.testing.assert_frame_equal(pooled, serial, check_exact=True)


# -- checkpoints ----------------------------------------------------------------------------------
GRID = {"world.segments.only.win_rate": [0.1, 0.2, 0.3], "world.sdr_headcount": [1, 2]}


def test_checkpoint_resumes_without_recomputing_finished_points(tmp_path, monkeypatch):
    scenario = small_scenario()
    path = tmp_path / "sweep.jsonl"
    uninterrupted = complab.sweep(
        scenario, GRID, outputs=["nrr", "comp_ae"], trials=6, seed=0, threads=1
    )

    def stop_after_two(done: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    counter = SimulateCounter(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        complab.sweep(
            scenario,
            GRID,
            outputs=["nrr", "comp_ae"],
            trials=6,
            seed=0,
            threads=1,
            checkpoint=path,
            progress=stop_after_two,
        )
    assert counter.calls == 2
    assert len(path.read_text().splitlines()) == 1 + 2  # header and two points
    seen: list[int] = []
    resumed = complab.sweep(
        scenario,
        GRID,
        outputs=["nrr", "comp_ae"],
        trials=6,
        seed=0,
        threads=1,
        checkpoint=path,
        progress=seen.append,
    )
    assert counter.calls == 2 + 4  # only the four unfinished points
    assert seen == [2, 3, 4, 5, 6]
    pd.testing.assert_frame_equal(resumed, uninterrupted, check_exact=True)
    # everything is in the file now: a third run simulates nothing
    again = complab.sweep(
        scenario, GRID, outputs=["nrr", "comp_ae"], trials=6, seed=0, threads=1, checkpoint=path
    )
    assert counter.calls == 6
    pd.testing.assert_frame_equal(again, uninterrupted, check_exact=True)


def test_a_checkpointed_sweep_runs_again_on_the_same_process_pool(tmp_path):
    """The pool's workers, forked while the first sweep held its checkpoint, do not keep it
    held: the same call on the same pool reads the finished points back."""
    scenario = small_scenario()
    path = tmp_path / "sweep.jsonl"
    kwargs = dict(outputs=["nrr"], trials=4, seed=0, checkpoint=path)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        first = complab.sweep(scenario, GRID, executor=pool, **kwargs)
        seen: list[int] = []
        again = complab.sweep(scenario, GRID, executor=pool, progress=seen.append, **kwargs)
        pd.testing.assert_frame_equal(again, first, check_exact=True)
        assert seen == [6]  # every point read back, none run
        serial = complab.sweep(scenario, GRID, **kwargs)  # and without the pool
    pd.testing.assert_frame_equal(serial, first, check_exact=True)


def test_checkpoint_line_cut_short_is_recomputed(tmp_path, monkeypatch):
    scenario = small_scenario()
    path = tmp_path / "sweep.jsonl"
    grid = {"world.sdr_headcount": [1, 2]}
    full = complab.sweep(scenario, grid, outputs=["nrr"], trials=5, seed=2, checkpoint=path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:2]) + "\n" + lines[2][: len(lines[2]) // 2])
    counter = SimulateCounter(monkeypatch)
    resumed = complab.sweep(scenario, grid, outputs=["nrr"], trials=5, seed=2, checkpoint=path)
    assert counter.calls == 1
    pd.testing.assert_frame_equal(resumed, full, check_exact=True)
    assert [json.loads(line)["key"] for line in path.read_text().splitlines()[1:]] == [
        json.dumps({"world.sdr_headcount": 1}),
        json.dumps({"world.sdr_headcount": 2}),
    ]


@pytest.mark.parametrize(
    "change, field",
    [
        (dict(seed=1), "seed"),
        (dict(trials=7), "trials"),
        (dict(outputs=["grr"]), "outputs"),
        (dict(scenario=small_scenario(segment=dict(acv_median=12_000))), "scenario"),
    ],
)
def test_checkpoint_from_another_sweep_is_refused(tmp_path, change, field):
    path = tmp_path / "sweep.jsonl"
    args = dict(
        scenario=small_scenario(),
        grid={"world.sdr_headcount": [1]},
        outputs=["nrr"],
        trials=6,
        seed=0,
        checkpoint=path,
    )
    complab.sweep(**args)
    with pytest.raises(ValueError, match=f"different sweep.*{field}"):
        complab.sweep(**dict(args, **change))


def test_checkpoint_needs_an_explicit_seed(tmp_path):
    with pytest.raises(ValueError, match="checkpoint: needs an explicit seed"):
        complab.sweep(
            small_scenario(),
            {"world.sdr_headcount": [1]},
            trials=2,
            checkpoint=tmp_path / "c.jsonl",
        )


# With or without a final newline (a checkpoint's cut last line is repaired, but only in a
# checkpoint): the file is refused and left as it was.
@pytest.mark.parametrize("text", ["shopping list\n", "line one\nline two"])
def test_a_file_that_is_not_a_checkpoint_is_refused_and_left_alone(tmp_path, text):
    path = tmp_path / "notes.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match="not a complab sweep checkpoint"):
        complab.sweep(
            small_scenario(), {"world.sdr_headcount": [1]}, trials=2, seed=1, checkpoint=path
        )
    assert path.read_text() == text


# -- errors --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "grid, message",
    [
        ({"world.segments.only.bogus": [1]}, r"world\.segments\.only\.bogus.*not a field"),
        (
            {"world.segments.nowhere.win_rate": [0.1]},
            r"world\.segments\.nowhere\.win_rate.*no item 'nowhere'",
        ),
        ({"plans.cfo.ote": [1.0]}, r"plans\.cfo\.ote"),
        ({"segments.only.win_rate": [0.1]}, r"'segments\.only\.win_rate' is not a dotted path"),
        (
            {"world.segments.only.win_rate": []},
            r"grid\['world\.segments\.only\.win_rate'\]: no values",
        ),
        (
            {"world.segments.only.win_rate": 0.2},
            r"grid\['world\.segments\.only\.win_rate'\]: 0\.2 is not a list",
        ),
        (
            {"world.segments.only.win_rate": [0.2, 1.5]},
            r"world\.segments\.only\.win_rate': 1\.5.*win_rate",
        ),
        ({}, "grid: no parameters"),
    ],
)
def test_bad_grids_name_the_path(grid, message):
    with pytest.raises(ValueError, match=message):
        complab.sweep(small_scenario(), grid, trials=2, seed=1)


@pytest.mark.parametrize(
    "outputs, message",
    [
        (["nrr:nowhere"], "no segment 'nowhere'"),
        (["churn:only"], "per-segment outputs are"),
        (["bogus"], "'bogus' is not an output; allowed: .*comp_total"),
        (["nrr", "nrr"], "repeated"),
    ],
)
def test_bad_outputs_are_named(outputs, message):
    with pytest.raises(ValueError, match=message):
        complab.sweep(
            small_scenario(), {"world.sdr_headcount": [1]}, outputs=outputs, trials=2, seed=1
        )


def test_bad_executor_is_named():
    with pytest.raises(
        ValueError, match=r"executor: str 'dask' is neither .* pass distributed.Client\('dask'\)"
    ):
        complab.sweep(
            small_scenario(), {"world.sdr_headcount": [1]}, trials=2, seed=1, executor="dask"
        )


# -- interrupts ------------------------------------------------------------------------------------
class InterruptOnCall(SimulateCounter):
    """complab.engine.simulate that is interrupted (as Ctrl-C would) on its n-th call, after
    three of the point's trials finished."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, on_call: int) -> None:
        super().__init__(monkeypatch)
        self.on_call = on_call

    def __call__(self, *args, **kwargs):
        if self.calls + 1 == self.on_call:
            self.calls += 1
            partial = self._simulate(*args, **dict(kwargs, trials=3))
            raise complab.SimulationInterrupted(partial)
        return super().__call__(*args, **kwargs)


def test_interrupt_without_checkpoint_carries_the_finished_points(monkeypatch):
    scenario = small_scenario()
    uninterrupted = complab.sweep(scenario, GRID, outputs=["nrr"], trials=6, seed=0, threads=1)
    InterruptOnCall(monkeypatch, on_call=3)
    with pytest.raises(KeyboardInterrupt) as info:
        complab.sweep(scenario, GRID, outputs=["nrr"], trials=6, seed=0, threads=1)
    err = info.value
    assert isinstance(err, complab.sweeps.SweepInterrupted)
    assert (err.done, err.total, err.checkpoint) == (2, 6, None)
    assert not hasattr(err, "partial")  # not the trials of the point that was running
    paths = list(GRID)
    finished = uninterrupted.set_index(paths).loc[[(0.1, 1), (0.1, 2)]].reset_index()
    pd.testing.assert_frame_equal(err.table, finished, check_exact=True)
    assert err.table.attrs["seed"] == 0


def test_interrupt_with_checkpoint_carries_points_read_back_and_finished(tmp_path, monkeypatch):
    scenario = small_scenario()
    path = tmp_path / "sweep.jsonl"
    grid = {"world.sdr_headcount": [1, 2, 3]}
    args = dict(outputs=["nrr"], trials=6, seed=0, threads=1, checkpoint=path)
    complab.sweep(scenario, {"world.sdr_headcount": [1]}, **args)  # one point in the file
    stop = InterruptOnCall(monkeypatch, on_call=2)
    with pytest.raises(complab.sweeps.SweepInterrupted) as info:
        complab.sweep(scenario, grid, **args)
    assert stop.calls == 2  # point 1 came from the file, point 2 ran, point 3 was interrupted
    assert info.value.done == 2 and info.value.checkpoint == path
    assert list(info.value.table["world.sdr_headcount"].unique()) == [1, 2]
    monkeypatch.undo()
    full = complab.sweep(scenario, grid, **args)
    pd.testing.assert_frame_equal(
        info.value.table, full[full["world.sdr_headcount"] < 3], check_exact=True
    )


# -- horizons ------------------------------------------------------------------------------------
def test_a_point_under_a_year_is_named_before_anything_runs(monkeypatch):
    counter = SimulateCounter(monkeypatch)
    with pytest.raises(
        ValueError,
        match=r"grid point \{'world\.months': 6, 'world\.period_months': 6\} simulates 6 "
        r"months, under a year.*world\.months >= 12",
    ):
        complab.sweep(
            small_scenario(),
            [
                {"world.months": 12, "world.period_months": 6},
                {"world.months": 6, "world.period_months": 6},
            ],
            trials=2,
            seed=1,
        )
    assert counter.calls == 0


def test_points_with_other_horizons_keep_all_their_years():
    table = complab.sweep(
        small_scenario(), {"world.months": [12, 36]}, outputs=["nrr"], trials=4, seed=1, threads=1
    )
    assert list(zip(table["world.months"], table["year"], strict=True)) == [
        (12, 1),
        (36, 1),
        (36, 2),
        (36, 3),
    ]


# -- damaged or odd checkpoints -------------------------------------------------------------------
def test_a_damaged_checkpoint_line_names_the_file_and_line(tmp_path):
    path = tmp_path / "sweep.jsonl"
    args = dict(outputs=["nrr"], trials=3, seed=2, threads=1, checkpoint=path)
    grid = {"world.sdr_headcount": [1, 2, 3]}
    complab.sweep(small_scenario(), grid, **args)
    good = path.read_text().splitlines()
    lines = list(good)
    lines[2] = lines[2][: len(lines[2]) // 2]  # cut short, yet followed by another point
    damaged = "\n".join(lines) + "\n"
    path.write_text(damaged)
    with pytest.raises(ValueError, match=r"sweep\.jsonl', line 3: not a finished point \(not JSON"):
        complab.sweep(small_scenario(), grid, **args)
    for line in ('{"key": "{}"}', '{"key": "[1]", "rows": []}', '{"key": "{}", "rows": [{}]}'):
        path.write_text("\n".join([*good[:3], line]) + "\n")
        with pytest.raises(ValueError, match=r"sweep\.jsonl', line 4: not a finished point"):
            complab.sweep(small_scenario(), grid, **args)
    path.write_text(damaged)
    with pytest.raises(ValueError, match="line 3"):
        complab.sweep(small_scenario(), grid, **args)
    assert path.read_text() == damaged  # left as it was, for the user to mend


def test_a_directory_as_checkpoint_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match=r"checkpoint: '.*' is a directory; give a file path"):
        complab.sweep(
            small_scenario(), {"world.sdr_headcount": [1]}, trials=2, seed=1, checkpoint=tmp_path
        )


def test_checkpoint_matches_values_equal_in_value(tmp_path, monkeypatch):
    scenario = small_scenario()
    path = tmp_path / "sweep.jsonl"
    args = dict(outputs=["comp_csm"], trials=4, seed=3, threads=1, checkpoint=path)
    first = complab.sweep(scenario, {"plans.csm:only.ote": [100_000.0, 120_000.0]}, **args)
    counter = SimulateCounter(monkeypatch)
    again = complab.sweep(scenario, {"plans.csm:only.ote": [100_000, 120_000]}, **args)
    assert counter.calls == 0
    np.testing.assert_array_equal(again["mean"], first["mean"])
    # a file whose keys were written as floats (by older versions) matches too
    lines = path.read_text().splitlines()
    old = [lines[0]] + [
        line.replace("100000}", "100000.0}").replace("120000}", "120000.0}") for line in lines[1:]
    ]
    assert old != lines
    path.write_text("\n".join(old) + "\n")
    complab.sweep(scenario, {"plans.csm:only.ote": [100_000, 120_000]}, **args)
    assert counter.calls == 0
