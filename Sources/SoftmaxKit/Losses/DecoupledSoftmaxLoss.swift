/// The decoupled softmax loss for extreme multi-label dual encoders: with scores `s = S/τ`
/// (S cosine similarities, τ = 0.05) and positives `P_q`, each positive competes only with the
/// negatives:
///
/// ```
/// ℓ(q) = (1/|P_q|) Σ_{p∈P_q} −log( e^{s_qp} / (e^{s_qp} + Σ_{l∉P_q} e^{s_ql}) ),   loss = mean over queries
/// ```
/// Rows without positives contribute 0 and still count in the mean.
///
/// N. Gupta et al., "Dual-Encoders for Extreme Multi-Label Classification", ICLR 2024
/// (arXiv 2310.10636); nilesh2797/DEXML.
public enum DecoupledSoftmaxLoss {
    public static func loss(scores: [Double], positives: [Bool], queries q: Int, labels l: Int, tau: Double) throws -> Double {
        guard scores.count == q * l, positives.count == q * l else { throw LossError.shape("S and P must both be \(q)×\(l)") }
        guard tau > 0, tau.isFinite else { throw LossError.parameter("tau must be finite and > 0, got \(tau)") }
        var total = 0.0
        for i in 0..<q {
            let s = (0..<l).map { scores[i * l + $0] / tau }
            let positive = (0..<l).filter { positives[i * l + $0] }
            guard !positive.isEmpty else { continue }
            let negatives = (0..<l).filter { !positives[i * l + $0] }.map { s[$0] }
            var row = 0.0
            for p in positive {
                let all = negatives + [s[p]]
                let m = all.max()!
                let lse = m + Double.scalarLog(all.map { Double.scalarExp($0 - m) }.reduce(0, +))
                row += lse - s[p]
            }
            total += row / Double(positive.count)
        }
        return total / Double(max(q, 1))
    }
}
