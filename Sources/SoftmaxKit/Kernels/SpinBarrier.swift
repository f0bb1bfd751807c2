import _SoftmaxShims

/// A barrier for threads that are known to run at the same time (`RowParallel.together`): each
/// `wait()` returns once all `parties` threads have called it. Waiting spins, which costs a cache
/// line's round trip instead of a wake-up — a few hundred nanoseconds between the passes of a
/// row split over threads. Never use it where a party may not be running (a deadlock).
struct SpinBarrier: @unchecked Sendable {
    let parties: Int
    /// [0] arrivals at the current barrier, [1] barriers completed, each in its own 128 bytes.
    private let words: UnsafeMutablePointer<Int>
    private static let stride = 128 / MemoryLayout<Int>.stride

    /// A barrier whose two counters live in `memory` (≥ 256 bytes, 128-byte aligned, zeroed here),
    /// which must outlive every `wait()`.
    init(parties: Int, memory: UnsafeMutableRawPointer) {
        precondition(parties >= 1, "SpinBarrier: \(parties) parties")
        precondition(Int(bitPattern: memory) % 128 == 0, "SpinBarrier: memory not 128-byte aligned")
        self.parties = parties
        words = memory.initializeMemory(as: Int.self, repeating: 0, count: 2 * Self.stride)
    }

    /// The bytes a barrier's counters need.
    static let byteCount = 2 * 128

    func wait() {
        let arrivals = words, completed = words + Self.stride
        let generation = sk_atomic_load(completed)
        if sk_atomic_add(arrivals, 1) == parties {
            // The last to arrive resets the count before releasing the others, so it is 0 again
            // before any of them can arrive at the next barrier.
            sk_atomic_store(arrivals, 0)
            sk_atomic_add(completed, 1)
        } else {
            while sk_atomic_load(completed) == generation { sk_spin_pause() }
        }
    }
}
