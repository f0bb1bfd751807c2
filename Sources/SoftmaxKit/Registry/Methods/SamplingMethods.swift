/// Registry entries for the samplers: soft thinking's weighted token list and soft token, and
/// the plain sampler over the same filters.
enum SamplingMethods {
    static let softThinking =
        "LLMs are Single-threaded Reasoners: Demystifying the Working Mechanism of Soft Thinking, 2025 (arXiv 2508.03440); WJMacro/Randomized-Soft-Thinking"

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "soft-thinking-weights", role: .sampler,
            summary: "softmax(logits/T) → top-k → top-p → min-p → Dirichlet noise → max_topk ids → Gumbel-softmax noise; the soft token Σ w·E[id]",
            parameters: SoftThinkingParameters.specs,
            inputs: [
                TensorSpec("logits", "[V] or [N, V]"), TensorSpec("E", "[V, D] input embeddings", optional: true),
                TensorSpec("gumbel_noise", "Gumbel(0,1) draws [max_topk] or [N, max_topk]", optional: true),
                TensorSpec("uniform", "U(0,1) draws for the Gumbel noise, −log(−log u) [max_topk] or [N, max_topk]", optional: true),
                TensorSpec("gamma_draws", "Gamma(α·pⱼ, 1) draws [V] or [N, V]", optional: true),
            ],
            outputs: [
                TensorSpec("indices", .index, "[max_topk] or [N, max_topk], descending weight"), TensorSpec("weights", "same shape"),
                TensorSpec("embedding", "[D] or [N, D] (when E is given)"),
            ],
            isExact: true, citation: softThinking, implementation: SoftThinkingMethod(),
            sampler: { SoftThinkingParameters($0).sampler }),
        MethodDescriptor(
            id: "sample-token", role: .sampler,
            summary:
                "one token per row from softmax(logits/T) after top-k → top-p → min-p (or, in llama.cpp order, the filters first), by inverse CDF in id order (−1 when no token survives)",
            parameters: SampleTokenParameters.specs,
            inputs: [TensorSpec("logits", "[V] or [N, V]"), TensorSpec("uniform", "U[0,1) draws [N] (else seeded)", optional: true)],
            outputs: [TensorSpec("token", .index, "0-d or [N]"), TensorSpec("probs", "the filtered distribution, like logits")],
            isExact: true, citation: softThinking, implementation: SampleTokenMethod(),
            sampler: { FilteredTokenSampler(filters: SampleTokenParameters($0).filters) }, axisInputs: ["logits"]),
    ]
}

/// Optional per-row draws: `[K]` for one row of logits, `[N, K]` for N rows.
func rowDraws(_ invocation: MethodInvocation, _ name: String, rows n: Int, width k: Int) throws -> [[Double]]? {
    guard invocation.inputs[name] != nil else { return nil }
    let (v, shape) = try invocation.real(name, as: Double.self)
    guard v.count == n * k else {
        throw TensorError.shapeMismatch(tensor: name, shape: Tensor.describe(shape: shape), expected: n == 1 ? "[\(k)]" : "[\(n), \(k)]")
    }
    return (0..<n).map { Array(v[($0 * k)..<(($0 + 1) * k)]) }
}

struct SoftThinkingMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, n, v) = try matrixInput(invocation, "logits")
        let p = SoftThinkingParameters(invocation.parameters), k = p.maxTopK
        let flat = invocation.inputs["logits"]?.rank == 1
        let gumbel =
            try rowDraws(invocation, "gumbel_noise", rows: n, width: k)
            ?? rowDraws(invocation, "uniform", rows: n, width: k)?.map { row in
                try row.map { u in
                    guard u > 0, u < 1 else { throw SamplingError.input("uniform draw \(u) is outside (0, 1)") }
                    return -Double.scalarLog(-Double.scalarLog(u))
                }
            }
        let gamma = try rowDraws(invocation, "gamma_draws", rows: n, width: v)
        let tau: Double? = gumbel != nil || p.gumbel ? p.gumbelTau : nil
        var noise = SoftThinking.Noise(seed: p.seed)
        var ids = [Int](), weights = [Double]()
        for i in 0..<n {
            noise.gumbel = gumbel?[i]
            noise.gamma = gamma?[i]
            let r = try SoftThinking.weights(
                Array(x[(i * v)..<((i + 1) * v)]), filters: p.filters, maxTopK: k,
                gumbelTau: tau, dirichletAlpha: p.dirichletAlpha, noise: &noise)
            ids += r.indices
            weights += r.weights
        }
        let shape = flat ? [k] : [n, k]
        var out = ["indices": Tensor(shape: shape, storage: .int64(ids.map(Int64.init))), "weights": lossTensor(weights, shape: shape, as: T.self)]
        if invocation.inputs["E"] != nil {
            let (e, rows, d) = try matrixInput(invocation, "E")
            guard rows == v else { throw TensorError.shapeMismatch(tensor: "E", shape: "(\(rows), \(d))", expected: "[\(v), D]: one row per logit") }
            var soft = [Double]()
            for i in 0..<n {
                let row = (i * k)..<((i + 1) * k)
                soft += try SoftThinking.embedding(e, dim: d, indices: Array(ids[row]), weights: Array(weights[row]))
            }
            out["embedding"] = lossTensor(soft, shape: flat ? [d] : [n, d], as: T.self)
        }
        return out
    }
}

struct SampleTokenMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, n, v) = try matrixInput(invocation, "logits")
        let p = SampleTokenParameters(invocation.parameters)
        let given = try rowDraws(invocation, "uniform", rows: n, width: 1)
        var generator = SeededGenerator(seed: p.seed)
        var tokens = [Int64](), probs = [Double]()
        for i in 0..<n {
            let u = given?[i][0] ?? Double.random(in: 0..<1, using: &generator)
            let r = try TokenSampler.sample(Array(x[(i * v)..<((i + 1) * v)]), filters: p.filters, uniform: u)
            tokens.append(Int64(r.token))
            probs += r.probabilities
        }
        let flat = invocation.inputs["logits"]?.rank == 1
        return ["token": Tensor(shape: flat ? [] : [n], storage: .int64(tokens)), "probs": lossTensor(probs, shape: flat ? [v] : [n, v], as: T.self)]
    }
}

/// The filters every sampler applies.
struct FilterParameters: MethodParameters {
    var filters = SoftThinking.Filters()

    static let declarations: [ParameterDeclaration<Self>] = [
        .number("temperature", \.filters.temperature, "softmax temperature T > 0", range: 1e-300...1e300),
        .integer("top_k", \.filters.topK, "keep the k largest, ties kept (0: off)", range: 0...1_000_000_000_000),
        .number("top_p", \.filters.topP, "nucleus mass in (0, 1] (1: off)", range: 1e-300...1),
        .number("min_p", \.filters.minP, "drop p < min_p·max p (0: off)", range: 0...1),
    ]
}

/// The seed of the noise not given as an input.
private let seedRange = 0...9_000_000_000_000_000

/// `soft-thinking-weights`' parameters.
struct SoftThinkingParameters: MethodParameters {
    var filter = FilterParameters()
    var filters: SoftThinking.Filters { filter.filters }
    var maxTopK = 10
    var gumbel = false
    var gumbelTau = 1.0
    var dirichletAlpha = 1e20
    var seedValue = 0
    var seed: UInt64 { UInt64(seedValue) }

    /// The sampler these parameters describe; its noise comes from the caller's generator (`seed` is for `call`).
    var sampler: SoftThinkingSampler {
        SoftThinkingSampler(filters: filters, maxTopK: maxTopK, gumbelTau: gumbel ? gumbelTau : nil, dirichletAlpha: dirichletAlpha)
    }

    static let declarations: [ParameterDeclaration<Self>] =
        FilterParameters.declarations.map { $0.nested(in: \.filter) } + [
            .integer("max_topk", \.maxTopK, "ids kept in the soft token", range: 1...1_000_000_000_000),
            .boolean("gumbel", \.gumbel, "add Gumbel-softmax noise from the seeded generator (on anyway when gumbel_noise or uniform is given)"),
            .number("gumbel_tau", \.gumbelTau, "Gumbel-softmax temperature τ_g > 0", range: 1e-300...1e300),
            .number("dirichlet_alpha", \.dirichletAlpha, "Dirichlet concentration α (≥ 10⁶: no noise)", range: 1e-300...1e300),
            .integer("seed", \.seedValue, "seed of the noise not given as an input", range: seedRange),
        ]
}

/// `sample-token`'s parameters.
struct SampleTokenParameters: MethodParameters {
    var filter = FilterParameters()
    var filters: SoftThinking.Filters { filter.filters }
    var seedValue = 0
    var seed: UInt64 { UInt64(seedValue) }

    static let declarations: [ParameterDeclaration<Self>] =
        FilterParameters.declarations.map { $0.nested(in: \.filter) } + [
            .choice("order", \.filter.filters.order, "hf: temperature, then the filters; llama.cpp: the filters on softmax(logits), then the temperature"),
            .integer("seed", \.seedValue, "seed of the noise not given as an input", range: seedRange),
        ]
}
