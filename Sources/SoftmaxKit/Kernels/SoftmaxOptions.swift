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
    /// Whether outputs are written with non-temporal (cache-bypassing) stores. nil: automatically,
    /// when the output is larger than `streamingThresholdBytes` (it will not be in cache when read).
    public var streamingStores: Bool?

    /// Output size above which streaming stores are used automatically (16 MiB: half the L3 of the
    /// machines we measured).
    public static let streamingThresholdBytes = 16 << 20

    public init(algorithm: SoftmaxAlgorithm? = nil, temperature: Double = 1, threads: Int? = nil, streamingStores: Bool? = nil) {
        self.algorithm = algorithm
        self.temperature = temperature
        self.threads = threads
        self.streamingStores = streamingStores
    }
}
