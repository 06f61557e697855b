#pragma once
/// \file vector_intrinsics.hpp
/// The x86 vector intrinsics for the engine's kernels (the files with AVX2 and AVX-512 paths,
/// simd.hpp), included by their .cpp files only. GCC 12's AVX-512 intrinsics start from
/// _mm512_undefined_*, which it then reports as uninitialized (GCC bug 105593): those two
/// warnings are off for the rest of an including file, on GCC 12 and older only.
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#if !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#endif
