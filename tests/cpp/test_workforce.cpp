// The workforce: stable stream identities by role, segment and ordinal, skills that do not
// move when another segment's headcount does, and CSM effort at a nominal book.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <utility>

#include "complab/identity.hpp"
#include "complab/steady_state.hpp"
#include "complab/workforce.hpp"
#include "world_test_util.hpp"

using namespace complab;

namespace {
Scenario two_segments(int smb_aes) {
  Scenario sc = complab::testing::one_segment_world(40, smb_aes, 2, 1);
  SegmentConfig ent = sc.world.segments[0];
  ent.name = "ent";
  ent.ae_headcount = 3;
  sc.world.segments.push_back(ent);
  sc.ae_plan = {-1, -1};
  sc.csm_plan = {-1, -1};
  return sc;
}
}  // namespace

TEST(Workforce, IdentitiesComeFromRoleSegmentAndOrdinal) {
  const Scenario sc = two_segments(2);
  const RepRoster roster = make_roster(sc);
  Workforce reps(sc, roster);
  ASSERT_EQ(reps.segment_aes[1].size(), 3u);
  const int ent_second_ae = reps.segment_aes[1][1];
  EXPECT_EQ(reps.ordinal[static_cast<std::size_t>(ent_second_ae)], 1);
  EXPECT_EQ(reps.stream_id[static_cast<std::size_t>(ent_second_ae)], identity::rep_id(Role::AE, 1, 1));
  EXPECT_EQ(reps.stream_id[static_cast<std::size_t>(reps.sdrs[0])], identity::rep_id(Role::SDR, -1, 0));
}

TEST(Workforce, AnotherSmbAeLeavesEnterpriseSkillsAlone) {
  SimulationOutput out_a, out_b;
  const Scenario a = two_segments(2), b = two_segments(5);
  const RepRoster ra = make_roster(a), rb = make_roster(b);
  RunOptions opt;
  opt.trials = 1;
  allocate_output(a, opt, out_a);
  allocate_output(b, opt, out_b);
  KpiLedger la(out_a), lb(out_b);
  la.start_trial(0), lb.start_trial(0);
  TrialStreams streams(seed_key(3));
  streams.set_trial(0);
  Workforce wa(a, ra), wb(b, rb);
  wa.start_trial(streams, la);
  wb.start_trial(streams, lb);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(wa.skill[static_cast<std::size_t>(wa.segment_aes[1][k])], wb.skill[static_cast<std::size_t>(wb.segment_aes[1][k])]);
  }
  EXPECT_EQ(wa.skill[static_cast<std::size_t>(wa.segment_csms[1][0])], wb.skill[static_cast<std::size_t>(wb.segment_csms[1][0])]);
}

TEST(Workforce, ANominalBookGetsTheCsmsSkillAsAttention) {
  Scenario sc = complab::testing::one_segment_world(40, 1, 2, 0);
  sc.world.skill_log_sd = 0.0;  // skill 1
  const RepRoster roster = make_roster(sc);
  Workforce reps(sc, roster);
  const auto csm = static_cast<std::size_t>(reps.segment_csms[0][0]);
  EXPECT_DOUBLE_EQ(reps.csm_attention(csm, 20), 1.0);  // coverage 20, book 20
  EXPECT_DOUBLE_EQ(reps.csm_attention(csm, 10), csm_attention(2.0, sc.world.csm_max_effort));
  reps.share[csm] = sc.world.effort.csm_adoption_ref;
  reps.csm_effort(csm, 20);
  EXPECT_DOUBLE_EQ(reps.health_shift[csm + 1], 0.0);  // ln 1, no push at the reference
  EXPECT_DOUBLE_EQ(reps.expansion_effort[csm + 1], 1.0);
}

namespace {
/// One trial's workforce with its own ledger, stepped month by month.
struct SteppedWorkforce {
  Scenario sc;
  RepRoster roster;
  SimulationOutput out;
  std::optional<KpiLedger> ledger;
  std::optional<Workforce> reps;
  TrialStreams streams{seed_key(9)};
  explicit SteppedWorkforce(Scenario s) : sc(std::move(s)), roster(make_roster(sc)) {
    RunOptions opt;
    opt.trials = 1;
    allocate_output(sc, opt, out);
    ledger.emplace(out);
    ledger->start_trial(0);
    streams.set_trial(0);
    reps.emplace(sc, roster);
    reps->start_trial(streams, *ledger);
  }
  void month(int t) {
    reps->begin_month(t, streams, *ledger);
    reps->end_month(t, streams, *ledger);
  }
};
}  // namespace

TEST(Workforce, RampBandsAndStaffingCurves) {
  RoleStaffing st;
  st.ramp = {0.25, 0.5, 1.0};
  st.attrition_from = {0, 12};
  st.attrition_hazard = {0.03, 0.01};
  EXPECT_DOUBLE_EQ(st.productivity(0), 0.25);
  EXPECT_DOUBLE_EQ(st.productivity(2), 1.0);
  EXPECT_DOUBLE_EQ(st.productivity(40), 1.0);
  EXPECT_DOUBLE_EQ(st.quota_share(1), 0.5);  // the ramp when no quota ramp is given
  EXPECT_DOUBLE_EQ(st.hazard(11), 0.03);
  EXPECT_DOUBLE_EQ(st.hazard(12), 0.01);
  EXPECT_TRUE(st.leaves());
}

TEST(Workforce, AHiringPlanFillsItsSeatsWhenWanted) {
  Scenario sc = complab::testing::one_segment_world(40, 2, 2, 0);
  sc.world.workforce.hiring = {{Role::AE, 0, 5, 4}, {Role::AE, 0, 9, 3}};
  SteppedWorkforce w(sc);
  ASSERT_EQ(w.reps->segment_aes[0].size(), 4u);  // the most the plan wants
  const auto third = static_cast<std::size_t>(w.reps->segment_aes[0][2]);
  const auto fourth = static_cast<std::size_t>(w.reps->segment_aes[0][3]);
  for (int t = 0; t < 12; ++t) {
    w.month(t);
    EXPECT_EQ(w.reps->held(third), t >= 5) << t;
    EXPECT_EQ(w.reps->held(fourth), t >= 5) << t;  // a lower target later does not lay off
  }
  EXPECT_EQ(w.reps->tenure[third], 7);
  EXPECT_EQ(w.ledger->headcount(5, 0)[kHcHired], 2);
  EXPECT_EQ(w.ledger->headcount(4, 0)[kHcVacant], 0);  // not opened yet: not an open requisition
}

TEST(Workforce, ALeaverIsBackfilledAfterTheLag) {
  Scenario sc = complab::testing::one_segment_world(40, 1, 1, 0);
  RoleStaffing& ae = sc.world.workforce.roles[static_cast<std::size_t>(Role::AE)];
  ae.attrition_from = {0};
  ae.attrition_hazard = {1.0};  // leaves at the end of every month held
  ae.backfill_lag = 2;
  ae.ramp = {0.5, 1.0};
  SteppedWorkforce w(sc);
  const auto a = static_cast<std::size_t>(w.reps->segment_aes[0][0]);
  // Held in 0, vacant 1-2, held (tenure 0) in 3, vacant 4-5, ... The starting rep's
  // tenure is 0 too: nobody stays a month at this hazard.
  for (int t = 0; t < 12; ++t) {
    w.reps->begin_month(t, w.streams, *w.ledger);
    const bool held = t % 3 == 0;
    EXPECT_EQ(w.reps->held(a), held) << t;
    EXPECT_DOUBLE_EQ(w.reps->productivity(a), held ? 0.5 : 0.0) << t;
    w.reps->end_month(t, w.streams, *w.ledger);
    EXPECT_EQ(w.reps->left().size(), held ? 1u : 0u) << t;
  }
  // The period's terms: held 4 of 12 months, each at half quota.
  EXPECT_NEAR(w.ledger->terms(static_cast<int>(a), 0)[kTermOteScale], 4.0 / 12.0, 1e-12);
  EXPECT_NEAR(w.ledger->terms(static_cast<int>(a), 0)[kTermQuotaScale], 4.0 * 0.5 / 12.0, 1e-12);
}

TEST(Workforce, StartingTenuresFollowTheSurvivalCurve) {
  // Constant hazard h: the stationary tenure is geometric with mean (1 - h) / h.
  Scenario sc = complab::testing::one_segment_world(40, 400, 1, 0);
  RoleStaffing& ae = sc.world.workforce.roles[static_cast<std::size_t>(Role::AE)];
  ae.attrition_from = {0};
  ae.attrition_hazard = {0.05};
  SteppedWorkforce w(sc);
  double sum = 0.0, sum2 = 0.0;
  for (int a : w.reps->segment_aes[0]) {
    const double tau = w.reps->tenure[static_cast<std::size_t>(a)];
    sum += tau;
    sum2 += tau * tau;
  }
  const double n = 400.0, mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
  EXPECT_NEAR(mean, 0.95 / 0.05, 4 * sd / std::sqrt(n));
}
