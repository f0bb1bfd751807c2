import MatrixMultiply
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
        if let head = h as? DenseHead<Float>, let fq = sameTypeArray(phiQ, as: Float.self),
            let fk = sameTypeArray(phiK, as: Float.self), head.v.allSatisfy(\.isFinite)
        {
            return sameTypeArray(blocked(head, phiQ: fq, phiK: fk, features: r, support: support, keep: keep), as: T.self)!
        }
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

    /// The same sums in float32, by blocks of 64 query rows: the low-rank terms for all rows by two
    /// matrix products (`φ(Q)·[φ(K)ᵀV | φ(K)ᵀ1]`), and for each block the exact logits and the
    /// feature products over the block's span of supported keys (`Q·Kᵀ`, `φ(Q)·φ(K)ᵀ` on the
    /// matrix multiply), the coefficients `e − f` on the support, and their product with `V`.
    /// A banded support (the local window) costs O(N·(w + 64)·(d + r + Dv)); values must be
    /// finite (a zero coefficient multiplies them).
    static func blocked(_ h: DenseHead<Float>, phiQ: [Float], phiK: [Float], features r: Int, support: [Bool], keep: [Bool]?) -> [Float] {
        let (nq, nk, d, dv) = (h.queries, h.keys, h.headDim, h.valueDim)
        let s = 1 / Float(d).squareRoot()
        var out = [Float](repeating: 0, count: nq * dv)
        guard nq > 0, nk > 0 else { return out }
        // [φ(K)ᵀV | φ(K)ᵀ1] over the kept keys, r × (Dv + 1); then φ(Q) times it, Nq × (Dv + 1).
        var keptValues = [Float](repeating: 0, count: nk * (dv + 1))
        for j in 0..<nk where keep?[j] ?? true {
            for p in 0..<dv { keptValues[j * (dv + 1) + p] = h.v[j * dv + p] }
            keptValues[j * (dv + 1) + dv] = 1
        }
        let state = product(phiK, keptValues, m: r, n: dv + 1, k: nk, transposeA: true)
        let lowRank = product(phiQ, state, m: nq, n: dv + 1, k: r)
        let block = 64
        for i0 in stride(from: 0, to: nq, by: block) {
            let rows = min(block, nq - i0)
            // The span of supported keys of these rows.
            var lo = nk, hi = 0
            for i in i0..<(i0 + rows) {
                if let first = (0..<nk).first(where: { support[i * nk + $0] }) { lo = min(lo, first) }
                if let last = (0..<nk).last(where: { support[i * nk + $0] }) { hi = max(hi, last + 1) }
            }
            let width = max(0, hi - lo)
            let logits = product(slice(h.q, from: i0, rows, d), slice(h.k, from: lo, width, d), m: rows, n: width, k: d, transposeB: true, alpha: s)
            let features = product(slice(phiQ, from: i0, rows, r), slice(phiK, from: lo, width, r), m: rows, n: width, k: r, transposeB: true)
            var coefficients = [Float](repeating: 0, count: rows * width), empty = [Bool](repeating: false, count: rows)
            var shifted = [Float](repeating: -.infinity, count: width), exact = shifted
            for b in 0..<rows {
                let i = i0 + b
                var c = -Float.infinity
                for j in lo..<(lo + width) where support[i * nk + j] && (keep?[j] ?? true) { c = max(c, logits[b * width + j - lo]) }
                let shift: Float = c == -.infinity ? 0 : c, scale = Float.scalarExp(-shift)
                for t in 0..<width {
                    let j = lo + t
                    shifted[t] = support[i * nk + j] && (keep?[j] ?? true) ? logits[b * width + t] - shift : -.infinity
                }
                shifted.withUnsafeBufferPointer { x in exact.withUnsafeMutableBufferPointer { VectorMath.exp(x, into: $0) } }
                var exactSum: Float = 0, lowRankOnSupport: Float = 0
                for t in 0..<width where shifted[t] != -.infinity {
                    let f = features[b * width + t] * scale
                    exactSum += exact[t]
                    lowRankOnSupport += f
                    coefficients[b * width + t] = exact[t] - f
                }
                let den = exactSum + max(lowRank[i * (dv + 1) + dv] * scale - lowRankOnSupport, 0)
                guard den > 0 else {
                    empty[b] = true
                    for t in 0..<width { coefficients[b * width + t] = 0 }
                    continue
                }
                for p in 0..<dv { out[i * dv + p] = lowRank[i * (dv + 1) + p] * scale / den }
                for t in 0..<width { coefficients[b * width + t] /= den }
            }
            let sparse = product(coefficients, slice(h.v, from: lo, width, dv), m: rows, n: dv, k: width)
            for b in 0..<rows where !empty[b] {
                for p in 0..<dv { out[(i0 + b) * dv + p] += sparse[b * dv + p] }
            }
        }
        return out
    }

    /// Rows `start ..< start + count` of a row-major matrix `width` wide.
    private static func slice(_ x: [Float], from start: Int, _ count: Int, _ width: Int) -> [Float] {
        Array(x[(start * width)..<((start + count) * width)])
    }

    /// `alpha·op(A)·op(B)`, row-major, `op(A)` m × k, `op(B)` k × n.
    private static func product(
        _ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false,
        alpha: Float = 1
    ) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        guard m > 0, n > 0, k > 0 else { return c }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    Gemm.multiply(
                        m: m, n: n, k: k, Gemm.Operand(ap.baseAddress!, ld: transposeA ? m : k, transposed: transposeA),
                        Gemm.Operand(bp.baseAddress!, ld: transposeB ? k : n, transposed: transposeB),
                        into: cp.baseAddress!, ldc: n, alpha: alpha)
                }
            }
        }
        return c
    }
}
