#include "complab/metrics.hpp"

namespace complab {
namespace {

constexpr std::uint8_t kAE = 1u << static_cast<int>(Role::AE);
constexpr std::uint8_t kSDR = 1u << static_cast<int>(Role::SDR);
constexpr std::uint8_t kCSM = 1u << static_cast<int>(Role::CSM);

constexpr std::array<MetricInfo, kNumMetrics> kMetrics{{
    {Metric::NewArr, "new_arr", "ARR of new accounts won", false, false, false, kAE},
    {Metric::ExpansionArr, "expansion_arr", "expansion ARR closed (AE) or closed on own CSQLs (CSM)",
     false, false, false, kAE | kCSM},
    {Metric::Bookings, "bookings", "new plus expansion ARR", false, false, false, kAE},
    {Metric::NewLogos, "new_logos", "new accounts won", false, true, false, kAE},
    {Metric::ExpansionWins, "expansion_wins", "expansion opportunities won", false, true, false,
     kAE | kCSM},
    {Metric::Opportunities, "opportunities", "new-business opportunities created", false, true,
     false, kSDR},
    {Metric::PipelineCreated, "pipeline_created", "value of opportunities created", false, false,
     false, kSDR},
    {Metric::SourcedWins, "sourced_wins", "created opportunities that were won", false, true,
     false, kSDR},
    {Metric::CsqlCount, "csql_count", "CSQLs raised", false, true, false, kCSM},
    {Metric::CsqlPipeline, "csql_pipeline", "value of CSQLs raised", false, false, false, kCSM},
    {Metric::Nrr, "nrr", "net revenue retention of the book", false, false, true, kAE | kCSM},
    {Metric::Grr, "grr", "gross revenue retention of the book", false, false, true, kAE | kCSM},
    {Metric::GrossChurn, "gross_churn", "ARR lost to churn and contraction, share of book (1 - GRR)",
     true, false, true, kAE | kCSM},
    {Metric::LogoChurn, "logo_churn", "share of the book's accounts that churned", true, false,
     true, kAE | kCSM},
    {Metric::ExpandRate, "expand_rate", "share of the book's accounts that won an expansion", false,
     false, true, kAE | kCSM},
}};

double ratio_or(std::int64_t num, std::int64_t den, double empty) {
  return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : empty;
}

}  // namespace

std::string_view role_name(Role role) {
  switch (role) {
    case Role::AE: return "ae";
    case Role::SDR: return "sdr";
    case Role::CSM: return "csm";
  }
  return "?";
}

const MetricInfo& metric_info(Metric metric) { return kMetrics[static_cast<std::size_t>(metric)]; }

bool metric_allowed(Metric metric, Role role) {
  return (metric_info(metric).roles & (1u << static_cast<int>(role))) != 0;
}

double metric_actual(Metric metric, const std::int64_t* raw) {
  constexpr double kCents = 100.0;
  switch (metric) {
    case Metric::NewArr: return static_cast<double>(raw[kNewArr]) / kCents;
    case Metric::ExpansionArr: return static_cast<double>(raw[kExpansionArr]) / kCents;
    case Metric::Bookings: return static_cast<double>(raw[kNewArr] + raw[kExpansionArr]) / kCents;
    case Metric::NewLogos: return static_cast<double>(raw[kNewLogos]);
    case Metric::ExpansionWins: return static_cast<double>(raw[kExpansionWins]);
    case Metric::Opportunities: return static_cast<double>(raw[kOpportunities]);
    case Metric::PipelineCreated: return static_cast<double>(raw[kPipeline]) / kCents;
    case Metric::SourcedWins: return static_cast<double>(raw[kSourcedWins]);
    case Metric::CsqlCount: return static_cast<double>(raw[kCsqlCount]);
    case Metric::CsqlPipeline: return static_cast<double>(raw[kCsqlPipeline]) / kCents;
    case Metric::Nrr: return ratio_or(raw[kBookEndArr], raw[kBookStartArr], 1.0);
    case Metric::Grr: return ratio_or(raw[kBookKeptArr], raw[kBookStartArr], 1.0);
    case Metric::GrossChurn: return 1.0 - ratio_or(raw[kBookKeptArr], raw[kBookStartArr], 1.0);
    case Metric::LogoChurn: return ratio_or(raw[kBookChurnedLogos], raw[kBookStartLogos], 0.0);
    case Metric::ExpandRate: return ratio_or(raw[kBookExpandedLogos], raw[kBookStartLogos], 0.0);
  }
  return 0.0;
}

}  // namespace complab
