#include "complab/engine.hpp"

#include <algorithm>
#include <bit>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "complab/random.hpp"

namespace complab {
namespace {

// Stream entity ids: initial accounts count up from 0; accounts born from an opportunity
// carry the opportunity's id with the top bit set, so a plan that changes which deals are
// won never shifts the draws of other accounts.
constexpr std::uint32_t kNewAccountBit = 1u << 31;
constexpr int kMaxOpportunitiesPerSdrMonth = 256;
constexpr int kContractMonths = 12;
// Effort below this is treated as this: ln(0) would make health targets -inf.
constexpr double kMinEffort = 1e-3;

std::int64_t to_cents(double amount) { return static_cast<std::int64_t>(amount * 100.0 + 0.5); }

double clip01(double x) { return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x); }

struct Opportunity {
  std::uint32_t id;
  int sdr;      // rep index
  int segment;
  int ae;       // rep index
  std::int64_t value;  // first-year ARR if won (cents)
  int created;  // month
};

/// Simulates one trial at a time; owns every buffer so the month loop never allocates
/// (the account arrays grow only when a trial has more accounts than any before it).
class TrialSimulator {
 public:
  TrialSimulator(const Scenario& scenario, const RepRoster& roster, std::uint64_t key,
                 SimulationOutput& out, std::uint32_t first_trial)
      : sc_(scenario), w_(scenario.world), roster_(roster), key_(key), out_(out),
        first_trial_(first_trial) {
    const int nseg = static_cast<int>(w_.segments.size());
    seg_aes_.resize(static_cast<std::size_t>(nseg));
    seg_csms_.resize(static_cast<std::size_t>(nseg));
    for (int r = 0; r < roster_.size(); ++r) {
      const auto s = static_cast<std::size_t>(roster_.segment[static_cast<std::size_t>(r)]);
      if (roster_.role[static_cast<std::size_t>(r)] == Role::AE) seg_aes_[s].push_back(r);
      if (roster_.role[static_cast<std::size_t>(r)] == Role::CSM) seg_csms_[s].push_back(r);
      if (roster_.role[static_cast<std::size_t>(r)] == Role::SDR) sdrs_.push_back(r);
    }
    double total_share = 0.0;
    for (const auto& s : w_.segments) total_share += s.opportunity_share;
    double cum = 0.0;
    for (const auto& s : w_.segments) {
      cum += total_share > 0 ? s.opportunity_share / total_share : 0.0;
      share_cdf_.push_back(cum);
    }
    for (int s = 0; s < nseg; ++s) {
      const auto& seg = w_.segments[static_cast<std::size_t>(s)];
      const double q = w_.handoff_acceptance + (sc_.shared_nrr(s) ? w_.shared_nrr_acceptance_uplift : 0.0);
      acceptance_.push_back(std::min(1.0, q));
      log_median_.push_back(std::log(seg.acv_median));
    }
    const auto nrep = static_cast<std::size_t>(roster_.size());
    skill_.resize(nrep);
    load_.resize(nrep);
    health_shift_.resize(nrep);
    expansion_effort_.resize(nrep);
    pipeline_.resize(static_cast<std::size_t>(w_.months));
    const double a = w_.effort.csm_adoption, e = 1.0 - a;
    adoption_ratio_ = a / w_.effort.csm_adoption_ref;
    expansion_ratio_ = e / (1.0 - w_.effort.csm_adoption_ref);
    new_business_ratio_ = w_.effort.ae_new_business / w_.effort.ae_new_business_ref;
    follow_up_ratio_ = (1.0 - w_.effort.ae_new_business) / (1.0 - w_.effort.ae_new_business_ref);
    for (const auto& p : w_.products) usage_priced_.push_back(p.usage_priced);
  }

  void run(int trial) {
    trial_ = trial;
    trial_key_ = first_trial_ + static_cast<std::uint32_t>(trial);
    const auto t_off = static_cast<std::size_t>(trial);
    monthly_ = &out_.monthly[t_off * static_cast<std::size_t>(out_.months) * kNumSeries];
    cohorts_ = &out_.cohorts[t_off * static_cast<std::size_t>(out_.years * out_.segments) * kNumCohortFields];
    rep_raw_ = &out_.rep_raw[t_off * static_cast<std::size_t>(out_.reps * out_.periods) * kNumRawSlots];
    churn_ = &out_.first_renewal_churn[t_off * static_cast<std::size_t>(out_.reps * out_.periods * out_.periods) * 2];
    std::fill_n(monthly_, static_cast<std::size_t>(out_.months) * kNumSeries, 0);
    std::fill_n(cohorts_, static_cast<std::size_t>(out_.years * out_.segments) * kNumCohortFields, 0);
    std::fill_n(rep_raw_, static_cast<std::size_t>(out_.reps * out_.periods) * kNumRawSlots, 0);
    std::fill_n(churn_, static_cast<std::size_t>(out_.reps * out_.periods * out_.periods) * 2, 0);

    draw_skills();
    build_initial_book();
    for (auto& month : pipeline_) month.clear();
    for (int t = 0; t < w_.months; ++t) step(t);
  }

 private:
  KeyedStream stream(std::uint32_t entity, int month, Purpose purpose) const {
    return KeyedStream(key_, trial_key_, entity, static_cast<std::uint32_t>(month), purpose);
  }

  std::int64_t& raw(int rep, int period, int slot) {
    return rep_raw_[(static_cast<std::size_t>(rep) * static_cast<std::size_t>(out_.periods) +
                     static_cast<std::size_t>(period)) * kNumRawSlots + static_cast<std::size_t>(slot)];
  }
  std::int64_t& series(int month, int field) {
    return monthly_[static_cast<std::size_t>(month) * kNumSeries + static_cast<std::size_t>(field)];
  }

  void draw_skills() {
    for (int r = 0; r < roster_.size(); ++r) {
      double z = 1.0;
      if (w_.skill_log_sd > 0) {
        auto s = stream(static_cast<std::uint32_t>(r), 0, Purpose::RepSkill);
        z = boost::random::lognormal_distribution<double>(0.0, w_.skill_log_sd)(s);
      }
      skill_[static_cast<std::size_t>(r)] = z;
      out_.rep_skill[static_cast<std::size_t>(trial_) * static_cast<std::size_t>(out_.reps) + static_cast<std::size_t>(r)] = z;
    }
  }

  void clear_accounts() {
    seg_.clear(); csm_.clear(); ae_.clear(); sold_period_.clear(); entity_.clear();
    arr_fixed_.clear(); arr_usage_.clear(); booked_.clear(); health_.clear(); gap_.clear();
    renewal_index_.clear(); to_renewal_.clear(); products_.clear(); active_.clear();
    exp_close_.clear(); exp_value_.clear(); exp_product_.clear(); exp_csm_.clear();
    period_start_.clear(); period_csm_.clear(); period_ae_.clear(); expanded_.clear();
    year_start_.clear();
    std::fill(load_.begin(), load_.end(), 0);
    total_arr_ = 0;
  }

  void add_account(int segment, int csm, int ae, int sold_period, std::uint32_t entity,
                   std::int64_t arr, double health, double gap, int renewal_index, int to_renewal) {
    seg_.push_back(segment);
    csm_.push_back(csm);
    ae_.push_back(ae);
    sold_period_.push_back(sold_period);
    entity_.push_back(entity);
    const bool usage = usage_priced_[0];
    arr_fixed_.push_back(usage ? 0 : arr);
    arr_usage_.push_back(usage ? arr : 0);
    booked_.push_back(arr);
    health_.push_back(health);
    gap_.push_back(gap);
    renewal_index_.push_back(renewal_index);
    to_renewal_.push_back(to_renewal);
    products_.push_back(1u);
    active_.push_back(1);
    exp_close_.push_back(-1);
    exp_value_.push_back(0);
    exp_product_.push_back(-1);
    exp_csm_.push_back(-1);
    period_start_.push_back(-1);
    period_csm_.push_back(-1);
    period_ae_.push_back(-1);
    expanded_.push_back(0);
    year_start_.push_back(-1);
    if (csm >= 0) ++load_[static_cast<std::size_t>(csm)];
    total_arr_ += arr;
  }

  void build_initial_book() {
    clear_accounts();
    std::uint32_t entity = 0;
    for (int s = 0; s < static_cast<int>(w_.segments.size()); ++s) {
      const auto& seg = w_.segments[static_cast<std::size_t>(s)];
      const auto& aes = seg_aes_[static_cast<std::size_t>(s)];
      const auto& csms = seg_csms_[static_cast<std::size_t>(s)];
      // Stationary spread of the health process around its base.
      const double k = seg.health_reversion;
      const double health_sd = k > 0 ? seg.health_noise / std::sqrt(k * (2.0 - k)) : seg.health_noise;
      for (int i = 0; i < seg.initial_accounts; ++i, ++entity) {
        auto tenure_stream = stream(entity, 0, Purpose::InitialTenure);
        const int tenure = std::min(35, static_cast<int>(tenure_stream.uniform() * 36.0));
        auto arr_stream = stream(entity, 0, Purpose::InitialArr);
        const double arr = boost::random::lognormal_distribution<double>(
            log_median_[static_cast<std::size_t>(s)], seg.acv_log_sd)(arr_stream) * w_.products[0].acv_scale;
        double health = seg.health_base;
        if (health_sd > 0) {
          auto h_stream = stream(entity, 0, Purpose::InitialHealth);
          health = clip01(seg.health_base + health_sd * normal_(h_stream));
        }
        const int csm = csms.empty() ? -1 : csms[static_cast<std::size_t>(i) % csms.size()];
        const int ae = aes.empty() ? -1 : aes[static_cast<std::size_t>(i) % aes.size()];
        add_account(s, csm, ae, -1, entity, to_cents(arr), health, 0.0, tenure / kContractMonths,
                    kContractMonths - tenure % kContractMonths);
      }
    }
  }

  int least_loaded_csm(int segment) const {
    int best = -1;
    for (int r : seg_csms_[static_cast<std::size_t>(segment)]) {
      if (best < 0 || load_[static_cast<std::size_t>(r)] < load_[static_cast<std::size_t>(best)]) best = r;
    }
    return best;
  }

  void open_cohorts(int t) {
    const std::size_t n = seg_.size();
    if (t % w_.period_months == 0) {
      for (std::size_t i = 0; i < n; ++i) {
        const bool on = active_[i] != 0;
        period_start_[i] = on ? arr_fixed_[i] + arr_usage_[i] : -1;
        period_csm_[i] = on ? csm_[i] : -1;
        period_ae_[i] = on ? ae_[i] : -1;
        expanded_[i] = 0;
      }
    }
    if (t % kContractMonths == 0 && t / kContractMonths < out_.years) {
      for (std::size_t i = 0; i < n; ++i) year_start_[i] = active_[i] ? arr_fixed_[i] + arr_usage_[i] : -1;
    }
  }

  void close_cohorts(int t) {
    const std::size_t n = seg_.size();
    if ((t + 1) % w_.period_months == 0) {
      const int p = t / w_.period_months;
      for (std::size_t i = 0; i < n; ++i) {
        if (period_start_[i] < 0) continue;
        const std::int64_t start = period_start_[i], end = arr_fixed_[i] + arr_usage_[i];
        for (int rep : {period_csm_[i], period_ae_[i]}) {
          if (rep < 0) continue;
          raw(rep, p, kBookStartArr) += start;
          raw(rep, p, kBookEndArr) += end;
          raw(rep, p, kBookKeptArr) += std::min(start, end);
          raw(rep, p, kBookStartLogos) += 1;
          raw(rep, p, kBookChurnedLogos) += active_[i] ? 0 : 1;
          raw(rep, p, kBookExpandedLogos) += expanded_[i];
        }
      }
    }
    if ((t + 1) % kContractMonths == 0 && t / kContractMonths < out_.years) {
      const int y = t / kContractMonths;
      for (std::size_t i = 0; i < n; ++i) {
        if (year_start_[i] < 0) continue;
        std::int64_t* c = &cohorts_[(static_cast<std::size_t>(y) * static_cast<std::size_t>(out_.segments) +
                                     static_cast<std::size_t>(seg_[i])) * kNumCohortFields];
        const std::int64_t start = year_start_[i], end = arr_fixed_[i] + arr_usage_[i];
        c[kCohortStartArr] += start;
        c[kCohortEndArr] += end;
        c[kCohortKeptArr] += std::min(start, end);
        c[kCohortStartLogos] += 1;
        c[kCohortChurnedLogos] += active_[i] ? 0 : 1;
      }
    }
  }

  /// §6 step 1: SDRs create opportunities; those reaching their close month are decided.
  void new_business(int t) {
    const int p = t / w_.period_months;
    const int nsdr = static_cast<int>(sdrs_.size());
    for (int j = 0; j < nsdr; ++j) {
      const int sdr = sdrs_[static_cast<std::size_t>(j)];
      const double mean = w_.opportunities_per_sdr * skill_[static_cast<std::size_t>(sdr)];
      if (!(mean > 0)) continue;
      auto count_stream = stream(static_cast<std::uint32_t>(sdr), t, Purpose::OpportunityCount);
      const int n = std::min(kMaxOpportunitiesPerSdrMonth - 1,
                             boost::random::poisson_distribution<int, double>(mean)(count_stream));
      for (int k = 0; k < n; ++k) {
        const auto id = static_cast<std::uint32_t>(((t * nsdr + j) * kMaxOpportunitiesPerSdrMonth) + k);
        auto opp_stream = stream(id, t, Purpose::Opportunity);
        const double u_segment = opp_stream.uniform();
        int s = 0;
        while (s + 1 < static_cast<int>(share_cdf_.size()) && u_segment >= share_cdf_[static_cast<std::size_t>(s)]) ++s;
        const auto& aes = seg_aes_[static_cast<std::size_t>(s)];
        const auto pick = static_cast<std::size_t>(opp_stream.uniform() * static_cast<double>(aes.size()));
        const int ae = aes[std::min(pick, aes.size() - 1)];
        const auto& seg = w_.segments[static_cast<std::size_t>(s)];
        const double value = boost::random::lognormal_distribution<double>(
            log_median_[static_cast<std::size_t>(s)], seg.acv_log_sd)(opp_stream) * w_.products[0].acv_scale;
        const Opportunity opp{id, sdr, s, ae, to_cents(value), t};
        raw(sdr, p, kOpportunities) += 1;
        raw(sdr, p, kPipeline) += opp.value;
        series(t, kOpportunitiesFlow) += 1;
        const int close = t + seg.sales_cycle_months;
        if (close < w_.months) pipeline_[static_cast<std::size_t>(close)].push_back(opp);
      }
    }
    for (const Opportunity& opp : pipeline_[static_cast<std::size_t>(t)]) {
      series(t, kDealsClosed) += 1;
      const auto& seg = w_.segments[static_cast<std::size_t>(opp.segment)];
      const double o = w_.effort.ae_overpromise;
      const double p_win = std::min(1.0, seg.win_rate * skill_[static_cast<std::size_t>(opp.ae)] *
                                             new_business_ratio_ * (1.0 + w_.overpromise_win_uplift * o));
      if (!(stream(opp.id, opp.created, Purpose::OpportunityWin).uniform() < p_win)) continue;
      raw(opp.ae, p, kNewArr) += opp.value;
      raw(opp.ae, p, kNewLogos) += 1;
      raw(opp.sdr, p, kSourcedWins) += 1;
      series(t, kNewArrFlow) += opp.value;
      series(t, kNewLogosFlow) += 1;
      won_.push_back(opp);
    }
  }

  /// Per-CSM effort for the month from its load at the month's start (§5).
  void csm_efforts() {
    for (std::size_t s = 0; s < seg_csms_.size(); ++s) {
      const auto& seg = w_.segments[s];
      for (int r : seg_csms_[s]) {
        const auto ri = static_cast<std::size_t>(r);
        const double load = seg.csm_coverage / std::max(1, load_[ri]);
        const double e_adopt = std::max(kMinEffort, adoption_ratio_ * skill_[ri] * load);
        const double e_expand = expansion_ratio_ * skill_[ri] * load;
        health_shift_[ri] = w_.health_adoption_effect * std::log(e_adopt) -
                            w_.health_push_effect * std::max(0.0, e_expand - 1.0);
        expansion_effort_[ri] = e_expand;
      }
    }
  }

  void step(int t) {
    const int p = t / w_.period_months;
    open_cohorts(t);
    series(t, kArrStart) = total_arr_;
    won_.clear();
    new_business(t);
    csm_efforts();

    const std::size_t n = seg_.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (!active_[i]) continue;
      series(t, kAccountMonths) += 1;
      const auto& seg = w_.segments[static_cast<std::size_t>(seg_[i])];
      const int csm = csm_[i];
      const std::uint32_t id = entity_[i];

      // 2.1 Health.
      const double shift = csm >= 0 ? health_shift_[static_cast<std::size_t>(csm)]
                                    : w_.health_adoption_effect * std::log(kMinEffort);
      const double target = clip01(seg.health_base + shift - w_.health_gap_effect * gap_[i]);
      double h = health_[i] + seg.health_reversion * (target - health_[i]);
      if (seg.health_noise > 0) {
        auto hs = stream(id, t, Purpose::Health);
        h += seg.health_noise * normal_(hs);
      }
      h = clip01(h);
      health_[i] = h;

      // 2.2 Usage-priced ARR follows health.
      if (arr_usage_[i] > 0 && (seg.usage_drift != 0 || seg.usage_noise > 0)) {
        double factor = 1.0 + seg.usage_drift * (h - 0.5);
        if (seg.usage_noise > 0) {
          auto us = stream(id, t, Purpose::Usage);
          factor += seg.usage_noise * normal_(us);
        }
        const std::int64_t before = arr_usage_[i];
        const std::int64_t after = to_cents(static_cast<double>(before) * std::max(0.0, factor) / 100.0);
        arr_usage_[i] = after;
        total_arr_ += after - before;
        if (after > before) series(t, kExpansionUsage) += after - before;
        else series(t, kContraction) += before - after;
      }

      // 2.3a An accepted hand-off reaching its close month.
      if (exp_close_[i] == t) {
        series(t, kExpansionsClosed) += 1;
        const int ae = ae_[i];
        const double p_win = std::min(1.0, seg.expansion_win_rate * skill_[static_cast<std::size_t>(ae)] *
                                               follow_up_ratio_ * h);
        if (stream(id, t, Purpose::ExpansionWin).uniform() < p_win) {
          const std::int64_t value = exp_value_[i];
          const int product = exp_product_[i];
          const bool usage = usage_priced_[static_cast<std::size_t>(product >= 0 ? product : 0)];
          (usage ? arr_usage_[i] : arr_fixed_[i]) += value;
          if (product >= 0) products_[i] |= 1u << product;
          total_arr_ += value;
          series(t, kExpansionCsql) += value;
          series(t, kExpansionsWon) += 1;
          raw(ae, p, kExpansionArr) += value;
          raw(ae, p, kExpansionWins) += 1;
          if (exp_csm_[i] >= 0) {
            raw(exp_csm_[i], p, kExpansionArr) += value;
            raw(exp_csm_[i], p, kExpansionWins) += 1;
          }
          expanded_[i] = 1;
        }
        exp_close_[i] = -1;
      }

      // 2.3b CSQL: raised by the CSM, accepted or not by the account's AE.
      if (csm >= 0 && exp_close_[i] < 0 && seg.csql_rate > 0) {
        const double gamma = w_.csql_health_exponent;
        const double p_csql = seg.csql_rate * expansion_effort_[static_cast<std::size_t>(csm)] *
                              (gamma == 1.0 ? h : std::pow(h, gamma));
        auto cs = stream(id, t, Purpose::Csql);
        if (cs.uniform() < p_csql) raise_csql(i, t, p, seg, cs);
      }

      // 2.4 Renewal.
      if (--to_renewal_[i] == 0) renew(i, t, p, seg);
    }

    for (const Opportunity& opp : won_) {
      const auto& seg = w_.segments[static_cast<std::size_t>(opp.segment)];
      add_account(opp.segment, least_loaded_csm(opp.segment), opp.ae, p, kNewAccountBit | opp.id,
                  opp.value, seg.health_start, w_.effort.ae_overpromise, 0, kContractMonths);
    }
    series(t, kArrEnd) = total_arr_;
    std::int64_t active = 0;
    for (std::size_t i = 0; i < seg_.size(); ++i) active += active_[i];
    series(t, kActiveLogos) = active;
    close_cohorts(t);
  }

  void raise_csql(std::size_t i, int t, int p, const SegmentConfig& seg, KeyedStream& cs) {
    const int nprod = static_cast<int>(w_.products.size());
    const int missing = nprod - std::popcount(products_[i]);
    const double u_kind = cs.uniform(), u_product = cs.uniform(), u_accept = cs.uniform();
    int product = -1;
    std::int64_t value;
    if (missing > 0 && u_kind < w_.cross_sell_probability) {
      // Cross-sell the k-th product the account does not hold.
      int k = std::min(missing - 1, static_cast<int>(u_product * missing));
      for (int q = 0; q < nprod; ++q) {
        if (products_[i] & (1u << q)) continue;
        if (k-- == 0) { product = q; break; }
      }
      value = to_cents(seg.acv_median * w_.products[static_cast<std::size_t>(product)].acv_scale);
    } else {
      value = to_cents(seg.upsell_fraction * static_cast<double>(arr_fixed_[i] + arr_usage_[i]) / 100.0);
    }
    const int csm = csm_[i];
    raw(csm, p, kCsqlCount) += 1;
    raw(csm, p, kCsqlPipeline) += value;
    series(t, kCsqlRaised) += 1;
    series(t, kCsqlValue) += value;
    if (ae_[i] < 0 || !(u_accept < acceptance_[static_cast<std::size_t>(seg_[i])])) return;
    series(t, kHandoffsAccepted) += 1;
    const int close = t + w_.expansion_cycle_months;
    // Closing this month is handled next month (the account has been processed already).
    const int when = std::max(close, t + 1);
    if (when >= w_.months) return;
    exp_close_[i] = when;
    exp_value_[i] = value;
    exp_product_[i] = product;
    exp_csm_[i] = csm;
  }

  void renew(std::size_t i, int t, int p, const SegmentConfig& seg) {
    const int r = renewal_index_[i];
    const auto& hazard = seg.renewal_hazard;
    const double base = hazard[static_cast<std::size_t>(std::min<int>(r, static_cast<int>(hazard.size()) - 1))];
    const double p_churn =
        clip01(base * std::exp(w_.churn_health_effect * (0.5 - health_[i])) * (1.0 + w_.churn_gap_effect * gap_[i]));
    series(t, kRenewalsDue) += 1;
    if (r == 0) series(t, kFirstRenewalsDue) += 1;
    if (stream(entity_[i], t, Purpose::Renewal).uniform() < p_churn) {
      const std::int64_t lost = arr_fixed_[i] + arr_usage_[i];
      series(t, kChurnedArr) += lost;
      series(t, kChurnedLogos) += 1;
      total_arr_ -= lost;
      arr_fixed_[i] = arr_usage_[i] = 0;
      active_[i] = 0;
      exp_close_[i] = -1;
      if (csm_[i] >= 0) --load_[static_cast<std::size_t>(csm_[i])];
      if (r == 0) {
        series(t, kFirstRenewalChurns) += 1;
        if (sold_period_[i] >= 0) {
          std::int64_t* c = &churn_[((static_cast<std::size_t>(ae_[i]) * static_cast<std::size_t>(out_.periods) +
                                      static_cast<std::size_t>(sold_period_[i])) * static_cast<std::size_t>(out_.periods) +
                                     static_cast<std::size_t>(p)) * 2];
          c[0] += booked_[i];
          c[1] += 1;
        }
      }
      return;
    }
    renewal_index_[i] = r + 1;
    gap_[i] *= w_.gap_decay;
    to_renewal_[i] = kContractMonths;
  }

  const Scenario& sc_;
  const WorldConfig& w_;
  const RepRoster& roster_;
  const std::uint64_t key_;
  SimulationOutput& out_;
  const std::uint32_t first_trial_;
  boost::random::normal_distribution<double> normal_{0.0, 1.0};

  // Fixed per scenario.
  std::vector<std::vector<int>> seg_aes_, seg_csms_;
  std::vector<int> sdrs_;
  std::vector<double> share_cdf_, acceptance_, log_median_;
  std::vector<bool> usage_priced_;
  double adoption_ratio_ = 1, expansion_ratio_ = 1, new_business_ratio_ = 1, follow_up_ratio_ = 1;

  // Per trial.
  int trial_ = 0;
  std::uint32_t trial_key_ = 0;
  std::int64_t* monthly_ = nullptr;
  std::int64_t* cohorts_ = nullptr;
  std::int64_t* rep_raw_ = nullptr;
  std::int64_t* churn_ = nullptr;
  std::int64_t total_arr_ = 0;
  std::vector<double> skill_, health_shift_, expansion_effort_;
  std::vector<int> load_;
  std::vector<std::vector<Opportunity>> pipeline_;
  std::vector<Opportunity> won_;

  // Accounts, structure of arrays.
  std::vector<int> seg_, csm_, ae_, sold_period_, renewal_index_, to_renewal_, exp_close_,
      exp_product_, exp_csm_, period_csm_, period_ae_;
  std::vector<std::uint32_t> entity_, products_;
  std::vector<std::int64_t> arr_fixed_, arr_usage_, booked_, exp_value_, period_start_, year_start_;
  std::vector<double> health_, gap_;
  std::vector<std::uint8_t> active_, expanded_;
};

}  // namespace

RepRoster make_roster(const Scenario& scenario) {
  RepRoster roster;
  const auto& segs = scenario.world.segments;
  auto add = [&](Role role, int segment, int plan, int count) {
    for (int i = 0; i < count; ++i) {
      roster.role.push_back(role);
      roster.segment.push_back(segment);
      roster.plan.push_back(plan);
    }
  };
  for (int s = 0; s < static_cast<int>(segs.size()); ++s) {
    add(Role::AE, s, scenario.ae_plan[static_cast<std::size_t>(s)], segs[static_cast<std::size_t>(s)].ae_headcount);
  }
  add(Role::SDR, -1, scenario.sdr_plan, scenario.world.sdr_headcount);
  for (int s = 0; s < static_cast<int>(segs.size()); ++s) {
    add(Role::CSM, s, scenario.csm_plan[static_cast<std::size_t>(s)], segs[static_cast<std::size_t>(s)].csm_headcount);
  }
  return roster;
}

void allocate_output(const Scenario& scenario, const RunOptions& options, SimulationOutput& out) {
  if (options.trials < 1) {
    throw std::invalid_argument("trials: " + std::to_string(options.trials) + " is not an integer >= 1");
  }
  const auto& w = scenario.world;
  out.trials = options.trials;
  out.months = w.months;
  out.periods = w.periods();
  out.years = w.years();
  out.segments = static_cast<int>(w.segments.size());
  out.reps = make_roster(scenario).size();
  out.max_measures = 1;
  for (const auto& plan : scenario.plans) out.max_measures = std::max(out.max_measures, static_cast<int>(plan.measures.size()));
  const auto T = static_cast<std::size_t>(out.trials), R = static_cast<std::size_t>(out.reps),
             P = static_cast<std::size_t>(out.periods);
  out.monthly.assign(T * static_cast<std::size_t>(out.months) * kNumSeries, 0);
  out.cohorts.assign(T * static_cast<std::size_t>(out.years * out.segments) * kNumCohortFields, 0);
  out.rep_raw.assign(T * R * P * kNumRawSlots, 0);
  out.first_renewal_churn.assign(T * R * P * P * 2, 0);
  out.rep_skill.assign(T * R, 0.0);
  out.pay.assign(T * R * P * kNumPayFields, 0.0);
  out.measure_payout.assign(T * R * P * static_cast<std::size_t>(out.max_measures), 0.0);
  out.completed.assign(T, 0);
}

void pay_reps(const Scenario& scenario, SimulationOutput& out, int trial_begin, int trial_end) {
  PayrollInput in;
  in.trials = out.trials;
  in.reps = out.reps;
  in.periods = out.periods;
  in.period_months = scenario.world.period_months;
  in.rep_raw = out.rep_raw.data();
  in.first_renewal_churn = out.first_renewal_churn.data();
  in.rep_plan = make_roster(scenario).plan;
  PayrollOutput po;
  po.max_measures = out.max_measures;
  po.measure_payout = out.measure_payout.data();
  po.pay = out.pay.data();
  evaluate_payroll(scenario.plans, in, po, trial_begin, trial_end);
}

void run_simulation(const Scenario& scenario, const RunOptions& options, SimulationOutput& out,
                    RunControl& control) {
  scenario.validate();
  if (out.trials != options.trials || out.completed.size() != static_cast<std::size_t>(options.trials)) {
    allocate_output(scenario, options, out);
  }
  if (options.threads < 0) {
    throw std::invalid_argument("threads: " + std::to_string(options.threads) + " is not >= 0 (0: all cores)");
  }
  if (static_cast<std::uint64_t>(options.first_trial) + static_cast<std::uint64_t>(options.trials) > (1ull << 32)) {
    throw std::invalid_argument("first_trial: trial keys must stay below 2**32");
  }
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::min(options.trials, options.threads > 0 ? options.threads : hw);
  const int batch = options.batch_size > 0 ? options.batch_size
                                           : std::clamp(options.trials / (threads * 8), 1, 32);
  const int batches = (options.trials + batch - 1) / batch;
  const RepRoster roster = make_roster(scenario);
  const std::uint64_t key = seed_key(options.seed);

  std::atomic<int> next_batch{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&]() {
    try {
      TrialSimulator sim(scenario, roster, key, out, options.first_trial);
      for (int b = next_batch.fetch_add(1); b < batches && !control.cancel.load(); b = next_batch.fetch_add(1)) {
        const int begin = b * batch, end = std::min(options.trials, begin + batch);
        for (int trial = begin; trial < end; ++trial) sim.run(trial);
        pay_reps(scenario, out, begin, end);
        for (int trial = begin; trial < end; ++trial) out.completed[static_cast<std::size_t>(trial)] = 1;
        control.trials_done.fetch_add(end - begin);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      control.cancel.store(true);
    }
  };
  if (threads == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(threads));
    for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
    for (auto& th : pool) th.join();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace complab
