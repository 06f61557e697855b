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
from pathlib import Path
from typing import Any

import numpy as np

from complab.result import Result
from complab.scenario import Scenario

FORMAT = "complab-result/2"
_PREFIX = "complab."


class VersionMismatchWarning(UserWarning):
    """A result file was written by another complab version than the one reading it."""


def save_result(result: Result, path: str | os.PathLike[str]) -> Path:
    """Write `result` to a Parquet file at `path` (see the module documentation).

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
    pq.write_table(table, path, compression="zstd")
    return path


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
        When the file is not a complab result, has another format, or its scenario cannot
        be read by this version.
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
    try:
        scenario = Scenario.from_yaml(meta["scenario"])
    except ValueError as err:
        raise ValueError(
            f"{path}: the scenario saved by complab {version} is not valid in complab {__version__}: {err}"
        ) from None
    layout = json.loads(meta["arrays"])
    arrays: dict[str, np.ndarray] = {}
    for name, spec in layout.items():
        values = table.column(name).combine_chunks().flatten().to_numpy(zero_copy_only=False)
        arrays[name] = np.ascontiguousarray(values, dtype=np.dtype(spec["dtype"])).reshape(
            spec["shape"]
        )
    result = Result(
        scenario=scenario,
        seed=json.loads(meta["seed"]),
        first_trial=int(meta["first_trial"]),
        arrays=arrays,
    )
    result.version = version
    return result
