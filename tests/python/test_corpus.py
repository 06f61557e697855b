"""A generated corpus of bad input and faults, tried as a careless or hostile user would.

Every case must end in a clear error (``ValueError``, or exit status 2 with one line naming
the file and the field), a correct result, or a saved partial result that reproduces — never
a hang (each case runs under a deadline), a traceback or damaged data read as good. The
cases are generated from fixed seeds: mutations of every preset, damaged copies of real
result and checkpoint files, hostile YAML, special paths and runs interrupted at random
moments.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import complab
from complab import cli, presets
from complab.io import checksum

SEED = 19
# What a message must start with: the file, or a field's path, or a run option.
FIELD = ("world", "plans", "scenario", "trials", "seed", "checkpoint", "path", "source", "--")


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail a case that runs longer than `seconds` (the engine checks signals every 0.1 s)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"the case ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def clear(err: BaseException, *starts: str) -> None:
    """A clear error: a ValueError in one line that starts with a field or the file."""
    assert type(err) in (ValueError, FileNotFoundError, cli.UsageError), repr(err)
    text = str(err)
    assert "\n" not in text and len(text) < 2000, text[:300]
    assert text.startswith(starts or FIELD), text[:300]


def small(scenario: complab.Scenario) -> complab.Scenario:
    return scenario.with_({"world.months": 12})


# -- mutations of every preset ---------------------------------------------------------------
HOSTILE_VALUES = [
    0,
    -1,
    1,
    2,
    11,
    12,
    13,
    100,
    101,
    1e9,
    1e300,
    -1e-9,
    0.5,
    True,
    None,
    "x",
    [],
    {},
]


def preset_mutations(count: int) -> list[tuple[str, str, object]]:
    """(preset, dotted path, value): a seeded sample of every preset's world and plan fields
    set to hostile values."""
    rng = random.Random(SEED)
    cases = []
    for name in presets.list():
        data = presets.get(name).to_dict()
        paths = [f"world.{k}" for k, v in data["world"].items() if not isinstance(v, (list, dict))]
        segment = data["world"]["segments"][0]
        paths += [
            f"world.segments[0].{k}" for k, v in segment.items() if not isinstance(v, (list, dict))
        ]
        paths += ["world.segments[0].renewal_hazard", "world.segments[0].name"]
        for key, plan in data["plans"].items():
            paths += [
                f"plans.{key}.{k}" for k, v in plan.items() if not isinstance(v, (list, dict))
            ]
        cases += [(name, path, value) for path in paths for value in HOSTILE_VALUES]
    return rng.sample(cases, count)


# The runs are a year long for speed: a clawback then can never apply, and simulate says so
# (tests/python/test_plans.py checks that warning); here it is expected, not a failure.
@pytest.mark.filterwarnings("ignore:plans.*the clawback can never apply:UserWarning")
@pytest.mark.parametrize("preset, path, value", preset_mutations(160))
def test_a_mutated_preset_is_refused_by_field_or_runs(preset, path, value):
    with deadline(20):
        try:
            scenario = small(presets.get(preset).with_({path: value}))
        except ValueError as err:
            clear(err)
            assert str(err).startswith(path.split("[")[0].split(".")[0]), err
            return
        try:
            result = complab.simulate(scenario, trials=2, seed=SEED, threads=1)
        except ValueError as err:  # a limit met at run time names the field
            clear(err)
            return
        result.summary()
        result.cohorts()


# -- damaged result files ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> tuple[Path, complab.Result]:
    scenario = small(presets.default())
    result = complab.simulate(scenario, trials=3, seed=SEED, threads=1, keep_accounts=True)
    path = result.save(tmp_path_factory.mktemp("results") / "run.parquet")
    return path, result


def _damaged_bytes(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(["flip", "zero", "cut"])
    buf = bytearray(data)
    if kind == "flip":
        i = rng.randrange(len(buf))
        buf[i] ^= 1 << rng.randrange(8)
    elif kind == "zero":
        i = rng.randrange(len(buf))
        buf[i : i + rng.randrange(1, 256)] = bytes(min(len(buf) - i, 255))
    else:
        buf = buf[: rng.randrange(len(buf))]
    return kind, bytes(buf)


def assert_same(loaded: complab.Result, result: complab.Result) -> None:
    assert loaded.scenario == result.scenario and loaded.seed == result.seed
    assert (loaded.first_trial, loaded.trials) == (result.first_trial, result.trials)
    for name, array in result.arrays.items():
        np.testing.assert_array_equal(loaded.arrays[name], array, err_msg=name)
    for name, column in (result.account_records or {}).items():
        np.testing.assert_array_equal(loaded.account_records[name], column, err_msg=name)


@pytest.mark.parametrize("case", range(120))
def test_a_damaged_result_file_is_refused_or_reads_the_same(saved, tmp_path, case):
    path, result = saved
    kind, data = _damaged_bytes(path.read_bytes(), random.Random(SEED * 1000 + case))
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(data)
    with deadline(20):
        try:
            loaded = complab.load(damaged)
        except ValueError as err:
            clear(err, str(damaged))
            return
    assert_same(loaded, result)


def _edit(path: Path, out: Path, sign: bool, **changes: str) -> None:
    """Rewrite the file's metadata; `sign`: recompute the checksum as an editor that knew it."""
    table = pq.read_table(path)
    meta = {k.decode(): v.decode() for k, v in table.schema.metadata.items()}
    meta.update({f"complab.{k}": v for k, v in changes.items()})
    if sign:
        loaded = complab.load(path)
        arrays = dict(loaded.arrays)
        arrays.update({f"account.{k}": v for k, v in (loaded.account_records or {}).items()})
        if "pay" in changes:
            arrays["pay"] = json.loads(changes["pay"])
        plain = {k[len("complab.") :]: v for k, v in meta.items() if k.startswith("complab.")}
        meta["complab.checksum"] = checksum(arrays, plain)
    pq.write_table(table.replace_schema_metadata(meta), out)


def _other_months(path: Path) -> str:
    return complab.load(path).scenario.with_({"world.months": 24}).to_yaml()


METADATA_EDITS = {
    "first_trial 2**70": dict(first_trial=str(2**70)),
    "first_trial near 2**32": dict(first_trial=str(2**32 - 1)),
    "seed abc": dict(seed='"abc"'),
    "seed negative": dict(seed="-5"),
    "seed a list": dict(seed="[1, 2]"),
    "trials 0": dict(trials="0"),
    "version edited": dict(version="0.0.0"),
}


@pytest.mark.parametrize("sign", [False, True], ids=["edited", "edited-and-resigned"])
@pytest.mark.parametrize("edit", [*METADATA_EDITS, "24-month scenario", "NaN pay"])
def test_edited_metadata_is_refused(saved, tmp_path, edit, sign):
    path, result = saved
    out = tmp_path / "edited.parquet"
    if edit == "24-month scenario":
        _edit(path, out, sign, scenario=_other_months(path))
    elif edit == "NaN pay":  # unsigned, the checksum refuses it; re-signed, the range check
        table = pq.read_table(path)
        import pyarrow as pa

        pay = np.array(result.arrays["pay"], dtype=float)
        pay.flat[3] = math.nan
        column = pa.LargeListArray.from_arrays(
            pa.array([0, pay.size], pa.int64()), pa.array(pay.reshape(-1))
        )
        table = table.set_column(table.column_names.index("pay"), "pay", column)
        meta = {k.decode(): v.decode() for k, v in table.schema.metadata.items()}
        if sign:
            plain = {k[len("complab.") :]: v for k, v in meta.items() if k.startswith("complab.")}
            loaded = dict(result.arrays, pay=pay)
            loaded.update({f"account.{k}": v for k, v in result.account_records.items()})
            meta["complab.checksum"] = checksum(loaded, plain)
        pq.write_table(table.replace_schema_metadata(meta), out)
    else:
        _edit(path, out, sign, **METADATA_EDITS[edit])
    with deadline(20):
        if edit == "version edited" and sign:
            with pytest.warns(complab.VersionMismatchWarning):
                assert_same(complab.load(out), result)
            return
        with pytest.raises(ValueError) as caught:
            complab.load(out)
    clear(caught.value, str(out))


def test_kept_accounts_survive_save_and_load(saved):
    path, result = saved
    assert result.account_records is not None
    assert_same(complab.load(path), result)
    complab.load(path).accounts()


# -- damaged checkpoints -----------------------------------------------------------------------
GRID = {"plans.csm:smb.ote": [80_000, 90_000]}
OUTPUTS = ["arr_end", "nrr:smb"]


def _sweep(checkpoint: Path, seed: int = SEED):
    return complab.sweep(
        small(presets.default()), GRID, outputs=OUTPUTS, trials=3, seed=seed, threads=1,
        checkpoint=checkpoint,
    )  # fmt: skip


@pytest.fixture(scope="module")
def checkpointed(tmp_path_factory) -> tuple[list[bytes], object]:
    path = tmp_path_factory.mktemp("sweeps") / "sweep.jsonl"
    table = _sweep(path)
    return path.read_bytes().splitlines(keepends=True), table


def _entry_edits(line: bytes, rng: random.Random) -> list[tuple[str, bytes]]:
    entry = json.loads(line)

    def edited(change) -> bytes:
        e = json.loads(line)
        change(e)
        return (json.dumps(e) + "\n").encode()

    row = rng.randrange(len(entry["rows"]))
    return [
        ("no rows", edited(lambda e: e.__setitem__("rows", []))),
        ("mean text", edited(lambda e: e["rows"][row].__setitem__("mean", "high"))),
        ("mean NaN", edited(lambda e: e["rows"][row].__setitem__("mean", math.nan))),
        ("mean infinite", edited(lambda e: e["rows"][row].__setitem__("mean", math.inf))),
        ("another output", edited(lambda e: e["rows"][row].__setitem__("output", "grr"))),
        ("year 99", edited(lambda e: e["rows"][row].__setitem__("year", 99))),
        ("n negative", edited(lambda e: e["rows"][row].__setitem__("n", -1))),
        ("n too many", edited(lambda e: e["rows"][row].__setitem__("n", 10**6))),
        ("se negative", edited(lambda e: e["rows"][row].__setitem__("se", -1.0))),
        ("row dropped", edited(lambda e: e["rows"].pop(row))),
        ("row twice", edited(lambda e: e["rows"].append(e["rows"][row]))),
        (
            "p95 below p5",
            edited(lambda e: e["rows"][row].__setitem__("p95", e["rows"][row]["p5"] - 1)),
        ),
        ("not a mapping", b"[1, 2, 3]\n"),
        ("a header", line.replace(b'"key"', b'"format"')),
        ("bytes", bytes(rng.randrange(256) for _ in range(40)) + b"\n"),
    ]


def checkpoint_cases() -> list[tuple[str, int]]:
    return [(kind, line) for line in (1, 2) for kind in range(15)]


@pytest.mark.parametrize("kind, line", checkpoint_cases())
def test_a_damaged_checkpoint_entry_is_refused(checkpointed, tmp_path, kind, line):
    lines, _ = checkpointed
    name, text = _entry_edits(lines[line], random.Random(SEED + kind))[kind]
    damaged = [*lines[:line], text, *lines[line + 1 :]]
    path = tmp_path / "sweep.jsonl"
    path.write_bytes(b"".join(damaged))
    with deadline(30), pytest.raises(ValueError) as caught:
        _sweep(path)
    clear(caught.value, "checkpoint")
    assert f"line {line + 1}" in str(caught.value), (name, str(caught.value))


def test_a_point_written_twice_with_different_values_is_refused(checkpointed, tmp_path):
    lines, _ = checkpointed
    entry = json.loads(lines[1])
    entry["rows"][0]["mean"] += 1.0
    path = tmp_path / "sweep.jsonl"
    path.write_bytes(b"".join([*lines, (json.dumps(entry) + "\n").encode()]))
    with pytest.raises(
        ValueError, match=r"line 4: not a finished point \(the point of line 2 again"
    ):
        _sweep(path)
    path.write_bytes(b"".join([*lines, lines[1]]))  # the same values twice: a harmless repeat
    _sweep(path)


@pytest.mark.parametrize("cut", range(0, 400, 37))
def test_a_checkpoint_cut_short_resumes_to_the_same_table(checkpointed, tmp_path, cut):
    lines, table = checkpointed
    data = b"".join(lines)
    path = tmp_path / "sweep.jsonl"
    path.write_bytes(data[: len(data) - cut])
    with deadline(30):
        try:
            again = _sweep(path)
        except ValueError as err:
            clear(err, "checkpoint")
            return
    assert again.equals(table)


_HOLD = """
import sys, time
from complab.locked_file import LockedFile
held = LockedFile(sys.argv[1])
print("held", flush=True)
sys.stdin.read()
"""


def test_two_sweeps_cannot_share_a_checkpoint(tmp_path):
    from complab.locked_file import LockedFile

    path = tmp_path / "sweep.jsonl"
    # Another process's sweep holds it.
    other = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert other.stdout is not None and other.stdout.readline() == b"held\n"
        with pytest.raises(ValueError, match="is in use by another sweep"):
            _sweep(path)
    finally:
        other.communicate(b"")  # it exits, releasing the file
    # Another sweep in this process holds it.
    held = LockedFile(path)
    try:
        with pytest.raises(ValueError, match="is in use by another sweep"):
            _sweep(path)
    finally:
        held.close()
    _sweep(path)
    with pytest.raises(ValueError, match="was written by a different sweep"):
        _sweep(path, seed=SEED + 1)


# -- hostile YAML --------------------------------------------------------------------------------
def _laughs(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\nworld: *a{levels - 1}\n"


def hostile_yaml() -> dict[str, str]:
    base = presets.default().to_yaml()
    return {
        "nested aliases": _laughs(9),
        "huge file": "world:\n  comment: '" + "x" * (2 << 20) + "'\n",
        "deep flow nesting": "world: " + "[" * 20_000 + "]" * 20_000 + "\n",
        "deep block nesting": "".join(f"{' ' * i}k{i}:\n" for i in range(300)),
        "list as key": "? [1, 2]\n: 3\n",
        "mapping as key": "? {a: 1}\n: 3\n",
        "recursive alias": "world: &w\n  segments: *w\n",
        "python tag": "world: !!python/object/apply:os.system ['true']\n",
        "unknown tag": "world: !custom 1\n",
        "binary": "\x00\x01\x02 world",
        "a scalar": "42\n",
        "duplicate key": base + "world: {}\n",
        "merge key over nothing": "world:\n  <<: 5\n",
        "dollar names": base.replace("smb", "$x$"),
        "brace names": base.replace("smb", "$" + "{" * 60),
        "segment all": base.replace("smb", "all"),
    }


@pytest.mark.parametrize("name", list(hostile_yaml()))
def test_hostile_yaml_is_refused_quickly_with_a_bounded_message(tmp_path, name):
    path = tmp_path / "hostile.yaml"
    path.write_text(hostile_yaml()[name], encoding="utf-8")
    accepted = []
    with deadline(10):  # reading never hangs, however hostile the file
        for read in (complab.load_scenario, cli.load_scenario_file):
            try:
                accepted.append(read(path))
            except ValueError as err:
                clear(err, str(path))
    # Names with $ or braces are legal; they must survive a run and its report.
    assert not accepted or name in ("dollar names", "brace names"), name
    for scenario in accepted:
        complab.report(
            complab.simulate(small(scenario), trials=2, seed=1, threads=1),
            tmp_path / "r.html",
        )


def test_merge_keys_are_read_as_yaml_defines_them():
    plan = presets.default().plans["csm:smb"].to_dict()
    import yaml

    data = yaml.safe_load(presets.default().to_yaml())
    data["plans"]["csm:smb"] = {"<<": plan, "ote": 99_000}
    text = yaml.safe_dump(data).replace("'<<':", "<<:")
    scenario = complab.Scenario.from_yaml(text)
    assert scenario.plans["csm:smb"].ote == 99_000
    assert scenario.plans["csm:smb"].measures == presets.default().plans["csm:smb"].measures


# -- special paths ---------------------------------------------------------------------------------
def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "dangling-link", "none", "int"])
def test_special_scenario_paths_are_refused_without_blocking(tmp_path, kind):
    path = {
        "fifo": lambda: _fifo(tmp_path),
        "dev-zero": lambda: Path("/dev/zero"),
        "folder": lambda: tmp_path,
        "dangling-link": lambda: (
            (tmp_path / "link.yaml").symlink_to(tmp_path / "gone") or tmp_path / "link.yaml"
        ),
        "none": lambda: None,
        "int": lambda: 123,
    }[kind]()
    with deadline(5):
        for read in (complab.load_scenario, complab.load):
            with pytest.raises((ValueError, FileNotFoundError)) as caught:
                read(path)
            clear(caught.value, str(path), "path", "scenario file", "result file")


@pytest.mark.parametrize("target", ["fifo", "dev-null", "folder"])
def test_writing_never_replaces_a_special_file(saved, tmp_path, target):
    _, result = saved
    path = {
        "fifo": lambda: _fifo(tmp_path),
        "dev-null": lambda: Path("/dev/null"),
        "folder": lambda: tmp_path,
    }[target]()
    with deadline(10), pytest.raises(ValueError, match="give the path of a file"):
        result.save(path)
    assert path.exists() and not path.is_file()


def test_writing_through_a_symlink_keeps_the_link(saved, tmp_path):
    _, result = saved
    target = tmp_path / "real.parquet"
    target.write_bytes(b"old")
    link = tmp_path / "link.parquet"
    link.symlink_to(target)
    result.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert_same(complab.load(target), result)


# -- interrupted runs --------------------------------------------------------------------------------
def _complab(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "complab", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        **kw,
    )


@pytest.mark.parametrize("moment", range(8))
def test_a_run_interrupted_at_a_random_moment_keeps_a_reproducible_result(tmp_path, moment):
    out = tmp_path / "run.parquet"
    delay = random.Random(SEED + moment).uniform(0.0, 4.0)
    proc = _complab(
        "run",
        "--preset",
        "default",
        "--trials",
        "60",
        "--threads",
        "2",
        "--quiet",
        "--out",
        str(out),
    )
    try:
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in err, err
    # -SIGINT: the signal came before Python set up its handler, so nothing had started
    assert proc.returncode in (0, 130, -signal.SIGINT), (proc.returncode, err)
    if proc.returncode == 0:
        assert complab.load(out).trials == 60
    if not out.exists():
        return
    saved = complab.load(out)
    again = complab.simulate(
        saved.scenario,
        trials=saved.trials,
        seed=saved.seed,
        first_trial=saved.first_trial,
        threads=1,
    )
    for name, array in saved.arrays.items():
        np.testing.assert_array_equal(again.arrays[name], array, err_msg=name)
