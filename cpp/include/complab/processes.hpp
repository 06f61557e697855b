#pragma once
/// \file processes.hpp
/// The world's chance processes (docs/model.md §3, §5), one function each, giving what the
/// simulation draws against and the slope responsive behaviour values (§8), so the two can
/// never drift apart.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "complab/portable_exp.hpp"
#include "complab/simd.hpp"

#include "complab/account_pass.hpp"
#include "complab/scenario.hpp"

namespace complab::process {

/// Effort below this is treated as this: ln(0) would make health targets -inf.
inline constexpr double kMinEffort = 1e-3;

/// x capped at 1, and its slope in x (0 once capped).
struct Capped {
  double p, slope;
};
inline Capped cap_at_one(double x) { return x < 1.0 ? Capped{x, 1.0} : Capped{1.0, 0.0}; }

/// New-business win chance per unit of the AE's share ratio n / n_ref, before the cap:
/// w z (1 + alpha o) l phi. The chance is cap_at_one(rate * n / n_ref).
inline double deal_rate(const WorldConfig& w, const SegmentConfig& seg, double skill, double overpromise,
                        double level, double capacity) {
  return seg.win_rate * skill * (1.0 + w.overpromise_win_uplift * overpromise) * level * capacity;
}

/// Expansion win chance per unit of the AE's follow-up ratio (1 - n)/(1 - n_ref), before the
/// cap: x z l h.
inline double follow_up_rate(const SegmentConfig& seg, double skill, double level, double health) {
  return seg.expansion_win_rate * skill * level * health;
}

/// Opportunities an AE prospects in a month per unit of its share ratio: lambda_p z l.
inline double prospecting_rate(const SegmentConfig& seg, double skill, double level) {
  return seg.ae_prospecting * skill * level;
}

/// CSQL chance of an account at health h whose CSM gives expansion effort E_e:
/// rho E_e h^gamma (account_pass.hpp computes the same, four accounts at a time).
inline double csql_chance(const WorldConfig& w, const SegmentConfig& seg, double effort, double health) {
  return seg.csql_rate * effort * (w.csql_health_exponent == 1.0 ? health : std::pow(health, w.csql_health_exponent));
}
/// Its slope in E_e: rho h^gamma.
inline double csql_rate(const WorldConfig& w, const SegmentConfig& seg, double health) {
  return seg.csql_rate * (w.csql_health_exponent == 1.0 ? health : std::pow(health, w.csql_health_exponent));
}

/// The efforts a CSM's accounts see (§3): the health target's shift theta_a ln E_a less the
/// push penalty of an expansion emphasis past the reference, and E_e; `attention` is
/// z l f(lambda).
struct CsmEffort {
  double health_shift, expansion_effort;
};
CsmEffort csm_effort(const WorldConfig& w, double adoption_share, double attention);
/// d(health shift)/d(adoption share) at `adoption_share`: theta_a / a (the push penalty
/// moves the other way, -theta_p / (1 - a_ref) per unit of expansion share past the
/// reference: csm_push_slope).
double csm_adoption_slope(const WorldConfig& w, double adoption_share);
double csm_push_slope(const WorldConfig& w, double adoption_share);

/// Chance that the account's AE accepts a CSQL (§5 step 4): min(1, q0 + Delta q) when the
/// segment's AE and CSM plans both carry NRR, else min(1, q0).
inline double handoff_acceptance(const Scenario& scenario, int segment) {
  const WorldConfig& w = scenario.world;
  return std::min(1.0, w.handoff_acceptance + (scenario.shared_nrr(segment) ? w.shared_nrr_acceptance_uplift : 0.0));
}

/// Churn at a renewal (§5 step 5): clip01((H_s[r] / Z_s[r]) exp(lambda_h (1/2 - h)) (1 + lambda_g g)).
class ChurnModel {
 public:
  explicit ChurnModel(const WorldConfig& w);
  /// The chance at renewal number r of segment s, health h, gap g.
  double p(int s, int r, double h, double g) const {
    return clip01(unclipped(s, r, h, g));
  }
  /// Before the clip: its slope in h is -lambda_h times it, in g unclipped(s, r, h, 0)
  /// times lambda_g.
  double unclipped(int s, int r, double h, double g) const {
    const auto& scale = scale_[static_cast<std::size_t>(s)];
    const double base = scale[std::min(static_cast<std::size_t>(r), scale.size() - 1)];
    return base * portable_exp(lambda_h_ * (0.5 - h)) * (1.0 + lambda_g_ * g);
  }
  /// p(s, r[k], h[k], g[k]) for k < n into out[k], a vector at a time where the CPU allows:
  /// the same bits as p (portable_exp).
  void p_many(int s, const int* r, const double* h, const double* g, std::size_t n, double* out) const;
  /// p_many on vector path `path` (simd.hpp; the tests compare them); throws where the CPU lacks it.
  void p_many_on(detail::SimdPath path, int s, const int* r, const double* h, const double* g, std::size_t n,
                 double* out) const;
  double health_effect() const { return lambda_h_; }
  double gap_effect() const { return lambda_g_; }

 private:
  double lambda_h_, lambda_g_;
  std::vector<std::vector<double>> scale_;  // per segment and renewal index: H_r / Z_r
};

}  // namespace complab::process
