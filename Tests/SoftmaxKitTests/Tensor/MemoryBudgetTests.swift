import SoftmaxKit
import Testing

/// Sizes checked before allocation: overflow, negative sizes and requests beyond the machine's
/// memory are errors naming the request; what fits is counted exactly.
@Suite struct MemoryBudgetTests {
    @Test func whatFitsIsCountedExactly() throws {
        #expect(try MemoryBudget.require([([3, 5], 4), ([7], 8)], for: "x") == 3 * 5 * 4 + 7 * 8)
        #expect(try MemoryBudget.require([([0, Int.max], 8)], for: "empty") == 0)
        #expect(MemoryBudget.availableBytes > 1 << 20)
    }

    @Test func overflowNegativeAndTooLargeAreRefused() {
        #expect(throws: MemoryBudgetError.overflow(what: "--rows × --cols")) {
            try MemoryBudget.require([([1 << 32, 1 << 32], 4)], for: "--rows × --cols")
        }
        #expect(throws: MemoryBudgetError.overflow(what: "two buffers")) {
            try MemoryBudget.require([([Int.max / 2], 1), ([Int.max / 2 + 2], 1)], for: "two buffers")
        }
        #expect(throws: MemoryBudgetError.negative(what: "n")) { try MemoryBudget.require([([-1], 4)], for: "n") }
        let huge = MemoryBudget.availableBytes / 2 + 1
        #expect(throws: MemoryBudgetError.self) { try MemoryBudget.require([([huge], 2)], for: "n") }
    }

    @Test func theMessageIsOneLineWithTheSizes() {
        let message = MemoryBudgetError.insufficient(what: "bench --seq 9", needed: 3 << 40, available: 16 << 30).description
        #expect(message == "bench --seq 9 needs 3.0 TiB, more than the 16.0 GiB of memory available; use smaller sizes")
        #expect(!MemoryBudgetError.overflow(what: "n").description.contains("\n"))
    }
}
