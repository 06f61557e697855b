#pragma once
/// \file streams.hpp
/// One trial's keyed random streams (docs/model.md §2): a stream per (entity, month,
/// purpose), the first blocks of many streams computed together, and Boost's unit normals
/// with their common case taken from a stream's first word. Entities are addressed by
/// their stable identity (identity.hpp).
#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/random/normal_distribution.hpp>

#include "complab/identity.hpp"
#include "complab/random.hpp"

namespace complab {

class TrialStreams {
 public:
  explicit TrialStreams(std::uint64_t seed_key) : key_(seed_key) {}

  /// The trial whose streams follow (its key: first_trial + index).
  void set_trial(std::uint32_t trial_key) { trial_ = trial_key; }

  /// The stream of entity (group, id) in `month` (months before 0: the warm start's).
  KeyedStream stream(std::uint32_t group, std::uint32_t id, int month, Purpose purpose) const {
    return KeyedStream(key_, trial_, id, identity::month_word(group, month), purpose);
  }

  /// One block of one purpose's streams for entities `ids[0..n)` of `group` (block 0
  /// unless `block` says), as its two 64-bit words, computed together.
  struct Blocks {
    std::vector<std::uint64_t> first, second;
  };
  void blocks(std::uint32_t group, const std::uint32_t* ids, std::size_t n, int month, Purpose purpose,
              Blocks& out, std::uint32_t block = 0) const;

  /// The stream from a block computed by blocks() (entry k, block number `block`) on.
  KeyedStream stream(const Blocks& blocks, std::size_t k, std::uint32_t group, std::uint32_t id, int month,
                     Purpose purpose, std::uint32_t block = 0) const;

  /// `purpose`'s unit normals for entities `ids[0..n)` of `group` whose first words are
  /// `word[k]`: Boost's normal, the common case from the word, the rare draws that need
  /// more words finished from their own streams afterwards.
  void unit_normals(const std::uint64_t* word, std::uint32_t group, const std::uint32_t* ids, std::size_t n,
                    int month, Purpose purpose, double* z);

  /// Boost's unit normal on `stream`.
  template <class Engine>
  double unit_normal(Engine& stream) {
    return normal_(stream);
  }

 private:
  std::uint64_t key_;
  std::uint32_t trial_ = 0;
  boost::random::normal_distribution<double> normal_{0.0, 1.0};
  std::vector<std::uint32_t> declined_, declined_ids_;  // unit_normals: the draws past their first word
  Blocks declined_blocks_;
};

}  // namespace complab
