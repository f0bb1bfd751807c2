/// The Cholesky factor `L` (lower, `M = L·Lᵀ`) of a symmetric positive-definite n × n matrix in
/// Double, for the second-order solvers' small systems; nil when `M` is not positive definite.
public struct DenseCholesky: Sendable {
    /// The order n.
    public let n: Int
    /// L, row-major; the upper triangle is zero.
    public let lower: [Double]

    /// Factors `m` (row-major n × n; only the lower triangle is read). Nil when a pivot is not
    /// positive and finite.
    public init?(_ m: [Double], n: Int) {
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var d = m[j * n + j]
            for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
            guard d > 0, d.isFinite else { return nil }
            let pivot = d.squareRoot()
            l[j * n + j] = pivot
            for i in (j + 1)..<max(n, j + 1) {
                var s = m[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / pivot
            }
        }
        self.n = n
        self.lower = l
    }

    /// `L⁻¹v` (forward substitution).
    public func forward(_ v: [Double]) -> [Double] {
        var y = v
        for i in 0..<n {
            var s = y[i]
            for k in 0..<i { s -= lower[i * n + k] * y[k] }
            y[i] = s / lower[i * n + i]
        }
        return y
    }

    /// `M⁻¹v`.
    public func solve(_ v: [Double]) -> [Double] {
        var x = forward(v)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = x[i]
            for k in (i + 1)..<max(n, i + 1) { s -= lower[k * n + i] * x[k] }
            x[i] = s / lower[i * n + i]
        }
        return x
    }

    /// `vᵀM⁻¹v`, the squared dual norm of v in the metric M.
    public func dualNormSquared(_ v: [Double]) -> Double { forward(v).reduce(0) { $0 + $1 * $1 } }
}
