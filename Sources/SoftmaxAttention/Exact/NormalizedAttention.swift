import MatrixMultiply
import SoftmaxKit

/// Exact attention with any registered normalizer in place of softmax — StableMax, sparsemax,
/// entmax, PUMA's or I-BERT's softmax inside attention: per (batch, head) the score matrix
/// `S = scale·QKᵀ (+ bias, soft-cap)` is materialised (Nq × Nk Float), hidden keys set to `−∞`,
/// each row normalised by the `Normalizer`, then `out = P·V`. Memory O(Nq·Nk) per thread — the
/// price of a normalizer that is not an online softmax. Rows whose every key is hidden give zeros.
public enum NormalizedAttention {
    /// `out = normalizer(S)·V` with `S` materialised per (batch, head); throws for a bad shape,
    /// mask, bias or option.
    public static func run(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, shape: AttentionShape,
        mask: AttentionMask? = nil, bias: ScoreBroadcast<Float>? = nil, options: AttentionOptions = AttentionOptions(),
        normalizer: any Normalizer, output: UnsafeMutablePointer<Float>
    ) throws {
        try shape.validate()
        let (scale, options) = try options.validated(shape)
        let (nq, nk, d, dv) = (shape.queries, shape.keys, shape.headDim, shape.valueDim)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: max(1, nq * nk))
        let weights = UnsafeMutablePointer<Float>.allocate(capacity: max(1, nq * nk))
        let workspace = Gemm.Workspace()
        defer { scores.deallocate(); weights.deallocate(); workspace.deallocate() }
        for bh in 0..<(shape.batch * shape.heads) {
            let b = bh / shape.heads, h = bh % shape.heads, kvh = h / (shape.heads / shape.kvHeads)
            let kh = k + ((b * shape.kvHeads + kvh) * nk) * d, vh = v + ((b * shape.kvHeads + kvh) * nk) * dv
            Gemm.multiply(
                m: nq, n: nk, k: d, Gemm.Operand(q + bh * nq * d, ld: d), Gemm.Operand(kh, ld: d, transposed: true),
                into: scores, ldc: max(nk, 1), alpha: Float(scale), threads: options.threads ?? 1, workspace: workspace)
            for i in 0..<nq {
                FlashAttention.prepareScores(scores + i * nk, count: nk, row: i, firstKey: 0, shape, mask, bias, options, batch: b, head: h)
            }
            try normalizer.normalize(
                RowBatch(base: UnsafePointer(scores), rows: nq, cols: nk),
                into: MutableRowBatch(base: weights, rows: nq, cols: nk), mask: nil, threads: options.threads)
            Gemm.multiply(
                m: nq, n: dv, k: nk, Gemm.Operand(weights, ld: max(nk, 1)), Gemm.Operand(vh, ld: dv),
                into: output + bh * nq * dv, ldc: dv, threads: options.threads ?? 1, workspace: workspace)
        }
    }
}
