import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits the rows of a batch over threads.
///
/// Each row is computed entirely by one thread with the same code whatever the split, so results
/// are bit-identical for every thread count. Batches of a few long rows are split by blocks
/// within rows instead (`blockThreads`; `SplitRows` for softmax, `mapElements` for activations),
/// with the same guarantee.
public enum RowParallel {
    /// Below this many elements per thread, fewer threads are used. A region on the persistent
    /// workers (`WorkerPool`) costs about a microsecond while they spin, and its caller never waits
    /// for one still asleep, so a second thread pays from ~6·10³ elements (BENCHMARKS.md, "Small
    /// batches on two threads").
    public static let minimumElementsPerThread = 3 << 10

    /// The machine's active cores, read once: glibc's `sysconf` reads sysfs on every call, which
    /// would cost more than a small softmax.
    public static let activeCores: Int = {
        #if canImport(Glibc) || canImport(Darwin)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1  // a platform without sysconf: one thread, correct and unsplit
        #endif
    }()

    /// The threads a kernel uses when its caller names none: `activeCores`, or the count bound by
    /// `withThreads` around the call.
    public static var defaultThreads: Int { boundThreads ?? activeCores }

    /// Runs `body` with `threads` (nil: every active core) as the default of every kernel it calls
    /// on this thread or task without a count of its own — a per-call thread count for entry
    /// points that have no parameter for it, such as `MethodRegistry.call` (the C library's
    /// `sk_call_threads`, Python's `call(..., threads=)`). Results do not depend on it.
    public static func withThreads<R>(_ threads: Int?, _ body: () throws -> R) rethrows -> R {
        try $boundThreads.withValue(threads.map { max(1, $0) }, operation: body)
    }

    @TaskLocal private static var boundThreads: Int?

    /// The number of threads used for `rows × cols` elements when `requested` are asked for.
    public static func threadCount(rows: Int, cols: Int, requested: Int?) -> Int {
        let wanted = requested ?? defaultThreads
        let bySize = max(1, saturatingProduct(rows, max(cols, 1)) / minimumElementsPerThread)
        return max(1, min(wanted, rows, bySize))
    }

    /// The number of threads to split `rows × cols` over by blocks of `blockElements` within
    /// rows, or nil when whole rows per thread are as good: a split pays when rows are long
    /// (≥ 2 blocks) and dealing whole rows out would leave the busiest thread with over 10% more
    /// than its share (1 row on 2 threads, 3 on 2, 5 on 4 …).
    static func blockThreads(rows: Int, cols: Int, requested: Int?) -> Int? {
        guard rows > 0, cols >= 2 * blockElements else { return nil }
        let blocks = (cols + blockElements - 1) / blockElements
        let threads = min(requested ?? defaultThreads, saturatingProduct(rows, blocks), saturatingProduct(rows, cols) / minimumElementsPerThread)
        guard threads > 1 else { return nil }
        let busiest = rows / threads + (rows % threads == 0 ? 0 : 1)
        // busiest·threads > 1.1·rows, without overflowing for any row count.
        return Double(busiest) * Double(threads) > 1.1 * Double(rows) ? threads : nil
    }

    /// Calls `body` with disjoint, contiguous row ranges covering `0..<rows`, concurrently: the same
    /// ranges for the same `rows` and `threads`, though not always on distinct threads (a worker
    /// slow to wake leaves its range to a thread that is done with its own — `WorkerPool`), so a
    /// range's work must not wait for another's.
    public static func forEachChunk(rows: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        if threads <= 1 || rows <= 1 {
            body(0..<rows)
            return
        }
        let chunk = { @Sendable (t: Int) in
            let start = rows * t / threads, end = rows * (t + 1) / threads
            if start < end { body(start..<end) }
        }
        // The persistent workers when they are free; Dispatch for nested or concurrent regions.
        if WorkerPool.shared.run(threads, shareable: true, chunk) { return }
        DispatchQueue.concurrentPerform(iterations: threads, execute: chunk)
    }

    /// The most threads `together` can run at once: the caller and the persistent workers.
    static var concurrentThreads: Int { WorkerPool.shared.workers + 1 }

    /// Runs `body(t, barrier)` for `t` in `0..<threads` on as many distinct threads at once (the
    /// caller runs `t = 0`), sharing one `SpinBarrier`; returns false, running nothing, when the
    /// persistent workers are busy (a nested or concurrent region), too few, or asleep (none took
    /// a share at once: the caller would wait longer for one to wake than the work takes alone).
    static func together(threads: Int, _ body: @Sendable (Int, SpinBarrier) -> Void) -> Bool {
        guard threads > 1 else { return false }
        return withUnsafeTemporaryAllocation(byteCount: SpinBarrier.byteCount, alignment: 128) { memory in
            let barrier = SpinBarrier(parties: threads, memory: memory.baseAddress!)
            return WorkerPool.shared.run(threads, shareable: false) { t in body(t, barrier) }
        }
    }
}

/// A pointer that may cross into `@Sendable` closures: each user touches disjoint elements.
public struct UnsafeSendable<T>: @unchecked Sendable {
    /// The pointer.
    public let pointer: UnsafeMutablePointer<T>
    /// Wraps `pointer`; each thread must touch disjoint elements.
    public init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

/// `a·b`, or `Int.max` where it overflows: sizes of shapes no memory holds compare as huge
/// instead of trapping.
@inline(__always)
func saturatingProduct(_ a: Int, _ b: Int) -> Int {
    let (product, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? Int.max : product
}
