"""The notebooks in notebooks/: each runs from top to bottom without an error or a warning
(executed with nbclient on a kernel of this Python), and each is stored without outputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "complab-tests"


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory) -> str:
    """A kernelspec that starts this interpreter (the one with complab installed), found
    through JUPYTER_PATH, so the notebooks never run on another Python."""
    spec_dir = tmp_path_factory.mktemp("jupyter") / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "complab tests",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(spec_dir.parent.parent))
        mp.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's platformdirs, without its warning
        mp.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # charts as outputs
        yield KERNEL


def test_the_notebooks_are_there():
    names = [p.stem for p in NOTEBOOKS]
    for topic in (
        "quick_start",
        "ote_and_pay_mix",
        "csm_kpi_weights",
        "csql_handoff",
        "clawback_and_behaviour",
        "one_point_of_churn",
        "csm_plan_within_budget",
        "your_own_company",
    ):
        assert any(topic in name for name in names), f"no notebook on {topic}: {names}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {i} has stored outputs"
            assert cell.execution_count is None, f"{path.name}: cell {i} has an execution count"
    assert "widgets" not in nb.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, kernel_name, tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    # Run in a scratch folder: files the notebook writes (a report) land there.
    client = NotebookClient(
        nb, kernel_name=kernel_name, timeout=300, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            assert output.output_type != "error", f"{path.name}: cell {i}: {output.get('evalue')}"
            if output.output_type == "stream" and output.name == "stderr":
                assert "Warning" not in output.text, f"{path.name}: cell {i} warns: {output.text}"
    # each notebook draws at least one chart
    images = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "data" in o and "image/png" in o["data"]
    ]
    assert images, f"{path.name}: no chart"
