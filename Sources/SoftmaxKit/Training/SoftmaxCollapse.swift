/// Softmax Collapse: a row has collapsed when, in the working precision, `fl(Σ_k e^{x_k − max x}) == 1`
/// exactly — the largest class then gets probability exactly 1 and its cross-entropy gradient is
/// exactly 0. The sum runs in index order in that precision (float32 by default), as a framework's
/// would; near the threshold the answer depends on that order.
///
/// L. Prieto et al., "Grokking at the Edge of Numerical Stability", 2025 (arXiv 2501.04697).
public enum SoftmaxCollapse {
    /// For each of the `n` rows of `c` logits, whether its softmax has collapsed in precision `T`.
    public static func collapsed<T: KernelScalar>(_ x: [T], rows n: Int, classes c: Int, as: T.Type) -> [Bool] {
        (0..<n).map { i in
            let row = x[(i * c)..<((i + 1) * c)]
            guard let m = row.max(), m.isFinite else { return false }
            var total = T(0)
            for v in row { total += T.scalarExp(v - m) }
            return total == 1
        }
    }
}
