/// Registry entries for the losses (with their gradients), the MoE gates, ⊥Grad and the Softmax
/// Collapse diagnostic. They compute in Double and return the inputs' precision.
enum LossMethods {
    static let pytorch = "the cross-entropy of PyTorch's torch.nn.functional.cross_entropy (weights, ignore_index, label_smoothing)"
    static let brebisson = "A. de Brébisson, P. Vincent, The Z-loss: a shift and scale invariant classification loss belonging to the Spherical Family, 2016 (arXiv 1604.08859)"
    static let nguyen = "H. Nguyen, P. Akbarian, F. Yan, N. Ho, Statistical Perspective of Top-K Sparse Softmax Gating Mixture of Experts, ICLR 2024 (arXiv 2309.13850); H. Nguyen, P. Akbarian, N. Ho, ICML 2024 (arXiv 2401.13875)"
    static let gateInputs = [TensorSpec("x", "[N, d]"), TensorSpec("B1", "[E, d]"), TensorSpec("b0", "[E]", optional: true)]

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "cross-entropy", role: .loss, summary: "fused softmax cross-entropy with its gradient: index or probability targets, class weights, ignore_index, label smoothing",
            parameters: [ParameterSpec("ignore_index", .integer, default: .number(-100), "rows with this label contribute nothing", range: -1e15...1e15),
                         ParameterSpec("label_smoothing", .number, default: .number(0), "ε in [0, 1]", range: 0...1),
                         ParameterSpec("reduction", .string, default: .string("mean"), "mean, sum or none", choices: CrossEntropy.Reduction.allCases.map(\.rawValue)),
                         ParameterSpec("chunk", .integer, default: .number(0), "columns per logsumexp pass, partial states merged (0: whole row)", range: 0...1e15)],
            inputs: [TensorSpec("logits", "[N, C]"), TensorSpec("labels", .index, "[N] class indices", optional: true),
                     TensorSpec("target", "[N, C] probabilities (instead of labels)", optional: true),
                     TensorSpec("weight", "[C] class weights", optional: true)],
            outputs: [TensorSpec("per_example", "[N]"), TensorSpec("loss", "reduced (0-d)"), TensorSpec("grad", "∂loss/∂logits [N, C]")],
            isExact: true, citation: pytorch, implementation: CrossEntropyMethod()),
        MethodDescriptor(
            id: "stablemax-cross-entropy", role: .loss, summary: "−log StableMax(x)_y per row, its batch mean, and the gradient of the mean",
            inputs: [TensorSpec("logits", "[N, C]"), TensorSpec("labels", .index, "[N]")],
            outputs: [TensorSpec("per_example", "[N]"), TensorSpec("mean", "0-d"), TensorSpec("grad", "∂mean/∂logits [N, C]")],
            isExact: true, citation: Citation.grokking, implementation: StableMaxCrossEntropyMethod()),
        MethodDescriptor(
            id: "z-normalize", role: .primitive, summary: "z = (o − mean)/population std per row (σ = 0 → 0)",
            inputs: [TensorSpec("o", "[N, D]")], outputs: [TensorSpec("z", "[N, D]")],
            isExact: true, citation: brebisson, implementation: ZNormalizeMethod()),
        MethodDescriptor(
            id: "z-loss", role: .loss, summary: "(1/a)·softplus(a(b − z_c)) on standardised scores, and its gradient",
            parameters: [ParameterSpec("a", .number, default: .number(1), "scale a > 0", range: 1e-300...1e300),
                         ParameterSpec("b", .number, default: .number(0), "offset b", range: -1e300...1e300)],
            inputs: [TensorSpec("o", "[N, D], D ≥ 2"), TensorSpec("c", .index, "[N] targets")],
            outputs: [TensorSpec("per_example", "[N]"), TensorSpec("grad", "∂ℓᵢ/∂o [N, D]")],
            isExact: true, citation: brebisson, implementation: ZLossMethod()),
        MethodDescriptor(
            id: "topk-softmax-gate", role: .gate, summary: "softmax over the K largest scores β₁x + β₀ (ties to the lower index), others 0",
            parameters: [ParameterSpec("k", .integer, default: .number(2), "experts kept", range: 1...1e9),
                         ParameterSpec("order", .string, default: .string("topk-softmax"),
                                       "topk-softmax (softmax over the kept), softmax-topk (renormalised), softmax-topk-unnormalized, sigmoid-topk (renormalised)",
                                       choices: MixtureGates.TopKOrder.allCases.map(\.rawValue))],
            inputs: gateInputs, outputs: [TensorSpec("G", "[N, E]")], isExact: true, citation: nguyen, implementation: GateMethod(variant: "topk")),
        MethodDescriptor(
            id: "dense-to-sparse-gate", role: .gate, summary: "softmax((β₁x + β₀)/τ)",
            parameters: [ParameterSpec("tau", .number, default: .number(1), "temperature τ > 0", range: 1e-300...1e300)],
            inputs: gateInputs, outputs: [TensorSpec("G", "[N, E]")], isExact: true, citation: nguyen, implementation: GateMethod(variant: "dense")),
        MethodDescriptor(
            id: "activation-dense-to-sparse-gate", role: .gate, summary: "softmax(σ(β₁x)/τ + β₀), σ sigmoid or tanh",
            parameters: [ParameterSpec("tau", .number, default: .number(1), "temperature τ > 0", range: 1e-300...1e300),
                         ParameterSpec("activation", .string, default: .string("sigmoid"), "sigmoid or tanh", choices: ["sigmoid", "tanh"])],
            inputs: gateInputs, outputs: [TensorSpec("G", "[N, E]")], isExact: true, citation: nguyen, implementation: GateMethod(variant: "activation")),
        MethodDescriptor(
            id: "perp-grad", role: .primitive, summary: "⊥Grad: g − (θ·g)/(θ·θ)·θ, optionally rescaled to ‖g‖",
            parameters: [ParameterSpec("rescale", .boolean, default: .boolean(false), "the official OrthoGrad rescaling g⊥·‖g‖/‖g⊥‖")],
            inputs: [TensorSpec("w", "parameters θ (any shape)"), TensorSpec("g", "gradient, same shape")], outputs: [TensorSpec("g_perp", "same shape")],
            isExact: true, citation: Citation.grokking, implementation: PerpGradMethod()),
        MethodDescriptor(
            id: "softmax-collapse", role: .primitive, summary: "per row: does fl(Σ e^{x − max}) == 1 exactly in float32 (or float64)?",
            parameters: [ParameterSpec("dtype", .string, default: .string("float32"), "the working precision", choices: ["float32", "float64"])],
            inputs: [TensorSpec("logits", "[N, C]")], outputs: [TensorSpec("collapsed", .boolean, "[N]")],
            isExact: true, citation: Citation.grokking, implementation: SoftmaxCollapseMethod()),
    ]
}

/// A 1-d or 2-d real input as `(values, rows, cols)` in Double.
func matrixInput(_ invocation: MethodInvocation, _ name: String) throws -> (values: [Double], rows: Int, cols: Int) {
    let (v, s) = try invocation.real(name, as: Double.self)
    switch s.count {
    case 1: return (v, 1, s[0])
    case 2: return (v, s[0], s[1])
    default: throw TensorError.badRank(tensor: name, shape: Tensor.describe(shape: s), expected: "1-d or 2-d [N, C]")
    }
}

func indexInput(_ invocation: MethodInvocation, _ name: String, count: Int) throws -> [Int] {
    guard let t = invocation.inputs[name] else { throw RegistryError.missingInput(method: invocation.method, name: name) }
    let v = try t.indices(name: name)
    guard v.count == count else { throw TensorError.shapeMismatch(tensor: name, shape: t.shapeDescription, expected: "\(count) values") }
    return v
}

func lossTensor<T: KernelScalar>(_ values: [Double], shape: [Int], as: T.Type) -> Tensor { .of(values.map { T($0) }, shape: shape) }

struct CrossEntropyMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, n, c) = try matrixInput(invocation, "logits")
        let p = invocation.parameters
        let targets: CrossEntropy.Targets
        switch (invocation.inputs["labels"], invocation.inputs["target"]) {
        case (.some, nil): targets = .indices(try indexInput(invocation, "labels", count: n))
        case (nil, .some):
            let (t, tn, tc) = try matrixInput(invocation, "target")
            guard tn == n, tc == c else { throw TensorError.shapeMismatch(tensor: "target", shape: "(\(tn), \(tc))", expected: "(\(n), \(c)) like logits") }
            targets = .probabilities(t)
        default:
            throw RegistryError.invalidParameter(method: invocation.method, name: "labels/target", value: "-", reason: "give exactly one of labels and target")
        }
        let weight = try invocation.inputs["weight"].map { _ in try invocation.real("weight", as: Double.self).values }
        let reduction = CrossEntropy.Reduction(rawValue: p.string("reduction")) ?? .mean
        let r = try CrossEntropy.compute(logits: x, rows: n, classes: c, targets: targets, weights: weight, ignoreIndex: p.integer("ignore_index"),
                                         labelSmoothing: p.number("label_smoothing"), reduction: reduction,
                                         chunk: p.integer("chunk"))
        return ["per_example": lossTensor(r.perExample, shape: [n], as: T.self), "loss": lossTensor([r.loss], shape: [], as: T.self),
                "grad": lossTensor(r.gradient, shape: [n, c], as: T.self)]
    }
}

struct StableMaxCrossEntropyMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, n, c) = try matrixInput(invocation, "logits")
        let r = try StableMaxCrossEntropy.compute(logits: x, rows: n, classes: c, labels: try indexInput(invocation, "labels", count: n))
        return ["per_example": lossTensor(r.perExample, shape: [n], as: T.self), "mean": lossTensor([r.mean], shape: [], as: T.self),
                "grad": lossTensor(r.gradient, shape: [n, c], as: T.self)]
    }
}

struct ZNormalizeMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (o, n, d) = try matrixInput(invocation, "o")
        let z = (0..<n).flatMap { ZLoss.normalize(o[($0 * d)..<(($0 + 1) * d)]).z }
        return ["z": lossTensor(z, shape: invocation.inputs["o"]?.shape ?? [n, d], as: T.self)]
    }
}

struct ZLossMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (o, n, d) = try matrixInput(invocation, "o")
        let p = invocation.parameters
        let r = try ZLoss.compute(o, rows: n, classes: d, labels: try indexInput(invocation, "c", count: n), a: p.number("a"), b: p.number("b"))
        return ["per_example": lossTensor(r.perExample, shape: [n], as: T.self), "grad": lossTensor(r.gradient, shape: [n, d], as: T.self)]
    }
}

struct GateMethod: MethodImplementation {
    let variant: String
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, n, d) = try matrixInput(invocation, "x")
        let (b1, e, d1) = try matrixInput(invocation, "B1")
        guard d1 == d else { throw TensorError.shapeMismatch(tensor: "B1", shape: "(\(e), \(d1))", expected: "[E, \(d)]") }
        let b0 = try invocation.inputs["b0"].map { _ in try invocation.real("b0", as: Double.self).values }
        let p = invocation.parameters
        let kind: MixtureGates.Kind
        switch variant {
        case "topk": kind = .topK(p.integer("k"), order: MixtureGates.TopKOrder(rawValue: p.string("order")) ?? .topKSoftmax)
        case "dense": kind = .denseToSparse(tau: p.number("tau"))
        default: kind = .activation(tau: p.number("tau"), tanh: p.string("activation") == "tanh")
        }
        let g = try MixtureGates.gate(x: x, rows: n, dim: d, b1: b1, experts: e, b0: b0, kind: kind)
        return ["G": lossTensor(g, shape: [n, e], as: T.self)]
    }
}

struct PerpGradMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (w, ws) = try invocation.real("w", as: Double.self), (g, gs) = try invocation.real("g", as: Double.self)
        guard ws == gs else { throw TensorError.shapeMismatch(tensor: "g", shape: Tensor.describe(shape: gs), expected: Tensor.describe(shape: ws)) }
        let perp = try PerpendicularGradient.project(weights: w, gradient: g, rescale: invocation.parameters.boolean("rescale"))
        return ["g_perp": lossTensor(perp, shape: ws, as: T.self)]
    }
}

struct SoftmaxCollapseMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, n, c) = try matrixInput(invocation, "logits")
        let collapsed = invocation.parameters.string("dtype") == "float64"
            ? SoftmaxCollapse.collapsed(x, rows: n, classes: c, as: Double.self)
            : SoftmaxCollapse.collapsed(x.map { Float($0) }, rows: n, classes: c, as: Float.self)
        let shape = invocation.inputs["logits"]?.rank == 1 ? [] : [n]
        return ["collapsed": Tensor(shape: shape, collapsed)]
    }
}
