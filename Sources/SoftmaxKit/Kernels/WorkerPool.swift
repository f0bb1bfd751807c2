import _SoftmaxShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Persistent threads for `RowParallel`: a parallel region costs a few microseconds instead of
/// the tens that waking Dispatch's threads takes, so batches of ~10⁴ elements per thread already
/// gain from a second core.
///
/// One region at a time: the caller claims the pool, publishes the job and bumps a generation
/// counter; each worker runs its chunk and counts down; the caller runs chunk 0 and spins until
/// the count reaches zero. Workers spin briefly for the next generation (≈ 50 µs), then sleep on
/// a condition variable. A caller that finds the pool busy (a nested or concurrent region) gets
/// `false` and falls back to Dispatch.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(workers: max(0, RowParallel.activeCores - 1))

    let workers: Int
    /// [0] claimed, [1] generation, [2] workers still running — each alone in its own 128 bytes
    /// (a cache line and its prefetched neighbour): nothing else the threads write may share them.
    private let words: UnsafeMutablePointer<Int>
    private static let wordStride = 128 / MemoryLayout<Int>.stride
    private var job: ((Int) -> Void)?
    /// Allocated, not stored properties: a pthread mutex or condition must not move, and `&property`
    /// does not promise a stable address.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    private init(workers: Int) {
        self.workers = workers
        words = UnsafeMutableRawPointer.allocate(byteCount: 3 * 128, alignment: 128)
            .initializeMemory(as: Int.self, repeating: 0, count: 3 * Self.wordStride)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        for index in 0..<workers {
            let worker = Worker(pool: self, index: index + 1)
            #if canImport(Glibc)
            var handle = pthread_t()
            #else
            var handle: pthread_t? = nil
            #endif
            let box = Unmanaged.passRetained(worker).toOpaque()
            #if canImport(Glibc)
            _ = pthread_create(
                &handle, nil,
                {
                    Unmanaged<Worker>.fromOpaque($0!).takeRetainedValue().run(); return nil
                }, box)
            #else
            _ = pthread_create(
                &handle, nil,
                {
                    Unmanaged<Worker>.fromOpaque($0).takeRetainedValue().run(); return nil
                }, box)
            #endif
            #if canImport(Glibc)
            pthread_detach(handle)
            #else
            if let handle { pthread_detach(handle) }
            #endif
        }
    }

    private var claimed: UnsafeMutablePointer<Int> { words }
    private var generation: UnsafeMutablePointer<Int> { words + Self.wordStride }
    private var running: UnsafeMutablePointer<Int> { words + 2 * Self.wordStride }

    /// Runs `body(0)` … `body(count − 1)` concurrently, `body(0)` on the calling thread. Returns
    /// false (running nothing) when the pool is busy or has too few workers.
    func run(_ count: Int, _ body: (Int) -> Void) -> Bool {
        guard count - 1 <= workers, count > 1 else { return false }
        guard sk_atomic_claim(claimed) != 0 else { return false }
        withoutActuallyEscaping(body) { body in
            job = { index in if index < count { body(index) } }
            sk_atomic_store(running, workers)
            pthread_mutex_lock(mutex)
            sk_atomic_add(generation, 1)
            pthread_cond_broadcast(wake)
            pthread_mutex_unlock(mutex)
            // Chunk 0 runs below a 1 KiB gap on this stack. The state the workers read on every
            // row (the captures of `body`) lives in this thread's frames above; without the gap the
            // caller's own spills could share its cache lines — false sharing that depended on where
            // the stack happened to start, and two threads' speed-up moved from process to process
            // (BENCHMARKS.md, "Threads").
            withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 64) { gap in
                sk_atomic_store(UnsafeMutableRawPointer(gap.baseAddress!).assumingMemoryBound(to: Int.self), 0)
                body(0)
            }
            while sk_atomic_load(running) > 0 { sk_spin_pause() }
            job = nil
        }
        sk_atomic_store(claimed, 0)
        return true
    }

    private final class Worker {
        unowned let pool: WorkerPool
        let index: Int
        init(pool: WorkerPool, index: Int) { (self.pool, self.index) = (pool, index) }

        func run() {
            var seen = 0
            while true {
                var spins = 0
                while sk_atomic_load(pool.generation) == seen {
                    if spins < 1 << 12 {
                        sk_spin_pause()
                        spins += 1
                        continue
                    }
                    pthread_mutex_lock(pool.mutex)
                    while sk_atomic_load(pool.generation) == seen { pthread_cond_wait(pool.wake, pool.mutex) }
                    pthread_mutex_unlock(pool.mutex)
                }
                seen = sk_atomic_load(pool.generation)
                pool.job?(index)
                sk_atomic_add(pool.running, -1)
            }
        }
    }
}
