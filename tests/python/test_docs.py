"""The documentation: the Sphinx build is clean (warnings are errors), the guide's scenario
file loads, and the README's example runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import complab

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def fenced(path: Path, language: str) -> list[str]:
    """The fenced code blocks of one language in a Markdown file."""
    text = path.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


def test_sphinx_build_has_no_warnings(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(DOCS),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.strip() == "", done.stderr
    for page in ("index", "guide", "model", "dask", "gpu", "api"):
        assert (tmp_path / f"{page}.html").exists(), page
    api = (tmp_path / "api.html").read_text(encoding="utf-8")
    for name in (
        "complab.simulate",
        "complab.Result",
        "complab.scenario.Scenario",
        "complab.report.report",
        "complab.sweeps.sweep",
        "complab.compare.compare",
        "complab.cli.main",
    ):
        assert f'id="{name}"' in api, f"{name} is not in the API reference"
    assert (tmp_path / "_images" / "overview.png").exists()


def test_toctree_lists_every_page():
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    pages = {p.stem for p in DOCS.glob("*.md")} - {"index"}
    for page in pages:
        assert re.search(rf"^{page}$", index, flags=re.M), f"docs/{page}.md is not in the toctree"


def test_guide_scenario_file_loads():
    blocks = fenced(DOCS / "guide.md", "yaml")
    assert blocks
    for block in blocks:
        scenario = complab.Scenario.from_yaml(block)
        assert scenario.world.segment_names() == ["smb"]
        assert list(scenario.plans) == ["csm:smb"]
        complab.simulate(scenario, trials=2, seed=0)


def test_readme_example_runs(tmp_path):
    readme = ROOT / "README.md"
    blocks = [b for b in fenced(readme, "python") if "complab.simulate" in b]
    assert len(blocks) == 1
    example = blocks[0]
    assert len([line for line in example.splitlines() if line.strip()]) <= 12
    done = subprocess.run(
        [sys.executable, "-c", example], capture_output=True, text=True, cwd=tmp_path, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "nrr" in done.stdout and "arr_end" in done.stdout


def test_readme_picture_is_small_and_made_by_the_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/images/overview.png" in readme
    picture = DOCS / "images" / "overview.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 10_000 < picture.stat().st_size < 200_000
    assert "plots.fan_chart" in (DOCS / "images" / "overview.py").read_text(encoding="utf-8")


def test_api_summary_is_current():
    """docs/api.md's summary reads without building; it must match the docstrings
    (python docs/api_summary.py rewrites it)."""
    sys.path.insert(0, str(DOCS))
    try:
        import api_summary
    finally:
        sys.path.remove(str(DOCS))
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    assert api_summary.updated(text) == text, "run: python docs/api_summary.py"
    for name in ("complab.simulate(", "complab.compare(", "complab.explore(", "complab.report("):
        assert name in text


def test_help_documents_every_public_function():
    """help(complab.X) is complete: every public function documents each parameter, what
    it returns and (where it checks input) what it raises."""
    import inspect

    assert "complab.simulate" in (complab.__doc__ or "") or "simulate" in (complab.__doc__ or "")
    for name in complab.__all__:
        obj = getattr(complab, name)
        if inspect.isclass(obj):
            assert inspect.getdoc(obj), name
            for member, f in vars(obj).items():
                if not member.startswith("_") and callable(f):
                    assert inspect.getdoc(f), f"{name}.{member} has no docstring"
            continue
        if not inspect.isfunction(obj):
            continue
        doc = inspect.getdoc(obj) or ""
        params = [p for p in inspect.signature(obj).parameters if p != "self"]
        if params:
            assert "Parameters" in doc, f"{name}: no Parameters section"
            for p in params:
                assert re.search(rf"\b{p}\b", doc), f"{name}: parameter {p} is not documented"
        assert "Returns" in doc, f"{name}: no Returns section"
