// MARK: - Short rows in groups of `T.lanes`

extension ThreePassSoftmax {
    /// Three-pass-reload softmax or log-softmax (`output`) of short rows, `T.lanes` rows at a time
    /// (16 in Float): pass 1 over each row of the group, then the group's maxima in one transposed
    /// reduction (`horizontalMaxima`); pass 2 over each row, then the group's sums in one
    /// (`horizontalSums`); then pass 3 over each row. With `fusingPass1`
    /// (`SoftmaxSchedule.groupedRowsFusedPass1`), a group's pass 1 runs during the previous
    /// group's pass 2. Rows of at most `blockElements` (a row's sum is then one block's).
    /// Returns the first row of `range` it did not compute (the last `range.count mod lanes` rows,
    /// for `consecutiveRows`). With `scratch` (room for `lanes` rows), pass 2 stores there and
    /// pass 3 streams the output (`consecutiveRows(…streaming:)`).
    ///
    /// Why: a row of 128 floats is 8 vectors, and its three horizontal reductions, the division
    /// and the scalar bookkeeping between the passes cost about as much as its exponentials — a
    /// chain of dependent steps per row that out-of-order execution cannot hide behind the next
    /// row. Grouped, the reductions of 16 rows share their shuffles and the passes over different
    /// rows are independent work (BENCHMARKS.md, "Exact softmax: the schedules").
    ///
    /// The same results as `row` row by row, bit for bit: the extrema are exact, each row's sum
    /// is the same lane-wise vector reduced in the same halving order (`horizontalSums`), and
    /// `1/d` and `log d` are taken per row in Double as `row` takes them. Rows whose maximum is
    /// not finite or whose range needs the compensated exponential are handled inside the group
    /// as `row` would handle them.
    static func rowGroups<T: KernelScalar>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, rows range: Range<Int>, inverseTemperature s: T, output: RowOutput,
        fusingPass1: Bool, scratch: UnsafeMutablePointer<T>? = nil
    ) -> Int {
        // T = 1 and T ≠ 1 each get their own loops (no test of the scale per vector).
        s == 1
            ? rowGroups(x, y, rows: range, scale: nil, output: output, fusingPass1: fusingPass1, scratch: scratch)
            : rowGroups(x, y, rows: range, scale: s, output: output, fusingPass1: fusingPass1, scratch: scratch)
    }

    @inline(__always)
    static func rowGroups<T: KernelScalar>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, rows range: Range<Int>, scale: T?, output: RowOutput, fusingPass1: Bool,
        scratch: UnsafeMutablePointer<T>?
    ) -> Int {
        let g = T.lanes, n = x.cols
        let s = scale ?? 1
        let all: UInt64 = (1 << UInt64(g)) - 1
        return withUnsafeTemporaryAllocation(of: T.Vector.self, capacity: 3 * g) { buffer in
            // Initialized once: a group's edge rows leave their lane of `sums` as it was (unused).
            buffer.initialize(repeating: T.Vector())
            let maxima = buffer.baseAddress!, negatedMinima = maxima + g, sums = maxima + 2 * g
            // The group's per-row scalars, stored once per group: indexing a vector by a loop
            // variable spills the whole vector to the stack on every iteration.
            return withUnsafeTemporaryAllocation(of: T.self, capacity: 3 * g) { scalars in
                let rowMaxima = scalars.baseAddress!, rowNegatedMinima = rowMaxima + g, rowScaledMaxima = rowMaxima + 2 * g
                let rowSums = rowMaxima, rowLogarithms = rowNegatedMinima  // reused once the extrema are read
                var first = range.lowerBound
                var extremaTaken = false
                while first + g <= range.upperBound {
                    // Pass 1 over every row (unless it rode on the previous group's pass 2), then the
                    // group's extrema in two transposed reductions.
                    if !extremaTaken {
                        groupExtrema(x, rows: first, selected: all, maxima: maxima, negatedMinima: negatedMinima)
                    }
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
                    // Pass 2 over every row with the next group's pass 1, then the group's sums in one
                    // transposed reduction.
                    let next = fusingPass1 && first + 2 * g <= range.upperBound ? first + g : nil
                    groupSumExp(
                        x, y, scratch, rows: first, selected: plain, PlainExponential<T>(), scale: scale,
                        scaledMaxima: rowScaledMaxima, output: output, sums: sums,
                        next: next, maxima: maxima, negatedMinima: negatedMinima)
                    if compensated != 0 {
                        groupSumExp(
                            x, y, scratch, rows: first, selected: compensated, CompensatedExponential<T>(), scale: scale,
                            scaledMaxima: rowScaledMaxima, output: output, sums: sums,
                            next: next, maxima: maxima, negatedMinima: negatedMinima)
                    }
                    if let next, (plain | compensated) != all {  // rows without a pass 2: edge rows
                        groupExtrema(
                            x, rows: next, selected: all & ~(plain | compensated),
                            maxima: maxima, negatedMinima: negatedMinima)
                    }
                    T.store(T.horizontalSums(sums), to: rowSums)
                    if output == .logProbabilities { groupLogarithms(of: rowSums, into: rowLogarithms) }
                    // Pass 3 over every row.
                    for k in 0..<g where (plain | compensated) & (1 << UInt64(k)) != 0 {
                        let target = y.row(first + k)
                        let d = Double(rowSums[k])
                        guard !d.isNaN else {
                            _ = rowEdgeCase(x.row(first + k), target, count: n, output: output)  // a NaN in the row
                            continue
                        }
                        // As `pass3`: `e·(1/d)` over the exponentials, or `e − log d` over the stored
                        // `x·s − m`; streamed (fenced by the caller) when they are in the scratch.
                        let source = UnsafePointer(stored(y, scratch, row: first + k, k)), streaming = scratch != nil
                        if output == .logProbabilities {
                            let logD = T.Vector(repeating: rowLogarithms[k])
                            rowMap(source, target, count: n, streaming: streaming, fence: false, fill: 0) { $0 - logD }
                        } else {
                            let r = T.Vector(repeating: T(1 / d))
                            rowMap(source, target, count: n, streaming: streaming, fence: false, fill: 0) { $0 * r }
                        }
                    }
                    extremaTaken = next != nil
                    first += g
                }
                return first
            }
        }
    }

    /// Pass 1 of `rowGroups` over the rows `first + k` for each bit `k` of `selected`: the
    /// lane-wise extrema into `maxima[k]` and `negatedMinima[k]` (negated, for
    /// `horizontalMaxima`). Its own small function, so that the row loop inlines.
    static func groupExtrema<T: KernelScalar>(
        _ x: RowBatch<T>, rows first: Int, selected: UInt64,
        maxima: UnsafeMutablePointer<T.Vector>, negatedMinima: UnsafeMutablePointer<T.Vector>
    ) {
        for k in 0..<T.lanes where selected & (1 << UInt64(k)) != 0 {
            let (a, b) = rowExtremaVectors(x.row(first + k), count: x.cols)
            maxima[k] = a
            negatedMinima[k] = -b
        }
    }

    /// Where pass 2 stores the group's row `k` (row `r` of the batch) and pass 3 reads it: its
    /// output row, or row `k` of the scratch.
    @inline(__always)
    static func stored<T>(_ y: MutableRowBatch<T>, _ scratch: UnsafeMutablePointer<T>?, row r: Int, _ k: Int) -> UnsafeMutablePointer<T> {
        scratch.map { $0 + k * y.cols } ?? y.row(r)
    }

    /// Pass 2 of `rowGroups` over the rows `first + k` for each bit `k` of `selected`: the
    /// lane-wise sums of `e^{x·s − m}` into `sums[k]`, storing what pass 3 reads back
    /// (`stored`); with `next`, pass 1 of row `next + k` at the same time (into `maxima[k]`,
    /// `negatedMinima[k]`).
    static func groupSumExp<T: KernelScalar, E: ShiftedExponential>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, _ scratch: UnsafeMutablePointer<T>?, rows first: Int, selected: UInt64, _ exponential: E, scale: T?,
        scaledMaxima: UnsafePointer<T>, output: RowOutput, sums: UnsafeMutablePointer<T.Vector>,
        next: Int?, maxima: UnsafeMutablePointer<T.Vector>, negatedMinima: UnsafeMutablePointer<T.Vector>
    ) where E.Scalar == T {
        let (storeExponentials, storeArguments) = pass2Stores(output: output, reload: true, streaming: false)
        let storing = storeExponentials || storeArguments
        for k in 0..<T.lanes where selected & (1 << UInt64(k)) != 0 {
            var extrema = (maximum: T.Vector(repeating: -.infinity), minimum: T.Vector(repeating: .infinity))
            sums[k] = blockSumExp(
                x.row(first + k), storingTo: storing ? stored(y, scratch, row: first + k, k) : nil,
                storingArguments: storeArguments, count: x.cols, exponential, scale: scale,
                scaledMaximum: scaledMaxima[k], takingExtremaOf: next.map { x.row($0 + k) }, into: &extrema)
            maxima[k] = extrema.maximum
            negatedMinima[k] = -extrema.minimum
        }
    }
}
