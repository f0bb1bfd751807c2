import _SoftmaxShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `Float` kernels use `SIMD16<Float>`.
///
/// The exponential follows the classic scheme (Cody & Waite range reduction, a polynomial on the
/// reduced interval, the power of two built from bits), with the constants of SLEEF's 1-ULP `expf`:
///
/// ```
/// n = rne(x·log₂e)                         (magic-number rounding: add and subtract 1.5·2²³)
/// r = (x − n·ln2_hi) − n·ln2_lo            (two FMAs; |r| ≤ ln2/2)
/// eʳ ≈ 1 + r + r²·(c₂ + r·(c₃ + … + r·c₇))  (degree-7 minimax)
/// eˣ = eʳ · 2ⁿ                              (2ⁿ from the exponent bits)
/// ```
/// Measured over 10⁷ arguments spread over [−104, 89] plus special values: ≤ 1 ULP
/// (see `VectorExpTests`).
extension Float: KernelScalar {
    /// `KernelScalar` requirement: the SIMD vector the kernels use for this type.
    public typealias Vector = SIMD16<Float>

    @usableFromInline static let log2e: Float = 0x1.715476p+0
    /// 1.5·2²³: adding it rounds a float of magnitude < 2²² to an integer (round-half-even),
    /// which then sits in the low mantissa bits.
    @usableFromInline static let roundingMagic: Float = 0x1.8p23
    /// ln2 split (XNNPACK's rr2 constants) so that `n·ln2_hi` is exact for |n| < 2⁹ without FMA.
    @usableFromInline static let ln2Hi: Float = 0x1.62E400p-1
    @usableFromInline static let ln2Lo: Float = 0x1.7F7D1Cp-20

    /// `e^r − 1 − r` on |r| ≤ ln2/2 divided by r², Horner form, then `1 + (r + r²·u)`.
    @inlinable @inline(__always)
    static func expReduced(_ r: Vector) -> Vector {
        var u = Vector(repeating: 0.000198527617612853646278381)
        u = multiplyAdd(Vector(repeating: 0.00139304355252534151077271), u, r)
        u = multiplyAdd(Vector(repeating: 0.00833336077630519866943359), u, r)
        u = multiplyAdd(Vector(repeating: 0.0416664853692054748535156), u, r)
        u = multiplyAdd(Vector(repeating: 0.166666671633720397949219), u, r)
        u = multiplyAdd(Vector(repeating: 0.5), u, r)
        let r2 = r * r
        return Vector(repeating: 1) + multiplyAdd(r, r2, u)
    }

    /// Rounds `x·log₂e` to the nearest integer `n` and reduces: returns `(n as float, bits-ready t, r)`.
    @inlinable @inline(__always)
    static func reduce(_ x: Vector, fused: Bool = false) -> (n: Vector, t: Vector, r: Vector) {
        // (The extended exponential promises n = rne(x·log₂e): a fused product, one rounding.)
        let t =
            fused
            ? Vector(repeating: roundingMagic).addingProduct(x, Vector(repeating: log2e))
            : multiplyAdd(Vector(repeating: roundingMagic), x, Vector(repeating: log2e))
        let n = t - Vector(repeating: roundingMagic)
        // `n·ln2Hi` is exact for the |n| of `exp`, so the first step needs no FMA there; the
        // extended exponential's much larger n needs the fused product (`fused`).
        var r = fused ? x.addingProduct(n, Vector(repeating: -ln2Hi)) : multiplyAdd(x, n, Vector(repeating: -ln2Hi))
        r = fused ? r.addingProduct(n, Vector(repeating: -ln2Lo)) : multiplyAdd(r, n, Vector(repeating: -ln2Lo))
        return (n, t, r)
    }

    /// `2^k` for integer `k` in [−126, 127] given as Int32 lanes.
    @inlinable @inline(__always)
    static func pow2(_ k: SIMD16<Int32>) -> Vector {
        unsafeBitCast((k &+ 127) &<< 23, to: Vector.self)
    }

    /// `KernelScalar` requirement: see `KernelScalar.exp(_:)`.
    @inlinable @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        // Clamp so that n stays in [−159, 130]: beyond, the result is 0 or +∞ anyway, and the
        // clamp keeps the bit tricks in range. NaN fails both comparisons and propagates.
        var xc = x.replacing(with: -110, where: x .< -110)
        xc = xc.replacing(with: 90, where: xc .> 90)
        let (_, t, r) = reduce(xc)
        let p = expReduced(r)
        let n = unsafeBitCast(t, to: SIMD16<Int32>.self) &- unsafeBitCast(Vector(repeating: roundingMagic), to: SIMD16<Int32>.self)
        // Split 2ⁿ into two normal factors so subnormal and overflowing results round once, at the end.
        let n1 = n &>> 1
        let n2 = n &- n1
        return (p * pow2(n1)) * pow2(n2)
    }

    /// Below this, eˣ is not a normal float (`ln(2⁻¹²⁶)`).
    @usableFromInline static let normalExpCutoff: Float = -0x1.5D589Ep6

    /// The softmax kernels' exponential: XNNPACK's `rr2_p5` scheme, which is cheaper than
    /// `exp` and accurate enough for them (measured on [−87.3, 0], `VectorExpTests`: ≤ 2 ULP with
    /// FMA, ≤ 2.5 ULP when multiply-adds are not fused):
    ///
    /// ```
    /// t = x·log₂e + (1.5·2²³ + 127)     the magic bias rounds n = rne(x·log₂e) into the low bits
    /// s = 2ⁿ = bits(t) << 23            …which a shift moves into the exponent field
    /// r = (x − n·ln2_hi) − n·ln2_lo      ln2_hi = 0x1.62E400p-1, ln2_lo = 0x1.7F7D1Cp-20
    /// eˣ ≈ s + (r·s)·(c₁ + r(c₂ + r(c₃ + r(c₄ + r·c₅))))
    /// ```
    @inlinable @inline(__always)
    public static func expNonPositive(_ x: Vector, correction: Vector?) -> Vector {
        let t = multiplyAdd(Vector(repeating: exponentMagic), x, Vector(repeating: log2e))
        let n = t - Vector(repeating: exponentMagic)
        let s = unsafeBitCast(unsafeBitCast(t, to: SIMD16<UInt32>.self) &<< 23, to: Vector.self)
        var r = multiplyAdd(x, n, Vector(repeating: -0x1.62E400p-1))
        r = multiplyAdd(r, n, Vector(repeating: -0x1.7F7D1Cp-20))
        if let correction { r += correction }
        var p = Vector(repeating: 0x1.0F9F9Cp-7)
        p = multiplyAdd(Vector(repeating: 0x1.573A1Ap-5), p, r)
        p = multiplyAdd(Vector(repeating: 0x1.555A80p-3), p, r)
        p = multiplyAdd(Vector(repeating: 0x1.FFFDC6p-2), p, r)
        p = multiplyAdd(Vector(repeating: 0x1.FFFFF6p-1), p, r)
        let y = multiplyAdd(s, r * s, p)
        return y.replacing(with: 0, where: x .< normalExpCutoff)
    }

    /// `KernelScalar` requirement: see `KernelScalar.extendedExp(_:)`.
    @inlinable @inline(__always)
    public static func extendedExp(_ x: Vector) -> (mantissa: Vector, exponent: Vector) {
        let (n, _, r) = reduce(x, fused: true)
        return (expReduced(r), n)
    }

    /// Magic bias `1.5·2²³ + 127`: after adding it to an integral δ ≥ −127 the low mantissa bits
    /// hold δ + 127, which a left shift by 23 moves into the exponent field (δ = −127 gives +0).
    @usableFromInline static let exponentMagic: Float = 0x1.8000FEp23

    /// `KernelScalar` requirement: see `KernelScalar.exp2NonPositiveIntegral(_:)`.
    @inlinable @inline(__always)
    public static func exp2NonPositiveIntegral(_ delta: Vector) -> Vector {
        let d = delta.replacing(with: -127, where: delta .< -127)
        let biased = Vector(repeating: exponentMagic) + d
        return unsafeBitCast(unsafeBitCast(biased, to: SIMD16<UInt32>.self) &<< 23, to: Vector.self)
    }

    /// `KernelScalar` requirement: see `KernelScalar.maximum(_:_:)`.
    @inlinable @inline(__always)
    public static func maximum(_ a: Vector, _ b: Vector) -> Vector {
        a.replacing(with: b, where: b .> a)
    }

    /// `KernelScalar` requirement: see `KernelScalar.minimum(_:_:)`.
    @inlinable @inline(__always)
    public static func minimum(_ a: Vector, _ b: Vector) -> Vector {
        a.replacing(with: b, where: b .< a)
    }

    /// `KernelScalar` requirement: see `KernelScalar.horizontalMaximum(_:)`.
    @inlinable @inline(__always)
    public static func horizontalMaximum(_ v: Vector) -> Float { sk_hmax_f32x16(v) }

    /// `KernelScalar` requirement: see `KernelScalar.horizontalSum(_:)`.
    @inlinable @inline(__always)
    public static func horizontalSum(_ v: Vector) -> Float { sk_hsum_f32x16(v) }

    /// `KernelScalar` requirement: see `KernelScalar.horizontalMaxima(_:)`.
    @inlinable @inline(__always)
    public static func horizontalMaxima(_ v: UnsafePointer<Vector>) -> Vector { sk_hmaxs_f32x16(UnsafeRawPointer(v).assumingMemoryBound(to: Float.self)) }

    /// `KernelScalar` requirement: see `KernelScalar.horizontalSums(_:)`.
    @inlinable @inline(__always)
    public static func horizontalSums(_ v: UnsafePointer<Vector>) -> Vector { sk_hsums_f32x16(UnsafeRawPointer(v).assumingMemoryBound(to: Float.self)) }

    /// `KernelScalar` requirement: see `KernelScalar.streamStore(_:to:)`.
    @inlinable @inline(__always)
    public static func streamStore(_ v: Vector, to p: UnsafeMutablePointer<Float>) {
        sk_stream_f32x16(p, v)
    }

    /// `KernelScalar` requirement: see `KernelScalar.load(_:)`.
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> Vector { sk_load_f32x16(p) }

    /// `KernelScalar` requirement: see `KernelScalar.store(_:to:)`.
    @inlinable @inline(__always)
    public static func store(_ v: Vector, to p: UnsafeMutablePointer<Float>) { sk_store_f32x16(p, v) }

    /// `KernelScalar` requirement: see `KernelScalar.streamFence()`.
    @inlinable @inline(__always)
    public static func streamFence() { sk_store_fence() }

    /// `KernelScalar` requirement: see `KernelScalar.scalarLog(_:)`.
    @inlinable public static func scalarLog(_ x: Float) -> Float { logf(x) }
    /// `KernelScalar` requirement: see `KernelScalar.scalarExp(_:)`.
    @inlinable public static func scalarExp(_ x: Float) -> Float { expf(x) }
    /// `KernelScalar` requirement: see `KernelScalar.scalarErfc(_:)`.
    @inlinable public static func scalarErfc(_ x: Float) -> Float { erfcf(x) }
    /// `KernelScalar` requirement: see `KernelScalar.scalarTanh(_:)`.
    @inlinable public static func scalarTanh(_ x: Float) -> Float { tanhf(x) }
    /// `KernelScalar` requirement: see `KernelScalar.scalarExp2(_:)`.
    @inlinable public static func scalarExp2(_ x: Float) -> Float { exp2f(x) }

    /// `KernelScalar` requirement: see `KernelScalar.containsNaN(_:count:)`.
    public static func containsNaN(_ x: UnsafePointer<Float>, count n: Int) -> Bool {
        var i = 0
        var any = Vector().replacing(with: 1, where: Vector() .!= Vector())
        while i + lanes <= n {
            let v = load(x + i)
            any = any.replacing(with: 1, where: v .!= v)
            i += lanes
        }
        while i < n {
            if x[i].isNaN { return true }
            i += 1
        }
        return any.max() != 0
    }
}
