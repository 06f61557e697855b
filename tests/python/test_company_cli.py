"""The company-data commands: sample, calibrate, backtest, validate (docs/data.md)."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from company_fixture import write_company

import complab
from complab import cli


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "data"
    assert cli.main(["sample", str(folder), "--seed", "5"]) == 0
    return folder


def test_calibrate_writes_a_scenario_that_runs(capsys, sample, tmp_path):
    out_file, rates = tmp_path / "scenario.yaml", tmp_path / "rates.csv"
    code, out, _ = run_cli(
        capsys, "calibrate", sample, "--as-of", "2025-01-01", "-o", out_file, "--rates", rates
    )
    assert code == 0
    assert "renewal_hazard" in out and "win_rate" in out
    scenario = complab.load_scenario(out_file)
    company = complab.load_company(sample)
    assert len(scenario.book) == len(company.book_on("2024-12-31"))
    code, out, _ = run_cli(capsys, "run", out_file, "--trials", "8", "--threads", "1")
    assert code == 0 and "nrr" in out
    drawn = tmp_path / "uncertain.yaml"
    code, _, _ = run_cli(
        capsys, "calibrate", sample, "--as-of", "2025-01-01", "-o", drawn, "--uncertain"
    )
    uncertain = complab.load_scenario(drawn)
    assert code == 0 and "world.segments.smb.win_rate" in uncertain.uncertain
    assert uncertain.world.segments[0].acv_median == scenario.world.segments[0].acv_median


def test_backtest_prints_each_rep_beside_the_current_plans(capsys, tmp_path):
    from test_company_data import _plans

    folder = write_company(tmp_path / "data")
    plans = {k: p.to_dict() for k, p in _plans().items()}
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(plans), encoding="utf-8")
    richer = dict(plans, csm=dict(plans["csm"], ote=90_000))
    (tmp_path / "richer.yaml").write_text(yaml.safe_dump({"plans": richer}), encoding="utf-8")
    code, out, _ = run_cli(
        capsys, "backtest", folder, "--plans", tmp_path / "richer.yaml", "--current", tmp_path / "new.yaml",
        "--start", "2024-01-01", "--end", "2025-01-01", "-o", tmp_path / "reps.csv",
    )  # fmt: skip
    assert code == 0
    assert "csm1" in out and "71,925.93" in out  # 64,000 + 8,000 x (2/3)/0.9 + 2,000, by hand
    assert (tmp_path / "reps.csv").exists()


def test_backtest_no_prorate_pays_against_the_full_quota(capsys, tmp_path):
    from test_company_data import _threshold_plans

    folder = write_company(tmp_path / "data")
    plans = {k: p.to_dict() for k, p in _threshold_plans().items()}
    (tmp_path / "plans.yaml").write_text(yaml.safe_dump(plans), encoding="utf-8")
    argv = ["backtest", folder, "--plans", tmp_path / "plans.yaml", "--start", "2024-01-01"]
    argv += ["--end", "2025-01-01", "-o", tmp_path / "reps.csv"]
    variable = {}
    for extra in ([], ["--no-prorate"]):
        code, _, _ = run_cli(capsys, *argv, *extra)
        assert code == 0
        reps = pd.read_csv(tmp_path / "reps.csv").set_index("rep_id")
        variable[bool(extra)] = reps.loc["ae2", "variable"]
    # ae2's 15,000 of new ARR is above the 10% threshold of its prorated quota (4,500 by hand,
    # test_company_data.py) and below it of the full one.
    assert variable == {False: pytest.approx(4_500.0), True: 0.0}


def test_validate_prints_the_coverage(capsys, sample, tmp_path):
    code, out, _ = run_cli(
        capsys,
        "validate",
        sample,
        "--as-of",
        "2025-01-01",
        "--trials",
        "40",
        "--plot",
        tmp_path / "v.png",
    )
    assert code == 0
    assert "P10-P90 coverage" in out and (tmp_path / "v.png").exists()


@pytest.mark.parametrize(
    "argv, words",
    [
        (["calibrate", "nowhere", "--as-of", "2025-01-01"], "is not a folder"),
        (
            [
                "backtest",
                "DATA",
                "--plans",
                "missing.yaml",
                "--start",
                "2024-01-01",
                "--end",
                "2025-01-01",
            ],
            "does not exist",
        ),
        (["validate", "DATA", "--as-of", "2025-06-01"], "less than a year"),
        (["calibrate", "DATA", "--as-of", "someday"], "not a date"),
    ],
)
def test_bad_input_is_one_line_with_exit_status_2(capsys, tmp_path, argv, words):
    folder = write_company(tmp_path / "data")
    argv = [str(folder) if a == "DATA" else a for a in argv]
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("complab: error: ") and words in lines[0], err
