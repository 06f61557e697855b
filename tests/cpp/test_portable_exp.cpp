// portable_exp against libm's exp, and the churn chances a vector at a time against one at
// a time: the same bits on every vector path the CPU has.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "complab/portable_exp.hpp"
#include "complab/processes.hpp"
#include "world_test_util.hpp"

using complab::portable_exp;
using complab::detail::SimdPath;

namespace {
std::int64_t ulps(double a, double b) {
  const auto x = std::bit_cast<std::int64_t>(a), y = std::bit_cast<std::int64_t>(b);
  return x > y ? x - y : y - x;
}
}  // namespace

TEST(PortableExp, WithinTwoUlpOfLibmOverItsRange) {
  std::mt19937_64 gen(11);
  std::uniform_real_distribution<double> wide(-708.0, 709.0), narrow(-3.0, 3.0);
  std::int64_t worst = 0;
  for (int i = 0; i < 400000; ++i) {
    const double x = i % 2 ? wide(gen) : narrow(gen);
    worst = std::max(worst, ulps(portable_exp(x), std::exp(x)));
  }
  EXPECT_LE(worst, 2);
  ::testing::Test::RecordProperty("worst_ulps", static_cast<int>(worst));
}

TEST(PortableExp, ExactPointsClampAndNan) {
  EXPECT_EQ(portable_exp(0.0), 1.0);
  EXPECT_EQ(portable_exp(-0.0), 1.0);
  EXPECT_EQ(portable_exp(-1e300), portable_exp(-708.0));
  EXPECT_EQ(portable_exp(1e300), portable_exp(709.0));
  EXPECT_TRUE(std::isfinite(portable_exp(709.0)));
  EXPECT_GT(portable_exp(-708.0), 0.0);
  EXPECT_TRUE(std::isnan(portable_exp(std::numeric_limits<double>::quiet_NaN())));
}

TEST(PortableExp, ChurnChancesTogetherEqualOneAtATime) {
  complab::Scenario sc = complab::testing::one_segment_world();
  sc.world.churn_health_effect = 3.0;  // large enough that some chances clip at 1
  sc.world.segments[0].renewal_hazard = {0.4, 0.2, 0.1};
  const complab::process::ChurnModel churn(sc.world);
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  // Every length up to a few vectors of 8, so that each clone's tail code runs too.
  for (std::size_t n = 0; n <= 37; ++n) {
    std::vector<int> r(n);
    std::vector<double> h(n), g(n), p(n);
    for (std::size_t k = 0; k < n; ++k) {
      r[k] = static_cast<int>(gen() % 60);
      h[k] = k % 7 == 0 ? -0.5 : unit(gen);  // an out-of-range health: a chance above 1, clipped
      g[k] = unit(gen) * 0.5;
    }
    for (const auto path : {SimdPath::none, SimdPath::avx2, SimdPath::avx512}) {
      if (!complab::detail::simd_path_supported(path)) continue;
      std::fill(p.begin(), p.end(), -1.0);
      churn.p_many_on(path, 0, r.data(), h.data(), g.data(), n, p.data());
      for (std::size_t k = 0; k < n; ++k) {
        EXPECT_EQ(std::bit_cast<std::uint64_t>(p[k]), std::bit_cast<std::uint64_t>(churn.p(0, r[k], h[k], g[k])))
            << complab::detail::simd_path_name(path) << " n " << n << " k " << k;
      }
    }
  }
}
