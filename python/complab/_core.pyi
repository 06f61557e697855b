"""
complab's compiled core (private: use the complab package)
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['BehaviourConfig', 'BookAccount', 'COHORT_FIELDS', 'Clawback', 'Draw', 'EFFORT_FIELDS', 'EffortConfig', 'Gate', 'HEADCOUNT_FIELDS', 'HEADCOUNT_SEAT', 'HIRING_SEAT', 'HiringStep', 'MAX_OPPORTUNITIES_PER_SOURCE_MONTH', 'METRICS', 'Measure', 'Metric', 'Multiplier', 'NUM_PAY_FIELDS', 'NUM_RAW_SLOTS', 'PAY_FIELDS', 'PayAttritionConfig', 'PayoutCurve', 'Plan', 'ProductConfig', 'QuotaMethod', 'RAW_SLOTS', 'Ratchet', 'Role', 'RoleStaffing', 'RunOptions', 'SERIES', 'SIMD', 'Scenario', 'SeatConfig', 'SegmentConfig', 'Spif', 'Vacancy', 'WorkforceConfig', 'WorldConfig', 'attainment', 'curve_slope', 'curve_value', 'curve_value_clamped', 'evaluate_payroll', 'metric_actuals', 'plan_payout', 'roster', 'simulate']
class Role:
    """
    Members:
    
      ae
    
      sdr
    
      csm
    """
    __members__: typing.ClassVar[dict[str, Role]]
    ae: typing.ClassVar[Role]
    csm: typing.ClassVar[Role]
    sdr: typing.ClassVar[Role]
    @typing.overload
    def __eq__(self, other: Role) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Role) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class Metric:
    """
    Members:
    
      new_arr
    
      expansion_arr
    
      bookings
    
      new_logos
    
      expansion_wins
    
      opportunities
    
      pipeline_created
    
      sourced_wins
    
      csql_count
    
      csql_pipeline
    
      nrr
    
      grr
    
      gross_churn
    
      logo_churn
    
      expand_rate
    """
    __members__: typing.ClassVar[dict[str, Metric]]
    bookings: typing.ClassVar[Metric]
    csql_count: typing.ClassVar[Metric]
    csql_pipeline: typing.ClassVar[Metric]
    expand_rate: typing.ClassVar[Metric]
    expansion_arr: typing.ClassVar[Metric]
    expansion_wins: typing.ClassVar[Metric]
    gross_churn: typing.ClassVar[Metric]
    grr: typing.ClassVar[Metric]
    logo_churn: typing.ClassVar[Metric]
    new_arr: typing.ClassVar[Metric]
    new_logos: typing.ClassVar[Metric]
    nrr: typing.ClassVar[Metric]
    opportunities: typing.ClassVar[Metric]
    pipeline_created: typing.ClassVar[Metric]
    sourced_wins: typing.ClassVar[Metric]
    @typing.overload
    def __eq__(self, other: Metric) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Metric) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class PayoutCurve:
    @typing.overload
    def __init__(self) -> None:
        ...
    @typing.overload
    def __init__(self, attainment: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], payout: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
    def validate(self, field: str = 'curve') -> None:
        ...
    @property
    def attainment(self) -> list[float]:
        ...
    @attainment.setter
    def attainment(self, arg0: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
    @property
    def payout(self) -> list[float]:
        ...
    @payout.setter
    def payout(self, arg0: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
class Gate:
    @typing.overload
    def __init__(self) -> None:
        ...
    @typing.overload
    def __init__(self, measure: typing.SupportsInt | typing.SupportsIndex, min_attainment: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def measure(self) -> int:
        ...
    @measure.setter
    def measure(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def min_attainment(self) -> float:
        ...
    @min_attainment.setter
    def min_attainment(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class Measure:
    curve: PayoutCurve
    gate: Gate | None
    lower_is_better: bool
    metric: Metric
    name: str
    def __init__(self) -> None:
        ...
    @property
    def target(self) -> float:
        ...
    @target.setter
    def target(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def weight(self) -> float:
        ...
    @weight.setter
    def weight(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class Multiplier:
    curve: PayoutCurve
    lower_is_better: bool
    metric: Metric
    def __init__(self) -> None:
        ...
    @property
    def target(self) -> float:
        ...
    @target.setter
    def target(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class Clawback:
    @typing.overload
    def __init__(self) -> None:
        ...
    @typing.overload
    def __init__(self, share: typing.SupportsFloat | typing.SupportsIndex, window_months: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def share(self) -> float:
        ...
    @share.setter
    def share(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def window_months(self) -> int:
        ...
    @window_months.setter
    def window_months(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
class Spif:
    metric: Metric
    @typing.overload
    def __init__(self) -> None:
        ...
    @typing.overload
    def __init__(self, metric: Metric, amount: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def amount(self) -> float:
        ...
    @amount.setter
    def amount(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class Draw:
    recoverable: bool
    @typing.overload
    def __init__(self) -> None:
        ...
    @typing.overload
    def __init__(self, amount: typing.SupportsFloat | typing.SupportsIndex, months: typing.SupportsInt | typing.SupportsIndex, recoverable: bool) -> None:
        ...
    @property
    def amount(self) -> float:
        ...
    @amount.setter
    def amount(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def months(self) -> int:
        ...
    @months.setter
    def months(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
class Ratchet:
    @typing.overload
    def __init__(self) -> None:
        ...
    @typing.overload
    def __init__(self, up: typing.SupportsFloat | typing.SupportsIndex, down: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def down(self) -> float:
        ...
    @down.setter
    def down(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def up(self) -> float:
        ...
    @up.setter
    def up(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class Plan:
    clawback: Clawback | None
    draw: Draw | None
    multiplier: Multiplier | None
    name: str
    ratchet: Ratchet | None
    role: Role
    true_up: bool
    def __init__(self) -> None:
        ...
    def carries_nrr(self) -> bool:
        ...
    def num_inputs(self) -> int:
        ...
    def validate(self) -> None:
        ...
    @property
    def base_share(self) -> float:
        ...
    @base_share.setter
    def base_share(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def measures(self) -> list[Measure]:
        ...
    @measures.setter
    def measures(self, arg0: collections.abc.Sequence[Measure]) -> None:
        ...
    @property
    def ote(self) -> float:
        ...
    @ote.setter
    def ote(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def spifs(self) -> list[Spif]:
        ...
    @spifs.setter
    def spifs(self, arg0: collections.abc.Sequence[Spif]) -> None:
        ...
class ProductConfig:
    name: str
    usage_priced: bool
    def __init__(self) -> None:
        ...
    @property
    def acv_scale(self) -> float:
        ...
    @acv_scale.setter
    def acv_scale(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class SegmentConfig:
    name: str
    def __init__(self) -> None:
        ...
    @property
    def acv_log_sd(self) -> float:
        ...
    @acv_log_sd.setter
    def acv_log_sd(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def acv_median(self) -> float:
        ...
    @acv_median.setter
    def acv_median(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def ae_capacity(self) -> float:
        ...
    @ae_capacity.setter
    def ae_capacity(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def ae_headcount(self) -> int:
        ...
    @ae_headcount.setter
    def ae_headcount(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def ae_prospecting(self) -> float:
        ...
    @ae_prospecting.setter
    def ae_prospecting(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def csm_coverage(self) -> float:
        ...
    @csm_coverage.setter
    def csm_coverage(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def csm_headcount(self) -> int:
        ...
    @csm_headcount.setter
    def csm_headcount(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def csql_rate(self) -> float:
        ...
    @csql_rate.setter
    def csql_rate(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def expansion_win_rate(self) -> float:
        ...
    @expansion_win_rate.setter
    def expansion_win_rate(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def health_base(self) -> float:
        ...
    @health_base.setter
    def health_base(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def health_noise(self) -> float:
        ...
    @health_noise.setter
    def health_noise(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def health_reversion(self) -> float:
        ...
    @health_reversion.setter
    def health_reversion(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def health_start(self) -> float:
        ...
    @health_start.setter
    def health_start(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def inbound_opportunities(self) -> float:
        ...
    @inbound_opportunities.setter
    def inbound_opportunities(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def initial_accounts(self) -> int:
        ...
    @initial_accounts.setter
    def initial_accounts(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def opportunity_share(self) -> float:
        ...
    @opportunity_share.setter
    def opportunity_share(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def renewal_hazard(self) -> list[float]:
        ...
    @renewal_hazard.setter
    def renewal_hazard(self, arg0: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
    @property
    def sales_cycle_months(self) -> int:
        ...
    @sales_cycle_months.setter
    def sales_cycle_months(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def upsell_fraction(self) -> float:
        ...
    @upsell_fraction.setter
    def upsell_fraction(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def usage_drift(self) -> float:
        ...
    @usage_drift.setter
    def usage_drift(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def usage_noise(self) -> float:
        ...
    @usage_noise.setter
    def usage_noise(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def win_rate(self) -> float:
        ...
    @win_rate.setter
    def win_rate(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class EffortConfig:
    def __init__(self) -> None:
        ...
    @property
    def ae_new_business(self) -> float:
        ...
    @ae_new_business.setter
    def ae_new_business(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def ae_new_business_ref(self) -> float:
        ...
    @ae_new_business_ref.setter
    def ae_new_business_ref(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def ae_overpromise(self) -> float:
        ...
    @ae_overpromise.setter
    def ae_overpromise(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def csm_adoption(self) -> float:
        ...
    @csm_adoption.setter
    def csm_adoption(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def csm_adoption_ref(self) -> float:
        ...
    @csm_adoption_ref.setter
    def csm_adoption_ref(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class BehaviourConfig:
    def __init__(self) -> None:
        ...
    @property
    def ae_productivity(self) -> list[float]:
        ...
    @ae_productivity.setter
    def ae_productivity(self, arg0: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
    @property
    def csm_productivity(self) -> list[float]:
        ...
    @csm_productivity.setter
    def csm_productivity(self, arg0: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
    @property
    def effort_cost_ae(self) -> float:
        ...
    @effort_cost_ae.setter
    def effort_cost_ae(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def effort_cost_csm(self) -> float:
        ...
    @effort_cost_csm.setter
    def effort_cost_csm(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def effort_elasticity(self) -> float:
        ...
    @effort_elasticity.setter
    def effort_elasticity(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def incentive_sensitivity(self) -> float:
        ...
    @incentive_sensitivity.setter
    def incentive_sensitivity(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def max_effort_level(self) -> float:
        ...
    @max_effort_level.setter
    def max_effort_level(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def projection_uncertainty(self) -> float:
        ...
    @projection_uncertainty.setter
    def projection_uncertainty(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class RoleStaffing:
    def __init__(self) -> None:
        ...
    @property
    def attrition_from(self) -> list[int]:
        ...
    @attrition_from.setter
    def attrition_from(self, arg0: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex]) -> None:
        ...
    @property
    def attrition_hazard(self) -> list[float]:
        ...
    @attrition_hazard.setter
    def attrition_hazard(self, arg0: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
    @property
    def backfill_lag(self) -> int:
        ...
    @backfill_lag.setter
    def backfill_lag(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def quota_ramp(self) -> list[float]:
        ...
    @quota_ramp.setter
    def quota_ramp(self, arg0: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
    @property
    def ramp(self) -> list[float]:
        ...
    @ramp.setter
    def ramp(self, arg0: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
class SeatConfig:
    role: Role
    def __init__(self) -> None:
        ...
    @property
    def hired(self) -> int:
        ...
    @hired.setter
    def hired(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def ote_scale(self) -> float:
        ...
    @ote_scale.setter
    def ote_scale(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def quota_scale(self) -> float:
        ...
    @quota_scale.setter
    def quota_scale(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def segment(self) -> int:
        ...
    @segment.setter
    def segment(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
class HiringStep:
    role: Role
    def __init__(self) -> None:
        ...
    @property
    def headcount(self) -> int:
        ...
    @headcount.setter
    def headcount(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def month(self) -> int:
        ...
    @month.setter
    def month(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def segment(self) -> int:
        ...
    @segment.setter
    def segment(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
class PayAttritionConfig:
    enabled: bool
    def __init__(self) -> None:
        ...
    @property
    def capped_effect(self) -> float:
        ...
    @capped_effect.setter
    def capped_effect(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def shortfall_effect(self) -> float:
        ...
    @shortfall_effect.setter
    def shortfall_effect(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def trailing_months(self) -> int:
        ...
    @trailing_months.setter
    def trailing_months(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
class Vacancy:
    """
    Members:
    
      reassign
    
      wait
    """
    __members__: typing.ClassVar[dict[str, Vacancy]]
    reassign: typing.ClassVar[Vacancy]
    wait: typing.ClassVar[Vacancy]
    @typing.overload
    def __eq__(self, other: Vacancy) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Vacancy) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class QuotaMethod:
    """
    Members:
    
      equal
    
      territory
    """
    __members__: typing.ClassVar[dict[str, QuotaMethod]]
    equal: typing.ClassVar[QuotaMethod]
    territory: typing.ClassVar[QuotaMethod]
    @typing.overload
    def __eq__(self, other: QuotaMethod) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: QuotaMethod) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class WorkforceConfig:
    pay_attrition: PayAttritionConfig
    quota_method: QuotaMethod
    vacancy: Vacancy
    def __init__(self) -> None:
        ...
    def active(self) -> bool:
        ...
    @property
    def hiring(self) -> list[HiringStep]:
        ...
    @hiring.setter
    def hiring(self, arg0: collections.abc.Sequence[HiringStep]) -> None:
        ...
    @property
    def roles(self) -> typing.Annotated[list[RoleStaffing], "FixedSize(3)"]:
        ...
    @roles.setter
    def roles(self, arg0: typing.Annotated[collections.abc.Sequence[RoleStaffing], "FixedSize(3)"]) -> None:
        ...
    @property
    def roster(self) -> list[SeatConfig]:
        ...
    @roster.setter
    def roster(self, arg0: collections.abc.Sequence[SeatConfig]) -> None:
        ...
class WorldConfig:
    behaviour: BehaviourConfig
    effort: EffortConfig
    workforce: WorkforceConfig
    def __init__(self) -> None:
        ...
    def validate(self) -> None:
        ...
    @property
    def book_age_years(self) -> int:
        ...
    @book_age_years.setter
    def book_age_years(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def churn_gap_effect(self) -> float:
        ...
    @churn_gap_effect.setter
    def churn_gap_effect(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def churn_health_effect(self) -> float:
        ...
    @churn_health_effect.setter
    def churn_health_effect(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def cross_sell_probability(self) -> float:
        ...
    @cross_sell_probability.setter
    def cross_sell_probability(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def csm_max_effort(self) -> float:
        ...
    @csm_max_effort.setter
    def csm_max_effort(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def csql_health_exponent(self) -> float:
        ...
    @csql_health_exponent.setter
    def csql_health_exponent(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def expansion_cycle_months(self) -> int:
        ...
    @expansion_cycle_months.setter
    def expansion_cycle_months(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def gap_decay(self) -> float:
        ...
    @gap_decay.setter
    def gap_decay(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def handoff_acceptance(self) -> float:
        ...
    @handoff_acceptance.setter
    def handoff_acceptance(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def health_adoption_effect(self) -> float:
        ...
    @health_adoption_effect.setter
    def health_adoption_effect(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def health_gap_effect(self) -> float:
        ...
    @health_gap_effect.setter
    def health_gap_effect(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def health_push_effect(self) -> float:
        ...
    @health_push_effect.setter
    def health_push_effect(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def months(self) -> int:
        ...
    @months.setter
    def months(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def opportunities_per_sdr(self) -> float:
        ...
    @opportunities_per_sdr.setter
    def opportunities_per_sdr(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def overpromise_win_uplift(self) -> float:
        ...
    @overpromise_win_uplift.setter
    def overpromise_win_uplift(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def period_months(self) -> int:
        ...
    @period_months.setter
    def period_months(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def products(self) -> list[ProductConfig]:
        ...
    @products.setter
    def products(self, arg0: collections.abc.Sequence[ProductConfig]) -> None:
        ...
    @property
    def sdr_headcount(self) -> int:
        ...
    @sdr_headcount.setter
    def sdr_headcount(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def segments(self) -> list[SegmentConfig]:
        ...
    @segments.setter
    def segments(self, arg0: collections.abc.Sequence[SegmentConfig]) -> None:
        ...
    @property
    def shared_nrr_acceptance_uplift(self) -> float:
        ...
    @shared_nrr_acceptance_uplift.setter
    def shared_nrr_acceptance_uplift(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def skill_log_sd(self) -> float:
        ...
    @skill_log_sd.setter
    def skill_log_sd(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class BookAccount:
    def __init__(self) -> None:
        ...
    @property
    def ae_seat(self) -> int:
        ...
    @ae_seat.setter
    def ae_seat(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def arr_cents(self) -> int:
        ...
    @arr_cents.setter
    def arr_cents(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def csm_seat(self) -> int:
        ...
    @csm_seat.setter
    def csm_seat(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def health(self) -> float:
        ...
    @health.setter
    def health(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def months_to_renewal(self) -> int:
        ...
    @months_to_renewal.setter
    def months_to_renewal(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def products(self) -> int:
        ...
    @products.setter
    def products(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def renewal_index(self) -> int:
        ...
    @renewal_index.setter
    def renewal_index(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def segment(self) -> int:
        ...
    @segment.setter
    def segment(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
class Scenario:
    world: WorldConfig
    def __init__(self) -> None:
        ...
    def shared_nrr(self, segment: typing.SupportsInt | typing.SupportsIndex) -> bool:
        ...
    def validate(self) -> None:
        ...
    @property
    def ae_plan(self) -> list[int]:
        ...
    @ae_plan.setter
    def ae_plan(self, arg0: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex]) -> None:
        ...
    @property
    def book(self) -> list[BookAccount]:
        ...
    @book.setter
    def book(self, arg0: collections.abc.Sequence[BookAccount]) -> None:
        ...
    @property
    def csm_plan(self) -> list[int]:
        ...
    @csm_plan.setter
    def csm_plan(self, arg0: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex]) -> None:
        ...
    @property
    def history(self) -> list[Scenario]:
        ...
    @history.setter
    def history(self, arg0: collections.abc.Sequence[Scenario]) -> None:
        ...
    @property
    def plans(self) -> list[Plan]:
        ...
    @plans.setter
    def plans(self, arg0: collections.abc.Sequence[Plan]) -> None:
        ...
    @property
    def sdr_plan(self) -> int:
        ...
    @sdr_plan.setter
    def sdr_plan(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
class RunOptions:
    keep_accounts: bool
    def __init__(self) -> None:
        ...
    @property
    def batch_size(self) -> int:
        ...
    @batch_size.setter
    def batch_size(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def first_trial(self) -> int:
        ...
    @first_trial.setter
    def first_trial(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def seed(self) -> int:
        ...
    @seed.setter
    def seed(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def threads(self) -> int:
        ...
    @threads.setter
    def threads(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def trials(self) -> int:
        ...
    @trials.setter
    def trials(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
def _simd_paths() -> list:
    """
    The vector paths this CPU has, widest first (SIMD is the default, the widest).
    """
def _use_simd_path(name: str) -> None:
    """
    Makes the engine's kernels take path `name` from now on (benchmarks; SIMD keeps the default).
    """
def attainment(actual: typing.SupportsFloat | typing.SupportsIndex, target: typing.SupportsFloat | typing.SupportsIndex, lower_is_better: bool) -> float:
    ...
def curve_slope(curve: PayoutCurve, attainment: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> numpy.typing.NDArray[numpy.float64]:
    """
    Right derivative of the curve at each attainment.
    """
def curve_value(curve: PayoutCurve, attainment: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> numpy.typing.NDArray[numpy.float64]:
    """
    Payout multiple at each attainment (0 below the first point).
    """
def curve_value_clamped(curve: PayoutCurve, attainment: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> numpy.typing.NDArray[numpy.float64]:
    """
    Like curve_value, but flat below the first point (multipliers).
    """
def evaluate_payroll(plans: collections.abc.Sequence[Plan], rep_raw: numpy.ndarray, first_renewal_churn: numpy.ndarray | None, rep_plan: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], period_months: typing.SupportsInt | typing.SupportsIndex, rep_terms: numpy.ndarray | None = None, rep_tenure: numpy.ndarray | None = None, threads: typing.SupportsInt | typing.SupportsIndex = 0) -> tuple:
    """
    Pays every rep-period; returns (pay[trials, reps, periods, NUM_PAY_FIELDS], measure_payout[trials, reps, periods, max_measures]). rep_terms[trials, reps, periods, 2] (float: quota and OTE scales) and rep_tenure[trials, reps, months] (int16, -1 vacant) may be None: scales 1, every seat held all along by a long-tenured rep. threads: 0 all cores (the values do not depend on it).
    """
def metric_actuals(raw: typing.Annotated[numpy.typing.ArrayLike, numpy.int64]) -> numpy.typing.NDArray[numpy.float64]:
    """
    Every metric's actual value for each row of raw accumulators.
    """
def plan_payout(plan: Plan, actuals: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], period_months: typing.SupportsInt | typing.SupportsIndex, spif_counts: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> dict:
    """
    Evaluates one plan on rows of actuals[n, num_inputs] and spif_counts[n, n_spifs]; returns a dict of base, variable, spif (n,) and measures (n, n_measures).
    """
def roster(arg0: Scenario) -> tuple[list, list[int], list[int], list[int], list[int], list[float], list[float]]:
    ...
def simulate(scenario: Scenario, options: RunOptions, progress: typing.Any = None) -> dict:
    """
    Run the Monte Carlo engine; returns a dict of NumPy arrays.
    """
COHORT_FIELDS: tuple = ('start_arr', 'end_arr', 'kept_arr', 'start_logos', 'churned_logos')
EFFORT_FIELDS: tuple = ('primary', 'secondary', 'overpromise', 'level')
HEADCOUNT_FIELDS: tuple = ('held', 'ramping', 'vacant', 'hired', 'left', 'regretted', 'capacity_micros', 'lost_opportunities')
HEADCOUNT_SEAT: int = -1073741824
HIRING_SEAT: int = -1073741823
MAX_OPPORTUNITIES_PER_SOURCE_MONTH: int = 512
METRICS: list = [{'name': 'new_arr', 'description': 'ARR of new accounts won', 'lower_is_better': False, 'is_count': False, 'is_rate': False, 'roles': ['ae']}, {'name': 'expansion_arr', 'description': 'expansion ARR closed (AE) or closed on own CSQLs (CSM)', 'lower_is_better': False, 'is_count': False, 'is_rate': False, 'roles': ['ae', 'csm']}, {'name': 'bookings', 'description': 'new plus expansion ARR', 'lower_is_better': False, 'is_count': False, 'is_rate': False, 'roles': ['ae']}, {'name': 'new_logos', 'description': 'new accounts won', 'lower_is_better': False, 'is_count': True, 'is_rate': False, 'roles': ['ae']}, {'name': 'expansion_wins', 'description': 'expansion opportunities won', 'lower_is_better': False, 'is_count': True, 'is_rate': False, 'roles': ['ae', 'csm']}, {'name': 'opportunities', 'description': 'new-business opportunities created', 'lower_is_better': False, 'is_count': True, 'is_rate': False, 'roles': ['sdr']}, {'name': 'pipeline_created', 'description': 'value of opportunities created', 'lower_is_better': False, 'is_count': False, 'is_rate': False, 'roles': ['sdr']}, {'name': 'sourced_wins', 'description': 'created opportunities that were won', 'lower_is_better': False, 'is_count': True, 'is_rate': False, 'roles': ['sdr']}, {'name': 'csql_count', 'description': 'CSQLs raised', 'lower_is_better': False, 'is_count': True, 'is_rate': False, 'roles': ['csm']}, {'name': 'csql_pipeline', 'description': 'value of CSQLs raised', 'lower_is_better': False, 'is_count': False, 'is_rate': False, 'roles': ['csm']}, {'name': 'nrr', 'description': 'net revenue retention of the book', 'lower_is_better': False, 'is_count': False, 'is_rate': True, 'roles': ['ae', 'csm']}, {'name': 'grr', 'description': 'gross revenue retention of the book', 'lower_is_better': False, 'is_count': False, 'is_rate': True, 'roles': ['ae', 'csm']}, {'name': 'gross_churn', 'description': 'ARR lost to churn and contraction, share of book (1 - GRR)', 'lower_is_better': True, 'is_count': False, 'is_rate': True, 'roles': ['ae', 'csm']}, {'name': 'logo_churn', 'description': "share of the book's accounts that churned", 'lower_is_better': True, 'is_count': False, 'is_rate': True, 'roles': ['ae', 'csm']}, {'name': 'expand_rate', 'description': "share of the book's accounts that won an expansion", 'lower_is_better': False, 'is_count': False, 'is_rate': True, 'roles': ['ae', 'csm']}]
NUM_PAY_FIELDS: int = 12
NUM_RAW_SLOTS: int = 15
PAY_FIELDS: list = ['base', 'variable', 'spif', 'clawback_due', 'clawback_applied', 'clawback_carry', 'earnings', 'true_up_recovery', 'draw_top_up', 'draw_recovered', 'draw_balance', 'quota_factor']
RAW_SLOTS: tuple = ('new_arr', 'new_logos', 'expansion_arr', 'expansion_wins', 'opportunities', 'pipeline', 'sourced_wins', 'csql_count', 'csql_pipeline', 'book_start_arr', 'book_end_arr', 'book_kept_arr', 'book_start_logos', 'book_churned_logos', 'book_expanded_logos')
SERIES: list = ['arr_start', 'arr_end', 'new_arr', 'expansion_usage', 'expansion_csql', 'contraction', 'churned_arr', 'new_logos', 'churned_logos', 'active_logos', 'opportunities', 'deals_closed', 'csql_raised', 'csql_value', 'handoffs_accepted', 'expansions_closed', 'expansions_won', 'renewals_due', 'first_renewals_due', 'first_renewal_churns', 'account_months', 'health_micros']
SIMD: str = 'avx512'
__version__: str = '0.1.0'
