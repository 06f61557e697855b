#include "complab/random_batch.hpp"

#include <algorithm>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace complab {
namespace {

// The streams differ only in their entity: counter (trial, entity, month << 8 | purpose, 0).
struct Counter {
  std::uint32_t trial, tag;
  std::array<std::uint32_t, 2> key;
};

std::uint64_t high_low(std::uint32_t high, std::uint32_t low) {
  return (static_cast<std::uint64_t>(high) << 32) | low;
}

void first_words_portable(const Counter& c, const std::uint32_t* entity, std::size_t n,
                          std::uint64_t* first, std::uint64_t* second) {
  // Through philox4x32_10_lanes, a chunk at a time: independent blocks vectorise.
  std::array<std::uint32_t, kPhiloxLanes> w0, w1, w2, w3;
  for (std::size_t base = 0; base < n; base += kPhiloxLanes) {
    const std::size_t m = std::min(kPhiloxLanes, n - base);
    for (std::size_t j = 0; j < kPhiloxLanes; ++j) {
      w0[j] = c.trial, w1[j] = j < m ? entity[base + j] : 0u, w2[j] = c.tag, w3[j] = 0u;
    }
    philox4x32_10_lanes(w0.data(), w1.data(), w2.data(), w3.data(), kPhiloxLanes, c.key);
    for (std::size_t j = 0; j < m; ++j) {
      first[base + j] = high_low(w0[j], w1[j]);
      second[base + j] = high_low(w2[j], w3[j]);
    }
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
// Lanes sit in 64-bit slots: _mm256_mul_epu32 reads only each slot's low 32 bits, so the
// rounds need no shuffles and the high halves may hold garbage until the words are
// assembled. Two groups of four lanes at a time: one group's chain of dependent multiplies
// alone leaves the multiplier idle. Integer arithmetic: the portable code's words.
constexpr std::size_t kAvx2Lanes = 8;

__attribute__((target("avx2"))) inline void eight_blocks_avx2(const Counter& c, const std::uint32_t* entity,
                                                             std::uint64_t* first, std::uint64_t* second) {
  constexpr int kGroups = kAvx2Lanes / 4;
  const __m256i m0 = _mm256_set1_epi64x(0xD2511F53), m1 = _mm256_set1_epi64x(0xCD9E8D57);
  const __m256i low = _mm256_set1_epi64x(0xFFFFFFFF);
  __m256i x[kGroups][4];
  for (int g = 0; g < kGroups; ++g) {
    x[g][0] = _mm256_set1_epi64x(c.trial);
    x[g][1] = _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(entity + 4 * g)));
    x[g][2] = _mm256_set1_epi64x(c.tag);
    x[g][3] = _mm256_setzero_si256();
  }
  std::uint32_t k0 = c.key[0], k1 = c.key[1];
  for (int round = 0; round < 10; ++round) {
    const __m256i key0 = _mm256_set1_epi64x(k0), key1 = _mm256_set1_epi64x(k1);
    for (int g = 0; g < kGroups; ++g) {
      const __m256i p0 = _mm256_mul_epu32(x[g][0], m0), p1 = _mm256_mul_epu32(x[g][2], m1);
      x[g][0] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x[g][1]), key0);
      x[g][1] = p1;
      x[g][2] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x[g][3]), key1);
      x[g][3] = p0;
    }
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  for (int g = 0; g < kGroups; ++g) {
    const __m256i w0 = _mm256_or_si256(_mm256_slli_epi64(x[g][0], 32), _mm256_and_si256(x[g][1], low));
    const __m256i w1 = _mm256_or_si256(_mm256_slli_epi64(x[g][2], 32), _mm256_and_si256(x[g][3], low));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(first + 4 * g), w0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(second + 4 * g), w1);
  }
}

__attribute__((target("avx2"))) void first_words_avx2(const Counter& c, const std::uint32_t* entity,
                                                      std::size_t n, std::uint64_t* first,
                                                      std::uint64_t* second) {
  std::size_t base = 0;
  for (; base + kAvx2Lanes <= n; base += kAvx2Lanes) eight_blocks_avx2(c, entity + base, first + base, second + base);
  if (base == n) return;
  // The last few through padded copies: small batches (the rare draws) are common.
  std::array<std::uint32_t, kAvx2Lanes> e{};
  std::array<std::uint64_t, kAvx2Lanes> f, s;
  const std::size_t m = n - base;
  std::copy_n(entity + base, m, e.begin());
  eight_blocks_avx2(c, e.data(), f.data(), s.data());
  std::copy_n(f.begin(), m, first + base);
  std::copy_n(s.begin(), m, second + base);
}
#endif

Counter counter_of(std::uint64_t seed_key, std::uint32_t trial, std::uint32_t month, Purpose purpose) {
  const auto ctr = KeyedStream::first_counter(trial, 0, month, purpose);
  return {ctr[0], ctr[2], KeyedStream::key_words(seed_key)};
}

}  // namespace

void detail::first_words_portable(std::uint64_t seed_key, std::uint32_t trial, const std::uint32_t* entity,
                                  std::size_t n, std::uint32_t month, Purpose purpose, std::uint64_t* first,
                                  std::uint64_t* second) {
  first_words_portable(counter_of(seed_key, trial, month, purpose), entity, n, first, second);
}

void first_words(std::uint64_t seed_key, std::uint32_t trial, const std::uint32_t* entity, std::size_t n,
                 std::uint32_t month, Purpose purpose, std::uint64_t* first, std::uint64_t* second) {
  const Counter c = counter_of(seed_key, trial, month, purpose);
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return first_words_avx2(c, entity, n, first, second);
#endif
  first_words_portable(c, entity, n, first, second);
}

}  // namespace complab
