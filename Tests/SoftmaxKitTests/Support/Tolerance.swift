import SoftmaxKit

/// The accuracy budget of the exact kernels, per precision and row length (see `ExactSoftmax`).
struct ExactTolerance {
    var softmaxRelative: Double
    var rowSum: Double
    var logSoftmaxAbsolute: Double  // times max(1, |reference|)
    /// Relative to max(1, |reference|): near 0, logsumexp is a cancellation of m and log d.
    var logSumExpRelative: Double
    /// Outputs below this are exempt from the relative bound (they may be flushed).
    var smallestChecked: Double

    static func of<T: KernelScalar>(_: T.Type, length n: Int) -> ExactTolerance {
        if T.self == Double.self {
            return ExactTolerance(
                softmaxRelative: 1e-14, rowSum: 1e-14, logSoftmaxAbsolute: 1e-14,
                logSumExpRelative: 1e-14, smallestChecked: 1e-300)
        }
        return n <= 100_000
            ? ExactTolerance(softmaxRelative: 2e-6, rowSum: 1e-6, logSoftmaxAbsolute: 1e-6, logSumExpRelative: 1e-6, smallestChecked: 1e-30)
            : ExactTolerance(softmaxRelative: 5e-6, rowSum: 5e-6, logSoftmaxAbsolute: 1e-6, logSumExpRelative: 1e-6, smallestChecked: 1e-30)
    }
}
