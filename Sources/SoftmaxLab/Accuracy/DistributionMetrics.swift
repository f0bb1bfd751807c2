import SoftmaxKit

/// How far a normalizer's output rows are from the exact softmax rows (float64 reference),
/// accumulated over many rows.
///
/// | field | definition (p = exact, q = method) |
/// |---|---|
/// | `maxAbsolute` | max |qᵢ − pᵢ| |
/// | `maxRelative` | max |qᵢ − pᵢ|/pᵢ over pᵢ ≥ 10⁻³⁰ (smaller outputs may be flushed) |
/// | `meanKL`, `maxKL` | KL(p ‖ q) = Σ pᵢ log(pᵢ/max(qᵢ, 2⁻¹⁴⁹)) per row (see below) |
/// | `maxTotalVariation`, `meanTotalVariation` | ½ Σ |qᵢ − pᵢ| per row (in [0, 1]) |
/// | `top1Agreement` | fraction of rows whose argmax (ties to the lower index) is the exact one's |
/// | `maxRowSumError` | max |Σ qᵢ − 1| |
///
/// KL floors q at the smallest float32 subnormal: a float32 output cannot hold less, and without
/// the floor one flushed 10⁻³⁰⁰ would make a row's KL infinite. Sparse maps, whose zeros sit where
/// softmax keeps real mass, still get large KL values (≈ pᵢ·103 per dropped entry).
///
/// Log-probability outputs are compared as probabilities (`e^y`), except `maxAbsolute`, which is
/// on the log scale (|y − log p|, over entries with p > 0).
public struct DistributionMetrics: Sendable, Codable, Equatable {
    /// Rows measured.
    public var rows = 0
    /// Largest absolute difference of any output from the reference.
    public var maxAbsolute = 0.0
    /// Largest relative difference, over reference outputs ≥ 10⁻³⁰.
    public var maxRelative = 0.0
    /// Mean Kullback–Leibler divergence KL(reference ‖ output) over the rows.
    public var meanKL = 0.0
    /// Largest per-row KL divergence.
    public var maxKL = 0.0
    /// Largest per-row total variation distance, ½·Σ|y − p| (at most 1 for distributions).
    public var maxTotalVariation = 0.0
    /// Mean per-row total variation distance.
    public var meanTotalVariation = 0.0
    /// Fraction of rows whose arg-max agrees with the reference's.
    public var top1Agreement = 1.0
    /// Largest |Σy − 1| over the rows.
    public var maxRowSumError = 0.0
    /// Rows where the method output NaN although the reference is finite.
    public var nanRows = 0

    /// Empty metrics, ready to accumulate rows.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case rows, maxAbsolute = "max_abs", maxRelative = "max_rel", meanKL = "mean_kl", maxKL = "max_kl"
        case maxTotalVariation = "max_tv", meanTotalVariation = "mean_tv", top1Agreement = "top1_agreement"
        case maxRowSumError = "max_row_sum_error", nanRows = "nan_rows"
    }

    /// The floor of q in KL: the smallest positive float32.
    public static let klFloor = Double(Float.leastNonzeroMagnitude)

    /// Outputs below this are excluded from the relative error.
    public static let relativeFloor = 1e-30

    /// Adds one row: `output` from the method, `exact` the reference probabilities.
    public mutating func add(output: ArraySlice<Double>, exact p: ArraySlice<Double>, logScale: Bool) {
        let previous = Double(rows)
        rows += 1
        let q = logScale ? output.map { libmExp($0) } : Array(output)
        if q.contains(where: \.isNaN) {
            nanRows += 1
            maxAbsolute = .nan
            maxRelative = .nan
            return
        }
        var kl = 0.0, tv = 0.0, sum = 0.0
        var bestQ = -Double.infinity, bestP = -Double.infinity, argQ = 0, argP = 0
        for (i, (qi, pi)) in zip(q, p).enumerated() {
            let difference = abs(qi - pi)
            if logScale {
                if pi > 0 { maxAbsolute = max(maxAbsolute, abs(output[output.startIndex + i] - libmLog(pi))) }
            } else {
                maxAbsolute = max(maxAbsolute, difference)
            }
            if pi >= Self.relativeFloor { maxRelative = max(maxRelative, difference / pi) }
            if pi > 0 { kl += pi * libmLog(pi / max(qi, Self.klFloor)) }
            tv += difference
            sum += qi
            if qi > bestQ { bestQ = qi; argQ = i }
            if pi > bestP { bestP = pi; argP = i }
        }
        kl = max(kl, 0)  // rounding can make a tiny KL negative
        meanKL += (kl - meanKL) / Double(rows)
        maxKL = max(maxKL, kl)
        maxTotalVariation = max(maxTotalVariation, tv / 2)
        meanTotalVariation += (tv / 2 - meanTotalVariation) / Double(rows)
        top1Agreement = (top1Agreement * previous + (argQ == argP ? 1 : 0)) / Double(rows)
        maxRowSumError = max(maxRowSumError, abs(sum - 1))
    }

    /// Both sets of rows together (maxima of maxima; means weighted by rows).
    public mutating func merge(_ o: DistributionMetrics) {
        let total = Double(rows + o.rows)
        if total > 0 {
            meanKL = (meanKL * Double(rows) + o.meanKL * Double(o.rows)) / total
            meanTotalVariation = (meanTotalVariation * Double(rows) + o.meanTotalVariation * Double(o.rows)) / total
            top1Agreement = (top1Agreement * Double(rows) + o.top1Agreement * Double(o.rows)) / total
        }
        rows += o.rows
        maxAbsolute = maxAbsolute.isNaN || o.maxAbsolute.isNaN ? .nan : max(maxAbsolute, o.maxAbsolute)
        maxRelative = maxRelative.isNaN || o.maxRelative.isNaN ? .nan : max(maxRelative, o.maxRelative)
        maxKL = max(maxKL, o.maxKL)
        maxTotalVariation = max(maxTotalVariation, o.maxTotalVariation)
        maxRowSumError = max(maxRowSumError, o.maxRowSumError)
        nanRows += o.nanRows
    }
}
