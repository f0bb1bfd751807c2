import SoftmaxKit

/// Edge-MoE's attention with the single-pass softmax: while the scores of a query stream out, a
/// running bias `b` (maximum) and sum `s` are kept (`s ← s·e^{b−a} + 1, b ← a` on a new maximum,
/// else `s ← s + e^{a−b}`); the attention·V pass recomputes `e^{aⱼ−b}·(1/s)` from the stored
/// scores. Exact softmax attention in exact arithmetic; here in the working precision, so its
/// error is the recurrence's (see `EdgeMoESoftmaxKernel`). Hidden keys are skipped; a query with
/// none gives a zero row.
///
/// R. Sarkar et al., "Edge-MoE", ICCAD 2023 (arXiv 2305.18691); sharc-lab/Edge-MoE `src/attention.cpp`.
enum EdgeMoEAttention {
    static func run<T: KernelScalar>(_ h: DenseHead<T>, mask: [Bool]?, scale: T, causal: CausalAlignment?) -> [T] {
        let scores = h.scores(scale: scale)
        var weights = [T](repeating: 0, count: scores.count)
        for i in 0..<h.queries {
            let limit = causal.map { $0 == .topLeft ? i : i + h.keys - h.queries }
            let visible = { (j: Int) in (mask?[i * h.keys + j] ?? true) && (limit.map { j <= $0 } ?? true) }
            var b = -T.infinity, s = T(0)
            for j in 0..<h.keys where visible(j) {
                let a = scores[i * h.keys + j]
                if a > b {
                    s = s * T.scalarExp(b - a) + 1
                    b = a
                } else {
                    s += T.scalarExp(a - b)
                }
            }
            guard s > 0 else { continue }
            let r = 1 / s
            for j in 0..<h.keys where visible(j) { weights[i * h.keys + j] = T.scalarExp(scores[i * h.keys + j] - b) * r }
        }
        return h.apply(weights)
    }
}
