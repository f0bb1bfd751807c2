#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The running state of the online normalizer (Milakov & Gimelshein 2018, arXiv 1805.02867):
/// the maximum `m` seen so far and `d = Σ e^{xᵢ − m}`. `(−∞, 0)` is the empty state.
public struct SoftmaxState: Sendable, Equatable {
    /// The running maximum m.
    public var maximum: Double
    /// The running sum d = Σ e^{x − m}.
    public var sum: Double

    /// A state; the default is the empty row's.
    public init(maximum: Double = -.infinity, sum: Double = 0) {
        self.maximum = maximum
        self.sum = sum
    }

    /// `logsumexp = m + log d` of everything merged into this state.
    public var logSumExp: Double { sum == 0 && maximum == -.infinity ? -.infinity : maximum + log(sum) }

    /// `(m,d) ⊕ (m',d') = (M, d·e^{m−M} + d'·e^{m'−M})`, `M = max(m, m')`.
    ///
    /// `(−∞, 0)` is the identity and is never evaluated as `−∞ − (−∞)`. NaN in either operand gives
    /// NaN; merging with `m = +∞` gives `m = +∞` and a sum that counts the `+∞` entries (limit
    /// semantics, as the shared contract asks). Associative and commutative up to rounding.
    public func merged(with other: SoftmaxState) -> SoftmaxState {
        if maximum.isNaN || other.maximum.isNaN || sum.isNaN || other.sum.isNaN {
            return SoftmaxState(maximum: .nan, sum: .nan)
        }
        if other.maximum == -.infinity { return self }
        if maximum == -.infinity { return other }
        let m = Swift.max(maximum, other.maximum)
        if m == .infinity {
            // Only +∞ maxima contribute; their sums count the +∞ entries.
            let a = maximum == .infinity ? sum : 0
            let b = other.maximum == .infinity ? other.sum : 0
            return SoftmaxState(maximum: .infinity, sum: a + b)
        }
        return SoftmaxState(maximum: m, sum: sum * expOfDifference(maximum, m) + other.sum * expOfDifference(other.maximum, m))
    }
}

/// Online softmax: one pass computes the state `(m, d)` with a running maximum, a second pass
/// writes `yᵢ = e^{xᵢ/T − m}/d`.
///
/// ```
/// m₀ = −∞, d₀ = 0;  m_j = max(m_{j−1}, x_j),  d_j = d_{j−1}·e^{m_{j−1}−m_j} + e^{x_j−m_j}
/// ```
/// Vectorized per lane and per group of four vectors (one rescale per group, so about 1.25
/// exponentials per element), per block of `blockElements`; lanes and blocks are combined with
/// `SoftmaxState.merged(with:)` in Double. −∞ inputs are skipped (never `−∞ − (−∞)`).
@usableFromInline
enum OnlineSoftmax {
    /// The state of one row: `m = max xᵢ/T` and `d = Σ e^{xᵢ/T − m}` (sum in Double).
    /// NaN anywhere gives a NaN sum; +∞ gives `m = +∞`.
    @inlinable @inline(__always)
    static func state<T: KernelScalar>(_ x: UnsafePointer<T>, count n: Int, inverseTemperature s: T) -> (maximum: T, sum: Double) {
        let lanes = T.lanes
        let sv = T.Vector(repeating: s)
        // Lanes start at a very negative finite value L (L/T finite) instead of −∞, so a running
        // maximum is never −∞ and −∞ inputs simply give e^{−∞} = 0 (never −∞ − (−∞)); NaN inputs
        // propagate into the lane sum. Lanes that saw no finite input end with d = 0 and are skipped.
        let start0 = -T.greatestFiniteMagnitude / Swift.max(s, 1)
        let lowest = T.Vector(repeating: start0)
        let negativeInfinity = T.Vector(repeating: -.infinity)
        var m = -T.infinity, d = 0.0
        var start = 0
        while start < n {
            let end = min(n, start + blockElements)
            var mv = lowest, dv = T.Vector()
            var i = start
            while i + 4 * lanes <= end {
                update(&mv, &dv, T.load(x + i), T.load(x + i + lanes), T.load(x + i + 2 * lanes), T.load(x + i + 3 * lanes), scale: sv, T.self)
                i += 4 * lanes
            }
            while i < end {
                let v = i + lanes <= end ? T.load(x + i) : loadPartial(x + i, count: end - i, fill: -.infinity)
                update(&mv, &dv, v, negativeInfinity, negativeInfinity, negativeInfinity, scale: sv, T.self)
                i += lanes
            }
            // Merge the lanes, then the block, into (m, d): (m,d) ⊕ (m',d') with M = max(m, m').
            for j in 0..<lanes {
                let (mj, dj) = (mv[j] * s, Double(dv[j]))
                if mj.isNaN || dj.isNaN { return (.nan, .nan) }
                if dj == 0 { continue }
                let mNew = Swift.max(m, mj)
                if mNew == .infinity { return (.infinity, .nan) }
                d =
                    (m == -.infinity ? 0 : d * expOfDifference(Double(m), Double(mNew)))
                    + dj * expOfDifference(Double(mj), Double(mNew))
                m = mNew
            }
            start = end
        }
        return (m, d)
    }

    /// One step of the per-lane online update over four vectors: one rescale, four exponentials.
    /// Despite `@inline(__always)` the optimizer emits it as a call (one per 64 elements), and
    /// forcing it inline with `@_transparent` measured slower (BENCHMARKS.md, "Exact softmax: the
    /// schedules"); `check-hot-loops.py` allows this one call.
    @inlinable @inline(__always)
    static func update<T: KernelScalar>(
        _ mv: inout T.Vector, _ dv: inout T.Vector, _ v0: T.Vector, _ v1: T.Vector, _ v2: T.Vector, _ v3: T.Vector, scale sv: T.Vector, _: T.Type
    ) {
        let mNew = T.maximum(mv, T.maximum(T.maximum(v0, v1), T.maximum(v2, v3)))
        let ms = mNew * sv
        var e = dv * T.expShifted(mv, scale: sv, maximum: ms)
        e += T.expShifted(v0, scale: sv, maximum: ms) + T.expShifted(v1, scale: sv, maximum: ms)
        e += T.expShifted(v2, scale: sv, maximum: ms) + T.expShifted(v3, scale: sv, maximum: ms)
        dv = e
        mv = mNew
    }

    @inlinable @inline(__always)
    static func row<T: KernelScalar>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, inverseTemperature s: T,
        output: RowOutput, streaming: Bool, state: inout SoftmaxState
    ) -> RowStatistics {
        // Pass 1: the online state.
        let (m, d) = Self.state(x, count: n, inverseTemperature: s)
        guard m.isFinite, d.isFinite else {
            let lse = rowEdgeCase(x, y, count: n, output: output)
            state =
                lse.isNaN
                ? SoftmaxState(maximum: .nan, sum: .nan)
                : lse == .infinity
                    ? SoftmaxState(maximum: .infinity, sum: Double(countInfinities(x, count: n)))
                    : SoftmaxState()
            return .special(lse)
        }
        state = SoftmaxState(maximum: Double(m), sum: d)
        // Pass 2: write, as the third pass of three-pass-recompute.
        let mv = T.Vector(repeating: m), sv = T.Vector(repeating: s)
        switch output {
        case .probabilities:
            let r = T.Vector(repeating: T(1 / d))
            rowMap(x, y, count: n, streaming: streaming, fill: -.infinity) { T.expShifted($0, scale: sv, maximum: mv) * r }
        case .logProbabilities:
            let logD = T.Vector(repeating: T(log(d)))
            rowMap(x, y, count: n, streaming: streaming, fill: -.infinity) { ($0 * sv - mv) - logD }
        case .nothing:
            break
        }
        return .shifted(maximum: state.maximum, sum: d)
    }
}

/// The number of `+∞` entries of a row (the online state's sum in the limit semantics).
@usableFromInline
func countInfinities<T: KernelScalar>(_ x: UnsafePointer<T>, count n: Int) -> Int {
    var k = 0
    for i in 0..<n where x[i] == .infinity { k += 1 }
    return k
}

/// `e^{a − b}` in Double with the rounding error of `a − b` compensated (TwoSum), for `a ≤ b`
/// finite. Used where partial states are merged.
@inlinable
func expOfDifference(_ a: Double, _ b: Double) -> Double {
    let z = a - b
    let bv = z - a
    let delta = (a - (z - bv)) - (b + bv)
    let e = exp(z)
    return delta.isFinite ? e + e * delta : e
}
