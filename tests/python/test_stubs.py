"""The shipped type stubs for complab._core list exactly what the compiled module has."""

from __future__ import annotations

import ast
from pathlib import Path

import complab
from complab import _core


def test_core_stub_matches_the_compiled_module():
    stub = Path(complab.__file__).with_name("_core.pyi")
    tree = ast.parse(stub.read_text())
    declared = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "__all__"
    )
    public = {name for name in dir(_core) if not name.startswith("_")}
    assert set(declared) == public, "regenerate with: pybind11-stubgen complab._core -o python"
