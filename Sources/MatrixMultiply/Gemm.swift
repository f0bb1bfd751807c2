import SoftmaxKit
import _SoftmaxShims

/// Single-precision matrix multiply, `C ← α·op(A)·op(B) + β·C`, row-major, in the blocked,
/// register-tiled scheme of GotoBLAS/BLIS: `op(B)` is packed in blocks of `kc × nc` into
/// panels `NR = 32` columns wide, and an 8 × 32 micro-kernel keeps its 16 vector accumulators in
/// registers while it streams a B panel and eight rows of `op(A)` (per step: two vector loads of
/// B, eight broadcasts of A, sixteen multiply-adds). A row-major `A` is read in place, eight rows
/// at a time; a transposed one is packed into panels `MR = 8` rows high first. Transposed
/// operands cost nothing extra: packing reads them in whichever order they are stored. On
/// targets with sixteen 256-bit registers (AVX2) the tile is 6 × 32 (`sk_gemm_tile_6x32`, two
/// 6 × 16 halves: BLIS's Haswell shape) and `A` is always packed, in panels of 6 rows; products of
/// a few rows take `multiplyFewRows`. Every path sums each element in the same order — one fused
/// multiply-add chain per depth block — so results agree bit for bit.
///
/// Threads split the rows of C (each thread packs its own A blocks; the B block is shared), so
/// results are bit-identical whatever the thread count: every element is accumulated in the same
/// order. Edge tiles are computed in full on zero-padded panels and stored partially.
public enum Gemm {
    /// Rows of a tile and of a packed `A` panel: 6 on AVX2-only targets, else 8.
    public static var mr: Int { sk_gemm_uses_6x32_tile() != 0 ? 6 : 8 }
    /// Columns of a tile and of a packed `B` panel.
    public static let nr = 32

    /// `rows` rounded up to whole `A` panels: the floats a packed block of `rows × depth` takes
    /// are `paddedRows(rows) · depth`.
    public static func paddedRows(_ rows: Int) -> Int { (rows + mr - 1) / mr * mr }
    /// Blocking: kc = 384 covers a transformer's 384-wide inner dimension in one pass (each C tile
    /// stored once); an A block (mc × kc, 144 KiB) and the B block (kc × nc, 768 KiB) fit L2
    /// (1 MiB) together, and the B micro-panel (48 KiB) streams from L2 at 10 bytes per cycle.
    /// On the encoder's shapes kc = 384 beats 256 (one C pass instead of two): BENCHMARKS.md,
    /// "Matrix multiply and exact attention".
    public static let kc = 384, mc = 96, nc = 512

    /// A row-major operand: element (i, p) of `op(X)` is `base[i·ld + p]`, or `base[p·ld + i]`
    /// when `transposed`.
    public struct Operand: @unchecked Sendable {
        /// The first element.
        public let base: UnsafePointer<Float>
        /// The leading dimension: elements between consecutive stored rows.
        public let ld: Int
        /// Whether the operand is the transpose of what is stored.
        public let transposed: Bool

        /// An operand over `base` with leading dimension `ld`.
        public init(_ base: UnsafePointer<Float>, ld: Int, transposed: Bool = false) {
            self.base = base
            self.ld = ld
            self.transposed = transposed
        }

        @inline(__always)
        func element(_ i: Int, _ p: Int) -> Float { transposed ? base[p * ld + i] : base[i * ld + p] }
    }

    /// Packing buffers for repeated single-threaded calls (attention tiles): no allocation per call.
    public struct Workspace: @unchecked Sendable {
        let packedA: UnsafeMutablePointer<Float>
        let packedB: UnsafeMutablePointer<Float>

        /// Allocates the packing buffers (`mc × kc` and `kc × nc` floats).
        public init() {
            packedA = .allocate(capacity: Gemm.mc * Gemm.kc)
            packedB = .allocate(capacity: Gemm.kc * Gemm.widestColumnBlock)
        }

        /// Frees the packing buffers.
        public func deallocate() {
            packedA.deallocate()
            packedB.deallocate()
        }
    }

    /// `C[m × n] ← α·op(A)[m × k]·op(B)[k × n] + β·C` (`C` row-major with leading dimension `ldc`).
    /// With β = 0, `C` is not read (it may hold NaN). With a `workspace`, a one-thread call
    /// allocates nothing.
    public static func multiply(
        m: Int, n: Int, k: Int, _ a: Operand, _ b: Operand,
        into c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0, threads: Int = 1,
        workspace: Workspace? = nil
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0 && ldc >= n, "Gemm: bad shape m=\(m) n=\(n) k=\(k) ldc=\(ldc)")
        guard m > 0, n > 0 else { return }
        let packedB = workspace?.packedB ?? UnsafeMutablePointer<Float>.allocate(capacity: kc * widestColumnBlock)
        defer { if workspace == nil { packedB.deallocate() } }
        run(m: m, n: n, k: k, a, into: c, ldc: ldc, alpha: alpha, beta: beta, threads: threads, workspace: workspace) { pc, kcb, jc, ncb in
            packB(b, rows: pc, kcb, columns: jc, ncb, into: packedB)
            return UnsafePointer(packedB)
        }
    }

    /// A `B` operand packed once into the micro-kernel's panel layout, for a matrix used in many
    /// products (a model's weights): the products then skip packing `B` altogether.
    public final class PackedB: @unchecked Sendable {
        public let k: Int, n: Int
        let storage: UnsafeMutablePointer<Float>
        /// Offset of block (jc, pc) in `storage`, in loop order.
        let offsets: [Int]

        /// Packs `op(B)`, `k × n`.
        public init(k: Int, n: Int, _ b: Operand) {
            precondition(k > 0 && n > 0, "Gemm.PackedB: empty matrix")
            self.k = k
            self.n = n
            var offsets = [Int](), total = 0
            for jc in stride(from: 0, to: n, by: nc) {
                let width = (min(nc, n - jc) + nr - 1) / nr * nr
                for pc in stride(from: 0, to: k, by: kc) {
                    offsets.append(total)
                    total += min(kc, k - pc) * width
                }
            }
            self.offsets = offsets
            storage = .allocate(capacity: total)
            var block = 0
            for jc in stride(from: 0, to: n, by: nc) {
                for pc in stride(from: 0, to: k, by: kc) {
                    Gemm.packB(b, rows: pc, min(kc, k - pc), columns: jc, min(nc, n - jc), into: storage + offsets[block])
                    block += 1
                }
            }
        }

        deinit { storage.deallocate() }
    }

    /// Applied to each finished block of `C` — `(block, rows, columns, ldc)`, at most `mc × nc` —
    /// while it is still in cache: a linear layer's activation, fused into its product.
    public typealias Epilogue = @Sendable (UnsafeMutablePointer<Float>, Int, Int, Int) -> Void

    /// `C ← α·op(A)·B + bias + β·C` with a pre-packed `B` and an optional `bias` of `n` values added to
    /// every row (a linear layer's, added as each tile is first stored: no separate pass over `C`),
    /// then `epilogue` on each finished block. With all of `B` packed, each block of `A` is packed
    /// once and swept across every column block (rather than once per column block).
    public static func multiply(
        m: Int, _ a: Operand, _ b: PackedB, into c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0,
        bias: UnsafePointer<Float>? = nil, epilogue: Epilogue? = nil, threads: Int = 1, workspace: Workspace? = nil
    ) {
        precondition(m >= 0 && ldc >= b.n, "Gemm: bad shape m=\(m) n=\(b.n) ldc=\(ldc)")
        guard m > 0 else { return }
        if m <= fewRows && !a.transposed {
            multiplyFewRows(m: m, a, b, into: c, ldc: ldc, alpha: alpha, beta: beta, bias: bias, epilogue: epilogue, threads: threads)
            return
        }
        let n = b.n, k = b.k
        let blocksOfK = (k + kc - 1) / kc, blocksOfM = (m + mc - 1) / mc
        let workers = max(1, min(threads, blocksOfM))
        let out = UnsafeSendable(c), storage = UnsafeSendable(b.storage)
        let biasPointer = bias.map { UnsafeSendable(UnsafeMutablePointer(mutating: $0)) }
        let offsets = b.offsets
        var pc = 0
        while pc < k {
            let kcb = min(kc, k - pc), pcb = pc, last = pc + kcb == k
            let shared = workers == 1 ? workspace.map { UnsafeSendable($0.packedA) } : nil
            forEachRowBlock(m: m, threads: workers) { ic, mcb in
                let packedA = shared?.pointer ?? UnsafeMutablePointer<Float>.allocate(capacity: mc * kc)
                defer { if shared == nil { packedA.deallocate() } }
                do {
                    let panels = blockOfA(a, rows: ic, mcb, columns: pcb, kcb, buffer: packedA)
                    var jc = 0
                    while jc < n {
                        let ncb = min(nc, n - jc)
                        let pb = UnsafePointer(storage.pointer + offsets[(jc / nc) * blocksOfK + pcb / kc])
                        macroKernel(
                            mcb, ncb, kcb, panels, pb, out.pointer + ic * ldc + jc, ldc, alpha: alpha, beta: pcb == 0 ? beta : 1,
                            bias: pcb == 0 ? biasPointer.map { UnsafePointer($0.pointer + jc) } : nil)
                        if last, let epilogue { epilogue(out.pointer + ic * ldc + jc, mcb, ncb, ldc) }
                        jc += ncb
                    }
                }
            }
            pc += kcb
        }
    }

    /// Products with at most this many rows (a decoder's step) take `multiplyFewRows`.
    public static let fewRows = 4

    /// `C ← α·A·B + bias + β·C` for a few rows of a row-major `A`: each row against each packed
    /// panel of 32 columns in turn (`sk_gemv_panel_32`), reading `B` once from memory. The micro-
    /// kernel's 8-row tiles would spend seven rows of multiply-adds on padding, and the row blocks
    /// it splits over threads are one block here: this path splits the column panels instead, so
    /// a step uses every thread. Each element is summed as the blocked path sums it — one chain per
    /// depth block, the blocks combined as `store` combines them — so the two paths agree bit for
    /// bit, whatever the thread count.
    static func multiplyFewRows(
        m: Int, _ a: Operand, _ b: PackedB, into c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float, bias: UnsafePointer<Float>?,
        epilogue: Epilogue?, threads: Int
    ) {
        let n = b.n, k = b.k, blocksOfK = (k + kc - 1) / kc, panels = (n + nr - 1) / nr
        let out = UnsafeSendable(c), storage = UnsafeSendable(b.storage), rows = UnsafeSendable(UnsafeMutablePointer(mutating: a.base))
        let biasPointer = bias.map { UnsafeSendable(UnsafeMutablePointer(mutating: $0)) }
        let offsets = b.offsets, lda = a.ld
        // Enough panels per thread that the split costs less than it saves.
        let workers = max(1, min(threads, panels / 16))
        RowParallel.forEachChunk(rows: panels, threads: workers) { chunk in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: nr) { t in
                let t = t.baseAddress!
                for panel in chunk {
                    let j = panel * nr, jc = j / nc * nc, width = min(nr, n - j)
                    for i in 0..<m {
                        let row = out.pointer + i * ldc + j
                        var pc = 0
                        while pc < k {
                            let kcb = min(kc, k - pc)
                            // Panels of a block are `kcb × 32` each, in column order.
                            let block = storage.pointer + offsets[(jc / nc) * blocksOfK + pc / kc]
                            sk_gemv_panel_32(kcb, rows.pointer + i * lda + pc, block + (j - jc) / nr * kcb * nr, t)
                            let first = pc == 0, scale = first ? beta : 1
                            for jj in 0..<width {
                                let add = first ? biasPointer.map { $0.pointer[j + jj] } ?? 0 : 0
                                if width == nr {
                                    // A full tile: `store`'s fused forms.
                                    let v = fused(add, t[jj], alpha)
                                    row[jj] = scale == 0 ? v : fused(v, scale, row[jj])
                                } else {
                                    let v = t[jj] * alpha + add
                                    row[jj] = scale == 0 ? v : v + scale * row[jj]
                                }
                            }
                            pc += kcb
                        }
                    }
                    if let epilogue { epilogue(out.pointer + j, m, width, ldc) }
                }
            }
        }
    }

    /// Runs `body(firstRow, rows)` on blocks of at most `mc` rows covering `0..<m`, the row panels
    /// split evenly over `threads` (each thread's share then cut into blocks), so no thread gets a
    /// whole block more than another: 512 rows on two threads are 256 each, not 288 and 224. Each
    /// element's arithmetic does not depend on the blocks, so neither do the results.
    static func forEachRowBlock(m: Int, threads: Int, _ body: @Sendable (Int, Int) -> Void) {
        let panels = (m + mr - 1) / mr
        RowParallel.forEachChunk(rows: panels, threads: threads) { share in
            var ic = share.lowerBound * mr
            let end = min(m, share.upperBound * mr)
            while ic < end {
                let mcb = min(mc, end - ic)
                body(ic, mcb)
                ic += mcb
            }
        }
    }

    /// The widest block of columns a product packs `B` in when `B` is not packed in advance:
    /// `nc` and a quarter.
    static let widestColumnBlock = nc + nc / 4

    /// The width of the column blocks of an `n`-column product whose `B` is packed per call: the
    /// block count nearest `n / nc`, at most `widestColumnBlock` wide, in whole panels. Every
    /// column block packs each `A` block again, so a narrow last block (`n = 576`: 512 + 64) pays
    /// a whole `A` packing for a few columns; 576 is one block instead. The blocks do not change
    /// any element's arithmetic.
    static func columnBlock(_ n: Int) -> Int {
        var blocks = max(1, Int((Double(n) / Double(nc)).rounded()))
        while (n + blocks - 1) / blocks > widestColumnBlock { blocks += 1 }
        return ((n + blocks - 1) / blocks + nr - 1) / nr * nr
    }

    /// `c + a·b`, fused where the target has FMA: `Float.multiplyAdd` on one value.
    @inline(__always)
    static func fused(_ c: Float, _ a: Float, _ b: Float) -> Float { SK_HAS_FMA != 0 ? c.addingProduct(a, b) : c + a * b }

    /// The blocked loops around the macro-kernel; `blockOfB(pc, kcb, jc, ncb)` gives the packed
    /// `B` block (packing it now, or pointing into a pre-packed matrix).
    static func run(
        m: Int, n: Int, k: Int, _ a: Operand, into c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float, threads: Int,
        workspace: Workspace?, blockOfB: (Int, Int, Int, Int) -> UnsafePointer<Float>
    ) {
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        let out = UnsafeSendable(c)
        let blocksOfM = (m + mc - 1) / mc
        let workers = max(1, min(threads, blocksOfM))
        let width = columnBlock(n)
        var jc = 0
        while jc < n {
            let ncb = min(width, n - jc)
            var pc = 0
            while pc < k {
                let kcb = min(kc, k - pc)
                let pb = UnsafeSendable(UnsafeMutablePointer(mutating: blockOfB(pc, kcb, jc, ncb)))
                let firstPass = pc == 0
                let (jcb, pcb) = (jc, pc)
                let shared = workers == 1 ? workspace.map { UnsafeSendable($0.packedA) } : nil
                forEachRowBlock(m: m, threads: workers) { ic, mcb in
                    let packedA = shared?.pointer ?? UnsafeMutablePointer<Float>.allocate(capacity: mc * kc)
                    defer { if shared == nil { packedA.deallocate() } }
                    do {
                        let panels = blockOfA(a, rows: ic, mcb, columns: pcb, kcb, buffer: packedA)
                        macroKernel(
                            mcb, ncb, kcb, panels, UnsafePointer(pb.pointer), out.pointer + ic * ldc + jcb, ldc,
                            alpha: alpha, beta: firstPass ? beta : 1)
                    }
                }
                pc += kcb
            }
            jc += ncb
        }
    }

    /// Packs `op(B)[p0 ..< p0+kcb, j0 ..< j0+ncb]` into panels of 32 columns, `[panel][p][32]`,
    /// zero-padding the last panel.
    package static func packB(_ b: Operand, rows p0: Int, _ kcb: Int, columns j0: Int, _ ncb: Int, into dst: UnsafeMutablePointer<Float>) {
        var d = dst
        var j = 0
        while j < ncb {
            let width = min(nr, ncb - j)
            if !b.transposed && width == nr {
                for p in 0..<kcb {
                    let src = b.base + (p0 + p) * b.ld + j0 + j
                    Float.store(Float.load(src), to: d)
                    Float.store(Float.load(src + 16), to: d + 16)
                    d += nr
                }
            } else if b.transposed && width == nr {
                // Stored transposed (B = Xᵀ, X row-major): the 32 rows of X, eight at a time, transposed in registers.
                for jj in stride(from: 0, to: nr, by: 8) {
                    sk_transpose_rows(b.base + (j0 + j + jj) * b.ld + p0, b.ld, kcb, 8, d + jj, nr)
                }
                d += kcb * nr
            } else {
                for p in 0..<kcb {
                    for jj in 0..<nr { d[jj] = jj < width ? b.element(p0 + p, j0 + j + jj) : 0 }
                    d += nr
                }
            }
            j += nr
        }
    }

    /// The block `op(A)[i0 ..< i0+mcb, p0 ..< p0+kcb]` for the micro-kernel: a row-major A is read
    /// in place (the micro-kernel broadcasts from its eight rows), a transposed one is packed into
    /// `buffer` (`mc × kc` floats, which also holds a short last panel of a row-major A).
    package static func blockOfA(_ a: Operand, rows i0: Int, _ mcb: Int, columns p0: Int, _ kcb: Int, buffer: UnsafeMutablePointer<Float>) -> APanels {
        // The AVX2 tile has no registers left for six row addresses: it reads A packed.
        guard a.transposed || sk_gemm_uses_6x32_tile() != 0 else { return APanels(rows: a.base + i0 * a.ld + p0, ld: a.ld, depth: kcb, edge: buffer) }
        packA(a, rows: i0, mcb, columns: p0, kcb, into: buffer)
        return APanels(packed: buffer, depth: kcb)
    }

    /// Packs `op(A)[i0 ..< i0+mcb, p0 ..< p0+kcb]` into panels of 8 rows, `[panel][p][8]`,
    /// zero-padding the last panel.
    package static func packA(_ a: Operand, rows i0: Int, _ mcb: Int, columns p0: Int, _ kcb: Int, into dst: UnsafeMutablePointer<Float>) {
        var d = dst
        var i = 0
        while i < mcb {
            let height = min(mr, mcb - i)
            if a.transposed && height == mr {
                for p in 0..<kcb {
                    let src = a.base + (p0 + p) * a.ld + i0 + i
                    for ii in 0..<mr { d[ii] = src[ii] }
                    d += mr
                }
            } else if height == mr {
                // Row-major A (activations): the panel's rows transposed in registers.
                sk_transpose_rows(a.base + (i0 + i) * a.ld + p0, a.ld, kcb, mr, d, mr)
                d += kcb * mr
            } else {
                for p in 0..<kcb {
                    for ii in 0..<mr { d[ii] = ii < height ? a.element(i0 + i + ii, p0 + p) : 0 }
                    d += mr
                }
            }
            i += mr
        }
    }

    /// Where the micro-kernel reads the `A` block: element (row i, step p) at
    /// `base + i·rowStride + p·stepStride` — packed panels (`[panel][p][8]`: 1 and 8, panels
    /// `8·depth` apart) or the rows of a row-major matrix in place (`ld` and 1, panels `8·ld` apart;
    /// a last panel of fewer than eight rows is then copied, zero-padded, into `edge`).
    package struct APanels {
        let base: UnsafePointer<Float>, rowStride: Int, stepStride: Int, panelStride: Int, depth: Int
        let edge: UnsafeMutablePointer<Float>?

        package init(packed: UnsafeMutablePointer<Float>, depth: Int) {
            (base, rowStride, stepStride, panelStride, self.depth, edge) = (UnsafePointer(packed), 1, Gemm.mr, Gemm.mr * depth, depth, nil)
        }

        package init(rows: UnsafePointer<Float>, ld: Int, depth: Int, edge: UnsafeMutablePointer<Float>) {
            (base, rowStride, stepStride, panelStride, self.depth, self.edge) = (rows, ld, 1, Gemm.mr * ld, depth, edge)
        }

        /// Panel `i / 8` as (base, row stride, step stride), for `height` valid rows.
        @inline(__always)
        func panel(_ i: Int, height: Int) -> (UnsafePointer<Float>, Int, Int) {
            let start = base + (i / Gemm.mr) * panelStride
            guard height < Gemm.mr, let edge else { return (start, rowStride, stepStride) }
            for p in 0..<depth {
                for ii in 0..<Gemm.mr { edge[p * Gemm.mr + ii] = ii < height ? start[ii * rowStride + p * stepStride] : 0 }
            }
            return (UnsafePointer(edge), 1, Gemm.mr)
        }
    }

    /// All 8 × 32 tiles of one (mc × kc)·(kc × nc) block product.
    package static func macroKernel(
        _ mcb: Int, _ ncb: Int, _ kcb: Int, _ pa: APanels, _ pb: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, alpha: Float, beta: Float, bias: UnsafePointer<Float>? = nil
    ) {
        var tiles = (
            SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(),
            SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(),
            SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>()
        )
        withUnsafeMutableBytes(of: &tiles) { raw in
            let tile = raw.baseAddress!.assumingMemoryBound(to: SIMD16<Float>.self)
            macroKernelTiles(mcb, ncb, kcb, pa, pb, c, ldc, alpha: alpha, beta: beta, bias: bias, tile)
        }
    }

    static func macroKernelTiles(
        _ mcb: Int, _ ncb: Int, _ kcb: Int, _ pa: APanels, _ pb: UnsafePointer<Float>,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, alpha: Float, beta: Float, bias: UnsafePointer<Float>?,
        _ tile: UnsafeMutablePointer<SIMD16<Float>>
    ) {
        var j = 0
        while j < ncb {
            var i = 0
            while i < mcb {
                let (a, rowStride, stepStride) = pa.panel(i, height: min(mr, mcb - i))
                // The tile's rows of C lie a row of C apart: fetch them while the tile is summed,
                // not when it is stored.
                let corner = c + i * ldc + j
                for r in 0..<min(mr, mcb - i) {
                    sk_prefetch_for_write(corner + r * ldc)
                    sk_prefetch_for_write(corner + r * ldc + 16)
                }
                microKernel(kcb, a, rowStride: rowStride, stepStride: stepStride, pb + j * kcb, tile)
                store(
                    tile, rows: min(mr, mcb - i), columns: min(nr, ncb - j), to: c + i * ldc + j, ldc, alpha: alpha, beta: beta,
                    bias: bias.map { $0 + j })
                i += mr
            }
            j += nr
        }
    }

    /// `t = Σₚ a[0..<8][p] ⊗ pb[p][0..<32]` (`a[i][p] = a[i·rowStride + p·stepStride]`) — rows 0…7
    /// in `t[0…7]` (columns 0…15) and `t[8…15]` (columns 16…31).
    @inline(__always)
    static func microKernel(
        _ kcb: Int, _ a: UnsafePointer<Float>, rowStride rs: Int, stepStride: Int, _ b: UnsafePointer<Float>,
        _ t: UnsafeMutablePointer<SIMD16<Float>>
    ) {
        if sk_gemm_uses_6x32_tile() != 0 {
            // Sixteen 256-bit registers (AVX2): the 6 × 32 tile on a packed panel (A is always
            // packed there, `blockOfA`), so nothing spills.
            sk_gemm_tile_6x32(kcb, a, b, UnsafeMutableRawPointer(t).assumingMemoryBound(to: Float.self))
            return
        }
        var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
        var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
        var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
        var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
        var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
        var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
        var c60 = SIMD16<Float>(), c61 = SIMD16<Float>()
        var c70 = SIMD16<Float>(), c71 = SIMD16<Float>()
        var pa = a, pbp = b
        for _ in 0..<kcb {
            let b0 = Float.load(pbp), b1 = Float.load(pbp + 16)
            let a0 = sk_splat_f32x16(pa[0])
            c00 = sk_fma_f32x16(c00, a0, b0)
            c01 = sk_fma_f32x16(c01, a0, b1)
            let a1 = sk_splat_f32x16(pa[1 * rs])
            c10 = sk_fma_f32x16(c10, a1, b0)
            c11 = sk_fma_f32x16(c11, a1, b1)
            let a2 = sk_splat_f32x16(pa[2 * rs])
            c20 = sk_fma_f32x16(c20, a2, b0)
            c21 = sk_fma_f32x16(c21, a2, b1)
            let a3 = sk_splat_f32x16(pa[3 * rs])
            c30 = sk_fma_f32x16(c30, a3, b0)
            c31 = sk_fma_f32x16(c31, a3, b1)
            let a4 = sk_splat_f32x16(pa[4 * rs])
            c40 = sk_fma_f32x16(c40, a4, b0)
            c41 = sk_fma_f32x16(c41, a4, b1)
            let a5 = sk_splat_f32x16(pa[5 * rs])
            c50 = sk_fma_f32x16(c50, a5, b0)
            c51 = sk_fma_f32x16(c51, a5, b1)
            let a6 = sk_splat_f32x16(pa[6 * rs])
            c60 = sk_fma_f32x16(c60, a6, b0)
            c61 = sk_fma_f32x16(c61, a6, b1)
            let a7 = sk_splat_f32x16(pa[7 * rs])
            c70 = sk_fma_f32x16(c70, a7, b0)
            c71 = sk_fma_f32x16(c71, a7, b1)
            pa += stepStride
            pbp += 32
        }
        t[0] = c00; t[0 + 8] = c01
        t[1] = c10; t[1 + 8] = c11
        t[2] = c20; t[2 + 8] = c21
        t[3] = c30; t[3 + 8] = c31
        t[4] = c40; t[4 + 8] = c41
        t[5] = c50; t[5 + 8] = c51
        t[6] = c60; t[6 + 8] = c61
        t[7] = c70; t[7 + 8] = c71
    }

    /// `C[tile] = α·t + bias + β·C[tile]` for the valid `rows × columns` of a tile (β = 0: C not read).
    @inline(__always)
    static func store(
        _ t: UnsafeMutablePointer<SIMD16<Float>>, rows: Int, columns: Int, to c: UnsafeMutablePointer<Float>, _ ldc: Int,
        alpha: Float, beta: Float, bias: UnsafePointer<Float>? = nil
    ) {
        let av = SIMD16<Float>(repeating: alpha), bv = SIMD16<Float>(repeating: beta)
        let (biasLow, biasHigh) =
            columns == nr
            ? (bias.map { Float.load($0) } ?? SIMD16(), bias.map { Float.load($0 + 16) } ?? SIMD16())
            : (SIMD16(), SIMD16())
        for i in 0..<rows {
            let row = c + i * ldc
            if columns == nr {
                let lo = Float.multiplyAdd(biasLow, t[i], av), hi = Float.multiplyAdd(biasHigh, t[i + 8], av)
                if beta == 0 {
                    Float.store(lo, to: row)
                    Float.store(hi, to: row + 16)
                } else {
                    Float.store(Float.multiplyAdd(lo, bv, Float.load(row)), to: row)
                    Float.store(Float.multiplyAdd(hi, bv, Float.load(row + 16)), to: row + 16)
                }
            } else {
                for jj in 0..<columns {
                    let v = (jj < 16 ? t[i][jj] : t[i + 8][jj - 16]) * alpha + (bias?[jj] ?? 0)
                    row[jj] = beta == 0 ? v : v + beta * row[jj]
                }
            }
        }
    }
}
