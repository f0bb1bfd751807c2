import SoftmaxKit

/// Linear attention with the `elu(x) + 1` feature map: `φ(x) = x + 1` for x > 0, `eˣ` otherwise,
///
/// ```
/// outᵢ = φ(qᵢ)ᵀ Σⱼ φ(kⱼ) vⱼᵀ  /  φ(qᵢ)ᵀ Σⱼ φ(kⱼ)        (causal: the sums run over j ≤ i)
/// ```
/// O(N·D·Dv) time, O(D·Dv) state; the causal form is the recurrent one (prefix sums), as in
/// autoregressive decoding. No scale is applied (the feature map replaces `exp(q·k/√d)`).
///
/// A. Katharopoulos, A. Vyas, N. Pappas, F. Fleuret, "Transformers are RNNs: Fast Autoregressive
/// Transformers with Linear Attention", ICML 2020 (arXiv 2006.16236).
enum LinearAttention {
    static func run<T: KernelScalar>(_ h: DenseHead<T>, causal: Bool) -> [T] {
        func phi(_ x: T) -> T { x > 0 ? x + 1 : T.scalarExp(x) }
        let (d, dv) = (h.headDim, h.valueDim)
        let fq = h.q.map(phi), fk = h.k.map(phi)
        var state = [T](repeating: 0, count: d * dv), normaliser = [T](repeating: 0, count: d)
        var out = [T](repeating: 0, count: h.queries * dv)
        func accumulate(_ j: Int) {
            for a in 0..<d {
                normaliser[a] += fk[j * d + a]
                for p in 0..<dv { state[a * dv + p] += fk[j * d + a] * h.v[j * dv + p] }
            }
        }
        func read(_ i: Int) {
            var den = T(0)
            for a in 0..<d { den += fq[i * d + a] * normaliser[a] }
            guard den > 0 else { return }
            for p in 0..<dv {
                var num = T(0)
                for a in 0..<d { num += fq[i * d + a] * state[a * dv + p] }
                out[i * dv + p] = num / den
            }
        }
        if causal {
            for i in 0..<h.queries {
                if i < h.keys { accumulate(i) }
                read(i)
            }
        } else {
            for j in 0..<h.keys { accumulate(j) }
            for i in 0..<h.queries { read(i) }
        }
        return out
    }
}
