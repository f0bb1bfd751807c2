/// StableMax (spec §8): softmax with `eˣ` replaced by a function that grows linearly, not
/// exponentially, so float32 rows cannot collapse to one-hot (Softmax Collapse):
///
/// ```
/// s(x) = x + 1        for x ≥ 0          (C¹, positive, s(−∞) = 0)
///        1 / (1 − x)  for x < 0
/// StableMax(x)ᵢ = s(xᵢ) / Σⱼ s(xⱼ);   LogStableMax(x)ᵢ = log s(xᵢ) − log Σⱼ s(xⱼ)
/// ```
/// Not shift-invariant (unlike softmax) and not meant to equal softmax: the lab reports its
/// distance from softmax. The sum is accumulated in Double; the official code casts to float64.
///
/// L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability",
/// 2025 (arXiv 2501.04697); LucasPrietoAl/grokking-at-the-edge-of-numerical-stability `utils.py`.
public struct StableMaxKernel: RowKernel {
    public let producesLogProbabilities: Bool

    public init(logarithm: Bool = false) { producesLogProbabilities = logarithm }

    /// `s(x)`; `s(−∞) = 0`, `s(+∞) = +∞`, NaN → NaN.
    @inline(__always)
    public static func s<T: BinaryFloatingPoint>(_ x: T) -> T {
        x >= 0 ? x + 1 : 1 / (1 - x)
    }

    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n)
    }

    public func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n)
    }

    @inline(__always)
    private func row<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
        var sum = 0.0
        for i in 0..<n { sum += Double(Self.s(x[i])) }
        if producesLogProbabilities {
            // log of the Double ratio: exact 0 for a lone entry, and the ratio never underflows
            // (s(x) ≥ 1/(1 − x)).
            for i in 0..<n { y[i] = x[i] == -.infinity ? -.infinity : T(Double.scalarLog(Double(Self.s(x[i])) / sum)) }
        } else {
            for i in 0..<n { y[i] = T(Double(Self.s(x[i])) / sum) }
        }
    }
}
