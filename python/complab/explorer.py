"""A live plan explorer for Jupyter: :func:`explore`.

Move a slider and watch pay move. In fixed mode a plan changes who is paid what, not what
customers do, so a plan-only change re-pays the stored world (:meth:`Result.repay`, a few
milliseconds) and the panel updates at once: comp cost across trials against the budget,
the measure's payout curve, earnings against OTE for every plan and the KPI cards. Changes
to the world, and any change in responsive mode, wait for the "Re-simulate" button, which
runs the same trials on the same random numbers. "Save scenario" writes the YAML.

The panel is built from ipywidgets (``pip install 'complab[jupyter]'``). Every control is
in :attr:`Explorer.controls` by name, so a script or a test can drive it without a browser.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from complab import _core
from complab.display import money, pct, ratio
from complab.engine import SimulationInterrupted, simulate
from complab.plans import Clawback, PayoutCurve, Plan
from complab.result import Result
from complab.scenario import Scenario, _split_path

__all__ = ["Explorer", "explore"]


def explore(
    source: Result | Scenario,
    trials: int = 1000,
    seed: int = 2026,
    threads: int | None = None,
) -> Explorer:
    """A panel of plan controls over a simulated world; display it in a notebook cell.

    Parameters
    ----------
    source
        A :class:`~complab.Result` to explore (its world is kept and re-paid), or a
        :class:`~complab.Scenario`, simulated first with `trials` and `seed`.
    trials, seed, threads
        For a scenario: the simulation's trials and seed; re-simulating uses the same.

    Returns
    -------
    Explorer
        Shown as the panel when it is the last value of a cell. ``explorer.scenario`` and
        ``explorer.result`` are the current plans and their result.

    Raises
    ------
    ImportError
        Without ipywidgets, naming the extra that installs it.
    ValueError
        For a source that is not a Result or Scenario.
    """
    if isinstance(source, Scenario):
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError(f"seed: {seed!r} is not an int (the explorer re-simulates with it)")
        source = simulate(source, trials=trials, seed=seed, threads=threads)
    if not isinstance(source, Result):
        raise ValueError(
            f"source: expected a complab.Result or Scenario, got {type(source).__name__}"
        )
    return Explorer(source, threads=threads)


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError:
        raise ImportError(
            "complab.explore needs ipywidgets: pip install 'complab[jupyter]'"
        ) from None
    return ipywidgets


class Explorer:
    """The panel :func:`explore` returns.

    Attributes
    ----------
    result : Result
        The current plans' result (re-paid or re-simulated).
    start : Result
        The result the explorer started from: the cards and tables show differences
        against it.
    scenario : Scenario
        The current scenario.
    controls : dict of str to ipywidgets.Widget
        Every control by name: ``plan``, ``ote``, ``base_share``, ``measure``, ``weight``,
        ``target``, ``curve``, ``accelerator``, ``cap``, ``clawback_share``,
        ``world_edits``, ``resimulate``, ``path``, ``save``.
    outputs : dict of str to ipywidgets.HTML
        ``cards``, ``cost``, ``curve``, ``earnings`` and ``status``.
    """

    def __init__(self, result: Result, threads: int | None = None) -> None:
        w = _widgets()
        if not result.scenario.plans:
            raise ValueError("source: the scenario has no plans to explore")
        self.start = result
        self.result = result
        self.scenario = result.scenario
        self.threads = threads
        self.seed = result.seed
        self._busy = False  # while controls are set from the plan, edits are not applied
        keys = list(result.scenario.plans)
        style = {"description_width": "110px"}
        layout = w.Layout(width="340px")
        c: dict[str, Any] = {
            "plan": w.Dropdown(options=keys, value=keys[0], description="Plan", style=style),
            "ote": w.BoundedFloatText(
                min=0, max=1e9, step=5_000, description="OTE ($)", style=style, layout=layout
            ),
            "base_share": w.FloatSlider(
                min=0, max=1, step=0.05, description="Base share", style=style, layout=layout
            ),
            "measure": w.Dropdown(description="Measure", style=style, layout=layout),
            "weight": w.FloatSlider(
                min=0, max=1, step=0.05, description="Weight", style=style, layout=layout
            ),
            "target": w.FloatText(description="Target", style=style, layout=layout),
            "curve": w.Text(
                description="Curve points",
                placeholder="attainment:payout, ... e.g. 0:0, 1:1, 2:2",
                style=style,
                layout=w.Layout(width="460px"),
                continuous_update=False,
            ),
            "accelerator": w.BoundedFloatText(
                min=0,
                max=100,
                step=0.25,
                description="Slope above 100%",
                style=style,
                layout=layout,
            ),
            "cap": w.BoundedFloatText(
                min=0,
                max=1000,
                step=0.25,
                description="Cap (payout ×)",
                style=style,
                layout=layout,
            ),
            "clawback_share": w.FloatSlider(
                min=0,
                max=1,
                step=0.05,
                description="Clawback share",
                style=style,
                layout=layout,
            ),
            "world_edits": w.Textarea(
                placeholder="world changes, one a line: world.segments.*.csql_rate=×1.2",
                layout=w.Layout(width="460px", height="60px"),
            ),
            "resimulate": w.Button(description="Re-simulate", button_style="warning"),
            "path": w.Text(value="scenario.yaml", description="Save as", style=style),
            "save": w.Button(description="Save scenario"),
        }
        self.controls = c
        self.progress = w.IntProgress(min=0, max=result.trials, description="trials")
        self.outputs = {name: w.HTML() for name in ("cards", "cost", "curve", "earnings", "status")}
        c["plan"].observe(lambda _: self._show_plan(), names="value")
        c["measure"].observe(lambda _: self._show_measure(), names="value")
        for name in ("ote", "base_share", "target", "clawback_share"):
            c[name].observe(lambda change, n=name: self._edit(n, change), names="value")
        c["weight"].observe(lambda change: self._edit("weight", change), names="value")
        c["curve"].observe(lambda change: self._edit("curve", change), names="value")
        c["accelerator"].observe(lambda change: self._edit("accelerator", change), names="value")
        c["cap"].observe(lambda change: self._edit("cap", change), names="value")
        c["resimulate"].on_click(lambda _: self.resimulate())
        c["save"].on_click(lambda _: self.save())
        self._show_plan()
        self._refresh()
        plan_box = w.VBox(
            [
                c["plan"],
                c["ote"],
                c["base_share"],
                c["measure"],
                c["weight"],
                c["target"],
                c["curve"],
                c["accelerator"],
                c["cap"],
                c["clawback_share"],
            ]
        )
        world_box = w.VBox(
            [
                w.HTML("<b>World</b> (applied by Re-simulate)"),
                c["world_edits"],
                w.HBox([c["resimulate"], self.progress]),
                w.HBox([c["path"], c["save"]]),
                self.outputs["status"],
            ]
        )
        charts = w.VBox([self.outputs["cards"], self.outputs["cost"], self.outputs["curve"]])
        self.panel = w.VBox(
            [w.HBox([w.VBox([plan_box, world_box]), charts]), self.outputs["earnings"]]
        )

    # -- display ---------------------------------------------------------------------------------
    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.panel)

    def __repr__(self) -> str:
        return f"<complab.Explorer of {self.result.trials:,} trials: plans {list(self.scenario.plans)}>"

    # -- the selected plan -----------------------------------------------------------------------
    @property
    def plan_key(self) -> str:
        return str(self.controls["plan"].value)

    @property
    def plan(self) -> Plan:
        return self.scenario.plans[self.plan_key]

    def _measure_index(self) -> int:
        names = [m.name for m in self.plan.measures]
        value = self.controls["measure"].value
        return names.index(value) if value in names else 0

    def _show_plan(self) -> None:
        c, plan = self.controls, self.plan
        self._busy = True
        try:
            c["ote"].value = plan.ote
            c["base_share"].value = plan.base_share
            c["measure"].options = [m.name for m in plan.measures]
            c["measure"].value = plan.measures[0].name if plan.measures else None
            c["clawback_share"].value = plan.clawback.share if plan.clawback else 0.0
            c["clawback_share"].disabled = plan.role != "ae"
        finally:
            self._busy = False
        self._show_measure()

    def _show_measure(self) -> None:
        c, plan = self.controls, self.plan
        if not plan.measures:
            return
        m = plan.measures[self._measure_index()]
        self._busy = True
        try:
            c["weight"].value = m.weight
            c["target"].value = m.target
            c["curve"].value = ", ".join(f"{a:g}:{p:g}" for a, p in m.curve.points)
            c["accelerator"].value = _slope_above_target(m.curve)
            c["cap"].value = float(m.curve.payout[-1])
        finally:
            self._busy = False
        self.outputs["curve"].value = _curve_svg(m.curve, f"{self.plan_key}: {m.name}")

    # -- edits -----------------------------------------------------------------------------------
    def _edit(self, name: str, change: Mapping[str, Any]) -> None:
        if self._busy:
            return
        try:
            plan = self._edited_plan(name, change["new"])
        except ValueError as err:
            self._status(f"{self.plan_key}: {err}", error=True)
            return
        self.set_plan(plan)
        if name in ("weight", "accelerator", "cap"):
            self._show_measure()  # the other weights, or the curve, moved with it

    def _edited_plan(self, name: str, value: Any) -> Plan:
        plan = self.plan
        k = self._measure_index()
        measures = list(plan.measures)
        if name == "ote":
            return replace(plan, ote=float(value))
        if name == "base_share":
            return replace(plan, base_share=float(value))
        if name == "clawback_share":
            if plan.role != "ae":
                raise ValueError("clawback: only AE plans claw back commission")
            window = plan.clawback.window_months if plan.clawback else 12
            clawback = Clawback(share=float(value), window_months=window) if value > 0 else None
            return replace(plan, clawback=clawback)
        m = measures[k]
        if name == "weight":
            measures = _reweighted(measures, k, float(value))
        elif name == "target":
            measures[k] = replace(m, target=float(value))
        elif name == "curve":
            measures[k] = replace(m, curve=_parse_curve(str(value)))
        elif name in ("accelerator", "cap"):
            slope = float(self.controls["accelerator"].value)
            cap = float(self.controls["cap"].value)
            measures[k] = replace(m, curve=_with_accelerator(m.curve, slope, cap))
        return replace(plan, measures=tuple(measures))

    def set_plan(self, plan: Plan, key: str | None = None) -> None:
        """Replace one plan (by default the selected one) and re-pay the world, or say why
        the change waits for Re-simulate."""
        key = key or self.plan_key
        try:
            scenario = self.scenario.with_({f"plans.{key}": plan})
        except ValueError as err:
            self._status(str(err), error=True)
            return
        self.scenario = scenario
        try:
            self.result = self.result.repay(scenario)
        except ValueError as err:
            self._status(f"{err}; press Re-simulate to see this plan", error=False)
            return
        self._status("")
        self._refresh()

    # -- re-simulate and save --------------------------------------------------------------------
    def world_edits(self) -> dict[str, Any]:
        """The world edits typed in the panel, ``{path: value}`` (values read as the
        command line reads them: ``×1.2`` scales)."""
        from complab.cli import parse_value

        edits: dict[str, Any] = {}
        for n, line in enumerate(str(self.controls["world_edits"].value).splitlines(), 1):
            if not line.strip():
                continue
            path, eq, value = line.partition("=")
            if not eq or not path.strip():
                raise ValueError(f"world edits, line {n}: {line.strip()!r} is not path=value")
            if _split_path(path.strip())[0] != "world":
                raise ValueError(
                    f"world edits, line {n}: {path.strip()!r} is not a world path; change "
                    "plans with the controls above"
                )
            edits[path.strip()] = parse_value(value)
        return edits

    def resimulate(self) -> Result | None:
        """Simulate the current plans and world edits on the same trials and random numbers
        (a progress bar counts the trials; Ctrl-C keeps the previous result)."""
        try:
            scenario = self.scenario.with_(self.world_edits())
        except ValueError as err:
            self._status(str(err), error=True)
            return None
        seed = self.seed if isinstance(self.seed, int) else self.start.seed
        self.progress.value = 0

        def tick(done: int) -> None:
            self.progress.value = done

        try:
            result = simulate(
                scenario,
                trials=self.start.trials,
                seed=seed,
                threads=self.threads,
                progress=tick,
                first_trial=self.start.first_trial,
            )
        except SimulationInterrupted as stop:
            self._status(
                f"interrupted after {stop.partial.trials} trials; kept the previous result",
                error=True,
            )
            return None
        except ValueError as err:
            self._status(str(err), error=True)
            return None
        self.scenario, self.result = scenario, result
        self.controls["world_edits"].value = ""  # applied: they are in the scenario now
        self._status(f"re-simulated {result.trials:,} trials")
        self._refresh()
        return result

    def save(self, path: str | Path | None = None) -> Path:
        """Write the current scenario as YAML, with any world edits typed but not yet
        re-simulated; returns the path."""
        target = Path(path if path is not None else self.controls["path"].value)
        scenario = self.scenario.with_(self.world_edits())
        scenario.to_yaml(target)
        self._status(f"saved {target.resolve()}")
        return target

    # -- outputs ---------------------------------------------------------------------------------
    def _status(self, text: str, error: bool = False) -> None:
        colour = "#b42318" if error else "#616e7c"
        self.outputs["status"].value = (
            f'<span style="color:{colour}">{html.escape(text)}</span>' if text else ""
        )

    def _refresh(self) -> None:
        now, was = _figures(self.result), _figures(self.start)
        self.outputs["cards"].value = _cards_html(now, was)
        self.outputs["cost"].value = _cost_html(now, was)
        self.outputs["earnings"].value = _earnings_html(self.result, now["year"])
        if self.plan.measures:
            m = self.plan.measures[self._measure_index()]
            self.outputs["curve"].value = _curve_svg(m.curve, f"{self.plan_key}: {m.name}")

    def cost_table(self) -> dict[str, float]:
        """The comp cost figures the panel shows: year, budget (total OTE), mean, P10,
        P50, P90 and cost at risk."""
        f = _figures(self.result)
        return {k: f[k] for k in ("year", "budget", "mean", "p10", "p50", "p90", "at_risk")}


# -- pieces -------------------------------------------------------------------------------------
def _reweighted(measures: list[Any], k: int, weight: float) -> list[Any]:
    """Measure `k` at `weight`, the others scaled so the weights still sum to 1 (shared
    equally when the others are all 0)."""
    weight = min(1.0, max(0.0, weight))
    others = [i for i in range(len(measures)) if i != k]
    if not others:
        return [replace(measures[k], weight=1.0)]
    rest = sum(measures[i].weight for i in others)
    out = list(measures)
    out[k] = replace(measures[k], weight=weight)
    for i in others:
        share = measures[i].weight / rest if rest > 0 else 1 / len(others)
        out[i] = replace(measures[i], weight=(1 - weight) * share)
    return out


def _parse_curve(text: str) -> PayoutCurve:
    points = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        a, sep, p = part.partition(":")
        try:
            points.append((float(a), float(p)))
        except ValueError:
            raise ValueError(
                f"curve: {part.strip()!r} is not attainment:payout (numbers, e.g. 1:1)"
            ) from None
        if not sep:
            raise ValueError(f"curve: {part.strip()!r} is not attainment:payout (e.g. 1.5:2)")
    if not points:
        raise ValueError("curve: no points; give attainment:payout pairs, e.g. 0:0, 1:1, 2:2")
    return PayoutCurve(tuple(a for a, _ in points), tuple(p for _, p in points))


def _slope_above_target(curve: PayoutCurve) -> float:
    """The curve's slope just above 100% attainment (0 past its cap)."""
    at, above = float(curve.value(1.0)), float(curve.value(1.01))
    return round((above - at) / 0.01, 4)


def _with_accelerator(curve: PayoutCurve, slope: float, cap: float) -> PayoutCurve:
    """The curve up to 100% attainment, then `slope` until the payout reaches `cap`."""
    if slope <= 0:
        raise ValueError(f"accelerator: {slope:g} is not above 0 (the slope past 100%)")
    keep = [(a, p) for a, p in curve.points if a < 1.0]
    at = float(curve.value(1.0))
    points = [*keep, (1.0, at)]
    if cap < at:
        raise ValueError(
            f"cap: {cap:g} is below the payout at 100% attainment ({at:g}); the cap is the "
            "highest payout multiple"
        )
    if cap > at:
        points.append((1.0 + (cap - at) / slope, cap))
    return PayoutCurve(tuple(a for a, _ in points), tuple(p for _, p in points))


def _figures(result: Result) -> dict[str, Any]:
    """The panel's numbers in the last whole year, straight from the arrays."""
    year = max(1, result.years)
    pay = result.arrays["pay"][..., list(_core.PAY_FIELDS).index("earnings")]
    per_year = 12 // result.scenario.world.period_months
    earned = pay[:, :, (year - 1) * per_year : year * per_year].sum(axis=2)  # [t, r]
    cost = earned.sum(axis=1)
    monthly = result.arrays["monthly"]
    idx = {n: i for i, n in enumerate(_core.SERIES)}
    months = slice((year - 1) * 12, year * 12)
    new = monthly[:, months, idx["new_arr"]].sum(axis=1)
    expansion = monthly[:, months, idx["expansion_usage"]].sum(axis=1) + monthly[
        :, months, idx["expansion_csql"]
    ].sum(axis=1)
    arr_end = monthly[:, min(year * 12, result.months) - 1, idx["arr_end"]] / 100.0
    fields = {n: i for i, n in enumerate(_core.COHORT_FIELDS)}
    cohort = result.arrays["cohorts"].sum(axis=2).astype(float)
    if result.years:
        c = cohort[:, year - 1]
        start = np.where(c[:, fields["start_arr"]] > 0, c[:, fields["start_arr"]], np.nan)
        nrr, grr = c[:, fields["end_arr"]] / start, c[:, fields["kept_arr"]] / start
    else:
        nrr = grr = np.full(result.trials, np.nan)
    from complab.decisions import total_ote

    budget = total_ote(result, year)  # the OTE the seats carried: vacancies, own OTE counted
    p10, p50, p90 = np.percentile(cost, [10, 50, 90]) if len(cost) else (np.nan,) * 3
    with np.errstate(divide="ignore", invalid="ignore"):
        per_dollar = cost.sum() * 100.0 / (new + expansion).sum()
    return {
        "year": year,
        "budget": budget,
        "mean": float(cost.mean()),
        "p10": float(p10),
        "p50": float(p50),
        "p90": float(p90),
        "at_risk": float(p90) - budget,
        "cost": cost,
        "arr_end": float(np.median(arr_end)),
        "nrr": float(np.nanmedian(nrr)) if np.isfinite(nrr).any() else np.nan,
        "grr": float(np.nanmedian(grr)) if np.isfinite(grr).any() else np.nan,
        "per_dollar": float(per_dollar),
    }


def _delta(now: float, was: float, fmt: Any) -> str:
    d = now - was
    if not np.isfinite(d) or abs(d) < 0.005:
        return ""
    return f' <small style="color:#616e7c">({"+" if d > 0 else ""}{fmt(d)} vs start)</small>'


def _cards_html(now: dict[str, Any], was: dict[str, Any]) -> str:
    cards = [
        (
            "ARR, year end (median)",
            money(now["arr_end"]),
            _delta(now["arr_end"], was["arr_end"], money),
        ),
        ("NRR (median)", pct(now["nrr"]), _delta(now["nrr"], was["nrr"], pct)),
        ("GRR (median)", pct(now["grr"]), _delta(now["grr"], was["grr"], pct)),
        ("Comp cost (mean)", money(now["mean"]), _delta(now["mean"], was["mean"], money)),
        (
            "Comp per $ new + expansion ARR",
            ratio(now["per_dollar"]),
            _delta(now["per_dollar"], was["per_dollar"], ratio),
        ),
    ]
    cells = "".join(
        f'<div style="border:1px solid #d9e2ec;border-radius:6px;padding:6px 10px;">'
        f'<div style="font-size:11px;color:#616e7c">{html.escape(label)}, year {now["year"]}</div>'
        f'<div style="font-size:18px;font-weight:600">{html.escape(value)}</div>{delta}</div>'
        for label, value, delta in cards
    )
    return f'<div style="display:flex;gap:8px;flex-wrap:wrap">{cells}</div>'


def _cost_html(now: dict[str, Any], was: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{label}</td><td>{html.escape(money(now[k]))}</td>"
        f"<td>{html.escape(money(was[k]))}</td></tr>"
        for k, label in (
            ("budget", "Budget (total OTE)"),
            ("mean", "Expected cost (mean)"),
            ("p10", "P10"),
            ("p50", "P50"),
            ("p90", "P90"),
            ("at_risk", "Cost at risk (P90 − budget)"),
        )
    )
    table = (
        f'<table class="complab-cost"><caption>Comp cost, year {now["year"]}</caption>'
        f"<tr><th></th><th>now</th><th>at start</th></tr>{rows}</table>"
    )
    return f'<div style="display:flex;gap:16px">{table}{_histogram_svg(now["cost"], was["cost"])}</div>'


def _histogram_svg(now: np.ndarray, was: np.ndarray, width: int = 320, height: int = 150) -> str:
    """Comp cost across trials now (blue bars) against the start (grey outline)."""
    values = np.concatenate([now, was])
    values = values[np.isfinite(values)]
    if not len(values):
        return ""
    lo, hi = float(values.min()), float(values.max())
    if hi <= lo:
        hi = lo + 1.0
    edges = np.linspace(lo, hi, 21)
    a, _ = np.histogram(now, edges)
    b, _ = np.histogram(was, edges)
    top = max(int(a.max()), int(b.max()), 1)
    bw = (width - 20) / 20
    bars = []
    for i in range(20):
        x = 10 + i * bw
        for counts, style in (
            (b, 'fill="none" stroke="#9aa5b1"'),
            (a, 'fill="#1f77b4" fill-opacity="0.7"'),
        ):
            h = (height - 30) * counts[i] / top
            bars.append(
                f'<rect x="{x:.1f}" y="{height - 20 - h:.1f}" width="{bw - 1:.1f}" '
                f'height="{h:.1f}" {style}/>'
            )
    labels = (
        f'<text x="10" y="{height - 5}" font-size="10">{html.escape(money(lo))}</text>'
        f'<text x="{width - 10}" y="{height - 5}" font-size="10" text-anchor="end">'
        f"{html.escape(money(hi))}</text>"
    )
    return (
        f'<svg width="{width}" height="{height}" role="img"><title>Comp cost across trials'
        f"</title>{''.join(bars)}{labels}</svg>"
    )


def _curve_svg(curve: PayoutCurve, title: str, width: int = 320, height: int = 170) -> str:
    """The payout curve from 0% to 200% attainment (and past its last point)."""
    top_a = max(2.0, float(curve.attainment[-1]) * 1.1)
    xs = np.linspace(0.0, top_a, 201)
    ys = np.asarray(curve.value(xs), dtype=float)
    top_p = max(1.0, float(ys.max()) * 1.1)

    def sx(a: float) -> float:
        return 35 + (width - 45) * a / top_a

    def sy(p: float) -> float:
        return height - 25 - (height - 45) * p / top_p

    line = " ".join(f"{sx(a):.1f},{sy(p):.1f}" for a, p in zip(xs, ys, strict=True))
    ticks = "".join(
        f'<text x="{sx(a):.1f}" y="{height - 10}" font-size="10" text-anchor="middle">'
        f"{a:.0%}</text>"
        for a in (0.0, 0.5, 1.0, 1.5, 2.0)
        if a <= top_a
    )
    return (
        f'<svg width="{width}" height="{height}" role="img"><title>{html.escape(title)}</title>'
        f'<text x="35" y="12" font-size="11">{html.escape(title)}: payout × by attainment</text>'
        f'<line x1="{sx(1):.1f}" y1="{sy(0):.1f}" x2="{sx(1):.1f}" y2="{sy(top_p):.1f}" '
        f'stroke="#9aa5b1" stroke-dasharray="3,3"/>'
        f'<polyline points="{line}" fill="none" stroke="#1f77b4" stroke-width="2"/>'
        f'<text x="5" y="{sy(1) + 4:.1f}" font-size="10">1×</text>{ticks}</svg>'
    )


def _earnings_html(result: Result, year: int) -> str:
    """Each plan's annual earnings per rep (median, P10 – P90) against its OTE."""
    if not len(result.roster):
        return ""
    pay = result.arrays["pay"][..., list(_core.PAY_FIELDS).index("earnings")]
    per_year = 12 // result.scenario.world.period_months
    earned = pay[:, :, (year - 1) * per_year : year * per_year].sum(axis=2)
    rows = []
    roster = result.roster
    for (role, segment), group in roster.groupby(["role", "segment"], sort=False):
        plan = result.scenario.plan_for(role, None if segment == "all" else segment)
        e = earned[:, group["rep"].to_numpy()].reshape(-1)
        who = role.upper() if segment == "all" else f"{role.upper()} {segment}"
        if plan is None or not len(e):
            rows.append(f"<tr><td>{html.escape(who)}</td><td>no plan</td></tr>")
            continue
        p10, p50, p90 = np.percentile(e, [10, 50, 90])
        rows.append(
            f"<tr><td>{html.escape(who)}</td><td>{money(plan.ote)}</td><td>{money(p50)}</td>"
            f"<td>{money(p10)} – {money(p90)}</td><td>{pct(np.mean(e >= plan.ote))}</td></tr>"
        )
    return (
        f"<table><caption>Earnings per rep against OTE, year {year}</caption><tr><th>Plan</th>"
        "<th>OTE</th><th>Median</th><th>P10 – P90</th><th>At or above OTE</th></tr>"
        f"{''.join(rows)}</table>"
    )
