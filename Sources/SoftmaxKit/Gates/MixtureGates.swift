/// Mixture-of-experts gates over router scores `s = β₁x + β₀` (β₁: E × d, β₀: E):
///
/// ```
/// top-K:                      G = softmax(TopK(s, K)),  the K largest kept (ties → lower index), others 0
///                             (`order`: see `TopKOrder` for the other orders routers use)
/// dense-to-sparse:            G = softmax(s/τ)
/// activation dense-to-sparse: G = softmax(σ(β₁x)/τ + β₀),  σ = sigmoid or tanh
/// ```
/// Rows sum to 1; the softmax is the exact kernel in Double.
///
/// H. Nguyen, P. Akbarian, F. Yan, N. Ho, "Statistical Perspective of Top-K Sparse Softmax Gating
/// Mixture of Experts", ICLR 2024 (arXiv 2309.13850); H. Nguyen, P. Akbarian, N. Ho, "Is
/// Temperature Sample Efficient for Softmax Gaussian Mixture of Experts?", ICML 2024 (arXiv 2401.13875).
public enum MixtureGates {
    /// Where the top-K selection sits relative to the normalisation.
    public enum TopKOrder: String, Sendable, CaseIterable {
        /// `softmax(TopK(s))`: the spec's (Shazeer et al. 2017) form.
        case topKSoftmax = "topk-softmax"
        /// `TopK(softmax(s))` renormalised over the kept experts (Mixtral): equal to `topk-softmax`
        /// up to rounding, computed the other way round.
        case softmaxTopK = "softmax-topk"
        /// `TopK(softmax(s))` without renormalising (Switch Transformer, GShard): rows sum to the
        /// kept mass, below 1.
        case softmaxTopKUnnormalized = "softmax-topk-unnormalized"
        /// `TopK(σ(s))` renormalised over the kept experts (DeepSeek-V3's sigmoid scores).
        case sigmoidTopK = "sigmoid-topk"
    }

    /// Which gate, with its parameters.
    public enum Kind: Sendable, Equatable {
        case topK(Int, order: TopKOrder = .topKSoftmax)
        case denseToSparse(tau: Double)
        case activation(tau: Double, tanh: Bool)
    }

    /// The gate weights `[n, e]` for token rows `x` (`n × d`) and the router `b1` (`e × d`), `b0` (`e`).
    public static func gate(x: [Double], rows n: Int, dim d: Int, b1: [Double], experts e: Int, b0: [Double]?, kind: Kind) throws -> [Double] {
        guard x.count == n * d, b1.count == e * d, b0.map({ $0.count == e }) ?? true else {
            throw LossError.shape("x \(x.count) values for \(n)×\(d), B1 \(b1.count) for \(e)×\(d), b0 \(b0?.count ?? e) for \(e)")
        }
        if case let .topK(k, _) = kind, !(1...max(e, 1)).contains(k) {
            throw LossError.parameter("k = \(k) experts kept, but the router has \(e); give 1 ≤ k ≤ \(e)")
        }
        var g = [Double](repeating: 0, count: n * e)
        for i in 0..<n {
            var s = [Double](repeating: 0, count: e)
            for k in 0..<e {
                var dot = 0.0
                for p in 0..<d { dot += b1[k * d + p] * x[i * d + p] }
                switch kind {
                case .topK, .denseToSparse: s[k] = dot + (b0?[k] ?? 0)
                case let .activation(_, tanh):
                    s[k] = (tanh ? Double.scalarTanh(dot) : 1 / (1 + Double.scalarExp(-dot)))
                }
            }
            switch kind {
            case let .topK(kk, order) where order != .topKSoftmax:
                // Score, select (ties → lower index, on the raw scores), then renormalise or not.
                let keep = Set(s.indices.sorted { (s[$0], -$0) > (s[$1], -$1) }.prefix(kk))
                let m = s.max() ?? 0
                var p = order == .sigmoidTopK ? s.map { 1 / (1 + Double.scalarExp(-$0)) } : s.map { Double.scalarExp($0 - m) }
                if order != .sigmoidTopK { let total = p.reduce(0, +); p = p.map { $0 / total } }
                for k in 0..<e where !keep.contains(k) { p[k] = 0 }
                let kept = p.reduce(0, +)
                for k in 0..<e { g[i * e + k] = order == .softmaxTopKUnnormalized || kept == 0 ? p[k] : p[k] / kept }
                continue
            case let .topK(kk, _):
                let keep = s.indices.sorted { (s[$0], -$0) > (s[$1], -$1) }.prefix(kk)
                for k in 0..<e where !keep.contains(k) { s[k] = -.infinity }
            case let .denseToSparse(tau): s = s.map { $0 / tau }
            case let .activation(tau, _): s = s.enumerated().map { $1 / tau + (b0?[$0] ?? 0) }
            }
            let m = s.max() ?? 0
            let ex = s.map { $0 == -.infinity ? 0 : Double.scalarExp($0 - m) }
            let total = ex.reduce(0, +)
            for k in 0..<e { g[i * e + k] = ex[k] / total }
        }
        return g
    }
}
