#include "complab/book_terms.hpp"

#include "complab/plan.hpp"  // kContractMonths
#include "complab/vector_intrinsics.hpp"

namespace complab {
namespace {

// The loop, compiled for each vector path (simd.hpp): selects, not branches, and the
// operations of one account at a time in the same order, so every path gives its bits.
[[gnu::always_inline]] inline void terms_from(const BookTermsIn& in, const BookTermsOut& out, std::size_t from) {
  const std::uint32_t* __restrict account = in.account;
  const int *__restrict csm = in.csm, *__restrict renewal_month = in.renewal_month, *__restrict exp_close = in.exp_close;
  const double *__restrict health = in.health, *__restrict health_power = in.health_power, *__restrict churn_p = in.churn_p;
  const std::int64_t *__restrict arr_usage = in.arr_usage, *__restrict arr_fixed = in.arr_fixed;
  const int* __restrict ae = in.ae;
  const double *__restrict reach_of = in.renewal_reach, *__restrict follow_up = in.follow_up,
               *__restrict follow_up_ratio = in.follow_up_ratio;
  double *__restrict churn_arr = out.churn_arr, *__restrict churn_logos = out.churn_logos, *__restrict usage = out.usage;
  double *__restrict csql = out.csql, *__restrict csql_value = out.csql_value, *__restrict csql_wins = out.csql_wins,
         *__restrict csql_win_value = out.csql_win_value;
  const int t = in.t, last = in.last;
  const double lambda_h = in.lambda_h, drift = in.usage_drift, usage_reach = in.usage_reach;
  const double rate_scale = in.csql_rate, upsell = in.upsell_fraction, acceptance = in.acceptance;
  const bool csql_possible = in.csql_rate > 0, csql_window = in.csql_window;
  const std::size_t n = in.n;
  for (std::size_t k = from; k < n; ++k) {
    const std::uint32_t i = account[k];
    const double arr = static_cast<double>(arr_fixed[i] + arr_usage[k]) / 100.0, h = health[k];
    const bool has_csm = csm[k] >= 0;
    // An active account renews within the coming 12 months (1 <= d <= 12); clamped so a
    // loaded book's odd date cannot read outside the table.
    const int d = renewal_month[k] - t + 1;
    const int d_index = d < 1 ? 1 : (d > kContractMonths ? kContractMonths : d);
    const double pc = churn_p[k], reach = reach_of[d_index];
    const bool sensitive = has_csm & (renewal_month[k] <= last) & (pc > 0.0) & (pc < 1.0);
    churn_arr[k] = sensitive ? arr * lambda_h * pc * reach : 0.0;
    churn_logos[k] = sensitive ? lambda_h * pc * reach : 0.0;
    usage[k] = has_csm ? static_cast<double>(arr_usage[k]) / 100.0 * drift * usage_reach : 0.0;
    // As the month's pass: a hand-off closing this month no longer blocks a CSQL.
    const bool raises = has_csm & ((exp_close[k] < 0) | (exp_close[k] == t)) & csql_possible;
    const double rate = rate_scale * health_power[k];  // process::csql_rate
    const double value = upsell * arr;
    csql[k] = raises ? rate : 0.0;
    csql_value[k] = raises ? rate * value : 0.0;
    const int a = ae[i];
    const bool wins = raises & (a >= 0) & csql_window;
    const auto ai = static_cast<std::size_t>(a >= 0 ? a : 0);
    const double x = follow_up[ai] * h * follow_up_ratio[ai];
    const double win = acceptance * (x < 1.0 ? x : 1.0);  // std::min(1.0, x)
    csql_wins[k] = wins ? rate * win : 0.0;
    csql_win_value[k] = wins ? rate * win * value : 0.0;
  }
}
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) void book_terms_avx2(const BookTermsIn& in, const BookTermsOut& out) {
  terms_from(in, out, 0);
}
// Eight accounts at a time with book_terms' operations in its order (no FMA), the per-account
// and per-AE values by gathers; the last few accounts through book_terms.
__attribute__((target("avx512f,avx512dq,avx512vl"))) void book_terms_avx512(const BookTermsIn& in,
                                                                            const BookTermsOut& out) {
  const __m512d zero = _mm512_setzero_pd(), one = _mm512_set1_pd(1.0), hundred = _mm512_set1_pd(100.0);
  const __m512d lambda_h = _mm512_set1_pd(in.lambda_h), drift = _mm512_set1_pd(in.usage_drift);
  const __m512d usage_reach = _mm512_set1_pd(in.usage_reach), rate_scale = _mm512_set1_pd(in.csql_rate);
  const __m512d upsell = _mm512_set1_pd(in.upsell_fraction), acceptance = _mm512_set1_pd(in.acceptance);
  const __m256i t = _mm256_set1_epi32(in.t), last = _mm256_set1_epi32(in.last), none = _mm256_setzero_si256();
  const __m256i first_month = _mm256_set1_epi32(1), last_month = _mm256_set1_epi32(kContractMonths);
  const __mmask8 csql_possible = in.csql_rate > 0 ? 0xFF : 0, csql_window = in.csql_window ? 0xFF : 0;
  const auto* const ae_of = reinterpret_cast<const int*>(in.ae);
  const auto* const fixed_of = reinterpret_cast<const long long*>(in.arr_fixed);
  std::size_t k = 0;
  for (; k + 8 <= in.n; k += 8) {
    // Account indices are below 2^31 (they count accounts), so signed 32-bit gathers take them.
    const __m256i account = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in.account + k));
    const __m512i usage_cents = _mm512_loadu_si512(in.arr_usage + k);
    const __m512i fixed = _mm512_i32gather_epi64(account, fixed_of, 8);
    const __m512d arr = _mm512_div_pd(_mm512_cvtepi64_pd(_mm512_add_epi64(fixed, usage_cents)), hundred);
    const __m512d h = _mm512_loadu_pd(in.health + k);
    const __mmask8 has_csm =
        _mm256_cmpge_epi32_mask(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in.csm + k)), none);
    const __m256i renewal = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in.renewal_month + k));
    const __m256i d = _mm256_add_epi32(_mm256_sub_epi32(renewal, t), first_month);
    const __m256i d_index = _mm256_min_epi32(_mm256_max_epi32(d, first_month), last_month);
    const __m512d pc = _mm512_loadu_pd(in.churn_p + k);
    const __m512d reach = _mm512_i32gather_pd(d_index, in.renewal_reach, 8);
    const __mmask8 sensitive = has_csm & _mm256_cmple_epi32_mask(renewal, last) &
                               _mm512_cmp_pd_mask(pc, zero, _CMP_GT_OQ) & _mm512_cmp_pd_mask(pc, one, _CMP_LT_OQ);
    _mm512_storeu_pd(out.churn_arr + k,
                     _mm512_maskz_mov_pd(sensitive, _mm512_mul_pd(_mm512_mul_pd(_mm512_mul_pd(arr, lambda_h), pc), reach)));
    _mm512_storeu_pd(out.churn_logos + k,
                     _mm512_maskz_mov_pd(sensitive, _mm512_mul_pd(_mm512_mul_pd(lambda_h, pc), reach)));
    const __m512d usage_dollars = _mm512_div_pd(_mm512_cvtepi64_pd(usage_cents), hundred);
    _mm512_storeu_pd(out.usage + k,
                     _mm512_maskz_mov_pd(has_csm, _mm512_mul_pd(_mm512_mul_pd(usage_dollars, drift), usage_reach)));
    const __m256i exp_close = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in.exp_close + k));
    const __mmask8 raises =
        has_csm & (_mm256_cmplt_epi32_mask(exp_close, none) | _mm256_cmpeq_epi32_mask(exp_close, t)) & csql_possible;
    const __m512d rate = _mm512_mul_pd(rate_scale, _mm512_loadu_pd(in.health_power + k));
    const __m512d value = _mm512_mul_pd(upsell, arr);
    _mm512_storeu_pd(out.csql + k, _mm512_maskz_mov_pd(raises, rate));
    _mm512_storeu_pd(out.csql_value + k, _mm512_maskz_mov_pd(raises, _mm512_mul_pd(rate, value)));
    const __m256i ae = _mm256_i32gather_epi32(ae_of, account, 4);
    const __mmask8 wins = raises & _mm256_cmpge_epi32_mask(ae, none) & csql_window;
    const __m256i ae_index = _mm256_max_epi32(ae, none);
    const __m512d x = _mm512_mul_pd(_mm512_mul_pd(_mm512_i32gather_pd(ae_index, in.follow_up, 8), h),
                                    _mm512_i32gather_pd(ae_index, in.follow_up_ratio, 8));
    // min(1.0, x) as x < 1.0 ? x : 1.0 (1.0 for NaN, as std::min).
    const __m512d win = _mm512_mul_pd(acceptance, _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, one, _CMP_LT_OQ), one, x));
    const __m512d rate_win = _mm512_mul_pd(rate, win);
    _mm512_storeu_pd(out.csql_wins + k, _mm512_maskz_mov_pd(wins, rate_win));
    _mm512_storeu_pd(out.csql_win_value + k, _mm512_maskz_mov_pd(wins, _mm512_mul_pd(rate_win, value)));
  }
  terms_from(in, out, k);
}
#endif
void terms_on(detail::SimdPath path, const BookTermsIn& in, const BookTermsOut& out) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (path == detail::SimdPath::avx512) return book_terms_avx512(in, out);
  if (path == detail::SimdPath::avx2) return book_terms_avx2(in, out);
#endif
  (void)path;
  terms_from(in, out, 0);
}

}  // namespace

void book_terms(const BookTermsIn& in, const BookTermsOut& out) { terms_on(detail::simd_path(), in, out); }

void detail::book_terms_on(SimdPath path, const BookTermsIn& in, const BookTermsOut& out) {
  require_simd_path(path);
  terms_on(path, in, out);
}

}  // namespace complab
