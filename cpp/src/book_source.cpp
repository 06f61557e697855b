#include "complab/book_source.hpp"

#include <algorithm>
#include <boost/random/lognormal_distribution.hpp>
#include <cmath>

#include "complab/money.hpp"
#include "complab/plan.hpp"
#include "complab/processes.hpp"
#include "complab/random_batch.hpp"
#include "complab/steady_state.hpp"

namespace complab {

SteadyStateBook::SteadyStateBook(const Scenario& scenario)
    : today_(scenario.world), history_(scenario.book_history()), w_(history_.world) {
  if (&history_ != &scenario) {
    history_roster_ = make_roster(history_, false);
    history_reps_.emplace(history_, history_roster_, false);
  }
  for (int s = 0; s < static_cast<int>(w_.segments.size()); ++s) {
    const auto& seg = w_.segments[static_cast<std::size_t>(s)];
    tenure_cdf_.push_back(renewal_index_cdf(w_, seg));
    growth_by_age_.push_back(expected_growth_by_age(w_, seg, process::handoff_acceptance(history_, s),
                                                    tenure_cdf_.back().size() * kContractMonths));
    log_median_.push_back(std::log(seg.acv_median));
    std::vector<double> sd(tenure_cdf_.back().size() * kContractMonths);
    for (std::size_t age = 0; age < sd.size(); ++age) sd[age] = std::sqrt(health_variance_at_age(seg, static_cast<int>(age)));
    health_sd_by_age_.push_back(std::move(sd));
  }
}

void SteadyStateBook::build(const TrialStreams& streams, Workforce& reps, AccountStore& accounts) {
  const double o = w_.effort.ae_overpromise;
  // Whose CSMs made the book's health: the history's reps, or today's when it is its own.
  Workforce& made_by = history_reps_ ? *history_reps_ : reps;
  if (history_reps_) history_reps_->start_trial(streams);
  for (int s = 0; s < static_cast<int>(w_.segments.size()); ++s) {
    const auto& seg = w_.segments[static_cast<std::size_t>(s)];
    // The book is owned by the seats held at month 0 (all seats when none is).
    const auto held = [&reps](const std::vector<int>& seats) {
      std::vector<int> list;
      for (int r : seats) if (reps.held(static_cast<std::size_t>(r))) list.push_back(r);
      return list.empty() ? seats : list;
    };
    const std::vector<int> aes = held(reps.segment_aes[static_cast<std::size_t>(s)]);
    const std::vector<int> csms = held(reps.segment_csms[static_cast<std::size_t>(s)]);
    const auto& past_csms = made_by.segment_csms[static_cast<std::size_t>(s)];
    const bool past_aes = !made_by.segment_aes[static_cast<std::size_t>(s)].empty();
    const auto& cdf = tenure_cdf_[static_cast<std::size_t>(s)];
    const std::uint32_t group = identity::account_group(s);
    // Each account's three streams start from first blocks computed together.
    const auto n = static_cast<std::size_t>(today_.segments[static_cast<std::size_t>(s)].initial_accounts);
    if (ids_.size() < n) ids_.resize(n);
    for (std::size_t i = 0; i < n; ++i) ids_[i] = static_cast<std::uint32_t>(i);
    streams.blocks(group, ids_.data(), n, 0, Purpose::InitialTenure, tenure_blocks_);
    streams.blocks(group, ids_.data(), n, 0, Purpose::InitialArr, arr_blocks_);
    streams.blocks(group, ids_.data(), n, 0, Purpose::InitialHealth, health_blocks_);
    // The CSMs' effort with the books they start with (account i goes to CSM i mod n), and
    // the history's CSMs' with the books they served.
    for (Workforce* w : {&reps, &made_by}) {
      const auto& list = w == &reps ? csms : w->segment_csms[static_cast<std::size_t>(s)];
      for (std::size_t j = 0; j < list.size(); ++j) {
        w->csm_effort(static_cast<std::size_t>(list[j]), static_cast<int>(n / list.size() + (j < n % list.size() ? 1 : 0)));
      }
    }
    // Mean health by age under each of the history's CSMs (the last entry: no CSM).
    const int years = static_cast<int>(cdf.size());
    const double sold_at = past_aes ? o : 0.0;
    health_by_age_.clear();
    for (int csm : past_csms) health_by_age_.emplace_back(w_, seg, made_by.health_shift[static_cast<std::size_t>(csm + 1)], sold_at, years);
    health_by_age_.emplace_back(w_, seg, made_by.health_shift[0], sold_at, years);
    gap_by_index_.clear();
    for (int r = 0; r < years; ++r) gap_by_index_.push_back(gap_after(w_, sold_at, r));
    const double log_median = log_median_[static_cast<std::size_t>(s)];
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t id = ids_[i];
      const double u_index = to_unit(tenure_blocks_.first[i]);
      // The first entry above u_index (std::upper_bound), as a count of those at or below
      // it: the cumulative mix is sorted, and a short branch-free count beats a search.
      int r = 0;
      for (std::size_t j = 0; j + 1 < cdf.size(); ++j) r += cdf[j] <= u_index;
      const int month_in_year =
          std::min(kContractMonths - 1, static_cast<int>(to_unit(tenure_blocks_.second[i]) * kContractMonths));
      const int age = kContractMonths * r + month_in_year;
      // Sold at a new deal's value, grown as an account of its age grows on average.
      const double acv = lognormal_from_word(arr_blocks_.first[i], log_median, seg.acv_log_sd, [&] {
        return streams.stream(arr_blocks_, i, group, id, 0, Purpose::InitialArr);
      });
      const double arr = acv * w_.products[0].acv_scale *
                         growth_by_age_[static_cast<std::size_t>(s)][static_cast<std::size_t>(age)];
      const int csm = csms.empty() ? -1 : csms[i % csms.size()];
      const int ae = aes.empty() ? -1 : aes[i % aes.size()];
      const double mean = health_by_age_[past_csms.empty() ? 0 : i % past_csms.size()](age);
      const double sd = health_sd_by_age_[static_cast<std::size_t>(s)][static_cast<std::size_t>(age)];
      double health = clip01(mean);
      if (sd > 0) {
        // Boost's normal_distribution(0, 1): the unit normal * 1 + 0.
        double z;
        if (unit_normal_first_word(health_blocks_.first[i], z)) {
          z = z * 1.0 + 0.0;
        } else {
          auto h_stream = streams.stream(health_blocks_, i, group, id, 0, Purpose::InitialHealth);
          z = boost::random::normal_distribution<double>(0.0, 1.0)(h_stream);
        }
        health = clip01(mean + sd * z);
      }
      accounts.add(s, csm, ae, -1, id, to_cents(arr, seg), health, gap_by_index_[static_cast<std::size_t>(r)], r,
                   kContractMonths - month_in_year, -1);
      if (csm >= 0) ++reps.load[static_cast<std::size_t>(csm)];
    }
  }
}

LoadedBook::LoadedBook(const Scenario& scenario) : sc_(scenario) {
  std::vector<std::uint32_t> next(scenario.world.segments.size(), 0);
  ids_.reserve(scenario.book.size());
  for (const BookAccount& a : scenario.book) ids_.push_back(next[static_cast<std::size_t>(a.segment)]++);
}

void LoadedBook::build(const TrialStreams& streams, Workforce& reps, AccountStore& accounts) {
  const WorldConfig& w = sc_.world;
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  for (std::size_t i = 0; i < sc_.book.size(); ++i) {
    const BookAccount& a = sc_.book[i];
    const auto s = static_cast<std::size_t>(a.segment);
    const auto& seg = w.segments[s];
    const std::uint32_t group = identity::account_group(a.segment), id = ids_[i];
    const int csm = a.csm_seat >= 0 ? reps.segment_csms[s][static_cast<std::size_t>(a.csm_seat)] : -1;
    const int ae = a.ae_seat >= 0 ? reps.segment_aes[s][static_cast<std::size_t>(a.ae_seat)] : -1;
    double health = a.health;
    if (health < 0) {
      const double k = seg.health_reversion;
      const double sd = k > 0 ? seg.health_noise / std::sqrt(k * (2.0 - k)) : 0.0;
      auto h_stream = streams.stream(group, id, 0, Purpose::InitialHealth);
      health = clip01(seg.health_base + sd * normal(h_stream));
    }
    const double o = ae >= 0 ? w.effort.ae_overpromise : 0.0;
    const std::uint32_t index = accounts.add(a.segment, csm, ae, -1, id, a.arr_cents, health, gap_after(w, o, a.renewal_index),
                                             a.renewal_index, a.months_to_renewal, -1);
    accounts.products[index] = a.products;
    if (csm >= 0) ++reps.load[static_cast<std::size_t>(csm)];
  }
  for (std::size_t r = 0; r < reps.load.size(); ++r) {
    if (reps.role(static_cast<int>(r)) == Role::CSM) reps.csm_effort(r, reps.load[r]);
  }
}

std::unique_ptr<BookSource> make_book_source(const Scenario& scenario) {
  if (!scenario.book.empty()) return std::make_unique<LoadedBook>(scenario);
  return std::make_unique<SteadyStateBook>(scenario);
}

}  // namespace complab
