#include "complab/payroll.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace complab {
namespace {

[[noreturn]] void fail(const std::string& field, const std::string& what) {
  throw std::invalid_argument(field + ": " + what);
}

constexpr double kCents = 100.0;

bool is_arr_metric(Metric m) { return m == Metric::NewArr || m == Metric::Bookings; }

/// Sizes of the per-call scratch buffers: the largest plan among those reps use.
struct Extents {
  std::size_t inputs = 0, measures = 0, spifs = 0;
  bool clawback = false;
};

/// Checks the arguments once per call, so the loop below can trust them.
Extents check(const std::vector<Plan>& plans, const PayrollInput& in, const PayrollOutput& out,
              int trial_begin, int trial_end) {
  if (in.trials < 0 || in.reps < 0 || in.periods < 0) {
    fail("payroll", "trials, reps and periods must be >= 0 (got " + std::to_string(in.trials) + ", " +
                        std::to_string(in.reps) + ", " + std::to_string(in.periods) + ")");
  }
  check_period_months(in.period_months);
  if (trial_begin < 0 || trial_begin > trial_end || trial_end > in.trials) {
    fail("trials", "[" + std::to_string(trial_begin) + ", " + std::to_string(trial_end) +
                       ") is not a range within [0, " + std::to_string(in.trials) + ")");
  }
  if (in.rep_plan.size() != static_cast<std::size_t>(in.reps)) {
    fail("rep_plan", "has " + std::to_string(in.rep_plan.size()) + " entries for " +
                         std::to_string(in.reps) + " reps");
  }
  for (std::size_t p = 0; p < plans.size(); ++p) {
    try {
      plans[p].validate();
    } catch (const std::invalid_argument& e) {
      fail("plans[" + std::to_string(p) + "]", e.what());
    }
  }
  Extents ext;
  const int n_plans = static_cast<int>(plans.size());
  for (int r = 0; r < in.reps; ++r) {
    const int p = in.rep_plan[static_cast<std::size_t>(r)];
    if (p < -1 || p >= n_plans) {
      fail("rep_plan[" + std::to_string(r) + "]", std::to_string(p) + " is not a plan index (allowed: -1.." +
                                                     std::to_string(n_plans - 1) + ")");
    }
    if (p < 0) continue;
    const Plan& plan = plans[static_cast<std::size_t>(p)];
    ext.inputs = std::max(ext.inputs, static_cast<std::size_t>(plan.num_inputs()));
    ext.measures = std::max(ext.measures, plan.measures.size());
    ext.spifs = std::max(ext.spifs, plan.spifs.size());
    ext.clawback = ext.clawback || plan.clawback.has_value();
  }
  const bool any_work = trial_end > trial_begin && in.reps > 0 && in.periods > 0;
  if (any_work && in.rep_raw == nullptr) fail("rep_raw", "null");
  if (any_work && out.pay == nullptr) fail("pay", "null");
  if (any_work && ext.clawback && in.first_renewal_churn == nullptr) {
    fail("first_renewal_churn", "null, but a plan has a clawback");
  }
  if (out.measure_payout != nullptr && out.max_measures < static_cast<int>(ext.measures)) {
    fail("max_measures", std::to_string(out.max_measures) + " is less than the " +
                             std::to_string(ext.measures) + " measures of the largest plan");
  }
  return ext;
}

}  // namespace

UnitCommission unit_commission(const Plan& plan, const double* actuals, const double* measure_payout) {
  UnitCommission u;
  for (std::size_t k = 0; k < plan.measures.size(); ++k) {
    const Metric m = plan.measures[k].metric;
    if (actuals[k] <= 0.0) continue;
    if (is_arr_metric(m)) u.per_arr += measure_payout[k] / actuals[k];
    if (m == Metric::NewLogos) u.per_logo += measure_payout[k] / actuals[k];
  }
  for (const Spif& s : plan.spifs) {
    if (s.metric == Metric::NewLogos) u.per_logo += s.amount;
  }
  return u;
}

void evaluate_payroll(const std::vector<Plan>& plans, const PayrollInput& in, PayrollOutput& out,
                      int trial_begin, int trial_end) {
  const Extents ext = check(plans, in, out, trial_begin, trial_end);
  const auto reps = static_cast<std::size_t>(in.reps);
  const auto periods = static_cast<std::size_t>(in.periods);
  const auto max_measures = static_cast<std::size_t>(std::max(out.max_measures, 0));
  const auto lag = static_cast<std::size_t>(kContractMonths / in.period_months);  // periods to a first renewal

  // Scratch, allocated once per call and reused for every rep-period.
  std::vector<double> actuals(ext.inputs), spif_counts(ext.spifs), measure_payout(ext.measures);
  std::vector<UnitCommission> sold(periods);

  for (auto t = static_cast<std::size_t>(trial_begin); t < static_cast<std::size_t>(trial_end); ++t) {
    for (std::size_t r = 0; r < reps; ++r) {
      const std::size_t rep_row = (t * reps + r) * periods;  // first period of this rep
      double* pay = out.pay + rep_row * kNumPayFields;
      double* mp_out = out.measure_payout != nullptr ? out.measure_payout + rep_row * max_measures : nullptr;
      const int plan_index = in.rep_plan[r];
      if (plan_index < 0) {
        std::fill(pay, pay + periods * kNumPayFields, 0.0);
        if (mp_out != nullptr) std::fill(mp_out, mp_out + periods * max_measures, 0.0);
        continue;
      }
      const Plan& plan = plans[static_cast<std::size_t>(plan_index)];
      const std::size_t n = plan.measures.size();
      const bool claws = plan.clawback.has_value();  // validated: its window reaches the first renewal
      double carry = 0.0;

      for (std::size_t p = 0; p < periods; ++p, pay += kNumPayFields) {
        plan_inputs(plan, in.rep_raw + (rep_row + p) * kNumRawSlots, actuals.data(), spif_counts.data());
        const PeriodPayout pp =
            evaluate_period(plan, actuals.data(), in.period_months, spif_counts.data(), measure_payout.data());
        if (mp_out != nullptr) {
          double* row = mp_out + p * max_measures;
          std::copy(measure_payout.begin(), measure_payout.begin() + static_cast<std::ptrdiff_t>(n), row);
          std::fill(row + n, row + max_measures, 0.0);
        }

        // Clawbacks raised this period: accounts sold `lag` periods ago that churned at their
        // first renewal, 12 months after the sale, repay `share` of the commission earned on them.
        double raised = 0.0;
        if (claws) {
          sold[p] = unit_commission(plan, actuals.data(), measure_payout.data());
          if (p >= lag) {
            const std::size_t s = p - lag;
            const std::int64_t* churn = in.first_renewal_churn + (rep_row + s) * 2;
            raised = plan.clawback->share * (sold[s].per_arr * (static_cast<double>(churn[0]) / kCents) +
                                             sold[s].per_logo * static_cast<double>(churn[1]));
          }
        }

        const double due = carry + raised;
        const double applied = std::min(due, pp.variable + pp.spif);
        carry = due - applied;
        pay[kPayBase] = pp.base;
        pay[kPayVariable] = pp.variable;
        pay[kPaySpif] = pp.spif;
        pay[kPayClawbackDue] = due;
        pay[kPayClawbackApplied] = applied;
        pay[kPayClawbackCarry] = carry;
        pay[kPayEarnings] = pp.base + pp.variable + pp.spif - applied;
      }
    }
  }
}

}  // namespace complab
