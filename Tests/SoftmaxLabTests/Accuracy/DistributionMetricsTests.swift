import Foundation
import SoftmaxKit
import Testing

@testable import SoftmaxLab

/// The lab's normalizer metrics on rows whose answers are known by hand, their bounds on any
/// input (TV in [0, 1], KL ≥ 0), and merging.
@Suite struct DistributionMetricsTests {
    func metrics(_ rows: [(q: [Double], p: [Double])], logScale: Bool = false) -> DistributionMetrics {
        var m = DistributionMetrics()
        for (q, p) in rows { m.add(output: q[...], exact: p[...], logScale: logScale) }
        return m
    }

    @Test func theExactRowsScoreZero() {
        let p = SoftmaxReference.softmax([1, 2, 3, -1, 0.5])
        let m = metrics([(p, p), (p, p)])
        #expect(m.rows == 2 && m.maxAbsolute == 0 && m.maxRelative == 0 && m.maxKL == 0 && m.meanKL == 0)
        #expect(m.maxTotalVariation == 0 && m.top1Agreement == 1 && m.nanRows == 0)
        #expect(m.maxRowSumError <= 2e-16)
        let logs = metrics([(SoftmaxReference.logSoftmax([1, 2, 3, -1, 0.5]), p)], logScale: true)
        #expect(logs.maxAbsolute <= 1e-15 && logs.maxTotalVariation <= 1e-15)
    }

    @Test func aRowWorkedByHand() {
        // p = [½, ½], q = [1, 0]: TV ½, |Δ| ½, relative 1, KL = ½·log(½/1) + ½·log(½/2⁻¹⁴⁹).
        let m = metrics([(q: [1, 0], p: [0.5, 0.5])])
        #expect(m.maxAbsolute == 0.5 && m.maxRelative == 1 && m.maxTotalVariation == 0.5 && m.maxRowSumError == 0)
        let kl = 0.5 * log(0.5) + 0.5 * log(0.5 / DistributionMetrics.klFloor)
        #expect(abs(m.maxKL - kl) <= 1e-13 * kl)
        #expect(m.top1Agreement == 1)  // ties go to the lower index: both argmaxes are 0
        let flipped = metrics([(q: [0, 1], p: [0.5, 0.5])])
        #expect(flipped.top1Agreement == 0)
        // Log scale: |y − log p| over p > 0; the rest on probabilities.
        let logScale = metrics([(q: [log(0.25), log(0.75)], p: [0.5, 0.5])], logScale: true)
        #expect(abs(logScale.maxAbsolute - abs(log(0.25) - log(0.5))) <= 1e-15)
        #expect(abs(logScale.maxTotalVariation - 0.25) <= 1e-15)
    }

    @Test func nanRowsAreCounted() {
        let m = metrics([(q: [.nan, 0.5], p: [0.5, 0.5]), (q: [0.5, 0.5], p: [0.5, 0.5])])
        #expect(m.nanRows == 1 && m.maxAbsolute.isNaN && m.rows == 2)
    }

    @Test func boundsHoldOnAnyDistribution() {
        var g = SeededGenerator(seed: 9)
        for n in [1, 2, 7, 100] {
            for _ in 0..<200 {
                let p = SoftmaxReference.softmax((0..<n).map { _ in 30 * g.normal() })
                var q = (0..<n).map { _ in g.normal() < 0 ? 0 : abs(g.normal()) }
                let s = q.reduce(0, +)
                q = s > 0 ? q.map { $0 / s } : p
                let m = metrics([(q, p)])
                #expect(m.maxTotalVariation >= 0 && m.maxTotalVariation <= 1 + 1e-15, "TV \(m.maxTotalVariation)")
                #expect(m.maxKL >= 0 && m.maxKL.isFinite, "KL \(m.maxKL)")
            }
        }
    }

    /// Rows of equal huge values: the reference must be 1/n each (a reference that rounds
    /// `m + log Σ` to m returns 1 each, and the TV of the exact answer comes out as 7.5).
    @Test(arguments: [1e15, 1e17, 1e20, 1e38, 3.4e38, Double.greatestFiniteMagnitude])
    func hugeEqualLogitsHaveAUniformReference(_ v: Double) {
        let p = SoftmaxReference.softmax([Double](repeating: v, count: 16))
        #expect(p.allSatisfy { $0 == 1.0 / 16 }, "\(v): \(p[0])")
        let m = metrics([(q: [Double](repeating: 1.0 / 16, count: 16), p: p)])
        #expect(m.maxTotalVariation == 0)
        let spread = SoftmaxReference.softmax([v, v - v / 1e5, 0, 5])  // the gap dwarfs exp's range
        #expect(spread == [1, 0, 0, 0], "\(v): \(spread)")
    }

    @Test func mergingEqualsAddingEveryRow() {
        var g = SeededGenerator(seed: 3)
        let rows = (0..<30).map { _ in
            let p = SoftmaxReference.softmax((0..<9).map { _ in 3 * g.normal() })
            let q = SoftmaxReference.softmax(p.map { log(max($0, 1e-300)) + 0.1 * g.normal() })
            return (q: q, p: p)
        }
        var merged = metrics(Array(rows[..<11]))
        merged.merge(metrics(Array(rows[11...])))
        let all = metrics(rows)
        #expect(merged.rows == all.rows && merged.maxKL == all.maxKL && merged.maxTotalVariation == all.maxTotalVariation)
        #expect(abs(merged.meanKL - all.meanKL) <= 1e-15 * all.meanKL && abs(merged.meanTotalVariation - all.meanTotalVariation) <= 1e-15)
        #expect(abs(merged.top1Agreement - all.top1Agreement) <= 1e-15)
    }
}

/// The element-wise metrics: absolute, relative and ULP errors on values whose answers are known.
@Suite struct ElementwiseMetricsTests {
    @Test func ulpsOfKnownDistances() {
        let r = 1.5
        let spacing = Double(Float(r).ulp)
        #expect(ElementwiseMetrics.ulpDistance(r + spacing, r) == 1)
        #expect(ElementwiseMetrics.ulpDistance(r + spacing / 2, r) == 0.5)
        #expect(ElementwiseMetrics.ulpDistance(r - 3 * spacing, r) == 3)
        // Wild values count the float32 values between them: never more than 2³².
        for (y, ref) in [
            (1e30, 1.0), (-1e30, 1.0), (Double.infinity, 1.0), (-Double(Float.greatestFiniteMagnitude), Double(Float.greatestFiniteMagnitude)),
            (2.0e36, 1e-30),
        ] {
            let u = ElementwiseMetrics.ulpDistance(y, ref)
            #expect(u >= 1 && u <= 0x1p32, "\(y) vs \(ref): \(u)")
        }
    }

    @Test func accumulatesAndMerges() {
        var a = ElementwiseMetrics(), b = ElementwiseMetrics()
        a.add(x: 0, y: 1.0 + 1e-7, reference: 1)
        a.add(x: 1, y: .nan, reference: 2)
        b.add(x: 2, y: 3e-7, reference: 1e-7)  // below the relative floor: no relative error
        #expect(a.nanCount == 1 && abs(a.maxAbsolute - 1e-7) < 1e-15 && abs(a.maxRelative - 1e-7) < 1e-15 && a.worstArgument == 0)
        #expect(b.maxRelative == 0 && abs(b.maxAbsolute - 2e-7) < 1e-20)
        a.merge(b)
        #expect(a.count == 3 && a.worstArgument == 2 && abs(a.maxAbsolute - 2e-7) < 1e-20 && a.nanCount == 1)
    }
}
