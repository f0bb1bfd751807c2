#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Fourier head: a distribution over [−1, 1] from `2(N+1)` reals per example,
///
/// ```
/// a_k = r_k + i·r_{N+1+k} (k = 0…N);   c_k = Σ_{m=0}^{N−k} a_{m+k}·conj(a_m);   c̃_k = c_k/Re(c₀)
/// p(x) = ½ + Re Σ_{k=1..N} c̃_k e^{iπkx} = |Σ_m a_m e^{iπmx}|²/(2c₀) ≥ 0,   ∫_{−1}^{1} p = 1
/// bins: centres x_j = −1 + (2j+1)/m;   P_j = p(x_j)/Σ_j p(x_j);   logits = log(P_j + 10⁻⁵)
/// regulariser = γ·2·mean_batch Σ_{k=0..N} 2π²k²|c_k|²   (unnormalised c_k)
/// ```
/// All-zero coefficients (c₀ = 0) are rejected (the reference code returns NaN).
///
/// N. Gillman et al., "Fourier Head: Helping Large Language Models Learn Complex Probability
/// Distributions", 2024 (arXiv 2410.22269); nate-gillman/fourier-head.
public enum FourierHead {
    /// Everything the head computes for a batch.
    public struct Output: Sendable {
        /// c_k, k = 0…N, per example: `[re, im]` pairs.
        public var c: [Double]
        /// c̃_k, k = 1…N, per example: `[re, im]` pairs.
        public var normalized: [Double]
        /// The centres of the bins of [−1, 1].
        public var binCenters: [Double]
        public var pdf: [Double], pmf: [Double], logits: [Double]
        /// The regulariser `γ·Σ k²|c_k|²` (0 for γ = 0).
        public var regularization: Double
    }

    /// The autocorrelation `c_k` (k = 0…N) of one example's parameters, as (re, im).
    public static func autocorrelation(_ r: ArraySlice<Double>, frequencies n: Int) -> [(Double, Double)] {
        let base = r.startIndex
        let re = (0...n).map { r[base + $0] }, im = (0...n).map { r[base + n + 1 + $0] }
        return (0...n).map { k in
            var sr = 0.0, si = 0.0
            for m in 0...(n - k) {
                // a_{m+k}·conj(a_m)
                sr += re[m + k] * re[m] + im[m + k] * im[m]
                si += im[m + k] * re[m] - re[m + k] * im[m]
            }
            return (sr, si)
        }
    }

    /// `p(x)` from normalised coefficients c̃_k (k = 1…N).
    public static func density(_ x: Double, _ normalized: [(Double, Double)]) -> Double {
        var p = 0.5
        for (index, (cr, ci)) in normalized.enumerated() {
            let angle = Double.pi * Double(index + 1) * x
            p += cr * cos(angle) - ci * sin(angle)
        }
        return p
    }

    /// The Fourier head on a batch of `b` parameter rows (`2n` coefficients each): the bin probabilities over `m` bins, floored at `floor`, and the regularised loss with weight `gamma`; throws naming the parameter out of range.
    public static func evaluate(_ params: [Double], batch b: Int, frequencies n: Int, bins m: Int, gamma: Double, floor: Double = 1e-5) throws -> Output {
        guard n >= 1, params.count == b * 2 * (n + 1) else {
            throw LossError.shape("params hold \(params.count) values; \(b) examples need 2(N+1) = \(2 * (n + 1)) each")
        }
        guard m >= 1 else { throw LossError.parameter("n_bins must be ≥ 1, got \(m)") }
        let centers = (0..<m).map { -1 + Double(2 * $0 + 1) / Double(m) }
        var out = Output(c: [], normalized: [], binCenters: centers, pdf: [], pmf: [], logits: [], regularization: 0)
        var regularizer = 0.0
        for e in 0..<b {
            let c = autocorrelation(params[(e * 2 * (n + 1))..<((e + 1) * 2 * (n + 1))], frequencies: n)
            guard c[0].0 > 0 else { throw LossError.parameter("example \(e) has all-zero coefficients (c₀ = 0)") }
            let normalized = c.dropFirst().map { ($0.0 / c[0].0, $0.1 / c[0].0) }
            out.c += c.flatMap { [$0.0, $0.1] }
            out.normalized += normalized.flatMap { [$0.0, $0.1] }
            let pdf = centers.map { density($0, Array(normalized)) }
            let total = pdf.reduce(0, +)
            out.pdf += pdf
            let pmf = pdf.map { $0 / total }
            out.pmf += pmf
            out.logits += pmf.map { Double.scalarLog($0 + floor) }
            regularizer += c.enumerated().map { k, v in 2 * Double.pi * Double.pi * Double(k * k) * (v.0 * v.0 + v.1 * v.1) }.reduce(0, +)
        }
        out.regularization = gamma * 2 * regularizer / Double(b)
        return out
    }
}
