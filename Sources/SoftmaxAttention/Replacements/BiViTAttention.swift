import SoftmaxKit

/// BiViT's attention with softmax-aware binarization: `out = SAB(scale·QKᵀ)·V`, where each row of
/// the 0/1 matrix `B = SAB(·)` keeps the keys whose probability reaches `r` times the row's largest
/// (`SoftmaxAwareBinarizationKernel`). `B` is not renormalised, as in the official code. Hidden
/// keys (mask, causal rule) enter as `−∞` and get 0; a query with none visible gives a zero row.
/// The official module also sign-binarizes Q, K and V; that is the model's quantization, not this
/// engine's (give it binarized inputs to reproduce it).
///
/// Y. He et al., "BiViT", ICCV 2023 (arXiv 2211.07091); ThisisBillhe/BiViT
/// `binary_modules/utils_model.py` (`BiAttention_SAB`).
enum BiViTAttention {
    static func run<T: KernelScalar>(_ h: DenseHead<T>, mask: [Bool]?, scale: T, ratio: Double, causal: CausalAlignment?) throws -> (
        out: [T], b: [T]
    ) {
        var scores = h.scores(scale: scale)
        if mask != nil || causal != nil {
            for i in 0..<h.queries {
                let limit = causal.map { $0 == .topLeft ? i : i + h.keys - h.queries }
                for j in 0..<h.keys where !((mask?[i * h.keys + j] ?? true) && (limit.map { j <= $0 } ?? true)) {
                    scores[i * h.keys + j] = -.infinity
                }
            }
        }
        let sab = RowKernelNormalizer(SoftmaxAwareBinarizationKernel(ratio: ratio))
        try scores.withUnsafeMutableBufferPointer { p in
            let rows = MutableRowBatch(p, rows: h.queries, cols: h.keys)
            try sab.normalize(rows.readOnly, into: rows, mask: nil, threads: 1)
        }
        return (h.apply(scores), scores)
    }
}
