import SoftmaxKit

/// Time-budgeted throughput of any normalizer or activation, for the lab's error × speed points:
/// one float32 batch of `rows × cols` (by default L2-resident), repeated until each of five
/// samples lasts about `budget/6` seconds; the median sample counts 4 bytes read + 4 written per
/// element. Cheap to run for slow methods too (a sort-based one is not run 10⁴ times).
public enum Throughput {
    /// One timed batch.
    public struct Point: Sendable, Codable, Equatable {
        /// Rows in the batch.
        public var rows: Int
        /// Elements per row.
        public var cols: Int
        /// Median seconds per call.
        public var seconds: Double
        /// GB/s, counting 4 bytes read + 4 written per element.
        public var gbps: Double
        /// Elements per nanosecond.
        public var elementsPerNs: Double

        enum CodingKeys: String, CodingKey { case rows, cols, seconds, gbps, elementsPerNs = "elements_per_ns" }
    }

    /// Times `body(input, output, threads)` on a float32 batch of `rows × cols`, within about `budget` seconds.
    public static func measure(
        rows: Int, cols: Int, threads: Int, budget: Double,
        _ body: (RowBatch<Float>, MutableRowBatch<Float>, Int) throws -> Void
    ) throws -> Point {
        let count = rows * cols
        let buffers = TimedBuffers(count: count)
        defer { buffers.deallocate() }
        let (x, y) = (buffers.x, buffers.y)
        var g = SeededGenerator(seed: 42)
        for i in 0..<count { x[i] = Float(3 * g.normal()) }
        y.initialize(repeating: 0, count: count)
        let input = RowBatch(base: UnsafePointer(x), rows: rows, cols: cols), output = MutableRowBatch(base: y, rows: rows, cols: cols)
        let once = try Timing.median(repeats: 1) { try body(input, output, threads) }
        let inner = max(1, min(100_000, Int(budget / 6 / max(once, 1e-9))))
        let total = try Timing.median(repeats: 5) { for _ in 0..<inner { try body(input, output, threads) } }
        let seconds = total / Double(inner)
        return Point(
            rows: rows, cols: cols, seconds: seconds, gbps: Double(count) * 8 / seconds / 1e9,
            elementsPerNs: Double(count) / seconds / 1e9)
    }

    /// A registered normalizer or element-wise method, by variant.
    public static func measure(
        _ v: MethodVariant, rows: Int = 96, cols: Int = 1024, threads: Int = 1, budget: Double = 0.3,
        registry: MethodRegistry = .standard
    ) throws -> Point {
        let method = try registry.method(v.id)
        let values = try method.resolve(v.parameters)
        if let make = method.normalizer {
            let n = try make(values)
            return try measure(rows: rows, cols: cols, threads: threads, budget: budget) { try n.normalize($0, into: $1, mask: nil, threads: $2) }
        }
        if let make = method.activation {
            let a = try make(values)
            return try measure(rows: rows, cols: cols, threads: threads, budget: budget) { try a.activate($0, into: $1, threads: $2) }
        }
        throw LabError.notElementwise(v.id)
    }
}
