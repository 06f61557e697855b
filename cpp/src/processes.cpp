#include "complab/processes.hpp"

#include <algorithm>

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

}  // namespace complab::process
