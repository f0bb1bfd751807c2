import SoftmaxKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The edge contract for every algorithm, both precisions, all three outputs, with the
/// special values placed in the vector body, in the tail, and at both ends.
@Suite struct ExactSoftmaxEdgeCaseTests {
    struct Outputs<T: KernelScalar> {
        var softmax: [T], logSoftmax: [T], logSumExp: T
    }

    func outputs<T: KernelScalar>(_ x: [T], _ algorithm: SoftmaxAlgorithm, mask: [Bool]? = nil) throws -> Outputs<T> {
        let options = SoftmaxOptions(algorithm: algorithm)
        let n = x.count
        func withMask<R>(_ body: (RowBatch<Bool>?) throws -> R) rethrows -> R {
            guard let mask else { return try body(nil) }
            return try mask.withUnsafeBufferPointer { try body(RowBatch($0, rows: 1, cols: n)) }
        }
        let y = try withMask { m in try applyRow(x) { try ExactSoftmax.softmax($0, into: $1, mask: m, options: options) } }
        let l = try withMask { m in try applyRow(x) { try ExactSoftmax.logSoftmax($0, into: $1, mask: m, options: options) } }
        var lse = [T](repeating: 0, count: 1)
        try withMask { m in
            try x.withUnsafeBufferPointer { xb in
                try lse.withUnsafeMutableBufferPointer { try ExactSoftmax.logSumExp(RowBatch(xb, rows: 1, cols: n), into: $0, mask: m, options: options) }
            }
        }
        return Outputs(softmax: y, logSoftmax: l, logSumExp: lse[0])
    }

    /// Rows of the given length with the special values at these positions.
    static let placements: [(length: Int, positions: [Int])] = [(1, [0]), (5, [2]), (16, [0, 15]), (37, [36]), (100, [0, 63, 99]), (4099, [4097])]

    func checkAll<T: KernelScalar>(_: T.Type) throws {
        for algorithm in SoftmaxAlgorithm.allCases {
            // Empty row.
            let e: Outputs<T> = try outputs([], algorithm)
            #expect(e.softmax.isEmpty && e.logSumExp == -.infinity)

            for (n, positions) in Self.placements {
                var g = SplitMix64(seed: UInt64(n))
                let base = (0..<n).map { _ in T(g.normal()) }

                // NaN anywhere → the whole row NaN.
                var x = base
                x[positions[0]] = .nan
                var o = try outputs(x, algorithm)
                #expect(o.softmax.allSatisfy(\.isNaN) && o.logSoftmax.allSatisfy(\.isNaN) && o.logSumExp.isNaN, "\(T.self) \(algorithm) NaN n=\(n)")

                // +∞ entries share the mass.
                x = base
                for p in positions { x[p] = .infinity }
                o = try outputs(x, algorithm)
                let share = T(1) / T(positions.count)
                for i in 0..<n {
                    let inf = positions.contains(i)
                    #expect(o.softmax[i] == (inf ? share : 0), "\(T.self) \(algorithm) +∞ n=\(n) i=\(i)")
                    #expect(inf ? abs(o.logSoftmax[i] + T.scalarLog(T(positions.count))) < 1e-6 : o.logSoftmax[i] == -.infinity)
                }
                #expect(o.logSumExp == .infinity)

                // All −∞ (fully masked) → zeros, never NaN.
                o = try outputs([T](repeating: -.infinity, count: n), algorithm)
                #expect(
                    o.softmax.allSatisfy { $0 == 0 } && o.logSoftmax.allSatisfy { $0 == -.infinity } && o.logSumExp == -.infinity,
                    "\(T.self) \(algorithm) all −∞ n=\(n)")

                // Some −∞ → exactly 0 there; the rest is the softmax of the finite entries.
                if n > positions.count {
                    x = base
                    for p in positions { x[p] = -.infinity }
                    o = try outputs(x, algorithm)
                    let finite = (0..<n).filter { !positions.contains($0) }
                    let ref = SoftmaxReference.softmax(finite.map { Double(x[$0]) })
                    for p in positions { #expect(o.softmax[p] == 0 && o.logSoftmax[p] == -.infinity) }
                    for (k, i) in finite.enumerated() { #expect(abs(Double(o.softmax[i]) - ref[k]) <= 1e-6 * ref[k] + 1e-30) }
                }
            }

            // A single finite entry.
            for v: T in [0, -3.5, 1e4, -1e4] {
                let o = try outputs([v], algorithm)
                #expect(o.softmax == [1], "\(T.self) \(algorithm) single \(v)")
                if algorithm == .twoPass {
                    // logsumexp is rebuilt from (M, N) = (e^{v − N·ln2}, N): exact to rounding only.
                    let tolerance = 4 * max(v.magnitude, 1).ulp
                    #expect(o.logSoftmax[0].magnitude <= tolerance && (o.logSumExp - v).magnitude <= tolerance)
                } else {
                    #expect(o.logSoftmax == [0] && o.logSumExp == v, "\(T.self) \(algorithm) single \(v)")
                }
            }
        }
    }

    @Test func floatContract() throws { try checkAll(Float.self) }
    @Test func doubleContract() throws { try checkAll(Double.self) }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func maskedPositionsAreNeverRead(_ algorithm: SoftmaxAlgorithm) throws {
        for n in [1, 7, 40, 1000] {
            var g = SplitMix64(seed: 5)
            var x = (0..<n).map { _ in Float(g.normal()) }
            let mask = (0..<n).map { $0 % 3 != 1 }
            for i in 0..<n where !mask[i] { x[i] = i % 2 == 0 ? .nan : .infinity }
            let o = try outputs(x, algorithm, mask: mask)
            let kept = (0..<n).filter { mask[$0] }
            let ref = SoftmaxReference.softmax(kept.map { Double(x[$0]) })
            for i in 0..<n where !mask[i] { #expect(o.softmax[i] == 0 && o.logSoftmax[i] == -.infinity) }
            for (k, i) in kept.enumerated() { #expect(abs(Double(o.softmax[i]) - ref[k]) <= 2e-6 * ref[k]) }
            #expect(abs(Double(o.logSumExp) - SoftmaxReference.logSumExp(kept.map { Double(x[$0]) })) <= 1e-5)

            // A fully masked row gives zeros, whatever it holds.
            let none = try outputs([Float](repeating: .nan, count: n), algorithm, mask: [Bool](repeating: false, count: n))
            #expect(none.softmax.allSatisfy { $0 == 0 } && none.logSumExp == -.infinity)
        }
    }

    /// A batch equals its rows computed one by one (the batch path groups rows of ≤
    /// `groupedRowElements` by `lanes` — 16 in Float, 8 in Double — and fuses each longer row's
    /// first pass into a pass over the previous row: pass 3 for rows ≤ 4096, pass 2 for long rows
    /// and for rows ≤ 4096 in batches over `pass2FusionBytes`), with edge rows between ordinary
    /// ones, in full groups and in the rows left over, at temperature 1 and 0.7, on one and two
    /// threads, and every tail length.
    @Test(arguments: [1, 5, 15, 16, 17, 100, 128, 256, 257, 1000, 4096, 4097, 40000])
    func batchEqualsItsRowsOneByOne(_ cols: Int) throws {
        try checkBatchEqualsItsRows(cols, as: Float.self)
    }

    @Test(arguments: [5, 17, 128, 4097, 40000])
    func doubleBatchEqualsItsRowsOneByOne(_ cols: Int) throws {
        try checkBatchEqualsItsRows(cols, as: Double.self)
    }

    /// 600 rows of 1000 and 300 of 4000 (2.4 and 4.8 MB): past L2 per thread on one and on two
    /// threads, within the L3 — each row's pass 1 rides on the previous row's pass 2.
    @Test(arguments: [(rows: 600, cols: 1000), (rows: 300, cols: 4000)])
    func batchPastL2EqualsItsRowsOneByOne(_ shape: (rows: Int, cols: Int)) throws {
        try checkBatchEqualsItsRows(shape.cols, rows: shape.rows, as: Float.self)
    }

    func checkBatchEqualsItsRows<T: KernelScalar>(_ cols: Int, rows count: Int? = nil, as _: T.Type) throws {
        var g = SplitMix64(seed: UInt64(cols))
        let count = count ?? (cols > 4096 ? 9 : 41)  // 41: two full Float groups and 9 rows over (one thread)
        var rows: [[T]] = (0..<count).map { _ in (0..<cols).map { _ in T(4 * g.normal()) } }
        for r in stride(from: 0, to: count, by: 16) where r + 7 < count {
            rows[r + 1][cols / 2] = .nan
            rows[r + 2][cols - 1] = .infinity
            rows[r + 4] = [T](repeating: -.infinity, count: cols)
            rows[r + 6][0] = 1e30  // a huge range: the compensated exponential
            rows[r + 7][cols - 1] = -40  // a range over 31 (when the row has another element): compensated
        }
        typealias Kernel = (RowBatch<T>, MutableRowBatch<T>, SoftmaxOptions) throws -> Void
        let kernels: [(String, Kernel)] = [
            ("softmax", { try ExactSoftmax.softmax($0, into: $1, options: $2) }),
            ("log-softmax", { try ExactSoftmax.logSoftmax($0, into: $1, options: $2) }),
        ]
        for (name, kernel) in kernels {
            for (t, temperature) in [(1, 1.0), (2, 1.0), (1, 0.7), (2, 0.7)] {
                let options = SoftmaxOptions(temperature: temperature, threads: t)
                var batch = [T](repeating: 0, count: count * cols)
                let flat = rows.flatMap { $0 }
                try flat.withUnsafeBufferPointer { xb in
                    try batch.withUnsafeMutableBufferPointer {
                        try kernel(RowBatch(xb, rows: count, cols: cols), MutableRowBatch($0, rows: count, cols: cols), options)
                    }
                }
                for (r, row) in rows.enumerated() {
                    let single = try applyRow(row) { try kernel($0, $1, options) }
                    let part = Array(batch[(r * cols)..<((r + 1) * cols)])
                    let sameBits = part.withUnsafeBytes { a in single.withUnsafeBytes { b in a.elementsEqual(b) } }
                    #expect(sameBits, "\(name) row \(r), \(cols) columns, \(t) threads, T = \(temperature), \(T.self)")
                }
            }
        }
    }
}
