"""Loading a company's own data: :func:`load_company` and :class:`Company` (docs/data.md).

Every problem is reported as one :class:`CompanyDataError` naming the file, the row and the
column: ``accounts.csv, row 7, column arr: '-1200' is negative; arr is >= 0``. Rows are
counted as a spreadsheet shows them: in a CSV file the header is row 1 and the first
account row 2; in a Parquet file the first row is row 1.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from complab.data.schema import KEYS, TABLES, Column

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_FORBIDDEN = ".:[]"  # characters scenario paths use (complab.scenario)


class CompanyDataError(ValueError):
    """A problem in a company's data files, naming the file, the row and the column.

    Attributes ``file``, ``row`` (None for a whole-file problem) and ``column`` (None when
    no one column is at fault) say where.
    """

    def __init__(self, file: str, row: int | None, column: str | None, what: str) -> None:
        where = file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {what}")
        self.file, self.row, self.column = file, row, column


def _shown(value: Any) -> str:
    text = repr(value if not isinstance(value, str) else value)
    return text if len(text) <= 40 else text[:37] + "...'"


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from `start` to `end` (negative when `end` is earlier): 31 Jan
    to 28 Feb is 0 months, to 1 Mar 1 month."""
    m = (end.year - start.year) * 12 + end.month - start.month
    if m > 0 and end.day < start.day:
        m -= 1
    elif m < 0 and end.day > start.day:
        m += 1
    return m


def add_months(d: dt.date, months: int) -> dt.date:
    """`d` moved by whole calendar months, the day clipped to the month's length."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last))


def as_date(value: Any, name: str = "date") -> dt.date:
    """A date from a ``datetime.date``, a pandas Timestamp or ISO text."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10 or (len(text) > 10 and text[10] in "T "):  # a time after it is ignored
            try:
                return dt.date.fromisoformat(text[:10])
            except ValueError:
                pass
    raise ValueError(f"{name}: {_shown(value)} is not a date (ISO 8601, e.g. 2025-01-31)")


class _Reader:
    """Parses one table's cells, naming file, row and column on the first bad one."""

    def __init__(self, file: str, first_row: int) -> None:
        self.file, self.first_row = file, first_row

    def fail(self, i: int | None, column: str | None, what: str) -> CompanyDataError:
        return CompanyDataError(self.file, None if i is None else i + self.first_row, column, what)

    @staticmethod
    def _empty(v: Any) -> bool:
        if v is None or v is pd.NaT:
            return True
        if isinstance(v, float) and math.isnan(v):
            return True
        return isinstance(v, str) and v.strip() == ""

    def column(self, values: Sequence[Any], col: Column) -> list[Any]:
        out: list[Any] = []
        for i, v in enumerate(values):
            if self._empty(v):
                if col.required:
                    raise self.fail(i, col.name, "is empty; a value is required")
                out.append(None)
                continue
            out.append(self._cell(v, col, i))
        return out

    def _cell(self, v: Any, col: Column, i: int) -> Any:
        kind = col.kind
        if kind in ("id", "text", "choice"):
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            text = str(v).strip()
            if kind == "choice":
                low = text.lower()
                if low not in col.choices:
                    raise self.fail(
                        i, col.name, f"{_shown(text)} is not one of {', '.join(col.choices)}"
                    )
                return low
            return text
        if kind == "number":
            try:
                x = float(v.replace(",", "") if isinstance(v, str) else v)
            except (TypeError, ValueError):
                raise self.fail(i, col.name, f"{_shown(v)} is not a number") from None
            if not math.isfinite(x):
                raise self.fail(i, col.name, f"{_shown(v)} is not a finite number")
            if col.low is not None and x < col.low:
                what = "negative" if col.low == 0 else f"below {col.low:g}"
                raise self.fail(i, col.name, f"{_shown(v)} is {what}; {col.name} is >= {col.low:g}")
            if col.high is not None and x > col.high:
                raise self.fail(
                    i,
                    col.name,
                    f"{_shown(v)} is above {col.high:g}; {col.name} is in [{col.low:g}, {col.high:g}]",
                )
            return x
        if kind == "date":
            try:
                return as_date(v, col.name)
            except ValueError:
                raise self.fail(
                    i, col.name, f"{_shown(v)} is not a date (ISO 8601, e.g. 2025-01-31)"
                ) from None
        if kind == "bool":
            if isinstance(v, (bool, np.bool_)):
                return bool(v)
            text = str(v).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise self.fail(i, col.name, f"{_shown(v)} is not true or false")
        raise AssertionError(kind)


def _find_file(folder: Path, table: str) -> Path:
    for suffix in (".csv", ".parquet"):
        p = folder / f"{table}{suffix}"
        if p.exists():
            return p
    raise CompanyDataError(
        f"{table}.csv",
        None,
        None,
        f"no {table}.csv or {table}.parquet in {folder}; the folder needs accounts, "
        "arr_events, reps and opportunities (docs/data.md)",
    )


def _read_raw(path: Path) -> tuple[pd.DataFrame, int]:
    """The table as given (cells as text for CSV) and the row number of its first record."""
    name = path.name
    if not path.is_file():
        raise CompanyDataError(name, None, None, "is not a regular file")
    if path.suffix == ".parquet":
        try:
            import pyarrow.parquet as pq

            frame = pq.read_table(path).to_pandas()
        except Exception as err:  # pyarrow raises many kinds for a broken file
            raise CompanyDataError(
                name, None, None, f"not a readable Parquet file ({err})"
            ) from None
        return frame.astype(object), 1
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise CompanyDataError(
            name, None, None, "is empty; the first line names the columns"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        what = " ".join(str(err).split())
        raise CompanyDataError(name, None, None, f"not a readable CSV file ({what})") from None
    import csv

    with path.open(encoding="utf-8", newline="") as f:
        header = [c.strip() for c in next(csv.reader(f), [])]
    if len(header) == len(frame.columns):
        frame.columns = header  # as written: pandas renames a repeated name "x.1"
    return frame, 2


def _table(folder: Path, table: str) -> tuple[pd.DataFrame, _Reader]:
    path = _find_file(folder, table)
    raw, first = _read_raw(path)
    reader = _Reader(path.name, first)
    columns = [str(c) for c in raw.columns]
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise reader.fail(None, dupes[0], "is given twice in the header")
    out: dict[str, list[Any]] = {}
    for col in TABLES[table]:
        if col.name not in raw.columns:
            if col.present:
                raise reader.fail(
                    None,
                    col.name,
                    f"is missing; {table} needs columns "
                    + ", ".join(c.name for c in TABLES[table] if c.present),
                )
            out[col.name] = [None] * len(raw)
            continue
        out[col.name] = reader.column(list(raw[col.name]), col)
    # Object columns: a missing text cell stays None (pandas 3 would make a str column, NaN).
    frame = pd.DataFrame(
        {k: pd.Series(v, dtype=object) for k, v in out.items()}, index=pd.RangeIndex(len(raw))
    )
    for col in TABLES[table]:
        if col.kind == "date":
            frame[col.name] = pd.to_datetime(frame[col.name]).dt.date.where(
                frame[col.name].notna(), None
            )
        elif col.kind == "number":
            frame[col.name] = pd.to_numeric(frame[col.name]).astype(float)
    return frame, reader


class Company:
    """A company's validated data (docs/data.md): ``accounts``, ``arr_events``, ``reps`` and
    ``opportunities`` as pandas DataFrames (dates as ``datetime.date``, numbers as floats,
    missing optional values as None/NaN), its ``segments`` in order of median ARR, and
    where it came from (``folder``)."""

    def __init__(
        self,
        accounts: pd.DataFrame,
        arr_events: pd.DataFrame,
        reps: pd.DataFrame,
        opportunities: pd.DataFrame,
        segments: Sequence[str],
        folder: str | None = None,
    ) -> None:
        self.accounts = accounts
        self.arr_events = arr_events
        self.reps = reps
        self.opportunities = opportunities
        self.segments = tuple(segments)
        self.folder = folder

    def __repr__(self) -> str:
        return (
            f"Company({len(self.accounts):,} accounts, {len(self.reps)} reps, "
            f"{len(self.opportunities):,} opportunities, history {self.first_date()} to "
            f"{self.last_date()})"
        )

    def first_date(self) -> dt.date:
        """The earliest date in the data."""
        return min(_dates(self))

    def history_start(self) -> dt.date:
        """Where the recorded history starts: the first event or opportunity (accounts and
        reps may have started long before)."""
        return min([*self.arr_events["date"], *self.opportunities["created_date"]])

    def last_date(self) -> dt.date:
        """The latest date in the data (its end of history)."""
        return max(_dates(self))

    def segment_of_rep(self) -> dict[str, str | None]:
        """Each rep's segment by rep_id (None for SDRs)."""
        return dict(zip(self.reps["rep_id"], self.reps["segment"], strict=True))

    # -- the book on a date ----------------------------------------------------------------
    def arr_on(self, date: Any) -> pd.Series:
        """Each account's ARR at the end of `date` (0 before it started or after it
        churned), indexed by account_id: the last event's ``arr_after`` on or before the
        date; before an account's first event, that event's ``arr_before`` (an account that
        was a customer before the history starts); with no events, ``accounts.arr``."""
        d = as_date(date)
        ev = self.arr_events.sort_values(["date"], kind="stable")
        past = ev[ev["date"] <= d]
        last = past.groupby("account_id")["arr_after"].last()
        first_future = ev[ev["date"] > d].groupby("account_id")["arr_before"].first()
        out = pd.Series(0.0, index=self.accounts["account_id"].to_numpy())
        started = (self.accounts["start_date"] <= d).to_numpy()
        no_events = ~self.accounts["account_id"].isin(ev["account_id"]).to_numpy()
        out[started & no_events] = self.accounts["arr"].to_numpy()[started & no_events]
        fut = first_future.reindex(out.index)
        mask = started & fut.notna().to_numpy()
        out[mask] = fut.to_numpy()[mask]
        lst = last.reindex(out.index)
        mask = started & lst.notna().to_numpy()
        out[mask] = lst.to_numpy()[mask]
        return out

    def account_arr_on(self, account_id: str, date: Any) -> float:
        """One account's ARR at the end of `date`, by the rules of :meth:`arr_on`."""
        if not hasattr(self, "_history"):
            ev = self.arr_events.sort_values(["account_id", "date"], kind="stable")
            ids = ev["account_id"].to_numpy()
            dates = list(ev["date"])
            before, after = ev["arr_before"].to_numpy(), ev["arr_after"].to_numpy()
            cuts = [0, *np.flatnonzero(ids[1:] != ids[:-1]) + 1, len(ids)] if len(ids) else [0]
            self._history = {
                ids[a]: (dates[a:b], before[a:b], after[a:b])
                for a, b in zip(cuts[:-1], cuts[1:], strict=True)
            }
            self._start = dict(
                zip(self.accounts["account_id"], self.accounts["start_date"], strict=True)
            )
            self._arr = dict(zip(self.accounts["account_id"], self.accounts["arr"], strict=True))
        d = as_date(date)
        if self._start[account_id] > d:
            return 0.0
        if account_id not in self._history:
            return float(self._arr[account_id])
        dates, before, after = self._history[account_id]
        import bisect

        k = bisect.bisect_right(dates, d)
        return float(after[k - 1]) if k > 0 else float(before[0])

    def book_on(self, date: Any) -> pd.DataFrame:
        """The accounts that are customers at the end of `date`: account_id, segment, arr,
        start_date, renewal_index (renewals passed), months_to_renewal (1…12), csm_id, ae_id,
        products, health."""
        d = as_date(date)
        arr = self.arr_on(d)
        a = self.accounts.set_index("account_id", drop=False)
        live = arr[arr > 0].index
        book = a.loc[
            live, ["account_id", "segment", "start_date", "csm_id", "ae_id", "products", "health"]
        ].copy()
        book.insert(2, "arr", arr.loc[live].to_numpy())
        months = np.array([months_between(s, d) for s in book["start_date"]], dtype=int)
        book["renewal_index"] = months // 12
        book["months_to_renewal"] = 12 - months % 12
        return book.reset_index(drop=True)

    def describe(self) -> pd.DataFrame:
        """A summary per segment (and ``all``): accounts and ARR at the end of the history,
        accounts ever, accounts now without a CSM, reps by role (ever and still there), events by type, opportunities (won,
        lost, open), and the history's first and last dates."""
        end = self.last_date()
        book = self.book_on(end)
        rows = []
        seg_of = self.segment_of_rep()
        opp_seg = self.opportunities["owner_id"].map(seg_of)
        ev_seg = self.arr_events["account_id"].map(
            dict(zip(self.accounts["account_id"], self.accounts["segment"], strict=True))
        )

        def picker(seg: str) -> Any:
            return (lambda s: s == s) if seg == "all" else (lambda s: s == seg)

        for seg in (*self.segments, "all"):
            pick = picker(seg)
            b = book[pick(book["segment"])]
            reps = (
                self.reps[pick(self.reps["segment"].fillna("any"))] if seg != "all" else self.reps
            )
            ev = self.arr_events[pick(ev_seg)]
            op = (
                self.opportunities[pick(opp_seg.fillna("any"))]
                if seg != "all"
                else self.opportunities
            )
            row: dict[str, Any] = {
                "segment": seg,
                "accounts_now": len(b),
                "arr_now": float(b["arr"].sum()),
                "accounts_ever": int(pick(self.accounts["segment"]).sum()),
                "accounts_now_without_csm": int(b["csm_id"].isna().sum()),
            }
            for role in ("ae", "sdr", "csm"):
                r = reps[reps["role"] == role]
                row[f"{role}s_ever"] = len(r)
                row[f"{role}s_now"] = int(r["exit_date"].isna().sum())
            for t in ("new", "renewal", "expansion", "contraction", "churn"):
                row[f"events_{t}"] = int((ev["type"] == t).sum())
            row["opportunities_won"] = int((op["won"] == True).sum())  # noqa: E712
            row["opportunities_lost"] = int((op["won"] == False).sum())  # noqa: E712
            row["opportunities_open"] = int(op["won"].isna().sum())
            rows.append(row)
        out = pd.DataFrame(rows).set_index("segment")
        out.attrs["first_date"], out.attrs["last_date"] = self.first_date(), end
        return out


def _dates(c: Company) -> Iterable[dt.date]:
    yield from c.accounts["start_date"]
    yield from c.arr_events["date"]
    yield from c.reps["hire_date"]
    yield from (d for d in c.reps["exit_date"] if d is not None)
    yield from c.opportunities["created_date"]
    yield from (d for d in c.opportunities["close_date"] if d is not None)


def load_company(folder: str | os.PathLike[str], segments: Sequence[str] | None = None) -> Company:
    """Read and validate a company's data folder (docs/data.md).

    Parameters
    ----------
    folder
        A folder with ``accounts``, ``arr_events``, ``reps`` and ``opportunities``, each as
        ``.csv`` or ``.parquet``.
    segments
        The segments, in order; a segment named anywhere else is an error. Default: those
        the accounts name, ordered by their median ARR (smallest first).

    Returns
    -------
    Company

    Raises
    ------
    CompanyDataError
        (a ``ValueError``) naming the file, the row and the column of the first problem: a
        missing file or column, an empty required value, an unparsable number, date or
        choice, a negative ARR, a duplicated id, an unknown segment, an end before a start,
        an account owned by a rep who does not exist or holds another role, an event or
        opportunity on an unknown account, an event whose ARR moves the wrong way.
    """
    root = Path(folder)
    if not root.is_dir():
        raise CompanyDataError(str(root), None, None, "is not a folder")
    frames: dict[str, pd.DataFrame] = {}
    readers: dict[str, _Reader] = {}
    for table in TABLES:
        frames[table], readers[table] = _table(root, table)
    acc, ev, reps, opp = (frames[t] for t in TABLES)
    ra, re_, rr, ro = (readers[t] for t in TABLES)

    for table, key in KEYS.items():
        seen: dict[str, int] = {}
        for i, v in enumerate(frames[table][key]):
            if v in seen:
                raise readers[table].fail(
                    i,
                    key,
                    f"{_shown(v)} is duplicated (also row {seen[v] + readers[table].first_row})",
                )
            seen[v] = i

    # Segments: named by the accounts (or given), valid as scenario names.
    if segments is None:
        med = acc.groupby("segment")["arr"].median().sort_values(kind="stable")
        segs = list(med.index)
    else:
        segs = [str(s) for s in segments]
    for i, s in enumerate(acc["segment"]):
        if s not in segs:
            raise ra.fail(i, "segment", f"{_shown(s)} is not a known segment ({', '.join(segs)})")
        bad = [c for c in _FORBIDDEN if c in s]
        if bad or s == "all" or s == "any" or s.isdigit():
            raise ra.fail(
                i,
                "segment",
                f"{_shown(s)} cannot name a segment (reserved, a number, or contains one of {_FORBIDDEN})",
            )

    # Reps.
    for i, row in enumerate(reps.itertuples(index=False)):
        if row.role == "sdr":
            if row.segment not in (None, "any", *segs):
                raise rr.fail(
                    i,
                    "segment",
                    f"{_shown(row.segment)} is not a known segment ({', '.join(segs)}) or 'any'",
                )
        elif row.segment is None:
            raise rr.fail(
                i,
                "segment",
                f"is empty; an {row.role.upper()} works one segment ({', '.join(segs)})",
            )
        elif row.segment not in segs:
            raise rr.fail(
                i, "segment", f"{_shown(row.segment)} is not a known segment ({', '.join(segs)})"
            )
        if row.exit_date is not None and row.exit_date < row.hire_date:
            raise rr.fail(i, "exit_date", f"{row.exit_date} is before hire_date {row.hire_date}")
    reps.loc[reps["role"] == "sdr", "segment"] = None
    role_of = dict(zip(reps["rep_id"], reps["role"], strict=True))
    seg_of = dict(zip(reps["rep_id"], reps["segment"], strict=True))

    # Accounts' owners.
    for i, row in enumerate(acc.itertuples(index=False)):
        for col, role in (("csm_id", "csm"), ("ae_id", "ae")):
            rep = getattr(row, col)
            if rep is None:
                continue
            if rep not in role_of:
                raise ra.fail(i, col, f"rep {_shown(rep)} does not exist in reps")
            if role_of[rep] != role:
                raise ra.fail(
                    i, col, f"rep {_shown(rep)} is an {role_of[rep].upper()}, not an {role.upper()}"
                )
            if seg_of[rep] != row.segment:
                raise ra.fail(
                    i,
                    col,
                    f"rep {_shown(rep)} works segment {_shown(seg_of[rep])}; the account is {_shown(row.segment)}",
                )
    start_of = dict(zip(acc["account_id"], acc["start_date"], strict=True))

    # Events.
    for i, row in enumerate(ev.itertuples(index=False)):
        if row.account_id not in start_of:
            raise re_.fail(i, "account_id", f"{_shown(row.account_id)} is not in accounts")
        if row.date < start_of[row.account_id]:
            raise re_.fail(
                i,
                "date",
                f"{row.date} is before the account's start_date {start_of[row.account_id]}",
            )
        before, after = row.arr_before, row.arr_after
        rule = {
            "new": (before == 0 and after > 0, "a new account goes from 0 to a positive ARR"),
            "churn": (after == 0 and before > 0, "a churn goes from a positive ARR to 0"),
            "expansion": (after > before, "an expansion raises ARR"),
            "contraction": (0 < after < before, "a contraction lowers ARR and keeps the customer"),
            "renewal": (after > 0 and before > 0, "a renewal keeps a positive ARR"),
        }[row.type]
        if not rule[0]:
            raise re_.fail(
                i, "arr_after", f"{before:g} to {after:g} for a {row.type!r} event; {rule[1]}"
            )

    # Opportunities.
    for i, row in enumerate(opp.itertuples(index=False)):
        if row.account_id is not None and row.account_id not in start_of:
            raise ro.fail(i, "account_id", f"{_shown(row.account_id)} is not in accounts")
        if row.type == "expansion" and row.account_id is None:
            raise ro.fail(i, "account_id", "is empty; an expansion opportunity names its account")
        for col in ("owner_id", "sourced_by_id"):
            rep = getattr(row, col)
            if rep is not None and rep not in role_of:
                raise ro.fail(i, col, f"rep {_shown(rep)} does not exist in reps")
        if row.close_date is not None and row.close_date < row.created_date:
            raise ro.fail(
                i, "close_date", f"{row.close_date} is before created_date {row.created_date}"
            )
        if row.close_date is None and row.won is not None:
            raise ro.fail(
                i, "won", f"{row.won} for an open opportunity (empty close_date); leave it empty"
            )
        if row.close_date is not None and row.won is None:
            raise ro.fail(i, "won", "is empty for a closed opportunity; give true or false")
    acc["products"] = acc["products"].astype(object)
    return Company(acc, ev, reps, opp, segs, folder=os.fspath(root))
