import SoftmaxKit

/// SOFT: softmax-free attention with a Gaussian kernel, landmarks and a Newton–Schulz
/// pseudo-inverse (tied projections, K = Q):
///
/// ```
/// Q̂ = Q·d^{−1/4};  κ(a, b) = exp(−½‖a − b‖²);  K1 = κ(Q̂, L) (n × m);  A = κ(L, L) (m × m)
/// out = K1 · A⁺ · (K1ᵀ V)            normalize: out = K1 · (D^{−½} A⁺ D^{−½}) · (K1ᵀ V), D = diag(A·1)
/// ```
/// `A⁺` by `V_{k+1} = 2V_k − V_k P V_k` (20 iterations by default):
/// `soft`: `P = A + 0.01·I`, `V₀ = α·P`, `α = 0.9·2/(max row sum of A)²` — converges to (A + 0.01 I)⁻¹;
/// `soft_norm`: `P = A`, `V₀ = αP`, `α = 2/(max row sum)²`, halved (≤ 10 times) while ‖I − PV₀‖₁ > 1.01;
/// `paper`: `P = A`, `V₀ = α·Aᵀ`, `α = 2/‖A‖₁²`. Landmarks `L` are inputs (in the scaled space);
/// `soft-landmarks-avgpool` gives the deterministic choice: means of `Q̂` over blocks of `ratio`.
/// O(n·m·(d + dv) + iters·m³).
///
/// J. Lu et al., "SOFT: Softmax-free Transformer with Linear Complexity", NeurIPS 2021
/// (arXiv 2110.11945); "Softmax-free Linear Transformers", IJCV 2024 (arXiv 2207.03341);
/// fudan-zvg/SOFT.
enum SoftAttention {
    enum Variant: String, CaseIterable, Sendable { case soft, softNorm = "soft_norm", paper }

    static func scaled<T: KernelScalar>(_ x: [T], dim d: Int) -> [T] {
        let c = T.scalarExp(-T.scalarLog(T(d)) / 4)
        return x.map { $0 * c }
    }

    static func landmarks<T: KernelScalar>(_ q: [T], rows n: Int, dim d: Int, ratio: Int) -> DenseMatrix<T> {
        let qs = scaled(q, dim: d)
        let m = (n + ratio - 1) / ratio
        var l = DenseMatrix<T>(rows: m, cols: d, values: [T](repeating: 0, count: m * d))
        for b in 0..<m {
            let range = (b * ratio)..<min(n, (b + 1) * ratio)
            for i in range { for p in 0..<d { l[b, p] += qs[i * d + p] } }
            for p in 0..<d { l[b, p] /= T(range.count) }
        }
        return l
    }

    static func gaussianKernel<T: KernelScalar>(_ a: DenseMatrix<T>, _ b: DenseMatrix<T>) -> DenseMatrix<T> {
        var k = DenseMatrix<T>(rows: a.rows, cols: b.rows, values: [T](repeating: 0, count: a.rows * b.rows))
        for i in 0..<a.rows {
            for j in 0..<b.rows {
                var s = T(0)
                for p in 0..<a.cols { let diff = a[i, p] - b[j, p]; s += diff * diff }
                k[i, j] = T.scalarExp(-s / 2)
            }
        }
        return k
    }

    static func pseudoInverse<T: KernelScalar>(_ a: DenseMatrix<T>, iterations: Int, variant: Variant) -> DenseMatrix<T> {
        let n = a.rows
        let identity = DenseMatrix<T>.identity(n)
        var p = a, v: DenseMatrix<T>
        switch variant {
        case .soft:
            let alpha = T(0.9) * 2 / (a.maxRowSum * a.maxRowSum)
            p = a + DenseMatrix.identity(n, times: T(0.01))
            v = alpha * p
        case .softNorm:
            var alpha = 2 / (a.maxRowSum * a.maxRowSum)
            v = alpha * p
            var tries = 0
            while (identity - p * v).maxColumnSum > T(1.01) && tries < 10 {
                alpha /= 2
                v = alpha * p
                tries += 1
            }
        case .paper:
            let norm = a.maxColumnSum
            v = (2 / (norm * norm)) * a.transposed
        }
        for _ in 0..<iterations { v = T(2) * v - v * p * v }
        return v
    }

    static func run<T: KernelScalar>(
        q: [T], rows n: Int, dim d: Int, v: DenseMatrix<T>, landmarks l: DenseMatrix<T>,
        iterations: Int, variant: Variant, normalize: Bool
    ) -> DenseMatrix<T> {
        let qs = DenseMatrix(rows: n, cols: d, values: scaled(q, dim: d))
        let k1 = gaussianKernel(qs, l), a = gaussianKernel(l, l)
        var inverse = pseudoInverse(a, iterations: iterations, variant: variant)
        if normalize {
            let d = (0..<a.rows).map { i in 1 / (0..<a.cols).map { a[i, $0] }.reduce(0, +).squareRoot() }
            for i in 0..<inverse.rows { for j in 0..<inverse.cols { inverse[i, j] *= d[i] * d[j] } }
        }
        return k1 * (inverse * (k1.transposed * v))
    }
}
