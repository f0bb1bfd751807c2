#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `eˣ ≈ 2ⁿ·p(r)`: the usual range reduction (`n = rne(x·log₂e)`, `r = x − n·ln2`,
/// `|r| ≤ ln2/2`) with a low-degree polynomial `p` for `eʳ` — the knob between the exact
/// kernels' degree 5 and a table-free hardware exp.
///
/// The coefficients interpolate `eʳ` at the Chebyshev nodes of [−ln2/2, ln2/2] (near-minimax).
/// Worst relative error of `p` on the interval (float64 evaluation, computed by
/// `PolynomialExponential.maximumRelativeError(degree:)` and checked in the tests):
/// degree 1: 3.8·10⁻², 2: 2.3·10⁻³, 3: 1.0·10⁻⁴, 4: 3.5·10⁻⁶. Arguments below
/// `ln(2⁻¹²⁶)` (Float) or `ln(2⁻¹⁰²²)` (Double) give 0.
public struct PolynomialExponential: ExponentialApproximation {
    /// The polynomial's degree, 1…4.
    public let degree: Int
    /// `p(r) = c₀ + c₁r + … + c_d r^d`, padded with zeros to degree 4.
    let c: (Double, Double, Double, Double, Double)
    /// The same coefficients rounded to Float once (not per vector).
    let cf: (Float, Float, Float, Float, Float)

    /// - Precondition: `degree` in 1…4.
    public init(degree: Int) {
        precondition((1...4).contains(degree), "PolynomialExponential: degree \(degree) is not in 1…4")
        self.degree = degree
        let k = Self.coefficients(degree: degree) + Array(repeating: 0, count: 4 - degree)
        c = (k[0], k[1], k[2], k[3], k[4])
        cf = (Float(k[0]), Float(k[1]), Float(k[2]), Float(k[3]), Float(k[4]))
    }

    /// Monomial coefficients of the interpolant of `eʳ` at the `degree + 1` Chebyshev nodes of
    /// [−ln2/2, ln2/2] (Newton divided differences, expanded).
    public static func coefficients(degree d: Int) -> [Double] {
        let h = 0.693_147_180_559_945_3 / 2
        let nodes = (0...d).map { k in h * libmCos(Double.pi * (Double(k) + 0.5) / Double(d + 1)) }
        var dd = nodes.map { libmExp($0) }
        for level in 1...d {
            for i in stride(from: d, through: level, by: -1) {
                dd[i] = (dd[i] - dd[i - 1]) / (nodes[i] - nodes[i - level])
            }
        }
        // Expand Σ dd[k]·Π_{j<k}(r − nodes[j]) into monomials, Horner-style from the top.
        var poly = [dd[d]]
        for k in stride(from: d - 1, through: 0, by: -1) {
            var next = [Double](repeating: 0, count: poly.count + 1)
            for (i, a) in poly.enumerated() {
                next[i + 1] += a
                next[i] -= a * nodes[k]
            }
            next[0] += dd[k]
            poly = next
        }
        return poly
    }

    /// The worst relative error of the polynomial against `eʳ` on [−ln2/2, ln2/2] (dense grid).
    public static func maximumRelativeError(degree: Int) -> Double {
        let k = coefficients(degree: degree)
        let h = 0.693_147_180_559_945_3 / 2
        var worst = 0.0
        for i in 0...20_000 {
            let r = -h + 2 * h * Double(i) / 20_000
            let p = k.reversed().reduce(0) { $0 * r + $1 }
            worst = max(worst, abs(p / libmExp(r) - 1))
        }
        return worst
    }

    /// `p(r)` by Horner's rule with multiply-adds (fused where the CPU has FMA).
    @inline(__always)
    func horner<T: KernelScalar>(_ r: T.Vector, _ c: (T, T, T, T, T)) -> T.Vector {
        @inline(__always) func k(_ c: T) -> T.Vector { T.Vector(repeating: c) }
        switch degree {
        case 1: return T.multiplyAdd(k(c.0), r, k(c.1))
        case 2: return T.multiplyAdd(k(c.0), r, T.multiplyAdd(k(c.1), r, k(c.2)))
        case 3: return T.multiplyAdd(k(c.0), r, T.multiplyAdd(k(c.1), r, T.multiplyAdd(k(c.2), r, k(c.3))))
        default:
            return T.multiplyAdd(k(c.0), r, T.multiplyAdd(k(c.1), r, T.multiplyAdd(k(c.2), r, T.multiplyAdd(k(c.3), r, k(c.4)))))
        }
    }

    /// The function at `x`.
    @inline(__always)
    public func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let t = Float.multiplyAdd(SIMD16(repeating: Float.exponentMagic), x, SIMD16(repeating: Float.log2e))
        let n = t - SIMD16(repeating: Float.exponentMagic)
        let s = unsafeBitCast(unsafeBitCast(t, to: SIMD16<UInt32>.self) &<< 23, to: SIMD16<Float>.self)
        var r = Float.multiplyAdd(x, n, SIMD16(repeating: -Float.ln2Hi))
        r = Float.multiplyAdd(r, n, SIMD16(repeating: -Float.ln2Lo))
        return (horner(r, cf) * s).replacing(with: 0, where: x .< Float.normalExpCutoff)
    }

    /// The function at `x`.
    @inline(__always)
    public func callAsFunction(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let clamped = x.replacing(with: -1000, where: x .< -1000)
        let t = Double.multiplyAdd(SIMD8(repeating: 0x1.8p52), clamped, SIMD8(repeating: 0x1.71547652B82FEp0))
        let n = t - SIMD8(repeating: 0x1.8p52)
        let k = unsafeBitCast(t, to: SIMD8<Int64>.self) &- unsafeBitCast(SIMD8<Double>(repeating: 0x1.8p52), to: SIMD8<Int64>.self)
        let s = unsafeBitCast((k &+ 1023) &<< 52, to: SIMD8<Double>.self)
        var r = Double.multiplyAdd(clamped, n, SIMD8(repeating: -Double.ln2Hi))
        r = Double.multiplyAdd(r, n, SIMD8(repeating: -Double.ln2Lo))
        return (horner(r, c) * s).replacing(with: 0, where: x .< Double.normalExpCutoff)
    }
}
