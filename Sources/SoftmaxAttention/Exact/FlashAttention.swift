import MatrixMultiply
import SoftmaxKit

/// Exact attention in Float, tiled as FlashAttention does it: for each block of 64 queries the keys
/// are visited in blocks of 128 with the online softmax (running maximum `m`, running sum `l`, and
/// the output accumulator rescaled by `e^{m_old − m_new}` whenever the maximum grows), so memory is
/// O(block · (D + Dv) + Nk · (D + Dv)) per thread and the N × N score matrix never exists. Both
/// products of a tile (`Q·Kᵀ` and `P·V`) run on the matrix multiply's micro-kernel (`Gemm`):
/// a thread packs a key/value head's K and V into its panel layout once, for all the query blocks
/// (and query heads) it computes against that head in a row, and each query block once; a tile
/// of probabilities is read where it lies (packed only for the AVX2 tile, which reads A packed);
/// the exponentials use the exact kernels' vector exponential.
/// Key blocks that the causal or window rule hides from every query of the block are skipped.
///
/// Returns the output and, when asked, each query's `logsumexp` of its scores, which lets partial
/// results over disjoint key sets be merged exactly (`AttentionMerge`). A query that sees no key
/// gives a zero output and `logsumexp = −∞`.
///
/// T. Dao et al., "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness",
/// NeurIPS 2022 (arXiv 2205.14135); the online softmax: M. Milakov, N. Gimelshein, 2018.
public enum FlashAttention {
    public static let queryBlock = 64, keyBlock = 128

    /// `out = softmax(scale·QKᵀ + bias)·V` for every (batch, head), tiled; `logSumExp` gets each
    /// query row's lse when given. Throws `AttentionError` for a bad shape, mask, bias or option.
    public static func run(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, shape: AttentionShape,
        mask: AttentionMask? = nil, bias: ScoreBroadcast<Float>? = nil, options: AttentionOptions = AttentionOptions(),
        output: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>? = nil
    ) throws {
        try shape.validate()
        let (scale, options) = try options.validated(shape)
        let blocks = (shape.queries + queryBlock - 1) / queryBlock
        let tasks = shape.batch * shape.heads * blocks
        let threads = max(1, min(options.threads ?? RowParallel.defaultThreads, tasks))
        let io = IO(q: q, k: k, v: v, output: output, logSumExp: logSumExp)
        RowParallel.forEachChunk(rows: tasks, threads: threads) { range in
            let tile = Tile(shape)
            defer { tile.deallocate() }
            var packedHead = -1  // the (batch, key/value head) whose K and V the tile holds
            for task in range {
                // Query blocks in zig-zag order (0, n−1, 1, n−2, …): under a causal rule block b
                // costs about b + 1 key blocks, so each thread's contiguous share of tasks then
                // holds as much work as another's. Each block is computed alike in any order.
                let bh = task / blocks, j = task % blocks, block = j % 2 == 0 ? j / 2 : blocks - 1 - j / 2
                let kvHead = bh / shape.heads * shape.kvHeads + bh % shape.heads / (shape.heads / shape.kvHeads)
                if kvHead != packedHead {
                    packKeysAndValues(io, shape, kvHead: kvHead, tile)
                    packedHead = kvHead
                }
                queryBlockRows(io, shape, mask, bias, options, Float(scale), batchHead: bh, rows: block * queryBlock, tile)
            }
        }
    }

    struct IO: @unchecked Sendable {
        let q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>
        let output: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>?
    }

    /// One thread's buffers: scores `S` (64 × 128), accumulator (64 × Dv), `m` and `l` per row,
    /// and the packed operands: Kᵀ for all keys (panels of 32 keys), V per block of 128 keys
    /// (panels of 32 value columns) and a short copy of one block (`packedVPart`, for a query
    /// block that sees only its first rows), the query block, and a tile of probabilities.
    struct Tile {
        let scores: UnsafeMutablePointer<Float>, accumulator: UnsafeMutablePointer<Float>
        let maximum: UnsafeMutablePointer<Float>, sum: UnsafeMutablePointer<Float>
        let packedK: UnsafeMutablePointer<Float>, packedV: UnsafeMutablePointer<Float>
        let packedQ: UnsafeMutablePointer<Float>, packedP: UnsafeMutablePointer<Float>
        let packedVPart: UnsafeMutablePointer<Float>
        /// Floats per packed V block.
        let valueBlockStride: Int

        init(_ shape: AttentionShape) {
            let roundedKeys = (shape.keys + Gemm.nr - 1) / Gemm.nr * Gemm.nr
            let roundedValues = (shape.valueDim + Gemm.nr - 1) / Gemm.nr * Gemm.nr
            let keyBlocks = (shape.keys + keyBlock - 1) / keyBlock
            valueBlockStride = roundedValues * keyBlock
            scores = .allocate(capacity: queryBlock * keyBlock)
            accumulator = .allocate(capacity: queryBlock * shape.valueDim)
            maximum = .allocate(capacity: queryBlock)
            sum = .allocate(capacity: queryBlock)
            packedK = .allocate(capacity: max(1, roundedKeys * shape.headDim))
            packedV = .allocate(capacity: max(1, keyBlocks * valueBlockStride))
            packedVPart = .allocate(capacity: valueBlockStride)
            packedQ = .allocate(capacity: Gemm.paddedRows(queryBlock) * shape.headDim)
            packedP = .allocate(capacity: Gemm.paddedRows(queryBlock) * keyBlock)
        }

        func deallocate() {
            for p in [scores, accumulator, maximum, sum, packedK, packedV, packedVPart, packedQ, packedP] { p.deallocate() }
        }
    }

    static func queryBlockRows(
        _ io: IO, _ shape: AttentionShape, _ mask: AttentionMask?, _ bias: ScoreBroadcast<Float>?, _ options: AttentionOptions,
        _ scale: Float, batchHead bh: Int, rows i0: Int, _ t: Tile
    ) {
        let (nq, nk, d, dv) = (shape.queries, shape.keys, shape.headDim, shape.valueDim)
        let b = bh / shape.heads, h = bh % shape.heads, kvh = h / (shape.heads / shape.kvHeads)
        let br = min(queryBlock, nq - i0)
        let qb = io.q + (bh * nq + i0) * d
        let vh = io.v + ((b * shape.kvHeads + kvh) * nk) * dv
        for r in 0..<br { t.maximum[r] = -.infinity; t.sum[r] = 0 }
        t.accumulator.initialize(repeating: 0, count: br * dv)
        // The keys any row of the block may see, widened to whole key blocks.
        var lo = nk, hi = 0
        for r in 0..<br {
            let visible = options.visibleKeys(i0 + r, shape)
            if !visible.isEmpty { lo = min(lo, visible.lowerBound); hi = max(hi, visible.upperBound) }
        }
        guard lo < hi else { return finish(io, t, bh: bh, rows: i0, br, nq: nq, dv: dv) }
        lo = lo / keyBlock * keyBlock
        Gemm.packA(Gemm.Operand(qb, ld: d), rows: 0, br, columns: 0, d, into: t.packedQ)
        var j0 = lo
        while j0 < hi {
            let bc = min(keyBlock, hi - j0)
            // S = scale · Q_block · K_blockᵀ (a last panel's keys past `bc` give columns never stored)
            Gemm.macroKernel(
                br, bc, d, Gemm.APanels(packed: t.packedQ, depth: d), UnsafePointer(t.packedK + j0 * d), t.scores, keyBlock, alpha: scale, beta: 0)
            for r in 0..<br {
                let s = t.scores + r * keyBlock
                prepareScores(s, count: bc, row: i0 + r, firstKey: j0, shape, mask, bias, options, batch: b, head: h)
                onlineUpdate(s, count: bc, row: r, t, valueDim: dv)
            }
            // acc += P · V_block, P read where it lies when the tile can (`Gemm.blockOfA`).
            let probabilities = Gemm.blockOfA(Gemm.Operand(t.scores, ld: keyBlock), rows: 0, br, columns: 0, bc, buffer: t.packedP)
            // V's panels are as deep as their block: a block cut short here is packed again, short.
            var values = t.packedV + j0 / keyBlock * t.valueBlockStride
            if bc < min(keyBlock, nk - j0) {
                Gemm.packB(Gemm.Operand(vh, ld: dv), rows: j0, bc, columns: 0, dv, into: t.packedVPart)
                values = t.packedVPart
            }
            Gemm.macroKernel(
                br, dv, bc, probabilities, UnsafePointer(values), t.accumulator, dv, alpha: 1, beta: 1)
            j0 += bc
        }
        finish(io, t, bh: bh, rows: i0, br, nq: nq, dv: dv)
    }

    /// Packs Kᵀ (all keys, panels of 32) and V (per block of 128 keys) of one (batch, key/value
    /// head) into the tile, for every query block that attends to it.
    static func packKeysAndValues(_ io: IO, _ shape: AttentionShape, kvHead: Int, _ t: Tile) {
        let (nk, d, dv) = (shape.keys, shape.headDim, shape.valueDim)
        guard nk > 0 else { return }
        let kh = io.k + kvHead * nk * d, vh = io.v + kvHead * nk * dv
        Gemm.packB(Gemm.Operand(kh, ld: d, transposed: true), rows: 0, d, columns: 0, nk, into: t.packedK)
        var j0 = 0
        while j0 < nk {
            Gemm.packB(Gemm.Operand(vh, ld: dv), rows: j0, min(keyBlock, nk - j0), columns: 0, dv, into: t.packedV + j0 / keyBlock * t.valueBlockStride)
            j0 += keyBlock
        }
    }

    /// `out = acc / l` (0 where no key was visible); `logsumexp = m + log l`.
    static func finish(_ io: IO, _ t: Tile, bh: Int, rows i0: Int, _ br: Int, nq: Int, dv: Int) {
        for r in 0..<br {
            let out = io.output + (bh * nq + i0 + r) * dv, acc = t.accumulator + r * dv
            let l = t.sum[r]
            let inverse: Float = l > 0 ? 1 / l : 0
            for p in 0..<dv { out[p] = acc[p] * inverse }
            io.logSumExp?[bh * nq + i0 + r] = l > 0 ? t.maximum[r] + Float.scalarLog(l) : -.infinity
        }
    }

    /// Bias, soft-cap, and −∞ for keys hidden by the causal/window rule or the keep-mask.
    @inline(__always)
    static func prepareScores(
        _ s: UnsafeMutablePointer<Float>, count bc: Int, row i: Int, firstKey j0: Int, _ shape: AttentionShape,
        _ mask: AttentionMask?, _ bias: ScoreBroadcast<Float>?, _ options: AttentionOptions, batch b: Int, head h: Int
    ) {
        if let bias {
            let (row, stride) = bias.row(batch: b, head: h, query: i)
            for c in 0..<bc { s[c] += row[(j0 + c) * stride] }
        }
        if let cap = options.softcap {
            let c = Float(cap)
            for x in 0..<bc { s[x] = c * Float.scalarTanh(s[x] / c) }
        }
        let visible = options.visibleKeys(i, shape)
        let first = min(max(visible.lowerBound - j0, 0), bc), last = min(max(visible.upperBound - j0, first), bc)
        for c in 0..<first { s[c] = -.infinity }
        for c in last..<bc { s[c] = -.infinity }
        if let mask {
            let (row, stride) = mask.row(batch: b, head: h, query: i)
            for c in 0..<bc where !row[(j0 + c) * stride] { s[c] = -.infinity }
        }
    }

    /// The online-softmax step of one row: new maximum, `P = e^{S − m}` in place of `S` (zero
    /// for −∞), `l ← l·e^{m_old − m} + Σ P`, accumulator row scaled by `e^{m_old − m}`.
    @inline(__always)
    static func onlineUpdate(_ s: UnsafeMutablePointer<Float>, count bc: Int, row r: Int, _ t: Tile, valueDim dv: Int) {
        let lanes = Float.lanes
        var mv = SIMD16<Float>(repeating: -.infinity)
        var c = 0
        while c + lanes <= bc { mv = Float.maximum(mv, Float.load(s + c)); c += lanes }
        var blockMax = Float.horizontalMaximum(mv)
        while c < bc { blockMax = max(blockMax, s[c]); c += 1 }
        let old = t.maximum[r], m = max(old, blockMax)
        if m == -.infinity {  // nothing visible yet: P = 0
            for x in 0..<bc { s[x] = 0 }
            return
        }
        let shift = SIMD16<Float>(repeating: m)
        var total = SIMD16<Float>()
        c = 0
        while c + lanes <= bc {
            let p = Float.expNonPositive(Float.load(s + c) - shift, correction: nil)
            Float.store(p, to: s + c)
            total += p
            c += lanes
        }
        var rowSum = Float.horizontalSum(total)
        while c < bc {
            let p = s[c] == -.infinity ? 0 : Float.scalarExp(s[c] - m)
            s[c] = p
            rowSum += p
            c += 1
        }
        let alpha = old == -.infinity ? 0 : Float.scalarExp(old - m)
        t.sum[r] = t.sum[r] * alpha + rowSum
        t.maximum[r] = m
        if alpha != 1 {
            let acc = t.accumulator + r * dv
            for p in 0..<dv { acc[p] *= alpha }
        }
    }
}
