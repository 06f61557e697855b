// The responsive policy: a flat salary buys nominal effort, variable pay buys more, and a
// rep's split and level stay within their bounds.
#include <gtest/gtest.h>

#include "complab/engine.hpp"
#include "world_test_util.hpp"

using namespace complab;

namespace {
Scenario paid_world(double base_share) {
  Scenario sc = complab::testing::one_segment_world(60, 2, 2, 1);
  sc.world.months = 12;
  sc.world.opportunities_per_sdr = 10.0;
  sc.world.behaviour.incentive_sensitivity = 2.0;
  sc.world.behaviour.effort_cost_ae = 500.0;
  Plan ae;
  ae.name = "ae";
  ae.role = Role::AE;
  ae.ote = 200000;
  ae.base_share = base_share;
  ae.measures = {Measure{"new_arr", Metric::NewArr, 1.0, 100000, false, PayoutCurve{{0.0, 4.0}, {0.0, 4.0}},
                         std::nullopt}};
  sc.plans = {ae};
  sc.ae_plan = {0};
  return sc;
}

std::vector<float> levels(const Scenario& sc) {
  RunOptions opt;
  opt.trials = 4;
  opt.threads = 1;
  SimulationOutput out;
  allocate_output(sc, opt, out);
  RunControl control;
  run_simulation(sc, opt, out, control);
  std::vector<float> l;
  for (std::size_t i = kEffortLevel; i < out.effort.size(); i += kNumEffortFields) l.push_back(out.effort[i]);
  return l;
}
}  // namespace

TEST(ResponsiveEffort, AFlatSalaryBuysNominalEffortAndCommissionMore) {
  for (float l : levels(paid_world(1.0))) EXPECT_EQ(l, 1.0f);
  const auto paid = levels(paid_world(0.5));
  float highest = 0;
  for (float l : paid) {
    EXPECT_GE(l, 1.0f);
    EXPECT_LE(l, 1.5f);  // max_effort_level
    highest = std::max(highest, l);
  }
  EXPECT_GT(highest, 1.0f);
}
