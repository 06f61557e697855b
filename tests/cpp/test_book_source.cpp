// The steady-state book: renewal indices in the mix its hazards give, books dealt to CSMs
// in turn, and one segment's book independent of another's size.
#include <gtest/gtest.h>

#include <cmath>

#include "complab/book_source.hpp"
#include "complab/steady_state.hpp"
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
