/// Three-pass softmax for batches of a few long rows (a language model's vocabulary softmax over
/// one to three sequences): whole rows per thread would leave a thread idle, so each row is cut
/// into the blocks its sum is accumulated by (`blockElements`) and every thread takes an equal
/// share of all blocks of all rows, through the three passes, in one parallel region with a
/// barrier between passes. After each barrier a thread derives what it needs of a row (its
/// maximum, its sum) from the per-block results of all threads.
///
/// **Bit-identical to one thread.** Every element goes through the same vector arithmetic as in
/// `ThreePassSoftmax.row`; the maximum and minimum are exact whatever the order; each block's sum
/// is the same `Double` the one-thread loop adds, and the block sums are added in block order
/// from 0, as that loop adds them. Rows whose maximum is not finite, or whose sum is NaN, take
/// the edge contract's path over the whole row, on the thread that owns the row's first block.
///
/// Only the three-pass algorithms split: the two-pass and online recurrences keep whole rows.
/// When the persistent workers are busy (a call from inside another parallel region) or asleep
/// (the first call after a pause) the blocks run on the calling thread.
enum SplitRows {
    /// Softmax, log-softmax or logsumexp (`lse`) of every row, split by blocks over `threads`.
    /// `y == nil` computes only `lse`; a masked batch without an output is copied to scratch.
    static func run<T: KernelScalar>(
        _ x: RowBatch<T>, y: MutableRowBatch<T>?, mask: RowBatch<Bool>?, inverseTemperature s: T, threads: Int,
        reload: Bool, output: RowOutput, streaming: Bool, logSumExp lse: UnsafeMutablePointer<T>?
    ) {
        let blocks = (x.cols + blockElements - 1) / blockElements, items = x.rows * blocks
        let scratch = mask != nil && y == nil ? UnsafeMutablePointer<T>.allocate(capacity: items * blockElements) : nil
        defer { scratch?.deallocate() }
        // The per-block results, on the stack where they fit (no allocation per call): sums, maxima, minima.
        let stride = MemoryLayout<T>.stride
        withUnsafeTemporaryAllocation(byteCount: items * (8 + 2 * stride), alignment: 64) { memory in
            let base = memory.baseAddress!
            let sums = base.bindMemory(to: Double.self, capacity: items)
            let maxima = (base + items * 8).bindMemory(to: T.self, capacity: items)
            let minima = (base + items * (8 + stride)).bindMemory(to: T.self, capacity: items)
            let shared = Blocks(
                x: x, y: y, mask: mask, scratch: scratch.map(UnsafeSendable.init), lse: lse.map(UnsafeSendable.init),
                blocks: blocks, maxima: UnsafeSendable(maxima), minima: UnsafeSendable(minima), sums: UnsafeSendable(sums),
                inverseTemperature: s, output: y == nil ? .nothing : output, reload: reload, streaming: streaming)
            // The barrier needs every share running at once: no more shares than the pool's threads.
            let threads = min(threads, RowParallel.concurrentThreads)
            let ran = RowParallel.together(threads: threads) { t, barrier in
                shared.process(items * t / threads..<items * (t + 1) / threads, barrier: barrier.wait)
            }
            if !ran { shared.process(0..<items, barrier: {}) }
        }
    }

    /// What the threads share: the batch, where each row is read and written, and the per-block
    /// results (each written by one thread, read by all after the next barrier).
    struct Blocks<T: KernelScalar>: @unchecked Sendable {
        let x: RowBatch<T>
        let y: MutableRowBatch<T>?
        let mask: RowBatch<Bool>?
        let scratch: UnsafeSendable<T>?
        let lse: UnsafeSendable<T>?
        let blocks: Int
        let maxima: UnsafeSendable<T>, minima: UnsafeSendable<T>, sums: UnsafeSendable<Double>
        let inverseTemperature: T
        let output: RowOutput
        let reload: Bool
        let streaming: Bool

        /// One thread's share: blocks `range` of the flattened (row, block) order, through the
        /// three passes, calling `barrier` between passes.
        func process(_ range: Range<Int>, barrier: () -> Void) {
            // Pass 1: each block's extrema (after masking it into the output row).
            for k in range {
                let (r, start, n) = block(k)
                if let mask {
                    ExactSoftmax.applyMask(x.row(r) + start, mask.row(r) + start, into: target(r) + start, count: n)
                }
                let e = rowExtrema(source(r) + start, count: n)
                maxima.pointer[k] = e.maximum
                minima.pointer[k] = e.minimum
            }
            barrier()
            // Pass 2: each block's sum of exponentials.
            var planned = (row: -1, plan: ThreePassSoftmax.RowPlan<T>?.none)
            for k in range {
                let (r, start, n) = block(k)
                if r != planned.row { planned = (r, plan(r)) }
                guard let plan = planned.plan else {
                    if k == r * blocks { finishSpecialRow(r) }
                    continue
                }
                sums.pointer[k] = ThreePassSoftmax.pass2(source(r) + start, target(r) + start, count: n, plan: plan).sum
            }
            barrier()
            // Pass 3: the row's sum adds the block sums in block order; normalize each block.
            var summed = (row: -1, sum: 0.0)
            for k in range {
                let (r, start, n) = block(k)
                if r != planned.row { planned = (r, plan(r)) }
                guard let plan = planned.plan else { continue }
                if r != summed.row { summed = (r, rowSum(r)) }
                let d = summed.sum
                if k == r * blocks {
                    if d.isNaN {
                        finishSpecialRow(r)
                    } else {
                        lse?.pointer[r] = T(RowStatistics.shifted(maximum: Double(plan.scaledMaximum), sum: d).logSumExp)
                    }
                }
                guard !d.isNaN, output != .nothing else { continue }
                ThreePassSoftmax.pass3(source(r) + start, target(r) + start, count: n, plan: plan, sum: d)
            }
        }

        /// Row `r`'s maximum, exponential and scale, from its blocks' extrema; nil when the
        /// maximum is not finite (+∞, all −∞, all NaN: the edge contract decides).
        func plan(_ r: Int) -> ThreePassSoftmax.RowPlan<T>? {
            var high = maxima.pointer[r * blocks], low = minima.pointer[r * blocks]
            for k in r * blocks + 1..<(r + 1) * blocks {
                high = max(high, maxima.pointer[k])
                low = min(low, minima.pointer[k])
            }
            return ThreePassSoftmax.RowPlan(
                extrema: (high, low), inverseTemperature: inverseTemperature, output: output,
                reload: reload, streaming: streaming)
        }

        /// Row `r`'s sum of exponentials: its block sums added in order, from 0.
        func rowSum(_ r: Int) -> Double {
            var d = 0.0
            for k in r * blocks..<(r + 1) * blocks { d += sums.pointer[k] }
            return d
        }

        /// The edge contract over all of row `r` (run by the owner of its first block only).
        func finishSpecialRow(_ r: Int) {
            let special = rowEdgeCase(source(r), target(r), count: x.cols, output: output)
            lse?.pointer[r] = T(special)
        }

        /// Block `k`: its row, first column and length.
        @inline(__always)
        func block(_ k: Int) -> (row: Int, start: Int, count: Int) {
            let (r, b) = k.quotientAndRemainder(dividingBy: blocks)
            let start = b * blockElements
            return (r, start, min(blockElements, x.cols - start))
        }

        /// Where row `r` is written: the output row, the scratch row of a masked batch without
        /// output, or (nothing is written then) the input row.
        @inline(__always)
        func target(_ r: Int) -> UnsafeMutablePointer<T> {
            if let y { return y.row(r) }
            if let scratch { return scratch.pointer + r * blocks * blockElements }
            return UnsafeMutablePointer(mutating: x.row(r))
        }

        /// Where row `r` is read from: the masked copy when there is a mask.
        @inline(__always)
        func source(_ r: Int) -> UnsafePointer<T> { mask == nil ? x.row(r) : UnsafePointer(target(r)) }
    }
}
