/// sparsemax: the Euclidean projection of the scores onto the probability simplex,
/// `p = [z − τ]₊` with `Σp = 1` — exact zeros outside a support:
///
/// ```
/// sort z₍₁₎ ≥ z₍₂₎ ≥ …;  k* = max{k : 1 + k·z₍k₎ > Σ_{j≤k} z₍j₎};  τ = (Σ_{j≤k*} z₍j₎ − 1)/k*
/// ```
/// O(n log n) by sorting (in Double, so Float rows get one rounding at the end), on the row
/// shifted by its maximum, so finite scores up to the type's maximum give a distribution. `−∞`
/// entries are never in the support. Agrees with an independent bisection solution to 10⁻¹² (tests).
/// Not meant to equal softmax: the lab reports its distance (max total variation 1.0).
///
/// A. Martins, R. Astudillo, "From Softmax to Sparsemax", ICML 2016 (arXiv 1602.02068).
public struct SparsemaxKernel: RowKernel {
    /// The method with its defaults.
    public init() {}
    /// One scratch element per input element (the sorted copy of the row).
    public var scratchPerElement: Int { 1 }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n, scratch: scratch)
    }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n, scratch: scratch)
    }

    @inline(__always)
    private func row<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        let z = UnsafeMutableBufferPointer(start: scratch, count: sortedDescendingFinite(x, count: n, into: scratch))
        // On the row shifted by its maximum (sparsemax is shift-invariant): the running sums of
        // scores near 10²⁰ would lose the unit the threshold test compares against.
        let m = z[0]
        var cumulative = 0.0, tau = 0.0
        for k in 1...z.count {
            let shifted = z[k - 1] - m
            cumulative += shifted
            if 1 + Double(k) * shifted > cumulative { tau = (cumulative - 1) / Double(k) }
        }
        for i in 0..<n { y[i] = T(max(Double(x[i]) - m - tau, 0)) }
    }
}

/// Copies the finite entries of a row (as Double) into `buffer`, sorted in descending order;
/// returns how many there are (≥ 1 for an ordinary row).
@inline(__always)
func sortedDescendingFinite<T: KernelScalar>(_ x: UnsafePointer<T>, count n: Int, into buffer: UnsafeMutablePointer<Double>) -> Int {
    var count = 0
    for i in 0..<n where x[i] != -.infinity {
        buffer[count] = Double(x[i])
        count += 1
    }
    var sorted = UnsafeMutableBufferPointer(start: buffer, count: count)
    sorted.sort(by: >)
    return count
}
