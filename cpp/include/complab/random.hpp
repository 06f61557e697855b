#pragma once
/// \file random.hpp
/// Keyed random streams (docs/model.md §2). Every draw is a pure function of
/// (seed, trial, entity, month, purpose, counter): Philox4x32-10 with the seed as key and
/// the rest as counter. No engine belongs to a thread, so results do not depend on how
/// trials are spread over threads, and two runs that differ only in their plans see the
/// same draws for the same entity, month and purpose (common random numbers).
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace complab {

/// Philox4x32-10 (Salmon et al., SC'11): 4x32-bit counter, 2x32-bit key.
inline std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> ctr,
                                                  std::array<std::uint32_t, 2> key) {
  constexpr std::uint64_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = kM0 * ctr[0];
    const std::uint64_t p1 = kM1 * ctr[2];
    ctr = {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
    key[0] += kW0;
    key[1] += kW1;
  }
  return ctr;
}

/// Philox4x32-10 of `n` counters under one key, in place, in structure-of-arrays form:
/// lane j's counter is (c0[j], c1[j], c2[j], c3[j]) and becomes its block. `n` must be a
/// multiple of kPhiloxLanes. Lane by lane the same values as philox4x32_10; one block alone
/// is a chain of dependent multiplies, so computing independent blocks together lets the
/// compiler vectorise them and hide that latency (about 4x the throughput here).
inline constexpr std::size_t kPhiloxLanes = 16;
inline void philox4x32_10_lanes(std::uint32_t* c0, std::uint32_t* c1, std::uint32_t* c2,
                                std::uint32_t* c3, std::size_t n, std::array<std::uint32_t, 2> key) {
  constexpr std::uint64_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (std::size_t base = 0; base < n; base += kPhiloxLanes) {
    std::uint32_t* __restrict a = c0 + base;
    std::uint32_t* __restrict b = c1 + base;
    std::uint32_t* __restrict c = c2 + base;
    std::uint32_t* __restrict d = c3 + base;
    std::array<std::uint32_t, 2> k = key;
    for (int round = 0; round < 10; ++round) {
      for (std::size_t j = 0; j < kPhiloxLanes; ++j) {
        const std::uint64_t p0 = kM0 * a[j];
        const std::uint64_t p1 = kM1 * c[j];
        a[j] = static_cast<std::uint32_t>(p1 >> 32) ^ b[j] ^ k[0];
        b[j] = static_cast<std::uint32_t>(p1);
        c[j] = static_cast<std::uint32_t>(p0 >> 32) ^ d[j] ^ k[1];
        d[j] = static_cast<std::uint32_t>(p0);
      }
      k[0] += kW0;
      k[1] += kW1;
    }
  }
}

/// SplitMix64 finaliser: spreads a user seed over the key's 64 bits (seed 0 is a seed).
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// What a draw is for. Each purpose has its own counter space, so a change in how many
/// draws one purpose consumes never shifts another's. Append only: values are part of
/// the reproducibility contract.
enum class Purpose : std::uint8_t {
  RepSkill = 1,
  InitialTenure,
  InitialArr,
  InitialHealth,
  OpportunityCount,
  Opportunity,     ///< segment, AE and value of one opportunity
  OpportunityWin,
  Health,
  Usage,
  Csql,            ///< whether a CSQL is raised, its kind, product and acceptance
  ExpansionWin,
  Renewal,
  AccountMonth,    ///< one block per account and month: the CSQL yes/no and the first words of Health and Usage
  RepTenure,       ///< a starting rep's tenure
  RepExit,         ///< whether a rep leaves at a month's end
};

/// Uniform double in [0, 1) from the top 53 bits. Converts through a signed integer:
/// GCC 12's unsigned 64-bit to double conversion branches unpredictably on x86-64.
inline double to_unit(std::uint64_t x) {
  return static_cast<double>(static_cast<std::int64_t>(x >> 11)) * 0x1.0p-53;
}

/// Uniform double in [0, 1) from a 32-bit word (yes/no events of the account-month block):
/// exact, since every 32-bit integer is a double.
inline double to_unit32(std::uint32_t x) { return static_cast<double>(x) * 0x1.0p-32; }

/// A counter-based stream for one (trial, entity, month, purpose): a
/// UniformRandomBitGenerator of 64-bit words, so Boost.Random's distributions run on it.
class KeyedStream {
 public:
  using result_type = std::uint64_t;

  KeyedStream(std::uint64_t seed_key, std::uint32_t trial, std::uint32_t entity,
              std::uint32_t month, Purpose purpose)
      : key_(key_words(seed_key)), ctr_(first_counter(trial, entity, month, purpose)) {}

  /// The same stream from its block number `block` on, given that block
  /// philox4x32_10(first_counter(...) + (0, 0, 0, block), key_words(seed_key)) computed already
  /// (e.g. many at once by block_words, random_batch.hpp): block 0 is the whole stream.
  KeyedStream(const std::array<std::uint32_t, 4>& computed_block, std::uint64_t seed_key,
              std::uint32_t trial, std::uint32_t entity, std::uint32_t month, Purpose purpose,
              std::uint32_t block = 0)
      : KeyedStream(seed_key, trial, entity, month, purpose) {
    block_ = computed_block;
    ctr_[3] = block + 1;
    have_ = 2;
  }

  /// Philox key and first counter of a stream: the stream's words are the blocks at
  /// counters first_counter, first_counter + (0, 0, 0, 1), ... under key_words(seed_key).
  static std::array<std::uint32_t, 2> key_words(std::uint64_t seed_key) {
    return {static_cast<std::uint32_t>(seed_key), static_cast<std::uint32_t>(seed_key >> 32)};
  }
  static std::array<std::uint32_t, 4> first_counter(std::uint32_t trial, std::uint32_t entity,
                                                    std::uint32_t month, Purpose purpose) {
    return {trial, entity, (month << 8) | static_cast<std::uint32_t>(purpose), 0u};
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    if (have_ == 0) {
      block_ = philox4x32_10(ctr_, key_);
      ++ctr_[3];
      have_ = 2;
    }
    --have_;
    const int i = 2 * (1 - have_);
    return (static_cast<std::uint64_t>(block_[static_cast<std::size_t>(i)]) << 32) |
           block_[static_cast<std::size_t>(i + 1)];
  }

  /// Uniform in [0, 1); draw yes/no events as `uniform() < p` so a higher p only adds events.
  double uniform() { return to_unit((*this)()); }

 private:
  std::array<std::uint32_t, 2> key_;
  std::array<std::uint32_t, 4> ctr_;
  std::array<std::uint32_t, 4> block_{};
  int have_ = 0;
};

/// A word drawn already (e.g. from a block shared by two purposes), then the words of a
/// KeyedStream: the purpose's own. A distribution that consumes a variable number of words
/// (Boost's ziggurat normal, on a rejection) takes the extra ones from that stream, so it
/// never shifts another purpose's draws.
class WordThenStream {
 public:
  using result_type = std::uint64_t;

  WordThenStream(std::uint64_t first_word, const KeyedStream& rest) : first_(first_word), rest_(rest) {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    if (used_) return rest_();
    used_ = true;
    return first_;
  }

 private:
  std::uint64_t first_;
  KeyedStream rest_;
  bool used_ = false;
};

/// Key for a run's seed.
inline std::uint64_t seed_key(std::uint64_t seed) { return splitmix64(seed); }

}  // namespace complab
