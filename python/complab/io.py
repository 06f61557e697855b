"""Results that last: :meth:`Result.save` and :func:`load`, one Parquet file per result.

The file is a one-row Parquet table with one column per engine array (a list of the
array's values in C order, in its own type: int64 cents and counts, float64 pay, float32
effort), so the arrays come back bit for bit and other Parquet readers can open them.
The schema's metadata holds what is needed to rebuild and reproduce the result:

=======================  ==============================================================
key                      value
=======================  ==============================================================
``complab.format``       ``complab-result/2``; another format raises on load
``complab.version``      the complab version that made the arrays
``complab.scenario``     the scenario as YAML (:meth:`Scenario.to_yaml`)
``complab.seed``         the seed as :func:`complab.simulate` recorded it (JSON)
``complab.first_trial``  key of the first trial
``complab.trials``       number of trials
``complab.arrays``       each array's dtype and shape (JSON)
=======================  ==============================================================

``complab.simulate(load(path).scenario, trials, seed, first_trial=...)`` with the stored
values repeats the run exactly under the same complab version. A file written by another
version loads with a :class:`VersionMismatchWarning` (its figures may differ from a run of
this version); a file of another format raises ``ValueError``.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from complab.result import Result
from complab.scenario import Scenario

FORMAT = "complab-result/2"
_PREFIX = "complab."
# Metadata keys besides format and version, and the arrays a Result needs.
_REQUIRED_KEYS = ("scenario", "seed", "first_trial", "trials", "arrays")
_REQUIRED_ARRAYS = ("monthly", "cohorts", "rep_raw", "pay", "completed")


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
    for name, array in result.arrays.items():
        if array is None:
            continue
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
    table = pa.table(columns).replace_schema_metadata({_PREFIX + k: v for k, v in meta.items()})
    write_whole(path, lambda partial: pq.write_table(table, partial, compression="zstd"))
    return path


def write_whole(path: Path, write: Callable[[Path], Any]) -> None:
    """``write(partial)`` to a file beside `path`, then moved into place: an interrupted
    write (a second Ctrl-C) leaves neither a half-written file nor a damaged earlier one."""
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

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"result file {os.fspath(path)!r} does not exist")
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as err:
        raise ValueError(f"{path}: not a Parquet file ({err})") from None
    raw = table.schema.metadata or {}
    meta = {
        k.decode()[len(_PREFIX) :]: v.decode()
        for k, v in raw.items()
        if k.decode().startswith(_PREFIX)
    }
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
    if version != __version__:
        warnings.warn(
            f"{path}: written by complab {version}, read by complab {__version__}; the arrays "
            f"are loaded as they were, but a new run of the same scenario and seed may differ",
            VersionMismatchWarning,
            stacklevel=2,
        )
    seed, first_trial, trials, layout = _read_metadata(path, meta)
    try:
        scenario = Scenario.from_yaml(meta["scenario"])
    except ValueError as err:
        raise ValueError(
            f"{path}: the scenario saved by complab {version} is not valid in complab {__version__}: {err}"
        ) from None
    arrays = {name: _read_array(path, table, name, spec, trials) for name, spec in layout.items()}
    result = Result(scenario=scenario, seed=seed, first_trial=first_trial, arrays=arrays)
    result.version = version
    return result


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
    if shape[0] != trials:
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
