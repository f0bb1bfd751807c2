import SoftmaxKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The online state `(m, d)` and its merge; the two-pass extended sum `(M, N)`.
@Suite struct SoftmaxStateTests {
    @Test func mergeIsTheLogSumExpOfTheUnion() {
        var g = SplitMix64(seed: 21)
        for _ in 0..<500 {
            let a = (0..<Int.random(in: 1...40, using: &g)).map { _ in 10 * g.normal() }
            let b = (0..<Int.random(in: 1...40, using: &g)).map { _ in 10 * g.normal() + 5 }
            func state(_ x: [Double]) -> SoftmaxState {
                let m = x.max()!
                return SoftmaxState(maximum: m, sum: x.reduce(0) { $0 + exp($1 - m) })
            }
            let merged = state(a).merged(with: state(b))
            #expect(abs(merged.logSumExp - SoftmaxReference.logSumExp(a + b)) <= 1e-13 * max(1, abs(merged.logSumExp)))
            #expect(merged.maximum == max(a.max()!, b.max()!))
            // Commutative.
            let swapped = state(b).merged(with: state(a))
            #expect(abs(swapped.sum - merged.sum) <= 1e-15 * merged.sum)
        }
    }

    @Test func mergeIdentityAndSpecialValues() {
        let s = SoftmaxState(maximum: 2, sum: 3)
        #expect(s.merged(with: SoftmaxState()) == s)
        #expect(SoftmaxState().merged(with: s) == s)
        #expect(SoftmaxState().merged(with: SoftmaxState()) == SoftmaxState())
        #expect(SoftmaxState().logSumExp == -.infinity)
        #expect(s.merged(with: SoftmaxState(maximum: .nan, sum: .nan)).maximum.isNaN)
        let inf = s.merged(with: SoftmaxState(maximum: .infinity, sum: 2))
        #expect(inf.maximum == .infinity && inf.sum == 2)
    }

    @Test(arguments: [1, 17, 1000, 50_000])
    func onlineStatesMatchTheRows(_ n: Int) throws {
        var g = SplitMix64(seed: UInt64(n))
        let rows = 3
        let x = (0..<(rows * n)).map { _ in Float(5 * g.normal()) }
        var y = [Float](repeating: 0, count: x.count)
        var states = [SoftmaxState](repeating: SoftmaxState(), count: rows)
        try x.withUnsafeBufferPointer { xb in
            try y.withUnsafeMutableBufferPointer { yb in
                try states.withUnsafeMutableBufferPointer {
                    try ExactSoftmax.onlineSoftmax(RowBatch(xb, rows: rows, cols: n), into: MutableRowBatch(yb, rows: rows, cols: n), states: $0)
                }
            }
        }
        for r in 0..<rows {
            let row = x[(r * n)..<((r + 1) * n)].map { Double($0) }
            #expect(states[r].maximum == row.max()!)
            #expect(abs(states[r].logSumExp - SoftmaxReference.logSumExp(row)) <= 1e-6 * max(1, abs(states[r].logSumExp)))
        }
        // Merging the states of two halves of a row gives the state of the row.
        if n >= 2 {
            let half = n / 2
            var parts = [SoftmaxState](repeating: SoftmaxState(), count: 2)
            try x.withUnsafeBufferPointer { xb in
                try parts.withUnsafeMutableBufferPointer { p in
                    try ExactSoftmax.onlineSoftmax(
                        RowBatch(base: xb.baseAddress!, rows: 1, cols: half), into: nil, states: UnsafeMutableBufferPointer(rebasing: p[0..<1]))
                    try ExactSoftmax.onlineSoftmax(
                        RowBatch(base: xb.baseAddress! + half, rows: 1, cols: n - half), into: nil, states: UnsafeMutableBufferPointer(rebasing: p[1..<2]))
                }
            }
            let whole = parts[0].merged(with: parts[1])
            #expect(abs(whole.logSumExp - states[0].logSumExp) <= 1e-6 * max(1, abs(whole.logSumExp)))
        }
    }

    @Test(arguments: [1, 33, 5000])
    func twoPassSumsAreCanonical(_ n: Int) throws {
        var g = SplitMix64(seed: UInt64(n) + 1)
        let x = (0..<n).map { _ in Float(30 * g.normal()) }
        var sums = [ExtendedSum](repeating: ExtendedSum(), count: 1)
        try x.withUnsafeBufferPointer { xb in
            try sums.withUnsafeMutableBufferPointer { try ExactSoftmax.twoPassSoftmax(RowBatch(xb, rows: 1, cols: n), into: nil, sums: $0) }
        }
        // N is the largest rne(xᵢ·log₂e); M = Σ mᵢ·2^{nᵢ−N} reproduces the logsumexp.
        let expectedN = x.map { (Double($0) / M_LN2).rounded(.toNearestOrEven) }.max()!
        #expect(sums[0].exponentSum == expectedN)
        #expect(sums[0].mantissaSum >= 0.7 && sums[0].mantissaSum <= 1.42 * Double(n))
        let lse = SoftmaxReference.logSumExp(x.map { Double($0) })
        #expect(abs(sums[0].logSumExp - lse) <= 1e-6 * max(1, abs(lse)))
        // A fully masked row: (0, −∞).
        let empty = [Float](repeating: -.infinity, count: n)
        try empty.withUnsafeBufferPointer { xb in
            try sums.withUnsafeMutableBufferPointer { try ExactSoftmax.twoPassSoftmax(RowBatch(xb, rows: 1, cols: n), into: nil, sums: $0) }
        }
        #expect(sums[0] == ExtendedSum())
    }

    @Test func twoPassOutsideItsDomainAgreesWithThreePass() throws {
        // |x| beyond 2^21·ln2: the two-pass kernel hands the row to three-pass-recompute.
        let x: [Float] = [3e6, 3e6 + 1, 3e6 - 2, -5e6]
        let a = try applyRow(x) { try ExactSoftmax.softmax($0, into: $1, options: SoftmaxOptions(algorithm: .twoPass)) }
        let b = try applyRow(x) { try ExactSoftmax.softmax($0, into: $1, options: SoftmaxOptions(algorithm: .threePassRecompute)) }
        #expect(a == b)
        let ref = SoftmaxReference.softmax(x.map { Double($0) })
        for i in 0..<4 where ref[i] > 1e-30 { #expect(abs(Double(a[i]) - ref[i]) <= 2e-6 * ref[i]) }
    }
}
