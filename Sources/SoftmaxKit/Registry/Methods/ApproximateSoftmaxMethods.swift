/// Registry entries for the approximate softmaxes and the softmax replacements.
enum ApproximateSoftmaxMethods {
    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "edge-moe-softmax", role: .normalizer,
            summary: "Edge-MoE single-pass softmax: running bias (max) and sum, deferred normalisation",
            inputs: [TensorSpec("x", "scores, rows × cols")],
            outputs: [TensorSpec("y", "probabilities"), TensorSpec("sum_recip", "1/s per row"), TensorSpec("bias", "b (the maximum) per row")],
            isExact: false, citation: Citation.edgeMoE, implementation: EdgeMoESoftmaxMethod(),
            normalizer: { _ in RowKernelNormalizer(EdgeMoESoftmaxKernel()) }, accuracy: .within(2e-4)),
        .normalizer(
            "puma-softmax", summary: "PUMA softmax: exp by (1 + d/2^t)^(2^t) on d = x − max, entries with d ≤ clip dropped",
            parameters: PumaSoftmaxParameters.self, citation: Citation.puma, accuracy: .within(0.25),
            make: { p in RowKernelNormalizer(PumaSoftmaxKernel(iterations: p.iterations, clip: p.clip, exactExponential: p.exponential == .exact)) }),
        .normalizer(
            "stablemax", summary: "StableMax: s(x)/Σs(x), s(x) = x + 1 (x ≥ 0), 1/(1 − x) (x < 0); not shift-invariant",
            citation: Citation.grokking, isReplacement: true, make: { _ in RowKernelNormalizer(StableMaxKernel()) }),
        .normalizer(
            "log-stablemax", summary: "log StableMax: log s(x) − log Σ s(x)",
            citation: Citation.grokking, logProbabilities: true, isReplacement: true,
            make: { _ in RowKernelNormalizer(StableMaxKernel(logarithm: true)) }),
        .normalizer(
            "softermax", summary: "Softermax: base-2 softmax 2^{x−m}/Σ2^{x−m} with an integer running max (= softmax(x·ln2))",
            citation: Citation.softermax, isReplacement: true,
            alias: MethodAlias(of: "softmax", ["exp": .string(ExponentialChoice.base2.rawValue)], isBitIdentical: false),
            make: { _ in RowKernelNormalizer(SoftermaxKernel()) }),
        .normalizer(
            "sparsemax", summary: "sparsemax: Euclidean projection onto the simplex, [x − τ]₊ (exact zeros)",
            isExact: true, citation: Citation.sparsemax, isReplacement: true, make: { _ in RowKernelNormalizer(SparsemaxKernel()) }),
        .normalizer(
            "entmax15", summary: "1.5-entmax, exact by sorting: [x/2 − τ]₊²",
            isExact: true, citation: Citation.entmax, isReplacement: true, make: { _ in RowKernelNormalizer(Entmax15Kernel()) }),
        .normalizer(
            "entmax-bisect", summary: "α-entmax by bisection on τ: [(α−1)x − τ]₊^{1/(α−1)}, renormalised",
            parameters: EntmaxBisectParameters.self, isExact: true, citation: Citation.entmax, isReplacement: true,
            make: { p in RowKernelNormalizer(EntmaxBisectKernel(alpha: p.alpha, iterations: p.iterations)) }),
        .elementwise(
            "stablemax-s", summary: "StableMax's s(x): x + 1 for x ≥ 0, 1/(1 − x) for x < 0; element-wise", output: "s",
            isExact: true, citation: Citation.grokking, make: { _ in ElementwiseActivation(StableMaxS()) }),
        .elementwise(
            "puma-exp-taylor", summary: "PUMA/SPU exp_taylor: (1 + x/2^t)^(2^t) literally; element-wise",
            parameters: PumaExpTaylorParameters.self, citation: Citation.puma, reference: .exp,
            make: { p in ElementwiseActivation(PumaExpTaylor(iterations: p.iterations)) }),
        .elementwise(
            "xnn-exp-rr2-p5", summary: "XNNPACK's rr2_p5 float32 exp (two-constant reduction, degree-5 polynomial); for x ≤ 0",
            citation: Citation.xnnpack, reference: .exp, make: { _ in ElementwiseActivation(XnnExpRR2P5()) }
        ).float32Algorithm,
        MethodDescriptor(
            id: "xnn-extexp-p5", role: .primitive,
            summary: "XNNPACK's extended float32 exp e^x = mantissa·2^exponent (the two-pass kernel's p5)",
            inputs: [TensorSpec("x", "arguments")],
            outputs: [TensorSpec("mantissa", "p(t)"), TensorSpec("exponent", "rne(x·log2 e)")],
            isExact: false, citation: Citation.xnnpack, implementation: Float32Algorithm(base: XnnExtExpMethod())),
    ]
}

/// `puma-softmax`'s parameters.
struct PumaSoftmaxParameters: MethodParameters {
    var iterations = 5
    var clip = -14.0
    var exponential = Exponential.taylor

    enum Exponential: String, CaseIterable, Sendable {
        /// The limit form `(1 + d/2^t)^(2^t)`.
        case taylor
        /// `e^d`, with the clip.
        case exact
    }

    static let declarations: [ParameterDeclaration<Self>] = [
        .integer("iters", \.iterations, "t: squarings of the limit-form exp", range: 0...30),
        .number("clip", \.clip, "d ≤ clip gives 0 (must stay > −2^t for taylor)", range: -1e6...0),
        .choice("exp_mode", \.exponential, "taylor (the limit form) or exact (e^d with the clip)"),
    ]
}

/// `puma-exp-taylor`'s parameters.
struct PumaExpTaylorParameters: MethodParameters {
    var iterations = 5
    static let declarations: [ParameterDeclaration<Self>] = [.integer("iters", \.iterations, "t: squarings", range: 0...30)]
}

/// `entmax-bisect`'s parameters.
struct EntmaxBisectParameters: MethodParameters {
    var alpha = 1.5
    var iterations = 50

    static let declarations: [ParameterDeclaration<Self>] = [
        .number(
            "alpha", \.alpha, "α > 1 (1 is softmax, 2 sparsemax)", range: -1e6...1e6,
            check: { a in a > 1 ? nil : "must be > 1 (α = 1 is softmax: use 'softmax')" }),
        .integer("n_iter", \.iterations, "bisection steps", range: 1...200),
    ]
}

struct StableMaxS: ElementwiseFunction {
    func callAsFunction(_ x: Float) -> Float { StableMaxKernel.s(x) }
    func callAsFunction(_ x: Double) -> Double { StableMaxKernel.s(x) }
}

struct PumaExpTaylor: ElementwiseFunction {
    let iterations: Int
    func callAsFunction(_ x: Float) -> Float { PumaExponential.evaluate(x, iterations: iterations) }
    func callAsFunction(_ x: Double) -> Double { PumaExponential.evaluate(x, iterations: iterations) }
}

/// A float32 algorithm (XNNPACK's kernels): whatever the inputs' precision, it computes in float32
/// and returns float32 — float64 inputs are rounded to float32 first, and the outputs' dtype says
/// so, rather than float64 outputs that look more precise than the algorithm is.
extension MethodDescriptor {
    /// The same entry computing in float32 whatever the inputs' precision (`Float32Algorithm`).
    var float32Algorithm: MethodDescriptor { with(implementation: Float32Algorithm(base: implementation)) }
}

struct Float32Algorithm: MethodImplementation {
    let base: any MethodImplementation

    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let rounded = MethodInvocation(
            method: invocation.method, inputs: invocation.inputs, parameters: invocation.parameters, precision: .float32, allowRounding: true)
        return try base.run(rounded, as: Float.self)
    }
}

struct XnnExpRR2P5: ElementwiseFunction {
    func callAsFunction(_ x: Float) -> Float { XnnExponential.rr2p5(x) }
    func callAsFunction(_ x: Double) -> Double { Double(XnnExponential.rr2p5(Float(x))) }
}

/// `edge-moe-softmax` with its per-row state: `sum_recip = 1/s` and `bias = b`. Special rows
/// (the edge contract): NaN rows give NaN state; `k` entries `+∞` give `(1/k, +∞)`; fully masked rows
/// `(0, −∞)` — `sum_recip` 0 where the definition's `1/s` would be `1/0 = +∞`, a choice: a consumer
/// that rescales a row by it (`y = e·sum_recip`, or merging states) keeps zeros instead of
/// `0·∞ = NaN`.
struct EdgeMoESoftmaxMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (y, states, rowShape) = try softmaxWithRowStates(invocation, as: T.self, initial: (T(0), -T.infinity)) { x, y, states in
            for r in 0..<x.rows {
                let source = x.row(r), target = y.row(r)
                if x.cols > 0, isOrdinaryRow(source, count: x.cols) {
                    states[r] = EdgeMoESoftmaxKernel.row(source, target, count: x.cols)
                } else {
                    let lse = rowEdgeCase(source, target, count: x.cols, output: .probabilities)
                    var infinities = 0
                    for i in 0..<x.cols where source[i] == .infinity { infinities += 1 }
                    states[r] = lse.isNaN ? (.nan, .nan) : lse == .infinity ? (1 / T(infinities), .infinity) : (0, -.infinity)
                }
            }
        }
        return ["y": y, "sum_recip": .of(states.map(\.0), shape: rowShape), "bias": .of(states.map(\.1), shape: rowShape)]
    }
}

/// `xnn-extexp-p5`: element-wise `(mantissa, exponent)` in float32 arithmetic.
struct XnnExtExpMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, shape) = try invocation.real("x", as: T.self)
        let parts = x.map { XnnExponential.extexpP5(Float($0)) }
        return ["mantissa": .of(parts.map { T($0.mantissa) }, shape: shape), "exponent": .of(parts.map { T($0.exponent) }, shape: shape)]
    }
}
