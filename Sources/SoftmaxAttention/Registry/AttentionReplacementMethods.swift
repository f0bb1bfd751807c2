import SoftmaxKit

/// Registry entries for the attentions that replace softmax (sigmoid, softplus with
/// re-weighting, selective temperatures, linear) and their helper functions. They take one head,
/// 2-d `Q [Nq, D]`, `K [Nk, D]`, `V [Nk, Dv]`, and an optional 2-d keep-mask `[Nq, Nk]`.
enum AttentionReplacementMethods {
    static let ramapuram = "J. Ramapuram et al., Theory, Analysis, and Best Practices for Sigmoid Self-Attention, 2024 (arXiv 2409.04431)"
    static let gao =
        "B. Gao, M. W. Spratling, Softplus Attention with Re-weighting Boosts Length Extrapolation in Large Language Models, 2025 (arXiv 2501.13428)"
    static let zhang = "X. Zhang et al., Selective Attention: Enhancing Transformer through Principled Context Control, NeurIPS 2024 (arXiv 2411.12892)"
    static let katharopoulos = "A. Katharopoulos, A. Vyas, N. Pappas, F. Fleuret, Transformers are RNNs, ICML 2020 (arXiv 2006.16236)"
    static let chen = "B. Chen et al., Scatterbrain: Unifying Sparse and Low-rank Attention Approximation, NeurIPS 2021 (arXiv 2110.15343)"

    static let head = [
        TensorSpec("Q", "[Nq, D]"), TensorSpec("K", "[Nk, D]"), TensorSpec("V", "[Nk, Dv]"),
        TensorSpec("mask", .boolean, "keep-mask [Nq, Nk]", optional: true),
    ]

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "bivit-sab-attention", role: .attention,
            summary: "BiViT attention: SAB(scale·QKᵀ)·V, a 0/1 matrix keeping keys with p ≥ r·max p per query (not renormalised)",
            parameters: BiViTAttentionParameters.specs, inputs: head,
            outputs: [TensorSpec("out", "[Nq, Dv]"), TensorSpec("B", "the 0/1 matrix [Nq, Nk]")],
            isExact: true, citation: SoftmaxAwareBinarizationKernel.citation, implementation: BiViTAttentionMethod()),
        MethodDescriptor(
            id: "sigmoid-attention", role: .attention, summary: "(σ(scale·QKᵀ + b) ⊙ M)·V, no row normalisation; b = −log Nk by default",
            parameters: SigmoidAttentionParameters.specs,
            inputs: head, outputs: [TensorSpec("out", "[Nq, Dv]"), TensorSpec("weights", "[Nq, Nk]")],
            isExact: true, citation: ramapuram, implementation: SigmoidAttentionMethod()),
        MethodDescriptor(
            id: "lssa-weights", role: .primitive, summary: "LSSA weights: softplus(log d·log Nᵢ·cos(qᵢ, kⱼ)) masked, ℓ1-normalised rows",
            parameters: SoftplusWeightsParameters.specs, inputs: [head[0], head[1], head[3]],
            outputs: [TensorSpec("A", "[Nq, Nk]"), TensorSpec("N", "visible keys per query [Nq]")],
            isExact: true, citation: gao, implementation: SoftplusWeightsMethod(reweighted: false)),
        MethodDescriptor(
            id: "lssar-weights", role: .primitive, summary: "LSSAR weights: ReLU(Aᵢⱼ·Nᵢ − Oᵢ)^p masked, ℓ1-normalised rows",
            parameters: ReweightedSoftplusParameters.specs,
            inputs: [head[0], head[1], head[3]], outputs: [TensorSpec("A", "[Nq, Nk]")],
            isExact: true, citation: gao, implementation: SoftplusWeightsMethod(reweighted: true)),
        MethodDescriptor(
            id: "ssa-position-temperature", role: .primitive, summary: "τ_pos(i) for i = 1…n: 1 + σ(α)·log i, 1 + e^{−e^α}·log i, or 1 + α·log i",
            parameters: PositionTemperatureParameters.specs,
            inputs: [], outputs: [TensorSpec("tau", "[n]")], isExact: true, citation: zhang, implementation: PositionTemperatureMethod()),
        MethodDescriptor(
            id: "ssa-attention", role: .attention, summary: "selective attention: softmax((τ_q·q)·k/√d)·(τ_v·v) over visible keys",
            parameters: TopLeftCausalParameters.specs,
            inputs: head + [
                TensorSpec("tau_q", "per-query temperatures [Nq] (default 1)", optional: true),
                TensorSpec("tau_v", "per-key value temperatures [Nk] (default 1)", optional: true),
            ],
            outputs: [TensorSpec("out", "[Nq, Dv]"), TensorSpec("P", "[Nq, Nk]")],
            isExact: true, citation: zhang, implementation: SelectiveAttentionMethod()),
        MethodDescriptor(
            id: "local-window-mask", role: .primitive, summary: "Sᵢⱼ = 1 iff i − ⌊w/2⌋ ≤ j < i − ⌊w/2⌋ + w and 0 ≤ j < n_k",
            parameters: LocalWindowMaskParameters.specs,
            inputs: [], outputs: [TensorSpec("mask", .boolean, "[n_q, n_k]")], isExact: true, citation: chen, implementation: LocalWindowMaskMethod()),
        MethodDescriptor(
            id: "linear-attention", role: .attention, summary: "linear attention with φ = elu + 1: φ(Q)(φ(K)ᵀV) / φ(Q)(φ(K)ᵀ1); causal by prefix sums",
            parameters: TopLeftCausalParameters.specs,
            inputs: [head[0], head[1], head[2]], outputs: [TensorSpec("out", "[Nq, Dv]")],
            isExact: false, citation: katharopoulos, implementation: LinearAttentionMethod()),
    ]
}

struct BiViTAttentionMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (h, mask) = try denseHead(invocation, as: T.self)
        let p = BiViTAttentionParameters(invocation.parameters)
        let scale = p.scale ?? 1 / Double(h.headDim).squareRoot()
        let (out, b) = try BiViTAttention.run(h, mask: mask, scale: T(scale), ratio: p.ratio, causal: p.causal)
        return ["out": .of(out, shape: [h.queries, h.valueDim]), "B": .of(b, shape: [h.queries, h.keys])]
    }
}

struct SigmoidAttentionMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (h, mask) = try denseHead(invocation, as: T.self)
        let p = SigmoidAttentionParameters(invocation.parameters)
        let bias = p.bias ?? -Double.scalarLog(Double(max(h.keys, 1)))
        let scale = p.scale ?? 1 / Double(h.headDim).squareRoot()
        let w = SigmoidAttention.weights(h, mask: mask, scale: T(scale), bias: T(bias), causal: p.causal)
        return ["out": .of(h.apply(w), shape: [h.queries, h.valueDim]), "weights": .of(w, shape: [h.queries, h.keys])]
    }
}

struct SoftplusWeightsMethod: MethodImplementation {
    let reweighted: Bool
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (h, mask) = try denseHead(invocation, as: T.self, needsValues: false)
        if reweighted {
            let p = ReweightedSoftplusParameters(invocation.parameters)
            let b = SoftplusAttention.lssar(
                h, mask: mask, causal: p.causal != nil, power: T(p.power), warmupRows: p.warmupRows,
                offset: T(p.offset))
            return ["A": .of(b, shape: [h.queries, h.keys])]
        }
        let (a, n) = SoftplusAttention.lssa(h, mask: mask, causal: SoftplusWeightsParameters(invocation.parameters).causal != nil)
        return ["A": .of(a, shape: [h.queries, h.keys]), "N": .of(n, shape: [h.queries])]
    }
}

struct PositionTemperatureMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let p = PositionTemperatureParameters(invocation.parameters)
        // τ in Double, the output tensor and its encoded file.
        try MemoryBudget.require([([p.n], 24)], for: "ssa-position-temperature's n = \(p.n)")
        let tau = SelectiveAttention.positionTemperature(n: p.n, alpha: p.alpha, form: p.form)
        return ["tau": .of(tau.map { T($0) }, shape: [tau.count])]
    }
}

struct SelectiveAttentionMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (h, mask) = try denseHead(invocation, as: T.self)
        func temperatures(_ name: String, _ count: Int) throws -> [T]? {
            guard invocation.inputs[name] != nil else { return nil }
            let (t, s) = try invocation.real(name, as: T.self)
            guard t.count == count, s.count <= 1 else {
                throw TensorError.shapeMismatch(tensor: name, shape: Tensor.describe(shape: s), expected: Tensor.describe(shape: [count]))
            }
            return t
        }
        let (out, pm) = SelectiveAttention.run(
            h, tauQ: try temperatures("tau_q", h.queries), tauV: try temperatures("tau_v", h.keys),
            mask: mask, causal: TopLeftCausalParameters(invocation.parameters).causal != nil)
        return ["out": .of(out, shape: [h.queries, h.valueDim]), "P": .of(pm, shape: [h.queries, h.keys])]
    }
}

struct LocalWindowMaskMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let p = LocalWindowMaskParameters(invocation.parameters)
        let (nq, nk, w) = (p.queries, p.keys, p.window)
        try MemoryBudget.require([([nq, nk], 1)], for: "local-window-mask's n_q × n_k = \(nq) × \(nk)")
        var mask = [Bool](repeating: false, count: nq * nk)
        for i in 0..<nq {
            let start = i - w / 2
            for j in max(0, start)..<max(max(0, start), min(nk, start + w)) { mask[i * nk + j] = true }
        }
        return ["mask": Tensor(shape: [nq, nk], mask)]
    }
}

struct LinearAttentionMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (h, _) = try denseHead(invocation, as: T.self)
        let causal = TopLeftCausalParameters(invocation.parameters).causal != nil
        if let q = sameTypeArray(h.q, as: Float.self), let k = sameTypeArray(h.k, as: Float.self), let v = sameTypeArray(h.v, as: Float.self), !causal {
            // Float, non-causal: the sums are matrix products.
            func phi(_ x: Float) -> Float { x > 0 ? x + 1 : Float.scalarExp(x) }
            let out = FeatureAttentionFloat.run(
                phiQ: q.map(phi), phiK: k.map(phi), v: v, queries: h.queries, keys: h.keys,
                features: h.headDim, valueDim: h.valueDim, epsilon: 0)
            return ["out": .of(out, shape: [h.queries, h.valueDim])]
        }
        return ["out": .of(LinearAttention.run(h, causal: causal), shape: [h.queries, h.valueDim])]
    }
}

/// `ssa-position-temperature`'s parameters.
struct PositionTemperatureParameters: MethodParameters {
    var n = 1
    var alpha = 0.0
    var form = SelectiveAttention.Form.sigmoid

    static let declarations: [ParameterDeclaration<Self>] = [
        .integer("n", \.n, "positions (up to 10⁸)", range: 0...100_000_000),
        .number("alpha", \.alpha, "α (β in the official code)", range: -1e30...1e30),
        .choice("form", \.form, "sigmoid, gumbel or linear"),
    ]
}

/// `local-window-mask`'s parameters.
struct LocalWindowMaskParameters: MethodParameters {
    var queries = 1
    var keys = 1
    var window = 1

    static let declarations: [ParameterDeclaration<Self>] = [
        .integer("n_q", \.queries, "queries", range: 0...1_000_000_000),
        .integer("n_k", \.keys, "keys", range: 0...1_000_000_000),
        .integer("w", \.window, "window", range: 0...1_000_000_000),
    ]
}
