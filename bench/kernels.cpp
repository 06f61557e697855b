// The engine's vectorised kernels on each path, in one run: ns per item of the portable
// code, AVX2 and AVX-512, taken in turns so that a change of machine load hits all of them.
//
//   cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release && cmake --build build/bench --target complab_kernels
//   build/bench/complab_kernels            # a few seconds
//   build/bench/complab_kernels --quick    # a smoke run
//
// Every path gives the same values (tests/cpp/test_random_batch.cpp, test_account_pass.cpp);
// a path this CPU lacks shows as "-".
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "complab/account_pass.hpp"
#include "complab/random_batch.hpp"
#include "complab/simd.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using complab::detail::SimdPath;

constexpr std::array<SimdPath, 3> kPaths{SimdPath::none, SimdPath::avx2, SimdPath::avx512};

/// Best ns per item of `run` on each path this CPU has (a negative number for the others)
/// over `turns` rounds, each timing `calls` calls on every path in turn, every call
/// handling `items` items; `reset` (untimed) runs before each timing.
using Times = std::array<double, kPaths.size()>;
Times best_in_turns(const std::function<void(SimdPath)>& run, int turns, int calls, std::size_t items,
                    const std::function<void()>& reset = [] {}) {
  Times best;
  best.fill(-1.0);
  for (int turn = 0; turn < turns; ++turn) {
    for (std::size_t p = 0; p < kPaths.size(); ++p) {
      if (!complab::detail::simd_path_supported(kPaths[p])) continue;
      reset();
      const auto start = Clock::now();
      for (int c = 0; c < calls; ++c) run(kPaths[p]);
      const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count() /
                        (static_cast<double>(calls) * static_cast<double>(items));
      best[p] = best[p] < 0 ? ns : std::min(best[p], ns);
    }
  }
  return best;
}

void row(const char* kernel, const char* item, const Times& t) {
  std::printf("| %s | %s |", kernel, item);
  for (const double ns : t) {
    if (ns < 0) {
      std::printf(" - |");
    } else {
      std::printf(" %.2f |", ns);
    }
  }
  for (std::size_t p = 1; p < t.size(); ++p) {
    if (t[p] < 0) {
      std::printf(" - |");
    } else {
      std::printf(" %.1fx |", t[0] / t[p]);
    }
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int turns = quick ? 2 : 15, calls = quick ? 10 : 400;
  const std::size_t n = 1200;  // about the default scenario's largest segment
  std::mt19937_64 gen(7);
  std::printf("# complab kernels: ns per item on each path, %zu items a call; the engine takes %s\n\n", n,
              complab::detail::simd_path_name(complab::detail::simd_path()));
  std::printf("| kernel | per | portable ns | AVX2 ns | AVX-512 ns | AVX2 speed-up | AVX-512 speed-up |\n"
              "|---|---|---|---|---|---|---|\n");

  // Keyed Philox blocks for a list of entities (one purpose, one month).
  std::vector<std::uint32_t> entity(n);
  for (std::size_t j = 0; j < n; ++j) entity[j] = static_cast<std::uint32_t>(j * 3 + 1);
  std::vector<std::uint64_t> first(n), second(n);
  const std::uint64_t key = complab::seed_key(1);
  std::uint32_t trial = 0;
  row("block_words", "Philox block",
      best_in_turns(
          [&](SimdPath path) {
            complab::detail::block_words_on(path, key, ++trial, entity.data(), n, 5, complab::Purpose::Csql, 0, first.data(),
                                            second.data());
          },
          turns, calls, n));

  // The ziggurat's common case on random words.
  std::vector<std::uint64_t> words(n);
  for (auto& w : words) w = gen();
  std::vector<double> z(n);
  std::vector<std::uint32_t> declined(n);
  row("unit_normals_first_words", "normal",
      best_in_turns(
          [&](SimdPath path) { complab::detail::unit_normals_first_words_on(path, words.data(), n, z.data(), declined.data()); },
          turns, calls, n));

  // The monthly account pass on a default-like segment: three CSMs, a renewal due for one
  // account in twelve, a hand-off pending for one in fifty. Each call runs a month on the
  // state the last one left, with the usage normals' signs alternating so that the ARR
  // stays in range; every timing starts from the same state.
  std::normal_distribution<double> normal;
  std::vector<int> csm(n), renewal_month(n), exp_close(n);
  std::vector<double> gap(n, 0.01), health(n, 0.6), z_health(n), z_usage(n), z_usage_flipped(n);
  std::vector<std::int64_t> arr_usage(n);
  for (std::size_t k = 0; k < n; ++k) {
    csm[k] = static_cast<int>(k % 3);
    renewal_month[k] = static_cast<int>(k % 12);
    exp_close[k] = k % 50 == 0 ? 7 : -1;
    z_health[k] = normal(gen), z_usage[k] = normal(gen), z_usage_flipped[k] = -z_usage[k];
    arr_usage[k] = 600'000 + static_cast<std::int64_t>(gen() % 100'000);
  }
  const std::vector<double> shift{-0.3, 0.01, 0.02, 0.03}, effort{0.0, 1.0, 1.1, 0.9};  // by CSM + 1
  std::vector<complab::PassEvent> events(n);
  complab::PassConstants c;
  c.health_base = 0.5, c.health_reversion = 0.15, c.health_noise = 0.05, c.gap_effect = 0.1;
  c.usage_drift = 0.08, c.usage_noise = 0.02, c.csql_rate = 0.01;
  std::vector<std::uint32_t> yes_no(n);
  for (auto& w : yes_no) w = static_cast<std::uint32_t>(gen());
  complab::PassAccounts accounts[2];
  for (int flip = 0; flip < 2; ++flip) {
    accounts[flip] = {csm.data(),    renewal_month.data(), exp_close.data(), gap.data(), health.data(), arr_usage.data(),
                      z_health.data(), (flip ? z_usage_flipped : z_usage).data(), yes_no.data()};
  }
  const complab::PassReps reps{shift.data(), effort.data()};
  const std::vector<double> health_start = health;
  const std::vector<std::int64_t> arr_start = arr_usage;
  int month = 0;
  row("account_pass", "account",
      best_in_turns(
          [&](SimdPath path) {
            ++month, c.month = month % 12;
            complab::detail::account_pass_on(path, c, accounts[month % 2], reps, n, events.data());
          },
          turns, calls, n, [&] { health = health_start, arr_usage = arr_start, month = 0; }));
  return 0;
}
