#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// 1.5-entmax, exact by sorting: `p = [z/2 − τ]₊²` with `Σp = 1`, between softmax
/// (α = 1) and sparsemax (α = 2): sparse, but smoother than sparsemax.
///
/// ```
/// z ← z/2 − max(z/2), sorted descending; for k = 1…n:
///   μₖ = mean(z₍₁..ₖ₎),  ssₖ = k·(mean of squares − μₖ²),  δₖ = (1 − ssₖ)/k,  τₖ = μₖ − √max(δₖ, 0)
/// support size s = #{k : τₖ ≤ z₍ₖ₎},  τ = τ_s
/// ```
/// In Double. `−∞` entries are never in the support. Agrees with `entmax-bisect` at α = 1.5 to
/// 10⁻⁸ (tests). The lab reports its distance from softmax.
///
/// B. Peters, V. Niculae, A. Martins, "Sparse Sequence-to-Sequence Models", ACL 2019
/// (arXiv 1905.05702); deep-spin/entmax.
public struct Entmax15Kernel: RowKernel {
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
        let count = sortedDescendingFinite(x, count: n, into: scratch)
        let top = scratch[0] / 2
        // τₖ from the running sums of the sorted, shifted row.
        var sum = 0.0, sumOfSquares = 0.0
        @inline(__always) func tau(_ k: Int) -> Double {
            let z = scratch[k - 1] / 2 - top
            sum += z
            sumOfSquares += z * z
            let kd = Double(k), mean = sum / kd
            let delta = (1 - kd * (sumOfSquares / kd - mean * mean)) / kd
            return mean - max(delta, 0).squareRoot()
        }
        var support = 0
        for k in 1...count where tau(k) <= scratch[k - 1] / 2 - top { support += 1 }
        sum = 0
        sumOfSquares = 0
        var threshold = 0.0
        for k in 1...support { threshold = tau(k) }
        for i in 0..<n {
            let t = max(Double(x[i]) / 2 - top - threshold, 0)
            y[i] = T(t * t)
        }
    }
}

/// α-entmax for any α > 1 by bisection on the threshold (deep-spin/entmax
/// `entmax_bisect`): `p = [(α−1)z − τ]₊^{1/(α−1)}` with `Σp = 1`,
/// `τ ∈ [max((α−1)z) − 1, max((α−1)z) − n^{1−α}]`, `iterations` halvings (50: the interval is
/// below 10⁻¹⁵), then renormalised so the row sums to 1. `n` counts the finite entries (a
/// tighter, still valid bracket than the package's full row length). In Double.
public struct EntmaxBisectKernel: RowKernel {
    /// α > 1 (1 would be softmax, 2 sparsemax).
    public let alpha: Double
    /// Bisection steps on the threshold.
    public let iterations: Int

    /// - Precondition: `alpha > 1` and finite, `iterations ≥ 1`.
    public init(alpha: Double = 1.5, iterations: Int = 50) {
        precondition(alpha > 1 && alpha.isFinite && iterations >= 1, "EntmaxBisectKernel: alpha \(alpha) must be > 1, iterations ≥ 1")
        self.alpha = alpha
        self.iterations = iterations
    }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n)
    }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n)
    }

    @inline(__always)
    private func row<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
        let a1 = alpha - 1, power = 1 / a1
        var finite = 0
        for i in 0..<n where x[i] != -.infinity { finite += 1 }
        // On the row shifted by its maximum (entmax is shift-invariant), so the threshold's
        // interval [−1, −n^{1−α}] is not lost in the rounding of scores near 10¹⁵ and beyond.
        let m = Double(rowMaximum(x, count: n)), top = 0.0
        @inline(__always) func p(_ v: T, _ tau: Double) -> Double {
            let t = (Double(v) - m) * a1 - tau
            return t > 0 ? libmPow(t, power) : 0
        }
        @inline(__always) func mass(_ tau: Double) -> Double {
            var s = 0.0
            for i in 0..<n where x[i] != -.infinity { s += p(x[i], tau) }
            return s - 1
        }
        var lower = top - 1
        let upper = top - libmPow(Double(finite), -a1)
        let fLower = mass(lower)
        var width = upper - lower
        var tau = lower
        for _ in 0..<iterations {
            width /= 2
            tau = lower + width
            if mass(tau) * fLower >= 0 { lower = tau }
        }
        var sum = 0.0
        for i in 0..<n where x[i] != -.infinity { sum += p(x[i], tau) }
        for i in 0..<n { y[i] = x[i] == -.infinity ? 0 : T(p(x[i], tau) / sum) }
    }
}
