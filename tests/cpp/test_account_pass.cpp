// The monthly account pass (account_pass.hpp): a hand-worked month, and each vector path
// against the portable one bit for bit on random states that reach every branch.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "complab/account_pass.hpp"
#include "complab/random_batch.hpp"

using complab::PassAccounts;
using complab::PassConstants;
using complab::PassEvent;
using complab::PassReps;
using complab::PassSums;
using complab::detail::SimdPath;

namespace {

struct State {
  std::vector<int> csm, renewal_month, exp_close;
  std::vector<double> gap, health, z_health, z_usage;
  std::vector<std::int64_t> arr_usage;
  std::vector<std::uint32_t> csql_bits;
  PassAccounts view() {
    return {csm.data(),    renewal_month.data(), exp_close.data(), gap.data(),      health.data(),
            arr_usage.data(), z_health.data(),   z_usage.data(),   csql_bits.data()};
  }
};

// A uniform draw u as the CSQL yes/no word whose to_unit32 is u (for u a multiple of 2^-32).
std::uint32_t word_of(double u) { return static_cast<std::uint32_t>(u * 0x1.0p32); }

// Every path this CPU has, the portable one first: each is checked, not only the one the
// engine takes.
std::vector<SimdPath> paths() {
  std::vector<SimdPath> p;
  for (const SimdPath path : {SimdPath::none, SimdPath::avx2, SimdPath::avx512}) {
    if (complab::detail::simd_path_supported(path)) p.push_back(path);
  }
  return p;
}

void record_path() {
  std::string names;
  for (const SimdPath path : paths()) names += std::string(names.empty() ? "" : ",") + complab::detail::simd_path_name(path);
  ::testing::Test::RecordProperty("batched_paths", names);
  ::testing::Test::RecordProperty("batched_path", complab::detail::simd_path_name(complab::detail::simd_path()));
}

}  // namespace

TEST(AccountPass, HandWorkedMonth) {
  record_path();
  // Account 0: target clip(0.6 + 0.1 - 0.5 * 0.2) = 0.6; health 0.4 + 0.25 (0.6 - 0.4) +
  // 0.1 * 0.5 = 0.5; usage factor 1 + 0.1 (0.5 - 0.5) + 0.02 * 1 = 1.02, so 10,000 cents
  // become 10,200; a renewal is due; the CSQL probability is 0.5 * 0.8 * 0.5 = 0.2 and
  // u = 0.125 raises one.
  // Account 1, no CSM: target 0.6 + 0.05 ln(1e-3) - 0.5 * 1 = -0.245 clips to 0; health
  // 0.05 + 0.25 (0 - 0.05) - 0.1 * 2 < 0 clips to 0; factor 1 + 0.1 (0 - 0.5) - 0.02 * 60
  // = -0.25 counts as 0, losing all 5,000 cents; a hand-off closes this month.
  // Account 2: health 0.99 + 0.25 (0.6 - 0.99) + 0.1 * 3 > 1 clips to 1; the factor
  // 1 + 0.1 * 0.5 = 1.05 takes 333 cents to 349.65 + 0.5, so 350; a hand-off pending
  // (closing month 9) allows no CSQL even at u = 0; no event.
  // Account 3: as account 0 with no usage ARR, no renewal and u = 0.5 > 0.2: no event.
  State s{{0, -1, 1, 0},
          {7, 8, 9, 9},
          {-1, 7, 9, -1},
          {0.2, 1.0, 0.2, 0.2},
          {0.4, 0.05, 0.99, 0.4},
          {0.5, -2.0, 3.0, 0.5},
          {1.0, -60.0, 0.0, 1.0},
          {10'000, 5'000, 333, 0},
          {word_of(0.125), word_of(0.0), word_of(0.0), word_of(0.5)}};
  PassConstants c;
  c.month = 7;
  c.health_base = 0.6, c.health_reversion = 0.25, c.health_noise = 0.1, c.gap_effect = 0.5;
  c.usage_drift = 0.1, c.usage_noise = 0.02;
  c.csql_rate = 0.5, c.csql_health_exponent = 1.0;
  // By CSM + 1: entry 0 for accounts without one.
  const std::vector<double> shift{0.05 * std::log(1e-3), 0.1, 0.1}, effort{0.0, 0.8, 0.8};
  // The engine's entry point, then each path (none: the portable code).
  std::vector<int> runs{-1};
  for (const SimdPath path : paths()) runs.push_back(static_cast<int>(path));
  for (const int run : runs) {
    State t = s;
    std::vector<PassEvent> events(4);
    const PassReps r{shift.data(), effort.data()};
    const PassSums sums = run < 0 ? complab::account_pass(c, t.view(), r, 4, events.data())
                                  : complab::detail::account_pass_on(static_cast<SimdPath>(run), c, t.view(), r, 4, events.data());
    EXPECT_NEAR(t.health[0], 0.5, 1e-15);
    EXPECT_EQ(t.health[1], 0.0);
    EXPECT_EQ(t.health[2], 1.0);
    EXPECT_NEAR(t.health[3], 0.5, 1e-15);
    EXPECT_EQ(t.arr_usage, (std::vector<std::int64_t>{10'200, 0, 350, 0}));
    EXPECT_EQ(sums.health_micros, 500'000 + 0 + 1'000'000 + 500'000);
    EXPECT_EQ(sums.usage_up, 200 + 17);
    EXPECT_EQ(sums.usage_down, 5'000);
    ASSERT_EQ(sums.events, 2u);
    EXPECT_EQ(sums.due, 1u);
    EXPECT_EQ(events[0].position, 0u);
    EXPECT_TRUE(events[0].csql);
    EXPECT_TRUE(events[0].due);
    EXPECT_EQ(events[1].position, 1u);
    EXPECT_FALSE(events[1].csql);  // no CSM: no CSQL even at u = 0
    EXPECT_FALSE(events[1].due);
  }
}

TEST(AccountPass, VectorPathEqualsPortableBitForBit) {
  // Random states with clipping at both ends, negative usage factors, zero and huge ARR
  // (from 2^52 cents, or near 2^51 with a factor over 2, the vector path hands a group to
  // the scalar code), accounts without CSMs, pending and closing hand-offs, gamma 1 and
  // 1.5, and no CSQLs (no words, as the engine calls it); lengths around the vector widths
  // (4 and 8); every path this CPU has.
  record_path();
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  const std::vector<double> shift{-0.4, -0.3, 0.0, 0.2, 0.45}, effort{0.0, 0.0, 0.5, 1.0, 2.5};  // by CSM + 1
  for (const double gamma : {1.0, 1.5, 0.0}) {  // 0.0: no CSQLs
    for (const std::size_t n : {0, 1, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 23, 1000, 1003}) {
      State s;
      for (std::size_t k = 0; k < n; ++k) {
        s.csm.push_back(static_cast<int>(gen() % 5) - 1);
        s.renewal_month.push_back(5 + static_cast<int>(gen() % 4));
        s.exp_close.push_back(gen() % 3 == 0 ? -1 : 5 + static_cast<int>(gen() % 4));
        s.gap.push_back(unit(gen) * 0.6);
        s.health.push_back(unit(gen));
        s.z_health.push_back(3.0 * normal(gen));
        s.z_usage.push_back(20.0 * normal(gen));
        const auto pick = gen() % 20;
        s.arr_usage.push_back(pick == 0   ? 0
                              : pick == 1 ? (std::int64_t{1} << 53) + static_cast<std::int64_t>(gen() % 1000)
                              : pick == 2 ? (std::int64_t{1} << 51) + static_cast<std::int64_t>(gen() % 1000)
                                          : static_cast<std::int64_t>(gen() % 2'000'000'000));
        s.csql_bits.push_back(static_cast<std::uint32_t>(gen()));
      }
      PassConstants c;
      c.month = 6;
      c.health_base = 0.6, c.health_reversion = 0.3, c.health_noise = 0.2, c.gap_effect = 0.8;
      c.usage_drift = 0.3, c.usage_noise = 0.05;
      const bool csqls = gamma > 0;
      c.csql_rate = csqls ? 0.4 : 0.0, c.csql_health_exponent = csqls ? gamma : 1.0;
      State p = s;
      PassAccounts view_p = p.view();
      if (!csqls) view_p.csql_bits = nullptr;
      std::vector<PassEvent> ep(n);
      const PassSums sp = complab::detail::account_pass_portable(c, view_p, PassReps{shift.data(), effort.data()}, n, ep.data());
      std::vector<int> runs{-1};  // the engine's entry point, then each vector path
      for (const SimdPath path : paths()) {
        if (path != SimdPath::none) runs.push_back(static_cast<int>(path));
      }
      for (const int run : runs) {
        const std::string name = run < 0 ? "account_pass" : complab::detail::simd_path_name(static_cast<SimdPath>(run));
        State v = s;
        PassAccounts view_v = v.view();
        if (!csqls) view_v.csql_bits = nullptr;
        // A sentinel past the end: a vector path writes no event beyond n.
        std::vector<PassEvent> ev(n + 1, PassEvent{7, true, true});
        const PassSums sv = run < 0 ? complab::account_pass(c, view_v, PassReps{shift.data(), effort.data()}, n, ev.data())
                                    : complab::detail::account_pass_on(static_cast<SimdPath>(run), c, view_v,
                                                                       PassReps{shift.data(), effort.data()}, n, ev.data());
        for (std::size_t k = 0; k < n; ++k) {
          EXPECT_EQ(std::bit_cast<std::uint64_t>(v.health[k]), std::bit_cast<std::uint64_t>(p.health[k])) << name << " " << k;
          EXPECT_EQ(v.arr_usage[k], p.arr_usage[k]) << name << " " << k;
        }
        EXPECT_EQ(sv.health_micros, sp.health_micros) << name;
        EXPECT_EQ(sv.usage_up, sp.usage_up) << name;
        EXPECT_EQ(sv.usage_down, sp.usage_down) << name;
        EXPECT_EQ(sv.due, sp.due) << name;
        EXPECT_EQ(sv.over_limit, sp.over_limit) << name;
        ASSERT_EQ(sv.events, sp.events) << name << " n " << n << " gamma " << gamma;
        for (std::size_t e = 0; e < sv.events; ++e) {
          EXPECT_EQ(ev[e].position, ep[e].position) << name;
          EXPECT_EQ(ev[e].csql, ep[e].csql) << name;
          EXPECT_EQ(ev[e].due, ep[e].due) << name;
        }
        EXPECT_EQ(ev[n].position, 7u) << name << " n " << n;
      }
      if (n == 1000) {
        // The states reach the cases named above.
        std::size_t raised = 0, clipped_low = 0, clipped_high = 0, emptied = 0, held = 0;
        for (std::size_t e = 0; e < sp.events; ++e) raised += ep[e].csql;
        for (std::size_t k = 0; k < n; ++k) {
          clipped_low += p.health[k] == 0.0, clipped_high += p.health[k] == 1.0;
          emptied += s.arr_usage[k] > 0 && p.arr_usage[k] == 0;
          // Near 2^51 with a factor over 2: the ARR limit holds it where it was.
          held += s.arr_usage[k] > (std::int64_t{1} << 51) && s.arr_usage[k] < (std::int64_t{1} << 52) &&
                  p.arr_usage[k] == s.arr_usage[k];
        }
        if (csqls) {
          EXPECT_GT(raised, 10u);
        }
        EXPECT_GT(clipped_low, 10u);
        EXPECT_GT(clipped_high, 10u);
        EXPECT_GT(emptied, 10u);
        EXPECT_GT(held, 0u);
        EXPECT_TRUE(sp.over_limit);
      }
    }
  }
}
