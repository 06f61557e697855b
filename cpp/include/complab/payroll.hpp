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
  kPayEarnings,         ///< base + variable + draw_top_up + spif - applied - true_up_recovery - draw_recovered
  kPayTrueUpRecovery,   ///< a year's last period with true_up: what the year's earlier periods advanced above the annual plan
  kPayDrawTopUp,        ///< draw due above the period's variable pay (net of the true-up recovery)
  kPayDrawRecovered,    ///< recoverable draw repaid from variable pay above this period's draw
  kPayDrawBalance,      ///< recoverable draw outstanding after the period
  kPayQuotaFactor,      ///< the ratchet's quota factor applied this period (1 without a ratchet)
  kNumPayFields
};

/// The pay fields of a payroll without true-ups, draws and ratchets, in the same order (the
/// rest are 0, but kPayQuotaFactor is 1).
inline constexpr int kNumPlainPayFields = kPayEarnings + 1;

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

/// One seat's payroll, period by period in order, carrying what payroll carries from one
/// period to the next: clawbacks not yet applied, the year's advances for a true-up, a
/// recoverable draw's balance and the ratchet's quota factor (docs/model.md §7). Causal: a
/// period's pay depends on that period and earlier ones only, so the engine can pay a seat
/// at each period's end (e.g. for trailing earnings). Allocates only in the constructor.
class SeatPayroll {
 public:
  /// `plan` must be valid (Plan::validate) and outlive this; period_months as
  /// check_period_months allows.
  SeatPayroll(const Plan& plan, int period_months);

  /// Back to the start of a trial: nothing carried, quota factor 1.
  void reset();

  /// Pays period `p` (0, 1, 2, ... after reset()).
  ///  - `raw`: the period's kNumRawSlots raw accumulators;
  ///  - `terms`: the period's kNumTermFields seat terms, or null for (1, 1);
  ///  - `tenure`: the period's period_months tenures (kVacant when vacant), or null for a
  ///    seat held all along by a long-tenured rep;
  ///  - `sold_churn`: for p >= 12 / period_months, the first-renewal churn {ARR cents,
  ///    accounts} of the accounts sold in period p - 12 / period_months (null: none raised);
  ///  - `pay`: receives kNumPayFields values; `measure_payout`, if not null, one per measure.
  void pay_period(int p, const std::int64_t* raw, const double* terms, const std::int16_t* tenure,
                  const std::int64_t* sold_churn, double* pay, double* measure_payout);

  /// The ratchet's quota factor for the next period (1 without a ratchet).
  double quota_factor() const { return factor_; }

 private:
  struct Sold {
    UnitCommission unit;
    int holder = -1;  // the seat's rep (counted from reset) when the accounts were sold
  };
  const Plan& plan_;
  int period_months_, per_year_;
  double carry_ = 0.0, balance_ = 0.0, factor_ = 1.0;
  int holder_ = 0;  // increments when the seat's rep changes or leaves
  // The current rep's part of the year (from the period it joined, or the year's start):
  // raw sums, sums of quota and OTE scales and the periods counted; measure payouts advanced
  // (in `advanced_`); and whether one rep held the seat all year.
  std::vector<std::int64_t> year_raw_;
  double year_quota_ = 0.0, year_ote_ = 0.0;
  int part_periods_ = 0;
  bool year_held_ = true;
  bool was_vacant_ = false;  // the seat's last month so far was vacant
  std::vector<double> advanced_, actuals_, spif_counts_, measure_payout_, annual_payout_;
  std::vector<Sold> sold_;  // ring of the last 12 / period_months periods' unit commissions
};

struct PayrollOutput {
  int max_measures = 0;            ///< last axis of measure_payout (>= max measures per plan)
  double* measure_payout = nullptr;  ///< [trials][reps][periods][max_measures], may be null
  double* pay = nullptr;             ///< [trials][reps][periods][kNumPayFields]
};

/// Pays trials [trial_begin, trial_end): per trial, per rep, periods in order, each seat
/// through a SeatPayroll at its terms (rep_terms) and tenure (rep_tenure). Metric actuals
/// come from the rep-period's raw slots (plan_inputs), payouts from evaluate_period; plans
/// with true_up, draw or ratchet add what docs/model.md §7 gives, and pay fields from
/// kPayTrueUpRecovery on are 0 without them.
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

/// evaluate_payroll of every trial, split into contiguous trial ranges over `threads`
/// threads (0: all cores; at least 32 trials a thread): each trial is paid by one thread
/// alone, so the values are those of one call.
void evaluate_payroll_threaded(const std::vector<Plan>& plans, const PayrollInput& in, PayrollOutput& out,
                               int threads);

}  // namespace complab
