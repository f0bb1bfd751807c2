import SoftmaxKit

/// Selective attention: query- and position-dependent temperatures,
///
/// ```
/// q̃ᵢ = τ_q(i)·qᵢ,  ṽⱼ = τ_v(j)·vⱼ,  Pᵢ = softmaxⱼ(q̃ᵢ·kⱼ/√d over visible j),  outᵢ = Σⱼ Pᵢⱼ ṽⱼ
/// τ_pos(i) = 1 + σ(α)·log i  (sigmoid),  1 + e^{−e^α}·log i  (gumbel, the official code),
///            1 + α·log i  (linear);   i is 1-based
/// ```
/// The temperatures are inputs (the token-dependent part `tanh(f(x))` is a learned map, outside a
/// stateless operator); `ssa-position-temperature` computes the position part.
///
/// X. Zhang et al., "Selective Attention: Enhancing Transformer through Principled Context
/// Control", NeurIPS 2024 (arXiv 2411.12892); umich-sota/selective_attention.
enum SelectiveAttention {
    enum Form: String, CaseIterable, Sendable { case sigmoid, gumbel, linear }

    static func positionTemperature(n: Int, alpha: Double, form: Form) -> [Double] {
        let factor: Double
        switch form {
        case .sigmoid: factor = 1 / (1 + Double.scalarExp(-alpha))
        case .gumbel: factor = Double.scalarExp(-Double.scalarExp(alpha))
        case .linear: factor = alpha
        }
        return (1...max(n, 1)).prefix(n).map { 1 + factor * Double.scalarLog(Double($0)) }
    }

    static func run<T: KernelScalar>(_ h: DenseHead<T>, tauQ: [T]?, tauV: [T]?, mask: [Bool]?, causal: Bool) -> (out: [T], p: [T]) {
        var s = h.scores(scale: 1 / T(h.headDim).squareRoot())
        for i in 0..<h.queries {
            let t = tauQ?[i] ?? 1
            var m = -T.infinity
            for j in 0..<h.keys {
                let keep = (mask?[i * h.keys + j] ?? true) && (!causal || j <= i)
                s[i * h.keys + j] = keep ? t * s[i * h.keys + j] : -.infinity
                m = max(m, s[i * h.keys + j])
            }
            guard m > -T.infinity else {
                for j in 0..<h.keys { s[i * h.keys + j] = 0 }
                continue
            }
            var total = T(0)
            for j in 0..<h.keys {
                let e = s[i * h.keys + j] == -.infinity ? 0 : T.scalarExp(s[i * h.keys + j] - m)
                s[i * h.keys + j] = e
                total += e
            }
            for j in 0..<h.keys { s[i * h.keys + j] /= total }
        }
        var v = h.v
        if let tauV { for j in 0..<h.keys { for p in 0..<h.valueDim { v[j * h.valueDim + p] *= tauV[j] } } }
        return (h.apply(s, to: v), s)
    }
}
