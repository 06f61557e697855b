// Payroll over hand-built raw actuals: base, variable, SPIFs and first-renewal clawbacks that
// carry forward (docs/model.md §7). Every expected number is worked out by hand beside it.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "complab/payroll.hpp"
#include "plan_test_util.hpp"

namespace complab {
namespace {

using testing::expect_invalid_argument;
using testing::make_plan;
using testing::measure;

constexpr double kMoneyTol = 1e-6;
constexpr int kTrials = 2;
constexpr int kReps = 3;
constexpr int kPeriods = 6;  // quarters: a first renewal falls 4 periods after the sale
constexpr int kMonths = 3;
constexpr int kMaxMeasures = 3;

/// AE, quarterly: OTE 120,000, 50/50, so base 15,000 and target variable V = 15,000 a
/// quarter. New ARR (0.8, target 100,000) and new logos (0.2, target 4), both paying
/// M = A; a SPIF of 500 per new logo; clawback of half the commission on first-renewal churn.
Plan ae_plan(int window_months = 12) {
  Plan p = make_plan(Role::AE, 120'000.0, 0.5,
                     {measure("new_arr", Metric::NewArr, 0.8, 100'000.0),
                      measure("new_logos", Metric::NewLogos, 0.2, 4.0)});
  p.spifs = {Spif{Metric::NewLogos, 500.0}};
  p.clawback = Clawback{0.5, window_months};
  return p;
}

/// CSM, quarterly: OTE 100,000, 80/20: base 20,000, V = 5,000. Gross churn (0.65, target 2%,
/// lower is better) and NRR (0.35, target 100%), both M = A.
Plan csm_plan() {
  return make_plan(Role::CSM, 100'000.0, 0.8,
                   {measure("gross_churn", Metric::GrossChurn, 0.65, 0.02, testing::linear2(), true),
                    measure("nrr", Metric::Nrr, 0.35, 1.0)});
}

struct World {
  std::vector<std::int64_t> raw = std::vector<std::int64_t>(std::size_t{kTrials} * kReps * kPeriods * kNumRawSlots, 0);
  std::vector<std::int64_t> churn = std::vector<std::int64_t>(std::size_t{kTrials} * kReps * kPeriods * 2, 0);
  std::vector<double> pay = std::vector<double>(std::size_t{kTrials} * kReps * kPeriods * kNumPayFields, -1.0);
  std::vector<double> mp = std::vector<double>(std::size_t{kTrials} * kReps * kPeriods * kMaxMeasures, -1.0);

  std::int64_t& slot(int t, int r, int p, int s) {
    return raw[((static_cast<std::size_t>(t) * kReps + r) * kPeriods + p) * kNumRawSlots + s];
  }
  /// Accounts sold in period `sold` that churned at their first renewal, 4 quarters later.
  void churned(int t, int r, int sold, std::int64_t arr_cents, std::int64_t logos) {
    const std::size_t i = ((static_cast<std::size_t>(t) * kReps + r) * kPeriods + sold) * 2;
    churn[i] = arr_cents;
    churn[i + 1] = logos;
  }
  double pay_at(int t, int r, int p, int f) const {
    return pay[((static_cast<std::size_t>(t) * kReps + r) * kPeriods + p) * kNumPayFields + f];
  }
  double mp_at(int t, int r, int p, int m) const {
    return mp[((static_cast<std::size_t>(t) * kReps + r) * kPeriods + p) * kMaxMeasures + m];
  }
  PayrollInput input(std::vector<int> rep_plan) const {
    PayrollInput in;
    in.trials = kTrials;
    in.reps = kReps;
    in.periods = kPeriods;
    in.period_months = kMonths;
    in.rep_raw = raw.data();
    in.first_renewal_churn = churn.data();
    in.rep_plan = std::move(rep_plan);
    return in;
  }
  void run(const std::vector<Plan>& plans, std::vector<int> rep_plan = {0, 1, -1}) {
    PayrollOutput out{kMaxMeasures, mp.data(), pay.data()};
    evaluate_payroll(plans, input(std::move(rep_plan)), out, 0, kTrials);
  }
};

/// Trial 0: the AE (rep 0) sells $150,000 and 3 logos in Q0, nothing in Q1-Q3, $25,000 and
/// 1 logo in Q4, $50,000 and 2 logos in Q5. Two Q0 accounts worth $100,000 churn at their
/// first renewal in Q4. The CSM (rep 1) keeps 97% of a $1M book and grows it to 103% in Q2.
/// Rep 2 has no plan. Trial 1 records nothing.
World hand_built_world() {
  World w;
  auto sell = [&](int p, std::int64_t dollars, std::int64_t logos) {
    w.slot(0, 0, p, kNewArr) = dollars * 100;
    w.slot(0, 0, p, kNewLogos) = logos;
  };
  sell(0, 150'000, 3);
  sell(4, 25'000, 1);
  sell(5, 50'000, 2);
  w.churned(0, 0, 0, 10'000'000, 2);
  // Churn recorded against Q1, when the AE sold nothing: the commission per dollar is 0 (no
  // division by zero), so it raises nothing.
  w.churned(0, 0, 1, 1'000'000, 0);
  // A sale whose first renewal falls after the last period: never read.
  w.churned(0, 0, 5, 99'000'000, 9);
  w.slot(0, 1, 2, kBookStartArr) = 100'000'000;
  w.slot(0, 1, 2, kBookKeptArr) = 97'000'000;
  w.slot(0, 1, 2, kBookEndArr) = 103'000'000;
  w.slot(0, 2, 0, kNewArr) = 123'456;  // rep 2 is paid nothing whatever it records
  return w;
}

TEST(Payroll, ClawbackExceedsPayoutAndCarriesForward) {
  World w = hand_built_world();
  w.run({ae_plan(), csm_plan()});

  // Q0: new ARR A = 1.5 -> 15,000 * 0.8 * 1.5 = 18,000; logos A = 0.75 -> 15,000 * 0.2 * 0.75
  // = 2,250; SPIF 3 * 500 = 1,500.
  EXPECT_NEAR(w.pay_at(0, 0, 0, kPayBase), 15'000.0, kMoneyTol);
  EXPECT_NEAR(w.pay_at(0, 0, 0, kPayVariable), 20'250.0, kMoneyTol);
  EXPECT_NEAR(w.pay_at(0, 0, 0, kPaySpif), 1'500.0, kMoneyTol);
  EXPECT_NEAR(w.pay_at(0, 0, 0, kPayEarnings), 36'750.0, kMoneyTol);
  EXPECT_NEAR(w.mp_at(0, 0, 0, 0), 18'000.0, kMoneyTol);
  EXPECT_NEAR(w.mp_at(0, 0, 0, 1), 2'250.0, kMoneyTol);
  EXPECT_EQ(w.mp_at(0, 0, 0, 2), 0.0);  // padding up to max_measures
  // Q1-Q3: no sales, base only.
  for (int p = 1; p <= 3; ++p) {
    EXPECT_EQ(w.pay_at(0, 0, p, kPayVariable), 0.0);
    EXPECT_EQ(w.pay_at(0, 0, p, kPayClawbackDue), 0.0);
    EXPECT_NEAR(w.pay_at(0, 0, p, kPayEarnings), 15'000.0, kMoneyTol);
  }
  // Q4: Q0's commission was 18,000 / 150,000 = 0.12 per ARR dollar and 2,250 / 3 + 500 =
  // 1,250 per logo. Churn of $100,000 and 2 logos raises 0.5 * (12,000 + 2,500) = 7,250.
  // Q4 pays new ARR 15,000 * 0.8 * 0.25 = 3,000, logos 15,000 * 0.2 * 0.25 = 750, SPIF 500:
  // 4,250 in all, so 4,250 is applied and 3,000 carries.
  EXPECT_NEAR(w.pay_at(0, 0, 4, kPayVariable), 3'750.0, kMoneyTol);
  EXPECT_NEAR(w.pay_at(0, 0, 4, kPaySpif), 500.0, kMoneyTol);
  EXPECT_NEAR(w.pay_at(0, 0, 4, kPayClawbackDue), 7'250.0, kMoneyTol);
  EXPECT_NEAR(w.pay_at(0, 0, 4, kPayClawbackApplied), 4'250.0, kMoneyTol);
  EXPECT_NEAR(w.pay_at(0, 0, 4, kPayClawbackCarry), 3'000.0, kMoneyTol);
  EXPECT_NEAR(w.pay_at(0, 0, 4, kPayEarnings), 15'000.0, kMoneyTol);
  // Q5: new ARR A = 0.5 -> 6,000; logos A = 0.5 -> 1,500; SPIF 1,000: 8,500. Due is the
  // 3,000 carried (Q1's churn raised nothing); all of it is applied.
  EXPECT_NEAR(w.pay_at(0, 0, 5, kPayVariable), 7'500.0, kMoneyTol);
  EXPECT_NEAR(w.pay_at(0, 0, 5, kPayClawbackDue), 3'000.0, kMoneyTol);
  EXPECT_NEAR(w.pay_at(0, 0, 5, kPayClawbackApplied), 3'000.0, kMoneyTol);
  EXPECT_EQ(w.pay_at(0, 0, 5, kPayClawbackCarry), 0.0);
  EXPECT_NEAR(w.pay_at(0, 0, 5, kPayEarnings), 20'500.0, kMoneyTol);  // 15,000 + 8,500 - 3,000
}

TEST(Payroll, CsmMetricsComeFromTheRawSlots) {
  World w = hand_built_world();
  w.run({ae_plan(), csm_plan()});
  // Q2: gross churn 1 - 0.97 = 3% against 2% -> A = 1 + (0.02 - 0.03) / 0.02 = 0.5 ->
  // 5,000 * 0.65 * 0.5 = 1,625. NRR 103% -> 5,000 * 0.35 * 1.03 = 1,802.5.
  EXPECT_NEAR(w.mp_at(0, 1, 2, 0), 1'625.0, kMoneyTol);
  EXPECT_NEAR(w.mp_at(0, 1, 2, 1), 1'802.5, kMoneyTol);
  EXPECT_NEAR(w.pay_at(0, 1, 2, kPayEarnings), 23'427.5, kMoneyTol);  // 20,000 + 3,427.5
  // An empty book is neutral: churn 0 -> A = 2 -> 5,000 * 0.65 * 2 = 6,500; NRR 1 -> 1,750.
  EXPECT_NEAR(w.pay_at(0, 1, 0, kPayVariable), 8'250.0, kMoneyTol);
  EXPECT_EQ(w.pay_at(0, 1, 0, kPayClawbackDue), 0.0);
}

TEST(Payroll, RepWithoutPlanAndEmptyTrial) {
  World w = hand_built_world();
  w.run({ae_plan(), csm_plan()});
  for (int p = 0; p < kPeriods; ++p) {
    for (int f = 0; f < kNumPayFields; ++f) EXPECT_EQ(w.pay_at(0, 2, p, f), f == kPayQuotaFactor ? 1.0 : 0.0);
    for (int m = 0; m < kMaxMeasures; ++m) EXPECT_EQ(w.mp_at(0, 2, p, m), 0.0);
    // Trial 1 recorded nothing: the AE earns base only.
    EXPECT_NEAR(w.pay_at(1, 0, p, kPayEarnings), 15'000.0, kMoneyTol);
  }
}

TEST(Payroll, WindowOfExactlyTheFirstRenewalClawsBack) {
  World twelve = hand_built_world(), longer = hand_built_world();
  twelve.run({ae_plan(12), csm_plan()});
  longer.run({ae_plan(24), csm_plan()});
  EXPECT_GT(twelve.pay_at(0, 0, 4, kPayClawbackDue), 0.0);
  EXPECT_EQ(twelve.pay, longer.pay);  // any window reaching the first renewal is the same
  // A window short of the first renewal could never apply: the plan is refused.
  expect_invalid_argument([&] { twelve.run({ae_plan(6), csm_plan()}); }, "clawback.window_months: 6");
}

TEST(Payroll, TrialRangesWriteOnlyTheirTrials) {
  World whole = hand_built_world();
  whole.run({ae_plan(), csm_plan()});
  World split = hand_built_world();
  PayrollOutput out{kMaxMeasures, split.mp.data(), split.pay.data()};
  const std::vector<Plan> plans{ae_plan(), csm_plan()};
  evaluate_payroll(plans, split.input({0, 1, -1}), out, 1, 2);
  EXPECT_EQ(split.pay_at(0, 0, 0, kPayBase), -1.0);  // trial 0 untouched
  evaluate_payroll(plans, split.input({0, 1, -1}), out, 0, 1);
  EXPECT_EQ(split.pay, whole.pay);
  EXPECT_EQ(split.mp, whole.mp);
}

TEST(Payroll, ThreadedPayEqualsOneCallForAnyThreadCount) {
  // 203 trials of random activity (not a multiple of any thread count's split).
  constexpr int kManyTrials = 203;
  const std::size_t rows = std::size_t{kManyTrials} * kReps * kPeriods;
  std::vector<std::int64_t> raw(rows * kNumRawSlots, 0), churn(rows * 2, 0);
  std::mt19937_64 gen(3);
  for (std::size_t row = 0; row < rows; ++row) {
    raw[row * kNumRawSlots + kNewArr] = static_cast<std::int64_t>(gen() % 5'000'000'000ull);
    raw[row * kNumRawSlots + kNewLogos] = static_cast<std::int64_t>(gen() % 8);
    raw[row * kNumRawSlots + kBookStartArr] = 100'000'000;
    raw[row * kNumRawSlots + kBookKeptArr] = 90'000'000 + static_cast<std::int64_t>(gen() % 10'000'000);
    raw[row * kNumRawSlots + kBookEndArr] = 95'000'000 + static_cast<std::int64_t>(gen() % 15'000'000);
    churn[row * 2] = static_cast<std::int64_t>(gen() % 1'000'000'000ull);
    churn[row * 2 + 1] = static_cast<std::int64_t>(gen() % 3);
  }
  PayrollInput in;
  in.trials = kManyTrials;
  in.reps = kReps;
  in.periods = kPeriods;
  in.period_months = kMonths;
  in.rep_raw = raw.data();
  in.first_renewal_churn = churn.data();
  in.rep_plan = {0, 1, -1};
  const std::vector<Plan> plans{ae_plan(), csm_plan()};
  auto pay_with = [&](int threads) {
    std::vector<double> pay(rows * kNumPayFields, -1.0), mp(rows * kMaxMeasures, -1.0);
    PayrollOutput out{kMaxMeasures, mp.data(), pay.data()};
    if (threads < 0) {
      evaluate_payroll(plans, in, out, 0, kManyTrials);
    } else {
      evaluate_payroll_threaded(plans, in, out, threads);
    }
    pay.insert(pay.end(), mp.begin(), mp.end());
    return pay;
  };
  const std::vector<double> one_call = pay_with(-1);
  for (const int threads : {0, 1, 2, 3, 7}) EXPECT_EQ(pay_with(threads), one_call) << threads << " threads";
  // Bad input fails on the caller's thread, with the same message as one call.
  std::vector<double> pay(rows * kNumPayFields), mp(rows * kMaxMeasures);
  PayrollOutput out{kMaxMeasures, mp.data(), pay.data()};
  expect_invalid_argument([&] { evaluate_payroll_threaded(plans, in, out, -1); }, "threads: -1 is not >= 0");
  in.rep_plan = {0, 2, -1};
  expect_invalid_argument([&] { evaluate_payroll_threaded(plans, in, out, 3); },
                          "rep_plan[1]: 2 is not a plan index (allowed: -1..1)");
}

TEST(Payroll, ArgumentErrorsNameTheField) {
  World w = hand_built_world();
  auto expect = [&](const std::vector<Plan>& plans, PayrollInput in, PayrollOutput out, int b, int e,
                    const std::string& message) {
    expect_invalid_argument([&] { evaluate_payroll(plans, in, out, b, e); }, message);
  };
  const std::vector<Plan> plans{ae_plan(), csm_plan()};
  const PayrollOutput out{kMaxMeasures, w.mp.data(), w.pay.data()};
  expect(plans, w.input({0, 1}), out, 0, kTrials, "rep_plan: has 2 entries for 3 reps");
  expect(plans, w.input({0, 2, -1}), out, 0, kTrials, "rep_plan[1]: 2 is not a plan index (allowed: -1..1)");
  expect(plans, w.input({0, 1, -1}), out, 0, kTrials + 1, "trials: [0, 3) is not a range within [0, 2)");
  expect(plans, w.input({0, 1, -1}), PayrollOutput{1, w.mp.data(), w.pay.data()}, 0, kTrials,
         "max_measures: 1 is less than the 2 measures of the largest plan");
  PayrollInput no_churn = w.input({0, 1, -1});
  no_churn.first_renewal_churn = nullptr;
  expect(plans, no_churn, out, 0, kTrials, "first_renewal_churn: null, but a plan has a clawback");
  no_churn.rep_plan = {1, 1, -1};  // no clawback in use: the churn array is not needed
  PayrollOutput out2{kMaxMeasures, w.mp.data(), w.pay.data()};
  evaluate_payroll(plans, no_churn, out2, 0, kTrials);
  PayrollInput bad_months = w.input({0, 1, -1});
  bad_months.period_months = 0;
  expect(plans, bad_months, out, 0, kTrials, "period_months: 0 is not >= 1");
  std::vector<Plan> bad = plans;
  bad[1].measures[0].weight = 2.0;
  expect(bad, w.input({0, 1, -1}), out, 0, kTrials, "plans[1]: measures[0].weight: 2 is not in [0, 1]");
}

}  // namespace
}  // namespace complab
