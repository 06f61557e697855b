#include "complab/plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace complab {
namespace {

/// Numbers in error messages: up to 10 significant digits, so 0.1 + 0.2 reads "0.3".
std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}

std::string quoted(Metric metric) { return "'" + std::string(metric_info(metric).name) + "'"; }

[[noreturn]] void fail(const std::string& field, const std::string& what) {
  throw std::invalid_argument(field + ": " + what);
}

void require_finite_positive(const std::string& field, double x) {
  if (!(std::isfinite(x) && x > 0.0)) fail(field, num(x) + " is not a finite number > 0");
}

// Bounds far beyond any real plan that keep every payout, and a responsive rep's valuation
// of effort, finite.
constexpr double kMaxMoney = 1e9;       // OTE a year, a SPIF's amount
constexpr double kMaxPayout = 1e3;      // a curve's payout, in multiples of target variable pay
constexpr double kMinTarget = 1e-6;     // a measure's or multiplier's target
constexpr int kMaxDrawMonths = 120;     // a draw's months of tenure

// Rates (NRR, churn, ...) and attainments are fractions: 0.97 is 97%. A value past this is
// a percent typed as a number, which would quietly pay never or always.
constexpr double kMaxFraction = 10.0;

void require_fraction(const std::string& field, double x, const std::string& what) {
  if (x > kMaxFraction) {
    fail(field, num(x) + " is more than " + num(kMaxFraction) + " for " + what +
                    ": fractions, not percents (0.97 for 97%)");
  }
}

void require_at_most(const std::string& field, double x, double most) {
  if (x > most) fail(field, num(x) + " is more than " + num(most) + ", the most allowed");
}

/// A measure's or multiplier's (`field`) direction, which is its metric's, and target.
void require_direction_and_target(const std::string& field, Metric metric, bool lower_is_better, double target) {
  if (lower_is_better != metric_info(metric).lower_is_better) {
    fail(field + ".lower_is_better", std::string(lower_is_better ? "true" : "false") + " for " + quoted(metric) +
                                         ", where " + (lower_is_better ? "higher" : "lower") + " is better");
  }
  require_finite_positive(field + ".target", target);
  if (target < kMinTarget) fail(field + ".target", num(target) + " is less than " + num(kMinTarget) + ", the least allowed");
  if (metric_info(metric).is_rate) require_fraction(field + ".target", target, quoted(metric) + ", a rate");
}

void require_unit_interval(const std::string& field, double x) {
  if (!(x >= 0.0 && x <= 1.0)) fail(field, num(x) + " is not in [0, 1]");
}

void require_known_metric(const std::string& field, Metric metric) {
  const int m = static_cast<int>(metric);
  if (m >= kNumMetrics) {
    fail(field, std::to_string(m) + " is not a known metric (0.." + std::to_string(kNumMetrics - 1) + ")");
  }
}

/// Comma-separated names of the metrics that satisfy `keep`.
template <class Pred>
std::string metric_names(Pred keep) {
  std::string out;
  for (int i = 0; i < kNumMetrics; ++i) {
    const auto& info = metric_info(static_cast<Metric>(i));
    if (keep(info)) out += (out.empty() ? "" : ", ") + std::string(info.name);
  }
  return out;
}

void require_role_metric(const std::string& field, Metric metric, Role role) {
  require_known_metric(field, metric);
  if (!metric_allowed(metric, role)) {
    fail(field, quoted(metric) + " is not a metric of role " + std::string(role_name(role)) +
                    " (allowed: " +
                    metric_names([role](const MetricInfo& i) { return metric_allowed(i.metric, role); }) +
                    ")");
  }
}

/// Index of the segment [attainment[k], attainment[k+1]) holding a; requires
/// attainment.front() <= a < attainment.back().
std::size_t segment(const std::vector<double>& x, double a) {
  const auto it = std::upper_bound(x.begin(), x.end(), a);
  return static_cast<std::size_t>(it - x.begin()) - 1;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// PayoutCurve

void PayoutCurve::validate(const std::string& field) const {
  if (attainment.empty() || attainment.size() != payout.size()) {
    fail(field, "has " + std::to_string(attainment.size()) + " attainment and " +
                    std::to_string(payout.size()) +
                    " payout values; they must have the same length, at least 1");
  }
  for (std::size_t k = 0; k < attainment.size(); ++k) {
    const std::string ak = field + ".attainment[" + std::to_string(k) + "]";
    const std::string pk = field + ".payout[" + std::to_string(k) + "]";
    if (!(std::isfinite(attainment[k]) && attainment[k] >= 0.0)) {
      fail(ak, num(attainment[k]) + " is not a finite number >= 0");
    }
    if (!(std::isfinite(payout[k]) && payout[k] >= 0.0)) {
      fail(pk, num(payout[k]) + " is not a finite number >= 0");
    }
    require_at_most(pk, payout[k], kMaxPayout);
    if (k > 0 && !(attainment[k] > attainment[k - 1])) {
      fail(ak, num(attainment[k]) + " is not greater than the previous point's " +
                   num(attainment[k - 1]) + "; attainment points must be strictly increasing");
    }
    if (k > 0 && payout[k] < payout[k - 1]) {
      fail(pk, num(payout[k]) + " is less than the previous point's " + num(payout[k - 1]) +
                   "; payouts must be non-decreasing");
    }
  }
}

double PayoutCurve::value_clamped(double a) const {
  if (std::isnan(a)) return a;
  if (a <= attainment.front()) return payout.front();
  if (a >= attainment.back()) return payout.back();
  const std::size_t k = segment(attainment, a);
  const double t = (a - attainment[k]) / (attainment[k + 1] - attainment[k]);
  return payout[k] + t * (payout[k + 1] - payout[k]);
}

double PayoutCurve::value(double a) const {
  return a < attainment.front() ? 0.0 : value_clamped(a);
}

double PayoutCurve::slope(double a) const {
  if (!(a >= attainment.front() && a < attainment.back())) return 0.0;
  const std::size_t k = segment(attainment, a);
  return (payout[k + 1] - payout[k]) / (attainment[k + 1] - attainment[k]);
}

double attainment(double actual, double target, bool lower_is_better) {
  if (!lower_is_better) return actual / target;
  return std::max(0.0, 1.0 + (target - actual) / target);
}

// ---------------------------------------------------------------------------------------
// Plan

void Plan::validate() const {
  if (static_cast<int>(role) >= kNumRoles) {
    fail("role", std::to_string(static_cast<int>(role)) + " is not one of ae, sdr, csm");
  }
  require_finite_positive("ote", ote);
  require_at_most("ote", ote, kMaxMoney);
  require_unit_interval("base_share", base_share);
  if (measures.empty()) fail("measures", "a plan needs at least one measure");

  const int n = static_cast<int>(measures.size());
  double weight_sum = 0.0;
  for (int i = 0; i < n; ++i) {
    const Measure& m = measures[static_cast<std::size_t>(i)];
    const std::string f = "measures[" + std::to_string(i) + "]";
    if (m.name.empty()) fail(f + ".name", "is empty; a measure needs a name (its column in the results)");
    for (int j = 0; j < i; ++j) {
      if (measures[static_cast<std::size_t>(j)].name == m.name) {
        fail(f + ".name", "'" + m.name + "' is also the name of measures[" + std::to_string(j) +
                              "]; names must be unique");
      }
    }
    require_role_metric(f + ".metric", m.metric, role);
    require_unit_interval(f + ".weight", m.weight);
    require_direction_and_target(f, m.metric, m.lower_is_better, m.target);
    m.curve.validate(f + ".curve");
    if (m.gate) {
      const int g = m.gate->measure;
      if (g < 0 || g >= n || g == i) {
        fail(f + ".gate.measure", std::to_string(g) + " is not the index of another measure (allowed: 0.." +
                                      std::to_string(n - 1) + " except " + std::to_string(i) + ")");
      }
      const double ma = m.gate->min_attainment;
      if (!(std::isfinite(ma) && ma >= 0.0)) {
        fail(f + ".gate.min_attainment", num(ma) + " is not a finite number >= 0");
      }
      require_fraction(f + ".gate.min_attainment", ma, "an attainment");
    }
    weight_sum += m.weight;
  }
  if (std::abs(weight_sum - 1.0) > 1e-9) {
    fail("measures", "weights sum to " + num(weight_sum) + ", must sum to 1");
  }

  if (multiplier) {
    require_role_metric("multiplier.metric", multiplier->metric, role);
    require_direction_and_target("multiplier", multiplier->metric, multiplier->lower_is_better, multiplier->target);
    multiplier->curve.validate("multiplier.curve");
  }

  if (clawback) {
    if (role != Role::AE) {
      fail("clawback", "a " + std::string(role_name(role)) +
                           " plan has a clawback; only ae plans can (it repays commission on "
                           "accounts the rep sold)");
    }
    require_unit_interval("clawback.share", clawback->share);
    if (clawback->window_months < kContractMonths) {
      fail("clawback.window_months",
           std::to_string(clawback->window_months) +
               " is not >= 12 (first renewals come 12 months after the sale, so a shorter "
               "window could never claw anything back)");
    }
  }

  if (draw) {
    if (!(std::isfinite(draw->amount) && draw->amount >= 0.0)) {
      fail("draw.amount", num(draw->amount) + " is not a finite number >= 0 (currency a month)");
    }
    require_at_most("draw.amount", draw->amount, kMaxMoney);
    if (draw->months < 0 || draw->months > kMaxDrawMonths) {
      fail("draw.months", std::to_string(draw->months) + " is not in 0.." + std::to_string(kMaxDrawMonths) +
                              " (the first months of a rep's tenure)");
    }
  }

  if (ratchet) {
    require_unit_interval("ratchet.up", ratchet->up);
    require_unit_interval("ratchet.down", ratchet->down);
    const Metric first = measures.front().metric;
    if (metric_info(first).is_rate) {
      fail("ratchet", "the first measure's metric " + quoted(first) +
                          " is a rate; a ratchet moves a volume quota, so the first measure must be a volume "
                          "metric (allowed: " +
                          metric_names([this](const MetricInfo& i) { return !i.is_rate && metric_allowed(i.metric, role); }) +
                          ")");
    }
  }

  for (std::size_t s = 0; s < spifs.size(); ++s) {
    const std::string f = "spifs[" + std::to_string(s) + "]";
    require_role_metric(f + ".metric", spifs[s].metric, role);
    if (!metric_info(spifs[s].metric).is_count) {
      fail(f + ".metric", quoted(spifs[s].metric) + " is not a count metric (allowed: " +
                              metric_names([this](const MetricInfo& i) {
                                return i.is_count && metric_allowed(i.metric, role);
                              }) +
                              ")");
    }
    if (!(std::isfinite(spifs[s].amount) && spifs[s].amount >= 0.0)) {
      fail(f + ".amount", num(spifs[s].amount) + " is not a finite number >= 0");
    }
    require_at_most(f + ".amount", spifs[s].amount, kMaxMoney);
  }
}

bool Plan::carries_nrr() const {
  if (multiplier && multiplier->metric == Metric::Nrr) return true;
  return std::any_of(measures.begin(), measures.end(),
                     [](const Measure& m) { return m.metric == Metric::Nrr; });
}

int Plan::num_inputs() const { return static_cast<int>(measures.size()) + (multiplier ? 1 : 0); }

// ---------------------------------------------------------------------------------------
// Evaluation

void check_period_months(int period_months) {
  if (period_months < 1) fail("period_months", std::to_string(period_months) + " is not >= 1");
  if (12 % period_months != 0) {
    fail("period_months", std::to_string(period_months) + " is not one of 1, 2, 3, 4, 6, 12");
  }
}

double seat_attainment(Metric metric, double actual, double target, bool lower_is_better, double quota_scale) {
  if (metric_info(metric).is_rate) return attainment(actual, target, lower_is_better);
  if (!(quota_scale > 0.0)) return 1.0;
  return attainment(actual, target * quota_scale, lower_is_better);
}

PeriodPayout evaluate_period(const Plan& plan, const double* actuals, int period_months,
                             const double* spif_counts, double* measure_payout, SeatTerms terms) {
  check_period_months(period_months);
  const std::size_t n = plan.measures.size();
  if (actuals == nullptr && plan.num_inputs() > 0) fail("actuals", "null, but the plan reads them");
  if (spif_counts == nullptr && !plan.spifs.empty()) fail("spif_counts", "null, but the plan has SPIFs");
  for (std::size_t k = 0; k < n; ++k) {
    if (!std::isfinite(actuals[k])) {
      fail("actuals[" + std::to_string(k) + "]",
           "measure '" + plan.measures[k].name + "' (" +
               std::string(metric_info(plan.measures[k].metric).name) + ") has actual " +
               num(actuals[k]) + "; actuals must be finite");
    }
  }

  if (!(std::isfinite(terms.quota_scale) && terms.quota_scale >= 0.0 && std::isfinite(terms.ote_scale) &&
        terms.ote_scale >= 0.0)) {
    fail("terms", "quota_scale " + num(terms.quota_scale) + " and ote_scale " + num(terms.ote_scale) +
                      " must be finite numbers >= 0");
  }

  PeriodPayout out;
  if (terms.ote_scale == 0.0) {  // a vacant seat-period pays nothing
    if (measure_payout != nullptr) std::fill(measure_payout, measure_payout + n, 0.0);
    return out;
  }
  const double period_share = static_cast<double>(period_months) / 12.0;
  out.base = plan.ote * plan.base_share * period_share * terms.ote_scale;
  const double v = plan.ote * (1.0 - plan.base_share) * period_share * terms.ote_scale;
  const double qs = terms.quota_scale;

  double factor = 1.0;
  if (plan.multiplier) {
    const Multiplier& mu = *plan.multiplier;
    const double a = actuals[n];
    if (!std::isfinite(a)) {
      fail("actuals[" + std::to_string(n) + "]", "the multiplier's metric (" +
                                                     std::string(metric_info(mu.metric).name) +
                                                     ") has actual " + num(a) +
                                                     "; actuals must be finite");
    }
    factor = mu.curve.value_clamped(seat_attainment(mu.metric, a, mu.target, mu.lower_is_better, qs));
  }

  for (std::size_t k = 0; k < n; ++k) {
    const Measure& m = plan.measures[k];
    double pay = 0.0;
    bool open = true;
    if (m.gate) {
      const auto g = static_cast<std::size_t>(m.gate->measure);
      const Measure& gm = plan.measures[g];
      open = seat_attainment(gm.metric, actuals[g], gm.target, gm.lower_is_better, qs) >= m.gate->min_attainment;
    }
    if (open) {
      pay = v * m.weight * m.curve.value(seat_attainment(m.metric, actuals[k], m.target, m.lower_is_better, qs)) * factor;
    }
    if (measure_payout != nullptr) measure_payout[k] = pay;
    out.variable += pay;
  }

  for (std::size_t s = 0; s < plan.spifs.size(); ++s) {
    const double c = spif_counts[s];
    if (!(std::isfinite(c) && c >= 0.0)) {
      fail("spif_counts[" + std::to_string(s) + "]",
           "SPIF on " + std::string(metric_info(plan.spifs[s].metric).name) + " has count " + num(c) +
               "; counts must be finite and >= 0");
    }
    out.spif += plan.spifs[s].amount * c;
  }
  return out;
}

void plan_inputs(const Plan& plan, const std::int64_t* raw, double* actuals, double* spif_counts) {
  const std::size_t n = plan.measures.size();
  for (std::size_t k = 0; k < n; ++k) actuals[k] = metric_actual(plan.measures[k].metric, raw);
  if (plan.multiplier) actuals[n] = metric_actual(plan.multiplier->metric, raw);
  for (std::size_t s = 0; s < plan.spifs.size(); ++s) {
    spif_counts[s] = metric_actual(plan.spifs[s].metric, raw);
  }
}

}  // namespace complab
