import _SoftmaxShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Three-pass softmax, the scheme of XNNPACK's production operator and of PyTorch's CPU kernel.
///
/// ```
/// pass 1 (read x):            m = maxᵢ xᵢ/T
/// pass 2 (read x):            d = Σᵢ e^{xᵢ/T − m}            reload: also store eᵢ to y
/// pass 3 reload (read y):     yᵢ ← yᵢ / d
/// pass 3 recompute (read x):  yᵢ = e^{xᵢ/T − m} / d
/// ```
/// Reload trades a second exponential for a re-read of `y` (cheap while a row fits in cache);
/// recompute never reads `y`, so with streaming stores its output bypasses the caches entirely.
/// Subtracting the maximum keeps every exponent ≤ 0: no overflow for any finite input.
/// The rounding error of `xᵢ/T − m` is compensated (`KernelScalar.expShifted`). Log-probabilities
/// are `(xᵢ/T − m) − log d`, exact for the largest entries (no cancellation between large numbers).
/// `x/T` is computed as `x·(1/T)`, one rounding, as frameworks scale logits before the softmax.
@usableFromInline
enum ThreePassSoftmax {
    /// Softmax, log-softmax or (with `output == .nothing`) the statistics of one row.
    @inlinable @inline(__always)
    static func row<T: KernelScalar>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, inverseTemperature s: T,
        output: RowOutput, reload: Bool, streaming: Bool
    ) -> RowStatistics {
        // Pass 1: the extrema. A non-finite maximum means +∞, all −∞ or all NaN: the edge contract handles it.
        let plan = RowPlan(extrema: rowExtrema(x, count: n), inverseTemperature: s, output: output, reload: reload, streaming: streaming)
        // Pass 2; a NaN sum means a NaN in the row, which the edge contract handles too.
        var d = Double.nan
        if let plan { d = pass2(x, y, count: n, plan: plan).sum }
        guard let plan, !d.isNaN else { return .special(rowEdgeCase(x, y, count: n, output: output)) }
        // Pass 3.
        pass3(x, y, count: n, plan: plan, sum: d)
        return .shifted(maximum: Double(plan.scaledMaximum), sum: d)
    }

    /// The constants passes 2 and 3 need, known after pass 1 over the whole row.
    @usableFromInline
    struct RowPlan<T: KernelScalar> {
        /// `nil` for T = 1 (no multiply).
        @usableFromInline var scale: T?
        @usableFromInline var scaledMaximum: T
        /// Whether the rounding of `x·s − m` is compensated (`needsCompensation`).
        @usableFromInline var compensated: Bool
        @usableFromInline var output: RowOutput
        @usableFromInline var reload: Bool
        @usableFromInline var streaming: Bool

        /// The plan of a row with these extrema, or nil when its scaled maximum is not finite
        /// (+∞, all −∞, all NaN: the edge contract decides the row).
        @inlinable @inline(__always)
        init?(extrema: (maximum: T, minimum: T), inverseTemperature s: T, output: RowOutput, reload: Bool, streaming: Bool) {
            let m = extrema.maximum * s
            guard m.isFinite else { return nil }
            self.scale = s == 1 ? nil : s
            self.scaledMaximum = m
            self.compensated = needsCompensation(range: (extrema.maximum - extrema.minimum) * s)
            self.output = output
            self.reload = reload
            self.streaming = streaming
        }
    }

    /// Pass 2 over a row, or a block of one (`SplitRows`): `d = Σ e^{xᵢ·s − m}` (NaN inputs make it
    /// NaN), storing what pass 3 reads back; with `next`, also the extrema of `next[0..<n]` (the
    /// next row's pass 1, as `rowExtrema`). The row's exponential — compensated or plain, T = 1 or
    /// not — is chosen here once, each of the four a loop of its own.
    @usableFromInline
    static func pass2<T: KernelScalar>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, plan p: RowPlan<T>,
        takingExtremaOf next: UnsafePointer<T>? = nil
    ) -> (sum: Double, maximum: T, minimum: T) {
        switch (p.compensated, p.scale) {
        case (true, nil): sumExponentials(x, y, count: n, scale: nil, plan: p, CompensatedExponential<T>(), takingExtremaOf: next)
        case let (true, s?): sumExponentials(x, y, count: n, scale: s, plan: p, CompensatedExponential<T>(), takingExtremaOf: next)
        case (false, nil): sumExponentials(x, y, count: n, scale: nil, plan: p, PlainExponential<T>(), takingExtremaOf: next)
        case let (false, s?): sumExponentials(x, y, count: n, scale: s, plan: p, PlainExponential<T>(), takingExtremaOf: next)
        }
    }

    /// Pass 2 with a given exponential.
    @inlinable @inline(__always)
    static func sumExponentials<T: KernelScalar, E: ShiftedExponential>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, scale s: T?, plan p: RowPlan<T>, _ exponential: E,
        takingExtremaOf next: UnsafePointer<T>?
    ) -> (sum: Double, maximum: T, minimum: T) where E.Scalar == T {
        let (storeExponentials, storeArguments) = pass2Stores(output: p.output, reload: p.reload, streaming: p.streaming)
        let target = storeExponentials || storeArguments ? y : nil
        // Two loops: the loop without `next` must not test it per vector.
        guard let next else {
            return (
                rowSumExp(
                    x, storingTo: target, storingArguments: storeArguments, count: n, exponential, scale: s,
                    scaledMaximum: p.scaledMaximum), -.infinity, .infinity
            )
        }
        return rowSumExp(
            x, storingTo: target, storingArguments: storeArguments, count: n, exponential, scale: s,
            scaledMaximum: p.scaledMaximum, takingExtremaOf: next)
    }

    /// What pass 2 stores to `y`: the exponentials (softmax, reload) or `x·s − m` (log-softmax,
    /// unless streaming stores forbid writing the output before pass 3 — the same rounding either
    /// way, so the results are identical).
    @inlinable @inline(__always)
    static func pass2Stores(output: RowOutput, reload: Bool, streaming: Bool) -> (exponentials: Bool, arguments: Bool) {
        (reload && output == .probabilities, output == .logProbabilities && !streaming)
    }

    /// Pass 3 over a row, or a block of one (`SplitRows`), given the whole row's sum `d`.
    @usableFromInline
    static func pass3<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, plan p: RowPlan<T>, sum d: Double) {
        switch (p.compensated, p.scale) {
        case (true, nil): normalize(x, y, count: n, scale: nil, plan: p, sum: d, CompensatedExponential<T>())
        case let (true, s?): normalize(x, y, count: n, scale: s, plan: p, sum: d, CompensatedExponential<T>())
        case (false, nil): normalize(x, y, count: n, scale: nil, plan: p, sum: d, PlainExponential<T>())
        case let (false, s?): normalize(x, y, count: n, scale: s, plan: p, sum: d, PlainExponential<T>())
        }
    }

    /// Pass 3 with a given exponential (recompute reads `x` again; reload rescales `y` in place).
    @inlinable @inline(__always)
    static func normalize<T: KernelScalar, E: ShiftedExponential>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, scale s: T?, plan p: RowPlan<T>, sum d: Double,
        _ exponential: E
    ) where E.Scalar == T {
        let mv = T.Vector(repeating: p.scaledMaximum), sv = s.map { T.Vector(repeating: $0) }
        let (storeExponentials, storeArguments) = pass2Stores(output: p.output, reload: p.reload, streaming: p.streaming)
        switch p.output {
        case .probabilities:
            let r = T.Vector(repeating: T(1 / d))
            if storeExponentials {
                rowMap(UnsafePointer(y), y, count: n, streaming: p.streaming, fill: 0) { $0 * r }
            } else {
                rowMap(x, y, count: n, streaming: p.streaming, fill: -.infinity) { exponential.apply($0, scale: sv, maximum: mv) * r }
            }
        case .logProbabilities:
            let logD = T.Vector(repeating: logarithm(of: d, as: T.self))
            if storeArguments {
                rowMap(UnsafePointer(y), y, count: n, streaming: false, fill: 0) { $0 - logD }
            } else {
                rowMap(x, y, count: n, streaming: p.streaming, fill: -.infinity) { v in (T.scaled(v, by: sv) - mv) - logD }
            }
        case .nothing:
            break
        }
    }
}

extension ThreePassSoftmax {
    /// `log d` as pass 3 of log-softmax subtracts it: for Float rows `rowSumLogarithms` rounded to
    /// Float (d ∈ [1, n]: correctly rounded but within 10⁻¹⁶ of a boundary; `rowGroups` takes 16
    /// at a time with the same bits), libm's `log` for Double rows.
    @inlinable @inline(__always)
    static func logarithm<T: KernelScalar>(of d: Double, as _: T.Type) -> T {
        T.self == Float.self ? T(Float(rowSumLogarithms(SIMD8(repeating: d))[0])) : T(log(d))
    }

    /// `logarithm(of: Double(sums[k]), as: T.self)` for the `T.lanes` sums of a group, into
    /// `logs[k]`: for Float two vectors of 8 Doubles, the same bits as row by row.
    @inlinable @inline(__always)
    static func groupLogarithms<T: KernelScalar>(of sums: UnsafePointer<T>, into logs: UnsafeMutablePointer<T>) {
        guard T.self == Float.self else {
            for k in 0..<T.lanes { logs[k] = logarithm(of: Double(sums[k]), as: T.self) }
            return
        }
        let d = UnsafeRawPointer(sums).assumingMemoryBound(to: Float.self)
        let out = UnsafeMutableRawPointer(logs).assumingMemoryBound(to: Float.self)
        for half in 0..<2 {
            sk_store_f64x8_as_f32x8(out + 8 * half, rowSumLogarithms(sk_load_f32x8_as_f64x8(d + 8 * half)))
        }
    }
}

// MARK: - Consecutive rows, each row's pass 1 fused into the previous row's passes

extension ThreePassSoftmax {
    /// Three-pass-reload softmax or log-softmax (`output`) of rows `range` of `x` into `y` by one of
    /// the consecutive schedules (`SoftmaxSchedule.plan(for:)` chooses): each row's pass 1 (its
    /// extrema) fused into a pass over the previous row, so that the next row's stream overlaps
    /// work on a row already in cache instead of running alone.
    /// - `groupedRows`, `groupedRowsFusedPass1`: `rowGroups`, then the rows left over as below;
    /// - `rowsFusedPass3`: into pass 3 (`y ← y·(1/d)`, or `y ← y − log d` over the stored
    ///   `x·s − m`);
    /// - `rowsFusedPass2`: into pass 2, whose exponentials hide the next row's loads
    ///   (`rowsFusedIntoPass2`).
    ///
    /// The same results as `row` row by row: extrema are exact whatever the order, and
    /// `v·1 − log d`, `v·r − 0` round as `v − log d`, `v·r`.
    ///
    /// With `streaming` (`SoftmaxSchedule.Plan.streamingStores`), pass 2 stores to a scratch row
    /// (a group's rows for the grouped schedules) allocated here, once per call, and pass 3 reads
    /// it and writes `y` with non-temporal stores, fenced once after the last row: the same values
    /// in the same operations, so the same bits.
    static func consecutiveRows<T: KernelScalar>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, rows range: Range<Int>, inverseTemperature s: T, output: RowOutput,
        schedule: SoftmaxSchedule, streaming: Bool
    ) {
        // Streaming stores need the output aligned to its element (a vector boundary is then reached).
        guard streaming, !range.isEmpty, x.cols > 0, Int(bitPattern: y.base) % MemoryLayout<T>.size == 0 else {
            consecutiveRows(x, y, rows: range, inverseTemperature: s, output: output, schedule: schedule, scratch: nil)
            return
        }
        let grouped = schedule == .groupedRows || schedule == .groupedRowsFusedPass1
        let count = (grouped ? T.lanes : 1) * x.cols
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<T>.size, alignment: MemoryLayout<T.Vector>.size)
        defer { raw.deallocate() }
        let scratch = raw.bindMemory(to: T.self, capacity: count)
        consecutiveRows(x, y, rows: range, inverseTemperature: s, output: output, schedule: schedule, scratch: scratch)
        T.streamFence()
    }

    /// `consecutiveRows` with pass 2 storing to `scratch` (and the output streamed) or, when nil,
    /// to the output row itself.
    static func consecutiveRows<T: KernelScalar>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, rows range: Range<Int>, inverseTemperature s: T, output: RowOutput,
        schedule: SoftmaxSchedule, scratch: UnsafeMutablePointer<T>?
    ) {
        let n = x.cols
        var rest = range.lowerBound
        switch schedule {
        case .rowsFusedPass2:
            rowsFusedIntoPass2(x, y, rows: range, inverseTemperature: s, output: output, scratch: scratch)
            return
        case .groupedRows, .groupedRowsFusedPass1:
            rest = rowGroups(
                x, y, rows: range, inverseTemperature: s, output: output, fusingPass1: schedule == .groupedRowsFusedPass1,
                scratch: scratch)
        case .rowsFusedPass3, .perRow, .splitRows:
            break
        }
        guard rest < range.upperBound else { return }
        // Rows fused into pass 3.
        let range = rest..<range.upperBound
        var extrema = rowExtrema(x.row(rest), count: n)
        for r in range {
            let source = x.row(r), target = y.row(r), stored = scratch ?? target
            let next = r + 1 < range.upperBound ? x.row(r + 1) : nil
            let plan = RowPlan(extrema: extrema, inverseTemperature: s, output: output, reload: true, streaming: false)
            var d = Double.nan
            if let plan { d = pass2(source, stored, count: n, plan: plan).sum }
            guard let plan, !d.isNaN else {
                _ = rowEdgeCase(source, target, count: n, output: output)
                if let next { extrema = rowExtrema(next, count: n) }
                continue
            }
            guard let next else {
                pass3(source, target, count: n, plan: plan, sum: d, stored: scratch)
                continue
            }
            let (a, b) = output == .logProbabilities ? (T(1), logarithm(of: d, as: T.self)) : (T(1 / d), T(0))
            let (av, bv) = (T.Vector(repeating: a), T.Vector(repeating: b))
            if let scratch {
                extrema = rowAffineTakingExtrema(from: scratch, to: target, count: n, times: av, minus: bv, streaming: true, next: next)
            } else {
                extrema = rowAffineTakingExtrema(from: target, to: target, count: n, times: av, minus: bv, streaming: false, next: next)
            }
        }
    }

    /// Pass 3 of a row whose pass 2 stored to `stored` (a scratch row: the output is streamed,
    /// not fenced) or, when nil, to `y` itself (`pass3`).
    @inline(__always)
    static func pass3<T: KernelScalar>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, plan p: RowPlan<T>, sum d: Double,
        stored: UnsafeMutablePointer<T>?
    ) {
        guard let stored else { return pass3(x, y, count: n, plan: p, sum: d) }
        // As `normalize` over what pass 2 stored: `e·(1/d)`, or `(x·s − m) − log d`.
        if p.output == .logProbabilities {
            let logD = T.Vector(repeating: logarithm(of: d, as: T.self))
            rowMap(UnsafePointer(stored), y, count: n, streaming: true, fence: false, fill: 0) { $0 - logD }
        } else {
            let r = T.Vector(repeating: T(1 / d))
            rowMap(UnsafePointer(stored), y, count: n, streaming: true, fence: false, fill: 0) { $0 * r }
        }
    }

    /// `consecutiveRows` by `SoftmaxSchedule.rowsFusedPass2`: each row's pass 2 takes the next
    /// row's extrema.
    static func rowsFusedIntoPass2<T: KernelScalar>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, rows range: Range<Int>, inverseTemperature s: T, output: RowOutput,
        scratch: UnsafeMutablePointer<T>?
    ) {
        let n = x.cols
        guard let first = range.first else { return }
        var extrema = rowExtrema(x.row(first), count: n)
        for r in range {
            let source = x.row(r), target = y.row(r), stored = scratch ?? target
            let next = r + 1 < range.upperBound ? x.row(r + 1) : nil
            guard let plan = RowPlan(extrema: extrema, inverseTemperature: s, output: output, reload: true, streaming: false) else {
                _ = rowEdgeCase(source, target, count: n, output: output)
                if let next { extrema = rowExtrema(next, count: n) }
                continue
            }
            // Two calls, so that the loop taking the next row's extrema is the only one in its call.
            let d: Double
            if let next {
                (d, extrema.maximum, extrema.minimum) = pass2(source, stored, count: n, plan: plan, takingExtremaOf: next)
            } else {
                d = pass2(source, stored, count: n, plan: plan).sum
            }
            if d.isNaN {
                _ = rowEdgeCase(source, target, count: n, output: output)
            } else {
                pass3(source, target, count: n, plan: plan, sum: d, stored: scratch)
            }
        }
    }
}
