/// The normalizer role: score rows → weight rows, with an optional boolean keep-mask.
///
/// Benchmarks and the lab drive every normalizer through this one call shape. `threads` is the
/// number of threads to split rows over (nil: the machine's active cores).
public protocol Normalizer: Sendable {
    func normalize(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, mask: RowBatch<Bool>?, threads: Int?) throws
    func normalize(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, mask: RowBatch<Bool>?, threads: Int?) throws
}

/// A normalizer computed by the exact kernels, which walk a batch by one of several schedules
/// (`SoftmaxSchedule`): it says which one a float32 batch of `rows × cols` takes, so that a
/// benchmark can report it.
public protocol ScheduledNormalizer: Normalizer {
    func schedule(rows: Int, cols: Int, threads: Int?) throws -> SoftmaxSchedule.Plan
}
