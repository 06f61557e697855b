// The KPI ledger: each trial writes only its own slice, and its entries land where the
// output's layout says.
#include <gtest/gtest.h>

#include "complab/kpi_ledger.hpp"
#include "world_test_util.hpp"

using namespace complab;

TEST(KpiLedger, EachTrialWritesItsOwnSlice) {
  const Scenario sc = complab::testing::one_segment_world();
  RunOptions opt;
  opt.trials = 3;
  SimulationOutput out;
  allocate_output(sc, opt, out);
  KpiLedger ledger(out);
  ledger.start_trial(1);
  ledger.series(5, kNewArrFlow) += 7;
  ledger.raw(2, 1, kNewArr) += 9;
  ledger.first_renewal_churn(2, 0, 300);
  ledger.cohort_member(1, 0, 100, 40, false);
  ledger.cohort_member(1, 0, 50, 0, true);
  EXPECT_EQ(out.monthly[(1 * static_cast<std::size_t>(out.months) + 5) * kNumSeries + kNewArrFlow], 7);
  EXPECT_EQ(out.rep_raw[((1 * static_cast<std::size_t>(out.reps) + 2) * static_cast<std::size_t>(out.periods) + 1) * kNumRawSlots + kNewArr], 9);
  const std::int64_t* c = &out.cohorts[((1 * static_cast<std::size_t>(out.years) + 1) * 1 + 0) * kNumCohortFields];
  EXPECT_EQ(c[kCohortStartArr], 150);
  EXPECT_EQ(c[kCohortEndArr], 40);
  EXPECT_EQ(c[kCohortKeptArr], 40);
  EXPECT_EQ(c[kCohortStartLogos], 2);
  EXPECT_EQ(c[kCohortChurnedLogos], 1);
  std::int64_t others = 0;  // trials 0 and 2 untouched
  for (std::size_t t : {0u, 2u}) {
    for (std::size_t k = 0; k < static_cast<std::size_t>(out.months) * kNumSeries; ++k) {
      others += out.monthly[t * static_cast<std::size_t>(out.months) * kNumSeries + k];
    }
  }
  EXPECT_EQ(others, 0);
  ledger.start_trial(1);  // a trial starts from zero
  EXPECT_EQ(ledger.series(5, kNewArrFlow), 0);
  EXPECT_FALSE(ledger.records_effort());  // fixed mode keeps no effort
  ledger.effort(0, 0, 0.5, 0.1, 1.2);     // a no-op there
}
