"""Sweeps: one scenario evaluated over a grid of edits, with common random numbers.

:func:`sweep` builds one scenario per grid point with :meth:`Scenario.with_`, simulates
each with the same seed — so every point sees the same draws for the same trial, entity,
month and purpose (docs/model.md §2) and differences between points are paired — and returns
a tidy table of statistics per point, output and year.

When every edited path lies under ``plans.``, the world is simulated once and each point
only re-pays it (:meth:`Result.repay`, docs/model.md §7); a point that cannot be re-paid (its
plans change which segments share NRR between AE and CSM) is simulated in full.

Work can be spread over any :class:`concurrent.futures.Executor` or a
``dask.distributed.Client``. Work units are top-level functions of plain data (scenario
dicts), so they pickle to worker processes; runs over trial ranges join exactly, so a
distributed sweep equals the serial one bit for bit. ``checkpoint=`` keeps finished
points in a JSON-lines file so an interrupted sweep resumes where it stopped; with or
without one, Ctrl-C raises :class:`SweepInterrupted`, whose ``table`` holds the points that
finished.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import itertools
import json
import math
import os
import reprlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from complab import engine
from complab.display import Table
from complab.engine import resolve_seed
from complab.locked_file import Busy, LockedFile
from complab.result import COHORT_METRICS, KPI_COLUMNS, PERCENTILES, Result
from complab.scenario import Scenario

__all__ = ["COHORT_METRICS", "ROLES", "SweepInterrupted", "expand_grid", "sweep"]

#: Roles whose average earnings per rep are available as ``earnings_per_<role>``.
ROLES = ("ae", "sdr", "csm")
CHECKPOINT_FORMAT = "complab-sweep-checkpoint/2"  # /2: years count from 1
#: With an executor, plan-only sweeps split the trials into this many work units by default.
DEFAULT_PLAN_ONLY_TASKS = 4
# Simulated worlds a work unit keeps for re-paying (one per pattern of shared-NRR segments).
_MAX_WORLDS = 4

Point = dict[str, Any]
#: Columns of a sweep table after the grid paths, one row per point, output and year.
ROW_COLUMNS = ("output", "year", "n", "mean", "se", *(f"p{q}" for q in PERCENTILES))


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`sweep`; nothing that finished is lost.

    Attributes
    ----------
    table : pandas.DataFrame
        The sweep's table (as :func:`sweep` returns it) for the points that finished,
        those read from the checkpoint included, in grid order; the point that was running
        is not in it.
    done : int
        Number of finished points.
    total : int
        Number of points in the grid.
    checkpoint : pathlib.Path or None
        The checkpoint file holding the finished points, if one was given: the same call
        again resumes from it.
    """

    def __init__(
        self, table: pd.DataFrame, done: int, total: int, checkpoint: Path | None = None
    ) -> None:
        where = "this exception's .table" + (
            f" and the checkpoint {str(checkpoint)!r}" if checkpoint is not None else ""
        )
        super().__init__(
            f"sweep interrupted with {done} of {total} points finished; they are in {where}"
        )
        self.table = table
        self.done = done
        self.total = total
        self.checkpoint = checkpoint


# -- grids -------------------------------------------------------------------------------------
def expand_grid(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[Point]:
    """The points of a grid, in order.

    Parameters
    ----------
    grid
        A mapping of dotted path to a list of values — the points are every combination,
        the first path varying slowest (as :func:`itertools.product`) — or a list of
        points, each a mapping of dotted path to value, all with the same paths.

    Returns
    -------
    list of dict
        One ``{path: value}`` per point. NumPy scalars become Python numbers.

    Raises
    ------
    ValueError
        Naming the path whose values are not a non-empty list, or the point whose paths
        differ from the first point's.
    """
    if isinstance(grid, Mapping):
        if not grid:
            raise ValueError("grid: no parameters given; expected {'dotted.path': [values, ...]}")
        paths = list(grid)
        columns = []
        for path in paths:
            _check_path(path)
            values = grid[path]
            if isinstance(values, (str, bytes, Mapping)) or not _is_sequence(values):
                raise ValueError(
                    f"grid[{path!r}]: {values!r} is not a list of values; "
                    "give a list even for one value"
                )
            values = [_python_scalar(v) for v in values]
            if not values:
                raise ValueError(f"grid[{path!r}]: no values given; expected a non-empty list")
            columns.append(values)
        return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*columns)]
    if isinstance(grid, (str, bytes)) or not _is_sequence(grid):
        raise ValueError(
            f"grid: {type(grid).__name__} is neither a mapping of path to values "
            "nor a list of points"
        )
    points: list[Point] = []
    for i, point in enumerate(grid):
        if not isinstance(point, Mapping) or not point:
            raise ValueError(f"grid[{i}]: {point!r} is not a non-empty mapping of path to value")
        for path in point:
            _check_path(path)
        if points and list(point) != list(points[0]):
            raise ValueError(
                f"grid[{i}]: paths {list(point)} differ from the first point's {list(points[0])}"
            )
        points.append({p: _python_scalar(v) for p, v in point.items()})
    if not points:
        raise ValueError("grid: an empty list of points")
    return points


def _check_path(path: Any) -> None:
    if not isinstance(path, str) or not path or path.split(".")[0] not in ("world", "plans"):
        raise ValueError(
            f"grid: {path!r} is not a dotted path; paths start at 'world' or 'plans', "
            "e.g. 'world.segments.smb.win_rate' or 'plans.csm.ote'"
        )


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (Sequence, np.ndarray, pd.Series, pd.Index, range))


def _python_scalar(value: Any) -> Any:
    """NumPy scalars as Python numbers (the scenario's integer fields take only ``int``)."""
    return value.item() if isinstance(value, np.generic) else value


def _plain(value: Any) -> Any:
    """A JSON-ready form of a grid value or scenario dict (lists, dicts, numbers, strings)."""
    if hasattr(value, "to_dict") and not isinstance(value, (pd.DataFrame, pd.Series)):
        return _plain(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _canonical(value: Any) -> Any:
    """Numbers equal in value made equal in form (``100000.0`` as ``100000``), recursively."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def point_key(point: Point) -> str:
    """The canonical text of a point, used to key checkpoints: points whose values are equal
    (``100000`` and ``100000.0``, a tuple and a list) have the same key."""
    return json.dumps(_canonical(_plain(point)), sort_keys=True, allow_nan=True)


def is_plan_only(paths: Sequence[str], scenario: Scenario) -> bool:
    """Whether the world can be simulated once and re-paid: every path edits the plans
    only and the plans do not change the world (fixed mode, no pay-linked attrition,
    docs/model.md §7)."""
    if scenario.responsive or scenario.world.responds_to_plans():
        return False
    return all(p == "plans" or p.startswith("plans.") for p in paths)


def build_scenarios(scenario: Scenario, points: Sequence[Point]) -> list[Scenario]:
    """The scenario of each point, validated; errors name the point and the path."""
    if not isinstance(scenario, Scenario):
        raise ValueError(f"scenario: expected a complab.Scenario, got {type(scenario).__name__}")
    out = []
    for point in points:
        try:
            out.append(scenario.with_(point))
        except ValueError as err:
            raise ValueError(f"grid point {describe_point(point)}: {err}") from None
    return out


def describe_point(point: Point) -> str:
    """A point as text for messages: ``{'world.months': 12}``."""
    return "{" + ", ".join(f"{p!r}: {v!r}" for p, v in point.items()) + "}"


# -- outputs -----------------------------------------------------------------------------------
def check_outputs(outputs: str | Sequence[str] | None, scenario: Scenario) -> list[str] | None:
    """Outputs as a list (None: the defaults), with segment outputs checked against the world."""
    if outputs is None:
        return None
    names = [outputs] if isinstance(outputs, str) else list(outputs)
    if not names:
        raise ValueError("outputs: an empty list; give output names or None for all KPIs")
    segments = scenario.world.segment_names()
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"outputs: {name!r} is not an output name")
        if ":" in name:
            metric, segment = name.split(":", 1)
            if metric not in COHORT_METRICS:
                raise ValueError(
                    f"outputs: {name!r}: per-segment outputs are "
                    f"{', '.join(m + ':<segment>' for m in COHORT_METRICS)}"
                )
            if segment not in segments:
                raise ValueError(
                    f"outputs: {name!r}: no segment '{segment}'; segments are {', '.join(segments)}"
                )
    if len(set(names)) != len(names):
        raise ValueError(f"outputs: {names} has repeated names")
    return names


def per_trial(result: Result, outputs: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per trial and year with the value of each output.

    Outputs are the columns of :meth:`Result.kpis` (``"nrr"``, ``"comp_total"``, ...),
    ``"earnings_per_<role>"`` (the average annual earnings of the role's reps in the
    trial), ``"budget"`` (the OTE the seats carried in the year,
    :func:`complab.decisions.total_ote` before its mean across trials) and
    ``"<metric>:<segment>"`` for the cohort metrics of one segment (:data:`COHORT_METRICS`). None gives every KPI column, the budget and the earnings per
    role.
    ``trial`` is the trial's key (``first_trial`` + index).
    """
    kpis = result.kpis()
    kpi_names = [c for c in kpis.columns if c not in ("trial", "year")]
    names = (
        list(outputs)
        if outputs is not None
        else kpi_names + ["budget"] + [f"earnings_per_{r}" for r in ROLES]
    )
    data: dict[str, Any] = {
        "trial": kpis["trial"].to_numpy() + result.first_trial,
        "year": kpis["year"].to_numpy(),
    }
    earnings: np.ndarray | None = None
    cohorts: pd.DataFrame | None = None
    for name in names:
        if name in kpi_names:
            data[name] = kpis[name].to_numpy(dtype=float)
        elif name == "budget":
            from complab.decisions import ote_budget

            years = kpis["year"].to_numpy()
            column = np.empty(len(kpis))
            for year in np.unique(years):
                column[years == year] = ote_budget(result, int(year))
            data[name] = column
        elif name.startswith("earnings_per_") and name[len("earnings_per_") :] in ROLES:
            if earnings is None:
                earnings = _earnings_per_rep_year(result)
            role = name[len("earnings_per_") :]
            mask = result.roster["role"].to_numpy() == role
            if mask.any():
                data[name] = earnings[:, mask, :].mean(axis=1).reshape(-1)
            else:
                data[name] = np.full(len(kpis), np.nan)
        elif ":" in name and name.split(":", 1)[0] in COHORT_METRICS:
            metric, segment = name.split(":", 1)
            if cohorts is None:
                cohorts = result.cohorts()
            rows = cohorts[cohorts["segment"] == segment]
            if len(rows) != len(kpis):
                raise ValueError(f"outputs: {name!r}: no segment '{segment}' in this world")
            data[name] = rows[metric].to_numpy(dtype=float)
        else:
            allowed = kpi_names + ["budget"] + [f"earnings_per_{r}" for r in ROLES]
            allowed += [f"{m}:<segment>" for m in COHORT_METRICS]
            raise ValueError(f"outputs: {name!r} is not an output; allowed: {', '.join(allowed)}")
    return pd.DataFrame(data)


def _earnings_per_rep_year(result: Result) -> np.ndarray:
    """Earnings per trial, rep and year: [trials, reps, years]."""
    from complab import _core

    pay = result.arrays["pay"][..., list(_core.PAY_FIELDS).index("earnings")]  # [t, r, p]
    per_year = 12 // result.scenario.world.period_months
    years = result.years
    t, r, _ = pay.shape
    return pay[:, :, : years * per_year].reshape(t, r, years, per_year).sum(axis=3)


def summarise(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Mean, standard error and percentiles across trials, per output and year."""
    rows = []
    outputs = [c for c in table.columns if c not in ("trial", "year")]
    years = table["year"].to_numpy()
    for name in outputs:
        values = table[name].to_numpy(dtype=float)
        for year in np.unique(years):
            v = values[years == year]
            v = v[np.isfinite(v)]
            n = len(v)
            row: dict[str, Any] = {"output": name, "year": int(year), "n": n}
            row["mean"] = float(v.mean()) if n else math.nan
            row["se"] = float(v.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
            quantiles = np.percentile(v, PERCENTILES) if n else [math.nan] * len(PERCENTILES)
            for q, value in zip(PERCENTILES, quantiles, strict=True):
                row[f"p{q}"] = float(value)
            rows.append(row)
    return rows


# -- work units (top-level and plain data, so they pickle to worker processes) -------------
def run_task(spec: dict[str, Any]) -> dict[int, pd.DataFrame]:
    """Run one work unit: per-trial output tables of its points, keyed by point index.

    ``spec`` holds plain data only: ``points`` (a list of ``(index, scenario dict)``),
    ``first_trial``, ``trials``, ``seed`` (the engine's 64-bit key), ``threads``,
    ``outputs`` and ``reuse_world`` (re-pay one simulated world for every point whose
    plans allow it, docs/model.md §7).
    """
    return dict(_iter_task(spec))


def _iter_task(spec: dict[str, Any]) -> Iterator[tuple[int, pd.DataFrame]]:
    options = dict(
        trials=spec["trials"],
        seed=spec["seed"],
        threads=spec["threads"],
        first_trial=spec["first_trial"],
    )
    worlds: deque[Result] = deque(maxlen=_MAX_WORLDS)
    for index, data in spec["points"]:
        scenario = data if isinstance(data, Scenario) else Scenario.from_dict(data)
        result = None
        if spec["reuse_world"]:
            for world in worlds:
                try:
                    result = world.repay(scenario)
                    break
                except ValueError:  # shared-NRR status differs: that world does not apply
                    continue
        if result is None:
            past = spec.get("history")
            result = engine.simulate(
                scenario,
                history=None if past is None else Scenario.from_dict(past),
                **options,
            )
            if spec["reuse_world"]:
                worlds.append(result)
        yield index, per_trial(result, spec["outputs"])


def _resolve_executor(executor: Any) -> cf.Executor | None:
    if executor is None:
        return None
    if isinstance(executor, cf.Executor):
        return executor
    get = getattr(executor, "get_executor", None)
    if callable(get):  # a dask.distributed.Client
        return get(pure=False)
    hint = (
        f"; for a Dask scheduler's address pass distributed.Client({executor!r})"
        if isinstance(executor, str)
        else ""
    )
    raise ValueError(
        f"executor: {type(executor).__name__} {reprlib.repr(executor)} is neither a "
        f"concurrent.futures.Executor nor a dask.distributed.Client{hint}"
    )


def _chunks(trials: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(size, trials - a)) for a in range(0, trials, size)]


def evaluate(
    scenarios: Sequence[Scenario],
    *,
    reuse_world: bool,
    outputs: Sequence[str] | None,
    trials: int,
    seed: int,
    threads: int | None,
    executor: Any = None,
    trials_per_task: int | None = None,
    skip: frozenset[int] = frozenset(),
    on_point: Callable[[int, pd.DataFrame], None],
    history: Scenario | None = None,
) -> None:
    """Evaluate each scenario (except the indices in ``skip``) with the same seed.

    ``on_point(index, table)`` receives each point's per-trial table (:func:`per_trial`) as
    soon as all of its trials are in — in order when serial, in completion order with an
    executor. Pending work is cancelled when ``on_point`` raises (e.g. KeyboardInterrupt).
    """
    pending = [i for i in range(len(scenarios)) if i not in skip]
    if not pending:
        return
    pool = _resolve_executor(executor)
    common = dict(
        seed=seed,
        outputs=None if outputs is None else list(outputs),
        reuse_world=reuse_world,
        history=None if history is None else history.to_dict(),
    )
    if pool is None:
        spec: dict[str, Any] = dict(
            common,
            points=[(i, scenarios[i]) for i in pending],
            first_trial=0,
            trials=trials,
            threads=threads,
        )
        if trials_per_task is None:
            for index, table in _iter_task(spec):
                on_point(index, table)
            return
    threads = 1 if (threads is None and pool is not None) else threads
    if trials_per_task is None:
        size = math.ceil(trials / DEFAULT_PLAN_ONLY_TASKS) if reuse_world else trials
    else:
        size = engine._positive_int("trials_per_task", trials_per_task)
    chunks = _chunks(trials, size)
    dicts = {i: scenarios[i].to_dict() for i in pending}
    groups = [pending] if reuse_world else [[i] for i in pending]
    specs: list[dict[str, Any]] = [
        dict(
            common, points=[(i, dicts[i]) for i in group], first_trial=a, trials=n, threads=threads
        )
        for group in groups
        for a, n in chunks
    ]
    parts: dict[int, list[tuple[int, pd.DataFrame]]] = {i: [] for i in pending}

    def collect(spec: dict[str, Any], tables: dict[int, pd.DataFrame]) -> None:
        for index, table in tables.items():
            parts[index].append((spec["first_trial"], table))
            if len(parts[index]) == len(chunks):
                done = sorted(parts.pop(index), key=lambda part: part[0])
                joined = (
                    pd.concat([t for _, t in done], ignore_index=True)
                    if len(done) > 1
                    else done[0][1]
                )
                on_point(index, joined)

    if pool is None:  # serial, split into trial ranges
        for unit in specs:
            collect(unit, run_task(unit))
        return
    futures: dict[cf.Future, dict[str, Any]] = {}
    try:
        for unit in specs:
            futures[pool.submit(run_task, unit)] = unit
        for future in cf.as_completed(futures):
            collect(futures[future], future.result())
    finally:
        for future in futures:
            future.cancel()


# -- checkpoints -------------------------------------------------------------------------------
class _Checkpoint:
    """Append-only JSON lines: a header naming the sweep, then one line per finished point.

    The file is locked while the sweep runs (:class:`~complab.locked_file.LockedFile`), so
    two sweeps never write to it at once; each entry is checked against the sweep when it is
    used (:meth:`rows_for`).
    """

    def __init__(self, path: str | os.PathLike[str], header: dict[str, Any]) -> None:
        self.path = Path(path)
        self.header = json.loads(json.dumps(header))
        self.done: dict[str, list[dict[str, Any]]] = {}
        self.lines: dict[str, int] = {}  # each point's line, for messages
        self._lock: Any = None
        if self.path.is_dir():
            raise ValueError(
                f"checkpoint: {str(self.path)!r} is a directory; give a file path, "
                f"e.g. {str(self.path / 'sweep.jsonl')!r}"
            )
        if self.path.exists() and not self.path.is_file():
            raise ValueError(
                f"checkpoint: {str(self.path)!r} is not a regular file (a device or a pipe); "
                "give a file path"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._lock = LockedFile(self.path)
            except Busy:
                raise ValueError(
                    f"checkpoint: {str(self.path)!r} is in use by another sweep; wait for it "
                    "to finish, or give this sweep another path"
                ) from None
            if self._lock.size() > 0:
                self._load()
            else:
                self._lock.append((json.dumps(self.header) + "\n").encode())
        except OSError as err:
            self.close()
            raise ValueError(
                f"checkpoint: cannot use {str(self.path)!r} ({err.strerror or err}); "
                "give a file path that can be read and written"
            ) from None
        except ValueError:
            self.close()
            raise

    def close(self) -> None:
        """Release the lock."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _load(self) -> None:
        data = self._lock.read()
        first = data.find(b"\n")
        try:
            stored = json.loads(data[: first if first >= 0 else len(data)].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            stored = None
        if isinstance(stored, dict) and stored.get("format") == "complab-sweep-checkpoint/1":
            raise ValueError(
                f"checkpoint: {str(self.path)!r} was written by an older complab that counted "
                "years from 0; start a new checkpoint file (its finished points run again)"
            )
        if not isinstance(stored, dict) or stored.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(
                f"checkpoint: {str(self.path)!r} is not a complab sweep checkpoint; "
                "choose another path"
            )
        differ = [k for k in self.header if stored.get(k) != self.header[k]]
        if differ:
            detail = "; ".join(
                f"{k}: file has {_short(stored.get(k))}, this sweep has {_short(self.header[k])}"
                for k in differ
            )
            raise ValueError(
                f"checkpoint: {str(self.path)!r} was written by a different sweep ({detail}); "
                "delete the file or choose another path rather than mixing results"
            )
        end = data.rfind(b"\n")
        if end < 0:  # the header alone, its newline cut off
            self._lock.append(b"\n")
            return
        if end + 1 < len(data):  # a line cut short by an interruption: drop it
            self._lock.truncate(end + 1)
        for number, line in enumerate(data[first + 1 : end].split(b"\n"), start=2):
            if not line.strip():
                continue
            try:
                key, rows = _read_entry(line)
                if key in self.done and self.done[key] != rows:
                    raise ValueError(
                        f"the point of line {self.lines[key]} again, with different values"
                    )
            except ValueError as err:
                raise self.damaged(number, f"not a finished point ({err})") from None
            self.done[key] = rows
            self.lines.setdefault(key, number)

    def damaged(self, line: int, what: str) -> ValueError:
        return ValueError(
            f"checkpoint: {str(self.path)!r}, line {line}: {what}; the file is damaged: "
            "delete that line to recompute its point, or delete the file"
        )

    def rows_for(
        self, key: str, outputs: Sequence[str], years: int, trials: int
    ) -> list[dict[str, Any]] | None:
        """The stored rows of a point, checked against what the sweep computes for it
        (each output and year once, counts within the trials, statistics that are numbers
        and consistent); None when the point is not stored."""
        rows = self.done.get(key)
        if rows is None:
            return None
        problem = _rows_problem(rows, outputs, years, trials)
        if problem is not None:
            raise self.damaged(self.lines[key], f"its statistics do not fit this sweep: {problem}")
        return rows

    def write(self, key: str, rows: list[dict[str, Any]]) -> None:
        self._lock.append((json.dumps({"key": key, "rows": rows}) + "\n").encode())
        self.done[key] = rows


def _read_entry(line: bytes) -> tuple[str, list[dict[str, Any]]]:
    """The key (made canonical, so files from older versions match) and rows of one line."""
    try:
        entry = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON: {err.msg}, column {err.colno}") from None
    if not isinstance(entry, dict) or not {"key", "rows"} <= set(entry):
        raise ValueError("expected an object with 'key' and 'rows'")
    try:
        point = json.loads(entry["key"]) if isinstance(entry["key"], str) else None
    except json.JSONDecodeError:
        point = None
    if not isinstance(point, dict):
        raise ValueError(f"key {entry['key']!r} is not a grid point")
    rows = entry["rows"]
    if not isinstance(rows, list) or not all(
        isinstance(row, dict) and set(ROW_COLUMNS) <= set(row) for row in rows
    ):
        raise ValueError(f"rows are not a list of statistics with {', '.join(ROW_COLUMNS)}")
    return point_key(point), rows


def _rows_problem(
    rows: list[dict[str, Any]], outputs: Sequence[str], years: int, trials: int
) -> str | None:
    """What is wrong with a point's stored rows, or None."""
    expected = {(o, y) for o in outputs for y in range(1, years + 1)}  # years count from 1
    seen: set[tuple[Any, Any]] = set()
    for row in rows:
        place = (row.get("output"), row.get("year"))
        if place not in expected:
            return f"output {_short(place[0])}, year {_short(place[1])} is not one it computes"
        if place in seen:
            return f"output {place[0]!r}, year {place[1]} appears twice"
        seen.add(place)
        n = row["n"]
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= trials:
            return f"{place[0]!r}, year {place[1]}: n {_short(n)} is not a count of 0 to {trials} trials"
        stats = [c for c in ROW_COLUMNS if c not in ("output", "year", "n")]
        for column in stats:
            value = row[column]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"{place[0]!r}, year {place[1]}: {column} {_short(value)} is not a number"
            # NaN only where there are too few trials to compute it (as summarise does)
            if math.isnan(value) != (n == 0 or (column == "se" and n == 1)):
                return f"{place[0]!r}, year {place[1]}: {column} {value} with n {n}"
            if math.isinf(value):
                return f"{place[0]!r}, year {place[1]}: {column} is infinite"
        quantiles = [row[f"p{q}"] for q in PERCENTILES]
        if n and (row["se"] < 0 or any(a > b for a, b in itertools.pairwise(quantiles))):
            return f"{place[0]!r}, year {place[1]}: a negative se or percentiles out of order"
    if seen != expected:
        missing = sorted(expected - seen)[0]
        return f"no row for output {missing[0]!r}, year {missing[1]}"
    return None


def _short(value: Any) -> str:
    text = json.dumps(value)
    return (
        text
        if len(text) <= 60
        else "a different scenario"
        if isinstance(value, dict)
        else text[:57] + "..."
    )


# -- the sweep -----------------------------------------------------------------------------------
def progress_reporter(
    progress: bool | Callable[[int], None], total: int, desc: str
) -> tuple[Callable[[int], None] | None, Callable[[], None]]:
    """A ``(report(done), close())`` pair for ``progress=`` arguments: a bar, a callable or none."""
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="point", desc=desc)

        def report(done: int) -> None:
            bar.update(done - bar.n)

        return report, bar.close
    if callable(progress):
        return progress, lambda: None
    if progress is not False and progress is not None:
        raise ValueError(f"progress: {progress!r} is not True, False or a callable")
    return None, lambda: None


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    outputs: str | Sequence[str] | None = None,
    trials: int = 1000,
    seed: int | np.random.SeedSequence | None = None,
    threads: int | None = None,
    executor: Any = None,
    checkpoint: str | os.PathLike[str] | None = None,
    progress: bool | Callable[[int], None] = False,
    trials_per_task: int | None = None,
    history: str = "base",
) -> pd.DataFrame:
    """Evaluate the scenario at every point of a grid of dotted-path edits.

    Every point is simulated with the same seed (common random numbers), so the
    differences between points are paired: their noise is far smaller than the standard
    errors of the points themselves.

    Parameters
    ----------
    scenario
        The base scenario; each point edits it with :meth:`Scenario.with_`.
    grid
        ``{"dotted.path": [values, ...], ...}`` for every combination (the first path
        varies slowest), or a list of points ``[{"dotted.path": value, ...}, ...]``.
        Paths start at ``world`` or ``plans`` (e.g. ``"world.segments.smb.win_rate"``,
        ``"plans.csm:smb.measures.nrr.weight"``).
    outputs
        Output names (see :func:`per_trial`): KPI columns of :meth:`Result.kpis`,
        ``"earnings_per_<role>"`` or ``"<metric>:<segment>"``; None for every KPI and the
        earnings per role.
    trials
        Monte Carlo trials per point.
    seed
        One seed for every point; an int (0 included), a ``numpy.random.SeedSequence`` or
        None for fresh entropy. The seed used is in ``result.attrs["seed"]``.
    threads
        Engine threads per simulation; None uses every core when serial and 1 per work
        unit with an executor.
    executor
        A :class:`concurrent.futures.Executor` or a ``dask.distributed.Client``; None runs
        in this process. The result is identical either way.
    checkpoint
        A file path: each finished point is appended to it (JSON lines, keyed by the
        point's values, the scenario, the seed, trials and outputs). Running the same sweep
        again resumes without recomputing finished points; a file written by a different
        sweep raises ``ValueError``. Needs an explicit seed.
    progress
        True for a progress bar over points (notebook-aware), or a callable given the
        number of points done (finished points from a checkpoint included).
    trials_per_task
        Split each simulation into work units of this many trials (runs over trial ranges
        join exactly). None: one unit per point; plan-only sweeps with an executor split
        the shared world into :data:`DEFAULT_PLAN_ONLY_TASKS` units.
    history
        ``"base"`` (the default): every point starts from the base scenario's book at month
        0 and its edits apply from then on (a decision taken today); ``"own"``: each point's
        book is its own steady state (docs/model.md §4).

    Returns
    -------
    pandas.DataFrame
        One row per point, output and year: one column per grid path holding the point's
        value, then ``output``, ``year``, ``n`` (finite trials), ``mean``, ``se`` (standard
        error of the mean) and ``p5`` … ``p95``. Points keep grid order.

    Raises
    ------
    ValueError
        A bad grid (naming the path and value; a point's horizon, ``world.months``, must be
        at least a year, since outputs are yearly), output, seed, trial count or checkpoint
        (naming the file, and the line of a damaged one).
    SweepInterrupted
        On Ctrl-C (a :class:`KeyboardInterrupt`): its ``table`` holds the points that
        finished, and they are in the checkpoint too, if one was given.

    Examples
    --------
    >>> table = complab.sweep(scenario, {"plans.csm:smb.measures.nrr.weight": [0.2, 0.35, 0.5],
    ...                                  "plans.csm:smb.measures.gross_churn.weight": ...},
    ...                       outputs=["comp_csm", "nrr"], trials=500, seed=1)  # doctest: +SKIP
    """
    points = expand_grid(grid)
    paths = list(points[0])
    scenarios = build_scenarios(scenario, points)
    short = short_horizon(scenarios, 1)
    if short is not None:
        raise ValueError(
            f"grid point {describe_point(points[short])} simulates "
            f"{scenarios[short].world.months} months, under a year; outputs are yearly, so "
            "every point needs world.months >= 12"
        )
    names = check_outputs(outputs, scenario)
    trials = engine._positive_int("trials", trials)
    if threads is not None:
        threads = engine._positive_int("threads", threads)
    if checkpoint is not None and seed is None:
        raise ValueError(
            "checkpoint: needs an explicit seed, so that a rerun simulates the same draws; "
            "give seed=<int> or a numpy SeedSequence"
        )
    if history not in ("base", "own"):
        raise ValueError(f"history: {history!r} is not 'base' or 'own'")
    key, seed_record = resolve_seed(seed)
    keys = [point_key(p) for p in points]
    store = None
    if checkpoint is not None:
        from complab import __version__

        header = {
            "format": CHECKPOINT_FORMAT,
            "scenario": _plain(scenario.to_dict()),
            "seed": key,
            "trials": trials,
            "outputs": names,
            "version": __version__,
        }
        store = _Checkpoint(checkpoint, header)
    rows: dict[int, list[dict[str, Any]]] = {}
    try:
        if store is not None:
            expected = names or [*KPI_COLUMNS, *(f"earnings_per_{r}" for r in ROLES)]
            for i, k in enumerate(keys):
                stored = store.rows_for(k, expected, scenarios[i].world.months // 12, trials)
                if stored is not None:
                    rows[i] = stored
        report, close = progress_reporter(progress, len(points), "sweep")

        def on_point(index: int, table: pd.DataFrame) -> None:
            summary = summarise(table)
            if store is not None:
                store.write(keys[index], summary)
            rows[index] = summary
            if report is not None:
                report(len(rows))

        try:
            if report is not None and rows:
                report(len(rows))
            evaluate(
                scenarios,
                reuse_world=is_plan_only(paths, scenario),
                outputs=names,
                trials=trials,
                seed=key,
                threads=threads,
                executor=executor,
                trials_per_task=trials_per_task,
                skip=frozenset(rows),
                on_point=on_point,
                history=scenario if history == "base" else None,
            )
        except KeyboardInterrupt as err:
            finished = _table(points, rows, paths)
            finished.attrs.update(seed=seed_record, trials=trials, paths=paths)
            raise SweepInterrupted(
                finished, len(rows), len(points), None if store is None else store.path
            ) from err
        finally:
            close()
    finally:
        if store is not None:
            store.close()
    table = _table(points, rows, paths)
    table.attrs.update(seed=seed_record, trials=trials, paths=paths, scenario=scenario.to_yaml())
    return table


def _table(
    points: Sequence[Point], rows: Mapping[int, list[dict[str, Any]]], paths: list[str]
) -> pd.DataFrame:
    """The sweep's table of the points in ``rows``, in grid order."""
    records = [{**point, **row} for i, point in enumerate(points) if i in rows for row in rows[i]]
    return Table(pd.DataFrame.from_records(records, columns=[*paths, *ROW_COLUMNS]))


def short_horizon(scenarios: Sequence[Scenario], year: int) -> int | None:
    """The index of the first scenario whose horizon has no year ``year`` (counted from 1),
    or None."""
    for i, scenario in enumerate(scenarios):
        if scenario.world.months // 12 < year:
            return i
    return None
