#include "complab/behaviour.hpp"

#include <cmath>

namespace complab {
namespace {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI); }

/// `total` plus, for a piecewise-linear curve, each segment's slope times the probability
/// that an attainment ~ Normal(a, sd) falls in that segment (sd > 0).
double add_segment_slopes(double total, const PayoutCurve& curve, double a, double sd) {
  const auto& x = curve.attainment;
  const auto& y = curve.payout;
  for (std::size_t k = 0; k + 1 < x.size(); ++k) {
    const double p = normal_cdf((x[k + 1] - a) / sd) - normal_cdf((x[k] - a) / sd);
    total += p * (y[k + 1] - y[k]) / (x[k + 1] - x[k]);
  }
  return total;
}

/// dA/d(actual) at attainment a: 1/target, or -1/target when lower is better (0 once A is
/// 0), the target under the seat's quota scale (a volume target scaled to 0 counts as
/// attained whatever the actual: 0).
template <class M>
double attainment_per_unit(const M& m, double a, double quota_scale) {
  double target = m.target;
  if (!metric_info(m.metric).is_rate) {
    if (!(quota_scale > 0.0)) return 0.0;
    target *= quota_scale;
  }
  if (!m.lower_is_better) return 1.0 / target;
  return a > 0 ? -1.0 / target : 0.0;
}

}  // namespace

double expected_slope(const PayoutCurve& curve, double a, double sd) {
  if (!(sd > 0)) return curve.slope(a);
  // The threshold's jump (0 to the first point's payout) times the density of landing
  // right at it, plus the segments' slopes. Attainment is never below 0, so a first point
  // at 0 is no threshold to cross.
  const double x0 = curve.attainment[0];
  const double jump = x0 > 0 ? curve.payout[0] * normal_pdf((x0 - a) / sd) / sd : 0.0;
  return add_segment_slopes(jump, curve, a, sd);
}

double expected_slope_clamped(const PayoutCurve& curve, double a, double sd) {
  if (!(sd > 0)) return curve.slope(a);
  return add_segment_slopes(0.0, curve, a, sd);  // continuous at the first point: no jump
}

Eigen::Matrix<double, kNumMetrics, 1> marginal_pay(const Plan& plan, const double* projected,
                                                  int period_months, double attainment_sd, SeatTerms terms) {
  Eigen::Matrix<double, kNumMetrics, 1> pay = Eigen::Matrix<double, kNumMetrics, 1>::Zero();
  if (terms.ote_scale == 0.0) return pay;  // a vacant seat-period pays nothing
  const double v = plan.ote * (1.0 - plan.base_share) * period_months / 12.0 * terms.ote_scale;
  const double qs = terms.quota_scale;
  const std::size_t n = plan.measures.size();
  double multiplier = 1.0, multiplier_attainment = 0.0;
  if (plan.multiplier) {
    const auto& m = *plan.multiplier;
    multiplier_attainment = seat_attainment(m.metric, projected[n], m.target, m.lower_is_better, qs);
    multiplier = m.curve.value_clamped(multiplier_attainment);
  }
  double scaled = 0.0;  // the measures' payouts the multiplier scales
  for (std::size_t k = 0; k < n; ++k) {
    const Measure& m = plan.measures[k];
    if (m.gate) {
      const Measure& g = plan.measures[static_cast<std::size_t>(m.gate->measure)];
      const double ga = seat_attainment(g.metric, projected[m.gate->measure], g.target, g.lower_is_better, qs);
      if (ga < m.gate->min_attainment) continue;
    }
    const double a = seat_attainment(m.metric, projected[k], m.target, m.lower_is_better, qs);
    pay[static_cast<int>(m.metric)] +=
        v * m.weight * multiplier * expected_slope(m.curve, a, attainment_sd) * attainment_per_unit(m, a, qs);
    scaled += v * m.weight * m.curve.value(a);
  }
  // The multiplier's own metric moves every measure's payout at once.
  if (plan.multiplier) {
    const auto& m = *plan.multiplier;
    const double a = multiplier_attainment;
    pay[static_cast<int>(m.metric)] +=
        scaled * expected_slope_clamped(m.curve, a, attainment_sd) * attainment_per_unit(m, a, qs);
  }
  // A SPIF pays its amount for each more unit of its count metric.
  for (const Spif& s : plan.spifs) pay[static_cast<int>(s.metric)] += s.amount;
  return pay;
}

Eigen::Matrix<double, kNumActivities, 1> effort_shares(
    const Eigen::Matrix<double, kNumActivities, 1>& base,
    const Eigen::Matrix<double, kNumActivities, 1>& value, double beta, double target_variable) {
  if (beta == 0.0 || !(target_variable > 0)) return base;
  Eigen::Matrix<double, kNumActivities, 1> logits =
      base.array().log() + beta * value.array() / target_variable;
  logits.array() -= logits.maxCoeff();
  Eigen::Matrix<double, kNumActivities, 1> e = logits.array().exp();
  return e / e.sum();
}

double overpromise_level(double base, double net_value, double beta, double target_variable) {
  if (beta == 0.0 || !(target_variable > 0) || base <= 0.0 || base >= 1.0) return base;
  const double logit = std::log(base / (1.0 - base)) + beta * net_value / target_variable;
  return 1.0 / (1.0 + std::exp(-logit));
}

}  // namespace complab
