/// The limit form `eˣ ≈ (1 + x/2ⁿ)^(2ⁿ)`: one multiply-add and `n` squarings, no range reduction,
/// no table — the exponential of secure-computation frameworks (PUMA/SPU's `exp_taylor`, n = 5).
///
/// For `x ≤ −2ⁿ` the base `1 + x/2ⁿ` is ≤ 0 and the even power is meaningless, so those
/// arguments give 0 (the real-number limit is tiny there: e^{−32} ≈ 1.3·10⁻¹⁴ for n = 5).
/// Relative error `≈ x²/2^{n+1}` for small `|x|`: at n = 5, −1.6% at x = −1, −24% at x = −4, −70% at x = −8
/// (PUMA's softmax clips at −14, `puma-softmax`).
///
/// `clip`: arguments at or below it give 0 (PUMA's softmax drops `d ≤ −14`); `−∞` for none.
public struct LimitExponential: ExponentialApproximation {
    /// n: squarings of `1 + x/2ⁿ`.
    public let iterations: Int
    /// Arguments at or below this give 0.
    public let clip: Double

    /// - Precondition: `iterations` in 0…30.
    public init(iterations: Int, clip: Double = -.infinity) {
        precondition((0...30).contains(iterations), "LimitExponential: \(iterations) iterations is not in 0…30")
        self.iterations = iterations
        self.clip = clip
    }

    /// The function at `x`.
    @inline(__always)
    public func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let scale = Float(1) / Float(1 << iterations)
        var y = Float.multiplyAdd(SIMD16(repeating: 1), x, SIMD16(repeating: scale))
        // Comparisons against a scalar: the vector-against-splat spelling (`SIMD16(repeating: c) .> y`)
        // compiled to a per-lane loop here (swift-performance notes: comparisons against a splat).
        y = y.replacing(with: 0, where: y .< 0)  // NaN stays NaN
        for _ in 0..<iterations { y = y * y }
        return y.replacing(with: 0, where: x .<= Float(clip))
    }

    /// The function at `x`.
    @inline(__always)
    public func callAsFunction(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let scale = Double(1) / Double(1 << iterations)
        var y = Double.multiplyAdd(SIMD8(repeating: 1), x, SIMD8(repeating: scale))
        y = y.replacing(with: 0, where: y .< 0)  // NaN stays NaN
        for _ in 0..<iterations { y = y * y }
        return y.replacing(with: 0, where: x .<= clip)
    }
}
