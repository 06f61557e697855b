#include "complab/engine.hpp"

#include <algorithm>
#include <bit>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cassert>
#include <cmath>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "complab/account_pass.hpp"
#include "complab/behaviour.hpp"
#include "complab/identity.hpp"
#include "complab/random.hpp"
#include "complab/random_batch.hpp"
#include "complab/steady_state.hpp"

namespace complab {
namespace {

using identity::kNewAccountBit;
using identity::Source;
// Effort below this is treated as this: ln(0) would make health targets -inf.
constexpr double kMinEffort = 1e-3;

/// Stops the run: an account's ARR would reach kMaxArrCents (account_pass.hpp).
[[noreturn]] void arr_limit_exceeded(const SegmentConfig& seg) {
  throw std::invalid_argument("world.segments." + seg.name +
                              ": an account's ARR passed the engine's limit of 2**52 cents (about $45 "
                              "trillion); lower acv_median, acv_log_sd, usage_drift, usage_noise or "
                              "upsell_fraction, or world.months");
}

/// The company's total ARR stays below 2^56 cents (about $720 trillion), so every sum of
/// ARR or of a year's flows fits in 64 bits.
constexpr std::int64_t kMaxTotalArrCents = std::int64_t{1} << 56;

[[noreturn]] void total_arr_limit_exceeded() {
  throw std::invalid_argument(
      "world: the company's total ARR passed the engine's limit of 2**56 cents (about $720 "
      "trillion); lower the segments' acv_median, initial_accounts or usage growth");
}

/// A non-negative amount of an account of segment `seg` in cents, rounded half up.
std::int64_t to_cents(double amount, const SegmentConfig& seg) {
  const double cents = amount * 100.0 + 0.5;
  if (!(cents < kMaxArrCents)) arr_limit_exceeded(seg);
  return static_cast<std::int64_t>(cents);
}

struct Opportunity {
  std::uint32_t id;
  int sdr;      // rep index of the SDR who sourced it, -1: inbound or the AE's own
  int segment;
  int ae;       // rep index
  std::int64_t value;  // first-year ARR if won (cents)
  double u_win;  // its OpportunityWin uniform (stream: id, month created), drawn with the others
};

/// What a rep sees at a month's start in responsive mode: its book so far this period and
/// how its metrics respond to its activities (docs/model.md §8).
struct BookState {
  std::array<std::int64_t, kNumRawSlots> raw{};  // book slots of the period-start cohort so far
  // CSM, per unit change of the health target: ARR and logos kept at renewals this period,
  // usage ARR gained over the rest of the period.
  double churn_arr = 0, churn_logos = 0, usage = 0;
  // CSM, per unit of expansion effort E_e: CSQLs, their value, and expansions won this period.
  double csql = 0, csql_value = 0, csql_wins = 0, csql_win_value = 0;
  // AE, per unit of new-business share: deals closing this month (value, count).
  double deals_value = 0, deals = 0;
  // AE, per unit of over-promising: wins gained (value, count) and first-renewal churn exposure.
  double promise_value = 0, promise_count = 0, churn_exposure_value = 0, churn_exposure_count = 0;
  // AE, per unit of follow-up share: expansions closing this month (value, count).
  double expansion_value = 0, expansions = 0;
};

/// A segment's active accounts in account order: add_account appends, segment_month
/// drops the churned ones after its events, so between months they are the accounts
/// active at the next start. The state the monthly pass reads and writes sits here, in
/// list order, so the pass loads it contiguously. Health and usage ARR are kept here while
/// an account is active (TrialSimulator::store_live_state copies them to the account
/// arrays); the gap, the next renewal's month and a pending hand-off's close month matter
/// only while it is.
struct LiveAccounts {
  std::vector<std::uint32_t> account, entity;  // index in the account arrays; stream entity
  std::vector<int> csm, renewal_month, exp_close;  // exp_close: -1 if no hand-off is pending
  std::vector<double> health, gap;
  std::vector<std::int64_t> arr_usage;
  std::size_t size() const { return account.size(); }
  void clear() {
    for (auto* v : {&account, &entity}) v->clear();
    for (auto* v : {&csm, &renewal_month, &exp_close}) v->clear();
    for (auto* v : {&health, &gap}) v->clear();
    arr_usage.clear();
  }
};

/// Simulates one trial at a time; owns every buffer so the month loop never allocates
/// (the account arrays grow only when a trial has more accounts than any before it).
class TrialSimulator {
 public:
  TrialSimulator(const Scenario& scenario, const RepRoster& roster, std::uint64_t key,
                 SimulationOutput& out, std::uint32_t first_trial, const std::atomic<bool>& cancel)
      : sc_(scenario), w_(scenario.world), roster_(roster), key_(key), out_(out),
        first_trial_(first_trial), cancel_(cancel) {
    const int nseg = static_cast<int>(w_.segments.size());
    seg_aes_.resize(static_cast<std::size_t>(nseg));
    live_.resize(static_cast<std::size_t>(nseg));
    seg_csms_.resize(static_cast<std::size_t>(nseg));
    for (int r = 0; r < roster_.size(); ++r) {
      const auto ri = static_cast<std::size_t>(r);
      const Role role = roster_.role[ri];
      const int segment = roster_.segment[ri];
      // A rep's ordinal among its role and segment: its identity in the streams (identity.hpp).
      int ordinal = 0;
      if (role == Role::AE) ordinal = static_cast<int>(seg_aes_[static_cast<std::size_t>(segment)].size());
      if (role == Role::CSM) ordinal = static_cast<int>(seg_csms_[static_cast<std::size_t>(segment)].size());
      if (role == Role::SDR) ordinal = static_cast<int>(sdrs_.size());
      rep_id_.push_back(identity::rep_id(role, segment, ordinal));
      rep_ordinal_.push_back(ordinal);
      if (role == Role::AE) seg_aes_[static_cast<std::size_t>(segment)].push_back(r);
      if (role == Role::CSM) seg_csms_[static_cast<std::size_t>(segment)].push_back(r);
      if (role == Role::SDR) sdrs_.push_back(r);
    }
    double total_share = 0.0;
    for (const auto& s : w_.segments) total_share += s.opportunity_share;
    double cum = 0.0;
    for (const auto& s : w_.segments) {
      cum += total_share > 0 ? s.opportunity_share / total_share : 0.0;
      share_cdf_.push_back(cum);
    }
    // From the last segment with a share on, exactly 1: a rounded sum just under 1 must
    // not let a uniform pick a segment with no share (and perhaps no AEs).
    for (int s = nseg - 1; s >= 0; --s) {
      share_cdf_[static_cast<std::size_t>(s)] = 1.0;
      if (w_.segments[static_cast<std::size_t>(s)].opportunity_share > 0) break;
    }
    for (int s = 0; s < nseg; ++s) {
      const auto& seg = w_.segments[static_cast<std::size_t>(s)];
      const double q = w_.handoff_acceptance + (sc_.shared_nrr(s) ? w_.shared_nrr_acceptance_uplift : 0.0);
      acceptance_.push_back(std::min(1.0, q));
      log_median_.push_back(std::log(seg.acv_median));
      longest_cycle_ = std::max(longest_cycle_, seg.sales_cycle_months);
      // Enough renewal indices that the normaliser has settled (the gap and the start health
      // fade geometrically); past the last, the last applies.
      hazard_scale_.push_back(churn_normaliser(w_, seg, seg.renewal_hazard.size() + 24));
      for (std::size_t r = 0; r < hazard_scale_.back().size(); ++r) {
        hazard_scale_.back()[r] = seg.renewal_hazard[std::min(r, seg.renewal_hazard.size() - 1)] / hazard_scale_.back()[r];
      }
      tenure_cdf_.push_back(renewal_index_cdf(w_, seg));
      growth_by_age_.push_back(expected_growth_by_age(w_, seg, acceptance_.back(),
                                                      tenure_cdf_.back().size() * kContractMonths));
    }
    const auto nrep = static_cast<std::size_t>(roster_.size());
    skill_.resize(nrep);
    share_.resize(nrep);
    overpromise_.resize(nrep);
    load_.resize(nrep);
    level_.assign(nrep, 1.0);
    open_.assign(nrep, 0);
    capacity_.assign(nrep, 1.0);
    if (w_.behaviour.responsive()) book_.resize(nrep);
    // Indexed by CSM + 1 (PassReps): entry 0 is for accounts without a CSM.
    health_shift_.assign(nrep + 1, w_.health_adoption_effect * std::log(kMinEffort));
    expansion_effort_.assign(nrep + 1, 0.0);
    // Deals close up to the longest cycle past the horizon: they stay open (an AE's pipeline).
    pipeline_.resize(static_cast<std::size_t>(w_.months + longest_cycle_ + 1));
    for (const auto& p : w_.products) usage_priced_.push_back(p.usage_priced);
    std::size_t inputs = 1, spifs = 1, measures = 1;
    for (const auto& plan : sc_.plans) {
      inputs = std::max(inputs, static_cast<std::size_t>(plan.num_inputs()));
      spifs = std::max(spifs, plan.spifs.size());
      measures = std::max(measures, plan.measures.size());
    }
    actuals_.resize(inputs);
    projected_.resize(inputs);
    spif_counts_.resize(spifs);
    measure_payout_.resize(measures);
  }

  /// Simulates trial `trial`; false when a cancel stopped it first (its outputs are then
  /// partial and it must not be marked completed).
  bool run(int trial) {
    trial_ = trial;
    trial_key_ = first_trial_ + static_cast<std::uint32_t>(trial);
    const auto t_off = static_cast<std::size_t>(trial);
    // Pointer arithmetic, not &v[i]: a slice may be empty (no whole year, no reps).
    monthly_ = out_.monthly.data() + t_off * static_cast<std::size_t>(out_.months) * kNumSeries;
    cohorts_ = out_.cohorts.data() + t_off * static_cast<std::size_t>(out_.years * out_.segments) * kNumCohortFields;
    rep_raw_ = out_.rep_raw.data() + t_off * static_cast<std::size_t>(out_.reps * out_.periods) * kNumRawSlots;
    churn_ = out_.first_renewal_churn.data() + t_off * static_cast<std::size_t>(out_.reps * out_.periods) * 2;
    std::fill_n(monthly_, static_cast<std::size_t>(out_.months) * kNumSeries, 0);
    std::fill_n(cohorts_, static_cast<std::size_t>(out_.years * out_.segments) * kNumCohortFields, 0);
    std::fill_n(rep_raw_, static_cast<std::size_t>(out_.reps * out_.periods) * kNumRawSlots, 0);
    std::fill_n(churn_, static_cast<std::size_t>(out_.reps * out_.periods) * 2, 0);

    draw_skills();
    reset_behaviour();
    for (auto& month : pipeline_) month.clear();
    std::fill(open_.begin(), open_.end(), 0);
    build_initial_book();
    csm_efforts();
    warm_start();
    for (int t = 0; t < w_.months; ++t) {
      // Ctrl-C waits at most a year of one trial, however long the horizon.
      if (t % kContractMonths == kContractMonths - 1 && cancel_.load(std::memory_order_relaxed)) return false;
      step(t);
    }
    if (!out_.accounts.empty()) {
      store_live_state();
      record_accounts();
    }
    return true;
  }

 private:
  /// The stream of entity (group, id) in `month` (identity.hpp; months before 0 are the warm start's).
  KeyedStream stream(std::uint32_t group, std::uint32_t entity, int month, Purpose purpose) const {
    return KeyedStream(key_, trial_key_, entity, identity::month_word(group, month), purpose);
  }

  /// One block of one purpose's streams for a list of entities (block 0 unless `block`
  /// says), as its two 64-bit words, computed together (block_words); and the stream that
  /// goes on from a first block.
  struct StreamBlocks {
    std::vector<std::uint64_t> first, second;
  };
  void stream_blocks(std::uint32_t group, const std::uint32_t* entity, std::size_t n, int month, Purpose purpose,
                     StreamBlocks& out, std::uint32_t block = 0) const {
    if (out.first.size() < n) {
      out.first.resize(n);
      out.second.resize(n);
    }
    block_words(key_, trial_key_, entity, n, identity::month_word(group, month), purpose, block, out.first.data(),
                out.second.data());
  }
  KeyedStream stream(const StreamBlocks& blocks, std::size_t k, std::uint32_t group, std::uint32_t entity, int month,
                     Purpose purpose) const {
    return KeyedStream(block_of(blocks.first[k], blocks.second[k]), key_, trial_key_, entity,
                       identity::month_word(group, month), purpose);
  }

  /// `purpose`'s unit normals for the accounts with entities `entity[0..n)`, whose first
  /// words are `word[k]`: Boost's normal, with its common case taken inline from the word.
  /// The rare draws that need more words are finished together afterwards, their streams'
  /// first blocks computed in one batch.
  void unit_normals(const std::uint64_t* word, std::uint32_t group, const std::uint32_t* entity, std::size_t n, int t,
                    Purpose purpose, double* z) {
    if (declined_.size() < n) declined_.resize(n);
    const std::size_t m = unit_normals_first_words(word, n, z, declined_.data());
    if (m == 0) return;
    if (declined_entity_.size() < m) declined_entity_.resize(m);
    for (std::size_t j = 0; j < m; ++j) declined_entity_[j] = entity[declined_[j]];
    stream_blocks(group, declined_entity_.data(), m, t, purpose, declined_blocks_);
    for (std::size_t j = 0; j < m; ++j) {
      const std::size_t k = declined_[j];
      WordThenStream words(word[k], stream(declined_blocks_, j, group, declined_entity_[j], t, purpose));
      z[k] = normal_(words);  // N(0, 1): the unit normal, as the common case above
    }
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
        auto s = stream(identity::kRepGroup, rep_id_[static_cast<std::size_t>(r)], 0, Purpose::RepSkill);
        z = boost::random::lognormal_distribution<double>(0.0, w_.skill_log_sd)(s);
      }
      skill_[static_cast<std::size_t>(r)] = z;
      out_.rep_skill[static_cast<std::size_t>(trial_) * static_cast<std::size_t>(out_.reps) + static_cast<std::size_t>(r)] = z;
    }
  }

  double follow_up_ratio(std::size_t ae) const {
    return (1.0 - share_[ae]) / (1.0 - w_.effort.ae_new_business_ref);
  }

  /// Churn probability at renewal number r of segment s at health h and gap g: the hazard
  /// scaled so that its steady-state book average is H_s[r] (docs/model.md §5 step 5).
  double churn_probability(int s, int r, double h, double g) const {
    const auto& scale = hazard_scale_[static_cast<std::size_t>(s)];
    const double base = scale[std::min(static_cast<std::size_t>(r), scale.size() - 1)];
    return clip01(base * std::exp(w_.churn_health_effect * (0.5 - h)) * (1.0 + w_.churn_gap_effect * g));
  }
  double churn_probability(const LiveAccounts& live, std::size_t k) const {
    const std::uint32_t i = live.account[k];
    return churn_probability(seg_[i], renewal_index_[i], live.health[k], live.gap[k]);
  }

  void reset_behaviour() {
    for (int r = 0; r < roster_.size(); ++r) {
      const auto ri = static_cast<std::size_t>(r);
      const Role role = roster_.role[ri];
      share_[ri] = role == Role::CSM ? w_.effort.csm_adoption
                   : role == Role::AE ? w_.effort.ae_new_business : 1.0;
      overpromise_[ri] = role == Role::AE ? w_.effort.ae_overpromise : 0.0;
      level_[ri] = 1.0;
    }
  }

  void record_effort(int t) {
    if (out_.effort.empty()) return;
    const auto months = static_cast<std::size_t>(out_.months), reps = static_cast<std::size_t>(out_.reps);
    float* e = &out_.effort[static_cast<std::size_t>(trial_) * reps * months * kNumEffortFields];
    for (std::size_t r = 0; r < reps; ++r) {
      float* f = e + (r * months + static_cast<std::size_t>(t)) * kNumEffortFields;
      f[kEffortPrimary] = static_cast<float>(share_[r]);
      f[kEffortSecondary] = static_cast<float>(1.0 - share_[r]);
      f[kEffortOverpromise] = static_cast<float>(overpromise_[r]);
      f[kEffortLevel] = static_cast<float>(level_[r]);
    }
  }

  /// Responsive mode (docs/model.md §8): each rep projects its period-end attainment at its run-rate,
  /// values one more month of each activity under its plan, and re-splits its effort.
  void respond(int t) {
    const int P = w_.period_months, p = t / P, elapsed = t - p * P, left = P - elapsed;
    const int last = p * P + P - 1;
    const double sd = w_.behaviour.projection_uncertainty * std::sqrt(static_cast<double>(left) / P);
    for (auto& b : book_) b = BookState{};
    store_live_state();
    gather_book(t, left, last);
    gather_deals(t, last);
    for (int r = 0; r < roster_.size(); ++r) {
      const auto ri = static_cast<std::size_t>(r);
      const Role role = roster_.role[ri];
      const int plan_index = roster_.plan[ri];
      if (role == Role::SDR || plan_index < 0) continue;
      const Plan& plan = sc_.plans[static_cast<std::size_t>(plan_index)];
      std::array<std::int64_t, kNumRawSlots> raw_now{};
      std::copy_n(&raw(r, p, 0), kNumRawSlots, raw_now.begin());
      for (int slot = kBookStartArr; slot <= kBookExpandedLogos; ++slot) {
        raw_now[static_cast<std::size_t>(slot)] = book_[ri].raw[static_cast<std::size_t>(slot)];
      }
      plan_inputs(plan, raw_now.data(), actuals_.data(), spif_counts_.data());
      const std::size_t n = plan.measures.size();
      for (std::size_t k = 0; k < static_cast<std::size_t>(plan.num_inputs()); ++k) {
        const bool is_measure = k < n;
        const Metric metric = is_measure ? plan.measures[k].metric : plan.multiplier->metric;
        const double target = is_measure ? plan.measures[k].target : plan.multiplier->target;
        projected_[k] = elapsed == 0 ? target : project(metric, actuals_[k], elapsed, P);
      }
      const auto pay = marginal_pay(plan, projected_.data(), P, sd);
      const double v = plan.ote * (1.0 - plan.base_share) * P / 12.0;
      const Productivity g = role == Role::CSM ? csm_productivity(ri) : ae_productivity(ri);
      const Eigen::Matrix<double, kNumActivities, 1> value = g * pay;
      // Validation bounds plans and productivities so this holds; stop rather than let a
      // NaN share through if some corner still escapes them.
      if (!value.allFinite()) {
        throw std::invalid_argument("plans." + plan.name + ": a rep's value of one more month of effort is not "
                                    "finite in month " + std::to_string(t) +
                                    "; check the plan's targets and curves and behaviour.*_productivity");
      }
      Eigen::Matrix<double, kNumActivities, 1> base;
      base << (role == Role::CSM ? w_.effort.csm_adoption : w_.effort.ae_new_business),
          1.0 - (role == Role::CSM ? w_.effort.csm_adoption : w_.effort.ae_new_business);
      share_[ri] = effort_shares(base, value, w_.behaviour.incentive_sensitivity, v)(0);
      // Effort level (docs/model.md §8): every activity's effect scales with l, so the
      // marginal pay of working harder at this split is M = sum_k s_k v_k / l, in currency;
      // l = clamp((M / c)^eta, 1, l_max) against the role's cost of effort c.
      const Eigen::Matrix<double, kNumActivities, 1> level_value =
          role == Role::CSM && w_.behaviour.csm_productivity.empty() ? csm_productivity(ri, false) * pay : value;
      const double marginal = (share_[ri] * level_value(0) + (1.0 - share_[ri]) * level_value(1)) / level_[ri];
      const double cost = role == Role::CSM ? w_.behaviour.effort_cost_csm : w_.behaviour.effort_cost_ae;
      level_[ri] = marginal > cost ? std::min(w_.behaviour.max_effort_level,
                                              std::pow(marginal / cost, w_.behaviour.effort_elasticity))
                                   : 1.0;
      if (role == Role::AE) {
        const BookState& b = book_[ri];
        const double win = b.promise_value * (pay[static_cast<int>(Metric::NewArr)] + pay[static_cast<int>(Metric::Bookings)]) +
                           b.promise_count * pay[static_cast<int>(Metric::NewLogos)];
        overpromise_[ri] = overpromise_level(w_.effort.ae_overpromise, win - clawback_cost(plan, b, P),
                                             w_.behaviour.incentive_sensitivity, v);
      }
    }
  }

  /// Period-end value of a metric at its run-rate after `elapsed` of `months` months.
  static double project(Metric metric, double so_far, int elapsed, int months) {
    const double scale = static_cast<double>(months) / elapsed;
    switch (metric) {
      case Metric::Nrr: return 1.0 + (so_far - 1.0) * scale;
      case Metric::Grr: return 1.0 - (1.0 - so_far) * scale;
      default: return so_far * scale;  // sums, churn and expand rates grow with time
    }
  }

  /// Expected clawback per unit of over-promising: the commission payroll would claw back
  /// per dollar and per logo at the projected actuals, times the first-renewal churn
  /// exposure of this month's deals.
  double clawback_cost(const Plan& plan, const BookState& b, int period_months) {
    if (!plan.clawback) return 0.0;  // validated: its window reaches the first renewal
    evaluate_period(plan, projected_.data(), period_months, spif_counts_.data(), measure_payout_.data());
    const UnitCommission u = unit_commission(plan, projected_.data(), measure_payout_.data());
    return plan.clawback->share * (u.per_arr * b.churn_exposure_value + u.per_logo * b.churn_exposure_count);
  }

  /// What each rep sees at the month's start: its period-start cohort so far (every account
  /// in one), and, over the active accounts, the CSMs' sensitivities of churn, usage and
  /// CSQLs to their effort and the AEs' of hand-offs closing this month.
  void gather_book(int t, int left, int last) {
    // The reps' period-start cohorts so far.
    sum_period_cohorts([this](int rep) { return book_[static_cast<std::size_t>(rep)].raw.data(); });
    // The sensitivities, over the active accounts a segment at a time. A rep's accounts
    // are all in its segment and the lists keep account order, so each rep's sums add up
    // in account order.
    const double lambda_h = w_.churn_health_effect, gamma = w_.csql_health_exponent;
    const bool csql_window = t + std::max(1, w_.expansion_cycle_months) <= last;
    for (std::size_t s = 0; s < live_.size(); ++s) {
      const auto& seg = w_.segments[s];
      const double kappa = seg.health_reversion, acceptance = acceptance_[s];
      // A health-target change this month moves health by kappa now, decaying by (1 - kappa)
      // a month: it reaches a renewal d months ahead as kappa (1 - kappa)^(d-1), and usage
      // by the period's end as 1 - (1 - kappa)^left. Computed once, not per account.
      std::array<double, kContractMonths + 1> renewal_reach{};
      for (int d = 1; d <= kContractMonths; ++d) {
        renewal_reach[static_cast<std::size_t>(d)] = kappa * std::pow(1.0 - kappa, d - 1);
      }
      const double usage_reach = 1.0 - std::pow(1.0 - kappa, left);
      const LiveAccounts& live = live_[s];
      for (std::size_t k = 0; k < live.size(); ++k) {
        const std::uint32_t i = live.account[k];
        const double arr = static_cast<double>(arr_fixed_[i] + live.arr_usage[k]) / 100.0, h = live.health[k];
        const int ae = ae_[i];
        if (ae >= 0 && live.exp_close[k] == t) {
          const double d_win = follow_up_rate(seg, static_cast<std::size_t>(ae), h) / (1.0 - w_.effort.ae_new_business_ref);
          book_[static_cast<std::size_t>(ae)].expansion_value += static_cast<double>(exp_value_[i]) / 100.0 * d_win;
          book_[static_cast<std::size_t>(ae)].expansions += d_win;
        }
        if (live.csm[k] < 0) continue;
        BookState& b = book_[static_cast<std::size_t>(live.csm[k])];
        const int d = live.renewal_month[k] - t + 1;  // months to the renewal, this one included
        if (t + d - 1 <= last) {
          const double pc = churn_probability(live, k);
          if (pc > 0.0 && pc < 1.0) {
            // 1 <= d <= 12: an active account renews within the coming 12 months.
            const double reach = renewal_reach[static_cast<std::size_t>(d)];
            b.churn_arr += arr * lambda_h * pc * reach;
            b.churn_logos += lambda_h * pc * reach;
          }
        }
        b.usage += static_cast<double>(live.arr_usage[k]) / 100.0 * seg.usage_drift * usage_reach;
        // As the month's pass: a hand-off closing this month no longer blocks a CSQL.
        if ((live.exp_close[k] < 0 || live.exp_close[k] == t) && seg.csql_rate > 0) {
          const double rate = seg.csql_rate * (gamma == 1.0 ? h : std::pow(h, gamma));
          const double value = seg.upsell_fraction * arr;
          b.csql += rate;
          b.csql_value += rate * value;
          if (ae >= 0 && csql_window) {
            const auto a = static_cast<std::size_t>(ae);
            const double win = acceptance * std::min(1.0, follow_up_rate(seg, a, h) * follow_up_ratio(a));
            b.csql_wins += rate * win;
            b.csql_win_value += rate * win * value;
          }
        }
      }
    }
  }

  /// Deals closing this month, per AE: what one more unit of new-business share or of
  /// over-promising adds to wins, and the first-renewal churn it exposes the AE to.
  void gather_deals(int t, int last) {
    for (const Opportunity& opp : pipeline_[static_cast<std::size_t>(t)]) {
      const auto ae = static_cast<std::size_t>(opp.ae);
      const auto& seg = w_.segments[static_cast<std::size_t>(opp.segment)];
      const double n_ratio = share_[ae] / w_.effort.ae_new_business_ref;
      const double o = overpromise_[ae], alpha = w_.overpromise_win_uplift;
      // deal_rate without over-promising's factor: w z l phi.
      const double wz = deal_rate(seg, ae) / (1.0 + alpha * o);
      const double p_win = wz * n_ratio * (1.0 + alpha * o);
      const double value = static_cast<double>(opp.value) / 100.0;
      BookState& b = book_[ae];
      if (p_win < 1.0) {
        const double d_share = wz * (1.0 + alpha * o) / w_.effort.ae_new_business_ref;
        b.deals_value += value * d_share;
        b.deals += d_share;
        b.promise_value += value * wz * n_ratio * alpha;
        b.promise_count += wz * n_ratio * alpha;
      }
      // d/do [p_win * q1(o)], q1 the first-renewal churn probability at starting health.
      const double h0 = churn_probability(opp.segment, 0, seg.health_start, 0.0);
      const double q1 = churn_probability(opp.segment, 0, seg.health_start, o);
      const double dq1 = q1 < 1.0 ? h0 * w_.churn_gap_effect : 0.0;
      const double dp = p_win < 1.0 ? wz * n_ratio * alpha : 0.0;
      const double exposure = dp * q1 + std::min(1.0, p_win) * dq1;
      b.churn_exposure_value += value * exposure;
      b.churn_exposure_count += exposure;
    }
    // Prospecting: one more unit of share creates prospecting_rate / n_ref opportunities this
    // month, won at the AE's chance, which count if they close within the period.
    for (std::size_t s = 0; s < seg_aes_.size(); ++s) {
      const auto& seg = w_.segments[s];
      if (!(seg.ae_prospecting > 0) || t + seg.sales_cycle_months > last) continue;
      const double mean_acv = seg.acv_median * std::exp(0.5 * seg.acv_log_sd * seg.acv_log_sd) * w_.products[0].acv_scale;
      for (int ae : seg_aes_[s]) {
        const auto a = static_cast<std::size_t>(ae);
        const double p_win = std::min(1.0, deal_rate(seg, a) * share_[a] / w_.effort.ae_new_business_ref);
        const double wins = prospecting_rate(seg, a) / w_.effort.ae_new_business_ref * p_win;
        book_[a].deals_value += wins * mean_acv;
        book_[a].deals += wins;
      }
    }
  }

  /// G for a CSM (metric units per month of each activity), derived or overridden; without
  /// `with_push`, the push penalty's terms are left out (an effort level raises attention,
  /// not the expansion emphasis the penalty follows).
  Productivity csm_productivity(std::size_t r, bool with_push = true) const {
    const auto& over = w_.behaviour.csm_productivity;
    if (!over.empty()) return Eigen::Map<const Eigen::Matrix<double, kNumActivities, kNumMetrics, Eigen::RowMajor>>(over.data());
    const BookState& b = book_[r];
    Productivity g = Productivity::Zero();
    const double a = std::max(kMinEffort, share_[r]);
    const double start = static_cast<double>(b.raw[kBookStartArr]) / 100.0;
    const double logos = static_cast<double>(b.raw[kBookStartLogos]);
    // The book's ratios need a period-start book; CSQL counts and values do not (a CSM may
    // be given its first accounts during the period).
    const bool has_book = start > 0 && logos > 0;
    const double de = expansion_effort_per_share(r);
    g(1, static_cast<int>(Metric::CsqlCount)) = b.csql * de;
    g(1, static_cast<int>(Metric::CsqlPipeline)) = b.csql_value * de;
    g(1, static_cast<int>(Metric::ExpansionArr)) = b.csql_win_value * de;
    g(1, static_cast<int>(Metric::ExpansionWins)) = b.csql_wins * de;
    if (!has_book) return g;
    // Health: adoption raises the health target by theta_a / a per unit share; pushing
    // expansion past nominal effort lowers it by theta_p dE_e/de.
    // From this month's share and load, not last month's effort (which belongs to the
    // previous trial at month 0).
    // Pushing expansion past the reference emphasis lowers it by theta_p / (1 - a_ref) per unit share.
    const double emphasis = (1.0 - share_[r]) / (1.0 - w_.effort.csm_adoption_ref);
    const double health_a = w_.health_adoption_effect / a;
    const double health_e = emphasis > 1.0 && with_push ? -w_.health_push_effect / (1.0 - w_.effort.csm_adoption_ref) : 0.0;
    for (int k = 0; k < kNumActivities; ++k) {
      const double dh = k == 0 ? health_a : health_e;
      g(k, static_cast<int>(Metric::GrossChurn)) = -dh * b.churn_arr / start;
      g(k, static_cast<int>(Metric::Grr)) = dh * b.churn_arr / start;
      g(k, static_cast<int>(Metric::Nrr)) = dh * (b.churn_arr + b.usage) / start;
      g(k, static_cast<int>(Metric::LogoChurn)) = -dh * b.churn_logos / logos;
    }
    g(1, static_cast<int>(Metric::Nrr)) += b.csql_win_value * de / start;
    g(1, static_cast<int>(Metric::ExpandRate)) += b.csql_wins * de / logos;
    return g;
  }

  /// G for an AE: new-business share wins this month's deals, follow-up share its
  /// expansions closing this month.
  Productivity ae_productivity(std::size_t r) const {
    const auto& over = w_.behaviour.ae_productivity;
    if (!over.empty()) return Eigen::Map<const Eigen::Matrix<double, kNumActivities, kNumMetrics, Eigen::RowMajor>>(over.data());
    const BookState& b = book_[r];
    Productivity g = Productivity::Zero();
    g(0, static_cast<int>(Metric::NewArr)) = b.deals_value;
    g(0, static_cast<int>(Metric::NewLogos)) = b.deals;
    g(0, static_cast<int>(Metric::Bookings)) = b.deals_value;
    g(1, static_cast<int>(Metric::ExpansionArr)) = b.expansion_value;
    g(1, static_cast<int>(Metric::ExpansionWins)) = b.expansions;
    g(1, static_cast<int>(Metric::Bookings)) = b.expansion_value;
    const double start = static_cast<double>(b.raw[kBookStartArr]) / 100.0;
    const double logos = static_cast<double>(b.raw[kBookStartLogos]);
    if (start > 0) g(1, static_cast<int>(Metric::Nrr)) = b.expansion_value / start;
    if (logos > 0) g(1, static_cast<int>(Metric::ExpandRate)) = b.expansions / logos;
    return g;
  }

  void record_accounts() {
    assert(live_state_stored_);
    auto& records = out_.accounts[static_cast<std::size_t>(trial_)];
    records.clear();
    records.reserve(seg_.size());
    for (std::size_t i = 0; i < seg_.size(); ++i) {
      records.push_back(AccountRecord{entity_[i], static_cast<std::int16_t>(seg_[i]),
                                      static_cast<std::int16_t>(opened_[i]),
                                      static_cast<std::int16_t>(churned_[i]),
                                      static_cast<std::int16_t>(renewal_index_[i]), csm_[i], ae_[i],
                                      arr_fixed_[i] + arr_usage_[i], booked_[i], health_[i], products_[i]});
    }
  }

  void clear_accounts() {
    seg_.clear(); csm_.clear(); ae_.clear(); sold_period_.clear(); entity_.clear();
    arr_fixed_.clear(); arr_usage_.clear(); booked_.clear(); health_.clear();
    renewal_index_.clear(); products_.clear(); active_.clear();
    exp_value_.clear(); exp_product_.clear(); exp_csm_.clear();
    period_start_.clear(); expanded_.clear();
    year_start_.clear(); opened_.clear(); churned_.clear();
    std::fill(load_.begin(), load_.end(), 0);
    for (auto& v : live_) v.clear();
    cohort_offset_.clear();
    cohort_account_.clear();
    year_account_.clear();
    total_arr_ = 0;
    live_state_stored_ = true;  // no account yet; add_account writes both copies
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
    renewal_index_.push_back(renewal_index);
    products_.push_back(1u);
    active_.push_back(1);
    exp_value_.push_back(0);
    exp_product_.push_back(-1);
    exp_csm_.push_back(-1);
    period_start_.push_back(0);
    expanded_.push_back(0);
    year_start_.push_back(0);
    opened_.push_back(opened_month_);
    churned_.push_back(-1);
    if (csm >= 0) ++load_[static_cast<std::size_t>(csm)];
    total_arr_ += arr;  // arr < 2^52 and the total below 2^56 before it: no overflow
    if (total_arr_ >= kMaxTotalArrCents) total_arr_limit_exceeded();
    LiveAccounts& live = live_[static_cast<std::size_t>(segment)];
    live.account.push_back(static_cast<std::uint32_t>(seg_.size() - 1));
    live.entity.push_back(entity);
    live.csm.push_back(csm);
    live.renewal_month.push_back(opened_month_ + to_renewal);  // counting from the next month
    live.exp_close.push_back(-1);
    live.health.push_back(health);
    live.gap.push_back(gap);
    live.arr_usage.push_back(arr_usage_.back());
  }

  /// Copies the active accounts' health and usage ARR from live_ to the account arrays, for
  /// the code that reads them by account index (cohorts, account records).
  void store_live_state() {
    if (live_state_stored_) return;
    live_state_stored_ = true;
    for (const LiveAccounts& live : live_) {
      for (std::size_t k = 0; k < live.size(); ++k) {
        health_[live.account[k]] = live.health[k];
        arr_usage_[live.account[k]] = live.arr_usage[k];
      }
    }
  }

  /// The book at month 0 in its steady state (docs/model.md §4): each account's renewal index
  /// from the mix its segment's hazards give, its month in the contract year uniform, its gap
  /// what over-promising leaves after r renewals, and its health drawn from the health
  /// process at its age under its CSM's effort.
  void build_initial_book() {
    clear_accounts();
    opened_month_ = -1;
    const double o = w_.effort.ae_overpromise;
    for (int s = 0; s < static_cast<int>(w_.segments.size()); ++s) {
      const auto& seg = w_.segments[static_cast<std::size_t>(s)];
      const auto& aes = seg_aes_[static_cast<std::size_t>(s)];
      const auto& csms = seg_csms_[static_cast<std::size_t>(s)];
      const auto& cdf = tenure_cdf_[static_cast<std::size_t>(s)];
      const std::uint32_t group = identity::account_group(s);
      // Each account's three streams start from first blocks computed together.
      const auto n = static_cast<std::size_t>(seg.initial_accounts);
      if (book_entity_.size() < n) book_entity_.resize(n);
      for (std::size_t i = 0; i < n; ++i) book_entity_[i] = static_cast<std::uint32_t>(i);
      stream_blocks(group, book_entity_.data(), n, 0, Purpose::InitialTenure, tenure_blocks_);
      stream_blocks(group, book_entity_.data(), n, 0, Purpose::InitialArr, arr_blocks_);
      stream_blocks(group, book_entity_.data(), n, 0, Purpose::InitialHealth, health_blocks_);
      // The CSMs' effort with the books they start with (account i goes to CSM i mod n).
      for (std::size_t j = 0; j < csms.size(); ++j) {
        csm_effort(static_cast<std::size_t>(csms[j]), static_cast<int>(n / csms.size() + (j < n % csms.size() ? 1 : 0)));
      }
      boost::random::lognormal_distribution<double> acv(log_median_[static_cast<std::size_t>(s)], seg.acv_log_sd);
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t entity = book_entity_[i];
        const double u_index = to_unit(tenure_blocks_.first[i]);
        const int r = static_cast<int>(std::upper_bound(cdf.begin(), cdf.end() - 1, u_index) - cdf.begin());
        const int month_in_year = std::min(kContractMonths - 1, static_cast<int>(to_unit(tenure_blocks_.second[i]) * kContractMonths));
        const int age = kContractMonths * r + month_in_year;
        // Sold at a new deal's value, grown as an account of its age grows on average.
        auto arr_stream = stream(arr_blocks_, i, group, entity, 0, Purpose::InitialArr);
        const double arr = acv(arr_stream) * w_.products[0].acv_scale *
                           growth_by_age_[static_cast<std::size_t>(s)][static_cast<std::size_t>(age)];
        const int csm = csms.empty() ? -1 : csms[i % csms.size()];
        const int ae = aes.empty() ? -1 : aes[i % aes.size()];
        const double sold_at = aes.empty() ? 0.0 : o;
        const double mean = mean_health_at_age(w_, seg, health_shift_[static_cast<std::size_t>(csm + 1)], sold_at, age);
        const double sd = std::sqrt(health_variance_at_age(seg, age));
        double health = clip01(mean);
        if (sd > 0) {
          auto h_stream = stream(health_blocks_, i, group, entity, 0, Purpose::InitialHealth);
          health = clip01(mean + sd * normal_(h_stream));
        }
        add_account(s, csm, ae, -1, entity, to_cents(arr, seg), health, gap_after(w_, sold_at, r), r,
                    kContractMonths - month_in_year);
      }
    }
  }

  /// The warm start's history (docs/model.md §4): the months before 0 create opportunities
  /// as every source would, and the initial book raises CSQLs at its starting health and its
  /// CSMs' effort; deals and accepted hand-offs still open at month 0 are in flight then.
  void warm_start() {
    const int hand_off_months = std::max(1, w_.expansion_cycle_months);
    for (int m = -longest_cycle_; m < 0; ++m) create_opportunities(m);
    for (int s = 0; s < static_cast<int>(live_.size()); ++s) {
      const auto& seg = w_.segments[static_cast<std::size_t>(s)];
      if (!(seg.csql_rate > 0)) continue;
      LiveAccounts& live = live_[static_cast<std::size_t>(s)];
      const std::uint32_t group = identity::account_group(s);
      for (int m = -hand_off_months; m < 0; ++m) {
        for (std::size_t k = 0; k < live.size(); ++k) {
          if (live.csm[k] < 0 || live.exp_close[k] >= 0) continue;
          // The Csql stream's words in the month pass's order: yes/no, kind, product, acceptance.
          auto words = stream(group, live.entity[k], m, Purpose::Csql);
          const double u = to_unit(words()), u_kind = to_unit(words());
          const double u_product = to_unit(words()), u_accept = to_unit(words());
          const double h = live.health[k];
          const double p = seg.csql_rate * expansion_effort_[static_cast<std::size_t>(live.csm[k] + 1)] *
                           (w_.csql_health_exponent == 1.0 ? h : std::pow(h, w_.csql_health_exponent));
          if (u < p) raise_csql(live, k, m, 0, seg, u_kind, u_product, u_accept);
        }
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

  /// A period's and a year's cohorts are the accounts active at their start: the live lists.
  /// Their members' start ARR is recorded; other accounts' entries are left as they are, for
  /// only members are read.
  void open_cohorts(int t) {
    if (t % w_.period_months == 0) {
      for (const LiveAccounts& live : live_) {
        for (std::size_t k = 0; k < live.size(); ++k) {
          const std::uint32_t i = live.account[k];
          period_start_[i] = arr_fixed_[i] + live.arr_usage[k];
          expanded_[i] = 0;
        }
      }
      list_period_cohorts();
    }
    if (t % kContractMonths == 0 && t / kContractMonths < out_.years) {
      year_account_.clear();
      for (const LiveAccounts& live : live_) {
        for (std::size_t k = 0; k < live.size(); ++k) {
          const std::uint32_t i = live.account[k];
          year_start_[i] = arr_fixed_[i] + live.arr_usage[k];
          year_account_.push_back(i);
        }
      }
    }
  }

  /// Adds each rep's period-start cohort as it stands (the book slots: ARR at the start and
  /// now, kept, logos, churned, expanded) to the slots `slots(rep)` points at. A rep's sums
  /// run over its own list in registers; they are integers, so the order changes nothing.
  template <class Slots>
  void sum_period_cohorts(Slots slots) {
    assert(live_state_stored_);
    for (std::size_t r = 0; r + 1 < cohort_offset_.size(); ++r) {
      if (cohort_offset_[r] == cohort_offset_[r + 1]) continue;
      std::int64_t start_arr = 0, end_arr = 0, kept_arr = 0, churned = 0, expanded = 0;
      for (std::size_t j = cohort_offset_[r]; j < cohort_offset_[r + 1]; ++j) {
        const std::uint32_t i = cohort_account_[j];
        const std::int64_t start = period_start_[i], end = arr_fixed_[i] + arr_usage_[i];
        start_arr += start;
        end_arr += end;
        kept_arr += std::min(start, end);
        churned += active_[i] ? 0 : 1;
        expanded += expanded_[i];
      }
      std::int64_t* const raw_book = slots(static_cast<int>(r));
      raw_book[kBookStartArr] += start_arr;
      raw_book[kBookEndArr] += end_arr;
      raw_book[kBookKeptArr] += kept_arr;
      raw_book[kBookStartLogos] += static_cast<std::int64_t>(cohort_offset_[r + 1] - cohort_offset_[r]);
      raw_book[kBookChurnedLogos] += churned;
      raw_book[kBookExpandedLogos] += expanded;
    }
  }

  /// Each rep's period-start cohort (the accounts active now) as a list of accounts (CSMs'
  /// and AEs' books), grouped by rep: rep r's are
  /// cohort_account_[cohort_offset_[r] .. cohort_offset_[r + 1]).
  void list_period_cohorts() {
    const auto nrep = static_cast<std::size_t>(roster_.size());
    cohort_offset_.assign(nrep + 1, 0);
    for (const LiveAccounts& live : live_) {
      for (std::size_t k = 0; k < live.size(); ++k) {
        for (int rep : {live.csm[k], ae_[live.account[k]]}) {
          if (rep >= 0) ++cohort_offset_[static_cast<std::size_t>(rep) + 1];
        }
      }
    }
    for (std::size_t r = 0; r < nrep; ++r) cohort_offset_[r + 1] += cohort_offset_[r];
    cohort_account_.resize(cohort_offset_[nrep]);
    cohort_fill_.assign(cohort_offset_.begin(), cohort_offset_.end() - 1);
    for (const LiveAccounts& live : live_) {
      for (std::size_t k = 0; k < live.size(); ++k) {
        for (int rep : {live.csm[k], ae_[live.account[k]]}) {
          if (rep >= 0) cohort_account_[cohort_fill_[static_cast<std::size_t>(rep)]++] = live.account[k];
        }
      }
    }
  }

  void close_cohorts(int t) {
    const bool year_closes = (t + 1) % kContractMonths == 0 && t / kContractMonths < out_.years;
    if ((t + 1) % w_.period_months == 0 || year_closes) store_live_state();
    if ((t + 1) % w_.period_months == 0) {
      const int p = t / w_.period_months;
      sum_period_cohorts([this, p](int rep) { return &raw(rep, p, 0); });
    }
    if (year_closes) {
      const int y = t / kContractMonths;
      for (const std::uint32_t i : year_account_) {
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

  /// New-business win chance of AE `ae` on a deal of `seg` per unit of its share ratio
  /// n / n_ref, before the cap at 1: w z (1 + alpha o) l phi (docs/model.md §5). One function
  /// for the draw and for behaviour's slope.
  double deal_rate(const SegmentConfig& seg, std::size_t ae) const {
    return seg.win_rate * skill_[ae] * (1.0 + w_.overpromise_win_uplift * overpromise_[ae]) * level_[ae] *
           capacity_[ae];
  }
  /// Expansion win chance of AE `ae` at account health h per unit of its follow-up share
  /// ratio, before the cap at 1: x z l h.
  double follow_up_rate(const SegmentConfig& seg, std::size_t ae, double h) const {
    return seg.expansion_win_rate * skill_[ae] * level_[ae] * h;
  }
  /// Opportunities AE `ae` prospects in a month per unit of its share ratio: lambda_p z l.
  double prospecting_rate(const SegmentConfig& seg, std::size_t ae) const {
    return seg.ae_prospecting * skill_[ae] * level_[ae];
  }

  /// phi per AE at the month's start: min(1, K_s / open pipeline), the share of its open
  /// opportunities an AE can work (docs/model.md §5).
  void ae_capacities() {
    for (std::size_t s = 0; s < seg_aes_.size(); ++s) {
      const double k = w_.segments[s].ae_capacity;
      for (int ae : seg_aes_[s]) {
        const auto a = static_cast<std::size_t>(ae);
        capacity_[a] = open_[a] > k ? k / open_[a] : 1.0;
      }
    }
  }

  /// A source's opportunity count for the month, Poisson(mean) on its own stream.
  int opportunity_count(double mean, std::uint32_t group, std::uint32_t id, int t, int limit, const char* field) {
    if (!(mean > 0)) return 0;
    auto count_stream = stream(group, id, t, Purpose::OpportunityCount);
    const int n = boost::random::poisson_distribution<int, double>(mean)(count_stream);
    if (n > limit) {  // their ids would collide: stop, do not truncate
      throw std::invalid_argument(std::string(field) + ": a source drew " + std::to_string(n) +
                                  " opportunities in month " + std::to_string(t) + ", more than the " +
                                  std::to_string(limit) + " a month the engine can key; lower it, or "
                                  "skill_log_sd (strong reps draw in proportion to their skill)");
    }
    return n;
  }

  /// The opportunities created in month t from every source: SDRs, each segment's inbound
  /// marketing and AEs' own prospecting (docs/model.md §5). Months before 0 are the warm
  /// start's history: their deals still open at month 0 join the pipeline, nothing is credited.
  void create_opportunities(int t) {
    const bool record = t >= 0;
    const int p = record ? t / w_.period_months : 0;
    month_opps_.clear();
    for (std::size_t j = 0; j < sdrs_.size(); ++j) {
      const auto sdr = static_cast<std::size_t>(sdrs_[j]);
      const int n = opportunity_count(w_.opportunities_per_sdr * skill_[sdr], identity::kRepGroup, rep_id_[sdr], t,
                                      identity::kMaxOpportunitiesPerSourceMonth, "world.opportunities_per_sdr");
      for (int k = 0; k < n; ++k) {
        month_opps_.push_back({identity::opportunity_id(Source::Sdr, t, static_cast<int>(j), k), Source::Sdr,
                               static_cast<int>(sdr), -1, -1});
      }
    }
    for (int s = 0; s < static_cast<int>(w_.segments.size()); ++s) {
      const auto& seg = w_.segments[static_cast<std::size_t>(s)];
      // Without AEs nobody works the segment's inbound leads: none are created.
      const double inbound = seg_aes_[static_cast<std::size_t>(s)].empty() ? 0.0 : seg.inbound_opportunities;
      const int n = opportunity_count(inbound, identity::inbound_group(s), 0, t,
                                      identity::kMaxInboundPerSegmentMonth - 1,
                                      ("world.segments." + seg.name + ".inbound_opportunities").c_str());
      for (int k = 0; k < n; ++k) {
        month_opps_.push_back({identity::opportunity_id(Source::Inbound, t, 0, k), Source::Inbound, -1, s, -1});
      }
      for (int ae : seg_aes_[static_cast<std::size_t>(s)]) {
        const auto a = static_cast<std::size_t>(ae);
        const double mean = prospecting_rate(seg, a) * share_[a] / w_.effort.ae_new_business_ref;
        const int m = opportunity_count(mean, identity::kRepGroup, rep_id_[a], t,
                                        identity::kMaxOpportunitiesPerSourceMonth,
                                        ("world.segments." + seg.name + ".ae_prospecting").c_str());
        for (int k = 0; k < m; ++k) {
          month_opps_.push_back({identity::opportunity_id(Source::Prospecting, t, rep_ordinal_[a], k),
                                 Source::Prospecting, -1, s, ae});
        }
      }
    }
    for (const NewOpportunity& o : month_opps_) {
      // The opportunity's stream: the segment's word (SDR-sourced), the AE's word (unless
      // prospected), then the value's log-normal; its OpportunityWin stream's first word.
      auto draws = stream(identity::opportunity_group(o.source, o.segment), o.id, t, Purpose::Opportunity);
      const double u_segment = to_unit(draws()), u_ae = to_unit(draws());
      int s = o.segment;
      if (s < 0) {
        s = 0;
        while (s + 1 < static_cast<int>(share_cdf_.size()) && u_segment >= share_cdf_[static_cast<std::size_t>(s)]) ++s;
      }
      int ae = o.ae;
      if (ae < 0) {
        const auto& aes = seg_aes_[static_cast<std::size_t>(s)];
        const auto pick = static_cast<std::size_t>(u_ae * static_cast<double>(aes.size()));
        ae = aes[std::min(pick, aes.size() - 1)];
      }
      const auto& seg = w_.segments[static_cast<std::size_t>(s)];
      const double acv = boost::random::lognormal_distribution<double>(log_median_[static_cast<std::size_t>(s)],
                                                                       seg.acv_log_sd)(draws);
      const double u_win = to_unit(stream(identity::opportunity_group(o.source, o.segment), o.id, t,
                                          Purpose::OpportunityWin)());
      const Opportunity opp{o.id, o.sdr, s, ae,
                            to_cents(acv * w_.products[0].acv_scale, seg), u_win};
      if (record) {
        if (o.sdr >= 0) {
          raw(o.sdr, p, kOpportunities) += 1;
          raw(o.sdr, p, kPipeline) += opp.value;
        }
        series(t, kOpportunitiesFlow) += 1;
      }
      const int close = t + seg.sales_cycle_months;
      if (close < 0) continue;  // decided before the start
      pipeline_[static_cast<std::size_t>(close)].push_back(opp);
      ++open_[static_cast<std::size_t>(ae)];
    }
  }

  /// docs/model.md §5, new business: this month's opportunities, then the deals reaching
  /// their close month are decided.
  void new_business(int t) {
    const int p = t / w_.period_months;
    create_opportunities(t);
    for (const Opportunity& opp : pipeline_[static_cast<std::size_t>(t)]) {
      series(t, kDealsClosed) += 1;
      const auto& seg = w_.segments[static_cast<std::size_t>(opp.segment)];
      const auto ae = static_cast<std::size_t>(opp.ae);
      --open_[ae];
      const double p_win = std::min(1.0, deal_rate(seg, ae) * share_[ae] / w_.effort.ae_new_business_ref);
      if (!(opp.u_win < p_win)) continue;
      raw(opp.ae, p, kNewArr) += opp.value;
      raw(opp.ae, p, kNewLogos) += 1;
      if (opp.sdr >= 0) raw(opp.sdr, p, kSourcedWins) += 1;
      series(t, kNewArrFlow) += opp.value;
      series(t, kNewLogosFlow) += 1;
      won_.push_back(opp);
    }
  }

  /// CSM r's attention per account, skill and effort level included, for a book of `book`
  /// accounts: z l F c/B / (F - 1 + c/B) (docs/model.md §3).
  double csm_attention_of(std::size_t r, int book) const {
    const auto& seg = w_.segments[static_cast<std::size_t>(roster_.segment[r])];
    return skill_[r] * level_[r] * csm_attention(seg.csm_coverage / std::max(1, book), w_.csm_max_effort);
  }

  /// dE_e/de for CSM r: its attention over the reference expansion share (docs/model.md §3).
  double expansion_effort_per_share(std::size_t r) const {
    return csm_attention_of(r, load_[r]) / (1.0 - w_.effort.csm_adoption_ref);
  }

  /// Health-target shift and expansion effort E_e of CSM r's accounts with a book of `book`:
  /// theta_a ln E_a less the push penalty of an expansion emphasis past the reference.
  void csm_effort(std::size_t r, int book) {
    const double attention = csm_attention_of(r, book);
    const double a = share_[r];
    const double e_adopt = std::max(kMinEffort, a / w_.effort.csm_adoption_ref * attention);
    const double emphasis = (1.0 - a) / (1.0 - w_.effort.csm_adoption_ref);
    health_shift_[r + 1] = w_.health_adoption_effect * std::log(e_adopt) -
                           w_.health_push_effect * std::max(0.0, emphasis - 1.0);
    expansion_effort_[r + 1] = emphasis * attention;
  }

  /// Per-CSM effort for the month from its load at the month's start (docs/model.md §3).
  void csm_efforts() {
    for (const auto& csms : seg_csms_) {
      for (int r : csms) csm_effort(static_cast<std::size_t>(r), load_[static_cast<std::size_t>(r)]);
    }
  }

  void step(int t) {
    const int p = t / w_.period_months;
    open_cohorts(t);
    series(t, kArrStart) = total_arr_;
    won_.clear();
    ae_capacities();
    if (w_.behaviour.responsive()) respond(t);
    record_effort(t);
    new_business(t);
    csm_efforts();

    // The segments' sums gathered here and added to the series once a month.
    MonthSums sums;
    for (std::size_t s = 0; s < live_.size(); ++s) segment_month(static_cast<int>(s), t, p, sums);
    total_arr_ += sums.usage_up - sums.usage_down;
    series(t, kAccountMonths) += sums.account_months;
    series(t, kHealthMicros) += sums.health_micros;
    series(t, kExpansionUsage) += sums.usage_up;
    series(t, kContraction) += sums.usage_down;

    // The month's new accounts join the lists (segment_month dropped the churned ones).
    std::int64_t active = 0;
    opened_month_ = t;
    for (const Opportunity& opp : won_) {
      const auto& seg = w_.segments[static_cast<std::size_t>(opp.segment)];
      add_account(opp.segment, least_loaded_csm(opp.segment), opp.ae, p, kNewAccountBit | opp.id,
                  opp.value, seg.health_start, overpromise_[static_cast<std::size_t>(opp.ae)], 0,
                  kContractMonths);
    }
    for (const auto& accounts : live_) active += static_cast<std::int64_t>(accounts.size());
    // A month's growth is at most a few times the total, so checking once a month keeps
    // every intermediate sum far inside 64 bits.
    if (total_arr_ >= kMaxTotalArrCents) total_arr_limit_exceeded();
    series(t, kArrEnd) = total_arr_;
    series(t, kActiveLogos) = active;
    close_cohorts(t);
  }

  struct MonthSums {
    std::int64_t account_months = 0, health_micros = 0, usage_up = 0, usage_down = 0;
  };

  /// docs/model.md §5 steps 1-5 for the accounts of segment `s` active at the month's start, which then
  /// leave its list if they churned. Accounts do not interact within a month and every sum
  /// is an integer, so taking the segments one after another, and each in passes, changes
  /// no result. Each pass reads its inputs in list order.
  void segment_month(int s, int t, int p, MonthSums& sums) {
    live_state_stored_ = false;
    const auto& seg = w_.segments[static_cast<std::size_t>(s)];
    LiveAccounts& live = live_[static_cast<std::size_t>(s)];
    const std::uint32_t* const entity = live.entity.data();
    const std::uint32_t group = identity::account_group(s);
    const std::size_t n = live.size();
    if (n == 0) return;
    if (z_health_.size() < n) {
      z_health_.resize(n);
      z_usage_.resize(n);
      events_.resize(n);
    }

    // The health and usage normals share one AccountMonth block, a 64-bit word each (their
    // rare extra words come from their own streams). z = 0 where a segment has no noise.
    const bool health_noise = seg.health_noise > 0, usage_noise = seg.usage_noise > 0;
    if (health_noise || usage_noise) {
      stream_blocks(group, entity, n, t, Purpose::AccountMonth, dynamics_blocks_);
    }
    if (health_noise) {
      unit_normals(dynamics_blocks_.first.data(), group, entity, n, t, Purpose::Health, z_health_.data());
    } else {
      std::fill_n(z_health_.begin(), n, 0.0);
    }
    if (usage_noise) {
      // Drawn for every account; used only where it holds usage-priced ARR.
      unit_normals(dynamics_blocks_.second.data(), group, entity, n, t, Purpose::Usage, z_usage_.data());
    } else {
      std::fill_n(z_usage_.begin(), n, 0.0);
    }

    const bool csql_possible = seg.csql_rate > 0;
    if (csql_possible) stream_blocks(group, entity, n, t, Purpose::Csql, csql_blocks_);

    // One pass over the list (account_pass.hpp): the continuous dynamics (steps 1, 2),
    // whether a renewal is due and step 4's yes/no, listing the few accounts with an event this
    // month (a hand-off closing, a CSQL raised, a renewal due); a second loop handles only
    // those, in account order. An event touches only its own account and integer sums, so
    // the split changes no result.
    PassConstants c;
    c.month = t;
    c.health_base = seg.health_base, c.health_reversion = seg.health_reversion, c.health_noise = seg.health_noise;
    c.gap_effect = w_.health_gap_effect;
    c.usage_drift = seg.usage_drift, c.usage_noise = seg.usage_noise;
    c.csql_rate = seg.csql_rate, c.csql_health_exponent = w_.csql_health_exponent;
    const PassAccounts accounts{live.csm.data(), live.renewal_month.data(), live.exp_close.data(), live.gap.data(),
                                live.health.data(), live.arr_usage.data(), z_health_.data(), z_usage_.data(),
                                csql_possible ? csql_blocks_.first.data() : nullptr};
    const PassSums pass = account_pass(c, accounts, PassReps{health_shift_.data(), expansion_effort_.data()}, n,
                                       events_.data());
    const std::size_t num_events = pass.events, num_due = pass.due;
    sums.account_months += static_cast<std::int64_t>(n);
    sums.health_micros += pass.health_micros;
    sums.usage_up += pass.usage_up;
    sums.usage_down += pass.usage_down;
    if (pass.over_limit) arr_limit_exceeded(seg);
    if (num_events == 0) return;

    // The events' draws, a batch a purpose: the closing hand-offs' ExpansionWin blocks, the
    // CSQLs' second Csql blocks (kind, product and acceptance follow the yes/no word) and
    // the renewals' Renewal blocks.
    if (renewal_entity_.size() < num_events) {
      renewal_entity_.resize(num_events);
      csql_entity_.resize(num_events);
      closing_entity_.resize(num_events);
    }
    std::size_t num_csqls = 0, num_closing = 0;
    for (std::size_t e = 0, d = 0; e < num_events; ++e) {
      const std::size_t k = events_[e].position;
      if (live.exp_close[k] == t) closing_entity_[num_closing++] = entity[k];
      if (events_[e].csql) csql_entity_[num_csqls++] = entity[k];
      if (events_[e].due) renewal_entity_[d++] = entity[k];
    }
    stream_blocks(group, closing_entity_.data(), num_closing, t, Purpose::ExpansionWin, expansion_win_blocks_);
    stream_blocks(group, csql_entity_.data(), num_csqls, t, Purpose::Csql, csql_more_blocks_, 1);
    stream_blocks(group, renewal_entity_.data(), num_due, t, Purpose::Renewal, renewal_blocks_);

    if (churned_positions_.size() < num_due) churned_positions_.resize(num_due);
    std::size_t num_churned = 0;
    for (std::size_t e = 0, d = 0, q = 0, h = 0; e < num_events; ++e) {
      const PassEvent& ev = events_[e];
      const std::size_t k = ev.position;
      // Step 3: an accepted hand-off reaching its close month.
      if (live.exp_close[k] == t) close_handoff(live, k, t, p, seg, to_unit(expansion_win_blocks_.first[h++]));
      // Step 4, CSQL: raised by the CSM, accepted or not by the account's AE. The Csql stream's
      // second word, then its second block.
      if (ev.csql) {
        raise_csql(live, k, t, p, seg, to_unit(csql_blocks_.second[k]), to_unit(csql_more_blocks_.first[q]),
                   to_unit(csql_more_blocks_.second[q]));
        ++q;
      }
      // Step 5, renewal.
      if (ev.due) {
        const bool churned = renew(live, k, t, seg, to_unit(renewal_blocks_.first[d]));
        ++d;
        if (churned) churned_positions_[num_churned++] = static_cast<std::uint32_t>(k);
      }
    }
    if (num_churned > 0) drop_churned(live, num_churned);
  }

  /// u_win: the ExpansionWin stream's first uniform.
  void close_handoff(LiveAccounts& live, std::size_t k, int t, int p, const SegmentConfig& seg, double u_win) {
    const std::size_t i = live.account[k];
    series(t, kExpansionsClosed) += 1;
    const int ae = ae_[i];
    const auto a = static_cast<std::size_t>(ae);
    const double p_win = std::min(1.0, follow_up_rate(seg, a, live.health[k]) * follow_up_ratio(a));
    if (u_win < p_win) {
      const std::int64_t value = exp_value_[i];
      const int product = exp_product_[i];
      const bool usage = usage_priced_[static_cast<std::size_t>(product >= 0 ? product : 0)];
      std::int64_t& arr = usage ? live.arr_usage[k] : arr_fixed_[i];
      if (!(static_cast<double>(arr) + static_cast<double>(value) < kMaxArrCents)) arr_limit_exceeded(seg);
      arr += value;
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
    live.exp_close[k] = -1;
  }

  /// Removes the accounts churned this month, at churned_positions_[0..count) in increasing
  /// order, from list `live`, keeping the order: the runs between them move down.
  void drop_churned(LiveAccounts& live, std::size_t count) {
    const std::size_t n = live.size();
    auto drop = [&](auto& v) {
      std::size_t kept = churned_positions_[0];
      for (std::size_t c = 0; c < count; ++c) {
        const std::size_t from = churned_positions_[c] + 1;
        const std::size_t to = c + 1 < count ? churned_positions_[c + 1] : n;
        std::copy(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(to),
                  v.begin() + static_cast<std::ptrdiff_t>(kept));
        kept += to - from;
      }
      v.resize(kept);
    };
    drop(live.account), drop(live.entity), drop(live.csm), drop(live.renewal_month), drop(live.exp_close);
    drop(live.health), drop(live.gap), drop(live.arr_usage);
  }

  /// u_kind, u_product, u_accept: the Csql stream's uniforms after the yes/no.
  void raise_csql(LiveAccounts& live, std::size_t k, int t, int p, const SegmentConfig& seg, double u_kind,
                  double u_product, double u_accept) {
    const std::size_t i = live.account[k];
    const int nprod = static_cast<int>(w_.products.size());
    const int missing = nprod - std::popcount(products_[i]);
    int product = -1;
    std::int64_t value;
    if (missing > 0 && u_kind < w_.cross_sell_probability) {
      // Cross-sell the nth product the account does not hold (counting from 0).
      int nth = std::min(missing - 1, static_cast<int>(u_product * missing));
      for (int q = 0; q < nprod; ++q) {
        if (products_[i] & (1u << q)) continue;
        if (nth-- == 0) { product = q; break; }
      }
      value = to_cents(seg.acv_median * w_.products[static_cast<std::size_t>(product)].acv_scale, seg);
    } else {
      value = to_cents(seg.upsell_fraction * static_cast<double>(arr_fixed_[i] + live.arr_usage[k]) / 100.0, seg);
    }
    const int csm = csm_[i];
    const bool record = t >= 0;  // before month 0: the warm start's history
    if (record) {
      raw(csm, p, kCsqlCount) += 1;
      raw(csm, p, kCsqlPipeline) += value;
      series(t, kCsqlRaised) += 1;
      series(t, kCsqlValue) += value;
    }
    if (ae_[i] < 0 || !(u_accept < acceptance_[static_cast<std::size_t>(seg_[i])])) return;
    if (record) series(t, kHandoffsAccepted) += 1;
    const int close = t + w_.expansion_cycle_months;
    // Closing this month is handled next month (the account has been processed already).
    const int when = std::max(close, t + 1);
    if (when < 0) return;  // closed before the start
    // Past the horizon it stays pending, as in a longer run: results do not depend on T.
    live.exp_close[k] = when;
    exp_value_[i] = value;
    exp_product_[i] = product;
    exp_csm_[i] = csm;
  }

  /// Step 5 for position k of `live`, u being its Renewal stream's first uniform; returns
  /// whether the account churned (its final health and zero usage ARR are then stored in
  /// the account arrays, for it leaves the list).
  bool renew(LiveAccounts& live, std::size_t k, int t, const SegmentConfig& seg, double u) {
    const std::size_t i = live.account[k];
    const int r = renewal_index_[i];
    const double p_churn = churn_probability(live, k);
    series(t, kRenewalsDue) += 1;
    if (r == 0) series(t, kFirstRenewalsDue) += 1;
    if (u < p_churn) {
      const std::int64_t lost = arr_fixed_[i] + live.arr_usage[k];
      series(t, kChurnedArr) += lost;
      series(t, kChurnedLogos) += 1;
      total_arr_ -= lost;
      arr_fixed_[i] = arr_usage_[i] = live.arr_usage[k] = 0;
      health_[i] = live.health[k];
      active_[i] = 0;
      churned_[i] = t;
      live.exp_close[k] = -1;
      if (csm_[i] >= 0) --load_[static_cast<std::size_t>(csm_[i])];
      if (r == 0) {
        series(t, kFirstRenewalChurns) += 1;
        if (sold_period_[i] >= 0) {
          // The first renewal is 12 months after the sale, so the sale period fixes the churn's.
          std::int64_t* c = &churn_[(static_cast<std::size_t>(ae_[i]) * static_cast<std::size_t>(out_.periods) +
                                     static_cast<std::size_t>(sold_period_[i])) * 2];
          c[0] += booked_[i];
          c[1] += 1;
        }
      }
      return true;
    }
    renewal_index_[i] = r + 1;
    live.gap[k] *= w_.gap_decay;
    live.renewal_month[k] = t + kContractMonths;
    return false;
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
  std::vector<std::uint32_t> rep_id_;  // per rep: its identity in the streams (identity.hpp)
  std::vector<int> rep_ordinal_;       // per rep: its ordinal among its role and segment
  int longest_cycle_ = 0;              // the longest sales cycle, months
  std::vector<std::vector<double>> hazard_scale_;  // per segment and renewal index: H_r / Z_r
  std::vector<std::vector<double>> tenure_cdf_;    // per segment: the steady-state renewal-index mix
  std::vector<std::vector<double>> growth_by_age_;  // per segment and age in months: expected ARR multiple
  std::vector<double> share_cdf_, acceptance_, log_median_;
  std::vector<bool> usage_priced_;

  // Per trial.
  int trial_ = 0;
  std::uint32_t trial_key_ = 0;
  std::int64_t* monthly_ = nullptr;
  std::int64_t* cohorts_ = nullptr;
  std::int64_t* rep_raw_ = nullptr;
  std::int64_t* churn_ = nullptr;
  std::int64_t total_arr_ = 0;
  const std::atomic<bool>& cancel_;
  std::vector<double> skill_;
  std::vector<double> health_shift_, expansion_effort_;  // per CSM + 1, for account_pass
  std::vector<double> share_;        // CSM adoption or AE new-business share, per rep
  std::vector<double> overpromise_;  // AE over-promising level, per rep
  std::vector<BookState> book_;      // responsive mode: what each rep sees at the month's start
  std::vector<double> actuals_, projected_, spif_counts_, measure_payout_;  // per-plan scratch
  std::vector<int> load_;
  std::vector<std::vector<Opportunity>> pipeline_;
  // create_opportunities's scratch: the month's opportunities before their draws.
  struct NewOpportunity {
    std::uint32_t id;
    Source source;
    int sdr, segment, ae;  // -1: none (SDR), drawn (segment, AE)
  };
  std::vector<NewOpportunity> month_opps_;
  std::vector<int> open_;          // per AE: opportunities assigned and not yet decided
  std::vector<double> capacity_;   // per AE: phi at the month's start
  std::vector<double> level_;      // per rep: effort level l (1 in fixed mode)
  std::vector<Opportunity> won_;
  std::vector<LiveAccounts> live_;
  bool live_state_stored_ = true;  // whether the account arrays hold live_'s health and usage ARR
  // segment_month's scratch, per position in a segment's list (renewals: per account due).
  StreamBlocks dynamics_blocks_, csql_blocks_, renewal_blocks_;
  StreamBlocks csql_more_blocks_, expansion_win_blocks_;  // the CSQLs' second blocks; hand-offs' wins
  std::vector<double> z_health_, z_usage_;
  std::vector<PassEvent> events_;  // the accounts with an event this month
  std::vector<std::uint32_t> renewal_entity_, csql_entity_, closing_entity_, churned_positions_;
  std::vector<std::uint32_t> book_entity_;  // build_initial_book
  StreamBlocks tenure_blocks_, arr_blocks_, health_blocks_;
  std::vector<std::uint32_t> declined_, declined_entity_;  // unit_normals: the draws past their first word
  StreamBlocks declined_blocks_;

  // Accounts, structure of arrays.
  // An active account's health and usage ARR are current in live_ (see LiveAccounts), and
  // here only after store_live_state, until the next segment_month.
  std::vector<int> seg_, csm_, ae_, sold_period_, renewal_index_, exp_product_, exp_csm_;
  std::vector<int> opened_, churned_;  // month won (-1: initial book) and month churned (-1: none)
  int opened_month_ = -1;              // what add_account records as the opening month
  std::vector<std::uint32_t> entity_, products_;
  std::vector<std::int64_t> arr_fixed_, arr_usage_, booked_, exp_value_;
  std::vector<std::int64_t> period_start_, year_start_;  // ARR at the start, for the current cohorts' members
  // The reps' period-start cohorts (list_period_cohorts).
  std::vector<std::size_t> cohort_offset_, cohort_fill_;
  std::vector<std::uint32_t> cohort_account_;
  std::vector<std::uint32_t> year_account_;  // the year's cohort: the accounts active at its start
  std::vector<double> health_;
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
  out.first_renewal_churn.assign(T * R * P * 2, 0);
  out.rep_skill.assign(T * R, 0.0);
  out.pay.assign(T * R * P * kNumPayFields, 0.0);
  out.measure_payout.assign(T * R * P * static_cast<std::size_t>(out.max_measures), 0.0);
  out.completed.assign(T, 0);
  out.accounts.assign(options.keep_accounts ? T : 0, {});
  if (w.behaviour.responsive()) {
    out.effort.assign(T * R * static_cast<std::size_t>(out.months) * kNumEffortFields, 0.0f);
  } else {
    out.effort.clear();
  }
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
  // Re-use the caller's buffers only when they have exactly this run's shape.
  {
    const auto& w = scenario.world;
    const bool same = out.trials == options.trials && out.months == w.months &&
                      out.periods == w.periods() && out.years == w.years() &&
                      out.segments == static_cast<int>(w.segments.size()) &&
                      out.reps == make_roster(scenario).size() &&
                      out.completed.size() == static_cast<std::size_t>(options.trials) &&
                      out.accounts.size() == (options.keep_accounts ? out.completed.size() : 0) &&
                      out.effort.empty() == !w.behaviour.responsive();
    int max_measures = 1;
    for (const auto& plan : scenario.plans) max_measures = std::max(max_measures, static_cast<int>(plan.measures.size()));
    if (!same || out.max_measures != max_measures) allocate_output(scenario, options, out);
  }
  if (options.threads < 0) {
    throw std::invalid_argument("threads: " + std::to_string(options.threads) + " is not >= 0 (0: all cores)");
  }
  if (static_cast<std::uint64_t>(options.first_trial) + static_cast<std::uint64_t>(options.trials) > (1ull << 32)) {
    throw std::invalid_argument("first_trial: trial keys must stay below 2**32");
  }
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::min(options.trials, options.threads > 0 ? options.threads : hw);
  const int batch = options.batch_size > 0 ? std::min(options.batch_size, std::max(options.trials, 1))
                                           : std::clamp(options.trials / (threads * 8), 1, 32);
  const int batches = static_cast<int>((std::int64_t{options.trials} + batch - 1) / batch);
  const RepRoster roster = make_roster(scenario);
  const std::uint64_t key = seed_key(options.seed);

  std::atomic<int> next_batch{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&]() {
    try {
      TrialSimulator sim(scenario, roster, key, out, options.first_trial, control.cancel);
      for (int b = next_batch.fetch_add(1); b < batches && !control.cancel.load(); b = next_batch.fetch_add(1)) {
        const int begin = b * batch, end = begin + std::min(batch, options.trials - begin);  // b * batch < trials
        // A cancel stops between trials and within long ones; what finished is paid and kept.
        int done = begin;
        while (done < end && !control.cancel.load() && sim.run(done)) ++done;
        pay_reps(scenario, out, begin, done);
        for (int trial = begin; trial < done; ++trial) out.completed[static_cast<std::size_t>(trial)] = 1;
        control.trials_done.fetch_add(done - begin);
        if (done < end) break;
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
    try {
      for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
    } catch (const std::system_error& e) {
      // The system refused more threads: the ones running share the batches (the results do
      // not depend on how many); with none, report it.
      if (pool.empty()) {
        throw std::runtime_error(std::string("threads: could not start a worker thread (") + e.what() + ")");
      }
    }
    for (auto& th : pool) th.join();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace complab
