// Vector memory and conversions Swift cannot spell, or compiles to calls: streaming stores and
// their fence, unaligned loads and stores that always inline, float-to-integer truncation, fused
// multiply-add, and float/double widening. Everything is `static inline`, so no call remains in a
// hot loop.
#ifndef SOFTMAXKIT_SHIMS_VECTOR_MEMORY_H
#define SOFTMAXKIT_SHIMS_VECTOR_MEMORY_H

#include "ShimsConfig.h"

/// Stores 16 floats to `p`, bypassing the cache. `p` must be 64-byte aligned.
static inline __attribute__((always_inline)) void sk_stream_f32x16(float *p, sk_float16_t v) {
    __builtin_nontemporal_store(v, (sk_float16_t *)p);
}

/// Stores 8 doubles to `p`, bypassing the cache. `p` must be 64-byte aligned.
static inline __attribute__((always_inline)) void sk_stream_f64x8(double *p, sk_double8_t v) {
    __builtin_nontemporal_store(v, (sk_double8_t *)p);
}

/// Converts 16 floats to 32-bit integers, truncating toward zero (one `vcvttps2dq`). Lanes out
/// of range give an unspecified value; callers clamp first.
static inline __attribute__((always_inline)) sk_int16_t sk_truncate_f32x16(sk_float16_t v) {
    return __builtin_convertvector(v, sk_int16_t);
}

/// Converts 8 doubles to 64-bit integers, truncating toward zero. Callers clamp first.
static inline __attribute__((always_inline)) sk_long8_t sk_truncate_f64x8(sk_double8_t v) {
    return __builtin_convertvector(v, sk_long8_t);
}

/// Unaligned vector load and store. Always inlined (a Swift `storeBytes(of:as:)` in a large
/// function may be left as a call, which then passes the vector through the stack).
/// `c + a·b` on 16 floats, fused where the target has FMA, and `v` in every lane. The matrix
/// multiply's micro-kernel uses these so that it is fast in unoptimised (debug) builds too,
/// where Swift's generic SIMD operations run lane by lane; optimised builds inline them.
static inline __attribute__((always_inline)) sk_float16_t sk_fma_f32x16(sk_float16_t c, sk_float16_t a, sk_float16_t b) {
#if defined(__FMA__) && !defined(SK_PORTABLE)
    return __builtin_elementwise_fma(a, b, c);
#else
    return c + a * b;
#endif
}
/// `z·z − hi` exactly, for `hi` the rounded `z·z`: one fused multiply-add where the target has
/// FMA, else Dekker's product (z split into two 12-bit halves whose products are exact). Chosen
/// here rather than in Swift, where the branch the target never takes is reported as dead code.
static inline __attribute__((always_inline)) sk_float16_t sk_square_error_f32x16(sk_float16_t z, sk_float16_t hi) {
#if SK_HAS_FMA
    return __builtin_elementwise_fma(z, z, -hi);
#else
#pragma clang fp contract(off)
    sk_float16_t zh = __builtin_bit_cast(sk_float16_t, __builtin_bit_cast(sk_int16_t, z) & (int)0xFFFFF000), zl = z - zh;
    return ((zh * zh - hi) + 2 * zh * zl) + zl * zl;
#endif
}
static inline __attribute__((always_inline)) sk_float16_t sk_splat_f32x16(float v) {
    return (sk_float16_t)(v);
}
/// 8 floats widened to doubles, and 8 doubles rounded to floats (one `vcvtps2pd` / `vcvtpd2ps`).
static inline __attribute__((always_inline)) sk_double8_t sk_load_f32x8_as_f64x8(const float *p) {
    sk_float8_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return __builtin_convertvector(v, sk_double8_t);
}
static inline __attribute__((always_inline)) void sk_store_f64x8_as_f32x8(float *p, sk_double8_t v) {
    sk_float8_t f = __builtin_convertvector(v, sk_float8_t);
    __builtin_memcpy(p, &f, sizeof f);
}
static inline __attribute__((always_inline)) sk_float16_t sk_load_f32x16(const float *p) {
    sk_float16_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
static inline __attribute__((always_inline)) void sk_store_f32x16(float *p, sk_float16_t v) {
    __builtin_memcpy(p, &v, sizeof v);
}
static inline __attribute__((always_inline)) sk_double8_t sk_load_f64x8(const double *p) {
    sk_double8_t v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
static inline __attribute__((always_inline)) void sk_store_f64x8(double *p, sk_double8_t v) {
    __builtin_memcpy(p, &v, sizeof v);
}

/// Asks for the cache line holding `p` ahead of a store to it (a hint: no fault, no effect on
/// values; `prefetchw` where the CPU has it).
static inline __attribute__((always_inline)) void sk_prefetch_for_write(const void *p) {
    __builtin_prefetch(p, 1, 3);
}

/// Makes preceding streaming stores visible before any later store (x86 `sfence`).
static inline __attribute__((always_inline)) void sk_store_fence(void) {
#if SK_X86
    __builtin_ia32_sfence();
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

#endif
