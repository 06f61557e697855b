#include "complab/random_batch.hpp"

#include <algorithm>
#include <bit>

#include "complab/vector_intrinsics.hpp"

namespace complab {
namespace {

// The streams differ only in their entity: counter (trial, entity, month << 8 | purpose, block).
struct Counter {
  std::uint32_t trial, tag, block;
  std::array<std::uint32_t, 2> key;
};

std::uint64_t high_low(std::uint32_t high, std::uint32_t low) {
  return (static_cast<std::uint64_t>(high) << 32) | low;
}

void block_words_portable(const Counter& c, const std::uint32_t* entity, std::size_t n,
                          std::uint64_t* first, std::uint64_t* second) {
  // Through philox4x32_10_lanes, a chunk at a time: independent blocks vectorise.
  std::array<std::uint32_t, kPhiloxLanes> w0, w1, w2, w3;
  for (std::size_t base = 0; base < n; base += kPhiloxLanes) {
    const std::size_t m = std::min(kPhiloxLanes, n - base);
    for (std::size_t j = 0; j < kPhiloxLanes; ++j) {
      w0[j] = c.trial, w1[j] = j < m ? entity[base + j] : 0u, w2[j] = c.tag, w3[j] = c.block;
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

// Per batch: what rounds 0 to 2 compute from the counter's constant words alone (trial,
// tag, block), and the later rounds' keys; the vector paths broadcast them. With only the
// entity varying, round 0 needs no multiply, rounds 1 and 2 one each instead of two.
struct FoldedCounter {
  std::uint32_t entity_mask;  // round 0: x0 = entity ^ entity_mask
  std::uint32_t round1_x3;    // round 1: x2 = hi(x0 * M0) ^ round1_x3
  std::uint32_t round2_x1;    // round 2: x0 = hi(x2 * M1) ^ round2_x1
  std::uint32_t round2_x2;    // round 2: x2 = x3 ^ round2_x2 (x3: lo of round 1's x0 * M0)
  std::uint32_t round2_x3;    // round 2: x3
  std::array<std::array<std::uint32_t, 2>, 10> key;
};

FoldedCounter fold(const Counter& counter) {
  FoldedCounter f;
  std::uint32_t k0 = counter.key[0], k1 = counter.key[1];
  for (auto& round : f.key) {
    round = {k0, k1};
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  const auto& keys = f.key;
  // Philox's round on the counter words (x0, x1, x2, x3) = (trial, entity, tag, block):
  // x0' = hi(x2 M1) ^ x1 ^ key0, x1' = lo(x2 M1), x2' = hi(x0 M0) ^ x3 ^ key1, x3' = lo(x0 M0).
  constexpr std::uint64_t M0 = 0xD2511F53, M1 = 0xCD9E8D57;
  auto hi = [](std::uint64_t p) { return static_cast<std::uint32_t>(p >> 32); };
  auto lo = [](std::uint64_t p) { return static_cast<std::uint32_t>(p); };
  const std::uint64_t r0_p0 = counter.trial * M0, r0_p1 = counter.tag * M1;
  // After round 0: x0 = entity ^ (hi(tag M1) ^ key0), x1 = lo(tag M1), x2 = hi(trial M0) ^ block ^ key1,
  // x3 = lo(trial M0).
  const std::uint32_t r0_x1 = lo(r0_p1), r0_x2 = hi(r0_p0) ^ counter.block ^ keys[0][1], r0_x3 = lo(r0_p0);
  // Round 1: x0' = hi(x2 M1) ^ x1 ^ key0 and x1' = lo(x2 M1) are constant.
  const std::uint64_t r1_p1 = r0_x2 * M1;
  const std::uint32_t r1_x0 = hi(r1_p1) ^ r0_x1 ^ keys[1][0], r1_x1 = lo(r1_p1);
  // Round 2: x0 M0 is constant.
  const std::uint64_t r2_p0 = r1_x0 * M0;
  f.entity_mask = hi(r0_p1) ^ keys[0][0];
  f.round1_x3 = r0_x3 ^ keys[1][1];
  f.round2_x1 = r1_x1 ^ keys[2][0];
  f.round2_x2 = hi(r2_p0) ^ keys[2][1];
  f.round2_x3 = lo(r2_p0);
  return f;
}

struct Avx2Counter {
  __m256i entity_mask, round1_x3, round2_x1, round2_x2, round2_x3;
  __m256i key[10][2];
};

__attribute__((target("avx2"))) inline void eight_blocks_avx2(const Avx2Counter& c, const std::uint32_t* entity,
                                                             std::uint64_t* first, std::uint64_t* second) {
  constexpr int kGroups = kAvx2Lanes / 4;
  const __m256i m0 = _mm256_set1_epi64x(0xD2511F53), m1 = _mm256_set1_epi64x(0xCD9E8D57);
  const __m256i low = _mm256_set1_epi64x(0xFFFFFFFF);
  __m256i x[kGroups][4];
  for (int g = 0; g < kGroups; ++g) {
    const __m256i e = _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(entity + 4 * g)));
    // Rounds 0 and 1: x0, x1 come out constant; x2, x3 depend on the entity.
    const __m256i p0 = _mm256_mul_epu32(_mm256_xor_si256(e, c.entity_mask), m0);
    const __m256i x2 = _mm256_xor_si256(_mm256_srli_epi64(p0, 32), c.round1_x3);
    // Round 2: its x0 * M0 is constant.
    const __m256i p1 = _mm256_mul_epu32(x2, m1);
    x[g][0] = _mm256_xor_si256(_mm256_srli_epi64(p1, 32), c.round2_x1);
    x[g][1] = p1;
    x[g][2] = _mm256_xor_si256(p0, c.round2_x2);
    x[g][3] = c.round2_x3;
  }
  for (int round = 3; round < 10; ++round) {
    const __m256i key0 = c.key[round][0], key1 = c.key[round][1];
    for (int g = 0; g < kGroups; ++g) {
      const __m256i p0 = _mm256_mul_epu32(x[g][0], m0), p1 = _mm256_mul_epu32(x[g][2], m1);
      x[g][0] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x[g][1]), key0);
      x[g][1] = p1;
      x[g][2] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x[g][3]), key1);
      x[g][3] = p0;
    }
  }
  for (int g = 0; g < kGroups; ++g) {
    const __m256i w0 = _mm256_or_si256(_mm256_slli_epi64(x[g][0], 32), _mm256_and_si256(x[g][1], low));
    const __m256i w1 = _mm256_or_si256(_mm256_slli_epi64(x[g][2], 32), _mm256_and_si256(x[g][3], low));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(first + 4 * g), w0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(second + 4 * g), w1);
  }
}

__attribute__((target("avx2"))) void block_words_avx2(const Counter& counter, const std::uint32_t* entity,
                                                      std::size_t n, std::uint64_t* first,
                                                      std::uint64_t* second) {
  const FoldedCounter folded = fold(counter);
  Avx2Counter c;
  for (std::size_t r = 0; r < 10; ++r) {
    c.key[r][0] = _mm256_set1_epi64x(folded.key[r][0]);
    c.key[r][1] = _mm256_set1_epi64x(folded.key[r][1]);
  }
  c.entity_mask = _mm256_set1_epi64x(folded.entity_mask);
  c.round1_x3 = _mm256_set1_epi64x(folded.round1_x3);
  c.round2_x1 = _mm256_set1_epi64x(folded.round2_x1);
  c.round2_x2 = _mm256_set1_epi64x(folded.round2_x2);
  c.round2_x3 = _mm256_set1_epi64x(folded.round2_x3);
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

// unit_normal_first_word, four words at a time. The 56-bit integer is converted as two
// exact halves whose sum is rounded once, which is the correctly rounded conversion the
// scalar code's cvtsi2sd makes (AVX2 has no packed 64-bit integer conversion). The table
// is read as (table_x[i], table_x[i + 1]) pairs with plain loads: gathers are slow on many
// CPUs.
struct ZigguratPairs {
  alignas(16) double pair[128][2];
  ZigguratPairs() {
    const double* const table_x = boost::random::detail::normal_table<double>::table_x;
    for (int i = 0; i < 128; ++i) pair[i][0] = table_x[i], pair[i][1] = table_x[i + 1];
  }
};

__attribute__((target("avx2"))) std::size_t unit_normals_avx2(const std::uint64_t* word, std::size_t n,
                                                              double* z, std::uint32_t* declined) {
  static const ZigguratPairs table;
  const __m256i clear_bit11 = _mm256_set1_epi64x(~std::int64_t{1 << 11});
  const __m256i low32 = _mm256_set1_epi64x(0xFFFFFFFF), one = _mm256_set1_epi64x(1);
  const __m256i exponent52 = _mm256_set1_epi64x(0x4330000000000000);  // 2^52 as a double's bits
  const __m256d two52 = _mm256_set1_pd(0x1.0p52), two32 = _mm256_set1_pd(0x1.0p32), two_56 = _mm256_set1_pd(0x1.0p-56);
  const __m256i sign_bit = _mm256_set1_epi64x(std::int64_t{1} << 63);
  std::size_t m = 0, k = 0;
  for (; k + 4 <= n; k += 4) {
    const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(word + k));
    const __m128d p0 = _mm_load_pd(table.pair[(word[k] & 255) >> 1]), p1 = _mm_load_pd(table.pair[(word[k + 1] & 255) >> 1]);
    const __m128d p2 = _mm_load_pd(table.pair[(word[k + 2] & 255) >> 1]), p3 = _mm_load_pd(table.pair[(word[k + 3] & 255) >> 1]);
    const __m256d p02 = _mm256_set_m128d(p2, p0), p13 = _mm256_set_m128d(p3, p1);
    const __m256d layer_x = _mm256_unpacklo_pd(p02, p13), bound = _mm256_unpackhi_pd(p02, p13);
    const __m256i v = _mm256_srli_epi64(_mm256_and_si256(w, clear_bit11), 8);
    const __m256d hi = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(v, 32), exponent52)), two52);
    const __m256d lo = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(v, low32), exponent52)), two52);
    const __m256d r = _mm256_mul_pd(_mm256_add_pd(_mm256_mul_pd(hi, two32), lo), two_56);
    const __m256d x = _mm256_mul_pd(r, layer_x);
    const int accepted = _mm256_movemask_pd(_mm256_cmp_pd(x, bound, _CMP_LT_OQ));
    // Even words are negative: x * -1.0 is x with its sign bit set.
    const __m256i negative = _mm256_cmpeq_epi64(_mm256_and_si256(w, one), _mm256_setzero_si256());
    _mm256_storeu_pd(z + k, _mm256_xor_pd(x, _mm256_castsi256_pd(_mm256_and_si256(negative, sign_bit))));
    if (accepted != 0xF) {
      for (int j = 0; j < 4; ++j) {
        if (!(accepted >> j & 1)) declined[m++] = static_cast<std::uint32_t>(k) + static_cast<std::uint32_t>(j);
      }
    }
  }
  for (; k < n; ++k) {
    if (!unit_normal_first_word(word[k], z[k])) declined[m++] = static_cast<std::uint32_t>(k);
  }
  return m;
}

// AVX-512 F, DQ and VL.
#define COMPLAB_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))

// The lanes of a group of eight that hold items when `left` remain.
inline __mmask8 live_lanes(std::size_t left) {
  return left >= 8 ? __mmask8{0xFF} : static_cast<__mmask8>((1u << left) - 1);
}

// As the AVX2 path, eight lanes in 64-bit slots a vector, with up to four groups in flight
// to hide the multiplies' latency; a three-way XOR is one ternary-logic instruction.
struct Avx512Counter {
  __m512i entity_mask, round1_x3, round2_x1, round2_x2, round2_x3;
  __m512i key[10][2];
};

// Blocks for entity[0, m), 8 (kGroups - 1) < m <= 8 kGroups: every group holds an item;
// the lanes past m are masked off.
template <int kGroups>
COMPLAB_AVX512 inline void blocks_avx512(const Avx512Counter& c, const std::uint32_t* entity, std::size_t m,
                                         std::uint64_t* first, std::uint64_t* second) {
  const __m512i m0 = _mm512_set1_epi64(0xD2511F53), m1 = _mm512_set1_epi64(0xCD9E8D57);
  constexpr int kXor3 = 0x96;  // a ^ b ^ c
  __m512i x[kGroups][4];
  __mmask8 live[kGroups];
  for (int g = 0; g < kGroups; ++g) {
    live[g] = live_lanes(m - 8 * static_cast<std::size_t>(g));
    const __m512i e = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(live[g], entity + 8 * g));
    const __m512i p0 = _mm512_mul_epu32(_mm512_xor_si512(e, c.entity_mask), m0);
    const __m512i x2 = _mm512_xor_si512(_mm512_srli_epi64(p0, 32), c.round1_x3);
    const __m512i p1 = _mm512_mul_epu32(x2, m1);
    x[g][0] = _mm512_xor_si512(_mm512_srli_epi64(p1, 32), c.round2_x1);
    x[g][1] = p1;
    x[g][2] = _mm512_xor_si512(p0, c.round2_x2);
    x[g][3] = c.round2_x3;
  }
  for (int round = 3; round < 10; ++round) {
    const __m512i key0 = c.key[round][0], key1 = c.key[round][1];
    for (int g = 0; g < kGroups; ++g) {
      const __m512i p0 = _mm512_mul_epu32(x[g][0], m0), p1 = _mm512_mul_epu32(x[g][2], m1);
      x[g][0] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), x[g][1], key0, kXor3);
      x[g][1] = p1;
      x[g][2] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), x[g][3], key1, kXor3);
      x[g][3] = p0;
    }
  }
  for (int g = 0; g < kGroups; ++g) {
    // Each slot's high half from x0 (x2), its low half from x1 (x3).
    const __m512i w0 = _mm512_mask_blend_epi32(0xAAAA, x[g][1], _mm512_slli_epi64(x[g][0], 32));
    const __m512i w1 = _mm512_mask_blend_epi32(0xAAAA, x[g][3], _mm512_slli_epi64(x[g][2], 32));
    _mm512_mask_storeu_epi64(first + 8 * g, live[g], w0);
    _mm512_mask_storeu_epi64(second + 8 * g, live[g], w1);
  }
}

COMPLAB_AVX512 void block_words_avx512(const Counter& counter, const std::uint32_t* entity, std::size_t n,
                                       std::uint64_t* first, std::uint64_t* second) {
  const FoldedCounter f = fold(counter);
  Avx512Counter c;
  for (std::size_t r = 0; r < 10; ++r) {
    c.key[r][0] = _mm512_set1_epi64(f.key[r][0]);
    c.key[r][1] = _mm512_set1_epi64(f.key[r][1]);
  }
  c.entity_mask = _mm512_set1_epi64(f.entity_mask);
  c.round1_x3 = _mm512_set1_epi64(f.round1_x3);
  c.round2_x1 = _mm512_set1_epi64(f.round2_x1);
  c.round2_x2 = _mm512_set1_epi64(f.round2_x2);
  c.round2_x3 = _mm512_set1_epi64(f.round2_x3);
  std::size_t base = 0;
  for (; base + 32 <= n; base += 32) blocks_avx512<4>(c, entity + base, 32, first + base, second + base);
  // The rest in as few groups as it needs: small batches (the rare draws) are common.
  const std::size_t m = n - base;
  switch ((m + 7) / 8) {
    case 1: return blocks_avx512<1>(c, entity + base, m, first + base, second + base);
    case 2: return blocks_avx512<2>(c, entity + base, m, first + base, second + base);
    case 3: return blocks_avx512<3>(c, entity + base, m, first + base, second + base);
    case 4: return blocks_avx512<4>(c, entity + base, m, first + base, second + base);
    default: return;
  }
}

// unit_normal_first_word, eight words at a time. AVX-512 DQ converts 64-bit integers
// correctly rounded, as the scalar code's cvtsi2sd. The table by two gathers: faster on a
// Xeon than the AVX2 path's plain loads of pairs (0.53 against 0.71 ns a normal).
COMPLAB_AVX512 std::size_t unit_normals_avx512(const std::uint64_t* word, std::size_t n, double* z,
                                               std::uint32_t* declined) {
  const double* const table_x = boost::random::detail::normal_table<double>::table_x;
  const __m512i clear_bit11 = _mm512_set1_epi64(~std::int64_t{1 << 11}), byte = _mm512_set1_epi64(255);
  const __m512i one = _mm512_set1_epi64(1);
  const __m512d two_56 = _mm512_set1_pd(0x1.0p-56), sign_bit = _mm512_set1_pd(-0.0);
  std::size_t m = 0;
  for (std::size_t k = 0; k < n; k += 8) {
    const __mmask8 live = live_lanes(n - k);
    const __m512i w = _mm512_maskz_loadu_epi64(live, word + k);
    const __m512i layer = _mm512_srli_epi64(_mm512_and_si512(w, byte), 1);
    const __m512d layer_x = _mm512_i64gather_pd(layer, table_x, 8), bound = _mm512_i64gather_pd(layer, table_x + 1, 8);
    const __m512d r = _mm512_mul_pd(_mm512_cvtepi64_pd(_mm512_srli_epi64(_mm512_and_si512(w, clear_bit11), 8)), two_56);
    const __m512d x = _mm512_mul_pd(r, layer_x);
    const __mmask8 accepted = _mm512_cmp_pd_mask(x, bound, _CMP_LT_OQ);
    // Even words are negative: x * -1.0 is x with its sign bit set.
    const __mmask8 negative = _mm512_testn_epi64_mask(w, one);
    _mm512_mask_storeu_pd(z + k, live, _mm512_mask_xor_pd(x, negative, x, sign_bit));
    unsigned rest = static_cast<unsigned>(live & ~accepted) & 0xFF;
    while (rest != 0) {
      declined[m++] = static_cast<std::uint32_t>(k) + static_cast<std::uint32_t>(std::countr_zero(rest));
      rest &= rest - 1;
    }
  }
  return m;
}
#endif

Counter counter_of(std::uint64_t seed_key, std::uint32_t trial, std::uint32_t month, Purpose purpose,
                   std::uint32_t block) {
  const auto ctr = KeyedStream::first_counter(trial, 0, month, purpose);
  return {ctr[0], ctr[2], ctr[3] + block, KeyedStream::key_words(seed_key)};
}

}  // namespace

void detail::block_words_portable(std::uint64_t seed_key, std::uint32_t trial, const std::uint32_t* entity,
                                  std::size_t n, std::uint32_t month, Purpose purpose, std::uint32_t block,
                                  std::uint64_t* first, std::uint64_t* second) {
  block_words_portable(counter_of(seed_key, trial, month, purpose, block), entity, n, first, second);
}

std::size_t detail::unit_normals_first_words_portable(const std::uint64_t* word, std::size_t n, double* z,
                                                      std::uint32_t* declined) {
  std::size_t m = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (!unit_normal_first_word(word[k], z[k])) declined[m++] = static_cast<std::uint32_t>(k);
  }
  return m;
}

namespace {

// split_account_month's loop, compiled for each path and vectorised by the compiler.
[[gnu::always_inline]] inline void split_words(std::uint64_t* __restrict first, std::uint64_t* __restrict second,
                                               std::size_t n, std::uint32_t* __restrict yes_no) {
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint64_t a = first[k], b = second[k];
    yes_no[k] = static_cast<std::uint32_t>((a & 0xFFFF) | ((b & 0xFFFF) << 16));
    first[k] = normal_word_of_48(a >> 16);
    second[k] = normal_word_of_48(b >> 16);
  }
}
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) void split_words_avx2(std::uint64_t* first, std::uint64_t* second, std::size_t n,
                                                      std::uint32_t* yes_no) {
  split_words(first, second, n, yes_no);
}
__attribute__((target("avx512f,avx512dq,avx512vl"))) void split_words_avx512(std::uint64_t* first,
                                                                             std::uint64_t* second, std::size_t n,
                                                                             std::uint32_t* yes_no) {
  split_words(first, second, n, yes_no);
}
#endif

void split_path(detail::SimdPath path, std::uint64_t* first, std::uint64_t* second, std::size_t n,
                std::uint32_t* yes_no) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (path == detail::SimdPath::avx512) return split_words_avx512(first, second, n, yes_no);
  if (path == detail::SimdPath::avx2) return split_words_avx2(first, second, n, yes_no);
#endif
  (void)path;
  split_words(first, second, n, yes_no);
}

std::size_t unit_normals_path(detail::SimdPath path, const std::uint64_t* word, std::size_t n, double* z,
                              std::uint32_t* declined) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (path == detail::SimdPath::avx512) return unit_normals_avx512(word, n, z, declined);
  if (path == detail::SimdPath::avx2) return unit_normals_avx2(word, n, z, declined);
#endif
  (void)path;
  return detail::unit_normals_first_words_portable(word, n, z, declined);
}

void block_words_path(detail::SimdPath path, const Counter& c, const std::uint32_t* entity, std::size_t n,
                      std::uint64_t* first, std::uint64_t* second) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (path == detail::SimdPath::avx512) return block_words_avx512(c, entity, n, first, second);
  if (path == detail::SimdPath::avx2) return block_words_avx2(c, entity, n, first, second);
#endif
  (void)path;
  block_words_portable(c, entity, n, first, second);
}

}  // namespace

std::size_t unit_normals_first_words(const std::uint64_t* word, std::size_t n, double* z, std::uint32_t* declined) {
  return unit_normals_path(detail::simd_path(), word, n, z, declined);
}

void split_account_month(std::uint64_t* first, std::uint64_t* second, std::size_t n, std::uint32_t* yes_no) {
  split_path(detail::simd_path(), first, second, n, yes_no);
}

void detail::split_account_month_on(SimdPath path, std::uint64_t* first, std::uint64_t* second, std::size_t n,
                                    std::uint32_t* yes_no) {
  require_simd_path(path);
  split_path(path, first, second, n, yes_no);
}

void block_words(std::uint64_t seed_key, std::uint32_t trial, const std::uint32_t* entity, std::size_t n,
                 std::uint32_t month, Purpose purpose, std::uint32_t block, std::uint64_t* first,
                 std::uint64_t* second) {
  block_words_path(detail::simd_path(), counter_of(seed_key, trial, month, purpose, block), entity, n, first, second);
}

std::size_t detail::unit_normals_first_words_on(SimdPath path, const std::uint64_t* word, std::size_t n, double* z,
                                                std::uint32_t* declined) {
  require_simd_path(path);
  return unit_normals_path(path, word, n, z, declined);
}

void detail::block_words_on(SimdPath path, std::uint64_t seed_key, std::uint32_t trial, const std::uint32_t* entity,
                            std::size_t n, std::uint32_t month, Purpose purpose, std::uint32_t block,
                            std::uint64_t* first, std::uint64_t* second) {
  require_simd_path(path);
  block_words_path(path, counter_of(seed_key, trial, month, purpose, block), entity, n, first, second);
}

}  // namespace complab
