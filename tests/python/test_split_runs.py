"""simulate(..., executor=...) splits one run's trials into ranges on a concurrent.futures
executor or a Dask cluster and joins them into exactly the result of a local run."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

import complab
from complab import presets


def small() -> complab.Scenario:
    return presets.default().with_(world__months=24)


def assert_same(split: complab.Result, local: complab.Result) -> None:
    assert split.first_trial == local.first_trial and split.seed == local.seed
    assert set(split.arrays) == set(local.arrays)
    for name, values in local.arrays.items():
        assert split.arrays[name].dtype == values.dtype, name
        np.testing.assert_array_equal(split.arrays[name], values, err_msg=name)
    if local.account_records is None:
        assert split.account_records is None
    else:
        assert split.account_records is not None
        assert set(split.account_records) == set(local.account_records)
        for name, values in local.account_records.items():
            np.testing.assert_array_equal(split.account_records[name], values, err_msg=name)


def test_thread_pool_ranges_join_into_the_local_run():
    scenario = small()
    local = complab.simulate(scenario, trials=23, seed=5, threads=1, keep_accounts=True)
    with ThreadPoolExecutor(2) as pool:
        split = complab.simulate(
            scenario, trials=23, seed=5, executor=pool, trials_per_task=7, keep_accounts=True
        )
    assert_same(split, local)
    assert split.trials == 23 and split.account_records is not None
    # the account records' trial numbers count across the joined ranges
    assert split.account_records["trial"].max() == 22


def test_split_keeps_first_trial_history_and_threads():
    scenario = small()
    base = presets.default().with_({"world.segments.smb.csm_headcount": 3})
    local = complab.simulate(scenario, trials=11, seed=9, first_trial=40, history=base, threads=2)
    with ThreadPoolExecutor(3) as pool:
        split = complab.simulate(
            scenario,
            trials=11,
            seed=9,
            first_trial=40,
            history=base,
            executor=pool,
            trials_per_task=4,
            threads=2,
        )
    assert_same(split, local)
    # a different first trial is a different run: the check can fail
    other = complab.simulate(scenario, trials=11, seed=9, first_trial=41, history=base)
    assert not np.array_equal(other.arrays["monthly"], local.arrays["monthly"])


def test_process_pool_run_equals_local_and_reports_progress():
    scenario = small()
    local = complab.simulate(scenario, trials=12, seed=3, threads=2)
    seen: list[int] = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        split = complab.simulate(
            scenario, trials=12, seed=3, executor=pool, trials_per_task=5, progress=seen.append
        )
    assert_same(split, local)
    assert sorted(seen) == seen and seen[-1] == 12 and len(seen) == 3


def test_dask_cluster_run_equals_local():
    import distributed  # installed by the test extra

    scenario = small().with_({"world.behaviour.incentive_sensitivity": 2.0})
    local = complab.simulate(scenario, trials=9, seed=21, threads=1)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        split = complab.simulate(scenario, trials=9, seed=21, executor=client, trials_per_task=4)
    assert_same(split, local)


def test_uncertain_assumptions_split_into_runs_of_whole_draws():
    """Each draw runs on its drawn scenario on a worker; with a history, uneven tasks, draws
    shared by three trials and accounts kept, the joined run equals the local one."""
    from complab import uncertainty as u

    scenario = small().with_(
        {
            "world.segments.smb.win_rate": u.Normal(mean=0.25, sd=0.04, low=0.05, high=0.6),
            "world.segments.*.acv_median": u.LogNormal(median=20_000.0, log_sd=0.3),
        }
    )
    history = small().with_({"world.segments.smb.csm_headcount": 1})
    kwargs = dict(trials=17, seed=8, first_trial=4, trials_per_draw=3, history=history)
    local = complab.simulate(scenario, threads=2, keep_accounts=True, **kwargs)
    seen: list[int] = []
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        split = complab.simulate(
            scenario,
            executor=pool,
            trials_per_task=5,
            keep_accounts=True,
            progress=seen.append,
            **kwargs,
        )
    assert_same(split, local)
    assert split.trials_per_draw == local.trials_per_draw == 3
    assert sorted(seen) == seen and seen[-1] == 17 and len(seen) == 3  # 6, 6 and 5 trials
    # Six draws (trials 4-20 by threes from 3): six win rates, each on its trials.
    drawn = split.assumptions()
    assert drawn["draw"].nunique() == 6
    assert drawn.groupby("draw")["world.segments.smb.win_rate"].nunique().eq(1).all()
    assert drawn["world.segments.smb.win_rate"].nunique() == 6


class _Failing(Executor):
    """Runs the first part, then fails: the error reaches the caller."""

    def __init__(self) -> None:
        self.calls = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.calls += 1
        future: Future = Future()
        if self.calls == 1:
            future.set_result(fn(*args, **kwargs))
        else:
            future.set_exception(RuntimeError("worker lost"))
        return future


def test_a_failed_part_raises_and_bad_arguments_are_refused():
    with pytest.raises(RuntimeError, match="worker lost"):
        complab.simulate(small(), trials=4, seed=1, executor=_Failing(), trials_per_task=2)
    with pytest.raises(ValueError, match="trials_per_task: only with an executor"):
        complab.simulate(small(), trials=4, seed=1, trials_per_task=2)
    with ThreadPoolExecutor(1) as pool:
        with pytest.raises(ValueError, match="trials_per_task: 0 is not >= 1"):
            complab.simulate(small(), trials=4, seed=1, executor=pool, trials_per_task=0)
    with pytest.raises(ValueError, match=r"executor: list \[\] is neither"):
        complab.simulate(small(), trials=4, seed=1, executor=[])
