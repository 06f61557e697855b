// Responsive behaviour's building blocks against hand-worked values.
#include <gtest/gtest.h>

#include <cmath>

#include "complab/behaviour.hpp"

using namespace complab;

namespace {
double phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

Plan two_measure_plan() {
  Plan plan;
  plan.role = Role::CSM;
  plan.ote = 120000;
  plan.base_share = 0.8;  // V = 24,000 a year
  plan.measures = {
      Measure{"churn", Metric::GrossChurn, 0.65, 0.10, true, PayoutCurve{{0.0, 2.0}, {0.0, 2.0}}, std::nullopt},
      Measure{"csql", Metric::CsqlPipeline, 0.35, 500000, false, PayoutCurve{{0.0, 1.0}, {0.0, 1.0}}, std::nullopt}};
  return plan;
}
}  // namespace

TEST(ExpectedSlope, SharpAndSmoothed) {
  const PayoutCurve c{{0.5, 1.0, 1.5}, {0.0, 1.0, 3.0}};  // slopes 2 then 4, capped at 1.5
  EXPECT_DOUBLE_EQ(expected_slope(c, 0.7, 0.0), 2.0);
  EXPECT_DOUBLE_EQ(expected_slope(c, 1.2, 0.0), 4.0);
  EXPECT_DOUBLE_EQ(expected_slope(c, 1.6, 0.0), 0.0);  // past the cap: nothing to gain
  EXPECT_DOUBLE_EQ(expected_slope(c, 0.2, 0.0), 0.0);  // below the threshold
  // sd 0.25 at a = 1: P(0.5 < A < 1) = phi(0) - phi(-2), P(1 < A < 1.5) = phi(2) - phi(0).
  const double expect = 2.0 * (0.5 - phi(-2.0)) + 4.0 * (phi(2.0) - 0.5);
  EXPECT_NEAR(expected_slope(c, 1.0, 0.25), expect, 1e-12);
}

TEST(ExpectedSlope, ThresholdJumpCounts) {
  const PayoutCurve c{{0.5, 1.0}, {0.5, 1.0}};  // nothing below 50%, then 0.5 + (A - 0.5)
  // sd 0.2 at a = 0.5: slope 1 on (0.5, 1.0) with probability phi(2.5) - phi(0), plus the
  // jump of 0.5 times the density at the threshold, pdf(0) / 0.2.
  const double expect = (phi(2.5) - 0.5) + 0.5 * (1.0 / std::sqrt(2.0 * M_PI)) / 0.2;
  EXPECT_NEAR(expected_slope(c, 0.5, 0.2), expect, 1e-12);
  EXPECT_DOUBLE_EQ(expected_slope(c, 0.4, 0.0), 0.0);  // certain: no slope below the threshold
}

TEST(ExpectedSlope, AFirstPointAtZeroIsNoThreshold) {
  const PayoutCurve c{{0.0, 1.0}, {0.5, 1.0}};  // 0.5 at A = 0, which attainment never goes below
  EXPECT_NEAR(expected_slope(c, 0.1, 0.2), 0.5 * (phi(4.5) - phi(-0.5)), 1e-12);
}

TEST(ExpectedSlope, AClampedCurveHasNoThresholdJump) {
  const PayoutCurve c{{0.5, 1.0}, {0.5, 1.0}};  // as above, but read flat below 50% (a multiplier)
  EXPECT_NEAR(expected_slope_clamped(c, 0.5, 0.2), phi(2.5) - 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(expected_slope_clamped(c, 0.7, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(expected_slope_clamped(c, 0.4, 0.0), 0.0);
}

TEST(MarginalPay, WeightsSlopesAndDirection) {
  const Plan plan = two_measure_plan();
  // Churn projected at 0.08 (attainment 1.2, slope 1), pipeline at 250,000 (A = 0.5, slope 1).
  const double projected[] = {0.08, 250000.0};
  const auto pay = marginal_pay(plan, projected, 12, 0.0);
  // Churn: 24,000 * 0.65 * 1 * (-1 / 0.10) = -156,000 per unit of churn rate.
  EXPECT_DOUBLE_EQ(pay[static_cast<int>(Metric::GrossChurn)], -156000.0);
  // Pipeline: 24,000 * 0.35 * 1 / 500,000 = 0.0168 per dollar.
  EXPECT_DOUBLE_EQ(pay[static_cast<int>(Metric::CsqlPipeline)], 24000.0 * 0.35 / 500000.0);
  // Past the pipeline cap the dollar is worth nothing; a quarterly period scales V.
  const double capped[] = {0.08, 600000.0};
  EXPECT_DOUBLE_EQ(marginal_pay(plan, capped, 12, 0.0)[static_cast<int>(Metric::CsqlPipeline)], 0.0);
  EXPECT_DOUBLE_EQ(marginal_pay(plan, projected, 3, 0.0)[static_cast<int>(Metric::GrossChurn)], -39000.0);
}

TEST(MarginalPay, TheMultipliersMetricMovesEveryPayout) {
  Plan plan = two_measure_plan();
  // NRR multiplier: 0.8 at 90%, 1.2 at 110% (slope 2 per unit of attainment), flat outside.
  plan.multiplier = Multiplier{Metric::Nrr, 1.0, false, PayoutCurve{{0.9, 1.1}, {0.8, 1.2}}};
  // Churn at 0.08 (A = 1.2), pipeline at 250,000 (A = 0.5), NRR at 1.05 (A = 1.05: x 1.1).
  const double projected[] = {0.08, 250000.0, 1.05};
  const auto pay = marginal_pay(plan, projected, 12, 0.0);
  // The measures' payouts before the multiplier: 24,000 * (0.65 * 1.2 + 0.35 * 0.5) =
  // 22,920; one more unit of NRR raises the multiplier by 2 / target: 45,840 per unit.
  EXPECT_NEAR(pay[static_cast<int>(Metric::Nrr)], 45840.0, 1e-9);
  // The measures' own marginal pay is scaled by the multiplier's value, 1.1.
  EXPECT_NEAR(pay[static_cast<int>(Metric::GrossChurn)], -156000.0 * 1.1, 1e-9);
  // Past the multiplier's top there is nothing more to gain from NRR.
  const double high_nrr[] = {0.08, 250000.0, 1.2};
  EXPECT_DOUBLE_EQ(marginal_pay(plan, high_nrr, 12, 0.0)[static_cast<int>(Metric::Nrr)], 0.0);
}

TEST(MarginalPay, ASpifPaysItsAmountPerUnit) {
  Plan plan = two_measure_plan();
  plan.spifs = {Spif{Metric::CsqlCount, 300.0}, Spif{Metric::CsqlCount, 50.0}};
  const double projected[] = {0.08, 250000.0};
  EXPECT_DOUBLE_EQ(marginal_pay(plan, projected, 12, 0.0)[static_cast<int>(Metric::CsqlCount)], 350.0);
}

TEST(MarginalPay, ClosedGateContributesNothingAndAnOpenOneAll) {
  Plan plan = two_measure_plan();
  plan.measures[1].gate = Gate{0, 1.0};  // pipeline pays only with churn at or below target
  const double bad_churn[] = {0.15, 250000.0};  // churn attainment 0.5
  EXPECT_DOUBLE_EQ(marginal_pay(plan, bad_churn, 12, 0.0)[static_cast<int>(Metric::CsqlPipeline)], 0.0);
  const double good_churn[] = {0.08, 250000.0};  // attainment 1.2: open
  EXPECT_DOUBLE_EQ(marginal_pay(plan, good_churn, 12, 0.0)[static_cast<int>(Metric::CsqlPipeline)],
                   24000.0 * 0.35 / 500000.0);
}

TEST(MarginalPay, LowerIsBetterAtZeroAttainmentHasNothingToGain) {
  // Churn at 0.25 against a 0.10 target: attainment max(0, 1 - 1.5) = 0, where less churn
  // would still leave it at 0 until the rate falls under 0.20.
  const double projected[] = {0.25, 250000.0};
  EXPECT_DOUBLE_EQ(marginal_pay(two_measure_plan(), projected, 12, 0.0)[static_cast<int>(Metric::GrossChurn)], 0.0);
}

TEST(EffortShares, SoftmaxAndFixedModeIdentity) {
  Eigen::Vector2d base(0.8, 0.2), value(0.0, 1200.0);
  EXPECT_EQ(effort_shares(base, value, 0.0, 24000.0), base);  // beta = 0: exactly fixed mode
  // beta 20, V 24,000: logits ln 0.8 and ln 0.2 + 1 -> shares 0.8 / (0.8 + 0.2 e).
  const auto s = effort_shares(base, value, 20.0, 24000.0);
  EXPECT_NEAR(s(0), 0.8 / (0.8 + 0.2 * std::exp(1.0)), 1e-12);
  EXPECT_NEAR(s.sum(), 1.0, 1e-15);
}

TEST(Overpromise, LogisticAroundTheBase) {
  EXPECT_EQ(overpromise_level(0.3, 5000.0, 0.0, 24000.0), 0.3);  // beta = 0: fixed mode
  EXPECT_EQ(overpromise_level(0.0, 5000.0, 10.0, 24000.0), 0.0);  // an AE who never does
  const double up = overpromise_level(0.3, 2400.0, 10.0, 24000.0);  // logit + 1
  EXPECT_NEAR(up, 1.0 / (1.0 + std::exp(-(std::log(0.3 / 0.7) + 1.0))), 1e-12);
  EXPECT_LT(overpromise_level(0.3, -2400.0, 10.0, 24000.0), 0.3);
}
