import Testing

@testable import SoftmaxKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The reference is Float80 (64-bit significand), which only x86 has; elsewhere these tests are
// not built (the kernels they check are the same generic code on every architecture).
#if arch(x86_64) || arch(i386)

/// `rowSumLogarithms` against `logl` (Float80) over the row sums log-softmax meets — [1, 10⁷],
/// log-uniformly and at every power of two and its neighbours, where the reduction switches —
/// and a wider normal range: a few Double ulps, and rounded to Float the correctly rounded `log d`.
@Suite struct RowSumLogarithmTests {
    static func arguments() -> [Double] {
        var g = SplitMix64(seed: 2027)
        var d: [Double] = (0..<200_000).map { _ in naturalExp(g.openUniform() * log(1e7)) }
        for e in -60...60 {
            let p = Double(sign: .plus, exponent: e, significand: 1)
            d += [p, p.nextUp, p.nextDown, p * 0.70710678118654757, p * 1.4142135623730951, (p * 1.4142135623730951).nextDown]
        }
        d += [1, 2, 3, 4096, 1e6, 1e-300, 1e300, .leastNormalMagnitude, .greatestFiniteMagnitude]
        return d
    }

    @Test func withinAFewDoubleUlpsOfLogl() {
        let d = Self.arguments()
        var worst = 0.0
        for i in stride(from: 0, to: d.count - 7, by: 8) {
            let v = SIMD8<Double>((0..<8).map { d[i + $0] })
            let y = rowSumLogarithms(v)
            for j in 0..<8 {
                let exact = logl(Float80(v[j]))
                // Relative to max(|log d|, ln 2 · 2⁻⁵²·…): near d = 1 the logarithm is tiny and
                // the error is absolute.
                let scale = max(abs(exact), 1)
                worst = max(worst, Double(abs(Float80(y[j]) - exact) / scale))
            }
        }
        #expect(worst <= 4e-16, "largest error \(worst)")
    }

    @Test func roundedToFloatItIsLogOfTheSum() {
        var g = SplitMix64(seed: 9)
        var mismatches = 0, count = 0
        for _ in 0..<20_000 {
            let v = SIMD8<Double>((0..<8).map { _ in naturalExp(g.openUniform() * log(1e6)) })
            let y = rowSumLogarithms(v)
            for j in 0..<8 {
                count += 1
                if Float(y[j]) != Float(logl(Float80(v[j]))) { mismatches += 1 }
            }
        }
        #expect(mismatches <= count / 100_000, "\(mismatches) of \(count) differ from the correctly rounded logarithm")
    }

    /// One lane or sixteen at a time, the same bits (`ThreePassSoftmax.logarithm(of:)` and
    /// `groupLogarithms`).
    @Test func groupAndRowGiveTheSameBits() {
        var g = SplitMix64(seed: 11)
        for _ in 0..<1000 {
            let sums = (0..<16).map { _ in Float(1 + g.openUniform() * 5000) }
            var logs = [Float](repeating: 0, count: 16)
            sums.withUnsafeBufferPointer { s in
                logs.withUnsafeMutableBufferPointer { ThreePassSoftmax.groupLogarithms(of: s.baseAddress!, into: $0.baseAddress!) }
            }
            for k in 0..<16 {
                #expect(logs[k].bitPattern == ThreePassSoftmax.logarithm(of: Double(sums[k]), as: Float.self).bitPattern)
            }
        }
    }
}

private func naturalExp(_ x: Double) -> Double { exp(x) }

#endif
