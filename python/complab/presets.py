"""Built-in scenarios (MODEL.md §12).

:func:`default` is a three-segment subscription business (SMB, mid-market, enterprise)
calibrated to published retention benchmarks: annual NRR about 97% / 108% / 118% and GRR
about 87% / 91% / 94% (MODEL.md §3). Its plans follow the articles the model is built on
(``shared/seeds``): AE 50/50 pay mix on new and expansion ARR, SDR 65/35 on opportunities,
CSM 80/20 paid 65% on churn and 35% on NRR (article 000).

Quotas and targets are the expected value of each metric for a rep of average skill at
nominal effort in this world, so a typical rep lands near 100% attainment.
"""

from __future__ import annotations

import math

from complab.plans import Measure, PayoutCurve, Plan
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
                name="smb", initial_accounts=1200, acv_median=6_000, acv_log_sd=0.6,
                renewal_hazard=(0.26, 0.17, 0.12, 0.10), csm_coverage=400,
                health_start=0.5, health_base=0.6, health_reversion=0.15, health_noise=0.05,
                usage_drift=0.08, usage_noise=0.02, csql_rate=0.01, upsell_fraction=0.25,
                sales_cycle_months=1, win_rate=0.25, expansion_win_rate=0.5,
                opportunity_share=0.6, ae_headcount=3, csm_headcount=3,
            ),
            Segment(
                name="mid_market", initial_accounts=500, acv_median=30_000, acv_log_sd=0.5,
                renewal_hazard=(0.24, 0.13, 0.08, 0.065), csm_coverage=150,
                health_start=0.5, health_base=0.65, health_reversion=0.15, health_noise=0.05,
                usage_drift=0.094, usage_noise=0.02, csql_rate=0.02, upsell_fraction=0.3,
                sales_cycle_months=3, win_rate=0.2, expansion_win_rate=0.55,
                opportunity_share=0.3, ae_headcount=3, csm_headcount=3,
            ),
            Segment(
                name="enterprise", initial_accounts=150, acv_median=150_000, acv_log_sd=0.5,
                renewal_hazard=(0.22, 0.11, 0.066, 0.044), csm_coverage=40,
                health_start=0.5, health_base=0.7, health_reversion=0.15, health_noise=0.05,
                usage_drift=0.091, usage_noise=0.015, csql_rate=0.03, upsell_fraction=0.3,
                sales_cycle_months=6, win_rate=0.15, expansion_win_rate=0.6,
                opportunity_share=0.1, ae_headcount=2, csm_headcount=4,
            ),
        ),
        sdr_headcount=6,
        opportunities_per_sdr=8.0,
        skill_log_sd=0.25,
        effort=Effort(),
    )


def _mean_skill(world: World) -> float:
    return math.exp(world.skill_log_sd**2 / 2)


def expected_new_arr_per_ae(world: World, segment: Segment) -> float:
    """Annual new ARR an AE of the segment closes on average, in steady state."""
    total_share = sum(s.opportunity_share for s in world.segments)
    z = _mean_skill(world)
    opportunities = world.sdr_headcount * world.opportunities_per_sdr * z * 12
    opportunities *= segment.opportunity_share / total_share
    mean_acv = segment.acv_median * math.exp(segment.acv_log_sd**2 / 2) * world.products[0].acv_scale
    wins = opportunities * min(1.0, segment.win_rate * z)
    return wins * mean_acv / max(1, segment.ae_headcount)


def default_plans(world: World) -> dict[str, Plan]:
    """Plans for every role, with targets scaled to the world's expected activity."""
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
                    "expansion_arr", weight=0.3, target=max(1_000.0, round(0.25 * quota, -3)),
                    curve=PayoutCurve.linear(threshold=0.0, cap=2.0),
                ),
            ],
            name=f"AE {seg.name}",
        )
        nrr, grr = RETENTION_BENCHMARKS.get(seg.name, (1.0, 0.9))
        plans[f"csm:{seg.name}"] = Plan(
            role="csm",
            ote=_CSM_OTE.get(seg.name, 110_000),
            base_share=0.8,
            measures=[
                Measure(
                    "gross_churn", weight=0.65, target=round((1 - grr) * years, 4),
                    curve=PayoutCurve.linear(threshold=0.0, cap=1.5),
                ),
                Measure(
                    "nrr", weight=0.35, target=round(1 + (nrr - 1) * years, 4),
                    curve=PayoutCurve.tiered([(0.9, 0.0), (1.0, 1.0), (1.1, 2.0)]),
                ),
            ],
            name=f"CSM {seg.name}",
        )
    opportunities_target = round(world.opportunities_per_sdr * _mean_skill(world) * world.period_months)
    plans["sdr"] = Plan(
        role="sdr",
        ote=80_000,
        base_share=0.65,
        measures=[
            Measure("opportunities", weight=0.6, target=max(1, opportunities_target),
                    curve=PayoutCurve.linear(threshold=0.5, cap=2.0)),
            Measure("sourced_wins", weight=0.4,
                    target=max(1, round(opportunities_target * _mean_win_rate(world), 1)),
                    curve=PayoutCurve.linear(threshold=0.0, cap=2.0)),
        ],
        name="SDR",
    )
    return plans


_AE_OTE = {"smb": 120_000, "mid_market": 160_000, "enterprise": 240_000}
_CSM_OTE = {"smb": 90_000, "mid_market": 110_000, "enterprise": 140_000}


def _mean_win_rate(world: World) -> float:
    total = sum(s.opportunity_share for s in world.segments)
    z = _mean_skill(world)
    return sum(s.opportunity_share / total * min(1.0, s.win_rate * z) for s in world.segments)


def default() -> Scenario:
    """The built-in default scenario (see the module docstring)."""
    world = default_world()
    return Scenario(world=world, plans=default_plans(world))
