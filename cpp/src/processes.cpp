#include "complab/processes.hpp"

#include <algorithm>

#include "complab/simd.hpp"
#include "complab/steady_state.hpp"

namespace complab::process {

CsmEffort csm_effort(const WorldConfig& w, double a, double attention) {
  const double a_ref = w.effort.csm_adoption_ref;
  const double e_adopt = std::max(kMinEffort, a / a_ref * attention);
  const double emphasis = (1.0 - a) / (1.0 - a_ref);
  return {w.health_adoption_effect * std::log(e_adopt) - w.health_push_effect * std::max(0.0, emphasis - 1.0),
          emphasis * attention};
}

double csm_adoption_slope(const WorldConfig& w, double a) { return w.health_adoption_effect / std::max(kMinEffort, a); }

double csm_push_slope(const WorldConfig& w, double a) {
  const double a_ref = w.effort.csm_adoption_ref;
  return (1.0 - a) / (1.0 - a_ref) > 1.0 ? -w.health_push_effect / (1.0 - a_ref) : 0.0;
}

ChurnModel::ChurnModel(const WorldConfig& w) : lambda_h_(w.churn_health_effect), lambda_g_(w.churn_gap_effect) {
  for (const auto& seg : w.segments) {
    // Enough renewal indices that the normaliser has settled (the gap and the start health
    // fade geometrically); past the last, the last applies.
    std::vector<double> scale = churn_normaliser(w, seg, seg.renewal_hazard.size() + 24);
    for (std::size_t r = 0; r < scale.size(); ++r) {
      scale[r] = seg.renewal_hazard[std::min(r, seg.renewal_hazard.size() - 1)] / scale[r];
    }
    scale_.push_back(std::move(scale));
  }
}

namespace {
// One loop, compiled for each vector path (simd.hpp) and vectorised by the compiler;
// portable_exp gives every path the scalar bits. In place: `chance` holds the base hazards
// on entry.
[[gnu::always_inline]] inline void churn_chances(double* __restrict chance, const double* __restrict h,
                                                 const double* __restrict g, std::size_t n, double lambda_h,
                                                 double lambda_g) {
  for (std::size_t k = 0; k < n; ++k) {
    chance[k] = clip01(chance[k] * portable_exp(lambda_h * (0.5 - h[k])) * (1.0 + lambda_g * g[k]));
  }
}
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) void churn_chances_avx2(double* __restrict chance, const double* __restrict h,
                                                        const double* __restrict g, std::size_t n, double lambda_h,
                                                        double lambda_g) {
  churn_chances(chance, h, g, n, lambda_h, lambda_g);
}
__attribute__((target("avx512f,avx512dq,avx512vl"))) void churn_chances_avx512(
    double* __restrict chance, const double* __restrict h, const double* __restrict g, std::size_t n, double lambda_h,
    double lambda_g) {
  churn_chances(chance, h, g, n, lambda_h, lambda_g);
}
#endif
}  // namespace

void ChurnModel::p_many_on(detail::SimdPath path, int s, const int* r, const double* h, const double* g,
                           std::size_t n, double* out) const {
  detail::require_simd_path(path);
  const auto& scale = scale_[static_cast<std::size_t>(s)];
  for (std::size_t k = 0; k < n; ++k) out[k] = scale[std::min(static_cast<std::size_t>(r[k]), scale.size() - 1)];
#if defined(__x86_64__) && defined(__GNUC__)
  if (path == detail::SimdPath::avx512) return churn_chances_avx512(out, h, g, n, lambda_h_, lambda_g_);
  if (path == detail::SimdPath::avx2) return churn_chances_avx2(out, h, g, n, lambda_h_, lambda_g_);
#endif
  churn_chances(out, h, g, n, lambda_h_, lambda_g_);
}

void ChurnModel::p_many(int s, const int* r, const double* h, const double* g, std::size_t n, double* out) const {
  p_many_on(detail::simd_path(), s, r, h, g, n, out);
}

}  // namespace complab::process
