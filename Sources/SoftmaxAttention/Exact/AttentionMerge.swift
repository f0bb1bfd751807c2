import SoftmaxKit

/// Merges attention computed over two disjoint sets of keys (split-KV, as in flash-decoding): with
/// each part's output `oₐ` and per-query `lseₐ` (logsumexp of its scores),
///
/// ```
/// M = max(lse₁, lse₂),  wₐ = e^{lseₐ − M}
/// o = (w₁·o₁ + w₂·o₂) / (w₁ + w₂),   lse = M + log(w₁ + w₂)
/// ```
/// equals attention over all the keys. A part with `lse = −∞` (no visible key) has weight 0; when
/// both are `−∞` the merged output is 0 and `lse = −∞`. This is the online-softmax state merge
/// applied to whole rows.
public enum AttentionMerge {
    /// `rows` query rows of `valueDim` outputs each; `out`/`lse` may alias the first part.
    public static func merge<T: KernelScalar>(
        _ o1: UnsafePointer<T>, _ lse1: UnsafePointer<T>, _ o2: UnsafePointer<T>, _ lse2: UnsafePointer<T>,
        rows: Int, valueDim dv: Int, into out: UnsafeMutablePointer<T>, lse: UnsafeMutablePointer<T>
    ) {
        for r in 0..<rows {
            let (a, b) = (lse1[r], lse2[r])
            let m = max(a, b)
            guard m > -T.infinity else {
                for p in 0..<dv { out[r * dv + p] = 0 }
                lse[r] = -.infinity
                continue
            }
            let w1 = a == -.infinity ? 0 : T.scalarExp(a - m), w2 = b == -.infinity ? 0 : T.scalarExp(b - m)
            let total = w1 + w2
            for p in 0..<dv { out[r * dv + p] = (w1 * o1[r * dv + p] + w2 * o2[r * dv + p]) / total }
            lse[r] = m + T.scalarLog(total)
        }
    }
}
