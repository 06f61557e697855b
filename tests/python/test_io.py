"""Result files: Parquet round trip, reproduction from what is stored, version and format checks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import complab
from complab import presets
from complab.io import FORMAT, VersionMismatchWarning


@pytest.fixture(scope="module")
def result():
    return complab.simulate(
        presets.first_renewal_clawback(), trials=4, seed=99, threads=2, first_trial=5
    )


def _rewrite_metadata(path, **changes):
    table = pq.read_table(path)
    meta = dict(table.schema.metadata)
    for key, value in changes.items():
        meta[f"complab.{key}".encode()] = value.encode()
    pq.write_table(table.replace_schema_metadata(meta), path)


def test_save_and_load_give_back_equal_arrays_scenario_and_seed(tmp_path, result):
    path = result.save(tmp_path / "run.parquet")
    loaded = complab.load(path)
    assert set(loaded.arrays) == set(result.arrays)
    for name, array in result.arrays.items():
        assert loaded.arrays[name].dtype == array.dtype, name
        assert loaded.arrays[name].shape == array.shape, name
        np.testing.assert_array_equal(loaded.arrays[name], array, err_msg=name)
    assert loaded.scenario == result.scenario
    assert loaded.seed == result.seed == 99
    assert loaded.first_trial == 5 and loaded.trials == 4
    assert loaded.version == complab.__version__
    pd.testing.assert_frame_equal(loaded.reps(), result.reps())
    meta = pq.read_schema(path).metadata
    assert meta[b"complab.format"].decode() == FORMAT
    assert int(meta[b"complab.trials"]) == 4


def test_what_is_stored_reproduces_the_run(tmp_path, result):
    loaded = complab.load(result.save(tmp_path / "run.parquet"))
    again = complab.simulate(
        loaded.scenario,
        trials=loaded.trials,
        seed=loaded.seed,
        first_trial=loaded.first_trial,
        threads=1,
    )
    for name, array in loaded.arrays.items():
        np.testing.assert_array_equal(again.arrays[name], array, err_msg=name)


def test_seed_sequence_record_round_trips(tmp_path):
    seed = np.random.SeedSequence(2**70 + 3)
    r = complab.simulate(presets.default(), trials=1, seed=seed, threads=1)
    loaded = complab.load(r.save(tmp_path / "s.parquet"))
    assert loaded.seed == r.seed == {"entropy": 2**70 + 3, "spawn_key": []}


def test_a_file_from_another_version_loads_with_a_warning(tmp_path, result):
    path = result.save(tmp_path / "old.parquet")
    _rewrite_metadata(path, version="0.0.1")
    with pytest.warns(
        VersionMismatchWarning,
        match=rf"written by complab 0\.0\.1, read by complab {complab.__version__}",
    ):
        loaded = complab.load(path)
    assert loaded.version == "0.0.1"
    np.testing.assert_array_equal(loaded.arrays["pay"], result.arrays["pay"])


def test_an_incompatible_format_raises_naming_both_versions(tmp_path, result):
    path = result.save(tmp_path / "new.parquet")
    _rewrite_metadata(path, format="complab-result/99", version="9.0")
    with pytest.raises(
        ValueError,
        match=r"result format 'complab-result/99' written by complab 9\.0; this is complab .* reads 'complab-result/2'",
    ):
        complab.load(path)


def test_files_that_are_not_results_are_refused(tmp_path):
    plain = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"x": [1, 2]}), plain)
    with pytest.raises(ValueError, match="not a complab result file"):
        complab.load(plain)
    text = tmp_path / "notes.parquet"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a Parquet file"):
        complab.load(text)
    with pytest.raises(FileNotFoundError):
        complab.load(tmp_path / "absent.parquet")


def test_a_stored_scenario_this_version_cannot_read_is_explained(tmp_path, result):
    path = result.save(tmp_path / "odd.parquet")
    scenario = result.scenario.to_dict()
    scenario["world"]["retired_field"] = 1
    import yaml

    _rewrite_metadata(path, scenario=yaml.safe_dump(scenario), version="0.0.1")
    with (
        pytest.warns(VersionMismatchWarning),
        pytest.raises(
            ValueError,
            match=r"scenario saved by complab 0\.0\.1 is not valid .*unknown key 'retired_field'",
        ),
    ):
        complab.load(path)
    assert json.loads(pq.read_schema(path).metadata[b"complab.seed"]) == 99
