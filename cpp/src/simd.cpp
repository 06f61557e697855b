#include "complab/simd.hpp"

#include <atomic>
#include <stdexcept>
#include <string>

namespace complab::detail {

bool simd_path_supported(SimdPath path) {
#if defined(__x86_64__) && defined(__GNUC__)
  // __builtin_cpu_supports also checks that the OS saves the wider registers.
  static const bool avx2 = __builtin_cpu_supports("avx2");
  static const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                             __builtin_cpu_supports("avx512vl");
  switch (path) {
    case SimdPath::none: return true;
    case SimdPath::avx2: return avx2;
    case SimdPath::avx512: return avx512;
  }
  return false;
#else
  return path == SimdPath::none;
#endif
}

namespace {

std::atomic<SimdPath>& current_path() {
  static std::atomic<SimdPath> path{simd_path_supported(SimdPath::avx512) ? SimdPath::avx512
                                    : simd_path_supported(SimdPath::avx2) ? SimdPath::avx2
                                                                          : SimdPath::none};
  return path;
}

}  // namespace

SimdPath simd_path() { return current_path().load(std::memory_order_relaxed); }

void force_simd_path(SimdPath path) {
  require_simd_path(path);
  current_path().store(path, std::memory_order_relaxed);
}

const char* simd_path_name(SimdPath path) {
  switch (path) {
    case SimdPath::avx2: return "avx2";
    case SimdPath::avx512: return "avx512";
    case SimdPath::none: break;
  }
  return "none";
}

void require_simd_path(SimdPath path) {
  if (!simd_path_supported(path)) {
    throw std::invalid_argument(std::string("this CPU has no ") + simd_path_name(path) + " path");
  }
}

}  // namespace complab::detail
