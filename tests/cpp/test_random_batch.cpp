// Batched draws (random_batch.hpp) against the one-at-a-time streams and Boost they stand
// in for: the same words for every batch size, the same normals word for word.
#include <gtest/gtest.h>

#include <boost/random/normal_distribution.hpp>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "complab/random_batch.hpp"

using complab::KeyedStream;
using complab::Purpose;

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

}  // namespace

// The batched functions against their portable versions: on a CPU without AVX2 both are
// the portable code, so the tests say which path they compared.
static void record_path() {
  ::testing::Test::RecordProperty("batched_path", complab::detail::uses_avx2() ? "avx2" : "portable");
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
    for (const std::size_t n : {0, 1, 3, 7, 8, 9, 16, 17, 100}) {
      const auto e = entities(n);
      std::vector<std::uint64_t> first(n), second(n), first_p(n), second_p(n);
      complab::block_words(key, c.trial, e.data(), n, c.month, c.purpose, 0, first.data(), second.data());
      complab::detail::block_words_portable(key, c.trial, e.data(), n, c.month, c.purpose, 0, first_p.data(),
                                            second_p.data());
      for (std::size_t j = 0; j < n; ++j) {
        KeyedStream s(key, c.trial, e[j], c.month, c.purpose);
        EXPECT_EQ(first[j], s()) << "seed " << c.seed << " n " << n << " lane " << j;
        EXPECT_EQ(second[j], s()) << "seed " << c.seed << " n " << n << " lane " << j;
        EXPECT_EQ(first_p[j], first[j]);
        EXPECT_EQ(second_p[j], second[j]);
        // The stream rebuilt from the two words goes on into its second block.
        KeyedStream rebuilt(complab::block_of(first[j], second[j]), key, c.trial, e[j], c.month, c.purpose);
        for (int w = 0; w < 2; ++w) rebuilt();
        EXPECT_EQ(rebuilt(), s());
      }
    }
  }
}

TEST(BlockWords, EqualEachStreamsWordsOfLaterBlocks) {
  record_path();
  const auto key = complab::seed_key(23);
  for (const std::uint32_t block : {1u, 2u, 7u}) {
    for (const std::size_t n : {1, 8, 13, 40}) {
      const auto e = entities(n);
      std::vector<std::uint64_t> first(n), second(n), first_p(n), second_p(n);
      complab::block_words(key, 9, e.data(), n, 30, Purpose::Opportunity, block, first.data(), second.data());
      complab::detail::block_words_portable(key, 9, e.data(), n, 30, Purpose::Opportunity, block, first_p.data(),
                                            second_p.data());
      for (std::size_t j = 0; j < n; ++j) {
        KeyedStream s(key, 9, e[j], 30, Purpose::Opportunity);
        for (std::uint32_t w = 0; w < 2 * block; ++w) s();
        EXPECT_EQ(first[j], s()) << "block " << block << " lane " << j;
        EXPECT_EQ(second[j], s()) << "block " << block << " lane " << j;
        EXPECT_EQ(first_p[j], first[j]);
        EXPECT_EQ(second_p[j], second[j]);
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

TEST_P(UnitNormalsFirstWords, MatchTheOneAtATimeCaseBitForBit) {
  record_path();
  // Includes words whose float is zero (signed zeros) and a length that leaves a tail; with
  // the parameter, the words are made from 48 bits as the account-month block's normals'
  // (normal_word_of_48).
  const auto key = complab::seed_key(8);
  KeyedStream words(key, 4, 5, 6, Purpose::Usage);
  const std::size_t n = 200'003;
  std::vector<std::uint64_t> w(n);
  for (auto& x : w) x = GetParam() ? complab::normal_word_of_48(words() >> 16) : words();
  w[10] = 0, w[11] = 1, w[12] = 0xff, w[13] = ~std::uint64_t{0};
  std::vector<double> z(n), z_portable(n);
  std::vector<std::uint32_t> declined(n), declined_portable(n);
  const std::size_t m = complab::unit_normals_first_words(w.data(), n, z.data(), declined.data());
  const std::size_t m_portable =
      complab::detail::unit_normals_first_words_portable(w.data(), n, z_portable.data(), declined_portable.data());
  ASSERT_EQ(m, m_portable);
  ASSERT_GT(m, 0u);
  for (std::size_t j = 0; j < m; ++j) ASSERT_EQ(declined[j], declined_portable[j]);
  std::size_t next = 0;
  for (std::size_t k = 0; k < n; ++k) {
    double one = 0;
    const bool accepted = complab::unit_normal_first_word(w[k], one);
    ASSERT_EQ(accepted, next >= m || declined[next] != k) << "word " << k;
    if (!accepted) {
      ++next;
      continue;
    }
    ASSERT_EQ(std::bit_cast<std::uint64_t>(z[k]), std::bit_cast<std::uint64_t>(one)) << "word " << k;
    ASSERT_EQ(std::bit_cast<std::uint64_t>(z_portable[k]), std::bit_cast<std::uint64_t>(one)) << "word " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(AnyOr48Bit, UnitNormalsFirstWords, ::testing::Bool());
