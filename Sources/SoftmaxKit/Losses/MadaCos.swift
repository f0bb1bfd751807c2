import Foundation

/// CFCD's MadaCos: a cosine-softmax loss whose scale and margin adapt to each mini-batch's median
/// target cosine, so that the median sample's target probability is exactly α,
///
/// ```
/// tᵢ = cos_{i,yᵢ};  c = lower median of t (sample m);  s = max(32, ln(K(1−α)/α)/(1 − c)), K = 9 999 999
/// ln Bᵢ = LSE_{j≠yᵢ}(s·cos_ij);  B_avg = B_m | lower median of B | mean of B
/// μ = max(0, c − ln(B_avg·α/(1−α))/s)   (0 in evaluation mode)
/// ℓ_ij = s·cos_ij (j ≠ yᵢ),  ℓ_{i,yᵢ} = s·(cos_{i,yᵢ} − μ);   loss = mean CE(ℓᵢ, yᵢ)
/// ∂loss/∂cos_ij = s·(softmax(ℓᵢ)_j − [j = yᵢ])/N   (s, μ constants, as the code's backward)
/// ```
///
/// `ln B` is a log-sum-exp, never `exp` then `log`: the reference code's float32 `exp(s·cos)`
/// overflows once `s·cos > 88.7` (B = ∞ → μ = −∞ → clamped to 0), which this computation does
/// not. Ties among the median cosines: the lowest sample index supplies B_m. `c ≥ 1` gives
/// s = +∞ and NaN outputs; a NaN cosine gives NaN outputs. Computed in Double.
///
/// Y. Zhu et al., "Coarse-to-Fine: Learning Compact Discriminative Representation for
/// Single-Stage Image Retrieval", ICCV 2023 (arXiv 2308.04008); bassyess/CFCD `core/model/madacos.py`.
public enum MadaCos {
    /// The paper and the official code, as the registry cites them.
    public static let citation =
        "Y. Zhu, X. Gao, B. Ke, R. Qiao, X. Sun, Coarse-to-Fine: Learning Compact Discriminative Representation for Single-Stage Image Retrieval, ICCV 2023 (arXiv 2308.04008); bassyess/CFCD madacos.py"

    /// The code's constant K in the scale rule.
    public static let k = 9_999_999.0
    /// The scale's floor.
    public static let minimumScale = 32.0

    /// How B_avg is taken from the per-sample B.
    public enum AverageB: String, Sendable, CaseIterable {
        /// The median sample's own B (`method_b = 'default'`).
        case `default`
        /// The lower median of B.
        case median
        /// The mean of B.
        case mean
    }

    /// The adaptive quantities and the logits of one batch.
    public struct Result: Sendable {
        /// ℓ, `[N, C]` row-major.
        public var logits: [Double]
        /// s.
        public var scale: Double
        /// μ.
        public var margin: Double
        /// c, the lower median of the target cosines.
        public var cosMedian: Double
        /// ln B_avg.
        public var logBAverage: Double
        /// CE(ℓᵢ, yᵢ) per sample.
        public var perExample: [Double]
        /// The mean of `perExample`.
        public var loss: Double
        /// ∂loss/∂cos, `[N, C]`.
        public var gradient: [Double]
    }

    /// MadaCos on `cos [n, classes]` with `labels`; `alpha ∈ (0, 1)`, `classes ≥ 2`, labels checked by the caller.
    public static func compute(cos: [Double], n: Int, classes: Int, labels: [Int], alpha: Double, averageB: AverageB, training: Bool) -> Result {
        let nanResult = { (c: Double, s: Double) in
            Result(
                logits: [Double](repeating: .nan, count: cos.count), scale: s, margin: .nan, cosMedian: c, logBAverage: .nan,
                perExample: [Double](repeating: .nan, count: n), loss: .nan, gradient: [Double](repeating: .nan, count: cos.count))
        }
        let targets = (0..<n).map { cos[$0 * classes + labels[$0]] }
        if cos.contains(where: \.isNaN) || n == 0 { return nanResult(.nan, .nan) }
        // The lower median and, among tied samples, the lowest index (stable sort).
        let order = (0..<n).sorted { targets[$0] < targets[$1] || (targets[$0] == targets[$1] && $0 < $1) }
        let rank = (n - 1) / 2
        let c = targets[order[rank]]
        let m = order.first { targets[$0] == c }!
        if c >= 1 { return nanResult(c, .infinity) }
        let s = max(minimumScale, Foundation.log(k * (1 - alpha) / alpha) / (1 - c))
        // ln Bᵢ = LSE over the non-target classes of s·cos.
        let logB = (0..<n).map { i -> Double in
            var top = -Double.infinity
            for j in 0..<classes where j != labels[i] { top = max(top, s * cos[i * classes + j]) }
            guard top > -.infinity else { return -.infinity }
            var sum = 0.0
            for j in 0..<classes where j != labels[i] { sum += Foundation.exp(s * cos[i * classes + j] - top) }
            return top + Foundation.log(sum)
        }
        let logBAverage: Double
        switch averageB {
        case .default: logBAverage = logB[m]
        case .median: logBAverage = logB.sorted()[rank]
        case .mean:
            let top = logB.max()!
            logBAverage = top + Foundation.log(logB.reduce(0) { $0 + Foundation.exp($1 - top) } / Double(n))
        }
        var margin = c - (logBAverage + Foundation.log(alpha / (1 - alpha))) / s
        if !training || margin < 0 || margin.isNaN { margin = 0 }
        var logits = cos.map { s * $0 }
        for i in 0..<n { logits[i * classes + labels[i]] = s * (cos[i * classes + labels[i]] - margin) }
        var perExample = [Double](repeating: 0, count: n), gradient = [Double](repeating: 0, count: cos.count)
        for i in 0..<n {
            let row = logits[(i * classes)..<(i * classes + classes)]
            let top = row.max()!
            let lse = top + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - top) })
            perExample[i] = lse - logits[i * classes + labels[i]]
            for j in 0..<classes {
                let p = Foundation.exp(logits[i * classes + j] - lse)
                gradient[i * classes + j] = s * (p - (j == labels[i] ? 1 : 0)) / Double(n)
            }
        }
        return Result(
            logits: logits, scale: s, margin: margin, cosMedian: c, logBAverage: logBAverage, perExample: perExample,
            loss: perExample.reduce(0, +) / Double(n), gradient: gradient)
    }
}
