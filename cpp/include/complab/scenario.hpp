#pragma once
/// \file scenario.hpp
/// The simulated world (docs/model.md §1–5) as plain structs: segments, products, headcount,
/// behaviour parameters and plans. The Python layer builds and validates these; validate()
/// here guards the engine against anything that slips through.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "complab/plan.hpp"

namespace complab {

struct ProductConfig {
  std::string name = "core";
  double acv_scale = 1.0;     ///< product's ACV as a multiple of the segment's median ACV
  bool usage_priced = false;  ///< usage-priced ARR follows health (docs/model.md §5 step 2)
};

struct SegmentConfig {
  std::string name;
  int initial_accounts = 0;                ///< N0_s
  double acv_median = 10000.0;             ///< m_s (currency per year)
  double acv_log_sd = 0.5;                 ///< sigma_s
  std::vector<double> renewal_hazard;      ///< H_s[r]: mean churn at the r-th renewal at nominal coverage; last entry repeats
  double csm_coverage = 100.0;             ///< c_s: accounts a CSM serves at nominal effort
  double health_start = 0.5;               ///< h0_s for new accounts
  double health_base = 0.6;                ///< b_s
  double health_reversion = 0.2;           ///< kappa_s
  double health_noise = 0.05;              ///< sigma_h
  double usage_drift = 0.0;                ///< mu_s per month
  double usage_noise = 0.0;                ///< sigma_u per month
  double csql_rate = 0.0;                  ///< rho_s per account-month
  double upsell_fraction = 0.2;            ///< u_s
  int sales_cycle_months = 3;              ///< L_s
  double win_rate = 0.2;                   ///< w_s
  double expansion_win_rate = 0.5;         ///< x_s
  double opportunity_share = 1.0;          ///< pi_s: the segment's share of SDR opportunities
  double inbound_opportunities = 0.0;      ///< I_s: inbound opportunities per month
  double ae_prospecting = 0.0;             ///< lambda_p: opportunities an AE prospects per month at nominal effort
  double ae_capacity = 30.0;               ///< K_s: open opportunities an AE works at full win rate
  int ae_headcount = 1;
  int csm_headcount = 1;
};

/// Effort shares (docs/model.md §3). Fixed mode uses the shares; *_ref are the scenario's reference
/// shares at which effort has its nominal effect.
struct EffortConfig {
  double csm_adoption = 0.8;
  double csm_adoption_ref = 0.8;
  double ae_new_business = 0.8;
  double ae_new_business_ref = 0.8;
  double ae_overpromise = 0.0;
};

/// Responsive mode (docs/model.md §8). incentive_sensitivity = 0 is fixed mode.
struct BehaviourConfig {
  double incentive_sensitivity = 0.0;   ///< beta
  double projection_uncertainty = 0.25;  ///< sd of period-end attainment seen at the period's start
  /// Effort level (docs/model.md §8): cost of one more unit of effort level, in currency per
  /// month, per role; the elasticity eta; the most a rep can give.
  double effort_cost_ae = 8000.0;
  double effort_cost_csm = 300.0;
  double effort_elasticity = 0.5;
  double max_effort_level = 1.5;
  /// Optional G overrides, row-major kNumActivities x kNumMetrics (metric units per month
  /// of activity); empty: derived from the world each month.
  std::vector<double> csm_productivity;
  std::vector<double> ae_productivity;

  bool responsive() const { return incentive_sensitivity > 0.0; }
};

/// People (docs/model.md §9): how a role's reps ramp and leave, and how fast a seat is
/// refilled. The defaults are a workforce that never changes: no ramp, no attrition.
struct RoleStaffing {
  std::vector<double> ramp;        ///< productivity by tenure month (0 = first month); 1 beyond; empty: none
  std::vector<double> quota_ramp;  ///< share of full quota by tenure month; empty: the ramp
  std::vector<int> attrition_from;        ///< tenure month each attrition band starts at (first 0, increasing)
  std::vector<double> attrition_hazard;   ///< monthly chance of leaving per band; empty: nobody leaves
  int backfill_lag = 2;  ///< months a seat stays vacant after its rep leaves; -1: never refilled
  /// Productivity and quota share at tenure tau (>= 0).
  double productivity(int tau) const { return curve(ramp, tau); }
  double quota_share(int tau) const { return quota_ramp.empty() ? productivity(tau) : curve(quota_ramp, tau); }
  double hazard(int tau) const;
  bool ramps() const { return !ramp.empty() || !quota_ramp.empty(); }
  bool leaves() const;

 private:
  static double curve(const std::vector<double>& c, int tau) {
    return static_cast<std::size_t>(tau) < c.size() ? c[static_cast<std::size_t>(tau)] : 1.0;
  }
};

/// A named rep of the starting roster or the hiring plan: one seat.
struct SeatConfig {
  Role role = Role::AE;
  int segment = 0;           ///< -1 for SDRs
  int hired = 0;             ///< month hired: <= 0 holds the seat at month 0 with tenure -hired; > 0 a later start
  double quota_scale = 1.0;  ///< the rep's own quota over its plan's (> 0)
  double ote_scale = 1.0;    ///< the rep's own OTE over its plan's (> 0)
};

/// From `month` on, a role's headcount target in a segment (SDRs: segment -1).
struct HiringStep {
  Role role = Role::AE;
  int segment = 0;
  int month = 0;
  int headcount = 0;
};

/// Pay drives who stays (docs/model.md §9): the attrition hazard times
/// 1 + shortfall_effect * max(0, 1 - trailing earnings / OTE), and for reps above median
/// skill times 1 + capped_effect while a cap or decelerator binds.
struct PayAttrition {
  bool enabled = false;
  double shortfall_effect = 2.0;
  double capped_effect = 0.5;
  int trailing_months = 12;
};

enum class Vacancy : std::uint8_t {
  Reassign = 0,  ///< a leaver's book and open deals move to the segment's other reps
  Wait,          ///< they wait for the backfill; the seat's inbound and accounts' care are lost meanwhile
};

enum class QuotaMethod : std::uint8_t {
  Equal = 0,  ///< every seat the plan's target (times its own quota_scale, when named)
  Territory,  ///< AEs and CSMs by their share of the segment's book at month 0
};

struct WorkforceConfig {
  std::array<RoleStaffing, kNumRoles> roles;  ///< by Role
  std::vector<SeatConfig> roster;             ///< named reps: they are the seats of their role and segment
  std::vector<HiringStep> hiring;
  Vacancy vacancy = Vacancy::Reassign;
  QuotaMethod quota_method = QuotaMethod::Equal;
  PayAttrition pay_attrition;
  const RoleStaffing& role(Role r) const { return roles[static_cast<std::size_t>(r)]; }
  /// Whether seats can change hands, be vacant, ramp or carry their own terms.
  bool active() const;
};

struct WorldConfig {
  int months = 36;         ///< T
  int period_months = 12;  ///< P, divides T
  std::vector<SegmentConfig> segments;
  std::vector<ProductConfig> products{ProductConfig{}};
  int sdr_headcount = 1;
  double opportunities_per_sdr = 5.0;   ///< lambda_opp per month at skill 1
  double skill_log_sd = 0.25;           ///< sigma_skill
  double overpromise_win_uplift = 0.3;  ///< alpha_o
  double health_adoption_effect = 0.1;  ///< theta_a
  double health_gap_effect = 0.2;       ///< theta_g
  double health_push_effect = 0.1;      ///< theta_p
  double csql_health_exponent = 1.0;    ///< gamma
  double cross_sell_probability = 0.5;  ///< chi
  double handoff_acceptance = 0.7;      ///< q0
  double shared_nrr_acceptance_uplift = 0.15;  ///< Delta q
  int expansion_cycle_months = 2;       ///< L_exp
  double churn_health_effect = 2.0;     ///< lambda_h
  double churn_gap_effect = 1.0;        ///< lambda_g
  double gap_decay = 0.5;               ///< gamma_g
  int book_age_years = 20;              ///< how long the company has sold: the oldest accounts' age at month 0
  double csm_max_effort = 2.0;          ///< F: a CSM's attention per account saturates at F x nominal as its book shrinks
  EffortConfig effort;
  BehaviourConfig behaviour;
  WorkforceConfig workforce;

  /// Throws std::invalid_argument naming the field, the value and what is allowed.
  void validate() const;
  int periods() const { return months / period_months; }
  int years() const { return months / 12; }
  long long total_initial_accounts() const;
};

/// One account of a company's own book at month 0 (docs/model.md §4, "A book from data").
struct BookAccount {
  int segment = 0;
  std::int64_t arr_cents = 0;     ///< ARR at month 0 (cents, > 0)
  int renewal_index = 0;          ///< renewals passed
  int months_to_renewal = 12;     ///< 1..12: the next renewal falls in month months_to_renewal - 1
  int csm_seat = -1;              ///< ordinal among the segment's CSM seats; -1: no CSM
  int ae_seat = -1;               ///< ordinal among the segment's AE seats; -1: none
  double health = -1.0;           ///< in [0, 1]; < 0: unknown, drawn around the segment's health_base
  std::uint32_t products = 1;     ///< bit k: holds product k (at least one)
};

/// A world and the plans that pay its reps: one plan per role, or per role and segment.
struct Scenario {
  WorldConfig world;
  std::vector<Plan> plans;
  std::vector<int> ae_plan;   ///< plan index per segment (-1: unpaid)
  std::vector<int> csm_plan;  ///< plan index per segment (-1: unpaid)
  int sdr_plan = -1;
  /// The business before month 0, when a run starts from another scenario's book (at most
  /// one; docs/model.md §4): the book at month 0 is built from its rates and staffing, and
  /// this scenario's world runs from month 0 on. Empty: the scenario's own history.
  std::vector<Scenario> history;
  /// A company's own book at month 0 (book_source.hpp, LoadedBook); empty: the steady-state
  /// book. Each segment's initial_accounts must equal its accounts here.
  std::vector<BookAccount> book;

  void validate() const;
  /// The scenario whose history builds the book at month 0.
  const Scenario& book_history() const { return history.empty() ? *this : history.front(); }
  /// The segment's AE plan and CSM plan both carry NRR: hand-offs are accepted more often (docs/model.md §5 step 4).
  bool shared_nrr(int segment) const;

 private:
  void validate_book() const;
};

}  // namespace complab
