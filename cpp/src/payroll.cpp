#include "complab/payroll.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

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
  if (in.rep_tenure != nullptr && in.months != in.periods * in.period_months) {
    fail("rep_tenure", "has " + std::to_string(in.months) + " months for " + std::to_string(in.periods) +
                           " periods of " + std::to_string(in.period_months) + " months");
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

// ---------------------------------------------------------------------------------------
// SeatPayroll

SeatPayroll::SeatPayroll(const Plan& plan, int period_months)
    : plan_(plan), period_months_(period_months), per_year_(kContractMonths / std::max(1, period_months)),
      year_raw_(kNumRawSlots), advanced_(plan.measures.size()), actuals_(static_cast<std::size_t>(plan.num_inputs())),
      spif_counts_(plan.spifs.size()), measure_payout_(plan.measures.size()), annual_payout_(plan.measures.size()),
      sold_(static_cast<std::size_t>(per_year_)) {
  check_period_months(period_months);
}

void SeatPayroll::reset() {
  carry_ = balance_ = 0.0;
  factor_ = 1.0;
  holder_ = 0;
  was_vacant_ = false;
  for (Sold& s : sold_) s = Sold{};
}

void SeatPayroll::pay_period(int p, const std::int64_t* raw, const double* terms, const std::int16_t* tenure,
                             const std::int64_t* sold_churn, double* pay, double* measure_payout) {
  const Plan& plan = plan_;
  const std::size_t n = plan.measures.size();
  const int year_pos = p % per_year_;
  const bool year_end = year_pos == per_year_ - 1;
  if (year_pos == 0) year_held_ = true;

  // The seat's reps this period: a tenure of 0 is a new rep's first month, kVacant an empty
  // seat. A rep joins in a month at tenure 0 or held after a vacant month; one who joins in
  // the year's first month holds the whole year.
  bool new_rep = false, vacant = false, joins = false;
  int draw_months = 0;
  for (int m = 0; tenure != nullptr && m < period_months_; ++m) {
    const int t = tenure[m];
    if (t == kVacant) {
      vacant = true;
      year_held_ = false;
    } else {
      new_rep = new_rep || t == 0;
      if (t == 0 || was_vacant_) {
        joins = true;
        if (year_pos != 0 || m != 0) year_held_ = false;
      }
      if (plan.draw && t >= 0 && t < plan.draw->months) ++draw_months;
    }
    was_vacant_ = t == kVacant;
  }
  if (new_rep || vacant) {  // what the old rep owed is forgiven; a new rep starts at the plan's quota
    ++holder_;
    carry_ = balance_ = 0.0;
  }
  if (new_rep) factor_ = 1.0;
  const double factor = factor_;  // this period's; the year's end moves it for the next
  // The true-up settles the part of the year held by the rep holding the seat at its end: a
  // new year, or a rep joining, starts a new part (an earlier rep keeps what it was advanced).
  if (year_pos == 0 || joins) {
    std::fill(year_raw_.begin(), year_raw_.end(), 0);
    std::fill(advanced_.begin(), advanced_.end(), 0.0);
    year_quota_ = year_ote_ = 0.0;
    part_periods_ = 0;
  }
  // Whether a rep holds the seat at the period's end (the year's end in its last period).
  const bool held_at_end = tenure == nullptr || tenure[period_months_ - 1] != kVacant;

  const double ote_scale = terms != nullptr ? terms[kTermOteScale] : 1.0;
  const double quota_scale = (terms != nullptr ? terms[kTermQuotaScale] : 1.0) * factor_;
  plan_inputs(plan, raw, actuals_.data(), spif_counts_.data());
  const PeriodPayout pp = evaluate_period(plan, actuals_.data(), period_months_, spif_counts_.data(),
                                          measure_payout_.data(), SeatTerms{quota_scale, ote_scale});

  // Clawbacks raised this period: accounts sold a year ago by this seat's current rep that
  // churned at their first renewal repay `share` of the commission earned on them.
  double raised = 0.0;
  if (plan.clawback) {
    Sold& slot = sold_[static_cast<std::size_t>(p % per_year_)];  // period p - 12 / period_months
    if (p >= per_year_ && slot.holder == holder_ && sold_churn != nullptr) {
      raised = plan.clawback->share * (slot.unit.per_arr * (static_cast<double>(sold_churn[0]) / kCents) +
                                       slot.unit.per_logo * static_cast<double>(sold_churn[1]));
    }
    slot = Sold{unit_commission(plan, actuals_.data(), measure_payout_.data()), holder_};
  }

  // The current rep's part of the year so far, for the true-up and the ratchet.
  for (std::size_t i = 0; i < kNumRawSlots; ++i) year_raw_[i] += raw[i];
  year_quota_ += quota_scale;
  year_ote_ += ote_scale;
  ++part_periods_;
  double variable = pp.variable, true_up_recovery = 0.0;
  // A year whose last month is vacant stays as advanced: no rep holds the seat at its end.
  const bool trues_up = plan.true_up && per_year_ > 1 && year_end && ote_scale > 0.0 && held_at_end;
  const bool ratchets = plan.ratchet.has_value() && year_end;
  if (trues_up || ratchets) {
    // The annual plan on the part's attainment: actuals over the part's raw slots; volume
    // targets `parts` times the period's, at the part's mean quota scale; V for that many
    // periods at the part's mean OTE scale (parts = per_year_ for a rep who held the whole year).
    plan_inputs(plan, year_raw_.data(), actuals_.data(), spif_counts_.data());
    const int parts = part_periods_;
    const double year_quota = year_quota_ / parts, year_ote = year_ote_ / parts;
    if (trues_up && parts == per_year_) {
      evaluate_period(plan, actuals_.data(), kContractMonths, spif_counts_.data(), annual_payout_.data(),
                      SeatTerms{year_quota * per_year_, year_ote});
    } else if (trues_up) {  // V for `parts` periods: the period's V at parts times the mean OTE scale
      evaluate_period(plan, actuals_.data(), period_months_, spif_counts_.data(), annual_payout_.data(),
                      SeatTerms{year_quota * parts, year_ote * parts});
    }
    if (trues_up) {
      variable = 0.0;
      for (std::size_t k = 0; k < n; ++k) {
        measure_payout_[k] = annual_payout_[k] - advanced_[k];
        variable += measure_payout_[k];
      }
      if (variable < 0.0) {
        true_up_recovery = -variable;
        variable = 0.0;
      }
    }
    if (ratchets) {
      // A rep who held the seat all year moves its quota by the year's attainment; a new rep
      // (or an empty seat) starts next year at the plan's quota.
      if (year_held_ && parts == per_year_) {
        const Measure& m = plan.measures.front();
        const double a = seat_attainment(m.metric, actuals_[0], m.target, m.lower_is_better, year_quota * per_year_);
        const Ratchet& r = *plan.ratchet;
        factor_ *= a > 1.0 ? 1.0 + r.up * (a - 1.0) : 1.0 - r.down * (1.0 - a);
        factor_ = std::max(factor_, kMinQuotaFactor);
      } else {
        factor_ = 1.0;
      }
    }
  } else {
    for (std::size_t k = 0; k < n; ++k) advanced_[k] += measure_payout_[k];
  }
  if (measure_payout != nullptr) std::copy(measure_payout_.begin(), measure_payout_.end(), measure_payout);

  // Draw: variable pay topped up to the draw due in the rep's first months; a recoverable
  // draw's top-ups are repaid from later variable pay above the draw.
  double top_up = 0.0, recovered = 0.0;
  if (plan.draw && ote_scale > 0.0) {
    const double due = plan.draw->amount * draw_months;
    const double net = variable - true_up_recovery;
    top_up = std::max(0.0, due - net);
    if (plan.draw->recoverable) {
      recovered = std::min(balance_, std::max(0.0, net - due));
      balance_ += top_up - recovered;
    }
  }

  const double due = carry_ + raised;
  const double applied = std::min(due, std::max(0.0, variable + top_up + pp.spif - true_up_recovery - recovered));
  carry_ = due - applied;
  if (!held_at_end) carry_ = balance_ = 0.0;  // the rep has left: what it still owed is forgiven
  pay[kPayBase] = pp.base;
  pay[kPayVariable] = variable;
  pay[kPaySpif] = pp.spif;
  pay[kPayClawbackDue] = due;
  pay[kPayClawbackApplied] = applied;
  pay[kPayClawbackCarry] = carry_;
  pay[kPayEarnings] = pp.base + variable + top_up + pp.spif - applied - true_up_recovery - recovered;
  pay[kPayTrueUpRecovery] = true_up_recovery;
  pay[kPayDrawTopUp] = top_up;
  pay[kPayDrawRecovered] = recovered;
  pay[kPayDrawBalance] = balance_;
  pay[kPayQuotaFactor] = factor;
}

// ---------------------------------------------------------------------------------------
// The whole run

void evaluate_payroll(const std::vector<Plan>& plans, const PayrollInput& in, PayrollOutput& out,
                      int trial_begin, int trial_end) {
  check(plans, in, out, trial_begin, trial_end);
  const auto reps = static_cast<std::size_t>(in.reps);
  const auto periods = static_cast<std::size_t>(in.periods);
  const auto months = static_cast<std::size_t>(in.months);
  const auto max_measures = static_cast<std::size_t>(std::max(out.max_measures, 0));
  const auto lag = static_cast<std::size_t>(kContractMonths / in.period_months);  // periods to a first renewal

  // One seat payroll per plan, allocated once per call and reset for every seat.
  std::vector<SeatPayroll> seats;
  seats.reserve(plans.size());
  for (const Plan& plan : plans) seats.emplace_back(plan, in.period_months);

  for (auto t = static_cast<std::size_t>(trial_begin); t < static_cast<std::size_t>(trial_end); ++t) {
    for (std::size_t r = 0; r < reps; ++r) {
      const std::size_t rep_row = (t * reps + r) * periods;  // first period of this rep
      double* pay = out.pay + rep_row * kNumPayFields;
      double* mp_out = out.measure_payout != nullptr ? out.measure_payout + rep_row * max_measures : nullptr;
      const int plan_index = in.rep_plan[r];
      if (plan_index < 0) {
        std::fill(pay, pay + periods * kNumPayFields, 0.0);
        for (std::size_t p = 0; p < periods; ++p) pay[p * kNumPayFields + kPayQuotaFactor] = 1.0;
        if (mp_out != nullptr) std::fill(mp_out, mp_out + periods * max_measures, 0.0);
        continue;
      }
      SeatPayroll& seat = seats[static_cast<std::size_t>(plan_index)];
      const std::size_t n = plans[static_cast<std::size_t>(plan_index)].measures.size();
      seat.reset();
      for (std::size_t p = 0; p < periods; ++p, pay += kNumPayFields) {
        const std::int64_t* churn =
            in.first_renewal_churn != nullptr && p >= lag ? in.first_renewal_churn + (rep_row + p - lag) * 2 : nullptr;
        const double* terms = in.rep_terms != nullptr ? in.rep_terms + (rep_row + p) * kNumTermFields : nullptr;
        const std::int16_t* tenure =
            in.rep_tenure != nullptr ? in.rep_tenure + (t * reps + r) * months + p * static_cast<std::size_t>(in.period_months)
                                     : nullptr;
        double* row = mp_out != nullptr ? mp_out + p * max_measures : nullptr;
        seat.pay_period(static_cast<int>(p), in.rep_raw + (rep_row + p) * kNumRawSlots, terms, tenure, churn, pay, row);
        if (row != nullptr) std::fill(row + n, row + max_measures, 0.0);
      }
    }
  }
}

void evaluate_payroll_threaded(const std::vector<Plan>& plans, const PayrollInput& in, PayrollOutput& out,
                               int threads) {
  if (threads < 0) throw std::invalid_argument("threads: " + std::to_string(threads) + " is not >= 0 (0: all cores)");
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Below about 32 trials a thread, starting one costs more than it saves.
  const int n = std::clamp(threads > 0 ? threads : hw, 1, std::max(1, in.trials / 32));
  if (n == 1) return evaluate_payroll(plans, in, out, 0, in.trials);
  check(plans, in, out, 0, in.trials);  // bad input fails here, on the caller's thread
  auto begin = [&](int i) { return static_cast<int>(static_cast<long long>(in.trials) * i / n); };
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n));
  auto work = [&](int i) {
    try {
      evaluate_payroll(plans, in, out, begin(i), begin(i + 1));
    } catch (...) {
      errors[static_cast<std::size_t>(i)] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  int started = 1;
  for (; started < n; ++started) {
    try {
      pool.emplace_back(work, started);
    } catch (const std::system_error&) {
      break;  // no more threads: this one pays the ranges left
    }
  }
  work(0);
  for (int i = started; i < n; ++i) work(i);
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace complab
