// Batched draws (random_batch.hpp) against the one-at-a-time streams and Boost they stand
// in for: the same words for every batch size, the same normals word for word.
#include <gtest/gtest.h>

#include <boost/random/normal_distribution.hpp>
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "complab/random_batch.hpp"

using complab::KeyedStream;
using complab::Purpose;
using complab::detail::SimdPath;

namespace {

std::vector<std::uint32_t> entities(std::size_t n) {
  std::vector<std::uint32_t> e(n);
  for (std::size_t j = 0; j < n; ++j) e[j] = static_cast<std::uint32_t>(j * 2654435761u) ^ (j % 2 ? 0x80000000u : 0u);
  return e;
}

// A word, then a stream's words: a generator that counts how many a distribution takes.
struct CountedWords {
  using result_type = std::uint64_t;
  std::uint64_t word;
  KeyedStream rest;
  int used = 0;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() { return used++ == 0 ? word : rest(); }
};

// Every path this CPU has, the portable one first: each is checked, not only the one the
// engine takes.
std::vector<SimdPath> paths() {
  std::vector<SimdPath> p;
  for (const SimdPath path : {SimdPath::none, SimdPath::avx2, SimdPath::avx512}) {
    if (complab::detail::simd_path_supported(path)) p.push_back(path);
  }
  return p;
}

}  // namespace

// The tests say which paths they compared: on an older CPU only some run.
static void record_path() {
  std::string names;
  for (const SimdPath path : paths()) names += std::string(names.empty() ? "" : ",") + complab::detail::simd_path_name(path);
  ::testing::Test::RecordProperty("batched_paths", names);
  ::testing::Test::RecordProperty("batched_path", complab::detail::simd_path_name(complab::detail::simd_path()));
}

TEST(SimdPath, TheEngineTakesTheWidestPathTheCpuHas) {
  using complab::detail::simd_path_supported;
  EXPECT_TRUE(simd_path_supported(SimdPath::none));
  const SimdPath widest = simd_path_supported(SimdPath::avx512) ? SimdPath::avx512
                          : simd_path_supported(SimdPath::avx2) ? SimdPath::avx2
                                                                : SimdPath::none;
  EXPECT_EQ(complab::detail::simd_path(), widest);
  // AVX-512 machines have AVX2: the fallback order holds.
  if (simd_path_supported(SimdPath::avx512)) {
    EXPECT_TRUE(simd_path_supported(SimdPath::avx2));
  }
  EXPECT_STREQ(complab::detail::simd_path_name(SimdPath::avx512), "avx512");
  EXPECT_STREQ(complab::detail::simd_path_name(SimdPath::avx2), "avx2");
  EXPECT_STREQ(complab::detail::simd_path_name(SimdPath::none), "none");
  for (const SimdPath path : {SimdPath::avx2, SimdPath::avx512}) {
    if (simd_path_supported(path)) continue;
    std::uint64_t w = 0;
    double z = 0;
    std::uint32_t d = 0;
    EXPECT_THROW(complab::detail::unit_normals_first_words_on(path, &w, 1, &z, &d), std::invalid_argument);
    EXPECT_THROW(complab::detail::force_simd_path(path), std::invalid_argument);
  }
  // Forcing a path the CPU has changes the one the kernels take, until forced back.
  for (const SimdPath path : paths()) {
    complab::detail::force_simd_path(path);
    EXPECT_EQ(complab::detail::simd_path(), path);
  }
  complab::detail::force_simd_path(widest);
  EXPECT_EQ(complab::detail::simd_path(), widest);
}

TEST(BlockWords, BlockZeroIsEachStreamsFirstTwoWordsForEveryBatchSize) {
  // Several seeds, trials, months and purposes: the AVX2 path folds the counter's constant
  // words into its first rounds once per batch.
  record_path();
  struct Case {
    std::uint64_t seed;
    std::uint32_t trial, month;
    Purpose purpose;
  };
  for (const Case c : {Case{11, 42, 17, Purpose::Csql}, Case{0, 0, 0, Purpose::RepSkill},
                       Case{~0ull, 0xFFFFFFFFu, 0xFFFFFFu, Purpose::AccountMonth}}) {
    const auto key = complab::seed_key(c.seed);
    // Around the widths: 4 and 8 lanes a vector, 8 and 32 lanes a call.
    for (const std::size_t n : {0, 1, 3, 5, 7, 8, 9, 13, 15, 16, 17, 24, 31, 32, 33, 37, 40, 63, 64, 65, 100}) {
      const auto e = entities(n);
      std::vector<std::uint64_t> first(n), second(n), first_p(n), second_p(n);
      complab::detail::block_words_portable(key, c.trial, e.data(), n, c.month, c.purpose, 0, first_p.data(),
                                            second_p.data());
      for (const SimdPath path : paths()) {
        // Sentinels past the end: a vector path writes nothing beyond n.
        std::vector<std::uint64_t> first_out(n + 1, 7), second_out(n + 1, 7);
        complab::detail::block_words_on(path, key, c.trial, e.data(), n, c.month, c.purpose, 0, first_out.data(),
                                        second_out.data());
        EXPECT_EQ(first_out[n], 7u) << complab::detail::simd_path_name(path) << " n " << n;
        EXPECT_EQ(second_out[n], 7u) << complab::detail::simd_path_name(path) << " n " << n;
        std::copy_n(first_out.begin(), n, first.begin());
        std::copy_n(second_out.begin(), n, second.begin());
        for (std::size_t j = 0; j < n; ++j) {
          KeyedStream s(key, c.trial, e[j], c.month, c.purpose);
          const char* const name = complab::detail::simd_path_name(path);
          EXPECT_EQ(first[j], s()) << name << " seed " << c.seed << " n " << n << " lane " << j;
          EXPECT_EQ(second[j], s()) << name << " seed " << c.seed << " n " << n << " lane " << j;
          EXPECT_EQ(first_p[j], first[j]);
          EXPECT_EQ(second_p[j], second[j]);
          // The stream rebuilt from the two words goes on into its second block.
          KeyedStream rebuilt(complab::block_of(first[j], second[j]), key, c.trial, e[j], c.month, c.purpose);
          for (int w = 0; w < 2; ++w) rebuilt();
          EXPECT_EQ(rebuilt(), s());
        }
      }
      // The engine's entry point takes one of the paths.
      complab::block_words(key, c.trial, e.data(), n, c.month, c.purpose, 0, first.data(), second.data());
      EXPECT_EQ(first, first_p);
      EXPECT_EQ(second, second_p);
    }
  }
}

TEST(BlockWords, EqualEachStreamsWordsOfLaterBlocks) {
  record_path();
  const auto key = complab::seed_key(23);
  for (const std::uint32_t block : {1u, 2u, 7u}) {
    for (const std::size_t n : {1, 8, 13, 40, 77}) {
      const auto e = entities(n);
      std::vector<std::uint64_t> first(n), second(n), first_p(n), second_p(n);
      complab::detail::block_words_portable(key, 9, e.data(), n, 30, Purpose::Opportunity, block, first_p.data(),
                                            second_p.data());
      for (const SimdPath path : paths()) {
        complab::detail::block_words_on(path, key, 9, e.data(), n, 30, Purpose::Opportunity, block, first.data(),
                                        second.data());
        for (std::size_t j = 0; j < n; ++j) {
          KeyedStream s(key, 9, e[j], 30, Purpose::Opportunity);
          for (std::uint32_t w = 0; w < 2 * block; ++w) s();
          const char* const name = complab::detail::simd_path_name(path);
          EXPECT_EQ(first[j], s()) << name << " block " << block << " lane " << j;
          EXPECT_EQ(second[j], s()) << name << " block " << block << " lane " << j;
          EXPECT_EQ(first_p[j], first[j]);
          EXPECT_EQ(second_p[j], second[j]);
        }
      }
    }
  }
}

TEST(UnitNormalFirstWord, IsBoostsNormalWhereItAcceptsAndDeclinesOtherwise) {
  // Boost's normal on (word, then a stream) against the inline common case, over many words:
  // accepted exactly where Boost takes one word, equal there, and the declined share near
  // the ziggurat's.
  const auto key = complab::seed_key(5);
  boost::random::normal_distribution<double> normal;
  KeyedStream words(key, 1, 2, 3, Purpose::Health);
  const int n = 2'000'000;
  int declined = 0;
  for (int j = 0; j < n; ++j) {
    const std::uint64_t word = words();
    CountedWords boost_words{word, KeyedStream(key, 9, static_cast<std::uint32_t>(j), 3, Purpose::Health)};
    const double expected = normal(boost_words);
    double z = 0;
    const bool accepted = complab::unit_normal_first_word(word, z);
    // Accepted exactly where Boost takes one word, and then with Boost's value.
    ASSERT_EQ(accepted, boost_words.used == 1) << "word " << word;
    if (accepted) {
      ASSERT_EQ(z, expected) << "word " << word;
    } else {
      ++declined;
    }
  }
  // Declined about 2.76% of the time; 6 binomial SEs either side.
  const double share = static_cast<double>(declined) / n, se = std::sqrt(0.0276 * 0.9724 / n);
  EXPECT_NEAR(share, 0.0276, 6 * se);
}

TEST(UnitNormalWedge, IsBoostsNormalWhereItDecides) {
  // Declined first words, then a stream: where unit_normal_wedge decides, it is Boost's value
  // bit for bit, and Boost took exactly two words.
  const auto key = complab::seed_key(6);
  boost::random::normal_distribution<double> normal;
  KeyedStream words(key, 1, 2, 3, Purpose::Usage);
  int declined = 0, decided = 0;
  for (int j = 0; declined < 60'000; ++j) {
    const std::uint64_t word = words();
    double z = 0;
    if (complab::unit_normal_first_word(word, z)) continue;
    ++declined;
    const KeyedStream rest(key, 9, static_cast<std::uint32_t>(j), 3, Purpose::Usage);
    CountedWords boost_words{word, rest};
    const double expected = normal(boost_words);
    KeyedStream next = rest;
    if (!complab::unit_normal_wedge(word, next(), z)) continue;
    ++decided;
    ASSERT_EQ(std::bit_cast<std::uint64_t>(z), std::bit_cast<std::uint64_t>(expected)) << "word " << word;
    ASSERT_EQ(boost_words.used, 2) << "word " << word;
  }
  // Of the declined words, the tail's and those Boost rejects go back to Boost's code:
  // about 53% are decided here (0.534 in this run; its SE about 0.002).
  EXPECT_GT(static_cast<double>(decided) / declined, 0.5);
  ::testing::Test::RecordProperty("decided_share", std::to_string(static_cast<double>(decided) / declined));
}

TEST(UnitNormalFirstWord, TakesSignAndLayerFromTheLowBitsAsBoostDoes) {
  // Word 0x...00: layer 0, sign -; the float is zero, so x = 0 < table_x[1]: accepted.
  double z = 1.0;
  ASSERT_TRUE(complab::unit_normal_first_word(0, z));
  EXPECT_EQ(z, 0.0);
  // All ones but bit 11: layer 127, sign +, float just under 1: x near table_x[127] is past
  // table_x[128] = 0, so declined.
  EXPECT_FALSE(complab::unit_normal_first_word(~std::uint64_t{0}, z));
}

class UnitNormalsFirstWords : public ::testing::TestWithParam<bool> {};

// The declined positions and accepted values of `path` on `w` against the one-at-a-time case.
static void expect_as_one_at_a_time(SimdPath path, const std::vector<std::uint64_t>& w) {
  const std::size_t n = w.size();
  const char* const name = complab::detail::simd_path_name(path);
  // Sentinels past the end: a vector path writes nothing beyond n.
  std::vector<double> z(n + 1, 7.0);
  std::vector<std::uint32_t> declined(n + 1, 7);
  const std::size_t m = complab::detail::unit_normals_first_words_on(path, w.data(), n, z.data(), declined.data());
  ASSERT_EQ(z[n], 7.0) << name << " n " << n;
  ASSERT_LE(m, n);
  if (m < n) {
    ASSERT_EQ(declined[n], 7u) << name << " n " << n;
  }
  std::size_t next = 0;
  for (std::size_t k = 0; k < n; ++k) {
    double one = 0;
    const bool accepted = complab::unit_normal_first_word(w[k], one);
    ASSERT_EQ(accepted, next >= m || declined[next] != k) << name << " word " << k << " n " << n;
    if (!accepted) {
      ++next;
      continue;
    }
    ASSERT_EQ(std::bit_cast<std::uint64_t>(z[k]), std::bit_cast<std::uint64_t>(one)) << name << " word " << k;
  }
  ASSERT_EQ(next, m) << name << " n " << n;
}

TEST_P(UnitNormalsFirstWords, MatchTheOneAtATimeCaseBitForBit) {
  record_path();
  // Includes words whose float is zero (signed zeros), declined words, and a length that
  // leaves a tail; with the parameter, the words are made from 48 bits as the
  // account-month block's normals' (normal_word_of_48).
  const auto key = complab::seed_key(8);
  KeyedStream words(key, 4, 5, 6, Purpose::Usage);
  const std::size_t n = 200'003;
  std::vector<std::uint64_t> w(n);
  for (auto& x : w) x = GetParam() ? complab::normal_word_of_48(words() >> 16) : words();
  w[10] = 0, w[11] = 1, w[12] = 0xff, w[13] = ~std::uint64_t{0};
  for (const SimdPath path : paths()) expect_as_one_at_a_time(path, w);
  std::vector<double> z(n), z_portable(n);
  std::vector<std::uint32_t> declined(n), declined_portable(n);
  const std::size_t m = complab::unit_normals_first_words(w.data(), n, z.data(), declined.data());
  const std::size_t m_portable =
      complab::detail::unit_normals_first_words_portable(w.data(), n, z_portable.data(), declined_portable.data());
  ASSERT_EQ(m, m_portable);
  ASSERT_GT(m, 0u);
  for (std::size_t j = 0; j < m; ++j) ASSERT_EQ(declined[j], declined_portable[j]);
  // The engine's entry point and the portable code, where they accept (elsewhere z is unspecified).
  std::size_t next = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (next < m && declined[next] == k) {
      ++next;
      continue;
    }
    ASSERT_EQ(std::bit_cast<std::uint64_t>(z[k]), std::bit_cast<std::uint64_t>(z_portable[k])) << "word " << k;
  }
}

TEST_P(UnitNormalsFirstWords, EveryShortLengthAndEdgeWordOnEveryPath) {
  // Lengths around the vector widths (4 and 8 lanes), edge words at every lane: zero floats
  // of both signs, the largest float of each layer (declined in the last), all ones.
  const auto key = complab::seed_key(9);
  KeyedStream words(key, 1, 1, 1, Purpose::Health);
  const std::vector<std::uint64_t> edges{0, 1, 0xff, 0xfe, ~std::uint64_t{0}, ~std::uint64_t{0} - 1,
                                         ~std::uint64_t{0xff} | 0x7f, std::uint64_t{1} << 11};
  for (std::size_t n = 0; n <= 41; ++n) {
    for (std::size_t shift = 0; shift < edges.size(); ++shift) {
      std::vector<std::uint64_t> w(n);
      for (std::size_t k = 0; k < n; ++k) {
        const std::uint64_t random = GetParam() ? complab::normal_word_of_48(words() >> 16) : words();
        w[k] = (k + shift) % 3 == 0 ? edges[(k + shift) % edges.size()] : random;
      }
      for (const SimdPath path : paths()) expect_as_one_at_a_time(path, w);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AnyOr48Bit, UnitNormalsFirstWords, ::testing::Bool());
