import Testing

@testable import SoftmaxKit

/// Short rows go `T.lanes` at a time (`ThreePassSoftmax.rowGroups`), with each group's pass 1
/// either a pass of its own (large batches) or riding on the previous group's pass 2 (batches in
/// cache). Both must give the bits of the rows one by one, for every edge row, output and
/// temperature, out of place and in place.
@Suite struct RowGroupsTests {
    @Test(arguments: [1, 17, 100, 128, 1000])
    func fusedAndSeparatePass1GiveTheRowsBits(_ cols: Int) throws {
        try check(cols, as: Float.self)
    }

    @Test(arguments: [5, 128])
    func doubleFusedAndSeparatePass1GiveTheRowsBits(_ cols: Int) throws {
        try check(cols, as: Double.self)
    }

    /// Three full groups and 5 rows over (left to the caller), with edge rows in the first and
    /// the last group — a NaN, +∞, all −∞, a huge and a moderate range (the compensated
    /// exponential) — and none in the middle one (whose pass 1 must not take the previous
    /// group's edge rows' extrema for its own).
    func rows<T: KernelScalar>(_ cols: Int, as _: T.Type) -> [[T]] {
        var g = SplitMix64(seed: UInt64(cols) + 77)
        let count = 3 * T.lanes + 5
        var rows: [[T]] = (0..<count).map { _ in (0..<cols).map { _ in T(4 * g.normal()) } }
        for r in [0, 2 * T.lanes] {
            rows[r + 1][cols / 2] = .nan
            rows[r + 2][cols - 1] = .infinity
            rows[r + 4] = [T](repeating: -.infinity, count: cols)
            rows[r + 5][0] = 1e30
            rows[r + 7][cols - 1] = -40
        }
        rows[3 * T.lanes - 1] = [T](repeating: -.infinity, count: cols)  // an edge row in the last group
        return rows
    }

    func check<T: KernelScalar>(_ cols: Int, as _: T.Type) throws {
        let rows = rows(cols, as: T.self)
        let count = rows.count, flat = rows.flatMap { $0 }
        for output in [RowOutput.probabilities, .logProbabilities] {
            for temperature in [1.0, 0.7] {
                let s = T(1 / temperature)
                // The rows one by one, through the public kernel.
                let options = SoftmaxOptions(temperature: temperature, threads: 1)
                let expected: [T] = try rows.flatMap { row in
                    try applyRow(row) { x, y in
                        output == .probabilities
                            ? try ExactSoftmax.softmax(x, into: y, options: options)
                            : try ExactSoftmax.logSoftmax(x, into: y, options: options)
                    }
                }
                let grouped = 3 * T.lanes * cols
                for fused in [true, false] {
                    for inPlace in [false, true] {
                        var y = inPlace ? flat : [T](repeating: 0, count: flat.count)
                        let rest = y.withUnsafeMutableBufferPointer { yb in
                            let yBatch = MutableRowBatch(yb, rows: count, cols: cols)
                            if inPlace {
                                return ThreePassSoftmax.rowGroups(
                                    RowBatch(base: UnsafePointer(yb.baseAddress!), rows: count, cols: cols),
                                    yBatch, rows: 0..<count, inverseTemperature: s, output: output,
                                    fusingPass1: fused)
                            }
                            return flat.withUnsafeBufferPointer { xb in
                                ThreePassSoftmax.rowGroups(
                                    RowBatch(xb, rows: count, cols: cols), yBatch, rows: 0..<count,
                                    inverseTemperature: s, output: output, fusingPass1: fused)
                            }
                        }
                        #expect(rest == 3 * T.lanes)
                        let same = y[..<grouped].withUnsafeBytes { a in expected[..<grouped].withUnsafeBytes { b in a.elementsEqual(b) } }
                        #expect(same, "\(output), \(cols) columns, T = \(temperature), fused pass 1: \(fused), in place: \(inPlace), \(T.self)")
                    }
                }
            }
        }
    }
}
