/// Taylor softmax: each score through the second-order Taylor polynomial of `eˣ`, normalised,
///
/// ```
/// f(x) = 1 + x + x²/2        (≥ ½ for every x: its minimum is at x = −1)
/// y_i  = f(x_i) / Σ_j f(x_j)
/// ```
/// a member of the spherical family of softmax alternatives: cheap (no exponential), always
/// positive, but not shift-invariant and symmetric-ish in large |x| — a score of −100 weighs
/// almost as much as +100. It equals softmax only near 0, so it is a replacement, not an
/// approximation.
///
/// Edge behaviour (§0 of the method specification): `−∞` entries are masked and get exactly 0
/// (the polynomial alone would give them all the mass); rows with NaN, `+∞` or only `−∞` follow
/// the shared contract. Finite inputs up to the type's maximum are exact to rounding: each row is
/// scaled by `c = max(1, max |x|)` before squaring, `f(x)/c² = 1/c² + (x/c)/c + (x/c)²/2`, so no
/// square overflows. Sums in Double.
///
/// A. de Brébisson, P. Vincent, "An Exploration of Softmax Alternatives Belonging to the Spherical
/// Family", ICLR 2016 (arXiv 1511.05042).
public struct TaylorSoftmaxKernel: RowKernel {
    /// The method with its defaults.
    public init() {}

    /// `f(x)/c²`, the weight of one finite score in a row scaled by `c ≥ 1`; 0 for `−∞`.
    @inline(__always)
    static func weight(_ x: Double, scale c: Double) -> Double {
        if x == -.infinity { return 0 }
        let t = x / c
        return 1 / (c * c) + t / c + t * t / 2
    }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n)
    }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n)
    }

    /// Three scalar passes: the scale, the sum of weights, the normalised weights.
    @inline(__always)
    private func row<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
        var c = 1.0
        for i in 0..<n where x[i] != -.infinity { c = max(c, abs(Double(x[i]))) }
        var sum = 0.0
        for i in 0..<n { sum += Self.weight(Double(x[i]), scale: c) }
        let inverse = 1 / sum
        for i in 0..<n { y[i] = T(Self.weight(Double(x[i]), scale: c) * inverse) }
    }
}

extension MethodDescriptor {
    /// The registry entry.
    static let taylorSoftmax = MethodDescriptor.normalizer(
        "taylor-softmax", summary: "Taylor softmax: f(x)/Σf(x), f(x) = 1 + x + x²/2 (the second-order Taylor polynomial of eˣ; ≥ ½)",
        citation: "A. de Brébisson, P. Vincent, An Exploration of Softmax Alternatives Belonging to the Spherical Family, ICLR 2016 (arXiv 1511.05042)",
        isReplacement: true, make: { _ in RowKernelNormalizer(TaylorSoftmaxKernel()) })
}
