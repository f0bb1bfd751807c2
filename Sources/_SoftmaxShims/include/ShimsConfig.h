// The shims' shared definitions: the target tests and the vector types.
#ifndef SOFTMAXKIT_SHIMS_CONFIG_H
#define SOFTMAXKIT_SHIMS_CONFIG_H

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
typedef int sk_int16_t __attribute__((ext_vector_type(16)));
typedef long long sk_long8_t __attribute__((ext_vector_type(8)));
typedef float sk_float8_t __attribute__((ext_vector_type(8)));
typedef float sk_float4_t __attribute__((ext_vector_type(4)));
typedef float sk_float2_t __attribute__((ext_vector_type(2)));
typedef double sk_double4_t __attribute__((ext_vector_type(4)));
typedef double sk_double2_t __attribute__((ext_vector_type(2)));

#endif
