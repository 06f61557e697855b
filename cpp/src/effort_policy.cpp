#include "complab/effort_policy.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "complab/book_terms.hpp"
#include "complab/payroll.hpp"

namespace complab {

ResponsiveEffort::ResponsiveEffort(const Scenario& scenario, AccountStore& accounts, Workforce& reps, const Pipeline& pipeline,
                                   const process::ChurnModel& churn, KpiLedger& ledger)
    : sc_(scenario), w_(scenario.world), accounts_(accounts), reps_(reps),
      pipeline_(pipeline), churn_(churn), ledger_(ledger), book_(static_cast<std::size_t>(reps.size())) {
  for (int s = 0; s < static_cast<int>(w_.segments.size()); ++s) {
    acceptance_.push_back(process::handoff_acceptance(scenario, s));
  }
  std::size_t inputs = 1, spifs = 1, measures = 1;
  for (const auto& plan : sc_.plans) {
    inputs = std::max(inputs, static_cast<std::size_t>(plan.num_inputs()));
    spifs = std::max(spifs, plan.spifs.size());
    measures = std::max(measures, plan.measures.size());
  }
  ratchet_seat_.assign(static_cast<std::size_t>(reps.size()), -1);
  int n_ratchets = 0;
  for (int r = 0; r < reps.size(); ++r) {
    const int plan = reps.plan(r);
    if (plan >= 0 && sc_.plans[static_cast<std::size_t>(plan)].ratchet) ++n_ratchets;
  }
  ratchet_seats_.reserve(static_cast<std::size_t>(n_ratchets));  // SeatPayroll holds a reference: no reallocation
  for (int r = 0; r < reps.size(); ++r) {
    const int plan = reps.plan(r);
    if (plan < 0 || !sc_.plans[static_cast<std::size_t>(plan)].ratchet) continue;
    ratchet_seat_[static_cast<std::size_t>(r)] = static_cast<int>(ratchet_seats_.size());
    ratchet_seats_.emplace_back(sc_.plans[static_cast<std::size_t>(plan)], w_.period_months);
  }
  actuals_.resize(inputs);
  projected_.resize(inputs);
  spif_counts_.resize(spifs);
  measure_payout_.resize(measures);
}

/// Responsive mode (docs/model.md §8): each rep projects its period-end attainment at its run-rate,
/// values one more month of each activity under its plan, and re-splits its effort.
void ResponsiveEffort::respond(int t) {
  const int P = w_.period_months, p = t / P, elapsed = t - p * P, left = P - elapsed;
  const int last = p * P + P - 1;
  const double sd = w_.behaviour.projection_uncertainty * std::sqrt(static_cast<double>(left) / P);
  for (auto& b : book_) b = BookState{};
  accounts_.store_live_usage();  // the cohorts' sums read it by account
  gather_book(t, left, last);
  gather_deals(t, last);
  if (t == 0) {
    for (SeatPayroll& seat : ratchet_seats_) seat.reset();
  } else if (elapsed == 0) {
    settle_ratchets(p - 1);
  }
  const int per_year = kContractMonths / P;
  for (int r = 0; r < reps_.size(); ++r) {
    const auto ri = static_cast<std::size_t>(r);
    const Role role = reps_.role(r);
    const int plan_index = reps_.plan(r);
    if (role == Role::SDR || plan_index < 0 || !reps_.held(ri)) continue;  // a vacant seat makes no choices
    const Plan& plan = sc_.plans[static_cast<std::size_t>(plan_index)];
    // The seat's terms this period (docs/model.md §8): its quota, ratcheted, and its OTE.
    const int seat = ratchet_seat_[ri];
    const double factor = seat >= 0 ? ratchet_seats_[static_cast<std::size_t>(seat)].quota_factor() : 1.0;
    const double* seat_terms = ledger_.terms(r, p);
    const SeatTerms terms{seat_terms[kTermQuotaScale] * factor, seat_terms[kTermOteScale]};
    if (terms.ote_scale == 0.0) continue;  // a vacant seat: nobody to respond
    std::array<std::int64_t, kNumRawSlots> raw_now{};
    std::copy_n(&ledger_.raw(r, p, 0), kNumRawSlots, raw_now.begin());
    for (int slot = kBookStartArr; slot <= kBookExpandedLogos; ++slot) {
      raw_now[static_cast<std::size_t>(slot)] = book_[ri].raw[static_cast<std::size_t>(slot)];
    }
    plan_inputs(plan, raw_now.data(), actuals_.data(), spif_counts_.data());
    const std::size_t n = plan.measures.size();
    for (std::size_t k = 0; k < static_cast<std::size_t>(plan.num_inputs()); ++k) {
      const bool is_measure = k < n;
      const Metric metric = is_measure ? plan.measures[k].metric : plan.multiplier->metric;
      const double target = is_measure ? plan.measures[k].target : plan.multiplier->target;
      const double seat_target = metric_info(metric).is_rate ? target : target * terms.quota_scale;
      projected_[k] = elapsed == 0 ? seat_target : project(metric, actuals_[k], elapsed, P);
    }
    auto pay = marginal_pay(plan, projected_.data(), P, sd, terms);
    if (plan.ratchet && p % per_year == per_year - 1) {
      pay[static_cast<int>(plan.measures.front().metric)] -= ratchet_cost(r, plan, p, factor, terms.ote_scale);
    }
    const double v = plan.ote * (1.0 - plan.base_share) * P / 12.0 * terms.ote_scale;
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
    reps_.share[ri] = effort_shares(base, value, w_.behaviour.incentive_sensitivity, v)(0);
    // Effort level (docs/model.md §8): every activity's effect scales with l, so the
    // marginal pay of working harder at this split is M = sum_k s_k v_k / l, in currency;
    // l = clamp((M / c)^eta, 1, l_max) against the role's cost of effort c.
    const Eigen::Matrix<double, kNumActivities, 1> level_value =
        role == Role::CSM && w_.behaviour.csm_productivity.empty() ? csm_productivity(ri, false) * pay : value;
    const double marginal = (reps_.share[ri] * level_value(0) + (1.0 - reps_.share[ri]) * level_value(1)) / reps_.level[ri];
    const double cost = role == Role::CSM ? w_.behaviour.effort_cost_csm : w_.behaviour.effort_cost_ae;
    reps_.level[ri] = marginal > cost ? std::min(w_.behaviour.max_effort_level,
                                            std::pow(marginal / cost, w_.behaviour.effort_elasticity))
                                 : 1.0;
    if (role == Role::AE) {
      const BookState& b = book_[ri];
      const double win = b.promise_value * (pay[static_cast<int>(Metric::NewArr)] + pay[static_cast<int>(Metric::Bookings)]) +
                         b.promise_count * pay[static_cast<int>(Metric::NewLogos)];
      reps_.overpromise[ri] = overpromise_level(w_.effort.ae_overpromise, win - clawback_cost(plan, b, P, terms),
                                           w_.behaviour.incentive_sensitivity, v);
    }
  }
}

/// Period-end value of a metric at its run-rate after `elapsed` of `months` months.
double ResponsiveEffort::project(Metric metric, double so_far, int elapsed, int months) {
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
double ResponsiveEffort::clawback_cost(const Plan& plan, const BookState& b, int period_months, SeatTerms terms) {
  if (!plan.clawback) return 0.0;  // validated: its window reaches the first renewal
  evaluate_period(plan, projected_.data(), period_months, spif_counts_.data(), measure_payout_.data(), terms);
  const UnitCommission u = unit_commission(plan, projected_.data(), measure_payout_.data());
  return plan.clawback->share * (u.per_arr * b.churn_exposure_value + u.per_logo * b.churn_exposure_count);
}

/// Pays the ratcheting seats' period `period`, just ended, for their quota factors.
void ResponsiveEffort::settle_ratchets(int period) {
  const int P = w_.period_months;
  for (int r = 0; r < reps_.size(); ++r) {
    const int seat = ratchet_seat_[static_cast<std::size_t>(r)];
    if (seat < 0) continue;
    ratchet_seats_[static_cast<std::size_t>(seat)].pay_period(period, &ledger_.raw(r, period, 0), ledger_.terms(r, period),
                                                              &ledger_.tenure(r, period * P), nullptr,
                                                              pay_scratch_.data(), nullptr);
  }
}

/// The ratchet's cost per unit of the first measure's metric, in the year's last period
/// (docs/model.md §8): the year's projected attainment A sets next year's quota factor
/// g = 1 + up (A - 1) (A > 1) or 1 - down (1 - A) times this year's; a rep expecting to
/// repeat its year lands next year at A_k / g on each volume measure, so one more unit now
/// costs sum_k V_year w_k E[curve_k'(A_k / g)] (A_k / g) * r / g / T_year, r = up or down,
/// T_year the first measure's annual target at the seat's quota.
double ResponsiveEffort::ratchet_cost(int r, const Plan& plan, int p, double factor, double ote_scale) {
  const int P = w_.period_months, per_year = kContractMonths / P, y0 = p - p % per_year;
  const Measure& first = plan.measures.front();
  if (first.lower_is_better) return 0.0;  // a ratchet on a lower-is-better volume: not anticipated
  std::array<std::int64_t, kNumRawSlots> year{};
  double quota = 0.0;
  for (int q = y0; q <= p; ++q) {
    if (q < p) {
      for (int s = 0; s < kNumRawSlots; ++s) year[static_cast<std::size_t>(s)] += ledger_.raw(r, q, s);
    }
    quota += ledger_.terms(r, q)[kTermQuotaScale] * factor;
  }
  const double annual_quota = quota;  // the year's mean scale times its periods: annual targets are per_year periods
  if (!(annual_quota > 0.0)) return 0.0;
  plan_inputs(plan, year.data(), actuals_.data(), spif_counts_.data());  // the year's earlier periods
  const Ratchet& rt = *plan.ratchet;
  const double a_year = attainment(actuals_[0] + projected_[0], first.target * annual_quota, false);
  const double rate = a_year > 1.0 ? rt.up : rt.down;
  const double g = std::max(a_year > 1.0 ? 1.0 + rt.up * (a_year - 1.0) : 1.0 - rt.down * (1.0 - a_year), kMinQuotaFactor);
  const double v_year = plan.ote * (1.0 - plan.base_share) * ote_scale;
  double loss = 0.0;
  for (std::size_t k = 0; k < plan.measures.size(); ++k) {
    const Measure& m = plan.measures[k];
    if (metric_info(m.metric).is_rate || m.lower_is_better) continue;
    const double a_next = attainment(actuals_[k] + projected_[k], m.target * annual_quota, false) / g;
    loss += v_year * m.weight * expected_slope(m.curve, a_next, w_.behaviour.projection_uncertainty) * a_next;
  }
  return loss * rate / g / (first.target * annual_quota);
}

/// What each rep sees at the month's start: its period-start cohort so far (every account
/// in one), and, over the active accounts, the CSMs' sensitivities of churn, usage and
/// CSQLs to their effort and the AEs' of hand-offs closing this month.
void ResponsiveEffort::gather_book(int t, int left, int last) {
  // The reps' period-start cohorts so far.
  accounts_.sum_period_cohorts([this](int rep) { return book_[static_cast<std::size_t>(rep)].raw.data(); });
  // The sensitivities, over the active accounts a segment at a time. A rep's accounts
  // are all in its segment and the lists keep account order, so each rep's sums add up
  // in account order.
  const double lambda_h = w_.churn_health_effect;
  const bool csql_window = t + std::max(1, w_.expansion_cycle_months) <= last;
  for (std::size_t s = 0; s < accounts_.live.size(); ++s) {
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
    const LiveAccounts& live = accounts_.live[s];
    const std::size_t n = live.size();
    // Each account's terms first, independent of each other, so the CPU overlaps them; then
    // each CSM's sums over its own accounts, in list order.
    // Per AE, its follow-up rate before health (process::follow_up_rate's first products)
    // and its follow-up ratio: the same bits as computing them per account, without the division.
    // At least one entry: book_terms reads entry 0 for accounts without an AE (then unused),
    // even in a world without reps.
    ae_follow_up_.resize(std::max<std::size_t>(1, book_.size()));
    ae_follow_up_ratio_.resize(std::max<std::size_t>(1, book_.size()));
    for (const int ae : reps_.segment_aes[s]) {
      const auto a = static_cast<std::size_t>(ae);
      ae_follow_up_[a] = seg.expansion_win_rate * reps_.skill[a] * reps_.level[a];
      ae_follow_up_ratio_[a] = reps_.follow_up_ratio(a);
    }
    if (churn_index_.size() < n) {
      churn_index_.resize(n);
      churn_position_.resize(n);
      churn_health_.resize(n);
      churn_gap_.resize(n);
      churn_renewing_.resize(n);
      churn_p_.resize(n);
      health_power_.resize(n);
      for (auto* column : {&term_churn_arr_, &term_churn_logos_, &term_usage_, &term_csql_, &term_csql_value_,
                           &term_csql_wins_, &term_csql_win_value_}) {
        column->resize(n);
      }
    }
    // The churn chances of the CSMs' accounts renewing this period (about half of them over a
    // year's period), together, then put at their positions: book_terms reads no other.
    // Branch-free: every position is written at the next place, which moves on only for those;
    // their inputs are then read for those alone.
    std::size_t renewing = 0;
    for (std::size_t k = 0; k < n; ++k) {
      churn_position_[renewing] = static_cast<std::uint32_t>(k);
      renewing += (live.csm[k] >= 0) & (live.renewal_month[k] <= last);
    }
    for (std::size_t j = 0; j < renewing; ++j) {
      const std::uint32_t k = churn_position_[j];
      churn_index_[j] = accounts_.renewal_index[live.account[k]];
      churn_health_[j] = live.health[k];
      churn_gap_[j] = live.gap[k];
    }
    churn_.p_many(static_cast<int>(s), churn_index_.data(), churn_health_.data(), churn_gap_.data(), renewing,
                  churn_renewing_.data());
    for (std::size_t j = 0; j < renewing; ++j) churn_p_[churn_position_[j]] = churn_renewing_[j];
    // AEs: the hand-offs closing this month.
    for (std::size_t k = 0; k < n; ++k) {
      if (live.exp_close[k] != t) continue;  // few close in a given month: test this first
      const std::uint32_t i = live.account[k];
      const int ae = accounts_.ae[i];
      if (ae < 0) continue;
      const double h = live.health[k];
      const double d_win = process::follow_up_rate(seg, reps_.skill[static_cast<std::size_t>(ae)], reps_.level[static_cast<std::size_t>(ae)], h) / (1.0 - w_.effort.ae_new_business_ref);
      book_[static_cast<std::size_t>(ae)].expansion_value += static_cast<double>(accounts_.exp_value[i]) / 100.0 * d_win;
      book_[static_cast<std::size_t>(ae)].expansions += d_win;
    }
    // CSMs: each account's terms, a vector of accounts at a time (a zero term adds nothing:
    // the sums start at +0 and never reach -0).
    const double* health_power = live.health.data();
    if (w_.csql_health_exponent != 1.0) {
      for (std::size_t k = 0; k < n; ++k) health_power_[k] = std::pow(live.health[k], w_.csql_health_exponent);
      health_power = health_power_.data();
    }
    const BookTermsIn in{n, t, last, live.account.data(), live.csm.data(), live.renewal_month.data(),
                         live.exp_close.data(), live.health.data(), health_power, live.arr_usage.data(),
                         accounts_.arr_fixed.data(), accounts_.ae.data(), churn_p_.data(), renewal_reach.data(),
                         ae_follow_up_.data(), ae_follow_up_ratio_.data(), lambda_h, seg.usage_drift, usage_reach,
                         seg.csql_rate, seg.upsell_fraction, acceptance, csql_window};
    book_terms(in, BookTermsOut{term_churn_arr_.data(), term_churn_logos_.data(), term_usage_.data(), term_csql_.data(),
                                term_csql_value_.data(), term_csql_wins_.data(), term_csql_win_value_.data()});
    // Each CSM's sums in list order, added straight into its book: CSMs take accounts in
    // turn (round robin, then the least loaded), so neighbours rarely share one and the
    // additions into one book do not queue behind each other.
    for (std::size_t k = 0; k < n; ++k) {
      if (live.csm[k] < 0) continue;
      BookState& b = book_[static_cast<std::size_t>(live.csm[k])];
      b.churn_arr += term_churn_arr_[k], b.churn_logos += term_churn_logos_[k], b.usage += term_usage_[k];
      b.csql += term_csql_[k], b.csql_value += term_csql_value_[k], b.csql_wins += term_csql_wins_[k];
      b.csql_win_value += term_csql_win_value_[k];
    }
  }
}

/// Deals closing this month, per AE: what one more unit of new-business share or of
/// over-promising adds to wins, and the first-renewal churn it exposes the AE to.
void ResponsiveEffort::gather_deals(int t, int last) {
  for (const Opportunity& opp : pipeline_.closing(t)) {
    const auto ae = static_cast<std::size_t>(opp.ae);
    const auto& seg = w_.segments[static_cast<std::size_t>(opp.segment)];
    const double n_ratio = reps_.share[ae] / w_.effort.ae_new_business_ref;
    const double o = reps_.overpromise[ae], alpha = w_.overpromise_win_uplift;
    // deal_rate without over-promising's factor: w z l phi.
    const double wz = pipeline_.deal_rate(opp.segment, ae, reps_) / (1.0 + alpha * o);
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
    const double h0 = churn_.p(opp.segment, 0, seg.health_start, 0.0);
    const double q1 = churn_.p(opp.segment, 0, seg.health_start, o);
    const double dq1 = q1 < 1.0 ? h0 * w_.churn_gap_effect : 0.0;
    const double dp = p_win < 1.0 ? wz * n_ratio * alpha : 0.0;
    const double exposure = dp * q1 + std::min(1.0, p_win) * dq1;
    b.churn_exposure_value += value * exposure;
    b.churn_exposure_count += exposure;
  }
  // Prospecting: one more unit of share creates prospecting_rate / n_ref opportunities this
  // month, won at the AE's chance, which count if they close within the period.
  for (std::size_t s = 0; s < reps_.segment_aes.size(); ++s) {
    const auto& seg = w_.segments[s];
    if (!(seg.ae_prospecting > 0) || t + seg.sales_cycle_months > last) continue;
    const double mean_acv = seg.acv_median * std::exp(0.5 * seg.acv_log_sd * seg.acv_log_sd) * w_.products[0].acv_scale;
    for (int ae : reps_.segment_aes[s]) {
      const auto a = static_cast<std::size_t>(ae);
      const double p_win = std::min(1.0, pipeline_.deal_rate(static_cast<int>(s), a, reps_) * reps_.share[a] / w_.effort.ae_new_business_ref);
      const double wins = process::prospecting_rate(seg, reps_.skill[a], reps_.level[a]) / w_.effort.ae_new_business_ref * p_win;
      book_[a].deals_value += wins * mean_acv;
      book_[a].deals += wins;
    }
  }
}

/// G for a CSM (metric units per month of each activity), derived or overridden; without
/// `with_push`, the push penalty's terms are left out (an effort level raises attention,
/// not the expansion emphasis the penalty follows).
Productivity ResponsiveEffort::csm_productivity(std::size_t r, bool with_push) const {
  const auto& over = w_.behaviour.csm_productivity;
  if (!over.empty()) return Eigen::Map<const Eigen::Matrix<double, kNumActivities, kNumMetrics, Eigen::RowMajor>>(over.data());
  const BookState& b = book_[r];
  Productivity g = Productivity::Zero();
  const double a = std::max(process::kMinEffort, reps_.share[r]);
  const double start = static_cast<double>(b.raw[kBookStartArr]) / 100.0;
  const double logos = static_cast<double>(b.raw[kBookStartLogos]);
  // The book's ratios need a period-start book; CSQL counts and values do not (a CSM may
  // be given its first accounts during the period).
  const bool has_book = start > 0 && logos > 0;
  const double de = reps_.expansion_effort_per_share(r);
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
  const double emphasis = (1.0 - reps_.share[r]) / (1.0 - w_.effort.csm_adoption_ref);
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
Productivity ResponsiveEffort::ae_productivity(std::size_t r) const {
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

}  // namespace complab
