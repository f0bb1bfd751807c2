import SoftmaxKit

/// Registry entries for Performer's random features and attention, and Scatterbrain. Projections
/// `W [r, d]` are inputs (draw orthogonal random features with any seeded generator), so every
/// result is reproducible.
enum RandomFeatureMethods {
    static let choromanski = "K. Choromanski et al., Rethinking Attention with Performers, ICLR 2021 (arXiv 2009.14794)"

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "favor-features-ideal", role: .primitive, summary: "FAVOR+ positive features exp(Wx̃ − ‖x̃‖²/2)/√r, x̃ = √temp·x (hyperbolic: 2r features)",
            parameters: IdealFeaturesParameters.specs,
            inputs: [TensorSpec("X", "[N, d]"), TensorSpec("W", "projection [r, d]")], outputs: [TensorSpec("phi", "[N, r] or [N, 2r]")],
            isExact: true, citation: choromanski, implementation: FeaturesMethod(google: false)),
        MethodDescriptor(
            id: "performer-features-google", role: .primitive, summary: "the official Performer features: max-shifted, plus ε, for queries or keys",
            parameters: GoogleFeaturesParameters.specs,
            inputs: [TensorSpec("X", "[N, d]"), TensorSpec("W", "projection [r, d]")], outputs: [TensorSpec("phi", "[N, r]")],
            isExact: true, citation: choromanski, implementation: FeaturesMethod(google: true)),
        MethodDescriptor(
            id: "performer-attention", role: .attention, summary: "FAVOR+ attention φ(Q)(φ(K)ᵀV)/φ(Q)(φ(K)ᵀ1), causal by prefix sums",
            parameters: PerformerParameters.specs,
            inputs: [TensorSpec("Q", "[Nq, d]"), TensorSpec("K", "[Nk, d]"), TensorSpec("V", "[Nk, Dv]"), TensorSpec("W", "projection [r, d]")],
            outputs: [TensorSpec("out", "[Nq, Dv]")], isExact: false, citation: choromanski, implementation: PerformerMethod()),
        MethodDescriptor(
            id: "scatterbrain-attention", role: .attention,
            summary: "Scatterbrain: exact softmax terms on a sparse support plus the FAVOR low-rank estimate elsewhere, unbiased",
            parameters: ScatterbrainParameters.specs,
            inputs: [
                TensorSpec("Q", "[Nq, d]"), TensorSpec("K", "[Nk, d]"), TensorSpec("V", "[Nk, Dv]"), TensorSpec("W", "projection [r, d]"),
                TensorSpec("support", .boolean, "sparse support [Nq, Nk] (default: local window)", optional: true),
                TensorSpec("mask", .boolean, "key padding [Nk] (true = kept)", optional: true),
            ],
            outputs: [TensorSpec("out", "[Nq, Dv]")], isExact: false, citation: AttentionReplacementMethods.chen, implementation: ScatterbrainMethod()),
    ]
}

/// `W [r, d]` checked against the feature dimension `d`.
func projection<T: KernelScalar>(_ invocation: MethodInvocation, dim d: Int, as: T.Type) throws -> (w: [T], features: Int) {
    let (w, ws) = try invocation.real("W", as: T.self)
    guard ws.count == 2, ws[1] == d, ws[0] >= 1 else {
        throw TensorError.shapeMismatch(tensor: "W", shape: Tensor.describe(shape: ws), expected: "[r, \(d)] with r ≥ 1")
    }
    return (w, ws[0])
}

struct FeaturesMethod: MethodImplementation {
    let google: Bool
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, xs) = try invocation.real("X", as: T.self)
        guard xs.count == 2 else { throw TensorError.badRank(tensor: "X", shape: Tensor.describe(shape: xs), expected: "2-d [N, d]") }
        let (w, r) = try projection(invocation, dim: xs[1], as: T.self)
        if google {
            let p = GoogleFeaturesParameters(invocation.parameters)
            let phi = FavorFeatures.google(x, rows: xs[0], dim: xs[1], w, features: r, isQuery: p.isQuery, epsilon: T(p.epsilon))
            return ["phi": .of(phi, shape: [xs[0], r])]
        }
        let p = IdealFeaturesParameters(invocation.parameters)
        let temp = p.temperature ?? 1 / Double(xs[1]).squareRoot()
        let hyperbolic = p.hyperbolic
        let phi = FavorFeatures.ideal(x, rows: xs[0], dim: xs[1], w, features: r, temperature: T(temp), hyperbolic: hyperbolic)
        return ["phi": .of(phi, shape: [xs[0], hyperbolic ? 2 * r : r])]
    }
}

struct PerformerMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (h, _) = try denseHead(invocation, as: T.self)
        let (w, r) = try projection(invocation, dim: h.headDim, as: T.self)
        let p = PerformerParameters(invocation.parameters)
        let google = p.mode == .google, causal = p.causal != nil
        let eps = google ? T(p.eps) : 0
        let s = 1 / T(h.headDim).squareRoot()
        if let q = sameTypeArray(h.q, as: Float.self), let k = sameTypeArray(h.k, as: Float.self), let v = sameTypeArray(h.v, as: Float.self),
            let wf = sameTypeArray(w, as: Float.self), !causal
        {
            // Float, non-causal: features and products on the matrix multiply.
            let e = Float(p.eps)
            let phiQ =
                google
                ? FeatureAttentionFloat.google(q, rows: h.queries, dim: h.headDim, wf, features: r, isQuery: true, epsilon: e)
                : FeatureAttentionFloat.ideal(q, rows: h.queries, dim: h.headDim, wf, features: r, temperature: Float(s))
            let phiK =
                google
                ? FeatureAttentionFloat.google(k, rows: h.keys, dim: h.headDim, wf, features: r, isQuery: false, epsilon: e)
                : FeatureAttentionFloat.ideal(k, rows: h.keys, dim: h.headDim, wf, features: r, temperature: Float(s))
            let out = FeatureAttentionFloat.run(
                phiQ: phiQ, phiK: phiK, v: v, queries: h.queries, keys: h.keys, features: r,
                valueDim: h.valueDim, epsilon: google ? e : 0)
            return ["out": .of(out, shape: [h.queries, h.valueDim])]
        }
        let phiQ =
            google
            ? FavorFeatures.google(h.q, rows: h.queries, dim: h.headDim, w, features: r, isQuery: true, epsilon: eps)
            : FavorFeatures.ideal(h.q, rows: h.queries, dim: h.headDim, w, features: r, temperature: s, hyperbolic: false)
        let phiK =
            google
            ? FavorFeatures.google(h.k, rows: h.keys, dim: h.headDim, w, features: r, isQuery: false, epsilon: eps)
            : FavorFeatures.ideal(h.k, rows: h.keys, dim: h.headDim, w, features: r, temperature: s, hyperbolic: false)
        let out = FeatureAttention.run(
            phiQ: phiQ, phiK: phiK, v: h.v, queries: h.queries, keys: h.keys, features: r, valueDim: h.valueDim,
            causal: causal, epsilon: eps)
        return ["out": .of(out, shape: [h.queries, h.valueDim])]
    }
}

struct ScatterbrainMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (q, qs) = try invocation.real("Q", as: T.self), (k, ks) = try invocation.real("K", as: T.self)
        let (v, vs) = try invocation.real("V", as: T.self)
        guard qs.count == 2, ks.count == 2, vs.count == 2, ks[1] == qs[1], vs[0] == ks[0] else {
            throw TensorError.shapeMismatch(
                tensor: "Q/K/V", shape: [qs, ks, vs].map { Tensor.describe(shape: $0) }.joined(separator: ", "),
                expected: "[Nq, d], [Nk, d], [Nk, Dv]")
        }
        let h = DenseHead(q: q, k: k, v: v, queries: qs[0], keys: ks[0], headDim: qs[1], valueDim: vs[1])
        let (w, r) = try projection(invocation, dim: h.headDim, as: T.self)
        let p = ScatterbrainParameters(invocation.parameters)
        var support: [Bool]
        if let (s, ss) = try invocation.booleans("support") {
            guard ss == [h.queries, h.keys] else {
                throw TensorError.shapeMismatch(tensor: "support", shape: Tensor.describe(shape: ss), expected: Tensor.describe(shape: [h.queries, h.keys]))
            }
            support = s
        } else {
            let width = p.window
            support = [Bool](repeating: false, count: h.queries * h.keys)
            for i in 0..<h.queries {
                let start = i - width / 2
                for j in max(0, start)..<max(max(0, start), min(h.keys, start + width)) { support[i * h.keys + j] = true }
            }
        }
        var keep: [Bool]? = nil
        if let (m, ms) = try invocation.booleans("mask") {
            guard ms == [h.keys] else {
                throw TensorError.shapeMismatch(tensor: "mask", shape: Tensor.describe(shape: ms), expected: "key padding \(Tensor.describe(shape: [h.keys]))")
            }
            keep = m
        }
        let hyperbolic = p.hyperbolic, s = 1 / T(h.headDim).squareRoot()
        func features(_ x: [T], rows: Int) -> [T] {
            if let xf = sameTypeArray(x, as: Float.self), let wf = sameTypeArray(w, as: Float.self) {  // on the matrix multiply
                return sameTypeArray(
                    FeatureAttentionFloat.ideal(
                        xf, rows: rows, dim: h.headDim, wf, features: r, temperature: Float(s),
                        hyperbolic: hyperbolic), as: T.self)!
            }
            return FavorFeatures.ideal(x, rows: rows, dim: h.headDim, w, features: r, temperature: s, hyperbolic: hyperbolic)
        }
        let phiQ = features(h.q, rows: h.queries), phiK = features(h.k, rows: h.keys)
        let out = ScatterbrainAttention.run(h, phiQ: phiQ, phiK: phiK, features: hyperbolic ? 2 * r : r, support: support, keep: keep)
        return ["out": .of(out, shape: [h.queries, h.valueDim])]
    }
}

/// `favor-features-ideal`'s parameters.
struct IdealFeaturesParameters: MethodParameters {
    /// Nil: `1/√d`.
    var temperature: Double?
    var hyperbolic = false

    static let declarations: [ParameterDeclaration<Self>] = [
        .optionalNumber("temp", \.temperature, "s in e^{s q·k}, or auto (1/√d)", range: Double.leastNormalMagnitude...1e30, automatic: "auto"),
        .boolean("hyperbolic", \.hyperbolic, "[exp(u), exp(−u)] features"),
    ]
}

/// `performer-features-google`'s parameters.
struct GoogleFeaturesParameters: MethodParameters {
    var isQuery = true
    var epsilon = 1e-6

    static let declarations: [ParameterDeclaration<Self>] = [
        .boolean("is_query", \.isQuery, "queries shift by their own max, keys by the global max"),
        .number("eps", \.epsilon, "numerical stabiliser ε", range: 0...1),
    ]
}

/// `scatterbrain-attention`'s parameters.
struct ScatterbrainParameters: MethodParameters {
    var window = 64
    var hyperbolic = true

    static let declarations: [ParameterDeclaration<Self>] = [
        .integer("window", \.window, "local window when no support is given", range: 0...1_000_000_000),
        .boolean("hyperbolic", \.hyperbolic, "hyperbolic features (Scatterbrain's choice)"),
    ]
}
