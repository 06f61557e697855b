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
    make_book_source(sc)->build(streams, reps, accounts);  // the steady state unless sc.book is given
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

namespace {
/// A one-segment world with a given book of four accounts.
Scenario with_book() {
  Scenario sc = complab::testing::one_segment_world(4, 2, 2, 0);
  sc.book = {
      {0, 1'234'500, 0, 12, 1, 0, 0.8, 1},   // new last month: first renewal in a year
      {0, 99'900'000, 5, 1, 0, 1, -1.0, 1},  // old, renewing in month 0, health unknown
      {0, 50'000, 2, 7, -1, -1, 0.3, 1},     // no CSM, no AE
      {0, 700'000, 1, 3, 1, 1, -1.0, 1},
  };
  return sc;
}

}  // namespace

TEST(LoadedBook, EachAccountAsGiven) {
  Built b(with_book());
  ASSERT_EQ(b.accounts.size(), 4u);
  const auto& aes = b.reps.segment_aes[0];
  const auto& csms = b.reps.segment_csms[0];
  const std::vector<std::int64_t> arr{1'234'500, 99'900'000, 50'000, 700'000};
  const std::vector<int> index{0, 5, 2, 1}, due{11, 0, 6, 2};  // the month of the next renewal
  const std::vector<int> csm{csms[1], csms[0], -1, csms[1]}, ae{aes[0], aes[1], -1, aes[1]};
  for (std::uint32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(b.accounts.arr(i), arr[i]);
    EXPECT_EQ(b.accounts.renewal_index[i], index[i]);
    EXPECT_EQ(b.accounts.live[0].renewal_month[i], due[i]);
    EXPECT_EQ(b.accounts.csm[i], csm[i]);
    EXPECT_EQ(b.accounts.ae[i], ae[i]);
    EXPECT_EQ(b.accounts.entity[i], i);  // its ordinal in its segment
    EXPECT_EQ(b.accounts.opened[i], -1);
  }
  EXPECT_EQ(b.accounts.health[0], 0.8);
  EXPECT_EQ(b.accounts.health[2], 0.3);
  EXPECT_EQ(b.accounts.total_arr, 1'234'500 + 99'900'000 + 50'000 + 700'000);
  EXPECT_EQ(b.reps.load[static_cast<std::size_t>(csms[1])], 2);
  EXPECT_EQ(b.reps.load[static_cast<std::size_t>(csms[0])], 1);
}

TEST(LoadedBook, UnknownHealthIsDrawnFromTheAccountsOwnStream) {
  // The same account draws the same health whatever else is in the book; another trial
  // draws another.
  Built a(with_book()), c(with_book(), 1);
  Scenario fewer = with_book();
  fewer.book.erase(fewer.book.begin() + 2, fewer.book.end());
  fewer.world.segments[0].initial_accounts = 2;
  Built b(fewer);
  EXPECT_EQ(a.accounts.health[1], b.accounts.health[1]);
  EXPECT_NE(a.accounts.health[1], c.accounts.health[1]);
  EXPECT_GE(a.accounts.health[3], 0.0);
  EXPECT_LE(a.accounts.health[3], 1.0);
}

TEST(LoadedBook, BadBooksNameTheField) {
  Scenario sc = with_book();
  sc.book[2].csm_seat = 2;
  EXPECT_THROW(sc.validate(), std::invalid_argument);
  sc = with_book();
  sc.book[1].months_to_renewal = 0;
  try {
    sc.validate();
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("book[1].months_to_renewal", 0), 0u) << e.what();
  }
  sc = with_book();
  sc.world.segments[0].initial_accounts = 5;
  EXPECT_THROW(sc.validate(), std::invalid_argument);
}

TEST(LoadedBook, ARunFromABookIsTheSameForAnyThreadCount) {
  Scenario sc = with_book();
  RunOptions opt;
  opt.trials = 6;
  opt.seed = 3;
  SimulationOutput one, three;
  RunControl c1, c3;
  opt.threads = 1;
  run_simulation(sc, opt, one, c1);
  opt.threads = 3;
  opt.batch_size = 1;
  run_simulation(sc, opt, three, c3);
  EXPECT_EQ(one.monthly, three.monthly);
  EXPECT_EQ(one.cohorts, three.cohorts);
}
