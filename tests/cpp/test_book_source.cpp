// The steady-state book: renewal indices in the mix its hazards give, books dealt to CSMs
// in turn, and one segment's book independent of another's size.
#include <gtest/gtest.h>

#include <cmath>

#include "complab/book_source.hpp"
#include "complab/steady_state.hpp"
#include "plan_test_util.hpp"
#include "world_test_util.hpp"

using namespace complab;

namespace {
struct Built {
  Scenario sc;
  RepRoster roster;
  SimulationOutput out;
  KpiLedger ledger{out};
  Workforce reps;
  AccountStore accounts;
  explicit Built(Scenario s, std::uint32_t trial = 0)
      : sc(std::move(s)), roster(make_roster(sc)), reps(sc, roster),
        accounts(static_cast<int>(sc.world.segments.size()), false) {
    RunOptions opt;
    opt.trials = 1;
    allocate_output(sc, opt, out);
    ledger.start_trial(0);
    TrialStreams streams(seed_key(9));
    streams.set_trial(trial);
    reps.start_trial(streams, ledger);
    SteadyStateBook book(sc);
    book.build(streams, reps, accounts);
  }
};
}  // namespace

TEST(SteadyStateBook, RenewalIndicesFollowTheSurvivalMix) {
  Scenario sc = complab::testing::one_segment_world(20000, 1, 4, 0);
  sc.world.book_age_years = 5;
  Built b(sc);
  const auto cdf = renewal_index_cdf(sc.world, sc.world.segments[0]);
  std::vector<double> count(cdf.size(), 0.0);
  for (int r : b.accounts.renewal_index) count[static_cast<std::size_t>(r)] += 1;
  const double n = static_cast<double>(b.accounts.size());
  for (std::size_t r = 0; r < cdf.size(); ++r) {
    const double p = cdf[r] - (r == 0 ? 0.0 : cdf[r - 1]);
    EXPECT_NEAR(count[r] / n, p, 4 * std::sqrt(p * (1 - p) / n)) << r;
  }
  // Dealt in turn: 5,000 accounts to each of the four CSMs.
  for (int csm : b.reps.segment_csms[0]) EXPECT_EQ(b.reps.load[static_cast<std::size_t>(csm)], 5000);
}

TEST(SteadyStateBook, ASegmentsBookIgnoresAnotherSegmentsSize) {
  auto two = [](int first_accounts) {
    Scenario sc = complab::testing::one_segment_world(first_accounts, 1, 1, 0);
    SegmentConfig other = sc.world.segments[0];
    other.name = "ent";
    other.initial_accounts = 30;
    sc.world.segments.push_back(other);
    sc.ae_plan = {-1, -1};
    sc.csm_plan = {-1, -1};
    return sc;
  };
  Built a(two(40)), b(two(41));
  auto of_second = [](const AccountStore& s) {
    std::vector<std::int64_t> arr;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s.segment[i] == 1) arr.push_back(s.arr(static_cast<std::uint32_t>(i)));
    }
    return arr;
  };
  EXPECT_EQ(of_second(a.accounts), of_second(b.accounts));
}

TEST(SteadyStateBook, WithAHistoryTheBookIsTheOneThatHistoryLeft) {
  // Today: lower hazards and one more CSM; history: the base. The book at month 0 is the
  // base's, account for account (its ARR, renewal index and health); only who serves it
  // changes.
  const Scenario base = complab::testing::one_segment_world(300, 2, 2, 1);
  Scenario today = base;
  today.world.segments[0].renewal_hazard = {0.1, 0.05};
  today.world.segments[0].csm_headcount = 3;
  today.history = {base};
  Built own(base, 4), after(today, 4);
  ASSERT_EQ(own.accounts.size(), after.accounts.size());
  for (std::size_t i = 0; i < own.accounts.size(); ++i) {
    const auto k = static_cast<std::uint32_t>(i);
    EXPECT_EQ(own.accounts.arr(k), after.accounts.arr(k));
    EXPECT_EQ(own.accounts.renewal_index[i], after.accounts.renewal_index[i]);
    EXPECT_EQ(own.accounts.health[i], after.accounts.health[i]);
  }
  // Without the history, today's hazards would have rewritten the book.
  Scenario no_history = today;
  no_history.history.clear();
  Built own_today(no_history, 4);
  int differ = 0;
  for (std::size_t i = 0; i < own.accounts.size(); ++i) {
    differ += own.accounts.renewal_index[i] != own_today.accounts.renewal_index[i] ? 1 : 0;
  }
  EXPECT_GT(differ, 0);
}

TEST(SteadyStateBook, AHistoryMustHaveTheSameSegments) {
  Scenario today = complab::testing::one_segment_world();
  Scenario other = today;
  other.world.segments[0].name = "ent";
  today.history = {other};
  complab::testing::expect_invalid_argument([&] { today.validate(); }, "history: its segments and products");
}
