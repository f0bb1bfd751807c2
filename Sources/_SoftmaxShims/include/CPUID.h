// What the processor running the code can do (cpuid), and what this build was compiled to use.
#ifndef SOFTMAXKIT_CPUID_H
#define SOFTMAXKIT_CPUID_H

#include "ShimsConfig.h"
// Reporting, not a kernel path: read the CPU even in a portable (`SK_PORTABLE`) build.
#if defined(__x86_64__) || defined(__i386__)
#define SK_HAS_CPUID 1
#include <cpuid.h>
#else
#define SK_HAS_CPUID 0
#endif

/// `regs = {eax, ebx, ecx, edx}` of cpuid leaf `leaf`, sub-leaf `subleaf`; returns 0 (and zeros)
/// where the leaf is not supported or the target is not x86.
static inline int sk_cpuid(unsigned leaf, unsigned subleaf, unsigned regs[4]) {
    regs[0] = regs[1] = regs[2] = regs[3] = 0;
#if SK_HAS_CPUID
    return __get_cpuid_count(leaf, subleaf, &regs[0], &regs[1], &regs[2], &regs[3]);
#else
    (void)leaf;
    (void)subleaf;
    return 0;
#endif
}

/// 1 when the OS saves the AVX (YMM) state, and, with `zmm` set, the AVX-512 (ZMM, opmask) state
/// too (xgetbv): a feature bit alone does not make the registers usable.
static inline int sk_os_saves_vector_state(int zmm) {
#if SK_HAS_CPUID
    unsigned regs[4];
    if (!sk_cpuid(1, 0, regs) || !(regs[2] & (1u << 27))) return 0;  // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    unsigned need = zmm ? 0xE6u : 0x06u;
    return (lo & need) == need;
#else
    (void)zmm;
    return 0;
#endif
}

/// The vector features this build's code was compiled for: bit 0 FMA, bit 1 AVX2, bit 2 AVX-512F.
static inline int sk_build_vector_features(void) {
    int f = 0;
#if SK_HAS_FMA
    f |= 1;
#endif
#if defined(__AVX2__)
    f |= 2;
#endif
#if defined(__AVX512F__)
    f |= 4;
#endif
    return f;
}

#endif
