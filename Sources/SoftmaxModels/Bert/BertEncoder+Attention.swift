import MatrixMultiply
import SoftmaxAttention
import SoftmaxKit

// The encoder's self-attention: its own exact attention (any normalizer), or an attention engine.
extension BertEncoder {
    /// One head's attention in one layer, for recording and checking.
    public struct AttentionSnapshot {
        public let layer: Int, sequence: Int, head: Int
        /// The sequence's real tokens (padding left out): `[n × n]` logits `QKᵀ/√d` and the
        /// normalizer's weights, and `[n × d]` Q, K, V.
        public let tokens: Int
        public let logits: [Float], weights: [Float], q: [Float], k: [Float], v: [Float]
    }

    /// Exact multi-head attention over each sequence's real tokens, heads in parallel; the
    /// normalizer is exact softmax unless swapped. Padding query rows get zeros.
    func exactAttention(
        _ l: Int, _ qkv: [Float], _ batch: Batch, normalizer: (any Normalizer)?, into context: inout [Float], threads: Int,
        inspect: ((AttentionSnapshot) -> Void)?
    ) throws {
        let h = config.hiddenSize, heads = config.numAttentionHeads, d = config.headSize, len = batch.length
        let scale = 1 / Float(d).squareRoot()
        let lengths = (0..<batch.size).map { batch.tokens(of: $0) }
        for k in context.indices { context[k] = 0 }
        let tasks = batch.size * heads
        let failure = FirstError()
        qkv.withUnsafeBufferPointer { qp in
            context.withUnsafeMutableBufferPointer { cp in
                let q = UnsafeSendable(UnsafeMutablePointer(mutating: qp.baseAddress!)), out = UnsafeSendable(cp.baseAddress!)
                let work = { @Sendable (range: Range<Int>) in
                    let workspace = Gemm.Workspace()
                    defer { workspace.deallocate() }
                    var scores = [Float](repeating: 0, count: len * len), probs = [Float](repeating: 0, count: len * len)
                    for task in range {
                        let b = task / heads, head = task % heads, n = lengths[b]
                        guard n > 0 else { continue }
                        // Real tokens are the first n rows (right padding, so the mask is a prefix).
                        let base = UnsafePointer(q.pointer) + b * len * 3 * h + head * d
                        scores.withUnsafeMutableBufferPointer { sp in
                            Gemm.multiply(
                                m: n, n: n, k: d, Gemm.Operand(base, ld: 3 * h), Gemm.Operand(base + h, ld: 3 * h, transposed: true),
                                into: sp.baseAddress!, ldc: n, alpha: scale, workspace: workspace)
                        }
                        do {
                            try scores.withUnsafeBufferPointer { sp in
                                try probs.withUnsafeMutableBufferPointer { pp in
                                    let x = RowBatch(base: sp.baseAddress!, rows: n, cols: n), y = MutableRowBatch(base: pp.baseAddress!, rows: n, cols: n)
                                    if let normalizer {
                                        try normalizer.normalize(x, into: y, mask: nil, threads: 1)
                                    } else {
                                        try ExactSoftmax.softmax(x, into: y, options: SoftmaxOptions(threads: 1))
                                    }
                                }
                            }
                        } catch {
                            failure.record(error)
                            return
                        }
                        probs.withUnsafeBufferPointer { pp in
                            Gemm.multiply(
                                m: n, n: d, k: n, Gemm.Operand(pp.baseAddress!, ld: n), Gemm.Operand(base + 2 * h, ld: 3 * h),
                                into: out.pointer + b * len * h + head * d, ldc: h, workspace: workspace)
                        }
                    }
                }
                if inspect != nil || threads == 1 || tasks == 1 {
                    work(0..<tasks)
                } else {
                    RowParallel.forEachChunk(rows: tasks, threads: min(threads, tasks), work)
                }
            }
        }
        try failure.rethrow()
        if let inspect {
            for b in 0..<batch.size {
                for head in 0..<heads {
                    let n = lengths[b]
                    func slice(_ part: Int) -> [Float] {
                        var out = [Float]()
                        for i in 0..<n {
                            let start = (b * len + i) * 3 * h + part * h + head * d
                            out += qkv[start..<(start + d)]
                        }
                        return out
                    }
                    let qh = slice(0), kh = slice(1), vh = slice(2)
                    var logits = [Float](repeating: 0, count: n * n)
                    for i in 0..<n {
                        for j in 0..<n {
                            var dot: Float = 0
                            for k in 0..<d { dot += qh[i * d + k] * kh[j * d + k] }
                            logits[i * n + j] = dot * scale
                        }
                    }
                    var weights = [Float](repeating: 0, count: n * n)
                    try logits.withUnsafeBufferPointer { lp in
                        try weights.withUnsafeMutableBufferPointer { wp in
                            let x = RowBatch(base: lp.baseAddress!, rows: n, cols: n), y = MutableRowBatch(base: wp.baseAddress!, rows: n, cols: n)
                            if let normalizer { try normalizer.normalize(x, into: y, mask: nil, threads: 1) } else { try ExactSoftmax.softmax(x, into: y) }
                        }
                    }
                    inspect(AttentionSnapshot(layer: l, sequence: b, head: head, tokens: n, logits: logits, weights: weights, q: qh, k: kh, v: vh))
                }
            }
        }
    }

    /// An attention engine on each sequence's `[1, H, n, d]` Q, K, V (padding left out).
    func engineAttention(_ engine: any AttentionEngine, _ qkv: [Float], _ batch: Batch, into context: inout [Float]) throws {
        let h = config.hiddenSize, heads = config.numAttentionHeads, d = config.headSize, len = batch.length
        for k in context.indices { context[k] = 0 }
        for b in 0..<batch.size {
            let n = batch.tokens(of: b)
            guard n > 0 else { continue }
            // Q, K, V of sequence b as [1, H, n, d]: part p of the fused projection, head by head.
            func part(_ p: Int) -> [Float] {
                var values = [Float](repeating: 0, count: heads * n * d)
                for head in 0..<heads {
                    for i in 0..<n {
                        for k in 0..<d { values[(head * n + i) * d + k] = qkv[(b * len + i) * 3 * h + p * h + head * d + k] }
                    }
                }
                return values
            }
            let (q, k, v) = (part(0), part(1), part(2))
            var o = [Float](repeating: 0, count: heads * n * d)
            let shape = AttentionShape(batch: 1, heads: heads, queries: n, keys: n, headDim: d)
            try q.withUnsafeBufferPointer { qb in
                try k.withUnsafeBufferPointer { kb in
                    try v.withUnsafeBufferPointer { vb in
                        try o.withUnsafeMutableBufferPointer { try engine.attend(q: qb, k: kb, v: vb, shape: shape, into: $0) }
                    }
                }
            }
            for head in 0..<heads {
                for i in 0..<n {
                    for k in 0..<d { context[(b * len + i) * h + head * d + k] = o[(head * n + i) * d + k] }
                }
            }
        }
    }
}
