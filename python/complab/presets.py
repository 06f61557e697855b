"""Built-in scenarios (docs/model.md §10), each from one of the articles the model is built on
(``shared/seeds/000`` … ``004``).

:func:`default` is a three-segment subscription business (SMB, mid-market, enterprise)
calibrated to published retention benchmarks: annual NRR about 97% / 108% / 118% and GRR
about 87% / 91% / 94% (docs/model.md §5). Its plans follow the articles: AE 50/50 pay mix on new
and expansion ARR, SDR 65/35 on opportunities, CSM 80/20 paid 65% on churn and 35% on NRR
(article 000).

The other presets keep the default world and change the plans the articles discuss, so
:func:`complab.compare` against :func:`default` isolates the plan (and pays a plan-only
change without simulating again); the Gainsight stages change the world instead:

==========================  =======  ===================================================
name                        article  what it is
==========================  =======  ===================================================
``default``                 000      the calibrated default (CSM 65% churn / 35% NRR)
``churn_and_nrr``           000      the same CSM plan, under the article's name
``first_renewal_clawback``  000      AE repays commission on accounts lost at first renewal
``shared_nrr``              000      NRR on both the AE and the CSM, so they co-operate
``csql_strategy``           001      CSM on CSQL pipeline (once churn < 10%), AE on expansion
``expansion_pipeline``      002      every CSM on expansion pipeline; enterprise CSMs also on
                                     Land-and-Expand expand rate; AE owns expansion ARR
``gainsight_reactive``      004      a reactive CS organisation, company NRR about 92%
``gainsight_proactive``     004      a proactive one, about 25 points higher
==========================  =======  ===================================================

:func:`list` names them and :func:`get` builds one by name; :func:`lower_churn` answers
article 004's "what does one point of churn do to revenue?" as a world variant.

Quotas and targets are the expected value of each metric for a rep of average skill at
nominal effort in this world, so a typical rep lands near 100% attainment.
"""

from __future__ import annotations

import builtins
import functools
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from complab.plans import Clawback, Gate, Measure, PayoutCurve, Plan, Ratchet
from complab.scenario import Effort, Product, Scenario, Segment, World

#: Published benchmark targets per segment: (annual NRR, annual GRR).
RETENTION_BENCHMARKS = {
    "smb": (0.97, 0.87),
    "mid_market": (1.08, 0.91),
    "enterprise": (1.18, 0.94),
}


def default_world() -> World:
    """The default world: 36 months, annual compensation periods, one usage-priced product."""
    return World(
        months=36,
        period_months=12,
        products=(Product(name="platform", acv_scale=1.0, usage_priced=True),),
        segments=(
            Segment(
                name="smb",
                initial_accounts=1200,
                acv_median=6_000,
                acv_log_sd=0.6,
                renewal_hazard=(0.26, 0.17, 0.12, 0.10),
                csm_coverage=400,
                health_start=0.5,
                health_base=0.6,
                health_reversion=0.15,
                health_noise=0.05,
                usage_drift=0.08,
                usage_noise=0.02,
                csql_rate=0.01,
                upsell_fraction=0.25,
                sales_cycle_months=1,
                win_rate=0.25,
                expansion_win_rate=0.5,
                opportunity_share=0.6,
                inbound_opportunities=12.0,
                ae_prospecting=2.0,
                ae_headcount=3,
                csm_headcount=3,
            ),
            Segment(
                name="mid_market",
                initial_accounts=500,
                acv_median=30_000,
                acv_log_sd=0.5,
                renewal_hazard=(0.28, 0.155, 0.095, 0.075),
                csm_coverage=150,
                health_start=0.5,
                health_base=0.65,
                health_reversion=0.15,
                health_noise=0.05,
                usage_drift=0.088,
                usage_noise=0.02,
                csql_rate=0.02,
                upsell_fraction=0.3,
                sales_cycle_months=3,
                win_rate=0.2,
                expansion_win_rate=0.55,
                opportunity_share=0.3,
                inbound_opportunities=2.0,
                ae_prospecting=1.0,
                ae_headcount=3,
                csm_headcount=3,
            ),
            Segment(
                name="enterprise",
                initial_accounts=150,
                acv_median=150_000,
                acv_log_sd=0.5,
                renewal_hazard=(0.30, 0.15, 0.09, 0.06),
                csm_coverage=40,
                health_start=0.5,
                health_base=0.7,
                health_reversion=0.15,
                health_noise=0.05,
                usage_drift=0.084,
                usage_noise=0.015,
                csql_rate=0.03,
                upsell_fraction=0.3,
                sales_cycle_months=6,
                win_rate=0.15,
                expansion_win_rate=0.6,
                opportunity_share=0.1,
                inbound_opportunities=0.2,
                ae_prospecting=0.3,
                ae_headcount=2,
                csm_headcount=4,
            ),
        ),
        sdr_headcount=6,
        opportunities_per_sdr=8.0,
        skill_log_sd=0.25,
        effort=Effort(ae_overpromise=0.1),  # AEs over-promise a little by habit (article 000)
    )


def _mean_skill(world: World) -> float:
    return math.exp(world.skill_log_sd**2 / 2)


def _world_and_segment(world: Any, segment: Any) -> tuple[World, Segment]:
    """The arguments of the expected_* helpers: a World and one of its segments (or its
    name), with errors that say so."""
    if not isinstance(world, World):
        raise ValueError(
            f"world: expected a complab.World (e.g. scenario.world), got {type(world).__name__}"
        )
    if isinstance(segment, str):
        found = [s for s in world.segments if s.name == segment]
        if not found:
            raise ValueError(
                f"segment: {segment!r} is not one of the world's segments: {', '.join(world.segment_names())}"
            )
        return world, found[0]
    if not isinstance(segment, Segment):
        raise ValueError(
            f"segment: expected a complab.Segment or a segment's name, got {type(segment).__name__}"
        )
    return world, segment


def expected_new_arr_per_ae(world: World, segment: Segment | str) -> float:
    """Annual new ARR an AE of the segment (a Segment of `world`, or its name) closes on
    average, in steady state, from every source at the AEs' nominal effort."""
    world, segment = _world_and_segment(world, segment)
    total_share = sum(s.opportunity_share for s in world.segments)
    z = _mean_skill(world)
    sdr = world.sdr_headcount * world.opportunities_per_sdr * z * 12
    sdr *= segment.opportunity_share / total_share if total_share > 0 else 0.0
    # Every source (docs/model.md §5): SDRs, inbound marketing and the AEs' own prospecting
    # at their fixed new-business share.
    n_ratio = world.effort.ae_new_business / world.effort.ae_new_business_ref
    inbound = segment.inbound_opportunities * 12
    prospecting = segment.ae_prospecting * z * n_ratio * 12 * segment.ae_headcount
    opportunities = sdr + inbound + prospecting
    mean_acv = (
        segment.acv_median * math.exp(segment.acv_log_sd**2 / 2) * world.products[0].acv_scale
    )
    wins = opportunities * min(
        1.0, segment.win_rate * z * (1 + world.overpromise_win_uplift * world.effort.ae_overpromise)
    )
    return wins * mean_acv / max(1, segment.ae_headcount)


def default_plans(world: World | None = None) -> dict[str, Plan]:
    """The default scenario's plans (:func:`default`), for `world` (by default
    :func:`default_world`): per segment for AEs (pay mix 50/50; 70% on new ARR with
    accelerators, 30% on expansion ARR) and CSMs (80/20; 65% on gross churn, 35% on NRR),
    one SDR plan (65/35; 60% on opportunities, 40% on sourced wins), with targets scaled to
    the world's expected activity so a rep of average skill lands near 100%.

    Parameters
    ----------
    world
        The world whose activity sets the targets; plans are made for its segments.

    Returns
    -------
    dict of str to Plan
        Keyed ``ae:<segment>``, ``csm:<segment>`` and ``sdr``.
    """
    if world is None:
        world = default_world()
    years = world.period_months / 12
    accelerator = PayoutCurve.commission(accelerators=[(1.0, 1.5), (1.25, 2.0)], cap=3.0)
    plans: dict[str, Plan] = {}
    for seg in world.segments:
        quota = expected_new_arr_per_ae(world, seg) * years
        # Expansion quota: a tenth of the new-business quota's size per period, at least 1.
        plans[f"ae:{seg.name}"] = Plan(
            role="ae",
            ote=_AE_OTE.get(seg.name, 150_000),
            base_share=0.5,
            measures=[
                Measure("new_arr", weight=0.7, target=round(quota, -3), curve=accelerator),
                Measure(
                    "expansion_arr",
                    weight=0.3,
                    target=max(
                        1_000.0, round(expected_expansion_arr_per_ae(world, seg) * years, -3)
                    ),
                    curve=PayoutCurve.linear(threshold=0.0, cap=2.0),
                ),
            ],
            name=f"AE {seg.name}",
        )
        plans[f"csm:{seg.name}"] = Plan(
            role="csm",
            ote=_CSM_OTE.get(seg.name, 110_000),
            base_share=0.8,
            measures=[
                Measure(
                    "gross_churn",
                    weight=0.65,
                    target=_churn_target(world, seg),
                    curve=PayoutCurve.linear(threshold=0.0, cap=1.5),
                ),
                Measure(
                    "nrr",
                    weight=0.35,
                    target=_nrr_target(world, seg),
                    curve=PayoutCurve.tiered([(0.9, 0.0), (1.0, 1.0), (1.1, 2.0)]),
                ),
            ],
            name=f"CSM {seg.name}",
        )
    opportunities_target = round(
        world.opportunities_per_sdr * _mean_skill(world) * world.period_months
    )
    plans["sdr"] = Plan(
        role="sdr",
        ote=80_000,
        base_share=0.65,
        measures=[
            Measure(
                "opportunities",
                weight=0.6,
                target=max(1, opportunities_target),
                curve=PayoutCurve.linear(threshold=0.5, cap=2.0),
            ),
            Measure(
                "sourced_wins",
                weight=0.4,
                target=max(1, round(opportunities_target * _mean_win_rate(world), 1)),
                curve=PayoutCurve.linear(threshold=0.0, cap=2.0),
            ),
        ],
        name="SDR",
    )
    return _stated_for(world, plans)


_AE_OTE = {"smb": 120_000, "mid_market": 160_000, "enterprise": 240_000}
_CSM_OTE = {"smb": 90_000, "mid_market": 110_000, "enterprise": 140_000}


def _mean_win_rate(world: World) -> float:
    total = sum(s.opportunity_share for s in world.segments)
    z = _mean_skill(world)
    return sum(s.opportunity_share / total * min(1.0, s.win_rate * z) for s in world.segments)


def default() -> Scenario:
    """The built-in default scenario: three segments (SMB, mid-market, enterprise) over 36
    months with annual compensation periods, calibrated to annual NRR about 97% / 108% /
    118% and GRR about 87% / 91% / 94% (docs/model.md §10), paid by :func:`default_plans`."""
    world = default_world()
    return Scenario(world=world, plans=default_plans(world))


# -- expected activity, for targets ----------------------------------------------------------

#: What the pilot measures per segment: (role, metric) of the reps' per-period results.
_PILOT_METRICS = (
    ("ae", "expansion_arr"),
    ("csm", "csql_pipeline"),
    ("csm", "expand_rate"),
    ("csm", "nrr"),
    ("csm", "gross_churn"),
)


@functools.lru_cache(maxsize=64)
def _pilot(world: World) -> dict[tuple[str, str], dict[str, float]]:
    """Per-period mean per rep of each of :data:`_PILOT_METRICS`, per segment, from a short
    fixed-mode pilot of the world itself (40 trials, seed 0, unpaid reps).

    The expansion side has no simple closed form: the steady-state book (docs/model.md §4)
    holds accounts of every age, their ARR grown by usage and upsells, their health at its
    age; a CSM's attention saturates with its book (§3) and hand-offs pending block new
    CSQLs (§5). So the expected values are measured rather than approximated, once per
    world, for both the AE's expansion ARR and the CSM's pipeline and expand rate."""
    from complab.engine import simulate  # the engine imports scenarios, not presets

    pilot_world = replace(world, behaviour=replace(world.behaviour, incentive_sensitivity=0.0))
    result = simulate(Scenario(world=pilot_world), trials=40, seed=0, threads=1)
    reps = result.reps()
    measured: dict[tuple[str, str], dict[str, float]] = {}
    for role, metric in _PILOT_METRICS:
        mean = reps[reps["role"] == role].groupby("segment")[metric].mean()
        measured[(role, metric)] = {
            name: float(mean.get(name, 0.0)) for name in world.segment_names()
        }
    return measured


def _annual(world: World, per_period: float) -> float:
    return per_period * 12 / world.period_months


def expected_csql_pipeline_per_csm(world: World, segment: Segment | str) -> float:
    """Annual value of the CSQLs a CSM of the segment raises on average (measured by a
    pilot run of the world, :func:`_pilot`): upsells on the steady-state book's ARR, which
    grows with each account's age, and cross-sells where the account lacks a product."""
    world, segment = _world_and_segment(world, segment)
    return _annual(world, _pilot(world)[("csm", "csql_pipeline")][segment.name])


def expected_expansion_arr_per_ae(
    world: World, segment: Segment | str, acceptance: float | None = None
) -> float:
    """Annual CSQL expansion ARR an AE of the segment closes on average (measured by a
    pilot run of the world, :func:`_pilot`), scaled to ``acceptance`` when given
    (hand-offs accepted more often, e.g. under shared NRR)."""
    world, segment = _world_and_segment(world, segment)
    measured = _annual(world, _pilot(world)[("ae", "expansion_arr")][segment.name])
    if acceptance is None:
        return measured
    return measured * min(1.0, acceptance) / max(world.handoff_acceptance, 1e-9)


def expected_expand_rate(world: World, segment: Segment | str) -> float:
    """Share of a CSM's book that wins an expansion in a year (Land-and-Expand success),
    from the pilot's per-period share (:func:`_pilot`) compounded to a year."""
    world, segment = _world_and_segment(world, segment)
    per_period = _pilot(world)[("csm", "expand_rate")][segment.name]
    return 1 - (1 - per_period) ** (12 / world.period_months)


def _per_period(world: World, annual: float) -> float:
    return annual * world.period_months / 12


def _nrr_target(world: World, segment: Segment) -> float:
    """A CSM's NRR over its book in a period, on average in this world (the pilot): its
    expected value, not a benchmark, so a typical CSM lands near 100% in any world."""
    return round(_pilot(world)[("csm", "nrr")][segment.name], 4)


def _churn_target(world: World, segment: Segment) -> float:
    """A CSM's gross churn over its book in a period, on average in this world (the pilot)."""
    return round(_pilot(world)[("csm", "gross_churn")][segment.name], 4)


def _nrr_measure(world: World, segment: Segment, weight: float) -> Measure:
    """The default CSM plan's NRR measure: 0 at 90% of target, 1 at target, 2 at 110%."""
    return Measure(
        "nrr",
        weight=weight,
        target=_nrr_target(world, segment),
        curve=PayoutCurve.tiered([(0.9, 0.0), (1.0, 1.0), (1.1, 2.0)]),
    )


def _churn_measure(world: World, segment: Segment, weight: float) -> Measure:
    return Measure(
        "gross_churn",
        weight=weight,
        target=_churn_target(world, segment),
        curve=PayoutCurve.linear(threshold=0.0, cap=1.5),
    )


def _stated_for(world: World, plans: dict[str, Plan]) -> dict[str, Plan]:
    """The plans with their targets marked as stated for the world's period, so a scenario
    that changes ``period_months`` later has them prorated, not read as per-period."""
    return {k: replace(p, target_months=world.period_months) for k, p in plans.items()}


def _with_plans(scenario: Scenario, plans: dict[str, Plan]) -> Scenario:
    return Scenario(
        world=scenario.world, plans={**scenario.plans, **_stated_for(scenario.world, plans)}
    )


def _reweighted_ae(
    world: World,
    base: Scenario,
    new_weight: float,
    extra: builtins.list[Measure],
    expansion_target: Callable[[Segment], float] | None = None,
) -> dict[str, Plan]:
    """Each segment's AE plan with the new-ARR measure at `new_weight`, expansion ARR taking
    the rest but the weights of `extra` measures (appended)."""
    plans: dict[str, Plan] = {}
    for seg in world.segments:
        key = f"ae:{seg.name}"
        plan = base.plans[key]
        new, expansion = plan.measures[0], plan.measures[1]
        rest = 1 - new_weight - sum(m.weight for m in extra)
        target = (
            expansion.target
            if expansion_target is None
            else max(1_000.0, round(_per_period(world, expansion_target(seg)), -3))
        )
        measures = [
            replace(new, weight=new_weight),
            replace(expansion, weight=round(rest, 10), target=target),
            *[
                replace(m, target=_nrr_target(world, seg)) if m.metric == "nrr" else m
                for m in extra
            ],
        ]
        plans[key] = replace(plan, measures=tuple(measures))
    return plans


# -- presets from the articles -----------------------------------------------------------------
def churn_and_nrr() -> Scenario:
    """CSMs paid 65% on churn and 35% on NRR (article ``000``).

    The main KPI is churn at six to seven tenths of the variable pay, the sub-KPI NRR, so a
    CSM who loses a customer can win the loss back through expansion handed to sales. This
    is the default scenario's CSM plan; the preset is :func:`default` under the article's
    name.
    """
    return default()


def first_renewal_clawback(share: float = 1.0, window_months: int = 12) -> Scenario:
    """The default scenario with a first-renewal clawback on every AE plan (article ``000``).

    When an account churns at its first renewal the AE who sold it repays `share` of the
    commission earned on it (within `window_months` of the sale): a penalty for the seller
    when the expectations set in the sale and the reality diverge. The article calls it a
    last resort. In fixed mode it moves pay only; in responsive mode
    (``world.behaviour.incentive_sensitivity`` > 0) it also lowers over-promising and so
    first-renewal churn (docs/model.md §8).
    """
    base = default()
    clawback = Clawback(share=share, window_months=window_months)
    return _with_plans(
        base, {k: replace(p, clawback=clawback) for k, p in base.plans.items() if p.role == "ae"}
    )


def shared_nrr(ae_nrr_weight: float = 0.2) -> Scenario:
    """NRR on both the AE and the CSM (article ``000``: give customer sales and customer
    success the same NRR target and they co-operate).

    Every AE plan gets an NRR measure of weight `ae_nrr_weight` on its book (target: the
    segment's NRR benchmark), taken from new ARR (expansion ARR keeps its weight); the CSM
    plans already carry NRR. With both plans on NRR the AE accepts more CSQL hand-offs
    (``world.shared_nrr_acceptance_uplift``, docs/model.md §5), so this preset changes what the
    world does, not just pay.
    """
    base = default()
    world = base.world
    nrr = Measure(
        "nrr",
        weight=ae_nrr_weight,
        target=1.0,
        curve=PayoutCurve.tiered([(0.9, 0.0), (1.0, 1.0), (1.1, 2.0)]),
    )
    expansion_weight = base.plans[f"ae:{world.segments[0].name}"].measures[1].weight
    plans = _reweighted_ae(world, base, 1 - expansion_weight - ae_nrr_weight, [nrr])
    return _with_plans(base, plans)


def csql_strategy(churn_ceiling: float = 0.10) -> Scenario:
    """The CSQL strategy (article ``001``): CS creates the pipeline, field sales closes it.

    CSMs are paid half on churn and half on CSQL pipeline created, and the pipeline measure
    pays only while the CSM's book churns less than `churn_ceiling` a year (a gate on the
    churn measure): "get annual churn below 10% first, then work on expansion". AEs are
    paid half on new ARR and half on expansion bookings, with the expansion target set to
    what the CSMs' pipeline should bring.
    """
    base = default()
    world = base.world
    plans = _reweighted_ae(
        world, base, 0.5, [], expansion_target=lambda seg: expected_expansion_arr_per_ae(world, seg)
    )
    for seg in world.segments:
        churn = _churn_measure(world, seg, 0.5)
        # Lower-is-better attainment is 1 + (target - actual) / target, so churn at the
        # ceiling is attainment 2 - ceiling / target.
        gate = Gate(
            "gross_churn",
            min_attainment=max(0.0, 2 - _per_period(world, churn_ceiling) / churn.target),
        )
        pipeline = Measure(
            "csql_pipeline",
            weight=0.5,
            target=round(_per_period(world, expected_csql_pipeline_per_csm(world, seg)), -3),
            curve=PayoutCurve.linear(threshold=0.0, cap=2.0),
            gate=gate,
        )
        plans[f"csm:{seg.name}"] = replace(
            base.plans[f"csm:{seg.name}"], measures=(churn, pipeline)
        )
    return _with_plans(base, plans)


def expansion_pipeline(enterprise_segment: str = "enterprise") -> Scenario:
    """Every CSM measured on expansion pipeline created (article ``002``).

    All CSMs are paid half on churn and half on CSQL pipeline created (what a CSM controls
    through adoption work), not on expansion ARR, which the AE owns: AE plans pay 60% on new
    and 40% on expansion ARR. CSMs of `enterprise_segment` also carry the Land-and-Expand
    expand success rate (``expand_rate``: share of the book that wins an expansion): 40%
    churn, 35% pipeline, 25% expand rate.
    """
    base = default()
    world = base.world
    plans = _reweighted_ae(
        world, base, 0.6, [], expansion_target=lambda seg: expected_expansion_arr_per_ae(world, seg)
    )
    for seg in world.segments:
        target = round(_per_period(world, expected_csql_pipeline_per_csm(world, seg)), -3)
        curve = PayoutCurve.linear(threshold=0.0, cap=2.0)
        if seg.name == enterprise_segment:
            measures: tuple[Measure, ...] = (
                _churn_measure(world, seg, 0.4),
                Measure("csql_pipeline", weight=0.35, target=target, curve=curve),
                Measure(
                    "expand_rate",
                    weight=0.25,
                    target=round(_per_period(world, expected_expand_rate(world, seg)), 4),
                    curve=curve,
                ),
            )
        else:
            measures = (
                _churn_measure(world, seg, 0.5),
                Measure("csql_pipeline", weight=0.5, target=target, curve=curve),
            )
        plans[f"csm:{seg.name}"] = replace(base.plans[f"csm:{seg.name}"], measures=measures)
    return _with_plans(base, plans)


#: Gainsight's stages (article 004) as changes to the default world: (shift of every
#: segment's health, start and base; percentage points added to every renewal hazard).
#: Renewal hazards are the book's mean churn at each renewal (docs/model.md §5), so health
#: alone no longer moves churn: a stage states both. Calibrated (48 trials, seed 0) so
#: company NRR is about 92% (reactive) and 25 points higher (proactive).
GAINSIGHT_STAGES = {"reactive": (-0.15, 2.5), "proactive": (0.0, -1.0)}


def _gainsight_stage(stage: str) -> Scenario:
    base = default()
    shift, points = GAINSIGHT_STAGES[stage]
    segments = tuple(
        replace(
            s,
            health_base=min(1.0, max(0.0, s.health_base + shift)),
            health_start=min(1.0, max(0.0, s.health_start + shift)),
            renewal_hazard=tuple(min(1.0, max(0.0, h + points / 100)) for h in s.renewal_hazard),
        )
        for s in base.world.segments
    )
    return Scenario(world=replace(base.world, segments=segments), plans=base.plans)


def gainsight_reactive() -> Scenario:
    """A reactive customer-success organisation (article ``004``, Gainsight's stages).

    CS answers problems when customers raise them: customers adopt less, so their health
    sits lower (every segment's health 0.15 below the default), usage shrinks, fewer CSQLs
    are raised, and renewals churn more (every renewal hazard 2.5 points above the
    default); company NRR is about 92% ("new customers keep coming in, but the bucket has
    a hole in it"). Plans are the default's, so :func:`complab.compare` against
    :func:`gainsight_proactive` shows what the stage is worth and what it does to comp cost.
    """
    return _gainsight_stage("reactive")


def gainsight_proactive() -> Scenario:
    """A proactive customer-success organisation (article ``004``): about 25 points more
    NRR than :func:`gainsight_reactive` from existing customers alone (the default's
    health, every renewal hazard a point below the default's). Plans are the default's."""
    return _gainsight_stage("proactive")


def lower_churn(scenario: Scenario, points: float = 1.0) -> Scenario:
    """`scenario` with every renewal hazard `points` percentage points lower (not below 0).

    Article ``004``: "what does one point of churn do to revenue?" —
    ``complab.compare(s, {"1 point less churn": presets.lower_churn(s)})``. The hazard is the
    book's mean churn at each renewal when CSMs carry their nominal books (docs/model.md
    §5), so logo churn falls by about `points`. ``compare`` starts it from the base's book
    at month 0 (the change is a decision taken today); simulated on its own, or with
    ``history="own"``, its book is the steady state of the new hazards (§4): a company
    that always churned less, older and larger.
    """
    segments = tuple(
        replace(s, renewal_hazard=tuple(max(0.0, h - points / 100) for h in s.renewal_hazard))
        for s in scenario.world.segments
    )
    return replace(scenario, world=replace(scenario.world, segments=segments))


# -- people (docs/model.md §9) -------------------------------------------------------------------
#: AEs ramp 25/50/75/100% by quarter of tenure: full productivity after 9 months.
AE_RAMP = (0.25,) * 3 + (0.5,) * 3 + (0.75,) * 3 + (1.0,)


def workforce(hiring: bool = False) -> Scenario:
    """The default scenario with people: reps ramp, leave and are replaced (docs/model.md §9).

    AEs ramp over 9 months (25/50/75/100% of full productivity and of quota by quarter of
    tenure), leave at 20% a year and are backfilled after 2 months (60 days); CSMs ramp over
    3 months (50/75/100%) and leave at 15% a year; SDRs ramp over 3 months and leave at 30% a
    year, backfilled after a month. Vacant territories are covered by the segment's other
    reps. The AE figures are a common planning convention; the CSM and SDR figures
    are assumptions in the range the sales-turnover surveys of docs/model.md §9 report. With
    `hiring`, the plan adds two SMB AEs in month 3 and one mid-market AE in month 6 (a
    growth plan to cost). Starting reps' tenures are the steady state of these hazards, so
    some are still ramping at month 0.
    """
    base = default()
    changes: dict[str, Any] = {
        "world.workforce.ae": {
            "ramp": builtins.list(AE_RAMP),
            "attrition": [{"from_month": 0, "annual_rate": 0.20}],
            "backfill_lag_months": 2,
        },
        "world.workforce.csm": {
            "ramp": [0.5, 0.75, 1.0],
            "attrition": [{"from_month": 0, "annual_rate": 0.15}],
            "backfill_lag_months": 2,
        },
        "world.workforce.sdr": {
            "ramp": [0.5, 0.75, 1.0],
            "attrition": [{"from_month": 0, "annual_rate": 0.30}],
            "backfill_lag_months": 1,
        },
    }
    if hiring:
        aes = {s.name: s.ae_headcount for s in base.world.segments}
        changes["world.workforce.hiring"] = [
            {"role": "ae", "segment": "smb", "month": 3, "headcount": aes["smb"] + 2},
            {"role": "ae", "segment": "mid_market", "month": 6, "headcount": aes["mid_market"] + 1},
        ]
    return base.with_(changes)


def ratchet(up: float = 0.5, down: float = 0.2) -> Scenario:
    """The default scenario with a quota ratchet on every AE plan (docs/model.md §7).

    At each year's end an AE's quota rises by `up` times its over-attainment and falls by
    `down` times its shortfall, as in the ratcheting studied by Leone, Misra and Zimmerman
    (2004, "Investigating quota ratcheting") and Misra and Nair (2011, "A structural model
    of sales-force compensation dynamics"): quotas chase last year's sales, more up than
    down. In fixed mode it moves pay only; in responsive mode
    (``world.behaviour.incentive_sensitivity`` > 0) reps already above quota hold effort
    back near the year's end, since each extra sale raises next year's bar (§8).
    """
    base = default()
    rule = Ratchet(up=up, down=down)
    return _with_plans(
        base, {k: replace(p, ratchet=rule) for k, p in base.plans.items() if p.role == "ae"}
    )


# -- registry ------------------------------------------------------------------------------------
#: Preset name → (function, source article in ``shared/seeds``, or "" for a preset built on
#: published benchmarks, which its docstring cites).
PRESETS: dict[str, tuple[Callable[..., Scenario], str]] = {
    "default": (default, "000"),
    "churn_and_nrr": (churn_and_nrr, "000"),
    "first_renewal_clawback": (first_renewal_clawback, "000"),
    "shared_nrr": (shared_nrr, "000"),
    "csql_strategy": (csql_strategy, "001"),
    "expansion_pipeline": (expansion_pipeline, "002"),
    "gainsight_reactive": (gainsight_reactive, "004"),
    "gainsight_proactive": (gainsight_proactive, "004"),
    "workforce": (workforce, ""),
    "ratchet": (ratchet, ""),
}


def list() -> builtins.list[str]:
    """Names of the built-in scenarios, for :func:`get`."""
    return builtins.list(PRESETS)


def get(name: str, **kwargs: Any) -> Scenario:
    """The built-in scenario `name` (see :func:`list`); `kwargs` go to its function.

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    if name not in PRESETS:
        raise ValueError(f"preset: {name!r} is not one of {', '.join(PRESETS)}")
    return PRESETS[name][0](**kwargs)
