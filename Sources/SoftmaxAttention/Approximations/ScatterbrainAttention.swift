import SoftmaxKit

/// Scatterbrain: sparse + low-rank, combined without double counting. With `s = 1/√d`, hyperbolic
/// FAVOR features `φ` (or positive ones) and a support `S` (default: a local window of `w` keys):
///
/// ```
/// numᵢ = Σ_{j∈Sᵢ} (e^{s qᵢ·kⱼ} − φᵢ·φⱼ) vⱼ + Σⱼ φᵢ·φⱼ vⱼ
/// denᵢ = Σ_{j∈Sᵢ} e^{s qᵢ·kⱼ} + max(Σⱼ φᵢ·φⱼ − Σ_{j∈Sᵢ} φᵢ·φⱼ, 0)
/// outᵢ = numᵢ / denᵢ      (denᵢ = 0 → zero row)
/// ```
/// Each entry is unbiased (exact on S, the unbiased feature estimate elsewhere). Each row is scaled
/// by `e^{−cᵢ}`, `cᵢ` its largest exact logit on S — both sums, so the ratio and the clamp are
/// unchanged — which keeps `e^{s q·k}` finite (the official code works in log space for the same
/// reason). S = all keys gives exact softmax attention; S = ∅ gives Performer. Key padding
/// (`mask [Nk]`) removes keys from both parts. O((N·r + nnz(S))·d).
///
/// B. Chen et al., "Scatterbrain: Unifying Sparse and Low-rank Attention Approximation",
/// NeurIPS 2021 (arXiv 2110.15343); HazyResearch/scatterbrain.
enum ScatterbrainAttention {
    static func run<T: KernelScalar>(_ h: DenseHead<T>, phiQ: [T], phiK: [T], features r: Int, support: [Bool], keep: [Bool]?) -> [T] {
        let s = 1 / T(h.headDim).squareRoot()
        let (nq, nk, dv) = (h.queries, h.keys, h.valueDim)
        // Low-rank totals over the kept keys.
        var state = [T](repeating: 0, count: r * dv), normaliser = [T](repeating: 0, count: r)
        for j in 0..<nk where keep?[j] ?? true {
            for f in 0..<r {
                normaliser[f] += phiK[j * r + f]
                for p in 0..<dv { state[f * dv + p] += phiK[j * r + f] * h.v[j * dv + p] }
            }
        }
        var out = [T](repeating: 0, count: nq * dv)
        var logits = [T](repeating: 0, count: nk)
        for i in 0..<nq {
            var c = -T.infinity
            for j in 0..<nk where support[i * nk + j] && (keep?[j] ?? true) {
                var dot = T(0)
                for p in 0..<h.headDim { dot += h.q[i * h.headDim + p] * h.k[j * h.headDim + p] }
                logits[j] = s * dot
                c = max(c, logits[j])
            }
            let scale = c == -.infinity ? 1 : T.scalarExp(-c)
            var num = [T](repeating: 0, count: dv)
            var lowRankTotal = T(0)
            for f in 0..<r {
                lowRankTotal += phiQ[i * r + f] * normaliser[f]
                for p in 0..<dv { num[p] += phiQ[i * r + f] * state[f * dv + p] }
            }
            for p in 0..<dv { num[p] *= scale }
            lowRankTotal *= scale
            var exactSum = T(0), lowRankOnSupport = T(0)
            for j in 0..<nk where support[i * nk + j] && (keep?[j] ?? true) {
                let e = T.scalarExp(logits[j] - (c == -.infinity ? 0 : c))
                var f = T(0)
                for a in 0..<r { f += phiQ[i * r + a] * phiK[j * r + a] }
                f *= scale
                exactSum += e
                lowRankOnSupport += f
                for p in 0..<dv { num[p] += (e - f) * h.v[j * dv + p] }
            }
            let den = exactSum + max(lowRankTotal - lowRankOnSupport, 0)
            guard den > 0 else { continue }
            for p in 0..<dv { out[i * dv + p] = num[p] / den }
        }
        return out
    }
}
