#include "complab/pipeline.hpp"

#include <algorithm>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cmath>
#include <stdexcept>

#include "complab/money.hpp"
#include "complab/processes.hpp"
#include "complab/random_batch.hpp"

namespace complab {

using identity::Source;

Pipeline::Pipeline(const Scenario& scenario, const Workforce& reps) : w_(scenario.world) {
  const int nseg = static_cast<int>(w_.segments.size());
  double total_share = 0.0;
  for (const auto& s : w_.segments) total_share += s.opportunity_share;
  double cum = 0.0;
  for (const auto& s : w_.segments) {
    cum += total_share > 0 ? s.opportunity_share / total_share : 0.0;
    share_cdf_.push_back(cum);
    log_median_.push_back(std::log(s.acv_median));
    longest_cycle_ = std::max(longest_cycle_, s.sales_cycle_months);
  }
  // From the last segment with a share on, exactly 1: a rounded sum just under 1 must
  // not let a uniform pick a segment with no share (and perhaps no AEs).
  for (int s = nseg - 1; s >= 0; --s) {
    share_cdf_[static_cast<std::size_t>(s)] = 1.0;
    if (w_.segments[static_cast<std::size_t>(s)].opportunity_share > 0) break;
  }
  // Deals close up to the longest cycle past the horizon: they stay open (an AE's pipeline).
  by_close_.resize(static_cast<std::size_t>(w_.months + longest_cycle_ + 1));
  open_.assign(static_cast<std::size_t>(reps.size()), 0);
  capacity_.assign(static_cast<std::size_t>(reps.size()), 1.0);
}

void Pipeline::start_trial() {
  for (auto& month : by_close_) month.clear();
  std::fill(open_.begin(), open_.end(), 0);
}

void Pipeline::update_capacity(const Workforce& reps) {
  for (std::size_t s = 0; s < reps.segment_aes.size(); ++s) {
    for (int ae : reps.segment_aes[s]) {
      const auto a = static_cast<std::size_t>(ae);
      // A ramping AE works a ramped share of a full AE's pipeline at full win rate.
      const double k = w_.segments[s].ae_capacity * (reps.all_ramped() ? 1.0 : std::max(reps.productivity(a), 1e-9));
      capacity_[a] = open_[a] > k ? k / open_[a] : 1.0;
    }
  }
}

double Pipeline::deal_rate(int s, std::size_t ae, const Workforce& reps) const {
  return process::deal_rate(w_, w_.segments[static_cast<std::size_t>(s)], reps.skill[ae], reps.overpromise[ae],
                            reps.level[ae], capacity_[ae]);
}

template <class Field>
int Pipeline::count(double mean, std::uint32_t group, std::uint32_t id, int t, int limit, Field&& field,
                    const TrialStreams& streams) const {
  if (!(mean > 0)) return 0;
  auto count_stream = streams.stream(group, id, t, Purpose::OpportunityCount);
  const int n = boost::random::poisson_distribution<int, double>(mean)(count_stream);
  if (n > limit) {  // their ids would collide: stop, do not truncate
    throw std::invalid_argument(field() + ": a source drew " + std::to_string(n) + " opportunities in month " +
                                std::to_string(t) + ", more than the " + std::to_string(limit) +
                                " a month the engine can key; lower it, or skill_log_sd (strong reps draw in "
                                "proportion to their skill)");
  }
  return n;
}

void Pipeline::create(int t, const TrialStreams& streams, const Workforce& reps, KpiLedger& ledger) {
  month_.clear();
  for (std::size_t j = 0; j < reps.sdrs.size(); ++j) {
    const auto sdr = static_cast<std::size_t>(reps.sdrs[j]);
    const int n = count(w_.opportunities_per_sdr * reps.skill[sdr] * reps.productivity(sdr), identity::kRepGroup, reps.stream_id[sdr], t,
                        identity::kMaxOpportunitiesPerSourceMonth, [] { return std::string("world.opportunities_per_sdr"); },
                        streams);
    for (int k = 0; k < n; ++k) {
      month_.push_back({identity::opportunity_id(Source::Sdr, t, static_cast<int>(j), k), Source::Sdr,
                        static_cast<int>(sdr), -1, -1});
    }
  }
  for (int s = 0; s < static_cast<int>(w_.segments.size()); ++s) {
    const auto& seg = w_.segments[static_cast<std::size_t>(s)];
    const auto& aes = reps.segment_aes[static_cast<std::size_t>(s)];
    // Without AEs nobody works the segment's inbound leads: none are created.
    const double inbound = aes.empty() ? 0.0 : seg.inbound_opportunities;
    const int n = count(inbound, identity::inbound_group(s), 0, t, identity::kMaxInboundPerSegmentMonth - 1,
                        [&seg] { return "world.segments." + seg.name + ".inbound_opportunities"; }, streams);
    for (int k = 0; k < n; ++k) {
      month_.push_back({identity::opportunity_id(Source::Inbound, t, 0, k), Source::Inbound, -1, s, -1});
    }
    for (int ae : aes) {
      const auto a = static_cast<std::size_t>(ae);
      const double mean =
          process::prospecting_rate(seg, reps.skill[a], reps.level[a]) * reps.share[a] / w_.effort.ae_new_business_ref *
          reps.productivity(a);
      const int m = count(mean, identity::kRepGroup, reps.stream_id[a], t, identity::kMaxOpportunitiesPerSourceMonth,
                          [&seg] { return "world.segments." + seg.name + ".ae_prospecting"; }, streams);
      for (int k = 0; k < m; ++k) {
        month_.push_back({identity::opportunity_id(Source::Prospecting, t, reps.ordinal[a], k), Source::Prospecting,
                          -1, s, ae});
      }
    }
  }
  // The opportunities come in runs of one stream group (the SDRs', then each segment's):
  // each run's blocks are computed together, then its opportunities taken in order.
  for (std::size_t begin = 0, end = 0; begin < month_.size(); begin = end) {
    const std::uint32_t group = identity::opportunity_group(month_[begin].source, month_[begin].segment);
    ids_.clear();
    for (end = begin; end < month_.size() && identity::opportunity_group(month_[end].source, month_[end].segment) == group;
         ++end) {
      ids_.push_back(month_[end].id);
    }
    const std::size_t n = ids_.size();
    streams.blocks(group, ids_.data(), n, t, Purpose::Opportunity, choice_blocks_);
    streams.blocks(group, ids_.data(), n, t, Purpose::Opportunity, value_blocks_, 1);
    streams.blocks(group, ids_.data(), n, t, Purpose::OpportunityWin, win_blocks_);
    for (std::size_t k = 0; k < n; ++k) create_one(month_[begin + k], group, k, t, streams, reps, ledger);
  }
}

void Pipeline::create_one(const NewOpportunity& o, std::uint32_t group, std::size_t k, int t,
                          const TrialStreams& streams, const Workforce& reps, KpiLedger& ledger) {
  const bool record = t >= 0;
  // The opportunity's stream: the segment's word (SDR-sourced), the AE's word (unless
  // prospected), then the value's log-normal from its second block; its OpportunityWin
  // stream's first word.
  const double u_segment = to_unit(choice_blocks_.first[k]), u_ae = to_unit(choice_blocks_.second[k]);
  int s = o.segment;
  if (s < 0) {
    s = 0;
    while (s + 1 < static_cast<int>(share_cdf_.size()) && u_segment >= share_cdf_[static_cast<std::size_t>(s)]) ++s;
  }
  int ae = o.ae;
  if (ae < 0) ae = route(s, u_ae, reps);
  if (ae < 0 || !reps.held(static_cast<std::size_t>(ae))) {  // routed to a vacant territory: lost
    if (record) ledger.headcount(t, s)[kHcLostOpportunities] += 1;
    return;
  }
  const auto& seg = w_.segments[static_cast<std::size_t>(s)];
  const double acv = lognormal_from_word(value_blocks_.first[k], log_median_[static_cast<std::size_t>(s)], seg.acv_log_sd,
                                         [&] { return streams.stream(value_blocks_, k, group, o.id, t, Purpose::Opportunity, 1); });
  const double u_win = to_unit(win_blocks_.first[k]);
  const Opportunity opp{o.id, o.sdr, s, ae, to_cents(acv * w_.products[0].acv_scale, seg), u_win};
  if (record) {
    const int p = t / w_.period_months;
    if (o.sdr >= 0) {
      ledger.raw(o.sdr, p, kOpportunities) += 1;
      ledger.raw(o.sdr, p, kPipeline) += opp.value;
    }
    ledger.series(t, kOpportunitiesFlow) += 1;
  }
  const int close = t + seg.sales_cycle_months;
  if (close < 0) return;  // decided before the start
  by_close_[static_cast<std::size_t>(close)].push_back(opp);
  ++open_[static_cast<std::size_t>(ae)];
}

int Pipeline::route(int s, double u, const Workforce& reps) const {
  const auto& aes = reps.segment_aes[static_cast<std::size_t>(s)];
  if (reps.all_ramped()) {
    const auto pick = static_cast<std::size_t>(u * static_cast<double>(aes.size()));
    return aes[std::min(pick, aes.size() - 1)];
  }
  // In proportion to productivity; a vacated seat keeps its share while it waits for its
  // backfill (its leads are lost), and gets none when the others take its work.
  auto weight = [&](int a) {
    const auto r = static_cast<std::size_t>(a);
    return reps.waits_for_backfill() && reps.vacated(r) ? 1.0 : reps.productivity(r);
  };
  double total = 0.0;
  for (int a : aes) total += weight(a);
  if (!(total > 0)) return -1;
  const double x = u * total;
  double cum = 0.0;
  int last = -1;
  for (int a : aes) {
    const double wa = weight(a);
    if (!(wa > 0)) continue;
    cum += wa;
    last = a;
    if (x < cum) return a;
  }
  return last;
}

void Pipeline::reassign(int t, int leaver, int segment, const Workforce& reps) {
  const auto& aes = reps.segment_aes[static_cast<std::size_t>(segment)];
  // Only deals still open: those closing after month t (earlier months' are decided).
  for (std::size_t close = static_cast<std::size_t>(t) + 1; close < by_close_.size(); ++close) {
    for (Opportunity& opp : by_close_[close]) {
      if (opp.ae != leaver) continue;
      int best = -1;
      for (int a : aes) {
        if (!reps.held(static_cast<std::size_t>(a))) continue;
        if (best < 0 || open_[static_cast<std::size_t>(a)] < open_[static_cast<std::size_t>(best)]) best = a;
      }
      if (best < 0) return;  // nobody left to take them: they wait
      opp.ae = best;
      --open_[static_cast<std::size_t>(leaver)];
      ++open_[static_cast<std::size_t>(best)];
    }
  }
}

void Pipeline::decide(int t, const Workforce& reps, KpiLedger& ledger, std::vector<Opportunity>& won) {
  const int p = t / w_.period_months;
  for (const Opportunity& opp : by_close_[static_cast<std::size_t>(t)]) {
    ledger.series(t, kDealsClosed) += 1;
    const auto ae = static_cast<std::size_t>(opp.ae);
    --open_[ae];
    if (!reps.held(ae)) continue;  // nobody works a vacant seat's deals: lost
    const double p_win =
        process::cap_at_one(deal_rate(opp.segment, ae, reps) * reps.share[ae] / w_.effort.ae_new_business_ref).p;
    if (!(opp.u_win < p_win)) continue;
    ledger.raw(opp.ae, p, kNewArr) += opp.value;
    ledger.raw(opp.ae, p, kNewLogos) += 1;
    if (opp.sdr >= 0) ledger.raw(opp.sdr, p, kSourcedWins) += 1;
    ledger.series(t, kNewArrFlow) += opp.value;
    ledger.series(t, kNewLogosFlow) += 1;
    won.push_back(opp);
  }
}

}  // namespace complab
