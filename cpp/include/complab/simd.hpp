#pragma once
/// \file simd.hpp
/// The vector paths of the engine's kernels (block_words and unit_normals_first_words in
/// random_batch.hpp, account_pass in account_pass.hpp), chosen at run time from what the
/// CPU has. Every path gives the portable code's results bit for bit.
namespace complab::detail {

enum class SimdPath {
  none,    // portable code
  avx2,    // AVX2
  avx512,  // AVX-512 F, DQ, VL
};

/// The path the kernels take: the widest this CPU has, unless force_simd_path chose another.
SimdPath simd_path();

/// Makes the kernels take `path` from now on, so the tests can run the whole engine on each
/// path; throws std::invalid_argument where the CPU lacks it. Not while a run is going.
void force_simd_path(SimdPath path);

/// Whether this CPU can run `path` (none: always).
bool simd_path_supported(SimdPath path);

/// "none", "avx2" or "avx512".
const char* simd_path_name(SimdPath path);

/// Throws std::invalid_argument unless simd_path_supported(path).
void require_simd_path(SimdPath path);

}  // namespace complab::detail
