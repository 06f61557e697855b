#pragma once
/// \file steady_state.hpp
/// The world's steady state, in closed form (docs/model.md §4): what a segment's book looks
/// like after running its own rates for long enough — the renewal-index mix its hazards
/// give, each account's mean health for its age, and the normaliser that makes
/// `renewal_hazard[r]` the mean churn at the r-th renewal of a book served at nominal effort.
#include <cstddef>
#include <vector>

#include "complab/scenario.hpp"

namespace complab {

/// A CSM's attention per account as a multiple of nominal, for `ratio` = coverage / book:
/// F ratio / (F - 1 + ratio). 1 at a nominal book, rising to F (`max_effort`) as the book
/// shrinks, falling like ratio F / (F - 1) as it grows (docs/model.md §3).
inline double csm_attention(double ratio, double max_effort) {
  return max_effort * ratio / (max_effort - 1.0 + ratio);
}

/// The health target shift of a CSM's accounts in fixed mode at nominal attention and skill
/// 1: theta_a ln(a / a_ref) - theta_p max(0, (1 - a) / (1 - a_ref) - 1).
double nominal_health_shift(const WorldConfig& w);

/// Gap of an account sold at over-promising `o` after `r` renewals: o gamma_g^r.
double gap_after(const WorldConfig& w, double o, int r);

/// Mean health at age `age` months of an account that started at h0 (health_start), whose
/// health target in its contract year y is clip01(b + shift - theta_g gap_after(o, y)):
/// the health recursion's mean, year by year (unclipped noise).
double mean_health_at_age(const WorldConfig& w, const SegmentConfig& seg, double shift, double o, int age);

/// mean_health_at_age for every age below 12 `years`, from one pass over the years (the
/// steady-state book draws thousands of accounts a trial): the same values, bit for bit.
class MeanHealthByAge {
 public:
  MeanHealthByAge(const WorldConfig& w, const SegmentConfig& seg, double shift, double o, int years);
  double operator()(int age) const {
    const auto y = static_cast<std::size_t>(age / 12), m = static_cast<std::size_t>(age % 12);
    return m == 0 ? start_[y] : target_[y] + (start_[y] - target_[y]) * keep_pow_[m];
  }

 private:
  std::vector<double> start_, target_;  // per year: mean health at its start, its target
  std::vector<double> keep_pow_;        // (1 - kappa)^m, m = 0..11
};

/// Variance of health at age `age` from the noise alone: sigma_h^2 (1 - (1-kappa)^(2 age)) / (kappa (2 - kappa)).
double health_variance_at_age(const SegmentConfig& seg, int age);

/// Renewal indices of a steady-state book: weight of index r proportional to the chance of
/// surviving r renewals, prod_{j<r} (1 - H_j), for r below the company's age in years
/// (`book_age_years`). Returned as a cumulative distribution (last entry 1).
std::vector<double> renewal_index_cdf(const WorldConfig& w, const SegmentConfig& seg);

/// Expected ARR at age a months as a multiple of the ARR it was sold at, a = 0 .. n-1: the
/// product of each month's expected growth at the mean health of that age — usage drift
/// mu (h - 1/2) on usage-priced ARR, and upsells, rho E_e h^gamma q p_exp u — for an account
/// served at nominal effort by reps of average skill.
std::vector<double> expected_growth_by_age(const WorldConfig& w, const SegmentConfig& seg, double acceptance,
                                           std::size_t n);

/// Z_r for r = 0 .. n-1: the mean of the churn modifier exp(lambda_h (1/2 - h)) (1 + lambda_g g)
/// over accounts at their r-th renewal (age 12 (r + 1)) in the steady state at nominal
/// attention, skill ~ LogNormal(0, sigma_skill), sold at the habitual over-promising.
/// Churn at a renewal is H_r / Z_r times the account's own modifier, so its book average is H_r.
std::vector<double> churn_normaliser(const WorldConfig& w, const SegmentConfig& seg, std::size_t n);

}  // namespace complab
