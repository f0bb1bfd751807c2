import Foundation

/// The two "softmax" objectives the gradient-regularised Newton solver is measured on, with their
/// gradients, Hessians and Gauss–Newton approximations, in Double. Matrices are row-major.
public enum SoftmaxProblem: String, Sendable, CaseIterable {
    /// `f(x) = μ·log Σᵢ exp((⟨aᵢ, x⟩ − bᵢ)/μ)` (Semenov, Jaggi, Doikov 2025).
    case logsumexp
    /// `L(x) = ½‖softmax(Ax) − b‖²` (Li et al. 2023).
    case softmaxRegression = "softmax-regression"

    /// Value, gradient, Hessian (when `hessian`) and the Gauss–Newton approximation (when `approximation`).
    public struct Evaluation: Sendable {
        /// The objective.
        public var value: Double
        /// Its gradient (length n).
        public var gradient: [Double]
        /// The exact Hessian (n × n), when asked for.
        public var hessian: [Double]?
        /// The approximation H̃ (n × n), when asked for.
        public var approximation: [Double]?
        /// The softmax: π for logsumexp, f = softmax(Ax) for softmax regression.
        public var softmax: [Double]
    }

    /// Evaluates the problem at `x` for `A [m × n]` and `b [m]`.
    public func evaluate(a: [Double], b: [Double], x: [Double], mu: Double, hessian: Bool, approximation: Bool) -> Evaluation {
        let m = b.count, n = x.count
        var z = [Double](repeating: 0, count: m)
        for i in 0..<m {
            var s = 0.0
            for j in 0..<n { s += a[i * n + j] * x[j] }
            z[i] = s
        }
        switch self {
        case .logsumexp:
            let u = (0..<m).map { (z[$0] - b[$0]) / mu }
            let top = u.max() ?? -.infinity
            let sum = u.reduce(0) { $0 + Foundation.exp($1 - top) }
            let pi = u.map { Foundation.exp($0 - top) / sum }
            let g = aT(a, pi, m: m, n: n)
            var gn: [Double]? = nil
            if hessian || approximation { gn = weightedGram(a, pi, m: m, n: n).map { $0 / mu } }
            var h: [Double]? = nil
            if hessian, let gn {
                h = gn
                for i in 0..<n { for j in 0..<n { h![i * n + j] -= g[i] * g[j] / mu } }
            }
            return Evaluation(value: mu * (top + Foundation.log(sum)), gradient: g, hessian: h, approximation: approximation ? gn : nil, softmax: pi)
        case .softmaxRegression:
            let top = z.max() ?? 0
            let e = z.map { Foundation.exp($0 - top) }
            let total = e.reduce(0, +)
            let f = e.map { $0 / total }
            let r = zip(f, b).map { $0 - $1 }
            let fr = zip(f, r).map { $0 * $1 }
            let inner = fr.reduce(0, +)  // ⟨f, r⟩
            let sr = (0..<m).map { fr[$0] - inner * f[$0] }  // S r
            let g = aT(a, sr, m: m, n: n)
            // S (m × m), then the two m × m middles, each A-sandwiched.
            var s = [Double](repeating: 0, count: m * m)
            for i in 0..<m { for j in 0..<m { s[i * m + j] = (i == j ? f[i] : 0) - f[i] * f[j] } }
            let s2 = product(s, s, m)
            var approx: [Double]? = nil, exact: [Double]? = nil
            if approximation { approx = sandwich(a, s2, m: m, n: n) }
            if hessian {
                var middle = s2
                for i in 0..<m {
                    for j in 0..<m {
                        middle[i * m + j] += (i == j ? fr[i] : 0) - fr[i] * f[j] - f[i] * fr[j] + inner * (f[i] * f[j] - s[i * m + j])
                    }
                }
                exact = sandwich(a, middle, m: m, n: n)
            }
            return Evaluation(value: 0.5 * r.reduce(0) { $0 + $1 * $1 }, gradient: g, hessian: exact, approximation: approx, softmax: f)
        }
    }

    private func aT(_ a: [Double], _ v: [Double], m: Int, n: Int) -> [Double] {
        var g = [Double](repeating: 0, count: n)
        for i in 0..<m where v[i] != 0 { for j in 0..<n { g[j] += a[i * n + j] * v[i] } }
        return g
    }

    /// `Aᵀ diag(w) A`.
    private func weightedGram(_ a: [Double], _ w: [Double], m: Int, n: Int) -> [Double] {
        var h = [Double](repeating: 0, count: n * n)
        for i in 0..<m where w[i] != 0 {
            for p in 0..<n { for q in 0..<n { h[p * n + q] += w[i] * a[i * n + p] * a[i * n + q] } }
        }
        return h
    }

    private func product(_ x: [Double], _ y: [Double], _ m: Int) -> [Double] {
        var out = [Double](repeating: 0, count: m * m)
        for i in 0..<m { for k in 0..<m where x[i * m + k] != 0 { for j in 0..<m { out[i * m + j] += x[i * m + k] * y[k * m + j] } } }
        return out
    }

    /// `Aᵀ M A` for an m × m M.
    private func sandwich(_ a: [Double], _ middle: [Double], m: Int, n: Int) -> [Double] {
        var ma = [Double](repeating: 0, count: m * n)  // M·A
        for i in 0..<m { for k in 0..<m where middle[i * m + k] != 0 { for j in 0..<n { ma[i * n + j] += middle[i * m + k] * a[k * n + j] } } }
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<m { for p in 0..<n where a[i * n + p] != 0 { for q in 0..<n { out[p * n + q] += a[i * n + p] * ma[i * n + q] } } }
        return out
    }
}
