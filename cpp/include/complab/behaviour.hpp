#pragma once
/// \file behaviour.hpp
/// Responsive behaviour (docs/model.md §8): how a rep values one more month of each activity
/// under its plan, and the effort shares and over-promising that follow.
#include <Eigen/Core>

#include "complab/metrics.hpp"
#include "complab/plan.hpp"

namespace complab {

/// Activities per role: CSM (adoption, expansion), AE (new business, expansion follow-up).
inline constexpr int kNumActivities = 2;

/// G: expected change of each metric (in metric units) from one month of each activity,
/// counted over the rest of the compensation period.
using Productivity = Eigen::Matrix<double, kNumActivities, kNumMetrics>;

/// Slope of the curve averaged over attainment ~ Normal(a, sd), the threshold's jump
/// included: a rep unsure of where it will land sees a smoothed curve, which sharpens as
/// the period runs out. sd = 0 gives curve.slope(a).
double expected_slope(const PayoutCurve& curve, double a, double sd);

/// The same for a curve read with value_clamped (a multiplier's), which has no threshold
/// jump: flat at both ends.
double expected_slope_clamped(const PayoutCurve& curve, double a, double sd);

/// Marginal pay per unit of each metric at the projected actuals: for each metric a
/// measure reads, V * w * E[curve'] * dA/d(metric) times the multiplier's value, with
/// dA/d(metric) = 1/target, or -1/target when lower is better (0 once A is 0); for the
/// multiplier's metric, the measures' payouts times E[multiplier curve'] * dA/d(metric);
/// for a SPIF's metric, its amount. `projected` holds plan.num_inputs() projected actuals
/// (measures, then multiplier). A gated measure whose gate is projected shut contributes
/// nothing. `terms` are the seat's (plan.hpp's SeatTerms): volume targets times
/// quota_scale, V times ote_scale; SPIF amounts unscaled, and nothing at ote_scale 0.
Eigen::Matrix<double, kNumMetrics, 1> marginal_pay(const Plan& plan, const double* projected,
                                                  int period_months, double attainment_sd, SeatTerms terms = {});

/// Effort shares softmax(ln base + beta * value / V); beta = 0 returns `base` exactly.
Eigen::Matrix<double, kNumActivities, 1> effort_shares(
    const Eigen::Matrix<double, kNumActivities, 1>& base,
    const Eigen::Matrix<double, kNumActivities, 1>& value, double beta, double target_variable);

/// Over-promising logistic(logit(base) + beta * (win value - clawback cost) / V), in
/// (0, 1): it moves around the AE's habitual level `base`. beta = 0, or a base of exactly
/// 0 (never over-promises) or 1, returns `base` exactly.
double overpromise_level(double base, double net_value, double beta, double target_variable);

}  // namespace complab
