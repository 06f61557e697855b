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
from complab.io import FORMAT, VersionMismatchWarning, checksum


@pytest.fixture(scope="module")
def result():
    return complab.simulate(
        presets.first_renewal_clawback(), trials=4, seed=99, threads=2, first_trial=5
    )


def _rewrite_metadata(path, sign=False, **changes):
    """Edit the metadata; `sign` recomputes the checksum, as a file written that way has."""
    table = pq.read_table(path)
    meta = dict(table.schema.metadata)
    for key, value in changes.items():
        meta[f"complab.{key}".encode()] = value.encode()
    if sign:
        arrays = {name: complab.load(path).arrays[name] for name in complab.load(path).arrays}
        plain = {k.decode()[8:]: v.decode() for k, v in meta.items() if k.startswith(b"complab.")}
        meta[b"complab.checksum"] = checksum(arrays, plain).encode()
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
    _rewrite_metadata(path, sign=True, version="0.0.1")
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
        match=r"result format 'complab-result/99' written by complab 9\.0; this is complab .* reads 'complab-result/4'",
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
    # The error names both versions; the version warning is kept for files that load.
    with pytest.raises(
        ValueError,
        match=r"scenario saved by complab 0\.0\.1 is not valid .*unknown key 'retired_field'",
    ):
        complab.load(path)
    assert json.loads(pq.read_schema(path).metadata[b"complab.seed"]) == 99


def _rewrite_layout(path, change):
    table = pq.read_table(path)
    meta = dict(table.schema.metadata)
    layout = json.loads(meta[b"complab.arrays"])
    change(layout)
    meta[b"complab.arrays"] = json.dumps(layout).encode()
    pq.write_table(table.replace_schema_metadata(meta), path)


def _drop_metadata(path, key):
    table = pq.read_table(path)
    meta = {k: v for k, v in table.schema.metadata.items() if k != f"complab.{key}".encode()}
    pq.write_table(table.replace_schema_metadata(meta), path)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda p: _drop_metadata(p, "arrays"), r"its metadata has no 'complab\.arrays'"),
        (lambda p: _drop_metadata(p, "seed"), r"its metadata has no 'complab\.seed'"),
        (lambda p: _drop_metadata(p, "scenario"), r"its metadata has no 'complab\.scenario'"),
        (lambda p: _rewrite_metadata(p, arrays="{not json"), r"'complab\.arrays' is not a JSON"),
        (lambda p: _rewrite_metadata(p, trials="four"), r"'complab\.trials' is 'four'"),
        # the cohorts are 4 trials x 3 years x 3 segments x 5 values; a year more needs more
        (
            lambda p: _rewrite_layout(p, lambda lay: lay["cohorts"]["shape"].__setitem__(1, 4)),
            r"array 'cohorts' has 180 values, but its recorded shape \(4, 4, 3, 5\) needs 240",
        ),
        (
            lambda p: _rewrite_layout(p, lambda lay: lay["pay"]["shape"].__setitem__(0, 5)),
            r"array 'pay' has shape \(5, .*\), but the file records 4 trials",
        ),
        (
            lambda p: _rewrite_layout(p, lambda lay: lay.pop("monthly")),
            r"'complab\.arrays' lists no 'monthly'",
        ),
        (
            lambda p: _rewrite_layout(p, lambda lay: lay["pay"].__setitem__("dtype", "<q9")),
            r"array 'pay' has dtype '<q9'",
        ),
    ],
)
def test_a_damaged_file_names_the_file_and_what_is_wrong(tmp_path, result, damage, message):
    path = result.save(tmp_path / "damaged.parquet")
    damage(path)
    with pytest.raises(ValueError, match=rf"damaged\.parquet: {message}.*the file is damaged"):
        complab.load(path)


def test_an_interrupted_save_leaves_the_earlier_file_whole(tmp_path, result, monkeypatch):
    path = result.save(tmp_path / "run.parquet")
    before = path.read_bytes()

    def cut_short(table, where, **kwargs):
        with open(where, "wb") as f:
            f.write(b"PAR1 half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(pq, "write_table", cut_short)
    with pytest.raises(KeyboardInterrupt):
        result.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.parquet"]
