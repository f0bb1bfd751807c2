// Atomics and the spin-wait hint for the worker pool.
#ifndef SOFTMAXKIT_SHIMS_ATOMICS_H
#define SOFTMAXKIT_SHIMS_ATOMICS_H

#include "ShimsConfig.h"

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
/// Replaces `*p` by `desired` if it is `expected`: returns 1 when it did.
static inline __attribute__((always_inline)) int sk_atomic_compare_exchange(long *p, long expected, long desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
/// Enters a gate (`*p`: the open flag `SK_GATE_OPEN` plus the count of threads inside): adds one
/// and returns 1 when the gate is open, else returns 0 and changes nothing.
#define SK_GATE_OPEN (1L << 40)
static inline __attribute__((always_inline)) int sk_atomic_enter_gate(long *p) {
    long seen = __atomic_load_n(p, __ATOMIC_ACQUIRE);
    while (seen & SK_GATE_OPEN) {
        if (__atomic_compare_exchange_n(p, &seen, seen + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return 1;
    }
    return 0;
}
static inline __attribute__((always_inline)) void sk_spin_pause(void) {
#if SK_X86
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
