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

/// The distance between `y` and the exact value `ref` in units of `y`'s type's ULP at `ref`
/// (subnormal spacing below the normal range).
func ulpDistance<T: BinaryFloatingPoint>(_ y: T, _ ref: Float80) -> Double {
    if y.isNaN || ref.isNaN { return y.isNaN && ref.isNaN ? 0 : .infinity }
    if ref.isInfinite || y.isInfinite {
        // An overflowing reference must give +∞; a finite reference beyond the largest finite
        // value (rounds to +∞) is fine either way within 2 ULP.
        if Float80(y) == ref { return 0 }
        if y.isInfinite, ref >= Float80(T.greatestFiniteMagnitude) { return 0 }
        return .infinity
    }
    let r = abs(ref)
    let spacing: Float80 =
        r < Float80(T.leastNormalMagnitude)
        ? Float80(T.leastNonzeroMagnitude)
        : Float80(T(r).ulp) * (Float80(T(r)) > r && T(r).significandBitPattern == 0 ? 0.5 : 1)
    return Double(abs(Float80(y) - ref) / spacing)
}

func exactExp(_ x: Double) -> Float80 { expl(Float80(x)) }

@Suite struct VectorExpTests {
    static let specials: [Float] = [
        0, -0, 1, -1, .infinity, -.infinity, .nan, 88.72283, 88.72284, 89,
        -87.33654, -87.33655, -103.97, -103.972, -104, -110, 1e-30, -1e-30,
        .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
    ]

    func vectorExp<T: KernelScalar>(_ x: [T]) -> [T] {
        var y = [T](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { VectorMath.exp(xb, into: $0) } }
        return y
    }

    @Test func floatWithinTwoULPOverTheWholeDomain() {
        // 10⁷ arguments evenly spread over [−104, 89] (plus a jitter so they are not all on a grid).
        let count = 10_000_000
        var g = SplitMix64(seed: 1)
        var x = [Float](repeating: 0, count: count)
        let step = (89.0 + 104.0) / Double(count)
        for i in 0..<count { x[i] = Float(-104 + (Double(i) + Double.random(in: 0..<1, using: &g)) * step) }
        let y = vectorExp(x)
        var worst = 0.0, worstX: Float = 0
        for i in 0..<count {
            let d = ulpDistance(y[i], exactExp(Double(x[i])))
            if d > worst { worst = d; worstX = x[i] }
        }
        #expect(worst <= 2, "worst \(worst) ULP at x = \(worstX)")
    }

    @Test func floatSpecialValues() {
        let y = vectorExp(Self.specials)
        for (x, v) in zip(Self.specials, y) {
            let d = ulpDistance(v, x.isNaN ? .nan : exactExp(Double(x)))
            #expect(d <= 2, "exp(\(x)) = \(v)")
        }
        #expect(vectorExp([Float.infinity])[0] == .infinity)
        #expect(vectorExp([-Float.infinity])[0] == 0)
        #expect(vectorExp([Float.nan])[0].isNaN)
        #expect(vectorExp([Float(0)])[0] == 1)
    }

    @Test func doubleWithinTwoULP() {
        let count = 1_000_000
        var g = SplitMix64(seed: 2)
        var x = [Double](repeating: 0, count: count)
        for i in 0..<count { x[i] = Double.random(in: -745.2...709.8, using: &g) }
        x += [0, -0, 1, -1, .infinity, -.infinity, .nan, 709.78, 709.79, -708.39, -708.4, -745.13, -745.14, -800, 800]
        let y = vectorExp(x)
        var worst = 0.0, worstX = 0.0
        for i in 0..<x.count {
            let d = ulpDistance(y[i], x[i].isNaN ? .nan : exactExp(x[i]))
            if d > worst { worst = d; worstX = x[i] }
        }
        #expect(worst <= 2, "worst \(worst) ULP at x = \(worstX)")
    }

    @Test func nonPositiveKernelExpFlushesOnlyBelowTheNormalRange() {
        let x: [Float] = [0, -1, -50, -87.3, -87.34, -100, -.infinity, .nan] + (0..<16).map { -Float($0) * 5.4 }
        var padded = x
        while padded.count % 16 != 0 { padded.append(0) }
        for start in stride(from: 0, to: padded.count, by: 16) {
            let v = SIMD16<Float>(padded[start..<(start + 16)])
            let y = Float.expNonPositive(v)
            for j in 0..<16 {
                let xi = v[j]
                if xi.isNaN { #expect(y[j].isNaN); continue }
                if xi < Float.normalExpCutoff { #expect(y[j] == 0); continue }
                #expect(ulpDistance(y[j], exactExp(Double(xi))) <= 2, "x = \(xi)")
            }
        }
    }

    @Test func kernelExpWithinTwoULPOnTheSoftmaxRange() {
        // 10⁶ arguments over [ln(2⁻¹²⁶), 0], where the softmax kernels evaluate it.
        var g = SplitMix64(seed: 4)
        var worst = 0.0, worstX: Float = 0
        for _ in 0..<(1_000_000 / 16) {
            var v = SIMD16<Float>()
            for j in 0..<16 { v[j] = Float.random(in: Float.normalExpCutoff...0, using: &g) }
            let y = Float.expNonPositive(v)
            for j in 0..<16 {
                let d = ulpDistance(y[j], exactExp(Double(v[j])))
                if d > worst { worst = d; worstX = v[j] }
            }
        }
        // The documented bound of the kernel exponential: 2 ULP fused, 2.5 ULP unfused.
        #expect(worst <= (Float.fusedMultiplyAdd ? 2 : 2.5), "worst \(worst) ULP at x = \(worstX)")
    }

    @Test func extendedExpReconstructsExp() {
        var g = SplitMix64(seed: 3)
        let x = (0..<4096).map { _ in Float.random(in: -1e4...1e4, using: &g) }
        var m = [Float](repeating: 0, count: x.count), e = m
        x.withUnsafeBufferPointer { xb in
            m.withUnsafeMutableBufferPointer { mb in e.withUnsafeMutableBufferPointer { VectorMath.extendedExp(xb, mantissa: mb, exponent: $0) } }
        }
        for i in 0..<x.count {
            #expect(e[i] == (Double(x[i]) / M_LN2).rounded(.toNearestOrEven).asFloat)
            #expect(m[i] >= 0.7071 && m[i] <= 1.4143)
            // m·2ⁿ = eˣ, compared in logs: log m + n·ln2 = x.
            let logValue = Double(log(m[i])) + Double(e[i]) * M_LN2
            #expect(abs(logValue - Double(x[i])) <= 2e-7 * max(1, abs(Double(x[i]))) + 1e-3 * Double(Float(x[i]).ulp))
        }
    }
}

extension Double { var asFloat: Float { Float(self) } }

#endif
