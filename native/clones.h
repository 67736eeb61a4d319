// VAEKIT_CLONES: compile a function for AVX-512, AVX2+FMA and baseline x86-64; the loader picks the
// widest the CPU has (GCC target_clones), so the addon runs on any x86-64 machine it is copied to.
// -DVAEKIT_CLONES= builds one variant only (for testing each instruction set).
#pragma once
#ifndef VAEKIT_CLONES
#if defined(__x86_64__) && defined(__GNUC__)
#define VAEKIT_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VAEKIT_CLONES
#endif
#endif
