import Foundation

/// TempNet's losses: the KL-constrained DRO ("robust") losses whose temperature τ is learned per
/// input, for next-token prediction and for CLIP-style contrastive learning. Computed in Double
/// with every sum a shifted log-sum-exp.
///
/// Z.-H. Qiu et al., "To Cool or not to Cool? Temperature Network Meets Large Foundation Models via
/// DRO", ICML 2024 (arXiv 2404.04575); zhqiu/TempNet (`LLaMA-2/megatron/core/tensor_parallel/
/// cross_entropy.py`, `Bimodal_CL/models/losses.py`).
public enum TempNet {
    /// The paper and the official code, as the registry cites them.
    public static let citation =
        "Z.-H. Qiu, S. Guo, M. Xu, T. Zhao, L. Zhang, T. Yang, To Cool or not to Cool? Temperature Network Meets Large Foundation Models via DRO, ICML 2024 (arXiv 2404.04575); zhqiu/TempNet"

    /// One row of the next-token DRO loss, K = the row's length:
    ///
    /// ```
    /// d_k = z_k − z_y;   ℓ = τ·ln((1/K) Σ_k e^{d_k/τ}) + ρ·τ  (= τ·CE(z/τ, y) + (ρ − ln K)·τ)
    /// ∂ℓ/∂z = softmax(z/τ) − e_y;   ∂ℓ/∂τ = ln((1/K) Σ e^{d_k/τ}) − Σ p_k d_k/τ + ρ
    /// ```
    ///
    /// Returns ℓ, CE(z/τ, y) and ∂ℓ/∂τ, and writes ∂ℓ/∂z into `gradient`.
    public static func droRow(
        _ z: ArraySlice<Double>, label y: Int, tau: Double, rho: Double, gradient: inout ArraySlice<Double>
    ) -> (loss: Double, ce: Double, dTau: Double) {
        let k = Double(z.count), zy = z[z.startIndex + y]
        let scaled = z.map { ($0 - zy) / tau }  // d_k/τ
        let top = scaled.max()!
        let sum = scaled.reduce(0) { $0 + Foundation.exp($1 - top) }
        let lse = top + Foundation.log(sum)  // ln Σ e^{d_k/τ}
        var expected = 0.0
        for (i, v) in scaled.enumerated() {
            let p = Foundation.exp(v - lse)
            expected += p * v
            gradient[gradient.startIndex + i] = p - (i == y ? 1 : 0)
        }
        let mean = lse - Foundation.log(k)
        return (tau * mean + rho * tau, lse, mean - expected + rho)
    }

    /// The contrastive DRO loss of one side: for each anchor i of an B × B similarity matrix, over
    /// the others j ≠ i, `F_i = τ_i·ln(1/(B−1) Σ_{j≠i} e^{(S_ij − S_ii)/τ_i}) + ρ·τ_i`. `along` reads
    /// S by rows (image → texts) or by columns (text → images). Returns F, ∂F_i/∂τ_i and the weights
    /// `w_ij = softmax_{j≠i}((S_ij − S_ii)/τ_i)` (zero diagonal), in S's layout.
    public static func contrastiveSide(_ s: [Double], b: Int, tau: [Double], rho: Double, byRows: Bool) -> (f: [Double], dTau: [Double], weights: [Double]) {
        var f = [Double](repeating: 0, count: b), dTau = f, weights = [Double](repeating: 0, count: b * b)
        func at(_ i: Int, _ j: Int) -> Int { byRows ? i * b + j : j * b + i }
        for i in 0..<b {
            let others = (0..<b).filter { $0 != i }
            let scaled = others.map { (s[at(i, $0)] - s[at(i, i)]) / tau[i] }
            let top = scaled.max()!
            let lse = top + Foundation.log(scaled.reduce(0) { $0 + Foundation.exp($1 - top) })
            var expected = 0.0
            for (n, j) in others.enumerated() {
                let w = Foundation.exp(scaled[n] - lse)
                weights[at(i, j)] = w
                expected += w * scaled[n]
            }
            let mean = lse - Foundation.log(Double(b - 1))
            f[i] = tau[i] * mean + rho * tau[i]
            dTau[i] = mean - expected + rho
        }
        return (f, dTau, weights)
    }
}
