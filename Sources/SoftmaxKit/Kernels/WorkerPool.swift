import _SoftmaxShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Persistent threads for `RowParallel`: a parallel region costs about a microsecond instead of
/// the tens that waking Dispatch's threads takes, so batches of a few thousand elements per
/// thread already gain from a second core.
///
/// One region at a time: the caller claims the pool, publishes the job, opens a gate and bumps a
/// generation counter. Workers spin briefly for the next generation (4096 pauses), then sleep on a
/// condition variable. A worker that sees a new generation enters the gate if it is still open and
/// claims the job's parts from a shared counter until none are left. The caller claims parts too
/// (`shareable`) or runs part 0 alone (parts that must each run on their own thread, as behind a
/// barrier — those it takes back, declining the region, when no worker has claimed one after a
/// brief wait: the workers are asleep); when every part has finished it closes the gate and
/// waits only for the workers inside it. So a worker that wakes late (a sleeping thread, on a virtual machine above all, can
/// take longer to wake than a small job takes) finds the job done instead of holding up the
/// caller, which has run its parts. Which thread runs a part never changes what the part
/// computes. A caller that finds the pool busy (a nested or concurrent region) gets `false` and
/// falls back to Dispatch.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(workers: max(0, RowParallel.activeCores - 1))

    let workers: Int
    /// [0] claimed, [1] generation, [2] the gate (open flag and workers inside), [3] the next part
    /// to claim, [4] parts finished — each alone in its own 128 bytes (a cache line and its
    /// prefetched neighbour): nothing else the threads write may share them.
    private let words: UnsafeMutablePointer<Int>
    private static let wordStride = 128 / MemoryLayout<Int>.stride
    private static let wordCount = 5
    private var job: ((Int) -> Void)?
    private var parts = 0
    /// Allocated, not stored properties: a pthread mutex or condition must not move, and `&property`
    /// does not promise a stable address.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// A pool of `workers` threads, which run until the process ends (tests make their own; the
    /// library uses `shared`).
    init(workers: Int) {
        self.workers = workers
        words = UnsafeMutableRawPointer.allocate(byteCount: Self.wordCount * 128, alignment: 128)
            .initializeMemory(as: Int.self, repeating: 0, count: Self.wordCount * Self.wordStride)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        for _ in 0..<workers {
            let worker = Worker(pool: self)
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
    private var gate: UnsafeMutablePointer<Int> { words + 2 * Self.wordStride }
    private var next: UnsafeMutablePointer<Int> { words + 3 * Self.wordStride }
    private var finished: UnsafeMutablePointer<Int> { words + 4 * Self.wordStride }
    private static let open = Int(SK_GATE_OPEN)

    /// Runs `body(0)` … `body(count − 1)` concurrently. `shareable`: the caller claims parts like
    /// any worker, so a part may run on any thread and one thread may run several; otherwise the
    /// caller runs `body(0)` and each other part runs on a worker of its own (parts that wait for
    /// one another). Returns false (running nothing) when the pool is busy or has too few workers,
    /// or, for parts that must run at once, when no worker takes one at once (they are asleep).
    func run(_ count: Int, shareable: Bool, _ body: (Int) -> Void) -> Bool {
        guard count - 1 <= workers, count > 1 else { return false }
        guard sk_atomic_claim(claimed) != 0 else { return false }
        var ran = true
        withoutActuallyEscaping(body) { body in
            job = body
            parts = count
            sk_atomic_store(finished, 0)
            sk_atomic_store(next, shareable ? 0 : 1)
            sk_atomic_store(gate, Self.open)
            pthread_mutex_lock(mutex)
            sk_atomic_add(generation, 1)
            pthread_cond_broadcast(wake)
            pthread_mutex_unlock(mutex)
            if !shareable && !workersTakeTheirParts() {
                finish()
                ran = false
                return
            }
            // The caller's parts run below a 1 KiB gap on this stack. The state the workers read
            // on every row (the captures of `body`) lives in this thread's frames above; without
            // the gap the caller's own spills could share its cache lines — false sharing that
            // depended on where the stack happened to start, and two threads' speed-up moved from
            // process to process (BENCHMARKS.md, "Threads").
            withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 64) { gap in
                sk_atomic_store(UnsafeMutableRawPointer(gap.baseAddress!).assumingMemoryBound(to: Int.self), 0)
                if shareable {
                    runParts()
                } else {
                    body(0)
                    sk_atomic_add(finished, 1)
                }
            }
            while sk_atomic_load(finished) < count { sk_spin_pause() }
            finish()
        }
        sk_atomic_store(claimed, 0)
        return ran
    }

    /// Every part is done (or none will run): closes the gate, then waits for the workers inside
    /// it (they find nothing left to claim) before the job stops being valid.
    private func finish() {
        sk_atomic_add(gate, -Self.open)
        while sk_atomic_load(gate) != 0 { sk_spin_pause() }
        job = nil
    }

    /// For parts that must run at once: waits briefly for a worker to claim a part. Spinning
    /// workers take theirs within a fraction of a microsecond; when none has after `patience`
    /// pauses they are asleep, and the caller takes every part back (so none will run) and
    /// returns false — its caller then does the work alone, sooner than a sleeping thread wakes.
    private func workersTakeTheirParts() -> Bool {
        var spins = 0
        while sk_atomic_load(next) == 1 {
            if spins == Self.patience { return sk_atomic_compare_exchange(next, 1, parts) == 0 }
            sk_spin_pause()
            spins += 1
        }
        return true
    }

    /// Pauses a caller spends waiting for a worker before it counts the workers as asleep.
    private static let patience = 256

    /// Claims and runs parts of the current job until none are left.
    private func runParts() {
        while true {
            let part = sk_atomic_add(next, 1) - 1
            guard part < parts else { return }
            job?(part)
            sk_atomic_add(finished, 1)
        }
    }

    private final class Worker {
        /// Held strongly: the worker's thread never exits, so its pool must never go away (a pool
        /// a test makes lives on with its threads).
        let pool: WorkerPool
        init(pool: WorkerPool) { self.pool = pool }

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
                // Inside the gate the job stays valid; a closed gate means it is done (or the next
                // one is not ready yet: its generation will come).
                guard sk_atomic_enter_gate(pool.gate) != 0 else { continue }
                pool.runParts()
                sk_atomic_add(pool.gate, -1)
            }
        }
    }
}
