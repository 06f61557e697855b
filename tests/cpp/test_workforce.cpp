// The workforce: stable stream identities by role, segment and ordinal, skills that do not
// move when another segment's headcount does, and CSM effort at a nominal book.
#include <gtest/gtest.h>

#include <cmath>

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
