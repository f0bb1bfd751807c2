import _SoftmaxShims

/// Schraudolph's exponential: write `x·2ᵖ/ln2 + bias` into the bits of a float, so the integer
/// part lands in the exponent field and the fraction in the mantissa — `2^{x·log₂e}` with the
/// mantissa interpolated linearly between powers of two. One multiply-add and one conversion.
///
/// ```
/// Float:  bits = trunc(x·2²³/ln2 + 127·2²³ − 486411)            (c = 60801·8)
/// Double: bits = trunc(x·2⁵²/ln2 + 1023·2⁵² − 60801·2³²)
/// ```
/// `c` is Schraudolph's choice that minimises the RMS relative error; the worst relative error of
/// the exponential is 3.9% (float64 evaluation over [−20, 0], checked in the tests). In a softmax
/// the errors of two outputs combine: up to 5.4% relative on the outputs (the lab's figure,
/// `softmaxkit accuracy softmax --param exp=schraudolph`). Arguments below −87 (Float) or −708
/// (Double) give 0.
///
/// N. N. Schraudolph, "A Fast, Compact Approximation of the Exponential Function",
/// Neural Computation 11(4), 1999.
public struct SchraudolphExponential: ExponentialApproximation {
    /// The method with its defaults.
    public init() {}

    /// The function at `x`.
    @inline(__always)
    public func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        // 127·2²³ − 486411 = 1064866805 is not a float32; it rounds to 1064866816 (c = 486400),
        // well inside the spacing (64) of the float32 sums near 2³⁰ anyway.
        let t = SIMD16<Float>(repeating: 1_064_866_816).addingProduct(x, SIMD16<Float>(repeating: 12_102_203.16))
        let bits = sk_truncate_f32x16(t)
        let y = unsafeBitCast(bits, to: SIMD16<Float>.self)
        return y.replacing(with: 0, where: x .< -87).replacing(with: x, where: x .!= x)  // NaN passes
    }

    /// The function at `x`.
    @inline(__always)
    public func callAsFunction(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let a = 4_503_599_627_370_496.0 / 0.693_147_180_559_945_3
        let b = 1023.0 * 4_503_599_627_370_496.0 - 60801.0 * 4_294_967_296.0
        let t = SIMD8<Double>(repeating: b).addingProduct(x, SIMD8<Double>(repeating: a))
        let bits = sk_truncate_f64x8(t)
        let y = unsafeBitCast(bits, to: SIMD8<Double>.self)
        return y.replacing(with: 0, where: x .< -708).replacing(with: x, where: x .!= x)  // NaN passes
    }
}
