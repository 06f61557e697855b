#include "complab/account_dynamics.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "complab/identity.hpp"
#include "complab/money.hpp"
#include "complab/plan.hpp"
#include "complab/random_batch.hpp"

namespace complab {

AccountDynamics::AccountDynamics(const Scenario& scenario, AccountStore& accounts, Workforce& reps,
                                 TrialStreams& streams, const process::ChurnModel& churn, KpiLedger& ledger)
    : w_(scenario.world), accounts_(accounts), reps_(reps), streams_(streams), churn_(churn), ledger_(ledger) {
  for (int s = 0; s < static_cast<int>(w_.segments.size()); ++s) {
    acceptance_.push_back(process::handoff_acceptance(scenario, s));
  }
  for (const auto& p : w_.products) usage_priced_.push_back(p.usage_priced);
}

void AccountDynamics::month(int t, int p) {
  // The segments' sums gathered here and added to the series once a month.
  MonthSums sums;
  for (std::size_t s = 0; s < accounts_.live.size(); ++s) segment_month(static_cast<int>(s), t, p, sums);
  accounts_.total_arr += sums.usage_up - sums.usage_down;
  ledger_.series(t, kAccountMonths) += sums.account_months;
  ledger_.series(t, kHealthMicros) += sums.health_micros;
  ledger_.series(t, kExpansionUsage) += sums.usage_up;
  ledger_.series(t, kContraction) += sums.usage_down;
}

int AccountDynamics::least_loaded_csm(int segment) const {
  // Held seats first; with all vacant, the least-loaded seat's backfill inherits the account.
  int best = -1;
  bool best_held = false;
  for (int r : reps_.segment_csms[static_cast<std::size_t>(segment)]) {
    const auto ri = static_cast<std::size_t>(r);
    const bool held = reps_.held(ri);
    if (best < 0 || (held && !best_held) ||
        (held == best_held && reps_.load[ri] < reps_.load[static_cast<std::size_t>(best)])) {
      best = r;
      best_held = held;
    }
  }
  return best;
}

void AccountDynamics::reassign_book(int leaver) {
  const int s = reps_.segment(leaver);
  LiveAccounts& live = accounts_.live[static_cast<std::size_t>(s)];
  for (std::size_t k = 0; k < live.size(); ++k) {
    if (live.csm[k] != leaver) continue;
    const int to = least_loaded_csm(s);
    if (to < 0 || !reps_.held(static_cast<std::size_t>(to))) return;  // nobody to take them: they wait
    live.csm[k] = to;
    accounts_.csm[live.account[k]] = to;
    --reps_.load[static_cast<std::size_t>(leaver)];
    ++reps_.load[static_cast<std::size_t>(to)];
  }
}

int AccountDynamics::acting_ae(std::size_t i) const {
  const int ae = accounts_.ae[i];
  if (reps_.held(static_cast<std::size_t>(ae))) return ae;
  if (reps_.waits_for_backfill()) return -1;
  // The segment's held AEs cover the vacant seat's accounts, each account always the same one.
  const auto& aes = reps_.segment_aes[static_cast<std::size_t>(accounts_.segment[i])];
  int held = 0;
  for (int a : aes) held += reps_.held(static_cast<std::size_t>(a)) ? 1 : 0;
  if (held == 0) return -1;
  int nth = static_cast<int>(accounts_.entity[i] % static_cast<std::uint32_t>(held));
  for (int a : aes) {
    if (reps_.held(static_cast<std::size_t>(a)) && nth-- == 0) return a;
  }
  return -1;
}

void AccountDynamics::open_accounts(int t, int p, const std::vector<Opportunity>& won) {
  for (const Opportunity& opp : won) {
    const auto& seg = w_.segments[static_cast<std::size_t>(opp.segment)];
    const int csm = least_loaded_csm(opp.segment);
    accounts_.add(opp.segment, csm, opp.ae, p, identity::kNewAccountBit | opp.id, opp.value, seg.health_start,
                  reps_.overpromise[static_cast<std::size_t>(opp.ae)], 0, kContractMonths, t);
    if (csm >= 0) ++reps_.load[static_cast<std::size_t>(csm)];
  }
  // A month's growth is at most a few times the total, so checking once a month keeps
  // every intermediate sum far inside 64 bits.
  if (accounts_.total_arr >= kMaxTotalArrCents) total_arr_limit_exceeded();
}

void AccountDynamics::warm_handoffs() {
  const int hand_off_months = std::max(1, w_.expansion_cycle_months);
  for (int s = 0; s < static_cast<int>(accounts_.live.size()); ++s) {
    const auto& seg = w_.segments[static_cast<std::size_t>(s)];
    if (!(seg.csql_rate > 0)) continue;
    LiveAccounts& live = accounts_.live[static_cast<std::size_t>(s)];
    const std::uint32_t group = identity::account_group(s);
    for (int m = -hand_off_months; m < 0; ++m) {
      // The month's eligible accounts' first Csql blocks together; a raise reads on.
      warm_positions_.clear();
      warm_entity_.clear();
      for (std::size_t k = 0; k < live.size(); ++k) {
        if (live.csm[k] < 0 || live.exp_close[k] >= 0) continue;
        warm_positions_.push_back(static_cast<std::uint32_t>(k));
        warm_entity_.push_back(live.entity[k]);
      }
      streams_.blocks(group, warm_entity_.data(), warm_entity_.size(), m, Purpose::Csql, csql_blocks_);
      for (std::size_t j = 0; j < warm_positions_.size(); ++j) {
        const std::size_t k = warm_positions_[j];
        // The Csql stream's words in the month pass's order: yes/no, kind, product, acceptance.
        const double u = to_unit(csql_blocks_.first[j]);
        const double h = live.health[k];
        const double p =
            process::csql_chance(w_, seg, reps_.expansion_effort[static_cast<std::size_t>(live.csm[k] + 1)], h);
        if (!(u < p)) continue;
        auto words = streams_.stream(csql_blocks_, j, group, warm_entity_[j], m, Purpose::Csql);
        words();  // the yes/no, read above
        const double u_kind = to_unit(words());
        const double u_product = to_unit(words()), u_accept = to_unit(words());
        raise_csql(live, k, m, 0, seg, u_kind, u_product, u_accept);
      }
    }
  }
}

/// docs/model.md §5 steps 1-5 for the accounts of segment `s` active at the month's start, which then
/// leave its list if they churned. Accounts do not interact within a month and every sum
/// is an integer, so taking the segments one after another, and each in passes, changes
/// no result. Each pass reads its inputs in list order.
void AccountDynamics::segment_month(int s, int t, int p, MonthSums& sums) {
  accounts_.live_state_stored = accounts_.live_usage_stored = false;
  const auto& seg = w_.segments[static_cast<std::size_t>(s)];
  LiveAccounts& live = accounts_.live[static_cast<std::size_t>(s)];
  const std::uint32_t* const entity = live.entity.data();
  const std::uint32_t group = identity::account_group(s);
  const std::size_t n = live.size();
  if (n == 0) return;
  if (z_health_.size() < n) {
    z_health_.resize(n);
    z_usage_.resize(n);
    csql_bits_.resize(n);
    events_.resize(n);
  }

  // One AccountMonth block an account: 48 bits for each of the health and usage normals'
  // first words (their rare extra words come from their own streams) and 32 for the CSQL
  // yes/no (split_account_month). z = 0 where a segment has no noise.
  const bool health_noise = seg.health_noise > 0, usage_noise = seg.usage_noise > 0;
  const bool csql_possible = seg.csql_rate > 0;
  if (health_noise || usage_noise || csql_possible) {
    streams_.blocks(group, entity, n, t, Purpose::AccountMonth, dynamics_blocks_);
    split_account_month(dynamics_blocks_.first.data(), dynamics_blocks_.second.data(), n, csql_bits_.data());
  }
  if (health_noise) {
    streams_.unit_normals(dynamics_blocks_.first.data(), group, entity, n, t, Purpose::Health, z_health_.data());
  } else {
    std::fill_n(z_health_.begin(), n, 0.0);
  }
  if (usage_noise) {
    // Drawn for every account; used only where it holds usage-priced ARR.
    streams_.unit_normals(dynamics_blocks_.second.data(), group, entity, n, t, Purpose::Usage, z_usage_.data());
  } else {
    std::fill_n(z_usage_.begin(), n, 0.0);
  }


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
                              csql_possible ? csql_bits_.data() : nullptr};
  const PassSums pass = account_pass(c, accounts, PassReps{reps_.health_shift.data(), reps_.expansion_effort.data()}, n,
                                     events_.data());
  const std::size_t num_events = pass.events, num_due = pass.due;
  sums.account_months += static_cast<std::int64_t>(n);
  sums.health_micros += pass.health_micros;
  sums.usage_up += pass.usage_up;
  sums.usage_down += pass.usage_down;
  if (pass.over_limit) arr_limit_exceeded(seg);
  if (num_events == 0) return;

  // The events' draws, a batch a purpose: the closing hand-offs' ExpansionWin blocks, the
  // CSQLs' Csql blocks (kind, product and acceptance: the stream's second to fourth words,
  // as in the warm start's history, whose yes/no is the first) and the renewals' Renewal
  // blocks.
  if (renewal_entity_.size() < num_events) {
    renewal_entity_.resize(num_events);
    csql_entity_.resize(num_events);
    closing_entity_.resize(num_events);
  }
  std::size_t num_csqls = 0, num_closing = 0;
  if (due_index_.size() < num_due) {
    due_index_.resize(num_due);
    due_health_.resize(num_due);
    due_gap_.resize(num_due);
    due_churn_.resize(num_due);
  }
  for (std::size_t e = 0, d = 0; e < num_events; ++e) {
    const std::size_t k = events_[e].position;
    if (live.exp_close[k] == t) closing_entity_[num_closing++] = entity[k];
    if (events_[e].csql) csql_entity_[num_csqls++] = entity[k];
    if (events_[e].due) {
      renewal_entity_[d] = entity[k];
      due_index_[d] = accounts_.renewal_index[live.account[k]];
      due_health_[d] = live.health[k];
      due_gap_[d] = live.gap[k];
      ++d;
    }
  }
  // The renewals' churn chances together (steps 3 and 4 change no health, gap or index).
  churn_.p_many(s, due_index_.data(), due_health_.data(), due_gap_.data(), num_due, due_churn_.data());
  streams_.blocks(group, closing_entity_.data(), num_closing, t, Purpose::ExpansionWin, expansion_win_blocks_);
  streams_.blocks(group, csql_entity_.data(), num_csqls, t, Purpose::Csql, csql_blocks_);
  streams_.blocks(group, csql_entity_.data(), num_csqls, t, Purpose::Csql, csql_more_blocks_, 1);
  streams_.blocks(group, renewal_entity_.data(), num_due, t, Purpose::Renewal, renewal_blocks_);

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
      raise_csql(live, k, t, p, seg, to_unit(csql_blocks_.second[q]), to_unit(csql_more_blocks_.first[q]),
                 to_unit(csql_more_blocks_.second[q]));
      ++q;
    }
    // Step 5, renewal.
    if (ev.due) {
      const bool churned = renew(live, k, t, to_unit(renewal_blocks_.first[d]), due_churn_[d]);
      ++d;
      if (churned) churned_positions_[num_churned++] = static_cast<std::uint32_t>(k);
    }
  }
  if (num_churned > 0) AccountStore::drop_churned(live, churned_positions_.data(), num_churned);
}

/// u_win: the ExpansionWin stream's first uniform.
void AccountDynamics::close_handoff(LiveAccounts& live, std::size_t k, int t, int p, const SegmentConfig& seg, double u_win) {
  const std::size_t i = live.account[k];
  ledger_.series(t, kExpansionsClosed) += 1;
  const int ae = acting_ae(i);
  if (ae < 0) {  // nobody works a vacant seat's hand-off: lost
    live.exp_close[k] = -1;
    return;
  }
  const auto a = static_cast<std::size_t>(ae);
  const double p_win = std::min(1.0, process::follow_up_rate(seg, reps_.skill[a], reps_.level[a], live.health[k]) * reps_.follow_up_ratio(a));
  if (u_win < p_win) {
    const std::int64_t value = accounts_.exp_value[i];
    const int product = accounts_.exp_product[i];
    const bool usage = usage_priced_[static_cast<std::size_t>(product >= 0 ? product : 0)];
    std::int64_t& arr = usage ? live.arr_usage[k] : accounts_.arr_fixed[i];
    if (!(static_cast<double>(arr) + static_cast<double>(value) < kMaxArrCents)) arr_limit_exceeded(seg);
    arr += value;
    if (product >= 0) accounts_.products[i] |= 1u << product;
    accounts_.total_arr += value;
    ledger_.series(t, kExpansionCsql) += value;
    ledger_.series(t, kExpansionsWon) += 1;
    ledger_.raw(ae, p, kExpansionArr) += value;
    ledger_.raw(ae, p, kExpansionWins) += 1;
    if (accounts_.exp_csm[i] >= 0) {
      ledger_.raw(accounts_.exp_csm[i], p, kExpansionArr) += value;
      ledger_.raw(accounts_.exp_csm[i], p, kExpansionWins) += 1;
    }
    accounts_.expanded[i] = 1;
  }
  live.exp_close[k] = -1;
}

/// u_kind, u_product, u_accept: the Csql stream's uniforms after the yes/no.
void AccountDynamics::raise_csql(LiveAccounts& live, std::size_t k, int t, int p, const SegmentConfig& seg, double u_kind,
                double u_product, double u_accept) {
  const std::size_t i = live.account[k];
  const int nprod = static_cast<int>(w_.products.size());
  const int missing = nprod - std::popcount(accounts_.products[i]);
  int product = -1;
  std::int64_t value;
  if (missing > 0 && u_kind < w_.cross_sell_probability) {
    // Cross-sell the nth product the account does not hold (counting from 0).
    int nth = std::min(missing - 1, static_cast<int>(u_product * missing));
    for (int q = 0; q < nprod; ++q) {
      if (accounts_.products[i] & (1u << q)) continue;
      if (nth-- == 0) { product = q; break; }
    }
    value = to_cents(seg.acv_median * w_.products[static_cast<std::size_t>(product)].acv_scale, seg);
  } else {
    value = to_cents(seg.upsell_fraction * static_cast<double>(accounts_.arr_fixed[i] + live.arr_usage[k]) / 100.0, seg);
  }
  const int csm = accounts_.csm[i];
  const bool record = t >= 0;  // before month 0: the warm start's history
  if (record) {
    ledger_.raw(csm, p, kCsqlCount) += 1;
    ledger_.raw(csm, p, kCsqlPipeline) += value;
    ledger_.series(t, kCsqlRaised) += 1;
    ledger_.series(t, kCsqlValue) += value;
  }
  if (accounts_.ae[i] < 0 || !(u_accept < acceptance_[static_cast<std::size_t>(accounts_.segment[i])])) return;
  if (record) ledger_.series(t, kHandoffsAccepted) += 1;
  const int close = t + w_.expansion_cycle_months;
  // Closing this month is handled next month (the account has been processed already).
  const int when = std::max(close, t + 1);
  if (when < 0) return;  // closed before the start
  // Past the horizon it stays pending, as in a longer run: results do not depend on T.
  live.exp_close[k] = when;
  accounts_.exp_value[i] = value;
  accounts_.exp_product[i] = product;
  accounts_.exp_csm[i] = csm;
}

/// Step 5 for position k of `live`, u being its Renewal stream's first uniform; returns
/// whether the account churned (its final health and zero usage ARR are then stored in
/// the account arrays, for it leaves the list).
bool AccountDynamics::renew(LiveAccounts& live, std::size_t k, int t, double u, double p_churn) {
  const std::size_t i = live.account[k];
  const int r = accounts_.renewal_index[i];
  ledger_.series(t, kRenewalsDue) += 1;
  if (r == 0) ledger_.series(t, kFirstRenewalsDue) += 1;
  if (u < p_churn) {
    const std::int64_t lost = accounts_.arr_fixed[i] + live.arr_usage[k];
    ledger_.series(t, kChurnedArr) += lost;
    ledger_.series(t, kChurnedLogos) += 1;
    accounts_.total_arr -= lost;
    accounts_.arr_fixed[i] = accounts_.arr_usage[i] = live.arr_usage[k] = 0;
    accounts_.health[i] = live.health[k];
    accounts_.active[i] = 0;
    accounts_.churned[i] = t;
    live.exp_close[k] = -1;
    if (accounts_.csm[i] >= 0) --reps_.load[static_cast<std::size_t>(accounts_.csm[i])];
    if (r == 0) {
      ledger_.series(t, kFirstRenewalChurns) += 1;
      if (accounts_.sold_period[i] >= 0) {
        // The first renewal is 12 months after the sale, so the sale period fixes the churn's.
        ledger_.first_renewal_churn(accounts_.ae[i], accounts_.sold_period[i], accounts_.booked[i]);
      }
    }
    return true;
  }
  accounts_.renewal_index[i] = r + 1;
  live.gap[k] *= w_.gap_decay;
  live.renewal_month[k] = t + kContractMonths;
  return false;
}


}  // namespace complab
