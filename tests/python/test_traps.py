"""Traps a new user fell into, each one checked: a preset variant compared against the
user's own world, the report's accounts per CSM and title, default_plans, a data file read
as a scenario, a comparison's progress bar and one edit for every segment."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

import complab
from complab import cli, presets
from complab.report import render
from complab.scenario import Scenario


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def own_world() -> Scenario:
    """A user's business: the default plans in a world of other sizes."""
    return presets.default().with_(
        {
            "world.months": 24,
            "world.segments.smb.initial_accounts": 600,
            "world.segments.enterprise.acv_median": 90_000,
        }
    )


# -- --variant NAME=preset:X on a user's scenario -------------------------------------------------
def test_a_preset_variant_pays_the_presets_plans_in_the_users_world(capsys, tmp_path, own_world):
    path = tmp_path / "ours.yaml"
    own_world.to_yaml(path)
    out_csv = tmp_path / "diff.csv"
    code, out, _ = run_cli(
        capsys,
        "compare",
        path,
        "--variant",
        "claw=preset:first_renewal_clawback",
        "--kpi",
        "comp_ae",
        "--kpi",
        "arr_end",
        "--trials",
        "30",
        "--seed",
        "4",
        "--quiet",
        "--out",
        out_csv,
    )
    assert code == 0, out
    table = pd.read_csv(out_csv)
    # The world is the user's, so the variant is re-paid on it: the ARR does not move ...
    assert set(table["method"]) == {"repay"}
    arr = table[table["kpi"] == "arr_end"]
    assert (arr["diff"] == 0).all()
    # ... and the AE pay difference is the clawback plans' in this world.
    plans_only = Scenario(world=own_world.world, plans=presets.first_renewal_clawback().plans)
    expected = complab.compare(own_world, {"claw": plans_only}, trials=30, seed=4)
    want = expected.table("comp_ae")
    got = table[table["kpi"] == "comp_ae"]
    np.testing.assert_allclose(got["diff"].to_numpy(), want["diff"].to_numpy(), rtol=1e-9)


def test_a_world_changing_preset_against_another_world_is_refused(capsys, tmp_path, own_world):
    path = tmp_path / "ours.yaml"
    own_world.to_yaml(path)
    code, _, err = run_cli(
        capsys, "compare", path, "--variant", "r=preset:gainsight_reactive", "--quiet"
    )
    assert code == 2
    assert "preset gainsight_reactive changes the world" in err
    assert "complab presets --yaml gainsight_reactive" in err


def test_a_preset_variant_against_its_own_world_is_the_whole_preset(capsys, tmp_path):
    variants = cli.parse_variants(["r=preset:gainsight_reactive"], presets.default())
    assert variants["r"] == presets.gainsight_reactive()
    variants = cli.parse_variants(["c=preset:shared_nrr"], presets.default())
    assert variants["c"] == presets.shared_nrr()


# -- the report ------------------------------------------------------------------------------------
def test_a_cli_report_title_is_not_the_file_name(capsys, tmp_path):
    path = tmp_path / "scenario.yaml"
    presets.default().with_({"world.months": 12}).to_yaml(path)
    page_path = tmp_path / "page.html"
    code, _, _ = run_cli(capsys, "run", path, "--trials", "4", "--quiet", "--report", page_path)
    assert code == 0
    page = page_path.read_text(encoding="utf-8")
    title = re.search(r"<title>(.*)</title>", page).group(1)
    assert "scenario.yaml" not in title and "smb" in title
    assert "Scenario: " + html.escape(str(path)) in page  # the source is named under it


def test_the_report_shows_the_book_per_csm_beside_the_coverage_parameter():
    scenario = presets.default().with_({"world.months": 12})
    page = render(complab.simulate(scenario, trials=2, seed=1))
    rows = re.findall(r'<tr><td class="text">(\w+)</td>(.*?)</tr>', page)
    cells = {name: re.findall(r"<td[^>]*>(.*?)</td>", rest) for name, rest in rows}
    header = re.search(r"<th[^>]*>Segment</th>(.*?)</tr>", page).group(1)
    columns = re.findall(r"<th[^>]*>(.*?)</th>", header)
    book = columns.index("Accounts per CSM at start")
    coverage = columns.index("CSM coverage at nominal load")
    for segment in scenario.world.segments:
        row = cells[segment.name]
        assert row[book] == f"{round(segment.initial_accounts / segment.csm_headcount):,}"
        assert row[coverage] == f"{segment.csm_coverage:,.0f}"
    assert cells["mid_market"][book] == "167"  # 500 accounts, 3 CSMs; coverage is 150


def test_a_report_without_a_title_names_what_was_simulated():
    result = complab.simulate(presets.default().with_({"world.months": 12}), trials=2, seed=1)
    page = render(result)
    assert "<title>Comp plans and revenue: smb, mid_market and enterprise over 1 year</title>" in (
        page
    )


# -- default_plans ---------------------------------------------------------------------------------
def test_default_plans_are_the_default_scenarios():
    assert complab.default_plans() == presets.default().plans
    world = presets.default_world()
    assert complab.default_plans(world) == presets.default_plans(world)


# -- a data file read as a scenario ----------------------------------------------------------------
def test_loading_a_data_file_as_a_scenario_names_the_file(tmp_path):
    book = tmp_path / "book.csv"
    book.write_text("account,arr\nacme,1000\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"book\.csv: a CSV table, not a scenario; a scenario is"):
        complab.load_scenario(book)
    text = tmp_path / "notes.txt"
    text.write_text("hello\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"notes\.txt: not a scenario, the file holds a str"):
        complab.load_scenario(text)
    bad = tmp_path / "bad.yaml"
    bad.write_text("world:\n  months: 1.5e\n  segments: [\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.yaml: not valid YAML \(line \d+, column \d+: "):
        complab.load_scenario(bad)
    field = tmp_path / "field.yaml"
    presets.default().to_yaml(field)
    field.write_text(
        field.read_text(encoding="utf-8").replace("win_rate: 0.25", "win_rate: 1.4"),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"field\.yaml: world\.segments\[0\]\.win_rate: 1\.4"):
        complab.load_scenario(field)


# -- compare's progress bar ------------------------------------------------------------------------
def test_compare_shows_one_progress_bar_over_every_run(capfd):
    base = presets.default().with_({"world.months": 12})
    variants = {"raise": {"plans.csm:smb.ote": 100_000}, "churn": presets.lower_churn(base)}
    complab.compare(base, variants, trials=6, seed=1, progress=True)
    err = capfd.readouterr().err
    starts = [part for part in re.split(r"[\r\n]", err) if re.search(r"\b0%\|", part)]
    assert len(starts) == 1, err  # one bar: the base and the simulated variant together
    assert "12/12" in err  # 6 trials of the base, 6 of the variant that is simulated
    seen: list[int] = []
    complab.compare(base, variants, trials=6, seed=1, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 12


# -- one edit for every segment, relative edits ----------------------------------------------------
def test_a_star_edits_every_match_and_a_times_value_scales():
    base = presets.default()
    raised = base.with_({"plans.csm:*.ote": "×1.1", "world.segments.*.csql_rate": "x2"})
    for key, plan in base.plans.items():
        want = plan.ote * 1.1 if key.startswith("csm:") else plan.ote
        assert raised.plans[key].ote == pytest.approx(want, rel=1e-12)
    assert raised.plans["csm:smb"].ote == 99_000  # no float noise
    assert [s.csql_rate for s in raised.world.segments] == [
        2 * s.csql_rate for s in base.world.segments
    ]
    # lists scale element by element; integers stay integers when whole
    fewer = base.with_({"world.segments.*.renewal_hazard": "*0.5", "world.sdr_headcount": "×2"})
    assert fewer.world.segments[0].renewal_hazard == tuple(
        0.5 * h for h in base.world.segments[0].renewal_hazard
    )
    assert fewer.world.sdr_headcount == 12 and isinstance(fewer.world.sdr_headcount, int)
    # every measure of every CSM plan, and a specific path after a star overrides it
    weights = base.with_(
        {
            "plans.csm:*.measures.gross_churn.weight": 0.5,
            "plans.csm:*.measures.nrr.weight": 0.5,
            "plans.csm:smb.ote": 1_000,
        }
    )
    assert all(
        [m.weight for m in weights.plans[k].measures] == [0.5, 0.5]
        for k in weights.plans
        if k.startswith("csm:")
    )
    assert weights.plans["csm:smb"].ote == 1_000


def test_star_and_times_edits_give_clear_errors():
    base = presets.default()
    with pytest.raises(ValueError, match=r"plans\.xyz:\*\.ote: 'xyz:\*' matches nothing in plans"):
        base.with_({"plans.xyz:*.ote": 1})
    with pytest.raises(ValueError, match=r"world\.segments\.\*\.name: ×2 scales a number"):
        base.with_({"world.segments.*.name": "×2"})
    with pytest.raises(
        ValueError, match=r"world\.segments\[0\]\.win_rate: 2\.5 is not in \[0, 1\]"
    ):
        base.with_({"world.segments.*.win_rate": "×10"})


def test_star_and_times_edits_work_from_the_command_line(capsys, tmp_path):
    out_csv = tmp_path / "diff.csv"
    code, out, _ = run_cli(
        capsys,
        "compare",
        "--preset",
        "default",
        "--variant",
        "raise:plans.csm:*.ote=×1.1",
        "--kpi",
        "comp_csm",
        "--trials",
        "5",
        "--seed",
        "1",
        "--quiet",
        "--out",
        out_csv,
    )
    assert code == 0, out
    table = pd.read_csv(out_csv)
    base = presets.default()
    expected = complab.compare(
        base, {"raise": base.with_({"plans.csm:*.ote": "×1.1"})}, trials=5, seed=1
    ).table("comp_csm")
    np.testing.assert_allclose(
        table[table["kpi"] == "comp_csm"]["diff"].to_numpy(), expected["diff"].to_numpy()
    )
    assert (expected["diff"] > 0).all()
