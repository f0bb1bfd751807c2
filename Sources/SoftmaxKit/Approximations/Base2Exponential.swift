/// `2ˣ` in place of `eˣ`: the exponential of base-2 softmax, `yᵢ = 2^{xᵢ−m} / Σⱼ 2^{xⱼ−m}`,
/// which is `softmax(x·ln2)` — a different function, not an approximation of softmax. Hardware
/// designs use it because `2ˣ` needs no multiplication by log₂e (the integer part is a shift); a
/// network must be trained or fine-tuned for it (Softermax, Stevens et al., DAC 2021). Here `2ˣ`
/// is evaluated with the exact kernels' exponential (≤ 2 ULP), so the lab's numbers show the cost
/// of the base change itself.
public struct Base2Exponential: ExponentialApproximation {
    /// The method with its defaults.
    public init() {}

    /// The function at `x`.
    @inline(__always)
    public func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        Float.expNonPositive(x * SIMD16(repeating: 0x1.62E430p-1))
    }

    /// The function at `x`.
    @inline(__always)
    public func callAsFunction(_ x: SIMD8<Double>) -> SIMD8<Double> {
        Double.expNonPositive(x * SIMD8(repeating: 0x1.62E42FEFA39EFp-1))
    }
}
