import Testing

@testable import SoftmaxKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `RowParallel.together` (parts that wait for one another behind a barrier, so every part needs
/// a thread of its own at once): with the workers spinning the parts run; with the workers asleep
/// the caller does not wait for one to wake — it gets false and does the work alone — and a
/// worker that wakes later never runs a part of the abandoned region.
@Suite struct WorkerPoolTests {
    /// Runs a two-part region whose parts meet at the barrier; how many parts ran, or 0 when the
    /// region was declined.
    func region() -> Int {
        let count = UnsafeSendable(UnsafeMutablePointer<Int>.allocate(capacity: 2))
        defer { count.pointer.deallocate() }
        count.pointer.initialize(repeating: 0, count: 2)
        let ran = RowParallel.together(threads: 2) { t, barrier in
            count.pointer[t] = 1
            barrier.wait()
        }
        return ran ? count.pointer[0] + count.pointer[1] : count.pointer[0] + count.pointer[1] == 0 ? 0 : -1
    }

    @Test func declinedWhenAsleepRunWhenAwake() throws {
        try #require(RowParallel.activeCores > 1, "one core: no workers, every region is declined")
        var declined = 0
        for _ in 0..<20 {
            usleep(5000)  // past the workers' spin: they sleep on the condition variable
            switch region() {
            case 0: declined += 1
            case 2: break
            default: Issue.record("a region ran some of its parts and not others")
            }
            // Straight after a region the workers spin: back-to-back regions run.
            for _ in 0..<50 { #expect(region() != -1) }
        }
        #expect(declined > 0, "a region whose workers are asleep is declined, not waited for")
        var awake = 0
        for _ in 0..<200 where region() == 2 { awake += 1 }
        #expect(awake > 100, "regions back to back find the workers spinning")
    }
}
