// MARK: - Short rows in groups of `T.lanes`

extension ThreePassSoftmax {
    /// Rows up to this many elements go through `rowGroups` in batches of any size; rows up to
    /// `groupedRowElements` in batches up to `groupedBatchBytes` per thread.
    static let alwaysGroupedRowElements = 128
    static let groupedRowElements = 1024

    /// Beyond this (per thread, input bytes), the batch is not in L2: each group's pass 1 then
    /// waits on L3 or memory with little to overlap, and for rows wider than 128 the rows one
    /// by one (the next row's pass 1 fused into pass 3) measured faster: 512- and 1024-wide rows
    /// in L3 16–19 GB/s grouped against 24–26, 256-wide rows out of cache 15–17 against 20.
    /// 128-wide rows still gain, in the median: in L3 22.2–23.1 against 20.1–20.8 in most
    /// processes, out of cache 18.7–19.7 against 18.2–18.5. (In about one process in four the
    /// grouped L3 batch ran at 12–15 against 18.6–20.7 row by row: the same mean over 8 runs.)
    static let groupedBatchBytes = 1 << 20

    /// Whether `consecutiveRows` groups the rows of a batch of `rows × cols` (per thread).
    @inline(__always)
    static func groupsRows<T: KernelScalar>(rows: Int, cols n: Int, as _: T.Type) -> Bool {
        n <= alwaysGroupedRowElements || (n <= groupedRowElements && rows * n * MemoryLayout<T>.size <= groupedBatchBytes)
    }

    /// Three-pass-reload softmax or log-softmax (`output`) of short rows, `T.lanes` rows at a time
    /// (16 in Float): pass 1 over each row of the group, then the group's maxima in one transposed
    /// reduction (`horizontalMaxima`); pass 2 over each row, then the group's sums in one
    /// (`horizontalSums`); then pass 3 over each row. Returns the first row of `range` it did not
    /// compute (the last `range.count mod lanes` rows, for `consecutiveRows`).
    ///
    /// Why: a row of 128 floats is 8 vectors, and its three horizontal reductions, the division
    /// and the scalar bookkeeping between the passes cost about as much as its exponentials — a
    /// chain of dependent steps per row that out-of-order execution cannot hide behind the next
    /// row. Grouped, the reductions of 16 rows share their shuffles and the passes over different
    /// rows are independent work. Measured in L2 (BENCHMARKS.md): rows of 128 20.5 → 24.5 GB/s,
    /// 256 22 → 27, 512 24.5 → 27, 1024 26 → 30.
    ///
    /// The same results as `row` row by row, bit for bit: the extrema are exact, each row's sum
    /// is the same lane-wise vector reduced in the same halving order (`horizontalSums`), and
    /// `1/d` and `log d` are taken per row in Double as `row` takes them. Rows whose maximum is
    /// not finite or whose range needs the compensated exponential are handled inside the group
    /// as `row` would handle them.
    static func rowGroups<T: KernelScalar>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, rows range: Range<Int>, inverseTemperature s: T, output: RowOutput
    ) -> Int {
        // T = 1 and T ≠ 1 each get their own loops (no test of the scale per vector).
        s == 1 ? rowGroups(x, y, rows: range, scale: nil, output: output)
            : rowGroups(x, y, rows: range, scale: s, output: output)
    }

    @inline(__always)
    static func rowGroups<T: KernelScalar>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, rows range: Range<Int>, scale: T?, output: RowOutput
    ) -> Int {
        let g = T.lanes, n = x.cols
        let s = scale ?? 1
        return withUnsafeTemporaryAllocation(of: T.Vector.self, capacity: 2 * g) { buffer in
            // Initialized once: a group's edge rows leave their lane of `sums` as it was (unused).
            buffer.initialize(repeating: T.Vector())
            let maxima = buffer.baseAddress!, negatedMinima = maxima + g
            let sums = maxima  // reused once the maxima are read
            // The group's per-row scalars, stored once per group: indexing a vector by a loop
            // variable spills the whole vector to the stack on every iteration.
            return withUnsafeTemporaryAllocation(of: T.self, capacity: 3 * g) { scalars in
                let rowMaxima = scalars.baseAddress!, rowNegatedMinima = rowMaxima + g, rowScaledMaxima = rowMaxima + 2 * g
                let rowSums = rowMaxima  // reused once the maxima are read
                var first = range.lowerBound
                while first + g <= range.upperBound {
                    // Pass 1 over every row, then the group's extrema in two transposed reductions.
                    groupExtrema(x, rows: first..<first + g, maxima: maxima, negatedMinima: negatedMinima)
                    let groupMaxima = T.horizontalMaxima(maxima)
                    T.store(groupMaxima, to: rowMaxima)
                    T.store(T.horizontalMaxima(negatedMinima), to: rowNegatedMinima)
                    T.store(groupMaxima * T.Vector(repeating: s), to: rowScaledMaxima)
                    // Each row's exponential: none (the edge contract), compensated or plain.
                    var plain: UInt64 = 0, compensated: UInt64 = 0
                    for k in 0..<g {
                        guard rowScaledMaxima[k].isFinite else {
                            _ = rowEdgeCase(x.row(first + k), y.row(first + k), count: n, output: output)
                            continue
                        }
                        if needsCompensation(range: (rowMaxima[k] + rowNegatedMinima[k]) * s) {  // (max − min)·s
                            compensated |= 1 << UInt64(k)
                        } else {
                            plain |= 1 << UInt64(k)
                        }
                    }
                    // Pass 2 over every row, then the group's sums in one transposed reduction.
                    groupSumExp(x, y, rows: first, selected: plain, PlainExponential<T>(), scale: scale,
                                scaledMaxima: rowScaledMaxima, output: output, sums: sums)
                    if compensated != 0 {
                        groupSumExp(x, y, rows: first, selected: compensated, CompensatedExponential<T>(), scale: scale,
                                    scaledMaxima: rowScaledMaxima, output: output, sums: sums)
                    }
                    T.store(T.horizontalSums(sums), to: rowSums)
                    // Pass 3 over every row.
                    for k in 0..<g where (plain | compensated) & (1 << UInt64(k)) != 0 {
                        let target = y.row(first + k)
                        let d = Double(rowSums[k])
                        guard !d.isNaN else {
                            _ = rowEdgeCase(x.row(first + k), target, count: n, output: output)  // a NaN in the row
                            continue
                        }
                        // As `pass3`: `y·(1/d)` over the exponentials, or `y − log d` over the stored `x·s − m`.
                        if output == .logProbabilities {
                            let logD = T.Vector(repeating: logarithm(of: d, as: T.self))
                            rowMap(UnsafePointer(target), target, count: n, streaming: false, fill: 0) { $0 - logD }
                        } else {
                            let r = T.Vector(repeating: T(1 / d))
                            rowMap(UnsafePointer(target), target, count: n, streaming: false, fill: 0) { $0 * r }
                        }
                    }
                    first += g
                }
                return first
            }
        }
    }

    /// Pass 1 of `rowGroups`: the lane-wise extrema of each row of `rows`, into `maxima[k]` and
    /// `negatedMinima[k]` (negated, for `horizontalMaxima`). Its own small function, so that the
    /// row loop inlines.
    static func groupExtrema<T: KernelScalar>(
        _ x: RowBatch<T>, rows: Range<Int>, maxima: UnsafeMutablePointer<T.Vector>, negatedMinima: UnsafeMutablePointer<T.Vector>
    ) {
        for (k, r) in rows.enumerated() {
            let (a, b) = rowExtremaVectors(x.row(r), count: x.cols)
            maxima[k] = a
            negatedMinima[k] = -b
        }
    }

    /// Pass 2 of `rowGroups` over the rows `first + k` for each bit `k` of `selected`: the
    /// lane-wise sums of `e^{x·s − m}` into `sums[k]`, storing what pass 3 reads back.
    static func groupSumExp<T: KernelScalar, E: ShiftedExponential>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, rows first: Int, selected: UInt64, _ exponential: E, scale: T?,
        scaledMaxima: UnsafePointer<T>, output: RowOutput, sums: UnsafeMutablePointer<T.Vector>
    ) where E.Scalar == T {
        let (storeExponentials, storeArguments) = pass2Stores(output: output, reload: true, streaming: false)
        let storing = storeExponentials || storeArguments
        var unused = (maximum: T.Vector(), minimum: T.Vector())
        for k in 0..<T.lanes where selected & (1 << UInt64(k)) != 0 {
            sums[k] = blockSumExp(x.row(first + k), storingTo: storing ? y.row(first + k) : nil,
                                  storingArguments: storeArguments, count: x.cols, exponential, scale: scale,
                                  scaledMaximum: scaledMaxima[k], takingExtremaOf: nil, into: &unused)
        }
    }
}
