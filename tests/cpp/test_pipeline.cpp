// New business: each source's opportunity counts, the warm start's history, AE capacity and
// the deals decided at the AEs' chances.
#include <gtest/gtest.h>

#include <cmath>

#include "complab/pipeline.hpp"
#include "complab/processes.hpp"
#include "world_test_util.hpp"

using namespace complab;

namespace {
struct Harness {
  Scenario sc;
  RepRoster roster;
  SimulationOutput out;
  KpiLedger ledger{out};
  TrialStreams streams{seed_key(5)};
  Workforce reps;
  Pipeline pipeline;
  explicit Harness(Scenario s)
      : sc(std::move(s)), roster(make_roster(sc)), reps(sc, roster), pipeline(sc, reps) {
    RunOptions opt;
    opt.trials = 1;
    allocate_output(sc, opt, out);
    ledger.start_trial(0);
  }
  void trial(std::uint32_t k) {
    streams.set_trial(k);
    ledger.start_trial(0);
    reps.start_trial(streams, ledger);
    pipeline.start_trial();
  }
};
}  // namespace

TEST(Pipeline, EverySourceCreatesItsMeanNumberOfOpportunities) {
  Scenario sc = complab::testing::one_segment_world(40, 3, 1, 2);
  sc.world.skill_log_sd = 0.0;
  sc.world.opportunities_per_sdr = 4.0;
  sc.world.segments[0].inbound_opportunities = 6.0;
  sc.world.segments[0].ae_prospecting = 1.5;
  sc.world.segments[0].sales_cycle_months = 0;
  Harness h(sc);
  // Mean per month: 2 SDRs x 4 + 6 inbound + 3 AEs x 1.5 (share at the reference) = 18.5.
  const double mean = 2 * 4.0 + 6.0 + 3 * 1.5;
  double total = 0;
  const int months = 400;
  for (int k = 0; k < months; ++k) {
    h.trial(static_cast<std::uint32_t>(k));
    h.pipeline.create(0, h.streams, h.reps, h.ledger);
    total += static_cast<double>(h.pipeline.closing(0).size());
  }
  const double se = std::sqrt(mean / months);
  EXPECT_NEAR(total / months, mean, 4 * se);
}

TEST(Pipeline, TheWarmHistoryLeavesOnlyDealsClosingFromMonthZero) {
  Scenario sc = complab::testing::one_segment_world(40, 2, 1, 1);
  sc.world.segments[0].sales_cycle_months = 3;
  Harness h(sc);
  h.trial(1);
  for (int m = -3; m < 0; ++m) h.pipeline.create(m, h.streams, h.reps, h.ledger);
  EXPECT_GT(h.pipeline.closing(0).size() + h.pipeline.closing(1).size() + h.pipeline.closing(2).size(), 0u);
  EXPECT_EQ(h.ledger.series(0, kOpportunitiesFlow), 0);  // history is not credited
  EXPECT_EQ(h.ledger.raw(h.reps.sdrs[0], 0, kOpportunities), 0);
}

TEST(Pipeline, CapacityIsKOverTheOpenPipeline) {
  Scenario sc = complab::testing::one_segment_world(40, 1, 1, 1);
  sc.world.opportunities_per_sdr = 30.0;
  sc.world.segments[0].sales_cycle_months = 6;
  sc.world.segments[0].ae_capacity = 20.0;
  Harness h(sc);
  h.trial(2);
  for (int m = -6; m < 0; ++m) h.pipeline.create(m, h.streams, h.reps, h.ledger);
  std::size_t open = 0;
  for (int t = 0; t < 6; ++t) open += h.pipeline.closing(t).size();
  ASSERT_GT(open, 20u);
  h.pipeline.update_capacity(h.reps);
  const auto ae = static_cast<std::size_t>(h.reps.segment_aes[0][0]);
  const double rate = h.pipeline.deal_rate(0, ae, h.reps);
  const double full = process::deal_rate(sc.world, sc.world.segments[0], h.reps.skill[ae], h.reps.overpromise[ae], 1.0, 1.0);
  EXPECT_NEAR(rate, full * 20.0 / static_cast<double>(open), 1e-12);
}

TEST(Pipeline, DealsAreWonAtTheAesChance) {
  Scenario sc = complab::testing::one_segment_world(40, 2, 1, 1);
  sc.world.skill_log_sd = 0.0;
  sc.world.opportunities_per_sdr = 20.0;
  sc.world.segments[0].sales_cycle_months = 0;
  sc.world.segments[0].ae_capacity = 1e6;
  Harness h(sc);
  std::vector<Opportunity> won;
  double decided = 0;
  for (int k = 0; k < 200; ++k) {
    h.trial(static_cast<std::uint32_t>(k));
    h.pipeline.create(0, h.streams, h.reps, h.ledger);
    decided += static_cast<double>(h.pipeline.closing(0).size());
    h.pipeline.decide(0, h.reps, h.ledger, won);
  }
  const double p = sc.world.segments[0].win_rate * (1 + sc.world.overpromise_win_uplift * sc.world.effort.ae_overpromise);
  const double se = std::sqrt(p * (1 - p) / decided);
  EXPECT_NEAR(static_cast<double>(won.size()) / decided, p, 4 * se);
}
