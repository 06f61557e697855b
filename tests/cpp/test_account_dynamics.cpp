// The accounts' month: renewals churn or renew as their chance says, churned accounts leave
// their CSM's book, and a hand-off closing past the horizon stays pending.
#include <gtest/gtest.h>

#include <algorithm>

#include "complab/account_dynamics.hpp"
#include "world_test_util.hpp"

using namespace complab;

namespace {
struct Month {
  Scenario sc;
  RepRoster roster;
  SimulationOutput out;
  KpiLedger ledger{out};
  TrialStreams streams{seed_key(2)};
  Workforce reps;
  AccountStore accounts;
  process::ChurnModel churn;
  AccountDynamics dynamics;
  explicit Month(Scenario s)
      : sc(std::move(s)), roster(make_roster(sc)), reps(sc, roster), accounts(1, false), churn(sc.world),
        dynamics(sc, accounts, reps, streams, churn, ledger) {
    RunOptions opt;
    opt.trials = 1;
    allocate_output(sc, opt, out);
    ledger.start_trial(0);
    reps.start_trial(streams, ledger);
  }
  void add_due(int n) {  // n accounts renewing in month 0, on CSM 0's book
    const int csm = reps.segment_csms[0][0];
    for (int i = 0; i < n; ++i) {
      accounts.add(0, csm, -1, -1, static_cast<std::uint32_t>(i), 1000, 0.5, 0.4, 0, 1, -1);
      ++reps.load[static_cast<std::size_t>(csm)];
    }
    reps.csm_efforts();
  }
};
}  // namespace

TEST(AccountDynamics, CertainChurnEmptiesTheBook) {
  Scenario sc = complab::testing::one_segment_world(0, 1, 1, 0);
  sc.world.segments[0].csm_coverage = 10;
  sc.world.segments[0].renewal_hazard = {1.0};
  sc.world.segments[0].csql_rate = 0.0;
  Month m(sc);
  m.add_due(25);
  m.dynamics.month(0, 0);
  EXPECT_EQ(m.ledger.series(0, kRenewalsDue), 25);
  EXPECT_EQ(m.ledger.series(0, kChurnedLogos), 25);
  EXPECT_EQ(m.ledger.series(0, kChurnedArr), 25 * 1000);
  EXPECT_EQ(m.accounts.live[0].size(), 0u);
  EXPECT_EQ(m.reps.load[static_cast<std::size_t>(m.reps.segment_csms[0][0])], 0);
  EXPECT_EQ(m.accounts.total_arr, 0);
}

TEST(AccountDynamics, NoChurnRenewsAndDecaysTheGap) {
  Scenario sc = complab::testing::one_segment_world(0, 1, 1, 0);
  sc.world.segments[0].csm_coverage = 10;
  sc.world.segments[0].renewal_hazard = {0.0};
  sc.world.segments[0].csql_rate = 0.0;
  Month m(sc);
  m.add_due(10);
  m.dynamics.month(0, 0);
  EXPECT_EQ(m.ledger.series(0, kChurnedLogos), 0);
  const LiveAccounts& live = m.accounts.live[0];
  ASSERT_EQ(live.size(), 10u);
  for (std::size_t k = 0; k < live.size(); ++k) {
    EXPECT_EQ(m.accounts.renewal_index[live.account[k]], 1);
    EXPECT_DOUBLE_EQ(live.gap[k], 0.4 * sc.world.gap_decay);
    EXPECT_EQ(live.renewal_month[k], 12);
  }
}

TEST(AccountDynamics, AHandOffClosingPastTheHorizonStaysPending) {
  Scenario sc = complab::testing::one_segment_world(0, 1, 1, 0);
  sc.world.segments[0].csm_coverage = 10;
  sc.world.months = 12;
  sc.world.segments[0].renewal_hazard = {0.0};
  sc.world.segments[0].csql_rate = 1.0;  // every account raises a CSQL when it may
  sc.world.handoff_acceptance = 1.0;
  sc.world.expansion_cycle_months = 6;
  Month m(sc);
  m.add_due(5);
  for (auto& ae : m.accounts.ae) ae = m.reps.segment_aes[0][0];
  m.dynamics.month(10, 0);  // raised in month 10, closing in month 16, past the 12-month horizon
  const std::int64_t raised = m.ledger.series(10, kCsqlRaised);
  EXPECT_GT(raised, 0);
  for (std::size_t k = 0; k < m.accounts.live[0].size(); ++k) {
    if (m.accounts.live[0].exp_close[k] >= 0) {
      EXPECT_EQ(m.accounts.live[0].exp_close[k], 16);
    }
  }
  std::vector<int> before = m.accounts.live[0].exp_close;
  const auto pending = static_cast<std::int64_t>(std::count(before.begin(), before.end(), 16));
  ASSERT_GT(pending, 0);
  m.dynamics.month(11, 0);  // a pending account raises no new CSQL and keeps its hand-off
  for (std::size_t k = 0; k < before.size(); ++k) {
    if (before[k] == 16) {
      EXPECT_EQ(m.accounts.live[0].exp_close[k], 16);
    }
  }
  EXPECT_LE(m.ledger.series(11, kCsqlRaised), static_cast<std::int64_t>(before.size()) - pending);
}
