#include "complab/account_pass.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "complab/random.hpp"
#include "complab/random_batch.hpp"
#include "complab/vector_intrinsics.hpp"

namespace complab {
namespace {

// The month for the account at position k, in two steps (the vector paths run each over the
// list in turn and reproduce them): its health, then what follows from it.

/// Step 1, health (z = 0 without noise).
inline double health_one(const PassConstants& c, const PassAccounts& a, const PassReps& reps, std::size_t k,
                         PassSums& s) {
  const double shift = reps.health_shift[a.csm[k] + 1];
  const double target = clip01(c.health_base + shift - c.gap_effect * a.gap[k]);
  const double h = clip01(a.health[k] + c.health_reversion * (target - a.health[k]) + c.health_noise * a.z_health[k]);
  a.health[k] = h;
  s.health_micros += static_cast<std::int64_t>(h * 1e6 + 0.5);
  return h;
}

/// Step 2, usage ARR, and the account's events, given its health h this month.
inline void usage_and_events_one(const PassConstants& c, const PassAccounts& a, const PassReps& reps,
                                 std::size_t k, double h, PassEvent* events, PassSums& s) {
  // Usage-priced ARR follows health. Unconditional: without usage ARR the result is 0,
  // and without drift or noise the factor is exactly 1 and the ARR unchanged.
  const double factor = 1.0 + c.usage_drift * (h - 0.5) + c.usage_noise * a.z_usage[k];
  const std::int64_t before = a.arr_usage[k];
  // Cents times a factor, rounded half up to cents (the factor is >= 0).
  const double scaled = static_cast<double>(before) * std::max(0.0, factor) + 0.5;
  const bool within = scaled < kMaxArrCents;
  s.over_limit |= !within;
  const std::int64_t after = within ? static_cast<std::int64_t>(scaled) : before;
  a.arr_usage[k] = after;
  s.usage_up += std::max<std::int64_t>(0, after - before);
  s.usage_down += std::max<std::int64_t>(0, before - after);

  const int csm = a.csm[k];
  const bool due = a.renewal_month[k] == c.month;
  const bool closing = a.exp_close[k] == c.month;
  // Step 4's yes/no: the CSM may raise a CSQL unless a hand-off is pending after step 3.
  bool csql = false;
  if (c.csql_rate > 0 && csm >= 0 && (a.exp_close[k] < 0 || closing)) {
    const double gamma = c.csql_health_exponent;
    const double p_csql = c.csql_rate * reps.expansion_effort[csm + 1] * (gamma == 1.0 ? h : std::pow(h, gamma));
    csql = to_unit32(a.csql_bits[k]) < p_csql;
  }
  events[s.events] = PassEvent{static_cast<std::uint32_t>(k), csql, due};
  s.due += due;
  s.events += closing || csql || due;  // kept only with an event
}

#if defined(__x86_64__) && defined(__GNUC__)
// clip01: max(a, b) is a > b ? a : b and min(a, b) is a < b ? a : b, so -0 and NaN come
// through as clip01 lets them.
__attribute__((target("avx2"))) inline __m256d clip01_avx2(__m256d x) {
  return _mm256_min_pd(_mm256_set1_pd(1.0), _mm256_max_pd(_mm256_setzero_pd(), x));
}

// Integers in [0, 2^52) and doubles holding them convert exactly by way of 2^52's bits.
__attribute__((target("avx2"))) inline __m256d small_to_double(__m256i x) {
  const __m256d two52 = _mm256_set1_pd(0x1.0p52);
  return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(x, _mm256_castpd_si256(two52))), two52);
}
__attribute__((target("avx2"))) inline __m256i truncate_small(__m256d x) {
  const __m256d two52 = _mm256_set1_pd(0x1.0p52);
  const __m256d whole = _mm256_round_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  return _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(whole, two52)), _mm256_castpd_si256(two52));
}

__attribute__((target("avx2"))) inline std::int64_t sum_lanes(__m256i x) {
  alignas(32) std::int64_t lane[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lane), x);
  return lane[0] + lane[1] + lane[2] + lane[3];
}

__attribute__((target("avx2"))) PassSums account_pass_avx2(const PassConstants& c, const PassAccounts& a,
                                                          const PassReps& reps, std::size_t n, PassEvent* events) {
  PassSums s;
  const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0), half = _mm256_set1_pd(0.5);
  const __m256d million = _mm256_set1_pd(1e6), two52 = _mm256_set1_pd(0x1.0p52);
  const __m256d base = _mm256_set1_pd(c.health_base), reversion = _mm256_set1_pd(c.health_reversion);
  const __m256d noise = _mm256_set1_pd(c.health_noise), gap_effect = _mm256_set1_pd(c.gap_effect);
  const __m256d drift = _mm256_set1_pd(c.usage_drift), usage_sd = _mm256_set1_pd(c.usage_noise);
  const __m256d csql_rate = _mm256_set1_pd(c.csql_rate);
  const __m256i not_small = _mm256_set1_epi64x(~((std::int64_t{1} << 52) - 1));
  const __m256d two_32 = _mm256_set1_pd(0x1.0p-32);
  const __m128i month = _mm_set1_epi32(c.month), none = _mm_set1_epi32(-1);
  const double gamma = c.csql_health_exponent;
  const bool csql_possible = c.csql_rate > 0, gamma_one = gamma == 1.0;
  // Local copies: the vector stores may alias anything, the struct's pointers included.
  const int *const csm_of = a.csm, *const renewal_month = a.renewal_month, *const exp_close_of = a.exp_close;
  const double *const gap = a.gap, *const z_health = a.z_health, *const z_usage = a.z_usage;
  double* const health_of = a.health;
  std::int64_t* const arr_usage = a.arr_usage;
  const std::uint32_t* const csql_bits = a.csql_bits;
  const double *const health_shift = reps.health_shift, *const expansion_effort = reps.expansion_effort;
  // Two loops, health first: one loop with both would hold a chain of dependent operations
  // too long for the CPU to overlap many accounts.
  __m256i micros = _mm256_setzero_si256();
  std::size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    const int* const csm = csm_of + k;
    // Step 1, health, as health_one. The CSMs' values by plain loads: gathers are slow on some CPUs.
    const __m256d shift = _mm256_setr_pd(health_shift[csm[0] + 1], health_shift[csm[1] + 1], health_shift[csm[2] + 1],
                                         health_shift[csm[3] + 1]);
    const __m256d target = clip01_avx2(
        _mm256_sub_pd(_mm256_add_pd(base, shift), _mm256_mul_pd(gap_effect, _mm256_loadu_pd(gap + k))));
    const __m256d health = _mm256_loadu_pd(health_of + k);
    const __m256d h = clip01_avx2(_mm256_add_pd(_mm256_add_pd(health, _mm256_mul_pd(reversion, _mm256_sub_pd(target, health))),
                                                _mm256_mul_pd(noise, _mm256_loadu_pd(z_health + k))));
    _mm256_storeu_pd(health_of + k, h);
    // h is in [0, 1] (clipped; validated inputs keep it finite), so h * 1e6 + 0.5 < 2^31
    // and the 32-bit conversion truncates as the scalar code's 64-bit one.
    micros = _mm256_add_epi64(micros, _mm256_cvtepi32_epi64(_mm256_cvttpd_epi32(_mm256_add_pd(_mm256_mul_pd(h, million), half))));
  }
  for (; k < n; ++k) health_one(c, a, reps, k, s);
  s.health_micros += sum_lanes(micros);

  __m256i up = _mm256_setzero_si256(), down = _mm256_setzero_si256();
  for (k = 0; k + 4 <= n; k += 4) {
    const __m256d h = _mm256_loadu_pd(health_of + k);
    // Step 2, usage ARR, as usage_and_events_one, where the cents stay below 2^52 (exact
    // conversions; kMaxArrCents, beyond which the scalar code flags the account).
    const __m256d factor = _mm256_add_pd(_mm256_add_pd(one, _mm256_mul_pd(drift, _mm256_sub_pd(h, half))),
                                         _mm256_mul_pd(usage_sd, _mm256_loadu_pd(z_usage + k)));
    const __m256i before = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(arr_usage + k));
    // max(0, factor): 0 unless 0 < factor, as std::max(0.0, factor).
    const __m256d kept = _mm256_and_pd(factor, _mm256_cmp_pd(zero, factor, _CMP_LT_OQ));
    const __m256d scaled = _mm256_add_pd(_mm256_mul_pd(small_to_double(before), kept), half);
    if (!_mm256_testz_si256(before, not_small) || _mm256_movemask_pd(_mm256_cmp_pd(scaled, two52, _CMP_LT_OQ)) != 0xF) {
      for (std::size_t j = k; j < k + 4; ++j) usage_and_events_one(c, a, reps, j, health_of[j], events, s);
      continue;  // outside the exact range
    }
    const __m256i after = truncate_small(scaled);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(arr_usage + k), after);
    const __m256i gain = _mm256_sub_epi64(after, before), loss = _mm256_sub_epi64(before, after);
    up = _mm256_add_epi64(up, _mm256_and_si256(gain, _mm256_cmpgt_epi64(gain, _mm256_setzero_si256())));
    down = _mm256_add_epi64(down, _mm256_and_si256(loss, _mm256_cmpgt_epi64(loss, _mm256_setzero_si256())));

    // Renewal due, hand-off closing, step 4's yes/no, as usage_and_events_one.
    const int* const csm = csm_of + k;
    const __m128i exp_close = _mm_loadu_si128(reinterpret_cast<const __m128i*>(exp_close_of + k));
    const __m128i closing = _mm_cmpeq_epi32(exp_close, month);
    const int due = _mm_movemask_ps(_mm_castsi128_ps(
        _mm_cmpeq_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(renewal_month + k)), month)));
    int csql = 0;
    if (csql_possible) {
      const __m128i has_csm = _mm_cmpgt_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(csm)), none);
      const __m128i eligible = _mm_and_si128(has_csm, _mm_or_si128(_mm_cmplt_epi32(exp_close, _mm_setzero_si128()), closing));
      const int may = _mm_movemask_ps(_mm_castsi128_ps(eligible));
      if (may != 0) {
        const __m256d effort = _mm256_setr_pd(expansion_effort[csm[0] + 1], expansion_effort[csm[1] + 1],
                                              expansion_effort[csm[2] + 1], expansion_effort[csm[3] + 1]);
        __m256d h_power = h;
        if (!gamma_one) {
          alignas(32) double lane[4];
          _mm256_store_pd(lane, h);
          for (int j = 0; j < 4; ++j) lane[j] = (may >> j & 1) ? std::pow(lane[j], gamma) : 0.0;
          h_power = _mm256_load_pd(lane);
        }
        const __m256d p_csql = _mm256_mul_pd(_mm256_mul_pd(csql_rate, effort), h_power);
        // to_unit32: the 32-bit words, zero-extended, convert exactly.
        const __m256i bits = _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(csql_bits + k)));
        const __m256d u = _mm256_mul_pd(small_to_double(bits), two_32);
        csql = may & _mm256_movemask_pd(_mm256_cmp_pd(u, p_csql, _CMP_LT_OQ));
      }
    }
    int any = due | csql | _mm_movemask_ps(_mm_castsi128_ps(closing));
    s.due += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(due)));
    while (any != 0) {
      const int j = std::countr_zero(static_cast<unsigned>(any));
      events[s.events++] = PassEvent{static_cast<std::uint32_t>(k) + static_cast<std::uint32_t>(j),
                                     (csql >> j & 1) != 0, (due >> j & 1) != 0};
      any &= any - 1;
    }
  }
  s.usage_up += sum_lanes(up);
  s.usage_down += sum_lanes(down);
  for (; k < n; ++k) usage_and_events_one(c, a, reps, k, health_of[k], events, s);
  return s;
}

// AVX-512 F, DQ and VL.
#define COMPLAB_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))

// The lanes of a group of eight that hold accounts when `left` remain.
inline __mmask8 live_lanes(std::size_t left) {
  return left >= 8 ? __mmask8{0xFF} : static_cast<__mmask8>((1u << left) - 1);
}

COMPLAB_AVX512 inline __m512d clip01_avx512(__m512d x) {
  return _mm512_min_pd(_mm512_set1_pd(1.0), _mm512_max_pd(_mm512_setzero_pd(), x));
}

// As the AVX2 path, eight accounts at a time; the last few with their lanes masked off.
COMPLAB_AVX512 PassSums account_pass_avx512(const PassConstants& c, const PassAccounts& a, const PassReps& reps,
                                            std::size_t n, PassEvent* events) {
  PassSums s;
  const __m512d zero = _mm512_setzero_pd(), one = _mm512_set1_pd(1.0), half = _mm512_set1_pd(0.5);
  const __m512d million = _mm512_set1_pd(1e6), two52 = _mm512_set1_pd(0x1.0p52);
  const __m512d base = _mm512_set1_pd(c.health_base), reversion = _mm512_set1_pd(c.health_reversion);
  const __m512d noise = _mm512_set1_pd(c.health_noise), gap_effect = _mm512_set1_pd(c.gap_effect);
  const __m512d drift = _mm512_set1_pd(c.usage_drift), usage_sd = _mm512_set1_pd(c.usage_noise);
  const __m512d csql_rate = _mm512_set1_pd(c.csql_rate), two_32 = _mm512_set1_pd(0x1.0p-32);
  const __m512i not_small = _mm512_set1_epi64(~((std::int64_t{1} << 52) - 1)), zero_i = _mm512_setzero_si512();
  const __m256i month = _mm256_set1_epi32(c.month), none = _mm256_set1_epi32(-1);
  const double gamma = c.csql_health_exponent;
  const bool csql_possible = c.csql_rate > 0, gamma_one = gamma == 1.0;
  // Local copies: the vector stores may alias anything, the struct's pointers included.
  const int *const csm_of = a.csm, *const renewal_month = a.renewal_month, *const exp_close_of = a.exp_close;
  const double *const gap = a.gap, *const z_health = a.z_health, *const z_usage = a.z_usage;
  double* const health_of = a.health;
  std::int64_t* const arr_usage = a.arr_usage;
  const std::uint32_t* const csql_bits = a.csql_bits;
  // Indexed by the CSM itself: -1 reads entry 0.
  const double *const health_shift = reps.health_shift + 1, *const expansion_effort = reps.expansion_effort + 1;
  // Two loops, health first, as the AVX2 path.
  __m512i micros = zero_i;
  for (std::size_t k = 0; k < n; k += 8) {
    const __mmask8 live = live_lanes(n - k);
    // Step 1, health, as health_one. Masked gathers (as fast as plain loads here): a lane
    // past the end reads nothing.
    const __m256i csm = _mm256_maskz_loadu_epi32(live, csm_of + k);
    const __m512d shift = _mm512_mask_i32gather_pd(zero, live, csm, health_shift, 8);
    const __m512d target =
        clip01_avx512(_mm512_sub_pd(_mm512_add_pd(base, shift), _mm512_mul_pd(gap_effect, _mm512_maskz_loadu_pd(live, gap + k))));
    const __m512d health = _mm512_maskz_loadu_pd(live, health_of + k);
    const __m512d h = clip01_avx512(_mm512_add_pd(_mm512_add_pd(health, _mm512_mul_pd(reversion, _mm512_sub_pd(target, health))),
                                                  _mm512_mul_pd(noise, _mm512_maskz_loadu_pd(live, z_health + k))));
    _mm512_mask_storeu_pd(health_of + k, live, h);
    micros = _mm512_mask_add_epi64(micros, live, micros, _mm512_cvttpd_epi64(_mm512_add_pd(_mm512_mul_pd(h, million), half)));
  }
  s.health_micros += _mm512_reduce_add_epi64(micros);

  __m512i up = zero_i, down = zero_i;
  for (std::size_t k = 0; k < n; k += 8) {
    const __mmask8 live = live_lanes(n - k);
    const __m512d h = _mm512_maskz_loadu_pd(live, health_of + k);
    // Step 2, usage ARR, as usage_and_events_one, where the cents stay below 2^52 (exact
    // conversions; kMaxArrCents, beyond which the scalar code flags the account).
    const __m512d factor = _mm512_add_pd(_mm512_add_pd(one, _mm512_mul_pd(drift, _mm512_sub_pd(h, half))),
                                         _mm512_mul_pd(usage_sd, _mm512_maskz_loadu_pd(live, z_usage + k)));
    const __m512i before = _mm512_maskz_loadu_epi64(live, arr_usage + k);
    // max(0, factor): 0 unless 0 < factor, as std::max(0.0, factor).
    const __m512d kept = _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(zero, factor, _CMP_LT_OQ), factor);
    const __m512d scaled = _mm512_add_pd(_mm512_mul_pd(_mm512_cvtepi64_pd(before), kept), half);
    if (_mm512_test_epi64_mask(before, not_small) != 0 || _mm512_mask_cmp_pd_mask(live, scaled, two52, _CMP_LT_OQ) != live) {
      const std::size_t end = std::min(n, k + 8);
      for (std::size_t j = k; j < end; ++j) usage_and_events_one(c, a, reps, j, health_of[j], events, s);
      continue;  // outside the exact range
    }
    const __m512i after = _mm512_cvttpd_epi64(scaled);
    _mm512_mask_storeu_epi64(arr_usage + k, live, after);
    up = _mm512_add_epi64(up, _mm512_max_epi64(_mm512_sub_epi64(after, before), zero_i));
    down = _mm512_add_epi64(down, _mm512_max_epi64(_mm512_sub_epi64(before, after), zero_i));

    // Renewal due, hand-off closing, step 4's yes/no, as usage_and_events_one.
    const __m256i exp_close = _mm256_maskz_loadu_epi32(live, exp_close_of + k);
    const __mmask8 closing = _mm256_mask_cmpeq_epi32_mask(live, exp_close, month);
    const __mmask8 due = _mm256_mask_cmpeq_epi32_mask(live, _mm256_maskz_loadu_epi32(live, renewal_month + k), month);
    __mmask8 csql = 0;
    if (csql_possible) {
      const __m256i csm = _mm256_maskz_loadu_epi32(live, csm_of + k);
      const __mmask8 may = _mm256_mask_cmpgt_epi32_mask(live, csm, none) &
                           (_mm256_cmpgt_epi32_mask(_mm256_setzero_si256(), exp_close) | closing);
      if (may != 0) {
        const __m512d effort = _mm512_mask_i32gather_pd(zero, may, csm, expansion_effort, 8);
        __m512d h_power = h;
        if (!gamma_one) {
          alignas(64) double lane[8];
          _mm512_store_pd(lane, h);
          for (int j = 0; j < 8; ++j) lane[j] = (may >> j & 1) ? std::pow(lane[j], gamma) : 0.0;
          h_power = _mm512_load_pd(lane);
        }
        const __m512d p_csql = _mm512_mul_pd(_mm512_mul_pd(csql_rate, effort), h_power);
        // to_unit32: the 32-bit words convert exactly.
        const __m512d u = _mm512_mul_pd(_mm512_cvtepu32_pd(_mm256_maskz_loadu_epi32(may, csql_bits + k)), two_32);
        csql = _mm512_mask_cmp_pd_mask(may, u, p_csql, _CMP_LT_OQ);
      }
    }
    unsigned any = static_cast<unsigned>(due | csql | closing) & 0xFF;
    s.due += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(due)));
    while (any != 0) {
      const int j = std::countr_zero(any);
      events[s.events++] = PassEvent{static_cast<std::uint32_t>(k) + static_cast<std::uint32_t>(j),
                                     (csql >> j & 1) != 0, (due >> j & 1) != 0};
      any &= any - 1;
    }
  }
  s.usage_up += _mm512_reduce_add_epi64(up);
  s.usage_down += _mm512_reduce_add_epi64(down);
  return s;
}
#endif

}  // namespace

PassSums detail::account_pass_portable(const PassConstants& c, const PassAccounts& a, const PassReps& reps,
                                       std::size_t n, PassEvent* events) {
  PassSums s;
  for (std::size_t k = 0; k < n; ++k) usage_and_events_one(c, a, reps, k, health_one(c, a, reps, k, s), events, s);
  return s;
}

namespace {

PassSums account_pass_path(detail::SimdPath path, const PassConstants& c, const PassAccounts& a, const PassReps& reps,
                           std::size_t n, PassEvent* events) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (path == detail::SimdPath::avx512) return account_pass_avx512(c, a, reps, n, events);
  if (path == detail::SimdPath::avx2) return account_pass_avx2(c, a, reps, n, events);
#endif
  (void)path;
  return detail::account_pass_portable(c, a, reps, n, events);
}

}  // namespace

PassSums account_pass(const PassConstants& c, const PassAccounts& a, const PassReps& reps, std::size_t n,
                      PassEvent* events) {
  return account_pass_path(detail::simd_path(), c, a, reps, n, events);
}

PassSums detail::account_pass_on(SimdPath path, const PassConstants& c, const PassAccounts& a, const PassReps& reps,
                                 std::size_t n, PassEvent* events) {
  require_simd_path(path);
  return account_pass_path(path, c, a, reps, n, events);
}

}  // namespace complab
