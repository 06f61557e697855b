"""The company data schema (docs/data.md): four tables in one folder, CSV or Parquet.

Each table is described by its columns: a name, a kind (``id``, ``text``, ``choice``,
``number``, ``date``, ``bool``) and whether a value is required. Column names are exactly
these; extra columns are ignored; dates are ISO 8601 (``2024-03-31``).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Event types of ``arr_events``; opportunity types and sources; rep roles.
EVENT_TYPES = ("new", "renewal", "expansion", "contraction", "churn")
OPPORTUNITY_TYPES = ("new", "expansion")
SOURCES = ("inbound", "sdr", "ae", "csm")
ROLES = ("ae", "sdr", "csm")


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, kind, whether a value is required, and for a
    ``choice`` the allowed values; ``low``/``high`` bound a number."""

    name: str
    kind: str
    required: bool = True
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    present: bool = True  # whether the column itself must be in the file


#: The tables in the order they are read, with their columns.
TABLES: dict[str, tuple[Column, ...]] = {
    "accounts": (
        Column("account_id", "id"),
        Column("segment", "text"),
        Column("arr", "number", low=0.0),
        Column("start_date", "date"),
        Column("csm_id", "id", required=False),
        Column("ae_id", "id", required=False),
        Column("products", "text", required=False, present=False),
        Column("health", "number", required=False, low=0.0, high=1.0, present=False),
    ),
    "arr_events": (
        Column("account_id", "id"),
        Column("date", "date"),
        Column("type", "choice", choices=EVENT_TYPES),
        Column("arr_before", "number", low=0.0),
        Column("arr_after", "number", low=0.0),
    ),
    "reps": (
        Column("rep_id", "id"),
        Column("role", "choice", choices=ROLES),
        Column("segment", "text", required=False),
        Column("hire_date", "date"),
        Column("exit_date", "date", required=False, present=False),
        Column("ote", "number", low=0.0),
        Column("base_share", "number", low=0.0, high=1.0),
        Column("quota", "number", required=False, low=0.0, present=False),
    ),
    "opportunities": (
        Column("opportunity_id", "id"),
        Column("account_id", "id", required=False),
        Column("type", "choice", choices=OPPORTUNITY_TYPES),
        Column("source", "choice", choices=SOURCES),
        Column("owner_id", "id"),
        Column("sourced_by_id", "id", required=False, present=False),
        Column("created_date", "date"),
        Column("close_date", "date", required=False),
        Column("won", "bool", required=False),
        Column("amount", "number", low=0.0),
    ),
}

#: The key column of each table whose values must be unique.
KEYS = {"accounts": "account_id", "reps": "rep_id", "opportunities": "opportunity_id"}


def schema_markdown() -> str:
    """The schema as Markdown tables (docs/data.md quotes it; a test checks they agree)."""
    lines: list[str] = []
    for table, columns in TABLES.items():
        lines += [f"### `{table}`", "", "| column | kind | required |", "|---|---|---|"]
        for c in columns:
            kind = c.kind
            if c.choices:
                kind += ": " + " \\| ".join(c.choices)
            if c.low is not None or c.high is not None:
                lo = "" if c.low is None else f"{c.low:g}"
                hi = "" if c.high is None else f"{c.high:g}"
                kind += f" in [{lo}, {hi or '∞'}]" if hi else f" ≥ {lo}"
            req = "yes" if c.required else ("optional" if c.present else "optional column")
            lines.append(f"| `{c.name}` | {kind} | {req} |")
        lines.append("")
    return "\n".join(lines)
