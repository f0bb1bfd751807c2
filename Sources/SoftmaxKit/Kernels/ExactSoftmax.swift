/// Exact softmax, log-softmax and logsumexp over the rows of a batch, in `Float` and `Double`
/// (and `Float16` storage with `Float` arithmetic).
///
/// ```
/// softmax(x)ᵢ     = e^{xᵢ/T} / Σⱼ e^{xⱼ/T}
/// log_softmax(x)ᵢ = xᵢ/T − logsumexp(x/T)
/// logsumexp(x)    = m + log Σⱼ e^{xⱼ − m},  m = maxⱼ xⱼ
/// ```
/// Choose the algorithm with `SoftmaxOptions.algorithm` (default: `SoftmaxAlgorithm.automatic`).
///
/// **Edge behaviour** (the edge contract): empty rows give empty outputs and `logsumexp = −∞`; a NaN anywhere
/// in a row makes the whole row NaN; `+∞` entries share the mass equally (all others 0); a row of
/// `−∞` (fully masked) gives zeros, never NaN (log-softmax `−∞`); a single finite entry gives `[1]`.
/// Masked positions (`mask[i] == false`) are never read: a NaN there does not leak.
///
/// **Accuracy** against a float64 reference (enforced by `ExactSoftmaxAccuracyTests` over Gaussian
/// rows with σ ∈ {1, 10, 100}, rows in [90, 100], rows with ×20 outliers, lengths 1 … 10⁶):
/// - Float softmax: relative error ≤ 2·10⁻⁶ on every output ≥ 10⁻³⁰ for rows up to 10⁵ elements,
///   ≤ 5·10⁻⁶ up to 10⁶; rows sum to 1 within 10⁻⁶ (5·10⁻⁶ beyond 10⁵). Outputs below
///   about 10⁻³⁸ may be flushed to 0.
/// - Float log-softmax and logsumexp: absolute error ≤ 10⁻⁶·max(1, |reference|) (near 0, logsumexp
///   is a cancellation between the maximum and log d, so the error is relative to max(1, |lse|)).
/// - Double: relative error ≤ 10⁻¹⁴ for all three.
/// The sums are accumulated in vector registers per block of 4096 elements, then in Double. On rows
/// whose scaled range exceeds 31 (Float) or 32 (Double), the rounding of `xᵢ/T − max` is
/// compensated (TwoSum, `needsCompensation`), which keeps the relative bound on outputs down to
/// 10⁻³⁰; it runs in the shadow of loads and stores (its cost: BENCHMARKS.md).
///
/// **How a batch is walked** — row by row, 16 short rows at a time, each row's first pass fused
/// into a pass over the previous row, or long rows split over threads — is one decision,
/// `SoftmaxSchedule.plan(for:)`, which also decides whether the output is written with
/// streaming stores past the last-level cache (`SoftmaxSchedule.Plan.streamingStores`);
/// `ExactSoftmax.plan(rows:cols:as:output:masked:options:)` tells which a call takes, and
/// `SoftmaxOptions.schedule` / `.streamingStores` force them. Every plan gives the same bits.
///
/// **Reference**: `SoftmaxReference` is the definition these kernels are tested against.
///
/// **In place**: `x` and `y` may be the same memory (`softmax(y.readOnly, into: y)`).
/// **Threads**: rows are split over `options.threads`; a batch of a few long rows is split by blocks
/// within each row (`SplitRows`). Results are bit-identical for any count.
public enum ExactSoftmax {
    /// `y = softmax(x/T)` row by row.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func softmax<T: KernelScalar>(
        _ x: RowBatch<T>, into y: MutableRowBatch<T>, mask: RowBatch<Bool>? = nil, options: SoftmaxOptions = SoftmaxOptions()
    ) throws {
        try checkOutput(y, matches: x)
        try run(x, y: y, mask: mask, options: options, output: .probabilities, sink: TypedSink<T>.none)
    }

    /// `y = log_softmax(x/T)` row by row.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func logSoftmax<T: KernelScalar>(
        _ x: RowBatch<T>, into y: MutableRowBatch<T>, mask: RowBatch<Bool>? = nil, options: SoftmaxOptions = SoftmaxOptions()
    ) throws {
        try checkOutput(y, matches: x)
        try run(x, y: y, mask: mask, options: options, output: .logProbabilities, sink: TypedSink<T>.none)
    }

    /// `lse[r] = logsumexp(x[r]/T)` for every row.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func logSumExp<T: KernelScalar>(
        _ x: RowBatch<T>, into lse: UnsafeMutableBufferPointer<T>, mask: RowBatch<Bool>? = nil, options: SoftmaxOptions = SoftmaxOptions()
    ) throws {
        try checkCount(lse.count, rows: x.rows, argument: "logsumexp output")
        try run(x, y: nil, mask: mask, options: options, output: .nothing, sink: .logSumExp(lse.baseAddress ?? placeholderPointer()))
    }

    /// Online softmax: writes `y` (when given) and each row's state `(m, d)`, with
    /// `m = max xᵢ/T` and `d = Σ e^{xᵢ/T − m}`. Always uses `SoftmaxAlgorithm.online`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func onlineSoftmax<T: KernelScalar>(
        _ x: RowBatch<T>, into y: MutableRowBatch<T>?, states: UnsafeMutableBufferPointer<SoftmaxState>,
        mask: RowBatch<Bool>? = nil, options: SoftmaxOptions = SoftmaxOptions()
    ) throws {
        if let y { try checkOutput(y, matches: x) }
        try checkCount(states.count, rows: x.rows, argument: "state output")
        var o = options
        o.algorithm = .online
        try run(
            x, y: y, mask: mask, options: o, output: y == nil ? .nothing : .probabilities,
            sink: .online(states.baseAddress ?? placeholderPointer()))
    }

    /// Two-pass softmax: writes `y` (when given) and each row's extended sum
    /// `(M, N)` with `Σ e^{xᵢ/T} = M·2^N`. Always uses `SoftmaxAlgorithm.twoPass`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func twoPassSoftmax<T: KernelScalar>(
        _ x: RowBatch<T>, into y: MutableRowBatch<T>?, sums: UnsafeMutableBufferPointer<ExtendedSum>,
        mask: RowBatch<Bool>? = nil, options: SoftmaxOptions = SoftmaxOptions()
    ) throws {
        if let y { try checkOutput(y, matches: x) }
        try checkCount(sums.count, rows: x.rows, argument: "extended-sum output")
        var o = options
        o.algorithm = .twoPass
        try run(
            x, y: y, mask: mask, options: o, output: y == nil ? .nothing : .probabilities,
            sink: .twoPass(sums.baseAddress ?? placeholderPointer()))
    }

    // MARK: - Float16 storage

    /// `y = softmax(x/T)` for half-precision storage; arithmetic is Float, one rounding to
    /// Float16 at the end (error ≤ 1 Float16 ULP plus the Float bounds).
    public static func softmax(
        _ x: RowBatch<Float16>, into y: MutableRowBatch<Float16>, mask: RowBatch<Bool>? = nil, options: SoftmaxOptions = SoftmaxOptions()
    ) throws {
        try checkOutput(y, matches: x)
        try runHalf(x, y: y, mask: mask, options: options, output: .probabilities)
    }

    /// `y = log_softmax(x/T)` for half-precision storage (Float arithmetic).
    public static func logSoftmax(
        _ x: RowBatch<Float16>, into y: MutableRowBatch<Float16>, mask: RowBatch<Bool>? = nil, options: SoftmaxOptions = SoftmaxOptions()
    ) throws {
        try checkOutput(y, matches: x)
        try runHalf(x, y: y, mask: mask, options: options, output: .logProbabilities)
    }
}

// MARK: - Driver

extension ExactSoftmax {
    /// Where per-row statistics go.
    @usableFromInline
    enum TypedSink<T: KernelScalar>: @unchecked Sendable {
        case none
        case logSumExp(UnsafeMutablePointer<T>)
        case online(UnsafeMutablePointer<SoftmaxState>)
        case twoPass(UnsafeMutablePointer<ExtendedSum>)
    }

    static func checkOutput<T>(_ y: MutableRowBatch<T>, matches x: RowBatch<T>) throws {
        guard y.rows == x.rows, y.cols == x.cols else {
            throw SoftmaxError.shapeMismatch(argument: "output", expected: "\(x.rows)×\(x.cols)", actual: "\(y.rows)×\(y.cols)")
        }
    }

    static func checkCount(_ count: Int, rows: Int, argument: String) throws {
        guard count == rows else {
            throw SoftmaxError.shapeMismatch(argument: argument, expected: "\(rows) rows", actual: "\(count)")
        }
    }

    static func checkMask<T>(_ mask: RowBatch<Bool>?, matches x: RowBatch<T>) throws {
        if let mask, mask.rows != x.rows || mask.cols != x.cols {
            throw SoftmaxError.shapeMismatch(argument: "mask", expected: "\(x.rows)×\(x.cols)", actual: "\(mask.rows)×\(mask.cols)")
        }
    }

    /// Validates the temperature and thread count; returns `1/T` in `T`.
    static func inverseTemperature<T: KernelScalar>(_ options: SoftmaxOptions, as: T.Type) throws -> T {
        let t = options.temperature
        let inverse = T(1 / t)
        guard t.isFinite, t > 0, inverse.isFinite, inverse > 0 else { throw SoftmaxError.invalidTemperature(t) }
        if let n = options.threads, n < 1 { throw SoftmaxError.invalidThreadCount(n) }
        return inverse
    }

    /// The schedule and thread count a call on `rows × cols` elements of `T` takes
    /// (`SoftmaxSchedule.plan(for:)`, or `options.schedule` when it can compute the call).
    public static func plan<T: KernelScalar>(
        rows: Int, cols: Int, as _: T.Type, output: SoftmaxSchedule.Problem.Output = .probabilities, masked: Bool = false,
        options: SoftmaxOptions = SoftmaxOptions()
    ) throws -> SoftmaxSchedule.Plan {
        if let n = options.threads, n < 1 { throw SoftmaxError.invalidThreadCount(n) }
        let problem = SoftmaxSchedule.Problem(
            rows: rows, cols: cols, elementBytes: MemoryLayout<T>.size, threads: options.threads ?? RowParallel.defaultThreads,
            algorithm: options.algorithm ?? .automatic(rows: rows, cols: cols), output: output, masked: masked,
            streamingStores: options.streamingStores)
        guard let forced = options.schedule else { return SoftmaxSchedule.plan(for: problem) }
        guard let plan = SoftmaxSchedule.plan(for: problem, forcing: forced) else {
            throw SoftmaxError.scheduleNotApplicable(forced, reason: forced.requirement)
        }
        return plan
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func run<T: KernelScalar>(
        _ x: RowBatch<T>, y: MutableRowBatch<T>?, mask: RowBatch<Bool>?, options: SoftmaxOptions,
        output: RowOutput, sink: TypedSink<T>
    ) throws {
        try checkMask(mask, matches: x)
        let s = try inverseTemperature(options, as: T.self)
        let kind: SoftmaxSchedule.Problem.Output =
            switch (sink, output) {
            case (.online, _), (.twoPass, _): .rowState
            case (_, .nothing): .logSumExp
            case (_, .probabilities): .probabilities
            case (_, .logProbabilities): .logProbabilities
            }
        let plan = try plan(rows: x.rows, cols: x.cols, as: T.self, output: kind, masked: mask != nil, options: options)
        let algorithm = options.algorithm ?? .automatic(rows: x.rows, cols: x.cols)
        let streaming = plan.streamingStores
        switch plan.schedule {
        case .splitRows:
            let lse: UnsafeMutablePointer<T>? = if case let .logSumExp(p) = sink { p } else { nil }
            SplitRows.run(
                x, y: y, mask: mask, inverseTemperature: s, threads: plan.threads, reload: algorithm == .threePassReload,
                output: output, streaming: streaming, logSumExp: lse)
        case .groupedRows, .groupedRowsFusedPass1, .rowsFusedPass3, .rowsFusedPass2:
            guard let y else { preconditionFailure("the consecutive schedules compute rows: SoftmaxSchedule.isPlain") }
            RowParallel.forEachChunk(rows: x.rows, threads: plan.threads) { range in
                ThreePassSoftmax.consecutiveRows(
                    x, y, rows: range, inverseTemperature: s, output: output, schedule: plan.schedule, streaming: streaming)
            }
        case .perRow:
            perRow(
                x, y: y, mask: mask, inverseTemperature: s, threads: plan.threads, algorithm: algorithm, output: output,
                streaming: streaming, sink: sink)
        }
    }

    /// `SoftmaxSchedule.perRow`: each row on its own, by any algorithm, with a mask and any sink.
    @inline(__always)
    static func perRow<T: KernelScalar>(
        _ x: RowBatch<T>, y: MutableRowBatch<T>?, mask: RowBatch<Bool>?, inverseTemperature s: T, threads: Int,
        algorithm: SoftmaxAlgorithm, output: RowOutput, streaming: Bool, sink: TypedSink<T>
    ) {
        let cols = x.cols
        RowParallel.forEachChunk(rows: x.rows, threads: threads) { range in
            // A scratch row for masked inputs whose output row cannot hold the masked copy.
            let scratch = mask != nil && y == nil ? UnsafeMutablePointer<T>.allocate(capacity: max(cols, 1)) : nil
            defer { scratch?.deallocate() }
            for r in range {
                // Without an output row, nothing is written: the input row stands in (read-only use).
                let target = y?.row(r) ?? scratch ?? UnsafeMutablePointer(mutating: x.row(r))
                var source = x.row(r)
                if let mask {
                    applyMask(x.row(r), mask.row(r), into: target, count: cols)
                    source = UnsafePointer(target)
                }
                let rowOutput = y == nil ? RowOutput.nothing : output
                let statistics = computeRow(
                    algorithm, source, target, count: cols, inverseTemperature: s,
                    output: rowOutput, streaming: streaming, sink: sink, row: r)
                if case let .logSumExp(p) = sink { p[r] = T(statistics.logSumExp) }
            }
        }
    }

    /// `target[i] = mask[i] ? x[i] : −∞`; `x[i]` is not read where the mask is false.
    @inline(__always)
    static func applyMask<T: KernelScalar>(_ x: UnsafePointer<T>, _ mask: UnsafePointer<Bool>, into target: UnsafeMutablePointer<T>, count n: Int) {
        for i in 0..<n { target[i] = mask[i] ? x[i] : -.infinity }
    }

    @inline(__always)
    static func computeRow<T: KernelScalar>(
        _ algorithm: SoftmaxAlgorithm, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int,
        inverseTemperature s: T, output: RowOutput, streaming: Bool, sink: TypedSink<T>, row r: Int
    ) -> RowStatistics {
        switch algorithm {
        case .threePassReload:
            return ThreePassSoftmax.row(x, y, count: n, inverseTemperature: s, output: output, reload: true, streaming: streaming)
        case .threePassRecompute:
            return ThreePassSoftmax.row(x, y, count: n, inverseTemperature: s, output: output, reload: false, streaming: streaming)
        case .online:
            var state = SoftmaxState()
            let statistics = OnlineSoftmax.row(x, y, count: n, inverseTemperature: s, output: output, streaming: streaming, state: &state)
            if case let .online(p) = sink { p[r] = state }
            return statistics
        case .twoPass:
            var state = ExtendedSum()
            let statistics = TwoPassSoftmax.row(x, y, count: n, inverseTemperature: s, output: output, streaming: streaming, state: &state)
            if case let .twoPass(p) = sink { p[r] = state }
            return statistics
        }
    }

    static func runHalf(
        _ x: RowBatch<Float16>, y: MutableRowBatch<Float16>, mask: RowBatch<Bool>?, options: SoftmaxOptions, output: RowOutput
    ) throws {
        try checkMask(mask, matches: x)
        let s = try inverseTemperature(options, as: Float.self)
        // Half-precision rows go through a Float scratch row one at a time: `perRow` only.
        if let forced = options.schedule, forced != .perRow {
            throw SoftmaxError.scheduleNotApplicable(forced, reason: "Float16 storage is computed per row")
        }
        let threads = RowParallel.threadCount(rows: x.rows, cols: x.cols, requested: options.threads)
        let algorithm = options.algorithm ?? .automatic(rows: x.rows, cols: x.cols)
        let cols = x.cols
        RowParallel.forEachChunk(rows: x.rows, threads: threads) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(cols, 1))
            defer { scratch.deallocate() }
            for r in range {
                let source = x.row(r), keep = mask?.row(r)
                for i in 0..<cols { scratch[i] = keep?[i] ?? true ? Float(source[i]) : -.infinity }
                _ = computeRow(
                    algorithm, UnsafePointer(scratch), scratch, count: cols, inverseTemperature: s,
                    output: output, streaming: false, sink: TypedSink<Float>.none, row: r)
                let target = y.row(r)
                for i in 0..<cols { target[i] = Float16(scratch[i]) }
            }
        }
    }
}
