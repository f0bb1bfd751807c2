import SoftmaxKit

/// Nyströmformer: softmax attention through `m` landmarks (segment means of Q and K),
///
/// ```
/// Q̃, K̃ = means of Q, K over m consecutive segments;  s = 1/√d
/// F = softmax(s·Q K̃ᵀ) (n × m),  A = softmax(s·Q̃ K̃ᵀ) (m × m),  B = softmax(s·Q̃ Kᵀ) (m × n)
/// out = F · A⁺ · (B V)
/// ```
/// with `A⁺` by the paper's iteration `Z₀ = Aᵀ/(‖A‖₁‖A‖∞)`,
/// `Z ← ¼Z(13I − AZ(15I − AZ(7I − AZ)))` (6 iterations by default). With m = n (every token a
/// landmark) it is exact softmax attention up to the pseudo-inverse's convergence. Follows the
/// paper (the method specification gives no constants for it); segments are as equal as possible.
///
/// Y. Xiong et al., "Nyströmformer: A Nyström-Based Algorithm for Approximating Self-Attention",
/// AAAI 2021 (arXiv 2102.03902).
enum NystromAttention {
    static func segmentMeans<T: KernelScalar>(_ x: DenseMatrix<T>, segments m: Int) -> DenseMatrix<T> {
        var out = DenseMatrix<T>(rows: m, cols: x.cols, values: [T](repeating: 0, count: m * x.cols))
        for s in 0..<m {
            let range = (s * x.rows / m)..<((s + 1) * x.rows / m)
            for i in range { for p in 0..<x.cols { out[s, p] += x[i, p] } }
            for p in 0..<x.cols { out[s, p] /= T(max(range.count, 1)) }
        }
        return out
    }

    static func softmaxRows<T: KernelScalar>(_ x: DenseMatrix<T>) -> DenseMatrix<T> {
        var y = x
        for i in 0..<x.rows {
            let m = (0..<x.cols).map { x[i, $0] }.max() ?? 0
            var total = T(0)
            for j in 0..<x.cols { y[i, j] = T.scalarExp(x[i, j] - m); total += y[i, j] }
            for j in 0..<x.cols { y[i, j] /= total }
        }
        return y
    }

    static func pseudoInverse<T: KernelScalar>(_ a: DenseMatrix<T>, iterations: Int) -> DenseMatrix<T> {
        let n = a.rows
        var z = (1 / (a.maxColumnSum * a.maxRowSum)) * a.transposed
        let i7 = DenseMatrix<T>.identity(n, times: 7), i15 = DenseMatrix<T>.identity(n, times: 15), i13 = DenseMatrix<T>.identity(n, times: 13)
        for _ in 0..<iterations {
            let az = a * z
            z = T(0.25) * (z * (i13 - az * (i15 - az * (i7 - az))))
        }
        return z
    }

    static func run<T: KernelScalar>(q: DenseMatrix<T>, k: DenseMatrix<T>, v: DenseMatrix<T>, landmarks m: Int, iterations: Int) -> DenseMatrix<T> {
        let s = 1 / T(q.cols).squareRoot()
        let qt = segmentMeans(q, segments: m), kt = segmentMeans(k, segments: m)
        let f = softmaxRows(s * (q * kt.transposed)), a = softmaxRows(s * (qt * kt.transposed)), b = softmaxRows(s * (qt * k.transposed))
        return f * (pseudoInverse(a, iterations: iterations) * (b * v))
    }
}
