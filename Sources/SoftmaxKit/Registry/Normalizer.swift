/// The normalizer role: score rows → weight rows, with an optional boolean keep-mask.
///
/// Benchmarks and the lab drive every normalizer through this one call shape. `threads` is the
/// number of threads to split rows over (nil: the machine's active cores).
public protocol Normalizer: Sendable {
    func normalize(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, mask: RowBatch<Bool>?, threads: Int?) throws
    func normalize(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, mask: RowBatch<Bool>?, threads: Int?) throws
}
