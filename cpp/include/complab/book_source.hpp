#pragma once
/// \file book_source.hpp
/// Where a trial's book at month 0 comes from. Today one source: the synthetic steady-state
/// book of docs/model.md §4; a company's own book, loaded from its data, is the next.
#include <vector>

#include "complab/account_store.hpp"
#include "complab/streams.hpp"
#include "complab/workforce.hpp"

namespace complab {

class BookSource {
 public:
  virtual ~BookSource() = default;
  /// Fills the empty `accounts` with the book at month 0, each account in its CSM's book
  /// (`reps.load`), and leaves each CSM's effort set for its starting book.
  virtual void build(const TrialStreams& streams, Workforce& reps, AccountStore& accounts) = 0;
};

/// The book in its steady state (docs/model.md §4): each account's renewal index from the
/// mix its segment's hazards give, its month in the contract year uniform, its gap what
/// over-promising leaves after r renewals, its health drawn from the health process at its
/// age under its CSM's effort, and its ARR a new deal's grown as an account of its age grows.
class SteadyStateBook final : public BookSource {
 public:
  explicit SteadyStateBook(const Scenario& scenario);
  void build(const TrialStreams& streams, Workforce& reps, AccountStore& accounts) override;

 private:
  const WorldConfig& w_;
  std::vector<std::vector<double>> tenure_cdf_;     // per segment: the renewal-index mix, cumulative
  std::vector<std::vector<double>> growth_by_age_;  // per segment and age in months: expected ARR multiple
  std::vector<double> log_median_;
  std::vector<std::uint32_t> ids_;  // scratch: the segment's account identities
  TrialStreams::Blocks tenure_blocks_, arr_blocks_, health_blocks_;
};

}  // namespace complab
