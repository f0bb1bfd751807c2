import Testing

@testable import SoftmaxKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `WorkerPool.run` for parts that must run at once (behind a barrier, as `RowParallel.together`
/// gives `SplitRows`), on a pool of the test's own so that no other test keeps it busy: with the
/// worker asleep the caller does not wait for it to wake — the region is declined and none of its
/// parts runs; with the worker spinning the region runs, every part once.
@Suite struct WorkerPoolTests {
    let pool = WorkerPool(workers: 1)

    /// Runs a two-part region: the parts that ran, or 0 when the region was declined.
    func region() -> Int {
        let runs = UnsafeSendable(UnsafeMutablePointer<Int>.allocate(capacity: 2))
        defer { runs.pointer.deallocate() }
        runs.pointer.initialize(repeating: 0, count: 2)
        let ran = pool.run(2, shareable: false) { t in runs.pointer[t] += 1 }
        let parts = runs.pointer[0] + runs.pointer[1]
        #expect(ran ? runs.pointer[0] == 1 && runs.pointer[1] == 1 : parts == 0, "declined regions run nothing; others every part once")
        return ran ? parts : 0
    }

    @Test func declinedWhileTheWorkerSleeps() {
        var declined = 0
        for _ in 0..<20 {
            usleep(5000)  // past the worker's spin: it sleeps on the condition variable
            if region() == 0 { declined += 1 }
        }
        #expect(declined > 0, "a region whose worker is asleep is declined, not waited for")
    }

    @Test func runWhileTheWorkerSpins() {
        // The first regions wake the worker (and are declined); once it spins, a region runs.
        // Tried for up to a second: on a loaded machine the worker waits for a core.
        var start = timespec(), now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        var ran = false
        repeat {
            ran = region() == 2
            clock_gettime(CLOCK_MONOTONIC, &now)
        } while !ran && now.tv_sec - start.tv_sec < 2
        #expect(ran, "a region finds the worker spinning right after another")
    }
}
