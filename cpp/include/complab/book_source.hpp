#pragma once
/// \file book_source.hpp
/// Where a trial's book at month 0 comes from: the synthetic steady-state book of
/// docs/model.md §4, or a company's own book, loaded from its data (Scenario::book).
#include <memory>
#include <optional>
#include <vector>

#include "complab/account_store.hpp"
#include "complab/steady_state.hpp"
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
///
/// With a history (Scenario::history) the book is the one that history left: its rates give
/// the renewal mix, the ARR growth and the gaps, and its own CSMs (their skills from the
/// same stable identities) the health; today's scenario gives the book's size and who
/// serves each account from month 0.
class SteadyStateBook final : public BookSource {
 public:
  explicit SteadyStateBook(const Scenario& scenario);
  void build(const TrialStreams& streams, Workforce& reps, AccountStore& accounts) override;

 private:
  const WorldConfig& today_;
  const Scenario& history_;
  const WorldConfig& w_;  // the history's world
  RepRoster history_roster_;
  std::optional<Workforce> history_reps_;  // only when the history is another scenario
  std::vector<std::vector<double>> tenure_cdf_;     // per segment: the renewal-index mix, cumulative
  std::vector<std::vector<double>> growth_by_age_;  // per segment and age in months: expected ARR multiple
  std::vector<double> log_median_;
  std::vector<std::vector<double>> health_sd_by_age_;  // per segment and age: sqrt(health_variance_at_age)
  std::vector<std::uint32_t> ids_;  // scratch: the segment's account identities
  std::vector<MeanHealthByAge> health_by_age_;  // scratch: per history CSM of the segment, then none
  std::vector<double> gap_by_index_;            // scratch: the gap after r renewals
  TrialStreams::Blocks tenure_blocks_, arr_blocks_, health_blocks_;
};

/// A company's own book (Scenario::book, docs/model.md §4 "A book from data"): each account
/// with its ARR, renewal index, months to its next renewal, products and the seats that
/// serve it. An account's identity is its segment and its ordinal among the book's
/// accounts of that segment, so its draws are the same for any thread count. A missing
/// health is drawn as `clip01(b_s + sd ε)`, sd the health process's stationary spread
/// `σ_h / sqrt(κ(2 − κ))`, on the account's InitialHealth stream; the gap is what the
/// AEs' habitual over-promising leaves after its renewals.
class LoadedBook final : public BookSource {
 public:
  explicit LoadedBook(const Scenario& scenario);
  void build(const TrialStreams& streams, Workforce& reps, AccountStore& accounts) override;

 private:
  const Scenario& sc_;
  std::vector<std::uint32_t> ids_;  // per account: its ordinal in its segment
};

/// The scenario's book source: its own book when it has one, else the steady state.
std::unique_ptr<BookSource> make_book_source(const Scenario& scenario);

}  // namespace complab
