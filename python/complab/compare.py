"""Paired comparison of scenario variants on common random numbers: :func:`compare`.

Every run uses the same seed, and the engine draws every random number from a stream keyed
by (seed, trial, purpose, entity, month), never by run order or thread (docs/model.md §2). So
trial ``i`` of the base and trial ``i`` of a variant see the same customers, deals and
skills wherever the variant does not change them, and the difference ``variant - base`` is
measured trial by trial. Its standard error is that of the paired differences,
``sd(d) / sqrt(n)``, usually far smaller than the unpaired ``sqrt(se_base² + se_variant²)``
(both are reported).

A variant that changes only plans (same world, same shared-NRR status of every segment,
fixed mode) is paid on the base's simulated world with :meth:`Result.repay` instead of
being simulated again (docs/model.md §7); its KPIs then equal the base's exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from complab import people
from complab.display import Table
from complab.engine import resolve_seed, simulate
from complab.result import COHORT_METRICS, KPI_COLUMNS, Result
from complab.scenario import ROLES, Scenario, Workforce

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Two-sided 95% normal quantile used for the confidence intervals.
Z95 = 1.959963984540054

#: Columns of :meth:`Comparison.table`.
TABLE_COLUMNS = (
    "variant",
    "kpi",
    "year",
    "n",
    "base_mean",
    "variant_mean",
    "diff",
    "se",
    "ci_low",
    "ci_high",
    "se_unpaired",
    "better",
    "p_better",
    "p_better_se",
    "shortfall",
    "method",
)

#: KPIs where less is better (the company's view: churn, contraction, comp and its cost);
#: every other KPI, each role's earnings per rep included (the rep's view), is better higher.
LOWER_IS_BETTER = frozenset(
    {
        "contraction_arr",
        "churned_arr",
        "logo_churn",
        "comp_ae",
        "comp_sdr",
        "comp_csm",
        "comp_total",
        "cost_of_sales",
        # The workforce's (docs/model.md §9): people lost and what ramp and attrition cost.
        *(f"{name}_{role}" for name in ("leavers", "regretted_leavers") for role in ROLES),
        "cost_of_ramp",
        "cost_of_attrition",
    }
)

#: The workforce KPIs a comparison adds when either run has a workforce
#: (:func:`complab.people.workforce_summary`): per role ``capacity_<role>`` (higher is better),
#: ``leavers_<role>`` and ``regretted_leavers_<role>`` (lower), ``hires_<role>`` (reported
#: as higher is better, though more hires is neither: a growth plan's hires are its point,
#: a backfill's a cost of attrition; read its ``better`` columns with that in mind), and
#: ``cost_of_ramp`` and ``cost_of_attrition`` (lower).
WORKFORCE_KPIS = (
    *(
        f"{name}_{role}"
        for role in ROLES
        for name in ("capacity", "leavers", "regretted_leavers", "hires")
    ),
    "cost_of_ramp",
    "cost_of_attrition",
)

#: The tail of :func:`paired_stats`' ``shortfall``: the worst 10% of paired trials.
SHORTFALL_TAIL = 0.10


def better_direction(kpi: str) -> str:
    """``"lower"`` or ``"higher"``: which way a KPI (``"logo_churn:smb"`` included) improves."""
    return "lower" if kpi.split(":")[0] in LOWER_IS_BETTER else "higher"


def compare(
    scenario: Scenario,
    variants: Mapping[str, Scenario | Mapping[str, Any]],
    trials: int = 1000,
    seed: int | np.random.SeedSequence | None = None,
    threads: int | None = None,
    progress: bool | Callable[[int], None] = False,
    history: str = "base",
    trials_per_draw: int = 1,
) -> Comparison:
    """Run a base scenario and its variants on common random numbers; report paired
    differences of every KPI and pay figure.

    Parameters
    ----------
    scenario
        The base.
    variants
        ``{name: variant}``; a variant is a :class:`~complab.Scenario` or a mapping of
        dotted paths to values applied to the base (:meth:`Scenario.with_`), e.g.
        ``{"richer CSM": {"plans.csm:smb.ote": 100_000}}``.
    trials
        Monte Carlo trials per run (the same for every run, so trials pair up).
    seed
        One seed for every run (recorded in :attr:`Comparison.seed`); None draws one.
    threads
        As for :func:`complab.simulate`.
    progress
        True for one progress bar over every run that is simulated (the base and each
        variant that cannot be re-paid), or a callable given the trials done across them.
    history
        ``"base"`` (the default): every variant starts from the base's book at month 0 and
        its changes apply from then on — a decision taken today. ``"own"``: each variant's
        book is its own steady state, as if its world had always held — two different
        companies (docs/model.md §4).
    trials_per_draw
        With uncertain assumptions: trials that share one draw of them
        (:func:`complab.simulate`). Every run draws the same values for the same trial, so
        the comparison is paired over the assumptions too.

    Returns
    -------
    Comparison
        :meth:`Comparison.table` is the tidy table of differences (one row per variant, KPI
        and year); :attr:`Comparison.results` holds every run's :class:`Result`.

    Raises
    ------
    ValueError
        For a variant that is not a Scenario or a mapping of paths, a path or value the
        scenario does not allow (naming the variant and the field), or a horizon under a
        year (the KPIs are yearly).
    """
    if not isinstance(scenario, Scenario):
        raise ValueError(f"scenario: expected a complab.Scenario, got {type(scenario).__name__}")
    if not isinstance(variants, Mapping) or not variants:
        raise ValueError(
            "variants: expected a non-empty mapping of name to Scenario or {path: value}"
        )
    built: dict[str, Scenario] = {}
    for name, variant in variants.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"variants: name {name!r} is not a non-empty string")
        if isinstance(variant, Scenario):
            built[name] = variant
        elif isinstance(variant, Mapping):
            try:
                built[name] = scenario.with_(variant)
            except ValueError as err:
                raise ValueError(f"variants[{name!r}]: {err}") from None
        else:
            raise ValueError(
                f"variants[{name!r}]: expected a Scenario or a mapping of dotted paths, got {type(variant).__name__}"
            )
    for name, run_scenario in [("scenario", scenario), *built.items()]:
        months = run_scenario.world.months
        if months < 12:
            where = "scenario" if run_scenario is scenario else f"variants[{name!r}]"
            raise ValueError(
                f"{where}: world.months is {months}, under a year; the KPIs compare is built "
                "on are yearly, so every run needs world.months >= 12"
            )
    if not (isinstance(progress, bool) or callable(progress)):
        raise ValueError(f"progress: {progress!r} is not true, false or a callable")
    if history not in ("base", "own"):
        raise ValueError(f"history: {history!r} is not 'base' or 'own'")
    key, record = resolve_seed(seed)
    meter = _Progress(progress, trials, [scenario, *built.values()])
    try:
        run = {
            "trials": trials,
            "seed": key,
            "threads": threads,
            "trials_per_draw": trials_per_draw,
        }
        base = simulate(scenario, progress=meter.next_run(), **run)  # type: ignore[arg-type]
        results: dict[str, Result] = {}
        methods: dict[str, str] = {}
        past = scenario if history == "base" else None
        for name, variant in built.items():
            results[name], methods[name] = _run_variant(base, variant, run, meter, past)
    finally:
        meter.close()
    return Comparison(base=base, results=results, methods=methods, seed=record)


def _run_variant(
    base: Result,
    variant: Scenario,
    run: dict[str, Any],
    meter: _Progress,
    history: Scenario | None,
) -> tuple[Result, str]:
    """Pay a plan-only variant on the base's world; simulate any other, from `history`'s
    book when given."""
    if variant.world == base.scenario.world and variant.uncertain == base.scenario.uncertain:
        try:
            return base.repay(variant), "repay"
        except ValueError:  # shared-NRR status or responsive behaviour: the world changes
            meter.add_run()
    return simulate(variant, progress=meter.next_run(), history=history, **run), "simulate"


class _Progress:
    """One progress bar (or callable) over every simulated run of a comparison: trials done
    across the runs, so the bar starts once and ends once."""

    def __init__(
        self, progress: bool | Callable[[int], None], trials: int, scenarios: list[Scenario]
    ) -> None:
        self.trials = trials
        self.done = 0  # trials of the runs finished before the current one
        self.bar: Any = None
        self.callback: Callable[[int], None] | None = None
        base = scenarios[0]
        # The base, and each variant that cannot be re-paid on its world.
        runs = 1 + sum(
            s.world != base.world
            or s.uncertain != base.uncertain
            or s.responsive
            or s.world.responds_to_plans()
            for s in scenarios[1:]
        )
        if progress is True:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=trials * runs, unit="trial", desc="comparing")
            self.callback = lambda done: self.bar.update(done - self.bar.n)
        elif callable(progress):
            self.callback = progress

    def add_run(self) -> None:
        """A run the count at the start did not expect (a variant that could not be re-paid)."""
        if self.bar is not None:
            self.bar.total += self.trials
            self.bar.refresh()

    def next_run(self) -> Callable[[int], None] | bool:
        """The progress argument of the next :func:`simulate`."""
        if self.callback is None:
            return False
        start, callback = self.done, self.callback
        self.done += self.trials

        def report(done: int) -> None:
            callback(start + done)

        return report

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Comparison:
    """Results of :func:`compare`: the base run, each variant's run and their paired
    differences.

    Attributes
    ----------
    base : Result
        The base scenario's run.
    results : dict of str to Result
        Each variant's run, by name.
    methods : dict of str to str
        ``"repay"`` (plan-only variant, paid on the base's world) or ``"simulate"``.
    seed
        The seed every run used, as recorded by :func:`complab.simulate`.
    """

    def __init__(
        self, base: Result, results: dict[str, Result], methods: dict[str, str], seed: Any
    ) -> None:
        self.base = base
        self.results = results
        self.methods = methods
        self.seed = seed
        self._table: pd.DataFrame | None = None

    def table(self, kpis: str | list[str] | None = None, year: int | None = None) -> pd.DataFrame:
        """Paired differences ``variant - base``, one row per variant, KPI and year.

        KPIs are the columns of :meth:`Result.kpis` plus ``earnings_per_<role>`` (a role's
        annual earnings per rep), each segment's cohort metrics (``"nrr:smb"``) and, when
        the base or the variant has a workforce (docs/model.md §9), :data:`WORKFORCE_KPIS`:
        ``capacity_<role>``, ``leavers_<role>``, ``regretted_leavers_<role>``,
        ``hires_<role>``, ``cost_of_ramp`` and ``cost_of_attrition``, per trial as in
        :meth:`Result.summary` (hires are reported as better higher; that is a convention,
        not a judgement). Columns: ``variant``, ``kpi``, ``year``, ``n`` (trials
        where both values are defined), ``base_mean``, ``variant_mean``, ``diff`` (mean
        paired difference), ``se`` (its standard error), ``ci_low`` / ``ci_high`` (95%
        interval, normal approximation), ``se_unpaired`` (what the standard error would be
        with independent runs) and ``method`` (``repay`` or ``simulate``).

        Parameters
        ----------
        kpis
            Only these KPIs (a name or a list).
        year
            Only this year (counted from 1: year 1 is months 0–11). Every variant must have it: a variant with a shorter
            horizon than the base (``world.months``) has rows only for the years both have,
            and asking for a later year raises ``ValueError`` rather than leaving the
            variant out.
        """
        if self._table is None:
            frames = []
            base: dict[bool, dict[str, np.ndarray]] = {}
            for name, result in self.results.items():
                staffed = _has_workforce(self.base) or _has_workforce(result)
                if staffed not in base:
                    base[staffed] = _kpi_arrays(self.base, staffed)
                frames.append(
                    _paired_rows(
                        name, base[staffed], _kpi_arrays(result, staffed), self.methods[name]
                    )
                )
            self._table = pd.concat(frames, ignore_index=True)
        out = self._table
        if kpis is not None:
            wanted = [kpis] if isinstance(kpis, str) else list(kpis)
            unknown = sorted(set(wanted) - set(out["kpi"]))
            if unknown:
                raise ValueError(
                    f"kpis: {unknown[0]!r} is not one of {', '.join(dict.fromkeys(out['kpi']))}"
                )
            out = out[out["kpi"].isin(wanted)]
        if year is not None:
            self._check_year(year)
            out = out[out["year"] == year]
        return Table(out.reset_index(drop=True))

    def _years(self, name: str) -> int:
        """Years the base and variant ``name`` both have."""
        return min(self.base.years, self.results[name].years)

    def _check_year(self, year: Any) -> None:
        if isinstance(year, (bool, np.bool_)) or not isinstance(year, (int, np.integer)):
            raise ValueError(f"year: {year!r} is not a year (an int counted from 1) or None")
        if year < 1:
            raise ValueError(f"year: {year} is not a year; years count from 1 (months 0–11)")
        for name in self.results:
            years = self._years(name)
            if not 1 <= year <= years:
                months = self.results[name].months
                raise ValueError(
                    f"year: {year} is not a year of variant {name!r} and the base (years 1 "
                    f"to {years}; the variant simulates {months} months, the base "
                    f"{self.base.months}); year={year} needs world.months >= "
                    f"{12 * year} in both"
                )

    def plot(self, kpi: str = "arr_end", year: int | None = None, ax: Axes | None = None) -> Axes:
        """Bars of each variant's difference in `kpi` with 95% intervals (by default in the
        last year every variant has); see :func:`complab.plots.comparison_bars`."""
        from complab import plots

        if year is None:  # the last year every variant has
            year = min(self._years(name) for name in self.results)
        table = self.table(kpi, year=year)
        return plots.comparison_bars(table, ax=ax)

    def wins_by(
        self, assumption: str, kpi: str, year: int | None = None, bins: int = 5
    ) -> pd.DataFrame:
        """Which plan wins where: the runs' `kpi` across the range of one uncertain
        assumption (docs/model.md §11).

        The paired trials are cut into `bins` groups of equal size by the assumption's drawn
        value; in each, every run's mean KPI, its paired difference from the base with a
        standard error, and the share of the bin's trials in which that run is the best of
        all (ties split) are reported, and the run with the best mean is marked.

        Parameters
        ----------
        assumption
            An uncertain field's path (:attr:`Scenario.uncertain`), e.g.
            ``"world.behaviour.incentive_sensitivity"``; for a list field its first entry is
            used (all entries move together), or name one as ``"path[k]"``.
        kpi
            A KPI of :meth:`table` (``"nrr"``, ``"comp_total"``, ``"grr:smb"``...).
        year
            The year (from 1); None: the last year every run has.
        bins
            Groups of trials along the assumption (2 to 50).

        Returns
        -------
        pandas.DataFrame
            ``bin``, ``low``, ``high`` (the assumption's range in the bin), ``n``, ``run``
            (``"base"`` or a variant), ``mean``, ``diff`` (against the base), ``se``,
            ``p_best`` and ``best`` (the run with the best mean in the bin).
        """
        table = self.base.assumptions()
        columns = [c for c in table.columns if c not in ("trial", "draw")]
        if not columns:
            raise ValueError(
                "assumption: the base scenario has no uncertain assumptions "
                "(Scenario.uncertain is empty); give a field a distribution to see where "
                "each plan wins"
            )
        column = assumption if assumption in table.columns else f"{assumption}[0]"
        if column not in table.columns:
            raise ValueError(
                f"assumption: {assumption!r} is not uncertain in this comparison; uncertain: "
                f"{', '.join(self.base.scenario.uncertain)}"
            )
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 2 <= bins <= 50:
            raise ValueError(f"bins: {bins!r} is not an integer from 2 to 50")
        if year is None:
            year = min(self._years(name) for name in self.results)
        self._check_year(year)
        runs = {"base": self.base, **self.results}
        staffed = any(_has_workforce(r) for r in runs.values())
        values = {}
        for name, result in runs.items():
            arrays = _kpi_arrays(result, staffed)
            if kpi not in arrays:
                raise ValueError(f"kpi: {kpi!r} is not one of {', '.join(arrays)}")
            values[name] = arrays[kpi][:, year - 1]
        x = table[column].to_numpy(dtype=float)
        stack = np.column_stack(list(values.values()))
        ok = np.isfinite(stack).all(axis=1)
        sign = 1.0 if better_direction(kpi) == "higher" else -1.0
        order = np.argsort(x[ok], kind="stable")
        rows = []
        for b, idx in enumerate(np.array_split(order, bins)):
            if len(idx) == 0:
                continue
            xs, ys = x[ok][idx], stack[ok][idx]
            score = sign * ys
            winners = score == score.max(axis=1, keepdims=True)
            share = (winners / winners.sum(axis=1, keepdims=True)).mean(axis=0)
            means = ys.mean(axis=0)
            best = int(np.argmax(sign * means))
            for j, name in enumerate(runs):
                d = ys[:, j] - ys[:, 0]
                se = float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else math.nan
                rows.append(
                    {
                        "bin": b + 1,
                        "low": float(xs.min()),
                        "high": float(xs.max()),
                        "n": len(idx),
                        "run": name,
                        "mean": float(means[j]),
                        "diff": float(d.mean()),
                        "se": se,
                        "p_best": float(share[j]),
                        "best": j == best,
                    }
                )
        out = Table(rows)
        out.attrs.update({"assumption": assumption, "kpi": kpi, "year": year})
        return out

    def plot_wins(
        self,
        assumption: str,
        kpi: str,
        year: int | None = None,
        bins: int = 5,
        ax: Axes | None = None,
    ) -> Axes:
        """Each run's mean `kpi` across the range of an uncertain assumption, with the
        winning run named in each bin (:meth:`wins_by`; :func:`complab.plots.wins_chart`)."""
        from complab import plots

        return plots.wins_chart(self.wins_by(assumption, kpi, year=year, bins=bins), ax=ax)

    def _repr_html_(self) -> str:
        from complab.display import comparison_html

        return comparison_html(self)

    def __repr__(self) -> str:
        names = ", ".join(f"{n} ({m})" for n, m in self.methods.items())
        return f"<Comparison of {self.base.trials} paired trials: {names}>"


#: The company KPIs a comparison reports: :meth:`Result.kpis` columns and each role's
#: earnings per rep. It also reports each segment's cohort metrics, ``"nrr:smb"`` and so on.
KPI_NAMES = (*KPI_COLUMNS, *(f"earnings_per_{role}" for role in ROLES))


def _has_workforce(result: Result) -> bool:
    return result.scenario.world.workforce != Workforce()


def _kpi_arrays(result: Result, workforce: bool = False) -> dict[str, np.ndarray]:
    """Every KPI as a [trials, years] array: :meth:`Result.kpis` columns, each role's
    earnings per rep and each segment's cohort metrics (``"<metric>:<segment>"``); with
    `workforce`, also :data:`WORKFORCE_KPIS` (for the roles the run has seats of)."""
    k = result.kpis().sort_values(["trial", "year"])
    t, y = result.trials, result.years
    out = {
        c: k[c].to_numpy(dtype=float).reshape(t, y) for c in k.columns if c not in ("trial", "year")
    }
    counts = result.roster["role"].value_counts()
    for role in ROLES:
        n = int(counts.get(role, 0))
        if f"comp_{role}" in out and n > 0:
            out[f"earnings_per_{role}"] = out[f"comp_{role}"] / n
    cohorts = result.cohorts().sort_values(["trial", "year"], kind="stable")
    for segment in result.scenario.world.segment_names():
        rows = cohorts[cohorts["segment"] == segment]
        for metric in COHORT_METRICS:
            out[f"{metric}:{segment}"] = rows[metric].to_numpy(dtype=float).reshape(t, y)
    if workforce:
        by_name: dict[str, np.ndarray] = {}
        for kpi, year, values in people.workforce_summary(result):
            if kpi.rsplit("_", 1)[-1] in ROLES and int(counts.get(kpi.rsplit("_", 1)[-1], 0)) == 0:
                continue  # a role with no seats
            by_name.setdefault(kpi, np.full((t, y), np.nan))[:, year - 1] = values
        out.update(by_name)
    return out


def _paired_rows(
    name: str, base: dict[str, np.ndarray], variant: dict[str, np.ndarray], method: str
) -> pd.DataFrame:
    rows = []
    for kpi, b in base.items():
        if kpi not in variant:
            continue
        v = variant[kpi]
        years = min(b.shape[1], v.shape[1])
        for year in range(years):
            rows.append(
                {
                    "variant": name,
                    "kpi": kpi,
                    "year": year + 1,  # years count from 1
                    **paired_stats(b[:, year], v[:, year], better_direction(kpi)),
                    "method": method,
                }
            )
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def paired_stats(base: np.ndarray, variant: np.ndarray, better: str = "higher") -> dict[str, Any]:
    """Mean paired difference ``variant - base`` over the trials where both are finite, its
    standard error and 95% interval, and the unpaired standard error for contrast; and the
    decision figures:

    - ``p_better``: the share of paired trials in which the variant is better (``better``:
      ``"higher"`` or ``"lower"``), ties counting half — an estimate of the probability
      that the variant beats the base in one uncertain year, assumption uncertainty
      included when the scenario has some; ``p_better_se`` its binomial standard error;
    - ``shortfall``: the expected shortfall of the difference, the mean of ``variant -
      base`` over the worst :data:`SHORTFALL_TAIL` of paired trials (the lowest
      differences when higher is better, the highest when lower is): how bad the variant's
      bad years are against the base.
    """
    if better not in ("higher", "lower"):
        raise ValueError(f"better: {better!r} is not 'higher' or 'lower'")
    base = np.asarray(base, dtype=float)
    variant = np.asarray(variant, dtype=float)
    ok = np.isfinite(base) & np.isfinite(variant)
    b, v = base[ok], variant[ok]
    n = int(ok.sum())
    nan = math.nan
    if n == 0:
        return {
            "n": 0,
            "base_mean": nan,
            "variant_mean": nan,
            "diff": nan,
            "se": nan,
            "ci_low": nan,
            "ci_high": nan,
            "se_unpaired": nan,
            "better": better,
            "p_better": nan,
            "p_better_se": nan,
            "shortfall": nan,
        }
    d = v - b
    diff = float(d.mean())
    if n > 1:
        se = float(d.std(ddof=1) / math.sqrt(n))
        se_unpaired = float(math.sqrt((b.var(ddof=1) + v.var(ddof=1)) / n))
    else:
        se = se_unpaired = nan
    return {
        "n": n,
        "base_mean": float(b.mean()),
        "variant_mean": float(v.mean()),
        "diff": diff,
        "se": se,
        "ci_low": diff - Z95 * se,
        "ci_high": diff + Z95 * se,
        "se_unpaired": se_unpaired,
        **decision_stats(d, better),
    }


def decision_stats(d: np.ndarray, better: str = "higher") -> dict[str, Any]:
    """``p_better``, its standard error and the ``shortfall`` of paired differences ``d``
    (finite; see :func:`paired_stats`)."""
    n = len(d)
    gain = d if better == "higher" else -d
    p = float(((gain > 0).sum() + 0.5 * (gain == 0).sum()) / n)
    worst = np.sort(gain)[: max(1, math.ceil(SHORTFALL_TAIL * n))]
    shortfall = float(worst.mean()) * (1.0 if better == "higher" else -1.0)
    return {
        "better": better,
        "p_better": p,
        "p_better_se": math.sqrt(p * (1 - p) / n),
        "shortfall": shortfall,
    }
