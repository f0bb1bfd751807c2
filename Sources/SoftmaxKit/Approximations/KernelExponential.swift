/// The exact kernels' own exponential (XNNPACK's `rr2_p5` scheme, ≤ 2 ULP on x ≤ 0, see
/// `KernelScalar.expNonPositive`) as an `ExponentialApproximation`, with an optional clip:
/// arguments at or below `clip` give 0. With the clip it is PUMA's `exp_mode = exact`, which
/// isolates the clip's error from the limit-form exponential's.
public struct KernelExponential: ExponentialApproximation {
    /// Arguments at or below this give 0.
    public let clip: Double

    /// The exact exponential, clipped at `clip`.
    public init(clip: Double = -.infinity) { self.clip = clip }

    /// The function at `x`.
    @inline(__always)
    public func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        Float.expNonPositive(x).replacing(with: 0, where: x .<= Float(clip))
    }

    /// The function at `x`.
    @inline(__always)
    public func callAsFunction(_ x: SIMD8<Double>) -> SIMD8<Double> {
        Double.expNonPositive(x).replacing(with: 0, where: x .<= clip)
    }
}
