// Tiny C helpers for what Swift cannot spell: non-temporal (streaming) stores and the store fence
// that orders them, and vector float-to-integer conversions. Everything is `static inline`, so it compiles into the calling Swift code and no
// call remains in a hot loop.
#ifndef SOFTMAXKIT_SHIMS_H
#define SOFTMAXKIT_SHIMS_H

/// 1 when the target CPU has fused multiply-add (x86 FMA3, every AArch64), else 0. Swift sees the
/// target the same way (`-Xswiftc -target-cpu …`), so kernels fold this constant at compile time.
// Every processor-specific path below has a portable fallback (clang's generic vector builtins and
// `__atomic` operations); `-DSK_PORTABLE` forces the fallbacks, so that CI can build them on x86.
#if (defined(__x86_64__) || defined(__i386__)) && !defined(SK_PORTABLE)
#define SK_X86 1
#else
#define SK_X86 0
#endif

#if defined(__FMA__) || defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
#define SK_HAS_FMA 1
#else
#define SK_HAS_FMA 0
#endif

typedef float sk_float16_t __attribute__((ext_vector_type(16)));
typedef double sk_double8_t __attribute__((ext_vector_type(8)));

/// Stores 16 floats to `p`, bypassing the cache. `p` must be 64-byte aligned.
static inline __attribute__((always_inline)) void sk_stream_f32x16(float *p, sk_float16_t v) {
    __builtin_nontemporal_store(v, (sk_float16_t *)p);
}

/// Stores 8 doubles to `p`, bypassing the cache. `p` must be 64-byte aligned.
static inline __attribute__((always_inline)) void sk_stream_f64x8(double *p, sk_double8_t v) {
    __builtin_nontemporal_store(v, (sk_double8_t *)p);
}

typedef int sk_int16_t __attribute__((ext_vector_type(16)));
typedef long long sk_long8_t __attribute__((ext_vector_type(8)));

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
static inline __attribute__((always_inline)) sk_float16_t sk_splat_f32x16(float v) {
    return (sk_float16_t)(v);
}
/// 8 floats widened to doubles, and 8 doubles rounded to floats (one `vcvtps2pd` / `vcvtpd2ps`).
typedef float sk_float8_t __attribute__((ext_vector_type(8)));
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

/// Makes preceding streaming stores visible before any later store (x86 `sfence`).
static inline __attribute__((always_inline)) void sk_store_fence(void) {
#if SK_X86
    __builtin_ia32_sfence();
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/// Horizontal sum and maximum of a vector, reduced by halves (lanes 0–7 + 8–15, then 0–3 + 4–7, …):
/// the same order as the generic Swift spelling, so sums are bit-identical to it, in a few
/// shuffles instead of the lane-by-lane moves Swift's `lowHalf`/`highHalf` compile to. The
/// maximum ignores NaN lanes unless every lane is NaN (IEEE maxNum).
typedef float sk_float4_t __attribute__((ext_vector_type(4)));
typedef float sk_float2_t __attribute__((ext_vector_type(2)));
typedef double sk_double4_t __attribute__((ext_vector_type(4)));
typedef double sk_double2_t __attribute__((ext_vector_type(2)));
static inline __attribute__((always_inline)) float sk_hsum_f32x16(sk_float16_t v) {
    sk_float8_t h0 = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7)
                   + __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    sk_float4_t h1 = __builtin_shufflevector(h0, h0, 0, 1, 2, 3) + __builtin_shufflevector(h0, h0, 4, 5, 6, 7);
    sk_float2_t h2 = __builtin_shufflevector(h1, h1, 0, 1) + __builtin_shufflevector(h1, h1, 2, 3);
    return h2[0] + h2[1];
}
static inline __attribute__((always_inline)) float sk_hmax_f32x16(sk_float16_t v) {
    sk_float8_t h0 = __builtin_elementwise_max(__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7),
                                               __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15));
    sk_float4_t h1 = __builtin_elementwise_max(__builtin_shufflevector(h0, h0, 0, 1, 2, 3),
                                               __builtin_shufflevector(h0, h0, 4, 5, 6, 7));
    sk_float2_t h2 = __builtin_elementwise_max(__builtin_shufflevector(h1, h1, 0, 1),
                                               __builtin_shufflevector(h1, h1, 2, 3));
    return __builtin_elementwise_max(h2[0], h2[1]);
}
static inline __attribute__((always_inline)) double sk_hsum_f64x8(sk_double8_t v) {
    sk_double4_t h0 = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
    sk_double2_t h1 = __builtin_shufflevector(h0, h0, 0, 1) + __builtin_shufflevector(h0, h0, 2, 3);
    return h1[0] + h1[1];
}
static inline __attribute__((always_inline)) double sk_hmax_f64x8(sk_double8_t v) {
    sk_double4_t h0 = __builtin_elementwise_max(__builtin_shufflevector(v, v, 0, 1, 2, 3),
                                                __builtin_shufflevector(v, v, 4, 5, 6, 7));
    sk_double2_t h1 = __builtin_elementwise_max(__builtin_shufflevector(h0, h0, 0, 1),
                                                __builtin_shufflevector(h0, h0, 2, 3));
    return __builtin_elementwise_max(h1[0], h1[1]);
}

/// Horizontal sums and maxima of several vectors at once, one per lane: lane `g` of the result is
/// `sk_hsum_f32x16(v[g])` (or `sk_hmax_…`) for the 16 vectors `v[g]` stored from `p`, bit for bit. The halving order
/// of the single-vector reductions is kept (level 1 adds lanes i and i + 8 of each vector, then
/// i and i + 4, …), but each level combines two vectors per shuffle pair, so 16 reductions cost 15
/// shuffle pairs instead of 64 — and no 16 separate dependency chains.
#define SK_REDUCE_F32X16(NAME, OP)                                                                               \
static inline __attribute__((always_inline)) sk_float16_t NAME(const float *p) {                                 \
    sk_float16_t v[16], a[8], b[4], c[2];                                                                        \
    __builtin_memcpy(v, p, sizeof v);                                                                            \
    for (int i = 0; i < 8; i++)                                                                                  \
        a[i] = OP(__builtin_shufflevector(v[2 * i], v[2 * i + 1], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23), \
                  __builtin_shufflevector(v[2 * i], v[2 * i + 1], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31)); \
    for (int i = 0; i < 4; i++)                                                                                  \
        b[i] = OP(__builtin_shufflevector(a[2 * i], a[2 * i + 1], 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27), \
                  __builtin_shufflevector(a[2 * i], a[2 * i + 1], 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31)); \
    for (int i = 0; i < 2; i++)                                                                                  \
        c[i] = OP(__builtin_shufflevector(b[2 * i], b[2 * i + 1], 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29), \
                  __builtin_shufflevector(b[2 * i], b[2 * i + 1], 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31)); \
    return OP(__builtin_shufflevector(c[0], c[1], 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),         \
              __builtin_shufflevector(c[0], c[1], 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31));        \
}
#define SK_REDUCE_F64X8(NAME, OP)                                                                                \
static inline __attribute__((always_inline)) sk_double8_t NAME(const double *p) {                                \
    sk_double8_t v[8], a[4], b[2];                                                                               \
    __builtin_memcpy(v, p, sizeof v);                                                                            \
    for (int i = 0; i < 4; i++)                                                                                  \
        a[i] = OP(__builtin_shufflevector(v[2 * i], v[2 * i + 1], 0, 1, 2, 3, 8, 9, 10, 11),                     \
                  __builtin_shufflevector(v[2 * i], v[2 * i + 1], 4, 5, 6, 7, 12, 13, 14, 15));                  \
    for (int i = 0; i < 2; i++)                                                                                  \
        b[i] = OP(__builtin_shufflevector(a[2 * i], a[2 * i + 1], 0, 1, 4, 5, 8, 9, 12, 13),                     \
                  __builtin_shufflevector(a[2 * i], a[2 * i + 1], 2, 3, 6, 7, 10, 11, 14, 15));                  \
    return OP(__builtin_shufflevector(b[0], b[1], 0, 2, 4, 6, 8, 10, 12, 14),                                    \
              __builtin_shufflevector(b[0], b[1], 1, 3, 5, 7, 9, 11, 13, 15));                                   \
}
#define SK_ADD(x, y) ((x) + (y))
SK_REDUCE_F32X16(sk_hsums_f32x16, SK_ADD)
SK_REDUCE_F32X16(sk_hmaxs_f32x16, __builtin_elementwise_max)
SK_REDUCE_F64X8(sk_hsums_f64x8, SK_ADD)
SK_REDUCE_F64X8(sk_hmaxs_f64x8, __builtin_elementwise_max)
#undef SK_ADD
#undef SK_REDUCE_F32X16
#undef SK_REDUCE_F64X8

/// Transposes 8 rows of `k` floats (`src[i·ld + p]`, i < 8) into `dst[p·dstStride + i]`: the packing
/// of a row-major matrix into the matrix multiply's panels. Blocks of 8 × 8 go through eight
/// vector loads, 24 shuffles and eight vector stores; compilers otherwise turn the obvious strided
/// loop into scatter instructions, which are slow on AMD cores (≈ 2.6 GB/s here).
static inline __attribute__((always_inline)) void sk_transpose_rows8(const float *src, long ld, long k, float *dst, long dstStride) {
    long p = 0;
    for (; p + 8 <= k; p += 8) {
        sk_float8_t r0, r1, r2, r3, r4, r5, r6, r7;
        __builtin_memcpy(&r0, src + 0 * ld + p, sizeof r0);
        __builtin_memcpy(&r1, src + 1 * ld + p, sizeof r1);
        __builtin_memcpy(&r2, src + 2 * ld + p, sizeof r2);
        __builtin_memcpy(&r3, src + 3 * ld + p, sizeof r3);
        __builtin_memcpy(&r4, src + 4 * ld + p, sizeof r4);
        __builtin_memcpy(&r5, src + 5 * ld + p, sizeof r5);
        __builtin_memcpy(&r6, src + 6 * ld + p, sizeof r6);
        __builtin_memcpy(&r7, src + 7 * ld + p, sizeof r7);
        sk_float8_t t0 = __builtin_shufflevector(r0, r1, 0, 8, 1, 9, 4, 12, 5, 13);
        sk_float8_t t1 = __builtin_shufflevector(r0, r1, 2, 10, 3, 11, 6, 14, 7, 15);
        sk_float8_t t2 = __builtin_shufflevector(r2, r3, 0, 8, 1, 9, 4, 12, 5, 13);
        sk_float8_t t3 = __builtin_shufflevector(r2, r3, 2, 10, 3, 11, 6, 14, 7, 15);
        sk_float8_t t4 = __builtin_shufflevector(r4, r5, 0, 8, 1, 9, 4, 12, 5, 13);
        sk_float8_t t5 = __builtin_shufflevector(r4, r5, 2, 10, 3, 11, 6, 14, 7, 15);
        sk_float8_t t6 = __builtin_shufflevector(r6, r7, 0, 8, 1, 9, 4, 12, 5, 13);
        sk_float8_t t7 = __builtin_shufflevector(r6, r7, 2, 10, 3, 11, 6, 14, 7, 15);
        sk_float8_t u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
        sk_float8_t u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
        sk_float8_t u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
        sk_float8_t u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
        sk_float8_t u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
        sk_float8_t u5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
        sk_float8_t u6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
        sk_float8_t u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
        sk_float8_t c0 = __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11);
        sk_float8_t c1 = __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11);
        sk_float8_t c2 = __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11);
        sk_float8_t c3 = __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11);
        sk_float8_t c4 = __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
        sk_float8_t c5 = __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
        sk_float8_t c6 = __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
        sk_float8_t c7 = __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);
        float *d = dst + p * dstStride;
        __builtin_memcpy(d + 0 * dstStride, &c0, sizeof c0);
        __builtin_memcpy(d + 1 * dstStride, &c1, sizeof c1);
        __builtin_memcpy(d + 2 * dstStride, &c2, sizeof c2);
        __builtin_memcpy(d + 3 * dstStride, &c3, sizeof c3);
        __builtin_memcpy(d + 4 * dstStride, &c4, sizeof c4);
        __builtin_memcpy(d + 5 * dstStride, &c5, sizeof c5);
        __builtin_memcpy(d + 6 * dstStride, &c6, sizeof c6);
        __builtin_memcpy(d + 7 * dstStride, &c7, sizeof c7);
    }
    for (; p < k; p++) {
        for (long i = 0; i < 8; i++) dst[p * dstStride + i] = src[i * ld + p];
    }
}

/// Atomic operations on a word shared between threads (the worker pool's handshake), with
/// acquire/release ordering; and the spin-wait hint.
static inline __attribute__((always_inline)) long sk_atomic_load(const long *p) {
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline __attribute__((always_inline)) void sk_atomic_store(long *p, long v) {
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
static inline __attribute__((always_inline)) long sk_atomic_add(long *p, long v) {
    return __atomic_add_fetch(p, v, __ATOMIC_ACQ_REL);
}
static inline __attribute__((always_inline)) int sk_atomic_claim(long *p) {
    long expected = 0;
    return __atomic_compare_exchange_n(p, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
static inline __attribute__((always_inline)) void sk_spin_pause(void) {
#if SK_X86
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
