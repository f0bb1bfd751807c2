import _SoftmaxShims

/// A floating-point type that SoftmaxKit's kernels compute in: `Float` and `Double`.
///
/// Each conforming type supplies a native SIMD vector (`SIMD16<Float>`, `SIMD8<Double>`: one
/// AVX-512 register, or two AVX2 registers) and the few vector primitives whose fast spelling
/// depends on the bit layout of the type: the exponential with range reduction, building powers
/// of two from bits, lane-wise maximum and streaming stores. Kernels are written once, generically,
/// against this protocol, and specialized for both types (`@_specialize`), so no protocol dispatch
/// remains in a hot loop.
///
/// Goals, in order: exact special values (±∞, NaN, 0) > accuracy stated per function > speed.
public protocol KernelScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable
where Vector.Scalar == Self {
    /// The SIMD vector the kernels of this type use.
    associatedtype Vector: SIMD & Sendable

    /// `eˣ` lane-wise over the whole domain, within 2 ULP of the correctly rounded result
    /// (subnormal results included); `+∞ → +∞`, `−∞ → 0`, NaN → NaN.
    static func exp(_ x: Vector) -> Vector

    /// `e^{x + c}` for `x ≤ 0` (the arguments of a max-subtracted softmax) and a tiny correction
    /// `c` (|c| ≤ ulp(x), added to the reduced argument). Results that would be subnormal are
    /// flushed to 0 (`x` below `ln(leastNormalMagnitude)`, whatever `c`); `−∞ → 0`, NaN → NaN.
    /// Same accuracy as `exp` elsewhere.
    static func expNonPositive(_ x: Vector, correction c: Vector?) -> Vector

    /// The extended exponential of the two-pass algorithm: `eˣ = mantissa · 2^exponent` with
    /// `exponent = rne(x·log₂e)` (an integral value carried in floating point) and
    /// `mantissa = e^{x − exponent·ln2} ∈ [2^{−½}, 2^{½}]`. Valid for `|x·log₂e| < 2^(p−2)`
    /// (p = significand bits; ±2.9e6 for Float); callers check the range.
    static func extendedExp(_ x: Vector) -> (mantissa: Vector, exponent: Vector)

    /// `2^δ` for integral `δ ≤ 0`; values below the normal range give 0 (the two-pass flush rule).
    static func exp2NonPositiveIntegral(_ delta: Vector) -> Vector

    /// Lane-wise maximum; a NaN in `b` never replaces `a`.
    ///
    /// Comparisons live in the per-type conformances: there the concrete SIMD comparison is used,
    /// while in generic code it becomes a per-lane loop that the vectorizer does not always rescue.
    static func maximum(_ a: Vector, _ b: Vector) -> Vector

    /// Lane-wise minimum; a NaN in `b` never replaces `a`.
    static func minimum(_ a: Vector, _ b: Vector) -> Vector

    /// The largest lane (NaN lanes are ignored unless all are NaN), by halving: no per-lane loop.
    static func horizontalMaximum(_ v: Vector) -> Self

    /// The sum of the lanes, by halving (pairwise).
    static func horizontalSum(_ v: Vector) -> Self

    /// `horizontalMaximum` of `lanes` vectors at once: lane g of the result is
    /// `horizontalMaximum(v[g])`. Several rows' reductions share their shuffles.
    static func horizontalMaxima(_ v: UnsafePointer<Vector>) -> Vector

    /// `horizontalSum` of `lanes` vectors at once, bit for bit: lane g of the result is
    /// `horizontalSum(v[g])` (the same halving order).
    static func horizontalSums(_ v: UnsafePointer<Vector>) -> Vector

    /// Stores `v` at `p` bypassing the caches. `p` must be aligned to `MemoryLayout<Vector>.size`.
    static func streamStore(_ v: Vector, to p: UnsafeMutablePointer<Self>)

    /// An unaligned vector load (always inlined).
    static func load(_ p: UnsafePointer<Self>) -> Vector

    /// An unaligned vector store (always inlined).
    static func store(_ v: Vector, to p: UnsafeMutablePointer<Self>)

    /// Orders preceding streaming stores before later stores.
    static func streamFence()

    /// Whether any of `x[0..<n]` is NaN (vector loop; used to route rows to the edge contract's handling).
    static func containsNaN(_ x: UnsafePointer<Self>, count n: Int) -> Bool

    /// Scalar natural logarithm (libm), for once-per-row work.
    static func scalarLog(_ x: Self) -> Self

    /// Scalar `eˣ` (libm): for scalar reference paths and once-per-row work.
    static func scalarExp(_ x: Self) -> Self

    /// Scalar `2ˣ` (libm).
    static func scalarExp2(_ x: Self) -> Self

    /// Scalar complementary error function (libm), for the GELU family.
    static func scalarErfc(_ x: Self) -> Self

    /// Scalar hyperbolic tangent (libm), for the GELU family.
    static func scalarTanh(_ x: Self) -> Self
}

extension KernelScalar {
    /// Elements per vector.
    @inlinable @inline(__always)
    public static var lanes: Int { Vector.scalarCount }

    /// `c + a·b`: one fused multiply-add where the target CPU has FMA, else a multiply and an add.
    ///
    /// Swift never fuses on its own, and `addingProduct` on a target without FMA becomes a libm
    /// call per lane (50× slower). Polynomial steps tolerate either rounding; steps whose
    /// exactness depends on the fused product keep `addingProduct`.
    @inlinable @inline(__always)
    public static func multiplyAdd(_ c: Vector, _ a: Vector, _ b: Vector) -> Vector {
        SK_HAS_FMA != 0 ? c.addingProduct(a, b) : c + a * b
    }

    /// Whether this build fuses multiply-adds (the target CPU has FMA).
    @inlinable public static var fusedMultiplyAdd: Bool { SK_HAS_FMA != 0 }

}

extension KernelScalar {
    /// `eˣ` for `x ≤ 0`; see `expNonPositive(_:correction:)`.
    @inlinable @inline(__always)
    static func expNonPositive(_ x: Vector) -> Vector { expNonPositive(x, correction: nil) }

    /// `x·s`, or `x` for `s = nil` (temperature 1). Spelled with `if let`: `Optional.map`'s
    /// closure can stay an out-of-line call per vector inside a large loop body.
    @inlinable @inline(__always)
    static func scaled(_ x: Vector, by s: Vector?) -> Vector {
        if let s { x * s } else { x }
    }

    /// `e^{x·s − m}` for `m ≥ x·s` (m = the row maximum of the scaled inputs; `s = nil` for 1), with the rounding
    /// error of the subtraction folded back in.
    ///
    /// `x·s − m` rounds to the precision of `x`: for a difference of 600 in Double that is an
    /// absolute error of 5.7·10⁻¹⁴, which `e^{…}` turns into the same relative error — five times the
    /// 10⁻¹⁴ budget (and up to 3.8·10⁻⁶ in Float for outputs near 10⁻³⁰). TwoSum (Knuth) recovers
    /// the exact error `δ` of the subtraction, which is added to the reduced argument. Where `δ` is
    /// NaN (`x = −∞`) the result is still 0: the flush test looks at `x·s − m` alone.
    @inlinable @inline(__always)
    static func expShifted(_ x: Vector, scale s: Vector?, maximum m: Vector) -> Vector {
        let a = scaled(x, by: s)
        let z = a - m
        let bv = z - a
        let delta = (a - (z - bv)) - (m + bv)
        return expNonPositive(z, correction: delta)
    }
}
