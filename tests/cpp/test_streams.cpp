// A trial's streams: normals computed together equal Boost's normal on each entity's own
// stream, the rare draws that need more words included.
#include <gtest/gtest.h>

#include <boost/random/normal_distribution.hpp>

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
