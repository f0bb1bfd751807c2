import SoftmaxKit

/// The update rules of the grokking runs, per parameter tensor, in Float like PyTorch's.
///
/// - `adam`: AdamW (`torch.optim.AdamW`; weight decay 0 here, as the paper's unregularised runs),
///   `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `θ ← θ − lr·m̂/(√v̂ + ε)`.
/// - `sgd`: SGD with momentum, `b ← μb + g` (`b = g` at the first step), `θ ← θ − lr·b`.
/// - `perp-grad`: ⊥Grad then AdamW: each tensor's gradient loses its component along the weights
///   and is rescaled to the gradient's norm (the official `OrthoGrad` wrapper), `g⊥ =
///   (g − (θ·g)/(θ·θ + 10⁻³⁰)·θ)·‖g‖/(‖g⊥‖ + 10⁻³⁰)`.
///
/// L. Prieto et al., "Grokking at the Edge of Numerical Stability", 2025 (arXiv 2501.04697).
public struct Optimizer: Sendable {
    /// The update rule.
    public enum Kind: String, Sendable, CaseIterable, Codable { case adam, sgd, perpGrad = "perp-grad" }

    /// An update rule and its hyper-parameters.
    public struct Settings: Sendable, Codable, Equatable {
        /// The update rule.
        public var kind: Kind
        /// The learning rate.
        public var learningRate: Double
        public var beta1 = 0.9, beta2 = 0.99, epsilon = 1e-25
        /// SGD's momentum μ.
        public var momentum = 0.8

        /// The paper's settings: AdamW lr 0.01, β = (0.9, 0.99), ε = 10⁻²⁵ (Figure 1; ⊥Grad wraps the
        /// same AdamW); SGD lr 10 with momentum 0.8 (its only SGD run, under ⊥Grad, Figure 6).
        public init(kind: Kind, learningRate: Double? = nil) {
            self.kind = kind
            self.learningRate = learningRate ?? (kind == .sgd ? 10 : 0.01)
        }
    }

    /// The rule and hyper-parameters this optimizer applies.
    public let settings: Settings
    private var first: [[Float]], second: [[Float]]
    private var step = 0

    /// An optimizer for parameter tensors of the given element counts, its moments at zero.
    public init(_ settings: Settings, shapes: [Int]) {
        self.settings = settings
        first = shapes.map { [Float](repeating: 0, count: $0) }
        second = settings.kind == .sgd ? [] : shapes.map { [Float](repeating: 0, count: $0) }
    }

    /// One update of every tensor in `parameters` with its `gradients`.
    public mutating func update(_ parameters: inout [[Float]], _ gradients: [[Float]]) {
        step += 1
        for t in parameters.indices {
            var g = gradients[t]
            if settings.kind == .perpGrad { g = Self.orthogonalised(g, to: parameters[t]) }
            switch settings.kind {
            case .sgd:
                let mu = Float(settings.momentum), lr = Float(settings.learningRate)
                for k in g.indices {
                    first[t][k] = step == 1 ? g[k] : mu * first[t][k] + g[k]
                    parameters[t][k] -= lr * first[t][k]
                }
            case .adam, .perpGrad:
                let b1 = Float(settings.beta1), b2 = Float(settings.beta2), eps = Float(settings.epsilon)
                let c1 = 1 - pow(settings.beta1, Double(step)), c2 = 1 - pow(settings.beta2, Double(step))
                let stepSize = Float(settings.learningRate / c1), root2 = Float(c2.squareRoot())
                for k in g.indices {
                    first[t][k] = b1 * first[t][k] + (1 - b1) * g[k]
                    second[t][k] = b2 * second[t][k] + (1 - b2) * g[k] * g[k]
                    parameters[t][k] -= stepSize * first[t][k] / (second[t][k].squareRoot() / root2 + eps)
                }
            }
        }
    }

    /// ⊥Grad with the official rescaling, in Float.
    static func orthogonalised(_ g: [Float], to w: [Float]) -> [Float] {
        var wg: Float = 0, ww: Float = 0, gg: Float = 0
        for k in g.indices {
            wg += w[k] * g[k]
            ww += w[k] * w[k]
            gg += g[k] * g[k]
        }
        let projection = wg / (ww + 1e-30)
        var perp = g
        var pp: Float = 0
        for k in perp.indices {
            perp[k] -= projection * w[k]
            pp += perp[k] * perp[k]
        }
        let scale = gg.squareRoot() / (pp.squareRoot() + 1e-30)
        return perp.map { $0 * scale }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
