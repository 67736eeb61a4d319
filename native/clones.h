// VAEKIT_CLONES: compile a function for AVX-512, AVX2 and baseline x86-64; the loader picks the widest
// the CPU has (target_clones, resolved through an ifunc: ELF and glibc only), so the addon runs on any
// x86-64 Linux machine it is copied to. GCC takes the x86-64-v4/v3 levels (v3 brings FMA with AVX2);
// clang takes feature names, since its resolver reads "arch=x86-64-v4" as a CPU model that no CPU is and
// always ran the baseline clone (3× slower training, measured): "avx512f" implies FMA there, "avx2" not.
// Elsewhere (aarch64, where the vector extensions become NEON; macOS; musl) each function is compiled
// once, for the target's baseline. -DVAEKIT_CLONES= builds one variant only (to test each instruction set).
#pragma once
#include <cstdlib>  // defines __GLIBC__ on glibc
#ifndef VAEKIT_CLONES
#if defined(__x86_64__) && defined(__ELF__) && defined(__GLIBC__) && defined(__clang__)
#define VAEKIT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#elif defined(__x86_64__) && defined(__ELF__) && defined(__GLIBC__) && defined(__GNUC__)
#define VAEKIT_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VAEKIT_CLONES
#endif
#endif
