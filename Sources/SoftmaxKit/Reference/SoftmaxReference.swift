#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The definition the exact kernels are tested against: softmax, log-softmax and logsumexp of one
/// row, written for reading, in Double, with the edge contract applied directly. Slow on purpose;
/// the tests and the lab both measure against it (there is no second reference).
///
/// ```
/// m = maxᵢ xᵢ,  (hᵢ, lᵢ) = xᵢ − m exactly as a sum of two Doubles (TwoSum)
/// eᵢ = e^{hᵢ}·(1 + lᵢ),  d = Σᵢ eᵢ (compensated)
/// softmax(x)ᵢ = eᵢ / d,  log_softmax(x)ᵢ = (hᵢ − log d) + lᵢ,  logsumexp(x) = m + log d
/// ```
/// **Accuracy** (Double inputs; libm's `exp` and `log` within 1 ulp): softmax within about
/// 6·10⁻¹⁶ relative, log-softmax and logsumexp within about 4·10⁻¹⁶·max(1, |result|). The
/// difference `xᵢ − m` is kept exact (its rounding would cost |xᵢ − m|·2⁻⁵³ relative: 10⁻¹³ at a
/// range of 700), and the sum is compensated, so the reference is about a hundred times tighter
/// than the Double kernels' 10⁻¹⁴ budget and 10⁹ times the Float kernels' 2·10⁻⁶.
///
/// **Edge contract** (`ExactSoftmax`): an empty row gives an empty output and logsumexp −∞; a NaN
/// anywhere makes the row NaN; `+∞` entries share the mass equally (log-softmax `−log k` there,
/// `−∞` elsewhere); a row of `−∞` (fully masked) gives zeros (log-softmax `−∞`, logsumexp `−∞`).
/// Finite inputs of any magnitude up to `Double.greatestFiniteMagnitude` are in the domain.
///
/// The temperature is the caller's: pass `xᵢ/T` as the kernel computes it (`scaled(_:temperature:)`).
public enum SoftmaxReference {
    /// `log Σᵢ e^{xᵢ}`.
    public static func logSumExp(_ x: some Collection<Double>) -> Double {
        switch edgeCase(x) {
        case .nan: return .nan
        case .infinities: return .infinity
        case .empty: return -.infinity
        case let .finite(m): return m + log(shiftedSum(x, maximum: m))
        }
    }

    /// `e^{xᵢ} / Σⱼ e^{xⱼ}`.
    public static func softmax(_ x: some Collection<Double>) -> [Double] {
        switch edgeCase(x) {
        case .nan: return x.map { _ in .nan }
        case let .infinities(k): return x.map { $0 == .infinity ? 1 / Double(k) : 0 }
        case .empty: return x.map { _ in 0 }
        case let .finite(m):
            let d = shiftedSum(x, maximum: m)
            return x.map { exponential(of: $0, minus: m) / d }
        }
    }

    /// `xᵢ − logsumexp(x)`.
    public static func logSoftmax(_ x: some Collection<Double>) -> [Double] {
        switch edgeCase(x) {
        case .nan: return x.map { _ in .nan }
        case let .infinities(k): return x.map { $0 == .infinity ? -log(Double(k)) : -.infinity }
        case .empty: return x.map { _ in -.infinity }
        case let .finite(m):
            let logD = log(shiftedSum(x, maximum: m))
            return x.map { v in
                let (h, l) = difference(v, m)
                return h.isFinite ? (h - logD) + l : -.infinity
            }
        }
    }

    /// `Σᵢ xᵢ`, compensated (Neumaier): within 2 ulps for any order of magnitudes, for the
    /// rows-sum-to-one checks.
    public static func sum<T: BinaryFloatingPoint>(_ values: some Sequence<T>) -> Double {
        var s = 0.0, c = 0.0
        for v in values {
            let x = Double(v), t = s + x
            c += abs(s) >= abs(x) ? (s - t) + x : (x - t) + s
            s = t
        }
        return s + c
    }

    /// `xᵢ/T` as the kernels compute it: `xᵢ·(1/T)`, one rounding in `T` (frameworks scale logits
    /// the same way before the softmax), widened to Double.
    public static func scaled<T: BinaryFloatingPoint>(_ x: some Sequence<T>, temperature: Double) -> [Double] {
        let s = T(1 / temperature)
        return x.map { Double($0 * s) }
    }

    // MARK: - The pieces

    /// Which part of the edge contract a row falls under.
    enum EdgeCase {
        case nan
        case infinities(Int)
        /// Empty or all −∞.
        case empty
        /// The maximum, finite.
        case finite(Double)
    }

    static func edgeCase(_ x: some Collection<Double>) -> EdgeCase {
        if x.contains(where: \.isNaN) { return .nan }
        let infinities = x.reduce(0) { $0 + ($1 == .infinity ? 1 : 0) }
        if infinities > 0 { return .infinities(infinities) }
        guard let m = x.max(), m > -.infinity else { return .empty }
        return .finite(m)
    }

    /// `a − b` as `h + l` exactly (Knuth's TwoSum); `h = −∞` when it overflows.
    static func difference(_ a: Double, _ b: Double) -> (Double, Double) {
        let h = a - b
        guard h.isFinite else { return (-.infinity, 0) }
        let bb = h - a
        return (h, (a - (h - bb)) + (-b - bb))
    }

    /// `e^{x − m}` with `x − m` exact: `e^h·(1 + l)`, `|l| ≤ ulp(h)/2`.
    static func exponential(of x: Double, minus m: Double) -> Double {
        let (h, l) = difference(x, m)
        return h.isFinite ? exp(h) * (1 + l) : 0
    }

    /// `Σᵢ e^{xᵢ − m}`, compensated.
    static func shiftedSum(_ x: some Collection<Double>, maximum m: Double) -> Double {
        sum(x.lazy.map { exponential(of: $0, minus: m) })
    }
}
