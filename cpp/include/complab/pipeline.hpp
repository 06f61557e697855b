#pragma once
/// \file pipeline.hpp
/// New business (docs/model.md §5): opportunities from every source — SDRs, each
/// segment's inbound marketing, AEs' own prospecting — their values, the AE who works each,
/// the open pipeline that bounds an AE's capacity, and the deals decided at their close.
#include <cstdint>
#include <vector>

#include "complab/identity.hpp"
#include "complab/kpi_ledger.hpp"
#include "complab/streams.hpp"
#include "complab/workforce.hpp"

namespace complab {

struct Opportunity {
  std::uint32_t id;    // stream identity (identity::opportunity_id); a won account's is id | 2^31
  int sdr;             // rep index of the SDR who sourced it, -1: inbound or the AE's own
  int segment;
  int ae;              // rep index
  std::int64_t value;  // first-year ARR if won (cents)
  double u_win;        // its OpportunityWin uniform, drawn at creation
};

class Pipeline {
 public:
  Pipeline(const Scenario& scenario, const Workforce& reps);

  /// An empty pipeline for the next trial.
  void start_trial();
  /// phi per AE at the month's start: min(1, K_s / open pipeline).
  void update_capacity(const Workforce& reps);
  /// The opportunities created in month t from every source; t < 0 is the warm start's
  /// history (nothing credited, deals closing before month 0 dropped).
  void create(int t, const TrialStreams& streams, const Workforce& reps, KpiLedger& ledger);
  /// The deals closing in month t, decided at the AEs' current chances; the won ones are
  /// appended to `won`.
  void decide(int t, const Workforce& reps, KpiLedger& ledger, std::vector<Opportunity>& won);

  /// At month t's end, a departed AE's open deals move to the segment's held AE with the
  /// fewest (Vacancy::Reassign).
  void reassign(int t, int leaver, int segment, const Workforce& reps);

  /// New-business win chance of AE `ae` on a deal of segment `s` per unit of its share
  /// ratio (process::deal_rate with its capacity).
  double deal_rate(int s, std::size_t ae, const Workforce& reps) const;
  const std::vector<Opportunity>& closing(int t) const { return by_close_[static_cast<std::size_t>(t)]; }
  int longest_cycle() const { return longest_cycle_; }

 private:
  struct NewOpportunity {
    std::uint32_t id;
    identity::Source source;
    int sdr, segment, ae;  // -1: none (SDR), drawn (segment, AE)
  };
  /// The AE of segment s who works an opportunity with routing uniform u; -1: none.
  int route(int s, double u, const Workforce& reps) const;
  /// A source's opportunity count this month; `field()` names the setting in an error.
  template <class Field>
  int count(double mean, std::uint32_t group, std::uint32_t id, int t, int limit, Field&& field,
            const TrialStreams& streams) const;
  /// Opportunity o, entry k of its group's blocks: its segment, AE, value and win uniform.
  void create_one(const NewOpportunity& o, std::uint32_t group, std::size_t k, int t, const TrialStreams& streams,
                  const Workforce& reps, KpiLedger& ledger);

  const WorldConfig& w_;
  std::vector<double> share_cdf_, log_median_;
  int longest_cycle_ = 0;
  std::vector<std::vector<Opportunity>> by_close_;  // per close month, past the horizon too
  std::vector<int> open_;          // per AE: opportunities assigned and not yet decided
  std::vector<double> capacity_;   // per AE: phi at the month's start
  std::vector<NewOpportunity> month_;  // create's scratch
  std::vector<std::uint32_t> ids_;
  TrialStreams::Blocks choice_blocks_, value_blocks_, win_blocks_;
};

}  // namespace complab
