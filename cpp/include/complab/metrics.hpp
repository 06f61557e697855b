#pragma once
/// \file metrics.hpp
/// Roles, the raw per-rep accumulators the engine records, and the KPI metrics a plan
/// measure can name. Raw accumulators are integers (cents or counts) so that accounting
/// identities hold exactly; metrics are derived from them in one place.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace complab {

enum class Role : std::uint8_t { AE = 0, SDR = 1, CSM = 2 };
inline constexpr int kNumRoles = 3;

/// "ae", "sdr", "csm".
std::string_view role_name(Role role);

/// Raw accumulators per rep and compensation period. Money in cents, the rest counts.
enum RawSlot : int {
  kNewArr = 0,          ///< AE: first-year ARR of accounts won (cents)
  kNewLogos,            ///< AE: accounts won
  kExpansionArr,        ///< AE: expansion ARR closed; CSM: expansion ARR closed on its CSQLs (cents)
  kExpansionWins,       ///< AE: expansion opportunities won; CSM: its CSQLs won
  kOpportunities,       ///< SDR: opportunities created
  kPipeline,            ///< SDR: value of opportunities created (cents)
  kSourcedWins,         ///< SDR: opportunities it created that were won
  kCsqlCount,           ///< CSM: CSQLs raised
  kCsqlPipeline,        ///< CSM: value of CSQLs raised (cents)
  kBookStartArr,        ///< AE, CSM: ARR of the book at the period's start (cents)
  kBookEndArr,          ///< ... the same accounts' ARR at the period's end, 0 if churned (cents)
  kBookKeptArr,         ///< ... sum over those accounts of min(end, start) ARR (cents)
  kBookStartLogos,      ///< ... accounts in the book at the period's start
  kBookChurnedLogos,    ///< ... of which churned during the period
  kBookExpandedLogos,   ///< ... of which won at least one CSQL expansion during the period
  kNumRawSlots
};

/// KPI metrics a measure, a multiplier or a SPIF can name.
enum class Metric : std::uint8_t {
  NewArr = 0,
  ExpansionArr,
  Bookings,
  NewLogos,
  ExpansionWins,
  Opportunities,
  PipelineCreated,
  SourcedWins,
  CsqlCount,
  CsqlPipeline,
  Nrr,
  Grr,
  GrossChurn,
  LogoChurn,
  ExpandRate,
};
inline constexpr int kNumMetrics = 15;

struct MetricInfo {
  Metric metric;
  std::string_view name;         ///< snake_case name used in Python and scenario files
  std::string_view description;  ///< one line for tables and errors
  bool lower_is_better;          ///< default direction (churn metrics)
  bool is_count;                 ///< counts events (a SPIF can pay per event)
  bool is_rate;                  ///< a ratio of book ARR or logos, not a sum
  std::uint8_t roles;            ///< bit (1 << Role) for each role that carries it
};

const MetricInfo& metric_info(Metric metric);
bool metric_allowed(Metric metric, Role role);

/// The metric's actual value from one rep-period's raw accumulators (kNumRawSlots of them).
/// Money in currency units. A rate over an empty book is neutral: NRR = GRR = 1, churn and
/// expand rate = 0.
double metric_actual(Metric metric, const std::int64_t* raw);

}  // namespace complab
