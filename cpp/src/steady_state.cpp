#include "complab/steady_state.hpp"

#include <algorithm>
#include <cmath>

#include "complab/account_pass.hpp"
#include "complab/plan.hpp"

namespace complab {

double nominal_health_shift(const WorldConfig& w) {
  const double a = w.effort.csm_adoption, a_ref = w.effort.csm_adoption_ref;
  const double adoption = std::max(1e-3, a / a_ref);
  return w.health_adoption_effect * std::log(adoption) -
         w.health_push_effect * std::max(0.0, (1.0 - a) / (1.0 - a_ref) - 1.0);
}

double gap_after(const WorldConfig& w, double o, int r) { return o * std::pow(w.gap_decay, r); }

double mean_health_at_age(const WorldConfig& w, const SegmentConfig& seg, double shift, double o, int age) {
  const double keep = 1.0 - seg.health_reversion;
  double h = seg.health_start;
  for (int y = 0; y * kContractMonths < age; ++y) {
    const int months = std::min(kContractMonths, age - y * kContractMonths);
    const double target = clip01(seg.health_base + shift - w.health_gap_effect * gap_after(w, o, y));
    h = target + (h - target) * std::pow(keep, months);
  }
  return h;
}

MeanHealthByAge::MeanHealthByAge(const WorldConfig& w, const SegmentConfig& seg, double shift, double o, int years) {
  const double keep = 1.0 - seg.health_reversion;
  for (int m = 0; m < kContractMonths; ++m) keep_pow_.push_back(std::pow(keep, m));
  const double keep_year = std::pow(keep, kContractMonths);
  double h = seg.health_start;
  for (int y = 0; y <= years; ++y) {
    const double target = clip01(seg.health_base + shift - w.health_gap_effect * gap_after(w, o, y));
    start_.push_back(h);
    target_.push_back(target);
    h = target + (h - target) * keep_year;  // as mean_health_at_age's full years
  }
}

double health_variance_at_age(const SegmentConfig& seg, int age) {
  const double k = seg.health_reversion, s2 = seg.health_noise * seg.health_noise;
  if (k <= 0) return s2 * age;
  return s2 * (1.0 - std::pow(1.0 - k, 2.0 * age)) / (k * (2.0 - k));
}

std::vector<double> renewal_index_cdf(const WorldConfig& w, const SegmentConfig& seg) {
  std::vector<double> weight;
  double survive = 1.0;
  for (std::size_t r = 0; r < static_cast<std::size_t>(w.book_age_years); ++r) {
    weight.push_back(survive);
    survive *= 1.0 - seg.renewal_hazard[std::min(r, seg.renewal_hazard.size() - 1)];
  }
  double total = 0.0;
  for (double& x : weight) x = total += x;
  for (double& x : weight) x /= total;
  weight.back() = 1.0;
  return weight;
}

std::vector<double> expected_growth_by_age(const WorldConfig& w, const SegmentConfig& seg, double acceptance,
                                           std::size_t n) {
  std::vector<double> growth(n);
  const double shift = nominal_health_shift(w), o = w.effort.ae_overpromise;
  const double mean_skill = std::exp(0.5 * w.skill_log_sd * w.skill_log_sd);
  const double emphasis = (1.0 - w.effort.csm_adoption) / (1.0 - w.effort.csm_adoption_ref);
  const double follow_up = (1.0 - w.effort.ae_new_business) / (1.0 - w.effort.ae_new_business_ref);
  const bool usage = w.products[0].usage_priced;
  const double keep = 1.0 - seg.health_reversion;
  double h = seg.health_start, factor = 1.0;
  for (std::size_t a = 0; a < n; ++a) {
    growth[a] = factor;
    const int year = static_cast<int>(a) / kContractMonths;
    const double target = clip01(seg.health_base + shift - w.health_gap_effect * gap_after(w, o, year));
    h = target + (h - target) * keep;  // this month's mean health
    const double upsell = seg.csql_rate * emphasis * mean_skill * std::pow(h, w.csql_health_exponent) * acceptance *
                          std::min(1.0, seg.expansion_win_rate * mean_skill * follow_up * h) * seg.upsell_fraction;
    factor *= 1.0 + (usage ? seg.usage_drift * (h - 0.5) : 0.0) + upsell;
  }
  return growth;
}

std::vector<double> churn_normaliser(const WorldConfig& w, const SegmentConfig& seg, std::size_t n) {
  std::vector<double> z(n);
  const double shift = nominal_health_shift(w), o = w.effort.ae_overpromise, lambda = w.churn_health_effect;
  const double keep = 1.0 - seg.health_reversion;
  for (std::size_t r = 0; r < n; ++r) {
    const int age = kContractMonths * static_cast<int>(r + 1);
    const double mean = mean_health_at_age(w, seg, shift, o, age);
    // A CSM of skill z moves the target by theta_a ln z; by age a the mean has moved by the
    // reached share 1 - (1 - kappa)^a of it, so ln z's spread adds (theta_a c sigma)^2.
    const double reached = 1.0 - std::pow(keep, age);
    const double spread = w.health_adoption_effect * reached * w.skill_log_sd;
    const double var = health_variance_at_age(seg, age) + spread * spread;
    // E[exp(lambda (1/2 - h))] for normal h (the log-normal's mean).
    const double health_part = std::exp(lambda * (0.5 - mean) + 0.5 * lambda * lambda * var);
    z[r] = health_part * (1.0 + w.churn_gap_effect * gap_after(w, o, static_cast<int>(r)));
  }
  return z;
}

}  // namespace complab
