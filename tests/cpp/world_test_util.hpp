#pragma once
// A small world for the engine's unit suites: one segment, neutral where a test does not
// say otherwise.
#include "complab/engine.hpp"

namespace complab::testing {

inline Scenario one_segment_world(int accounts = 40, int aes = 2, int csms = 2, int sdrs = 1) {
  Scenario sc;
  WorldConfig& w = sc.world;
  w.months = 24;
  w.period_months = 12;
  SegmentConfig s;
  s.name = "smb";
  s.initial_accounts = accounts;
  s.acv_median = 10000;
  s.renewal_hazard = {0.2, 0.1};
  s.csm_coverage = static_cast<double>(accounts) / std::max(1, csms);
  s.ae_headcount = aes;
  s.csm_headcount = csms;
  s.csql_rate = 0.02;
  w.segments = {s};
  w.sdr_headcount = sdrs;
  sc.ae_plan = {-1};
  sc.csm_plan = {-1};
  return sc;
}

}  // namespace complab::testing
