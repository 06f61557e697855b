#pragma once
/// \file payroll.hpp
/// Payroll over simulated KPI actuals: every rep, period and trial of a run, with
/// clawbacks carried forward. Runs on stored actuals, so one simulated world can be
/// paid under many plans (docs/model.md §7).
#include <cstdint>
#include <vector>

#include "complab/plan.hpp"

namespace complab {

/// A seat's pay terms per compensation period (docs/model.md §9), the last axis of
/// SimulationOutput::rep_terms: its volume targets and its OTE as multiples of its plan's.
/// Both are 1 for a seat held all period by a ramped rep on the plan's own quota and OTE.
enum TermField : int {
  kTermQuotaScale = 0,  ///< ramp, occupancy, the rep's own quota: multiplies the plan's volume targets
  kTermOteScale,        ///< occupancy and the rep's own OTE: multiplies base and variable pay
  kNumTermFields
};

/// A seat's tenure in a month: the months its rep has worked before this one, or kVacant.
inline constexpr std::int16_t kVacant = -1;


/// Pay fields per rep-period, the last axis of PayrollOutput::pay.
enum PayField : int {
  kPayBase = 0,
  kPayVariable,         ///< measure payouts after gates and multiplier
  kPaySpif,
  kPayClawbackDue,      ///< clawbacks raised this period plus the carry from before
  kPayClawbackApplied,  ///< min(due, variable + spif): what is deducted this period
  kPayClawbackCarry,    ///< due - applied, carried to the next period
  kPayEarnings,         ///< base + variable + spif - applied
  kNumPayFields
};

/// Arrays are C-contiguous with the shapes given; the engine owns them.
struct PayrollInput {
  int trials = 0;
  int reps = 0;
  int periods = 0;
  int period_months = 12;
  /// [trials][reps][periods][kNumRawSlots]
  const std::int64_t* rep_raw = nullptr;
  /// [trials][reps][periods sold][2]: ARR (cents) and accounts sold by the rep in one period
  /// that churned at their first renewal, 12 months later, so in period sold + 12 /
  /// period_months; entries whose renewal falls after the last period are not read. May be
  /// null when no rep's plan has a clawback.
  const std::int64_t* first_renewal_churn = nullptr;
  int months = 0;
  /// [trials][reps][periods][kNumTermFields]: each seat-period's quota and OTE
  /// scales; null: 1 and 1.
  const double* rep_terms = nullptr;
  /// [trials][reps][months]: each seat's tenure in each month, kVacant (-1) when vacant;
  /// null: every seat held all along by a ramped rep.
  const std::int16_t* rep_tenure = nullptr;
  /// Plan index per rep (into the plans vector), or -1 for a rep paid nothing.
  std::vector<int> rep_plan;
};

/// The commission earned per unit of ARR (currency) and per logo on the accounts an AE sold
/// in one period, which a clawback repays a share of: measure payouts (after gates and the
/// multiplier) on new_arr or bookings over their actual, measure payouts on new_logos over
/// the logo count (0 where the actual is 0), and SPIFs on new_logos. `actuals` and
/// `measure_payout` are the period's, as plan_inputs and evaluate_period give them.
struct UnitCommission {
  double per_arr = 0.0;
  double per_logo = 0.0;
};
UnitCommission unit_commission(const Plan& plan, const double* actuals, const double* measure_payout);

struct PayrollOutput {
  int max_measures = 0;            ///< last axis of measure_payout (>= max measures per plan)
  double* measure_payout = nullptr;  ///< [trials][reps][periods][max_measures], may be null
  double* pay = nullptr;             ///< [trials][reps][periods][kNumPayFields]
};

/// Pays trials [trial_begin, trial_end): per trial, per rep, periods in order. Metric actuals
/// come from the rep-period's raw slots (plan_inputs), payouts from evaluate_period.
///
/// The commission earned on an account sold in period s is, for each measure on new_arr or
/// bookings, its payout in s times the account's ARR over the measure's actual in s (0 when
/// that actual is 0), plus for each measure on new_logos its payout over the logo count,
/// plus SPIFs on new_logos; a clawback repays `share` of it in the period of the
/// first-renewal churn when 12 <= window_months. Clawback due = carry + clawbacks raised in
/// the period; applied = min(due, variable + spif); the rest carries to the next period
/// (and is dropped after the last one: it stays visible as kPayClawbackCarry).
///
/// Validates the plans and arguments once per call (std::invalid_argument naming the field);
/// allocates only per call, never per rep-period. Calls on disjoint trial ranges may run
/// concurrently on the same input and output.
void evaluate_payroll(const std::vector<Plan>& plans, const PayrollInput& in, PayrollOutput& out,
                      int trial_begin, int trial_end);

}  // namespace complab
