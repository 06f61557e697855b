// The Monte Carlo engine: accounting identities, reproducibility across thread counts and
// run splits, payroll consistency, cancellation and validation.
#include <gtest/gtest.h>

#include <bit>
#include <limits>
#include <numeric>
#include <thread>
#include <vector>

#include "complab/engine.hpp"
#include "complab/simd.hpp"
#include "plan_test_util.hpp"

using namespace complab;

namespace {

PayoutCurve linear_curve() { return PayoutCurve{{0.0, 1.0, 2.0}, {0.0, 1.0, 2.0}}; }

Scenario small_scenario() {
  Scenario sc;
  WorldConfig& w = sc.world;
  w.months = 24;
  w.period_months = 6;
  w.products = {ProductConfig{"core", 1.0, true}, ProductConfig{"addon", 0.4, false}};
  SegmentConfig a;
  a.name = "smb";
  a.initial_accounts = 120;
  a.acv_median = 8000;
  a.renewal_hazard = {0.25, 0.1};
  a.csm_coverage = 60;
  a.usage_drift = 0.1;
  a.usage_noise = 0.03;
  a.csql_rate = 0.05;
  a.sales_cycle_months = 1;
  a.opportunity_share = 0.7;
  a.ae_headcount = 2;
  a.csm_headcount = 2;
  SegmentConfig b = a;
  b.name = "ent";
  b.initial_accounts = 30;
  b.acv_median = 90000;
  b.csm_coverage = 15;
  b.sales_cycle_months = 4;
  b.opportunity_share = 0.3;
  b.ae_headcount = 1;
  w.segments = {a, b};
  w.sdr_headcount = 2;
  w.effort.ae_overpromise = 0.3;

  Plan ae;
  ae.name = "ae";
  ae.role = Role::AE;
  ae.ote = 150000;
  ae.base_share = 0.5;
  ae.measures = {Measure{"new_arr", Metric::NewArr, 0.7, 60000, false, linear_curve(), std::nullopt},
                 Measure{"nrr", Metric::Nrr, 0.3, 1.0, false, linear_curve(), std::nullopt}};
  ae.clawback = Clawback{0.5, 15};
  Plan csm;
  csm.name = "csm";
  csm.role = Role::CSM;
  csm.ote = 100000;
  csm.base_share = 0.8;
  csm.measures = {Measure{"churn", Metric::GrossChurn, 0.65, 0.1, true, linear_curve(), std::nullopt},
                  Measure{"nrr", Metric::Nrr, 0.35, 1.05, false, linear_curve(), std::nullopt}};
  Plan sdr;
  sdr.name = "sdr";
  sdr.role = Role::SDR;
  sdr.ote = 70000;
  sdr.base_share = 0.65;
  sdr.measures = {Measure{"opps", Metric::Opportunities, 1.0, 30, false, linear_curve(), std::nullopt}};
  sc.plans = {ae, csm, sdr};
  sc.ae_plan = {0, 0};
  sc.csm_plan = {1, 1};
  sc.sdr_plan = 2;
  return sc;
}

SimulationOutput run(const Scenario& sc, int trials, int threads, std::uint64_t seed = 11,
                     std::uint32_t first_trial = 0, int batch = 0) {
  RunOptions opt;
  opt.trials = trials;
  opt.seed = seed;
  opt.threads = threads;
  opt.first_trial = first_trial;
  opt.batch_size = batch;
  SimulationOutput out;
  allocate_output(sc, opt, out);
  RunControl control;
  run_simulation(sc, opt, out, control);
  return out;
}

std::int64_t at(const SimulationOutput& o, int trial, int month, int field) {
  return o.monthly[(static_cast<std::size_t>(trial) * static_cast<std::size_t>(o.months) +
                    static_cast<std::size_t>(month)) * kNumSeries + static_cast<std::size_t>(field)];
}

}  // namespace

TEST(Engine, ArrRollForwardHoldsExactlyEveryMonth) {
  const auto out = run(small_scenario(), 20, 2);
  for (int t = 0; t < out.trials; ++t) {
    for (int m = 0; m < out.months; ++m) {
      const std::int64_t expect = at(out, t, m, kArrStart) + at(out, t, m, kNewArrFlow) +
                                  at(out, t, m, kExpansionUsage) + at(out, t, m, kExpansionCsql) -
                                  at(out, t, m, kContraction) - at(out, t, m, kChurnedArr);
      ASSERT_EQ(expect, at(out, t, m, kArrEnd)) << "trial " << t << " month " << m;
      if (m > 0) {
        ASSERT_EQ(at(out, t, m, kArrStart), at(out, t, m - 1, kArrEnd));
      }
    }
  }
  // The scenario exercises every flow somewhere.
  for (int f : {kNewArrFlow, kExpansionUsage, kExpansionCsql, kContraction, kChurnedArr, kFirstRenewalChurns}) {
    std::int64_t total = 0;
    for (int t = 0; t < out.trials; ++t) {
      for (int m = 0; m < out.months; ++m) total += at(out, t, m, f);
    }
    EXPECT_GT(total, 0) << "series " << f;
  }
}

TEST(Engine, AHorizonShorterThanAYearHasNoCohortYearsAndStillRollsForward) {
  // Six months, quarterly periods: no whole year, so the cohort output is empty (the
  // sanitizer builds check that nothing reads past it).
  Scenario sc = small_scenario();
  sc.world.months = 6;
  sc.world.period_months = 3;
  const auto out = run(sc, 4, 2);
  EXPECT_EQ(out.years, 0);
  EXPECT_TRUE(out.cohorts.empty());
  for (int t = 0; t < out.trials; ++t) {
    for (int m = 0; m < out.months; ++m) {
      ASSERT_EQ(at(out, t, m, kArrStart) + at(out, t, m, kNewArrFlow) + at(out, t, m, kExpansionUsage) +
                    at(out, t, m, kExpansionCsql) - at(out, t, m, kContraction) - at(out, t, m, kChurnedArr),
                at(out, t, m, kArrEnd));
    }
    EXPECT_GT(at(out, t, 5, kAccountMonths), 0);
  }
}

TEST(Engine, EarningsAreBasePlusPayoutsMinusClawbacks) {
  const auto out = run(small_scenario(), 10, 1);
  double clawed = 0;
  for (std::size_t i = 0; i < out.pay.size(); i += kNumPayFields) {
    const double* p = &out.pay[i];
    EXPECT_DOUBLE_EQ(p[kPayEarnings], p[kPayBase] + p[kPayVariable] + p[kPaySpif] - p[kPayClawbackApplied]);
    EXPECT_LE(p[kPayClawbackApplied], p[kPayVariable] + p[kPaySpif] + 1e-9);
    clawed += p[kPayClawbackApplied];
  }
  EXPECT_GT(clawed, 0.0);  // first-renewal churn of sold accounts triggers the clawback
}

// Fixed and responsive mode: a worker reuses its simulator across trials, so any state
// left from one trial would make results depend on how trials fall on threads.
class EngineModes : public ::testing::TestWithParam<double> {
 protected:
  Scenario scenario() const {
    Scenario sc = small_scenario();
    sc.world.behaviour.incentive_sensitivity = GetParam();
    return sc;
  }
};

TEST_P(EngineModes, IdenticalForAnyThreadCountAndBatchSize) {
  const Scenario sc = scenario();
  const auto one = run(sc, 23, 1);
  for (int threads : {2, 7}) {
    for (int batch : {0, 1, 5}) {
      const auto many = run(sc, 23, threads, 11, 0, batch);
      EXPECT_EQ(one.monthly, many.monthly);
      EXPECT_EQ(one.cohorts, many.cohorts);
      EXPECT_EQ(one.rep_raw, many.rep_raw);
      EXPECT_EQ(one.first_renewal_churn, many.first_renewal_churn);
      EXPECT_EQ(one.rep_skill, many.rep_skill);
      EXPECT_EQ(one.pay, many.pay);
      EXPECT_EQ(one.effort, many.effort);
    }
  }
}

TEST_P(EngineModes, SplitRunsJoinIntoTheWholeRun) {
  const Scenario sc = scenario();
  const auto whole = run(sc, 12, 2);
  const auto head = run(sc, 5, 2, 11, 0);
  const auto tail = run(sc, 7, 2, 11, 5);
  std::vector<std::int64_t> joined(head.monthly);
  joined.insert(joined.end(), tail.monthly.begin(), tail.monthly.end());
  EXPECT_EQ(whole.monthly, joined);
  std::vector<float> effort(head.effort);
  effort.insert(effort.end(), tail.effort.begin(), tail.effort.end());
  EXPECT_EQ(whole.effort, effort);
}

INSTANTIATE_TEST_SUITE_P(FixedAndResponsive, EngineModes, ::testing::Values(0.0, 2.0));

// Every kernel path this CPU has (simd.hpp), the portable one first, for the golden values:
// each must give them. Restores the widest path when done.
class EachSimdPath {
 public:
  ~EachSimdPath() { detail::force_simd_path(widest_); }
  std::vector<detail::SimdPath> paths() const {
    std::vector<detail::SimdPath> p;
    for (const auto path : {detail::SimdPath::none, detail::SimdPath::avx2, detail::SimdPath::avx512}) {
      if (detail::simd_path_supported(path)) p.push_back(path);
    }
    return p;
  }

 private:
  detail::SimdPath widest_ = detail::simd_path();
};

// Pins the draws and the dynamics: an optimisation of the month loop must leave every
// output bit-identical (a change to the model updates these values on purpose), on every
// kernel path. Re-pinned when an account-month's three dense draws (the CSQL yes/no and the
// health and usage normals' first words) moved into one AccountMonth block (docs/model.md §2).
TEST(Engine, OutputsMatchGoldenValues) {
  auto fnv = [](const SimulationOutput& o) {
    std::uint64_t h = 1469598103934665603ull;
    for (const auto* v : {&o.monthly, &o.cohorts, &o.rep_raw, &o.first_renewal_churn}) {
      for (std::int64_t x : *v) h = (h ^ static_cast<std::uint64_t>(x)) * 1099511628211ull;
    }
    return h;
  };
  EachSimdPath each;
  for (const auto path : each.paths()) {
    detail::force_simd_path(path);
    Scenario sc = small_scenario();
    EXPECT_EQ(fnv(run(sc, 6, 1)), 0x18f96bcfc485107eull) << detail::simd_path_name(path);
    sc.world.behaviour.incentive_sensitivity = 1.0;
    EXPECT_EQ(fnv(run(sc, 6, 1)), 0xdb8da8cf4f82f7d0ull) << detail::simd_path_name(path);
  }
}

// The same pin over a world that takes the engine's other paths: health noise without usage
// noise and the reverse, a segment without CSMs or CSQLs, one of a single account and one
// whose customers mostly churn, a CSQL health exponent other than 1, and every output
// (pay, effort, skills and kept account records included). The fixed-mode value is the
// engine's before the month loop was batched by segment, so it also pins that refactor (its
// first-renewal churn projected onto today's layout, indexed by sale period only); the
// responsive one changed on purpose when a hand-off closing this month stopped hiding an
// account's CSQLs from its CSM's valuation. Both re-pinned with the one-block account-month
// (docs/model.md §2).
Scenario mixed_scenario() {
  Scenario sc = small_scenario();
  WorldConfig& w = sc.world;
  w.csql_health_exponent = 1.5;
  w.segments[0].usage_noise = 0.0;
  w.segments[1].health_noise = 0.0;
  SegmentConfig none = w.segments[0];
  none.name = "self_serve";
  none.initial_accounts = 90;
  none.csm_headcount = 0;
  none.csql_rate = 0.0;
  none.health_noise = 0.2;
  none.usage_noise = 0.3;
  none.renewal_hazard = {0.9, 0.6};
  none.opportunity_share = 0.2;
  SegmentConfig one = w.segments[1];
  one.name = "strategic";
  one.initial_accounts = 1;
  one.opportunity_share = 0.0;
  w.segments.push_back(none);
  w.segments.push_back(one);
  sc.ae_plan = {0, 0, 0, 0};
  sc.csm_plan = {1, 1, -1, 1};
  return sc;
}

std::uint64_t hash_everything(const SimulationOutput& o) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::uint64_t x) { h = (h ^ x) * 1099511628211ull; };
  for (const auto* v : {&o.monthly, &o.cohorts, &o.rep_raw, &o.first_renewal_churn}) {
    for (std::int64_t x : *v) mix(static_cast<std::uint64_t>(x));
  }
  for (double x : o.rep_skill) mix(std::bit_cast<std::uint64_t>(x));
  // The pay fields of plans without true-ups, draws and ratchets; the later fields are 0 for
  // them, the quota factor 1 (not hashed, so adding it left the pins as they were).
  for (std::size_t i = 0; i < o.pay.size(); i += kNumPayFields) {
    for (int f = 0; f < kNumPayFields; ++f) {
      if (f < kNumPlainPayFields) {
        mix(std::bit_cast<std::uint64_t>(o.pay[i + static_cast<std::size_t>(f)]));
      } else {
        EXPECT_EQ(o.pay[i + static_cast<std::size_t>(f)], f == kPayQuotaFactor ? 1.0 : 0.0) << "pay field " << f;
      }
    }
  }
  for (double x : o.measure_payout) mix(std::bit_cast<std::uint64_t>(x));
  for (float x : o.effort) mix(std::bit_cast<std::uint32_t>(x));
  for (const auto& trial : o.accounts) {
    for (const AccountRecord& a : trial) {
      for (std::int64_t x : {std::int64_t{a.entity}, std::int64_t{a.segment}, std::int64_t{a.opened},
                             std::int64_t{a.churned}, std::int64_t{a.renewals}, std::int64_t{a.csm},
                             std::int64_t{a.ae}, a.arr, a.booked, std::int64_t{a.products}}) {
        mix(static_cast<std::uint64_t>(x));
      }
      mix(std::bit_cast<std::uint64_t>(a.health));
    }
  }
  return h;
}

TEST(Engine, EveryOutputOfAMixedWorldMatchesGoldenValues) {
  Scenario sc = mixed_scenario();
  RunOptions opt;
  opt.trials = 6;
  opt.seed = 23;
  opt.threads = 2;
  opt.keep_accounts = true;
  EachSimdPath each;
  for (const auto path : each.paths()) {
    detail::force_simd_path(path);
    for (const double beta : {0.0, 1.0}) {
      sc.world.behaviour.incentive_sensitivity = beta;
      SimulationOutput out;
      RunControl control;
      run_simulation(sc, opt, out, control);
      pay_reps(sc, out, 0, opt.trials);
      EXPECT_EQ(hash_everything(out), beta == 0.0 ? 0x42f31855aaa9a665ull : 0x0c9552af41cf8cc1ull)
          << "beta " << beta << " " << detail::simd_path_name(path);
    }
  }
}

TEST(Engine, SeedsGiveDifferentWorlds) {
  const Scenario sc = small_scenario();
  EXPECT_NE(run(sc, 3, 1, 0).monthly, run(sc, 3, 1, 1).monthly);
}

TEST(Engine, PlansDoNotChangeTheWorldInFixedMode) {
  Scenario a = small_scenario();
  Scenario b = a;
  // Different curves and OTE, same NRR structure: the same world, different pay.
  b.plans[0].measures[0].curve = PayoutCurve{{0.5, 1.0, 1.5}, {0.0, 1.0, 3.0}};
  b.plans[0].ote = 200000;
  const auto oa = run(a, 8, 2), ob = run(b, 8, 2);
  EXPECT_EQ(oa.monthly, ob.monthly);
  EXPECT_EQ(oa.rep_raw, ob.rep_raw);
  EXPECT_NE(oa.pay, ob.pay);
}

TEST(Engine, SharedNrrRaisesHandoffAcceptance) {
  Scenario with = small_scenario();
  Scenario without = with;
  without.plans[0].measures[1].metric = Metric::ExpansionArr;
  without.plans[0].measures[1].target = 20000;
  ASSERT_TRUE(with.shared_nrr(0));
  ASSERT_FALSE(without.shared_nrr(0));
  const auto ow = run(with, 30, 2), oo = run(without, 30, 2);
  auto total = [](const SimulationOutput& o, int f) {
    std::int64_t s = 0;
    for (int t = 0; t < o.trials; ++t) {
      for (int m = 0; m < o.months; ++m) s += at(o, t, m, f);
    }
    return s;
  };
  // Common random numbers: acceptance is u < q, so a higher q only adds hand-offs month by
  // month until the worlds diverge; over the run it must be clearly higher.
  EXPECT_GT(total(ow, kHandoffsAccepted), total(oo, kHandoffsAccepted));
}

TEST(Engine, CancelStopsEarlyAndMarksCompletedTrials) {
  const Scenario sc = small_scenario();
  RunOptions opt;
  opt.trials = 400;
  opt.threads = 2;
  opt.batch_size = 1;
  SimulationOutput out;
  allocate_output(sc, opt, out);
  RunControl control;
  std::thread stopper([&] {
    while (control.trials_done.load() < 3) std::this_thread::yield();
    control.cancel.store(true);
  });
  run_simulation(sc, opt, out, control);
  stopper.join();
  const auto done = std::accumulate(out.completed.begin(), out.completed.end(), 0);
  EXPECT_GE(done, 3);
  EXPECT_LT(done, 400);
  EXPECT_EQ(done, control.trials_done.load());
}

TEST(Engine, InvalidScenariosNameTheField) {
  auto expect_error = [](Scenario sc, const std::string& field) {
    try {
      sc.validate();
      FAIL() << "no error for " << field;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  Scenario sc = small_scenario();
  sc.world.segments[1].ae_headcount = -1;
  expect_error(sc, "segments[1].ae_headcount");
  sc = small_scenario();
  sc.world.segments[0].renewal_hazard[1] = 1.5;
  expect_error(sc, "segments[0].renewal_hazard[1]");
  sc = small_scenario();
  sc.world.segments.clear();
  sc.ae_plan.clear();
  sc.csm_plan.clear();
  expect_error(sc, "segments");
  sc = small_scenario();
  sc.world.segments.resize(1001, sc.world.segments[0]);  // kept records hold 16-bit segments
  expect_error(sc, "segments: 1001 is not an integer in [1, 1000]");
  sc = small_scenario();
  sc.world.months = 0;
  expect_error(sc, "months");
  sc = small_scenario();
  sc.world.period_months = 5;
  expect_error(sc, "period_months");
  sc = small_scenario();
  sc.world.effort.csm_adoption_ref = 1.0;
  expect_error(sc, "effort.csm_adoption_ref: 1 is not in (0, 1)");
  sc = small_scenario();
  sc.world.behaviour.csm_productivity.assign(2 * kNumMetrics, 0.0);
  sc.world.behaviour.csm_productivity[3] = 1e308;  // would make a rep's valuation infinite
  expect_error(sc, "behaviour.csm_productivity[3]: 1e+308 is not finite, at most 1e12 in size");
  sc = small_scenario();
  sc.ae_plan[0] = 1;  // the CSM plan
  expect_error(sc, "plans.ae[smb]");
  RunOptions opt;
  opt.trials = 0;
  SimulationOutput out;
  EXPECT_THROW(allocate_output(small_scenario(), opt, out), std::invalid_argument);
}

// ARR that compounds past the engine's exact range (2^52 cents an account) stops the run
// with an error naming the segment, instead of wrapping around to negative ARR.
TEST(Engine, ArrBeyondTheLimitIsAnErrorNamingTheSegment) {
  Scenario sc = small_scenario();
  sc.world.months = 240;
  sc.world.period_months = 12;
  SegmentConfig& smb = sc.world.segments[0];
  smb.usage_drift = 1.0, smb.health_base = 1.0, smb.health_start = 1.0;  // x 1.5 a month
  smb.initial_accounts = 1;  // one account reaches its limit before the company's total does
  complab::testing::expect_invalid_argument([&] { run(sc, 1, 1); }, "world.segments.smb: an account's ARR passed");
  sc = small_scenario();
  sc.world.segments[1].acv_median = 1e14;  // $100 trillion
  EXPECT_THROW(run(sc, 1, 1), std::invalid_argument);
  // Each account within its limit, the company's total past 2^56 cents: an error too, not a
  // sum that wraps around.
  sc = small_scenario();
  sc.world.segments[1].acv_median = 1e12, sc.world.segments[1].acv_log_sd = 0.0;
  sc.world.segments[1].initial_accounts = 1000;
  complab::testing::expect_invalid_argument([&] { run(sc, 1, 1); }, "world: the company's total ARR passed");
}

TEST(Engine, TooManyOpportunitiesForOneSdrMonthIsAnError) {
  Scenario sc = small_scenario();
  sc.world.opportunities_per_sdr = 100.0;
  sc.world.skill_log_sd = 2.0;  // the strongest SDRs draw many times the mean
  complab::testing::expect_invalid_argument([&] { run(sc, 40, 1); }, "world.opportunities_per_sdr: a source drew");
}

TEST(Engine, CancelInsideABatchKeepsOnlyWholeTrials) {
  // Long trials in batches of two: a cancel arriving during a batch stops it there (between
  // trials or within one), instead of after every trial of the batch.
  Scenario sc = small_scenario();
  sc.world.months = 1200;
  sc.world.period_months = 12;
  for (auto& s : sc.world.segments) s.initial_accounts *= 10;
  RunOptions opt;
  opt.trials = 6;
  opt.seed = 11;
  opt.threads = 1;
  opt.batch_size = 2;
  SimulationOutput out;
  allocate_output(sc, opt, out);
  RunControl control;
  // Cancel once the first batch is in: the second batch is then cut inside, its first
  // trial part-way through.
  std::thread stopper([&] {
    while (control.trials_done.load() == 0) std::this_thread::yield();
    control.cancel.store(true);
  });
  run_simulation(sc, opt, out, control);
  stopper.join();
  const auto completed = std::accumulate(out.completed.begin(), out.completed.end(), 0);
  EXPECT_LT(completed, 6);
  EXPECT_EQ(completed, control.trials_done.load());
  // Whatever finished is whole: equal to the same trials of an uninterrupted run.
  ASSERT_GT(completed, 0);
  const SimulationOutput whole = run(sc, completed, 1);
  EXPECT_TRUE(std::equal(whole.monthly.begin(), whole.monthly.end(), out.monthly.begin()));
  EXPECT_TRUE(std::equal(whole.pay.begin(), whole.pay.end(), out.pay.begin()));
}

TEST(Engine, ABatchLargerThanTheRunRunsEveryTrial) {
  const Scenario sc = small_scenario();
  const SimulationOutput whole = run(sc, 5, 1);
  const SimulationOutput huge = run(sc, 5, 2, 11, 0, std::numeric_limits<int>::max());
  EXPECT_EQ(huge.completed, std::vector<std::uint8_t>(5, 1));
  EXPECT_EQ(huge.monthly, whole.monthly);
}

TEST(Engine, KeptAccountsAddUpToTheCompanySeries) {
  const Scenario sc = small_scenario();
  RunOptions opt;
  opt.trials = 4;
  opt.seed = 3;
  opt.threads = 2;
  opt.keep_accounts = true;
  SimulationOutput out;
  allocate_output(sc, opt, out);
  RunControl control;
  run_simulation(sc, opt, out, control);
  ASSERT_EQ(out.accounts.size(), 4u);
  for (int t = 0; t < out.trials; ++t) {
    std::int64_t arr = 0, churned = 0, won = 0, series_churned = 0, series_won = 0;
    for (const AccountRecord& a : out.accounts[static_cast<std::size_t>(t)]) {
      arr += a.arr;
      churned += a.churned >= 0;
      won += a.opened >= 0;
      EXPECT_TRUE(a.churned < 0 || a.arr == 0);
    }
    for (int m = 0; m < out.months; ++m) {
      series_churned += at(out, t, m, kChurnedLogos);
      series_won += at(out, t, m, kNewLogosFlow);
    }
    EXPECT_EQ(arr, at(out, t, out.months - 1, kArrEnd));
    EXPECT_EQ(churned, series_churned);
    EXPECT_EQ(won, series_won);
    EXPECT_EQ(static_cast<std::int64_t>(out.accounts[static_cast<std::size_t>(t)].size()),
              sc.world.total_initial_accounts() + series_won);
  }
  // Asking for accounts changes nothing else.
  const auto plain = run(sc, 4, 2, 3);
  EXPECT_EQ(plain.monthly, out.monthly);
  EXPECT_TRUE(plain.accounts.empty());
}
