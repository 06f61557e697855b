"""The ``complab`` command line.

Commands (``complab COMMAND --help`` for each):

- ``complab demo`` — the built-in default scenario: plans, a simulation with a progress bar,
  summary tables and an HTML report;
- ``complab run SCENARIO.yaml`` — simulate a scenario file, print its KPIs, optionally save
  the result (Parquet) and an HTML report;
- ``complab compare SCENARIO.yaml --variant NAME=OTHER.yaml --variant NAME:dotted.path=VALUE``
  — paired differences between variants on common random numbers;
- ``complab sweep SCENARIO.yaml --grid dotted.path=V1,V2,...`` — a grid of edits;
- ``complab report RESULT.parquet|SCENARIO.yaml -o report.html`` — a shareable report;
- ``complab presets`` — the built-in scenarios, usable anywhere as ``--preset NAME``;
- ``complab sample FOLDER`` — write the sample company's data (docs/data.md);
- ``complab calibrate FOLDER --as-of DATE -o scenario.yaml`` — a scenario from a company's
  data: its book on the date, its rates fitted to the history before it;
- ``complab backtest FOLDER --plans plans.yaml --start DATE --end DATE`` — what every rep
  would have earned under the plans on what actually happened;
- ``complab validate FOLDER --as-of DATE`` — the forecast from that date scored against
  the year that followed.

Exit status: 0 success, 1 an unexpected error (a bug: ``--debug`` shows the traceback),
2 bad usage or bad input (the message names the file and field), 130 interrupted (Ctrl-C).
Ctrl-C keeps what had finished: ``run`` saves the completed trials to ``--out`` and
``--report``, ``sweep`` the finished points to ``--out`` (and ``--checkpoint`` lets the same
command resume).
"""

from __future__ import annotations

import sys

try:
    import argparse
    import os
    from collections.abc import Sequence
    from pathlib import Path
    from typing import TYPE_CHECKING, Any
except KeyboardInterrupt:  # Ctrl-C as the `complab` command starts: as in complab/__init__.py
    print("\ncomplab: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

if TYPE_CHECKING:  # numpy and pandas load inside main, where Ctrl-C exits cleanly
    import pandas as pd

    from complab.result import Result
    from complab.scenario import Scenario

EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_TRIALS = 1000
DEFAULT_SEED = 2026
DEMO_REPORT = "complab-demo-report.html"
#: KPIs the ``run`` and ``demo`` summary prints.
SUMMARY_KPIS = (
    "arr_end",
    "nrr",
    "grr",
    "logo_churn",
    "new_arr",
    "csql_count",
    "handoff_acceptance",
    "comp_total",
    "cost_of_sales",
    "earnings_per_ae",
    "earnings_per_sdr",
    "earnings_per_csm",
)
#: KPIs ``compare`` prints unless ``--kpi`` is given.
COMPARE_KPIS = (
    "arr_end",
    "nrr",
    "grr",
    "logo_churn",
    "comp_total",
    "earnings_per_ae",
    "earnings_per_csm",
)
#: Outputs ``sweep`` prints unless ``--output`` is given.
SWEEP_OUTPUTS = ("arr_end", "nrr", "grr", "comp_total", "budget", "cost_of_sales")


class UsageError(ValueError):
    """Bad input on the command line; reported in one line with exit status 2."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a command, after what had finished was saved; the message says what
    (``interrupted after ...``). Reported in one line with exit status 130."""


# -- inputs ------------------------------------------------------------------------------------
def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def load_scenario_file(path: str | os.PathLike[str]) -> Scenario:
    """A scenario from a YAML (or JSON) file; errors name the file, then the field.

    Raises
    ------
    UsageError
        When the file is missing, unreadable, not YAML, or not a valid scenario.
    """
    import yaml

    from complab.scenario import (
        Scenario,
        load_yaml,
        read_book_file,
        read_scenario_file,
        yaml_problem,
    )

    p = Path(path)
    if p.suffix.lower() == ".parquet":
        raise UsageError(
            f"'{p}' is a result file (Parquet); a scenario is YAML, e.g. from Scenario.to_yaml"
        )
    try:
        text = read_scenario_file(p)  # a regular file of bounded size: no pipe or device
    except FileNotFoundError:
        raise UsageError(f"scenario file '{p}' does not exist") from None
    except ValueError as err:
        raise UsageError(_one_line(str(err))) from None
    try:
        data = load_yaml(text)  # as Scenario.from_yaml reads it: 1e5 a number, no repeated keys
    except yaml.YAMLError as err:
        raise UsageError(f"{p}: not valid YAML ({yaml_problem(err)})") from None
    except RecursionError:
        raise UsageError(f"{p}: not valid YAML (values nested too deeply)") from None
    if data is None:
        raise UsageError(f"{p}: the file is empty; a scenario has 'world' and 'plans'")
    try:
        return Scenario.from_dict(read_book_file(data, p.parent))
    except ValueError as err:
        raise UsageError(f"{p}: {_one_line(str(err))}") from None


def _preset(name: str) -> Scenario:
    from complab import presets

    if name not in presets.list():
        raise UsageError(
            f"--preset: '{name}' is not a preset; presets: {', '.join(presets.list())}"
        )
    return presets.get(name)


def _scenario_from_args(args: argparse.Namespace) -> Scenario:
    if args.scenario is not None and args.preset is not None:
        raise UsageError(
            f"give a scenario file or --preset, not both (got '{args.scenario}' and --preset {args.preset})"
        )
    if args.preset is not None:
        return _preset(args.preset)
    if args.scenario is None:
        raise UsageError(
            "no scenario: give a scenario file (YAML) or --preset NAME (see 'complab presets')"
        )
    return load_scenario_file(args.scenario)


def parse_value(text: str) -> Any:
    """A command-line value: int, float, true/false, null, a YAML list or mapping, else text.

    ``160_000`` and ``1e5`` are numbers; ``[0.2, 0.1]`` a list; ``smb`` the text ``"smb"``.
    """
    import yaml

    s = text.strip()
    for convert in (int, float):
        try:
            return convert(s)
        except ValueError:
            pass
    try:
        return yaml.safe_load(s)
    except yaml.YAMLError:
        return s


def split_values(text: str) -> list[str]:
    """Split ``v1,v2,...`` at commas outside brackets and braces (``[0.2,0.1],[0.3,0.1]`` is two)."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_variants(specs: Sequence[str], base: Scenario) -> dict[str, Any]:
    """Variants for :func:`complab.compare` from ``--variant`` options.

    ``NAME=FILE.yaml`` (a whole scenario), ``NAME=preset:PRESET`` (the preset's plans on
    the base's world) or ``NAME:dotted.path=VALUE`` (an edit of the base; repeat with the
    same NAME for several edits of one variant).
    """
    variants: dict[str, Any] = {}
    for spec in specs:
        left, eq, right = spec.partition("=")
        if not eq or not left or not right:
            raise UsageError(
                f"--variant '{spec}': expected NAME=FILE.yaml, NAME=preset:PRESET or "
                "NAME:dotted.path=VALUE"
            )
        if ":" in left:
            name, _, path = left.partition(":")
            if not name or not path:
                raise UsageError(f"--variant '{spec}': expected NAME:dotted.path=VALUE")
            edits = variants.setdefault(name, {})
            if not isinstance(edits, dict):
                raise UsageError(
                    f"--variant '{spec}': variant '{name}' is already a whole scenario"
                )
            edits[path] = parse_value(right)
        else:
            if left in variants:
                raise UsageError(f"--variant '{spec}': variant '{left}' is given twice")
            variants[left] = (
                _preset_variant(left, right[len("preset:") :], base)
                if right.startswith("preset:")
                else load_scenario_file(right)
            )
    for name, edits in variants.items():
        if isinstance(edits, dict):
            try:
                base.with_(edits)
            except ValueError as err:
                raise UsageError(f"--variant {name}: {_one_line(str(err))}") from None
    return variants


def _preset_variant(name: str, preset: str, base: Scenario) -> Scenario:
    """``--variant NAME=preset:PRESET``: the preset's plans on the base's world.

    A plan preset is the default world with other plans; compared whole with a scenario of
    another world it would measure the change of business, not of plan. So its plans are
    paid in the base's world. A preset that changes the world (the Gainsight stages) is
    refused unless the base is the default world, which that preset varies.
    """
    from complab import presets
    from complab.scenario import Scenario

    scenario = _preset(preset)
    if scenario.world == base.world or base.world == presets.default_world():
        return scenario  # the preset is a variant of the base's own business
    if scenario.world != presets.default_world():
        raise UsageError(
            f"--variant {name}=preset:{preset}: preset {preset} changes the world (the "
            "business), not only the plans, and this scenario's world differs from it, so the "
            "comparison would measure two different businesses; compare it against "
            f"--preset default, or write it out (complab presets --yaml {preset} > "
            f"{preset}.yaml) and give --variant {name}={preset}.yaml to compare whole scenarios"
        )
    missing = sorted(
        key
        for key in scenario.plans
        if ":" in key and key.partition(":")[2] not in base.world.segment_names()
    )
    if missing:
        raise UsageError(
            f"--variant {name}=preset:{preset}: the preset's plans {', '.join(missing)} are "
            f"for segments this scenario does not have (segments: "
            f"{', '.join(base.world.segment_names())}); write the change as edits, "
            f"--variant {name}:plans.KEY.FIELD=VALUE"
        )
    try:
        return Scenario(world=base.world, plans=scenario.plans)
    except ValueError as err:
        raise UsageError(f"--variant {name}=preset:{preset}: {_one_line(str(err))}") from None


def parse_grid(specs: Sequence[str]) -> dict[str, list[Any]]:
    """A sweep grid from ``--grid dotted.path=V1,V2,...`` options."""
    grid: dict[str, list[Any]] = {}
    for spec in specs:
        path, eq, values = spec.partition("=")
        if not eq or not path or not values:
            raise UsageError(
                f"--grid '{spec}': expected dotted.path=V1,V2,... "
                "(e.g. plans.csm:smb.ote=80000,90000,100000)"
            )
        if path in grid:
            raise UsageError(f"--grid '{spec}': path '{path}' is given twice")
        grid[path] = [parse_value(v) for v in split_values(values)]
    return grid


def _check_writable(path: str | None, option: str) -> None:
    """Fail before a long run when an output file cannot be written."""
    if path is None:
        return
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{option}: '{p}' is a folder; give a file name")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{option}: cannot write '{p}': folder '{parent}' does not exist")


def _year(value: int | None, years: int) -> int:
    """``--year`` checked against the horizon's years (None: the last); years count from 1
    on the command line as in the tables."""
    if value is None:
        return years
    if not 1 <= value <= years:
        raise UsageError(f"--year: {value} is not between 1 and {years} (year 1 is the first)")
    return value


# -- output ------------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    """Large numbers (money, counts) in full with thousands separators, others to 4 digits."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def print_summary(result: Result) -> None:
    """The KPI and retention tables the demo and ``run`` print."""
    if result.years == 0:  # the tables are yearly
        print(
            f"\nNo yearly tables: {result.months} months simulated, under a year "
            "(world.months >= 12 gives them)."
        )
        return
    summary = result.summary()
    rows = summary[summary["kpi"].isin(SUMMARY_KPIS)].copy()
    print("\nCompany KPIs by year 1, 2, ... (mean, standard error, P10 / P50 / P90):")
    print(
        rows[["kpi", "year", "mean", "se", "p10", "p50", "p90"]].to_string(
            index=False, float_format=_fmt
        )
    )
    cohorts = result.cohorts()
    seg = cohorts.groupby("segment")[["nrr", "grr", "logo_churn"]].mean()
    print("\nAnnual retention by segment (mean over trials and years):")
    print(seg.to_string(float_format=lambda x: f"{x:.3f}"))


def _simulate(scenario: Scenario, args: argparse.Namespace) -> Result:
    """Run the simulation; a limit met at run time names the scenario file and the field."""
    import complab

    try:
        return complab.simulate(
            scenario,
            trials=args.trials,
            seed=args.seed,
            threads=args.threads,
            progress=not args.quiet,
        )
    except ValueError as err:
        preset = getattr(args, "preset", None) or "default"  # the demo runs the default
        source = getattr(args, "scenario", None) or getattr(args, "source", None)
        source = source or f"preset {preset}"
        raise UsageError(f"{source}: {_one_line(str(err))}") from None


def _write_report(
    result: Result, path: str, title: str | None = None, source: str | None = None
) -> None:
    from complab.report import report

    written = report(result, path, title=title, source=source)
    print(f"\nReport: {written.resolve()}")


# -- commands ----------------------------------------------------------------------------------
def _demo(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    import complab
    from complab import presets
    from complab.plans import payout_table

    report_path = None if args.no_report else args.report
    _check_writable(report_path, "--report")
    scenario = presets.default()
    pd.set_option("display.width", 140)
    pd.set_option("display.max_columns", 20)
    print(f"complab {complab.__version__} — built-in default scenario\n")
    print("Plans (targets per compensation period):")
    for key in ("ae:mid_market", "sdr", "csm:mid_market"):
        print(f"\n[{key}]")
        print(scenario.plans[key].describe().to_string(index=False))
    print("\nPayout at attainments 0–200% (share of target variable pay):")
    table = payout_table(
        {k: scenario.plans[k] for k in ("ae:mid_market", "sdr", "csm:mid_market")},
        attainments=np.linspace(0.0, 2.0, 11),
    )
    print(table.to_string())  # the index is the attainment

    print(
        f"\nSimulating {args.trials} trials of {scenario.world.months} months (seed {args.seed})..."
    )
    result = _simulate(scenario, args)
    print_summary(result)
    if report_path is not None:
        _write_report(result, report_path, source="the built-in default scenario")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    import pandas as pd

    scenario = _scenario_from_args(args)
    _check_writable(args.out, "--out")
    _check_writable(args.report, "--report")
    name = args.preset and f"preset {args.preset}" or args.scenario
    print(
        f"Simulating {args.trials} trials of {scenario.world.months} months of {name} (seed {args.seed})...",
        flush=True,
    )
    from complab.engine import SimulationInterrupted

    try:
        result = _simulate(scenario, args)
    except SimulationInterrupted as err:
        raise Interrupted(_save_interrupted_run(err.partial, args, name)) from err
    try:
        pd.set_option("display.width", 140)
        print_summary(result)
    except KeyboardInterrupt as err:  # the run finished: Ctrl-C while printing keeps it
        raise Interrupted(_save_interrupted_run(result, args, name)) from err
    if args.out is not None:
        result.save(args.out)
        print(f"\nResult: {Path(args.out).resolve()}")
    if args.report is not None:
        try:
            _write_report(result, args.report, title=args.title, source=name)
        except KeyboardInterrupt as err:
            raise Interrupted(
                f"interrupted while writing the report; the result is saved to {args.out}"
                if args.out is not None
                else "interrupted while writing the report"
            ) from err
    return EXIT_OK


def _save_interrupted_run(partial: Result, args: argparse.Namespace, name: str) -> str:
    """Save an interrupted run's finished trials where ``--out`` and ``--report`` ask; the
    message that says what was saved."""
    from complab.report import report

    message = (
        f"interrupted after {partial.trials} completed trials"
        if partial.trials < args.trials
        else f"interrupted after all {partial.trials} trials finished"
    )
    targets = [(path, kind) for path, kind in ((args.out, "out"), (args.report, "report")) if path]
    if not targets:
        return message
    if partial.trials == 0:
        return message + "; nothing to save"
    saved, failed = [], []
    for path, kind in targets:
        try:
            if kind == "out":
                partial.save(path)
            else:
                report(
                    partial,
                    path,
                    title=args.title,
                    source=f"{name} (interrupted: {partial.trials} of {args.trials} trials)",
                )
            saved.append(str(Path(path).resolve()))
        except (OSError, ValueError) as err:
            failed.append(f"could not write {path} ({_one_line(str(err))})")
    if saved:
        message += f"; saved them to {' and '.join(saved)}"
    return "; ".join([message, *failed])


def _last_common_year(
    scenarios: Sequence[Scenario], labels: Sequence[str], year: int | None, what: str
) -> int:
    """The year to print (counted from 1): ``--year`` checked against every scenario's
    horizon, or by default the last year every scenario has.

    Raises
    ------
    UsageError
        Naming the first scenario (by its label) whose horizon is under a year, or has no
        year ``--year``, with the months that year needs.
    """
    from complab.sweeps import short_horizon

    if year is not None and year < 1:
        raise UsageError(f"--year: {year} is not a year (year 1 is the first)")
    short = short_horizon(scenarios, 1)
    if short is not None:
        raise UsageError(
            f"{labels[short]} simulates {scenarios[short].world.months} months, under a year; "
            f"the tables are yearly, so every {what} needs world.months >= 12"
        )
    horizons = [s.world.months // 12 for s in scenarios]
    if year is None:
        return min(horizons)
    if len(set(horizons)) == 1:
        return _year(year, horizons[0])
    short = short_horizon(scenarios, year)
    if short is not None:
        raise UsageError(
            f"--year {year}: {labels[short]} simulates {scenarios[short].world.months} months, "
            f"which has no year {year}; --year {year} needs world.months >= {12 * year} "
            f"at every {what}"
        )
    return year


def _write_csv(table: pd.DataFrame, path: str) -> None:
    """Write a table whole or not at all."""
    from complab.io import write_whole

    write_whole(Path(path), lambda partial: table.to_csv(partial, index=False))


def _compare_kpi(name: str) -> str:
    """A --kpi of compare: a company KPI or ``metric:segment`` (the segment is checked
    against the scenario before anything runs)."""
    from complab.compare import KPI_NAMES, WORKFORCE_KPIS
    from complab.result import COHORT_METRICS

    metric, _, segment = name.partition(":")
    if name in KPI_NAMES or name in WORKFORCE_KPIS or (metric in COHORT_METRICS and segment):
        return name
    raise argparse.ArgumentTypeError(
        f"{name!r} is not a KPI (choose from {', '.join(KPI_NAMES)}; with a workforce "
        f"{', '.join(WORKFORCE_KPIS)}; or "
        f"{', '.join(m + ':SEGMENT' for m in COHORT_METRICS)})"
    )


def _compare(args: argparse.Namespace) -> int:
    import complab

    scenario = _scenario_from_args(args)
    for kpi in args.kpi or []:
        segment = kpi.partition(":")[2]
        if segment and segment not in scenario.world.segment_names():
            raise UsageError(
                f"--kpi {kpi}: no segment {segment!r} (segments: "
                f"{', '.join(scenario.world.segment_names())})"
            )
    if not args.variant:
        raise UsageError("compare: give at least one --variant")
    variants = parse_variants(args.variant, scenario)
    _check_writable(args.out, "--out")
    _check_writable(args.report, "--report")
    runs = [scenario] + [scenario.with_(v) if isinstance(v, dict) else v for v in variants.values()]
    labels = ["the scenario"] + [f"--variant {name}" for name in variants]
    import pandas as pd

    year = _last_common_year(runs, labels, args.year, "run (the scenario and each variant)")
    print(
        f"Comparing {len(variants)} variant(s) with the base on {args.trials} paired trials (seed {args.seed})..."
    )
    comparison = complab.compare(
        scenario,
        variants,
        trials=args.trials,
        seed=args.seed,
        threads=args.threads,
        progress=not args.quiet,
    )
    kpis = args.kpi or [k for k in COMPARE_KPIS if k in set(comparison.table()["kpi"])]
    table = comparison.table(kpis, year=year)
    shown = table[
        ["variant", "kpi", "base_mean", "variant_mean", "diff", "ci_low", "ci_high", "method"]
    ]
    pd.set_option("display.width", 160)
    print(f"\nDifferences variant − base in year {year} (mean of paired trials, 95% interval):")
    print(shown.to_string(index=False, float_format=_fmt))
    if args.out is not None:
        _write_csv(comparison.table(), args.out)
        print(f"\nAll KPIs and years: {Path(args.out).resolve()}")
    if args.report is not None:
        from complab.report import report

        written = report(comparison, args.report, title=args.title, year=year)
        print(f"\nReport: {written.resolve()}")
    return EXIT_OK


def _sweep(args: argparse.Namespace) -> int:
    import complab

    scenario = _scenario_from_args(args)
    if not args.grid:
        raise UsageError("sweep: give at least one --grid dotted.path=V1,V2,...")
    grid = parse_grid(args.grid)
    _check_writable(args.out, "--out")
    _check_writable(args.report, "--report")
    _check_writable(args.checkpoint, "--checkpoint")
    outputs = args.output or None
    spec: Any = grid
    if args.together:
        lengths = {path: len(v) for path, v in grid.items()}
        if len(set(lengths.values())) != 1:
            raise UsageError(
                "--together: every --grid needs the same number of values; got "
                + ", ".join(f"{p}: {n}" for p, n in lengths.items())
            )
        spec = [dict(zip(grid, values, strict=True)) for values in zip(*grid.values(), strict=True)]
    from complab.sweeps import SweepInterrupted, build_scenarios, expand_grid

    try:
        grid_points = expand_grid(spec)
        scenarios = build_scenarios(scenario, grid_points)
    except ValueError as err:
        hint = (
            (
                "; weights of a plan must move together: give each weight its own --grid and "
                "add --together"
            )
            if "must sum to 1" in str(err) and not args.together
            else ""
        )
        raise UsageError(f"--grid: {_one_line(str(err))}{hint}") from None
    labels = [
        "grid point " + ", ".join(f"{path}={value}" for path, value in point.items())
        for point in grid_points
    ]
    year = _last_common_year(scenarios, labels, args.year, "grid point")
    print(f"Sweeping {len(grid_points)} points × {args.trials} trials (seed {args.seed})...")
    try:
        table = complab.sweep(
            scenario,
            spec,
            outputs=outputs,
            trials=args.trials,
            seed=args.seed,
            threads=args.threads,
            progress=not args.quiet,
            checkpoint=args.checkpoint,
        )
    except SweepInterrupted as err:
        message = f"interrupted after {err.done} of {err.total} grid points"
        if args.out is not None:
            if err.done:
                _write_csv(err.table, args.out)
                message += f"; saved them to {Path(args.out).resolve()}"
            else:
                message += "; nothing to save"
        if args.checkpoint is not None:
            message += (
                f"; finished points are in the checkpoint {args.checkpoint}: "
                "the same command resumes from it"
            )
        raise Interrupted(message) from err
    import pandas as pd

    shown_outputs = args.output or [o for o in SWEEP_OUTPUTS if o in set(table["output"])]
    paths = list(grid)
    rows = table[(table["year"] == year) & table["output"].isin(shown_outputs)].copy()
    for path in paths:  # list values (e.g. a hazard table) are shown as text
        rows[path] = [v if isinstance(v, (int, float, str, bool)) else str(v) for v in rows[path]]
    wide = rows.set_index(paths + ["output"])["mean"].unstack("output")
    wide = wide.reindex(index=rows.set_index(paths).index.unique(), columns=shown_outputs)
    pd.set_option("display.width", 160)
    print(f"\nMean over trials in year {year}, one row per grid point:")
    print(wide.to_string(float_format=_fmt))
    if args.out is not None:
        _write_csv(table, args.out)
        print(f"\nEvery output, year and statistic: {Path(args.out).resolve()}")
    if args.report is not None:
        from complab.report import report

        written = report(table, args.report, title=args.title, year=year, scenario=scenario)
        print(f"\nReport: {written.resolve()}")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    import complab

    _check_writable(args.output, "--output")
    source = args.source
    if source is not None and args.preset is not None:
        raise UsageError(
            f"give a result or scenario file, or --preset, not both (got '{source}' and --preset)"
        )
    if source is not None and Path(source).suffix.lower() == ".parquet":
        if not Path(source).exists():
            raise UsageError(f"result file '{source}' does not exist")
        try:
            result = complab.load(source)
        except ValueError as err:
            raise UsageError(_one_line(str(err))) from None
        name = Path(source).name
    else:
        ns = argparse.Namespace(**{**vars(args), "scenario": source})
        scenario = _scenario_from_args(ns)
        name = args.preset and f"preset {args.preset}" or source
        print(f"Simulating {args.trials} trials of {name} (seed {args.seed})...")
        result = _simulate(scenario, args)
    _write_report(result, args.output, title=args.title, source=name)
    return EXIT_OK


#: One line per preset for ``complab presets`` (the presets module's table, in short).
PRESET_LINES = {
    "default": "three segments calibrated to retention benchmarks; CSM paid 65% churn / 35% NRR",
    "churn_and_nrr": "the default's CSM plan under the article's name: 65% churn, 35% NRR",
    "first_renewal_clawback": "AE repays commission on accounts lost at their first renewal",
    "shared_nrr": "NRR on both the AE and the CSM plans, so they co-operate on hand-offs",
    "csql_strategy": "CSM paid on CSQL pipeline (once churn < 10%), AE on expansion bookings",
    "expansion_pipeline": "every CSM on expansion pipeline; enterprise CSMs also on expand rate",
    "gainsight_reactive": "a reactive CS organisation: company NRR about 92%",
    "gainsight_proactive": "a proactive CS organisation: about 25 points more NRR",
    "workforce": "reps ramp, leave and are backfilled: AE 9-month ramp, 20% a year, 60 days",
    "ratchet": "AE quotas rise with last year's over-attainment (and fall less after a miss)",
}


def _presets(args: argparse.Namespace) -> int:
    from complab import presets

    names = presets.list()
    if args.yaml is not None:
        if args.yaml not in names:
            raise UsageError(f"--yaml: no preset {args.yaml!r} (presets: {', '.join(names)})")
        print(presets.get(args.yaml).to_yaml(), end="")
        return EXIT_OK
    width = max(len(n) for n in names)
    print("Built-in scenarios (use with --preset NAME):\n")
    for name in names:
        fn, _ = presets.PRESETS[name]
        line = PRESET_LINES.get(name) or _one_line((fn.__doc__ or "").split("\n\n")[0]).replace(
            "``", ""
        )
        print(f"  {name:<{width}}  {line}")
    return EXIT_OK


# -- the parser --------------------------------------------------------------------------------
def _run_options(p: argparse.ArgumentParser, trials: int = DEFAULT_TRIALS) -> None:
    g = p.add_argument_group("simulation")
    g.add_argument(
        "--trials",
        type=int,
        default=trials,
        metavar="N",
        help=f"Monte Carlo trials (default {trials})",
    )
    g.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"random seed; the same seed gives the same numbers (default {DEFAULT_SEED})",
    )
    g.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help="worker threads (default: all cores; the answer does not depend on it)",
    )
    g.add_argument("--quiet", action="store_true", help="no progress bar")


def _scenario_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO.yaml",
        help="scenario file (YAML); or give --preset",
    )
    p.add_argument(
        "--preset",
        metavar="NAME",
        help="a built-in scenario instead of a file (see 'complab presets')",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``complab`` argument parser."""
    from complab import __version__

    parser = argparse.ArgumentParser(
        prog="complab",
        description="Monte Carlo simulation of compensation plans and KPIs for subscription businesses.",
        epilog="Run 'complab COMMAND --help' for a command's options. Exit status: 0 success, "
        "2 bad usage or input, 130 interrupted, 1 unexpected error.",
    )
    parser.add_argument("--version", action="version", version=f"complab {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of unexpected errors"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="run the built-in default scenario, print its tables, write a report",
        description="Simulate the built-in default scenario: print its plans, the payout "
        "table, KPI and retention tables, and write an HTML report.",
    )
    _run_options(demo)
    demo.add_argument(
        "--report",
        default=DEMO_REPORT,
        metavar="FILE.html",
        help=f"where to write the HTML report (default {DEMO_REPORT})",
    )
    demo.add_argument("--no-report", action="store_true", help="do not write a report")
    demo.set_defaults(func=_demo)

    run = sub.add_parser(
        "run",
        help="simulate a scenario file and print its KPIs",
        description="Simulate a scenario and print KPI and retention tables; optionally "
        "save the result (Parquet) and an HTML report.",
        epilog="Example: complab run scenario.yaml --trials 2000 --out result.parquet "
        "--report report.html",
    )
    _scenario_options(run)
    _run_options(run)
    run.add_argument(
        "--out",
        metavar="RESULT.parquet",
        help="save the result (read it with complab.load); on Ctrl-C, the finished trials",
    )
    run.add_argument(
        "--report",
        metavar="FILE.html",
        help="write an HTML report; on Ctrl-C, of the finished trials",
    )
    run.add_argument("--title", help="the report's title")
    run.set_defaults(func=_run)

    compare = sub.add_parser(
        "compare",
        help="paired differences between a scenario and its variants",
        description="Run a base scenario and its variants on common random numbers and print the "
        "paired differences of the main KPIs, with 95% intervals.",
        epilog="Variants: NAME=OTHER.yaml (a whole scenario), NAME=preset:PRESET (the preset's "
        "plans on this scenario's world), or "
        "NAME:dotted.path=VALUE (an edit of the base; repeat NAME for several edits). Example: "
        "complab compare --preset default --variant richer:plans.csm:smb.ote=100000 "
        "--variant clawback=preset:first_renewal_clawback",
    )
    _scenario_options(compare)
    _run_options(compare)
    compare.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="SPEC",
        help="a variant (repeatable); see below",
    )
    compare.add_argument(
        "--kpi",
        action="append",
        metavar="KPI",
        type=_compare_kpi,  # a misspelling fails at once, not after the runs
        help=f"a KPI to print (repeatable; default: {', '.join(COMPARE_KPIS)}); also a "
        "segment's cohort metric, e.g. nrr:smb",
    )
    compare.add_argument(
        "--year",
        type=int,
        metavar="N",
        help="year to print, 1 = the first (default: the last year every run has)",
    )
    compare.add_argument(
        "--out",
        metavar="FILE.csv",
        help="write every KPI and year (complab.Comparison.table; years from 1)",
    )
    compare.add_argument(
        "--report",
        metavar="FILE.html",
        help="write the decision report: differences, budget and per-rep keep-whole, in the "
        "year printed",
    )
    compare.add_argument("--title", help="the report's title")
    compare.set_defaults(func=_compare)

    sweep = sub.add_parser(
        "sweep",
        help="evaluate a scenario over a grid of edits",
        description="Evaluate the scenario at every combination of the grid's values, all on the same "
        "random numbers, and print the mean of the main outputs per point.",
        epilog="Examples: complab sweep --preset default --grid plans.csm:smb.ote=80000,90000,100000; "
        "weights of one plan must sum to 1 at every point, so move them together: complab sweep "
        "--preset default --together --grid plans.csm:smb.measures.gross_churn.weight=0.5,0.65,0.9 "
        "--grid plans.csm:smb.measures.nrr.weight=0.5,0.35,0.1",
    )
    _scenario_options(sweep)
    _run_options(sweep, trials=500)
    sweep.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="PATH=V1,V2,...",
        help="a dotted path and its values (repeatable; every combination is run)",
    )
    sweep.add_argument(
        "--together",
        action="store_true",
        help="vary the --grid paths together, point by point (same number of values each), "
        "instead of running every combination",
    )
    sweep.add_argument(
        "--output",
        action="append",
        metavar="NAME",
        help=f"an output to compute and print (repeatable; default: every KPI, printing "
        f"{', '.join(SWEEP_OUTPUTS)})",
    )
    sweep.add_argument(
        "--year",
        type=int,
        metavar="N",
        help="year to print, 1 = the first (default: the last year every point has)",
    )
    sweep.add_argument(
        "--out",
        metavar="FILE.csv",
        help="write the table (complab.sweep's; years from 1); on Ctrl-C, the points that finished",
    )
    sweep.add_argument(
        "--checkpoint",
        metavar="FILE.jsonl",
        help="keep each finished point in this file; the same command again resumes "
        "where an interrupted sweep stopped (complab.sweep's checkpoint=)",
    )
    sweep.add_argument(
        "--report",
        metavar="FILE.html",
        help="write the decision report: each point's outputs and budget, in the year printed",
    )
    sweep.add_argument("--title", help="the report's title")
    sweep.set_defaults(func=_sweep)

    report = sub.add_parser(
        "report",
        help="write a shareable HTML report of a result or scenario",
        description="Write one self-contained HTML file (charts and styles inline, nothing loaded from the "
        "network) from a saved result (.parquet) or by simulating a scenario.",
        epilog="Example: complab report result.parquet -o report.html",
    )
    report.add_argument(
        "source",
        nargs="?",
        metavar="RESULT.parquet|SCENARIO.yaml",
        help="a result saved by 'complab run --out' or Result.save, or a scenario file",
    )
    report.add_argument("--preset", metavar="NAME", help="simulate a built-in scenario instead")
    report.add_argument(
        "-o",
        "--output",
        default="report.html",
        metavar="FILE.html",
        help="the HTML file to write (default report.html)",
    )
    report.add_argument("--title", help="the report's title")
    _run_options(report)
    report.set_defaults(func=_report)

    presets = sub.add_parser(
        "presets",
        help="list the built-in scenarios, or print one as a scenario file",
        description="List the built-in scenarios usable with --preset NAME; with --yaml NAME, "
        "print that scenario as YAML to start a scenario file from.",
    )
    presets.add_argument(
        "--yaml", metavar="NAME", help="print the preset NAME as a scenario file (YAML)"
    )
    presets.set_defaults(func=_presets)
    _company_commands(sub)
    return parser


# -- a company's own data (docs/data.md) -------------------------------------------------------
def _company_commands(sub: Any) -> None:
    sample = sub.add_parser(
        "sample",
        help="write the sample company's three-year history (CSV) to a folder",
        description="Write a synthetic company's history in the data schema (docs/data.md), "
        "generated from complab.datasets.SAMPLE_TRUTH.",
    )
    sample.add_argument("folder", metavar="FOLDER")
    sample.add_argument("--seed", type=int, default=0, help="the generator's seed (default 0)")
    sample.set_defaults(func=_sample)

    cal = sub.add_parser(
        "calibrate",
        help="a scenario from a company's data: its book on a date, rates fitted before it",
        description="Load a company's data folder, fit every rate to the history before "
        "--as-of, print the fitted rates with their 95%% intervals, and write the scenario.",
        epilog="Example: complab calibrate data/ --as-of 2025-01-01 -o scenario.yaml",
    )
    cal.add_argument("folder", metavar="FOLDER")
    cal.add_argument("--as-of", required=True, metavar="DATE", help="ISO date, e.g. 2025-01-01")
    cal.add_argument("-o", "--out", metavar="SCENARIO.yaml", help="write the scenario here")
    cal.add_argument("--rates", metavar="RATES.csv", help="write the fitted rates table here")
    cal.add_argument("--months", type=int, default=12, help="the scenario's horizon (default 12)")
    cal.add_argument(
        "--uncertain",
        action="store_true",
        help="write each fitted rate as its posterior distribution, so runs carry the fits' "
        "uncertainty",
    )
    cal.set_defaults(func=_calibrate)

    bt = sub.add_parser(
        "backtest",
        help="what every rep would have earned under plans on what actually happened",
        description="Pay every rep under the plans on the deals, renewals and churns in the "
        "window [--start, --end), beside the --current plans when given. A plans file is a "
        "scenario file (its plans are used) or a mapping of plan keys to plans.",
        epilog="Example: complab backtest data/ --plans new.yaml --current old.yaml "
        "--start 2025-01-01 --end 2026-01-01",
    )
    bt.add_argument("folder", metavar="FOLDER")
    bt.add_argument("--plans", required=True, metavar="PLANS.yaml")
    bt.add_argument("--current", metavar="PLANS.yaml", help="the plans paid today, beside")
    bt.add_argument("--start", required=True, metavar="DATE")
    bt.add_argument("--end", required=True, metavar="DATE")
    bt.add_argument(
        "--period-months", type=int, default=12, help="compensation period (default 12)"
    )
    bt.add_argument(
        "--no-prorate",
        action="store_true",
        help="pay a rep employed part of a period against its full quota and OTE (its base "
        "still pro rata); by default both are pro rata by days",
    )
    bt.add_argument("-o", "--out", metavar="FILE.csv", help="write the per-rep table here")
    bt.set_defaults(func=_backtest)

    val = sub.add_parser(
        "validate",
        help="score the forecast from a date against what happened the year after",
        description="Calibrate on the history before --as-of, simulate a year from the book "
        "on that date, and print where each actual KPI fell in the simulated distribution and "
        "the P10-P90 coverage.",
    )
    val.add_argument("folder", metavar="FOLDER")
    val.add_argument("--as-of", required=True, metavar="DATE")
    val.add_argument("--trials", type=int, default=400, help="simulated trials (default 400)")
    val.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})"
    )
    val.add_argument("--plot", metavar="FILE.png", help="save the coverage plot here")
    val.set_defaults(func=_validate)


def _company(folder: str) -> Any:
    from complab.data import load_company

    return load_company(folder)


def _sample(args: argparse.Namespace) -> int:
    from complab.datasets import sample_company

    path = sample_company(args.folder, seed=args.seed)
    print(f"wrote the sample company to {path}")
    return EXIT_OK


def _calibrate(args: argparse.Namespace) -> int:
    from complab.data.calibrate import calibrate, fit_rates

    company = _company(args.folder)
    rates = fit_rates(company, args.as_of)
    scenario = calibrate(
        company, args.as_of, months=args.months, rates=rates, uncertain=args.uncertain
    )
    show = rates[["rate", "segment", "key", "n", "estimate", "lo95", "hi95", "world_value"]]
    print(show.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    if args.rates:
        rates.to_csv(args.rates, index=False)
        print(f"wrote the fitted rates to {args.rates}")
    if args.out:
        scenario.to_yaml(args.out)
        print(f"wrote the scenario ({len(scenario.book or ())} accounts) to {args.out}")
    return EXIT_OK


def _plans_file(path: str) -> Any:
    import yaml

    from complab.plans import Plan
    from complab.scenario import Scenario, load_yaml, read_scenario_file, yaml_problem

    try:
        text = read_scenario_file(path)
    except FileNotFoundError:
        raise UsageError(f"plans file '{path}' does not exist") from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as err:
        raise UsageError(f"{path}: not valid YAML ({yaml_problem(err)})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a scenario or a mapping of plan keys to plans")
    try:
        if "world" in data:
            return Scenario.from_dict(data).plans
        plans = data.get("plans", data)
        return {key: Plan.from_dict(p) for key, p in plans.items()}
    except ValueError as err:
        raise UsageError(f"{path}: {_one_line(str(err))}") from None


def _backtest(args: argparse.Namespace) -> int:
    from complab.data.backtest import backtest

    company = _company(args.folder)
    plans = _plans_file(args.plans)
    current = _plans_file(args.current) if args.current else None
    bt = backtest(
        company,
        plans,
        args.start,
        args.end,
        current=current,
        period_months=args.period_months,
        prorate=not args.no_prorate,
    )
    table = bt.per_rep()
    print(table.to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
    print()
    print(bt.totals.to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
    if args.out:
        bt.reps.to_csv(args.out, index=False)
        print(f"wrote the per-rep table to {args.out}")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from complab.data.validate import validate

    company = _company(args.folder)
    v = validate(company, args.as_of, trials=args.trials, seed=args.seed)
    cols = ["kpi", "segment", "actual", "p10", "p50", "p90", "quantile", "in_band"]
    print(v.table[cols].to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    lo, hi = v.tolerance
    verdict = "within" if v.ok else "OUTSIDE"
    print(
        f"\nP10-P90 coverage {v.coverage:.0%} over {len(v.table)} KPIs: {verdict} its binomial "
        f"tolerance {lo:.0%}-{hi:.0%} of 80%"
    )
    if v.flagged:
        print("beyond P2.5-P97.5: " + ", ".join(v.flagged))
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        ax = v.plot()
        ax.figure.savefig(args.plot, dpi=120, bbox_inches="tight")
        print(f"wrote the plot to {args.plot}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``complab`` command with `argv` (default ``sys.argv[1:]``); returns the exit status."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C while starting up (the imports), before any work
        print("\ncomplab: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else EXIT_USAGE
    try:
        return int(args.func(args))
    except BrokenPipeError:  # output piped into a command that stopped reading (| head)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt as err:
        if isinstance(err, Interrupted):
            message = str(err)
        else:
            done = getattr(getattr(err, "partial", None), "trials", None)
            message = "interrupted" + (
                f" after {done} completed trials" if done is not None else ""
            )
        print(f"\ncomplab: {message}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, FileNotFoundError) as err:
        print(f"complab: error: {_one_line(str(err))}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:
        print(f"complab: error: {_one_line(str(err))}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # a bug: say so, in one line unless --debug
        if args.debug:
            raise
        print(
            f"complab: unexpected error: {type(err).__name__}: {_one_line(str(err))} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_UNEXPECTED


if __name__ == "__main__":
    sys.exit(main())
