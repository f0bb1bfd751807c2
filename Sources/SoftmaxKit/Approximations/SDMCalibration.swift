import Foundation

/// The inputs of the SDM activation computed from neighbours and calibration data (Schmaltz 2025,
/// Eqs. 4, 5 and 8; `sdm_model.py`'s `set_summary_stats_for_support_vectorized`,
/// `get_distance_quantiles_vectorized`, `get_rescaled_similarity_vectorized`).
public enum SDMCalibration {
    /// The first index of a row's maximum (`argmax`, NaN never chosen unless the row is all NaN).
    public static func argmax(_ z: ArraySlice<Double>) -> Int {
        var best = z.startIndex
        for i in z.indices where z[i] > z[best] || (z[best].isNaN && !z[i].isNaN) { best = i }
        return best - z.startIndex
    }

    /// Similarity q: how many of the nearest training neighbours, in order, were predicted
    /// correctly and with the test point's predicted class `yhat` (a cumulative product: the count
    /// stops at the first that fails). `excludeFirst` skips the first neighbour (a training point's
    /// own match).
    public static func similarity(yhat: Int, labels: ArraySlice<Int>, predictions: ArraySlice<Int>, excludeFirst: Bool) -> Int {
        var q = 0
        for (label, prediction) in zip(labels, predictions).dropFirst(excludeFirst ? 1 : 0) {
            guard label == prediction && prediction == yhat else { break }
            q += 1
        }
        return q
    }

    /// Which side of ties a quantile counts (`numpy.searchsorted`'s side).
    public enum Side: String, Sendable, CaseIterable {
        /// `1 − #{v < d₀}/|D_c|`: the reference code's default.
        case left
        /// `1 − #{v ≤ d₀}/|D_c|`: the usual empirical CDF.
        case right
    }

    /// Distance d = min over classes of `quantile_c(max(d₀, 0))`, with `quantile_c` over the
    /// calibration nearest-distances of class c (sorted ascending), 0 for a class without any.
    /// Returns d and the per-class quantiles.
    public static func distance(_ d0: Double, sortedByClass: [[Double]], side: Side) -> (d: Double, perClass: [Double]) {
        let x = max(d0, 0)
        let perClass = sortedByClass.map { values -> Double in
            guard !values.isEmpty else { return 0 }
            var low = 0, high = values.count  // the insertion point of x on `side`
            while low < high {
                let mid = (low + high) / 2
                if side == .left ? values[mid] < x : values[mid] <= x { low = mid + 1 } else { high = mid }
            }
            return 1 - Double(low) / Double(values.count)
        }
        return (perClass.min() ?? 0, perClass)
    }

    /// The rescaled similarity `q′ = min(q, (2 + q)^{p̂})`, p̂ the SDM output at the predicted class (Eq. 8).
    public static func rescaledSimilarity(q: Double, prediction: Double) -> Double {
        min(q, pow(SDMActivation.offset + q, prediction))
    }
}
