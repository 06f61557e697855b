#include "complab/scenario.hpp"

#include <algorithm>
#include "complab/engine.hpp"
#include "complab/identity.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace complab {
namespace {

[[noreturn]] void fail(const std::string& field, double value, const std::string& allowed) {
  std::ostringstream msg;
  msg << std::setprecision(12) << field << ": " << value << " is not " << allowed;
  throw std::invalid_argument(msg.str());
}

void check_range(const std::string& field, double value, double lo, double hi) {
  if (!(std::isfinite(value) && value >= lo && value <= hi)) {
    std::ostringstream allowed;
    allowed << "in [" << lo << ", " << hi << "]";
    fail(field, value, allowed.str());
  }
}

void check_reference_share(const std::string& field, double value) {
  if (!(std::isfinite(value) && value > 0 && value < 1)) {
    fail(field, value, "in (0, 1): a reference share of 0 or 1 leaves nothing to compare effort with");
  }
}

void check_positive(const std::string& field, double value) {
  if (!(std::isfinite(value) && value > 0)) fail(field, value, "a finite number > 0");
}

void check_non_negative(const std::string& field, double value) {
  if (!(std::isfinite(value) && value >= 0)) fail(field, value, "a finite number >= 0");
}

void check_count(const std::string& field, long long value, long long lo, long long hi) {
  if (value < lo || value > hi) {
    std::ostringstream msg;
    msg << field << ": " << value << " is not an integer in [" << lo << ", " << hi << "]";
    throw std::invalid_argument(msg.str());
  }
}

}  // namespace

double RoleStaffing::hazard(int tau) const {
  double h = 0.0;
  for (std::size_t k = 0; k < attrition_from.size() && attrition_from[k] <= tau; ++k) h = attrition_hazard[k];
  return h;
}

bool RoleStaffing::leaves() const {
  return std::any_of(attrition_hazard.begin(), attrition_hazard.end(), [](double h) { return h > 0; });
}

bool WorkforceConfig::active() const {
  return !roster.empty() || !hiring.empty() || quota_method != QuotaMethod::Equal ||
         std::any_of(roles.begin(), roles.end(), [](const RoleStaffing& r) { return r.ramps() || r.leaves(); });
}

namespace {

void check_curve(const std::string& field, const std::vector<double>& curve) {
  if (curve.empty()) return;
  if (curve.size() > 240) fail(field, static_cast<double>(curve.size()), "a curve of at most 240 months");
  double last = 0.0;
  for (std::size_t k = 0; k < curve.size(); ++k) {
    check_range(field + "[" + std::to_string(k) + "]", curve[k], 0, 1);
    if (curve[k] < last) fail(field + "[" + std::to_string(k) + "]", curve[k], "at least the month before's (a ramp does not fall)");
    last = curve[k];
  }
  if (curve.back() != 1.0) fail(field + "[" + std::to_string(curve.size() - 1) + "]", curve.back(), "1: a ramp ends at full productivity");
}

void check_workforce(const WorldConfig& w) {
  const WorkforceConfig& wf = w.workforce;
  const char* names[kNumRoles] = {"ae", "sdr", "csm"};
  for (int k = 0; k < kNumRoles; ++k) {
    const RoleStaffing& st = wf.roles[static_cast<std::size_t>(k)];
    const std::string p = std::string("workforce.") + names[k] + ".";
    check_curve(p + "ramp", st.ramp);
    check_curve(p + "quota_ramp", st.quota_ramp);
    if (st.attrition_from.size() != st.attrition_hazard.size()) {
      throw std::invalid_argument(p + "attrition: " + std::to_string(st.attrition_from.size()) + " band starts for " +
                                  std::to_string(st.attrition_hazard.size()) + " hazards");
    }
    for (std::size_t b = 0; b < st.attrition_from.size(); ++b) {
      const std::string f = p + "attrition[" + std::to_string(b) + "]";
      check_range(f + ".hazard", st.attrition_hazard[b], 0, 1);
      if (b == 0 && st.attrition_from[b] != 0) fail(f + ".from_month", st.attrition_from[b], "0: the first band starts at hire");
      if (b > 0 && st.attrition_from[b] <= st.attrition_from[b - 1]) {
        fail(f + ".from_month", st.attrition_from[b], "greater than the band before's");
      }
    }
    check_count(p + "backfill_lag_months", st.backfill_lag, -1, 120);  // the Python field's name
  }
  const int nseg = static_cast<int>(w.segments.size());
  for (std::size_t k = 0; k < wf.roster.size(); ++k) {
    const SeatConfig& seat = wf.roster[k];
    const std::string p = "workforce.roster[" + std::to_string(k) + "].";
    if (seat.role == Role::SDR) {
      if (seat.segment != -1) fail(p + "segment", seat.segment, "-1: SDRs serve every segment");
    } else {
      check_count(p + "segment", seat.segment, 0, nseg - 1);
    }
    check_count(p + "hired", seat.hired, -1200, w.months - 1);
    check_positive(p + "quota_scale", seat.quota_scale);
    check_positive(p + "ote_scale", seat.ote_scale);
  }
  for (std::size_t k = 0; k < wf.hiring.size(); ++k) {
    const HiringStep& step = wf.hiring[k];
    const std::string p = "workforce.hiring[" + std::to_string(k) + "].";
    if (step.role == Role::SDR) {
      if (step.segment != -1) fail(p + "segment", step.segment, "-1: SDRs serve every segment");
    } else {
      check_count(p + "segment", step.segment, 0, nseg - 1);
    }
    check_count(p + "month", step.month, 0, w.months - 1);
    check_count(p + "headcount", step.headcount, 0, step.role == Role::CSM ? identity::kMaxRepsPerGroup - 1 : identity::kMaxSourceOrdinal);
  }
  check_range("workforce.pay_attrition.shortfall_effect", wf.pay_attrition.shortfall_effect, 0, 100);
  check_range("workforce.pay_attrition.capped_effect", wf.pay_attrition.capped_effect, 0, 100);
  check_count("workforce.pay_attrition.trailing_months", wf.pay_attrition.trailing_months, 1, 120);
}

}  // namespace

long long WorldConfig::total_initial_accounts() const {
  long long total = 0;
  for (const auto& s : segments) total += s.initial_accounts;
  return total;
}

void WorldConfig::validate() const {
  check_count("months", months, 1, 1200);  // within identity::kMaxMonths
  check_count("period_months", period_months, 1, 12);
  if (12 % period_months != 0) {
    throw std::invalid_argument("period_months: " + std::to_string(period_months) +
                                " is not one of 1, 2, 3, 4, 6, 12");
  }
  if (months % period_months != 0) {
    throw std::invalid_argument("period_months: " + std::to_string(period_months) +
                                " must divide months (" + std::to_string(months) + ")");
  }
  if (segments.empty()) throw std::invalid_argument("segments: empty, at least one segment is needed");
  // Kept account records hold the segment in 16 bits; no business has this many.
  check_count("segments", static_cast<long long>(segments.size()), 1, 1000);  // < identity::kMaxSegments
  if (products.empty()) throw std::invalid_argument("products: empty, at least one product is needed");
  check_count("products", static_cast<long long>(products.size()), 1, 32);
  for (std::size_t k = 0; k < products.size(); ++k) {
    check_positive("products[" + std::to_string(k) + "].acv_scale", products[k].acv_scale);
  }
  check_count("sdr_headcount", sdr_headcount, 0, identity::kMaxSourceOrdinal);
  check_non_negative("opportunities_per_sdr", opportunities_per_sdr);
  check_range("opportunities_per_sdr", opportunities_per_sdr, 0, 100);
  check_range("skill_log_sd", skill_log_sd, 0, 2);
  check_workforce(*this);
  check_non_negative("overpromise_win_uplift", overpromise_win_uplift);
  check_non_negative("health_adoption_effect", health_adoption_effect);
  check_non_negative("health_gap_effect", health_gap_effect);
  check_non_negative("health_push_effect", health_push_effect);
  check_non_negative("csql_health_exponent", csql_health_exponent);
  check_range("cross_sell_probability", cross_sell_probability, 0, 1);
  check_range("handoff_acceptance", handoff_acceptance, 0, 1);
  check_range("shared_nrr_acceptance_uplift", shared_nrr_acceptance_uplift, 0, 1);
  // The warm start runs the pipeline's longest cycle before month 0 (identity::kPreMonths).
  check_count("expansion_cycle_months", expansion_cycle_months, 0, std::min(months, identity::kPreMonths));
  check_range("churn_health_effect", churn_health_effect, 0, 50);
  check_non_negative("churn_gap_effect", churn_gap_effect);
  check_range("gap_decay", gap_decay, 0, 1);
  check_range("csm_max_effort", csm_max_effort, 1.0001, 100);
  check_count("book_age_years", book_age_years, 1, 100);
  check_range("effort.csm_adoption", effort.csm_adoption, 0, 1);
  check_reference_share("effort.csm_adoption_ref", effort.csm_adoption_ref);
  check_range("effort.ae_new_business", effort.ae_new_business, 0, 1);
  check_reference_share("effort.ae_new_business_ref", effort.ae_new_business_ref);
  check_range("effort.ae_overpromise", effort.ae_overpromise, 0, 1);

  check_range("behaviour.incentive_sensitivity", behaviour.incentive_sensitivity, 0, 1000);
  check_range("behaviour.projection_uncertainty", behaviour.projection_uncertainty, 0, 5);
  check_range("behaviour.effort_cost_ae", behaviour.effort_cost_ae, 1e-3, 1e9);
  check_range("behaviour.effort_cost_csm", behaviour.effort_cost_csm, 1e-3, 1e9);
  check_range("behaviour.effort_elasticity", behaviour.effort_elasticity, 0, 5);
  check_range("behaviour.max_effort_level", behaviour.max_effort_level, 1, 10);
  for (const auto* g : {&behaviour.csm_productivity, &behaviour.ae_productivity}) {
    const std::string name = g == &behaviour.csm_productivity ? "behaviour.csm_productivity"
                                                               : "behaviour.ae_productivity";
    if (!g->empty() && g->size() != static_cast<std::size_t>(2 * kNumMetrics)) {
      throw std::invalid_argument(name + ": " + std::to_string(g->size()) + " values, expected 0 or " +
                                  std::to_string(2 * kNumMetrics) + " (2 activities x " +
                                  std::to_string(kNumMetrics) + " metrics)");
    }
    for (std::size_t i = 0; i < g->size(); ++i) {
      // Bounded so that a rep's valuation of effort stays finite.
      if (!(std::abs((*g)[i]) <= 1e12)) fail(name + "[" + std::to_string(i) + "]", (*g)[i], "finite, at most 1e12 in size");
    }
  }
  double share_total = 0.0;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i];
    const std::string p = "segments[" + std::to_string(i) + "].";
    check_count(p + "initial_accounts", s.initial_accounts, 0, 10'000'000);
    check_positive(p + "acv_median", s.acv_median);
    check_range(p + "acv_log_sd", s.acv_log_sd, 0, 3);
    if (s.renewal_hazard.empty()) {
      throw std::invalid_argument(p + "renewal_hazard: empty, give at least one probability");
    }
    for (std::size_t r = 0; r < s.renewal_hazard.size(); ++r) {
      check_range(p + "renewal_hazard[" + std::to_string(r) + "]", s.renewal_hazard[r], 0, 1);
    }
    check_positive(p + "csm_coverage", s.csm_coverage);
    check_range(p + "health_start", s.health_start, 0, 1);
    check_range(p + "health_base", s.health_base, 0, 1);
    check_range(p + "health_reversion", s.health_reversion, 0, 1);
    check_range(p + "health_noise", s.health_noise, 0, 1);
    check_range(p + "usage_drift", s.usage_drift, -1, 1);
    check_range(p + "usage_noise", s.usage_noise, 0, 1);
    check_range(p + "csql_rate", s.csql_rate, 0, 1);
    check_range(p + "upsell_fraction", s.upsell_fraction, 0, 10);
    check_count(p + "sales_cycle_months", s.sales_cycle_months, 0, std::min(months, identity::kPreMonths));
    check_range(p + "win_rate", s.win_rate, 0, 1);
    check_range(p + "expansion_win_rate", s.expansion_win_rate, 0, 1);
    check_range(p + "opportunity_share", s.opportunity_share, 0, 1);
    share_total += s.opportunity_share;
    // Inbound opportunities of a segment-month are keyed in 18 bits; the mean stays far below.
    check_range(p + "inbound_opportunities", s.inbound_opportunities, 0, 10000);
    // Prospected opportunities of an AE-month are keyed in 9 bits (at most 512).
    check_range(p + "ae_prospecting", s.ae_prospecting, 0, 50);
    check_range(p + "ae_capacity", s.ae_capacity, 0.01, 1e6);
    check_count(p + "ae_headcount", s.ae_headcount, 0, identity::kMaxSourceOrdinal);
    check_count(p + "csm_headcount", s.csm_headcount, 0, identity::kMaxRepsPerGroup - 1);
    // Inbound leads of a segment without AEs go unworked (docs/model.md §5); SDRs' would
    // be booked to nobody, so that is an error.
    if (s.ae_headcount == 0 && s.opportunity_share > 0 && sdr_headcount > 0) {
      throw std::invalid_argument(p + "ae_headcount: 0, but the segment receives opportunities "
                                  "(opportunity_share > 0): give it at least one AE");
    }
  }
  if (sdr_headcount > 0 && !(share_total > 0)) {
    throw std::invalid_argument("segments[*].opportunity_share: all 0, at least one must be > 0");
  }
}

void Scenario::validate() const {
  world.validate();
  const auto nseg = world.segments.size();
  if (ae_plan.size() != nseg || csm_plan.size() != nseg) {
    throw std::invalid_argument("plans: one AE and one CSM plan index per segment is needed");
  }
  auto check_plan = [&](const std::string& field, int index, Role role) {
    if (index < 0) return;
    if (index >= static_cast<int>(plans.size())) {
      throw std::invalid_argument(field + ": plan index " + std::to_string(index) + " does not exist");
    }
    const Plan& plan = plans[static_cast<std::size_t>(index)];
    if (plan.role != role) {
      throw std::invalid_argument(field + ": plan '" + plan.name + "' is for role " +
                                  std::string(role_name(plan.role)) + ", not " +
                                  std::string(role_name(role)));
    }
  };
  for (std::size_t p = 0; p < plans.size(); ++p) plans[p].validate();
  for (std::size_t s = 0; s < nseg; ++s) {
    check_plan("plans.ae[" + world.segments[s].name + "]", ae_plan[s], Role::AE);
    check_plan("plans.csm[" + world.segments[s].name + "]", csm_plan[s], Role::CSM);
  }
  check_plan("plans.sdr", sdr_plan, Role::SDR);
  if (history.size() > 1) throw std::invalid_argument("history: at most one scenario");
  validate_book();
  if (!history.empty()) {
    const Scenario& h = history.front();
    if (!h.history.empty()) throw std::invalid_argument("history: a history has no history of its own");
    try {
      h.validate();
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("history.") + e.what());
    }
    // The book at month 0 is this world's segments and products, as the history left them.
    const auto& hs = h.world.segments;
    bool same = hs.size() == nseg && h.world.products.size() == world.products.size();
    for (std::size_t s = 0; same && s < nseg; ++s) same = hs[s].name == world.segments[s].name;
    if (!same) {
      throw std::invalid_argument("history: its segments and products must be the scenario's (the same names, "
                                  "in the same order), for it builds the scenario's book at month 0");
    }
  }
}

bool Scenario::shared_nrr(int segment) const {
  auto carries = [&](int index) {
    return index >= 0 && plans[static_cast<std::size_t>(index)].carries_nrr();
  };
  const auto s = static_cast<std::size_t>(segment);
  return carries(ae_plan[s]) && carries(csm_plan[s]);
}

void Scenario::validate_book() const {
  if (book.empty()) return;
  if (!history.empty()) throw std::invalid_argument("book: a scenario with its own book has no history");
  const auto nseg = world.segments.size();
  const RepRoster roster = make_roster(*this);
  std::vector<int> aes(nseg, 0), csms(nseg, 0);
  for (int r = 0; r < roster.size(); ++r) {
    const auto ri = static_cast<std::size_t>(r);
    if (roster.segment[ri] < 0) continue;
    (roster.role[ri] == Role::AE ? aes : csms)[static_cast<std::size_t>(roster.segment[ri])] += roster.role[ri] == Role::SDR ? 0 : 1;
  }
  std::vector<long long> count(nseg, 0);
  for (std::size_t i = 0; i < book.size(); ++i) {
    const BookAccount& a = book[i];
    const std::string at = "book[" + std::to_string(i) + "].";
    if (a.segment < 0 || static_cast<std::size_t>(a.segment) >= nseg) {
      throw std::invalid_argument(at + "segment: " + std::to_string(a.segment) + " is not a segment index");
    }
    const auto s = static_cast<std::size_t>(a.segment);
    ++count[s];
    if (a.arr_cents <= 0 || a.arr_cents >= (std::int64_t{1} << 52)) {
      throw std::invalid_argument(at + "arr: " + std::to_string(a.arr_cents) + " cents is not in (0, 2^52)");
    }
    if (a.renewal_index < 0 || a.renewal_index > 1000) {
      throw std::invalid_argument(at + "renewal_index: " + std::to_string(a.renewal_index) + " is not in [0, 1000]");
    }
    if (a.months_to_renewal < 1 || a.months_to_renewal > kContractMonths) {
      throw std::invalid_argument(at + "months_to_renewal: " + std::to_string(a.months_to_renewal) + " is not in [1, 12]");
    }
    if (a.csm_seat < -1 || a.csm_seat >= csms[s]) {
      throw std::invalid_argument(at + "csm: seat " + std::to_string(a.csm_seat) + " does not exist (the segment has " +
                                  std::to_string(csms[s]) + " CSM seats; -1: none)");
    }
    if (a.ae_seat < -1 || a.ae_seat >= aes[s]) {
      throw std::invalid_argument(at + "ae: seat " + std::to_string(a.ae_seat) + " does not exist (the segment has " +
                                  std::to_string(aes[s]) + " AE seats; -1: none)");
    }
    if (a.health > 1.0 || std::isnan(a.health)) {
      throw std::invalid_argument(at + "health: not in [0, 1] (or negative: unknown)");
    }
    const std::uint32_t all = world.products.size() >= 32 ? ~0u : ((1u << world.products.size()) - 1u);
    if (a.products == 0 || (a.products & ~all) != 0) {
      throw std::invalid_argument(at + "products: bits " + std::to_string(a.products) + " name products that do not exist");
    }
  }
  for (std::size_t s = 0; s < nseg; ++s) {
    if (count[s] != world.segments[s].initial_accounts) {
      throw std::invalid_argument("world.segments[" + std::to_string(s) + "].initial_accounts: " +
                                  std::to_string(world.segments[s].initial_accounts) + ", but the book holds " +
                                  std::to_string(count[s]) + " accounts of segment '" + world.segments[s].name + "'");
    }
  }
}

}  // namespace complab
