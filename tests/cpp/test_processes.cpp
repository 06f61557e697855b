// The chance processes: each one's slope against a finite difference of its probability,
// so behaviour values exactly what the simulation draws.
#include <gtest/gtest.h>

#include <cmath>

#include "complab/processes.hpp"
#include "complab/steady_state.hpp"
#include "world_test_util.hpp"

using namespace complab;

TEST(Processes, DealWinSlopeIsItsRateUntilCapped) {
  const Scenario sc = complab::testing::one_segment_world();
  const auto& seg = sc.world.segments[0];
  const double rate = process::deal_rate(sc.world, seg, 1.2, 0.1, 1.1, 0.9);
  EXPECT_DOUBLE_EQ(rate, seg.win_rate * 1.2 * (1 + sc.world.overpromise_win_uplift * 0.1) * 1.1 * 0.9);
  const double x = 1.0, h = 1e-6;
  const double fd = (process::cap_at_one(rate * (x + h)).p - process::cap_at_one(rate * (x - h)).p) / (2 * h);
  EXPECT_NEAR(fd, rate * process::cap_at_one(rate * x).slope, 1e-8);
  EXPECT_EQ(process::cap_at_one(1.5).p, 1.0);
  EXPECT_EQ(process::cap_at_one(1.5).slope, 0.0);
}

TEST(Processes, CsmHealthShiftSlopesMatchFiniteDifferences) {
  const Scenario sc = complab::testing::one_segment_world();
  const WorldConfig& w = sc.world;
  const double attention = 1.3, h = 1e-6;
  for (double a : {0.5, 0.7, 0.95}) {  // pushing expansion past the reference 0.2, and not
    const double fd = (process::csm_effort(w, a + h, attention).health_shift -
                       process::csm_effort(w, a - h, attention).health_shift) / (2 * h);
    // d/da of theta_a ln(a/a_ref z) - theta_p max(0, (1-a)/(1-a_ref) - 1): the adoption
    // slope plus, past the reference emphasis, minus the push slope (expansion = 1 - a).
    const double slope = process::csm_adoption_slope(w, a) - process::csm_push_slope(w, a);
    EXPECT_NEAR(fd, slope, 1e-6) << a;
  }
  const auto e = process::csm_effort(w, 0.8, attention);
  EXPECT_DOUBLE_EQ(e.expansion_effort, attention);  // reference emphasis
}

TEST(Processes, CsqlChanceIsRateTimesEffort) {
  Scenario sc = complab::testing::one_segment_world();
  sc.world.csql_health_exponent = 2.0;
  const auto& seg = sc.world.segments[0];
  EXPECT_DOUBLE_EQ(process::csql_chance(sc.world, seg, 1.5, 0.6), seg.csql_rate * 1.5 * 0.36);
  EXPECT_NEAR(process::csql_rate(sc.world, seg, 0.6) * 1.5, process::csql_chance(sc.world, seg, 1.5, 0.6), 1e-15);
}

TEST(Processes, ChurnIsTheHazardOverItsNormaliserAtTheModifier) {
  const Scenario sc = complab::testing::one_segment_world();
  const process::ChurnModel churn(sc.world);
  const auto& w = sc.world;
  const double z0 = churn_normaliser(w, w.segments[0], 1)[0];
  const double expected = w.segments[0].renewal_hazard[0] / z0 * std::exp(w.churn_health_effect * (0.5 - 0.7)) *
                          (1 + w.churn_gap_effect * 0.2);
  EXPECT_NEAR(churn.p(0, 0, 0.7, 0.2), expected, 1e-15);
  // Slopes: health -lambda_h p, gap the gap-free chance times lambda_g.
  const double h = 1e-7;
  EXPECT_NEAR((churn.p(0, 0, 0.7 + h, 0.2) - churn.p(0, 0, 0.7 - h, 0.2)) / (2 * h),
              -w.churn_health_effect * churn.p(0, 0, 0.7, 0.2), 1e-6);
  EXPECT_NEAR((churn.p(0, 0, 0.7, 0.2 + h) - churn.p(0, 0, 0.7, 0.2 - h)) / (2 * h),
              churn.unclipped(0, 0, 0.7, 0.0) * w.churn_gap_effect, 1e-6);
  EXPECT_EQ(churn.p(0, 50, 0.7, 0.0), churn.p(0, 60, 0.7, 0.0));  // past the table the last index applies
}

TEST(Processes, SharedNrrRaisesHandOffAcceptance) {
  Scenario sc = complab::testing::one_segment_world();
  EXPECT_DOUBLE_EQ(process::handoff_acceptance(sc, 0), sc.world.handoff_acceptance);
}
