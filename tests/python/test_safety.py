"""Nothing lost, nothing damaged read as good: interruption, valid input that cannot run,
names that mean something elsewhere, memory limits and clear errors for wrong arguments.

The generated corpus (test_corpus.py) tries these classes at scale; these are one plain
case each.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import complab
from complab import cli, presets


@pytest.fixture(scope="module")
def year_scenario() -> complab.Scenario:
    return presets.default().with_({"world.months": 12})


# -- interruption ----------------------------------------------------------------------------------
def test_an_interrupted_run_keeps_only_the_trials_before_the_first_unfinished_one(year_scenario):
    # Threads finish batches out of order: trials 0-1 and 3 done, 2 not. What is kept must be
    # what the result says it holds (first_trial 0, trials 2), so that it can be repeated.
    full = complab.simulate(year_scenario, trials=4, seed=3, threads=1, keep_accounts=True)
    full.arrays["completed"][:] = [1, 1, 0, 1]
    kept = full.completed_trials()
    again = complab.simulate(
        year_scenario, trials=kept.trials, seed=3, threads=1, keep_accounts=True
    )
    assert (kept.first_trial, kept.trials) == (0, 2)
    for name, array in again.arrays.items():
        np.testing.assert_array_equal(kept.arrays[name], array, err_msg=name)
    for name, column in again.account_records.items():
        np.testing.assert_array_equal(kept.account_records[name], column, err_msg=name)


def test_ctrl_c_while_the_tables_print_still_saves_the_finished_run(capsys, monkeypatch, tmp_path):
    def interrupted(result):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "print_summary", interrupted)
    out = tmp_path / "run.parquet"
    argv = ["run", "--preset", "default", "--trials", "6", "--seed", "4", "--quiet"]
    code = cli.main([*argv, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_INTERRUPTED
    assert "interrupted after all 6 trials finished; saved them to" in err
    assert complab.load(out).trials == 6


def test_ctrl_c_while_python_m_complab_loads_its_command_exits_130_without_a_traceback():
    # Ctrl-C lands while `python -m complab` imports the command's own modules (argparse),
    # after complab itself has loaded.
    program = textwrap.dedent(
        """
        import runpy, sys

        import complab

        class CtrlC:
            def find_spec(self, name, path=None, target=None):
                if name == "argparse":
                    raise KeyboardInterrupt

        sys.modules.pop("argparse", None)
        sys.meta_path.insert(0, CtrlC())
        sys.argv = ["complab", "presets"]
        runpy.run_module("complab", run_name="__main__", alter_sys=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "complab: interrupted"


def test_ctrl_c_while_the_command_starts_exits_130_without_a_traceback():
    # Ctrl-C lands while complab's modules are imported (here: on importing complab.sweeps).
    program = textwrap.dedent(
        """
        import sys

        class CtrlC:
            def find_spec(self, name, path=None, target=None):
                if name == "complab.sweeps":
                    raise KeyboardInterrupt

        sys.meta_path.insert(0, CtrlC())
        sys.argv = ["complab", "presets"]
        from complab.cli import main
        sys.exit(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "complab: interrupted"


# -- valid input that would fail half-way ----------------------------------------------------------
@pytest.mark.parametrize(
    "edit, message",
    [
        (
            {"world.opportunities_per_sdr": 100},
            r"^world\.opportunities_per_sdr: 100 with world\.skill_log_sd 0\.25 over 36 months "
            r"lets a strong SDR draw more than 512 opportunities in a month, the engine's "
            r"limit; give opportunities_per_sdr at most \d+",
        ),
        (
            {"world.skill_log_sd": 1.0},
            r"^world\.opportunities_per_sdr: 8 with world\.skill_log_sd 1 .* or "
            r"world\.skill_log_sd at most 0\.\d+",
        ),
        ({"world.months": 1200}, r"^world\.months: 1200 is more than 600 \(50 years\)"),
    ],
)
def test_input_a_run_could_not_finish_is_refused_up_front(edit, message):
    with pytest.raises(ValueError, match=message):
        presets.default().with_(edit)


def test_the_most_opportunities_allowed_is_one_that_is_allowed():
    with pytest.raises(ValueError) as caught:
        presets.default().with_({"world.opportunities_per_sdr": 100})
    most = float(str(caught.value).rsplit("at most ", 2)[1].split()[0])
    presets.default().with_({"world.opportunities_per_sdr": most})


def test_a_run_under_a_year_prints_no_yearly_tables(capsys, tmp_path):
    path = tmp_path / "short.yaml"
    presets.default().with_({"world.months": 11, "world.period_months": 1}).to_yaml(path)
    code = cli.main(["run", str(path), "--trials", "3", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "No yearly tables: 11 months simulated" in out


def test_a_limit_met_at_run_time_names_the_file(capsys, tmp_path, monkeypatch):
    def limit(*args, **kwargs):
        raise ValueError("world.segments.smb: an account's ARR passed the engine's limit")

    monkeypatch.setattr(complab, "simulate", limit)
    path = tmp_path / "grow.yaml"
    presets.default().to_yaml(path)
    code = cli.main(["run", str(path), "--trials", "3", "--quiet"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE
    assert err.strip() == (
        f"complab: error: {path}: world.segments.smb: an account's ARR passed the engine's limit"
    )


# -- names that mean something elsewhere -----------------------------------------------------------
def test_a_segment_named_all_is_refused():
    with pytest.raises(
        ValueError, match=r"^world\.segments\[0\]\.name: 'all' names the whole company"
    ):
        presets.default().with_({"world.segments[0].name": "all"})


@pytest.mark.parametrize("name", ["$x$", "$" + "{" * 60])
def test_names_with_dollars_are_drawn_as_written(tmp_path, name):
    scenario = complab.Scenario.from_yaml(
        presets.default().with_({"world.months": 12}).to_yaml().replace("smb", name)
    )
    result = complab.simulate(scenario, trials=2, seed=1, threads=1)
    html = complab.report(result, tmp_path / "report.html").read_text(encoding="utf-8")
    assert f">{name}<" in html


# -- resource limits -------------------------------------------------------------------------------
def test_the_memory_check_reads_the_process_limit():
    # A 1 GiB address-space limit over what the process holds: a 2 GiB run is refused before
    # it starts, naming the limit, rather than ending in std::bad_alloc.
    program = textwrap.dedent(
        """
        import resource
        import complab
        from complab import engine, presets

        used = engine._status_bytes("VmSize")
        resource.setrlimit(resource.RLIMIT_AS, (used + 2**30, resource.RLIM_INFINITY))
        try:
            complab.simulate(presets.default(), trials=100_000, seed=1, threads=1)
        except ValueError as err:
            print(err)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("trials: 100,000 trials of this scenario need about")
    assert "the process limit RLIMIT_AS leaves" in done.stdout


# -- wrong arguments -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [None, 123, 1.5, b"x"[0]])
@pytest.mark.parametrize("read", [complab.load, complab.load_scenario])
def test_a_path_that_is_not_a_path_is_a_clear_error(read, value):
    with pytest.raises(ValueError, match=r"^path: .* is not a file path \(a str or os\.PathLike\)"):
        read(value)
