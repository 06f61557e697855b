#include "complab/streams.hpp"

#include "complab/random_batch.hpp"

namespace complab {

void TrialStreams::blocks(std::uint32_t group, const std::uint32_t* ids, std::size_t n, int month, Purpose purpose,
                          Blocks& out, std::uint32_t block) const {
  if (out.first.size() < n) {
    out.first.resize(n);
    out.second.resize(n);
  }
  block_words(key_, trial_, ids, n, identity::month_word(group, month), purpose, block, out.first.data(),
              out.second.data());
}

KeyedStream TrialStreams::stream(const Blocks& blocks, std::size_t k, std::uint32_t group, std::uint32_t id,
                                 int month, Purpose purpose, std::uint32_t block) const {
  return KeyedStream(block_of(blocks.first[k], blocks.second[k]), key_, trial_, id, identity::month_word(group, month),
                     purpose, block);
}

void TrialStreams::unit_normals(const std::uint64_t* word, std::uint32_t group, const std::uint32_t* ids,
                                std::size_t n, int month, Purpose purpose, double* z) {
  if (declined_.size() < n) declined_.resize(n);
  const std::size_t m = unit_normals_first_words(word, n, z, declined_.data());
  if (m == 0) return;
  if (declined_ids_.size() < m) declined_ids_.resize(m);
  for (std::size_t j = 0; j < m; ++j) declined_ids_[j] = ids[declined_[j]];
  blocks(group, declined_ids_.data(), m, month, purpose, declined_blocks_);
  for (std::size_t j = 0; j < m; ++j) {
    const std::size_t k = declined_[j];
    // The stream's first word is the ziggurat's second: most wedges are decided by it.
    if (unit_normal_wedge(word[k], declined_blocks_.first[j], z[k])) continue;
    WordThenStream words(word[k], stream(declined_blocks_, j, group, declined_ids_[j], month, purpose));
    z[k] = normal_(words);  // N(0, 1): the unit normal, as the common case above
  }
}

}  // namespace complab
