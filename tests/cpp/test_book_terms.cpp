// Responsive mode's per-account terms (book_terms.hpp) on every vector path against the
// portable code, bit for bit, over random accounts with every branch's edge cases.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "complab/book_terms.hpp"

using namespace complab;

namespace {

struct Columns {
  std::vector<double> churn_arr, churn_logos, usage, csql, csql_value, csql_wins, csql_win_value;
  explicit Columns(std::size_t n)
      : churn_arr(n + 1, -7.0), churn_logos(n + 1, -7.0), usage(n + 1, -7.0), csql(n + 1, -7.0),
        csql_value(n + 1, -7.0), csql_wins(n + 1, -7.0), csql_win_value(n + 1, -7.0) {}
  BookTermsOut out() {
    return {churn_arr.data(), churn_logos.data(), usage.data(), csql.data(), csql_value.data(), csql_wins.data(),
            csql_win_value.data()};
  }
  std::array<const std::vector<double>*, 7> all() const {
    return {&churn_arr, &churn_logos, &usage, &csql, &csql_value, &csql_wins, &csql_win_value};
  }
};

}  // namespace

TEST(BookTerms, EveryPathGivesThePortableBits) {
  std::mt19937_64 gen(17);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr int kReps = 6, kAccounts = 3000;
  // By account (a book larger than the list: the list holds some of them, in order).
  std::vector<std::int64_t> arr_fixed(kAccounts);
  std::vector<int> ae(kAccounts);
  for (int i = 0; i < kAccounts; ++i) {
    arr_fixed[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(gen() % 50'000'000);
    ae[static_cast<std::size_t>(i)] = i % 7 == 0 ? -1 : static_cast<int>(gen() % kReps);
  }
  std::array<double, 13> reach{};
  for (std::size_t d = 1; d < reach.size(); ++d) reach[d] = 0.1 * std::pow(0.9, static_cast<double>(d) - 1);
  std::vector<double> follow_up(kReps), ratio(kReps);
  for (int r = 0; r < kReps; ++r) {
    follow_up[static_cast<std::size_t>(r)] = 0.5 + r;  // some products past 1: capped
    ratio[static_cast<std::size_t>(r)] = r == 3 ? nan : 0.4 + 0.1 * r;
  }
  const int t = 5, last = 11;
  for (const std::size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 31, 41, 1000}) {
    std::vector<std::uint32_t> account(n);
    std::vector<int> csm(n), renewal(n), exp_close(n);
    std::vector<double> health(n), power(n), churn_p(n);
    std::vector<std::int64_t> arr_usage(n);
    std::uint32_t next = 0;
    for (std::size_t k = 0; k < n; ++k) {
      next += 1 + static_cast<std::uint32_t>(gen() % 2);
      account[k] = next;
      csm[k] = k % 5 == 0 ? -1 : static_cast<int>(gen() % kReps);
      renewal[k] = t + static_cast<int>(gen() % 14);  // past the table's 12 months too
      const int close = static_cast<int>(gen() % 4);
      exp_close[k] = close == 0 ? -1 : (close == 1 ? t : t + close);
      health[k] = unit(gen);
      power[k] = std::pow(health[k], 1.5);
      const int kind = static_cast<int>(gen() % 6);
      churn_p[k] = kind == 0 ? 0.0 : (kind == 1 ? 1.0 : (kind == 2 ? nan : unit(gen)));
      arr_usage[k] = static_cast<std::int64_t>(gen() % 30'000'000);
    }
    for (const bool window : {false, true}) {
      const BookTermsIn in{n, t, last, account.data(), csm.data(), renewal.data(), exp_close.data(), health.data(),
                           power.data(), arr_usage.data(), arr_fixed.data(), ae.data(), churn_p.data(), reach.data(),
                           follow_up.data(), ratio.data(), 2.5, 0.05, 0.3, 0.02, 0.2, 0.6, window};
      Columns portable(n);
      detail::book_terms_on(detail::SimdPath::none, in, portable.out());
      for (const auto path : {detail::SimdPath::avx2, detail::SimdPath::avx512}) {
        if (!detail::simd_path_supported(path)) continue;
        Columns vector(n);
        detail::book_terms_on(path, in, vector.out());
        for (std::size_t c = 0; c < 7; ++c) {
          const auto& want = *portable.all()[c];
          const auto& got = *vector.all()[c];
          for (std::size_t k = 0; k <= n; ++k) {  // k == n: left alone
            ASSERT_EQ(std::bit_cast<std::uint64_t>(got[k]), std::bit_cast<std::uint64_t>(want[k]))
                << detail::simd_path_name(path) << " column " << c << " n " << n << " k " << k;
          }
        }
      }
    }
  }
}

TEST(BookTerms, AHandWorkedAccount) {
  // One account with a CSM and an AE, renewing in 2 months within the period, a hand-off
  // closing this month: every term by hand.
  const std::uint32_t account[1] = {0};
  const int csm[1] = {0}, renewal[1] = {6}, exp_close[1] = {5};
  const double health[1] = {0.8}, power[1] = {0.8}, churn_p[1] = {0.1};
  const std::int64_t arr_usage[1] = {1'000'000}, arr_fixed[1] = {4'000'000};
  const int ae[1] = {1};
  std::array<double, 13> reach{};
  reach[2] = 0.25;
  const double follow_up[2] = {0.0, 0.5}, ratio[2] = {0.0, 2.0};
  const BookTermsIn in{1, 5, 11, account, csm, renewal, exp_close, health, power, arr_usage, arr_fixed, ae, churn_p,
                       reach.data(), follow_up, ratio, 3.0, 0.1, 0.5, 0.02, 0.2, 0.9, true};
  Columns c(1);
  book_terms(in, c.out());
  const double arr = 50'000.0;  // $40,000 fixed + $10,000 usage
  EXPECT_DOUBLE_EQ(c.churn_arr[0], arr * 3.0 * 0.1 * 0.25);
  EXPECT_DOUBLE_EQ(c.churn_logos[0], 3.0 * 0.1 * 0.25);
  EXPECT_DOUBLE_EQ(c.usage[0], 10'000.0 * 0.1 * 0.5);
  EXPECT_DOUBLE_EQ(c.csql[0], 0.02 * 0.8);
  EXPECT_DOUBLE_EQ(c.csql_value[0], 0.02 * 0.8 * 0.2 * arr);
  const double win = 0.9 * std::min(1.0, 0.5 * 0.8 * 2.0);
  EXPECT_DOUBLE_EQ(c.csql_wins[0], 0.02 * 0.8 * win);
  EXPECT_DOUBLE_EQ(c.csql_win_value[0], 0.02 * 0.8 * win * 0.2 * arr);
}
