/// StableMax: softmax with `eˣ` replaced by a function that grows linearly, not
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
    /// Whether the outputs are log-probabilities (`log-stablemax`) rather than probabilities.
    public let producesLogProbabilities: Bool

    /// StableMax, or its logarithm.
    public init(logarithm: Bool = false) { producesLogProbabilities = logarithm }

    /// `s(x)`; `s(−∞) = 0`, `s(+∞) = +∞`, NaN → NaN.
    @inline(__always)
    public static func s<T: BinaryFloatingPoint>(_ x: T) -> T {
        x >= 0 ? x + 1 : 1 / (1 - x)
    }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n)
    }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n)
    }

    /// Two vector passes: `Σ s(xᵢ)` (vector accumulators per 4096-element block, then Double),
    /// then `s(xᵢ)/Σ` — or, for log-StableMax, a scalar pass of `log(s(xᵢ)/Σ)` in Double (exact 0
    /// for a lone entry; the ratio never underflows since s(x) ≥ 1/(1 − x)).
    @inline(__always)
    private func row<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
        let weight = StableMaxWeight(), lanes = T.lanes
        var sum = 0.0, start = 0
        while start < n {
            let end = min(n, start + blockElements)
            var s0 = T.Vector(), s1 = T.Vector()
            var i = start
            while i + 2 * lanes <= end {
                s0 += weight.vector(T.load(x + i), as: T.self)
                s1 += weight.vector(T.load(x + i + lanes), as: T.self)
                i += 2 * lanes
            }
            if i + lanes <= end {
                s0 += weight.vector(T.load(x + i), as: T.self)
                i += lanes
            }
            if i < end { s1 += weight.vector(loadPartial(x + i, count: end - i, fill: -.infinity), as: T.self) }
            sum += Double(T.horizontalSum(s0 + s1))
            start = end
        }
        guard sum.isFinite else { return scaledRow(x, y, count: n) }
        if producesLogProbabilities {
            for i in 0..<n { y[i] = x[i] == -.infinity ? -.infinity : T(Double.scalarLog(Double(Self.s(x[i])) / sum)) }
        } else {
            let r = T.Vector(repeating: T(1 / sum))
            rowMap(x, y, count: n, streaming: false, fill: -.infinity) { weight.vector($0, as: T.self) * r }
        }
    }

    /// Scores near the type's maximum, whose weights' sum overflowed: in Double, each weight
    /// divided by the largest before summing (`s` is increasing, so the largest is the maximum's).
    private func scaledRow<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
        let largest = Self.s(Double(rowMaximum(x, count: n)))
        var sum = 0.0
        for i in 0..<n { sum += Self.s(Double(x[i])) / largest }
        for i in 0..<n {
            let w = Self.s(Double(x[i])) / largest / sum
            y[i] = producesLogProbabilities ? (x[i] == -.infinity ? -.infinity : T(Double.scalarLog(w))) : T(w)
        }
    }
}

/// StableMax's `s` on vectors (`s(−∞) = 0`): the weight function in place of `eˣ`.
struct StableMaxWeight: ExponentialApproximation {
    @inline(__always)
    func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let one = SIMD16<Float>(repeating: 1)
        return (one / (one - x)).replacing(with: x + one, where: x .>= 0)
    }

    @inline(__always)
    func callAsFunction(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let one = SIMD8<Double>(repeating: 1)
        return (one / (one - x)).replacing(with: x + one, where: x .>= 0)
    }
}
