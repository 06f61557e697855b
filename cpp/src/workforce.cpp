#include "complab/workforce.hpp"

#include <algorithm>
#include <boost/random/lognormal_distribution.hpp>
#include <cmath>
#include <utility>

#include "complab/processes.hpp"
#include "complab/steady_state.hpp"

namespace complab {

namespace {

/// Tenure of a starting rep without a hire date whose role nobody leaves: settled, ramped.
constexpr int kSettledTenure = 60;
/// The stationary tenure distribution is cut here (50 years): its tail beyond is negligible
/// at any hazard worth modelling.
constexpr int kLongestTenure = 600;

}  // namespace

Workforce::Workforce(const Scenario& scenario, const RepRoster& roster, bool with_people)
    : w_(scenario.world), wf_(scenario.world.workforce), roster_(roster),
      people_(with_people && scenario.world.workforce.active()),
      wait_(people_ && scenario.world.workforce.vacancy == Vacancy::Wait) {
  const auto nseg = w_.segments.size();
  segment_aes.resize(nseg);
  segment_csms.resize(nseg);
  for (int r = 0; r < roster_.size(); ++r) {
    const auto ri = static_cast<std::size_t>(r);
    const Role role = roster_.role[ri];
    const int segment = roster_.segment[ri];
    // A rep's ordinal among its role and segment is its identity in the streams.
    std::vector<int>& group = role == Role::AE    ? segment_aes[static_cast<std::size_t>(segment)]
                              : role == Role::CSM ? segment_csms[static_cast<std::size_t>(segment)]
                                                  : sdrs;
    ordinal.push_back(static_cast<int>(group.size()));
    stream_id.push_back(identity::rep_id(role, segment, ordinal.back()));
    group.push_back(r);
  }
  const auto n = static_cast<std::size_t>(roster_.size());
  skill.assign(n, 1.0);
  share.assign(n, 1.0);
  overpromise.assign(n, 0.0);
  level.assign(n, 1.0);
  load.assign(n, 0);
  tenure.assign(n, kSettledTenure);
  held_.assign(n, 1);
  vacated_.assign(n, 0);
  own_terms_.assign(n, 1);
  fill_month_.assign(n, kNever);
  productivity_.assign(n, 1.0);
  pay_multiplier.assign(n, 1.0);
  territory.assign(n, 1.0);
  for (auto* v : {&period_quota_own_, &period_held_own_, &period_quota_plan_, &period_held_plan_}) v->assign(n, 0.0);
  // Accounts without a CSM get the least adoption effort and no push.
  health_shift.assign(n + 1, w_.health_adoption_effect * std::log(process::kMinEffort));
  expansion_effort.assign(n + 1, 0.0);

  // A starting rep's tenure: the share of reps still there tau months after joining, S(tau),
  // normalised (the tenure of a seat's rep in a steady workforce).
  for (const RoleStaffing& st : wf_.roles) {
    std::vector<double> cdf;
    if (st.leaves()) {
      double survive = 1.0, total = 0.0;
      for (int tau = 0; tau < kLongestTenure; ++tau) {
        total += survive;
        cdf.push_back(total);
        survive *= 1.0 - st.hazard(tau);
      }
      for (double& c : cdf) c /= total;
      cdf.back() = 1.0;
    }
    tenure_cdf_.push_back(std::move(cdf));
  }
  group_steps_.resize(static_cast<std::size_t>(roster_.groups));
  group_base_.assign(static_cast<std::size_t>(roster_.groups), 0);
  for (std::size_t r = 0; r < n; ++r) {
    if (roster_.hired[r] != kHiringSeat) ++group_base_[static_cast<std::size_t>(roster_.group[r])];
  }
  const int nsegs = static_cast<int>(nseg);
  // Steps as (month, headcount) pairs sorted by month.
  for (const HiringStep& step : wf_.hiring) {
    const int g = step.role == Role::AE ? step.segment : step.role == Role::SDR ? nsegs : nsegs + 1 + step.segment;
    if (g < 0 || g >= roster_.groups) continue;
    auto& steps = group_steps_[static_cast<std::size_t>(g)];
    steps.push_back(step.month);
    steps.push_back(step.headcount);
  }
  for (auto& steps : group_steps_) {
    std::vector<std::pair<int, int>> pairs;
    for (std::size_t k = 0; k + 1 < steps.size(); k += 2) pairs.emplace_back(steps[k], steps[k + 1]);
    std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    steps.clear();
    for (const auto& [month, headcount] : pairs) {
      steps.push_back(month);
      steps.push_back(headcount);
    }
  }
}

void Workforce::start_trial(const TrialStreams& streams, KpiLedger& ledger) {
  start_trial(streams);
  for (int r = 0; r < size(); ++r) ledger.skill(r, skill[static_cast<std::size_t>(r)]);
}

void Workforce::start_trial(const TrialStreams& streams) {
  for (int r = 0; r < size(); ++r) {
    const auto ri = static_cast<std::size_t>(r);
    double z = 1.0;
    if (w_.skill_log_sd > 0) {
      auto s = streams.stream(identity::kRepGroup, stream_id[ri], 0, Purpose::RepSkill);
      z = boost::random::lognormal_distribution<double>(0.0, w_.skill_log_sd)(s);
    }
    skill[ri] = z;
    const Role rl = roster_.role[ri];
    share[ri] = rl == Role::CSM ? w_.effort.csm_adoption : rl == Role::AE ? w_.effort.ae_new_business : 1.0;
    overpromise[ri] = rl == Role::AE ? w_.effort.ae_overpromise : 0.0;
    level[ri] = 1.0;
    held_[ri] = 1;
    vacated_[ri] = 0;
    own_terms_[ri] = 1;
    fill_month_[ri] = kNever;
    tenure[ri] = kSettledTenure;
    pay_multiplier[ri] = 1.0;
    territory[ri] = 1.0;
    if (!people_) continue;
    const int hired = roster_.hired[ri];
    if (hired == kHeadcountSeat) {
      tenure[ri] = draw_tenure(ri, streams);
    } else if (hired == kHiringSeat) {
      held_[ri] = 0;
      fill_month_[ri] = first_wanted(ri);
    } else if (hired <= 0) {
      tenure[ri] = -hired;
    } else {
      held_[ri] = 0;
      fill_month_[ri] = hired;
    }
  }
  std::fill(load.begin(), load.end(), 0);
  update_productivity();
}

int Workforce::draw_tenure(std::size_t r, const TrialStreams& streams) const {
  const auto& cdf = tenure_cdf_[static_cast<std::size_t>(roster_.role[r])];
  if (cdf.empty()) return kSettledTenure;
  const double u = to_unit(streams.stream(identity::kRepGroup, stream_id[r], 0, Purpose::RepTenure)());
  return static_cast<int>(std::upper_bound(cdf.begin(), cdf.end() - 1, u) - cdf.begin());
}

bool Workforce::wanted(std::size_t r, int t) const {
  const auto g = static_cast<std::size_t>(roster_.group[r]);
  int headcount = group_base_[g];
  const auto& steps = group_steps_[g];
  for (std::size_t k = 0; k + 1 < steps.size() && steps[k] <= t; k += 2) headcount = steps[k + 1];
  return ordinal[r] < headcount;
}

int Workforce::first_wanted(std::size_t r) const {
  const auto& steps = group_steps_[static_cast<std::size_t>(roster_.group[r])];
  for (std::size_t k = 0; k + 1 < steps.size(); k += 2) {
    if (ordinal[r] < steps[k + 1]) return std::max(steps[k], 0);
  }
  return kNever;
}

void Workforce::hire(std::size_t r, int t, const TrialStreams& streams) {
  // A named rep starting later keeps its own terms; a backfill or a planned hire is on the plan's.
  own_terms_[r] = roster_.hired[r] == t ? 1 : 0;
  held_[r] = 1;
  vacated_[r] = 0;
  tenure[r] = 0;
  fill_month_[r] = kNever;
  pay_multiplier[r] = 1.0;
  double z = 1.0;
  if (w_.skill_log_sd > 0) {
    auto s = streams.stream(identity::kRepGroup, stream_id[r], static_cast<std::uint32_t>(t), Purpose::RepSkill);
    z = boost::random::lognormal_distribution<double>(0.0, w_.skill_log_sd)(s);
  }
  skill[r] = z;
  const Role rl = roster_.role[r];
  share[r] = rl == Role::CSM ? w_.effort.csm_adoption : rl == Role::AE ? w_.effort.ae_new_business : 1.0;
  overpromise[r] = rl == Role::AE ? w_.effort.ae_overpromise : 0.0;
  level[r] = 1.0;
}

void Workforce::update_productivity() {
  all_ramped_ = true;
  for (std::size_t r = 0; r < productivity_.size(); ++r) {
    productivity_[r] = held_[r] ? wf_.role(roster_.role[r]).productivity(tenure[r]) : 0.0;
    all_ramped_ = all_ramped_ && productivity_[r] == 1.0;
  }
}

int Workforce::group(std::size_t r) const { return roster_.group[r]; }

void Workforce::begin_month(int t, const TrialStreams& streams, KpiLedger& ledger) {
  const int P = w_.period_months;
  if (people_) {
    for (std::size_t r = 0; r < held_.size(); ++r) {
      if (held_[r] || fill_month_[r] > t || !wanted(r, t)) continue;
      hire(r, t, streams);
      ledger.headcount(t, group(r))[kHcHired] += 1;
    }
    update_productivity();
  }
  if (t % P == 0) {
    for (auto* v : {&period_quota_own_, &period_held_own_, &period_quota_plan_, &period_held_plan_}) {
      std::fill(v->begin(), v->end(), 0.0);
    }
  }
  for (std::size_t r = 0; r < held_.size(); ++r) {
    const int rep = static_cast<int>(r);
    std::int64_t* hc = ledger.headcount(t, group(r));
    if (!held_[r]) {
      ledger.tenure(rep, t) = kVacant;
      // An open requisition: a rep left and the seat is still wanted (a seat the hiring
      // plan has not opened yet, or a named rep's before its start, is not one).
      hc[kHcVacant] += vacated_[r] && wanted(r, t) ? 1 : 0;
    } else {
      ledger.tenure(rep, t) = static_cast<std::int16_t>(std::min(tenure[r], 32767));
      hc[kHcHeld] += 1;
      hc[kHcRamping] += productivity_[r] < 1.0 ? 1 : 0;
      hc[kHcCapacityMicros] += std::llround(productivity_[r] * 1e6);
    }
    if (!people_) continue;
    if (t % P == 0) {
      // The period's terms as the seat's rep sees them at its start: it stays all period,
      // and a vacant seat is filled when planned.
      double quota = 0.0, months = 0.0;
      const RoleStaffing& st = wf_.role(roster_.role[r]);
      for (int i = 0; i < P; ++i) {
        if (held_[r]) {
          quota += st.quota_share(tenure[r] + i);
          months += 1;
        } else if (fill_month_[r] != kNever && fill_month_[r] <= t + i) {
          quota += st.quota_share(t + i - fill_month_[r]);
          months += 1;
        }
      }
      const bool own = on_own_terms(r);
      write_terms(r, t / P, {own ? quota : 0.0, own ? months : 0.0}, {own ? 0.0 : quota, own ? 0.0 : months}, ledger);
    }
    if (held_[r]) {
      const double share = wf_.role(roster_.role[r]).quota_share(tenure[r]);
      const bool own = on_own_terms(r);
      (own ? period_quota_own_ : period_quota_plan_)[r] += share;
      (own ? period_held_own_ : period_held_plan_)[r] += 1;
    }
  }
}

bool Workforce::on_own_terms(std::size_t r) const {
  return own_terms_[r] != 0 && roster_.hired[r] != kHeadcountSeat && roster_.hired[r] != kHiringSeat;
}

void Workforce::write_terms(std::size_t r, int p, const double (&own)[2], const double (&plan)[2],
                            KpiLedger& ledger) const {
  // The sum of the two parts, each as scale x territory x quota shares / P (months / P for
  // OTE): a period on one kind of terms alone gives the same bits as one product (the
  // other part is +0).
  const double P = w_.period_months;
  double* mine = ledger.own_terms(static_cast<int>(r), p);
  mine[kTermQuotaScale] = roster_.quota_scale[r] * territory[r] * own[0] / P;
  mine[kTermOteScale] = roster_.ote_scale[r] * own[1] / P;
  double* terms = ledger.terms(static_cast<int>(r), p);
  terms[kTermQuotaScale] = mine[kTermQuotaScale] + territory[r] * plan[0] / P;
  terms[kTermOteScale] = mine[kTermOteScale] + plan[1] / P;
}

void Workforce::end_month(int t, const TrialStreams& streams, KpiLedger& ledger) {
  left_.clear();
  if (people_) {
    for (std::size_t r = 0; r < held_.size(); ++r) {
      if (!held_[r]) continue;
      const double h = wf_.role(roster_.role[r]).hazard(tenure[r]) * pay_multiplier[r];
      if (!(h > 0)) continue;
      const double u =
          to_unit(streams.stream(identity::kRepGroup, stream_id[r], static_cast<std::uint32_t>(t), Purpose::RepExit)());
      if (!(u < h)) continue;
      std::int64_t* hc = ledger.headcount(t, group(r));
      hc[kHcLeft] += 1;
      hc[kHcRegretted] += skill[r] > 1.0 ? 1 : 0;  // skill's median is 1
      left_.push_back(static_cast<int>(r));
    }
    // Terms first, before the leavers go: each month is on the terms of the rep who held it.
    if ((t + 1) % w_.period_months == 0) {
      for (std::size_t r = 0; r < held_.size(); ++r) {
        write_terms(r, t / w_.period_months, {period_quota_own_[r], period_held_own_[r]},
                    {period_quota_plan_[r], period_held_plan_[r]}, ledger);
      }
    }
    for (int rep : left_) {
      const auto r = static_cast<std::size_t>(rep);
      held_[r] = 0;
      vacated_[r] = 1;
      own_terms_[r] = 0;
      const int lag = wf_.role(roster_.role[r]).backfill_lag;
      fill_month_[r] = lag < 0 ? kNever : t + 1 + lag;
      share[r] = overpromise[r] = 0.0;
    }
  }
  if ((t + 1) % w_.period_months == 0) {
    for (std::size_t r = 0; r < held_.size(); ++r) ledger.period_skill(static_cast<int>(r), t / w_.period_months, skill[r]);
  }
  for (std::size_t r = 0; r < held_.size(); ++r) tenure[r] += held_[r];
}

double Workforce::csm_attention(std::size_t r, int book) const {
  const auto& seg = w_.segments[static_cast<std::size_t>(roster_.segment[r])];
  return skill[r] * level[r] * productivity_[r] * complab::csm_attention(seg.csm_coverage / std::max(1, book), w_.csm_max_effort);
}

void Workforce::csm_effort(std::size_t r, int book) {
  if (!held_[r]) {  // a vacant seat's accounts are served as if they had no CSM
    health_shift[r + 1] = health_shift[0];
    expansion_effort[r + 1] = expansion_effort[0];
    return;
  }
  const process::CsmEffort e = process::csm_effort(w_, share[r], csm_attention(r, book));
  health_shift[r + 1] = e.health_shift;
  expansion_effort[r + 1] = e.expansion_effort;
}

void Workforce::csm_efforts() {
  for (const auto& csms : segment_csms) {
    for (int r : csms) csm_effort(static_cast<std::size_t>(r), load[static_cast<std::size_t>(r)]);
  }
}

double Workforce::expansion_effort_per_share(std::size_t r) const {
  return csm_attention(r, load[r]) / (1.0 - w_.effort.csm_adoption_ref);
}

}  // namespace complab
