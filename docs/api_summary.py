"""Writes the API reference's summary (docs/api.md, between its summary markers): every
public name with its signature and the first paragraph of its docstring, so the reference
reads on GitHub without building it. tests/python/test_docs.py checks it is current.

    python docs/api_summary.py          # rewrite the summary in docs/api.md
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import complab

API = Path(__file__).resolve().parent / "api.md"
START, END = "<!-- summary:start -->", "<!-- summary:end -->"

#: The summary's groups: (heading, [(qualified name, object)]).
GROUPS: list[tuple[str, list[str]]] = [
    (
        "Run",
        [
            "simulate",
            "compare",
            "sweep",
            "optimize",
            "explore",
            "sensitivity.tornado",
            "sensitivity.sobol",
            "sensitivity.morris",
        ],
    ),
    (
        "Describe",
        [
            "Scenario",
            "Scenario.with_",
            "load_scenario",
            "presets.default",
            "presets.get",
            "presets.lower_churn",
            "uncertainty.LogNormal",
            "uncertainty.Normal",
            "uncertainty.Uniform",
            "uncertainty.Triangular",
            "uncertainty.Beta",
            "default_plans",
            "Plan",
            "Measure",
            "PayoutCurve",
            "Gate",
            "Multiplier",
            "Clawback",
            "Spif",
            "payout_table",
        ],
    ),
    (
        "Read and decide",
        [
            "Result",
            "Result.summary",
            "Result.kpis",
            "Result.cohorts",
            "Result.annual_earnings",
            "Result.reps",
            "Result.repay",
            "Result.variance_sources",
            "Result.assumptions",
            "Result.save",
            "load",
            "Comparison",
            "Comparison.table",
            "Comparison.wins_by",
            "Optimum",
            "decisions.budget",
            "decisions.keep_whole",
            "report",
            "plots.fan_chart",
            "plots.comparison_bars",
        ],
    ),
]


def _resolve(name: str) -> object:
    obj: object = complab
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _signature(name: str, obj: object) -> str:
    """``name(a, b=1, *, c=None)``: parameter names and defaults, without annotations."""
    target = obj.__init__ if inspect.isclass(obj) else obj  # type: ignore[misc]
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return name
    parts = []
    star = False
    for p in sig.parameters.values():
        if p.name == "self":
            continue
        if p.kind is p.VAR_POSITIONAL:
            parts.append(f"*{p.name}")
            star = True
            continue
        if p.kind is p.VAR_KEYWORD:
            parts.append(f"**{p.name}")
            continue
        if p.kind is p.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        parts.append(p.name if p.default is p.empty else f"{p.name}={p.default!r}")
    return f"{name}({', '.join(parts)})"


def _first_paragraph(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    para = doc.split("\n\n")[0]
    para = re.sub(r":(?:func|meth|class|mod|attr|data|exc):`~?([^`]+)`", r"`\1`", para)
    para = para.replace("``", "`")
    return " ".join(para.split())


def render() -> str:
    """The summary's Markdown."""
    lines = [
        START,
        "",
        "_Generated from the docstrings by `python docs/api_summary.py`; the full reference "
        "follows._",
        "",
    ]
    for heading, names in GROUPS:
        lines += [f"### {heading}", ""]
        for name in names:
            obj = _resolve(name)
            lines.append(f"- **`complab.{_signature(name, obj)}`** — {_first_paragraph(obj)}")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def updated(text: str) -> str:
    """docs/api.md's text with its summary replaced by :func:`render`'s."""
    start, end = text.index(START), text.index(END) + len(END)
    return text[:start] + render() + text[end:]


def main() -> None:
    text = API.read_text(encoding="utf-8")
    API.write_text(updated(text), encoding="utf-8")
    print(f"wrote the summary of {API}")


if __name__ == "__main__":
    main()
