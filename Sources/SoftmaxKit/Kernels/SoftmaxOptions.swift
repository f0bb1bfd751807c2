/// Options shared by every exact kernel.
public struct SoftmaxOptions: Sendable {
    /// The algorithm, or nil for `SoftmaxAlgorithm.automatic(rows:cols:)`.
    public var algorithm: SoftmaxAlgorithm?
    /// Temperature `T`: the kernels compute on `x/T`. Must be finite and > 0, and `1/T` finite in
    /// the compute precision.
    public var temperature: Double
    /// Threads to split rows over; nil means the machine's active cores. Small batches
    /// (fewer than `RowParallel.minimumElementsPerThread` elements per thread) use fewer threads.
    /// Results are bit-identical whatever the count.
    public var threads: Int?
    /// Whether the last pass writes with non-temporal (cache-bypassing) stores; nil (the default)
    /// lets the plan decide: on x86, a plain softmax or log-softmax whose batch is larger than the
    /// last-level cache streams its output where that was measured faster (on Intel CPUs; on AMD
    /// with two threads or more and rows of 129–4096), through a scratch row that stays in cache
    /// (`SoftmaxSchedule.streams(_:_:threads:_:)`). `true` forces them on any schedule (on the per-row
    /// and split schedules they write over lines pass 2 left in cache, which is slower out of
    /// cache: BENCHMARKS.md, "Streaming stores"); `false` never uses them. Bits never change.
    public var streamingStores: Bool?
    /// How the batch is walked, or nil for `SoftmaxSchedule.plan(for:)`'s choice. Every schedule
    /// computes the same bits; forcing one is for tests and benchmarks. A schedule that cannot
    /// compute the call (`SoftmaxSchedule.plan(for:forcing:)`) is an error.
    public var schedule: SoftmaxSchedule?

    /// Options; the defaults are the automatic algorithm, T = 1, all active cores, stores and
    /// schedule as planned.
    public init(
        algorithm: SoftmaxAlgorithm? = nil, temperature: Double = 1, threads: Int? = nil, streamingStores: Bool? = nil,
        schedule: SoftmaxSchedule? = nil
    ) {
        self.algorithm = algorithm
        self.temperature = temperature
        self.threads = threads
        self.streamingStores = streamingStores
        self.schedule = schedule
    }
}
