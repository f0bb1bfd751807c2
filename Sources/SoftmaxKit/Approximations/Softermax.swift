/// Softermax's base-2 softmax with an integer running maximum:
///
/// ```
/// mⱼ = max(mⱼ₋₁, ⌈xⱼ⌉),  dⱼ = dⱼ₋₁·2^{mⱼ₋₁−mⱼ} + 2^{xⱼ−mⱼ}      ("IntMax": the rescale is a shift)
/// yᵢ = 2^{xᵢ−m} / d   = softmax(x·ln2)ᵢ
/// ```
/// This is the exact base-2 definition in floating point (the network is fine-tuned for base 2,
/// so the lab reports its distance from softmax, not an error). Equals softmax(x·ln2) to 10⁻¹³
/// in Double (tests); its scalar float32 recurrence leaves rows summing to 1 within 5·10⁻⁵. The hardware's fixed-point
/// formats (input Q(6,2), `2ˣ` Q(1,15) with a piecewise-linear fraction, sum Q(10,6), output
/// Q(1,7)) are not modelled; the paper has no official code.
///
/// J. R. Stevens et al., "Softermax: Hardware/Software Co-Design of an Efficient Softmax for
/// Transformers", DAC 2021 (arXiv 2103.09301).
public struct SoftermaxKernel: RowKernel {
    /// The method with its defaults.
    public init() {}

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        _ = Self.row(x, y, count: n)
    }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        _ = Self.row(x, y, count: n)
    }

    /// One ordinary row; returns the final `(m, d)` of the online normaliser.
    @inline(__always)
    public static func row<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) -> (m: T, d: T) {
        var m = -T.infinity, d = T(0)
        for j in 0..<n {
            let v = x[j]
            if v == -.infinity { continue }
            let mj = max(m, v.rounded(.up))
            d = d * exp2(m - mj) + exp2(v - mj)
            m = mj
        }
        let r = 1 / d
        for i in 0..<n { y[i] = exp2(x[i] - m) * r }
        return (m, d)
    }

    /// `2ˣ` (`−∞ → 0`).
    @inline(__always)
    static func exp2<T: KernelScalar>(_ x: T) -> T {
        T.scalarExp2(x)
    }
}
