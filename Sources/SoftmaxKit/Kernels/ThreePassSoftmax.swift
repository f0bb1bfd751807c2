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
    @inlinable @inline(__always)
    static func row<T: KernelScalar>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, inverseTemperature s: T,
        output: RowOutput, reload: Bool, streaming: Bool
    ) -> RowStatistics {
        // Pass 1: the extrema. A non-finite maximum means +∞, all −∞ or all NaN: the edge contract handles it.
        let (rawMaximum, rawMinimum) = rowExtrema(x, count: n)
        let m = rawMaximum * s
        guard m.isFinite else { return .special(rowEdgeCase(x, y, count: n, output: output)) }
        // Four specializations: compensated or not, and T = 1 (no multiply) or not.
        let scale: T? = s == 1 ? nil : s
        if needsCompensation(range: (rawMaximum - rawMinimum) * s) {
            if scale == nil {
                return passes2and3(x, y, count: n, scale: nil, scaledMaximum: m, output: output, reload: reload,
                                   streaming: streaming, CompensatedExponential<T>())
            }
            return passes2and3(x, y, count: n, scale: scale, scaledMaximum: m, output: output, reload: reload,
                               streaming: streaming, CompensatedExponential<T>())
        }
        if scale == nil {
            return passes2and3(x, y, count: n, scale: nil, scaledMaximum: m, output: output, reload: reload,
                               streaming: streaming, PlainExponential<T>())
        }
        return passes2and3(x, y, count: n, scale: scale, scaledMaximum: m, output: output, reload: reload,
                           streaming: streaming, PlainExponential<T>())
    }

    /// Passes 2 and 3 with a given `e^{x·s − m}`.
    @inlinable @inline(__always)
    static func passes2and3<T: KernelScalar, E: ShiftedExponential>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, scale s: T?, scaledMaximum m: T,
        output: RowOutput, reload: Bool, streaming: Bool, _ exponential: E
    ) -> RowStatistics where E.Scalar == T {
        let d = pass2(x, y, count: n, scale: s, scaledMaximum: m, output: output, reload: reload, streaming: streaming, exponential)
        guard !d.isNaN else { return .special(rowEdgeCase(x, y, count: n, output: output)) }
        pass3(x, y, count: n, scale: s, scaledMaximum: m, sum: d, output: output, reload: reload, streaming: streaming, exponential)
        return .shifted(maximum: Double(m), sum: d)
    }

    /// Pass 2 over a row or a block of one: `d = Σ e^{xᵢ·s − m}` (NaN inputs make it NaN), storing
    /// what pass 3 reads back.
    @inlinable @inline(__always)
    static func pass2<T: KernelScalar, E: ShiftedExponential>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, scale s: T?, scaledMaximum m: T,
        output: RowOutput, reload: Bool, streaming: Bool, _ exponential: E
    ) -> Double where E.Scalar == T {
        pass2(x, y, count: n, scale: s, scaledMaximum: m, output: output, reload: reload, streaming: streaming, exponential,
              takingExtremaOf: nil).sum
    }

    /// Pass 2 that also takes the extrema of `next[0..<n]` (the next row's pass 1).
    @inlinable @inline(__always)
    static func pass2<T: KernelScalar, E: ShiftedExponential>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, scale s: T?, scaledMaximum m: T,
        output: RowOutput, reload: Bool, streaming: Bool, _ exponential: E, takingExtremaOf next: UnsafePointer<T>?
    ) -> (sum: Double, maximum: T, minimum: T) where E.Scalar == T {
        let (storeExponentials, storeArguments) = pass2Stores(output: output, reload: reload, streaming: streaming)
        let target = storeExponentials || storeArguments ? y : nil
        // Two loops: this may be compiled out of line, and the loop without `next` must not test it per vector.
        guard let next else {
            return (rowSumExp(x, storingTo: target, storingArguments: storeArguments, count: n, exponential, scale: s,
                              scaledMaximum: m), -.infinity, .infinity)
        }
        return rowSumExp(x, storingTo: target, storingArguments: storeArguments, count: n, exponential, scale: s,
                         scaledMaximum: m, takingExtremaOf: next)
    }

    /// What pass 2 stores to `y`: the exponentials (softmax, reload) or `x·s − m` (log-softmax,
    /// unless streaming stores forbid writing the output before pass 3 — the same rounding either
    /// way, so the results are identical).
    @inlinable @inline(__always)
    static func pass2Stores(output: RowOutput, reload: Bool, streaming: Bool) -> (exponentials: Bool, arguments: Bool) {
        (reload && output == .probabilities, output == .logProbabilities && !streaming)
    }

    /// Pass 3 over a row or a block of one, given the row's sum `d`.
    @inlinable @inline(__always)
    static func pass3<T: KernelScalar, E: ShiftedExponential>(
        _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, scale s: T?, scaledMaximum m: T, sum d: Double,
        output: RowOutput, reload: Bool, streaming: Bool, _ exponential: E
    ) where E.Scalar == T {
        let mv = T.Vector(repeating: m), sv = s.map { T.Vector(repeating: $0) }
        let (storeExponentials, storeArguments) = pass2Stores(output: output, reload: reload, streaming: streaming)
        switch output {
        case .probabilities:
            let r = T.Vector(repeating: T(1 / d))
            if storeExponentials {
                rowMap(UnsafePointer(y), y, count: n, streaming: streaming, fill: 0) { $0 * r }
            } else {
                rowMap(x, y, count: n, streaming: streaming, fill: -.infinity) { exponential.apply($0, scale: sv, maximum: mv) * r }
            }
        case .logProbabilities:
            let logD = T.Vector(repeating: logarithm(of: d, as: T.self))
            if storeArguments {
                rowMap(UnsafePointer(y), y, count: n, streaming: false, fill: 0) { $0 - logD }
            } else {
                rowMap(x, y, count: n, streaming: streaming, fill: -.infinity) { v in (T.scaled(v, by: sv) - mv) - logD }
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

// MARK: - Blocks of a row split over threads

extension ThreePassSoftmax {
    /// The constants passes 2 and 3 need, known after pass 1 over the whole row.
    struct RowPlan<T: KernelScalar> {
        /// `nil` for T = 1.
        var scale: T?
        var scaledMaximum: T
        var compensated: Bool
        var output: RowOutput
        var reload: Bool
        var streaming: Bool
    }

    /// Pass 2 over a block of a row (`SplitRows`) or a whole row, with the exponential the whole row uses.
    static func pass2<T: KernelScalar>(block x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, plan p: RowPlan<T>) -> Double {
        pass2(dispatching: x, y, count: n, plan: p, takingExtremaOf: nil).sum
    }

    /// Pass 2 over a row that also takes the extrema of the next row `next[0..<n]` (its pass 1,
    /// as `rowExtrema`).
    static func pass2<T: KernelScalar>(
        block x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, plan p: RowPlan<T>, takingExtremaOf next: UnsafePointer<T>
    ) -> (sum: Double, maximum: T, minimum: T) {
        pass2(dispatching: x, y, count: n, plan: p, takingExtremaOf: next)
    }

    /// The row's exponential (compensated or not, temperature 1 or not) chosen once, for both entries above.
    @inline(__always)
    static func pass2<T: KernelScalar>(
        dispatching x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, plan p: RowPlan<T>,
        takingExtremaOf next: UnsafePointer<T>?
    ) -> (sum: Double, maximum: T, minimum: T) {
        switch (p.compensated, p.scale) {
        case (true, nil):
            pass2(x, y, count: n, scale: nil, scaledMaximum: p.scaledMaximum, output: p.output, reload: p.reload,
                  streaming: p.streaming, CompensatedExponential<T>(), takingExtremaOf: next)
        case let (true, s?):
            pass2(x, y, count: n, scale: s, scaledMaximum: p.scaledMaximum, output: p.output, reload: p.reload,
                  streaming: p.streaming, CompensatedExponential<T>(), takingExtremaOf: next)
        case (false, nil):
            pass2(x, y, count: n, scale: nil, scaledMaximum: p.scaledMaximum, output: p.output, reload: p.reload,
                  streaming: p.streaming, PlainExponential<T>(), takingExtremaOf: next)
        case let (false, s?):
            pass2(x, y, count: n, scale: s, scaledMaximum: p.scaledMaximum, output: p.output, reload: p.reload,
                  streaming: p.streaming, PlainExponential<T>(), takingExtremaOf: next)
        }
    }

    /// Pass 3 over a block of a row (`SplitRows`), given the whole row's sum `d`.
    static func pass3<T: KernelScalar>(block x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, plan p: RowPlan<T>, sum d: Double) {
        switch (p.compensated, p.scale) {
        case (true, nil):
            pass3(x, y, count: n, scale: nil, scaledMaximum: p.scaledMaximum, sum: d, output: p.output, reload: p.reload,
                  streaming: p.streaming, CompensatedExponential<T>())
        case let (true, s?):
            pass3(x, y, count: n, scale: s, scaledMaximum: p.scaledMaximum, sum: d, output: p.output, reload: p.reload,
                  streaming: p.streaming, CompensatedExponential<T>())
        case (false, nil):
            pass3(x, y, count: n, scale: nil, scaledMaximum: p.scaledMaximum, sum: d, output: p.output, reload: p.reload,
                  streaming: p.streaming, PlainExponential<T>())
        case let (false, s?):
            pass3(x, y, count: n, scale: s, scaledMaximum: p.scaledMaximum, sum: d, output: p.output, reload: p.reload,
                  streaming: p.streaming, PlainExponential<T>())
        }
    }
}

// MARK: - Consecutive rows, each row's pass 1 fused into the previous row's passes

extension ThreePassSoftmax {
    /// Batches above this size (per thread) fuse the next row's pass 1 into pass 2 (rows longer
    /// than a block): the next row is then not in L2, and the exponentials hide its latency.
    static let pass2FusionBytes = 1 << 20

    /// Three-pass-reload softmax or log-softmax (`output`) of rows `range` of `x` into `y`: short
    /// rows by groups (`rowGroups`, `groupsRows`), the others (and the rows left over)
    /// one by one, each row's pass 1 (its extrema) fused into a pass over the previous row, so the next row's
    /// stream overlaps work on a row already in cache instead of running alone:
    /// - rows of ≤ `blockElements` in batches larger than `pass2FusionBytes` per thread but within
    ///   `fusedPass1BatchBytes` in all (past L2, within half the L3): into pass 2, whose
    ///   exponentials hide the next row's loads (2048×1024 28.5 → 31, 4096×512 27.5 → 29 GB/s);
    /// - other rows of ≤ `blockElements`: into pass 3 (`y ← y·(1/d)`, or `y ← y − log d` over the
    ///   stored `x·s − m`), light enough that the two streams fit the core's load bandwidth (out
    ///   of cache, pass 2 then waits on the next row's loads and its own stores: 65536×1024
    ///   26.6 GB/s this way, 20.5 fused into pass 2);
    /// - longer rows in batches larger than `pass2FusionBytes`: into pass 2 (rows of 32768
    ///   measured 10–20% slower fused into pass 3; fused into pass 2, 64 of them in L3 went up by
    ///   10–15%, while 3 of them in L2 went down by 8%);
    /// - other long rows: three separate passes.
    ///
    /// The same results as `row` row by row: extrema are exact whatever the order, and
    /// `v·1 − log d`, `v·r − 0` round as `v − log d`, `v·r`.
    static func consecutiveRows<T: KernelScalar>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, rows range: Range<Int>, inverseTemperature s: T, output: RowOutput
    ) {
        let n = x.cols
        let pastL2 = range.count * n * MemoryLayout<T>.size > pass2FusionBytes
        if n > blockElements {
            consecutiveLongRows(x, y, rows: range, inverseTemperature: s, output: output, fused: pastL2)
            return
        }
        if n > alwaysGroupedRowElements, pastL2, fusesPass1IntoPass2(rows: x.rows, cols: n, as: T.self) {
            consecutiveLongRows(x, y, rows: range, inverseTemperature: s, output: output, fused: true)
            return
        }
        let rest = groupsRows(rows: range.count, cols: n, as: T.self) ? rowGroups(x, y, rows: range, inverseTemperature: s, output: output) : range.lowerBound
        guard rest < range.upperBound else { return }
        let range = rest..<range.upperBound
        var extrema = rowExtrema(x.row(rest), count: n)
        for r in range {
            let source = x.row(r), target = y.row(r)
            let m = extrema.maximum * s
            var d = Double.nan
            var plan: RowPlan<T>?
            if m.isFinite {
                plan = RowPlan(scale: s == 1 ? nil : s, scaledMaximum: m,
                               compensated: needsCompensation(range: (extrema.maximum - extrema.minimum) * s),
                               output: output, reload: true, streaming: false)
                d = pass2(block: source, target, count: n, plan: plan!)
            }
            let next = r + 1 < range.upperBound ? x.row(r + 1) : nil
            guard let plan, !d.isNaN else {
                _ = rowEdgeCase(source, target, count: n, output: output)
                if let next { extrema = rowExtrema(next, count: n) }
                continue
            }
            guard let next else {
                pass3(block: source, target, count: n, plan: plan, sum: d)
                continue
            }
            let (a, b) = output == .logProbabilities ? (T(1), logarithm(of: d, as: T.self)) : (T(1 / d), T(0))
            extrema = rowAffineTakingExtrema(target, count: n, times: T.Vector(repeating: a), minus: T.Vector(repeating: b), next: next)
        }
    }

    /// `consecutiveRows` for rows longer than a block, and for shorter ones past L2 within
    /// `fusedPass1BatchBytes`: with `fused`, each row's pass 2 takes the next row's extrema;
    /// otherwise three separate passes per row.
    static func consecutiveLongRows<T: KernelScalar>(
        _ x: RowBatch<T>, _ y: MutableRowBatch<T>, rows range: Range<Int>, inverseTemperature s: T, output: RowOutput,
        fused: Bool
    ) {
        let n = x.cols
        guard let first = range.first else { return }
        var extrema = rowExtrema(x.row(first), count: n)
        for r in range {
            let source = x.row(r), target = y.row(r)
            let next = r + 1 < range.upperBound ? x.row(r + 1) : nil
            let m = extrema.maximum * s
            var d = Double.nan
            var plan: RowPlan<T>?
            var nextTaken = false
            if m.isFinite {
                plan = RowPlan(scale: s == 1 ? nil : s, scaledMaximum: m,
                               compensated: needsCompensation(range: (extrema.maximum - extrema.minimum) * s),
                               output: output, reload: true, streaming: false)
                if fused, let next {
                    (d, extrema.maximum, extrema.minimum) = pass2(block: source, target, count: n, plan: plan!, takingExtremaOf: next)
                    nextTaken = true
                } else {
                    d = pass2(block: source, target, count: n, plan: plan!)
                }
            }
            if let plan, !d.isNaN {
                pass3(block: source, target, count: n, plan: plan, sum: d)
            } else {
                _ = rowEdgeCase(source, target, count: n, output: output)
            }
            if let next, !nextTaken { extrema = rowExtrema(next, count: n) }
        }
    }
}
