// A trial's streams: normals computed together equal Boost's normal on each entity's own
// stream, the rare draws that need more words included.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "complab/random_batch.hpp"
#include "complab/streams.hpp"

using namespace complab;

TEST(TrialStreams, BatchedNormalsAreBoostsOnEachStream) {
  TrialStreams streams(seed_key(42));
  streams.set_trial(3);
  const std::uint32_t group = identity::account_group(2);
  std::vector<std::uint32_t> ids(4000);
  for (std::uint32_t i = 0; i < ids.size(); ++i) ids[i] = i * 7 + 1;
  TrialStreams::Blocks blocks;
  streams.blocks(group, ids.data(), ids.size(), 5, Purpose::AccountMonth, blocks);
  std::vector<double> z(ids.size());
  streams.unit_normals(blocks.first.data(), group, ids.data(), ids.size(), 5, Purpose::Health, z.data());
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  int rare = 0;
  for (std::size_t k = 0; k < ids.size(); ++k) {
    double common;
    rare += unit_normal_first_word(blocks.first[k], common) ? 0 : 1;
    WordThenStream words(blocks.first[k], streams.stream(group, ids[k], 5, Purpose::Health));
    ASSERT_EQ(z[k], normal(words)) << k;
  }
  EXPECT_GT(rare, 0);  // the slow path ran
  // A block's words are the stream's first words.
  KeyedStream s = streams.stream(group, ids[9], 5, Purpose::AccountMonth);
  EXPECT_EQ(s(), blocks.first[9]);
  EXPECT_EQ(s(), blocks.second[9]);
}

// docs/model.md §2: one AccountMonth block an account-month, split into the CSQL yes/no's
// 32-bit word and 48 bits for each normal's first word.
TEST(AccountMonthBlock, SplitsIntoTheDocumentedBits) {
  std::uint64_t first[1] = {0x0123456789ABCDEFull}, second[1] = {0xFEDCBA9876543210ull};
  std::uint32_t yes_no[1];
  split_account_month(first, second, 1, yes_no);
  EXPECT_EQ(yes_no[0], 0x3210CDEFu);  // the first word's low 16 bits, then the second's
  // 48 bits 0x0123456789AB: low 8 bits 0xAB stay, the other 40 (0x0123456789) go on top.
  EXPECT_EQ(first[0], 0x0123456789000000ull | 0xAB);
  EXPECT_EQ(second[0], 0xFEDCBA9876000000ull | 0x54);
  EXPECT_EQ(normal_word_of_48(0xFFFFFFFFFFFFull), 0xFFFFFFFFFF0000FFull);
  EXPECT_EQ(to_unit32(0x80000000u), 0.5);
  EXPECT_EQ(to_unit32(0xFFFFFFFFu), 1.0 - 0x1.0p-32);
}

// Every vector path splits as the documented bits say, for every length up to a few vectors.
TEST(AccountMonthBlock, EveryPathSplitsTheSameBits) {
  std::mt19937_64 gen(9);
  for (std::size_t n = 0; n <= 40; ++n) {
    std::vector<std::uint64_t> a(n), b(n);
    for (std::size_t k = 0; k < n; ++k) a[k] = gen(), b[k] = gen();
    for (const auto path : {detail::SimdPath::none, detail::SimdPath::avx2, detail::SimdPath::avx512}) {
      if (!detail::simd_path_supported(path)) continue;
      std::vector<std::uint64_t> first = a, second = b;
      std::vector<std::uint32_t> yes_no(n + 1, 0xDEADBEEFu);  // one past the end: left alone
      detail::split_account_month_on(path, first.data(), second.data(), n, yes_no.data());
      for (std::size_t k = 0; k < n; ++k) {
        EXPECT_EQ(yes_no[k], static_cast<std::uint32_t>((a[k] & 0xFFFF) | ((b[k] & 0xFFFF) << 16)));
        EXPECT_EQ(first[k], normal_word_of_48(a[k] >> 16));
        EXPECT_EQ(second[k], normal_word_of_48(b[k] >> 16));
      }
      EXPECT_EQ(yes_no[n], 0xDEADBEEFu) << detail::simd_path_name(path) << " n " << n;
    }
  }
}

// Golden values: the first accounts' draws for seed 7, trial 2, SMB, month 3. A change to
// Philox, the split or the ziggurat changes them (and the engine's golden hashes).
TEST(AccountMonthBlock, GoldenDraws) {
  TrialStreams streams(seed_key(7));
  streams.set_trial(2);
  const std::uint32_t group = identity::account_group(0);
  std::vector<std::uint32_t> ids{0, 1, 2, 3};
  TrialStreams::Blocks blocks;
  streams.blocks(group, ids.data(), ids.size(), 3, Purpose::AccountMonth, blocks);
  std::vector<std::uint32_t> yes_no(4);
  split_account_month(blocks.first.data(), blocks.second.data(), 4, yes_no.data());
  std::vector<double> z_health(4), z_usage(4);
  streams.unit_normals(blocks.first.data(), group, ids.data(), 4, 3, Purpose::Health, z_health.data());
  streams.unit_normals(blocks.second.data(), group, ids.data(), 4, 3, Purpose::Usage, z_usage.data());
  const std::uint32_t want_yes_no[4] = {0x7D93FB53u, 0x011820D4u, 0x351CA975u, 0xF47214FCu};
  const double want_health[4] = {-0.54101618572339361, 0.6847450142962499, -1.1873537135983849, -0.057391669898434874};
  const double want_usage[4] = {-1.5428602799725772, 1.2244029724423577, -0.94327727537403616, 1.1384994193352722};
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(yes_no[k], want_yes_no[k]) << k;
    EXPECT_EQ(z_health[k], want_health[k]) << k;
    EXPECT_EQ(z_usage[k], want_usage[k]) << k;
  }
}

// The split block's draws have their distributions: over 200,000 account-months the CSQL
// word's uniform and both normals match their moments within 4 standard errors, the
// normals' CDF is within the Kolmogorov-Smirnov bound at 0.1% (1.95 / sqrt(n)), and the
// three are uncorrelated.
TEST(AccountMonthBlock, DrawsHaveTheirDistributions) {
  TrialStreams streams(seed_key(2026));
  const std::uint32_t group = identity::account_group(1);
  constexpr std::size_t kAccounts = 2000;
  std::vector<std::uint32_t> ids(kAccounts);
  for (std::uint32_t i = 0; i < kAccounts; ++i) ids[i] = i;
  std::vector<double> u, zh, zu;
  TrialStreams::Blocks blocks;
  std::vector<std::uint32_t> yes_no(kAccounts);
  std::vector<double> z1(kAccounts), z2(kAccounts);
  for (std::uint32_t trial = 0; trial < 5; ++trial) {
    streams.set_trial(trial);
    for (int month = 0; month < 20; ++month) {
      streams.blocks(group, ids.data(), kAccounts, month, Purpose::AccountMonth, blocks);
      split_account_month(blocks.first.data(), blocks.second.data(), kAccounts, yes_no.data());
      streams.unit_normals(blocks.first.data(), group, ids.data(), kAccounts, month, Purpose::Health, z1.data());
      streams.unit_normals(blocks.second.data(), group, ids.data(), kAccounts, month, Purpose::Usage, z2.data());
      for (std::size_t k = 0; k < kAccounts; ++k) {
        u.push_back(to_unit32(yes_no[k]));
        zh.push_back(z1[k]);
        zu.push_back(z2[k]);
      }
    }
  }
  const double n = static_cast<double>(u.size());
  auto mean = [&](const std::vector<double>& x, auto f) {
    double s = 0;
    for (double v : x) s += f(v);
    return s / n;
  };
  const double se = 1.0 / std::sqrt(n);
  // Uniform: mean 1/2 (sd 1/sqrt(12)), variance 1/12 (sd of (u-1/2)^2 is 1/sqrt(180)); a
  // yes/no at p = 0.01 happens with frequency 0.01 (sd sqrt(p(1-p))).
  EXPECT_NEAR(mean(u, [](double v) { return v; }), 0.5, 4 * se / std::sqrt(12.0));
  EXPECT_NEAR(mean(u, [](double v) { return (v - 0.5) * (v - 0.5); }), 1.0 / 12, 4 * se / std::sqrt(180.0));
  EXPECT_NEAR(mean(u, [](double v) { return v < 0.01 ? 1.0 : 0.0; }), 0.01, 4 * se * std::sqrt(0.01 * 0.99));
  for (const auto* z : {&zh, &zu}) {
    // Normal: mean 0 (sd 1), second moment 1 (sd sqrt 2), third 0 (sd sqrt 15), fourth 3 (sd sqrt 96).
    EXPECT_NEAR(mean(*z, [](double v) { return v; }), 0.0, 4 * se);
    EXPECT_NEAR(mean(*z, [](double v) { return v * v; }), 1.0, 4 * se * std::sqrt(2.0));
    EXPECT_NEAR(mean(*z, [](double v) { return v * v * v; }), 0.0, 4 * se * std::sqrt(15.0));
    EXPECT_NEAR(mean(*z, [](double v) { return v * v * v * v; }), 3.0, 4 * se * std::sqrt(96.0));
    std::vector<double> sorted = *z;
    std::sort(sorted.begin(), sorted.end());
    double ks = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      const double cdf = 0.5 * std::erfc(-sorted[i] / std::sqrt(2.0));
      ks = std::max({ks, std::abs(cdf - static_cast<double>(i) / n), std::abs(cdf - static_cast<double>(i + 1) / n)});
    }
    EXPECT_LT(ks, 1.95 * se);
    EXPECT_GT(ks, 0.0);
  }
  // Pairwise uncorrelated (sd of a correlation about 1/sqrt(n)).
  double c_hu = 0, c_uz = 0, c_zz = 0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    c_hu += (u[i] - 0.5) * zh[i], c_uz += (u[i] - 0.5) * zu[i], c_zz += zh[i] * zu[i];
  }
  EXPECT_NEAR(c_hu / n * std::sqrt(12.0), 0.0, 4 * se);
  EXPECT_NEAR(c_uz / n * std::sqrt(12.0), 0.0, 4 * se);
  EXPECT_NEAR(c_zz / n, 0.0, 4 * se);
}
