import SoftmaxKit

/// Exact attention, written to be read: every score materialised, one query row at a time, in the
/// working precision `T` (Double is the reference every engine is measured against; Float is the
/// "naive float32" yardstick of the FlashAttention error rule).
///
/// ```
/// sᵢⱼ = scale·qᵢ·kⱼ (+ biasᵢⱼ), then c·tanh(s/c) when soft-capped;   masked / not visible → −∞
/// pᵢ = softmax(sᵢ)   (a row with every key masked gives pᵢ = 0 and output 0)
/// outᵢ = Σⱼ pᵢⱼ vⱼ,   lseᵢ = log Σⱼ e^{sᵢⱼ}  (−∞ for a fully masked row)
/// ```
public enum NaiveAttention {
    /// The definition above, row by row in `T`: the reference the tiled engine is tested against.
    public static func run<T: KernelScalar>(
        q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>, shape: AttentionShape,
        mask: AttentionMask? = nil, bias: ScoreBroadcast<T>? = nil, options: AttentionOptions = AttentionOptions(),
        output: UnsafeMutablePointer<T>, logSumExp: UnsafeMutablePointer<T>? = nil
    ) throws {
        try shape.validate()
        let (scale, options) = try options.validated(shape)
        let (nq, nk, d, dv) = (shape.queries, shape.keys, shape.headDim, shape.valueDim)
        let group = shape.heads / shape.kvHeads
        var scores = [T](repeating: 0, count: max(nk, 1))
        for b in 0..<shape.batch {
            for h in 0..<shape.heads {
                let kvh = h / group
                let qh = q + ((b * shape.heads + h) * nq) * d
                let kh = k + ((b * shape.kvHeads + kvh) * nk) * d, vh = v + ((b * shape.kvHeads + kvh) * nk) * dv
                let oh = output + ((b * shape.heads + h) * nq) * dv
                for i in 0..<nq {
                    let visible = options.visibleKeys(i, shape)
                    let keep = mask?.row(batch: b, head: h, query: i), add = bias?.row(batch: b, head: h, query: i)
                    var m = -T.infinity
                    for j in 0..<nk {
                        var s = -T.infinity
                        if visible.contains(j) && (keep.map { $0.0[j * $0.1] } ?? true) {
                            var dot = T(0)
                            for p in 0..<d { dot += qh[i * d + p] * kh[j * d + p] }
                            s = T(scale) * dot + (add.map { $0.0[j * $0.1] } ?? 0)
                            if let c = options.softcap { s = T(c) * T.scalarTanh(s / T(c)) }
                        }
                        scores[j] = s
                        if s > m { m = s }
                    }
                    let out = oh + i * dv
                    for p in 0..<dv { out[p] = 0 }
                    guard m > -T.infinity else {  // every key masked
                        logSumExp?[(b * shape.heads + h) * nq + i] = -.infinity
                        continue
                    }
                    var sum = T(0)
                    for j in 0..<nk {
                        let e = scores[j] == -.infinity ? 0 : T.scalarExp(scores[j] - m)
                        scores[j] = e
                        sum += e
                    }
                    for j in 0..<nk where scores[j] != 0 {
                        let pj = scores[j] / sum
                        for p in 0..<dv { out[p] += pj * vh[j * dv + p] }
                    }
                    logSumExp?[(b * shape.heads + h) * nq + i] = m + T.scalarLog(sum)
                }
            }
        }
    }
}
