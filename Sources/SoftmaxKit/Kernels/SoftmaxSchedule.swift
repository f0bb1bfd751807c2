/// How `ExactSoftmax` walks a batch: which rows are computed together, and which of a row's
/// passes share one sweep over memory. Every schedule computes the same bits (each element goes
/// through the same arithmetic, and each row's sum is added in the same order); they differ only
/// in speed, so the choice is made by one pure function, `SoftmaxSchedule.plan(for:)`, from the
/// batch's shape and the thresholds in `SoftmaxScheduleThresholds`.
///
/// Why so many: a row of 128 floats is 8 vectors, and its three horizontal reductions and the
/// scalar work between passes cost as much as its exponentials, so short rows go 16 at a time; a
/// batch past L2 leaves each row's first pass waiting on memory unless it rides on a pass over a
/// row already in cache; a few long rows leave threads idle unless each row is cut into blocks.
/// The measurements behind each rule are in BENCHMARKS.md ("Exact softmax: the schedules").
///
/// Force one with `SoftmaxOptions.schedule` (tests, benchmarks); `softmaxkit bench --json`
/// reports the one taken.
public enum SoftmaxSchedule: String, CaseIterable, Sendable, Codable {
    /// Each row's passes on their own, one row at a time: the general path (masks, logsumexp and
    /// state outputs, every algorithm, streaming stores), and long rows in L2.
    case perRow = "per-row"
    /// A few long rows: each row cut into blocks of `blockElements`, every thread taking an equal
    /// share of all blocks through the three passes, with a barrier between passes (`SplitRows`).
    /// Three-pass algorithms only.
    case splitRows = "split-rows"
    /// Short rows `T.lanes` at a time (`ThreePassSoftmax.rowGroups`): pass 1 over the group, the
    /// group's maxima in one transposed reduction, pass 2, the sums in one, pass 3. The rows left
    /// over (fewer than a group) as `rowsFusedPass3`. Rows of at most `blockElements`.
    case groupedRows = "grouped-rows"
    /// `groupedRows` with each group's pass 1 taken during the previous group's pass 2, whose
    /// exponentials hide its loads.
    case groupedRowsFusedPass1 = "grouped-rows-fused-pass1"
    /// Rows in sequence, each row's pass 1 taken during the previous row's pass 3 (a light pass:
    /// the two streams fit the core's load bandwidth).
    case rowsFusedPass3 = "rows-fused-pass3"
    /// Rows in sequence, each row's pass 1 taken during the previous row's pass 2.
    case rowsFusedPass2 = "rows-fused-pass2"

    /// What the schedule needs of a call (`plan(for:forcing:)`), for error messages.
    public var requirement: String {
        switch self {
        case .perRow: "none"
        case .splitRows: "it needs a three-pass algorithm and rows or logsumexp out (not the online or two-pass state)"
        case .groupedRows, .groupedRowsFusedPass1:
            "it needs the unmasked three-pass-reload softmax or log-softmax on rows of at most \(blockElements) elements"
        case .rowsFusedPass3, .rowsFusedPass2: "it needs the unmasked three-pass-reload softmax or log-softmax"
        }
    }

    /// Whether the schedule walks rows in sequence with fused passes (`ThreePassSoftmax.consecutiveRows`).
    var isConsecutive: Bool {
        switch self {
        case .groupedRows, .groupedRowsFusedPass1, .rowsFusedPass3, .rowsFusedPass2: true
        case .perRow, .splitRows: false
        }
    }
}

/// The thresholds of `SoftmaxSchedule.plan(for:)`, in one place. `plan(for:)` takes them from
/// this machine's caches (`machine`, `init(caches:)`); the fixed defaults were measured on
/// the AVX-512 and AVX2 machines in BENCHMARKS.md (1–2 MiB of L2 per core, 32 MiB of L3); they
/// are sizes in bytes of the input, `rows × cols × MemoryLayout<T>.size`.
///
/// | threshold | default | rule |
/// |---|---|---|
/// | `l2BatchBytes` | 1 MiB | a thread's share of the batch above this is "past L2" |
/// | `fusedPass1BatchBytes` | 8 MiB | the whole batch at most this (input and output within half the L3): pass 1 may ride on pass 2 |
/// | `alwaysGroupedRowElements` | 128 | rows up to this are grouped at every batch size |
/// | `groupedRowElements` | 1024 | rows up to this are grouped while a thread's share is in L2 |
/// | `streamingOutputBytes` | never | a batch larger than this writes its output with streaming stores, on `streamingSchedules` with at least `streamingMinimumThreads` threads (x86: the L3's size) |
///
/// Three more rules enter the decision but belong elsewhere, shared with other methods or part of
/// the arithmetic: `blockElements` (4096, the block each row's sum is accumulated by: rows longer
/// than one are "long", and a split needs two), `RowParallel.minimumElementsPerThread` (the
/// smallest share worth a thread) and `RowParallel.blockThreads` (when a few long rows are split:
/// when whole rows would leave the busiest thread over 10% above its share).
public struct SoftmaxScheduleThresholds: Sendable, Equatable {
    /// A thread's share of the batch above this many bytes is "past L2".
    public var l2BatchBytes: Int
    /// Batches of at most this many bytes may ride pass 1 on pass 2.
    public var fusedPass1BatchBytes: Int
    /// Rows of at most this many elements are grouped at every batch size.
    public var alwaysGroupedRowElements: Int
    /// Rows of at most this many elements are grouped while a thread's share is in L2.
    public var groupedRowElements: Int
    /// A batch of more than this many bytes (its output is as large) cannot stay in the
    /// last-level cache for whoever reads it next: the schedules in `streamingSchedules`, run on
    /// at least `streamingMinimumThreads` threads, then write it with streaming stores
    /// (`SoftmaxSchedule.Plan.streamingStores`). `Int.max` (never) where they were not measured
    /// faster (`init(caches:features:)`).
    public var streamingOutputBytes: Int
    /// The consecutive schedules that stream a batch past `streamingOutputBytes`.
    public var streamingSchedules: Set<SoftmaxSchedule>
    /// The fewest threads with which they do.
    public var streamingMinimumThreads: Int
    /// Thresholds, by default the measured ones.
    public init(
        l2BatchBytes: Int = 1 << 20, fusedPass1BatchBytes: Int = 8 << 20, alwaysGroupedRowElements: Int = 128,
        groupedRowElements: Int = 1024, streamingOutputBytes: Int = .max,
        streamingSchedules: Set<SoftmaxSchedule> = [], streamingMinimumThreads: Int = 1
    ) {
        self.l2BatchBytes = l2BatchBytes
        self.fusedPass1BatchBytes = fusedPass1BatchBytes
        self.alwaysGroupedRowElements = alwaysGroupedRowElements
        self.groupedRowElements = groupedRowElements
        self.streamingOutputBytes = streamingOutputBytes
        self.streamingSchedules = streamingSchedules
        self.streamingMinimumThreads = streamingMinimumThreads
    }

    /// The measured defaults.
    public static let standard = SoftmaxScheduleThresholds()

    /// The thresholds for a machine with these caches: "past L2" is a thread's share of the input
    /// beyond the L2 (its output is as large again, so the pair no longer fits), and pass 1
    /// may ride on pass 2 while the input is at most a quarter of the last-level cache (input and
    /// output within half of it). Both are clamped to sizes the rules were measured between
    /// (256 KiB … 4 MiB of L2, 1 … 64 MiB for the batch); the element-count rules do not depend on
    /// the caches. Outputs past the last-level cache stream on x86 only, as measured there:
    /// - Intel: every consecutive schedule, at any thread count (a plain store reads each output
    ///   line first; the hand-written C reference with streaming stores was faster than its plain
    ///   version out of cache on every row length, one thread);
    /// - other x86 (AMD Zen 4): `rowsFusedPass3` on two threads or more, the one case faster
    ///   there; on one thread, and for the grouped and pass-2 schedules, streaming stores were
    ///   slower or no faster (the same in the C reference): a core alone is limited by its own
    ///   misses, not by the bus that streaming stores relieve.
    /// BENCHMARKS.md, "Streaming stores". The 1 MiB L2 and 32 MiB L3 of `CacheSizes.assumed` on
    /// a CPU other than x86 give `standard`.
    public init(caches: CacheSizes, features: CPUFeatures = .current) {
        let l3 = caches.l3 > 0 ? caches.l3 : 4 * caches.l2
        let x86 = !features.vendor.isEmpty, intel = features.vendor == "GenuineIntel"
        self.init(
            l2BatchBytes: min(max(caches.l2, 256 << 10), 4 << 20), fusedPass1BatchBytes: min(max(l3 / 4, 1 << 20), 64 << 20),
            streamingOutputBytes: x86 ? max(l3, 1 << 20) : .max,
            streamingSchedules: intel ? [.groupedRows, .groupedRowsFusedPass1, .rowsFusedPass3, .rowsFusedPass2] : x86 ? [.rowsFusedPass3] : [],
            streamingMinimumThreads: intel || !x86 ? 1 : 2)
    }

    /// The thresholds for this machine's caches and CPU (`CacheSizes.current`,
    /// `CPUFeatures.current`): what `plan(for:)` uses.
    public static let machine = SoftmaxScheduleThresholds(caches: .current)
}

extension SoftmaxSchedule {
    /// What the choice of a schedule depends on: the batch's shape and element size, the threads
    /// available, and what the call asks for.
    public struct Problem: Sendable, Equatable {
        /// The rows of the batch.
        public var rows: Int
        /// The elements per row.
        public var cols: Int
        /// `MemoryLayout<T>.size` of the element type the kernels compute in (4 or 8).
        public var elementBytes: Int
        /// The threads the call may use (`SoftmaxOptions.threads`, or the machine's active cores).
        public var threads: Int
        /// The exact algorithm asked for.
        public var algorithm: SoftmaxAlgorithm
        /// What the call computes.
        public var output: Output
        /// Whether a keep-mask is given.
        public var masked: Bool
        /// Whether the last pass writes with non-temporal stores: nil lets `plan(for:)` decide.
        public var streamingStores: Bool?

        /// What a call computes: rows of probabilities or log-probabilities, each row's logsumexp
        /// alone, or rows with per-row state (the online `(m, d)` or the two-pass `(M, N)`).
        public enum Output: Sendable, Equatable {
            case probabilities, logProbabilities, logSumExp, rowState
        }

        /// A problem; the defaults are a plain float softmax without mask, streaming stores decided
        /// by the plan.
        public init(
            rows: Int, cols: Int, elementBytes: Int, threads: Int, algorithm: SoftmaxAlgorithm = .threePassReload,
            output: Output = .probabilities, masked: Bool = false, streamingStores: Bool? = nil
        ) {
            self.rows = rows
            self.cols = cols
            self.elementBytes = elementBytes
            self.threads = threads
            self.algorithm = algorithm
            self.output = output
            self.masked = masked
            self.streamingStores = streamingStores
        }
    }

    /// A schedule, the number of threads it runs on, and how it writes its output.
    public struct Plan: Sendable, Equatable {
        /// How the batch is walked.
        public var schedule: SoftmaxSchedule
        /// The threads it runs on.
        public var threads: Int
        /// Whether the output is written with non-temporal (cache-bypassing) stores. The
        /// consecutive schedules then keep each row's (or group's) pass-2 values in a scratch
        /// buffer that stays in cache and write the output once, never reading it: no line of
        /// the output is fetched before it is overwritten (`streams(_:_:threads:_:)`).
        public var streamingStores: Bool

        /// A plan.
        public init(schedule: SoftmaxSchedule, threads: Int, streamingStores: Bool = false) {
            self.schedule = schedule
            self.threads = threads
            self.streamingStores = streamingStores
        }
    }

    /// The schedule `ExactSoftmax` takes for `problem`, in order of precedence:
    /// 1. a few long rows that whole rows per thread would share out badly: `splitRows`;
    /// 2. anything but the plain softmax or log-softmax (a mask, another algorithm, a statistics
    ///    output): `perRow`;
    /// 3. rows longer than a block: `rowsFusedPass2` past L2, `perRow` within it;
    /// 4. rows longer than `alwaysGroupedRowElements` (and at most a block) past L2, in a batch of
    ///    at most `fusedPass1BatchBytes`: `rowsFusedPass2`;
    /// 5. short rows (up to `alwaysGroupedRowElements`, or up to `groupedRowElements` within L2):
    ///    `groupedRowsFusedPass1` in a batch of at most `fusedPass1BatchBytes`, else `groupedRows`;
    /// 6. otherwise: `rowsFusedPass3`.
    /// "Past L2" is judged on the largest thread's share of the rows. Streaming stores:
    /// `streams(_:_:threads:_:)`.
    public static func plan(for p: Problem, thresholds t: SoftmaxScheduleThresholds = .machine) -> Plan {
        if let split = splitThreads(p) { return Plan(schedule: .splitRows, threads: split, streamingStores: p.streamingStores ?? false) }
        let threads = RowParallel.threadCount(rows: p.rows, cols: p.cols, requested: p.threads)
        guard isPlain(p) else { return Plan(schedule: .perRow, threads: threads, streamingStores: p.streamingStores ?? false) }
        let rowsPerThread = (p.rows + threads - 1) / threads
        let pastL2 = bytes(rowsPerThread, p) > t.l2BatchBytes
        let fitsFusedPass1 = bytes(p.rows, p) <= t.fusedPass1BatchBytes
        let schedule: SoftmaxSchedule
        if p.cols > blockElements {
            schedule = pastL2 ? .rowsFusedPass2 : .perRow
        } else if p.cols > t.alwaysGroupedRowElements, pastL2, fitsFusedPass1 {
            schedule = .rowsFusedPass2
        } else if p.cols <= t.alwaysGroupedRowElements || (p.cols <= t.groupedRowElements && !pastL2) {
            schedule = fitsFusedPass1 ? .groupedRowsFusedPass1 : .groupedRows
        } else {
            schedule = .rowsFusedPass3
        }
        return Plan(schedule: schedule, threads: threads, streamingStores: streams(p, schedule, threads: threads, t))
    }

    /// Whether `schedule` on `threads` threads writes `p`'s output with streaming stores: as
    /// `p.streamingStores` says when it says; else when the schedule is one of
    /// `streamingSchedules`, the threads at least `streamingMinimumThreads`, the batch larger
    /// than `streamingOutputBytes` (its output will not be in cache for the next reader anyway)
    /// and the scratch buffer — a row, or a group of `lanes` rows for the grouped schedules —
    /// fits in half the L2 beside the rows in flight.
    ///
    /// Why: a plain store first reads the line it writes (read-for-ownership), so a batch out of
    /// cache moves 12 bytes per float (read x, read y, write y) where streaming stores move 8.
    /// Written in place, the output's lines would be in cache when streamed over and must be
    /// evicted first — slower than plain stores — hence the scratch (BENCHMARKS.md, "Streaming
    /// stores").
    public static func streams(_ p: Problem, _ schedule: SoftmaxSchedule, threads: Int, _ t: SoftmaxScheduleThresholds) -> Bool {
        if let forced = p.streamingStores { return forced }
        // The size first: every call asks, and only batches past the L3 need the set looked up.
        guard bytes(p.rows, p) > t.streamingOutputBytes, threads >= t.streamingMinimumThreads,
            t.streamingSchedules.contains(schedule)
        else { return false }
        let scratchRows = schedule == .groupedRows || schedule == .groupedRowsFusedPass1 ? 64 / p.elementBytes : 1
        return bytes(scratchRows, p) <= t.l2BatchBytes / 2
    }

    /// The plan with `schedule` forced, or nil where it cannot compute `problem`: `splitRows`
    /// needs a three-pass algorithm and rows (not state) out; the consecutive schedules need the
    /// plain three-pass-reload softmax or log-softmax; the grouped ones rows of at most
    /// `blockElements`.
    public static func plan(
        for p: Problem, forcing schedule: SoftmaxSchedule, thresholds: SoftmaxScheduleThresholds = .machine
    ) -> Plan? {
        let threads = RowParallel.threadCount(rows: p.rows, cols: p.cols, requested: p.threads)
        switch schedule {
        case .perRow:
            return Plan(schedule: .perRow, threads: threads, streamingStores: p.streamingStores ?? false)
        case .splitRows:
            guard p.algorithm == .threePassReload || p.algorithm == .threePassRecompute, p.output != .rowState else { return nil }
            return Plan(schedule: .splitRows, threads: splitThreads(p) ?? threads, streamingStores: p.streamingStores ?? false)
        case .groupedRows, .groupedRowsFusedPass1:
            guard isPlain(p), p.cols <= blockElements else { return nil }
            return Plan(schedule: schedule, threads: threads, streamingStores: streams(p, schedule, threads: threads, thresholds))
        case .rowsFusedPass3, .rowsFusedPass2:
            guard isPlain(p) else { return nil }
            return Plan(schedule: schedule, threads: threads, streamingStores: streams(p, schedule, threads: threads, thresholds))
        }
    }

    /// The input bytes of `rows` rows, saturating (a query about an impossible shape is no trap).
    static func bytes(_ rows: Int, _ p: Problem) -> Int {
        saturatingProduct(saturatingProduct(rows, p.cols), p.elementBytes)
    }

    /// The plain softmax or log-softmax: what the consecutive schedules compute.
    static func isPlain(_ p: Problem) -> Bool {
        p.algorithm == .threePassReload && !p.masked
            && (p.output == .probabilities || p.output == .logProbabilities)
    }

    /// The number of threads to split the rows over by blocks (`RowParallel.blockThreads`: rows
    /// spanning two blocks or more, and whole rows per thread leaving the busiest one over 10%
    /// above its share), or nil.
    static func splitThreads(_ p: Problem) -> Int? {
        guard p.algorithm == .threePassReload || p.algorithm == .threePassRecompute, p.output != .rowState else { return nil }
        return RowParallel.blockThreads(rows: p.rows, cols: p.cols, requested: p.threads)
    }
}
