#pragma once
/// \file random_batch.hpp
/// Many keyed draws at once, for the engine's per-account loops. One Philox block alone is
/// a chain of dependent multiplies; the blocks of many streams are independent, so computing
/// them together keeps the vector units busy. The values are exactly those of KeyedStream
/// (random.hpp) and of Boost's unit normal; tests/cpp/test_random_batch.cpp checks both.
#include <array>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "complab/random.hpp"
#include "complab/simd.hpp"

namespace complab {

/// The two words of block `block` (0, 1, ...) of KeyedStream(seed_key, trial, entity[j],
/// month, purpose) for j < n: `first[j]` is what its call number 2 block + 1 returns and
/// `second[j]` the next. AVX-512 or AVX2 where the CPU has it, chosen at run time
/// (detail::simd_path); the portable code gives the same words.
void block_words(std::uint64_t seed_key, std::uint32_t trial, const std::uint32_t* entity, std::size_t n,
                 std::uint32_t month, Purpose purpose, std::uint32_t block, std::uint64_t* first,
                 std::uint64_t* second);

/// unit_normal_first_word for `word[0..n)`: sets `z[k]` where the word is accepted and lists
/// the other positions, in order, in `declined` (room for n); returns how many it listed
/// (their `z` is left unspecified). AVX-512 or AVX2 where the CPU has it, with the same values.
std::size_t unit_normals_first_words(const std::uint64_t* word, std::size_t n, double* z,
                                     std::uint32_t* declined);

namespace detail {
/// block_words and unit_normals_first_words without SIMD, whatever the CPU (the tests
/// compare the two).
void block_words_portable(std::uint64_t seed_key, std::uint32_t trial, const std::uint32_t* entity,
                          std::size_t n, std::uint32_t month, Purpose purpose, std::uint32_t block,
                          std::uint64_t* first, std::uint64_t* second);
std::size_t unit_normals_first_words_portable(const std::uint64_t* word, std::size_t n, double* z,
                                              std::uint32_t* declined);

/// block_words and unit_normals_first_words on a given path, for the tests and the
/// benchmark; throws std::invalid_argument where the CPU lacks it (simd_path_supported).
void block_words_on(SimdPath path, std::uint64_t seed_key, std::uint32_t trial, const std::uint32_t* entity,
                    std::size_t n, std::uint32_t month, Purpose purpose, std::uint32_t block, std::uint64_t* first,
                    std::uint64_t* second);
/// split_account_month on `path` (the tests compare the paths).
void split_account_month_on(SimdPath path, std::uint64_t* first, std::uint64_t* second, std::size_t n,
                            std::uint32_t* yes_no);
std::size_t unit_normals_first_words_on(SimdPath path, const std::uint64_t* word, std::size_t n, double* z,
                                        std::uint32_t* declined);
}  // namespace detail

/// The Philox block whose two words are `first` and `second` (see block_words), for the
/// KeyedStream constructor that starts from a computed block.
inline std::array<std::uint32_t, 4> block_of(std::uint64_t first, std::uint64_t second) {
  return {static_cast<std::uint32_t>(first >> 32), static_cast<std::uint32_t>(first),
          static_cast<std::uint32_t>(second >> 32), static_cast<std::uint32_t>(second)};
}

/// The 64-bit first word Boost's ziggurat reads (unit_normal_first_word) made from 48 random
/// bits: their low 8 bits stay the low 8 bits (sign and layer), the other 40 become the top
/// 40 bits (the float, to 2^-40), the bits between are 0.
inline std::uint64_t normal_word_of_48(std::uint64_t bits) {
  return ((bits << 16) & ~std::uint64_t{0xFFFFFF}) | (bits & 0xFF);
}

/// Splits AccountMonth blocks (docs/model.md §2), whose two words are `first[k]` and
/// `second[k]` (block_words), in place: `first[k]` becomes the health normal's first word
/// (normal_word_of_48 of the first word's top 48 bits), `second[k]` the usage normal's (of
/// the second word's top 48 bits), and `yes_no[k]` the 32-bit word of the CSQL yes/no (the
/// first word's low 16 bits, then the second's). Vectorised on the kernels' path (bit
/// operations: every path gives the same words).
void split_account_month(std::uint64_t* first, std::uint64_t* second, std::size_t n, std::uint32_t* yes_no);

/// Boost 1.74's unit normal (ziggurat: unit_normal_distribution with
/// generate_int_float_pair<double, 8>) on a 64-bit generator whose first word is `word`,
/// in the common case where that word is accepted (about 97.2% of words): sets `z` and returns true.
/// Otherwise returns false, and the caller runs Boost's own code from that word.
inline bool unit_normal_first_word(std::uint64_t word, double& z) {
  const int bucket = static_cast<int>(word & 255);  // the low 8 bits: sign, then layer
  // The float is the top 56 bits with bit 11 cleared, as generate_int_float_pair builds it.
  const double r = static_cast<double>(static_cast<std::int64_t>((word & ~(std::uint64_t{1} << 11)) >> 8)) * 0x1.0p-56;
  const double* const table_x = boost::random::detail::normal_table<double>::table_x;
  const int layer = bucket >> 1;
  const double x = r * table_x[layer];
  if (!(x < table_x[layer + 1])) return false;
  z = x * static_cast<double>((bucket & 1) * 2 - 1);
  return true;
}

/// Boost's unit normal on a generator whose first word `word` was declined by
/// unit_normal_first_word and whose second word is `next_word`, where Boost's first wedge
/// test accepts it (about half the declined words): sets `z` and returns true. Otherwise (the tail,
/// a rejection, a second word that rounds to 1) returns false, and the caller runs Boost's
/// own code from `word`. The same operations, in the same order, as Boost 1.74's
/// unit_normal_distribution.
inline bool unit_normal_wedge(std::uint64_t word, std::uint64_t next_word, double& z) {
  const int bucket = static_cast<int>(word & 255);
  const double r = static_cast<double>(static_cast<std::int64_t>((word & ~(std::uint64_t{1} << 11)) >> 8)) * 0x1.0p-56;
  const double* const table_x = boost::random::detail::normal_table<double>::table_x;
  const double* const table_y = boost::random::detail::normal_table<double>::table_y;
  const int i = bucket >> 1;
  if (i == 0) return false;  // the tail
  const double x = r * table_x[i];
  // uniform_01 on a 64-bit word: the word times 2^-64, unless it rounds to 1.
  const double y01 = static_cast<double>(next_word) * 0x1.0p-64;
  if (!(y01 < 1.0)) return false;
  const double y = table_y[i] + y01 * (table_y[i + 1] - table_y[i]);
  const double chord = (table_x[i] - table_x[i + 1]) * y01 - (table_x[i] - x);
  const double tangent = y - (table_y[i] + (table_x[i] - x) * table_y[i] * table_x[i]);
  // Convex layers (x_i >= 1): above the chord rejects, below the tangent accepts; concave
  // layers swap the two bounds.
  const bool convex = table_x[i] >= 1;
  const double above_upper = convex ? chord : tangent, above_lower = convex ? tangent : chord;
  if (!(above_upper < 0)) return false;  // rejected: Boost draws again
  if (!(above_lower < 0) && !(y < std::exp(-(x * x / 2)))) return false;
  z = x * static_cast<double>((bucket & 1) * 2 - 1);
  return true;
}

/// boost::random::lognormal_distribution<double>(mu, sigma) on the stream whose next word is
/// `word`: exp(z * sigma + mu) with z the unit normal, from the word alone in the common case;
/// otherwise on `stream()`, that stream from the same word on (computed only then).
template <class StreamFromWord>
double lognormal_from_word(std::uint64_t word, double mu, double sigma, StreamFromWord&& stream) {
  double z;
  if (unit_normal_first_word(word, z)) return std::exp(z * sigma + mu);
  auto rest = stream();
  return boost::random::lognormal_distribution<double>(mu, sigma)(rest);
}

}  // namespace complab
