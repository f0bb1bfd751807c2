import Dispatch
import SoftmaxKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `RowParallel.forEachChunk` on the persistent workers and on its Dispatch fallback: every row
/// is visited exactly once, whether regions run one after another, from many threads at once,
/// or nested inside one another.
@Suite struct RowParallelTests {
    /// Visits of each row by one region (every slot written by exactly one chunk).
    func visits(rows: Int, threads: Int, nested: Bool = false) -> [Int] {
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: rows)
        counts.initialize(repeating: 0, count: rows)
        defer { counts.deallocate() }
        let shared = UnsafeSendable(counts)
        RowParallel.forEachChunk(rows: rows, threads: threads) { range in
            for r in range { shared.pointer[r] += 1 }
            if nested {  // a region inside a region: the workers are busy, so it must fall back
                let inner = UnsafeMutablePointer<Int>.allocate(capacity: 8)
                inner.initialize(repeating: 0, count: 8)
                let innerShared = UnsafeSendable(inner)
                RowParallel.forEachChunk(rows: 8, threads: 2) { r in for i in r { innerShared.pointer[i] += 1 } }
                precondition((0..<8).allSatisfy { inner[$0] == 1 })
                inner.deallocate()
            }
        }
        return Array(UnsafeBufferPointer(start: counts, count: rows))
    }

    @Test(arguments: [1, 2, 3, 8])
    func everyRowOnceInSuccessiveRegions(_ threads: Int) {
        for rows in [1, 2, 7, 1000] {
            for _ in 0..<50 { #expect(visits(rows: rows, threads: threads) == [Int](repeating: 1, count: rows), "\(rows) rows, \(threads) threads") }
        }
    }

    /// Regions whose workers have gone to sleep (past their spin) or are just waking: every row
    /// still once, whether a late worker finds its region done or the next one open.
    @Test func everyRowOnceAcrossSleepingWorkers() {
        for pause in [0, 20, 150, 2000, 50, 5000, 0] {
            for _ in 0..<10 {
                usleep(UInt32(pause))
                #expect(visits(rows: 64, threads: 2) == [Int](repeating: 1, count: 64), "after \(pause) µs")
            }
        }
    }

    /// The caller does not wait for a sleeping worker to wake: parts nobody has claimed when the
    /// caller is done with its own are the caller's. With trivial parts and the workers asleep,
    /// some region runs all its parts on the calling thread (waking a sleeping thread takes
    /// microseconds; claiming a part, nanoseconds). A pool that hands part t to worker t never does.
    @Test func theCallerRunsThePartsOfWorkersStillAsleep() throws {
        try #require(RowParallel.activeCores > 1, "one core: no workers, every region runs on the caller")
        let caller = pthread_self()
        var regionsOnTheCallerAlone = 0
        for _ in 0..<20 {
            usleep(5000)  // past the workers' spin: they sleep on the condition variable
            let threads = UnsafeMutablePointer<pthread_t>.allocate(capacity: 2)
            defer { threads.deallocate() }
            let shared = UnsafeSendable(threads)
            RowParallel.forEachChunk(rows: 2, threads: 2) { range in shared.pointer[range.lowerBound] = pthread_self() }
            if pthread_equal(threads[0], caller) != 0 && pthread_equal(threads[1], caller) != 0 { regionsOnTheCallerAlone += 1 }
        }
        #expect(regionsOnTheCallerAlone > 0)
    }

    @Test func concurrentAndNestedRegions() {
        let failures = UnsafeMutablePointer<Int>.allocate(capacity: 16)
        failures.initialize(repeating: 0, count: 16)
        defer { failures.deallocate() }
        let shared = UnsafeSendable(failures)
        DispatchQueue.concurrentPerform(iterations: 16) { caller in
            for round in 0..<40 where visits(rows: 513, threads: 2, nested: round % 3 == 0) != [Int](repeating: 1, count: 513) {
                shared.pointer[caller] += 1
            }
        }
        #expect((0..<16).allSatisfy { failures[$0] == 0 })
    }

    /// `withThreads` bounds the default count for the calls inside it, on that thread only, and
    /// restores it after; an explicit count still wins.
    @Test func aBoundThreadCountAppliesInsideItsCallOnly() {
        let big = 1 << 24
        #expect(RowParallel.defaultThreads == RowParallel.activeCores)
        RowParallel.withThreads(1) {
            #expect(RowParallel.defaultThreads == 1)
            #expect(RowParallel.threadCount(rows: big, cols: big, requested: nil) == 1)
            #expect(RowParallel.threadCount(rows: big, cols: big, requested: 3) == 3)
            RowParallel.withThreads(5) { #expect(RowParallel.defaultThreads == 5) }
            #expect(RowParallel.defaultThreads == 1)
            let done = DispatchSemaphore(value: 0)
            let seen = UnsafeSendable(UnsafeMutablePointer<Int>.allocate(capacity: 1))
            defer { seen.pointer.deallocate() }
            DispatchQueue.global().async {
                seen.pointer.pointee = RowParallel.defaultThreads
                done.signal()
            }
            done.wait()
            #expect(seen.pointer.pointee == RowParallel.activeCores, "another thread keeps the default")
        }
        RowParallel.withThreads(0) { #expect(RowParallel.defaultThreads == 1) }
        RowParallel.withThreads(nil) { #expect(RowParallel.defaultThreads == RowParallel.activeCores) }
        #expect(RowParallel.defaultThreads == RowParallel.activeCores)
    }
}
