// Payout curves, attainment, plan validation and one-period evaluation (docs/model.md §7).
// Every expected number is worked out by hand in the comment beside it.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "complab/plan.hpp"
#include "plan_test_util.hpp"

namespace complab {
namespace {

using testing::curve;
using testing::expect_invalid_argument;
using testing::linear2;
using testing::make_plan;
using testing::measure;

constexpr double kTol = 1e-9;
constexpr double kMoneyTol = 1e-6;
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

/// CSM NRR curve, target NRR 110%: pays 0 at 100% NRR, 50% at 105%, 100% at 110%, 200% at
/// 120%. Attainment points are NRR / 1.10.
PayoutCurve nrr_curve() { return curve({1.00 / 1.10, 1.05 / 1.10, 1.10 / 1.10, 1.20 / 1.10}, {0.0, 0.5, 1.0, 2.0}); }

/// AE commission: M = A up to quota, 1.5x accelerator from 100% to 125%, 2x beyond, capped
/// at 300% payout. At 125%: 1 + 1.5 * 0.25 = 1.375. The cap is reached at
/// 1.25 + (3 - 1.375) / 2 = 2.0625.
PayoutCurve commission_curve() { return curve({0.0, 1.0, 1.25, 2.0625}, {0.0, 1.0, 1.375, 3.0}); }

/// AE: OTE 200,000, 50/50 mix, so annual target variable V = 100,000. New ARR (weight 0.5,
/// target 1,000,000, commission curve) and expansion ARR (weight 0.5, target 250,000, linear).
Plan ae_plan() {
  return make_plan(Role::AE, 200'000.0, 0.5,
                   {measure("new_arr", Metric::NewArr, 0.5, 1'000'000.0, commission_curve()),
                    measure("expansion_arr", Metric::ExpansionArr, 0.5, 250'000.0)});
}

/// CSM: OTE 100,000, 80/20 mix, V = 20,000 a year. 65% gross churn (lower is better, target
/// 8%, linear), 35% NRR (target 110%, the NRR curve).
Plan csm_plan() {
  return make_plan(Role::CSM, 100'000.0, 0.8,
                   {measure("gross_churn", Metric::GrossChurn, 0.65, 0.08, linear2(), true),
                    measure("nrr", Metric::Nrr, 0.35, 1.10, nrr_curve())});
}

/// SDR: OTE 80,000, 60/40 mix, V = 32,000. Opportunities (0.6, target 50) and sourced wins
/// (0.4, target 10) gated on opportunities reaching 80%.
Plan sdr_gated_plan() {
  Plan p = make_plan(Role::SDR, 80'000.0, 0.6,
                     {measure("opportunities", Metric::Opportunities, 0.6, 50.0),
                      measure("sourced_wins", Metric::SourcedWins, 0.4, 10.0)});
  p.measures[1].gate = Gate{0, 0.8};
  return p;
}

/// CSM: OTE 120,000, 75/25 mix, V = 30,000. One measure, CSQL pipeline (target 500,000,
/// linear), scaled by an NRR multiplier (target 100%): 0.5 at or below 90% NRR, 1.0 at 100%,
/// 1.2 at or above 110%. A SPIF of 1,000 per expansion won.
Plan csm_multiplier_plan() {
  Plan p = make_plan(Role::CSM, 120'000.0, 0.75, {measure("csql_pipeline", Metric::CsqlPipeline, 1.0, 500'000.0)});
  p.multiplier = Multiplier{Metric::Nrr, 1.0, false, curve({0.9, 1.0, 1.1}, {0.5, 1.0, 1.2})};
  p.spifs = {Spif{Metric::ExpansionWins, 1'000.0}};
  return p;
}

void expect_invalid(const Plan& plan, const std::string& message) {
  expect_invalid_argument([&] { plan.validate(); }, message);
}

// ---------------------------------------------------------------------------------------
// Curves

TEST(PayoutCurve, NrrCurveAtAndBetweenPoints) {
  const PayoutCurve c = nrr_curve();
  c.validate("curve");
  EXPECT_NEAR(c.value(1.00 / 1.10), 0.0, kTol);  // 100% NRR pays nothing
  EXPECT_NEAR(c.value(1.05 / 1.10), 0.5, kTol);
  EXPECT_NEAR(c.value(1.0), 1.0, kTol);
  EXPECT_NEAR(c.value(1.20 / 1.10), 2.0, kTol);
  EXPECT_NEAR(c.value(1.075 / 1.10), 0.75, kTol);  // halfway from 105% to 110% NRR
  EXPECT_NEAR(c.value(1.15 / 1.10), 1.5, kTol);    // halfway from 110% to 120%
  EXPECT_EQ(c.value(0.95 / 1.10), 0.0);            // below the first point: threshold
  EXPECT_EQ(c.value(1.30 / 1.10), 2.0);            // beyond the last point: capped
  // 0.5 of target payout per 5 NRR points = 0.5 / (0.05 / 1.10) = 11 per unit attainment.
  EXPECT_NEAR(c.slope(1.02 / 1.10), 11.0, 1e-9);
  EXPECT_NEAR(c.slope(1.15 / 1.10), 11.0, 1e-9);
}

TEST(PayoutCurve, CommissionAcceleratorsAndCap) {
  const PayoutCurve c = commission_curve();
  c.validate("curve");
  EXPECT_NEAR(c.value(0.8), 0.8, kTol);     // M = A below quota
  EXPECT_NEAR(c.value(1.0), 1.0, kTol);
  EXPECT_NEAR(c.value(1.1), 1.15, kTol);    // 1 + 1.5 * 0.1
  EXPECT_NEAR(c.value(1.25), 1.375, kTol);  // 1 + 1.5 * 0.25
  EXPECT_NEAR(c.value(1.5), 1.875, kTol);   // 1.375 + 2 * 0.25
  EXPECT_NEAR(c.value(2.0625), 3.0, kTol);  // 1.375 + 2 * 0.8125: the cap
  EXPECT_EQ(c.value(4.0), 3.0);
  EXPECT_EQ(c.value(-0.1), 0.0);
}

TEST(PayoutCurve, SlopesAtAndBetweenKinks) {
  const PayoutCurve c = commission_curve();
  EXPECT_EQ(c.slope(-0.1), 0.0);           // below the first point
  EXPECT_NEAR(c.slope(0.0), 1.0, kTol);    // at the first point: right derivative
  EXPECT_NEAR(c.slope(0.5), 1.0, kTol);
  EXPECT_NEAR(c.slope(1.0), 1.5, kTol);    // at the quota kink: the accelerator
  EXPECT_NEAR(c.slope(1.1), 1.5, kTol);
  EXPECT_NEAR(c.slope(1.25), 2.0, kTol);   // at the second kink
  EXPECT_NEAR(c.slope(2.0), 2.0, kTol);
  EXPECT_EQ(c.slope(2.0625), 0.0);         // at the cap: flat from here
  EXPECT_EQ(c.slope(9.0), 0.0);
}

TEST(PayoutCurve, ThresholdJumpAndClampedValue) {
  // Pays nothing below 50%, 25% at 50%, then rises to 100% at 100% (slope 0.75 / 0.5 = 1.5).
  const PayoutCurve c = curve({0.5, 1.0}, {0.25, 1.0});
  EXPECT_EQ(c.value(0.49), 0.0);
  EXPECT_NEAR(c.value(0.5), 0.25, kTol);
  EXPECT_NEAR(c.value(0.75), 0.625, kTol);  // 0.25 + 1.5 * 0.25
  EXPECT_EQ(c.slope(0.49), 0.0);
  EXPECT_NEAR(c.slope(0.5), 1.5, kTol);
  EXPECT_NEAR(c.value_clamped(0.1), 0.25, kTol);  // multipliers stay flat below the first point
  EXPECT_NEAR(c.value_clamped(0.75), 0.625, kTol);
  EXPECT_NEAR(c.value_clamped(3.0), 1.0, kTol);
}

TEST(PayoutCurve, SinglePointIsAStepBonus) {
  const PayoutCurve c = curve({1.0}, {1.0});  // pays 100% once at target, nothing below
  c.validate("curve");
  EXPECT_EQ(c.value(0.99), 0.0);
  EXPECT_EQ(c.value(1.0), 1.0);
  EXPECT_EQ(c.value(5.0), 1.0);
  EXPECT_EQ(c.slope(1.0), 0.0);
}

TEST(PayoutCurve, ValidationNamesTheField) {
  auto expect = [](const PayoutCurve& c, const std::string& message) {
    expect_invalid_argument([&] { c.validate("measures[0].curve"); }, message);
  };
  expect(curve({}, {}), "measures[0].curve: has 0 attainment and 0 payout values");
  expect(curve({0.0, 1.0}, {0.0}), "measures[0].curve: has 2 attainment and 1 payout values");
  expect(curve({0.0, 1.2, 1.1}, {0.0, 1.0, 1.5}),
         "measures[0].curve.attainment[2]: 1.1 is not greater than the previous point's 1.2");
  expect(curve({0.0, 1.0, 1.0}, {0.0, 1.0, 1.5}), "measures[0].curve.attainment[2]: 1 is not greater");
  expect(curve({-0.5, 1.0}, {0.0, 1.0}), "measures[0].curve.attainment[0]: -0.5 is not a finite number >= 0");
  expect(curve({0.0, kNaN}, {0.0, 1.0}), "measures[0].curve.attainment[1]: nan is not a finite number >= 0");
  expect(curve({0.0, kInf}, {0.0, 1.0}), "measures[0].curve.attainment[1]: inf is not a finite number >= 0");
  expect(curve({0.0, 1.0}, {-1.0, 1.0}), "measures[0].curve.payout[0]: -1 is not a finite number >= 0");
  expect(curve({0.0, 1.0}, {0.0, kNaN}), "measures[0].curve.payout[1]: nan is not a finite number >= 0");
  expect(curve({0.0, 1.0, 2.0}, {0.0, 1.0, 0.5}),
         "measures[0].curve.payout[2]: 0.5 is less than the previous point's 1; payouts must be non-decreasing");
}

// ---------------------------------------------------------------------------------------
// Attainment

TEST(Attainment, HigherAndLowerIsBetter) {
  EXPECT_NEAR(attainment(1'500'000.0, 1'000'000.0, false), 1.5, kTol);
  // Lower is better: target 8% churn, actual 12% -> 1 + (0.08 - 0.12) / 0.08 = 0.5.
  EXPECT_NEAR(attainment(0.12, 0.08, true), 0.5, kTol);
  EXPECT_NEAR(attainment(0.04, 0.08, true), 1.5, kTol);  // 1 + 0.04 / 0.08
  EXPECT_NEAR(attainment(0.0, 0.08, true), 2.0, kTol);   // no churn at all
  EXPECT_EQ(attainment(0.20, 0.08, true), 0.0);          // 1 - 1.5 floored at 0
}

// ---------------------------------------------------------------------------------------
// Evaluation

TEST(EvaluatePeriod, AeCommissionPlanAnnualAndQuarterly) {
  const Plan p = ae_plan();
  p.validate();
  EXPECT_FALSE(p.carries_nrr());
  EXPECT_EQ(p.num_inputs(), 2);
  // New ARR 1.5M: A = 1.5, M = 1.875 -> 100,000 * 0.5 * 1.875 = 93,750.
  // Expansion 125,000: A = 0.5, M = 0.5 -> 100,000 * 0.5 * 0.5 = 25,000.
  const double actuals[] = {1'500'000.0, 125'000.0};
  double mp[2] = {-1.0, -1.0};
  PeriodPayout out = evaluate_period(p, actuals, 12, nullptr, mp);
  EXPECT_NEAR(out.base, 100'000.0, kMoneyTol);
  EXPECT_NEAR(mp[0], 93'750.0, kMoneyTol);
  EXPECT_NEAR(mp[1], 25'000.0, kMoneyTol);
  EXPECT_NEAR(out.variable, 118'750.0, kMoneyTol);
  EXPECT_EQ(out.spif, 0.0);

  // Quarterly, same attainments (targets are per period): everything is a quarter.
  const double q_actuals[] = {375'000.0, 31'250.0};
  Plan q = p;
  q.measures[0].target = 250'000.0;
  q.measures[1].target = 62'500.0;
  out = evaluate_period(q, q_actuals, 3, nullptr, mp);
  EXPECT_NEAR(out.base, 25'000.0, kMoneyTol);        // 200,000 * 0.5 * 3 / 12
  EXPECT_NEAR(mp[0], 23'437.5, kMoneyTol);           // 25,000 * 0.5 * 1.875
  EXPECT_NEAR(mp[1], 6'250.0, kMoneyTol);            // 25,000 * 0.5 * 0.5
  EXPECT_NEAR(out.variable, 29'687.5, kMoneyTol);
}

TEST(EvaluatePeriod, AeCommissionAtTheCap) {
  // New ARR 5M: A = 5, capped at M = 3 -> 100,000 * 0.5 * 3 = 150,000; no expansion.
  const double actuals[] = {5'000'000.0, 0.0};
  const PeriodPayout out = evaluate_period(ae_plan(), actuals, 12, nullptr, nullptr);
  EXPECT_NEAR(out.variable, 150'000.0, kMoneyTol);
}

TEST(EvaluatePeriod, CsmChurnLowerIsBetterAndNrr) {
  const Plan p = csm_plan();
  p.validate();
  EXPECT_TRUE(p.carries_nrr());
  // Churn 12% against 8%: A = 0.5 -> 20,000 * 0.65 * 0.5 = 6,500.
  // NRR 115%: halfway from 110% to 120% -> M = 1.5 -> 20,000 * 0.35 * 1.5 = 10,500.
  const double actuals[] = {0.12, 1.15};
  double mp[2];
  const PeriodPayout out = evaluate_period(p, actuals, 12, nullptr, mp);
  EXPECT_NEAR(out.base, 80'000.0, kMoneyTol);
  EXPECT_NEAR(mp[0], 6'500.0, kMoneyTol);
  EXPECT_NEAR(mp[1], 10'500.0, kMoneyTol);
  EXPECT_NEAR(out.variable, 17'000.0, kMoneyTol);
  // NRR exactly 100% pays nothing on NRR; churn 4% -> A = 1.5 -> 20,000 * 0.65 * 1.5 = 19,500.
  const double at_100[] = {0.04, 1.00};
  EXPECT_NEAR(evaluate_period(p, at_100, 12, nullptr, mp).variable, 19'500.0, kMoneyTol);
  EXPECT_NEAR(mp[1], 0.0, kMoneyTol);
}

TEST(EvaluatePeriod, GateClosesBelowItsLevel) {
  const Plan p = sdr_gated_plan();
  p.validate();
  double mp[2];
  // 35 opportunities: A = 0.7 < 0.8, so 12 sourced wins pay nothing;
  // opportunities pay 32,000 * 0.6 * 0.7 = 13,440.
  const double closed[] = {35.0, 12.0};
  EXPECT_NEAR(evaluate_period(p, closed, 12, nullptr, mp).variable, 13'440.0, kMoneyTol);
  EXPECT_EQ(mp[1], 0.0);
  // 40 opportunities: A = 0.8 reaches the gate. Opportunities 32,000 * 0.6 * 0.8 = 15,360;
  // sourced wins A = 1.2 -> 32,000 * 0.4 * 1.2 = 15,360.
  const double open[] = {40.0, 12.0};
  EXPECT_NEAR(evaluate_period(p, open, 12, nullptr, mp).variable, 30'720.0, kMoneyTol);
  EXPECT_NEAR(mp[0], 15'360.0, kMoneyTol);
  EXPECT_NEAR(mp[1], 15'360.0, kMoneyTol);
}

TEST(EvaluatePeriod, MultiplierScalesMeasuresButNotSpifs) {
  const Plan p = csm_multiplier_plan();
  p.validate();
  EXPECT_TRUE(p.carries_nrr());  // through the multiplier
  EXPECT_EQ(p.num_inputs(), 2);  // one measure + the multiplier's metric
  const double spifs[] = {3.0};
  double mp[1];
  // CSQL pipeline 400,000: A = 0.8 -> 30,000 * 0.8 = 24,000 before the multiplier.
  // NRR 85% is below the multiplier's first point: clamped to 0.5 -> 12,000.
  // SPIF 3 * 1,000 = 3,000, not multiplied.
  const double low[] = {400'000.0, 0.85};
  PeriodPayout out = evaluate_period(p, low, 12, spifs, mp);
  EXPECT_NEAR(out.variable, 12'000.0, kMoneyTol);
  EXPECT_NEAR(mp[0], 12'000.0, kMoneyTol);
  EXPECT_NEAR(out.spif, 3'000.0, kMoneyTol);
  EXPECT_NEAR(out.base, 90'000.0, kMoneyTol);
  // NRR 105%: multiplier 1.1 -> 26,400.  NRR 150%: capped at 1.2 -> 28,800.
  const double mid[] = {400'000.0, 1.05};
  EXPECT_NEAR(evaluate_period(p, mid, 12, spifs, mp).variable, 26'400.0, kMoneyTol);
  const double high[] = {400'000.0, 1.5};
  EXPECT_NEAR(evaluate_period(p, high, 12, spifs, mp).variable, 28'800.0, kMoneyTol);
}

TEST(EvaluatePeriod, NonFiniteInputsThrowNamingTheMeasure) {
  const Plan p = csm_multiplier_plan();
  const double spifs[] = {1.0};
  const double bad_measure[] = {kNaN, 1.0};
  const double bad_multiplier[] = {1.0, kInf};
  const double ok[] = {1.0, 1.0};
  const double bad_spif[] = {-1.0};
  auto expect = [&](const double* a, const double* s, int months, const std::string& message) {
    expect_invalid_argument([&] { evaluate_period(p, a, months, s, nullptr); }, message);
  };
  expect(bad_measure, spifs, 12, "actuals[0]: measure 'csql_pipeline' (csql_pipeline) has actual nan");
  expect(bad_multiplier, spifs, 12, "actuals[1]: the multiplier's metric (nrr) has actual inf");
  expect(ok, bad_spif, 12, "spif_counts[0]: SPIF on expansion_wins has count -1");
  expect(ok, spifs, 0, "period_months: 0 is not >= 1");
  expect(ok, nullptr, 12, "spif_counts: null");
}

TEST(PlanInputs, ReadsActualsFromRawSlots) {
  // A CSM book of $1,000,000 (1e8 cents) that kept $970,000 and ended at $1,030,000:
  // gross churn 3%, NRR 103%; 2 expansions won.
  std::int64_t raw[kNumRawSlots] = {};
  raw[kBookStartArr] = 100'000'000;
  raw[kBookKeptArr] = 97'000'000;
  raw[kBookEndArr] = 103'000'000;
  raw[kExpansionWins] = 2;
  raw[kCsqlPipeline] = 40'000'000;
  Plan p = csm_multiplier_plan();
  double actuals[2];
  double spifs[1];
  plan_inputs(p, raw, actuals, spifs);
  EXPECT_NEAR(actuals[0], 400'000.0, kMoneyTol);
  EXPECT_NEAR(actuals[1], 1.03, kTol);
  EXPECT_EQ(spifs[0], 2.0);
  p = csm_plan();
  plan_inputs(p, raw, actuals, nullptr);
  EXPECT_NEAR(actuals[0], 0.03, kTol);
  EXPECT_NEAR(actuals[1], 1.03, kTol);
}

TEST(MetricActual, EveryMetricFromHandBuiltSlots) {
  // One rep-period: $120,000 new ARR and 3 logos, $30,000 expansion from 2 wins, 9
  // opportunities worth $450,000 of which 1 sourced win, 4 CSQLs worth $60,000, and a book of
  // 50 accounts worth $1,000,000 that kept $950,000, ended at $1,080,000, lost 2 accounts
  // and saw 5 expand.
  std::int64_t raw[kNumRawSlots] = {};
  raw[kNewArr] = 12'000'000, raw[kNewLogos] = 3;
  raw[kExpansionArr] = 3'000'000, raw[kExpansionWins] = 2;
  raw[kOpportunities] = 9, raw[kPipeline] = 45'000'000, raw[kSourcedWins] = 1;
  raw[kCsqlCount] = 4, raw[kCsqlPipeline] = 6'000'000;
  raw[kBookStartArr] = 100'000'000, raw[kBookKeptArr] = 95'000'000, raw[kBookEndArr] = 108'000'000;
  raw[kBookStartLogos] = 50, raw[kBookChurnedLogos] = 2, raw[kBookExpandedLogos] = 5;
  const std::pair<Metric, double> expected[] = {
      {Metric::NewArr, 120'000.0},       {Metric::ExpansionArr, 30'000.0},   {Metric::Bookings, 150'000.0},
      {Metric::NewLogos, 3.0},           {Metric::ExpansionWins, 2.0},       {Metric::Opportunities, 9.0},
      {Metric::PipelineCreated, 450'000.0}, {Metric::SourcedWins, 1.0},     {Metric::CsqlCount, 4.0},
      {Metric::CsqlPipeline, 60'000.0},  {Metric::Nrr, 1.08},                {Metric::Grr, 0.95},
      {Metric::GrossChurn, 0.05},        {Metric::LogoChurn, 0.04},          {Metric::ExpandRate, 0.10},
  };
  ASSERT_EQ(std::size(expected), static_cast<std::size_t>(kNumMetrics));  // every metric
  for (const auto& [metric, value] : expected) {
    EXPECT_NEAR(metric_actual(metric, raw), value, 1e-9) << metric_info(metric).name;
  }
  // An empty book: retention as if nothing were lost, rates 0.
  std::int64_t empty[kNumRawSlots] = {};
  EXPECT_EQ(metric_actual(Metric::Nrr, empty), 1.0);
  EXPECT_EQ(metric_actual(Metric::Grr, empty), 1.0);
  EXPECT_EQ(metric_actual(Metric::GrossChurn, empty), 0.0);
  EXPECT_EQ(metric_actual(Metric::LogoChurn, empty), 0.0);
  EXPECT_EQ(metric_actual(Metric::ExpandRate, empty), 0.0);
}

// ---------------------------------------------------------------------------------------
// Validation: every error names its field, the value and what is allowed.

TEST(PlanValidate, ScalarsAndWeights) {
  Plan p = ae_plan();
  p.ote = -5.0;
  expect_invalid(p, "ote: -5 is not a finite number > 0");
  p.ote = kInf;
  expect_invalid(p, "ote: inf is not a finite number > 0");
  p.ote = 2e9;  // bounds keep every payout finite
  expect_invalid(p, "ote: 2000000000 is more than 1000000000, the most allowed");
  p = ae_plan();
  p.base_share = 1.2;
  expect_invalid(p, "base_share: 1.2 is not in [0, 1]");
  p.base_share = kNaN;
  expect_invalid(p, "base_share: nan is not in [0, 1]");
  p = ae_plan();
  p.role = static_cast<Role>(7);
  expect_invalid(p, "role: 7 is not one of ae, sdr, csm");
  p = ae_plan();
  p.measures.clear();
  expect_invalid(p, "measures: a plan needs at least one measure");
  p = ae_plan();
  p.measures[1].weight = 1.4;
  expect_invalid(p, "measures[1].weight: 1.4 is not in [0, 1]");
  p.measures[1].weight = 0.4;
  expect_invalid(p, "measures: weights sum to 0.9, must sum to 1");
  p.measures[0].weight = 0.6000000000001;  // within rounding of 1: accepted
  p.validate();
  p = ae_plan();
  p.measures[0].target = 0.0;
  expect_invalid(p, "measures[0].target: 0 is not a finite number > 0");
  p.measures[0].target = kNaN;
  expect_invalid(p, "measures[0].target: nan is not a finite number > 0");
  p.measures[0].target = 1e-9;
  expect_invalid(p, "measures[0].target: 1e-09 is less than 1e-06, the least allowed");
  p = csm_plan();
  p.measures[1].target = 97.0;  // NRR typed as a percent
  expect_invalid(p, "measures[1].target: 97 is more than 10 for 'nrr', a rate: fractions, not percents");
  p = ae_plan();
  p.measures[0].lower_is_better = true;  // new ARR: more is better
  expect_invalid(p, "measures[0].lower_is_better: true for 'new_arr', where higher is better");
  p = ae_plan();
  p.measures[1].name = "";
  expect_invalid(p, "measures[1].name: is empty; a measure needs a name");
  p = ae_plan();
  p.measures[1].name = "new_arr";
  expect_invalid(p, "measures[1].name: 'new_arr' is also the name of measures[0]; names must be unique");
}

TEST(PlanValidate, CurvesMetricsAndGates) {
  Plan p = ae_plan();
  p.measures[1].curve = curve({0.0, 2.0, 1.0}, {0.0, 1.0, 2.0});
  expect_invalid(p, "measures[1].curve.attainment[2]: 1 is not greater than the previous point's 2");
  p = ae_plan();
  p.measures[0].curve.payout[1] = -1.0;
  expect_invalid(p, "measures[0].curve.payout[1]: -1 is not a finite number >= 0");
  p.measures[0].curve.payout[1] = 5e3;
  expect_invalid(p, "measures[0].curve.payout[1]: 5000 is more than 1000, the most allowed");
  p = ae_plan();
  p.measures[1].metric = Metric::Opportunities;
  expect_invalid(p, "measures[1].metric: 'opportunities' is not a metric of role ae (allowed: new_arr, "
                    "expansion_arr, bookings, new_logos, expansion_wins, nrr, grr, gross_churn, logo_churn, "
                    "expand_rate)");
  p.measures[1].metric = static_cast<Metric>(40);
  expect_invalid(p, "measures[1].metric: 40 is not a known metric (0..14)");
  p = sdr_gated_plan();
  p.measures[1].gate->measure = 1;
  expect_invalid(p, "measures[1].gate.measure: 1 is not the index of another measure (allowed: 0..1 except 1)");
  p.measures[1].gate->measure = 5;
  expect_invalid(p, "measures[1].gate.measure: 5 is not the index of another measure");
  p.measures[1].gate->measure = -1;
  expect_invalid(p, "measures[1].gate.measure: -1 is not the index of another measure");
  p.measures[1].gate->measure = 0;
  p.measures[1].gate->min_attainment = -0.1;
  expect_invalid(p, "measures[1].gate.min_attainment: -0.1 is not a finite number >= 0");
  p.measures[1].gate->min_attainment = 80.0;
  expect_invalid(p, "measures[1].gate.min_attainment: 80 is more than 10 for an attainment");
}

TEST(PlanValidate, MultiplierClawbackAndSpifs) {
  Plan p = csm_multiplier_plan();
  p.multiplier->metric = Metric::NewArr;
  expect_invalid(p, "multiplier.metric: 'new_arr' is not a metric of role csm");
  p = csm_multiplier_plan();
  p.multiplier->target = -1.0;
  expect_invalid(p, "multiplier.target: -1 is not a finite number > 0");
  p.multiplier->target = 1e-7;
  expect_invalid(p, "multiplier.target: 1e-07 is less than 1e-06, the least allowed");
  p = csm_multiplier_plan();
  p.multiplier->curve = curve({1.0, 0.5}, {1.0, 1.0});
  expect_invalid(p, "multiplier.curve.attainment[1]: 0.5 is not greater");

  p = csm_multiplier_plan();
  p.spifs[0].metric = Metric::Nrr;
  expect_invalid(p, "spifs[0].metric: 'nrr' is not a count metric (allowed: expansion_wins, csql_count)");
  p.spifs[0].metric = Metric::NewLogos;
  expect_invalid(p, "spifs[0].metric: 'new_logos' is not a metric of role csm");
  p.spifs[0] = Spif{Metric::CsqlCount, -100.0};
  expect_invalid(p, "spifs[0].amount: -100 is not a finite number >= 0");
  p.spifs[0] = Spif{Metric::CsqlCount, 1e308};
  expect_invalid(p, "spifs[0].amount: 1e+308 is more than 1000000000, the most allowed");

  p = csm_plan();
  p.clawback = Clawback{0.5, 12};
  expect_invalid(p, "clawback: a csm plan has a clawback; only ae plans can");
  p = ae_plan();
  p.clawback = Clawback{1.5, 12};
  expect_invalid(p, "clawback.share: 1.5 is not in [0, 1]");
  p.clawback = Clawback{0.5, 0};
  expect_invalid(p, "clawback.window_months: 0 is not >= 12");
  p.clawback = Clawback{0.5, 11};
  expect_invalid(p, "clawback.window_months: 11 is not >= 12 (first renewals come 12 months");
  p.clawback = Clawback{0.5, 12};
  p.validate();
}

}  // namespace
}  // namespace complab
