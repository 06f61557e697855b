"""The plan explorer, driven through its widgets' Python state (no browser): plan-only edits
re-pay the stored world and move payouts and the cost table; weights keep summing to 1;
world edits wait for Re-simulate; bad input is named; the scenario saves as YAML. Also run
once in a Jupyter kernel, as a notebook would."""

from __future__ import annotations

import json
import sys

import nbformat
import numpy as np
import pytest

import complab
from complab import _core, presets
from complab.display import money

TRIALS = 60


@pytest.fixture()
def explorer():
    return complab.explore(presets.default().with_({"world.months": 24}), trials=TRIALS, seed=4)


def earnings(result: complab.Result) -> np.ndarray:
    return result.arrays["pay"][..., list(_core.PAY_FIELDS).index("earnings")]


def test_a_plan_only_edit_repays_and_moves_payouts_and_the_cost_table(explorer):
    c = explorer.controls
    assert c["plan"].value == "ae:smb" and c["ote"].value == 120_000
    before = explorer.cost_table()
    pay_before = earnings(explorer.result).copy()
    world = explorer.result.arrays["monthly"]
    c["ote"].value = 150_000
    after = explorer.cost_table()
    assert explorer.scenario.plans["ae:smb"].ote == 150_000
    assert explorer.result.arrays["monthly"] is world  # re-paid, not simulated
    smb_aes = (explorer.result.roster["role"] == "ae") & (
        explorer.result.roster["segment"] == "smb"
    )
    changed = np.flatnonzero((earnings(explorer.result) != pay_before).any(axis=(0, 2)))
    assert set(changed) == set(np.flatnonzero(smb_aes))
    assert after["budget"] - before["budget"] == pytest.approx(3 * 30_000)
    assert after["mean"] > before["mean"]
    # the figures equal a full simulation of the edited scenario
    full = complab.simulate(explorer.scenario, trials=TRIALS, seed=4)
    cost = full.kpis().query("year == 2")["comp_total"].to_numpy()
    assert after["mean"] == pytest.approx(cost.mean(), abs=0.005)
    assert after["p90"] == pytest.approx(np.percentile(cost, 90), abs=0.005)
    assert money(after["mean"]) in explorer.outputs["cost"].value
    assert money(before["mean"]) in explorer.outputs["cost"].value  # "at start"
    assert "vs start" in explorer.outputs["cards"].value


def test_weights_keep_summing_to_1_and_curves_follow_their_controls(explorer):
    c = explorer.controls
    c["plan"].value = "sdr"
    assert c["measure"].options == ("opportunities", "sourced_wins")
    c["weight"].value = 0.8
    assert [m.weight for m in explorer.plan.measures] == pytest.approx([0.8, 0.2])
    c["measure"].value = "sourced_wins"
    assert c["weight"].value == pytest.approx(0.2)
    c["curve"].value = "0:0, 1:1, 1.5:2"
    assert explorer.plan.measures[1].curve.points == ((0.0, 0.0), (1.0, 1.0), (1.5, 2.0))
    c["accelerator"].value = 4.0  # slope 4 past 100%, up to the cap of 2
    assert explorer.plan.measures[1].curve.points == ((0.0, 0.0), (1.0, 1.0), (1.25, 2.0))
    assert c["curve"].value == "0:0, 1:1, 1.25:2"
    c["cap"].value = 3.0
    assert explorer.plan.measures[1].curve.points[-1] == (1.5, 3.0)
    assert "sourced_wins" in explorer.outputs["curve"].value
    c["target"].value = 10.0
    assert explorer.plan.measures[1].target == 10.0
    c["base_share"].value = 0.5
    assert explorer.plan.base_share == 0.5
    c["plan"].value = "ae:mid_market"
    c["clawback_share"].value = 0.5
    assert explorer.plan.clawback.share == 0.5


def test_bad_input_is_named_and_changes_nothing(explorer):
    c = explorer.controls
    plan = explorer.plan
    c["curve"].value = "0:0, 1:one"
    assert "curve: &#x27;1:one&#x27; is not attainment:payout" in explorer.outputs["status"].value
    c["curve"].value = "0:0, 1:1, 0.5:2"
    assert "curve.attainment[2]" in explorer.outputs["status"].value
    c["target"].value = -5.0
    status = explorer.outputs["status"].value
    assert "ae:smb" in status and "target" in status and "-5" in status
    assert explorer.plan == plan
    c["world_edits"].value = "plans.ae.ote=1"
    assert explorer.resimulate() is None
    assert "is not a world path" in explorer.outputs["status"].value


def test_world_edits_and_responsive_plans_wait_for_resimulate(explorer, tmp_path):
    c = explorer.controls
    c["world_edits"].value = "world.segments.*.csql_rate=×2"
    start = explorer.cost_table()
    result = explorer.resimulate()
    assert result is explorer.result and explorer.controls["resimulate"] is c["resimulate"]
    assert [s.csql_rate for s in explorer.scenario.world.segments] == [
        2 * s.csql_rate for s in presets.default().world.segments
    ]
    assert explorer.progress.value == TRIALS
    again = complab.simulate(explorer.scenario, trials=TRIALS, seed=4)  # the same random numbers
    np.testing.assert_array_equal(again.arrays["monthly"], explorer.result.arrays["monthly"])
    assert explorer.cost_table() != start
    path = explorer.save(tmp_path / "plan.yaml")
    assert complab.load_scenario(path) == explorer.scenario
    # responsive mode: a plan edit cannot be re-paid, and says so
    c["world_edits"].value = "world.behaviour.incentive_sensitivity=2"
    explorer.resimulate()
    c["ote"].value = 200_000
    assert "Re-simulate" in explorer.outputs["status"].value


def test_explore_without_ipywidgets_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    result = complab.simulate(presets.default().with_({"world.months": 12}), trials=2, seed=1)
    with pytest.raises(ImportError, match=r"pip install 'complab\[jupyter\]'"):
        complab.explore(result)
    with pytest.raises(ValueError, match="source: expected a complab.Result or Scenario, got str"):
        complab.explore("result.parquet")  # type: ignore[arg-type]


def test_the_explorer_runs_in_a_jupyter_kernel(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    spec_dir = tmp_path / "jupyter" / "kernels" / "complab-explorer"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "complab",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import complab\n"
            "from complab import presets\n"
            "ex = complab.explore(presets.default().with_({'world.months': 12}), trials=20, seed=1)\n"
            "ex"
        ),
        nbformat.v4.new_code_cell(
            "before = ex.cost_table()['mean']\n"
            "ex.controls['ote'].value = 200_000\n"
            "assert ex.cost_table()['mean'] > before\n"
            "print('moved', round(ex.cost_table()['mean'] - before))"
        ),
    ]
    NotebookClient(nb, kernel_name="complab-explorer", timeout=300).execute()
    shown = nb.cells[0].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in shown  # the panel, as a widget
    assert "moved" in nb.cells[1].outputs[0]["text"]
