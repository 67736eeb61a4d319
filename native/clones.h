// VAEKIT_CLONES: compile a function for AVX-512, AVX2+FMA and baseline x86-64; the loader picks the
// widest the CPU has (GCC/clang target_clones, resolved through an ifunc: ELF and glibc only), so the
// addon runs on any x86-64 Linux machine it is copied to. Elsewhere (aarch64, where the vector extensions
// become NEON; macOS; musl) each function is compiled once, for the baseline of the target.
// -DVAEKIT_CLONES= builds one variant only (for testing each instruction set).
#pragma once
#include <cstdlib>  // defines __GLIBC__ on glibc
#ifndef VAEKIT_CLONES
#if defined(__x86_64__) && defined(__GNUC__) && defined(__ELF__) && defined(__GLIBC__)
#define VAEKIT_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VAEKIT_CLONES
#endif
#endif
