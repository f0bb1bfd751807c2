/// Registry entries for the losses (with their gradients), ⊥Grad and the Softmax Collapse
/// diagnostic. They compute in Double and return the inputs' precision.
enum LossMethods {
    static let pytorch = "the cross-entropy of PyTorch's torch.nn.functional.cross_entropy (weights, ignore_index, label_smoothing)"
    static let brebisson =
        "A. de Brébisson, P. Vincent, The Z-loss: a shift and scale invariant classification loss belonging to the Spherical Family, 2016 (arXiv 1604.08859)"

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "cross-entropy", role: .loss,
            summary: "fused softmax cross-entropy with its gradient: index or probability targets, class weights, ignore_index, label smoothing",
            parameters: CrossEntropyParameters.specs,
            inputs: [
                TensorSpec("logits", "[N, C]"), TensorSpec("labels", .index, "[N] class indices", optional: true),
                TensorSpec("target", "[N, C] probabilities (instead of labels)", optional: true),
                TensorSpec("weight", "[C] class weights", optional: true),
            ],
            outputs: [TensorSpec("per_example", "[N]"), TensorSpec("loss", "reduced (0-d)"), TensorSpec("grad", "∂loss/∂logits [N, C]")],
            isExact: true, citation: pytorch, implementation: CrossEntropyMethod(), loss: { CrossEntropyParameters($0) }, axisInputs: ["logits", "target"]),
        MethodDescriptor(
            id: "stablemax-cross-entropy", role: .loss, summary: "−log StableMax(x)_y per row, its batch mean, and the gradient of the mean",
            inputs: [TensorSpec("logits", "[N, C]"), TensorSpec("labels", .index, "[N]")],
            outputs: [TensorSpec("per_example", "[N]"), TensorSpec("mean", "0-d"), TensorSpec("grad", "∂mean/∂logits [N, C]")],
            isExact: true, citation: Citation.grokking, implementation: StableMaxCrossEntropyMethod(), loss: { _ in StableMaxCrossEntropyLoss() },
            axisInputs: ["logits"]),
        MethodDescriptor(
            id: "z-normalize", role: .primitive, summary: "z = (o − mean)/population std per row (σ = 0 → 0)",
            inputs: [TensorSpec("o", "[N, D]")], outputs: [TensorSpec("z", "[N, D]")],
            isExact: true, citation: brebisson, implementation: ZNormalizeMethod()),
        MethodDescriptor(
            id: "z-loss", role: .loss, summary: "(1/a)·softplus(a(b − z_c)) on standardised scores, and its gradient",
            parameters: ZLossParameters.specs,
            inputs: [TensorSpec("o", "[N, D], D ≥ 2"), TensorSpec("c", .index, "[N] targets")],
            outputs: [TensorSpec("per_example", "[N]"), TensorSpec("grad", "∂ℓᵢ/∂o [N, D]")],
            isExact: true, citation: brebisson, implementation: ZLossMethod(), loss: { ZLossParameters($0) }, axisInputs: ["o"]),
        MethodDescriptor(
            id: "perp-grad", role: .primitive, summary: "⊥Grad: g − (θ·g)/(θ·θ)·θ, optionally rescaled to ‖g‖",
            parameters: PerpGradParameters.specs,
            inputs: [TensorSpec("w", "parameters θ (any shape)"), TensorSpec("g", "gradient, same shape")], outputs: [TensorSpec("g_perp", "same shape")],
            isExact: true, citation: Citation.grokking, implementation: PerpGradMethod()),
        MethodDescriptor(
            id: "softmax-collapse", role: .primitive, summary: "per row: does fl(Σ e^{x − max}) == 1 exactly in float32 (or float64)?",
            parameters: SoftmaxCollapseParameters.specs,
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
    guard t.rank <= 1, v.count == count else {
        throw TensorError.shapeMismatch(tensor: name, shape: t.shapeDescription, expected: "(\(count),): one index per row")
    }
    return v
}

func lossTensor<T: KernelScalar>(_ values: [Double], shape: [Int], as: T.Type) -> Tensor { .of(values.map { T($0) }, shape: shape) }

struct CrossEntropyMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, n, c) = try matrixInput(invocation, "logits")
        let p = CrossEntropyParameters(invocation.parameters)
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
        let r = try CrossEntropy.compute(
            logits: x, rows: n, classes: c, targets: targets, weights: weight, ignoreIndex: p.ignoreIndex,
            labelSmoothing: p.labelSmoothing, reduction: p.reduction, chunk: p.chunk ?? 0)
        return [
            "per_example": lossTensor(r.perExample, shape: [n], as: T.self), "loss": lossTensor([r.loss], shape: [], as: T.self),
            "grad": lossTensor(r.gradient, shape: [n, c], as: T.self),
        ]
    }
}

struct StableMaxCrossEntropyMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, n, c) = try matrixInput(invocation, "logits")
        let r = try StableMaxCrossEntropy.compute(logits: x, rows: n, classes: c, labels: try indexInput(invocation, "labels", count: n))
        return [
            "per_example": lossTensor(r.perExample, shape: [n], as: T.self), "mean": lossTensor([r.mean], shape: [], as: T.self),
            "grad": lossTensor(r.gradient, shape: [n, c], as: T.self),
        ]
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
        let p = ZLossParameters(invocation.parameters)
        let r = try ZLoss.compute(o, rows: n, classes: d, labels: try indexInput(invocation, "c", count: n), a: p.a, b: p.b)
        return ["per_example": lossTensor(r.perExample, shape: [n], as: T.self), "grad": lossTensor(r.gradient, shape: [n, d], as: T.self)]
    }
}

struct PerpGradMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (w, ws) = try invocation.real("w", as: Double.self), (g, gs) = try invocation.real("g", as: Double.self)
        guard ws == gs else { throw TensorError.shapeMismatch(tensor: "g", shape: Tensor.describe(shape: gs), expected: Tensor.describe(shape: ws)) }
        let perp = try PerpendicularGradient.project(weights: w, gradient: g, rescale: PerpGradParameters(invocation.parameters).rescale)
        return ["g_perp": lossTensor(perp, shape: ws, as: T.self)]
    }
}

struct SoftmaxCollapseMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, n, c) = try matrixInput(invocation, "logits")
        let collapsed =
            SoftmaxCollapseParameters(invocation.parameters).precision == .float64
            ? SoftmaxCollapse.collapsed(x, rows: n, classes: c, as: Double.self)
            : SoftmaxCollapse.collapsed(x.map { Float($0) }, rows: n, classes: c, as: Float.self)
        let shape = invocation.inputs["logits"]?.rank == 1 ? [] : [n]
        return ["collapsed": Tensor(shape: shape, collapsed)]
    }
}

/// `cross-entropy`'s parameters (PyTorch's names and defaults).
struct CrossEntropyParameters: MethodParameters {
    var ignoreIndex = -100
    var labelSmoothing = 0.0
    var reduction = CrossEntropy.Reduction.mean
    /// Nil: the whole row in one logsumexp pass.
    var chunk: Int?

    static let declarations: [ParameterDeclaration<Self>] = [
        .integer("ignore_index", \.ignoreIndex, "rows with this label contribute nothing", range: -1_000_000_000_000_000...1_000_000_000_000_000),
        .number("label_smoothing", \.labelSmoothing, "ε in [0, 1]", range: 0...1),
        .choice("reduction", \.reduction, "mean, sum or none"),
        .optionalInteger(
            "chunk", \.chunk, "columns per logsumexp pass, partial states merged, or none (the whole row)",
            range: 1...1_000_000_000_000_000, automatic: "none"),
    ]
}

/// `z-loss`'s parameters.
struct ZLossParameters: MethodParameters {
    var a = 1.0
    var b = 0.0

    static let declarations: [ParameterDeclaration<Self>] = [
        .number("a", \.a, "scale a > 0", range: 1e-300...1e300),
        .number("b", \.b, "offset b", range: -1e300...1e300),
    ]
}

/// `perp-grad`'s parameters.
struct PerpGradParameters: MethodParameters {
    var rescale = false
    static let declarations: [ParameterDeclaration<Self>] = [
        .boolean("rescale", \.rescale, "the official OrthoGrad rescaling g⊥·‖g‖/‖g⊥‖")
    ]
}

/// `softmax-collapse`'s parameters.
struct SoftmaxCollapseParameters: MethodParameters {
    var precision = Precision.float32
    static let declarations: [ParameterDeclaration<Self>] = [.choice("dtype", \.precision, "the working precision")]
}

extension CrossEntropyParameters: ClassificationLoss {
    func evaluate(logits: [Double], rows: Int, classes: Int, labels: [Int]) throws -> LossEvaluation {
        let r = try CrossEntropy.compute(
            logits: logits, rows: rows, classes: classes, targets: .indices(labels), ignoreIndex: ignoreIndex,
            labelSmoothing: labelSmoothing, reduction: reduction, chunk: chunk ?? 0)
        return LossEvaluation(perExample: r.perExample, loss: r.loss, gradient: r.gradient)
    }
}

/// `stablemax-cross-entropy` as a loss: the batch mean.
struct StableMaxCrossEntropyLoss: ClassificationLoss {
    func evaluate(logits: [Double], rows: Int, classes: Int, labels: [Int]) throws -> LossEvaluation {
        let r = try StableMaxCrossEntropy.compute(logits: logits, rows: rows, classes: classes, labels: labels)
        return LossEvaluation(perExample: r.perExample, loss: r.mean, gradient: r.gradient)
    }
}

/// `z-loss` as a loss: the batch mean.
extension ZLossParameters: ClassificationLoss {
    func evaluate(logits: [Double], rows: Int, classes: Int, labels: [Int]) throws -> LossEvaluation {
        let r = try ZLoss.compute(logits, rows: rows, classes: classes, labels: labels, a: a, b: b)
        return .mean(perExample: r.perExample, perExampleGradient: r.gradient)
    }
}
