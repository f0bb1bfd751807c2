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
    /// Whether the last pass writes with non-temporal (cache-bypassing) stores. Off by default: on
    /// the machines we measured they made three-pass-reload slower out of cache (its last pass
    /// re-reads y from cache) and did not speed up the compute-bound algorithms (BENCHMARKS.md).
    /// Worth trying when the output is huge and read much later.
    public var streamingStores: Bool
    /// How the batch is walked, or nil for `SoftmaxSchedule.plan(for:)`'s choice. Every schedule
    /// computes the same bits; forcing one is for tests and benchmarks. A schedule that cannot
    /// compute the call (`SoftmaxSchedule.plan(for:forcing:)`) is an error.
    public var schedule: SoftmaxSchedule?

    /// Options; the defaults are the automatic algorithm, T = 1, all active cores, plain stores.
    public init(
        algorithm: SoftmaxAlgorithm? = nil, temperature: Double = 1, threads: Int? = nil, streamingStores: Bool = false,
        schedule: SoftmaxSchedule? = nil
    ) {
        self.algorithm = algorithm
        self.temperature = temperature
        self.threads = threads
        self.streamingStores = streamingStores
        self.schedule = schedule
    }
}
