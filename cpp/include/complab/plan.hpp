#pragma once
/// \file plan.hpp
/// Compensation plans (docs/model.md §7): payout curves, measures, gates, multipliers,
/// clawbacks and SPIFs, and their evaluation for one rep-period.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "complab/metrics.hpp"

namespace complab {

/// Contracts are annual (docs/model.md §1): an account renews every 12 months, the first time
/// 12 months after the sale.
inline constexpr int kContractMonths = 12;

/// Piecewise-linear payout curve through points (attainment_k, payout_k), as multiples of
/// the measure's target payout. Below the first point it pays 0 (threshold); beyond the
/// last it stays flat (the cap).
struct PayoutCurve {
  std::vector<double> attainment;  ///< strictly increasing, >= 0
  std::vector<double> payout;      ///< non-decreasing, >= 0, same length (>= 1)

  /// Throws std::invalid_argument naming `field` (e.g. "measures[1].curve") and the value.
  void validate(const std::string& field) const;
  /// Payout multiple at attainment a (threshold semantics: 0 below the first point).
  double value(double a) const;
  /// Right derivative d value / d a (0 below the first point and beyond the last).
  double slope(double a) const;
  /// Like value() but flat below the first point too (for multipliers).
  double value_clamped(double a) const;
};

/// Attainment of an actual against a target: actual / target when higher is better,
/// max(0, 1 + (target - actual) / target) when lower is better.
double attainment(double actual, double target, bool lower_is_better);

struct Gate {
  int measure = 0;              ///< index of the gating measure in Plan::measures
  double min_attainment = 1.0;  ///< this measure pays only when the gating one reaches this
};

struct Measure {
  std::string name;
  Metric metric = Metric::NewArr;
  double weight = 1.0;  ///< share of variable pay, weights sum to 1
  double target = 1.0;  ///< per compensation period, > 0
  bool lower_is_better = false;
  PayoutCurve curve;
  std::optional<Gate> gate;
};

/// Scales the plan's measure payouts by curve(attainment of metric against target).
struct Multiplier {
  Metric metric = Metric::Nrr;
  double target = 1.0;
  bool lower_is_better = false;
  PayoutCurve curve;  ///< evaluated with value_clamped
};

/// The seller repays `share` of the commission earned on an account that churns at its
/// first renewal, when that renewal falls within `window_months` of the sale.
struct Clawback {
  double share = 1.0;      ///< in [0, 1]
  int window_months = 12;  ///< >= 12: the first renewal comes 12 months after the sale
};

/// A fixed amount per unit of a count metric (e.g. per expansion won).
struct Spif {
  Metric metric = Metric::ExpansionWins;
  double amount = 0.0;  ///< >= 0
};

/// A draw for ramping reps (docs/model.md §7): in each of the first `months` months of a rep's
/// tenure, variable pay is topped up to `amount`; a recoverable draw's top-ups are repaid
/// from later variable pay above the draw, and forgiven when the rep leaves the seat.
struct Draw {
  double amount = 0.0;  ///< currency per month, >= 0
  int months = 0;       ///< the first `months` months of tenure, >= 0
  bool recoverable = false;
};

/// Quota ratchet across years (docs/model.md §7): at a year's end a seat's quota factor f
/// becomes f (1 + up (A - 1)) when the year's attainment A of the plan's first measure
/// exceeds 1, else f (1 - down (1 - A)).
struct Ratchet {
  double up = 0.0;    ///< in [0, 1]
  double down = 0.0;  ///< in [0, 1]
};

/// A ratcheted quota factor never falls below this (a seat always has some quota).
inline constexpr double kMinQuotaFactor = 0.1;

struct Plan {
  std::string name;
  Role role = Role::AE;
  double ote = 0.0;         ///< annual on-target earnings, > 0
  double base_share = 0.5;  ///< pay mix: base / OTE, in [0, 1]
  std::vector<Measure> measures;
  std::optional<Multiplier> multiplier;
  std::optional<Clawback> clawback;
  std::vector<Spif> spifs;
  /// With periods shorter than a year: the year's last period pays the annual plan on the
  /// year's attainment less what the year's earlier periods advanced.
  bool true_up = false;
  std::optional<Draw> draw;
  std::optional<Ratchet> ratchet;

  /// Throws std::invalid_argument naming the field, the value and what is allowed.
  void validate() const;
  /// True when a measure or the multiplier is NRR (the shared-NRR hand-off effect, docs/model.md §5 step 4).
  bool carries_nrr() const;
  /// Number of actual values evaluate_period reads: one per measure, then one for the
  /// multiplier's metric when there is a multiplier.
  int num_inputs() const;
};

/// Compensation periods divide the year: throws std::invalid_argument unless
/// period_months is 1, 2, 3, 4, 6 or 12.
void check_period_months(int period_months);

/// A seat-period's pay terms (payroll.hpp's TermField): volume targets (metrics that are
/// not rates) are multiplied by quota_scale, base and variable pay by ote_scale.
struct SeatTerms {
  double quota_scale = 1.0;  ///< >= 0; 0: no volume quota, volume measures count as attained (1)
  double ote_scale = 1.0;    ///< >= 0; 0: the period pays nothing (SPIFs included)
};

/// One rep-period's payout, before clawbacks.
struct PeriodPayout {
  double base = 0.0;      ///< OTE * base_share * period_months / 12
  double variable = 0.0;  ///< sum of measure payouts after gates and multiplier
  double spif = 0.0;
};

/// Evaluates a validated `plan` for one period of `period_months` (>= 1) months.
/// `actuals` holds plan.num_inputs() values in metric units: `actuals[k]` for measure k,
/// then the multiplier metric's actual when the plan has a multiplier. `spif_counts[s]` is
/// the event count of SPIF s (may be null when the plan has no SPIFs). `measure_payout`, if
/// not null, receives each measure's payout after gates and multiplier
/// (plan.measures.size() values).
///
/// Measure k pays V * w_k * curve_k(A_k) with V = ote * (1 - base_share) * period_months / 12,
/// or 0 when its gate's measure has attainment below the gate's min_attainment; the
/// multiplier scales the sum by curve.value_clamped(attainment of its metric); SPIFs pay
/// amount * count. Throws std::invalid_argument (naming the measure) on a non-finite actual,
/// a negative or non-finite SPIF count, or period_months < 1. Allocates nothing.
///
/// `terms` applies a seat's terms: every target of a volume metric (not
/// metric_info(m).is_rate) becomes target * quota_scale, and base and V are multiplied by
/// ote_scale; SPIFs are not scaled, but a period with ote_scale 0 pays nothing at all.
/// The default terms (1, 1) give exactly the unscaled evaluation.
PeriodPayout evaluate_period(const Plan& plan, const double* actuals, int period_months,
                             const double* spif_counts, double* measure_payout, SeatTerms terms = {});

/// Attainment of `actual` against a volume or rate `target` under a seat's quota_scale:
/// volume targets scale (a scale of 0 counts as attainment 1), rate targets do not.
double seat_attainment(Metric metric, double actual, double target, bool lower_is_better, double quota_scale);

/// Fills `actuals` (plan.num_inputs() values) and `spif_counts` (plan.spifs.size() values)
/// for evaluate_period from one rep-period's raw accumulators (kNumRawSlots values), with
/// metric_actual.
void plan_inputs(const Plan& plan, const std::int64_t* raw, double* actuals, double* spif_counts);

}  // namespace complab
