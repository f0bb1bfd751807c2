import SoftmaxKit
import Testing

/// Every algorithm, both precisions, against the float64 reference over the named distributions
/// and lengths that hit tile boundaries (1, lanes ± 1, unroll ± 1, block ± 1, primes) up to 10⁶.
@Suite struct ExactSoftmaxAccuracyTests {
    static let lengths = [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1000, 4095, 4096, 4097, 10007, 100_000]

    func check<T: KernelScalar>(_ x: [T], algorithm: SoftmaxAlgorithm, label: String) throws {
        let n = x.count
        let tol = ExactTolerance.of(T.self, length: n)
        let options = SoftmaxOptions(algorithm: algorithm)
        let xd = x.map { Double($0) }
        let ref = SoftmaxReference.softmax(xd), refLog = SoftmaxReference.logSoftmax(xd), refLSE = SoftmaxReference.logSumExp(xd)

        let y = try applyRow(x) { try ExactSoftmax.softmax($0, into: $1, options: options) }
        var worst = 0.0
        let sum = SoftmaxReference.sum(y)
        for i in 0..<n {
            if ref[i] >= tol.smallestChecked { worst = max(worst, abs(Double(y[i]) - ref[i]) / ref[i]) }
        }
        #expect(worst <= tol.softmaxRelative, "\(T.self) \(algorithm) softmax \(label) n=\(n): relative error \(worst)")
        #expect(abs(sum - 1) <= tol.rowSum, "\(T.self) \(algorithm) softmax \(label) n=\(n): row sum \(sum)")

        let l = try applyRow(x) { try ExactSoftmax.logSoftmax($0, into: $1, options: options) }
        var worstLog = 0.0
        for i in 0..<n { worstLog = max(worstLog, abs(Double(l[i]) - refLog[i]) / max(1, abs(refLog[i]))) }
        #expect(worstLog <= tol.logSoftmaxAbsolute, "\(T.self) \(algorithm) log-softmax \(label) n=\(n): error \(worstLog)")

        var lse = [T](repeating: 0, count: 1)
        try x.withUnsafeBufferPointer { xb in
            try lse.withUnsafeMutableBufferPointer { try ExactSoftmax.logSumExp(RowBatch(xb, rows: 1, cols: n), into: $0, options: options) }
        }
        let lseError = abs(Double(lse[0]) - refLSE) / max(abs(refLSE), 1)
        #expect(lseError <= tol.logSumExpRelative, "\(T.self) \(algorithm) logsumexp \(label) n=\(n): \(lse[0]) vs \(refLSE)")
    }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func floatMatchesReference(_ algorithm: SoftmaxAlgorithm) throws {
        for n in Self.lengths {
            for (label, x) in TestRows.all(n, seed: UInt64(n), as: Float.self) { try check(x, algorithm: algorithm, label: label) }
        }
    }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func doubleMatchesReference(_ algorithm: SoftmaxAlgorithm) throws {
        for n in Self.lengths {
            for (label, x) in TestRows.all(n, seed: UInt64(n) + 7, as: Double.self) { try check(x, algorithm: algorithm, label: label) }
        }
    }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func millionElementRows(_ algorithm: SoftmaxAlgorithm) throws {
        for (label, x) in TestRows.all(1_000_000, seed: 99, as: Float.self) { try check(x, algorithm: algorithm, label: label) }
        for (label, x) in TestRows.all(1_000_000, seed: 98, as: Double.self).prefix(2) { try check(x, algorithm: algorithm, label: label) }
    }

    /// Rows whose range is just under the compensation threshold (24 … 31 in Float) take the
    /// plain exponential, where `x − m` rounds by up to 2⁻²⁰: still within the 2·10⁻⁶ bound. A
    /// batch of 64 such rows (grouped by 16) of 128, and of 300 (row by row), with a maximum of many
    /// significant bits so the subtraction is inexact.
    @Test(arguments: [128, 300])
    func rangesJustUnderTheCompensationThreshold(_ cols: Int) throws {
        var g = SplitMix64(seed: 31)
        let rows = 64
        var x = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            let top = Float(g.openUniform() * 6 - 3), span = Float(24 + 6.99 * g.openUniform())
            for i in 0..<cols { x[r * cols + i] = top - span * Float(g.openUniform()) }
            x[r * cols] = top
            x[r * cols + cols - 1] = top - span
        }
        var y = [Float](repeating: 0, count: rows * cols)
        try x.withUnsafeBufferPointer { xb in
            try y.withUnsafeMutableBufferPointer {
                try ExactSoftmax.softmax(RowBatch(xb, rows: rows, cols: cols), into: MutableRowBatch($0, rows: rows, cols: cols))
            }
        }
        var worst = 0.0
        for r in 0..<rows {
            let ref = SoftmaxReference.softmax(x[(r * cols)..<((r + 1) * cols)].map { Double($0) })
            for i in 0..<cols where ref[i] >= 1e-30 { worst = max(worst, abs(Double(y[r * cols + i]) - ref[i]) / ref[i]) }
        }
        #expect(worst <= 2e-6, "relative error \(worst)")
    }
}
