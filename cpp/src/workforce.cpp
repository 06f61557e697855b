#include "complab/workforce.hpp"

#include <algorithm>
#include <boost/random/lognormal_distribution.hpp>
#include <cmath>

#include "complab/processes.hpp"
#include "complab/steady_state.hpp"

namespace complab {

Workforce::Workforce(const Scenario& scenario, const RepRoster& roster) : w_(scenario.world), roster_(roster) {
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
  // Accounts without a CSM get the least adoption effort and no push.
  health_shift.assign(n + 1, w_.health_adoption_effect * std::log(process::kMinEffort));
  expansion_effort.assign(n + 1, 0.0);
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
  }
  std::fill(load.begin(), load.end(), 0);
}

double Workforce::csm_attention(std::size_t r, int book) const {
  const auto& seg = w_.segments[static_cast<std::size_t>(roster_.segment[r])];
  return skill[r] * level[r] * complab::csm_attention(seg.csm_coverage / std::max(1, book), w_.csm_max_effort);
}

void Workforce::csm_effort(std::size_t r, int book) {
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
