import _SoftmaxShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `Double` kernels use `SIMD8<Double>`.
///
/// Same scheme as `Float` (Cody–Waite reduction, polynomial, 2ⁿ from bits). The polynomial is the
/// Taylor series of eʳ to degree 13: on |r| ≤ ln2/2 its truncation error is below
/// (ln2/2)¹⁴/14! ≈ 4·10⁻¹⁸ relative, far under half an ULP, so the error is the rounding of the
/// Horner steps. Measured: ≤ 1 ULP against libm over 10⁶ arguments in [−745, 709] (`VectorExpTests`).
extension Double: KernelScalar {
    /// `KernelScalar` requirement: the SIMD vector the kernels use for this type.
    public typealias Vector = SIMD8<Double>

    @usableFromInline static let log2e: Double = 0x1.71547652b82fep+0
    /// 1.5·2⁵²: adding it rounds a double of magnitude < 2⁵¹ to an integer.
    @usableFromInline static let roundingMagic: Double = 0x1.8p52
    @usableFromInline static let ln2Hi: Double = 0.69314718055966295651160180568695068359375
    @usableFromInline static let ln2Lo: Double = 0.28235290563031577122588448175013436025525412068e-12

    @inlinable @inline(__always)
    static func expReduced(_ r: Vector) -> Vector {
        var u = Vector(repeating: 1.0 / 6227020800.0)  // 1/13!
        u = multiplyAdd(Vector(repeating: 1.0 / 479001600.0), u, r)  // 1/12!
        u = multiplyAdd(Vector(repeating: 1.0 / 39916800.0), u, r)  // 1/11!
        u = multiplyAdd(Vector(repeating: 1.0 / 3628800.0), u, r)  // 1/10!
        u = multiplyAdd(Vector(repeating: 1.0 / 362880.0), u, r)  // 1/9!
        u = multiplyAdd(Vector(repeating: 1.0 / 40320.0), u, r)  // 1/8!
        u = multiplyAdd(Vector(repeating: 1.0 / 5040.0), u, r)  // 1/7!
        u = multiplyAdd(Vector(repeating: 1.0 / 720.0), u, r)  // 1/6!
        u = multiplyAdd(Vector(repeating: 1.0 / 120.0), u, r)  // 1/5!
        u = multiplyAdd(Vector(repeating: 1.0 / 24.0), u, r)  // 1/4!
        u = multiplyAdd(Vector(repeating: 1.0 / 6.0), u, r)  // 1/3!
        u = multiplyAdd(Vector(repeating: 0.5), u, r)  // 1/2!
        let r2 = r * r
        return Vector(repeating: 1) + multiplyAdd(r, r2, u)
    }

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

    @inlinable @inline(__always)
    static func pow2(_ k: SIMD8<Int64>) -> Vector {
        unsafeBitCast((k &+ 1023) &<< 52, to: Vector.self)
    }

    /// `KernelScalar` requirement: see `KernelScalar.exp(_:)`.
    @inlinable @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        var xc = x.replacing(with: -760, where: x .< -760)
        xc = xc.replacing(with: 720, where: xc .> 720)
        let (_, t, r) = reduce(xc)
        let p = expReduced(r)
        let n = unsafeBitCast(t, to: SIMD8<Int64>.self) &- unsafeBitCast(Vector(repeating: roundingMagic), to: SIMD8<Int64>.self)
        let n1 = n &>> 1
        let n2 = n &- n1
        return (p * pow2(n1)) * pow2(n2)
    }

    /// Below this, eˣ is not a normal double (`ln(2⁻¹⁰²²)`).
    @usableFromInline static let normalExpCutoff: Double = -708.3964185322641

    /// `KernelScalar` requirement: see `KernelScalar.expNonPositive(_:correction:)`.
    @inlinable @inline(__always)
    public static func expNonPositive(_ x: Vector, correction: Vector?) -> Vector {
        var (_, t, r) = reduce(x)
        if let correction { r += correction }
        let p = expReduced(r)
        let n = unsafeBitCast(t, to: SIMD8<Int64>.self) &- unsafeBitCast(Vector(repeating: roundingMagic), to: SIMD8<Int64>.self)
        let y = p * pow2(n)
        return y.replacing(with: 0, where: x .< normalExpCutoff)
    }

    /// `KernelScalar` requirement: see `KernelScalar.extendedExp(_:)`.
    @inlinable @inline(__always)
    public static func extendedExp(_ x: Vector) -> (mantissa: Vector, exponent: Vector) {
        let (n, _, r) = reduce(x, fused: true)
        return (expReduced(r), n)
    }

    /// Magic bias `1.5·2⁵² + 1023`; a left shift by 52 moves δ + 1023 into the exponent field.
    @usableFromInline static let exponentMagic: Double = 0x1.8p52 + 1023

    /// `KernelScalar` requirement: see `KernelScalar.exp2NonPositiveIntegral(_:)`.
    @inlinable @inline(__always)
    public static func exp2NonPositiveIntegral(_ delta: Vector) -> Vector {
        let d = delta.replacing(with: -1023, where: delta .< -1023)
        let biased = Vector(repeating: exponentMagic) + d
        return unsafeBitCast(unsafeBitCast(biased, to: SIMD8<UInt64>.self) &<< 52, to: Vector.self)
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
    public static func horizontalMaximum(_ v: Vector) -> Double { sk_hmax_f64x8(v) }

    /// `KernelScalar` requirement: see `KernelScalar.horizontalSum(_:)`.
    @inlinable @inline(__always)
    public static func horizontalSum(_ v: Vector) -> Double { sk_hsum_f64x8(v) }

    /// `KernelScalar` requirement: see `KernelScalar.horizontalMaxima(_:)`.
    @inlinable @inline(__always)
    public static func horizontalMaxima(_ v: UnsafePointer<Vector>) -> Vector { sk_hmaxs_f64x8(UnsafeRawPointer(v).assumingMemoryBound(to: Double.self)) }

    /// `KernelScalar` requirement: see `KernelScalar.horizontalSums(_:)`.
    @inlinable @inline(__always)
    public static func horizontalSums(_ v: UnsafePointer<Vector>) -> Vector { sk_hsums_f64x8(UnsafeRawPointer(v).assumingMemoryBound(to: Double.self)) }

    /// `KernelScalar` requirement: see `KernelScalar.streamStore(_:to:)`.
    @inlinable @inline(__always)
    public static func streamStore(_ v: Vector, to p: UnsafeMutablePointer<Double>) {
        sk_stream_f64x8(p, v)
    }

    /// `KernelScalar` requirement: see `KernelScalar.load(_:)`.
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Double>) -> Vector { sk_load_f64x8(p) }

    /// `KernelScalar` requirement: see `KernelScalar.store(_:to:)`.
    @inlinable @inline(__always)
    public static func store(_ v: Vector, to p: UnsafeMutablePointer<Double>) { sk_store_f64x8(p, v) }

    /// `KernelScalar` requirement: see `KernelScalar.streamFence()`.
    @inlinable @inline(__always)
    public static func streamFence() { sk_store_fence() }

    /// `KernelScalar` requirement: see `KernelScalar.scalarLog(_:)`.
    @inlinable public static func scalarLog(_ x: Double) -> Double { libmLog(x) }
    /// `KernelScalar` requirement: see `KernelScalar.scalarExp(_:)`.
    @inlinable public static func scalarExp(_ x: Double) -> Double { libmExp(x) }
    /// `KernelScalar` requirement: see `KernelScalar.scalarErfc(_:)`.
    @inlinable public static func scalarErfc(_ x: Double) -> Double { libmErfc(x) }
    /// `KernelScalar` requirement: see `KernelScalar.scalarTanh(_:)`.
    @inlinable public static func scalarTanh(_ x: Double) -> Double { libmTanh(x) }
    /// `KernelScalar` requirement: see `KernelScalar.scalarExp2(_:)`.
    @inlinable public static func scalarExp2(_ x: Double) -> Double { libmExp2(x) }

    /// `KernelScalar` requirement: see `KernelScalar.containsNaN(_:count:)`.
    public static func containsNaN(_ x: UnsafePointer<Double>, count n: Int) -> Bool {
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
