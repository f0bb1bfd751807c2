/// Registry entries for CFCD's MadaCos loss.
enum MadaCosMethods {
    static let inputs = [TensorSpec("cos", "cosine similarities [N, C], C ≥ 2"), TensorSpec("labels", .index, "[N] classes")]
    static let adaptive = [
        TensorSpec("logits", "ℓ = s·cos with the margin on the targets [N, C]"), TensorSpec("scale", "s (0-d)"), TensorSpec("margin", "μ (0-d)"),
        TensorSpec("cos_median", "c, the lower median target cosine (0-d)"), TensorSpec("log_b_avg", "ln B_avg (0-d)"),
    ]

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "madacos-logits", role: .primitive,
            summary: "MadaCos logits: s = max(32, ln(K(1−α)/α)/(1−c)), μ from the median sample's B, ℓ = s·cos − s·μ on the targets",
            parameters: MadaCosParameters.specs, inputs: inputs, outputs: adaptive, isExact: true, citation: MadaCos.citation,
            implementation: MadaCosMethod(loss: false)),
        MethodDescriptor(
            id: "madacos-loss", role: .loss, summary: "MadaCos: mean cross-entropy of the adaptive-scale, adaptive-margin cosine logits",
            parameters: MadaCosParameters.specs, inputs: inputs,
            outputs: [
                TensorSpec("per_example", "[N]"), TensorSpec("loss", "the mean (0-d)"), TensorSpec("grad_cos", "∂loss/∂cos [N, C] (s, μ constants)"),
            ] + adaptive,
            isExact: true, citation: MadaCos.citation, implementation: MadaCosMethod(loss: true), axisInputs: ["cos"]),
    ]
}

struct MadaCosParameters: MethodParameters {
    var alpha = 0.02
    var averageB = MadaCos.AverageB.default
    var training = true
    static let declarations: [ParameterDeclaration<Self>] = [
        .number(
            "alpha", \.alpha, "α ∈ (0, 1): the median sample's target probability", range: 0...1,
            check: { $0 > 0 && $0 < 1 ? nil : "must be in (0, 1)" }),
        .choice("method_b", \.averageB, "default (the median sample's B), median or mean"),
        .boolean("training", \.training, "training mode (false: margin 0)"),
    ]
}

struct MadaCosMethod: MethodImplementation {
    let loss: Bool

    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (cos, n, c) = try matrixInput(invocation, "cos")
        guard c >= 2 else {
            throw TensorError.shapeMismatch(tensor: "cos", shape: invocation.inputs["cos"]!.shapeDescription, expected: "[N, C] with C ≥ 2 classes")
        }
        let labels = try indexInput(invocation, "labels", count: n)
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= c }) {
            throw LossError.label("labels[\(bad)] = \(labels[bad]) is not a class of \(c) (0…\(c - 1))")
        }
        let p = MadaCosParameters(invocation.parameters)
        let r = MadaCos.compute(cos: cos, n: n, classes: c, labels: labels, alpha: p.alpha, averageB: p.averageB, training: p.training)
        let shape = invocation.inputs["cos"]!.shape
        var out: [String: Tensor] = [
            "logits": lossTensor(r.logits, shape: shape, as: T.self), "scale": lossTensor([r.scale], shape: [], as: T.self),
            "margin": lossTensor([r.margin], shape: [], as: T.self), "cos_median": lossTensor([r.cosMedian], shape: [], as: T.self),
            "log_b_avg": lossTensor([r.logBAverage], shape: [], as: T.self),
        ]
        if loss {
            out["per_example"] = lossTensor(r.perExample, shape: Array(shape.dropLast()), as: T.self)
            out["loss"] = lossTensor([r.loss], shape: [], as: T.self)
            out["grad_cos"] = lossTensor(r.gradient, shape: shape, as: T.self)
        }
        return out
    }
}
