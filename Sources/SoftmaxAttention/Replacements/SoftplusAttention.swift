import SoftmaxKit

/// Softplus attention with re-weighting (LSSA, LSSAR). Stage 1 (LSSA), causal by default:
///
/// ```
/// q̂ᵢ = qᵢ/‖qᵢ‖, k̂ⱼ = kⱼ/‖kⱼ‖ (zero → 0);  Aᵢⱼ = softplus(log d · log Nᵢ · q̂ᵢ·k̂ⱼ)·Mᵢⱼ;  Aᵢ ← Aᵢ/‖Aᵢ‖₁
/// ```
/// (`Nᵢ` = the number of keys query i sees). Stage 2 (LSSAR):
/// `Bᵢⱼ = ReLU(Aᵢⱼ·Nᵢ − Oᵢ)^p·Mᵢⱼ`, `Oᵢ = 0` for the first `warmup_rows` rows and `offset` after,
/// `Bᵢ ← Bᵢ/‖Bᵢ‖₁`. Rows with nothing to normalise (no visible key, or every `Bᵢⱼ = 0`) are zero
/// rows; the ℓ1 normalisations use no ε (the paper does not state one). Constants follow the
/// paper as described by two agreeing secondary sources (its code was not available).
///
/// B. Gao, M. W. Spratling, "Softplus Attention with Re-weighting Boosts Length Extrapolation in
/// Large Language Models", 2025 (arXiv 2501.13428).
enum SoftplusAttention {
    static func lssa<T: KernelScalar>(_ h: DenseHead<T>, mask: [Bool]?, causal: Bool) -> (a: [T], visible: [T]) {
        func unit(_ x: [T], _ rows: Int, _ d: Int) -> [T] {
            var out = x
            for r in 0..<rows {
                var n = T(0)
                for p in 0..<d { n += x[r * d + p] * x[r * d + p] }
                let inv = n > 0 ? 1 / n.squareRoot() : 0
                for p in 0..<d { out[r * d + p] *= inv }
            }
            return out
        }
        let unitHead = DenseHead(
            q: unit(h.q, h.queries, h.headDim), k: unit(h.k, h.keys, h.headDim), v: h.v,
            queries: h.queries, keys: h.keys, headDim: h.headDim, valueDim: h.valueDim)
        let cos = unitHead.scores(scale: 1)
        var a = [T](repeating: 0, count: h.queries * h.keys), counts = [T](repeating: 0, count: h.queries)
        let logD = T.scalarLog(T(h.headDim))
        for i in 0..<h.queries {
            let keep = { (j: Int) in (mask?[i * h.keys + j] ?? true) && (!causal || j <= i) }
            let n = (0..<h.keys).filter(keep).count
            counts[i] = T(n)
            guard n > 0 else { continue }
            let factor = logD * T.scalarLog(T(n))
            var total = T(0)
            for j in 0..<h.keys where keep(j) {
                let x = factor * cos[i * h.keys + j]
                let sp = x > 20 ? x : T.scalarLog(1 + T.scalarExp(x))  // softplus without overflow
                a[i * h.keys + j] = sp
                total += sp
            }
            if total > 0 { for j in 0..<h.keys { a[i * h.keys + j] /= total } }
        }
        return (a, counts)
    }

    static func lssar<T: KernelScalar>(_ h: DenseHead<T>, mask: [Bool]?, causal: Bool, power p: T, warmupRows: Int, offset: T) -> [T] {
        let (a, counts) = lssa(h, mask: mask, causal: causal)
        var b = [T](repeating: 0, count: a.count)
        for i in 0..<h.queries {
            let o = i < warmupRows ? 0 : offset
            var total = T(0)
            for j in 0..<h.keys {
                let keep = (mask?[i * h.keys + j] ?? true) && (!causal || j <= i)
                guard keep else { continue }
                let r = max(a[i * h.keys + j] * counts[i] - o, 0)
                let w = r == 0 ? 0 : T.scalarExp(p * T.scalarLog(r))
                b[i * h.keys + j] = w
                total += w
            }
            if total > 0 { for j in 0..<h.keys { b[i * h.keys + j] /= total } }
        }
        return b
    }
}
