/// Registry entries for the classification losses beyond cross-entropy: comp-sum, the L2-SVM
/// family, the decoupled softmax loss and AnyLoss.
enum ClassificationLossMethods {
    static let mao = "A. Mao, M. Mohri, Y. Zhong, Cross-Entropy Loss Functions: Theoretical Analysis and Applications, ICML 2023 (arXiv 2304.07288)"
    static let agarap =
        "A. F. Agarap, An Architecture Combining CNN and SVM for Image Classification, 2017 (arXiv 1712.03541); Y. Tang, Deep Learning using Linear Support Vector Machines, 2013"
    static let gupta = "N. Gupta et al., Dual-Encoders for Extreme Multi-Label Classification, ICLR 2024 (arXiv 2310.10636)"
    static let han = "D. Han, N. Moniz, N. V. Chawla, AnyLoss: Transforming Classification Metrics into Loss Functions, KDD 2024 (arXiv 2405.14745)"
    static let svmInputs = [TensorSpec("outputs", "[N, C] scores"), TensorSpec("labels", .index, "[N]"), TensorSpec("W", "readout weights (any shape)")]
    static let svmOutputs = [TensorSpec("loss", "0-d"), TensorSpec("grad", "∂loss/∂outputs [N, C]"), TensorSpec("grad_W", "∂loss/∂W, shape of W")]

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "comp-sum-loss", role: .loss, summary: "Φ^τ(Σ_{y'≠y} e^{h_y' − h_y}): τ = 0 sum-exp, 1 cross-entropy, 3/2 GCE, 2 MAE",
            parameters: CompSumParameters.specs,
            inputs: [TensorSpec("h", "[N, C] scores"), TensorSpec("y", .index, "[N] labels")],
            outputs: [TensorSpec("loss", "[N] per example"), TensorSpec("grad", "∂ℓᵢ/∂h [N, C]")],
            isExact: true, citation: mao, implementation: CompSumMethod(), loss: { CompSumParameters($0) }, axisInputs: ["h"]),
        MethodDescriptor(
            id: "l2svm-squared-hinge", role: .loss, summary: "max(0, 1 − y·o)² with one-vs-rest ±1 targets",
            parameters: SquaredHingeParameters.specs,
            inputs: [svmInputs[0], svmInputs[1]],
            outputs: [TensorSpec("loss", "reduced, or [N, C] for none"), TensorSpec("grad", "∂loss/∂outputs [N, C] (per element for none)")],
            isExact: true, citation: agarap, implementation: SquaredHingeMethod()),
        MethodDescriptor(
            id: "cnn-svm-objective", role: .loss, summary: "the cnn-svm code's objective: mean(W²) + C·mean max(0, 1 − y⊙o)²",
            parameters: SVMObjectiveParameters.specs, inputs: svmInputs, outputs: svmOutputs,
            isExact: true, citation: agarap, implementation: SVMObjectiveMethod(paper: false)),
        MethodDescriptor(
            id: "l2svm-paper-objective", role: .loss, summary: "the paper's objective: ½‖W‖² + C·Σ max(0, 1 − y·o)²",
            parameters: SVMObjectiveParameters.specs, inputs: svmInputs, outputs: svmOutputs,
            isExact: true, citation: agarap, implementation: SVMObjectiveMethod(paper: true)),
        MethodDescriptor(
            id: "l2svm-targets", role: .primitive, summary: "one-vs-rest targets: +1 at the label, −1 elsewhere",
            parameters: SVMTargetsParameters.specs,
            inputs: [TensorSpec("labels", .index, "[N]")], outputs: [TensorSpec("Y", "[N, C]")],
            isExact: true, citation: agarap, implementation: SVMTargetsMethod()),
        MethodDescriptor(
            id: "decoupled-softmax-loss", role: .loss,
            summary: "each positive against the negatives only: mean over queries of the mean −log e^{s_p}/(e^{s_p} + Σ_neg e^{s_l})",
            parameters: DecoupledSoftmaxParameters.specs,
            inputs: [TensorSpec("S", "[Q, L] cosine similarities"), TensorSpec("P", .boolean, "[Q, L] positives")],
            outputs: [TensorSpec("loss", "0-d"), TensorSpec("grad", "∂loss/∂S [Q, L]")],
            isExact: true, citation: gupta, implementation: DecoupledMethod(), axisInputs: ["S", "P"]),
        MethodDescriptor(
            id: "anyloss-amplify", role: .primitive, summary: "A(p) = 1/(1 + e^{−L(p − ½)})",
            parameters: AnyLossParameters.specs, inputs: [TensorSpec("p", "probabilities")], outputs: [TensorSpec("a", "same shape")],
            isExact: true, citation: han, implementation: AmplifyMethod()),
        MethodDescriptor(
            id: "anyloss", role: .loss, summary: "soft confusion matrix and the accuracy, F1, F2, G-mean and balanced-accuracy losses",
            parameters: AnyLossParameters.specs, inputs: [TensorSpec("y", "[N] labels 0/1"), TensorSpec("p", "[N] sigmoid outputs")],
            outputs: ["TN", "FP", "FN", "TP", "accuracy_loss", "f1_loss", "f2_loss", "gmean_loss", "balanced_accuracy_loss"].map { TensorSpec($0, "0-d") }
                + AnyLossMethod.metrics.map { TensorSpec($0.0 + "_grad", "∂\($0.0)/∂p [N]") },
            isExact: true, citation: han, implementation: AnyLossMethod()),
    ]
}

struct CompSumMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (h, n, c) = try matrixInput(invocation, "h")
        let r = try CompSumLoss.compute(
            h, rows: n, classes: c, labels: try indexInput(invocation, "y", count: n), tau: CompSumParameters(invocation.parameters).tau)
        let flat = invocation.inputs["h"]?.rank == 1
        return ["loss": lossTensor(r.loss, shape: flat ? [] : [n], as: T.self), "grad": lossTensor(r.gradient, shape: flat ? [c] : [n, c], as: T.self)]
    }
}

struct SquaredHingeMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (o, n, c) = try matrixInput(invocation, "outputs")
        let labels = try indexInput(invocation, "labels", count: n)
        let h = try L2SVM.squaredHinge(o, classes: c, labels: labels)
        let g = try L2SVM.squaredHingeGradient(o, classes: c, labels: labels)
        switch SquaredHingeParameters(invocation.parameters).reduction {
        case .none: return ["loss": lossTensor(h, shape: [n, c], as: T.self), "grad": lossTensor(g, shape: [n, c], as: T.self)]
        case .sum: return ["loss": lossTensor([h.reduce(0, +)], shape: [], as: T.self), "grad": lossTensor(g, shape: [n, c], as: T.self)]
        case .mean:
            let count = Double(max(h.count, 1))
            return ["loss": lossTensor([h.reduce(0, +) / count], shape: [], as: T.self), "grad": lossTensor(g.map { $0 / count }, shape: [n, c], as: T.self)]
        }
    }
}

struct SVMObjectiveMethod: MethodImplementation {
    let paper: Bool
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (o, n, c) = try matrixInput(invocation, "outputs")
        let (w, ws) = try invocation.real("W", as: Double.self)
        let r = try L2SVM.objective(
            o, classes: c, labels: try indexInput(invocation, "labels", count: n), weights: w,
            penalty: SVMObjectiveParameters(invocation.parameters).penalty, form: paper ? .paper : .code)
        return [
            "loss": lossTensor([r.loss], shape: [], as: T.self),
            "grad": lossTensor(r.gradOutputs, shape: invocation.inputs["outputs"]?.shape ?? [n, c], as: T.self),
            "grad_W": lossTensor(r.gradWeights, shape: ws, as: T.self),
        ]
    }
}

struct SVMTargetsMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        guard let t = invocation.inputs["labels"] else { throw RegistryError.missingInput(method: invocation.method, name: "labels") }
        let labels = try t.indices(name: "labels"), c = SVMTargetsParameters(invocation.parameters).classes
        try MemoryBudget.require([([labels.count, c], 16)], for: "l2svm-targets' N × C = \(labels.count) × \(c)")
        return ["Y": lossTensor(try L2SVM.targets(labels, classes: c), shape: [labels.count, c], as: T.self)]
    }
}

struct DecoupledMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (s, q, l) = try matrixInput(invocation, "S")
        guard let (p, ps) = try invocation.booleans("P") else { throw RegistryError.missingInput(method: invocation.method, name: "P") }
        guard p.count == q * l else { throw TensorError.shapeMismatch(tensor: "P", shape: Tensor.describe(shape: ps), expected: "(\(q), \(l)) like S") }
        let r = try DecoupledSoftmaxLoss.compute(scores: s, positives: p, queries: q, labels: l, tau: DecoupledSoftmaxParameters(invocation.parameters).tau)
        return ["loss": lossTensor([r.loss], shape: [], as: T.self), "grad": lossTensor(r.gradient, shape: [q, l], as: T.self)]
    }
}

struct AmplifyMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (p, shape) = try invocation.real("p", as: Double.self)
        let l = AnyLossParameters(invocation.parameters).amplification
        return ["a": lossTensor(p.map { AnyLoss.amplify($0, l: l) }, shape: shape, as: T.self)]
    }
}

struct AnyLossMethod: MethodImplementation {
    static let metrics: [(String, AnyLoss.Metric)] = [
        ("accuracy_loss", .accuracy), ("f1_loss", .fBeta(1)), ("f2_loss", .fBeta(2)),
        ("gmean_loss", .gMean), ("balanced_accuracy_loss", .balancedAccuracy),
    ]
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let y = try invocation.real("y", as: Double.self).values, p = try invocation.real("p", as: Double.self).values
        let l = AnyLossParameters(invocation.parameters).amplification
        let m = try AnyLoss.confusion(y: y, p: p, l: l)
        let values: [String: Double] = [
            "TN": m.tn, "FP": m.fp, "FN": m.fn, "TP": m.tp, "accuracy_loss": m.accuracyLoss,
            "f1_loss": m.fBetaLoss(1), "f2_loss": m.fBetaLoss(2), "gmean_loss": m.gMeanLoss,
            "balanced_accuracy_loss": m.balancedAccuracyLoss,
        ]
        var out = values.mapValues { lossTensor([$0], shape: [], as: T.self) }
        let shape = invocation.inputs["p"]?.shape ?? [p.count]
        for (name, metric) in AnyLossMethod.metrics {
            out[name + "_grad"] = lossTensor(try AnyLoss.gradient(metric, y: y, p: p, l: l), shape: shape, as: T.self)
        }
        return out
    }
}

/// `comp-sum-loss`'s parameters.
struct CompSumParameters: MethodParameters {
    var tau = 1.0
    static let declarations: [ParameterDeclaration<Self>] = [.number("tau", \.tau, "τ ≥ 0", range: 0...1e6)]
}

/// `l2svm-squared-hinge`'s parameters.
struct SquaredHingeParameters: MethodParameters {
    var reduction = CrossEntropy.Reduction.mean
    static let declarations: [ParameterDeclaration<Self>] = [
        .choice("reduction", \.reduction, "mean (over batch × classes), sum or none")
    ]
}

/// The L2-SVM objectives' parameters.
struct SVMObjectiveParameters: MethodParameters {
    var penalty = 1.0
    static let declarations: [ParameterDeclaration<Self>] = [.number("C", \.penalty, "penalty parameter", range: 0...1e300)]
}

/// `l2svm-targets`' parameters.
struct SVMTargetsParameters: MethodParameters {
    var classes = 2
    static let declarations: [ParameterDeclaration<Self>] = [.integer("C", \.classes, "number of classes", range: 1...1_000_000_000)]
}

/// `decoupled-softmax-loss`'s parameters.
struct DecoupledSoftmaxParameters: MethodParameters {
    var tau = 0.05
    static let declarations: [ParameterDeclaration<Self>] = [.number("tau", \.tau, "temperature τ > 0", range: 1e-300...1e300)]
}

/// AnyLoss's parameters.
struct AnyLossParameters: MethodParameters {
    var amplification = 73.0
    static let declarations: [ParameterDeclaration<Self>] = [
        .number("L", \.amplification, "amplification L of A(p) = σ(L(p − ½))", range: 0...1e6)
    ]
}

/// `comp-sum-loss` as a loss: the batch mean.
extension CompSumParameters: ClassificationLoss {
    func evaluate(logits: [Double], rows: Int, classes: Int, labels: [Int]) throws -> LossEvaluation {
        let r = try CompSumLoss.compute(logits, rows: rows, classes: classes, labels: labels, tau: tau)
        return .mean(perExample: r.loss, perExampleGradient: r.gradient)
    }
}
