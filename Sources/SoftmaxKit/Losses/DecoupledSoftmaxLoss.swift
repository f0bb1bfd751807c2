/// The decoupled softmax loss for extreme multi-label dual encoders: with scores `s = S/τ`
/// (S cosine similarities, τ = 0.05) and positives `P_q`, each positive competes only with the
/// negatives:
///
/// ```
/// ℓ(q) = (1/|P_q|) Σ_{p∈P_q} −log( e^{s_qp} / (e^{s_qp} + Σ_{l∉P_q} e^{s_ql}) ),   loss = mean over queries
/// ```
/// Rows without positives contribute 0 and still count in the mean. Gradient with respect to `S`:
/// for each positive p, with π = softmax over {p} ∪ negatives, `∂/∂S_qp += (π_p − 1)/τ` and
/// `∂/∂S_ql += π_l/τ` for every negative l, scaled by `1/(|P_q|·Q)`.
///
/// N. Gupta et al., "Dual-Encoders for Extreme Multi-Label Classification", ICLR 2024
/// (arXiv 2310.10636); nilesh2797/DEXML.
public enum DecoupledSoftmaxLoss {
    /// The loss alone.
    public static func loss(scores: [Double], positives: [Bool], queries q: Int, labels l: Int, tau: Double) throws -> Double {
        try compute(scores: scores, positives: positives, queries: q, labels: l, tau: tau).loss
    }

    /// The loss and its gradient with respect to `S`.
    public static func compute(scores: [Double], positives: [Bool], queries q: Int, labels l: Int, tau: Double) throws -> (loss: Double, gradient: [Double]) {
        guard scores.count == q * l, positives.count == q * l else { throw LossError.shape("S and P must both be \(q)×\(l)") }
        guard tau > 0, tau.isFinite else { throw LossError.parameter("tau must be finite and > 0, got \(tau)") }
        var total = 0.0, gradient = [Double](repeating: 0, count: q * l)
        let batch = Double(max(q, 1))
        for i in 0..<q {
            let s = (0..<l).map { scores[i * l + $0] / tau }
            let positive = (0..<l).filter { positives[i * l + $0] }
            guard !positive.isEmpty else { continue }
            let negativeIndices = (0..<l).filter { !positives[i * l + $0] }
            let weight = 1 / (Double(positive.count) * batch * tau)
            var row = 0.0
            for p in positive {
                let m = max(s[p], negativeIndices.map { s[$0] }.max() ?? -.infinity)
                let denominator = Double.scalarExp(s[p] - m) + negativeIndices.map { Double.scalarExp(s[$0] - m) }.reduce(0, +)
                row += m + Double.scalarLog(denominator) - s[p]
                gradient[i * l + p] += (Double.scalarExp(s[p] - m) / denominator - 1) * weight
                for j in negativeIndices { gradient[i * l + j] += Double.scalarExp(s[j] - m) / denominator * weight }
            }
            total += row / Double(positive.count)
        }
        return (total / batch, gradient)
    }
}
