"""The ``complab`` command line: commands, outputs, one-line errors and exit statuses."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import complab
from complab import cli, presets

TRIALS = ["--trials", "12", "--seed", "5", "--quiet"]


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "scenario.yaml"
    presets.default().with_({"world.months": 24}).to_yaml(path)
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("complab: error: ")
    return lines[0]


# -- help and listing ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "command", [[], ["demo"], ["run"], ["compare"], ["sweep"], ["report"], ["presets"]]
)
def test_help_everywhere_exits_0(capsys, command):
    code, out, _ = run_cli(capsys, *command, "--help")
    assert code == 0
    assert out.startswith("usage: complab")


def test_version(capsys):
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0
    assert out.strip() == f"complab {complab.__version__}"


def test_presets_lists_every_preset(capsys):
    code, out, _ = run_cli(capsys, "presets")
    assert code == 0
    for name in presets.list():
        assert f"  {name} " in out


def test_a_preset_prints_as_a_scenario_file(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "presets", "--yaml", "shared_nrr")
    assert code == 0
    assert complab.Scenario.from_yaml(out) == presets.get("shared_nrr")
    code, _, err = run_cli(capsys, "presets", "--yaml", "nope")
    assert code == 2 and "--yaml: no preset 'nope' (presets: default" in err


def test_no_command_is_a_usage_error(capsys):
    code, _, err = run_cli(capsys)
    assert code == 2
    assert "required" in err


def test_a_misspelled_kpi_is_refused_before_anything_runs(capsys, monkeypatch):
    def no_run(*args, **kwargs):
        raise AssertionError("simulated with a bad --kpi")

    monkeypatch.setattr(complab, "compare", no_run)
    argv = ["compare", "--preset", "default", "--variant", "x:plans.csm:smb.ote=100000"]
    code, _, err = run_cli(capsys, *argv, "--kpi", "nrrr")
    assert code == 2
    assert "argument --kpi: 'nrrr' is not a KPI (choose from arr_start" in err
    code, _, err = run_cli(capsys, *argv, "--kpi", "nrr:nowhere")
    assert code == 2 and "--kpi nrr:nowhere: no segment 'nowhere' (segments: smb" in err


# -- run -------------------------------------------------------------------------------------------
def test_run_prints_kpis_and_writes_result_and_report(capsys, scenario_file, tmp_path):
    out_file, report_file = tmp_path / "result.parquet", tmp_path / "report.html"
    code, out, _ = run_cli(
        capsys, "run", scenario_file, *TRIALS, "--out", out_file, "--report", report_file
    )
    assert code == 0
    assert "Company KPIs by year" in out and "Annual retention by segment" in out
    assert "arr_end" in out and "earnings_per_csm" in out
    # Years 1 and 2 of the 24 months, as --year and the report count them.
    assert re.search(r"arr_end\s+1\s", out) and re.search(r"arr_end\s+2\s", out)
    assert not re.search(r"arr_end\s+0\s", out)
    result = complab.load(out_file)
    assert result.trials == 12 and result.months == 24 and result.seed == 5
    again = complab.simulate(complab.load_scenario(scenario_file), trials=12, seed=5)
    pd.testing.assert_frame_equal(result.kpis(), again.kpis())
    text = report_file.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count("<svg") >= 4


def test_run_with_a_preset(capsys):
    code, out, _ = run_cli(capsys, "run", "--preset", "first_renewal_clawback", *TRIALS)
    assert code == 0
    assert "preset first_renewal_clawback" in out


def test_run_output_is_the_same_on_any_thread_count(capsys, scenario_file):
    outs = []
    for threads in ("1", "2"):
        code, out, _ = run_cli(capsys, "run", scenario_file, *TRIALS, "--threads", threads)
        assert code == 0
        outs.append(out)
    assert outs[0] == outs[1]


# -- bad input: one line naming the file and the field, exit status 2 ------------------------------
def write_edited(
    tmp_path: Path, scenario_file: Path, old: str, new: str, name: str = "bad.yaml"
) -> Path:
    text = scenario_file.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_bad_field_names_file_and_field(capsys, scenario_file, tmp_path):
    bad = write_edited(tmp_path, scenario_file, "win_rate: 0.25", "win_rate: 1.4")
    code, _, err = run_cli(capsys, "run", bad, *TRIALS)
    assert code == 2
    line = one_line_error(err)
    assert "bad.yaml" in line and "world.segments[0].win_rate" in line and "1.4" in line


def test_unknown_key_lists_allowed_keys(capsys, scenario_file, tmp_path):
    bad = write_edited(tmp_path, scenario_file, "win_rate: 0.25", "winrate: 0.25")
    code, _, err = run_cli(capsys, "run", bad, *TRIALS)
    assert code == 2
    line = one_line_error(err)
    assert "unknown key 'winrate'" in line and "win_rate" in line


def test_yaml_syntax_error_gives_line_and_column(capsys, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("world:\n  months: 24\n  segments: [\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "run", bad, *TRIALS)
    assert code == 2
    line = one_line_error(err)
    assert "broken.yaml: not valid YAML (line" in line


def test_a_key_given_twice_in_a_scenario_file_is_an_error(capsys, tmp_path, scenario_file):
    # As Scenario.from_yaml reads it: YAML alone would keep the last value silently.
    text = Path(scenario_file).read_text(encoding="utf-8")
    twice = tmp_path / "twice.yaml"
    twice.write_text(text.replace("world:\n", "world:\n  months: 24\n  months: 36\n", 1))
    code, _, err = run_cli(capsys, "run", twice, *TRIALS)
    assert code == 2
    line = one_line_error(err)
    assert "twice.yaml: not valid YAML (line 3, column 3: key 'months' is given twice)" in line


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "missing.yaml"], "scenario file 'missing.yaml' does not exist"),
        (["run"], "no scenario"),
        (["run", "--preset", "nope"], "'nope' is not a preset"),
        (["run", "--preset", "default", "--trials", "0"], "trials: 0 is not >= 1"),
        (
            ["run", "--preset", "default", "--out", "no/such/folder/r.parquet"],
            "folder 'no/such/folder' does not exist",
        ),
        (["compare", "--preset", "default"], "at least one --variant"),
        (
            ["compare", "--preset", "default", "--variant", "x:plans.csm:smb.ote=-5"],
            "--variant x: plans.csm:smb.ote",
        ),
        (["compare", "--preset", "default", "--variant", "oops"], "expected NAME=FILE.yaml"),
        (
            ["sweep", "--preset", "default", "--grid", "plans.csm:smb.measures.nrr.weight=0.5"],
            "--together",
        ),
        (
            [
                "sweep",
                "--preset",
                "default",
                "--together",
                "--grid",
                "plans.csm:smb.ote=1,2",
                "--grid",
                "plans.csm:mid_market.ote=1",
            ],
            "same number of values",
        ),
        (["report", "missing.parquet"], "result file 'missing.parquet' does not exist"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, expected):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert expected in one_line_error(err)


def test_empty_and_non_mapping_files(capsys, tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n- 2\n", encoding="utf-8")
    for path, expected in (
        (empty, "empty.yaml: the file is empty"),
        (listed, "list.yaml: scenario: expected a mapping"),
    ):
        code, _, err = run_cli(capsys, "run", path)
        assert code == 2
        assert expected in one_line_error(err)


def test_not_a_parquet_file(capsys, scenario_file, tmp_path):
    fake = tmp_path / "fake.parquet"
    fake.write_bytes(scenario_file.read_bytes())
    code, _, err = run_cli(capsys, "report", fake, "-o", tmp_path / "r.html")
    assert code == 2
    assert "not a Parquet file" in one_line_error(err)


def test_unexpected_error_exits_1_in_one_line(capsys, monkeypatch):
    def broken(args):
        raise RuntimeError("something broke")

    monkeypatch.setattr(cli, "_presets", broken)
    code, _, err = run_cli(capsys, "presets")
    assert code == 1
    assert err.strip() == (
        "complab: unexpected error: RuntimeError: something broke "
        "(run with --debug for the traceback)"
    )
    with pytest.raises(RuntimeError, match="something broke"):
        cli.main(["--debug", "presets"])


def test_interrupt_inside_a_command_exits_130(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_presets", interrupted)
    code, _, err = run_cli(capsys, "presets")
    assert code == 130
    assert "interrupted" in err


def test_interrupted_run_saves_the_completed_trials(capsys, monkeypatch, scenario_file, tmp_path):
    # Ctrl-C after 7 of 12 trials: the engine raises SimulationInterrupted with the 7 trials.
    simulate = complab.simulate

    def interrupted(scenario, **kwargs):
        raise complab.SimulationInterrupted(simulate(scenario, **dict(kwargs, trials=7)))

    monkeypatch.setattr(complab, "simulate", interrupted)
    out_file, report_file = tmp_path / "partial.parquet", tmp_path / "partial.html"
    code, _, err = run_cli(
        capsys, "run", scenario_file, *TRIALS, "--out", out_file, "--report", report_file
    )
    assert code == 130
    assert err.strip() == (
        f"complab: interrupted after 7 completed trials; saved them to {out_file.resolve()} "
        f"and {report_file.resolve()}"
    )
    saved = complab.load(out_file)
    assert saved.trials == 7 and saved.seed == 5
    seven = simulate(complab.load_scenario(scenario_file), trials=7, seed=5, threads=1)
    pd.testing.assert_frame_equal(saved.kpis(), seven.kpis())
    assert "interrupted: 7 of 12 trials" in report_file.read_text(encoding="utf-8")
    # nothing asked to be saved: the message says only how far it got
    code, _, err = run_cli(capsys, "run", scenario_file, *TRIALS)
    assert code == 130 and err.strip() == "complab: interrupted after 7 completed trials"


def test_interrupted_sweep_saves_finished_points_and_resumes_from_checkpoint(
    capsys, monkeypatch, scenario_file, tmp_path
):
    argv = [
        "sweep",
        scenario_file,
        *TRIALS,
        "--threads",
        "1",
        "--grid",
        "world.segments.smb.win_rate=0.2,0.25,0.3",
        "--output",
        "nrr",
    ]
    assert run_cli(capsys, *argv, "--out", tmp_path / "full.csv")[0] == 0
    full = pd.read_csv(tmp_path / "full.csv")
    calls = []
    simulate = complab.engine.simulate

    def third_is_interrupted(scenario, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise complab.SimulationInterrupted(simulate(scenario, **dict(kwargs, trials=2)))
        return simulate(scenario, **kwargs)

    monkeypatch.setattr(complab.engine, "simulate", third_is_interrupted)
    csv, checkpoint = tmp_path / "partial.csv", tmp_path / "sweep.jsonl"
    code, _, err = run_cli(capsys, *argv, "--out", csv, "--checkpoint", checkpoint)
    assert code == 130
    assert err.strip() == (
        f"complab: interrupted after 2 of 3 grid points; saved them to {csv.resolve()}; "
        f"finished points are in the checkpoint {checkpoint}: the same command resumes from it"
    )
    pd.testing.assert_frame_equal(
        pd.read_csv(csv), full.iloc[: len(full) * 2 // 3], check_frame_type=False
    )
    calls.clear()
    code, _, _ = run_cli(capsys, *argv, "--out", csv, "--checkpoint", checkpoint)
    assert code == 0 and len(calls) == 1  # only the unfinished point
    pd.testing.assert_frame_equal(pd.read_csv(csv), full, check_frame_type=False)


def test_sweep_over_horizons_prints_every_point_in_a_year_they_all_have(
    capsys, scenario_file, tmp_path
):
    csv = tmp_path / "sweep.csv"
    argv = ["sweep", scenario_file, *TRIALS, "--grid", "world.months=12,24", "--output", "nrr"]
    code, out, _ = run_cli(capsys, *argv, "--out", csv)
    assert code == 0
    assert "in year 1," in out  # the base has two years, the 12-month point only one
    table = pd.read_csv(csv)
    means = table[table["year"] == 1].set_index("world.months")["mean"]
    rows = out.split("one row per grid point:")[1].splitlines()
    for months in (12, 24):
        assert any(line.split()[:2] == [str(months), f"{means[months]:.4g}"] for line in rows)
    code, _, err = run_cli(capsys, *argv, "--year", "2")
    assert code == 2
    assert one_line_error(err) == (
        "complab: error: --year 2: grid point world.months=12 simulates 12 months, which has "
        "no year 2; --year 2 needs world.months >= 24 at every grid point"
    )
    code, _, err = run_cli(
        capsys,
        "sweep",
        scenario_file,
        *TRIALS,
        "--grid",
        "world.months=6",
        "--grid",
        "world.period_months=6",
    )
    assert code == 2
    assert "grid point world.months=6, world.period_months=6 simulates 6 months, under a year" in (
        one_line_error(err)
    )


def test_compare_with_a_shorter_variant_prints_a_year_every_run_has(capsys, scenario_file):
    argv = ["compare", scenario_file, *TRIALS, "--variant", "short:world.months=12"]
    argv += ["--variant", "richer:plans.csm:smb.ote=100000", "--kpi", "nrr"]
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0
    assert "in year 1 " in out and "short" in out and "richer" in out
    code, _, err = run_cli(capsys, *argv, "--year", "2")
    assert code == 2
    assert "--year 2: --variant short simulates 12 months, which has no year 2" in one_line_error(
        err
    )


# -- compare, sweep, report, demo ------------------------------------------------------------------
def test_compare_variants_from_edits_files_and_presets(capsys, scenario_file, tmp_path):
    other = write_edited(
        tmp_path, scenario_file, "win_rate: 0.25", "win_rate: 0.3", name="other.yaml"
    )
    csv = tmp_path / "diff.csv"
    code, out, _ = run_cli(
        capsys,
        "compare",
        scenario_file,
        *TRIALS,
        "--variant",
        "richer:plans.csm:smb.ote=100_000",
        "--variant",
        "richer:plans.csm:smb.base_share=0.7",
        "--variant",
        f"better_smb={other}",
        "--kpi",
        "comp_csm",
        "--kpi",
        "arr_end",
        "--out",
        csv,
    )
    assert code == 0
    assert "year 2" in out and "richer" in out and "better_smb" in out
    table = pd.read_csv(csv)
    assert set(table["variant"]) == {"richer", "better_smb"}
    richer = table[(table["variant"] == "richer") & (table["kpi"] == "comp_csm")]
    assert (richer["method"] == "repay").all() and (richer["diff"] > 0).all()
    arr = table[(table["variant"] == "richer") & (table["kpi"] == "arr_end")]
    assert (arr["diff"] == 0).all()  # a plan-only change pays differently on the same world
    better = table[(table["variant"] == "better_smb") & (table["kpi"] == "arr_end")]
    assert (better["method"] == "simulate").all()


def test_compare_against_a_preset_variant(capsys):
    code, out, _ = run_cli(
        capsys,
        "compare",
        "--preset",
        "default",
        *TRIALS,
        "--variant",
        "clawback=preset:first_renewal_clawback",
        "--kpi",
        "earnings_per_ae",
    )
    assert code == 0
    assert "clawback" in out and "earnings_per_ae" in out


def test_sweep_together_and_grid(capsys, scenario_file, tmp_path):
    csv = tmp_path / "sweep.csv"
    code, out, _ = run_cli(
        capsys,
        "sweep",
        scenario_file,
        *TRIALS,
        "--together",
        "--grid",
        "plans.csm:smb.measures.gross_churn.weight=0.5,0.65,0.9",
        "--grid",
        "plans.csm:smb.measures.nrr.weight=0.5,0.35,0.1",
        "--output",
        "comp_csm",
        "--output",
        "nrr:smb",
        "--out",
        csv,
    )
    assert code == 0
    assert "Sweeping 3 points" in out
    table = pd.read_csv(csv)
    assert list(table["plans.csm:smb.measures.gross_churn.weight"].unique()) == [0.5, 0.65, 0.9]
    assert set(table["output"]) == {"comp_csm", "nrr:smb"}
    code, out, _ = run_cli(
        capsys,
        "sweep",
        scenario_file,
        *TRIALS,
        "--grid",
        "plans.csm:smb.ote=80000,90000",
        "--grid",
        "plans.sdr.ote=70000,80000",
    )
    assert code == 0
    assert "Sweeping 4 points" in out


def test_report_from_result_and_from_scenario(capsys, scenario_file, tmp_path):
    saved = complab.simulate(complab.load_scenario(scenario_file), trials=8, seed=1).save(
        tmp_path / "r.parquet"
    )
    code, out, _ = run_cli(
        capsys, "report", saved, "-o", tmp_path / "a.html", "--title", "Q3 plan review"
    )
    assert code == 0
    assert "Q3 plan review" in (tmp_path / "a.html").read_text(encoding="utf-8")
    code, out, _ = run_cli(capsys, "report", scenario_file, "-o", tmp_path / "b.html", *TRIALS)
    assert code == 0
    assert (tmp_path / "b.html").stat().st_size > 10_000


def test_demo_prints_tables_and_writes_report(capsys, tmp_path):
    report = tmp_path / "demo.html"
    code, out, _ = run_cli(capsys, "demo", *TRIALS, "--report", report)
    assert code == 0
    for heading in (
        "built-in default scenario",
        "Plans (targets per compensation period)",
        "Payout at attainments",
        "Company KPIs by year",
        "Annual retention by segment",
        "Report:",
    ):
        assert heading in out
    assert report.exists()
    code, out, _ = run_cli(capsys, "demo", *TRIALS, "--no-report")
    assert code == 0 and "Report:" not in out


# -- parsing helpers -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("160_000", 160000),
        ("1e5", 100000.0),
        ("0.35", 0.35),
        ("true", True),
        ("null", None),
        ("[0.2, 0.1]", [0.2, 0.1]),
        ("smb", "smb"),
    ],
)
def test_parse_value(text, value):
    assert cli.parse_value(text) == value


def test_split_values_keeps_lists_whole():
    assert cli.split_values("[0.2,0.1],[0.3,0.1],5") == ["[0.2,0.1]", "[0.3,0.1]", "5"]


# -- as a separate process: exit statuses a shell sees ---------------------------------------------
def complab_process(*argv: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "complab", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_process_exit_statuses(tmp_path):
    ok = complab_process("presets")
    assert ok.returncode == 0 and "default" in ok.stdout
    missing = complab_process("run", "missing.yaml", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == "complab: error: scenario file 'missing.yaml' does not exist"
    usage = complab_process("run", "--trials", "many")
    assert usage.returncode == 2 and "invalid int value" in usage.stderr


def test_process_ctrl_c_exits_130_and_saves_the_completed_trials(tmp_path):
    # About two minutes of work; Ctrl-C must end it within seconds. The child gets the default
    # SIGINT disposition even where this process was started with SIGINT ignored.
    out_file = tmp_path / "partial.parquet"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "complab",
            "run",
            "--preset",
            "default",
            "--trials",
            "20000",
            "--threads",
            "1",
            "--quiet",
            "--out",
            str(out_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed just before the simulation starts
        assert line.startswith("Simulating")
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert "complab: interrupted after" in err and "Traceback" not in err
    done = int(err.split("interrupted after ")[1].split()[0])
    assert 0 < done < 20000
    assert f"saved them to {out_file.resolve()}" in err
    saved = complab.load(out_file)
    assert saved.trials == done and saved.arrays["completed"].all()


def test_console_script_is_installed():
    script = Path(sys.executable).parent / ("complab.exe" if os.name == "nt" else "complab")
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("complab ")
