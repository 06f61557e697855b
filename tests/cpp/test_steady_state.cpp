// The steady state in closed form (steady_state.hpp) against hand-worked values and brute
// force, and the stream identities (identity.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "complab/account_pass.hpp"
#include "complab/identity.hpp"
#include "complab/steady_state.hpp"

using namespace complab;

namespace {
SegmentConfig segment() {
  SegmentConfig s;
  s.name = "s";
  s.renewal_hazard = {0.3, 0.2, 0.1};
  s.health_start = 0.5;
  s.health_base = 0.7;
  s.health_reversion = 0.15;
  s.health_noise = 0.05;
  return s;
}
}  // namespace

TEST(SteadyState, CsmAttentionIsNominalAtCoverageAndSaturates) {
  EXPECT_DOUBLE_EQ(csm_attention(1.0, 2.0), 1.0);
  EXPECT_NEAR(csm_attention(1e9, 2.0), 2.0, 1e-8);
  double last = 0.0;
  for (double ratio = 0.05; ratio < 50; ratio *= 1.3) {  // rises with a lighter book, ever more slowly
    const double f = csm_attention(ratio, 2.0);
    EXPECT_GT(f, last);
    EXPECT_LE(f, 2.0);
    last = f;
  }
  EXPECT_DOUBLE_EQ(csm_attention(0.5, 3.0), 3.0 * 0.5 / 2.5);
}

TEST(SteadyState, RenewalMixIsTheSurvivalCurve) {
  WorldConfig w;
  w.book_age_years = 4;
  const auto cdf = renewal_index_cdf(w, segment());
  // Weights 1, 0.7, 0.56, 0.504 (the last hazard repeats), by hand.
  const double total = 1 + 0.7 + 0.7 * 0.8 + 0.7 * 0.8 * 0.9;
  ASSERT_EQ(cdf.size(), 4u);
  EXPECT_NEAR(cdf[0], 1 / total, 1e-12);
  EXPECT_NEAR(cdf[1], 1.7 / total, 1e-12);
  EXPECT_NEAR(cdf[2], (1.7 + 0.56) / total, 1e-12);
  EXPECT_EQ(cdf[3], 1.0);
}

TEST(SteadyState, MeanHealthFollowsTheRecursionMonthByMonth) {
  WorldConfig w;
  w.health_gap_effect = 0.2;
  w.gap_decay = 0.5;
  const SegmentConfig seg = segment();
  const double shift = 0.03, o = 0.1;
  double h = seg.health_start;
  for (int age = 0; age <= 40; ++age) {
    EXPECT_NEAR(mean_health_at_age(w, seg, shift, o, age), h, 1e-12) << age;
    const double target = clip01(seg.health_base + shift - w.health_gap_effect * o * std::pow(0.5, age / 12));
    h += seg.health_reversion * (target - h);
  }
}

TEST(SteadyState, HealthVarianceReachesTheStationaryOne) {
  const SegmentConfig seg = segment();
  const double k = seg.health_reversion;
  EXPECT_EQ(health_variance_at_age(seg, 0), 0.0);
  EXPECT_NEAR(health_variance_at_age(seg, 1), 0.05 * 0.05, 1e-15);
  EXPECT_NEAR(health_variance_at_age(seg, 2000), 0.0025 / (k * (2 - k)), 1e-12);
}

TEST(SteadyState, ChurnNormaliserIsTheModifiersMean) {
  // Brute force: health at the first renewal simulated from the recursion with normal noise
  // and a CSM skill per account; the modifier's sample mean against Z_0, within 4 SE.
  WorldConfig w;
  w.skill_log_sd = 0.25;
  w.health_adoption_effect = 0.1;
  w.effort.ae_overpromise = 0.1;
  const SegmentConfig seg = segment();
  const double z0 = churn_normaliser(w, seg, 1)[0];
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double shift = nominal_health_shift(w) + w.health_adoption_effect * w.skill_log_sd * normal(rng);
    double h = seg.health_start;
    const double target = seg.health_base + shift - w.health_gap_effect * w.effort.ae_overpromise;
    for (int m = 0; m < 12; ++m) h += seg.health_reversion * (target - h) + seg.health_noise * normal(rng);
    const double x = std::exp(w.churn_health_effect * (0.5 - h)) * (1 + w.churn_gap_effect * w.effort.ae_overpromise);
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n, se = std::sqrt((sum2 / n - mean * mean) / n);
  EXPECT_NEAR(z0, mean, 4 * se);
}

TEST(SteadyState, GrowthByAgeStartsAtOneAndCompounds) {
  WorldConfig w;
  w.products[0].usage_priced = true;
  SegmentConfig seg = segment();
  seg.usage_drift = 0.1;
  const auto g = expected_growth_by_age(w, seg, 0.7, 30);
  EXPECT_EQ(g[0], 1.0);
  for (std::size_t a = 1; a < g.size(); ++a) EXPECT_GT(g[a], g[a - 1]);  // health above 1/2: usage grows
}

TEST(Identity, EntitiesAreDistinctAndStable) {
  std::set<std::uint32_t> reps;
  for (Role role : {Role::AE, Role::SDR, Role::CSM}) {
    for (int seg = -1; seg < 3; ++seg) {
      for (int k = 0; k < 5; ++k) EXPECT_TRUE(reps.insert(identity::rep_id(role, seg, k)).second);
    }
  }
  std::set<std::uint32_t> opps;
  for (auto source : {identity::Source::Sdr, identity::Source::Inbound, identity::Source::Prospecting}) {
    for (int month = -identity::kPreMonths; month < 40; month += 7) {
      for (int j = 0; j < 3; ++j) {
        for (int k = 0; k < 3; ++k) {
          const std::uint32_t id = identity::opportunity_id(source, month, source == identity::Source::Inbound ? 0 : j, k);
          EXPECT_EQ(id & identity::kNewAccountBit, 0u);  // room for the new-account bit
          opps.insert(id);
        }
      }
    }
  }
  EXPECT_EQ(opps.size(), 3u * 15u * 3u * 3u - 15u * 3u * 2u);  // inbound repeats j: 3 per month
  // The month word keeps the month below the group, and groups apart.
  EXPECT_NE(identity::month_word(identity::account_group(0), 5), identity::month_word(identity::account_group(1), 5));
  EXPECT_EQ(identity::month_word(7, -identity::kPreMonths) & ((1u << identity::kMonthBits) - 1), 0u);
  EXPECT_LT(identity::month_word(identity::kSegmentOpportunityGroupBase + identity::kMaxSegments - 1, identity::kMaxMonths - 1),
            1u << 24);  // the counter's month field has 24 bits
}
