"""Results that last: :meth:`Result.save` and :func:`load`, one Parquet file per result.

The file is a one-row Parquet table with one column per engine array (a list of the
array's values in C order, in its own type: int64 cents and counts, float64 pay, float32
effort), so the arrays come back bit for bit and other Parquet readers can open them.
The schema's metadata holds what is needed to rebuild and reproduce the result:

===========================  ==============================================================
key                          value
===========================  ==============================================================
``complab.format``           ``complab-result/4``; another format raises on load
``complab.version``          the complab version that made the arrays
``complab.scenario``         the scenario as YAML (:meth:`Scenario.to_yaml`)
``complab.seed``             the seed as :func:`complab.simulate` recorded it (JSON)
``complab.first_trial``      key of the first trial
``complab.trials``           number of trials
``complab.trials_per_draw``  trials sharing a draw of uncertain assumptions (absent: 1)
``complab.arrays``           each array's dtype and shape (JSON); kept account records
                             (``keep_accounts=True``) as arrays named ``account.<column>``
``complab.checksum``         SHA-256 of the arrays (names, dtypes, shapes, bytes) and of the
                             metadata above
===========================  ==============================================================

On load every check must pass, or ``ValueError`` names the file and what is wrong: the
checksum (a bit flipped, a block zeroed or a value edited anywhere), each array's dtype and
shape against the stored scenario (its months, years, segments, reps and periods), the seed,
the trial range (``first_trial + trials`` below 2**32) and the values (pay finite, every
trial complete).

``complab.simulate(load(path).scenario, trials, seed, first_trial=...)`` with the stored
values repeats the run exactly under the same complab version. A file written by another
version loads with a :class:`VersionMismatchWarning` (its figures may differ from a run of
this version); a file of another format raises ``ValueError``.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from complab.result import Result
from complab.scenario import Scenario

FORMAT = "complab-result/4"  # 4: the pay array gained quota_factor
_PREFIX = "complab."
# Metadata keys besides format and version, and the arrays a Result needs.
_REQUIRED_KEYS = ("scenario", "seed", "first_trial", "trials", "arrays")
_REQUIRED_ARRAYS = ("monthly", "cohorts", "rep_raw", "pay", "completed")
_ACCOUNT_PREFIX = "account."


class VersionMismatchWarning(UserWarning):
    """A result file was written by another complab version than the one reading it."""


def save_result(result: Result, path: str | os.PathLike[str]) -> Path:
    """Write `result` to a Parquet file at `path` (see the module documentation).

    The file appears whole or not at all: it is written under a temporary name in the same
    folder and then renamed.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    columns: dict[str, Any] = {}
    layout: dict[str, dict[str, Any]] = {}
    stored = {name: array for name, array in result.arrays.items() if array is not None}
    for name, column in (result.account_records or {}).items():
        stored[_ACCOUNT_PREFIX + name] = column
    for name, array in stored.items():
        arr = np.ascontiguousarray(array)
        layout[name] = {"dtype": arr.dtype.str, "shape": list(arr.shape)}
        flat = pa.array(arr.reshape(-1))
        columns[name] = pa.LargeListArray.from_arrays(
            pa.array([0, len(flat)], type=pa.int64()), flat
        )
    meta = {
        "format": FORMAT,
        "version": str(result.version),
        "scenario": result.scenario.to_yaml(),
        "seed": json.dumps(result.seed),
        "first_trial": str(int(result.first_trial)),
        "trials": str(int(result.trials)),
        "arrays": json.dumps(layout),
    }
    if result.trials_per_draw != 1:
        meta["trials_per_draw"] = str(int(result.trials_per_draw))
    if result.history is not None:
        meta["history"] = result.history.to_yaml()
    meta["checksum"] = checksum(stored, meta)
    table = pa.table(columns).replace_schema_metadata({_PREFIX + k: v for k, v in meta.items()})
    write_whole(path, lambda partial: pq.write_table(table, partial, compression="zstd"))
    return path


def checksum(arrays: dict[str, np.ndarray], meta: dict[str, str]) -> str:
    """SHA-256 of the arrays (name, dtype, shape and bytes, by name) and of the metadata
    (every key but the checksum itself)."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        arr = np.ascontiguousarray(arrays[name])
        digest.update(json.dumps([name, arr.dtype.str, list(arr.shape)]).encode())
        digest.update(arr.tobytes())
    fields = {k: v for k, v in meta.items() if k != "checksum"}
    digest.update(json.dumps(fields, sort_keys=True).encode())
    return digest.hexdigest()


def write_whole(path: Path, write: Callable[[Path], Any]) -> None:
    """``write(partial)`` to a file beside `path`, then moved into place: an interrupted
    write (a second Ctrl-C) leaves neither a half-written file nor a damaged earlier one.

    A symbolic link is written through (its target is replaced, the link stays); a path
    that exists but is not a regular file (a device, a pipe, a folder) is refused with
    ``ValueError``, since replacing it would destroy it.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise ValueError(f"{path}: cannot write there ({err.strerror or err})") from None
    if mode is not None and not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a device or a pipe)"
        raise ValueError(f"{path}: is {kind}; give the path of a file to write")
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def load(path: str | os.PathLike[str]) -> Result:
    """Read a result written by :meth:`Result.save`.

    Parameters
    ----------
    path
        The Parquet file.

    Returns
    -------
    Result
        Equal arrays, scenario, seed and first trial; ``version`` is the version that made
        the arrays.

    Warns
    -----
    VersionMismatchWarning
        When the file was written by another complab version.

    Raises
    ------
    ValueError
        When the file is not a complab result, has another format, its scenario cannot be
        read by this version, or it is damaged (a metadata key missing, an array whose
        values do not fill its recorded shape); the message names the file and what is
        wrong.
    FileNotFoundError
        When `path` does not exist.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from complab import __version__

    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(
            f"path: {type(path).__name__} {_short(path)} is not a file path (a str or os.PathLike)"
        )
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"result file {os.fspath(path)!r} does not exist")
    if not path.is_file():
        raise ValueError(f"{path}: not a regular file; a result is a Parquet file")
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as err:
        raise ValueError(f"{path}: not a Parquet file ({' '.join(str(err).split())})") from None
    raw = table.schema.metadata or {}
    try:
        meta = {
            k.decode()[len(_PREFIX) :]: v.decode()
            for k, v in raw.items()
            if k.decode().startswith(_PREFIX)
        }
    except UnicodeDecodeError:
        raise _damaged(path, "its metadata is not UTF-8 text") from None
    if "format" not in meta:
        raise ValueError(
            f"{path}: not a complab result file (no '{_PREFIX}format' in its metadata)"
        )
    version = meta.get("version", "unknown")
    if meta["format"] != FORMAT:
        raise ValueError(
            f"{path}: result format {meta['format']!r} written by complab {version}; this is "
            f"complab {__version__}, which reads {FORMAT!r}. Load it with complab {version}, or "
            "re-run the simulation from its scenario and seed."
        )
    seed, first_trial, trials, layout = _read_metadata(path, meta)
    try:
        scenario = Scenario.from_yaml(meta["scenario"])
    except ValueError as err:
        raise ValueError(
            f"{path}: the scenario saved by complab {version} is not valid in complab {__version__}: {err}"
        ) from None
    history = None
    if "history" in meta:
        try:
            history = Scenario.from_yaml(meta["history"])
        except ValueError as err:
            raise ValueError(
                f"{path}: the history scenario saved with the run is not valid: {err}"
            ) from None
    arrays = {name: _read_array(path, table, name, spec, trials) for name, spec in layout.items()}
    if meta.get("checksum") != checksum(arrays, meta):
        raise _damaged(
            path,
            "its arrays or metadata do not match the checksum stored when it was saved "
            "(bits changed or the file was edited)",
        )
    accounts = {
        name[len(_ACCOUNT_PREFIX) :]: arrays.pop(name)
        for name in list(arrays)
        if name.startswith(_ACCOUNT_PREFIX)
    }
    _check_contents(path, scenario, seed, first_trial, trials, arrays)
    per_draw = meta.get("trials_per_draw", "1")
    if not per_draw.isascii() or not per_draw.isdigit() or int(per_draw) < 1:
        raise _damaged(path, f"'{_PREFIX}trials_per_draw' is {per_draw!r}, not a whole number >= 1")
    result = Result(
        scenario=scenario,
        seed=seed,
        first_trial=first_trial,
        arrays=arrays,
        history=history,
        trials_per_draw=int(per_draw),
    )
    result.account_records = accounts or None
    result.version = version
    if version != __version__:  # warned once the file is known to be whole
        warnings.warn(
            f"{path}: written by complab {version}, read by complab {__version__}; the arrays "
            f"are loaded as they were, but a new run of the same scenario and seed may differ",
            VersionMismatchWarning,
            stacklevel=2,
        )
    return result


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _expected_shapes(scenario: Scenario, trials: int, effort: bool) -> dict[str, tuple[int, ...]]:
    """The shape of each array a run of `scenario` returns."""
    from complab import _core

    w = scenario.world
    reps = len(_core.roster(scenario._to_core())[0])
    periods = w.months // w.period_months
    measures = max([len(p.measures) for p in scenario.plans.values()] + [1])
    return {
        "monthly": (trials, w.months, len(_core.SERIES)),
        "cohorts": (trials, w.months // 12, len(w.segments), len(_core.COHORT_FIELDS)),
        "rep_raw": (trials, reps, periods, _core.NUM_RAW_SLOTS),
        "first_renewal_churn": (trials, reps, periods, 2),
        "rep_skill": (trials, reps),
        "rep_period_skill": (trials, reps, periods),
        "rep_terms": (trials, reps, periods, 2),
        "rep_own_terms": (trials, reps, periods, 2),
        "rep_tenure": (trials, reps, w.months),
        "pay": (trials, reps, periods, len(_core.PAY_FIELDS)),
        "measure_payout": (trials, reps, periods, measures),
        "completed": (trials,),
        "effort": (trials, reps, w.months if effort else 0, len(_core.EFFORT_FIELDS)),
    }


def _check_contents(
    path: Path,
    scenario: Scenario,
    seed: Any,
    first_trial: int,
    trials: int,
    arrays: dict[str, np.ndarray],
) -> None:
    """The metadata's ranges, and the arrays' shapes and values against the scenario."""
    from complab.engine import resolve_seed

    try:
        if isinstance(seed, dict) and set(seed) == {"entropy", "spawn_key"}:
            np.random.SeedSequence(seed["entropy"], spawn_key=seed["spawn_key"])
        else:
            resolve_seed(seed)
    except (TypeError, ValueError):
        raise _damaged(
            path,
            f"'{_PREFIX}seed' is {_short(seed)}, not a seed (an int in [0, 2**64) or a "
            "SeedSequence's entropy and spawn_key)",
        ) from None
    if trials < 1 or first_trial + trials > 2**32:
        raise _damaged(
            path,
            f"'{_PREFIX}first_trial' {first_trial} and '{_PREFIX}trials' {trials}: the trials "
            "must be at least 1 and their keys below 2**32",
        )
    effort = scenario.responsive
    for name, shape in _expected_shapes(scenario, trials, effort).items():
        if name in arrays and arrays[name].shape != shape:
            raise _damaged(
                path,
                f"array {name!r} has shape {arrays[name].shape}, but its scenario "
                f"(world.months {scenario.world.months}, {len(scenario.world.segments)} "
                f"segments) gives {shape}",
            )
    for name, array in arrays.items():
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise _damaged(path, f"array {name!r} holds NaN or infinite values")
    if not arrays["completed"].all():
        raise _damaged(path, "array 'completed' marks trials that did not finish")


def _damaged(path: Path, what: str) -> ValueError:
    return ValueError(
        f"{path}: {what}; the file is damaged or was not written by Result.save "
        "(re-run the simulation from its scenario and seed)"
    )


def _read_metadata(
    path: Path, meta: dict[str, str]
) -> tuple[Any, int, int, dict[str, dict[str, Any]]]:
    """The seed, first trial, trial count and array layout, each checked."""
    missing = [k for k in _REQUIRED_KEYS if k not in meta]
    if missing:
        raise _damaged(path, "its metadata has no " + ", ".join(f"'{_PREFIX}{k}'" for k in missing))
    try:
        seed = json.loads(meta["seed"])
    except json.JSONDecodeError:
        raise _damaged(path, f"'{_PREFIX}seed' is {meta['seed']!r}, not JSON") from None
    counts = {}
    for key in ("first_trial", "trials"):
        text = meta[key]
        if not text.isascii() or not text.isdigit():
            raise _damaged(path, f"'{_PREFIX}{key}' is {text!r}, not a whole number")
        counts[key] = int(text)
    try:
        layout = json.loads(meta["arrays"])
    except json.JSONDecodeError:
        layout = None
    if not isinstance(layout, dict) or not all(isinstance(v, dict) for v in layout.values()):
        raise _damaged(
            path, f"'{_PREFIX}arrays' is not a JSON object of each array's dtype and shape"
        )
    absent = [name for name in _REQUIRED_ARRAYS if name not in layout]
    if absent:
        raise _damaged(path, f"'{_PREFIX}arrays' lists no {', '.join(repr(a) for a in absent)}")
    return seed, counts["first_trial"], counts["trials"], layout


def _read_array(path: Path, table: Any, name: str, spec: dict[str, Any], trials: int) -> np.ndarray:
    """One array, checked against its recorded dtype and shape and the trial count."""
    import pyarrow as pa

    shape = spec.get("shape")
    if (
        not isinstance(shape, list)
        or not shape
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
    ):
        raise _damaged(path, f"array {name!r} has shape {shape!r}, not a list of sizes")
    if shape[0] != trials and not name.startswith(_ACCOUNT_PREFIX):
        raise _damaged(
            path,
            f"array {name!r} has shape {tuple(shape)}, but the file records {trials} trials",
        )
    dtype_text = spec.get("dtype")
    try:
        dtype = np.dtype(dtype_text) if isinstance(dtype_text, str) else None
    except TypeError:
        dtype = None
    if dtype is None:
        raise _damaged(path, f"array {name!r} has dtype {dtype_text!r}, not a NumPy dtype")
    if name not in table.column_names:
        raise _damaged(path, f"array {name!r} is listed in its metadata but has no column")
    column = table.column(name)
    if not (pa.types.is_list(column.type) or pa.types.is_large_list(column.type)):
        raise _damaged(path, f"column {name!r} is {column.type}, not a list of values")
    values = column.combine_chunks().flatten().to_numpy(zero_copy_only=False)
    size = int(np.prod(shape))
    if len(values) != size:
        raise _damaged(
            path,
            f"array {name!r} has {len(values)} values, but its recorded shape "
            f"{tuple(shape)} needs {size}",
        )
    try:
        return np.ascontiguousarray(values, dtype=dtype).reshape(shape)
    except (TypeError, ValueError) as err:
        raise _damaged(path, f"array {name!r} cannot be read as {dtype} ({err})") from None
