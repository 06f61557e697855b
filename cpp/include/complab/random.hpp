#pragma once
/// \file random.hpp
/// Keyed random streams (MODEL.md §10). Every draw is a pure function of
/// (seed, trial, entity, month, purpose, counter): Philox4x32-10 with the seed as key and
/// the rest as counter. No engine belongs to a thread, so results do not depend on how
/// trials are spread over threads, and two runs that differ only in their plans see the
/// same draws for the same entity, month and purpose (common random numbers).
#include <array>
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
};

/// Uniform double in [0, 1) from the top 53 bits. Converts through a signed integer:
/// GCC's unsigned 64-bit conversion branches unpredictably (PERF-NOTES).
inline double to_unit(std::uint64_t x) {
  return static_cast<double>(static_cast<std::int64_t>(x >> 11)) * 0x1.0p-53;
}

/// A counter-based stream for one (trial, entity, month, purpose): a
/// UniformRandomBitGenerator of 64-bit words, so Boost.Random's distributions run on it.
class KeyedStream {
 public:
  using result_type = std::uint64_t;

  KeyedStream(std::uint64_t seed_key, std::uint32_t trial, std::uint32_t entity,
              std::uint32_t month, Purpose purpose)
      : key_{static_cast<std::uint32_t>(seed_key), static_cast<std::uint32_t>(seed_key >> 32)},
        ctr_{trial, entity, (month << 8) | static_cast<std::uint32_t>(purpose), 0u} {}

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

/// Key for a run's seed.
inline std::uint64_t seed_key(std::uint64_t seed) { return splitmix64(seed); }

}  // namespace complab
